import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { Actor, CaseSnapshot } from '../domain/case.types';
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

/**
 * Who may send a command: `staff` = agent, supervisor or admin; `owner` = the customer who
 * opened the case; `owner_or_supervisor` = that customer, a supervisor or an admin;
 * `owner_or_staff` = that customer or any staff role (an agent decides an alternative of another price);
 * `supervisor` = supervisor or admin.
 */
export type CommandAudience = 'staff' | 'owner' | 'owner_or_supervisor' | 'owner_or_staff' | 'supervisor';

/** One command of the API: its path segment, body schema, Workflow Update and audience. */
export interface CaseCommand {
  /** `POST /v1/cases/:id/<path>`. */
  path: string;
  summary: string;
  audience: CommandAudience;
  schema: z.ZodType;
  // Every update takes one command object (body + actor) and returns the case.
  update: UpdateDefinition<CaseSnapshot, [never]>;
}

// The body schema's output plus the actor must be what the update takes: checked here, at compile time.
const command = <A extends { actor: Actor }>(
  path: string,
  audience: CommandAudience,
  schema: z.ZodType<Omit<A, 'actor'>>,
  update: UpdateDefinition<CaseSnapshot, [A]>,
  summary: string,
): CaseCommand => ({ path, audience, schema, update: update as unknown as UpdateDefinition<CaseSnapshot, [never]>, summary });

/** Every case command of the contract, in the order of the contract table. */
export const CASE_COMMANDS: readonly CaseCommand[] = [
  command('review', 'staff', reviewBodySchema, reviewUpdate, 'Review the case: approve, reject or ask the customer for information'),
  command('customer-info', 'owner', customerInfoBodySchema, customerInfoUpdate, 'Answer a request for information'),
  command('return-shipment', 'owner', returnShipmentBodySchema, returnShipmentUpdate, 'Report the parcel sent back'),
  command('inspection', 'staff', inspectionBodySchema, inspectionUpdate, 'Record the warehouse inspection of returned goods'),
  command('stock-decision', 'owner_or_staff', stockDecisionBodySchema, stockDecisionUpdate, 'Choose a refund or an alternative after an out-of-stock exchange'),
  command('quote', 'owner', quoteBodySchema, quoteUpdate, 'Accept or decline a paid-repair quote'),
  command('repair-result', 'staff', repairResultBodySchema, repairResultUpdate, 'Record the repair result'),
  command('resolution', 'staff', resolutionBodySchema, resolutionUpdate, 'Record the resolution of a complaint or courier exception'),
  command('confirm-receipt', 'owner', confirmReceiptBodySchema, confirmReceiptUpdate, 'Confirm receipt of the replacement or repaired item'),
  command('cancel', 'owner_or_supervisor', cancelBodySchema, cancelUpdate, 'Withdraw the case'),
  command('assign', 'supervisor', assignBodySchema, assignUpdate, 'Assign the case to an agent'),
  command('survey', 'owner', surveyBodySchema, surveyUpdate, 'Answer the satisfaction survey after the case closed'),
];
