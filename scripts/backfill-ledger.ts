/**
 * `npm run ledger:backfill`: records on the order-line ledger every refund the read model shows as
 * succeeded (cases from before the ledger existed), as committed entries keyed like the workflow's
 * own (`<caseId>:<kind>:<sku>`). Idempotent: a rerun, or a case that recorded its refund itself,
 * adds nothing. `--if-empty` does nothing when the ledger has any line (how `npm start` runs it).
 *
 * Reads MONGODB_URI and MONGODB_DB like the API and worker. See docs/order-ledger.md.
 */
import { ConfigError, loadConfig } from '../config/env';
import { connectMongo, ensureIndexes } from '../store/mongo';
import { backfillLedger, type BackfillReport } from '../store/order-ledger.backfill';
import { OrderLedgerStore } from '../store/order-ledger.store';

/** Backfills the ledger of one database; null when `ifEmpty` and the ledger already has lines. */
export async function runLedgerBackfill(uri: string, dbName: string, options: { ifEmpty: boolean }): Promise<BackfillReport | null> {
  const { client, db } = await connectMongo(uri, dbName);
  try {
    await ensureIndexes(db);
    const ledger = new OrderLedgerStore(db);
    if (options.ifEmpty && !(await ledger.isEmpty())) return null;
    return await backfillLedger(db, ledger);
  } finally {
    await client.close();
  }
}

/** One line of what a run did, for a terminal. */
export function describeBackfill(report: BackfillReport | null): string {
  if (report === null) return 'the order ledger has lines already; nothing to backfill';
  const capped = report.capped.length
    ? `; ${report.capped.length} capped (the line had been paid back more than it cost): ${report.capped.map((c) => `${c.caseId}/${c.sku} ${c.granted} of ${c.amount}`).join(', ')}`
    : '';
  return `order ledger backfilled from ${report.cases} refunded cases: ${report.written} entries written, ${report.alreadyRecorded} already there${capped}`;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const report = await runLedgerBackfill(config.MONGODB_URI, config.MONGODB_DB, { ifEmpty: process.argv.includes('--if-empty') });
  process.stdout.write(`ledger-backfill: ${describeBackfill(report)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const text = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`ledger-backfill: ${text}\n`);
    process.exit(1);
  });
}
