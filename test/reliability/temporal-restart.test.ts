import type { CaseSnapshot } from '../../domain/case.types';
import { eventually, sleep } from '../integration/support/http-client';
import { ReliabilityStack } from './support/reliability-stack';
import { allOrExplain, background, countEvents, inBatches, ReturnCases, Sandbox, type ReturnCase } from './support/return-cases';

// Scenario 2: the Temporal dev server is stopped and started again on the same SQLite file
// while customers keep opening cases and agents keep working them. No case may be lost:
// every case the API confirmed before the restart is found afterwards and completes.

let stack: ReliabilityStack;
let cases: ReturnCases;
let sandbox: Sandbox;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'temporal-restart' });
  cases = new ReturnCases(stack, 'TR');
  sandbox = new Sandbox(stack.sandboxUrl);
}, 120_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[temporal-restart] ${line}\n`);

test('a restart of the Temporal server mid-traffic loses no case: every case opened before it is found and completes', async () => {
  // 20 cases spread over the stages before the traffic starts.
  const early = await inBatches(
    Array.from({ length: 20 }, (_, n) => n),
    8,
    (n) => cases.open(n),
  );
  await inBatches(early.slice(0, 15), 8, (c) => cases.accepted(cases.approve(c), c, 'review'));
  await inBatches(early.slice(5, 15), 8, (c) => cases.accepted(cases.ship(c), c, 'return-shipment'));
  await allOrExplain('cases 10-14 reaching inspection', early.slice(10, 15).map((c) => cases.waitForStatus(c, 'inspecting', 60_000)));
  await inBatches(early.slice(10, 15), 8, (c) => cases.accepted(cases.inspect(c), c, 'inspection'));

  // Traffic: every case is driven to completion by its people, and new customers keep coming.
  const opened: { c: ReturnCase; confirmedAt: number }[] = early.map((c) => ({ c, confirmedAt: Date.now() }));
  const drives: Promise<CaseSnapshot>[] = early.map((c) => background(cases.driveToCompletion(c, 180_000)));
  let trafficOn = true;
  let next = 20;
  const lane = async () => {
    while (trafficOn && next < 200) {
      const c = await cases.open(next++, undefined, 90_000);
      opened.push({ c, confirmedAt: Date.now() });
      drives.push(background(cases.driveToCompletion(c, 180_000)));
      await sleep(200);
    }
  };
  const traffic = Promise.all([lane(), lane(), lane()]);

  // The restart comes once new customers' cases are flowing.
  await eventually('three cases opened by the traffic', async () => (opened.length >= early.length + 3 ? true : undefined), { timeoutMs: 60_000, intervalMs: 200 });
  const restartAt = Date.now();
  await stack.stop('temporal', 3000); // SIGTERM, SIGKILL after 3 s: a restart does not wait for every long poll to drain
  const downAt = Date.now();
  await sleep(2000);
  await stack.start('temporal');
  const upAt = Date.now();
  say(`Temporal stopped in ${downAt - restartAt} ms, down for ${upAt - downAt} ms`);
  await sleep(5000);
  trafficOn = false;
  await traffic;

  // Every case the API confirmed before the restart is still there.
  const before = opened.filter((o) => o.confirmedAt < restartAt).map((o) => o.c);
  expect(before.length).toBeGreaterThan(early.length);
  const lost: string[] = [];
  await Promise.all(
    before.map(async (c) => {
      const answer = await cases.read(c);
      if (answer.status !== 200) lost.push(`case ${c.id} (${c.customerId}) answered ${answer.status} ${answer.text}`);
    }),
  );
  expect(lost).toEqual([]);

  // …and every case, opened before, during or after the restart, completes with one refund.
  const completed = await allOrExplain('cases completing after the Temporal restart', drives);
  say(`${before.length} cases opened before the restart, ${opened.length - before.length} during and after it; all ${completed.length} completed`);
  const doubled = completed.flatMap((s) =>
    ['return.received', 'refund.requested', 'refund.succeeded', 'case.completed'].filter((e) => countEvents(s, e) !== 1).map((e) => `case ${s.id}: ${e} ×${countEvents(s, e)}`),
  );
  expect(doubled).toEqual([]);
  const refunds = (await sandbox.ledger()).refunds;
  const notOnce = opened.map((o) => o.c).filter((c) => refunds.filter((r) => r.caseId === c.id).length !== 1);
  expect(notOnce.map((c) => `case ${c.id}: ${refunds.filter((r) => r.caseId === c.id).length} refunds in the ledger`)).toEqual([]);

  // Opens retried through the outage (same Idempotency-Key) never made a second case.
  const client = await stack.temporal();
  // Case workflows only: the read-model reconciler's Schedule starts workflows of its own.
  const caseWorkflows = "WorkflowType != 'readModelReconcilerWorkflow'";
  const workflows = await eventually(
    `Temporal visibility to count ${opened.length} case workflows`,
    async () => {
      const { count } = await client.workflow.count(caseWorkflows);
      return count === opened.length ? count : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 500, explain: async () => `it counts ${(await client.workflow.count(caseWorkflows)).count}` },
  );
  expect(workflows).toBe(opened.length);
  expect(stack.deaths).toEqual([]);
});
