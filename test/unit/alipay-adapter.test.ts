import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import fc from 'fast-check';
import { ConfigError, loadConfig, onlinePaymentProviders } from '../../config/env';
import { fenToYuan, yuanToFen } from '../../domain/yuan';
import { ALIPAY_REFUND_SUB_CODES, AlipayPaymentClient, alipayOptionsOf, alipayPaymentFromConfig } from '../../integrations/alipay-payment.client';
import { paymentByChannel } from '../../integrations';
import { alipayRoutes } from '../../sandbox/alipay.routes';
import { close, listen, providerErrorOf, rsaPemPair } from './support/provider-test-kit';

// Keys made at test time: the app's pair (signs requests) and the sandbox's "Alipay" pair (signs answers).
const appKeys = rsaPemPair();
const alipayKeys = rsaPemPair();
const pem = { appPrivate: appKeys.privateKey, appPublic: appKeys.publicKey, alipayPrivate: alipayKeys.privateKey, alipayPublic: alipayKeys.publicKey };
const APP_ID = '2021000000000001';

let server: Server;
let baseUrl: string;
let keyDir: string;
let alipay: AlipayPaymentClient;

beforeAll(async () => {
  const app = express().use('/alipay', alipayRoutes({ alipayPrivateKey: pem.alipayPrivate, appPublicKey: pem.appPublic, appId: APP_ID }));
  let base: string;
  ({ server, base } = await listen(app));
  baseUrl = `${base}/alipay`;
  keyDir = mkdtempSync(path.join(tmpdir(), 'alipay-keys-'));
  // The private key as Alipay's key tool writes it (bare base64 PKCS#8), the public one as PEM.
  const privateFile = path.join(keyDir, 'app-private.txt');
  writeFileSync(privateFile, createPrivateKey(appKeys.privateKey).export({ format: 'der', type: 'pkcs8' }).toString('base64'));
  const publicFile = path.join(keyDir, 'alipay-public.pem');
  writeFileSync(publicFile, pem.alipayPublic);
  alipay = alipayPaymentFromConfig({
    provider: 'alipay',
    appId: APP_ID,
    privateKeyFile: privateFile,
    publicKeyFile: publicFile,
    gateway: `${baseUrl}/gateway.do`,
    timeoutMs: 5000,
  });
});

afterAll(async () => {
  await close(server);
  rmSync(keyDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${baseUrl}/control/reset`, { method: 'POST' });
});

let next = 0;
/** A refund of an online CNY payment on a fresh order (each test its own order and key). */
function refund(amount: number, overrides: Partial<Parameters<AlipayPaymentClient['createRefund']>[0]> = {}) {
  next++;
  return {
    input: { caseId: `cs_${next}`, orderId: `ORD-${next}`, amount, currency: 'CNY', paymentMethod: 'online' as const, reason: 'return accepted', ...overrides },
    key: `cs_${next}:refund:1`,
  };
}

async function sandboxRefunds(): Promise<{ outTradeNo: string; outRequestNo: string; refundAmount: string; refundFen: number; refundReason: string }[]> {
  const res = await fetch(`${baseUrl}/control/refunds`);
  return ((await res.json()) as { refunds: never[] }).refunds;
}

async function control(pathName: string, body: unknown): Promise<void> {
  const res = await fetch(`${baseUrl}/control/${pathName}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`sandbox control ${pathName} answered ${res.status}`);
}

describe('fen and yuan', () => {
  test('fen are written as yuan with two decimals, exactly', () => {
    expect([0, 5, 100, 1230, 5900, 123456789].map(fenToYuan)).toEqual(['0.00', '0.05', '1.00', '12.30', '59.00', '1234567.89']);
    expect(fenToYuan(Number.MAX_SAFE_INTEGER)).toBe('90071992547409.91');
  });

  test('any whole number of fen survives the trip to yuan and back (where floats would lose a fen)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (fen) => yuanToFen(fenToYuan(fen)) === fen));
  });

  test('yuan as Alipay writes it is read in fen; anything else is refused', () => {
    expect(['12.3', '12.30', '12', '0.01'].map(yuanToFen)).toEqual([1230, 1230, 1200, 1]);
    for (const bad of ['-1.00', '1.234', '1e3', '', ' 1.00', '01.00', '1.']) expect(() => yuanToFen(bad)).toThrow(RangeError);
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => fenToYuan(bad)).toThrow(RangeError);
  });
});

describe('Alipay refunds through alipay-sdk against the sandbox gateway', () => {
  test('when a refund of 1230 fen is sent, Alipay is asked for "12.30" on the order under the idempotency key, and it succeeds', async () => {
    const { input, key } = refund(1230);
    const answer = await alipay.createRefund(input, key);
    expect(answer).toEqual({ refundId: key, status: 'succeeded' });
    const paid = await sandboxRefunds();
    expect(paid.map((r) => ({ outTradeNo: r.outTradeNo, outRequestNo: r.outRequestNo, refundAmount: r.refundAmount }))).toEqual([
      { outTradeNo: input.orderId, outRequestNo: key, refundAmount: '12.30' },
    ]);
  });

  test('when the refund is retried with the same out_request_no, Alipay pays it once and the retry still reports it succeeded', async () => {
    const { input, key } = refund(5900);
    await alipay.createRefund(input, key);
    const retried = await alipay.createRefund(input, key);
    expect(retried).toEqual({ refundId: key, status: 'succeeded' });
    const paid = (await sandboxRefunds()).filter((r) => r.outRequestNo === key);
    if (paid.length !== 1) throw new Error(`the sandbox ledger holds ${paid.length} refunds under ${key}: a retry paid again`);
  });

  test('the refund reason sent to Alipay is our fixed phrase, stripped of anything but plain characters', async () => {
    const { input, key } = refund(100, { reason: 'refund only: not_as_described 张三 13800000000!' });
    await alipay.createRefund(input, key);
    const [paid] = await sandboxRefunds();
    expect(paid.refundReason).toBe('refund only: not_as_described  13800000000');
  });

  test.each(['unsigned', 'forged'] as const)('when the answer is %s, the adapter refuses it as a final error, and a retry pays nothing twice', async (mode) => {
    const { input, key } = refund(2000);
    await control('tamper-next-answer', { mode });
    const err = await providerErrorOf(alipay.createRefund(input, key), `${mode} answer`);
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'invalid_signature', retryable: false });
    // The gateway did pay; a later (e.g. manual) retry with the same key finds it instead of paying again.
    expect(await alipay.createRefund(input, key)).toEqual({ refundId: key, status: 'succeeded' });
    expect((await sandboxRefunds()).filter((r) => r.outRequestNo === key)).toHaveLength(1);
  });

  test('when the app signs with a key Alipay does not have, the gateway refuses the request (isv.invalid-signature, final)', async () => {
    const stranger = rsaPemPair().privateKey;
    const client = new AlipayPaymentClient({ appId: APP_ID, privateKey: stranger, alipayPublicKey: pem.alipayPublic, gateway: `${baseUrl}/gateway.do`, timeoutMs: 5000 });
    const { input, key } = refund(100);
    const err = await providerErrorOf(client.createRefund(input, key), 'request signed with a stranger key');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'isv.invalid-signature', retryable: false });
    expect(await sandboxRefunds()).toEqual([]);
  });

  const documented = Object.entries(ALIPAY_REFUND_SUB_CODES).filter(([code]) => code.startsWith('ACQ.') || code.startsWith('aop.'));
  test.each(documented)('when Alipay refuses with %s, the adapter throws it as documented (retryable or final)', async (subCode, { retryable }) => {
    const { input, key } = refund(300);
    await control('fail-next-refund', { subCode });
    const err = await providerErrorOf(alipay.createRefund(input, key), subCode);
    expect({ code: err.code, retryable: err.retryable, provider: err.provider }).toEqual({ code: subCode, retryable, provider: 'payment' });
    expect(await sandboxRefunds()).toEqual([]);
  });

  test.each([
    ['isp.unknow-error', true],
    ['ACQ.SOMETHING_NEW', false],
  ])('an undocumented sub_code %s falls back on its top-level code (retryable: %s)', async (subCode, retryable) => {
    const { input, key } = refund(300);
    await control('fail-next-refund', { subCode });
    const err = await providerErrorOf(alipay.createRefund(input, key), subCode);
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: subCode, retryable });
  });

  test('after a retryable refusal (merchant balance too low), the retry with the same key pays once', async () => {
    const { input, key } = refund(4500);
    await control('fail-next-refund', { subCode: 'ACQ.SELLER_BALANCE_NOT_ENOUGH' });
    const err = await providerErrorOf(alipay.createRefund(input, key), 'low balance');
    expect(err.retryable).toBe(true);
    expect(await alipay.createRefund(input, key)).toEqual({ refundId: key, status: 'succeeded' });
    expect((await sandboxRefunds()).map((r) => r.refundFen)).toEqual([4500]);
  });

  test('a refund beyond what the payment has left is refused by Alipay as final (ACQ.REFUND_AMT_NOT_EQUAL_TOTAL)', async () => {
    const first = refund(3000);
    const res = await fetch(`${baseUrl}/control/trades/${first.input.orderId}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"totalAmount":"50.00"}' });
    expect(res.status).toBe(200);
    await alipay.createRefund(first.input, first.key);
    const err = await providerErrorOf(alipay.createRefund({ ...first.input, amount: 3000 }, `${first.input.caseId}:refund:2`), 'second refund over the total');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', retryable: false });
  });

  test('the query fallback finds a paid refund with its amount in fen, and says when a request number paid nothing', async () => {
    const { input, key } = refund(1999);
    await alipay.createRefund(input, key);
    const found = await alipay.queryRefund({ orderId: input.orderId, idempotencyKey: key });
    expect(found).toMatchObject({ status: 'succeeded', refundId: key, amount: 1999 });
    expect(found.status === 'succeeded' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(found.refundedAt ?? '')).toBe(true);
    expect(await alipay.queryRefund({ orderId: input.orderId, idempotencyKey: `${input.caseId}:refund:9` })).toEqual({ status: 'not_found', refundId: `${input.caseId}:refund:9` });
  });

  test('a repeated request number with another amount is refused as final, never paid', async () => {
    const { input, key } = refund(1000);
    await alipay.createRefund(input, key);
    const err = await providerErrorOf(alipay.createRefund({ ...input, amount: 1001 }, key), 'same key, other amount');
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'ACQ.DISCORDANT_REPEAT_REQUEST', retryable: false });
    expect((await sandboxRefunds()).map((r) => r.refundFen)).toEqual([1000]);
  });

  test('refunds Alipay cannot make (cash on delivery, another currency, no order id) and coupons or collections are final errors, never sent', async () => {
    const cases: [string, Promise<unknown>, string][] = [
      ['cod refund', alipay.createRefund(refund(100, { paymentMethod: 'cod' }).input, 'k1'), 'invalid_request'],
      ['USD refund', alipay.createRefund(refund(100, { currency: 'USD' }).input, 'k2'), 'invalid_request'],
      ['no order id', alipay.createRefund(refund(100, { orderId: '' }).input, 'k3'), 'invalid_request'],
      ['coupon', alipay.issueCoupon({ caseId: 'c', customerId: 'u', amount: 100, currency: 'CNY' }, 'k4'), 'not_supported'],
      ['collection', alipay.createCollection({ caseId: 'c', customerId: 'u', amount: 100, currency: 'CNY', purpose: 'repair_quote' }, 'k5'), 'not_supported'],
    ];
    for (const [what, call, code] of cases) {
      const err = await providerErrorOf(call, what);
      expect({ what, code: err.code, retryable: err.retryable }).toEqual({ what, code, retryable: false });
    }
    expect(await sandboxRefunds()).toEqual([]);
  });
});

describe('choosing Alipay by configuration', () => {
  test('npm start needs no Alipay credentials: the default online payment provider is the sandbox', () => {
    // No online provider: every refund goes through the payment service, the sandbox's by default.
    expect(loadConfig({}).payment.online).toEqual([]);
  });

  test('PAYMENT_PROVIDER_ONLINE=alipay without credentials stops with a message naming each missing variable', () => {
    const attempt = (env: Record<string, string>) => {
      try {
        loadConfig({ PAYMENT_PROVIDER_ONLINE: 'alipay', ...env });
      } catch (err) {
        if (err instanceof ConfigError) return err.message;
        throw err;
      }
      throw new Error('loadConfig accepted alipay without its credentials');
    };
    const none = attempt({});
    for (const name of ['ALIPAY_APP_ID', 'ALIPAY_PRIVATE_KEY_FILE', 'ALIPAY_PUBLIC_KEY_FILE']) expect(none).toContain(`${name}: required when PAYMENT_PROVIDER_ONLINE=alipay`);
    const onlyKeyMissing = attempt({ ALIPAY_APP_ID: APP_ID, ALIPAY_PRIVATE_KEY_FILE: '/keys/app.pem' });
    expect(onlyKeyMissing).toContain('ALIPAY_PUBLIC_KEY_FILE');
    expect(onlyKeyMissing).not.toContain('ALIPAY_APP_ID');
  });

  test('a key file that cannot be read, or holds the wrong kind of key, stops the worker naming the variable', () => {
    const base = { provider: 'alipay' as const, appId: APP_ID, gateway: 'https://openapi.alipay.com/gateway.do', timeoutMs: 5000 };
    const privateFile = path.join(keyDir, 'private.pem');
    writeFileSync(privateFile, pem.appPrivate);
    const publicFile = path.join(keyDir, 'public.pem');
    writeFileSync(publicFile, pem.alipayPublic);
    expect(() => alipayOptionsOf({ ...base, privateKeyFile: path.join(keyDir, 'missing.pem'), publicKeyFile: publicFile })).toThrow(
      /ALIPAY_PRIVATE_KEY_FILE: cannot read/,
    );
    // The app's private key where Alipay's public key belongs.
    expect(() => alipayOptionsOf({ ...base, privateKeyFile: privateFile, publicKeyFile: privateFile })).toThrow(
      /ALIPAY_PUBLIC_KEY_FILE: .* does not hold an RSA public key/,
    );
    expect(alipayOptionsOf({ ...base, privateKeyFile: privateFile, publicKeyFile: publicFile }).appId).toBe(APP_ID);
  });

  test('with Alipay chosen, refunds of online payments go to Alipay; COD refunds, coupons and collections stay on the payment service', async () => {
    const calls: string[] = [];
    const record = (who: string) => ({
      createRefund: async (input: { paymentMethod: string }) => (calls.push(`${who}:refund:${input.paymentMethod}`), { refundId: 'r', status: 'pending' as const }),
      issueCoupon: async () => (calls.push(`${who}:coupon`), { couponId: 'c' }),
      createCollection: async () => (calls.push(`${who}:collection`), { collectionId: 'k', status: 'pending' as const }),
    });
    const port = paymentByChannel({ alipay: record('alipay') }, 'alipay', record('service'));
    await port.createRefund(refund(100).input, 'a');
    await port.createRefund(refund(100, { paymentMethod: 'cod' }).input, 'b');
    await port.issueCoupon({ caseId: 'c', customerId: 'u', amount: 1, currency: 'CNY' }, 'c');
    await port.createCollection({ caseId: 'c', customerId: 'u', amount: 1, currency: 'CNY', purpose: 'return_shipping' }, 'd');
    expect(calls).toEqual(['alipay:refund:online', 'service:refund:cod', 'service:coupon', 'service:collection']);
  });

  test('with Alipay and WeChat Pay both chosen, each online refund goes back the way its order was paid; an order that does not say goes to the first named; other channels and COD to the payment service', async () => {
    const calls: string[] = [];
    const provider = (who: string) => ({
      createRefund: async (input: { orderId: string }) => (calls.push(`${who}:${input.orderId}`), { refundId: 'r', status: 'pending' as const }),
      lookUpRefund: async (input: { orderId: string }) => (calls.push(`${who}:look-up:${input.orderId}`), { status: 'pending' as const }),
    });
    const unused = () => Promise.reject(new Error('not used here'));
    const service = { ...provider('service'), issueCoupon: unused, createCollection: unused };
    const port = paymentByChannel({ wechatpay: provider('wechatpay'), alipay: provider('alipay') }, 'wechatpay', service);
    const order = (orderId: string, paymentChannel?: 'alipay' | 'wechatpay' | 'other', paymentMethod: 'online' | 'cod' = 'online') =>
      ({ ...refund(100, { orderId, paymentMethod }).input, ...(paymentChannel ? { paymentChannel } : {}) });
    for (const input of [order('paid-by-alipay', 'alipay'), order('paid-by-wechat', 'wechatpay'), order('channel-unknown'), order('paid-by-card', 'other'), order('cash', undefined, 'cod')]) {
      await port.createRefund(input, `key-${input.orderId}`);
    }
    await port.lookUpRefund!({ orderId: 'paid-by-alipay', refundId: 'r', paymentMethod: 'online', paymentChannel: 'alipay' });
    expect(calls).toEqual([
      'alipay:paid-by-alipay',
      'wechatpay:paid-by-wechat',
      'wechatpay:channel-unknown',
      'service:paid-by-card',
      'service:cash',
      'alipay:look-up:paid-by-alipay',
    ]);
  });

  test('PAYMENT_PROVIDER_ONLINE takes sandbox, one provider, or both in the order given; anything else stops the start naming the variable', () => {
    expect(['sandbox', 'alipay', 'wechatpay', 'wechatpay,alipay', ' alipay , wechatpay '].map((value) => onlinePaymentProviders({ PAYMENT_PROVIDER_ONLINE: value }))).toEqual([
      [],
      ['alipay'],
      ['wechatpay'],
      ['wechatpay', 'alipay'],
      ['alipay', 'wechatpay'],
    ]);
    for (const bad of ['paypal', 'alipay,alipay', 'sandbox,alipay', 'alipay,']) {
      expect({ bad, thrown: (() => { try { loadConfig({ PAYMENT_PROVIDER_ONLINE: bad }); return 'nothing'; } catch (error) { return (error as Error).message; } })() }).toEqual({
        bad,
        thrown: expect.stringContaining('PAYMENT_PROVIDER_ONLINE'),
      });
    }
  });
});
