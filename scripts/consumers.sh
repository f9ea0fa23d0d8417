#!/usr/bin/env bash
# Installs each release artefact (scripts/release.sh) into a clean consumer project, as
# its users would, and runs the README's getting-started example for that language
# there, taken from README.md as written (scripts/readme-block.mjs):
#
#   rust     a new cargo project: README.md's ```toml getting-started dependencies and
#            ```rust getting-started main, built from the packaged .crate files
#            (scripts/consumers/rust/run.sh)
#   cli      `cargo install --locked --path crates/otpkit-cli` into a fresh root, then
#            README.md's ```sh getting-started block with that `otpkit` on PATH
#   python   a new virtualenv with only the wheel: ```python getting-started
#   js       a new npm project with only the tarball: ```js getting-started, as ESM,
#            beside the same lines as CommonJS and TypeScript, type-checked with
#            tsc --strict (bindings/js/consumer/run.sh)
#   kotlin   ```kotlin getting-started compiled against only the JAR, and run with
#            only it, JNA and the Kotlin standard library
#   swift    a new SwiftPM package depending on the unpacked SwiftPM artefact:
#            ```swift getting-started as its main.swift (Swift in the cached trixie
#            toolchain tree where the machine has none)
#
# Usage: scripts/consumers.sh [ARTEFACTS] [LANG...]   (default: every language)
# Ends with one line per language and `consumers: N passed, M failed`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
ART=${1:-$TARGET_DIR/release-artefacts}
ART=$(cd "$ART" && pwd)
shift || true
LANGS=("$@")
[ ${#LANGS[@]} -gt 0 ] || LANGS=(rust cli python js kotlin swift)
WORK=$TARGET_DIR/consumers
mkdir -p "$WORK"
export JAVA_OPTS="${JAVA_OPTS:--Xmx2g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

# The README's block whose info string is exactly $1, into file $2.
readme_block() { node scripts/readme-block.mjs README.md "$1" >"$2"; }
# A fresh, empty folder for one consumer.
fresh() { rm -rf "${WORK:?}/$1" && mkdir -p "$WORK/$1" && echo "$WORK/$1"; }

consumer_rust() {
  local dir
  dir=$(fresh rust)
  readme_block "toml getting-started" "$dir/dependencies.toml"
  readme_block "rust getting-started" "$dir/main.rs"
  scripts/consumers/rust/run.sh "$ART/crates" "$dir/dependencies.toml" "$dir/main.rs"
}

consumer_cli() {
  local dir
  dir=$(fresh cli)
  # The README's install command, into a fresh root instead of ~/.cargo.
  # The target directory is shared with the other stages, to reuse what they built.
  CARGO_TARGET_DIR=$TARGET_DIR cargo install --locked --path crates/otpkit-cli --root "$dir/root" --quiet
  readme_block "sh getting-started" "$dir/getting-started.sh"
  (cd "$dir" && PATH="$dir/root/bin:$PATH" bash -euo pipefail getting-started.sh) >"$dir/out.txt"
  cat "$dir/out.txt"
  grep -E -q '^[0-9]{6}$' "$dir/out.txt" || { echo "cli: no 6-digit code printed"; return 1; }
  echo "cli consumer: ok (cargo install --path crates/otpkit-cli; first code $(grep -E -m 1 '^[0-9]{6}$' "$dir/out.txt"))"
}

consumer_python() {
  local dir wheel
  dir=$(fresh python)
  wheel=$(ls "$ART"/python/otpkit-*.whl)
  python3 -m venv "$dir/venv"
  # Only the wheel: no index, so nothing else can be installed with it.
  "$dir/venv/bin/pip" install -q --disable-pip-version-check --no-index "$wheel"
  readme_block "python getting-started" "$dir/getting_started.py"
  (cd "$dir" && venv/bin/python getting_started.py) | tee "$dir/out.txt"
  grep -E -q '^[0-9]{6}$' "$dir/out.txt" || { echo "python: no 6-digit code printed"; return 1; }
  echo "python consumer: ok ($(basename "$wheel"), only the wheel installed)"
}

consumer_js() {
  # It takes the README's "js getting-started" block itself.
  bindings/js/consumer/run.sh "$(ls "$ART"/npm/otpkit-*.tgz)"
}

consumer_kotlin() {
  local dir kotlin_home=$ROOT/bindings/tools/node_modules/kotlin-compiler jna=/usr/share/java/jna.jar
  dir=$(fresh kotlin)
  readme_block "kotlin getting-started" "$dir/Main.kt"
  "$kotlin_home/bin/kotlinc" -Werror -cp "$ART/jvm/otpkit.jar" "$dir/Main.kt" -d "$dir/app.jar" 2>&1
  # Only the JAR, JNA and the Kotlin standard library: no library path.
  (cd "$dir" && env -u LD_LIBRARY_PATH java -cp "app.jar:$ART/jvm/otpkit.jar:$jna:$kotlin_home/lib/kotlin-stdlib.jar" \
    MainKt) | tee "$dir/out.txt"
  grep -E -q '^[0-9]{6}$' "$dir/out.txt" || { echo "kotlin: no 6-digit code printed"; return 1; }
  # The JNI fast path in the release JAR's stripped library: its symbols survived the
  # release build, and it gives what the uniffi calls give (RFC 6238's SHA-1 secret).
  cat >"$dir/FastPath.kt" <<'KOTLIN'
import uniffi.otpkit.*

fun main() {
    val totp = Totp(Secret.fromBase32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"))
    val code = totp.codeAtFast(59UL)
    check(code == totp.codeAt(59UL)) { "codeAtFast differs from codeAt" }
    check(totp.stepAtFast(59UL) == totp.stepAt(59UL)) { "stepAtFast differs from stepAt" }
    check(totp.verifyFast(code, 89UL)?.step == 1UL) { "verifyFast missed the previous step's code" }
    check(totp.verifyFast("000000", 59UL) == null) { "verifyFast matched a wrong code" }
    println("fast path: $code")
}
KOTLIN
  "$kotlin_home/bin/kotlinc" -Werror -cp "$ART/jvm/otpkit.jar" "$dir/FastPath.kt" -d "$dir/fast.jar" 2>&1
  (cd "$dir" && env -u LD_LIBRARY_PATH java -cp "fast.jar:$ART/jvm/otpkit.jar:$jna:$kotlin_home/lib/kotlin-stdlib.jar" \
    FastPathKt) | tee -a "$dir/out.txt"
  grep -q '^fast path: 287082$' "$dir/out.txt" || { echo "kotlin: the JNI fast path did not give RFC 6238's code"; return 1; }
  echo "kotlin consumer: ok (otpkit.jar, JNA and the Kotlin stdlib only; the JNI fast path too)"
}

consumer_swift() {
  local dir
  dir=$(fresh swift)
  tar -xzf "$ART/swift/otpkit-swift.tar.gz" -C "$dir"
  mkdir -p "$dir/app/Sources/App"
  cat >"$dir/app/Package.swift" <<'SWIFT'
// swift-tools-version:5.7
import PackageDescription

let package = Package(
    name: "App",
    dependencies: [.package(name: "Otpkit", path: "../swift")],
    targets: [.executableTarget(name: "App", dependencies: [.product(name: "Otpkit", package: "Otpkit")])]
)
SWIFT
  readme_block "swift getting-started" "$dir/app/Sources/App/main.swift"
  if command -v swift >/dev/null; then
    (cd "$dir/app" && swift run -c release App) | tee "$dir/out.txt"
  else
    scripts/swift-toolchain.sh ensure >/dev/null
    scripts/swift-toolchain.sh run "$dir" swift run -c release --package-path app App | tee "$dir/out.txt"
  fi
  grep -E -q '^[0-9]{6}$' "$dir/out.txt" || { echo "swift: no 6-digit code printed"; return 1; }
  echo "swift consumer: ok (a SwiftPM package depending on the unpacked artefact)"
}

passed=0
failed=()
for lang in "${LANGS[@]}"; do
  echo "== consumer: $lang (t=${SECONDS}s)"
  start=$SECONDS
  if "consumer_$lang" >"$WORK/$lang.log" 2>&1; then
    passed=$((passed + 1))
    echo "$(tail -n 1 "$WORK/$lang.log") in $((SECONDS - start))s"
  else
    failed+=("$lang")
    tail -n 30 "$WORK/$lang.log"
    echo "$lang consumer: FAILED in $((SECONDS - start))s"
  fi
done
echo "consumers: $passed passed, ${#failed[@]} failed${failed[*]:+ (${failed[*]})}"
[ ${#failed[@]} -eq 0 ]
