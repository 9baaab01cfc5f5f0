/**
 * Old path of patch `escalation-record-activity` (workflows/features.ts `Features.escalationRecordActivity`).
 *
 * Which cases run it: those that escalated before that patch's deploy (their history recorded the
 * escalation record as a local activity, without the marker) — only cases started before it. The
 * patch is asked at each escalation, where histories record the marker.
 *
 * When this file may go: once `npx tsx scripts/patch-holdouts.ts --started-before <deploy of escalation-record-activity>`
 * counts 0. Then the supervisor calls `deprecated('escalationRecordActivity')` and uses `reports`
 * directly, this file goes, and `recordEscalation` leaves the `readModel` proxy (workflows/activities.ts).
 */
import { readModel, reports } from '../activities';
import { isPatched } from '../features';

/** Where an escalation is recorded: a regular activity (`reports`) today, the local `readModel` one for the old path. */
export function escalationRecorder(): Pick<typeof reports, 'recordEscalation'> {
  return isPatched('escalationRecordActivity') ? reports : readModel;
}
