import { CONFIG_ENV_NAMES } from '../../config/env';
import { workerNodeOptions } from '../../worker/node-options';
import type { ManagedProcess, ProcessGroup } from './managed-process';
import { startNodeService } from './node-service';

/** Entry files of our three Node services. */
export const APP_ENTRIES = {
  sandbox: 'sandbox/main.ts',
  worker: 'worker/main.ts',
  api: 'api/main.ts',
} as const;

/** Ports of one sandbox + worker + API set on 127.0.0.1. */
export interface AppPorts {
  api: number;
  sandbox: number;
  /** The worker serves /healthz and /metrics here (WORKER_METRICS_PORT). */
  workerMetrics: number;
}

/** URLs of the services listening on `ports`. */
export function appUrls(ports: AppPorts) {
  return {
    apiUrl: `http://127.0.0.1:${ports.api}`,
    webhooksUrl: `http://127.0.0.1:${ports.api}/v1/webhooks`,
    sandboxUrl: `http://127.0.0.1:${ports.sandbox}`,
    workerUrl: `http://127.0.0.1:${ports.workerMetrics}`,
  };
}

/**
 * The variables that wire the services to each other on 127.0.0.1: their ports,
 * the provider base URLs pointing at the sandbox, and the sandbox's callback URL
 * pointing at the API's webhooks.
 */
export function localWiringEnv(ports: AppPorts): Record<string, string> {
  const { sandboxUrl, webhooksUrl } = appUrls(ports);
  return {
    PORT: String(ports.api),
    SANDBOX_PORT: String(ports.sandbox),
    WORKER_METRICS_PORT: String(ports.workerMetrics),
    COURIER_BASE_URL: `${sandboxUrl}/courier`,
    PAYMENT_BASE_URL: `${sandboxUrl}/payment`,
    NOTIFICATION_BASE_URL: `${sandboxUrl}/notification`,
    INVENTORY_BASE_URL: `${sandboxUrl}/inventory`,
    ORDER_SOURCE_BASE_URL: `${sandboxUrl}/order-source`,
    SANDBOX_CALLBACK_URL: webhooksUrl,
  };
}

/** `env` without any configuration variable of config/env.ts (for an isolated stack). */
export function withoutConfigEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = new Set<string>(CONFIG_ENV_NAMES);
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.has(name)));
}

/** Starts the provider sandbox; ready when GET /healthz answers on `port`. */
export function startSandbox(group: ProcessGroup, env: NodeJS.ProcessEnv, port: number, name = 'sandbox'): Promise<ManagedProcess> {
  return startNodeService(group, { name, entry: APP_ENTRIES.sandbox, env, healthUrl: `http://127.0.0.1:${port}/healthz` });
}

/**
 * Starts a worker; ready when GET /healthz answers on its metrics port. It runs with the worker's
 * `--stack-trace-limit` (worker/node-options.ts) unless `env.NODE_OPTIONS` sets one.
 */
export function startWorker(group: ProcessGroup, env: NodeJS.ProcessEnv, metricsPort: number, name = 'worker'): Promise<ManagedProcess> {
  const workerEnv = { ...env, NODE_OPTIONS: workerNodeOptions(env.NODE_OPTIONS) };
  return startNodeService(group, { name, entry: APP_ENTRIES.worker, env: workerEnv, healthUrl: `http://127.0.0.1:${metricsPort}/healthz` });
}

/** Starts the HTTP API; ready when GET /readyz answers 200 on `port` (connected to Temporal and MongoDB, not just listening). */
export function startApi(group: ProcessGroup, env: NodeJS.ProcessEnv, port: number, name = 'api'): Promise<ManagedProcess> {
  return startNodeService(group, { name, entry: APP_ENTRIES.api, env, healthUrl: `http://127.0.0.1:${port}/readyz` });
}
