import type { KeyObject } from 'node:crypto';
import { Decorator } from 'wechatpay-axios-plugin';
import type { CollectionPurpose, PaymentPort } from '../activities/provider-ports';
import type { WechatpayConfig } from '../config/providers';
import { ProviderError } from './http-client';
import {
  OUT_TRADE_NO,
  WECHATPAY_ERROR_CODES,
  outRefundNoOf,
  readPrivateKey,
  readPublicKey,
  refundStatusOf,
} from './wechatpay.protocol';

/** How to reach WeChat Pay as one merchant (public-key mode: WeChat Pay signs with the key of WECHATPAY_PLATFORM_PUBLIC_KEY_ID). */
export interface WechatpayClientOptions {
  mchid: string;
  /** Serial number of the merchant API certificate, sent in every Authorization header. */
  merchantSerial: string;
  /** The merchant API private key: signs every request. */
  privateKey: KeyObject;
  /** WeChat Pay's public key: every answer must carry a signature it verifies. */
  platformPublicKey: KeyObject;
  /** Its id, which answers name in Wechatpay-Serial. */
  platformPublicKeyId: string;
  /** Our notification route, sent with each refund. */
  notifyUrl: string;
  /** API host (WECHATPAY_BASE_URL: WeChat Pay's, or the sandbox's). */
  baseUrl: string;
  /** Timeout of one call, in milliseconds. */
  timeoutMs: number;
}

/** What `queryRefund` found: the refund with its status and amount in fen, or none under that number. */
export type WechatpayRefundQueryResult =
  | { status: 'succeeded' | 'pending' | 'failed'; refundId: string; amount: number; refundedAt?: string }
  | { status: 'not_found'; refundId: string };

/** WeChat Pay caps `reason` at 80 characters. */
const REASON_MAX = 80;
/** Trade states a refund can be made from: paid, or paid and partly refunded already. */
const REFUNDABLE_TRADE_STATES = new Set(['SUCCESS', 'REFUND']);
/** The SDK's codes for an answer whose signature does not hold. */
const UNVERIFIED_ANSWERS: Record<string, string> = {
  EV3_RES_HEADERS_INCOMPLATE: 'without the Wechatpay-* signature headers',
  EV3_RES_HEADER_PLATFORM_SERIAL: 'signed with a key other than WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
  EV3_RES_HEADER_SIGNATURE_DIGEST: "with a signature that WeChat Pay's public key does not verify",
  EV3_RES_HEADER_TIMESTAMP_OFFSET: 'with a Wechatpay-Timestamp more than 5 minutes from our clock',
};

/**
 * Payment adapter for WeChat Pay (微信支付) API v3, through wechatpay-axios-plugin (request signing,
 * answer signature verification). Refunds only: `out_trade_no` is the shop's order id,
 * `out_refund_no` the refund's idempotency key in WeChat Pay's alphabet (a number is refunded once,
 * so a retry never pays twice); amounts are fen, as WeChat Pay counts them.
 */
export class WechatPayPaymentClient implements PaymentPort {
  private readonly sdk: Decorator;

  constructor(private readonly options: WechatpayClientOptions) {
    this.sdk = new Decorator({
      mchid: options.mchid,
      serial: options.merchantSerial,
      privateKey: options.privateKey as unknown as string,
      certs: { [options.platformPublicKeyId]: options.platformPublicKey },
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
    });
  }

  /**
   * Reads the payment's total (WeChat Pay wants it with the refund), then
   * `POST /v3/refund/domestic/refunds`: SUCCESS is `succeeded`, PROCESSING `pending` (the
   * notification settles it), ABNORMAL and CLOSED `failed`. The refund id is the `out_refund_no`.
   */
  async createRefund(
    input: { caseId: string; orderId: string; amount: number; currency: string; paymentMethod: 'online' | 'cod'; reason: string },
    idempotencyKey: string,
  ): Promise<{ refundId: string; status: 'pending' | 'succeeded' | 'failed' }> {
    const outRefundNo = checkRefundInput(input, idempotencyKey);
    const total = await this.refundableTotal(input.orderId);
    if (input.amount > total) {
      throw new ProviderError(`wechatpay refund not sent: ${input.amount} fen is more than the payment's ${total}`, {
        provider: 'payment',
        retryable: false,
        code: 'refund_exceeds_payment',
      });
    }
    const refund = await this.call('POST /v3/refund/domestic/refunds', 'v3/refund/domestic/refunds', 'post', {
      out_trade_no: input.orderId,
      out_refund_no: outRefundNo,
      reason: refundReason(input.reason),
      notify_url: this.options.notifyUrl,
      amount: { refund: input.amount, total, currency: 'CNY' },
    });
    const read = readRefund(refund, 'POST /v3/refund/domestic/refunds');
    if (read.outRefundNo !== outRefundNo || read.amount !== input.amount) {
      throw new ProviderError(`wechatpay refund ${outRefundNo} was answered with another refund or amount than this request`, {
        provider: 'payment',
        retryable: false,
        code: 'amount_mismatch',
      });
    }
    return { refundId: outRefundNo, status: read.status };
  }

  /**
   * `GET /v3/refund/domestic/refunds/{out_refund_no}`: the fallback when no notification comes. Takes
   * the refund id the case keeps (or the idempotency key it came from); `not_found` means that number
   * refunded nothing (a new refund with it is safe).
   */
  async queryRefund(outRefundNo: string): Promise<WechatpayRefundQueryResult> {
    const refundId = outRefundNoOf(outRefundNo);
    if (refundId === null) throw invalidRequest('the refund number is not in WeChat Pay\'s alphabet');
    let refund: unknown;
    try {
      refund = await this.call('GET /v3/refund/domestic/refunds/{out_refund_no}', `v3/refund/domestic/refunds/${encodeURIComponent(refundId)}`, 'get');
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'RESOURCE_NOT_EXISTS') return { status: 'not_found', refundId };
      throw err;
    }
    const read = readRefund(refund, 'GET /v3/refund/domestic/refunds/{out_refund_no}');
    return { status: read.status, refundId, amount: read.amount, ...(read.successTime ? { refundedAt: read.successTime } : {}) };
  }

  /** Not done through WeChat Pay: coupons are the shop's own (integrations/index.ts sends them to the payment service). */
  async issueCoupon(_input: { caseId: string; customerId: string; amount: number; currency: string }, _idempotencyKey: string): Promise<{ couponId: string }> {
    throw notSupported('coupons');
  }

  /** Not done through WeChat Pay yet (integrations/index.ts sends collections to the payment service's payment link). */
  async createCollection(
    _input: { caseId: string; customerId: string; amount: number; currency: string; purpose: CollectionPurpose },
    _idempotencyKey: string,
  ): Promise<{ collectionId: string; status: 'pending' | 'succeeded' | 'failed' }> {
    throw notSupported('collections');
  }

  /** `GET /v3/pay/transactions/out-trade-no/{out_trade_no}`: the payment's total in fen, when it can be refunded. */
  private async refundableTotal(orderId: string): Promise<number> {
    const what = 'GET /v3/pay/transactions/out-trade-no/{out_trade_no}';
    const trade = (await this.call(what, `v3/pay/transactions/out-trade-no/${encodeURIComponent(orderId)}`, 'get', undefined, {
      mchid: this.options.mchid,
    })) as { trade_state?: unknown; amount?: { total?: unknown; currency?: unknown } } | null;
    const total = trade?.amount?.total;
    if (typeof trade?.trade_state !== 'string' || typeof total !== 'number' || !Number.isSafeInteger(total)) throw invalidResponse(what);
    if (!REFUNDABLE_TRADE_STATES.has(trade.trade_state)) {
      throw new ProviderError(`wechatpay refund not sent: the payment is ${/^[A-Z_]{1,32}$/.test(trade.trade_state) ? trade.trade_state : 'in an unknown state'}, not refundable`, {
        provider: 'payment',
        retryable: false,
        code: 'trade_not_refundable',
      });
    }
    if (trade.amount?.currency !== undefined && trade.amount.currency !== 'CNY') {
      throw new ProviderError('wechatpay refund not sent: the payment is not in CNY', { provider: 'payment', retryable: false, code: 'invalid_request' });
    }
    return total;
  }

  /** One signed call; the SDK verifies the answer's signature, and every failure becomes a ProviderError. */
  private async call(what: string, path: string, method: 'get' | 'post', body?: object, params?: Record<string, string>): Promise<unknown> {
    try {
      const answer = await this.sdk.request(path, method, body, params ? { params } : {});
      return answer.data;
    } catch (err) {
      throw failure(what, err);
    }
  }
}

/** The refund fields we rely on, checked. */
function readRefund(answer: unknown, what: string): { outRefundNo: string; status: 'succeeded' | 'pending' | 'failed'; amount: number; successTime?: string } {
  const refund = answer as { out_refund_no?: unknown; status?: unknown; amount?: { refund?: unknown }; success_time?: unknown } | null;
  const status = refundStatusOf(refund?.status);
  const amount = refund?.amount?.refund;
  if (typeof refund?.out_refund_no !== 'string' || status === undefined || typeof amount !== 'number' || !Number.isSafeInteger(amount)) throw invalidResponse(what);
  return { outRefundNo: refund.out_refund_no, status, amount, ...(typeof refund.success_time === 'string' ? { successTime: refund.success_time } : {}) };
}

/**
 * A call that failed, as a ProviderError. An answer whose signature does not hold is never trusted
 * and not retried (a wrong key or a forged answer needs a person; the money may have moved, and a
 * retry with the same out_refund_no cannot pay twice). A refusal is classed by its code (never its
 * message, which may quote request data); no answer at all is retried.
 */
function failure(what: string, err: unknown): ProviderError {
  const provider = 'payment';
  const e = err as { code?: unknown; response?: { status?: unknown; data?: unknown } } | null;
  const sdkCode = typeof e?.code === 'string' ? e.code : undefined;
  if (sdkCode !== undefined && sdkCode in UNVERIFIED_ANSWERS) {
    return new ProviderError(`wechatpay ${what} answered ${UNVERIFIED_ANSWERS[sdkCode]}`, { provider, retryable: false, code: 'invalid_signature' });
  }
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined;
  if (status === undefined) {
    return new ProviderError(`wechatpay ${what} got no answer (${sdkCode && /^[A-Z_]{1,32}$/.test(sdkCode) ? sdkCode : 'network error or timeout'})`, {
      provider,
      retryable: true,
    });
  }
  const data = e?.response?.data as { code?: unknown } | undefined;
  const code = typeof data?.code === 'string' && /^[A-Z_]{1,64}$/.test(data.code) ? data.code : undefined;
  const known = code === undefined ? undefined : WECHATPAY_ERROR_CODES[code];
  const retryable = known?.retryable ?? (status >= 500 || status === 429 || status === 408);
  return new ProviderError(`wechatpay ${what} refused: HTTP ${status}${code ? ` ${code}` : ''}${known ? ` (${known.meaning})` : ''}`, {
    provider,
    status,
    retryable,
    code: code ?? `http-${status}`,
  });
}

/** The `out_refund_no` of a refund WeChat Pay can make, or a final invalid_request error. */
function checkRefundInput(input: { orderId?: string; amount: number; currency: string; paymentMethod: string }, idempotencyKey: string): string {
  const outRefundNo = outRefundNoOf(idempotencyKey);
  const problem =
    input.paymentMethod !== 'online'
      ? 'only refunds of online payments go through WeChat Pay'
      : input.currency !== 'CNY'
        ? `WeChat Pay refunds are in CNY, not ${input.currency}`
        : typeof input.orderId !== 'string' || input.orderId === ''
          ? // Activities scheduled before the order id joined the refund input carry none.
            'the refund carries no order id (out_trade_no)'
          : !OUT_TRADE_NO.test(input.orderId)
            ? 'the order id is not an out_trade_no WeChat Pay accepts (6 to 32 of 0-9 A-Z a-z _ - | *)'
            : !Number.isSafeInteger(input.amount) || input.amount <= 0
              ? 'the refund amount must be a positive whole number of fen'
              : outRefundNo === null
                ? 'the idempotency key cannot be written as an out_refund_no'
                : undefined;
  if (problem) throw invalidRequest(problem);
  return outRefundNo!;
}

/**
 * The refund reason shown to the buyer in WeChat: our reasons are short fixed phrases and reason codes;
 * anything outside that alphabet is dropped, so no free text (and no personal data) reaches WeChat Pay.
 */
function refundReason(reason: string): string {
  const plain = reason.replace(/[^A-Za-z0-9 :_.,-]/g, '').trim().slice(0, REASON_MAX).trim();
  return plain === '' ? 'after-sales refund' : plain;
}

function invalidRequest(problem: string): ProviderError {
  return new ProviderError(`wechatpay refund not sent: ${problem}`, { provider: 'payment', retryable: false, code: 'invalid_request' });
}

function invalidResponse(what: string): ProviderError {
  return new ProviderError(`wechatpay ${what} answered something that is not a WeChat Pay answer`, { provider: 'payment', retryable: false, code: 'invalid_response' });
}

function notSupported(what: string): ProviderError {
  return new ProviderError(`${what} are not supported by the WeChat Pay adapter yet`, { provider: 'payment', retryable: false, code: 'not_supported' });
}

/**
 * The adapter's options from its section (config/providers/payment.ts checked every variable): reads
 * the key files; an unreadable file or a wrong key is a ConfigError naming the variable, so the
 * worker stops at start rather than at the first refund.
 */
export function wechatpayOptionsOf(section: WechatpayConfig): WechatpayClientOptions {
  return {
    mchid: section.mchid,
    merchantSerial: section.merchantSerial,
    privateKey: readPrivateKey('WECHATPAY_PRIVATE_KEY_FILE', section.privateKeyFile),
    platformPublicKey: readPublicKey('WECHATPAY_PLATFORM_PUBLIC_KEY_FILE', section.platformPublicKeyFile),
    platformPublicKeyId: section.platformPublicKeyId,
    notifyUrl: section.notifyUrl,
    baseUrl: section.baseUrl,
    timeoutMs: section.timeoutMs,
  };
}

/** The WeChat Pay payment adapter of PAYMENT_PROVIDER_ONLINE=wechatpay (the worker's refunds). */
export function wechatpayPaymentFromConfig(section: WechatpayConfig): WechatPayPaymentClient {
  return new WechatPayPaymentClient(wechatpayOptionsOf(section));
}
