#!/usr/bin/env bash
# Reproducible ingest benchmark: clickwire's POST /v1/events against a bare axum handler
# that only parses the JSON (`clickwire baseline`), measured in the same run so that the
# noise of a shared 2-core machine shows up in both and the ratio stays meaningful.
#
# Runs, each with `clickwire loadgen` over keep-alive connections on loopback:
#   baseline, clickwire, and clickwire with scoring off (CLICKWIRE_SCORING__ENABLED=false),
#   single events (--batch 1) and 25-event batches, at max throughput;
#   then clickwire at half its peak batch-25 events/s (--rate) to read latency under load;
#   then the pipeline endpoints on a second scored server started the same way, in the same
#   order as the collector runs (so both meet the same store): POST /v1/t (one message per
#   request), then POST /v1/batch (100 messages), with a pipeline key of a source created
#   for the run with a rate limit that does not bind.
# Prints a markdown table on stdout; progress and the exact commands go to stderr.
#
# Environment (all optional):
#   BENCH_DURATION          measured time per run (humantime)        default 10s
#   BENCH_WARMUP            warm-up per run, not counted             default 1s
#   BENCH_CONNECTIONS       loadgen connections                      default 32
#   BENCH_LOADGEN_THREADS   loadgen worker threads                   default 1
#   BENCH_BASELINE_THREADS  baseline worker threads                  default nproc
#   BENCH_RESULTS_DIR       keep each run's JSON result here         default: not kept
#   BENCH_DATA_DIR          the scored server serves this data dir   default: a fresh one
#                           (e.g. one `clickwire store fill` filled; it keeps the runs' events)
#   BENCH_SKIP_BUILD        1 = use the existing release binary      default: build it
#   BENCH_PIPELINE          0 = skip the pipeline runs                default 1
#   CARGO_TARGET_DIR        where cargo builds                       default ./target
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-1s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
LOADGEN_THREADS=${BENCH_LOADGEN_THREADS:-1}
BASELINE_THREADS=${BENCH_BASELINE_THREADS:-$(nproc)}
RESULTS_DIR=${BENCH_RESULTS_DIR:-}
DATA_DIR=${BENCH_DATA_DIR:-}
SKIP_BUILD=${BENCH_SKIP_BUILD:-0}
PIPELINE=${BENCH_PIPELINE:-1}
SERVER_ADDR=127.0.0.1:18080
BASELINE_ADDR=127.0.0.1:18081
UNSCORED_ADDR=127.0.0.1:18082
PIPELINE_ADDR=127.0.0.1:18083
BIN=${CARGO_TARGET_DIR:-target}/release/clickwire

log() { printf '%s\n' "$*" >&2; }
die() { log "bench-ingest: $*"; exit 1; }

command -v curl >/dev/null || die "curl is required (readiness probes)"
if command -v jq >/dev/null; then
    JSON_TOOL=jq
elif command -v python3 >/dev/null; then
    JSON_TOOL=python3
else
    die "jq or python3 is required (reading JSON results)"
fi

# json_get FILE PATH: the value at a dotted PATH (e.g. latency_us.p99) of a JSON file.
json_get() {
    if [[ $JSON_TOOL == jq ]]; then
        jq -r ".$2" "$1"
    else
        python3 -c 'import functools, json, sys
value = functools.reduce(lambda v, k: v[k], sys.argv[2].split("."), json.load(open(sys.argv[1])))
print(value)' "$1" "$2"
    fi
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-ingest.XXXXXX")
PIDS=()     # servers started by this script
LOAD_PID="" # the loadgen run in progress, if any

# stop_pid PID: SIGTERM, then SIGKILL if it has not exited after 10 s.
stop_pid() {
    local pid=$1 _
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Stops what this script started (by pid), then removes the temp dir.
cleanup() {
    local status=$?
    local pid
    if [[ -n $LOAD_PID ]]; then
        stop_pid "$LOAD_PID"
    fi
    for pid in "${PIDS[@]}"; do
        stop_pid "$pid"
    done
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_ready URL PID LOG: until URL answers 2xx; fails if the process dies or after 60 s.
wait_ready() {
    local url=$1 pid=$2 log_file=$3 _
    for _ in $(seq 600); do
        curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            log "process $pid exited before $url was ready; its log:"
            cat "$log_file" >&2
            return 1
        fi
        sleep 0.1
    done
    log "timed out waiting for $url; log:"
    cat "$log_file" >&2
    return 1
}

# wait_file PATH: until PATH exists, at most 30 s.
wait_file() {
    local _
    for _ in $(seq 300); do
        [[ -s $1 ]] && return 0
        sleep 0.1
    done
    die "$1 did not appear"
}

machine_line() {
    local model
    model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
    printf '%s, %s cores, %s' "$(uname -m)" "$(nproc)" "${model:-unknown CPU}"
}

# pipeline_key DATA KEY_VAR: a pipeline key (into KEY_VAR) of a new source of tenant
# `default` in DATA whose rate limit does not bind, made with the CLI.
pipeline_key() {
    local data=$1 key_var=$2 source key
    source=$("$BIN" source create bench --rate-limit 10000000 --data "$data" | json_id)
    [[ -n $source ]] || die "could not create the benchmark source"
    key=$("$BIN" key create --kind pipeline --tenant default --source "$source" --data "$data")
    printf -v "$key_var" '%s' "$key"
}

# json_id: the "id" of the JSON object on stdin.
json_id() {
    if [[ $JSON_TOOL == jq ]]; then
        jq -r .id
    else
        python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
    fi
}

# start_server ADDR NAME SCORING KEY_VAR: a clickwire server with its own data dir; its
# server key goes into the variable KEY_VAR (not via $(...): the server's pid must reach
# PIDS in this shell so cleanup stops it). SCORING=false runs without the process stage.
start_server() {
    local addr=$1 name=$2 scoring=$3 key_var=$4
    local data=$TMP/$name
    if [[ $name == server && -n $DATA_DIR ]]; then
        data=$DATA_DIR
    fi
    mkdir -p "$data"
    CLICKWIRE_RATE_LIMITS__ENABLED=false CLICKWIRE_SCORING__ENABLED=$scoring \
        "$BIN" serve --listen "$addr" --data "$data" >"$TMP/$name.log" 2>&1 &
    PIDS+=("$!")
    wait_ready "http://$addr/readyz" "$!" "$TMP/$name.log"
    wait_file "$data/bootstrap-credentials.json"
    local key
    key=$(json_get "$data/bootstrap-credentials.json" keys.server)
    [[ -n $key && $key != null ]] || die "no server key in $data/bootstrap-credentials.json"
    printf -v "$key_var" '%s' "$key"
}

start_baseline() {
    "$BIN" baseline --listen "$BASELINE_ADDR" --threads "$BASELINE_THREADS" \
        >"$TMP/baseline.log" 2>&1 &
    PIDS+=("$!")
    wait_ready "http://$BASELINE_ADDR/readyz" "$!" "$TMP/baseline.log"
}

# run_load NAME TARGET BATCH [RATE]: one loadgen run, JSON result in $TMP/NAME.json.
# TARGET is baseline, clickwire, unscored or pipeline (the scored server's pipeline
# endpoints: /v1/t for batch 1, /v1/batch otherwise).
run_load() {
    local name=$1 target=$2 batch=$3 rate=${4:-}
    local addr=$BASELINE_ADDR key="" path=/v1/events format=clickstream
    if [[ $target == clickwire ]]; then
        addr=$SERVER_ADDR key=$SERVER_KEY
    elif [[ $target == unscored ]]; then
        addr=$UNSCORED_ADDR key=$UNSCORED_KEY
    elif [[ $target == pipeline ]]; then
        addr=$PIPELINE_ADDR key=$PIPELINE_KEY format=pipeline path=/v1/batch
        if [[ $batch == 1 ]]; then
            path=/v1/t
        fi
    fi
    local args=(--url "http://$addr$path" --format "$format" --connections "$CONNECTIONS"
        --batch "$batch" --duration "$DURATION" --warmup "$WARMUP" --threads "$LOADGEN_THREADS"
        --json)
    if [[ -n $rate ]]; then
        args+=(--rate "$rate")
    fi
    # The key travels in the environment, not on the command line where ps shows it.
    log "+ clickwire loadgen ${args[*]}${key:+ (LOADGEN_API_KEY=<server key>)}"
    # In the background, so that a signal reaches the trap now and not after the run.
    if [[ -n $key ]]; then
        LOADGEN_API_KEY=$key "$BIN" loadgen "${args[@]}" >"$TMP/$name.json" &
    else
        env -u LOADGEN_API_KEY "$BIN" loadgen "${args[@]}" >"$TMP/$name.json" &
    fi
    LOAD_PID=$!
    if ! wait "$LOAD_PID"; then
        LOAD_PID=""
        log "loadgen run '$name' failed; its result:"
        cat "$TMP/$name.json" >&2
        exit 1
    fi
    LOAD_PID=""
    if [[ -n $RESULTS_DIR ]]; then
        cp "$TMP/$name.json" "$RESULTS_DIR/"
    fi
}

# row NAME LABEL RATIO: one markdown table row from a run's JSON.
row() {
    local file=$TMP/$1.json
    local non_ok
    non_ok=$(($(json_get "$file" requests) - $(json_get "$file" ok)))
    printf '| %s | %s | %s | %.0f | %.0f | %.2f ms | %.2f ms | %s | %s |\n' \
        "$2" "$(json_get "$file" batch)" "$(json_get "$file" connections)" \
        "$(json_get "$file" req_per_s)" "$(json_get "$file" events_per_s)" \
        "$(awk -v us="$(json_get "$file" latency_us.p50)" 'BEGIN { print us / 1000 }')" \
        "$(awk -v us="$(json_get "$file" latency_us.p99)" 'BEGIN { print us / 1000 }')" \
        "$3" "$non_ok"
}

# ratio A B: events/s of run A over run B, two decimals.
ratio() {
    awk -v a="$(json_get "$TMP/$1.json" events_per_s)" \
        -v b="$(json_get "$TMP/$2.json" events_per_s)" \
        'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

main() {
    if [[ -n $RESULTS_DIR ]]; then
        mkdir -p "$RESULTS_DIR"
    fi
    if [[ $SKIP_BUILD != 1 ]]; then
        log "building release binary"
        cargo build --release -p clickwire >&2
    fi
    [[ -x $BIN ]] || die "$BIN not found"
    start_server "$SERVER_ADDR" server true SERVER_KEY
    start_server "$UNSCORED_ADDR" unscored false UNSCORED_KEY
    if [[ $PIPELINE == 1 ]]; then
        start_server "$PIPELINE_ADDR" pipeline true PIPELINE_SERVER_KEY
        pipeline_key "$TMP/pipeline" PIPELINE_KEY
    fi
    start_baseline

    local batch
    for batch in 1 25; do
        run_load "baseline-$batch" baseline "$batch"
        run_load "clickwire-$batch" clickwire "$batch"
        run_load "unscored-$batch" unscored "$batch"
    done
    local half
    half=$(awk -v e="$(json_get "$TMP/clickwire-25.json" events_per_s)" \
        'BEGIN { r = int(e / 2); print (r < 1 ? 1 : r) }')
    run_load "clickwire-25-paced" clickwire 25 "$half"
    if [[ $PIPELINE == 1 ]]; then
        run_load pipeline-1 pipeline 1
        run_load pipeline-100 pipeline 100
    fi

    echo "machine: $(machine_line)"
    echo "commit: $(git describe --always --dirty 2>/dev/null || echo none), $(date -u +%Y-%m-%dT%H:%MZ)," \
        "$DURATION per run after $WARMUP warm-up, loadgen $LOADGEN_THREADS thread(s)," \
        "baseline $BASELINE_THREADS thread(s)"
    echo
    echo "| target | batch | connections | req/s | events/s | p50 | p99 | vs baseline | non-OK |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for batch in 1 25; do
        row "baseline-$batch" baseline 1.00
        row "clickwire-$batch" clickwire "$(ratio "clickwire-$batch" "baseline-$batch")"
        row "unscored-$batch" "clickwire, scoring off" "$(ratio "unscored-$batch" "baseline-$batch")"
    done
    row clickwire-25-paced "clickwire @ $half events/s" "—"
    if [[ $PIPELINE == 1 ]]; then
        row pipeline-1 "pipeline POST /v1/t" "$(ratio pipeline-1 baseline-1)"
        row pipeline-100 "pipeline POST /v1/batch" "$(ratio pipeline-100 baseline-25)"
    fi
    echo
    echo "scoring on / scoring off (events/s): batch 1 $(ratio clickwire-1 unscored-1), batch 25 $(ratio clickwire-25 unscored-25)"
    if [[ $PIPELINE == 1 ]]; then
        echo "pipeline / POST /v1/events (events/s): /v1/t vs single events $(ratio pipeline-1 clickwire-1)," \
            "/v1/batch (100) vs 25-event batches $(ratio pipeline-100 clickwire-25)" \
            "(the /v1/batch row's baseline ratio is against the baseline's 25-event batches)"
    fi
}

main "$@"
