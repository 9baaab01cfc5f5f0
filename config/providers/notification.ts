import { z } from 'zod';
import { choiceOf, httpServiceOf, httpServiceVars, providerTimeoutMs, requiredWhen, withDefaultChoice, type HttpServiceConfig } from './common';

/** Aliyun SMS's production endpoint (the default of ALIYUN_SMS_ENDPOINT). */
const ALIYUN_SMS_DEFAULT_ENDPOINT = 'dysmsapi.aliyuncs.com';

const needed = requiredWhen('SMS_PROVIDER=aliyun');

/** The Aliyun SMS variables, each required when SMS_PROVIDER=aliyun but the endpoint and the receipt token. */
const aliyunSmsVars = z.object({
  ALIYUN_SMS_ACCESS_KEY_ID: z.string(needed).min(1),
  ALIYUN_SMS_ACCESS_KEY_SECRET: z.string(needed).min(1),
  ALIYUN_SMS_SIGN_NAME: z.string(needed).min(1),
  ALIYUN_SMS_TEMPLATES_FILE: z.string(needed).min(1),
  ALIYUN_SMS_ENDPOINT: z
    .string()
    .regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, 'must be a host such as dysmsapi.aliyuncs.com, or a URL such as http://127.0.0.1:4010')
    .default(ALIYUN_SMS_DEFAULT_ENDPOINT),
  // In the URL because Aliyun's receipt push is not signed: long enough not to be guessed, URL-safe.
  ALIYUN_SMS_RECEIPT_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,128}$/, 'must be 32 to 128 letters, digits, _ or - (e.g. openssl rand -hex 32)')
    .optional(),
});

const notificationVars = {
  ...httpServiceVars('NOTIFICATION', 'notification'),
  // The SMS adapter looks customers' numbers up there; with the sandbox it is not called.
  ...httpServiceVars('CUSTOMER_DIRECTORY', 'customer-directory'),
  ...providerTimeoutMs,
};

/**
 * The notification section: staff messages always through the notification service (HTTP);
 * customer messages through it too (`sandbox`) or as SMS through Aliyun. With the sandbox, an
 * ALIYUN_SMS_* that is set must still be well-formed (a typo stops the start either way).
 */
export const notificationSection = z
  .preprocess(
    withDefaultChoice('SMS_PROVIDER', 'sandbox'),
    z.discriminatedUnion(
      'SMS_PROVIDER',
      [
        z.object({ SMS_PROVIDER: z.literal('sandbox'), ...notificationVars, ...aliyunSmsVars.partial().shape }),
        z.object({ SMS_PROVIDER: z.literal('aliyun'), ...notificationVars, ...aliyunSmsVars.shape }),
      ],
      choiceOf(['sandbox', 'aliyun']),
    ),
  )
  .transform((vars): NotificationConfig => ({
    service: httpServiceOf('NOTIFICATION', vars),
    sms:
      vars.SMS_PROVIDER === 'sandbox'
        ? { provider: 'sandbox' }
        : {
            provider: 'aliyun',
            accessKeyId: vars.ALIYUN_SMS_ACCESS_KEY_ID,
            accessKeySecret: vars.ALIYUN_SMS_ACCESS_KEY_SECRET,
            signName: vars.ALIYUN_SMS_SIGN_NAME,
            templatesFile: vars.ALIYUN_SMS_TEMPLATES_FILE,
            endpoint: vars.ALIYUN_SMS_ENDPOINT,
            ...(vars.ALIYUN_SMS_RECEIPT_TOKEN === undefined ? {} : { receiptToken: vars.ALIYUN_SMS_RECEIPT_TOKEN }),
            directory: httpServiceOf('CUSTOMER_DIRECTORY', vars),
            timeoutMs: vars.PROVIDER_TIMEOUT_MS,
          },
  }));

/** Customer messages as SMS through Aliyun, as SMS_PROVIDER=aliyun configures them. */
export interface AliyunSmsConfig {
  provider: 'aliyun';
  /** AccessKey of the RAM user that sends SMS. */
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved signature (短信签名). */
  signName: string;
  /** Our template name → Aliyun TemplateCode and params (JSON). */
  templatesFile: string;
  /** A host (`dysmsapi.aliyuncs.com`, HTTPS) or a URL with its scheme (the sandbox's). */
  endpoint: string;
  /** The secret last path segment of the delivery-receipt URL; absent: no receipts are taken. */
  receiptToken?: string;
  /** The shop's customer directory, where customers' numbers are looked up. */
  directory: HttpServiceConfig;
  timeoutMs: number;
}

/** Who sends customer messages: the notification service (the sandbox's outbox) or Aliyun SMS. */
export type SmsConfig = { provider: 'sandbox' } | AliyunSmsConfig;

/** The notification section of the configuration. */
export interface NotificationConfig {
  /** Staff messages (and customer messages with the sandbox, or to a customer without a number). */
  service: HttpServiceConfig;
  sms: SmsConfig;
}
