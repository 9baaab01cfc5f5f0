import type { Collection, Db, Filter, Sort } from 'mongodb';
import type { EscalationRecord, ReadModelPort } from '../activities/provider-ports';
import type { CaseSnapshot, CaseStatus, CaseType } from '../domain/case.types';
import { escalationRecordId } from '../domain/keys';
import { decodeCursor, encodeCursor, type CaseListPosition, type CaseListSort, type SortOrder } from './case-list.cursor';
import { toCaseDocument, toSnapshot, type CaseDocument } from './case-document.mapper';
import { Collections, isDuplicateKeyError } from './mongo';
import { OpenCaseLocks } from './open-case-locks.store';

export { InvalidCursorError } from './case-list.cursor';

/** Filters, sort and page of a case list (GET /v1/cases). Empty filter arrays are ignored. */
export interface CaseListQuery {
  status?: CaseStatus[];
  type?: CaseType[];
  breached?: boolean;
  /** Late quality claims (true) or every other case (false). */
  manualEvaluation?: boolean;
  customerId?: string;
  orderId?: string;
  assignee?: string;
  sort: CaseListSort;
  /** Default: asc for nextDeadline (most urgent first), desc for createdAt (newest first). */
  order?: SortOrder;
  /** Page size, clamped to 1..MAX_LIST_LIMIT. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of a case list; `nextCursor` is null on the last page. */
export interface CaseListPage {
  items: CaseSnapshot[];
  nextCursor: string | null;
}

/** What a list query reads of a case document: its id, its snapshot (absent in the older nested shape) and the query's sort field (only that one of the two). */
type ListedDocument = Pick<CaseDocument, '_id' | 'nextDeadlineSortKey' | 'createdAtDate'> & { snapshotJson?: string };

/** Largest page a list returns. */
export const MAX_LIST_LIMIT = 200;

/**
 * Statuses of an open case whose parcel may be on its way: the return parcel (return_in_transit, an
 * exception included) and the parcel we send (shipping_replacement, then awaiting_customer_confirmation).
 * Parcels of other statuses have arrived, or went out as the case closed.
 */
export const PARCEL_STATUSES: readonly CaseStatus[] = ['return_in_transit', 'shipping_replacement', 'awaiting_customer_confirmation'];

/** One escalation as stored in the `escalations` collection. */
export interface EscalationDocument extends EscalationRecord {
  /** escalationRecordId (domain/keys.ts): one document per escalation step. */
  _id: string;
  atDate: Date;
  /** When the store wrote it (absent on older documents): the SLA report's compaction reads what changed since its last run. */
  writtenAt?: Date;
}

const SORT_FIELD: Record<CaseListSort, 'nextDeadlineSortKey' | 'createdAtDate'> = {
  nextDeadline: 'nextDeadlineSortKey',
  createdAt: 'createdAtDate',
};
const DEFAULT_ORDER: Record<CaseListSort, SortOrder> = { nextDeadline: 'asc', createdAt: 'desc' };

/** The case read model: versioned snapshot writes, lists, webhook look-ups, escalation records; implements ReadModelPort. */
export class CaseReadModel implements ReadModelPort {
  private readonly cases: Collection<CaseDocument>;
  private readonly escalations: Collection<EscalationDocument>;
  /** The last upsertCase of each case still in progress in this process. */
  private readonly pendingUpserts = new Map<string, Promise<'written' | 'stale'>>();

  constructor(
    db: Db,
    /** The one-open-case-per-order-line locks (the API acquires them when it opens a case). */
    readonly locks: OpenCaseLocks = new OpenCaseLocks(db),
  ) {
    this.cases = db.collection<CaseDocument>(Collections.cases);
    this.escalations = db.collection<EscalationDocument>(Collections.escalations);
  }

  /** Writes the snapshot unless the stored one has a version ≥ its version ('stale'). */
  async upsertCase(snapshot: CaseSnapshot): Promise<'written' | 'stale'> {
    // Upserts of one case in this process run one after another, so a version read and its write never interleave.
    const previous = this.pendingUpserts.get(snapshot.id) ?? Promise.resolve();
    const current = previous.then(
      () => this.writeIfNewer(snapshot),
      () => this.writeIfNewer(snapshot),
    );
    this.pendingUpserts.set(snapshot.id, current);
    try {
      return await current;
    } finally {
      if (this.pendingUpserts.get(snapshot.id) === current) this.pendingUpserts.delete(snapshot.id);
    }
  }

  /**
   * Writes the case as it opens, unless the case is stored already ('stale'). The API calls it
   * right after the workflow start, so the queue shows a new case before any worker ran it; an
   * insert never overwrites, so it cannot undo a later version the projector wrote first.
   */
  async insertOpeningCase(snapshot: CaseSnapshot): Promise<'written' | 'stale'> {
    try {
      await this.cases.insertOne({ ...toCaseDocument(snapshot), writtenAt: new Date() });
      return 'written';
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return 'stale';
    }
  }

  private async writeIfNewer(snapshot: CaseSnapshot): Promise<'written' | 'stale'> {
    const { _id, ...fields } = toCaseDocument(snapshot);
    // By {_id} alone, the only filter FerretDB pushes down (any other scans the table): the projector, a case's only writer, writes its versions in order, so read-then-write suffices; a concurrent first insert fails with E11000 and is read again.
    for (let attempt = 0; attempt < 2; attempt++) {
      const stored = await this.cases.findOne({ _id }, { projection: { version: 1 } });
      if (stored && stored.version >= snapshot.version) return 'stale';
      try {
        // A whole replacement: a document of the older nested shape loses its old fields too.
        await this.cases.replaceOne({ _id }, { ...fields, writtenAt: new Date() }, { upsert: true });
        return 'written';
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    return 'stale';
  }

  /** The stored snapshot of a case, or null. */
  async getCase(id: string): Promise<CaseSnapshot | null> {
    const document = await this.cases.findOne({ _id: id });
    return document ? toSnapshot(document) : null;
  }

  /** One page of cases (full snapshots, meant for tables), keyset-paginated on (sort value, id). */
  async listCases(query: CaseListQuery): Promise<CaseListPage> {
    const order = query.order ?? DEFAULT_ORDER[query.sort];
    const field = SORT_FIELD[query.sort];
    const limit = Math.min(Math.max(Math.trunc(query.limit) || 1, 1), MAX_LIST_LIMIT);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query.sort, order);
    const direction = order === 'asc' ? 1 : -1;
    const sort: Sort = { [field]: direction, _id: direction };
    // Shaped for an index (status, sort field, _id) to answer each query in order with its limit (docs/read-model.md, "List queries"):
    // several statuses are one query each, merged here, since `status $in` and a sort cannot use one index range.
    const statuses = query.status?.length ? [...new Set(query.status)] : [undefined];
    const pages = await Promise.all(
      statuses.map((status) =>
        this.cases
          .find(listFilter(query, status, field, order, after))
          // Only what a page needs: FerretDB then encodes, and the driver decodes, 3 fields a case instead of about 18.
          .project<ListedDocument>({ snapshotJson: 1, [field]: 1 })
          .sort(sort)
          .limit(limit + 1)
          .toArray(),
      ),
    );
    const documents = pages.length === 1 ? (pages[0] ?? []) : mergeSorted(pages, field, direction).slice(0, limit + 1);
    const page = documents.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      documents.length > limit && last ? encodeCursor({ sort: query.sort, order, value: last[field], id: last._id }) : null;
    return { items: await Promise.all(page.map((document) => this.listedSnapshot(document))), nextCursor };
  }

  /** The snapshot of a listed document; one of the older nested shape (no `snapshotJson`) is read whole. */
  private async listedSnapshot(document: ListedDocument): Promise<CaseSnapshot> {
    if (typeof document.snapshotJson === 'string') return toSnapshot(document as CaseDocument);
    const whole = await this.cases.findOne({ _id: document._id });
    if (whole === null) throw new Error(`case ${document._id} vanished while its page was read`);
    return toSnapshot(whole);
  }

  /** The case a tracking number belongs to (the newest if several), or null. */
  async findCaseIdByTrackingNumber(trackingNumber: string): Promise<string | null> {
    return this.findCaseId({ trackingNumbers: trackingNumber });
  }

  /** Every open case that has a parcel with this tracking number (one parcel may carry the goods of several cases). */
  async findOpenCaseIdsByTrackingNumber(trackingNumber: string): Promise<string[]> {
    const found = await this.cases
      .find({ trackingNumbers: trackingNumber, closedAt: null })
      .project<{ _id: string }>({ _id: 1 })
      .sort({ createdAtDate: -1 })
      .limit(50)
      .toArray();
    return found.map((c) => c._id);
  }

  /** The case a provider refund id belongs to, or null. */
  async findCaseIdByRefundId(refundId: string): Promise<string | null> {
    return this.findCaseId({ refundId });
  }

  /**
   * Cases whose refund waits for the provider's settlement (status `refunding`, refund `requested`),
   * most urgent deadline first, at most `limit`. Equality on `status` with the sort of its index, as a
   * list query, so FerretDB serves it from the index; `refunding` cases are few.
   */
  async listAwaitingRefundSettlement(limit: number): Promise<CaseSnapshot[]> {
    const documents = await this.cases
      .find({ status: 'refunding', refundStatus: 'requested' })
      .project<ListedDocument>({ snapshotJson: 1, nextDeadlineSortKey: 1 })
      .sort({ nextDeadlineSortKey: 1, _id: 1 })
      .limit(Math.min(Math.max(Math.trunc(limit) || 1, 1), MAX_LIST_LIMIT))
      .toArray();
    return Promise.all(documents.map((document) => this.listedSnapshot(document)));
  }

  /**
   * Open cases in the statuses in which a parcel of theirs may still be on its way (PARCEL_STATUSES),
   * at most `limitPerStatus` of each, in the status index's order: one find per status, as a list
   * query, so FerretDB serves each from `status_nextDeadline` (tracking numbers are an array, never pushed down).
   */
  async listWithParcelsOnTheWay(limitPerStatus: number): Promise<CaseSnapshot[]> {
    const limit = Math.min(Math.max(Math.trunc(limitPerStatus) || 1, 1), MAX_LIST_LIMIT);
    const pages = await Promise.all(
      PARCEL_STATUSES.map((status) =>
        this.cases.find({ status }).project<ListedDocument>({ snapshotJson: 1, nextDeadlineSortKey: 1 }).sort({ nextDeadlineSortKey: 1, _id: 1 }).limit(limit).toArray(),
      ),
    );
    return Promise.all(pages.flat().map((document) => this.listedSnapshot(document)));
  }

  /** Records one escalation step; a repeat of the same (caseId, clock, level, reason) changes nothing. */
  async recordEscalation(record: EscalationRecord): Promise<void> {
    const _id = escalationRecordId(record.caseId, record.clock, record.level, record.reason);
    const fields: Omit<EscalationDocument, '_id'> = {
      caseId: record.caseId,
      caseType: record.caseType,
      assignee: record.assignee,
      clock: record.clock,
      level: record.level,
      reason: record.reason,
      recipients: [...record.recipients],
      at: record.at,
      atDate: new Date(record.at),
      writtenAt: new Date(),
    };
    try {
      await this.escalations.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true });
    } catch (err) {
      // A concurrent identical record won the insert.
      if (!isDuplicateKeyError(err)) throw err;
    }
  }

  /** Frees the one-open-case-per-order-line locks the case holds. */
  async releaseOpenCaseLocks(caseId: string): Promise<void> {
    await this.locks.release(caseId);
  }

  private async findCaseId(filter: Filter<CaseDocument>): Promise<string | null> {
    const [found] = await this.cases.find(filter).project<{ _id: string }>({ _id: 1 }).sort({ createdAtDate: -1 }).limit(1).toArray();
    return found?._id ?? null;
  }
}

/** The read model over `db`: ReadModelPort for the worker plus the queries and locks for the API. */
export function createReadModel(db: Db): CaseReadModel {
  return new CaseReadModel(db);
}

/**
 * The filter of one list query: equality on one status (not `$in`), and a cursor as `f >= v AND (f > v OR _id > id)`
 * (not a top-level `$or` of two seeks), so that FerretDB/SQLite can push it to an index with its sort and limit.
 */
function listFilter(
  query: CaseListQuery,
  status: CaseStatus | undefined,
  field: 'nextDeadlineSortKey' | 'createdAtDate',
  order: SortOrder,
  after: CaseListPosition | undefined,
): Filter<CaseDocument> {
  const filter: Filter<CaseDocument> = {};
  if (status !== undefined) filter.status = status;
  if (query.type?.length) filter.type = { $in: query.type };
  if (query.breached !== undefined) filter.breached = query.breached;
  // Equality, as `breached`, so that it reaches the index (a `$ne` would not): a document last written before the field has none, and neither value lists it until its case's next write.
  if (query.manualEvaluation !== undefined) filter.manualEvaluation = query.manualEvaluation;
  if (query.customerId !== undefined) filter.customerId = query.customerId;
  if (query.orderId !== undefined) filter.orderId = query.orderId;
  if (query.assignee !== undefined) filter.assignee = query.assignee;
  if (after) {
    const [from, beyond] = order === 'asc' ? (['$gte', '$gt'] as const) : (['$lte', '$lt'] as const);
    filter[field] = { [from]: after.value };
    filter.$or = [{ [field]: { [beyond]: after.value } }, { _id: { [beyond]: after.id } }];
  }
  return filter;
}

/** Merges pages each sorted by (field, _id) in `direction` into one, in the same order, each document once. */
function mergeSorted<T extends { _id: string }>(pages: T[][], field: 'nextDeadlineSortKey' | 'createdAtDate', direction: 1 | -1): T[] {
  const seen = new Set<string>();
  const merged: T[] = [];
  // A document whose status is an array of several listed statuses comes in several pages.
  for (const document of pages.flat().sort((a, b) => direction * compareSortKeys(a, b, field))) {
    if (seen.has(document._id)) continue;
    seen.add(document._id);
    merged.push(document);
  }
  return merged;
}

/** MongoDB's ascending order of (field, _id) for the values a case document holds there. */
export function compareSortKeys(a: { _id: string }, b: { _id: string }, field: string): number {
  const byValue = compareBsonValues((a as Record<string, unknown>)[field], (b as Record<string, unknown>)[field]);
  return byValue !== 0 ? byValue : compareBsonValues(a._id, b._id);
}

/** MongoDB's order of scalars: missing and null, numbers, strings (by UTF-8 bytes), booleans, dates. */
export function compareBsonValues(a: unknown, b: unknown): number {
  const rankA = bsonRank(a);
  const rankB = bsonRank(b);
  if (rankA !== rankB) return rankA - rankB;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return 0;
}

function bsonRank(value: unknown): number {
  if (value === undefined || value === null) return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'string') return 3;
  if (typeof value === 'boolean') return 8;
  if (value instanceof Date) return 9;
  return Array.isArray(value) ? 5 : 4;
}
