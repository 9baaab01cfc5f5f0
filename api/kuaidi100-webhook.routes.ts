import express, { Router } from 'express';
import { z } from 'zod';
import type { CourierEvent } from '../domain/workflow-contract';
import { KUAIDI100_CALLBACK_ACK, traceToCourierEvents, verifyCallbackSign } from '../integrations/kuaidi100.protocol';
import { ApiError, notFound, parseOrThrow, validationFailed } from './errors';

/** What the Kuaidi100 callback route needs. */
export interface Kuaidi100WebhookDeps {
  /** The salt our subscriptions gave Kuaidi100; every callback is signed with it. */
  salt: string;
  /** Routes a pushed trace to the cases of its tracking number (read model, then the running workflows), signalling only what changes them. */
  deliverCourierEvents(trackingNumber: string, events: CourierEvent[]): Promise<{ outcome: 'delivered' | 'ignored' | 'unknown'; caseId: string }>;
}

const text = z.union([z.string(), z.number()]).transform(String);

/** The `param` of a Kuaidi100 callback, as far as we read it (Kuaidi100 adds fields over time: none is refused). */
export const kuaidi100CallbackSchema = z.looseObject({
  status: z.string().max(32),
  message: z.string().max(2000).optional(),
  lastResult: z.looseObject({
    state: text,
    ischeck: text.optional(),
    com: z.string().max(64).optional(),
    nu: z.string().min(1).max(128),
    data: z
      .array(
        z.looseObject({
          time: z.string().max(32),
          ftime: z.string().max(32).optional(),
          context: z.string().max(2000).default(''),
          status: z.string().max(32).optional(),
          statusCode: text.optional(),
        }),
      )
      .max(500),
  }),
});

/**
 * `POST /v1/webhooks/kuaidi100`: a form post of `param` (JSON) and `sign` (uppercase MD5 of param
 * + salt). A bad sign is refused (403) before anything is read; the trace's scans become courier
 * events for the cases of the tracking number, routed as the courier webhook routes, kept whole in
 * the parcel's trace and signalled only as far as they change a case (the first scan of each kind,
 * once); the answer is the JSON Kuaidi100 expects. Scans keep their ids across pushes, so a repeat changes nothing.
 */
export function kuaidi100WebhookRouter(deps: Kuaidi100WebhookDeps): Router {
  const router = Router();
  // A push carries the parcel's whole trace, so it may be longer than a courier event.
  const form = express.urlencoded({ extended: false, limit: '256kb', type: () => true });

  router.post('/v1/webhooks/kuaidi100', form, async (req, res) => {
    const body: unknown = req.body;
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const param = fields.param;
    const sign = fields.sign;
    if (typeof param !== 'string' || param === '') throw validationFailed([{ field: 'param', message: 'required: the JSON of the push' }]);
    if (typeof sign !== 'string' || sign === '') throw validationFailed([{ field: 'sign', message: 'required: MD5 of param and our salt' }]);
    if (!verifyCallbackSign(param, sign, deps.salt)) throw new ApiError(403, 'invalid_signature', 'sign does not match param and our salt');

    let decoded: unknown;
    try {
      decoded = JSON.parse(param);
    } catch {
      throw new ApiError(400, 'invalid_json', 'param is not valid JSON');
    }
    const push = parseOrThrow(kuaidi100CallbackSchema, decoded, 'param');
    const events = traceToCourierEvents(push.lastResult);
    // Nothing we track in it (no scan yet, or Kuaidi100 stopped following the parcel): accepted so that it is not pushed again.
    if (events.length === 0) return void res.status(200).json(KUAIDI100_CALLBACK_ACK);

    const { outcome, caseId } = await deps.deliverCourierEvents(push.lastResult.nu, events);
    if (outcome === 'unknown') throw notFound('unknown_reference', 'the case of this parcel does not exist');
    res.locals.caseId = caseId;
    res.status(200).json(KUAIDI100_CALLBACK_ACK);
  });

  return router;
}
