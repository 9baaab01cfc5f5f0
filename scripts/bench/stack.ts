import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newKeyringJson } from '../../codec/master-keys';
import { localWiringEnv, startApi, startSandbox, startWorker, withoutConfigEnv } from '../stack/app-services';
import { startFerretDb } from '../stack/ferretdb-server';
import { ProcessGroup, type ManagedProcess } from '../stack/managed-process';
import { REPO_ROOT } from '../stack/paths';
import { freePorts, onFreePort } from '../stack/ports';
import { startTemporalDevServer } from '../stack/temporal-server';
import { startNodeService } from '../stack/node-service';
import { leafProcess } from './process-memory';

/** Delay between sandbox tracking events and before a refund settles (as in the integration tests). */
export const BENCH_SANDBOX_DELAY_MS = 200;

/** Bearer tokens of the bench stack: many agents, so that each simulated client has its own rate-limit window. */
export interface BenchTokens {
  /** Agent tokens, one per simulated client (the API limits each token to 600 requests a minute). */
  agents: string[];
  /** Warehouse agent (inspections). */
  warehouse: string;
  supervisor: string;
  /** Customer c-1 (owner commands of the history benchmark). */
  customer: string;
}

/** A worker + API pair of the bench stack. */
export interface BenchApp {
  name: string;
  apiUrl: string;
  workerUrl: string;
  taskQueue: string;
  /** Absent when started without a worker. */
  worker?: ManagedProcess;
  /** Absent when started without an API. */
  api?: ManagedProcess;
  /** Stops the worker and the API. */
  stop(): Promise<void>;
}

/** The running bench stack: Temporal, FerretDB, sandbox, the main worker + API, in a temp dir. */
export interface BenchStack {
  dir: string;
  logDir: string;
  temporalAddress: string;
  namespace: string;
  mongoUri: string;
  mongoDb: string;
  sandboxUrl: string;
  tokens: BenchTokens;
  main: BenchApp;
  group: ProcessGroup;
  /** The configuration variables every service of the stack gets. */
  configEnv: Record<string, string>;
  /** Starts another worker + API on its own task queue (and optionally its own policy file or database). */
  /** `env`: configuration of this app's own on top of the stack's (a provider, say). */
  startApp(options: { name: string; taskQueue: string; policy?: unknown; mongoDb?: string; withWorker?: boolean; withApi?: boolean; env?: Record<string, string> }): Promise<BenchApp>;
  /** Starts one of the bench's own Node processes (e.g. the trivial-workflow worker). */
  startService(name: string, entry: string, env: Record<string, string>, healthUrl: string): Promise<ManagedProcess>;
  /** The real process (deepest descendant of its supervisor) of a running child by name, or -1. */
  leafPid(name: string): number;
  stop(): Promise<void>;
}

const AGENT_TOKENS = 64;

/**
 * Starts a fresh, isolated stack on free ports of 127.0.0.1 in a new temp dir, the way the
 * integration tests do: Temporal dev server (headless, SQLite file), FerretDB, sandbox,
 * worker, API. Children log to files in <dir>/logs.
 */
export async function startBenchStack(say: (line: string) => void): Promise<BenchStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-bench-'));
  const logDir = path.join(dir, 'logs');
  const group = new ProcessGroup({ kind: 'files', dir: logDir });
  const apps: BenchApp[] = [];
  try {
    const namespace = 'default';
    say(`temp dir ${dir}`);
    const temporal = await onFreePort((port) => startTemporalDevServer(group, { port, dbFile: path.join(dir, 'temporal.sqlite'), namespace }));
    say(`Temporal dev server on ${temporal.address}`);
    const mongo = await onFreePort((port) => startFerretDb(group, { port, dataDir: path.join(dir, 'ferretdb') }));
    say(`FerretDB on ${mongo.uri}`);

    const tokens = writeTokens(path.join(dir, 'tokens.json'));
    const [sandboxPort] = await freePorts(1);
    const configEnv: Record<string, string> = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: 'aftersales',
      MONGODB_URI: mongo.uri,
      MONGODB_DB: 'aftersales',
      API_TOKENS_FILE: path.join(dir, 'tokens.json'),
      PAYMENT_WEBHOOK_SECRET: `bench-pay-${randomBytes(16).toString('hex')}`,
      COURIER_WEBHOOK_SECRET: `bench-courier-${randomBytes(16).toString('hex')}`,
      PAYLOAD_KEYS: newKeyringJson('bench-1'),
      // warn: the children's output is piped through this process; a line per request would load it.
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      SANDBOX_TRACKING_STEP_MS: String(BENCH_SANDBOX_DELAY_MS),
      SANDBOX_SETTLE_MS: String(BENCH_SANDBOX_DELAY_MS),
    };
    // The main API's port is fixed before the sandbox starts: the sandbox posts its callbacks there.
    const [apiPort, workerPort] = await freePorts(2);
    const wiring = localWiringEnv({ api: apiPort, sandbox: sandboxPort, workerMetrics: workerPort });
    const baseEnv = { ...withoutConfigEnv(process.env), ...configEnv, ...wiring };
    await startSandbox(group, baseEnv, sandboxPort);
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    say(`sandbox on ${sandboxUrl}`);

    const startApp: BenchStack['startApp'] = async (options) => {
      const env: NodeJS.ProcessEnv = { ...baseEnv, ...options.env, TEMPORAL_TASK_QUEUE: options.taskQueue };
      if (options.mongoDb) env.MONGODB_DB = options.mongoDb;
      if (options.policy !== undefined) {
        const file = path.join(dir, `policy-${options.name}.json`);
        fs.writeFileSync(file, JSON.stringify(options.policy, null, 2));
        env.POLICY_FILE = file;
      }
      const isMain = options.name === 'main';
      const [api, metrics] = isMain ? [apiPort, workerPort] : await freePorts(2);
      const appEnv = { ...env, PORT: String(api), WORKER_METRICS_PORT: String(metrics) };
      const worker =
        options.withWorker === false ? undefined : await startWorker(group, appEnv, metrics, isMain ? 'worker' : `worker-${options.name}`);
      // BENCH_API_CPU_PROFILE_DIR: each API process writes a CPU profile there when the stack stops (scripts/bench/cpu-profile.cjs).
      const profileDir = process.env.BENCH_API_CPU_PROFILE_DIR;
      const apiEnv = profileDir
        ? { ...appEnv, BENCH_CPU_PROFILE_DIR: path.resolve(profileDir), NODE_OPTIONS: `--require ${path.join(REPO_ROOT, 'scripts', 'bench', 'cpu-profile.cjs')}` }
        : appEnv;
      const apiProcess = options.withApi === false ? undefined : await startApi(group, apiEnv, api, isMain ? 'api' : `api-${options.name}`);
      const app: BenchApp = {
        name: options.name,
        apiUrl: `http://127.0.0.1:${api}`,
        workerUrl: `http://127.0.0.1:${metrics}`,
        taskQueue: options.taskQueue,
        worker,
        api: apiProcess,
        stop: async () => {
          await apiProcess?.stop();
          await worker?.stop();
        },
      };
      apps.push(app);
      return app;
    };

    const main = await startApp({ name: 'main', taskQueue: 'aftersales' });
    say(`worker and API on ${main.apiUrl}`);

    return {
      dir,
      logDir,
      temporalAddress: temporal.address,
      namespace,
      mongoUri: mongo.uri,
      mongoDb: configEnv.MONGODB_DB,
      sandboxUrl,
      tokens,
      main,
      group,
      configEnv,
      startApp,
      startService: (name, entry, env, healthUrl) =>
        startNodeService(group, { name, entry: path.resolve(REPO_ROOT, entry), env: { ...baseEnv, ...env }, healthUrl }),
      leafPid: (name) => {
        const child = group.list().find((c) => c.name === name && c.running);
        return child ? leafProcess(child.pid) : -1;
      },
      stop: async () => {
        await group.stopAll();
        if (process.env.BENCH_KEEP === '1') say(`kept ${dir} (BENCH_KEEP=1)`);
        else fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await group.stopAll();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`bench stack failed to start: ${message}\n(logs of every child in ${logDir})`);
  }
}

function writeTokens(file: string): BenchTokens {
  const agents = Array.from({ length: AGENT_TOKENS }, (_, i) => `bench-agent-${String(i).padStart(2, '0')}-${randomBytes(6).toString('hex')}`);
  const tokens = {
    agents,
    warehouse: `bench-warehouse-${randomBytes(6).toString('hex')}`,
    supervisor: `bench-supervisor-${randomBytes(6).toString('hex')}`,
    customer: `bench-customer-c1-${randomBytes(6).toString('hex')}`,
  };
  const entries = [
    ...agents.map((token, i) => ({ token, role: 'agent', name: `bench.agent${i}` })),
    { token: tokens.warehouse, role: 'agent', name: 'bench.warehouse' },
    { token: tokens.supervisor, role: 'supervisor', name: 'bench.supervisor' },
    { token: tokens.customer, role: 'customer', customerId: 'c-1' },
  ];
  fs.writeFileSync(file, JSON.stringify({ tokens: entries }, null, 2));
  return tokens;
}
