import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { CaseSnapshot } from '../../domain/case.types';

/** One keep-alive agent for every benchmark request (clients reuse connections, like a real app). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One HTTP answer. */
export interface Answer<T> {
  status: number;
  body: T;
}

/** A JSON request over the shared keep-alive agent (plain node:http: less client overhead than fetch). */
export function request<T = unknown>(
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer<T>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const req = http.request(url, { method, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body: body as T });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Throws unless the answer has the expected status. */
export function expectStatus<T>(answer: Answer<T>, expected: number | number[], what: string): T {
  const ok = Array.isArray(expected) ? expected.includes(answer.status) : answer.status === expected;
  if (!ok) throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer.body;
}

const DAY_MS = 86_400_000;

/** A valid no-reason return (delivered two days ago, inside the 7-day window) with a unique order id. */
export function returnCaseBody(orderPrefix: string, index: number, customerId = `c-${(index % 1000) + 1}`) {
  const now = Date.now();
  const unitPrice = 5_000 + (index % 50) * 100;
  return {
    type: 'return' as const,
    orderId: `${orderPrefix}-${index}-${randomUUID().slice(0, 8)}`,
    customerId,
    items: [{ sku: `SKU-BENCH-${index % 97}`, quantity: 1, unitPrice }],
    reason: { code: 'no_reason' as const, description: 'changed my mind' },
    evidence: [],
    packagingIntact: true,
    order: {
      paidAt: new Date(now - 4 * DAY_MS).toISOString(),
      deliveredAt: new Date(now - 2 * DAY_MS).toISOString(),
      paymentMethod: 'online' as const,
      total: unitPrice,
      currency: 'CNY',
    },
  };
}

/** POST /v1/cases; returns the new case (throws unless 201). */
export async function openCase(apiUrl: string, token: string, body: unknown): Promise<CaseSnapshot> {
  return expectStatus(await request<CaseSnapshot>('POST', `${apiUrl}/v1/cases`, { token, body }), 201, 'POST /v1/cases');
}
