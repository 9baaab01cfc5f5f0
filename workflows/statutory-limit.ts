import { STATUTORY_REFUND_BUDGET, statutoryRefundLimit } from '../domain/statutory-refund';
import { SYSTEM, type CaseRecord } from './case-record';
import { isPatched } from './features';

/**
 * The statutory refund limit of a return (domain/statutory-refund.ts) as a staff clock of the case,
 * `statutory_refund`: started at the recorded receipt of the goods, stopped when the refund is
 * confirmed (or nothing is left to pay), ended by a failed inspection (nothing is owed under the
 * law), paused only while the shop cannot pay for want of something from the customer. Its breach
 * escalates straight to the ladder's top level (workflows/sla-supervisor.ts). Patch
 * `statutory-refund-limit`: decided at start from feature level 5, else asked at the receipt.
 */
export function startStatutoryLimit(record: CaseRecord): void {
  const received = record.outcome.goodsReceived;
  // Cases opened at FEATURE_LEVEL_STATUTORY_REFUND run it from the start (no marker); older ones ask here.
  if (!received || !(record.features.statutoryRefundLimit || isPatched('statutoryRefundLimit'))) return;
  const receivedAtMs = Date.parse(received.at);
  const limitMs = statutoryRefundLimit(receivedAtMs);
  record.startLimitClock('statutory_refund', STATUTORY_REFUND_BUDGET, receivedAtMs, limitMs);
  record.log(SYSTEM, 'sla.statutory_limit_started', { clock: 'statutory_refund', receivedAt: received.at, deadline: new Date(limitMs).toISOString() });
}

/** The refund was confirmed (or nothing was left to pay): the law's limit is met, or stays breached. */
export function meetStatutoryLimit(record: CaseRecord): void {
  record.stopClock('statutory_refund');
}

/** A failed inspection: the goods do not qualify, nothing is owed under the law; a partial refund runs on the policy clock alone. */
export function endStatutoryLimit(record: CaseRecord): void {
  if (!record.openClock('statutory_refund')) return;
  record.stopClock('statutory_refund');
  record.log(SYSTEM, 'sla.statutory_limit_ended', { clock: 'statutory_refund', reason: 'inspection_failed' });
}

/**
 * The one pause the law allows: the shop cannot pay for want of something from the customer (a COD
 * refund's account, issue 25 item 9, not built yet: its stage calls this while it waits, and
 * `resumeStatutoryLimit` when the customer answered). A refund clock started while it is paused is
 * not capped.
 */
export function pauseStatutoryLimit(record: CaseRecord): void {
  record.pauseClock('statutory_refund');
}

/** The customer supplied what the refund waited for: the limit runs again with the time it had left. */
export function resumeStatutoryLimit(record: CaseRecord): void {
  record.resumeClock('statutory_refund');
}
