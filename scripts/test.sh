#!/usr/bin/env bash
# The whole test suite: unit, property, integration (real sockets, real SQLite) and
# binary tests (the real `clickwire` process, SIGKILL/SIGTERM; the Signals Feed with the
# contract's Node example, wscat and `clickwire subscribe`; the Segment and RudderStack
# SDKs against a running server).
# First installs the third-party clients those tests drive (pinned: tests/js by its
# lockfile, tests/py by its requirements); a missing Node.js or Python fails here, with
# what to install, rather than skipping tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-clients.sh
cargo test --workspace --locked "$@"
