import fc from 'fast-check';
import {
  allocateDiscount,
  amountsPaidAfterDiscount,
  deliveredAtOf,
  linesOfSku,
  orderProblems,
  perUnitAmounts,
  refundableForUnits,
  type SourceOrder,
} from '../../domain/order-source';

// The arithmetic of the order source (domain/order-source.ts): an order's discount over its lines,
// and what each unit of a line is worth when it comes back. Fixed run counts keep the unit tier fast
// and reproducible.
const RUNS = 300;

describe("an order's discount over its lines", () => {
  test('in proportion to the list amounts, the remainder to the largest fractions, adding up exactly', () => {
    // 1000 over 3 × 3333: each takes 333.33…, one fen left goes to the first of equal remainders.
    expect(allocateDiscount([3333, 3333, 3333], 1000)).toEqual([334, 333, 333]);
    // 1000 over 17600 and 5900: 748.93… and 251.06…: the first line's .93 takes the fen.
    expect(allocateDiscount([17_600, 5_900], 1000)).toEqual([749, 251]);
    expect(amountsPaidAfterDiscount([{ unitsBought: 2, unitListPrice: 8800 }, { unitsBought: 1, unitListPrice: 5900 }], 1000)).toEqual([16_851, 5_649]);
  });

  test('no discount, a line of 0, and a discount of everything', () => {
    expect(allocateDiscount([100, 200], 0)).toEqual([0, 0]);
    expect(allocateDiscount([0, 200], 50)).toEqual([0, 50]);
    expect(allocateDiscount([100, 200], 300)).toEqual([100, 200]);
  });

  test('refuses a discount larger than the lines, and amounts that are not whole minor units', () => {
    expect(() => allocateDiscount([100], 101)).toThrow('more than the lines');
    expect(() => allocateDiscount([10.5], 1)).toThrow('whole minor units');
    expect(() => allocateDiscount([100], -1)).toThrow('whole minor units');
  });

  test('property: the shares add up to the discount, and no line pays less than 0 or more than its list amount', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 12 }), fc.double({ min: 0, max: 1, noNaN: true }), (amounts, fraction) => {
        const total = amounts.reduce((a, b) => a + b, 0);
        const discount = Math.floor(total * fraction);
        const shares = allocateDiscount(amounts, discount);
        expect(shares.reduce((a, b) => a + b, 0)).toBe(discount);
        shares.forEach((share, i) => {
          expect(share).toBeGreaterThanOrEqual(0);
          expect(share).toBeLessThanOrEqual(amounts[i]);
        });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('what one unit of a line pays back', () => {
  test('the amount paid spread evenly, the last unit taking the remainder', () => {
    expect(perUnitAmounts(10_000, 3)).toEqual([3333, 3333, 3334]);
    expect(perUnitAmounts(16_851, 2)).toEqual([8425, 8426]);
    expect(perUnitAmounts(0, 2)).toEqual([0, 0]);
    expect(perUnitAmounts(2, 3)).toEqual([0, 0, 2]);
  });

  test('units coming back in several claims take the next units in order', () => {
    const line = { amountPaid: 10_000, unitsBought: 3 };
    expect(refundableForUnits(line, 0, 1)).toBe(3333);
    expect(refundableForUnits(line, 1, 1)).toBe(3333);
    expect(refundableForUnits(line, 2, 1)).toBe(3334);
    expect(refundableForUnits(line, 0, 3)).toBe(10_000);
    expect(refundableForUnits(line, 3, 0)).toBe(0);
  });

  test('refuses more units than were bought, and units that are not whole', () => {
    expect(() => refundableForUnits({ amountPaid: 100, unitsBought: 2 }, 1, 2)).toThrow('exceed the 2 bought');
    expect(() => refundableForUnits({ amountPaid: 100, unitsBought: 2 }, 0, 1.5)).toThrow('whole number');
    expect(() => perUnitAmounts(100, 0)).toThrow('at least 1');
  });

  test("property: a line's per-unit amounts always sum to exactly its amount paid, all equal but the last, which takes the remainder", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), fc.integer({ min: 1, max: 500 }), (amountPaid, unitsBought) => {
        const units = perUnitAmounts(amountPaid, unitsBought);
        expect(units).toHaveLength(unitsBought);
        expect(units.reduce((a, b) => a + b, 0)).toBe(amountPaid);
        const each = Math.floor(amountPaid / unitsBought);
        expect(units.slice(0, -1).every((u) => u === each) && units[unitsBought - 1] >= each).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  test('property: every unit back, in any number of claims, pays back exactly the amount paid, never a fen more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 60 }),
        (amountPaid, unitsBought, claimSizes) => {
          const line = { amountPaid, unitsBought };
          let back = 0;
          let paid = 0;
          for (const size of claimSizes) {
            const units = Math.min(size, unitsBought - back);
            paid += refundableForUnits(line, back, units);
            back += units;
            expect(paid).toBeLessThanOrEqual(amountPaid);
          }
          paid += refundableForUnits(line, back, unitsBought - back);
          expect(paid).toBe(amountPaid);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('reading an order', () => {
  const order: SourceOrder = {
    orderId: 'o-1',
    customerId: 'c-1',
    status: 'delivered',
    placedAt: '2026-12-01T02:00:00.000Z',
    currency: 'CNY',
    payment: { method: 'online', channel: 'alipay', providerTradeNo: '2026120122001', paidAt: '2026-12-01T02:01:00.000Z', amount: 22_500 },
    shipments: [
      { carrier: 'SF', trackingNumber: 'SF1', shippedAt: '2026-12-01T08:00:00.000Z', deliveredAt: '2026-12-03T08:00:00.000Z', lineIds: ['l-1'] },
      { carrier: 'SF', trackingNumber: 'SF2', shippedAt: '2026-12-02T08:00:00.000Z', deliveredAt: '2026-12-04T08:00:00.000Z', lineIds: ['l-2'] },
    ],
    freightInsurance: false,
    refunds: [],
    lines: [
      { lineId: 'l-1', sku: 'SKU-1', title: 'T-shirt', imageUrl: null, category: 'apparel', unitsBought: 2, unitListPrice: 5900, amountPaid: 11_000 },
      { lineId: 'l-2', sku: 'SKU-1', title: 'T-shirt (promotion)', imageUrl: null, category: 'apparel', unitsBought: 3, unitListPrice: 4000, amountPaid: 11_500 },
    ],
  };

  test('delivered when the last parcel was signed for; not while one has none', () => {
    expect(deliveredAtOf(order)).toBe('2026-12-04T08:00:00.000Z');
    expect(deliveredAtOf({ shipments: [] })).toBeNull();
  });

  test('several lines of one sku', () => {
    expect(linesOfSku(order, 'SKU-1').map((l) => l.lineId)).toEqual(['l-1', 'l-2']);
    expect(linesOfSku(order, 'SKU-2')).toEqual([]);
  });

  test('a consistent order has no problems; each inconsistency is named', () => {
    expect(orderProblems(order)).toEqual([]);
    const broken: SourceOrder = {
      ...order,
      payment: { ...order.payment, amount: 100 },
      refunds: [{ refundId: 'r-1', lineId: 'l-9', amount: 1, units: 0, refundedAt: '2026-12-05T00:00:00.000Z' }],
      lines: [order.lines[0], { ...order.lines[0], amountPaid: 99_999 }],
    };
    expect(orderProblems(broken)).toEqual([
      'lines.1.lineId: l-1 appears twice',
      'lines.1.amountPaid: more than units × list price',
      'payment.amount: less than the lines paid',
      'refunds.0.lineId: no line l-9',
      'shipments.1.lineIds: no line l-2',
    ]);
  });
});
