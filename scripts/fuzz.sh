#!/usr/bin/env bash
# Coverage-guided fuzzing of clickwire's parsers and decoders with libFuzzer (cargo fuzz).
#
#   scripts/fuzz.sh SECONDS [TARGET...]     # each target (default: all) for SECONDS
#
# The targets are the functions of crates/fuzzing (listed in fuzz/fuzz_targets/). Each run
# starts from the committed seeds in fuzz/corpus/<target>/ and keeps what it learns in
# fuzz/target/corpus/<target>/ (not committed). A crash stops the run and leaves its input
# in fuzz/artifacts/<target>/; copy it into fuzz/corpus/<target>/ once fixed, so the test
# suite (crates/fuzzing/tests/bounded.rs) replays it forever. Stats of each run go to
# fuzz/target/logs/<target>.log (the last lines: executions, coverage).
#
# cargo fuzz needs the nightly toolchain (its -Z flags); this script installs cargo-fuzz
# at a pinned version and fails, saying why, when nightly is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for file in fuzz/fuzz_targets/*.rs; do
        targets+=("$(basename "$file" .rs)")
    done
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo fuzz needs the nightly Rust toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

mkdir -p fuzz/target/logs
for target in "${targets[@]}"; do
    work="fuzz/target/corpus/$target"
    mkdir -p "$work"
    echo "fuzz.sh: $target for ${seconds}s"
    # -s none: the code under test forbids unsafe, so AddressSanitizer finds nothing the
    # panics do not; without it each execution is several times faster.
    (cd fuzz && cargo +nightly fuzz run -s none "$target" "../$work" "../fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1) 2>&1 | tee "fuzz/target/logs/$target.log" | grep -E "^#[0-9]+.*(INITED|DONE)|^stat::|panicked|ERROR" || true
    if grep -q "panicked\|ERROR: libFuzzer" "fuzz/target/logs/$target.log"; then
        echo "fuzz.sh: $target crashed; see fuzz/target/logs/$target.log and fuzz/artifacts/$target/" >&2
        exit 1
    fi
done
