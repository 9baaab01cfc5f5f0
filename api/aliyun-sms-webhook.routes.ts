import { createHash, timingSafeEqual } from 'node:crypto';
import express, { Router } from 'express';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import { ApiError, parseOrThrow } from './errors';

/** The answer Aliyun's HTTP push expects: anything else makes it push the batch again. */
export const ALIYUN_SMS_RECEIPT_ACK = { code: 0, msg: '成功' } as const;

/** Receipts in one push at most (Aliyun sends batches; a bigger body is not Aliyun's). */
export const ALIYUN_SMS_RECEIPT_BATCH_MAX = 100;

/** How a receipt ended (the `outcome` label of aftersales_sms_receipts_total). */
export type SmsReceiptOutcome = 'delivered' | 'failed';

/** What the SMS receipt route needs. */
export interface AliyunSmsWebhookDeps {
  /** ALIYUN_SMS_RECEIPT_TOKEN: the secret path segment only our configuration and Aliyun's console know. */
  token: string;
  /** Counts one receipt. */
  count(outcome: SmsReceiptOutcome): void;
  log: { warn(fields: Record<string, unknown>, message: string): void };
}

const text = z.union([z.string(), z.number()]).transform(String);

/**
 * One SMS report (SmsReport) of Aliyun's HTTP batch push. The phone number is only type-checked,
 * never passed on; fields Aliyun may add later are accepted and ignored.
 */
const smsReportSchema = z.looseObject({
  phone_number: z.string().max(32).optional(),
  send_time: z.string().max(32).optional(),
  report_time: z.string().max(32).optional(),
  success: z.boolean({ error: 'required: true when the carrier delivered the SMS, false otherwise' }),
  err_code: z.string().max(64).optional(),
  err_msg: z.string().max(256).optional(),
  sms_size: text.optional(),
  biz_id: z.string({ error: 'required: the BizId SendSms answered' }).min(1).max(64),
  out_id: z.string().max(64).optional(),
});

/** The body of a push: a JSON array of reports. */
export const smsReportBatchSchema = z
  .array(smsReportSchema, { error: 'must be a JSON array of SMS reports' })
  .min(1, 'must hold at least one report')
  .max(ALIYUN_SMS_RECEIPT_BATCH_MAX, `must hold at most ${ALIYUN_SMS_RECEIPT_BATCH_MAX} reports`);

/**
 * `POST /v1/webhooks/aliyun-sms/{token}`: Aliyun SMS delivery receipts (短信发送状态报告, HTTP batch
 * push). Aliyun signs nothing here, so the URL carries a secret token of ours, compared in constant
 * time (403 otherwise, before the body is read); logs and metrics name the route pattern, never the
 * token. Each receipt is counted delivered or failed; a failure is logged with its BizId, OutId and
 * error code, never the phone number. Answered `{"code":0,"msg":"成功"}`.
 */
export function aliyunSmsWebhookRouter(deps: AliyunSmsWebhookDeps): Router {
  const router = Router();
  const expected = digest(deps.token);
  const json = express.json({ type: () => true, limit: '128kb' });
  const checkToken: express.RequestHandler = (req, _res, next) => {
    const given = typeof req.params.token === 'string' ? req.params.token : '';
    // Digests of equal length, so neither the token's content nor its length leaks through timing.
    if (!timingSafeEqual(digest(given), expected)) throw new ApiError(403, 'invalid_token', 'the receipt URL does not carry our token');
    next();
  };

  router.post('/v1/webhooks/aliyun-sms', () => {
    throw new ApiError(403, 'invalid_token', 'the receipt URL does not carry our token');
  });
  router.post('/v1/webhooks/aliyun-sms/:token', checkToken, json, (req, res) => {
    const reports = parseOrThrow(smsReportBatchSchema, req.body);
    for (const report of reports) {
      const outcome: SmsReceiptOutcome = report.success ? 'delivered' : 'failed';
      deps.count(outcome);
      if (outcome === 'failed') {
        deps.log.warn({ bizId: report.biz_id, outId: report.out_id ?? null, errCode: report.err_code ?? null }, 'aliyun sms: the carrier did not deliver an SMS');
      }
    }
    res.status(200).json(ALIYUN_SMS_RECEIPT_ACK);
  });

  return router;
}

/** aftersales_sms_receipts_total{outcome} on the API's registry, as the route's `count`. */
export function smsReceiptCounter(registry: Registry): (outcome: SmsReceiptOutcome) => void {
  const counter = new Counter({
    name: 'aftersales_sms_receipts_total',
    help: 'Aliyun SMS delivery receipts received, by outcome (delivered, failed: the carrier did not deliver the SMS)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return (outcome) => counter.inc({ outcome });
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
