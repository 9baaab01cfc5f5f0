import { z } from 'zod';
import { isoDateTime } from './cases.schemas';

// Provider payloads are not strict: providers add fields over time and we must not refuse them.

const reference = z.string().min(1).max(128);

/** Body of `POST /v1/webhooks/courier`: one tracking event. */
export const courierWebhookSchema = z.object({
  eventId: reference,
  trackingNumber: reference,
  event: z.enum(['picked_up', 'in_transit', 'delivered', 'exception']),
  at: isoDateTime,
  detail: z.string().max(2000).optional(),
});

/** Body of `POST /v1/webhooks/payment`: one refund settlement. */
export const paymentWebhookSchema = z.object({
  eventId: reference,
  refundId: reference,
  merchantReference: reference.optional().meta({ description: 'our case id, given to the provider with the refund' }),
  status: z.enum(['succeeded', 'failed']),
  at: isoDateTime,
  reason: z.string().max(2000).optional(),
});
