import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import { createApiApp } from '../../api/app';
import { TokenRegistry } from '../../api/auth';
import { CASE_COMMANDS } from '../../api/case-commands';
import { PolicyProvider } from '../../api/policy-provider';
import type { StoreAccess, StoreServices } from '../../api/store-access';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseSnapshot } from '../integration/support/case-snapshot';
import { OrderBookSource } from './support/order-book-source';

/** The shop's orders the API reads (the sandbox's order book, in memory). */
const orderSource = new OrderBookSource();

// Every case the API answers carries `allowedCommands` for the person asking (api/case-answer.ts,
// from the command table in domain/case-commands.ts). The cases come from the read model: the
// Temporal client here answers no query, so the API falls back to what is stored.

const noWorkflow = new Proxy({}, { get: () => () => { throw new Error('no Temporal in this test'); } });
const client = { workflow: noWorkflow, withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn() } as unknown as Client;

const stored = new Map<string, CaseSnapshot>([
  ['cs_intransit', caseSnapshot('cs_intransit', { status: 'return_in_transit' })],
  ['cs_review', caseSnapshot('cs_review', { status: 'awaiting_review' })],
  ['cs_done', caseSnapshot('cs_done', { status: 'completed', closedAt: '2026-11-29T00:00:00.000Z' })],
]);
const storeServices = {
  readModel: {
    getCase: (id: string) => Promise.resolve(stored.get(id) ?? null),
    listCases: () => Promise.resolve({ items: [...stored.values()], nextCursor: null }),
  },
} as unknown as StoreServices;
const store: StoreAccess = { get: () => storeServices };

const tokens = new TokenRegistry({
  tokens: [
    { token: 'customer-c1', role: 'customer', customerId: 'c-1' },
    { token: 'agent-li', role: 'agent', name: 'li.wei' },
    { token: 'supervisor-zhang', role: 'supervisor', name: 'zhang.min' },
  ],
});

let server: http.Server;
let base: string;
beforeAll(async () => {
  const app = createApiApp({
    orderSource,
    config: { TEMPORAL_TASK_QUEUE: 'unit', TEMPORAL_NAMESPACE: 'default', TEMPORAL_UI_URL: 'http://ui.local', WEBHOOK_SECRET: 'unit-test-webhook-secret' },
    client,
    store,
    policy: new PolicyProvider(undefined),
    tokens,
    logger: pino({ level: 'silent' }),
    rateLimit: { windowMs: 60_000, max: 1000 },
  });
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// The commands these cases are about: each list below is the answer's exact list (order included)
// of these, so a command added to the table later, and taken in one of these states, needs no edit here.
const COMMANDS_TESTED = [
  'review', 'customer-info', 'return-shipment', 'inspection', 'stock-decision', 'quote',
  'repair-result', 'resolution', 'confirm-receipt', 'cancel', 'assign', 'survey',
];
const PATHS = new Set(CASE_COMMANDS.map((command) => command.path));
const ofTheTested = (listed: string[]): string[] => {
  // Whatever else is listed is still a command of the table.
  expect(listed.filter((path) => !PATHS.has(path))).toEqual([]);
  return listed.filter((path) => COMMANDS_TESTED.includes(path));
};

const allowed = async (token: string, caseId: string): Promise<string[]> => {
  const response = await fetch(`${base}/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return ofTheTested(((await response.json()) as { allowedCommands: string[] }).allowedCommands);
};

describe('allowedCommands in the case answers', () => {
  it('offers the customer no cancel once the goods are on their way, while a supervisor may still cancel and assign', async () => {
    expect(await allowed('customer-c1', 'cs_intransit')).toEqual([]);
    expect(await allowed('agent-li', 'cs_intransit')).toEqual([]);
    expect(await allowed('supervisor-zhang', 'cs_intransit')).toEqual(['cancel', 'assign']);
  });

  it('offers each asker their own step of a case awaiting review', async () => {
    expect(await allowed('customer-c1', 'cs_review')).toEqual(['cancel']);
    expect(await allowed('agent-li', 'cs_review')).toEqual(['review']);
    expect(await allowed('supervisor-zhang', 'cs_review')).toEqual(['review', 'cancel', 'assign']);
  });

  it('offers the customer the survey of a completed case, and staff nothing', async () => {
    expect(await allowed('customer-c1', 'cs_done')).toEqual(['survey']);
    expect(await allowed('supervisor-zhang', 'cs_done')).toEqual([]);
  });

  it('lists each case with the commands of the person listing', async () => {
    const response = await fetch(`${base}/v1/cases`, { headers: { authorization: 'Bearer agent-li' } });
    const { items } = (await response.json()) as { items: { id: string; allowedCommands: string[] }[] };
    expect(items.map((item) => [item.id, ofTheTested(item.allowedCommands)])).toEqual([
      ['cs_intransit', []],
      ['cs_review', ['review']],
      ['cs_done', []],
    ]);
  });
});
