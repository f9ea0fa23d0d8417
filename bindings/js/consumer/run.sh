#!/usr/bin/env bash
# bindings/js/consumer/run.sh TARBALL: this folder as a user's project would be, in a
# fresh temporary directory: `npm ci` (TypeScript from its lockfile), `npm install
# TARBALL` (otpkit, nothing else), then getting-started.mjs (import: the root README's
# ```js getting-started block as written, taken by scripts/readme-block.mjs) and
# getting-started.cjs (require) with node, and tsc --strict over getting-started.ts
# and both scripts (checkJs). Each script must print a 6-digit code, an enrolled
# device and an accepted sign-in. Ends with "js consumer: esm ok, cjs ok, tsc ok".
set -euo pipefail
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
  echo "usage: bindings/js/consumer/run.sh TARBALL (an npm pack of bindings/js, e.g. from pack.sh)" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
tarball="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
work="$(mktemp -d "${TMPDIR:-/tmp}/otpkit-js-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cp "$here/package.json" "$here/package-lock.json" "$here/tsconfig.json" \
  "$here"/getting-started.* "$work/"
node "$root/scripts/readme-block.mjs" "$root/README.md" "js getting-started" >"$work/getting-started.mjs"
cd "$work"
npm ci --no-audit --no-fund --loglevel=error
npm install --no-audit --no-fund --loglevel=error "$tarball"

check() { # NAME FILE
  local out
  out="$(node "$2")"
  printf '%s\n' "$out" | sed "s/^/  $1: /"
  if ! printf '%s\n' "$out" | sed -n 1p | grep -Eqx 'code: [0-9]{6}' ||
    ! printf '%s\n' "$out" | sed -n 2p | grep -qx 'the device is enrolled' ||
    ! printf '%s\n' "$out" | sed -n 3p | grep -qx 'the code was accepted'; then
    echo "js consumer: $2 did not print a code, an enrolment and an accepted sign-in" >&2
    exit 1
  fi
}
check esm getting-started.mjs
check cjs getting-started.cjs
npx --no-install tsc -p tsconfig.json
echo "js consumer: esm ok, cjs ok, tsc ok"
