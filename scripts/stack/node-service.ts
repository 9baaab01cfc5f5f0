import fs from 'node:fs';
import path from 'node:path';
import type { ManagedProcess, ProcessGroup } from './managed-process';
import { REPO_ROOT, TOOL_PATHS } from './paths';
import { httpOk, waitUntilReady } from './wait';

/** One of our Node services (sandbox, worker, API), run from its TypeScript entry with tsx. */
export interface NodeServiceOptions {
  /** Output prefix and name in messages: `sandbox`, `worker`, `api`, … */
  name: string;
  /** Entry file, relative to the repository root or absolute (`api/main.ts`). */
  entry: string;
  /** The complete environment of the service. */
  env: NodeJS.ProcessEnv;
  /** Ready once GET answers 2xx. */
  healthUrl: string;
  /** How long to wait for health (default 90 s: the worker bundles workflow code at start). */
  readyTimeoutMs?: number;
}

/** Starts `node_modules/.bin/tsx <entry>` as a child of `group`; resolves once its health URL answers. */
export async function startNodeService(group: ProcessGroup, options: NodeServiceOptions): Promise<ManagedProcess> {
  const entry = path.resolve(REPO_ROOT, options.entry);
  if (!fs.existsSync(entry)) throw new Error(`${options.name}: entry file ${entry} does not exist`);
  if (!fs.existsSync(TOOL_PATHS.tsx)) throw new Error(`tsx is missing (${TOOL_PATHS.tsx}): run npm run setup`);
  const child = group.spawn({ name: options.name, command: TOOL_PATHS.tsx, args: [entry], env: options.env, cwd: REPO_ROOT });
  await waitUntilReady(`${options.name} (${options.healthUrl})`, httpOk(options.healthUrl), {
    timeoutMs: options.readyTimeoutMs ?? 90_000,
    intervalMs: 250,
    child,
  });
  return child;
}
