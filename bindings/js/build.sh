#!/usr/bin/env bash
# Builds the npm package under bindings/js/pkg from the otpkit-wasm crate:
#   pkg/node  ES module for Node (loads the .wasm synchronously on import)
#   pkg/web   ES module for browsers and bundlers (call the default export `init()` once)
# each with TypeScript declarations. Needs the wasm32-unknown-unknown target and the
# wasm-bindgen CLI at the crate's version (test.sh installs both). Uses wasm-opt from
# npm's `binaryen` when it is installed (node_modules/.bin/wasm-opt), else skips it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

nice -n 10 cargo build --locked -p otpkit-wasm --target wasm32-unknown-unknown --profile wasm-release
# Wherever cargo put it (CARGO_TARGET_DIR or the workspace's target/).
target_dir="$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/otpkit_wasm.wasm"

rm -rf "$here/pkg"
wasm-bindgen --target experimental-nodejs-module --out-dir "$here/pkg/node" "$wasm"
wasm-bindgen --target web --out-dir "$here/pkg/web" "$wasm"

# A class argument (`new Totp(secret)`) is checked by wasm-bindgen's glue, which
# throws a plain Error ("expected instance of Secret"). Every other argument is
# checked in Rust and a wrong type is a TypeError naming it, so the glue's check is
# made the same: a TypeError naming the argument ("secret must be a Secret").
for dir in node web; do
  node - "$here/pkg/$dir/otpkit_wasm.js" <<'JS'
const fs = require('node:fs');
const file = process.argv[2];
let js = fs.readFileSync(file, 'utf8');
const fn = 'function _assertClass(instance, klass) {\n    if (!(instance instanceof klass)) {\n        throw new Error(`expected instance of ${klass.name}`);\n    }\n}';
if (!js.includes(fn)) throw new Error(`${file}: wasm-bindgen's _assertClass changed; update build.sh`);
js = js.replace(fn, 'function _assertClass(instance, klass, name) {\n    if (!(instance instanceof klass)) {\n        throw new TypeError(`${name} must be a ${klass.name}`);\n    }\n}');
const calls = js.match(/_assertClass\((\w+), (\w+)\);/g) ?? [];
if (calls.length === 0) throw new Error(`${file}: no _assertClass calls found`);
js = js.replace(/_assertClass\((\w+), (\w+)\);/g, "_assertClass($1, $2, '$1');");
fs.writeFileSync(file, js);
JS
done

if [ -x "$here/node_modules/.bin/wasm-opt" ]; then
  for dir in node web; do
    "$here/node_modules/.bin/wasm-opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$here/pkg/$dir/otpkit_wasm_bg.wasm" -o "$here/pkg/$dir/otpkit_wasm_bg.wasm"
  done
fi
echo "built $(wc -c < "$here/pkg/web/otpkit_wasm_bg.wasm") bytes of wasm into bindings/js/pkg"
