/**
 * Old paths of patch `lean-history` (workflows/features.ts `Features.leanHistory`).
 *
 * Which cases run them: those whose history has no `lean-history` marker and whose input has no
 * `featureLevel` — cases started before that patch's deploy (archived histories
 * test/replay/histories/gen1-before-lean-history/). Every case started since records the marker
 * or carries a feature level, and runs the current path.
 *
 * When this file may go: once `npx tsx scripts/patch-holdouts.ts --started-before <deploy of lean-history>`
 * counts 0 (docs/workflow-versioning.md, "A new patch: the rule"). Then `caseFeatures()` calls
 * `deprecated('leanHistory')` instead of asking, this file and the gen1 histories are deleted,
 * and the compiler shows every call site of `beforeLeanHistory`, each of which keeps its current branch.
 */
import { CancelledFailure, condition, sleep, TemporalFailure } from '@temporalio/workflow';
import type { RefundView } from '../../domain/case.types';
import { readModel } from '../activities';
import type { CaseRecord } from '../case-record';
import { notifyCustomer } from '../notify';

/** True for a case started before `lean-history`: it runs the old paths below. */
export function beforeLeanHistory(record: CaseRecord): boolean {
  return !record.features.leanHistory;
}

/**
 * The read-model projector before `lean-history`: writes every new version of the case to the
 * read model with a local activity, in order, until the workflow ends. While the database is down
 * it backs off on a durable timer (the case goes on meanwhile) and then writes the latest version,
 * so the read model catches up with nothing lost. (Today: `publishEachActivation` in case-runtime.ts.)
 */
export async function projectEachVersion(record: CaseRecord): Promise<void> {
  let written = 0;
  let failures = 0;
  for (;;) {
    await condition(() => record.version > written || record.finished);
    if (record.version <= written) return;
    const snapshot = record.snapshot();
    try {
      await readModel.projectCase.executeWithOptions({ summary: `project case v${snapshot.version} (${snapshot.status})` }, [snapshot]);
      written = snapshot.version;
      failures = 0;
    } catch (err) {
      // A failed local activity surfaces as an ActivityFailure or, from core, as its ApplicationFailure cause.
      if (!(err instanceof TemporalFailure) || err instanceof CancelledFailure) throw err;
      failures++;
      await sleep(Math.min(30_000, 1000 * 2 ** failures), { summary: `read model unreachable: retry ${failures}` });
    }
  }
}

/**
 * The SLA supervisor's wait before `lean-history`: a new timer for each wait, cancelled whenever a
 * clock changes, even when the earliest event stays where it was. (Today: `DeadlineTimer` in sla-supervisor.ts.)
 * Returns the condition's own promise: the supervisor resumes in the same step as it did inline.
 */
export function waitForClockEvent(record: CaseRecord, stamp: number, timeoutMs: number, summary: string): Promise<boolean> {
  return condition(() => record.clockStamp !== stamp || record.finished, timeoutMs, { summary });
}

/**
 * A settled refund told in its own `refund_succeeded` message before `lean-history`; since then
 * the closing message carries the amount (case-runtime.ts). Only cases before `order-ledger` can
 * be before `lean-history` too, so only that refund path (legacy/order-ledger.ts) calls this.
 * Returns the notification's own promise (undefined when there is none), so that the stage
 * awaits exactly what it awaited inline and resumes in the same step.
 */
export function notifyRefundSucceeded(record: CaseRecord, refund: RefundView, attempt: number): Promise<void> | undefined {
  if (!beforeLeanHistory(record)) return undefined;
  const { amount, currency } = refund;
  return notifyCustomer(record, 'refund_succeeded', `refund-succeeded-${attempt}`, { amount, currency });
}
