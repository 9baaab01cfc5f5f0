/**
 * The order-line ledger: per order line (its id `lineKeyOf`: order id + sku, and the order's line
 * when the sku is on several lines), what the customer paid and what has gone back or come in
 * since, across every case of that line. It is the one place that answers
 * "what may still be paid back" (docs/business-rules.md#what-may-be-paid-back).
 *
 * Pure data and arithmetic: the MongoDB store (store/order-ledger.store.ts), the API's check at
 * open and the workflow tests' in-memory ledger all fold the same entries with these functions.
 */
import type { CaseItem } from './case.types';
import { lineKey, lineKeyOf } from './keys';

/**
 * What an entry moves:
 * - `refund` and `compensation`: money back to the customer, counted against the price paid;
 * - `coupon`: goodwill, recorded but not counted against the price (capped by policy instead);
 * - `collection`: money the customer pays us (repair quote, shipping);
 * - `collection_refund`: money collected that goes back (the quote of a repair that failed).
 */
export const LedgerEntryKinds = ['refund', 'compensation', 'coupon', 'collection', 'collection_refund'] as const;
/** One of the ledger entry kinds. */
export type LedgerEntryKind = (typeof LedgerEntryKinds)[number];

/** An entry is reserved while the money is in flight, then committed (the provider confirmed) or released. */
export type LedgerEntryState = 'reserved' | 'committed' | 'released';

/** One movement of money (and of units, for refunds of goods) on an order line. */
export interface LedgerEntry {
  /** Idempotency key of the movement, fixed in the workflow before the first attempt. */
  key: string;
  caseId: string;
  kind: LedgerEntryKind;
  /** Minor units. */
  amount: number;
  /** Units of the line this movement pays back (0 for compensation, coupons and collections). */
  units: number;
  state: LedgerEntryState;
  at: string;
  updatedAt: string;
}

/** The facts of an order line that the ledger counts from. */
export interface OrderLineFacts {
  orderId: string;
  sku: string;
  currency: string;
  unitsBought: number;
  /** What the customer paid for the line, in minor units (实付 when read from the order source). */
  amountPaid: number;
  /** The order's line (facts read from the order source); absent on lines of cases before it. */
  lineId?: string;
  /** True when the sku is on several lines of the order: the line's id then names the line (`lineKeyOf`). */
  sharesSku?: true;
  /** `order_source` when the facts were read from the shop's order system; absent: claimed by a case (before the order source). */
  factsFrom?: 'order_source';
}

/** Why and since when a line is held: nothing is paid back on it until a person releases it. */
export interface LineHold {
  at: string;
  reason: string;
}

/** One order line with every movement on it. */
export interface OrderLine extends OrderLineFacts {
  entries: LedgerEntry[];
  /** Present while the line is held (docs/order-source.md, "The ledger by order line"). */
  held?: LineHold;
}

/** The ledger id of a line (domain/keys.ts `lineKeyOf`): what the store keys it by. */
export function ledgerIdOf(line: Pick<OrderLineFacts, 'orderId' | 'sku' | 'lineId' | 'sharesSku'>): string {
  return lineKeyOf(line.orderId, line);
}

/** True for a line keyed by the order's line (`<order>:<sku>@<line>`), not by its sku alone. */
export function isSplitLine(line: Pick<OrderLineFacts, 'orderId' | 'sku' | 'lineId' | 'sharesSku'>): boolean {
  return ledgerIdOf(line) !== lineKey(line.orderId, line.sku);
}

/** The totals of a line, derived from its entries. */
export interface LineTotals {
  /** Refunds and money compensation the provider confirmed. */
  refunded: number;
  /** Refunds and money compensation in flight. */
  reserved: number;
  /** Of `refunded`, money compensation (complaints). */
  compensated: number;
  /** Goodwill coupons issued. */
  coupons: number;
  /** Money collected from the customer. */
  collected: number;
  /** Collected money paid back (reserved or confirmed). */
  collectionRefunded: number;
  /** Units paid back or being paid back. */
  unitsReturned: number;
  /** What may still be paid back against the price: amountPaid − refunded − reserved. */
  refundable: number;
  /** Units that may still come back. */
  unitsRemaining: number;
  /** Collected money that may still be paid back. */
  collectionRefundable: number;
  /** Case ids that took money back from the line (reserved or committed refunds and compensation). */
  paidBackBy: string[];
}

/** Counts against the price the customer paid. */
const PRICE_KINDS: readonly LedgerEntryKind[] = ['refund', 'compensation'];
/** Pays money back to the customer: what a held line grants nothing of. */
const MONEY_BACK_KINDS: readonly LedgerEntryKind[] = ['refund', 'compensation', 'collection_refund'];

/** True when the line has refunds or money compensation not released (reserved or committed). */
export function hasLivePriceEntries(line: Pick<OrderLine, 'entries'>): boolean {
  return line.entries.some((e) => e.state !== 'released' && PRICE_KINDS.includes(e.kind));
}

/** What the last unit of a line takes on top of the others: the 实付 less units × its even share, rounded down. 0 for lines of claimed facts. */
export function lastUnitRemainder(line: Pick<OrderLineFacts, 'amountPaid' | 'unitsBought'>): number {
  if (line.unitsBought < 1) return 0;
  return line.amountPaid - line.unitsBought * Math.floor(line.amountPaid / line.unitsBought);
}

/** Folds a line's entries into its totals. */
export function lineTotals(line: OrderLine): LineTotals {
  const live = line.entries.filter((e) => e.state !== 'released');
  const sum = (entries: LedgerEntry[]) => entries.reduce((total, e) => total + e.amount, 0);
  const price = live.filter((e) => PRICE_KINDS.includes(e.kind));
  const refunded = sum(price.filter((e) => e.state === 'committed'));
  const reserved = sum(price.filter((e) => e.state === 'reserved'));
  const collected = sum(live.filter((e) => e.kind === 'collection' && e.state === 'committed'));
  const collectionRefunded = sum(live.filter((e) => e.kind === 'collection_refund'));
  const unitsReturned = price.reduce((total, e) => total + e.units, 0);
  return {
    refunded,
    reserved,
    compensated: sum(price.filter((e) => e.kind === 'compensation' && e.state === 'committed')),
    coupons: sum(live.filter((e) => e.kind === 'coupon')),
    collected,
    collectionRefunded,
    unitsReturned,
    refundable: Math.max(0, line.amountPaid - refunded - reserved),
    unitsRemaining: Math.max(0, line.unitsBought - unitsReturned),
    collectionRefundable: Math.max(0, collected - collectionRefunded),
    paidBackBy: [...new Set(price.map((e) => e.caseId))],
  };
}

/** A movement asked of the ledger. */
export interface ReservationRequest {
  key: string;
  caseId: string;
  kind: LedgerEntryKind;
  amount: number;
  units: number;
  at: string;
  /** True when the movement pays nothing whatever is granted (a refund of 0 after its deduction, recording goods back): no remainder for the last unit then. */
  nothingPaid?: true;
}

/** What a reservation granted: at most what the line still allows (0 when nothing is left). */
export interface Reservation {
  line: OrderLine;
  granted: number;
  /** True when the key had been reserved before: the earlier grant is answered again. */
  repeated: boolean;
}

/**
 * Reserves a movement on the line, capped by what the line allows: refunds and compensation by
 * what is left of the price (and units by the units left), collection refunds by what was
 * collected and not yet paid back; coupons and collections are recorded as asked. Idempotent by
 * key: a key seen before answers its first grant and changes nothing. A grant of 0 adds no entry,
 * unless it records units coming back (a refund of 0 after a deduction still takes the goods).
 *
 * The last unit back on a line takes the remainder: a refund that brings the units returned to
 * the units bought is granted the line's `lastUnitRemainder` on top of what it asks (still capped
 * by what is left), so that every unit back, in any number of cases and in any order, pays back
 * exactly the 实付 when each claim asks units × the rounded-down unit price (a line's share may be
 * 0 when its unit price rounds down to 0). Not for a movement that pays nothing. A held line grants
 * nothing that pays money back, and records nothing of it.
 */
export function reserve(line: OrderLine, request: ReservationRequest): Reservation {
  const earlier = line.entries.find((e) => e.key === request.key);
  if (earlier) return { line, granted: earlier.state === 'released' ? 0 : earlier.amount, repeated: true };
  if (line.held && MONEY_BACK_KINDS.includes(request.kind)) return { line, granted: 0, repeated: false };
  const totals = lineTotals(line);
  let granted = request.amount;
  let units = request.units;
  if (PRICE_KINDS.includes(request.kind)) {
    units = Math.min(units, totals.unitsRemaining);
    const lastUnits = units > 0 && totals.unitsReturned + units === line.unitsBought;
    if (lastUnits && !request.nothingPaid) granted += lastUnitRemainder(line);
    granted = Math.min(granted, totals.refundable);
    // Money for goods coming back needs goods left to come back.
    if (request.units > 0 && totals.unitsRemaining === 0) granted = 0;
  } else if (request.kind === 'collection_refund') {
    granted = Math.min(granted, totals.collectionRefundable);
  }
  granted = Math.max(0, granted);
  units = Math.max(0, units);
  // Units that come back for nothing (a claim no larger than its deduction) are still recorded: they cannot come back twice.
  if (granted === 0 && units === 0) return { line, granted: 0, repeated: false };
  const entry: LedgerEntry = {
    key: request.key,
    caseId: request.caseId,
    kind: request.kind,
    amount: granted,
    units,
    state: 'reserved',
    at: request.at,
    updatedAt: request.at,
  };
  return { line: { ...line, entries: [...line.entries, entry] }, granted, repeated: false };
}

/** Moves a reserved entry to committed or released; an unknown key or a settled entry changes nothing (idempotent). */
export function settle(line: OrderLine, key: string, state: 'committed' | 'released', at: string): { line: OrderLine; changed: boolean } {
  const entry = line.entries.find((e) => e.key === key);
  if (!entry || entry.state !== 'reserved') return { line, changed: false };
  return { line: { ...line, entries: line.entries.map((e) => (e === entry ? { ...e, state, updatedAt: at } : e)) }, changed: true };
}

/** A new, empty line. */
export function newLine(facts: OrderLineFacts): OrderLine {
  return { ...facts, entries: [] };
}

/**
 * The facts of a case item's order line. An item read from the order source (with its line and
 * the line's 实付) gives the order's facts: units bought and 实付, its line, marked `order_source`.
 * An item of a case before the order source gives what it claimed, as before: units bought
 * (default the units claimed) × its unit price.
 */
export function lineFactsOf(orderId: string, currency: string, item: CaseItem): OrderLineFacts {
  if (item.lineId !== undefined && item.linePaid !== undefined && item.orderedQuantity !== undefined) {
    return {
      orderId,
      sku: item.sku,
      currency,
      unitsBought: item.orderedQuantity,
      amountPaid: item.linePaid,
      lineId: item.lineId,
      ...(item.sharesSku ? { sharesSku: true as const } : {}),
      factsFrom: 'order_source',
    };
  }
  const unitsBought = item.orderedQuantity ?? item.quantity;
  return { orderId, sku: item.sku, currency, unitsBought, amountPaid: unitsBought * item.unitPrice };
}

/** Holds the line (nothing is paid back on it until released); a line already held keeps its first hold. */
export function holdLine(line: OrderLine, hold: LineHold): { line: OrderLine; changed: boolean } {
  if (line.held) return { line, changed: false };
  return { line: { ...line, held: hold }, changed: true };
}

/** Releases a held line: money may move on it again. */
export function releaseLine(line: OrderLine): { line: OrderLine; changed: boolean } {
  if (!line.held) return { line, changed: false };
  const { held: _held, ...rest } = line;
  return { line: rest, changed: true };
}

/**
 * Takes the facts a reservation brings to a line that exists. Claimed facts (a case before the
 * order source) change nothing: the line keeps its first facts. Facts from the order source on a
 * line of claimed facts mark it `order_source` when they agree (units bought and 实付) and hold it
 * when they differ: money went back on a word the order does not bear out, and a person decides.
 * On a line already from the order source they replace its facts (the order system is the truth).
 */
export function takeFacts(line: OrderLine, facts: OrderLineFacts, at: string): { line: OrderLine; changed: boolean } {
  if (facts.factsFrom !== 'order_source') return { line, changed: false };
  const fromOrder = { unitsBought: facts.unitsBought, amountPaid: facts.amountPaid, lineId: facts.lineId, factsFrom: 'order_source' as const };
  if (line.factsFrom === 'order_source') {
    const same = line.unitsBought === facts.unitsBought && line.amountPaid === facts.amountPaid && line.lineId === facts.lineId;
    return same ? { line, changed: false } : { line: { ...line, ...fromOrder }, changed: true };
  }
  if (line.unitsBought === facts.unitsBought && line.amountPaid === facts.amountPaid) return { line: { ...line, ...fromOrder }, changed: true };
  const reason =
    `the order says ${facts.unitsBought} units for ${facts.amountPaid} (line ${facts.lineId ?? '?'}); ` +
    `the line was opened on claimed facts: ${line.unitsBought} units for ${line.amountPaid}`;
  return holdLine(line, { at, reason });
}

/** One line's share of an amount. */
export interface LineShare {
  sku: string;
  amount: number;
  units: number;
}

/**
 * Splits an amount over the case's items in proportion to what each claims (quantity × unit
 * price: the claimed value; for an item read from the order source the unit price is its line's
 * 实付 over its units, rounded down), in whole minor units, the remainder going to the first lines.
 * `withUnits` gives each line the units the case claims of it (a refund of goods); otherwise none
 * (compensation). The shares are in the order of the items, one per item (two items of one sku
 * on two lines of the order are two shares).
 */
export function splitOverLines(items: readonly CaseItem[], amount: number, withUnits: boolean): LineShare[] {
  if (items.length === 0 || amount <= 0) return items.map((item) => ({ sku: item.sku, amount: 0, units: withUnits ? item.quantity : 0 }));
  const weights = items.map((item) => item.quantity * item.unitPrice);
  const total = weights.reduce((a, b) => a + b, 0);
  const shares = total === 0 ? items.map((_, i) => (i === 0 ? amount : 0)) : weights.map((w) => Math.floor((amount * w) / total));
  let rest = amount - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % shares.length, rest--) shares[i]++;
  return items.map((item, i) => ({ sku: item.sku, amount: shares[i], units: withUnits ? item.quantity : 0 }));
}
