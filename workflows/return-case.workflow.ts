import { claimedAmount } from '../domain/eligibility';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import { providers } from './activities';
import { runCase } from './case-runtime';
import { type CaseRecord } from './case-record';
import { expireOnCustomerTimeout, autoApproveReviewOnBreach } from './policy-hooks';
import { inspectionProblem, inspectionStage } from './stages/inspection.stage';
import { refundStage } from './stages/refund.stage';
import { returnShipmentStage } from './stages/return-shipment.stage';
import { reviewStage } from './stages/review.stage';
import { notifyCustomer } from './notify';
import { invalidInput } from './validation';

/** A return (退货退款): review → the customer ships the goods back → inspection → refund. */
export async function returnCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, {
    initialStatus: 'awaiting_review',
    hooks: {
      onStaffBreach: (clock, record) => autoApproveReviewOnBreach(record, clock),
      onCustomerTimeout: (clock, record) => expireOnCustomerTimeout(record, clock),
    },
    validate(record, name, command) {
      if (name === 'inspection' && 'result' in command) invalidInput(inspectionProblem(record, command.refundAmount));
    },
    run: runReturn,
  });
}

async function runReturn(record: CaseRecord): Promise<void> {
  if ((await reviewStage(record, 'awaiting_return_shipment')) === 'rejected') return;
  await returnShipmentStage(record);
  if (record.closed) return;

  const verdict = await inspectionStage(record);
  if (!verdict.refund) {
    record.close('rejected', verdict.actor, 'return.rejected_after_inspection', { note: verdict.note ?? null });
    // The goods go back to the customer at the customer's cost (domain.md: inspection failure).
    const parcel = await providers.createShipment({
      caseId: record.id,
      items: record.input.request.items,
      purpose: 'return_to_customer',
      idempotencyKey: `${record.id}:return-to-customer`,
    });
    record.shipments.push({ direction: 'outbound', carrier: parcel.carrier, trackingNumber: parcel.trackingNumber, status: 'shipped', updatedAt: new Date(record.now()).toISOString() });
    record.log({ kind: 'provider', id: 'courier' }, 'goods.sent_back', { trackingNumber: parcel.trackingNumber, paidBy: 'customer' });
    await notifyCustomer(record, 'return_rejected', 'return-rejected', { trackingNumber: parcel.trackingNumber, note: verdict.note ?? '' });
    return;
  }

  const outcome = await refundStage(record, verdict.amount, `return of ${claimedAmount(record.input.request)} claimed`);
  if (outcome === 'failed') await record.waitForClosing();
}
