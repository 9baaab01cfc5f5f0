import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CONVERTER_PATHS, WORKFLOW_INTERCEPTOR_MODULES } from '../../../codec/data-converter';

/** Where the workflows project's global setup leaves the bundle it made, for every test file of the run. */
export const WORKFLOW_BUNDLE_ENV = 'AFTERSALES_WORKFLOW_BUNDLE_FILE';

/** Bundles the workflow code as the worker does (our payload converter and interceptors included). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '../../../workflows'),
    logger: new DefaultLogger('WARN'),
    ...CONVERTER_PATHS,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
}

/**
 * The bundle the global setup made for this run, or null when a file runs without it. Bundling
 * takes several CPU seconds, so doing it once per run rather than once per file is what keeps
 * thirteen workflow files within the test budget.
 */
export function sharedWorkflowBundle(): WorkflowBundleWithSourceMap | null {
  const file = process.env[WORKFLOW_BUNDLE_ENV];
  if (!file || !fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap;
}
