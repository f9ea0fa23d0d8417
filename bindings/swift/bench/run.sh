#!/usr/bin/env bash
# Swift benchmark of the Swift binding (docs/benchmarks.md, "Swift"): builds the release
# library into the SwiftPM package (bindings/package.sh swift --release: profile
# release-ffi, stripped), runs bindings/swift/bench with `swift run -c release`, then,
# in the same session, the core's own criterion benchmarks of the same operations
# (generate and verify ±1, HMAC-SHA1) as the baseline: no Swift HMAC is available
# offline on Linux (no CryptoKit; swift-crypto needs the network).
#
#   bindings/swift/bench/run.sh            # BENCH_CORE=0 skips the criterion part
#
# Where the machine has no `swift`, it runs inside the Debian trixie toolchain tree
# (scripts/swift-toolchain.sh), as bindings/test.sh does.
set -euo pipefail
cd "$(dirname "$0")/../.."
BINDINGS=$PWD
ROOT=$(cd .. && pwd)
./package.sh swift --release >/dev/null
cmd=(swift run -c release --package-path bench OtpkitBench)
echo "== Swift: $(uptime | sed 's/.*load average/load average/')"
if command -v swift >/dev/null; then
  (cd swift && "${cmd[@]}")
else
  "$ROOT/scripts/swift-toolchain.sh" ensure >/dev/null
  "$ROOT/scripts/swift-toolchain.sh" run "$BINDINGS/swift" "${cmd[@]}"
fi

[ "${BENCH_CORE:-1}" = 0 ] && exit 0
echo "== core (criterion, Rust): $(uptime | sed 's/.*load average/load average/')"
TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
groups='generate_sha1|verify_pm1_valid_sha1|verify_pm1_wrong_sha1'
rm -rf "$TARGET_DIR"/criterion/{generate_sha1,verify_pm1_valid_sha1,verify_pm1_wrong_sha1}
log=$TARGET_DIR/bindings/swift-bench-criterion.log
(cd "$ROOT" && cargo bench --locked -q -p otpkit-benches --bench otp -- \
  --warm-up-time 0.5 --measurement-time 1.5 "^($groups)/otpkit\$" >"$log" 2>&1) ||
  { tail -n 20 "$log"; exit 1; }
# criterion's median and the 10th percentile of its per-iteration sample times
# (as benches/table.py reports them).
python3 - "$TARGET_DIR/criterion" "$groups" <<'PY'
import json, os, sys
root, groups = sys.argv[1], sys.argv[2].split("|")
for g in groups:
    d = os.path.join(root, g, "otpkit", "new")
    est = json.load(open(os.path.join(d, "estimates.json")))
    s = json.load(open(os.path.join(d, "sample.json")))
    per = sorted(t / n for t, n in zip(s["times"], s["iters"]))
    print(f"{g + '/otpkit':<52} {est['median']['point_estimate']:10.1f} ns  (p10 {per[int(0.1 * (len(per) - 1))]:.1f})")
PY
