import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_ENV_NAMES, loadConfig } from '../../config/env';
import { durationMs } from '../../domain/duration';
import { WORKER_STACK_TRACE_LIMIT } from '../../worker/node-options';
import { CASE_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  ports?: string[];
  stop_grace_period?: string;
}

const root = path.join(__dirname, '..', '..');
const composeText = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

/** The server version the cluster test builds: tools/temporal-server/go.mod's go.temporal.io/server. */
function clusterServerVersion(): string {
  const goMod = fs.readFileSync(path.join(root, 'tools', 'temporal-server', 'go.mod'), 'utf8');
  const match = /^\s*(?:require\s+)?go\.temporal\.io\/server\s+v(\d+\.\d+\.\d+)\s*$/m.exec(goMod);
  if (!match) throw new Error('tools/temporal-server/go.mod requires no go.temporal.io/server vX.Y.Z');
  return match[1];
}

function loadCompose(): { services: Record<string, ComposeService> } {
  // Compose resolves YAML merge keys (`<<: *app-env`); so must we.
  return parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
}

function environmentNames(service: ComposeService): string[] {
  const env = service.environment ?? {};
  return Array.isArray(env) ? env.map((entry) => entry.split('=')[0]) : Object.keys(env);
}

function commandText(service: ComposeService): string {
  return Array.isArray(service.command) ? service.command.join('\n') : (service.command ?? '');
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry) => [entry.split('=')[0], entry.slice(entry.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

function dependencies(service: ComposeService): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  return Array.isArray(deps) ? Object.fromEntries(deps.map((d) => [d, undefined])) : Object.fromEntries(Object.entries(deps).map(([d, v]) => [d, v.condition]));
}

/** Services running the given image repository (`temporalio/admin-tools`), with their tags. */
function servicesOfImage(repository: string): Array<{ name: string; tag: string }> {
  return Object.entries(loadCompose().services)
    .filter(([, s]) => s.image?.split(':')[0] === repository)
    .map(([name, s]) => ({ name, tag: s.image!.split(':')[1] ?? '' }));
}

/** The host port a service publishes for a container port ("8233:8080" → 8233). */
function hostPort(service: ComposeService, containerPort: number): number | undefined {
  const mapping = (service.ports ?? []).map((p) => p.split(':')).find((parts) => Number(parts[parts.length - 1]) === containerPort);
  return mapping && mapping.length > 1 ? Number(mapping[mapping.length - 2]) : undefined;
}

describe('docker-compose.yml', () => {
  it('parses as YAML with a services map', () => {
    expect(() => loadCompose()).not.toThrow();
    expect(typeof loadCompose().services).toBe('object');
  });

  it('runs Temporal, its UI, MongoDB and our sandbox, worker and API', () => {
    expect(Object.keys(loadCompose().services)).toEqual(
      expect.arrayContaining(['temporal', 'temporal-ui', 'mongo', 'sandbox', 'worker', 'api']),
    );
  });

  it('runs the Temporal server image at the version the cluster test builds (tools/temporal-server/go.mod)', () => {
    expect(loadCompose().services.temporal.image).toBe(`temporalio/server:${clusterServerVersion()}`);
  });

  it('uses no temporalio/auto-setup image (the schema is set up by a one-shot job)', () => {
    const images = Object.entries(loadCompose().services).map(([name, s]) => `${name}: ${s.image ?? '(built)'}`);
    expect(images.filter((line) => line.includes('temporalio/auto-setup'))).toEqual([]);
  });

  it('runs admin-tools at the server version for the schema and set-up jobs', () => {
    const version = clusterServerVersion();
    const adminTools = servicesOfImage('temporalio/admin-tools');
    expect(adminTools.map((s) => s.name).sort()).toEqual(['temporal-schema', 'temporal-setup']);
    // Tags were once `<server>-tctl-<x>-cli-<y>`; either form must begin with the server version.
    expect(adminTools.filter((s) => s.tag !== version && !s.tag.startsWith(`${version}-`))).toEqual([]);
  });

  it('pins every image to an exact version', () => {
    const unpinned = Object.entries(loadCompose().services)
      .filter(([, s]) => s.image && !s.build)
      .filter(([, s]) => !/:\d+(\.\d+)*(-[\w.-]+)?$/.test(s.image!))
      .map(([name, s]) => `${name}: ${s.image}`);
    expect(unpinned).toEqual([]);
  });

  it('sets up both Temporal schemas on PostgreSQL 12+ with temporal-sql-tool before the server starts', () => {
    const { services } = loadCompose();
    const script = commandText(services['temporal-schema']);
    for (const [db, dir] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']]) {
      expect(script).toMatch(new RegExp(`sql ${db} create\\b`));
      expect(script).toMatch(new RegExp(`sql ${db} setup-schema -v 0\\.0\\b`));
      expect(script).toContain(`sql ${db} update-schema -d /etc/temporal/schema/postgresql/v12/${dir}/versioned`);
    }
    expect(script).toContain('temporal-sql-tool --plugin postgres12');
    expect(dependencies(services.temporal)).toEqual({ 'temporal-schema': 'service_completed_successfully' });
    expect(environmentOf(services.temporal)).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
  });

  it('mounts the dynamic config file the server is told to read (the image ships none, and the server stops without it)', () => {
    const temporal = loadCompose().services.temporal as ComposeService & { volumes?: string[] };
    const file = environmentOf(temporal).DYNAMIC_CONFIG_FILE_PATH;
    const mount = (temporal.volumes ?? []).map((v) => v.split(':')).find(([, target]) => file?.startsWith(`${target}/`));
    expect(mount).toBeDefined();
    const [source, target] = mount!;
    expect(fs.existsSync(path.join(root, source, file.slice(target.length + 1)))).toBe(true);
  });

  it('gives every service that others wait for a health check, and waits for health or completion', () => {
    const { services } = loadCompose();
    const problems: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependencies(service))) {
        if (!services[dep]) problems.push(`${name} depends on unknown ${dep}`);
        else if (condition === 'service_healthy' && !services[dep].healthcheck) problems.push(`${name} waits for ${dep} to be healthy, which has no healthcheck`);
        else if (condition !== 'service_healthy' && condition !== 'service_completed_successfully') problems.push(`${name} starts after ${dep} without waiting (${condition ?? 'no condition'})`);
      }
    }
    expect(problems).toEqual([]);
    const long = Object.entries(services).filter(([name]) => !['temporal-schema', 'temporal-setup'].includes(name));
    expect(long.filter(([, s]) => !s.healthcheck).map(([name]) => name)).toEqual([]);
  });

  it('checks the API on /readyz (Temporal and MongoDB answer), not only that it runs', () => {
    expect(JSON.stringify(loadCompose().services.api.healthcheck?.test)).toContain('/readyz');
  });

  it('has the UI decode payloads through the API\'s codec endpoint, from an origin the API allows', () => {
    const { services } = loadCompose();
    const ui = environmentOf(services['temporal-ui']);
    const api = environmentOf(services.api);
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${hostPort(services.api, 3000)}/codec`);
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    const uiOrigin = `http://localhost:${hostPort(services['temporal-ui'], 8080)}`;
    expect(new URL(api.TEMPORAL_UI_URL).origin).toBe(uiOrigin);
    expect(api.CODEC_CORS_ORIGINS.split(',').map((o) => o.trim())).toContain(uiOrigin);
    expect(ui.TEMPORAL_CORS_ORIGINS.split(',')).toContain(uiOrigin);
  });

  it('uses MongoDB 8.0', () => {
    expect(loadCompose().services.mongo.image).toBe('mongo:8.0');
  });

  it.each(['sandbox', 'worker', 'api'])('sets only configuration variables that config/env.ts reads on %s (and the worker\'s NODE_OPTIONS)', (name) => {
    const known = new Set<string>([...CONFIG_ENV_NAMES, ...(name === 'worker' ? ['NODE_OPTIONS'] : [])]);
    const names = environmentNames(loadCompose().services[name]);
    expect(names.length).toBeGreaterThan(0);
    // The unknown names themselves are the failure message, so a typo is named.
    expect(names.filter((n) => !known.has(n))).toEqual([]);
  });

  it('runs the worker, and only the worker, with its --stack-trace-limit (worker/node-options.ts)', () => {
    const { services } = loadCompose();
    expect(environmentOf(services.worker).NODE_OPTIONS).toBe(`--stack-trace-limit=${WORKER_STACK_TRACE_LIMIT}`);
    expect([environmentOf(services.api).NODE_OPTIONS, environmentOf(services.sandbox).NODE_OPTIONS]).toEqual([undefined, undefined]);
  });

  it('gives the worker a stop grace period longer than its own shutdown budget (force time, then the 5 s read-model flush)', () => {
    const worker = loadCompose().services.worker;
    const config = loadConfig(environmentOf(worker));
    expect(worker.stop_grace_period).toMatch(/^\d+s$/);
    expect(durationMs(worker.stop_grace_period!)).toBeGreaterThanOrEqual(durationMs(config.WORKER_SHUTDOWN_FORCE_TIME) + 5000 + 5000);
    expect(durationMs(config.WORKER_SHUTDOWN_GRACE_TIME)).toBeLessThan(durationMs(config.WORKER_SHUTDOWN_FORCE_TIME));
  });

  it('registers every case search attribute on the Temporal server', () => {
    const script = commandText(loadCompose().services['temporal-setup']);
    const missing = CASE_SEARCH_ATTRIBUTES.filter(({ name, type }) => !new RegExp(`register ${name} ${type}\\b`).test(script));
    expect(missing).toEqual([]);
  });
});
