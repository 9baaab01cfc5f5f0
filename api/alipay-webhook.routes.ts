import express, { Router } from 'express';
import { alipayNotifyEventId, caseIdOfRefundKey } from '../domain/keys';
import type { PaymentEvent } from '../domain/workflow-contract';
import { ALIPAY_NOTIFY_ACK, refundNoticeOf } from '../integrations/alipay-notify';
import { ApiError, notFound, validationFailed } from './errors';
import type { Delivery } from './webhooks.routes';

/** What the Alipay notification route needs. */
export interface AlipayWebhookDeps {
  /** Alipay's signature over the form and our app id (AlipayPaymentClient.verifyNotification). */
  verify(fields: Record<string, string>): boolean;
  /** The payment webhook's own path to the case of a refund (read model, our case id, the running workflows). */
  deliverRefundSettlement(event: PaymentEvent, merchantReference: string | undefined): Promise<{ outcome: Delivery; caseId: string | undefined }>;
}

/**
 * `POST /v1/webhooks/alipay`: Alipay's asynchronous notification, a form post signed RSA2 with
 * Alipay's key. A bad signature or another app's notification is refused (403) before any field is
 * read; a notification of a refund of ours (`out_biz_no` = our refund id) settles it as the payment
 * webhook does, one about the payment itself is acknowledged and ignored. The answer Alipay expects
 * is the text `success`; a repeat is harmless (the case drops an event id it has seen).
 */
export function alipayWebhookRouter(deps: AlipayWebhookDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', type: () => true });

  router.post('/v1/webhooks/alipay', form, async (req, res) => {
    const fields = stringFields(req.body);
    if (!fields.sign) throw validationFailed([{ field: 'sign', message: 'required: Alipay signs every notification' }]);
    if (!deps.verify(fields)) throw new ApiError(403, 'invalid_signature', 'the notification is not signed by Alipay for our app');

    const notice = refundNoticeOf(fields);
    if (notice === null) return void res.status(200).type('text/plain').send(ALIPAY_NOTIFY_ACK);
    if ('field' in notice) throw validationFailed([notice]);

    const event: PaymentEvent = { eventId: alipayNotifyEventId(notice.notifyId), refundId: notice.refundId, status: 'succeeded', at: notice.refundedAt };
    // Our refund ids are refund keys (domain/keys.ts): the case id finds the case while the read model lacks the refund.
    const { outcome, caseId } = await deps.deliverRefundSettlement(event, caseIdOfRefundKey(notice.refundId));
    if (outcome === 'unknown') throw notFound('unknown_reference', `no case has refund ${notice.refundId}`);
    res.locals.caseId = caseId;
    res.status(200).type('text/plain').send(ALIPAY_NOTIFY_ACK);
  });

  return router;
}

/** The string fields of a parsed form (a repeated field is not Alipay's and is dropped). */
function stringFields(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null) return {};
  return Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
