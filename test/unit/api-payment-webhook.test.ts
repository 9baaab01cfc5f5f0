import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express from 'express';
import pino from 'pino';
import { errorHandler, zodDetails } from '../../api/errors';
import { buildOpenApiDocument } from '../../api/openapi';
import { webhooksRouter } from '../../api/webhooks.routes';
import { paymentSettlement, paymentWebhookSchema } from '../../api/webhooks.schemas';
import { caseWorkflowId } from '../../domain/ids';
import { signWebhook } from '../../integrations/webhook-signature';
import { FakeCaseSignals } from './support/fake-case-signals';

// The payment webhook between the signature check and the Signal: what it accepts, which case it
// picks and which Signal it sends, over a fake Temporal client that records every signal.

const NOW_SEC = Math.floor(Date.parse('2026-04-20T08:00:00Z') / 1000);
const SECRET = 'unit-test-webhook-secret';
const AT = '2026-04-20T07:59:00Z';

const fieldsOf = (body: unknown) => {
  const result = paymentWebhookSchema.safeParse(body);
  return result.success ? [] : zodDetails(result.error).map((d) => d.field).sort();
};

describe('the payment webhook body', () => {
  const refund = { eventId: 'evt-1', refundId: 're_1', merchantReference: 'cs_1', status: 'succeeded', at: AT };
  const collection = { eventId: 'evt-2', collectionId: 'col_1', merchantReference: 'cs_1', status: 'failed', at: AT, reason: 'payment_declined' };

  it('reads a refund settlement as before, with or without merchantReference', () => {
    expect(paymentSettlement(paymentWebhookSchema.parse(refund))).toEqual({
      kind: 'refund',
      merchantReference: 'cs_1',
      event: { eventId: 'evt-1', refundId: 're_1', status: 'succeeded', at: '2026-04-20T07:59:00.000Z' },
    });
    const { merchantReference: _omitted, ...bare } = refund;
    void _omitted;
    expect(paymentSettlement(paymentWebhookSchema.parse(bare))).toMatchObject({ kind: 'refund', merchantReference: undefined });
  });

  it('reads a collection settlement into the event the case hears: no merchantReference in it, unknown provider fields dropped', () => {
    expect(paymentSettlement(paymentWebhookSchema.parse({ ...collection, livemode: false }))).toEqual({
      kind: 'collection',
      merchantReference: 'cs_1',
      event: { eventId: 'evt-2', collectionId: 'col_1', status: 'failed', at: '2026-04-20T07:59:00.000Z', reason: 'payment_declined' },
    });
  });

  it('refuses a body with both ids, naming collectionId', () => {
    expect(fieldsOf({ ...collection, refundId: 're_1' })).toEqual(['collectionId']);
  });

  it('refuses a body with neither id, naming both, together with any other bad field', () => {
    const { collectionId: _omitted, ...neither } = collection;
    void _omitted;
    expect(fieldsOf(neither)).toEqual(['collectionId', 'refundId']);
    expect(fieldsOf({ ...neither, status: 'paid' })).toEqual(['collectionId', 'refundId', 'status']);
  });

  it('refuses a collection settlement that does not name its case', () => {
    const { merchantReference: _omitted, ...anonymous } = collection;
    void _omitted;
    expect(fieldsOf(anonymous)).toEqual(['merchantReference']);
  });

  it('is described in the OpenAPI document as one or the other settlement', () => {
    const schemas = (buildOpenApiDocument().components as { schemas: Record<string, { properties: object; oneOf: unknown }> }).schemas;
    expect(Object.keys(schemas.PaymentEvent.properties)).toEqual(expect.arrayContaining(['refundId', 'collectionId', 'merchantReference']));
    expect(schemas.PaymentEvent.oneOf).toEqual([{ required: ['refundId'] }, { required: ['collectionId', 'merchantReference'] }]);
  });
});

// A fake Temporal client that records every signal, and a read model that knows refund owners.
const fake = new FakeCaseSignals();
const { signals, running, ended, refundOwners, snapshots, client, store } = fake;

let server: http.Server;
let base: string;
/** What the API logged at error level, and how often it counted a refund paid after its case ended. */
const errors: { caseId?: string; refundId?: string; msg: string }[] = [];
let paidAfterEnd = 0;

beforeAll(async () => {
  const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(JSON.parse(line) as (typeof errors)[number]) });
  const app = express();
  app.use(webhooksRouter({ client, store, secrets: { payment: SECRET, courier: SECRET }, logger, nowSec: () => NOW_SEC, countRefundPaidAfterCaseEnded: () => paidAfterEnd++ }));
  app.use(errorHandler(logger));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  fake.reset();
  errors.length = 0;
  paidAfterEnd = 0;
});

/** Posts a signed payment callback, as the provider does. */
async function callback(body: unknown) {
  const raw = JSON.stringify(body);
  const response = await fetch(`${base}/v1/webhooks/payment`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': signWebhook(raw, SECRET, NOW_SEC) },
    body: raw,
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; details: { field: string }[] } } & Record<string, unknown> };
}

describe('POST /v1/webhooks/payment', () => {
  const paid = { eventId: 'evt-c1', collectionId: 'col_1', merchantReference: 'cs_quote', status: 'succeeded', at: AT };

  it('delivers a collection settlement to the case its merchantReference names, as a collectionEvent signal', async () => {
    running.add('cs_quote');
    const response = await callback(paid);
    expect(response).toEqual({ status: 202, body: { accepted: true, caseId: 'cs_quote' } });
    expect(signals).toEqual([
      {
        workflowId: caseWorkflowId('cs_quote'),
        signal: 'collectionEvent',
        payload: { eventId: 'evt-c1', collectionId: 'col_1', status: 'succeeded', at: '2026-04-20T07:59:00.000Z' },
      },
    ]);
  });

  it('passes a redelivered collection settlement on again with the same eventId (the case drops the repeat)', async () => {
    running.add('cs_quote');
    await callback(paid);
    await callback(paid);
    expect(signals.map((s) => (s.payload as { eventId: string }).eventId)).toEqual(['evt-c1', 'evt-c1']);
  });

  it('answers a collection settlement of an ended case with 200 ignored, and of no case with 404 unknown_reference', async () => {
    ended.add('cs_quote');
    expect(await callback(paid)).toEqual({ status: 200, body: { ignored: true, caseId: 'cs_quote' } });
    const unknown = await callback({ ...paid, merchantReference: 'cs_nobody' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('unknown_reference');
    const notAnId = await callback({ ...paid, merchantReference: 'order 42/7' });
    expect(notAnId.status).toBe(404);
    expect(signals).toEqual([]);
  });

  it('still routes a refund settlement by refund id as a paymentEvent signal', async () => {
    running.add('cs_refund');
    refundOwners.set('re_9', 'cs_refund');
    const response = await callback({ eventId: 'evt-r1', refundId: 're_9', status: 'succeeded', at: AT });
    expect(response.status).toBe(202);
    expect(signals).toEqual([
      { workflowId: caseWorkflowId('cs_refund'), signal: 'paymentEvent', payload: { eventId: 'evt-r1', refundId: 're_9', status: 'succeeded', at: '2026-04-20T07:59:00.000Z' } },
    ]);
  });

  it('raises a refund reported paid for an ended case that did not record it paid: logged as an error with the ids, counted, answered 200 ignored', async () => {
    ended.add('cs_done');
    refundOwners.set('re_gaveup', 'cs_done');
    // The case ended with a later attempt paid; the provider now says the given-up first one paid too.
    snapshots.set('cs_done', { refund: { id: 're_paid', status: 'succeeded', amount: 8800, currency: 'CNY', idempotencyKey: 'cs_done:refund:2', method: 'original_path' } });
    const response = await callback({ eventId: 'evt-late', refundId: 're_gaveup', status: 'succeeded', at: AT });
    expect(response).toEqual({ status: 200, body: { ignored: true, caseId: 'cs_done' } });
    expect(paidAfterEnd).toBe(1);
    expect(errors).toEqual([expect.objectContaining({ caseId: 'cs_done', refundId: 're_gaveup', recordedRefundId: 're_paid', recordedStatus: 'succeeded', msg: expect.stringContaining('ended without it') })]);
  });

  it('raises nothing for a repeat of the ended case\'s own paid refund, nor for a failure of an ended case', async () => {
    ended.add('cs_done');
    refundOwners.set('re_paid', 'cs_done');
    refundOwners.set('re_other', 'cs_done');
    snapshots.set('cs_done', { refund: { id: 're_paid', status: 'succeeded', amount: 8800, currency: 'CNY', idempotencyKey: 'cs_done:refund:1', method: 'original_path' } });
    expect((await callback({ eventId: 'evt-again', refundId: 're_paid', status: 'succeeded', at: AT })).status).toBe(200);
    expect((await callback({ eventId: 'evt-fail', refundId: 're_other', status: 'failed', at: AT, reason: 'declined' })).status).toBe(200);
    expect({ paidAfterEnd, errors }).toEqual({ paidAfterEnd: 0, errors: [] });
  });

  it('raises a refund paid for an ended case whose snapshot the read model cannot give (a person checks either way)', async () => {
    ended.add('cs_gone');
    refundOwners.set('re_x', 'cs_gone');
    expect((await callback({ eventId: 'evt-x', refundId: 're_x', status: 'succeeded', at: AT })).status).toBe(200);
    expect(paidAfterEnd).toBe(1);
  });

  it('answers 400 naming the field for a settlement with both ids or neither, and signals nothing', async () => {
    running.add('cs_quote');
    const both = await callback({ ...paid, refundId: 're_1' });
    expect(both.status).toBe(400);
    expect(both.body.error?.details.map((d) => d.field)).toEqual(['collectionId']);
    const { collectionId: _omitted, ...neither } = paid;
    void _omitted;
    const none = await callback(neither);
    expect(none.status).toBe(400);
    expect(none.body.error?.details.map((d) => d.field).sort()).toEqual(['collectionId', 'refundId']);
    expect(signals).toEqual([]);
  });
});

// Issue 23: one secret per provider, and the sandbox-protocol routes only where that provider is configured.
describe('one secret per provider', () => {
  const PAYMENT = 'payment-only-secret';
  const COURIER = 'courier-only-secret';

  /** Posts `body` to `path` of a router with `secrets`, signed with `secret`. */
  async function post(secrets: { payment?: string; courier?: string }, path: string, body: unknown, secret: string) {
    const logger = pino({ level: 'silent' });
    const app = express().use(webhooksRouter({ client, store, secrets, logger, nowSec: () => NOW_SEC })).use(errorHandler(logger));
    const other = http.createServer(app);
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const raw = JSON.stringify(body);
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}${path}`;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature': signWebhook(raw, secret, NOW_SEC) }, body: raw });
      return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  }

  const refund = { eventId: 'evt-f1', refundId: 're_9', status: 'failed', at: AT, reason: 'forged' };
  const parcel = { eventId: 'evt-c1', trackingNumber: 'SF1', event: 'delivered', at: AT };

  it("refuses a payment callback signed with the courier's secret (401), and a courier callback signed with the payment's", async () => {
    refundOwners.set('re_9', 'cs_refund');
    running.add('cs_refund');
    const both = { payment: PAYMENT, courier: COURIER };
    expect((await post(both, '/v1/webhooks/payment', refund, COURIER)).status).toBe(401);
    expect((await post(both, '/v1/webhooks/courier', parcel, PAYMENT)).status).toBe(401);
    expect(signals).toEqual([]);
    expect((await post(both, '/v1/webhooks/payment', refund, PAYMENT)).status).toBe(202);
  });

  it('answers 404 provider_not_configured on a route whose provider is not the sandbox protocol here', async () => {
    const payment = await post({ courier: COURIER }, '/v1/webhooks/payment', refund, COURIER);
    expect(payment).toMatchObject({ status: 404, body: { error: { code: 'provider_not_configured' } } });
    const courier = await post({ payment: PAYMENT }, '/v1/webhooks/courier', parcel, PAYMENT);
    expect(courier).toMatchObject({ status: 404, body: { error: { code: 'provider_not_configured' } } });
    expect(signals).toEqual([]);
  });
});
