#!/usr/bin/env bash
# Every system package otpkit's tests need, installed only when missing, each for its
# own reason. The one place that decides what to apt-get install.
#
#   scripts/prerequisites.sh [GROUP...]      install what is missing (default: all)
#   scripts/prerequisites.sh --fresh [GROUP...]
#       the fresh-machine check: pretend nothing is installed, print every decision,
#       and ask apt to *simulate* installing the whole list (apt-get install -s). Fails
#       if any package is unknown or conflicts with what the machine has (as Debian's
#       npm does with the Node.js this machine kind ships), or if the list would
#       replace node/npm. Installs nothing.
#
# Groups: jvm (Kotlin tests: a JDK and JNA), python (virtualenv), swift (debootstrap for
# the Swift toolchain tree, see scripts/swift-toolchain.sh), oath (oathtool, the liboath
# reference CLI for differential tests), js (Chromium for the wasm package's browser
# test), store (the PostgreSQL and Redis servers the device-store tests start on
# loopback with scripts/services.sh). Rust targets, Miri, cargo-fuzz, cargo-mutants, the wasm-bindgen tool (bindings/js/tools), kotlinc and
# the npm/pip packages are installed by the scripts that use them, never with apt.
set -euo pipefail

fresh=0
if [ "${1:-}" = --fresh ]; then fresh=1; shift; fi
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(jvm python swift oath js store)

# One line per requirement: group | what must be present | Debian package | why.
# "cmd:X" is a command on PATH, "file:X" a file, "glob:X" any file matching the
# pattern, "venv" a working `python3 -m venv`.
REQUIREMENTS='
jvm    | cmd:java                | default-jdk-headless | runs the Kotlin tests (JNA) and kotlinc
jvm    | cmd:jar                 | default-jdk-headless | packs the Kotlin binding and the native library into one JAR
jvm    | file:/usr/share/java/jna.jar | libjna-java  | JNA, which the uniffi Kotlin code loads the library with
python | venv                    | python3-venv         | the virtualenv the Python wheel is tested in
swift  | cmd:debootstrap         | debootstrap          | builds the Debian trixie tree that carries swiftlang
oath   | cmd:oathtool            | oathtool             | the liboath reference implementation for differential tests
js     | file:/usr/bin/chromium  | chromium             | headless browser test of the wasm package (playwright-core drives it)
store  | glob:/usr/lib/postgresql/*/bin/initdb | postgresql | the PostgreSQL server the device-store tests run against
store  | cmd:redis-server        | redis-server         | the Redis server the device-store tests run against
'
# The check's own test adds a requirement it must refuse (see scripts/test-all.sh).
REQUIREMENTS+=${OTPKIT_EXTRA_REQUIREMENTS:-}

present() { # what
  case $1 in
    cmd:*) command -v "${1#cmd:}" >/dev/null 2>&1 ;;
    file:*) [ -f "${1#file:}" ] ;;
    glob:*) compgen -G "${1#glob:}" >/dev/null ;;
    venv) python3 -c 'import venv, ensurepip' >/dev/null 2>&1 ;;
    *) echo "prerequisites: unknown check $1" >&2; return 2 ;;
  esac
}

wanted=()
while IFS='|' read -r group what pkg why; do
  group=$(echo "$group" | xargs) what=$(echo "$what" | xargs) pkg=$(echo "$pkg" | xargs)
  [ -n "$group" ] || continue
  case " ${groups[*]} " in *" $group "*) ;; *) continue ;; esac
  if [ $fresh = 1 ]; then
    echo "prerequisites: fresh machine: $what missing -> apt $pkg ($(echo "$why" | xargs))"
  elif present "$what"; then
    continue
  else
    echo "prerequisites: $what missing -> apt $pkg ($(echo "$why" | xargs))"
  fi
  case " ${wanted[*]:-} " in *" $pkg "*) ;; *) wanted+=("$pkg") ;; esac
done <<<"$REQUIREMENTS"

# Never Debian's node or npm: this machine kind ships Node.js with its own npm, and
# Debian's npm conflicts with it ("held broken packages").
for pkg in "${wanted[@]:-}"; do
  case $pkg in
    npm | nodejs)
      echo "prerequisites: refusing to apt-get install $pkg (use the machine's Node.js)" >&2
      exit 1 ;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ $fresh = 1 ]; then
  # Simulation needs current package lists but installs nothing.
  as_root apt-get update -q >/dev/null
  log=$(mktemp)
  if apt-get install -s -q --no-install-recommends "${wanted[@]}" >"$log" 2>&1; then
    echo "prerequisites: apt-get -s would install $(grep -c '^Inst ' "$log") packages for: ${wanted[*]}"
    if grep -E '^Inst (npm|nodejs|libnode[0-9]*) ' "$log"; then
      echo "prerequisites: FAILED: the list pulls Debian's node/npm" >&2
      rm -f "$log"; exit 1
    fi
    rm -f "$log"
    echo "prerequisites: fresh-machine check passed"
  else
    tail -n 8 "$log" >&2
    rm -f "$log"
    echo "prerequisites: FAILED: apt cannot install ${wanted[*]} on a fresh machine" >&2
    exit 1
  fi
  exit 0
fi

if [ ${#wanted[@]} -gt 0 ]; then
  as_root apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${wanted[@]}" >/dev/null
  echo "prerequisites: installed ${wanted[*]}"
fi
