#!/usr/bin/env bash
# A Swift toolchain for a Debian machine that has none: Debian's next release ships
# `swiftlang` (6.0.x), so this builds a minimal Debian trixie tree with debootstrap,
# installs swiftlang inside it, and runs Swift commands there with a folder of the
# host bind-mounted in.
#
#   scripts/swift-toolchain.sh ensure              build the tree once (cached), print its path
#   scripts/swift-toolchain.sh run DIR CMD...      run CMD in DIR (a host folder) inside the tree
#   scripts/swift-toolchain.sh check               say whether the toolchain can be had, without building
#
# The tree lives outside the checkout, in $OTPKIT_SWIFT_ROOT (default
# /var/cache/otpkit/swift-trixie), so every later run and every clone reuses it:
# about 1-2 minutes and 2-3 GB the first time, nothing after. Needs root (debootstrap,
# chroot, mount). Each failure says in one line why the toolchain cannot be had.
set -euo pipefail
ROOT_DIR=${OTPKIT_SWIFT_ROOT:-/var/cache/otpkit/swift-trixie}
SUITE=${OTPKIT_SWIFT_SUITE:-trixie}
# What the tree needs: the compiler and SwiftPM (swiftlang), a C library and C++ headers
# for clang's module maps, and XCTest/Foundation, which swiftlang carries.
PACKAGES=(swiftlang libc6-dev libstdc++-14-dev)

die() { echo "swift toolchain: $*" >&2; exit 2; }

# The mirror apt on this machine already uses (deb822 sources first, then the one-line form).
mirror() {
  local m
  m=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -- '-security' | head -n 1 || true)
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m%% *}"
}

# A half-built tree may still have /proc, /dev or /sys mounted in it: unmount them first,
# and never let rm cross into another file system.
remove_tree() {
  [ -e "$ROOT_DIR" ] || return 0
  local m
  for m in $(awk -v r="$ROOT_DIR/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || die "cannot unmount $m"
  done
  if awk -v r="$ROOT_DIR/" 'index($2, r) == 1 {found=1} END {exit !found}' /proc/mounts; then
    die "$ROOT_DIR still has mounts; not removing it"
  fi
  rm -rf --one-file-system "$ROOT_DIR"
}

# /usr/bin/swift is an absolute symlink inside the tree, so test it as a link.
ready() { [ -L "$ROOT_DIR/usr/bin/swift" ] && [ -f "$ROOT_DIR/.otpkit-ready" ]; }

ensure() {
  ready && { echo "$ROOT_DIR"; return 0; }
  [ "$(id -u)" = 0 ] || die "building the Debian $SUITE tree needs root (debootstrap, chroot)"
  local m
  m=$(mirror)
  [ -n "$m" ] || die "no Debian mirror found in /etc/apt/sources.list(.d)"
  "$(dirname "$0")/prerequisites.sh" swift >&2 || die "could not install debootstrap"
  # Trixie's keyring may be newer than the host's: fall back to an unchecked bootstrap
  # only if the checked one fails for that reason (the mirror is the host's own).
  remove_tree
  mkdir -p "$(dirname "$ROOT_DIR")"
  echo "swift toolchain: debootstrap $SUITE from $m into $ROOT_DIR" >&2
  local log
  log=$(mktemp)
  if ! debootstrap --variant=minbase "$SUITE" "$ROOT_DIR" "$m" >"$log" 2>&1; then
    if grep -q -i 'release signed by unknown key\|NO_PUBKEY\|signature' "$log"; then
      remove_tree
      debootstrap --no-check-gpg --variant=minbase "$SUITE" "$ROOT_DIR" "$m" >"$log" 2>&1 ||
        { tail -5 "$log" >&2; die "debootstrap $SUITE failed"; }
    else
      tail -5 "$log" >&2
      die "debootstrap $SUITE failed (is $m reachable?)"
    fi
  fi
  cp /etc/resolv.conf "$ROOT_DIR/etc/resolv.conf" 2>/dev/null || true
  with_mounts chroot "$ROOT_DIR" bash -c "apt-get update -q >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${PACKAGES[*]} >/dev/null" >"$log" 2>&1 ||
    { tail -5 "$log" >&2; die "apt-get install ${PACKAGES[*]} failed inside the $SUITE tree"; }
  with_mounts chroot "$ROOT_DIR" swift --version >"$log" 2>&1 ||
    { tail -5 "$log" >&2; die "swiftlang is installed but \`swift --version\` fails in the tree"; }
  echo "swift toolchain: $(head -n 1 "$log")" >&2
  rm -f "$log"
  touch "$ROOT_DIR/.otpkit-ready"
  echo "$ROOT_DIR"
}

# /proc (swift finds its own libraries through /proc/self/exe), /dev and /sys for SwiftPM.
MOUNTED=()
mount_into() { # what where [opts]
  mkdir -p "$ROOT_DIR$2"
  mountpoint -q "$ROOT_DIR$2" && return 0
  if [ "$1" = proc ]; then mount -t proc proc "$ROOT_DIR$2"; else mount --bind "$1" "$ROOT_DIR$2"; fi
  MOUNTED=("$ROOT_DIR$2" "${MOUNTED[@]}")
}
unmount_all() {
  local m
  for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  MOUNTED=()
}
with_mounts() {
  trap unmount_all EXIT
  mount_into proc /proc
  mount_into /dev /dev
  mount_into /sys /sys
  "$@"
}

run() { # DIR CMD...
  local dir
  dir=$(cd "$1" && pwd)
  shift
  ready || die "no toolchain at $ROOT_DIR (run: $0 ensure)"
  # The same absolute path inside as outside, so paths in outputs, module maps and
  # rpaths mean the same thing on both sides.
  trap unmount_all EXIT
  mount_into proc /proc
  mount_into /dev /dev
  mount_into "$dir" "$dir"
  local q
  q=$(printf '%q ' "$@")
  chroot "$ROOT_DIR" env -i PATH=/usr/bin:/bin HOME=/root TERM=dumb LANG=C.UTF-8 \
    LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}" bash -c "cd $(printf '%q' "$dir") && $q"
}

case ${1:-} in
  ensure) ensure ;;
  run) shift; [ $# -ge 2 ] || die "usage: $0 run DIR CMD..."; run "$@" ;;
  check)
    if command -v swift >/dev/null; then echo "swift on PATH: $(command -v swift)"; exit 0; fi
    ready && { echo "cached tree: $ROOT_DIR"; exit 0; }
    [ "$(id -u)" = 0 ] || die "not root: cannot build the Debian $SUITE tree"
    [ -n "$(mirror)" ] || die "no Debian mirror configured"
    echo "can be built from $(mirror) into $ROOT_DIR" ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
