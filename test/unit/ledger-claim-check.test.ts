import type { CaseItem, CaseType } from '../../domain/case.types';
import { checkClaimAgainstLedger, LedgerRefusalCodes } from '../../domain/ledger-claim-check';
import { holdLine, newLine, reserve, settle, type OrderLine } from '../../domain/order-ledger';

const AT = '2026-03-01T00:00:00.000Z';

/** A line of `unitsBought` units at 199.00 each, with the given refunds (committed unless said otherwise). */
function lineWith(sku: string, unitsBought: number, refunds: { caseId: string; amount: number; units: number; inFlight?: boolean }[] = []): OrderLine {
  let line = newLine({ orderId: 'O-1', sku, currency: 'CNY', unitsBought, amountPaid: unitsBought * 19_900 });
  refunds.forEach((r, i) => {
    const key = `${r.caseId}:refund:${i}`;
    line = reserve(line, { key, caseId: r.caseId, kind: 'refund', amount: r.amount, units: r.units, at: AT }).line;
    if (!r.inFlight) line = settle(line, key, 'committed', AT).line;
  });
  return line;
}

const item = (sku: string, quantity = 1): CaseItem => ({ sku, quantity, unitPrice: 19_900 });
const claim = (type: CaseType, items: CaseItem[]) => ({ type, items });

describe('checking a new claim against the order-line ledger', () => {
  it('when the line was paid back in full, a return of it is refused as nothing_refundable, naming the amount, units and case', () => {
    const verdict = checkClaimAgainstLedger(claim('refund_only', [item('SKU-X')]), [lineWith('SKU-X', 1, [{ caseId: 'cs_first', amount: 19_900, units: 1 }])]);
    expect(verdict).toMatchObject({ allowed: false, code: LedgerRefusalCodes.nothingRefundable });
    if (verdict.allowed) throw new Error('expected a refusal');
    expect(verdict.details).toEqual([
      expect.objectContaining({
        field: 'items[0].sku',
        sku: 'SKU-X',
        paidBack: { amount: 19_900, units: 1, caseIds: ['cs_first'] },
        remaining: { amount: 0, units: 0 },
      }),
    ]);
    expect(verdict.details[0].message).toContain('199.00 CNY');
    expect(verdict.details[0].message).toContain('cs_first');
  });

  it('money still in flight counts as paid back: a line fully reserved by another case is refused too', () => {
    const verdict = checkClaimAgainstLedger(claim('return', [item('SKU-X')]), [lineWith('SKU-X', 1, [{ caseId: 'cs_running', amount: 19_900, units: 1, inFlight: true }])]);
    expect(verdict).toMatchObject({ allowed: false, code: 'nothing_refundable', details: [{ paidBack: { caseIds: ['cs_running'] } }] });
  });

  it('when fewer units remain than are claimed, the claim is refused as quantity_exceeds_remaining', () => {
    const line = lineWith('SKU-X', 3, [{ caseId: 'cs_a', amount: 19_900, units: 1 }, { caseId: 'cs_b', amount: 19_900, units: 1 }]);
    const verdict = checkClaimAgainstLedger(claim('return', [item('SKU-X', 2)]), [line]);
    expect(verdict).toMatchObject({
      allowed: false,
      code: LedgerRefusalCodes.quantityExceedsRemaining,
      details: [{ field: 'items[0].quantity', sku: 'SKU-X', claimedUnits: 2, remaining: { amount: 19_900, units: 1 }, paidBack: { amount: 39_800, units: 2, caseIds: ['cs_a', 'cs_b'] } }],
    });
  });

  it('the units left may still be claimed', () => {
    const line = lineWith('SKU-X', 3, [{ caseId: 'cs_a', amount: 19_900, units: 1 }]);
    expect(checkClaimAgainstLedger(claim('return', [item('SKU-X', 2)]), [line])).toEqual({ allowed: true });
  });

  it('the same sku on two items of the request counts its units together', () => {
    const line = lineWith('SKU-X', 3, [{ caseId: 'cs_a', amount: 19_900, units: 1 }]);
    const verdict = checkClaimAgainstLedger(claim('return', [item('SKU-X', 1), item('SKU-X', 2)]), [line]);
    expect(verdict).toMatchObject({ allowed: false, code: 'quantity_exceeds_remaining', details: [{ claimedUnits: 3 }] });
  });

  it('a partial refund of money only (no units) leaves the units claimable', () => {
    const line = lineWith('SKU-X', 1, [{ caseId: 'cs_comp', amount: 5_000, units: 0 }]);
    expect(checkClaimAgainstLedger(claim('return', [item('SKU-X')]), [line])).toEqual({ allowed: true });
  });

  it('a released refund gives the line back', () => {
    let line = newLine({ orderId: 'O-1', sku: 'SKU-X', currency: 'CNY', unitsBought: 1, amountPaid: 19_900 });
    line = reserve(line, { key: 'k', caseId: 'cs_failed', kind: 'refund', amount: 19_900, units: 1, at: AT }).line;
    line = settle(line, 'k', 'released', AT).line;
    expect(checkClaimAgainstLedger(claim('refund_only', [item('SKU-X')]), [line])).toEqual({ allowed: true });
  });

  it('a complaint is never refused by the ledger, even on a line paid back in full', () => {
    const verdict = checkClaimAgainstLedger(claim('complaint', [item('SKU-X')]), [lineWith('SKU-X', 1, [{ caseId: 'cs_first', amount: 19_900, units: 1 }])]);
    expect(verdict).toEqual({ allowed: true });
  });

  it.each<CaseType>(['return', 'exchange', 'repair', 'refund_only', 'reship', 'courier_exception'])('%s: a claim on a line paid back in full is refused', (type) => {
    const verdict = checkClaimAgainstLedger(claim(type, [item('SKU-X')]), [lineWith('SKU-X', 1, [{ caseId: 'cs_first', amount: 19_900, units: 1 }])]);
    expect(verdict).toMatchObject({ allowed: false, code: 'nothing_refundable' });
  });

  it('a line the ledger does not know, or a line of nothing paid, limits nothing', () => {
    const free = newLine({ orderId: 'O-1', sku: 'SKU-GIFT', currency: 'CNY', unitsBought: 1, amountPaid: 0 });
    expect(checkClaimAgainstLedger(claim('return', [item('SKU-NEW'), item('SKU-GIFT')]), [free])).toEqual({ allowed: true });
  });

  it('with one line paid back and another short of units, nothing_refundable decides the code and both lines are named', () => {
    const lines = [lineWith('SKU-A', 1, [{ caseId: 'cs_a', amount: 19_900, units: 1 }]), lineWith('SKU-B', 2, [{ caseId: 'cs_b', amount: 100, units: 2 }])];
    const verdict = checkClaimAgainstLedger(claim('return', [item('SKU-B'), item('SKU-A')]), lines);
    expect(verdict).toMatchObject({ allowed: false, code: 'nothing_refundable' });
    if (verdict.allowed) throw new Error('expected a refusal');
    expect(verdict.details.map((d) => [d.sku, d.field])).toEqual([
      ['SKU-A', 'items[1].sku'],
      ['SKU-B', 'items[0].quantity'],
    ]);
  });

  describe('by order line', () => {
    const onLine = (lineId: string, quantity = 1, sharesSku = true): CaseItem => ({
      sku: 'SKU-X',
      quantity,
      unitPrice: 19_900,
      orderedQuantity: 1,
      lineId,
      linePaid: 19_900,
      ...(sharesSku ? { sharesSku: true as const } : {}),
    });
    const splitLine = (lineId: string, refunds: { caseId: string; amount: number; units: number }[] = []) => {
      let line = newLine({ orderId: 'O-1', sku: 'SKU-X', currency: 'CNY', unitsBought: 1, amountPaid: 19_900, lineId, sharesSku: true, factsFrom: 'order_source' });
      refunds.forEach((r, i) => (line = reserve(line, { key: `${r.caseId}:refund:${i}`, caseId: r.caseId, kind: 'refund', amount: r.amount, units: r.units, at: AT }).line));
      return line;
    };

    it('a sku on two lines: the line paid back refuses, the other line of the same sku is free', () => {
      const lines = [splitLine('L1', [{ caseId: 'cs_a', amount: 19_900, units: 1 }]), splitLine('L2')];
      expect(checkClaimAgainstLedger(claim('return', [onLine('L1')]), lines)).toMatchObject({ allowed: false, code: 'nothing_refundable', details: [{ sku: 'SKU-X', lineId: 'L1' }] });
      expect(checkClaimAgainstLedger(claim('return', [onLine('L2')]), lines)).toEqual({ allowed: true });
    });

    it('a new item of a sku on one line finds the line its old case opened by sku', () => {
      const old = lineWith('SKU-X', 1, [{ caseId: 'cs_old', amount: 19_900, units: 1 }]);
      expect(checkClaimAgainstLedger(claim('return', [onLine('L1', 1, false)]), [old])).toMatchObject({ allowed: false, code: 'nothing_refundable', details: [{ paidBack: { caseIds: ['cs_old'] } }] });
    });

    it('a held line refuses with line_held, saying a person must look at it, before any other refusal', () => {
      const held = holdLine(splitLine('L1'), { at: AT, reason: 'the order says 2 units' }).line;
      const empty = lineWith('SKU-Y', 1, [{ caseId: 'cs_y', amount: 19_900, units: 1 }]);
      const verdict = checkClaimAgainstLedger(claim('return', [item('SKU-Y'), onLine('L1')]), [held, empty]);
      expect(verdict).toMatchObject({ allowed: false, code: LedgerRefusalCodes.lineHeld });
      if (verdict.allowed) throw new Error('expected a refusal');
      expect(verdict.message).toContain('a person must look at it');
      expect(verdict.details.map((d) => [d.sku, d.field])).toEqual([
        ['SKU-X', 'items[1].sku'],
        ['SKU-Y', 'items[0].sku'],
      ]);
      expect(verdict.details[0].message).toContain('the order says 2 units');
    });
  });
});
