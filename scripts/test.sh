#!/usr/bin/env bash
# The whole test suite: unit, property, integration (real sockets, real SQLite) and
# binary tests (the real `clickwire` process, SIGKILL/SIGTERM; the Signals Feed with the
# contract's Node example, wscat and `clickwire subscribe`).
# Installs the npm tools those tests run (tests/js, pinned by its lockfile) when npm is
# there; without node/npm the Node feed tests print why they skip.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
else
  echo "npm not found: the Node and wscat feed tests will be skipped" >&2
fi
cargo test --workspace --locked "$@"
