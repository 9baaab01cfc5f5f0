import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import type { CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { confirmDeliveryBeforePaying } from './delivery-check';
import { reviewStage } from './stages/review.stage';
import { customerConfirmationStage, shipToCustomerStage } from './stages/ship-to-customer.stage';

/** A reship (补寄) after transit damage or loss: evidence reviewed, the platform ships again at its cost within the reship clock, the customer confirms. */
export async function reshipCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { run: runReship });
}

async function runReship(record: CaseRecord): Promise<void> {
  await reviewStage(record, 'shipping_replacement');
  record.startClock('reship');
  // Lost or damaged on a delivery the order source no longer confirms: no second parcel.
  await confirmDeliveryBeforePaying(record, 'reship');
  await shipToCustomerStage(record, 'reship', record.input.request.items, 'reship');
  await customerConfirmationStage(record);
}
