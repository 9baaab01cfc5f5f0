import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createApiApp } from '../../api/app';
import { TokenRegistry } from '../../api/auth';
import { ApiError } from '../../api/errors';
import { PolicyProvider } from '../../api/policy-provider';
import type { StoreAccess, StoreServices } from '../../api/store-access';
import { newLine, reserve, settle, type OrderLine } from '../../domain/order-ledger';
import { lineView } from '../../store/order-ledger.store';
import { OrderBookSource } from './support/order-book-source';

/** The shop's orders the API reads (the sandbox's order book, in memory). */
const orderSource = new OrderBookSource();

// The ledger over HTTP without a database or Temporal: GET /v1/orders/:orderId/ledger, and the
// check at POST /v1/cases, which answers before the open-case locks (and so before any workflow).

const NOW = Date.parse('2026-04-20T08:00:00Z');
const AT = '2026-04-15T08:00:00.000Z';

const client = {
  workflow: new Proxy({}, { get: (_t, p) => { throw new Error(`Temporal client used: ${String(p)}`); } }),
  withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
} as unknown as Client;

let lines: OrderLine[] = [];
let ledgerFails = false;
const ledgerReads: string[] = [];
/** When set, the locks are granted (only for claims the ledger refuses: a granted claim would reach Temporal). */
let locksGranted = false;
const locksReleased: string[] = [];
/** Reaching the locks means the ledger let the case through; the test answers with this marker instead of opening. */
const REACHED_LOCKS = 'reached_locks';

const services: StoreServices = {
  readModel: {
    getCase: () => Promise.resolve(null),
    listCases: () => Promise.resolve({ items: [], nextCursor: null }),
    findCaseIdByTrackingNumber: () => Promise.resolve(null),
    findOpenCaseIdsByTrackingNumber: () => Promise.resolve([]),
    findCaseIdByRefundId: () => Promise.resolve(null),
  },
  openingWriter: { insertOpeningCase: () => Promise.reject(new Error('no case may open in this test')) },
  locks: {
    acquire: () => (locksGranted ? Promise.resolve({ acquired: true as const }) : Promise.reject(new ApiError(409, REACHED_LOCKS, 'the check at open let the case through'))),
    release: async (caseId) => {
      locksReleased.push(caseId);
    },
    releaseKey: () => Promise.resolve(false),
  },
  ledger: {
    orderLines: async (orderId) => {
      ledgerReads.push(orderId);
      if (ledgerFails) throw new Error('ferretdb: query failed');
      return lines.filter((l) => l.orderId === orderId);
    },
    orderLedger: async (orderId) => {
      if (ledgerFails) throw new Error('ferretdb: query failed');
      return lines.filter((l) => l.orderId === orderId).map(lineView);
    },
  },
  slaReport: () => Promise.reject(new Error('not used')),
  ping: () => Promise.resolve(),
};
const store: StoreAccess = { get: () => services };

let server: http.Server;
let base: string;

beforeAll(async () => {
  const app = createApiApp({
    orderSource,
    config: { TEMPORAL_TASK_QUEUE: 'unit', TEMPORAL_NAMESPACE: 'default', TEMPORAL_UI_URL: 'http://ui.local', WEBHOOK_SECRET: 'secret' },
    client,
    store,
    policy: new PolicyProvider(undefined),
    tokens: new TokenRegistry({
      tokens: [
        { token: 'customer-c1', role: 'customer', customerId: 'c-1' },
        { token: 'agent-li', role: 'agent', name: 'li.wei' },
        { token: 'supervisor-zhang', role: 'supervisor', name: 'zhang.min' },
        { token: 'admin-root', role: 'admin', name: 'root' },
      ],
    }),
    logger: pino({ level: 'silent' }),
    now: () => NOW,
    rateLimit: { windowMs: 60_000, max: 1000 },
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  lines = [];
  ledgerFails = false;
  ledgerReads.length = 0;
  locksGranted = false;
  locksReleased.length = 0;
});

type Json = Record<string, unknown> & { error: { code: string; message: string; details: Record<string, unknown>[] } };

async function call(method: string, path: string, token: string, body?: unknown) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Json };
}

/** A line of `units` units at 199.00 each on order O-1, with committed refunds. */
function paidBack(sku: string, units: number, refunds: { caseId: string; amount: number; units: number }[]): OrderLine {
  let line = newLine({ orderId: 'O-1', sku, currency: 'CNY', unitsBought: units, amountPaid: units * 19_900 });
  refunds.forEach((r, i) => {
    line = reserve(line, { key: `${r.caseId}:${i}`, caseId: r.caseId, kind: 'refund', amount: r.amount, units: r.units, at: AT }).line;
    line = settle(line, `${r.caseId}:${i}`, 'committed', AT).line;
  });
  return line;
}

/** Order `orderId` of c-1 in the order source: one line of 3 SKU-X at 199.00, paid `paidAt`, delivered two days later. */
const placeOrder = (orderId: string, paidAt: string) =>
  orderSource.place({
    orderId,
    customerId: 'c-1',
    placedAt: paidAt,
    payment: { method: 'online', paidAt },
    lines: [{ sku: 'SKU-X', unitsBought: 3, unitListPrice: 19_900, category: 'general' }],
    shipments: [{ shippedAt: paidAt, deliveredAt: new Date(Date.parse(paidAt) + 2 * 86_400_000).toISOString() }],
  });
beforeAll(() => {
  placeOrder('O-1', '2026-04-10T08:00:00Z');
  placeOrder('O-OLD', '2026-01-01T08:00:00Z');
});

/** A claim of `quantity` units of SKU-X on order O-1 (case ids in refusals are named to staff only: these are sent by an agent). */
const openBody = (type: string, reason: string, quantity = 1, orderId = 'O-1') => ({
  type,
  orderId,
  items: [{ sku: 'SKU-X', quantity }],
  reason: { code: reason, description: 'see photos' },
  evidence: ['https://img.example/1.jpg'],
  packagingIntact: true,
});

describe('GET /v1/orders/:orderId/ledger', () => {
  it('shows staff every line with its totals and entries', async () => {
    lines = [paidBack('SKU-X', 1, [{ caseId: 'cs_first', amount: 19_900, units: 1 }])];
    for (const token of ['agent-li', 'supervisor-zhang', 'admin-root']) {
      const response = await call('GET', '/v1/orders/O-1/ledger', token);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        orderId: 'O-1',
        lines: [
          expect.objectContaining({
            sku: 'SKU-X',
            currency: 'CNY',
            unitsBought: 1,
            amountPaid: 19_900,
            refunded: 19_900,
            reserved: 0,
            refundable: 0,
            unitsReturned: 1,
            unitsRemaining: 0,
            entries: [expect.objectContaining({ caseId: 'cs_first', kind: 'refund', state: 'committed', amount: 19_900, units: 1 })],
          }),
        ],
      });
    }
  });

  it('answers an order the ledger does not know with no lines', async () => {
    const response = await call('GET', '/v1/orders/O-unknown/ledger', 'agent-li');
    expect(response).toEqual({ status: 200, body: { orderId: 'O-unknown', lines: [] } });
  });

  it('refuses customers with 403', async () => {
    const response = await call('GET', '/v1/orders/O-1/ledger', 'customer-c1');
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
  });

  it('answers 400 naming orderId when it is not an order id', async () => {
    const response = await call('GET', `/v1/orders/${encodeURIComponent('O 1!')}/ledger`, 'agent-li');
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([expect.objectContaining({ field: 'orderId' })]);
  });

  it('answers 503 when the ledger cannot be read', async () => {
    ledgerFails = true;
    const response = await call('GET', '/v1/orders/O-1/ledger', 'agent-li');
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('read_model_unavailable');
  });
});

describe('POST /v1/cases against the ledger', () => {
  it('refuses a claim on a line paid back in full with 422 nothing_refundable, naming what went back and the case', async () => {
    lines = [paidBack('SKU-X', 3, [{ caseId: 'cs_earlier', amount: 59_700, units: 3 }])];
    const response = await call('POST', '/v1/cases', 'agent-li', openBody('refund_only', 'wrong_item'));
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('nothing_refundable');
    expect(response.body.error.details).toEqual([
      expect.objectContaining({
        field: 'items[0].sku',
        sku: 'SKU-X',
        paidBack: { amount: 59_700, units: 3, caseIds: ['cs_earlier'] },
        message: expect.stringContaining('597.00 CNY'),
      }),
    ]);
  });

  it('refuses more units than remain with 422 quantity_exceeds_remaining', async () => {
    lines = [paidBack('SKU-X', 3, [{ caseId: 'cs_a', amount: 19_900, units: 1 }, { caseId: 'cs_b', amount: 19_900, units: 1 }])];
    const response = await call('POST', '/v1/cases', 'agent-li', openBody('return', 'quality_issue', 2));
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('quantity_exceeds_remaining');
    expect(response.body.error.details).toEqual([
      expect.objectContaining({ field: 'items[0].quantity', claimedUnits: 2, remaining: { amount: 19_900, units: 1 }, paidBack: { amount: 39_800, units: 2, caseIds: ['cs_a', 'cs_b'] } }),
    ]);
  });

  it('gives back the locks taken beside the ledger read when the ledger refuses the claim, or cannot be read', async () => {
    locksGranted = true;
    lines = [paidBack('SKU-X', 3, [{ caseId: 'cs_earlier', amount: 59_700, units: 3 }])];
    const refused = await call('POST', '/v1/cases', 'agent-li', openBody('refund_only', 'wrong_item'));
    expect(refused.status).toBe(422);
    expect(locksReleased).toEqual([expect.stringMatching(/^cs_/)]);
    ledgerFails = true;
    const unreadable = await call('POST', '/v1/cases', 'agent-li', openBody('return', 'quality_issue'));
    expect(unreadable.status).toBe(503);
    expect(locksReleased).toHaveLength(2);
  });

  it('answers the ledger refusal, not the lock conflict, when both refuse a claim', async () => {
    lines = [paidBack('SKU-X', 3, [{ caseId: 'cs_earlier', amount: 59_700, units: 3 }])];
    const response = await call('POST', '/v1/cases', 'agent-li', openBody('refund_only', 'wrong_item'));
    expect(response.body.error.code).toBe('nothing_refundable');
    expect(locksReleased).toEqual([]);
  });

  it('lets a claim within what remains through to the locks', async () => {
    lines = [paidBack('SKU-X', 3, [{ caseId: 'cs_a', amount: 19_900, units: 1 }])];
    const response = await call('POST', '/v1/cases', 'agent-li', openBody('return', 'quality_issue', 2));
    expect(response.body.error.code).toBe(REACHED_LOCKS);
    expect(ledgerReads).toEqual(['O-1']);
  });

  it('lets a complaint through on a line paid back in full', async () => {
    lines = [paidBack('SKU-X', 3, [{ caseId: 'cs_earlier', amount: 59_700, units: 3 }])];
    const response = await call('POST', '/v1/cases', 'agent-li', openBody('complaint', 'other'));
    expect(response.body.error.code).toBe(REACHED_LOCKS);
  });

  it('answers 503, not 500, when the ledger cannot be read', async () => {
    ledgerFails = true;
    const response = await call('POST', '/v1/cases', 'agent-li', openBody('return', 'quality_issue'));
    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('read_model_unavailable');
  });

  it('asks the policy first: a case the policy refuses never reads the ledger', async () => {
    const response = await call('POST', '/v1/cases', 'agent-li', openBody('return', 'no_reason', 1, 'O-OLD'));
    expect(response.status).toBe(422);
    expect(response.body.error.code).not.toMatch(/nothing_refundable|quantity_exceeds_remaining/);
    expect(ledgerReads).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the ledger endpoint, its answer and the ledger refusals at open', async () => {
    const response = await fetch(`${base}/openapi.json`);
    const document = (await response.json()) as { paths: Record<string, Record<string, { parameters?: { name: string; schema: { pattern?: string } }[]; responses: Record<string, { description: string }> }>>; components: { schemas: Record<string, { required?: string[] }> } };
    const operation = document.paths['/v1/orders/{orderId}/ledger']?.get;
    expect(operation?.parameters?.[0]).toMatchObject({ name: 'orderId', schema: { pattern: expect.any(String) } });
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '403', '503']));
    expect(document.components.schemas.OrderLedger?.required).toEqual(['orderId', 'lines']);
    expect(document.paths['/v1/cases'].post.responses['422'].description).toMatch(/nothing_refundable.*quantity_exceeds_remaining/);
  });
});
