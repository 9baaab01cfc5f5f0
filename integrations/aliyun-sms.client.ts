import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Dysmsapi, { QuerySendDetailsRequest, SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { NotificationPort, OutboundMessage } from '../activities/provider-ports';
import { ConfigError } from '../config/env';
import type { AliyunSmsConfig } from '../config/providers';
import { beijingDate, beijingMinute } from '../domain/beijing-time';
import { fenToYuan } from '../domain/yuan';
import type { CustomerDirectoryPort } from './customer-directory.client';
import { ProviderError } from './http-client';

/** One of our templates as approved on Aliyun: its TemplateCode and the variables it declares. */
export interface AliyunSmsTemplate {
  code: string;
  params: string[];
}

/**
 * The templates the workflows send to customers, with the params each message carries (besides
 * `caseType` and `status`, which every customer message has, and `caseId`, which the adapter takes
 * from the message). ALIYUN_SMS_TEMPLATES_FILE must map every one of them, declaring only these.
 */
export const CUSTOMER_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  return_label: ['labelId', 'carrier', 'trackingNumber', 'warehouseCode', 'shipBy'],
  payment_requested: ['purpose', 'amount', 'currency', 'collectionId', 'payBy'],
  goods_held: ['fee', 'currency'],
  replacement_shipped: ['carrier', 'trackingNumber'],
  reship_shipped: ['carrier', 'trackingNumber'],
  repair_return_shipped: ['carrier', 'trackingNumber'],
  return_to_customer_shipped: ['carrier', 'trackingNumber'],
  exchange_out_of_stock: ['skus', 'alternativeAllowed'],
  // The agent's note is free text: it stays on the customer's case page, never in an SMS.
  info_requested: [],
  repair_quote: ['amount', 'currency'],
  refund_succeeded: ['amount', 'currency'],
  investigation_opened: [],
  case_completed: ['closedBy', 'surveyOpenFor', 'refundAmount', 'refundCurrency'],
  case_rejected: ['closedBy', 'surveyOpenFor'],
  case_cancelled: ['closedBy', 'surveyOpenFor'],
  case_expired: ['closedBy', 'surveyOpenFor'],
};
/** Params every customer message may use in its template. */
const COMMON_PARAMS = ['caseId', 'caseType', 'status'];
/** Params holding an amount in fen: written as yuan ("12.30"), exactly. */
const FEN_PARAMS = new Set(['amount', 'fee', 'refundAmount']);
/** Params holding an instant (ISO 8601): written as Beijing time "yyyy-MM-dd HH:mm". */
const TIME_PARAMS = new Set(['shipBy', 'payBy']);
/** Aliyun's limit on one variable's value of a notification template, in characters. */
export const ALIYUN_VARIABLE_MAX = 35;
/** A code or id we wrote: letters, digits and `_.:,-` (no spaces, no other script, so no sentence). */
const CODE_OR_ID = /^[A-Za-z0-9][A-Za-z0-9_.:,-]*$/;

/**
 * How each error code of Aliyun SMS is treated. Retryable ones are thrown as retryable provider
 * errors (Temporal calls again; the send log keeps a retry from sending twice); final ones fail the
 * activity at once. Codes not listed: `isp.*`, `Throttling*` and HTTP 5xx are retried, others final.
 */
export const ALIYUN_SMS_CODES: Record<string, { retryable: boolean; meaning: string }> = {
  'isv.BUSINESS_LIMIT_CONTROL': { retryable: true, meaning: "Aliyun's rate limit per number (by default 1 a minute, 5 an hour, 10 a day): sent later" },
  'isv.AMOUNT_NOT_ENOUGH': { retryable: true, meaning: 'the Aliyun account balance cannot pay for the SMS: sent once the account is topped up' },
  'isp.SYSTEM_ERROR': { retryable: true, meaning: "Aliyun's own failure" },
  'Throttling.User': { retryable: true, meaning: 'our account called too often' },
  ServiceUnavailable: { retryable: true, meaning: 'Aliyun is unavailable for a moment' },
  'isv.MOBILE_NUMBER_ILLEGAL': { retryable: false, meaning: "the directory's number is not one Aliyun can send to" },
  'isv.TEMPLATE_MISSING_PARAMETERS': { retryable: false, meaning: 'the template declares a variable the message did not fill (ALIYUN_SMS_TEMPLATES_FILE)' },
  'isv.SMS_TEMPLATE_ILLEGAL': { retryable: false, meaning: 'the TemplateCode is unknown or not approved (ALIYUN_SMS_TEMPLATES_FILE)' },
  'isv.SMS_SIGNATURE_ILLEGAL': { retryable: false, meaning: 'ALIYUN_SMS_SIGN_NAME is not an approved signature of the account' },
  'isv.INVALID_PARAMETERS': { retryable: false, meaning: 'Aliyun found a parameter invalid' },
  'isv.INVALID_JSON_PARAM': { retryable: false, meaning: 'TemplateParam is not a JSON object of strings' },
  'isv.PARAM_LENGTH_LIMIT': { retryable: false, meaning: 'a variable is longer than Aliyun allows' },
  'InvalidAccessKeyId.NotFound': { retryable: false, meaning: 'ALIYUN_SMS_ACCESS_KEY_ID is not a key Aliyun knows' },
  SignatureDoesNotMatch: { retryable: false, meaning: 'ALIYUN_SMS_ACCESS_KEY_SECRET is not the secret of the access key' },
};

/** What an earlier attempt with the same idempotency key left in the send log. */
export type SmsClaim = { state: 'claimed' } | { state: 'unfinished'; startedAt: Date } | { state: 'sent'; bizId: string };

/** Where sends are recorded by idempotency key, so that a retried activity does not send twice (store/sms-sends.store.ts). */
export interface SmsSendLog {
  /** Records a send about to happen, unless one was: then answers what it left. */
  claim(key: string, outId: string, at: Date): Promise<SmsClaim>;
  /** Marks the send done with Aliyun's BizId. */
  complete(key: string, bizId: string): Promise<void>;
  /** Forgets an unfinished send Aliyun refused (nothing went out), so the retry sends without looking first. */
  release(key: string): Promise<void>;
}

/** The send log in memory: dedupes within one process (tests; a worker without a database). */
export class InMemorySmsSendLog implements SmsSendLog {
  private readonly sends = new Map<string, { startedAt: Date; bizId?: string }>();

  async claim(key: string, _outId: string, at: Date): Promise<SmsClaim> {
    const earlier = this.sends.get(key);
    if (!earlier) {
      this.sends.set(key, { startedAt: at });
      return { state: 'claimed' };
    }
    return earlier.bizId === undefined ? { state: 'unfinished', startedAt: earlier.startedAt } : { state: 'sent', bizId: earlier.bizId };
  }

  async complete(key: string, bizId: string): Promise<void> {
    const earlier = this.sends.get(key);
    this.sends.set(key, { startedAt: earlier?.startedAt ?? new Date(), bizId });
  }

  async release(key: string): Promise<void> {
    if (this.sends.get(key)?.bizId === undefined) this.sends.delete(key);
  }
}

/** How to reach Aliyun SMS as one account. */
export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** Our template name → its TemplateCode and declared variables. */
  templates: Record<string, AliyunSmsTemplate>;
  /** A host (`dysmsapi.aliyuncs.com`, HTTPS) or a URL with its scheme (`http://127.0.0.1:4010` for the sandbox). */
  endpoint: string;
  timeoutMs: number;
}

/**
 * Customer notifications as SMS through Aliyun (阿里云短信服务), with Alibaba Cloud's own SDK
 * (`@alicloud/dysmsapi20170525`, ACS3-HMAC-SHA256 request signatures). The customer's number is looked
 * up in the customer directory inside the call: it never enters Temporal, a log or an error. A
 * customer without a mobile number gets the message through `noPhone` (the notification adapter).
 */
export class AliyunSmsClient implements NotificationPort {
  private readonly sdk: Dysmsapi;

  constructor(
    private readonly options: AliyunSmsOptions,
    private readonly directory: CustomerDirectoryPort,
    private readonly sends: SmsSendLog,
    private readonly noPhone: NotificationPort | null,
  ) {
    const { host, protocol } = endpointOf(options.endpoint);
    this.sdk = new Dysmsapi(
      new $OpenApiUtil.Config({
        accessKeyId: options.accessKeyId,
        accessKeySecret: options.accessKeySecret,
        endpoint: host,
        protocol,
        readTimeout: options.timeoutMs,
        connectTimeout: options.timeoutMs,
      }),
    );
  }

  /**
   * Sends a customer message as the SMS of its template: `SendSms` with the template's TemplateCode,
   * its declared variables only (codes, ids, numbers, dates — never free text), `OutId` = a digest of
   * the idempotency key. A key already sent answers its BizId; one whose earlier attempt got no answer
   * is first looked for with `QuerySendDetails` (by OutId), and sent only when Aliyun has no trace.
   */
  async send(message: OutboundMessage, idempotencyKey: string): Promise<{ messageId: string }> {
    if (message.recipient.kind !== 'customer') throw failure('staff messages do not go by SMS', 'not_supported', false);
    const template = this.options.templates[message.template];
    if (!template) throw failure(`template ${message.template} has no Aliyun SMS template in ALIYUN_SMS_TEMPLATES_FILE`, 'unknown_template', false);
    const templateParam = JSON.stringify(templateParamsOf(message, template));
    const phone = mainlandMobile(await this.directory.phoneOf(message.recipient.customerId));
    if (phone === null) {
      if (this.noPhone) return this.noPhone.send(message, idempotencyKey);
      throw failure('the customer has no mainland mobile number in the directory', 'no_phone', false);
    }
    const outId = outIdOf(idempotencyKey);
    const claim = await this.sends.claim(idempotencyKey, outId, new Date());
    if (claim.state === 'sent') return { messageId: claim.bizId };
    if (claim.state === 'unfinished') {
      const found = await this.findSent(phone, outId, claim.startedAt);
      if (found !== null) {
        await this.sends.complete(idempotencyKey, found);
        return { messageId: found };
      }
    }
    let answer: { code?: string; bizId?: string };
    try {
      const res = await this.sdk.sendSms(new SendSmsRequest({ phoneNumbers: phone, signName: this.options.signName, templateCode: template.code, templateParam, outId }));
      answer = res.body ?? {};
    } catch (err) {
      const error = sdkError('SendSms', err);
      // Aliyun answered with a refusal: nothing went out, the retry may send without looking first.
      if (error.status !== undefined && error.status < 500) await this.sends.release(idempotencyKey);
      throw error;
    }
    if (answer.code !== 'OK' || typeof answer.bizId !== 'string' || answer.bizId === '') {
      await this.sends.release(idempotencyKey);
      throw refusal('SendSms', answer.code);
    }
    await this.sends.complete(idempotencyKey, answer.bizId);
    return { messageId: answer.bizId };
  }

  /**
   * `QuerySendDetails` for the number on the Beijing day the earlier attempt started (and today, when
   * that was another day): the BizId of the SMS carrying our OutId, or null when Aliyun lists none.
   */
  private async findSent(phone: string, outId: string, startedAt: Date): Promise<string | null> {
    const days = [...new Set([sendDate(startedAt), sendDate(new Date())])];
    const pageSize = 50;
    for (const sendDate of days) {
      for (let page = 1; page <= 10; page++) {
        let body: { code?: string; smsSendDetailDTOs?: { smsSendDetailDTO?: { outId?: string; phoneNum?: string }[] } };
        try {
          body = (await this.sdk.querySendDetails(new QuerySendDetailsRequest({ phoneNumber: phone, sendDate, pageSize, currentPage: page }))).body ?? {};
        } catch (err) {
          throw sdkError('QuerySendDetails', err);
        }
        if (body.code !== 'OK') throw refusal('QuerySendDetails', body.code);
        const details = body.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
        const ours = details.find((d) => d.outId === outId);
        // Aliyun lists the SMS, not its BizId; the OutId is what identifies it, so it stands in for the id.
        if (ours) return `outid:${outId}`;
        if (details.length < pageSize) break;
      }
    }
    return null;
  }
}

/**
 * The TemplateParam of a message: only the variables its template declares, each a code, id, number
 * or date we wrote. A declared variable that is missing, longer than Aliyun allows, or holds anything
 * else (a sentence, a name, another script) refuses the message: a final error naming the variable.
 */
export function templateParamsOf(message: OutboundMessage, template: AliyunSmsTemplate): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of template.params) {
    const raw = name === 'caseId' ? (message.params.caseId ?? message.caseId) : message.params[name];
    const refuse = (why: string) => failure(`template ${message.template}: param ${name} ${why}`, 'invalid_param', false);
    if (raw === undefined || raw === null || raw === '') throw refuse('is missing');
    let text: string;
    if (typeof raw === 'number') {
      if (!Number.isSafeInteger(raw) || raw < 0) throw refuse('is not a whole non-negative number');
      text = FEN_PARAMS.has(name) ? fenToYuan(raw) : String(raw);
    } else if (typeof raw === 'boolean') {
      text = String(raw);
    } else if (TIME_PARAMS.has(name) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) {
      const at = Date.parse(raw);
      if (!Number.isFinite(at)) throw refuse('is not a date');
      text = beijingMinute(at);
    } else if (CODE_OR_ID.test(raw)) {
      text = raw;
    } else {
      throw refuse('is not a code, id, number or date (free text never goes into an SMS)');
    }
    if ([...text].length > ALIYUN_VARIABLE_MAX) throw refuse(`is longer than Aliyun's ${ALIYUN_VARIABLE_MAX} characters`);
    values[name] = text;
  }
  return values;
}

/** The 11-digit mainland mobile number of a directory entry, or null (none, or not a mainland mobile). */
function mainlandMobile(phone: string | null): string | null {
  if (phone === null) return null;
  const plain = phone.replace(/[\s-]/g, '').replace(/^(\+86|0086|86)(?=1\d{10}$)/, '');
  return /^1[3-9]\d{9}$/.test(plain) ? plain : null;
}

/** Aliyun's OutId for an idempotency key: a short digest (the key itself may be long; Aliyun echoes OutId in receipts). */
export function outIdOf(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
}

/** A refusal in Aliyun's answer body, by its code (never its Message, which may quote the request). */
function refusal(action: string, rawCode: string | undefined): ProviderError {
  const code = typeof rawCode === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(rawCode) ? rawCode : 'invalid_response';
  const known = ALIYUN_SMS_CODES[code];
  const retryable = known?.retryable ?? (code.startsWith('isp.') || code.startsWith('Throttling'));
  return failure(`aliyun ${action} refused: ${code}${known ? ` (${known.meaning})` : ''}`, code, retryable);
}

/**
 * An error the SDK threw: an HTTP error answer (by its code and status), or no answer at all
 * (network, timeout: retried). The SDK's own message is never passed on: it may quote the URL,
 * whose query holds the phone number.
 */
function sdkError(action: string, err: unknown): ProviderError {
  const status = numberField(err, 'statusCode');
  const rawCode = stringField(err, 'code');
  if (status === undefined) return failure(`aliyun ${action} got no answer (network error or timeout)`, undefined, true);
  const code = rawCode !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(rawCode) ? rawCode : `http-${status}`;
  const known = ALIYUN_SMS_CODES[code];
  const retryable = known?.retryable ?? (status >= 500 || status === 429 || code.startsWith('Throttling') || code.startsWith('isp.'));
  const error = failure(`aliyun ${action} failed: HTTP ${status} ${code}${known ? ` (${known.meaning})` : ''}`, code, retryable);
  return new ProviderError(error.message, { provider: 'notification', status, retryable, code });
}

function failure(message: string, code: string | undefined, retryable: boolean): ProviderError {
  return new ProviderError(message, { provider: 'notification', retryable, ...(code === undefined ? {} : { code }) });
}

function numberField(value: unknown, field: string): number | undefined {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  return typeof v === 'number' ? v : undefined;
}

function stringField(value: unknown, field: string): string | undefined {
  const v = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The SDK's endpoint (a host) and protocol from ALIYUN_SMS_ENDPOINT (a host, or a URL naming its scheme). */
function endpointOf(endpoint: string): { host: string; protocol: 'http' | 'https' } {
  const match = /^(https?):\/\/([^/]+)\/?$/.exec(endpoint);
  return match ? { protocol: match[1] as 'http' | 'https', host: match[2] } : { protocol: 'https', host: endpoint };
}

/** "yyyyMMdd" of the Beijing day (UTC+8), as QuerySendDetails's SendDate. */
function sendDate(at: Date): string {
  return beijingDate(at.getTime()).replaceAll('-', '');
}

/**
 * Reads ALIYUN_SMS_TEMPLATES_FILE (JSON: our template name → {code, params}) and checks it against the
 * templates the workflows send: every customer template mapped, each code an Aliyun TemplateCode, each
 * declared variable one that message carries. Any problem is a ConfigError naming the variable and
 * the template, so the worker stops at start rather than at the first SMS.
 */
export function readAliyunSmsTemplates(file: string): Record<string, AliyunSmsTemplate> {
  const bad = (why: string) => new ConfigError(`invalid configuration: ALIYUN_SMS_TEMPLATES_FILE: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw bad(code ? `cannot read ${file} (${code})` : `${file} is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('must be a JSON object of template name → {code, params}');
  const templates: Record<string, AliyunSmsTemplate> = {};
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    const carried = CUSTOMER_TEMPLATES[name];
    if (carried === undefined) throw bad(`${name} is not a template we send to customers`);
    const { code, params } = (typeof entry === 'object' && entry !== null ? entry : {}) as { code?: unknown; params?: unknown };
    if (typeof code !== 'string' || !/^SMS_\d{1,20}$/.test(code)) throw bad(`${name}.code must be an Aliyun TemplateCode such as SMS_123456789`);
    if (!Array.isArray(params) || !params.every((p): p is string => typeof p === 'string')) throw bad(`${name}.params must be a list of param names`);
    for (const param of params) {
      if (!COMMON_PARAMS.includes(param) && !carried.includes(param)) {
        throw bad(`${name}.params: ${param} is not a param that message carries as a code, id, number or date (it carries ${[...COMMON_PARAMS, ...carried].join(', ')})`);
      }
    }
    templates[name] = { code, params };
  }
  const missing = Object.keys(CUSTOMER_TEMPLATES).filter((name) => templates[name] === undefined);
  if (missing.length > 0) throw bad(`no Aliyun template for ${missing.join(', ')}`);
  return templates;
}

/** The adapter's options from its section (config/providers/notification.ts checked every variable); reads and checks the templates file. */
export function aliyunSmsOptionsOf(section: AliyunSmsConfig): AliyunSmsOptions {
  return {
    accessKeyId: section.accessKeyId,
    accessKeySecret: section.accessKeySecret,
    signName: section.signName,
    templates: readAliyunSmsTemplates(section.templatesFile),
    endpoint: section.endpoint,
    timeoutMs: section.timeoutMs,
  };
}
