"""`mypy --strict` accepts code that uses the package (its .pyi stubs and py.typed)."""

import subprocess
import sys
from pathlib import Path

import pytest

USAGE = Path(__file__).resolve().parents[1] / "typing" / "usage.py"


def test_mypy_strict_accepts_typed_usage(tmp_path):
    pytest.importorskip("mypy")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path), str(USAGE)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success" in run.stdout


def test_mypy_strict_rejects_a_type_error(tmp_path):
    """The check can fail: a wrong argument type is reported (the stubs are read)."""
    pytest.importorskip("mypy")
    bad = tmp_path / "bad.py"
    bad.write_text("import otpkit\nok: bool = otpkit.Totp('JBSWY3DPEHPK3PXP').verify(123456)\n")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / "cache"), str(bad)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert run.returncode == 1, run.stdout
    assert 'incompatible type "int"' in run.stdout


def test_usage_runs():
    run = subprocess.run([sys.executable, str(USAGE)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
