import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the global setup writes the running integration stack, for test files and extra apps. Each
 * Jest run gets its own file (named after the Jest parent process, which the test workers inherit
 * through AFTERSALES_IT_STACK_FILE), so two runs on one machine never read each other's stack.
 */
export const STACK_FILE = process.env.AFTERSALES_IT_STACK_FILE ?? path.join(os.tmpdir(), `aftersales-it-stack-${process.pid}.json`);

/** The integration stack started by global-setup.ts: real child processes on free ports. */
export interface IntegrationStack {
  /** Base URL of the main API (`http://127.0.0.1:<port>`). */
  apiUrl: string;
  /** Base URL of the provider sandbox (`/outbox`, `/ledger`, `/faults`, …). */
  sandboxUrl: string;
  /** Worker /healthz and /metrics base URL. */
  workerUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  taskQueue: string;
  mongoUri: string;
  mongoDb: string;
  /** Absolute path of the bearer-token file the API reads. */
  tokensFile: string;
  /** HMAC secret of the payment service's callbacks (PAYMENT_WEBHOOK_SECRET), shared by the sandbox and the API. */
  paymentWebhookSecret: string;
  /** HMAC secret of the courier's callbacks (COURIER_WEBHOOK_SECRET), shared by the sandbox and the API. */
  courierWebhookSecret: string;
  /** Temp directory of this run (Temporal SQLite file, FerretDB data, logs/). */
  dir: string;
  /** One `<name>.log` per child process. */
  logDir: string;
  /** The configuration variables (config/env.ts names) given to the sandbox, worker and API. */
  configEnv: Record<string, string>;
}

/** Environment variables the global setup exports to the test processes. */
export const STACK_ENV = {
  apiUrl: 'AFTERSALES_IT_API_URL',
  sandboxUrl: 'AFTERSALES_IT_SANDBOX_URL',
  temporalAddress: 'AFTERSALES_IT_TEMPORAL_ADDRESS',
  mongoUri: 'AFTERSALES_IT_MONGODB_URI',
  tokensFile: 'AFTERSALES_IT_TOKENS_FILE',
  paymentWebhookSecret: 'AFTERSALES_IT_PAYMENT_WEBHOOK_SECRET',
  courierWebhookSecret: 'AFTERSALES_IT_COURIER_WEBHOOK_SECRET',
} as const;

/** Reads the running stack; fails clearly when the integration global setup did not run. */
export function readIntegrationStack(): IntegrationStack {
  let text: string;
  try {
    text = fs.readFileSync(STACK_FILE, 'utf8');
  } catch {
    throw new Error(`${STACK_FILE} not found: integration tests run under \`jest --selectProjects integration\`, whose global setup starts the stack`);
  }
  return JSON.parse(text) as IntegrationStack;
}
