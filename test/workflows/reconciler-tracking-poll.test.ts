import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { pollStaleParcels } from '../../activities/tracking-poll.activities';
import { getCaseQuery, returnShipmentUpdate, reviewUpdate } from '../../domain/workflow-contract';
import { Kuaidi100Client } from '../../integrations/kuaidi100.client';
import { KUAIDI100_CALLBACK_ACK } from '../../integrations/kuaidi100.protocol';
import { createSandboxApp, type Sandbox } from '../../sandbox/app';
import { SANDBOX_KUAIDI100_CUSTOMER, type SandboxKuaidi100Subscription } from '../../sandbox/kuaidi100.routes';
import { InMemoryTrackingPollLog } from '../../store/tracking-polls.store';
import type { ReconcilerRunSummary } from '../../workflows/read-model-reconciler.workflow';
import { testProtection } from './support/test-payload-protection';
import { actors, caseRequest, events, FakeWorld, startCase, waitForCase, waitForStatus, workflowBundle, worldRunner, type CaseHandle } from './support/workflow-harness';

// The reconciler's tracking step against a real return case workflow: the parcel is subscribed at the
// sandbox's Kuaidi100 (in process), which moves it to signed-for and pushes every scan to a receiver
// that acknowledges and passes nothing on, as if our webhook had been down. One reconciler run polls
// the parcel with the real adapter and the case receives the goods.

const KEY = 'kd100-workflow-key';

let env: TestWorkflowEnvironment;
let world: FakeWorld;
const withWorker = worldRunner((context) => ({ env, world } = context));
let runs = 0;
let sandbox: Sandbox;
let sandboxUrl: string;
let callbackUrl: string;
const servers: Server[] = [];
let parcels = 0;

async function listen(app: Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function kuaidi100(): Kuaidi100Client {
  return new Kuaidi100Client({ baseUrl: `${sandboxUrl}/kuaidi100`, key: KEY, customer: SANDBOX_KUAIDI100_CUSTOMER, salt: 'kd100-workflow-salt', callbackUrl, timeoutMs: 2000 });
}

beforeAll(async () => {
  const receiver = express();
  // Every push is acknowledged and dropped: the case hears nothing from Kuaidi100.
  receiver.post('/kuaidi100', (_req, res) => void res.json(KUAIDI100_CALLBACK_ACK));
  callbackUrl = `${await listen(receiver)}/kuaidi100`;
  sandbox = createSandboxApp({ apiKey: KEY, callbackBaseUrl: 'http://127.0.0.1:9/unused', webhookSecret: 'unused-secret', trackingStepMs: 10, settleMs: 10 });
  sandboxUrl = await listen(sandbox.app);
});

afterAll(async () => {
  sandbox.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A return, approved, whose parcel the customer reported and Kuaidi100 carried to signed-for, every push lost. */
async function returnWhosePushesWereLost(): Promise<{ handle: CaseHandle; trackingNumber: string }> {
  const trackingNumber = `SFWF${String(++parcels).padStart(6, '0')}`;
  const handle = await startCase(env, world, caseRequest(await env.currentTimeMs()));
  await handle.executeUpdate(reviewUpdate, { args: [{ actor: actors.agent, decision: 'approve' }] });
  await waitForStatus(handle, 'awaiting_return_shipment');
  await handle.executeUpdate(returnShipmentUpdate, { args: [{ actor: { kind: 'customer', id: 'c-1' }, carrier: 'SF', trackingNumber }] });
  await waitForStatus(handle, 'return_in_transit');
  await kuaidi100().subscribeTracking({ caseId: 'unused', trackingNumber, carrier: 'SF' });
  for (let i = 0; ; i++) {
    const { subscriptions } = (await (await fetch(`${sandboxUrl}/kuaidi100/subscriptions`)).json()) as { subscriptions: SandboxKuaidi100Subscription[] };
    const mine = subscriptions.find((s) => s.number === trackingNumber);
    if (mine?.state === '3' && mine.pushes.every((p) => p.acknowledged)) break;
    if (i > 300) throw new Error(`the sandbox never signed for ${trackingNumber}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { handle, trackingNumber };
}

/** One reconciler run on a worker of its own: the other steps find nothing to do; the tracking step is the real sweep over this case, as the read model lists it. */
async function reconcilerRun(handle: CaseHandle): Promise<{ summary: ReconcilerRunSummary; steps: string[]; asked: string[] }> {
  const steps: string[] = [];
  const asked: string[] = [];
  const step = <T>(name: string, result: T) => async () => (steps.push(name), result);
  const client = kuaidi100();
  const taskQueue = `${world.taskQueue}-reconciler`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    dataConverter: testProtection.dataConverter,
    activities: {
      reconcilerWatermark: step('reconcilerWatermark', null),
      reconcileCasePage: step('reconcileCasePage', { checked: 0, drift: 0, repaired: 0, failed: 0, nextPageToken: null }),
      sweepOpenCaseLocks: step('sweepOpenCaseLocks', { released: 0 }),
      compactSlaReport: step('compactSlaReport', { cases: 0, breaches: 0, bucketsWritten: 0 }),
      settleStaleRefunds: step('settleStaleRefunds', { settled: 0, failed: 0, pending: 0, not_found: 0, amount_mismatch: 0, unsupported: 0, error: 0, waiting: 0 }),
      saveReconcilerWatermark: step('saveReconcilerWatermark', undefined),
      pollStaleParcels: async () => {
        steps.push('pollStaleParcels');
        return pollStaleParcels(
          {
            client: env.client,
            cases: { listWithParcelsOnTheWay: async () => [await handle.query(getCaseQuery)] },
            query: (input) => (asked.push(input.trackingNumber), client.query(input)),
            polls: new InMemoryTrackingPollLog(),
            // The case's times are the test server's skipped clock: every parcel is due.
            olderThanMs: 0,
          },
          {},
        );
      },
    },
  });
  const summary = await worker.runUntil(
    env.client.workflow.execute('readModelReconcilerWorkflow', { taskQueue, workflowId: `reconciler-${world.taskQueue}-${++runs}` }) as Promise<ReconcilerRunSummary>,
  );
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
