import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { ConfigError } from '../config/env';
import type { WechatpayConfig } from '../config/providers';

/** How far a signed answer's or notification's Wechatpay-Timestamp may be from our clock (WeChat Pay's own rule). */
export const WECHATPAY_MAX_CLOCK_OFFSET_SEC = 300;

/**
 * How each error `code` of a refused call is treated. Retryable ones are thrown as retryable provider
 * errors, so Temporal calls again with the same `out_refund_no` (WeChat Pay refunds one number once);
 * final ones fail the activity at once. Codes not listed: HTTP 5xx and 429 are retried, others final.
 */
export const WECHATPAY_ERROR_CODES: Record<string, { retryable: boolean; meaning: string }> = {
  SYSTEM_ERROR: { retryable: true, meaning: 'WeChat Pay system error or timeout: the same request is sent again' },
  FREQUENCY_LIMITED: { retryable: true, meaning: 'too many requests: the same request is sent again later' },
  NOT_ENOUGH: {
    retryable: true,
    meaning: "the merchant's balance cannot cover the refund: retried with the same refund number until the account is topped up",
  },
  PARAM_ERROR: { retryable: false, meaning: 'WeChat Pay found a parameter malformed' },
  INVALID_REQUEST: {
    retryable: false,
    meaning: 'the request breaks a business rule (e.g. more than the payment has left, another total, the payment too old or not paid)',
  },
  SIGN_ERROR: { retryable: false, meaning: 'WeChat Pay could not verify our signature: the merchant private key or its serial is wrong' },
  NO_AUTH: { retryable: false, meaning: 'the merchant has no permission to refund' },
  RESOURCE_NOT_EXISTS: { retryable: false, meaning: 'WeChat Pay has no payment (or refund) under this number' },
  ORDER_NOT_EXIST: { retryable: false, meaning: 'WeChat Pay has no payment under this order id' },
  MCH_NOT_EXISTS: { retryable: false, meaning: 'WECHATPAY_MCHID is not a merchant WeChat Pay knows' },
  USER_ACCOUNT_ABNORMAL: { retryable: false, meaning: "the buyer's WeChat account cannot receive the refund (e.g. closed)" },
};

/** The characters WeChat Pay allows in `out_refund_no` (1 to 64 of them). */
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
/** The characters WeChat Pay allows in `out_trade_no` (6 to 32 of them). */
export const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;

/**
 * The `out_refund_no` of a refund idempotency key: WeChat Pay's alphabet has no ':', so the key's
 * separators (`<caseId>:refund:<attempt>`) are written as '-', which no case id contains. The result
 * is the refund id the case keeps; null when the key cannot be written in WeChat Pay's alphabet.
 */
export function outRefundNoOf(idempotencyKey: string): string | null {
  const number = idempotencyKey.replaceAll(':', '-');
  return OUT_REFUND_NO.test(number) ? number : null;
}

/** The case id an `out_refund_no` of ours starts with (up to its first '-'), or undefined. */
export function caseIdOfOutRefundNo(outRefundNo: string): string | undefined {
  const at = outRefundNo.indexOf('-');
  return at > 0 ? outRefundNo.slice(0, at) : undefined;
}

/** The four signature headers WeChat Pay puts on its answers and notifications. */
export interface WechatpaySignatureHeaders {
  timestamp?: string;
  nonce?: string;
  serial?: string;
  signature?: string;
}

/** Why a signed message was refused. */
export type WechatpaySignatureRejection = 'missing' | 'serial' | 'stale' | 'bad_signature';

/**
 * WeChat Pay's check of an answer or a notification: all four headers present, the serial the one of
 * the public key we were given, the timestamp within 5 minutes of ours, and an RSA-SHA256 signature
 * over `timestamp\nnonce\nbody\n` on the exact bytes received (the SDK's Formatter and Rsa.verify).
 */
export function verifyWechatpaySignature(
  headers: WechatpaySignatureHeaders,
  body: Buffer,
  key: { publicKey: KeyObject; publicKeyId: string },
  nowSec: number,
): { ok: true } | { ok: false; reason: WechatpaySignatureRejection } {
  const { timestamp, nonce, serial, signature } = headers;
  if (!timestamp || !nonce || !serial || !signature) return { ok: false, reason: 'missing' };
  if (serial !== key.publicKeyId) return { ok: false, reason: 'serial' };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSec - Number(timestamp)) > WECHATPAY_MAX_CLOCK_OFFSET_SEC) return { ok: false, reason: 'stale' };
  try {
    // WeChat Pay signs UTF-8 text: bytes that are not UTF-8 cannot be what it signed.
    const text = STRICT_UTF8.decode(body);
    return Rsa.verify(Formatter.response(timestamp, nonce, text), signature, key.publicKey) ? { ok: true } : { ok: false, reason: 'bad_signature' };
  } catch {
    return { ok: false, reason: 'bad_signature' };
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The encrypted `resource` of a notification. */
export interface WechatpayEncryptedResource {
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

/** AEAD_AES_256_GCM decryption of a notification's resource with the APIv3 key (the SDK's AesGcm); throws when it does not authenticate. */
export function decryptResource(resource: WechatpayEncryptedResource, apiV3Key: Buffer): string {
  return Aes.AesGcm.decrypt(resource.ciphertext, apiV3Key, resource.nonce, resource.associated_data ?? '');
}

/** Our refund status of a WeChat Pay refund status (undefined for one we do not know). */
export function refundStatusOf(status: unknown): 'succeeded' | 'pending' | 'failed' | undefined {
  if (status === 'SUCCESS') return 'succeeded';
  if (status === 'PROCESSING') return 'pending';
  if (status === 'ABNORMAL' || status === 'CLOSED') return 'failed';
  return undefined;
}

/** A random nonce of WeChat Pay's kind (the SDK's), for tests and the sandbox. */
export const wechatpayNonce = (): string => Formatter.nonce();

/** The keys that check WeChat Pay's notifications: its public key and id, and the APIv3 key that decrypts them. */
export interface WechatpayNotificationKeys {
  platformPublicKey: KeyObject;
  platformPublicKeyId: string;
  apiV3Key: Buffer;
}

/** Reads the notification keys of the WeChat Pay section; an unusable file stops the API at start, named. */
export function wechatpayNotificationKeysFromConfig(section: Pick<WechatpayConfig, 'platformPublicKeyFile' | 'platformPublicKeyId' | 'apiV3KeyFile'>): WechatpayNotificationKeys {
  return {
    platformPublicKey: readPublicKey('WECHATPAY_PLATFORM_PUBLIC_KEY_FILE', section.platformPublicKeyFile),
    platformPublicKeyId: section.platformPublicKeyId,
    apiV3Key: readApiV3Key('WECHATPAY_APIV3_KEY_FILE', section.apiV3KeyFile),
  };
}

function readText(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The merchant API private key (apiclient_key.pem, PKCS#8 or PKCS#1 PEM); the message names the variable, never the key. */
export function readPrivateKey(variable: string, file: string): KeyObject {
  const text = readText(variable, file);
  try {
    const key = createPrivateKey(text);
    if (key.asymmetricKeyType === 'rsa') return key;
  } catch {
    // Reported below.
  }
  throw new ConfigError(`invalid configuration: ${variable}: ${file} does not hold an RSA private key (PEM)`);
}

/** WeChat Pay's public key (PEM); a private key is refused here, though it would yield a public one. */
export function readPublicKey(variable: string, file: string): KeyObject {
  const text = readText(variable, file);
  try {
    if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) {
      const key = createPublicKey(text);
      if (key.asymmetricKeyType === 'rsa') return key;
    }
  } catch {
    // Reported below.
  }
  throw new ConfigError(`invalid configuration: ${variable}: ${file} does not hold an RSA public key (PEM)`);
}

/** The APIv3 key: the 32 characters set in the merchant platform (AES-256 needs exactly 32 bytes). */
export function readApiV3Key(variable: string, file: string): Buffer {
  const key = Buffer.from(readText(variable, file), 'utf8');
  if (key.length !== 32) throw new ConfigError(`invalid configuration: ${variable}: ${file} does not hold a 32-character APIv3 key`);
  return key;
}
