import type { CaseRecord } from '../case-record';
import { SYSTEM } from '../case-record';
import { providers } from '../activities';
import { applyPaymentEvent } from '../provider-events';
import { notifyCustomer, notifyStaffQueue } from '../notify';

/** How the refund ended. */
export type RefundOutcome = 'succeeded' | 'failed';

/**
 * Refunds `amount` to the original payment method under the refund clock. Each attempt's
 * idempotency key is fixed before the first call, so a retried activity never pays twice;
 * a settlement that fails starts a new attempt (a new refund) up to the policy's limit.
 * The processing clock stops when the refund is issued; the refund clock when it settles.
 */
export async function refundStage(record: CaseRecord, amount: number, reason: string, deduction = 0): Promise<RefundOutcome> {
  const { id, input, policy } = record;
  const { currency, paymentMethod } = input.request.order;
  record.transition('refunding', SYSTEM, 'refund.approved', { amount, currency });
  record.startClock('refund');

  for (let attempt = 1; attempt <= policy.refund.maxAttempts; attempt++) {
    const idempotencyKey = `${id}:refund:${attempt}`;
    record.refund = { amount, currency, status: 'pending', idempotencyKey, method: 'original_path', ...(deduction ? { deduction } : {}) };
    record.touch();
    const issued = await providers.issueRefund.executeWithOptions({ summary: `refund ${amount} ${currency} minor units, attempt ${attempt}` }, [
      { caseId: id, amount, currency, paymentMethod, reason, idempotencyKey },
    ]);
    record.refund.id = issued.refundId;
    record.refund.status = 'requested';
    record.stopClock('processing');
    record.log(SYSTEM, 'refund.requested', { refundId: issued.refundId, amount, attempt });
    const early = record.earlySettlements.get(issued.refundId);
    if (early) applyPaymentEvent(record, early);

    const refund = record.refund;
    await record.waitUntil(() => refund.status === 'succeeded' || refund.status === 'failed');
    if (refund.status === 'succeeded') {
      record.stopClock('refund');
      // The case closes right after a settled refund (every caller returns): since `lean-history`
      // the closing message tells the customer the amount, one message instead of two.
      if (!record.lean) await notifyCustomer(record, 'refund_succeeded', `refund-succeeded-${attempt}`, { amount, currency });
      return 'succeeded';
    }
    await notifyStaffQueue(record, 'refund_failed', `refund-failed-${attempt}`, { amount, attempt });
  }
  record.log(SYSTEM, 'refund.manual_action_required', { attempts: policy.refund.maxAttempts });
  await notifyStaffQueue(record, 'refund_manual_action', 'refund-manual');
  return 'failed';
}
