import type { OrderRead, OrderSource } from '../domain/order-source';
import { ProviderError } from '../domain/provider-error';
import { CircuitOpenError } from '../integrations/circuit-breaker';
import { ApiError } from './errors';

/** Seconds a client is told to wait when the order source fails without a circuit's own figure. */
const DEFAULT_RETRY_AFTER_S = 5;

/**
 * Runs a read of the order source; a source that is down, slow or refusing (a ProviderError, an
 * open circuit) is a 503 `order_source_unavailable` with `Retry-After`, never a 500 and never an
 * answer from facts the caller claimed.
 */
export async function readFromOrderSource<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const retryAfter = error instanceof CircuitOpenError ? Math.max(1, Math.ceil(error.retryAfterMs / 1000)) : DEFAULT_RETRY_AFTER_S;
    const why = error instanceof ProviderError ? (error.code ?? (error.status === undefined ? 'no answer' : `status ${error.status}`)) : 'error';
    throw new ApiError(503, 'order_source_unavailable', `the shop's order system cannot be read right now (${why}); retry later`, [], { 'Retry-After': String(retryAfter) });
  }
}

/** The order as its reader may see it: null when the source has none, or when a customer asks for another customer's order (the same answer, so order ids reveal nothing). */
export async function visibleOrder(source: OrderSource, orderId: string, customerId: string | undefined): Promise<OrderRead | null> {
  const read = await readFromOrderSource(() => source.order(orderId));
  if (read === null) return null;
  return customerId !== undefined && read.order.customerId !== customerId ? null : read;
}
