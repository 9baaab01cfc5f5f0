import type { WorkflowExecutionInfo } from '@temporalio/client';
import { CASE_TYPES, type CaseSnapshot, type CaseType } from '../../domain/case.types';
import { defaultPolicy } from '../../domain/policy';
import { CaseStatusKey, CaseTypeKey, EscalationLevelKey, OrderIdKey, SlaBreachedKey } from '../../domain/search-attributes';
import { caseWorkflowId } from '../../domain/ids';
import { CaseSteps, expectStatus, type CasePeople } from '../integration/support/case-steps';
import { daysAgo, openCaseBody } from '../integration/support/fixtures';
import { CasesApi, describeCase, eventually, SandboxClient, timelineEvents, type OpenCaseBody } from '../integration/support/http-client';
import { ReliabilityStack } from '../reliability/support/reliability-stack';

// One case of every type through the API on the four-process Temporal cluster on PostgreSQL,
// driven to its end as the integration suite drives them on the dev server, and found again
// through SQL visibility by its search attributes; then an SLA breach on a seconds policy that
// an operator finds with `SlaBreached = true`. The whole stack runs one policy: a review budget
// of a few seconds and no auto-approval; the cases of every type are reviewed before it runs out,
// and a late review would only escalate (nothing is decided on a breach).

const REVIEW_BUDGET_MS = 4000;
const SECONDS_POLICY = {
  version: 'cluster-seconds',
  sla: { review: `${REVIEW_BUDGET_MS / 1000}s` },
  escalation: {
    warningFraction: 0.5,
    levels: [
      { level: 1, after: '0s', notify: ['team-lead@cluster.local'], priority: 'high' },
      { level: 2, after: '1h', notify: ['manager@cluster.local'], priority: 'urgent' },
    ],
  },
  autoActions: { approveReviewOnBreachBelow: null },
};
// Callbacks and visibility cross more processes on the cluster than on the dev server.
const CALLBACKS_MS = 30_000;
const VISIBILITY_MS = 20_000;

let stack: ReliabilityStack;
let sandbox: SandboxClient;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'cluster-types', temporal: 'cluster', policy: SECONDS_POLICY });
  sandbox = new SandboxClient(stack.sandboxUrl);
}, 240_000);

afterAll(async () => {
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[cluster case types] ${line}\n`);

/** One case's callers: its own customer `rc-<n>` and reader token, so no poll meets the per-token rate limit. */
interface Driver {
  cases: CasesApi;
  steps: CaseSteps;
  people: CasePeople;
  body: (type: CaseType, reason: string, overrides?: Partial<OpenCaseBody>) => OpenCaseBody;
}

function driverFor(n: number): Driver {
  const customer = stack.tokens.customer(n);
  const people = { customer: customer.token, agent: stack.tokens.agent, warehouse: stack.tokens.warehouse };
  const cases = new CasesApi(stack.apiUrl, stack.tokens.reader(n), stack.sandboxUrl);
  return {
    cases,
    people,
    steps: new CaseSteps(cases, sandbox, people, CALLBACKS_MS),
    body: (type, reason, overrides = {}) => openCaseBody(type, reason, { orderPrefix: 'CL', sku: 'SKU-LAMP-1' }, { customerId: customer.customerId, ...overrides }),
  };
}

/** How one type's case is opened and driven to its end, the way case-types.e2e drives it; returns the case at its end. */
type Journey = (d: Driver) => Promise<CaseSnapshot>;

/** Amounts the sandbox's ledger holds for the case, in fen. */
async function refundAmounts(id: string): Promise<number[]> {
  return (await sandbox.refundsOf(id)).map((r) => r.amount);
}

/** Approves the review and checks the case moved on to `next`. */
async function approve(d: Driver, id: string, next: CaseSnapshot['status']): Promise<void> {
  expectStatus(await d.cases.accepted(d.people.agent, id, 'review', { decision: 'approve' }), next);
}

const ITEM_PRICE = 8800;

const JOURNEYS: Record<CaseType, { end: CaseSnapshot['status']; drive: Journey }> = {
  return: {
    end: 'completed',
    drive: async (d) => {
      const opened = await d.cases.opened(d.people.customer, d.body('return', 'no_reason'));
      await approve(d, opened.id, 'awaiting_return_shipment');
      await d.steps.shipBack(opened.id, 'inspecting');
      await d.cases.accepted(d.people.warehouse, opened.id, 'inspection', { result: 'pass' });
      const { done, refunds } = await d.steps.refundedAndCompleted(opened.id);
      // The customer pays the return shipping of a no-reason return: it comes off the refund.
      expect(refunds.map((r) => `${r.amount}/${r.status}`)).toEqual([`${ITEM_PRICE - defaultPolicy().shipping.returnShippingFee}/succeeded`]);
      return done;
    },
  },
  exchange: {
    end: 'completed',
    drive: async (d) => {
      const opened = await d.cases.opened(d.people.customer, d.body('exchange', 'size_fit'));
      await approve(d, opened.id, 'awaiting_return_shipment');
      await d.steps.shipBack(opened.id, 'inspecting');
      await d.cases.accepted(d.people.warehouse, opened.id, 'inspection', { result: 'pass' });
      const done = await d.steps.receiveAndConfirm(opened.id, 'replacement');
      expect(done.sla.find((c) => c.name === 'reship')?.state).toBe('met');
      expect(await refundAmounts(opened.id)).toEqual([]);
      return done;
    },
  },
  repair: {
    end: 'completed',
    drive: async (d) => {
      const inWarranty = { paidAt: daysAgo(100), deliveredAt: daysAgo(97), paymentMethod: 'online', total: ITEM_PRICE, currency: 'CNY' };
      const opened = await d.cases.opened(d.people.customer, d.body('repair', 'quality_issue', { order: inWarranty }));
      await approve(d, opened.id, 'awaiting_return_shipment');
      await d.steps.shipBack(opened.id, 'repairing');
      await d.cases.accepted(d.people.agent, opened.id, 'repair-result', { outcome: 'repaired', verified: true, note: 'replaced the switch' });
      const done = await d.steps.receiveAndConfirm(opened.id, 'repair_return');
      expect(done.outcome.warranty).toBe('in_warranty');
      return done;
    },
  },
  complaint: {
    end: 'completed',
    drive: async (d) => {
      const opened = await d.cases.opened(d.people.customer, d.body('complaint', 'other', { evidence: [] }));
      expectStatus(opened, 'investigating');
      await d.cases.accepted(d.people.agent, opened.id, 'resolution', { resolution: 'courier was rude; apologised and compensated', compensation: { kind: 'refund', amount: 1000 } });
      const { done, refunds } = await d.steps.refundedAndCompleted(opened.id);
      expect(refunds.map((r) => r.amount)).toEqual([1000]);
      return done;
    },
  },
  refund_only: {
    end: 'completed',
    drive: async (d) => {
      const notReceived = { paidAt: daysAgo(9), paymentMethod: 'online', total: ITEM_PRICE, currency: 'CNY' };
      const opened = await d.cases.opened(d.people.customer, d.body('refund_only', 'not_received', { evidence: [], order: notReceived }));
      await d.cases.accepted(d.people.agent, opened.id, 'review', { decision: 'approve' });
      const { done, refunds } = await d.steps.refundedAndCompleted(opened.id);
      expect(refunds.map((r) => ({ amount: r.amount, requests: r.requests }))).toEqual([{ amount: ITEM_PRICE, requests: 1 }]);
      return done;
    },
  },
  reship: {
    end: 'completed',
    drive: async (d) => {
      const opened = await d.cases.opened(d.people.customer, d.body('reship', 'damaged_in_transit'));
      await d.cases.accepted(d.people.agent, opened.id, 'review', { decision: 'approve' });
      const done = await d.steps.receiveAndConfirm(opened.id, 'reship');
      expect(done.outcome.shippingPaidBy).toBe('platform');
      return done;
    },
  },
  courier_exception: {
    end: 'completed',
    drive: async (d) => {
      const lost = { paidAt: daysAgo(6), deliveredAt: daysAgo(1), paymentMethod: 'online', total: ITEM_PRICE, currency: 'CNY' };
      const opened = await d.cases.opened(d.people.customer, d.body('courier_exception', 'not_received', { evidence: [], order: lost }));
      expectStatus(opened, 'investigating');
      await d.cases.waitFor(opened.id, 'the investigation opened with the courier', (c) => timelineEvents(c).includes('investigation.opened'), CALLBACKS_MS);
      await d.cases.accepted(d.people.agent, opened.id, 'resolution', { resolution: 'courier confirms the parcel is lost', outcome: 'reship' });
      return d.steps.receiveAndConfirm(opened.id, 'reship');
    },
  },
};

/** The executions SQL visibility lists for `query`, with their case search attributes, for assertions and failure messages. */
async function listed(query: string): Promise<WorkflowExecutionInfo[]> {
  const temporal = await stack.temporal();
  const found: WorkflowExecutionInfo[] = [];
  for await (const execution of temporal.workflow.list({ query })) found.push(execution);
  return found;
}

/** "<workflow id> (<status>): CaseType=…, CaseStatus=…, SlaBreached=…, EscalationLevel=…", for failure messages. */
function attributesOf(execution: Pick<WorkflowExecutionInfo, 'workflowId' | 'status' | 'typedSearchAttributes'>): string {
  const a = execution.typedSearchAttributes;
  return `${execution.workflowId} (${execution.status.name}): CaseType=${String(a.get(CaseTypeKey))}, CaseStatus=${String(a.get(CaseStatusKey))}, SlaBreached=${String(a.get(SlaBreachedKey))}, EscalationLevel=${String(a.get(EscalationLevelKey))}`;
}

/** What visibility holds for one case, whatever the query, for failure messages. */
async function visibilityOf(snapshot: Pick<CaseSnapshot, 'id'>): Promise<string> {
  const temporal = await stack.temporal();
  const description = await temporal.workflow.getHandle(caseWorkflowId(snapshot.id)).describe();
  return `its execution is ${attributesOf(description)}`;
}

describe('every case type through the API on the Temporal cluster on PostgreSQL', () => {
  test('the journeys cover every case type', () => {
    expect(Object.keys(JOURNEYS).sort()).toEqual([...CASE_TYPES].sort());
  });

  test.each(CASE_TYPES.map((type, n) => [type, n] as const))('one %s case reaches its end through the API, and SQL visibility lists it by CaseType and CaseStatus', async (type, n) => {
    const journey = JOURNEYS[type];
    const started = Date.now();
    const done = await journey.drive(driverFor(n));
    say(`${type}: opened to ${done.status} in ${Date.now() - started} ms`);
    if (done.type !== type || done.status !== journey.end) throw new Error(`expected a ${type} case ${journey.end}, but it is a ${done.type}: ${describeCase(done)}`);

    // The history service writes visibility from its transfer tasks: eventually consistent.
    const query = `CaseType = "${type}" AND CaseStatus = "${journey.end}" AND OrderId = "${done.orderId}"`;
    const [execution] = await eventually(`the ${type} case ${done.id} listed for ${query}`, async () => {
      const found = await listed(query);
      return found.length ? found : undefined;
    }, { timeoutMs: VISIBILITY_MS, intervalMs: 500, explain: () => visibilityOf(done) });
    const a = execution.typedSearchAttributes;
    expect([execution.workflowId, a.get(CaseTypeKey), a.get(CaseStatusKey), a.get(OrderIdKey)]).toEqual([caseWorkflowId(done.id), type, journey.end, done.orderId]);
  });

  test(`a return left in review past its ${REVIEW_BUDGET_MS / 1000} s budget breaches and escalates on its own, and SQL visibility finds it with SlaBreached = true`, async () => {
    const d = driverFor(CASE_TYPES.length);
    const opened = await d.cases.opened(d.people.customer, d.body('return', 'no_reason'));
    expect(opened.policyVersion).toBe(SECONDS_POLICY.version);

    // Nobody reviews it: the workflow's durable timer on the cluster takes the breach.
    const escalated = await d.cases.waitFor(opened.id, 'escalation level 1 after the review breach', (c) => c.escalation.level >= 1, REVIEW_BUDGET_MS + CALLBACKS_MS);
    const review = escalated.sla.find((c) => c.name === 'review');
    if (review?.state !== 'breached' || !review.breachedAt) throw new Error(`the review clock is ${review?.state ?? 'missing'}, not breached; ${describeCase(escalated)}`);
    say(`review breached ${Date.parse(review.breachedAt) - Date.parse(review.deadline)} ms after its deadline`);
    expectStatus(escalated, 'awaiting_review');
    expect(escalated.breached).toBe(true);
    const sla = escalated.timeline.filter((e) => e.event.startsWith('sla.')).map((e) => [e.event, e.data?.clock, e.data?.level ?? null]);
    expect(sla).toEqual(expect.arrayContaining([
      ['sla.breached', 'review', null],
      ['sla.escalated', 'review', 1],
    ]));
    expect(escalated.timeline.find((e) => e.event === 'sla.escalated')?.data).toMatchObject({ recipients: ['team-lead@cluster.local'], priority: 'high' });

    // What an operator types in the UI: the breached cases still waiting for a review.
    const workflowId = caseWorkflowId(opened.id);
    const query = 'SlaBreached = true AND CaseStatus = "awaiting_review"';
    const execution = await eventually(`${workflowId} listed for ${query}`, async () => (await listed(query)).find((e) => e.workflowId === workflowId), {
      timeoutMs: VISIBILITY_MS,
      intervalMs: 500,
      explain: async () => `${query} lists ${(await listed(query)).map(attributesOf).join('; ') || 'nothing'}; ${await visibilityOf(opened)}`,
    });
    const attributes = execution.typedSearchAttributes;
    expect([attributes.get(SlaBreachedKey), attributes.get(CaseTypeKey), attributes.get(CaseStatusKey)]).toEqual([true, 'return', 'awaiting_review']);
    expect(attributes.get(EscalationLevelKey)).toBeGreaterThanOrEqual(1);
    expect(await listed(`EscalationLevel >= 1 AND WorkflowId = "${workflowId}"`)).toHaveLength(1);
    // The cases of every type were reviewed or investigated in time: none of them is listed as breached.
    expect((await listed('SlaBreached = true')).map(attributesOf)).toEqual([expect.stringMatching(new RegExp(`^${workflowId} `))]);
  });
});
