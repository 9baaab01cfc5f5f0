import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../../../codec/data-converter';
import { WORKER_STACK_TRACE_LIMIT, withoutStackTraceLimit } from '../../../worker/node-options';
import { writePrebuiltBundle } from '../../../worker/prebuilt-workflow-bundle';
import { REPO_ROOT, TOOL_PATHS } from '../../stack/paths';
import { fmt, max, median, min } from '../stats';
import { mdTable, type Benchmark } from './types';

const execFileAsync = promisify(execFile);
const CHILD = path.join(REPO_ROOT, 'scripts', 'bench', 'replay-cpu-child.ts');

/** One child's figures (scripts/bench/replay-cpu-child.ts). */
interface Measurement {
  replays: number;
  errors: number;
  cpuMs: number;
  wallMs: number;
  stackTraceLimit: number;
}

/** `--stack-trace-limit` values of the run: `default` is Node's own (10), without the flag. */
function limitsOfRun(): string[] {
  const listed = (process.env.BENCH_REPLAY_LIMITS ?? `default,8,6,${WORKER_STACK_TRACE_LIMIT},2,0`).split(',').map((v) => v.trim());
  return [...new Set(listed)];
}

/** Runs one child with `limit` and returns its figures. */
async function measure(codePath: string, passes: number, limit: string): Promise<Measurement> {
  const base = withoutStackTraceLimit(process.env.NODE_OPTIONS);
  const nodeOptions = limit === 'default' ? base : [base, `--stack-trace-limit=${limit}`].filter(Boolean).join(' ');
  const { stdout } = await execFileAsync(TOOL_PATHS.tsx, [CHILD, codePath, String(passes)], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
    maxBuffer: 1 << 20,
    timeout: 600_000,
  });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Measurement;
}

/**
 * Worker CPU of workflow replays by `--stack-trace-limit`: the SDK's promise hook captures a stack trace for
 * every workflow promise, and the V8 flag bounds how many frames each capture walks and formats. Each value
 * runs in its own process (the flag is process-wide), the values interleaved round after round in a rotating
 * order, so that a noisy neighbour weighs on every value alike.
 */
export const replayCpuBenchmark: Benchmark = {
  name: 'replay-cpu',
  title: 'Workflow replay CPU by --stack-trace-limit',
  async run({ say }) {
    const rounds = Number(process.env.BENCH_REPLAY_ROUNDS ?? '6');
    const passes = Number(process.env.BENCH_REPLAY_PASSES ?? '3');
    const limits = limitsOfRun();
    if (!limits.includes('default')) limits.unshift('default');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-replay-cpu-'));
    try {
      // The bundle the worker of the image loads (tracing off, unversioned), made once for every child.
      const { codePath } = await writePrebuiltBundle(WORKFLOW_INTERCEPTOR_MODULES, dir);
      const perReplay = new Map<string, number[]>(limits.map((l) => [l, []]));
      const ratios = new Map<string, number[]>(limits.map((l) => [l, []]));
      let replays = 0;
      for (let round = 0; round < rounds; round++) {
        const order = limits.map((_, i) => limits[(i + round) % limits.length]);
        const inRound = new Map<string, number>();
        for (const limit of order) {
          const m = await measure(codePath, passes, limit);
          if (m.errors > 0) throw new Error(`${m.errors} of ${m.replays} replays failed with --stack-trace-limit=${limit}`);
          const expected = limit === 'default' ? 10 : Number(limit);
          if (m.stackTraceLimit !== expected) throw new Error(`the child ran with Error.stackTraceLimit ${m.stackTraceLimit}, not ${expected}`);
          replays = m.replays;
          inRound.set(limit, m.cpuMs / m.replays);
          perReplay.get(limit)!.push(m.cpuMs / m.replays);
        }
        for (const limit of limits) ratios.get(limit)!.push(inRound.get(limit)! / inRound.get('default')!);
        say(`round ${round + 1}/${rounds}: ${order.map((l) => `${l} ${fmt(inRound.get(l)!)} ms`).join(', ')} (CPU per replay)`);
      }
      const chosen = String(WORKER_STACK_TRACE_LIMIT);
      const row = (limit: string) => {
        const values = perReplay.get(limit)!;
        const ratio = median(ratios.get(limit)!);
        return [
          limit === 'default' ? 'default (10, no flag)' : `\`--stack-trace-limit=${limit}\`${limit === chosen ? ' (the worker\'s)' : ''}`,
          fmt(median(values)),
          `${fmt(min(values))}–${fmt(max(values))}`,
          fmt(ratio, 2),
          limit === 'default' ? '—' : `${fmt((1 - ratio) * 100, 0)} %`,
        ];
      };
      const table = mdTable(['stack trace limit', 'CPU ms per replayed case (median)', 'min–max of the rounds', 'ratio to default (median of the rounds\' ratios)', 'saved'], limits.map(row));
      const chosenRatio = ratios.has(chosen) ? median(ratios.get(chosen)!) : Number.NaN;
      return {
        summary: [
          {
            benchmark: 'replay-cpu',
            metric: `replay CPU per case, default / --stack-trace-limit=${chosen} (median of ${rounds} rounds)`,
            value: ratios.has(chosen) ? `${fmt(median(perReplay.get('default')!))} / ${fmt(median(perReplay.get(chosen)!))} ms (ratio ${fmt(chosenRatio, 2)})` : 'not measured',
            target: '',
            met: null,
          },
        ],
        markdown: [
          `Every recorded history of \`test/replay/histories/\` (${replays / passes} cases, current and archived generations) replayed ${passes} times`,
          `after an untimed warm-up pass by \`Worker.runReplayHistories\` over the prebuilt workflow bundle, in a process of its own per`,
          `value (\`scripts/bench/replay-cpu-child.ts\`, \`NODE_OPTIONS=--stack-trace-limit=N\`); the process CPU time (every thread)`,
          `of the timed replays divided by ${replays} replays. ${rounds} rounds, each running every value once in a rotating order;`,
          `the ratio is taken within each round and its median reported.`,
          '',
          table,
        ].join('\n'),
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
