import express, { Router } from 'express';
import type { CallbackDispatcher } from './callback-dispatcher';
import type { FaultInjector } from './fault-injector';
import { settleCollection, settleRefund } from './payment.routes';
import { sendError, validate } from './sandbox-http';
import { catalogItemRequest, collectionHoldRequest, collectionSettleRequest, faultRequest, outboxQuery } from './sandbox.schemas';
import type { SandboxState } from './sandbox-state';

/** Inspection and control endpoints for tests, demos and operators (no bearer token: the sandbox is never exposed publicly). */
export function controlRoutes(state: SandboxState, faults: FaultInjector, dispatcher: CallbackDispatcher, reset: () => void): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/outbox', (req, res) => {
    const filter = validate(outboxQuery, req.query);
    const messages = state.messages.records().filter((m) => {
      if (filter.caseId !== undefined && m.caseId !== filter.caseId) return false;
      if (filter.template !== undefined && m.template !== filter.template) return false;
      if (filter.recipient !== undefined) {
        const who = m.recipient.kind === 'customer' ? m.recipient.customerId : m.recipient.address;
        if (who !== filter.recipient) return false;
      }
      return true;
    });
    res.json({
      messages: messages.map((m) => ({
        messageId: m.messageId,
        caseId: m.caseId,
        recipient: m.recipient,
        template: m.template,
        params: m.params,
        at: m.at,
        idempotencyKey: m.idempotencyKey,
      })),
    });
  });

  router.get('/ledger', (_req, res) => {
    res.json({
      refunds: state.refunds.records(),
      shipments: state.shipments.records(),
      labels: state.labels.records(),
      coupons: state.coupons.records(),
      collections: state.collections.records(),
      investigations: state.investigations.records(),
    });
  });

  // The case's collections stay pending until settled by hand (below): a slow payer, for one case only.
  router.post('/collections/hold', express.json({ limit: '16kb' }), (req, res) => {
    const { caseId } = validate(collectionHoldRequest, req.body ?? {});
    state.heldCollectionCases.add(caseId);
    res.json({ caseId, held: true });
  });

  // The customer pays (or the payment fails) now: for collections that would never settle on their own (amount ending in 14, or held).
  router.post('/collections/:collectionId/settle', express.json({ limit: '16kb' }), (req, res) => {
    const { status, reason } = validate(collectionSettleRequest, req.body ?? {});
    const collection = state.collections.records().find((c) => c.collectionId === req.params.collectionId);
    if (!collection) return sendError(res, 404, 'unknown_collection', 'no collection has this id');
    if (!settleCollection(dispatcher, collection, status, reason)) {
      return sendError(res, 409, 'already_settled', `the collection already settled ${collection.status}`);
    }
    res.json(collection);
  });

  // A refund held pending (amount ending in 15) settles now, with its signed callback: a slow settlement, ended by the test.
  router.post('/refunds/:refundId/settle', express.json({ limit: '16kb' }), (req, res) => {
    const { status } = validate(collectionSettleRequest, req.body ?? {});
    const refund = state.refunds.records().find((r) => r.refundId === req.params.refundId);
    if (!refund) return sendError(res, 404, 'unknown_refund', 'no refund has this id');
    if (!settleRefund(dispatcher, refund, status)) return sendError(res, 409, 'already_settled', `the refund already settled ${refund.status}`);
    res.json(refund);
  });

  router.get('/catalog', (_req, res) => {
    res.json({ items: [...state.catalog.values()] });
  });

  router.put('/catalog/:sku', express.json({ limit: '16kb' }), (req, res) => {
    const { unitPrice, category } = validate(catalogItemRequest, req.body ?? {});
    const item = { sku: String(req.params.sku), unitPrice, category };
    state.catalog.set(item.sku, item);
    res.json(item);
  });

  router.delete('/catalog/:sku', (req, res) => {
    if (!state.catalog.delete(String(req.params.sku))) return sendError(res, 404, 'unknown_sku', 'the catalog has no such sku');
    res.status(204).end();
  });

  router.get('/callbacks', (_req, res) => {
    res.json({ callbacks: dispatcher.list() });
  });

  router.get('/faults', (_req, res) => {
    res.json({ faults: faults.list() });
  });

  router.post('/faults', express.json({ limit: '16kb' }), (req, res) => {
    const { provider, ...settings } = validate(faultRequest, req.body);
    faults.set(provider, settings);
    res.json({ faults: faults.list() });
  });

  router.delete('/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });

  router.post('/reset', (_req, res) => {
    reset();
    res.status(204).end();
  });

  return router;
}
