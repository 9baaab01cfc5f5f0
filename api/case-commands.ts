import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import {
  audienceAllows,
  AUDIENCE_TEXT,
  CASE_COMMAND_NAMES,
  CASE_COMMAND_RULES,
  COMMAND_UPDATES,
  type CaseCommandBodies,
  type CaseCommandName,
  type CommandAudience,
} from '../domain/case-commands';
import type { CaseSnapshot } from '../domain/case.types';
import type { Principal } from './auth';
import { evidenceUrl, identifier, positiveMinorUnits, text } from './cases.schemas';
import { forbidden } from './errors';

// The body of each command (`POST /v1/cases/:id/<path>`), beside its entry below: strict, so an
// unknown field is a 400. Validation and the OpenAPI document both come from here.

/** Body of `POST /v1/cases/:id/review`. */
export const reviewBodySchema = z
  .object({
    decision: z.enum(['approve', 'reject', 'request_info']),
    note: text().optional().meta({ description: 'required for reject and request_info' }),
    humanDamage: z.boolean().optional().meta({ description: 'repair cases: the damage was caused by the customer, so the repair is paid even in warranty' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.decision !== 'approve' && body.note === undefined) {
      ctx.addIssue({ code: 'custom', path: ['note'], message: `a note is required when the decision is ${body.decision}` });
    }
  });

/** Body of `POST /v1/cases/:id/customer-info`. */
export const customerInfoBodySchema = z.object({ message: text(), evidence: z.array(evidenceUrl).max(20).optional() }).strict();

const trackingNumber = z.string().regex(/^[A-Za-z0-9-]{4,64}$/, 'must be 4-64 letters, digits or dashes');

/** Body of `POST /v1/cases/:id/return-shipment`: the label's parcel by default, or the customer's own courier. */
export const returnShipmentBodySchema = z
  .object({
    via: z
      .enum(['label', 'own_courier'])
      .optional()
      .meta({ description: "label (the default): the parcel goes on the shop's return label, whose carrier and number the case already knows; own_courier: the customer's own courier, received only when the warehouse scans it in" }),
    carrier: text(64).optional().meta({ description: "own_courier: the courier's name (required); label: if given, must be the label's" }),
    trackingNumber: trackingNumber.optional().meta({ description: "own_courier: the parcel's number (required); label: if given, must be the label's (409 otherwise)" }),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.via !== 'own_courier') return;
    for (const field of ['carrier', 'trackingNumber'] as const) {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'required when the parcel goes by your own courier (via: own_courier)' });
    }
  });

/** Body of `POST /v1/cases/:id/receive`: the number on the parcel the warehouse has in hand. */
export const receiveBodySchema = z.object({ trackingNumber: trackingNumber.meta({ description: 'the number printed on the parcel scanned in' }) }).strict();

/** Body of `POST /v1/cases/:id/inspection`. */
export const inspectionBodySchema = z
  .object({
    result: z.enum(['pass', 'fail']),
    note: text().optional(),
    refundAmount: positiveMinorUnits.optional().meta({ description: 'a partial refund in minor units' }),
  })
  .strict();

/** Body of `POST /v1/cases/:id/stock-decision`. */
export const stockDecisionBodySchema = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('refund') }).strict(),
  z.object({ decision: z.literal('alternative'), sku: identifier('sku') }).strict(),
]);

/** Body of `POST /v1/cases/:id/quote`. */
export const quoteBodySchema = z.object({ accept: z.boolean() }).strict();

/** Body of `POST /v1/cases/:id/repair-result`. */
export const repairResultBodySchema = z
  .object({ outcome: z.enum(['repaired', 'unrepairable']), verified: z.boolean(), note: text().optional() })
  .strict();

/** Body of `POST /v1/cases/:id/resolution`. */
export const resolutionBodySchema = z
  .object({
    resolution: text(4000),
    outcome: z.enum(['found', 'reship', 'refund']).optional(),
    compensation: z.object({ kind: z.enum(['refund', 'coupon']), amount: positiveMinorUnits }).strict().optional(),
  })
  .strict();

/** Body of `POST /v1/cases/:id/confirm-receipt` (empty). */
export const confirmReceiptBodySchema = z.object({}).strict();

/** Body of `POST /v1/cases/:id/cancel`. */
export const cancelBodySchema = z
  .object({
    note: text().optional(),
    resolution: text().optional().meta({ description: 'staff closing a complaint: how it was resolved (required for complaints)' }),
  })
  .strict();

/** Body of `POST /v1/cases/:id/assign`. */
export const assignBodySchema = z.object({ assignee: z.string().trim().min(1, 'must not be empty').max(128) }).strict();

/** Body of `POST /v1/cases/:id/survey`. */
export const surveyBodySchema = z
  .object({ score: z.number().int('must be a whole number').min(1).max(5), comment: text().optional() })
  .strict();

/**
 * One command of the API: its body schema and summary here; its path, audience and Workflow Update
 * from the command table (domain/case-commands.ts), which also says when the case takes it.
 */
export interface CaseCommand {
  name: CaseCommandName;
  /** `POST /v1/cases/:id/<path>`. */
  path: string;
  summary: string;
  audience: CommandAudience;
  schema: z.ZodType;
  // Every update takes one command object (body + actor) and returns the case.
  update: UpdateDefinition<CaseSnapshot, [never]>;
}

// The body schema's output plus the actor must be what the command's Update takes: checked here, at compile time.
const command = <N extends CaseCommandName>(name: N, schema: z.ZodType<Omit<CaseCommandBodies[N], 'actor'>>, summary: string): CaseCommand => {
  const { path, audience } = CASE_COMMAND_RULES[name];
  return { name, path, audience, schema, update: COMMAND_UPDATES[name] as unknown as UpdateDefinition<CaseSnapshot, [never]>, summary };
};

// One entry per name of the table: a command the table gains without a schema does not compile.
const BY_NAME: { readonly [N in CaseCommandName]: CaseCommand } = {
  review: command('review', reviewBodySchema, 'Review the case: approve, reject or ask the customer for information'),
  customerInfo: command('customerInfo', customerInfoBodySchema, 'Answer a request for information'),
  returnShipment: command('returnShipment', returnShipmentBodySchema, 'Report the parcel sent back (on the return label, or by your own courier)'),
  receive: command('receive', receiveBodySchema, 'Scan in the returned parcel at the warehouse (or repair center): the goods are received'),
  inspection: command('inspection', inspectionBodySchema, 'Record the warehouse inspection of returned goods'),
  stockDecision: command('stockDecision', stockDecisionBodySchema, 'Choose a refund or an alternative after an out-of-stock exchange'),
  quote: command('quote', quoteBodySchema, 'Accept or decline a paid-repair quote'),
  repairResult: command('repairResult', repairResultBodySchema, 'Record the repair result'),
  resolution: command('resolution', resolutionBodySchema, 'Record the resolution of a complaint or courier exception'),
  confirmReceipt: command('confirmReceipt', confirmReceiptBodySchema, 'Confirm receipt of the replacement or repaired item'),
  cancel: command('cancel', cancelBodySchema, 'Withdraw the case'),
  assign: command('assign', assignBodySchema, 'Assign the case to an agent'),
  survey: command('survey', surveyBodySchema, 'Answer the satisfaction survey after the case closed'),
};

/** Every case command of the contract, in the order of the command table. */
export const CASE_COMMANDS: readonly CaseCommand[] = CASE_COMMAND_NAMES.map((name) => BY_NAME[name]);

/** 403 unless the caller's role may send the command at all (the case checks ownership and state); the API's only audience check. */
export function assertAudience(command: CaseCommand, principal: Principal): void {
  if (!audienceAllows(command.audience, principal.role)) throw forbidden(`${command.path} is for ${AUDIENCE_TEXT[command.audience]}`);
}
