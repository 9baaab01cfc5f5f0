import type { Collection, Db } from 'mongodb';
import { mergeTraces, type ScanKind } from '../domain/courier-scans';
import type { CourierEvent } from '../domain/workflow-contract';

/** Where the API keeps each parcel's courier trace and what each case was told of it. */
export const PARCEL_TRACES_COLLECTION = 'parcel_traces';

/** Scans kept per parcel at most (the newest): Kuaidi100 pushes at most 500, a parcel rarely has 100. */
export const MAX_SCANS_KEPT = 1000;

/** A trace not pushed for this long is forgotten: its cases have long closed or gone to a person. */
const FORGET_AFTER_MS = 90 * 24 * 3_600_000;

/** One parcel: `_id` is its tracking number (read by `_id` only, which every backend serves from the key). */
interface ParcelTraceDocument {
  _id: string;
  /** Every scan pushed, oldest first, each once. */
  scans: CourierEvent[];
  /** What each case was signalled of this parcel: `<caseId> <kind>`, each once. */
  told: string[];
  updatedAt: Date;
}

/** A parcel's stored trace and what its cases were told of it. */
export interface ParcelTrace {
  scans: CourierEvent[];
  /** Per case id, the kinds of scan it was signalled. */
  told: Map<string, Set<ScanKind>>;
}

/** The parcel traces (store/parcel-traces.store.ts; in memory for tests). */
export interface ParcelTraces {
  /** The parcel's trace, empty when it was never pushed. */
  load(trackingNumber: string): Promise<ParcelTrace>;
  /** Keeps the scans pushed (merged with those stored) and what each case was told now. */
  save(trackingNumber: string, trace: ParcelTrace, now: number): Promise<void>;
  /** Forgets traces not pushed for 90 days (called once per reconciler run). */
  prune(now: number): Promise<void>;
}

/** An empty trace. */
export function emptyTrace(): ParcelTrace {
  return { scans: [], told: new Map() };
}

/** The trace with these scans merged in (stored ones kept, each scan once, oldest first). */
export function withScans(trace: ParcelTrace, scans: readonly CourierEvent[]): ParcelTrace {
  return { scans: mergeTraces(trace.scans, scans, MAX_SCANS_KEPT), told: trace.told };
}

/** The trace with `caseId` told of these scans' kinds. */
export function withTold(trace: ParcelTrace, caseId: string, scans: readonly CourierEvent[]): ParcelTrace {
  if (scans.length === 0) return trace;
  const told = new Map(trace.told);
  told.set(caseId, new Set([...(told.get(caseId) ?? []), ...scans.map((s) => s.event)]));
  return { scans: trace.scans, told };
}

function toTold(entries: readonly string[]): Map<string, Set<ScanKind>> {
  const told = new Map<string, Set<ScanKind>>();
  for (const entry of entries) {
    const space = entry.lastIndexOf(' ');
    if (space <= 0) continue;
    const caseId = entry.slice(0, space);
    told.set(caseId, new Set([...(told.get(caseId) ?? []), entry.slice(space + 1) as ScanKind]));
  }
  return told;
}

function fromTold(told: Map<string, Set<ScanKind>>): string[] {
  return [...told].flatMap(([caseId, kinds]) => [...kinds].map((kind) => `${caseId} ${kind}`));
}

/** The traces in MongoDB: one document per parcel, read and written by `_id`. */
export class ParcelTraceStore implements ParcelTraces {
  private readonly traces: Collection<ParcelTraceDocument>;

  constructor(db: Db) {
    this.traces = db.collection<ParcelTraceDocument>(PARCEL_TRACES_COLLECTION);
  }

  async load(trackingNumber: string): Promise<ParcelTrace> {
    const found = await this.traces.findOne({ _id: trackingNumber });
    return found === null ? emptyTrace() : { scans: found.scans ?? [], told: toTold(found.told ?? []) };
  }

  async save(trackingNumber: string, trace: ParcelTrace, now: number): Promise<void> {
    // Last writer wins: a push that raced another one loses at most a scan the next push carries again, or a
    // record of a signal, which then is sent once more and dropped by the case (same event id).
    await this.traces.updateOne({ _id: trackingNumber }, { $set: { scans: trace.scans, told: fromTold(trace.told), updatedAt: new Date(now) } }, { upsert: true });
  }

  async prune(now: number): Promise<void> {
    // No TTL index on the embedded backend: a full scan once a reconciler run keeps the collection to recent parcels.
    await this.traces.deleteMany({ updatedAt: { $lt: new Date(now - FORGET_AFTER_MS) } });
  }
}

/** The traces in memory (tests, and an API without a database). */
export class InMemoryParcelTraces implements ParcelTraces {
  readonly traces = new Map<string, { trace: ParcelTrace; updatedAt: number }>();

  async load(trackingNumber: string): Promise<ParcelTrace> {
    return this.traces.get(trackingNumber)?.trace ?? emptyTrace();
  }

  async save(trackingNumber: string, trace: ParcelTrace, now: number): Promise<void> {
    this.traces.set(trackingNumber, { trace, updatedAt: now });
  }

  async prune(now: number): Promise<void> {
    for (const [number, { updatedAt }] of this.traces) if (updatedAt < now - FORGET_AFTER_MS) this.traces.delete(number);
  }
}
