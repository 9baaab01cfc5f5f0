import type { ManagedProcess } from './managed-process';

/** How long and how often to probe, and which child must stay alive meanwhile. */
export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Stop waiting (and say why) as soon as this child exits. */
  child?: ManagedProcess;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` until it resolves without throwing. Fails when the time is up or
 * the child exits first, with the last probe error and the child's recent output.
 */
export async function waitUntilReady(what: string, probe: () => Promise<void>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  let lastError: unknown;
  for (;;) {
    if (options.child && !options.child.running) {
      throw new Error(`${what}: ${options.child.name} exited before it was ready (${options.child.describeExit()})${tail(options.child)}`);
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`${what}: not ready after ${options.timeoutMs} ms (last error: ${reason})${options.child ? tail(options.child) : ''}`);
    }
    await sleep(interval);
  }
}

/** Probe that succeeds when GET url answers 2xx. */
export function httpOk(url: string): () => Promise<void> {
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  };
}

function tail(child: ManagedProcess): string {
  const output = child.recentOutput();
  return output ? `\n--- last output of ${child.name} ---\n${output}` : '';
}
