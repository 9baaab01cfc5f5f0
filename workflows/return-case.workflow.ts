import { claimedAmount } from '../domain/eligibility';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import { runCase } from './case-runtime';
import { type CaseRecord } from './case-record';
import { inspectionStage, rejectAfterInspection } from './stages/inspection.stage';
import { refundStage } from './stages/refund.stage';
import { returnShipmentStage } from './stages/return-shipment.stage';
import { reviewStage } from './stages/review.stage';
import { endStatutoryLimit, startStatutoryLimit } from './statutory-limit';

/** A return (退货退款): review → the customer ships the goods back → inspection → refund. */
export async function returnCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { run: runReturn });
}

async function runReturn(record: CaseRecord): Promise<void> {
  await reviewStage(record, 'awaiting_return_shipment');
  await returnShipmentStage(record);
  startStatutoryLimit(record);

  const verdict = await inspectionStage(record);
  if (!verdict.passed) endStatutoryLimit(record);
  if (!verdict.refund) return rejectAfterInspection(record, verdict);

  const outcome = await refundStage(record, {
    amount: verdict.amount,
    reason: `return of ${claimedAmount(record.input.request)} claimed`,
    deduction: verdict.deduction,
    withUnits: true,
  });
  if (outcome === 'failed') await record.waitForClosing();
}
