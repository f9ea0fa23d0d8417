#!/usr/bin/env bash
# Builds the otpkit uniffi bindings and runs every language's tests against the real
# shared library:
#   1. Rust unit tests of the binding crate (cargo test -p otpkit-uniffi)
#   2. cdylib + uniffi-bindgen, then Kotlin and Swift sources generated in library mode
#   3. Kotlin: compiled with kotlinc (npm kotlin-compiler, pinned in tools/), run on
#      the JVM with JNA (Debian libjna-java)
#   4. Python: a wheel built by maturin (bindings = "uniffi"), pip-installed into a
#      fresh virtualenv, tested with pytest
#   5. Swift: compiled with swiftc and run where swiftc exists; otherwise SKIPPED
#      (the hand-written Swift is then only parsed with tree-sitter-swift)
# Installs what it needs on a fresh machine (apt-get, npm ci, pip). Generated sources
# and build products go under the Cargo target directory (CARGO_TARGET_DIR or the
# workspace's target/), never into the source tree (Swift's Sources/ excepted, which
# is gitignored).
set -euo pipefail
cd "$(dirname "$0")"
BINDINGS=$PWD
ROOT=$(cd .. && pwd)
step() { echo "== $* (t=${SECONDS}s)"; }
# A failing runner does not stop the others; the script exits non-zero at the end.
FAILED=()
runner() { # name command...
  local name=$1; shift
  if ! "$@"; then FAILED+=("$name"); fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

step "tools"
if ! command -v java >/dev/null; then apt_install default-jdk-headless; fi
JNA=/usr/share/java/jna.jar
if [ ! -f "$JNA" ]; then apt_install libjna-java; fi
KOTLIN_HOME=$BINDINGS/tools/node_modules/kotlin-compiler
want_kotlin=$(sed -n 's/.*"kotlin-compiler": "\(.*\)".*/\1/p' tools/package.json)
have_kotlin=$(sed -n 's/^ *"version": "\(.*\)".*/\1/p' "$KOTLIN_HOME/package.json" 2>/dev/null || true)
if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ] || [ "$want_kotlin" != "$have_kotlin" ]; then
  (cd tools && npm ci --no-audit --no-fund --loglevel=error)
fi
# kotlinc defaults to -Xmx512M; C1-only JIT and SerialGC make a short compile ~2x faster.
export JAVA_OPTS="${JAVA_OPTS:--Xmx2g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
OUT=$TARGET_DIR/bindings
VENV=$OUT/venv
mkdir -p "$OUT"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" || { rm -rf "$VENV"; apt_install python3-venv; python3 -m venv "$VENV"; }
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r python/requirements-test.txt

rm -f "$OUT"/{rust,kotlin,python,swift}.log

step "rust: unit tests of the binding crate"
if [ "${OTPKIT_RUST_TESTS_DONE:-}" = 1 ]; then
  # scripts/test-all.sh has just run them with the whole workspace.
  echo "rust: run by the workspace test stage" | tee "$OUT/rust.log"
else
  rust_tests() { (cd "$ROOT" && cargo test -p otpkit-uniffi 2>&1) | tee "$OUT/rust.log"; }
  runner rust rust_tests
fi

step "build the shared library and uniffi-bindgen"
# Built separately, as maturin does, so its `cargo run --bin uniffi-bindgen` reuses them.
(cd "$ROOT" && cargo build -p uniffi-bindgen && cargo build -p otpkit-uniffi)
LIBDIR=$TARGET_DIR/debug
LIB=$LIBDIR/libotpkit_ffi.so
GEN=$OUT/generated
rm -rf "$GEN"
for lang in kotlin swift; do
  "$LIBDIR/uniffi-bindgen" generate --no-format --language "$lang" --out-dir "$GEN/$lang" "$LIB"
done
test -f "$GEN/kotlin/uniffi/otpkit/otpkit.kt"
test -f "$GEN/swift/otpkit.swift" && test -f "$GEN/swift/otpkitFFI.h" &&
  test -f "$GEN/swift/otpkitFFI.modulemap"

step "kotlin: compile the bindings and tests, run on the JVM"
KOTLIN_CP="$JNA:$KOTLIN_HOME/lib/kotlin-test.jar"
rm -rf "$OUT/kotlin" && mkdir -p "$OUT/kotlin"
kotlin_tests() {
  "$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$KOTLIN_CP" \
    "$GEN/kotlin/uniffi/otpkit/otpkit.kt" kotlin/*.kt -d "$OUT/kotlin/otpkit-tests.jar" 2>&1 |
    tee "$OUT/kotlin.log" || return 1
  java -ea -Djna.library.path="$LIBDIR" \
    -cp "$OUT/kotlin/otpkit-tests.jar:$KOTLIN_CP:$KOTLIN_HOME/lib/kotlin-stdlib.jar" \
    OtpkitTestKt 2>&1 | tee "$OUT/kotlin.log"
}
runner kotlin kotlin_tests

step "python: build the wheel with maturin, install it into a virtualenv, run pytest"
python_tests() {
  rm -rf "$OUT/wheels"
  (cd python && CARGO_TARGET_DIR=$TARGET_DIR "$VENV/bin/maturin" build --profile dev \
    --out "$OUT/wheels" >"$OUT/maturin.log" 2>&1) || { tail -30 "$OUT/maturin.log"; return 1; }
  tail -1 "$OUT/maturin.log"
  "$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps \
    "$OUT"/wheels/otpkit-*.whl || return 1
  # From outside the source tree, so `import otpkit` can only find the installed package.
  (cd "$OUT" && "$VENV/bin/python" -m pytest -p no:cacheprovider "$BINDINGS/python/tests" 2>&1) |
    tee "$OUT/python.log"
}
runner python python_tests

step "swift"
if command -v swiftc >/dev/null; then
  # The SwiftPM layout (bindings/swift) gets the generated sources too.
  mkdir -p swift/Sources/Otpkit swift/Sources/otpkitFFI
  cp "$GEN/swift/otpkit.swift" swift/Sources/Otpkit/
  cp "$GEN/swift/otpkitFFI.h" swift/Sources/otpkitFFI/
  cp "$GEN/swift/otpkitFFI.modulemap" swift/Sources/otpkitFFI/module.modulemap
  swift_tests() {
    # One module: the generated API plus the test program.
    swiftc -swift-version 5 -module-name OtpkitSwiftTests \
      -Xcc -fmodule-map-file="$GEN/swift/otpkitFFI.modulemap" -I "$GEN/swift" \
      -L "$LIBDIR" -lotpkit_ffi \
      "$GEN/swift/otpkit.swift" swift/Tests/OtpkitTests/main.swift \
      -o "$OUT/otpkit-swift-tests" 2>&1 | tee "$OUT/swift.log" || return 1
    LD_LIBRARY_PATH="$LIBDIR" "$OUT/otpkit-swift-tests" 2>&1 | tee "$OUT/swift.log"
  }
  runner swift swift_tests
else
  # Not a test run: only a parse of the hand-written Swift, to catch syntax slips.
  runner swift-syntax "$VENV/bin/python" tools/swift_syntax_check.py swift/Tests/OtpkitTests/*.swift
  echo "swift: SKIPPED (no swiftc on this machine)" | tee "$OUT/swift.log"
fi

step "summary"
grep -h '^test result:' "$OUT/rust.log" || true
for log in kotlin python swift; do tail -n 1 "$OUT/$log.log" 2>/dev/null || true; done
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "bindings: FAILED: ${FAILED[*]}"
  exit 1
fi
