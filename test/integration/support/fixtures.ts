import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { STACK_ENV } from '../stack/stack-file';
import { requiredEnv, type OpenCaseBody } from './http-client';

const DAY_MS = 86_400_000;

/** An ISO instant `days` days before now. */
export const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

/**
 * A Temporal client on the integration stack's server for the calling test file: connected before
 * its tests, closed after them. Read `.client` inside tests (it is set by then).
 */
export function stackTemporalClient(): { readonly client: Client } {
  let connection: Connection | undefined;
  const holder = { client: undefined as unknown as Client };
  beforeAll(async () => {
    connection = await Connection.connect({ address: requiredEnv(STACK_ENV.temporalAddress) });
    holder.client = new Client({ connection, namespace: 'default' });
  });
  afterAll(async () => {
    await connection?.close();
  });
  return holder;
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
