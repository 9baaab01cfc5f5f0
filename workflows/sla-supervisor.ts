import { CancellationScope, condition, isCancellation, sleep } from '@temporalio/workflow';
import type { Actor, ClockName } from '../domain/case.types';
import { durationMs } from '../domain/duration';
import type { EscalationRecord } from '../activities/provider-ports';
import { slaEscalationOccasion, slaWarningOccasion } from '../domain/keys';
import type { EscalationLevel } from '../domain/policy';
import { pendingClockEvents, type ClockEvent, type SlaClock } from '../domain/sla-clock';
import type { CaseRecord } from './case-record';
import { beforeLeanHistory, waitForClockEvent } from './legacy/lean-history';
import { beforeNotificationOutbox, escalateAndWait } from './legacy/notification-outbox';
import { send, staffMessage } from './notify';
import type { OutboxMessage } from './outbox';

/** What a case type does when a clock runs out, beyond the escalation ladder. */
export interface ClockHooks {
  /**
   * A staff clock breached: apply the policy's auto-action, if any. What it does after its first
   * await (a read of the order source) runs beside the supervisor, which goes on watching the clocks.
   */
  onStaffBreach?(record: CaseRecord, clock: ClockName): void | Promise<void>;
  /** A customer clock ran out: take the default answer or end the case. */
  onCustomerTimeout(record: CaseRecord, clock: ClockName): void;
}

const SLA_ACTOR: Actor = { kind: 'system', id: 'sla' };

/**
 * Watches every clock of the case with one durable timer at a time: warns at the
 * policy fraction, escalates at the breach and up the ladder, and hands customer
 * timeouts to the case type. Runs until the case is closed and no clock is open.
 * Its messages and escalation records go to the case's outbox (workflows/outbox.ts), so
 * it arms its next timer in the task that handled an event, before they are sent.
 */
export async function superviseClocks(record: CaseRecord, hooks: ClockHooks): Promise<void> {
  const { escalation, calendar } = record.policy;
  const timer = new DeadlineTimer();
  for (;;) {
    const events = pendingClockEvents(record.clocks, escalation.levels, escalation.warningFraction, calendar);
    if (events.length === 0) {
      if (record.closed || record.finished) return;
      timer.cancel();
      const stamp = record.clockStamp;
      await condition(() => record.clockStamp !== stamp || record.finished);
      continue;
    }
    const now = record.now();
    const next = events[0];
    if (next.at <= now) {
      await handle(record, next, hooks);
      continue;
    }
    const stamp = record.clockStamp;
    const summary = `${next.clock} ${next.kind} at ${new Date(next.at).toISOString()}`;
    if (beforeLeanHistory(record)) {
      await waitForClockEvent(record, stamp, next.at - now, summary);
    } else {
      // A clock change that leaves the earliest event where it was (a stage that stops one clock and
      // starts another due at the same instant, say) keeps the running timer: no cancel/start pair.
      timer.arm(next.at, now, summary);
      await condition(() => timer.fired || record.clockStamp !== stamp || record.finished);
    }
    if (record.finished) return;
  }
}

/** The supervisor's one durable timer, kept across clock changes that do not move its instant. */
class DeadlineTimer {
  fired = false;
  private at: number | null = null;
  private scope: CancellationScope | null = null;

  /** Makes the timer fire at `at`: keeps the running one if it already does, else replaces it. */
  arm(at: number, now: number, summary: string): void {
    if (this.at === at && !this.fired) return;
    this.cancel();
    const scope = new CancellationScope();
    this.scope = scope;
    this.at = at;
    void scope.run(() => sleep(at - now, { summary })).then(
      () => {
        if (this.scope === scope) this.fired = true;
      },
      (err: unknown) => {
        if (!isCancellation(err)) throw err;
      },
    );
  }

  /** Cancels the running timer, if any; a timer that already fired needs nothing. */
  cancel(): void {
    if (this.scope && !this.fired) this.scope.cancel();
    this.scope = null;
    this.at = null;
    this.fired = false;
  }
}

async function handle(record: CaseRecord, event: ClockEvent, hooks: ClockHooks): Promise<void> {
  const clock = record.openClock(event.clock);
  if (!clock) return;
  const at = new Date(record.now()).toISOString();

  if (event.kind === 'warning') {
    const recipients = [record.assignee ?? record.policy.escalation.levels[0].notify[0]];
    record.updateClock(event.clock, (c) => ({ ...c, warnedAt: at }));
    record.addEscalation({ level: 0, clock: event.clock, at, recipients, reason: 'warning' });
    record.log(SLA_ACTOR, 'sla.warning', { clock: event.clock, deadline: clock.deadline, recipients });
    await send(record, staffMessages(record, recipients, 'sla_warning', slaWarningOccasion(event.clock, clock.startedAt), event.clock, clock.deadline, 0));
    return;
  }

  if (event.kind === 'breach') {
    record.updateClock(event.clock, (c) => ({ ...c, state: 'breached', breachedAt: at }));
    if (clock.party === 'customer') {
      record.log(SLA_ACTOR, 'customer.timeout', { clock: event.clock, deadline: clock.deadline });
      hooks.onCustomerTimeout(record, event.clock);
      return;
    }
    record.log(SLA_ACTOR, 'sla.breached', { clock: event.clock, deadline: clock.deadline, ...(clock.bound ? { bound: clock.bound } : {}) });
    // Ladder levels due at the breach itself take effect (state, flag, search attributes) before any
    // auto-action can stop the clock; their notifications then go out while the case moves on.
    const effects: Promise<void>[] = [];
    for (const level of breachLevels(record, clock)) {
      effects.push(escalate(record, event.clock, level, clock.startedAt, clock.deadline));
    }
    if (clock.bound === 'statutory') record.updateClock(event.clock, (c) => ({ ...c, escalatedLevels: record.policy.escalation.levels.length }));
    // Not awaited: an auto-action that reads the order source first must not hold the ladder back.
    void Promise.resolve(hooks.onStaffBreach?.(record, event.clock)).catch((err: unknown) => {
      if (!isCancellation(err)) throw err;
    });
    await Promise.all(effects);
    return;
  }

  await escalate(record, event.clock, event.level, clock.startedAt, clock.deadline);
}

/**
 * The ladder levels a breach takes at once. The statutory refund limit goes straight to the top of
 * the ladder (a supervisor); a refund clock capped by it breaches at the same instant and takes none
 * (the statutory clock escalates that breach, once); any other clock takes the levels due at once.
 * Either statutory-bound clock climbs no further (docs/business-rules.md#the-statutory-refund-limit).
 */
function breachLevels(record: CaseRecord, clock: SlaClock): EscalationLevel[] {
  const { levels } = record.policy.escalation;
  if (clock.name === 'statutory_refund') return levels.slice(-1);
  if (clock.bound === 'statutory') return [];
  const due: EscalationLevel[] = [];
  for (const level of levels) {
    if (durationMs(level.after) !== 0) break;
    due.push(level);
  }
  return due;
}

/**
 * One escalation step: the case's level, priority and timeline at once, then every recipient told
 * and the step recorded for the report — queued on the outbox as one item (one activity), or, on
 * the old path, sent and awaited.
 */
function escalate(record: CaseRecord, clockName: ClockName, level: EscalationLevel, startedAt: string, deadline: string): Promise<void> {
  const at = new Date(record.now()).toISOString();
  record.updateClock(clockName, (c) => ({ ...c, escalatedLevels: c.escalatedLevels + 1 }));
  record.addEscalation({ level: level.level, clock: clockName, at, recipients: level.notify, reason: 'breach' }, level.priority);
  record.log(SLA_ACTOR, 'sla.escalated', { clock: clockName, level: level.level, recipients: level.notify, priority: record.priority });
  const messages = staffMessages(record, level.notify, 'sla_escalation', slaEscalationOccasion(clockName, level.level, startedAt), clockName, deadline, level.level);
  const escalation: EscalationRecord = {
    caseId: record.id,
    caseType: record.input.request.type,
    assignee: record.assignee,
    level: level.level,
    clock: clockName,
    at,
    recipients: level.notify,
    reason: 'breach',
  };
  if (beforeNotificationOutbox(record)) return escalateAndWait(messages, escalation);
  record.outbox.add({
    kind: 'escalation',
    summary: `escalate: ${clockName} clock, level ${level.level}, ${level.notify.length} recipient(s)`,
    escalation,
    messages: messages.map((m) => m.send),
  });
  return Promise.resolve();
}

/** The staff messages of a warning or an escalation, one per recipient. */
function staffMessages(
  record: CaseRecord,
  recipients: string[],
  template: string,
  occasion: string,
  clock: ClockName,
  deadline: string,
  level: number,
): OutboxMessage[] {
  // The summary is shown unencrypted in the Temporal UI: the recipient by position, never by address.
  return recipients.map((address, i) =>
    staffMessage(record, address, `notify staff ${i + 1} of ${recipients.length}: ${template} (${clock} clock, level ${level})`, template, occasion, {
      caseType: record.input.request.type,
      clock,
      deadline,
      level,
      status: record.status,
    }),
  );
}
