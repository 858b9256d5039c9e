#!/usr/bin/env bash
# What request logs cost: two release servers started the same way, one at log.level
# "info" (a line per request, the default) and one at "warn" (none), each loaded in turn
# by `clickwire loadgen` (32 connections, 8 s, singles then 25-event batches, two rounds),
# reporting events/s and the server's own CPU time per request (utime+stime from
# /proc/<pid>/stat), which is less disturbed than throughput when the machine is shared.
# Environment: BENCH_SKIP_BUILD=1 uses the existing target/release/clickwire.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${CARGO_TARGET_DIR:-target}/release/clickwire
[[ ${BENCH_SKIP_BUILD:-0} == 1 ]] || cargo build --release --locked -p clickwire >&2
command -v jq >/dev/null || { echo "bench-logs: jq is required" >&2; exit 1; }
TMP=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$TMP"' EXIT
start() { # name addr level
    mkdir -p "$TMP/$1"
    CLICKWIRE_LOG__LEVEL=$3 "$BIN" serve --listen "$2" --data "$TMP/$1" >/dev/null 2>"$TMP/$1.err" &
    PIDS+=($!)
    echo $! >"$TMP/$1.pid"
    for _ in $(seq 100); do curl -sf "http://$2/readyz" >/dev/null && return; sleep 0.1; done
    echo "bench-logs: $1 did not start" >&2; exit 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() { # addr key batch pid
    local before after out requests
    before=$(cpu_ticks "$4")
    out=$("$BIN" loadgen --url "http://$1/v1/events" --key "$2" --batch "$3" --duration 8s \
        --connections 32 --json 2>/dev/null)
    after=$(cpu_ticks "$4")
    requests=$(jq -r .requests <<<"$out")
    printf '%s ev/s, %s µs CPU/request' "$(jq -r '.events_per_s | floor' <<<"$out")" \
        "$(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))"
}
start info 127.0.0.1:18180 info
start warn 127.0.0.1:18181 warn
KEY_INFO=$(jq -r .keys.server "$TMP/info/bootstrap-credentials.json")
KEY_WARN=$(jq -r .keys.server "$TMP/warn/bootstrap-credentials.json")
echo "| round | batch | log.level info | log.level warn |"
echo "|---|---|---|---|"
for round in 1 2; do
    for batch in 1 25; do
        echo "| $round | $batch | $(run 127.0.0.1:18180 "$KEY_INFO" "$batch" "$(cat "$TMP/info.pid")") | $(run 127.0.0.1:18181 "$KEY_WARN" "$batch" "$(cat "$TMP/warn.pid")") |"
    done
done
echo "request log: $(wc -l <"$TMP/info.err") lines, $(wc -c <"$TMP/info.err") bytes"
