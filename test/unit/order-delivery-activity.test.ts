import { readOrderDelivery } from '../../activities/order-delivery.activities';
import { createActivities } from '../../activities';
import { ProviderError } from '../../domain/provider-error';
import { deliveryCheck, deliveryReadAtOpening, readsDeliveryBeforePaying } from '../../domain/delivery-check';
import type { OrderRead, OrderSource, SourceOrder } from '../../domain/order-source';

const NOW = new Date('2026-12-08T01:00:00.000Z');

/** An order with the given parcels' delivery times (null: on its way). */
function orderWith(deliveries: (string | null)[]): SourceOrder {
  return {
    orderId: 'o-1',
    customerId: 'c-1',
    status: 'shipped',
    placedAt: '2026-12-01T00:00:00.000Z',
    currency: 'CNY',
    payment: { method: 'online', channel: 'alipay', providerTradeNo: 'T-1', paidAt: '2026-12-01T00:00:00.000Z', amount: 5900 },
    shipments: deliveries.map((deliveredAt, i) => ({ carrier: 'SF', trackingNumber: `SF-${i}`, shippedAt: '2026-12-02T00:00:00.000Z', deliveredAt, lineIds: ['o-1-L1'] })),
    freightInsurance: false,
    refunds: [],
    lines: [{ lineId: 'o-1-L1', sku: 'SKU-1', title: 'Lamp', imageUrl: null, category: 'general', unitsBought: 1, unitListPrice: 5900, amountPaid: 5900 }],
  };
}

/** A fake order source over a map of orders; `failWith` makes every read throw. */
function fakeSource(orders: Record<string, SourceOrder>, failWith?: Error): OrderSource & { reads: string[] } {
  const reads: string[] = [];
  return {
    version: '1.0',
    reads,
    async order(orderId): Promise<OrderRead | null> {
      reads.push(orderId);
      if (failWith) throw failWith;
      const order = orders[orderId];
      return order ? { version: '1.0', order } : null;
    },
    async customerOrders() {
      return { version: '1.0', orders: [], nextCursor: null };
    },
  };
}

describe('readOrderDelivery', () => {
  it('answers the latest 签收 of the order and when it was read', async () => {
    const source = fakeSource({ 'o-1': orderWith(['2026-12-03T02:00:00.000Z', null, '2026-12-04T05:00:00.000Z']) });
    await expect(readOrderDelivery(source, 'o-1', () => NOW)).resolves.toEqual({ orderFound: true, deliveredAt: '2026-12-04T05:00:00.000Z', readAt: NOW.toISOString() });
    expect(source.reads).toEqual(['o-1']);
  });

  it('answers no delivery while every parcel is on its way', async () => {
    const source = fakeSource({ 'o-1': orderWith([null]) });
    await expect(readOrderDelivery(source, 'o-1', () => NOW)).resolves.toEqual({ orderFound: true, deliveredAt: null, readAt: NOW.toISOString() });
  });

  it('answers an order the source does not know as not found, never as not delivered', async () => {
    const read = await readOrderDelivery(fakeSource({}), 'o-404', () => NOW);
    expect(read).toEqual({ orderFound: false, deliveredAt: null, readAt: NOW.toISOString() });
    expect(deliveryCheck(undefined, read)).toBe('order_unknown');
  });

  it('throws when the source cannot answer, so that the activity is retried', async () => {
    const down = new ProviderError('GET /v1/orders/o-1 failed: 503', { provider: 'orders', status: 503, retryable: true });
    await expect(readOrderDelivery(fakeSource({}, down), 'o-1')).rejects.toBe(down);
  });

  it('throws when no source is wired', async () => {
    await expect(readOrderDelivery(undefined, 'o-1')).rejects.toThrow('no order source');
  });

  it('is the activity the workers get, over their order source; a refused read stays retryable', async () => {
    const noop = async () => undefined;
    const deps = {
      courier: { createReturnLabel: noop, createShipment: noop, subscribeTracking: noop, openInvestigation: noop },
      payment: { createRefund: noop, issueCoupon: noop, createCollection: noop },
      inventory: { checkStock: noop, catalogItem: noop },
      notification: { send: noop },
      readModel: { upsertCase: noop, recordEscalation: noop, releaseOpenCaseLocks: noop },
      ledger: { reserve: noop, settle: noop, orderLines: noop },
    } as unknown as Parameters<typeof createActivities>[0];
    const delivered = createActivities({ ...deps, orderSource: fakeSource({ 'o-1': orderWith(['2026-12-03T02:00:00.000Z']) }) });
    await expect(delivered.readOrderDelivery({ orderId: 'o-1' })).resolves.toMatchObject({ orderFound: true, deliveredAt: '2026-12-03T02:00:00.000Z' });
    // A 401 (a wrong credential) is final for the adapter but not for the case: the read waits until it is fixed.
    const refused = new ProviderError('GET /v1/orders/o-1 failed: 401', { provider: 'orders', status: 401, retryable: false });
    const failing = createActivities({ ...deps, orderSource: fakeSource({}, refused) });
    const err = await failing.readOrderDelivery({ orderId: 'o-1' }).catch((e: unknown) => e);
    expect(err).toBe(refused);
    expect(err).not.toHaveProperty('nonRetryable', true);
  });
});

describe('deliveryCheck', () => {
  const read = (deliveredAt: string | null) => ({ orderFound: true, deliveredAt, readAt: NOW.toISOString() });

  it('confirms the same delivery (the same instant, however written) or still none', () => {
    expect(deliveryCheck(undefined, read(null))).toBe('confirmed');
    expect(deliveryCheck('2026-12-03T10:00:00+08:00', read('2026-12-03T02:00:00.000Z'))).toBe('confirmed');
  });

  it('names a parcel signed for after a case opened on none', () => {
    expect(deliveryCheck(undefined, read('2026-12-05T02:00:00.000Z'))).toBe('signed_after_opening');
  });

  it('names any other difference a change', () => {
    expect(deliveryCheck('2026-12-03T02:00:00.000Z', read('2026-12-05T02:00:00.000Z'))).toBe('changed');
    expect(deliveryCheck('2026-12-03T02:00:00.000Z', read(null))).toBe('changed');
  });
});

describe('readsDeliveryBeforePaying', () => {
  const orderRead = { version: '1.0', readAt: NOW.toISOString() };

  it('is a not_received refund only and every reship', () => {
    expect(readsDeliveryBeforePaying({ type: 'refund_only', reason: { code: 'not_received' }, orderRead })).toBe(true);
    expect(readsDeliveryBeforePaying({ type: 'refund_only', reason: { code: 'wrong_item' }, orderRead })).toBe(false);
    expect(readsDeliveryBeforePaying({ type: 'reship', reason: { code: 'damaged_in_transit' }, orderRead })).toBe(true);
    expect(readsDeliveryBeforePaying({ type: 'return', reason: { code: 'not_received' }, orderRead })).toBe(false);
  });

  it('is none of a case opened on claimed facts (no orderRead): there is nothing of the source to compare with', () => {
    expect(deliveryReadAtOpening({})).toBe(false);
    expect(readsDeliveryBeforePaying({ type: 'refund_only', reason: { code: 'not_received' } })).toBe(false);
    expect(readsDeliveryBeforePaying({ type: 'reship', reason: { code: 'not_received' } })).toBe(false);
  });
});
