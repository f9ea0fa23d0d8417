#!/usr/bin/env bash
# Measures the web example's memory under concurrent sign-ins with wrong passwords:
# starts target/debug/otpkit-web (or OTPKIT_WEB_BIN) on a free port of 127.0.0.1, sends
# N sign-ins at once from one session (unknown names, wrong passwords: each costs an
# Argon2 hash), and prints the server's peak resident memory (VmHWM, Linux) and the
# answers. With --retry every client repeats its sign-in on 503 (at most 400 times,
# 20 ms apart) until it is answered, so all N hashes run, a few at a time.
#
#   cargo build -p otpkit-web-example && bash examples/web/e2e/bad-signins.sh 64 --retry
set -euo pipefail
n="${1:-64}"
retry="${2:-}"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bin="${OTPKIT_WEB_BIN:-$root/target/debug/otpkit-web}"
dir="$(mktemp -d)"
"$bin" --port 0 >"$dir/out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do grep -q 'listening on' "$dir/out" && break; sleep 0.1; done
url="$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/out" | head -n 1)"
echo "at start: $(grep VmRSS "/proc/$pid/status" | tr -s ' \t' ' ')"
page="$(curl -s -c "$dir/jar" "$url/")"
csrf="$(printf '%s' "$page" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n 1 | sed 's/.*value="//; s/"//')"

client() {
  local i=$1 tries=0 code=503
  while [ "$code" = 503 ] && [ "$tries" -lt 400 ]; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -b "$dir/jar" -H "Origin: $url" \
      --data "csrf=$csrf&user=nobody$i&password=wrong-password-$i" "$url/signin")
    tries=$((tries + 1))
    if [ "$retry" != --retry ]; then break; fi
    if [ "$code" = 503 ]; then sleep 0.02; fi
  done
  echo "$code $tries" >>"$dir/answers"
}

clients=()
for i in $(seq 1 "$n"); do
  client "$i" &
  clients+=($!)
done
wait "${clients[@]}"
echo "peak:     $(grep VmHWM "/proc/$pid/status" | tr -s ' \t' ' ')"
echo "answers:  $(cut -d' ' -f1 "$dir/answers" | sort | uniq -c | tr -s ' ' | tr '\n' ';') requests: $(awk '{ s += $2 } END { print s }' "$dir/answers")"
