import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { isTerminal, type CaseSnapshot, type ShipmentView } from '../domain/case.types';
import { kindsThatMayMove, scansToTell } from '../domain/courier-scans';
import { caseWorkflowId } from '../domain/ids';
import { courierEventSignal, type CourierEvent } from '../domain/workflow-contract';
import { ProviderError } from '../domain/provider-error';
import type { TrackingPollLog } from '../store/tracking-polls.store';

/** How long a parcel on its way may go without news before its trace is asked for (TRACKING_POLL_AFTER_MS). */
export const DEFAULT_TRACKING_POLL_AFTER_MS = 6 * 3_600_000;
/** Parcels asked about in one run at most: Kuaidi100 rate-limits its query API, so the rest wait for the next run. */
export const TRACKING_POLL_BATCH = 50;
/** Cases read per status (CaseReadModel.listWithParcelsOnTheWay). */
const CASES_PER_STATUS = 200;

/** What one parcel's poll led to (the `outcome` label of aftersales_parcels_polled_total). */
export type TrackingPollOutcome = 'signalled' | 'nothing_new' | 'no_trace' | 'error';

/** What one sweep did: parcels asked about, by outcome, and those with news too recent to ask. */
export type TrackingPollSummary = Record<TrackingPollOutcome, number> & { waiting: number };

/** The trace of a parcel now, as our courier events (Kuaidi100Client.query). */
export type TrackingQuery = (input: { trackingNumber: string; carrier: string }) => Promise<{ state: string; events: CourierEvent[] }>;

/** What the sweep is built from. */
export interface TrackingPollDeps {
  /** Signals the cases (the courier webhook's signal, by the case's workflow id). */
  client: Pick<Client, 'workflow'>;
  /** Open cases whose parcel may be on its way (CaseReadModel.listWithParcelsOnTheWay). */
  cases: { listWithParcelsOnTheWay(limitPerStatus: number): Promise<CaseSnapshot[]> };
  /** The tracking provider's query; absent (COURIER_TRACKING_PROVIDER is not kuaidi100): the sweep does nothing. */
  query?: TrackingQuery;
  /** When each parcel was last polled, so a quiet parcel is asked once per `olderThanMs`, not every run. */
  polls: TrackingPollLog;
  /** The parcels' pushed traces (store/parcel-traces.store.ts), pruned once a run like the poll log. */
  traces?: { prune(now: number): Promise<void> };
  /** Default time without news before a parcel is polled. */
  olderThanMs: number;
  /** Counts each parcel polled by outcome. */
  count?(outcome: TrackingPollOutcome): void;
  /** Called per parcel (the activity heartbeats). */
  progress?(): void;
  now?: () => number;
  log?: { warn(fields: Record<string, unknown>, message: string): void; info(fields: Record<string, unknown>, message: string): void };
}

/** Input of one sweep; both override the configured values. */
export interface PollStaleParcelsInput {
  olderThanMs?: number;
  limit?: number;
}

/** A parcel on its way and the open cases it belongs to (one parcel may carry the goods of several). */
interface ParcelOnTheWay {
  trackingNumber: string;
  carrier: string;
  /** The latest news the cases have: their shipments' `updatedAt` (the last scan, or when it was handed over or reported). */
  lastNewsAt: number;
  holders: { caseId: string; shipment: ShipmentView }[];
}

/**
 * The reconciler's tracking step, the fallback for lost pushes: each parcel on its way whose last
 * news (and last poll) is older than `olderThanMs` has its trace asked for, at most `limit` a run,
 * stalest first; the scans the case does not have yet that can still move its parcel (the first of
 * each kind) go to each of its open cases as the courier webhook sends them (same event ids as the
 * pushes, so a push that comes later changes nothing).
 */
export async function pollStaleParcels(deps: TrackingPollDeps, input: PollStaleParcelsInput): Promise<TrackingPollSummary> {
  const summary: TrackingPollSummary = { signalled: 0, nothing_new: 0, no_trace: 0, error: 0, waiting: 0 };
  const query = deps.query;
  if (query === undefined) return summary;
  const now = deps.now?.() ?? Date.now();
  const olderThanMs = input.olderThanMs ?? deps.olderThanMs;
  const parcels = parcelsOnTheWay(await deps.cases.listWithParcelsOnTheWay(CASES_PER_STATUS));
  const lastPolled = await deps.polls.lastPolled(parcels.map((p) => p.trackingNumber));
  const due: ParcelOnTheWay[] = [];
  for (const parcel of parcels) {
    const quietSince = Math.max(parcel.lastNewsAt, lastPolled.get(parcel.trackingNumber) ?? 0);
    if (now - quietSince < olderThanMs) summary.waiting++;
    else due.push(parcel);
  }
  due.sort((a, b) => a.lastNewsAt - b.lastNewsAt);
  const limit = input.limit ?? TRACKING_POLL_BATCH;
  summary.waiting += Math.max(due.length - limit, 0);
  for (const parcel of due.slice(0, limit)) {
    deps.progress?.();
    const outcome = await pollOne(deps, query, parcel, now);
    summary[outcome]++;
    deps.count?.(outcome);
  }
  await deps.polls.prune(now);
  // Housekeeping: a failure leaves old traces for the next run.
  await deps.traces?.prune(now).catch((err: unknown) => deps.log?.warn({ error: errorName(err) }, 'tracking poll: old parcel traces could not be pruned'));
  return summary;
}

/** The undelivered parcels of the open cases listed, grouped by tracking number. */
function parcelsOnTheWay(cases: CaseSnapshot[]): ParcelOnTheWay[] {
  const parcels = new Map<string, ParcelOnTheWay>();
  for (const snapshot of cases) {
    if (snapshot.closedAt !== null || isTerminal(snapshot.status)) continue;
    for (const shipment of snapshot.shipments) {
      // An exception waits for a person (or a late `delivered` push); polling it every few hours would only repeat the exception.
      if (shipment.status === 'delivered' || shipment.status === 'exception') continue;
      const newsAt = Date.parse(shipment.updatedAt);
      const parcel = parcels.get(shipment.trackingNumber);
      if (parcel === undefined) {
        parcels.set(shipment.trackingNumber, { trackingNumber: shipment.trackingNumber, carrier: shipment.carrier, lastNewsAt: newsAt, holders: [{ caseId: snapshot.id, shipment }] });
      } else {
        parcel.lastNewsAt = Math.max(parcel.lastNewsAt, newsAt);
        parcel.holders.push({ caseId: snapshot.id, shipment });
      }
    }
  }
  return [...parcels.values()];
}

/** Asks for one parcel's trace and signals each case the scans it lacks; never throws. */
async function pollOne(deps: TrackingPollDeps, query: TrackingQuery, parcel: ParcelOnTheWay, now: number): Promise<TrackingPollOutcome> {
  // Case ids only: a tracking number leads to an address at the courier.
  const fields = { caseIds: parcel.holders.map((h) => h.caseId), carrier: parcel.carrier };
  let trace;
  try {
    trace = await query({ trackingNumber: parcel.trackingNumber, carrier: parcel.carrier });
  } catch (err) {
    // A refusal that will not pass (a bad key, an unknown company) is not asked again before the next period; trouble that passes is, next run.
    if (!(err instanceof ProviderError && err.retryable)) await deps.polls.recordPoll(parcel.trackingNumber, now);
    deps.log?.warn({ ...fields, error: errorName(err) }, 'tracking poll: the provider could not be asked');
    return 'error';
  }
  await deps.polls.recordPoll(parcel.trackingNumber, now);
  if (trace.events.length === 0) return 'no_trace';
  let signalled = false;
  let failed = false;
  for (const holder of parcel.holders) {
    const missing = signalsFor(holder.shipment, trace.events);
    try {
      for (const event of missing) await deps.client.workflow.getHandle(caseWorkflowId(holder.caseId)).signal(courierEventSignal, event);
    } catch (err) {
      failed = true;
      deps.log?.warn({ caseId: holder.caseId, error: err instanceof WorkflowNotFoundError ? 'case_not_running' : errorName(err) }, 'tracking poll: the case could not be signalled');
      continue;
    }
    if (missing.length > 0) signalled = true;
  }
  if (failed) return 'error';
  if (signalled) deps.log?.info({ ...fields, state: trace.state }, 'tracking poll: scans the pushes did not bring signalled');
  return signalled ? 'signalled' : 'nothing_new';
}

/**
 * The scans that may be news to the case: all of them while it has none (its `updatedAt` is then when
 * the parcel was handed over or reported, which may come after the pick-up scan); else, when some
 * scan is newer than its last one, those no older than that (a second scan of the same second
 * included; repeats are dropped by the case's event ids, and it never moves a parcel back); else none.
 */
export function newsFor(shipment: ShipmentView, events: CourierEvent[]): CourierEvent[] {
  if (shipment.status === 'label_created' || shipment.status === 'shipped') return events;
  const lastScan = Date.parse(shipment.updatedAt);
  if (!events.some((event) => Date.parse(event.at) > lastScan)) return [];
  return events.filter((event) => Date.parse(event.at) >= lastScan);
}

/**
 * Of the news, what is worth a signal: the first scan of each kind that can still move the parcel
 * from its status (a case drops the rest), so a long trace costs the case a few signals, not one a scan.
 */
export function signalsFor(shipment: ShipmentView, events: CourierEvent[]): CourierEvent[] {
  return scansToTell(newsFor(shipment, events), new Set(), kindsThatMayMove(shipment.status));
}

/** The error's class and provider code, never its message (which may quote request data). */
function errorName(err: unknown): string {
  if (err instanceof ProviderError) return `${err.name}${err.code ? `:${err.code}` : ''}`;
  return err instanceof Error ? err.name : 'error';
}
