/**
 * Replay safety: every recorded history under test/replay/histories/ (current and archived
 * generations, see docs/workflow-versioning.md) is replayed against the current workflow code.
 * A change that would make a running case fail on the next deploy — a command added, removed or
 * reordered without `patched()` — fails here with the name of the history it breaks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { CASE_TYPES } from '../../domain/case.types';
import { caseWorkflowId } from '../../domain/ids';
import { historyFromJson, type History } from '../replay/history-json';
import { noopCaseSinks } from '../../worker/read-model-publisher';
import { prebuiltWorkflowBundle, writePrebuiltBundle } from '../../worker/prebuilt-workflow-bundle';
import { payloadProtection, WORKFLOW_INTERCEPTOR_MODULES } from '../../codec/data-converter';
import { KEY_REF_METADATA } from '../../codec/payload-encryption.codec';
import { savedDataKeys, testKeyring } from './support/test-payload-protection';
import { workflowBundle } from './support/workflow-harness';

const HISTORIES_DIR = path.resolve(__dirname, '..', 'replay', 'histories');

/** Every history file below `dir`, as absolute paths (archived generations live in subfolders). */
function historyPaths(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return historyPaths(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

/**
 * Every history file, relative to the histories folder, sorted; plus, when REPLAY_EXTRA_HISTORIES
 * names a folder, the histories in it (for example exported from production with
 * `temporal workflow show --output json`: replayed locally, never committed).
 */
function historyFiles(): string[] {
  const extra = process.env.REPLAY_EXTRA_HISTORIES ? historyPaths(path.resolve(process.env.REPLAY_EXTRA_HISTORIES)) : [];
  return [...historyPaths(HISTORIES_DIR), ...extra].map(displayName).sort();
}

/** A committed history by its path below the histories folder, any other by its absolute path. */
function displayName(full: string): string {
  const relative = path.relative(HISTORIES_DIR, full);
  return relative.startsWith('..') ? full : relative;
}

/** The file a display name stands for. */
function fileOf(name: string): string {
  return path.isAbsolute(name) ? name : path.join(HISTORIES_DIR, name);
}

type StoredPayload = { metadata?: Record<string, string>; data?: string };

/**
 * The workflow id the case ran under: from the key reference of an encrypted input (`case/<workflow id>`),
 * or `case-<caseId>` from a plaintext input (histories recorded before encryption).
 */
function workflowIdOf(json: { events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: StoredPayload[] } } }[] }, file: string): string {
  const payload = json.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const ref = payload?.metadata?.[KEY_REF_METADATA];
  if (ref !== undefined) return Buffer.from(ref, 'base64').toString('utf8').replace(/^case\//, '');
  const caseId = payload?.data ? (JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as { caseId?: unknown }).caseId : undefined;
  return typeof caseId === 'string' ? caseWorkflowId(caseId) : `replay-${file}`;
}

/** True when the history's workflow input is encrypted (recorded with the payload codec). */
function isEncrypted(json: Parameters<typeof workflowIdOf>[0]): boolean {
  return json.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.metadata?.[KEY_REF_METADATA] !== undefined;
}

function load(file: string): { workflowId: string; encrypted: boolean; json: { events: unknown[] } } {
  const json = JSON.parse(fs.readFileSync(fileOf(file), 'utf8')) as Parameters<typeof workflowIdOf>[0];
  return { workflowId: workflowIdOf(json, file), encrypted: isEncrypted(json), json };
}

/** The codec of the replays: the test master key and the data keys saved when the histories were recorded. */
const replayProtection = payloadProtection(testKeyring(), savedDataKeys());

/** Replays the histories on one replay worker over the bundled workflow code (or `bundle`); one result per history, in order. */
async function replay(histories: { workflowId: string; history: History }[], bundle?: { codePath: string }): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories(
    { workflowBundle: bundle ?? (await workflowBundle()), replayName: 'replay-test', sinks: noopCaseSinks, dataConverter: replayProtection.dataConverter },
    histories,
  )) {
    results.push(result);
  }
  return results;
}

const files = historyFiles();
const results = new Map<string, ReplayResult>();

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const loaded = files.map((file) => {
    const { workflowId, json } = load(file);
    return { workflowId, history: historyFromJson(json) };
  });
  const replayed = await replay(loaded);
  files.forEach((file, index) => {
    const result = replayed[index];
    if (result) results.set(file, result);
  });
});

describe('recorded histories replay on the current workflow code', () => {
  test('every case type has at least one recorded history (npm run record-histories)', () => {
    const typesRecorded = new Set(files.map((file) => path.basename(file)));
    const missing = CASE_TYPES.filter((type) => ![...typesRecorded].some((name) => name.startsWith(`${type.replace(/_/g, '-')}-`)));
    expect(missing).toEqual([]);
  });

  test('the current generation is recorded encrypted, and plaintext generations are kept beside it', () => {
    const current = files.filter((file) => !file.includes('/') && !path.isAbsolute(file));
    const plaintextCurrent = current.filter((file) => !load(file).encrypted);
    expect({ plaintextCurrent }).toEqual({ plaintextCurrent: [] });
    expect(files.some((file) => file.includes('/') && !load(file).encrypted)).toBe(true);
  });

  test.each(files)('%s replays without a determinism error', (file) => {
    const result = results.get(file);
    if (!result) throw new Error(`${file} was not replayed (the replay worker stopped before reaching it)`);
    if (result.error) {
      throw new Error(
        `${path.relative(process.cwd(), fileOf(file))} does not replay on the current workflow code: ${result.error.name}: ${result.error.message}\n` +
          'A running case with this history would fail after the deploy. Guard the change with patched() (docs/workflow-versioning.md).',
      );
    }
  });

  test('the guard is not vacuous: a history replayed as another workflow type fails with a determinism error', async () => {
    const { workflowId, json } = load('return-refunded.json');
    const started = (json.events[0] as { workflowExecutionStartedEventAttributes: { workflowType: { name: string } } }).workflowExecutionStartedEventAttributes;
    started.workflowType.name = 'reshipCaseWorkflow';
    const [result] = await replay([{ workflowId, history: historyFromJson(json) }]);
    expect(result.error?.name).toBe('DeterminismViolationError');
  });
});

describe('the prebuilt workflow bundle of the image (scripts/build-workflows.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prebuilt-bundle-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('built from the current code, the worker takes it, and every recorded history replays on it', async () => {
    const built = await writePrebuiltBundle(WORKFLOW_INTERCEPTOR_MODULES, dir);
    const found = prebuiltWorkflowBundle(WORKFLOW_INTERCEPTOR_MODULES, dir);
    expect(found).toEqual(built);
    const replayed = await replay(
      files.map((file) => {
        const { workflowId, json } = load(file);
        return { workflowId, history: historyFromJson(json) };
      }),
      { codePath: built.codePath },
    );
    const failed = files.flatMap((file, index) => (replayed[index]?.error ? [`${file}: ${replayed[index].error?.message}`] : replayed[index] ? [] : [`${file}: not replayed`]));
    expect(failed).toEqual([]);
  }, 120_000);

  test('the worker does not take it for other interceptor modules, nor once its build id no longer matches the code', () => {
    expect(prebuiltWorkflowBundle([...WORKFLOW_INTERCEPTOR_MODULES, require.resolve('../../workflows/versioning-behaviors')], dir)).toEqual({ missing: expect.stringContaining('no prebuilt bundle') });
    const manifestPath = fs.readdirSync(dir).find((name) => name.endsWith('.json'));
    if (!manifestPath) throw new Error('no manifest was written');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, manifestPath), 'utf8')) as { buildId: string };
    fs.writeFileSync(path.join(dir, manifestPath), JSON.stringify({ ...manifest, buildId: 'built-from-other-code' }));
    expect(prebuiltWorkflowBundle(WORKFLOW_INTERCEPTOR_MODULES, dir)).toEqual({ missing: expect.stringContaining('stale') });
  });
});
