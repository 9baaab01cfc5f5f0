#!/usr/bin/env node
// Sums the Jest JSON reports of a CI run (one per tier, `--json --outputFile`; schemathesis writes
// its test cases in the same shape) into one closing
// line, "Tests: N passed, N failed", so the whole run ends on a count a reader (or a CI that
// does not parse Jest) can trust. Exits non-zero when a report is missing or counts a failure.
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/test-totals.cjs <directory of Jest JSON reports>');
  process.exit(2);
}
const files = fs.readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
if (files.length === 0) {
  console.error(`test-totals: no Jest report in ${dir}`);
  process.exit(1);
}
let passed = 0;
let failed = 0;
for (const name of files) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  // A suite that failed to run (a syntax error, a failing beforeAll) counts as a failure even with no test in it.
  const brokenSuites = report.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  console.log(`${path.basename(name, '.json')}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`);
  passed += report.numPassedTests;
  failed += report.numFailedTests + brokenSuites;
}
console.log(`Tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
