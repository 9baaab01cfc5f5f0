import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The desk's API client is typed from the committed desk/src/api/schema.ts; it must say what
// /openapi.json says, or the pages would compile against an API that is not there.
test('desk/src/api/schema.ts matches the OpenAPI document the API serves', () => {
  const root = path.resolve(__dirname, '../..');
  const run = spawnSync(path.join(root, 'node_modules/.bin/tsx'), ['scripts/desk-api-types.ts', '--check'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  expect({ status: run.status, said: `${run.stdout}${run.stderr}`.trim() }).toEqual({ status: 0, said: 'desk/src/api/schema.ts matches the OpenAPI document' });
});
