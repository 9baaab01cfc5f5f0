import express, { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PaymentEvent } from '../domain/workflow-contract';
import {
  caseIdOfOutRefundNo,
  decryptResource,
  verifyWechatpaySignature,
  type WechatpayNotificationKeys,
  type WechatpaySignatureRejection,
} from '../integrations/wechatpay.protocol';
import { ApiError, notFound, parseOrThrow, validationFailed } from './errors';

/** What the WeChat Pay notification route needs. */
export interface WechatpayWebhookDeps extends WechatpayNotificationKeys {
  logger: Logger;
  /** Clock of the timestamp window, in unix seconds (tests pin it). */
  nowSec?: () => number;
  /** The payment webhook's own routing of a refund settlement (read model, case id, running workflows). */
  deliverRefundSettlement(event: PaymentEvent, merchantReference: string | undefined): Promise<{ outcome: 'delivered' | 'ignored' | 'unknown'; caseId: string | undefined }>;
}

/** A notification's envelope, as far as we read it (WeChat Pay adds fields over time: none is refused). */
export const wechatpayNotificationSchema = z.looseObject({
  id: z.string().min(1).max(64),
  create_time: z.string().min(1).max(64),
  event_type: z.string().min(1).max(64),
  resource: z.looseObject({
    algorithm: z.literal('AEAD_AES_256_GCM'),
    ciphertext: z.string().min(1).max(60_000),
    nonce: z.string().min(1).max(64),
    associated_data: z.string().max(256).optional(),
  }),
});

/** The decrypted refund of a REFUND.* notification, as far as we read it. */
export const wechatpayRefundResourceSchema = z.looseObject({
  out_refund_no: z.string().min(1).max(64),
  refund_status: z.enum(['SUCCESS', 'CLOSED', 'ABNORMAL']),
  success_time: z.string().max(64).optional(),
});

/** The settlement each refund event means. */
const REFUND_EVENTS: Record<string, PaymentEvent['status']> = {
  'REFUND.SUCCESS': 'succeeded',
  'REFUND.ABNORMAL': 'failed',
  'REFUND.CLOSED': 'failed',
};

const REFUSALS: Record<WechatpaySignatureRejection, string> = {
  missing: 'missing Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Serial or Wechatpay-Signature header',
  serial: 'Wechatpay-Serial is not the id of the WeChat Pay public key we were given',
  stale: 'Wechatpay-Timestamp is more than 5 minutes from our clock',
  bad_signature: 'signature does not match the body',
};

/**
 * `POST /v1/webhooks/wechatpay`: WeChat Pay's refund notification. The signature over
 * `timestamp\nnonce\nbody\n` is checked on the raw bytes first (401 `{"code":"FAIL"}` otherwise,
 * nothing read), then the resource is decrypted with the APIv3 key and REFUND.SUCCESS / ABNORMAL /
 * CLOSED reach the case of the refund as a payment event (event id: the notification's id, so a
 * repeat changes nothing). 204 with no body is the acknowledgement WeChat Pay expects.
 */
export function wechatpayWebhookRouter(deps: WechatpayWebhookDeps): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: '64kb' });

  router.post('/v1/webhooks/wechatpay', raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyWechatpaySignature(
      { timestamp: req.get('Wechatpay-Timestamp'), nonce: req.get('Wechatpay-Nonce'), serial: req.get('Wechatpay-Serial'), signature: req.get('Wechatpay-Signature') },
      body,
      { publicKey: deps.platformPublicKey, publicKeyId: deps.platformPublicKeyId },
      deps.nowSec?.() ?? Math.floor(Date.now() / 1000),
    );
    if (!verdict.ok) {
      deps.logger.warn({ reason: verdict.reason }, 'wechatpay notification refused: signature');
      // WeChat Pay reads only the status; this body is the failure answer its documentation gives.
      return void res.status(401).json({ code: 'FAIL', message: REFUSALS[verdict.reason] });
    }

    let decoded: unknown;
    try {
      decoded = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
    }
    const notification = parseOrThrow(wechatpayNotificationSchema, decoded);
    const status = REFUND_EVENTS[notification.event_type];
    if (status === undefined) {
      // Only refund events are sent to this URL; anything else is acknowledged so that it is not sent again.
      deps.logger.info({ eventType: notification.event_type.slice(0, 64) }, 'wechatpay notification of another kind acknowledged');
      return void res.status(204).end();
    }

    let plain: string;
    try {
      plain = decryptResource(notification.resource, deps.apiV3Key);
    } catch {
      throw validationFailed([{ field: 'resource.ciphertext', message: 'does not decrypt with our APIv3 key (WECHATPAY_APIV3_KEY_FILE) and the nonce and associated_data given' }]);
    }
    let resource: unknown;
    try {
      resource = JSON.parse(plain);
    } catch {
      throw validationFailed([{ field: 'resource.ciphertext', message: 'decrypts to something that is not JSON' }]);
    }
    // The decrypted refund is never logged: field names only, never values, leave this function.
    const refund = parseOrThrow(wechatpayRefundResourceSchema, resource, 'resource');
    const at = isoTime(status === 'succeeded' ? (refund.success_time ?? notification.create_time) : notification.create_time);
    if (at === undefined) throw validationFailed([{ field: refund.success_time ? 'resource.success_time' : 'create_time', message: 'must be an RFC 3339 time' }]);

    const event: PaymentEvent = {
      eventId: notification.id,
      refundId: refund.out_refund_no,
      status,
      at,
      ...(status === 'failed' ? { reason: notification.event_type === 'REFUND.CLOSED' ? 'refund_closed' : 'refund_abnormal' } : {}),
    };
    const { outcome, caseId } = await deps.deliverRefundSettlement(event, caseIdOfOutRefundNo(refund.out_refund_no));
    if (outcome === 'unknown') throw notFound('unknown_reference', 'no case has this refund');
    res.locals.caseId = caseId;
    res.status(204).end();
  });

  return router;
}

/** An RFC 3339 time as an ISO UTC string, or undefined. */
function isoTime(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
