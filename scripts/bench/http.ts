import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { z } from 'zod';
import type { CaseSnapshot, OpenCaseRequest } from '../../domain/case.types';
import type { orderCreateRequest } from '../../sandbox/sandbox.schemas';

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

/** The calls a benchmark drives one case with: a POST that must answer `expected`, and a wait for a status (read as `reader`). */
export function caseDriver(apiUrl: string, reader: string, timeoutMs = 60_000) {
  return {
    post: async (token: string, path: string, body: unknown, expected: number) =>
      expectStatus(await request<CaseSnapshot>('POST', `${apiUrl}${path}`, { token, body }), expected, `POST ${path}`),
    waitForStatus: async (id: string, status: string): Promise<CaseSnapshot> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = await request<CaseSnapshot>('GET', `${apiUrl}/v1/cases/${id}`, { token: reader });
        if (answer.status === 200 && answer.body.status === status) return answer.body;
        if (Date.now() > deadline) throw new Error(`case ${id} did not reach ${status} (it is ${answer.body?.status ?? answer.status})`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

const DAY_MS = 86_400_000;

/** The claim `POST /v1/cases` takes: the order, its line and the units, the reason. */
export interface ReturnClaim {
  type: 'return';
  orderId: string;
  items: { lineId: string; quantity: number }[];
  reason: { code: 'no_reason'; description: string };
  evidence: string[];
  packagingIntact: boolean;
}

/** A no-reason return on an order of its own, as the bench needs it on each path. */
export interface BenchReturn {
  /** The order, as the sandbox's `POST /orders` creates it. */
  order: z.input<typeof orderCreateRequest>;
  /** What a client sends to open the case on it. */
  claim: ReturnClaim;
  /**
   * The request the API builds from that order (api/order-facts.ts), for starts that skip the API
   * (scripts/bench/direct-start.ts). Without `orderRead`: such an order is never placed in the
   * sandbox, so the workflow must not read it again (delivery, payment record) as it does for
   * cases the API opened on the order source.
   */
  request: OpenCaseRequest;
}

/**
 * A valid no-reason return (one unit of a one-unit line, paid in full, delivered two days ago:
 * inside the 7-day window) on an order with a unique id, bought by `customerId`.
 */
export function benchReturn(orderPrefix: string, index: number, customerId = `c-${(index % 1000) + 1}`): BenchReturn {
  const now = Date.now();
  const unitPrice = 5_000 + (index % 50) * 100;
  const orderId = `${orderPrefix}-${index}-${randomUUID().slice(0, 8)}`;
  const lineId = `${orderId}-L1`;
  const sku = `SKU-BENCH-${index % 97}`;
  const category = 'general';
  const paidAt = new Date(now - 4 * DAY_MS).toISOString();
  const deliveredAt = new Date(now - 2 * DAY_MS).toISOString();
  const reason = { code: 'no_reason' as const, description: 'changed my mind' };
  return {
    order: {
      orderId,
      customerId,
      placedAt: paidAt,
      // No channel: the bench shop refunds through one provider (as cases were opened before the order source).
      payment: { method: 'online', channel: null, paidAt },
      lines: [{ lineId, sku, category, unitsBought: 1, unitListPrice: unitPrice }],
      shipments: [{ carrier: 'SF', shippedAt: new Date(now - 3 * DAY_MS).toISOString(), deliveredAt }],
    },
    claim: { type: 'return', orderId, items: [{ lineId, quantity: 1 }], reason, evidence: [], packagingIntact: true },
    request: {
      type: 'return',
      orderId,
      customerId,
      items: [{ sku, quantity: 1, unitPrice, orderedQuantity: 1, category, lineId, linePaid: unitPrice, title: sku }],
      reason,
      evidence: [],
      packagingIntact: true,
      order: { paidAt, deliveredAt, paymentMethod: 'online', total: unitPrice, currency: 'CNY' },
    },
  };
}

/** Creates the orders of `returns` in the sandbox's order service (`POST /orders`, `concurrency` at a time); throws unless each is 201. */
export async function placeOrders(sandboxUrl: string, returns: readonly BenchReturn[], concurrency = 16): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, returns.length) }, async () => {
    while (next < returns.length) {
      const { order } = returns[next++];
      expectStatus(await request('POST', `${sandboxUrl}/orders`, { body: order }), 201, `POST /orders ${order.orderId ?? ''}`);
    }
  });
  await Promise.all(lanes);
}

/** `count` returns on orders of their own, placed in the sandbox: claims ready to send. */
export async function placedReturns(sandboxUrl: string, orderPrefix: string, fromIndex: number, count: number, customerId?: string): Promise<BenchReturn[]> {
  const returns = Array.from({ length: count }, (_, i) => benchReturn(orderPrefix, fromIndex + i, customerId));
  await placeOrders(sandboxUrl, returns);
  return returns;
}

/** POST /v1/cases; returns the new case (throws unless 201). */
export async function openCase(apiUrl: string, token: string, body: unknown): Promise<CaseSnapshot> {
  return expectStatus(await request<CaseSnapshot>('POST', `${apiUrl}/v1/cases`, { token, body }), 201, 'POST /v1/cases');
}
