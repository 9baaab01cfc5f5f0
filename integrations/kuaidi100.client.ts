import { z } from 'zod';
import type { AppConfig } from '../config/env';
import type { CourierEvent } from '../domain/workflow-contract';
import { ProviderError } from './http-client';
import { kuaidi100Company, signQuery, traceToCourierEvents } from './kuaidi100.protocol';

/** Kuaidi100's production host. */
export const KUAIDI100_DEFAULT_BASE_URL = 'https://poll.kuaidi100.com';

/** What the Kuaidi100 adapter needs. */
export interface Kuaidi100Options {
  /** `https://poll.kuaidi100.com`, or the sandbox's `/kuaidi100` prefix. */
  baseUrl: string;
  /** Authorization key (授权key) of the enterprise account. */
  key: string;
  /** Customer id (customer) of the enterprise account, used by the real-time query. */
  customer: string;
  /** Secret Kuaidi100 signs every callback with; given at subscription, never sent otherwise. */
  salt: string;
  /** Our `POST /v1/webhooks/kuaidi100`, as Kuaidi100 reaches it. */
  callbackUrl: string;
  /** Timeout of one call, in milliseconds. */
  timeoutMs: number;
}

/** The adapter's options from the configuration (COURIER_TRACKING_PROVIDER=kuaidi100 made sure every KUAIDI100_* is set). */
export function kuaidi100OptionsFromConfig(
  config: Pick<AppConfig, 'KUAIDI100_BASE_URL' | 'KUAIDI100_KEY' | 'KUAIDI100_CUSTOMER' | 'KUAIDI100_SALT' | 'KUAIDI100_CALLBACK_URL' | 'PROVIDER_TIMEOUT_MS'>,
): Kuaidi100Options {
  return {
    baseUrl: config.KUAIDI100_BASE_URL,
    key: config.KUAIDI100_KEY!,
    customer: config.KUAIDI100_CUSTOMER!,
    salt: config.KUAIDI100_SALT!,
    callbackUrl: config.KUAIDI100_CALLBACK_URL!,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
  };
}

const subscribeAnswer = z.looseObject({ result: z.boolean(), returnCode: z.union([z.string(), z.number()]).transform(String), message: z.string().optional() });
const traceEntry = z.looseObject({
  time: z.string(),
  ftime: z.string().optional(),
  context: z.string().default(''),
  status: z.string().optional(),
  statusCode: z.string().optional(),
});
const queryTrace = z.looseObject({ state: z.union([z.string(), z.number()]).transform(String), nu: z.string(), com: z.string().optional(), data: z.array(traceEntry) });
const queryRefusal = z.looseObject({ result: z.literal(false), returnCode: z.union([z.string(), z.number()]).transform(String), message: z.string().optional() });

/** Subscription codes Kuaidi100 documents: 501 is a repeat of a subscription still being tracked. */
const SUBSCRIBED = new Set(['200', '501']);
/** Codes of a passing trouble on Kuaidi100's side, per call (subscribe: 500 server error; query: 501 server error, 502 busy); the rest are permanent refusals. */
const TRANSIENT = { subscribe: new Set(['500']), query: new Set(['501', '502']) };
/** The query's "no result": the courier has no scan of the parcel yet. */
const QUERY_NO_RESULT = '500';

/**
 * Kuaidi100 tracking: subscribes a parcel with our callback URL and salt, and reads its trace on
 * demand (the polling fallback). Hand-written: Kuaidi100 publishes no Node SDK, and the protocol
 * is two form posts with an MD5 signature.
 */
export class Kuaidi100Client {
  private readonly baseUrl: string;

  constructor(private readonly options: Kuaidi100Options) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** Asks Kuaidi100 to push the parcel's trace to our webhook; a repeat subscription (501) counts as done. */
  async subscribeTracking(input: { caseId: string; trackingNumber: string; carrier: string }): Promise<void> {
    const param = JSON.stringify({
      company: kuaidi100Company(input.carrier),
      number: input.trackingNumber,
      key: this.options.key,
      parameters: { callbackurl: this.options.callbackUrl, salt: this.options.salt, resultv2: '1' },
    });
    const answer = subscribeAnswer.safeParse(await this.post('/poll', { schema: 'json', param }, 'subscribe'));
    if (!answer.success) throw this.unreadable('subscribe');
    if (answer.data.result || SUBSCRIBED.has(answer.data.returnCode)) return;
    throw this.refusal('subscribe', answer.data.returnCode);
  }

  /** The parcel's trace now, as our courier events (oldest first); the same ids as its callbacks, so feeding both is safe. */
  async query(input: { trackingNumber: string; carrier: string }): Promise<{ state: string; events: CourierEvent[] }> {
    const param = JSON.stringify({ com: kuaidi100Company(input.carrier), num: input.trackingNumber, resultv2: '1' });
    const form = { customer: this.options.customer, sign: signQuery(param, this.options.key, this.options.customer), param };
    const body = await this.post('/poll/query.do', form, 'query');
    const refusal = queryRefusal.safeParse(body);
    if (refusal.success) {
      if (refusal.data.returnCode === QUERY_NO_RESULT) return { state: '', events: [] };
      throw this.refusal('query', refusal.data.returnCode);
    }
    const answer = queryTrace.safeParse(body);
    if (!answer.success) throw this.unreadable('query');
    const trace = answer.data;
    return { state: trace.state, events: traceToCourierEvents({ state: trace.state, nu: trace.nu, com: trace.com, data: trace.data }) };
  }

  private async post(path: string, form: Record<string, string>, what: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (cause) {
      throw new ProviderError(`kuaidi100 ${what} could not be reached`, { provider: 'kuaidi100', retryable: true, cause });
    }
    const text = await res.text();
    if (!res.ok) {
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      throw new ProviderError(`kuaidi100 ${what} failed: HTTP ${res.status}`, { provider: 'kuaidi100', status: res.status, retryable });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.unreadable(what);
    }
  }

  private refusal(what: 'subscribe' | 'query', returnCode: string): ProviderError {
    return new ProviderError(`kuaidi100 ${what} refused: returnCode ${returnCode}`, {
      provider: 'kuaidi100',
      retryable: TRANSIENT[what].has(returnCode),
      code: returnCode,
    });
  }

  private unreadable(what: string): ProviderError {
    return new ProviderError(`kuaidi100 ${what} answered with an unexpected body`, { provider: 'kuaidi100', retryable: false, code: 'invalid_response' });
  }
}
