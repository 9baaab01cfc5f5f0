import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { appUrls, localWiringEnv, startApi, startSandbox, startWorker, withoutConfigEnv, type AppPorts } from '../../../scripts/stack/app-services';
import { startFerretDb } from '../../../scripts/stack/ferretdb-server';
import { ProcessGroup, type ManagedProcess } from '../../../scripts/stack/managed-process';
import { freePort, freePorts } from '../../../scripts/stack/ports';
import { TemporalCluster } from '../../../scripts/stack/temporal-cluster';
import { startTemporalDevServer } from '../../../scripts/stack/temporal-server';
import { httpOk, waitUntilReady } from '../../../scripts/stack/wait';
import type { CaseDocument } from '../../../store/case-document.mapper';
import { newKeyringJson } from '../../../codec/master-keys';
import { connectEncryptedClient } from '../../../scripts/stack/encrypted-client';
import { CallbackTap } from './callback-tap';
import { writeTokensFile, type StackTokens } from './tokens';

// A private stack for one reliability test file: Temporal dev server (SQLite file), FerretDB,
// sandbox, worker and API as child processes in a temp dir, on free ports. Unlike the
// integration stack it can kill, stop and start each child again with the same ports, env
// and data, which is what the scenarios are about.

/** The children of a stack, in start order; `worker-<n>` and `api-<n>` are extra ones (`addWorker`, `addApi`). */
export type ServiceName = 'temporal' | 'ferretdb' | 'sandbox' | 'worker' | 'api' | ExtraWorker | ExtraApi;
/** An extra worker on the stack's task queue. */
export type ExtraWorker = `worker-${number}`;
/** An extra API process on its own port. */
export type ExtraApi = `api-${number}`;
const START_ORDER: readonly ServiceName[] = ['temporal', 'ferretdb', 'sandbox', 'worker', 'api'];

/** What a test file wants of its stack. */
export interface ReliabilityStackOptions {
  /** Short label: the temp dir prefix and the log header. */
  label: string;
  /** Policy document written to `<dir>/policy.json` and given to worker and API (POLICY_FILE). */
  policy?: Record<string, unknown>;
  /** Route the sandbox's callbacks through an in-process tap that records them (`stack.tap`). */
  tapCallbacks?: boolean;
  /** Extra configuration variables (e.g. PROVIDER_TIMEOUT_MS, SANDBOX_TRACKING_STEP_MS). */
  env?: Record<string, string>;
  /** `cluster`: a Temporal cluster on PostgreSQL (four services, `stack.cluster`) instead of the dev server. */
  temporal?: 'dev-server' | 'cluster';
}

/** One child the stack can start again: how, and the process currently running (if any). */
interface Service {
  start: () => Promise<ManagedProcess>;
  current?: ManagedProcess;
}

/** Delay between sandbox tracking events and before a refund settles (ms), unless a file sets its own. */
export const RELIABILITY_SANDBOX_DELAY_MS = 200;

export class ReliabilityStack {
  private readonly services = new Map<ServiceName, Service>();
  private temporalClient?: { client: Client; close(): Promise<void> };
  private mongoClient?: MongoClient;
  private readonly unexpectedExits: string[] = [];
  private readonly extraApiPorts = new Map<ExtraApi, number>();
  private closed = false;
  /** The Temporal cluster, when the options asked for one (`temporal: 'cluster'`); the stack has no `temporal` child then. */
  cluster?: TemporalCluster;

  private constructor(
    readonly label: string,
    readonly dir: string,
    readonly logDir: string,
    private readonly group: ProcessGroup,
    readonly ports: AppPorts & { temporal: number; ferretdb: number },
    readonly configEnv: Record<string, string>,
    readonly tokens: StackTokens,
    readonly tap: CallbackTap | undefined,
    /** The environment every app child starts with. */
    private readonly env: NodeJS.ProcessEnv,
  ) {
    group.onUnexpectedExit((child) => {
      const line = `${child.name} died on its own (${child.describeExit()}); see ${path.join(logDir, `${child.name}.log`)}`;
      this.unexpectedExits.push(line);
      process.stderr.write(`reliability stack ${label}: ${line}\n`);
    });
  }

  /** Starts every child in a new temp dir; on failure stops what started and says where the logs are. */
  static async start(options: ReliabilityStackOptions): Promise<ReliabilityStack> {
    const started = Date.now();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `aftersales-rel-${options.label}-`));
    const logDir = path.join(dir, 'logs');
    const group = new ProcessGroup({ kind: 'files', dir: logDir });
    let tap: CallbackTap | undefined;
    try {
      const [devServerPort, ferretdbPort] = await freePorts(2);
      const temporalDb = path.join(dir, 'temporal.sqlite');
      const ferretDir = path.join(dir, 'ferretdb');
      // The dev server grabs ports of its own at start: our other ports are allocated once it listens.
      const startTemporal = async () => (await startTemporalDevServer(group, { port: devServerPort, dbFile: temporalDb, namespace: 'default' })).process!;
      const cluster = options.temporal === 'cluster' ? await TemporalCluster.start(group, { dir: path.join(dir, 'temporal-cluster') }) : undefined;
      const temporalProcess = cluster ? undefined : await startTemporal();
      const temporalPort = cluster ? cluster.ports.frontend.grpc : devServerPort;
      const startFerret = async () => (await startFerretDb(group, { port: ferretdbPort, dataDir: ferretDir })).process!;
      const ferretProcess = await startFerret();

      const [api, sandbox, workerMetrics] = await freePorts(3);
      const ports = { api, sandbox, workerMetrics, temporal: temporalPort, ferretdb: ferretdbPort };
      const urls = appUrls(ports);
      if (options.tapCallbacks) tap = await CallbackTap.start(urls.webhooksUrl);

      const tokens = writeTokensFile(path.join(dir, 'tokens.json'));
      const reliabilitySecret = `rel-${randomBytes(16).toString('hex')}`;
      const configEnv: Record<string, string> = {
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TASK_QUEUE: 'aftersales',
        MONGODB_URI: `mongodb://127.0.0.1:${ferretdbPort}/`,
        MONGODB_DB: 'aftersales',
        API_TOKENS_FILE: tokens.file,
        // The reliability tests sign payment and courier callbacks alike with `webhookSecret`: both providers get it here.
        PAYMENT_WEBHOOK_SECRET: reliabilitySecret,
        COURIER_WEBHOOK_SECRET: reliabilitySecret,
        PAYLOAD_KEYS: newKeyringJson('rel-1'),
        LOG_LEVEL: process.env.AFTERSALES_REL_LOG_LEVEL ?? 'info',
        SANDBOX_TRACKING_STEP_MS: String(RELIABILITY_SANDBOX_DELAY_MS),
        SANDBOX_SETTLE_MS: String(RELIABILITY_SANDBOX_DELAY_MS),
        ...localWiringEnv(ports),
        ...(tap ? { SANDBOX_CALLBACK_URL: tap.url } : {}),
        ...(options.policy ? { POLICY_FILE: writePolicy(dir, options.policy) } : {}),
        ...options.env,
      };
      const env = { ...withoutConfigEnv(process.env), ...configEnv };

      const stack = new ReliabilityStack(options.label, dir, logDir, group, ports, configEnv, tokens, tap, env);
      stack.cluster = cluster;
      if (temporalProcess) stack.services.set('temporal', { start: startTemporal, current: temporalProcess });
      stack.services.set('ferretdb', { start: startFerret, current: ferretProcess });
      stack.services.set('sandbox', { start: () => startSandbox(group, env, sandbox) });
      stack.services.set('worker', { start: () => startWorker(group, env, workerMetrics) });
      stack.services.set('api', { start: () => startApi(group, env, api) });
      for (const name of ['sandbox', 'worker', 'api'] as const) await stack.start(name);
      await stack.waitReady();
      process.stdout.write(`reliability stack ${options.label} up in ${Date.now() - started} ms (API ${urls.apiUrl}, logs in ${logDir})\n`);
      return stack;
    } catch (error) {
      await group.stopAll(2000);
      await tap?.close();
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`reliability stack ${options.label} failed to start: ${message}\n(logs of every child in ${logDir})`);
    }
  }

  get apiUrl(): string {
    return appUrls(this.ports).apiUrl;
  }

  /** Base URL of the stack's API (`api`) or of an extra one. */
  apiUrlOf(name: 'api' | ExtraApi): string {
    if (name === 'api') return this.apiUrl;
    const port = this.extraApiPorts.get(name);
    if (port === undefined) throw new Error(`no ${name} in stack ${this.label} (addApi first)`);
    return `http://127.0.0.1:${port}`;
  }

  /**
   * Starts another worker on the stack's task queue (its /healthz and /metrics on a port of its own);
   * resolves once it is healthy. Kill, stop and start it by its name like any child. `env` overrides
   * variables for this worker only (e.g. WORKER_BUILD_ID: another build of the same deployment).
   */
  async addWorker(name: ExtraWorker, env: Record<string, string> = {}): Promise<void> {
    if (this.services.has(name)) throw new Error(`${name} already exists in stack ${this.label}`);
    const port = await freePort();
    const workerEnv = { ...this.env, ...env, WORKER_METRICS_PORT: String(port) };
    this.services.set(name, { start: () => startWorker(this.group, workerEnv, port, name) });
    await this.start(name);
  }

  /**
   * Starts another API process on a port of its own, with the same tokens, policy file and
   * wiring; resolves once it is ready. Provider callbacks still go to the first API's webhooks.
   */
  async addApi(name: ExtraApi): Promise<void> {
    if (this.services.has(name)) throw new Error(`${name} already exists in stack ${this.label}`);
    const port = await freePort();
    const env = { ...this.env, PORT: String(port) };
    this.extraApiPorts.set(name, port);
    this.services.set(name, { start: () => startApi(this.group, env, port, name) });
    await this.start(name);
  }

  get sandboxUrl(): string {
    return appUrls(this.ports).sandboxUrl;
  }

  get webhookSecret(): string {
    return this.configEnv.PAYMENT_WEBHOOK_SECRET;
  }

  /** Children that died without being asked to, for failure messages. */
  get deaths(): readonly string[] {
    return this.unexpectedExits;
  }

  /** The running process of a child; fails when it is not running. */
  process(name: ServiceName): ManagedProcess {
    const current = this.services.get(name)?.current;
    if (!current?.running) throw new Error(`${name} is not running in stack ${this.label}`);
    return current;
  }

  /** Starts a child again with the same env, ports and data; resolves once it is ready. */
  async start(name: ServiceName): Promise<void> {
    const service = this.service(name);
    if (service.current?.running) throw new Error(`${name} is already running (pid ${service.current.pid})`);
    service.current = await service.start();
  }

  /** kill -9 of the child and everything it forked; resolves once it is gone. */
  async kill(name: ServiceName): Promise<void> {
    const current = this.service(name).current;
    if (!current?.running) return;
    current.killNow();
    await current.exited;
  }

  /** SIGTERM (SIGKILL after `graceMs`); resolves once the child has exited. */
  async stop(name: ServiceName, graceMs = 10_000): Promise<void> {
    await this.service(name).current?.stop(graceMs);
  }

  /** Stops (or kills, with `hard`) a child and starts it again with the same env, ports and data. */
  async restart(name: ServiceName, how: { hard: boolean; downMs?: number } = { hard: false }): Promise<void> {
    if (how.hard) await this.kill(name);
    else await this.stop(name);
    if (how.downMs) await new Promise((resolve) => setTimeout(resolve, how.downMs));
    await this.start(name);
  }

  /** Resolves once the API's /readyz says Temporal and MongoDB both answer. */
  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitUntilReady(`API readiness (${this.apiUrl}/readyz)`, httpOk(`${this.apiUrl}/readyz`), { timeoutMs, intervalMs: 250 });
  }

  /** A Temporal client of the stack's server (one per stack; closed with the stack). */
  async temporal(): Promise<Client> {
    // Encrypting and decrypting like the worker and the API: the stack's keys.
    this.temporalClient ??= await connectEncryptedClient({
      temporalAddress: this.configEnv.TEMPORAL_ADDRESS,
      namespace: this.configEnv.TEMPORAL_NAMESPACE,
      mongoUri: this.configEnv.MONGODB_URI,
      mongoDb: this.configEnv.MONGODB_DB,
      payloadKeys: this.configEnv.PAYLOAD_KEYS,
    });
    return this.temporalClient.client;
  }

  /** A MongoDB client of the stack's FerretDB, for reading the read model directly. */
  async mongo(): Promise<MongoClient> {
    if (!this.mongoClient) {
      this.mongoClient = new MongoClient(this.configEnv.MONGODB_URI, { serverSelectionTimeoutMS: 3000 });
      await this.mongoClient.connect();
    }
    return this.mongoClient;
  }

  /** The read model's `cases` collection. */
  async casesCollection() {
    return (await this.mongo()).db(this.configEnv.MONGODB_DB).collection<CaseDocument>('cases');
  }

  /** Stops every child (API first), closes the clients and the tap, removes the temp dir (kept with AFTERSALES_REL_KEEP=1). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mongoClient?.close().catch(() => undefined);
    await this.temporalClient?.close().catch(() => undefined);
    await this.group.stopAll(5000);
    await this.tap?.close();
    const survivors = this.group.list().filter((child) => child.running);
    if (survivors.length) process.stderr.write(`reliability stack ${this.label}: still running after stop: ${survivors.map((c) => `${c.name} (${c.pid})`).join(', ')}\n`);
    if (process.env.AFTERSALES_REL_KEEP === '1') {
      process.stdout.write(`reliability stack ${this.label}: kept ${this.dir} (AFTERSALES_REL_KEEP=1)\n`);
    } else {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }

  /** Pids of every child process this stack ever started (running or not). */
  pids(): number[] {
    return this.group.list().map((child) => child.pid);
  }

  private service(name: ServiceName): Service {
    const service = this.services.get(name);
    if (!service) throw new Error(`unknown service ${name} (known: ${[...new Set([...START_ORDER, ...this.services.keys()])].join(', ')})`);
    return service;
  }
}

function writePolicy(dir: string, policy: Record<string, unknown>): string {
  const file = path.join(dir, 'policy.json');
  fs.writeFileSync(file, `${JSON.stringify(policy, null, 2)}\n`);
  return file;
}

/** A free port (re-exported for files that need one of their own). */
export { freePort };
