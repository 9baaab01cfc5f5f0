import type http from 'node:http';
import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ALIYUN_SMS_RECEIPT_BATCH_MAX, smsReceiptCounter } from '../../api/aliyun-sms-webhook.routes';
import { errorHandler } from '../../api/errors';
import { requestLog } from '../../api/logger';
import { webhooksRouter } from '../../api/webhooks.routes';
import { ConfigError, loadConfig } from '../../config/env';
import { FakeCaseSignals } from './support/fake-case-signals';
import { close, listen } from './support/provider-test-kit';

// Aliyun SMS delivery receipts through the real webhook router in process: Aliyun's HTTP batch push
// (a JSON array of SmsReport) to POST /v1/webhooks/aliyun-sms/<token>. Aliyun signs nothing, so the
// token in the URL is the only check; the logs must carry neither the phone number nor the token.

const TOKEN = 'c0ffee5e11f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2';
const PHONE = '13912345678';
const SECRET = 'unused-webhook-secret';

const fake = new FakeCaseSignals();
let server: http.Server;
let base: string;
let registry: Registry;
/** Every log line the API wrote, as text. */
const logLines: string[] = [];

/** One report as Aliyun pushes it (a delivered one unless overridden). */
function report(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    phone_number: PHONE,
    send_time: '2026-11-29 20:15:02',
    report_time: '2026-11-29 20:15:07',
    success: true,
    err_code: 'DELIVERED',
    err_msg: '用户接收成功',
    sms_size: '1',
    biz_id: '932702304080415357^0',
    out_id: '9f86d081884c7d659a2feaa0c55ad015',
    ...overrides,
  };
}

async function push(body: unknown, path = `/v1/webhooks/aliyun-sms/${TOKEN}`): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function counted(): Promise<string> {
  return registry.getSingleMetricAsString('aftersales_sms_receipts_total');
}

beforeAll(async () => {
  const lines = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'info' }, lines);
  registry = new Registry();
  const app = express();
  app.use(requestLog(logger));
  app.use(webhooksRouter({ client: fake.client, store: fake.store, secrets: { payment: SECRET, courier: SECRET }, logger, aliyunSmsReceipts: { token: TOKEN, count: smsReceiptCounter(registry) } }));
  app.use(errorHandler(logger));
  ({ server, base } = await listen(app));
});

afterAll(async () => {
  await close(server);
});

beforeEach(() => {
  registry.resetMetrics();
  logLines.length = 0;
});

describe('Aliyun SMS delivery receipts', () => {
  test('a batch of a delivered and a failed SMS is answered {"code":0,"msg":"成功"} and counted by outcome; the failure is logged with its BizId, OutId and error code', async () => {
    const failed = report({ success: false, err_code: 'MOBILE_NOT_ON_SERVICE', err_msg: '停机', biz_id: '932702304080415358^0', out_id: 'aa11bb22cc33dd44ee55ff6600778899' });
    expect(await push([report(), failed])).toEqual({ status: 200, body: { code: 0, msg: '成功' } });
    const metric = await counted();
    expect(metric).toContain('aftersales_sms_receipts_total{outcome="delivered"} 1');
    expect(metric).toContain('aftersales_sms_receipts_total{outcome="failed"} 1');
    const warnings = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'aliyun sms: the carrier did not deliver an SMS');
    expect(warnings.map(({ bizId, outId, errCode }) => ({ bizId, outId, errCode }))).toEqual([
      { bizId: '932702304080415358^0', outId: 'aa11bb22cc33dd44ee55ff6600778899', errCode: 'MOBILE_NOT_ON_SERVICE' },
    ]);
  });

  test('neither the phone number nor the token reaches any log line (the request line names the route pattern)', async () => {
    await push([report({ success: false, err_code: 'IS_CLOSE' })]);
    await push([report({ biz_id: 5 })]);
    expect(logLines.length).toBeGreaterThan(2);
    expect(logLines.filter((line) => line.includes(PHONE))).toEqual([]);
    expect(logLines.filter((line) => line.includes(TOKEN))).toEqual([]);
    expect(logLines.some((line) => line.includes('/v1/webhooks/aliyun-sms/:token'))).toBe(true);
  });

  test('a repeated push (Aliyun retries until it reads the answer) is answered the same and counted again', async () => {
    expect((await push([report()])).status).toBe(200);
    expect((await push([report()])).status).toBe(200);
    expect(await counted()).toContain('aftersales_sms_receipts_total{outcome="delivered"} 2');
  });

  test('a wrong, shorter, longer or missing token is refused 403 invalid_token before the body is read, and nothing is counted', async () => {
    for (const path of [`/v1/webhooks/aliyun-sms/${TOKEN.slice(0, -1)}x`, `/v1/webhooks/aliyun-sms/${TOKEN.slice(0, 8)}`, `/v1/webhooks/aliyun-sms/${TOKEN}0`, '/v1/webhooks/aliyun-sms']) {
      const answer = await push('not json at all', path);
      expect({ path, status: answer.status, code: (answer.body as { error: { code: string } }).error.code }).toEqual({ path, status: 403, code: 'invalid_token' });
    }
    expect(await counted()).not.toContain('outcome=');
  });

  test('bodies that are not a batch of SMS reports are refused 400 naming the field, and nothing is counted', async () => {
    const cases: [unknown, string][] = [
      [[report(), report({ success: 'true' })], '[1].success'],
      [[report({ biz_id: undefined })], '[0].biz_id'],
      [[report({ phone_number: 13912345678 })], '[0].phone_number'],
      [{ biz_id: 'x', success: true }, '(body)'],
      [[], '(body)'],
      [Array.from({ length: ALIYUN_SMS_RECEIPT_BATCH_MAX + 1 }, () => report()), '(body)'],
    ];
    for (const [body, field] of cases) {
      const answer = await push(body);
      const error = (answer.body as { error: { code: string; details?: { field: string; message: string }[] } }).error;
      expect({ field, status: answer.status, code: error.code, fields: error.details?.map((d) => d.field) }).toEqual({ field, status: 400, code: 'validation_failed', fields: [field] });
      // The number is never repeated back, even when it is the wrong field.
      expect(JSON.stringify(answer.body)).not.toContain(PHONE);
    }
    expect((await push('[{"success": tru')).status).toBe(400);
    expect(await counted()).not.toContain('outcome=');
  });

  test('on a server without Aliyun SMS receipts both paths answer 404 provider_not_configured', async () => {
    const logger = pino({ level: 'silent' });
    const other = await listen(express().use(webhooksRouter({ client: fake.client, store: fake.store, secrets: { payment: SECRET, courier: SECRET }, logger })).use(errorHandler(logger)));
    try {
      for (const path of ['/v1/webhooks/aliyun-sms', `/v1/webhooks/aliyun-sms/${TOKEN}`]) {
        const response = await fetch(`${other.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([report()]) });
        expect({ path, status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code }).toEqual({ path, status: 404, code: 'provider_not_configured' });
      }
    } finally {
      await close(other.server);
    }
  });
});

describe('ALIYUN_SMS_RECEIPT_TOKEN', () => {
  test('a token shorter than 32 characters or with characters a URL would escape stops the start, naming the variable', () => {
    for (const token of ['too-short-token', `${'a'.repeat(32)}/x`, `${'a'.repeat(32)}?x`]) {
      expect(() => loadConfig({ ALIYUN_SMS_RECEIPT_TOKEN: token })).toThrow(ConfigError);
      expect(() => loadConfig({ ALIYUN_SMS_RECEIPT_TOKEN: token })).toThrow(/ALIYUN_SMS_RECEIPT_TOKEN: must be 32 to 128 letters/);
    }
    expect(() => loadConfig({ ALIYUN_SMS_RECEIPT_TOKEN: TOKEN })).not.toThrow();
    const aliyun = { SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ACCESS_KEY_ID: 'id', ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret', ALIYUN_SMS_SIGN_NAME: '售后', ALIYUN_SMS_TEMPLATES_FILE: 'templates.json' };
    expect(loadConfig({ ...aliyun, ALIYUN_SMS_RECEIPT_TOKEN: TOKEN }).notification.sms).toMatchObject({ provider: 'aliyun', receiptToken: TOKEN });
  });
});
