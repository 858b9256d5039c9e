#!/usr/bin/env bash
# The whole test suite: unit, property, integration (real sockets, real SQLite) and
# binary tests (the real `clickwire` process, SIGKILL/SIGTERM). Installs nothing today;
# any system package a later test needs is installed here, not by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
