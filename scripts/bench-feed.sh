#!/usr/bin/env bash
# The Signals Feed benchmark: three runs of `clickwire feedbench`, each against a fresh
# release `clickwire serve` on loopback, printed as a markdown table.
#
#   1. frames delivered per second, 1,000 subscribers on one tenant    (aim ≥ 500,000/s)
#   2. ingest-ack → frame latency p50/p99, 5,000 events/s, 100 subs     (aim p99 ≤ 10 ms)
#   3. server resident memory per idle subscriber, 10,000 connected     (aim ≤ 16 KiB)
#
# Knobs (environment): THROUGHPUT_RATE (events/s offered in run 1; default 2000, that is
# 2,000,000 frames/s offered, more than 2 cores deliver, so run 1 measures capacity),
# DURATION (default 10s), BENCH_THREADS (feedbench worker threads, default 1), JSON_DIR
# (keep each run's JSON report there).
# Needs jq. Bounded: every run stops by itself; the servers are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

THROUGHPUT_RATE=${THROUGHPUT_RATE:-2000}
DURATION=${DURATION:-10s}
BENCH_THREADS=${BENCH_THREADS:-1}
command -v jq >/dev/null || { echo "bench-feed.sh needs jq (apt-get install jq)" >&2; exit 1; }

# 10,000 subscribers are 10,000 sockets in each process.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10300 ]; then
  echo "warning: ulimit -n is $(ulimit -n); the 10,000-subscriber run needs about 10,200 per process" >&2
fi

cargo build --release --locked -p clickwire >&2
BIN=target/release/clickwire
WORK=$(mktemp -d)
SERVER_PID=
JSON_DIR=${JSON_DIR:-$WORK}
mkdir -p "$JSON_DIR"

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap 'stop_server; rm -rf "$WORK"' EXIT

# Starts a fresh server; sets SERVER_PID, URL and KEY.
start_server() {
  local data="$WORK/data-$1"
  CLICKWIRE_FEED__MAX_SUBSCRIBERS_PER_TENANT=20000 \
  CLICKWIRE_RATE_LIMITS__ENABLED=false \
  CLICKWIRE_LOG__LEVEL=warn \
    "$BIN" serve --listen 127.0.0.1:0 --data "$data" >"$WORK/serve-$1.out" 2>"$WORK/serve-$1.err" &
  SERVER_PID=$!
  local addr=
  for _ in $(seq 1 200); do
    addr=$(sed -n 's/^listening on http:\/\///p' "$WORK/serve-$1.out")
    [ -n "$addr" ] && break
    sleep 0.05
  done
  [ -n "$addr" ] || { cat "$WORK/serve-$1.err" >&2; echo "the server did not start" >&2; exit 1; }
  URL="ws://$addr/v1/signals/stream"
  KEY=$(jq -r .keys.server "$data/bootstrap-credentials.json")
}

# Runs feedbench against a fresh server; the JSON report goes to $JSON_DIR/<name>.json.
bench() {
  local name=$1
  shift
  start_server "$name"
  echo "== $name: feedbench $*" >&2
  CS_API_KEY=$KEY "$BIN" feedbench --url "$URL" --threads "$BENCH_THREADS" --json "$@" \
    --server-pid "$SERVER_PID" >"$JSON_DIR/$name.json"
  jq -r '.' "$JSON_DIR/$name.json" >&2
  stop_server
}

bench throughput --subscribers 1000 --rate "$THROUGHPUT_RATE" --batch 25 --posters 2 \
  --duration "$DURATION" --warmup 2s
bench latency --subscribers 100 --rate 5000 --batch 1 --posters 64 \
  --duration "$DURATION" --warmup 2s
bench memory --subscribers 10000 --rate 0 --duration 0s --settle 3s \
  --connect-concurrency 256

t=$JSON_DIR/throughput.json l=$JSON_DIR/latency.json m=$JSON_DIR/memory.json
echo
echo "Signals Feed, $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "| benchmark | setup | result | aim |"
echo "|---|---|---|---|"
jq -r '"| frames delivered/s, 1,000 subscribers | \(.connected) connected, \(.rate_target) events/s offered in batches of \(.batch), \(.events_acked / .duration_s | floor) acked, \(.duration_s)s | **\(.frames_per_s | floor)** frames/s (\(.frame_bytes_per_s / 1e6 | floor) MB/s), delivered ratio \(.delivered_ratio // 0 | . * 10000 | floor / 10000), ended early: \(.ended_early | tostring) | ≥ 500,000/s |"' "$t"
jq -r '"| ingest-ack → frame latency | \(.connected) subscribers, \(.events_acked / .duration_s | floor) events/s acked, single-event POSTs, \(.duration_s)s | p50 **\(.ack_to_frame.p50_us / 1000) ms**, p99 **\(.ack_to_frame.p99_us / 1000) ms** (send → frame p50 \(.send_to_frame.p50_us / 1000) ms, p99 \(.send_to_frame.p99_us / 1000) ms), delivered ratio \(.delivered_ratio // 0 | . * 10000 | floor / 10000) | p99 ≤ 10 ms |"' "$l"
jq -r '"| server RSS per idle subscriber | \(.connected) connected in \(.connect_s * 100 | floor / 100)s | **\(.memory.bytes_per_subscriber / 1024 * 100 | floor / 100) KiB** (\(.memory.rss_before_kib) → \(.memory.rss_after_kib) KiB) | ≤ 16 KiB |"' "$m"
