import { ApplicationFailure } from '@temporalio/common';
import { createActivities, type ActivityDeps, type NotifyInput } from '../../activities';
import type { EscalationRecord, OutboundMessage } from '../../activities/provider-ports';
import { staffNotificationKey } from '../../domain/keys';

// notifyEscalation (the notification outbox, issue 24): one activity per escalation step — every
// recipient notified and the step recorded for the report, side by side, each idempotent by its key.

const escalation: EscalationRecord = {
  caseId: 'cs_1',
  caseType: 'return',
  assignee: null,
  level: 2,
  clock: 'review',
  at: '2026-05-01T10:00:00.000Z',
  recipients: ['team-lead@x.local', 'manager@x.local'],
  reason: 'breach',
};

const messages: NotifyInput[] = escalation.recipients.map((address) => ({
  idempotencyKey: staffNotificationKey('cs_1', 'esc:review:2:2026-05-01T08:00:00.000Z', address),
  message: { caseId: 'cs_1', recipient: { kind: 'staff', address }, template: 'sla_escalation', params: { level: 2 } },
}));

/** A provider error as integrations/http-client.ts raises it. */
function providerError(status: number, retryable: boolean) {
  return Object.assign(new Error(`POST /v1/messages failed: ${status}`), { name: 'ProviderError', provider: 'notification', status, retryable });
}

function activitiesWith(send: ActivityDeps['notification']['send'], recordEscalation: ActivityDeps['readModel']['recordEscalation']) {
  const unused = async (): Promise<never> => {
    throw new Error('not used here');
  };
  return createActivities({
    courier: { createReturnLabel: unused, createShipment: unused, subscribeTracking: unused, openInvestigation: unused },
    payment: { createRefund: unused, issueCoupon: unused, createCollection: unused },
    inventory: { checkStock: unused, catalogItem: unused },
    notification: { send },
    readModel: { upsertCase: unused, recordEscalation, releaseOpenCaseLocks: unused },
    ledger: { reserve: unused, settle: unused, orderLines: unused },
  });
}

describe('notifyEscalation: every recipient and the report record in one activity', () => {
  test('sends each recipient its message under its key and records the step once', async () => {
    const sent: string[] = [];
    const recorded: EscalationRecord[] = [];
    const activities = activitiesWith(
      async (_message, key) => {
        sent.push(key);
        return { messageId: `M-${key}` };
      },
      async (record) => {
        recorded.push(record);
      },
    );
    await activities.notifyEscalation({ escalation, messages });
    expect(sent).toEqual(messages.map((m) => m.idempotencyKey));
    expect(recorded).toEqual([escalation]);
  });

  test('while the provider fails, the step is still recorded and the activity fails retryably (the outbox retries it)', async () => {
    const recorded: EscalationRecord[] = [];
    const activities = activitiesWith(
      async () => {
        throw providerError(503, true);
      },
      async (record) => {
        recorded.push(record);
      },
    );
    const failure = await activities.notifyEscalation({ escalation, messages }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(ApplicationFailure);
    expect(recorded).toEqual([escalation]);
  });

  test('a recipient refused for good fails it for good, unless another part may still succeed on a retry', async () => {
    const refuseManager = async (message: OutboundMessage, key: string) => {
      if (message.recipient.kind === 'staff' && message.recipient.address === 'manager@x.local') throw providerError(422, false);
      return { messageId: `M-${key}` };
    };
    const refused = await activitiesWith(refuseManager, async () => undefined)
      .notifyEscalation({ escalation, messages })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect((refused as ApplicationFailure).nonRetryable).toBe(true);
    expect((refused as ApplicationFailure).type).toBe('ProviderRejected');

    const databaseDown = await activitiesWith(refuseManager, async () => {
      throw new Error('read model unreachable');
    })
      .notifyEscalation({ escalation, messages })
      .catch((err: unknown) => err);
    expect(databaseDown).toBeInstanceOf(Error);
    expect(databaseDown).not.toBeInstanceOf(ApplicationFailure);
  });
});
