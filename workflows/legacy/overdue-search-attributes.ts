/**
 * Old path of patch `ops-overdue-search-attributes` (workflows/features.ts `Features.overdueSearchAttributes`).
 *
 * Which cases run it: those opened below FEATURE_LEVEL_OVERDUE (domain/workflow-contract.ts) — every
 * case started before that level's deploy. They upsert no OverdueSince/OverdueClock until the
 * first time those would change what was upserted; the patch is asked there, so a history that
 * went past that point without the marker keeps its old upserts, and a case running at the
 * deploy gets the attributes from then on.
 *
 * When this file may go: once `npx tsx scripts/patch-holdouts.ts --started-before <deploy of FEATURE_LEVEL_OVERDUE>`
 * counts 0: every running case then has the attributes from its start, `overdueToUpsert` in
 * case-record.ts returns `overdue(clocks)`, and the feature flag goes.
 */
import { isPatched, type FeatureSet } from '../features';

/**
 * For a case without the attributes yet: true when it upserts them from now on — asked (and the
 * marker recorded) only when its overdue state would change what was upserted.
 */
export function overdueAttributesFromNow(features: FeatureSet, wouldChange: boolean): boolean {
  if (!wouldChange || !isPatched('overdueSearchAttributes')) return false;
  features.overdueSearchAttributes = true;
  return true;
}
