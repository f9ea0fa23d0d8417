#!/usr/bin/env bash
# Mutation testing of the core and the security-bearing crates around it (cargo-mutants;
# config in .cargo/mutants.toml; SCOPE below lists the paths).
#
#   scripts/mutants.sh [BASE]          CI stage: mutants of the lines changed since BASE
#                                      (default: HEAD's first parent) in SCOPE
#   scripts/mutants.sh --full [ARGS]   every mutant of those packages; ARGS go to
#                                      cargo mutants (e.g. -f crates/otpkit/src/code.rs)
#
# Fails when a mutant is missed (no test noticed it), when the unmutated tree fails
# its tests, or when the time budget runs out. The last line is
#   mutants: N caught, M missed (U unviable, T timeouts) ... / mutants: N passed, M failed
# Environment: MUTANTS_BUDGET (seconds for the whole run, default 1800),
# MUTANTS_TIMEOUT (seconds per mutant's tests, default 180), MUTANTS_JOBS (default 1),
# OTPKIT_PROPTEST_CASES (property-test cases per mutant, default 16).
# See docs/mutation-testing.md.
set -uo pipefail
cd "$(dirname "$0")/.."

CARGO_MUTANTS_VERSION=27.1.0
BUDGET=${MUTANTS_BUDGET:-1800}
TIMEOUT=${MUTANTS_TIMEOUT:-180}
JOBS=${MUTANTS_JOBS:-1}
export OTPKIT_PROPTEST_CASES=${OTPKIT_PROPTEST_CASES:-16}
export CARGO_TERM_COLOR=never
OUT=target/mutants
# The core, its SHA-NI kernel, and the security-bearing code around them: the device
# store (read-verify-swap, sealing, row versions), key derivation under the import
# budget, PSKC's MAC and decryption, the transfer crate's decryption.
SCOPE=(crates/otpkit/src crates/otpkit-lanes/src crates/otpkit-store/src crates/otpkit-kdf/src
  crates/otpkit-pskc/src crates/otpkit-transfer/src/crypto.rs)
PACKAGES=(otpkit otpkit-lanes otpkit-store otpkit-kdf otpkit-pskc otpkit-transfer)

install_mutants() {
  if ! cargo mutants --version >/dev/null 2>&1; then
    echo "installing cargo-mutants $CARGO_MUTANTS_VERSION"
    cargo install cargo-mutants --locked --version "$CARGO_MUTANTS_VERSION" || exit 1
  fi
}

args=(--jobs "$JOBS" --timeout "$TIMEOUT"
  --no-shuffle --output "$OUT" --copy-target=true)
for package in "${PACKAGES[@]}"; do args+=(--package "$package"); done
if [ "${1:-}" = "--full" ]; then
  shift
  args+=("$@")
  echo "mutants: full run of otpkit and otpkit-lanes $*"
else
  base=${1:-}
  if [ -z "$base" ]; then
    if ! git rev-parse --verify --quiet 'HEAD^1' >/dev/null &&
      [ "$(git rev-parse --is-shallow-repository)" = true ]; then
      # A depth-1 CI clone: fetch the parent commit.
      git fetch --quiet --deepen=1 2>/dev/null || true
    fi
    if git rev-parse --verify --quiet 'HEAD^1' >/dev/null; then
      base='HEAD^1'
    else
      # The repository's only commit: every line is new.
      base=$(git hash-object -t tree /dev/null)
      echo "mutants: HEAD has no parent commit; comparing with the empty tree (every line)"
    fi
  fi
  if ! git rev-parse --verify --quiet "$base^{tree}" >/dev/null; then
    echo "mutants: unknown base '$base' (pass a commit, e.g. \$(git merge-base HEAD origin/main))" >&2
    exit 1
  fi
  mkdir -p "$OUT"
  diff_file=$OUT/changes.diff
  # Working tree against the base, so uncommitted edits count when run by hand.
  git diff --no-ext-diff "$base" -- "${SCOPE[@]}" >"$diff_file"
  if [ ! -s "$diff_file" ]; then
    echo "mutants: no change in ${SCOPE[*]} since $(git rev-parse --short "$base")"
    echo "mutants: 0 caught, 0 missed (0 unviable, 0 timeouts)"
    echo "mutants: 0 passed, 0 failed"
    exit 0
  fi
  echo "mutants: lines changed since $(git rev-parse --short "$base"): $(grep -c '^+[^+]' "$diff_file") added"
  args+=(--in-diff "$diff_file")
fi

# Installed only now: a change that touches no mutable line needs no cargo-mutants.
install_mutants
# SIGINT first so cargo-mutants records what it finished; KILL if it lingers.
start=$SECONDS
timeout --signal=INT --kill-after=60 "$BUDGET" cargo mutants "${args[@]}"
rc=$?
elapsed=$((SECONDS - start))

count() { if [ -f "$OUT/mutants.out/$1.txt" ]; then grep -c . "$OUT/mutants.out/$1.txt"; else echo 0; fi; }
caught=$(count caught)
missed=$(count missed)
unviable=$(count unviable)
timeouts=$(count timeout)

if [ "$missed" -gt 0 ]; then
  echo "mutants: missed (no test failed with these changes):"
  sed 's/^/  /' "$OUT/mutants.out/missed.txt"
fi
status=0
case $rc in
  0 | 3) ;; # 3: some mutants timed out (a hang is noticed, so not a miss)
  2) status=1 ;;
  124 | 137)
    echo "mutants: time budget of ${BUDGET}s ran out (raise MUTANTS_BUDGET or narrow the change)" >&2
    status=1
    ;;
  4) echo "mutants: the unmutated tree fails its tests" >&2; status=1 ;;
  *) echo "mutants: cargo mutants exited with $rc" >&2; status=1 ;;
esac
[ "$missed" -gt 0 ] && status=1
echo "mutants: ${caught} caught, ${missed} missed (${unviable} unviable, ${timeouts} timeouts) in ${elapsed}s"
echo "mutants: $((caught + timeouts)) passed, ${missed} failed"
exit $status
