#!/usr/bin/env bash
# Runs tests/python_pskc.rs against the independent PSKC reader python-pskc (PyPI
# `python-pskc`, module `pskc`), installed in a throwaway venv, so that the test
# cannot SKIP. Usage (from anywhere): bash crates/otpkit-pskc/tests/pskc_python.sh
# Honours CARGO_TARGET_DIR and TMPDIR.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(mktemp -d "${TMPDIR:-/tmp}/otpkit-pskc-venv.XXXXXX")"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet 'python-pskc>=1.4'
export PATH="$venv/bin:$PATH"
python3 -c 'import pskc' # fails the script if the install did not give the module
cd "$here/.."
cargo test -p otpkit-pskc --test python_pskc -- --nocapture 2>&1 | tee "$venv/out.txt"
if grep -q '^SKIP' "$venv/out.txt"; then
    echo "python_pskc skipped although pskc was installed" >&2
    exit 1
fi
