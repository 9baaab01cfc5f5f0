import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { signWebhook } from '../../integrations/webhook-signature';
import { STACK_ENV } from './stack/stack-file';
import { stackTemporalClient } from './support/fixtures';
import { eventually, HttpClient, requiredEnv, sleep, stackTokens, type ApiErrorBody } from './support/http-client';
import { SandboxOrders, type CaseClaim } from './support/sandbox-orders';

// The HTTP API contract (v1, docs/api.md) against the running integration stack (real API,
// Temporal dev server, FerretDB, worker and sandbox). Each test uses its own order ids, so
// tests do not see each other's cases.

const api = new HttpClient(requiredEnv(STACK_ENV.apiUrl));
const webhookSecret = requiredEnv(STACK_ENV.courierWebhookSecret);
const tokens = stackTokens();

const temporal = stackTemporalClient();

/** What the API answers: a case, a page, or an error envelope. */
type Json = ApiErrorBody & Record<string, unknown>;
const as = (token: string) => api.as(token);

const DAY_MS = 86_400_000;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const uniqueOrderId = () => `IT-${randomUUID()}`;
const orders = new SandboxOrders(requiredEnv(STACK_ENV.sandboxUrl));

/**
 * A no-reason return of one item of an order of `customerId`, delivered `deliveredDaysAgo` days
 * ago (eligible by default): the order is placed in the sandbox's order service, the claim returned.
 */
async function returnRequest(orderId: string, options: { deliveredDaysAgo?: number; customerId?: string } = {}): Promise<CaseClaim> {
  const deliveredDaysAgo = options.deliveredDaysAgo ?? 2;
  return orders.claimOn({
    type: 'return',
    orderId,
    customerId: options.customerId ?? 'c-1',
    items: [{ sku: 'SKU-IT-1', quantity: 1, unitPrice: 5000 }],
    reason: { code: 'no_reason' },
    packagingIntact: true,
    order: { paidAt: iso((deliveredDaysAgo + 2) * DAY_MS), deliveredAt: iso(deliveredDaysAgo * DAY_MS), paymentMethod: 'online', total: 5000, currency: 'CNY' },
  });
}

/** What breaks the Case schema of the API's own OpenAPI document (extra properties are forbidden there). */
async function caseSchemaProblems(value: unknown): Promise<string[]> {
  const document = (await api.get<{ components: { schemas: { Case: object } } }>('/openapi.json')).body;
  const result = z.fromJSONSchema(document.components.schemas.Case as never).safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/** Workflows Temporal knows for an order (the dev server's visibility is near-immediate; give it a moment). */
async function workflowsForOrder(orderId: string): Promise<number> {
  await sleep(1500);
  const { count } = await temporal.client.workflow.count(`OrderId = "${orderId}"`);
  return count;
}

describe('authentication', () => {
  it('answers 401 without a bearer token and with an unknown one', async () => {
    expect((await api.get<Json>('/v1/cases')).status).toBe(401);
    const unknown = await as('not-a-real-token').get<Json>('/v1/cases');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('unauthorized');
  });
});

describe('opening a case', () => {
  it('answers 400 naming every bad field, and starts no workflow', async () => {
    const orderId = uniqueOrderId();
    const claim = await returnRequest(orderId);
    const response = await as(tokens.agent).post<Json>('/v1/cases', {
      ...claim,
      type: 'refund',
      items: [{ lineId: claim.items[0].lineId, quantity: 0 }],
      evidence: ['not a url'],
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((d) => d.field).sort()).toEqual(['evidence[0]', 'items[0].quantity', 'type']);
    expect(response.text).not.toMatch(/at .*\.ts:\d+/);
    expect(await workflowsForOrder(orderId)).toBe(0);
  });

  it('answers 400 naming each fact a claim sends that only the order system may state (buyer, price, units bought, category, payment and dates), and starts no workflow', async () => {
    const orderId = uniqueOrderId();
    const claim = await returnRequest(orderId);
    const response = await as(tokens.customer).post<Json>('/v1/cases', {
      ...claim,
      customerId: 'c-1',
      items: [{ ...claim.items[0], unitPrice: 99_000, orderedQuantity: 1, category: 'apparel' }],
      order: { paidAt: iso(DAY_MS), paymentMethod: 'cod', total: 99_000, currency: 'CNY' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d) => d.field).sort()).toEqual(['customerId', 'items[0].category', 'items[0].orderedQuantity', 'items[0].unitPrice', 'order']);
    expect(response.body.error.details.every((d) => d.message.includes('order system'))).toBe(true);
    expect(await workflowsForOrder(orderId)).toBe(0);
  });

  it("answers 404 order_not_found when a customer claims on another customer's order, exactly as for an order that does not exist, and starts no workflow", async () => {
    const theirs = uniqueOrderId();
    const claimOnTheirs = await returnRequest(theirs, { customerId: 'c-2' });
    const onTheirs = await as(tokens.customer).post<Json>('/v1/cases', claimOnTheirs);
    const missing = uniqueOrderId();
    const onNone = await as(tokens.customer).post<Json>('/v1/cases', { ...claimOnTheirs, orderId: missing });
    expect({ status: onTheirs.status, code: onTheirs.body.error.code }).toEqual({ status: 404, code: 'order_not_found' });
    expect({ status: onNone.status, code: onNone.body.error.code }).toEqual({ status: 404, code: 'order_not_found' });
    // Nothing in the answer tells an order that exists from one that does not.
    expect(onTheirs.text.replace(theirs, 'ORDER')).toBe(onNone.text.replace(missing, 'ORDER'));
    expect(await workflowsForOrder(theirs)).toBe(0);
  });

  it('answers 422 outside_return_window for a no-reason return 20 days after delivery', async () => {
    const orderId = uniqueOrderId();
    const response = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(orderId, { deliveredDaysAgo: 20 }));
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('outside_return_window');
    expect(await workflowsForOrder(orderId)).toBe(0);
  });

  it('answers 201 with the case and its Location, readable by its owner and staff but not by another customer', async () => {
    const orderId = uniqueOrderId();
    const opened = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(orderId));
    expect(opened.status).toBe(201);
    const id = opened.body.id as string;
    expect(opened.headers.get('location')).toBe(`/v1/cases/${id}`);
    expect(opened.body).toMatchObject({ type: 'return', status: 'awaiting_review', orderId, customerId: 'c-1' });
    expect((opened.body.temporal as { uiUrl: string }).uiUrl).toMatch(new RegExp(`/namespaces/default/workflows/case-${id}$`));
    expect(await caseSchemaProblems(opened.body)).toEqual([]);

    expect((await as(tokens.customer).get<Json>(`/v1/cases/${id}`)).body.id).toBe(id);
    expect((await as(tokens.agent).get<Json>(`/v1/cases/${id}`)).status).toBe(200);
    const other = await as(tokens.otherCustomer).get<Json>(`/v1/cases/${id}`);
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('case_not_found');
  });

  it('answers 409 duplicate_open_case naming the open case for a second case on the same order line and type', async () => {
    const orderId = uniqueOrderId();
    const first = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(orderId));
    expect(first.status).toBe(201);
    const second = await as(tokens.agent).post<Json>('/v1/cases', await returnRequest(orderId));
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('duplicate_open_case');
    expect(JSON.stringify(second.body.error)).toContain(first.body.id as string);
    expect(await workflowsForOrder(orderId)).toBe(1);
  });

  it('answers a repeat with the same Idempotency-Key with 200 and the same case', async () => {
    const orderId = uniqueOrderId();
    const key = `it-${randomUUID()}`;
    const first = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(orderId), { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const repeat = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(orderId), { 'Idempotency-Key': key });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(first.body.id);
    expect(await workflowsForOrder(orderId)).toBe(1);
  });
});

describe('listing cases', () => {
  it("keeps customers to their own cases and lets staff filter by order", async () => {
    const orderId = uniqueOrderId();
    const opened = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(orderId));
    expect(opened.status).toBe(201);

    const forStaff = await eventually('the case in the read model', async () => {
      const page = await as(tokens.agent).get<Json>(`/v1/cases?orderId=${orderId}&status=awaiting_review`);
      return (page.body.items as unknown[]).length > 0 ? page.body : undefined;
    });
    expect((forStaff.items as { id: string }[]).map((c) => c.id)).toEqual([opened.body.id]);
    expect(forStaff.nextCursor).toBeNull();

    const other = await as(tokens.otherCustomer).get<Json>(`/v1/cases?orderId=${orderId}`);
    expect(other.body.items).toEqual([]);
    expect((await as(tokens.otherCustomer).get<Json>('/v1/cases?customerId=c-1')).status).toBe(403);
    const bad = await as(tokens.agent).get<Json>('/v1/cases?limit=0&sort=priority');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d) => d.field).sort()).toEqual(['limit', 'sort']);
  });
});

describe('commands', () => {
  it('checks role, body and case state, then runs the command and answers with the new case', async () => {
    const opened = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(uniqueOrderId()));
    const id = opened.body.id as string;

    expect((await as(tokens.customer).post<Json>(`/v1/cases/${id}/review`, { decision: 'approve' })).status).toBe(403);
    const noNote = await as(tokens.agent).post<Json>(`/v1/cases/${id}/review`, { decision: 'reject' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.details.map((d) => d.field)).toEqual(['note']);
    const earlySurvey = await as(tokens.customer).post<Json>(`/v1/cases/${id}/survey`, { score: 5 });
    expect(earlySurvey.status).toBe(409);
    expect(earlySurvey.body.error.code).toBe('invalid_state');
    expect((await as(tokens.otherCustomer).post<Json>(`/v1/cases/${id}/cancel`, {})).status).toBe(404);

    const approved = await as(tokens.agent).post<Json>(`/v1/cases/${id}/review`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('awaiting_return_shipment');
    const assigned = await as(tokens.supervisor).post<Json>(`/v1/cases/${id}/assign`, { assignee: 'li.wei' });
    expect(assigned.body.assignee).toBe('li.wei');
  });

  it('answers 409 once the case has ended, while the case stays readable', async () => {
    const opened = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(uniqueOrderId()));
    const id = opened.body.id as string;
    const cancelled = await as(tokens.customer).post<Json>(`/v1/cases/${id}/cancel`, { note: 'changed my mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(await caseSchemaProblems(cancelled.body)).toEqual([]);
    const again = await as(tokens.customer).post<Json>(`/v1/cases/${id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(['invalid_state', 'case_closed']).toContain(again.body.error.code);
    expect((await as(tokens.customer).get<Json>(`/v1/cases/${id}`)).body.status).toBe('cancelled');
  });
});

describe('commands without a body', () => {
  it('runs a cancel sent with no body at all, as the document allows', async () => {
    const opened = await as(tokens.customer).post<Json>('/v1/cases', await returnRequest(uniqueOrderId()));
    const response = await fetch(`${requiredEnv(STACK_ENV.apiUrl)}/v1/cases/${opened.body.id as string}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.customer}` },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('cancelled');
  });
});

describe('provider webhooks', () => {
  // The client sends JSON.stringify(event), so signing that string signs the exact bytes sent.
  const event = () => ({ eventId: randomUUID(), trackingNumber: `IT${Date.now()}`, event: 'in_transit', at: new Date().toISOString() });
  const post = (body: object, signature?: string) => api.post<Json>('/v1/webhooks/courier', body, signature ? { 'x-signature': signature } : {});

  it('answers 401 invalid_signature for a missing, wrong or 6-minute-old signature', async () => {
    const body = event();
    const now = Math.floor(Date.now() / 1000);
    const raw = JSON.stringify(body);
    for (const signature of [undefined, signWebhook(raw, 'not-the-secret', now), signWebhook(raw, webhookSecret, now - 360)]) {
      const response = await post(body, signature);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_signature');
    }
  });

  it('answers 400 invalid_json to a correctly signed body that is not UTF-8, and refuses a future-dated signature as such', async () => {
    const url = `${requiredEnv(STACK_ENV.apiUrl)}/v1/webhooks/courier`;
    const bytes = Buffer.concat([Buffer.from('{"eventId":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const signed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signWebhook(bytes, webhookSecret) }, body: bytes });
    expect({ status: signed.status, code: ((await signed.json()) as Json).error.code }).toEqual({ status: 400, code: 'invalid_json' });

    const body = event();
    const future = await post(body, signWebhook(JSON.stringify(body), webhookSecret, Math.floor(Date.now() / 1000) + 600));
    expect(future.status).toBe(401);
    expect(future.body.error.message).toMatch(/in the future/);
  });

  it('answers 404 unknown_reference for a correctly signed event of no case', async () => {
    const body = event();
    const response = await post(body, signWebhook(JSON.stringify(body), webhookSecret));
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('unknown_reference');
  });
});

describe('operations', () => {
  it('serves an OpenAPI 3 document with the case paths', async () => {
    const { status, body } = await api.get<Json>('/openapi.json');
    expect(status).toBe(200);
    expect(String(body.openapi)).toMatch(/^3\./);
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining(['/v1/cases', '/v1/cases/{id}', '/v1/cases/{id}/review', '/v1/cases/{id}/cancel', '/v1/webhooks/courier']),
    );
  });

  it('is live and ready, and exposes Prometheus metrics', async () => {
    expect((await api.get<Json>('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api.get<Json>('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { temporal: 'ok', mongodb: 'ok' } });
    const metrics = await api.get<Json>('/metrics');
    expect(metrics.text).toContain('aftersales_http_requests_total');
    expect(metrics.text).toContain('aftersales_cases_opened_total{');
    // Cases were opened: each opening's start RPC was timed, and its database step before it (also for starts that failed).
    const opened = countOf(metrics.text, 'aftersales_cases_opened_total');
    expect(opened).toBeGreaterThan(0);
    expect(countOf(metrics.text, 'aftersales_case_opening_step_seconds_count', 'step="temporal_start"')).toBe(opened);
    expect(countOf(metrics.text, 'aftersales_case_opening_step_seconds_count', 'step="database"')).toBeGreaterThanOrEqual(opened);
  });
});

/** The sum of a metric's samples in Prometheus text, over the series whose labels contain `labelFilter`. */
function countOf(text: string, metric: string, labelFilter = ''): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && line.includes(labelFilter))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
