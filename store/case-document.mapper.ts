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
}

/** A case as stored in the `cases` collection: the snapshot keyed by `_id` plus derived fields. */
export type CaseDocument = Omit<CaseSnapshot, 'id'> & DerivedCaseFields & { _id: string };

const DERIVED_FIELDS: readonly (keyof DerivedCaseFields)[] = [
  'nextDeadlineAt',
  'nextDeadlineSortKey',
  'createdAtDate',
  'closedAtDate',
  'trackingNumbers',
  'refundId',
];

/** Builds the stored document of a snapshot (JSON-normalised, so absent optional fields stay absent). */
export function toCaseDocument(snapshot: CaseSnapshot): CaseDocument {
  const { id, ...fields } = JSON.parse(JSON.stringify(snapshot)) as CaseSnapshot;
  const nextDeadlineAt = snapshot.nextDeadline ? toDate(snapshot.nextDeadline, 'nextDeadline') : null;
  return {
    _id: id,
    ...fields,
    breached: snapshot.breached === true,
    nextDeadlineAt,
    nextDeadlineSortKey: nextDeadlineAt ?? NO_DEADLINE_SORT_KEY,
    createdAtDate: toDate(snapshot.createdAt, 'createdAt'),
    closedAtDate: snapshot.closedAt ? toDate(snapshot.closedAt, 'closedAt') : null,
    trackingNumbers: [...new Set(snapshot.shipments.map((s) => s.trackingNumber))],
    refundId: snapshot.refund?.id ?? null,
  };
}

/** The snapshot of a stored document, without `_id` and derived fields. */
export function toSnapshot(document: CaseDocument): CaseSnapshot {
  const copy: Record<string, unknown> = { ...document };
  delete copy._id;
  for (const field of DERIVED_FIELDS) delete copy[field];
  return { id: document._id, ...copy } as CaseSnapshot;
}

function toDate(iso: string, field: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new TypeError(`case snapshot field ${field} is not an ISO date: ${iso}`);
  return date;
}
