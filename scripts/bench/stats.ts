/** Small statistics and load-generation helpers of the benchmarks. */

/** The p-th percentile (0..100) of `values`, nearest-rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median of `values` (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function max(values: readonly number[]): number {
  return values.length ? Math.max(...values) : Number.NaN;
}

export function min(values: readonly number[]): number {
  return values.length ? Math.min(...values) : Number.NaN;
}

/** Result of one bounded load run. */
export interface LoadResult {
  /** Latency of each successful operation, ms. */
  latenciesMs: number[];
  /** Wall time of the whole run, ms. */
  elapsedMs: number;
  ok: number;
  failed: number;
  /** Up to five distinct failure messages. */
  errors: string[];
}

/**
 * Runs `total` operations with `concurrency` workers (closed loop: each worker starts its next
 * operation when the previous one ends). `op(i, worker)` throws on failure.
 */
export async function runLoad(total: number, concurrency: number, op: (index: number, worker: number) => Promise<void>): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const errors = new Set<string>();
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const workerLoop = async (worker: number) => {
    for (;;) {
      const index = next++;
      if (index >= total) return;
      const t0 = performance.now();
      try {
        await op(index, worker);
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        failed++;
        if (errors.size < 5) errors.add(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, (_, w) => workerLoop(w)));
  const elapsedMs = performance.now() - started;
  return { latenciesMs, elapsedMs, ok: latenciesMs.length, failed, errors: [...errors] };
}

/** Operations per second of a load result. */
export function throughput(result: LoadResult): number {
  return result.ok / (result.elapsedMs / 1000);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** `12.3` style number formatting; '—' for NaN. */
export function fmt(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

/** `promise`, or a rejection with `message` after `ms` (the timer is cleared either way). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
