import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import {
  audienceAllows,
  AUDIENCE_TEXT,
  CASE_COMMAND_NAMES,
  CASE_COMMAND_RULES,
  type CaseCommandBodies,
  type CaseCommandName,
  type CommandAudience,
} from '../domain/case-commands';
import type { CaseSnapshot } from '../domain/case.types';
import {
  assignUpdate,
  cancelUpdate,
  confirmReceiptUpdate,
  customerInfoUpdate,
  inspectionUpdate,
  quoteUpdate,
  repairResultUpdate,
  resolutionUpdate,
  returnShipmentUpdate,
  reviewUpdate,
  stockDecisionUpdate,
  surveyUpdate,
} from '../domain/workflow-contract';
import type { Principal } from './auth';
import {
  assignBodySchema,
  cancelBodySchema,
  confirmReceiptBodySchema,
  customerInfoBodySchema,
  inspectionBodySchema,
  quoteBodySchema,
  repairResultBodySchema,
  resolutionBodySchema,
  returnShipmentBodySchema,
  reviewBodySchema,
  stockDecisionBodySchema,
  surveyBodySchema,
} from './cases.schemas';
import { forbidden } from './errors';

/**
 * One command of the API: its body schema and Workflow Update here; its path and audience from
 * the command table (domain/case-commands.ts), which also says when the case takes it.
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

// The body schema's output plus the actor must be what the update takes: checked here, at compile time.
const command = <N extends CaseCommandName>(
  name: N,
  schema: z.ZodType<Omit<CaseCommandBodies[N], 'actor'>>,
  update: UpdateDefinition<CaseSnapshot, [CaseCommandBodies[N]]>,
  summary: string,
): CaseCommand => {
  const { path, audience } = CASE_COMMAND_RULES[name];
  return { name, path, audience, schema, update: update as unknown as UpdateDefinition<CaseSnapshot, [never]>, summary };
};

// One entry per name of the table: a command the table gains without a schema does not compile.
const BY_NAME: { readonly [N in CaseCommandName]: CaseCommand } = {
  review: command('review', reviewBodySchema, reviewUpdate, 'Review the case: approve, reject or ask the customer for information'),
  customerInfo: command('customerInfo', customerInfoBodySchema, customerInfoUpdate, 'Answer a request for information'),
  returnShipment: command('returnShipment', returnShipmentBodySchema, returnShipmentUpdate, 'Report the parcel sent back'),
  inspection: command('inspection', inspectionBodySchema, inspectionUpdate, 'Record the warehouse inspection of returned goods'),
  stockDecision: command('stockDecision', stockDecisionBodySchema, stockDecisionUpdate, 'Choose a refund or an alternative after an out-of-stock exchange'),
  quote: command('quote', quoteBodySchema, quoteUpdate, 'Accept or decline a paid-repair quote'),
  repairResult: command('repairResult', repairResultBodySchema, repairResultUpdate, 'Record the repair result'),
  resolution: command('resolution', resolutionBodySchema, resolutionUpdate, 'Record the resolution of a complaint or courier exception'),
  confirmReceipt: command('confirmReceipt', confirmReceiptBodySchema, confirmReceiptUpdate, 'Confirm receipt of the replacement or repaired item'),
  cancel: command('cancel', cancelBodySchema, cancelUpdate, 'Withdraw the case'),
  assign: command('assign', assignBodySchema, assignUpdate, 'Assign the case to an agent'),
  survey: command('survey', surveyBodySchema, surveyUpdate, 'Answer the satisfaction survey after the case closed'),
};

/** Every case command of the contract, in the order of the command table. */
export const CASE_COMMANDS: readonly CaseCommand[] = CASE_COMMAND_NAMES.map((name) => BY_NAME[name]);

/** 403 unless the caller's role may send the command at all (the case checks ownership and state); the API's only audience check. */
export function assertAudience(command: CaseCommand, principal: Principal): void {
  if (!audienceAllows(command.audience, principal.role)) throw forbidden(`${command.path} is for ${AUDIENCE_TEXT[command.audience]}`);
}
