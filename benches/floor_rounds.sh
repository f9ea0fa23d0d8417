#!/usr/bin/env bash
# Verify ±1 (wrong code, otpkit) and the compression floors, measured side by side in
# several short rounds: each round times the floors and the three verifications within
# a few seconds of each other, so each round's ratio compares equal conditions even
# when the machine's load changes between rounds, and the median of the rounds' ratios
# is the figure. Writes the rounds block of docs/benchmarks.md (benches/table.py
# --rounds). About 1 minute per round on the 2-core machine.
#
#   bash benches/floor_rounds.sh          # FLOOR_ROUNDS=5 by default
#
# Criterion's reports of these rounds go to $CARGO_TARGET_DIR/criterion-rounds, so
# those of benches/run.sh are left alone. Honours CARGO_TARGET_DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TARGET_DIR="$target"
rounds="${FLOOR_ROUNDS:-5}"
export CRITERION_HOME="$target/criterion-rounds"
out="$target/otpkit-floor-rounds.txt"
: >"$out"
for round in $(seq 1 "$rounds"); do
    rm -rf "$CRITERION_HOME"
    echo "load average before round $round: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
    cargo bench -p otpkit-benches --bench otp -- --warm-up-time 0.5 --measurement-time 1.5 \
        '^(floor/|verify_pm1_wrong_sha(1|256|512)/otpkit$)' >/dev/null
    python3 benches/table.py --round "$CRITERION_HOME" "$round" >>"$out"
done
python3 benches/table.py --rounds "$out" docs/benchmarks.md \
    "FLOOR_ROUNDS=$rounds bash benches/floor_rounds.sh"
