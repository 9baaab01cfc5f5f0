import { customerNotificationKey, staffNotificationKey } from '../domain/keys';
import { providers } from './activities';
import type { CaseRecord } from './case-record';

/** Sends the customer a templated message; the occasion (part of its idempotency key) makes a retried step deliver it once. */
export async function notifyCustomer(
  record: CaseRecord,
  template: string,
  occasion: string,
  params: Record<string, string | number | boolean | null> = {},
): Promise<void> {
  await providers.notify.executeWithOptions({ summary: `notify customer: ${template}` }, [
    {
      idempotencyKey: customerNotificationKey(record.id, occasion),
      message: {
        caseId: record.id,
        recipient: { kind: 'customer', customerId: record.input.request.customerId },
        template,
        params: { caseType: record.input.request.type, status: record.status, ...params },
      },
    },
  ]);
}

/** Tells the staff queue (escalation level 1 recipients) that a case needs a person. */
export async function notifyStaffQueue(
  record: CaseRecord,
  template: string,
  occasion: string,
  params: Record<string, string | number | boolean | null> = {},
): Promise<void> {
  const recipients = record.assignee ? [record.assignee] : record.policy.escalation.levels[0].notify;
  await Promise.all(
    // The summary is shown unencrypted in the Temporal UI: who by role, never by address.
    recipients.map((address, i) =>
      providers.notify.executeWithOptions({ summary: `notify ${record.assignee ? 'the assignee' : `staff queue ${i + 1} of ${recipients.length}`}: ${template}` }, [
        {
          idempotencyKey: staffNotificationKey(record.id, occasion, address),
          message: {
            caseId: record.id,
            recipient: { kind: 'staff', address },
            template,
            params: { caseType: record.input.request.type, status: record.status, ...params },
          },
        },
      ]),
    ),
  );
}
