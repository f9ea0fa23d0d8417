#!/usr/bin/env bash
# Builds every release artefact into one folder, as each language's users install it:
#
#   OUT/crates/*.crate               the publishable crates (`cargo package`, verified)
#   OUT/python/otpkit-*.whl          the abi3 wheel (no Rust needed to install it)
#   OUT/python/otpkit-*.tar.gz       the sdist (pip builds it with Rust and maturin)
#   OUT/npm/otpkit-*.tgz             the npm package: ESM, CommonJS, browsers, types
#   OUT/jvm/otpkit.jar               the Kotlin API and the native library (JNA resource)
#   OUT/swift/otpkit-swift.tar.gz    the SwiftPM package: sources and the native library
#   OUT/SHA256SUMS                   every file above, and its size in OUT/sizes.txt
#
# Usage: scripts/release.sh [--allow-dirty] [OUT]   (default: <target dir>/release-artefacts)
# --allow-dirty packages the crates with uncommitted changes (test-all.sh passes it: a
# test run checks the packaging of the tree as it is; a release is made from a commit).
# It installs what it needs (scripts/prerequisites.sh; maturin in a virtualenv; the
# Kotlin compiler and wasm tools through npm), prints each step's time and ends with
# one line per artefact. scripts/consumers.sh then installs each one into a clean
# consumer project and runs the README's getting-started example there.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
dirty=()
if [ "${1:-}" = "--allow-dirty" ]; then
  dirty=(--allow-dirty)
  shift
fi
OUT=${1:-$TARGET_DIR/release-artefacts}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -rf "$OUT"/{crates,python,npm,jvm,swift} "$OUT"/SHA256SUMS "$OUT"/sizes.txt
step() { echo "== release: $* (t=${SECONDS}s)"; }

step "prerequisites"
scripts/prerequisites.sh jvm python >/dev/null
if [ ! -x bindings/tools/node_modules/kotlin-compiler/bin/kotlinc ]; then
  (cd bindings/tools && npm ci --no-audit --no-fund --loglevel=error)
fi
export JAVA_OPTS="${JAVA_OPTS:--Xmx2g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
VENV=$TARGET_DIR/release-venv
if [ ! -x "$VENV/bin/maturin" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "$(grep '^maturin==' bindings/python/requirements-test.txt)"
fi

step "crates: cargo package"
scripts/package-crates.sh "${dirty[@]}" "$OUT/crates"

step "python: the abi3 wheel and the sdist (maturin)"
mkdir -p "$OUT/python"
(cd bindings/python && CARGO_TARGET_DIR=$TARGET_DIR "$VENV/bin/maturin" build --profile release-ffi \
  --out "$OUT/python" >"$TARGET_DIR/release-maturin.log" 2>&1) || { tail -n 30 "$TARGET_DIR/release-maturin.log"; exit 1; }
(cd bindings/python && "$VENV/bin/maturin" sdist --out "$OUT/python" >>"$TARGET_DIR/release-maturin.log" 2>&1) ||
  { tail -n 30 "$TARGET_DIR/release-maturin.log"; exit 1; }

step "npm: the package tarball"
bindings/js/pack.sh "$OUT/npm"

step "jvm: the JAR with the native library (release profile)"
mkdir -p "$OUT/jvm"
cp "$(bindings/package.sh kotlin --release | tail -n 1)" "$OUT/jvm/otpkit.jar"

step "swift: the SwiftPM package (release profile)"
mkdir -p "$OUT/swift"
swift_dir=$(bindings/package.sh swift --release | tail -n 1)
# The package as a user depends on it: manifest, sources, the library and the test
# target its manifest names; not a build folder nor the benchmark.
tar -czf "$OUT/swift/otpkit-swift.tar.gz" -C "$(dirname "$swift_dir")" \
  --exclude=.build --exclude=bench "$(basename "$swift_dir")"

step "checksums and sizes"
(cd "$OUT" && find . -type f ! -name SHA256SUMS ! -name sizes.txt | sort | sed 's|^\./||' |
  xargs sha256sum >SHA256SUMS)
(cd "$OUT" && while read -r _ f; do printf '%10d  %s\n' "$(stat -c %s "$f")" "$f"; done <SHA256SUMS) |
  tee "$OUT/sizes.txt"
echo "release: $(wc -l <"$OUT/SHA256SUMS") artefacts in $OUT in ${SECONDS}s"
