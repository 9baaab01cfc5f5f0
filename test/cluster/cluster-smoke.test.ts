import { CaseStatusKey, OrderIdKey } from '../../domain/search-attributes';
import { caseWorkflowId } from '../../domain/ids';
import { eventually, HttpClient, sleep } from '../integration/support/http-client';
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

/** The sandbox pays a refund it holds pending (an amount ending in 15): `POST /refunds/{id}/settle`, with its signed callback. */
async function settleRefund(refundId: string): Promise<void> {
  const answer = await new HttpClient(stack.sandboxUrl).post(`/refunds/${encodeURIComponent(refundId)}/settle`, { status: 'succeeded' });
  if (answer.status !== 200) throw new Error(`POST /refunds/${refundId}/settle answered ${answer.status}: ${answer.text}`);
}

/** The price of case `n` whose refund (less the return shipping fee) ends in 15: the sandbox holds such a refund pending until it is settled. */
function heldRefundPrice(n: number): number {
  const price = 5015 + n * 100;
  if (expectedRefund(price) % 100 !== 15) throw new Error(`the refund of ${price} is ${expectedRefund(price)}: the sandbox would settle it on its own`);
  return price;
}

test('a kill -9 of the history service while 8 cases wait for their refunds, and its restart: every case completes with one refund, and visibility lists them all', async () => {
  // Every refund's amount ends in 15, which the sandbox holds pending until the test settles it
  // (sandbox/payment.routes.ts): each case is driven to its refund, requested and unpaid, and the kill
  // comes only once the provider's ledger shows all 8 pending. So at the kill every case provably has
  // work left — the settlement's callback, the refund's commit, the closing — however fast the machine.
  const opened = await inBatches(Array.from({ length: 8 }, (_, i) => 10 + i), 4, (n) => cases.open(n, heldRefundPrice(n), 90_000));
  const started = Date.now();
  await allOrExplain(
    'every case waiting for its refund at the provider',
    opened.map((c) =>
      background(
        cases
          .driveUntil(c, 'refunding', 240_000, 500)
          .then(() => cases.waitFor(c, 'its refund requested from the provider', (s) => s.refund?.status === 'requested' && s.refund.id !== undefined, 60_000, 300)),
      ),
    ),
  );
  const pendingAtProvider = Object.fromEntries(opened.map((c) => [c.id, [`${expectedRefund(c.unitPrice)}/pending`]]));
  expect(await refundsByCase(opened)).toEqual(pendingAtProvider);

  const killedAt = Date.now();
  await stack.cluster!.kill('history');
  const atKill = await Promise.all(opened.map(async (c) => (await cases.get(c)).status));
  say(`history killed (-9) ${killedAt - started} ms into the run; the cases were ${atKill.join(', ')}, their 8 refunds pending at the provider`);
  // The read model answers while history is down: every case still waits for its refund.
  expect(atKill).toEqual(opened.map(() => 'refunding'));
  expect(await refundsByCase(opened)).toEqual(pendingAtProvider);
  await sleep(2000);
  await stack.cluster!.startService('history');
  say(`history serving again ${Date.now() - killedAt} ms after the kill`);

  // Each case's shard is taken up again once a describe of the case answers (history reads its state): only then
  // does the provider pay, so that no callback spends the sandbox's few retries (about 8 s) on a history still starting.
  const temporal = await stack.temporal();
  await eventually('history serving every case again', async () => {
    const described = await Promise.all(opened.map((c) => temporal.workflow.getHandle(caseWorkflowId(c.id)).describe().then(() => true, () => false)));
    return described.every(Boolean) ? described : undefined;
  }, { timeoutMs: 60_000, intervalMs: 500 });
  // The provider pays each refund now: its signed callback reaches the case through the restarted history.
  const { refunds } = await sandbox.ledger();
  for (const c of opened) {
    const refund = refunds.find((r) => r.caseId === c.id);
    if (!refund) throw new Error(`case ${c.id} has no refund in the sandbox ledger`);
    await settleRefund(refund.refundId);
  }
  const drives = opened.map((c) => background(cases.driveToCompletion(c, 240_000, 500)));
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
