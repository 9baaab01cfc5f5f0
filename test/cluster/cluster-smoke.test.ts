import { CaseStatusKey, OrderIdKey } from '../../domain/search-attributes';
import { caseWorkflowId } from '../../domain/ids';
import { eventually, sleep } from '../integration/support/http-client';
import { ReliabilityStack } from '../reliability/support/reliability-stack';
import { allOrExplain, background, expectedRefund, inBatches, ReturnCases, Sandbox, type ReturnCase } from '../reliability/support/return-cases';

// The product on a Temporal cluster as production runs one: frontend, history, matching and worker
// as four processes of the server we build (tools/temporal-server), on PostgreSQL with SQL
// visibility, a static configuration (scripts/stack/temporal-cluster.ts). FerretDB, the sandbox,
// our worker and our API are the same children as in the reliability suite.

let stack: ReliabilityStack;
let cases: ReturnCases;
let sandbox: Sandbox;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'cluster', temporal: 'cluster' });
  cases = new ReturnCases(stack, 'CL');
  sandbox = new Sandbox(stack.sandboxUrl);
}, 240_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[cluster] ${line}\n`);

/** The cases that SQL visibility lists for `CaseStatus = "completed"` among `orderIds`. */
async function completedInVisibility(orderIds: readonly string[]): Promise<string[]> {
  const temporal = await stack.temporal();
  const query = `CaseStatus = "completed" AND OrderId IN (${orderIds.map((id) => `"${id}"`).join(', ')})`;
  const found: string[] = [];
  for await (const execution of temporal.workflow.list({ query })) {
    if (execution.typedSearchAttributes.get(CaseStatusKey) !== 'completed') throw new Error(`${execution.workflowId} was listed for ${query} with CaseStatus ${String(execution.typedSearchAttributes.get(CaseStatusKey))}`);
    found.push(execution.typedSearchAttributes.get(OrderIdKey) ?? `(no OrderId on ${execution.workflowId})`);
  }
  return found.sort();
}

/** Each case's refunds in the sandbox ledger, as `amount/status`, by case id. */
async function refundsByCase(opened: readonly ReturnCase[]): Promise<Record<string, string[]>> {
  const { refunds } = await sandbox.ledger();
  return Object.fromEntries(opened.map((c) => [c.id, refunds.filter((r) => r.caseId === c.id).map((r) => `${r.amount}/${r.status}`)]));
}

test('on the four-process cluster, a return case opened through the API completes, is refunded once, and SQL visibility finds it completed', async () => {
  const started = Date.now();
  const c = await cases.open(1);
  const done = await cases.driveToCompletion(c, 120_000, 300);
  say(`one return case opened to completed in ${Date.now() - started} ms`);

  expect(done.status).toBe('completed');
  expect(await refundsByCase([c])).toEqual({ [c.id]: [`${expectedRefund(c.unitPrice)}/succeeded`] });
  // Visibility is written by the history service's transfer tasks: eventually consistent.
  const found = await eventually(`case ${c.id} (order ${done.orderId}) listed by CaseStatus = "completed"`, async () => {
    const orders = await completedInVisibility([done.orderId]);
    return orders.length ? orders : undefined;
  }, { timeoutMs: 20_000, intervalMs: 500 });
  expect(found).toEqual([done.orderId]);
  const temporal = await stack.temporal();
  const description = await temporal.workflow.getHandle(caseWorkflowId(c.id)).describe();
  expect(description.typedSearchAttributes.get(CaseStatusKey)).toBe('completed');
});

test('a kill -9 of the history service while 8 cases are under way, and its restart: every case completes with one refund, and visibility lists them all', async () => {
  const opened = await inBatches(Array.from({ length: 8 }, (_, i) => 10 + i), 4, (n) => cases.open(n, undefined, 90_000));
  const started = Date.now();
  // Each case is driven up to its inspection and held there until history is back, so the kill
  // always finds every case with work left (the inspection, the refund), however fast the run.
  const held = opened.map((c) => background(cases.driveUntil(c, 'inspecting', 240_000, 500)));

  // Once the first cases have their parcels delivered, shards are mid-work: the history host dies.
  await eventually('two cases waiting for their inspection', async () => {
    const statuses = await Promise.all(opened.map(async (c) => (await cases.get(c)).status));
    return statuses.filter((s) => s === 'inspecting').length >= 2 ? statuses : undefined;
  }, { timeoutMs: 60_000, intervalMs: 300 });
  const killedAt = Date.now();
  await stack.cluster!.kill('history');
  const atKill = await Promise.all(opened.map(async (c) => (await cases.get(c)).status));
  say(`history killed (-9) ${killedAt - started} ms into the run; the cases were ${atKill.join(', ')}`);
  // The read model answers while history is down: no case can have completed, none was inspected.
  expect(atKill.filter((s) => s === 'completed')).toEqual([]);
  await sleep(2000);
  await stack.cluster!.startService('history');
  say(`history serving again ${Date.now() - killedAt} ms after the kill`);

  const drives = opened.map((c, i) => background(held[i].then(() => cases.driveToCompletion(c, 240_000, 500))));
  const done = await allOrExplain('every case completing after the history restart', drives);
  say(`8 cases completed in ${Date.now() - started} ms, history restart included`);
  expect(done.map((s) => s.status)).toEqual(opened.map(() => 'completed'));
  expect(await refundsByCase(opened)).toEqual(Object.fromEntries(opened.map((c) => [c.id, [`${expectedRefund(c.unitPrice)}/succeeded`]])));
  const orderIds = done.map((s) => s.orderId).sort();
  const listed = await eventually('all 8 cases listed by CaseStatus = "completed"', async () => {
    const orders = await completedInVisibility(orderIds);
    return orders.length === orderIds.length ? orders : undefined;
  }, { timeoutMs: 30_000, intervalMs: 500, explain: async () => `listed: ${(await completedInVisibility(orderIds)).join(', ') || 'none'}` });
  expect(listed).toEqual(orderIds);
  expect(stack.deaths).toEqual([]);
});
