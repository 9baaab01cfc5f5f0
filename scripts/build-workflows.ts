/**
 * `tsx scripts/build-workflows.ts`: prebuilds the worker's workflow bundle (worker/prebuilt-workflow-bundle.ts)
 * for every set of workflow interceptor modules the worker may load — tracing off or on, unversioned or
 * versioned (WORKER_BUILD_ID) — into dist/workflow-bundles/. The Dockerfile runs it, so the worker of the
 * image starts without webpack; a worker whose code differs from a bundle's inputs bundles at start instead.
 */
import path from 'node:path';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../codec/data-converter';
import { TRACING_WORKFLOW_INTERCEPTOR_MODULES } from '../observability/worker-tracing';
import { PREBUILT_BUNDLE_DIR, writePrebuiltBundle } from '../worker/prebuilt-workflow-bundle';
import { VERSIONING_BEHAVIORS_MODULE } from '../worker/worker-deployment';
import { REPO_ROOT } from './stack/paths';

/** The worker's module lists, in the order worker/main.ts composes them (base, tracing, versioning behaviours). */
export const WORKER_MODULE_VARIANTS: readonly { name: string; modules: string[] }[] = [false, true].flatMap((tracing) =>
  [false, true].map((versioned) => ({
    name: `tracing ${tracing ? 'on' : 'off'}, ${versioned ? 'versioned' : 'unversioned'}`,
    modules: [...WORKFLOW_INTERCEPTOR_MODULES, ...(tracing ? TRACING_WORKFLOW_INTERCEPTOR_MODULES : []), ...(versioned ? [VERSIONING_BEHAVIORS_MODULE] : [])],
  })),
);

async function main(): Promise<void> {
  for (const variant of WORKER_MODULE_VARIANTS) {
    const started = Date.now();
    const { codePath, buildId } = await writePrebuiltBundle(variant.modules, PREBUILT_BUNDLE_DIR);
    process.stdout.write(`workflow bundle (${variant.name}): ${path.relative(REPO_ROOT, codePath)}, build id ${buildId}, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`build-workflows: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
