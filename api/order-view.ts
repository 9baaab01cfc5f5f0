import { z } from 'zod';
import { ORDER_PAYMENT_CHANNELS, ORDER_PAYMENT_METHODS, ORDER_STATUSES, type OrderPage, type OrderRead, type SourceOrder } from '../domain/order-source';

// An order as the API shows it to the desk (GET /v1/orders, GET /v1/orders/:orderId): what the
// order source gave, less what nobody picking lines to claim needs — the payment provider's trade
// number and the shop's refund ids stay in the order system.

const minor = z.number().int().nonnegative().meta({ description: 'minor units (fen for CNY)' });
const time = z.string().meta({ format: 'date-time' });

/** One line of an order as the API shows it. */
export const orderLineViewSchema = z.object({
  lineId: z.string().meta({ description: 'what a new case claims the line by (items[].lineId of POST /v1/cases)' }),
  sku: z.string(),
  title: z.string(),
  imageUrl: z.string().nullable(),
  category: z.string(),
  unitsBought: z.number().int().min(1),
  unitListPrice: minor.meta({ description: 'one unit before the order\'s discounts, minor units' }),
  amountPaid: minor.meta({ description: "what was paid for the line (实付) after its share of the order's discounts, minor units" }),
});

/** An order as the API shows it. */
export const orderViewSchema = z
  .object({
    orderId: z.string(),
    customerId: z.string().meta({ description: 'the buyer: the only customer who may open cases on it' }),
    status: z.enum(ORDER_STATUSES),
    placedAt: time,
    currency: z.string(),
    payment: z.object({
      method: z.enum(ORDER_PAYMENT_METHODS),
      channel: z.enum(ORDER_PAYMENT_CHANNELS).nullable().meta({ description: 'null for cash on delivery' }),
      paidAt: time.nullable().meta({ description: 'null while unpaid' }),
      amount: minor.meta({ description: 'what the whole order cost (lines after discounts, plus shipping), minor units' }),
    }),
    shipments: z.array(
      z.object({
        carrier: z.string(),
        trackingNumber: z.string(),
        shippedAt: time,
        deliveredAt: time.nullable().meta({ description: "the courier's 签收 time; null while on its way" }),
        lineIds: z.array(z.string()),
      }),
    ),
    freightInsurance: z.boolean().meta({ description: 'return-freight insurance (运费险): the insurer pays a return\'s shipping' }),
    refunds: z
      .array(z.object({ lineId: z.string(), amount: minor, units: z.number().int().nonnegative(), refundedAt: time }))
      .meta({ description: 'money the shop paid back on a line outside after-sales; it counts against the line' }),
    lines: z.array(orderLineViewSchema),
  })
  .meta({ description: 'An order as the shop\'s order system gave it (docs/order-source.md)' });
/** An order as the API shows it. */
export type OrderView = z.output<typeof orderViewSchema>;

/** The answer of `GET /v1/orders/:orderId`. */
export const orderReadViewSchema = z.object({
  version: z.string().meta({ description: 'the order-source contract version the order was read in' }),
  order: orderViewSchema,
});

/** The answer of `GET /v1/orders`. */
export const orderPageViewSchema = z.object({
  version: z.string().meta({ description: 'the order-source contract version the orders were read in' }),
  orders: z.array(orderViewSchema).meta({ description: 'newest first' }),
  nextCursor: z.string().nullable().meta({ description: 'pass it as cursor for the next page; null on the last page' }),
});

/** The order as the API shows it: every field named, so a field the source adds later is not passed on unseen. */
export function orderView(order: SourceOrder): OrderView {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    status: order.status,
    placedAt: order.placedAt,
    currency: order.currency,
    payment: { method: order.payment.method, channel: order.payment.channel, paidAt: order.payment.paidAt, amount: order.payment.amount },
    shipments: order.shipments.map((s) => ({ carrier: s.carrier, trackingNumber: s.trackingNumber, shippedAt: s.shippedAt, deliveredAt: s.deliveredAt, lineIds: [...s.lineIds] })),
    freightInsurance: order.freightInsurance,
    refunds: order.refunds.map((r) => ({ lineId: r.lineId, amount: r.amount, units: r.units, refundedAt: r.refundedAt })),
    lines: order.lines.map((l) => ({
      lineId: l.lineId,
      sku: l.sku,
      title: l.title,
      imageUrl: l.imageUrl,
      category: l.category,
      unitsBought: l.unitsBought,
      unitListPrice: l.unitListPrice,
      amountPaid: l.amountPaid,
    })),
  };
}

/** `GET /v1/orders/:orderId`'s answer. */
export const orderReadView = (read: OrderRead) => ({ version: read.version, order: orderView(read.order) });

/** `GET /v1/orders`'s answer. */
export const orderPageView = (page: OrderPage) => ({ version: page.version, orders: page.orders.map(orderView), nextCursor: page.nextCursor });
