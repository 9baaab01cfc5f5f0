import type { CaseSnapshot, RefundView } from '../../domain/case.types';
import { backfillMovements } from '../../store/order-ledger.backfill';

/** The fields of a closed case the backfill reads. */
function closedCase(type: CaseSnapshot['type'], refund: Partial<RefundView> | null, items = [{ sku: 'SKU-A', quantity: 2, unitPrice: 10_000 }, { sku: 'SKU-B', quantity: 1, unitPrice: 5_000 }]): CaseSnapshot {
  return {
    id: 'cs_old',
    type,
    orderId: 'O-1',
    items,
    refund: refund === null ? null : { amount: 25_000, currency: 'CNY', status: 'succeeded', idempotencyKey: 'cs_old:refund:1', method: 'original_path', ...refund },
    closedAt: '2026-02-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
  } as CaseSnapshot;
}

describe('what the ledger backfill records for a case from before the ledger', () => {
  it('a succeeded refund of goods becomes one committed-to-be refund per line, split by what each claims, with the units, keyed like the workflow', () => {
    const movements = backfillMovements(closedCase('return', {}));
    expect(movements.map((m) => [m.facts.sku, m.facts.unitsBought, m.facts.amountPaid, m.request.key, m.request.kind, m.request.amount, m.request.units])).toEqual([
      ['SKU-A', 2, 20_000, 'cs_old:refund:SKU-A', 'refund', 20_000, 2],
      ['SKU-B', 1, 5_000, 'cs_old:refund:SKU-B', 'refund', 5_000, 1],
    ]);
    expect(movements.every((m) => m.request.caseId === 'cs_old' && m.request.at === '2026-02-01T00:00:00.000Z')).toBe(true);
  });

  it.each<CaseSnapshot['type']>(['refund_only', 'exchange', 'repair'])('a %s refund carries the units of the claim', (type) => {
    expect(backfillMovements(closedCase(type, {})).map((m) => m.request.units)).toEqual([2, 1]);
  });

  it('complaint compensation counts against the price but returns no units', () => {
    const movements = backfillMovements(closedCase('complaint', { amount: 3_000 }));
    expect(movements.map((m) => [m.request.key, m.request.kind, m.request.amount, m.request.units])).toEqual([
      ['cs_old:compensation:SKU-A', 'compensation', 2_400, 0],
      ['cs_old:compensation:SKU-B', 'compensation', 600, 0],
    ]);
  });

  it('a refund the case labelled keeps its kind', () => {
    expect(backfillMovements(closedCase('exchange', { kind: 'compensation', amount: 100 })).map((m) => m.request.kind)).toEqual(['compensation', 'compensation']);
  });

  it('records nothing for no refund, a refund not succeeded, a refund of 0, or collected money paid back', () => {
    expect(backfillMovements(closedCase('return', null))).toEqual([]);
    expect(backfillMovements(closedCase('return', { status: 'failed' }))).toEqual([]);
    expect(backfillMovements(closedCase('return', { status: 'requested' }))).toEqual([]);
    expect(backfillMovements(closedCase('return', { amount: 0 }))).toEqual([]);
    expect(backfillMovements(closedCase('repair', { kind: 'collection_refund', amount: 5_000 }))).toEqual([]);
  });
});
