#!/usr/bin/env bash
# JVM benchmark of the Kotlin binding (docs/benchmarks.md, "Kotlin / JVM"): builds the
# release otpkit.jar (bindings/package.sh kotlin --release), compiles Bench.kt against it
# and runs it with only that JAR, JNA and the Kotlin stdlib on the class path, with the
# JVM's default JIT (no C1-only flags).
set -euo pipefail
cd "$(dirname "$0")/../.."
BINDINGS=$PWD
KOTLIN_HOME=${KOTLIN_HOME:-$BINDINGS/tools/node_modules/kotlin-compiler}
JNA=${JNA_JAR:-/usr/share/java/jna.jar}
jar=$(KOTLIN_HOME=$KOTLIN_HOME ./package.sh kotlin --release | tail -n 1)
out=$(dirname "$jar")/bench
rm -rf "$out" && mkdir -p "$out"
JAVA_OPTS="-Xmx1g" "$KOTLIN_HOME/bin/kotlinc" -Werror -cp "$jar:$JNA" kotlin/bench/Bench.kt \
  -d "$out/bench.jar" 2>&1
env -u LD_LIBRARY_PATH -u JAVA_OPTS java -cp "$out/bench.jar:$jar:$JNA:$KOTLIN_HOME/lib/kotlin-stdlib.jar" BenchKt
