import type { OrderLine } from '../domain/order-ledger';
import type { OrderLineView } from '../store/order-ledger.store';
import { ApiError, unavailable } from './errors';
import type { StoreAccess } from './store-access';

/** The order lines of the ledger (for the check at open); a database that fails the read is a 503, never a 500. */
export function readOrderLines(store: StoreAccess, orderId: string): Promise<OrderLine[]> {
  return guarded(() => store.get().ledger.orderLines(orderId));
}

/** The order lines with their totals (for `GET /v1/orders/:orderId/ledger`); a failing read is a 503. */
export function readOrderLedger(store: StoreAccess, orderId: string): Promise<OrderLineView[]> {
  return guarded(() => store.get().ledger.orderLedger(orderId));
}

async function guarded<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    // Any failure of the ledger's store (down, timing out, refusing the query) is the database's, and a retry may pass.
    throw unavailable('read_model_unavailable', `the order ledger cannot be read right now; retry (${error instanceof Error ? error.name : 'error'})`);
  }
}
