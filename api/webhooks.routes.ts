import express, { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { deliverTrace } from './courier-trace-delivery';
import { endedCaseSettlement } from './ended-case-settlements';
import type { SignalDefinition } from '@temporalio/common';
import type { Logger } from 'pino';
import { caseWorkflowId } from '../domain/ids';
import {
  collectionEventSignal,
  courierEventSignal,
  paymentEventSignal,
  type CollectionEvent,
  type CourierEvent,
  type PaymentEvent,
} from '../domain/workflow-contract';
import {
  DEFAULT_CLOCK_SKEW_SEC,
  DEFAULT_SIGNATURE_TOLERANCE_SEC,
  SIGNATURE_HEADER,
  verifyWebhook,
  type WebhookRejection,
} from '../integrations/webhook-signature';
import type { WechatpayNotificationKeys } from '../integrations/wechatpay.protocol';
import { ApiError, notFound, parseOrThrow, unauthorized } from './errors';
import { LiveRouting } from './live-routing';
import type { StoreAccess } from './store-access';
import { withinDeadline } from './temporal-calls';
import { alipayWebhookRouter } from './alipay-webhook.routes';
import { aliyunSmsWebhookRouter, type SmsReceiptOutcome } from './aliyun-sms-webhook.routes';
import { kuaidi100WebhookRouter } from './kuaidi100-webhook.routes';
import { wechatpayWebhookRouter } from './wechatpay-webhook.routes';
import { courierWebhookSchema, paymentSettlement, paymentWebhookSchema } from './webhooks.schemas';

/** What the webhook routes need. */
export interface WebhookDeps {
  client: Client;
  store: StoreAccess;
  /**
   * One secret per sandbox-protocol provider: `POST /v1/webhooks/payment` exists only with
   * `payment`, `POST /v1/webhooks/courier` only with `courier` (otherwise 404 provider_not_configured).
   */
  secrets: { payment?: string; courier?: string };
  logger: Logger;
  /** Clock of the signature window, in unix seconds (tests pin it). */
  nowSec?: () => number;
  /** Routing keys read from the running workflows when the read model has none (default: over `client`). */
  liveRouting?: LiveRouting;
  /** Salt of Kuaidi100's callback signatures; `POST /v1/webhooks/kuaidi100` exists only when it is set. */
  kuaidi100Salt?: string;
  /** WeChat Pay's public key and the APIv3 key; `POST /v1/webhooks/wechatpay` exists only when they are set. */
  wechatpay?: WechatpayNotificationKeys;
  /** Checks an Alipay notification's signature; `POST /v1/webhooks/alipay` exists only when it is set. */
  alipayVerify?: (fields: Record<string, string>) => boolean;
  /** Aliyun SMS receipts: the URL's secret token and the receipt counter; `POST /v1/webhooks/aliyun-sms/{token}` exists only when set. */
  aliyunSmsReceipts?: { token: string; count(outcome: SmsReceiptOutcome): void };
  /** Counts a refund reported paid for a case that ended without it (the alert's metric). */
  countRefundPaidAfterCaseEnded?: () => void;
}

/**
 * Provider callbacks: HMAC-checked on the raw bytes, validated, matched to a case, delivered
 * as a Signal (a payment callback settles a refund or a collection). 202 accepted; 200
 * `{ignored: true}` when the case has ended; 404 `unknown_reference` when no case matches (the
 * provider retries). The workflow drops repeated eventIds, so redelivery is safe.
 */
export function webhooksRouter(deps: WebhookDeps): Router {
  const router = Router();
  // The signature covers the exact bytes received, so the body is kept raw until it is verified.
  const raw = express.raw({ type: () => true, limit: '64kb' });
  const live = deps.liveRouting ?? new LiveRouting(deps.client);

  const courierSecret = deps.secrets.courier;
  mountProvider(
    router,
    ['/v1/webhooks/courier'],
    courierSecret === undefined
      ? undefined
      : Router().post('/v1/webhooks/courier', raw, async (req, res) => {
          const body = verifiedJson(req.body, req.get(SIGNATURE_HEADER), courierSecret, deps);
          const event: CourierEvent = parseOrThrow(courierWebhookSchema, body);
          const { outcome, caseId } = await deliverCourierEvents(deps, live, event.trackingNumber, [event]);
          res.locals.caseId = caseId;
          await answer(res, outcome, caseId);
        }),
    'The sandbox-protocol courier is not configured on this server (COURIER_TRACKING_PROVIDER is not sandbox)',
  );

  const deliverSettlement = (event: PaymentEvent, reference: string | undefined) => deliverRefundSettlement(deps, live, event, reference);
  mountProvider(
    router,
    ['/v1/webhooks/kuaidi100'],
    deps.kuaidi100Salt === undefined ? undefined : kuaidi100WebhookRouter({ salt: deps.kuaidi100Salt, deliverCourierEvents: (number, events) => deliverCourierTrace(deps, live, number, events) }),
    'Kuaidi100 tracking is not configured on this server (COURIER_TRACKING_PROVIDER is not kuaidi100)',
  );
  mountProvider(
    router,
    ['/v1/webhooks/alipay'],
    deps.alipayVerify === undefined ? undefined : alipayWebhookRouter({ verify: deps.alipayVerify, deliverRefundSettlement: deliverSettlement }),
    'Alipay is not configured on this server (PAYMENT_PROVIDER_ONLINE does not name alipay)',
  );
  mountProvider(
    router,
    ['/v1/webhooks/wechatpay'],
    deps.wechatpay === undefined ? undefined : wechatpayWebhookRouter({ ...deps.wechatpay, logger: deps.logger, nowSec: deps.nowSec, deliverRefundSettlement: deliverSettlement }),
    'WeChat Pay is not configured on this server (PAYMENT_PROVIDER_ONLINE does not name wechatpay)',
  );
  mountProvider(
    router,
    ['/v1/webhooks/aliyun-sms', '/v1/webhooks/aliyun-sms/:token'],
    deps.aliyunSmsReceipts === undefined ? undefined : aliyunSmsWebhookRouter({ ...deps.aliyunSmsReceipts, log: deps.logger }),
    'Aliyun SMS receipts are not configured on this server (SMS_PROVIDER is not aliyun, or ALIYUN_SMS_RECEIPT_TOKEN is not set)',
  );

  const paymentSecret = deps.secrets.payment;
  mountProvider(
    router,
    ['/v1/webhooks/payment'],
    paymentSecret === undefined
      ? undefined
      : Router().post('/v1/webhooks/payment', raw, async (req, res) => {
          const body = verifiedJson(req.body, req.get(SIGNATURE_HEADER), paymentSecret, deps);
          const settlement = paymentSettlement(parseOrThrow(paymentWebhookSchema, body));
          if (settlement.kind === 'collection') return collectionSettled(deps, res, settlement.merchantReference, settlement.event);
          const { outcome, caseId } = await deliverRefundSettlement(deps, live, settlement.event, settlement.merchantReference);
          if (outcome === 'unknown') throw notFound('unknown_reference', `no case has refund ${settlement.event.refundId}`);
          res.locals.caseId = caseId;
          await answer(res, outcome, caseId);
        }),
    'The sandbox-protocol payment service is not configured on this server (PAYMENT_PROVIDER_ONLINE is not sandbox and PAYMENT_WEBHOOK_SECRET is not set)',
  );

  return router;
}

/**
 * Finds the case of a refund and signals its settlement: by our refund id in the read model, then
 * by `merchantReference` (our case id, when the provider echoes it), then in the running workflows
 * (the read model may have lost the refund id's write). Shared by every payment provider's route.
 */
export async function deliverRefundSettlement(
  deps: WebhookDeps,
  live: LiveRouting,
  event: PaymentEvent,
  merchantReference: string | undefined,
): Promise<{ outcome: Delivery; caseId: string | undefined }> {
  // Before our refund id is projected to the read model, the provider's merchantReference (our case id) still finds the case.
  // While the read model is down, a settlement that names our case id still reaches the case.
  let caseId: string | null;
  try {
    caseId = await deps.store.get().readModel.findCaseIdByRefundId(event.refundId);
  } catch (error) {
    if (merchantReference === undefined) throw error;
    caseId = null;
  }
  let outcome: Delivery = 'unknown';
  if (caseId !== null) outcome = await deliver(deps, caseId, paymentEventSignal, event);
  if (outcome === 'unknown' && merchantReference !== undefined && CASE_REFERENCE.test(merchantReference)) {
    caseId = merchantReference;
    outcome = await deliver(deps, caseId, paymentEventSignal, event);
  }
  if (outcome === 'unknown') {
    const found = await live.caseByRefundId(event.refundId, routingScanFailed(deps.logger));
    if (found !== null) {
      caseId = found;
      outcome = await deliver(deps, caseId, paymentEventSignal, event);
    }
  }
  if (outcome === 'ignored' && caseId !== null) await checkEndedCaseSettlement(deps, caseId, event);
  return { outcome, caseId: caseId ?? undefined };
}

/**
 * A settlement the ended case can no longer hear: a repeat of its own paid refund is fine; money
 * the provider paid that the case did not record is raised, never dropped in silence — logged as
 * an error (ids only) and counted for the `AftersalesRefundPaidAfterCaseEnded` alert.
 */
async function checkEndedCaseSettlement(deps: WebhookDeps, caseId: string, event: PaymentEvent): Promise<void> {
  if (event.status !== 'succeeded') return;
  // Without the read model the settlement cannot be told from a repeat: raised all the same (a person checks).
  const snapshot = await deps.store
    .get()
    .readModel.getCase(caseId)
    .catch(() => null);
  if (endedCaseSettlement(snapshot, event) !== 'unexpected_payment') return;
  deps.logger.error(
    { caseId, refundId: event.refundId, recordedRefundId: snapshot?.refund?.id ?? null, recordedStatus: snapshot?.refund?.status ?? null },
    'refund reported paid for a case that ended without it: money out the ledger does not show, check it with the provider',
  );
  deps.countRefundPaidAfterCaseEnded?.();
}

/**
 * A provider's own callback routes when it is configured; otherwise its paths answer 404
 * `provider_not_configured`. Either way they are answered here, before the API's JSON-only body
 * check: a provider's form post to a server that does not use the provider is a 404, not a 415.
 */
function mountProvider(router: Router, paths: string[], provider: Router | undefined, notConfigured: string): void {
  if (provider !== undefined) return void router.use(provider);
  router.post(paths, () => {
    throw notFound('provider_not_configured', notConfigured);
  });
}

/** Logs (without personal data) that the running cases could not be scanned for a routing key. */
function routingScanFailed(logger: Logger): (error: unknown) => void {
  return (error) => logger.warn({ error: error instanceof Error ? error.name : 'error' }, 'routing keys could not be read from the running cases');
}

/** A parcel's outcome: 'delivered' if a case heard it, 'ignored' if its cases have all ended. */
export type Delivery = 'delivered' | 'ignored' | 'unknown';

/**
 * Finds every case of a tracking number and signals the events to each, in order. One parcel may
 * carry the goods of several open cases: every one of them hears of it. 404 `unknown_reference`
 * when no case has the number.
 */
async function deliverCourierEvents(
  deps: WebhookDeps,
  live: LiveRouting,
  trackingNumber: string,
  events: CourierEvent[],
): Promise<{ outcome: Delivery; caseId: string }> {
  const caseIds = await casesOfParcel(deps, live, trackingNumber);
  const outcomes = await Promise.all(
    caseIds.map(async (id) => {
      let last: Delivery = 'unknown';
      for (const event of events) last = await deliver(deps, id, courierEventSignal, event);
      return last;
    }),
  );
  return { outcome: overall(outcomes), caseId: caseIds[0] };
}

/**
 * A pushed trace (Kuaidi100): routed as a courier event, kept whole in the parcel's trace, and
 * signalled to each case only as far as it can change the case (api/courier-trace-delivery.ts).
 */
async function deliverCourierTrace(
  deps: WebhookDeps,
  live: LiveRouting,
  trackingNumber: string,
  events: CourierEvent[],
): Promise<{ outcome: Delivery; caseId: string }> {
  const caseIds = await casesOfParcel(deps, live, trackingNumber);
  const outcomes = await deliverTrace(
    {
      traces: deps.store.get().parcelTraces,
      signal: (caseId, event) => deliver(deps, caseId, courierEventSignal, event),
      now: () => Date.now(),
      log: deps.logger,
    },
    trackingNumber,
    caseIds,
    events,
  );
  return { outcome: overall(outcomes), caseId: caseIds[0] };
}

/** The cases of a tracking number: the open ones, else the last one, in the read model, else in the running workflows; 404 when none. */
async function casesOfParcel(deps: WebhookDeps, live: LiveRouting, trackingNumber: string): Promise<string[]> {
  const scanFailed = routingScanFailed(deps.logger);
  const readModel = deps.store.get().readModel;
  const open = await readModel.findOpenCaseIdsByTrackingNumber(trackingNumber);
  let caseIds = open.length ? open : [await readModel.findCaseIdByTrackingNumber(trackingNumber)].filter((id): id is string => id !== null);
  // The read model may have lost the write of this parcel (a worker died with a backlog): its workflow still has it.
  if (caseIds.length === 0) caseIds = await live.casesByTrackingNumber(trackingNumber, scanFailed);
  if (caseIds.length === 0) throw notFound('unknown_reference', `no case has tracking number ${trackingNumber}`);
  return caseIds;
}

/** A parcel's outcome over its cases: delivered if one heard it, ignored if all have ended. */
function overall(outcomes: readonly Delivery[]): Delivery {
  return outcomes.includes('delivered') ? 'delivered' : outcomes.includes('ignored') ? 'ignored' : 'unknown';
}

/** What a merchantReference must look like to be tried as a case id (anything else cannot name a workflow of ours). */
const CASE_REFERENCE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A collection settlement goes to the case its merchantReference names (our case id, given with the
 * collection): the read model does not index collection ids, and the workflow knows its own.
 */
async function collectionSettled(deps: WebhookDeps, res: express.Response, caseId: string, event: CollectionEvent): Promise<void> {
  const outcome = CASE_REFERENCE.test(caseId) ? await deliver(deps, caseId, collectionEventSignal, event) : 'unknown';
  if (outcome === 'unknown') throw notFound('unknown_reference', `no case has collection ${event.collectionId}`);
  res.locals.caseId = caseId;
  await answer(res, outcome, caseId);
}

async function answer(res: express.Response, outcome: Delivery, caseId: string | undefined): Promise<void> {
  if (outcome === 'unknown') throw notFound('unknown_reference', 'the case of this event does not exist');
  if (outcome === 'ignored') res.status(200).json({ ignored: true, caseId });
  else res.status(202).json({ accepted: true, caseId });
}

const SIGNATURE_REFUSALS: Record<WebhookRejection, string> = {
  missing: `missing ${SIGNATURE_HEADER} header`,
  malformed: `malformed ${SIGNATURE_HEADER} header`,
  bad_signature: 'signature does not match',
  expired: `signature is older than ${DEFAULT_SIGNATURE_TOLERANCE_SEC / 60} minutes`,
  future: `signature timestamp is in the future (more than ${DEFAULT_CLOCK_SKEW_SEC} s ahead of our clock)`,
};

/**
 * In this order: the signature over the exact bytes received, then UTF-8, then JSON. Decoding first
 * would turn an invalid byte into U+FFFD and refuse an authentic callback as badly signed.
 */
function verifiedJson(rawBody: unknown, header: string | undefined, secret: string, deps: WebhookDeps): unknown {
  const bytes = Buffer.isBuffer(rawBody) ? rawBody : Buffer.alloc(0);
  const verdict = verifyWebhook(header, bytes, secret, deps.nowSec?.());
  if (!verdict.ok) throw unauthorized('invalid_signature', SIGNATURE_REFUSALS[verdict.reason]);
  try {
    return JSON.parse(STRICT_UTF8.decode(bytes));
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid UTF-8 JSON');
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Signals the case; a workflow that ended is 'ignored', one that never existed 'unknown'. */
async function deliver<T>(deps: WebhookDeps, caseId: string, signal: SignalDefinition<[T]>, payload: T): Promise<Delivery> {
  const handle = deps.client.workflow.getHandle(caseWorkflowId(caseId));
  try {
    await withinDeadline(deps.client, () => handle.signal(signal, payload));
    return 'delivered';
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
  try {
    await withinDeadline(deps.client, () => handle.describe());
    deps.logger.info({ caseId }, 'provider event for an ended case ignored');
    return 'ignored';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'unknown';
    throw error;
  }
}
