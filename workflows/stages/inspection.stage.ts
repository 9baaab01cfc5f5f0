import type { Actor } from '../../domain/case.types';
import { claimedAmount } from '../../domain/eligibility';
import { CaseClosed, type CaseRecord } from '../case-record';
import { sendParcel } from './ship-to-customer.stage';

/** What the warehouse decided: refund this amount, or reject the return. */
export type InspectionVerdict = { actor: Actor; passed: boolean; note?: string } & ({ refund: true; amount: number; deduction: number } | { refund: false });

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
    return { actor, passed: true, refund: true, amount, deduction: refundAmount === undefined ? deduction : 0, note };
  }
  if (refundAmount !== undefined && refundAmount > 0) {
    record.log(actor, 'inspection.failed_partial_refund', { amount: refundAmount, note });
    record.ack(seq);
    return { actor, passed: false, refund: true, amount: refundAmount, deduction: 0, note };
  }
  record.log(actor, 'inspection.failed', { note });
  record.ack(seq);
  return { actor, passed: false, refund: false, note };
}

/** The return shipping fee deducted from the refund, when the customer pays shipping and policy deducts it. */
export function shippingDeduction(record: CaseRecord): number {
  const { shipping } = record.policy;
  return record.input.eligibility.customerPaysShipping && shipping.deductFromRefund ? shipping.returnShippingFee : 0;
}

/** Rejects the case after a failed inspection and sends the goods back at the customer's cost (domain.md: inspection failure). */
export async function rejectAfterInspection(record: CaseRecord, verdict: InspectionVerdict): Promise<never> {
  record.close('rejected', verdict.actor, 'inspection.rejected', { note: verdict.note ?? null });
  await sendParcel(record, 'return_to_customer', record.input.request.items);
  throw new CaseClosed();
}
