import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CaseSnapshot } from '../../domain/case.types';
import type { SourceOrder } from '../../domain/order-source';
import { startExtraApp, type ExtraApp } from './stack/extra-app';
import { STACK_ENV } from './stack/stack-file';
import { daysAgo } from './support/fixtures';
import { CasesApi, describeCase, eventually, HttpClient, requiredEnv, stackTokens, timelineEvents, type ApiErrorBody, type HttpAnswer } from './support/http-client';
import { lineOf, orderLedgerOf, sandboxMoneyOf, totalOf, type SandboxMoney } from './support/money-witnesses';
import { SandboxOrders } from './support/sandbox-orders';

// Issue 22, "nothing moves money on an unverified word": the five attacks that worked while a case
// was judged by the facts its claimant typed, sent again to the running stack (API, worker,
// Temporal, FerretDB, the sandbox's order service and payment provider). Each is answered as
// docs/order-source.md says — a 400 naming the facts that come from the order system, the 404 of
// an order that is not the caller's, the policy applied to the order's own facts — and the honest
// path on the same order pays exactly what the order says was paid (实付). The sandbox payment
// provider's ledger is the witness of what money moved.

const apiUrl = requiredEnv(STACK_ENV.apiUrl);
const sandboxUrl = requiredEnv(STACK_ENV.sandboxUrl);
const tokens = stackTokens();
const cases = new CasesApi(apiUrl, tokens.agent);
const orders = new SandboxOrders(sandboxUrl);
const CALLBACKS_MS = 20_000;
const EVIDENCE = ['https://img.example/evidence-1.jpg'];
const FROM_THE_ORDER_SYSTEM = /comes from the order system/;

type Answer = HttpAnswer<CaseSnapshot & ApiErrorBody>;
/** A claimed line as POST /v1/cases takes it. */
type ClaimItem = { lineId?: string; sku?: string; quantity: number };

/** Places an order of `customerId` (c-1 by default) in the sandbox's order service, delivered two days ago unless told otherwise. */
async function placeOrder(what: string, request: Record<string, unknown> & { lines: Record<string, unknown>[] }): Promise<SourceOrder> {
  const orderId = `IT-ATK-${what}-${randomUUID()}`;
  return orders.place({
    orderId,
    customerId: 'c-1',
    placedAt: daysAgo(5),
    payment: { method: 'online', channel: 'alipay' },
    shipments: [{ carrier: 'SF', shippedAt: daysAgo(4), deliveredAt: daysAgo(2) }],
    ...request,
    lines: request.lines.map((line, i) => ({ lineId: `${orderId}-L${i + 1}`, ...line })),
  });
}

/** A claim on `order`: the body a customer sends today. */
function claim(type: string, reason: string, order: SourceOrder, items: ClaimItem[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type, orderId: order.orderId, items, reason: { code: reason, description: 'see photos' }, evidence: EVIDENCE, packagingIntact: true, ...extra };
}

/** The first line of `order` claimed for `quantity` units. */
const firstLine = (order: SourceOrder, quantity = 1): ClaimItem[] => [{ lineId: order.lines[0].lineId, quantity }];

/** Fails, saying what came back instead, unless the answer has `status` and error `code`. */
function expectRefusal(answer: Answer, status: number, code: string, attempt: string): ApiErrorBody['error'] {
  if (answer.status !== status || answer.body?.error?.code !== code) {
    throw new Error(`${attempt}: expected ${status} ${code}, but the API answered ${answer.status} ${answer.text}`);
  }
  return answer.body.error;
}

/** Fails unless the answer is a 400 naming each of `fields` as a fact that comes from the order system. */
function expectClaimedFactsRefused(answer: Answer, fields: string[], attempt: string): void {
  const error = expectRefusal(answer, 400, 'validation_failed', attempt);
  const named = error.details.filter((d) => FROM_THE_ORDER_SYSTEM.test(d.message)).map((d) => d.field);
  const missing = fields.filter((f) => !named.includes(f));
  if (missing.length > 0) throw new Error(`${attempt}: the 400 does not name ${missing.join(', ')} as coming from the order system; it says ${answer.text}`);
}

/** Fails unless the case has `status`, with its timeline. */
function expectStatus(snapshot: CaseSnapshot, status: CaseSnapshot['status']): void {
  if (snapshot.status !== status) throw new Error(`expected status ${status}, but ${describeCase(snapshot)}`);
}

/** Opens a case as `token` and fails unless 201. */
async function opened(token: string, body: Record<string, unknown>, api = cases): Promise<CaseSnapshot> {
  const answer = await api.openAsSent(token, body);
  if (answer.status !== 201) throw new Error(`opening ${String(body.type)} on ${String(body.orderId)} answered ${answer.status}: ${answer.text}`);
  return answer.body;
}

/** A return claimed by c-1, approved, shipped back (the sandbox courier moves the parcel), passed by the warehouse and refunded; the completed case. */
async function completedReturn(body: Record<string, unknown>): Promise<CaseSnapshot> {
  const returned = await opened(tokens.customer, body);
  expectStatus(await cases.accepted(tokens.agent, returned.id, 'review', { decision: 'approve' }), 'awaiting_return_shipment');
  await cases.accepted(tokens.customer, returned.id, 'return-shipment', {});
  await cases.waitForStatus(returned.id, 'inspecting', CALLBACKS_MS);
  await cases.accepted(tokens.warehouse, returned.id, 'inspection', { result: 'pass', note: 'defect confirmed' });
  return cases.waitForStatus(returned.id, 'completed', CALLBACKS_MS);
}

/** A refund only claimed by c-1 and approved by an agent; the completed case. */
async function completedRefundOnly(body: Record<string, unknown>): Promise<CaseSnapshot> {
  const refund = await opened(tokens.customer, body);
  await cases.accepted(tokens.agent, refund.id, 'review', { decision: 'approve' });
  return cases.waitForStatus(refund.id, 'completed', CALLBACKS_MS);
}

/** Ids of every case staff see on the order (the read model). */
async function caseIdsOn(orderId: string, api = cases): Promise<string[]> {
  const answer = await api.list(tokens.agent, { orderId, limit: '100' });
  if (answer.status !== 200) throw new Error(`GET /v1/cases?orderId=${orderId} answered ${answer.status}: ${answer.text}`);
  return answer.body.items.map((c) => c.id).sort();
}

/**
 * Everything the sandbox payment provider moved for the order: the cases staff see on it (every
 * attempt that opened one) must be exactly `expectedCaseIds`, and the money is that of those cases.
 */
async function moneyOfOrder(orderId: string, expectedCaseIds: string[], api = cases): Promise<SandboxMoney> {
  const expected = [...expectedCaseIds].sort();
  const ids = await eventually(`the cases on ${orderId} in the read model to be ${expected.join(', ') || 'none'}`, async () => {
    const now = await caseIdsOn(orderId, api);
    return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
  }, { timeoutMs: 10_000, explain: async () => `staff see ${(await caseIdsOn(orderId, api)).join(', ') || 'none'}` });
  const money = await sandboxMoneyOf(sandboxUrl, ids);
  // The provider's own view of the trade: every refund it made on the order, whichever case asked.
  const onTrade = await refundsOnTrade(orderId);
  const byId = (refunds: { refundId: string; caseId: string; amount: number }[]) => refunds.map((r) => `${r.refundId} (case ${r.caseId}, ${r.amount})`).sort();
  if (JSON.stringify(byId(onTrade)) !== JSON.stringify(byId(money.refunds))) {
    throw new Error(`the sandbox refunded on order ${orderId}: ${byId(onTrade).join('; ') || 'nothing'}; the cases staff see on it account for ${byId(money.refunds).join('; ') || 'nothing'}`);
  }
  return money;
}

/** The refunds the sandbox payment provider recorded on the order's trade (`orderId` of each refund). */
async function refundsOnTrade(orderId: string): Promise<SandboxMoney['refunds']> {
  const answer = await new HttpClient(sandboxUrl).get<{ refunds: (SandboxMoney['refunds'][number] & { orderId?: string })[] }>('/ledger');
  if (answer.status !== 200) throw new Error(`the sandbox's GET /ledger answered ${answer.status}: ${answer.text}`);
  return answer.body.refunds.filter((r) => r.orderId === orderId);
}

/** The courier signs for the order's parcel now, in the sandbox's order service (`POST /orders/{orderId}/deliveries`). */
async function signFor(orderId: string): Promise<SourceOrder> {
  const answer = await new HttpClient(sandboxUrl).post<{ order: SourceOrder }>(`/orders/${encodeURIComponent(orderId)}/deliveries`, {});
  if (answer.status !== 200) throw new Error(`the sandbox did not sign for the parcel of ${orderId}: ${answer.status} ${answer.text}`);
  return answer.body.order;
}

/** The refunds of `money` as {amount, status}, for comparisons that say what moved. */
const refundsOf = (money: SandboxMoney) => money.refunds.map((r) => ({ amount: r.amount, status: r.status }));

describe('bullet 1: a price claimed in the body no longer sets what a return pays back', () => {
  test('a 10-yuan cable claimed at 990 yuan is refused by name (400), and the return that passes inspection refunds the 10.00 the order says was paid, once', async () => {
    const order = await placeOrder('cable', { lines: [{ sku: 'SKU-CABLE-1', title: 'USB-C cable 1 m', category: 'accessories', unitsBought: 1, unitListPrice: 1000 }] });
    const line = order.lines[0];
    expect({ 实付: line.amountPaid, units: line.unitsBought }).toEqual({ 实付: 1000, units: 1 });

    // The attack as it was sent: the price, the units and the order's facts typed by the claimant.
    const asBefore = {
      type: 'return',
      orderId: order.orderId,
      customerId: 'c-1',
      items: [{ sku: line.sku, quantity: 1, unitPrice: 99_000, orderedQuantity: 1, category: 'accessories' }],
      reason: { code: 'quality_issue', description: 'stopped charging' },
      evidence: EVIDENCE,
      packagingIntact: true,
      order: { paidAt: daysAgo(5), deliveredAt: daysAgo(2), paymentMethod: 'online', paymentChannel: 'alipay', total: 99_000, currency: 'CNY' },
    };
    expectClaimedFactsRefused(await cases.openAsSent(tokens.customer, asBefore), ['customerId', 'order', 'items[0].unitPrice', 'items[0].orderedQuantity', 'items[0].category'], 'the claim of 99000 fen with its order facts');
    // The price alone, slipped into today's claim, and more units than were bought: refused too.
    const withPrice = claim('return', 'quality_issue', order, [{ lineId: line.lineId, quantity: 1, unitPrice: 99_000 } as ClaimItem]);
    expectClaimedFactsRefused(await cases.openAsSent(tokens.customer, withPrice), ['items[0].unitPrice'], 'a unitPrice in a claim by lineId');
    const manyUnits = expectRefusal(await cases.openAsSent(tokens.customer, claim('return', 'quality_issue', order, firstLine(order, 99))), 400, 'validation_failed', 'a claim of 99 cables of a line of 1');
    expect(manyUnits.details.map((d) => d.field)).toEqual(['items[0].quantity']);

    // The honest return: the case carries the order's price, and inspection passed refunds it.
    const done = await completedReturn(claim('return', 'quality_issue', order, firstLine(order)));
    expect(done.items).toEqual([expect.objectContaining({ sku: line.sku, quantity: 1, unitPrice: 1000, orderedQuantity: 1, linePaid: 1000, lineId: line.lineId })]);
    // A quality claim carries no return-shipping deduction in the default policy: 1000 fen less 0.
    expect(done.refund).toMatchObject({ amount: 1000 - (done.refund?.deduction ?? 0), status: 'succeeded' });
    expect(done.refund?.amount).toBe(1000);

    // The witnesses: the provider refunded 10.00 once for the whole order; our ledger line holds the order's 实付, not the claim's.
    const money = await moneyOfOrder(order.orderId, [done.id]);
    expect(refundsOf(money)).toEqual([{ amount: 1000, status: 'succeeded' }]);
    const ledgerLine = lineOf(await orderLedgerOf(apiUrl, tokens.agent, order.orderId), line.sku);
    expect(ledgerLine).toMatchObject({ unitsBought: 1, amountPaid: 1000, refunded: 1000, refundable: 0 });
  });
});

describe('bullet 2: a refund for a parcel "not received" is judged on the order’s own delivery', () => {
  test('on an order the order system shows signed for, leaving deliveredAt out is a 400, the refund-only and reship claims are sent to the courier rule (422 delivered_use_courier_exception), and the courier investigation moves no money', async () => {
    const order = await placeOrder('signed', { lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }] });
    const line = order.lines[0];

    // The attack as it was sent: an under-100-yuan refund only with the order's facts but no deliveredAt.
    const asBefore = {
      type: 'refund_only',
      orderId: order.orderId,
      customerId: 'c-1',
      items: [{ sku: line.sku, quantity: 1, unitPrice: 5900 }],
      reason: { code: 'not_received' },
      evidence: [],
      order: { paidAt: daysAgo(5), paymentMethod: 'online', total: 5900, currency: 'CNY' },
    };
    expectClaimedFactsRefused(await cases.openAsSent(tokens.customer, asBefore), ['customerId', 'order', 'items[0].unitPrice'], 'refund only not_received without deliveredAt');

    // Today's claims cannot leave the delivery out: the order system says the parcel was signed for.
    const refundOnly = expectRefusal(await cases.openAsSent(tokens.customer, claim('refund_only', 'not_received', order, firstLine(order), { evidence: [] })), 422, 'delivered_use_courier_exception', 'refund only not_received on a signed-for order');
    expect(refundOnly.message).toMatch(/courier_exception/);
    expectRefusal(await cases.openAsSent(tokens.customer, claim('reship', 'not_received', order, firstLine(order))), 422, 'delivered_use_courier_exception', 'reship not_received on a signed-for order');

    // The claim the rules do take: a courier exception, investigated with the courier, no money.
    const courier = await opened(tokens.customer, claim('courier_exception', 'not_received', order, firstLine(order), { evidence: [] }));
    expectStatus(courier, 'investigating');
    expect(courier.order.deliveredAt).toBe(order.shipments[0].deliveredAt);
    await cases.waitFor(courier.id, 'the investigation opened with the courier', (c) => timelineEvents(c).includes('investigation.opened'), CALLBACKS_MS);
    const money = await moneyOfOrder(order.orderId, [courier.id]);
    expect({ refunds: refundsOf(money), collections: money.collections.length }).toEqual({ refunds: [], collections: 0 });
  });

  test('20 days after the order system’s 签收, refund only not_received goes to the courier rule and the courier exception is outside its 15-day window: nothing opens', async () => {
    const order = await placeOrder('late', {
      placedAt: daysAgo(23),
      shipments: [{ carrier: 'SF', shippedAt: daysAgo(22), deliveredAt: daysAgo(20) }],
      lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }],
    });
    expectRefusal(await cases.openAsSent(tokens.customer, claim('refund_only', 'not_received', order, firstLine(order), { evidence: [] })), 422, 'delivered_use_courier_exception', 'refund only not_received 20 days after 签收');
    expectRefusal(await cases.openAsSent(tokens.customer, claim('courier_exception', 'not_received', order, firstLine(order), { evidence: [] })), 422, 'outside_courier_exception_window', 'courier exception 20 days after 签收');
    await moneyOfOrder(order.orderId, []);
  });

  test('a parcel signed for after a not_received refund only or reship opened: approved, each reads the order’s delivery again and closes rejected as a courier exception, with no refund and no parcel', async () => {
    const inTransit = (what: string) =>
      placeOrder(what, { shipments: [{ carrier: 'SF', shippedAt: daysAgo(3), deliveredAt: null }], lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }] });
    const [forRefund, forReship] = await Promise.all([inTransit('signed-later-refund'), inTransit('signed-later-reship')]);
    const [refund, reship] = await Promise.all([
      opened(tokens.customer, claim('refund_only', 'not_received', forRefund, firstLine(forRefund), { evidence: [] })),
      opened(tokens.customer, claim('reship', 'not_received', forReship, firstLine(forReship))),
    ]);
    expect([refund.order.deliveredAt, reship.order.deliveredAt]).toEqual([undefined, undefined]);

    // While the cases wait for their review, the courier signs for both parcels.
    await Promise.all([signFor(forRefund.orderId), signFor(forReship.orderId)]);
    const closed = await Promise.all(
      [refund, reship].map(async (c) => {
        await cases.accepted(tokens.agent, c.id, 'review', { decision: 'approve' });
        return cases.waitForStatus(c.id, 'rejected', CALLBACKS_MS);
      }),
    );
    for (const [done, before] of [
      [closed[0], 'refund'],
      [closed[1], 'reship'],
    ] as const) {
      const signed = done.timeline.find((e) => e.event === 'delivery.signed_after_opening');
      if (!signed) throw new Error(`the ${before} did not read the order's delivery again; ${describeCase(done)}`);
      expect(signed.data).toMatchObject({ before, openedWith: null, deliveredAt: expect.any(String) });
      expect({ refund: done.refund, outbound: done.shipments.filter((s) => s.direction === 'outbound') }).toEqual({ refund: null, outbound: [] });
    }
    expect(refundsOf(await moneyOfOrder(forRefund.orderId, [refund.id]))).toEqual([]);
    expect(refundsOf(await moneyOfOrder(forReship.orderId, [reship.id]))).toEqual([]);
  });

  describe('with a review budget of 3 s and automatic approval below 100 yuan', () => {
    const REVIEW_BUDGET_MS = 3000;
    let policyDir: string | undefined;
    let app: ExtraApp | undefined;
    let autoApprove: CasesApi;

    beforeAll(async () => {
      policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-it-attacks-'));
      const policyFile = path.join(policyDir, 'it-attacks-auto-approve.json');
      fs.writeFileSync(policyFile, JSON.stringify({ version: 'it-attacks-auto-approve', sla: { review: `${REVIEW_BUDGET_MS / 1000}s` }, autoActions: { approveReviewOnBreachBelow: { amount: 10_000, currency: 'CNY' } } }));
      app = await startExtraApp({ policyFile, taskQueue: `it-attacks-auto-${randomUUID().slice(0, 8)}` });
      autoApprove = new CasesApi(app.apiUrl, tokens.agent);
    }, 90_000);

    afterAll(async () => {
      await app?.stop();
      if (policyDir) fs.rmSync(policyDir, { recursive: true, force: true });
    });

    test('on a signed-for order no not_received refund reaches a review to approve: the courier exception outlives the review budget with no automatic approval and no money', async () => {
      const order = await placeOrder('auto-signed', { lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }] });
      expectRefusal(await autoApprove.openAsSent(tokens.customer, claim('refund_only', 'not_received', order, firstLine(order), { evidence: [] })), 422, 'delivered_use_courier_exception', 'refund only not_received under the auto-approval policy');
      const courier = await opened(tokens.customer, claim('courier_exception', 'not_received', order, firstLine(order), { evidence: [] }), autoApprove);
      expect(courier.policyVersion).toBe('it-attacks-auto-approve');
      await new Promise((resolve) => setTimeout(resolve, REVIEW_BUDGET_MS + 2000));
      const later = await autoApprove.get(courier.id);
      expectStatus(later, 'investigating');
      expect(timelineEvents(later)).not.toContain('auto_action.review_approved');
      const money = await moneyOfOrder(order.orderId, [courier.id], autoApprove);
      expect(refundsOf(money)).toEqual([]);
    });

    test('a parcel signed for while a not_received refund waits for its review withholds the automatic approval: the review stays with a person and nothing is paid', async () => {
      const order = await placeOrder('auto-signed-later', {
        shipments: [{ carrier: 'SF', shippedAt: daysAgo(3), deliveredAt: null }],
        lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }],
      });
      const refund = await opened(tokens.customer, claim('refund_only', 'not_received', order, firstLine(order), { evidence: [] }), autoApprove);
      await signFor(order.orderId);
      const withheld = await autoApprove.waitFor(refund.id, 'the automatic approval withheld', (c) => timelineEvents(c).includes('auto_action.review_withheld'), REVIEW_BUDGET_MS + CALLBACKS_MS);
      expectStatus(withheld, 'awaiting_review');
      expect(timelineEvents(withheld)).not.toContain('auto_action.review_approved');
      expect(withheld.timeline.find((e) => e.event === 'auto_action.review_withheld')?.data).toMatchObject({ check: 'signed_after_opening' });
      expect(refundsOf(await moneyOfOrder(order.orderId, [refund.id], autoApprove))).toEqual([]);
    });

    test('on an order still on its way, the automatic approval reads the order’s delivery first, and the refund reads it again and pays exactly the line’s 实付', async () => {
      const order = await placeOrder('auto-transit', {
        shipments: [{ carrier: 'SF', shippedAt: daysAgo(3), deliveredAt: null }],
        discount: 500,
        lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }],
      });
      const paid = order.lines[0].amountPaid;
      expect(paid).toBe(5400);
      const refund = await opened(tokens.customer, claim('refund_only', 'not_received', order, firstLine(order), { evidence: [] }), autoApprove);
      expect(refund.order.deliveredAt).toBeUndefined();
      const done = await autoApprove.waitForStatus(refund.id, 'completed', REVIEW_BUDGET_MS + CALLBACKS_MS);

      const approval = done.timeline.find((e) => e.event === 'auto_action.review_approved');
      if (!approval?.data?.deliveryReadAt) throw new Error(`the automatic approval did not read the order's delivery first; ${describeCase(done)}`);
      const confirmed = done.timeline.find((e) => e.event === 'delivery.confirmed');
      if (!confirmed) throw new Error(`the refund did not read the order's delivery again before paying; ${describeCase(done)}`);
      expect(confirmed.data).toMatchObject({ before: 'refund', deliveredAt: null, openedWith: null });
      expect(done.refund).toMatchObject({ amount: paid, status: 'succeeded' });

      const money = await moneyOfOrder(order.orderId, [refund.id], autoApprove);
      expect(refundsOf(money)).toEqual([{ amount: paid, status: 'succeeded' }]);
    });
  });
});

describe('bullet 3: dates, category and payment come from the order, not from the claim', () => {
  test('a repair of a 2023 purchase claimed as paid last month is a 400, and opened on the order it is an out-of-warranty (paid) repair with no money paid back', async () => {
    const paidAt = '2023-03-10T02:00:00.000Z';
    const order = await placeOrder('2023', {
      placedAt: paidAt,
      payment: { method: 'online', channel: 'alipay', paidAt },
      shipments: [{ carrier: 'SF', shippedAt: '2023-03-11T02:00:00.000Z', deliveredAt: '2023-03-12T02:00:00.000Z' }],
      lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 8800 }],
    });
    const asBefore = {
      type: 'repair',
      orderId: order.orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-LAMP-1', quantity: 1, unitPrice: 8800 }],
      reason: { code: 'quality_issue', description: 'flickers' },
      evidence: EVIDENCE,
      order: { paidAt: daysAgo(30), deliveredAt: daysAgo(28), paymentMethod: 'online', total: 8800, currency: 'CNY' },
    };
    expectClaimedFactsRefused(await cases.openAsSent(tokens.customer, asBefore), ['order'], 'a repair claiming a paidAt of last month');

    const repair = await opened(tokens.customer, claim('repair', 'quality_issue', order, firstLine(order)));
    expect({ warranty: repair.outcome.warranty, paidAt: repair.order.paidAt }).toEqual({ warranty: 'out_of_warranty', paidAt });
    // Approved, it is a paid repair: the customer is asked to accept the quote; nothing is paid back.
    expectStatus(await cases.accepted(tokens.agent, repair.id, 'review', { decision: 'approve' }), 'awaiting_quote_acceptance');
    const money = await moneyOfOrder(order.orderId, [repair.id]);
    expect(refundsOf(money)).toEqual([]);
  });

  test('a change-of-mind return of a line the order system files as fresh food is refused as an excluded category, whatever the claim leaves out', async () => {
    const order = await placeOrder('fresh', { lines: [{ sku: 'SKU-LYCHEE-1', title: 'Lychees 2 kg', category: 'fresh', unitsBought: 1, unitListPrice: 6800 }] });
    // The attack as it was sent: no category anywhere, so no exclusion could match.
    const asBefore = {
      type: 'return',
      orderId: order.orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-LYCHEE-1', quantity: 1, unitPrice: 6800 }],
      reason: { code: 'no_reason' },
      packagingIntact: true,
      order: { paidAt: daysAgo(5), deliveredAt: daysAgo(2), paymentMethod: 'online', total: 6800, currency: 'CNY' },
    };
    expectClaimedFactsRefused(await cases.openAsSent(tokens.customer, asBefore), ['customerId', 'order', 'items[0].unitPrice'], 'a no-reason return without a category');

    for (const [type, reason] of [
      ['return', 'no_reason'],
      ['exchange', 'size_fit'],
    ] as const) {
      const excluded = expectRefusal(await cases.openAsSent(tokens.customer, claim(type, reason, order, firstLine(order), { evidence: [] })), 422, 'no_reason_excluded_category', `a ${type} for ${reason} of a fresh line`);
      expect(excluded.details).toEqual([expect.objectContaining({ field: 'items[0].category' })]);
      expect(excluded.message).toMatch(/fresh/);
    }
    await moneyOfOrder(order.orderId, []);
  });

  test('payment method and channel cannot be claimed (400), and a refund goes back the way the order system says the order was paid', async () => {
    const [alipay, wechatpay] = await Promise.all([
      placeOrder('alipay', { payment: { method: 'online', channel: 'alipay' }, lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }] }),
      placeOrder('wechatpay', { payment: { method: 'online', channel: 'wechatpay' }, lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }] }),
    ]);
    // The attack as it was sent: cash on delivery or the "other" channel, around the per-trade cap of Alipay and WeChat Pay.
    const asBefore = (paymentMethod: string, paymentChannel?: string) => ({
      type: 'refund_only',
      orderId: alipay.orderId,
      customerId: 'c-1',
      items: [{ sku: 'SKU-LAMP-1', quantity: 1, unitPrice: 5900 }],
      reason: { code: 'wrong_item' },
      evidence: EVIDENCE,
      order: { paidAt: daysAgo(5), deliveredAt: daysAgo(2), paymentMethod, ...(paymentChannel ? { paymentChannel } : {}), total: 5900, currency: 'CNY' },
    });
    expectClaimedFactsRefused(await cases.openAsSent(tokens.customer, asBefore('cod')), ['order'], 'paymentMethod cod');
    expectClaimedFactsRefused(await cases.openAsSent(tokens.customer, asBefore('online', 'other')), ['order'], 'paymentChannel other');
    // The same fields beside today's claim are not part of it.
    const beside = expectRefusal(
      await cases.openAsSent(tokens.customer, claim('refund_only', 'wrong_item', alipay, firstLine(alipay), { paymentMethod: 'cod', paymentChannel: 'other' })),
      400,
      'validation_failed',
      'paymentMethod and paymentChannel beside a claim',
    );
    expect(beside.details.map((d) => d.field).sort()).toEqual(['paymentChannel', 'paymentMethod']);

    const [byAlipay, byWechatpay] = await Promise.all([
      completedRefundOnly(claim('refund_only', 'wrong_item', alipay, firstLine(alipay))),
      completedRefundOnly(claim('refund_only', 'wrong_item', wechatpay, firstLine(wechatpay))),
    ]);
    expect(byAlipay.order).toMatchObject({ paymentMethod: 'online', paymentChannel: 'alipay' });
    expect(byWechatpay.order).toMatchObject({ paymentMethod: 'online', paymentChannel: 'wechatpay' });
    for (const [order, done] of [
      [alipay, byAlipay],
      [wechatpay, byWechatpay],
    ] as const) {
      const money = await moneyOfOrder(order.orderId, [done.id]);
      expect(money.refunds.map((r) => ({ amount: r.amount, status: r.status, paymentMethod: (r as unknown as { paymentMethod: string }).paymentMethod }))).toEqual([
        { amount: 5900, status: 'succeeded', paymentMethod: 'online' },
      ]);
    }
  });
});

describe('bullet 4: an order id is no key to another customer’s order', () => {
  /** The 404 body with the order id taken out, to compare two of them. */
  const withoutOrderId = (answer: Answer, orderId: string) => ({ status: answer.status, body: answer.text.split(orderId).join('<order>') });

  test('customer c-2 naming c-1’s order gets the same 404 order_not_found as an order that does not exist, cannot pose as c-1, and c-1 opens their case on it afterwards', async () => {
    const order = await placeOrder('owner', { lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }] });
    const body = claim('refund_only', 'wrong_item', order, [{ sku: 'SKU-LAMP-1', quantity: 1 }]);
    const onTheirs = await cases.openAsSent(tokens.otherCustomer, body);
    expectRefusal(onTheirs, 404, 'order_not_found', 'c-2 claiming on c-1’s order');
    const missingId = `IT-ATK-none-${randomUUID()}`;
    const onNothing = await cases.openAsSent(tokens.otherCustomer, { ...body, orderId: missingId });
    expect(withoutOrderId(onTheirs, order.orderId)).toEqual(withoutOrderId(onNothing, missingId));
    // Naming the owner as the customer is refused by name: the buyer comes from the order.
    expectClaimedFactsRefused(await cases.openAsSent(tokens.otherCustomer, { ...body, customerId: 'c-1' }), ['customerId'], 'c-2 sending customerId c-1');

    const owners = await opened(tokens.customer, body);
    expect({ customerId: owners.customerId, status: owners.status }).toEqual({ customerId: 'c-1', status: 'awaiting_review' });
  });

  test('while c-1’s case is open, and after it paid the line back, c-2’s claims are 404s without c-1’s case id or amounts, and the line is paid back once, to c-1', async () => {
    const order = await placeOrder('held', { lines: [{ sku: 'SKU-LAMP-1', unitsBought: 1, unitListPrice: 5900 }] });
    const body = claim('refund_only', 'wrong_item', order, firstLine(order));
    const owners = await opened(tokens.customer, body);
    // What c-1's case would give away; the order id c-2 sent is taken out first (it is random and could hold the digits).
    const leaks = (answer: Answer) => [owners.id, '5900', '59.00', 'paidBack', 'caseIds'].filter((secret) => answer.text.split(order.orderId).join('').includes(secret));

    // Open: c-2 is not told a case holds the line (no 409), nor its id.
    const whileOpen = await cases.openAsSent(tokens.otherCustomer, body);
    expectRefusal(whileOpen, 404, 'order_not_found', 'c-2 claiming on c-1’s order while c-1’s case is open');
    expect(leaks(whileOpen)).toEqual([]);
    expectRefusal(await cases.read(owners.id, tokens.otherCustomer), 404, 'case_not_found', 'c-2 reading c-1’s case');
    // The owner is told a case is open, without its id.
    const ownerTwice = expectRefusal(await cases.openAsSent(tokens.customer, body), 409, 'duplicate_open_case', 'c-1 opening the same claim twice');
    expect(JSON.stringify(ownerTwice)).not.toContain(owners.id);

    // Paid back: c-2 is not told what went back (no 422 with amounts).
    await cases.accepted(tokens.agent, owners.id, 'review', { decision: 'approve' });
    const done = await cases.waitForStatus(owners.id, 'completed', CALLBACKS_MS);
    const afterRefund = await cases.openAsSent(tokens.otherCustomer, body);
    expectRefusal(afterRefund, 404, 'order_not_found', 'c-2 claiming on c-1’s order after it was paid back');
    expect(leaks(afterRefund)).toEqual([]);

    const money = await moneyOfOrder(order.orderId, [done.id]);
    expect(refundsOf(money)).toEqual([{ amount: 5900, status: 'succeeded' }]);
    expect(done.customerId).toBe('c-1');
  });
});

describe('bullet 5: units bought come from the order, so a line can come back unit by unit', () => {
  test('three cases each returning one of 3 units of a discounted line are each accepted and refund one unit’s share, the last taking the remainder, so exactly the line’s 实付 goes back; a fourth is nothing_refundable', async () => {
    // 3 × 59.00 less a 10.00 discount: 167.00 paid, which 3 does not divide (55.66, 55.66, and 55.68 for the last unit).
    const order = await placeOrder('units', { discount: 1000, lines: [{ sku: 'SKU-MUG-1', unitsBought: 3, unitListPrice: 5900 }] });
    const line = order.lines[0];
    expect({ 实付: line.amountPaid, units: line.unitsBought }).toEqual({ 实付: 16_700, units: 3 });
    const share = Math.floor(line.amountPaid / line.unitsBought);

    const done: CaseSnapshot[] = [];
    for (let unit = 1; unit <= 3; unit++) {
      const returned = await completedReturn(claim('return', 'quality_issue', order, firstLine(order)));
      expect({ unit, orderedQuantity: returned.items[0].orderedQuantity, unitPrice: returned.items[0].unitPrice }).toEqual({ unit, orderedQuantity: 3, unitPrice: share });
      if (returned.refund?.status !== 'succeeded' || returned.refund.amount < share) {
        throw new Error(`unit ${unit} of 3 was not refunded its share of ${share}: ${JSON.stringify(returned.refund)}; ${describeCase(returned)}`);
      }
      done.push(returned);
    }
    // The last unit back takes what the even shares leave over (the ledger's remainder rule): 5566 + 5566 + 5568.
    const remainder = line.amountPaid - share * line.unitsBought;
    expect({ refunds: done.map((c) => c.refund?.amount) }).toEqual({ refunds: [share, share, share + remainder] });
    const refunded = totalOf(done.map((c) => ({ amount: c.refund?.amount ?? 0 })));
    expect({ refundedInAll: refunded }).toEqual({ refundedInAll: line.amountPaid });

    // Every unit is back: a fourth claim finds nothing left.
    expectRefusal(await cases.openAsSent(tokens.customer, claim('return', 'quality_issue', order, firstLine(order))), 422, 'nothing_refundable', 'a fourth unit of a line of 3');

    const money = await moneyOfOrder(order.orderId, done.map((c) => c.id));
    expect(money.refunds.every((r) => r.status === 'succeeded')).toBe(true);
    expect(totalOf(money.refunds)).toBe(refunded);
    const ledgerLine = lineOf(await orderLedgerOf(apiUrl, tokens.agent, order.orderId), line.sku);
    expect(ledgerLine).toMatchObject({ unitsBought: 3, amountPaid: line.amountPaid, unitsReturned: 3, unitsRemaining: 0, refunded: line.amountPaid, refundable: 0 });
  });
});
