import { Client, Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { payloadProtectionFromConfig, type PayloadProtection } from '../../codec/data-converter';

/** Where a tool or test finds the stack: Temporal, the database of the data keys, and the master keys. */
export interface EncryptedClientOptions {
  temporalAddress: string;
  namespace: string;
  mongoUri: string;
  mongoDb: string;
  /** The PAYLOAD_KEYS JSON the stack's worker and API use. */
  payloadKeys: string;
}

/** A Temporal client that encrypts and decrypts like the worker and the API (the stack's keys). */
export async function connectEncryptedClient(options: EncryptedClientOptions): Promise<{ client: Client; protection: PayloadProtection; close(): Promise<void> }> {
  const mongo = new MongoClient(options.mongoUri, { serverSelectionTimeoutMS: 5000, appName: 'aftersales-tool' });
  const db = mongo.db(options.mongoDb);
  const protection = payloadProtectionFromConfig({ PAYLOAD_KEYS: options.payloadKeys }, () => db);
  const connection = await Connection.connect({ address: options.temporalAddress });
  const client = new Client({ connection, namespace: options.namespace, dataConverter: protection.dataConverter });
  return {
    client,
    protection,
    close: async () => {
      await connection.close();
      await mongo.close();
    },
  };
}
