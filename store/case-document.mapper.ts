import type { CaseSnapshot } from '../domain/case.types';

/** Sort key of a case without a running deadline: after every real deadline. */
export const NO_DEADLINE_SORT_KEY = new Date('9999-12-31T23:59:59.999Z');

/** Fields the store derives from a snapshot so that lists, lookups and reports can query them. */
export interface DerivedCaseFields {
  /** `nextDeadline` as a Date, or null when no clock is running. */
  nextDeadlineAt: Date | null;
  /** `nextDeadlineAt`, or NO_DEADLINE_SORT_KEY: sorts cases without a deadline last. */
  nextDeadlineSortKey: Date;
  createdAtDate: Date;
  closedAtDate: Date | null;
  /** Every tracking number of the case's shipments (webhook look-ups). */
  trackingNumbers: string[];
  /** The payment provider's refund id, once known (webhook look-ups). */
  refundId: string | null;
  /** The refund's status, once there is one (the ledger backfill finds the paid ones). */
  refundStatus: string | null;
}

/** Snapshot fields copied to the top of the stored document because lists, look-ups and metrics filter on them. */
export const QUERIED_SNAPSHOT_FIELDS = ['version', 'type', 'status', 'customerId', 'orderId', 'assignee', 'breached', 'manualEvaluation', 'closedAt'] as const;

/** The snapshot fields a stored document carries at its top level. */
export type QueriedSnapshotFields = Pick<CaseSnapshot, (typeof QUERIED_SNAPSHOT_FIELDS)[number]>;

/**
 * A case as stored in the `cases` collection: the queried fields and derived keys at the top, the
 * whole snapshot as one JSON string. One string instead of a nested document because FerretDB's
 * cost per returned document is decoding its stored form field by field (docs/read-model.md, "Stored
 * shape"): a page of 100 cases costs about a fifth as much this way.
 */
export type CaseDocument = QueriedSnapshotFields &
  DerivedCaseFields & {
    _id: string;
    snapshotJson: string;
    /** When the store wrote it, by the writer's clock (absent on documents written before the field): the SLA report's compaction reads what changed since its last run. */
    writtenAt?: Date;
  };

/** A document written before the snapshot became one string: the snapshot's fields themselves, plus the derived ones. */
type NestedCaseDocument = Omit<CaseSnapshot, 'id'> & Partial<DerivedCaseFields> & { _id: string; writtenAt?: Date };

const DERIVED_FIELDS: readonly (keyof DerivedCaseFields | 'writtenAt')[] = [
  'nextDeadlineAt',
  'nextDeadlineSortKey',
  'createdAtDate',
  'closedAtDate',
  'trackingNumbers',
  'refundId',
  'refundStatus',
  'writtenAt',
];

/** Builds the stored document of a snapshot (JSON-normalised, so absent optional fields stay absent). */
export function toCaseDocument(snapshot: CaseSnapshot): CaseDocument {
  const snapshotJson = JSON.stringify(snapshot);
  const nextDeadlineAt = snapshot.nextDeadline ? toDate(snapshot.nextDeadline, 'nextDeadline') : null;
  return {
    _id: snapshot.id,
    version: snapshot.version,
    type: snapshot.type,
    status: snapshot.status,
    customerId: snapshot.customerId,
    orderId: snapshot.orderId,
    assignee: snapshot.assignee,
    breached: snapshot.breached === true,
    manualEvaluation: snapshot.manualEvaluation === true,
    closedAt: snapshot.closedAt,
    nextDeadlineAt,
    nextDeadlineSortKey: nextDeadlineAt ?? NO_DEADLINE_SORT_KEY,
    createdAtDate: toDate(snapshot.createdAt, 'createdAt'),
    closedAtDate: snapshot.closedAt ? toDate(snapshot.closedAt, 'closedAt') : null,
    trackingNumbers: [...new Set(snapshot.shipments.map((s) => s.trackingNumber))],
    refundId: snapshot.refund?.id ?? null,
    refundStatus: snapshot.refund?.status ?? null,
    snapshotJson,
  };
}

/** The snapshot of a stored document: its JSON string, or (a document of the older nested shape) its fields without `_id` and derived ones. */
export function toSnapshot(document: CaseDocument | NestedCaseDocument): CaseSnapshot {
  if ('snapshotJson' in document && typeof document.snapshotJson === 'string') return withManualEvaluation(JSON.parse(document.snapshotJson) as CaseSnapshot);
  const copy: Record<string, unknown> = { ...document };
  delete copy._id;
  for (const field of DERIVED_FIELDS) delete copy[field];
  return withManualEvaluation({ id: document._id, ...copy } as CaseSnapshot);
}

// A snapshot written before the field has none: read as false (its case's next write sets it from the workflow input).
function withManualEvaluation(snapshot: CaseSnapshot): CaseSnapshot {
  if (typeof snapshot.manualEvaluation !== 'boolean') snapshot.manualEvaluation = false;
  return snapshot;
}

function toDate(iso: string, field: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new TypeError(`case snapshot field ${field} is not an ISO date: ${iso}`);
  return date;
}
