import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { Counter, Registry } from 'prom-client';
import {
  changedCasesQuery,
  listCasePage,
  ReadModelReconciler,
  sweepClosedCaseLocks,
  type LockSweepOutcome,
  type ReconcileOutcome,
  type ReconcileTarget,
} from '../store/read-model-reconciler';
import { SlaReportBuckets, type CompactionOutcome } from '../store/sla-report.buckets';

/** Where the reconciler keeps the start time of its last completed run (one document, `_id: 'cases'`). */
export const RECONCILER_STATE_COLLECTION = 'read_model_reconciler';

/** Input of one page of reconciliation. */
export interface ReconcilePageInput {
  /** ISO time: closed case workflows are compared when they closed after it (running ones always). */
  closedAfter: string;
  /** The previous page's token, null for the first page. */
  pageToken: string | null;
  pageSize: number;
}

/** What one page found, and the token of the next page (null after the last). */
export interface ReconcilePageResult extends ReconcileOutcome {
  nextPageToken: string | null;
}

/** What the reconciler activities are built from (the worker wires them). */
export interface ReconcilerDeps {
  client: Client;
  db: Db;
  /** The projector's versioned write: the worker passes the same CaseReadModel, so writes of one case stay in order within the process. */
  target: ReconcileTarget;
  /** The worker's registry, for the reconciler's counters; a private one when absent. */
  registry?: Registry;
  log?: { info(fields: Record<string, unknown>, message: string): void; warn(fields: Record<string, unknown>, message: string): void };
}

/** The reconciler's Prometheus counters. */
export class ReconcilerMetrics {
  readonly drift: Counter;
  readonly repaired: Counter;
  readonly locksReleased: Counter;

  constructor(registry: Registry = new Registry()) {
    this.drift = new Counter({
      name: 'aftersales_reconciler_drift_found_total',
      help: 'Cases whose read-model document the reconciler found missing or behind their workflow',
      registers: [registry],
    });
    this.repaired = new Counter({
      name: 'aftersales_reconciler_cases_repaired_total',
      help: "Cases whose read-model document the reconciler rewrote from their workflow's snapshot",
      registers: [registry],
    });
    this.locksReleased = new Counter({
      name: 'aftersales_reconciler_locks_released_total',
      help: 'Cases whose order-line locks the reconciler released because their workflow had closed',
      registers: [registry],
    });
  }
}

/** Heartbeats when running as an activity (the reconciler's code also runs outside one, in tests). */
function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // Not inside an activity.
  }
}

/** The activities of readModelReconcilerWorkflow: the I/O of one run (visibility, Queries, the read model). */
export function createReconcilerActivities(deps: ReconcilerDeps) {
  const metrics = new ReconcilerMetrics(deps.registry);
  const reconciler = new ReadModelReconciler(deps.client, deps.db, deps.target);
  const state = deps.db.collection<{ _id: string; lastRunStartedAt: Date }>(RECONCILER_STATE_COLLECTION);
  const buckets = new SlaReportBuckets(deps.db);

  return {
    /** The start time (ISO) of the last completed run, or null before the first. */
    async reconcilerWatermark(): Promise<string | null> {
      const found = await state.findOne({ _id: 'cases' });
      return found ? new Date(found.lastRunStartedAt).toISOString() : null;
    },

    /** Compares one page of changed case workflows with the read model and repairs what is behind or missing. */
    async reconcileCasePage(input: ReconcilePageInput): Promise<ReconcilePageResult> {
      const page = await listCasePage(deps.client, changedCasesQuery(new Date(input.closedAfter)), input.pageToken, input.pageSize);
      // A heartbeat per case: a run whose worker died is retried elsewhere within the heartbeat timeout.
      const { failedIds, ...outcome } = await reconciler.reconcile(page.cases, () => heartbeat());
      metrics.drift.inc(outcome.drift);
      metrics.repaired.inc(outcome.repaired);
      if (outcome.drift > 0 || outcome.failed > 0) {
        // Case ids only: the snapshots carry personal data.
        deps.log?.info({ ...outcome, failedCaseIds: failedIds.slice(0, 20) }, 'read-model reconciler: page repaired');
      }
      return { ...outcome, nextPageToken: page.nextPageToken };
    },

    /** Releases the order-line locks of cases that have closed. */
    async sweepOpenCaseLocks(): Promise<LockSweepOutcome> {
      const outcome = await sweepClosedCaseLocks(deps.client, deps.db);
      metrics.locksReleased.inc(outcome.released);
      if (outcome.released > 0) deps.log?.info({ ...outcome }, 'read-model reconciler: locks of closed cases released');
      return outcome;
    },

    /** Folds the cases and breaches written since the last compaction into the SLA report's day buckets. */
    async compactSlaReport(): Promise<CompactionOutcome> {
      const outcome = await buckets.compact(new Date(), () => heartbeat());
      if (outcome.bucketsWritten > 0) deps.log?.info({ ...outcome }, 'read-model reconciler: SLA report buckets folded');
      return outcome;
    },

    /** Records the start of a completed run: the next run compares cases closed after it. */
    async saveReconcilerWatermark(runStartedAt: string): Promise<void> {
      await state.updateOne({ _id: 'cases' }, { $set: { lastRunStartedAt: new Date(runStartedAt) } }, { upsert: true });
    },
  };
}

/** The reconciler's activities, as the workflow proxies them. */
export type ReconcilerActivities = ReturnType<typeof createReconcilerActivities>;
