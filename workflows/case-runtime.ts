import { ApplicationFailure, CancelledFailure, condition, setHandler, sleep, TemporalFailure } from '@temporalio/workflow';
import { commandRefusal, ownerMayCancel, type StageCommandName } from '../domain/case-commands';
import type { Actor, CaseSnapshot } from '../domain/case.types';
import { durationMs } from '../domain/duration';
import { closingNotificationKey } from '../domain/keys';
import { openingState } from '../domain/opening-state';
import {
  assignUpdate,
  cancelUpdate,
  collectionEventSignal,
  CommandErrorTypes,
  confirmReceiptUpdate,
  courierEventSignal,
  customerInfoUpdate,
  getCaseQuery,
  inspectionUpdate,
  paymentEventSignal,
  quoteUpdate,
  repairResultUpdate,
  resolutionUpdate,
  returnShipmentUpdate,
  reviewUpdate,
  stockDecisionUpdate,
  surveyUpdate,
  type AssignCommand,
  type CancelCommand,
  type CaseWorkflowInput,
  type CaseWorkflowResult,
  type SurveyCommand,
} from '../domain/workflow-contract';
import { settled } from './activation';
import { providers, readModel } from './activities';
import { sinks } from './sinks';
import { CaseClosed, CaseRecord, SYSTEM, type StageCommands } from './case-record';
import { applyCollectionEvent, applyCourierEvent, applyPaymentEvent } from './provider-events';
import { caseFeatures } from './features';
import { releaseUnsettledReservations } from './money';
import { notifyStaffQueue } from './notify';
import { commandProblem } from './command-validation';
import { answerCustomerTimeout, autoApproveReviewOnBreach } from './policy-hooks';
import { superviseClocks, type ClockHooks } from './sla-supervisor';
import { invalidInput } from './validation';

/** How a case type plugs into the shared runtime. */
export interface CaseFlow {
  /** Policy auto-actions and customer-timeout answers (the defaults answer every customer clock). */
  hooks?: Partial<ClockHooks>;
  /** The case's stages, in order; returns when the case reached its end. */
  run(record: CaseRecord): Promise<void>;
}

/**
 * Runs one case: wires the messages, the SLA supervisor and the read-model projector around
 * the type's stages, then keeps the case open for the survey before the workflow ends.
 */
export async function runCase(input: CaseWorkflowInput, flow: CaseFlow): Promise<CaseWorkflowResult> {
  // The status, outcome, opening entry and first clock the API's 201 answer shows, too.
  // A case the API stamped opens at the instant the API accepted it (its 201 and start search attributes are this state).
  const openedAtMs = input.openedAt === undefined ? Date.now() : Date.parse(input.openedAt);
  const opening = openingState(input, openedAtMs);
  const record = new CaseRecord(input, opening);
  record.features = caseFeatures(input.featureLevel);
  if (input.openedAt !== undefined) record.adoptStartSearchAttributes();
  wireHandlers(record);
  record.stampedAt(openedAtMs, () => record.log(opening.opened.actor, opening.opened.event, opening.opened.data));

  const projector = record.features.leanHistory ? publishEachActivation(record) : projectReadModel(record);
  const latePayments = record.features.orderLedger ? tellStaffOfLatePayments(record) : Promise.resolve();
  const supervisor = superviseClocks(record, {
    onStaffBreach: flow.hooks?.onStaffBreach ?? autoApproveReviewOnBreach,
    onCustomerTimeout: flow.hooks?.onCustomerTimeout ?? answerCustomerTimeout,
  });
  // Started once the supervisor waits on the clocks, right before the stages: where every
  // recorded history has it (its search-attribute upsert, then the stage's first commands).
  record.stampedAt(openedAtMs, () => record.startClock(opening.clock.name));
  try {
    await flow.run(record);
  } catch (err) {
    if (!(err instanceof CaseClosed)) throw err;
  }
  if (!record.closed) record.close('completed', SYSTEM, 'case.completed');
  if (record.features.orderLedger) {
    // Payments still asked of the customer are off; one that arrives anyway is a late payment a person pays back.
    for (const collection of record.collections) if (collection.status === 'pending' || collection.status === 'requested') collection.status = 'unpaid';
    // A case that ends holding money it never paid out (cancelled, expired, unpaid) gives it back to its lines.
    await releaseUnsettledReservations(record);
  }
  await notifyCustomerOfClosing(record);

  // Keep the case open for the satisfaction survey; late callbacks are still recorded.
  await condition(() => record.survey !== null, durationMs(record.policy.survey.window), { summary: 'survey window' });
  record.finished = true;
  await supervisor;
  await latePayments;
  await projector;
  return { caseId: record.id, status: record.status, closedAt: record.closedAt };
}

/**
 * Cases before `lean-history`: writes every new version of the case to the read model with a
 * local activity, in order, until the workflow ends. While
 * the database is down it backs off on a durable timer (the case goes on meanwhile) and then
 * writes the latest version, so the read model catches up with nothing lost.
 */
async function projectReadModel(record: CaseRecord): Promise<void> {
  let written = 0;
  let failures = 0;
  for (;;) {
    await condition(() => record.version > written || record.finished);
    if (record.version <= written) return;
    const snapshot = record.snapshot();
    try {
      await readModel.projectCase.executeWithOptions({ summary: `project case v${snapshot.version} (${snapshot.status})` }, [snapshot]);
      written = snapshot.version;
      failures = 0;
    } catch (err) {
      // A failed local activity surfaces as an ActivityFailure or, from core, as its ApplicationFailure cause.
      if (!(err instanceof TemporalFailure) || err instanceof CancelledFailure) throw err;
      failures++;
      await sleep(Math.min(30_000, 1000 * 2 ** failures), { summary: `read model unreachable: retry ${failures}` });
    }
  }
}

/**
 * Once per activation that changed the case, when nothing else in it will: upserts the search
 * attributes (one history event, not one per change) and hands the snapshot to the worker's
 * read-model sink (no history event; written before the workflow task completes, or queued while
 * the database fails — worker/read-model-publisher.ts). Runs until the workflow ends.
 */
async function publishEachActivation(record: CaseRecord): Promise<void> {
  let published = 0;
  for (;;) {
    await condition(() => record.version > published || record.finished);
    if (record.version <= published) return;
    await settled(record);
    published = record.version;
    record.flushSearchAttributes();
    sinks.readModel.caseChanged(record.snapshot());
  }
}

/** Tells the staff queue of each payment that arrived after the case went on without it, until the workflow ends. */
async function tellStaffOfLatePayments(record: CaseRecord): Promise<void> {
  let told = 0;
  for (;;) {
    await condition(() => record.latePayments.length > told || record.finished);
    const late = record.latePayments[told];
    if (!late) return;
    told++;
    await notifyStaffQueue(record, 'payment_received_late', `late-payment-${late.collectionId}`, { purpose: late.purpose, amount: late.amount });
  }
}

async function notifyCustomerOfClosing(record: CaseRecord): Promise<void> {
  await providers.notify.executeWithOptions({ summary: `notify customer: case_${record.status}` }, [
    {
      idempotencyKey: closingNotificationKey(record.id, record.status),
      message: {
        caseId: record.id,
        recipient: { kind: 'customer', customerId: record.input.request.customerId },
        template: `case_${record.status}`,
        params: {
          caseType: record.input.request.type,
          closedBy: record.closing?.event ?? null,
          note: record.closing?.note ?? null,
          surveyOpenFor: record.policy.survey.window,
          ...(record.features.leanHistory && record.refund?.status === 'succeeded' ? { refundAmount: record.refund.amount, refundCurrency: record.refund.currency } : {}),
        },
      },
    },
  ]);
}

/**
 * Why a cancel cannot be taken now (order-ledger feature): a refund or compensation already
 * handed to the payment provider cannot be called back, so the case waits for its settlement;
 * staff closing a complaint must record its resolution (a complaint never closes without one).
 */
function cancelProblem(
  record: CaseRecord,
  command: CancelCommand,
): { type: (typeof CommandErrorTypes)[keyof typeof CommandErrorTypes]; message: string; fields?: { field: string; message: string }[] } | null {
  const refund = record.refund;
  if (refund && (refund.status === 'pending' || refund.status === 'requested')) {
    return { type: CommandErrorTypes.invalidState, message: 'a refund is with the payment provider; the case can be cancelled only once it settles or fails' };
  }
  // A conflict with what the case is (a complaint), not a malformed request: the same body closes any other case.
  if (record.input.request.type === 'complaint' && command.actor.kind !== 'customer' && !command.resolution?.trim()) {
    const message = 'closing a complaint needs its resolution: give resolution, how the complaint was resolved';
    return { type: CommandErrorTypes.invalidState, message, fields: [{ field: 'resolution', message: 'required to close a complaint' }] };
  }
  return null;
}

/** A complaint closed by a cancel still records its resolution: staff give it; the customer's withdrawal is one. */
function recordComplaintClosing(record: CaseRecord, command: CancelCommand): void {
  const text = command.actor.kind === 'customer' ? 'withdrawn by the customer' : (command.resolution ?? '').trim();
  record.outcome.resolution = { text, compensation: null, by: command.actor.id, closedBy: 'cancel' };
  record.log(command.actor, 'complaint.resolved', { by: 'cancel' });
}

function refuse(type: (typeof CommandErrorTypes)[keyof typeof CommandErrorTypes], message: string, fields?: { field: string; message: string }[]): never {
  // The fields travel as the failure's first detail: the API answers them as the error's details.
  if (fields) throw ApplicationFailure.create({ message, type, nonRetryable: true, details: [fields] });
  throw ApplicationFailure.nonRetryable(message, type);
}

function requireOwnerOrStaff(record: CaseRecord, actor: Actor): void {
  if (actor.kind === 'customer' && actor.id !== record.input.request.customerId) {
    refuse(CommandErrorTypes.forbidden, 'only the customer who opened the case may do this');
  }
}

function wireHandlers(record: CaseRecord): void {
  setHandler(getCaseQuery, () => record.snapshot());

  const stageUpdate = <N extends StageCommandName>(name: N) => ({
    validator: (command: StageCommands[N]) => {
      requireOwnerOrStaff(record, command.actor);
      const refusal = commandRefusal(name, record.status, record.input.request.type);
      if (refusal) refuse(CommandErrorTypes.invalidState, refusal);
      if (record.hasQueued(name)) refuse(CommandErrorTypes.invalidState, `another ${name} command is already being processed`);
      invalidInput(commandProblem(record, name, command));
    },
    handler: async (command: StageCommands[N]): Promise<CaseSnapshot> => record.awaitHandled(record.enqueue(name, command)),
  });

  const wire = <N extends StageCommandName>(def: Parameters<typeof setHandler>[0], name: N) => {
    const { validator, handler } = stageUpdate(name);
    // The definitions are typed per command in domain/workflow-contract.ts; the wiring is uniform.
    setHandler(def as never, handler as never, { validator: validator as never });
  };
  wire(reviewUpdate, 'review');
  wire(customerInfoUpdate, 'customerInfo');
  wire(returnShipmentUpdate, 'returnShipment');
  wire(inspectionUpdate, 'inspection');
  wire(stockDecisionUpdate, 'stockDecision');
  wire(quoteUpdate, 'quote');
  wire(repairResultUpdate, 'repairResult');
  wire(resolutionUpdate, 'resolution');
  wire(confirmReceiptUpdate, 'confirmReceipt');

  setHandler(
    cancelUpdate,
    (command) => {
      if (record.features.orderLedger && record.input.request.type === 'complaint') recordComplaintClosing(record, command);
      record.close('cancelled', command.actor, 'case.cancelled', command.note ? { note: command.note } : undefined);
      return record.snapshot();
    },
    {
      validator: (command: CancelCommand) => {
        requireOwnerOrStaff(record, command.actor);
        if (record.closed) refuse(CommandErrorTypes.invalidState, `the case is already ${record.status}`);
        const isStaff = command.actor.kind === 'supervisor' || command.actor.kind === 'admin';
        if (!isStaff && !ownerMayCancel(record.input.request.type, record.status)) {
          const why = record.status === 'awaiting_payment' ? 'the goods are already with us' : 'the goods are on their way';
          refuse(CommandErrorTypes.invalidState, `${why} (${record.status}): only a supervisor can cancel now`);
        }
        if (record.features.orderLedger) {
          const problem = cancelProblem(record, command);
          if (problem) refuse(problem.type, problem.message, problem.fields);
        }
      },
    },
  );

  setHandler(
    assignUpdate,
    (command) => {
      const from = record.assignee;
      record.assignee = command.assignee;
      record.log(command.actor, 'case.assigned', { from, to: command.assignee });
      if (from !== null && from !== command.assignee) {
        for (const name of record.policy.assignment.restartClocksOnReassign) record.restartClock(name, command.actor);
      }
      return record.snapshot();
    },
    {
      validator: (command: AssignCommand) => {
        if (record.closed) refuse(CommandErrorTypes.invalidState, `the case is already ${record.status}`);
        if (!command.assignee.trim()) refuse(CommandErrorTypes.invalidInput, 'assignee must not be empty');
      },
    },
  );

  setHandler(
    surveyUpdate,
    (command) => {
      record.survey = { score: command.score, ...(command.comment ? { comment: command.comment } : {}), at: new Date(record.now()).toISOString() };
      record.log(command.actor, 'survey.answered', { score: command.score });
      return record.snapshot();
    },
    {
      validator: (command: SurveyCommand) => {
        requireOwnerOrStaff(record, command.actor);
        if (!record.closed) refuse(CommandErrorTypes.invalidState, `the survey opens when the case is closed; it is ${record.status}`);
        if (record.survey) refuse(CommandErrorTypes.invalidState, 'the survey was already answered');
        if (!Number.isInteger(command.score) || command.score < 1 || command.score > 5) {
          refuse(CommandErrorTypes.invalidInput, 'score must be an integer from 1 to 5');
        }
      },
    },
  );

  setHandler(courierEventSignal, (event) => applyCourierEvent(record, event));
  setHandler(paymentEventSignal, (event) => applyPaymentEvent(record, event));
  setHandler(collectionEventSignal, (event) => applyCollectionEvent(record, event));
}
