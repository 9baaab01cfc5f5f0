import fs from 'node:fs';
import path from 'node:path';
import { WORKFLOW_BUNDLE_ENV } from './workflow-bundle';

/** Jest globalTeardown of the `workflows` project: removes the run's bundle. */
export default async function globalTeardown(): Promise<void> {
  const file = process.env[WORKFLOW_BUNDLE_ENV];
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
