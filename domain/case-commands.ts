import type { UpdateDefinition } from '@temporalio/common';
import { defineUpdate } from '@temporalio/workflow';
import { isTerminal, type Actor, type CaseSnapshot, type CaseStatus, type CaseType, type OpenCaseRequest, type RefundView, type Role } from './case.types';
import { claimedAmount } from './eligibility';
import type { Policy } from './policy';

// THE table of case commands: what each one carries (its body type, then its Workflow Update, one
// per name), who may send it, in which states the case takes it, and why it is refused otherwise.
// The workflow's Update validators (workflows/case-runtime.ts) and the API (its audience check,
// api/case-commands.ts, and every answer's `allowedCommands`) read it; the desk renders its forms
// from `allowedCommands`. Refusals are small pure functions, in the spirit of Medusa's throwIf…
// order validations called inside its steps; the workflow throws what they return.

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
/**
 * The customer has sent the goods back. By default on the shop's return label (its carrier and
 * number; a number given must be the label's); `via: 'own_courier'` names the customer's own
 * courier and number, and such a parcel is received only when the warehouse scans it in.
 * (Cases opened before the label rule took any carrier and number, both required.)
 */
export interface ReturnShipmentCommand extends Command {
  via?: 'label' | 'own_courier';
  carrier?: string;
  trackingNumber?: string;
}
/** The warehouse (or repair center) has the parcel in hand: the number on the parcel scanned in. */
export interface ReceiveCommand extends Command {
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

/** Commands that a case stage waits for (answered synchronously as Workflow Updates). */
export type StageCommandName =
  | 'review'
  | 'customerInfo'
  | 'returnShipment'
  | 'receive'
  | 'inspection'
  | 'stockDecision'
  | 'quote'
  | 'repairResult'
  | 'resolution'
  | 'confirmReceipt';

/** Every case command; the name is also its Workflow Update's name. */
export type CaseCommandName = StageCommandName | 'cancel' | 'assign' | 'survey';

/** The command each name carries (body + actor), as its Update takes it. */
export interface CaseCommandBodies {
  review: ReviewCommand;
  customerInfo: CustomerInfoCommand;
  returnShipment: ReturnShipmentCommand;
  receive: ReceiveCommand;
  inspection: InspectionCommand;
  stockDecision: StockDecisionCommand;
  quote: QuoteCommand;
  repairResult: RepairResultCommand;
  resolution: ResolutionCommand;
  confirmReceipt: ConfirmReceiptCommand;
  cancel: CancelCommand;
  assign: AssignCommand;
  survey: SurveyCommand;
}

/**
 * Who may send a command: `staff` = agent, supervisor or admin; `owner` = the customer who
 * opened the case; `owner_or_supervisor` = that customer, a supervisor or an admin;
 * `owner_or_staff` = that customer or any staff role (an agent decides an alternative of another price);
 * `supervisor` = supervisor or admin.
 */
export type CommandAudience = 'staff' | 'owner' | 'owner_or_supervisor' | 'owner_or_staff' | 'supervisor';

/** The audiences in words, as the API's 403 names them. */
export const AUDIENCE_TEXT: Record<CommandAudience, string> = {
  staff: 'agents, supervisors and admins',
  owner: 'the customer who opened the case',
  owner_or_supervisor: 'the customer who opened the case, supervisors and admins',
  owner_or_staff: 'the customer who opened the case, agents, supervisors and admins',
  supervisor: 'supervisors and admins',
};

const SUPERVISOR_ROLES: readonly Role[] = ['supervisor', 'admin'];

/** True when a caller of this role may send a command of this audience at all (ownership is the case's to check). */
export function audienceAllows(audience: CommandAudience, role: Role): boolean {
  switch (audience) {
    case 'staff':
      return role !== 'customer';
    case 'owner':
      return role === 'customer';
    case 'owner_or_supervisor':
      return role === 'customer' || SUPERVISOR_ROLES.includes(role);
    case 'owner_or_staff':
      return true;
    case 'supervisor':
      return SUPERVISOR_ROLES.includes(role);
  }
}

/** A refusal: the failure type (the API maps it to 409, 403 or 400), the message, and the fields it names. */
export interface CommandRefusal {
  type: (typeof CommandErrorTypes)[keyof typeof CommandErrorTypes];
  message: string;
  fields?: { field: string; message: string }[];
}

/** What of a case the state rules read: the workflow has it in its record, the API in the snapshot. */
export interface CommandCase {
  type: CaseType;
  status: CaseStatus;
  customerId: string;
  refund: Pick<RefundView, 'status'> | null;
  /** True once the satisfaction survey was answered. */
  surveyAnswered: boolean;
  /** True when the case's return parcel can be scanned in (the label rule; absent or false on cases before it). */
  takesScanIn?: boolean;
}

/**
 * The parcel a case waits to receive back, as the return rules read it: the label the shop issued,
 * and once the customer sent it, the parcel on its way. Null on a case that reached its return
 * stage before the label rule (it takes any typed number and no scan-in).
 */
export interface ReturnParcelFacts {
  /** Null until the courier has issued the label (a report without a number waits for it). */
  label: { carrier: string; trackingNumber: string } | null;
  /** The parcel the customer reported sent (absent until then). */
  sent?: { via: 'label' | 'own_courier'; carrier: string; trackingNumber: string };
}

/** What the content rules read besides the case's state: its request and policy (only the workflow has them). */
export interface CommandInputCase extends CommandCase {
  request: Pick<OpenCaseRequest, 'type' | 'items' | 'order'>;
  policy: Pick<Policy, 'exchange'> & { compensation?: Partial<Policy['compensation']> };
  returnParcel: ReturnParcelFacts | null;
}

/**
 * Rules released behind `patched()` that a refusal depends on: the workflow passes its case's
 * features (workflows/features.ts); the API, which does not know them, passes today's (all true).
 */
export interface CommandRuleFeatures {
  /** Order-ledger cases: cancel waits for a refund with the provider, a complaint closes with a resolution, coupons are capped. */
  orderLedger: boolean;
}

/** Today's rules: what a case opened now runs. */
export const CURRENT_RULES: CommandRuleFeatures = { orderLedger: true };

/** One row of the table. */
export interface CommandRule<N extends CaseCommandName = CaseCommandName> {
  /** `POST /v1/cases/:id/<path>`, and the name `allowedCommands` lists. */
  path: string;
  audience: CommandAudience;
  /** Stage commands: the statuses in which the case takes it (any other answers 409). */
  statuses?: readonly CaseStatus[];
  /** Why the case refuses the command from this actor now, whatever its content (null: it takes it). */
  stateRefusal(c: CommandCase, actor: Actor, features: CommandRuleFeatures): CommandRefusal | null;
  /** Why the case refuses this content (checked after the state; null: fine). */
  inputRefusal(c: CommandInputCase, command: CaseCommandBodies[N], features: CommandRuleFeatures): CommandRefusal | null;
}

const invalidState = (message: string): CommandRefusal => ({ type: CommandErrorTypes.invalidState, message });
const invalidInput = (message: string | null): CommandRefusal | null => (message === null ? null : { type: CommandErrorTypes.invalidInput, message });

/** 403 when a customer other than the one who opened the case sends a command (staff may act on any case). */
export function ownerRefusal(c: Pick<CommandCase, 'customerId'>, actor: Actor): CommandRefusal | null {
  if (actor.kind === 'customer' && actor.id !== c.customerId) {
    return { type: CommandErrorTypes.forbidden, message: 'only the customer who opened the case may do this' };
  }
  return null;
}

/** Statuses in which the owner may still withdraw the case: the goods have not left them yet. */
export const OWNER_CANCELLABLE_STATUSES: readonly CaseStatus[] = [
  'awaiting_review',
  'awaiting_customer_info',
  'awaiting_return_shipment',
  'awaiting_quote_acceptance',
];

/** True when the owner may withdraw a case of this type in this status (a complaint or courier inquiry can be withdrawn while investigated). */
export function ownerMayCancel(type: CaseType, status: CaseStatus): boolean {
  if (OWNER_CANCELLABLE_STATUSES.includes(status)) return true;
  // A repair quote is paid before the item is sent in; other payments come after the goods reached the warehouse.
  if (type === 'repair' && status === 'awaiting_payment') return true;
  return (type === 'complaint' || type === 'courier_exception') && status === 'investigating';
}

/**
 * Why a cancel cannot be taken from this actor now: a closed case; the owner once the goods left
 * them (only a supervisor or admin overrides); and (order ledger) a refund or compensation already
 * handed to the payment provider, which cannot be called back, so the case waits for its settlement.
 */
export function cancelStateRefusal(c: CommandCase, actor: Actor, features: CommandRuleFeatures): CommandRefusal | null {
  const notOwner = ownerRefusal(c, actor);
  if (notOwner) return notOwner;
  if (isTerminal(c.status)) return invalidState(`the case is already ${c.status}`);
  const supervisor = actor.kind === 'supervisor' || actor.kind === 'admin';
  if (!supervisor && !ownerMayCancel(c.type, c.status)) {
    const why = c.status === 'awaiting_payment' ? 'the goods are already with us' : 'the goods are on their way';
    return invalidState(`${why} (${c.status}): only a supervisor can cancel now`);
  }
  if (features.orderLedger && c.refund && (c.refund.status === 'pending' || c.refund.status === 'requested')) {
    return invalidState('a refund is with the payment provider; the case can be cancelled only once it settles or fails');
  }
  return null;
}

/**
 * Staff closing a complaint must record its resolution (order ledger: a complaint never closes
 * without one). A conflict with what the case is (409), not a malformed request: the same body closes any other case.
 */
export function cancelInputRefusal(c: Pick<CommandCase, 'type'>, command: CancelCommand, features: CommandRuleFeatures): CommandRefusal | null {
  if (features.orderLedger && c.type === 'complaint' && command.actor.kind !== 'customer' && !command.resolution?.trim()) {
    const message = 'closing a complaint needs its resolution: give resolution, how the complaint was resolved';
    return { type: CommandErrorTypes.invalidState, message, fields: [{ field: 'resolution', message: 'required to close a complaint' }] };
  }
  return null;
}

/** The survey opens when the case is closed, once. */
export function surveyStateRefusal(c: CommandCase, actor: Actor): CommandRefusal | null {
  const notOwner = ownerRefusal(c, actor);
  if (notOwner) return notOwner;
  if (!isTerminal(c.status)) return invalidState(`the survey opens when the case is closed; it is ${c.status}`);
  if (c.surveyAnswered) return invalidState('the survey was already answered');
  return null;
}

/** A survey score is a whole number from 1 to 5. */
export function surveyInputRefusal(command: Pick<SurveyCommand, 'score'>): CommandRefusal | null {
  const { score } = command;
  return invalidInput(!Number.isInteger(score) || score < 1 || score > 5 ? 'score must be an integer from 1 to 5' : null);
}

/** A review other than an approval tells the customer why. */
export function reviewProblem(command: Pick<ReviewCommand, 'decision' | 'note'>): string | null {
  const { decision, note } = command;
  return decision !== 'approve' && !note?.trim() ? `a ${decision} decision needs a note for the customer` : null;
}

/** A partial refund at inspection: returns only, a positive amount no larger than the claim. */
export function inspectionProblem(c: Pick<CommandInputCase, 'request'>, command: Pick<InspectionCommand, 'refundAmount'>): string | null {
  const { refundAmount } = command;
  if (refundAmount === undefined) return null;
  // An exchange inspection passes (a replacement ships) or fails (the goods go back): there is no partial refund.
  if (c.request.type !== 'return') return 'refundAmount is for returns: an exchange inspection passes or fails';
  if (!Number.isInteger(refundAmount) || refundAmount <= 0) return 'refundAmount must be a positive integer in minor units';
  const claimed = claimedAmount(c.request);
  return refundAmount > claimed ? `refundAmount ${refundAmount} exceeds the claimed amount ${claimed}` : null;
}

const noScanIn: CommandRefusal = { type: CommandErrorTypes.invalidState, message: "this case was opened before warehouse scan-in: its parcel is received on the courier's delivery" };
const labelNotYet: CommandRefusal = { type: CommandErrorTypes.invalidState, message: 'the return label is still being issued: try again in a moment' };

/** Tracking numbers compare as couriers print them: case and surrounding spaces do not matter. */
export function sameTrackingNumber(a: string, b: string): boolean {
  return a.trim().toUpperCase() === b.trim().toUpperCase();
}

/**
 * A return parcel goes on the shop's label unless the customer names their own courier: a number
 * that is not the label's is a conflict with the case (409) naming the field, so a neighbour's
 * delivered parcel cannot complete a return. Own courier needs its carrier and number (400).
 * Cases opened before the label rule (no label facts) take a typed carrier and number, as they did.
 */
export function returnShipmentRefusal(c: Pick<CommandInputCase, 'returnParcel'>, command: Omit<ReturnShipmentCommand, 'actor'>): CommandRefusal | null {
  const { via, carrier, trackingNumber } = command;
  const typed = (field: 'carrier' | 'trackingNumber') => ({ field, message: 'required when the parcel goes by your own courier' });
  if (c.returnParcel === null) {
    if (via === 'own_courier' || !carrier?.trim() || !trackingNumber?.trim()) {
      const fields = [...(carrier?.trim() ? [] : [{ field: 'carrier', message: 'required for this case' }]), ...(trackingNumber?.trim() ? [] : [{ field: 'trackingNumber', message: 'required for this case' }])];
      return { type: CommandErrorTypes.invalidInput, message: 'this case was opened before return labels: give the carrier and the tracking number of the parcel', fields };
    }
    return null;
  }
  if (via === 'own_courier') {
    const missing = [...(carrier?.trim() ? [] : [typed('carrier')]), ...(trackingNumber?.trim() ? [] : [typed('trackingNumber')])];
    if (missing.length > 0) return { type: CommandErrorTypes.invalidInput, message: 'a parcel sent by your own courier needs its carrier and tracking number', fields: missing };
    return null;
  }
  const { label } = c.returnParcel;
  // Before the courier's answer the case cannot check a typed number; a plain report waits for the label in the inbox.
  if (label === null) return trackingNumber !== undefined || carrier !== undefined ? labelNotYet : null;
  if (trackingNumber !== undefined && !sameTrackingNumber(trackingNumber, label.trackingNumber)) {
    const message = `tracking number ${trackingNumber} is not the one on the shop's return label (${label.trackingNumber}): send the parcel with the label, or say you use your own courier (via: own_courier)`;
    return { type: CommandErrorTypes.invalidState, message, fields: [{ field: 'trackingNumber', message: `must be the label's number ${label.trackingNumber}, or send via own_courier` }] };
  }
  if (carrier !== undefined && carrier.trim().toUpperCase() !== label.carrier.toUpperCase()) {
    const message = `the return label is for ${label.carrier}, not ${carrier}: send the parcel with the label, or say you use your own courier (via: own_courier)`;
    return { type: CommandErrorTypes.invalidState, message, fields: [{ field: 'carrier', message: `must be the label's carrier ${label.carrier}, or send via own_courier` }] };
  }
  return null;
}

/**
 * A scan-in names the parcel in hand: before the customer reported it, only the label's parcel
 * (the shop knows that number); after, the parcel the case waits for. Any other is a 409 in words.
 */
export function receiveRefusal(c: Pick<CommandInputCase, 'returnParcel'>, command: Omit<ReceiveCommand, 'actor'>): CommandRefusal | null {
  if (c.returnParcel === null) return noScanIn;
  const expected = c.returnParcel.sent?.trackingNumber ?? c.returnParcel.label?.trackingNumber;
  if (expected === undefined) return labelNotYet;
  if (sameTrackingNumber(command.trackingNumber, expected)) return null;
  const which = c.returnParcel.sent?.via === 'own_courier' ? "the customer's own courier parcel" : "the shop's return label";
  const message = `the parcel in hand (${command.trackingNumber}) is not the one this case waits for: expected ${expected}, ${which}`;
  return { type: CommandErrorTypes.invalidState, message, fields: [{ field: 'trackingNumber', message: `expected ${expected}` }] };
}

/** An alternative item after a stock-out: only when the policy allows one, and naming its sku. */
export function stockDecisionProblem(c: Pick<CommandInputCase, 'policy'>, command: Pick<StockDecisionCommand, 'decision' | 'sku'>): string | null {
  if (command.decision !== 'alternative') return null;
  if (!c.policy.exchange.allowAlternativeSku) return 'the policy allows no alternative item: choose a refund';
  return command.sku?.trim() ? null : 'an alternative needs the sku of the item wanted instead';
}

/**
 * A resolution describes itself; a courier exception takes an outcome, a complaint compensation;
 * a coupon is capped by the policy (order ledger: older cases had no cap), a refund by the order total.
 */
export function resolutionProblem(c: Pick<CommandInputCase, 'request' | 'policy'>, command: Omit<ResolutionCommand, 'actor'>, features: CommandRuleFeatures): string | null {
  const { resolution, outcome, compensation } = command;
  if (!resolution.trim()) return 'resolution must describe how the case was resolved';
  const type = c.request.type;
  if (type === 'courier_exception' && !outcome) return 'a courier exception needs an outcome: found, reship or refund';
  if (type === 'complaint' && outcome) return 'a complaint takes compensation, not an outcome';
  if (type === 'courier_exception' && compensation) return 'a courier exception takes an outcome (found, reship or refund), not compensation';
  if (compensation && (!Number.isInteger(compensation.amount) || compensation.amount <= 0)) {
    return 'compensation.amount must be a positive integer in minor units';
  }
  // Coupons are goodwill, capped by the policy (older policies had no cap).
  const couponCap = c.policy.compensation?.maxCouponAmount;
  if (compensation?.kind === 'coupon' && couponCap !== undefined && features.orderLedger && compensation.amount > couponCap) {
    return `a coupon of ${compensation.amount} exceeds the policy's largest goodwill coupon ${couponCap}`;
  }
  if (compensation?.kind === 'refund' && compensation.amount > c.request.order.total) {
    return `a refund compensation of ${compensation.amount} exceeds the order total ${c.request.order.total}`;
  }
  return null;
}

/** A stage command: its owner check and its statuses; `problem` checks its content (400). */
function stage<N extends StageCommandName>(
  name: N,
  path: string,
  audience: CommandAudience,
  statuses: readonly CaseStatus[],
  problem: (c: CommandInputCase, command: CaseCommandBodies[N], features: CommandRuleFeatures) => string | null = () => null,
): CommandRule<N> {
  return {
    path,
    audience,
    statuses,
    stateRefusal: (c, actor) => {
      const notOwner = ownerRefusal(c, actor);
      if (notOwner) return notOwner;
      return statuses.includes(c.status) ? null : invalidState(`${name} is not allowed while the ${c.type} case is ${c.status}`);
    },
    inputRefusal: (c, command, features) => invalidInput(problem(c, command, features)),
  };
}

/** The warehouse's scan-in, while a return parcel can be on its way in (a case before the label rule takes none). */
const scanIn = stage('receive', 'receive', 'staff', ['awaiting_return_shipment', 'return_in_transit']);

/** Every case command, in the order of the contract table: path, audience, statuses and refusals. */
export const CASE_COMMAND_RULES: { readonly [N in CaseCommandName]: CommandRule<N> } = {
  review: stage('review', 'review', 'staff', ['awaiting_review'], (_c, command) => reviewProblem(command)),
  customerInfo: stage('customerInfo', 'customer-info', 'owner', ['awaiting_customer_info']),
  returnShipment: { ...stage('returnShipment', 'return-shipment', 'owner', ['awaiting_return_shipment']), inputRefusal: (c, command) => returnShipmentRefusal(c, command) },
  receive: {
    ...scanIn,
    stateRefusal: (c, actor, features) => scanIn.stateRefusal(c, actor, features) ?? (c.takesScanIn ? null : noScanIn),
    // A parcel that is not the one awaited is a conflict with the case (409), not a malformed body.
    inputRefusal: (c, command) => receiveRefusal(c, command),
  },
  inspection: stage('inspection', 'inspection', 'staff', ['inspecting'], inspectionProblem),
  stockDecision: stage('stockDecision', 'stock-decision', 'owner_or_staff', ['awaiting_stock_decision'], stockDecisionProblem),
  quote: stage('quote', 'quote', 'owner', ['awaiting_quote_acceptance']),
  repairResult: stage('repairResult', 'repair-result', 'staff', ['repairing']),
  resolution: stage('resolution', 'resolution', 'staff', ['investigating'], resolutionProblem),
  confirmReceipt: stage('confirmReceipt', 'confirm-receipt', 'owner', ['awaiting_customer_confirmation']),
  cancel: { path: 'cancel', audience: 'owner_or_supervisor', stateRefusal: cancelStateRefusal, inputRefusal: cancelInputRefusal },
  assign: {
    path: 'assign',
    audience: 'supervisor',
    // No owner check: only supervisors send it.
    stateRefusal: (c) => (isTerminal(c.status) ? invalidState(`the case is already ${c.status}`) : null),
    inputRefusal: (_c, command) => invalidInput(command.assignee.trim() ? null : 'assignee must not be empty'),
  },
  survey: { path: 'survey', audience: 'owner', stateRefusal: surveyStateRefusal, inputRefusal: (_c, command) => surveyInputRefusal(command) },
};

/** Every command name, in the order of the table. */
export const CASE_COMMAND_NAMES = Object.keys(CASE_COMMAND_RULES) as CaseCommandName[];

/**
 * The Workflow Update of each command, one per name of the table and named as the table names it
 * (the name is in every recorded history: never rename one), taking that command's body + actor.
 */
export const COMMAND_UPDATES = Object.fromEntries(CASE_COMMAND_NAMES.map((name) => [name, defineUpdate(name)])) as {
  readonly [N in CaseCommandName]: UpdateDefinition<CaseSnapshot, [CaseCommandBodies[N]], N>;
};

/**
 * The paths of the commands this actor (of this role) may send to the case now: its audience
 * admits the role and the case's state takes it from them. The content is not known yet, so a
 * command listed may still be refused for what it says (a complaint's cancel without a resolution).
 */
export function allowedCommands(c: CommandCase, actor: Actor & { kind: Role }, features: CommandRuleFeatures = CURRENT_RULES): string[] {
  return CASE_COMMAND_NAMES.filter((name) => {
    const rule = CASE_COMMAND_RULES[name] as CommandRule;
    return audienceAllows(rule.audience, actor.kind) && rule.stateRefusal(c, actor, features) === null;
  }).map((name) => CASE_COMMAND_RULES[name].path);
}
