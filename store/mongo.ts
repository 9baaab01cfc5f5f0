import { MongoClient, MongoServerError, type Db, type IndexDescription } from 'mongodb';

/** Names of the read-model collections. */
export const Collections = {
  cases: 'cases',
  escalations: 'escalations',
  openCaseLocks: 'open_case_locks',
  /** One head per order line of the ledger: its order, sku and the latest version number seen. */
  orderLedgerLines: 'order_ledger_lines',
  /** Every state of every order line, append-only: `<lineKey>#<n>` (store/order-ledger.store.ts). */
  orderLedgerVersions: 'order_ledger_versions',
  /** The SLA report's facts packed per Beijing day (store/sla-report.buckets.ts). */
  reportBuckets: 'sla_report_buckets',
  /** The SLA report compaction's watermark. */
  reportState: 'sla_report_state',
  /** Each case's data key, wrapped by a master key, or an erasure's tombstone (store/case-data-keys.store.ts). */
  caseDataKeys: 'case_data_keys',
  /** Who erased which customer's data, and when: never the data itself. */
  erasures: 'erasures',
} as const;

/** How long the driver looks for a server before an operation fails (a down database fails fast). */
export const SERVER_SELECTION_TIMEOUT_MS = 3000;

/** Connects to MongoDB (or FerretDB), checks it answers a ping, and returns the client and database. */
export async function connectMongo(uri: string, dbName: string): Promise<{ client: MongoClient; db: Db }> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
    appName: 'aftersales',
  });
  try {
    await client.connect();
    const db = client.db(dbName);
    await db.command({ ping: 1 });
    return { client, db };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
}

/** Every index of the read model, per collection. Plain and unique indexes only: FerretDB 1.24 has no TTL or partial ones. */
export const READ_MODEL_INDEXES: Readonly<Record<string, readonly IndexDescription[]>> = {
  [Collections.cases]: [
    { name: 'nextDeadline', key: { nextDeadlineSortKey: 1, _id: 1 } },
    { name: 'createdAt', key: { createdAtDate: -1, _id: -1 } },
    { name: 'status_nextDeadline', key: { status: 1, nextDeadlineSortKey: 1, _id: 1 } },
    { name: 'assignee_nextDeadline', key: { assignee: 1, nextDeadlineSortKey: 1, _id: 1 } },
    { name: 'breached_nextDeadline', key: { breached: 1, nextDeadlineSortKey: 1, _id: 1 } },
    { name: 'manualEvaluation_nextDeadline', key: { manualEvaluation: 1, nextDeadlineSortKey: 1, _id: 1 } },
    { name: 'customer_createdAt', key: { customerId: 1, createdAtDate: -1, _id: -1 } },
    { name: 'orderId', key: { orderId: 1 } },
    { name: 'trackingNumbers', key: { trackingNumbers: 1 } },
    { name: 'refundId', key: { refundId: 1 } },
    // The SLA report's unfolded tail: cases written since its last compaction.
    { name: 'writtenAt', key: { writtenAt: 1 } },
  ],
  [Collections.escalations]: [
    { name: 'at', key: { atDate: 1 } },
    { name: 'caseId', key: { caseId: 1 } },
    { name: 'writtenAt', key: { writtenAt: 1 } },
  ],
  [Collections.reportBuckets]: [
    { name: 'day', key: { day: 1 } },
    { name: 'kind_day_rev', key: { format: 1, kind: 1, day: 1, rev: 1 } },
  ],
  [Collections.openCaseLocks]: [{ name: 'caseId', key: { caseId: 1 } }],
  // Versions are read by _id only; heads are found by order.
  [Collections.orderLedgerLines]: [{ name: 'orderId', key: { orderId: 1 } }],
};

/** Creates the read-model indexes; safe to run on every start. */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of Object.entries(READ_MODEL_INDEXES)) {
    // One index per command: FerretDB 1.24 drops the connection when a single
    // createIndexes command repeats more than one index that already exists.
    for (const { key, ...options } of indexes) {
      await db.collection(collection).createIndex(key, options);
    }
  }
}

/** True for a unique-index violation (E11000), the signal our versioned and idempotent writes rely on. */
export function isDuplicateKeyError(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}
