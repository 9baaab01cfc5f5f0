import {
  allowedCommands,
  audienceAllows,
  CASE_COMMAND_NAMES,
  CASE_COMMAND_RULES,
  type CommandCase,
  type CommandInputCase,
  type CommandRule,
} from '../../domain/case-commands';
import type { Actor, CaseStatus, CaseType } from '../../domain/case.types';
import { defaultPolicy } from '../../domain/policy';
import { CommandErrorTypes } from '../../domain/workflow-contract';

// The command table (domain/case-commands.ts), read as behaviour: who may send what, when, and why not.

const owner: Actor = { kind: 'customer', id: 'c-1' };
const stranger: Actor = { kind: 'customer', id: 'c-2' };
const agent: Actor & { kind: 'agent' } = { kind: 'agent', id: 'li.wei' };
const supervisor: Actor & { kind: 'supervisor' } = { kind: 'supervisor', id: 'zhang.min' };
const customer: Actor & { kind: 'customer' } = { kind: 'customer', id: 'c-1' };
const today = { orderLedger: true };
const before = { orderLedger: false };

const aCase = (type: CaseType, status: CaseStatus, more: Partial<CommandCase> = {}): CommandCase => ({ type, status, customerId: 'c-1', refund: null, surveyAnswered: false, ...more });
const withRequest = (c: CommandCase, total = 5000): CommandInputCase => ({
  ...c,
  request: { type: c.type, items: [{ sku: 'SKU-1', quantity: 1, unitPrice: 5000 }], order: { paidAt: '2026-04-10T08:00:00Z', paymentMethod: 'online', total, currency: 'CNY' } },
  policy: defaultPolicy(),
});
const rule = <N extends keyof typeof CASE_COMMAND_RULES>(name: N) => CASE_COMMAND_RULES[name] as CommandRule<N>;

describe('who may send a command at all (audience)', () => {
  it('keeps reviews, inspections, repair results and resolutions for staff, and customers to their own steps', () => {
    expect(audienceAllows(CASE_COMMAND_RULES.review.audience, 'customer')).toBe(false);
    expect(audienceAllows(CASE_COMMAND_RULES.review.audience, 'agent')).toBe(true);
    expect(audienceAllows(CASE_COMMAND_RULES.returnShipment.audience, 'agent')).toBe(false);
    expect(audienceAllows(CASE_COMMAND_RULES.returnShipment.audience, 'customer')).toBe(true);
  });

  it('lets the owner or a supervisor cancel, not an agent; only supervisors assign; both sides decide a stock-out', () => {
    expect(['customer', 'agent', 'supervisor', 'admin'].filter((role) => audienceAllows(CASE_COMMAND_RULES.cancel.audience, role as never))).toEqual(['customer', 'supervisor', 'admin']);
    expect(['customer', 'agent', 'supervisor', 'admin'].filter((role) => audienceAllows(CASE_COMMAND_RULES.assign.audience, role as never))).toEqual(['supervisor', 'admin']);
    expect(['customer', 'agent', 'supervisor', 'admin'].every((role) => audienceAllows(CASE_COMMAND_RULES.stockDecision.audience, role as never))).toBe(true);
  });

  it('names every command once, each with its own path', () => {
    const paths = CASE_COMMAND_NAMES.map((name) => CASE_COMMAND_RULES[name].path);
    expect(new Set(paths).size).toBe(12);
    expect(paths).toEqual(['review', 'customer-info', 'return-shipment', 'inspection', 'stock-decision', 'quote', 'repair-result', 'resolution', 'confirm-receipt', 'cancel', 'assign', 'survey']);
  });
});

describe('when the case takes a stage command', () => {
  it('takes a review only while the case awaits it, and says why otherwise', () => {
    expect(rule('review').stateRefusal(aCase('return', 'awaiting_review'), agent, today)).toBeNull();
    expect(rule('review').stateRefusal(aCase('return', 'inspecting'), agent, today)).toEqual({
      type: CommandErrorTypes.invalidState,
      message: 'review is not allowed while the return case is inspecting',
    });
  });

  it('refuses another customer with 403 before looking at the status', () => {
    expect(rule('returnShipment').stateRefusal(aCase('return', 'inspecting'), stranger, today)).toEqual({
      type: CommandErrorTypes.forbidden,
      message: 'only the customer who opened the case may do this',
    });
  });

  it('asks a note of a rejection, and caps a partial refund at the claim', () => {
    const c = withRequest(aCase('return', 'inspecting'));
    expect(rule('review').inputRefusal(c, { actor: agent, decision: 'reject' }, today)?.message).toBe('a reject decision needs a note for the customer');
    expect(rule('inspection').inputRefusal(c, { actor: agent, result: 'pass', refundAmount: 6000 }, today)).toEqual({
      type: CommandErrorTypes.invalidInput,
      message: 'refundAmount 6000 exceeds the claimed amount 5000',
    });
    expect(rule('inspection').inputRefusal(c, { actor: agent, result: 'pass', refundAmount: 4000 }, today)).toBeNull();
  });

  it('caps a goodwill coupon by the policy only for cases on the order ledger', () => {
    const c = withRequest(aCase('complaint', 'investigating'), 100_000);
    const coupon = { actor: agent, resolution: 'sorry', compensation: { kind: 'coupon' as const, amount: 20_000 } };
    expect(rule('resolution').inputRefusal(c, coupon, today)?.message).toBe("a coupon of 20000 exceeds the policy's largest goodwill coupon 10000");
    expect(rule('resolution').inputRefusal(c, coupon, before)).toBeNull();
  });
});

describe('cancel', () => {
  it('lets the owner withdraw a return until the goods leave them', () => {
    expect(rule('cancel').stateRefusal(aCase('return', 'awaiting_return_shipment'), owner, today)).toBeNull();
  });

  it('does not let the owner cancel a return whose goods are on their way', () => {
    expect(rule('cancel').stateRefusal(aCase('return', 'return_in_transit'), owner, today)).toEqual({
      type: CommandErrorTypes.invalidState,
      message: 'the goods are on their way (return_in_transit): only a supervisor can cancel now',
    });
  });

  it('says the goods are with us when a return waits for its payment, but lets the owner withdraw a repair before paying its quote', () => {
    expect(rule('cancel').stateRefusal(aCase('return', 'awaiting_payment'), owner, today)?.message).toBe('the goods are already with us (awaiting_payment): only a supervisor can cancel now');
    expect(rule('cancel').stateRefusal(aCase('repair', 'awaiting_payment'), owner, today)).toBeNull();
  });

  it('lets a supervisor cancel in any open status, but not a closed case', () => {
    expect(rule('cancel').stateRefusal(aCase('return', 'return_in_transit'), supervisor, today)).toBeNull();
    expect(rule('cancel').stateRefusal(aCase('return', 'completed'), supervisor, today)?.message).toBe('the case is already completed');
  });

  it('waits for a refund already with the payment provider (order ledger only)', () => {
    const refunding = aCase('return', 'refunding', { refund: { status: 'requested' } });
    expect(rule('cancel').stateRefusal(refunding, supervisor, today)?.message).toBe('a refund is with the payment provider; the case can be cancelled only once it settles or fails');
    expect(rule('cancel').stateRefusal(refunding, supervisor, before)).toBeNull();
  });

  it('asks staff closing a complaint for its resolution; the customer withdrawing needs none', () => {
    const complaint = aCase('complaint', 'investigating');
    expect(rule('cancel').inputRefusal(withRequest(complaint), { actor: supervisor }, today)).toEqual({
      type: CommandErrorTypes.invalidState,
      message: 'closing a complaint needs its resolution: give resolution, how the complaint was resolved',
      fields: [{ field: 'resolution', message: 'required to close a complaint' }],
    });
    expect(rule('cancel').inputRefusal(withRequest(complaint), { actor: owner }, today)).toBeNull();
    expect(rule('cancel').inputRefusal(withRequest(complaint), { actor: supervisor }, before)).toBeNull();
  });
});

describe('survey and assign', () => {
  it('opens the survey when the case closed, once', () => {
    expect(rule('survey').stateRefusal(aCase('return', 'refunding'), owner, today)?.message).toBe('the survey opens when the case is closed; it is refunding');
    expect(rule('survey').stateRefusal(aCase('return', 'completed'), owner, today)).toBeNull();
    expect(rule('survey').stateRefusal(aCase('return', 'completed', { surveyAnswered: true }), owner, today)?.message).toBe('the survey was already answered');
    expect(rule('survey').inputRefusal(withRequest(aCase('return', 'completed')), { actor: owner, score: 6 }, today)?.message).toBe('score must be an integer from 1 to 5');
  });

  it('assigns an open case to someone named', () => {
    expect(rule('assign').stateRefusal(aCase('return', 'cancelled'), supervisor, today)?.message).toBe('the case is already cancelled');
    expect(rule('assign').inputRefusal(withRequest(aCase('return', 'inspecting')), { actor: supervisor, assignee: ' ' }, today)).toEqual({
      type: CommandErrorTypes.invalidInput,
      message: 'assignee must not be empty',
    });
  });
});

describe('allowedCommands: what the person asking may send now', () => {
  it('offers the customer of a return in transit nothing: the goods are on their way', () => {
    expect(allowedCommands(aCase('return', 'return_in_transit'), customer)).toEqual([]);
  });

  it('offers a supervisor cancel and assign there, and an agent nothing', () => {
    expect(allowedCommands(aCase('return', 'return_in_transit'), supervisor)).toEqual(['cancel', 'assign']);
    expect(allowedCommands(aCase('return', 'return_in_transit'), agent)).toEqual([]);
  });

  it('offers the step each side takes in a status', () => {
    expect(allowedCommands(aCase('return', 'awaiting_review'), customer)).toEqual(['cancel']);
    expect(allowedCommands(aCase('return', 'awaiting_review'), agent)).toEqual(['review']);
    expect(allowedCommands(aCase('exchange', 'awaiting_stock_decision'), customer)).toEqual(['stock-decision']);
    expect(allowedCommands(aCase('exchange', 'awaiting_stock_decision'), agent)).toEqual(['stock-decision']);
  });

  it('offers no cancel while a refund is with the provider, and the survey once the case closed', () => {
    expect(allowedCommands(aCase('return', 'refunding', { refund: { status: 'pending' } }), supervisor)).toEqual(['assign']);
    expect(allowedCommands(aCase('return', 'completed'), customer)).toEqual(['survey']);
    expect(allowedCommands(aCase('return', 'completed', { surveyAnswered: true }), customer)).toEqual([]);
  });
});
