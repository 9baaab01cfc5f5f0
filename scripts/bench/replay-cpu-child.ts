/**
 * One measurement of the replay-cpu benchmark, in a process of its own (so that its NODE_OPTIONS,
 * e.g. `--stack-trace-limit`, apply to it): replays every recorded history of test/replay/histories/
 * once untimed (warm-up), then `passes` times, on a replay worker over the prebuilt bundle `codePath`,
 * and prints one JSON line with the process CPU time (all threads) of the timed replays.
 *
 *   tsx scripts/bench/replay-cpu-child.ts <bundle code path> <passes>
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { payloadProtection } from '../../codec/data-converter';
import { KEY_REF_METADATA } from '../../codec/payload-encryption.codec';
import { caseWorkflowId } from '../../domain/ids';
import { historyFromJson } from '../../test/replay/history-json';
import { savedDataKeys, testKeyring } from '../../test/workflows/support/test-payload-protection';
import { noopCaseSinks } from '../../worker/read-model-publisher';

const HISTORIES_DIR = path.resolve(__dirname, '..', '..', 'test', 'replay', 'histories');

type StoredPayload = { metadata?: Record<string, string>; data?: string };
type HistoryJson = { events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: StoredPayload[] } } }[] };

function historyPaths(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return historyPaths(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

/** The workflow id a recorded case ran under, as test/workflows/replay.test.ts reads it. */
function workflowIdOf(json: HistoryJson, file: string): string {
  const payload = json.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const ref = payload?.metadata?.[KEY_REF_METADATA];
  if (ref !== undefined) return Buffer.from(ref, 'base64').toString('utf8').replace(/^case\//, '');
  const caseId = payload?.data ? (JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as { caseId?: unknown }).caseId : undefined;
  return typeof caseId === 'string' ? caseWorkflowId(caseId) : `replay-${file}`;
}

async function main(): Promise<void> {
  const [codePath, passesArg] = process.argv.slice(2);
  const passes = Number(passesArg ?? '2');
  if (!codePath || !Number.isInteger(passes) || passes < 1) throw new Error('usage: replay-cpu-child.ts <bundle code path> <passes>');
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  const histories = historyPaths(HISTORIES_DIR)
    .sort()
    .map((file) => {
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as HistoryJson;
      return { workflowId: workflowIdOf(json, file), history: historyFromJson(json) };
    });
  const protection = payloadProtection(testKeyring(), savedDataKeys());
  const replay = async (list: typeof histories): Promise<number> => {
    let errors = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath }, replayName: 'replay-cpu', sinks: noopCaseSinks, dataConverter: protection.dataConverter }, list)) {
      if (result.error) errors++;
    }
    return errors;
  };
  await replay(histories);
  const timed = Array.from({ length: passes }, () => histories).flat();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const errors = await replay(timed);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({ replays: timed.length, errors, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - wall0, stackTraceLimit: Error.stackTraceLimit })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`replay-cpu-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
