import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { ORDER_PAGE_MAX_LIMIT, type OrderSource } from '../domain/order-source';
import { ProviderError } from '../domain/provider-error';
import { principalOf, requireRole } from './auth';
import { identifier } from './cases.schemas';
import { ApiError, forbidden, notFound, parseOrThrow, validationFailed } from './errors';
import { readOrderLedger } from './order-ledger.reader';
import { readFromOrderSource, visibleOrder } from './order-source-reads';
import { orderPageView, orderReadView } from './order-view';
import type { StoreAccess } from './store-access';

/** Path parameters of `GET /v1/orders/:orderId/ledger`. */
export const orderLedgerParamsSchema = z.object({ orderId: identifier('orderId') });

/** Path parameters of `GET /v1/orders/:orderId`. */
export const orderParamsSchema = z.object({ orderId: identifier('orderId') });

// A repeated single-valued parameter (`limit=5&limit=9`) takes its last value, as in GET /v1/cases.
const single = <S extends z.ZodType>(schema: S) => z.preprocess((v: unknown) => (Array.isArray(v) ? (v as unknown[])[v.length - 1] : v), schema);

/** Query of `GET /v1/orders`. */
export const listOrdersQuerySchema = z
  .object({
    customerId: single(identifier('customerId'))
      .optional()
      .meta({ description: "staff: required, whose orders; a customer's token says whose (another customerId is a 403)" }),
    limit: single(z.coerce.number().int('must be a whole number').min(1).max(ORDER_PAGE_MAX_LIMIT)).optional().meta({ description: 'orders per page (default 20)' }),
    cursor: single(z.string().min(1).max(500)).optional().meta({ description: 'nextCursor of the previous page' }),
  })
  .strict();

/**
 * The orders routes: a customer's orders and one order, read from the shop's order system (the
 * desk picks the lines to claim from them), and the order-line ledger (staff). `orderSource`
 * absent: the order routes answer 503 `order_source_unavailable`.
 */
export function ordersRouter(store: StoreAccess, guard: RequestHandler[], orderSource?: OrderSource): Router {
  const router = Router();
  const source = (): OrderSource => {
    if (!orderSource) throw new ApiError(503, 'order_source_unavailable', 'this server reads no order system', [], { 'Retry-After': '60' });
    return orderSource;
  };

  router.get('/v1/orders', ...guard, async (req, res) => {
    const query = parseOrThrow(listOrdersQuerySchema, req.query);
    const principal = principalOf(res);
    let customerId = query.customerId;
    if (principal.role === 'customer') {
      if (customerId !== undefined && customerId !== principal.customerId) throw forbidden("a customer lists its own orders only");
      customerId = principal.customerId;
    }
    if (customerId === undefined) throw validationFailed([{ field: 'customerId', message: 'whose orders: staff name the customer' }]);
    const orders = source();
    const page = await readFromOrderSource(async () => {
      try {
        return await orders.customerOrders(customerId, { cursor: query.cursor, limit: query.limit });
      } catch (error) {
        // The source refuses a list query only for its cursor (the limit is checked above): the caller's mistake, not the source being down.
        if (error instanceof ProviderError && error.status === 400) {
          throw validationFailed([{ field: 'cursor', message: 'not a cursor of this list' }], 'the cursor is not one this list gave');
        }
        throw error;
      }
    });
    res.json(orderPageView(page));
  });

  router.get('/v1/orders/:orderId', ...guard, async (req, res) => {
    const { orderId } = parseOrThrow(orderParamsSchema, req.params);
    const principal = principalOf(res);
    const read = await visibleOrder(source(), orderId, principal.role === 'customer' ? (principal.customerId ?? '') : undefined);
    // Another customer's order reads exactly like one that does not exist.
    if (read === null) throw notFound('order_not_found', 'no such order');
    res.json(orderReadView(read));
  });

  router.get('/v1/orders/:orderId/ledger', ...guard, requireRole('agent', 'supervisor', 'admin'), async (req, res) => {
    const { orderId } = parseOrThrow(orderLedgerParamsSchema, req.params);
    res.json({ orderId, lines: await readOrderLedger(store, orderId) });
  });
  return router;
}
