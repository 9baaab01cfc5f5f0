import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflows, WORKFLOW_BUNDLE_ENV } from './workflow-bundle';

/** Jest globalSetup of the `workflows` project: bundles the workflow code once for every file of the run. */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const bundle = await bundleWorkflows();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftersales-wf-bundle-'));
  const file = path.join(dir, 'bundle.json');
  fs.writeFileSync(file, JSON.stringify({ code: bundle.code, sourceMap: bundle.sourceMap }));
  // Jest starts its test workers after this returns, and they inherit process.env.
  process.env[WORKFLOW_BUNDLE_ENV] = file;
  process.stdout.write(`\nworkflow code bundled once in ${Date.now() - started} ms\n`);
}
