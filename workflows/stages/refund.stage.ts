import type { RefundView } from '../../domain/case.types';
import { ledgerMovementKey, refundKey } from '../../domain/keys';
import { CaseClosed, SYSTEM, type CaseRecord } from '../case-record';
import { condition } from '@temporalio/workflow';
import { providers } from '../activities';
import { beforeOrderLedger, refundBeforeOrderLedger } from '../legacy/order-ledger';
import { rememberReservation, reservationInput, reserveMoney, reserveMoneyOrHeld, settleReservation, type MoneyMovement } from '../money';
import { isPatched } from '../features';
import { notifyStaffQueue } from '../notify';
import { meetStatutoryLimit } from '../statutory-limit';
import { paymentChannelOf, settleAttempts, type RefundOutcome } from './refund-attempts';

export type { RefundOutcome } from './refund-attempts';

/** What a case pays back. */
export interface RefundRequest {
  /** What the case owes, in minor units, before the ledger caps it. */
  amount: number;
  /** Why, in a few words (sent to the payment provider; no personal data). */
  reason: string;
  /** Shipping fee already taken off `amount`, shown on the refund. */
  deduction?: number;
  /** Price (refund of goods), compensation (a complaint), or collected money going back (a repair quote). Default refund. */
  kind?: NonNullable<RefundView['kind']>;
  /** True when goods come back with the money: the lines' units count as returned. Default true for `refund`. */
  withUnits?: boolean;
}

/**
 * Pays money back to the original payment method under the refund clock.
 *
 * The amount is first reserved on the order-line ledger, which grants at most what the lines may
 * still pay back: a claim on a line already paid back is capped, or closes the case `rejected`
 * when nothing is left. A refund of 0 (a claim no
 * larger than its deduction) is recorded and never sent. The reservation is committed when the
 * provider confirms and released when every attempt failed.
 *
 * Each attempt's idempotency key is fixed before the first call, so a retried activity never pays
 * twice; a settlement that fails starts a new attempt (a new refund) up to the policy's limit. The
 * processing clock stops when the refund is issued; the refund clock when it settles. A case
 * started before `order-ledger` refunds without the ledger (workflows/legacy/order-ledger.ts).
 */
export async function refundStage(record: CaseRecord, request: RefundRequest): Promise<RefundOutcome> {
  if (beforeOrderLedger(record)) return refundBeforeOrderLedger(record, request);
  const { id, input } = record;
  const { currency } = input.request.order;
  const kind = request.kind ?? 'refund';
  const ledgerKey = ledgerMovementKey(id, kind);
  const deduction = request.deduction ? { deduction: request.deduction } : {};

  if (request.amount <= 0) {
    // Nothing is paid, but goods that came back still count as returned on their lines.
    const withUnits = request.withUnits ?? kind === 'refund';
    if (withUnits) {
      await reserveMoney(record, { key: ledgerKey, kind, amount: 0, withUnits });
      await settleReservation(record, ledgerKey, 'committed');
    }
    record.refund = { amount: 0, currency, status: 'succeeded', idempotencyKey: ledgerKey, method: 'original_path', kind, ...deduction };
    record.stopClock('processing');
    meetStatutoryLimit(record);
    record.log(SYSTEM, 'refund.zero', { note: 'nothing to pay back after the deduction; no refund was sent', ...deduction });
    return 'succeeded';
  }

  // Set before the reservation: from here on the money is under way and the case cannot be cancelled.
  record.refund = { amount: request.amount, currency, status: 'pending', idempotencyKey: refundKey(id, 1), method: 'original_path', kind, ...deduction };
  record.transition('refunding', SYSTEM, 'refund.approved', { amount: request.amount, currency });
  record.startClock('refund');
  const refund = record.refund;
  const movement = { key: ledgerKey, kind, amount: request.amount, withUnits: request.withUnits ?? kind === 'refund' };
  const { paymentMethod } = input.request.order;
  const channel = paymentChannelOf(input.request.order);
  // Cases opened on the order source's facts check the payment's own record before the refund is sent.
  if (input.request.orderRead !== undefined && isPatched('paymentRecordChecked')) return refundAfterPaymentCheck(record, refund, request, movement);

  // The first attempt reserves and asks the provider in one activity (one round trip on the happy path).
  const first = await providers.reserveAndRefund.executeWithOptions({ summary: `ledger-reserved refund ${request.amount} ${currency} minor units, attempt 1` }, [
    { reservation: reservationInput(record, movement), refund: { caseId: id, orderId: input.request.orderId, currency, paymentMethod, ...channel, reason: request.reason, idempotencyKey: refund.idempotencyKey } },
  ]);
  rememberReservation(record, ledgerKey, first.lines);
  if (first.granted === 0 || first.refundId === null) {
    record.refund = null;
    await notifyStaffQueue(record, 'refund_nothing_refundable', 'refund-nothing-refundable', { requested: request.amount });
    record.end('rejected', SYSTEM, 'refund.nothing_refundable', {
      requested: request.amount,
      note: 'these order lines have already been paid back in full by other cases',
    });
  }
  if (first.granted < request.amount) {
    refund.requested = request.amount;
    record.log(SYSTEM, 'refund.capped', { requested: request.amount, granted: first.granted, note: 'the order lines had less left to pay back than the claim' });
  }
  refund.amount = first.granted;

  const outcome = await settleAttempts(record, refund, request.reason, { refundId: first.refundId, status: first.status });
  await settleReservation(record, ledgerKey, outcome === 'succeeded' ? 'committed' : 'released');
  return outcome;
}

/**
 * The refund of a case opened on the order source's facts: reserved on the ledger, then checked
 * against the payment's own record where the provider offers it (the trade's paid amount less what
 * was already refunded on it must cover what the ledger granted), and only then requested. A refund
 * the record does not cover is not sent: the reservation is released, the staff queue is told
 * (`refund.not_covered_by_payment`) and the case waits for a person to close it. Patch
 * `payment-record-checked`; its old path is the one round trip above.
 */
async function refundAfterPaymentCheck(record: CaseRecord, refund: RefundView, request: RefundRequest, movement: MoneyMovement): Promise<RefundOutcome> {
  const { input } = record;
  const { currency, paymentMethod } = input.request.order;
  const reserved = await reserveMoneyOrHeld(record, movement);
  // A line held for a person: the refund waits for its release instead of ending the case.
  const granted = reserved.granted === 0 && reserved.held && isPatched('heldLineWaits') ? await waitWhileHeld(record, refund, movement, request) : reserved.granted;
  if (granted === 0) {
    record.refund = null;
    await notifyStaffQueue(record, 'refund_nothing_refundable', 'refund-nothing-refundable', { requested: request.amount });
    record.end('rejected', SYSTEM, 'refund.nothing_refundable', { requested: request.amount, note: 'these order lines have already been paid back in full by other cases' });
  }
  const trade = await providers.checkPaymentRecord.executeWithOptions({ summary: `check the payment's record: refund ${granted} ${currency} minor units` }, [
    { orderId: input.request.orderId, paymentMethod, ...paymentChannelOf(input.request.order), amount: granted, currency },
  ]);
  if (!trade.covers) {
    await settleReservation(record, movement.key, 'released');
    record.refund = null;
    record.log(SYSTEM, 'refund.not_covered_by_payment', { amount: granted, found: trade.found, paid: trade.paid, refunded: trade.refunded });
    await notifyStaffQueue(record, 'refund_not_covered_by_payment', 'refund-not-covered', { amount: granted, paid: trade.paid, refunded: trade.refunded });
    await record.waitForClosing();
  }
  if (granted < request.amount) {
    refund.requested = request.amount;
    record.log(SYSTEM, 'refund.capped', { requested: request.amount, granted, note: 'the order lines had less left to pay back than the claim' });
  }
  refund.amount = granted;
  // The first attempt is requested by settleAttempts, under the key fixed above (`<caseId>:refund:1`).
  const outcome = await settleAttempts(record, refund, request.reason, null);
  await settleReservation(record, movement.key, outcome === 'succeeded' ? 'committed' : 'released');
  return outcome;
}

/** How often a refund waiting on a held line asks the ledger again. */
const HELD_LINE_RETRY = '1 hour';

/**
 * A refund whose line is held for a person: the staff queue is told once, and the reservation is
 * asked again every hour under the same key until the line is released (the refund then goes) or
 * a supervisor closes the case (the case shows no refund meanwhile, so it may be cancelled).
 * Nothing is paid; the refund clock keeps running and escalates as any other. Returns what the ledger granted once the line is no longer held.
 */
async function waitWhileHeld(record: CaseRecord, refund: RefundView, movement: MoneyMovement, request: RefundRequest): Promise<number> {
  // No refund is with the provider while the line is held: a supervisor may close the case.
  record.refund = null;
  record.log(SYSTEM, 'refund.line_held', { requested: request.amount, note: 'an order line of this case is held for a person: nothing is paid until it is released' });
  await notifyStaffQueue(record, 'refund_line_held', 'refund-line-held', { requested: request.amount });
  for (;;) {
    if (await condition(() => record.closed, HELD_LINE_RETRY)) throw new CaseClosed();
    const again = await reserveMoneyOrHeld(record, movement);
    if (again.granted > 0 || !again.held) {
      record.refund = refund;
      return again.granted;
    }
  }
}
