import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseItem, CaseSnapshot } from '../../domain/case.types';
import { defaultPolicy, type Policy } from '../../domain/policy';
import {
  confirmReceiptUpdate,
  getCaseQuery,
  inspectionUpdate,
  reviewUpdate,
  stockDecisionUpdate,
  surveyUpdate,
} from '../../domain/workflow-contract';
import {
  about,
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
  actors,
  expectAssignedAndSurveyRefused,
} from './support/workflow-harness';

const { agent, customer, warehouse } = actors;

const HOUR = 3_600_000;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** The category of the items exchanged here, and of the alternatives the catalog offers at the same price. */
const CATEGORY = 'apparel';

/** A defective item exchanged (the platform pays the shipping, so no collection) of one item worth 259.00 CNY in `CATEGORY`. */
async function openExchange(items?: CaseItem[], policy: Policy = defaultPolicy()): Promise<CaseHandle> {
  const now = await env.currentTimeMs();
  const wanted = (items ?? [{ sku: 'SKU-1', quantity: 1, unitPrice: 25_900 }]).map((item) => ({ category: CATEGORY, ...item }));
  const reason = { code: 'quality_issue' as const, description: 'seam split' };
  return startCase(env, world, caseRequest(now, { type: 'exchange', reason, evidence: ['https://img.example/seam.jpg'], items: wanted }), policy);
}

/** A size exchange: a change of mind, so the customer pays the return shipping. */
async function openSizeExchange(items?: CaseItem[]): Promise<CaseHandle> {
  const now = await env.currentTimeMs();
  return startCase(env, world, caseRequest(now, { type: 'exchange', reason: { code: 'size_fit' }, ...(items ? { items } : {}) }));
}

/** The customer pays the return shipping of a change-of-mind exchange once the inspection passed. */
async function payReturnShipping(handle: CaseHandle, caseId: string): Promise<void> {
  const asked = await collectionRequested(world, caseId);
  expect(asked).toMatchObject({ purpose: 'return_shipping', amount: defaultPolicy().shipping.returnShippingFee });
  await settleCollection(handle, asked.collectionId);
}

/** The shop sells these alternatives at the price and in the category of the item exchanged. */
function catalogSells(...skus: string[]): void {
  for (const sku of skus) world.catalog.set(sku, { sku, unitPrice: 25_900, category: CATEGORY });
}

/** Review approved, the goods sent back and delivered to the warehouse: the case waits for the inspection. */
async function toInspection(handle: CaseHandle) {
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
  await waitForStatus(handle, 'awaiting_return_shipment');
  await shipAndDeliver(handle);
  return waitForStatus(handle, 'inspecting');
}

/** The case goes as far as the inspection, which passes. */
/**
 * The case once it waits for the customer's stock decision: told of the stock-out and the decision
 * clock running. The status moves first and the message goes out after it, so the status alone is too early.
 */
function stockDecisionAwaited(handle: CaseHandle): Promise<CaseSnapshot> {
  return waitForCase(handle, 'the stock decision to be awaited', (c) => c.status === 'awaiting_stock_decision' && clockRunning(c, 'stock_decision'));
}

function clockRunning(snapshot: CaseSnapshot, name: string): boolean {
  return snapshot.sla.some((c) => c.name === name && c.state === 'running');
}

async function passInspection(handle: CaseHandle) {
  await toInspection(handle);
  return handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass', note: 'unworn, tags on' }] });
}

describe('exchange case', () => {
  test('a size exchange runs review → return → inspection → return shipping paid → replacement shipped within the reship clock → confirmed receipt → completed, and takes a survey', () =>
    withWorker(async () => {
      const handle = await openSizeExchange();
      const inspecting = await toInspection(handle);
      about(inspecting, () => {
        expect(clock(inspecting, 'processing').state).toBe('running');
        expect(inspecting.outcome.shippingPaidBy).toBe('customer');
      });

      await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      // A size exchange is a change of mind: the customer pays the return shipping before the replacement ships.
      const asked = await collectionRequested(world, inspecting.id);
      const awaiting = await waitForStatus(handle, 'awaiting_payment');
      about(awaiting, () => {
        expect(asked).toMatchObject({ purpose: 'return_shipping', amount: defaultPolicy().shipping.returnShippingFee });
        expect(parcelsOf(world, awaiting.id)).toEqual([]);
      });
      await settleCollection(handle, asked.collectionId);
      const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
      const parcel = parcelsOf(world, shipped.id).find((p) => p.purpose === 'replacement');
      about(shipped, () => {
        expect(events(shipped)).toEqual(expect.arrayContaining(['inspection.passed', 'shipment.preparing', 'shipment.handed_to_courier', 'confirmation.requested']));
        expect(parcel?.items).toEqual([{ sku: 'SKU-1', quantity: 1, unitPrice: 25_900 }]);
        const reship = clock(shipped, 'reship');
        expect(reship.state).toBe('met');
        expect(Date.parse(reship.stoppedAt!)).toBeLessThanOrEqual(Date.parse(reship.deadline));
        expect(clock(shipped, 'processing').state).toBe('met');
        expect(clock(shipped, 'customer_confirmation').state).toBe('running');
        expect(shipped.shipments).toContainEqual(expect.objectContaining({ direction: 'outbound', purpose: 'replacement', trackingNumber: parcel?.trackingNumber }));
        expect(shipped.refund).toBeNull();
        expect(events(shipped)).toEqual(expect.arrayContaining(['payment.requested', 'payment.paid']));
      });
      const told = messagesWith(world, 'replacement_shipped');
      expect(told).toHaveLength(1);
      expect(told[0].recipient).toEqual({ kind: 'customer', customerId: 'c-1' });
      expect(told[0].params.trackingNumber).toBe(parcel?.trackingNumber);

      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(events(done)).toContain('receipt.confirmed');
        expect(clock(done, 'customer_confirmation').state).toBe('met');
        expect(done.closedAt).not.toBeNull();
        expect(world.refunds).toEqual([]);
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_completed'), 'the closing message');

      const surveyed = await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 4, comment: 'fits now' }] });
      expect(surveyed.survey).toMatchObject({ score: 4, comment: 'fits now' });
      expect(await handle.result()).toMatchObject({ status: 'completed' });
    }));

  test('when the replacement is out of stock, the customer is contacted at once, the processing and reship clocks pause during the decision, and the alternative chosen ships', () =>
    withWorker(async () => {
      world.outOfStock.add('SKU-1');
      catalogSells('SKU-2');
      const handle = await openExchange();
      await passInspection(handle);
      const waiting = await stockDecisionAwaited(handle);
      about(waiting, () => {
        expect(events(waiting)).toEqual(expect.arrayContaining(['stock.unavailable', 'customer.contacted']));
        expect(clock(waiting, 'stock_contact').state).toBe('met');
        expect(clock(waiting, 'processing').state).toBe('paused');
        expect(clock(waiting, 'reship').state).toBe('paused');
        const decision = clock(waiting, 'stock_decision');
        expect(decision.state).toBe('running');
        expect(Date.parse(decision.deadline) - Date.parse(decision.startedAt)).toBe(48 * HOUR);
      });
      const contacted = messagesWith(world, 'exchange_out_of_stock');
      expect(contacted).toHaveLength(1);
      expect(contacted[0].params).toMatchObject({ skus: 'SKU-1', alternativeAllowed: true });
      const reshipDeadline = Date.parse(clock(waiting, 'reship').deadline);

      await env.sleep('10 hours');
      const paused = await handle.query(getCaseQuery);
      about(paused, () => {
        // 10 paused hours are neither warned about nor breached.
        expect(paused.escalation.history).toEqual([]);
        expect(clock(paused, 'reship').state).toBe('paused');
      });

      await handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'alternative', sku: 'SKU-2' }] });
      const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
      const parcel = parcelsOf(world, shipped.id).find((p) => p.purpose === 'replacement');
      about(shipped, () => {
        expect(events(shipped)).toContain('stock.decision_alternative');
        expect(parcel?.items).toEqual([{ sku: 'SKU-2', quantity: 1, unitPrice: 25_900, category: CATEGORY }]);
        expect(shipped.outcome.replacementItems).toEqual([{ sku: 'SKU-2', quantity: 1, unitPrice: 25_900, category: CATEGORY }]);
        expect(world.stockChecks).toEqual([
          { sku: 'SKU-1', available: false },
          { sku: 'SKU-2', available: true },
        ]);
        const reship = clock(shipped, 'reship');
        expect(reship.state).toBe('met');
        expect(reship.pausedMs).toBeGreaterThanOrEqual(10 * HOUR);
        expect(clock(shipped, 'processing').pausedMs).toBeGreaterThanOrEqual(10 * HOUR);
        expect(Date.parse(reship.deadline) - reshipDeadline).toBeGreaterThanOrEqual(10 * HOUR);
        expect(clock(shipped, 'stock_decision').state).toBe('met');
      });
    }));

  test('when the alternative chosen is out of stock too, the customer is asked again', () =>
    withWorker(async () => {
      catalogSells('OOS-BLUE', 'SKU-GREEN');
      const handle = await openExchange([{ sku: 'OOS-RED', quantity: 1, unitPrice: 25_900 }]);
      await passInspection(handle);
      await stockDecisionAwaited(handle);
      await handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'alternative', sku: 'OOS-BLUE' }] });
      await waitFor(() => messagesWith(world, 'exchange_out_of_stock').length === 2, 'a second out-of-stock message');
      const again = await stockDecisionAwaited(handle);
      about(again, () => {
        expect(events(again).filter((e) => e === 'stock.unavailable')).toHaveLength(2);
        expect(clock(again, 'processing').state).toBe('paused');
      });
      expect(messagesWith(world, 'exchange_out_of_stock')[1].params.skus).toBe('OOS-BLUE');

      await handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'alternative', sku: 'SKU-GREEN' }] });
      const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
      about(shipped, () => expect(parcelsOf(world, shipped.id).map((p) => p.items[0].sku)).toEqual(['SKU-GREEN']));
    }));

  test('when the replacement is out of stock and the customer chooses a refund, the whole claim is refunded and the case completes on settlement', () =>
    withWorker(async () => {
      const handle = await openSizeExchange([{ sku: 'OOS-JACKET', quantity: 1, unitPrice: 25_900 }]);
      const { id } = await passInspection(handle);
      await payReturnShipping(handle, id);
      await stockDecisionAwaited(handle);
      await handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'refund' }] });
      const refunding = await waitForStatus(handle, 'refunding');
      const refund = await refundIssued(world, refunding.id);
      // The shop could not deliver: no return-shipping deduction although the customer pays shipping on a size exchange.
      expect(refund.amount).toBe(25_900);
      await settleRefund(handle, world, refunding.id);
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(events(done)).toEqual(expect.arrayContaining(['stock.decision_refund', 'refund.approved', 'refund.requested', 'refund.succeeded']));
        expect(done.refund).toMatchObject({ amount: 25_900, status: 'succeeded' });
        expect(done.refund?.deduction).toBeUndefined();
        expect(clock(done, 'refund').state).toBe('met');
        expect(clock(done, 'processing').state).toBe('met');
        expect(parcelsOf(world, done.id)).toEqual([]);
      });
    }));

  test('when the replacement is out of stock and the customer does not decide within 2 days, the exchange falls back to a refund', () =>
    withWorker(async () => {
      const handle = await openExchange([{ sku: 'OOS-JACKET', quantity: 1, unitPrice: 25_900 }]);
      await passInspection(handle);
      await stockDecisionAwaited(handle);

      await env.sleep('47 hours');
      expect((await handle.query(getCaseQuery)).status).toBe('awaiting_stock_decision');
      await env.sleep('1 hour');
      const refunding = await waitForStatus(handle, 'refunding');
      const refund = await refundIssued(world, refunding.id);
      expect(refund.amount).toBe(25_900);
      about(refunding, () => {
        expect(events(refunding)).toEqual(expect.arrayContaining(['customer.timeout', 'stock.decision_refund']));
        const decided = refunding.timeline.find((e) => e.event === 'stock.decision_refund');
        expect(decided?.actor).toEqual({ kind: 'system', id: 'customer-timeout' });
        expect(clock(refunding, 'stock_decision').state).toBe('breached');
        // A customer running out of time is not a staff breach.
        expect(refunding.breached).toBe(false);
        expect(refunding.escalation.level).toBe(0);
      });
      expect(world.escalations).toEqual([]);
      await settleRefund(handle, world, refunding.id);
      await waitForStatus(handle, 'completed');
    }));

  test('when the customer does not confirm receipt within 7 days, receipt is confirmed automatically and the case completes', () =>
    withWorker(async () => {
      const handle = await openExchange();
      await passInspection(handle);
      await waitForStatus(handle, 'awaiting_customer_confirmation');
      await env.sleep('7 days');
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(events(done)).toEqual(expect.arrayContaining(['customer.timeout', 'receipt.auto_confirmed', 'case.completed']));
        expect(events(done)).not.toContain('receipt.confirmed');
        expect(done.timeline.find((e) => e.event === 'receipt.auto_confirmed')?.actor).toEqual({ kind: 'system', id: 'customer-timeout' });
        expect(done.breached).toBe(false);
      });
    }));

  test('an inspection failure rejects the exchange and sends the goods back to the customer, with no replacement and no refund', () =>
    withWorker(async () => {
      const handle = await openSizeExchange();
      const inspecting = await toInspection(handle);
      await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'fail', note: 'worn, tags removed' }] });
      // The goods go back at the customer's cost: the send-back fee is collected first.
      const fee = await collectionRequested(world, inspecting.id);
      expect(fee).toMatchObject({ purpose: 'send_back_shipping', amount: defaultPolicy().shipping.sendBackFee });
      await settleCollection(handle, fee.collectionId);
      const rejected = await waitForStatus(handle, 'rejected');
      await waitFor(() => world.shipments.some((s) => s.purpose === 'return_to_customer'), 'the goods to be sent back');
      about(rejected, () => {
        expect(events(rejected)).toEqual(expect.arrayContaining(['inspection.failed', 'inspection.rejected']));
        expect(parcelsOf(world, rejected.id).map((p) => p.purpose)).toEqual(['return_to_customer']);
        expect(world.refunds).toEqual([]);
        expect(world.stockChecks).toEqual([]);
        expect(clock(rejected, 'processing').state).toBe('met');
      });
      await waitFor(() => world.templatesTo('c-1').includes('return_to_customer_shipped'), 'the customer to be told the goods come back');
    }));

  test('an inspection with a refund amount is refused as invalid input on an exchange: it passes or fails, there is no partial refund', () =>
    withWorker(async () => {
      const handle = await openExchange();
      const before = await toInspection(handle);
      for (const result of ['fail', 'pass'] as const) {
        const refused = await refusal(handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result, refundAmount: 10_000, note: 'one sleeve stained' }] }));
        expect({ result, type: refused.type }).toEqual({ result, type: 'InvalidCommandInput' });
      }
      const after = await handle.query(getCaseQuery);
      about(after, () => {
        expect(after.version).toBe(before.version);
        expect(after.status).toBe('inspecting');
        expect(world.refunds).toEqual([]);
      });
    }));

  test('an alternative item is refused as invalid input when the policy allows none, and the customer can still choose a refund', () =>
    withWorker(async () => {
      const policy = { ...defaultPolicy(), exchange: { allowAlternativeSku: false } };
      const handle = await openExchange([{ sku: 'OOS-JACKET', quantity: 1, unitPrice: 25_900 }], policy);
      await passInspection(handle);
      const before = await stockDecisionAwaited(handle);
      expect(messagesWith(world, 'exchange_out_of_stock')[0].params.alternativeAllowed).toBe(false);
      const refused = await refusal(handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'alternative', sku: 'SKU-2' }] }));
      expect(refused.type).toBe('InvalidCommandInput');
      const after = await handle.query(getCaseQuery);
      about(after, () => {
        expect(after.version).toBe(before.version);
        expect(after.status).toBe('awaiting_stock_decision');
      });
      await handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'refund' }] });
      await waitForStatus(handle, 'refunding');
    }));

  test('an alternative without a sku is refused as invalid input', () =>
    withWorker(async () => {
      const handle = await openExchange([{ sku: 'OOS-JACKET', quantity: 1, unitPrice: 25_900 }]);
      await passInspection(handle);
      const before = await stockDecisionAwaited(handle);
      for (const sku of [undefined, '  ']) {
        const refused = await refusal(handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'alternative', sku }] }));
        expect(refused.type).toBe('InvalidCommandInput');
      }
      expect((await handle.query(getCaseQuery)).version).toBe(before.version);
    }));

  test('a stock decision while nothing is out of stock is refused as an invalid state', () =>
    withWorker(async () => {
      const handle = await openExchange();
      await waitForStatus(handle, 'awaiting_review');
      const refused = await refusal(handle.executeUpdate(stockDecisionUpdate, { args: [{ actor: customer, decision: 'refund' }] }));
      expect(refused.type).toBe('InvalidCaseState');
    }));

  test('a supervisor assigns the case, and the survey is refused until the case is closed', () =>
    withWorker(async () => {
      const handle = await openExchange();
      await waitForStatus(handle, 'awaiting_review');
      await expectAssignedAndSurveyRefused(handle);
    }));
});
