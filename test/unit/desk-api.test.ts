import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createApiApp } from '../../api/app';
import { TokenRegistry } from '../../api/auth';
import { buildOpenApiDocument } from '../../api/openapi';
import { PolicyProvider } from '../../api/policy-provider';
import type { StoreAccess } from '../../api/store-access';
import { defaultPolicy } from '../../domain/policy';
import { OrderBookSource } from './support/order-book-source';

/** The shop's orders the API reads (the sandbox's order book, in memory). */
const orderSource = new OrderBookSource();

// What the desk pages need from the API besides the cases (GET /v1/me, GET /v1/policy/summary),
// and the serving of the built pages at /desk/ (or a 503 page saying how to build them).

const tokens = new TokenRegistry({
  tokens: [
    { token: 'customer-c1', role: 'customer', customerId: 'c-1' },
    { token: 'agent-li', role: 'agent', name: 'li.wei' },
  ],
});

const unused = new Proxy({}, { get: (_t, property) => { throw new Error(`not expected here: ${String(property)}`); } });
const store: StoreAccess = { get: () => unused as never };

async function serve(deskDir: string): Promise<{ base: string; close: () => Promise<void> }> {
  const app = createApiApp({
    orderSource,
    config: { TEMPORAL_TASK_QUEUE: 'unit', TEMPORAL_NAMESPACE: 'default', TEMPORAL_UI_URL: 'http://ui.local', WEBHOOK_SECRET: 'unit-secret' },
    client: unused as unknown as Client,
    store,
    policy: new PolicyProvider(undefined),
    tokens,
    logger: pino({ level: 'silent' }),
    rateLimit: { windowMs: 60_000, max: 1000 },
    deskDir,
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const built = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-built-'));
fs.mkdirSync(path.join(built, 'assets'));
fs.writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>desk index</title>');
fs.writeFileSync(path.join(built, 'assets', 'app-abc123.js'), 'console.log("desk")');
const missing = path.join(os.tmpdir(), 'desk-never-built-here');

let withDesk: Awaited<ReturnType<typeof serve>>;
let withoutDesk: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  withDesk = await serve(built);
  withoutDesk = await serve(missing);
});
afterAll(async () => {
  await withDesk.close();
  await withoutDesk.close();
  fs.rmSync(built, { recursive: true, force: true });
});

const getJson = async (base: string, route: string, token?: string) => {
  const response = await fetch(`${base}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('GET /v1/me', () => {
  test('a customer token is its customer id, a staff token its role and name', async () => {
    expect(await getJson(withDesk.base, '/v1/me', 'customer-c1')).toEqual({ status: 200, body: { role: 'customer', customerId: 'c-1' } });
    expect(await getJson(withDesk.base, '/v1/me', 'agent-li')).toEqual({ status: 200, body: { role: 'agent', name: 'li.wei' } });
  });

  test('without a token it is a 401', async () => {
    expect((await getJson(withDesk.base, '/v1/me')).status).toBe(401);
  });
});

describe('GET /v1/policy/summary', () => {
  test('any role reads the types with their reasons and windows from the policy in force', async () => {
    const { status, body } = await getJson(withDesk.base, '/v1/policy/summary', 'customer-c1');
    const policy = defaultPolicy();
    expect(status).toBe(200);
    const types = body.types as { type: string; reasons: string[]; window: Record<string, unknown> | null }[];
    const byType = Object.fromEntries(types.map((rules) => [rules.type, rules]));
    expect(byType.return.window).toEqual({
      from: 'delivery',
      days: policy.eligibility.noReasonReturnDays,
      packagingIntactDays: policy.eligibility.intactPackagingReturnDays,
    });
    expect(byType.exchange.window).toEqual({ from: 'delivery', days: policy.eligibility.exchangeDays });
    expect(byType.repair.window).toEqual({ from: 'delivery', months: policy.eligibility.warrantyMonths });
    expect(byType.complaint.window).toBeNull();
    expect(byType.reship.reasons).toEqual(['damaged_in_transit', 'not_received']);
    expect(byType.return.reasons).toContain('no_reason');
    expect(body.warningFraction).toBe(policy.escalation.warningFraction);
    expect(body.evidenceRequiredReasons).toEqual(policy.eligibility.evidenceRequiredReasons);
  });
});

describe('the OpenAPI document', () => {
  test('declares both desk reads with closed schemas', () => {
    const document = buildOpenApiDocument() as { paths: Record<string, unknown>; components: { schemas: Record<string, { additionalProperties?: boolean }> } };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/me', '/v1/policy/summary']));
    expect([document.components.schemas.Me.additionalProperties, document.components.schemas.PolicySummary.additionalProperties]).toEqual([false, false]);
  });
});

describe('/desk/', () => {
  test('serves the built index for the app and for any page route, and the hashed assets', async () => {
    for (const route of ['/desk/', '/desk/cases/cs_0123', '/desk/report']) {
      const response = await fetch(`${withDesk.base}${route}`);
      expect({ route, status: response.status, text: await response.text() }).toEqual({ route, status: 200, text: expect.stringContaining('desk index') });
    }
    const asset = await fetch(`${withDesk.base}/desk/assets/app-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${withDesk.base}/desk/assets/gone.js`)).status).toBe(404);
  });

  test('/desk redirects to /desk/', async () => {
    const response = await fetch(`${withDesk.base}/desk`, { redirect: 'manual' });
    expect([response.status, response.headers.get('location')]).toEqual([301, '/desk/']);
  });

  test('without a build, the desk answers 503 with a page saying to run npm run setup', async () => {
    const response = await fetch(`${withoutDesk.base}/desk/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run setup');
  });
});
