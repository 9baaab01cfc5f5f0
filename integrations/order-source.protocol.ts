/**
 * The order-source HTTP contract as code (docs/order-source.openapi.json is the document): the
 * answers' schemas our client reads with, the request signature of the HMAC mode, and the error
 * codes. The sandbox's order service (sandbox/order-source.routes.ts) verifies with the same
 * functions. No I/O here.
 */
import { z } from 'zod';
import { ORDER_PAYMENT_CHANNELS, ORDER_PAYMENT_METHODS, ORDER_SOURCE_CONTRACT_MAJOR, ORDER_STATUSES, type OrderPage, type OrderRead } from '../domain/order-source';
import { signWebhook, verifyWebhook, type WebhookVerification } from './webhook-signature';

/** The error code of a 404 that means "no order with this id" (any other 404, e.g. a wrong base URL, stays an error). */
export const ORDER_NOT_FOUND_CODE = 'order_not_found';

/** The header of the HMAC mode's request signature (the same form as our callbacks': `t=<unix seconds>,v1=<hex>`). */
export const ORDER_SOURCE_SIGNATURE_HEADER = 'X-Signature';

/**
 * What the HMAC mode signs: the method and the request target below the base URL (path from
 * `/v1/` and query, as sent), e.g. `GET /v1/customers/c-1/orders?limit=20`. The signature is
 * HMAC-SHA256 of `<t>.<that>`; requests have no body.
 */
export function signedRequestText(method: string, target: string): string {
  return `${method.toUpperCase()} ${target}`;
}

/** The `X-Signature` header of one request, signed with `secret` at `nowSec`. */
export function signOrderSourceRequest(method: string, target: string, secret: string, nowSec?: number): string {
  return signWebhook(signedRequestText(method, target), secret, nowSec);
}

/** Checks a request's `X-Signature` (5 minutes' tolerance, a minute of clock skew), as the order source does. */
export function verifyOrderSourceRequest(header: string | undefined, method: string, target: string, secret: string, nowSec?: number): WebhookVerification {
  return verifyWebhook(header, signedRequestText(method, target), secret, nowSec);
}

const isoTime = z.string().datetime({ offset: true });
const minorUnits = z.number().int().nonnegative();
const text = z.string().min(1);

/** `<major>.<minor>` of an answer: any minor of the major we speak (a minor only adds optional fields). */
const contractVersion = z
  .string()
  .regex(/^\d+\.\d+$/, 'must be <major>.<minor>')
  .refine((v) => Number(v.split('.')[0]) === ORDER_SOURCE_CONTRACT_MAJOR, `must be a ${ORDER_SOURCE_CONTRACT_MAJOR}.x version`);

/** An order as the contract's `Order` schema gives it (unknown fields are dropped: a later minor may add some). */
export const orderSchema = z.object({
  orderId: text,
  customerId: text,
  status: z.enum(ORDER_STATUSES),
  placedAt: isoTime,
  currency: z.string().regex(/^[A-Z]{3}$/),
  payment: z.object({
    method: z.enum(ORDER_PAYMENT_METHODS),
    channel: z.enum(ORDER_PAYMENT_CHANNELS).nullable(),
    providerTradeNo: text.nullable(),
    paidAt: isoTime.nullable(),
    amount: minorUnits,
  }),
  shipments: z.array(
    z.object({
      carrier: text,
      trackingNumber: text,
      shippedAt: isoTime,
      deliveredAt: isoTime.nullable(),
      lineIds: z.array(text),
    }),
  ),
  freightInsurance: z.boolean(),
  refunds: z.array(z.object({ refundId: text, lineId: text, amount: minorUnits, units: z.number().int().nonnegative(), refundedAt: isoTime })),
  lines: z
    .array(
      z.object({
        lineId: text,
        sku: text,
        title: text,
        imageUrl: z.string().url().nullable(),
        category: text,
        unitsBought: z.number().int().positive(),
        unitListPrice: minorUnits,
        amountPaid: minorUnits,
      }),
    )
    .min(1),
});

/** `GET /v1/orders/{orderId}` → 200. */
export const orderResponseSchema: z.ZodType<OrderRead> = z.object({ version: contractVersion, order: orderSchema });

/** `GET /v1/customers/{customerId}/orders` → 200. */
export const orderPageResponseSchema: z.ZodType<OrderPage> = z.object({ version: contractVersion, orders: z.array(orderSchema), nextCursor: text.nullable() });
