import type { DeliveryRead } from '../domain/delivery-check';
import { deliveredAtOf, type OrderSource } from '../domain/order-source';

/**
 * Reads the order's delivery from the order source (domain/delivery-check.ts says what the case
 * does with it). An order the source does not know is an answer (`orderFound: false`: nothing can
 * be confirmed); a source that cannot answer throws, and the activity is retried until it does —
 * never answered as "not delivered".
 */
export async function readOrderDelivery(source: OrderSource | undefined, orderId: string, now: () => Date = () => new Date()): Promise<DeliveryRead> {
  // A worker wired without a source cannot confirm anything either: retried, so a fixed deploy picks the case up.
  if (!source) throw new Error('no order source is wired into this worker: the delivery cannot be read');
  const read = await source.order(orderId);
  const readAt = now().toISOString();
  if (read === null) return { orderFound: false, deliveredAt: null, readAt };
  return { orderFound: true, deliveredAt: deliveredAtOf(read.order), readAt };
}
