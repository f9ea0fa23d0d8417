#!/usr/bin/env bash
# Fuzz smoke test: build every cargo-fuzz target once, run each for SECONDS
# (default 30) from its committed seeds, one target per core at a time (FUZZ_JOBS to
# change that), and fail if any target crashes.
#
#   fuzz/run.sh [SECONDS]
#   fuzz/run.sh --build-only    only the build (scripts/test-all.sh starts it early, in
#                               the background; the smoke's own build then finds it fresh)
#
# Prints one line per target and, last, exactly: `fuzz: N passed, M failed`.
# Crashing inputs are kept in fuzz/artifacts/<target>/ (reproduce with
# `cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>`).
# New corpus entries go to a temporary directory: the committed seeds stay small.
# Installs the nightly toolchain and cargo-fuzz when they are missing.
set -uo pipefail

BUILD_ONLY=0
if [ "${1:-}" = --build-only ]; then
    BUILD_ONLY=1
    shift
fi
SECONDS_PER_TARGET="${1:-30}"
case "$SECONDS_PER_TARGET" in
'' | *[!0-9]*)
    echo "usage: fuzz/run.sh [--build-only] [SECONDS]" >&2
    exit 2
    ;;
esac

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$FUZZ_DIR/.." || exit 2

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz: installing the nightly toolchain" >&2
    rustup toolchain install nightly --profile minimal || exit 2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked || exit 2
fi

# Optimised, with debug assertions and overflow checks (cargo-fuzz's default) and
# AddressSanitizer: an integer overflow in the library is a crash, not a wrap.
echo "fuzz: building all targets" >&2
if ! cargo +nightly fuzz build; then
    echo "fuzz: build failed" >&2
    echo "fuzz: 0 passed, 1 failed"
    exit 1
fi
if [ "$BUILD_ONLY" = 1 ]; then
    echo "fuzz: built all targets"
    exit 0
fi

TRIPLE="$(rustc +nightly -vV | sed -n 's/^host: //p')"
BIN_DIR="$FUZZ_DIR/target/$TRIPLE/release"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/otpkit-fuzz.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# One target per core at a time (libFuzzer runs one process per target here), so the
# smoke costs SECONDS x targets / cores of wall time, not SECONDS x targets.
JOBS="${FUZZ_JOBS:-$(nproc)}"

# run_target TARGET: fuzzes one target, prints its line, leaves ok/FAILED in $WORK/TARGET.status.
run_target() {
    local target=$1 seeds artifacts log status runs start
    seeds="$FUZZ_DIR/corpus/$target"
    artifacts="$FUZZ_DIR/artifacts/$target"
    mkdir -p "$WORK/$target" "$artifacts" "$seeds"
    log="$WORK/$target.log"
    local dict=()
    if [ -f "$FUZZ_DIR/dict/$target.dict" ]; then
        dict=(-dict="$FUZZ_DIR/dict/$target.dict")
    fi
    start=$(date +%s)
    # -jobs/-workers unset: one process. -rss_limit_mb guards against blow-ups;
    # -timeout flags any single input slower than 10 s.
    if "$BIN_DIR/$target" "$WORK/$target" "$seeds" \
        -max_total_time="$SECONDS_PER_TARGET" \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${dict[@]}" >"$log" 2>&1; then
        status=ok
    else
        status=FAILED
        # The assertion or sanitizer report, then libFuzzer's closing lines.
        grep -m1 -A6 -E 'panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer' "$log" >&2
        grep -E '^(SUMMARY|artifact_prefix|Test unit written)' "$log" >&2
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "fuzz: $target $status (${runs:-?} runs in $(($(date +%s) - start)) s)" >&2
    echo "$status" >"$WORK/$target.status"
}

targets=$(cargo +nightly fuzz list)
running=0
for target in $targets; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_target "$target" &
    running=$((running + 1))
done
wait

passed=0
failed=0
failed_names=()
for target in $targets; do
    if [ "$(cat "$WORK/$target.status" 2>/dev/null)" = ok ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=("$target")
    fi
done

if [ "$failed" -gt 0 ]; then
    echo "fuzz: failing targets: ${failed_names[*]} (inputs in fuzz/artifacts/)" >&2
fi
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
