import type { Server } from 'node:http';
import { deliveredAtOf, type SourceOrder } from '../../domain/order-source';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { close, listen } from './support/provider-test-kit';

// The sandbox's control route that has the courier sign for a parcel after an order was placed
// (sandbox/order-book.ts signFor): what a case opened on a parcel "not received" meets when the
// delivery is read again before money moves (docs/order-source.md, "What is read when").

const API_KEY = 'sandbox-deliveries-key';
let sandbox: Sandbox;
let server: Server;
let base: string;

beforeAll(async () => {
  sandbox = createSandboxApp({ apiKey: API_KEY, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'deliveries-webhook-secret', trackingStepMs: 1000, settleMs: 1000 });
  ({ server, base } = await listen(sandbox.app));
});
afterAll(async () => {
  sandbox.close();
  await close(server);
});

async function post(path: string, body: unknown): Promise<{ status: number; body: { order: SourceOrder; error: { code: string } } }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}

async function readOrder(orderId: string): Promise<SourceOrder> {
  const res = await fetch(`${base}/order-source/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  return ((await res.json()) as { order: SourceOrder }).order;
}

describe('POST /orders/{orderId}/deliveries', () => {
  test('signs for the parcel on its way: the order source then shows it delivered', async () => {
    expect(deliveredAtOf(await readOrder('o-c1-1004'))).toBeNull();
    const signed = await post('/orders/o-c1-1004/deliveries', { deliveredAt: '2026-12-08T03:00:00.000Z' });
    expect(signed.status).toBe(200);
    expect(signed.body.order.status).toBe('delivered');
    const read = await readOrder('o-c1-1004');
    expect(deliveredAtOf(read)).toBe('2026-12-08T03:00:00.000Z');
    expect(read.status).toBe('delivered');
    // Nothing left on its way.
    expect((await post('/orders/o-c1-1004/deliveries', {})).body.error.code).toBe('nothing_to_sign_for');
  });

  test('a cash-on-delivery order is paid when signed for; a parcel is named by its tracking number', async () => {
    const placed = await post('/orders', {
      customerId: 'c-1',
      lines: [{ sku: 'SKU-1', unitsBought: 1, unitListPrice: 5900 }],
      payment: { method: 'cod' },
      shipments: [{ carrier: 'SF', shippedAt: '2026-12-07T01:00:00.000Z', trackingNumber: 'SF-COD-1' }],
    });
    expect(placed.status).toBe(201);
    expect(placed.body.order.payment.paidAt).toBeNull();
    const signed = await post(`/orders/${placed.body.order.orderId}/deliveries`, { trackingNumber: 'SF-COD-1' });
    expect(signed.status).toBe(200);
    const { deliveredAt } = signed.body.order.shipments[0];
    expect(deliveredAt).not.toBeNull();
    expect(signed.body.order.payment.paidAt).toBe(deliveredAt);
    expect(signed.body.order.status).toBe('delivered');
  });

  test('an unknown order is 404 order_not_found; an unknown parcel 409; a bad time 400', async () => {
    expect((await post('/orders/o-nowhere/deliveries', {})).status).toBe(404);
    expect((await post('/orders/o-c2-2001/deliveries', { trackingNumber: 'NOPE' })).status).toBe(409);
    expect((await post('/orders/o-c2-2001/deliveries', { deliveredAt: 'yesterday' })).status).toBe(400);
  });
});
