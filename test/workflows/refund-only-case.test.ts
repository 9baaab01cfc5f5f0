import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseItem, OpenCaseRequest } from '../../domain/case.types';
import { paymentEventSignal, cancelUpdate, customerInfoUpdate, reviewUpdate, surveyUpdate } from '../../domain/workflow-contract';
import {
  about,
  caseRequest,
  clock,
  events,
  FakeWorld,
  refundIssued,
  refusal,
  settleRefund,
  startCase,
  waitFor,
  waitForCase,
  waitForStatus,
  worldRunner,
  type CaseHandle,
  actors,
  expectAssignedAndSurveyRefused,
} from './support/workflow-harness';

const { agent, customer, supervisor } = actors;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A parcel that never arrived: refund only, the order has no delivery date. */
async function notReceived(items?: CaseItem[]): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  const request = caseRequest(now, { type: 'refund_only', reason: { code: 'not_received' }, ...(items ? { items } : {}) });
  const { deliveredAt: _never, ...order } = request.order;
  return { ...request, packagingIntact: undefined, order };
}

async function openRefundOnly(items?: CaseItem[]): Promise<CaseHandle> {
  return startCase(env, world, await notReceived(items));
}

describe('refund-only case', () => {
  test('a parcel never received is reviewed, approved and refunded in full without a return, and completes when the refund settles', () =>
    withWorker(async () => {
      const handle = await openRefundOnly();
      const opened = await waitForStatus(handle, 'awaiting_review');
      about(opened, () => expect(clock(opened, 'review').state).toBe('running'));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const approved = await waitForStatus(handle, 'refunding');
      const refund = await refundIssued(world, approved.id);
      expect(refund.amount).toBe(25_900);
      // The refund clock starts once the money is reserved on the order line, just before the refund is sent.
      const refunding = await waitForCase(handle, 'the refund to be with the provider', (c) => c.refund?.status === 'requested');
      about(refunding, () => {
        expect(clock(refunding, 'review').state).toBe('met');
        expect(clock(refunding, 'refund').state).toBe('running');
        expect(refunding.outcome.shippingPaidBy).toBe('platform');
      });
      await settleRefund(handle, world, refunding.id);
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(events(done)).toEqual(expect.arrayContaining(['review.approved', 'refund.approved', 'refund.requested', 'refund.succeeded', 'case.completed']));
        expect(done.refund).toMatchObject({ amount: 25_900, status: 'succeeded', method: 'original_path' });
        expect(clock(done, 'refund').state).toBe('met');
        expect(done.shipments).toEqual([]);
        expect(world.labels).toEqual([]);
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_completed'), 'the customer to be told');
      expect(world.messages.find((m) => m.message.template === 'case_completed')?.message.params).toMatchObject({ refundAmount: 25_900 });
      const surveyed = await handle.executeUpdate(surveyUpdate, { args: [{ actor: customer, score: 5 }] });
      expect(surveyed.survey?.score).toBe(5);
    }));

  test('a rejected review ends the refund-only case as rejected with the note, and a reject without a note is refused as invalid input', () =>
    withWorker(async () => {
      const handle = await openRefundOnly();
      await waitForStatus(handle, 'awaiting_review');
      const noNote = await refusal(handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'reject' }] }));
      expect(noNote.type).toBe('InvalidCommandInput');
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'reject', note: 'the courier has a signed delivery photo' }] });
      const rejected = await waitForStatus(handle, 'rejected');
      about(rejected, () => {
        expect(rejected.outcome.review).toMatchObject({ decision: 'reject', note: 'the courier has a signed delivery photo' });
        expect(world.refunds).toEqual([]);
      });
      await waitFor(() => world.templatesTo('c-1').includes('case_rejected'), 'the closing message');
    }));

  test('a review that breaches on a claim below the policy amount is approved automatically and the refund goes out', () =>
    withWorker(async () => {
      const handle = await openRefundOnly([{ sku: 'SOCKS', quantity: 1, unitPrice: 3_900 }]);
      await waitForStatus(handle, 'awaiting_review');
      await env.sleep('24 hours');
      const refunding = await waitForStatus(handle, 'refunding');
      about(refunding, () => {
        expect(events(refunding)).toEqual(expect.arrayContaining(['sla.breached', 'auto_action.review_approved', 'review.approved']));
        expect(clock(refunding, 'review').state).toBe('breached');
      });
      expect((await refundIssued(world, refunding.id)).amount).toBe(3_900);
    }));

  test('when the customer does not answer a request for information within 7 days, the case expires', () =>
    withWorker(async () => {
      const handle = await openRefundOnly();
      await waitForStatus(handle, 'awaiting_review');
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'request_info', note: 'which address was it sent to?' }] });
      const asked = await waitForStatus(handle, 'awaiting_customer_info');
      about(asked, () => expect(clock(asked, 'review').state).toBe('paused'));
      await env.sleep('7 days');
      const expired = await waitForStatus(handle, 'expired');
      about(expired, () => {
        expect(events(expired)).toEqual(expect.arrayContaining(['customer.timeout', 'case.expired']));
        expect(world.refunds).toEqual([]);
        expect(world.escalations).toEqual([]);
      });
      const late = await refusal(handle.executeUpdate(customerInfoUpdate, { args: [{ actor: customer, message: 'sorry, too late' }] }));
      expect(late.type).toBe('InvalidCaseState');
    }));

  test('when every refund attempt fails, staff are told to act by hand and the case stays refunding until a supervisor closes it', () =>
    withWorker(async () => {
      const handle = await openRefundOnly();
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const { id } = await waitForStatus(handle, 'refunding');
      for (let attempt = 1; attempt <= 3; attempt++) {
        const refund = await refundIssued(world, id, attempt);
        refund.settled = 'failed';
        await handle.signal(paymentEventSignal, { eventId: `fail-${attempt}`, refundId: refund.refundId, status: 'failed', at: new Date().toISOString(), reason: 'account closed' });
      }
      const stuck = await waitForCase(handle, 'the manual-action event', (c) => events(c).includes('refund.manual_action_required'));
      about(stuck, () => {
        expect(stuck.status).toBe('refunding');
        expect(new Set(world.refunds.map((r) => r.key)).size).toBe(3);
      });
      await waitFor(() => world.templatesTo('li.wei').includes('refund_manual_action'), 'the assignee to be told');
      const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'refunded by bank transfer' }] });
      expect(cancelled.status).toBe('cancelled');
    }));

  test('a supervisor assigns the case, and the survey is refused until the case is closed', () =>
    withWorker(async () => {
      const handle = await openRefundOnly();
      await waitForStatus(handle, 'awaiting_review');
      await expectAssignedAndSurveyRefused(handle);
    }));
});
