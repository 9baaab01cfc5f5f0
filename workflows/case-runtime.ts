import { allHandlersFinished, ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { CASE_COMMAND_NAMES, CASE_COMMAND_RULES, COMMAND_UPDATES, type CaseCommandBodies, type CaseCommandName, type CommandInputCase, type CommandRefusal, type CommandRule, type CommandRuleFeatures, type StageCommandName } from '../domain/case-commands';
import type { CaseSnapshot } from '../domain/case.types';
import { durationMs } from '../domain/duration';
import { closingNotificationKey } from '../domain/keys';
import { openingState } from '../domain/opening-state';
import {
  collectionEventSignal,
  CommandErrorTypes,
  courierEventSignal,
  getCaseQuery,
  paymentEventSignal,
  type CancelCommand,
  type CaseWorkflowInput,
  type CollectionEvent,
  type CaseWorkflowResult,
} from '../domain/workflow-contract';
import { settled } from './activation';
import { providers } from './activities';
import { sinks } from './sinks';
import { CaseClosed, CaseRecord, SYSTEM, type StageCommands } from './case-record';
import { applyCollectionEvent, applyConfirmedLatePayment, applyCourierEvent, applyPaymentEvent } from './provider-events';
import { caseFeatures, isPatched } from './features';
import { beforeLeanHistory, projectEachVersion } from './legacy/lean-history';
import { beforeOrderLedger } from './legacy/order-ledger';
import { releaseUnsettledReservations } from './money';
import { customerMessage, notifyStaffQueue, send } from './notify';
import { deliverOutbox, outboxDrained } from './outbox';
import { answerCustomerTimeout, autoApproveReviewOnBreach } from './policy-hooks';
import { superviseClocks, type ClockHooks } from './sla-supervisor';

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

  const projector = beforeLeanHistory(record) ? projectEachVersion(record) : publishEachActivation(record);
  const latePayments = beforeOrderLedger(record) ? Promise.resolve() : tellStaffOfLatePayments(record);
  // Sends what the case queues, beside it (patch notification-outbox); records nothing while nothing is queued.
  const deliveries = deliverOutbox(record);
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
  if (!beforeOrderLedger(record)) {
    // Payments still asked of the customer are off; one that arrives anyway is a late payment a person pays back.
    const stillAsked = record.collections.filter((c) => c.status === 'pending' || c.status === 'requested');
    for (const collection of stillAsked) collection.status = 'unpaid';
    if (stillAsked.length > 0) record.confirmsLatePayments ||= isPatched('latePaymentsConfirmed');
    // A case that ends holding money it never paid out (cancelled, expired, unpaid) gives it back to its lines.
    await releaseUnsettledReservations(record);
  }
  await notifyCustomerOfClosing(record);

  // Keep the case open for the satisfaction survey; late callbacks are still recorded.
  await condition(() => record.survey !== null, durationMs(record.policy.survey.window), { summary: 'survey window' });
  // No notification is lost because the case closed: the workflow ends once each was delivered or
  // given up on (its `notification.failed` entry still reaches the read model), and no handler runs.
  if (record.features.notificationOutbox) await outboxDrained(record);
  record.finished = true;
  await supervisor;
  await latePayments;
  await projector;
  await deliveries;
  if (record.features.notificationOutbox) await condition(allHandlersFinished);
  return { caseId: record.id, status: record.status, closedAt: record.closedAt };
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

/**
 * Tells the staff queue of each payment that arrived after the case went on without it, until the
 * workflow ends; a reported one is first looked up at the provider (patch late-payments-confirmed):
 * only a payment its record shows paid, with the collection's amount, is one to pay back.
 */
async function tellStaffOfLatePayments(record: CaseRecord): Promise<void> {
  let told = 0;
  for (;;) {
    await condition(() => record.latePayments.length > told || record.latePaymentReports.length > 0 || record.finished);
    const report = record.latePaymentReports.shift();
    if (report) {
      await confirmLatePayment(record, report);
      continue;
    }
    const late = record.latePayments[told];
    if (!late) return;
    told++;
    await notifyStaffQueue(record, 'payment_received_late', `late-payment-${late.collectionId}`, { purpose: late.purpose, amount: late.amount });
  }
}

/**
 * Looks a reported late payment up at the provider; records it only when the provider was paid the
 * collection's amount. A provider without a look-up cannot be asked: the report is recorded as it
 * always was, for a person to check before paying anything back.
 */
async function confirmLatePayment(record: CaseRecord, report: CollectionEvent): Promise<void> {
  const collection = record.collections.find((c) => c.id === report.collectionId);
  if (!collection) return;
  const found = await providers.lookUpCollection.executeWithOptions({ summary: `look up collection ${collection.purpose} reported paid late at the provider` }, [{ collectionId: report.collectionId }]);
  if ((found.status === 'succeeded' && found.amount === collection.amount) || found.status === 'unsupported') applyConfirmedLatePayment(record, report, found.status === 'succeeded');
}

/** The customer's closing message (queued on the outbox; the old path waits for it). */
async function notifyCustomerOfClosing(record: CaseRecord): Promise<void> {
  await send(record, [
    customerMessage(record, `case_${record.status}`, closingNotificationKey(record.id, record.status), {
      caseType: record.input.request.type,
      closedBy: record.closing?.event ?? null,
      note: record.closing?.note ?? null,
      surveyOpenFor: record.policy.survey.window,
      // The settled refund is told here (before lean-history it had its own message).
      ...(!beforeLeanHistory(record) && record.refund?.status === 'succeeded' ? { refundAmount: record.refund.amount, refundCurrency: record.refund.currency } : {}),
    }),
  ]);
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

/** What the command table's rules read of this case (domain/case-commands.ts). */
function commandCase(record: CaseRecord): CommandInputCase {
  const request = record.input.request;
  return {
    type: request.type,
    status: record.status,
    customerId: request.customerId,
    refund: record.refund,
    surveyAnswered: record.survey !== null,
    takesScanIn: record.returnParcel !== null,
    request,
    policy: record.policy,
    returnParcel: record.returnParcel,
  };
}

/** The rules released behind patched() that the table's refusals depend on, as this case runs them. */
const ruleFeatures = (record: CaseRecord): CommandRuleFeatures => ({ orderLedger: record.features.orderLedger });

/** Refuses the Update with the table's refusal, if any. */
function refuseIf(refusal: CommandRefusal | null): void {
  if (refusal) refuse(refusal.type, refusal.message, refusal.fields);
}

/** The Update validator of a command: the table's state rule, then (stages) one at a time, then its content rule. */
function commandValidator<N extends CaseCommandName>(record: CaseRecord, name: N): (command: CaseCommandBodies[N]) => void {
  const rule = CASE_COMMAND_RULES[name] as CommandRule<N>;
  return (command) => {
    const c = commandCase(record);
    const features = ruleFeatures(record);
    refuseIf(rule.stateRefusal(c, command.actor, features));
    // A stage command still waiting for its stage holds the place of the next one of its kind.
    if (rule.statuses && record.hasQueued(name as StageCommandName)) refuse(CommandErrorTypes.invalidState, `another ${name} command is already being processed`);
    refuseIf(rule.inputRefusal(c, command, features));
  };
}

/** The table's stage commands (those taken only in given statuses), in its order. */
const STAGE_COMMAND_NAMES = CASE_COMMAND_NAMES.filter((name): name is StageCommandName => CASE_COMMAND_RULES[name].statuses !== undefined);

function wireHandlers(record: CaseRecord): void {
  setHandler(getCaseQuery, () => record.snapshot());

  const stageUpdate = <N extends StageCommandName>(name: N) => ({
    validator: commandValidator(record, name),
    handler: async (command: StageCommands[N]): Promise<CaseSnapshot> => record.awaitHandled(record.enqueue(name, command)),
  });

  // Every stage command of the table queues for its stage alike (the stages take them from the record).
  for (const name of STAGE_COMMAND_NAMES) {
    const { validator, handler } = stageUpdate(name);
    // COMMAND_UPDATES types each definition by its command; the wiring is uniform.
    setHandler(COMMAND_UPDATES[name] as never, handler as never, { validator: validator as never });
  }

  setHandler(
    COMMAND_UPDATES.cancel,
    (command) => {
      if (!beforeOrderLedger(record) && record.input.request.type === 'complaint') recordComplaintClosing(record, command);
      record.close('cancelled', command.actor, 'case.cancelled', command.note ? { note: command.note } : undefined);
      return record.snapshot();
    },
    { validator: commandValidator(record, 'cancel') },
  );

  setHandler(
    COMMAND_UPDATES.assign,
    (command) => {
      const from = record.assignee;
      record.assignee = command.assignee;
      record.log(command.actor, 'case.assigned', { from, to: command.assignee });
      if (from !== null && from !== command.assignee) {
        for (const name of record.policy.assignment.restartClocksOnReassign) record.restartClock(name, command.actor);
      }
      return record.snapshot();
    },
    { validator: commandValidator(record, 'assign') },
  );

  setHandler(
    COMMAND_UPDATES.survey,
    (command) => {
      record.survey = { score: command.score, ...(command.comment ? { comment: command.comment } : {}), at: new Date(record.now()).toISOString() };
      record.log(command.actor, 'survey.answered', { score: command.score });
      return record.snapshot();
    },
    { validator: commandValidator(record, 'survey') },
  );

  setHandler(courierEventSignal, (event) => applyCourierEvent(record, event));
  setHandler(paymentEventSignal, (event) => applyPaymentEvent(record, event));
  setHandler(collectionEventSignal, (event) => applyCollectionEvent(record, event));
}
