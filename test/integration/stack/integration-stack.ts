import { randomBytes } from 'node:crypto';
import { newKeyringJson } from '../../../codec/master-keys';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appUrls, localWiringEnv, startApi, startSandbox, startWorker, withoutConfigEnv } from '../../../scripts/stack/app-services';
import { startFerretDb } from '../../../scripts/stack/ferretdb-server';
import { ProcessGroup, type OutputMode } from '../../../scripts/stack/managed-process';
import { REPO_ROOT } from '../../../scripts/stack/paths';
import { freePort, freePorts, onFreePort } from '../../../scripts/stack/ports';
import { startTemporalDevServer } from '../../../scripts/stack/temporal-server';
import type { IntegrationStack } from './stack-file';

/** Delay between sandbox tracking events and before refund settlement in tests. */
export const IT_SANDBOX_DELAY_MS = 200;

/** Where children's output goes: log files, or our console with AFTERSALES_IT_VERBOSE=1. */
export function integrationOutput(logDir: string): OutputMode {
  return process.env.AFTERSALES_IT_VERBOSE === '1' ? { kind: 'console' } : { kind: 'files', dir: logDir };
}

/**
 * Starts a fresh, isolated stack in a new temp dir on free ports: Temporal dev
 * server (headless, SQLite file in the dir), FerretDB, sandbox, worker and API.
 * Configuration variables of the parent environment are not passed on, so a
 * TEMPORAL_ADDRESS or MONGODB_URI in the developer's shell never reaches the tests.
 */
export async function startIntegrationStack(): Promise<{ stack: IntegrationStack; group: ProcessGroup }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-it-'));
  const logDir = path.join(dir, 'logs');
  const group = new ProcessGroup(integrationOutput(logDir));
  try {
    const namespace = 'default';
    // With its Web UI: the browser test opens cases there and decodes them through the API's codec endpoint.
    const uiPort = await freePort();
    const temporal = await onFreePort((port) => startTemporalDevServer(group, { port, uiPort, dbFile: path.join(dir, 'temporal.sqlite'), namespace }));
    const mongo = await onFreePort((port) => startFerretDb(group, { port, dataDir: path.join(dir, 'ferretdb') }));

    // Allocated after the servers are up: the dev server grabs random ports of its own at start.
    const [api, sandbox, workerMetrics] = await freePorts(3);
    const ports = { api, sandbox, workerMetrics };
    const configEnv: Record<string, string> = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: 'aftersales',
      MONGODB_URI: mongo.uri,
      MONGODB_DB: 'aftersales',
      API_TOKENS_FILE: path.join(REPO_ROOT, 'config', 'dev-tokens.json'),
      // One secret per provider, as in production: a courier's secret never settles money.
      PAYMENT_WEBHOOK_SECRET: `it-pay-${randomBytes(16).toString('hex')}`,
      COURIER_WEBHOOK_SECRET: `it-courier-${randomBytes(16).toString('hex')}`,
      PAYLOAD_KEYS: newKeyringJson('it-1'),
      TEMPORAL_UI_URL: temporal.uiUrl ?? `http://localhost:${uiPort}`,
      LOG_LEVEL: process.env.AFTERSALES_IT_LOG_LEVEL ?? 'info',
      SANDBOX_TRACKING_STEP_MS: String(IT_SANDBOX_DELAY_MS),
      SANDBOX_SETTLE_MS: String(IT_SANDBOX_DELAY_MS),
      ...localWiringEnv(ports),
    };
    const env = { ...withoutConfigEnv(process.env), ...configEnv };
    await startSandbox(group, env, ports.sandbox);
    await startWorker(group, env, ports.workerMetrics);
    await startApi(group, env, ports.api);

    const urls = appUrls(ports);
    const stack: IntegrationStack = {
      apiUrl: urls.apiUrl,
      sandboxUrl: urls.sandboxUrl,
      workerUrl: urls.workerUrl,
      temporalAddress: temporal.address,
      temporalNamespace: namespace,
      taskQueue: configEnv.TEMPORAL_TASK_QUEUE,
      mongoUri: mongo.uri,
      mongoDb: configEnv.MONGODB_DB,
      tokensFile: configEnv.API_TOKENS_FILE,
      paymentWebhookSecret: configEnv.PAYMENT_WEBHOOK_SECRET,
      courierWebhookSecret: configEnv.COURIER_WEBHOOK_SECRET,
      dir,
      logDir,
      configEnv,
    };
    return { stack, group };
  } catch (error) {
    await group.stopAll();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`integration stack failed to start: ${message}\n(logs of every child in ${logDir})`);
  }
}
