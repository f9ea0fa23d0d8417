#!/usr/bin/env bash
# Builds the otpkit bindings (uniffi for Kotlin and Swift, PyO3 for Python) and runs every
# language's tests against the real native library, each language consuming the
# artefact its users get:
#   1. Rust unit tests of the binding crate (cargo test -p otpkit-uniffi)
#   README.md's shell blocks are run as written by the steps below (its Kotlin and Swift
#   quick starts, its two pip installs), or, marked ```sh no-run, checked to repeat them.
#   2. Kotlin: the README's quick start: bindings/package.sh kotlin makes otpkit.jar (the
#      API plus the native library as a JNA resource), and the README's example is
#      compiled against it and run; the tests are compiled against that JAR with kotlinc
#      (npm kotlin-compiler, pinned in tools/) and run with only it, JNA (Debian
#      libjna-java) and the Kotlin stdlib on the class path: no -Djna.library.path
#   3. Python: the release wheel (profile release-ffi) of the PyO3 extension
#      (bindings/otpkit-python) built by maturin; the README's `pip install bindings/python`
#      (from source) and then its `pip install <the wheel>` into the virtualenv;
#      checked with mypy --strict (python/typing/usage.py and the package itself), its
#      stubs checked against the built module with mypy's stubtest, and tested with
#      pytest (which also runs the README's Python example, and a pyotp script against
#      both pyotp and otpkit.pyotp)
#   4. Swift: the README's quick start (bindings/package.sh swift fills the SwiftPM package
#      in bindings/swift; swift build), then `swift test` runs its XCTest suite; where the
#      machine has no Swift, the toolchain is Debian trixie's swiftlang in a cached debootstrap tree (scripts/swift-toolchain.sh).
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
# A virtualenv copied or moved from elsewhere keeps the old path in its scripts' #! lines,
# so its `pip` (which the README's pip commands below run) would install into the old one.
if [ ! -x "$VENV/bin/python" ] || [ "$(head -n 1 "$VENV/bin/pip" 2>/dev/null)" != "#!$VENV/bin/python3" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r python/requirements-test.txt

rm -f "$OUT"/{rust,kotlin,python,swift}.log

step "readme: the shell blocks of README.md"
# Every ```sh block of README.md is either run below as it is written (in the folder its
# prose names, with the tools test.sh installed first on PATH), or marked ```sh no-run
# because it repeats commands that are run (checked here). SH_BLOCKS is how many blocks
# this script handles, so a new block cannot go unnoticed.
SH_BLOCKS=6
#   1 pip install <the wheel>   run in $OUT/wheels (python)
#   2 pip install bindings/python   run in the repository (python)
#   3 Kotlin quick start        run in a folder holding the ```kotlin block as Main.kt (kotlin)
#   4 Swift quick start         run in the repository (swift)
#   5 each language's artefact  no-run: its commands are those of blocks 2-4
#   6 bindings/test.sh          no-run: this script
README_SH=$OUT/readme-sh
rm -rf "$README_SH" && mkdir -p "$README_SH"
readme_blocks() {
  local n
  if grep -n -E '^```(bash|shell|console|zsh|sh[^ ]|sh .*)' README.md | grep -v ':```sh no-run$'; then
    echo "readme: README.md has a shell block test.sh does not know (use \`\`\`sh, or \`\`\`sh no-run)"
    return 1
  fi
  n=$(grep -c -E '^```sh( no-run)?$' README.md)
  [ "$n" = "$SH_BLOCKS" ] || {
    echo "readme: README.md has $n shell blocks, bindings/test.sh handles $SH_BLOCKS: run the new one here, or mark it \`\`\`sh no-run and check it"
    return 1
  }
  # Each block to $README_SH/N.sh, its fence line to N.fence.
  awk -v dir="$README_SH" '
    inb && /^```/ { inb = 0; close(f); next }
    inb { print > f; next }
    /^```sh( no-run)?$/ { i++; f = dir "/" i ".sh"; print > (dir "/" i ".fence"); close(dir "/" i ".fence"); inb = 1; printf "" > f }
  ' README.md
  local i want
  for i in $(seq 1 "$SH_BLOCKS"); do
    case $i in 5 | 6) want='```sh no-run' ;; *) want='```sh' ;; esac
    [ "$(cat "$README_SH/$i.fence")" = "$want" ] ||
      { echo "readme: shell block $i is $(cat "$README_SH/$i.fence"), expected $want"; return 1; }
  done
  # The commands of a block, without comments, blank lines or the $OTPKIT/ prefix, one a line.
  commands() { # N...
    local b
    for b; do
      sed -e 's/[[:space:]]*#.*//' -e 's|"\$OTPKIT"/||g' -e 's/[[:space:]]\{1,\}/ /g' -e '/^ *$/d' "$README_SH/$b.sh"
    done
  }
  # A whole command: at a line's start or after `$(`, and ending the line or before |, ), ;, &.
  local line re run
  run=$(commands 2 3 4)
  while IFS= read -r line; do
    re=$(printf '%s' "$line" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
    grep -q -E -- "(^|\\\$\\()$re *([|);&]|$)" <<<"$run" ||
      { echo "readme: the no-run block 5 has \`$line\`, which no block that is run has"; return 1; }
  done < <(commands 5)
  [ "$(commands 5 | wc -l)" = 3 ] || { echo "readme: block 5 should list 3 commands: $(commands 5 | tr '\n' ';')"; return 1; }
  [ "$(commands 6)" = bindings/test.sh ] || { echo "readme: block 6 should be \`bindings/test.sh\`, is: $(commands 6)"; return 1; }
  echo "readme: $SH_BLOCKS shell blocks: 1-4 are run below, 5 and 6 (no-run) repeat commands that are run"
}
runner readme readme_blocks

step "rust: unit tests of the binding crate"
if [ "${OTPKIT_RUST_TESTS_DONE:-}" = 1 ]; then
  # scripts/test-all.sh has just run them with the whole workspace.
  echo "rust: run by the workspace test stage" | tee "$OUT/rust.log"
else
  rust_tests() { (cd "$ROOT" && cargo test -p otpkit-uniffi 2>&1) | tee "$OUT/rust.log"; }
  runner rust rust_tests
fi

step "kotlin: README quick start (package otpkit.jar, compile and run the example), then the tests against the JAR"
rm -rf "$OUT/kotlin-tests" && mkdir -p "$OUT/kotlin-tests"
kotlin_tests() {
  # README.md's Kotlin quick start (shell block 3) as written, in a folder holding the
  # ```kotlin block as Main.kt: it packages otpkit.jar, compiles the example against it and
  # runs it. No LD_LIBRARY_PATH: JNA finds the library inside the JAR.
  local app=$OUT/kotlin-readme
  rm -rf "$app" && mkdir -p "$app"
  sed -n '/^```kotlin$/,/^```$/p' README.md | sed '1d;$d' >"$app/Main.kt"
  grep -q '^fun main' "$app/Main.kt" || { echo "kotlin: no \`\`\`kotlin example with a main() in README.md"; return 1; }
  (cd "$app" && env -u LD_LIBRARY_PATH OTPKIT="$ROOT" PATH="$KOTLIN_HOME/bin:$PATH" \
    bash -euo pipefail "$README_SH/3.sh") 2>&1 | tee "$OUT/kotlin-readme.log" || return 1
  grep -q '^readme example: ok$' "$OUT/kotlin-readme.log" || { echo "kotlin: README example failed"; return 1; }
  ! grep -E '^Main\.kt:.*warning:' "$OUT/kotlin-readme.log" || { echo "kotlin: the README example compiles with warnings"; return 1; }
  local jar=$OUT/kotlin/otpkit.jar
  jar tf "$jar" | grep -q "/libotpkit_ffi.so$" || { echo "kotlin: $jar lacks the native library"; return 1; }
  "$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$jar:$JNA:$KOTLIN_HOME/lib/kotlin-test.jar" \
    kotlin/*.kt -d "$OUT/kotlin-tests/otpkit-tests.jar" 2>&1 | tee "$OUT/kotlin.log" || return 1
  # Only the JAR, JNA and the Kotlin stdlib: JNA finds the library inside the JAR.
  local cp="$OUT/kotlin-tests/otpkit-tests.jar:$jar:$JNA:$KOTLIN_HOME/lib/kotlin-test.jar:$KOTLIN_HOME/lib/kotlin-stdlib.jar"
  env -u LD_LIBRARY_PATH java -ea -cp "$cp" OtpkitTestKt 2>&1 | tee "$OUT/kotlin.log"
}
runner kotlin kotlin_tests

step "python: build the release wheel (PyO3) with maturin; the README's pip installs (from source, then the wheel); mypy, stubtest and pytest"
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
missing = {"otpkit/py.typed", "otpkit/_otpkit.pyi", "otpkit/__init__.py", "otpkit/pyotp.py"} - names
if missing or not any(n.startswith("otpkit/_otpkit.") and n.endswith(".so") for n in names):
    sys.exit(f"python: {sys.argv[1]} lacks {sorted(missing) or 'the extension module'}")
PY
  # README.md's Python installs as written, with the virtualenv's pip first on PATH. First
  # shell block 2, `pip install bindings/python` from the repository (pip builds the wheel
  # from source with maturin), checked by importing it from outside the source tree ...
  "$VENV/bin/pip" uninstall -q -y otpkit >/dev/null 2>&1 || true
  (cd "$ROOT" && PATH="$VENV/bin:$PATH" PIP_DISABLE_PIP_VERSION_CHECK=1 bash -euo pipefail "$README_SH/2.sh") \
    >"$OUT/pip-source.log" 2>&1 || { tail -n 30 "$OUT/pip-source.log"; echo "python: pip install bindings/python failed"; return 1; }
  (cd "$OUT" && "$VENV/bin/python" -c '
import otpkit, sys
assert "site-packages" in otpkit.__file__, otpkit.__file__
code = otpkit.Totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", digits=8).at(59)
assert code == "94287082", code  # RFC 6238, appendix B
print("python: pip install bindings/python: built from source and imported")') || return 1
  # ... then block 1, `pip install <the wheel>` in the folder maturin wrote it to, by the
  # name the README gives (so the name there is the one this build makes); the tests
  # below run against what it installs.
  local named
  named=$(grep -o 'otpkit-[^ ]*\.whl' "$README_SH/1.sh")
  [ "$OUT/wheels/$named" = "$wheel" ] ||
    { echo "python: README.md installs $named, maturin built $(basename "$wheel")"; return 1; }
  "$VENV/bin/pip" uninstall -q -y otpkit >/dev/null || return 1
  (cd "$OUT/wheels" && PATH="$VENV/bin:$PATH" PIP_DISABLE_PIP_VERSION_CHECK=1 bash -euo pipefail "$README_SH/1.sh") \
    >"$OUT/pip-wheel.log" 2>&1 || { tail -n 30 "$OUT/pip-wheel.log"; echo "python: pip install of the wheel failed"; return 1; }
  grep -q "^Successfully installed otpkit-" "$OUT/pip-wheel.log" ||
    { cat "$OUT/pip-wheel.log"; echo "python: the README's pip install did not install the wheel"; return 1; }
  # From outside the source tree, so `import otpkit` can only find the installed package.
  (cd "$OUT" && "$VENV/bin/python" -m mypy --strict --no-incremental --cache-dir "$OUT/mypy-cache" \
    "$BINDINGS/python/typing/usage.py" 2>&1) | tee "$OUT/mypy.log" || return 1
  # The package's own Python (otpkit.pyotp) and its stubs, under mypy --strict ...
  (cd "$OUT" && "$VENV/bin/python" -m mypy --strict --no-incremental --cache-dir "$OUT/mypy-cache" \
    -p otpkit 2>&1) | tee -a "$OUT/mypy.log" || return 1
  # ... and the stubs against the installed extension (mypy's stubtest, no allowlist):
  # every name, argument, default and argument kind of _otpkit.pyi as the module has it.
  (cd "$OUT" && "$VENV/bin/python" -m mypy.stubtest otpkit 2>&1) |
    tee "$OUT/stubtest.log" || return 1
  (cd "$OUT" && "$VENV/bin/python" -m pytest -p no:cacheprovider "$BINDINGS/python/tests" 2>&1) |
    tee "$OUT/python.log"
}
runner python python_tests

step "swift: README quick start (package.sh swift, swift build), then swift test (XCTest)"
swift_tests() {
  # README.md's Swift quick start (shell block 4) as written, from the repository root:
  # `bindings/package.sh swift` (which also copies the ```swift block into the XCTest
  # target) and `swift build` in bindings/swift. Where the machine has no Swift, `swift`
  # on the block's PATH runs the cached toolchain's on the folder it is called in.
  local shims=$OUT/swift-shims path=$PATH
  if ! command -v swift >/dev/null; then
    rm -rf "$shims" && mkdir -p "$shims"
    printf '#!/bin/sh\nexec %q run "$PWD" swift "$@"\n' "$ROOT/scripts/swift-toolchain.sh" >"$shims/swift"
    chmod +x "$shims/swift"
    path=$shims:$PATH
  fi
  (cd "$ROOT" && PATH=$path bash -euo pipefail "$README_SH/4.sh") >"$OUT/swift-readme.log" 2>&1 ||
    { tail -n 30 "$OUT/swift-readme.log"; echo "swift: the README's quick start failed"; return 1; }
  grep -E '^(Build complete|Compiling|error:)' "$OUT/swift-readme.log" | tail -n 1
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
