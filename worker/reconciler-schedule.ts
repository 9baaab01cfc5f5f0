import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import { durationMs } from '../domain/duration';
import { READ_MODEL_RECONCILER_SCHEDULE_ID, READ_MODEL_RECONCILER_WORKFLOW_ID } from '../domain/ids';

/** The workflow type the Schedule starts: the name exported by workflows/read-model-reconciler.workflow.ts. */
const READ_MODEL_RECONCILER_WORKFLOW = 'readModelReconcilerWorkflow';
/** The id of the reconciler's Schedule (domain/ids.ts). */
export const RECONCILER_SCHEDULE_ID = READ_MODEL_RECONCILER_SCHEDULE_ID;

/** What the Schedule looks like for this worker's configuration. */
export function reconcilerSchedule(taskQueue: string, every: string): { spec: ScheduleSpec; action: ScheduleOptionsAction } {
  return {
    spec: { intervals: [{ every: durationMs(every) }] },
    action: {
      type: 'startWorkflow',
      workflowType: READ_MODEL_RECONCILER_WORKFLOW,
      workflowId: READ_MODEL_RECONCILER_WORKFLOW_ID,
      taskQueue,
      args: [],
      workflowExecutionTimeout: '1 hour',
    },
  };
}

/**
 * Creates the reconciler's Schedule, or brings an existing one to this configuration (idempotent:
 * every worker does it at start), then triggers one run now. A run due while another still goes
 * on (one stuck retrying a database outage, say) waits for it (overlap BUFFER_ONE) instead of
 * being skipped; the trigger at start runs beside it.
 */
export async function ensureReconcilerSchedule(client: Client, taskQueue: string, every: string): Promise<'created' | 'updated'> {
  const { spec, action } = reconcilerSchedule(taskQueue, every);
  let outcome: 'created' | 'updated' = 'created';
  try {
    await client.schedule.create({ scheduleId: RECONCILER_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE } });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    outcome = 'updated';
    await client.schedule.getHandle(RECONCILER_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.BUFFER_ONE } }));
  }
  await client.schedule.getHandle(RECONCILER_SCHEDULE_ID).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  return outcome;
}
