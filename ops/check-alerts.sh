#!/usr/bin/env bash
# Checks the Prometheus files in ops/ with promtool: the configuration and the rules parse, and the
# rules' unit tests (ops/alerts.test.yml) fire the expected alerts on synthetic series.
# promtool comes from Debian's `prometheus` package; installed here when missing and we are root.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "promtool missing: installing Debian's prometheus package (it ships promtool)"
    # The package's service is not started in a container without an init system; we only need the tool.
    apt-get install -y --no-install-recommends prometheus >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends prometheus >/dev/null; }
  else
    echo "promtool not found: install Debian's prometheus package (apt-get install prometheus)" >&2
    exit 1
  fi
fi

promtool check config prometheus.yml
promtool test rules alerts.test.yml
