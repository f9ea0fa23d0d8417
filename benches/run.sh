#!/usr/bin/env bash
# The one command behind docs/benchmarks.md: counts allocations, runs every criterion
# benchmark once (otpkit, its peers and the floor in one binary and one run), then
# rewrites the generated part of docs/benchmarks.md and copies criterion's
# cost-against-window chart next to it. About 6-8 minutes on the 2-core machine.
#
#   bash benches/run.sh                       # defaults: 0.5 s warm-up, 1.5 s measurement
#   BENCH_WARM_UP=1 BENCH_MEASURE=3 bash benches/run.sh   # quieter, twice as long
#
# Honours CARGO_TARGET_DIR (criterion writes its reports under $CARGO_TARGET_DIR/criterion).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TARGET_DIR="$target"
warm="${BENCH_WARM_UP:-0.5}"
measure="${BENCH_MEASURE:-1.5}"

# Results of earlier runs (including groups since renamed) must not enter the table.
rm -rf "$target/criterion"
cargo bench -p otpkit-benches --bench allocations | tee "$target/otpkit-allocations.txt"
cargo bench -p otpkit-benches --bench otp -- --warm-up-time "$warm" --measurement-time "$measure"

python3 benches/table.py "$target/criterion" "$target/otpkit-allocations.txt" docs/benchmarks.md \
  "bash benches/run.sh  # cargo bench -p otpkit-benches --bench otp -- --warm-up-time $warm --measurement-time $measure"
cp "$target/criterion/verify_window_sha1/report/lines.svg" docs/bench-verify-window-sha1.svg
cp "$target/criterion/verify_window_sha1_otpkit/report/lines.svg" docs/bench-verify-window-sha1-otpkit.svg
echo "docs/benchmarks.md and docs/bench-verify-window-sha1*.svg updated"
