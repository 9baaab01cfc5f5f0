import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AlipayRequestError, AlipaySdk, type AlipaySdkCommonResult } from 'alipay-sdk';
import type { CollectionPurpose, PaymentPort } from '../activities/provider-ports';
import { ConfigError } from '../config/env';
import type { AlipayConfig } from '../config/providers';
import { fenToYuan, yuanToFen } from '../domain/yuan';
import { ProviderError } from './http-client';

/** How to reach Alipay as one app. */
export interface AlipayClientOptions {
  appId: string;
  /** The app's RSA2 private key, PEM (PKCS#8). */
  privateKey: string;
  /** Alipay's public key, PEM (SPKI): every answer must carry a signature it verifies. */
  alipayPublicKey: string;
  /** The OpenAPI gateway URL (ALIPAY_GATEWAY: Alipay's, or the sandbox's). */
  gateway: string;
  /** Timeout of one call, in milliseconds. */
  timeoutMs: number;
}

/** What `queryRefund` found: a refund Alipay paid (with its amount in fen), or none under that request number. */
export type AlipayRefundQueryResult = { status: 'succeeded'; refundId: string; amount: number; refundedAt?: string } | { status: 'not_found'; refundId: string };

/**
 * How each `sub_code` of a refused refund is treated. Retryable ones are thrown as retryable provider
 * errors, so Temporal calls again with the same `out_request_no` (Alipay pays a request number once);
 * final ones fail the activity at once. Codes not listed fall back on the top-level code
 * (20000 "service unavailable" and `isp.*` platform errors are retried, anything else is final).
 */
export const ALIPAY_REFUND_SUB_CODES: Record<string, { retryable: boolean; meaning: string }> = {
  'ACQ.SYSTEM_ERROR': { retryable: true, meaning: 'Alipay system error: the same request is sent again' },
  'aop.ACQ.SYSTEM_ERROR': { retryable: true, meaning: 'Alipay gateway system error: the same request is sent again' },
  'ACQ.SELLER_BALANCE_NOT_ENOUGH': {
    retryable: true,
    meaning: "the merchant's Alipay balance cannot cover the refund: retried with the same request number until the account is topped up",
  },
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': { retryable: false, meaning: 'the refund is more than the payment has left to refund' },
  'ACQ.TRADE_NOT_EXIST': { retryable: false, meaning: 'Alipay has no payment under this order id' },
  'ACQ.TRADE_STATUS_ERROR': { retryable: false, meaning: 'the payment is in a state that cannot be refunded (e.g. never paid, closed)' },
  'ACQ.TRADE_HAS_FINISHED': { retryable: false, meaning: 'the payment is finished: its refund period is over' },
  'ACQ.DISCORDANT_REPEAT_REQUEST': { retryable: false, meaning: 'this request number was used before with other parameters' },
  'ACQ.REASON_TRADE_BEEN_FREEZEN': { retryable: false, meaning: 'the payment is frozen by Alipay' },
  'ACQ.REFUND_FEE_ERROR': { retryable: false, meaning: 'the refund amount is invalid' },
  'ACQ.INVALID_PARAMETER': { retryable: false, meaning: 'Alipay found a parameter invalid' },
  'ACQ.SELLER_ERROR': { retryable: false, meaning: "the merchant's Alipay account is not in a state to refund" },
  'ACQ.BUYER_ERROR': { retryable: false, meaning: "the buyer's Alipay account is not in a state to receive a refund" },
  'isv.invalid-signature': { retryable: false, meaning: "Alipay could not verify our signature: the app's private key does not match its registered public key" },
  'isv.invalid-app-id': { retryable: false, meaning: 'ALIPAY_APP_ID is not an app Alipay knows' },
};

/** Alipay's top-level code of a successful call. */
const SUCCESS = '10000';
/** Alipay's top-level code for "service unavailable". */
const SERVICE_UNAVAILABLE = '20000';
/** Alipay caps refund_reason at 256 characters. */
const REASON_MAX = 256;

/**
 * Payment adapter for Alipay (支付宝) over its OpenAPI, through Alipay's own SDK (alipay-sdk: RSA2
 * request signing, answer signature verification). Refunds only: `out_trade_no` is the shop's order
 * id, `out_request_no` the refund's idempotency key (Alipay pays one request number once, so a retry
 * never refunds twice), amounts go as yuan strings converted exactly from fen.
 */
export class AlipayPaymentClient implements PaymentPort {
  private readonly sdk: AlipaySdk;
  private readonly appId: string;

  constructor(options: AlipayClientOptions) {
    this.appId = options.appId;
    this.sdk = new AlipaySdk({
      appId: options.appId,
      privateKey: options.privateKey,
      keyType: 'PKCS8',
      signType: 'RSA2',
      alipayPublicKey: options.alipayPublicKey,
      gateway: options.gateway,
      timeout: options.timeoutMs,
      // Wire names (out_request_no, fund_change) as Alipay documents them.
      camelcase: false,
    });
  }

  /**
   * `alipay.trade.refund` of an online payment: `succeeded` when Alipay says money moved
   * (fund_change=Y) or, for a repeated request number (fund_change=N), when the refund query finds
   * it paid; `pending` otherwise. The refund id is the request number (Alipay keeps no other id).
   */
  async createRefund(
    input: { caseId: string; orderId: string; amount: number; currency: string; paymentMethod: 'online' | 'cod'; reason: string },
    idempotencyKey: string,
  ): Promise<{ refundId: string; status: 'pending' | 'succeeded' | 'failed' }> {
    checkRefundInput(input);
    const answer = await this.call('alipay.trade.refund', {
      out_trade_no: input.orderId,
      out_request_no: idempotencyKey,
      refund_amount: fenToYuan(input.amount),
      refund_reason: refundReason(input.reason),
    });
    if (answer.fund_change === 'Y') return { refundId: idempotencyKey, status: 'succeeded' };
    // N does not mean failure (Alipay's documentation): a repeated request number answers N; the query settles it.
    const found = await this.queryRefund({ orderId: input.orderId, idempotencyKey });
    if (found.status === 'succeeded' && found.amount !== input.amount) {
      throw new ProviderError(`alipay refund ${idempotencyKey} was paid with another amount than this request (${found.amount} fen, not ${input.amount})`, {
        provider: 'payment',
        retryable: false,
        code: 'amount_mismatch',
      });
    }
    return { refundId: idempotencyKey, status: found.status === 'succeeded' ? 'succeeded' : 'pending' };
  }

  /**
   * `alipay.trade.fastpay.refund.query`: the fallback when no notification comes. Alipay's rule: an
   * answer carrying the refund with refund_status empty or REFUND_SUCCESS means it was paid; no refund
   * in the answer means it was not (a new `alipay.trade.refund` with the same request number is safe).
   */
  async queryRefund(input: { orderId: string; idempotencyKey: string }): Promise<AlipayRefundQueryResult> {
    const answer = await this.call('alipay.trade.fastpay.refund.query', {
      out_trade_no: input.orderId,
      out_request_no: input.idempotencyKey,
      query_options: ['gmt_refund_pay'],
    });
    const refundId = input.idempotencyKey;
    const amount = typeof answer.refund_amount === 'string' ? answer.refund_amount : undefined;
    const status = typeof answer.refund_status === 'string' ? answer.refund_status : '';
    if (amount === undefined || (status !== '' && status !== 'REFUND_SUCCESS')) return { status: 'not_found', refundId };
    let fen: number;
    try {
      fen = yuanToFen(amount);
    } catch {
      throw new ProviderError('alipay alipay.trade.fastpay.refund.query answered a refund_amount that is not a yuan amount', {
        provider: 'payment',
        retryable: false,
        code: 'invalid_response',
      });
    }
    const refundedAt = typeof answer.gmt_refund_pay === 'string' ? { refundedAt: answer.gmt_refund_pay } : {};
    return { status: 'succeeded', refundId, amount: fen, ...refundedAt };
  }

  /**
   * True when an asynchronous notification (its form fields as received) is signed by Alipay and
   * addressed to our app: the SDK's `checkNotifySignV2` (RSA2 over the sorted raw `k=v` pairs).
   */
  verifyNotification(fields: Record<string, string>): boolean {
    return fields.app_id === this.appId && this.sdk.checkNotifySignV2(fields);
  }

  /** Not done through Alipay: coupons are the shop's own (integrations/index.ts sends them to the payment service). */
  async issueCoupon(_input: { caseId: string; customerId: string; amount: number; currency: string }, _idempotencyKey: string): Promise<{ couponId: string }> {
    throw notSupported('coupons');
  }

  /** Not done through Alipay yet (integrations/index.ts sends collections to the payment service's payment link). */
  async createCollection(
    _input: { caseId: string; customerId: string; amount: number; currency: string; purpose: CollectionPurpose },
    _idempotencyKey: string,
  ): Promise<{ collectionId: string; status: 'pending' | 'succeeded' | 'failed' }> {
    throw notSupported('collections');
  }

  /** One signed call; the answer's signature is verified by the SDK, and a refusal becomes a ProviderError. */
  private async call(method: string, bizContent: Record<string, unknown>): Promise<AlipaySdkCommonResult> {
    let answer: AlipaySdkCommonResult;
    try {
      answer = await this.sdk.exec(method, { bizContent }, { validateSign: true });
    } catch (err) {
      throw transportError(method, err);
    }
    if (answer.code === SUCCESS) return answer;
    throw refusal(method, answer);
  }
}

/** The refused call as a ProviderError: the sub_code (never sub_msg, which may quote request data) and whether to retry. */
function refusal(method: string, answer: AlipaySdkCommonResult): ProviderError {
  const subCode = typeof answer.sub_code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(answer.sub_code) ? answer.sub_code : undefined;
  const known = subCode === undefined ? undefined : ALIPAY_REFUND_SUB_CODES[subCode];
  const retryable = known?.retryable ?? (answer.code === SERVICE_UNAVAILABLE || subCode?.startsWith('isp.') === true);
  const code = subCode ?? `code-${String(answer.code)}`;
  return new ProviderError(`alipay ${method} refused: ${code}${known ? ` (${known.meaning})` : ''}`, { provider: 'payment', retryable, code });
}

/**
 * A call that got no usable answer. No answer at all (network, timeout, 5xx) is retried: the request
 * number makes the retry safe. An answer whose signature does not verify is never trusted and not
 * retried (a wrong ALIPAY_PUBLIC_KEY_FILE or a forged answer needs a person), like any unreadable one.
 */
function transportError(method: string, err: unknown): ProviderError {
  const provider = 'payment';
  if (!(err instanceof AlipayRequestError)) {
    // The SDK's verifier throws a plain error when the answer carries no signature at all.
    return new ProviderError(`alipay ${method} answered without a verifiable signature`, { provider, retryable: false, code: 'invalid_signature' });
  }
  if (err.message.includes('验签失败')) {
    return new ProviderError(`alipay ${method} answered with a signature that Alipay's public key does not verify`, {
      provider,
      retryable: false,
      code: 'invalid_signature',
    });
  }
  const status = /HTTP 请求错误, status: (\d+)/.exec(err.message)?.[1];
  if (status !== undefined) {
    const code = Number(status);
    const retryable = code >= 500 || code === 408 || code === 429;
    return new ProviderError(`alipay ${method} failed: HTTP ${code}`, { provider, status: code, retryable, code: `http-${code}` });
  }
  if (err.message.startsWith('HttpClient Request error')) {
    return new ProviderError(`alipay ${method} got no answer (network error or timeout)`, { provider, retryable: true, cause: err.cause });
  }
  return new ProviderError(`alipay ${method} answered something that is not an Alipay answer`, { provider, retryable: false, code: 'invalid_response' });
}

function checkRefundInput(input: { orderId?: string; amount: number; currency: string; paymentMethod: string }): void {
  const problem =
    input.paymentMethod !== 'online'
      ? 'only refunds of online payments go through Alipay'
      : input.currency !== 'CNY'
        ? `Alipay refunds are in CNY, not ${input.currency}`
        : typeof input.orderId !== 'string' || input.orderId === ''
          ? // Activities scheduled before the order id joined the refund input carry none.
            'the refund carries no order id (out_trade_no)'
          : !Number.isSafeInteger(input.amount) || input.amount <= 0
            ? 'the refund amount must be a positive whole number of fen'
            : undefined;
  if (problem) throw new ProviderError(`alipay refund not sent: ${problem}`, { provider: 'payment', retryable: false, code: 'invalid_request' });
}

/**
 * The refund reason shown to the buyer in Alipay: our reasons are short fixed phrases and reason codes;
 * anything outside that alphabet is dropped, so no free text (and no personal data) can reach Alipay.
 */
function refundReason(reason: string): string {
  const plain = reason.replace(/[^A-Za-z0-9 :_.,-]/g, '').trim().slice(0, REASON_MAX);
  return plain === '' ? 'after-sales refund' : plain;
}

function notSupported(what: string): ProviderError {
  return new ProviderError(`${what} are not supported by the Alipay adapter yet`, { provider: 'payment', retryable: false, code: 'not_supported' });
}

/**
 * The adapter's options from its section (config/providers/payment.ts checked every variable): reads
 * the key files, which may be PEM (PKCS#1 or PKCS#8 / SPKI) or the bare base64 Alipay's key tool
 * writes; an unreadable file or a wrong key is a ConfigError naming the variable, so the worker
 * stops at start rather than at the first refund.
 */
export function alipayOptionsOf(section: AlipayConfig): AlipayClientOptions {
  return {
    appId: section.appId,
    privateKey: readKey('ALIPAY_PRIVATE_KEY_FILE', section.privateKeyFile, 'private'),
    alipayPublicKey: readKey('ALIPAY_PUBLIC_KEY_FILE', section.publicKeyFile, 'public'),
    gateway: section.gateway,
    timeoutMs: section.timeoutMs,
  };
}

/** The Alipay payment adapter of PAYMENT_PROVIDER_ONLINE=alipay (the worker's refunds). */
export function alipayPaymentFromConfig(section: AlipayConfig): AlipayPaymentClient {
  return new AlipayPaymentClient(alipayOptionsOf(section));
}

/** The check of Alipay's notifications for the API (the same keys as the worker's refunds; an unusable one stops the start). */
export function alipayNotificationVerifier(section: AlipayConfig): (fields: Record<string, string>) => boolean {
  const client = alipayPaymentFromConfig(section);
  return (fields) => client.verifyNotification(fields);
}

/** A key file as the PEM the SDK expects (PKCS#8 private, SPKI public); the message names the variable, never the key. */
function readKey(variable: string, file: string, kind: 'private' | 'public'): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return normalizeKey(text, kind);
  } catch {
    throw new ConfigError(`invalid configuration: ${variable}: ${file} does not hold an RSA ${kind} key (PEM or bare base64)`);
  }
}

/** The key as PEM, from PEM or from bare base64 DER (PKCS#8 or PKCS#1 private, SPKI or PKCS#1 public). */
function normalizeKey(text: string, kind: 'private' | 'public'): string {
  if (text.includes('-----BEGIN')) {
    // A private key would yield its own public key here: refuse it where Alipay's public key belongs.
    if (kind === 'public' && !/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) throw new Error('not a public key');
    return exportKey(kind === 'private' ? createPrivateKey(text) : createPublicKey(text), kind);
  }
  const der = Buffer.from(text.replace(/\s+/g, ''), 'base64');
  const decoders: (() => KeyObject)[] =
    kind === 'private'
      ? (['pkcs8', 'pkcs1'] as const).map((type) => () => createPrivateKey({ key: der, format: 'der', type }))
      : (['spki', 'pkcs1'] as const).map((type) => () => createPublicKey({ key: der, format: 'der', type }));
  for (const decode of decoders) {
    try {
      return exportKey(decode(), kind);
    } catch {
      // Try the next encoding.
    }
  }
  throw new Error('not a key');
}

function exportKey(key: KeyObject, kind: 'private' | 'public'): string {
  if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  const pem = kind === 'private' ? key.export({ format: 'pem', type: 'pkcs8' }) : key.export({ format: 'pem', type: 'spki' });
  return pem.toString().trim();
}
