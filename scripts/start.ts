/**
 * `npm start`: the whole stack on this machine, with persistent data under .data/.
 *
 *   Temporal dev server  127.0.0.1:7233, UI :8233, state in .data/temporal.sqlite
 *                        (skipped when TEMPORAL_ADDRESS is set; our search attributes
 *                        are then registered on that server if it lacks them)
 *   FerretDB             127.0.0.1:27017, data in .data/ferretdb/ (skipped when MONGODB_URI is set)
 *   sandbox, worker, API Node processes (tsx), ports from SANDBOX_PORT, WORKER_METRICS_PORT, PORT
 *
 * Ctrl-C or SIGTERM stops everything (API first, servers last); the data stays.
 * If any child dies on its own, the others are stopped and we exit non-zero.
 */
import fs from 'node:fs';
import path from 'node:path';
import { newKeyringJson } from '../codec/master-keys';
import { ConfigError, loadConfig, type AppConfig } from '../config/env';
import { describeBackfill, runLedgerBackfill } from './backfill-ledger';
import { APP_ENTRIES, appUrls, localWiringEnv, startApi, startSandbox, startWorker, type AppPorts } from './stack/app-services';
import { startFerretDb, waitForMongo } from './stack/ferretdb-server';
import { ProcessGroup } from './stack/managed-process';
import { REPO_ROOT } from './stack/paths';
import { assertPortFree } from './stack/ports';
import { ensureSearchAttributes, startTemporalDevServer, temporalConnectionFromEnv, waitForTemporal } from './stack/temporal-server';

const DATA_DIR = path.join(REPO_ROOT, '.data');
const TEMPORAL_PORT = 7233;
const TEMPORAL_UI_PORT = 8233;
const FERRETDB_PORT = 27017;

const say = (line: string) => process.stdout.write(`start: ${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const group = new ProcessGroup({ kind: 'console' });
  const stop = stopper(group);
  process.on('SIGINT', () => void stop(0, 'SIGINT received'));
  process.on('SIGTERM', () => void stop(0, 'SIGTERM received'));
  group.onUnexpectedExit((child) => {
    void stop(1, `${child.name} exited unexpectedly (${child.describeExit()})`);
  });

  try {
    const ports: AppPorts = { api: config.PORT, sandbox: config.sandbox.port, workerMetrics: config.WORKER_METRICS_PORT };
    const useOwnTemporal = !process.env.TEMPORAL_ADDRESS;
    const useOwnMongo = !process.env.MONGODB_URI;
    assertEntriesExist();
    await assertPortsFree(ports, useOwnTemporal, useOwnMongo);

    let temporalAddress: string;
    if (useOwnTemporal) {
      say(`starting Temporal dev server on 127.0.0.1:${TEMPORAL_PORT} (UI :${TEMPORAL_UI_PORT}, state in .data/temporal.sqlite)`);
      const temporal = await startTemporalDevServer(group, {
        port: TEMPORAL_PORT,
        uiPort: TEMPORAL_UI_PORT,
        // The UI decodes the encrypted payloads through the API's codec endpoint (staff sign in at /codec/login).
        uiCodecEndpoint: `http://localhost:${ports.api}/codec`,
        dbFile: path.join(DATA_DIR, 'temporal.sqlite'),
        namespace: config.TEMPORAL_NAMESPACE,
      });
      temporalAddress = temporal.address;
    } else {
      temporalAddress = config.TEMPORAL_ADDRESS;
      const connection = temporalConnectionFromEnv(process.env);
      say(`using Temporal at ${temporalAddress} (TEMPORAL_ADDRESS)`);
      await waitForTemporal(connection, config.TEMPORAL_NAMESPACE, { timeoutMs: 30_000 });
      const added = await ensureSearchAttributes(connection, config.TEMPORAL_NAMESPACE);
      if (added.length > 0) say(`registered search attributes ${added.join(', ')}`);
    }

    let mongoUri: string;
    if (useOwnMongo) {
      say(`starting FerretDB on 127.0.0.1:${FERRETDB_PORT} (data in .data/ferretdb/)`);
      mongoUri = (await startFerretDb(group, { port: FERRETDB_PORT, dataDir: path.join(DATA_DIR, 'ferretdb') })).uri;
    } else {
      mongoUri = config.MONGODB_URI;
      say(`using MongoDB at ${redactUri(mongoUri)} (MONGODB_URI)`);
      await waitForMongo(mongoUri, { timeoutMs: 30_000 });
    }

    // The parent's variables win over the local wiring, so a real provider URL set by hand is kept.
    const env: NodeJS.ProcessEnv = { ...localWiringEnv(ports), ...process.env, TEMPORAL_ADDRESS: temporalAddress, MONGODB_URI: mongoUri, ...localPayloadKeys() };
    say('starting sandbox');
    await startSandbox(group, env, ports.sandbox);
    say('starting worker');
    await startWorker(group, env, ports.workerMetrics);
    say('starting API');
    await startApi(group, env, ports.api);
    await backfillLedgerIfEmpty(mongoUri, config.MONGODB_DB);

    printBanner(config, ports, mongoUri, useOwnTemporal, useOwnTemporal || useOwnMongo);
  } catch (error) {
    if (group.isStopping) return; // a signal or a dying child is already being handled
    process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1, 'start-up failed');
  }
}

/**
 * The master keys of the payload codec: the operator's (PAYLOAD_KEYS / PAYLOAD_KEYS_FILE) when set,
 * else a local key made once in .data/payload-keys.json (readable by this user only) and kept with the data.
 */
function localPayloadKeys(): { PAYLOAD_KEYS_FILE?: string } {
  if (process.env.PAYLOAD_KEYS !== undefined || process.env.PAYLOAD_KEYS_FILE !== undefined) return {};
  const file = path.join(DATA_DIR, 'payload-keys.json');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(DATA_DIR, { recursive: true });
    fs.writeFileSync(file, `${newKeyringJson()}\n`, { mode: 0o600 });
    say('made a local master key for the payload codec in .data/payload-keys.json (losing it makes the local cases unreadable)');
  }
  return { PAYLOAD_KEYS_FILE: file };
}

/**
 * Cases opened before the order-line ledger existed paid refunds it does not know: record them
 * once, when the ledger is empty (docs/order-ledger.md). A failure is reported, not fatal: the
 * stack runs, and `npm run ledger:backfill` can be run by hand.
 */
async function backfillLedgerIfEmpty(mongoUri: string, dbName: string): Promise<void> {
  try {
    say(describeBackfill(await runLedgerBackfill(mongoUri, dbName, { ifEmpty: true })));
  } catch (error) {
    say(`order ledger backfill failed (${error instanceof Error ? error.message : String(error)}); run \`npm run ledger:backfill\` once the database answers`);
  }
}

/** One shutdown, whoever asks first; a second Ctrl-C kills at once. */
function stopper(group: ProcessGroup): (code: number, reason: string) => Promise<void> {
  let stopping = false;
  return async (code, reason) => {
    if (stopping) {
      if (reason.endsWith('received')) {
        say('second signal: killing everything now');
        for (const child of group.list()) child.killNow();
        process.exit(130);
      }
      return;
    }
    stopping = true;
    say(`${reason}; stopping everything`);
    await group.stopAll();
    say('stopped');
    process.exit(code);
  };
}

function assertEntriesExist(): void {
  const missing = Object.values(APP_ENTRIES).filter((entry) => !fs.existsSync(path.join(REPO_ROOT, entry)));
  if (missing.length > 0) throw new Error(`missing entry file(s): ${missing.join(', ')}`);
}

async function assertPortsFree(ports: AppPorts, ownTemporal: boolean, ownMongo: boolean): Promise<void> {
  const hint = 'stop whatever uses it (another `npm start`?)';
  if (ownTemporal) {
    await assertPortFree(TEMPORAL_PORT, 'Temporal', `${hint}, or set TEMPORAL_ADDRESS to use a running server`);
    await assertPortFree(TEMPORAL_UI_PORT, 'Temporal UI', hint);
  }
  if (ownMongo) await assertPortFree(FERRETDB_PORT, 'FerretDB', `${hint}, or set MONGODB_URI to use a running server`);
  await assertPortFree(ports.sandbox, 'sandbox, SANDBOX_PORT', hint);
  await assertPortFree(ports.workerMetrics, 'worker metrics, WORKER_METRICS_PORT', hint);
  await assertPortFree(ports.api, 'API, PORT', hint);
}

interface TokenEntry {
  token: string;
  role: string;
  customerId?: string;
  name?: string;
}

function readTokens(file: string): TokenEntry[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.resolve(REPO_ROOT, file), 'utf8')) as { tokens?: TokenEntry[] };
    return parsed.tokens ?? [];
  } catch {
    return [];
  }
}

function printBanner(config: AppConfig, ports: AppPorts, mongoUri: string, ownTemporal: boolean, localData: boolean): void {
  const urls = appUrls(ports);
  const local = (url: string) => url.replace('127.0.0.1', 'localhost');
  const tokens = readTokens(config.API_TOKENS_FILE);
  const lines = [
    '',
    '  aftersales is running',
    '',
    `  desk           ${local(urls.apiUrl)}/desk/  (sign in with a token below)`,
    `  API            ${local(urls.apiUrl)}`,
    `  OpenAPI        ${local(urls.apiUrl)}/openapi.json`,
    `  Temporal UI    ${ownTemporal ? `http://localhost:${TEMPORAL_UI_PORT}` : config.TEMPORAL_UI_URL}  (cases are encrypted: sign in at ${local(urls.apiUrl)}/codec/login first)`,
    `  sandbox        ${local(urls.sandboxUrl)}  (outbox ${local(urls.sandboxUrl)}/outbox, ledger ${local(urls.sandboxUrl)}/ledger)`,
    `  worker         ${local(urls.workerUrl)}/metrics`,
    `  MongoDB        ${redactUri(mongoUri)}`,
    '',
    `  development tokens (${config.API_TOKENS_FILE}; for local use only):`,
    ...tokens.map((t) => `    ${t.token.padEnd(24)} ${t.role}${t.customerId ? ` customerId=${t.customerId}` : ''}${t.name ? ` name=${t.name}` : ''}`),
    ...(tokens.length === 0 ? ['    (none found)'] : []),
    '',
    `  try: curl -H 'Authorization: Bearer ${tokens.find((t) => t.role === 'agent')?.token ?? '<token>'}' ${local(urls.apiUrl)}/v1/cases`,
    `  Ctrl-C stops everything${localData ? '; the data stays in .data/' : ''}`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

main().catch((error: unknown) => {
  // A bad variable is the user's to fix: its message names it, a stack trace would only distract.
  const text = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`start: ${text}\n`);
  process.exit(1);
});
