import type { BenchOutcome } from './benchmarks/types';

// The explanation printed under each benchmark's figures in docs/benchmarks.md. It was written
// from the profiles the benchmarks print (explain output, log counts, CPU per process, history
// decomposition) and from reading the code it names; the figures themselves come from the run.

/** "Why" of one benchmark: headed "Why the target is missed" when a target of this run was missed. */
export function analysisOf(name: string, outcome: BenchOutcome): string {
  const text = ANALYSIS[name];
  if (!text) return '';
  const missed = outcome.summary.some((row) => row.met === false);
  // A paragraph starting with [when: <text>] is kept only when the benchmark's own output contains <text>.
  const paragraphs = text
    .trim()
    .split(/\n\n/)
    .flatMap((paragraph) => {
      const condition = /^\[when: ([^\]]+)\]\s*/.exec(paragraph);
      if (!condition) return [paragraph];
      return outcome.markdown.includes(condition[1]) ? [paragraph.slice(condition[0].length)] : [];
    });
  return `### ${missed ? 'Why the target is missed' : 'Notes'}\n\n${paragraphs.join('\n\n')}\n`;
}

const ANALYSIS: Record<string, string> = {
  'open-cases': `
The two sides do different amounts of work:

- A raw \`workflow.start\` returns once the server has persisted the start; its trivial workflow then runs one task on
  its own worker.
- \`POST /v1/cases\` (api/cases.service.ts \`open\`) parses and validates the body, checks eligibility against the policy,
  takes the open-case locks (an insert by \`_id\` per order line in FerretDB), starts the workflow with the same RPC, and
  answers 201 with the case as its first workflow task will build it (api/opening-snapshot.ts) — it does not wait for
  the worker. Behind it, each new case's first workflow task runs on the case worker: since 2026-11-29 it starts the
  review timer and nothing else in history (the API passes the feature level, the opening instant and every search
  attribute at the start, docs/workflow-versioning.md), plus the read-model write through the worker's sink (a version
  read and a write by \`_id\`, see the evidence line), on the same two CPUs as the server, the API and FerretDB.

On 2026-11-29 this machine was much slower than on 2026-11-26 (raw starts 70–138/s instead of 304/s, same code),
and the ratio moved between runs by more than any change could: the lighter first task was measured against the code
before it in interleaved runs (100 cases a round, 5 rounds each): ratio 0.37, 0.40, 0.39, 0.45 with it and 0.74,
0.47, 0.47, 0.43 without. The API side opened fewer cases per second with it (34–44 against 44–56), which nothing in
its request path explains (the same validation, locks and start RPC, one more search attribute at the start); it is
not understood yet. The history of a return case fell from 95 to 86 events (time-skipping recording).

Since the payload encryption (2026-11-29, docs/data-protection.md) the API also makes each new case's data key (an
insert in FerretDB, run beside the lock inserts) and encrypts the start's payloads, and the worker decrypts and
encrypts every task's payloads. Measured once after it on the same busy machine: ratio 0.30 (0.52 with the worker
paused), against 0.39–0.42 (0.67–0.72) the same morning without it; profiling the API's requests before it showed the
start RPC itself (250–430 ms under load against 190 ms for a raw start), not the locks or the ledger read (10–30 ms each),
as the largest part, and a raw start with our search attributes, summary and input is about 0.85 of a bare one.

Since 2026-12-08 an opening reads its order from the order source before anything else (api/case-opening.ts \`open\`:
one \`GET /v1/orders/:orderId\` of the order-source contract, here to the sandbox's order service; the bench places each
round's orders in the sandbox before the round, untimed, and claims on them). The read is the \`order_source\` step,
observed once per \`POST /v1/cases\`; the run checks its count against the cases it opened. Its first run (load average
12 at the start, the whole machine at 200 % CPU) measured the read at a mean of 91 ms (p50 ≈ 73 ms, p99 ≈ 448 ms from the
buckets), against 86 ms for the database step and 539 ms for the start RPC: a wait in series before the database step,
of its size on a loaded machine and well below the start's; the ratio was 0.31 (0.27–0.50 by round), against 0.39 in the
run before it on a quieter machine (load average 4).

Since the afternoon of 2026-11-29 the API times its waits (\`aftersales_case_opening_step_seconds\`) and the run prints
them above, beside a trivial start the bench sends every 250 ms during each round and the API's event-loop delay. The
ledger read now runs beside the lock and data-key inserts, the data key is inserted without a read first, and the API
writes the opening case to the read model off the answer's path (docs/api.md, opening steps 5 and 9); the database step
then took 46–99 ms a case in loaded runs, the start RPC 546–720 ms. A CPU profile of the API over a whole run
(\`BENCH_API_CPU_PROFILE_DIR\`, 300 cases a side) found it idle 80 % of the time, its busiest parts the socket writes and
the MongoDB driver: the API process is not what the requests wait for. The start RPC took about 1.5–2 times as long
as the trivial starts sent beside it, so the server spends longer on our start than on a trivial one. The round of case
starts sent by the bench process itself (above: the API's options and encryption, the data key made first, only the
start call timed) settles it: with no HTTP and no database step at all, those starts ran at about 0.3 of the raw ones
too (0.31 and 0.35 in two runs of 2026-11-29, the API 0.36 in both), its start call taking three times a raw one. So
the API's own path costs little; the start of a case is what is slow here. Against a dev server of its own with no worker and nothing else running (300 starts at
concurrency 20, two rounds), the same starts ran at 104–116/s against 148–150/s for the trivial start (0.7–0.8): the
options and the encrypted 3 KB input cost a fifth. The rest comes with the case worker running beside the starts: each
new case's first workflow task (its input decrypted with a data key the worker first reads from the database, a
24-hour timer, the read-model write) keeps the dev server's single SQLite writer and the two CPUs busy, and every
start waits behind that work, where a trivial workflow's one task is over in a moment. With the case worker paused the
ratio rises to about 0.5. Reaching 0.8 would take a server whose persistence is not one SQLite file on the same two
CPUs (docs/architecture.md, scaling out), or making a case's start as light as a trivial workflow's, which its search
attributes, encryption and opening timer rule out.

So what is left of the gap is the API's own work per request and, mostly, the new cases' first workflow tasks, which
load the same server and CPUs while the API's later requests wait: the attribution round with the case worker paused
(above) separates the two. The trivial workflow's single task is much lighter (no timer, no search-attribute upserts,
no read-model write). Until this
session the ratio was 0.11: the API waited for the case's first workflow task (a query retried for up to 5 s), and
each of those tasks waited for a read-model write that made FerretDB scan the whole collection (its SQLite backend
looked \`_id\` up with an expression its own \`_id\` index does not match; we patch it, docs/read-model.md).
`,

  escalation: `
The starts are paced so that the 1,000 deadlines fill one minute, as the target says. Timers fire on time on the
server (the profile table), and what decides the lateness is whether the server and the worker keep up with the work
around the deadlines: per case a warning task with its notification at 0.8 of the budget, then the breach task, which
upserts the search attributes, writes the read model through the worker's sink, and schedules the level-1
notification and the escalation record (two activities, each followed by a workflow task).

How much of a burst the local stack absorbs is set by the Temporal dev server: it keeps all its state in one SQLite
file through a single connection, so every task of every case queues there. Measured while this was built
(2026-11-26, same machine): with the 1,000 cases started as fast as possible (about 6 s, deadlines within about 14 s)
the breach p50 / p99 were 3.7 / 9.0 s; with the dev server committing with an fsync each time (SQLite's default,
before \`--sqlite-pragma synchronous=normal\`, scripts/stack/temporal-server.ts) and the old local-activity
projection, 24.8 / 41.4 s. A production cluster (docs/architecture.md) does not have that single writer; more worker
replicas share the task queue.

Where the worker's CPU goes (2026-11-29, a CPU profile of the escalation worker's threads, \`node --cpu-prof\`, and
the recorded histories replayed 220 times by \`Worker.runReplayHistories\` with the process CPU time measured): the
workflow thread, not the main thread, is the busy one, and about a third of its time is the TypeScript SDK's own
bookkeeping of every promise a workflow creates (a promise hook captures and source-maps a stack trace per promise, so
the Temporal UI can show where a workflow waits; \`@temporalio/worker\` vm-shared.js). Replays cost 85–99 ms of CPU per
case with the default stack depth and 63 ms with stack traces off (\`--stack-trace-limit=0\`, which would also strip every
error's stack, so it is not used). The SDK offers no switch for it, and the workflow context's \`Error\` is frozen.
Since 2026-12-08 the worker runs with \`--stack-trace-limit=4\` (the replay-cpu benchmark measures what each value
costs); fewer promises per activation is what remains in our hands.
`,

  'replay-cpu': `
What is measured is the workflow code's own CPU, without a server: the same work a worker does when it replays an evicted
case (a timer firing, a message arriving) and, a step at a time, on every workflow task. The SDK (1.24, \`@temporalio/worker\`
lib/workflow/vm-shared.js) installs a promise hook in the workflow context that, for every promise a workflow creates,
makes an \`Error\` to capture its stack, formats it, and keeps it for the Temporal UI's *Stack Trace* tab; V8 walks and
formats up to \`--stack-trace-limit\` frames each time (Node's default 10). The hook has no switch and the context's
\`Error\` is frozen, so the process-wide flag is the only handle, and it applies to every stack trace of the worker:
its error logs and the UI's stack traces keep only the innermost frames.

The worker runs with 4 (worker/node-options.ts; \`npm start\`, the test stacks and the benchmarks through
\`startWorker\`, docker-compose through the worker's \`NODE_OPTIONS\`), the knee of the table of 2026-12-08 (14 % saved;
8 saved 4 %, 6 8 %): below 4 the saving flattens out (2 saved 16 %) while the traces lose the frames that name our own
waiting function; 0 (23 %) would strip every error's stack. The issue's earlier measurement (14–19 % with 4) agrees.
The figures are per replayed case of the recorded histories (each of them a whole case, opening to close), on the
shared two-CPU machine: the values were interleaved in every round, and the ratio of each round is the robust figure.
`,

  'worker-memory': `
The worker's own V8 heap is small (the main-thread heap row); the resident memory is in the workflow sandbox: the SDK
runs workflow code in a worker thread with a reusable V8 context and gives **each cached workflow its own module cache**
(\`@temporalio/worker\` lib/workflow/reusable-vm.js: only modules listed in the bundler's \`preloadModules\` are shared),
so every cached case evaluates its own copy of every module of the workflow bundle. Since the policy and calendar
schemas moved out of the modules workflows import (domain/*.schema.ts; test/unit/workflow-bundle.test.ts keeps zod out
of the bundle), the bundle is about 2.0 MB instead of 3.1 MB and a cached case costs a fraction of a MiB instead of
3.7 MiB (the first run of this benchmark, 2026-11-26: 4.2 GiB with the SDK's default cache of 2,310 at 7,005 cases).
RSS grows with the number of **cached** workflows, up to \`maxCachedWorkflows\` (printed above), not with open cases
beyond it: evicted cases cost nothing until their timer fires or a message comes, when they are replayed from history.

[when: (WORKER_MAX_CACHED_WORKFLOWS)] With the cache bounded by WORKER_MAX_CACHED_WORKFLOWS the RSS stays near the idle
worker plus that many cases at the per-case figure, whatever the number of open cases; a smaller bound saves memory at
the price of more replays (which is what made breaches late in the escalation benchmark when the bound was 300).

While this benchmark was developed, one run's worker (SDK default cache) died after taking on about 6,400 cases,
with the crash of temporalio/sdk-typescript#939 ("async hook stack has become corrupted" in the workflow thread's
MessagePort callback, an open SDK issue) once the cache was full and evicting; if the worker dies in a run, the section
above says so and reports its last sample. A reason on its own to bound the cache.
`,

  history: `
Where the events come from (see the table): every workflow task is three events (scheduled, started, completed), and
a return case has one per Update (review, return shipment, inspection, survey), per courier and payment callback and
per activity completion; each activity is three more (scheduled, started, completed), each Update two, each callback
one. Since the \`lean-history\` patch (docs/workflow-versioning.md) a case upserts its search attributes at most once per
workflow activation, writes the read model through a worker sink (no event; it was one \`MarkerRecorded\` per version),
keeps its SLA timer when a clock change leaves the earliest deadline where it was, and tells the customer of the
refund in the closing message; the patch itself costs two events (its marker and the \`TemporalChangeVersion\` search
attribute). The \`order-ledger\` patch adds its own two, and the refund's money path costs one activity and one
marker: the first attempt reserves on the order-line ledger and asks the payment provider in one activity
(\`reserveAndRefund\`), and the commit after the settlement is one local activity (one \`MarkerRecorded\`, no workflow
task of its own); 90 events before it, 102 with a separate reserve and commit activity, 95 now. The count varies by a
few events from run to run: whether two callbacks land in the same workflow task depends on timing.

Since 2026-12-08 the bench's case is opened on the order source's facts (a claim on an order it places in the sandbox,
as every case now is), and the refund of such a case goes through the \`payment-record-checked\` patch: it reserves on
the order-line ledger, checks the payment's own record, then asks the provider, each its own activity where
\`reserveAndRefund\` was one, with one more patch marker. The run of 2026-12-08 01:13 counted 104 events (7
activities, 16 workflow tasks, 2 markers), against 90 (5, 14, 1) in the run before with claimed facts: the target is
now missed by the refund's check of the payment record, not by the opening (which adds no event: the order is read by
the API before the start).
`,

  'list-cases': `
Before our second FerretDB patch (tools/ferretdb/patches/0002-*, docs/read-model.md "FerretDB patch: list queries use
the indexes"), FerretDB 1.24 on SQLite pushed down only filters on \`_id\`: every \`GET /v1/cases\` read and decoded
every case document and filtered and sorted them in Go — worst p95 342 ms at 1,000 cases and 36,709 ms at 100,000
(run of 2026-11-26, load average 1.8), time proportional to the collection's size. With the patch, each list query's
filter, sort and limit reach SQLite, which answers from the read model's compound indexes (store/mongo.ts
\`READ_MODEL_INDEXES\`) as an index range in order and stops at the limit: the explain table shows
\`filterPushdown\`, \`sortPushdown\` and \`limitPushdown\` and a \`SEARCH\`/\`SCAN … USING INDEX\` without \`TEMP B-TREE\`
(the two-status query is one find per status, merged in the store). The time then follows the page, not the collection
(compare the sizes, and the limit-20 pages with the limit-50 and limit-100 ones). What is left is per returned document:
FerretDB decodes the stored form of each document field by field. Since the case document keeps the snapshot as one
JSON string beside its queried fields (docs/read-model.md "Stored shape"), a returned case costs about a fifth of what
the nested snapshot did (run of 2026-11-29 02:03 with the nested shape: limit 50 p95 133 ms, limit 100 171 ms,
the two-status query 106 ms). A CPU profile of FerretDB serving pages of 100 then showed where a returned document's
time went: its stored JSON scanned twice by \`encoding/json\`, a stack captured per document by FerretDB's leak tracking,
and a sixth of the time in Go's garbage collector. Our third patch (tools/ferretdb/patches/0003-*) and the collector
setting of tools/ferretdb/main.go (docs/read-model.md "FerretDB patch: returned documents cost less to decode") took a
page of 100 from 36–40 ms to 20–23 ms in FerretDB side by side; in this benchmark the page of 100 at 100,000 cases went
from p95 67 ms (run of 2026-11-29 07:30) to the figure above. What is left is still per returned document: a page of
20 costs about a fifth of a page of 100.

The SLA report reads day buckets (docs/read-model.md "SLA report"): the first compaction of an existing read model
reads every case once (the reconciler's first run after an upgrade does it), after which a report over the whole
range reads a few hundred bucket documents plus the cases written since the last compaction. A report process keeps
the buckets it unpacked (each revision is immutable), so a repeated report skips the unpacking. The unfolded tail
costs what any read of whole cases costs (about half a millisecond a case here): the 1,000 cases written after the
compaction in this benchmark are about as many as a shop of 100,000 cases a year writes in a day, while the reconciler
folds them every \`RECONCILE_EVERY\` (5 minutes by default). At each smaller size the queries are timed after one untimed round, with the load paused:
the first requests of the run warm the API's routes and FerretDB's caches (until 2026-11-29 the 1,000-case checkpoint
timed five rounds from cold, and its first query set its maximum).
`,
};
