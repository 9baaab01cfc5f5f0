import fs from 'node:fs';
import os from 'node:os';
import type { CaseSnapshot } from '../../domain/case.types';
import { describeCase, HttpClient, sleep } from '../integration/support/http-client';
import { ReliabilityStack } from './support/reliability-stack';
import { allOrExplain, countEvents, expectedRefund, returnClaim, Sandbox } from './support/return-cases';
import { SpreadCalls, type KeyedRequest } from './support/spread-calls';

// Scale-out: one Temporal, one FerretDB, one sandbox, two workers and two API processes, with
// no balancer — the test spreads its calls over both APIs as a client with two addresses
// would. The policy reload reaches both APIs; cases/s is measured with two workers and with
// one; then one worker and one API are killed with SIGKILL while 30 return cases are driven
// through review, shipment, inspection and refund: every case completes, each refund is paid
// once (the sandbox ledger), every call that met the dead API failed at once with a
// connection error and its retry on the other API succeeded, and answers given before the
// kill are given again, the same, by the surviving API (Idempotency-Key on opens and commands).

const POLICY_V1 = { version: 'scale-2026.1' };
const POLICY_V2 = { version: 'scale-2026.2' };
const LOAD_CASES = 30;
const MEASURED_CASES = 12;
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

let stack: ReliabilityStack;
let calls: SpreadCalls;
let sandbox: Sandbox;
let nextCustomer = 0;
let stopped = false;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'scale-out', policy: POLICY_V1 });
  await stack.addWorker('worker-2');
  await stack.addApi('api-2');
  calls = new SpreadCalls({ api: stack.apiUrl, 'api-2': stack.apiUrlOf('api-2') });
  sandbox = new Sandbox(stack.sandboxUrl);
}, 180_000);

afterAll(async () => {
  stopped = true;
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[scale-out] ${line}\n`);

/** One return case as the test drives it: its people, and each step's keyed request. */
interface DrivenCase {
  n: number;
  id: string;
  unitPrice: number;
  readerToken: string;
}

/** The keyed requests of one case's life, built once so that every retry sends the same. */
function stepsOf(n: number, caseId: string): Record<'review' | 'ship' | 'inspect', KeyedRequest> {
  const customer = stack.tokens.customer(n);
  const request = (step: string, token: string, command: string, body: unknown): KeyedRequest => ({
    call: `case ${n} ${step}`,
    token,
    path: `/v1/cases/${caseId}/${command}`,
    body,
    key: `scale-${caseId}-${step}`,
  });
  return {
    review: request('review', stack.tokens.agent, 'review', { decision: 'approve', note: 'scale-out run' }),
    ship: request('ship', customer.token, 'return-shipment', {}),
    inspect: request('inspect', stack.tokens.warehouse, 'inspection', { result: 'pass', note: 'unused' }),
  };
}

/** A keyed answer the test may ask for again: what was asked and what came back. */
interface Answered {
  request: KeyedRequest;
  api: string;
  at: number;
  status: number;
  snapshot: CaseSnapshot;
}

/** Fails unless the keyed request got a 2xx; returns and records the answer. */
async function sent(request: KeyedRequest, answers: Answered[]): Promise<CaseSnapshot> {
  const at = Date.now();
  const answer = await calls.post(request);
  if (answer.status !== 200 && answer.status !== 201) throw new Error(`${request.call} answered ${answer.status} on ${answer.api}: ${answer.text}`);
  answers.push({ request, api: answer.api, at, status: answer.status, snapshot: answer.body });
  return answer.body;
}

/**
 * Sends a command the case showed itself ready for. Right after a worker dies mid-task a read can
 * be a step ahead of the workflow (the read model is written before the task completes, and the
 * task is then run again on the other worker), so a 409 invalid_state is answered by waiting for
 * the case to be ready again and sending once more, as a person at the desk would.
 */
async function sentOnceReady(request: KeyedRequest, answers: Answered[], c: DrivenCase, status: CaseSnapshot['status']): Promise<CaseSnapshot> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sent(request, answers);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt >= 5 || !/answered 409 .*invalid_state/.test(message)) throw error;
      await sleep(1000);
      await waitFor(c, `status ${status} again`, (s) => s.status === status);
    }
  }
}

/** Polls the case over both APIs until `predicate` holds. */
async function waitFor(c: DrivenCase, what: string, predicate: (s: CaseSnapshot) => boolean, timeoutMs = 90_000): Promise<CaseSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last = '(never read)';
  for (;;) {
    if (stopped) throw new Error(`case ${c.id}: the test ended while waiting for ${what}`);
    try {
      const answer = await calls.read(`case ${c.n} read`, c.readerToken, c.id);
      if (answer.status === 200 && predicate(answer.body)) return answer.body;
      last = answer.status === 200 ? describeCase(answer.body) : `${answer.status} ${answer.text}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`case ${c.id} (case ${c.n}): no ${what} within ${timeoutMs} ms; last seen: ${last}`);
    await sleep(400);
  }
}

/** Opens a return for the next customer (keyed) and drives it to completed; every answer goes to `answers`. */
async function driveOne(answers: Answered[]): Promise<{ c: DrivenCase; completed: CaseSnapshot }> {
  const n = nextCustomer++;
  const customer = stack.tokens.customer(n);
  const unitPrice = 6000 + n * 10;
  const opened = await sent({ call: `case ${n} open`, token: customer.token, path: '/v1/cases', body: await returnClaim(stack, customer.customerId, unitPrice), key: `scale-open-${n}` }, answers);
  const c: DrivenCase = { n, id: opened.id, unitPrice, readerToken: stack.tokens.reader(n) };
  const steps = stepsOf(n, c.id);
  await sent(steps.review, answers);
  await sent(steps.ship, answers);
  await waitFor(c, 'status inspecting', (s) => s.status === 'inspecting');
  await sentOnceReady(steps.inspect, answers, c, 'inspecting');
  const completed = await waitFor(c, 'status completed', (s) => s.status === 'completed' || ['rejected', 'cancelled', 'expired'].includes(s.status));
  return { c, completed };
}

/** Runs `count` cases at once, started `staggerMs` apart; fails naming every case that did not complete. */
async function driveMany(count: number, answers: Answered[], staggerMs: number) {
  return allOrExplain(
    `${count} return cases`,
    Array.from({ length: count }, async (_, i) => {
      await sleep(i * staggerMs);
      return driveOne(answers);
    }),
  );
}

/** What is wrong with a completed case, one line each. */
function problemsOf(c: DrivenCase, snapshot: CaseSnapshot, policyVersion: string): string[] {
  const problems: string[] = [];
  if (snapshot.status !== 'completed') problems.push(`status ${snapshot.status}`);
  if (snapshot.policyVersion !== policyVersion) problems.push(`policy ${snapshot.policyVersion}, expected ${policyVersion}`);
  if (snapshot.refund?.status !== 'succeeded' || snapshot.refund.amount !== expectedRefund(c.unitPrice)) {
    problems.push(`refund ${JSON.stringify(snapshot.refund)}, expected ${expectedRefund(c.unitPrice)} succeeded`);
  }
  for (const event of ['review.approved', 'return.shipped', 'inspection.passed', 'refund.requested', 'refund.succeeded', 'case.completed']) {
    const times = countEvents(snapshot, event);
    if (times !== 1) problems.push(`${event} ×${times}`);
  }
  return problems.length ? [`${describeCase(snapshot)}: ${problems.join(', ')}`] : [];
}

test('after the reload procedure (the reload endpoint of every API process), both APIs open cases with the new policy version', async () => {
  const admin = (api: string) => new HttpClient(stack.apiUrlOf(api as 'api')).as(stack.tokens.admin);
  const versions = async () => Promise.all(['api', 'api-2'].map(async (api) => (await admin(api).get<{ version: string }>('/v1/admin/policy')).body.version));
  expect(await versions()).toEqual([POLICY_V1.version, POLICY_V1.version]);

  fs.writeFileSync(stack.configEnv.POLICY_FILE, `${JSON.stringify(POLICY_V2, null, 2)}\n`);
  // A reload is per process: the file changed, but each API keeps what it loaded until told.
  expect(await versions()).toEqual([POLICY_V1.version, POLICY_V1.version]);
  const reloads = await Promise.all(['api', 'api-2'].map(async (api) => (await admin(api).post<{ version: string; previousVersion: string }>('/v1/admin/policy/reload')).body));
  expect(reloads).toEqual([0, 1].map(() => expect.objectContaining({ previousVersion: POLICY_V1.version, version: POLICY_V2.version })));
  expect(await versions()).toEqual([POLICY_V2.version, POLICY_V2.version]);

  // One case opened on each API: both start with the new version.
  const opened = await Promise.all(
    ['api', 'api-2'].map(async (api) => {
      const n = nextCustomer++;
      const customer = stack.tokens.customer(n);
      const answer = await new HttpClient(stack.apiUrlOf(api as 'api')).as(customer.token).post<CaseSnapshot>('/v1/cases', await returnClaim(stack, customer.customerId, 3000), { 'idempotency-key': `scale-policy-${n}` });
      return { api, status: answer.status, policyVersion: answer.body.policyVersion };
    }),
  );
  expect(opened).toEqual([
    { api: 'api', status: 201, policyVersion: POLICY_V2.version },
    { api: 'api-2', status: 201, policyVersion: POLICY_V2.version },
  ]);
});

test('cases/s with two workers and with one (measured, logged for docs/architecture.md)', async () => {
  const rate = async (workers: number) => {
    const started = Date.now();
    const done = await driveMany(MEASURED_CASES, [], 0);
    const seconds = (Date.now() - started) / 1000;
    expect(done.flatMap(({ c, completed }) => problemsOf(c, completed, POLICY_V2.version))).toEqual([]);
    say(`${workers} worker(s): ${MEASURED_CASES} return cases opened and driven to completed at once in ${seconds.toFixed(1)} s = ${(MEASURED_CASES / seconds).toFixed(2)} cases/s`);
    return MEASURED_CASES / seconds;
  };
  const two = await rate(2);
  await stack.stop('worker-2');
  const one = await rate(1);
  await stack.start('worker-2');
  say(`two workers / one worker = ${(two / one).toFixed(2)} (on ${os.cpus().length} cores shared by Temporal, FerretDB, sandbox, APIs and workers)`);
});

test('30 return cases over two APIs and two workers survive a kill -9 of one worker and one API: all complete, one refund each, every call retried on the other API with the same answer', async () => {
  const answers: Answered[] = [];
  const commandsBeforeKill = 30;
  const load = driveMany(LOAD_CASES, answers, 150);
  load.catch(() => undefined);

  // Mid-load: once some commands are answered, with cases in every stage.
  const waitStart = Date.now();
  while (answers.filter((a) => a.request.path !== '/v1/cases').length < commandsBeforeKill && Date.now() - waitStart < 60_000) await sleep(50);
  const killedAt = Date.now();
  await Promise.all([stack.kill('worker-2'), stack.kill('api-2')]);
  say(`killed worker-2 and api-2 after ${answers.length} answers (${answers.filter((a) => a.api === 'api-2').length} of them by api-2)`);

  // Answers api-2 gave before it died, asked again of the surviving API with the same key: the same answer.
  const givenByDead = answers.filter((a) => a.api === 'api-2' && a.at < killedAt);
  const replays = await Promise.all(
    givenByDead.map(async (a) => {
      const replay = () => calls.attempt('api', `${a.request.call} replay`, (http) => http.as(a.request.token).post(a.request.path, a.request.body, { 'idempotency-key': a.request.key }));
      // A 503 says "retry" (a case whose task was on the dead worker answers once Temporal's 10 s task timeout moved it on): a client retries it.
      let again = await replay();
      for (let retry = 0; again.status === 503 && retry < 6; retry++) {
        await sleep(2000);
        again = await replay();
      }
      return { a, again };
    }),
  );
  const differing = replays.flatMap(({ a, again }) => {
    const first = { id: a.snapshot.id, status: a.snapshot.status, version: a.snapshot.version };
    const second = { id: again.body.id, status: again.body.status, version: again.body.version };
    const isOpen = a.request.path === '/v1/cases';
    // An open repeated answers 200 with the case as it is now; a command repeated answers what the command left.
    const same = isOpen ? again.status === 200 && second.id === first.id : again.status === 200 && second.status === first.status && second.version === first.version;
    return same ? [] : [`${a.request.call}: first ${a.status} ${JSON.stringify(first)} from api-2, replayed on api ${again.status} ${again.status === 200 ? JSON.stringify(second) : again.text}`];
  });
  expect(differing).toEqual([]);
  say(`${replays.length} answers of api-2 replayed on api with their keys: all the same`);

  const done = await load;
  say(`all ${LOAD_CASES} completed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);
  expect(done.flatMap(({ c, completed }) => problemsOf(c, completed, POLICY_V2.version))).toEqual([]);

  // Each refund paid once: the payment provider's ledger.
  const ledger = await sandbox.ledger();
  const refundsWrong = done.flatMap(({ c, completed }) => {
    const theirs = ledger.refunds.filter((r) => r.caseId === c.id);
    return theirs.length === 1 && theirs[0].status === 'succeeded' && theirs[0].refundId === completed.refund?.id ? [] : [`case ${c.id}: ledger refunds ${JSON.stringify(theirs)}`];
  });
  expect(refundsWrong).toEqual([]);

  // Calls that met the dead API: a connection error, at once, and the same call answered by the other API.
  const afterKill = calls.attempts.filter((a) => a.at >= killedAt - 5000);
  const failed = afterKill.filter((a) => a.connectionError !== undefined);
  // A call in flight at the kill counts from the kill; one sent later from its start.
  const waited = (a: (typeof failed)[number]) => a.at + a.ms - Math.max(a.at, killedAt);
  expect(failed.filter((a) => a.api !== 'api-2' || !CONNECTION_ERRORS.has(a.connectionError ?? '') || waited(a) > 5000).map((a) => `${a.call} on ${a.api}: ${a.connectionError} after ${waited(a)} ms`)).toEqual([]);
  const unanswered = failed.filter((f) => !calls.attempts.some((a) => a.call === f.call && a.api === 'api' && a.at >= f.at && a.status !== undefined && a.status < 500));
  expect(unanswered.map((f) => `${f.call}: no answer from api after its connection error on api-2`)).toEqual([]);
  expect(failed.length).toBeGreaterThan(0);
  say(`${failed.length} calls met the dead API (${[...new Set(failed.map((f) => f.connectionError))].join(', ')}, within ${Math.max(...failed.map(waited))} ms); each was answered by api`);
  expect(stack.deaths).toEqual([]);
});
