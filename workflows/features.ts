import { deprecatePatch, patched } from '@temporalio/workflow';
import { FEATURE_LEVEL_LEDGER, FEATURE_LEVEL_OUTBOX, FEATURE_LEVEL_OVERDUE, FEATURE_LEVEL_RETURN_LABEL, FEATURE_LEVEL_STATUTORY_REFUND } from '../domain/workflow-contract';

/**
 * The patch registry: every workflow change released behind `patched()`, named once, here. A case
 * records each marker when it first runs the new code and keeps that path to its end; a case
 * started before a change keeps the path its history recorded. This module is the only one that
 * calls `patched()` / `deprecatePatch()` (ESLint enforces it): code asks `isPatched(name)`.
 *
 * Each entry says where its old path lives and when it may go (docs/workflow-versioning.md, "A new
 * patch: the rule"). "Released" is the commit that brought it; its deploy time is the production
 * instant the count of holdouts is taken against (`scripts/patch-holdouts.ts`).
 */
export const Features = {
  /**
   * Search attributes and the read model written once per activation (the read model through a
   * sink, no history event), an SLA timer kept when its instant does not move, the refund told
   * in the closing message. Released 9233b84 (2026-11-26); asked at case start (`caseFeatures`).
   * Old path: workflows/legacy/lean-history.ts. Needed by the cases started without a feature
   * level before its deploy (gen1 histories); may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  leanHistory: 'lean-history',
  /**
   * Money through the order-line ledger: every refund, compensation, coupon and collection is
   * reserved on the ledger first (capped by what the line may still pay back) and committed or
   * released after; a zero refund is not sent; collections (repair quote, shipping); repair
   * outcomes by warranty; a complaint closes only with a resolution. Released ad79bf8
   * (2026-11-29); asked at case start (`caseFeatures`). Old path: workflows/legacy/order-ledger.ts.
   * Needed by the cases started without a feature level before its deploy (gen1, gen2 histories);
   * may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  orderLedger: 'order-ledger',
  /**
   * Escalations recorded for the report by a regular activity (retried while the database is
   * down) instead of a local activity. Released 4e5f58a (2026-11-26); asked at the first
   * escalation, where histories record it. Old path: workflows/legacy/escalation-record-activity.ts;
   * may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  escalationRecordActivity: 'escalation-record-activity',
  /**
   * The read-model reconciler also folds the SLA report's day buckets at the end of its run.
   * Released a7ad91b (2026-11-29). Old path: the run without the step. A reconciler run lasts at
   * most its 1-hour execution timeout, so it may go when `patch-holdouts --reconciler --started-before <its deploy>` is 0.
   */
  reconcilerCompactsReport: 'reconciler-compacts-report',
  /**
   * The read-model reconciler also looks up at their provider the refunds that have waited for a
   * notification too long, and signals the cases whose refund the provider paid (or failed).
   * Released cb7ab3d (2026-11-29). Old path: the run without the step; may go as `reconcilerCompactsReport`.
   */
  reconcilerQueriesRefunds: 'reconciler-queries-refunds',
  /**
   * The read-model reconciler also asks the tracking provider (Kuaidi100) for the trace of parcels
   * on their way without news for too long, and signals the cases the scans whose pushes were lost.
   * Released a2be3b8 (2026-11-29). Old path: the run without the step; may go as `reconcilerCompactsReport`.
   */
  reconcilerPollsParcels: 'reconciler-polls-parcels',
  /**
   * The OverdueSince and OverdueClock search attributes (what is late now, since when). Cases
   * opened at FEATURE_LEVEL_OVERDUE have them from the start; older cases ask when they first
   * become overdue (or stop being so), so a case running at the deploy gets them from then on.
   * Released 055cd10 (2026-11-29). Old path: workflows/legacy/overdue-search-attributes.ts; may go
   * when `patch-holdouts --started-before <the deploy of FEATURE_LEVEL_OVERDUE>` is 0.
   */
  overdueSearchAttributes: 'ops-overdue-search-attributes',
  /**
   * A refund the provider answers as already paid (Alipay's `fund_change=Y`) is settled by that
   * answer instead of waiting for a notification. Asked only when such an answer comes, so a case
   * whose provider answers `pending` (the sandbox) records no marker. Released aecc190
   * (2026-11-29). Old path: wait for the notification (`settleByAnswer` in
   * workflows/stages/refund-attempts.ts answers nothing); may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  refundSettledByAnswer: 'refund-settled-by-answer',
  /**
   * The order's delivery is read again from the order source before a `not_received` refund, a
   * reship and an automatic approval (workflows/delivery-check.ts): a parcel signed for after the
   * case opened closes it `rejected` as a courier exception, an unconfirmed delivery waits for a
   * person, and an automatic approval is withheld unless the read confirms the opening. Issue 22
   * (2026-12-08). Asked only where the read would be scheduled, so cases that never reach one
   * record no marker. Old path: none, the same steps without the read; may go when
   * `patch-holdouts --started-before <its deploy>` is 0.
   */
  deliveryReadBeforeMoney: 'delivery-read-before-money',
  /**
   * A refund of a case opened on the order source's facts is reserved on the ledger, then checked
   * against the payment's own record where the provider offers a trade query (paid less already
   * refunded must cover it), then requested; one not covered is not sent and waits for a person.
   * Issue 22 (2026-12-08). Asked where the refund's first activity would be scheduled. Old path:
   * reserve and request in one activity (`reserveAndRefund`, workflows/stages/refund.stage.ts);
   * may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  paymentRecordChecked: 'payment-record-checked',
  /**
   * A refund settlement reported by a callback (or the reconciler) never moves money by itself: the
   * payment signal only records the report, and the case looks the refund up in the provider's own
   * record before it acts — succeeded with the refund's amount settles it (the ledger commits),
   * failed starts the next attempt, pending keeps waiting, another amount or an unknown refund goes
   * to a person (an unknown one is asked again under the same key, never a new one); a paid report
   * of an attempt given up on a confirmed failure is looked up and raised to a person. Issue 23
   * (2026-12-08). Asked once per attempt, when its refund was requested (before any report can be
   * applied). Old path: the signal settles the refund (`applyPaymentEvent` with
   * `record.confirmsRefundReports` false, workflows/provider-events.ts); may go when
   * `patch-holdouts --started-before <its deploy>` is 0.
   */
  refundReportsConfirmed: 'refund-reports-confirmed',
  /**
   * A collection reported paid (or failed) by the payment callback counts only when the provider's
   * own record says so: the signal records a report, the case looks the collection up
   * (`lookUpCollection`) and takes its status — paid with the collection's amount, or failed;
   * pending, another amount or unknown change nothing (the payment clock still runs). Issue 23
   * (2026-12-08). Asked once per collection, when it was requested. Old path: the signal settles it
   * (`applyCollectionEvent` with `record.confirmsCollectionReports` false); may go when
   * `patch-holdouts --started-before <its deploy>` is 0.
   */
  collectionReportsConfirmed: 'collection-reports-confirmed',
  /**
   * A refund whose order line is held for a person (the ledger granted nothing because the line's
   * facts or its old sku account need a look) waits instead of closing the case: the staff queue is
   * told once (`refund.line_held`), the reservation is asked again every hour under the same key,
   * and the refund goes as soon as a person releases the line (or a supervisor closes the case).
   * Issue 22 (2026-12-08). Asked only when a reservation came back held. Old path: the case closed
   * `rejected` (`refund.nothing_refundable`); may go when `patch-holdouts --started-before <its
   * deploy>` is 0.
   */
  heldLineWaits: 'held-line-waits',
  /**
   * The return parcel goes on the shop's label: its number comes from the label (a typed one that
   * is not the label's is refused), a customer's own courier is declared at the shipment step and
   * received only on the warehouse's scan-in (`receive`), a label parcel on the courier's delivery
   * or the scan-in, whichever comes first; the moment is recorded (`outcome.goodsReceived`). Issue
   * 23 (2026-12-08). Asked when the return-shipment stage starts, before its label is asked for.
   * Old path: workflows/legacy/typed-return-shipment.ts; may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  returnOnLabel: 'return-on-label',
  /**
   * After the refund stage, a `succeeded` reported for an attempt the case gave up (on a confirmed
   * failure) is still looked up and, if the provider paid it, raised to a person
   * (`refund.manual_action_required`, reason `abandoned_attempt_paid`) until the workflow ends.
   * Issue 23 (2026-12-08). Asked when such a report first comes after the stage. Old path: the
   * report was recorded and nothing looked at it (`keepRaisingGivenUpAttempts` in
   * workflows/stages/refund-attempts.ts skips it); may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  givenUpAttemptsWatched: 'given-up-attempts-watched',
  /**
   * A payment reported after the case went on without it (the collection `unpaid`) counts as
   * received late only when the provider's record says it was paid (`lookUpCollection`, with the
   * collection's amount): then `payment.received_late` (confirmed) and the staff queue is told to
   * pay it back; a report the record does not bear out changes nothing. Issue 23 (2026-12-08).
   * Asked when a collection is marked unpaid (the stage's end, or the case's close). Old path: the
   * report itself was recorded as a late payment (`applyCollectionEvent` with
   * `record.confirmsLatePayments` false, workflows/provider-events.ts); may go when
   * `patch-holdouts --started-before <its deploy>` is 0.
   */
  latePaymentsConfirmed: 'late-payments-confirmed',
  /**
   * No case waits on a notification: every message (stages, SLA warnings, escalations, the closing
   * message) is queued on the case's outbox (workflows/outbox.ts) and sent beside the case by a
   * loop started with it, under a deadline (`OUTBOX_DEADLINE`, workflows/activities.ts); one that
   * fails for good is recorded on the timeline (`notification.failed`) and counted, never retried
   * forever. An escalation is one activity (`notifyEscalation`: every recipient and the report's
   * record), so escalations ask `escalationRecordActivity` no more. The SLA supervisor arms its next
   * timer before any side effect; the workflow ends once the outbox is drained and every handler
   * finished. Issue 24 (2026-12-08). Cases opened at FEATURE_LEVEL_OUTBOX run it from their start
   * (no marker); older cases ask where they would first send a notification after the deploy.
   * Old path: workflows/legacy/notification-outbox.ts (each send awaited where it is asked); may go
   * when `patch-holdouts --started-before <the deploy of FEATURE_LEVEL_OUTBOX>` is 0.
   */
  notificationOutbox: 'notification-outbox',
  /**
   * The statutory refund limit of a return (workflows/statutory-limit.ts): a `statutory_refund`
   * staff clock from the recorded receipt of the goods to 24:00 Beijing time of the 7th calendar
   * day after; the refund clock's deadline is capped at it (`bound` on the clock); its breach takes
   * the ladder's top level at once; a failed inspection ends it. Issue 25 item 1 (2026-12-08).
   * Cases opened at FEATURE_LEVEL_STATUTORY_REFUND run it from their start (no marker); older
   * ones ask at the receipt, in return cases only. Old path: none, the same case without the clock
   * (a refund clock on its policy budget alone); may go when `patch-holdouts --started-before <its deploy>` is 0.
   */
  statutoryRefundLimit: 'statutory-refund-limit',
} as const;

/** The name of a released change in the registry. */
export type FeatureName = keyof typeof Features;

/**
 * True when this workflow runs change `name` (the first run records its marker here), false when
 * it replays a history that reached this point without it. The one call site of `patched()`.
 */
export function isPatched(name: FeatureName): boolean {
  return patched(Features[name]);
}

/**
 * Step 2 of a patch's life (docs/workflow-versioning.md): the old path is gone and this replaces
 * `isPatched(name)` where it was asked, so histories with or without the marker still replay.
 */
export function deprecated(name: FeatureName): void {
  deprecatePatch(Features[name]);
}

/** Which released changes a case runs: true = the current path, false = the path its history recorded. */
export interface FeatureSet {
  leanHistory: boolean;
  orderLedger: boolean;
  /**
   * True: OverdueSince and OverdueClock are upserted with the other search attributes. False: not
   * yet; the record asks patched() when they would first change and sets it then
   * (workflows/legacy/overdue-search-attributes.ts).
   */
  overdueSearchAttributes: boolean;
  /**
   * True: notifications go through the outbox. False: not yet; the case asks patched() where it
   * would first send one (workflows/legacy/notification-outbox.ts) and sets it then.
   */
  notificationOutbox: boolean;
  /**
   * True: the return parcel goes on the shop's label (return-on-label). False: not decided at the
   * start; the return-shipment stage asks patched() when it starts (its marker recorded then).
   */
  returnOnLabel: boolean;
  /**
   * True: a return runs the statutory refund limit from its receipt (statutory-refund-limit). False:
   * not decided at the start; the return asks patched() at the receipt (its marker recorded then).
   */
  statutoryRefundLimit: boolean;
}

/**
 * The features of this case, decided once when the case starts: from its input's feature level
 * when the API set one (no marker: a lighter first task), else asked with patched(), each
 * recording its marker then, as every case started before the level existed did. The overdue
 * search attributes (below FEATURE_LEVEL_OVERDUE), the notification outbox (below
 * FEATURE_LEVEL_OUTBOX), the return label (below FEATURE_LEVEL_RETURN_LABEL) and the statutory
 * refund limit (below FEATURE_LEVEL_STATUTORY_REFUND) are the exceptions: asked later, where they first apply.
 */
export function caseFeatures(featureLevel: number | undefined): FeatureSet {
  const level = featureLevel ?? 0;
  const statutoryRefundLimit = level >= FEATURE_LEVEL_STATUTORY_REFUND;
  if (level >= FEATURE_LEVEL_RETURN_LABEL) return { leanHistory: true, orderLedger: true, overdueSearchAttributes: true, notificationOutbox: true, returnOnLabel: true, statutoryRefundLimit };
  if (level >= FEATURE_LEVEL_OUTBOX) return { leanHistory: true, orderLedger: true, overdueSearchAttributes: true, notificationOutbox: true, returnOnLabel: false, statutoryRefundLimit };
  if (level >= FEATURE_LEVEL_OVERDUE) return { leanHistory: true, orderLedger: true, overdueSearchAttributes: true, notificationOutbox: false, returnOnLabel: false, statutoryRefundLimit };
  if (level >= FEATURE_LEVEL_LEDGER) return { leanHistory: true, orderLedger: true, overdueSearchAttributes: false, notificationOutbox: false, returnOnLabel: false, statutoryRefundLimit };
  return { leanHistory: isPatched('leanHistory'), orderLedger: isPatched('orderLedger'), overdueSearchAttributes: false, notificationOutbox: false, returnOnLabel: false, statutoryRefundLimit };
}
