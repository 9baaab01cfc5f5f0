import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/env';
import { configRefusal as refusal } from './support/config-refusal';
import { onlineSectionOf } from '../../config/providers';
import { apiProvidersFromConfig, createProviderClients } from '../../integrations';
import { rsaPemPair } from './support/provider-test-kit';

// The provider sections of the configuration (config/providers/): each validated once at load,
// a discriminated union on its provider choice with its defaults, handed whole to its factory.



const ALIPAY = { ALIPAY_APP_ID: '2021000000000001', ALIPAY_PRIVATE_KEY_FILE: '/keys/app.pem', ALIPAY_PUBLIC_KEY_FILE: '/keys/alipay.pem' };
const WECHATPAY = {
  WECHATPAY_MCHID: '1900000109',
  WECHATPAY_MERCHANT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
  WECHATPAY_PRIVATE_KEY_FILE: '/keys/apiclient_key.pem',
  WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: '/keys/pub_key.pem',
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: 'PUB_KEY_ID_0119000001092025110100000000',
  WECHATPAY_APIV3_KEY_FILE: '/keys/apiv3.key',
  WECHATPAY_NOTIFY_URL: 'https://shop.example.com/v1/webhooks/wechatpay',
};
const KUAIDI100 = {
  COURIER_TRACKING_PROVIDER: 'kuaidi100',
  KUAIDI100_KEY: 'key',
  KUAIDI100_CUSTOMER: 'customer',
  KUAIDI100_SALT: 'salt-of-8-or-more',
  KUAIDI100_CALLBACK_URL: 'https://shop.example.com/v1/webhooks/kuaidi100',
};
const ALIYUN = {
  SMS_PROVIDER: 'aliyun',
  ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-id',
  ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret',
  ALIYUN_SMS_SIGN_NAME: '售后',
  ALIYUN_SMS_TEMPLATES_FILE: 'config/aliyun-sms-templates.example.json',
};

describe('the sections without any provider variable: the sandbox everywhere', () => {
  test('each section chooses the sandbox, over the sandbox services at their default addresses, with PROVIDER_TIMEOUT_MS', () => {
    const config = loadConfig({ PROVIDER_TIMEOUT_MS: '7000' });
    const service = (name: string) => ({ baseUrl: `http://127.0.0.1:4010/${name}`, apiKey: 'dev-sandbox-key', timeoutMs: 7000 });
    expect({ courier: config.courier, payment: config.payment, notification: config.notification, inventory: config.inventory }).toEqual({
      courier: { service: service('courier'), tracking: { provider: 'sandbox' } },
      payment: { service: service('payment'), online: [] },
      notification: { service: service('notification'), sms: { provider: 'sandbox' } },
      inventory: { service: service('inventory') },
    });
    expect(config.sandbox).toEqual({ port: 4010, apiKey: 'dev-sandbox-key', callbackUrl: 'http://127.0.0.1:3000/v1/webhooks', trackingStepMs: 1000, settleMs: 1000 });
  });

  test('a provider variable that is set must be well-formed even when its provider is not chosen (a typo stops the start either way)', () => {
    expect(refusal({ ALIPAY_APP_ID: 'app-1' })).toContain('ALIPAY_APP_ID: must be the digits of the Alipay app id');
    expect(refusal({ WECHATPAY_NOTIFY_URL: 'not a url' })).toContain('WECHATPAY_NOTIFY_URL');
    expect(refusal({ KUAIDI100_SALT: 'short' })).toContain('KUAIDI100_SALT');
    expect(refusal({ ALIYUN_SMS_ENDPOINT: 'http://x/y/z' })).toContain('ALIYUN_SMS_ENDPOINT');
  });

  test('a choice that names no provider is refused naming the variable', () => {
    expect(refusal({ COURIER_TRACKING_PROVIDER: 'sf-express' })).toBe('invalid configuration: COURIER_TRACKING_PROVIDER: Invalid option: expected one of "sandbox"|"kuaidi100"');
    expect(refusal({ SMS_PROVIDER: 'tencent' })).toBe('invalid configuration: SMS_PROVIDER: Invalid option: expected one of "sandbox"|"aliyun"');
    expect(refusal({ PAYMENT_PROVIDER_ONLINE: 'unionpay' })).toMatch(/^invalid configuration: PAYMENT_PROVIDER_ONLINE: "sandbox", or "alipay", "wechatpay" or both/);
  });
});

describe('payment', () => {
  test('alipay without a private key is refused naming ALIPAY_PRIVATE_KEY_FILE, and only it', () => {
    const { ALIPAY_PRIVATE_KEY_FILE: _left, ...rest } = ALIPAY;
    expect(refusal({ PAYMENT_PROVIDER_ONLINE: 'alipay', ...rest })).toBe('invalid configuration: ALIPAY_PRIVATE_KEY_FILE: required when PAYMENT_PROVIDER_ONLINE=alipay');
  });

  test('alipay with its variables is one section with the production gateway as default', () => {
    expect(loadConfig({ PAYMENT_PROVIDER_ONLINE: 'alipay', ...ALIPAY }).payment.online).toEqual([
      { provider: 'alipay', appId: ALIPAY.ALIPAY_APP_ID, privateKeyFile: '/keys/app.pem', publicKeyFile: '/keys/alipay.pem', gateway: 'https://openapi.alipay.com/gateway.do', timeoutMs: 5000 },
    ]);
  });

  test('both providers are two sections in the order named, and each is checked for its own variables', () => {
    const config = loadConfig({ PAYMENT_PROVIDER_ONLINE: 'wechatpay,alipay', ...ALIPAY, ...WECHATPAY });
    expect(config.payment.online.map((section) => section.provider)).toEqual(['wechatpay', 'alipay']);
    expect(onlineSectionOf(config.payment, 'wechatpay')).toMatchObject({ mchid: WECHATPAY.WECHATPAY_MCHID, baseUrl: 'https://api.mch.weixin.qq.com', apiV3KeyFile: '/keys/apiv3.key' });
    expect(refusal({ PAYMENT_PROVIDER_ONLINE: 'wechatpay,alipay', ...ALIPAY })).toContain('WECHATPAY_MCHID: required when PAYMENT_PROVIDER_ONLINE=wechatpay');
    expect(refusal({ PAYMENT_PROVIDER_ONLINE: 'wechatpay,alipay', ...ALIPAY })).not.toContain('ALIPAY_');
  });

  test('a WeChat Pay public key id equal to the merchant serial is refused at load, naming both variables', () => {
    expect(refusal({ PAYMENT_PROVIDER_ONLINE: 'wechatpay', ...WECHATPAY, WECHATPAY_PLATFORM_PUBLIC_KEY_ID: WECHATPAY.WECHATPAY_MERCHANT_SERIAL })).toBe(
      'invalid configuration: WECHATPAY_PLATFORM_PUBLIC_KEY_ID: must differ from WECHATPAY_MERCHANT_SERIAL',
    );
  });

  test('a bad PROVIDER_TIMEOUT_MS is named once, though every section reads it', () => {
    expect(refusal({ PROVIDER_TIMEOUT_MS: '5' })).toBe('invalid configuration: PROVIDER_TIMEOUT_MS: Too small: expected number to be >=100');
  });
});

describe('courier tracking and notification', () => {
  test('kuaidi100 without its salt is refused naming KUAIDI100_SALT; with it, one section carrying the production host', () => {
    const { KUAIDI100_SALT: _left, ...rest } = KUAIDI100;
    expect(refusal(rest)).toBe('invalid configuration: KUAIDI100_SALT: required when COURIER_TRACKING_PROVIDER=kuaidi100');
    expect(loadConfig(KUAIDI100).courier.tracking).toEqual({
      provider: 'kuaidi100',
      key: 'key',
      customer: 'customer',
      salt: 'salt-of-8-or-more',
      callbackUrl: KUAIDI100.KUAIDI100_CALLBACK_URL,
      baseUrl: 'https://poll.kuaidi100.com',
      timeoutMs: 5000,
    });
  });

  test('aliyun without its sign name is refused naming ALIYUN_SMS_SIGN_NAME; with it, one section with the customer directory it looks numbers up in', () => {
    const { ALIYUN_SMS_SIGN_NAME: _left, ...rest } = ALIYUN;
    expect(refusal(rest)).toBe('invalid configuration: ALIYUN_SMS_SIGN_NAME: required when SMS_PROVIDER=aliyun');
    expect(loadConfig(ALIYUN).notification.sms).toEqual({
      provider: 'aliyun',
      accessKeyId: 'LTAI-id',
      accessKeySecret: 'secret',
      signName: '售后',
      templatesFile: ALIYUN.ALIYUN_SMS_TEMPLATES_FILE,
      endpoint: 'dysmsapi.aliyuncs.com',
      directory: { baseUrl: 'http://127.0.0.1:4010/customer-directory', apiKey: 'dev-sandbox-key', timeoutMs: 5000 },
      timeoutMs: 5000,
    });
  });
});

describe('the factories take their sections', () => {
  let keyDir: string;
  beforeAll(() => {
    keyDir = mkdtempSync(path.join(tmpdir(), 'provider-config-'));
  });
  afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

  test('with the sandbox everywhere the API takes only the sandbox-protocol callbacks, each with its own secret, and orders need not say their channel; the worker has no trace query', () => {
    const config = loadConfig({});
    expect(apiProvidersFromConfig(config)).toEqual({ paymentChannelRequired: false, paymentWebhookSecret: 'dev-payment-webhook-secret', courierWebhookSecret: 'dev-courier-webhook-secret' });
    expect(createProviderClients(config).trackingQuery).toBeUndefined();
  });

  test('one callback secret per provider: the deprecated WEBHOOK_SECRET stands in only for the payment service refunding online payments, never for the courier', () => {
    const own = apiProvidersFromConfig(loadConfig({ PAYMENT_WEBHOOK_SECRET: 'payment-secret', COURIER_WEBHOOK_SECRET: 'courier-secret', WEBHOOK_SECRET: 'old-shared-secret' }));
    expect(own).toMatchObject({ paymentWebhookSecret: 'payment-secret', courierWebhookSecret: 'courier-secret' });
    const old = apiProvidersFromConfig(loadConfig({ WEBHOOK_SECRET: 'old-shared-secret' }));
    expect(old).toMatchObject({ paymentWebhookSecret: 'old-shared-secret', courierWebhookSecret: 'dev-courier-webhook-secret' });
  });

  test('Kuaidi100 chosen once gives the API its callback salt and the worker both its subscriptions and its trace query', () => {
    const config = loadConfig(KUAIDI100);
    expect(apiProvidersFromConfig(config).kuaidi100Salt).toBe('salt-of-8-or-more');
    // The sandbox courier is not the tracking provider: its generic route is not mounted.
    expect(apiProvidersFromConfig(config).courierWebhookSecret).toBeUndefined();
    expect(typeof createProviderClients(config).trackingQuery).toBe('function');
  });

  test('with both payment providers the API checks both notifications and requires every online order to say its channel; an unreadable key still stops the start, named', () => {
    const merchant = rsaPemPair();
    const platform = rsaPemPair();
    const file = (name: string, text: string) => {
      const at = path.join(keyDir, name);
      writeFileSync(at, text);
      return at;
    };
    const env = {
      PAYMENT_PROVIDER_ONLINE: 'alipay,wechatpay',
      ...ALIPAY,
      ALIPAY_PRIVATE_KEY_FILE: file('app.pem', merchant.privateKey),
      ALIPAY_PUBLIC_KEY_FILE: file('alipay.pem', platform.publicKey),
      ...WECHATPAY,
      WECHATPAY_PRIVATE_KEY_FILE: file('apiclient_key.pem', merchant.privateKey),
      WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: file('pub_key.pem', platform.publicKey),
      WECHATPAY_APIV3_KEY_FILE: file('apiv3.key', 'a'.repeat(32)),
    };
    const providers = apiProvidersFromConfig(loadConfig(env));
    // The generic payment route is not mounted with Alipay and WeChat Pay, not even by the old shared secret; only an own PAYMENT_WEBHOOK_SECRET mounts it (COD refunds, collections).
    expect(providers.paymentWebhookSecret).toBeUndefined();
    expect(apiProvidersFromConfig(loadConfig({ ...env, WEBHOOK_SECRET: 'old-shared-secret' })).paymentWebhookSecret).toBeUndefined();
    expect(apiProvidersFromConfig(loadConfig({ ...env, PAYMENT_WEBHOOK_SECRET: 'cod-service-secret' })).paymentWebhookSecret).toBe('cod-service-secret');
    expect({ alipay: typeof providers.alipayVerify, wechatpayKeyId: providers.wechatpay?.platformPublicKeyId, paymentChannelRequired: providers.paymentChannelRequired }).toEqual({
      alipay: 'function',
      wechatpayKeyId: WECHATPAY.WECHATPAY_PLATFORM_PUBLIC_KEY_ID,
      paymentChannelRequired: true,
    });
    const missing = loadConfig({ ...env, ALIPAY_PRIVATE_KEY_FILE: path.join(keyDir, 'missing.pem') });
    expect(() => apiProvidersFromConfig(missing)).toThrow(/ALIPAY_PRIVATE_KEY_FILE: cannot read/);
    expect(() => createProviderClients(missing)).toThrow(/ALIPAY_PRIVATE_KEY_FILE: cannot read/);
  });
});
