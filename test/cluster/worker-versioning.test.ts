import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { decodeVersioningBehavior } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { TOOL_PATHS } from '../../scripts/stack/paths';
import { caseWorkflowId } from '../../domain/ids';
import type { readModelReconcilerWorkflow } from '../../workflows/read-model-reconciler.workflow';
import { eventually } from '../integration/support/http-client';
import { ReliabilityStack } from '../reliability/support/reliability-stack';
import { ReturnCases } from '../reliability/support/return-cases';

// Worker Versioning on the four-process cluster (docs/workflow-versioning.md, "Worker Versioning"):
// two builds of the worker, `a` and `b`, of one Worker Deployment side by side, switched the way a
// release does it, with the CLI. Case workflows are AUTO_UPGRADE, the reconciler is PINNED.

const DEPLOYMENT = 'aftersales';
const execFileAsync = promisify(execFile);

let stack: ReliabilityStack;
let cases: ReturnCases;

beforeAll(async () => {
  stack = await ReliabilityStack.start({ label: 'versioning', temporal: 'cluster', env: { WORKER_BUILD_ID: 'a' } });
  cases = new ReturnCases(stack, 'WV');
}, 240_000);

afterAll(async () => {
  cases?.stop();
  await stack?.close();
});

const say = (line: string) => process.stdout.write(`[versioning] ${line}\n`);

/** `temporal worker deployment <args>` against the cluster's frontend; stdout, or the CLI's own error. */
async function deploymentCli(...args: string[]): Promise<string> {
  const connection = ['--address', stack.cluster!.address, '--namespace', stack.cluster!.namespace];
  try {
    const { stdout } = await execFileAsync(TOOL_PATHS.temporal, ['worker', 'deployment', ...args, ...connection], { timeout: 30_000 });
    return stdout;
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`temporal worker deployment ${args.join(' ')} failed: ${stderr || stdout || String(error)}`);
  }
}

/** Makes `buildId` the current version, as the release does; retried until the build's pollers have registered it. */
async function setCurrent(buildId: string): Promise<number> {
  await eventually(`build ${buildId} set as the current version of ${DEPLOYMENT}`, async () => {
    await deploymentCli('set-current-version', '--deployment-name', DEPLOYMENT, '--build-id', buildId, '--yes');
    return true;
  }, { timeoutMs: 60_000, intervalMs: 1000 });
  const switchedAt = Date.now();
  const { workerDeploymentInfo } = await (await stack.temporal()).workflowService.describeWorkerDeployment({ namespace: stack.cluster!.namespace, deploymentName: DEPLOYMENT });
  const current = workerDeploymentInfo?.routingConfig?.currentDeploymentVersion?.buildId;
  if (current !== buildId) throw new Error(`after set-current-version ${buildId}, the deployment's current build is ${String(current)}`);
  return switchedAt;
}

/** One completed workflow task: when, the build that completed it, the behaviour it declared and the worker (`pid@host`). */
interface TaskOnBuild {
  at: number;
  build: string;
  behavior: string;
  worker: string;
}

/** Every WorkflowTaskCompleted event of a workflow, with the deployment version that completed it. */
async function tasksByBuild(handle: WorkflowHandle): Promise<TaskOnBuild[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const completed = event.workflowTaskCompletedEventAttributes;
    if (!completed) return [];
    const version = completed.deploymentVersion;
    return [{
      at: tsToMs(event.eventTime),
      build: version ? `${version.deploymentName}.${version.buildId}` : '(unversioned)',
      behavior: decodeVersioningBehavior(completed.versioningBehavior) ?? '(none)',
      worker: completed.identity ?? '(no identity)',
    }];
  });
}

/** The workers (`pid@host`) that ran a workflow's activity attempts, without repeats. */
async function activityWorkers(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return [...new Set((history.events ?? []).flatMap((event) => (event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.identity ?? '(no identity)'] : [])))];
}

/** What the server says of a workflow's versioning now: `behavior on deployment.build`. */
async function versioningOf(handle: WorkflowHandle): Promise<string> {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  const version = info?.deploymentVersion;
  return `${decodeVersioningBehavior(info?.behavior) ?? '(no behavior)'} on ${version ? `${version.deploymentName}.${version.buildId}` : '(no version)'}`;
}

/** A version's status as the server names it, e.g. `WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING`. */
async function versionStatus(buildId: string): Promise<string> {
  const { workerDeploymentVersionInfo } = await (await stack.temporal()).workflowService.describeWorkerDeploymentVersion({
    namespace: stack.cluster!.namespace,
    deploymentVersion: { deploymentName: DEPLOYMENT, buildId },
  });
  return temporal.api.enums.v1.WorkerDeploymentVersionStatus[workerDeploymentVersionInfo?.status ?? 0];
}

const builds = (tasks: readonly TaskOnBuild[]) => tasks.map((t) => t.build).join(' → ');

test('two worker builds side by side: when build b becomes current, new cases start on b, a case started on a moves to b and completes, and a pinned reconciler run started on a finishes on a', async () => {
  const started = Date.now();
  await setCurrent('a');
  const onA = await cases.open(1);
  const caseOnA = (await stack.temporal()).workflow.getHandle(caseWorkflowId(onA.id));
  await cases.waitFor(onA, 'awaiting review', (s) => s.status === 'awaiting_review');
  expect(await versioningOf(caseOnA)).toBe(`AUTO_UPGRADE on ${DEPLOYMENT}.a`);

  // Build b starts beside a (a release's new workers); it takes no work until it is made current.
  await stack.addWorker('worker-2', { WORKER_BUILD_ID: 'b' });
  say(`cluster, build a current with one case, build b polling: ${Date.now() - started} ms`);

  // The reconciler run must still have workflow tasks to do after the switch: with the read model
  // down, its first activity fails and is retried (1 s, 2 s, 4 s…) until FerretDB is back.
  await stack.stop('ferretdb');
  const reconciler = await (await stack.temporal()).workflow.start<typeof readModelReconcilerWorkflow>('readModelReconcilerWorkflow', {
    taskQueue: stack.configEnv.TEMPORAL_TASK_QUEUE,
    workflowId: `versioning-reconciler-${Date.now()}`,
    args: [],
  });
  const pinned = await eventually('the reconciler run pinned to build a by its first workflow task', async () => {
    const versioning = await versioningOf(reconciler);
    return versioning.startsWith('PINNED') ? versioning : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200, explain: () => versioningOf(reconciler) });
  expect(pinned).toBe(`PINNED on ${DEPLOYMENT}.a`);

  const switchedAt = await setCurrent('b');
  say(`build b current ${switchedAt - started} ms into the test`);
  // Build a now only serves what is pinned to it: draining, until the server sees no open run pinned to it.
  expect({ a: await versionStatus('a'), b: await versionStatus('b') }).toEqual({ a: 'WORKER_DEPLOYMENT_VERSION_STATUS_DRAINING', b: 'WORKER_DEPLOYMENT_VERSION_STATUS_CURRENT' });
  await stack.start('ferretdb');
  await stack.waitReady();

  // (a) A new case starts on build b.
  const onB = await cases.open(2);
  const caseOnB = (await stack.temporal()).workflow.getHandle(caseWorkflowId(onB.id));
  await cases.waitFor(onB, 'awaiting review', (s) => s.status === 'awaiting_review');
  const newCaseTasks = await tasksByBuild(caseOnB);
  expect({ case: onB.id, builds: builds(newCaseTasks) }).toEqual({ case: onB.id, builds: newCaseTasks.map(() => `${DEPLOYMENT}.b`).join(' → ') });
  expect(newCaseTasks.length).toBeGreaterThan(0);

  // (b) The case started on a moves to b at its next workflow task and completes there.
  const done = await cases.driveToCompletion(onA, 120_000, 300);
  expect(done.status).toBe('completed');
  const movedTasks = await tasksByBuild(caseOnA);
  const firstOnB = movedTasks.findIndex((t) => t.build === `${DEPLOYMENT}.b`);
  say(`case started on a: ${builds(movedTasks)}`);
  if (firstOnB < 1) throw new Error(`the case started on a should have tasks on a, then on b; its workflow tasks ran on ${builds(movedTasks)}`);
  const expected = movedTasks.map((_, i) => (i < firstOnB ? `${DEPLOYMENT}.a` : `${DEPLOYMENT}.b`)).join(' → ');
  expect({ case: onA.id, builds: builds(movedTasks) }).toEqual({ case: onA.id, builds: expected });
  expect({ case: onA.id, otherBehaviors: movedTasks.filter((t) => t.behavior !== 'AUTO_UPGRADE') }).toEqual({ case: onA.id, otherBehaviors: [] });
  expect(await versioningOf(caseOnA)).toBe(`AUTO_UPGRADE on ${DEPLOYMENT}.b`);

  // (c) The pinned run finishes on a, with workflow tasks after b became current.
  const summary = await reconciler.result();
  const reconcilerTasks = await tasksByBuild(reconciler);
  const attempts = Math.max(...((await reconciler.fetchHistory()).events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0));
  say(`reconciler run: ${builds(reconcilerTasks)}; ${reconcilerTasks.filter((t) => t.at > switchedAt).length} of its tasks after the switch, the last ${reconcilerTasks.at(-1)!.at - switchedAt} ms after it; its first activity took ${attempts} attempts`);
  expect({ run: reconciler.workflowId, builds: builds(reconcilerTasks) }).toEqual({ run: reconciler.workflowId, builds: reconcilerTasks.map(() => `${DEPLOYMENT}.a`).join(' → ') });
  if (reconcilerTasks.at(-1)!.at <= switchedAt) throw new Error(`the reconciler run had no workflow task after build b became current (${builds(reconcilerTasks)}): the test proves nothing about pinning`);
  expect({ run: reconciler.workflowId, otherBehaviors: reconcilerTasks.filter((t) => t.behavior !== 'PINNED') }).toEqual({ run: reconciler.workflowId, otherBehaviors: [] });
  // Its activities too ran on the worker of build a, not on b's.
  const workerOfA = [...new Set(reconcilerTasks.map((t) => t.worker))];
  const workerOfB = [...new Set(newCaseTasks.map((t) => t.worker))];
  expect(workerOfA).not.toEqual(workerOfB);
  expect({ run: reconciler.workflowId, activitiesRanOn: await activityWorkers(reconciler) }).toEqual({ run: reconciler.workflowId, activitiesRanOn: workerOfA });
  expect(summary.failed).toBe(0);
  say(`the whole switch in ${Date.now() - started} ms`);
  expect(stack.deaths).toEqual([]);
});
