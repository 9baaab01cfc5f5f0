import type { Server } from 'node:http';
import { deliveredAtOf, linesOfSku, perUnitAmounts, type SourceOrder } from '../../domain/order-source';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { close, listen } from './support/provider-test-kit';

// The sandbox's order service (sandbox/order-book.ts, order-source.routes.ts): the orders seeded
// for the dev customers, and the control route that creates orders for tests and demos.

const API_KEY = 'sandbox-orders-key';
const DAY_MS = 86_400_000;
let sandbox: Sandbox;
let server: Server;
let base: string;

beforeAll(async () => {
  sandbox = createSandboxApp({ apiKey: API_KEY, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'orders-webhook-secret', trackingStepMs: 1000, settleMs: 1000 });
  ({ server, base } = await listen(sandbox.app));
});
afterAll(async () => {
  sandbox.close();
  await close(server);
});

async function readOrder(orderId: string): Promise<SourceOrder> {
  const res = await fetch(`${base}/order-source/v1/orders/${orderId}`, { headers: { authorization: `Bearer ${API_KEY}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { order: SourceOrder }).order;
}

async function create(body: unknown): Promise<{ status: number; body: { order: SourceOrder; error: { code: string; details: { field: string }[] } } }> {
  const res = await fetch(`${base}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as never };
}

const daysAgo = (iso: string | null) => (iso === null ? null : Math.round((Date.now() - Date.parse(iso)) / DAY_MS));

describe('the seeded orders of the dev customers', () => {
  test('c-1: delivered a few days ago with a discount and 运费险, cash on delivery, two lines of one sku, and one not delivered', async () => {
    const discounted = await readOrder('o-c1-1001');
    expect(discounted).toMatchObject({ customerId: 'c-1', status: 'delivered', freightInsurance: true, payment: { method: 'online', channel: 'alipay' } });
    expect(daysAgo(deliveredAtOf(discounted))).toBe(3);
    // 1000 off 2 × 8800 + 5900, allocated by list amount: 749 and 251.
    expect(discounted.lines.map((l) => [l.sku, l.unitsBought, l.amountPaid])).toEqual([
      ['SKU-LAMP-1', 2, 16_851],
      ['SKU-1', 1, 5_649],
    ]);
    expect(discounted.payment.amount).toBe(22_500);

    const cod = await readOrder('o-c1-1002');
    expect(cod.payment).toEqual({ method: 'cod', channel: null, providerTradeNo: null, paidAt: cod.shipments[0].deliveredAt, amount: 26_400 });

    const sameSku = await readOrder('o-c1-1003');
    expect(linesOfSku(sameSku, 'SKU-1').map((l) => [l.unitListPrice, l.amountPaid])).toEqual([
      [5900, 11_447],
      [4900, 4_753],
    ]);
    expect(sameSku.payment.channel).toBe('wechatpay');

    const onItsWay = await readOrder('o-c1-1004');
    expect(onItsWay.status).toBe('shipped');
    expect(deliveredAtOf(onItsWay)).toBeNull();
  });

  test("c-2: a refund the shop made outside after-sales on a line, and an order paid but not shipped; neither is c-1's", async () => {
    const refunded = await readOrder('o-c2-2001');
    expect(refunded.customerId).toBe('c-2');
    expect(refunded.refunds).toEqual([{ refundId: 'o-c2-2001-R1', lineId: 'o-c2-2001-L2', amount: 500, units: 0, refundedAt: expect.any(String) }]);
    const unshipped = await readOrder('o-c2-2002');
    expect(unshipped).toMatchObject({ customerId: 'c-2', status: 'paid', shipments: [], payment: { channel: 'other' } });
    const list = (await (await fetch(`${base}/orders?customerId=c-2`)).json()) as { orders: SourceOrder[] };
    expect(list.orders.map((o) => o.orderId)).toEqual(['o-c2-2002', 'o-c2-2001']);
  });
});

describe('POST /orders (control)', () => {
  test('creates an order: discount allocated over the lines exactly, several lines of one sku at different prices, defaults filled', async () => {
    const { status, body } = await create({
      customerId: 'c-demo',
      discount: 1001,
      shippingFee: 800,
      lines: [
        { sku: 'SKU-MUG-1', unitsBought: 3, unitListPrice: 8800 },
        { sku: 'SKU-MUG-1', unitsBought: 1, unitListPrice: 6600 },
        { sku: 'GIFT-CARD', unitsBought: 1, unitListPrice: 10_000, category: 'gift' },
      ],
      shipments: [{ carrier: 'SF', shippedAt: '2026-12-01T00:00:00.000Z' }],
    });
    expect(status).toBe(201);
    const { order } = body;
    const paid = order.lines.map((l) => l.amountPaid);
    expect(paid.reduce((a, b) => a + b, 0)).toBe(3 * 8800 + 6600 + 10_000 - 1001);
    expect(order.payment.amount).toBe(3 * 8800 + 6600 + 10_000 - 1001 + 800);
    expect(order.lines.map((l) => [l.lineId, l.title, l.category])).toEqual([
      [`${order.orderId}-L1`, 'Ceramic mug', 'kitchen'],
      [`${order.orderId}-L2`, 'Ceramic mug', 'kitchen'],
      [`${order.orderId}-L3`, 'GIFT-CARD', 'gift'],
    ]);
    expect(order).toMatchObject({ status: 'shipped', currency: 'CNY', payment: { method: 'online', channel: 'alipay' }, shipments: [{ deliveredAt: null, lineIds: order.lines.map((l) => l.lineId) }] });
    expect(order.payment.providerTradeNo).toMatch(/^\d{28}$/);
    // Each unit of a line pays back its share, the last taking the remainder: every unit back = the line's 实付.
    for (const line of order.lines) expect(perUnitAmounts(line.amountPaid, line.unitsBought).reduce((a, b) => a + b, 0)).toBe(line.amountPaid);
    expect(await readOrder(order.orderId)).toEqual(order);
  });

  test('refuses an id taken (409), an inconsistent order naming the field (400), and a malformed body (400)', async () => {
    expect((await create({ orderId: 'o-c1-1001', customerId: 'c-1', lines: [{ sku: 'SKU-1', unitsBought: 1, unitListPrice: 1 }] })).body.error.code).toBe('order_exists');
    const badRefund = await create({ customerId: 'c-x', lines: [{ lineId: 'L1', sku: 'SKU-1', unitsBought: 1, unitListPrice: 100 }], refunds: [{ lineId: 'L1', amount: 101 }] });
    expect([badRefund.status, badRefund.body.error.details.map((d) => d.field)]).toEqual([400, ['refunds']]);
    const codChannel = await create({ customerId: 'c-x', payment: { method: 'cod', channel: 'alipay' }, lines: [{ sku: 'SKU-1', unitsBought: 1, unitListPrice: 100 }] });
    expect([codChannel.status, codChannel.body.error.details.map((d) => d.field)]).toEqual([400, ['payment.channel']]);
    const tooMuchOff = await create({ customerId: 'c-x', discount: 101, lines: [{ sku: 'SKU-1', unitsBought: 1, unitListPrice: 100 }] });
    expect([tooMuchOff.status, tooMuchOff.body.error.details.map((d) => d.field)]).toEqual([400, ['discount']]);
    const malformed = await create({ customerId: 'c-x', lines: [{ sku: 'SKU-1', unitsBought: 0, unitListPrice: 1.5 }] });
    expect([malformed.status, malformed.body.error.details.map((d) => d.field)]).toEqual([400, ['lines.0.unitsBought', 'lines.0.unitListPrice']]);
  });

  test('POST /reset forgets created orders and seeds the dev customers again', async () => {
    expect((await create({ orderId: 'o-temp', customerId: 'c-1', lines: [{ sku: 'SKU-1', unitsBought: 1, unitListPrice: 100 }] })).status).toBe(201);
    await fetch(`${base}/reset`, { method: 'POST' });
    const res = await fetch(`${base}/order-source/v1/orders/o-temp`, { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(404);
    expect((await readOrder('o-c1-1001')).customerId).toBe('c-1');
  });
});
