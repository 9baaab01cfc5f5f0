import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { getCaseQuery } from '../../domain/workflow-contract';
import { toSnapshot } from '../../store/case-document.mapper';
import { eventually, HttpClient, sleep, timelineEvents, type ApiErrorBody } from '../integration/support/http-client';
import { ReliabilityStack } from './support/reliability-stack';
import { allOrExplain, background, inBatches, ReturnCases, returnClaim, type ReturnCase } from './support/return-cases';

// Scenario 3: the read model's database (FerretDB) is stopped for 10 s while cases are being
// worked. Lists and reports say so (503 read_model_unavailable) instead of failing obscurely,
// one case is still read live from its workflow, commands still move cases on, and once the
// database is back every case's document catches up with its workflow.

const OUTAGE_MS = 10_000;
let stack: ReliabilityStack;
let cases: ReturnCases;
let api: HttpClient;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'read-model-outage' });
  cases = new ReturnCases(stack, 'RM');
  api = new HttpClient(stack.apiUrl);
}, 120_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[read-model-outage] ${line}\n`);

test('with FerretDB down for 10 s lists answer 503 read_model_unavailable, cases are read live and commands succeed; afterwards the read model catches up', async () => {
  const opened = await inBatches(
    Array.from({ length: 12 }, (_, n) => n),
    6,
    (n) => cases.open(n),
  );
  const fresh = opened.slice(0, 4);
  const approved = opened.slice(4, 8);
  const inspecting = opened.slice(8);
  await inBatches([...approved, ...inspecting], 8, (c) => cases.accepted(cases.approve(c), c, 'review'));
  await inBatches(inspecting, 4, (c) => cases.accepted(cases.ship(c), c, 'return-shipment'));
  await allOrExplain('cases 8-11 reaching inspection', inspecting.map((c) => cases.waitForStatus(c, 'inspecting', 60_000)));
  const supervisor = api.as(stack.tokens.supervisor);
  expect((await supervisor.get('/v1/cases?limit=50')).status).toBe(200);

  // The order of the case opened during the outage: the sandbox's order service does not use the database.
  const { customerId, token } = stack.tokens.customer(150);
  const outageClaim = await returnClaim(stack, customerId, 3000);
  await stack.stop('ferretdb');
  const downAt = Date.now();
  // The database comes back 10 s later, whatever the requests below are doing.
  const backUp = (async () => {
    await sleep(OUTAGE_MS);
    await stack.start('ferretdb');
    say(`FerretDB was down for ${Date.now() - downAt} ms`);
  })();
  void background(backUp);

  const supervisorN = (i: number) => api.as(stack.tokens.supervisorN(i));
  const [lists, ready, refusedOpen, reads, moved] = await Promise.all([
    // Lists and reports: a clear 503 the client can retry, never a 500 or a hang.
    Promise.all(
      [
        ['GET /v1/cases as a supervisor', supervisorN(1), '/v1/cases?limit=50'],
        ['GET /v1/cases as a customer', api.as(fresh[0].customerToken), '/v1/cases'],
        ['GET /v1/cases?status=inspecting', supervisorN(2), '/v1/cases?status=inspecting'],
        ['GET /v1/reports/sla', supervisorN(3), '/v1/reports/sla'],
      ].map(async ([what, as, path]) => [what as string, await (as as HttpClient).get<ApiErrorBody>(path as string)] as const),
    ),
    api.get<{ checks: Record<string, string> }>('/readyz'),
    // Opening a case needs the one-open-case-per-order-line lock: refused with the same clear 503.
    api.as(token).post<ApiErrorBody>('/v1/cases', outageClaim),
    // One case is read live from its workflow…
    Promise.all(opened.map(async (c) => ({ c, answer: await cases.read(c) }))),
    // …and commands go on.
    Promise.all([
      ...fresh.map(async (c) => ['approve', c, await cases.approve(c)] as const),
      ...approved.map(async (c) => ['ship', c, await cases.ship(c)] as const),
      ...inspecting.map(async (c) => ['inspect', c, await cases.inspect(c)] as const),
    ]),
  ]);
  const outageLasted = Date.now() - downAt;
  if (outageLasted >= OUTAGE_MS) throw new Error(`every answer should have come while FerretDB was down, but the last one came ${outageLasted} ms after it stopped (outage ${OUTAGE_MS} ms)`);

  expect(Object.fromEntries(lists.map(([what, a]) => [what, `${a.status} ${a.body?.error?.code} Retry-After: ${a.headers.get('retry-after')}`]))).toEqual(
    Object.fromEntries(lists.map(([what]) => [what, expect.stringMatching(/^503 read_model_unavailable Retry-After: \d+$/)])),
  );
  expect({ status: ready.status, mongodb: ready.body.checks.mongodb }).toEqual({ status: 503, mongodb: 'down' });
  expect(`${refusedOpen.status} ${refusedOpen.body?.error?.code}`).toBe('503 read_model_unavailable');
  expect(reads.filter(({ answer }) => answer.status !== 200).map(({ c, answer }) => `case ${c.id}: ${answer.status} ${answer.text}`)).toEqual([]);
  expect(moved.filter(([, , a]) => a.status !== 200).map(([what, c, a]) => `${what} case ${c.id}: ${a.status} ${a.text}`)).toEqual([]);
  expect(moved.map(([what, , a]) => `${what} → ${a.body.status}`).sort()).toEqual(
    [...fresh.map(() => 'approve → awaiting_return_shipment'), ...approved.map(() => 'ship → return_in_transit'), ...inspecting.map(() => 'inspect → refunding')].sort(),
  );
  say(`during the outage: lists, reads and ${moved.length} commands all answered within ${outageLasted} ms`);
  // The version each workflow had reached when its command was answered.
  const versionsAtOutageEnd = new Map<string, number>(moved.map(([, c, a]) => [c.id, a.body.version]));
  await backUp;
  const client = await stack.temporal();
  const live = (c: ReturnCase) => client.workflow.getHandle(caseWorkflowId(c.id)).query(getCaseQuery);

  // Lists answer again once the API's driver has reconnected.
  await eventually('GET /v1/cases to answer 200 again', async () => ((await supervisor.get('/v1/cases?limit=50')).status === 200 ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 500,
  });

  // Each document reaches at least the version its workflow had when the database came back…
  const collection = await stack.casesCollection();
  await allOrExplain(
    'read-model documents reaching the version of the outage',
    opened.map((c) =>
      eventually(
        `the read-model document of case ${c.id} to reach version ${versionsAtOutageEnd.get(c.id)}`,
        async () => {
          const doc = await collection.findOne({ _id: c.id });
          return doc && doc.version >= versionsAtOutageEnd.get(c.id)! ? doc : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, explain: async () => `stored version ${(await collection.findOne({ _id: c.id }))?.version ?? 'none'}` },
      ),
    ),
  );

  // …the cases go on to completion (the couriers' and the payment provider's callbacks find them)…
  const completed = await allOrExplain('cases completing after the outage', opened.map((c) => background(cases.driveToCompletion(c, 120_000))));
  expect(completed.map((s) => s.status)).toEqual(opened.map(() => 'completed'));

  // …and end with exactly the workflow's version and timeline.
  const mismatches = await Promise.all(
    opened.map(async (c) => {
      try {
        await eventually(
          `case ${c.id}: read model = workflow`,
          async () => {
            const [doc, wf] = await Promise.all([collection.findOne({ _id: c.id }), live(c)]);
            return doc && sameCase(toSnapshot(doc), wf) ? true : undefined;
          },
          {
            timeoutMs: 30_000,
            intervalMs: 500,
            explain: async () => {
              const [doc, wf] = await Promise.all([collection.findOne({ _id: c.id }), live(c)]);
              return `workflow v${wf.version} [${timelineEvents(wf).join(', ')}], read model v${doc?.version} [${doc ? timelineEvents(toSnapshot(doc)).join(', ') : 'no document'}]`;
            },
          },
        );
        return [];
      } catch (error) {
        return [(error as Error).message];
      }
    }),
  );
  expect(mismatches.flat()).toEqual([]);
  expect(stack.deaths).toEqual([]);
});

function sameCase(doc: CaseSnapshot, wf: CaseSnapshot): boolean {
  const key = (entries: { event: string; at?: string }[]) => entries.map((e) => `${e.at} ${e.event}`).join('|');
  return doc.version === wf.version && doc.status === wf.status && key(doc.timeline) === key(wf.timeline);
}
