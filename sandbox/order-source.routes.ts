import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router, type RequestHandler } from 'express';
import { ORDER_SOURCE_CONTRACT_VERSION } from '../domain/order-source';
import { ORDER_NOT_FOUND_CODE, ORDER_SOURCE_SIGNATURE_HEADER, verifyOrderSourceRequest } from '../integrations/order-source.protocol';
import type { OrderBook } from './order-book';
import { sendError, validate } from './sandbox-http';
import { orderCreateRequest, orderDeliveryRequest, orderPageQuery } from './sandbox.schemas';

/**
 * The order service's side of the order-source contract (docs/order-source.openapi.json), mounted
 * at `/order-source`: `GET /v1/orders/:orderId` and `GET /v1/customers/:customerId/orders`. It takes
 * the sandbox's key as a bearer token, or as the HMAC secret of a signed request.
 */
export function orderSourceRoutes(book: OrderBook): Router {
  const router = Router();
  router.get('/v1/orders/:orderId', (req, res) => {
    const order = book.get(String(req.params.orderId));
    if (!order) return sendError(res, 404, ORDER_NOT_FOUND_CODE, 'no order has this id');
    res.json({ version: ORDER_SOURCE_CONTRACT_VERSION, order });
  });
  router.get('/v1/customers/:customerId/orders', (req, res) => {
    const { cursor, limit } = validate(orderPageQuery, req.query);
    // An unknown customer has no orders: the answer says nothing about who exists.
    const page = book.ofCustomer(String(req.params.customerId), cursor, limit);
    res.json({ version: ORDER_SOURCE_CONTRACT_VERSION, ...page });
  });
  return router;
}

/**
 * Accepts `Authorization: Bearer <apiKey>` (compared in constant time) or an `X-Signature` made with
 * `apiKey` as the HMAC secret over the method and the target below `/order-source`. A bad signature
 * is 401 `invalid_signature`, no credential at all 401 `unauthorized`.
 */
export function requireOrderSourceAuth(apiKey: string): RequestHandler {
  const expected = createHash('sha256').update(apiKey).digest();
  return (req, res, next) => {
    const signature = req.get(ORDER_SOURCE_SIGNATURE_HEADER);
    if (signature !== undefined) {
      // req.url is the target below the mount point, as the client signed it.
      const verified = verifyOrderSourceRequest(signature, req.method, req.url, apiKey);
      if (verified.ok) return next();
      return sendError(res, 401, 'invalid_signature', `request signature refused: ${verified.reason}`);
    }
    const match = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '');
    if (match && timingSafeEqual(createHash('sha256').update(match[1].trim()).digest(), expected)) return next();
    res.set('WWW-Authenticate', 'Bearer');
    sendError(res, 401, 'unauthorized', 'missing or wrong bearer token');
  };
}

/** Control routes of the order service (no bearer token, like `/faults`): create orders for tests and demos, list them. */
export function orderControlRoutes(book: OrderBook): Router {
  const router = Router();
  router.post('/orders', express.json({ limit: '64kb' }), (req, res) => {
    const order = book.create(validate(orderCreateRequest, req.body ?? {}));
    res.status(201).json({ version: ORDER_SOURCE_CONTRACT_VERSION, order });
  });
  router.post('/orders/:orderId/deliveries', express.json({ limit: '4kb' }), (req, res) => {
    const order = book.signFor(String(req.params.orderId), validate(orderDeliveryRequest, req.body ?? {}));
    res.json({ version: ORDER_SOURCE_CONTRACT_VERSION, order });
  });
  router.get('/orders', (req, res) => {
    const customerId = typeof req.query.customerId === 'string' ? req.query.customerId : undefined;
    res.json({ orders: book.all().filter((o) => customerId === undefined || o.customerId === customerId) });
  });
  return router;
}
