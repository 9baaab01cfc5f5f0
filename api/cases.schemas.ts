import { z } from 'zod';
import { CASE_COMMAND_NAMES, CASE_COMMAND_RULES } from '../domain/case-commands';
import { CASE_STATUSES, CASE_TYPES, ClockNames, PAYMENT_CHANNELS, REASON_CODES, type CaseSnapshot } from '../domain/case.types';
import type { CaseAnswer } from './case-answer';

// Request schemas of /v1/cases (validation and the OpenAPI document both come from here); the
// command bodies are beside their commands in api/case-commands.ts, which uses the pieces exported here.
// Request bodies are strict: an unknown field is a 400, so a misspelt optional field
// (say `packagingIntakt`) is caught instead of silently ignored.

const MAX_TEXT = 2000;

/** An ISO-8601 date-time (UTC `Z` or with an offset), normalised to UTC. */
export const isoDateTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2026-03-01T08:00:00Z' })
  .transform((text) => new Date(text).toISOString());

/** An opaque identifier of ours or of a partner system (order ids, skus, customer ids); also checks path parameters. */
export const identifier = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(128, `${what} has at most 128 characters`)
    .regex(/^[\w.:\-/#]+$/, `${what} may contain letters, digits and _ . : - / # only`);

/** A positive money amount in integer minor units. */
export const positiveMinorUnits = z.number().int('must be an integer amount in minor units (fen)').positive();
/** A link to a photo or document the customer gives as evidence. */
export const evidenceUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2048);
// The document says "not blank" as a pattern: the value is trimmed before its length is checked.
/** A free text, trimmed, not blank, of at most `max` characters. */
export const text = (max = MAX_TEXT) => z.string().trim().min(1, 'must not be empty').max(max).meta({ pattern: '\\S' });

/** One order line claimed by a new case: the line (by `lineId`, or by `sku` when one line of the order has it) and the units. */
export const claimedLineSchema = z
  .object({
    lineId: identifier('lineId').optional().meta({ description: "the order line, as the order source names it (GET /v1/orders/{orderId})" }),
    sku: identifier('sku').optional().meta({ description: 'the sku of the line, when the order has one line of it; otherwise give lineId' }),
    quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000).meta({ description: 'units claimed' }),
  })
  .strict()
  .refine((line) => line.lineId !== undefined || line.sku !== undefined, { path: ['lineId'], message: 'name the order line: lineId (or sku)' });
/** A validated claimed line. */
export type ClaimedLine = z.output<typeof claimedLineSchema>;

/**
 * Fields an open-case body may not send: every fact that decides money or access is read from the
 * shop's order system, and the buyer comes from the order. Each is refused by name (400), with
 * what to send instead, rather than as an unknown field.
 */
export const FACTS_FROM_THE_ORDER_SYSTEM: Readonly<Record<string, string>> = {
  customerId: "comes from the order system: the order's buyer is the case's customer",
  order: 'comes from the order system: payment, dates and total are read from the order',
  unitPrice: "comes from the order system: the line's amount paid is read from the order",
  orderedQuantity: 'comes from the order system: units bought are read from the order',
  category: 'comes from the order system: the category is read from the order line',
};

/** Body of `POST /v1/cases`: the order, the lines and units claimed, the reason and evidence; nothing the order system knows. */
export const openCaseBodySchema = z
  .object({
    type: z.enum(CASE_TYPES),
    orderId: identifier('orderId'),
    items: z
      .array(claimedLineSchema)
      .min(1, 'at least one item')
      .max(100)
      .superRefine((items, ctx) => {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          const name = item.lineId !== undefined ? `line:${item.lineId}` : `sku:${item.sku}`;
          const field = item.lineId !== undefined ? 'lineId' : 'sku';
          if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [index, field], message: `${name.slice(name.indexOf(':') + 1)} appears twice; claim each line once` });
          seen.add(name);
        });
      }),
    reason: z.object({ code: z.enum(REASON_CODES), description: text().optional() }).strict(),
    evidence: z.array(evidenceUrl).max(20).default([]).meta({ description: 'photo or video URLs' }),
    packagingIntact: z.boolean().optional().meta({ description: 'original packaging and accessories intact' }),
  })
  .strict()
  .meta({ description: 'Open an after-sales case on an order of the shop: its facts (price paid, units, category, dates, payment, buyer) are read from the order system' });
/** A validated `POST /v1/cases` body. */
export type OpenCaseBody = z.output<typeof openCaseBodySchema>;

/** The fields of an open-case body that only the order system may state, as 400 details (empty when none). */
export function claimedFactProblems(body: unknown): { field: string; message: string }[] {
  if (typeof body !== 'object' || body === null) return [];
  const problems: { field: string; message: string }[] = [];
  const record = body as Record<string, unknown>;
  for (const field of ['customerId', 'order']) if (field in record) problems.push({ field, message: FACTS_FROM_THE_ORDER_SYSTEM[field] });
  if (Array.isArray(record.items)) {
    record.items.forEach((item: unknown, index) => {
      if (typeof item !== 'object' || item === null) return;
      for (const field of ['unitPrice', 'orderedQuantity', 'category']) {
        if (field in item) problems.push({ field: `items[${index}].${field}`, message: FACTS_FROM_THE_ORDER_SYSTEM[field] });
      }
    });
  }
  return problems;
}

/** The `Idempotency-Key` header: a repeat with the same key returns the same case. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
  .optional();

/**
 * The values of each enum list filter, by its schema: the OpenAPI document declares such a
 * parameter as an array of these values (its zod input, any string, says nothing of them).
 */
export const enumListFilters = new WeakMap<object, readonly string[]>();

/** A comma list (`status=a,b`) or a repeated parameter (`status=a&status=b`) of enum values. */
const commaList = <T extends readonly [string, ...string[]]>(values: T) => {
  const schema = z
    .union([z.string(), z.array(z.string())])
    .transform((raw) => (Array.isArray(raw) ? raw : [raw]).flatMap((part) => part.split(',')).map((s) => s.trim()).filter((s) => s !== ''))
    .pipe(z.array(z.enum(values)))
    .meta({ description: `one or more of ${values.join(', ')}; repeated (name=a&name=b) or comma-separated (name=a,b)` });
  enumListFilters.set(schema, values);
  return schema;
};

// A repeated single-valued parameter (`limit=5&limit=9`) takes its last value.
const single = <S extends z.ZodType>(schema: S) => z.preprocess((v: unknown) => (Array.isArray(v) ? (v as unknown[])[v.length - 1] : v), schema);

/** Query of `GET /v1/cases`. */
export const listCasesQuerySchema = z
  .object({
    status: commaList(CASE_STATUSES).optional(),
    type: commaList(CASE_TYPES).optional(),
    breached: single(z.enum(['true', 'false']).transform((v) => v === 'true')).optional(),
    manualEvaluation: single(z.enum(['true', 'false']).transform((v) => v === 'true')).optional(),
    customerId: single(identifier('customerId')).optional(),
    orderId: single(identifier('orderId')).optional(),
    assignee: single(z.string().min(1).max(128)).optional(),
    sort: single(z.enum(['nextDeadline', 'createdAt'])).default('nextDeadline'),
    order: single(z.enum(['asc', 'desc'])).optional(),
    limit: single(z.coerce.number().int('must be a whole number').min(1).max(100)).default(20),
    cursor: single(z.string().min(1).max(1024).regex(/^[A-Za-z0-9_-]+$/, 'cursor is not base64url')).optional().meta({ description: 'nextCursor of the previous page' }),
  })
  .strict();
/** A validated list query. */
export type ListCasesQuery = z.output<typeof listCasesQuerySchema>;

// The case resource, for the OpenAPI document. The type checks below keep it equal to
// CaseSnapshot, so the documentation cannot drift from what the workflow returns.

const actorSchema = z.object({ kind: z.enum(['customer', 'agent', 'supervisor', 'admin', 'system', 'provider']), id: z.string() });
const clockNameSchema = z.enum(Object.values(ClockNames) as [ (typeof ClockNames)[keyof typeof ClockNames], ...(typeof ClockNames)[keyof typeof ClockNames][]]);
const budgetSchema = z.union([z.string(), z.object({ workingDays: z.number() }), z.object({ workingHours: z.number() })]);

/** The case resource of the API contract. */
export const caseSchema = z
  .object({
    id: z.string(),
    type: z.enum(CASE_TYPES),
    status: z.enum(CASE_STATUSES),
    orderId: z.string(),
    customerId: z.string(),
    items: z.array(
      z.object({
        sku: z.string(),
        quantity: z.number(),
        unitPrice: z.number(),
        orderedQuantity: z.number().optional(),
        category: z.string().optional(),
        lineId: z.string().optional(),
        linePaid: z.number().optional(),
        sharesSku: z.literal(true).optional(),
        title: z.string().optional(),
      }),
    ),
    reason: z.object({ code: z.enum(REASON_CODES), description: z.string().optional() }),
    evidence: z.array(z.string()),
    packagingIntact: z.boolean().optional(),
    order: z.object({
      paidAt: z.string(),
      deliveredAt: z.string().optional(),
      paymentMethod: z.enum(['online', 'cod']),
      paymentChannel: z.enum(PAYMENT_CHANNELS).optional(),
      total: z.number(),
      currency: z.string(),
      category: z.string().optional(),
    }),
    orderRead: z.object({ version: z.string(), readAt: z.string() }).optional().meta({
      description: "the order source's contract version and when the order facts above were read (absent on cases opened before the order source)",
    }),
    assignee: z.string().nullable(),
    priority: z.enum(['normal', 'high', 'urgent']),
    policyVersion: z.string(),
    manualEvaluation: z.boolean().meta({
      description: 'a quality claim accepted past its window: an agent evaluates it, it is never approved automatically (false on cases last written to the read model before the field)',
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().nullable(),
    sla: z.array(
      z.object({
        name: clockNameSchema,
        party: z.enum(['staff', 'customer']),
        budget: budgetSchema,
        startedAt: z.string(),
        deadline: z.string(),
        state: z.enum(['running', 'paused', 'met', 'breached']),
        breachedAt: z.string().optional(),
        stoppedAt: z.string().optional(),
        pausedAt: z.string().optional(),
        pausedMs: z.number(),
        warnedAt: z.string().optional(),
        bound: z.enum(['policy', 'statutory']).optional().meta({
          description: "which bound the deadline is on, for a clock under the statutory refund limit (a return's refund and the statutory_refund clock): the policy budget, or the law's 7 calendar days from receipt when it comes first",
        }),
      }),
    ),
    nextDeadline: z.string().nullable(),
    breached: z.boolean(),
    escalation: z.object({
      level: z.number(),
      history: z.array(
        z.object({
          level: z.number(),
          clock: clockNameSchema,
          at: z.string(),
          recipients: z.array(z.string()),
          reason: z.enum(['warning', 'breach']),
        }),
      ),
    }),
    refund: z
      .object({
        amount: z.number(),
        currency: z.string(),
        status: z.enum(['pending', 'requested', 'succeeded', 'failed']),
        id: z.string().optional(),
        idempotencyKey: z.string(),
        deduction: z.number().optional(),
        requested: z.number().optional().meta({ description: 'what the claim asked before the order-line ledger capped it (only when capped)' }),
        kind: z.enum(['refund', 'compensation', 'collection_refund']).optional(),
        method: z.literal('original_path'),
      })
      .nullable(),
    shipments: z.array(
      z.object({
        direction: z.enum(['return', 'outbound']),
        purpose: z
          .enum(['replacement', 'reship', 'repair_return', 'return_to_customer'])
          .optional()
          .meta({ description: 'why an outbound parcel ships' }),
        carrier: z.string(),
        trackingNumber: z.string(),
        status: z.enum(['label_created', 'shipped', 'picked_up', 'in_transit', 'delivered', 'exception']),
        labelId: z.string().optional(),
        via: z
          .enum(['label', 'own_courier'])
          .optional()
          .meta({ description: "a return parcel: on the shop's label, or by the customer's own courier (received only on the warehouse's scan-in)" }),
        updatedAt: z.string(),
      }),
    ),
    outcome: z.record(z.string(), z.unknown()),
    survey: z.object({ score: z.number(), comment: z.string().optional(), at: z.string() }).nullable(),
    timeline: z.array(z.object({ at: z.string(), actor: actorSchema, event: z.string(), data: z.record(z.string(), z.unknown()).optional() })),
    temporal: z.object({
      workflowId: z.string(),
      runId: z.string().optional(),
      uiUrl: z.string().optional(),
      historyLength: z.number().int().nonnegative().optional().meta({
        description: "events in the case workflow's history when this case was taken (a copy from the read model: when it was last written); watched by the AftersalesWorkflowHistoryLong alerts",
      }),
    }),
    version: z.number(),
    allowedCommands: z.array(z.enum(CASE_COMMAND_NAMES.map((name) => CASE_COMMAND_RULES[name].path) as [string, ...string[]])).meta({
      description:
        'the commands (POST /v1/cases/{id}/<command>) the caller may send now: their role may send them and the case takes them in its state (domain/case-commands.ts); one may still be refused for its content',
    }),
  })
  .meta({ description: 'An after-sales case, as the caller sees it' });

/** Compile-time check that `caseSchema` describes the API's case answer (CaseSnapshot + allowedCommands) exactly (in both directions). */
type Equivalent<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// Every property made required, so a field on one side only (optional or not) breaks the equivalence:
// the document forbids undeclared properties, so an undeclared optional field breaks every client that checks.
type Exact<T> = T extends object ? { [K in keyof T]-?: Exact<T[K]> } : T;
// `outcome` is declared as an open object (its fields appear stage by stage), so it is compared loosely.
type Declared = Omit<z.output<typeof caseSchema>, 'outcome'>;
const caseSchemaMatchesSnapshot: Equivalent<Exact<Declared>, Exact<Omit<CaseAnswer, 'outcome'>>> = true;
const outcomeFitsTheRecord: Exact<CaseSnapshot['outcome']> extends z.output<typeof caseSchema>['outcome'] ? true : false = true;
void outcomeFitsTheRecord;
void caseSchemaMatchesSnapshot;

