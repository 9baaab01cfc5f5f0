import fs from 'node:fs';
import path from 'node:path';
import { Collections, connectMongo } from '../../../store/mongo';
import { freePort } from '../../stack/ports';
import { benchReturn, openCase, placedReturns, type ReturnClaim } from '../http';
import { caseIdForIdempotencyKey } from '../../../api/case-id';
import type { OpeningStep } from '../../../api/metrics';
import { defaultPolicy } from '../../../domain/policy';
import { caseWorkflowId } from '../../../domain/ids';
import { startCaseDirectly } from '../direct-start';
import { CpuMeter, MACHINE, metricValue, quiesce } from '../process-memory';
import { fmt, median, percentile, runLoad, throughput, type LoadResult } from '../stats';
import { mdTable, verdict, type Benchmark, type BenchContext, type BenchOutcome } from './types';

const TOTAL = Number(process.env.BENCH_OPEN_CASES ?? 500);
const ROUNDS = Number(process.env.BENCH_OPEN_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_OPEN_CONCURRENCY ?? 20);
const WARMUP = 40;
const TARGET_RATIO = 0.8;
const TRIVIAL_QUEUE = 'bench-trivial';
/** Pause between the probe's trivial starts beside each round. */
const PROBE_EVERY_MS = 250;
/** Between rounds: wait until the worker and FerretDB use less than this much CPU (or QUIESCE_MAX_MS). */
const QUIET_CPU_PERCENT = 15;
const QUIESCE_MAX_MS = 30_000;

interface RoundResult {
  round: number;
  /** Documents in the main read model's cases collection when the round started. */
  documents: number;
  first: 'api' | 'raw';
  api: LoadResult;
  raw: LoadResult;
}

/**
 * Opening cases through the API (POST /v1/cases) against a raw `client.workflow.start` of a
 * trivial workflow on the same server at the same concurrency, in alternating rounds.
 */
export const openCasesBenchmark: Benchmark = {
  name: 'open-cases',
  title: 'Opening cases: API vs raw workflow start',
  async run({ stack, client, caseKeys, say, runId }: BenchContext): Promise<BenchOutcome> {
    const healthPort = await freePort();
    const trivialWorker = await stack.startService(
      'bench-trivial-worker',
      path.join('scripts', 'bench', 'trivial', 'worker.ts'),
      { BENCH_TRIVIAL_TASK_QUEUE: TRIVIAL_QUEUE, BENCH_TRIVIAL_HEALTH_PORT: String(healthPort) },
      `http://127.0.0.1:${healthPort}/healthz`,
    );
    const { client: mongo, db } = await connectMongo(stack.mongoUri, stack.mongoDb);
    const cases = db.collection<{ _id: string; version: number }>(Collections.cases);
    const logCounts = () => ({
      queuedWrites: countLines(path.join(stack.logDir, 'worker.log'), 'read-model write failed'),
      slowTasks: countLines(path.join(stack.logDir, 'worker.log'), 'Workflow task duration exceeded'),
    });
    try {
      const { apiUrl } = stack.main;
      const agents = stack.tokens.agents;
      let apiSeq = 0;
      let rawSeq = 0;
      // A trivial start every PROBE_EVERY_MS beside a round: how fast the server starts a workflow while that round loads it.
      let probeSeq = 0;
      const probed = async (round: () => Promise<LoadResult>, into: number[]): Promise<LoadResult> => {
        let running = true;
        const probes = (async () => {
          while (running) {
            const t0 = performance.now();
            await client.workflow.start('benchTrivialWorkflow', { taskQueue: TRIVIAL_QUEUE, workflowId: `bench-probe-${runId}-${probeSeq++}`, args: [{ n: -1 }] });
            into.push(performance.now() - t0);
            await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
          }
        })();
        try {
          return await round();
        } finally {
          running = false;
          await probes;
        }
      };
      const probeDuringApi: number[] = [];
      const probeDuringRaw: number[] = [];
      // The API's event-loop delay over each API round (prom-client resets its histogram at every scrape of /metrics).
      const apiLoopDelays: { p50: number; p99: number; max: number }[] = [];
      // Each API round claims on orders placed in the sandbox's order service before it (untimed): the round times the openings alone.
      const claimsFor = async (count: number): Promise<ReturnClaim[]> => {
        const placed = await placedReturns(stack.sandboxUrl, `BENCH-OPEN-${runId}`, apiSeq, count);
        apiSeq += count;
        return placed.map((r) => r.claim);
      };
      let apiOpened = 0;
      const apiRound = async (claims: readonly ReturnClaim[]) => {
        await eventLoopDelay(apiUrl);
        const result = await runLoad(claims.length, CONCURRENCY, async (i, worker) => {
          await openCase(apiUrl, agents[worker % agents.length], claims[i]);
          apiOpened++;
        });
        apiLoopDelays.push(await eventLoopDelay(apiUrl));
        return result;
      };
      const rawRound = (count: number) =>
        runLoad(count, CONCURRENCY, async () => {
          const n = rawSeq++;
          await client.workflow.start('benchTrivialWorkflow', {
            taskQueue: TRIVIAL_QUEUE,
            workflowId: `bench-trivial-${runId}-${n}`,
            args: [{ n }],
          });
        });

      // One side's trailing work (projections of the API round) must not load the other side.
      const quiescePids = { worker: stack.leafPid('worker'), FerretDB: stack.leafPid('ferretdb') };
      const quiet = () => quiesce(quiescePids, QUIESCE_MAX_MS, QUIET_CPU_PERCENT);

      say(`open-cases: warm-up (${WARMUP} API opens, ${WARMUP} raw starts)`);
      assertClean('warm-up API', await apiRound(await claimsFor(WARMUP)));
      assertClean('warm-up raw', await rawRound(WARMUP));

      const perRound = Math.ceil(TOTAL / ROUNDS);
      const rounds: RoundResult[] = [];
      const before = logCounts();
      const stepsBefore = await openingSteps(apiUrl);
      const openedBefore = apiOpened;
      const cpu = new CpuMeter({
        API: stack.leafPid('api'),
        worker: stack.leafPid('worker'),
        'trivial worker': stack.leafPid('bench-trivial-worker'),
        'Temporal server': stack.leafPid('temporal'),
        FerretDB: stack.leafPid('ferretdb'),
        'bench process': process.pid,
        'whole machine (200 % = 2 CPUs)': MACHINE,
      });
      for (let round = 1; round <= ROUNDS; round++) {
        const claims = await claimsFor(perRound);
        await quiet(); // let the worker finish the previous round's trailing tasks and projections
        const documents = await cases.estimatedDocumentCount();
        const first = round % 2 === 1 ? 'api' : 'raw';
        let api: LoadResult;
        let raw: LoadResult;
        if (first === 'api') {
          api = await probed(() => apiRound(claims), probeDuringApi);
          await quiet();
          raw = await probed(() => rawRound(perRound), probeDuringRaw);
        } else {
          raw = await probed(() => rawRound(perRound), probeDuringRaw);
          await quiet();
          api = await probed(() => apiRound(claims), probeDuringApi);
        }
        assertClean(`round ${round} API`, api);
        assertClean(`round ${round} raw`, raw);
        rounds.push({ round, documents, first, api, raw });
        say(
          `open-cases: round ${round}/${ROUNDS}: API ${fmt(throughput(api))}/s p50 ${fmt(percentile(api.latenciesMs, 50))} ms, ` +
            `raw ${fmt(throughput(raw))}/s p50 ${fmt(percentile(raw.latenciesMs, 50))} ms`,
        );
      }

      const after = logCounts();
      const cpuDuringRounds = cpu.describe();
      const stepsAfter = await openingSteps(apiUrl);
      const steps = stepFigures(stepsBefore, stepsAfter);
      // The order is read once per opening: the order_source step counts one observation per POST /v1/cases.
      const openedInRounds = apiOpened - openedBefore;
      const orderReads = stepsAfter.order_source.count - stepsBefore.order_source.count;
      const readOncePerCase = orderReads === openedInRounds && steps.database.count === openedInRounds && steps.temporal_start.count === openedInRounds;
      say(`open-cases: ${orderReads} order reads for ${openedInRounds} cases opened in the rounds; order read mean ${fmt(steps.order_source.mean)} ms, p50 ≈ ${fmt(steps.order_source.p50)} ms, p99 ≈ ${fmt(steps.order_source.p99)} ms`);

      // Attribution: one more pair of rounds with the case worker paused (SIGSTOP), so that the
      // new cases' first workflow tasks do not run beside the API's requests; the worker resumes after.
      const pausedClaims = await claimsFor(perRound);
      await quiet();
      const workerPid = stack.leafPid('worker');
      say('open-cases: one more API round and raw round with the case worker paused (attribution)');
      process.kill(workerPid, 'SIGSTOP');
      let pausedApi: LoadResult;
      let pausedRaw: LoadResult;
      try {
        pausedApi = await apiRound(pausedClaims);
        pausedRaw = await rawRound(perRound);
      } finally {
        process.kill(workerPid, 'SIGCONT');
      }
      // Attribution: the API's start without the API. The bench starts cases itself with the API's options and
      // encryption (scripts/bench/direct-start.ts; each case's data key made first, as the API does), timing the start
      // call alone, beside a raw round; the case worker runs.
      await quiet();
      say('open-cases: one more round of case starts from the bench process (no HTTP, no locks) and a raw round');
      const directPolicy = defaultPolicy();
      let directSeq = 0;
      const directStartMs: number[] = [];
      const direct = await runLoad(perRound, CONCURRENCY, async () => {
        const n = directSeq++;
        const key = `bench-direct-${runId}-${n}`;
        const caseId = caseIdForIdempotencyKey('c-bench', key);
        await caseKeys.newKeyFor(caseWorkflowId(caseId));
        const t0 = performance.now();
        await startCaseDirectly(client, stack.main.taskQueue, directPolicy, benchReturn(`BENCH-DIRECT-${runId}`, n, 'c-bench').request, key);
        directStartMs.push(performance.now() - t0);
      });
      await quiet();
      const directRaw = await rawRound(perRound);
      assertClean('direct case starts', direct);
      assertClean('raw round beside the direct starts', directRaw);
      assertClean('paused-worker API', pausedApi);
      assertClean('paused-worker raw', pausedRaw);
      const pausedRatio = throughput(pausedApi) / throughput(pausedRaw);
      // The read of the projection write's version guard (store/case-read-model.store.ts upsertCase: by _id alone), on the grown collection.
      const documents = await cases.estimatedDocumentCount();
      const newest = await cases.find({}, { projection: { _id: 1 } }).limit(1).toArray();
      const probeId = newest[0]?._id ?? `cs_bench_absent_${runId}`;
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await cases.findOne({ _id: probeId }, { projection: { version: 1 } });
        samples.push(performance.now() - t0);
      }
      const idReadMs = median(samples);
      const idPushdown = ((await db.command({ explain: { find: Collections.cases, filter: { _id: probeId } } })) as { filterPushdown?: boolean }).filterPushdown;

      const apiTput = median(rounds.map((r) => throughput(r.api)));
      const rawTput = median(rounds.map((r) => throughput(r.raw)));
      const ratio = median(rounds.map((r) => throughput(r.api) / throughput(r.raw)));
      const apiP50 = median(rounds.map((r) => percentile(r.api.latenciesMs, 50)));
      const apiP99 = median(rounds.map((r) => percentile(r.api.latenciesMs, 99)));
      const rawP50 = median(rounds.map((r) => percentile(r.raw.latenciesMs, 50)));
      const rawP99 = median(rounds.map((r) => percentile(r.raw.latenciesMs, 99)));
      const met = ratio >= TARGET_RATIO;

      const roundRows = rounds.map((r) => [
        r.round,
        r.documents,
        r.first === 'api' ? 'API, then raw' : 'raw, then API',
        fmt(throughput(r.api)),
        fmt(percentile(r.api.latenciesMs, 50)),
        fmt(percentile(r.api.latenciesMs, 99)),
        fmt(throughput(r.raw)),
        fmt(percentile(r.raw.latenciesMs, 50)),
        fmt(percentile(r.raw.latenciesMs, 99)),
        fmt(throughput(r.api) / throughput(r.raw), 2),
      ]);
      const allApi = rounds.flatMap((r) => r.api.latenciesMs);
      const allRaw = rounds.flatMap((r) => r.raw.latenciesMs);
      const markdown = [
        `${perRound * ROUNDS} return cases through \`POST /v1/cases\` (valid claims, each on an order of its own placed in the sandbox's order service before its round and read by the API as it opens the case, ${CONCURRENCY} concurrent clients, ` +
          `each with its own agent token, keep-alive HTTP) against ${perRound * ROUNDS} raw \`client.workflow.start\` calls of a ` +
          `trivial workflow (\`scripts/bench/trivial/\`, its own worker process and task queue) from the bench process at the same ` +
          `concurrency, on the same Temporal server; ${ROUNDS} rounds of ${perRound} each, the order alternating per round, ` +
          `after a warm-up of ${WARMUP} each; before each side the bench waits (≤ ${QUIESCE_MAX_MS / 1000} s) until the worker and ` +
          `FerretDB are below ${QUIET_CPU_PERCENT} % CPU, so that one side's trailing work does not load the other. A round's throughput is successful operations / its wall time (closed loop).`,
        '',
        mdTable(
          ['', 'throughput (ops/s)', 'p50 (ms)', 'p99 (ms)'],
          [
            ['POST /v1/cases (median over rounds)', fmt(apiTput), fmt(apiP50), fmt(apiP99)],
            ['raw workflow.start (median over rounds)', fmt(rawTput), fmt(rawP50), fmt(rawP99)],
            ['all rounds pooled: API', '', fmt(percentile(allApi, 50)), fmt(percentile(allApi, 99))],
            ['all rounds pooled: raw', '', fmt(percentile(allRaw, 50)), fmt(percentile(allRaw, 99))],
          ],
        ),
        '',
        `**Throughput ratio API / raw: ${fmt(ratio, 2)}** (median of the per-round ratios; target ≥ ${TARGET_RATIO}: ${verdict(met)}).`,
        '',
        mdTable(['round', 'cases in the read model', 'order', 'API ops/s', 'API p50', 'API p99', 'raw ops/s', 'raw p50', 'raw p99', 'ratio'], roundRows),
        '',
        `Where an opening waits (the API's \`aftersales_case_opening_step_seconds\` over the rounds, mean per case): ` +
          `**${fmt(steps.order_source.mean)} ms** reading the order from the order source (the sandbox's order service over HTTP), ` +
          `**${fmt(steps.database.mean)} ms** on the database (ledger read, locks and data key side by side) and ` +
          `**${fmt(steps.temporal_start.mean)} ms** on the workflow start RPC, against a raw start's mean of ` +
          `${fmt(mean(rounds.flatMap((r) => r.raw.latenciesMs)))} ms; the rest of the API's mean of ` +
          `${fmt(mean(rounds.flatMap((r) => r.api.latenciesMs)))} ms is HTTP, validation and the API's own queueing. ` +
          `A trivial start sent by the bench every ${PROBE_EVERY_MS} ms beside the rounds took p50 **${fmt(percentile(probeDuringApi, 50))} ms** ` +
          `(n ${probeDuringApi.length}) while the API opened cases and **${fmt(percentile(probeDuringRaw, 50))} ms** (n ${probeDuringRaw.length}) ` +
          `while the raw starts ran: how long the server itself takes to start a workflow under each side's load. ` +
          `The API's event loop was delayed p50 ${fmt(median(apiLoopDelays.map((d) => d.p50)))} ms, p99 ${fmt(median(apiLoopDelays.map((d) => d.p99)))} ms, ` +
          `max ${fmt(Math.max(...apiLoopDelays.map((d) => d.max)))} ms during its rounds (prom-client's \`nodejs_eventloop_lag_*\`, median over the rounds).`,
        '',
        mdTable(
          ['step of an opening', 'observations', 'mean (ms)', 'p50 (ms, from buckets)', 'p99 (ms, from buckets)'],
          OPENING_STEPS.map((step) => [`\`${step}\``, steps[step].count, fmt(steps[step].mean), fmt(steps[step].p50), fmt(steps[step].p99)]),
        ),
        '',
        `The means are exact (the histogram's sum over its count); p50 and p99 are estimated from the histogram's buckets ` +
          `(bounds ${STEP_BUCKETS_MS} ms) by linear interpolation inside the bucket, as Prometheus's \`histogram_quantile\` does: ` +
          `read them as "within that bucket". **The order is read once per opened case: ${orderReads} order reads for ` +
          `${openedInRounds} cases opened in the rounds** (${verdict(readOncePerCase)}; the database and start steps counted ` +
          `${steps.database.count} and ${steps.temporal_start.count}).`,
        '',
        `Case starts sent by the bench itself with the API's options and encryption (no HTTP, no database step; ` +
          `\`scripts/bench/direct-start.ts\`) ran at **${fmt(throughput(direct))}**/s, the start call p50 **${fmt(percentile(directStartMs, 50))} ms** ` +
          `(mean ${fmt(mean(directStartMs))} ms), against ${fmt(throughput(directRaw))} raw starts/s (p50 ${fmt(percentile(directRaw.latenciesMs, 50))} ms) ` +
          `in the round after: a ratio of **${fmt(throughput(direct) / throughput(directRaw), 2)}** for the start alone.`,
        '',
        `With the case worker paused for one more pair of rounds (SIGSTOP; the cases' first workflow tasks then waited and ran ` +
          `afterwards), the API opened **${fmt(throughput(pausedApi))}** cases/s (p50 ${fmt(percentile(pausedApi.latenciesMs, 50))} ms) ` +
          `against ${fmt(throughput(pausedRaw))} raw starts/s: a ratio of **${fmt(pausedRatio, 2)}**.`,
        '',
        `Evidence gathered by the run: during the rounds the worker queued **${after.queuedWrites - before.queuedWrites}** read-model ` +
          `writes for a background retry (worker.log "read-model write failed": the database failed or took over 1 s) and logged ` +
          `**${after.slowTasks - before.slowTasks}** workflow tasks that ran longer than 5 s (worker.log TMPRL1104). With ${documents} ` +
          `cases in the read model, the version read of the projection write, \`findOne({_id})\`, takes **${fmt(idReadMs)} ms** ` +
          `(FerretDB explain: filterPushdown ${String(idPushdown)}; median of 5). ` +
          `CPU over the rounds (both sides and the pauses), as % of one CPU: ${cpuDuringRounds}.`,
      ].join('\n');
      return {
        summary: [
          { benchmark: 'open-cases', metric: 'throughput ratio API / raw start', value: fmt(ratio, 2), target: `≥ ${TARGET_RATIO}`, met },
          { benchmark: 'open-cases', metric: 'API p50 / p99 latency', value: `${fmt(apiP50)} / ${fmt(apiP99)} ms`, target: '', met: null },
          { benchmark: 'open-cases', metric: 'raw start p50 / p99 latency', value: `${fmt(rawP50)} / ${fmt(rawP99)} ms`, target: '', met: null },
          { benchmark: 'open-cases', metric: 'API / raw throughput', value: `${fmt(apiTput)} / ${fmt(rawTput)} ops/s`, target: '', met: null },
          { benchmark: 'open-cases', metric: 'ratio with the case worker paused (one round, attribution)', value: fmt(pausedRatio, 2), target: '', met: null },
          { benchmark: 'open-cases', metric: 'case starts from the bench / raw (the start alone)', value: fmt(throughput(direct) / throughput(directRaw), 2), target: '', met: null },
          { benchmark: 'open-cases', metric: 'probe start p50 during API / raw rounds', value: `${fmt(percentile(probeDuringApi, 50))} / ${fmt(percentile(probeDuringRaw, 50))} ms`, target: '', met: null },
          { benchmark: 'open-cases', metric: 'API waits per case: order read / database / start RPC (mean)', value: `${fmt(steps.order_source.mean)} / ${fmt(steps.database.mean)} / ${fmt(steps.temporal_start.mean)} ms`, target: '', met: null },
          { benchmark: 'open-cases', metric: 'order read p50 / p99 (from the histogram buckets)', value: `${fmt(steps.order_source.p50)} / ${fmt(steps.order_source.p99)} ms`, target: '', met: null },
          { benchmark: 'open-cases', metric: 'order reads per opened case', value: `${orderReads} / ${openedInRounds}`, target: '1 each', met: readOncePerCase },
          { benchmark: 'open-cases', metric: `projection-write version read by _id at ${documents} cases`, value: `${fmt(idReadMs)} ms`, target: '', met: null },
        ],
        markdown,
      };
    } finally {
      await trivialWorker.stop();
      await mongo.close();
    }
  },
};

/** The API's event-loop delay since its previous scrape (prom-client's monitorEventLoopDelay gauges, reset by each scrape), ms. */
async function eventLoopDelay(apiUrl: string): Promise<{ p50: number; p99: number; max: number }> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const gauge = (name: string) => 1000 * metricValue(text, `nodejs_eventloop_lag_${name}_seconds`);
  return { p50: gauge('p50'), p99: gauge('p99'), max: gauge('max') };
}

const OPENING_STEPS: readonly OpeningStep[] = ['order_source', 'database', 'temporal_start'];

/** One step's histogram: sum (s), count and cumulative bucket counts by upper bound (s; the last is +Inf). */
interface StepHistogram {
  sum: number;
  count: number;
  buckets: Map<number, number>;
}
type StepTotals = Record<OpeningStep, StepHistogram>;

/** The API's opening-step histograms (seconds and cases) from its /metrics. */
async function openingSteps(apiUrl: string): Promise<StepTotals> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const empty = (): StepHistogram => ({ sum: 0, count: 0, buckets: new Map() });
  const totals: StepTotals = { order_source: empty(), database: empty(), temporal_start: empty() };
  for (const line of text.split('\n')) {
    const match = /^aftersales_case_opening_step_seconds_(sum|count|bucket)\{(.*)\} (\S+)$/.exec(line);
    const step = match ? /step="(order_source|database|temporal_start)"/.exec(match[2])?.[1] : undefined;
    if (!match || step === undefined) continue;
    const histogram = totals[step as OpeningStep];
    const value = Number(match[3]);
    if (match[1] === 'bucket') {
      const le = /le="([^"]+)"/.exec(match[2])?.[1] ?? '+Inf';
      const bound = le === '+Inf' ? Infinity : Number(le);
      histogram.buckets.set(bound, (histogram.buckets.get(bound) ?? 0) + value);
    } else {
      histogram[match[1] as 'sum' | 'count'] += value;
    }
  }
  return totals;
}

/** The histogram's bucket bounds, in ms, for the report. */
const STEP_BUCKETS_MS = '5, 10, 25, 50, 100, 250, 500, 1000…';

/**
 * The `q` quantile (0..1) of the observations between two readings, in ms, estimated from the
 * cumulative buckets by linear interpolation inside the bucket it falls in (Prometheus's
 * histogram_quantile); NaN without observations.
 */
function bucketQuantileMs(before: StepHistogram, after: StepHistogram, q: number): number {
  const bounds = [...after.buckets.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((bound) => (after.buckets.get(bound) ?? 0) - (before.buckets.get(bound) ?? 0));
  const total = cumulative.at(-1) ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  const i = cumulative.findIndex((c) => c >= rank);
  const upper = bounds[i];
  const lower = i === 0 ? 0 : bounds[i - 1];
  // Past the last finite bound there is nothing to interpolate to: its lower bound is all we know.
  if (upper === Infinity) return lower * 1000;
  const below = i === 0 ? 0 : cumulative[i - 1];
  const inBucket = cumulative[i] - below;
  return (lower + (upper - lower) * (inBucket === 0 ? 1 : (rank - below) / inBucket)) * 1000;
}

/** Per step between two readings: observations, mean ms (exact) and p50/p99 ms (from the buckets). */
function stepFigures(before: StepTotals, after: StepTotals): Record<OpeningStep, { count: number; mean: number; p50: number; p99: number }> {
  const figures = (step: OpeningStep) => {
    const count = after[step].count - before[step].count;
    return {
      count,
      mean: ((after[step].sum - before[step].sum) * 1000) / Math.max(1, count),
      p50: bucketQuantileMs(before[step], after[step], 0.5),
      p99: bucketQuantileMs(before[step], after[step], 0.99),
    };
  };
  return { order_source: figures('order_source'), database: figures('database'), temporal_start: figures('temporal_start') };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);

/** Lines of a log file containing `text` (0 when the file is missing). */
function countLines(file: string, text: string): number {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.includes(text)).length;
  } catch {
    return 0;
  }
}

function assertClean(what: string, result: LoadResult): void {
  if (result.failed > 0) throw new Error(`${what}: ${result.failed} of ${result.failed + result.ok} failed: ${result.errors.join(' | ')}`);
}
