import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { SlaBreachedKey, EscalationLevelKey, CaseStatusKey } from '../../domain/search-attributes';
import {
  courierEventSignal,
  getCaseQuery,
  inspectionUpdate,
  paymentEventSignal,
  returnShipmentUpdate,
  reviewUpdate,
  customerInfoUpdate,
  cancelUpdate,
  surveyUpdate,
  assignUpdate,
} from '../../domain/workflow-contract';
import { defaultPolicy } from '../../domain/policy';
import { actors, caseRequest, clock, collectionRequested, events, FakeWorld, settleCollection, shipOnLabel, startCase, worldRunner } from './support/workflow-harness';

const { agent, customer, warehouse, supervisor } = actors;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

async function shipAndDeliver(handle: Awaited<ReturnType<typeof startCase>>): Promise<string> {
  const trackingNumber = await shipOnLabel(handle, customer);
  await handle.signal(courierEventSignal, { eventId: `${trackingNumber}:picked_up`, trackingNumber, event: 'picked_up', at: new Date().toISOString() });
  await handle.signal(courierEventSignal, { eventId: `${trackingNumber}:delivered`, trackingNumber, event: 'delivered', at: new Date().toISOString() });
  return trackingNumber;
}

async function waitForStatus(handle: Awaited<ReturnType<typeof startCase>>, status: string) {
  for (let i = 0; i < 100; i++) {
    const snapshot = await handle.query(getCaseQuery);
    if (snapshot.status === status) return snapshot;
    await new Promise((r) => setTimeout(r, 50));
  }
  const last = await handle.query(getCaseQuery);
  throw new Error(`case ${last.id} never reached ${status}; it is ${last.status}; timeline: ${events(last).join(' → ')}`);
}

async function refundIssued(caseId: string) {
  for (let i = 0; i < 100; i++) {
    const refund = world.refunds.find((r) => r.caseId === caseId);
    if (refund) return refund;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no refund was requested for ${caseId}`);
}

describe('return case', () => {
  test('a no-reason return runs review → shipment → inspection → refund and completes, refunding the claim less the return shipping fee', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      const approved = await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      expect(approved.status).toBe('awaiting_return_shipment');
      expect(approved.assignee).toBe('li.wei');
      expect(clock(approved, 'review').state).toBe('met');

      await waitForStatus(handle, 'awaiting_return_shipment');
      const trackingNumber = await shipAndDeliver(handle);
      const inspecting = await waitForStatus(handle, 'inspecting');
      expect(clock(inspecting, 'processing').state).toBe('running');
      expect(world.subscriptions).toContain(trackingNumber);

      const afterInspection = await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      expect(events(afterInspection)).toContain('inspection.passed');
      const refund = await refundIssued(afterInspection.id);
      const policy = defaultPolicy();
      expect(refund.amount).toBe(25_900 - policy.shipping.returnShippingFee);
      refund.settled = 'succeeded';
      await handle.signal(paymentEventSignal, { eventId: 'pay-1', refundId: refund.refundId, status: 'succeeded', at: new Date().toISOString() });

      const done = await waitForStatus(handle, 'completed');
      expect(done.closedAt).not.toBeNull();
      expect(done.refund).toMatchObject({ status: 'succeeded', id: refund.refundId, amount: refund.amount });
      expect(clock(done, 'refund').state).toBe('met');
      expect(clock(done, 'processing').state).toBe('met');
      // One closing message carries the refund (lean-history): no separate refund_succeeded message.
      await waitFor(() => world.templatesTo('c-1').includes('case_completed'), 'the closing message');
      expect(world.templatesTo('c-1')).toEqual(['return_label', 'case_completed']);
      expect(world.messages.find((m) => m.message.template === 'case_completed')?.message.params).toMatchObject({ refundAmount: refund.amount, refundCurrency: 'CNY' });

      const surveyed = await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 5 }] });
      expect(surveyed.survey?.score).toBe(5);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed' });
      const lastProjection = world.projections[world.projections.length - 1];
      expect(lastProjection.version).toBe(surveyed.version);
    }));

  test('when the review is not decided within 24h, the case warns at 80%, escalates to the team lead at once and to the manager 4h later', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      // Above the auto-approve amount, so the breach stays with a person.
      const handle = await startCase(env, world, caseRequest(now, { items: [{ sku: 'TV-1', quantity: 1, unitPrice: 399_900 }] }));
      await waitForStatus(handle, 'awaiting_review');

      await env.sleep('20 hours');
      const warned = await handle.query(getCaseQuery);
      expect(clock(warned, 'review').warnedAt).toBeDefined();
      expect(warned.escalation.level).toBe(0);

      await env.sleep('4 hours');
      const breached = await handle.query(getCaseQuery);
      const review = clock(breached, 'review');
      expect(review.state).toBe('breached');
      expect(Date.parse(review.breachedAt!) - Date.parse(review.deadline)).toBeLessThan(1000);
      expect(breached.escalation.level).toBe(1);
      expect(breached.breached).toBe(true);
      expect(world.templatesTo('team-lead@aftersales.local')).toContain('sla_escalation');
      expect(world.escalations.map((e) => [e.clock, e.level])).toEqual([['review', 1]]);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(SlaBreachedKey)).toBe(true);
      expect(described.typedSearchAttributes.get(EscalationLevelKey)).toBe(1);
      expect(described.typedSearchAttributes.get(CaseStatusKey)).toBe('awaiting_review');

      await env.sleep('4 hours');
      const level2 = await handle.query(getCaseQuery);
      expect(level2.escalation.level).toBe(2);
      expect(level2.priority).toBe('urgent');
      expect(world.templatesTo('manager@aftersales.local')).toContain('sla_escalation');

      // Deciding late keeps the breach on record.
      const late = await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      expect(clock(late, 'review').state).toBe('breached');
      expect(clock(late, 'review').stoppedAt).toBeDefined();
    }));

  test('a review that breaches on a refund below the policy amount is approved automatically, and the timeline says so', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now, { items: [{ sku: 'SOCKS', quantity: 1, unitPrice: 3_900 }] }));
      await waitForStatus(handle, 'awaiting_review');
      await env.sleep('24 hours');
      const snapshot = await waitForStatus(handle, 'awaiting_return_shipment');
      expect(events(snapshot)).toEqual(expect.arrayContaining(['sla.breached', 'sla.escalated', 'auto_action.review_approved', 'review.approved']));
      expect(snapshot.timeline.find((e) => e.event === 'review.approved')?.actor).toEqual({ kind: 'system', id: 'sla-auto-action' });
    }));

  test('asking the customer for information pauses the review clock and resumes it with the budget left', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await waitForStatus(handle, 'awaiting_review');
      await env.sleep('10 hours');
      const asked = await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'request_info', note: 'photo of the label please' }] });
      expect(asked.status).toBe('awaiting_customer_info');
      const originalDeadline = Date.parse(clock(asked, 'review').deadline);
      expect(clock(asked, 'review').state).toBe('paused');

      await env.sleep('30 hours');
      const answered = await handle.executeUpdate(customerInfoUpdate, { args: [{ actor: customer, message: 'here it is', evidence: ['https://img.example/1.jpg'] }] });
      expect(answered.status).toBe('awaiting_review');
      const review = clock(answered, 'review');
      expect(review.state).toBe('running');
      const shift = Date.parse(review.deadline) - originalDeadline;
      expect(Math.abs(shift - 30 * 3_600_000)).toBeLessThan(60_000);
      expect(review.pausedMs).toBeGreaterThanOrEqual(30 * 3_600_000 - 60_000);
    }));

  test('an approved return not shipped within the 7-day window ends as expired', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitFor(() => world.templatesTo('c-1').includes('return_label'), 'the return label to be sent');
      await env.sleep('7 days');
      const expired = await waitForStatus(handle, 'expired');
      expect(expired.closedAt).not.toBeNull();
      expect(world.templatesTo('c-1')).toContain('case_expired');
      expect(world.escalations).toEqual([]);
    }));

  test('an inspection failure without an amount rejects the return and sends the goods back at the customer’s cost', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'inspecting');
      const { id } = await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'fail', note: 'screen cracked by the customer' }] });
      // At the customer's cost: the send-back fee is collected before the goods leave the warehouse.
      const fee = await collectionRequested(world, id);
      const awaiting = await waitForStatus(handle, 'awaiting_payment');
      expect(fee).toMatchObject({ purpose: 'send_back_shipping', amount: defaultPolicy().shipping.sendBackFee });
      expect(world.shipments.filter((s) => s.caseId === id)).toEqual([]);
      expect(awaiting.outcome.collections).toEqual([expect.objectContaining({ purpose: 'send_back_shipping', amount: fee.amount })]);
      await settleCollection(handle, fee.collectionId);
      const rejected = await waitForStatus(handle, 'rejected');
      expect(world.refunds).toEqual([]);
      await waitFor(() => world.shipments.some((s) => s.purpose === 'return_to_customer'), 'goods sent back');
      expect(clock(rejected, 'processing').state).toBe('met');
      expect(rejected.outcome.goodsHeld).toBeUndefined();
    }));

  test('an inspection failure with an amount refunds that partial amount', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'inspecting');
      await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'fail', refundAmount: 10_000, note: 'missing charger' }] });
      const refund = await refundIssued((await handle.query(getCaseQuery)).id);
      expect(refund.amount).toBe(10_000);
    }));

  test('a partial refund larger than the claim is refused as invalid input and changes nothing', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      const before = await waitForStatus(handle, 'inspecting');
      const failure = await handle
        .executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'fail', refundAmount: 999_999 }] })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((failure as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidCommandInput' });
      const after = await handle.query(getCaseQuery);
      expect(after.version).toBe(before.version);
    }));

  test('a command the state does not allow is refused as an invalid state and changes nothing', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      const before = await waitForStatus(handle, 'awaiting_review');
      const failure = await handle
        .executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] })
        .catch((e: unknown) => e);
      expect((failure as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidCaseState' });
      expect((await handle.query(getCaseQuery)).version).toBe(before.version);
    }));

  test('duplicate, late and out-of-order courier callbacks move the case once', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await handle.signal(courierEventSignal, { eventId: 'SF500:delivered', trackingNumber: 'SF500', event: 'delivered', at: new Date().toISOString() });
      await handle.signal(courierEventSignal, { eventId: 'SF500:in_transit', trackingNumber: 'SF500', event: 'in_transit', at: new Date().toISOString() });
      const snapshot = await waitForStatus(handle, 'inspecting');
      expect(events(snapshot).filter((e) => e === 'return.received')).toHaveLength(1);
      expect(snapshot.shipments[0].status).toBe('delivered');
    }));

  test('a failed settlement starts a new refund with a new idempotency key, and the case completes when it succeeds', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_return_shipment');
      await shipAndDeliver(handle);
      await waitForStatus(handle, 'inspecting');
      const { id } = await handle.executeUpdate(inspectionUpdate, { args: [{ actor: warehouse, result: 'pass' }] });
      const first = await refundIssued(id);
      // The settlement may arrive before the workflow knows the refund id; it must still count.
      first.settled = 'failed';
      await handle.signal(paymentEventSignal, { eventId: 'p-fail', refundId: first.refundId, status: 'failed', at: new Date().toISOString(), reason: 'card closed' });
      await handle.signal(paymentEventSignal, { eventId: 'p-fail', refundId: first.refundId, status: 'failed', at: new Date().toISOString() });
      await waitFor(() => world.refunds.filter((r) => r.caseId === id).length === 2, 'a second refund attempt');
      const second = world.refunds.filter((r) => r.caseId === id)[1];
      expect(second.key).not.toBe(first.key);
      second.settled = 'succeeded';
      await handle.signal(paymentEventSignal, { eventId: 'p-ok', refundId: second.refundId, status: 'succeeded', at: new Date().toISOString() });
      const done = await waitForStatus(handle, 'completed');
      expect(done.refund?.idempotencyKey).toBe(second.key);
      expect(world.templatesTo('li.wei')).toContain('refund_failed');
    }));

  test('the owner may cancel before shipping, but only a supervisor once the parcel is on its way', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const early = await startCase(env, world, caseRequest(now));
      await waitForStatus(early, 'awaiting_review');
      const cancelled = await early.executeUpdate(cancelUpdate, { args: [{ actor: customer, note: 'changed my mind' }] });
      expect(cancelled.status).toBe('cancelled');

      const late = await startCase(env, world, caseRequest(now));
      await late.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(late, 'awaiting_return_shipment');
      await late.executeUpdate(returnShipmentUpdate, { args: [{ actor: customer }] });
      const refused = await late.executeUpdate(cancelUpdate, { args: [{ actor: customer }] }).catch((e: unknown) => e);
      expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'InvalidCaseState' });
      const bySupervisor = await late.executeUpdate(cancelUpdate, { args: [{ actor: { kind: 'supervisor', id: 'zhang.min' }, note: 'duplicate' }] });
      expect(bySupervisor.status).toBe('cancelled');
    }));

  test('when the policy says so, handing the case to another agent gives the review clock a fresh budget', () =>
    withWorker(async () => {
      const policy = { ...defaultPolicy(), assignment: { restartClocksOnReassign: ['review' as const] } };
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now), policy);
      const first = await handle.executeUpdate(assignUpdate, { args: [{ actor: supervisor, assignee: 'li.wei' }] });
      const firstDeadline = Date.parse(clock(first, 'review').deadline);
      await env.sleep('5 hours');
      const second = await handle.executeUpdate(assignUpdate, { args: [{ actor: supervisor, assignee: 'wang.fang' }] });
      expect(second.assignee).toBe('wang.fang');
      expect(Date.parse(clock(second, 'review').deadline) - firstDeadline).toBeGreaterThanOrEqual(5 * 3_600_000 - 60_000);
      expect(events(second)).toContain('sla.clock_restarted');
    }));

  test('by default, reassignment keeps the review clock running', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      const supervisor = { kind: 'supervisor' as const, id: 'zhang.min' };
      const first = await handle.executeUpdate(assignUpdate, { args: [{ actor: supervisor, assignee: 'li.wei' }] });
      await env.sleep('2 hours');
      const second = await handle.executeUpdate(assignUpdate, { args: [{ actor: supervisor, assignee: 'wang.fang' }] });
      expect(clock(second, 'review').deadline).toBe(clock(first, 'review').deadline);
    }));

  test('while the read model is down the case still moves, and the read model catches up with the latest version afterwards', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await waitForStatus(handle, 'awaiting_review');
      world.readModelDown = true;
      const approved = await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      expect(approved.status).toBe('awaiting_return_shipment');
      await waitFor(() => world.templatesTo('c-1').includes('return_label'), 'the return label while the read model is down');
      world.readModelDown = false;
      await env.sleep('1 minute');
      const latest = await handle.query(getCaseQuery);
      await waitFor(() => world.projections.some((p) => p.version === latest.version), `the read model to reach version ${latest.version}`);
    }));

  test('another customer cannot act on the case', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now));
      await waitForStatus(handle, 'awaiting_review');
      const refused = await handle.executeUpdate(cancelUpdate, { args: [{ actor: { kind: 'customer', id: 'c-2' } }] }).catch((e: unknown) => e);
      expect((refused as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'CommandForbidden' });
    }));
});

async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
