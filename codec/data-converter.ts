import type { DataConverter } from '@temporalio/common';
import type { Db } from 'mongodb';
import { MongoDataKeyStore } from '../store/case-data-keys.store';
import { CaseDataKeys, type DataKeyStore } from './case-data-keys';
import { MasterKeyring } from './master-keys';
import { PayloadEncryptionCodec } from './payload-encryption.codec';

/** The encryption of one process: its master keys, the case data keys it has unwrapped, and the codec using both. */
export interface PayloadProtection {
  keyring: MasterKeyring;
  dataKeys: CaseDataKeys;
  codec: PayloadEncryptionCodec;
  /** The data converter every client and worker of this process uses (the only one in the project). */
  dataConverter: DataConverter;
}

/** Payload protection over any data key store (tests and replays use MemoryDataKeyStore). */
export function payloadProtection(keyring: MasterKeyring, store: DataKeyStore): PayloadProtection {
  const dataKeys = new CaseDataKeys(keyring, store);
  const codec = new PayloadEncryptionCodec(keyring, dataKeys);
  return {
    keyring,
    dataKeys,
    codec,
    dataConverter: { payloadCodecs: [codec], ...CONVERTER_PATHS },
  };
}

/** The workflow interceptor modules of every case worker (a pre-built workflow bundle must be built with them too). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/readable-summaries.interceptor')];

/** The converters every client and worker loads by path (and a pre-built workflow bundle must be built with). */
export const CONVERTER_PATHS = {
  payloadConverterPath: require.resolve('./payload-converter'),
  failureConverterPath: require.resolve('./failure-converter'),
} as const;

/** Payload protection of a process: master keys from PAYLOAD_KEYS / PAYLOAD_KEYS_FILE, data keys in MongoDB. */
export function payloadProtectionFromConfig(config: { PAYLOAD_KEYS?: string; PAYLOAD_KEYS_FILE?: string }, db: () => Db): PayloadProtection {
  return payloadProtection(MasterKeyring.fromConfig(config), new MongoDataKeyStore(db));
}
