import type { Collection, Db } from 'mongodb';
import type { OrderLedgerPort } from '../activities/provider-ports';
import { ledgerVersionId, lineKey } from '../domain/keys';
import {
  lineTotals,
  newLine,
  reserve,
  settle,
  type LedgerEntry,
  type LineTotals,
  type OrderLine,
  type OrderLineFacts,
  type ReservationRequest,
} from '../domain/order-ledger';
import { Collections, isDuplicateKeyError } from './mongo';

/** The head of an order line: found by order, it caches the latest version number (a hint, never ahead of the versions). */
export interface LedgerLineHeadDocument {
  /** `lineKey(orderId, sku)`. */
  _id: string;
  orderId: string;
  sku: string;
  /** The latest version this head has seen; 0 until the first version is written. */
  version: number;
  updatedAt: Date;
}

/** One state of an order line: the whole line after its n-th change. */
export interface LedgerLineVersionDocument extends OrderLine {
  /** `<lineKey>#<n>`: its uniqueness is what makes a change a compare-and-swap. */
  _id: string;
  lineKey: string;
  version: number;
  writtenAt: Date;
}

/** An order line with its totals, as `GET /v1/orders/:orderId/ledger` shows it. */
export type OrderLineView = Omit<OrderLine, 'orderId'> & LineTotals;

/** Thrown when a line kept changing under us for every attempt; the caller (an activity) retries later. */
export class LedgerContentionError extends Error {
  constructor(key: string, attempts: number) {
    super(`order line ${key} changed under ${attempts} attempts in a row; retry`);
    this.name = 'LedgerContentionError';
  }
}

/** How often one change is tried when other writers keep winning the same version. */
const MAX_ATTEMPTS = 40;
/** Upper bound of the random pause before another attempt, growing with the attempts. */
const MAX_JITTER_MS = 25;

/**
 * The order-line ledger in MongoDB (or FerretDB). Every change of a line is a new document
 * `<lineKey>#<n+1>` holding the whole line: inserting it succeeds for exactly one writer that read
 * version n (the unique `_id`), so concurrent reservations can never both take the same money.
 * This is the only atomic step FerretDB 1.24 guarantees: its conditional updates read, change and
 * write without isolation. See docs/order-ledger.md.
 */
export class OrderLedgerStore implements OrderLedgerPort {
  private readonly heads: Collection<LedgerLineHeadDocument>;
  private readonly versions: Collection<LedgerLineVersionDocument>;

  constructor(
    db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.heads = db.collection<LedgerLineHeadDocument>(Collections.orderLedgerLines);
    this.versions = db.collection<LedgerLineVersionDocument>(Collections.orderLedgerVersions);
  }

  /** Reserves a movement on a line (created from `facts` when new), capped by what the line allows; idempotent by key. */
  async reserve(facts: OrderLineFacts, request: ReservationRequest): Promise<{ granted: number }> {
    const key = lineKey(facts.orderId, facts.sku);
    return this.change(key, (current) => {
      const base = current?.line ?? newLine(facts);
      const result = reserve(base, request);
      // `reserve` hands back the same line when it added no entry (a repeated key, or nothing to record).
      const changed = result.line !== base;
      return { next: changed ? result.line : null, answer: { granted: result.granted } };
    }, facts);
  }

  /** Commits or releases a reserved entry; an unknown line or key, or an entry already settled, changes nothing. */
  async settle(orderId: string, sku: string, key: string, state: 'committed' | 'released'): Promise<void> {
    await this.change(lineKey(orderId, sku), (current) => {
      if (current === null) return { next: null, answer: undefined };
      const result = settle(current.line, key, state, this.clock().toISOString());
      return { next: result.changed ? result.line : null, answer: undefined };
    });
  }

  /** Every line of an order with its entries, by sku (empty when the ledger has none). */
  async orderLines(orderId: string): Promise<OrderLine[]> {
    const heads = await this.heads.find({ orderId }).toArray();
    const lines = await Promise.all(heads.map((head) => this.latest(head._id, head.version)));
    return lines
      .filter((latest): latest is { version: number; line: OrderLine } => latest !== null)
      .map((latest) => latest.line)
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
  }

  /** The lines of an order with their totals, for the API. */
  async orderLedger(orderId: string): Promise<OrderLineView[]> {
    return (await this.orderLines(orderId)).map(lineView);
  }

  /** True when the ledger holds no line at all (the backfill runs then). */
  async isEmpty(): Promise<boolean> {
    return (await this.heads.findOne({})) === null;
  }

  /**
   * Reads the line, asks `decide` for its next state, and writes that as the next version. When
   * another writer took that version first, reads again and decides again: `decide` always sees
   * the state it changes. Gives up after MAX_ATTEMPTS.
   */
  private async change<T>(
    key: string,
    decide: (current: { version: number; line: OrderLine } | null) => { next: OrderLine | null; answer: T },
    facts?: OrderLineFacts,
  ): Promise<T> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const current = await this.latest(key);
      const { next, answer } = decide(current);
      if (next === null) return answer;
      const version = (current?.version ?? 0) + 1;
      // The head exists before the first version does, so a line is always found by its order.
      if (current === null && facts) await this.createHead(key, facts);
      try {
        await this.versions.insertOne({ ...stored(next), _id: ledgerVersionId(key, version), lineKey: key, version, writtenAt: this.clock() });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        await sleep(Math.random() * Math.min(MAX_JITTER_MS, 2 * attempt));
        continue;
      }
      await this.advanceHead(key, version);
      return answer;
    }
    throw new LedgerContentionError(key, MAX_ATTEMPTS);
  }

  /**
   * The latest version of a line: from the head's version (or `from`), probing `#n+1`, `#n+2`, …
   * by `_id` until one is missing. Versions are contiguous: `#n+1` is only written by someone who
   * read `#n`. Null when the line has no version yet.
   */
  private async latest(key: string, from?: number): Promise<{ version: number; line: OrderLine } | null> {
    let version = from ?? (await this.heads.findOne({ _id: key }, { projection: { version: 1 } }))?.version ?? 0;
    let found: LedgerLineVersionDocument | null = version > 0 ? await this.versions.findOne({ _id: ledgerVersionId(key, version) }) : null;
    if (version > 0 && found === null) version = 0; // cannot happen while heads only move to written versions; read from the start
    for (;;) {
      const next = await this.versions.findOne({ _id: ledgerVersionId(key, version + 1) });
      if (next === null) break;
      found = next;
      version += 1;
    }
    return found === null ? null : { version, line: stored(found) };
  }

  private async createHead(key: string, facts: OrderLineFacts): Promise<void> {
    try {
      await this.heads.insertOne({ _id: key, orderId: facts.orderId, sku: facts.sku, version: 0, updatedAt: this.clock() });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // another writer created it
    }
  }

  /**
   * Moves the head forward to `version`. Filtered by `_id` alone, the one filter FerretDB answers
   * from an index (docs/read-model.md). Not atomic there, so two writers may leave it at the lower
   * of their versions: readers probe forward from it, so a head behind is only slower.
   */
  private async advanceHead(key: string, version: number): Promise<void> {
    await this.heads.updateOne({ _id: key }, { $max: { version }, $set: { updatedAt: this.clock() } });
  }
}

/** A line with its totals. */
export function lineView(line: OrderLine): OrderLineView {
  return { sku: line.sku, currency: line.currency, unitsBought: line.unitsBought, amountPaid: line.amountPaid, ...lineTotals(line), entries: line.entries };
}

/** The fields of a line we store (nothing else a caller may have put on the object). */
function stored(line: OrderLine): OrderLine {
  return {
    orderId: line.orderId,
    sku: line.sku,
    currency: line.currency,
    unitsBought: line.unitsBought,
    amountPaid: line.amountPaid,
    entries: line.entries.map(storedEntry),
  };
}

function storedEntry(e: LedgerEntry): LedgerEntry {
  return { key: e.key, caseId: e.caseId, kind: e.kind, amount: e.amount, units: e.units, state: e.state, at: e.at, updatedAt: e.updatedAt };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
