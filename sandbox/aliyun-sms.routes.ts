import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { beijingDateTime } from '../domain/beijing-time';

/** The access key id the sandbox's Aliyun SMS knows (its secret is SANDBOX_API_KEY). */
export const SANDBOX_ALIYUN_ACCESS_KEY_ID = 'dev-sandbox-aliyun-key-id';

/** The keys of the sandbox's Aliyun SMS. */
export interface AliyunSmsSandboxOptions {
  accessKeyId: string;
  accessKeySecret: string;
}

/** One SMS the sandbox accepted, as `GET /aliyun-sms/control/messages` shows it. */
export interface AliyunSandboxSms {
  bizId: string;
  phoneNumbers: string;
  signName: string;
  templateCode: string;
  /** TemplateParam as sent (JSON text). */
  templateParam: string;
  outId: string | null;
  /** "yyyy-MM-dd HH:mm:ss", Beijing time, as Aliyun writes it. */
  sendDate: string;
}

/** Codes Aliyun answers with an HTTP error status rather than a 200 carrying the code. */
const HTTP_STATUS_OF: Record<string, number> = {
  SignatureDoesNotMatch: 400,
  'InvalidAccessKeyId.NotFound': 404,
  'SignatureNonceUsed': 400,
  'InvalidTimeStamp.Expired': 400,
  'Throttling.User': 400,
  'Throttling.Api': 400,
  ServiceUnavailable: 503,
  InternalError: 500,
};

/** Aliyun caps one notification variable at this many characters (see docs/providers.md). */
const VARIABLE_MAX = 35;
/** How far x-acs-date may be from the sandbox's clock, as Aliyun allows. */
const CLOCK_SKEW_MS = 15 * 60_000;

/**
 * Aliyun SMS (dysmsapi 2017-05-25) on the wire as `@alicloud/dysmsapi20170525` speaks it: `POST /`
 * with the action in `x-acs-action`, parameters in the query string, and an `Authorization:
 * ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` header checked against the access key
 * secret. Answers are Aliyun's JSON (`{Code, Message, BizId, RequestId}`). `SendSms` and
 * `QuerySendDetails` are served; controls (no signature) under `/aliyun-sms/control`.
 */
export function aliyunSmsRoutes(options: AliyunSmsSandboxOptions): { router: Router; clear(): void } {
  const sent: AliyunSandboxSms[] = [];
  const nonces = new Set<string>();
  const controls: { nextFailure: string | null; dropNextAnswer: boolean } = { nextFailure: null, dropNextAnswer: false };
  const router = Router();

  const answer = (res: Response, code: string, message: string, extra: Record<string, unknown> = {}) => {
    const status = HTTP_STATUS_OF[code] ?? 200;
    res.status(status).json({ RequestId: randomUUID().toUpperCase(), Code: code, Message: message, ...(status === 200 ? {} : { HostId: 'dysmsapi.aliyuncs.com' }), ...extra });
  };

  // Aliyun's RPC endpoint is the root path; only requests naming an action are ours.
  router.post('/', express.raw({ type: () => true, limit: '64kb' }), (req, res, next) => {
    const action = req.get('x-acs-action');
    if (action === undefined) return next();
    const problem = authenticationProblem(req, options, nonces);
    if (problem) return answer(res, problem, problem === 'SignatureDoesNotMatch' ? 'Specified signature does not match our calculation.' : problem);
    const query = queryOf(req);
    if (action === 'SendSms') return sendSms(res, query);
    if (action === 'QuerySendDetails') return querySendDetails(res, query);
    return answer(res, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method: ${action}`);
  });

  const sendSms = (res: Response, query: Record<string, string>) => {
    if (controls.nextFailure !== null) {
      const code = controls.nextFailure;
      controls.nextFailure = null;
      return answer(res, code, 'sandbox: failure requested by a test');
    }
    const phoneNumbers = query.PhoneNumbers ?? '';
    if (!/^(\+?86|0086)?1[3-9]\d{9}$/.test(phoneNumbers)) return answer(res, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (!query.SignName) return answer(res, 'isv.SMS_SIGNATURE_ILLEGAL', '短信签名不合法');
    if (!/^SMS_\d{1,20}$/.test(query.TemplateCode ?? '')) return answer(res, 'isv.SMS_TEMPLATE_ILLEGAL', '短信模板不合法');
    let params: unknown;
    try {
      params = JSON.parse(query.TemplateParam ?? '{}');
    } catch {
      return answer(res, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params) || Object.values(params).some((v) => typeof v !== 'string')) {
      return answer(res, 'isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
    }
    if (Object.values(params as Record<string, string>).some((v) => v === '' || [...v].length > VARIABLE_MAX)) {
      return answer(res, 'isv.PARAM_LENGTH_LIMIT', '参数超出长度限制');
    }
    const sms: AliyunSandboxSms = {
      bizId: `${Date.now()}${randomBytes(4).readUInt32BE(0)}`.slice(0, 20),
      phoneNumbers,
      signName: query.SignName,
      templateCode: query.TemplateCode,
      templateParam: query.TemplateParam ?? '{}',
      outId: query.OutId ?? null,
      sendDate: beijingTime(new Date()),
    };
    sent.push(sms);
    if (controls.dropNextAnswer) {
      // Sent, but the caller never hears of it (a timeout or a crash after Aliyun took the message).
      controls.dropNextAnswer = false;
      return answer(res, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
    }
    answer(res, 'OK', 'OK', { BizId: sms.bizId });
  };

  const querySendDetails = (res: Response, query: Record<string, string>) => {
    const phone = query.PhoneNumber ?? '';
    const date = query.SendDate ?? '';
    const pageSize = Number(query.PageSize);
    const page = Number(query.CurrentPage);
    if (!/^1[3-9]\d{9}$/.test(phone.replace(/^(\+?86|0086)/, ''))) return answer(res, 'isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (!/^\d{8}$/.test(date) || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50 || !Number.isInteger(page) || page < 1) {
      return answer(res, 'isv.INVALID_PARAMETERS', '参数异常');
    }
    const matching = sent.filter(
      (s) => s.phoneNumbers.endsWith(phone.slice(-11)) && s.sendDate.slice(0, 10).replaceAll('-', '') === date && (!query.BizId || s.bizId === query.BizId),
    );
    const pageOf = matching.slice((page - 1) * pageSize, page * pageSize);
    answer(res, 'OK', 'OK', {
      TotalCount: String(matching.length),
      SmsSendDetailDTOs: {
        SmsSendDetailDTO: pageOf.map((s) => ({
          PhoneNum: s.phoneNumbers,
          SendStatus: 3,
          ErrCode: 'DELIVERED',
          TemplateCode: s.templateCode,
          Content: `【${s.signName}】${s.templateParam}`,
          SendDate: s.sendDate,
          ReceiveDate: s.sendDate,
          OutId: s.outId ?? '',
        })),
      },
    });
  };

  const controlJson = express.json({ limit: '16kb' });
  router.get('/aliyun-sms/control/messages', (_req, res) => {
    res.json({ messages: sent });
  });
  // The next SendSms is refused with this code (e.g. isv.BUSINESS_LIMIT_CONTROL, SignatureDoesNotMatch).
  router.post('/aliyun-sms/control/fail-next', controlJson, (req, res) => {
    const code = (req.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(code)) {
      return res.status(400).json({ error: { code: 'invalid_request', message: 'code: an Aliyun error code such as isv.BUSINESS_LIMIT_CONTROL is required' } });
    }
    controls.nextFailure = code;
    res.json({ nextFailure: code });
  });
  // The next SendSms is sent, then answered 503 as if the answer was lost.
  router.post('/aliyun-sms/control/drop-next-answer', (_req, res) => {
    controls.dropNextAnswer = true;
    res.json({ dropNextAnswer: true });
  });
  const clear = () => {
    sent.length = 0;
    nonces.clear();
    controls.nextFailure = null;
    controls.dropNextAnswer = false;
  };
  router.post('/aliyun-sms/control/reset', (_req, res) => {
    clear();
    res.status(204).end();
  });
  return { router, clear };
}

/**
 * What is wrong with the request's ACS3-HMAC-SHA256 signature, as Aliyun's code, or null when it
 * verifies: the canonical request (method, path, sorted query, signed headers, body hash) hashed
 * and signed with HMAC-SHA256 under the access key secret, compared in constant time.
 */
function authenticationProblem(req: Request, options: AliyunSmsSandboxOptions, nonces: Set<string>): string | null {
  const match = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(req.get('authorization') ?? '');
  if (!match) return 'SignatureDoesNotMatch';
  const [, keyId, signedHeaderList, signature] = match;
  if (keyId !== options.accessKeyId) return 'InvalidAccessKeyId.NotFound';
  const signedHeaders = signedHeaderList.split(';');
  for (const required of ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version']) {
    if (!signedHeaders.includes(required)) return 'SignatureDoesNotMatch';
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (req.get('x-acs-content-sha256') !== payloadHash) return 'SignatureDoesNotMatch';
  const query = queryOf(req);
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${k}=${acsEncode(query[k])}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(req.get(h) ?? '').trim()}\n`).join('');
  const canonicalRequest = [req.method, req.path, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', options.accessKeySecret).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return 'SignatureDoesNotMatch';
  // Checked after the signature, so that a forger learns nothing from them.
  const at = Date.parse(req.get('x-acs-date') ?? '');
  if (!Number.isFinite(at) || Math.abs(at - Date.now()) > CLOCK_SKEW_MS) return 'InvalidTimeStamp.Expired';
  const nonce = req.get('x-acs-signature-nonce') ?? '';
  if (nonces.has(nonce)) return 'SignatureNonceUsed';
  nonces.add(nonce);
  return null;
}

/** The query string's parameters, decoded (the SDK sends each once). */
function queryOf(req: Request): Record<string, string> {
  const raw = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Aliyun's percent-encoding of a canonical query value (RFC 3986 with `!'()*` encoded too). */
function acsEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (UTC+8, no daylight saving), as Aliyun writes times. */
function beijingTime(at: Date): string {
  return beijingDateTime(at.getTime());
}
