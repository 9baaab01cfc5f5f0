import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { OpenCaseRequest } from '../../domain/case.types';
import { lineKey } from '../../domain/keys';
import { cancelUpdate, reviewUpdate } from '../../domain/workflow-contract';
import { about, actors, caseRequest, events, FakeWorld, messagesWith, settleRefund, startCase, waitFor, waitForCase, waitForStatus, worldRunner } from './support/workflow-harness';

// Issue 22: before a refund the payment's own record is checked where the provider offers it
// (patch payment-record-checked, workflows/stages/refund.stage.ts): the trade's paid amount less
// what was already refunded on it must cover the refund, or the refund is not sent and the case
// goes to a person. The harness's provider has each case's order as a trade paid in full.

const { agent, supervisor } = actors;

let env: TestWorkflowEnvironment;
let world: FakeWorld;

const withWorker = worldRunner((context) => ({ env, world } = context));

/** A refund-only claim of a wrong item (no delivery read), opened on the order source's facts. */
async function wrongItem(): Promise<OpenCaseRequest> {
  const now = await env.currentTimeMs();
  const request = caseRequest(now, { type: 'refund_only', reason: { code: 'wrong_item' }, evidence: ['https://img.example/wrong-colour.jpg'] });
  return { ...request, packagingIntact: undefined, orderRead: { version: '1.0', readAt: new Date(now).toISOString() } };
}

describe("the payment's own record before a refund", () => {
  test('a trade that covers the refund lets it go, once, under the first attempt key, and the ledger commits it', () =>
    withWorker(async () => {
      const request = await wrongItem();
      const handle = await startCase(env, world, request);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const { id } = await waitForStatus(handle, 'refunding');
      const refund = await settleRefund(handle, world, id);
      expect(refund).toMatchObject({ amount: 25_900, key: `${id}:refund:1` });
      const done = await waitForStatus(handle, 'completed');
      about(done, () => expect(events(done)).not.toContain('refund.not_covered_by_payment'));
      expect(world.ledgerLines.get(lineKey(request.orderId, 'SKU-1'))?.entries.map((e) => e.state)).toEqual(['committed']);
    }));

  test('a trade already refunded too far sends no refund: the reservation is released, staff told, and the case waits for a supervisor', () =>
    withWorker(async () => {
      const request = await wrongItem();
      world.trades.set(request.orderId, { currency: 'CNY', paid: 25_900, refunded: 20_000 });
      const handle = await startCase(env, world, request);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const held = await waitForCase(handle, 'the refund to be held', (c) => events(c).includes('refund.not_covered_by_payment'));
      about(held, () => {
        expect(held.status).toBe('refunding');
        expect(held.refund).toBeNull();
        expect(held.timeline.find((e) => e.event === 'refund.not_covered_by_payment')?.data).toMatchObject({ amount: 25_900, found: true, paid: 25_900, refunded: 20_000 });
        expect(world.refunds).toEqual([]);
      });
      await waitFor(() => messagesWith(world, 'refund_not_covered_by_payment').length > 0, 'the staff queue to be told');
      expect(world.ledgerLines.get(lineKey(request.orderId, 'SKU-1'))?.entries.map((e) => e.state)).toEqual(['released']);
      const cancelled = await handle.executeUpdate(cancelUpdate, { args: [{ actor: supervisor, note: 'refunded by hand after checking the trade' }] });
      expect(cancelled.status).toBe('cancelled');
      expect(world.refunds).toEqual([]);
    }));

  test('a trade the provider does not have sends no refund', () =>
    withWorker(async () => {
      const request = await wrongItem();
      const handle = await startCase(env, world, request);
      world.trades.delete(request.orderId);
      await handle.executeUpdate(reviewUpdate, { args: [{ actor: agent, decision: 'approve' }] });
      const held = await waitForCase(handle, 'the refund to be held', (c) => events(c).includes('refund.not_covered_by_payment'));
      about(held, () => {
        expect(held.timeline.find((e) => e.event === 'refund.not_covered_by_payment')?.data).toMatchObject({ found: false });
        expect(world.refunds).toEqual([]);
      });
    }));
});
