import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { startExtraApp, type ExtraApp } from './stack/extra-app';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo, openCaseBody, stackTemporalClient } from './support/fixtures';
import { CasesApi, describeCase, eventually, requiredEnv, stackTokens, type OpenCaseBody } from './support/http-client';

// POST /v1/cases answers as soon as Temporal has accepted the workflow start, with the case the
// API builds from the request (api/opening-snapshot.ts). Here: that case is the one the
// workflow's first task builds, field by field, for every type; and the 201 comes while no
// worker polls the case's task queue at all, the case going on once a worker comes.

const tokens = stackTokens();
// Read as the customer who opened the cases: every answer carries the asker's allowedCommands, so the
// 201 answer and a later read are the same case as the same person sees it.
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.customer);
const temporal = stackTemporalClient();

function caseOf(type: string, reason: string, overrides: Partial<OpenCaseBody> = {}): OpenCaseBody {
  return openCaseBody(type, reason, { orderPrefix: 'IT-OPEN', sku: 'SKU-OPEN-1' }, overrides);
}

/** One request of every type, each eligible under the default policy (as in case-types.e2e.test.ts). */
const EVERY_TYPE: [string, OpenCaseBody][] = [
  ['return', caseOf('return', 'no_reason')],
  ['exchange', caseOf('exchange', 'size_fit')],
  ['repair in warranty', caseOf('repair', 'quality_issue', { order: { paidAt: daysAgo(100), deliveredAt: daysAgo(97), paymentMethod: 'online', total: 8800, currency: 'CNY' } })],
  ['repair out of warranty', caseOf('repair', 'quality_issue', { order: { paidAt: daysAgo(500), deliveredAt: daysAgo(497), paymentMethod: 'online', total: 8800, currency: 'CNY' } })],
  ['complaint', caseOf('complaint', 'other', { evidence: [] })],
  ['refund_only', caseOf('refund_only', 'not_received', { evidence: [], order: { paidAt: daysAgo(9), paymentMethod: 'online', total: 8800, currency: 'CNY' } })],
  ['reship', caseOf('reship', 'damaged_in_transit')],
  ['courier_exception', caseOf('courier_exception', 'not_received', { evidence: [], order: { paidAt: daysAgo(6), deliveredAt: daysAgo(1), paymentMethod: 'online', total: 8800, currency: 'CNY' } })],
];

/**
 * The live case as the first workflow task left it. Only the courier investigation goes on by
 * itself (its provider activity may have answered by now): its later timeline entries and
 * outcome are cut off, which is what the first task had.
 */
function asFirstTaskLeftIt(withLength: CaseSnapshot, opened: CaseSnapshot): CaseSnapshot {
  // The workflow counts its history's events; the API, which built the 201 case before any event, cannot.
  const { historyLength, ...temporal } = withLength.temporal;
  expect(historyLength).toEqual(expect.any(Number));
  const live = { ...withLength, temporal };
  if (live.version <= opened.version) return live;
  if (live.type !== 'courier_exception') throw new Error(`case ${live.id} moved on without anyone acting: ${describeCase(live)}`);
  const later = live.timeline.slice(opened.timeline.length).map((e) => e.event);
  expect(later.every((event) => event === 'investigation.opened')).toBe(true);
  return {
    ...live,
    timeline: live.timeline.slice(0, opened.timeline.length),
    outcome: Object.fromEntries(Object.entries(live.outcome).filter(([key]) => key !== 'investigationId')),
    updatedAt: live.createdAt,
    version: opened.version,
  };
}

/** Fails unless the 201 case is the first workflow task's case, times included (the workflow stamps its opening with the API's instant). */
function expectSameAsFirstTask(opened: CaseSnapshot, live: CaseSnapshot): void {
  expect(asFirstTaskLeftIt(live, opened)).toEqual(opened);
}

describe('POST /v1/cases answers with the case its first workflow task builds', () => {
  test.each(EVERY_TYPE)('%s: the 201 case equals the live case but for the instant it was stamped', async (_name, body) => {
    const answer = await cases.open(tokens.customer, body);
    expect(answer.status).toBe(201);
    const opened = answer.body;
    expect(opened).toMatchObject({ type: body.type, orderId: body.orderId, customerId: 'c-1', assignee: null, closedAt: null, breached: false });
    expect(opened.temporal.runId).toEqual(expect.any(String));
    expect(opened.sla).toHaveLength(1);
    expect(opened.nextDeadline).toBe(opened.sla[0].deadline);

    // Read at once: the query waits for the first workflow task.
    const live = await cases.get(opened.id);
    expectSameAsFirstTask(opened, live);
  });
});

describe('POST /v1/cases on a task queue that no worker polls', () => {
  let dir: string;
  let app: ExtraApp | undefined;
  let api: CasesApi;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-it-no-worker-'));
    const policyFile = path.join(dir, 'policy.json');
    fs.writeFileSync(policyFile, JSON.stringify({ version: 'it-no-worker' }));
    app = await startExtraApp({ policyFile, taskQueue: `it-no-worker-${randomUUID().slice(0, 8)}`, worker: false });
    api = new CasesApi(app.apiUrl, tokens.customer);
  });

  afterAll(async () => {
    await app?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('answers 201 at once; the queue lists it and reading it answers the opened case while no worker runs; once a worker comes the case is live and takes commands', async () => {
    const body = caseOf('return', 'no_reason');
    const started = Date.now();
    const answer = await api.open(tokens.customer, body);
    const tookMs = Date.now() - started;
    expect(answer.status).toBe(201);
    expect(tookMs).toBeLessThan(2000);
    const opened = answer.body;
    expect(answer.headers.get('location')).toBe(`/v1/cases/${opened.id}`);
    expect(opened).toMatchObject({ status: 'awaiting_review', policyVersion: 'it-no-worker', version: 2 });
    expect(opened.sla.map((c) => `${c.name} ${c.state}`)).toEqual(['review running']);

    // The workflow exists and no workflow task of it has run.
    const handle = temporal.client.workflow.getHandle(caseWorkflowId(opened.id));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    const { events } = await handle.fetchHistory();
    expect((events ?? []).some((e) => e.workflowTaskCompletedEventAttributes)).toBe(false);

    // The API wrote the opened case to the read model itself: the list (the read model the agents' queue reads too) shows it, due by its review deadline.
    const queued = await eventually(`case ${opened.id} in the queue with no worker running`, async () => {
      const page = await api.list(tokens.customer, { orderId: body.orderId });
      return page.body.items.length ? page.body.items : undefined;
    });
    expect(queued).toEqual([opened]);
    // Read by id: the workflow cannot answer its query, so the read model's copy is the answer.
    const read = await api.get(opened.id);
    expect(read).toEqual(opened);

    await app!.startWorker();
    const live = await api.get(opened.id);
    expectSameAsFirstTask(opened, live);
    // The worker's projection found the case stored at its version and left the document alone.
    const listed = await api.list(tokens.customer, { orderId: body.orderId });
    expect(listed.body.items).toEqual([opened]);
    const approved = await api.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    expect(approved.status).toBe('awaiting_return_shipment');
  });
});
