import { patched } from '@temporalio/workflow';
import { FEATURE_LEVEL_LEDGER, FEATURE_LEVEL_OVERDUE } from '../domain/workflow-contract';

/**
 * Workflow changes released behind `patched()`. A case records each marker when it first runs
 * the new code and keeps that path to its end; a case started before a change keeps the path its
 * history recorded (docs/workflow-versioning.md). Each name is written once, here.
 */
export const Features = {
  /**
   * Search attributes and the read model written once per activation (the read model through a
   * sink, no history event), an SLA timer kept when its instant does not move, the refund told
   * in the closing message.
   */
  leanHistory: 'lean-history',
  /**
   * Money through the order-line ledger: every refund, compensation, coupon and collection is
   * reserved on the ledger first (capped by what the line may still pay back) and committed or
   * released after; a zero refund is not sent; collections (repair quote, shipping); repair
   * outcomes by warranty; a complaint closes only with a resolution.
   */
  orderLedger: 'order-ledger',
  /**
   * Escalations recorded for the report by a regular activity (retried while the database is
   * down) instead of a local activity. Asked at the first escalation, where histories record it.
   */
  escalationRecordActivity: 'escalation-record-activity',
  /** The read-model reconciler also folds the SLA report's day buckets at the end of its run. */
  reconcilerCompactsReport: 'reconciler-compacts-report',
  /**
   * The read-model reconciler also looks up at their provider the refunds that have waited for a
   * notification too long, and signals the cases whose refund the provider paid (or failed).
   */
  reconcilerQueriesRefunds: 'reconciler-queries-refunds',
  /**
   * The read-model reconciler also asks the tracking provider (Kuaidi100) for the trace of parcels
   * on their way without news for too long, and signals the cases the scans whose pushes were lost.
   */
  reconcilerPollsParcels: 'reconciler-polls-parcels',
  /**
   * The OverdueSince and OverdueClock search attributes (what is late now, since when). Cases
   * opened at FEATURE_LEVEL_OVERDUE have them from the start; older cases ask when they first
   * become overdue (or stop being so), so a case running at the deploy gets them from then on.
   */
  overdueSearchAttributes: 'ops-overdue-search-attributes',
  /**
   * A refund the provider answers as already paid (Alipay's `fund_change=Y`) is settled by that
   * answer instead of waiting for a notification. Asked only when such an answer comes, so a case
   * whose provider answers `pending` (the sandbox) records no marker.
   */
  refundSettledByAnswer: 'refund-settled-by-answer',
} as const;

/** Which released changes a case runs: true = the current path, false = the path its history recorded. */
export interface FeatureSet {
  leanHistory: boolean;
  orderLedger: boolean;
  /**
   * True: OverdueSince and OverdueClock are upserted with the other search attributes. False: not
   * yet; the record asks patched() when they would first change and sets it then (workflows/case-record.ts).
   */
  overdueSearchAttributes: boolean;
}

/**
 * The features of this case, decided once when the case starts: from its input's feature level
 * when the API set one (no marker: a lighter first task), else asked with patched(), each
 * recording its marker then, as every case started before the level existed did. The overdue
 * search attributes are the exception below FEATURE_LEVEL_OVERDUE: asked later, where they first apply.
 */
export function caseFeatures(featureLevel: number | undefined): FeatureSet {
  if (featureLevel !== undefined && featureLevel >= FEATURE_LEVEL_OVERDUE) return { leanHistory: true, orderLedger: true, overdueSearchAttributes: true };
  if (featureLevel !== undefined && featureLevel >= FEATURE_LEVEL_LEDGER) return { leanHistory: true, orderLedger: true, overdueSearchAttributes: false };
  return { leanHistory: patched(Features.leanHistory), orderLedger: patched(Features.orderLedger), overdueSearchAttributes: false };
}
