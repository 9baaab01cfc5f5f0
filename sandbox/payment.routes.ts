import { Router } from 'express';
import type { CallbackDispatcher } from './callback-dispatcher';
import { sendOutcome } from './idempotent-table';
import type { SourceOrder } from '../domain/order-source';
import { requireIdempotencyKey, sendError, validate } from './sandbox-http';
import { collectionRequest, couponRequest, refundRequest } from './sandbox.schemas';
import { newId, nowIso, type CollectionRecord, type RefundRecord, type SandboxState } from './sandbox-state';
import type { TimerSet } from './timer-set';

/** Sandbox convention: a refund or collection whose amount ends in 13 (minor units, e.g. 1013) settles `failed`. */
export function settlesAsFailure(amount: number): boolean {
  return amount % 100 === 13;
}

/** Sandbox convention: a collection whose amount ends in 14 is never paid (the customer ignores the link); it stays pending. */
export function neverPaid(amount: number): boolean {
  return amount % 100 === 14;
}

/** Sandbox convention: a refund whose amount ends in 15 stays pending (a slow settlement) until `POST /refunds/{refundId}/settle` settles it. */
export function heldForSettlement(amount: number): boolean {
  return amount % 100 === 15;
}

/**
 * Settles a pending refund and sends its signed callback (`refundId`, and our case id as
 * `merchantReference`). False when it was already settled: a refund settles once.
 */
export function settleRefund(dispatcher: CallbackDispatcher, refund: RefundRecord, status: 'succeeded' | 'failed'): boolean {
  if (refund.status !== 'pending') return false;
  refund.status = status;
  refund.settledAt = nowIso();
  if (status === 'failed') refund.failureReason = 'refund_declined';
  void dispatcher.deliver('payment', {
    eventId: newId('evt'),
    refundId: refund.refundId,
    merchantReference: refund.caseId,
    status,
    at: refund.settledAt,
    ...(status === 'failed' ? { reason: refund.failureReason } : {}),
  });
  return true;
}

/**
 * Settles a pending collection and sends its signed callback (`collectionId`, and our case id as
 * `merchantReference`). False when it was already settled: a collection settles once.
 */
export function settleCollection(
  dispatcher: CallbackDispatcher,
  collection: CollectionRecord,
  status: 'succeeded' | 'failed',
  reason?: string,
): boolean {
  if (collection.status !== 'pending') return false;
  collection.status = status;
  collection.settledAt = nowIso();
  if (status === 'failed') collection.failureReason = reason ?? 'payment_declined';
  void dispatcher.deliver('payment', {
    eventId: newId('evt'),
    collectionId: collection.collectionId,
    merchantReference: collection.caseId,
    status,
    at: collection.settledAt,
    ...(status === 'failed' ? { reason: collection.failureReason } : {}),
  });
  return true;
}

/**
 * The payment provider: refunds and collections settled by a signed callback after `settleMs`,
 * coupons, and the payment record of a trade (an order of the order book, when given).
 */
export function paymentRoutes(state: SandboxState, dispatcher: CallbackDispatcher, timers: TimerSet, settleMs: number, orderOf?: (orderId: string) => SourceOrder | undefined): Router {
  const router = Router();

  // The trade's own record: what was paid, and what was refunded on it (the shop's refunds outside
  // after-sales, and ours not failed). 404 trade_not_found for an order unknown or unpaid.
  router.get('/trades/:orderId', (req, res) => {
    const orderId = String(req.params.orderId);
    const order = orderOf?.(orderId);
    if (!order || order.payment.paidAt === null) return sendError(res, 404, 'trade_not_found', 'no paid trade for this order');
    const outside = order.refunds.reduce((sum, refund) => sum + refund.amount, 0);
    const ours = state.refunds
      .records()
      .filter((refund) => refund.orderId === orderId && refund.status !== 'failed')
      .reduce((sum, refund) => sum + refund.amount, 0);
    res.json({ orderId, currency: order.currency, paid: order.payment.amount, refunded: outside + ours });
  });

  // The refund's own record (the look-up a case makes before a reported settlement moves money):
  // its status and amount as this service holds them. 404 refund_not_found for an id it never gave.
  router.get('/refunds/:refundId', (req, res) => {
    const refundId = String(req.params.refundId);
    const refund = state.refunds.records().find((r) => r.refundId === refundId);
    if (!refund) return sendError(res, 404, 'refund_not_found', 'no refund with this id');
    res.json({
      refundId,
      status: refund.status,
      amount: refund.amount,
      currency: refund.currency,
      settledAt: refund.settledAt,
      ...(refund.failureReason ? { reason: refund.failureReason } : {}),
    });
  });

  // The collection's own record (the look-up a case makes before a reported payment counts). 404 collection_not_found.
  router.get('/collections/:collectionId', (req, res) => {
    const collectionId = String(req.params.collectionId);
    const collection = state.collections.records().find((c) => c.collectionId === collectionId);
    if (!collection) return sendError(res, 404, 'collection_not_found', 'no collection with this id');
    res.json({ collectionId, status: collection.status, amount: collection.amount, currency: collection.currency, settledAt: collection.settledAt });
  });

  const settle = (refund: RefundRecord) => settleRefund(dispatcher, refund, settlesAsFailure(refund.amount) ? 'failed' : 'succeeded');

  router.post('/refunds', (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = validate(refundRequest, req.body);
    const outcome = state.refunds.execute(key, input, () => {
      const record: RefundRecord = { refundId: newId('re'), ...input, status: 'pending', createdAt: nowIso(), settledAt: null };
      return { status: 201, response: { refundId: record.refundId, status: 'pending' }, record };
    });
    if (outcome.kind === 'created' && !heldForSettlement(outcome.record.amount)) {
      // The ledger row is the live record: settling it updates what GET /ledger shows.
      const refund = outcome.record;
      timers.after(settleMs, () => settle(refund));
    }
    sendOutcome(res, outcome);
  });

  router.post('/collections', (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = validate(collectionRequest, req.body);
    const outcome = state.collections.execute(key, input, () => {
      const record: CollectionRecord = { collectionId: newId('col'), ...input, status: 'pending', createdAt: nowIso(), settledAt: null };
      return { status: 201, response: { collectionId: record.collectionId, status: 'pending' }, record };
    });
    if (outcome.kind === 'created' && !neverPaid(outcome.record.amount) && !state.heldCollectionCases.has(outcome.record.caseId)) {
      const collection = outcome.record;
      // A collection settled by hand before the delay is left alone (settleCollection is once only).
      timers.after(settleMs, () => settleCollection(dispatcher, collection, settlesAsFailure(collection.amount) ? 'failed' : 'succeeded'));
    }
    sendOutcome(res, outcome);
  });

  router.post('/coupons', (req, res) => {
    const key = requireIdempotencyKey(req);
    const input = validate(couponRequest, req.body);
    const outcome = state.coupons.execute(key, input, () => {
      const couponId = newId('cpn');
      return { status: 201, response: { couponId }, record: { couponId, ...input, createdAt: nowIso() } };
    });
    sendOutcome(res, outcome);
  });

  return router;
}
