import { createCipheriv, generateKeyPairSync, randomBytes } from 'node:crypto';
import type http from 'node:http';
import express from 'express';
import pino from 'pino';
import { errorHandler } from '../../api/errors';
import { webhooksRouter } from '../../api/webhooks.routes';
import { caseWorkflowId } from '../../domain/ids';
import { WechatPayPaymentClient } from '../../integrations/wechatpay-payment.client';
import { TimerSet } from '../../sandbox/timer-set';
import { signedHeaders, wechatpayRoutes, type WechatpaySandboxRefund } from '../../sandbox/wechatpay.routes';
import { FakeCaseSignals } from './support/fake-case-signals';
import { close, listen } from './support/provider-test-kit';

// WeChat Pay's refund notification through the real webhook router, over a fake Temporal client that
// records every signal: first as the sandbox sends it after a refund made by the adapter, then
// hand-made notifications that must be refused.

const merchantKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const platformKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APIV3_KEY = randomBytes(16).toString('hex');
const PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092025110100000000';
const MCHID = '1900000109';
const CASE = 'cs_00000000000000000000beef';
const OUT_REFUND_NO = `${CASE}-refund-1`;

const fake = new FakeCaseSignals();

// The read model knows no refund id (the fake's is empty): routing goes by the case id in out_refund_no.
const liveRouting = { caseByRefundId: async () => null, casesByTrackingNumber: async () => [] };

let api: http.Server;
let apiBase: string;
let unconfigured: http.Server;
let unconfiguredBase: string;
let sandbox: http.Server;
let sandboxBase: string;
let timers: TimerSet;

beforeAll(async () => {
  const logger = pino({ level: 'silent' });
  const deps = { client: fake.client, store: fake.store, secrets: { payment: 'unit-test-webhook-secret', courier: 'unit-test-webhook-secret' }, logger, liveRouting: liveRouting as never };
  const app = express();
  app.use(webhooksRouter({ ...deps, wechatpay: { platformPublicKey: platformKeys.publicKey, platformPublicKeyId: PUBLIC_KEY_ID, apiV3Key: Buffer.from(APIV3_KEY) } }));
  app.use(errorHandler(logger));
  ({ server: api, base: apiBase } = await listen(app));

  const plain = express();
  plain.use(webhooksRouter(deps));
  plain.use(errorHandler(logger));
  ({ server: unconfigured, base: unconfiguredBase } = await listen(plain));

  timers = new TimerSet();
  const routes = wechatpayRoutes({
    platformPrivateKey: platformKeys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    merchantPublicKey: merchantKeys.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    apiV3Key: APIV3_KEY,
    platformPublicKeyId: PUBLIC_KEY_ID,
    mchid: MCHID,
    settleMs: 20,
    timers,
    logger,
  });
  ({ server: sandbox, base: sandboxBase } = await listen(express().use('/wechatpay', routes.router)));
});

afterAll(async () => {
  timers.close();
  for (const server of [api, unconfigured, sandbox]) await close(server);
});

beforeEach(() => fake.reset());

/** A notification as WeChat Pay sends it: the refund encrypted with the APIv3 key, the body signed. */
function notification(overrides: { eventType?: string; refund?: Record<string, unknown>; apiV3Key?: string; id?: string } = {}) {
  const refund = {
    mchid: MCHID,
    out_trade_no: 'ORD-1-2026',
    transaction_id: '4200000000000000000000000001',
    out_refund_no: OUT_REFUND_NO,
    refund_id: '50000000000000000000000001',
    refund_status: 'SUCCESS',
    success_time: '2026-11-29T19:30:00+08:00',
    user_received_account: '支付用户零钱',
    amount: { total: 5900, refund: 1230, payer_total: 5900, payer_refund: 1230 },
    ...overrides.refund,
  };
  const nonce = randomBytes(6).toString('hex');
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(overrides.apiV3Key ?? APIV3_KEY), nonce).setAAD(Buffer.from('refund'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(refund), 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return {
    id: overrides.id ?? 'EV-2026112919300000000001',
    create_time: '2026-11-29T19:30:01+08:00',
    resource_type: 'encrypt-resource',
    event_type: overrides.eventType ?? 'REFUND.SUCCESS',
    summary: '退款成功',
    resource: { original_type: 'refund', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: 'refund', nonce },
  };
}

/** Posts a body with the given headers (by default signed by the platform key under our public key id, now). */
async function post(body: string, headers: Record<string, string> = signedHeaders(body, platformKeys.privateKey, PUBLIC_KEY_ID), base = apiBase) {
  const res = await fetch(`${base}/v1/webhooks/wechatpay`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown> & { error?: { code: string; details: { field: string }[] } }) };
}

describe('POST /v1/webhooks/wechatpay', () => {
  test('a refund made through the adapter is settled by the sandbox\'s signed, encrypted REFUND.SUCCESS notification, delivered to its case once and answered 204', async () => {
    fake.running.add(CASE);
    const wechatpay = new WechatPayPaymentClient({
      mchid: MCHID,
      merchantSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
      privateKey: merchantKeys.privateKey,
      platformPublicKey: platformKeys.publicKey,
      platformPublicKeyId: PUBLIC_KEY_ID,
      notifyUrl: `${apiBase}/v1/webhooks/wechatpay`,
      baseUrl: `${sandboxBase}/wechatpay`,
      timeoutMs: 5000,
    });
    const answer = await wechatpay.createRefund({ caseId: CASE, orderId: 'ORD-77-2026', amount: 1230, currency: 'CNY', paymentMethod: 'online', reason: 'return accepted' }, `${CASE}:refund:1`);
    expect(answer).toEqual({ refundId: OUT_REFUND_NO, status: 'pending' });

    let refunds: WechatpaySandboxRefund[] = [];
    for (let waited = 0; waited < 5000 && !refunds[0]?.notifications.length; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      refunds = ((await (await fetch(`${sandboxBase}/wechatpay/control/refunds`)).json()) as { refunds: WechatpaySandboxRefund[] }).refunds;
    }
    expect(refunds[0]?.notifications).toEqual([204]);
    expect(fake.signals).toEqual([
      {
        workflowId: caseWorkflowId(CASE),
        signal: 'paymentEvent',
        payload: { eventId: expect.stringMatching(/^EV-/), refundId: OUT_REFUND_NO, status: 'succeeded', at: new Date(Date.parse(refunds[0].successTime!)).toISOString() },
      },
    ]);
    expect(await wechatpay.queryRefund(OUT_REFUND_NO)).toMatchObject({ status: 'succeeded', amount: 1230 });
  });

  test('a genuine notification is answered 204 with no body, and a repeat carries the same event id (the case drops it)', async () => {
    fake.running.add(CASE);
    const body = JSON.stringify(notification());
    const first = await post(body);
    expect({ status: first.status, text: first.text }).toEqual({ status: 204, text: '' });
    expect((await post(body)).status).toBe(204);
    expect(fake.signals.map((s) => s.payload)).toEqual([
      { eventId: 'EV-2026112919300000000001', refundId: OUT_REFUND_NO, status: 'succeeded', at: '2026-11-29T11:30:00.000Z' },
      { eventId: 'EV-2026112919300000000001', refundId: OUT_REFUND_NO, status: 'succeeded', at: '2026-11-29T11:30:00.000Z' },
    ]);
  });

  test.each([
    ['REFUND.ABNORMAL', 'ABNORMAL', 'refund_abnormal'],
    ['REFUND.CLOSED', 'CLOSED', 'refund_closed'],
  ])('%s settles the refund as failed, dated by the notification', async (eventType, status, reason) => {
    fake.running.add(CASE);
    const body = JSON.stringify(notification({ eventType, refund: { refund_status: status, success_time: undefined } }));
    expect((await post(body)).status).toBe(204);
    expect(fake.signals.map((s) => s.payload)).toEqual([{ eventId: 'EV-2026112919300000000001', refundId: OUT_REFUND_NO, status: 'failed', at: '2026-11-29T11:30:01.000Z', reason }]);
  });

  const now = () => Math.floor(Date.now() / 1000);
  test.each([
    ['that is unsigned', () => ({})],
    ['signed by a key that is not WeChat Pay\'s', (body: string) => signedHeaders(body, strangerKeys.privateKey, PUBLIC_KEY_ID)],
    ['signed under another serial', (body: string) => signedHeaders(body, platformKeys.privateKey, 'PUB_KEY_ID_SOMEONE_ELSE')],
    ['signed six minutes ago', (body: string) => signedHeaders(body, platformKeys.privateKey, PUBLIC_KEY_ID, now() - 360)],
    ['dated six minutes ahead', (body: string) => signedHeaders(body, platformKeys.privateKey, PUBLIC_KEY_ID, now() + 360)],
    ['that is WeChat Pay\'s signature probe', (body: string) => ({ ...signedHeaders(body, platformKeys.privateKey, PUBLIC_KEY_ID), 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/abc' })],
  ])('a notification %s is refused with 401 {"code":"FAIL"} and nothing is delivered', async (_what, headersFor) => {
    fake.running.add(CASE);
    const body = JSON.stringify(notification());
    const answer = await post(body, headersFor(body));
    expect({ status: answer.status, code: answer.json?.code }).toEqual({ status: 401, code: 'FAIL' });
    expect(fake.signals).toEqual([]);
  });

  test('a ciphertext changed after signing is refused (401), and one that was signed but does not decrypt with our APIv3 key is a 400 naming resource.ciphertext; nothing is delivered', async () => {
    fake.running.add(CASE);
    const genuine = notification();
    const signed = JSON.stringify(genuine);
    const flipped = Buffer.from(genuine.resource.ciphertext, 'base64');
    flipped[0] ^= 1;
    const tampered = JSON.stringify({ ...genuine, resource: { ...genuine.resource, ciphertext: flipped.toString('base64') } });
    expect((await post(tampered, signedHeaders(signed, platformKeys.privateKey, PUBLIC_KEY_ID))).status).toBe(401);

    const resigned = await post(tampered);
    expect({ status: resigned.status, fields: resigned.json?.error?.details.map((d) => d.field) }).toEqual({ status: 400, fields: ['resource.ciphertext'] });
    const otherKey = await post(JSON.stringify(notification({ apiV3Key: randomBytes(16).toString('hex') })));
    expect(otherKey.status).toBe(400);
    expect(fake.signals).toEqual([]);
  });

  test('a signed body that is not a notification is a 400 naming the field', async () => {
    const { resource, ...rest } = notification();
    const noNonce = await post(JSON.stringify({ ...rest, resource: { ...resource, nonce: undefined } }));
    expect({ status: noNonce.status, fields: noNonce.json?.error?.details.map((d) => d.field) }).toEqual({ status: 400, fields: ['resource.nonce'] });
    const badRefund = await post(JSON.stringify(notification({ refund: { out_refund_no: 7 } })));
    expect({ status: badRefund.status, fields: badRefund.json?.error?.details.map((d) => d.field) }).toEqual({ status: 400, fields: ['resource.out_refund_no'] });
    const notJson = await post('{"id":');
    expect({ status: notJson.status, code: notJson.json?.error?.code }).toEqual({ status: 400, code: 'invalid_json' });
    expect(fake.signals).toEqual([]);
  });

  test('a notification of a refund no case has is a 404 (WeChat Pay sends it again later)', async () => {
    const answer = await post(JSON.stringify(notification({ refund: { out_refund_no: 'cs_00000000000000000000dead-refund-1' } })));
    expect({ status: answer.status, code: answer.json?.error?.code }).toEqual({ status: 404, code: 'unknown_reference' });
    expect(fake.signals).toEqual([]);
  });

  test('on a server where WeChat Pay is not the online payment provider, the route is a 404 provider_not_configured', async () => {
    const body = JSON.stringify(notification());
    const answer = await post(body, signedHeaders(body, platformKeys.privateKey, PUBLIC_KEY_ID), unconfiguredBase);
    expect({ status: answer.status, code: answer.json?.error?.code }).toEqual({ status: 404, code: 'provider_not_configured' });
  });
});
