import { z } from 'zod';
import type { Kuaidi100Config } from '../config/providers';
import type { CourierEvent } from '../domain/workflow-contract';
import { ProviderError } from './http-client';
import { kuaidi100Company, signQuery, traceToCourierEvents } from './kuaidi100.protocol';

/** What the Kuaidi100 adapter needs: its section (config/providers/courier.ts checked every variable). */
export type Kuaidi100Options = Omit<Kuaidi100Config, 'provider'>;

/** The Kuaidi100 adapter of COURIER_TRACKING_PROVIDER=kuaidi100 (subscriptions, and the reconciler's trace query). */
export function kuaidi100FromConfig(section: Kuaidi100Config): Kuaidi100Client {
  return new Kuaidi100Client(section);
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
