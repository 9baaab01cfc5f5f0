import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ReconcilePageResult, ReconcilerActivities } from '../activities/read-model-reconciler.activities';
import type { RefundQuerySummary } from '../activities/refund-query.activities';
import type { TrackingPollSummary } from '../activities/tracking-poll.activities';
import { isPatched } from './features';

/** Visibility lags a little behind closes: each run looks back this much before the previous run's start. */
const WATERMARK_MARGIN_MS = 60_000;
/** The first run ever compares the case workflows closed in the last day (and every running one). */
const FIRST_RUN_LOOKBACK_MS = 24 * 3_600_000;
/** Case workflows per activity: each one a Query and a read by `_id`. */
const PAGE_SIZE = 100;

/** What one run compared and repaired. */
export interface ReconcilerRunSummary {
  pages: number;
  checked: number;
  drift: number;
  repaired: number;
  failed: number;
  locksReleased: number;
  /** Cases and breaches folded into the SLA report's day buckets (absent on runs before that step existed). */
  reportFolded?: { cases: number; breaches: number };
  /** Refunds looked up at their provider after their notification did not come, by outcome (absent on runs before that step existed). */
  refundsQueried?: RefundQuerySummary;
  /** Parcels whose trace was asked for after their pushes stopped, by outcome (absent on runs before that step existed). */
  parcelsPolled?: TrackingPollSummary;
}

const run = proxyActivities<ReconcilerActivities>({
  startToCloseTimeout: '5 minutes',
  // The page activity heartbeats per case: one on a worker that died is tried again soon, not after 5 minutes.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

/**
 * One pass of the read-model reconciler (started by its Schedule, docs/read-model.md
 * "Reconciler"): every running case workflow and every one closed since the last completed run
 * is compared with its read-model document, page by page, and written again where the document
 * is behind or missing; then the locks of closed cases are released and what was written since
 * the last run is folded into the SLA report's day buckets; last, refunds that have waited too long
 * for their notification are looked up at their provider, and parcels whose pushes stopped are polled. The activities do the I/O;
 * the watermark is the start time of the last completed run.
 */
export async function readModelReconcilerWorkflow(): Promise<ReconcilerRunSummary> {
  const startedAt = workflowInfo().startTime;
  const watermark = await run.reconcilerWatermark();
  const closedAfter = watermark === null ? new Date(startedAt.getTime() - FIRST_RUN_LOOKBACK_MS) : new Date(Date.parse(watermark) - WATERMARK_MARGIN_MS);
  const summary: ReconcilerRunSummary = { pages: 0, checked: 0, drift: 0, repaired: 0, failed: 0, locksReleased: 0 };
  let pageToken: string | null = null;
  do {
    const page: ReconcilePageResult = await run.reconcileCasePage({ closedAfter: closedAfter.toISOString(), pageToken, pageSize: PAGE_SIZE });
    summary.pages++;
    summary.checked += page.checked;
    summary.drift += page.drift;
    summary.repaired += page.repaired;
    summary.failed += page.failed;
    pageToken = page.nextPageToken;
  } while (pageToken !== null);
  summary.locksReleased = (await run.sweepOpenCaseLocks()).released;
  if (isPatched('reconcilerCompactsReport')) {
    const folded = await run.compactSlaReport();
    summary.reportFolded = { cases: folded.cases, breaches: folded.breaches };
  }
  if (isPatched('reconcilerQueriesRefunds')) {
    // The age that makes a refund due is the worker's configuration (REFUND_QUERY_AFTER_MS).
    summary.refundsQueried = await run.settleStaleRefunds({});
  }
  if (isPatched('reconcilerPollsParcels')) {
    // Whether there is a tracking provider to ask, and the age that makes a parcel due, are the worker's configuration.
    summary.parcelsPolled = await run.pollStaleParcels({});
  }
  // A case the run could not compare keeps the watermark where it was, so the next run compares it again.
  if (summary.failed === 0) await run.saveReconcilerWatermark(startedAt.toISOString());
  return summary;
}
