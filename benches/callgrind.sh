#!/usr/bin/env bash
# Instructions per call of verify ±1 (wrong code) and of the compression floor, counted
# by valgrind's callgrind: a figure that, unlike the times of benches/run.sh, does not
# move with the machine's load. Writes them into the callgrind block of
# docs/benchmarks.md (benches/table.py --callgrind). Under a minute once built.
#
#   bash benches/callgrind.sh
#
# Each operation runs twice under callgrind, LOW and HIGH times after the same setup;
# (instructions of the HIGH run - instructions of the LOW run) / (HIGH - LOW) is one
# call, setup and process start-up excluded. Needs valgrind (apt-get install valgrind).
# Honours CARGO_TARGET_DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TARGET_DIR="$target"
low="${CALLGRIND_LOW:-1000}"
high="${CALLGRIND_HIGH:-11000}"

if ! command -v valgrind >/dev/null; then
    echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
    exit 2
fi
bin="$(cargo bench -p otpkit-benches --bench callgrind --no-run --message-format=json |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "callgrind":
        print(m["executable"])')"

out="$target/otpkit-callgrind.txt"
{
    echo "valgrind: $(valgrind --version)"
    # The kernel valgrind's emulated CPU lets otpkit-lanes pick.
    valgrind -q "$bin" | grep '^otpkit-lanes SHA-NI kernel in use:' | sed 's/^/under valgrind, /'
    echo "iterations: $low and $high"
} >"$out"

count() { # instructions of one run: OPERATION ITERATIONS
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$1" "$2" 2>&1 |
        sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p'
}
for op in verify_pm1_wrong_sha1 verify_pm1_wrong_sha256 verify_pm1_wrong_sha512 \
    floor/sha1_x6_independent floor/sha1_x3_then_x3 \
    floor/sha256_x6_independent floor/sha256_x3_then_x3 \
    floor/sha512_x6_independent floor/sha512_x3_then_x3; do
    a="$(count "$op" "$low")"
    b="$(count "$op" "$high")"
    per_call="$(python3 -c "print(f'{($b - $a) / ($high - $low):.1f}')")"
    echo "$op $per_call" | tee -a "$out"
done

python3 benches/table.py --callgrind "$out" docs/benchmarks.md "bash benches/callgrind.sh"
