/** @jest-config-loader esbuild-register */
// Node 20 cannot load a TypeScript config by itself; the docblock above tells Jest which loader to use.
import type { Config } from 'jest';

/** TypeScript through SWC: type checking is `npm run typecheck`'s job, not the test runner's. */
const transform: Config['transform'] = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    },
  ],
};

/** One Jest project: its files, and the default timeout of each of its tests. */
function project(displayName: string, testMatch: string, timeoutMs: number, extra: Config = {}): Config {
  return {
    displayName,
    testMatch: [`<rootDir>/${testMatch}`],
    testEnvironment: 'node',
    transform,
    moduleFileExtensions: ['ts', 'js', 'json'],
    modulePathIgnorePatterns: ['<rootDir>/.tools/', '<rootDir>/.data/', '<rootDir>/dist/'],
    // jest-circus ignores a per-project `testTimeout`; test/jest-timeout.setup.ts applies this one.
    globals: { AFTERSALES_TEST_TIMEOUT_MS: timeoutMs },
    setupFilesAfterEnv: ['<rootDir>/test/jest-timeout.setup.ts'],
    ...extra,
  };
}

// The browser tier: the desk walks beyond one per role, and the Temporal UI through our codec.
// They run on an integration stack of their own after `npm test` (`npm run test:browser`, in .ci/run).
const browserRequested = process.argv.some((arg) => arg === 'browser' || arg === '--selectProjects=browser');
// The reliability suite starts, kills and restarts stacks of its own (about 7 minutes on two
// cores), so it joins the projects only when asked for: `npm run test:reliability`, which is
// `jest --selectProjects reliability --runInBand` (one stack at a time).
const reliabilityRequested = process.argv.some((arg) => arg === 'reliability' || arg === '--selectProjects=reliability');
// The cluster test needs a Temporal server build (`setup.sh --cluster-tools`, ~10 min the first
// time) and PostgreSQL: it joins only when asked for, `npm run test:cluster`.
const clusterRequested = process.argv.some((arg) => arg === 'cluster' || arg === '--selectProjects=cluster');

/** The integration stack, started once for a project's files by its global setup. */
const integrationStack: Config = {
  globalSetup: '<rootDir>/test/integration/stack/global-setup.ts',
  globalTeardown: '<rootDir>/test/integration/stack/global-teardown.ts',
};

const config: Config = {
  // Two files at once: most of a file's time is spent waiting on servers (time-skipping, the
  // stack's callbacks and clocks), not computing, so the second core would otherwise idle.
  // `npm run test:reliability` and `test:cluster` run in band.
  maxWorkers: 2,
  projects: [
    project('unit', 'test/unit/**/*.test.ts', 10_000),
    // Each file runs its own time-skipping server (test/workflows/support/test-server.ts), so
    // files may run in parallel; the tests inside one file share its skipped time and run serially.
    // The workflow code is bundled once for the run by the global setup.
    project('workflows', 'test/workflows/**/*.test.ts', 60_000, {
      globalSetup: '<rootDir>/test/workflows/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/workflows/support/global-teardown.ts',
    }),
    // One real stack (Temporal, FerretDB, sandbox, worker, API as child processes) for all files.
    project('integration', 'test/integration/**/*.test.ts', 120_000, integrationStack),
    ...(browserRequested ? [project('browser', 'test/browser/**/*.test.ts', 180_000, integrationStack)] : []),
    // Each file starts its own stack (test/reliability/support/reliability-stack.ts) in beforeAll.
    ...(reliabilityRequested ? [project('reliability', 'test/reliability/**/*.test.ts', 300_000)] : []),
    // A Temporal cluster on PostgreSQL (scripts/stack/temporal-cluster.ts) under the reliability harness.
    ...(clusterRequested ? [project('cluster', 'test/cluster/**/*.test.ts', 300_000)] : []),
  ],
};

export default config;
