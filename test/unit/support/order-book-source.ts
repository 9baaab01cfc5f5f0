import { ORDER_SOURCE_CONTRACT_VERSION, type OrderSource, type SourceOrder } from '../../../domain/order-source';
import { OrderBook } from '../../../sandbox/order-book';
import { orderCreateRequest } from '../../../sandbox/sandbox.schemas';

/**
 * An order source in memory for API tests without a sandbox process: the sandbox's own order book
 * (the same discount allocation and checks), read through the port. `place` adds an order as the
 * sandbox's `POST /orders` would; `down` makes every read fail like an unreachable source.
 */
export class OrderBookSource implements OrderSource {
  readonly version = ORDER_SOURCE_CONTRACT_VERSION;
  readonly book = new OrderBook(() => undefined);
  /** Reads made, by order id (a test checks the order was read once). */
  readonly reads: string[] = [];
  /** The error every read throws while set. */
  down: Error | undefined;

  /** Adds an order from a sandbox `POST /orders` body. */
  place(request: Record<string, unknown>): SourceOrder {
    return this.book.create(orderCreateRequest.parse(request));
  }

  order(orderId: string): ReturnType<OrderSource['order']> {
    this.reads.push(orderId);
    if (this.down) return Promise.reject(this.down);
    const order = this.book.get(orderId);
    return Promise.resolve(order ? { version: this.version, order } : null);
  }

  customerOrders(customerId: string, page: { cursor?: string; limit?: number } = {}): ReturnType<OrderSource['customerOrders']> {
    if (this.down) return Promise.reject(this.down);
    const { orders, nextCursor } = this.book.ofCustomer(customerId, page.cursor, page.limit ?? 20);
    return Promise.resolve({ version: this.version, orders, nextCursor });
  }
}
