#!/usr/bin/env bash
# Builds the otpkit bindings (uniffi for Kotlin and Swift, PyO3 for Python) and runs every
# language's tests against the real native library, each language consuming the
# artefact its users get:
#   1. Rust unit tests of the binding crate (cargo test -p otpkit-uniffi)
#   2. Kotlin: bindings/package.sh kotlin makes otpkit.jar (the API plus the native
#      library as a JNA resource); the tests are compiled against that JAR with kotlinc
#      (npm kotlin-compiler, pinned in tools/) and run with only it, JNA (Debian
#      libjna-java) and the Kotlin stdlib on the class path: no -Djna.library.path
#   3. Python: the release wheel (profile release-ffi) of the PyO3 extension
#      (bindings/otpkit-python) built by maturin, pip-installed into the virtualenv,
#      checked with mypy --strict (python/typing/usage.py) and tested with pytest
#      (which also runs the README's Python example)
#   4. Swift: bindings/package.sh swift fills the SwiftPM package in bindings/swift, and
#      `swift test` runs its XCTest suite; where the machine has no Swift, the toolchain
#      is Debian trixie's swiftlang in a cached debootstrap tree (scripts/swift-toolchain.sh).
#      SKIPPED only when no toolchain can be had, with the reason in one line.
# Installs what it needs on a fresh machine (scripts/prerequisites.sh, npm ci, pip).
# Generated sources and build products go under the Cargo target directory (CARGO_TARGET_DIR
# or the workspace's target/), except the SwiftPM package's Sources/, lib/ and .build/,
# which are gitignored.
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

step "tools"
"$ROOT/scripts/prerequisites.sh" jvm python
JNA=/usr/share/java/jna.jar
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
  python3 -m venv "$VENV"
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

step "kotlin: package otpkit.jar, compile the tests against it, run on the JVM"
rm -rf "$OUT/kotlin-tests" && mkdir -p "$OUT/kotlin-tests"
kotlin_tests() {
  local jar
  jar=$(KOTLIN_HOME=$KOTLIN_HOME "$BINDINGS/package.sh" kotlin | tail -n 1) || return 1
  jar tf "$jar" | grep -q "/libotpkit_ffi.so$" || { echo "kotlin: $jar lacks the native library"; return 1; }
  # README.md's Kotlin example (the one ```kotlin block) is compiled and run as it is.
  sed -n '/^```kotlin$/,/^```$/p' README.md | sed '1d;$d' >"$OUT/kotlin-tests/Readme.kt"
  grep -q '^fun main' "$OUT/kotlin-tests/Readme.kt" ||
    { echo "kotlin: no \`\`\`kotlin example with a main() in README.md"; return 1; }
  "$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$jar:$JNA:$KOTLIN_HOME/lib/kotlin-test.jar" \
    kotlin/*.kt "$OUT/kotlin-tests/Readme.kt" -d "$OUT/kotlin-tests/otpkit-tests.jar" 2>&1 |
    tee "$OUT/kotlin.log" || return 1
  # Only the JAR, JNA and the Kotlin stdlib: JNA finds the library inside the JAR.
  local cp="$OUT/kotlin-tests/otpkit-tests.jar:$jar:$JNA:$KOTLIN_HOME/lib/kotlin-test.jar:$KOTLIN_HOME/lib/kotlin-stdlib.jar"
  env -u LD_LIBRARY_PATH java -ea -cp "$cp" example.ReadmeKt 2>&1 | tee "$OUT/kotlin-readme.log" || return 1
  grep -q '^readme example: ok$' "$OUT/kotlin-readme.log" || { echo "kotlin: README example failed"; return 1; }
  env -u LD_LIBRARY_PATH java -ea -cp "$cp" OtpkitTestKt 2>&1 | tee "$OUT/kotlin.log"
}
runner kotlin kotlin_tests

step "python: build the release wheel (PyO3) with maturin, install it, run pytest and mypy"
python_tests() {
  rm -rf "$OUT/wheels"
  (cd python && CARGO_TARGET_DIR=$TARGET_DIR "$VENV/bin/maturin" build --profile release-ffi \
    --out "$OUT/wheels" >"$OUT/maturin.log" 2>&1) || { tail -30 "$OUT/maturin.log"; return 1; }
  tail -1 "$OUT/maturin.log"
  local wheel
  wheel=$(ls "$OUT"/wheels/otpkit-*.whl)
  # What users get: the stubs and the PEP 561 marker are in the wheel.
  "$VENV/bin/python" - "$wheel" <<'PY' || return 1
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
missing = {"otpkit/py.typed", "otpkit/_otpkit.pyi", "otpkit/__init__.py"} - names
if missing or not any(n.startswith("otpkit/_otpkit.") and n.endswith(".so") for n in names):
    sys.exit(f"python: {sys.argv[1]} lacks {sorted(missing) or 'the extension module'}")
PY
  "$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel" ||
    return 1
  # From outside the source tree, so `import otpkit` can only find the installed package.
  (cd "$OUT" && "$VENV/bin/python" -m mypy --strict --no-incremental --cache-dir "$OUT/mypy-cache" \
    "$BINDINGS/python/typing/usage.py" 2>&1) | tee "$OUT/mypy.log" || return 1
  (cd "$OUT" && "$VENV/bin/python" -m pytest -p no:cacheprovider "$BINDINGS/python/tests" 2>&1) |
    tee "$OUT/python.log"
}
runner python python_tests

step "swift: SwiftPM package, swift test (XCTest)"
swift_tests() {
  "$BINDINGS/package.sh" swift >/dev/null || return 1
  # --disable-swift-testing: the suite is XCTest; without it Swift 6 also prints an empty
  # swift-testing run ("0 tests passed") after XCTest's summary.
  local cmd=(swift test --disable-swift-testing)
  if command -v swift >/dev/null; then
    (cd swift && "${cmd[@]}") >"$OUT/swift-full.log" 2>&1
  else
    # The whole repository is mounted, so tests can read the shared test files (the RFC
    # 6030 figures under crates/otpkit-pskc/tests/data).
    "$ROOT/scripts/swift-toolchain.sh" run "$ROOT" "${cmd[@]}" --package-path bindings/swift \
      >"$OUT/swift-full.log" 2>&1
  fi
  local rc=$?
  grep -E "error:|failed \(|^Test Suite 'All tests'|Executed [0-9]+ tests" "$OUT/swift-full.log" | tail -n 20
  [ $rc -eq 0 ] || tail -n 30 "$OUT/swift-full.log"
  grep -E 'Executed [0-9]+ tests' "$OUT/swift-full.log" | tail -n 1 >"$OUT/swift.log"
  return $rc
}
if command -v swift >/dev/null; then
  runner swift swift_tests
elif why=$("$ROOT/scripts/swift-toolchain.sh" ensure 2>&1 >/dev/null); then
  runner swift swift_tests
else
  # Only when no toolchain can be had: say why in one line.
  echo "swift: SKIPPED ($(echo "$why" | tail -n 1))" | tee "$OUT/swift.log"
fi

step "summary"
grep -h '^test result:' "$OUT/rust.log" || true
for log in kotlin python swift; do tail -n 1 "$OUT/$log.log" 2>/dev/null || true; done
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "bindings: FAILED: ${FAILED[*]}"
  exit 1
fi
