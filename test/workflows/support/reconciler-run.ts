import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { noopCaseSinks } from '../../../worker/read-model-publisher';
import type { ReconcilerActivities } from '../../../activities/read-model-reconciler.activities';
import type { ReconcilerRunSummary } from '../../../workflows/read-model-reconciler.workflow';
import { testProtection } from './test-payload-protection';
import { workflowBundle, type FakeWorld } from './workflow-harness';

type StepName = keyof ReconcilerActivities;

/** What each reconciler activity answers when it finds nothing to do (typed by the activities, so a new one must be added here). */
const NOTHING_TO_DO: { [K in StepName]: Awaited<ReturnType<ReconcilerActivities[K]>> } = {
  reconcilerWatermark: null,
  reconcileCasePage: { checked: 0, drift: 0, repaired: 0, failed: 0, nextPageToken: null },
  sweepOpenCaseLocks: { holders: 0, released: 0 },
  compactSlaReport: { cases: 0, breaches: 0, bucketsWritten: 0 },
  settleStaleRefunds: { settled: 0, failed: 0, pending: 0, not_found: 0, amount_mismatch: 0, unsupported: 0, error: 0, waiting: 0 },
  pollStaleParcels: { signalled: 0, nothing_new: 0, no_trace: 0, error: 0, waiting: 0 },
  saveReconcilerWatermark: undefined,
};

let runs = 0;

/**
 * One read-model reconciler run on a worker of its own: the steps in `real` run as given, every other
 * step finds nothing to do. Answers the run's summary and the steps in the order they were called.
 */
export async function reconcilerRunWith(
  env: TestWorkflowEnvironment,
  world: FakeWorld,
  real: Partial<ReconcilerActivities>,
): Promise<{ summary: ReconcilerRunSummary; steps: string[] }> {
  const steps: string[] = [];
  const activities = Object.fromEntries(
    (Object.keys(NOTHING_TO_DO) as StepName[]).map((name) => {
      const own = real[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      return [name, async (...args: unknown[]) => (steps.push(name), own ? own(...args) : NOTHING_TO_DO[name])];
    }),
  );
  const taskQueue = `${world.taskQueue}-reconciler`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    dataConverter: testProtection.dataConverter,
    activities,
    // The bundle's history watch reports every activation through a sink: heard and dropped here.
    sinks: noopCaseSinks,
  });
  const summary = await worker.runUntil(
    env.client.workflow.execute('readModelReconcilerWorkflow', { taskQueue, workflowId: `reconciler-${world.taskQueue}-${++runs}` }) as Promise<ReconcilerRunSummary>,
  );
  return { summary, steps };
}
