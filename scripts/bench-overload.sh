#!/usr/bin/env bash
# Overload drill (issue 13): clickwire at three times its measured capacity for a minute,
# then back to normal load, with `clickwire loadgen` on loopback.
#
#   1. capacity: single events over BENCH_CONNECTIONS keep-alive connections, flat out;
#   2. overload: --rate 3 × capacity over 1,024 connections for BENCH_OVERLOAD, the
#      server's RSS sampled every second;
#   3. recovery: the capacity run again right after, for 5 s without warm-up.
# Prints a markdown table on stdout: what was admitted (202) and refused (503 / 429),
# the admitted p99, the peak RSS, and the recovery throughput as a share of capacity.
#
# Environment (all optional):
#   BENCH_CONNECTIONS   connections of the capacity runs          default 64
#   BENCH_OVERLOAD      length of the overload                    default 60s
#   BENCH_SKIP_BUILD    1 = use the existing release binary       default: build it
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

CONNECTIONS=${BENCH_CONNECTIONS:-64}
OVERLOAD=${BENCH_OVERLOAD:-60s}
ADDR=127.0.0.1:18090
BIN=${CARGO_TARGET_DIR:-target}/release/clickwire

log() { printf '%s\n' "$*" >&2; }
command -v python3 >/dev/null || { log "bench-overload: python3 is required"; exit 1; }
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
    cargo build --release --locked -p clickwire >&2
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-overload.XXXXXX")
SERVER=""
cleanup() {
    [[ -n $SERVER ]] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

CLICKWIRE_RATE_LIMITS__ENABLED=false "$BIN" serve --listen "$ADDR" --data "$TMP/data" \
    >"$TMP/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do
    curl -fsS -o /dev/null "http://$ADDR/readyz" 2>/dev/null && break
    sleep 0.1
done
KEY=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["keys"]["server"])' \
    "$TMP/data/bootstrap-credentials.json")

# field FILE PATH: a value of a loadgen JSON result (dotted path).
field() {
    python3 -c 'import functools, json, sys
print(functools.reduce(lambda v, k: v.get(k, 0) if isinstance(v, dict) else 0,
      sys.argv[2].split("."), json.load(open(sys.argv[1]))))' "$1" "$2"
}
load() {
    local out=$1
    shift
    log "+ clickwire loadgen $*"
    "$BIN" loadgen --url "http://$ADDR/v1/events" --key "$KEY" --json "$@" >"$out"
}

load "$TMP/capacity.json" --connections "$CONNECTIONS" --duration 10s
CAPACITY=$(field "$TMP/capacity.json" req_per_s)
RATE=$(python3 -c "print(int(3 * $CAPACITY))")

(
    while kill -0 "$SERVER" 2>/dev/null; do
        awk '/^VmRSS/ { print $2 }' "/proc/$SERVER/status" 2>/dev/null
        sleep 1
    done
) >"$TMP/rss.txt" &
SAMPLER=$!
RSS_BEFORE=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVER/status")
curl -fsS "http://$ADDR/metrics" >"$TMP/metrics-before.txt"
load "$TMP/overload.json" --connections 1024 --rate "$RATE" --duration "$OVERLOAD" --warmup 0s
curl -fsS "http://$ADDR/metrics" >"$TMP/metrics-after.txt"
load "$TMP/recovery.json" --connections "$CONNECTIONS" --duration 5s --warmup 0s
kill "$SAMPLER" 2>/dev/null || true
RSS_PEAK=$(sort -n "$TMP/rss.txt" | tail -1)
SHED=$(curl -fsS "http://$ADDR/metrics" | awk '/^clickwire_ingest_shed_total/ { print $2 }')

python3 - "$TMP" "$CAPACITY" "$RATE" "$RSS_BEFORE" "$RSS_PEAK" "${SHED:-0}" "$(nproc)" <<'PY'
import json, sys
tmp, capacity, rate, before, peak, shed, cores = sys.argv[1:]
over = json.load(open(f"{tmp}/overload.json"))

def buckets(path):
    """The request-duration buckets of POST /v1/events answered 202: {le: count}."""
    out = {}
    for line in open(path):
        if not line.startswith("clickwire_http_request_duration_seconds_bucket{"):
            continue
        labels, count = line.rsplit(" ", 1)
        fields = dict(part.split("=", 1) for part in labels[labels.index("{") + 1:-1].split(","))
        fields = {k: v.strip('"') for k, v in fields.items()}
        if (fields.get("route"), fields.get("status"), fields.get("method")) == ("/v1/events", "202", "POST"):
            out[float(fields["le"]) if fields["le"] != "+Inf" else float("inf")] = float(count)
    return out

def server_p(q):
    """The bucket bound under which a share q of the overload's 202s were answered."""
    before, after = buckets(f"{tmp}/metrics-before.txt"), buckets(f"{tmp}/metrics-after.txt")
    delta = sorted((le, after[le] - before.get(le, 0.0)) for le in after)
    total = delta[-1][1] if delta else 0
    for le, count in delta:
        if total and count >= q * total:
            return le * 1000
    return float("nan")

cap = json.load(open(f"{tmp}/capacity.json"))
rec = json.load(open(f"{tmp}/recovery.json"))
refused = over["non_ok"]
print(f"| machine | capacity (req/s, p99 ms) | offered | admitted 202/s (client p99, p99.9 ms; server p99 ≤) | refused | peak RSS | recovery (first 5 s) |")
print("|---|---|---|---|---|---|---|")
print(f"| {cores} cores | {float(capacity):,.0f} ({cap['latency_us']['p99']/1000:.1f}) | {int(rate):,}/s over 1,024 conns for {over['duration_s']:.0f} s "
      f"| {over['ok']/over['window_s']:,.0f} ({over['latency_us']['p99']/1000:.1f}, {over['latency_us']['p999']/1000:.1f}; ≤ {server_p(0.99):g} ms) "
      f"| {', '.join(f'{k}: {v:,}' for k, v in refused.items()) or 'none'}; transport errors {over['transport_errors']}; shed counter {float(shed):,.0f} "
      f"| {int(before)//1024} → {int(peak)//1024} MiB | {rec['req_per_s']:,.0f} req/s = {rec['req_per_s']/float(capacity):.2f} × capacity |")
PY
