import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { beijingRfc3339 } from '../domain/beijing-time';
import type { TimerSet } from './timer-set';

/** The keys and timing of the sandbox's WeChat Pay. */
export interface WechatpaySandboxOptions {
  /** The sandbox's own "WeChat Pay" private key (PEM): signs answers and notifications; the merchant verifies with its public half. */
  platformPrivateKey: string;
  /** The merchant's public key (PEM): every request's Authorization signature must verify with it. */
  merchantPublicKey: string;
  /** The APIv3 key (32 characters): notifications' resources are encrypted with it. */
  apiV3Key: string;
  /** Named in every Wechatpay-Serial header (the merchant's WECHATPAY_PLATFORM_PUBLIC_KEY_ID); default SANDBOX_WECHATPAY_PUBLIC_KEY_ID. */
  platformPublicKeyId?: string;
  /** When set, requests of any other merchant id are refused. */
  mchid?: string;
}

/** The id the sandbox's WeChat Pay public key goes by unless told otherwise. */
export const SANDBOX_WECHATPAY_PUBLIC_KEY_ID = 'PUB_KEY_ID_0100000000SANDBOX';

/** One refund the sandbox took, as its ledger shows it. */
export interface WechatpaySandboxRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  /** In fen. */
  refund: number;
  total: number;
  reason: string;
  notifyUrl: string;
  status: 'PROCESSING' | 'SUCCESS';
  createTime: string;
  successTime?: string;
  /** Each notification attempt's HTTP status (0: no answer). */
  notifications: number[];
}

/** How the next answer is spoiled, to test that the merchant refuses it. */
type Tamper = 'unsigned' | 'forged';

/** HTTP status of each error code, as WeChat Pay answers it. */
const ERROR_STATUS: Record<string, number> = {
  PARAM_ERROR: 400,
  INVALID_REQUEST: 400,
  MCH_NOT_EXISTS: 400,
  SIGN_ERROR: 401,
  NOT_ENOUGH: 403,
  NO_AUTH: 403,
  USER_ACCOUNT_ABNORMAL: 403,
  RESOURCE_NOT_EXISTS: 404,
  ORDER_NOT_EXIST: 404,
  FREQUENCY_LIMITED: 429,
  SYSTEM_ERROR: 500,
};

/** An order the sandbox has not heard of counts as paid with this much (1,000,000.00 yuan); PUT a trade to set less. */
const DEFAULT_TRADE_TOTAL_FEN = 100_000_000;
const NOTIFY_ATTEMPTS = 3;
const NOTIFY_TIMEOUT_MS = 5000;

/**
 * WeChat Pay API v3 as the sandbox plays it (public-key mode), for refunds: `GET
 * /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`, `POST /v3/refund/domestic/refunds`, `GET
 * /v3/refund/domestic/refunds/{out_refund_no}`. Every request's `Authorization:
 * WECHATPAY2-SHA256-RSA2048 …` signature over `METHOD\nURI\ntimestamp\nnonce\nbody\n` is checked with
 * the merchant's public key (401 SIGN_ERROR); answers carry Wechatpay-* headers signed with the
 * sandbox's key. A refund is PROCESSING when taken and SUCCESS `settleMs` later, when a signed
 * REFUND.SUCCESS notification with its resource encrypted (AEAD_AES_256_GCM, APIv3 key) is POSTed to
 * its notify_url. An `out_refund_no` is refunded once. Controls (no signature) under `/control`.
 */
export function wechatpayRoutes(options: WechatpaySandboxOptions & { settleMs: number; timers: TimerSet; logger: Logger }): { router: Router; clear(): void } {
  const platformPublicKeyId = options.platformPublicKeyId ?? SANDBOX_WECHATPAY_PUBLIC_KEY_ID;
  const refunds = new Map<string, WechatpaySandboxRefund>();
  const trades = new Map<string, { transactionId: string; total: number; state: string }>();
  const controls: { nextFailure: string | null; nextAnswer: { mode: Tamper; refundOnly: boolean } | null } = { nextFailure: null, nextAnswer: null };
  // A key the merchant does not know, to forge answers with.
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let generation = 0;
  const router = Router();

  const answer = (res: Response, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    const isRefund = res.req.method === 'POST';
    let tamper: Tamper | null = null;
    if (controls.nextAnswer && (isRefund || !controls.nextAnswer.refundOnly)) {
      tamper = controls.nextAnswer.mode;
      controls.nextAnswer = null;
    }
    res.status(status).type('application/json; charset=utf-8');
    if (tamper !== 'unsigned') {
      res.set(signedHeaders(text, tamper === 'forged' ? forger : options.platformPrivateKey, platformPublicKeyId));
    }
    res.send(text);
  };
  const refuse = (res: Response, code: string, message: string) => answer(res, ERROR_STATUS[code] ?? 400, { code, message });

  const tradeOf = (outTradeNo: string) => {
    let trade = trades.get(outTradeNo);
    if (!trade) {
      trade = { transactionId: transactionNumber(), total: DEFAULT_TRADE_TOTAL_FEN, state: 'SUCCESS' };
      trades.set(outTradeNo, trade);
    }
    return trade;
  };

  // The signature covers the exact bytes, so the body stays raw until it is checked.
  const raw = express.raw({ type: () => true, limit: '64kb' });
  const authenticated = (req: Request, res: Response): Record<string, unknown> | null => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const auth = parseAuthorization(req.get('authorization'));
    if (!auth || !verifiesRequest(options.merchantPublicKey, req.method, req.originalUrl, auth, body)) {
      // WeChat Pay does not sign the answer to a request it could not authenticate.
      res.status(401).json({ code: 'SIGN_ERROR', message: '签名错误' });
      return null;
    }
    if (options.mchid !== undefined && auth.mchid !== options.mchid) {
      refuse(res, 'MCH_NOT_EXISTS', '商户号不存在');
      return null;
    }
    if (body === '') return {};
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // Answered below.
    }
    refuse(res, 'PARAM_ERROR', '请求体不是 JSON 对象');
    return null;
  };

  router.get('/v3/pay/transactions/out-trade-no/:outTradeNo', raw, (req, res) => {
    if (!authenticated(req, res)) return;
    const mchid = typeof req.query.mchid === 'string' ? req.query.mchid : '';
    if (mchid === '' || (options.mchid !== undefined && mchid !== options.mchid)) return refuse(res, 'PARAM_ERROR', 'mchid 与请求签名的商户号不一致');
    const outTradeNo = String(req.params.outTradeNo);
    const trade = tradeOf(outTradeNo);
    const refunded = refundedOn(refunds, outTradeNo);
    answer(res, 200, {
      appid: 'wxd678efh567hg6787',
      mchid,
      out_trade_no: outTradeNo,
      transaction_id: trade.transactionId,
      trade_type: 'NATIVE',
      trade_state: trade.state === 'SUCCESS' && refunded > 0 ? 'REFUND' : trade.state,
      trade_state_desc: trade.state === 'SUCCESS' ? '支付成功' : '未支付',
      bank_type: 'OTHERS',
      ...(trade.state === 'SUCCESS' ? { success_time: rfc3339(new Date()) } : {}),
      payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      amount: { total: trade.total, payer_total: trade.total, currency: 'CNY', payer_currency: 'CNY' },
    });
  });

  router.post('/v3/refund/domestic/refunds', raw, (req, res) => {
    const body = authenticated(req, res);
    if (!body) return;
    const outTradeNo = typeof body.out_trade_no === 'string' ? body.out_trade_no : '';
    const outRefundNo = typeof body.out_refund_no === 'string' ? body.out_refund_no : '';
    const amount = (typeof body.amount === 'object' && body.amount !== null ? body.amount : {}) as Record<string, unknown>;
    const notifyUrl = typeof body.notify_url === 'string' ? body.notify_url : '';
    const reason = typeof body.reason === 'string' ? body.reason : '';
    if (!/^[0-9A-Za-z_\-|*]{6,32}$/.test(outTradeNo)) return refuse(res, 'PARAM_ERROR', 'out_trade_no 格式错误');
    if (!/^[0-9A-Za-z_\-|*@]{1,64}$/.test(outRefundNo)) return refuse(res, 'PARAM_ERROR', 'out_refund_no 只能是数字、大小写字母_-|*@');
    if (!isFen(amount.refund) || amount.refund <= 0 || !isFen(amount.total) || amount.currency !== 'CNY') {
      return refuse(res, 'PARAM_ERROR', 'amount 格式错误：refund 与 total 为整数分，currency 为 CNY');
    }
    if (reason.length > 80) return refuse(res, 'PARAM_ERROR', 'reason 超过 80 个字符');
    if (!/^https?:\/\//.test(notifyUrl)) return refuse(res, 'PARAM_ERROR', 'notify_url 格式错误');
    if (controls.nextFailure !== null) {
      const code = controls.nextFailure;
      controls.nextFailure = null;
      return refuse(res, code, 'sandbox: failure requested by a test');
    }
    const earlier = refunds.get(outRefundNo);
    if (earlier) {
      if (earlier.outTradeNo !== outTradeNo || earlier.refund !== amount.refund) return refuse(res, 'INVALID_REQUEST', '同一退款单号的请求参数不一致');
      return answer(res, 200, refundAnswer(earlier));
    }
    const trade = tradeOf(outTradeNo);
    if (trade.state !== 'SUCCESS') return refuse(res, 'INVALID_REQUEST', '订单未支付或已关闭，不能退款');
    if (amount.total !== trade.total) return refuse(res, 'INVALID_REQUEST', '订单金额与支付金额不一致');
    if (refundedOn(refunds, outTradeNo) + amount.refund > trade.total) return refuse(res, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const refund: WechatpaySandboxRefund = {
      refundId: `50000${BigInt(`0x${randomBytes(8).toString('hex')}`).toString().padStart(24, '0').slice(0, 24)}`,
      outRefundNo,
      outTradeNo,
      transactionId: trade.transactionId,
      refund: amount.refund,
      total: amount.total,
      reason,
      notifyUrl,
      status: 'PROCESSING',
      createTime: rfc3339(new Date()),
      notifications: [],
    };
    refunds.set(outRefundNo, refund);
    settle(refund, generation);
    answer(res, 200, refundAnswer(refund));
  });

  router.get('/v3/refund/domestic/refunds/:outRefundNo', raw, (req, res) => {
    if (!authenticated(req, res)) return;
    const refund = refunds.get(String(req.params.outRefundNo));
    if (!refund) return refuse(res, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    answer(res, 200, refundAnswer(refund));
  });

  /** The refund succeeds `settleMs` after it was taken, and WeChat Pay notifies the merchant. */
  function settle(refund: WechatpaySandboxRefund, started: number): void {
    options.timers.after(options.settleMs, () => {
      if (started !== generation) return;
      refund.status = 'SUCCESS';
      refund.successTime = rfc3339(new Date());
      void notify(refund, started);
    });
  }

  async function notify(refund: WechatpaySandboxRefund, started: number): Promise<void> {
    const body = JSON.stringify(notification(refund, options.apiV3Key, options.mchid ?? '1900000100'));
    for (let attempt = 1; attempt <= NOTIFY_ATTEMPTS && started === generation && !options.timers.isClosed; attempt++) {
      let status = 0;
      try {
        const res = await fetch(refund.notifyUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signedHeaders(body, options.platformPrivateKey, platformPublicKeyId) },
          body,
          signal: AbortSignal.timeout(NOTIFY_TIMEOUT_MS),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      refund.notifications.push(status);
      if (status >= 200 && status < 300) return;
      options.logger.warn({ outRefundNo: refund.outRefundNo, status, attempt }, 'sandbox wechatpay notification not acknowledged');
      await options.timers.sleep(Math.max(options.settleMs, 50));
    }
  }

  const controlJson = express.json({ limit: '16kb' });

  router.get('/control/refunds', (_req, res) => {
    res.json({ refunds: [...refunds.values()] });
  });

  // The next refund request is refused with this code (e.g. NOT_ENOUGH), with WeChat Pay's HTTP status for it.
  router.post('/control/fail-next', controlJson, (req, res) => {
    const code = (req.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || !/^[A-Z_]{1,64}$/.test(code)) {
      return res.status(400).json({ error: { code: 'invalid_request', message: 'code: a WeChat Pay error code such as SYSTEM_ERROR is required' } });
    }
    controls.nextFailure = code;
    res.json({ nextFailure: code, status: ERROR_STATUS[code] ?? 400 });
  });

  // The next answer (with "refundOnly": the next refund's answer) goes out without the Wechatpay-* headers ("unsigned") or signed with a key the merchant does not trust ("forged").
  router.post('/control/tamper-next-answer', controlJson, (req, res) => {
    const { mode, refundOnly = false } = (req.body ?? {}) as { mode?: unknown; refundOnly?: unknown };
    if (mode !== 'unsigned' && mode !== 'forged') {
      return res.status(400).json({ error: { code: 'invalid_request', message: 'mode: "unsigned" or "forged" is required' } });
    }
    if (typeof refundOnly !== 'boolean') return res.status(400).json({ error: { code: 'invalid_request', message: 'refundOnly: a boolean' } });
    controls.nextAnswer = { mode, refundOnly };
    res.json({ nextAnswer: mode, refundOnly });
  });

  // Records a payment of this order with its total in fen (and state), so refunds are checked against it as WeChat Pay does.
  router.put('/control/trades/:outTradeNo', controlJson, (req, res) => {
    const { total, state = 'SUCCESS' } = (req.body ?? {}) as { total?: unknown; state?: unknown };
    if (!isFen(total) || total <= 0) return res.status(400).json({ error: { code: 'invalid_request', message: 'total: a positive whole number of fen is required' } });
    if (state !== 'SUCCESS' && state !== 'NOTPAY' && state !== 'CLOSED') {
      return res.status(400).json({ error: { code: 'invalid_request', message: 'state: SUCCESS, NOTPAY or CLOSED' } });
    }
    const outTradeNo = String(req.params.outTradeNo);
    const trade = { transactionId: trades.get(outTradeNo)?.transactionId ?? transactionNumber(), total, state };
    trades.set(outTradeNo, trade);
    res.json({ outTradeNo, ...trade });
  });

  const clear = () => {
    generation++;
    refunds.clear();
    trades.clear();
    controls.nextFailure = null;
    controls.nextAnswer = null;
  };

  router.post('/control/reset', (_req, res) => {
    clear();
    res.status(204).end();
  });

  return { router, clear };
}

/** The refund as WeChat Pay answers it. */
function refundAnswer(refund: WechatpaySandboxRefund): Record<string, unknown> {
  return {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: '支付用户零钱',
    ...(refund.successTime ? { success_time: refund.successTime } : {}),
    create_time: refund.createTime,
    status: refund.status,
    funds_account: 'AVAILABLE',
    amount: {
      total: refund.total,
      refund: refund.refund,
      payer_total: refund.total,
      payer_refund: refund.refund,
      settlement_refund: refund.refund,
      settlement_total: refund.total,
      discount_refund: 0,
      currency: 'CNY',
      refund_fee: 0,
    },
    promotion_detail: [],
  };
}

/** A REFUND.SUCCESS notification, its resource encrypted with AEAD_AES_256_GCM under the APIv3 key. */
function notification(refund: WechatpaySandboxRefund, apiV3Key: string, mchid: string): Record<string, unknown> {
  const resource = {
    mchid,
    out_trade_no: refund.outTradeNo,
    transaction_id: refund.transactionId,
    out_refund_no: refund.outRefundNo,
    refund_id: refund.refundId,
    refund_status: refund.status,
    success_time: refund.successTime,
    user_received_account: '支付用户零钱',
    amount: { total: refund.total, refund: refund.refund, payer_total: refund.total, payer_refund: refund.refund },
  };
  const nonce = randomBytes(6).toString('hex');
  const associatedData = 'refund';
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), nonce).setAAD(Buffer.from(associatedData));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(resource), 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  return {
    id: `EV-${randomBytes(10).toString('hex')}`,
    create_time: rfc3339(new Date()),
    resource_type: 'encrypt-resource',
    event_type: 'REFUND.SUCCESS',
    summary: '退款成功',
    resource: { original_type: 'refund', algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: associatedData, nonce },
  };
}

/** Wechatpay-* headers of a signed answer or notification: RSA-SHA256 over `timestamp\nnonce\nbody\n`. */
export function signedHeaders(body: string, privateKey: string | KeyObject, serial: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`, 'utf8').sign(privateKey, 'base64');
  return { 'Wechatpay-Timestamp': String(timestamp), 'Wechatpay-Nonce': nonce, 'Wechatpay-Serial': serial, 'Wechatpay-Signature': signature };
}

/** The fields of `WECHATPAY2-SHA256-RSA2048 k="v",…`, or null when it is not one. */
function parseAuthorization(header: string | undefined): Record<string, string> | null {
  const prefix = 'WECHATPAY2-SHA256-RSA2048 ';
  if (!header?.startsWith(prefix)) return null;
  const fields: Record<string, string> = {};
  for (const part of header.slice(prefix.length).split(',')) {
    const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
    if (!match) return null;
    fields[match[1]] = match[2];
  }
  for (const name of ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no']) if (!fields[name]) return null;
  return fields;
}

/** WeChat Pay's request check: the timestamp within 5 minutes, and the signature over `METHOD\nURI\ntimestamp\nnonce\nbody\n`. */
function verifiesRequest(merchantPublicKey: string, method: string, uri: string, auth: Record<string, string>, body: string): boolean {
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(auth.timestamp)) > 300) return false;
  try {
    return createVerify('RSA-SHA256')
      .update(`${method}\n${uri}\n${auth.timestamp}\n${auth.nonce_str}\n${body}\n`, 'utf8')
      .verify(merchantPublicKey, auth.signature, 'base64');
  } catch {
    return false;
  }
}

function isFen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function refundedOn(refunds: Map<string, WechatpaySandboxRefund>, outTradeNo: string): number {
  let sum = 0;
  for (const r of refunds.values()) if (r.outTradeNo === outTradeNo) sum += r.refund;
  return sum;
}

/** A WeChat-Pay-like transaction id: 28 digits. */
function transactionNumber(): string {
  return `4200${BigInt(`0x${randomBytes(10).toString('hex')}`).toString().padStart(24, '0').slice(0, 24)}`;
}

/** RFC 3339 in Beijing time, as WeChat Pay writes times ("2026-11-29T19:21:02+08:00"). */
function rfc3339(at: Date): string {
  return beijingRfc3339(at.getTime());
}
