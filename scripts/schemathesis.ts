import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './stack/paths';
import { startIntegrationStack } from '../test/integration/stack/integration-stack';

// Contract test of the HTTP API with schemathesis (pinned in .tools/venv by scripts/setup.sh):
// starts the integration stack the way the integration tests do (Temporal dev server, FerretDB,
// sandbox, worker, API on free ports, in a temp dir), and runs every schemathesis check against
// the API's own /openapi.json as the admin. Fails on any 5xx, schema violation or undeclared answer.
// Bounded: SCHEMATHESIS_MAX_EXAMPLES cases per operation and phase (default 25) and
// SCHEMATHESIS_MAX_TIME seconds in all (default 200); with the stack's start, about 4 minutes on two
// cores. The API's rate limit (600 a minute per token) sets the pace: about 1,800 requests in 200 s.
//
//   npx tsx scripts/schemathesis.ts [extra schemathesis options]
//
// Narrow exclusions, each with its reason, are in schemathesis.toml (docs/api.md, "Contract tests").
//
// Its output is passed through with one change: schemathesis closes on a pytest-style banner
// ("==== 3 warnings in 241.75s ===="), which a CI that reads pytest's closing line takes for a run of
// no test; banners are printed as "== schemathesis: ..." instead. With SCHEMATHESIS_TOTALS=<file> the
// run's test cases are written there as a Jest-shaped report, so scripts/test-totals.cjs counts them.

const SCHEMATHESIS = path.join(REPO_ROOT, '.tools', 'venv', 'bin', 'schemathesis');
/** A staff token of config/dev-tokens.json, the tokens file of the integration stack. */
const ADMIN_TOKEN = 'dev-admin';

async function main(): Promise<number> {
  if (!fs.existsSync(SCHEMATHESIS)) {
    process.stderr.write(`schemathesis: ${SCHEMATHESIS} missing; run \`npm run setup\`\n`);
    return 1;
  }
  const started = Date.now();
  const { stack, group } = await startIntegrationStack();
  process.stdout.write(`schemathesis: stack up in ${Date.now() - started} ms: API ${stack.apiUrl}, logs in ${stack.logDir}\n`);
  let code = 1;
  try {
    const reportDir = path.join(stack.dir, 'schemathesis');
    const args = [
      '--config-file',
      path.join(REPO_ROOT, 'schemathesis.toml'),
      'run',
      `${stack.apiUrl}/openapi.json`,
      '--checks',
      'all',
      // The API answers a method it does not serve on a known path 404 not_found, like any unknown
      // route (docs/api.md); this check wants 405 with Allow. Per-operation exceptions: schemathesis.toml.
      '--exclude-checks',
      'unsupported_method',
      // Below the API's 600 requests a minute per token, so that the checks reach the routes behind the limiter.
      '--rate-limit',
      '540/m',
      '--header',
      `Authorization: Bearer ${ADMIN_TOKEN}`,
      '--max-examples',
      process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '25',
      '--max-time',
      process.env.SCHEMATHESIS_MAX_TIME ?? '200',
      // One worker: Python 3.11's parser is not safe across threads (hypothesis parses lambdas while it runs),
      // and the rate limit below, not the worker count, sets the pace.
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--seed',
      process.env.SCHEMATHESIS_SEED ?? '20261129',
      '--report',
      'junit',
      '--report-dir',
      reportDir,
      ...process.argv.slice(2),
    ];
    const output: string[] = [];
    code = await run(SCHEMATHESIS, args, (line) => output.push(line));
    if (process.env.SCHEMATHESIS_TOTALS) writeTotals(process.env.SCHEMATHESIS_TOTALS, output, code);
    if (code !== 0) process.stderr.write(`schemathesis: failed (exit ${code}); API log ${stack.logDir}/api.log, report in ${reportDir}\n`);
  } finally {
    await group.stopAll();
    if (code === 0 && process.env.AFTERSALES_IT_KEEP !== '1') fs.rmSync(stack.dir, { recursive: true, force: true });
  }
  return code;
}

/** A pytest-style banner line: "==== SUMMARY ====", "==== 3 warnings in 241.75s ====". */
const BANNER = /^=+ (.+?) =+$/;

/** The "Test cases:" figures of schemathesis's summary ("2161 generated, 2161 passed, 24 skipped"). */
function testCaseCounts(lines: readonly string[]): { passed: number; failed: number; skipped: number } | undefined {
  const at = lines.findIndex((line) => line.trim() === 'Test cases:');
  const figures = at >= 0 ? lines[at + 1] : undefined;
  if (figures === undefined) return undefined;
  const count = (word: string): number => Number(new RegExp(`(\\d+) ${word}`).exec(figures)?.[1] ?? 0);
  return { passed: count('passed'), failed: count('failed') + count('errored'), skipped: count('skipped') };
}

/** Writes the run's counts as a Jest-shaped report; a failed run with no figures counts one failure. */
function writeTotals(file: string, lines: readonly string[], code: number): void {
  const counts = testCaseCounts(lines) ?? { passed: 0, failed: 0, skipped: 0 };
  const failed = code !== 0 && counts.failed === 0 ? 1 : counts.failed;
  const report = { numPassedTests: counts.passed, numFailedTests: failed, numPendingTests: counts.skipped, testResults: [] };
  fs.writeFileSync(file, JSON.stringify(report));
}

/** Runs a command, passing its output on line by line (banners renamed, see above); a run that outlives its own time budget by 2 minutes is killed. */
function run(command: string, args: string[], onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
    let pending = '';
    const passOn = (line: string): void => {
      onLine(line);
      const banner = BANNER.exec(line);
      process.stdout.write(banner ? `== schemathesis: ${banner[1]}\n` : `${line}\n`);
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(passOn);
    });
    child.stdout.on('end', () => {
      if (pending) passOn(pending);
    });
    const budgetMs = (Number(process.env.SCHEMATHESIS_MAX_TIME ?? '200') + 120) * 1000;
    const timer = setTimeout(() => {
      process.stderr.write(`schemathesis: still running after ${budgetMs / 1000} s; killed\n`);
      child.kill('SIGKILL');
    }, budgetMs);
    child.on('error', reject);
    // 'close', not 'exit': the output is read to its end before the counts are taken.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`schemathesis: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
