import fc from 'fast-check';
import { createActivities, type ActivityDeps } from '../../../activities';
import type { OrderLedgerPort } from '../../../activities/provider-ports';
import type { CaseItem } from '../../../domain/case.types';
import { lineKey, lineKeyOf } from '../../../domain/keys';
import { newLine, reserve, settle, takeFacts, type LedgerEntryKind, type OrderLine } from '../../../domain/order-ledger';
import { amountsPaidAfterDiscount } from '../../../domain/order-source';

// Random orders and claims on them, for the ledger's properties at the domain level
// (test/unit/order-ledger.test.ts) and against FerretDB (test/integration/order-ledger.store.test.ts).
// Claims go through the activities' reserveOnLedger/settleOnLedger, as a case's do.

/** A line of a generated order: what the order source would say of it. */
export interface GeneratedLine {
  lineId: string;
  sku: string;
  unitsBought: number;
  /** 实付: list amount less the line's share of the order's discount. */
  amountPaid: number;
}

/** A generated order: lines (some of one sku) whose 实付 carry the order's discount. */
export interface GeneratedOrder {
  orderId: string;
  lines: GeneratedLine[];
}

/** Orders of 1–4 lines over 2 skus (so a sku is often on several lines), 1–5 units each, a discount of up to half the lines' list amounts. */
export const orderShape = fc
  .record({
    lines: fc.array(fc.record({ sku: fc.constantFrom('SKU-A', 'SKU-B'), unitsBought: fc.integer({ min: 1, max: 5 }), unitListPrice: fc.integer({ min: 1, max: 30_000 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    discountPerMille: fc.integer({ min: 0, max: 500 }),
  })
  .map(({ lines, discountPerMille }) => {
    const listTotal = lines.reduce((sum, l) => sum + l.unitsBought * l.unitListPrice, 0);
    const paid = amountsPaidAfterDiscount(lines, Math.floor((listTotal * discountPerMille) / 1000));
    return lines.map((l, i): GeneratedLine => ({ lineId: `L${i + 1}`, sku: l.sku, unitsBought: l.unitsBought, amountPaid: paid[i] }));
  });

/**
 * Orders whose every unit is worth at least a fen (实付 ≥ units bought). A case claiming only units
 * worth 0 after rounding down asks 0, which the workflow records as a refund of 0 and never pays:
 * the remainder of such a line (under one fen per unit) is then not paid back (docs/order-source.md).
 */
export const unitsWorthAFen = orderShape.filter((lines) => lines.every((l) => l.amountPaid >= l.unitsBought));

/** The case item claiming `quantity` units of a line, as the API builds it from the order source. */
export function itemOf(order: GeneratedOrder, line: GeneratedLine, quantity: number): CaseItem {
  const sharesSku = order.lines.filter((l) => l.sku === line.sku).length > 1;
  return {
    sku: line.sku,
    quantity,
    unitPrice: Math.floor(line.amountPaid / line.unitsBought),
    orderedQuantity: line.unitsBought,
    lineId: line.lineId,
    linePaid: line.amountPaid,
    ...(sharesSku ? { sharesSku: true as const } : {}),
  };
}

/** One case's claim: units of some lines of the order, less a deduction, and what becomes of its reservation. */
export interface GeneratedClaim {
  caseNo: number;
  items: CaseItem[];
  deduction: number;
  kind: Extract<LedgerEntryKind, 'refund' | 'compensation'>;
  fate: 'committed' | 'released' | 'reserved';
}

/** Claims of random quantities on random lines, some with deductions, some compensation; committed, released or left in flight. */
export function partialClaims(order: GeneratedOrder): fc.Arbitrary<GeneratedClaim[]> {
  const claim = fc.record({
    lines: fc.subarray(order.lines, { minLength: 1 }),
    quantities: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
    deduction: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 })),
    kind: fc.constantFrom('refund' as const, 'refund' as const, 'compensation' as const),
    fate: fc.constantFrom('committed' as const, 'released' as const, 'reserved' as const),
  });
  return fc.array(claim, { minLength: 1, maxLength: 8 }).map((claims) =>
    claims.map((c, caseNo) => ({
      caseNo,
      items: c.lines.map((line, i) => itemOf(order, line, Math.min(c.quantities[i], line.unitsBought))),
      deduction: c.deduction,
      kind: c.kind,
      fate: c.fate,
    })),
  );
}

/**
 * Every unit of every line claimed back, without deductions: each line's units cut into 1–3 parts,
 * each part given to one of 4 cases (a case claims a line once), the cases in a random order; a
 * case whose refund fails (released) is claimed again by a later case.
 */
export function everyUnitBack(order: GeneratedOrder): fc.Arbitrary<GeneratedClaim[]> {
  const perLine = order.lines.map((line) =>
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: line.unitsBought, maxLength: line.unitsBought }).map((caseOfUnit) => ({ line, caseOfUnit })),
  );
  return fc
    .tuple(fc.tuple(...perLine), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }))
    .map(([lines, fails, orderOfCases]) => {
      const claims: GeneratedClaim[] = [];
      for (const caseNo of orderOfCases) {
        const items = lines
          .map(({ line, caseOfUnit }) => ({ line, units: caseOfUnit.filter((c) => c === caseNo).length }))
          .filter(({ units }) => units > 0)
          .map(({ line, units }) => itemOf(order, line, units));
        if (items.length === 0) continue;
        if (fails[caseNo]) claims.push({ caseNo: 10 + caseNo, items, deduction: 0, kind: 'refund', fate: 'released' });
        claims.push({ caseNo, items, deduction: 0, kind: 'refund', fate: 'committed' });
      }
      return claims;
    });
}

/** An in-memory ledger over the domain functions, keyed like the store (no holds across ids: the store's). */
export function memoryLedger(): OrderLedgerPort & { lines: Map<string, OrderLine> } {
  const lines = new Map<string, OrderLine>();
  return {
    lines,
    reserve: async (facts, request) => {
      const id = lineKeyOf(facts.orderId, facts);
      const found = lines.get(id);
      const base = found ? takeFacts(found, facts, request.at).line : newLine(facts);
      const result = reserve(base, request);
      if (result.line !== found) lines.set(id, result.line);
      return { granted: result.granted };
    },
    settle: async (orderId, line, key, state) => {
      const id = typeof line === 'string' ? lineKey(orderId, line) : lineKeyOf(orderId, line);
      const found = lines.get(id);
      if (found) lines.set(id, settle(found, key, state, '2026-12-08T00:00:00.000Z').line);
    },
    orderLines: async (orderId) => [...lines.values()].filter((l) => l.orderId === orderId),
  };
}

/** The ledger activities over a ledger port (the other ports are not called by them). */
export function ledgerActivities(ledger: OrderLedgerPort) {
  const unused = {} as never;
  const deps: ActivityDeps = { courier: unused, payment: unused, inventory: unused, notification: unused, readModel: unused, ledger };
  return createActivities(deps);
}

/** Runs one case's claim as its workflow would: reserve (value of the claim less its deduction), then settle as its fate says. */
export async function runClaim(activities: ReturnType<typeof ledgerActivities>, orderId: string, claim: GeneratedClaim): Promise<number> {
  const value = claim.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0);
  const amount = Math.max(0, value - claim.deduction);
  const caseId = `cs_${orderId}_${claim.caseNo}`;
  const key = `${caseId}:${claim.kind}`;
  const { granted, lines } = await activities.reserveOnLedger({
    caseId,
    orderId,
    currency: 'CNY',
    items: claim.items,
    amount,
    kind: claim.kind,
    key,
    withUnits: claim.kind === 'refund',
  });
  if (claim.fate !== 'reserved' && lines.length > 0) await activities.settleOnLedger({ orderId, key, skus: lines.map((l) => l.sku), state: claim.fate });
  return claim.fate === 'released' ? 0 : granted;
}
