#!/usr/bin/env bash
# Benchmark of deliveries, each figure measured in this run:
#   ingest alone       `clickwire loadgen` 25-event batches against a server with no connection;
#   ingest delivering  the same against a server whose every event goes to a fast receiver
#                      (`clickwire sink`): the ratio to "ingest alone" is what delivering costs.
#                      The receiver stands for a remote endpoint, so it runs at nice 19 and
#                      takes only the CPU the server leaves (set BENCH_SINK_NICE=0 to let it
#                      compete as an equal);
#   fast receiver      deliveries/s drained from the backlog that run left, the receiver
#                      answering at once (success counter over BENCH_DURATION seconds);
#   slow receiver      the same with every answer taking 200 ms (max_concurrency 500).
# Prints a markdown table on stdout; progress goes to stderr.
#
# Environment (optional): BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (loadgen,
# default 16), BENCH_SINK_NICE (default 19), BENCH_SKIP_BUILD=1 (use the existing release
# binary), CARGO_TARGET_DIR; CLICKWIRE_DELIVERIES__LOW_PRIORITY=false measures the server
# with its delivery threads at normal priority.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
SINK_NICE=${BENCH_SINK_NICE:-19}
BIN=${CARGO_TARGET_DIR:-target}/release/clickwire
SERVER_ADDR=127.0.0.1:18280
SINK_ADDR=127.0.0.1:18290

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-deliveries: $*"; exit 1; }
command -v curl >/dev/null || die "curl is required"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-deliveries.XXXXXX")
PIDS=()
stop_all() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    PIDS=()
}
trap 'stop_all; rm -rf "$TMP"' EXIT

wait_ready() {
    local _
    for _ in $(seq 600); do
        curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "timed out waiting for $1"
}

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
key_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["keys"][sys.argv[2]])' "$1/bootstrap-credentials.json" "$2"; }
# The value of a counter line of /metrics (0 when absent).
counter() {
    curl -fsS "http://$SERVER_ADDR/metrics" | python3 -c '
import sys
want = sys.argv[1]
total = 0.0
for line in sys.stdin:
    if line.startswith(want):
        total += float(line.rsplit(" ", 1)[1])
print(int(total))' "$1"
}

if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    log "building release binary"
    cargo build --release -p clickwire >&2
fi

serve() {
    CLICKWIRE_RATE_LIMITS__ENABLED=false "$BIN" serve --listen "$SERVER_ADDR" --data "$1" \
        >"$1.log" 2>&1 &
    PIDS+=("$!")
    wait_ready "http://$SERVER_ADDR/readyz"
}

loadgen() {
    "$BIN" loadgen --url "http://$SERVER_ADDR/v1/events" --key "$1" --batch 25 \
        --connections "$CONNECTIONS" --duration "${DURATION}s" --warmup 1s --json
}

# connect DATA_DIR SINK_URL MAX_CONCURRENCY: a destination for every event of the tenant.
connect() {
    local admin destination
    admin=$(key_of "$1" admin)
    destination=$(curl -fsS "http://$SERVER_ADDR/v1/destinations" -H "X-API-Key: $admin" \
        -H 'content-type: application/json' \
        -d "{\"name\":\"sink\",\"url\":\"$2\",\"max_concurrency\":$3}" | json_field id)
    curl -fsS -o /dev/null "http://$SERVER_ADDR/v1/connections" -H "X-API-Key: $admin" \
        -H 'content-type: application/json' \
        -d "{\"source_id\":\"*\",\"destination_id\":\"$destination\"}"
}

# drain_rate: successful deliveries per second over DURATION seconds.
drain_rate() {
    local before after
    before=$(counter 'clickwire_deliveries_total{outcome="success"}')
    sleep "$DURATION"
    after=$(counter 'clickwire_deliveries_total{outcome="success"}')
    echo $(( (after - before) / DURATION ))
}

log "+ ingest alone"
serve "$TMP/alone"
loadgen "$(key_of "$TMP/alone" server)" >"$TMP/alone.json"
stop_all

log "+ ingest while delivering to a fast receiver"
nice -n "$SINK_NICE" "$BIN" sink --listen "$SINK_ADDR" --threads 1 >"$TMP/sink-fast.json" 2>/dev/null &
PIDS+=("$!")
wait_ready "http://$SINK_ADDR/readyz"
serve "$TMP/fast"
connect "$TMP/fast" "http://$SINK_ADDR/hook" 64
loadgen "$(key_of "$TMP/fast" server)" >"$TMP/delivering.json"
ROUTED=$(counter clickwire_deliveries_routed_total)
log "+ draining the backlog ($ROUTED routed)"
FAST=$(drain_rate)
stop_all

log "+ a receiver answering in 200 ms"
nice -n "$SINK_NICE" "$BIN" sink --listen "$SINK_ADDR" --threads 1 --delay 200ms >"$TMP/sink-slow.json" 2>/dev/null &
PIDS+=("$!")
wait_ready "http://$SINK_ADDR/readyz"
serve "$TMP/slow"
connect "$TMP/slow" "http://$SINK_ADDR/hook" 500
loadgen "$(key_of "$TMP/slow" server)" >/dev/null
SLOW=$(drain_rate)
stop_all

python3 - "$TMP" "$FAST" "$SLOW" "$(git describe --always --dirty 2>/dev/null || echo none)" "$SINK_NICE" <<'PY'
import json, sys
tmp, fast, slow, commit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
alone = json.load(open(f"{tmp}/alone.json"))
delivering = json.load(open(f"{tmp}/delivering.json"))
a, d = alone["events_per_s"], delivering["events_per_s"]
print(f"commit {commit}, receiver at nice {sys.argv[5]}")
print()
print("| target | per second | ratio |")
print("|---|---|---|")
print(f"| ingest alone, 25-event batches | {a:.0f} events | 1.00 |")
print(f"| ingest while every event is delivered | {d:.0f} events | {d/a:.2f} |")
print(f"| deliveries to a receiver answering at once | {fast} | — |")
print(f"| deliveries to a receiver answering in 200 ms | {slow} | — |")
PY
