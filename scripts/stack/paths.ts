import path from 'node:path';

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Where scripts/setup.sh installs the tools that do not come from npm. */
export const TOOL_PATHS = {
  temporal: path.join(REPO_ROOT, '.tools', 'venv', 'bin', 'temporal'),
  temporalTestServer: path.join(REPO_ROOT, '.tools', 'venv', 'bin', 'temporal-test-server'),
  ferretdb: path.join(REPO_ROOT, '.tools', 'bin', 'ferretdb'),
  /** Our Temporal server build (tools/temporal-server), with `setup.sh --cluster-tools` only. */
  temporalServer: path.join(REPO_ROOT, '.tools', 'bin', 'temporal-server'),
  tsx: path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
} as const;
