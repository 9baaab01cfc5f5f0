import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express, { type RequestHandler } from 'express';
import pino from 'pino';
import type { Principal } from '../../api/auth';
import { errorHandler } from '../../api/errors';
import { buildOpenApiDocument } from '../../api/openapi';
import { reportsRouter } from '../../api/reports.routes';
import type { StoreAccess, StoreServices } from '../../api/store-access';
import type { SlaReportQuery } from '../../store/sla-report.store';

// GET /v1/reports/sla without a stack: the route in a bare app, a principal set by a stub guard,
// and a store that records what it was asked for.

const NOW = Date.parse('2026-04-20T08:00:00Z');
const DAY_MS = 86_400_000;

const asked: SlaReportQuery[] = [];
const store: StoreAccess = {
  get: () =>
    ({
      slaReport: (query: SlaReportQuery) => {
        asked.push(query);
        return Promise.resolve({ reported: true } as never);
      },
    }) as unknown as StoreServices,
};

let role: Principal['role'] = 'supervisor';
const guard: RequestHandler[] = [
  (_req, res, next) => {
    res.locals.principal = { role, name: 'zhang.min' } satisfies Principal;
    next();
  },
];

let server: http.Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(reportsRouter(store, guard, () => NOW));
  app.use(errorHandler(pino({ level: 'silent' })));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  asked.length = 0;
  role = 'supervisor';
});

type ErrorJson = { error: { code: string; details: { field: string; message: string }[] } };

const get = async (query: string) => {
  const response = await fetch(`${base}/v1/reports/sla${query}`);
  return { status: response.status, body: (await response.json()) as ErrorJson & Record<string, unknown> };
};

describe('GET /v1/reports/sla query', () => {
  it('passes the delivered-order count to the report with the range', async () => {
    const answer = await get('?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z&deliveredOrders=12345');
    expect(answer.status).toBe(200);
    expect(asked).toEqual([{ from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-04-01T00:00:00Z'), deliveredOrders: 12345 }]);
  });

  it('accepts zero delivered orders', async () => {
    expect((await get('?deliveredOrders=0')).status).toBe(200);
    expect(asked[0]?.deliveredOrders).toBe(0);
  });

  it('without the count, asks for the report with no base (the default range is the last 30 days)', async () => {
    expect((await get('')).status).toBe(200);
    expect(asked).toEqual([{ from: new Date(NOW - 30 * DAY_MS), to: new Date(NOW) }]);
    expect(Object.keys(asked[0] as object)).not.toContain('deliveredOrders');
  });

  it.each([
    ['a negative number', '-1'],
    ['a fraction', '12.5'],
    ['an exponent', '1e3'],
    ['a word', 'many'],
    ['an empty value', ''],
    ['a padded number', '%2012'],
    ['more than 15 digits', '1234567890123456'],
  ])('answers 400 naming deliveredOrders when it is %s', async (_what, value) => {
    const answer = await get(`?deliveredOrders=${value}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_failed');
    expect(answer.body.error.details.map((d) => d.field)).toEqual(['deliveredOrders']);
    expect(asked).toEqual([]);
  });

  it('answers 400 naming deliveredOrders when it is given twice', async () => {
    const answer = await get('?deliveredOrders=10&deliveredOrders=20');
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'deliveredOrders', message: 'must be given once, as a non-negative whole number' }]);
  });

  it('still refuses agents and reversed ranges', async () => {
    role = 'agent';
    expect((await get('?deliveredOrders=10')).status).toBe(403);
    role = 'supervisor';
    const reversed = await get('?from=2026-04-02T00:00:00Z&to=2026-04-01T00:00:00Z&deliveredOrders=10');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.details).toEqual([{ field: 'from', message: 'must be before to' }]);
    expect(asked).toEqual([]);
  });

  it('covers at most 366 days: a longer range is a 400 naming from, and a range of exactly 366 days is asked for', async () => {
    const tooLong = await get('?from=2025-03-31T23:59:59.999Z&to=2026-04-02T00:00:00Z'); // 366 days and 1 ms
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details).toEqual([{ field: 'from', message: 'must be at most 366 days before to' }]);
    const onlyFrom = await get('?from=2020-01-01T00:00:00Z');
    expect(onlyFrom.body.error?.details.map((d) => d.field)).toEqual(['from']);
    expect(asked).toEqual([]);
    expect((await get('?from=2025-04-01T00:00:00Z&to=2026-04-02T00:00:00Z')).status).toBe(200);
    expect(asked).toEqual([{ from: new Date('2025-04-01T00:00:00Z'), to: new Date('2026-04-02T00:00:00Z') }]);
  });

  it('is described in the OpenAPI document as an optional digits-only query parameter', () => {
    const paths = buildOpenApiDocument().paths as Record<string, { get: { parameters: { name: string; required: boolean; schema: { type?: string; pattern?: string } }[] } }>;
    const parameter = paths['/v1/reports/sla'].get.parameters.find((p) => p.name === 'deliveredOrders');
    expect(parameter).toMatchObject({ required: false, schema: { type: 'string', pattern: '^\\d{1,15}$' } });
  });
});
