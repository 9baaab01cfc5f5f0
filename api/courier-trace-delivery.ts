import { scansToTell } from '../domain/courier-scans';
import type { CourierEvent } from '../domain/workflow-contract';
import { emptyTrace, withScans, withTold, type ParcelTrace, type ParcelTraces } from '../store/parcel-traces.store';

/** A case's answer to a signal: heard it, has ended, or does not exist. */
export type TraceDelivery = 'delivered' | 'ignored' | 'unknown';

/** What delivering a parcel's trace needs. */
export interface TraceDeliveryDeps {
  /** The stored traces; absent (no database yet): each push is filtered on its own. */
  traces: ParcelTraces | undefined;
  /** Signals one scan to one case (the courier event signal). */
  signal(caseId: string, event: CourierEvent): Promise<TraceDelivery>;
  now(): number;
  log: { warn(fields: Record<string, unknown>, message: string): void };
}

/**
 * Delivers a pushed trace (oldest first) to the cases of its parcel: the whole trace is kept, and
 * each case is signalled only the first scan of each kind it was not told yet (once each, recorded
 * per case), so a parcel costs a case at most a handful of signals however often it is pushed.
 * While the traces cannot be read, each push is filtered on its own (a few signals a push, which
 * the case drops by event id when it heard them). Returns each case's delivery, in order.
 */
export async function deliverTrace(deps: TraceDeliveryDeps, trackingNumber: string, caseIds: readonly string[], scans: readonly CourierEvent[]): Promise<TraceDelivery[]> {
  let trace: ParcelTrace;
  let stored = deps.traces !== undefined;
  try {
    trace = deps.traces === undefined ? emptyTrace() : await deps.traces.load(trackingNumber);
  } catch (error) {
    deps.log.warn({ error: errorName(error) }, 'parcel trace could not be read: this push is filtered on its own');
    trace = emptyTrace();
    stored = false;
  }
  trace = withScans(trace, scans);
  const outcomes: TraceDelivery[] = [];
  for (const caseId of caseIds) {
    const toTell = scansToTell(scans, trace.told.get(caseId) ?? new Set());
    // Nothing new for this case: it heard every kind of scan this push carries.
    let outcome: TraceDelivery = 'delivered';
    const told: CourierEvent[] = [];
    for (const scan of toTell) {
      outcome = await deps.signal(caseId, scan);
      if (outcome !== 'delivered') break;
      told.push(scan);
    }
    trace = withTold(trace, caseId, told);
    outcomes.push(outcome);
  }
  if (stored && deps.traces !== undefined) {
    // Signals first, record after: a record lost here only means a few signals sent again and dropped by the case.
    await deps.traces.save(trackingNumber, trace, deps.now()).catch((error: unknown) => deps.log.warn({ error: errorName(error) }, 'parcel trace could not be saved'));
  }
  return outcomes;
}

/** A database error's name only: driver messages may quote document values. */
function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'error';
}
