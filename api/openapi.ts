import { z } from 'zod';
import { CASE_TYPES, ClockNames, REASON_CODES } from '../domain/case.types';
import { LedgerEntryKinds } from '../domain/order-ledger';
import type { CommandAudience } from '../domain/case-commands';
import { CASE_COMMANDS } from './case-commands';
import { DEFAULT_CLOCK_SKEW_SEC, DEFAULT_SIGNATURE_TOLERANCE_SEC } from '../integrations/webhook-signature';
import { caseSchema, enumListFilters, idempotencyKeySchema, listCasesQuerySchema, openCaseBodySchema } from './cases.schemas';
import { CASE_EXAMPLE, OPEN_CASE_EXAMPLES } from './openapi.examples';
import { REPORT_MAX_DAYS } from '../store/sla-report.metrics';
import { slaReportQuerySchema } from './reports.routes';
import { erasureParamsSchema } from './customer-erasure';
import { listOrdersQuerySchema, orderLedgerParamsSchema, orderParamsSchema } from './orders.routes';
import { orderPageViewSchema, orderReadViewSchema } from './order-view';
import { courierWebhookSchema, paymentWebhookSchema } from './webhooks.schemas';
import { ALIYUN_SMS_RECEIPT_BATCH_MAX } from './aliyun-sms-webhook.routes';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

const requestSchema = (schema: z.ZodType): JsonSchema =>
  strip(
    z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      // An enum list filter reads any string (it splits commas); what it accepts is an array of its values.
      override: ({ zodSchema, jsonSchema }) => {
        const values = enumListFilters.get(zodSchema);
        if (values === undefined) return;
        const { description } = jsonSchema;
        for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key];
        Object.assign(jsonSchema, { description, type: 'array', items: { type: 'string', enum: [...values] } });
      },
    }),
  );
const responseSchema = (schema: z.ZodType): JsonSchema => strip(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));

// Components embed plain schemas; the `$schema` keyword belongs to a document's root only.
function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  void _ignored;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema, extra: JsonSchema = {}) => ({ 'application/json': { schema, ...extra } });
const errorResponse = (description: string, headers?: JsonSchema) => ({ description, ...(headers ? { headers } : {}), content: json(ref('Error')) });
const caseResponse = (description: string, headers?: JsonSchema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: json(ref('Case'), { examples: { exchangeAwaitingConfirmation: { summary: 'An exchange whose replacement is on its way', value: CASE_EXAMPLE } } }),
});

const count = { type: 'integer', minimum: 0 };
/** Set by the rate limiter, which runs before authentication: on every answer of a guarded route it reached. */
const rateLimitHeaders = (required: boolean): JsonSchema => ({
  'RateLimit-Limit': { required, description: 'requests allowed per caller per minute (per API replica)', schema: count },
  'RateLimit-Remaining': { required, description: 'requests left in the current minute', schema: count },
});
const retryAfter = (description: string) => ({ 'Retry-After': { required: true, description, schema: count } });

const commandIdempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'a retry with the same key (per caller, case and command) gets the first answer; the same key with a different body is a 409',
  schema: requestSchema(idempotencyKeySchema),
};

const AUDIENCE: Record<CommandAudience, string> = {
  staff: 'agent, supervisor, admin',
  owner: 'the customer who opened the case',
  owner_or_supervisor: 'the customer who opened the case, supervisor, admin',
  owner_or_staff: 'the customer who opened the case, agent, supervisor, admin',
  supervisor: 'supervisor, admin',
};

/**
 * The answers every guarded route may give. The rate limiter runs first, so each carries its headers;
 * only a 400 invalid_json (and 413, 415), refused while the body is read, comes before it.
 */
const common = {
  '400': errorResponse('validation_failed (every offending field in details), invalid_json, invalid_input', rateLimitHeaders(false)),
  '401': errorResponse('unauthorized: missing or unknown bearer token', {
    'WWW-Authenticate': { required: true, description: 'the scheme to authenticate with', schema: { type: 'string', const: 'Bearer' } },
    ...rateLimitHeaders(true),
  }),
  '403': errorResponse('forbidden: the role may not do this', rateLimitHeaders(true)),
  '429': errorResponse('rate_limited', { ...retryAfter('seconds until the window resets'), ...rateLimitHeaders(true) }),
  '503': errorResponse('temporal_unavailable or read_model_unavailable', { ...retryAfter('seconds to wait before retrying'), ...rateLimitHeaders(true) }),
};
/** The 503 of a route that reads the shop's order system. */
const orderSourceDown = errorResponse('order_source_unavailable: the shop\'s order system cannot be read now (down, slow, or its circuit open); or temporal_unavailable, read_model_unavailable', {
  ...retryAfter('seconds to wait before retrying (an open circuit: until its next trial read)'),
  ...rateLimitHeaders(true),
});
/** The rate-limit headers on an answer of a guarded route (its success and route-specific errors). */
const limited = rateLimitHeaders(true);
/** What the JSON body reader answers before the route runs (every route that reads a JSON body). */
/** The answer of an erasure. */
const ERASURE_RECEIPT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['erasureId', 'customerId', 'erasedAt', 'cases', 'readModelDocumentsRewritten', 'dataKeysDestroyed'],
  properties: {
    erasureId: { type: 'string' },
    customerId: { type: 'string' },
    erasedAt: { type: 'string', format: 'date-time' },
    cases: { type: 'array', items: { type: 'string' }, description: 'ids of the cases whose data was erased' },
    readModelDocumentsRewritten: { type: 'integer', minimum: 0 },
    dataKeysDestroyed: { type: 'integer', minimum: 0 },
  },
} as const;

const bodyErrors = {
  '413': errorResponse('payload_too_large: the body is over 256 kB'),
  '415': errorResponse('unsupported_media_type: a body that is not application/json'),
};

/** Query parameters of an operation, from a zod object schema. */
function queryParameters(schema: z.ZodObject): Record<string, unknown>[] {
  const document = requestSchema(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(document.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: document.required?.includes(name) ?? false,
    schema: property,
  }));
}

const caseIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^cs_[0-9a-f]{24}$' } };
const signatureParameter = {
  name: 'X-Signature',
  in: 'header',
  required: true,
  description:
    't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body bytes>" with the provider\'s own secret: PAYMENT_WEBHOOK_SECRET for /v1/webhooks/payment, COURIER_WEBHOOK_SECRET for /v1/webhooks/courier>; ' +
    `older than ${DEFAULT_SIGNATURE_TOLERANCE_SEC / 60} minutes, or more than ${DEFAULT_CLOCK_SKEW_SEC} s in the future, is refused`,
  schema: { type: 'string' },
};

function commandPaths(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const command of CASE_COMMANDS) {
    const name = command.path.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
    paths[`/v1/cases/{id}/${command.path}`] = {
      post: {
        operationId: `${name}Case`,
        tags: ['commands'],
        summary: command.summary,
        description: `Who: ${AUDIENCE[command.audience]}. Runs as a Workflow Update; the answer carries the case after the command.`,
        parameters: [caseIdParameter, commandIdempotencyKey],
        // A command whose fields are all optional may be sent without a body.
        requestBody: { required: !command.schema.safeParse({}).success, content: json(ref(`${name[0].toUpperCase()}${name.slice(1)}Command`)) },
        responses: {
          '200': caseResponse('the case after the command', limited),
          ...common,
          ...bodyErrors,
          '404': errorResponse('case_not_found', limited),
          '409': errorResponse('invalid_state (the case state does not allow it), case_closed, or idempotency_key_reused', limited),
        },
      },
    };
  }
  return paths;
}

// Refinements of command bodies that the generated schemas leave out, in JSON Schema.
const COMMAND_REFINEMENTS: Record<string, JsonSchema> = {
  // A rejection or a request for information needs its note.
  ReviewCommand: { anyOf: [{ properties: { decision: { const: 'approve' } } }, { required: ['note'] }] },
};

function commandComponents(): Record<string, JsonSchema> {
  return Object.fromEntries(
    CASE_COMMANDS.map((command) => {
      const name = command.path.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
      const component = `${name[0].toUpperCase()}${name.slice(1)}Command`;
      return [component, { ...requestSchema(command.schema), ...COMMAND_REFINEMENTS[component] }];
    }),
  );
}

const webhookOperation = (operationId: string, summary: string, schemaName: string): Operation => ({
  post: {
    operationId,
    tags: ['webhooks'],
    summary,
    security: [],
    parameters: [signatureParameter],
    requestBody: { required: true, content: json(ref(schemaName)) },
    responses: {
      '202': { description: 'delivered to the case' },
      '200': { description: '{"ignored": true}: the case has ended' },
      '400': errorResponse('invalid_json (the signed bytes are not UTF-8 JSON) or validation_failed'),
      '401': errorResponse('invalid_signature: missing, malformed, not matching the raw bytes, too old or dated in the future'),
      '413': errorResponse('payload_too_large: the body is over 64 kB'),
      '404': errorResponse('unknown_reference: no case matches (retry later)'),
      '503': errorResponse('temporal_unavailable or read_model_unavailable'),
    },
  },
});

/** Alipay's asynchronous notification, in its own format (a form post signed RSA2 by Alipay); served only with PAYMENT_PROVIDER_ONLINE=alipay. */
const ALIPAY_WEBHOOK: Operation = {
  post: {
    operationId: 'alipayWebhook',
    tags: ['webhooks'],
    summary: 'Alipay asynchronous notification (form post, RSA2-signed by Alipay)',
    description:
      'Exists only when PAYMENT_PROVIDER_ONLINE=alipay (404 provider_not_configured otherwise). A notification of a refund (out_biz_no = our refund id) settles it on its case; one about the payment itself is acknowledged and ignored; a repeat changes nothing.',
    security: [],
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: {
            type: 'object',
            required: ['sign'],
            properties: {
              notify_id: { type: 'string' },
              app_id: { type: 'string', description: 'must be our app id' },
              out_trade_no: { type: 'string', description: 'the order id' },
              out_biz_no: { type: 'string', description: 'our refund id (the refund request number)' },
              gmt_refund: { type: 'string', description: 'yyyy-MM-dd HH:mm:ss[.SSS], Beijing time' },
              sign_type: { type: 'string', const: 'RSA2' },
              sign: { type: 'string', description: "RSA2 over the other fields, sorted, verified with Alipay's public key" },
            },
            additionalProperties: { type: 'string' },
          },
        },
      },
    },
    responses: {
      '200': { description: 'received (also when the case has ended); the answer Alipay expects', content: { 'text/plain': { schema: { type: 'string', const: 'success' } } } },
      '400': errorResponse('validation_failed: sign missing, or a refund notification without notify_id, out_trade_no or gmt_refund'),
      '403': errorResponse('invalid_signature: not signed by Alipay for our app; nothing was read'),
      '404': errorResponse('unknown_reference: no case has the refund (Alipay sends it again); provider_not_configured when Alipay is off'),
      '413': errorResponse('payload_too_large: the body is over 64 kB'),
      '503': errorResponse('temporal_unavailable or read_model_unavailable'),
    },
  },
};

/** WeChat Pay's refund notification, in its own format (JSON signed by WeChat Pay, resource encrypted); served only with PAYMENT_PROVIDER_ONLINE=wechatpay. */
const WECHATPAY_WEBHOOK: Operation = {
  post: {
    operationId: 'wechatpayWebhook',
    tags: ['webhooks'],
    summary: 'WeChat Pay v3 refund notification (signed headers, AEAD_AES_256_GCM resource)',
    description:
      'Exists only when PAYMENT_PROVIDER_ONLINE=wechatpay (404 provider_not_configured otherwise). The signature over timestamp, nonce and the raw body is checked with the WeChat Pay public key; the resource is decrypted with the APIv3 key; REFUND.SUCCESS settles the refund, REFUND.ABNORMAL and REFUND.CLOSED fail it; other events are acknowledged; a repeat changes nothing.',
    security: [],
    // Not declared required: on a server without WeChat Pay the route is a 404 whatever the headers; with it, a missing one is the 401 below.
    parameters: ['Wechatpay-Timestamp', 'Wechatpay-Nonce', 'Wechatpay-Serial', 'Wechatpay-Signature'].map((name) => ({
      name,
      in: 'header',
      required: false,
      description: 'sent by WeChat Pay with every notification; missing: 401',
      schema: { type: 'string' },
    })),
    requestBody: {
      required: true,
      content: json({
        type: 'object',
        required: ['id', 'create_time', 'event_type', 'resource'],
        properties: {
          id: { type: 'string' },
          create_time: { type: 'string', description: 'RFC 3339' },
          event_type: { type: 'string', examples: ['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED'] },
          resource: {
            type: 'object',
            required: ['algorithm', 'ciphertext', 'nonce'],
            properties: { algorithm: { type: 'string', const: 'AEAD_AES_256_GCM' }, ciphertext: { type: 'string' }, nonce: { type: 'string' }, associated_data: { type: 'string' } },
          },
        },
      }),
    },
    responses: {
      '204': { description: 'received (also when the case has ended); the answer WeChat Pay expects' },
      '400': errorResponse('validation_failed (a field of the notification or of its decrypted resource, named) or invalid_json'),
      '401': {
        description: 'the signature headers are missing, stale, of another key or do not match the body; nothing was read',
        content: json({ type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', const: 'FAIL' }, message: { type: 'string' } } }),
      },
      '404': errorResponse('unknown_reference: no case has the refund (WeChat Pay sends it again); provider_not_configured when WeChat Pay is off'),
      '413': errorResponse('payload_too_large: the body is over 64 kB'),
      '503': errorResponse('temporal_unavailable or read_model_unavailable'),
    },
  },
};

/** Aliyun SMS delivery receipts (HTTP batch push, unsigned: a secret token in the path); served only with SMS_PROVIDER=aliyun and ALIYUN_SMS_RECEIPT_TOKEN. */
const ALIYUN_SMS_WEBHOOK: Operation = {
  post: {
    operationId: 'aliyunSmsWebhook',
    tags: ['webhooks'],
    summary: 'Aliyun SMS delivery receipts (HTTP batch push of SmsReport, token in the path)',
    description:
      "Exists only when SMS_PROVIDER=aliyun and ALIYUN_SMS_RECEIPT_TOKEN is set (404 provider_not_configured otherwise, on this path and without the token). Aliyun signs nothing: the last path segment is our secret token, compared in constant time. Each report is counted in aftersales_sms_receipts_total{outcome=\"delivered|failed\"}; a failure is logged with biz_id, out_id and err_code (never the phone number). A repeat is counted again.",
    security: [],
    parameters: [{ name: 'token', in: 'path', required: true, description: 'ALIYUN_SMS_RECEIPT_TOKEN (32 to 128 of A-Z a-z 0-9 _ -)', schema: { type: 'string' } }],
    requestBody: {
      required: true,
      content: json({
        type: 'array',
        minItems: 1,
        maxItems: ALIYUN_SMS_RECEIPT_BATCH_MAX,
        items: {
          type: 'object',
          required: ['success', 'biz_id'],
          properties: {
            phone_number: { type: 'string', description: 'read as a string, never stored or logged' },
            send_time: { type: 'string', description: 'yyyy-MM-dd HH:mm:ss, Beijing time' },
            report_time: { type: 'string', description: 'yyyy-MM-dd HH:mm:ss, Beijing time' },
            success: { type: 'boolean', description: 'true when the carrier delivered the SMS' },
            err_code: { type: 'string', examples: ['DELIVERED', 'MOBILE_NOT_ON_SERVICE'] },
            err_msg: { type: 'string' },
            sms_size: { type: 'string', description: 'how many SMS the message was split into' },
            biz_id: { type: 'string', description: "the BizId SendSms answered (our messageId)" },
            out_id: { type: 'string', description: 'the OutId we sent: a digest of our idempotency key' },
          },
        },
      }),
    },
    responses: {
      '200': {
        description: 'received; the answer Aliyun expects',
        content: json({ type: 'object', required: ['code', 'msg'], properties: { code: { type: 'integer', const: 0 }, msg: { type: 'string', const: '成功' } } }),
      },
      '400': errorResponse('validation_failed (the report field, named, e.g. [0].success; or the body when it is not an array of 1 to 100) or invalid_json'),
      '403': errorResponse('invalid_token: the path does not carry our token; nothing was read'),
      '404': errorResponse('provider_not_configured when Aliyun SMS receipts are off'),
      '413': errorResponse('payload_too_large: the body is over 128 kB'),
    },
  },
};

/** Kuaidi100's push, in its own format (a form post signed with the salt of our subscriptions); served only with COURIER_TRACKING_PROVIDER=kuaidi100. */
const KUAIDI100_WEBHOOK: Operation = {
  post: {
    operationId: 'kuaidi100Webhook',
    tags: ['webhooks'],
    summary: 'Kuaidi100 tracking push (form post, MD5-signed with our salt)',
    description: 'Exists only when COURIER_TRACKING_PROVIDER=kuaidi100 (404 otherwise). Every scan of the trace reaches the cases of the tracking number as a courier event; a repeated push changes nothing.',
    security: [],
    requestBody: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: {
            type: 'object',
            required: ['param', 'sign'],
            properties: {
              param: { type: 'string', description: 'JSON: status, message, lastResult {state, ischeck, com, nu, data [{time, ftime, context, status}]}' },
              sign: { type: 'string', description: 'uppercase hex MD5 of param followed by our salt' },
            },
          },
        },
      },
    },
    responses: {
      '200': {
        description: 'received (also when no case hears it any more); the answer Kuaidi100 expects',
        content: json({
          type: 'object',
          required: ['result', 'returnCode', 'message'],
          properties: { result: { type: 'boolean', const: true }, returnCode: { type: 'string', const: '200' }, message: { type: 'string' } },
        }),
      },
      '400': errorResponse('validation_failed (param or sign missing, param not a push) or invalid_json'),
      '403': errorResponse('invalid_signature: sign does not match param and our salt; nothing was read'),
      '404': errorResponse('unknown_reference: no case has the tracking number (Kuaidi100 pushes again later); not_found when Kuaidi100 tracking is off'),
      '413': errorResponse('payload_too_large: the body is over 256 kB'),
      '503': errorResponse('temporal_unavailable or read_model_unavailable'),
    },
  },
};

const minor = { type: 'integer', minimum: 0, description: 'minor units' };
const ORDER_LEDGER_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['orderId', 'lines'],
  properties: {
    orderId: { type: 'string' },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sku: { type: 'string' },
          lineId: { type: 'string', description: "the order's line (lines read from the order source)" },
          sharesSku: { type: 'boolean', description: 'true when the sku is on several lines of the order: the line is keyed by its line' },
          factsFrom: { enum: ['order_source'], description: 'the facts were read from the order source; absent: claimed by a case before it' },
          held: {
            type: 'object',
            required: ['at', 'reason'],
            properties: { at: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
            description: 'present while the line is held: nothing is paid back on it until a person releases it',
          },
          currency: { type: 'string' },
          unitsBought: { type: 'integer' },
          amountPaid: minor,
          refunded: { ...minor, description: 'refunds and money compensation the provider confirmed' },
          reserved: { ...minor, description: 'refunds and money compensation in flight' },
          compensated: { ...minor, description: 'the compensation part of refunded' },
          coupons: { ...minor, description: 'goodwill coupons (not counted against the price)' },
          collected: { ...minor, description: 'money the customer paid us (repair quotes, shipping)' },
          collectionRefunded: minor,
          collectionRefundable: minor,
          unitsReturned: { type: 'integer' },
          refundable: { ...minor, description: 'amountPaid − refunded − reserved' },
          unitsRemaining: { type: 'integer' },
          paidBackBy: { type: 'array', items: { type: 'string' }, description: 'cases that took money back from the line' },
          entries: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string' },
                caseId: { type: 'string' },
                kind: { enum: [...LedgerEntryKinds] },
                amount: minor,
                units: { type: 'integer' },
                state: { enum: ['reserved', 'committed', 'released'] },
                at: { type: 'string', format: 'date-time' },
                updatedAt: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
        required: ['sku', 'currency', 'unitsBought', 'amountPaid', 'refunded', 'reserved', 'refundable', 'unitsRemaining', 'entries'],
      },
    },
  },
};
const LEDGER_REFUSAL_DETAIL_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'An item of error.details of a 422 nothing_refundable, quantity_exceeds_remaining or line_held',
  required: ['field', 'message', 'sku', 'paidBack', 'remaining', 'claimedUnits'],
  properties: {
    field: { type: 'string', description: 'items[i].sku or items[i].quantity' },
    message: { type: 'string' },
    sku: { type: 'string' },
    lineId: { type: 'string', description: "the order's line, when the claim names it" },
    paidBack: { type: 'object', properties: { amount: minor, units: { type: 'integer' }, caseIds: { type: 'array', items: { type: 'string' } } } },
    remaining: { type: 'object', properties: { amount: minor, units: { type: 'integer' } } },
    claimedUnits: { type: 'integer' },
  },
};

const reasonCode = { type: 'string', enum: [...REASON_CODES] };
const ME_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['role'],
  properties: {
    role: { type: 'string', enum: ['customer', 'agent', 'supervisor', 'admin'] },
    name: { type: 'string', description: 'staff: the name written on the case timeline' },
    customerId: { type: 'string', description: 'customer: the only customer whose cases the token reaches' },
  },
};
const POLICY_SUMMARY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'warningFraction', 'types', 'evidenceRequiredReasons', 'customerPaysShippingReasons', 'noReasonExcludedCategories', 'returnShippingFee'],
  properties: {
    version: { type: 'string' },
    warningFraction: { type: 'number', description: 'share of a clock\'s budget after which it warns (the desk turns it amber)' },
    types: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'reasons', 'window', 'evidenceAlways'],
        properties: {
          type: { type: 'string', enum: [...CASE_TYPES] },
          reasons: { type: 'array', items: reasonCode, description: 'the reasons this type may be opened with' },
          window: {
            description: 'how long after the delivery or purchase the type may be opened (Beijing calendar days or months); null: no window',
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                additionalProperties: false,
                required: ['from'],
                properties: {
                  from: { type: 'string', enum: ['delivery', 'purchase'] },
                  days: { type: 'integer', minimum: 0 },
                  months: { type: 'integer', minimum: 0 },
                  packagingIntactDays: { type: 'integer', minimum: 0, description: 'returns: after days and up to this, only with the packaging intact' },
                },
              },
            ],
          },
          evidenceAlways: { type: 'boolean', description: 'evidence is needed whatever the reason' },
        },
      },
    },
    evidenceRequiredReasons: { type: 'array', items: reasonCode },
    customerPaysShippingReasons: { type: 'array', items: reasonCode },
    noReasonExcludedCategories: { type: 'array', items: { type: 'string' } },
    returnShippingFee: { ...minor, description: 'the return shipping fee when the customer pays it (minor units)' },
  },
};

/** `{ [key]: value }` over keys of a known set (clock names, case types), or any key when null; only keys with something to report appear. */
const keyedBy = (keys: readonly string[] | null, value: JsonSchema, description: string): JsonSchema => ({
  type: 'object',
  description,
  ...(keys ? { propertyNames: { enum: [...keys] } } : {}),
  additionalProperties: value,
});
const clockNames = Object.values(ClockNames);
const rate = { type: ['number', 'null'], minimum: 0, maximum: 1, description: 'a fraction 0..1; null when its denominator is 0' };
const ms = { type: ['number', 'null'], minimum: 0 };
const DURATION_STATS_PROPERTIES = { count, meanMs: ms, medianMs: ms, p90Ms: { ...ms, description: 'nearest-rank 90th percentile' } };
const RESPONSE_TIME_PROPERTIES = { ...DURATION_STATS_PROPERTIES, withinTarget: count, late: count, withinTargetRate: rate };
const closedObject = (properties: Record<string, unknown>, description?: string): JsonSchema => ({
  type: 'object',
  ...(description ? { description } : {}),
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});
const BREACH_COUNTS_PROPERTIES = {
  total: count,
  byClock: keyedBy(clockNames, count, 'per clock (stage); clocks without a breach are absent'),
  byAssignee: keyedBy(null, count, 'per assignee at the time of the breach, "(unassigned)" when none; assignees without a breach are absent'),
};
const satisfactionProperties = { surveys: count, meanScore: { type: ['number', 'null'], minimum: 1, maximum: 5 }, satisfiedRate: rate };
const SLA_REPORT_SCHEMA: JsonSchema = closedObject(
  {
    range: closedObject({ from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } }),
    cases: closedObject({ total: count, closed: count }, 'cases created in the range; those closed'),
    clocks: keyedBy(
      clockNames,
      closedObject({ party: { type: 'string', enum: ['staff', 'customer'] }, total: count, met: count, breached: count, endedByClosing: count, open: count, onTimeRate: rate }),
      'per clock over the clocks of the cases created in the range',
    ),
    breaches: closedObject(BREACH_COUNTS_PROPERTIES, 'level-1 breach escalations that happened in the range'),
    breachesByDay: {
      type: 'array',
      // A range of REPORT_MAX_DAYS that does not start at a Beijing midnight touches one day more.
      maxItems: REPORT_MAX_DAYS + 1,
      description: 'the same breaches per Beijing calendar day (UTC+8) of the range, oldest first, every day listed (zeros included); they add up to `breaches`',
      items: closedObject({ day: { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Beijing calendar day' }, ...BREACH_COUNTS_PROPERTIES }),
    },
    responseTime: closedObject({
      ...RESPONSE_TIME_PROPERTIES,
      byClock: keyedBy(
        clockNames,
        closedObject({
          ...RESPONSE_TIME_PROPERTIES,
          targets: {
            type: 'array',
            description: 'the budgets the clocks ran under, as the policy writes them',
            items: {
              anyOf: [
                { type: 'string' },
                closedObject({ workingDays: { type: 'number' } }),
                closedObject({ workingHours: { type: 'number' } }),
              ],
            },
          },
        }),
        'per first-response clock',
      ),
    }, 'first responses (review, resolution, investigation); durations in milliseconds'),
    handlingTime: keyedBy(CASE_TYPES, closedObject(DURATION_STATS_PROPERTIES), 'closedAt − createdAt in milliseconds per case type, over closed cases'),
    firstTimeResolution: closedObject({ completed: count, firstTime: count, rate }),
    satisfaction: closedObject({ ...satisfactionProperties, complaints: closedObject(satisfactionProperties) }),
    noReasonReturnsAndExchanges: closedObject({
      reasons: { type: 'array', items: reasonCode },
      count,
      returns: count,
      exchanges: count,
      base: { type: 'string', enum: ['delivered_orders', 'unknown'] },
      deliveredOrders: { type: ['integer', 'null'], minimum: 0 },
      rate: { type: ['number', 'null'], minimum: 0, description: 'count / deliveredOrders; null when the base is unknown or 0' },
      targetRate: { type: 'number' },
      targetMet: { type: ['boolean', 'null'] },
    }),
  },
  'The SLA/KPI report (docs/api.md "SLA report")',
);

/** The OpenAPI 3.1 document of the API, generated from the zod schemas that validate the requests. */
export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'aftersales API',
      version: '1.0.0',
      description: 'After-sales cases (returns, exchanges, repairs, complaints, …) run as Temporal workflows. See docs/api.md.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags: [{ name: 'cases' }, { name: 'commands' }, { name: 'webhooks' }, { name: 'orders' }, { name: 'reports' }, { name: 'admin' }, { name: 'desk' }, { name: 'operations' }],
    paths: {
      '/v1/cases': {
        post: {
          operationId: 'openCase',
          tags: ['cases'],
          summary: 'Open a case',
          description:
            "Who: customer (on their own orders only), agent, supervisor, admin (for the order's buyer). The order is read from the shop's order system: " +
            'price paid, units bought, category, dates, payment and buyer come from there, never from the body (a body that sends them is a 400 naming each).',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              description: "a repeat with the same key (per the order's buyer) returns the first case with 200",
              schema: requestSchema(idempotencyKeySchema),
            },
          ],
          requestBody: { required: true, content: json(ref('OpenCaseRequest'), { examples: OPEN_CASE_EXAMPLES }) },
          responses: {
            '201': caseResponse('the case opened', {
              Location: { required: true, schema: { type: 'string', pattern: '^/v1/cases/cs_[0-9a-f]{24}$' }, description: '/v1/cases/<id>' },
              ...limited,
            }),
            '200': caseResponse('the case this Idempotency-Key already opened', limited),
            ...common,
            ...bodyErrors,
            '404': errorResponse("order_not_found: the order system has no such order, or (to a customer) it is another customer's order: the same answer", limited),
            '409': errorResponse('duplicate_open_case (to staff, details name the open case) or idempotency_key_reused', limited),
            '422': errorResponse(
              'the policy refuses the case: the code is the reason (outside_return_window, …); or the order-line ledger does: ' +
                'nothing_refundable, quantity_exceeds_remaining, line_held (a person must look at the line), with one detail per refused line (LedgerRefusalDetail; case ids to staff only); ' +
                'or payment_channel_unknown: the order does not say which provider took its online payment',
              limited,
            ),
            '503': errorResponse('order_source_unavailable (the order system cannot be read), temporal_unavailable or read_model_unavailable', {
              ...retryAfter('seconds to wait before retrying'),
              ...limited,
            }),
          },
        },
        get: {
          operationId: 'listCases',
          tags: ['cases'],
          summary: 'List cases from the read model',
          description: 'Who: staff; customers get their own cases only (403 when asking for another customerId).',
          parameters: queryParameters(listCasesQuerySchema),
          responses: { '200': { description: 'one page', headers: limited, content: json(ref('CaseList')) }, ...common },
        },
      },
      '/v1/cases/{id}': {
        get: {
          operationId: 'getCase',
          tags: ['cases'],
          summary: 'Read one case, live from its workflow while open',
          description: "Who: the customer who opened it, staff. Another customer's case is a 404.",
          parameters: [caseIdParameter],
          responses: {
            '200': caseResponse('the case', limited),
            ...common,
            '404': errorResponse('case_not_found', limited),
          },
        },
      },
      ...commandPaths(),
      '/v1/webhooks/courier': webhookOperation('courierWebhook', 'Courier tracking event (HMAC-signed)', 'CourierEvent'),
      '/v1/webhooks/payment': webhookOperation('paymentWebhook', 'Refund or collection settlement (HMAC-signed)', 'PaymentEvent'),
      '/v1/webhooks/kuaidi100': KUAIDI100_WEBHOOK,
      '/v1/webhooks/alipay': ALIPAY_WEBHOOK,
      '/v1/webhooks/wechatpay': WECHATPAY_WEBHOOK,
      '/v1/webhooks/aliyun-sms/{token}': ALIYUN_SMS_WEBHOOK,
      '/v1/reports/sla': {
        get: {
          operationId: 'slaReport',
          tags: ['reports'],
          summary: `SLA and KPI report over [from, to) (default: the last 30 days; at most ${REPORT_MAX_DAYS} days)`,
          description: 'Who: supervisor, admin.',
          parameters: queryParameters(slaReportQuerySchema),
          responses: { '200': { description: 'the report', headers: limited, content: json(ref('SlaReport')) }, ...common },
        },
      },
      '/v1/orders': {
        get: {
          operationId: 'listOrders',
          tags: ['orders'],
          summary: "A customer's orders as the shop's order system gives them, newest first, paged",
          description:
            "Who: a customer (their own orders: the token says whose; another customerId is a 403), agent, supervisor, admin (customerId required). " +
            'What the desk picks the lines of a new case from. An unknown customer has no orders (an empty page).',
          parameters: queryParameters(listOrdersQuerySchema),
          responses: {
            '200': { description: 'one page of orders', headers: limited, content: json(ref('OrderPage')) },
            ...common,
            '503': orderSourceDown,
          },
        },
      },
      '/v1/orders/{orderId}': {
        get: {
          operationId: 'getOrder',
          tags: ['orders'],
          summary: "One order as the shop's order system gives it: its lines (lineId, title, units bought, 实付), payment and parcels",
          description: "Who: the order's buyer, agent, supervisor, admin. Another customer's order is a 404 order_not_found, the same answer as an order that does not exist.",
          parameters: [{ name: 'orderId', in: 'path', required: true, schema: requestSchema(orderParamsSchema.shape.orderId) }],
          responses: {
            '200': { description: 'the order', headers: limited, content: json(ref('OrderRead')) },
            ...common,
            '404': errorResponse('order_not_found', limited),
            '503': orderSourceDown,
          },
        },
      },
      '/v1/orders/{orderId}/ledger': {
        get: {
          operationId: 'getOrderLedger',
          tags: ['orders'],
          summary: 'The order-line ledger of an order: what was paid, paid back, is in flight and remains, per line',
          description: 'Who: agent, supervisor, admin. An order without ledger lines answers 200 with `lines: []`.',
          parameters: [{ name: 'orderId', in: 'path', required: true, schema: requestSchema(orderLedgerParamsSchema.shape.orderId) }],
          responses: {
            '200': { description: 'the lines of the order, by sku', headers: limited, content: json(ref('OrderLedger')) },
            ...common,
          },
        },
      },
      '/v1/admin/policy': {
        get: { operationId: 'getPolicy', tags: ['admin'], summary: 'The policy new cases start with (admin)', responses: { '200': { description: 'policy', headers: limited }, ...common } },
      },
      '/v1/admin/policy/reload': {
        post: {
          operationId: 'reloadPolicy',
          tags: ['admin'],
          summary: 'Re-read POLICY_FILE (admin); running cases keep their policy',
          responses: {
            '200': { description: 'the versions before and after', headers: limited },
            ...common,
            ...bodyErrors,
            '422': errorResponse('invalid_policy_file', limited),
          },
        },
      },
      '/v1/admin/customers/{customerId}/erase': {
        post: {
          operationId: 'eraseCustomer',
          tags: ['admin'],
          summary: "Erase a customer's personal data (PIPL): their cases' data keys are destroyed and the read model keeps the cases without free text and links (admin)",
          description: 'Refused with 409 customer_has_open_cases while one of the customer\'s cases is open. Safe to repeat.',
          parameters: [{ name: 'customerId', in: 'path', required: true, schema: requestSchema(erasureParamsSchema.shape.customerId) }],
          responses: {
            '200': { description: 'what was erased (ids, counts, time; never the data)', headers: limited, content: json(ERASURE_RECEIPT_SCHEMA) },
            ...common,
            ...bodyErrors,
            '409': errorResponse('customer_has_open_cases: the open cases are named in details', limited),
          },
        },
      },
      '/v1/me': {
        get: {
          operationId: 'getMe',
          tags: ['desk'],
          summary: 'Who the bearer token stands for: its role, and the staff name or customer id',
          description: 'Who: any role. The desk pages decide from it what to show.',
          responses: { '200': { description: 'the caller', headers: limited, content: json(ref('Me')) }, ...common },
        },
      },
      '/v1/policy/summary': {
        get: {
          operationId: 'getPolicySummary',
          tags: ['desk'],
          summary: 'The public part of the policy in force: types, their reasons and windows, evidence and shipping rules',
          description: 'Who: any role. What a customer form follows; the whole policy is GET /v1/admin/policy (admin).',
          responses: { '200': { description: 'the summary', headers: limited, content: json(ref('PolicySummary')) }, ...common },
        },
      },
      '/healthz': { get: { operationId: 'healthz', tags: ['operations'], security: [], responses: { '200': { description: 'alive' } } } },
      '/readyz': {
        get: {
          operationId: 'readyz',
          tags: ['operations'],
          security: [],
          responses: { '200': { description: 'Temporal and MongoDB answer' }, '503': { description: 'checks name what is down' } },
        },
      },
      '/metrics': { get: { operationId: 'metrics', tags: ['operations'], security: [], responses: { '200': { description: 'Prometheus text format' } } } },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
      schemas: {
        OpenCaseRequest: requestSchema(openCaseBodySchema),
        ...commandComponents(),
        CourierEvent: requestSchema(courierWebhookSchema),
        // The refinement (exactly one of the two ids) is not in the generated schema; oneOf says it in JSON Schema.
        PaymentEvent: {
          ...requestSchema(paymentWebhookSchema),
          oneOf: [{ required: ['refundId'] }, { required: ['collectionId', 'merchantReference'] }],
        },
        Case: { ...responseSchema(caseSchema), examples: [CASE_EXAMPLE] },
        CaseList: { type: 'object', properties: { items: { type: 'array', items: ref('Case') }, nextCursor: { type: ['string', 'null'] } }, required: ['items', 'nextCursor'] },
        OrderRead: responseSchema(orderReadViewSchema),
        OrderPage: responseSchema(orderPageViewSchema),
        OrderLedger: ORDER_LEDGER_SCHEMA,
        Me: ME_SCHEMA,
        PolicySummary: POLICY_SUMMARY_SCHEMA,
        SlaReport: SLA_REPORT_SCHEMA,
        LedgerRefusalDetail: LEDGER_REFUSAL_DETAIL_SCHEMA,
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'details'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                details: {
                  type: 'array',
                  items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
    },
  };
}
