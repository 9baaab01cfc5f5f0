import fs from 'node:fs';
import { newKey } from './aes-gcm';

/** The master keys: several, so they can rotate; `current` wraps new data keys, the others still unwrap old ones. */
export class MasterKeyring {
  private constructor(
    readonly current: string,
    private readonly keys: ReadonlyMap<string, Buffer>,
  ) {}

  /** The key of `id`; throws when this keyring does not hold it (rotated out, or another environment's). */
  key(id: string): Buffer {
    const key = this.keys.get(id);
    if (key === undefined) throw new MasterKeyMissingError(id);
    return key;
  }

  /** Reads `{"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>", …}}`; `source` names it in errors. */
  static parse(json: string, source: string): MasterKeyring {
    let document: unknown;
    try {
      document = JSON.parse(json);
    } catch {
      throw new KeyringError(`${source}: not JSON`);
    }
    const { current, keys } = (document ?? {}) as { current?: unknown; keys?: unknown };
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw new KeyringError(`${source}: "keys" must be an object of key id → base64 key`);
    const map = new Map<string, Buffer>();
    for (const [id, value] of Object.entries(keys)) {
      const key = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
      if (key.length !== 32) throw new KeyringError(`${source}: keys.${id} must be 32 bytes in base64 (AES-256)`);
      if (!/^[\w.-]{1,64}$/.test(id)) throw new KeyringError(`${source}: key id "${id}" may hold only letters, digits, "_", "." and "-"`);
      map.set(id, key);
    }
    if (typeof current !== 'string' || !map.has(current)) throw new KeyringError(`${source}: "current" must name one of the keys`);
    return new MasterKeyring(current, map);
  }

  /** A keyring from PAYLOAD_KEYS (the JSON itself) or PAYLOAD_KEYS_FILE (a file holding it). */
  static fromConfig(config: { PAYLOAD_KEYS?: string; PAYLOAD_KEYS_FILE?: string }): MasterKeyring {
    if (config.PAYLOAD_KEYS !== undefined) return MasterKeyring.parse(config.PAYLOAD_KEYS, 'PAYLOAD_KEYS');
    if (config.PAYLOAD_KEYS_FILE === undefined) {
      throw new KeyringError('PAYLOAD_KEYS or PAYLOAD_KEYS_FILE must be set: the master keys that encrypt what Temporal stores (docs/data-protection.md)');
    }
    let text: string;
    try {
      text = fs.readFileSync(config.PAYLOAD_KEYS_FILE, 'utf8');
    } catch (error) {
      throw new KeyringError(`PAYLOAD_KEYS_FILE ${config.PAYLOAD_KEYS_FILE}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return MasterKeyring.parse(text, `PAYLOAD_KEYS_FILE ${config.PAYLOAD_KEYS_FILE}`);
  }
}

/** The JSON text of a new keyring with one fresh key (npm start and the test stacks write one). */
export function newKeyringJson(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`): string {
  return JSON.stringify({ current: id, keys: { [id]: newKey().toString('base64') } }, null, 2);
}

/** A keyring document that cannot be used; the message names the variable or field. */
export class KeyringError extends Error {
  override name = 'KeyringError';
}

/** A payload or data key names a master key this process does not hold. */
export class MasterKeyMissingError extends Error {
  override name = 'MasterKeyMissingError';
  constructor(readonly keyId: string) {
    super(`master key "${keyId}" is not in this process's keyring (PAYLOAD_KEYS / PAYLOAD_KEYS_FILE)`);
  }
}
