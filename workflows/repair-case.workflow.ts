import { claimedAmount } from '../domain/eligibility';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import { SYSTEM, type CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { beforeOrderLedger } from './legacy/order-ledger';
import { collectionStage } from './stages/collection.stage';
import { refundStage } from './stages/refund.stage';
import { quoteStage, repairStage } from './stages/repair.stage';
import { replacementStage } from './stages/replacement.stage';
import { returnShipmentStage } from './stages/return-shipment.stage';
import { reviewStage } from './stages/review.stage';
import { customerConfirmationStage, shipToCustomerStage } from './stages/ship-to-customer.stage';

/**
 * A repair (维修): free in warranty, otherwise after a quote the customer accepts and pays; the
 * item goes to the repair center, is repaired and verified (again on failure, up to the policy
 * limit), and comes back. Unrepairable in warranty, it is exchanged or
 * refunded as the policy says; unrepairable out of warranty or after human damage, the item comes
 * back and only the quote is refunded — never the price.
 */
export async function repairCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { run: runRepair });
}

async function runRepair(record: CaseRecord): Promise<void> {
  const inWarranty = record.input.eligibility.inWarranty !== false;
  // Out of warranty, or human damage found at review: a paid repair after a quote.
  const paid = (approval: { humanDamage?: boolean }) => !inWarranty || approval.humanDamage === true;
  const approval = await reviewStage(record, (a) => (paid(a) ? 'awaiting_quote_acceptance' : 'awaiting_return_shipment'));
  const paidRepair = paid(approval);
  if (paidRepair) await quoteStage(record);
  const quote = record.policy.repair.paidRepairQuote;
  // A case started before order-ledger does not collect the quote and, unrepairable, is exchanged or refunded as in warranty.
  const collectsQuote = paidRepair && !beforeOrderLedger(record);
  if (collectsQuote) {
    // Collected before the customer sends the item in: an unpaid quote ends the case before anything ships.
    if ((await collectionStage(record, 'repair_quote', quote)) === 'unpaid') {
      record.end('cancelled', SYSTEM, 'repair.quote_unpaid', { note: 'the repair quote was not paid in time' });
    }
    record.transition('awaiting_return_shipment', SYSTEM, 'repair.quote_paid', { amount: quote });
  }

  await returnShipmentStage(record, 'repairing');
  const items = record.input.request.items;
  if ((await repairStage(record)) === 'repaired') {
    await shipToCustomerStage(record, 'repair_return', items);
    await customerConfirmationStage(record);
    return;
  }

  if (collectsQuote) return returnUnrepaired(record, quote);
  if (record.policy.repair.unrepairableOutcome === 'exchange' && (await replacementStage(record, items)) === 'shipped') {
    await customerConfirmationStage(record);
    // A cheaper alternative approved by staff: the difference goes back to the customer.
    const owed = record.outcome.priceDifference?.owedToCustomer;
    if (owed) {
      const refunded = await refundStage(record, { amount: owed, reason: 'repair exchange: price difference', withUnits: false });
      if (refunded === 'failed') await record.waitForClosing();
    }
    return;
  }
  const outcome = await refundStage(record, { amount: claimedAmount(record.input.request), reason: 'unrepairable item', withUnits: true });
  if (outcome === 'failed') await record.waitForClosing();
}

/** Out of warranty or human damage, unrepairable: the item goes back to the customer and the quote paid for the repair is refunded. */
async function returnUnrepaired(record: CaseRecord, quote: number): Promise<void> {
  record.outcome.unrepairable = { itemReturned: true, quoteRefunded: quote, priceRefunded: 0 };
  await shipToCustomerStage(record, 'repair_return', record.input.request.items);
  const outcome = await refundStage(record, { amount: quote, reason: 'repair quote of an unrepairable item', kind: 'collection_refund', withUnits: false });
  if (outcome === 'failed') await record.waitForClosing();
}
