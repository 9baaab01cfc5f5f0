import fs from 'node:fs';
import { request } from './http';

/** Direct children of a pid (from /proc/<pid>/task/<tid>/children). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return out;
}

/**
 * The real Node process of a service started through supervise.cjs → tsx → node: the deepest
 * descendant of `rootPid` (tsx's CLI forks the node process that runs the entry file). Helper
 * children of that process (esbuild's service, which tsx's loader may start) are not followed.
 */
export function leafProcess(rootPid: number): number {
  let pid = rootPid;
  for (let depth = 0; depth < 5; depth++) {
    const children = childrenOf(pid).filter((child) => !/(^|\/)esbuild\b/.test(commandLine(child)));
    if (children.length === 0) return pid;
    pid = children[0];
  }
  return pid;
}

/** VmRSS of a pid in bytes (from /proc/<pid>/status), or NaN. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The command line of a pid. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** `process_resident_memory_bytes` and the V8 heap used from a worker's /metrics, in bytes. */
export async function workerMetricsMemory(workerUrl: string): Promise<{ rss: number; heapUsed: number }> {
  const answer = await request<string>('GET', `${workerUrl}/metrics`, { headers: { accept: 'text/plain' } });
  const text = typeof answer.body === 'string' ? answer.body : '';
  return { rss: metricValue(text, 'process_resident_memory_bytes'), heapUsed: metricValue(text, 'nodejs_heap_size_used_bytes') };
}

/** The first sample of metric `name` in a Prometheus text exposition, or NaN. */
export function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

export const MiB = 1024 * 1024;

/** User + system CPU time of a pid so far, in seconds (/proc/<pid>/stat fields 14 and 15), or NaN. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 (state) is index 0; utime (14) and stime (15) are indexes 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

const CLOCK_TICKS = 100;

/** Busy CPU seconds of the whole machine so far (all CPUs, /proc/stat), or NaN. */
export function machineBusySeconds(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return (ticks.reduce((a, b) => a + b, 0) - idle) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Pseudo-pid of CpuMeter for the whole machine. */
export const MACHINE = 0;

/** CPU use of named processes (or MACHINE: every process) over a window, as % of one CPU. */
export class CpuMeter {
  private readonly start: Map<string, number>;
  private readonly startedAt = performance.now();

  constructor(private readonly pids: Record<string, number>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, CpuMeter.seconds(pid)]));
  }

  /** `worker 93 %, ferretdb 41 %, …` since construction. */
  read(): { name: string; percent: number }[] {
    const seconds = (performance.now() - this.startedAt) / 1000;
    return Object.entries(this.pids).map(([name, pid]) => ({ name, percent: (100 * (CpuMeter.seconds(pid) - (this.start.get(name) ?? 0))) / seconds }));
  }

  private static seconds(pid: number): number {
    return pid === MACHINE ? machineBusySeconds() : cpuSeconds(pid);
  }

  /** The same as one line. */
  describe(): string {
    return this.read()
      .map((r) => `${r.name} ${Number.isFinite(r.percent) ? r.percent.toFixed(0) : '?'} %`)
      .join(', ');
  }
}

/**
 * Waits until every process of `pids` used less than `percent` % CPU over one second, or `maxMs`
 * passed; returns how long it waited, ms.
 */
export async function quiesce(pids: Record<string, number>, maxMs: number, percent = 15): Promise<number> {
  const started = Date.now();
  for (;;) {
    const meter = new CpuMeter(pids);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (meter.read().every((r) => !(r.percent > percent)) || Date.now() - started > maxMs) return Date.now() - started;
  }
}
