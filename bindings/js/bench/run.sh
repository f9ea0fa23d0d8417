#!/usr/bin/env bash
# The one command behind the JavaScript table in docs/benchmarks.md: otpkit from Node,
# otplib, otpauth and the core's own time for the same operations, in one Node run.
# Builds the package (build.sh), then the bench's core operations (bench/core/ops.rs)
# twice with the package's profile and features: natively (example core-native, timed
# with Instant) and to wasm32 (example core-wasm, whose glue comes from the package's
# wasm-bindgen step), and runs bench.mjs with both.
#
#   bash bindings/js/bench/run.sh                 # BENCH_N=20000 iterations, BENCH_ROUNDS=7
#
# Honours CARGO_TARGET_DIR. The first run builds the native side cold (a few minutes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

"$here/../build.sh"
target_dir="$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"

nice -n 10 cargo build --locked -p otpkit-wasm --example core-native --profile wasm-release
nice -n 10 cargo build --locked -p otpkit-wasm --example core-wasm \
  --target wasm32-unknown-unknown --profile wasm-release
core_wasm="$target_dir/js/core-wasm"
rm -rf "$core_wasm"
"$target_dir/release/otpkit-js-bindgen" \
  "$target_dir/wasm32-unknown-unknown/wasm-release/examples/core_wasm.wasm" nodejs-module "$core_wasm"
# The same wasm-opt pass as the package's .wasm, when build.sh ran one.
if [ -x "$here/../node_modules/.bin/wasm-opt" ]; then
  "$here/../node_modules/.bin/wasm-opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$core_wasm/core_wasm_bg.wasm" -o "$core_wasm/core_wasm_bg.wasm"
fi

OTPKIT_CORE_NATIVE="$target_dir/wasm-release/examples/core-native" \
OTPKIT_CORE_WASM="$core_wasm/core_wasm.js" \
  node "$here/bench.mjs"
