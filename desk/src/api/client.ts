import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** A case as the API returns it. */
export type Case = components['schemas']['Case'];
/** The caller, from GET /v1/me. */
export type Me = components['schemas']['Me'];
/** The public policy summary. */
export type PolicySummary = components['schemas']['PolicySummary'];
/** The error body of every refusal. */
export type ApiErrorBody = components['schemas']['Error'];
/** An SLA clock of a case. */
export type Clock = Case['sla'][number];

const TOKEN_KEY = 'aftersales.desk.token';

/** The bearer token of this tab (sessionStorage only: gone when the tab closes, never in a URL). */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

const auth: Middleware = {
  onRequest({ request }) {
    const token = session.token();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

/** The typed client of the HTTP API (same origin). */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(auth);

/** A refusal or failure as the pages show it: status, code, message and the fields named. */
export interface Problem {
  status: number;
  code: string;
  message: string;
  details: { field: string; message: string }[];
}

/** The problem of an answer's error body (or of a failed fetch). */
export function problemOf(status: number, body: unknown): Problem {
  const error = (body as Partial<ApiErrorBody> | undefined)?.error;
  return { status, code: error?.code ?? `http_${status}`, message: error?.message ?? '', details: error?.details ?? [] };
}

/** Runs an API call and turns its answer into data or a problem. */
export async function call<T>(run: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<{ data: T } | { problem: Problem }> {
  try {
    const { data, error, response } = await run();
    if (response.ok && data !== undefined) return { data };
    return { problem: problemOf(response.status, error) };
  } catch (error) {
    return { problem: { status: 0, code: 'network', message: (error as Error).message, details: [] } };
  }
}

/** Who the token stands for, or null when it is not known. */
export async function whoAmI(): Promise<Me | null> {
  const result = await call(() => api.GET('/v1/me'));
  return 'data' in result ? result.data : null;
}

/** The case commands of the API (POST /v1/cases/{id}/<command>). */
export type CommandName =
  | 'review'
  | 'inspection'
  | 'customer-info'
  | 'return-shipment'
  | 'receive'
  | 'quote'
  | 'stock-decision'
  | 'confirm-receipt'
  | 'cancel'
  | 'assign'
  | 'survey'
  | 'repair-result'
  | 'resolution';
/** The body of a command, as the OpenAPI document declares it. */
export type CommandBody<C extends CommandName> = NonNullable<paths[`/v1/cases/{id}/${C}`]['post']['requestBody']>['content']['application/json'];

/** Sends a command with an Idempotency-Key, so that a retry of the same submission runs it once. */
export function sendCommand<C extends CommandName>(command: C, id: string, body: CommandBody<C>, idempotencyKey: string) {
  // One concrete path for the compiler; the body type above is the command's own.
  const path = `/v1/cases/{id}/${command}` as '/v1/cases/{id}/review';
  return call(() => api.POST(path, { params: { path: { id }, header: { 'Idempotency-Key': idempotencyKey } }, body: body as CommandBody<'review'> }));
}
