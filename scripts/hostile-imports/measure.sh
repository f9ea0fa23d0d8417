#!/usr/bin/env bash
# The worst case of a hostile import file, per format, under the default key-derivation
# budget: makes the files (make.py) in target/hostile-imports, then imports each with
# the release CLI and prints wall time, CPU time, peak RSS and the exit status.
#
#   scripts/hostile-imports/measure.sh
#
# docs/limits.md records the numbers this printed. Every import here must end within
# seconds, under 512 MiB, with exit 0 (read), 2 (refused with a typed error) or 7 (the
# wrong password, after the derivation the budget allowed).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/hostile-imports
python3 scripts/hostile-imports/make.py "$out" >/dev/null
cargo build --release --locked -p otpkit-cli >/dev/null 2>&1
bin=$PWD/target/release/otpkit
measure() { # FILE FORMAT
  local file=$out/$1 format=$2 t=$out/time.txt
  echo pw | /usr/bin/time -v -o "$t" "$bin" import "$file" --from "$format" >/dev/null 2>"$out/err.txt" || true
  printf '| %s | %s | %s s | %s s | %.0f MiB | %s | %s |\n' "$format" "$1" \
    "$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$t")" \
    "$(awk -F': ' '/User time/ {print $2}' "$t")" \
    "$(awk -F': ' '/Maximum resident/ {print $2 / 1024}' "$t")" \
    "$(awk -F': ' '/Exit status/ {print $2}' "$t")" \
    "$(head -n 1 "$out/err.txt" | cut -c 1-90)"
}
echo '| format | file | wall | CPU (user) | peak RSS | exit | first line of stderr |'
echo '| --- | --- | --- | --- | --- | --- | --- |'
measure aegis_many_slots.json aegis
measure aegis_worst.json aegis
measure aegis_plain_worst.json aegis
measure bitwarden_argon2_1gib_64.json bitwarden
measure bitwarden_argon2_worst.json bitwarden
measure bitwarden_pbkdf2_worst.json bitwarden
measure andotp_worst.bin andotp
measure twofas_worst.2fas 2fas
measure pskc_worst.xml pskc
measure pskc_4e9.xml pskc
measure otpauth_list_worst.txt otpauth-list
measure google_migration_worst.txt google-migration
measure freeotp_plus_worst.json freeotp-plus
measure authpro_worst.json authenticator-pro
