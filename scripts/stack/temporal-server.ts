import fs from 'node:fs';
import path from 'node:path';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { CASE_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import type { ManagedProcess, ProcessGroup } from './managed-process';
import { TOOL_PATHS } from './paths';
import { waitUntilReady } from './wait';

/** A custom search attribute as `temporal server start-dev --search-attribute Name=Type` spells it. */
export interface SearchAttributeSpec {
  name: string;
  type: 'Text' | 'Keyword' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';
}

/** Options of a local `temporal server start-dev`. */
export interface TemporalDevServerOptions {
  /** gRPC frontend port. */
  port: number;
  /** Web UI port; omitted → the server runs headless. */
  uiPort?: number;
  /** The UI's remote codec endpoint (our API's /codec), so staff see decoded payloads. */
  uiCodecEndpoint?: string;
  /** SQLite file holding the server's state (created when missing). */
  dbFile: string;
  namespace?: string;
  /** Defaults to the case search attributes of domain/search-attributes.ts. */
  searchAttributes?: readonly SearchAttributeSpec[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the namespace to answer (default 60 s). */
  readyTimeoutMs?: number;
}

/** A Temporal server the stack can use. */
export interface TemporalEndpoint {
  /** host:port of the gRPC frontend. */
  address: string;
  namespace: string;
  /** Web UI base URL, when a UI runs. */
  uiUrl?: string;
  /** The child process, when we started the server. */
  process?: ManagedProcess;
}

/** The arguments of `temporal server start-dev` for these options. */
export function temporalDevServerArgs(options: TemporalDevServerOptions): string[] {
  const args = [
    'server', 'start-dev',
    '--db-filename', options.dbFile,
    '--ip', '127.0.0.1',
    '--port', String(options.port),
    '--namespace', options.namespace ?? 'default',
    '--log-level', options.logLevel ?? 'warn',
    // WAL with synchronous=NORMAL: a commit no longer waits for an fsync (the workflow-task rate of
    // this single-file server was bound by it); a killed process still loses nothing, only a power
    // cut can drop the last commits. A local development server only (docs/decisions.md).
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=normal',
  ];
  if (options.uiPort === undefined) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.uiPort !== undefined && options.uiCodecEndpoint !== undefined) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  for (const attribute of options.searchAttributes ?? CASE_SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${attribute.name}=${attribute.type}`);
  }
  return args;
}

/**
 * Starts `temporal server start-dev` (from .tools/venv) as a child of `group`
 * and resolves once the namespace answers and the search attributes are registered.
 */
export async function startTemporalDevServer(group: ProcessGroup, options: TemporalDevServerOptions): Promise<TemporalEndpoint> {
  requireTool(TOOL_PATHS.temporal, 'the Temporal CLI');
  fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const namespace = options.namespace ?? 'default';
  const child = group.spawn({ name: 'temporal', command: TOOL_PATHS.temporal, args: temporalDevServerArgs(options) });
  const address = `127.0.0.1:${options.port}`;
  await waitForTemporal({ address }, namespace, { timeoutMs: options.readyTimeoutMs ?? 60_000, child });
  // The CLI registers --search-attribute only in a new database: a .data/temporal.sqlite kept from
  // an earlier version gets the attributes added since (OverdueSince, say) here.
  await ensureSearchAttributes({ address }, namespace, options.searchAttributes ?? CASE_SEARCH_ATTRIBUTES);
  return {
    address,
    namespace,
    uiUrl: options.uiPort === undefined ? undefined : `http://localhost:${options.uiPort}`,
    process: child,
  };
}

/** Resolves once the server at `connection.address` answers for `namespace`. */
export async function waitForTemporal(
  connection: ConnectionOptions,
  namespace: string,
  options: { timeoutMs: number; child?: ManagedProcess },
): Promise<void> {
  await waitUntilReady(
    `Temporal at ${connection.address ?? '?'}`,
    async () => {
      const conn = await Connection.connect({ ...connection, connectTimeout: 2000 });
      try {
        await conn.workflowService.getSystemInfo({});
        await conn.workflowService.describeNamespace({ namespace });
      } finally {
        await conn.close();
      }
    },
    { ...options, intervalMs: 300 },
  );
}

// Values of temporal.api.enums.v1.IndexedValueType (stable wire numbers).
const INDEXED_VALUE_TYPE: Record<SearchAttributeSpec['type'], number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/**
 * Registers the search attributes the server does not have yet (a server we did
 * not start, e.g. TEMPORAL_ADDRESS). Returns the names it added.
 */
export async function ensureSearchAttributes(
  connection: ConnectionOptions,
  namespace: string,
  attributes: readonly SearchAttributeSpec[] = CASE_SEARCH_ATTRIBUTES,
): Promise<string[]> {
  const conn = await Connection.connect(connection);
  try {
    const existing = await conn.operatorService.listSearchAttributes({ namespace });
    const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
    const missing = attributes.filter((a) => !known.has(a.name));
    if (missing.length === 0) return [];
    try {
      await conn.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((a) => [a.name, INDEXED_VALUE_TYPE[a.type]])),
      });
    } catch (error) {
      // Another process registering the same attributes concurrently is fine.
      if (!/already exists/i.test(error instanceof Error ? error.message : String(error))) throw error;
    }
    return missing.map((a) => a.name);
  } finally {
    await conn.close();
  }
}

/** Connection options for a server named by the environment (address, API key, mTLS). */
export function temporalConnectionFromEnv(env: NodeJS.ProcessEnv): ConnectionOptions {
  const address = env.TEMPORAL_ADDRESS || '127.0.0.1:7233';
  const certPath = env.TEMPORAL_TLS_CERT_PATH;
  const keyPath = env.TEMPORAL_TLS_KEY_PATH;
  const apiKey = env.TEMPORAL_API_KEY || undefined;
  if (certPath && keyPath) {
    return { address, apiKey, tls: { clientCertPair: { crt: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) } } };
  }
  return apiKey ? { address, apiKey, tls: true } : { address };
}

function requireTool(file: string, what: string): void {
  if (!fs.existsSync(file)) throw new Error(`${what} is missing (${file}): run npm run setup`);
}
