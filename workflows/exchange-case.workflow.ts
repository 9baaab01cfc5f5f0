import { claimedAmount } from '../domain/eligibility';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import type { CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { inspectionStage, rejectAfterInspection } from './stages/inspection.stage';
import { refundStage } from './stages/refund.stage';
import { replacementStage } from './stages/replacement.stage';
import { returnShipmentStage } from './stages/return-shipment.stage';
import { reviewStage } from './stages/review.stage';
import { customerConfirmationStage } from './stages/ship-to-customer.stage';

/** An exchange (换货): as a return until inspection, then a replacement of the same model and price, confirmed by the customer. */
export async function exchangeCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { initialStatus: 'awaiting_review', run: runExchange });
}

async function runExchange(record: CaseRecord): Promise<void> {
  await reviewStage(record, 'awaiting_return_shipment');
  await returnShipmentStage(record);
  const verdict = await inspectionStage(record);
  if (!verdict.passed) return rejectAfterInspection(record, verdict);

  const replacement = await replacementStage(record, record.input.request.items);
  if (replacement === 'shipped') {
    await customerConfirmationStage(record);
    return;
  }
  // The shop could not deliver the exchange, so the customer gets the whole claim back.
  const outcome = await refundStage(record, claimedAmount(record.input.request), 'exchange out of stock');
  if (outcome === 'failed') await record.waitForClosing();
}
