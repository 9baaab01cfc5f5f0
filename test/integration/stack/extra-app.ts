import path from 'node:path';
import { startApi, startWorker, withoutConfigEnv } from '../../../scripts/stack/app-services';
import { ProcessGroup } from '../../../scripts/stack/managed-process';
import { REPO_ROOT } from '../../../scripts/stack/paths';
import { onFreePort } from '../../../scripts/stack/ports';
import { integrationOutput } from './integration-stack';
import { readIntegrationStack } from './stack-file';

/** Options of an additional worker + API pair. */
export interface ExtraAppOptions {
  /** Policy document for both processes (e.g. SLA budgets of seconds); relative to the repo root or absolute. */
  policyFile: string;
  /** Task queue of this pair, so that its cases run on its own worker with its policy. */
  taskQueue: string;
  /** False: start the API only, so that nothing polls the task queue until `startWorker()` (default true). */
  worker?: boolean;
}

/** A running extra worker + API pair. */
export interface ExtraApp {
  /** Base URL of the extra API (`http://127.0.0.1:<port>`). */
  apiUrl: string;
  /** Starts the worker of this pair (when it was started without one); resolves once it is healthy. */
  startWorker(): Promise<void>;
  /** Stops the worker and the API (SIGTERM, SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/**
 * Starts another worker and API as child processes against the integration
 * stack's Temporal, FerretDB and sandbox, on their own task queue and policy.
 * Provider callbacks still arrive through the main API's webhooks, which signal
 * the case workflow wherever it runs. Call `stop()` in afterAll.
 */
export async function startExtraApp(options: ExtraAppOptions): Promise<ExtraApp> {
  const stack = readIntegrationStack();
  const label = options.taskQueue.replace(/[^A-Za-z0-9_.-]/g, '_');
  const group = new ProcessGroup(integrationOutput(stack.logDir));
  const env: NodeJS.ProcessEnv = {
    ...withoutConfigEnv(process.env),
    ...stack.configEnv,
    TEMPORAL_TASK_QUEUE: options.taskQueue,
    POLICY_FILE: path.resolve(REPO_ROOT, options.policyFile),
  };
  const worker = async (): Promise<void> => {
    await onFreePort((port) => startWorker(group, { ...env, WORKER_METRICS_PORT: String(port) }, port, `worker-${label}`));
  };
  try {
    if (options.worker !== false) await worker();
    const apiPort = await onFreePort(async (port) => {
      await startApi(group, { ...env, PORT: String(port) }, port, `api-${label}`);
      return port;
    });
    return { apiUrl: `http://127.0.0.1:${apiPort}`, startWorker: worker, stop: () => group.stopAll() };
  } catch (error) {
    await group.stopAll();
    throw error;
  }
}
