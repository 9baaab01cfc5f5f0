import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import pino from 'pino';
import { errorHandler } from '../../api/errors';
import { webhooksRouter } from '../../api/webhooks.routes';
import { caseWorkflowId } from '../../domain/ids';
import { instantOfBeijingTime } from '../../integrations/alipay-notify';
import { AlipayPaymentClient, alipayNotificationVerifier, alipayPaymentFromConfig } from '../../integrations/alipay-payment.client';
import { alipayRoutes, signAlipayNotification } from '../../sandbox/alipay.routes';
import { FakeCaseSignals } from './support/fake-case-signals';
import { close, listen, rsaPemPair } from './support/provider-test-kit';

// Alipay's asynchronous refund notification end to end in process: the sandbox gateway pays a refund
// and posts its signed notification to our webhook route, which verifies it with alipay-sdk and
// signals the case (a fake Temporal client records the signals).

const appKeys = rsaPemPair();
const alipayKeys = rsaPemPair();
const strangerKeys = rsaPemPair();
const APP_ID = '2021000000000001';
const SECRET = 'unit-test-webhook-secret';

const fake = new FakeCaseSignals();
let api: http.Server;
let gateway: http.Server;
let apiBase: string;
let gatewayBase: string;
let keyDir: string;
let alipay: AlipayPaymentClient;

beforeAll(async () => {
  keyDir = mkdtempSync(path.join(tmpdir(), 'alipay-notify-'));
  const privateFile = path.join(keyDir, 'app-private.pem');
  const publicFile = path.join(keyDir, 'alipay-public.pem');
  writeFileSync(privateFile, appKeys.privateKey);
  writeFileSync(publicFile, alipayKeys.publicKey);

  const logger = pino({ level: 'silent' });
  const apiApp = express();
  const config = { provider: 'alipay' as const, appId: APP_ID, privateKeyFile: privateFile, publicKeyFile: publicFile, timeoutMs: 5000 };
  apiApp.use(
    webhooksRouter({ client: fake.client, store: fake.store, secrets: { payment: SECRET, courier: SECRET }, logger, alipayVerify: alipayNotificationVerifier({ ...config, gateway: 'http://unused.invalid/gateway.do' }) }),
  );
  apiApp.use(errorHandler(logger));
  ({ server: api, base: apiBase } = await listen(apiApp));

  const gatewayApp = express().use(
    '/alipay',
    alipayRoutes({ alipayPrivateKey: alipayKeys.privateKey, appPublicKey: appKeys.publicKey, appId: APP_ID, notifyUrl: `${apiBase}/v1/webhooks/alipay`, notifyDelayMs: 10 }),
  );
  ({ server: gateway, base: gatewayBase } = await listen(gatewayApp));
  alipay = alipayPaymentFromConfig({ ...config, gateway: `${gatewayBase}/alipay/gateway.do` });
});

afterAll(async () => {
  await Promise.all([api, gateway].map(close));
  rmSync(keyDir, { recursive: true, force: true });
});

beforeEach(() => fake.reset());

/** Waits (≤ 5 s) until the fake client has recorded `n` signals. */
async function signalsReach(n: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (fake.signals.length < n) {
    if (Date.now() > until) throw new Error(`expected ${n} signal(s) from the notification, got ${fake.signals.length}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A notification of a refund of ours as Alipay writes it, before signing. */
function refundFields(refundId: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    notify_time: '2026-11-29 20:15:03',
    notify_type: 'trade_status_sync',
    notify_id: `n-${refundId}`,
    app_id: APP_ID,
    charset: 'utf-8',
    version: '1.0',
    trade_no: '2026112922001400000000000001',
    out_trade_no: 'ORD-N-1',
    out_biz_no: refundId,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '59.00',
    refund_fee: '12.30',
    gmt_refund: '2026-11-29 20:15:02.123',
    ...overrides,
  };
}

async function post(fields: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${apiBase}/v1/webhooks/alipay`, { method: 'POST', body: new URLSearchParams(fields) });
  return { status: response.status, text: await response.text() };
}

describe("Alipay's refund notification", () => {
  test('when the gateway pays a refund, its signed notification reaches the case as a settled refund under our refund id, and Alipay is answered "success"', async () => {
    fake.running.add('cs_notify1');
    const key = 'cs_notify1:refund:1';
    expect(await alipay.createRefund({ caseId: 'cs_notify1', orderId: 'ORD-N-1', amount: 1230, currency: 'CNY', paymentMethod: 'online', reason: 'return accepted' }, key)).toEqual({
      refundId: key,
      status: 'succeeded',
    });
    await signalsReach(1);
    expect(fake.signals).toEqual([
      { workflowId: caseWorkflowId('cs_notify1'), signal: 'paymentEvent', payload: expect.objectContaining({ refundId: key, status: 'succeeded' }) },
    ]);
    const payload = fake.signals[0].payload as { eventId: string; at: string };
    expect(payload.eventId).toMatch(/^alipay:[0-9a-f]{32}$/);
    expect(Date.parse(payload.at)).not.toBeNaN();
  });

  test('a notification is answered with the text "success" and the same notification again is passed on with the same event id (the case drops the repeat)', async () => {
    fake.running.add('cs_notify2');
    const signed = signAlipayNotification(refundFields('cs_notify2:refund:1'), alipayKeys.privateKey);
    expect(await post(signed)).toEqual({ status: 200, text: 'success' });
    expect(await post(signed)).toEqual({ status: 200, text: 'success' });
    expect(fake.signals.map((s) => (s.payload as { eventId: string }).eventId)).toEqual(['alipay:n-cs_notify2:refund:1', 'alipay:n-cs_notify2:refund:1']);
    expect(fake.signals[0].payload).toMatchObject({ at: '2026-11-29T12:15:02.123Z' });
  });

  test('a notification signed with another key, for another app, tampered with after signing, or unsigned is refused and reaches no case', async () => {
    fake.running.add('cs_notify3');
    const fields = refundFields('cs_notify3:refund:1');
    const forged = signAlipayNotification(fields, strangerKeys.privateKey);
    const otherApp = signAlipayNotification({ ...fields, app_id: '2021000000009999' }, alipayKeys.privateKey);
    const tampered = { ...signAlipayNotification(fields, alipayKeys.privateKey), out_biz_no: 'cs_other:refund:1' };
    for (const [what, body] of Object.entries({ forged, otherApp, tampered })) {
      const answer = await post(body);
      expect({ what, status: answer.status, code: (JSON.parse(answer.text) as { error: { code: string } }).error.code }).toEqual({ what, status: 403, code: 'invalid_signature' });
    }
    const unsigned = await post(fields);
    expect({ status: unsigned.status, fields: (JSON.parse(unsigned.text) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field) }).toEqual({
      status: 400,
      fields: ['sign'],
    });
    expect(fake.signals).toEqual([]);
  });

  test('a notification about the payment itself (no out_biz_no) is acknowledged and settles nothing', async () => {
    const { out_biz_no: _none, gmt_refund: _neither, refund_fee: _nor, ...payment } = refundFields('x');
    void [_none, _neither, _nor];
    expect(await post(signAlipayNotification(payment, alipayKeys.privateKey))).toEqual({ status: 200, text: 'success' });
    expect(fake.signals).toEqual([]);
  });

  test('a refund notification without its refund time is refused naming gmt_refund; one for a refund no case has is a 404 (Alipay sends it again)', async () => {
    const { gmt_refund: _omitted, ...noTime } = refundFields('cs_notify4:refund:1');
    void _omitted;
    const missing = await post(signAlipayNotification(noTime, alipayKeys.privateKey));
    expect({ status: missing.status, fields: (JSON.parse(missing.text) as { error: { details: { field: string }[] } }).error.details.map((d) => d.field) }).toEqual({
      status: 400,
      fields: ['gmt_refund'],
    });
    const unknown = await post(signAlipayNotification(refundFields('cs_nobody:refund:1'), alipayKeys.privateKey));
    expect({ status: unknown.status, code: (JSON.parse(unknown.text) as { error: { code: string } }).error.code }).toEqual({ status: 404, code: 'unknown_reference' });
    expect(fake.signals).toEqual([]);
  });

  test('the refund of a case that has ended is acknowledged, so that Alipay stops sending it', async () => {
    fake.ended.add('cs_notify5');
    expect(await post(signAlipayNotification(refundFields('cs_notify5:refund:1'), alipayKeys.privateKey))).toEqual({ status: 200, text: 'success' });
  });

  test('on a server without Alipay the route answers 404 provider_not_configured', async () => {
    const logger = pino({ level: 'silent' });
    const { server, base } = await listen(express().use(webhooksRouter({ client: fake.client, store: fake.store, secrets: { payment: SECRET, courier: SECRET }, logger })).use(errorHandler(logger)));
    try {
      const response = await fetch(`${base}/v1/webhooks/alipay`, { method: 'POST', body: new URLSearchParams(refundFields('cs_x:refund:1')) });
      expect({ status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code }).toEqual({ status: 404, code: 'provider_not_configured' });
    } finally {
      await close(server);
    }
  });
});

describe("Alipay's times", () => {
  test('Beijing wall-clock times with or without milliseconds are read as instants; anything else is not a time', () => {
    expect(instantOfBeijingTime('2026-11-29 08:00:00')).toBe('2026-11-29T00:00:00.000Z');
    expect(instantOfBeijingTime('2026-01-01 07:59:59.5')).toBe('2025-12-31T23:59:59.500Z');
    for (const bad of ['', '2026-11-29T08:00:00', '2026-13-01 00:00:00', '29/11/2026 08:00:00']) expect({ bad, at: instantOfBeijingTime(bad) }).toEqual({ bad, at: null });
  });
});
