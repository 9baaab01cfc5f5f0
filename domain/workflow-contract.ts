import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, CaseSnapshot, CaseType, OpenCaseRequest, ReasonCode } from './case.types';
import type { Policy } from './policy';

/** Default task queue of the worker and the API (overridable by TEMPORAL_TASK_QUEUE). */
export const DEFAULT_TASK_QUEUE = 'aftersales';

/** Workflow type name per case type (one workflow per type). */
export const WORKFLOW_TYPE_BY_CASE_TYPE: Record<CaseType, string> = {
  return: 'returnCaseWorkflow',
  exchange: 'exchangeCaseWorkflow',
  repair: 'repairCaseWorkflow',
  complaint: 'complaintCaseWorkflow',
  refund_only: 'refundOnlyCaseWorkflow',
  reship: 'reshipCaseWorkflow',
  courier_exception: 'courierExceptionCaseWorkflow',
};

/** What the eligibility check concluded when the case was opened. */
export interface EligibilityFacts {
  manualEvaluation: boolean;
  inWarranty: boolean | null;
  customerPaysShipping: boolean;
  notes: string[];
}

/** The one input of every case workflow. */
export interface CaseWorkflowInput {
  caseId: string;
  request: OpenCaseRequest;
  /** The policy in force when the case opened; the case keeps it to the end. */
  policy: Policy;
  openedBy: Actor;
  eligibility: EligibilityFacts;
  /**
   * When the API accepted the case (ISO): the case's opening is stamped with it (createdAt, the
   * opening entry, the first clock's start), so the API's 201, its opening read-model document and
   * its start search attributes are the first workflow task's own. Absent on cases started before.
   */
  openedAt?: string;
  /**
   * The released workflow changes (workflows/features.ts) this case runs from its start, decided
   * by the API that opened it instead of by patch markers in its first task. Absent: each change
   * is asked with patched(), as histories recorded before recorded it.
   */
  featureLevel?: number;
}

/**
 * The feature level at which a case runs the lean-history and order-ledger paths without asking
 * patched() (workflows/features.ts): what the API sets in CaseWorkflowInput.featureLevel.
 */
export const FEATURE_LEVEL_LEDGER = 1;

/**
 * The feature level at which a case also upserts the OverdueSince and OverdueClock search
 * attributes from its start without asking patched() (workflows/features.ts): what the API sets now.
 */
export const FEATURE_LEVEL_OVERDUE = 2;

/** What a case workflow returns when it ends. */
export interface CaseWorkflowResult {
  caseId: string;
  status: CaseSnapshot['status'];
  closedAt: string | null;
}

/** Failure types a command validator raises; the API maps them to HTTP statuses. */
export const CommandErrorTypes = {
  /** The case's state does not allow the command (409). */
  invalidState: 'InvalidCaseState',
  /** The actor may not issue this command on this case (403). */
  forbidden: 'CommandForbidden',
  /** The command's content is wrong for this case (400). */
  invalidInput: 'InvalidCommandInput',
} as const;

/** Every command carries who issued it. */
interface Command {
  actor: Actor;
}

/** Agent review decision. */
export interface ReviewCommand extends Command {
  decision: 'approve' | 'reject' | 'request_info';
  note?: string;
  /** Repair cases: the agent found human damage (人为损坏), so the repair is paid even in warranty. */
  humanDamage?: boolean;
}
/** The customer's answer to a request for information. */
export interface CustomerInfoCommand extends Command {
  message: string;
  evidence?: string[];
}
/** The parcel the customer sent back. */
export interface ReturnShipmentCommand extends Command {
  carrier: string;
  trackingNumber: string;
}
/** Warehouse inspection of returned goods. */
export interface InspectionCommand extends Command {
  result: 'pass' | 'fail';
  note?: string;
  /** A partial refund in minor units; absent on fail means the return is rejected. */
  refundAmount?: number;
}
/** The customer's choice after an out-of-stock exchange. */
export interface StockDecisionCommand extends Command {
  decision: 'refund' | 'alternative';
  sku?: string;
}
/** The customer's answer to a paid-repair quote. */
export interface QuoteCommand extends Command {
  accept: boolean;
}
/** The repair center's result. */
export interface RepairResultCommand extends Command {
  outcome: 'repaired' | 'unrepairable';
  verified: boolean;
  note?: string;
}
/** A complaint or courier-exception resolution. */
export interface ResolutionCommand extends Command {
  resolution: string;
  outcome?: 'found' | 'reship' | 'refund';
  compensation?: { kind: 'refund' | 'coupon'; amount: number };
}
/** The customer has received the replacement or repaired item. */
export type ConfirmReceiptCommand = Command;
/** Withdraw the case. */
export interface CancelCommand extends Command {
  note?: string;
  /** Staff closing a complaint: how it was resolved (a complaint never closes without a resolution). */
  resolution?: string;
}
/** Assign the case to an agent. */
export interface AssignCommand extends Command {
  assignee: string;
}
/** The satisfaction survey. */
export interface SurveyCommand extends Command {
  score: number;
  comment?: string;
}

/** A courier tracking event, delivered by the courier webhook. */
export interface CourierEvent {
  eventId: string;
  trackingNumber: string;
  event: 'picked_up' | 'in_transit' | 'delivered' | 'exception';
  at: string;
  detail?: string;
}
/** A refund settlement, delivered by the payment webhook. */
export interface PaymentEvent {
  eventId: string;
  refundId: string;
  status: 'succeeded' | 'failed';
  at: string;
  reason?: string;
}

/** A collection settlement (the customer paid, or the payment failed), delivered by the payment webhook. */
export interface CollectionEvent {
  eventId: string;
  collectionId: string;
  status: 'succeeded' | 'failed';
  at: string;
  reason?: string;
}

/** Agent review: approve, reject, or ask the customer for more information. */
export const reviewUpdate = defineUpdate<CaseSnapshot, [ReviewCommand]>('review');
/** Customer answers a request for information. */
export const customerInfoUpdate = defineUpdate<CaseSnapshot, [CustomerInfoCommand]>('customerInfo');
/** Customer reports the return parcel. */
export const returnShipmentUpdate = defineUpdate<CaseSnapshot, [ReturnShipmentCommand]>('returnShipment');
/** Warehouse records the inspection. */
export const inspectionUpdate = defineUpdate<CaseSnapshot, [InspectionCommand]>('inspection');
/** Customer decides after an out-of-stock exchange. */
export const stockDecisionUpdate = defineUpdate<CaseSnapshot, [StockDecisionCommand]>('stockDecision');
/** Customer accepts or declines a repair quote. */
export const quoteUpdate = defineUpdate<CaseSnapshot, [QuoteCommand]>('quote');
/** Repair center reports a result. */
export const repairResultUpdate = defineUpdate<CaseSnapshot, [RepairResultCommand]>('repairResult');
/** Agent records a resolution. */
export const resolutionUpdate = defineUpdate<CaseSnapshot, [ResolutionCommand]>('resolution');
/** Customer confirms receipt. */
export const confirmReceiptUpdate = defineUpdate<CaseSnapshot, [ConfirmReceiptCommand]>('confirmReceipt');
/** Owner or supervisor cancels the case. */
export const cancelUpdate = defineUpdate<CaseSnapshot, [CancelCommand]>('cancel');
/** Supervisor assigns the case. */
export const assignUpdate = defineUpdate<CaseSnapshot, [AssignCommand]>('assign');
/** Customer answers the satisfaction survey. */
export const surveyUpdate = defineUpdate<CaseSnapshot, [SurveyCommand]>('survey');

/** Courier tracking callback. */
export const courierEventSignal = defineSignal<[CourierEvent]>('courierEvent');
/** Payment settlement callback. */
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
/** Payment settlement of a collection (money the customer pays us). */
export const collectionEventSignal = defineSignal<[CollectionEvent]>('collectionEvent');

/** The case as it is now. */
export const getCaseQuery = defineQuery<CaseSnapshot>('getCase');

export type { ReasonCode };
