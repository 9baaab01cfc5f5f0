import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_ENV_NAMES } from '../../config/env';

// docs/configuration.md is where operators look a variable up: every one config/env.ts reads is there.
test('every environment variable the configuration reads is described in docs/configuration.md', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/configuration.md'), 'utf8');
  const undocumented = CONFIG_ENV_NAMES.filter((name) => !doc.includes(`\`${name}\``));
  expect({ undocumented }).toEqual({ undocumented: [] });
});
