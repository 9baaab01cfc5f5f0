import { analysisOf } from './analysis';
import type { Benchmark, BenchOutcome, SummaryRow } from './benchmarks/types';
import { mdTable } from './benchmarks/types';
import type { MachineInfo } from './machine';

/** A benchmark's result as the report needs it. */
export interface RunOutcome extends BenchOutcome {
  seconds: number;
  /** /proc/loadavg (1 min) when the benchmark started. */
  loadAtStart: string;
}

export interface ReportInput {
  date: Date;
  machine: MachineInfo;
  totalSeconds: number;
  loadAtStart: string;
  selected: readonly Benchmark[];
  all: readonly Benchmark[];
  outcomes: Map<string, RunOutcome>;
  failures: Map<string, string>;
  /** The current docs/benchmarks.md, whose sections of benchmarks not run this time are kept. */
  previous: string;
}

const SECTION = /<!-- bench:section ([\w-]+) -->\n([\s\S]*?)<!-- \/bench:section \1 -->/g;
const ROWS = /<!-- bench:rows ([\w-]+) (.*?) -->/g;

/** Rewrites docs/benchmarks.md: this run's sections, and the previous ones of benchmarks not run this time. */
export function renderReport(input: ReportInput): string {
  const keptSections = new Map<string, string>();
  for (const match of input.previous.matchAll(SECTION)) keptSections.set(match[1], match[2]);
  const keptRows = new Map<string, SummaryRow[]>();
  for (const match of input.previous.matchAll(ROWS)) {
    try {
      keptRows.set(match[1], JSON.parse(match[2]) as SummaryRow[]);
    } catch {
      // a hand-edited line; drop it
    }
  }
  const ranNow = new Set(input.selected.map((b) => b.name));
  const { machine } = input;
  const date = input.date.toISOString().replace(/\.\d+Z$/, 'Z');

  const rows: SummaryRow[] = [];
  const sections: string[] = [];
  const rowComments: string[] = [];
  for (const benchmark of input.all) {
    let body: string | undefined;
    let benchRows: SummaryRow[] | undefined;
    if (ranNow.has(benchmark.name)) {
      const outcome = input.outcomes.get(benchmark.name);
      if (outcome) {
        benchRows = outcome.summary;
        body = [
          `_Measured ${date} in this run (${outcome.seconds.toFixed(0)} s; machine load average ${outcome.loadAtStart} when it started)._`,
          '',
          outcome.markdown,
          '',
          analysisOf(benchmark.name, outcome),
        ].join('\n');
      } else {
        const failure = input.failures.get(benchmark.name) ?? 'not run';
        benchRows = [{ benchmark: benchmark.name, metric: 'failed', value: failure.split('\n')[0].slice(0, 160), target: '', met: null }];
        body = `_Run ${date}: **failed**._\n\n\`\`\`\n${failure.slice(0, 2000)}\n\`\`\`\n`;
      }
    } else {
      body = keptSections.get(benchmark.name);
      benchRows = keptRows.get(benchmark.name);
      if (body && !body.startsWith('_Kept')) body = `_Kept from an earlier run (this run did not include it)._ ${body}`;
    }
    if (!body) continue;
    rows.push(...(benchRows ?? []));
    rowComments.push(`<!-- bench:rows ${benchmark.name} ${JSON.stringify(benchRows ?? [])} -->`);
    sections.push(`## ${benchmark.name}: ${benchmark.title}\n\n<!-- bench:section ${benchmark.name} -->\n${body.trim()}\n<!-- /bench:section ${benchmark.name} -->`);
  }

  const summary = mdTable(
    ['benchmark', 'metric', 'value', 'target', 'verdict'],
    rows.map((r) => [r.benchmark, r.metric, r.value, r.target || '—', r.met === null ? '—' : r.met ? 'met' : `**missed**`]),
  );

  return `# Benchmarks

Figures of \`npm run bench\` ([scripts/bench/](../scripts/bench)), which **rewrites this file** each time it runs: do not edit it by
hand (the explanations come from \`scripts/bench/analysis.ts\`). These are benchmarks, not timed tests: they report medians,
percentiles and ratios of one run on one machine, and nothing fails when a target is missed; the verdicts say by how much.

| | |
| --- | --- |
| date | ${date} |
| benchmarks in this run | ${input.selected.map((b) => b.name).join(', ')} |
| total runtime | ${(input.totalSeconds / 60).toFixed(1)} min (stack start and stop included) |
| CPUs (\`nproc\`) | ${machine.nproc} |
| CPU model (/proc/cpuinfo) | ${machine.cpuModel} |
| total memory | ${machine.totalMemory} |
| OS | ${machine.os} |
| Node | ${machine.node} |
| Temporal CLI | ${machine.temporalCli} |
| FerretDB | v1.24.2 (SQLite backend, \`tools/ferretdb/\`) |
| load average at start (1/5/15 min) | ${input.loadAtStart} |

The machine is shared: other processes (other engineers' test stacks) ran during the run, so absolute figures are noisy;
the load average of each benchmark's start is noted in its section. Ratios of interleaved rounds are the robust figures.

## Summary

${summary}

${rowComments.join('\n')}

${sections.join('\n\n')}

## How to reproduce

\`\`\`bash
npm run setup                    # once: Temporal CLI, FerretDB, npm ci (see README)
npm run bench                    # every benchmark, ~40 min on 2 CPUs; rewrites this file
npm run bench -- open-cases      # one or several: history, courier-pushes, open-cases, escalation, worker-memory, list-cases, replay-cpu
\`\`\`

The bench starts its own stack (the launcher of \`scripts/stack/\`, as the integration tests do) in a new temp dir on free
ports of 127.0.0.1: the Temporal dev server (headless, SQLite file), FerretDB, the provider sandbox (callbacks 200 ms apart), the
main worker and API, and per benchmark the extra processes it needs (a trivial-workflow worker, a worker + API with its own task
queue, policy and database). It never touches \`.data/\` or the ports of \`npm start\`, and stops every process at the end (also on
Ctrl-C). The bench talks to every process on 127.0.0.1 only (the sandbox, the API and the worker's metrics endpoint bind all
interfaces, as their own code does, on free ports). \`BENCH_KEEP=1\` keeps the temp dir with every process's log; \`BENCH_LOG_LEVEL=info\` makes the services log per request; \`BENCH_API_CPU_PROFILE_DIR=<dir>\` makes each API process write a CPU profile there when the stack stops (\`scripts/bench/cpu-profile.cjs\`; open it in Chrome DevTools).
A run of a subset keeps the other sections of this file from their earlier run, marked as such.

Knobs (environment variables; defaults are those of the figures above unless the section says otherwise):

| variable | default | what |
| --- | --- | --- |
| \`BENCH_OPEN_CASES\`, \`BENCH_OPEN_ROUNDS\`, \`BENCH_OPEN_CONCURRENCY\` | 500, 5, 20 | open-cases: cases per side, rounds, concurrent clients |
| \`BENCH_ESCALATION_CASES\`, \`BENCH_ESCALATION_CONCURRENCY\` | 1000, 40 | escalation: cases, concurrent clients while opening |
| \`BENCH_MEMORY_CASES\`, \`BENCH_MEMORY_CONCURRENCY\`, \`BENCH_MEMORY_OPEN_S\` | 10000, 20, 420 | worker-memory: cases, concurrent starts, time box of the opening |
| \`BENCH_LIST_CASES\`, \`BENCH_LIST_CHECKPOINTS\`, \`BENCH_LIST_LOAD_S\`, \`BENCH_LIST_QUERY_S\` | 100000, 1000,10000, 300, 240 | list-cases: documents, smaller sizes also timed, time boxes of the load and of the queries |
| \`BENCH_REPLAY_LIMITS\`, \`BENCH_REPLAY_ROUNDS\`, \`BENCH_REPLAY_PASSES\` | default,8,6,4,2,0, 6, 3 | replay-cpu: the \`--stack-trace-limit\` values compared (default: none given), interleaved rounds, timed passes over the recorded histories per measurement |
`;
}
