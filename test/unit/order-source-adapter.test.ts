import type { Server } from 'node:http';
import express from 'express';
import { loadConfig } from '../../config/env';
import { orderSourceOf } from '../../integrations';
import { CircuitOpenError } from '../../integrations/circuit-breaker';
import { OrderSourceClient } from '../../integrations/order-source.client';
import { signOrderSourceRequest, verifyOrderSourceRequest } from '../../integrations/order-source.protocol';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { close, listen, providerErrorOf } from './support/provider-test-kit';

// The order-source adapter (integrations/order-source.client.ts): its two ways to authenticate
// against the sandbox's order service, its retries and timeouts (JsonHttpClient), and its circuit
// breaker over whole reads. The answers' shapes are the contract test's (order-source-contract.test.ts).

const API_KEY = 'order-source-adapter-key';

describe('against the sandbox: bearer token or HMAC signature', () => {
  let sandbox: Sandbox;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    sandbox = createSandboxApp({ apiKey: API_KEY, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'adapter-webhook-secret', trackingStepMs: 1000, settleMs: 1000 });
    ({ server, base } = await listen(sandbox.app));
  });
  afterAll(async () => {
    sandbox.close();
    await close(server);
  });
  afterEach(async () => {
    await fetch(`${base}/faults`, { method: 'DELETE' });
  });

  const client = (auth: ConstructorParameters<typeof OrderSourceClient>[0]['auth'], extra: Partial<ConstructorParameters<typeof OrderSourceClient>[0]> = {}) =>
    new OrderSourceClient({ baseUrl: `${base}/order-source`, auth, timeoutMs: 1000, retryBaseDelayMs: 1, ...extra });

  test('reads an order with the bearer token, and with requests signed by the shared secret', async () => {
    expect((await client({ kind: 'bearer', token: API_KEY }).order('o-c1-1001'))?.order.customerId).toBe('c-1');
    expect((await client({ kind: 'hmac', secret: API_KEY }).order('o-c1-1001'))?.order.customerId).toBe('c-1');
    const page = await client({ kind: 'hmac', secret: API_KEY }).customerOrders('c-1', { limit: 2 });
    expect(page.orders.map((o) => o.orderId)).toEqual(['o-c1-1004', 'o-c1-1003']);
  });

  test('an id of . or .. (which a URL resolves away) is no order and a customer without orders, not a failure of the source', async () => {
    const bearer = client({ kind: 'bearer', token: API_KEY }, { breaker: { failureThreshold: 1 } });
    for (const id of ['.', '..']) {
      expect(await bearer.order(id)).toBeNull();
      expect(await bearer.customerOrders(id)).toEqual({ version: '1.0', orders: [], nextCursor: null });
    }
    expect(bearer.breaker.state()).toBe('closed');
  });

  test('a wrong token or secret is a final 401, and does not count against the source (the circuit stays closed)', async () => {
    const wrongToken = client({ kind: 'bearer', token: 'wrong' }, { breaker: { failureThreshold: 1 } });
    expect(await providerErrorOf(wrongToken.order('o-c1-1001'), 'wrong token')).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    const wrongSecret = client({ kind: 'hmac', secret: 'another-secret-of-16' }, { breaker: { failureThreshold: 1 } });
    expect(await providerErrorOf(wrongSecret.order('o-c1-1001'), 'wrong secret')).toMatchObject({ status: 401, code: 'invalid_signature', retryable: false });
    expect([wrongToken.breaker.state(), wrongSecret.breaker.state()]).toEqual(['closed', 'closed']);
  });

  test('the signature covers the timestamp, the method and the target: a replayed one on another path or a stale one is refused', () => {
    const now = 1_800_000_000;
    const header = signOrderSourceRequest('GET', '/v1/orders/o-c1-1001', API_KEY, now);
    expect(verifyOrderSourceRequest(header, 'GET', '/v1/orders/o-c1-1001', API_KEY, now)).toEqual({ ok: true });
    expect(verifyOrderSourceRequest(header, 'GET', '/v1/orders/o-c2-2001', API_KEY, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyOrderSourceRequest(header, 'GET', '/v1/customers/c-1/orders?limit=100', API_KEY, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyOrderSourceRequest(header, 'GET', '/v1/orders/o-c1-1001', API_KEY, now + 301)).toEqual({ ok: false, reason: 'expired' });
  });

  test('an unavailable source is retried, then a retryable error; after 5 failed reads the circuit opens and reads fail at once', async () => {
    await fetch(`${base}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'orders', errorRate: 1 }) });
    const clock = { now: 0 };
    const orders = client({ kind: 'bearer', token: API_KEY }, { breaker: { now: () => clock.now } });
    const first = await providerErrorOf(orders.order('o-c1-1001'), 'faulted read');
    expect(first).toMatchObject({ status: 503, code: 'fault_injected', retryable: true });
    expect(first.message).toContain('(3 attempts)');
    for (let i = 0; i < 4; i++) await providerErrorOf(orders.order('o-c1-1001'), `faulted read ${i + 2}`);
    expect(orders.breaker.state()).toBe('open');
    await fetch(`${base}/faults`, { method: 'DELETE' });
    // The source is back, but the circuit is open until its delay runs out.
    expect(await orders.order('o-c1-1001').catch((e: unknown) => e)).toBeInstanceOf(CircuitOpenError);
    clock.now = 10_000;
    expect((await orders.order('o-c1-1001'))?.order.orderId).toBe('o-c1-1001');
    expect(orders.breaker.state()).toBe('closed');
  });

  test('the adapter built from the configuration reads the sandbox (ORDER_SOURCE=sandbox, its URL and key)', async () => {
    const source = orderSourceOf(loadConfig({ ORDER_SOURCE_BASE_URL: `${base}/order-source`, ORDER_SOURCE_TOKEN: API_KEY }));
    expect(source.version).toBe('1.0');
    expect((await source.order('o-c2-2001'))?.order.customerId).toBe('c-2');
  });
});

describe('timeouts', () => {
  let server: Server;
  let base: string;
  let requests = 0;

  beforeAll(async () => {
    const app = express();
    app.use((_req, res) => {
      requests++;
      setTimeout(() => res.json({}), 300);
    });
    ({ server, base } = await listen(app));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await close(server);
  });

  test('an attempt that outlives the timeout is abandoned and retried; then a retryable timeout', async () => {
    const orders = new OrderSourceClient({ baseUrl: base, auth: { kind: 'bearer', token: 't' }, timeoutMs: 100, retries: 1, retryBaseDelayMs: 1 });
    const error = await providerErrorOf(orders.order('o-1'), 'slow source');
    expect(error).toMatchObject({ retryable: true, provider: 'orders' });
    expect(error.message).toContain('timed out after 100ms (2 attempts)');
    expect(requests).toBe(2);
  });
});
