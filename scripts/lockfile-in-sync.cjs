// Exit 0 when node_modules already holds exactly what package-lock.json pins,
// judged from npm's own record of the installed tree (node_modules/.package-lock.json,
// rewritten by every npm install). Used by setup.sh to avoid a needless `npm ci`
// after a dependency was added by hand with `npm install`.
'use strict';
const fs = require('node:fs');

function packages(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')).packages ?? {};
  } catch {
    return undefined;
  }
}

const wanted = packages('package-lock.json');
const installed = packages('node_modules/.package-lock.json');
if (!wanted || !installed) process.exit(1);

for (const [path, entry] of Object.entries(wanted)) {
  if (path === '' || entry.link) continue;
  const have = installed[path];
  // Optional packages for other platforms are legitimately absent.
  if (!have) {
    if (entry.optional || entry.devOptional) continue;
    process.exit(1);
  }
  if (have.version !== entry.version) process.exit(1);
}
for (const path of Object.keys(installed)) {
  if (!(path in wanted)) process.exit(1);
}
process.exit(0);
