#!/usr/bin/env bash
# Benchmark of the webhook surfaces, with the collector benchmark's bare-axum baseline in
# the same run (ratios are what compare across machines):
#   baseline    `clickwire loadgen` single events against `clickwire baseline`;
#   webhooks    `clickwire loadgen` posting the same bodies to POST /v1/ingest/<source>;
#   socket x1   tests/js/source-socket-bench.mjs: one inbound WebSocket source socket,
#               200 messages in flight, acks/s;
#   socket x50  the same over 50 sockets at once.
# Prints a markdown table on stdout; progress goes to stderr.
#
# Environment (optional): BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (loadgen,
# default 32), BENCH_SKIP_BUILD=1 (use the existing release binary), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
BIN=${CARGO_TARGET_DIR:-target}/release/clickwire
SERVER_ADDR=127.0.0.1:18180
BASELINE_ADDR=127.0.0.1:18181

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-sources: $*"; exit 1; }
command -v node >/dev/null || die "node is required (scripts/install-test-clients.sh)"
command -v curl >/dev/null || die "curl is required"
[[ -d tests/js/node_modules/ws ]] || die "tests/js/node_modules is missing: run scripts/install-test-clients.sh"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-sources.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

wait_ready() {
    local _
    for _ in $(seq 600); do
        curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "timed out waiting for $1"
}

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    log "building release binary"
    cargo build --release -p clickwire >&2
fi

CLICKWIRE_RATE_LIMITS__ENABLED=false "$BIN" serve --listen "$SERVER_ADDR" --data "$TMP/data" \
    >"$TMP/server.log" 2>&1 &
PIDS+=("$!")
"$BIN" baseline --listen "$BASELINE_ADDR" >"$TMP/baseline.log" 2>&1 &
PIDS+=("$!")
wait_ready "http://$SERVER_ADDR/readyz"
wait_ready "http://$BASELINE_ADDR/readyz"
SOURCE=$("$BIN" source create bench --kind webhook --rate-limit 10000000 --data "$TMP/data" | json_field id)
KEY=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["keys"]["server"])' \
    "$TMP/data/bootstrap-credentials.json")

loadgen() {
    "$BIN" loadgen --url "$1" --connections "$CONNECTIONS" --duration "${DURATION}s" --warmup 1s --json
}
log "+ loadgen against the baseline"
loadgen "http://$BASELINE_ADDR/v1/events" >"$TMP/baseline.json"
log "+ loadgen against POST /v1/ingest/$SOURCE"
loadgen "http://$SERVER_ADDR/v1/ingest/$SOURCE" >"$TMP/webhooks.json"
URL="ws://$SERVER_ADDR/v1/ws/source/$SOURCE?token=$KEY"
log "+ node tests/js/source-socket-bench.mjs --sockets 1"
node tests/js/source-socket-bench.mjs --url "$URL" --sockets 1 --duration "$DURATION" >"$TMP/socket1.json"
log "+ node tests/js/source-socket-bench.mjs --sockets 50"
node tests/js/source-socket-bench.mjs --url "$URL" --sockets 50 --window 50 --duration "$DURATION" >"$TMP/socket50.json"

python3 - "$TMP" "$(git describe --always --dirty 2>/dev/null || echo none)" <<'PY'
import json, sys
tmp, commit = sys.argv[1], sys.argv[2]
load = lambda name: json.load(open(f"{tmp}/{name}.json"))
base, hooks, one, many = load("baseline"), load("webhooks"), load("socket1"), load("socket50")
b = base["req_per_s"]
print(f"commit {commit}")
print()
print("| target | per second | vs baseline | p99 | not OK |")
print("|---|---|---|---|---|")
print(f"| baseline, single events | {b:.0f} req | 1.00 | {base['latency_us']['p99']/1000:.2f} ms | {base['requests']-base['ok']} |")
print(f"| POST /v1/ingest/<source> | {hooks['req_per_s']:.0f} req | {hooks['req_per_s']/b:.2f} | {hooks['latency_us']['p99']/1000:.2f} ms | {hooks['requests']-hooks['ok']} |")
print(f"| inbound socket x1 (200 in flight) | {one['acks_per_s']} acks | {one['acks_per_s']/b:.2f} | — | {one['errors']} |")
print(f"| inbound sockets x50 (50 in flight each) | {many['acks_per_s']} acks | {many['acks_per_s']/b:.2f} | — | {many['errors']} |")
PY
