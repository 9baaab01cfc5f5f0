import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../domain/case.types';
import { defaultPolicy } from '../../domain/policy';
import { fenToYuan } from '../../domain/yuan';
import { SIGNATURE_HEADER, signWebhook } from '../../integrations/webhook-signature';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import type { AlipaySandboxRefund } from '../../sandbox/alipay.routes';
import { SANDBOX_ALIYUN_ACCESS_KEY_ID, type AliyunSandboxSms } from '../../sandbox/aliyun-sms.routes';
import { sandboxPhoneOf } from '../../sandbox/customer-directory.routes';
import { SANDBOX_KUAIDI100_CUSTOMER, type SandboxKuaidi100Subscription } from '../../sandbox/kuaidi100.routes';
import type { WechatpaySandboxRefund } from '../../sandbox/wechatpay.routes';
import { startApi, startWorker, withoutConfigEnv } from '../../scripts/stack/app-services';
import { ProcessGroup } from '../../scripts/stack/managed-process';
import { freePorts } from '../../scripts/stack/ports';
import { integrationOutput } from './stack/integration-stack';
import { readIntegrationStack } from './stack/stack-file';
import { daysAgo } from './support/fixtures';
import { CasesApi, describeCase, eventually, stackTokens, timelineEvents } from './support/http-client';

// Every real provider of the shop at once, on the integration stack: two worker + API pairs on
// task queues of their own, pair A refunding online payments through Alipay and pair B through
// WeChat Pay, both tracking parcels through Kuaidi100 and texting customers through Aliyun SMS.
// The four providers are one sandbox in this process speaking their wire protocols, with keys made
// here; its Kuaidi100 moves each subscribed parcel by itself and pushes signed scans to the pair's
// API, WeChat Pay settles and notifies by itself, Alipay pays at once and notifies afterwards. The
// test only plays the people: customer, agent, warehouse.

const SANDBOX_KEY = `real-it-${randomUUID()}`;
const KUAIDI100_SALT = `salt-${randomUUID()}`;
const ALIPAY_APP_ID = '2021000000000042';
const WECHATPAY_MCHID = '1900000109';
const WECHATPAY_MERCHANT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
const WECHATPAY_PUBLIC_KEY_ID = 'PUB_KEY_ID_0119000001092025110100000000';
const CUSTOMER_ID = 'c-1';
const UNIT_PRICE = 5900;
// Four scans 300 ms apart and a settlement 300 ms after the refund; the rest is the machine.
const STEP_MS = 300;
const CASE_MS = 30_000;
const tokens = stackTokens();

/** One worker + API with its own task queue, and what the test needs to know of it. */
interface Pair {
  name: string;
  apiUrl: string;
  cases: CasesApi;
  /** The log files its ProcessGroup writes. */
  logFiles: string[];
  /** Where the pair's orders were paid (order.paymentChannel). */
  channel: 'alipay' | 'wechatpay';
}

let keyDir: string;
let group: ProcessGroup;
let sandbox: Sandbox;
let sandboxServer: Server;
let sandboxUrl: string;
let templates: Record<string, { code: string; params: string[] }>;
let alipayPair: Pair;
let wechatpayPair: Pair;

/** An RSA-2048 pair as PEM (PKCS#8 private, SPKI public). */
function rsaPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString() };
}

beforeAll(async () => {
  const stack = readIntegrationStack();
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'real-providers-'));
  const file = (name: string, text: string) => {
    const at = path.join(keyDir, name);
    fs.writeFileSync(at, text, { mode: 0o600 });
    return at;
  };
  const alipayApp = rsaPair();
  const alipayItself = rsaPair();
  const merchant = rsaPair();
  const platform = rsaPair();
  const apiV3Key = randomBytes(16).toString('hex');
  const templatesFile = path.join(keyDir, 'aliyun-sms-templates.json');
  fs.copyFileSync(path.join(__dirname, '../../config/aliyun-sms-templates.example.json'), templatesFile);
  templates = JSON.parse(fs.readFileSync(templatesFile, 'utf8')) as typeof templates;

  const [apiA, metricsA, apiB, metricsB] = await freePorts(4);
  const apiUrlA = `http://127.0.0.1:${apiA}`;
  const apiUrlB = `http://127.0.0.1:${apiB}`;
  sandbox = createSandboxApp({
    apiKey: SANDBOX_KEY,
    callbackBaseUrl: 'http://127.0.0.1:9/unused',
    webhookSecret: 'unused-secret',
    trackingStepMs: STEP_MS,
    settleMs: STEP_MS,
    // Alipay notifies the notify_url of the shop's payments: pair A's route.
    alipay: { alipayPrivateKey: alipayItself.privatePem, appPublicKey: alipayApp.publicPem, appId: ALIPAY_APP_ID, notifyUrl: `${apiUrlA}/v1/webhooks/alipay` },
    wechatpay: { platformPrivateKey: platform.privatePem, merchantPublicKey: merchant.publicPem, apiV3Key, platformPublicKeyId: WECHATPAY_PUBLIC_KEY_ID, mchid: WECHATPAY_MCHID },
  });
  sandboxServer = await new Promise<Server>((resolve) => {
    const s = sandbox.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  sandboxUrl = `http://127.0.0.1:${(sandboxServer.address() as AddressInfo).port}`;

  const shared = (apiUrl: string): NodeJS.ProcessEnv => ({
    ...withoutConfigEnv(process.env),
    ...stack.configEnv,
    COURIER_TRACKING_PROVIDER: 'kuaidi100',
    KUAIDI100_BASE_URL: `${sandboxUrl}/kuaidi100`,
    KUAIDI100_KEY: SANDBOX_KEY,
    KUAIDI100_CUSTOMER: SANDBOX_KUAIDI100_CUSTOMER,
    KUAIDI100_SALT,
    KUAIDI100_CALLBACK_URL: `${apiUrl}/v1/webhooks/kuaidi100`,
    SMS_PROVIDER: 'aliyun',
    ALIYUN_SMS_ENDPOINT: sandboxUrl,
    ALIYUN_SMS_ACCESS_KEY_ID: SANDBOX_ALIYUN_ACCESS_KEY_ID,
    ALIYUN_SMS_ACCESS_KEY_SECRET: SANDBOX_KEY,
    ALIYUN_SMS_SIGN_NAME: '售后',
    ALIYUN_SMS_TEMPLATES_FILE: templatesFile,
    CUSTOMER_DIRECTORY_BASE_URL: `${sandboxUrl}/customer-directory`,
    CUSTOMER_DIRECTORY_API_KEY: SANDBOX_KEY,
  });
  const alipayEnv = {
    ALIPAY_APP_ID,
    ALIPAY_PRIVATE_KEY_FILE: file('alipay-app-private.pem', alipayApp.privatePem),
    ALIPAY_PUBLIC_KEY_FILE: file('alipay-public.pem', alipayItself.publicPem),
    ALIPAY_GATEWAY: `${sandboxUrl}/alipay/gateway.do`,
  };
  const envA: NodeJS.ProcessEnv = {
    ...shared(apiUrlA),
    TEMPORAL_TASK_QUEUE: `real-alipay-${randomUUID().slice(0, 8)}`,
    PORT: String(apiA),
    WORKER_METRICS_PORT: String(metricsA),
    PAYMENT_PROVIDER_ONLINE: 'alipay',
    ...alipayEnv,
  };
  const envB: NodeJS.ProcessEnv = {
    ...shared(apiUrlB),
    TEMPORAL_TASK_QUEUE: `real-wechatpay-${randomUUID().slice(0, 8)}`,
    PORT: String(apiB),
    WORKER_METRICS_PORT: String(metricsB),
    // A shop refunding through both: Alipay is named first, so only the order's channel sends these refunds to WeChat Pay.
    PAYMENT_PROVIDER_ONLINE: 'alipay,wechatpay',
    ...alipayEnv,
    WECHATPAY_MCHID,
    WECHATPAY_MERCHANT_SERIAL,
    WECHATPAY_PRIVATE_KEY_FILE: file('apiclient_key.pem', merchant.privatePem),
    WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: file('pub_key.pem', platform.publicPem),
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: WECHATPAY_PUBLIC_KEY_ID,
    WECHATPAY_APIV3_KEY_FILE: file('apiv3.key', apiV3Key),
    WECHATPAY_NOTIFY_URL: `${apiUrlB}/v1/webhooks/wechatpay`,
    WECHATPAY_BASE_URL: `${sandboxUrl}/wechatpay`,
  };

  group = new ProcessGroup(integrationOutput(stack.logDir));
  const names = { workerA: 'worker-real-alipay', apiA: 'api-real-alipay', workerB: 'worker-real-wechatpay', apiB: 'api-real-wechatpay' };
  await Promise.all([
    startWorker(group, envA, metricsA, names.workerA),
    startApi(group, envA, apiA, names.apiA),
    startWorker(group, envB, metricsB, names.workerB),
    startApi(group, envB, apiB, names.apiB),
  ]);
  const logOf = (name: string) => path.join(stack.logDir, `${name}.log`);
  alipayPair = { name: 'Alipay', apiUrl: apiUrlA, cases: new CasesApi(apiUrlA, tokens.agent), logFiles: [logOf(names.workerA), logOf(names.apiA)], channel: 'alipay' };
  wechatpayPair = { name: 'WeChat Pay', apiUrl: apiUrlB, cases: new CasesApi(apiUrlB, tokens.agent), logFiles: [logOf(names.workerB), logOf(names.apiB)], channel: 'wechatpay' };
}, 120_000);

afterAll(async () => {
  await group?.stopAll();
  sandbox?.close();
  sandboxServer?.closeAllConnections();
  await new Promise((resolve) => (sandboxServer ? sandboxServer.close(resolve) : resolve(undefined)));
  if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
});

/** GET of a sandbox control endpoint, parsed. */
async function sandboxGet<T>(controlPath: string): Promise<T> {
  const res = await fetch(`${sandboxUrl}${controlPath}`);
  if (res.status !== 200) throw new Error(`sandbox GET ${controlPath} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The SMS the Aliyun sandbox sent about one case (its id is a variable of every customer template). */
async function smsOf(caseId: string): Promise<AliyunSandboxSms[]> {
  const { messages } = await sandboxGet<{ messages: AliyunSandboxSms[] }>('/aliyun-sms/control/messages');
  return messages.filter((m) => (JSON.parse(m.templateParam) as Record<string, string>).caseId === caseId);
}

const count = (snapshot: CaseSnapshot, event: string) => timelineEvents(snapshot).filter((e) => e === event).length;

/**
 * One no-reason return through `pair`'s API, from opening to completion: approved, the parcel given
 * to Kuaidi100 and moved by its pushes to the warehouse, inspection passed, refunded. Returns the
 * completed case and the tracking number.
 */
async function returnToCompletion(pair: Pair, orderId: string): Promise<{ completed: CaseSnapshot; trackingNumber: string }> {
  const { cases } = pair;
  const opened = await cases.opened(tokens.customer, {
    type: 'return',
    orderId,
    customerId: CUSTOMER_ID,
    items: [{ sku: 'SKU-MUG-1', quantity: 1, unitPrice: UNIT_PRICE }],
    reason: { code: 'no_reason', description: 'changed my mind' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', paymentChannel: pair.channel, total: UNIT_PRICE, currency: 'CNY' },
  });
  await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
  const shipped = await cases.accepted(tokens.customer, opened.id, 'return-shipment', {});
  if (shipped.status !== 'return_in_transit') throw new Error(`${pair.name}: after the return shipment, ${describeCase(shipped)}`);
  // The parcel goes on the shop's label: Kuaidi100 follows the label's number.
  const trackingNumber = shipped.shipments[0].trackingNumber;

  // The worker subscribed the parcel at Kuaidi100 with this pair's callback and our salt.
  const subscription = await eventually(
    `${pair.name}: a Kuaidi100 subscription of ${trackingNumber}`,
    async () => (await sandboxGet<{ subscriptions: SandboxKuaidi100Subscription[] }>('/kuaidi100/subscriptions')).subscriptions.find((s) => s.number === trackingNumber),
    { explain: async () => describeCase(await cases.get(opened.id)) },
  );
  expect({ company: subscription.company, callbackUrl: subscription.callbackUrl, salt: subscription.salt }).toEqual({
    company: 'shunfeng',
    callbackUrl: `${pair.apiUrl}/v1/webhooks/kuaidi100`,
    salt: KUAIDI100_SALT,
  });

  // Kuaidi100's own pushes (signed with the salt) bring the parcel to the warehouse.
  const inspecting = await cases.waitForStatus(opened.id, 'inspecting', CASE_MS);
  await cases.accepted(tokens.warehouse, opened.id, 'inspection', { result: 'pass', note: 'unused, all accessories' });
  const completed = await cases.waitForStatus(opened.id, 'completed', CASE_MS);
  expect(timelineEvents(inspecting)).toEqual(expect.arrayContaining(['shipment.picked_up', 'shipment.in_transit', 'shipment.delivered', 'return.received']));
  return { completed, trackingNumber };
}

/** Checks the case's refund and timeline; returns the refund id and amount (fen). */
function expectRefunded(pair: Pair, completed: CaseSnapshot): { refundId: string; amount: number } {
  const expectedAmount = UNIT_PRICE - defaultPolicy().shipping.returnShippingFee;
  const refund = completed.refund;
  if (!refund || refund.status !== 'succeeded' || refund.amount !== expectedAmount || refund.currency !== 'CNY' || !refund.id) {
    throw new Error(`${pair.name}: expected a succeeded refund of ${expectedAmount} CNY fen, got ${JSON.stringify(refund)}; ${describeCase(completed)}`);
  }
  if (count(completed, 'refund.succeeded') !== 1) throw new Error(`${pair.name}: refund.succeeded is not in the timeline exactly once: ${describeCase(completed)}`);
  return { refundId: refund.id, amount: refund.amount };
}

/** The return label and the closing message went by SMS, to the number the customer directory gives, with the templates file's codes. */
async function expectTexted(pair: Pair, caseId: string): Promise<void> {
  const phone = sandboxPhoneOf(CUSTOMER_ID);
  const wanted = [templates.return_label.code, templates.case_completed.code];
  const sent = await eventually(
    `${pair.name}: the SMS ${wanted.join(' and ')} about case ${caseId}`,
    async () => {
      const mine = await smsOf(caseId);
      return wanted.every((code) => mine.some((m) => m.templateCode === code)) ? mine : undefined;
    },
    { explain: async () => `sent about it: ${JSON.stringify((await smsOf(caseId)).map((m) => m.templateCode))}` },
  );
  for (const sms of sent) {
    expect({ template: sms.templateCode, to: sms.phoneNumbers, sign: sms.signName }).toEqual({ template: sms.templateCode, to: phone, sign: '售后' });
  }
  // One SMS per message: no template twice for the case.
  expect(sent.map((m) => m.templateCode).sort()).toEqual([...new Set(sent.map((m) => m.templateCode))].sort());
}

/** The customer's number is in none of the pair's log files (which exist and are not empty). */
function expectNoPhoneInLogs(pair: Pair): void {
  const phone = sandboxPhoneOf(CUSTOMER_ID);
  for (const file of pair.logFiles) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (text.length === 0) throw new Error(`${pair.name}: the log file ${file} is missing or empty, so it proves nothing`);
    const line = text.split('\n').find((l) => l.includes(phone));
    if (line !== undefined) throw new Error(`${pair.name}: the customer's phone number is in ${path.basename(file)}: ${line.replaceAll(phone, '<the number>').slice(0, 300)}`);
  }
}

/** The pair API's count of POST requests to `route` answered `status` (from its Prometheus metrics). */
async function requestsAnswered(pair: Pair, route: string, status: number): Promise<number> {
  const text = await (await fetch(`${pair.apiUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('aftersales_http_requests_total{') && l.includes('method="POST"') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('all real providers together on the integration stack', () => {
  test('when a return is refunded through Alipay, tracked through Kuaidi100 and texted through Aliyun SMS, Alipay pays exactly the refund once under the case refund id and notifies the API', async () => {
    const orderId = `ITALI${Date.now()}${randomBytes(3).toString('hex')}`;
    const { completed } = await returnToCompletion(alipayPair, orderId);
    const { refundId, amount } = expectRefunded(alipayPair, completed);

    // The money: Alipay's own ledger holds one refund of the order, of exactly the case's amount, under its request number.
    const { refunds } = await sandboxGet<{ refunds: AlipaySandboxRefund[] }>('/alipay/control/refunds');
    const ofOrder = refunds.filter((r) => r.outTradeNo === orderId);
    expect(ofOrder.map((r) => ({ outRequestNo: r.outRequestNo, refundAmount: r.refundAmount, refundFen: r.refundFen }))).toEqual([
      { outRequestNo: `${completed.id}:refund:1`, refundAmount: fenToYuan(amount), refundFen: amount },
    ]);
    expect(refundId).toBe(`${completed.id}:refund:1`);

    // The refund was settled by Alipay's answer; its notification still reached the API and was acknowledged.
    await eventually(`Alipay's notification of ${refundId} answered 200 by POST /v1/webhooks/alipay`, async () =>
      (await requestsAnswered(alipayPair, '/v1/webhooks/alipay', 200)) >= 1 ? true : undefined,
    );
    const after = await alipayPair.cases.get(completed.id);
    if (count(after, 'refund.succeeded') !== 1 || after.status !== 'completed') throw new Error(`Alipay's notification changed the case: ${describeCase(after)}`);

    await expectTexted(alipayPair, completed.id);
    expectNoPhoneInLogs(alipayPair);
  });

  test('when a return is refunded through WeChat Pay, tracked through Kuaidi100 and texted through Aliyun SMS, WeChat Pay refunds exactly the refund once under the case refund id and its notification settles the case', async () => {
    // WeChat Pay's out_trade_no: at most 32 of [0-9A-Za-z_-|*].
    const orderId = `ITWX${Date.now()}${randomBytes(3).toString('hex')}`;
    const { completed } = await returnToCompletion(wechatpayPair, orderId);
    const { refundId, amount } = expectRefunded(wechatpayPair, completed);

    // The money: WeChat Pay's ledger holds one refund of the order, of exactly the case's amount in fen, under its out_refund_no.
    const { refunds } = await sandboxGet<{ refunds: WechatpaySandboxRefund[] }>('/wechatpay/control/refunds');
    const ofOrder = refunds.filter((r) => r.outTradeNo === orderId);
    expect(ofOrder.map((r) => ({ outRefundNo: r.outRefundNo, refund: r.refund, status: r.status }))).toEqual([
      { outRefundNo: `${completed.id}-refund-1`, refund: amount, status: 'SUCCESS' },
    ]);
    expect(refundId).toBe(`${completed.id}-refund-1`);
    // The case completed on WeChat Pay's notification (the answer was PROCESSING), which the API took with a 204.
    expect(ofOrder[0].notifications).toContain(204);
    // The pair also refunds through Alipay (named first): none of this order's money went there.
    const alipayLedger = await sandboxGet<{ refunds: { outTradeNo: string }[] }>('/alipay/control/refunds');
    expect(alipayLedger.refunds.filter((r) => r.outTradeNo === orderId)).toEqual([]);

    await expectTexted(wechatpayPair, completed.id);
    expectNoPhoneInLogs(wechatpayPair);
  });

  test("when Alipay's query does not know a refund reported failed, the case asks again under the same out_request_no, never a new one, and Alipay pays it once (issue 23)", async () => {
    const orderId = `ITALIU${Date.now()}${randomBytes(3).toString('hex')}`;
    // Alipay takes the next request number without paying it: its query finds nothing under it.
    expect((await fetch(`${sandboxUrl}/alipay/control/hold-next-refund`, { method: 'POST' })).status).toBe(200);
    const { cases } = alipayPair;
    const opened = await cases.opened(tokens.customer, {
      type: 'refund_only',
      orderId,
      customerId: CUSTOMER_ID,
      items: [{ sku: 'SKU-MUG-1', quantity: 1, unitPrice: UNIT_PRICE }],
      reason: { code: 'wrong_item', description: 'a different mug came' },
      evidence: ['https://img.example/evidence-1.jpg'],
      packagingIntact: true,
      order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', paymentChannel: 'alipay', total: UNIT_PRICE, currency: 'CNY' },
    });
    await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
    const key = `${opened.id}:refund:1`;
    const requested = await cases.waitFor(opened.id, 'the refund to be with Alipay', (c) => c.refund?.status === 'requested' && c.refund.id === key, CASE_MS);
    const before = (await sandboxGet<{ refunds: AlipaySandboxRefund[] }>('/alipay/control/refunds')).refunds.filter((r) => r.outTradeNo === orderId);
    expect(before).toEqual([]);

    // A `failed` report of it (whoever signed it with the payment service's secret): the case looks it up, Alipay knows nothing.
    const body = JSON.stringify({ eventId: `forged-${randomUUID()}`, refundId: key, merchantReference: requested.id, status: 'failed', at: new Date().toISOString(), reason: 'refund_declined' });
    const forged = await fetch(`${alipayPair.apiUrl}/v1/webhooks/payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(body, readIntegrationStack().paymentWebhookSecret) },
      body,
    });
    expect(forged.status).toBe(202);

    // Unknown is never a new key: the same request number asked again, which Alipay pays once.
    const completed = await cases.waitForStatus(opened.id, 'completed', CASE_MS);
    expect(completed.refund).toMatchObject({ id: key, status: 'succeeded', amount: UNIT_PRICE });
    expect(count(completed, 'refund.requested')).toBe(1);
    const after = (await sandboxGet<{ refunds: AlipaySandboxRefund[] }>('/alipay/control/refunds')).refunds.filter((r) => r.outTradeNo === orderId);
    expect(after.map((r) => ({ outRequestNo: r.outRequestNo, refundFen: r.refundFen }))).toEqual([{ outRequestNo: key, refundFen: UNIT_PRICE }]);
  });
});
