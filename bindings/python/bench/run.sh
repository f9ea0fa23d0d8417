#!/usr/bin/env bash
# The one command behind docs/benchmarks.md's Python table: builds the release wheel
# (maturin, profile release-ffi, as bindings/test.sh does) and installs it into
# bindings/test.sh's virtualenv, builds the benchmark's yardstick module
# (bindings/python/bench/core_bench.rs, the cargo example otpkit_core_bench, same
# profile), then runs bench.py: pyotp, otpkit from Python, the core's own loop and a
# no-op PyO3 call, interleaved in one process.
#
#   bindings/python/bench/run.sh [bench.py options: --rounds N --number N]
#
# Honours CARGO_TARGET_DIR; the virtualenv is $CARGO_TARGET_DIR/bindings/venv (made
# here with bindings/python/requirements-test.txt if bindings/test.sh has not).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
target=$(cd "$root" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
out=$target/bindings
venv=$out/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/bindings/python/requirements-test.txt"
fi

rm -rf "$out/bench-wheel"
(cd "$root/bindings/python" && CARGO_TARGET_DIR=$target nice -n 10 "$venv/bin/maturin" build \
  --profile release-ffi --out "$out/bench-wheel" >"$out/bench-maturin.log" 2>&1) ||
  { tail -30 "$out/bench-maturin.log"; exit 1; }
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$out"/bench-wheel/otpkit-*.whl

(cd "$root" && PYO3_PYTHON=$venv/bin/python CARGO_TARGET_DIR=$target nice -n 10 cargo build -q --locked \
  --profile release-ffi -p otpkit-python --example otpkit_core_bench --features extension-module)
mkdir -p "$out/bench-core"
cp "$target/release-ffi/examples/libotpkit_core_bench.so" "$out/bench-core/otpkit_core_bench.abi3.so"

# From outside the source tree, so `import otpkit` finds the installed wheel.
cd "$out" && exec "$venv/bin/python" "$here/bench.py" --core "$out/bench-core" "$@"
