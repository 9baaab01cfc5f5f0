import type { Actor, ClockName } from '../domain/case.types';
import { deliveryReadAtOpening } from '../domain/delivery-check';
import { claimedAmount } from '../domain/eligibility';
import type { CaseRecord } from './case-record';
import { readDeliveryAgain } from './delivery-check';
import { isPatched } from './features';
import { notifyStaffQueue } from './notify';

const AUTO_ACTION: Actor = { kind: 'system', id: 'sla-auto-action' };
const CUSTOMER_TIMEOUT: Actor = { kind: 'system', id: 'customer-timeout' };

/**
 * "Merchant timeout → auto-agree": a review that breaches on a refund below the policy amount is
 * approved by the system, and the timeline says so. Late quality claims (manual evaluation) never are.
 * The order's delivery is read again first (cases opened on the order source's facts): only the
 * delivery the case was opened on lets the system approve; any other answer withholds the approval (`auto_action.review_withheld`) and
 * the staff queue is told — the review stays with a person. Cases that auto-approved before the
 * patch approved without the read, in the same step, and replay that way.
 */
export async function autoApproveReviewOnBreach(record: CaseRecord, clock: ClockName): Promise<void> {
  if (!awaitingReview(record, clock)) return;
  const rule = record.policy.autoActions.approveReviewOnBreachBelow;
  if (!rule || record.input.eligibility.manualEvaluation) return;
  const amount = claimedAmount(record.input.request);
  if (record.input.request.order.currency !== rule.currency || amount >= rule.amount) return;
  const approval = { rule: 'merchant timeout → auto-agree', amount, below: rule.amount };
  if (deliveryReadAtOpening(record.input.request) && isPatched('deliveryReadBeforeMoney')) {
    const { check, facts } = await readDeliveryAgain(record, 'an automatic approval');
    // A person may have decided (or the customer been asked) while the source was read.
    if (!awaitingReview(record, clock)) return;
    if (check !== 'confirmed') {
      record.log(AUTO_ACTION, 'auto_action.review_withheld', { ...approval, check, ...facts });
      await notifyStaffQueue(record, 'auto_approval_withheld', 'auto-approval-withheld', { check });
      return;
    }
    record.log(AUTO_ACTION, 'auto_action.review_approved', { ...approval, deliveryReadAt: facts.readAt });
  } else {
    record.log(AUTO_ACTION, 'auto_action.review_approved', approval);
  }
  record.enqueue('review', { actor: AUTO_ACTION, decision: 'approve', note: 'approved automatically: the review SLA breached' });
}

/** The review clock breached while the case still waits for its review and no decision is queued. */
function awaitingReview(record: CaseRecord, clock: ClockName): boolean {
  return clock === 'review' && record.status === 'awaiting_review' && !record.hasQueued('review') && !record.closed;
}

/**
 * A customer clock ran out: the system gives the default answer the policy implies — receipt is
 * confirmed, a quote is declined, a stock decision falls back to the refund — or, when the case
 * cannot go on without the customer (no parcel shipped, no information given), it expires.
 */
export function answerCustomerTimeout(record: CaseRecord, clock: ClockName): void {
  const actor = CUSTOMER_TIMEOUT;
  switch (clock) {
    case 'customer_confirmation':
      record.enqueue('confirmReceipt', { actor });
      return;
    case 'quote_acceptance':
      record.enqueue('quote', { actor, accept: false });
      return;
    case 'stock_decision':
      record.enqueue('stockDecision', { actor, decision: 'refund' });
      return;
    default:
      record.enqueue('expire', { actor, clock });
  }
}
