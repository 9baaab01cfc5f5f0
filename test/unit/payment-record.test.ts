import type { Server } from 'node:http';
import { checkPaymentRecord } from '../../activities/payment-record.activities';
import type { PaymentPort, TradeRecord } from '../../activities/provider-ports';
import { paymentByChannel } from '../../integrations';
import { PaymentClient } from '../../integrations/payment.client';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { close, listen } from './support/provider-test-kit';

// Issue 22: before a refund the payment's own record is checked where the provider offers it
// (activities/payment-record.activities.ts): the sandbox payment service's trade query, its
// adapter, the payment port's routing, and the check itself.

const API_KEY = 'sandbox-trades-key';
let sandbox: Sandbox;
let server: Server;
let payment: PaymentClient;

beforeAll(async () => {
  sandbox = createSandboxApp({ apiKey: API_KEY, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'trades-webhook-secret', trackingStepMs: 1000, settleMs: 60_000 });
  let base: string;
  ({ server, base } = await listen(sandbox.app));
  payment = new PaymentClient({ baseUrl: `${base}/payment`, apiKey: API_KEY, timeoutMs: 2000, retries: 0 });
});
afterAll(async () => {
  sandbox.close();
  await close(server);
});

describe("the sandbox payment service's trade record", () => {
  test("a seeded order's trade: paid as the order, refunded = the shop's refunds outside after-sales plus ours not failed", async () => {
    const online = { paymentMethod: 'online' as const };
    // o-c2-2001: a 5.00 refund the shop made outside after-sales on the mug line.
    const before = await payment.lookUpTrade({ orderId: 'o-c2-2001', ...online });
    expect(before).toMatchObject({ currency: 'CNY', refunded: 500 });
    expect(before!.paid).toBeGreaterThan(500);
    await payment.createRefund({ caseId: 'cs_trade1', orderId: 'o-c2-2001', amount: 1_000, currency: 'CNY', reason: 'refund only', ...online }, 'cs_trade1:refund:1');
    expect(await payment.lookUpTrade({ orderId: 'o-c2-2001', ...online })).toEqual({ ...before, refunded: 1_500 });
    // A refund of another order does not count on this one.
    await payment.createRefund({ caseId: 'cs_trade2', orderId: 'o-c1-1001', amount: 700, currency: 'CNY', reason: 'refund only', ...online }, 'cs_trade2:refund:1');
    expect((await payment.lookUpTrade({ orderId: 'o-c2-2001', ...online }))?.refunded).toBe(1_500);
  });

  test('an order the book does not have, or one not paid yet, has no trade (null)', async () => {
    expect(await payment.lookUpTrade({ orderId: 'o-nowhere', paymentMethod: 'online' })).toBeNull();
  });
});

describe('checkPaymentRecord', () => {
  const port = (trade: TradeRecord | null | Error): Pick<PaymentPort, 'lookUpTrade'> => ({
    lookUpTrade: async () => {
      if (trade instanceof Error) throw trade;
      return trade;
    },
  });
  const input = { orderId: 'o-1', paymentMethod: 'online' as const, amount: 3_000, currency: 'CNY' };

  test('covers when paid less already refunded is at least the refund', async () => {
    expect(await checkPaymentRecord(port({ currency: 'CNY', paid: 5_000, refunded: 2_000 }), input)).toEqual({ offered: true, found: true, paid: 5_000, refunded: 2_000, covers: true });
    expect((await checkPaymentRecord(port({ currency: 'CNY', paid: 5_000, refunded: 2_001 }), input)).covers).toBe(false);
  });

  test('does not cover a trade in another currency, nor a trade the provider does not have', async () => {
    expect((await checkPaymentRecord(port({ currency: 'USD', paid: 9_000, refunded: 0 }), input)).covers).toBe(false);
    expect(await checkPaymentRecord(port(null), input)).toEqual({ offered: true, found: false, paid: null, refunded: null, covers: false });
  });

  test('checks nothing where the provider offers no trade query', async () => {
    expect(await checkPaymentRecord({}, input)).toEqual({ offered: false, found: false, paid: null, refunded: null, covers: true });
    const unsupported = Object.assign(new Error('not supported'), { code: 'not_supported' });
    expect((await checkPaymentRecord(port(unsupported), input)).offered).toBe(false);
  });

  test('throws when the provider cannot answer (the activity is retried)', async () => {
    const down = Object.assign(new Error('503'), { code: 'unavailable' });
    await expect(checkPaymentRecord(port(down), input)).rejects.toBe(down);
  });
});

describe("the payment port's trade query", () => {
  const trade: TradeRecord = { currency: 'CNY', paid: 100, refunded: 0 };
  const service: PaymentPort = {
    createRefund: async () => ({ refundId: 'r', status: 'pending' }),
    issueCoupon: async () => ({ couponId: 'c' }),
    createCollection: async () => ({ collectionId: 'k', status: 'pending' }),
    lookUpTrade: async () => trade,
  };
  const alipay = { createRefund: service.createRefund };

  test('goes to the payment service for cash on delivery and `other`, and is refused as not_supported for a channel with its own adapter', async () => {
    const port = paymentByChannel({ alipay }, 'alipay', service);
    expect(await port.lookUpTrade!({ orderId: 'o-1', paymentMethod: 'cod' })).toBe(trade);
    expect(await port.lookUpTrade!({ orderId: 'o-1', paymentMethod: 'online', paymentChannel: 'other' })).toBe(trade);
    await expect(port.lookUpTrade!({ orderId: 'o-1', paymentMethod: 'online', paymentChannel: 'alipay' })).rejects.toMatchObject({ code: 'not_supported', retryable: false });
    await expect(port.lookUpTrade!({ orderId: 'o-1', paymentMethod: 'online' })).rejects.toMatchObject({ code: 'not_supported' });
  });
});
