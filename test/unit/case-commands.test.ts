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

const aCase = (type: CaseType, status: CaseStatus, more: Partial<CommandCase> = {}): CommandCase => ({ type, status, customerId: 'c-1', refund: null, surveyAnswered: false, takesScanIn: true, ...more });
const withRequest = (c: CommandCase, total = 5000, returnParcel: CommandInputCase['returnParcel'] = null): CommandInputCase => ({
  ...c,
  returnParcel,
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
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths).toEqual(['review', 'customer-info', 'return-shipment', 'receive', 'inspection', 'stock-decision', 'quote', 'repair-result', 'resolution', 'confirm-receipt', 'cancel', 'assign', 'survey']);
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

  it('offers a supervisor the scan-in, cancel and assign there, and an agent the scan-in', () => {
    expect(allowedCommands(aCase('return', 'return_in_transit'), supervisor)).toEqual(['receive', 'cancel', 'assign']);
    expect(allowedCommands(aCase('return', 'return_in_transit'), agent)).toEqual(['receive']);
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

describe('the return parcel: on the label, or by the customer\'s own courier until the scan-in', () => {
  const label = { carrier: 'SF', trackingNumber: 'SF100200300400' };
  const awaiting = withRequest(aCase('return', 'awaiting_return_shipment'), 5000, { label });
  const onItsWay = (via: 'label' | 'own_courier', trackingNumber: string) =>
    withRequest(aCase('return', 'return_in_transit'), 5000, { label, sent: { via, carrier: via === 'label' ? 'SF' : 'YTO', trackingNumber } });

  it('takes the label parcel with no number, or with the label number typed in any case', () => {
    expect(rule('returnShipment').inputRefusal(awaiting, { actor: owner }, today)).toBeNull();
    expect(rule('returnShipment').inputRefusal(awaiting, { actor: owner, carrier: 'sf', trackingNumber: ' sf100200300400 ' }, today)).toBeNull();
  });

  it("refuses a number that is not the label's with a 409 naming trackingNumber and the way out", () => {
    const refusal = rule('returnShipment').inputRefusal(awaiting, { actor: owner, carrier: 'SF', trackingNumber: 'SF999' }, today);
    expect(refusal?.type).toBe(CommandErrorTypes.invalidState);
    expect(refusal?.message).toContain("not the one on the shop's return label (SF100200300400)");
    expect(refusal?.message).toContain('own_courier');
    expect(refusal?.fields?.map((f) => f.field)).toEqual(['trackingNumber']);
  });

  it('refuses another carrier on the label path, and own courier without its carrier and number (400 naming both)', () => {
    expect(rule('returnShipment').inputRefusal(awaiting, { actor: owner, carrier: 'YTO' }, today)?.fields?.map((f) => f.field)).toEqual(['carrier']);
    const missing = rule('returnShipment').inputRefusal(awaiting, { actor: owner, via: 'own_courier' }, today);
    expect(missing?.type).toBe(CommandErrorTypes.invalidInput);
    expect(missing?.fields?.map((f) => f.field)).toEqual(['carrier', 'trackingNumber']);
    expect(rule('returnShipment').inputRefusal(awaiting, { actor: owner, via: 'own_courier', carrier: 'YTO', trackingNumber: 'YT123456' }, today)).toBeNull();
  });

  it('asks cases opened before the label rule for a typed carrier and number, as they always did', () => {
    const before = withRequest(aCase('return', 'awaiting_return_shipment'));
    expect(rule('returnShipment').inputRefusal(before, { actor: owner, carrier: 'SF', trackingNumber: 'SF1234' }, today)).toBeNull();
    expect(rule('returnShipment').inputRefusal(before, { actor: owner }, today)?.fields?.map((f) => f.field)).toEqual(['carrier', 'trackingNumber']);
  });

  it('takes a plain report while the courier has not issued the label yet, and says so to a typed label number or a scan-in', () => {
    const issuing = withRequest(aCase('return', 'awaiting_return_shipment'), 5000, { label: null });
    expect(rule('returnShipment').inputRefusal(issuing, { actor: owner }, today)).toBeNull();
    expect(rule('returnShipment').inputRefusal(issuing, { actor: owner, via: 'own_courier', carrier: 'YTO', trackingNumber: 'YT1234' }, today)).toBeNull();
    expect(rule('returnShipment').inputRefusal(issuing, { actor: owner, trackingNumber: 'SF1234' }, today)?.message).toContain('still being issued');
    expect(rule('receive').inputRefusal(issuing, { actor: agent, trackingNumber: 'SF1' }, today)?.message).toContain('still being issued');
  });

  it('scans in only the parcel the case waits for: the label before the customer reported it, then the parcel sent', () => {
    expect(rule('receive').inputRefusal(awaiting, { actor: agent, trackingNumber: 'SF100200300400' }, today)).toBeNull();
    expect(rule('receive').inputRefusal(onItsWay('own_courier', 'YT123456'), { actor: agent, trackingNumber: 'yt123456' }, today)).toBeNull();
    const wrong = rule('receive').inputRefusal(onItsWay('own_courier', 'YT123456'), { actor: agent, trackingNumber: 'SF100200300400' }, today);
    expect(wrong?.type).toBe(CommandErrorTypes.invalidState);
    expect(wrong?.message).toBe("the parcel in hand (SF100200300400) is not the one this case waits for: expected YT123456, the customer's own courier parcel");
  });

  it('keeps the scan-in for staff in the two statuses a parcel can be on its way in, and not on cases before the rule', () => {
    expect(audienceAllows(CASE_COMMAND_RULES.receive.audience, 'customer')).toBe(false);
    expect(audienceAllows(CASE_COMMAND_RULES.receive.audience, 'agent')).toBe(true);
    expect(rule('receive').stateRefusal(aCase('return', 'inspecting'), agent, today)?.type).toBe(CommandErrorTypes.invalidState);
    expect(rule('receive').stateRefusal(aCase('return', 'return_in_transit', { takesScanIn: false }), agent, today)?.message).toContain("received on the courier's delivery");
    expect(allowedCommands(aCase('return', 'return_in_transit', { takesScanIn: false }), agent)).toEqual([]);
  });
});
