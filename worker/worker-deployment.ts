import type { WorkerDeploymentOptions } from '@temporalio/worker';

/**
 * The worker's Worker Versioning options: with WORKER_BUILD_ID set, it joins WORKER_DEPLOYMENT_NAME
 * as version `<name>.<build id>`; unset, it stays an unversioned worker (undefined).
 * Workflow types that say nothing AUTO_UPGRADE: a case lives for weeks, and a pinned one would keep
 * its build running as long (docs/workflow-versioning.md, "Worker Versioning"); each type's behaviour
 * is declared by VERSIONING_BEHAVIORS_MODULE.
 */
export function workerDeploymentOptions(config: { WORKER_DEPLOYMENT_NAME: string; WORKER_BUILD_ID?: string }): WorkerDeploymentOptions | undefined {
  if (!config.WORKER_BUILD_ID) return undefined;
  return {
    useWorkerVersioning: true,
    version: { deploymentName: config.WORKER_DEPLOYMENT_NAME, buildId: config.WORKER_BUILD_ID },
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}

/**
 * The workflow module that declares each workflow type's versioning behaviour; a versioned worker loads
 * it with its interceptor modules. Not in the workflows' own bundle: the server refuses a workflow task
 * that declares a behaviour from an unversioned worker.
 */
export const VERSIONING_BEHAVIORS_MODULE = require.resolve('../workflows/versioning-behaviors');

/** The worker's workflow modules, with the versioning behaviours when it is versioned. */
export function withVersioningBehaviors(modules: readonly string[], deployment: WorkerDeploymentOptions | undefined): string[] {
  return deployment?.useWorkerVersioning ? [...modules, VERSIONING_BEHAVIORS_MODULE] : [...modules];
}
