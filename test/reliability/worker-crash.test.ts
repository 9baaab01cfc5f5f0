import type { CaseSnapshot } from '../../domain/case.types';
import { describeCase } from '../integration/support/http-client';
import { ReliabilityStack } from './support/reliability-stack';
import { allOrExplain, countEvents, duplicatesBy, expectedRefund, inBatches, ReturnCases, Sandbox, type ReturnCase } from './support/return-cases';

// Scenario 1: the worker is killed with SIGKILL while 50 return cases are in every stage
// (just opened, approvals in flight, waiting for the parcel, parcels in transit, refunds
// being issued) and started again. Every case must still complete, and nothing the
// providers executed may be duplicated: one refund and one label per case in the sandbox
// ledger, each customer message once in the outbox.

const CASES = 50;
// The customer-information window is short, so that the clocks of cases waiting on their
// customers run out while no worker runs; every other budget is the (long) default.
const POLICY = { version: 'reliability-2026.1', customerTimeouts: { customerInfo: '6s' } };
const WAITING_ON_CUSTOMER = 5;
let stack: ReliabilityStack;
let cases: ReturnCases;
let sandbox: Sandbox;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'worker-crash', policy: POLICY });
  cases = new ReturnCases(stack, 'WK');
  sandbox = new Sandbox(stack.sandboxUrl);
}, 120_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[worker-crash] ${line}\n`);

test('50 return cases survive a kill -9 of the worker: all complete, one refund and one label each, every message once', async () => {
  const all = await inBatches(
    Array.from({ length: CASES + WAITING_ON_CUSTOMER }, (_, n) => n),
    10,
    (n) => cases.open(n),
  );
  const opened = all.slice(0, CASES);
  // Five more cases wait for their customer's information; nobody answers, and the 6 s window runs out during the outage.
  const unanswered = all.slice(CASES);

  // Four groups, so that the kill finds cases in every stage.
  const refunding = opened.slice(0, 15); // inspected: the refund call is in flight at the kill
  const inTransit = opened.slice(15, 25); // parcel shipped just before the kill: callbacks arrive while no worker runs
  const approved = opened.slice(25, 38); // approved: label created, waiting for the customer
  const fresh = opened.slice(38); // opened only: their approvals race the kill

  await inBatches([...refunding, ...inTransit, ...approved], 8, (c) => cases.accepted(cases.approve(c), c, 'review'));
  await inBatches(refunding, 8, (c) => cases.accepted(cases.ship(c), c, 'return-shipment'));
  await allOrExplain(
    'refunding group reaching inspection',
    refunding.map((c) => cases.waitForStatus(c, 'inspecting', 60_000)),
  );

  // A slow payment provider (4 s, under the adapters' 5 s timeout) keeps the refund calls in flight when the worker dies.
  await sandbox.fault('payment', 0, 4000);
  await inBatches(refunding, 8, (c) => cases.accepted(cases.inspect(c), c, 'inspection'));
  await inBatches(inTransit, 10, (c) => cases.accepted(cases.ship(c), c, 'return-shipment'));

  await inBatches(unanswered, 5, (c) => cases.accepted(cases.command(stack.tokens.agent, c, 'review', { decision: 'request_info', note: 'a photo of the label, please' }), c, 'review'));
  const racingApprovals = fresh.map((c) => cases.approve(c).catch((error: Error) => ({ status: 0, text: error.message })));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await stack.kill('worker');
  const issuedAtKill = (await sandbox.ledger()).refunds.filter((r) => refunding.some((c) => c.id === r.caseId)).length;
  say(`worker killed; refunds the payment provider had executed at the kill: ${issuedAtKill} of ${refunding.length}`);

  // While no worker runs: parcels move and refunds settle at the providers, nothing runs our code.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await sandbox.clearFaults();
  await stack.start('worker');
  say(`worker started again; approvals that raced the kill answered ${(await Promise.all(racingApprovals)).map((a) => a.status).join(',')}`);

  const started = Date.now();
  const completed = await allOrExplain(
    'cases completing after the worker restart',
    opened.map((c) => cases.driveToCompletion(c, 180_000)),
  );
  say(`all ${CASES} completed ${Date.now() - started} ms after the restart`);

  // The case as the customer sees it: refunded once, the full story told once.
  const wrong = completed.flatMap((snapshot, i) => problemsOf(opened[i], snapshot));
  expect(wrong).toEqual([]);

  // The clocks that ran out while no worker ran were answered once the worker was back: expired, once.
  const expired = await allOrExplain('unanswered cases expiring', unanswered.map((c) => cases.waitForStatus(c, 'expired', 60_000)));
  expect(expired.map((s) => ({ policy: s.policyVersion, expired: countEvents(s, 'case.expired') }))).toEqual(unanswered.map(() => ({ policy: POLICY.version, expired: 1 })));

  // The providers executed each thing once, whatever the retries.
  const ledger = await sandbox.ledger();
  const ours = new Set(all.map((c) => c.id));
  const refunds = ledger.refunds.filter((r) => ours.has(r.caseId));
  const byCase = (c: ReturnCase, i: number) => {
    const theirs = refunds.filter((r) => r.caseId === c.id);
    const labels = ledger.labels.filter((l) => l.caseId === c.id);
    const refund = completed[i].refund;
    const ok = theirs.length === 1 && labels.length === 1 && theirs[0].refundId === refund?.id && theirs[0].status === 'succeeded';
    return ok ? [] : [`case ${c.id}: ledger refunds ${JSON.stringify(theirs.map((r) => [r.refundId, r.amount, r.status, r.requests]))}, labels ${labels.length}, case refund ${JSON.stringify(refund)}`];
  };
  expect(opened.flatMap(byCase)).toEqual([]);
  say(`refund requests per case: ${refunds.map((r) => r.requests).join(',')} (above 1 = a retry answered by the idempotency key)`);

  const outbox = (await sandbox.outbox()).filter((m) => ours.has(m.caseId));
  expect(duplicatesBy(outbox, (m) => m.idempotencyKey)).toEqual([]);
  expect(duplicatesBy(outbox, (m) => `${m.caseId} ${m.template} → ${m.recipient.kind === 'customer' ? m.recipient.customerId : m.recipient.address}`)).toEqual([]);
  for (const c of unanswered) {
    expect(outbox.filter((m) => m.caseId === c.id && m.template === 'case_expired').map((m) => m.recipient)).toEqual([{ kind: 'customer', customerId: c.customerId }]);
  }
  const missingMessages = opened.flatMap((c) =>
    ['return_label', 'case_completed']
      .filter((template) => !outbox.some((m) => m.caseId === c.id && m.template === template && m.recipient.kind === 'customer' && m.recipient.customerId === c.customerId))
      .map((template) => `case ${c.id}: no ${template} message to ${c.customerId}`),
  );
  expect(missingMessages).toEqual([]);
  expect(stack.deaths).toEqual([]);
});

/** What is wrong with a completed case, one line each (empty when it is right). */
function problemsOf(c: ReturnCase, snapshot: CaseSnapshot): string[] {
  const problems: string[] = [];
  if (snapshot.policyVersion !== POLICY.version) problems.push(`policy ${snapshot.policyVersion}`);
  if (snapshot.refund?.status !== 'succeeded' || snapshot.refund.amount !== expectedRefund(c.unitPrice)) {
    problems.push(`refund ${JSON.stringify(snapshot.refund)}, expected ${expectedRefund(c.unitPrice)} succeeded`);
  }
  for (const event of ['review.approved', 'return.label_created', 'return.shipped', 'return.received', 'inspection.passed', 'refund.requested', 'refund.succeeded', 'case.completed']) {
    const n = countEvents(snapshot, event);
    if (n !== 1) problems.push(`${event} ×${n}`);
  }
  return problems.length ? [`${describeCase(snapshot)}: ${problems.join(', ')}`] : [];
}
