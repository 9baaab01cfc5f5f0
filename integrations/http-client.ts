import type { z } from 'zod';

// The error is part of the ports' contract (activities decide retries by it), so it lives in domain/.
export { ProviderError } from '../domain/provider-error';
import { ProviderError } from '../domain/provider-error';

/** How to reach one provider. */
export interface ProviderClientOptions {
  /** Base URL including the provider's path prefix, e.g. `http://127.0.0.1:4010/courier`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`, unless `sign` authenticates the requests instead. */
  apiKey?: string;
  /**
   * Headers that authenticate one attempt instead of the bearer token, from its method and its
   * target below the base URL (path and query, e.g. `/v1/orders/o-1`): for providers that take a
   * signature of each request (the order source's HMAC mode). Called per attempt, so each retry is
   * signed afresh.
   */
  sign?: (method: string, target: string) => Record<string, string>;
  /** Timeout of one attempt, in milliseconds. */
  timeoutMs: number;
  /** Quick in-process retries after the first attempt (default 2); Temporal's retry policy covers longer outages. */
  retries?: number;
  /** First backoff delay in milliseconds (default 100); doubles per retry, with jitter. */
  retryBaseDelayMs?: number;
}

/** One request to a provider. */
export interface ProviderRequest<T> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base URL, starting with `/`. */
  path: string;
  /** Validates (and narrows) the JSON answer; a mismatch is a non-retryable ProviderError. */
  response: z.ZodType<T>;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Sent as `Idempotency-Key`; makes a retried POST safe. */
  idempotencyKey?: string;
  /** Set for a POST that is idempotent by nature (e.g. a subscription), so it may be retried without a key. */
  naturallyIdempotent?: boolean;
}

const DEFAULT_RETRIES = 2;
const DEFAULT_RETRY_BASE_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 2000;

/** A small JSON client for one provider: bearer auth, per-attempt timeout, a few quick retries on transient failures. */
export class JsonHttpClient {
  private readonly baseUrl: string;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;

  constructor(
    private readonly provider: string,
    private readonly options: ProviderClientOptions,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.retries = Math.max(0, options.retries ?? DEFAULT_RETRIES);
    this.retryBaseDelayMs = Math.max(0, options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS);
  }

  /** Sends the request, retrying transient failures; resolves with the validated JSON answer or throws a ProviderError. */
  async request<T>(req: ProviderRequest<T>): Promise<T> {
    const mayRetry = req.method !== 'POST' || req.idempotencyKey !== undefined || req.naturallyIdempotent === true;
    const attempts = mayRetry ? this.retries + 1 : 1;
    let failure: AttemptFailure | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (failure) await sleep(this.backoff(attempt - 1, failure.retryAfterMs));
      const outcome = await this.attempt(req);
      if (outcome.ok) return this.parse(req, outcome.status, outcome.text);
      failure = outcome;
      if (!outcome.retryable) break;
    }
    throw this.toError(req, failure!, attempts);
  }

  private async attempt(req: ProviderRequest<unknown>): Promise<AttemptSuccess | AttemptFailure> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(this.options.sign ? this.options.sign(req.method, this.target(req)) : { authorization: `Bearer ${this.options.apiKey ?? ''}` }),
    };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
    try {
      const res = await fetch(this.url(req), {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await res.text();
      if (res.ok) return { ok: true, status: res.status, text };
      return {
        ok: false,
        kind: 'status',
        status: res.status,
        retryable: isRetryableStatus(res.status),
        code: errorCodeOf(text),
        retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
      };
    } catch (err) {
      // Duck-typed: fetch's DOMException is not always an `instanceof Error` of this realm (e.g. under Jest).
      const name = fieldOf(err, 'name');
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      return { ok: false, kind: timedOut ? 'timeout' : 'network', retryable: true, cause: err };
    }
  }

  private parse<T>(req: ProviderRequest<T>, status: number, text: string): T {
    let json: unknown = undefined;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ProviderError(`${this.describe(req)} answered ${status} with a body that is not JSON`, {
          provider: this.provider,
          status,
          retryable: false,
          code: 'invalid_response',
        });
      }
    }
    const parsed = req.response.safeParse(json);
    if (!parsed.success) {
      // Field paths only: the values may be personal data.
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
      throw new ProviderError(`${this.describe(req)} answered ${status} with an unexpected shape (${fields})`, {
        provider: this.provider,
        status,
        retryable: false,
        code: 'invalid_response',
      });
    }
    return parsed.data;
  }

  private toError(req: ProviderRequest<unknown>, failure: AttemptFailure, attempts: number): ProviderError {
    const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
    if (failure.kind === 'status') {
      const code = failure.code ? ` ${failure.code}` : '';
      return new ProviderError(`${this.describe(req)} failed: ${failure.status}${code}${tries}`, {
        provider: this.provider,
        status: failure.status,
        retryable: failure.retryable,
        code: failure.code,
      });
    }
    const what = failure.kind === 'timeout' ? `timed out after ${this.options.timeoutMs}ms` : `network error ${networkReason(failure.cause)}`;
    return new ProviderError(`${this.describe(req)} ${what}${tries}`, { provider: this.provider, retryable: true, cause: failure.cause });
  }

  private url(req: ProviderRequest<unknown>): string {
    return `${this.baseUrl}${this.target(req)}`;
  }

  /** The request's path and query below the base URL, as sent (and as a signature covers it). */
  private target(req: ProviderRequest<unknown>): string {
    const query = req.query ? new URLSearchParams(Object.entries(req.query).map(([k, v]): [string, string] => [k, String(v)])).toString() : '';
    return `${req.path}${query ? `?${query}` : ''}`;
  }

  private describe(req: ProviderRequest<unknown>): string {
    return `${this.provider} ${req.method} ${req.path}`;
  }

  /** Exponential backoff with equal jitter, never shorter than the provider's Retry-After (within the cap). */
  private backoff(retry: number, retryAfter: number | undefined): number {
    const exp = Math.min(MAX_RETRY_DELAY_MS, this.retryBaseDelayMs * 2 ** (retry - 1));
    const jittered = exp / 2 + Math.random() * (exp / 2);
    return Math.min(MAX_RETRY_DELAY_MS, Math.max(jittered, retryAfter ?? 0));
  }
}

type AttemptSuccess = { ok: true; status: number; text: string };
type AttemptFailure =
  | { ok: false; kind: 'status'; status: number; retryable: boolean; code?: string; retryAfterMs?: number }
  | { ok: false; kind: 'timeout' | 'network'; retryable: true; cause: unknown; retryAfterMs?: undefined };

/** 5xx, 408 and 429 may pass; any other 4xx is a permanent refusal. */
function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** The provider's `error.code`, if it is a short machine-readable token (never the free-text message). */
function errorCodeOf(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } })?.error?.code;
    return typeof code === 'string' && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/** The socket error code (ECONNREFUSED, ECONNRESET, …) behind fetch's generic "fetch failed". */
function networkReason(err: unknown): string {
  const inner = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  return fieldOf(inner, 'code') ?? fieldOf(err, 'code') ?? fieldOf(err, 'message') ?? 'unknown';
}

/** A string property of an unknown thrown value. */
function fieldOf(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null || !(field in value)) return undefined;
  const v = (value as Record<string, unknown>)[field];
  return typeof v === 'string' ? v : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
