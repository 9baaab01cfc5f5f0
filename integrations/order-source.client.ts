import type { OrderSourceAuth, OrderSourceConfig } from '../config/providers';
import {
  ORDER_PAGE_MAX_LIMIT,
  ORDER_SOURCE_CONTRACT_VERSION,
  type OrderPage,
  type OrderPageRequest,
  type OrderRead,
  type OrderSource,
} from '../domain/order-source';
import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';
import { JsonHttpClient, ProviderError } from './http-client';
import { ORDER_NOT_FOUND_CODE, ORDER_SOURCE_SIGNATURE_HEADER, orderPageResponseSchema, orderResponseSchema, signOrderSourceRequest } from './order-source.protocol';

/** Consecutive failed reads that open the circuit (each read already retried twice). */
export const ORDER_SOURCE_BREAKER_FAILURES = 5;
/** How long the circuit stays open before a trial read. */
export const ORDER_SOURCE_BREAKER_OPEN_MS = 10_000;

/** How the order-source adapter reaches the source. */
export interface OrderSourceClientOptions {
  /** Base URL below which the contract's `/v1/…` paths are served. */
  baseUrl: string;
  auth: OrderSourceAuth;
  /** Timeout of one attempt, in milliseconds. */
  timeoutMs: number;
  /** Quick retries of a read on 5xx, 408, 429, timeouts and network errors (default 2). */
  retries?: number;
  /** First backoff delay (default 100 ms), doubling per retry. */
  retryBaseDelayMs?: number;
  /** The circuit breaker's settings (default: opens after 5 failed reads, half-opens after 10 s). */
  breaker?: Partial<Pick<CircuitBreakerOptions, 'failureThreshold' | 'openMs' | 'now'>>;
}

/**
 * The order-source adapter: reads orders over the HTTP contract of docs/order-source.openapi.json
 * (the sandbox's order service or the shop's order system), with a bearer token or an HMAC
 * signature per request, a timeout per attempt, quick retries on transient failures
 * (JsonHttpClient) and a circuit breaker over whole reads. Answers are checked against the
 * contract's schemas (version 1.x); anything else is a non-retryable `invalid_response`.
 */
export class OrderSourceClient implements OrderSource {
  /** The contract version this adapter speaks. */
  readonly version = ORDER_SOURCE_CONTRACT_VERSION;
  private readonly http: JsonHttpClient;
  /** The breaker over every read; exposed for the health of the source (and tests). */
  readonly breaker: CircuitBreaker;

  constructor(options: OrderSourceClientOptions) {
    const { auth } = options;
    this.http = new JsonHttpClient('orders', {
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      retryBaseDelayMs: options.retryBaseDelayMs,
      ...(auth.kind === 'bearer'
        ? { apiKey: auth.token }
        : { sign: (method: string, target: string) => ({ [ORDER_SOURCE_SIGNATURE_HEADER.toLowerCase()]: signOrderSourceRequest(method, target, auth.secret) }) }),
    });
    this.breaker = new CircuitBreaker('orders', {
      failureThreshold: options.breaker?.failureThreshold ?? ORDER_SOURCE_BREAKER_FAILURES,
      openMs: options.breaker?.openMs ?? ORDER_SOURCE_BREAKER_OPEN_MS,
      now: options.breaker?.now,
    });
  }

  /** The order, or null when the source answers 404 `order_not_found`. */
  async order(orderId: string): Promise<OrderRead | null> {
    // `.` and `..` cannot travel as a path segment (the URL resolves them, even encoded): no order of the source is named so.
    if (isDotSegment(orderId)) return null;
    return this.breaker.run(async () => {
      try {
        return await this.http.request({ method: 'GET', path: `/v1/orders/${encodeURIComponent(orderId)}`, response: orderResponseSchema });
      } catch (error) {
        // Only the source's "no such order" is an answer; a 404 without that code is a wrong base URL, not a missing order.
        if (error instanceof ProviderError && error.status === 404 && error.code === ORDER_NOT_FOUND_CODE) return null;
        throw error;
      }
    });
  }

  /** One page of the customer's orders, newest first. */
  async customerOrders(customerId: string, page: OrderPageRequest = {}): Promise<OrderPage> {
    if (page.limit !== undefined && (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > ORDER_PAGE_MAX_LIMIT)) {
      throw new RangeError(`limit must be a whole number from 1 to ${ORDER_PAGE_MAX_LIMIT}`);
    }
    // Like an unknown customer (see order()): a customer named `.` or `..` cannot be asked for.
    if (isDotSegment(customerId)) return { version: this.version, orders: [], nextCursor: null };
    const query: Record<string, string | number> = {};
    if (page.cursor !== undefined) query.cursor = page.cursor;
    if (page.limit !== undefined) query.limit = page.limit;
    return this.breaker.run(() =>
      this.http.request({ method: 'GET', path: `/v1/customers/${encodeURIComponent(customerId)}/orders`, query, response: orderPageResponseSchema }),
    );
  }
}

/** True for an id a URL path cannot carry: `.` and `..` are resolved away as dot segments, encoded or not (WHATWG URL). */
function isDotSegment(id: string): boolean {
  return id === '.' || id === '..';
}

/** The order-source port from its section of the configuration (the sandbox's order service, or the shop's). */
export function orderSourceFromConfig(section: OrderSourceConfig): OrderSourceClient {
  return new OrderSourceClient({ baseUrl: section.baseUrl, auth: section.auth, timeoutMs: section.timeoutMs });
}
