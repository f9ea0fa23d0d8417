#!/usr/bin/env bash
# Instructions per call of bench.py's operations, counted by callgrind (which does not
# vary with the machine's load): count.py with 10,000 calls minus count.py with none,
# divided by 10,000 (about ±100 instructions of noise from the interpreter's start-up).
# Run bindings/python/bench/run.sh first: it installs the wheel and builds the
# yardstick module this uses.
#
#   bindings/python/bench/count.sh [OP...]     # default: every operation
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
target=$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
out=$target/bindings
ops=("$@")
[ ${#ops[@]} -gt 0 ] || ops=(at now verify verify_kw timecode noop_at noop_now noop_verify
  noop_verify_kw noop_timecode empty core_at core_now core_verify core_timecode)
count() { # op n
  (cd "$out" && PYTHONPATH=$out/bench-core valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$out/venv/bin/python" "$here/count.py" "$1" "$2" 2>&1) | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for op in "${ops[@]}"; do
  none=$(count "$op" 0)
  many=$(count "$op" 10000)
  echo "$op $(((many - none) / 10000))"
done
