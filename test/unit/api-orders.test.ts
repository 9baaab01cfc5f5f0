import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import pino from 'pino';
import { authenticate, TokenRegistry } from '../../api/auth';
import { errorHandler } from '../../api/errors';
import { ordersRouter } from '../../api/orders.routes';
import type { StoreAccess } from '../../api/store-access';
import { ORDER_SOURCE_CONTRACT_VERSION, type OrderPageRequest, type OrderSource, type SourceOrder } from '../../domain/order-source';
import { ProviderError } from '../../domain/provider-error';
import { CircuitOpenError } from '../../integrations/circuit-breaker';

// GET /v1/orders and GET /v1/orders/:orderId over HTTP, on a fake order source: whose orders a
// token reaches, what an order shows, and the source failing (503 with Retry-After, never a 500).

const order = (orderId: string, customerId: string, placedAt: string): SourceOrder => ({
  orderId,
  customerId,
  status: 'delivered',
  placedAt,
  currency: 'CNY',
  payment: { method: 'online', channel: 'alipay', providerTradeNo: '2026120800000000000000000042', paidAt: placedAt, amount: 22_600 },
  shipments: [{ carrier: 'SF', trackingNumber: 'SF000000000001', shippedAt: placedAt, deliveredAt: placedAt, lineIds: [`${orderId}-L1`, `${orderId}-L2`] }],
  freightInsurance: true,
  refunds: [{ refundId: `${orderId}-R1`, lineId: `${orderId}-L2`, amount: 500, units: 0, refundedAt: placedAt }],
  lines: [
    { lineId: `${orderId}-L1`, sku: 'SKU-LAMP-1', title: 'Desk lamp', imageUrl: null, category: 'lighting', unitsBought: 2, unitListPrice: 8800, amountPaid: 16_960 },
    { lineId: `${orderId}-L2`, sku: 'SKU-1', title: 'Cotton T-shirt', imageUrl: 'https://img.example/t.jpg', category: 'apparel', unitsBought: 1, unitListPrice: 5900, amountPaid: 5640 },
  ],
});

const ORDERS = [order('o-1', 'c-1', '2026-12-01T08:00:00.000Z'), order('o-2', 'c-1', '2026-12-03T08:00:00.000Z'), order('o-3', 'c-2', '2026-12-02T08:00:00.000Z')];

let failure: Error | null = null;
const pageRequests: { customerId: string; page?: OrderPageRequest }[] = [];
const source: OrderSource = {
  version: ORDER_SOURCE_CONTRACT_VERSION,
  order: async (orderId) => {
    if (failure) throw failure;
    const found = ORDERS.find((o) => o.orderId === orderId);
    return found ? { version: '1.0', order: found } : null;
  },
  customerOrders: async (customerId, page) => {
    pageRequests.push({ customerId, page });
    if (failure) throw failure;
    if (page?.cursor === 'bogus') throw new ProviderError('GET /v1/customers/c-1/orders failed: 400 invalid_cursor', { provider: 'orders', status: 400, retryable: false, code: 'invalid_cursor' });
    const theirs = ORDERS.filter((o) => o.customerId === customerId).sort((a, b) => b.placedAt.localeCompare(a.placedAt));
    return { version: '1.0', orders: theirs.slice(0, page?.limit ?? 20), nextCursor: (page?.limit ?? 20) < theirs.length ? 'next' : null };
  },
};
const store = { get: () => { throw new Error('the store is not read by these routes'); } } as unknown as StoreAccess;

const tokens = new TokenRegistry({
  tokens: [
    { token: 'customer-c1', role: 'customer', customerId: 'c-1' },
    { token: 'customer-c2', role: 'customer', customerId: 'c-2' },
    { token: 'agent-li', role: 'agent', name: 'li.wei' },
    { token: 'supervisor-zhang', role: 'supervisor', name: 'zhang.min' },
    { token: 'admin-root', role: 'admin', name: 'root' },
  ],
});

function serve(orderSource: OrderSource | undefined): Promise<{ server: http.Server; base: string }> {
  const app = express();
  app.use(ordersRouter(store, [authenticate(tokens)], orderSource));
  app.use(errorHandler(pino({ level: 'silent' })));
  const server = http.createServer(app);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

let server: http.Server;
let base: string;
beforeAll(async () => ({ server, base } = await serve(source)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  failure = null;
  pageRequests.length = 0;
});

type Json = Record<string, unknown> & { error: { code: string; details: { field: string }[] } };
async function get(path: string, token: string, at = base) {
  const response = await fetch(`${at}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}
const orderIds = (body: Json) => (body.orders as { orderId: string }[]).map((o) => o.orderId);

describe('GET /v1/orders', () => {
  it("answers a customer their own orders, newest first, whoever the query names as themselves", async () => {
    const mine = await get('/v1/orders', 'customer-c1');
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ version: '1.0', nextCursor: null });
    expect(orderIds(mine.body)).toEqual(['o-2', 'o-1']);
    expect((await get('/v1/orders?customerId=c-1', 'customer-c1')).status).toBe(200);
    expect(pageRequests.map((r) => r.customerId)).toEqual(['c-1', 'c-1']);
  });

  it("refuses a customer another customer's orders (403) without reading the source", async () => {
    const response = await get('/v1/orders?customerId=c-2', 'customer-c1');
    expect(response.status).toBe(403);
    expect(pageRequests).toEqual([]);
  });

  it('answers staff the orders of the customer they name, and asks them to name one', async () => {
    for (const token of ['agent-li', 'supervisor-zhang', 'admin-root']) {
      const response = await get('/v1/orders?customerId=c-2', token);
      expect(response.status).toBe(200);
      expect(orderIds(response.body)).toEqual(['o-3']);
    }
    const unnamed = await get('/v1/orders', 'agent-li');
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.error.details.map((d) => d.field)).toEqual(['customerId']);
  });

  it('passes the page asked for, and refuses a bad limit and a cursor the source did not give (400)', async () => {
    const page = await get('/v1/orders?limit=1&cursor=abc', 'customer-c1');
    expect(page.status).toBe(200);
    expect(orderIds(page.body)).toEqual(['o-2']);
    expect(page.body.nextCursor).toBe('next');
    expect(pageRequests[0].page).toEqual({ limit: 1, cursor: 'abc' });
    for (const limit of ['0', '101', 'x']) expect((await get(`/v1/orders?limit=${limit}`, 'customer-c1')).status).toBe(400);
    const bogus = await get('/v1/orders?cursor=bogus', 'customer-c1');
    expect(bogus.status).toBe(400);
    expect(bogus.body.error.details.map((d) => d.field)).toEqual(['cursor']);
  });

  it('shows the lines, payment and parcels, but not the payment trade number or the shop\'s refund ids', async () => {
    const [shown] = (await get('/v1/orders', 'customer-c1')).body.orders as Record<string, unknown>[];
    expect(shown).toEqual({
      orderId: 'o-2',
      customerId: 'c-1',
      status: 'delivered',
      placedAt: '2026-12-03T08:00:00.000Z',
      currency: 'CNY',
      payment: { method: 'online', channel: 'alipay', paidAt: '2026-12-03T08:00:00.000Z', amount: 22_600 },
      shipments: [{ carrier: 'SF', trackingNumber: 'SF000000000001', shippedAt: '2026-12-03T08:00:00.000Z', deliveredAt: '2026-12-03T08:00:00.000Z', lineIds: ['o-2-L1', 'o-2-L2'] }],
      freightInsurance: true,
      refunds: [{ lineId: 'o-2-L2', amount: 500, units: 0, refundedAt: '2026-12-03T08:00:00.000Z' }],
      lines: [
        { lineId: 'o-2-L1', sku: 'SKU-LAMP-1', title: 'Desk lamp', imageUrl: null, category: 'lighting', unitsBought: 2, unitListPrice: 8800, amountPaid: 16_960 },
        { lineId: 'o-2-L2', sku: 'SKU-1', title: 'Cotton T-shirt', imageUrl: 'https://img.example/t.jpg', category: 'apparel', unitsBought: 1, unitListPrice: 5900, amountPaid: 5640 },
      ],
    });
  });
});

describe('GET /v1/orders/:orderId', () => {
  it("answers the buyer and staff the order", async () => {
    for (const token of ['customer-c1', 'agent-li', 'supervisor-zhang', 'admin-root']) {
      const response = await get('/v1/orders/o-1', token);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ version: '1.0', order: { orderId: 'o-1', customerId: 'c-1', lines: [{ lineId: 'o-1-L1' }, { lineId: 'o-1-L2' }] } });
    }
  });

  it("answers another customer's order exactly as one that does not exist", async () => {
    const notTheirs = await get('/v1/orders/o-1', 'customer-c2');
    const missing = await get('/v1/orders/o-404', 'customer-c2');
    expect(notTheirs.status).toBe(404);
    expect(notTheirs.body).toEqual(missing.body);
    expect(notTheirs.body.error.code).toBe('order_not_found');
    expect((await get('/v1/orders/o-404', 'agent-li')).status).toBe(404);
  });

  it('refuses a malformed order id (400)', async () => {
    expect((await get('/v1/orders/%20bad%20', 'agent-li')).status).toBe(400);
  });
});

describe('the order source failing', () => {
  it('is a 503 order_source_unavailable with Retry-After on both routes, never a 500', async () => {
    failure = new ProviderError('GET /v1/orders/o-1 timed out after 3 tries', { provider: 'orders', retryable: true });
    for (const path of ['/v1/orders', '/v1/orders/o-1']) {
      const response = await get(path, 'customer-c1');
      expect({ status: response.status, code: response.body.error.code, retryAfter: response.headers.get('retry-after') }).toEqual({ status: 503, code: 'order_source_unavailable', retryAfter: '5' });
    }
  });

  it("tells the client to come back when the source's circuit lets a read through", async () => {
    failure = new CircuitOpenError('orders', 8_500);
    const response = await get('/v1/orders/o-1', 'agent-li');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('9');
  });

  it('is a 503 on a server that reads no order source', async () => {
    const bare = await serve(undefined);
    try {
      const response = await get('/v1/orders', 'customer-c1', bare.base);
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('order_source_unavailable');
    } finally {
      await new Promise<void>((resolve) => bare.server.close(() => resolve()));
    }
  });
});
