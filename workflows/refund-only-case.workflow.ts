import { claimedAmount } from '../domain/eligibility';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import type { CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { confirmDeliveryBeforePaying } from './delivery-check';
import { refundStage } from './stages/refund.stage';
import { reviewStage } from './stages/review.stage';

/** Refund only (仅退款): goods not received, missing or wrong — review, then the money goes back without a return. */
export async function refundOnlyCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { run: runRefundOnly });
}

async function runRefundOnly(record: CaseRecord): Promise<void> {
  await reviewStage(record, 'refunding');
  // A parcel signed for since the case opened is a courier exception, never a refund.
  await confirmDeliveryBeforePaying(record, 'refund');
  const outcome = await refundStage(record, { amount: claimedAmount(record.input.request), reason: `refund only: ${record.input.request.reason.code}`, withUnits: true });
  if (outcome === 'failed') await record.waitForClosing();
}
