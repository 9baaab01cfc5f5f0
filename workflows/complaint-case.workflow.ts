import { ActivityFailure } from '@temporalio/workflow';
import { couponKey } from '../domain/keys';
import type { CaseWorkflowInput, CaseWorkflowResult } from '../domain/workflow-contract';
import { providers } from './activities';
import { SYSTEM, type CaseRecord } from './case-record';
import { runCase } from './case-runtime';
import { beforeOrderLedger } from './legacy/order-ledger';
import { notifyStaffQueue } from './notify';
import { reserveMoney, settleReservation } from './money';
import { refundStage } from './stages/refund.stage';

/**
 * A complaint (投诉): recorded and routed to the team, resolved within the resolution clock; it
 * never closes without a recorded resolution, and compensation (refund or coupon) is paid out.
 */
export async function complaintCaseWorkflow(input: CaseWorkflowInput): Promise<CaseWorkflowResult> {
  return runCase(input, { run: runComplaint });
}

async function runComplaint(record: CaseRecord): Promise<void> {
  await notifyStaffQueue(record, 'complaint_recorded', 'complaint-recorded');
  const { actor, resolution, compensation } = await record.takeCommand(['resolution'], ({ command }) => {
    const { actor, resolution, compensation } = command;
    if (actor.kind === 'agent' && !record.assignee) record.assignee = actor.id;
    record.stopClock('resolution');
    record.outcome.resolution = { text: resolution, compensation: compensation ?? null, by: actor.id };
    record.log(actor, 'complaint.resolved', compensation ? { compensation } : undefined);
    return command;
  });

  if (compensation?.kind === 'refund') {
    const outcome = await refundStage(record, { amount: compensation.amount, reason: 'complaint compensation', kind: 'compensation', withUnits: false });
    if (outcome === 'failed') await record.waitForClosing();
    return;
  }
  record.close('completed', actor, 'case.completed', { note: resolution });
  if (compensation?.kind === 'coupon') await issueCoupon(record, compensation.amount);
}

/**
 * A goodwill coupon, recorded on the order's lines as goodwill (it does not count against the
 * price), committed once issued and released if the provider refuses it (not recorded for cases
 * started before order-ledger; settling a reservation the case does not hold does nothing).
 */
async function issueCoupon(record: CaseRecord, amount: number): Promise<void> {
  const key = couponKey(record.id);
  const { currency } = record.input.request.order;
  if (!beforeOrderLedger(record)) await reserveMoney(record, { key, kind: 'coupon', amount, withUnits: false });
  try {
    const coupon = await providers.issueCoupon.executeWithOptions({ summary: `compensation coupon: ${amount} ${currency} minor units` }, [
      { caseId: record.id, customerId: record.input.request.customerId, amount, currency, idempotencyKey: key },
    ]);
    record.log(SYSTEM, 'compensation.coupon_issued', { couponId: coupon.couponId, amount, currency });
    await settleReservation(record, key, 'committed');
  } catch (err) {
    // The provider refused the coupon for good: the resolution stands, and a person issues it by hand.
    if (!(err instanceof ActivityFailure)) throw err;
    await settleReservation(record, key, 'released');
    record.log(SYSTEM, 'compensation.coupon_failed', { amount, currency });
    await notifyStaffQueue(record, 'coupon_failed', 'coupon-failed', { amount, currency });
  }
}
