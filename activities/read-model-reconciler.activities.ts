import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Db } from 'mongodb';
import { Counter, Registry } from 'prom-client';
import {
  changedCasesQuery,
  closedCasesQuery,
  listCasePage,
  ReadModelReconciler,
  sweepClosedCaseLocks,
  type LockSweepOutcome,
  type ReconcileOutcome,
  type ReconcileTarget,
} from '../store/read-model-reconciler';
import { isDuplicateKeyError } from '../store/mongo';
import { SlaReportBuckets, type CompactionOutcome } from '../store/sla-report.buckets';
import { CaseReadModel } from '../store/case-read-model.store';
import type { PaymentPort } from './provider-ports';
import { DEFAULT_REFUND_QUERY_AFTER_MS, settleStaleRefunds, type RefundQuerySummary, type SettleStaleRefundsInput } from './refund-query.activities';
import { ParcelTraceStore } from '../store/parcel-traces.store';
import { TrackingPollStore, type TrackingPollLog } from '../store/tracking-polls.store';
import { DEFAULT_TRACKING_POLL_AFTER_MS, pollStaleParcels, type PollStaleParcelsInput, type TrackingPollSummary, type TrackingQuery } from './tracking-poll.activities';

/** Where the reconciler keeps the start time of its last completed run (one document, `_id: 'cases'`). */
export const RECONCILER_STATE_COLLECTION = 'read_model_reconciler';

/** The state document that records when a run last compared the running cases too. */
const RUNNING_SWEEP_ID = 'running-sweep';

/** Makes the next reconciler run compare every running case too (a worker does it when it starts: a dead worker's lost writes are on running cases). */
export async function requestRunningSweep(db: Db): Promise<void> {
  await db.collection<{ _id: string }>(RECONCILER_STATE_COLLECTION).deleteOne({ _id: RUNNING_SWEEP_ID });
}

/** The reconciler's state documents. */
interface ReconcilerState {
  _id: string;
  /** `cases`: the start of the last completed run. */
  lastRunStartedAt?: Date;
  /** RUNNING_SWEEP_ID: the start of the last completed sweep, and of one under way. */
  lastCompletedAt?: Date;
  startedAt?: Date;
}

/** Page-token prefixes: the run compares running and closed cases, or closed ones only. */
const WITH_RUNNING = 'R';
const CLOSED_ONLY = 'C';

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
  /** How often (ms) a run also compares every running case; the other runs compare closed ones only. */
  runningEveryMs: number;
  /** The worker's registry, for the reconciler's counters; a private one when absent. */
  registry?: Registry;
  log?: { info(fields: Record<string, unknown>, message: string): void; warn(fields: Record<string, unknown>, message: string): void };
  /** The worker's payment port: refunds whose notification did not come are looked up there (none without `lookUpRefund`). */
  payment?: Pick<PaymentPort, 'lookUpRefund'>;
  /** How long a refund stays `requested` before its provider is asked (REFUND_QUERY_AFTER_MS; default 10 minutes). */
  refundQueryAfterMs?: number;
  /** The tracking provider's trace query (Kuaidi100Client.query, only with COURIER_TRACKING_PROVIDER=kuaidi100): parcels whose pushes stopped are polled. */
  trackingQuery?: TrackingQuery;
  /** How long a parcel on its way goes without news before it is polled (TRACKING_POLL_AFTER_MS; default 6 hours). */
  trackingPollAfterMs?: number;
  /** When parcels were last polled (default: the `tracking_polls` collection of `db`). */
  trackingPolls?: TrackingPollLog;
}

/** The reconciler's Prometheus counters. */
export class ReconcilerMetrics {
  readonly drift: Counter;
  readonly repaired: Counter;
  readonly locksReleased: Counter;
  readonly refundsQueried: Counter<'outcome'>;
  readonly parcelsPolled: Counter<'outcome'>;

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
    this.refundsQueried = new Counter({
      name: 'aftersales_refunds_queried_total',
      help: 'Refunds whose notification did not come, looked up at their provider by the reconciler, by outcome (settled, failed, pending, not_found, amount_mismatch, unsupported, error)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.parcelsPolled = new Counter({
      name: 'aftersales_parcels_polled_total',
      help: 'Parcels on their way without news for too long, whose trace the reconciler asked the tracking provider for, by outcome (signalled, nothing_new, no_trace, error)',
      labelNames: ['outcome'],
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
  // One document per concern: the watermark (`cases`) and the sweep of the running cases (RUNNING_SWEEP_ID).
  const state = deps.db.collection<ReconcilerState>(RECONCILER_STATE_COLLECTION);
  const buckets = new SlaReportBuckets(deps.db);
  const readModel = new CaseReadModel(deps.db);
  const trackingPolls = deps.trackingPolls ?? new TrackingPollStore(deps.db);
  const parcelTraces = new ParcelTraceStore(deps.db);

  /**
   * True when this run compares the running cases too: none completed within `runningEveryMs` (or a
   * worker start asked for one). Marks it started; saveReconcilerWatermark marks it completed, so
   * a sweep in which some case did not answer is done again by the next run.
   */
  async function runningSweepDue(): Promise<boolean> {
    const last = (await state.findOne({ _id: RUNNING_SWEEP_ID }))?.lastCompletedAt;
    if (last && Date.now() - new Date(last).getTime() < deps.runningEveryMs) return false;
    await state.updateOne({ _id: RUNNING_SWEEP_ID }, { $set: { startedAt: new Date() } }, { upsert: true }).catch((err: unknown) => {
      // Two runs deciding at once: both sweep, which is only more work.
      if (!isDuplicateKeyError(err)) throw err;
    });
    return true;
  }

  return {
    /** The start time (ISO) of the last completed run, or null before the first. */
    async reconcilerWatermark(): Promise<string | null> {
      const found = await state.findOne({ _id: 'cases' });
      return found?.lastRunStartedAt ? new Date(found.lastRunStartedAt).toISOString() : null;
    },

    /**
     * Compares one page of changed case workflows with the read model and repairs what is behind or
     * missing. The first page decides whether this run compares the running cases too (due every
     * `runningEveryMs`, or asked by a worker start); the decision rides in the page token, so every
     * page of the run lists with the same query.
     */
    async reconcileCasePage(input: ReconcilePageInput): Promise<ReconcilePageResult> {
      const closedAfter = new Date(input.closedAfter);
      const withRunning = input.pageToken === null ? await runningSweepDue() : input.pageToken.startsWith(WITH_RUNNING);
      const token = input.pageToken === null ? null : input.pageToken.slice(WITH_RUNNING.length);
      const page = await listCasePage(deps.client, withRunning ? changedCasesQuery(closedAfter) : closedCasesQuery(closedAfter), token, input.pageSize);
      // A heartbeat per case: a run whose worker died is retried elsewhere within the heartbeat timeout.
      const { failedIds, ...outcome } = await reconciler.reconcile(page.cases, () => heartbeat());
      metrics.drift.inc(outcome.drift);
      metrics.repaired.inc(outcome.repaired);
      if (outcome.drift > 0 || outcome.failed > 0) {
        // Case ids only: the snapshots carry personal data.
        deps.log?.info({ ...outcome, failedCaseIds: failedIds.slice(0, 20) }, 'read-model reconciler: page repaired');
      }
      return { ...outcome, nextPageToken: page.nextPageToken === null ? null : `${withRunning ? WITH_RUNNING : CLOSED_ONLY}${page.nextPageToken}` };
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

    /** Looks up at their provider the refunds `requested` for longer than `olderThanMs` and signals the cases those the provider settled (activities/refund-query.activities.ts). */
    async settleStaleRefunds(input: SettleStaleRefundsInput): Promise<RefundQuerySummary> {
      return settleStaleRefunds(
        {
          client: deps.client,
          cases: readModel,
          payment: deps.payment,
          olderThanMs: deps.refundQueryAfterMs ?? DEFAULT_REFUND_QUERY_AFTER_MS,
          count: (outcome) => metrics.refundsQueried.inc({ outcome }),
          progress: heartbeat,
          log: deps.log,
        },
        input,
      );
    },

    /** Asks the tracking provider for the trace of parcels on their way without news for `olderThanMs`, and signals the cases the scans they lack (activities/tracking-poll.activities.ts). */
    async pollStaleParcels(input: PollStaleParcelsInput): Promise<TrackingPollSummary> {
      return pollStaleParcels(
        {
          client: deps.client,
          cases: readModel,
          query: deps.trackingQuery,
          polls: trackingPolls,
          traces: parcelTraces,
          olderThanMs: deps.trackingPollAfterMs ?? DEFAULT_TRACKING_POLL_AFTER_MS,
          count: (outcome) => metrics.parcelsPolled.inc({ outcome }),
          progress: heartbeat,
          log: deps.log,
        },
        input,
      );
    },

    /** Records the start of a completed run (the next run compares cases closed after it), and completes its sweep of the running cases, if it made one. */
    async saveReconcilerWatermark(runStartedAt: string): Promise<void> {
      await state.updateOne({ _id: 'cases' }, { $set: { lastRunStartedAt: new Date(runStartedAt) } }, { upsert: true });
      // A sweep of the running cases this run started (no case failed, or this is not called) is complete.
      const sweep = await state.findOne({ _id: RUNNING_SWEEP_ID });
      if (sweep?.startedAt) await state.updateOne({ _id: RUNNING_SWEEP_ID }, { $set: { lastCompletedAt: sweep.startedAt }, $unset: { startedAt: '' } });
    },
  };
}

/** The reconciler's activities, as the workflow proxies them. */
export type ReconcilerActivities = ReturnType<typeof createReconcilerActivities>;
