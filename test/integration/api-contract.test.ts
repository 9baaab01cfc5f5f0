import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { signWebhook } from '../../integrations/webhook-signature';
import { STACK_ENV } from './stack/stack-file';

// The HTTP contract of shared/design.md against the running integration stack (real API,
// Temporal dev server, FerretDB, worker and sandbox). Each test uses its own order ids, so
// tests do not see each other's cases.

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run under \`jest --selectProjects integration\`, whose global setup starts the stack`);
  return value;
}

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const webhookSecret = requiredEnv(STACK_ENV.webhookSecret);

interface TokenEntry {
  token: string;
  role: string;
  customerId?: string;
  name?: string;
}
const tokenEntries = (JSON.parse(fs.readFileSync(requiredEnv(STACK_ENV.tokensFile), 'utf8')) as { tokens: TokenEntry[] }).tokens;
function tokenOf(predicate: (t: TokenEntry) => boolean, what: string): string {
  const entry = tokenEntries.find(predicate);
  if (!entry) throw new Error(`the tokens file has no ${what} token`);
  return entry.token;
}
const tokens = {
  customer1: tokenOf((t) => t.role === 'customer' && t.customerId === 'c-1', 'customer c-1'),
  customer2: tokenOf((t) => t.role === 'customer' && t.customerId === 'c-2', 'customer c-2'),
  agent: tokenOf((t) => t.role === 'agent', 'agent'),
  supervisor: tokenOf((t) => t.role === 'supervisor', 'supervisor'),
};

let connection: Connection;
let temporal: Client;
beforeAll(async () => {
  connection = await Connection.connect({ address: requiredEnv(STACK_ENV.temporalAddress) });
  temporal = new Client({ connection, namespace: 'default' });
});
afterAll(async () => {
  await connection?.close();
});

/** A JSON answer: an error body, or a case, or anything else. */
type Json = { error: { code: string; message: string; details: { field: string; message: string }[] } } & Record<string, unknown>;

async function call(method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${apiUrl}${path}`, { method, headers, body });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return { status: response.status, headers: response.headers, body: (isJson ? JSON.parse(text) : {}) as Json, text };
}

const DAY_MS = 86_400_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const uniqueOrderId = () => `IT-${randomUUID()}`;

/** A return of one item delivered `deliveredDaysAgo` days ago, eligible by default. */
function returnRequest(orderId: string, overrides: Record<string, unknown> = {}, deliveredDaysAgo = 2) {
  return {
    type: 'return',
    orderId,
    customerId: 'c-1',
    items: [{ sku: 'SKU-IT-1', quantity: 1, unitPrice: 5000 }],
    reason: { code: 'no_reason' },
    packagingIntact: true,
    order: { paidAt: iso((deliveredDaysAgo + 2) * DAY_MS), deliveredAt: iso(deliveredDaysAgo * DAY_MS), paymentMethod: 'online', total: 5000, currency: 'CNY' },
    ...overrides,
  };
}

/** Workflows Temporal knows for an order (the dev server's visibility is near-immediate; give it a moment). */
async function workflowsForOrder(orderId: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { count } = await temporal.workflow.count(`OrderId = "${orderId}"`);
  return count;
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('authentication', () => {
  it('answers 401 without a bearer token and with an unknown one', async () => {
    expect((await call('GET', '/v1/cases')).status).toBe(401);
    const unknown = await call('GET', '/v1/cases', { token: 'not-a-real-token' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('unauthorized');
  });
});

describe('opening a case', () => {
  it('answers 400 naming every bad field, and starts no workflow', async () => {
    const orderId = uniqueOrderId();
    const response = await call('POST', '/v1/cases', {
      token: tokens.agent,
      body: returnRequest(orderId, {
        type: 'refund',
        items: [{ sku: 'SKU-IT-1', quantity: 0, unitPrice: 49.9 }],
        evidence: ['not a url'],
        order: { paidAt: 'yesterday', paymentMethod: 'online', total: 5000, currency: 'CNY' },
      }),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((d) => d.field).sort()).toEqual([
      'evidence[0]',
      'items[0].quantity',
      'items[0].unitPrice',
      'order.paidAt',
      'type',
    ]);
    expect(response.text).not.toMatch(/at .*\.ts:\d+/);
    expect(await workflowsForOrder(orderId)).toBe(0);
  });

  it("answers 403 when a customer opens a case for another customer's id", async () => {
    const orderId = uniqueOrderId();
    const response = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(orderId, { customerId: 'c-2' }) });
    expect(response.status).toBe(403);
    expect(await workflowsForOrder(orderId)).toBe(0);
  });

  it('answers 422 outside_return_window for a no-reason return 20 days after delivery', async () => {
    const orderId = uniqueOrderId();
    const response = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(orderId, {}, 20) });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('outside_return_window');
    expect(await workflowsForOrder(orderId)).toBe(0);
  });

  it('answers 201 with the case and its Location, readable by its owner and staff but not by another customer', async () => {
    const orderId = uniqueOrderId();
    const opened = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(orderId) });
    expect(opened.status).toBe(201);
    const id = opened.body.id as string;
    expect(opened.headers.get('location')).toBe(`/v1/cases/${id}`);
    expect(opened.body).toMatchObject({ type: 'return', status: 'awaiting_review', orderId, customerId: 'c-1' });
    expect((opened.body.temporal as { uiUrl: string }).uiUrl).toMatch(new RegExp(`/namespaces/default/workflows/case-${id}$`));

    expect((await call('GET', `/v1/cases/${id}`, { token: tokens.customer1 })).body.id).toBe(id);
    expect((await call('GET', `/v1/cases/${id}`, { token: tokens.agent })).status).toBe(200);
    const other = await call('GET', `/v1/cases/${id}`, { token: tokens.customer2 });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('case_not_found');
  });

  it('answers 409 duplicate_open_case naming the open case for a second case on the same order line and type', async () => {
    const orderId = uniqueOrderId();
    const first = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(orderId) });
    expect(first.status).toBe(201);
    const second = await call('POST', '/v1/cases', { token: tokens.agent, body: returnRequest(orderId) });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('duplicate_open_case');
    expect(JSON.stringify(second.body.error)).toContain(first.body.id as string);
    expect(await workflowsForOrder(orderId)).toBe(1);
  });

  it('answers a repeat with the same Idempotency-Key with 200 and the same case', async () => {
    const orderId = uniqueOrderId();
    const key = `it-${randomUUID()}`;
    const first = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(orderId), headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    const repeat = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(orderId), headers: { 'Idempotency-Key': key } });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(first.body.id);
    expect(await workflowsForOrder(orderId)).toBe(1);
  });
});

describe('listing cases', () => {
  it("keeps customers to their own cases and lets staff filter by order", async () => {
    const orderId = uniqueOrderId();
    const opened = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(orderId) });
    expect(opened.status).toBe(201);

    const forStaff = await until(async () => {
      const page = await call('GET', `/v1/cases?orderId=${orderId}&status=awaiting_review`, { token: tokens.agent });
      return (page.body.items as unknown[]).length > 0 ? page.body : undefined;
    });
    expect((forStaff.items as { id: string }[]).map((c) => c.id)).toEqual([opened.body.id]);
    expect(forStaff.nextCursor).toBeNull();

    const other = await call('GET', `/v1/cases?orderId=${orderId}`, { token: tokens.customer2 });
    expect(other.body.items).toEqual([]);
    expect((await call('GET', '/v1/cases?customerId=c-1', { token: tokens.customer2 })).status).toBe(403);
    const bad = await call('GET', '/v1/cases?limit=0&sort=priority', { token: tokens.agent });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.field).sort()).toEqual(['limit', 'sort']);
  });
});

describe('commands', () => {
  it('checks role, body and case state, then runs the command and answers with the new case', async () => {
    const opened = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(uniqueOrderId()) });
    const id = opened.body.id as string;

    expect((await call('POST', `/v1/cases/${id}/review`, { token: tokens.customer1, body: { decision: 'approve' } })).status).toBe(403);
    const noNote = await call('POST', `/v1/cases/${id}/review`, { token: tokens.agent, body: { decision: 'reject' } });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.details.map((d) => d.field)).toEqual(['note']);
    const earlySurvey = await call('POST', `/v1/cases/${id}/survey`, { token: tokens.customer1, body: { score: 5 } });
    expect(earlySurvey.status).toBe(409);
    expect(earlySurvey.body.error.code).toBe('invalid_state');
    expect((await call('POST', `/v1/cases/${id}/cancel`, { token: tokens.customer2, body: {} })).status).toBe(404);

    const approved = await call('POST', `/v1/cases/${id}/review`, { token: tokens.agent, body: { decision: 'approve' } });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('awaiting_return_shipment');
    const assigned = await call('POST', `/v1/cases/${id}/assign`, { token: tokens.supervisor, body: { assignee: 'li.wei' } });
    expect(assigned.body.assignee).toBe('li.wei');
  });

  it('answers 409 once the case has ended, while the case stays readable', async () => {
    const opened = await call('POST', '/v1/cases', { token: tokens.customer1, body: returnRequest(uniqueOrderId()) });
    const id = opened.body.id as string;
    const cancelled = await call('POST', `/v1/cases/${id}/cancel`, { token: tokens.customer1, body: { note: 'changed my mind' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const again = await call('POST', `/v1/cases/${id}/cancel`, { token: tokens.customer1, body: {} });
    expect(again.status).toBe(409);
    expect(['invalid_state', 'case_closed']).toContain(again.body.error.code);
    expect((await call('GET', `/v1/cases/${id}`, { token: tokens.customer1 })).body.status).toBe('cancelled');
  });
});

describe('provider webhooks', () => {
  const event = () => JSON.stringify({ eventId: randomUUID(), trackingNumber: `IT${Date.now()}`, event: 'in_transit', at: new Date().toISOString() });
  const post = (raw: string, signature?: string) =>
    call('POST', '/v1/webhooks/courier', { raw, headers: { 'content-type': 'application/json', ...(signature ? { 'x-signature': signature } : {}) } });

  it('answers 401 invalid_signature for a missing, wrong or 6-minute-old signature', async () => {
    const body = event();
    const now = Math.floor(Date.now() / 1000);
    for (const signature of [undefined, signWebhook(body, 'not-the-secret', now), signWebhook(body, webhookSecret, now - 360)]) {
      const response = await post(body, signature);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_signature');
    }
  });

  it('answers 404 unknown_reference for a correctly signed event of no case', async () => {
    const body = event();
    const response = await post(body, signWebhook(body, webhookSecret));
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('unknown_reference');
  });
});

describe('operations', () => {
  it('serves an OpenAPI 3 document with the case paths', async () => {
    const { status, body } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(String(body.openapi)).toMatch(/^3\./);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining(['/v1/cases', '/v1/cases/{id}', '/v1/cases/{id}/review', '/v1/cases/{id}/cancel', '/v1/webhooks/courier']),
    );
  });

  it('is live and ready, and exposes Prometheus metrics', async () => {
    expect((await call('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { temporal: 'ok', mongodb: 'ok' } });
    const metrics = await call('GET', '/metrics');
    expect(metrics.text).toContain('aftersales_http_requests_total');
    expect(metrics.text).toContain('aftersales_cases_opened_total{');
  });
});
