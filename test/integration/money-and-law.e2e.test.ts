import { randomUUID } from 'node:crypto';
import type { CaseSnapshot, SlaClockView } from '../../domain/case.types';
import { addWorkingTime, workingBudgetMs } from '../../domain/business-calendar';
import { defaultPolicy } from '../../domain/policy';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo } from './support/fixtures';
import { CasesApi, describeCase, requiredEnv, stackTokens, timelineEvents, type OpenCaseBody } from './support/http-client';
import { lineOf, orderLedgerOf, sandboxMoneyOf } from './support/money-witnesses';

// The six ways the system paid money the rules do not owe, or refused what the law protects,
// each asked again through the HTTP API of the running stack (default policy) and answered as
// the rules in docs/business-rules.md say. The sandbox payment provider's ledger is the witness
// of what money actually moved.

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const sandboxUrl = requiredEnv(STACK_ENV.sandboxUrl);
const tokens = stackTokens();
const cases = new CasesApi(apiUrl, tokens.agent);
const CALLBACKS_MS = 20_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const BEIJING_OFFSET_MS = 8 * HOUR_MS;
/** 199.00 CNY, the price in the examples. */
const PRICE = 19_900;
const EVIDENCE = ['https://img.example/evidence-1.jpg'];

/** An order of one unit of `sku` at PRICE, paid `paidDaysAgo` and delivered `deliveredDaysAgo` (undefined: not delivered). */
function order(paidDaysAgo: number, deliveredDaysAgo: number | undefined, paymentMethod: 'online' | 'cod' = 'online') {
  return {
    paidAt: daysAgo(paidDaysAgo),
    ...(deliveredDaysAgo === undefined ? {} : { deliveredAt: daysAgo(deliveredDaysAgo) }),
    paymentMethod,
    total: PRICE,
    currency: 'CNY',
  };
}

/** A case of customer c-1 on one unit of `sku` of `orderId`, delivered two days ago, with evidence. */
function claim(type: string, reason: string, orderId: string, sku: string, overrides: Partial<OpenCaseBody> = {}): OpenCaseBody {
  return {
    type,
    orderId,
    customerId: 'c-1',
    items: [{ sku, quantity: 1, unitPrice: PRICE }],
    reason: { code: reason, description: 'see photos' },
    evidence: EVIDENCE,
    packagingIntact: true,
    order: order(5, 2),
    ...overrides,
  };
}

const newOrderId = (what: string) => `IT-LAW-${what}-${randomUUID()}`;

function expectStatus(snapshot: CaseSnapshot, status: CaseSnapshot['status']): void {
  if (snapshot.status !== status) throw new Error(`expected status ${status}, but ${describeCase(snapshot)}`);
}

function clockOf(snapshot: CaseSnapshot, name: SlaClockView['name']): SlaClockView {
  const clock = snapshot.sla.find((c) => c.name === name);
  if (!clock) throw new Error(`${describeCase(snapshot)}; it has no ${name} clock (clocks: ${snapshot.sla.map((c) => c.name).join(', ')})`);
  return clock;
}

/** Opens a case expecting a 422 with `code`; returns the error body. */
async function refused(body: OpenCaseBody, code: string) {
  const answer = await cases.open(tokens.customer, body);
  expect({ status: answer.status, code: answer.body?.error?.code, body: answer.status === 422 ? 'refused' : answer.text }).toEqual({ status: 422, code, body: 'refused' });
  return answer.body.error;
}

/** A return the customer ships back and the warehouse passes; resolves once the refund settled and the case completed. */
async function completedReturn(body: OpenCaseBody): Promise<CaseSnapshot> {
  const opened = await cases.opened(tokens.customer, body);
  expectStatus(await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' }), 'awaiting_return_shipment');
  await cases.accepted(tokens.customer, opened.id, 'return-shipment', {});
  await cases.waitForStatus(opened.id, 'inspecting', CALLBACKS_MS);
  await cases.accepted(tokens.warehouse, opened.id, 'inspection', { result: 'pass', note: 'defect confirmed' });
  return cases.waitForStatus(opened.id, 'completed', CALLBACKS_MS);
}

/** The Beijing calendar day (days since 1970-01-01 in UTC+8) of an instant. */
const beijingDayNumber = (ms: number) => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
/** The instant of `hh:mm` Beijing time on Beijing day `day`. */
const beijingTime = (day: number, hours: number, minutes: number) => day * DAY_MS - BEIJING_OFFSET_MS + hours * HOUR_MS + minutes * 60_000;

describe('money and law: what the default policy owes, asked through the HTTP API', () => {
  test('when a return of a line was refunded in full, a refund-only claim on the same line is refused as nothing_refundable (staff see which case paid it back, the customer what went back), and the line was paid back once', async () => {
    const orderId = newOrderId('twice');
    const sku = 'SKU-LAMP-1';
    const first = await completedReturn(claim('return', 'quality_issue', orderId, sku));
    expect(first.refund).toMatchObject({ amount: PRICE, status: 'succeeded' });

    const error = await refused(claim('refund_only', 'wrong_item', orderId, sku), 'nothing_refundable');
    // The customer reads what went back of the line, never a case id.
    type Detail = { field: string; message: string; sku: string; paidBack: { amount: number; caseIds?: string[] }; remaining: { amount: number } };
    const details = error.details as unknown as Detail[];
    expect(details).toEqual([expect.objectContaining({ sku, paidBack: { amount: PRICE, units: 1 }, remaining: expect.objectContaining({ amount: 0 }) })]);
    expect(details[0].message).not.toContain(first.id);
    // Staff opening the same claim (the phone channel) read which case took the money.
    const asStaff = await cases.open(tokens.agent, claim('refund_only', 'wrong_item', orderId, sku));
    expect(asStaff.status).toBe(422);
    const staffDetails = asStaff.body.error.details as unknown as Detail[];
    expect(staffDetails).toEqual([expect.objectContaining({ sku, paidBack: expect.objectContaining({ amount: PRICE, caseIds: [first.id] }) })]);
    expect(staffDetails[0].message).toContain(first.id);

    // Our ledger: the line's price went back once, by the return, and nothing is left or in flight.
    const line = lineOf(await orderLedgerOf(apiUrl, tokens.agent, orderId), sku);
    expect(line).toMatchObject({ amountPaid: PRICE, refunded: PRICE, reserved: 0, refundable: 0, unitsReturned: 1, unitsRemaining: 0, paidBackBy: [first.id] });
    expect(line.entries.map((e) => ({ caseId: e.caseId, kind: e.kind, amount: e.amount, state: e.state }))).toEqual([
      { caseId: first.id, kind: 'refund', amount: PRICE, state: 'committed' },
    ]);
    // The provider's witness: one refund of the price, by the return only.
    const paid = await sandboxMoneyOf(sandboxUrl, [first.id]);
    expect(paid.refunds.map((r) => ({ amount: r.amount, status: r.status }))).toEqual([{ amount: PRICE, status: 'succeeded' }]);
  });

  test('when the order is recorded as delivered, a not_received claim is refused for refund-only and reship (delivered_use_courier_exception) and taken as a courier exception', async () => {
    const orderId = newOrderId('signed');
    const delivered = { evidence: [], order: order(5, 2) };

    const refundOnly = await refused(claim('refund_only', 'not_received', orderId, 'SKU-LAMP-1', delivered), 'delivered_use_courier_exception');
    expect(refundOnly.message).toMatch(/courier_exception/);
    await refused(claim('reship', 'not_received', orderId, 'SKU-LAMP-1', { ...delivered, evidence: EVIDENCE }), 'delivered_use_courier_exception');

    const courier = await cases.open(tokens.customer, claim('courier_exception', 'not_received', orderId, 'SKU-LAMP-1', delivered));
    expect({ status: courier.status, text: courier.status === 201 ? 'opened' : courier.text }).toEqual({ status: 201, text: 'opened' });
    expectStatus(courier.body, 'investigating');
  });

  test('270 days after delivery, a refund-only claim of a wrong item and a reship for transit damage are refused as outside their windows', async () => {
    const late = { order: order(273, 270) };
    const refundOnly = await refused(claim('refund_only', 'wrong_item', newOrderId('late'), 'SKU-LAMP-1', late), 'outside_refund_only_window');
    expect(refundOnly.message).toMatch(/Beijing/);
    await refused(claim('reship', 'damaged_in_transit', newOrderId('late'), 'SKU-LAMP-1', late), 'outside_reship_window');
  });

  test('when an out-of-warranty repair turns out unrepairable, the item goes back and only the collected quote is refunded, never the price', async () => {
    const orderId = newOrderId('repair');
    const sku = 'SKU-LAMP-1';
    const quote = defaultPolicy().repair.paidRepairQuote;
    const opened = await cases.opened(tokens.customer, claim('repair', 'quality_issue', orderId, sku, { order: order(418, 415) }));
    expect(opened.outcome.warranty).toBe('out_of_warranty');

    expectStatus(await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' }), 'awaiting_quote_acceptance');
    await cases.accepted(tokens.customer, opened.id, 'quote', { accept: true });
    // The quote is collected (the sandbox settles the collection by its signed callback) before the item is sent in.
    const paid = await cases.waitForStatus(opened.id, 'awaiting_return_shipment', CALLBACKS_MS);
    expect(timelineEvents(paid)).toEqual(expect.arrayContaining(['repair.quote_accepted', 'payment.requested', 'repair.quote_paid']));
    await cases.accepted(tokens.customer, opened.id, 'return-shipment', {});
    await cases.waitForStatus(opened.id, 'repairing', CALLBACKS_MS);

    await cases.accepted(tokens.agent, opened.id, 'repair-result', { outcome: 'unrepairable', verified: false, note: 'board burnt out' });
    const done = await cases.waitForStatus(opened.id, 'completed', CALLBACKS_MS);
    expect(done.refund).toMatchObject({ amount: quote, kind: 'collection_refund', status: 'succeeded' });
    expect(done.outcome.unrepairable).toEqual({ itemReturned: true, quoteRefunded: quote, priceRefunded: 0 });
    expect(done.shipments.filter((s) => s.direction === 'outbound').map((s) => s.purpose)).toEqual(['repair_return']);

    // The provider's witness: the quote collected once and refunded once; the price never paid back.
    const money = await sandboxMoneyOf(sandboxUrl, [opened.id]);
    expect(money.collections.map((c) => ({ amount: c.amount, purpose: c.purpose, status: c.status }))).toEqual([{ amount: quote, purpose: 'repair_quote', status: 'succeeded' }]);
    expect(money.refunds.map((r) => ({ amount: r.amount, status: r.status }))).toEqual([{ amount: quote, status: 'succeeded' }]);
    // Our ledger: the quote in and out, the price untouched.
    const line = lineOf(await orderLedgerOf(apiUrl, tokens.agent, orderId), sku);
    expect(line).toMatchObject({ amountPaid: PRICE, refunded: 0, reserved: 0, refundable: PRICE, collected: quote, collectionRefunded: quote });
  });

  test('a no-reason return without intact packaging, delivered at 00:30 Beijing time seven calendar days ago, is accepted on day 7 and refused on day 8', async () => {
    // Computed from the Beijing date of now, so the test holds at any time of day. Close to
    // Beijing midnight the API could see the next day: wait until it has passed.
    const untilMidnight = beijingTime(beijingDayNumber(Date.now()) + 1, 0, 0) - Date.now();
    if (untilMidnight < 10_000) await new Promise((resolve) => setTimeout(resolve, untilMidnight + 1000));
    const today = beijingDayNumber(Date.now());
    const returnDeliveredOn = (day: number): OpenCaseBody =>
      claim('return', 'no_reason', newOrderId('day7'), 'SKU-MUG-1', {
        evidence: [],
        packagingIntact: false,
        order: { paidAt: new Date(beijingTime(day - 3, 10, 0)).toISOString(), deliveredAt: new Date(beijingTime(day, 0, 30)).toISOString(), paymentMethod: 'online', total: PRICE, currency: 'CNY' },
      });

    // Delivered on day 0; today is day 7, the last day of the window (it ends at 24:00 Beijing time).
    const day7 = await cases.open(tokens.customer, returnDeliveredOn(today - 7));
    expect({ status: day7.status, text: day7.status === 201 ? 'opened' : day7.text }).toEqual({ status: 201, text: 'opened' });
    expectStatus(day7.body, 'awaiting_review');
    // A day earlier delivery makes today day 8: from then on only intact packaging is taken.
    const day8 = await refused(returnDeliveredOn(today - 8), 'packaging_not_intact');
    expect(day8.message).toMatch(/day 8/);
  });

  test('a refund runs under a clock of 3 working days on the China mainland calendar (7 for cash on delivery), not 72 calendar hours', async () => {
    const policy = defaultPolicy();
    const refunded = async (paymentMethod: 'online' | 'cod') => {
      const opened = await cases.opened(tokens.customer, claim('refund_only', 'wrong_item', newOrderId(`clock-${paymentMethod}`), 'SKU-LAMP-1', { order: order(5, 2, paymentMethod) }));
      await cases.accepted(tokens.agent, opened.id, 'review', { decision: 'approve' });
      return cases.waitForStatus(opened.id, 'completed', CALLBACKS_MS);
    };
    const [online, cod] = await Promise.all([refunded('online'), refunded('cod')]);

    for (const [snapshot, workingDays] of [
      [online, 3],
      [cod, 7],
    ] as const) {
      const clock = clockOf(snapshot, 'refund');
      expect({ budget: clock.budget, state: clock.state }).toEqual({ budget: { workingDays }, state: 'met' });
      // The deadline is that many working days (09:00-18:00, weekends and holidays skipped) after the refund was approved.
      const startedAt = Date.parse(clock.startedAt);
      const expected = addWorkingTime(startedAt, workingBudgetMs({ workingDays }, policy.calendar), policy.calendar);
      expect({ deadline: clock.deadline }).toEqual({ deadline: new Date(expected).toISOString() });
      expect(Date.parse(clock.deadline) - startedAt).toBeGreaterThanOrEqual(workingDays * 9 * HOUR_MS);
    }
  });
});
