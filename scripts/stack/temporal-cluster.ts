import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { grpc } from '@temporalio/proto';
import YAML from 'yaml';
import { CASE_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import type { ManagedProcess, ProcessGroup } from './managed-process';
import { TOOL_PATHS } from './paths';
import { freePorts, isPortInUse } from './ports';
import { startPostgres, type PostgresEndpoint } from './postgres';
import { ensureSearchAttributes, type SearchAttributeSpec, type TemporalEndpoint } from './temporal-server';
import { waitUntilReady } from './wait';

// A Temporal cluster the way production runs one: frontend, history, matching and worker as four
// processes of our server build (tools/temporal-server), SQL persistence and SQL visibility on
// PostgreSQL, a static configuration file. The dev server (temporal-server.ts) is one process on
// SQLite; this one is what docs/deployment.md says was proven.

/** The four Temporal services, in start order. */
export const CLUSTER_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
/** One of the four Temporal services. */
export type ClusterService = (typeof CLUSTER_SERVICES)[number];

/** Options of a throwaway cluster. */
export interface TemporalClusterOptions {
  /** Directory for PostgreSQL's files and the configuration (created when missing). */
  dir: string;
  namespace?: string;
  /** Defaults to the case search attributes of domain/search-attributes.ts. */
  searchAttributes?: readonly SearchAttributeSpec[];
  /** Shards of the history service (production sizes it once, for good; 4 is plenty for tests). */
  numHistoryShards?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for each step to answer (default 90 s: four Go processes start on two cores). */
  readyTimeoutMs?: number;
}

/** gRPC and membership (ringpop) ports of one service. */
interface ServicePorts {
  grpc: number;
  membership: number;
}

/** The gRPC health-check service name each service reports SERVING under once it can take work. */
const HEALTH_SERVICE: Partial<Record<ClusterService, string>> = {
  // Set only once the history host has acquired its shards (and 5 s more "for stabilization").
  // The names are the server's own (service/history/handler.go, service/matching/handler.go).
  history: 'temporal.api.workflowservice.v1.HistoryService',
  matching: 'temporal.api.workflowservice.v1.MatchingService',
  frontend: 'temporal.api.workflowservice.v1.WorkflowService',
};

const execFileAsync = promisify(execFile);
const CONFIG_ENV = 'cluster';
const DB_USER = 'temporal';

/** A running cluster: PostgreSQL and the four services as children of one ProcessGroup. */
export class TemporalCluster implements TemporalEndpoint {
  private readonly current = new Map<ClusterService, ManagedProcess>();

  private constructor(
    private readonly group: ProcessGroup,
    readonly postgres: PostgresEndpoint,
    readonly configDir: string,
    readonly ports: Record<ClusterService, ServicePorts>,
    readonly namespace: string,
    private readonly readyTimeoutMs: number,
  ) {}

  /** host:port of the frontend's gRPC API. */
  get address(): string {
    return `127.0.0.1:${this.ports.frontend.grpc}`;
  }

  /** The frontend process (TemporalEndpoint's `process`). */
  get process(): ManagedProcess | undefined {
    return this.current.get('frontend');
  }

  /**
   * Starts PostgreSQL, sets up both schemas with the server's SQL tool, writes the configuration and
   * starts the four services; resolves once each answers its health check, the namespace exists and
   * the search attributes are registered.
   */
  static async start(group: ProcessGroup, options: TemporalClusterOptions): Promise<TemporalCluster> {
    if (!fs.existsSync(TOOL_PATHS.temporalServer)) {
      throw new Error(`the Temporal server build is missing (${TOOL_PATHS.temporalServer}): run bash scripts/setup.sh --cluster-tools`);
    }
    const readyTimeoutMs = options.readyTimeoutMs ?? 90_000;
    const namespace = options.namespace ?? 'default';
    fs.mkdirSync(options.dir, { recursive: true });
    const [pgPort, httpPort, ...grpcPorts] = await freePorts(2 + CLUSTER_SERVICES.length);
    const membershipPorts = await freeMembershipPorts(CLUSTER_SERVICES.length);
    const ports = Object.fromEntries(
      CLUSTER_SERVICES.map((service, i) => [service, { grpc: grpcPorts[i], membership: membershipPorts[i] }]),
    ) as Record<ClusterService, ServicePorts>;

    const postgres = await startPostgres(group, { port: pgPort, dataDir: path.join(options.dir, 'postgres'), user: DB_USER, readyTimeoutMs });
    await setUpSchemas(postgres);
    const configDir = path.join(options.dir, 'config');
    fs.mkdirSync(configDir, { recursive: true });
    const config = clusterConfig({ postgres, ports, httpPort, numHistoryShards: options.numHistoryShards ?? 4, logLevel: options.logLevel ?? 'warn' });
    fs.writeFileSync(path.join(configDir, `${CONFIG_ENV}.yaml`), YAML.stringify(config));

    const cluster = new TemporalCluster(group, postgres, configDir, ports, namespace, readyTimeoutMs);
    // All four at once: each waits for the others through the membership ring (history asks
    // matching, the frontend both), so none of them would get ready alone.
    await Promise.all(CLUSTER_SERVICES.map((service) => cluster.startAtFirstBoot(service)));
    await cluster.ensureNamespace(options.searchAttributes ?? CASE_SEARCH_ATTRIBUTES);
    return cluster;
  }

  /** The running process of a service; fails when it is not running. */
  processOf(service: ClusterService): ManagedProcess {
    const child = this.current.get(service);
    if (!child?.running) throw new Error(`Temporal ${service} is not running`);
    return child;
  }

  /** Starts one service (again, with the same ports and configuration); resolves once it is serving. */
  async startService(service: ClusterService): Promise<void> {
    if (this.current.get(service)?.running) throw new Error(`Temporal ${service} is already running`);
    const child = this.group.spawn({
      name: `temporal-${service}`,
      command: TOOL_PATHS.temporalServer,
      args: ['start', '--config', this.configDir, '--env', CONFIG_ENV, '--service', service],
    });
    this.current.set(service, child);
    await this.waitServing(service, child);
  }

  /**
   * Starts a service at the cluster's first boot. Services started together race to write the
   * cluster's metadata to the fresh database, and the loser exits ("failed to initialize current
   * cluster metadata"); the row is there by then, so starting it again succeeds. Up to 3 tries.
   */
  async startAtFirstBoot(service: ClusterService): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startService(service);
      } catch (err) {
        if (attempt >= 3 || this.current.get(service)?.running) throw err;
      }
    }
  }

  /** kill -9 of one service; resolves once it is gone. */
  async kill(service: ClusterService): Promise<void> {
    const child = this.current.get(service);
    if (!child?.running) return;
    child.killNow();
    await child.exited;
  }

  private async waitServing(service: ClusterService, child: ManagedProcess): Promise<void> {
    const healthService = HEALTH_SERVICE[service];
    if (!healthService) {
      // The worker service runs system workflows and serves no health check of its own: it is up once
      // it has joined the membership ring, which shows as its port listening.
      await waitUntilReady(`Temporal ${service}`, () => tcpAnswers(this.ports[service].membership), { timeoutMs: this.readyTimeoutMs, intervalMs: 300, child });
      return;
    }
    const address = `127.0.0.1:${this.ports[service].grpc}`;
    await waitUntilReady(
      `Temporal ${service} (${address})`,
      async () => {
        const connection = await Connection.connect({ address, connectTimeout: 2000 });
        try {
          const { status } = await connection.healthService.check({ service: healthService });
          if (status !== grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING) throw new Error(`health status ${String(status)}, not SERVING`);
        } finally {
          await connection.close();
        }
      },
      { timeoutMs: this.readyTimeoutMs, intervalMs: 300, child },
    );
  }

  /** Registers the namespace (1-day retention) and our search attributes, as the dev server's flags do. */
  private async ensureNamespace(attributes: readonly SearchAttributeSpec[]): Promise<void> {
    const connection = await Connection.connect({ address: this.address });
    try {
      try {
        await connection.workflowService.registerNamespace({
          namespace: this.namespace,
          workflowExecutionRetentionPeriod: msToTs('1 day'),
        });
      } catch (error) {
        if (!/already exists|already registered/i.test(error instanceof Error ? error.message : String(error))) throw error;
      }
      // The frontend learns of a new namespace from its cache, refreshed every 2 s.
      await waitUntilReady(`namespace ${this.namespace}`, async () => {
        await connection.workflowService.describeNamespace({ namespace: this.namespace });
      }, { timeoutMs: this.readyTimeoutMs, intervalMs: 500 });
      await ensureSearchAttributes({ address: this.address }, this.namespace, attributes);
      // SQL visibility maps custom attributes to columns in the namespace's record: wait until they show.
      await waitUntilReady(`search attributes of ${this.namespace}`, async () => {
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: this.namespace });
        const missing = attributes.filter((a) => !customAttributes?.[a.name]);
        if (missing.length) throw new Error(`not yet registered: ${missing.map((a) => a.name).join(', ')}`);
      }, { timeoutMs: this.readyTimeoutMs, intervalMs: 500 });
    } finally {
      await connection.close();
    }
  }
}

/** Creates `temporal` and `temporal_visibility` and brings both to the newest schema the server embeds. */
async function setUpSchemas(postgres: PostgresEndpoint): Promise<void> {
  for (const [database, schema] of [['temporal', 'postgresql/v12/temporal'], ['temporal_visibility', 'postgresql/v12/visibility']] as const) {
    const sql = (...args: string[]) => runSqlTool(['--ep', postgres.host, '-p', String(postgres.port), '-u', postgres.user, '--pl', 'postgres12', '--db', database, ...args]);
    await sql('create-database');
    // As Temporal's own set-up scripts do it: the versioning tables at 0.0, then every versioned step.
    await sql('setup-schema', '-v', '0.0');
    await sql('update-schema', '--schema-name', schema);
  }
}

async function runSqlTool(args: string[]): Promise<void> {
  try {
    await execFileAsync(TOOL_PATHS.temporalServer, ['sql', ...args], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`temporal-server sql ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
}

/** The static server configuration: what a production cluster's config file holds, on our ports. */
export function clusterConfig(options: {
  postgres: PostgresEndpoint;
  ports: Record<ClusterService, ServicePorts>;
  httpPort: number;
  numHistoryShards: number;
  logLevel: string;
}): Record<string, unknown> {
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${options.postgres.host}:${options.postgres.port}`,
      connectProtocol: 'tcp',
      user: options.postgres.user,
      password: 'unused-trust-auth',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (service: ClusterService) => ({
    rpc: {
      grpcPort: options.ports[service].grpc,
      membershipPort: options.ports[service].membership,
      bindOnLocalHost: true,
      ...(service === 'frontend' ? { httpPort: options.httpPort } : {}),
    },
  });
  return {
    log: { stdout: true, level: options.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: options.numHistoryShards,
      datastores: { 'postgres-default': store('temporal', 20), 'postgres-visibility': store('temporal_visibility', 10) },
    },
    // Services find each other through the cluster_membership table and talk on 127.0.0.1.
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(CLUSTER_SERVICES.map((service) => [service, rpc(service)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${options.ports.frontend.grpc}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
  };
}

/**
 * Free ports below 32768 for ringpop: the PostgreSQL schema keeps a member's port in a `smallint`
 * (cluster_membership.rpc_port), and the OS hands out free ports from 32768 up. Random ports of
 * 20000-32767 (outside Linux's ephemeral range, so no client socket takes one meanwhile), each bound
 * once to check it is free.
 */
async function freeMembershipPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let attempt = 0; ports.size < count; attempt++) {
    if (attempt > 200) throw new Error('no free port below 32768 for the Temporal membership ring');
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function tcpAnswers(port: number): Promise<void> {
  if (!(await isPortInUse(port))) throw new Error(`nothing listens on 127.0.0.1:${port}`);
}
