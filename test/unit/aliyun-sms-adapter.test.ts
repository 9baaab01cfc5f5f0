import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NotificationPort, OutboundMessage } from '../../activities/provider-ports';
import { ConfigError, loadConfig } from '../../config/env';
import { TERMINAL_STATUSES } from '../../domain/case.types';
import { createProviderClients } from '../../integrations';
import {
  ALIYUN_SMS_CODES,
  AliyunSmsClient,
  aliyunSmsOptionsOf,
  CUSTOMER_TEMPLATES,
  InMemorySmsSendLog,
  outIdOf,
  readAliyunSmsTemplates,
  type AliyunSmsOptions,
} from '../../integrations/aliyun-sms.client';
import { CustomerDirectoryClient } from '../../integrations/customer-directory.client';
import { SANDBOX_ALIYUN_ACCESS_KEY_ID, type AliyunSandboxSms } from '../../sandbox/aliyun-sms.routes';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { sandboxPhoneOf } from '../../sandbox/customer-directory.routes';
import { close, listen, providerErrorOf } from './support/provider-test-kit';

// The Aliyun SMS adapter, through Alibaba Cloud's own SDK, against the sandbox's Aliyun SMS in this
// process: the sandbox checks each request's ACS3-HMAC-SHA256 signature with its secret, and its
// customer directory gives every customer id a fixed fake mainland number.

const SECRET = `aliyun-secret-${process.pid}-${Date.now()}`;
const SIGN_NAME = '售后测试';
const EXAMPLE_TEMPLATES = path.join(__dirname, '../../config/aliyun-sms-templates.example.json');

let sandbox: Sandbox;
let server: Server;
let root: string;
let dir: string;
let templatesFile: string;
let options: AliyunSmsOptions;
let directory: CustomerDirectoryClient;

beforeAll(async () => {
  sandbox = createSandboxApp({ apiKey: SECRET, callbackBaseUrl: 'http://127.0.0.1:9/v1/webhooks', webhookSecret: 'unused-secret', trackingStepMs: 60_000, settleMs: 60_000 });
  ({ server, base: root } = await listen(sandbox.app));
  dir = mkdtempSync(path.join(tmpdir(), 'aliyun-sms-'));
  templatesFile = path.join(dir, 'templates.json');
  copyFileSync(EXAMPLE_TEMPLATES, templatesFile);
  options = aliyunSmsOptionsOf({
    provider: 'aliyun',
    accessKeyId: SANDBOX_ALIYUN_ACCESS_KEY_ID,
    accessKeySecret: SECRET,
    signName: SIGN_NAME,
    templatesFile,
    endpoint: root,
    directory: { baseUrl: `${root}/customer-directory`, apiKey: SECRET, timeoutMs: 5000 },
    timeoutMs: 5000,
  });
  directory = new CustomerDirectoryClient({ baseUrl: `${root}/customer-directory`, apiKey: SECRET, timeoutMs: 5000, retries: 0 });
});

afterAll(async () => {
  sandbox.close();
  await close(server);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${root}/aliyun-sms/control/reset`, { method: 'POST' });
});

/** A notification adapter that records what it was given (the fallback for customers without a number). */
function recordingPort(): NotificationPort & { sent: { message: OutboundMessage; key: string }[] } {
  const sent: { message: OutboundMessage; key: string }[] = [];
  return { sent, send: async (message, key) => (sent.push({ message, key }), { messageId: `fallback-${sent.length}` }) };
}

function adapter(overrides: Partial<AliyunSmsOptions> = {}, fallback: NotificationPort | null = recordingPort()) {
  return new AliyunSmsClient({ ...options, ...overrides }, directory, new InMemorySmsSendLog(), fallback);
}

let next = 0;
function customerMessage(template: string, params: OutboundMessage['params'], customerId = `cust-${++next}`): { message: OutboundMessage; key: string } {
  const caseId = `cs_${String(++next).padStart(24, '0')}`;
  return {
    message: { caseId, recipient: { kind: 'customer', customerId }, template, params: { caseType: 'return', status: 'awaiting_return_shipment', ...params } },
    key: `${caseId}:${template}`,
  };
}

async function sentSms(): Promise<AliyunSandboxSms[]> {
  return ((await (await fetch(`${root}/aliyun-sms/control/messages`)).json()) as { messages: AliyunSandboxSms[] }).messages;
}

async function control(name: string, body?: unknown): Promise<void> {
  const res = await fetch(`${root}/aliyun-sms/control/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  if (!res.ok) throw new Error(`sandbox control ${name} answered ${res.status}`);
}

const RETURN_LABEL = { labelId: 'lbl_1', carrier: 'SF', trackingNumber: 'SF1234567890', warehouseCode: 'WH-SH-01', shipBy: '2026-03-01T16:30:00.000Z' };

describe('Aliyun SendSms through @alicloud/dysmsapi20170525 against the sandbox', () => {
  test('when a return label is sent, Aliyun gets the template code, the sign name, the directory number, the declared params only and a digest of the key as OutId', async () => {
    const { message, key } = customerMessage('return_label', RETURN_LABEL);
    const answer = await adapter().send(message, key);
    const [sms, ...more] = await sentSms();
    expect(more).toEqual([]);
    expect(answer).toEqual({ messageId: sms.bizId });
    expect({ ...sms, templateParam: JSON.parse(sms.templateParam) as unknown }).toEqual({
      bizId: expect.stringMatching(/^\d+$/),
      phoneNumbers: sandboxPhoneOf(message.recipient.kind === 'customer' ? message.recipient.customerId : ''),
      signName: SIGN_NAME,
      templateCode: 'SMS_480100001',
      // shipBy in Beijing time; labelId and warehouseCode are not declared by this template, so not sent.
      templateParam: { caseId: message.caseId, carrier: 'SF', trackingNumber: 'SF1234567890', shipBy: '2026-03-02 00:30' },
      outId: outIdOf(key),
      sendDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
    });
  });

  test('amounts in fen are sent as yuan with two decimals', async () => {
    const { message, key } = customerMessage('refund_succeeded', { amount: 1230, currency: 'CNY' });
    await adapter().send(message, key);
    const [sms] = await sentSms();
    expect(JSON.parse(sms.templateParam)).toEqual({ caseId: message.caseId, amount: '12.30' });
  });

  test("an agent's note in the message (info_requested) never reaches the SMS: the template declares only the case id", async () => {
    const { message, key } = customerMessage('info_requested', { note: '请把发票拍照 call me 13800138000' });
    await adapter().send(message, key);
    const [sms] = await sentSms();
    expect(JSON.parse(sms.templateParam)).toEqual({ caseId: message.caseId });
  });

  test.each([
    ['a sentence', 'SF Express 张三'],
    ['another script', '顺丰'],
    ['a value longer than Aliyun allows', `SF${'9'.repeat(40)}`],
  ])('a declared param holding %s is refused as final and nothing is sent', async (_what, carrier) => {
    const { message, key } = customerMessage('return_label', { ...RETURN_LABEL, carrier });
    const err = await providerErrorOf(adapter().send(message, key), 'free text param');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'invalid_param', retryable: false });
    expect(err.message).toContain('param carrier');
    expect(err.message).not.toContain(carrier);
    expect(await sentSms()).toEqual([]);
  });

  test('a declared param that is missing is refused as final before Aliyun would answer isv.TEMPLATE_MISSING_PARAMETERS', async () => {
    const { message, key } = customerMessage('refund_succeeded', { currency: 'CNY' });
    const err = await providerErrorOf(adapter().send(message, key), 'missing amount');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'invalid_param', retryable: false });
    expect(await sentSms()).toEqual([]);
  });

  test('when the request is signed with a wrong secret, Aliyun refuses it (SignatureDoesNotMatch, final) and sends nothing', async () => {
    const { message, key } = customerMessage('investigation_opened', {});
    const err = await providerErrorOf(adapter({ accessKeySecret: 'not-the-secret' }).send(message, key), 'wrong secret');
    expect({ code: err.code, retryable: err.retryable, status: err.status }).toEqual({ code: 'SignatureDoesNotMatch', retryable: false, status: 400 });
    expect(await sentSms()).toEqual([]);
  });

  test('when the access key id is unknown, Aliyun refuses it (InvalidAccessKeyId.NotFound, final)', async () => {
    const { message, key } = customerMessage('investigation_opened', {});
    const err = await providerErrorOf(adapter({ accessKeyId: 'LTAI-unknown' }).send(message, key), 'unknown key id');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'InvalidAccessKeyId.NotFound', retryable: false });
  });

  test.each(Object.entries(ALIYUN_SMS_CODES))('when Aliyun answers %s, the adapter throws it as documented (retryable or final), without the number', async (code, { retryable }) => {
    const { message, key } = customerMessage('investigation_opened', {});
    await control('fail-next', { code });
    const err = await providerErrorOf(adapter().send(message, key), code);
    expect({ code: err.code, retryable: err.retryable, provider: err.provider }).toEqual({ code, retryable, provider: 'notification' });
    const phone = message.recipient.kind === 'customer' ? sandboxPhoneOf(message.recipient.customerId) : '';
    expect(err.message).not.toContain(phone);
    expect(await sentSms()).toEqual([]);
  });

  test.each([
    ['isp.RAM_PERMISSION_DENY', true],
    ['isv.SOMETHING_NEW', false],
  ])('an undocumented code %s falls back on its family (retryable: %s)', async (code, retryable) => {
    const { message, key } = customerMessage('investigation_opened', {});
    await control('fail-next', { code });
    const err = await providerErrorOf(adapter().send(message, key), code);
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code, retryable });
  });

  test('when nothing answers (no server), the send is retryable', async () => {
    const { message, key } = customerMessage('investigation_opened', {});
    const err = await providerErrorOf(adapter({ endpoint: 'http://127.0.0.1:9' }).send(message, key), 'no server');
    expect(err.retryable).toBe(true);
  });
});

describe('one SMS per idempotency key', () => {
  test('when the activity is retried with the same key after a success, the retry answers the same BizId and sends nothing', async () => {
    const sms = adapter();
    const { message, key } = customerMessage('investigation_opened', {});
    const first = await sms.send(message, key);
    const again = await sms.send(message, key);
    expect(again).toEqual(first);
    const sent = await sentSms();
    if (sent.length !== 1) throw new Error(`Aliyun got ${sent.length} SMS for one idempotency key`);
  });

  test('after a refusal worth retrying (isv.BUSINESS_LIMIT_CONTROL), the retry sends once', async () => {
    const sms = adapter();
    const { message, key } = customerMessage('investigation_opened', {});
    await control('fail-next', { code: 'isv.BUSINESS_LIMIT_CONTROL' });
    expect((await providerErrorOf(sms.send(message, key), 'rate limited')).retryable).toBe(true);
    await sms.send(message, key);
    expect((await sentSms()).map((s) => s.outId)).toEqual([outIdOf(key)]);
  });

  test('when Aliyun took the SMS but its answer was lost, the retry finds it by OutId with QuerySendDetails and does not send again', async () => {
    const sms = adapter();
    const { message, key } = customerMessage('investigation_opened', {});
    await control('drop-next-answer');
    const lost = await providerErrorOf(sms.send(message, key), 'lost answer');
    expect(lost.retryable).toBe(true);
    const retried = await sms.send(message, key);
    expect(retried).toEqual({ messageId: `outid:${outIdOf(key)}` });
    expect(await sentSms()).toHaveLength(1);
    // A third attempt answers from the log without asking Aliyun.
    expect(await sms.send(message, key)).toEqual(retried);
  });

  test('another key for the same customer is another SMS', async () => {
    const sms = adapter();
    const a = customerMessage('investigation_opened', {}, 'cust-same');
    const b = customerMessage('case_completed', {}, 'cust-same');
    await sms.send(a.message, a.key);
    await sms.send(b.message, b.key);
    expect((await sentSms()).map((s) => s.templateCode)).toEqual(['SMS_480100012', 'SMS_480100013']);
  });
});

describe('customers without a mainland mobile number', () => {
  test.each(['cust-1-nophone', 'cust-2-unknown'])('customer %s is notified through the notification adapter instead, with the same key', async (customerId) => {
    const fallback = recordingPort();
    const { message, key } = customerMessage('investigation_opened', {}, customerId);
    expect(await adapter({}, fallback).send(message, key)).toEqual({ messageId: 'fallback-1' });
    expect(fallback.sent).toEqual([{ message, key }]);
    expect(await sentSms()).toEqual([]);
  });

  test('without a fallback, the message is refused as final (no_phone)', async () => {
    const { message, key } = customerMessage('investigation_opened', {}, 'cust-3-nophone');
    const err = await providerErrorOf(adapter({}, null).send(message, key), 'no phone');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'no_phone', retryable: false });
  });

  test("the sandbox directory's numbers are fixed per customer and are mainland mobiles", () => {
    expect(sandboxPhoneOf('cust-42')).toBe(sandboxPhoneOf('cust-42'));
    expect(sandboxPhoneOf('cust-42')).not.toBe(sandboxPhoneOf('cust-43'));
    for (let i = 0; i < 200; i++) expect(sandboxPhoneOf(`c${i}`)).toMatch(/^1[3-9]\d{9}$/);
  });
});

describe('routing and configuration', () => {
  const aliyunEnv = () => ({
    SMS_PROVIDER: 'aliyun',
    ALIYUN_SMS_ACCESS_KEY_ID: SANDBOX_ALIYUN_ACCESS_KEY_ID,
    ALIYUN_SMS_ACCESS_KEY_SECRET: SECRET,
    ALIYUN_SMS_SIGN_NAME: SIGN_NAME,
    ALIYUN_SMS_TEMPLATES_FILE: templatesFile,
    ALIYUN_SMS_ENDPOINT: root,
    CUSTOMER_DIRECTORY_BASE_URL: `${root}/customer-directory`,
    CUSTOMER_DIRECTORY_API_KEY: SECRET,
    NOTIFICATION_BASE_URL: `${root}/notification`,
    NOTIFICATION_API_KEY: SECRET,
  });

  test('with SMS_PROVIDER=aliyun, customer messages go to Aliyun and staff messages to the notification adapter', async () => {
    const { notification } = createProviderClients(loadConfig(aliyunEnv()));
    const customer = customerMessage('investigation_opened', {});
    await notification.send(customer.message, customer.key);
    const staff: OutboundMessage = { caseId: customer.message.caseId, recipient: { kind: 'staff', address: 'cs-team@shop.example' }, template: 'refund_failed', params: {} };
    await notification.send(staff, `${customer.message.caseId}:staff`);
    expect((await sentSms()).map((s) => s.templateCode)).toEqual(['SMS_480100012']);
    const outbox = (await (await fetch(`${root}/outbox?caseId=${customer.message.caseId}`)).json()) as { messages: { template: string }[] } | { template: string }[];
    const templates = (Array.isArray(outbox) ? outbox : outbox.messages).map((m) => m.template);
    expect(templates).toEqual(['refund_failed']);
  });

  test('SMS_PROVIDER defaults to sandbox and needs no Aliyun variable', () => {
    expect(loadConfig({}).notification.sms.provider).toBe('sandbox');
  });

  test('with SMS_PROVIDER=aliyun, each missing variable is named', () => {
    expect(() => loadConfig({ SMS_PROVIDER: 'aliyun' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMS_PROVIDER: 'aliyun' })).toThrow(
      /ALIYUN_SMS_ACCESS_KEY_ID: required when SMS_PROVIDER=aliyun.*ALIYUN_SMS_ACCESS_KEY_SECRET: required.*ALIYUN_SMS_SIGN_NAME: required.*ALIYUN_SMS_TEMPLATES_FILE: required/,
    );
    expect(() => loadConfig({ SMS_PROVIDER: 'aliyun', ALIYUN_SMS_ENDPOINT: 'http://x/y/z' })).toThrow(/ALIYUN_SMS_ENDPOINT/);
  });

  function templatesWith(change: (table: Record<string, { code: string; params: string[] }>) => void): string {
    const table = JSON.parse(readFileSync(EXAMPLE_TEMPLATES, 'utf8')) as Record<string, { code: string; params: string[] }>;
    change(table);
    const file = path.join(dir, `t-${++next}.json`);
    writeFileSync(file, JSON.stringify(table));
    return file;
  }

  test('the checked-in example maps every template sent to customers', () => {
    expect(Object.keys(readAliyunSmsTemplates(EXAMPLE_TEMPLATES)).sort()).toEqual(Object.keys(CUSTOMER_TEMPLATES).sort());
  });

  test.each([
    ['a template we send is missing', (t: Record<string, { code: string; params: string[] }>) => delete t.refund_succeeded, /no Aliyun template for refund_succeeded/],
    ['a template declares the free-text note', (t: Record<string, { code: string; params: string[] }>) => t.info_requested.params.push('note'), /info_requested\.params: note is not a param/],
    ['a code is not a TemplateCode', (t: Record<string, { code: string; params: string[] }>) => (t.goods_held.code = 'goods'), /goods_held\.code must be an Aliyun TemplateCode/],
    ['a template is not one we send', (t: Record<string, { code: string; params: string[] }>) => (t.marketing = { code: 'SMS_1', params: [] }), /marketing is not a template we send/],
  ])('the templates file is refused at start when %s, naming it', (_what, change, message) => {
    const file = templatesWith(change);
    expect(() => readAliyunSmsTemplates(file)).toThrow(ConfigError);
    expect(() => readAliyunSmsTemplates(file)).toThrow(message);
    expect(() => createProviderClients(loadConfig({ ...aliyunEnv(), ALIYUN_SMS_TEMPLATES_FILE: file }))).toThrow(/ALIYUN_SMS_TEMPLATES_FILE/);
  });

  test('every template name the workflows send to customers is in the template table', () => {
    const workflowDir = path.join(__dirname, '../../workflows');
    const sources = [...readdirSync(workflowDir), ...readdirSync(path.join(workflowDir, 'stages')).map((f) => `stages/${f}`)]
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(path.join(workflowDir, f), 'utf8'))
      .join('\n');
    const literal = [...sources.matchAll(/notifyCustomer\(record, '([a-z_]+)'/g)].map((m) => m[1]);
    expect(literal.length).toBeGreaterThan(5);
    // The two names built at run time: `${purpose}_shipped` and `case_${status}` of a closed case.
    const built = [...['replacement', 'reship', 'repair_return', 'return_to_customer'].map((p) => `${p}_shipped`), ...TERMINAL_STATUSES.map((s) => `case_${s}`)];
    expect(sources).toContain('`${purpose}_shipped`');
    expect(sources).toContain('`case_${record.status}`');
    const missing = [...literal, ...built].filter((name) => CUSTOMER_TEMPLATES[name] === undefined);
    if (missing.length > 0) throw new Error(`templates sent to customers but missing from CUSTOMER_TEMPLATES: ${missing.join(', ')}`);
  });
});
