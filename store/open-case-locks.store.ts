import type { Collection, Db } from 'mongodb';
import type { CaseType } from '../domain/case.types';
import { openCaseLockKeyOf, type LineOfItem } from '../domain/keys';
import { Collections, isDuplicateKeyError } from './mongo';

/** One lock: an order line and case type held by one open case. */
export interface OpenCaseLockDocument {
  /** The key from OpenCaseLocks.keysFor. */
  _id: string;
  caseId: string;
  at: Date;
}

/** Result of OpenCaseLocks.acquire: all keys are held by the case, or one is held by another case. */
export type AcquireResult = { acquired: true } | { acquired: false; heldBy: string };

/** How often one key is retried when its holder disappears between our insert and our read. */
const MAX_ATTEMPTS_PER_KEY = 3;

/** One open case per order line (domain/keys.ts lineKeyOf) and case type, enforced by the unique `_id` of a lock document. */
export class OpenCaseLocks {
  private readonly locks: Collection<OpenCaseLockDocument>;

  constructor(db: Db) {
    this.locks = db.collection<OpenCaseLockDocument>(Collections.openCaseLocks);
  }

  /** The lock keys of a case: one per distinct order line, sorted (domain/keys.ts openCaseLockKeyOf). */
  static keysFor(orderId: string, items: readonly LineOfItem[], type: CaseType): string[] {
    return [...new Set(items.map((item) => openCaseLockKeyOf(orderId, item, type)))].sort();
  }

  /** Takes every key for `caseId`, or none: on a key held by another case, releases what this call took. Retry-safe. */
  async acquire(keys: readonly string[], caseId: string): Promise<AcquireResult> {
    const inserted: string[] = [];
    for (const key of new Set(keys)) {
      const outcome = await this.take(key, caseId);
      if (outcome.kind === 'inserted') inserted.push(key);
      if (outcome.kind === 'held') {
        if (inserted.length) await this.locks.deleteMany({ _id: { $in: inserted }, caseId });
        return { acquired: false, heldBy: outcome.heldBy };
      }
    }
    return { acquired: true };
  }

  /** Releases every key held by the case (when it ends). */
  async release(caseId: string): Promise<void> {
    await this.locks.deleteMany({ caseId });
  }

  /** Releases one key only if `expectedHolder` still holds it (taking over a stale lock); true when released. */
  async releaseKey(key: string, expectedHolder: string): Promise<boolean> {
    const result = await this.locks.deleteOne({ _id: key, caseId: expectedHolder });
    return result.deletedCount === 1;
  }

  /** The case holding `key`, or null. */
  async holderOf(key: string): Promise<string | null> {
    const lock = await this.locks.findOne({ _id: key });
    return lock?.caseId ?? null;
  }

  private async take(key: string, caseId: string): Promise<{ kind: 'inserted' | 'own' } | { kind: 'held'; heldBy: string }> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_KEY; attempt++) {
      try {
        await this.locks.insertOne({ _id: key, caseId, at: new Date() });
        return { kind: 'inserted' };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const holder = await this.holderOf(key);
      if (holder === caseId) return { kind: 'own' };
      if (holder !== null) return { kind: 'held', heldBy: holder };
      // Released between our insert and our read: try again.
    }
    throw new Error(`lock ${key} changed hands ${MAX_ATTEMPTS_PER_KEY} times while acquiring it`);
  }
}
