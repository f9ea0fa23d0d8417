#!/usr/bin/env bash
# Runs every test otpkit has, on a fresh machine: installs what is missing first.
#   ./scripts/test-all.sh            everything (what CI runs)
#   FUZZ_SECONDS=60 ./scripts/test-all.sh   longer fuzz smoke per target
# Each stage prints its runner's closing lines; the last line counts the stages.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# 8 s per target from the committed seeds: a smoke for crashes on the seeds and near
# them, one target per core at a time; docs/fuzzing.md has the long runs.
FUZZ_SECONDS=${FUZZ_SECONDS:-8}
export CARGO_TERM_COLOR=never

passed=0
failed=0
failed_names=()
# One row per stage for the closing time table: seconds, result, name.
timings=()
stage() {
  local name=$1 start=$SECONDS result
  shift
  echo
  echo "==== $name (t=${SECONDS}s)"
  if "$@"; then
    passed=$((passed + 1))
    result=ok
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    result=FAILED
  fi
  echo "==== $name: $result (t=${SECONDS}s)"
  timings+=("$(printf '%6d s  %-6s  %s' $((SECONDS - start)) "$result" "$name")")
}

# Background builds. The stages leave a core idle for a third of the run (test binaries
# running one KDF at a time, Miri interpreting on one thread, the servers' round trips,
# kotlinc, pip, Node, Chromium, Swift, every one-codegen-unit LTO link). The builds in
# the queue below share no Cargo lock with any stage before the one that needs them
# (each is its own profile's or target directory's build), so they run one after
# another in the background from the prerequisites on, at a lower priority (nice 10,
# like bindings/js/build.sh's cargo) that leaves the running stage its cores and takes
# only what it leaves idle. The stage that needs one waits for it, then runs its own
# command as before, which finds the build fresh; if the background build failed,
# that command builds again and prints the error itself.
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PREBUILD_LOGS=$TARGET_DIR/prebuild
prebuild_pid=
prebuilds=()
prebuild_queue() { # name=function...
  local item
  rm -rf "$PREBUILD_LOGS"
  mkdir -p "$PREBUILD_LOGS"
  (
    renice -n 10 -p "$BASHPID" >/dev/null 2>&1
    for item; do
      start=$SECONDS
      "${item#*=}" >"$PREBUILD_LOGS/${item%%=*}.log" 2>&1
      echo "$? $((SECONDS - start))" >"$PREBUILD_LOGS/${item%%=*}.rc"
    done
  ) &
  prebuild_pid=$!
  echo "background builds started at t=${SECONDS}s, in this order: ${*%%=*} (logs: $PREBUILD_LOGS)"
}
# Waits for a background build; prints how long it ran and how long this stage waited.
await_prebuild() { # name
  local name=$1 start=$SECONDS rc took
  [ -n "$prebuild_pid" ] || return 0
  while [ ! -f "$PREBUILD_LOGS/$name.rc" ] && kill -0 "$prebuild_pid" 2>/dev/null; do
    sleep 1
  done
  read -r rc took <"$PREBUILD_LOGS/$name.rc" 2>/dev/null || { rc='?' took='?'; }
  echo "background build '$name': exit $rc after ${took}s; this stage waited $((SECONDS - start))s for it"
  prebuilds+=("$(printf '%6s s  exit %-3s %s' "$took" "$rc" "$name")")
}

# Prints cargo test's per-binary closing lines (and failures) but not every test name.
cargo_test() {
  local log
  log=$(mktemp)
  cargo test --locked "$@" >"$log" 2>&1
  local rc=$?
  grep -E '^ +(Running|Doc-tests) |^test result:|^failures:|^---- |panicked|^error' "$log" || true
  if [ $rc -ne 0 ]; then tail -n 60 "$log"; fi
  rm -f "$log"
  return $rc
}

install_prerequisites() {
  if ! command -v cargo >/dev/null; then
    echo "cargo not found: install Rust with rustup first" >&2
    return 1
  fi
  # System packages (JDK, JNA, venv, debootstrap, oathtool, PostgreSQL, Redis), each
  # only when missing.
  scripts/prerequisites.sh || return 1
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
  rustup target add thumbv7em-none-eabihf >/dev/null
  if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal >/dev/null
  fi
  rustup component add --toolchain nightly miri rust-src >/dev/null
}

# The fresh-machine property, checked on any machine: every apt install step, simulated
# as if nothing were installed, must be installable together (no conflict with the
# machine's own Node.js); and the check must refuse a list that pulls Debian's npm.
fresh_machine_check() {
  scripts/prerequisites.sh --fresh || return 1
  if OTPKIT_EXTRA_REQUIREMENTS='jvm | cmd:npm | npm | self-test' scripts/prerequisites.sh --fresh jvm >/dev/null 2>&1; then
    echo "fresh-machine check: FAILED to refuse Debian's npm" >&2
    return 1
  fi
  echo "fresh-machine check: refuses Debian's npm (self-test)"
}

no_std_build() {
  cargo build --locked -p otpkit --no-default-features --target thumbv7em-none-eabihf &&
    cargo build --locked -p otpkit --no-default-features --features alloc --target thumbv7em-none-eabihf &&
    echo "no_std: otpkit builds for thumbv7em-none-eabihf without std (with and without alloc)"
}

# The real apps' export files in ../shared/interop (third-party: read in place, never
# copied): per-format pass counts, out-of-scope files with their reason, or a SKIP line.
interop_corpus() {
  cargo test --locked -p otpkit-transfer --test corpus -- --nocapture 2>&1 |
    grep -E '^(corpus|SKIP|MISMATCH)|^test result:|panicked'
  return "${PIPESTATUS[0]}"
}

# otpkit's PSKC export read by python-pskc, in a throwaway virtualenv.
pskc_python() {
  scripts/prerequisites.sh python && bash crates/otpkit-pskc/tests/pskc_python.sh
}

# The device stores against real servers (the store crate, then the CLI's --store):
# PostgreSQL and Redis started on loopback in a temporary directory
# (scripts/services.sh), stopped whatever happens. CI=1 makes a missing server URL a
# failure instead of a skip.
device_stores() (
  services=$(scripts/services.sh start) || exit 1
  eval "$services"
  trap 'scripts/services.sh stop' EXIT
  local rc=0
  CI=${CI:-1} cargo_test -p otpkit-store --all-features || rc=1
  # Each store's ceiling beside MfaService::verify, in check mode: a few operations
  # per cell, counts checked, nothing timed (the numbers come from `cargo bench`).
  OTPKIT_BENCH_REQUIRE_SERVERS=1 cargo_test -p otpkit-store --all-features --bench ceiling || rc=1
  CI=${CI:-1} cargo_test -p otpkit-web-example --all-features || rc=1
  # The CLI's --store on the same servers (tests/store.rs).
  CI=${CI:-1} cargo_test -p otpkit-cli --features postgres,redis --test store || rc=1
  exit "$rc"
)

# The freed-memory stage's release test binaries (target/release).
RELEASE_HYGIENE=(--release -p otpkit -p otpkit-transfer -p otpkit-uniffi -p otpkit-python -p otpkit-cli --test hygiene --test freed_memory)
release_hygiene_build() {
  cargo test --locked "${RELEASE_HYGIENE[@]}" --no-run
}
release_hygiene() {
  await_prebuild release-hygiene
  cargo_test "${RELEASE_HYGIENE[@]}"
}

# The fuzz targets (nightly, fuzz/target).
fuzz_build() {
  [ ! -x fuzz/run.sh ] || fuzz/run.sh --build-only
}
fuzz_smoke() {
  await_prebuild fuzz
  fuzz/run.sh "$FUZZ_SECONDS"
}

# The js stage's .wasm (bindings/js/build.sh's cargo command; target/wasm32-unknown-unknown).
wasm_build() {
  rustup target add wasm32-unknown-unknown >/dev/null &&
    cargo build --locked -p otpkit-wasm --target wasm32-unknown-unknown --profile wasm-release
}
js_binding() {
  await_prebuild wasm
  bash bindings/js/test.sh
}

# The JAR's and the SwiftPM package's native library (bindings/package.sh --release's
# cargo command; target/release-ffi-symbols): LTO with one codegen unit, mostly one core.
release_ffi_build() {
  cargo build --locked -p otpkit-uniffi --profile release-ffi-symbols
}
release_artefacts() {
  await_prebuild release-ffi
  scripts/release.sh --allow-dirty
}

docs() {
  RUSTDOCFLAGS="-D warnings" cargo doc --locked --workspace --no-deps --all-features --exclude otpkit-uniffi
}

stage "install prerequisites" install_prerequisites
# In the order the stages need them.
prebuild_queue release-hygiene=release_hygiene_build fuzz=fuzz_build wasm=wasm_build release-ffi=release_ffi_build
stage "fresh-machine check (apt simulated from nothing)" fresh_machine_check
stage "cargo fmt --check" cargo fmt --all --check
stage "clippy (deny warnings)" cargo clippy --locked --workspace --all-targets --all-features -- -D warnings
# The interop corpus has its own stage below (it prints the per-format tallies).
stage "cargo test (workspace, default features)" cargo_test --workspace -- --skip interop_corpus_matches_expected
stage "interop corpus (otpkit-transfer vs ../shared/interop)" interop_corpus
stage "PSKC export read back by python-pskc (an independent implementation)" pskc_python
stage "cargo test (otpkit, all features)" cargo_test -p otpkit --all-features
# No key left in freed heap memory: the debug runs are in the workspace stage; optimised
# code moves values differently (a leak through enum padding showed in release only).
stage "freed-memory hygiene in release builds (core, transfer, CLI, bindings' Rust side)" release_hygiene
stage "device stores on real PostgreSQL and Redis (otpkit-store and the web example, all features)" device_stores
stage "cargo test (otpkit without the SHA-NI kernel: no unsafe)" cargo_test -p otpkit --no-default-features --features std,getrandom
stage "cargo test (otpkit unit tests, no default features)" cargo_test -p otpkit --no-default-features --lib
stage "no_std build" no_std_build
stage "cargo doc (deny warnings)" docs
# Every criterion benchmark once, in test mode (dev profile: shares the test build).
# The numbers in docs/benchmarks.md come from benches/run.sh, never from CI.
[ -f benches/Cargo.toml ] && stage "benches compile and run once (test mode)" cargo_test --workspace --benches
[ -x scripts/miri.sh ] && stage "miri (core unit tests)" scripts/miri.sh
[ -x fuzz/run.sh ] && stage "fuzz smoke (${FUZZ_SECONDS}s per target)" fuzz_smoke
# The binding crate's Rust tests already ran in the workspace stage above.
[ -x bindings/test.sh ] && stage "bindings (Kotlin, Python, Swift)" env OTPKIT_RUST_TESTS_DONE=1 bindings/test.sh
stage "js/wasm binding (node --test, headless Chromium)" js_binding
stage "release artefacts (crates, wheel and sdist, npm tarball, JAR, SwiftPM package)" release_artefacts
stage "consumer projects (each artefact installed as its users do; the README's getting-started blocks)" scripts/consumers.sh
stage "web example end to end (headless Chromium: assign, sign in, replay, resync, lock-out, remove)" bash examples/web/e2e/test.sh
# Mutants of the lines the last commit changed in the core and lanes crates (bounded).
stage "mutation testing (changed lines)" env MUTANTS_BUDGET="${MUTANTS_BUDGET:-900}" scripts/mutants.sh

echo
echo "==== time per stage (total ${SECONDS} s, $((SECONDS / 60)) min)"
printf '%s\n' "${timings[@]}"
if [ ${#prebuilds[@]} -gt 0 ]; then
  echo "background builds (overlapping the stages above; each stage's time includes only its wait):"
  printf '%s\n' "${prebuilds[@]}"
fi
echo
if [ $failed -gt 0 ]; then
  echo "failed stages: ${failed_names[*]}"
fi
echo "stages: $passed passed, $failed failed"
[ $failed -eq 0 ]
