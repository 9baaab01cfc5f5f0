import fc from 'fast-check';
import { CASE_COMMANDS } from '../../api/case-commands';
import { openCaseBodySchema } from '../../api/cases.schemas';
import { CASE_STATUSES, CASE_TYPES, REASON_CODES } from '../../domain/case.types';
import { SIGNATURE_HEADER, signWebhook } from '../../integrations/webhook-signature';
import { eventually, sleep } from '../integration/support/http-client';
import { ReliabilityStack } from './support/reliability-stack';
import { ReturnCases, type ReturnCase } from './support/return-cases';

// Scenario 6: property-based fuzzing of every endpoint that takes input — bodies, path
// parameters, query strings, webhook payloads with valid signatures — against a running
// stack. Whatever a client sends, the answer is a 4xx with the error envelope (never a 5xx,
// never a stack trace), and nothing of it starts a workflow: Temporal counts the same number
// of case workflows before and after.

const RUNS = Number(process.env.AFTERSALES_REL_FUZZ_RUNS ?? 120);
let stack: ReliabilityStack;
/** One case per command, each opened by its own customer (the owner commands' tokens are not shared). */
const targets = new Map<string, ReturnCase>();
let workflowsBefore = 0;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'api-fuzz' });
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

/** A POST /v1/cases body of the right shape (it may still be invalid or ineligible). */
const caseBody = fc
  .record({
    type: fc.constantFrom(...CASE_TYPES),
    orderId: identifier,
    customerId: identifier,
    items: fc.uniqueArray(fc.record({ sku: identifier, quantity: fc.integer({ min: 1, max: 20 }), unitPrice: fc.integer({ min: 1, max: 100_000 }) }), {
      selector: (i) => i.sku,
      minLength: 1,
      maxLength: 4,
    }),
    reason: fc.record({ code: fc.constantFrom(...REASON_CODES), description: text }, { requiredKeys: ['code'] }),
    evidence: fc.array(fc.constantFrom('https://img.example.com/a.jpg', 'http://img.example.com/b.png'), { maxLength: 2 }),
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
  })
  .map((body) => ({ ...body }));

/** Would the API take this body as a claim (then it reads the order: these bodies are never sent)? */
function wouldOpen(body: unknown): boolean {
  return openCaseBodySchema.safeParse(body).success;
}

/** A valid body with one field removed, retyped or added. */
const mutatedCaseBody = fc
  .tuple(caseBody, fc.constantFrom('type', 'orderId', 'customerId', 'items', 'reason', 'evidence', 'packagingIntact', 'order', 'extra'), fc.option(json, { nil: undefined }))
  .map(([body, field, value]) => {
    const copy: Record<string, unknown> = { ...body };
    if (value === undefined) delete copy[field];
    else copy[field] = value;
    return copy;
  });

/** A structurally valid body claiming more than the order total: refused by policy (422). */
const ineligibleCaseBody = caseBody.map((body) => {
  const items = body.items as { quantity: number; unitPrice: number }[];
  const claimed = items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
  return { ...body, order: { ...(body.order as object), total: claimed - 1 } };
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
  'return-shipment': { carrier: 'SF', trackingNumber: 'SF12345' },
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

  test('a valid body with one field removed, retyped or added is a 400 (or a 422 when it is still valid but ineligible)', () =>
    run([mutatedCaseBody], async (body) => {
      fc.pre(!wouldOpen(body));
      const allowed = openCaseBodySchema.safeParse(body).success ? [422] : [400];
      await expectAnswer({ method: 'POST', path: '/v1/cases', token: staffToken(), body: JSON.stringify(body) }, allowed);
    }));

  test('a well-formed case the policy refuses is a 422; a customer opening it for someone else a 403', () =>
    run([ineligibleCaseBody, fc.boolean()], async (body, asStranger) => {
      fc.pre(!wouldOpen(body));
      const valid = openCaseBodySchema.safeParse(body).success;
      const allowed = !valid ? [400] : asStranger ? [403] : [422];
      await expectAnswer({ method: 'POST', path: '/v1/cases', token: asStranger ? strangerToken() : staffToken(), body: JSON.stringify(body) }, allowed);
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
