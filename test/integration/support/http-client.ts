import fs from 'node:fs';
import type { CaseSnapshot } from '../../../domain/case.types';
import { STACK_ENV } from '../stack/stack-file';
import { hasOrderFacts, SandboxOrders, type CaseClaim } from './sandbox-orders';

// A small typed fetch helper for the end-to-end tests: the API as a customer or a staff
// member would call it, the sandbox's inspection endpoints, and a bounded poll whose
// failure message says what the case looked like when time ran out.

/** A variable the integration global setup exports; fails clearly outside `--selectProjects integration`. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run under \`jest --selectProjects integration\`, whose global setup starts the stack`);
  return value;
}

/** The error envelope of the API. */
export interface ApiErrorBody {
  error: { code: string; message: string; details: { field: string; message: string }[] };
}

/** One HTTP answer: status, headers and the parsed JSON body (or `null` when it was not JSON). */
export interface HttpAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A caller of one base URL, optionally with a bearer token. */
export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** The same base URL with another bearer token. */
  as(token: string): HttpClient {
    return new HttpClient(this.baseUrl, token);
  }

  get<T = unknown>(path: string): Promise<HttpAnswer<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  async request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<HttpAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
    return { status: response.status, headers: response.headers, body: (isJson && text ? JSON.parse(text) : null) as T, text };
  }
}

/** A token entry of the tokens file the stack's API reads. */
export interface TokenEntry {
  token: string;
  role: 'customer' | 'agent' | 'supervisor' | 'admin';
  customerId?: string;
  name?: string;
}

/** The development tokens by what the tests use them for (read from the stack's tokens file). */
export function stackTokens() {
  const entries = (JSON.parse(fs.readFileSync(requiredEnv(STACK_ENV.tokensFile), 'utf8')) as { tokens: TokenEntry[] }).tokens;
  const find = (what: string, predicate: (t: TokenEntry) => boolean): string => {
    const entry = entries.find(predicate);
    if (!entry) throw new Error(`the tokens file has no ${what} token`);
    return entry.token;
  };
  return {
    /** Customer c-1. */
    customer: find('customer c-1', (t) => t.role === 'customer' && t.customerId === 'c-1'),
    /** Customer c-2, who must never see c-1's cases. */
    otherCustomer: find('customer c-2', (t) => t.role === 'customer' && t.customerId === 'c-2'),
    agent: find('agent li.wei', (t) => t.role === 'agent' && t.name === 'li.wei'),
    /** The warehouse inspector (an agent). */
    warehouse: find('agent wang.fang', (t) => t.role === 'agent' && t.name === 'wang.fang'),
    supervisor: find('supervisor', (t) => t.role === 'supervisor'),
    admin: find('admin', (t) => t.role === 'admin'),
  };
}

/** A message in the sandbox's notification outbox. */
export interface OutboxMessage {
  messageId: string;
  caseId: string;
  recipient: { kind: 'customer'; customerId: string } | { kind: 'staff'; address: string };
  template: string;
  params: Record<string, string | number | boolean | null>;
  at: string;
  idempotencyKey: string;
}

/** A refund the sandbox executed. */
export interface LedgerRefund {
  refundId: string;
  caseId: string;
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  idempotencyKey: string;
  requests: number;
  settledAt: string | null;
}

/** The sandbox's inspection endpoints (no token). */
export class SandboxClient {
  private readonly http: HttpClient;

  constructor(baseUrl: string) {
    this.http = new HttpClient(baseUrl);
  }

  /** Messages of the outbox, oldest first, filtered like `GET /outbox`. */
  async outbox(filter: { caseId?: string; template?: string; recipient?: string }): Promise<OutboxMessage[]> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) if (value !== undefined) query.set(name, value);
    const answer = await this.http.get<{ messages: OutboxMessage[] }>(`/outbox?${query.toString()}`);
    if (answer.status !== 200) throw new Error(`GET /outbox answered ${answer.status}: ${answer.text}`);
    return answer.body.messages;
  }

  /** The refunds the sandbox executed for one case. */
  async refundsOf(caseId: string): Promise<LedgerRefund[]> {
    const answer = await this.http.get<{ refunds: LedgerRefund[] }>('/ledger');
    if (answer.status !== 200) throw new Error(`GET /ledger answered ${answer.status}: ${answer.text}`);
    return answer.body.refunds.filter((r) => r.caseId === caseId);
  }
}

/** The case's timeline as event names, for failure messages. */
export function timelineEvents(snapshot: Pick<CaseSnapshot, 'timeline'>): string[] {
  return (snapshot.timeline ?? []).map((entry) => entry.event);
}

/** "case <id> is <status>; timeline: a → b → c", for failure messages. */
export function describeCase(snapshot: Pick<CaseSnapshot, 'id' | 'status' | 'timeline'>): string {
  return `case ${snapshot.id} is ${snapshot.status}; timeline: ${timelineEvents(snapshot).join(' → ') || '(empty)'}`;
}

/**
 * Polls `probe` every `intervalMs` until it returns a value other than `undefined`, or fails
 * after `timeoutMs` with `what` and whatever `explain` says about the last state seen.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; explain?: () => Promise<string> } = {},
): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 150 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(intervalMs);
  }
  let state = '';
  try {
    state = options.explain ? `; ${await options.explain()}` : '';
  } catch (error) {
    state = `; (could not read the state: ${messageOf(error)})`;
  }
  const cause = lastError === undefined ? '' : `; last error: ${messageOf(lastError)}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}${cause}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : JSON.stringify(error);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A request to open a case: a fixture with its order's facts (placed in the sandbox first) or a claim on an existing order. */
export type OpenCaseBody = (Record<string, unknown> & { type: string; orderId: string; customerId: string }) | (Record<string, unknown> & CaseClaim);

/** The cases API of one deployment, as the staff tokens and customers of the tests call it. */
export class CasesApi {
  private readonly http: HttpClient;

  private readonly orders: SandboxOrders | undefined;

  constructor(
    apiUrl: string,
    /** Token used to read cases while polling (a staff token sees every case). */
    private readonly readerToken: string,
    /** The sandbox whose order service the API reads (default: the integration stack's). */
    sandboxUrl: string | undefined = process.env[STACK_ENV.sandboxUrl],
  ) {
    this.http = new HttpClient(apiUrl);
    this.orders = sandboxUrl === undefined ? undefined : new SandboxOrders(sandboxUrl);
  }

  /**
   * `POST /v1/cases` as `token`, with an Idempotency-Key when given. A fixture that describes its
   * order (`order`, `customerId`, item prices) has that order placed in the sandbox's order
   * service first, and is sent as the claim on it (test/integration/support/sandbox-orders.ts).
   */
  async open(token: string, body: OpenCaseBody, idempotencyKey?: string): Promise<HttpAnswer<CaseSnapshot & ApiErrorBody>> {
    return this.openAsSent(token, await this.claimOf(body), idempotencyKey);
  }

  /** `POST /v1/cases` with exactly `body` (to try what the API refuses). */
  openAsSent(token: string, body: unknown, idempotencyKey?: string): Promise<HttpAnswer<CaseSnapshot & ApiErrorBody>> {
    return this.http.as(token).post('/v1/cases', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  /** The claim a request stands for, its order placed in the sandbox when it describes one. */
  async claimOf(body: OpenCaseBody): Promise<CaseClaim> {
    if (!hasOrderFacts(body)) return body as CaseClaim;
    if (!this.orders) throw new Error('this CasesApi knows no sandbox to place the order of a fixture in: pass its sandboxUrl');
    return this.orders.claimOn(body);
  }

  /** Opens a case and fails unless the API answers 201. */
  async opened(token: string, body: OpenCaseBody): Promise<CaseSnapshot> {
    const answer = await this.open(token, body);
    if (answer.status !== 201) throw new Error(`opening a ${body.type} case answered ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  /** `GET /v1/cases/:id` as `token` (the reader token by default). */
  read(id: string, token = this.readerToken): Promise<HttpAnswer<CaseSnapshot & ApiErrorBody>> {
    return this.http.as(token).get(`/v1/cases/${encodeURIComponent(id)}`);
  }

  /** The case as the reader sees it; fails unless 200. */
  async get(id: string): Promise<CaseSnapshot> {
    const answer = await this.read(id);
    if (answer.status !== 200) throw new Error(`GET /v1/cases/${id} answered ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  /** `GET /v1/cases?<query>` as `token`. */
  list(token: string, query: Record<string, string>): Promise<HttpAnswer<{ items: CaseSnapshot[]; nextCursor: string | null } & ApiErrorBody>> {
    return this.http.as(token).get(`/v1/cases?${new URLSearchParams(query).toString()}`);
  }

  /** `POST /v1/cases/:id/<command>` as `token`. */
  command(token: string, id: string, command: string, body: unknown = {}): Promise<HttpAnswer<CaseSnapshot & ApiErrorBody>> {
    return this.http.as(token).post(`/v1/cases/${encodeURIComponent(id)}/${command}`, body);
  }

  /** Sends a command and fails unless it is accepted (200); returns the new case. */
  async accepted(token: string, id: string, command: string, body: unknown = {}): Promise<CaseSnapshot> {
    const answer = await this.command(token, id, command, body);
    if (answer.status !== 200) {
      const now = await this.get(id).then(describeCase, (error: Error) => `(unreadable: ${error.message})`);
      throw new Error(`${command} on case ${id} answered ${answer.status} ${answer.text}; ${now}`);
    }
    return answer.body;
  }

  /** Polls the case until `predicate` holds; the failure names `what`, the status and the timeline. */
  async waitFor(id: string, what: string, predicate: (snapshot: CaseSnapshot) => boolean, timeoutMs = 15_000): Promise<CaseSnapshot> {
    return eventually(
      `case ${id}: ${what}`,
      async () => {
        const snapshot = await this.get(id);
        return predicate(snapshot) ? snapshot : undefined;
      },
      { timeoutMs, explain: async () => describeCase(await this.get(id)) },
    );
  }

  /** Polls the case until it has `status`. */
  waitForStatus(id: string, status: CaseSnapshot['status'], timeoutMs = 15_000): Promise<CaseSnapshot> {
    return this.waitFor(id, `status ${status}`, (s) => s.status === status, timeoutMs);
  }
}
