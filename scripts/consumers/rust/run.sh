#!/usr/bin/env bash
# Installs the packaged crates into a new project and runs the getting-started program:
#   scripts/consumers/rust/run.sh CRATES_DIR DEPENDENCIES_TOML MAIN_RS
# CRATES_DIR holds the .crate files of scripts/package-crates.sh. The project is this
# directory's Cargo.toml with DEPENDENCIES_TOML (a `[dependencies]` table, as a user
# writes it: `otpkit = "0.1"`, as from crates.io) and MAIN_RS as its program;
# scripts/consumers.sh passes the README's ```toml and ```rust getting-started blocks.
# The project is made in a fresh temporary directory, the .crate files are unpacked
# beside it and a [patch.crates-io] points it at them: it builds from exactly what was
# packaged, never from the workspace. The program must succeed and print the first
# code of RFC 6238's test secret (`first code: 287082`) and `enrolled, signed in,
# replay refused`. Then every packaged crate, with all its features, is checked as a
# dependency of one more new project, so none ships unbuildable. The last line:
#   rust consumer: ok (first code 287082, enrolled, signed in, replay refused; 6 crates checked)
# CARGO_TARGET_DIR is honoured (a cache); by default the build is in the temporary directory.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
usage="usage: $0 CRATES_DIR DEPENDENCIES_TOML MAIN_RS   (CRATES_DIR: scripts/package-crates.sh's)"
if [ $# -ne 3 ] || [ ! -d "$1" ]; then
  echo "$usage" >&2
  exit 2
fi
CRATES_DIR=$(cd "$1" && pwd)
DEPENDENCIES=$(realpath "$2")
MAIN_RS=$(realpath "$3")
grep -q '^\[dependencies\]' "$DEPENDENCIES" || {
  echo "rust consumer: $DEPENDENCIES has no [dependencies] table" >&2
  exit 2
}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/otpkit-rust-consumer.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$WORK/target}
export CARGO_TERM_COLOR=never

# Each .crate unpacked into $WORK/crates/NAME-VERSION; its name read from its manifest.
mkdir "$WORK/crates"
names=()
features=()
patch=$'\n[patch.crates-io]\n'
for file in "$CRATES_DIR"/*.crate; do
  [ -f "$file" ] || { echo "rust consumer: no .crate file in $CRATES_DIR" >&2; exit 1; }
  tar xzf "$file" -C "$WORK/crates"
  dir=$WORK/crates/$(basename "$file" .crate)
  name=$(sed -n 's/^name = "\(.*\)"$/\1/p' "$dir/Cargo.toml" | head -n 1)
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$dir/Cargo.toml" | head -n 1)
  names+=("$name@$version")
  # Every feature of its [features] table, as "a", "b" (for the build of all of them).
  features+=("$(awk '/^\[features\]/ { f = 1; next } /^\[/ { f = 0 }
    f && /^[A-Za-z0-9_-]+ = / { printf "%s\"%s\"", sep, $1; sep = ", " }' "$dir/Cargo.toml")")
  patch+="$name = { path = \"$dir\" }"$'\n'
done

# 1. The getting-started program. Patches of crates outside its graph go unused; every
# otpkit crate in its graph must be a packaged one (a path under $WORK/crates).
app=$WORK/getting-started
mkdir -p "$app/src"
cp "$MAIN_RS" "$app/src/main.rs"
{
  cat "$HERE/Cargo.toml"
  echo
  cat "$DEPENDENCIES"
  printf '%s' "$patch"
} >"$app/Cargo.toml"
log=$WORK/run.log
if ! (cd "$app" && cargo run --quiet) 2>"$WORK/build.log" | tee "$log"; then
  cat "$WORK/build.log" >&2
  echo "rust consumer: the getting-started program failed" >&2
  exit 1
fi
graph=$(cd "$app" && cargo tree --quiet --prefix none --edges normal --format '{p}' | sort -u)
packaged=$(printf '%s|' "${names[@]%@*}")
if grep -E "^(${packaged%|}) v" <<<"$graph" | grep -v "($WORK/crates/" >&2; then
  echo "rust consumer: the crates above were not the packaged ones" >&2
  exit 1
fi
first=$(sed -n 's/^first code: \([0-9]*\)$/\1/p' "$log")
if [ -z "$first" ]; then
  echo "rust consumer: the program printed no 'first code: NNNNNN' line" >&2
  exit 1
elif [ "$first" != "287082" ]; then
  echo "rust consumer: first code $first, RFC 6238's test secret at 59 s gives 287082" >&2
  exit 1
fi
if ! grep -qx 'enrolled, signed in, replay refused' "$log"; then
  echo "rust consumer: the program did not finish its sign-in" >&2
  exit 1
fi

first_success=$SECONDS

# 2. Every packaged crate, at its exact version and with every feature (the store's
# PostgreSQL and Redis adapters too), checked as a dependency of a new library.
all=$WORK/all-crates
mkdir -p "$all/src"
touch "$all/src/lib.rs"
{
  printf '[package]\nname = "otpkit-all-crates"\nversion = "0.1.0"\nedition = "2024"\n'
  printf 'publish = false\n\n[dependencies]\n'
  for i in "${!names[@]}"; do
    entry=${names[$i]}
    printf '%s = { version = "=%s", features = [%s] }\n' "${entry%@*}" "${entry#*@}" "${features[$i]}"
  done
  printf '%s' "$patch"
} >"$all/Cargo.toml"
if ! (cd "$all" && cargo check --quiet) 2>"$WORK/build-all.log"; then
  cat "$WORK/build-all.log" >&2
  echo "rust consumer: a packaged crate does not build as a dependency" >&2
  exit 1
fi
# Cargo's warning for a [patch] the resolution did not take: a crate would have been
# built from something else than its package.
if grep -B1 -A3 'was not used in the crate graph' "$WORK/build-all.log" >&2; then
  echo "rust consumer: a packaged crate was not the one built (above)" >&2
  exit 1
fi

echo "rust consumer: getting-started built and run in ${first_success} s," \
  "every crate with every feature checked in $((SECONDS - first_success)) s"
echo "rust consumer: ok (first code $first, enrolled, signed in, replay refused; ${#names[@]} crates checked)"
