/**
 * `npm run ledger:verify`: reads every line of the order-line ledger, asks the order source for its
 * order, and lists every disagreement (docs/order-source.md, "The ledger by order line"):
 *
 *   order_unknown         the order source has no such order
 *   line_unknown          the order has no such line (by its line, or by its sku for an old line)
 *   sku_on_several_lines  an old line by sku has money paid back while the order has that sku on several lines
 *   facts_differ          units bought or 实付 differ from the order's (less the shop's own refunds: afterSalesLine)
 *   over_paid_back        refunded + reserved exceed the line's 实付
 *   held                  the line is held (until a person releases it)
 *
 *   npx tsx scripts/ledger-verify.ts                         # list
 *   npx tsx scripts/ledger-verify.ts --hold                  # list, and hold every listed line
 *   npx tsx scripts/ledger-verify.ts --release <ledger id> [--order-facts]
 *
 * `--release` is the admin's way out of a hold: the line keeps its facts, or with `--order-facts`
 * takes the order's (units bought, 实付, line). Exit 0 when nothing is listed (or a line was
 * released), 1 when something is, 2 on a bad argument or an error. Reads MONGODB_URI, MONGODB_DB
 * and the ORDER_SOURCE_* settings like the API and worker. Prints ids, skus and amounts, never a
 * customer's data.
 */
import { ConfigError, loadConfig } from '../config/env';
import { hasLivePriceEntries, isSplitLine, lineTotals, type OrderLine } from '../domain/order-ledger';
import { afterSalesLine, linesOfSku, type OrderSource, type SourceOrder, type SourceOrderLine } from '../domain/order-source';
import { orderSourceOf } from '../integrations';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { OrderLedgerStore, type LedgerLineRecord } from '../store/order-ledger.store';

/** What ledger:verify finds wrong with a line. */
export type LedgerFindingKind = 'order_unknown' | 'line_unknown' | 'sku_on_several_lines' | 'facts_differ' | 'over_paid_back' | 'held';

/** One disagreement between a ledger line and its order. */
export interface LedgerFinding {
  /** The line's ledger id (what `--release` and the store's hold take). */
  id: string;
  orderId: string;
  sku: string;
  lineId?: string;
  kind: LedgerFindingKind;
  message: string;
}

/** The order's line a ledger line stands for: by its line, or (an old line by sku) the one line of its sku. */
function orderLineOf(line: OrderLine, order: SourceOrder): SourceOrderLine | undefined {
  if (line.lineId !== undefined) return order.lines.find((l) => l.lineId === line.lineId);
  const ofSku = linesOfSku(order, line.sku);
  return ofSku.length === 1 ? ofSku[0] : undefined;
}

/** Every disagreement of one ledger line with its order (null: the source has no such order). */
export function lineFindings(record: LedgerLineRecord, order: SourceOrder | null): LedgerFinding[] {
  const { id, line } = record;
  const base = { id, orderId: line.orderId, sku: line.sku, ...(line.lineId !== undefined ? { lineId: line.lineId } : {}) };
  const findings: LedgerFinding[] = [];
  const add = (kind: LedgerFindingKind, message: string) => findings.push({ ...base, kind, message });
  const totals = lineTotals(line);
  const paidBack = totals.refunded + totals.reserved;
  let paid = line.amountPaid;
  if (order === null) {
    add('order_unknown', 'the order source has no such order');
  } else {
    const ofSku = linesOfSku(order, line.sku);
    const source = orderLineOf(line, order);
    if (!isSplitLine(line) && ofSku.length > 1 && hasLivePriceEntries(line)) {
      add('sku_on_several_lines', `the order has ${line.sku} on ${ofSku.length} lines and this line by sku has ${paidBack} paid back: which line was it for?`);
    } else if (source === undefined) {
      add('line_unknown', line.lineId !== undefined ? `the order has no line ${line.lineId}` : `the order has no line of ${line.sku}`);
    }
    if (source !== undefined) {
      // As the opening reads it: less the shop's own refunds, nothing paid on an unpaid order.
      const facts = afterSalesLine(order, source);
      paid = facts.amountPaid;
      if (facts.unitsBought !== line.unitsBought || facts.amountPaid !== line.amountPaid) {
        add('facts_differ', `the order says ${facts.unitsBought} units for ${facts.amountPaid} (line ${source.lineId}); the ledger ${line.unitsBought} units for ${line.amountPaid}`);
      }
    }
  }
  if (paidBack > paid) add('over_paid_back', `${paidBack} refunded and reserved, more than the ${paid} paid`);
  if (line.held) add('held', `held since ${line.held.at}: ${line.held.reason}`);
  return findings;
}

/** What a run found and which lines it held. */
export interface LedgerVerifyReport {
  lines: number;
  findings: LedgerFinding[];
  /** Ledger ids held by this run (`--hold`). */
  held: string[];
}

/**
 * Checks every line against its order (each order read once; lines come order by order) and,
 * with `hold`, holds each listed line not held already.
 */
export async function verifyLedger(deps: {
  lines: AsyncIterable<LedgerLineRecord>;
  orders: Pick<OrderSource, 'order'>;
  hold?: (id: string, reason: string) => Promise<boolean>;
}): Promise<LedgerVerifyReport> {
  const report: LedgerVerifyReport = { lines: 0, findings: [], held: [] };
  let cached = null as { orderId: string; order: SourceOrder | null } | null;
  for await (const record of deps.lines) {
    report.lines += 1;
    if (cached?.orderId !== record.line.orderId) cached = { orderId: record.line.orderId, order: (await deps.orders.order(record.line.orderId))?.order ?? null };
    const findings = lineFindings(record, cached.order);
    report.findings.push(...findings);
    const toHold = findings.filter((f) => f.kind !== 'held');
    if (deps.hold && toHold.length > 0 && !record.line.held) {
      const reason = `ledger:verify: ${toHold.map((f) => `${f.kind}: ${f.message}`).join('; ')}`;
      if (await deps.hold(record.id, reason)) report.held.push(record.id);
    }
  }
  return report;
}

/** The report for a terminal: one line per finding, then a summary. */
export function describeReport(report: LedgerVerifyReport): string {
  const rows = report.findings.map((f) => `${f.kind}\t${f.id}${f.lineId !== undefined ? ` (line ${f.lineId})` : ''}\t${f.message}`);
  const lines = new Set(report.findings.map((f) => f.id)).size;
  const held = report.held.length > 0 ? `; held ${report.held.length}: ${report.held.join(', ')}` : '';
  return [...rows, `ledger-verify: ${report.lines} lines read, ${report.findings.length} findings on ${lines} lines${held}`].join('\n');
}

/** The command line's options, or a message saying what is wrong. */
export function parseVerifyArgs(argv: string[]): { mode: 'list' | 'hold' } | { mode: 'release'; id: string; orderFacts: boolean } | string {
  const at = argv.indexOf('--release');
  if (at >= 0) {
    const id = argv[at + 1];
    if (id === undefined || id.startsWith('--')) return 'usage: ledger-verify [--hold] | --release <ledger id> [--order-facts]';
    return { mode: 'release', id, orderFacts: argv.includes('--order-facts') };
  }
  const unknown = argv.filter((a) => a !== '--hold');
  if (unknown.length > 0) return `unknown argument ${unknown[0]}; usage: ledger-verify [--hold] | --release <ledger id> [--order-facts]`;
  return { mode: argv.includes('--hold') ? 'hold' : 'list' };
}

/** Releases one held line, with the order's facts when asked; what happened, for a terminal. */
export async function releaseHeld(
  ledger: Pick<OrderLedgerStore, 'release' | 'everyLine'>,
  orders: Pick<OrderSource, 'order'>,
  id: string,
  orderFacts: boolean,
): Promise<{ released: boolean; text: string }> {
  let facts: { unitsBought: number; amountPaid: number; lineId: string } | undefined;
  if (orderFacts) {
    let line: OrderLine | undefined;
    for await (const record of ledger.everyLine()) if (record.id === id) line = record.line;
    if (!line) return { released: false, text: `no ledger line ${id}` };
    const order = (await orders.order(line.orderId))?.order;
    const source = order ? orderLineOf(line, order) : undefined;
    if (!order || !source) return { released: false, text: `the order has no line for ${id}: release it without --order-facts, or fix the order` };
    facts = { ...afterSalesLine(order, source), lineId: source.lineId };
  }
  const result = await ledger.release(id, facts);
  if (!result.released) return { released: false, text: `${id} is not held` };
  const taken = facts ? `; it takes the order's facts: ${facts.unitsBought} units for ${facts.amountPaid} (line ${facts.lineId})` : '';
  return { released: true, text: `released ${id} (held since ${result.hold?.at}: ${result.hold?.reason})${taken}` };
}

async function main(): Promise<number> {
  const args = parseVerifyArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`ledger-verify: ${args}\n`);
    return 2;
  }
  const config = loadConfig(process.env);
  const orders = orderSourceOf(config);
  const { client, db } = await connectMongo(config.MONGODB_URI, config.MONGODB_DB);
  try {
    await ensureIndexes(db);
    const ledger = new OrderLedgerStore(db);
    if (args.mode === 'release') {
      const { released, text } = await releaseHeld(ledger, orders, args.id, args.orderFacts);
      process.stdout.write(`ledger-verify: ${text}\n`);
      return released ? 0 : 1;
    }
    const report = await verifyLedger({ lines: ledger.everyLine(), orders, ...(args.mode === 'hold' ? { hold: (id, reason) => ledger.hold(id, reason) } : {}) });
    process.stdout.write(`${describeReport(report)}\n`);
    return report.findings.length === 0 ? 0 : 1;
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const text = error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error);
      process.stderr.write(`ledger-verify: ${text}\n`);
      process.exit(2);
    },
  );
}
