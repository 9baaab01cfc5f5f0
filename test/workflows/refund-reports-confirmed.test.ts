import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OpenCaseRequest } from '../../domain/case.types';
import { lineKey } from '../../domain/keys';
import { collectionEventSignal, getCaseQuery, paymentEventSignal, quoteUpdate, reviewUpdate } from '../../domain/workflow-contract';
import { about, actors, caseRequest, collectionRequested, events, FakeWorld, messagesWith, refundIssued, settleCollection, settleRefund, startCase, waitFor, waitForCase, waitForStatus, worldRunner, type CaseHandle } from './support/workflow-harness';

// Issue 23, part 1: a refund settlement reported by a callback is a claim, confirmed with the
// provider's own record before money moves again or the ledger commits (patch
// refund-reports-confirmed, workflows/stages/refund-attempts.ts). The harness's provider answers
// its look-up from `world.refunds` (`settled`, pending while unset; `paid` when another amount).

const { agent, customer } = actors;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A refund-only claim of a wrong item (no delivery read), approved: its refund is requested. */
async function approvedRefund(): Promise<{ handle: CaseHandle; id: string; request: OpenCaseRequest }> {
  const now = await env.currentTimeMs();
  const request: OpenCaseRequest = { ...caseRequest(now, { type: 'refund_only', reason: { code: 'wrong_item' }, evidence: ['https://img.example/wrong-colour.jpg'] }), packagingIntact: undefined };
  const handle = await startCase(env, world, request);
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
  const { id } = await waitForStatus(handle, 'refunding');
  await refundIssued(world, id);
  await waitForCase(handle, 'the refund to be requested', (c) => c.refund?.status === 'requested');
  return { handle, id, request };
}

/** A callback reporting the refund settled, whatever the provider's record says. */
async function report(handle: CaseHandle, refundId: string, status: 'succeeded' | 'failed', eventId: string): Promise<void> {
  await handle.signal(paymentEventSignal, { eventId, refundId, status, at: new Date().toISOString(), ...(status === 'failed' ? { reason: 'forged' } : {}) });
}

/** The ledger entries' states of the case's line. */
function ledgerStates(request: OpenCaseRequest): string[] | undefined {
  return world.ledgerLines.get(lineKey(request.orderId, 'SKU-1'))?.entries.map((e) => e.state);
}

/** Waits for the provider to have been asked `n` look-ups, and for the case to take the answer. */
async function lookedUp(n: number): Promise<void> {
  await waitFor(() => world.refundLookUps.length >= n, `look-up #${n}`);
  await new Promise((r) => setTimeout(r, 500));
}

describe('refund reports confirmed with the provider before money moves', () => {
  test('a `failed` the provider does not confirm (still pending) starts no new refund; its real settlement completes the case once', () =>
    withWorker(async () => {
      const { handle, id, request } = await approvedRefund();
      const [first] = world.refunds;
      await report(handle, first.refundId, 'failed', 'forged-1');
      await lookedUp(1);
      await report(handle, first.refundId, 'failed', 'forged-2');
      await lookedUp(2);
      const held = await waitForCase(handle, 'the report to be looked up', (c) => c.status === 'refunding');
      about(held, () => {
        expect(held.refund).toMatchObject({ status: 'requested', id: first.refundId, idempotencyKey: `${id}:refund:1` });
        expect(events(held)).not.toContain('refund.failed');
        expect(world.refunds).toHaveLength(1);
        expect(messagesWith(world, 'refund_failed')).toEqual([]);
      });
      await settleRefund(handle, world, id, 'succeeded');
      const done = await waitForStatus(handle, 'completed');
      about(done, () => {
        expect(done.refund).toMatchObject({ status: 'succeeded', id: first.refundId });
        expect(done.timeline.find((e) => e.event === 'refund.succeeded')?.data).toMatchObject({ confirmed: true });
      });
      expect(world.refunds).toHaveLength(1);
      expect(ledgerStates(request)).toEqual(['committed']);
    }));

  test('a `failed` the provider confirms starts the next attempt under a new key, as before', () =>
    withWorker(async () => {
      const { handle, id } = await approvedRefund();
      await settleRefund(handle, world, id, 'failed');
      const second = await refundIssued(world, id, 2);
      expect(second.key).toBe(`${id}:refund:2`);
      await settleRefund(handle, world, id, 'succeeded');
      const done = await waitForStatus(handle, 'completed');
      expect(done.refund).toMatchObject({ status: 'succeeded', id: second.refundId });
    }));

  test("a provider's `succeeded` for an attempt the case gave up is recorded as money out and raised to a person; the current attempt goes on", () =>
    withWorker(async () => {
      const { handle, id } = await approvedRefund();
      const first = await settleRefund(handle, world, id, 'failed');
      const second = await refundIssued(world, id, 2);
      await waitForCase(handle, 'the second attempt to be requested', (c) => c.refund?.id === second.refundId && c.refund.status === 'requested');
      // The provider changes its mind about the first attempt: it paid after all.
      first.settled = 'succeeded';
      await report(handle, first.refundId, 'succeeded', 'late-paid');
      const raised = await waitForCase(handle, 'the paid attempt to be raised', (c) => events(c).includes('refund.manual_action_required'));
      expect(raised.timeline.find((e) => e.event === 'refund.manual_action_required')?.data).toMatchObject({ reason: 'abandoned_attempt_paid', refundId: first.refundId, providerAmount: first.amount });
      await waitFor(() => messagesWith(world, 'refund_abandoned_attempt_paid').length > 0, 'the staff queue to be told');
      await settleRefund(handle, world, id, 'succeeded');
      const done = await waitForStatus(handle, 'completed');
      expect(done.refund).toMatchObject({ id: second.refundId, status: 'succeeded' });
    }));

  test("after the case completed, a `succeeded` for the given-up attempt is still looked up and raised while the case can hear it; a false one (the provider says failed) raises nothing", () =>
    withWorker(async () => {
      const { handle, id } = await approvedRefund();
      const first = await settleRefund(handle, world, id, 'failed');
      await refundIssued(world, id, 2);
      await settleRefund(handle, world, id, 'succeeded');
      await waitForStatus(handle, 'completed');

      // A report the provider's record contradicts: looked up, nothing raised.
      const lookUpsBefore = world.refundLookUps.length;
      await report(handle, first.refundId, 'succeeded', 'false-paid');
      await waitFor(() => world.refundLookUps.length > lookUpsBefore, 'the false report to be looked up');
      await new Promise((r) => setTimeout(r, 500));
      expect(events(await handle.query(getCaseQuery))).not.toContain('refund.manual_action_required');

      // The provider really paid it after all: raised to a person, though the case is complete.
      first.settled = 'succeeded';
      await report(handle, first.refundId, 'succeeded', 'late-paid-after-completion');
      const raised = await waitForCase(handle, 'the paid attempt to be raised', (c) => events(c).includes('refund.manual_action_required'));
      about(raised, () => {
        expect(raised.status).toBe('completed');
        expect(raised.timeline.find((e) => e.event === 'refund.manual_action_required')?.data).toMatchObject({ reason: 'abandoned_attempt_paid', refundId: first.refundId });
      });
      await waitFor(() => messagesWith(world, 'refund_abandoned_attempt_paid').length > 0, 'the staff queue to be told');
    }));

  test('a `succeeded` the provider does not confirm commits nothing and the case keeps waiting', () =>
    withWorker(async () => {
      const { handle, request } = await approvedRefund();
      await report(handle, world.refunds[0].refundId, 'succeeded', 'forged-ok');
      await lookedUp(1);
      const held = await waitForCase(handle, 'the case to wait', (c) => c.status === 'refunding');
      about(held, () => {
        expect(held.refund?.status).toBe('requested');
        expect(events(held)).not.toContain('refund.succeeded');
      });
      expect(ledgerStates(request)).toEqual(['reserved']);
    }));

  test('a `succeeded` of another amount is recorded and left for a person: the ledger is not committed', () =>
    withWorker(async () => {
      const { handle, id, request } = await approvedRefund();
      world.refunds[0].paid = 100;
      await settleRefund(handle, world, id, 'succeeded');
      const held = await waitForCase(handle, 'the amount to be raised', (c) => events(c).includes('refund.manual_action_required'));
      about(held, () => {
        expect(held.status).toBe('refunding');
        expect(held.refund?.status).toBe('requested');
        expect(held.timeline.find((e) => e.event === 'refund.manual_action_required')?.data).toMatchObject({ reason: 'provider_amount_differs', providerAmount: 100 });
      });
      await waitFor(() => messagesWith(world, 'refund_amount_differs').length > 0, 'the staff queue to be told');
      expect(ledgerStates(request)).toEqual(['reserved']);
      // A repeated report raises nothing again and settles nothing.
      await report(handle, world.refunds[0].refundId, 'succeeded', 'again');
      await lookedUp(2);
      const still = await waitForCase(handle, 'the case to wait', (c) => c.status === 'refunding');
      expect(events(still).filter((e) => e === 'refund.manual_action_required')).toHaveLength(1);
      expect(still.refund?.status).toBe('requested');
      expect(world.refunds).toHaveLength(1);
    }));

  test('a `failed` the provider cannot find is unknown: the same request is asked again under the same key, never a new one, and a person is told', () =>
    withWorker(async () => {
      const { handle, id } = await approvedRefund();
      world.refundLookUpBlind = true;
      const [first] = world.refunds;
      await report(handle, first.refundId, 'failed', 'unknown-1');
      const held = await waitForCase(handle, 'the unknown refund to be raised', (c) => events(c).includes('refund.manual_action_required'));
      about(held, () => {
        expect(held.refund).toMatchObject({ status: 'requested', idempotencyKey: `${id}:refund:1` });
        expect(held.timeline.find((e) => e.event === 'refund.manual_action_required')?.data).toMatchObject({ reason: 'settlement_unconfirmed', reported: 'failed', provider: 'not_found' });
      });
      await waitFor(() => messagesWith(world, 'refund_unconfirmed').length > 0, 'the staff queue to be told');
      expect(world.refunds.map((r) => r.key)).toEqual([`${id}:refund:1`]);
      // The provider finds it paid after all: its report settles the case.
      world.refundLookUpBlind = false;
      await settleRefund(handle, world, id, 'succeeded');
      const done = await waitForStatus(handle, 'completed');
      expect(done.refund).toMatchObject({ status: 'succeeded', id: first.refundId });
      expect(world.refunds).toHaveLength(1);
    }));
});

describe('collection reports confirmed with the provider before they count', () => {
  test('a forged `paid` for a quote the customer has not paid counts for nothing; the provider\'s own settlement does', () =>
    withWorker(async () => {
      const now = await env.currentTimeMs();
      const handle = await startCase(env, world, caseRequest(now, { type: 'repair', reason: { code: 'quality_issue', description: 'does not charge' }, evidence: ['https://img.example/port.jpg'] }, 727));
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      await waitForStatus(handle, 'awaiting_quote_acceptance');
      await handle.executeUpdate(quoteUpdate, { args: [{ actor: customer, accept: true }] });
      const { id } = await handle.query(getCaseQuery);
      const collection = await collectionRequested(world, id);
      await waitForCase(handle, 'the quote collection to be requested', (c) => c.outcome.collections?.[0]?.status === 'requested');
      await handle.signal(collectionEventSignal, { eventId: 'forged-paid', collectionId: collection.collectionId, status: 'succeeded', at: new Date().toISOString() });
      await new Promise((r) => setTimeout(r, 1500));
      const held = await handle.query(getCaseQuery);
      about(held, () => {
        expect(held.status).toBe('awaiting_payment');
        expect(held.outcome.collections?.[0]?.status).toBe('requested');
        expect(events(held)).not.toContain('payment.paid');
      });
      await settleCollection(handle, collection.collectionId, 'succeeded');
      const paid = await waitForCase(handle, 'the quote to count as paid', (c) => c.outcome.collections?.[0]?.status === 'paid');
      expect(paid.timeline.find((e) => e.event === 'payment.paid')?.data).toMatchObject({ confirmed: true });
    }));
});
