import type { Actor, ClockName } from '../domain/case.types';
import { claimedAmount } from '../domain/eligibility';
import type { CaseRecord } from './case-record';

const AUTO_ACTION: Actor = { kind: 'system', id: 'sla-auto-action' };
const CUSTOMER_TIMEOUT: Actor = { kind: 'system', id: 'customer-timeout' };

/**
 * "Merchant timeout → auto-agree": a review that breaches on a refund below the policy amount is
 * approved by the system, and the timeline says so. Late quality claims (manual evaluation) never are.
 */
export function autoApproveReviewOnBreach(record: CaseRecord, clock: ClockName): void {
  if (clock !== 'review' || record.status !== 'awaiting_review' || record.hasQueued('review')) return;
  const rule = record.policy.autoActions.approveReviewOnBreachBelow;
  if (!rule || record.input.eligibility.manualEvaluation) return;
  const amount = claimedAmount(record.input.request);
  if (record.input.request.order.currency !== rule.currency || amount >= rule.amount) return;
  record.log(AUTO_ACTION, 'auto_action.review_approved', { rule: 'merchant timeout → auto-agree', amount, below: rule.amount });
  record.enqueue('review', { actor: AUTO_ACTION, decision: 'approve', note: 'approved automatically: the review SLA breached' });
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
