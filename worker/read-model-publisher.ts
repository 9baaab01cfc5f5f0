import type { InjectedSinks } from '@temporalio/worker';
import type { CaseSnapshot } from '../domain/case.types';
import type { CaseSinks } from '../workflows/sinks';

/** What the publisher reports about the database it writes to (never case data: ids at most). */
export interface PublisherLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

/** Options of the publisher; the defaults are the worker's. */
export interface PublisherOptions {
  /** How long a workflow task waits for its case's write before leaving it to the background retry (default 1 s). */
  waitMs?: number;
  /** Longest pause between two background retries (default 30 s). */
  maxRetryDelayMs?: number;
  log?: PublisherLog;
}

/**
 * Writes each case snapshot a workflow activation publishes (the `readModel.caseChanged` sink) to
 * the read model. The sink runs after the activation and before its workflow task completes, so in
 * the normal case the write is done when the task is: a worker that dies first never completes
 * the task, and the worker that retries it writes again. No history event is recorded for it.
 *
 * While the database fails, waiting would hold workflow tasks (and the commands behind them), so
 * a write that fails or takes longer than `waitMs` is queued instead — the latest version per
 * case — and retried in the background with backoff; later snapshots join the queue until it is
 * empty again. Only a worker that dies while its queue is not empty loses writes: the case's next
 * activation writes its whole snapshot again, and the reconciler repairs it sooner (docs/read-model.md, "Reconciler").
 */
export class ReadModelPublisher {
  private readonly backlog = new Map<string, CaseSnapshot>();
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  private readonly waitMs: number;
  private readonly maxRetryDelayMs: number;

  constructor(
    private readonly project: (snapshot: CaseSnapshot) => Promise<void>,
    private readonly options: PublisherOptions = {},
  ) {
    this.waitMs = options.waitMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  }

  /** Cases whose latest snapshot waits for the database. */
  get pending(): number {
    return this.backlog.size;
  }

  /** Writes the snapshot, or queues it when the database is failing (never throws: the workflow task goes on). */
  async publish(snapshot: CaseSnapshot): Promise<void> {
    if (this.backlog.size > 0) {
      this.enqueue(snapshot);
      return;
    }
    try {
      await withTimeout(this.project(snapshot), this.waitMs);
    } catch (err) {
      this.options.log?.warn({ caseId: snapshot.id, version: snapshot.version, error: errorName(err) }, 'read-model write failed: queued for retry');
      this.enqueue(snapshot);
    }
  }

  /** Writes what is queued, once, within `deadlineMs`; resolves with the number of cases still queued (for a worker about to exit). */
  async flush(deadlineMs: number): Promise<number> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const until = Date.now() + deadlineMs;
    for (const [id, snapshot] of [...this.backlog]) {
      const left = until - Date.now();
      if (left <= 0) break;
      try {
        await withTimeout(this.project(snapshot), left);
        if (this.backlog.get(id) === snapshot) this.backlog.delete(id);
      } catch {
        break;
      }
    }
    return this.backlog.size;
  }

  /** Stops the background retry (tests, shutdown). */
  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private enqueue(snapshot: CaseSnapshot): void {
    const queued = this.backlog.get(snapshot.id);
    if (!queued || queued.version < snapshot.version) this.backlog.set(snapshot.id, snapshot);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retry) return;
    const delay = Math.min(this.maxRetryDelayMs, 500 * 2 ** this.failures);
    this.retry = setTimeout(() => void this.drain(), delay);
    this.retry.unref();
  }

  private async drain(): Promise<void> {
    this.retry = null;
    for (const [id, snapshot] of [...this.backlog]) {
      try {
        await withTimeout(this.project(snapshot), 10_000);
        // A newer snapshot queued meanwhile stays for the next round.
        if (this.backlog.get(id) === snapshot) this.backlog.delete(id);
      } catch (err) {
        this.failures++;
        this.options.log?.warn({ pending: this.backlog.size, error: errorName(err), retry: this.failures }, 'read model still failing');
        this.scheduleRetry();
        return;
      }
    }
    if (this.failures > 0) this.options.log?.info({ retries: this.failures }, 'read model caught up');
    this.failures = 0;
    if (this.backlog.size > 0) this.scheduleRetry();
  }
}

/**
 * The worker's sinks over a publisher (registered with Worker.create; replay workers get
 * `noopCaseSinks`); `observeHistory` hears each live activation's history length (the
 * aftersales_workflow_history_events metric).
 */
export function caseSinks(publisher: ReadModelPublisher, observeHistory?: (workflowType: string, historyLength: number) => void): InjectedSinks<CaseSinks> {
  return {
    readModel: {
      // Not during replay: the snapshot of an activation that is replayed was written when it ran.
      caseChanged: { fn: (_info, snapshot) => publisher.publish(snapshot), callDuringReplay: false },
    },
    history: {
      observed: { fn: (info) => observeHistory?.(info.workflowType, info.historyLength), callDuringReplay: false },
    },
  };
}

/** Sinks that do nothing, for replaying histories. */
export const noopCaseSinks: InjectedSinks<CaseSinks> = {
  readModel: { caseChanged: { fn: () => undefined, callDuringReplay: false } },
  history: { observed: { fn: () => undefined, callDuringReplay: false } },
};

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A database error's name only: driver messages may quote document values. */
function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'error';
}
