import { z } from 'zod';
import { url } from './common';
import { alipayVars, wechatpayVars } from './payment';

const port = z.coerce.number().int().min(1).max(65535);
const file = z.string().min(1);

/**
 * The provider sandbox's own section (sandbox/main.ts): where it listens and calls back, its pace,
 * and whether it also plays Alipay and WeChat Pay (only when all of their key files are set). It
 * names the app and the merchant as the shop's ALIPAY_* / WECHATPAY_* variables do, when set.
 */
export const sandboxSection = z
  .object({
    SANDBOX_PORT: port.default(4010),
    SANDBOX_API_KEY: z.string().min(1).default('dev-sandbox-key'),
    SANDBOX_CALLBACK_URL: url.default('http://127.0.0.1:3000/v1/webhooks'),
    SANDBOX_TRACKING_STEP_MS: z.coerce.number().int().min(0).default(1000),
    SANDBOX_SETTLE_MS: z.coerce.number().int().min(0).default(1000),
    SANDBOX_ALIPAY_PRIVATE_KEY_FILE: file.optional(),
    SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE: file.optional(),
    SANDBOX_ALIPAY_NOTIFY_URL: url.optional(),
    SANDBOX_WECHATPAY_PLATFORM_PRIVATE_KEY_FILE: file.optional(),
    SANDBOX_WECHATPAY_MERCHANT_PUBLIC_KEY_FILE: file.optional(),
    SANDBOX_WECHATPAY_APIV3_KEY_FILE: file.optional(),
    ALIPAY_APP_ID: alipayVars.shape.ALIPAY_APP_ID.optional(),
    WECHATPAY_MCHID: wechatpayVars.shape.WECHATPAY_MCHID.optional(),
    WECHATPAY_PLATFORM_PUBLIC_KEY_ID: wechatpayVars.shape.WECHATPAY_PLATFORM_PUBLIC_KEY_ID.optional(),
  })
  .transform((vars): SandboxConfig => {
    const alipay =
      vars.SANDBOX_ALIPAY_PRIVATE_KEY_FILE === undefined || vars.SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE === undefined
        ? undefined
        : {
            privateKeyFile: vars.SANDBOX_ALIPAY_PRIVATE_KEY_FILE,
            appPublicKeyFile: vars.SANDBOX_ALIPAY_APP_PUBLIC_KEY_FILE,
            ...(vars.ALIPAY_APP_ID === undefined ? {} : { appId: vars.ALIPAY_APP_ID }),
            ...(vars.SANDBOX_ALIPAY_NOTIFY_URL === undefined ? {} : { notifyUrl: vars.SANDBOX_ALIPAY_NOTIFY_URL }),
          };
    const { SANDBOX_WECHATPAY_PLATFORM_PRIVATE_KEY_FILE: own, SANDBOX_WECHATPAY_MERCHANT_PUBLIC_KEY_FILE: merchant, SANDBOX_WECHATPAY_APIV3_KEY_FILE: apiV3 } = vars;
    const wechatpay =
      own === undefined || merchant === undefined || apiV3 === undefined
        ? undefined
        : {
            platformPrivateKeyFile: own,
            merchantPublicKeyFile: merchant,
            apiV3KeyFile: apiV3,
            ...(vars.WECHATPAY_PLATFORM_PUBLIC_KEY_ID === undefined ? {} : { platformPublicKeyId: vars.WECHATPAY_PLATFORM_PUBLIC_KEY_ID }),
            ...(vars.WECHATPAY_MCHID === undefined ? {} : { mchid: vars.WECHATPAY_MCHID }),
          };
    return {
      port: vars.SANDBOX_PORT,
      apiKey: vars.SANDBOX_API_KEY,
      callbackUrl: vars.SANDBOX_CALLBACK_URL,
      trackingStepMs: vars.SANDBOX_TRACKING_STEP_MS,
      settleMs: vars.SANDBOX_SETTLE_MS,
      ...(alipay ? { alipay } : {}),
      ...(wechatpay ? { wechatpay } : {}),
    };
  });

/** The provider sandbox's section of the configuration. */
export interface SandboxConfig {
  port: number;
  /** The secret it expects from our adapters. */
  apiKey: string;
  /** Base URL of our webhooks it posts signed callbacks to. */
  callbackUrl: string;
  trackingStepMs: number;
  settleMs: number;
  /** Set: it serves Alipay at /alipay/gateway.do, signing with its own key, checking the app's. */
  alipay?: { privateKeyFile: string; appPublicKeyFile: string; appId?: string; notifyUrl?: string };
  /** Set: it serves WeChat Pay at /wechatpay/v3/…. */
  wechatpay?: { platformPrivateKeyFile: string; merchantPublicKeyFile: string; apiV3KeyFile: string; platformPublicKeyId?: string; mchid?: string };
}
