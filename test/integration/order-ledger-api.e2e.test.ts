import type { Db, MongoClient } from 'mongodb';
import type { ReservationRequest } from '../../domain/order-ledger';
import { connectMongo } from '../../store/mongo';
import { OrderLedgerStore } from '../../store/order-ledger.store';
import { readIntegrationStack, STACK_ENV } from './stack/stack-file';
import { daysAgo, openCaseBody } from './support/fixtures';
import { CasesApi, HttpClient, requiredEnv, stackTokens, type ApiErrorBody } from './support/http-client';

// The order-line ledger through the running API: staff read it, and POST /v1/cases refuses a claim
// on a line the ledger says was paid back. The ledger is seeded through the store, in the stack's
// own database, as the worker's activities would write it.

const api = new HttpClient(requiredEnv(STACK_ENV.apiUrl));
const tokens = stackTokens();
/** Opens cases on orders placed in the sandbox's order service. */
const cases = new CasesApi(requiredEnv(STACK_ENV.apiUrl), tokens.agent);

/** A 422 of the ledger: the error envelope with the line facts on each detail. */
type LedgerRefusal = ApiErrorBody & {
  error: { details: { field: string; message: string; sku: string; paidBack: { amount: number; units: number; caseIds: string[] }; remaining: { amount: number; units: number } }[] };
};
interface LedgerAnswer {
  orderId: string;
  lines: { sku: string; amountPaid: number; refunded: number; reserved: number; refundable: number; unitsRemaining: number; entries: { caseId: string; state: string }[] }[];
}

let client: MongoClient;
let db: Db;
let ledger: OrderLedgerStore;

beforeAll(async () => {
  const stack = readIntegrationStack();
  ({ client, db } = await connectMongo(stack.mongoUri, stack.mongoDb));
  ledger = new OrderLedgerStore(db);
});
afterAll(async () => {
  await client?.close();
});

/** Records a refund the provider confirmed, as a case's workflow would. */
async function refunded(orderId: string, sku: string, line: { unitsBought: number; amountPaid: number }, request: Omit<ReservationRequest, 'kind' | 'at'>): Promise<void> {
  await ledger.reserve({ orderId, sku, currency: 'CNY', ...line }, { ...request, kind: 'refund', at: new Date().toISOString() });
  await ledger.settle(orderId, sku, request.key, 'committed');
}

describe('GET /v1/orders/:orderId/ledger', () => {
  it('shows staff what each line paid, paid back and has left, and refuses customers', async () => {
    const body = openCaseBody('return', 'quality_issue', { orderPrefix: 'IT-LEDGER-GET', sku: 'SKU-LEDGER-1' });
    await refunded(body.orderId, 'SKU-LEDGER-1', { unitsBought: 1, amountPaid: 8800 }, { key: 'cs_it_earlier:refund:SKU-LEDGER-1', caseId: 'cs_it_earlier', amount: 8800, units: 1 });

    const path = `/v1/orders/${encodeURIComponent(body.orderId)}/ledger`;
    const asAgent = await api.as(tokens.agent).get<LedgerAnswer>(path);
    expect(asAgent.status).toBe(200);
    expect(asAgent.body.orderId).toBe(body.orderId);
    expect(asAgent.body.lines).toEqual([
      expect.objectContaining({
        sku: 'SKU-LEDGER-1',
        amountPaid: 8800,
        refunded: 8800,
        reserved: 0,
        refundable: 0,
        unitsRemaining: 0,
        entries: [expect.objectContaining({ caseId: 'cs_it_earlier', state: 'committed' })],
      }),
    ]);

    const asCustomer = await api.as(tokens.customer).get<ApiErrorBody>(path);
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body.error.code).toBe('forbidden');

    const unknown = await api.as(tokens.supervisor).get<LedgerAnswer>('/v1/orders/IT-LEDGER-NEVER-SEEN/ledger');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ orderId: 'IT-LEDGER-NEVER-SEEN', lines: [] });
  });
});

describe('POST /v1/cases on a line the ledger says was paid back', () => {
  it('a refund-only claim on a line already refunded in full is refused 422 nothing_refundable, naming to staff the amount, units and case (to the customer, no case id)', async () => {
    const body = openCaseBody('refund_only', 'wrong_item', { orderPrefix: 'IT-LEDGER-NONE', sku: 'SKU-LEDGER-2' });
    await refunded(body.orderId, 'SKU-LEDGER-2', { unitsBought: 1, amountPaid: 8800 }, { key: 'cs_it_return:refund:SKU-LEDGER-2', caseId: 'cs_it_return', amount: 8800, units: 1 });

    // Staff opening it (the phone channel) read which case took the money.
    const response = (await cases.open(tokens.agent, body)) as unknown as { status: number; body: LedgerRefusal };
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('nothing_refundable');
    expect(response.body.error.details).toEqual([
      expect.objectContaining({ field: 'items[0].sku', sku: 'SKU-LEDGER-2', paidBack: { amount: 8800, units: 1, caseIds: ['cs_it_return'] }, remaining: { amount: 0, units: 0 } }),
    ]);
    expect(response.body.error.details[0].message).toContain('cs_it_return');
    // The buyer reads the same refusal without the case id.
    const asCustomer = (await cases.open(tokens.customer, body)) as unknown as { status: number; body: LedgerRefusal; text: string };
    expect(asCustomer.status).toBe(422);
    expect(asCustomer.body.error.details).toEqual([expect.objectContaining({ sku: 'SKU-LEDGER-2', paidBack: { amount: 8800, units: 1 }, remaining: { amount: 0, units: 0 } })]);
    expect(asCustomer.text).not.toContain('cs_it_return');
  });

  it('a claim of more units than remain is refused 422 quantity_exceeds_remaining, naming the cases that took the others', async () => {
    const body = openCaseBody('return', 'quality_issue', { orderPrefix: 'IT-LEDGER-UNITS', sku: 'SKU-LEDGER-3' }, {
      items: [{ sku: 'SKU-LEDGER-3', quantity: 2, unitPrice: 8800, orderedQuantity: 3 }],
      order: { paidAt: daysAgo(5), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 3 * 8800, currency: 'CNY' },
    });
    const line = { unitsBought: 3, amountPaid: 3 * 8800 };
    await refunded(body.orderId, 'SKU-LEDGER-3', line, { key: 'cs_it_a:refund:SKU-LEDGER-3', caseId: 'cs_it_a', amount: 8800, units: 1 });
    await refunded(body.orderId, 'SKU-LEDGER-3', line, { key: 'cs_it_b:refund:SKU-LEDGER-3', caseId: 'cs_it_b', amount: 8800, units: 1 });

    const response = (await cases.open(tokens.agent, body)) as unknown as { status: number; body: LedgerRefusal };
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('quantity_exceeds_remaining');
    expect(response.body.error.details).toEqual([
      expect.objectContaining({ field: 'items[0].quantity', sku: 'SKU-LEDGER-3', paidBack: { amount: 17_600, units: 2, caseIds: ['cs_it_a', 'cs_it_b'] }, remaining: { amount: 8800, units: 1 } }),
    ]);
  });
});
