import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CaseItem, OpenCaseRequest } from '../../domain/case.types';
import { cancelUpdate, reviewUpdate } from '../../domain/workflow-contract';
import {
  about,
  actors,
  caseRequest,
  events,
  FakeWorld,
  messagesWith,
  parcelsOf,
  refundIssued,
  startCase,
  waitFor,
  waitForCase,
  waitForStatus,
  worldRunner,
} from './support/workflow-harness';

// Issue 22: the delivery is read again from the order source before a not_received refund, a
// reship and an automatic approval (workflows/delivery-check.ts). The harness's order source knows
// each case's order with the delivery it opened on; a test changes it to what the courier did since.

const { agent, supervisor } = actors;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A case request whose facts were read from the order source at opening (what the API records). */
function sourced(request: OpenCaseRequest, nowMs: number): OpenCaseRequest {
  return { ...request, orderRead: { version: '1.0', readAt: new Date(nowMs).toISOString() } };
}

/** A request whose order had no delivery when the case opened. */
async function undelivered(type: 'refund_only' | 'reship', items?: CaseItem[]): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  const request = caseRequest(now, { type, reason: { code: 'not_received' }, evidence: ['https://img.example/empty-mailbox.jpg'], ...(items ? { items } : {}) });
  const { deliveredAt: _never, ...order } = request.order;
  return sourced({ ...request, packagingIntact: undefined, order }, now);
}

/** The courier reports the order's parcel signed for now (after the case opened). */
async function signedForNow(request: OpenCaseRequest): Promise<string> {
  const at = new Date(await env.currentTimeMs()).toISOString();
  world.deliveries.set(request.orderId, at);
  return at;
}

describe('the delivery read again before money moves', () => {
  test('a not_received refund on a parcel signed for after opening pays nothing: the case closes rejected as a courier exception, staff and customer told', () =>
    withWorker(async () => {
      const request = await undelivered('refund_only');
      const handle = await startCase(env, world, request);
      await waitForStatus(handle, 'awaiting_review');
      const deliveredAt = await signedForNow(request);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const rejected = await waitForStatus(handle, 'rejected');
      about(rejected, () => {
        expect(events(rejected)).toEqual(expect.arrayContaining(['review.approved', 'delivery.signed_after_opening']));
        expect(events(rejected)).not.toContain('refund.approved');
        expect(rejected.timeline.find((e) => e.event === 'delivery.signed_after_opening')?.data).toMatchObject({ before: 'refund', deliveredAt, openedWith: null });
        expect(rejected.refund).toBeNull();
        expect(world.refunds).toEqual([]);
        expect(world.ledgerLines.size).toBe(0);
      });
      expect(world.orderReads).toEqual([request.orderId]);
      await waitFor(() => messagesWith(world, 'case_rejected').length === 1, 'the closing message');
      expect(messagesWith(world, 'case_rejected')[0].params.note).toMatch(/courier exception/);
      expect(messagesWith(world, 'delivery_signed_after_opening').length).toBeGreaterThan(0);
    }));

  test('a not_received refund whose order is still undelivered is confirmed and paid', () =>
    withWorker(async () => {
      const request = await undelivered('refund_only');
      const handle = await startCase(env, world, request);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const refund = await refundIssued(world, (await waitForStatus(handle, 'refunding')).id);
      expect(refund.amount).toBe(25_900);
      const paid = await waitForCase(handle, 'the refund to be requested', (c) => c.refund?.status === 'requested');
      about(paid, () => expect(events(paid).indexOf('delivery.confirmed')).toBeLessThan(events(paid).indexOf('refund.approved')));
    }));

  test('a reship of a lost parcel signed for after opening sends no parcel: rejected as a courier exception', () =>
    withWorker(async () => {
      const request = await undelivered('reship');
      const handle = await startCase(env, world, request);
      await waitForStatus(handle, 'awaiting_review');
      await signedForNow(request);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const rejected = await waitForStatus(handle, 'rejected');
      about(rejected, () => {
        expect(events(rejected)).toContain('delivery.signed_after_opening');
        expect(events(rejected)).not.toContain('shipment.preparing');
        expect(parcelsOf(world, rejected.id)).toEqual([]);
        expect(rejected.sla.filter((c) => c.state === 'running')).toEqual([]);
      });
    }));

  test('a reship whose order the source does not know waits for a person: no parcel, staff told, a supervisor closes it', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const request = sourced(caseRequest(now, { type: 'reship', reason: { code: 'damaged_in_transit' }, evidence: ['https://img.example/crushed-box.jpg'] }, 1), now);
      const handle = await startCase(env, world, request);
      world.deliveries.delete(request.orderId);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const held = await waitForCase(handle, 'the delivery not to be confirmed', (c) => events(c).includes('delivery.not_confirmed'));
      about(held, () => {
        expect(held.status).toBe('shipping_replacement');
        expect(held.timeline.find((e) => e.event === 'delivery.not_confirmed')?.data).toMatchObject({ before: 'reship', check: 'order_unknown' });
        expect(parcelsOf(world, held.id)).toEqual([]);
      });
      await waitFor(() => messagesWith(world, 'delivery_not_confirmed').length > 0, 'the staff queue to be told');
      const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'order not found at the shop' }] });
      expect(cancelled.status).toBe('cancelled');
      expect(parcelsOf(world, cancelled.id)).toEqual([]);
    }));

  test('a case opened on claimed facts (no orderRead, before the API read orders) is not read again and pays as it started', () =>
    withWorker(async () => {
      const { orderRead: _none, ...claimed } = await undelivered('refund_only');
      const handle = await startCase(env, world, claimed);
      await signedForNow(claimed);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const refund = await refundIssued(world, (await waitForStatus(handle, 'refunding')).id);
      expect(refund.amount).toBe(25_900);
      expect(world.orderReads).toEqual([]);
    }));

  test('while the order source cannot answer nothing is paid; the read is retried and the refund goes once it answers', () =>
    withWorker(async () => {
      const request = await undelivered('refund_only');
      const handle = await startCase(env, world, request);
      world.orderSourceDown = true;
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitFor(() => world.orderReads.length >= 2, 'the read to be retried');
      expect(world.refunds).toEqual([]);
      world.orderSourceDown = false;
      await env.sleep('5 minutes');
      const refund = await refundIssued(world, (await waitForStatus(handle, 'refunding')).id);
      expect(refund.amount).toBe(25_900);
    }));

  test('an automatic approval whose delivery is confirmed as at opening approves, and the refund goes', () =>
    withWorker(async () => {
      const request = await undelivered('refund_only', [{ sku: 'SOCKS', quantity: 1, unitPrice: 3_900 }]);
      const handle = await startCase(env, world, request);
      await waitForStatus(handle, 'awaiting_review');
      await env.sleep('24 hours');
      const refunding = await waitForStatus(handle, 'refunding');
      about(refunding, () => {
        expect(events(refunding)).toEqual(expect.arrayContaining(['sla.breached', 'auto_action.review_approved', 'review.approved']));
        expect(refunding.timeline.find((e) => e.event === 'auto_action.review_approved')?.data).toHaveProperty('deliveryReadAt');
      });
      expect((await refundIssued(world, refunding.id)).amount).toBe(3_900);
      // Read before the approval and again before the refund.
      expect(world.orderReads).toEqual([request.orderId, request.orderId]);
    }));

  test('an automatic approval whose delivery changed since opening is withheld: the review stays with a person', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const request = sourced(caseRequest(now, { type: 'return', items: [{ sku: 'SOCKS', quantity: 1, unitPrice: 3_900 }] }), now);
      const handle = await startCase(env, world, request);
      await waitForStatus(handle, 'awaiting_review');
      world.deliveries.set(request.orderId, new Date(now - 86_400_000).toISOString());
      await env.sleep('24 hours');
      const withheld = await waitForCase(handle, 'the approval to be withheld', (c) => events(c).includes('auto_action.review_withheld'));
      about(withheld, () => {
        expect(withheld.status).toBe('awaiting_review');
        expect(events(withheld)).not.toContain('auto_action.review_approved');
        expect(withheld.timeline.find((e) => e.event === 'auto_action.review_withheld')?.data).toMatchObject({ check: 'changed' });
        expect(world.labels).toEqual([]);
      });
      await waitFor(() => messagesWith(world, 'auto_approval_withheld').length > 0, 'the staff queue to be told');
      // A person still decides.
      const rejected = await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'reject', note: 'the courier shows another delivery' }] });
      expect(rejected.status).toBe('rejected');
    }));
});
