import { lineKey } from '../../domain/keys';
import { holdLine, ledgerIdOf, newLine, reserve, type OrderLine, type OrderLineFacts } from '../../domain/order-ledger';
import type { SourceOrder, SourceOrderLine } from '../../domain/order-source';
import { describeReport, parseVerifyArgs, releaseHeld, verifyLedger } from '../../scripts/ledger-verify';
import type { LedgerLineRecord } from '../../store/order-ledger.store';

const AT = '2026-12-08T00:00:00.000Z';

function sourceLine(lineId: string, sku: string, unitsBought: number, amountPaid: number): SourceOrderLine {
  return { lineId, sku, title: sku, imageUrl: null, category: 'general', unitsBought, unitListPrice: amountPaid, amountPaid };
}

function order(orderId: string, lines: SourceOrderLine[]): SourceOrder {
  return {
    orderId,
    customerId: 'c-1',
    status: 'delivered',
    placedAt: AT,
    currency: 'CNY',
    payment: { method: 'online', channel: 'alipay', providerTradeNo: 't', paidAt: AT, amount: 1_000_000 },
    shipments: [],
    freightInsurance: false,
    refunds: [],
    lines,
  };
}

/** A ledger line with refunds of the given amounts (reserved). */
function ledgerLine(facts: OrderLineFacts, refunds: number[] = []): LedgerLineRecord {
  let line: OrderLine = newLine(facts);
  refunds.forEach((amount, i) => (line = reserve(line, { key: `cs_${i}:refund`, caseId: `cs_${i}`, kind: 'refund', amount, units: 0, at: AT }).line));
  return { id: ledgerIdOf(line), line };
}

async function* each(records: LedgerLineRecord[]): AsyncGenerator<LedgerLineRecord> {
  yield* records;
}

const fromOrder = (orderId: string, sku: string, lineId: string, unitsBought: number, amountPaid: number, sharesSku = false): OrderLineFacts => ({
  orderId,
  sku,
  currency: 'CNY',
  unitsBought,
  amountPaid,
  lineId,
  ...(sharesSku ? { sharesSku: true as const } : {}),
  factsFrom: 'order_source',
});

describe('ledger:verify', () => {
  const orders = new Map<string, SourceOrder>([
    ['O-GOOD', order('O-GOOD', [sourceLine('L1', 'A', 2, 18_000)])],
    ['O-SPLIT', order('O-SPLIT', [sourceLine('L1', 'A', 1, 9_000), sourceLine('L2', 'A', 1, 8_000)])],
    ['O-FACTS', order('O-FACTS', [sourceLine('L1', 'A', 2, 18_000), sourceLine('L2', 'B', 1, 5_000)])],
  ]);
  const source = { order: async (orderId: string) => (orders.has(orderId) ? { version: '1.0', order: orders.get(orderId) as SourceOrder } : null) };

  const good = [
    ledgerLine(fromOrder('O-GOOD', 'A', 'L1', 2, 18_000), [9_000]),
    ledgerLine({ orderId: 'O-FACTS', sku: 'B', currency: 'CNY', unitsBought: 1, amountPaid: 5_000 }, [5_000]),
    ledgerLine(fromOrder('O-SPLIT', 'A', 'L2', 1, 8_000, true)),
  ];

  it('a ledger that agrees with its orders lists nothing', async () => {
    const report = await verifyLedger({ lines: each(good), orders: source });
    expect(report).toEqual({ lines: 3, findings: [], held: [] });
    expect(describeReport(report)).toBe('ledger-verify: 3 lines read, 0 findings on 0 lines');
  });

  it('lists every kind of disagreement, each order read once', async () => {
    const reads: string[] = [];
    const orderSource = { order: async (orderId: string) => (reads.push(orderId), source.order(orderId)) };
    const bad = [
      ledgerLine({ orderId: 'O-FACTS', sku: 'A', currency: 'CNY', unitsBought: 2, amountPaid: 20_000 }, [19_000]), // claimed 200.00, the order 180.00; 190.00 back
      ledgerLine({ orderId: 'O-FACTS', sku: 'C', currency: 'CNY', unitsBought: 1, amountPaid: 1_000 }),
      ledgerLine(fromOrder('O-FACTS', 'B', 'L9', 1, 5_000)),
      ledgerLine({ orderId: 'O-NONE', sku: 'A', currency: 'CNY', unitsBought: 1, amountPaid: 1_000 }),
      ledgerLine({ orderId: 'O-SPLIT', sku: 'A', currency: 'CNY', unitsBought: 1, amountPaid: 9_000 }, [9_000]),
    ];
    const heldLine = ledgerLine(fromOrder('O-GOOD', 'A', 'L1', 2, 18_000));
    heldLine.line = holdLine(heldLine.line, { at: AT, reason: 'by hand' }).line;
    const report = await verifyLedger({ lines: each([...bad, heldLine]), orders: orderSource });
    expect(report.findings.map((f) => [f.id, f.kind])).toEqual([
      [lineKey('O-FACTS', 'A'), 'facts_differ'],
      [lineKey('O-FACTS', 'A'), 'over_paid_back'],
      [lineKey('O-FACTS', 'C'), 'line_unknown'],
      [lineKey('O-FACTS', 'B'), 'line_unknown'],
      [lineKey('O-NONE', 'A'), 'order_unknown'],
      [lineKey('O-SPLIT', 'A'), 'sku_on_several_lines'],
      [lineKey('O-GOOD', 'A'), 'held'],
    ]);
    expect(reads).toEqual(['O-FACTS', 'O-NONE', 'O-SPLIT', 'O-GOOD']);
    expect(describeReport(report)).toContain('ledger-verify: 6 lines read, 7 findings on 6 lines');
  });

  it('compares with the line as after-sales pays it back: less what the shop refunded on it, nothing on an unpaid order', async () => {
    const refunded = { ...order('O-SHOP', [sourceLine('L1', 'A', 3, 30_000)]), refunds: [{ refundId: 'r1', lineId: 'L1', amount: 10_000, units: 1, refundedAt: AT }] };
    const unpaid = order('O-COD', [sourceLine('L1', 'A', 1, 5_000)]);
    unpaid.payment = { method: 'cod', channel: null, providerTradeNo: null, paidAt: null, amount: 5_000 };
    const orderSource = { order: async (orderId: string) => ({ version: '1.0', order: orderId === 'O-SHOP' ? refunded : unpaid }) };
    const agreeing = [ledgerLine(fromOrder('O-SHOP', 'A', 'L1', 2, 20_000)), ledgerLine(fromOrder('O-COD', 'A', 'L1', 1, 0))];
    expect((await verifyLedger({ lines: each(agreeing), orders: orderSource })).findings).toEqual([]);
    const gross = ledgerLine(fromOrder('O-SHOP', 'A', 'L1', 3, 30_000), [25_000]);
    const report = await verifyLedger({ lines: each([gross]), orders: orderSource });
    expect(report.findings.map((f) => f.kind)).toEqual(['facts_differ', 'over_paid_back']);
    expect(report.findings[0].message).toContain('the order says 2 units for 20000');
  });

  it('--hold holds each listed line not held already', async () => {
    const held: string[] = [];
    const bad = ledgerLine({ orderId: 'O-SPLIT', sku: 'A', currency: 'CNY', unitsBought: 1, amountPaid: 9_000 }, [9_000]);
    const report = await verifyLedger({ lines: each([...good, bad]), orders: source, hold: async (id, reason) => (held.push(`${id} ${reason}`), true) });
    expect(report.held).toEqual([lineKey('O-SPLIT', 'A')]);
    expect(held).toEqual([expect.stringContaining('ledger:verify: sku_on_several_lines')]);
  });

  it('--release releases a held line, with the order’s facts when asked', async () => {
    const record = ledgerLine({ orderId: 'O-FACTS', sku: 'A', currency: 'CNY', unitsBought: 2, amountPaid: 20_000 });
    const released: unknown[] = [];
    const ledger = {
      everyLine: () => each([record]),
      release: async (id: string, facts?: unknown) => (released.push([id, facts]), { released: true, hold: { at: AT, reason: 'facts' } }),
    };
    expect(await releaseHeld(ledger, source, record.id, true)).toMatchObject({ released: true, text: expect.stringContaining('18000') });
    expect(released).toEqual([[record.id, { unitsBought: 2, amountPaid: 18_000, lineId: 'L1' }]]);
    expect(await releaseHeld(ledger, source, 'nope', true)).toMatchObject({ released: false });
  });

  it('reads its arguments', () => {
    expect(parseVerifyArgs([])).toEqual({ mode: 'list' });
    expect(parseVerifyArgs(['--hold'])).toEqual({ mode: 'hold' });
    expect(parseVerifyArgs(['--release', 'O-1:A', '--order-facts'])).toEqual({ mode: 'release', id: 'O-1:A', orderFacts: true });
    expect(parseVerifyArgs(['--release'])).toContain('usage');
    expect(parseVerifyArgs(['--bogus'])).toContain('unknown argument');
  });
});
