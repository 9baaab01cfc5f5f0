import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { getCaseQuery } from '../../domain/workflow-contract';
import { SIGNATURE_HEADER, signWebhook } from '../../integrations/webhook-signature';
import { eventually, type ApiErrorBody, type HttpAnswer } from '../integration/support/http-client';
import { ReliabilityStack } from './support/reliability-stack';
import { allOrExplain, inBatches, ReturnCases, type ReturnCase } from './support/return-cases';

// Scenario: the worker dies (kill -9) while FerretDB is down and its read-model writes wait in
// the publisher's queue, so those writes are lost. Once FerretDB and the worker are back, the
// reconciler (its Schedule, triggered at worker start and every RECONCILE_EVERY) rewrites every
// case that is behind, within one period; and a courier callback for a parcel whose write was
// lost still reaches its case, through the repaired read model or, when the read model has no
// match, through the routing keys read from the running workflows.

const PERIOD_MS = 10_000;
let stack: ReliabilityStack;
let cases: ReturnCases;

beforeAll(async () => {
  stack = await ReliabilityStack.start({
    label: 'reconciler',
    // No courier events of their own: the only callbacks are the test's.
    // Every run compares the running cases too (by default only every RECONCILE_RUNNING_EVERY and at a worker start).
    env: { RECONCILE_EVERY: `${PERIOD_MS / 1000}s`, RECONCILE_RUNNING_EVERY: '1s', SANDBOX_TRACKING_STEP_MS: '600000' },
  });
  cases = new ReturnCases(stack, 'RC');
}, 120_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[read-model-reconciler] ${line}\n`);

/** One sample of the worker's /metrics, or undefined when the worker does not answer. */
async function workerMetric(name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${stack.ports.workerMetrics}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  } catch {
    return undefined;
  }
}

/** Posts a courier event for `trackingNumber`, signed with the stack's secret, as the courier would. */
async function courierEvent(trackingNumber: string): Promise<HttpAnswer<ApiErrorBody & { caseId?: string }>> {
  const body = JSON.stringify({ eventId: `evt-${randomUUID()}`, trackingNumber, event: 'picked_up', at: new Date().toISOString() });
  const response = await fetch(`${stack.apiUrl}/v1/webhooks/courier`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(body, stack.webhookSecret) },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : null) as ApiErrorBody & { caseId?: string } };
}

test('when the worker dies with a read-model backlog, the reconciler makes every case equal its workflow within one period, and a lost parcel still routes', async () => {
  const opened = await inBatches(
    Array.from({ length: 6 }, (_, n) => n),
    6,
    (n) => cases.open(n),
  );
  const shipping = opened.slice(0, 3);
  const reviewing = opened.slice(3);
  await inBatches(shipping, 3, (c) => cases.accepted(cases.approve(c), c, 'review'));
  const collection = await stack.casesCollection();
  const client = await stack.temporal();
  const live = (c: ReturnCase) => client.workflow.getHandle(caseWorkflowId(c.id)).query(getCaseQuery);
  await allOrExplain(
    'read-model documents before the outage',
    opened.map((c) =>
      eventually(`the document of case ${c.id} to be written`, async () => {
        const [doc, wf] = await Promise.all([collection.findOne({ _id: c.id }), live(c)]);
        return doc && doc.version === wf.version ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 300 }),
    ),
  );

  // FerretDB stops; the customer ships three parcels and the agent approves three reviews: the workflows move on,
  // their snapshots wait in the worker's queue.
  await stack.stop('ferretdb');
  const answered = new Map<string, number>();
  await Promise.all([
    ...shipping.map(async (c) => answered.set(c.id, (await cases.accepted(cases.ship(c), c, 'return-shipment')).version)),
    ...reviewing.map(async (c) => answered.set(c.id, (await cases.accepted(cases.approve(c), c, 'review')).version)),
  ]);
  const backlog = await eventually('the worker to report a read-model backlog', async () => {
    const pending = await workerMetric('aftersales_read_model_backlog');
    return pending !== undefined && pending > 0 ? pending : undefined;
  }, { timeoutMs: 20_000, intervalMs: 250 });
  say(`backlog of ${backlog} case(s) while FerretDB is down`);

  // The worker dies with its queue; FerretDB comes back; what it holds is behind.
  await stack.kill('worker');
  await stack.start('ferretdb');
  const stale = await Promise.all(opened.map(async (c) => ({ c, stored: (await collection.findOne({ _id: c.id }))?.version ?? 0 })));
  const behind = stale.filter(({ c, stored }) => stored < answered.get(c.id)!);
  expect(behind.map(({ c }) => c.id).sort()).toEqual(opened.map((c) => c.id).sort());

  // The worker comes back: within one period every document equals its workflow.
  await stack.start('worker');
  const back = Date.now();
  const mismatch = async (c: ReturnCase) => {
    const [doc, wf] = await Promise.all([collection.findOne({ _id: c.id }), live(c)]);
    if (!doc) return `case ${c.id}: no document (workflow v${wf.version} ${wf.status})`;
    return doc.version === wf.version && doc.status === wf.status ? null : `case ${c.id}: document v${doc.version} ${doc.status}, workflow v${wf.version} ${wf.status}`;
  };
  await eventually(
    'every read-model document to equal its workflow',
    async () => ((await Promise.all(opened.map(mismatch))).every((m) => m === null) ? true : undefined),
    {
      // One period after the workflow tasks the dead worker held have timed out (Temporal's 10 s task
      // timeout): until then a case cannot answer the reconciler's Query, so the first pass may miss it.
      timeoutMs: 10_000 + PERIOD_MS + 10_000,
      intervalMs: 500,
      explain: async () => (await Promise.all(opened.map(mismatch))).filter((m) => m !== null).join('; '),
    },
  );
  say(`read model equal to the workflows ${Date.now() - back} ms after the worker started`);
  const parcels = await Promise.all(shipping.map(async (c) => (await collection.findOne<{ trackingNumbers: string[] }>({ _id: c.id }))?.trackingNumbers ?? []));
  expect(parcels).toEqual(shipping.map((c) => [c.trackingNumber]));
  // Some of those were rewritten by the restarted worker itself (a case whose task or activity was
  // in flight writes its snapshot again when it runs), the rest by the reconciler. To see the
  // reconciler alone at work, a document of a case that will not move again is set back by hand:
  // the next run finds the drift and writes the workflow's snapshot.
  const idle = reviewing[reviewing.length - 1];
  const repairedBefore = (await workerMetric('aftersales_reconciler_cases_repaired_total')) ?? 0;
  await collection.updateOne({ _id: idle.id }, { $set: { version: 1, status: 'awaiting_review' } });
  await eventually(`the reconciler to rewrite case ${idle.id}`, async () => ((await mismatch(idle)) === null ? true : undefined), {
    timeoutMs: PERIOD_MS + 10_000,
    intervalMs: 500,
    explain: async () => (await mismatch(idle)) ?? '',
  });
  expect(await workerMetric('aftersales_reconciler_cases_repaired_total')).toBeGreaterThan(repairedBefore);
  expect(await workerMetric('aftersales_reconciler_drift_found_total')).toBeGreaterThan(0);

  // A courier callback for a parcel whose write was lost reaches its case through the repaired read model…
  const [first, second] = shipping as [ReturnCase, ReturnCase];
  const routed = await courierEvent(first.trackingNumber);
  expect(`${routed.status} ${routed.body?.caseId}`).toBe(`202 ${first.id}`);
  // …and one the read model still cannot route (its key gone, its version current) through the running workflows.
  await collection.updateOne({ _id: second.id }, { $set: { trackingNumbers: [] } });
  const fallback = await courierEvent(second.trackingNumber);
  expect(`${fallback.status} ${fallback.body?.caseId}`).toBe(`202 ${second.id}`);
  for (const c of [first, second]) {
    await eventually(`case ${c.id} to hear that its parcel was picked up`, async () => {
      const wf: CaseSnapshot = await live(c);
      return wf.shipments.some((s) => s.trackingNumber === c.trackingNumber && s.status === 'picked_up') ? true : undefined;
    }, { timeoutMs: 10_000, intervalMs: 300 });
  }
  // A parcel no case has is still unknown.
  expect((await courierEvent(`RCUNKNOWN${Date.now()}`)).status).toBe(404);
  expect(stack.deaths).toEqual([]);
});
