/**
 * The check at open against the order-line ledger: a claim on a line whose price already went
 * back in full, or on more units than are left of it, is refused before a case starts. A courtesy
 * to the customer (an early, clear answer); the money itself is guarded by the workflow's
 * reservations on the ledger, which also hold when two cases race past this check.
 */
import type { CaseItem, CaseType, OpenCaseRequest } from './case.types';
import { lineKeyOf } from './keys';
import { ledgerIdOf, lineTotals, type OrderLine } from './order-ledger';

/** The reason codes of a refusal by the ledger (422). */
export const LedgerRefusalCodes = {
  nothingRefundable: 'nothing_refundable',
  quantityExceedsRemaining: 'quantity_exceeds_remaining',
  /** The line is held (its facts disagree with the order, or two accounts of the same goods): a person must look at it. */
  lineHeld: 'line_held',
} as const;
/** One of the ledger's refusal codes. */
export type LedgerRefusalCode = (typeof LedgerRefusalCodes)[keyof typeof LedgerRefusalCodes];

/** Case types the check does not apply to: a complaint claims no goods and may be opened whatever went back. */
const UNCHECKED_TYPES: readonly CaseType[] = ['complaint'];

/** One refused line: the field of the request, the message, and what the line already paid back. */
export interface LedgerRefusalDetail {
  /** `items[<i>].sku` or `items[<i>].quantity` of the first item claiming the line. */
  field: string;
  message: string;
  sku: string;
  /** The order's line, when the claim names it. */
  lineId?: string;
  /** Paid back or being paid back on the line: money (minor units), units and the cases that took it. */
  paidBack: { amount: number; units: number; caseIds: string[] };
  /** What is left of the line. */
  remaining: { amount: number; units: number };
  /** Units the request claims of the line (all its items with that sku). */
  claimedUnits: number;
}

/** The answer of the check: allowed, or refused with a code, a message and one detail per refused line. */
export type LedgerClaimVerdict =
  | { allowed: true }
  | { allowed: false; code: LedgerRefusalCode; message: string; details: LedgerRefusalDetail[] };

/**
 * Checks the items of a new case against the ledger lines of its order, matched by the line's
 * ledger id (`lineKeyOf`: by sku, or by the order's line when the sku is on several). A held line
 * refuses with `line_held`; a line with something paid for it and nothing left to pay back with
 * `nothing_refundable`; a claim of more units than remain with `quantity_exceeds_remaining`. When
 * several occur, held lines decide the code, then lines with nothing left. A line the ledger does
 * not know is not limited.
 */
export function checkClaimAgainstLedger(request: Pick<OpenCaseRequest, 'type' | 'items'>, lines: readonly OrderLine[]): LedgerClaimVerdict {
  if (UNCHECKED_TYPES.includes(request.type)) return { allowed: true };
  const held: LedgerRefusalDetail[] = [];
  const nothingLeft: LedgerRefusalDetail[] = [];
  const tooMany: LedgerRefusalDetail[] = [];
  const seen = new Set<OrderLine>();
  request.items.forEach((item, index) => {
    const line = lines.find((l) => ledgerIdOf(l) === lineKeyOf(l.orderId, item));
    if (!line || seen.has(line)) return;
    seen.add(line);
    const totals = lineTotals(line);
    const sameLine = (i: CaseItem) => lineKeyOf(line.orderId, i) === ledgerIdOf(line);
    const claimedUnits = request.items.filter(sameLine).reduce((sum, i) => sum + i.quantity, 0);
    const paidBack = { amount: totals.refunded + totals.reserved, units: totals.unitsReturned, caseIds: totals.paidBackBy };
    const remaining = { amount: totals.refundable, units: totals.unitsRemaining };
    const detail = { sku: item.sku, ...(item.lineId !== undefined ? { lineId: item.lineId } : {}), paidBack, remaining, claimedUnits };
    const money = (amount: number) => formatMoney(amount, line.currency);
    const already = `${money(paidBack.amount)} and ${units(paidBack.units)} already paid back or being paid back${byCases(paidBack.caseIds)}`;
    if (line.held) {
      held.push({
        field: `items[${index}].sku`,
        message: `${item.sku}: the line is held since ${line.held.at} (${line.held.reason}); a person must look at it before anything is paid back on it`,
        ...detail,
      });
    } else if (line.amountPaid > 0 && totals.refundable === 0) {
      nothingLeft.push({ field: `items[${index}].sku`, message: `${item.sku}: nothing left to pay back of ${money(line.amountPaid)} paid; ${already}`, ...detail });
    } else if (claimedUnits > totals.unitsRemaining) {
      tooMany.push({
        field: `items[${index}].quantity`,
        message: `${item.sku}: ${units(claimedUnits)} claimed, ${units(totals.unitsRemaining)} of ${line.unitsBought} left; ${already}`,
        ...detail,
      });
    }
  });
  if (held.length > 0) {
    return {
      allowed: false,
      code: LedgerRefusalCodes.lineHeld,
      message: `the order line of ${skus(held)} is held: a person must look at it before a case can pay anything back on it`,
      details: [...held, ...nothingLeft, ...tooMany],
    };
  }
  if (nothingLeft.length > 0) {
    return { allowed: false, code: LedgerRefusalCodes.nothingRefundable, message: `nothing is left to pay back on ${skus(nothingLeft)} of this order`, details: [...nothingLeft, ...tooMany] };
  }
  if (tooMany.length > 0) {
    return { allowed: false, code: LedgerRefusalCodes.quantityExceedsRemaining, message: `more units claimed than remain on ${skus(tooMany)} of this order`, details: tooMany };
  }
  return { allowed: true };
}

/** Minor units as a decimal amount with its currency (`199.00 CNY`). */
function formatMoney(minor: number, currency: string): string {
  return `${(minor / 100).toFixed(2)} ${currency}`;
}

function units(n: number): string {
  return n === 1 ? '1 unit' : `${n} units`;
}

function byCases(caseIds: readonly string[]): string {
  return caseIds.length === 0 ? '' : ` by case${caseIds.length === 1 ? '' : 's'} ${caseIds.join(', ')}`;
}

function skus(details: readonly LedgerRefusalDetail[]): string {
  return details.map((d) => d.sku).join(', ');
}
