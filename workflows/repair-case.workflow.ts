import { claimedAmount } from '../domain/eligibility';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import type { CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { refundStage } from './stages/refund.stage';
import { quoteStage, repairStage } from './stages/repair.stage';
import { replacementStage } from './stages/replacement.stage';
import { returnShipmentStage } from './stages/return-shipment.stage';
import { reviewStage } from './stages/review.stage';
import { customerConfirmationStage, shipToCustomerStage } from './stages/ship-to-customer.stage';

/**
 * A repair (维修): free in warranty, otherwise after a quote the customer accepts; the item goes to
 * the repair center, is repaired and verified (again on failure, up to the policy limit), and
 * comes back; an unrepairable item is exchanged or refunded as the policy says.
 */
export async function repairCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { initialStatus: 'awaiting_review', run: runRepair });
}

async function runRepair(record: CaseRecord): Promise<void> {
  const inWarranty = record.input.eligibility.inWarranty !== false;
  record.outcome.warranty = inWarranty ? 'in_warranty' : 'out_of_warranty';
  // Out of warranty, or human damage found at review (domain.md L77): a paid repair after a quote.
  const paid = (approval: { humanDamage?: boolean }) => !inWarranty || approval.humanDamage === true;
  const approval = await reviewStage(record, (a) => (paid(a) ? 'awaiting_quote_acceptance' : 'awaiting_return_shipment'));
  if (paid(approval)) await quoteStage(record);

  await returnShipmentStage(record, 'repairing');
  const items = record.input.request.items;
  if ((await repairStage(record)) === 'repaired') {
    await shipToCustomerStage(record, 'repair_return', items);
    await customerConfirmationStage(record);
    return;
  }

  if (record.policy.repair.unrepairableOutcome === 'exchange' && (await replacementStage(record, items)) === 'shipped') {
    await customerConfirmationStage(record);
    return;
  }
  const outcome = await refundStage(record, claimedAmount(record.input.request), 'unrepairable item');
  if (outcome === 'failed') await record.waitForClosing();
}
