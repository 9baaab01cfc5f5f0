import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { requireRole } from './auth';
import { identifier } from './cases.schemas';
import { parseOrThrow } from './errors';
import { readOrderLedger } from './order-ledger.reader';
import type { StoreAccess } from './store-access';

/** Path parameters of `GET /v1/orders/:orderId/ledger`. */
export const orderLedgerParamsSchema = z.object({ orderId: identifier('orderId') });

/** `GET /v1/orders/:orderId/ledger` (staff): every line of the order with what went back, what is in flight and what remains. */
export function ordersRouter(store: StoreAccess, guard: RequestHandler[]): Router {
  const router = Router();
  router.get('/v1/orders/:orderId/ledger', ...guard, requireRole('agent', 'supervisor', 'admin'), async (req, res) => {
    const { orderId } = parseOrThrow(orderLedgerParamsSchema, req.params);
    res.json({ orderId, lines: await readOrderLedger(store, orderId) });
  });
  return router;
}
