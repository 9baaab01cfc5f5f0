import { condition } from '@temporalio/workflow';
import type { OrderFacts, PaymentChannel, RefundView } from '../../domain/case.types';
import { refundAnswerEventId, refundKey } from '../../domain/keys';
import { providers } from '../activities';
import { SYSTEM, type CaseRecord } from '../case-record';
import { isPatched } from '../features';
import { notifyStaffQueue } from '../notify';
import { meetStatutoryLimit } from '../statutory-limit';
import type { PaymentEvent } from '../../domain/workflow-contract';
import { applyConfirmedSettlement, applyPaymentEvent } from '../provider-events';

/** How the refund ended. */
export type RefundOutcome = 'succeeded' | 'failed';

/** What the provider answered to a refund request. */
export interface RefundAnswer {
  refundId: string;
  /** Absent in histories recorded before the activity returned it. */
  status?: 'pending' | 'succeeded' | 'failed';
}

/**
 * Where the refund of a case started before `order-ledger` differs inside the attempts
 * (workflows/legacy/order-ledger.ts); today's refund passes none.
 */
export interface AttemptsBeforeOrderLedger {
  /** Runs once the refund settled, before the stage returns; what it returns is awaited (nothing: no step). */
  afterSucceeded(attempt: number): Promise<void> | undefined;
}

/**
 * Waits for each attempt's settlement; a failed one is followed by a new refund (a new key) up to
 * the policy's attempts. `first` is the first attempt's answer when it was already requested (with
 * its ledger reservation); without it the first attempt is requested here, as the later ones are.
 * `record.refund` is `refund`, set by the caller with the first attempt's key.
 */
export async function settleAttempts(
  record: CaseRecord,
  refund: RefundView,
  reason: string,
  first: RefundAnswer | null,
  beforeOrderLedger?: AttemptsBeforeOrderLedger,
): Promise<RefundOutcome> {
  const outcome = await attemptsUntilSettled(record, refund, reason, first, beforeOrderLedger);
  if (record.abandonedRefunds.size > 0) keepRaisingGivenUpAttempts(record);
  return outcome;
}

/**
 * After the refund stage, the case still hears its given-up attempts until the workflow ends (the
 * survey window): a `succeeded` reported for one is looked up and raised like during the stage, so
 * money the provider paid never goes unrecorded while the case can still hear it (the API raises the
 * ones reported after the workflow ended). Patch given-up-attempts-watched, asked when such a report
 * first comes after the stage; a history that had one before the patch (nothing was done) replays so.
 */
function keepRaisingGivenUpAttempts(record: CaseRecord): void {
  void (async () => {
    for (;;) {
      await condition(() => record.abandonedReports.length > 0 || record.finished);
      const report = record.abandonedReports.shift();
      if (!report) return;
      if (isPatched('givenUpAttemptsWatched')) await raiseAbandonedAttemptPaid(record, report);
    }
  })();
}

async function attemptsUntilSettled(
  record: CaseRecord,
  refund: RefundView,
  reason: string,
  first: RefundAnswer | null,
  beforeOrderLedger?: AttemptsBeforeOrderLedger,
): Promise<RefundOutcome> {
  const { id, input, policy } = record;
  const { currency, paymentMethod } = input.request.order;
  const { amount } = refund;

  for (let attempt = 1; attempt <= policy.refund.maxAttempts; attempt++) {
    let answer: RefundAnswer;
    if (attempt === 1 && first) {
      answer = first;
    } else {
      refund.idempotencyKey = refundKey(id, attempt);
      refund.status = 'pending';
      delete refund.id;
      record.touch();
      answer = await providers.issueRefund.executeWithOptions({ summary: `refund ${amount} ${currency} minor units, attempt ${attempt}` }, [
        { caseId: id, orderId: input.request.orderId, amount, currency, paymentMethod, ...paymentChannelOf(input.request.order), reason, idempotencyKey: refund.idempotencyKey },
      ]);
    }
    const { refundId } = answer;
    refund.id = refundId;
    refund.status = 'requested';
    record.stopClock('processing');
    record.log(SYSTEM, 'refund.requested', { refundId, amount, attempt });
    // Asked before any report of this refund is applied; a case replaying an attempt waited before it keeps the old path.
    record.confirmsRefundReports = isPatched('refundReportsConfirmed');
    record.refundReports.length = 0;
    const early = record.earlySettlements.get(refundId);
    if (early) applyPaymentEvent(record, early);
    // Refunds before order-ledger never asked refund-settled-by-answer: they wait for the notification.
    if (!beforeOrderLedger) settleByAnswer(record, answer);

    if (record.confirmsRefundReports) await confirmedSettlement(record, refund, reason, attempt);
    else await record.waitUntil(() => refund.status === 'succeeded' || refund.status === 'failed');
    // Read afresh: the payment signal changed it while the stage waited.
    if (statusOf(refund) === 'succeeded') {
      record.stopClock('refund');
      meetStatutoryLimit(record);
      const told = beforeOrderLedger?.afterSucceeded(attempt);
      if (told) await told;
      return 'succeeded';
    }
    if (record.confirmsRefundReports && refund.id !== undefined) record.abandonedRefunds.add(refund.id);
    await notifyStaffQueue(record, 'refund_failed', `refund-failed-${attempt}`, { amount, attempt });
  }
  record.log(SYSTEM, 'refund.manual_action_required', { attempts: policy.refund.maxAttempts });
  await notifyStaffQueue(record, 'refund_manual_action', 'refund-manual');
  return 'failed';
}

/**
 * Waits until the provider's own record settles the refund (patch refund-reports-confirmed). Each
 * report (a callback, the reconciler's signal) is only a reason to look the refund up: paid with the
 * refund's amount settles it `succeeded`; failed settles it `failed` (the caller's next attempt);
 * pending changes nothing. Paid with another amount is recorded and left for a person (nothing
 * settles, the ledger is not committed; the case keeps waiting). A refund the provider does not know (Alipay's
 * query shows only paid refunds) or cannot look up is unknown: a reported failure is asked again
 * under the same key — never a new one — the staff queue is told once, and the case keeps waiting.
 * A provider's answer to our own request (Alipay's `fund_change=Y`) is its record and settles as before.
 */
async function confirmedSettlement(record: CaseRecord, refund: RefundView, reason: string, attempt: number): Promise<void> {
  const { id, input } = record;
  const { currency, paymentMethod } = input.request.order;
  // Each kind of doubt is raised to a person once per attempt.
  const raised = new Set<'amount' | 'unknown'>();
  for (;;) {
    await record.waitUntil(() => isSettled(refund) || record.refundReports.length > 0 || record.abandonedReports.length > 0);
    if (isSettled(refund)) return;
    const abandoned = record.abandonedReports.shift();
    if (abandoned) {
      await raiseAbandonedAttemptPaid(record, abandoned);
      continue;
    }
    // One look-up answers every report received meanwhile (a flood of forged reports costs one query).
    const report = record.refundReports[record.refundReports.length - 1];
    record.refundReports.length = 0;
    const refundId = refund.id as string;
    const found = await providers.lookUpRefund.executeWithOptions({ summary: `look up refund attempt ${attempt} (reported ${report.status}) at the provider` }, [
      { orderId: input.request.orderId, refundId, idempotencyKey: refund.idempotencyKey, paymentMethod, ...paymentChannelOf(input.request.order) },
    ]);
    if (isSettled(refund)) return;
    if (found.status === 'pending') continue;
    if (found.status === 'failed' || (found.status === 'succeeded' && found.amount === refund.amount)) {
      applyConfirmedSettlement(record, report, found.status);
      return;
    }
    if (found.status === 'succeeded') {
      // Money went out, but not this refund's amount: nothing is settled or committed on that word.
      if (!raised.has('amount')) {
        raised.add('amount');
        record.log(SYSTEM, 'refund.manual_action_required', { reason: 'provider_amount_differs', refundId, amount: refund.amount, providerAmount: found.amount ?? null });
        await notifyStaffQueue(record, 'refund_amount_differs', `refund-amount-differs-${attempt}`, { amount: refund.amount, providerAmount: found.amount ?? null, attempt });
      }
      continue;
    }
    // Unknown at the provider: the same request again (the provider's key makes it the same refund), never a new key.
    if (report.status === 'failed') {
      const again = await providers.issueRefund.executeWithOptions({ summary: `refund ${refund.amount} ${currency} minor units, attempt ${attempt} asked again (same key)` }, [
        { caseId: id, orderId: input.request.orderId, amount: refund.amount, currency, paymentMethod, ...paymentChannelOf(input.request.order), reason, idempotencyKey: refund.idempotencyKey },
      ]);
      if (again.refundId === refundId) settleByAnswer(record, again);
    }
    if (!raised.has('unknown') && !isSettled(refund)) {
      raised.add('unknown');
      record.log(SYSTEM, 'refund.manual_action_required', { reason: 'settlement_unconfirmed', refundId, reported: report.status, provider: found.status });
      await notifyStaffQueue(record, 'refund_unconfirmed', `refund-unconfirmed-${attempt}`, { amount: refund.amount, attempt, reported: report.status });
    }
  }
}

/**
 * A provider's `succeeded` for an attempt the case gave up on a confirmed failure: looked up, and
 * when the provider's record says it paid, recorded as money out and raised to a person (the
 * ledger and the provider must never disagree silently). The current attempt goes on.
 */
async function raiseAbandonedAttemptPaid(record: CaseRecord, report: PaymentEvent): Promise<void> {
  const { input } = record;
  const found = await providers.lookUpRefund.executeWithOptions({ summary: 'look up a given-up refund attempt reported paid' }, [
    { orderId: input.request.orderId, refundId: report.refundId, paymentMethod: input.request.order.paymentMethod, ...paymentChannelOf(input.request.order) },
  ]);
  if (found.status !== 'succeeded') return;
  record.log(SYSTEM, 'refund.manual_action_required', { reason: 'abandoned_attempt_paid', refundId: report.refundId, providerAmount: found.amount ?? null });
  await notifyStaffQueue(record, 'refund_abandoned_attempt_paid', `refund-abandoned-paid-${report.refundId}`, { refundId: report.refundId, providerAmount: found.amount ?? null });
}

/** True once the refund settled (a signal handler or an answer changes it while the stage waits). */
function isSettled(refund: RefundView): boolean {
  const status = statusOf(refund);
  return status === 'succeeded' || status === 'failed';
}

/** The order's payment channel as an activity argument: none when the order does not say (the argument then stays as histories recorded it). */
export function paymentChannelOf(order: OrderFacts): { paymentChannel?: PaymentChannel } {
  return order.paymentChannel === undefined ? {} : { paymentChannel: order.paymentChannel };
}

/**
 * A provider that answers a refund as paid (Alipay's `fund_change=Y`) has paid it: the case settles
 * now, as if the notification had come (a notification that follows is a repeat and changes nothing).
 * A `failed` answer still waits for the provider's word, as before. Patch `refund-settled-by-answer`,
 * asked only when such an answer comes; its old path waits for the notification.
 */
function settleByAnswer(record: CaseRecord, answer: RefundAnswer): void {
  if (answer.status !== 'succeeded' || !isPatched('refundSettledByAnswer')) return;
  const at = new Date(record.now()).toISOString();
  applyPaymentEvent(record, { eventId: refundAnswerEventId(answer.refundId), refundId: answer.refundId, status: 'succeeded', at });
}

/** The refund's status as it is now (a signal handler changes it while a stage waits). */
function statusOf(refund: RefundView): RefundView['status'] {
  return refund.status;
}
