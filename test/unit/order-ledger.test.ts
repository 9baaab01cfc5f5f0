import fc from 'fast-check';
import type { CaseItem } from '../../domain/case.types';
import { lineKey } from '../../domain/keys';
import {
  hasLivePriceEntries,
  holdLine,
  lastUnitRemainder,
  ledgerIdOf,
  lineFactsOf,
  lineTotals,
  newLine,
  releaseLine,
  reserve,
  settle,
  splitOverLines,
  takeFacts,
  type LedgerEntryKind,
  type OrderLine,
} from '../../domain/order-ledger';
import { everyUnitBack, ledgerActivities, memoryLedger, orderShape, partialClaims, runClaim, unitsWorthAFen } from './support/ledger-claims';

const AT = '2026-11-29T00:00:00.000Z';
const line = (): OrderLine => newLine({ orderId: 'O-1', sku: 'SKU-1', currency: 'CNY', unitsBought: 2, amountPaid: 20_000 });
const ask = (key: string, kind: LedgerEntryKind, amount: number, units = 0) => ({ key, caseId: key.split(':')[0], kind, amount, units, at: AT });

describe('order-line ledger: what may still be paid back', () => {
  test('a refund is capped by what the line has left, and nothing is granted once the price went back', () => {
    const first = reserve(line(), ask('c1:refund', 'refund', 15_000, 1));
    expect(first.granted).toBe(15_000);
    const second = reserve(first.line, ask('c2:refund', 'refund', 15_000, 1));
    expect(second.granted).toBe(5_000);
    const third = reserve(second.line, ask('c3:compensation', 'compensation', 100));
    expect(third.granted).toBe(0);
    expect(third.line.entries).toHaveLength(2);
    expect(lineTotals(third.line)).toMatchObject({ reserved: 20_000, refundable: 0, unitsRemaining: 0, paidBackBy: ['c1', 'c2'] });
  });

  test('a repeated key answers its first grant and records nothing new', () => {
    const first = reserve(line(), ask('c1:refund', 'refund', 12_000, 1));
    const again = reserve(first.line, ask('c1:refund', 'refund', 12_000, 1));
    expect(again).toMatchObject({ granted: 12_000, repeated: true });
    expect(again.line).toBe(first.line);
  });

  test('a refund of 0 for goods that came back still records their units, so they cannot come back twice', () => {
    const zero = reserve(line(), ask('c1:refund', 'refund', 0, 2));
    expect(zero.granted).toBe(0);
    expect(lineTotals(zero.line)).toMatchObject({ unitsReturned: 2, unitsRemaining: 0, refundable: 20_000 });
    const later = reserve(zero.line, ask('c2:refund', 'refund', 10_000, 1));
    expect(later.granted).toBe(0);
  });

  test('a released reservation gives the money back to the line; a committed one counts as refunded', () => {
    const reserved = reserve(line(), ask('c1:refund', 'refund', 20_000, 2)).line;
    const released = settle(reserved, 'c1:refund:SKU-1', 'released', AT);
    expect(released.changed).toBe(false);
    const releasedForReal = settle(reserved, 'c1:refund', 'released', AT);
    expect(lineTotals(releasedForReal.line)).toMatchObject({ refundable: 20_000, unitsRemaining: 2 });
    const committed = settle(reserved, 'c1:refund', 'committed', AT).line;
    expect(lineTotals(committed)).toMatchObject({ refunded: 20_000, reserved: 0, refundable: 0 });
    expect(settle(committed, 'c1:refund', 'released', AT).changed).toBe(false);
  });

  test('coupons are goodwill and collections money in: neither takes from what the price may pay back; a collection refund is capped by what was collected', () => {
    let l = reserve(line(), ask('c1:coupon', 'coupon', 5_000)).line;
    l = reserve(l, ask('c1:collection:repair_quote', 'collection', 9_900)).line;
    expect(lineTotals(l)).toMatchObject({ coupons: 5_000, collected: 0, refundable: 20_000 });
    expect(reserve(l, ask('c1:collection_refund', 'collection_refund', 9_900)).granted).toBe(0);
    l = settle(l, 'c1:collection:repair_quote', 'committed', AT).line;
    const back = reserve(l, ask('c1:collection_refund', 'collection_refund', 12_000));
    expect(back.granted).toBe(9_900);
    expect(lineTotals(back.line)).toMatchObject({ collected: 9_900, collectionRefundable: 0, refundable: 20_000 });
  });

  test('whatever reservations and settlements race for a line, money and units paid back never exceed what was bought', () => {
    const step = fc.record({
      caseNo: fc.integer({ min: 1, max: 6 }),
      kind: fc.constantFrom<LedgerEntryKind>('refund', 'compensation', 'coupon', 'collection', 'collection_refund'),
      amount: fc.integer({ min: 0, max: 30_000 }),
      units: fc.integer({ min: 0, max: 3 }),
      settleAs: fc.constantFrom('committed' as const, 'released' as const, null),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let l = line();
        for (const s of steps) {
          const key = `c${s.caseNo}:${s.kind}`;
          l = reserve(l, ask(key, s.kind, s.amount, s.units)).line;
          if (s.settleAs) l = settle(l, key, s.settleAs, AT).line;
          const totals = lineTotals(l);
          expect(totals.refunded + totals.reserved).toBeLessThanOrEqual(l.amountPaid);
          expect(totals.unitsReturned).toBeLessThanOrEqual(l.unitsBought);
          expect(totals.collectionRefunded).toBeLessThanOrEqual(totals.collected);
        }
      }),
    );
  });
});

describe('splitting an amount over the lines of a case', () => {
  const items: CaseItem[] = [
    { sku: 'A', quantity: 1, unitPrice: 10_000 },
    { sku: 'B', quantity: 2, unitPrice: 2_500 },
  ];

  test('each line gets its share by what it claims, the remainder to the first lines, and the shares add up to the amount', () => {
    expect(splitOverLines(items, 15_000, true)).toEqual([
      { sku: 'A', amount: 10_000, units: 1 },
      { sku: 'B', amount: 5_000, units: 2 },
    ]);
    expect(splitOverLines(items, 1, false)).toEqual([
      { sku: 'A', amount: 1, units: 0 },
      { sku: 'B', amount: 0, units: 0 },
    ]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (amount) => {
        expect(splitOverLines(items, amount, false).reduce((sum, s) => sum + s.amount, 0)).toBe(amount);
      }),
    );
  });
});

describe('the ledger by order line (issue 22)', () => {
  const newItem: CaseItem = { sku: 'SKU-1', quantity: 1, unitPrice: 3_333, orderedQuantity: 3, lineId: 'L1', linePaid: 10_000 };

  test('an item read from the order source gives the order’s facts, marked order_source; an old item what it claimed, as before', () => {
    expect(lineFactsOf('O-1', 'CNY', newItem)).toEqual({ orderId: 'O-1', sku: 'SKU-1', currency: 'CNY', unitsBought: 3, amountPaid: 10_000, lineId: 'L1', factsFrom: 'order_source' });
    expect(lineFactsOf('O-1', 'CNY', { ...newItem, sharesSku: true })).toMatchObject({ sharesSku: true, lineId: 'L1' });
    expect(lineFactsOf('O-1', 'CNY', { sku: 'SKU-1', quantity: 2, unitPrice: 5_000 })).toEqual({ orderId: 'O-1', sku: 'SKU-1', currency: 'CNY', unitsBought: 2, amountPaid: 10_000 });
    expect(ledgerIdOf(lineFactsOf('O-1', 'CNY', newItem))).toBe(lineKey('O-1', 'SKU-1'));
    expect(ledgerIdOf(lineFactsOf('O-1', 'CNY', { ...newItem, sharesSku: true }))).toBe('O-1:SKU-1@L1');
  });

  test('the last unit back takes the remainder: 3 units for 100.00 pay back 33.33, 33.33 and 33.34', () => {
    let l = newLine(lineFactsOf('O-1', 'CNY', newItem));
    expect(lastUnitRemainder(l)).toBe(1);
    const grants: number[] = [];
    for (const c of ['c1', 'c2', 'c3']) {
      const r = reserve(l, ask(`${c}:refund`, 'refund', 3_333, 1));
      grants.push(r.granted);
      l = settle(r.line, `${c}:refund`, 'committed', AT).line;
    }
    expect(grants).toEqual([3_333, 3_333, 3_334]);
    expect(lineTotals(l)).toMatchObject({ refunded: 10_000, refundable: 0 });
  });

  test('the remainder never pays past what is left, nor goes to a movement that pays nothing or to money without units', () => {
    const l = newLine(lineFactsOf('O-1', 'CNY', newItem));
    const compensated = reserve(l, ask('c0:compensation', 'compensation', 9_000)).line;
    expect(reserve(compensated, ask('c1:refund', 'refund', 9_999, 3)).granted).toBe(1_000);
    expect(reserve(l, { ...ask('c1:refund', 'refund', 0, 3), nothingPaid: true })).toMatchObject({ granted: 0 });
    // A line's share of 0 (its unit price rounds down to 0) in a refund that pays still takes the remainder.
    const tiny = newLine({ ...lineFactsOf('O-1', 'CNY', newItem), unitsBought: 2, amountPaid: 1 });
    expect(reserve(tiny, ask('c1:refund', 'refund', 0, 2)).granted).toBe(1);
    expect(reserve(l, ask('c1:compensation', 'compensation', 100)).granted).toBe(100);
  });

  test('a line of claimed facts has no remainder: old cases are paid exactly as before', () => {
    const old = newLine(lineFactsOf('O-1', 'CNY', { sku: 'SKU-1', quantity: 1, unitPrice: 3_333, orderedQuantity: 3 }));
    expect(lastUnitRemainder(old)).toBe(0);
    expect(reserve(old, ask('c1:refund', 'refund', 9_999, 3)).granted).toBe(9_999);
  });

  test('a held line grants nothing that pays money back and records nothing; a collection or a coupon is still recorded; released, it pays again', () => {
    const held = holdLine(newLine(lineFactsOf('O-1', 'CNY', newItem)), { at: AT, reason: 'test' }).line;
    for (const kind of ['refund', 'compensation', 'collection_refund'] as const) {
      expect(reserve(held, ask(`c1:${kind}`, kind, 1_000, kind === 'refund' ? 1 : 0))).toEqual({ line: held, granted: 0, repeated: false });
    }
    expect(reserve(held, ask('c1:coupon', 'coupon', 500)).granted).toBe(500);
    expect(holdLine(held, { at: AT, reason: 'again' })).toEqual({ line: held, changed: false });
    const released = releaseLine(held);
    expect(released.changed).toBe(true);
    expect(released.line.held).toBeUndefined();
    expect(reserve(released.line, ask('c1:refund', 'refund', 3_333, 1)).granted).toBe(3_333);
  });

  test('facts from the order: equal to the claimed ones mark the line; different ones hold it; on a line from the order they replace the facts', () => {
    const claimed = reserve(newLine({ orderId: 'O-1', sku: 'SKU-1', currency: 'CNY', unitsBought: 3, amountPaid: 10_000 }), ask('old:refund', 'refund', 1_000, 1)).line;
    const fromOrder = lineFactsOf('O-1', 'CNY', newItem);
    const agreed = takeFacts(claimed, fromOrder, AT);
    expect(agreed.line).toMatchObject({ factsFrom: 'order_source', lineId: 'L1', unitsBought: 3, amountPaid: 10_000 });
    expect(agreed.line.held).toBeUndefined();
    const differs = takeFacts(claimed, { ...fromOrder, amountPaid: 9_000 }, AT);
    expect(differs.line.held).toEqual({ at: AT, reason: expect.stringContaining('claimed facts') });
    expect(differs.line.amountPaid).toBe(10_000);
    const corrected = takeFacts(agreed.line, { ...fromOrder, amountPaid: 9_000 }, AT);
    expect(corrected.line).toMatchObject({ amountPaid: 9_000, factsFrom: 'order_source' });
    expect(corrected.line.held).toBeUndefined();
    expect(takeFacts(claimed, { orderId: 'O-1', sku: 'SKU-1', currency: 'CNY', unitsBought: 9, amountPaid: 1 }, AT)).toEqual({ line: claimed, changed: false });
    expect(hasLivePriceEntries(claimed)).toBe(true);
    expect(hasLivePriceEntries(settle(claimed, 'old:refund', 'released', AT).line)).toBe(false);
  });

  test('property: whatever partial claims, deductions, commits and releases across cases, no line pays back more than its 实付', async () => {
    await fc.assert(
      fc.asyncProperty(
        orderShape.chain((lines) => {
          const order = { orderId: 'O-P', lines };
          return fc.tuple(fc.constant(order), partialClaims(order));
        }),
        async ([order, claims]) => {
          const ledger = memoryLedger();
          const activities = ledgerActivities(ledger);
          for (const claim of claims) {
            await runClaim(activities, order.orderId, claim);
            for (const line of ledger.lines.values()) {
              const t = lineTotals(line);
              expect(t.refunded + t.reserved).toBeLessThanOrEqual(line.amountPaid);
              expect(t.unitsReturned).toBeLessThanOrEqual(line.unitsBought);
            }
          }
          // One ledger line per order line, carrying the order's 实付.
          for (const source of order.lines) {
            const line = [...ledger.lines.values()].find((l) => l.lineId === source.lineId);
            if (line) expect(line).toMatchObject({ amountPaid: source.amountPaid, unitsBought: source.unitsBought, factsFrom: 'order_source' });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: every unit back, in any number of cases and any order, some refunds failing and claimed again, pays back exactly each line’s 实付', async () => {
    await fc.assert(
      fc.asyncProperty(
        unitsWorthAFen.chain((lines) => {
          const order = { orderId: 'O-E', lines };
          return fc.tuple(fc.constant(order), everyUnitBack(order));
        }),
        async ([order, claims]) => {
          const ledger = memoryLedger();
          const activities = ledgerActivities(ledger);
          let paid = 0;
          for (const claim of claims) paid += await runClaim(activities, order.orderId, claim);
          for (const source of order.lines) {
            const line = [...ledger.lines.values()].find((l) => l.lineId === source.lineId);
            expect(line && lineTotals(line)).toMatchObject({ refunded: source.amountPaid, reserved: 0, unitsReturned: source.unitsBought });
          }
          expect(paid).toBe(order.lines.reduce((sum, l) => sum + l.amountPaid, 0));
        },
      ),
      { numRuns: 300 },
    );
  });
});
