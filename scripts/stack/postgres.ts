import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { ManagedProcess, ProcessGroup } from './managed-process';
import { waitUntilReady } from './wait';

/** Options of a throwaway PostgreSQL server for tests. */
export interface PostgresOptions {
  port: number;
  /** Empty or missing directory for the cluster's files; when we are root it is handed to the `postgres` user. */
  dataDir: string;
  /** The superuser initdb creates (trust authentication on 127.0.0.1 only). */
  user?: string;
  /** How long to wait for connections to be accepted (default 30 s). */
  readyTimeoutMs?: number;
}

/** A PostgreSQL server the stack can use. */
export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  process: ManagedProcess;
}

/**
 * The directory of initdb, postgres and pg_isready: POSTGRES_BIN_DIR, else the newest
 * /usr/lib/postgresql/<major>/bin (Debian's `postgresql` package, installed by setup.sh --test-tools).
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POSTGRES_BIN_DIR) return env.POSTGRES_BIN_DIR;
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => b - a) : [];
  for (const major of majors) {
    const dir = path.join(root, String(major), 'bin');
    if (fs.existsSync(path.join(dir, 'postgres'))) return dir;
  }
  throw new Error('PostgreSQL is missing (no /usr/lib/postgresql/<major>/bin/postgres): run bash scripts/setup.sh --test-tools, or set POSTGRES_BIN_DIR');
}

/**
 * The command prefix that runs a PostgreSQL program. PostgreSQL refuses to run as root, so as root
 * (CI, these machines) programs run as the `postgres` system user through setpriv, which execs
 * (no process in between to relay signals, unlike runuser); as anyone else, directly.
 */
function asServerUser(): string[] {
  if (process.getuid?.() !== 0) return [];
  return ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'];
}

/** Creates the cluster's files with initdb (trust authentication, UTF-8, no fsync: tests only). */
export function initPostgres(dataDir: string, user: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const prefix = asServerUser();
  if (prefix.length) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    // Temp dirs are root's and 0700: the server user must be able to pass through every one above its data dir.
    for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
      const { mode } = fs.statSync(dir);
      if (!(mode & 0o001)) fs.chmodSync(dir, mode | 0o011);
      if (dir === path.dirname(dir)) break;
    }
    fs.chownSync(dataDir, uid, gid);
  }
  const [command, ...args] = [...prefix, path.join(postgresBinDir(), 'initdb'), '-D', dataDir, '-U', user, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
  execFileSync(command, args, { stdio: 'pipe' });
}

/** Runs initdb in `dataDir`, starts `postgres` as a child of `group` and resolves once it accepts connections. */
export async function startPostgres(group: ProcessGroup, options: PostgresOptions): Promise<PostgresEndpoint> {
  const user = options.user ?? 'temporal';
  const binDir = postgresBinDir();
  if (!fs.existsSync(path.join(options.dataDir, 'PG_VERSION'))) initPostgres(options.dataDir, user);
  const [command, ...prefixArgs] = [...asServerUser(), path.join(binDir, 'postgres')];
  const child = group.spawn({
    name: 'postgres',
    command,
    args: [
      ...prefixArgs,
      '-D', options.dataDir,
      '-p', String(options.port),
      '-c', 'listen_addresses=127.0.0.1',
      // The Unix socket goes into the data dir: /var/run/postgresql may not exist or be writable.
      '-c', `unix_socket_directories=${options.dataDir}`,
      // A test database thrown away afterwards: no durability work on two shared cores.
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      // Four Temporal services keep pools of their own (default maxConns 20 per store).
      '-c', 'max_connections=300',
    ],
  });
  await waitUntilReady(
    `PostgreSQL on 127.0.0.1:${options.port}`,
    async () => {
      execFileSync(path.join(binDir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(options.port), '-U', user, '-d', 'postgres'], { stdio: 'ignore' });
    },
    { timeoutMs: options.readyTimeoutMs ?? 30_000, intervalMs: 200, child },
  );
  return { host: '127.0.0.1', port: options.port, user, process: child };
}
