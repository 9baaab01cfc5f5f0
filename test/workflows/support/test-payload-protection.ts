import fs from 'node:fs';
import path from 'node:path';
import { MemoryDataKeyStore } from '../../../codec/case-data-keys';
import { payloadProtection } from '../../../codec/data-converter';
import { MasterKeyring } from '../../../codec/master-keys';

const REPLAY_DIR = path.resolve(__dirname, '..', '..', 'replay');
/** The test-only master key of the workflow tests and the recorded histories. */
export const REPLAY_MASTER_KEYS_FILE = path.join(REPLAY_DIR, 'replay-master-keys.json');
/** The wrapped data keys of the recorded encrypted histories (record-histories adds to it). */
export const REPLAY_DATA_KEYS_FILE = path.join(REPLAY_DIR, 'replay-data-keys.json');

/** The test master keyring. */
export function testKeyring(): MasterKeyring {
  return MasterKeyring.parse(fs.readFileSync(REPLAY_MASTER_KEYS_FILE, 'utf8'), REPLAY_MASTER_KEYS_FILE);
}

/** The data keys saved beside the recorded histories (an empty store when there are none yet). */
export function savedDataKeys(): MemoryDataKeyStore {
  if (!fs.existsSync(REPLAY_DATA_KEYS_FILE)) return new MemoryDataKeyStore();
  return MemoryDataKeyStore.fromJSON(JSON.parse(fs.readFileSync(REPLAY_DATA_KEYS_FILE, 'utf8')) as Parameters<typeof MemoryDataKeyStore.fromJSON>[0]);
}

/** The data keys the workflow tests of this process made (record-histories saves them). */
export const testDataKeys = new MemoryDataKeyStore();

/** The encryption every workflow test's client and worker use: the same codec as production, keys in memory. */
export const testProtection = payloadProtection(testKeyring(), testDataKeys);
