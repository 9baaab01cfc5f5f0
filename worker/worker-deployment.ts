import type { WorkerDeploymentOptions } from '@temporalio/worker';

/**
 * The worker's Worker Versioning options: with WORKER_BUILD_ID set, it joins WORKER_DEPLOYMENT_NAME
 * as version `<name>.<build id>`; unset, it stays an unversioned worker (undefined).
 * Workflow types that say nothing AUTO_UPGRADE: a case lives for weeks, and a pinned one would keep
 * its build running as long (docs/workflow-versioning.md, "Worker Versioning"); the reconciler says PINNED itself.
 */
export function workerDeploymentOptions(config: { WORKER_DEPLOYMENT_NAME: string; WORKER_BUILD_ID?: string }): WorkerDeploymentOptions | undefined {
  if (!config.WORKER_BUILD_ID) return undefined;
  return {
    useWorkerVersioning: true,
    version: { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: config.WORKER_BUILD_ID },
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}
