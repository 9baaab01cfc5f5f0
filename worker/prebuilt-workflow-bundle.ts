import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type BundleOptions, type Logger } from '@temporalio/worker';
import { CONVERTER_PATHS } from '../codec/data-converter';

// The worker bundles its workflow code with webpack at every start (several CPU seconds, on every
// replica of every deploy) unless a bundle built ahead of time is there: the image builds one per
// set of workflow interceptor modules the worker may load (scripts/build-workflows.ts), and the
// worker takes it only when its build id — a hash of every file webpack read to make it — still
// matches the files on disk. A bundle made from other code would replay cases on the wrong code.

const REPO_ROOT = path.resolve(__dirname, '..');

/** Where scripts/build-workflows.ts writes the prebuilt bundles and where the worker looks for them. */
export const PREBUILT_BUNDLE_DIR = path.join(REPO_ROOT, 'dist', 'workflow-bundles');

const WORKFLOWS_PATH = require.resolve('../workflows');
const MANIFEST_FORMAT = 1;

/** What is written beside a prebuilt bundle's code: what it was built from. */
interface BundleManifest {
  format: number;
  /** Hash of the interceptor modules, the converters and every input file's content. */
  buildId: string;
  /** The workflow interceptor modules bundled in, relative to the repository root. */
  interceptorModules: string[];
  /** Every file webpack read, relative to the repository root, sorted. */
  inputs: string[];
}

/** A prebuilt bundle the worker can load (`workflowBundle: { codePath }`). */
export interface PrebuiltBundle {
  codePath: string;
  buildId: string;
}

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

const relative = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');

/** The file name of the bundle of one set of interceptor modules (the order counts: it is the order they run in). */
function variantName(interceptorModules: readonly string[]): string {
  return `workflows-${createHash('sha256').update(JSON.stringify(interceptorModules.map(relative))).digest('hex').slice(0, 12)}`;
}

/** The build id of a bundle made from `inputs` with `interceptorModules`; null when an input is gone. */
function buildIdOf(interceptorModules: readonly string[], inputs: readonly string[]): string | null {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ interceptorModules: interceptorModules.map(relative), converters: Object.values(CONVERTER_PATHS).map(relative) }));
  for (const input of inputs) {
    const file = path.resolve(REPO_ROOT, input);
    if (!fs.existsSync(file)) return null;
    hash.update(`\0${input}\0`).update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 32);
}

/**
 * Bundles the workflow code as the worker does at start (our converters and `interceptorModules`),
 * writes it to `dir` with its manifest, and returns where it is.
 */
export async function writePrebuiltBundle(interceptorModules: readonly string[], dir = PREBUILT_BUNDLE_DIR, logger: Logger = new DefaultLogger('WARN')): Promise<PrebuiltBundle> {
  const read = new Set<string>();
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger,
    ...CONVERTER_PATHS,
    workflowInterceptorModules: [...interceptorModules],
    webpackConfigHook: (config: WebpackConfig): WebpackConfig => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        {
          apply(compiler) {
            compiler.hooks.afterCompile.tap('aftersales-bundle-inputs', (compilation) => {
              for (const file of compilation.fileDependencies) read.add(file);
            });
          },
        },
      ],
    }),
  });
  // The SDK's generated entry lives in webpack's memory file system: only files on disk are inputs.
  const inputs = [...read].filter((file) => fs.existsSync(file) && fs.statSync(file).isFile()).map(relative).sort();
  const buildId = buildIdOf(interceptorModules, inputs);
  if (!buildId) throw new Error('an input of the workflow bundle vanished while it was built');
  fs.mkdirSync(dir, { recursive: true });
  const name = variantName(interceptorModules);
  const codePath = path.join(dir, `${name}.js`);
  const manifest: BundleManifest = { format: MANIFEST_FORMAT, buildId, interceptorModules: interceptorModules.map(relative), inputs };
  fs.writeFileSync(codePath, code);
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return { codePath, buildId };
}

/**
 * The prebuilt bundle of `interceptorModules` in `dir` when it was built from the files on disk
 * now (its build id matches); otherwise why not, and the worker bundles at start as before.
 */
export function prebuiltWorkflowBundle(interceptorModules: readonly string[], dir = PREBUILT_BUNDLE_DIR): PrebuiltBundle | { missing: string } {
  const name = variantName(interceptorModules);
  const codePath = path.join(dir, `${name}.js`);
  const manifestPath = path.join(dir, `${name}.json`);
  if (!fs.existsSync(codePath) || !fs.existsSync(manifestPath)) return { missing: `no prebuilt bundle ${relative(codePath)} (scripts/build-workflows.ts)` };
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as BundleManifest;
  } catch (error) {
    return { missing: `unreadable manifest ${relative(manifestPath)}: ${(error as Error).message}` };
  }
  if (manifest.format !== MANIFEST_FORMAT || !Array.isArray(manifest.inputs)) return { missing: `manifest ${relative(manifestPath)} is of another format` };
  const now = buildIdOf(interceptorModules, manifest.inputs);
  if (now !== manifest.buildId) return { missing: `prebuilt bundle ${relative(codePath)} is stale: the workflow code changed since it was built` };
  return { codePath, buildId: manifest.buildId };
}
