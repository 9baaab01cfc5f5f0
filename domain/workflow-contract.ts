import { defineQuery, defineSignal } from '@temporalio/workflow';
import { COMMAND_UPDATES } from './case-commands';
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

/**
 * The feature level at which a case also sends its notifications through the outbox from its start
 * (patch notification-outbox, workflows/features.ts) without asking patched().
 */
export const FEATURE_LEVEL_OUTBOX = 3;

/**
 * The feature level at which a case's return parcel goes on the shop's label from its start
 * (patch return-on-label, workflows/features.ts) without asking patched(): what the API sets now.
 */
export const FEATURE_LEVEL_RETURN_LABEL = 4;

/**
 * The feature level at which a return also runs the statutory refund limit from its start (patch
 * statutory-refund-limit, workflows/features.ts) without asking patched(): what the API sets now.
 */
export const FEATURE_LEVEL_STATUTORY_REFUND = 5;

/** What a case workflow returns when it ends. */
export interface CaseWorkflowResult {
  caseId: string;
  status: CaseSnapshot['status'];
  closedAt: string | null;
}

// The commands (their bodies, failure types and Updates) live with the command table in
// domain/case-commands.ts; re-exported here, where the rest of the contract is, for its many importers.
export {
  CommandErrorTypes,
  type ReviewCommand,
  type CustomerInfoCommand,
  type ReturnShipmentCommand,
  type InspectionCommand,
  type StockDecisionCommand,
  type QuoteCommand,
  type RepairResultCommand,
  type ResolutionCommand,
  type ConfirmReceiptCommand,
  type CancelCommand,
  type AssignCommand,
  type SurveyCommand,
} from './case-commands';

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
export const reviewUpdate = COMMAND_UPDATES.review;
/** Customer answers a request for information. */
export const customerInfoUpdate = COMMAND_UPDATES.customerInfo;
/** Customer reports the return parcel. */
export const returnShipmentUpdate = COMMAND_UPDATES.returnShipment;
/** The warehouse scans the returned parcel in. */
export const receiveUpdate = COMMAND_UPDATES.receive;
/** Warehouse records the inspection. */
export const inspectionUpdate = COMMAND_UPDATES.inspection;
/** Customer decides after an out-of-stock exchange. */
export const stockDecisionUpdate = COMMAND_UPDATES.stockDecision;
/** Customer accepts or declines a repair quote. */
export const quoteUpdate = COMMAND_UPDATES.quote;
/** Repair center reports a result. */
export const repairResultUpdate = COMMAND_UPDATES.repairResult;
/** Agent records a resolution. */
export const resolutionUpdate = COMMAND_UPDATES.resolution;
/** Customer confirms receipt. */
export const confirmReceiptUpdate = COMMAND_UPDATES.confirmReceipt;
/** Owner or supervisor cancels the case. */
export const cancelUpdate = COMMAND_UPDATES.cancel;
/** Supervisor assigns the case. */
export const assignUpdate = COMMAND_UPDATES.assign;
/** Customer answers the satisfaction survey. */
export const surveyUpdate = COMMAND_UPDATES.survey;

/** Courier tracking callback. */
export const courierEventSignal = defineSignal<[CourierEvent]>('courierEvent');
/** Payment settlement callback. */
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');
/** Payment settlement of a collection (money the customer pays us). */
export const collectionEventSignal = defineSignal<[CollectionEvent]>('collectionEvent');

/** The case as it is now. */
export const getCaseQuery = defineQuery<CaseSnapshot>('getCase');

export type { ReasonCode };
