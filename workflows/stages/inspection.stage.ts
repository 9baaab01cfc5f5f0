import type { Actor } from '../../domain/case.types';
import { claimedAmount } from '../../domain/eligibility';
import { CaseClosed, type CaseRecord } from '../case-record';
import { beforeOrderLedger } from '../legacy/order-ledger';
import { notifyCustomer } from '../notify';
import { collectionStage } from './collection.stage';
import { sendParcel } from './ship-to-customer.stage';

/** What the warehouse decided: refund this amount, or reject the return. */
export type InspectionVerdict = { actor: Actor; passed: boolean; note?: string } & ({ refund: true; amount: number; deduction: number } | { refund: false });

/**
 * The warehouse inspects the returned goods. Pass refunds the claim (less the return shipping
 * fee when the customer pays it and policy deducts it); fail with an amount is a partial
 * refund; fail without one rejects the return.
 */
export async function inspectionStage(record: CaseRecord): Promise<InspectionVerdict> {
  return record.takeCommand(['inspection'], ({ command }): InspectionVerdict => {
    const { actor, result, note, refundAmount } = command;
    record.outcome.inspection = { result, note: note ?? null, refundAmount: refundAmount ?? null, by: actor.id };
    const claimed = claimedAmount(record.input.request);

    if (result === 'pass') {
      const deduction = shippingDeduction(record);
      const amount = refundAmount ?? Math.max(0, claimed - deduction);
      record.log(actor, 'inspection.passed', { amount, deduction, ...(note ? { note } : {}) });
      return { actor, passed: true, refund: true, amount, deduction: refundAmount === undefined ? deduction : 0, note };
    }
    if (refundAmount !== undefined && refundAmount > 0) {
      record.log(actor, 'inspection.failed_partial_refund', { amount: refundAmount, note });
      return { actor, passed: false, refund: true, amount: refundAmount, deduction: 0, note };
    }
    record.log(actor, 'inspection.failed', { note });
    return { actor, passed: false, refund: false, note };
  });
}

/** The return shipping fee deducted from the refund, when the customer pays for the shop's label and policy deducts it. */
export function shippingDeduction(record: CaseRecord): number {
  const { shipping } = record.policy;
  return customerPaysTheLabel(record) && shipping.deductFromRefund ? shipping.returnShippingFee : 0;
}

/**
 * True when the customer owes the return label's fee: a change-of-mind reason, and the parcel went
 * on the shop's label. A customer who sent it by their own courier has paid that courier already:
 * charging the label too would make them pay twice.
 */
export function customerPaysTheLabel(record: CaseRecord): boolean {
  return record.input.eligibility.customerPaysShipping && record.returnParcel?.sent?.via !== 'own_courier';
}

/**
 * Rejects the case after a failed inspection and sends the goods back at the customer's cost.
 * The send-back fee is collected first; unpaid, the warehouse holds the goods and the case closes
 * rejected saying so (docs/business-rules.md#what-the-customer-pays). A case started before
 * `order-ledger` sends them back without asking.
 */
export async function rejectAfterInspection(record: CaseRecord, verdict: InspectionVerdict): Promise<never> {
  const fee = record.policy.shipping.sendBackFee;
  if (!beforeOrderLedger(record) && (await collectionStage(record, 'send_back_shipping', fee)) === 'unpaid') {
    record.outcome.goodsHeld = true;
    record.close('rejected', verdict.actor, 'inspection.rejected', { note: verdict.note ?? null, goods: 'held until the send-back fee is paid' });
    await notifyCustomer(record, 'goods_held', 'goods-held', { fee, currency: record.input.request.order.currency });
    throw new CaseClosed();
  }
  record.close('rejected', verdict.actor, 'inspection.rejected', { note: verdict.note ?? null });
  await sendParcel(record, 'return_to_customer', record.input.request.items);
  throw new CaseClosed();
}
