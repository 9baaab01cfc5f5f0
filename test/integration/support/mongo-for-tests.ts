import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';

/** A MongoDB-compatible server for a test file; `stop` ends it only if this helper started it. */
export interface TestMongo {
  uri: string;
  /** True when the URI came from AFTERSALES_IT_MONGODB_URI (the integration global setup). */
  shared: boolean;
  stop(): Promise<void>;
}

/** Our FerretDB build, installed by scripts/setup.sh. */
export const FERRETDB_BINARY = path.resolve(__dirname, '..', '..', '..', '.tools', 'bin', 'ferretdb');

const READY_TIMEOUT_MS = 20_000;

/** The stack's MongoDB (AFTERSALES_IT_MONGODB_URI) when set, else a private FerretDB on a free port in a temp dir. */
export async function mongoForTests(): Promise<TestMongo> {
  const shared = process.env.AFTERSALES_IT_MONGODB_URI;
  if (shared) return { uri: shared, shared: true, stop: async () => undefined };
  if (!fs.existsSync(FERRETDB_BINARY)) {
    throw new Error(
      `FerretDB binary not found at ${FERRETDB_BINARY}: run \`npm run setup\` (scripts/setup.sh), ` +
        'or set AFTERSALES_IT_MONGODB_URI to a running MongoDB/FerretDB',
    );
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startFerretDb();
    } catch (err) {
      lastError = err; // most likely the free port was taken in between: try another
    }
  }
  throw lastError;
}

/** A database name no other test file or run uses (FerretDB allows [A-Za-z0-9_-], ≤ 63 chars). */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`.slice(0, 63);
}

async function startFerretDb(): Promise<TestMongo> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-ferretdb-'));
  const child = spawn(FERRETDB_BINARY, ['-listen', `127.0.0.1:${port}`, '-data', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const uri = `mongodb://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    await stopProcess(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPing(uri, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return { uri, shared: false, stop };
}

async function waitForPing(uri: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`FerretDB exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`FerretDB at ${uri} did not answer within ${READY_TIMEOUT_MS} ms: ${String(err)}\n${output()}`);
    } finally {
      await client.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
