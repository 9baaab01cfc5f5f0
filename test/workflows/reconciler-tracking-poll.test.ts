import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pollStaleParcels } from '../../activities/tracking-poll.activities';
import { getCaseQuery, reviewUpdate } from '../../domain/workflow-contract';
import { InMemoryTrackingPollLog } from '../../store/tracking-polls.store';
import type { ReconcilerRunSummary } from '../../workflows/read-model-reconciler.workflow';
import { startKuaidi100Sandbox, type Kuaidi100Sandbox } from '../unit/support/kuaidi100-sandbox';
import { reconcilerRunWith } from './support/reconciler-run';
import { actors, caseRequest, events, FakeWorld, shipOnLabel, startCase, waitForCase, waitForStatus, worldRunner, type CaseHandle } from './support/workflow-harness';

// The reconciler's tracking step against a real return case workflow: the parcel is subscribed at the
// sandbox's Kuaidi100 (in process), which moves it to signed-for and pushes every scan to a receiver
// that acknowledges and passes nothing on, as if our webhook had been down. One reconciler run polls
// the parcel with the real adapter and the case receives the goods.

let env: TestWorkflowEnvironment;
let world: FakeWorld;
const withWorker = worldRunner((context) => ({ env, world } = context));
/** The sandbox's Kuaidi100, whose every push is acknowledged and dropped: the case hears nothing from Kuaidi100. */
let kd100: Kuaidi100Sandbox;

beforeAll(async () => {
  kd100 = await startKuaidi100Sandbox({ key: 'kd100-workflow-key', salt: 'kd100-workflow-salt', stepMs: 10 });
});

afterAll(() => kd100.close());

/** A return, approved, whose parcel the customer reported and Kuaidi100 carried to signed-for, every push lost. */
async function returnWhosePushesWereLost(): Promise<{ handle: CaseHandle; trackingNumber: string }> {
  const handle = await startCase(env, world, caseRequest(await env.currentTimeMs()));
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: actors.agent, decision: 'approve' }] });
  await waitForStatus(handle, 'awaiting_return_shipment');
  const trackingNumber = await shipOnLabel(handle);
  await waitForStatus(handle, 'return_in_transit');
  await kd100.shipThrough(trackingNumber, 'SF');
  return { handle, trackingNumber };
}

/** One reconciler run: the other steps find nothing to do; the tracking step is the real sweep over this case, as the read model lists it. */
async function reconcilerRun(handle: CaseHandle): Promise<{ summary: ReconcilerRunSummary; steps: string[]; asked: string[] }> {
  const asked: string[] = [];
  const client = kd100.client();
  const { summary, steps } = await reconcilerRunWith(env, world, {
    pollStaleParcels: () =>
      pollStaleParcels(
        {
          client: env.client,
          cases: { listWithParcelsOnTheWay: async () => [await handle.query(getCaseQuery)] },
          query: (query) => (asked.push(query.trackingNumber), client.query(query)),
          polls: new InMemoryTrackingPollLog(),
          // The case's times are the test server's skipped clock: every parcel is due.
          olderThanMs: 0,
        },
        {},
      ),
  });
  return { summary, steps, asked };
}

describe('the reconciler polls parcels whose Kuaidi100 pushes were lost', () => {
  test('a return whose parcel was signed for without one push reaching us moves to inspecting after one reconciler run', () =>
    withWorker(async () => {
      const { handle, trackingNumber } = await returnWhosePushesWereLost();
      expect((await handle.query(getCaseQuery)).shipments.map((s) => s.status)).toEqual(['shipped']);
      const { summary, steps, asked } = await reconcilerRun(handle);
      expect(steps).toEqual(['reconcilerWatermark', 'reconcileCasePage', 'sweepOpenCaseLocks', 'compactSlaReport', 'settleStaleRefunds', 'pollStaleParcels', 'saveReconcilerWatermark']);
      expect(asked).toEqual([trackingNumber]);
      expect(summary.parcelsPolled).toEqual({ signalled: 1, nothing_new: 0, no_trace: 0, error: 0, waiting: 0 });
      const received = await waitForStatus(handle, 'inspecting');
      expect(received.shipments).toEqual([expect.objectContaining({ trackingNumber, status: 'delivered' })]);
      expect(events(received)).toEqual(expect.arrayContaining(['shipment.picked_up', 'shipment.in_transit', 'shipment.delivered', 'return.received']));
    }));

  test('a second run finds the parcel delivered and asks nothing; the case records the delivery once', () =>
    withWorker(async () => {
      const { handle } = await returnWhosePushesWereLost();
      await reconcilerRun(handle);
      await waitForStatus(handle, 'inspecting');
      const again = await reconcilerRun(handle);
      expect(again.asked).toEqual([]);
      expect(again.summary.parcelsPolled).toEqual({ signalled: 0, nothing_new: 0, no_trace: 0, error: 0, waiting: 0 });
      const after = await waitForCase(handle, 'the case to stay in inspection', (c) => c.status === 'inspecting');
      expect(events(after).filter((e) => e === 'shipment.delivered')).toHaveLength(1);
    }));
});
