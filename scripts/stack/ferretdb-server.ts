import fs from 'node:fs';
import { MongoClient } from 'mongodb';
import type { ManagedProcess, ProcessGroup } from './managed-process';
import { TOOL_PATHS } from './paths';
import { waitUntilReady } from './wait';

/** Options of our embedded FerretDB build (.tools/bin/ferretdb). */
export interface FerretDbOptions {
  port: number;
  /** Directory of the SQLite files (created when missing). */
  dataDir: string;
  /** How long to wait for a ping to succeed (default 30 s). */
  readyTimeoutMs?: number;
}

/** A MongoDB-compatible server the stack can use. */
export interface MongoEndpoint {
  uri: string;
  /** The child process, when we started the server. */
  process?: ManagedProcess;
}

/** Starts FerretDB as a child of `group` and resolves once a MongoDB ping succeeds. */
export async function startFerretDb(group: ProcessGroup, options: FerretDbOptions): Promise<MongoEndpoint> {
  if (!fs.existsSync(TOOL_PATHS.ferretdb)) {
    throw new Error(`FerretDB is missing (${TOOL_PATHS.ferretdb}): run npm run setup`);
  }
  fs.mkdirSync(options.dataDir, { recursive: true });
  const child = group.spawn({
    name: 'ferretdb',
    command: TOOL_PATHS.ferretdb,
    args: ['-listen', `127.0.0.1:${options.port}`, '-data', options.dataDir],
  });
  const uri = `mongodb://127.0.0.1:${options.port}/`;
  await waitForMongo(uri, { timeoutMs: options.readyTimeoutMs ?? 30_000, child });
  return { uri, process: child };
}

/** Resolves once `ping` succeeds against the server at `uri`. */
export async function waitForMongo(uri: string, options: { timeoutMs: number; child?: ManagedProcess }): Promise<void> {
  await waitUntilReady(
    `MongoDB at ${uri}`,
    async () => {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
      try {
        await client.connect();
        await client.db('admin').command({ ping: 1 });
      } finally {
        await client.close();
      }
    },
    { ...options, intervalMs: 200 },
  );
}
