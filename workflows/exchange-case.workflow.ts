import { claimedAmount } from '../domain/eligibility';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import type { CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { beforeOrderLedger } from './legacy/order-ledger';
import { SYSTEM } from './case-record';
import { collectionStage } from './stages/collection.stage';
import { customerPaysTheLabel, inspectionStage, rejectAfterInspection } from './stages/inspection.stage';
import { refundStage, type RefundRequest } from './stages/refund.stage';
import { replacementStage } from './stages/replacement.stage';
import { returnShipmentStage } from './stages/return-shipment.stage';
import { reviewStage } from './stages/review.stage';
import { customerConfirmationStage } from './stages/ship-to-customer.stage';

/** An exchange (换货): as a return until inspection, then a replacement of the same model and price, confirmed by the customer. */
export async function exchangeCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { run: runExchange });
}

async function runExchange(record: CaseRecord): Promise<void> {
  await reviewStage(record, 'awaiting_return_shipment');
  await returnShipmentStage(record);
  const verdict = await inspectionStage(record);
  if (!verdict.passed) return rejectAfterInspection(record, verdict);
  const claimed = claimedAmount(record.input.request);

  // A change-of-mind exchange: the customer pays the return shipping (not asked of cases started
  // before order-ledger); unpaid, the exchange becomes a refund with the fee deducted instead.
  const fee = !beforeOrderLedger(record) && customerPaysTheLabel(record) ? record.policy.shipping.returnShippingFee : 0;
  if (fee > 0 && (await collectionStage(record, 'return_shipping', fee)) === 'unpaid') {
    record.log(SYSTEM, 'exchange.became_refund', { reason: 'return shipping not paid', deduction: fee });
    return refundInstead(record, { amount: Math.max(0, claimed - fee), reason: 'exchange: return shipping not paid', deduction: fee, withUnits: true });
  }

  const replacement = await replacementStage(record, record.input.request.items);
  if (replacement === 'shipped') {
    await customerConfirmationStage(record);
    // An alternative cheaper than the item returned: the difference goes back to the customer.
    const owed = record.outcome.priceDifference?.owedToCustomer;
    if (owed) await refundInstead(record, { amount: owed, reason: 'exchange: price difference', withUnits: false });
    return;
  }
  // The shop could not deliver the exchange, so the customer gets the whole claim back.
  return refundInstead(record, { amount: claimed, reason: 'exchange out of stock', withUnits: true });
}

async function refundInstead(record: CaseRecord, request: RefundRequest): Promise<void> {
  const outcome = await refundStage(record, request);
  if (outcome === 'failed') await record.waitForClosing();
}
