#!/usr/bin/env bash
# The JS/WebAssembly stage from a fresh machine: wasm32 target, npm packages from the
# committed lockfile, the package build (build.sh, which builds its wasm-bindgen step,
# bindings/js/tools, with --locked), tsc --strict over the README's example and
# typecheck/usage.ts, Node's test runner over the package and the headless-Chromium
# test, then the npm tarball (pack.sh) installed into a clean project (consumer/run.sh).
# Ends with the runner's "# pass N" / "# fail M", the consumer's
# "js consumer: esm ok, cjs ok, tsc ok" and a plain "js: N passed, M failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

rustup target add wasm32-unknown-unknown >/dev/null

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  echo "chromium missing: scripts/prerequisites.sh installs Debian's chromium" >&2
  exit 1
fi

(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
"$here/build.sh"

# TypeScript: the README's example and typecheck/usage.ts against the generated
# declarations, with tsc --strict (tsconfig.json).
(cd "$here" && node typecheck/readme-ts.mjs && npx tsc -p tsconfig.json --strict --noEmit)
echo "typescript: tsc --strict passed"

log="$root/target/js/node-test.log"
mkdir -p "$(dirname "$log")"
set +e
(cd "$here" && node --test --test-reporter=tap test/ web/browser-test.mjs) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
pass="$(awk '/^# pass / { print $3 }' "$log" | tail -n 1)"
fail="$(awk '/^# fail / { print $3 }' "$log" | tail -n 1)"
if [ "$status" -ne 0 ] || [ "${pass:-0}" -eq 0 ]; then
  echo "js: ${pass:-0} passed, ${fail:-0} failed"
  exit 1
fi

# bench/bench.mjs's agreement checks (otpkit, otplib and otpauth compute the same
# codes, matches and misses) and one tiny round, so that the bench keeps running:
# about a second. The timed run is bench/run.sh (docs/benchmarks.md).
(cd "$here" && BENCH_N=64 BENCH_ROUNDS=1 node bench/bench.mjs > /dev/null)
echo "bench.mjs: the libraries agree"

# The release artefact as a user gets it: the tarball, installed into a clean project.
pack_dir="$root/target/js/pack"
rm -rf "$pack_dir"
"$here/pack.sh" "$pack_dir"
"$here/consumer/run.sh" "$pack_dir"/*.tgz
echo "js: ${pass:-0} passed, ${fail:-0} failed"
