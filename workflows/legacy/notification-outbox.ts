/**
 * Old path of patch `notification-outbox` (workflows/features.ts `Features.notificationOutbox`).
 *
 * Which cases run it: those opened below FEATURE_LEVEL_OUTBOX (domain/workflow-contract.ts) — every
 * case started before that level's deploy — up to the first notification they send after it. Each
 * send asks the patch; a history that went past a send without the marker keeps it awaited where
 * it recorded it (the stage, the SLA supervisor, the closing message each waited for delivery), and
 * a case running at the deploy moves to the outbox at its next send. Every archived generation and
 * the current one (feature level 2) in test/replay/histories stand for these cases.
 *
 * When this file may go: once `npx tsx scripts/patch-holdouts.ts --started-before <deploy of FEATURE_LEVEL_OUTBOX>`
 * counts 0: `beforeNotificationOutbox` is then false for every running case, the branch points in
 * workflows/notify.ts and workflows/sla-supervisor.ts keep their outbox branch, and
 * workflows/legacy/escalation-record-activity.ts can go with this file.
 */
import type { EscalationRecord } from '../../activities/provider-ports';
import { providers } from '../activities';
import type { CaseRecord } from '../case-record';
import { isPatched } from '../features';
import type { OutboxMessage } from '../outbox';
import { escalationRecorder } from './escalation-record-activity';

/**
 * True when this case still sends as its history recorded: each notification awaited. A case below
 * FEATURE_LEVEL_OUTBOX asks the patch here, at each send, until it answers true (then the case keeps
 * the outbox to its end); replaying a send recorded without the marker answers false.
 */
export function beforeNotificationOutbox(record: CaseRecord): boolean {
  if (record.features.notificationOutbox) return false;
  if (!isPatched('notificationOutbox')) return true;
  record.features.notificationOutbox = true;
  return false;
}

/** The old send: one `notify` activity per message, scheduled at once, awaited together. */
export async function sendAndWait(messages: OutboxMessage[]): Promise<void> {
  await Promise.all(messages.map((m) => providers.notify.executeWithOptions({ summary: m.summary }, [m.send])));
}

/**
 * The old escalation: each recipient's `notify` scheduled first, then the report's record (asking
 * `escalation-record-activity` there, where histories record its marker), both awaited.
 */
export async function escalateAndWait(messages: OutboxMessage[], escalation: EscalationRecord): Promise<void> {
  await Promise.all([
    sendAndWait(messages),
    escalationRecorder().recordEscalation.executeWithOptions({ summary: `record escalation: ${escalation.clock} clock, level ${escalation.level}` }, [escalation]),
  ]);
}
