import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseItem, CaseSnapshot, OpenCaseRequest } from '../../domain/case.types';
import { lineKey, lineKeyOf } from '../../domain/keys';
import { lineTotals, type LedgerEntry, type LineTotals } from '../../domain/order-ledger';
import { defaultPolicy } from '../../domain/policy';
import {
  cancelUpdate,
  collectionEventSignal,
  confirmReceiptUpdate,
  getCaseQuery,
  inspectionUpdate,
  quoteUpdate,
  repairResultUpdate,
  resolutionUpdate,
  reviewUpdate,
  stockDecisionUpdate,
} from '../../domain/workflow-contract';
import {
  about,
  actors,
  caseRequest,
  clock,
  collectionRequested,
  events,
  FakeWorld,
  messagesWith,
  parcelsOf,
  refundIssued,
  refusal,
  settleCollection,
  settleRefund,
  shipAndDeliver,
  startCase,
  waitFor,
  waitForCase,
  waitForStatus,
  worldRunner,
  type CaseHandle,
} from './support/workflow-harness';

const { agent, customer, warehouse, supervisor } = actors;

const repairCenter = { kind: 'agent' as const, id: 'repair.center' };
const DAY = 86_400_000;
const policy = defaultPolicy();
const QUOTE = policy.repair.paidRepairQuote;
const FEE = policy.shipping.returnShippingFee;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

// ── The fake ledger as the witness ────────────────────────────────────────────

/** The entries on an order line of the fake ledger (none when nothing was ever reserved on it). */
function entriesOf(orderId: string, sku = 'SKU-1'): LedgerEntry[] {
  return world.ledgerLines.get(lineKey(orderId, sku))?.entries ?? [];
}

/** The totals of an order line, with what it paid, for assertions and failure messages. */
function totalsOf(orderId: string, sku = 'SKU-1'): LineTotals & { amountPaid: number } {
  const line = world.ledgerLines.get(lineKey(orderId, sku));
  if (!line) throw new Error(`the ledger has no line ${orderId}/${sku}; lines: ${[...world.ledgerLines.keys()].join(', ') || 'none'}`);
  return { ...lineTotals(line), amountPaid: line.amountPaid };
}

/** The line never shows more paid back (confirmed or in flight) than the customer paid for it. */
function expectWithinPaid(orderId: string, when: string, sku = 'SKU-1'): void {
  const totals = totalsOf(orderId, sku);
  if (totals.refunded + totals.reserved > totals.amountPaid) {
    throw new Error(`${when}: line ${orderId}/${sku} shows ${totals.refunded} refunded + ${totals.reserved} reserved, more than the ${totals.amountPaid} paid`);
  }
}

/** Waits until the ledger entry of a movement (`<caseId>:<kind>…`, one line) reaches a state. */
async function entryReaches(orderId: string, key: string, state: LedgerEntry['state'], sku = 'SKU-1'): Promise<LedgerEntry> {
  const find = () => entriesOf(orderId, sku).find((e) => e.key === `${key}:${sku}`);
  await waitFor(() => find()?.state === state, `ledger entry ${key}:${sku} to be ${state} (it is ${find()?.state ?? 'absent'})`);
  return find() as LedgerEntry;
}

// ── Cases ─────────────────────────────────────────────────────────────────────

/** A refund-only request on a delivered order: `reason` with the photo the policy wants. */
async function refundOnly(reason: 'wrong_item' | 'missing_parts', orderId: string, items: CaseItem[], orderTotal: number): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  const request = caseRequest(now, { type: 'refund_only', orderId, items, reason: { code: reason }, evidence: ['https://img.example/box.jpg'], packagingIntact: undefined });
  return { ...request, order: { ...request.order, total: orderTotal } };
}

/** A parcel that never arrived (the order has no delivery date): refund only. */
async function notReceived(): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  const request = caseRequest(now, { type: 'refund_only', reason: { code: 'not_received' }, packagingIntact: undefined });
  const { deliveredAt: _never, ...order } = request.order;
  return { ...request, order };
}

/** Approves the review and waits for the refund the case sends the provider. */
async function approveAndAwaitRefund(handle: CaseHandle) {
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
  const { id } = await handle.query(getCaseQuery);
  const refund = await refundIssued(world, id);
  const snapshot = await waitForCase(handle, 'the refund to be with the provider', (c) => c.refund?.status === 'requested');
  return { refund, snapshot };
}

/** Review approved, the goods sent back and delivered to the warehouse: the case waits for the inspection. */
async function toInspection(handle: CaseHandle): Promise<CaseSnapshot> {
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
  await waitForStatus(handle, 'awaiting_return_shipment');
  await shipAndDeliver(handle);
  return waitForStatus(handle, 'inspecting');
}

/** A faulty item for repair (with a photo), bought `paidDaysAgo` days ago; two years = out of the 1-year warranty. */
async function repairRequest(paidDaysAgo: number): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  return caseRequest(now, { type: 'repair', reason: { code: 'quality_issue', description: 'does not charge' }, evidence: ['https://img.example/port.jpg'] }, paidDaysAgo - 3);
}

/** A paid repair with its quote accepted: the case asks the customer to pay the quote. */
async function quoteAccepted(paidDaysAgo = 730, humanDamage = false) {
  const handle = await startCase(env, world, await repairRequest(paidDaysAgo));
  const review = humanDamage ? { humanDamage: true, note: 'screen cracked by a fall' } : {};
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve', ...review }] });
  await waitForStatus(handle, 'awaiting_quote_acceptance');
  await handle.executeUpdate(quoteUpdate, { args: [{ actor: customer, accept: true }] });
  const { id, orderId } = await handle.query(getCaseQuery);
  const collection = await collectionRequested(world, id);
  const awaiting = await waitForCase(handle, 'the quote collection to be requested', (c) => c.outcome.collections?.[0]?.status === 'requested');
  return { handle, id, orderId, collection, awaiting };
}

/** An exchange of a defective jacket (the platform pays shipping) that is out of stock: the case waits for a stock decision. */
async function jacketOutOfStock(): Promise<{ handle: CaseHandle; id: string; orderId: string }> {
  const now = await env.currentTimeMs();
  const items = [{ sku: 'OOS-JACKET', quantity: 1, unitPrice: 25_900, category: 'apparel' }];
  const request = caseRequest(now, { type: 'exchange', items, reason: { code: 'quality_issue', description: 'zip broken' }, evidence: ['https://img.example/zip.jpg'] });
  const handle = await startCase(env, world, request);
  const { id } = await toInspection(handle);
  await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
  await waitForCase(handle, 'the stock decision to be awaited', (c) => c.status === 'awaiting_stock_decision' && c.sla.some((k) => k.name === 'stock_decision' && k.state === 'running'));
  return { handle, id, orderId: request.orderId };
}

function stockDecision(handle: CaseHandle, actor: typeof customer | typeof agent, sku: string) {
  return handle.executeUpdate(stockDecisionUpdate, { args: [{ actor, decision: 'alternative', sku }] });
}

describe('money paths (order-ledger)', () => {
  describe('the order-line ledger', () => {
    test('when two cases pay back the same order line, the second refund is capped to what the first left, and the line never shows more paid back than was paid', () =>
      withWorker(async () => {
        // Two units bought for 518.00; the first case claims one unit, the second claims both.
        const orderId = 'O-SHARED-1';
        const line = { sku: 'SKU-1', unitPrice: 25_900, orderedQuantity: 2 };
        const first = await startCase(env, world, await refundOnly('missing_parts', orderId, [{ ...line, quantity: 1 }], 51_800));
        const second = await startCase(env, world, await refundOnly('wrong_item', orderId, [{ ...line, quantity: 2 }], 51_800));

        const a = await approveAndAwaitRefund(first);
        expect(a.refund.amount).toBe(25_900);
        expectWithinPaid(orderId, 'after the first reservation');

        // The first refund is still in flight: its reservation already counts.
        const b = await approveAndAwaitRefund(second);
        about(b.snapshot, () => {
          expect(b.refund.amount).toBe(25_900);
          expect(b.snapshot.refund).toMatchObject({ amount: 25_900, requested: 51_800, status: 'requested' });
          expect(b.snapshot.timeline.find((e) => e.event === 'refund.capped')?.data).toMatchObject({ requested: 51_800, granted: 25_900 });
        });
        expectWithinPaid(orderId, 'with both refunds in flight');
        expect(totalsOf(orderId)).toMatchObject({ reserved: 51_800, refunded: 0, refundable: 0 });

        await settleRefund(first, world, a.snapshot.id);
        await settleRefund(second, world, b.snapshot.id);
        const [doneA, doneB] = await Promise.all([waitForStatus(first, 'completed'), waitForStatus(second, 'completed')]);
        await entryReaches(orderId, `${doneA.id}:refund`, 'committed');
        await entryReaches(orderId, `${doneB.id}:refund`, 'committed');
        expectWithinPaid(orderId, 'after both settled');
        about(doneA, () =>
          about(doneB, () => {
            const totals = totalsOf(orderId);
            expect(totals).toMatchObject({ refunded: 51_800, reserved: 0, refundable: 0, unitsReturned: 2, unitsRemaining: 0 });
            expect([...totals.paidBackBy].sort()).toEqual([doneA.id, doneB.id].sort());
            expect(world.refunds.map((r) => r.amount)).toEqual([25_900, 25_900]);
          }),
        );
      }));

    test('a case read from the order source, on a sku bought on two lines: each line is its own account, the last unit takes the remainder, and the refund settles on both lines by line', () =>
      withWorker(async () => {
        // Three units for 100.00 (33.33 each, rounded down) and one for 50.01, both SKU-1.
        const orderId = 'O-BY-LINE-1';
        const onLine = (lineId: string, quantity: number, orderedQuantity: number, linePaid: number): CaseItem => ({
          sku: 'SKU-1',
          quantity,
          unitPrice: Math.floor(linePaid / orderedQuantity),
          orderedQuantity,
          lineId,
          linePaid,
          sharesSku: true,
        });
        const items = [onLine('L1', 3, 3, 10_000), onLine('L2', 1, 1, 5_001)];
        const handle = await startCase(env, world, await refundOnly('missing_parts', orderId, items, 15_001));
        const { refund, snapshot } = await approveAndAwaitRefund(handle);
        // Asked 3 × 33.33 + 50.01 = 150.00; the last unit of L1 adds its remainder: 150.01, all that was paid.
        about(snapshot, () => expect(refund.amount).toBe(15_001));
        await settleRefund(handle, world, snapshot.id);
        const done = await waitForStatus(handle, 'completed');
        const l1 = world.ledgerLines.get(lineKeyOf(orderId, items[0]));
        const l2 = world.ledgerLines.get(lineKeyOf(orderId, items[1]));
        about(done, () => {
          expect(l1 && lineTotals(l1)).toMatchObject({ refunded: 10_000, reserved: 0, unitsReturned: 3 });
          expect(l2 && lineTotals(l2)).toMatchObject({ refunded: 5_001, reserved: 0, unitsReturned: 1 });
          expect(l1?.entries.map((e) => e.key)).toEqual([`${done.id}:refund:SKU-1@L1`]);
          expect(world.ledgerLines.has(lineKey(orderId, 'SKU-1'))).toBe(false);
        });
      }));

    test('when the provider answers the refund as already paid, the case completes without waiting for a notification, the ledger commits it once, and a notification that follows changes nothing', () =>
      withWorker(async () => {
        world.refundAnswer = 'succeeded';
        const orderId = 'O-PAID-AT-ONCE-1';
        const request = await refundOnly('missing_parts', orderId, [{ sku: 'SKU-1', quantity: 1, unitPrice: 25_900 }], 25_900);
        const handle = await startCase(env, world, { ...request, order: { ...request.order, paymentChannel: 'alipay' } });
        await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });

        const done = await waitForStatus(handle, 'completed');
        const entry = await entryReaches(orderId, `${done.id}:refund`, 'committed');
        about(done, () => {
          expect(done.refund).toMatchObject({ amount: 25_900, status: 'succeeded', id: world.refunds[0].refundId });
          expect(done.timeline.filter((e) => e.event === 'refund.succeeded')).toHaveLength(1);
          expect(entry.amount).toBe(25_900);
        });

        // The provider's notification of the same refund comes after the case has closed on the answer.
        await settleRefund(handle, world, done.id).catch(() => undefined);
        // One refund, sent back the way the order was paid.
        expect(world.refunds.map((r) => ({ amount: r.amount, paymentChannel: r.paymentChannel }))).toEqual([{ amount: 25_900, paymentChannel: 'alipay' }]);
        expect(totalsOf(orderId)).toMatchObject({ refunded: 25_900, reserved: 0 });
      }));

    test('when the order line was already paid back in full, the case closes rejected (refund.nothing_refundable), staff are told, and no refund is sent', () =>
      withWorker(async () => {
        const orderId = 'O-PAID-BACK-1';
        const item = { sku: 'SKU-1', quantity: 1, unitPrice: 25_900 };
        const first = await startCase(env, world, await refundOnly('missing_parts', orderId, [item], 25_900));
        const { snapshot } = await approveAndAwaitRefund(first);
        await settleRefund(first, world, snapshot.id);
        await waitForStatus(first, 'completed');
        await entryReaches(orderId, `${snapshot.id}:refund`, 'committed');

        const second = await startCase(env, world, await refundOnly('wrong_item', orderId, [item], 25_900));
        await second.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
        const rejected = await waitForStatus(second, 'rejected');
        about(rejected, () => {
          expect(events(rejected)).toContain('refund.nothing_refundable');
          expect(events(rejected)).not.toContain('refund.requested');
          expect(rejected.refund).toBeNull();
          expect(rejected.timeline.find((e) => e.event === 'refund.nothing_refundable')?.data).toMatchObject({ requested: 25_900 });
          expect(world.refunds.map((r) => r.caseId)).toEqual([snapshot.id]);
          expect(totalsOf(orderId)).toMatchObject({ refunded: 25_900, reserved: 0, paidBackBy: [snapshot.id] });
        });
        await waitFor(() => messagesWith(world, 'refund_nothing_refundable').some((m) => m.caseId === rejected.id), 'the staff queue to be told');
        await waitFor(() => world.templatesTo('c-1').includes('case_rejected'), 'the customer to be told');
      }));

    test('when every refund attempt fails, the reservation is released, the line may pay the money back again, and a supervisor can then close the case', () =>
      withWorker(async () => {
        const request = await notReceived();
        const handle = await startCase(env, world, request);
        const { snapshot } = await approveAndAwaitRefund(handle);
        expect(totalsOf(request.orderId)).toMatchObject({ reserved: 25_900, refundable: 0 });
        for (let attempt = 1; attempt <= policy.refund.maxAttempts; attempt++) {
          await refundIssued(world, snapshot.id, attempt);
          await settleRefund(handle, world, snapshot.id, 'failed');
        }
        const stuck = await waitForCase(handle, 'every attempt to fail', (c) => events(c).includes('refund.manual_action_required'));
        await entryReaches(request.orderId, `${snapshot.id}:refund`, 'released');
        about(stuck, () => {
          expect(stuck.status).toBe('refunding');
          expect(stuck.refund?.status).toBe('failed');
          expect(world.refunds.filter((r) => r.caseId === stuck.id)).toHaveLength(policy.refund.maxAttempts);
          expect(totalsOf(request.orderId)).toMatchObject({ refunded: 0, reserved: 0, refundable: 25_900, unitsReturned: 0 });
        });
        // The refund failed for good, so nothing is with the provider any more: the cancel is allowed.
        const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'refunded by bank transfer' }] });
        about(cancelled, () => expect(cancelled.status).toBe('cancelled'));
      }));

    test('while a refund is with the payment provider, a cancel is refused as an invalid state and changes nothing; the case completes when it settles', () =>
      withWorker(async () => {
        const request = await notReceived();
        const handle = await startCase(env, world, request);
        const { snapshot } = await approveAndAwaitRefund(handle);
        for (const actor of [supervisor, customer]) {
          const refused = await refusal(handle.executeUpdate(cancelUpdate, { args: [{ actor, note: 'changed my mind' }] }));
          expect({ actor: actor.kind, type: refused.type }).toEqual({ actor: actor.kind, type: 'InvalidCaseState' });
        }
        const after = await handle.query(getCaseQuery);
        about(after, () => {
          expect(after.version).toBe(snapshot.version);
          expect(after.status).toBe('refunding');
          expect(totalsOf(request.orderId).reserved).toBe(25_900);
        });
        await settleRefund(handle, world, snapshot.id);
        const done = await waitForStatus(handle, 'completed');
        await entryReaches(request.orderId, `${done.id}:refund`, 'committed');
        about(done, () => expect(totalsOf(request.orderId)).toMatchObject({ refunded: 25_900, reserved: 0 }));
      }));

    test('when a return claims no more than its deduction, the case completes with a zero refund recorded and nothing sent to the provider', () =>
      withWorker(async () => {
        // A 10.00 item returned for no reason: the return shipping fee of 10.00 takes all of it.
        const now = await env.currentTimeMs();
        const request = caseRequest(now, { items: [{ sku: 'SKU-CHEAP', quantity: 1, unitPrice: FEE }] });
        const handle = await startCase(env, world, request);
        await toInspection(handle);
        await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
        const done = await waitForStatus(handle, 'completed');
        about(done, () => {
          expect(done.refund).toMatchObject({ amount: 0, status: 'succeeded', deduction: FEE, kind: 'refund' });
          expect(done.refund?.id).toBeUndefined();
          expect(done.timeline.find((e) => e.event === 'refund.zero')?.data).toMatchObject({ deduction: FEE });
          expect(events(done)).not.toContain('refund.requested');
          expect(done.sla.map((c) => c.name)).not.toContain('refund');
          expect(clock(done, 'processing').state).toBe('met');
          expect(world.refunds).toEqual([]);
        });
        // The goods came back for nothing: the line counts the unit as returned, so it cannot be claimed again.
        const entry = await entryReaches(request.orderId, `${done.id}:refund`, 'committed', 'SKU-CHEAP');
        about(done, () => {
          expect(entry).toMatchObject({ amount: 0, units: 1 });
          expect(totalsOf(request.orderId, 'SKU-CHEAP')).toMatchObject({ unitsRemaining: 0, refunded: 0 });
        });
      }));
  });

  describe('collections', () => {
    test('when an accepted repair quote is paid, it is collected before the item is sent in and committed on the line; the repair then goes on', () =>
      withWorker(async () => {
        const { handle, id, orderId, collection, awaiting } = await quoteAccepted();
        about(awaiting, () => {
          expect(awaiting.status).toBe('awaiting_payment');
          expect(collection).toMatchObject({ purpose: 'repair_quote', amount: QUOTE });
          const payment = clock(awaiting, 'payment');
          expect(payment.state).toBe('running');
          expect(Date.parse(payment.deadline) - Date.parse(payment.startedAt)).toBe(3 * DAY);
          expect(world.labels).toEqual([]);
        });
        await waitFor(() => messagesWith(world, 'payment_requested').some((m) => m.caseId === id), 'the customer to be asked to pay');
        expect(messagesWith(world, 'payment_requested')[0].params).toMatchObject({ purpose: 'repair_quote', amount: QUOTE, collectionId: collection.collectionId });
        expect(entriesOf(orderId)).toEqual([expect.objectContaining({ kind: 'collection', amount: QUOTE, state: 'reserved' })]);

        await settleCollection(handle, collection.collectionId);
        const paid = await waitForStatus(handle, 'awaiting_return_shipment');
        await entryReaches(orderId, `${id}:collection:repair_quote`, 'committed');
        about(paid, () => {
          expect(events(paid)).toEqual(expect.arrayContaining(['payment.requested', 'payment.paid', 'repair.quote_paid']));
          expect(clock(paid, 'payment').state).toBe('met');
          expect(paid.outcome.collections).toEqual([expect.objectContaining({ purpose: 'repair_quote', status: 'paid', id: collection.collectionId })]);
          // Money in from the customer does not touch what the price may still pay back.
          expect(totalsOf(orderId)).toMatchObject({ collected: QUOTE, refunded: 0, reserved: 0, refundable: 25_900 });
        });
        await waitFor(() => world.templatesTo('c-1').includes('return_label'), 'the return label once paid');
      }));

    test('when the repair quote is not paid within the 3-day payment clock, the repair is cancelled before anything ships and the collection is released', () =>
      withWorker(async () => {
        const { handle, id, orderId } = await quoteAccepted();
        await env.sleep('71 hours');
        expect((await handle.query(getCaseQuery)).status).toBe('awaiting_payment');
        await env.sleep('1 hour');
        const cancelled = await waitForStatus(handle, 'cancelled');
        await entryReaches(orderId, `${id}:collection:repair_quote`, 'released');
        about(cancelled, () => {
          expect(events(cancelled)).toEqual(expect.arrayContaining(['customer.timeout', 'payment.not_received', 'repair.quote_unpaid']));
          expect(cancelled.timeline.find((e) => e.event === 'payment.not_received')?.data).toMatchObject({ purpose: 'repair_quote', clock: 'payment' });
          expect(cancelled.outcome.collections).toEqual([expect.objectContaining({ purpose: 'repair_quote', status: 'unpaid' })]);
          expect(clock(cancelled, 'payment').state).toBe('breached');
          expect(cancelled.breached).toBe(false);
          expect(world.labels).toEqual([]);
          expect(totalsOf(orderId)).toMatchObject({ collected: 0, refunded: 0, reserved: 0 });
        });
      }));

    test('when a case is cancelled while it waits for a payment, its collection reservation is released', () =>
      withWorker(async () => {
        const { handle, id, orderId } = await quoteAccepted();
        expect(entriesOf(orderId)).toEqual([expect.objectContaining({ key: `${id}:collection:repair_quote:SKU-1`, state: 'reserved' })]);
        const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'found a cheaper repair shop' }] });
        about(cancelled, () => expect(cancelled.status).toBe('cancelled'));
        const entry = await entryReaches(orderId, `${id}:collection:repair_quote`, 'released');
        expect(entry).toMatchObject({ kind: 'collection', amount: QUOTE });
        expect(totalsOf(orderId).collected).toBe(0);
      }));

    test('when the customer pays after the case was cancelled, the payment is marked late and the staff queue is told to pay it back', () =>
      withWorker(async () => {
        const { handle, collection } = await quoteAccepted();
        await handle.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'found a cheaper repair shop' }] });
        await settleCollection(handle, collection.collectionId);
        const late = await waitForCase(handle, 'the late payment', (s) => events(s).includes('payment.received_late'));
        about(late, () => {
          expect(late.status).toBe('cancelled');
          expect(late.outcome.collections).toEqual([expect.objectContaining({ purpose: 'repair_quote', status: 'unpaid' })]);
        });
        const queue = late.assignee ?? 'team-lead@aftersales.local';
        await waitFor(() => world.templatesTo(queue).includes('payment_received_late'), `${queue} told of the late payment`);
      }));

    test("a payment reported after the case was cancelled that the provider's record does not show paid is not a late payment; once it is paid, it is", () =>
      withWorker(async () => {
        const { handle, collection } = await quoteAccepted();
        await handle.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'found a cheaper repair shop' }] });
        // A forged report: the provider's record still says pending.
        await handle.signal(collectionEventSignal, { eventId: 'forged-late', collectionId: collection.collectionId, status: 'succeeded', at: new Date().toISOString() });
        await new Promise((r) => setTimeout(r, 1500));
        const unmoved = await handle.query(getCaseQuery);
        about(unmoved, () => expect(events(unmoved)).not.toContain('payment.received_late'));
        const queue = unmoved.assignee ?? 'team-lead@aftersales.local';
        expect(world.templatesTo(queue)).not.toContain('payment_received_late');

        await settleCollection(handle, collection.collectionId);
        const late = await waitForCase(handle, 'the confirmed late payment', (s) => events(s).includes('payment.received_late'));
        about(late, () => expect(late.timeline.find((e) => e.event === 'payment.received_late')?.data).toMatchObject({ collectionId: collection.collectionId, confirmed: true }));
        await waitFor(() => world.templatesTo(queue).includes('payment_received_late'), `${queue} told of the late payment`);
      }));

    test.each([
      ['out of warranty', 730, false],
      ['in warranty with human damage', 30, true],
    ])('when a paid repair (%s) turns out unrepairable, the item is shipped back and only the collected quote is refunded, never the price', (_label, paidDaysAgo, humanDamage) =>
      withWorker(async () => {
        const { handle, id, orderId, collection } = await quoteAccepted(paidDaysAgo, humanDamage);
        await settleCollection(handle, collection.collectionId);
        await waitForStatus(handle, 'awaiting_return_shipment');
        await shipAndDeliver(handle);
        await waitForStatus(handle, 'repairing');
        await handle.executeUpdate(repairResultUpdate, { args: [{ actor: repairCenter, outcome: 'unrepairable', verified: false, note: 'board burnt' }] });

        const refund = await refundIssued(world, id);
        const refunding = await waitForCase(handle, 'the quote refund to be with the provider', (c) => c.refund?.status === 'requested');
        about(refunding, () => {
          expect(refund.amount).toBe(QUOTE);
          expect(refunding.refund).toMatchObject({ amount: QUOTE, kind: 'collection_refund' });
          expect(refunding.outcome.unrepairable).toEqual({ itemReturned: true, quoteRefunded: QUOTE, priceRefunded: 0 });
          expect(parcelsOf(world, id).map((p) => p.purpose)).toEqual(['repair_return']);
          expect(totalsOf(orderId)).toMatchObject({ collected: QUOTE, collectionRefunded: QUOTE, reserved: 0, refundable: 25_900 });
        });
        await settleRefund(handle, world, id);
        const done = await waitForStatus(handle, 'completed');
        await entryReaches(orderId, `${id}:collection_refund`, 'committed');
        about(done, () => {
          expect(world.refunds.map((r) => r.amount)).toEqual([QUOTE]);
          expect(totalsOf(orderId)).toMatchObject({ refunded: 0, collectionRefundable: 0, refundable: 25_900 });
        });
      }));

    test('when the customer does not pay the return shipping of a change-of-mind exchange within the payment clock, the exchange becomes a refund of the claim less the fee', () =>
      withWorker(async () => {
        const now = await env.currentTimeMs();
        const handle = await startCase(env, world, caseRequest(now, { type: 'exchange', reason: { code: 'no_reason' } }));
        const { id } = await toInspection(handle);
        await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
        const asked = await collectionRequested(world, id);
        expect(asked).toMatchObject({ purpose: 'return_shipping', amount: FEE });
        const awaiting = await waitForStatus(handle, 'awaiting_payment');
        about(awaiting, () => expect(world.stockChecks).toEqual([]));

        await env.sleep('3 days');
        const refund = await refundIssued(world, id);
        const refunding = await waitForCase(handle, 'the refund instead of the exchange', (c) => c.refund?.status === 'requested');
        about(refunding, () => {
          expect(refund.amount).toBe(25_900 - FEE);
          expect(refunding.refund).toMatchObject({ amount: 25_900 - FEE, deduction: FEE, kind: 'refund' });
          expect(refunding.timeline.find((e) => e.event === 'exchange.became_refund')?.data).toMatchObject({ deduction: FEE });
          expect(events(refunding)).toContain('payment.not_received');
          expect(world.stockChecks).toEqual([]);
          expect(parcelsOf(world, id)).toEqual([]);
        });
        await settleRefund(handle, world, id);
        await waitForStatus(handle, 'completed');
      }));

    test('when the send-back fee of goods that failed inspection is not paid, the return closes rejected with the goods held and no parcel', () =>
      withWorker(async () => {
        const now = await env.currentTimeMs();
        const request = caseRequest(now);
        const handle = await startCase(env, world, request);
        const { id } = await toInspection(handle);
        await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'fail', note: 'worn, tags removed' }] });
        const fee = await collectionRequested(world, id);
        expect(fee).toMatchObject({ purpose: 'send_back_shipping', amount: policy.shipping.sendBackFee });
        await waitForStatus(handle, 'awaiting_payment');
        await settleCollection(handle, fee.collectionId, 'failed', 'card declined');

        const rejected = await waitForStatus(handle, 'rejected');
        await entryReaches(request.orderId, `${id}:collection:send_back_shipping`, 'released');
        about(rejected, () => {
          expect(events(rejected)).toEqual(expect.arrayContaining(['inspection.failed', 'payment.failed', 'payment.not_received', 'inspection.rejected']));
          expect(rejected.outcome.goodsHeld).toBe(true);
          expect(rejected.outcome.collections).toEqual([expect.objectContaining({ purpose: 'send_back_shipping', status: 'failed' })]);
          expect(parcelsOf(world, id)).toEqual([]);
          expect(world.refunds).toEqual([]);
        });
        await waitFor(() => world.templatesTo('c-1').includes('goods_held'), 'the customer to be told the goods are held');
      }));

    test('while the send-back fee is asked the customer cannot withdraw the return (the goods are at the warehouse); a supervisor can, and the collection is released', () =>
      withWorker(async () => {
        const now = await env.currentTimeMs();
        const request = caseRequest(now);
        const handle = await startCase(env, world, request);
        const { id } = await toInspection(handle);
        await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'fail', note: 'worn, tags removed' }] });
        await collectionRequested(world, id);
        const awaiting = await waitForCase(handle, 'the send-back fee to be asked', (c) => c.outcome.collections?.[0]?.status === 'requested');
        await entryReaches(request.orderId, `${id}:collection:send_back_shipping`, 'reserved');

        const refused = await refusal(handle.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'keep them' }] }));
        expect(refused.type).toBe('InvalidCaseState');
        const after = await handle.query(getCaseQuery);
        about(after, () => {
          expect(after.status).toBe('awaiting_payment');
          expect(after.version).toBe(awaiting.version);
        });

        const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'customer collects in person' }] });
        about(cancelled, () => expect(cancelled.status).toBe('cancelled'));
        await entryReaches(request.orderId, `${id}:collection:send_back_shipping`, 'released');
      }));
  });

  describe('complaints', () => {
    async function openComplaint(): Promise<CaseHandle> {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now, { type: 'complaint', reason: { code: 'other', description: 'the courier was rude' } }));
      await waitForStatus(handle, 'investigating');
      return handle;
    }

    test('when staff cancel a complaint they must give its resolution: without one the cancel is refused as a conflict with the case naming the field, with one the resolution is recorded', () =>
      withWorker(async () => {
        const handle = await openComplaint();
        const before = await handle.query(getCaseQuery);
        for (const resolution of [undefined, '   ']) {
          const refused = await refusal(handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'duplicate', resolution }] }));
          expect({ resolution, type: refused.type, fields: refused.details?.[0] }).toEqual({
            resolution,
            type: 'InvalidCaseState',
            fields: [{ field: 'resolution', message: 'required to close a complaint' }],
          });
          expect(refused.message).toContain('resolution');
        }
        expect((await handle.query(getCaseQuery)).version).toBe(before.version);

        const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'duplicate', resolution: 'handled in case C-12' }] });
        about(cancelled, () => {
          expect(cancelled.status).toBe('cancelled');
          expect(cancelled.outcome.resolution).toEqual({ text: 'handled in case C-12', compensation: null, by: supervisor.id, closedBy: 'cancel' });
          expect(events(cancelled)).toEqual(expect.arrayContaining(['complaint.resolved', 'case.cancelled']));
        });
      }));

    test('when the customer withdraws a complaint, the withdrawal is recorded as its resolution', () =>
      withWorker(async () => {
        const handle = await openComplaint();
        const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: customer }] });
        about(cancelled, () => expect(cancelled.outcome.resolution).toEqual({ text: 'withdrawn by the customer', compensation: null, by: customer.id, closedBy: 'cancel' }));
      }));

    test('when a coupon exceeds the policy’s largest goodwill coupon it is refused as invalid input; at the cap it is issued and recorded on the line as goodwill, not against the price', () =>
      withWorker(async () => {
        const cap = policy.compensation.maxCouponAmount;
        const handle = await openComplaint();
        const { orderId } = await handle.query(getCaseQuery);
        const refused = await refusal(
          handle.executeUpdate(resolutionUpdate, { args: [{ actor: agent, resolution: 'sorry', compensation: { kind: 'coupon', amount: cap + 1 } }] }),
        );
        expect(refused.type).toBe('InvalidCommandInput');
        expect(refused.message).toContain(String(cap));
        about(await handle.query(getCaseQuery), () => expect(world.coupons).toEqual([]));

        await handle.executeUpdate(resolutionUpdate, { args: [{ actor: agent, resolution: 'sorry', compensation: { kind: 'coupon', amount: cap } }] });
        const done = await waitForStatus(handle, 'completed');
        await waitFor(() => world.coupons.length === 1, 'the coupon');
        const entry = await entryReaches(orderId, `${done.id}:coupon`, 'committed');
        about(done, () => {
          expect(world.coupons[0]).toMatchObject({ amount: cap });
          expect(entry).toMatchObject({ kind: 'coupon', amount: cap });
          expect(totalsOf(orderId)).toMatchObject({ coupons: cap, refunded: 0, reserved: 0, refundable: 25_900 });
        });
      }));
  });

  describe('exchange alternatives against the catalog', () => {
    /** What the shop sells besides the jacket: one alike, a dearer and a cheaper jacket, and boots at the same price. */
    function catalog(): void {
      world.catalog.set('JACKET-GREEN', { sku: 'JACKET-GREEN', unitPrice: 25_900, category: 'apparel' });
      world.catalog.set('JACKET-WOOL', { sku: 'JACKET-WOOL', unitPrice: 29_900, category: 'apparel' });
      world.catalog.set('JACKET-LIGHT', { sku: 'JACKET-LIGHT', unitPrice: 19_900, category: 'apparel' });
      world.catalog.set('BOOTS-1', { sku: 'BOOTS-1', unitPrice: 25_900, category: 'shoes' });
    }

    test('when the customer picks an alternative of another price or category, or one the shop does not sell, the case logs stock.alternative_needs_agent and keeps waiting for a decision', () =>
      withWorker(async () => {
        catalog();
        const { handle, id } = await jacketOutOfStock();
        for (const sku of ['JACKET-WOOL', 'BOOTS-1', 'NOT-SOLD']) {
          await stockDecision(handle, customer, sku);
          const waiting = await waitForCase(handle, `the pick of ${sku} to be judged`, (c) =>
            c.timeline.some((e) => e.event === 'stock.alternative_needs_agent' && e.data?.sku === sku) && c.sla.some((k) => k.name === 'stock_decision' && k.state === 'running'),
          );
          about(waiting, () => expect(waiting.status).toBe('awaiting_stock_decision'));
          await waitFor(() => messagesWith(world, 'alternative_needs_agent').some((m) => m.caseId === id && m.params.sku === sku), `staff to be told about ${sku}`);
        }
        const last = await handle.query(getCaseQuery);
        about(last, () => {
          const judged = last.timeline.filter((e) => e.event === 'stock.alternative_needs_agent').map((e) => e.data);
          expect(judged).toEqual([
            expect.objectContaining({ sku: 'JACKET-WOOL', known: true, difference: 4_000 }),
            expect.objectContaining({ sku: 'BOOTS-1', known: true, category: 'shoes', difference: 0 }),
            expect.objectContaining({ sku: 'NOT-SOLD', known: false }),
          ]);
          expect(parcelsOf(world, id)).toEqual([]);
          expect(world.collections).toEqual([]);
        });

        // The same price and category is the customer's own choice: it ships.
        await stockDecision(handle, customer, 'JACKET-GREEN');
        const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
        about(shipped, () => expect(parcelsOf(world, id).map((p) => [p.purpose, p.items[0].sku])).toEqual([['replacement', 'JACKET-GREEN']]));
      }));

    test('when an agent picks a pricier alternative, the difference is collected before the replacement ships', () =>
      withWorker(async () => {
        catalog();
        const { handle, id, orderId } = await jacketOutOfStock();
        await stockDecision(handle, agent, 'JACKET-WOOL');
        const asked = await collectionRequested(world, id);
        const awaiting = await waitForStatus(handle, 'awaiting_payment');
        about(awaiting, () => {
          expect(asked).toMatchObject({ purpose: 'price_difference', amount: 4_000 });
          expect(awaiting.timeline.find((e) => e.event === 'stock.alternative_approved')).toMatchObject({ actor: agent, data: { sku: 'JACKET-WOOL', difference: 4_000 } });
          expect(parcelsOf(world, id)).toEqual([]);
        });
        await settleCollection(handle, asked.collectionId);
        const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
        await entryReaches(orderId, `${id}:collection:price_difference`, 'committed', 'OOS-JACKET');
        about(shipped, () => {
          expect(parcelsOf(world, id).map((p) => [p.purpose, p.items[0].sku])).toEqual([['replacement', 'JACKET-WOOL']]);
          expect(events(shipped)).toEqual(expect.arrayContaining(['payment.requested', 'payment.paid']));
          expect(world.refunds).toEqual([]);
        });
      }));

    test('when an agent picks a cheaper alternative, the replacement ships at once and the difference is refunded after the customer confirms receipt', () =>
      withWorker(async () => {
        catalog();
        const { handle, id, orderId } = await jacketOutOfStock();
        await stockDecision(handle, agent, 'JACKET-LIGHT');
        const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
        about(shipped, () => {
          expect(parcelsOf(world, id).map((p) => p.items[0].sku)).toEqual(['JACKET-LIGHT']);
          expect(shipped.outcome.priceDifference).toEqual({ owedToCustomer: 6_000 });
          expect(world.collections).toEqual([]);
          expect(world.refunds).toEqual([]);
        });
        await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
        const refund = await refundIssued(world, id);
        expect(refund.amount).toBe(6_000);
        await settleRefund(handle, world, id);
        const done = await waitForStatus(handle, 'completed');
        await entryReaches(orderId, `${id}:refund`, 'committed', 'OOS-JACKET');
        about(done, () => {
          expect(done.refund).toMatchObject({ amount: 6_000, status: 'succeeded' });
          // The difference is money, not goods: no units of the line count as returned.
          expect(totalsOf(orderId, 'OOS-JACKET')).toMatchObject({ refunded: 6_000, unitsReturned: 0 });
        });
      }));
  });
});
