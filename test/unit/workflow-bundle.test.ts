import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

// The worker evaluates every module of this bundle again for each workflow it caches (up to
// WORKER_MAX_CACHED_WORKFLOWS), so what workflows/ pulls in costs memory per cached case: a
// schema library built at module load (zod, ~450 KiB of code) cost about 3.7 MiB RSS per case.
// ESLint keeps zod out of workflows/ and the domain/ modules; this checks the bundle itself,
// including anything reached through a package.
const ALLOWED_PACKAGES = ['@temporalio/workflow', '@temporalio/common', 'long', 'ms', 'nexus-rpc'];

it('the workflow bundle holds no packages beyond the Temporal workflow runtime (no zod)', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, '../../workflows'), logger: new DefaultLogger('WARN') });
  const modules = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]);
  expect(modules.length).toBeGreaterThan(10);
  const packages = new Set(modules.flatMap((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1] ?? []));
  expect([...packages].filter((p) => !ALLOWED_PACKAGES.includes(p))).toEqual([]);
  expect(modules.filter((m) => /\.schema(\.ts)?$/.test(m))).toEqual([]);
}, 60_000);
