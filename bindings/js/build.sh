#!/usr/bin/env bash
# Builds the npm package under bindings/js/pkg from the otpkit-wasm crate:
#   pkg/node  ES module for Node (loads the .wasm synchronously on import)
#   pkg/cjs   CommonJS module for Node's require() (loads the .wasm on require)
#   pkg/web   ES module for browsers and bundlers (call the default export `init()` once),
#             and the one .wasm all three load
# each with TypeScript declarations; package.json's `exports` maps each to its importer.
# Needs the wasm32-unknown-unknown target (test.sh adds it). The wasm-bindgen step is
# bindings/js/tools (otpkit-js-bindgen), built here from its committed Cargo.lock with
# `cargo build --locked --release` into a per-machine cache outside the checkout
# (OTPKIT_TOOLS_CACHE, below): a few minutes the first time on a machine, a no-op after.
# Uses wasm-opt from npm's `binaryen` when it is installed
# (node_modules/.bin/wasm-opt), else skips it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

# The glue must come from the wasm-bindgen the crate links: the tool's pinned
# wasm-bindgen-cli-support and the root Cargo.lock's wasm-bindgen must be one version.
lock_version() { # FILE PACKAGE
  awk -v name="name = \"$2\"" '$0 == name { getline; gsub(/[^0-9.]/, ""); print; exit }' "$1"
}
want="$(lock_version Cargo.lock wasm-bindgen)"
pinned="$(lock_version "$here/tools/Cargo.lock" wasm-bindgen-cli-support)"
if [ -z "$want" ] || [ "$want" != "$pinned" ]; then
  echo "build.sh: Cargo.lock has wasm-bindgen ${want:-(none)} but bindings/js/tools/Cargo.lock has" \
    "wasm-bindgen-cli-support ${pinned:-(none)}: they must be the same version. Set" \
    "wasm-bindgen-cli-support and wasm-bindgen-shared to \"=${want:-<version>}\" in" \
    "bindings/js/tools/Cargo.toml, then run" \
    "\`cargo update --manifest-path bindings/js/tools/Cargo.toml -p wasm-bindgen-cli-support\`." >&2
  exit 1
fi

nice -n 10 cargo build --locked -p otpkit-wasm --target wasm32-unknown-unknown --profile wasm-release
# Wherever cargo put it (CARGO_TARGET_DIR or the workspace's target/).
target_dir="$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/otpkit_wasm.wasm"

# The tool is built once per machine, outside the checkout (like the Swift toolchain
# tree), so a fresh clone does not rebuild it: OTPKIT_TOOLS_CACHE, by default
# /var/cache/otpkit when it is writable, else the target directory.
cache="${OTPKIT_TOOLS_CACHE:-/var/cache/otpkit}"
if mkdir -p "$cache/js-bindgen" 2>/dev/null && [ -w "$cache/js-bindgen" ]; then
  tools_target="$cache/js-bindgen"
else
  tools_target="$target_dir"
fi
nice -n 10 cargo build --locked --release --manifest-path "$here/tools/Cargo.toml" --target-dir "$tools_target"
bindgen="$tools_target/release/otpkit-js-bindgen"
have="$("$bindgen" --version | awk '{ print $2 }')"
if [ "$have" != "$want" ]; then
  echo "build.sh: $bindgen is wasm-bindgen $have, Cargo.lock has wasm-bindgen $want" >&2
  exit 1
fi

rm -rf "$here/pkg"
# Multi-value: a function returning a Result, an Option or a string returns its parts
# as wasm results instead of writing them to a return area in linear memory, which the
# glue would read back through a DataView between two calls that move the shadow stack
# pointer (callgrind: `stepAt` from Node 1801 -> 1139 instructions a call, `codeAt`
# 6629 -> 5752). wasm-bindgen turns it on by itself when the module's target_features
# section says the compiler used multi-value (Rust's wasm32 default since 1.82), but
# the wasm-release profile strips that section with the symbols. Every engine the
# package supports (Node >= 20, current browsers) runs multi-value.
WASM_BINDGEN_MULTI_VALUE=1 \
  "$bindgen" "$wasm" nodejs-module "$here/pkg/node" nodejs "$here/pkg/cjs" web "$here/pkg/web"
# package.json's "type": "module" would make Node read pkg/cjs's .js (and TypeScript its
# .d.ts) as ES modules; this one says they are CommonJS. (pkg/node gets its own
# "type": "module" from wasm-bindgen.)
printf '{\n  "type": "commonjs"\n}\n' > "$here/pkg/cjs/package.json"

# A class argument (`new Totp(secret)`) is checked by wasm-bindgen's glue, which
# throws a plain Error ("expected instance of Secret"). Every other argument is
# checked in Rust and a wrong type is a TypeError naming it, so the glue's check is
# made the same: a TypeError naming the argument ("secret must be a Secret").
# The glue's DataView over the wasm memory (an Option or a string an import writes
# back, such as the typed code `verify` reads) is checked for a grown, detached memory
# on each use by reading `ArrayBuffer.prototype.detached`, which Node 20's V8 does not
# inline: ~100 ns a use on the bench machine, more than the rest of a small call. A
# detached ArrayBuffer has byteLength 0 (a wasm memory's never has), which V8 reads
# inline, so the check reads that instead, as the glue's Uint8Array cache does.
for dir in node cjs web; do
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
const grown = 'if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.detached === true || (cachedDataViewMemory0.buffer.detached === undefined && cachedDataViewMemory0.buffer !== wasm.memory.buffer)) {';
if (js.split(grown).length !== 2) throw new Error(`${file}: wasm-bindgen's DataView cache check changed; update build.sh`);
js = js.replace(grown, 'if (cachedDataViewMemory0 === null || cachedDataViewMemory0.buffer.byteLength === 0) {');
fs.writeFileSync(file, js);
JS
done

# The three targets' .wasm are the same bytes: the package ships pkg/web's, and the
# Node glue (ESM and CommonJS) loads that one, which keeps the tarball a third the size.
for dir in node cjs; do
  cmp -s "$here/pkg/$dir/otpkit_wasm_bg.wasm" "$here/pkg/web/otpkit_wasm_bg.wasm" ||
    { echo "build.sh: pkg/$dir and pkg/web have different .wasm files" >&2; exit 1; }
  rm "$here/pkg/$dir/otpkit_wasm_bg.wasm"
done
node - "$here/pkg" <<'JS'
const fs = require('node:fs');
const pkg = process.argv[2];
for (const [file, from, to] of [
  ['node/otpkit_wasm.js', "new URL('otpkit_wasm_bg.wasm', import.meta.url)",
    "new URL('../web/otpkit_wasm_bg.wasm', import.meta.url)"],
  ['cjs/otpkit_wasm.js', '`${__dirname}/otpkit_wasm_bg.wasm`',
    '`${__dirname}/../web/otpkit_wasm_bg.wasm`'],
]) {
  const path = `${pkg}/${file}`;
  const js = fs.readFileSync(path, 'utf8');
  if (js.split(from).length !== 2) throw new Error(`${path}: wasm-bindgen's .wasm path changed; update build.sh`);
  fs.writeFileSync(path, js.replace(from, to));
}
JS

if [ -x "$here/node_modules/.bin/wasm-opt" ]; then
  "$here/node_modules/.bin/wasm-opt" -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$here/pkg/web/otpkit_wasm_bg.wasm" -o "$here/pkg/web/otpkit_wasm_bg.wasm"
fi
echo "built $(wc -c < "$here/pkg/web/otpkit_wasm_bg.wasm") bytes of wasm into bindings/js/pkg/{node,cjs,web}"
