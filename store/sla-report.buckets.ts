import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Binary, type Collection, type Db, type Filter } from 'mongodb';
import { beijingDate } from '../domain/beijing-time';
import { toSnapshot, type CaseDocument } from './case-document.mapper';
import type { EscalationDocument } from './case-read-model.store';
import { Collections, isDuplicateKeyError } from './mongo';
import { reportFactsOf, type CaseReportFacts, type ClockFacts, type ReportEscalation } from './sla-report.metrics';

/**
 * The SLA report's running totals: the facts of every case (store/sla-report.metrics.ts
 * `CaseReportFacts`) and every level-1 breach, packed per Beijing day into a few "bucket"
 * documents, so that a report over a year reads a few hundred documents instead of every case
 * (FerretDB's cost is per document returned). A compaction folds what was written since its last
 * run into the buckets; a report reads the buckets of its range plus that unfolded tail, so it is
 * as fresh as the read model. docs/read-model.md, "SLA report buckets".
 */

/** A write is visible to the compaction within this long of the time it carries (`writtenAt`): in-flight writes and clock skew between processes. */
export const WRITE_VISIBILITY_MARGIN_MS = 60_000;
/**
 * The shape of the packed facts: a change to how facts are taken (reportFactsOf) bumps it, and the
 * next compaction folds every case again into buckets of the new format, which reports then read.
 */
export const FACTS_FORMAT = 1;
/** Where the compaction keeps the start time of its last completed run. */
const WATERMARK_ID = `sla-report-v${FACTS_FORMAT}`;

/** One level-1 breach as the report counts it, keyed like its escalation document. */
export interface BreachFacts extends ReportEscalation {
  id: string;
}

type BucketKind = 'cases' | 'breaches';

/** One revision of one day's bucket: `v<format>:<kind>:<day>#<rev>`; the highest revision is the bucket. */
interface BucketDocument {
  _id: string;
  format: number;
  kind: BucketKind;
  /** Beijing calendar day (YYYY-MM-DD) of the case's creation or of the breach. */
  day: string;
  rev: number;
  /**
   * The day's facts as one deflated JSON array of tuples (packFacts): FerretDB's cost grows with
   * the bytes it decodes, and a year of cases is 35 MB as JSON objects, under 3 MB packed.
   */
  items: Binary;
}

/** What one compaction folded. */
export interface CompactionOutcome {
  cases: number;
  breaches: number;
  bucketsWritten: number;
}

/** The unfolded writes and the buckets a report needs, read in the order that keeps them consistent. */
export interface ReportInputs {
  facts: CaseReportFacts[];
  breaches: BreachFacts[];
}

/** The buckets, the compaction's watermark and the tail queries over the read model. */
export class SlaReportBuckets {
  private readonly buckets: Collection<BucketDocument>;
  private readonly state: Collection<{ _id: string; at: Date }>;
  private readonly cases: Collection<CaseDocument>;
  private readonly escalations: Collection<EscalationDocument>;
  private readonly dbName: string;

  constructor(db: Db) {
    this.dbName = db.databaseName;
    this.buckets = db.collection<BucketDocument>(Collections.reportBuckets);
    this.state = db.collection<{ _id: string; at: Date }>(Collections.reportState);
    this.cases = db.collection<CaseDocument>(Collections.cases);
    this.escalations = db.collection<EscalationDocument>(Collections.escalations);
  }

  /** The start of the last completed compaction, or null before the first. */
  async watermark(): Promise<Date | null> {
    const found = await this.state.findOne({ _id: WATERMARK_ID });
    return found ? new Date(found.at) : null;
  }

  /**
   * Folds every case and breach written since the last compaction (less the margin; everything on
   * the first run) into the day buckets, then records its own start as the watermark. Safe to run
   * beside another: bucket revisions are inserted under unique ids (a compare-and-swap), facts of
   * one case keep the highest snapshot version, and an earlier watermark only lengthens the tail.
   */
  async compact(now: Date = new Date(), onProgress: () => void = () => undefined): Promise<CompactionOutcome> {
    const since = await this.tailStart();
    const facts = await this.caseTail(since, undefined, onProgress);
    const breaches = await this.breachTail(since, undefined);
    let bucketsWritten = 0;
    for (const [day, items] of groupByDay(facts, (f) => f.createdAtMs)) {
      if (await this.merge('cases', day, items, newerFacts, FACTS_CODEC)) bucketsWritten++;
      onProgress();
    }
    for (const [day, items] of groupByDay(breaches, (b) => Date.parse(b.at))) {
      if (await this.merge('breaches', day, items, () => false, BREACHES_CODEC)) bucketsWritten++;
      onProgress();
    }
    await this.advanceWatermark(now);
    return { cases: facts.length, breaches: breaches.length, bucketsWritten };
  }

  /**
   * The facts of the cases created in [from, to) and the breaches that happened in it, or null
   * before the first compaction (the report then reads the cases themselves).
   */
  async reportInputs(from: Date, to: Date): Promise<ReportInputs | null> {
    // The watermark first: every write before it (less the margin) is in the buckets read next.
    const since = await this.tailStart();
    if (since === null) return null;
    const days = { $gte: beijingDate(from.getTime()), $lte: beijingDate(to.getTime() - 1) };
    const documents = await this.buckets.find({ day: days, format: FACTS_FORMAT }).toArray();
    const latest = new Map<string, BucketDocument>();
    for (const document of documents) {
      const key = `${document.kind}:${document.day}`;
      if ((latest.get(key)?.rev ?? -1) < document.rev) latest.set(key, document);
    }
    const facts = new Map<string, CaseReportFacts>();
    const breaches = new Map<string, BreachFacts>();
    for (const bucket of latest.values()) {
      if (bucket.kind === 'cases') for (const f of unpackCached(this.dbName, bucket, FACTS_CODEC)) facts.set(f.id, f);
      else for (const b of unpackCached(this.dbName, bucket, BREACHES_CODEC)) breaches.set(b.id, b);
    }
    for (const f of await this.caseTail(since, { from, to })) {
      const known = facts.get(f.id);
      if (!known || f.version >= known.version) facts.set(f.id, f);
    }
    for (const b of await this.breachTail(since, { from, to })) breaches.set(b.id, b);
    const inRange = (t: number) => t >= from.getTime() && t < to.getTime();
    return { facts: [...facts.values()].filter((f) => inRange(f.createdAtMs)), breaches: [...breaches.values()].filter((b) => inRange(Date.parse(b.at))) };
  }

  /** Records `to` as the watermark unless a later one is stored; a concurrent first insert is taken as stored and compared again. */
  private async advanceWatermark(to: Date): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const stored = await this.watermark();
      if (stored !== null && stored.getTime() >= to.getTime()) return;
      try {
        await this.state.updateOne({ _id: WATERMARK_ID }, { $set: { at: to } }, { upsert: true });
        return;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
  }

  /** Where the unfolded tail starts: the watermark less the margin; undefined = everything; null = no compaction yet. */
  private async tailStart(): Promise<Date | null> {
    const watermark = await this.watermark();
    return watermark === null ? null : new Date(watermark.getTime() - WRITE_VISIBILITY_MARGIN_MS);
  }

  private async caseTail(since: Date | null, range: { from: Date; to: Date } | undefined, onProgress: () => void = () => undefined): Promise<CaseReportFacts[]> {
    // By write time alone: with the range too, SQLite would pick the creation index and test every case of the range.
    const filter: Filter<CaseDocument> = since === null ? {} : { writtenAt: { $gte: since } };
    const facts: CaseReportFacts[] = [];
    for await (const document of this.cases.find(filter)) {
      if (range && !(document.createdAtDate >= range.from && document.createdAtDate < range.to)) continue;
      facts.push(reportFactsOf(toSnapshot(document)));
      if (facts.length % 500 === 0) onProgress();
    }
    return facts;
  }

  private async breachTail(since: Date | null, range: { from: Date; to: Date } | undefined): Promise<BreachFacts[]> {
    const filter: Filter<EscalationDocument> = since === null ? {} : { writtenAt: { $gte: since } };
    const found = await this.escalations.find(filter).toArray();
    return found
      .filter((e) => e.reason === 'breach' && e.level === 1 && (!range || (e.atDate >= range.from && e.atDate < range.to)))
      .map((e) => ({ id: e._id, clock: e.clock, level: e.level, reason: e.reason, at: e.at, assignee: e.assignee }));
  }

  /** Adds `items` to the day's bucket as a new revision; false when it already held them. Retries when another compaction wrote first. */
  private async merge<T extends { id: string }>(kind: BucketKind, day: string, items: T[], isNewer: (candidate: T, stored: T) => boolean, codec: Codec<T>): Promise<boolean> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const [head] = await this.buckets.find({ format: FACTS_FORMAT, kind, day }).sort({ rev: -1 }).limit(1).toArray();
      const byId = new Map<string, T>((head ? codec.unpack(head.items) : []).map((item) => [item.id, item]));
      let changed = false;
      for (const item of items) {
        const stored = byId.get(item.id);
        if (stored && !isNewer(item, stored)) continue;
        byId.set(item.id, item);
        changed = true;
      }
      if (!changed) return false;
      const rev = (head?.rev ?? 0) + 1;
      try {
        await this.buckets.insertOne({ _id: `v${FACTS_FORMAT}:${kind}:${day}#${rev}`, format: FACTS_FORMAT, kind, day, rev, items: codec.pack([...byId.values()]) });
      } catch (err) {
        if (isDuplicateKeyError(err)) continue;
        throw err;
      }
      // The older revisions are subsets of this one: a reader that still sees one takes the highest.
      await this.buckets.deleteMany({ format: FACTS_FORMAT, kind, day, rev: { $lt: rev } });
      return true;
    }
    throw new Error(`SLA report bucket ${kind}:${day} kept changing under 20 compactions`);
  }
}

/** Items of bucket revisions unpacked in this process; each revision's `_id` names immutable content, so an entry never goes stale. */
const unpacked = new Map<string, readonly unknown[]>();
/** Bound of the cache, in items (a year of a large shop's cases, some 50 MB). */
const UNPACKED_ITEMS_MAX = 300_000;
let unpackedItems = 0;

/** The bucket's items, unpacked once per process and revision (unpacking is most of a large report's time). */
function unpackCached<T>(dbName: string, bucket: BucketDocument, codec: Codec<T>): readonly T[] {
  const key = `${dbName}/${bucket._id}`;
  const known = unpacked.get(key);
  if (known) return known as readonly T[];
  const items = codec.unpack(bucket.items);
  unpacked.set(key, items);
  unpackedItems += items.length;
  // Oldest first (a Map keeps insertion order); later revisions of the same days replace them.
  for (const [oldKey, oldItems] of unpacked) {
    if (unpackedItems <= UNPACKED_ITEMS_MAX) break;
    unpacked.delete(oldKey);
    unpackedItems -= oldItems.length;
  }
  return items;
}

/** Facts of a later snapshot version replace the stored ones; equal versions are the same facts. */
function newerFacts(candidate: CaseReportFacts, stored: CaseReportFacts): boolean {
  return candidate.version > stored.version;
}

function groupByDay<T>(items: readonly T[], instantMs: (item: T) => number): Map<string, T[]> {
  const days = new Map<string, T[]>();
  for (const item of items) {
    const day = beijingDate(instantMs(item));
    const list = days.get(day) ?? [];
    list.push(item);
    days.set(day, list);
  }
  return days;
}

/** How one kind of bucket item is packed into a bucket's bytes and back. */
interface Codec<T> {
  pack(items: readonly T[]): Binary;
  unpack(bytes: Binary): T[];
}

/** A codec storing each item as a tuple of its fields in a fixed order, the whole array as deflated JSON. */
function tupleCodec<T>(toTuple: (item: T) => unknown[], fromTuple: (tuple: unknown[]) => T): Codec<T> {
  return {
    pack: (items) => new Binary(deflateRawSync(Buffer.from(JSON.stringify(items.map(toTuple))), { level: 6 })),
    unpack: (bytes) => (JSON.parse(inflateRawSync(bytes.buffer).toString('utf8')) as unknown[][]).map(fromTuple),
  };
}

type ClockTuple = [ClockFacts['name'], ClockFacts['party'], ClockFacts['budget'], ClockFacts['end'], number | null];
type FactsTuple = [string, number, CaseReportFacts['type'], CaseReportFacts['status'], CaseReportFacts['reason'], number, number | null, 0 | 1, number | null, ClockTuple[]];

/** Case facts as bucket bytes: a tuple per case, deflated. */
const FACTS_CODEC = tupleCodec<CaseReportFacts>(
  (f): FactsTuple => [
    f.id, f.version, f.type, f.status, f.reason, f.createdAtMs, f.closedAtMs, f.firstTime ? 1 : 0, f.surveyScore,
    f.clocks.map((c): ClockTuple => [c.name, c.party, c.budget, c.end, c.responseMs ?? null]),
  ],
  (tuple) => {
    const [id, version, type, status, reason, createdAtMs, closedAtMs, firstTime, surveyScore, clocks] = tuple as FactsTuple;
    return {
      id, version, type, status, reason, createdAtMs, closedAtMs, firstTime: firstTime === 1, surveyScore,
      clocks: clocks.map(([name, party, budget, end, responseMs]) => (responseMs === null ? { name, party, budget, end } : { name, party, budget, end, responseMs })),
    };
  },
);

type BreachTuple = [string, BreachFacts['clock'], number, BreachFacts['reason'], string, string | null];

const BREACHES_CODEC = tupleCodec<BreachFacts>(
  (b): BreachTuple => [b.id, b.clock, b.level, b.reason, b.at, b.assignee],
  (tuple) => {
    const [id, clock, level, reason, at, assignee] = tuple as BreachTuple;
    return { id, clock, level, reason, at, assignee };
  },
);
