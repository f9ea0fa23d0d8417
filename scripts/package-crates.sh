#!/usr/bin/env bash
# Packages every publishable crate as crates.io would receive it, and copies the .crate
# files to one directory:
#   scripts/package-crates.sh [--allow-dirty] [OUT_DIR]
#                    (default OUT_DIR: release-artefacts/crates in the target directory)
# A release packages a commit: uncommitted changes are refused (cargo records the commit
# in each .crate) unless --allow-dirty, for trying a change before committing it.
# One `cargo package` for all of them, so the crates that depend on each other (and are
# not on crates.io yet) are verified against each other's packages: each .crate is
# unpacked and built on its own, with no path into the workspace. Fails on any warning
# of cargo's (incomplete metadata, a file left out of a package) and on any file in a
# package larger than MAX_FILE_KIB (test data, fuzz corpora do not ship).
# scripts/consumers/rust/run.sh OUT_DIR then builds a new project on these files.
set -euo pipefail
dirty=()
if [ "${1:-}" = "--allow-dirty" ]; then
  dirty=(--allow-dirty)
  shift
fi
# OUT_DIR as the caller means it (relative to their directory), made before the cd.
if [ -n "${1:-}" ]; then
  mkdir -p "$1"
  OUT=$(cd "$1" && pwd)
fi
cd "$(dirname "$0")/.."
# The published crates (docs/architecture.md, "published" column), dependencies first.
CRATES=(otpkit-lanes otpkit otpkit-kdf otpkit-transfer otpkit-pskc otpkit-store)
MAX_FILE_KIB=256
export CARGO_TERM_COLOR=never

target_dir=$(cargo metadata --format-version 1 --no-deps --locked |
  sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
if [ -z "$target_dir" ]; then
  echo "package-crates: cannot read the target directory from cargo metadata" >&2
  exit 1
fi
OUT=${OUT:-$target_dir/release-artefacts/crates}

# `cargo package` verifies each crate against its siblings' new .crate files, served
# from a temporary registry that Cargo unpacks under $CARGO_HOME/registry/src/-<hash>/
# and never unpacks again while that folder exists: an earlier run's sources would be
# built instead of this run's (a stale success, or a failure on code that is fine).
# Those folders hold only this script's crates (crates.io's are not named "-…").
# Unpacked again, their files carry the archive's fixed 2006 time, so the earlier
# run's builds of them (whose dep-info names those folders) also look up to date:
# their fingerprints go too, and Cargo rebuilds them from this run's sources.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
for crate in "${CRATES[@]}"; do
  rm -rf "$cargo_home"/registry/src/-*/"$crate"-[0-9]*
  for dep_info in "$target_dir"/debug/deps/"${crate//-/_}"-*.d; do
    [ -f "$dep_info" ] && grep -q "registry/src/-" "$dep_info" || continue
    hash=${dep_info##*-}
    rm -rf "$target_dir/debug/.fingerprint/$crate-${hash%.d}"
  done
done

args=()
for crate in "${CRATES[@]}"; do args+=(-p "$crate"); done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! cargo package --locked "${dirty[@]}" "${args[@]}" 2>&1 | tee "$log"; then
  echo "package-crates: cargo package failed" >&2
  exit 1
fi
if grep -q '^warning' "$log"; then
  echo "package-crates: cargo package warned (above); a published crate must not" >&2
  exit 1
fi

mkdir -p "$OUT"
# Only this run's packages: an older version's file would be installed beside them.
rm -f "$OUT"/*.crate
printf '\n%-32s %10s %10s\n' "crate" "bytes" "KiB"
total=0
for crate in "${CRATES[@]}"; do
  id=$(cargo pkgid --locked -p "$crate")
  version=${id##*[#@]}
  file="$crate-$version.crate"
  src="$target_dir/package/$file"
  if [ ! -f "$src" ]; then
    echo "package-crates: $src was not made" >&2
    exit 1
  fi
  # tar's verbose listing: the third column is each member's size in bytes.
  biggest=$(tar tzvf "$src" | sort -k3,3n | tail -n 1)
  if [ "$(awk '{print $3}' <<<"$biggest")" -gt $((MAX_FILE_KIB * 1024)) ]; then
    echo "package-crates: $file holds a file over $MAX_FILE_KIB KiB: $biggest" >&2
    exit 1
  fi
  cp "$src" "$OUT/"
  bytes=$(stat -c %s "$OUT/$file")
  total=$((total + bytes))
  printf '%-32s %10d %10d\n' "$file" "$bytes" $(((bytes + 1023) / 1024))
done
printf '%-32s %10d %10d\n' "total" "$total" $(((total + 1023) / 1024))
echo "package-crates: ${#CRATES[@]} crates in $OUT"
