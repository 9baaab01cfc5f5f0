import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { describeCase } from '../integration/support/http-client';
import { ReliabilityStack } from './support/reliability-stack';
import { allOrExplain, background, countEvents, duplicatesBy, expectedRefund, inBatches, ReturnCases, Sandbox, type ReturnCase } from './support/return-cases';

// Scenario 4: the payment provider fails half of its calls with a 503 and answers the others
// slowly, while 20 refunds are issued. Every case still completes, and every refund is
// executed exactly once: the idempotency key fixed in the workflow makes every retry, of the
// adapter or of Temporal, the same refund.

const CASES = 20;
const FAULT = { errorRate: 0.5, delayMs: 1200 };
let stack: ReliabilityStack;
let cases: ReturnCases;
let sandbox: Sandbox;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'payment-faults' });
  cases = new ReturnCases(stack, 'PF');
  sandbox = new Sandbox(stack.sandboxUrl);
}, 120_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[payment-faults] ${line}\n`);

test(`with the payment provider failing ${FAULT.errorRate * 100}% of calls and answering in ${FAULT.delayMs} ms, every case completes with exactly one refund`, async () => {
  const opened = await inBatches(
    Array.from({ length: CASES }, (_, n) => n),
    8,
    (n) => cases.open(n),
  );
  await inBatches(opened, 8, (c) => cases.accepted(cases.approve(c), c, 'review'));
  await inBatches(opened, 8, (c) => cases.accepted(cases.ship(c), c, 'return-shipment'));
  await allOrExplain('cases reaching inspection', opened.map((c) => cases.waitForStatus(c, 'inspecting', 60_000)));

  await sandbox.fault('payment', FAULT.errorRate, FAULT.delayMs);
  await inBatches(opened, 8, (c) => cases.accepted(cases.inspect(c), c, 'inspection'));
  const started = Date.now();
  const completed = await allOrExplain('cases completing under payment faults', opened.map((c) => background(cases.driveToCompletion(c, 180_000))));
  say(`all ${CASES} refunds settled ${Date.now() - started} ms after the inspections`);
  await sandbox.clearFaults();

  expect(completed.flatMap((s, i) => problemsOf(opened[i], s))).toEqual([]);

  const ledger = await sandbox.ledger();
  const ledgerProblems = opened.flatMap((c, i) => {
    const theirs = ledger.refunds.filter((r) => r.caseId === c.id);
    const refund = completed[i].refund;
    return theirs.length === 1 && theirs[0].refundId === refund?.id && theirs[0].status === 'succeeded' && theirs[0].amount === expectedRefund(c.unitPrice)
      ? []
      : [`case ${c.id}: ledger ${JSON.stringify(theirs.map((r) => ({ id: r.refundId, amount: r.amount, status: r.status, requests: r.requests })))}, case refund ${JSON.stringify(refund)}`];
  });
  expect(ledgerProblems).toEqual([]);
  const ours = new Set(opened.map((c) => c.id));
  const outbox = (await sandbox.outbox()).filter((m) => ours.has(m.caseId));
  expect(duplicatesBy(outbox, (m) => m.idempotencyKey)).toEqual([]);
  // Each customer is told of the refund once, in the closing message that carries its amount.
  expect(outbox.filter((m) => m.template === 'case_completed' && m.params.refundAmount === expectedRefund(opened.find((c) => c.id === m.caseId)?.unitPrice ?? -1)).map((m) => m.caseId).sort()).toEqual([...ours].sort());

  // How hard the faults hit: attempts of the refund activity, from each case's history.
  const attempts = await Promise.all(opened.map((c) => refundActivityAttempts(c)));
  say(`refund activity attempts per case: ${attempts.join(',')} (each attempt = up to 3 HTTP calls by the adapter)`);
  expect(stack.deaths).toEqual([]);
});

function problemsOf(c: ReturnCase, snapshot: CaseSnapshot): string[] {
  const problems: string[] = [];
  if (snapshot.refund?.status !== 'succeeded' || snapshot.refund.amount !== expectedRefund(c.unitPrice)) problems.push(`refund ${JSON.stringify(snapshot.refund)}`);
  for (const event of ['refund.approved', 'refund.requested', 'refund.succeeded', 'case.completed']) {
    if (countEvents(snapshot, event) !== 1) problems.push(`${event} ×${countEvents(snapshot, event)}`);
  }
  if (countEvents(snapshot, 'refund.failed') !== 0) problems.push(`refund.failed ×${countEvents(snapshot, 'refund.failed')}`);
  return problems.length ? [`${describeCase(snapshot)}: ${problems.join(', ')}`] : [];
}

/** The highest attempt number of the case's issueRefund activity, from its Temporal history. */
async function refundActivityAttempts(c: ReturnCase): Promise<number> {
  const client = await stack.temporal();
  const history = await client.workflow.getHandle(caseWorkflowId(c.id)).fetchHistory();
  const refundScheduled = new Set<string>();
  let attempts = 0;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'issueRefund') refundScheduled.add(String(event.eventId));
    const completedAttrs = event.activityTaskStartedEventAttributes;
    if (completedAttrs && refundScheduled.has(String(completedAttrs.scheduledEventId))) attempts = Math.max(attempts, completedAttrs.attempt ?? 1);
  }
  return attempts;
}
