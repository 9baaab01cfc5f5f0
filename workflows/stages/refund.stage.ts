import type { OrderFacts, PaymentChannel, RefundView } from '../../domain/case.types';
import { ledgerMovementKey, refundAnswerEventId, refundKey } from '../../domain/keys';
import type { CaseRecord } from '../case-record';
import { SYSTEM } from '../case-record';
import { patched } from '@temporalio/workflow';
import { providers } from '../activities';
import { Features } from '../features';
import { rememberReservation, reservationInput, reserveMoney, settleReservation } from '../money';
import { applyPaymentEvent } from '../provider-events';
import { notifyCustomer, notifyStaffQueue } from '../notify';

/** How the refund ended. */
export type RefundOutcome = 'succeeded' | 'failed';

/** What a case pays back. */
export interface RefundRequest {
  /** What the case owes, in minor units, before the ledger caps it. */
  amount: number;
  /** Why, in a few words (sent to the payment provider; no personal data). */
  reason: string;
  /** Shipping fee already taken off `amount`, shown on the refund. */
  deduction?: number;
  /** Price (refund of goods), compensation (a complaint), or collected money going back (a repair quote). Default refund. */
  kind?: NonNullable<RefundView['kind']>;
  /** True when goods come back with the money: the lines' units count as returned. Default true for `refund`. */
  withUnits?: boolean;
}

/**
 * Pays money back to the original payment method under the refund clock.
 *
 * Since `order-ledger` (workflows/features.ts) the amount is first reserved on the order-line
 * ledger, which grants at most what the lines may still pay back: a claim on a line already paid
 * back is capped, or closes the case `rejected` when nothing is left. A refund of 0 (a claim no
 * larger than its deduction) is recorded and never sent. The reservation is committed when the
 * provider confirms and released when every attempt failed.
 *
 * Each attempt's idempotency key is fixed before the first call, so a retried activity never pays
 * twice; a settlement that fails starts a new attempt (a new refund) up to the policy's limit. The
 * processing clock stops when the refund is issued; the refund clock when it settles.
 */
export async function refundStage(record: CaseRecord, request: RefundRequest): Promise<RefundOutcome> {
  if (!record.features.orderLedger) return refundWithoutLedger(record, request);
  const { id, input } = record;
  const { currency } = input.request.order;
  const kind = request.kind ?? 'refund';
  const ledgerKey = ledgerMovementKey(id, kind);
  const deduction = request.deduction ? { deduction: request.deduction } : {};

  if (request.amount <= 0) {
    // Nothing is paid, but goods that came back still count as returned on their lines.
    const withUnits = request.withUnits ?? kind === 'refund';
    if (withUnits) {
      await reserveMoney(record, { key: ledgerKey, kind, amount: 0, withUnits });
      await settleReservation(record, ledgerKey, 'committed');
    }
    record.refund = { amount: 0, currency, status: 'succeeded', idempotencyKey: ledgerKey, method: 'original_path', kind, ...deduction };
    record.stopClock('processing');
    record.log(SYSTEM, 'refund.zero', { note: 'nothing to pay back after the deduction; no refund was sent', ...deduction });
    return 'succeeded';
  }

  // Set before the reservation: from here on the money is under way and the case cannot be cancelled.
  record.refund = { amount: request.amount, currency, status: 'pending', idempotencyKey: refundKey(id, 1), method: 'original_path', kind, ...deduction };
  record.transition('refunding', SYSTEM, 'refund.approved', { amount: request.amount, currency });
  record.startClock('refund');
  const refund = record.refund;
  const movement = { key: ledgerKey, kind, amount: request.amount, withUnits: request.withUnits ?? kind === 'refund' };
  const { paymentMethod } = input.request.order;
  const channel = paymentChannelOf(input.request.order);

  // The first attempt reserves and asks the provider in one activity (one round trip on the happy path).
  const first = await providers.reserveAndRefund.executeWithOptions({ summary: `ledger-reserved refund ${request.amount} ${currency} minor units, attempt 1` }, [
    { reservation: reservationInput(record, movement), refund: { caseId: id, orderId: input.request.orderId, currency, paymentMethod, ...channel, reason: request.reason, idempotencyKey: refund.idempotencyKey } },
  ]);
  rememberReservation(record, ledgerKey, first.lines);
  if (first.granted === 0 || first.refundId === null) {
    record.refund = null;
    await notifyStaffQueue(record, 'refund_nothing_refundable', 'refund-nothing-refundable', { requested: request.amount });
    record.end('rejected', SYSTEM, 'refund.nothing_refundable', {
      requested: request.amount,
      note: 'these order lines have already been paid back in full by other cases',
    });
  }
  if (first.granted < request.amount) {
    refund.requested = request.amount;
    record.log(SYSTEM, 'refund.capped', { requested: request.amount, granted: first.granted, note: 'the order lines had less left to pay back than the claim' });
  }
  refund.amount = first.granted;

  const outcome = await settleAttempts(record, refund, request.reason, { refundId: first.refundId, status: first.status });
  await settleReservation(record, ledgerKey, outcome === 'succeeded' ? 'committed' : 'released');
  return outcome;
}

/**
 * Waits for each attempt's settlement; a failed one is followed by a new refund (a new key) up to
 * the policy's attempts. The first attempt's refund was already requested (its id is given).
 */
async function settleAttempts(record: CaseRecord, refund: RefundView, reason: string, firstAnswer: RefundAnswer): Promise<RefundOutcome> {
  const { id, input, policy } = record;
  const { currency, paymentMethod } = input.request.order;
  const { amount } = refund;

  for (let attempt = 1; attempt <= policy.refund.maxAttempts; attempt++) {
    let answer = firstAnswer;
    if (attempt > 1) {
      refund.idempotencyKey = refundKey(id, attempt);
      refund.status = 'pending';
      delete refund.id;
      record.touch();
      const issued = await providers.issueRefund.executeWithOptions({ summary: `refund ${amount} ${currency} minor units, attempt ${attempt}` }, [
        { caseId: id, orderId: input.request.orderId, amount, currency, paymentMethod, ...paymentChannelOf(input.request.order), reason, idempotencyKey: refund.idempotencyKey },
      ]);
      answer = issued;
    }
    const { refundId } = answer;
    refund.id = refundId;
    refund.status = 'requested';
    record.stopClock('processing');
    record.log(SYSTEM, 'refund.requested', { refundId, amount, attempt });
    const early = record.earlySettlements.get(refundId);
    if (early) applyPaymentEvent(record, early);
    settleByAnswer(record, answer);

    await record.waitUntil(() => refund.status === 'succeeded' || refund.status === 'failed');
    // Read afresh: the payment signal changed it while the stage waited.
    if (statusOf(refund) === 'succeeded') {
      record.stopClock('refund');
      return 'succeeded';
    }
    await notifyStaffQueue(record, 'refund_failed', `refund-failed-${attempt}`, { amount, attempt });
  }
  record.log(SYSTEM, 'refund.manual_action_required', { attempts: policy.refund.maxAttempts });
  await notifyStaffQueue(record, 'refund_manual_action', 'refund-manual');
  return 'failed';
}

/** Cases started before `order-ledger`: the refund as their histories recorded it, without the ledger. */
async function refundWithoutLedger(record: CaseRecord, request: RefundRequest): Promise<RefundOutcome> {
  const { id, input, policy } = record;
  const { amount, reason, deduction = 0 } = request;
  const { currency, paymentMethod } = input.request.order;
  record.transition('refunding', SYSTEM, 'refund.approved', { amount, currency });
  record.startClock('refund');

  for (let attempt = 1; attempt <= policy.refund.maxAttempts; attempt++) {
    const idempotencyKey = refundKey(id, attempt);
    record.refund = { amount, currency, status: 'pending', idempotencyKey, method: 'original_path', ...(deduction ? { deduction } : {}) };
    record.touch();
    const issued = await providers.issueRefund.executeWithOptions({ summary: `refund ${amount} ${currency} minor units, attempt ${attempt}` }, [
      { caseId: id, orderId: input.request.orderId, amount, currency, paymentMethod, ...paymentChannelOf(input.request.order), reason, idempotencyKey },
    ]);
    record.refund.id = issued.refundId;
    record.refund.status = 'requested';
    record.stopClock('processing');
    record.log(SYSTEM, 'refund.requested', { refundId: issued.refundId, amount, attempt });
    const early = record.earlySettlements.get(issued.refundId);
    if (early) applyPaymentEvent(record, early);

    const refund = record.refund;
    await record.waitUntil(() => refund.status === 'succeeded' || refund.status === 'failed');
    if (refund.status === 'succeeded') {
      record.stopClock('refund');
      // The case closes right after a settled refund (every caller returns): since `lean-history`
      // the closing message tells the customer the amount, one message instead of two.
      if (!record.features.leanHistory) await notifyCustomer(record, 'refund_succeeded', `refund-succeeded-${attempt}`, { amount, currency });
      return 'succeeded';
    }
    await notifyStaffQueue(record, 'refund_failed', `refund-failed-${attempt}`, { amount, attempt });
  }
  record.log(SYSTEM, 'refund.manual_action_required', { attempts: policy.refund.maxAttempts });
  await notifyStaffQueue(record, 'refund_manual_action', 'refund-manual');
  return 'failed';
}

/** The order's payment channel as an activity argument: none when the order does not say (the argument then stays as histories recorded it). */
function paymentChannelOf(order: OrderFacts): { paymentChannel?: PaymentChannel } {
  return order.paymentChannel === undefined ? {} : { paymentChannel: order.paymentChannel };
}

/** What the provider answered to a refund request. */
interface RefundAnswer {
  refundId: string;
  /** Absent in histories recorded before the activity returned it. */
  status?: 'pending' | 'succeeded' | 'failed';
}

/**
 * A provider that answers a refund as paid (Alipay's `fund_change=Y`) has paid it: the case settles
 * now, as if the notification had come (a notification that follows is a repeat and changes nothing).
 * A `failed` answer still waits for the provider's word, as before.
 */
function settleByAnswer(record: CaseRecord, answer: RefundAnswer): void {
  if (answer.status !== 'succeeded' || !patched(Features.refundSettledByAnswer)) return;
  const at = new Date(record.now()).toISOString();
  applyPaymentEvent(record, { eventId: refundAnswerEventId(answer.refundId), refundId: answer.refundId, status: 'succeeded', at });
}

/** The refund's status as it is now (a signal handler changes it while a stage waits). */
function statusOf(refund: RefundView): RefundView['status'] {
  return refund.status;
}
