import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RefundLookUpAnswer } from '../../activities/provider-ports';
import { settleStaleRefunds } from '../../activities/refund-query.activities';
import { getCaseQuery, reviewUpdate } from '../../domain/workflow-contract';
import type { ReconcilerRunSummary } from '../../workflows/read-model-reconciler.workflow';
import { reconcilerRunWith } from './support/reconciler-run';
import { actors, caseRequest, events, FakeWorld, refundIssued, startCase, waitForCase, waitForStatus, worldRunner, type CaseHandle } from './support/workflow-harness';

// The reconciler's refund step against a real case workflow: a refund-only case whose refund the
// provider answered `pending` and never notified is settled by a reconciler run that looks it up,
// and only when the provider paid the case's amount. The case looks its refund up again before it
// acts on the signal (patch refund-reports-confirmed): the harness's provider record says the same.

let env: TestWorkflowEnvironment;
let world: FakeWorld;
const withWorker = worldRunner((context) => ({ env, world } = context));

/** A refund-only case (parcel never received), approved, whose refund now waits for the provider. */
async function caseAwaitingSettlement(): Promise<CaseHandle> {
  const request = caseRequest(await env.currentTimeMs(), { type: 'refund_only', reason: { code: 'not_received' } });
  const { deliveredAt: _never, ...order } = request.order;
  const handle = await startCase(env, world, { ...request, packagingIntact: undefined, order });
  await waitForStatus(handle, 'awaiting_review');
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: actors.agent, decision: 'approve' }] });
  await waitForCase(handle, 'the refund to be with the provider', (c) => c.refund?.status === 'requested');
  return handle;
}

/**
 * One reconciler run: the other steps find nothing to do, and the refund step is the real sweep over
 * this case (as the read model lists it) and a provider answering `answer`.
 */
function reconcilerRun(handle: CaseHandle, answer: (refundId: string) => RefundLookUpAnswer): Promise<{ summary: ReconcilerRunSummary; steps: string[] }> {
  return reconcilerRunWith(env, world, {
    settleStaleRefunds: () =>
      settleStaleRefunds(
        {
          client: env.client,
          cases: { listAwaitingRefundSettlement: async () => [await handle.query(getCaseQuery)] },
          payment: { lookUpRefund: async (lookUp) => answer(lookUp.refundId) },
          olderThanMs: 0,
        },
        {},
      ),
  });
}

describe('the reconciler settles refunds whose notification did not come', () => {
  test('when the provider paid the case amount, one run signals it and the case completes with its refund settled once', () =>
    withWorker(async () => {
      const handle = await caseAwaitingSettlement();
      const waiting = await handle.query(getCaseQuery);
      // The provider's record, which the case looks up again before it settles.
      (await refundIssued(world, waiting.id)).settled = 'succeeded';
      const { summary, steps } = await reconcilerRun(handle, () => ({ status: 'succeeded', amount: waiting.refund!.amount, at: '2026-11-29T12:00:00.000Z' }));
      expect(steps).toEqual(['reconcilerWatermark', 'reconcileCasePage', 'sweepOpenCaseLocks', 'compactSlaReport', 'settleStaleRefunds', 'pollStaleParcels', 'saveReconcilerWatermark']);
      expect(summary.refundsQueried).toMatchObject({ settled: 1, amount_mismatch: 0, error: 0 });
      const done = await waitForStatus(handle, 'completed');
      expect(done.refund).toMatchObject({ status: 'succeeded', amount: waiting.refund!.amount });
      expect(events(done).filter((e) => e === 'refund.succeeded')).toHaveLength(1);
    }));

  test('when the provider says the refund failed, the run signals it and the case asks for its next refund under a new key', () =>
    withWorker(async () => {
      const handle = await caseAwaitingSettlement();
      const first = await handle.query(getCaseQuery);
      (await refundIssued(world, first.id)).settled = 'failed';
      const { summary } = await reconcilerRun(handle, () => ({ status: 'failed', amount: first.refund!.amount }));
      expect(summary.refundsQueried).toMatchObject({ failed: 1, settled: 0 });
      const second = await refundIssued(world, first.id, 2);
      expect(second.key).not.toBe(first.refund!.idempotencyKey);
      const retried = await waitForCase(handle, 'the second refund to be with the provider', (c) => c.refund?.status === 'requested' && c.refund.id === second.refundId);
      expect(events(retried)).toContain('refund.failed');
    }));

  test('when the provider paid another amount, the run signals nothing and the case keeps waiting', () =>
    withWorker(async () => {
      const handle = await caseAwaitingSettlement();
      const waiting = await handle.query(getCaseQuery);
      const { summary } = await reconcilerRun(handle, () => ({ status: 'succeeded', amount: waiting.refund!.amount + 1 }));
      expect(summary.refundsQueried).toMatchObject({ settled: 0, amount_mismatch: 1 });
      const after = await handle.query(getCaseQuery);
      expect(after.status).toBe('refunding');
      expect(after.refund?.status).toBe('requested');
      expect(events(after)).not.toContain('refund.succeeded');
    }));
});
