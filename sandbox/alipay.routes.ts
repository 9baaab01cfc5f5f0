import { createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import express, { Router, type Response } from 'express';
import { beijingDateTime } from '../domain/beijing-time';
import { fenToYuan, yuanToFen } from '../domain/yuan';

/** The keys of the sandbox's Alipay gateway. */
export interface AlipaySandboxOptions {
  /** The sandbox's own "Alipay" private key (PEM): signs every answer; the app verifies with its public half (ALIPAY_PUBLIC_KEY_FILE). */
  alipayPrivateKey: string;
  /** The app's public key (PEM): every request's RSA2 signature must verify with it. */
  appPublicKey: string;
  /** When set, requests of any other app id are refused (isv.invalid-app-id). */
  appId?: string;
  /**
   * Where the shop's payments asked Alipay to send notifications (their `notify_url`): each refund
   * paid is notified there, signed, shortly after the answer. Absent: no notifications.
   */
  notifyUrl?: string;
  /** Delay before a notification is sent (default 200 ms). */
  notifyDelayMs?: number;
}

/** One refund the sandbox paid, as its ledger shows it. */
export interface AlipaySandboxRefund {
  outTradeNo: string;
  outRequestNo: string;
  tradeNo: string;
  /** As requested, in yuan. */
  refundAmount: string;
  /** The same amount in fen. */
  refundFen: number;
  refundReason: string;
  gmtRefundPay: string;
}

/** How the next answer is spoiled, to test that the app refuses it. */
type Tamper = 'unsigned' | 'forged';

/** What a test or an operator may set (POST /alipay/control/…). */
interface AlipayControls {
  nextRefundFailure: string | null;
  nextAnswer: Tamper | null;
  /** Off: refunds are paid but not notified (what the query fallback is for). */
  notifications: boolean;
  /** On: the next new request number is taken but not paid (fund_change=N, the query finds nothing) until it is asked again. */
  holdNextRefund: boolean;
}

/** Alipay's top-level code and message for a sub_code (gateway errors are 20000, app errors 40002, business refusals 40004). */
function topLevelOf(subCode: string): { code: string; msg: string } {
  if (subCode === 'ACQ.SYSTEM_ERROR' || subCode === 'aop.ACQ.SYSTEM_ERROR' || subCode.startsWith('isp.')) return { code: '20000', msg: 'Service Currently Unavailable' };
  if (subCode.startsWith('isv.')) return { code: '40002', msg: 'Invalid Arguments' };
  return { code: '40004', msg: 'Business Failed' };
}

/** An order the sandbox has not heard of counts as paid with this much (it keeps no order book); PUT a trade to set less. */
const DEFAULT_TRADE_TOTAL_FEN = 100_000_000;

/**
 * Alipay's OpenAPI gateway (`POST /alipay/gateway.do`) for `alipay.trade.refund` and
 * `alipay.trade.fastpay.refund.query`, on Alipay's wire protocol as alipay-sdk speaks it: common
 * parameters in the query string, `biz_content` form-encoded in the body, an RSA2 signature over
 * every parameter but `sign` (sorted, `k=v&…`) checked with the app's public key; answers are
 * `{"<method>_response": {…}, "sign": "…"}` signed with the sandbox's "Alipay" private key. A request
 * number (`out_request_no`) is paid once: a repeat answers the same refund with fund_change=N.
 * Control endpoints (no signature) under `/alipay/control`.
 */
export function alipayRoutes(options: AlipaySandboxOptions): Router {
  const refunds = new Map<string, AlipaySandboxRefund>();
  const trades = new Map<string, { tradeNo: string; totalFen: number }>();
  const controls: AlipayControls = { nextRefundFailure: null, nextAnswer: null, notifications: true, holdNextRefund: false };
  // Request numbers taken but not paid yet (hold-next-refund): the same number asked again pays it.
  const held = new Set<string>();
  const notify = (refund: AlipaySandboxRefund) => {
    if (options.notifyUrl === undefined || !controls.notifications) return;
    const fields = refundNotification(refund, refundedOn(refunds, refund.outTradeNo), tradeOf(refund.outTradeNo).totalFen, options.appId);
    const timer = setTimeout(() => void sendNotification(options.notifyUrl!, signAlipayNotification(fields, options.alipayPrivateKey)), options.notifyDelayMs ?? 200);
    timer.unref();
  };
  // A key the app does not know, to forge answers with.
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb' });

  const answer = (res: Response, responseKey: string, body: Record<string, unknown>) => {
    const inner = JSON.stringify(body);
    const tamper = controls.nextAnswer;
    controls.nextAnswer = null;
    res.type('application/json; charset=utf-8');
    if (tamper === 'unsigned') return res.send(`{"${responseKey}":${inner}}`);
    const sign = createSign('RSA-SHA256')
      .update(inner, 'utf8')
      .sign(tamper === 'forged' ? forger : options.alipayPrivateKey, 'base64');
    res.send(`{"${responseKey}":${inner},"sign":"${sign}"}`);
  };
  const refuse = (res: Response, responseKey: string, subCode: string, subMsg: string) =>
    answer(res, responseKey, { ...topLevelOf(subCode), sub_code: subCode, sub_msg: subMsg });

  const tradeOf = (outTradeNo: string) => {
    let trade = trades.get(outTradeNo);
    if (!trade) {
      trade = { tradeNo: tradeNumber(), totalFen: DEFAULT_TRADE_TOTAL_FEN };
      trades.set(outTradeNo, trade);
    }
    return trade;
  };

  router.post('/gateway.do', form, (req, res) => {
    const params = { ...stringsOf(req.query), ...stringsOf(req.body) };
    const method = params.method ?? '';
    const responseKey = /^[a-z.]{1,64}$/.test(method) ? `${method.replaceAll('.', '_')}_response` : 'error_response';
    if (params.sign_type !== 'RSA2') return refuse(res, responseKey, 'isv.invalid-signature-type', '只支持 RSA2 签名');
    if (!verifiesWith(options.appPublicKey, params)) return refuse(res, responseKey, 'isv.invalid-signature', '验签出错');
    if (options.appId !== undefined && params.app_id !== options.appId) return refuse(res, responseKey, 'isv.invalid-app-id', '无效的AppID参数');
    let biz: Record<string, unknown>;
    try {
      biz = JSON.parse(params.biz_content ?? '') as Record<string, unknown>;
    } catch {
      return refuse(res, responseKey, 'isv.invalid-parameter', 'biz_content 不是 JSON');
    }
    const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
    const outRequestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : '';
    if (outTradeNo === '' || outRequestNo === '') return refuse(res, responseKey, 'ACQ.INVALID_PARAMETER', 'out_trade_no 与 out_request_no 必填');
    const key = `${outTradeNo}\n${outRequestNo}`;

    if (method === 'alipay.trade.refund') {
      const refundAmount = typeof biz.refund_amount === 'string' ? biz.refund_amount : '';
      let refundFen: number;
      try {
        refundFen = yuanToFen(refundAmount);
      } catch {
        return refuse(res, responseKey, 'ACQ.INVALID_PARAMETER', 'refund_amount 格式错误');
      }
      if (refundFen <= 0) return refuse(res, responseKey, 'ACQ.REFUND_FEE_ERROR', '退款金额无效');
      if (controls.nextRefundFailure !== null) {
        const subCode = controls.nextRefundFailure;
        controls.nextRefundFailure = null;
        return refuse(res, responseKey, subCode, 'sandbox: failure requested by a test');
      }
      const trade = tradeOf(outTradeNo);
      const earlier = refunds.get(key);
      if (earlier && earlier.refundFen !== refundFen) return refuse(res, responseKey, 'ACQ.DISCORDANT_REPEAT_REQUEST', '不一致的请求');
      let fundChange = 'N';
      if (!earlier && controls.holdNextRefund && !held.has(key)) {
        controls.holdNextRefund = false;
        held.add(key);
        return answer(res, responseKey, { code: '10000', msg: 'Success', trade_no: trade.tradeNo, out_trade_no: outTradeNo, buyer_logon_id: '159******00', fund_change: 'N', refund_fee: fenToYuan(refundedOn(refunds, outTradeNo)) });
      }
      if (!earlier) {
        held.delete(key);
        const refunded = refundedOn(refunds, outTradeNo);
        if (refunded + refundFen > trade.totalFen) return refuse(res, responseKey, 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
        refunds.set(key, {
          outTradeNo,
          outRequestNo,
          tradeNo: trade.tradeNo,
          refundAmount,
          refundFen,
          refundReason: typeof biz.refund_reason === 'string' ? biz.refund_reason : '',
          gmtRefundPay: beijingTime(new Date()),
        });
        fundChange = 'Y';
        notify(refunds.get(key)!);
      }
      return answer(res, responseKey, {
        code: '10000',
        msg: 'Success',
        trade_no: trade.tradeNo,
        out_trade_no: outTradeNo,
        buyer_logon_id: '159******00',
        fund_change: fundChange,
        // Alipay answers the payment's refunded total so far, not this request's amount.
        refund_fee: fenToYuan(refundedOn(refunds, outTradeNo)),
        gmt_refund_pay: refunds.get(key)!.gmtRefundPay,
      });
    }

    if (method === 'alipay.trade.fastpay.refund.query') {
      const refund = refunds.get(key);
      // Alipay answers success without refund fields when the request number paid nothing.
      if (!refund) return answer(res, responseKey, { code: '10000', msg: 'Success', out_trade_no: outTradeNo, out_request_no: outRequestNo });
      return answer(res, responseKey, {
        code: '10000',
        msg: 'Success',
        trade_no: refund.tradeNo,
        out_trade_no: outTradeNo,
        out_request_no: outRequestNo,
        total_amount: fenToYuan(tradeOf(outTradeNo).totalFen),
        refund_amount: refund.refundAmount,
        refund_status: 'REFUND_SUCCESS',
        gmt_refund_pay: refund.gmtRefundPay,
      });
    }

    return refuse(res, responseKey, 'isv.invalid-method', '不存在的方法名');
  });

  const controlJson = express.json({ limit: '16kb' });

  router.get('/control/refunds', (_req, res) => {
    res.json({ refunds: [...refunds.values()] });
  });

  // The next alipay.trade.refund is refused with this sub_code (e.g. ACQ.SELLER_BALANCE_NOT_ENOUGH).
  router.post('/control/fail-next-refund', controlJson, (req, res) => {
    const subCode = (req.body as { subCode?: unknown } | undefined)?.subCode;
    if (typeof subCode !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(subCode)) {
      return res.status(400).json({ error: { code: 'invalid_request', message: 'subCode: an Alipay sub_code such as ACQ.SYSTEM_ERROR is required' } });
    }
    controls.nextRefundFailure = subCode;
    res.json({ nextRefundFailure: subCode });
  });

  // The next new request number is taken but not paid: Alipay's query finds nothing under it until the same number is asked again.
  router.post('/control/hold-next-refund', (_req, res) => {
    controls.holdNextRefund = true;
    res.json({ holdNextRefund: true });
  });

  // The next answer goes out without a signature ("unsigned") or signed with a key the app does not trust ("forged").
  router.post('/control/tamper-next-answer', controlJson, (req, res) => {
    const mode = (req.body as { mode?: unknown } | undefined)?.mode;
    if (mode !== 'unsigned' && mode !== 'forged') {
      return res.status(400).json({ error: { code: 'invalid_request', message: 'mode: "unsigned" or "forged" is required' } });
    }
    controls.nextAnswer = mode;
    res.json({ nextAnswer: mode });
  });

  // Records a payment of this order with its total, so refunds beyond it are refused as Alipay does.
  router.put('/control/trades/:outTradeNo', controlJson, (req, res) => {
    const totalAmount = (req.body as { totalAmount?: unknown } | undefined)?.totalAmount;
    let totalFen: number;
    try {
      totalFen = yuanToFen(typeof totalAmount === 'string' ? totalAmount : '');
    } catch {
      return res.status(400).json({ error: { code: 'invalid_request', message: 'totalAmount: a yuan amount such as "59.00" is required' } });
    }
    const outTradeNo = String(req.params.outTradeNo);
    const trade = { tradeNo: trades.get(outTradeNo)?.tradeNo ?? tradeNumber(), totalFen };
    trades.set(outTradeNo, trade);
    res.json({ outTradeNo, tradeNo: trade.tradeNo, totalAmount: fenToYuan(totalFen) });
  });

  // {"enabled": false}: refunds are paid but never notified, as when Alipay's notifications do not reach the shop.
  router.post('/control/notifications', controlJson, (req, res) => {
    const enabled = (req.body as { enabled?: unknown } | undefined)?.enabled;
    if (typeof enabled !== 'boolean') return res.status(400).json({ error: { code: 'invalid_request', message: 'enabled: true or false is required' } });
    controls.notifications = enabled;
    res.json({ notifications: enabled });
  });

  router.post('/control/reset', (_req, res) => {
    refunds.clear();
    trades.clear();
    held.clear();
    controls.holdNextRefund = false;
    controls.nextRefundFailure = null;
    controls.nextAnswer = null;
    controls.notifications = true;
    res.status(204).end();
  });

  return router;
}

/** Alipay's request signature check: every non-empty parameter but `sign`, sorted by name, as `k=v` joined by `&`. */
function verifiesWith(appPublicKey: string, params: Record<string, string>): boolean {
  if (!params.sign) return false;
  const content = Object.keys(params)
    .filter((k) => k !== 'sign' && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(appPublicKey, params.sign, 'base64');
  } catch {
    return false;
  }
}

/** The fields of Alipay's asynchronous notification of a refund (trade_status_sync with out_biz_no), unsigned. */
function refundNotification(refund: AlipaySandboxRefund, refundedFen: number, totalFen: number, appId = '2021000000000000'): Record<string, string> {
  return {
    notify_time: beijingTime(new Date()),
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    app_id: appId,
    charset: 'utf-8',
    version: '1.0',
    trade_no: refund.tradeNo,
    out_trade_no: refund.outTradeNo,
    out_biz_no: refund.outRequestNo,
    // Alipay closes the trade once all of it was paid back.
    trade_status: refundedFen >= totalFen ? 'TRADE_CLOSED' : 'TRADE_SUCCESS',
    total_amount: fenToYuan(totalFen),
    refund_fee: fenToYuan(refundedFen),
    gmt_refund: `${refund.gmtRefundPay}.000`,
  };
}

/** Alipay's notification signature: RSA2 over every field but `sign` and `sign_type`, sorted, raw `k=v` joined by `&`. */
export function signAlipayNotification(fields: Record<string, string>, alipayPrivateKey: string): Record<string, string> {
  const content = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return { ...fields, sign_type: 'RSA2', sign: createSign('RSA-SHA256').update(content, 'utf8').sign(alipayPrivateKey, 'base64') };
}

/** Posts a notification as Alipay does, again (up to 5 times, a second apart) until the shop answers `success`. */
async function sendNotification(url: string, fields: Record<string, string>): Promise<void> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), signal: AbortSignal.timeout(5_000) });
      if ((await response.text()).trim() === 'success') return;
    } catch {
      // The shop is unreachable: Alipay tries again later.
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
  }
}

/** The string values of a parsed query or form (repeated or nested values are ignored). */
function stringsOf(source: unknown): Record<string, string> {
  if (typeof source !== 'object' || source === null) return {};
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function refundedOn(refunds: Map<string, AlipaySandboxRefund>, outTradeNo: string): number {
  let sum = 0;
  for (const r of refunds.values()) if (r.outTradeNo === outTradeNo) sum += r.refundFen;
  return sum;
}

/** An Alipay-like trade number: the date and random digits. */
function tradeNumber(): string {
  return `${beijingTime(new Date()).slice(0, 10).replaceAll('-', '')}22001${BigInt(`0x${randomBytes(6).toString('hex')}`).toString().padStart(15, '0').slice(0, 15)}`;
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (UTC+8, no daylight saving), as Alipay writes times. */
function beijingTime(at: Date): string {
  return beijingDateTime(at.getTime());
}
