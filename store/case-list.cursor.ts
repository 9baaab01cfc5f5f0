/** Fields a case list can be sorted by. */
export type CaseListSort = 'nextDeadline' | 'createdAt';
/** Sort direction of a case list. */
export type SortOrder = 'asc' | 'desc';

/** Where the previous page ended: the last item's sort value and id, and the sort it was taken under. */
export interface CaseListPosition {
  sort: CaseListSort;
  order: SortOrder;
  value: Date;
  id: string;
}

/** A cursor that is not one this store issued for the same sort (the API answers 400). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

interface CursorPayload {
  s: CaseListSort;
  o: SortOrder;
  v: string;
  i: string;
}

/** Encodes a position as an opaque base64url cursor. */
export function encodeCursor(position: CaseListPosition): string {
  const payload: CursorPayload = { s: position.sort, o: position.order, v: position.value.toISOString(), i: position.id };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Decodes a cursor issued for `sort`/`order`; throws InvalidCursorError otherwise. */
export function decodeCursor(cursor: string, sort: CaseListSort, order: SortOrder): CaseListPosition {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError('cursor is not base64url');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is malformed');
  }
  if (!isPayload(payload)) throw new InvalidCursorError('cursor is malformed');
  if (payload.s !== sort || payload.o !== order) {
    throw new InvalidCursorError(`cursor was issued for sort ${payload.s} ${payload.o}, not ${sort} ${order}`);
  }
  const value = new Date(payload.v);
  if (Number.isNaN(value.getTime())) throw new InvalidCursorError('cursor is malformed');
  return { sort, order, value, id: payload.i };
}

function isPayload(value: unknown): value is CursorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    (p.s === 'nextDeadline' || p.s === 'createdAt') &&
    (p.o === 'asc' || p.o === 'desc') &&
    typeof p.v === 'string' &&
    typeof p.i === 'string' &&
    p.i.length > 0
  );
}
