import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_ENV_NAMES } from '../../config/env';
import { CASE_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, unknown> | string[];
}

const composeText = fs.readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8');

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

  it('uses MongoDB 8.0', () => {
    expect(loadCompose().services.mongo.image).toBe('mongo:8.0');
  });

  it.each(['sandbox', 'worker', 'api'])('sets only configuration variables that config/env.ts reads on %s', (name) => {
    const known = new Set<string>(CONFIG_ENV_NAMES);
    const names = environmentNames(loadCompose().services[name]);
    expect(names.length).toBeGreaterThan(0);
    // The unknown names themselves are the failure message, so a typo is named.
    expect(names.filter((n) => !known.has(n))).toEqual([]);
  });

  it('registers every case search attribute on the Temporal server', () => {
    const script = commandText(loadCompose().services['temporal-admin-tools']);
    const missing = CASE_SEARCH_ATTRIBUTES.filter(({ name, type }) => !new RegExp(`register ${name} ${type}\\b`).test(script));
    expect(missing).toEqual([]);
  });
});
