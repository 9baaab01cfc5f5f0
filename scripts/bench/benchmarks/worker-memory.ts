import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { defaultPolicy } from '../../../domain/policy';
import { caseWorkflowId } from '../../../domain/ids';
import { getCaseQuery } from '../../../domain/workflow-contract';
import { loadConfig } from '../../../config/env';
import { connectMongo } from '../../../store/mongo';
import { connectEncryptedClient } from '../../stack/encrypted-client';
import { startCaseDirectly } from '../direct-start';
import { benchReturn } from '../http';
import { commandLine, CpuMeter, leafProcess, MACHINE, MiB, rssBytes, workerMetricsMemory } from '../process-memory';
import { ReadModelDrain } from '../read-model-drain';
import { fmt, median, runLoad, sleep } from '../stats';
import { mdTable, type Benchmark, type BenchContext, type BenchOutcome } from './types';

const CASES = Number(process.env.BENCH_MEMORY_CASES ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_MEMORY_CONCURRENCY ?? 20);
/** Time box of the opening phase; the cases the worker has taken on when it ends are what is measured. */
const OPEN_BUDGET_S = Number(process.env.BENCH_MEMORY_OPEN_S ?? 420);
/** Cases started but not yet through their first workflow task: the bench starts more only below this. */
const MAX_BACKLOG = 200;
const SETTLE_S = 30;
const TARGET_BYTES = 1024 * MiB;
const TASK_QUEUE = 'bench-memory';

/** Lines of a log file that contain every one of `texts` (0 when missing). */
function countIn(file: string, ...texts: string[]): number {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').filter((line) => texts.every((t) => line.includes(t))).length;
  } catch {
    return 0;
  }
}

/** The SDK's default maxCachedWorkflows for a heap limit (worker-options.js, reuseV8Context on). */
function defaultMaxCachedWorkflows(heapLimitMiB: number): number {
  return Math.max(Math.floor((Math.max(heapLimitMiB - 200, 0) * 600) / 1024), 10);
}

interface Sample {
  at: number;
  /** VmRSS of the worker process. */
  proc: number;
  /** process_resident_memory_bytes of its /metrics. */
  rss: number;
  heapUsed: number;
  started: number;
  /** Cases through their first workflow task (first snapshot projected). */
  ready: number;
}

/**
 * Worker memory with 10,000 open cases waiting on their 24 h review timers: a worker of its own
 * (default policy), cases started the way the API starts them, at the pace the worker takes them
 * on, RSS read once the worker settled.
 */
export const workerMemoryBenchmark: Benchmark = {
  name: 'worker-memory',
  title: 'Worker memory with 10,000 open cases waiting on timers',
  async run({ stack, say, runId }: BenchContext): Promise<BenchOutcome> {
    const app = await stack.startApp({ name: 'memory', taskQueue: TASK_QUEUE, mongoDb: 'bench_memory', withApi: false });
    const { client: mongo, db } = await connectMongo(stack.mongoUri, 'bench_memory');
    // This app's worker keeps its cases' data keys in its own database: start and read its cases with a client on those keys.
    const encrypted = await connectEncryptedClient({
      temporalAddress: stack.temporalAddress,
      namespace: stack.namespace,
      mongoUri: stack.mongoUri,
      mongoDb: 'bench_memory',
      payloadKeys: stack.configEnv.PAYLOAD_KEYS,
    });
    const { client } = encrypted;
    const drain = new ReadModelDrain(db);
    try {
      const worker = app.worker;
      const logFile = path.join(stack.logDir, 'worker-memory.log');
      if (!worker) throw new Error('the memory app has no worker');
      const pid = leafProcess(worker.pid);
      const ids: string[] = [];
      const sample = async (): Promise<Sample> => ({
        at: Date.now(),
        proc: rssBytes(pid),
        ...(await workerMetricsMemory(app.workerUrl).catch(() => ({ rss: Number.NaN, heapUsed: Number.NaN }))),
        started: ids.length,
        ready: drain.projected.size,
      });
      await sleep(5000);
      const baseline = await sample();
      say(`worker-memory: worker pid ${pid}, idle RSS ${fmt(baseline.proc / MiB)} MiB`);

      const policy = defaultPolicy();
      const samples: Sample[] = [];
      const sampler = setInterval(() => void sample().then((s) => samples.push(s), () => undefined), 5000);
      const deadline = Date.now() + OPEN_BUDGET_S * 1000;
      const cpu = new CpuMeter({ worker: pid, 'Temporal server': stack.leafPid('temporal'), FerretDB: stack.leafPid('ferretdb'), 'whole machine (200 % = 2 CPUs)': MACHINE });
      let lastReport = Date.now();
      await runLoad(CASES, CONCURRENCY, async (i) => {
        // Start at the pace the worker takes cases on, so that what is started is also what it holds when the box ends.
        while (ids.length - drain.projected.size > MAX_BACKLOG) {
          if (Date.now() > deadline || !worker.running) throw new Error('time box of the opening phase reached or worker gone');
          await sleep(200);
        }
        if (Date.now() > deadline || !worker.running) throw new Error('time box of the opening phase reached or worker gone');
        ids.push(await startCaseDirectly(client, TASK_QUEUE, policy, benchReturn(`BENCH-MEM-${runId}`, i).request, `bench-mem-${runId}-${i}`));
        if (Date.now() - lastReport > 30_000) {
          lastReport = Date.now();
          say(`worker-memory: ${ids.length} started, ${drain.projected.size} through their first task, RSS ${fmt(rssBytes(pid) / MiB)} MiB`);
        }
      });
      // The last started cases: let the worker finish their first tasks (bounded), then settle.
      const drainDeadline = Date.now() + 90_000;
      while (drain.projected.size < ids.length && Date.now() < drainDeadline && worker.running) await sleep(1000);
      const ready = drain.projected.size;
      const openSeconds = (Date.now() - (deadline - OPEN_BUDGET_S * 1000)) / 1000;
      const cpuWhileOpening = cpu.describe();
      say(`worker-memory: ${ids.length} cases started, ${ready} through their first task after ${fmt(openSeconds)} s; settling ${SETTLE_S} s`);
      if (worker.running) await sleep(SETTLE_S * 1000);
      clearInterval(sampler);
      let settled: Sample[] = [];
      for (let i = 0; i < 6 && worker.running; i++) {
        settled.push(await sample());
        await sleep(3000);
      }
      // A worker that died: what it held just before is the last that can be said.
      const died = !worker.running;
      const lastAlive = samples.filter((x) => Number.isFinite(x.proc));
      if (died) settled = lastAlive.slice(-1);
      const deathNote = died
        ? `**The worker process died** (${worker.describeExit()}) with ${lastAlive[lastAlive.length - 1]?.ready ?? '?'} cases taken on; ` +
          `the last lines of its output: \`${worker.recentOutput().split('\n').filter((l) => /Error|error|fatal/i.test(l) && !/TMPRL1104/.test(l)).slice(0, 2).join(' / ').slice(0, 300)}\`. ` +
          'The figures below are the last sample before it died (see the notes).'
        : '';
      if (died) say(`worker-memory: the worker died (${worker.describeExit()})`);
      const rss = median(settled.map((s) => s.proc));
      const rssMetrics = median(settled.map((s) => s.rss));
      const heap = median(settled.map((s) => s.heapUsed));
      const peak = Math.max(...[...samples, ...settled].map((s) => s.proc));

      // Spot-check that the cases wait on their review timer.
      const spot = died
        ? []
        : await Promise.all([0, Math.floor(ids.length / 2), ids.length - 1].map((i) => client.workflow.getHandle(caseWorkflowId(ids[i])).query(getCaseQuery)));
      const waiting = spot.map((s) => {
        const review = s.sla.find((c) => c.name === 'review');
        return `${s.status}, review ${review?.state ?? '?'} until ${review?.deadline ?? '?'}`;
      });
      const heapLimitMiB = v8.getHeapStatistics().heap_size_limit / MiB;
      // The worker's own setting when its configuration has one (WORKER_MAX_CACHED_WORKFLOWS), else the SDK default.
      const configured = (loadConfig({ ...stack.configEnv }) as unknown as Record<string, unknown>).WORKER_MAX_CACHED_WORKFLOWS;
      const cache = typeof configured === 'number' && configured > 0 ? configured : defaultMaxCachedWorkflows(heapLimitMiB);
      const cacheText =
        typeof configured === 'number' && configured > 0
          ? `the worker sets \`maxCachedWorkflows\` = **${cache}** (WORKER_MAX_CACHED_WORKFLOWS).`
          : 'worker/main.ts sets no `maxCachedWorkflows`, so the SDK default applies: max(⌊(heap limit − 200 MiB) × 600 / 1024⌋, 10) = ' +
            `**${cache}** workflows for this Node's heap limit of ${fmt(heapLimitMiB, 0)} MiB (it grows with the machine's memory).`;
      const reachedAll = ready >= CASES;
      const met = rss > TARGET_BYTES ? false : reachedAll ? true : null;
      const perCaseMiB = (rss - baseline.proc) / Math.max(1, Math.min(ready, cache)) / MiB;
      // RSS as the worker took cases on: the first sample at or past each thousand.
      const curve: (string | number)[][] = [];
      for (let k = 1000; k <= ready; k += 1000) {
        const s = samples.find((x) => x.ready >= k);
        if (s) curve.push([s.ready, s.started, fmt(s.proc / MiB)]);
      }
      const extrapolated = baseline.proc + Math.min(CASES, cache) * perCaseMiB * MiB;

      const markdown = [
        `A worker of its own (task queue \`${TASK_QUEUE}\`, default policy: 24 h review budget). Return cases were started on it ` +
          'the way `POST /v1/cases` starts them (`scripts/bench/direct-start.ts`: the same validated body, eligibility verdict, ' +
          'workflow input with the whole policy, workflow id and search attributes) but straight through the Temporal client, ' +
          `${CONCURRENCY} at a time, never more than ${MAX_BACKLOG} ahead of the worker, for at most ${OPEN_BUDGET_S} s. ` +
          `**${ready} cases** had run their first workflow task (first snapshot projected) when that box and a short drain ended ` +
          `(${ids.length} started; ${fmt(openSeconds)} s, the worker's pace ${fmt(ready / openSeconds)} new cases/s)` +
          `${reachedAll ? '' : `: **the ${CASES} planned were not reached on this machine**`}. Each waits on its review timer ` +
          `${died ? '' : `(spot check: ${waiting.join('; ')})`}. ${died ? deathNote : `After ${SETTLE_S} s of quiet:`}`,
        '',
        mdTable(
          ['worker process', 'RSS (MiB)'],
          [
            ['idle, before the cases (`/proc/<pid>/status` VmRSS)', fmt(baseline.proc / MiB)],
            [died ? 'last sample before the worker died (VmRSS)' : `settled with ${ready} open cases, median of 6 samples (VmRSS)`, fmt(rss / MiB)],
            ['the same from the worker\'s `/metrics` `process_resident_memory_bytes`', fmt(rssMetrics / MiB)],
            ['peak seen while opening (5 s samples)', fmt(peak / MiB)],
            ['V8 heap used by the worker\'s main thread, settled (`nodejs_heap_size_used_bytes`)', fmt(heap / MiB)],
          ],
        ),
        '',
        `**Settled RSS ${fmt(rss / MiB)} MiB with ${ready} open cases** (target ≤ 1024 MiB with ${CASES}: ` +
          `${met === false ? `MISSED${reachedAll ? '' : ` already at ${ready} cases`}, ${fmt(rss / TARGET_BYTES, 1)}× the target` : met ? 'met' : 'not measured at that size'}); ` +
          `≈ ${fmt(perCaseMiB, 2)} MiB per cached case above the idle worker.` +
          (reachedAll
            ? ''
            : ` Not measured, an estimate only: with ${CASES} open cases the cache would hold min(${CASES}, ${cache}) of them, ` +
              `≈ ${fmt(extrapolated / MiB, 0)} MiB at that rate.`),
        '',
        ...(curve.length > 1 ? ['RSS as the worker took the cases on:', '', mdTable(['cases through their first task', 'started', 'RSS (MiB)'], curve), ''] : []),
        `The pid is the worker's real Node process, the deepest descendant of the supervise.cjs → tsx chain ` +
          `(\`${commandLine(pid).slice(0, 150)}\`); its /metrics agrees. Workflow cache: ${cacheText} ` +
          `${ready > cache ? `So ${cache} of the ${ready} cases stay cached; the others were evicted and are replayed from history when their timer fires or a message comes.` : `All ${ready} cases fit in it.`}`,
        '',
        `CPU while the cases were started and taken on, as % of one CPU: ${cpuWhileOpening}. The worker's log: ` +
          `${countIn(logFile, 'read-model write failed')} read-model writes queued for a background retry, ` +
          `${countIn(logFile, 'TMPRL1104')} workflow tasks ran longer than 5 s.`,
        '',
        `The read model of this worker was drained by the bench while it ran (see escalation); ${drain.projected.size} cases projected.`,
      ].join('\n');
      return {
        summary: [
          { benchmark: 'worker-memory', metric: `worker RSS ${died ? 'before it died' : 'settled'}, ${ready} open cases${reachedAll ? '' : ` (of ${CASES}: ${died ? 'worker died' : 'time box'})`}`, value: `${fmt(rss / MiB)} MiB (idle ${fmt(baseline.proc / MiB)})`, target: '≤ 1024 MiB', met },
          { benchmark: 'worker-memory', metric: 'RSS per cached case / default maxCachedWorkflows', value: `${fmt(perCaseMiB, 2)} MiB / ${cache}`, target: '', met: null },
        ],
        markdown,
      };
    } finally {
      await drain.stop();
      await encrypted.close();
      await mongo.close();
      await app.stop();
    }
  },
};
