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

/**
 * Body of `POST /v1/webhooks/payment`: one settlement, of a refund (`refundId`) or of a collection
 * (`collectionId`, money the customer pays us) — exactly one of the two. A collection is routed by
 * `merchantReference` alone (the read model does not index collection ids), so it needs one.
 */
export const paymentWebhookSchema = z
  .object({
    eventId: reference,
    refundId: reference.optional().meta({ description: 'set for a refund settlement; exactly one of refundId and collectionId' }),
    collectionId: reference.optional().meta({ description: 'set for a collection settlement; exactly one of refundId and collectionId' }),
    merchantReference: reference
      .optional()
      .meta({ description: 'our case id, given to the provider with the refund or collection; required with collectionId' }),
    status: z.enum(['succeeded', 'failed']),
    at: isoDateTime,
    reason: z.string().max(2000).optional(),
  })
  // Checked also when other fields are bad (the body is at least an object), so one answer names every offending field.
  .superRefine(oneSettledThing, { when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) });

/** Exactly one of refundId and collectionId; a collection also names its case. */
function oneSettledThing(
  body: { refundId?: unknown; collectionId?: unknown; merchantReference?: unknown },
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
): void {
  const hasRefund = body.refundId !== undefined;
  const hasCollection = body.collectionId !== undefined;
  if (hasRefund && hasCollection) {
    ctx.addIssue({ code: 'custom', path: ['collectionId'], message: 'not allowed together with refundId: a settlement is of one refund or one collection' });
  }
  if (!hasRefund && !hasCollection) {
    for (const field of ['refundId', 'collectionId']) ctx.addIssue({ code: 'custom', path: [field], message: 'required: exactly one of refundId and collectionId' });
  }
  if (hasCollection && body.merchantReference === undefined) {
    ctx.addIssue({ code: 'custom', path: ['merchantReference'], message: 'required with collectionId: it names the case' });
  }
}

/** A payment webhook body as parsed: the settlement of a refund or of a collection. */
export type PaymentSettlement =
  | { kind: 'refund'; merchantReference?: string; event: { eventId: string; refundId: string; status: 'succeeded' | 'failed'; at: string; reason?: string } }
  | { kind: 'collection'; merchantReference: string; event: { eventId: string; collectionId: string; status: 'succeeded' | 'failed'; at: string; reason?: string } };

/** Splits a parsed payment webhook body into what it settles and the event the case hears. */
export function paymentSettlement(body: z.output<typeof paymentWebhookSchema>): PaymentSettlement {
  const { refundId, collectionId, merchantReference, ...common } = body;
  if (collectionId !== undefined) return { kind: 'collection', merchantReference: merchantReference!, event: { ...common, collectionId } };
  return { kind: 'refund', merchantReference, event: { ...common, refundId: refundId! } };
}
