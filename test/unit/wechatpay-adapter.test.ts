import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../config/env';
import { onlineSectionOf } from '../../config/providers';
import { WechatPayPaymentClient, wechatpayOptionsOf, type WechatpayClientOptions } from '../../integrations/wechatpay-payment.client';
import { WECHATPAY_ERROR_CODES, caseIdOfOutRefundNo, outRefundNoOf, wechatpayNotificationKeysFromConfig } from '../../integrations/wechatpay.protocol';
import type { WechatpaySandboxRefund } from '../../sandbox/wechatpay.routes';
import { providerErrorOf } from './support/provider-test-kit';
import { MCHID, MERCHANT_SERIAL, PUBLIC_KEY_ID, startWechatpaySandbox, type WechatpayConfig, type WechatpaySandbox } from './support/wechatpay-sandbox';

let sandbox: WechatpaySandbox;
let baseUrl: string;
let keyDir: string;
let apiV3Key: string;
let config: WechatpayConfig;
let wechatpay: WechatPayPaymentClient;

beforeAll(async () => {
  sandbox = await startWechatpaySandbox({
    // No notification in these tests: refunds stay PROCESSING (wechatpay-webhook.test.ts follows them to the end).
    settleMs: 3_600_000,
    notifyUrl: 'https://shop.example.com/v1/webhooks/wechatpay',
    keyDirPrefix: 'wechatpay-keys-',
  });
  ({ baseUrl, keyDir, apiV3Key, config, client: wechatpay } = sandbox);
});

afterAll(() => sandbox.close());

beforeEach(async () => {
  await fetch(`${baseUrl}/control/reset`, { method: 'POST' });
});

let next = 0;
/** A refund of an online CNY payment on a fresh order (each test its own order and key). */
function refund(amount: number, overrides: Partial<Parameters<WechatPayPaymentClient['createRefund']>[0]> = {}) {
  next++;
  const caseId = `cs_${next.toString(16).padStart(24, '0')}`;
  return {
    input: { caseId, orderId: `ORD-${next}-2026`, amount, currency: 'CNY', paymentMethod: 'online' as const, reason: 'return accepted', ...overrides },
    key: `${caseId}:refund:1`,
    outRefundNo: `${caseId}-refund-1`,
  };
}

async function sandboxRefunds(): Promise<WechatpaySandboxRefund[]> {
  const res = await fetch(`${baseUrl}/control/refunds`);
  return ((await res.json()) as { refunds: WechatpaySandboxRefund[] }).refunds;
}

async function control(pathName: string, body: unknown, method = 'POST'): Promise<void> {
  const res = await fetch(`${baseUrl}/control/${pathName}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`sandbox control ${pathName} answered ${res.status}`);
}

describe('refund numbers in WeChat Pay\'s alphabet', () => {
  test('our refund key <caseId>:refund:<attempt> is sent with "-" for ":" (WeChat Pay allows no ":"), and the case id is read back from it', () => {
    expect(outRefundNoOf('cs_0123456789abcdef01234567:refund:2')).toBe('cs_0123456789abcdef01234567-refund-2');
    expect(caseIdOfOutRefundNo('cs_0123456789abcdef01234567-refund-2')).toBe('cs_0123456789abcdef01234567');
    expect(outRefundNoOf('cs_1:refund:1 ; drop')).toBeNull();
    expect(outRefundNoOf(`cs_${'a'.repeat(60)}:refund:1`)).toBeNull();
  });
});

describe('WeChat Pay refunds through wechatpay-axios-plugin against the sandbox', () => {
  test('when a refund of 1230 fen is sent, WeChat Pay is asked for 1230 fen of the payment\'s total, as whole numbers, under the order id and the refund number', async () => {
    const { input, key, outRefundNo } = refund(1230);
    await control(`trades/${input.orderId}`, { total: 5900 }, 'PUT');
    const answer = await wechatpay.createRefund(input, key);
    expect(answer).toEqual({ refundId: outRefundNo, status: 'pending' });
    const taken = await sandboxRefunds();
    expect(taken.map((r) => ({ outTradeNo: r.outTradeNo, outRefundNo: r.outRefundNo, refund: r.refund, total: r.total, notifyUrl: r.notifyUrl }))).toEqual([
      { outTradeNo: input.orderId, outRefundNo, refund: 1230, total: 5900, notifyUrl: 'https://shop.example.com/v1/webhooks/wechatpay' },
    ]);
    expect(Number.isInteger(taken[0].refund) && Number.isInteger(taken[0].total)).toBe(true);
  });

  test('when the refund is retried with the same out_refund_no, WeChat Pay takes it once and the retry answers the same refund', async () => {
    const { input, key, outRefundNo } = refund(5900);
    await wechatpay.createRefund(input, key);
    const retried = await wechatpay.createRefund(input, key);
    expect(retried).toEqual({ refundId: outRefundNo, status: 'pending' });
    const taken = (await sandboxRefunds()).filter((r) => r.outRefundNo === outRefundNo);
    if (taken.length !== 1) throw new Error(`the sandbox ledger holds ${taken.length} refunds under ${outRefundNo}: a retry paid again`);
  });

  test('the reason sent to WeChat Pay is our fixed phrase, stripped of anything but plain characters', async () => {
    const { input, key } = refund(100, { reason: 'refund only: not_as_described 张三 13800000000!' });
    await wechatpay.createRefund(input, key);
    const [taken] = await sandboxRefunds();
    expect(taken.reason).toBe('refund only: not_as_described  13800000000');
  });

  test.each(['unsigned', 'forged'] as const)('when the trade query\'s answer is %s, the adapter refuses it as a final invalid_signature and sends no refund', async (mode) => {
    const { input, key } = refund(2000);
    await control('tamper-next-answer', { mode });
    const err = await providerErrorOf(wechatpay.createRefund(input, key), `${mode} trade answer`);
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'invalid_signature', retryable: false });
    expect(await sandboxRefunds()).toEqual([]);
  });

  test.each(['unsigned', 'forged'] as const)('when the refund\'s answer is %s, the adapter refuses it as a final invalid_signature, and a retry pays nothing twice', async (mode) => {
    const { input, key, outRefundNo } = refund(2000);
    await control('tamper-next-answer', { mode, refundOnly: true });
    const err = await providerErrorOf(wechatpay.createRefund(input, key), `${mode} refund answer`);
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'invalid_signature', retryable: false });
    // WeChat Pay did take it; a later (e.g. manual) retry with the same number finds it instead of paying again.
    expect(await wechatpay.createRefund(input, key)).toEqual({ refundId: outRefundNo, status: 'pending' });
    expect((await sandboxRefunds()).filter((r) => r.outRefundNo === outRefundNo)).toHaveLength(1);
  });

  test('an answer signed by the right key but named with another serial is refused (Wechatpay-Serial must be our public key id)', async () => {
    const client = new WechatPayPaymentClient({ ...wechatpayOptionsOf(config), platformPublicKeyId: 'PUB_KEY_ID_SOMEONE_ELSE' });
    const { input, key } = refund(100);
    const err = await providerErrorOf(client.createRefund(input, key), 'answer under another serial');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'invalid_signature', retryable: false });
    expect(await sandboxRefunds()).toEqual([]);
  });

  test('when the merchant signs with a key WeChat Pay does not have, the request is refused (401 SIGN_ERROR, final) and nothing is refunded', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const client = new WechatPayPaymentClient({ ...wechatpayOptionsOf(config), privateKey: stranger });
    const { input, key } = refund(100);
    const err = await providerErrorOf(client.createRefund(input, key), 'request signed with a stranger key');
    expect({ code: err.code, retryable: err.retryable, status: err.status }).toEqual({ code: 'SIGN_ERROR', retryable: false, status: 401 });
    expect(await sandboxRefunds()).toEqual([]);
  });

  test.each(Object.entries(WECHATPAY_ERROR_CODES).filter(([code]) => code !== 'ORDER_NOT_EXIST'))(
    'when WeChat Pay refuses the refund with %s, the adapter throws it as documented (retryable or final)',
    async (code, { retryable }) => {
      const { input, key } = refund(300);
      await control('fail-next', { code });
      const err = await providerErrorOf(wechatpay.createRefund(input, key), code);
      expect({ code: err.code, retryable: err.retryable, provider: err.provider }).toEqual({ code, retryable, provider: 'payment' });
      expect(await sandboxRefunds()).toEqual([]);
    },
  );

  test.each([
    ['SOMETHING_NEW_AND_BAD', false],
  ])('an undocumented code %s falls back on its HTTP status (400: retryable %s)', async (code, retryable) => {
    const { input, key } = refund(300);
    await control('fail-next', { code });
    const err = await providerErrorOf(wechatpay.createRefund(input, key), code);
    expect({ code: err.code, retryable: err.retryable, status: err.status }).toEqual({ code, retryable, status: 400 });
  });

  test('after a retryable refusal (merchant balance too low), the retry with the same number refunds once', async () => {
    const { input, key } = refund(4500);
    await control('fail-next', { code: 'NOT_ENOUGH' });
    const err = await providerErrorOf(wechatpay.createRefund(input, key), 'low balance');
    expect(err.retryable).toBe(true);
    expect((await wechatpay.createRefund(input, key)).status).toBe('pending');
    expect((await sandboxRefunds()).map((r) => r.refund)).toEqual([4500]);
  });

  test('a refund larger than the payment is refused before it is sent (final), and one beyond what is left is refused by WeChat Pay (INVALID_REQUEST, final)', async () => {
    const first = refund(6000);
    await control(`trades/${first.input.orderId}`, { total: 5000 }, 'PUT');
    const tooLarge = await providerErrorOf(wechatpay.createRefund(first.input, first.key), 'refund over the total');
    expect({ code: tooLarge.code, retryable: tooLarge.retryable }).toEqual({ code: 'refund_exceeds_payment', retryable: false });
    expect(await sandboxRefunds()).toEqual([]);

    await wechatpay.createRefund({ ...first.input, amount: 3000 }, first.key);
    const beyond = await providerErrorOf(wechatpay.createRefund({ ...first.input, amount: 3000 }, `${first.input.caseId}:refund:2`), 'second refund over what is left');
    expect({ code: beyond.code, retryable: beyond.retryable }).toEqual({ code: 'INVALID_REQUEST', retryable: false });
    expect((await sandboxRefunds()).map((r) => r.refund)).toEqual([3000]);
  });

  test('a payment that was never paid or is closed is not refunded (final)', async () => {
    const { input, key } = refund(100);
    await control(`trades/${input.orderId}`, { total: 5000, state: 'NOTPAY' }, 'PUT');
    const err = await providerErrorOf(wechatpay.createRefund(input, key), 'unpaid trade');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'trade_not_refundable', retryable: false });
    expect(await sandboxRefunds()).toEqual([]);
  });

  test('a repeated refund number with another amount is refused as final, never paid', async () => {
    const { input, key } = refund(1000);
    await wechatpay.createRefund(input, key);
    const err = await providerErrorOf(wechatpay.createRefund({ ...input, amount: 1001 }, key), 'same number, other amount');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'INVALID_REQUEST', retryable: false });
    expect((await sandboxRefunds()).map((r) => r.refund)).toEqual([1000]);
  });

  test('queryRefund finds a refund with its status and amount in fen (by refund id or by key), and says when a number refunded nothing', async () => {
    const { input, key, outRefundNo } = refund(1999);
    await wechatpay.createRefund(input, key);
    expect(await wechatpay.queryRefund(outRefundNo)).toEqual({ status: 'pending', refundId: outRefundNo, amount: 1999 });
    expect(await wechatpay.queryRefund(key)).toEqual({ status: 'pending', refundId: outRefundNo, amount: 1999 });
    expect(await wechatpay.queryRefund(`${input.caseId}:refund:9`)).toEqual({ status: 'not_found', refundId: `${input.caseId}-refund-9` });
  });

  test('no answer at all (nothing listening) is retryable', async () => {
    const client = new WechatPayPaymentClient({ ...wechatpayOptionsOf(config), baseUrl: 'http://127.0.0.1:9/wechatpay', timeoutMs: 2000 });
    const { input, key } = refund(100);
    const err = await providerErrorOf(client.createRefund(input, key), 'no server');
    expect({ retryable: err.retryable, status: err.status }).toEqual({ retryable: true, status: undefined });
  });

  test('refunds WeChat Pay cannot make (cash on delivery, another currency, no order id) and coupons or collections are final errors, never sent', async () => {
    const cases: [string, Promise<unknown>, string][] = [
      ['cod refund', wechatpay.createRefund(refund(100, { paymentMethod: 'cod' }).input, 'cs_1:refund:1'), 'invalid_request'],
      ['USD refund', wechatpay.createRefund(refund(100, { currency: 'USD' }).input, 'cs_2:refund:1'), 'invalid_request'],
      ['no order id', wechatpay.createRefund(refund(100, { orderId: '' }).input, 'cs_3:refund:1'), 'invalid_request'],
      ['order id outside out_trade_no', wechatpay.createRefund(refund(100, { orderId: 'ORD/1?mchid=2' }).input, 'cs_4:refund:1'), 'invalid_request'],
      ['coupon', wechatpay.issueCoupon({ caseId: 'c', customerId: 'u', amount: 100, currency: 'CNY' }, 'k4'), 'not_supported'],
      ['collection', wechatpay.createCollection({ caseId: 'c', customerId: 'u', amount: 100, currency: 'CNY', purpose: 'repair_quote' }, 'k5'), 'not_supported'],
    ];
    for (const [what, call, code] of cases) {
      const err = await providerErrorOf(call, what);
      expect({ what, code: err.code, retryable: err.retryable }).toEqual({ what, code, retryable: false });
    }
    expect(await sandboxRefunds()).toEqual([]);
  });
});

describe('choosing WeChat Pay by configuration', () => {
  const attempt = (env: Record<string, string>) => {
    try {
      loadConfig({ PAYMENT_PROVIDER_ONLINE: 'wechatpay', ...env });
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return 'accepted';
  };

  test('PAYMENT_PROVIDER_ONLINE=wechatpay without credentials stops with a message naming each missing variable', () => {
    const none = attempt({});
    for (const name of [
      'WECHATPAY_MCHID',
      'WECHATPAY_MERCHANT_SERIAL',
      'WECHATPAY_PRIVATE_KEY_FILE',
      'WECHATPAY_PLATFORM_PUBLIC_KEY_FILE',
      'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
      'WECHATPAY_APIV3_KEY_FILE',
      'WECHATPAY_NOTIFY_URL',
    ]) {
      expect(none).toContain(`${name}: required when PAYMENT_PROVIDER_ONLINE=wechatpay`);
    }
    expect(none).not.toContain('WECHATPAY_BASE_URL');
  });

  test('with every variable set the configuration is accepted, with WeChat Pay\'s production host as the default', () => {
    const env = {
      WECHATPAY_MCHID: MCHID,
      WECHATPAY_MERCHANT_SERIAL: MERCHANT_SERIAL,
      WECHATPAY_PRIVATE_KEY_FILE: '/keys/apiclient_key.pem',
      WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: '/keys/pub_key.pem',
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: PUBLIC_KEY_ID,
      WECHATPAY_APIV3_KEY_FILE: '/keys/apiv3.key',
      WECHATPAY_NOTIFY_URL: 'https://shop.example.com/v1/webhooks/wechatpay',
    };
    expect(attempt(env)).toBe('accepted');
    expect(onlineSectionOf(loadConfig({ PAYMENT_PROVIDER_ONLINE: 'wechatpay', ...env }).payment, 'wechatpay')?.baseUrl).toBe('https://api.mch.weixin.qq.com');
    expect(attempt({ ...env, WECHATPAY_MCHID: 'mch-1' })).toContain('WECHATPAY_MCHID: must be the digits');
    // The sandbox default needs none of them.
    expect(loadConfig({}).payment.online).toEqual([]);
  });

  test('a key file that cannot be read, holds the wrong kind of key, or an APIv3 key that is not 32 characters stops the start naming the variable', () => {
    const missing = path.join(keyDir, 'missing.pem');
    expect(() => wechatpayOptionsOf({ ...config, privateKeyFile: missing })).toThrow(/WECHATPAY_PRIVATE_KEY_FILE: cannot read/);
    // The merchant's private key where WeChat Pay's public key belongs.
    expect(() => wechatpayOptionsOf({ ...config, platformPublicKeyFile: config.privateKeyFile })).toThrow(
      /WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: .* does not hold an RSA public key/,
    );
    expect(() => wechatpayOptionsOf({ ...config, privateKeyFile: config.platformPublicKeyFile })).toThrow(
      /WECHATPAY_PRIVATE_KEY_FILE: .* does not hold an RSA private key/,
    );
    const shortKey = path.join(keyDir, 'apiv3-short.key');
    writeFileSync(shortKey, 'too-short\n');
    const notification = { platformPublicKeyFile: config.platformPublicKeyFile, platformPublicKeyId: PUBLIC_KEY_ID };
    expect(() => wechatpayNotificationKeysFromConfig({ ...notification, apiV3KeyFile: shortKey })).toThrow(/WECHATPAY_APIV3_KEY_FILE: .* 32-character/);
    expect(() => wechatpayNotificationKeysFromConfig({ ...notification, apiV3KeyFile: missing })).toThrow(/WECHATPAY_APIV3_KEY_FILE: cannot read/);
    const goodKey = path.join(keyDir, 'apiv3.key');
    writeFileSync(goodKey, `${apiV3Key}\n`);
    expect(wechatpayNotificationKeysFromConfig({ ...notification, apiV3KeyFile: goodKey }).apiV3Key.toString()).toBe(apiV3Key);
    const options: WechatpayClientOptions = wechatpayOptionsOf(config);
    expect({ mchid: options.mchid, merchantSerial: options.merchantSerial, baseUrl: options.baseUrl }).toEqual({ mchid: MCHID, merchantSerial: MERCHANT_SERIAL, baseUrl });
  });
});
