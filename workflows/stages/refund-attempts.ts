import type { OrderFacts, PaymentChannel, RefundView } from '../../domain/case.types';
import { refundAnswerEventId, refundKey } from '../../domain/keys';
import { providers } from '../activities';
import { SYSTEM, type CaseRecord } from '../case-record';
import { isPatched } from '../features';
import { notifyStaffQueue } from '../notify';
import { applyPaymentEvent } from '../provider-events';

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
    const early = record.earlySettlements.get(refundId);
    if (early) applyPaymentEvent(record, early);
    // Refunds before order-ledger never asked refund-settled-by-answer: they wait for the notification.
    if (!beforeOrderLedger) settleByAnswer(record, answer);

    await record.waitUntil(() => refund.status === 'succeeded' || refund.status === 'failed');
    // Read afresh: the payment signal changed it while the stage waited.
    if (statusOf(refund) === 'succeeded') {
      record.stopClock('refund');
      const told = beforeOrderLedger?.afterSucceeded(attempt);
      if (told) await told;
      return 'succeeded';
    }
    await notifyStaffQueue(record, 'refund_failed', `refund-failed-${attempt}`, { amount, attempt });
  }
  record.log(SYSTEM, 'refund.manual_action_required', { attempts: policy.refund.maxAttempts });
  await notifyStaffQueue(record, 'refund_manual_action', 'refund-manual');
  return 'failed';
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
