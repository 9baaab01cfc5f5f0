import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OpenCaseRequest } from '../../domain/case.types';
import { defaultPolicy, type Policy } from '../../domain/policy';
import {
  cancelUpdate,
  confirmReceiptUpdate,
  courierEventSignal,
  getCaseQuery,
  quoteUpdate,
  repairResultUpdate,
  reviewUpdate,
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
  shipOnLabel,
  startCase,
  waitFor,
  waitForStatus,
  worldRunner,
  type CaseHandle,
  actors,
  expectAssignedAndSurveyRefused,
} from './support/workflow-harness';

const { agent, customer } = actors;

const repairCenter = { kind: 'agent' as const, id: 'repair.center' };
const DAY = 86_400_000;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A repair request for a faulty item (with a photo), bought `paidDaysAgo` days ago and delivered 3 days later. */
async function repairRequest(paidDaysAgo = 5, category?: string): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  const request = caseRequest(now, { type: 'repair', reason: { code: 'quality_issue', description: 'does not charge' }, evidence: ['https://img.example/port.jpg'] }, paidDaysAgo - 3);
  return category ? { ...request, order: { ...request.order, category } } : request;
}

async function openRepair(request?: OpenCaseRequest, policy: Policy = defaultPolicy()): Promise<CaseHandle> {
  return startCase(env, world, request ?? (await repairRequest()), policy);
}

/** Out of the default 1-year warranty: bought two years ago. */
const TWO_YEARS = 730;

/** The item is sent to the repair center and arrives there. */
async function toRepairCenter(handle: CaseHandle) {
  await waitForStatus(handle, 'awaiting_return_shipment');
  await shipAndDeliver(handle);
  return waitForStatus(handle, 'repairing');
}

function repairResult(handle: CaseHandle, outcome: 'repaired' | 'unrepairable', verified: boolean, note?: string) {
  return handle.executeUpdate(repairResultUpdate, { args: [{ actor: repairCenter, outcome, verified, note }] });
}

describe('repair case', () => {
  test('a repair in warranty is free: no quote, the item goes to the repair center, comes back repaired, and the confirmed case completes', () =>
    withWorker(async () => {
      const handle = await openRepair();
      const approved = await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      about(approved, () => {
        expect(approved.outcome.warranty).toBe('in_warranty');
        expect(approved.outcome.shippingPaidBy).toBe('platform');
      });
      const repairing = await toRepairCenter(handle);
      about(repairing, () => {
        expect(events(repairing)).not.toContain('repair.quoted');
        expect(repairing.outcome.quote).toBeUndefined();
        expect(repairing.sla.map((c) => c.name)).not.toContain('quote_acceptance');
        expect(clock(repairing, 'processing').state).toBe('running');
      });
      expect(messagesWith(world, 'repair_quote')).toEqual([]);

      await repairResult(handle, 'repaired', true, 'charging port replaced');
      const back = await waitForStatus(handle, 'awaiting_customer_confirmation');
      const parcel = parcelsOf(world, back.id)[0];
      about(back, () => {
        expect(events(back)).toEqual(expect.arrayContaining(['repair.completed', 'shipment.preparing', 'shipment.handed_to_courier', 'confirmation.requested']));
        expect(parcel?.purpose).toBe('repair_return');
        expect(back.outcome.repair).toMatchObject({ outcome: 'repaired', verified: true, attempt: 1 });
        expect(clock(back, 'processing').state).toBe('met');
      });
      expect(messagesWith(world, 'repair_return_shipped')[0]?.params.trackingNumber).toBe(parcel.trackingNumber);

      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      const done = await waitForStatus(handle, 'completed');
      about(done, () => expect(world.refunds).toEqual([]));
      const surveyed = await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 5 }] });
      expect(surveyed.survey?.score).toBe(5);
    }));

  test('a repair out of warranty is quoted; once the customer accepts the quote the item goes for repair', () =>
    withWorker(async () => {
      const handle = await openRepair(await repairRequest(TWO_YEARS));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const quoted = await waitForStatus(handle, 'awaiting_quote_acceptance');
      await waitFor(() => messagesWith(world, 'repair_quote').length === 1, 'the quote to be sent');
      about(quoted, () => {
        expect(quoted.outcome.warranty).toBe('out_of_warranty');
        expect(quoted.outcome.quote).toEqual({ amount: 9_900, currency: 'CNY', accepted: null });
        const window = clock(quoted, 'quote_acceptance');
        expect(window.state).toBe('running');
        expect(Date.parse(window.deadline) - Date.parse(window.startedAt)).toBe(3 * DAY);
      });
      expect(messagesWith(world, 'repair_quote')[0].params).toMatchObject({ amount: 9_900, currency: 'CNY' });

      await handle.executeUpdate(quoteUpdate, { args: [{ actor: customer, accept: true }] });
      // The accepted quote is paid before the customer sends the item in.
      const asked = await collectionRequested(world, quoted.id);
      expect(asked).toMatchObject({ purpose: 'repair_quote', amount: 9_900 });
      const awaitingPayment = await waitForStatus(handle, 'awaiting_payment');
      about(awaitingPayment, () => expect(world.labels).toEqual([]));
      await settleCollection(handle, asked.collectionId);
      const accepted = await waitForStatus(handle, 'awaiting_return_shipment');
      about(accepted, () => {
        expect(events(accepted)).toEqual(expect.arrayContaining(['repair.quoted', 'repair.quote_accepted', 'payment.paid', 'repair.quote_paid']));
        expect(accepted.outcome.quote).toEqual({ amount: 9_900, currency: 'CNY', accepted: true });
        expect(clock(accepted, 'quote_acceptance').state).toBe('met');
      });
      await toRepairCenter(handle);
      await repairResult(handle, 'repaired', true);
      await waitForStatus(handle, 'awaiting_customer_confirmation');
    }));

  test('human damage found at review makes a repair in warranty a paid one, quoted before anything ships', () =>
    withWorker(async () => {
      const handle = await openRepair(await repairRequest(30));
      const reviewed = await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve', humanDamage: true, note: 'screen cracked by a fall' }] });
      about(reviewed, () => {
        expect(reviewed.status).toBe('awaiting_quote_acceptance');
        expect(reviewed.outcome.warranty).toBe('in_warranty');
        expect(reviewed.outcome.review).toMatchObject({ humanDamage: true });
      });
      await waitFor(() => messagesWith(world, 'repair_quote').length === 1, 'the quote to be sent');
    }));

  test('a declined quote cancels the repair before anything ships', () =>
    withWorker(async () => {
      const handle = await openRepair(await repairRequest(TWO_YEARS));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_quote_acceptance');
      await handle.executeUpdate(quoteUpdate, { args: [{ actor: customer, accept: false }] });
      const cancelled = await waitForStatus(handle, 'cancelled');
      about(cancelled, () => {
        expect(events(cancelled)).toContain('repair.quote_declined');
        expect(cancelled.outcome.quote).toMatchObject({ accepted: false });
        expect(world.labels).toEqual([]);
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_cancelled'), 'the closing message');
    }));

  test('when the quote is not answered within 3 days, it counts as declined and the repair is cancelled', () =>
    withWorker(async () => {
      const handle = await openRepair(await repairRequest(TWO_YEARS));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_quote_acceptance');
      await env.sleep('3 days');
      const cancelled = await waitForStatus(handle, 'cancelled');
      about(cancelled, () => {
        expect(events(cancelled)).toEqual(expect.arrayContaining(['customer.timeout', 'repair.quote_declined']));
        expect(cancelled.timeline.find((e) => e.event === 'repair.quote_declined')?.actor).toEqual({ kind: 'system', id: 'customer-timeout' });
        expect(cancelled.outcome.quote).toMatchObject({ accepted: false });
        expect(clock(cancelled, 'quote_acceptance').state).toBe('breached');
        expect(cancelled.breached).toBe(false);
      });
    }));

  test('a parcel the courier reports as an exception keeps the repair in transit and tells the staff; once delivered the repair starts', () =>
    withWorker(async () => {
      const handle = await openRepair();
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_return_shipment');
      const trackingNumber = await shipOnLabel(handle, customer);
      await handle.signal(courierEventSignal, { eventId: 'lost-1', trackingNumber, event: 'exception', at: new Date().toISOString(), detail: 'parcel damaged at hub' });
      await waitFor(() => world.templatesTo('li.wei').includes('return_parcel_exception'), 'the assignee to be told');
      const stuck = await handle.query(getCaseQuery);
      about(stuck, () => {
        expect(stuck.status).toBe('return_in_transit');
        expect(stuck.shipments[0].status).toBe('exception');
        expect(events(stuck)).toContain('shipment.exception');
      });
      await handle.signal(courierEventSignal, { eventId: 'found-1', trackingNumber, event: 'delivered', at: new Date().toISOString() });
      const repairing = await waitForStatus(handle, 'repairing');
      about(repairing, () => expect(clock(repairing, 'processing').state).toBe('running'));
    }));

  test('a repair that fails verification goes back to the bench; once repaired and verified it ships back and completes on confirmation', () =>
    withWorker(async () => {
      const handle = await openRepair();
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await toRepairCenter(handle);
      const retry = await repairResult(handle, 'repaired', false, 'still drops the charge');
      about(retry, () => {
        expect(retry.status).toBe('repairing');
        expect(retry.timeline.find((e) => e.event === 'repair.verification_failed')?.data).toMatchObject({ attempt: 1, limit: 3 });
        expect(parcelsOf(world, retry.id)).toEqual([]);
      });
      await repairResult(handle, 'repaired', true);
      const back = await waitForStatus(handle, 'awaiting_customer_confirmation');
      about(back, () => {
        expect(back.outcome.repair).toMatchObject({ outcome: 'repaired', verified: true, attempt: 2 });
        expect(parcelsOf(world, back.id).map((p) => p.purpose)).toEqual(['repair_return']);
      });
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
    }));

  test('a repair that fails verification maxRepairAttempts times is treated as unrepairable and refunded (default policy)', () =>
    withWorker(async () => {
      const handle = await openRepair();
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await toRepairCenter(handle);
      for (let attempt = 1; attempt <= 3; attempt++) await repairResult(handle, 'repaired', false);
      const refunding = await waitForStatus(handle, 'refunding');
      const refund = await refundIssued(world, refunding.id);
      expect(refund.amount).toBe(25_900);
      about(refunding, () => {
        expect(events(refunding).filter((e) => e === 'repair.verification_failed')).toHaveLength(3);
        expect(events(refunding)).toContain('repair.attempts_exhausted');
        expect(parcelsOf(world, refunding.id)).toEqual([]);
      });
      await settleRefund(handle, world, refunding.id);
      const done = await waitForStatus(handle, 'completed');
      about(done, () => expect(done.refund).toMatchObject({ amount: 25_900, status: 'succeeded' }));
    }));

  test('a repair that fails verification maxRepairAttempts times is exchanged when the policy says unrepairable items are exchanged', () =>
    withWorker(async () => {
      const policy = { ...defaultPolicy(), repair: { ...defaultPolicy().repair, maxRepairAttempts: 2, unrepairableOutcome: 'exchange' as const } };
      const handle = await openRepair(undefined, policy);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await toRepairCenter(handle);
      await repairResult(handle, 'repaired', false);
      await repairResult(handle, 'repaired', false);
      const shipped = await waitForStatus(handle, 'awaiting_customer_confirmation');
      about(shipped, () => {
        expect(events(shipped)).toContain('repair.attempts_exhausted');
        expect(parcelsOf(world, shipped.id).map((p) => [p.purpose, p.items[0].sku])).toEqual([['replacement', 'SKU-1']]);
        expect(clock(shipped, 'reship').state).toBe('met');
        expect(world.refunds).toEqual([]);
      });
      await handle.executeUpdate(confirmReceiptUpdate, { args: [{ actor: customer }] });
      await waitForStatus(handle, 'completed');
    }));

  test('an item the repair center reports unrepairable is refunded in full', () =>
    withWorker(async () => {
      const handle = await openRepair();
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await toRepairCenter(handle);
      await repairResult(handle, 'unrepairable', false, 'board burnt');
      const refunding = await waitForStatus(handle, 'refunding');
      about(refunding, () => {
        expect(events(refunding)).toContain('repair.unrepairable');
        expect(refunding.outcome.repair).toMatchObject({ outcome: 'unrepairable', attempt: 1 });
      });
      expect((await refundIssued(world, refunding.id)).amount).toBe(25_900);
      await settleRefund(handle, world, refunding.id);
      await waitForStatus(handle, 'completed');
    }));

  test('a category warranty overrides the default: a phone bought 8 months ago is quoted under a 6-month phone warranty, and free under the 1-year default', () =>
    withWorker(async () => {
      const phonePolicy = { ...defaultPolicy(), eligibility: { ...defaultPolicy().eligibility, categoryWarrantyMonths: { phone: 6 } } };
      const quotedCase = await openRepair(await repairRequest(243, 'phone'), phonePolicy);
      await quotedCase.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const quoted = await waitForStatus(quotedCase, 'awaiting_quote_acceptance');
      about(quoted, () => {
        expect(quoted.outcome.warranty).toBe('out_of_warranty');
        expect(quoted.timeline[0].data?.notes).toEqual(['out of the 6-month warranty: paid repair']);
      });

      const freeCase = await openRepair(await repairRequest(243, 'phone'));
      await freeCase.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const free = await waitForStatus(freeCase, 'awaiting_return_shipment');
      about(free, () => expect(free.outcome.warranty).toBe('in_warranty'));
    }));

  test('the owner may withdraw the repair while the quote is open', () =>
    withWorker(async () => {
      const handle = await openRepair(await repairRequest(TWO_YEARS));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_quote_acceptance');
      const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'too expensive' }] });
      about(cancelled, () => expect(cancelled.status).toBe('cancelled'));
    }));

  test('a repair result before the item reached the repair center is refused as an invalid state', () =>
    withWorker(async () => {
      const handle = await openRepair();
      const before = await waitForStatus(handle, 'awaiting_review');
      const refused = await refusal(repairResult(handle, 'repaired', true));
      expect(refused.type).toBe('InvalidCaseState');
      expect((await handle.query(getCaseQuery)).version).toBe(before.version);
    }));

  test('a supervisor assigns the case, and the survey is refused until the case is closed', () =>
    withWorker(async () => {
      const handle = await openRepair();
      await waitForStatus(handle, 'awaiting_review');
      await expectAssignedAndSurveyRefused(handle);
    }));
});
