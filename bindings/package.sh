#!/usr/bin/env bash
# Builds libotpkit_ffi, generates the uniffi sources and packages each language's
# artefact the way its users consume it:
#
#   bindings/package.sh kotlin [--release]
#       -> $TARGET/bindings/kotlin/otpkit.jar: the Kotlin API compiled (the generated
#          uniffi sources and kotlin/src, the JNI path of the hot calls), plus the native
#          library as a JNA resource (linux-x86-64/libotpkit_ffi.so), so a JVM program
#          needs only this JAR, JNA and the Kotlin standard library on its class path.
#   bindings/package.sh swift [--release]
#       -> bindings/swift ready for `swift build` / `swift test`: Sources/Otpkit/otpkit.swift,
#          Sources/otpkitFFI/{otpkitFFI.h,module.modulemap} and lib/libotpkit_ffi.so
#          (all gitignored; Package.swift links and runs against lib/).
#
# Without --release the library is the debug build (what bindings/test.sh tests). With
# --release it is what an app ships: the workspace profile release-ffi (LTO, one codegen
# unit), built as release-ffi-symbols (the same code with its symbol table, which
# uniffi-bindgen needs to read the binding's metadata), then stripped into
# $TARGET/bindings/lib-release/libotpkit_ffi.so, the copy that is packaged.
#
# $TARGET is the Cargo target directory. Prints the artefact's path last.
set -euo pipefail
cd "$(dirname "$0")"
BINDINGS=$PWD
ROOT=$(cd .. && pwd)
lang=${1:-}
case ${2:-} in
  "") profile=debug cargo_profile=dev ;;
  --release) profile=release-ffi-symbols cargo_profile=release-ffi-symbols ;;
  *) echo "package.sh: unknown option ${2} (only --release)" >&2; exit 2 ;;
esac

TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
OUT=$TARGET_DIR/bindings
# The library uniffi-bindgen reads (with symbols) and LIB, the one that is packaged.
BUILT=$TARGET_DIR/$profile/libotpkit_ffi.so
LIB=$BUILT
GEN=$OUT/generated-$profile

# Strips a copy of the library the way cargo's `strip = true` does (all symbols; the
# dynamic symbol table, which the loader and JNA use, stays).
strip_copy() { # from to
  mkdir -p "$(dirname "$2")"
  rm -f "$2"
  case "$(uname -s)" in
    Darwin) cp "$1" "$2" && strip -x "$2" ;;
    *) strip --strip-all -o "$2" "$1" ;;
  esac
}

build() {
  # The generator is a build tool: always the dev profile (one build shared by both
  # paths); it reads the metadata of any build of the library with the same uniffi.
  (cd "$ROOT" && cargo build --locked -q -p uniffi-bindgen &&
    cargo build --locked -q -p otpkit-uniffi --profile "$cargo_profile")
  rm -rf "$GEN/$1"
  "$TARGET_DIR/debug/uniffi-bindgen" generate --no-format --language "$1" --out-dir "$GEN/$1" \
    "$BUILT" >/dev/null
  if [ "$profile" != debug ]; then
    LIB=$OUT/lib-release/libotpkit_ffi.so
    strip_copy "$BUILT" "$LIB"
  fi
}

# JNA's name for this platform's resource folder (com.sun.jna.Platform.RESOURCE_PREFIX).
jna_prefix() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-x86-64 ;;
    Linux-aarch64) echo linux-aarch64 ;;
    Darwin-x86_64) echo darwin-x86-64 ;;
    Darwin-arm64) echo darwin-aarch64 ;;
    *) echo "package.sh: no JNA resource prefix known for $(uname -s)-$(uname -m)" >&2; return 1 ;;
  esac
}

case $lang in
  kotlin)
    build kotlin
    JNA=${JNA_JAR:-/usr/share/java/jna.jar}
    KOTLIN_HOME=${KOTLIN_HOME:-$BINDINGS/tools/node_modules/kotlin-compiler}
    [ -f "$JNA" ] || { echo "package.sh: no JNA at $JNA (scripts/prerequisites.sh jvm)" >&2; exit 1; }
    [ -x "$KOTLIN_HOME/bin/kotlinc" ] || { echo "package.sh: no kotlinc at $KOTLIN_HOME (cd bindings/tools && npm ci)" >&2; exit 1; }
    export JAVA_OPTS="${JAVA_OPTS:--Xmx2g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"
    stage=$OUT/kotlin-jar-$profile
    rm -rf "$stage" && mkdir -p "$stage/classes/$(jna_prefix)"
    # With the generated API, the hand-written JNI path of the hot calls (kotlin/src:
    # `codeAtFast`, … over otpkit-jni's functions in the same library), in one module so
    # it can use the generated code's internal types.
    "$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$JNA" "$GEN/kotlin/uniffi/otpkit/otpkit.kt" \
      kotlin/src/*.kt -d "$stage/classes" 2>&1
    cp "$LIB" "$stage/classes/$(jna_prefix)/"
    mkdir -p "$OUT/kotlin"
    jar --create --file "$OUT/kotlin/otpkit.jar" -C "$stage/classes" .
    echo "$OUT/kotlin/otpkit.jar"
    ;;
  swift)
    build swift
    mkdir -p swift/Sources/Otpkit swift/Sources/otpkitFFI swift/lib
    cp "$GEN/swift/otpkit.swift" swift/Sources/Otpkit/
    # What uniffi does not declare (the error's CustomStringConvertible), kept in swift/Extensions.
    cp swift/Extensions/*.swift swift/Sources/Otpkit/
    cp "$GEN/swift/otpkitFFI.h" swift/Sources/otpkitFFI/
    # SwiftPM's system-library target wants the map named module.modulemap beside the
    # header. Its `use "Darwin"` line is inert on Linux (clang checks `use` declarations
    # only under -fmodules-decluse, which Swift does not pass), so it is kept as generated.
    cp "$GEN/swift/otpkitFFI.modulemap" swift/Sources/otpkitFFI/module.modulemap
    cp "$LIB" swift/lib/
    # README.md's Swift example (the one ```swift block), run by ReadmeExampleTests.
    sed -n '/^```swift$/,/^```$/p' README.md | sed '1d;$d' >swift/Tests/OtpkitTests/ReadmeExample.swift
    grep -q '^func readmeExample' swift/Tests/OtpkitTests/ReadmeExample.swift ||
      { echo "package.sh: no \`\`\`swift example with readmeExample() in README.md" >&2; exit 1; }
    echo "$BINDINGS/swift"
    ;;
  *)
    sed -n '2,20p' "$0"
    exit 2
    ;;
esac
