#!/usr/bin/env bash
# The typecheck (`npm run typecheck`) and the lint (`npm run lint`) side by side: each is one
# thread, and `npm test` runs on two cores, so together they take the time of the slower one.
# Each one's output is printed whole, one after the other; fails when either fails.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
logs="$(mktemp -d "${TMPDIR:-/tmp}/aftersales-checks-XXXXXX")"
npm run --silent typecheck >"$logs/typecheck.log" 2>&1 &
typecheck=$!
npm run --silent lint >"$logs/lint.log" 2>&1 &
lint=$!
wait "$typecheck"; typecheck_rc=$?
wait "$lint"; lint_rc=$?
for name in typecheck lint; do
  echo "== $name"
  cat "$logs/$name.log"
done
rm -rf "$logs"
[ "$typecheck_rc" -eq 0 ] || echo "static checks: the typecheck failed (exit $typecheck_rc)" >&2
[ "$lint_rc" -eq 0 ] || echo "static checks: the lint failed (exit $lint_rc)" >&2
[ "$typecheck_rc" -eq 0 ] && [ "$lint_rc" -eq 0 ]
