/**
 * Old paths of patch `order-ledger` (workflows/features.ts `Features.orderLedger`).
 *
 * Which cases run them: those whose history has no `order-ledger` marker and whose input has no
 * `featureLevel` — cases started before that patch's deploy (archived histories
 * test/replay/histories/gen1-before-lean-history/ and gen2-before-order-ledger/). They pay back
 * the full claim without the ledger, collect nothing, refund the price of any unrepairable item,
 * take any alternative item as it is, and close a complaint by a cancel without a resolution.
 *
 * When this file may go: once `npx tsx scripts/patch-holdouts.ts --started-before <deploy of order-ledger>`
 * counts 0 (docs/workflow-versioning.md, "A new patch: the rule"). Then `caseFeatures()` calls
 * `deprecated('orderLedger')` instead of asking, this file and the gen1/gen2 histories are deleted,
 * and the compiler shows every call site of `beforeOrderLedger`, each of which keeps its current
 * branch. (The command table's refusals take the flag as a parameter, `ruleFeatures` in
 * case-runtime.ts → `CommandRuleFeatures` in domain/case-commands.ts: a refused command records
 * nothing, so they lose the flag at the same time.)
 */
import type { RefundView } from '../../domain/case.types';
import { refundKey } from '../../domain/keys';
import { SYSTEM, type CaseRecord } from '../case-record';
import { settleAttempts, type RefundOutcome } from '../stages/refund-attempts';
import type { RefundRequest } from '../stages/refund.stage';
import { notifyRefundSucceeded } from './lean-history';

/** True for a case started before `order-ledger`: it runs the old paths (the call sites say which). */
export function beforeOrderLedger(record: CaseRecord): boolean {
  return !record.features.orderLedger;
}

/**
 * The refund before `order-ledger`: the whole amount, no reservation, each attempt requested with
 * `issueRefund` and never settled by the provider's answer; a refund of 0 is sent like any other.
 * The attempts are today's (`settleAttempts`); before `lean-history` a settled refund also had
 * its own message. Not `async`: the stage gets `settleAttempts`'s own promise and returns when
 * it did inline.
 */
export function refundBeforeOrderLedger(record: CaseRecord, request: RefundRequest): Promise<RefundOutcome> {
  const { amount, reason, deduction = 0 } = request;
  const { currency } = record.input.request.order;
  record.transition('refunding', SYSTEM, 'refund.approved', { amount, currency });
  record.startClock('refund');
  // No `kind`, and a deduction only when there is one: the refund as these cases showed it.
  const refund: RefundView = { amount, currency, status: 'pending', idempotencyKey: refundKey(record.id, 1), method: 'original_path', ...(deduction ? { deduction } : {}) };
  record.refund = refund;
  return settleAttempts(record, refund, reason, null, { afterSucceeded: (attempt) => notifyRefundSucceeded(record, refund, attempt) });
}
