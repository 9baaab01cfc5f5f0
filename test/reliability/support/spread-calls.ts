import type { CaseSnapshot } from '../../../domain/case.types';
import { HttpClient, sleep, type ApiErrorBody, type HttpAnswer } from '../../integration/support/http-client';

// Calls spread over several API processes with no balancer in front, as a client of a
// scaled-out deployment with a list of addresses would make them: each call goes to the next
// address in turn; a call that gets no answer (connection refused or reset: the process is
// gone) is sent again, with the same Idempotency-Key, to the next one. Every attempt is
// recorded, so a test can say which calls met a dead process and what their retries got.

/** One attempt of one call. */
export interface Attempt {
  /** What the call was for, e.g. `case 3 review`. */
  call: string;
  api: string;
  at: number;
  /** How long the attempt took (an answer or the connection error). */
  ms: number;
  /** The HTTP answer, or undefined when the connection failed. */
  status?: number;
  /** The connection error's code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, …) when there was no answer. */
  connectionError?: string;
}

/** A keyed request: the same request is what every attempt of the call sends. */
export interface KeyedRequest {
  call: string;
  token: string;
  path: string;
  body: unknown;
  key: string;
}

type Answer = HttpAnswer<CaseSnapshot & ApiErrorBody>;

/**
 * Connection-level failures of fetch (the process did not answer at all), by shape: fetch's
 * errors come from Node's own realm, where `instanceof Error` of a Jest test does not hold.
 */
function connectionErrorOf(error: unknown): string | undefined {
  const failure = error as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (failure?.message !== 'fetch failed' || !failure.cause) return undefined;
  const { code, message } = failure.cause;
  return typeof code === 'string' ? code : typeof message === 'string' ? message : 'unknown';
}

/** Callers of several API processes by name. */
export class SpreadCalls {
  readonly attempts: Attempt[] = [];
  private turn = 0;
  private readonly names: string[];

  constructor(private readonly apis: Record<string, string>) {
    this.names = Object.keys(apis);
  }

  /** The next API in turn (round robin over every call). */
  nextApi(): string {
    return this.names[this.turn++ % this.names.length];
  }

  /** The API after `name`. */
  other(name: string): string {
    return this.names[(this.names.indexOf(name) + 1) % this.names.length];
  }

  /** One attempt at `api`; recorded. Throws the fetch error when the connection failed. */
  async attempt(api: string, call: string, send: (http: HttpClient) => Promise<Answer>): Promise<Answer> {
    const at = Date.now();
    try {
      const answer = await send(new HttpClient(this.apis[api]));
      this.attempts.push({ call, api, at, ms: Date.now() - at, status: answer.status });
      return answer;
    } catch (error) {
      this.attempts.push({ call, api, at, ms: Date.now() - at, connectionError: connectionErrorOf(error) ?? `not a connection error: ${String(error)}` });
      throw error;
    }
  }

  /**
   * POSTs `request` to the next API in turn; on a connection error or a 503 the same request
   * (same key) goes to the next API, until an answer other than 503 or `timeoutMs`.
   */
  async post(request: KeyedRequest, timeoutMs = 60_000): Promise<Answer & { api: string }> {
    const deadline = Date.now() + timeoutMs;
    let api = this.nextApi();
    let last = '';
    for (;;) {
      try {
        const answer = await this.attempt(api, request.call, (http) => http.as(request.token).post(request.path, request.body, { 'idempotency-key': request.key }));
        if (answer.status !== 503) return { ...answer, api };
        last = `${api}: 503 ${answer.text}`;
      } catch (error) {
        last = `${api}: ${(error as { message?: string } | null)?.message ?? String(error)}`;
      }
      if (Date.now() > deadline) throw new Error(`${request.call} got no answer within ${timeoutMs} ms; last: ${last}`);
      api = this.other(api);
      await sleep(200);
    }
  }

  /** GET of a case, from the next API in turn; the next one when the connection fails. */
  async read(call: string, token: string, caseId: string): Promise<Answer> {
    let api = this.nextApi();
    for (let tries = 0; ; tries++) {
      try {
        return await this.attempt(api, call, (http) => http.as(token).get(`/v1/cases/${caseId}`));
      } catch (error) {
        if (tries >= this.names.length) throw error;
        api = this.other(api);
      }
    }
  }
}
