/**
 * `npm run bench [-- <name> ...]`: starts a private stack on free ports of 127.0.0.1 in a temp dir
 * (Temporal dev server headless, FerretDB, sandbox, worker, API), runs the benchmarks one after
 * another, prints a summary table and rewrites docs/benchmarks.md with the figures, the date and
 * the machine. Every process it started is stopped at the end. See docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { connectEncryptedClient } from '../stack/encrypted-client';
import { REPO_ROOT } from '../stack/paths';
import { courierPushesBenchmark } from './benchmarks/courier-pushes';
import { escalationBenchmark } from './benchmarks/escalation';
import { historyBenchmark } from './benchmarks/history';
import { listCasesBenchmark } from './benchmarks/list-cases';
import { openCasesBenchmark } from './benchmarks/open-cases';
import { replayCpuBenchmark } from './benchmarks/replay-cpu';
import { workerMemoryBenchmark } from './benchmarks/worker-memory';
import type { Benchmark, SummaryRow } from './benchmarks/types';
import { machineInfo } from './machine';
import { quiesce } from './process-memory';
import { renderReport, type RunOutcome } from './report';
import { startBenchStack } from './stack';

/** Every benchmark, in the order a full run takes them. */
export const BENCHMARKS: readonly Benchmark[] = [
  historyBenchmark,
  courierPushesBenchmark,
  openCasesBenchmark,
  escalationBenchmark,
  workerMemoryBenchmark,
  listCasesBenchmark,
  replayCpuBenchmark,
];

const DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

const started = Date.now();
const say = (line: string) => process.stdout.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  }
  const selected = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS;
  const machine = machineInfo();
  say(`machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.totalMemory}, Node ${machine.node}, ${machine.temporalCli}`);
  say(`benchmarks: ${selected.map((b) => b.name).join(', ')}`);

  const stack = await startBenchStack(say);
  let connected: { close(): Promise<void> } | undefined;
  const outcomes = new Map<string, RunOutcome>();
  const loadAtStart = loadAverage();
  const failures = new Map<string, string>();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    say('interrupted: stopping the stack');
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  stack.group.onUnexpectedExit((child) => say(`${child.name} died (${child.describeExit()}); see ${stack.logDir}/${child.name}.log`));
  try {
    // Encrypting like the API and the worker, so the benchmarks can read the cases' histories and results.
    const encrypted = await connectEncryptedClient({
      temporalAddress: stack.temporalAddress,
      namespace: stack.namespace,
      mongoUri: stack.mongoUri,
      mongoDb: stack.configEnv.MONGODB_DB,
      payloadKeys: stack.configEnv.PAYLOAD_KEYS,
    });
    connected = encrypted;
    const { client } = encrypted;
    const runId = randomBytes(3).toString('hex');
    for (const benchmark of selected) {
      if (interrupted) break;
      // The previous benchmark's trailing work (the main worker's projections, say) must not load this one.
      const waited = await quiesce({ worker: stack.leafPid('worker'), FerretDB: stack.leafPid('ferretdb'), temporal: stack.leafPid('temporal') }, 60_000);
      if (waited > 2000) say(`waited ${(waited / 1000).toFixed(0)} s for the stack to go quiet`);
      const t0 = Date.now();
      const load = loadAverage();
      say(`── ${benchmark.name}: ${benchmark.title} (load average ${load})`);
      try {
        const outcome = await benchmark.run({ stack, client, caseKeys: encrypted.protection.dataKeys, say, runId });
        outcomes.set(benchmark.name, { ...outcome, seconds: (Date.now() - t0) / 1000, loadAtStart: load.split(' ')[0] });
        say(`── ${benchmark.name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.set(benchmark.name, message);
        say(`── ${benchmark.name} FAILED after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${message}`);
      }
    }
  } finally {
    await connected?.close().catch(() => undefined);
    say('stopping the stack');
    await stack.stop();
  }

  const totalSeconds = (Date.now() - started) / 1000;
  const rows: SummaryRow[] = [];
  for (const benchmark of selected) {
    const outcome = outcomes.get(benchmark.name);
    if (outcome) rows.push(...outcome.summary);
    else rows.push({ benchmark: benchmark.name, metric: 'failed', value: failures.get(benchmark.name) ?? 'not run', target: '', met: null });
  }
  printTable(rows);
  say(`total ${(totalSeconds / 60).toFixed(1)} min`);

  const previous = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
  fs.writeFileSync(
    DOC,
    renderReport({
      date: new Date(),
      machine,
      totalSeconds,
      loadAtStart,
      selected,
      all: BENCHMARKS,
      outcomes,
      failures,
      previous,
    }),
  );
  say(`wrote ${path.relative(REPO_ROOT, DOC)}`);
  if (failures.size > 0) process.exitCode = 1;
}

/** The 1, 5 and 15 minute load averages of /proc/loadavg. */
function loadAverage(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

function printTable(rows: SummaryRow[]): void {
  const cells = rows.map((r) => [r.benchmark, r.metric, r.value, r.target, r.met === null ? '' : r.met ? 'met' : 'MISSED']);
  const header = ['benchmark', 'metric', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.map(line).join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
