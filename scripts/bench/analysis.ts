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
The two sides do different amounts of work, and the API's extra work is dominated by the read model:

- A raw \`workflow.start\` returns once the server has persisted the start; no worker is involved.
- \`POST /v1/cases\` (api/cases.service.ts \`open\`) validates, checks eligibility, takes the open-case locks (an insert per
  order line in FerretDB), starts the workflow with the same RPC, and then **waits for the case's first snapshot**
  (\`firstSnapshot\`: a workflow query retried every 200 ms for up to 5 s). A query is answered only after the first
  workflow task has completed, and that task contains the projector's local activity \`projectCase\`
  (workflows/case-runtime.ts \`projectReadModel\` → store/case-read-model.store.ts \`upsertCase\`). So every open pays a
  start, a full workflow-task round trip through the worker, a read-model write and up to 200 ms of retry granularity.
- The write is the expensive part and grows with the data: \`upsertCase\` filters on \`{_id, version: {$lt: v}}\`.
  FerretDB 1.24's SQLite backend pushes only an \`_id\`-only filter down to SQLite (explain: \`filterPushdown: false\`
  for the compound filter), so each projection **reads and decodes every document of \`cases\`**: the lookup figures
  above, and the API's rate falling round after round as the collection grows, show it. While a write runs, the
  workflow task that asked for it stays open (a local activity; the worker logs TMPRL1104 past 5 s), keeping its task
  slot and holding back the API's first-snapshot query; a write is cut off after 4 s (workflows/activities.ts
  \`readModel\`: one try) and the projector retries later on a durable timer, so under this load the read model also
  lags. After 5 s the API stops waiting and answers with the provisional snapshot. Both are counted above.

What would close the gap (product code, not changed by the benchmark): give the projection write a filter FerretDB
pushes down — \`_id\` alone — and keep the version guard another way (the projector is the only writer of a case and
writes in order, so a read of the stored version by \`_id\` before the write is a cheap guard), or run the read model on
MongoDB, where the \`_id\` index turns the same compound filter into a point lookup (not measured: no MongoDB on this
machine); and let \`POST /v1/cases\` answer from the request (the provisional snapshot it already builds) instead of
waiting for the first workflow task, which is what makes its latency depend on the worker and the database at all.
`,

  escalation: `
The durable timers are on time: in the histories above the timer that took the breach was given the right fire time
(give or take the run time of the task that armed it) and fired within milliseconds of it. The lateness is the
**breach's workflow task waiting in the task queue** after the timer fired, for tens of seconds, because the whole
single-machine stack is behind on workflow tasks. Each case has four to five workflow tasks in all (the task count of
the run-time row) and three activities around its deadline (the warning at 0.8 of the budget — 18 s before the breach here, so the two bursts overlap — with its
notification; the breach with the level-1 notification and the escalation record; a projection local activity per
version), so 1,000 deadlines in a minute ask for several thousand workflow tasks and activities in about that minute.
The worker ran each task quickly (the run-time row) and used under a CPU; the Temporal dev server, which persists
every event to its SQLite file (its threads were seen in disk wait while this benchmark was developed), and the two
shared CPUs (the whole-machine figure) are where it queues. The 1,000 first workflow tasks of the opening already took
the worker tens of seconds, which is why the deadlines spread over longer than it took to start the cases.

The read model matters even with the drain: the projection writes of a thousand cases, the escalation records and
the drain's own deletes all take the single SQLite write lock of the database in FerretDB. When they pile up, writes
wait, some fail with "database is locked (SQLITE_BUSY)" or outlive the 4 s cut-off of the \`readModel\` local
activities, and the projector retries them later on its backoff timer, which adds writes (the counts above say how
often in this run). While the benchmark was being developed, one run tipped into that spiral: the 1,000 first workflow
tasks took five minutes instead of half a minute and FerretDB sat at a full CPU. Expect large run-to-run variance here.

What would bring p99 under a second: a Temporal server that is not a dev server on SQLite (the production row of
docs/architecture.md: a cluster or Temporal Cloud) and more worker replicas on the task queue; fewer tasks per breach
(one activity that records the escalation and sends its notifications; one projection per workflow task instead of
per version); and the projection fix of open-cases — without the bench's drain, every one of those projections scans
the read model and keeps a task slot busy, which makes this much worse.
`,

  'worker-memory': `
The worker's own V8 heap is small (the main-thread heap row); the resident memory is in the workflow sandbox: the SDK
runs workflow code in a worker thread with a reusable V8 context and gives **each cached workflow its own module cache**
(\`@temporalio/worker\` lib/workflow/reusable-vm.js: only modules listed in the bundler's \`preloadModules\` are shared),
so every cached case evaluates its own copy of every module of the workflow bundle. That bundle is about 3.1 MB and
includes zod (18 modules), which workflows/ pull in through domain/policy.ts and domain/business-calendar.ts (zod
schemas are built at module load) — hence the MiB and more per cached case above. RSS grows with the number of
**cached** workflows, up to \`maxCachedWorkflows\` (printed above), not with open cases beyond it: evicted cases cost nothing until their timer fires or a
message comes, when they are replayed from history. The same per-workflow set-up is also why taking a new case on
costs the worker so much CPU (the pace and CPU figures above).

While this benchmark was developed, one run's worker (SDK default cache) died after taking on about 6,400 cases,
with the crash of temporalio/sdk-typescript#939 ("async hook stack has become corrupted" in the workflow thread's
MessagePort callback, an open SDK issue) once the cache was full and evicting; if the worker dies in a run, the section
above says so and reports its last sample. A reason on its own to bound the cache.

[when: SDK default applies] What would bring it under 1 GiB (worker/main.ts and the bundle, not changed by the benchmark): set
\`maxCachedWorkflows\` explicitly (at the per-case figure above, a few hundred keep a worker near 1 GiB; the price is a
replay when an evicted case wakes), keep zod and the policy schema out of the workflow bundle (validate the policy in
config/ and hand workflows plain data), and/or list stateless modules in \`bundlerOptions.preloadModules\` so that they
are shared across workflows; beyond that, more worker replicas each holding fewer cases.

[when: (WORKER_MAX_CACHED_WORKFLOWS)] With the cache bounded by WORKER_MAX_CACHED_WORKFLOWS the RSS stays near the idle
worker plus that many cases at the per-case figure, whatever the number of open cases; a smaller bound saves memory at
the price of more replays. Keeping zod and the policy schema out of the workflow bundle, or sharing stateless modules
through \`bundlerOptions.preloadModules\`, would shrink the per-case figure itself.
`,

  history: `
Where the events come from (see the table): every workflow task is three events (scheduled, started, completed) and a
case this short already has sixteen to twenty tasks — one per Update (review, return shipment, inspection, survey), per
courier and payment signal, per activity completion and per timer; the projector records a \`MarkerRecorded\` per
snapshot version it writes (a local activity per version, workflows/case-runtime.ts \`projectReadModel\`); the case
record upserts search attributes on each state change that alters them (workflows/case-record.ts
\`refreshSearchAttributes\`); and the SLA supervisor (workflows/sla-supervisor.ts) cancels and re-arms its one timer
whenever a clock changes, a \`TimerStarted\` + \`TimerCanceled\` pair each time.

What would bring it under 100 (workflow code, not changed by the benchmark; a change needs \`patched()\`): project once
per workflow task instead of once per version, upsert search attributes at most once per task, and keep the supervisor's
timer when the earliest pending clock event did not move. The count varies by a few events from run to run: whether
two callbacks land in the same workflow task depends on timing.
`,

  'list-cases': `
FerretDB 1.24 on SQLite pushes down only filters on \`_id\` (explain table: \`filterPushdown\`, \`sortPushdown\` and
\`limitPushdown\` are all false for every list query, and SQLite's plan is a full \`SCAN\`). So every \`GET /v1/cases\` —
whatever its filter, sort or cursor — makes FerretDB read and decode **every** case document, filter and sort them
in Go, then return one page: the time is proportional to the collection's size (compare the smaller size), and the read
model's compound indexes (store/mongo.ts \`READ_MODEL_INDEXES\`), which exist in SQLite, are never used. The store's
queries are fine for MongoDB, where those indexes serve each filter + sort + cursor as an index range scan; that is
the design's production database, and the target is a MongoDB target (not measured here: no MongoDB on this machine).

For the local stack at this size the options are: the docker-compose MongoDB instead of FerretDB, or FerretDB 2.x
(PostgreSQL with the DocumentDB extension), which pushes filters and sorts down to indexes; at the FerretDB 1.24 / SQLite
level no index or query rewrite helps, since nothing but \`_id\` reaches SQLite.
`,
};
