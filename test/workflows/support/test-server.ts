import fs from 'node:fs';
import path from 'node:path';

/** Absolute path of the native time-skipping test server installed by scripts/setup.sh. */
export function timeSkippingServerPath(): string {
  const file = path.resolve(__dirname, '..', '..', '..', '.tools', 'venv', 'bin', 'temporal-test-server');
  if (!fs.existsSync(file)) {
    throw new Error(`time-skipping test server not found at ${file}: run npm run setup`);
  }
  return file;
}
