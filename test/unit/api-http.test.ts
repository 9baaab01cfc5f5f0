import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { onlinePaymentProviders } from '../../config/env';
import { createApiApp } from '../../api/app';
import { TokenRegistry } from '../../api/auth';
import { unavailable } from '../../api/errors';
import { PolicyProvider } from '../../api/policy-provider';
import type { StoreAccess, StoreServices } from '../../api/store-access';
import { signWebhook } from '../../integrations/webhook-signature';
import { InvalidCursorError } from '../../store/case-list.cursor';
import { ProviderError } from '../../domain/provider-error';
import { CircuitOpenError } from '../../integrations/circuit-breaker';
import { OrderBookSource } from './support/order-book-source';

/** The shop's orders the API reads (the sandbox's order book, in memory). */
const orderSource = new OrderBookSource();

// The HTTP behaviour that needs no Temporal server: every answer here is given before a
// workflow would be started, and the Temporal client below fails the test if it is touched.

const NOW = Date.parse('2026-04-20T08:00:00Z');
const SECRET = 'unit-test-webhook-secret';

const temporalCalls: string[] = [];
const untouchableTemporal = new Proxy(
  {},
  {
    get(_target, property) {
      temporalCalls.push(String(property));
      throw new Error(`Temporal client used: ${String(property)}`);
    },
  },
);
const client = {
  workflow: untouchableTemporal,
  withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
  connection: { workflowService: { getSystemInfo: () => Promise.reject(new Error('Temporal down')) } },
} as unknown as Client;

const listed: unknown[] = [];
const storeServices: StoreServices = {
  readModel: {
    getCase: () => Promise.resolve(null),
    listCases: (query) => {
      listed.push(query);
      if (query.cursor === 'bad') return Promise.reject(new InvalidCursorError('cursor is malformed'));
      return Promise.resolve({ items: [], nextCursor: null });
    },
    findCaseIdByTrackingNumber: () => Promise.resolve(null),
    findOpenCaseIdsByTrackingNumber: () => Promise.resolve([]),
    findCaseIdByRefundId: () => Promise.resolve(null),
  },
  openingWriter: { insertOpeningCase: () => Promise.reject(new Error('no case may open in this test')) },
  locks: {
    acquire: () => Promise.reject(new Error('locks must not be reached')),
    release: () => Promise.resolve(),
    releaseKey: () => Promise.resolve(false),
  },
  ledger: { orderLines: () => Promise.resolve([]), orderLedger: () => Promise.resolve([]) },
  slaReport: () => Promise.resolve({ fake: true } as never),
  ping: () => Promise.resolve(),
};
let storeUp = true;
const store: StoreAccess = {
  get: () => {
    if (!storeUp) throw unavailable('read_model_unavailable', 'not connected');
    return storeServices;
  },
};

const tokens = new TokenRegistry({
  tokens: [
    { token: 'customer-c1', role: 'customer', customerId: 'c-1' },
    { token: 'agent-li', role: 'agent', name: 'li.wei' },
    { token: 'supervisor-zhang', role: 'supervisor', name: 'zhang.min' },
    { token: 'limited-agent', role: 'agent', name: 'busy' },
  ],
});

let server: http.Server;
let base: string;

/** The API over the fakes above on a free port, with `config` added to the test configuration. */
async function startApi(env: { PAYMENT_PROVIDER_ONLINE?: string } = {}): Promise<{ server: http.Server; base: string }> {
  const app = createApiApp({
    orderSource,
    config: { TEMPORAL_TASK_QUEUE: 'unit', TEMPORAL_NAMESPACE: 'default', TEMPORAL_UI_URL: 'http://ui.local', WEBHOOK_SECRET: SECRET },
    // As api/main.ts builds them, from PAYMENT_PROVIDER_ONLINE alone (no provider's keys are read: the webhooks are not tested here).
    providers: { paymentChannelRequired: onlinePaymentProviders(env).length > 1, paymentWebhookSecret: SECRET, courierWebhookSecret: SECRET },
    client,
    store,
    policy: new PolicyProvider(undefined),
    tokens,
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    rateLimit: { windowMs: 60_000, max: 1000 },
  });
  const started = http.createServer(app);
  await new Promise<void>((resolve) => started.listen(0, '127.0.0.1', resolve));
  return { server: started, base: `http://127.0.0.1:${(started.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  ({ server, base } = await startApi());
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  temporalCalls.length = 0;
  listed.length = 0;
  storeUp = true;
});

/** A JSON answer: an error body, or anything else. */
type Json = { error: { code: string; message: string; details: { field: string; message: string }[] } } & Record<string, unknown>;

const call = async (method: string, path: string, options: { token?: string; body?: unknown; raw?: string | Uint8Array; headers?: Record<string, string> } = {}) => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, headers: response.headers, body: isJson ? (JSON.parse(text) as Json) : undefined, text };
};

/** A claim of one unit of order O-1's only line (the order is in the order source, see beforeAll). */
const openCase = (overrides: Record<string, unknown> = {}) => ({
  type: 'return',
  orderId: 'O-1',
  items: [{ lineId: 'O-1-L1', quantity: 1 }],
  reason: { code: 'no_reason' },
  evidence: [],
  packagingIntact: true,
  ...overrides,
});

/** A sandbox order request of one line of SKU-1 at 50.00, paid and delivered on the given days. */
const orderOf = (orderId: string, customerId: string, paidAt: string, deliveredAt: string, payment: Record<string, unknown> = {}) => ({
  orderId,
  customerId,
  placedAt: paidAt,
  payment: { method: 'online', paidAt, ...payment },
  lines: [{ lineId: `${orderId}-L1`, sku: 'SKU-1', unitsBought: 1, unitListPrice: 5000, category: 'general' }],
  shipments: [{ shippedAt: paidAt, deliveredAt }],
});

beforeAll(() => {
  orderSource.place(orderOf('O-1', 'c-1', '2026-04-10T08:00:00Z', '2026-04-12T08:00:00Z'));
  orderSource.place(orderOf('O-LATE', 'c-1', '2026-03-01T08:00:00Z', '2026-03-02T08:00:00Z'));
  orderSource.place(orderOf('O-OF-C2', 'c-2', '2026-04-10T08:00:00Z', '2026-04-12T08:00:00Z'));
  orderSource.place(orderOf('O-NO-CHANNEL', 'c-1', '2026-04-10T08:00:00Z', '2026-04-12T08:00:00Z', { channel: null }));
  orderSource.place(orderOf('O-COD', 'c-1', '2026-04-12T08:00:00Z', '2026-04-12T08:00:00Z', { method: 'cod' }));
});
beforeEach(() => {
  orderSource.down = undefined;
});

describe('authentication', () => {
  it('answers 401 without a token and with an unknown one', async () => {
    const missing = await call('GET', '/v1/cases');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(missing.body?.error.code).toBe('unauthorized');
    // The rate limiter runs before authentication, so even a refused caller sees its budget (as the document declares).
    expect(missing.headers.get('ratelimit-limit')).toBe('1000');
    expect(Number(missing.headers.get('ratelimit-remaining'))).toBeLessThan(1000);
    expect((await call('GET', '/v1/cases', { token: 'guess' })).status).toBe(401);
  });
});

describe('POST /v1/cases before any workflow starts', () => {
  it('answers 400 naming every bad field and the bad Idempotency-Key, and starts nothing', async () => {
    const response = await call('POST', '/v1/cases', {
      token: 'agent-li',
      body: openCase({ type: 'swap', items: [{ lineId: 'O-1-L1', quantity: 0 }] }),
      headers: { 'Idempotency-Key': 'has spaces' },
    });
    expect(response.status).toBe(400);
    expect(response.body?.error.code).toBe('validation_failed');
    const fields = response.body?.error.details.map((d) => d.field).sort();
    expect(fields).toEqual(['Idempotency-Key', 'items[0].quantity', 'type']);
    expect(temporalCalls).toEqual([]);
  });

  it('answers 400 naming every fact a body sends that the order system holds, reads no order and starts nothing', async () => {
    const reads = orderSource.reads.length;
    const response = await call('POST', '/v1/cases', {
      token: 'customer-c1',
      body: openCase({ customerId: 'c-1', items: [{ lineId: 'O-1-L1', quantity: 1, unitPrice: 99_000 }], order: { paidAt: '2026-04-19T08:00:00Z' } }),
    });
    expect(response.status).toBe(400);
    expect(response.body?.error.details.map((d) => d.field)).toEqual(['customerId', 'order', 'items[0].unitPrice']);
    expect(response.body?.error.message).toContain('order system');
    expect(orderSource.reads.length).toBe(reads);
    expect(temporalCalls).toEqual([]);
  });

  it('answers a Kuaidi100 push to a server that does not use Kuaidi100 with 404 naming the setting, not 415', async () => {
    const push = await call('POST', '/v1/webhooks/kuaidi100', { raw: 'param=%7B%7D&sign=X', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect({ status: push.status, code: push.body?.error.code }).toEqual({ status: 404, code: 'provider_not_configured' });
    expect(push.body?.error.message).toContain('COURIER_TRACKING_PROVIDER');
  });

  it('answers 400 invalid_json to malformed JSON and 415 to a body that is not JSON', async () => {
    const malformed = await call('POST', '/v1/cases', { token: 'agent-li', raw: '{"type": "return",', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body?.error.code).toBe('invalid_json');
    const text = await call('POST', '/v1/cases', { token: 'agent-li', raw: 'type=return', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('answers 413 payload_too_large to a body over 256 kB, and to a webhook over 64 kB', async () => {
    const large = JSON.stringify(openCase({ reason: { code: 'other', description: 'x'.repeat(300 * 1024) } }));
    const response = await call('POST', '/v1/cases', { token: 'agent-li', raw: large, headers: { 'content-type': 'application/json' } });
    expect({ status: response.status, code: response.body?.error.code }).toEqual({ status: 413, code: 'payload_too_large' });
    const hook = await call('POST', '/v1/webhooks/courier', { raw: `{"detail":"${'x'.repeat(65 * 1024)}"}`, headers: { 'content-type': 'application/json' } });
    expect(hook.status).toBe(413);
  });

  it("answers 404 order_not_found to a customer claiming on another customer's order, word for word as for an order that does not exist", async () => {
    const theirs = await call('POST', '/v1/cases', { token: 'customer-c1', body: openCase({ orderId: 'O-OF-C2', items: [{ lineId: 'O-OF-C2-L1', quantity: 1 }] }) });
    const none = await call('POST', '/v1/cases', { token: 'customer-c1', body: openCase({ orderId: 'O-NONE', items: [{ lineId: 'O-OF-C2-L1', quantity: 1 }] }) });
    expect({ status: theirs.status, code: theirs.body?.error.code }).toEqual({ status: 404, code: 'order_not_found' });
    expect(theirs.text.replace('O-OF-C2', 'X')).toBe(none.text.replace('O-NONE', 'X'));
    expect(temporalCalls).toEqual([]);
  });

  it('answers 400 naming the item when the claim does not fit the order: an unknown line, more units than bought', async () => {
    const unknown = await call('POST', '/v1/cases', { token: 'customer-c1', body: openCase({ items: [{ lineId: 'O-1-L9', quantity: 1 }] }) });
    expect({ status: unknown.status, fields: unknown.body?.error.details.map((d) => d.field) }).toEqual({ status: 400, fields: ['items[0].lineId'] });
    const tooMany = await call('POST', '/v1/cases', { token: 'customer-c1', body: openCase({ items: [{ sku: 'SKU-1', quantity: 2 }] }) });
    expect({ status: tooMany.status, fields: tooMany.body?.error.details.map((d) => d.field) }).toEqual({ status: 400, fields: ['items[0].quantity'] });
    expect(temporalCalls).toEqual([]);
  });

  it('answers 503 order_source_unavailable with Retry-After while the order system cannot be read, never a case on claimed facts', async () => {
    orderSource.down = new CircuitOpenError('orders', 12_000);
    const response = await call('POST', '/v1/cases', { token: 'customer-c1', body: openCase() });
    expect({ status: response.status, code: response.body?.error.code, retryAfter: response.headers.get('retry-after') }).toEqual({
      status: 503,
      code: 'order_source_unavailable',
      retryAfter: '12',
    });
    orderSource.down = new ProviderError('orders timed out', { provider: 'orders', retryable: true });
    const timedOut = await call('POST', '/v1/cases', { token: 'customer-c1', body: openCase() });
    expect({ status: timedOut.status, code: timedOut.body?.error.code }).toEqual({ status: 503, code: 'order_source_unavailable' });
    expect(Number(timedOut.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(temporalCalls).toEqual([]);
  });

  it("answers 422 with the reason code when the policy refuses the case on the order's own dates", async () => {
    const response = await call('POST', '/v1/cases', { token: 'customer-c1', body: openCase({ orderId: 'O-LATE', items: [{ lineId: 'O-LATE-L1', quantity: 1 }] }) });
    expect(response.status).toBe(422);
    expect(response.body?.error.code).toBe('outside_return_window');
    expect(temporalCalls).toEqual([]);
  });
});

describe('POST /v1/cases on a server refunding through Alipay and WeChat Pay', () => {
  let twoProviders: http.Server;
  let twoBase: string;
  beforeAll(async () => {
    ({ server: twoProviders, base: twoBase } = await startApi({ PAYMENT_PROVIDER_ONLINE: 'alipay,wechatpay' }));
  });
  afterAll(() => new Promise<void>((resolve) => twoProviders.close(() => resolve())));

  const open = async (orderId: string) => {
    const response = await fetch(`${twoBase}/v1/cases`, {
      method: 'POST',
      headers: { authorization: 'Bearer agent-li', 'content-type': 'application/json', 'Idempotency-Key': 'two-providers-1' },
      body: JSON.stringify(openCase({ orderId, items: [{ lineId: `${orderId}-L1`, quantity: 1 }] })),
    });
    return { status: response.status, code: ((await response.json()) as Json).error?.code };
  };

  it('an online order whose record does not say its payment channel is refused (its refund could go to the wrong provider), and nothing starts', async () => {
    expect(await open('O-NO-CHANNEL')).toEqual({ status: 422, code: 'payment_channel_unknown' });
    expect(temporalCalls).toEqual([]);
  });

  it('a cash-on-delivery order passes the channel check', async () => {
    expect((await open('O-COD')).code).not.toBe('payment_channel_unknown');
  });
});

describe('GET /v1/cases', () => {
  it('forces customers to their own cases and refuses another customerId', async () => {
    expect((await call('GET', '/v1/cases', { token: 'customer-c1' })).body).toEqual({ items: [], nextCursor: null });
    expect(listed[0]).toMatchObject({ customerId: 'c-1', sort: 'nextDeadline', limit: 20 });
    expect((await call('GET', '/v1/cases?customerId=c-2', { token: 'customer-c1' })).status).toBe(403);
  });

  it('passes staff filters through and answers 400 naming bad parameters and a bad cursor', async () => {
    await call('GET', '/v1/cases?status=awaiting_review,inspecting&type=return&breached=false&sort=createdAt&limit=5', { token: 'agent-li' });
    expect(listed[0]).toMatchObject({ status: ['awaiting_review', 'inspecting'], type: ['return'], breached: false, sort: 'createdAt', limit: 5 });
    const bad = await call('GET', '/v1/cases?limit=0&breached=maybe', { token: 'agent-li' });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.details.map((d) => d.field).sort()).toEqual(['breached', 'limit']);
    const cursor = await call('GET', '/v1/cases?cursor=bad', { token: 'agent-li' });
    expect(cursor.status).toBe(400);
    expect(cursor.body?.error.details).toEqual([{ field: 'cursor', message: 'cursor is malformed' }]);
  });

  it('answers 503 read_model_unavailable while MongoDB is not connected', async () => {
    storeUp = false;
    const response = await call('GET', '/v1/cases', { token: 'agent-li' });
    expect(response.status).toBe(503);
    expect(response.body?.error.code).toBe('read_model_unavailable');
    expect(response.headers.get('retry-after')).toBe('5');
  });
});

describe('commands', () => {
  it('refuses a command for the wrong role before reading the body or the case', async () => {
    const response = await call('POST', '/v1/cases/cs_000000000000000000000000/review', { token: 'customer-c1', body: {} });
    expect(response.status).toBe(403);
    expect(temporalCalls).toEqual([]);
  });

  it('names the missing note of a rejection', async () => {
    const response = await call('POST', '/v1/cases/cs_000000000000000000000000/review', { token: 'agent-li', body: { decision: 'reject' } });
    expect(response.status).toBe(400);
    expect(response.body?.error.details).toEqual([{ field: 'note', message: 'a note is required when the decision is reject' }]);
  });
});

describe('webhooks', () => {
  const event = JSON.stringify({ eventId: 'e1', trackingNumber: 'SF1', event: 'delivered', at: '2026-04-20T07:59:00Z' });

  it('answers 401 invalid_signature when the signature is missing, wrong or older than 5 minutes', async () => {
    const post = (signature?: string) =>
      call('POST', '/v1/webhooks/courier', { raw: event, headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) } });
    for (const signature of [undefined, signWebhook(event, 'another-secret', NOW / 1000), signWebhook(event, SECRET, NOW / 1000 - 301)]) {
      const response = await post(signature);
      expect(response.status).toBe(401);
      expect(response.body?.error.code).toBe('invalid_signature');
    }
  });

  it('refuses a signature dated more than 60 s ahead as in the future, and accepts one 30 s ahead', async () => {
    const post = (signature: string) => call('POST', '/v1/webhooks/courier', { raw: event, headers: { 'content-type': 'application/json', 'x-signature': signature } });
    const future = await post(signWebhook(event, SECRET, NOW / 1000 + 120));
    expect(future.status).toBe(401);
    expect(future.body?.error.code).toBe('invalid_signature');
    expect(future.body?.error.message).toMatch(/in the future/);
    expect(future.body?.error.message).not.toMatch(/older/);
    expect((await post(signWebhook(event, SECRET, NOW / 1000 + 30))).body?.error.code).toBe('unknown_reference');
  });

  it('checks the signature over the raw bytes, so a signed body with an invalid UTF-8 byte or invalid JSON is 400 invalid_json', async () => {
    const notUtf8 = Buffer.concat([Buffer.from('{"eventId":"e1","trackingNumber":"SF'), Buffer.from([0xff]), Buffer.from('"}')]);
    const notJson = Buffer.from('{"eventId": "e1",');
    for (const raw of [notUtf8, notJson]) {
      const response = await call('POST', '/v1/webhooks/courier', {
        raw,
        headers: { 'content-type': 'application/json', 'x-signature': signWebhook(raw, SECRET, NOW / 1000) },
      });
      expect({ status: response.status, code: response.body?.error.code }).toEqual({ status: 400, code: 'invalid_json' });
    }
    // The same bytes unsigned are refused for the signature first: nothing is parsed before it is verified.
    expect((await call('POST', '/v1/webhooks/courier', { raw: notUtf8, headers: { 'content-type': 'application/json' } })).status).toBe(401);
  });

  it('answers 404 unknown_reference for a signed event of no case, so the provider retries', async () => {
    const response = await call('POST', '/v1/webhooks/courier', {
      raw: event,
      headers: { 'content-type': 'application/json', 'x-signature': signWebhook(event, SECRET, NOW / 1000) },
    });
    expect(response.status).toBe(404);
    expect(response.body?.error.code).toBe('unknown_reference');
  });

  it('answers 400 naming the fields of a signed but invalid event', async () => {
    const bad = JSON.stringify({ eventId: 'e2', refundId: 'r1', status: 'maybe' });
    const response = await call('POST', '/v1/webhooks/payment', {
      raw: bad,
      headers: { 'content-type': 'application/json', 'x-signature': signWebhook(bad, SECRET, NOW / 1000) },
    });
    expect(response.status).toBe(400);
    expect(response.body?.error.details.map((d) => d.field).sort()).toEqual(['at', 'status']);
  });
});

describe('reports, operations and errors', () => {
  it('gives the SLA report to supervisors only and checks the range', async () => {
    expect((await call('GET', '/v1/reports/sla', { token: 'agent-li' })).status).toBe(403);
    expect((await call('GET', '/v1/reports/sla', { token: 'supervisor-zhang' })).body).toEqual({ fake: true });
    const reversed = await call('GET', '/v1/reports/sla?from=2026-04-02T00:00:00Z&to=2026-04-01T00:00:00Z', { token: 'supervisor-zhang' });
    expect(reversed.status).toBe(400);
    expect(reversed.body?.error.details).toEqual([{ field: 'from', message: 'must be before to' }]);
  });

  it('is alive, says which dependency is down, and serves metrics by route pattern', async () => {
    expect((await call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    storeUp = false;
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', checks: { temporal: 'down', mongodb: 'down' } });
    const metrics = await call('GET', '/metrics');
    expect(metrics.text).toContain('aftersales_http_requests_total{method="GET",route="/v1/cases",status="401"');
    expect(metrics.text).not.toContain('cs_000000000000000000000000');
  });

  it('serves an OpenAPI 3.1 document with every case path', async () => {
    const { body } = await call('GET', '/openapi.json');
    expect(body?.openapi).toBe('3.1.0');
    expect(Object.keys(body?.paths as object)).toEqual(expect.arrayContaining(['/v1/cases', '/v1/cases/{id}', '/v1/cases/{id}/review', '/v1/cases/{id}/survey']));
    const schemas = (body?.components as { schemas: Record<string, { required?: string[] }> }).schemas;
    expect(schemas.OpenCaseRequest.required).toEqual(['type', 'orderId', 'items', 'reason']);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await call('GET', '/v2/nothing');
    expect(response.status).toBe(404);
    expect(response.body?.error.code).toBe('not_found');
  });
});
