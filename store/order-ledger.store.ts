import type { Collection, Db } from 'mongodb';
import type { OrderLedgerPort } from '../activities/provider-ports';
import { ledgerVersionId, lineKey, lineKeyOf, type LineOfItem } from '../domain/keys';
import {
  hasLivePriceEntries,
  holdLine,
  isSplitLine,
  ledgerIdOf,
  lineTotals,
  newLine,
  releaseLine,
  reserve,
  settle,
  takeFacts,
  type LedgerEntry,
  type LineHold,
  type LineTotals,
  type OrderLine,
  type OrderLineFacts,
  type ReservationRequest,
} from '../domain/order-ledger';
import { Collections, isDuplicateKeyError } from './mongo';

/** The head of an order line: found by order, it caches the latest version number (a hint, never ahead of the versions). */
export interface LedgerLineHeadDocument {
  /** `lineKeyOf(orderId, line)`: `lineKey(orderId, sku)`, or `<order>:<sku>@<line>` when the sku is on several lines. */
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

/** One line of the whole ledger, as `everyLine` reads it: its id and its latest state. */
export interface LedgerLineRecord {
  id: string;
  line: OrderLine;
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

  /**
   * Reserves a movement on a line (created from `facts` when new), capped by what the line allows;
   * idempotent by key. The line is `lineKeyOf` the facts. Holds the line instead of paying back
   * (granted 0) when the order's facts differ from the claimed facts the line was opened on, or
   * when an old case and a new one would be two accounts of the same goods: a line by `sku@line`
   * while the sku's old line has money on it, or the sku's old line while a `sku@line` exists.
   */
  async reserve(facts: OrderLineFacts, request: ReservationRequest): Promise<{ granted: number; held: boolean }> {
    const key = ledgerIdOf(facts);
    const split = isSplitLine(facts);
    // Publish-then-look on both sides, so that of an old case and a new one racing on the same
    // goods at least one sees the other: a split line shows its head before it reads the old
    // line; the old line writes its entry before it looks for split heads (and undoes it then).
    if (split) await this.createHead(key, facts);
    const conflict = split ? await this.oldLineConflict(facts) : await this.splitLinesConflict(facts, key);
    const answer = await this.change(key, (current) => {
      const at = request.at;
      const base = current?.line ?? newLine(facts);
      let line = current ? takeFacts(base, facts, at).line : base;
      if (conflict) line = holdLine(line, { at, reason: conflict }).line;
      const result = reserve(line, request);
      // `reserve` hands back the same line when it added no entry (a repeated key, or nothing to record).
      const changed = result.line !== base;
      return { next: changed ? result.line : null, answer: { granted: result.granted, added: !result.repeated && result.line !== line, held: line.held !== undefined } };
    }, facts);
    if (!split && answer.added && ['refund', 'compensation'].includes(request.kind)) {
      const late = await this.splitLinesConflict(facts, key);
      if (late) return { granted: await this.undoForSplit(key, request.key, late, request.at), held: true };
    }
    return { granted: answer.granted, held: answer.held };
  }

  /**
   * Commits or releases a reserved entry; an unknown line or key, or an entry already settled,
   * changes nothing. `line` is the sku (the line by sku, as before the order source) or the line
   * of a case item (`lineKeyOf`). A held line settles too: money already in flight is recorded.
   */
  async settle(orderId: string, line: string | LineOfItem, key: string, state: 'committed' | 'released'): Promise<void> {
    const id = typeof line === 'string' ? lineKey(orderId, line) : lineKeyOf(orderId, line);
    await this.change(id, (current) => {
      if (current === null) return { next: null, answer: undefined };
      const result = settle(current.line, key, state, this.clock().toISOString());
      return { next: result.changed ? result.line : null, answer: undefined };
    });
  }

  /** Holds a line by its ledger id (ledger:verify --hold); false when the ledger has no such line or it is held already. */
  async hold(id: string, reason: string): Promise<boolean> {
    return this.change(id, (current) => {
      if (current === null) return { next: null, answer: false };
      const result = holdLine(current.line, { at: this.clock().toISOString(), reason });
      return { next: result.changed ? result.line : null, answer: result.changed };
    });
  }

  /**
   * Releases a held line by its ledger id, for a person who looked at it (scripts/ledger-verify.ts
   * `--release`): money may move on it again. With `facts` (the order's, checked by that person)
   * the line takes them and counts as read from the order source; without, it keeps its facts (and
   * claimed facts the order contradicts hold it again at the next reservation from the order
   * source). The hold stays in the line's earlier versions. `released` false when it was not held.
   */
  async release(id: string, facts?: Pick<OrderLineFacts, 'unitsBought' | 'amountPaid' | 'lineId'>): Promise<{ released: boolean; hold?: LineHold }> {
    return this.change<{ released: boolean; hold?: LineHold }>(id, (current) => {
      if (current === null || !current.line.held) return { next: null, answer: { released: false } };
      const hold = current.line.held;
      const released = releaseLine(current.line).line;
      const next = facts ? { ...released, unitsBought: facts.unitsBought, amountPaid: facts.amountPaid, lineId: facts.lineId, factsFrom: 'order_source' as const } : released;
      return { next, answer: { released: true, hold } };
    });
  }

  /** Every line of the ledger with its id, order by order (ledger:verify reads it once). */
  async *everyLine(): AsyncGenerator<LedgerLineRecord> {
    for await (const head of this.heads.find({}).sort({ orderId: 1, _id: 1 })) {
      const latest = await this.latest(head._id, head.version);
      if (latest) yield { id: head._id, line: latest.line };
    }
  }

  /** Why a split line (`sku@line`) is held: the sku's old line has money on it. Null when it has none. */
  private async oldLineConflict(facts: OrderLineFacts): Promise<string | null> {
    const old = await this.latest(lineKey(facts.orderId, facts.sku));
    if (old === null || !hasLivePriceEntries(old.line)) return null;
    return `sku ${facts.sku} is on several lines of the order and its line by sku (opened before the order source) has money paid back on it; a person must say which line that money was for`;
  }

  /** Why the sku's old line (by sku) is held: the order has lines of that sku keyed by line. Null when none. */
  private async splitLinesConflict(facts: OrderLineFacts, key: string): Promise<string | null> {
    const splits = await this.heads.find({ orderId: facts.orderId, sku: facts.sku }, { projection: { _id: 1 } }).toArray();
    const others = splits.map((h) => h._id).filter((id) => id !== key);
    if (others.length === 0) return null;
    return `sku ${facts.sku} is on several lines of the order (${others.length} keyed by line): a case by sku and a case by line must not be two accounts of the same goods; a person must look at it`;
  }

  /** A reservation on an old line raced a split line of the same sku: releases its entry and holds the line; grants 0. */
  private async undoForSplit(key: string, entryKey: string, reason: string, at: string): Promise<number> {
    await this.change(key, (current) => {
      if (current === null) return { next: null, answer: undefined };
      const held = holdLine(current.line, { at, reason });
      const released = settle(held.line, entryKey, 'released', at);
      return { next: held.changed || released.changed ? released.line : null, answer: undefined };
    });
    return 0;
  }

  /** Every line of an order with its entries, by sku then line (empty when the ledger has none). */
  async orderLines(orderId: string): Promise<OrderLine[]> {
    const heads = await this.heads.find({ orderId }).toArray();
    const lines = await Promise.all(heads.map((head) => this.latest(head._id, head.version)));
    return lines
      .filter((latest): latest is { version: number; line: OrderLine } => latest !== null)
      .map((latest) => latest.line)
      .sort((a, b) => compare(a.sku, b.sku) || compare(a.lineId ?? '', b.lineId ?? ''));
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

/** A line with its totals (its line, where its facts came from and its hold when it has them). */
export function lineView(line: OrderLine): OrderLineView {
  return {
    sku: line.sku,
    ...lineFields(line),
    currency: line.currency,
    unitsBought: line.unitsBought,
    amountPaid: line.amountPaid,
    ...lineTotals(line),
    entries: line.entries,
  };
}

/** The fields of a line we store (nothing else a caller may have put on the object); a line of claimed facts as before the order source. */
function stored(line: OrderLine): OrderLine {
  return {
    orderId: line.orderId,
    sku: line.sku,
    ...lineFields(line),
    currency: line.currency,
    unitsBought: line.unitsBought,
    amountPaid: line.amountPaid,
    entries: line.entries.map(storedEntry),
  };
}

/** The optional fields of a line, each only when set (so a line of an old case is stored exactly as before). */
function lineFields(line: OrderLine): Pick<OrderLine, 'lineId' | 'sharesSku' | 'factsFrom' | 'held'> {
  return {
    ...(line.lineId !== undefined ? { lineId: line.lineId } : {}),
    ...(line.sharesSku ? { sharesSku: true as const } : {}),
    ...(line.factsFrom ? { factsFrom: line.factsFrom } : {}),
    ...(line.held ? { held: { at: line.held.at, reason: line.held.reason } } : {}),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function storedEntry(e: LedgerEntry): LedgerEntry {
  return { key: e.key, caseId: e.caseId, kind: e.kind, amount: e.amount, units: e.units, state: e.state, at: e.at, updatedAt: e.updatedAt };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
