import fc from 'fast-check';
import { CASE_COMMANDS } from '../../api/case-commands';
import { openCaseBodySchema } from '../../api/cases.schemas';
import { CASE_STATUSES, CASE_TYPES, REASON_CODES } from '../../domain/case.types';
import { SIGNATURE_HEADER, signWebhook } from '../../integrations/webhook-signature';
import { eventually, sleep } from '../integration/support/http-client';
import { SandboxOrders } from '../integration/support/sandbox-orders';
import { ReliabilityStack } from './support/reliability-stack';
import { ReturnCases, type ReturnCase } from './support/return-cases';

// Scenario 6: property-based fuzzing of every endpoint that takes input — bodies, path
// parameters, query strings, webhook payloads with valid signatures — against a running
// stack. Whatever a client sends, the answer is a 4xx with the error envelope (never a 5xx,
// never a stack trace), and nothing of it starts a workflow: Temporal counts the same number
// of case workflows before and after. A case is a claim on an order of the shop's order system:
// claims on orders that do not exist are a 404, claims on the one order this file places (recorded
// as delivered ten years from now, so no claim on it can open a case) a 400 or a 422, and a body
// stating the order's facts itself a 400.

const RUNS = Number(process.env.AFTERSALES_REL_FUZZ_RUNS ?? 120);
let stack: ReliabilityStack;
/** One case per command, each opened by its own customer (the owner commands' tokens are not shared). */
const targets = new Map<string, ReturnCase>();
let workflowsBefore = 0;

/** The order every fuzzed claim on a real order is about: its parcel "delivered" in ten years, so each claim is refused (delivery_in_the_future). */
const FUZZ_ORDER = 'FUZZ-ORDER-1';
/** Its lines: two of FZ-B, so claiming FZ-B by sku is ambiguous. */
const FUZZ_LINES = [
  { lineId: 'FUZZ-L1', sku: 'FZ-A', unitsBought: 3, unitListPrice: 4900 },
  { lineId: 'FUZZ-L2', sku: 'FZ-B', unitsBought: 2, unitListPrice: 2900 },
  { lineId: 'FUZZ-L3', sku: 'FZ-B', unitsBought: 1, unitListPrice: 1900 },
];
/** The buyer of FUZZ_ORDER (a customer with no case: rc-0.. own the command targets, rc-100.. are strangers). */
const FUZZ_BUYER = 99;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'api-fuzz' });
  const inTenYears = new Date(Date.now() + 3650 * 86_400_000).toISOString();
  await new SandboxOrders(stack.sandboxUrl).place({
    orderId: FUZZ_ORDER,
    customerId: stack.tokens.customer(FUZZ_BUYER).customerId,
    placedAt: new Date(Date.now() - 86_400_000).toISOString(),
    payment: { method: 'online' },
    lines: FUZZ_LINES,
    shipments: [{ carrier: 'SF', shippedAt: new Date().toISOString(), deliveredAt: inTenYears }],
  });
  const cases = new ReturnCases(stack, 'FZ');
  let n = 0;
  for (const command of CASE_COMMANDS) targets.set(command.path, await cases.open(n++));
  workflowsBefore = await stableWorkflowCount();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

// ---------------------------------------------------------------- requests

interface Answer {
  status: number;
  text: string;
  json: { error?: { code?: unknown; message?: unknown } } | null;
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  /** Raw body (already serialised). */
  body?: string;
  headers?: Record<string, string>;
}

async function send(request: Request): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const response = await fetch(`${stack.apiUrl}${request.path}`, { method: request.method, headers, body: request.body });
  const text = await response.text();
  let json: Answer['json'] = null;
  try {
    json = JSON.parse(text) as Answer['json'];
  } catch {
    // not JSON: reported below
  }
  return { status: response.status, text, json };
}

/** Fails (with the request and the answer) unless the answer is one of `allowed` and, for a 4xx, carries the error envelope. */
async function expectAnswer(request: Request, allowed: readonly number[]): Promise<void> {
  const answer = await send(request);
  const envelopeOk = answer.status < 400 || (typeof answer.json?.error?.code === 'string' && typeof answer.json.error.message === 'string');
  const leaksStack = /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/.test(answer.text);
  if (!allowed.includes(answer.status) || !envelopeOk || leaksStack) {
    const body = request.body === undefined ? '' : ` body ${request.body.slice(0, 400)}`;
    throw new Error(`${request.method} ${request.path}${body} answered ${answer.status} (allowed ${allowed.join('/')}): ${answer.text.slice(0, 400)}`);
  }
}

let rotation = 0;
/** A different agent token for every request (the API limits each token to 600 requests a minute). */
const staffToken = () => stack.tokens.reader(rotation++ % 200);
const supervisorToken = () => stack.tokens.supervisorN(rotation++ % 200);
/** A customer with no case (rc-100..rc-199). */
const strangerToken = () => stack.tokens.customer(100 + (rotation++ % 100)).token;

const run = <Ts extends [unknown, ...unknown[]]>(arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, property: (...args: Ts) => Promise<void>, numRuns = RUNS) =>
  fc.assert(fc.asyncProperty(...arbitraries, property), { numRuns });

// ---------------------------------------------------------------- arbitraries

const json = fc.jsonValue({ maxDepth: 3 });
/** Any JSON document, object-shaped half of the time. */
const garbageJson = fc.oneof(json, fc.dictionary(fc.string({ maxLength: 12 }), json, { maxKeys: 6 }));
/** Bytes that are not JSON at all. */
const notJson = fc.oneof(fc.string({ minLength: 1, maxLength: 60 }), fc.constantFrom('{', '{"a":', "{'a': 1}", '[1,]', 'null null', '\u0000', '{"a":1}}'));

const identifier = fc.stringMatching(/^[A-Za-z0-9_.:\-/#]{1,24}$/);
const isoBetween = (from: string, to: string) => fc.date({ min: new Date(from), max: new Date(to), noInvalidDate: true }).map((d) => d.toISOString());
const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });

const caseType = fc.constantFrom(...CASE_TYPES);
const reason = fc.record({ code: fc.constantFrom(...REASON_CODES), description: text }, { requiredKeys: ['code'] });
const evidence = fc.array(fc.constantFrom('https://img.example.com/a.jpg', 'http://img.example.com/b.png'), { maxLength: 2 });
const units = fc.integer({ min: 1, max: 20 });

/** A claimed line naming its line, its sku or both: any identifier, or those of FUZZ_ORDER. */
const claimedLine = (lineId: fc.Arbitrary<string>, sku: fc.Arbitrary<string>) =>
  fc.oneof(fc.record({ lineId, quantity: units }), fc.record({ sku, quantity: units }), fc.record({ lineId, sku, quantity: units }));
/** What the schema keys a claimed line by (claiming a line twice is a 400). */
const claimKey = (line: { lineId?: string; sku?: string }) => (line.lineId !== undefined ? `line:${line.lineId}` : `sku:${line.sku ?? ''}`);

/** A POST /v1/cases body of the right shape: a claim on `orderId` (it may still be invalid or ineligible). */
const claimBody = (orderId: fc.Arbitrary<string>, lineId: fc.Arbitrary<string>, sku: fc.Arbitrary<string>) =>
  fc.record(
    {
      type: caseType,
      orderId,
      items: fc.uniqueArray(claimedLine(lineId, sku), { selector: claimKey, minLength: 1, maxLength: 4 }),
      reason,
      evidence,
      packagingIntact: fc.boolean(),
    },
    { requiredKeys: ['type', 'orderId', 'items', 'reason'] },
  );

/** A claim on an order the shop does not have (no order id of the sandbox starts with FZ-NONE-). */
const claimOnUnknownOrder = claimBody(
  identifier.map((id) => `FZ-NONE-${id}`.slice(0, 64)),
  identifier,
  identifier,
);
/** A claim on FUZZ_ORDER: its lines and skus most of the time, others now and then. */
const claimOnFuzzOrder = claimBody(
  fc.constant(FUZZ_ORDER),
  fc.oneof({ arbitrary: fc.constantFrom(...FUZZ_LINES.map((l) => l.lineId)), weight: 4 }, { arbitrary: identifier, weight: 1 }),
  fc.oneof({ arbitrary: fc.constantFrom('FZ-A', 'FZ-B'), weight: 4 }, { arbitrary: identifier, weight: 1 }),
);

/** A body of the old shape, stating the order's facts (buyer, prices, dates) the API now reads from the order system. */
const factsBody = fc.record({
  type: caseType,
  orderId: identifier,
  customerId: identifier,
  items: fc.uniqueArray(fc.record({ sku: identifier, quantity: units, unitPrice: fc.integer({ min: 1, max: 100_000 }) }), { selector: (i) => i.sku, minLength: 1, maxLength: 4 }),
  reason,
  evidence,
  packagingIntact: fc.boolean(),
  order: fc.record(
    {
      paidAt: isoBetween('2025-01-01', '2026-12-31'),
      deliveredAt: isoBetween('2025-01-01', '2026-12-31'),
      paymentMethod: fc.constantFrom('online', 'cod'),
      total: fc.integer({ min: 0, max: 10_000_000 }),
      currency: fc.constantFrom('CNY', 'USD', 'cny', 'YUAN'),
      category: identifier,
    },
    { requiredKeys: ['paidAt', 'paymentMethod', 'total', 'currency'] },
  ),
});

/** Would the API take this body as a claim (and then read its order)? */
function wouldOpen(body: unknown): boolean {
  return openCaseBodySchema.safeParse(body).success;
}

/** A claim on an unknown order with one field removed, retyped or added (a fact of the order among the added ones), or a fact added to an item. */
const mutatedCaseBody = fc
  .tuple(
    claimOnUnknownOrder,
    fc.constantFrom('type', 'orderId', 'items', 'reason', 'evidence', 'packagingIntact', 'customerId', 'order', 'extra', 'items[0].unitPrice', 'items[0].category', 'items[0].lineId'),
    fc.option(json, { nil: undefined }),
  )
  .map(([body, field, value]) => {
    const copy: Record<string, unknown> = { ...body };
    if (field.startsWith('items[0].')) {
      const item: Record<string, unknown> = { ...body.items[0] };
      if (value === undefined) delete item[field.slice('items[0].'.length)];
      else item[field.slice('items[0].'.length)] = value;
      copy.items = [item, ...body.items.slice(1)];
    } else if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy;
  });

/** Path parameters: plausible ids of cases that do not exist, unicode, and raw segments with stray `%`. */
const caseIdSegment = fc.oneof(
  fc.stringMatching(/^(cs_)?[A-Za-z0-9_-]{1,64}$/).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }).map(encodeURIComponent),
  fc.string({ minLength: 65, maxLength: 300 }).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F..%2F', 'case-%ff', '%C0%AF', '%ED%A0%80'),
);

/** One valid body per command, for requests that must fail on the path alone. */
const VALID_BODIES: Record<string, unknown> = {
  review: { decision: 'approve' },
  'customer-info': { message: 'here you go' },
  'return-shipment': {},
  inspection: { result: 'pass' },
  'stock-decision': { decision: 'refund' },
  quote: { accept: true },
  'repair-result': { outcome: 'repaired', verified: true },
  resolution: { resolution: 'sorted out' },
  'confirm-receipt': {},
  cancel: {},
  assign: { assignee: 'li.wei' },
  survey: { score: 5 },
};

const LIST_KEYS = ['status', 'type', 'breached', 'customerId', 'orderId', 'assignee', 'sort', 'order', 'limit', 'cursor'] as const;
const cursorLike = fc
  .record({ s: fc.constantFrom('nextDeadline', 'createdAt', 'x'), o: fc.constantFrom('asc', 'desc', 'up'), v: fc.oneof(fc.string(), isoBetween('0001-01-01', '9999-12-31'), fc.constantFrom('+275760-09-13T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '1e309')), i: fc.oneof(fc.string(), json) })
  .map((payload) => Buffer.from(JSON.stringify(payload)).toString('base64url'));
const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(...CASE_STATUSES, ...CASE_TYPES, 'true', 'false', 'nextDeadline', 'createdAt', 'asc', 'desc', '0', '-1', '1e3', '101', '99999999999999999999', 'NaN', '', ','),
  fc.integer().map(String),
  cursorLike,
);
const listQuery = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...LIST_KEYS), fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('status[]', 'limit[0]', '__proto__', 'constructor')), queryValue), {
  maxLength: 6,
});
const reportQuery = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('from', 'to'), fc.string({ minLength: 1, maxLength: 6 })),
    fc.oneof(
      isoBetween('0001-01-01', '9999-12-31'),
      isoBetween('2020-01-01', '2030-01-01').map((iso) => iso.replace('Z', '+08:00')),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('2026-02-30T00:00:00Z', '2026-01-01', 'now', '0', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z'),
    ),
  ),
  { maxLength: 4 },
);
const queryString = (entries: [string, string][]) => {
  const params = new URLSearchParams();
  for (const [key, value] of entries) params.append(key, value);
  return params.toString();
};

/** Courier and payment events of the right shape with random values (no case has them). */
const courierEvent = fc.record(
  { eventId: fc.string({ maxLength: 140 }), trackingNumber: fc.string({ maxLength: 140 }), event: fc.constantFrom('picked_up', 'in_transit', 'delivered', 'exception', 'lost'), at: fc.oneof(isoBetween('2000-01-01', '2100-01-01'), fc.string()), detail: fc.string() },
  { requiredKeys: [] },
);
const paymentEvent = fc.record(
  {
    eventId: fc.string({ maxLength: 140 }),
    refundId: fc.string({ maxLength: 140 }),
    merchantReference: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 140 })),
    status: fc.constantFrom('succeeded', 'failed', 'pending'),
    at: fc.oneof(isoBetween('2000-01-01', '2100-01-01'), fc.string()),
    reason: fc.string(),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------- POST /v1/cases

describe('POST /v1/cases', () => {
  test('any JSON document that is not a valid case is a 400', () =>
    run([garbageJson], async (body) => {
      fc.pre(!wouldOpen(body));
      await expectAnswer({ method: 'POST', path: '/v1/cases', token: staffToken(), body: JSON.stringify(body) }, [400]);
    }));

  test('a claim with one field removed, retyped or added is a 400; one still valid is a 404 (its order does not exist)', () =>
    run([mutatedCaseBody, fc.boolean()], async (body, asStranger) => {
      const allowed = wouldOpen(body) ? [404] : [400];
      await expectAnswer({ method: 'POST', path: '/v1/cases', token: asStranger ? strangerToken() : staffToken(), body: JSON.stringify(body) }, allowed);
    }));

  test('a body stating the order\'s facts (buyer, prices, dates) is a 400: they come from the order system', () =>
    run([factsBody], async (body) => {
      await expectAnswer({ method: 'POST', path: '/v1/cases', token: staffToken(), body: JSON.stringify(body) }, [400]);
    }));

  test('a claim on an order that cannot be claimed yet is a 400 or a 422 for its buyer and staff; another customer gets 404', () =>
    run([claimOnFuzzOrder, fc.constantFrom('staff', 'buyer', 'stranger')], async (body, who) => {
      const token = who === 'staff' ? staffToken() : who === 'buyer' ? stack.tokens.customer(FUZZ_BUYER).token : strangerToken();
      const allowed = !wouldOpen(body) ? [400] : who === 'stranger' ? [404] : [400, 422];
      await expectAnswer({ method: 'POST', path: '/v1/cases', token, body: JSON.stringify(body) }, allowed);
    }));

  test('bytes that are not JSON, other media types and bad Idempotency-Keys are 4xx', () =>
    run(
      [
        fc.oneof(
          notJson.map((body) => ({ body, headers: {} })),
          fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin-9').map((type) => ({ body: '{"type":"return"}', headers: { 'content-type': type } })),
          fc
            .oneof(fc.string({ minLength: 256, maxLength: 300 }), fc.constantFrom('has space', 'tab\there', 'cl\u00e9', ''))
            .map((key) => ({ body: JSON.stringify({ type: 'return' }), headers: { 'idempotency-key': key } })),
        ),
      ],
      async ({ body, headers }) => {
        await expectAnswer({ method: 'POST', path: '/v1/cases', token: staffToken(), body, headers }, [400, 413, 415]);
      },
    ));
});

// ---------------------------------------------------------------- commands

describe('POST /v1/cases/:id/<command>', () => {
  const tokenFor = (audience: string, c: ReturnCase): string => (audience === 'staff' ? staffToken() : audience === 'supervisor' ? supervisorToken() : c.customerToken);

  test.each(CASE_COMMANDS.map((command) => [command.path, command] as const))('%s: a body its schema refuses is a 400 and changes nothing', async (_path, command) => {
    const c = targets.get(command.path)!;
    const before = await send({ method: 'GET', path: `/v1/cases/${c.id}`, token: c.readerToken });
    // The owner's token is the only one that reaches an owner command: stay under its 600 requests a minute.
    const runs = command.audience === 'staff' || command.audience === 'supervisor' ? RUNS : Math.min(RUNS, 400);
    await run([fc.oneof(garbageJson, garbageJson.map((v) => ({ ...(VALID_BODIES[command.path] as object), extra: v })))], async (body) => {
      fc.pre(!command.schema.safeParse(body).success);
      await expectAnswer({ method: 'POST', path: `/v1/cases/${c.id}/${command.path}`, token: tokenFor(command.audience, c), body: JSON.stringify(body) }, [400]);
    }, runs);
    const after = await send({ method: 'GET', path: `/v1/cases/${c.id}`, token: c.readerToken });
    expect((after.json as unknown as { version: number }).version).toBe((before.json as unknown as { version: number }).version);
  });

  test('any command on a case id that does not exist, or on a malformed path, is a 4xx', () =>
    run([fc.constantFrom(...CASE_COMMANDS.map((c) => c.path)), caseIdSegment], async (path, id) => {
      const command = CASE_COMMANDS.find((c) => c.path === path)!;
      const token = command.audience === 'staff' ? staffToken() : command.audience === 'supervisor' ? supervisorToken() : strangerToken();
      await expectAnswer({ method: 'POST', path: `/v1/cases/${id}/${command.path}`, token, body: JSON.stringify(VALID_BODIES[command.path]) }, [400, 404]);
    }));
});

// ---------------------------------------------------------------- reads

describe('GET endpoints', () => {
  test('GET /v1/cases/:id of anything that is not a case is a 4xx', () =>
    run([caseIdSegment, fc.boolean()], async (id, asCustomer) => {
      await expectAnswer({ method: 'GET', path: `/v1/cases/${id}`, token: asCustomer ? strangerToken() : staffToken() }, [400, 404]);
    }));

  test('GET /v1/cases with any query answers 200 or a 4xx', () =>
    run([listQuery, fc.boolean()], async (entries, asCustomer) => {
      await expectAnswer({ method: 'GET', path: `/v1/cases?${queryString(entries)}`, token: asCustomer ? strangerToken() : staffToken() }, asCustomer ? [200, 400, 403] : [200, 400]);
    }));

  test('GET /v1/reports/sla with any query answers 200 or a 400', () =>
    run([reportQuery], async (entries) => {
      await expectAnswer({ method: 'GET', path: `/v1/reports/sla?${queryString(entries)}`, token: supervisorToken() }, [200, 400]);
    }));
});

// ---------------------------------------------------------------- webhooks

describe('webhooks with valid signatures', () => {
  const signed = (topic: 'courier' | 'payment', body: string): Request => ({
    method: 'POST',
    path: `/v1/webhooks/${topic}`,
    body,
    headers: { [SIGNATURE_HEADER]: signWebhook(body, stack.webhookSecret) },
  });

  test.each(['courier', 'payment'] as const)('%s: garbage JSON, non-JSON and well-formed events for nothing we know are 400 or 404', (topic) =>
    run([fc.oneof(garbageJson.map((v) => JSON.stringify(v)), notJson, (topic === 'courier' ? courierEvent : paymentEvent).map((v) => JSON.stringify(v)))], async (body) => {
      await expectAnswer(signed(topic, body), [400, 404]);
    }));
});

// ---------------------------------------------------------------- no side effects

// Declared last, so it runs after every property above.
describe('afterwards', () => {
  test('none of the fuzzed requests started a workflow', async () => {
    const after = await stableWorkflowCount();
    expect({ caseWorkflows: after }).toEqual({ caseWorkflows: workflowsBefore });
  });
});

/** The number of workflows Temporal's visibility counts, once two readings a second apart agree (the read-model reconciler's scheduled runs aside). */
async function stableWorkflowCount(): Promise<number> {
  const client = await stack.temporal();
  let previous = -1;
  return eventually(
    'a stable workflow count',
    async () => {
      const { count } = await client.workflow.count("WorkflowType != 'readModelReconcilerWorkflow'");
      const stable = count === previous;
      previous = count;
      if (!stable) await sleep(1000);
      return stable ? count : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 0 },
  );
}
