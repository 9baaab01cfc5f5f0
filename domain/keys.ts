/**
 * Every idempotency key, ledger key and event id the project builds from its own ids, one named
 * builder each. These strings outlive the code that builds them: running cases and recorded
 * histories carry them, providers deduplicate requests by them, MongoDB documents are keyed by
 * them. So each builder is pinned to its format by test/unit/ids-and-keys.test.ts, literally, and
 * a change of format is a deliberate change of that test (and, for running cases, a patch).
 *
 * Keys built from a hash (the case id of an Idempotency-Key, a command's Update id) need
 * node:crypto and live with their callers in api/ (api/case-id.ts, api/command-idempotency.ts).
 */

// ---------------------------------------------------------------------------------------------
// Provider idempotency keys: `<caseId>:<what>…`, sent as the provider's idempotency key

/** A refund attempt's idempotency key, also its refund id at Alipay (`out_request_no`) and, '-' for ':', WeChat Pay's `out_refund_no`. */
export function refundKey(caseId: string, attempt: number): string {
  return `${caseId}:refund:${attempt}`;
}

/** The case id a refund key (a refund id of ours) starts with: what a settlement notice finds the case by. */
export function caseIdOfRefundKey(refundKey: string): string {
  return refundKey.split(':')[0];
}

/** A payment collection's key: the first of a purpose has no round, a later one (another dearer alternative) its round. */
export function collectionKey(caseId: string, purpose: string, round: number): string {
  return round === 1 ? `${caseId}:collection:${purpose}` : `${caseId}:collection:${purpose}:${round}`;
}

/** A complaint's goodwill coupon: the provider's key and, since order-ledger, its movement key on the ledger. */
export function couponKey(caseId: string): string {
  return `${caseId}:coupon`;
}

/** The case's one return label. */
export function returnLabelKey(caseId: string): string {
  return `${caseId}:return-label`;
}

/** An outbound parcel: the n-th of its purpose (a second replacement after a failed one ships again). */
export function shipmentKey(caseId: string, purpose: string, sequence: number): string {
  return `${caseId}:ship:${purpose}:${sequence}`;
}

/** The courier investigation a courier-exception case opens. */
export function investigationKey(caseId: string): string {
  return `${caseId}:investigation`;
}

// ---------------------------------------------------------------------------------------------
// Notification keys: `<caseId>:<occasion>`, and `:<address>` for each staff recipient

/** A message to the customer on an occasion of the case (e.g. `return-label`, `refund-failed-2`). */
export function customerNotificationKey(caseId: string, occasion: string): string {
  return `${caseId}:${occasion}`;
}

/** A message to one staff address on an occasion of the case. */
export function staffNotificationKey(caseId: string, occasion: string, address: string): string {
  return `${caseId}:${occasion}:${address}`;
}

/** The customer's message when the case closes in a status. */
export function closingNotificationKey(caseId: string, status: string): string {
  return customerNotificationKey(caseId, `closed:${status}`);
}

/** The occasion of an SLA clock's warning: one per clock start. */
export function slaWarningOccasion(clock: string, startedAt: string): string {
  return `warn:${clock}:${startedAt}`;
}

/** The occasion of a level of an SLA clock's escalation ladder: one per level and clock start. */
export function slaEscalationOccasion(clock: string, level: number, startedAt: string): string {
  return `esc:${clock}:${level}:${startedAt}`;
}

// ---------------------------------------------------------------------------------------------
// Read-model documents

/** The id of an escalation step's report document: a repeat of the same step changes nothing. */
export function escalationRecordId(caseId: string, clock: string, level: number, reason: string): string {
  return `${caseId}:${clock}:${level}:${reason}`;
}

/**
 * The one-open-case-per-order-line lock of a case type on a line. Written out, not through
 * `lineKey`: the lock keeps its format when the ledger's changes.
 */
export function openCaseLockKey(orderId: string, sku: string, caseType: string): string {
  return `${encodeURIComponent(orderId)}:${encodeURIComponent(sku)}:${caseType}`;
}

/**
 * The one-open-case lock of a case type on the order line of `item`: `openCaseLockKey` when the
 * sku is on one line of the order (so a case opened before the order source, keyed by sku, holds
 * the same lock), the sku and the line (`sku@line`) when the order has several lines of that sku.
 */
export function openCaseLockKeyOf(orderId: string, item: LineOfItem, caseType: string): string {
  return `${lineKeyOf(orderId, item)}:${caseType}`;
}

// ---------------------------------------------------------------------------------------------
// The order-line ledger (domain/order-ledger.ts, store/order-ledger.store.ts)

/** The ledger id of an order line: order id and sku, each URI-encoded so ':' stays a separator. */
export function lineKey(orderId: string, sku: string): string {
  return `${encodeURIComponent(orderId)}:${encodeURIComponent(sku)}`;
}

/** What names an order line in the ledger: a case item's sku and, since the order source, its line. */
export interface LineOfItem {
  sku: string;
  lineId?: string;
  sharesSku?: true;
}

/**
 * The ledger id of the order line of `item`. A sku on one line of its order keeps the id by sku
 * (`lineKey`), the id the ledger gave it before the order source: old cases and new ones on that
 * line share one account, with nothing to copy. A sku on several lines of the order gets one id per
 * line, `<order>:<sku>@<line>` ('@' cannot occur in an encoded part); the store holds such a line
 * for a person while the sku's old account has money on it (docs/order-source.md).
 */
export function lineKeyOf(orderId: string, item: LineOfItem): string {
  const bySku = lineKey(orderId, item.sku);
  return item.sharesSku && item.lineId !== undefined ? `${bySku}@${encodeURIComponent(item.lineId)}` : bySku;
}

/** The version document id of a line's n-th change. `lineKey` URI-encodes its parts, so '#' cannot occur in it. */
export function ledgerVersionId(lineKey: string, version: number): string {
  return `${lineKey}#${version}`;
}

/** A movement of money a case asks the ledger for (a refund, compensation…): fixed by the case, so a retry is the same reservation. */
export function ledgerMovementKey(caseId: string, kind: string): string {
  return `${caseId}:${kind}`;
}

/**
 * The ledger key of one line's share of a movement: `<movement>:<ref>`, the ref of `ledgerLineRef`
 * (the sku for items without a line, so old cases keep their keys byte for byte).
 */
export function ledgerEntryKey(movementKey: string, ref: string): string {
  return `${movementKey}:${ref}`;
}

/**
 * What a case remembers of a line its reservation took (CaseRecord.reservations' `skus`), to
 * settle it later and key its entry: the sku for an item without a line (cases before the order
 * source: the same string as before); `<sku>~<line>` for a line whose sku is on no other line of
 * the order, `<sku>@<line>` when it is (the line URI-encoded). Neither '~' nor '@' can occur in a
 * sku (the API's identifier), so `lineOfLedgerRef` reads it back.
 */
export function ledgerLineRef(item: LineOfItem): string {
  if (item.lineId === undefined) return item.sku;
  return `${item.sku}${item.sharesSku ? '@' : '~'}${encodeURIComponent(item.lineId)}`;
}

/** The line a `ledgerLineRef` names (a plain sku: the line by sku, as before the order source). */
export function lineOfLedgerRef(ref: string): LineOfItem {
  const at = ref.search(/[~@]/);
  if (at < 0) return { sku: ref };
  const line = { sku: ref.slice(0, at), lineId: decodeURIComponent(ref.slice(at + 1)) };
  return ref[at] === '@' ? { ...line, sharesSku: true } : line;
}

/** A movement key less its case id (`refund`, `collection:return_shipping`…), as activity summaries name it. */
export function movementLabel(movementKey: string): string {
  return movementKey.split(':').slice(1).join(':');
}

// ---------------------------------------------------------------------------------------------
// Payment event ids: what a case deduplicates settlements by

/** A settlement found by asking the provider about the refund (activities/refund-query.activities.ts). */
export function refundQueryEventId(refundId: string): string {
  return `${refundId}:query`;
}

/** A settlement the provider's answer to the refund request itself carried. */
export function refundAnswerEventId(refundId: string): string {
  return `${refundId}:answer`;
}

/** A settlement from an Alipay notification. */
export function alipayNotifyEventId(notifyId: string): string {
  return `alipay:${notifyId}`;
}
