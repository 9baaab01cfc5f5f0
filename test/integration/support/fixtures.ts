import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { MongoClient, type Db } from 'mongodb';
import { connectEncryptedClient } from '../../../scripts/stack/encrypted-client';
import { readIntegrationStack } from '../stack/stack-file';
import type { OpenCaseBody } from './http-client';

const DAY_MS = 86_400_000;

/** An ISO instant `days` days before now. */
export const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

/**
 * A Temporal client on the integration stack's server for the calling test file: connected before
 * its tests, closed after them. Read `.client` inside tests (it is set by then).
 */
export function stackTemporalClient(): { readonly client: Client } {
  let close: (() => Promise<void>) | undefined;
  const holder = { client: undefined as unknown as Client };
  beforeAll(async () => {
    const connected = await connectStackClient();
    holder.client = connected.client;
    close = connected.close;
  });
  afterAll(async () => {
    await close?.();
  });
  return holder;
}

/**
 * What someone without the keys sees of the stack: a Temporal client with no codec (payloads stay
 * as stored) and the stack's database, for the calling test file. Read the fields inside tests.
 */
export function stackWithoutKeys(): { readonly client: Client; readonly db: Db } {
  let connection: Connection | undefined;
  let mongo: MongoClient | undefined;
  const holder = { client: undefined as unknown as Client, db: undefined as unknown as Db };
  beforeAll(async () => {
    const stack = readIntegrationStack();
    connection = await Connection.connect({ address: stack.temporalAddress });
    holder.client = new Client({ connection, namespace: stack.temporalNamespace });
    mongo = await new MongoClient(stack.mongoUri).connect();
    holder.db = mongo.db(stack.mongoDb);
  });
  afterAll(async () => {
    await connection?.close();
    await mongo?.close();
  });
  return holder;
}

/** A Temporal client on the integration stack that encrypts and decrypts with the stack's keys; close it after use. */
export function connectStackClient(): ReturnType<typeof connectEncryptedClient> {
  const stack = readIntegrationStack();
  return connectEncryptedClient({
    temporalAddress: stack.temporalAddress,
    namespace: stack.temporalNamespace,
    mongoUri: stack.mongoUri,
    mongoDb: stack.mongoDb,
    payloadKeys: stack.configEnv.PAYLOAD_KEYS,
  });
}

/**
 * A valid open-case request of `type` with reason `reason`: one item of 88.00 CNY, paid five
 * days and delivered two days ago, packaging intact, one evidence photo; its order id is
 * `<orderPrefix>-<type>-<uuid>`, so tests never share an order.
 */
export function openCaseBody(type: string, reason: string, options: { orderPrefix: string; sku: string }, overrides: Partial<OpenCaseBody> = {}): OpenCaseBody {
  return {
    type,
    orderId: `${options.orderPrefix}-${type}-${randomUUID()}`,
    customerId: 'c-1',
    items: [{ sku: options.sku, quantity: 1, unitPrice: 8800 }],
    reason: { code: reason, description: 'see photos' },
    evidence: ['https://img.example/evidence-1.jpg'],
    packagingIntact: true,
    order: { paidAt: daysAgo(5), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 8800, currency: 'CNY' },
    ...overrides,
  };
}
