#!/usr/bin/env bash
# The web example's end-to-end stage: builds the server and the CLI (debug, shares the
# workspace build), installs playwright-core from the committed lockfile and drives the
# server in Debian's headless Chromium. Screenshots: target/web-e2e/*.png (the enrolment
# page, and the enrolment and sign-in pages on a 390 px wide phone screen).
# Ends with the runner's "# pass N" / "# fail M" and a plain "web: N passed, M failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM:-}" ]; then
  echo "chromium missing: scripts/prerequisites.sh installs Debian's chromium" >&2
  exit 1
fi

cargo build --locked -p otpkit-web-example -p otpkit-cli
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

log="$root/target/web-e2e/node-test.log"
mkdir -p "$(dirname "$log")"
set +e
(cd "$here" && node --test --test-reporter=tap e2e.test.mjs readme.test.mjs) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
pass="$(awk '/^# pass / { print $3 }' "$log" | tail -n 1)"
fail="$(awk '/^# fail / { print $3 }' "$log" | tail -n 1)"
echo "web: ${pass:-0} passed, ${fail:-0} failed"
if [ "$status" -ne 0 ] || [ "${pass:-0}" -eq 0 ]; then
  exit 1
fi
