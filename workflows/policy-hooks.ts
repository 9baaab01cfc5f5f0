import type { Actor, ClockName } from '../domain/case.types';
import { claimedAmount } from '../domain/eligibility';
import type { CaseRecord } from './case-record';

const AUTO_ACTION: Actor = { kind: 'system', id: 'sla-auto-action' };

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

/** A customer clock ran out with no default answer: the case ends as expired. */
export function expireOnCustomerTimeout(record: CaseRecord, clock: ClockName): void {
  record.enqueue('expire', { actor: { kind: 'system', id: 'sla' }, clock });
}
