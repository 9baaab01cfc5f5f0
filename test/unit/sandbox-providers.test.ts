import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { ProviderError } from '../../integrations/http-client';
import { CourierClient } from '../../integrations/courier.client';
import { InventoryClient } from '../../integrations/inventory.client';
import { NotificationClient } from '../../integrations/notification.client';
import { PaymentClient } from '../../integrations/payment.client';
import { verifyWebhook } from '../../integrations/webhook-signature';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';

const API_KEY = 'sandbox-test-key';
const WEBHOOK_SECRET = 'sandbox-test-webhook-secret';
const STEP_MS = 20;

/** A callback as our receiver got it: raw body, so the signature can be checked over the exact bytes. */
interface ReceivedCallback {
  topic: string;
  signature?: string;
  rawBody: string;
  body: Record<string, unknown>;
}

const received: ReceivedCallback[] = [];
/** How many of the next callbacks the receiver answers 500 (to exercise redelivery). */
let receiverFailuresLeft = 0;
let sandbox: Sandbox;
let sandboxServer: Server;
let receiverServer: Server;
let sandboxUrl: string;
let courier: CourierClient;
let payment: PaymentClient;
let inventory: InventoryClient;
let notification: NotificationClient;

async function listen(app: Express): Promise<{ server: Server; url: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** Polls until `probe` returns a value; fails naming what never happened. */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) {
      const so = JSON.stringify(received.map((r) => r.body));
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; callbacks so far: ${so}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The parts of sandbox answers these tests look at. */
interface SandboxBody {
  error: { code: string; message: string; details: { field: string; message: string }[] };
  messages: { idempotencyKey: string }[];
  callbacks: { state: string; attempts: number }[];
  [other: string]: unknown;
}

/** A raw call to the sandbox (for status codes and headers the clients hide). */
async function call(method: string, path: string, options: { body?: unknown; key?: string; auth?: boolean } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.auth !== false) headers.authorization = `Bearer ${API_KEY}`;
  if (options.key) headers['idempotency-key'] = options.key;
  const res = await fetch(`${sandboxUrl}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as SandboxBody) : undefined };
}

interface Ledger {
  refunds: Record<string, unknown>[];
  shipments: Record<string, unknown>[];
  labels: Record<string, unknown>[];
  coupons: Record<string, unknown>[];
  collections: Record<string, unknown>[];
  investigations: Record<string, unknown>[];
}
const ledger = async () => (await call('GET', '/ledger')).body as unknown as Ledger;
const trackingEvents = (trackingNumber: string) => received.filter((r) => r.topic === 'courier' && r.body.trackingNumber === trackingNumber);

const items = [{ sku: 'SKU-1', quantity: 1, unitPrice: 5900 }];
const refundInput = { caseId: 'case-r1', orderId: 'order-r1', amount: 5900, currency: 'CNY', paymentMethod: 'online' as const, reason: 'return accepted' };
const collectionInput = { caseId: 'case-q1', customerId: 'c-1', amount: 4500, currency: 'CNY', purpose: 'repair_quote' as const };
const paymentCallbacks = () => received.filter((r) => r.topic === 'payment');

beforeAll(async () => {
  const receiver = express();
  receiver.use(express.text({ type: '*/*' }));
  receiver.post('/hooks/:topic', (req, res) => {
    if (receiverFailuresLeft > 0) {
      receiverFailuresLeft -= 1;
      return void res.status(500).end();
    }
    const rawBody = req.body as string;
    const body = JSON.parse(rawBody) as Record<string, unknown>;
    received.push({ topic: String(req.params.topic), signature: req.get('x-signature'), rawBody, body });
    res.status(204).end();
  });
  const r = await listen(receiver);
  receiverServer = r.server;

  sandbox = createSandboxApp({
    apiKey: API_KEY,
    callbackBaseUrl: `${r.url}/hooks`,
    webhookSecret: WEBHOOK_SECRET,
    trackingStepMs: STEP_MS,
    settleMs: STEP_MS,
  });
  const s = await listen(sandbox.app);
  sandboxServer = s.server;
  sandboxUrl = s.url;
  const options = (provider: string) => ({ baseUrl: `${sandboxUrl}/${provider}`, apiKey: API_KEY, timeoutMs: 1000, retryBaseDelayMs: 5 });
  courier = new CourierClient(options('courier'));
  payment = new PaymentClient(options('payment'));
  inventory = new InventoryClient(options('inventory'));
  notification = new NotificationClient(options('notification'));
});

afterAll(async () => {
  sandbox.close();
  await stop(sandboxServer);
  await stop(receiverServer);
});

beforeEach(async () => {
  const reset = await call('POST', '/reset');
  if (reset.status !== 204) throw new Error(`POST /reset answered ${reset.status}`);
  received.length = 0;
  receiverFailuresLeft = 0;
});

describe('the sandbox as a provider', () => {
  it('refuses provider calls without the bearer token, but serves inspection endpoints without one', async () => {
    expect((await call('POST', '/courier/labels', { body: { caseId: 'c', items }, key: 'k', auth: false })).status).toBe(401);
    expect((await call('GET', '/inventory/stock/SKU-1', { auth: false })).status).toBe(401);
    expect((await call('GET', '/healthz', { auth: false })).body).toEqual({ status: 'ok' });
  });

  it('answers bad input with 400 naming every offending field, and unknown routes with a JSON 404', async () => {
    const bad = await call('POST', '/payment/refunds', { body: { caseId: 'c', amount: -1, currency: 'yuan' }, key: 'k' });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.code).toBe('validation_failed');
    expect(bad.body?.error.details.map((d) => d.field)).toEqual(expect.arrayContaining(['amount', 'currency', 'paymentMethod', 'reason']));

    const missing = await call('GET', '/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body?.error.code).toBe('not_found');
  });

  describe('courier', () => {
    it('returns the same return label for a repeated idempotency key (201, then 200)', async () => {
      const first = await call('POST', '/courier/labels', { body: { caseId: 'case-l1', items }, key: 'label-key' });
      const again = await call('POST', '/courier/labels', { body: { caseId: 'case-l1', items }, key: 'label-key' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ carrier: 'SF', labelId: expect.any(String), trackingNumber: expect.any(String), warehouseCode: expect.any(String) });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect((await ledger()).labels).toEqual([expect.objectContaining({ caseId: 'case-l1', idempotencyKey: 'label-key', requests: 2 })]);
    });

    it('answers 409 when an idempotency key is reused for a different request', async () => {
      await courier.createReturnLabel({ caseId: 'case-l2', items }, 'reused-key');
      const clash = await call('POST', '/courier/labels', { body: { caseId: 'another-case', items }, key: 'reused-key' });
      expect(clash.status).toBe(409);
      expect(clash.body?.error.code).toBe('idempotency_key_reused');
    });

    it('sends picked_up, in_transit, delivered for the parcel of a label it issued, once even when subscribed twice', async () => {
      const label = await courier.createReturnLabel({ caseId: 'case-t1', items }, 'label-t1');
      const parcel = { caseId: 'case-t1', trackingNumber: label.trackingNumber, carrier: label.carrier };
      await courier.subscribeTracking(parcel);
      await courier.subscribeTracking(parcel);
      await waitFor('the delivered event', () => trackingEvents(label.trackingNumber).some((r) => r.body.event === 'delivered'));
      await sleep(STEP_MS * 3); // room for any duplicate to show up
      const events = trackingEvents(label.trackingNumber);
      expect(events.map((r) => r.body.event)).toEqual(['picked_up', 'in_transit', 'delivered']);
      expect(new Set(events.map((r) => r.body.eventId)).size).toBe(3);
      for (const event of events) {
        expect(verifyWebhook(event.signature, event.rawBody, WEBHOOK_SECRET)).toEqual({ ok: true });
      }
    });

    it("follows a number it never issued (a customer's own courier) only as far as in_transit: its receipt is the warehouse's scan-in", async () => {
      await courier.subscribeTracking({ caseId: 'case-t3', trackingNumber: 'YT0001', carrier: 'YTO' });
      await waitFor('the in_transit event', () => trackingEvents('YT0001').some((r) => r.body.event === 'in_transit'));
      await sleep(STEP_MS * 4); // room for a delivered that must not come
      expect(trackingEvents('YT0001').map((r) => r.body.event)).toEqual(['picked_up', 'in_transit']);
    });

    it('ends the label parcel of a LOST- item with an exception instead of delivered', async () => {
      const label = await courier.createReturnLabel({ caseId: 'case-t2', items: [{ sku: 'LOST-1', quantity: 1, unitPrice: 100 }] }, 'label-t2');
      expect(label.trackingNumber).toMatch(/LOST$/);
      await courier.subscribeTracking({ caseId: 'case-t2', trackingNumber: label.trackingNumber, carrier: label.carrier });
      await waitFor('the exception event', () => trackingEvents(label.trackingNumber).some((r) => r.body.event === 'exception'));
      expect(trackingEvents(label.trackingNumber).map((r) => r.body.event)).toEqual(['picked_up', 'in_transit', 'exception']);
    });

    it('records a shipment in the ledger and tracks it without a subscription', async () => {
      const shipment = await courier.createShipment({ caseId: 'case-s1', items, purpose: 'replacement' }, 'ship-key');
      expect((await ledger()).shipments).toEqual([
        expect.objectContaining({ shipmentId: shipment.shipmentId, caseId: 'case-s1', purpose: 'replacement', idempotencyKey: 'ship-key' }),
      ]);
      await waitFor('the shipment to be delivered', () => trackingEvents(shipment.trackingNumber).some((r) => r.body.event === 'delivered'));
    });

    it('gives a parcel holding a LOST- SKU a tracking number ending in LOST', async () => {
      const shipment = await courier.createShipment({ caseId: 'case-s2', items: [{ sku: 'LOST-1', quantity: 1, unitPrice: 100 }], purpose: 'reship' }, 'k');
      expect(shipment.trackingNumber).toMatch(/LOST$/);
    });

    it('opens an investigation once per idempotency key', async () => {
      const first = await courier.openInvestigation({ caseId: 'case-i1', trackingNumber: 'SF123LOST', kind: 'lost' }, 'inv-key');
      const again = await courier.openInvestigation({ caseId: 'case-i1', trackingNumber: 'SF123LOST', kind: 'lost' }, 'inv-key');
      expect(again).toEqual(first);
      expect((await ledger()).investigations).toHaveLength(1);
    });
  });

  describe('payment', () => {
    it('executes a refund once however often its key is presented', async () => {
      const first = await payment.createRefund(refundInput, 'refund-key');
      const again = await payment.createRefund(refundInput, 'refund-key');
      expect(first).toEqual({ refundId: expect.any(String), status: 'pending' });
      expect(again).toEqual(first);
      expect((await ledger()).refunds).toEqual([
        expect.objectContaining({ refundId: first.refundId, caseId: 'case-r1', amount: 5900, idempotencyKey: 'refund-key', requests: 2 }),
      ]);
    });

    it('requires an idempotency key for a refund', async () => {
      const res = await call('POST', '/payment/refunds', { body: refundInput });
      expect(res.status).toBe(400);
      expect(res.body?.error.details).toEqual([{ field: 'Idempotency-Key', message: 'required' }]);
      expect((await ledger()).refunds).toHaveLength(0);
    });

    it('settles a refund with a signed callback that verifies against the webhook secret', async () => {
      const refund = await payment.createRefund(refundInput, 'settle-key');
      const callback = await waitFor('the settlement callback', () => received.find((r) => r.topic === 'payment'));
      expect(callback.body).toEqual({
        eventId: expect.any(String),
        refundId: refund.refundId,
        merchantReference: 'case-r1',
        status: 'succeeded',
        at: expect.any(String),
      });
      expect(verifyWebhook(callback.signature, callback.rawBody, WEBHOOK_SECRET)).toEqual({ ok: true });
      expect((await ledger()).refunds[0]).toMatchObject({ status: 'succeeded', settledAt: expect.any(String) });
    });

    it('settles an amount ending in 13 as failed, with a reason', async () => {
      await payment.createRefund({ ...refundInput, amount: 1013 }, 'failing-key');
      const callback = await waitFor('the settlement callback', () => received.find((r) => r.topic === 'payment'));
      expect(callback.body).toMatchObject({ status: 'failed', reason: expect.any(String) });
    });

    it('redelivers a callback the receiver refused', async () => {
      receiverFailuresLeft = 1;
      await payment.createRefund(refundInput, 'redeliver-key');
      const callback = await waitFor('the redelivered callback', () => received.find((r) => r.topic === 'payment'), 3000);
      expect(verifyWebhook(callback.signature, callback.rawBody, WEBHOOK_SECRET)).toEqual({ ok: true });
      const deliveries = (await call('GET', '/callbacks')).body?.callbacks;
      expect(deliveries).toEqual([expect.objectContaining({ state: 'delivered', attempts: 2 })]);
    });

    it("answers a refund's own record by its id (pending, then settled), and not_found for an id it never gave", async () => {
      const refund = await payment.createRefund(refundInput, 'look-up-key');
      expect(await payment.lookUpRefund({ orderId: 'o', refundId: refund.refundId, paymentMethod: 'online' })).toEqual({ status: 'pending', amount: 5900 });
      await waitFor('the settlement callback', () => received.find((r) => r.topic === 'payment'));
      expect(await payment.lookUpRefund({ orderId: 'o', refundId: refund.refundId, paymentMethod: 'online' })).toEqual({ status: 'succeeded', amount: 5900, at: expect.any(String) });
      expect(await payment.lookUpRefund({ orderId: 'o', refundId: 're_unknown', paymentMethod: 'online' })).toEqual({ status: 'not_found' });
    });

    it("answers a collection's own record by its id, and not_found for an id it never gave", async () => {
      const asked = await payment.createCollection({ caseId: 'case-q1', customerId: 'c-1', amount: 4514, currency: 'CNY', purpose: 'repair_quote' }, 'look-up-collection');
      expect(await payment.lookUpCollection({ collectionId: asked.collectionId })).toEqual({ status: 'pending', amount: 4514 });
      expect(await payment.lookUpCollection({ collectionId: 'col_unknown' })).toEqual({ status: 'not_found' });
    });

    it('issues a coupon into the ledger', async () => {
      const coupon = await payment.issueCoupon({ caseId: 'case-c1', customerId: 'c-1', amount: 1000, currency: 'CNY' }, 'coupon-key');
      expect((await ledger()).coupons).toEqual([expect.objectContaining({ couponId: coupon.couponId, customerId: 'c-1', amount: 1000 })]);
    });
  });

  describe('payment collections', () => {
    it('asks the customer to pay once however often the key is presented, and shows the collection in the ledger', async () => {
      const first = await payment.createCollection(collectionInput, 'collect-key');
      const again = await call('POST', '/payment/collections', { body: collectionInput, key: 'collect-key' });
      expect(first).toEqual({ collectionId: expect.stringMatching(/^col_/), status: 'pending' });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first);
      expect((await ledger()).collections).toEqual([
        expect.objectContaining({
          collectionId: first.collectionId,
          caseId: 'case-q1',
          customerId: 'c-1',
          amount: 4500,
          purpose: 'repair_quote',
          idempotencyKey: 'collect-key',
          requests: 2,
        }),
      ]);
    });

    it('keeps collection keys apart from refund keys, and refuses a reused key with another body', async () => {
      await payment.createRefund(refundInput, 'shared-key');
      await expect(payment.createCollection(collectionInput, 'shared-key')).resolves.toMatchObject({ status: 'pending' });
      const clash = await call('POST', '/payment/collections', { body: { ...collectionInput, amount: 9900 }, key: 'shared-key' });
      expect(clash.status).toBe(409);
      expect(clash.body?.error.code).toBe('idempotency_key_reused');
    });

    it('answers 400 naming the fields of a bad collection, and a missing key, without recording anything', async () => {
      const bad = await call('POST', '/payment/collections', { body: { caseId: 'c', amount: 0, currency: 'CNY', purpose: 'tip' }, key: 'k' });
      expect(bad.status).toBe(400);
      expect(bad.body?.error.details.map((d) => d.field).sort()).toEqual(['amount', 'customerId', 'purpose']);
      const keyless = await call('POST', '/payment/collections', { body: collectionInput });
      expect(keyless.body?.error.details).toEqual([{ field: 'Idempotency-Key', message: 'required' }]);
      expect((await ledger()).collections).toEqual([]);
    });

    it('settles a collection with a signed callback naming the collection and our case id, not a refund', async () => {
      const collection = await payment.createCollection(collectionInput, 'paid-key');
      const callback = await waitFor('the collection callback', () => paymentCallbacks()[0]);
      expect(callback.body).toEqual({
        eventId: expect.any(String),
        collectionId: collection.collectionId,
        merchantReference: 'case-q1',
        status: 'succeeded',
        at: expect.any(String),
      });
      expect(verifyWebhook(callback.signature, callback.rawBody, WEBHOOK_SECRET)).toEqual({ ok: true });
      expect((await ledger()).collections[0]).toMatchObject({ status: 'succeeded', settledAt: callback.body.at });
    });

    it('settles a collection whose amount ends in 13 as failed, with a reason', async () => {
      await payment.createCollection({ ...collectionInput, amount: 4513 }, 'declined-key');
      const callback = await waitFor('the collection callback', () => paymentCallbacks()[0]);
      expect(callback.body).toMatchObject({ status: 'failed', reason: 'payment_declined' });
      expect((await ledger()).collections[0]).toMatchObject({ status: 'failed', failureReason: 'payment_declined' });
    });

    it('never settles a collection whose amount ends in 14 on its own: the customer ignores the payment link', async () => {
      await payment.createCollection({ ...collectionInput, amount: 4514 }, 'ignored-key');
      await payment.createCollection({ ...collectionInput, caseId: 'case-q2' }, 'paid-key');
      // The ordinary collection created after it settles; the ignored one is still pending well past the delay.
      await waitFor('the ordinary collection to settle', () => paymentCallbacks()[0]);
      await sleep(STEP_MS * 4);
      expect(paymentCallbacks().map((r) => r.body.merchantReference)).toEqual(['case-q2']);
      expect((await ledger()).collections.map((c) => [c.amount, c.status])).toEqual([
        [4514, 'pending'],
        [4500, 'succeeded'],
      ]);
    });

    it('lets a test mark a pending collection paid or failed by hand, once', async () => {
      const paid = await payment.createCollection({ ...collectionInput, amount: 4514 }, 'by-hand-paid');
      const failed = await payment.createCollection({ ...collectionInput, caseId: 'case-q3', amount: 614 }, 'by-hand-failed');

      const settled = await call('POST', `/collections/${paid.collectionId}/settle`, { body: { status: 'succeeded' }, auth: false });
      expect(settled.status).toBe(200);
      expect(settled.body).toMatchObject({ collectionId: paid.collectionId, status: 'succeeded', settledAt: expect.any(String) });
      await call('POST', `/collections/${failed.collectionId}/settle`, { body: { status: 'failed', reason: 'card_expired' }, auth: false });

      await waitFor('both callbacks', () => paymentCallbacks().length === 2);
      expect(paymentCallbacks().map((r) => r.body)).toEqual([
        expect.objectContaining({ collectionId: paid.collectionId, merchantReference: 'case-q1', status: 'succeeded' }),
        expect.objectContaining({ collectionId: failed.collectionId, merchantReference: 'case-q3', status: 'failed', reason: 'card_expired' }),
      ]);

      const twice = await call('POST', `/collections/${paid.collectionId}/settle`, { body: { status: 'failed' }, auth: false });
      expect(twice.status).toBe(409);
      expect(twice.body?.error.code).toBe('already_settled');
      expect((await call('POST', '/collections/col_nope/settle', { body: { status: 'succeeded' }, auth: false })).status).toBe(404);
      const bad = await call('POST', `/collections/${failed.collectionId}/settle`, { body: { status: 'paid' }, auth: false });
      expect(bad.status).toBe(400);
      expect(bad.body?.error.details.map((d) => d.field)).toEqual(['status']);
      await sleep(STEP_MS * 2);
      expect(paymentCallbacks()).toHaveLength(2);
    });

    it('sends one callback for a collection settled by hand before its delay ran out', async () => {
      const slow = createSandboxApp({
        apiKey: API_KEY,
        callbackBaseUrl: `http://127.0.0.1:${(receiverServer.address() as AddressInfo).port}/hooks`,
        webhookSecret: WEBHOOK_SECRET,
        trackingStepMs: STEP_MS,
        settleMs: STEP_MS * 5,
      });
      const { server, url } = await listen(slow.app);
      try {
        const client = new PaymentClient({ baseUrl: `${url}/payment`, apiKey: API_KEY, timeoutMs: 1000 });
        const collection = await client.createCollection(collectionInput, 'early-key');
        const settled = await fetch(`${url}/collections/${collection.collectionId}/settle`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'failed' }),
        });
        expect(settled.status).toBe(200);
        await sleep(STEP_MS * 8);
        expect(paymentCallbacks().map((r) => r.body.status)).toEqual(['failed']);
      } finally {
        slow.close();
        await stop(server);
      }
    });
  });

  describe('inventory', () => {
    it('has every SKU in stock except those starting with OOS-', async () => {
      await expect(inventory.checkStock('SKU-1', 2)).resolves.toEqual({ available: true });
      await expect(inventory.checkStock('OOS-SHOE-42', 1)).resolves.toEqual({ available: false });
    });

    it('knows the price and category of a catalog SKU, and answers null for a SKU the shop does not sell', async () => {
      await expect(inventory.catalogItem('SKU-LAMP-1')).resolves.toEqual({ sku: 'SKU-LAMP-1', unitPrice: 8800, category: 'lighting' });
      await expect(inventory.catalogItem('SKU-NOT-SOLD')).resolves.toBeNull();
      const raw = await call('GET', '/inventory/catalog/SKU-NOT-SOLD');
      expect(raw.status).toBe(404);
      expect(raw.body?.error.code).toBe('unknown_sku');
      // The out-of-stock lamp is sold (in the catalog) but not in stock: the two conventions are independent.
      await expect(inventory.catalogItem('OOS-LAMP-1')).resolves.toMatchObject({ unitPrice: 8800, category: 'lighting' });
      await expect(inventory.checkStock('OOS-LAMP-1', 1)).resolves.toEqual({ available: false });
    });

    it('lets a test set, add and remove catalog items, and goes back to the seeded catalog on reset', async () => {
      const seeded = (await call('GET', '/catalog')).body?.items;
      expect(seeded).toEqual(expect.arrayContaining([{ sku: 'SKU-LAMP-2', unitPrice: 8800, category: 'lighting' }]));

      expect((await call('PUT', '/catalog/SKU-LAMP-1', { body: { unitPrice: 9900, category: 'lighting' }, auth: false })).status).toBe(200);
      await call('PUT', '/catalog/SKU-NEW-1', { body: { unitPrice: 100, category: 'stationery' }, auth: false });
      expect((await call('DELETE', '/catalog/SKU-MUG-1', { auth: false })).status).toBe(204);
      await expect(inventory.catalogItem('SKU-LAMP-1')).resolves.toMatchObject({ unitPrice: 9900 });
      await expect(inventory.catalogItem('SKU-NEW-1')).resolves.toEqual({ sku: 'SKU-NEW-1', unitPrice: 100, category: 'stationery' });
      await expect(inventory.catalogItem('SKU-MUG-1')).resolves.toBeNull();
      expect((await call('DELETE', '/catalog/SKU-MUG-1', { auth: false })).status).toBe(404);

      await call('POST', '/reset');
      expect((await call('GET', '/catalog')).body?.items).toEqual(seeded);
    });

    it('answers 400 naming the fields of a bad catalog item', async () => {
      const bad = await call('PUT', '/catalog/SKU-X', { body: { unitPrice: 12.5 }, auth: false });
      expect(bad.status).toBe(400);
      expect(bad.body?.error.details.map((d) => d.field).sort()).toEqual(['category', 'unitPrice']);
      await expect(inventory.catalogItem('SKU-X')).resolves.toBeNull();
    });

    it('reports a 404 that is not unknown_sku (a wrong base URL) as an error, not as a SKU the shop does not sell', async () => {
      const misplaced = new InventoryClient({ baseUrl: `${sandboxUrl}/not-inventory`, apiKey: API_KEY, timeoutMs: 1000 });
      await expect(misplaced.catalogItem('SKU-LAMP-1')).rejects.toMatchObject({ name: 'ProviderError', status: 404, code: 'not_found', retryable: false });
    });
  });

  describe('notification', () => {
    it('puts each message in the outbox once per key, filterable by case, template and recipient', async () => {
      const customer = { kind: 'customer' as const, customerId: 'c-1' };
      const lead = { kind: 'staff' as const, address: 'lead@shop.example' };
      const toCustomer = { caseId: 'case-n1', recipient: customer, template: 'case_opened', params: { caseId: 'case-n1' } };
      const toStaff = { caseId: 'case-n1', recipient: lead, template: 'sla_breached', params: { level: 1 } };
      const other = { ...toCustomer, caseId: 'case-n2', params: {} };
      const first = await notification.send(toCustomer, 'n-1');
      expect(await notification.send(toCustomer, 'n-1')).toEqual(first);
      await notification.send(toStaff, 'n-2');
      await notification.send(other, 'n-3');

      const outbox = async (query: string) => (await call('GET', `/outbox?${query}`)).body?.messages.map((m) => m.idempotencyKey);
      expect(await outbox('')).toEqual(['n-1', 'n-2', 'n-3']);
      expect(await outbox('caseId=case-n1')).toEqual(['n-1', 'n-2']);
      expect(await outbox('template=sla_breached')).toEqual(['n-2']);
      expect(await outbox('recipient=c-1')).toEqual(['n-1', 'n-3']);
      expect(await outbox('recipient=lead%40shop.example')).toEqual(['n-2']);
      expect((await call('GET', '/outbox?caseId=case-n1&template=case_opened')).body?.messages).toEqual([
        {
          messageId: first.messageId,
          caseId: 'case-n1',
          recipient: customer,
          template: 'case_opened',
          params: { caseId: 'case-n1' },
          at: expect.any(String),
          idempotencyKey: 'n-1',
        },
      ]);
    });
  });

  describe('fault injection', () => {
    it('answers 503 at errorRate 1 without executing anything, and the client reports a retryable ProviderError', async () => {
      expect((await call('POST', '/faults', { body: { provider: 'payment', errorRate: 1, delayMs: 0 }, auth: false })).status).toBe(200);
      expect((await call('GET', '/faults')).body).toEqual({ faults: { payment: { errorRate: 1, delayMs: 0 } } });

      const err = await payment.createRefund(refundInput, 'faulted-key').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ provider: 'payment', status: 503, retryable: true });
      expect((await ledger()).refunds).toHaveLength(0);
      // Other providers are unaffected.
      await expect(inventory.checkStock('SKU-1', 1)).resolves.toEqual({ available: true });

      expect((await call('DELETE', '/faults')).status).toBe(204);
      await expect(payment.createRefund(refundInput, 'faulted-key')).resolves.toMatchObject({ status: 'pending' });
    });

    it('delays calls by delayMs, so a short client timeout fires', async () => {
      await call('POST', '/faults', { body: { provider: 'inventory', delayMs: 200 }, auth: false });
      const impatient = new InventoryClient({ baseUrl: `${sandboxUrl}/inventory`, apiKey: API_KEY, timeoutMs: 50, retries: 0 });
      await expect(impatient.checkStock('SKU-1', 1)).rejects.toMatchObject({ retryable: true, message: expect.stringContaining('timed out') });
    });

    it('never faults callbacks', async () => {
      await payment.createRefund(refundInput, 'cb-key');
      await call('POST', '/faults', { body: { provider: 'payment', errorRate: 1 }, auth: false });
      await waitFor('the settlement callback despite the payment fault', () => received.find((r) => r.topic === 'payment'));
    });
  });
});

describe('closing the sandbox', () => {
  it('cancels pending settlements and tracking events', async () => {
    const receiverPort = (receiverServer.address() as AddressInfo).port;
    const local = createSandboxApp({
      apiKey: API_KEY,
      callbackBaseUrl: `http://127.0.0.1:${receiverPort}/hooks`,
      webhookSecret: WEBHOOK_SECRET,
      // Long enough that a loaded machine still closes the sandbox before anything is due.
      trackingStepMs: STEP_MS * 25,
      settleMs: STEP_MS * 25,
    });
    const { server, url } = await listen(local.app);
    try {
      const client = new PaymentClient({ baseUrl: `${url}/payment`, apiKey: API_KEY, timeoutMs: 1000 });
      await client.createRefund({ ...refundInput, caseId: 'case-closing' }, 'close-key');
      const localCourier = new CourierClient({ baseUrl: `${url}/courier`, apiKey: API_KEY, timeoutMs: 1000 });
      await localCourier.subscribeTracking({ caseId: 'c', trackingNumber: 'CLOSE1', carrier: 'SF' });
      local.close();
      await sleep(STEP_MS * 30);
      // Only this sandbox's callbacks count: another test's sandbox may still deliver into the shared receiver.
      const fromClosed = received.filter((r) => r.body.merchantReference === 'case-closing' || r.body.trackingNumber === 'CLOSE1');
      expect(fromClosed).toEqual([]);
    } finally {
      await stop(server);
    }
  });
});
