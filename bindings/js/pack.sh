#!/usr/bin/env bash
# bindings/js/pack.sh [OUT_DIR]: builds the npm package (build.sh) and writes its
# tarball, `npm pack` of bindings/js (ESM for Node, CommonJS, web, each with .d.ts),
# into OUT_DIR (default: target/release-artefacts/npm, where scripts/release.sh puts
# it). Prints the tarball's path and size.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/release-artefacts/npm}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

"$here/build.sh"
name="$(cd "$here" && npm pack --pack-destination "$out" --loglevel=error | tail -n 1)"
tarball="$out/$name"
# Every entry point package.json's `exports` names must be in the tarball.
listing="$(tar -tzf "$tarball")"
for file in node/otpkit_wasm.js node/otpkit_wasm.d.ts node/package.json \
  cjs/otpkit_wasm.js cjs/otpkit_wasm.d.ts cjs/package.json \
  web/otpkit_wasm.js web/otpkit_wasm.d.ts web/otpkit_wasm_bg.wasm; do
  if ! grep -qx "package/pkg/$file" <<<"$listing"; then
    echo "pack.sh: $tarball lacks pkg/$file" >&2
    exit 1
  fi
done
echo "npm tarball: $tarball ($(wc -c < "$tarball") bytes)"
