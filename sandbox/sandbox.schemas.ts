import { z } from 'zod';
import { ORDER_PAGE_DEFAULT_LIMIT, ORDER_PAGE_MAX_LIMIT, ORDER_PAYMENT_CHANNELS, ORDER_PAYMENT_METHODS, ORDER_STATUSES } from '../domain/order-source';

const id = z.string().trim().min(1).max(200);
const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code, e.g. CNY');
const minorUnits = z.number().int().positive();

const item = z.object({ sku: id, quantity: z.number().int().positive(), unitPrice: z.number().int().nonnegative() });

/** `POST /courier/labels` */
export const labelRequest = z.object({ caseId: id, items: z.array(item).min(1) });
/** `POST /courier/shipments` */
export const shipmentRequest = z.object({
  caseId: id,
  items: z.array(item).min(1),
  purpose: z.enum(['replacement', 'reship', 'repair_return', 'return_to_customer']),
});
/** `POST /courier/subscriptions` */
export const subscriptionRequest = z.object({ caseId: id, trackingNumber: z.string().trim().min(1).max(64), carrier: id });
/** `POST /courier/investigations` */
export const investigationRequest = z.object({ caseId: id, trackingNumber: z.string().trim().min(1).max(64).optional(), kind: id });

/** `GET /inventory/stock/:sku?quantity=n` */
export const stockQuery = z.object({ quantity: z.coerce.number().int().positive().default(1) });

/** `POST /payment/refunds` */
export const refundRequest = z.object({
  caseId: id,
  /** The order paid for (the trade): its refunds count against it (`GET /payment/trades/:orderId`). */
  orderId: id.optional(),
  amount: minorUnits,
  currency,
  paymentMethod: z.enum(['online', 'cod']),
  reason: z.string().trim().min(1).max(500),
});
/** `POST /payment/coupons` */
export const couponRequest = z.object({ caseId: id, customerId: id, amount: minorUnits, currency });
/** `POST /payment/collections` */
export const collectionRequest = z.object({
  caseId: id,
  customerId: id,
  amount: minorUnits,
  currency,
  purpose: z.enum(['repair_quote', 'return_shipping', 'send_back_shipping', 'price_difference']),
});

/** `POST /collections/:collectionId/settle` (control): settles a pending collection by hand. */
export const collectionSettleRequest = z.object({
  status: z.enum(['succeeded', 'failed']),
  reason: z.string().trim().min(1).max(200).optional(),
});
/** `POST /collections/hold` (control): the case whose collections stay pending until settled by hand. */
export const collectionHoldRequest = z.object({ caseId: z.string().trim().min(1).max(128) });
/** `PUT /catalog/:sku` (control) */
export const catalogItemRequest = z.object({ unitPrice: z.number().int().nonnegative(), category: id });

/** `POST /notification/messages` */
export const messageRequest = z.object({
  caseId: id,
  recipient: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('customer'), customerId: id }),
    z.object({ kind: z.literal('staff'), address: id }),
  ]),
  template: id,
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

/** `GET /outbox` filters. */
export const outboxQuery = z.object({ caseId: z.string().optional(), template: z.string().optional(), recipient: z.string().optional() });

/** The providers the sandbox plays. */
export const PROVIDERS = ['courier', 'payment', 'inventory', 'notification', 'orders'] as const;
/** One provider the sandbox plays. */
export type ProviderName = (typeof PROVIDERS)[number];

/** `POST /faults` */
export const faultRequest = z.object({
  provider: z.enum(PROVIDERS),
  errorRate: z.number().min(0).max(1).default(0),
  delayMs: z.number().int().min(0).max(120_000).default(0),
});
/** Fault injection settings of one provider. */
export type FaultSettings = Omit<z.output<typeof faultRequest>, 'provider'>;

const isoTime = z.string().datetime({ offset: true });

/**
 * `POST /orders` (control): an order of the sandbox's order service. The sandbox fills what is not
 * given (ids, titles, categories from the catalog, the trade number, the status from the
 * shipments) and allocates `discount` over the lines' list amounts (domain/order-source.ts).
 */
export const orderCreateRequest = z.object({
  orderId: id.optional(),
  customerId: id,
  status: z.enum(ORDER_STATUSES).optional(),
  placedAt: isoTime.optional(),
  currency: currency.default('CNY'),
  payment: z
    .object({
      method: z.enum(ORDER_PAYMENT_METHODS),
      channel: z.enum(ORDER_PAYMENT_CHANNELS).nullable().optional(),
      providerTradeNo: id.nullable().optional(),
      paidAt: isoTime.nullable().optional(),
    })
    .default({ method: 'online' }),
  /** An order-level discount (coupons, promotions), allocated over the lines. */
  discount: z.number().int().nonnegative().default(0),
  shippingFee: z.number().int().nonnegative().default(0),
  freightInsurance: z.boolean().default(false),
  lines: z
    .array(
      z.object({
        lineId: id.optional(),
        sku: id,
        title: z.string().trim().min(1).max(200).optional(),
        imageUrl: z.string().url().nullable().optional(),
        category: id.optional(),
        unitsBought: z.number().int().positive(),
        unitListPrice: z.number().int().nonnegative(),
      }),
    )
    .min(1)
    .max(50),
  shipments: z
    .array(
      z.object({
        carrier: id.default('SF'),
        trackingNumber: z.string().trim().min(1).max(64).optional(),
        shippedAt: isoTime,
        deliveredAt: isoTime.nullable().optional(),
        lineIds: z.array(id).optional(),
      }),
    )
    .max(20)
    .default([]),
  refunds: z
    .array(z.object({ refundId: id.optional(), lineId: id, amount: z.number().int().nonnegative(), units: z.number().int().nonnegative().default(0), refundedAt: isoTime.optional() }))
    .max(20)
    .default([]),
});
/** The body of `POST /orders`, parsed. */
export type OrderCreateRequest = z.output<typeof orderCreateRequest>;

/** `GET /order-source/v1/customers/:customerId/orders` query. */
export const orderPageQuery = z.object({
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(ORDER_PAGE_MAX_LIMIT).default(ORDER_PAGE_DEFAULT_LIMIT),
});

/** `POST /orders/{orderId}/deliveries` (control): the courier signs for a parcel (by its tracking number, else the first on its way), now or at `deliveredAt`. */
export const orderDeliveryRequest = z.object({ trackingNumber: id.optional(), deliveredAt: isoTime.optional() });
