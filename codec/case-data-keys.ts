import { newKey, open, seal } from './aes-gcm';
import type { MasterKeyring } from './master-keys';

/** A case's data key as stored: wrapped by a master key, or erased. */
export type StoredDataKey = { workflowId: string; masterKeyId: string; wrapped: Buffer } | { workflowId: string; erasedAt: Date };

/** Where the wrapped data keys live (MongoDB in the product: store/case-data-keys.store.ts). */
export interface DataKeyStore {
  find(workflowId: string): Promise<StoredDataKey | null>;
  insertIfAbsent(workflowId: string, masterKeyId: string, wrapped: Buffer): Promise<StoredDataKey>;
}

/** The case's personal data was erased: its data key is gone, and with it every payload it encrypted. */
export class CaseDataErasedError extends Error {
  override name = 'CaseDataErasedError';
  constructor(
    readonly workflowId: string,
    readonly erasedAt: Date,
  ) {
    super(`the data of ${workflowId} was erased on ${erasedAt.toISOString()}: its payloads can no longer be decrypted`);
  }
}

/** A payload names a case data key that does not exist (another database, or a restore from before the key). */
export class CaseDataKeyMissingError extends Error {
  override name = 'CaseDataKeyMissingError';
  constructor(readonly workflowId: string) {
    super(`no data key is stored for ${workflowId}`);
  }
}

/** How long an unwrapped key is reused before the store is asked again (bounds how long an erasure takes to reach every process). */
export const DATA_KEY_CACHE_TTL_MS = 5 * 60_000;
const DATA_KEY_CACHE_MAX = 20_000;

/**
 * One AES-256 data key per case workflow, made on its first payload and wrapped by the current
 * master key. Unwrapped keys are cached per process for a few minutes; concurrent first payloads
 * of one case in one process share one creation, and across processes the store's unique id decides.
 */
export class CaseDataKeys {
  private readonly cache = new Map<string, { key: Buffer; until: number }>();
  private readonly pending = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly keyring: MasterKeyring,
    private readonly store: DataKeyStore,
    private readonly options: { ttlMs?: number; now?: () => number } = {},
  ) {}

  /** The case's key, made now when it has none; throws CaseDataErasedError after an erasure. */
  keyFor(workflowId: string): Promise<Buffer> {
    return this.cached(workflowId, async () => {
      const stored = (await this.store.find(workflowId)) ?? (await this.create(workflowId));
      return this.unwrap(stored);
    });
  }

  /**
   * The key of a case being opened: stored at once, without looking first (one round trip, not
   * two); a key or tombstone already there wins, exactly as with `keyFor`.
   */
  newKeyFor(workflowId: string): Promise<Buffer> {
    return this.cached(workflowId, async () => this.unwrap(await this.create(workflowId)));
  }

  /** The case's existing key (decoding never makes one). */
  existingKey(workflowId: string): Promise<Buffer> {
    return this.cached(workflowId, async () => {
      const stored = await this.store.find(workflowId);
      if (stored === null) throw new CaseDataKeyMissingError(workflowId);
      return this.unwrap(stored);
    });
  }

  /** Drops cached keys (this process's part of an erasure). */
  forget(workflowIds: readonly string[]): void {
    for (const id of workflowIds) this.cache.delete(id);
  }

  private async cached(workflowId: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.cache.get(workflowId);
    if (hit !== undefined && hit.until > now) return hit.key;
    const inFlight = this.pending.get(workflowId);
    if (inFlight !== undefined) return inFlight;
    const loading = load()
      .then((key) => {
        if (this.cache.size >= DATA_KEY_CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(workflowId, { key, until: now + (this.options.ttlMs ?? DATA_KEY_CACHE_TTL_MS) });
        return key;
      })
      .finally(() => this.pending.delete(workflowId));
    this.pending.set(workflowId, loading);
    return loading;
  }

  private create(workflowId: string): Promise<StoredDataKey> {
    const masterKeyId = this.keyring.current;
    return this.store.insertIfAbsent(workflowId, masterKeyId, seal(this.keyring.key(masterKeyId), newKey()));
  }

  private unwrap(stored: StoredDataKey): Buffer {
    if ('erasedAt' in stored) throw new CaseDataErasedError(stored.workflowId, stored.erasedAt);
    return open(this.keyring.key(stored.masterKeyId), stored.wrapped);
  }
}

/** Data keys kept in memory: workflow tests and replays (their keys can be saved beside a recorded history). */
export class MemoryDataKeyStore implements DataKeyStore {
  constructor(private readonly keys = new Map<string, StoredDataKey>()) {}

  async find(workflowId: string): Promise<StoredDataKey | null> {
    return this.keys.get(workflowId) ?? null;
  }

  async insertIfAbsent(workflowId: string, masterKeyId: string, wrapped: Buffer): Promise<StoredDataKey> {
    const existing = this.keys.get(workflowId);
    if (existing !== undefined) return existing;
    const stored = { workflowId, masterKeyId, wrapped };
    this.keys.set(workflowId, stored);
    return stored;
  }

  /** The wrapped keys as JSON (base64), to save beside recorded histories. */
  toJSON(): Record<string, { masterKeyId: string; wrapped: string }> {
    const out: Record<string, { masterKeyId: string; wrapped: string }> = {};
    for (const [id, stored] of this.keys) if ('wrapped' in stored) out[id] = { masterKeyId: stored.masterKeyId, wrapped: stored.wrapped.toString('base64') };
    return out;
  }

  /** A store holding the keys `toJSON` saved. */
  static fromJSON(saved: Record<string, { masterKeyId: string; wrapped: string }>): MemoryDataKeyStore {
    const keys = new Map<string, StoredDataKey>();
    for (const [workflowId, { masterKeyId, wrapped }] of Object.entries(saved)) keys.set(workflowId, { workflowId, masterKeyId, wrapped: Buffer.from(wrapped, 'base64') });
    return new MemoryDataKeyStore(keys);
  }
}
