import { ActivityFailure, ApplicationFailure, condition, isCancellation, log, metricMeter, TimeoutFailure } from '@temporalio/workflow';
import type { EscalationRecord } from '../activities/provider-ports';
import type { NotifyInput } from '../activities';
import { outbox as outboxActivities } from './activities';
import type { CaseRecord } from './case-record';

/** A message the case sends: the activity's input and its one-line summary (no personal data). */
export interface OutboxMessage {
  kind: 'message';
  summary: string;
  send: NotifyInput;
}

/** An escalation step: every recipient told and the step recorded for the report, in one activity. */
export interface OutboxEscalation {
  kind: 'escalation';
  summary: string;
  escalation: EscalationRecord;
  messages: NotifyInput[];
}

/** What the case hands to its outbox. */
export type OutboxItem = OutboxMessage | OutboxEscalation;

/**
 * The case's notifications waiting to be sent (patch notification-outbox). The case queues them
 * and goes on at once; `deliverOutbox`, started with the case, sends them beside it. Workflow
 * state only: replay rebuilds it from the same steps.
 */
export class Outbox {
  /** Queued, not yet handed to an activity, oldest first. */
  readonly queued: OutboxItem[] = [];
  /** Handed to an activity and not yet delivered or given up. */
  inFlight = 0;
  /** Delivered, and given up on (recorded on the timeline as `notification.failed`). */
  delivered = 0;
  gaveUp = 0;

  /** Queues an item; the case never waits for it. */
  add(item: OutboxItem): void {
    this.queued.push(item);
  }

  /** True when nothing is queued or on its way. */
  get drained(): boolean {
    return this.queued.length === 0 && this.inFlight === 0;
  }
}

/**
 * Sends the case's queued notifications, each in its own activity as soon as it is queued (a slow
 * one holds no other back), until the workflow ends with the outbox drained. Wakes in the
 * activation that queued them, after the code that queued them (the SLA supervisor has armed its
 * next timer by then). Records nothing while the outbox stays empty, so a case on the old path
 * (workflows/legacy/notification-outbox.ts) replays as recorded.
 */
export async function deliverOutbox(record: CaseRecord): Promise<void> {
  const { outbox } = record;
  for (;;) {
    await condition(() => outbox.queued.length > 0 || (record.finished && outbox.drained));
    if (outbox.queued.length === 0) return;
    for (const item of outbox.queued.splice(0)) {
      outbox.inFlight++;
      void deliver(record, item).finally(() => outbox.inFlight--);
    }
  }
}

/** Resolves once every queued notification was delivered or given up on. */
export async function outboxDrained(record: CaseRecord): Promise<void> {
  await condition(() => record.outbox.drained);
}

async function deliver(record: CaseRecord, item: OutboxItem): Promise<void> {
  try {
    if (item.kind === 'message') await outboxActivities.notify.executeWithOptions({ summary: item.summary }, [item.send]);
    else await outboxActivities.notifyEscalation.executeWithOptions({ summary: item.summary }, [{ escalation: item.escalation, messages: item.messages }]);
    record.outbox.delivered++;
  } catch (err) {
    // A cancelled workflow cancels its sends: nothing to record (and nothing left unhandled).
    if (isCancellation(err)) return;
    record.outbox.gaveUp++;
    giveUp(record, item, failureReason(err));
  }
}

/** Why the outbox gave up, in words without personal data: `rejected` (permanently), `deadline`, or `failed`. */
function failureReason(err: unknown): 'rejected' | 'deadline' | 'failed' {
  // Past the deadline the server fails the activity with its last attempt's error and retry state TIMEOUT.
  if (err instanceof ActivityFailure && err.retryState === 'TIMEOUT') return 'deadline';
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) return 'deadline';
  if (err instanceof ActivityFailure && err.retryState === 'NON_RETRYABLE_FAILURE') return 'rejected';
  if (cause instanceof ApplicationFailure && cause.nonRetryable) return 'rejected';
  return 'failed';
}

/** A notification given up on: on the case's timeline, counted, and logged — template and recipient kind only. */
function giveUp(record: CaseRecord, item: OutboxItem, reason: 'rejected' | 'deadline' | 'failed'): void {
  const first = item.kind === 'message' ? item.send.message : item.messages[0]?.message;
  const template = first?.template ?? 'sla_escalation';
  const recipient = first?.recipient.kind ?? 'staff';
  const data: Record<string, unknown> = { template, recipient, reason };
  if (item.kind === 'escalation') Object.assign(data, { clock: item.escalation.clock, level: item.escalation.level });
  record.log({ kind: 'system', id: 'outbox' }, 'notification.failed', data);
  // Counted per template, recipient kind and reason (never an address): alert on any increase (docs/observability.md).
  metricMeter
    .createCounter('aftersales_notifications_given_up', 'notifications', 'notifications a case gave up on: refused for good or past the outbox deadline')
    .add(1, { template, recipient, reason });
  log.warn('notification given up', { template, recipient, reason });
}
