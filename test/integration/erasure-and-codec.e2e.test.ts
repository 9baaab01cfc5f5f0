import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { Collections } from '../../store/mongo';
import { readIntegrationStack, STACK_ENV } from './stack/stack-file';
import { daysAgo, stackWithoutKeys } from './support/fixtures';
import { CasesApi, HttpClient, requiredEnv, stackTokens, type ApiErrorBody, type OpenCaseBody } from './support/http-client';

// The codec endpoint the Temporal UI decodes with (staff only), and the erasure of a customer's
// personal data: the read model keeps the case without it, and the case's payloads no longer decode.

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const tokens = stackTokens();
const cases = new CasesApi(apiUrl, tokens.agent);
const http = new HttpClient(apiUrl);
const stack = readIntegrationStack();
const UI_ORIGIN = new URL(stack.configEnv.TEMPORAL_UI_URL ?? 'http://localhost:8233').origin;

const withoutKeys = stackWithoutKeys();

type JsonPayload = { metadata: Record<string, string>; data: string };

function returnBody(customerId: string, description: string): OpenCaseBody {
  return {
    type: 'return',
    orderId: `IT-ERASE-${randomUUID()}`,
    customerId,
    items: [{ sku: 'SKU-ERASE-1', quantity: 1, unitPrice: 3900 }],
    reason: { code: 'no_reason', description },
    evidence: [`https://img.example/${randomUUID()}.jpg`],
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 3900, currency: 'CNY' },
  };
}

/** The workflow input payload as Temporal stores it (ciphertext), in the protobuf JSON the codec endpoint takes. */
async function storedInput(caseId: string): Promise<JsonPayload> {
  const history = await withoutKeys.client.workflow.getHandle(caseWorkflowId(caseId)).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`case ${caseId} has no workflow input in its history`);
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

const text = (payload: JsonPayload) => Buffer.from(payload.data, 'base64').toString('utf8');
const meta = (payload: JsonPayload, key: string) => (payload.metadata[key] ? Buffer.from(payload.metadata[key], 'base64').toString('utf8') : undefined);

async function decodeAs(token: string | undefined, payloads: JsonPayload[], headers: Record<string, string> = {}) {
  const client = token ? http.as(token) : http;
  return client.post<{ payloads: JsonPayload[] } & ApiErrorBody>('/codec/decode', { payloads }, headers);
}

describe('codec endpoint for the Temporal UI', () => {
  test('staff decode a case input; anonymous callers get 401, customers 403, and nothing is decoded for them', async () => {
    const marker = `Li Lei 139${Math.floor(Math.random() * 1e8)}`;
    const opened = await cases.opened(tokens.agent, returnBody('c-1', marker));
    const input = await storedInput(opened.id);
    expect(text(input)).not.toContain(marker);

    const anonymous = await decodeAs(undefined, [input]);
    const customer = await decodeAs(tokens.customer, [input]);
    expect([anonymous.status, customer.status]).toEqual([401, 403]);
    expect(JSON.stringify([anonymous.body, customer.body])).not.toContain(marker);

    const staff = await decodeAs(tokens.supervisor, [input], { 'x-namespace': stack.temporalNamespace });
    expect(staff.status).toBe(200);
    expect(meta(staff.body.payloads[0], 'encoding')).toBe('json/plain');
    expect((JSON.parse(text(staff.body.payloads[0])) as { request: { reason: { description: string } } }).request.reason.description).toBe(marker);
  });

  test('the UI origin gets CORS with credentials; another origin gets none', async () => {
    const preflight = (origin: string) =>
      fetch(`${apiUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    const ui = await preflight(UI_ORIGIN);
    const other = await preflight('http://evil.example');
    expect({ status: ui.status, origin: ui.headers.get('access-control-allow-origin'), credentials: ui.headers.get('access-control-allow-credentials') }).toEqual({
      status: 204,
      origin: UI_ORIGIN,
      credentials: 'true',
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('signing in at /codec/login sets an HttpOnly cookie that decodes; a customer token is refused there', async () => {
    const form = (token: string) =>
      fetch(`${apiUrl}/codec/session`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }), redirect: 'manual' });
    const refused = await form(tokens.customer);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();

    const signedIn = await form(tokens.agent);
    const cookie = signedIn.headers.get('set-cookie') ?? '';
    expect(signedIn.status).toBe(200);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const opened = await cases.opened(tokens.agent, returnBody('c-1', 'cookie check'));
    const decoded = await decodeAs(undefined, [await storedInput(opened.id)], { cookie: cookie.split(';')[0] });
    expect(decoded.status).toBe(200);
    expect(text(decoded.body.payloads[0])).toContain('cookie check');
  });
});

describe('erasure of a customer (PIPL)', () => {
  test('refused while a case runs; then the read model keeps the cases without personal data and their payloads no longer decode', async () => {
    const customerId = `c-erase-${randomUUID().slice(0, 8)}`;
    const marker = `Han Meimei 137${Math.floor(Math.random() * 1e8)} 88 Nanjing Road`;
    const first = await cases.opened(tokens.agent, returnBody(customerId, marker));
    const second = await cases.opened(tokens.agent, returnBody(customerId, `${marker} again`));
    const firstInput = await storedInput(first.id);
    await cases.accepted(tokens.supervisor, first.id, 'cancel', { note: `cancelled: ${marker}` });
    await cases.waitFor(first.id, 'closed in the read model', (c) => c.closedAt !== null);

    const erase = (token: string, id = customerId) => http.as(token).post<Record<string, unknown> & ApiErrorBody>(`/v1/admin/customers/${encodeURIComponent(id)}/erase`, {});
    const byAgent = await erase(tokens.agent);
    expect(byAgent.status).toBe(403);
    const badId = await erase(tokens.admin, 'bad id!');
    expect({ status: badId.status, field: badId.body.error?.details?.[0]?.field }).toEqual({ status: 400, field: 'customerId' });
    const whileOpen = await erase(tokens.admin);
    expect({ status: whileOpen.status, code: whileOpen.body.error?.code }).toEqual({ status: 409, code: 'customer_has_open_cases' });
    expect(JSON.stringify(whileOpen.body)).toContain(caseWorkflowId(second.id));
    // Refused means nothing changed: the first case still decodes.
    expect(text((await decodeAs(tokens.agent, [firstInput])).body.payloads[0])).toContain(marker);

    await cases.accepted(tokens.supervisor, second.id, 'cancel', {});
    await cases.waitFor(second.id, 'closed in the read model', (c) => c.closedAt !== null);
    const erased = await erase(tokens.admin);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ customerId, cases: [first.id, second.id].sort(), dataKeysDestroyed: 2 });

    // The read model: the cases stay with amounts, statuses and dates, without the customer's text or links.
    const db = withoutKeys.db;
    const documents = await db.collection(Collections.cases).find({ customerId }).toArray();
    expect(documents.map((d) => d.status as string).sort()).toEqual(['cancelled', 'cancelled']);
    expect(JSON.stringify(documents)).not.toContain('Han Meimei');
    expect(JSON.stringify(documents)).not.toContain('img.example');
    const read: CaseSnapshot = await cases.get(first.id);
    expect({ description: read.reason.description, evidence: read.evidence, items: read.items[0].unitPrice }).toEqual({ description: '[erased]', evidence: [], items: 3900 });

    // Temporal still holds the history, but its payloads no longer decode: the codec endpoint says why.
    const afterErasure = await decodeAs(tokens.agent, [firstInput]);
    expect(afterErasure.status).toBe(200);
    expect(meta(afterErasure.body.payloads[0], 'aftersales-decode-error')).toBe('case_data_erased');
    expect(text(afterErasure.body.payloads[0])).toMatch(/erased/);
    expect(text(afterErasure.body.payloads[0])).not.toContain('Han Meimei');

    // The erasure is recorded (who, when, which cases) without the data; the data keys are tombstones.
    const record = await db.collection(Collections.erasures).findOne({ customerId });
    expect(record).toMatchObject({ erasedBy: 'admin', caseIds: [caseWorkflowId(first.id), caseWorkflowId(second.id)].sort() });
    expect(JSON.stringify(record)).not.toContain('Han Meimei');
    const keys = await db.collection(Collections.caseDataKeys).find({ _id: { $in: [caseWorkflowId(first.id), caseWorkflowId(second.id)] as never[] } }).toArray();
    expect(keys.map((k) => ({ wrapped: k.wrapped ?? null, erased: k.erasedAt instanceof Date }))).toEqual([
      { wrapped: null, erased: true },
      { wrapped: null, erased: true },
    ]);
  });
});
