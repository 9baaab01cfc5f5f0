import { randomUUID } from 'node:crypto';
import type { CaseSnapshot } from '../../../domain/case.types';
import { defaultPolicy } from '../../../domain/policy';
import { describeCase, HttpClient, sleep, timelineEvents, type ApiErrorBody, type HttpAnswer, type OutboxMessage } from '../../integration/support/http-client';
import { SandboxOrders, type CaseClaim, type CaseWithOrderFacts } from '../../integration/support/sandbox-orders';
import type { ReliabilityStack } from './reliability-stack';

// Return cases as a customer, an agent and the warehouse drive them through the API of a
// reliability stack, and what the sandbox recorded of them. Every case has its own customer
// (`rc-<n>`) and its own reader token, so polling never hits the per-token rate limit.

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

/** What a no-reason return of `unitPrice` refunds (the customer pays the return shipping). */
export function expectedRefund(unitPrice: number): number {
  return unitPrice - defaultPolicy().shipping.returnShippingFee;
}

/** One return case opened by customer `rc-<n>`. */
export interface ReturnCase {
  n: number;
  id: string;
  customerId: string;
  customerToken: string;
  readerToken: string;
  unitPrice: number;
  /** The return label's number, known once the customer reported the parcel sent ('' before). */
  trackingNumber: string;
}

/** A command answer, or the reason it could not be sent (a network error while a server is down). */
type Answer = HttpAnswer<CaseSnapshot & ApiErrorBody>;

/** A no-reason return of one item delivered two days ago, by `customerId`, with its order's facts (the fixtures' shape). */
export function returnBody(customerId: string, unitPrice: number, orderId = `REL-${randomUUID()}`): CaseWithOrderFacts {
  return {
    type: 'return',
    orderId,
    customerId,
    items: [{ sku: 'SKU-REL-1', quantity: 1, unitPrice }],
    reason: { code: 'no_reason', description: 'changed my mind' },
    packagingIntact: true,
    order: { paidAt: daysAgo(4), deliveredAt: daysAgo(2), paymentMethod: 'online', total: unitPrice, currency: 'CNY' },
  };
}

/**
 * Places the order of a no-reason return (one line of `unitPrice`, paid in full) in the stack's
 * sandbox and returns the claim on it, the body `POST /v1/cases` takes: the API reads the price,
 * the dates and the buyer from the order.
 */
export function returnClaim(stack: { sandboxUrl: string }, customerId: string, unitPrice: number, orderId?: string): Promise<CaseClaim> {
  return new SandboxOrders(stack.sandboxUrl).claimOn(returnBody(customerId, unitPrice, orderId));
}

/** The cases API of a reliability stack, as its users call it. */
export class ReturnCases {
  private readonly http: HttpClient;
  private stopped = false;

  constructor(
    private readonly stack: ReliabilityStack,
    /** Distinguishes this file's orders from any other run's (in their order ids). */
    private readonly label: string,
  ) {
    this.http = new HttpClient(stack.apiUrl);
  }

  /**
   * Opens a return for customer `rc-<n>` with an Idempotency-Key, retrying a 503 or a network
   * error (a server restarting) with the same key, as a client should: never a second case.
   */
  async open(n: number, unitPrice = 5000 + n * 100, timeoutMs = 60_000): Promise<ReturnCase> {
    const { customerId, token } = this.stack.tokens.customer(n);
    const key = `rel-open-${randomUUID()}`;
    const body = await returnClaim(this.stack, customerId, unitPrice, `REL-${this.label}-${randomUUID()}`);
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      try {
        const answer = await this.http.as(token).post<CaseSnapshot & ApiErrorBody>('/v1/cases', body, { 'idempotency-key': key });
        if (answer.status === 201 || answer.status === 200) {
          return {
            n,
            id: answer.body.id,
            customerId,
            customerToken: token,
            readerToken: this.stack.tokens.reader(n),
            unitPrice,
            trackingNumber: '',
          };
        }
        last = `${answer.status} ${answer.text}`;
        if (answer.status !== 503) throw new Error(`opening a return for ${customerId} answered ${last}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('opening')) throw error;
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) throw new Error(`opening a return for ${customerId} did not succeed within ${timeoutMs} ms; last answer: ${last}`);
      await sleep(500);
    }
  }

  /** Ends every poll and drive still running (afterAll, before the stack stops). */
  stop(): void {
    this.stopped = true;
  }

  /** Fails the poll or drive that calls it once the file is over. */
  private checkStopped(c: ReturnCase): void {
    if (this.stopped) throw new Error(`stopped while still waiting for case ${c.id}: the test ended`);
  }

  /** `GET /v1/cases/:id` as the case's reader. */
  read(c: ReturnCase): Promise<Answer> {
    return this.http.as(c.readerToken).get(`/v1/cases/${c.id}`);
  }

  /** The case; fails unless the API answers 200. */
  async get(c: ReturnCase): Promise<CaseSnapshot> {
    const answer = await this.read(c);
    if (answer.status !== 200) throw new Error(`GET /v1/cases/${c.id} answered ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  /** The agent approves the review. */
  approve(c: ReturnCase): Promise<Answer> {
    return this.command(this.stack.tokens.agent, c, 'review', { decision: 'approve', note: 'reliability run' });
  }

  /** The customer reports the parcel sent back on the shop's label; the case's answer tells its number. */
  async ship(c: ReturnCase): Promise<Answer> {
    const answer = await this.command(c.customerToken, c, 'return-shipment', {});
    const parcel = answer.status === 200 ? answer.body.shipments?.find((s) => s.direction === 'return') : undefined;
    if (parcel) c.trackingNumber = parcel.trackingNumber;
    return answer;
  }

  /** The warehouse passes the goods (full refund less the return shipping fee). */
  inspect(c: ReturnCase): Promise<Answer> {
    return this.command(this.stack.tokens.warehouse, c, 'inspection', { result: 'pass', note: 'unused' });
  }

  /** `POST /v1/cases/:id/<command>` as `token`. */
  command(token: string, c: ReturnCase, command: string, body: unknown): Promise<Answer> {
    return this.http.as(token).post(`/v1/cases/${c.id}/${command}`, body);
  }

  /** Sends a command and fails unless it is accepted (200). */
  async accepted(what: Promise<Answer>, c: ReturnCase, command: string): Promise<CaseSnapshot> {
    const answer = await what;
    if (answer.status !== 200) {
      const now = await this.get(c).then(describeCase, (error: Error) => `(unreadable: ${error.message})`);
      throw new Error(`${command} on case ${c.id} answered ${answer.status} ${answer.text}; ${now}`);
    }
    return answer.body;
  }

  /** Polls the case (every `intervalMs`) until `predicate` holds; the failure names the status and the timeline. */
  async waitFor(c: ReturnCase, what: string, predicate: (s: CaseSnapshot) => boolean, timeoutMs = 30_000, intervalMs = 400): Promise<CaseSnapshot> {
    const deadline = Date.now() + timeoutMs;
    let last = '(never read)';
    for (;;) {
      this.checkStopped(c);
      try {
        const answer = await this.read(c);
        if (answer.status === 200) {
          if (predicate(answer.body)) return answer.body;
          last = describeCase(answer.body);
        } else {
          last = `GET answered ${answer.status} ${answer.text}`;
        }
      } catch (error) {
        last = `GET failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for case ${c.id} (${c.customerId}): ${what}; last seen: ${last}`);
      await sleep(intervalMs);
    }
  }

  waitForStatus(c: ReturnCase, status: CaseSnapshot['status'], timeoutMs = 30_000): Promise<CaseSnapshot> {
    return this.waitFor(c, `status ${status}`, (s) => s.status === status, timeoutMs);
  }

  /**
   * Drives the case to `completed` the way its people would, whatever state it is in: the
   * agent approves, the customer ships, the warehouse inspects, and everyone waits for the
   * courier and the payment provider. A refused or unanswered command (409, 503, network)
   * is simply followed by reading the case again.
   */
  async driveToCompletion(c: ReturnCase, timeoutMs = 120_000, intervalMs = 1000): Promise<CaseSnapshot> {
    return this.driveUntil(c, 'completed', timeoutMs, intervalMs);
  }

  /**
   * Drives the case as driveToCompletion does until it reaches `target`, and leaves it there
   * (a case held at `inspecting` has provably work left: nobody has inspected it yet).
   */
  async driveUntil(c: ReturnCase, target: CaseSnapshot['status'], timeoutMs = 120_000, intervalMs = 1000): Promise<CaseSnapshot> {
    const deadline = Date.now() + timeoutMs;
    let last = '(never read)';
    const refusals: string[] = [];
    for (;;) {
      this.checkStopped(c);
      let snapshot: CaseSnapshot | undefined;
      try {
        const answer = await this.read(c);
        if (answer.status === 200) snapshot = answer.body;
        else last = `GET answered ${answer.status} ${answer.text}`;
      } catch (error) {
        last = `GET failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (snapshot) {
        last = describeCase(snapshot);
        if (snapshot.status === target) return snapshot;
        if (['completed', 'rejected', 'cancelled', 'expired'].includes(snapshot.status)) throw new Error(`case ${c.id} ended ${snapshot.status} instead of reaching ${target}; ${last}`);
        const next = this.nextStep(c, snapshot.status);
        if (next) {
          try {
            const answer = await next.send();
            if (answer.status !== 200) refusals.push(`${next.name} → ${answer.status} ${answer.body?.error?.code ?? ''}`);
          } catch (error) {
            refusals.push(`${next.name} → ${error instanceof Error ? error.message : String(error)}`);
          }
          continue;
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`case ${c.id} (${c.customerId}) did not reach ${target} within ${timeoutMs} ms; last seen: ${last}; refused commands: ${refusals.slice(-5).join('; ') || 'none'}`);
      }
      await sleep(intervalMs);
    }
  }

  private nextStep(c: ReturnCase, status: CaseSnapshot['status']): { name: string; send: () => Promise<Answer> } | undefined {
    switch (status) {
      case 'awaiting_review':
        return { name: 'review', send: () => this.approve(c) };
      case 'awaiting_return_shipment':
        return { name: 'return-shipment', send: () => this.ship(c) };
      case 'inspecting':
        return { name: 'inspection', send: () => this.inspect(c) };
      default:
        return undefined; // in transit or refunding: the providers' callbacks move it on
    }
  }
}

/** Everything the sandbox executed, from `GET /ledger`. */
export interface Ledger {
  refunds: { refundId: string; caseId: string; amount: number; status: string; idempotencyKey: string; requests: number }[];
  labels: { labelId: string; caseId: string; idempotencyKey: string; requests: number }[];
  shipments: { caseId: string; idempotencyKey: string }[];
}

/** The sandbox's inspection endpoints. */
export class Sandbox {
  private readonly http: HttpClient;

  constructor(baseUrl: string) {
    this.http = new HttpClient(baseUrl);
  }

  async ledger(): Promise<Ledger> {
    const answer = await this.http.get<Ledger>('/ledger');
    if (answer.status !== 200) throw new Error(`GET /ledger answered ${answer.status}: ${answer.text}`);
    return answer.body;
  }

  async outbox(): Promise<OutboxMessage[]> {
    const answer = await this.http.get<{ messages: OutboxMessage[] }>('/outbox');
    if (answer.status !== 200) throw new Error(`GET /outbox answered ${answer.status}: ${answer.text}`);
    return answer.body.messages;
  }

  /** Sets the faults of one provider (`POST /faults`). */
  async fault(provider: 'courier' | 'payment' | 'inventory' | 'notification', errorRate: number, delayMs: number): Promise<void> {
    const answer = await this.http.post('/faults', { provider, errorRate, delayMs });
    if (answer.status !== 200) throw new Error(`POST /faults answered ${answer.status}: ${answer.text}`);
  }

  /** Clears every fault (`DELETE /faults`). */
  async clearFaults(): Promise<void> {
    const answer = await this.http.request('DELETE', '/faults');
    if (answer.status !== 204) throw new Error(`DELETE /faults answered ${answer.status}: ${answer.text}`);
  }
}

/** Entries of `list` that appear more than once by `key`, as "key ×n". */
export function duplicatesBy<T>(list: readonly T[], key: (item: T) => string): string[] {
  const counts = new Map<string, number>();
  for (const item of list) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

/** How many times `event` is on the case's timeline. */
export function countEvents(snapshot: CaseSnapshot, event: string): number {
  return timelineEvents(snapshot).filter((e) => e === event).length;
}

/** Marks a promise that runs in the background as handled (it is awaited later, or the test already failed). */
export function background<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Runs `work` over `items` with at most `limit` at a time; results in input order. */
export async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Settles every promise and fails with all the reasons at once (one line per failed case). */
export async function allOrExplain<R>(what: string, promises: Promise<R>[]): Promise<R[]> {
  const settled = await Promise.allSettled(promises);
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason instanceof Error ? s.reason.message : String(s.reason)] : []));
  if (failures.length) throw new Error(`${what}: ${failures.length} of ${promises.length} failed:\n- ${failures.join('\n- ')}`);
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
