#!/usr/bin/env bash
# The JS/WebAssembly stage from a fresh machine: wasm32 target, wasm-bindgen CLI at
# Cargo.lock's wasm-bindgen version, npm packages from the committed lockfile, the
# package build, tsc --strict over the README's example and typecheck/usage.ts, Node's
# test runner over the package and the headless-Chromium test.
# Ends with the runner's "# pass N" / "# fail M" and a plain "js: N passed, M failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

rustup target add wasm32-unknown-unknown >/dev/null

want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
if [ "$have" != "$want" ]; then
  echo "installing wasm-bindgen-cli $want (found: ${have:-none})"
  # --locked pins the CLI's own dependencies; if the registry mirror lacks one of them,
  # fall back to a fresh resolution of the same CLI version. No TLS features: the CLI's
  # HTTP client only serves its test runner, which is not used here.
  nice -n 10 cargo install wasm-bindgen-cli --version "=$want" --locked --no-default-features ||
    nice -n 10 cargo install wasm-bindgen-cli --version "=$want" --no-default-features
fi

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
echo "js: ${pass:-0} passed, ${fail:-0} failed"
if [ "$status" -ne 0 ] || [ "${pass:-0}" -eq 0 ]; then
  exit 1
fi
