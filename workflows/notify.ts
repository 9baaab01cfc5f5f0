import { customerNotificationKey, staffNotificationKey } from '../domain/keys';
import type { CaseRecord } from './case-record';
import { beforeNotificationOutbox, sendAndWait } from './legacy/notification-outbox';
import type { OutboxMessage } from './outbox';

// Every notification of a case goes through `send`: queued on the case's outbox (workflows/outbox.ts),
// which sends it beside the case, so the promise the helpers return is already resolved and a stage
// that awaits one waits for nothing. Only a case still on the old path (before patch
// notification-outbox, workflows/legacy/notification-outbox.ts) waits for delivery, as its history recorded.

/** Sends the customer a templated message; the occasion (part of its idempotency key) makes a retried step deliver it once. */
export function notifyCustomer(record: CaseRecord, template: string, occasion: string, params: Record<string, string | number | boolean | null> = {}): Promise<void> {
  return send(record, [customerMessage(record, template, customerNotificationKey(record.id, occasion), { caseType: record.input.request.type, status: record.status, ...params })]);
}

/** A message to the customer under an idempotency key, with its activity summary. */
export function customerMessage(record: CaseRecord, template: string, idempotencyKey: string, params: Record<string, string | number | boolean | null>): OutboxMessage {
  return {
    kind: 'message',
    summary: `notify customer: ${template}`,
    send: { idempotencyKey, message: { caseId: record.id, recipient: { kind: 'customer', customerId: record.input.request.customerId }, template, params } },
  };
}

/** Tells the staff queue (escalation level 1 recipients) that a case needs a person. */
export function notifyStaffQueue(record: CaseRecord, template: string, occasion: string, params: Record<string, string | number | boolean | null> = {}): Promise<void> {
  const recipients = record.assignee ? [record.assignee] : record.policy.escalation.levels[0].notify;
  // The summary is shown unencrypted in the Temporal UI: who by role, never by address.
  const who = (i: number) => (record.assignee ? 'the assignee' : `staff queue ${i + 1} of ${recipients.length}`);
  return send(
    record,
    recipients.map((address, i) => staffMessage(record, address, `notify ${who(i)}: ${template}`, template, occasion, { caseType: record.input.request.type, status: record.status, ...params })),
  );
}

/** A message to one staff address on an occasion of the case, with its activity summary. */
export function staffMessage(
  record: CaseRecord,
  address: string,
  summary: string,
  template: string,
  occasion: string,
  params: Record<string, string | number | boolean | null>,
): OutboxMessage {
  return {
    kind: 'message',
    summary,
    send: { idempotencyKey: staffNotificationKey(record.id, occasion, address), message: { caseId: record.id, recipient: { kind: 'staff', address }, template, params } },
  };
}

/** Queues the messages on the case's outbox and returns at once (the old path: sends them and waits). */
export function send(record: CaseRecord, messages: OutboxMessage[]): Promise<void> {
  if (beforeNotificationOutbox(record)) return sendAndWait(messages);
  for (const message of messages) record.outbox.add(message);
  return Promise.resolve();
}
