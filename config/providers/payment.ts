import { z } from 'zod';
import { httpServiceOf, httpServiceVars, providerTimeoutMs, requiredWhen, url, type HttpServiceConfig } from './common';

/** Alipay's production OpenAPI gateway (the default of ALIPAY_GATEWAY). */
const ALIPAY_DEFAULT_GATEWAY = 'https://openapi.alipay.com/gateway.do';
/** WeChat Pay's production API host (the default of WECHATPAY_BASE_URL). */
const WECHATPAY_DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';

/** The online payment providers this project has adapters for. */
export type OnlineProvider = 'alipay' | 'wechatpay';

/** `alipay`, `wechatpay`, `alipay,wechatpay`… as a list without repeats (empty for `sandbox`); null when it is none of these. */
function parseOnlineProviders(value: string): OnlineProvider[] | null {
  if (value.trim() === 'sandbox') return [];
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name !== 'alipay' && name !== 'wechatpay') || new Set(names).size !== names.length) return null;
  return names as OnlineProvider[];
}

/**
 * The online payment providers PAYMENT_PROVIDER_ONLINE names, in its order: the first refunds orders
 * that do not say their payment channel. Empty: every refund through the payment service (sandbox).
 */
export function onlinePaymentProviders(config: { PAYMENT_PROVIDER_ONLINE?: string }): OnlineProvider[] {
  return parseOnlineProviders(config.PAYMENT_PROVIDER_ONLINE ?? 'sandbox') ?? [];
}

const neededByAlipay = requiredWhen('PAYMENT_PROVIDER_ONLINE=alipay');
const neededByWechatpay = requiredWhen('PAYMENT_PROVIDER_ONLINE=wechatpay');

/** The Alipay variables (public-key mode), each required when PAYMENT_PROVIDER_ONLINE names alipay but the gateway. */
export const alipayVars = z.object({
  ALIPAY_APP_ID: z.string(neededByAlipay).regex(/^\d{1,32}$/, 'must be the digits of the Alipay app id'),
  ALIPAY_PRIVATE_KEY_FILE: z.string(neededByAlipay).min(1),
  ALIPAY_PUBLIC_KEY_FILE: z.string(neededByAlipay).min(1),
  ALIPAY_GATEWAY: url.default(ALIPAY_DEFAULT_GATEWAY),
});

/** The WeChat Pay variables (public-key mode), each required when PAYMENT_PROVIDER_ONLINE names wechatpay but the base URL. */
export const wechatpayVars = z.object({
  WECHATPAY_MCHID: z.string(neededByWechatpay).regex(/^\d{1,32}$/, 'must be the digits of the WeChat Pay merchant id'),
  WECHATPAY_MERCHANT_SERIAL: z.string(neededByWechatpay).regex(/^[0-9A-Fa-f]{1,64}$/, 'must be the hex serial number of the merchant API certificate'),
  WECHATPAY_PRIVATE_KEY_FILE: z.string(neededByWechatpay).min(1),
  WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: z.string(neededByWechatpay).min(1),
  WECHATPAY_PLATFORM_PUBLIC_KEY_ID: z.string(neededByWechatpay).regex(/^[A-Za-z0-9_]{1,64}$/, 'must be the id of the WeChat Pay public key, e.g. PUB_KEY_ID_0112…'),
  WECHATPAY_APIV3_KEY_FILE: z.string(neededByWechatpay).min(1),
  WECHATPAY_NOTIFY_URL: z.string(neededByWechatpay).url(),
  WECHATPAY_BASE_URL: url.default(WECHATPAY_DEFAULT_BASE_URL),
});

/** One online provider's section, discriminated by `provider` (each name of PAYMENT_PROVIDER_ONLINE is parsed as one). */
const onlinePaymentSection = z
  .discriminatedUnion('provider', [
    z.object({ provider: z.literal('alipay'), ...alipayVars.shape, ...providerTimeoutMs }),
    z.object({ provider: z.literal('wechatpay'), ...wechatpayVars.shape, ...providerTimeoutMs }),
  ])
  .superRefine((vars, ctx) => {
    // The SDK refuses a platform key filed under the merchant's own serial; say which variables clash.
    if (vars.provider === 'wechatpay' && vars.WECHATPAY_MERCHANT_SERIAL === vars.WECHATPAY_PLATFORM_PUBLIC_KEY_ID) {
      ctx.addIssue({ code: 'custom', path: ['WECHATPAY_PLATFORM_PUBLIC_KEY_ID'], message: 'must differ from WECHATPAY_MERCHANT_SERIAL' });
    }
  })
  .transform((vars): OnlinePaymentConfig =>
    vars.provider === 'alipay'
      ? {
          provider: 'alipay',
          appId: vars.ALIPAY_APP_ID,
          privateKeyFile: vars.ALIPAY_PRIVATE_KEY_FILE,
          publicKeyFile: vars.ALIPAY_PUBLIC_KEY_FILE,
          gateway: vars.ALIPAY_GATEWAY,
          timeoutMs: vars.PROVIDER_TIMEOUT_MS,
        }
      : {
          provider: 'wechatpay',
          mchid: vars.WECHATPAY_MCHID,
          merchantSerial: vars.WECHATPAY_MERCHANT_SERIAL,
          privateKeyFile: vars.WECHATPAY_PRIVATE_KEY_FILE,
          platformPublicKeyFile: vars.WECHATPAY_PLATFORM_PUBLIC_KEY_FILE,
          platformPublicKeyId: vars.WECHATPAY_PLATFORM_PUBLIC_KEY_ID,
          apiV3KeyFile: vars.WECHATPAY_APIV3_KEY_FILE,
          notifyUrl: vars.WECHATPAY_NOTIFY_URL,
          baseUrl: vars.WECHATPAY_BASE_URL,
          timeoutMs: vars.PROVIDER_TIMEOUT_MS,
        },
  );

/**
 * The payment section: coupons, collections and refunds of COD orders always through the payment
 * service (HTTP); refunds of online payments through it too (`sandbox`) or through each online
 * provider PAYMENT_PROVIDER_ONLINE names, each parsed as its own section (both may be named). Any
 * ALIPAY_* or WECHATPAY_* that is set must be well-formed, named or not (a typo stops the start).
 */
export const paymentSection = z
  .preprocess(
    (env) => {
      const vars = env as Record<string, string | undefined>;
      return { ...vars, online: onlinePaymentProviders(vars).map((provider) => ({ ...vars, provider })) };
    },
    z.object({
      PAYMENT_PROVIDER_ONLINE: z
        .string()
        .default('sandbox')
        .refine((value) => parseOnlineProviders(value) !== null, {
          message: '"sandbox", or "alipay", "wechatpay" or both separated by a comma (the first is the default for orders that do not say their channel)',
        }),
      ...httpServiceVars('PAYMENT', 'payment'),
      ...providerTimeoutMs,
      ...alipayVars.partial().shape,
      ...wechatpayVars.partial().shape,
      online: z.array(onlinePaymentSection),
    }),
  )
  .transform((vars): PaymentConfig => ({ service: httpServiceOf('PAYMENT', vars), online: vars.online }));

/** Alipay refunds, as PAYMENT_PROVIDER_ONLINE=alipay configures them (public-key mode). */
export interface AlipayConfig {
  provider: 'alipay';
  /** APPID of the app on open.alipay.com. */
  appId: string;
  /** The app's RSA2 private key (PEM, PKCS#1 or PKCS#8, or bare base64). */
  privateKeyFile: string;
  /** Alipay's public key (支付宝公钥), which signs Alipay's answers. */
  publicKeyFile: string;
  /** The OpenAPI gateway, ALIPAY_DEFAULT_GATEWAY or the sandbox's. */
  gateway: string;
  timeoutMs: number;
}

/** WeChat Pay refunds, as PAYMENT_PROVIDER_ONLINE=wechatpay configures them (public-key mode). */
export interface WechatpayConfig {
  provider: 'wechatpay';
  mchid: string;
  /** Serial number of the merchant API certificate, sent in every Authorization header. */
  merchantSerial: string;
  /** The merchant API private key, which signs every request. */
  privateKeyFile: string;
  /** WeChat Pay's public key, which verifies every answer and notification. */
  platformPublicKeyFile: string;
  /** Its id, which answers name in Wechatpay-Serial. */
  platformPublicKeyId: string;
  /** The 32-character APIv3 key, which decrypts the notifications (the API reads it). */
  apiV3KeyFile: string;
  /** Our notification route, sent with each refund. */
  notifyUrl: string;
  /** API host, WECHATPAY_DEFAULT_BASE_URL or the sandbox's. */
  baseUrl: string;
  timeoutMs: number;
}

/** One online payment provider's section. */
export type OnlinePaymentConfig = AlipayConfig | WechatpayConfig;

/** The payment section of the configuration. */
export interface PaymentConfig {
  /** Coupons, collections, COD refunds (and online refunds with the sandbox). */
  service: HttpServiceConfig;
  /** The online providers in PAYMENT_PROVIDER_ONLINE's order (the first takes orders that do not say their channel); empty: the sandbox. */
  online: OnlinePaymentConfig[];
}

/** The section of `provider` when PAYMENT_PROVIDER_ONLINE names it. */
export function onlineSectionOf<P extends OnlineProvider>(payment: Pick<PaymentConfig, 'online'>, provider: P): Extract<OnlinePaymentConfig, { provider: P }> | undefined {
  return payment.online.find((section): section is Extract<OnlinePaymentConfig, { provider: P }> => section.provider === provider);
}
