import fc from 'fast-check';
import type { CaseItem } from '../../domain/case.types';
import { lineTotals, newLine, reserve, settle, splitOverLines, type LedgerEntryKind, type OrderLine } from '../../domain/order-ledger';

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
