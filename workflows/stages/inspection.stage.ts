import type { Actor } from '../../domain/case.types';
import { claimedAmount } from '../../domain/eligibility';
import type { CaseRecord } from '../case-record';

/** What the warehouse decided: refund this amount, or reject the return. */
export type InspectionVerdict = { actor: Actor; note?: string } & ({ refund: true; amount: number } | { refund: false });

/**
 * The warehouse inspects the returned goods. Pass refunds the claim (less the return shipping
 * fee when the customer pays it and policy deducts it); fail with an amount is a partial
 * refund; fail without one rejects the return.
 */
export async function inspectionStage(record: CaseRecord): Promise<InspectionVerdict> {
  const { seq, command } = await record.nextCommand(['inspection']);
  const { actor, result, note, refundAmount } = command;
  record.outcome.inspection = { result, note: note ?? null, refundAmount: refundAmount ?? null, by: actor.id };
  const claimed = claimedAmount(record.input.request);

  if (result === 'pass') {
    const deduction = shippingDeduction(record);
    const amount = refundAmount ?? Math.max(0, claimed - deduction);
    record.log(actor, 'inspection.passed', { amount, deduction, ...(note ? { note } : {}) });
    record.ack(seq);
    return { actor, refund: true, amount, note };
  }
  if (refundAmount !== undefined && refundAmount > 0) {
    record.log(actor, 'inspection.failed_partial_refund', { amount: refundAmount, note });
    record.ack(seq);
    return { actor, refund: true, amount: refundAmount, note };
  }
  record.log(actor, 'inspection.failed', { note });
  record.ack(seq);
  return { actor, refund: false, note };
}

/** The return shipping fee deducted from the refund, when the customer pays shipping and policy deducts it. */
export function shippingDeduction(record: CaseRecord): number {
  const { shipping } = record.policy;
  return record.input.eligibility.customerPaysShipping && shipping.deductFromRefund ? shipping.returnShippingFee : 0;
}

/** Checks an inspection's partial refund against the claim; returns the problem or null. */
export function inspectionProblem(record: CaseRecord, refundAmount: number | undefined): string | null {
  if (refundAmount === undefined) return null;
  const claimed = claimedAmount(record.input.request);
  if (!Number.isInteger(refundAmount) || refundAmount <= 0) return 'refundAmount must be a positive integer in minor units';
  if (refundAmount > claimed) return `refundAmount ${refundAmount} exceeds the claimed amount ${claimed}`;
  return null;
}
