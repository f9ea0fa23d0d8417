"""bindings/README.md's Python example runs as written, so the docs cannot rot."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(), flags=re.M | re.S)


def test_readme_has_the_python_examples():
    blocks = python_blocks()
    assert len(blocks) == 2
    assert "verifier.enroll(" in blocks[0] and "replayed" in blocks[0]
    assert "from otpkit import pyotp" in blocks[1]


def test_readme_python_example_runs(capsys):
    code = python_blocks()[0]
    exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "Secret key:" in out
    assert "Account(issuer='ACME', name='bob'" in out and "JBSWY3DPEHPK3PXP" not in out.upper()


def test_readme_pyotp_example_runs():
    exec(compile(python_blocks()[1], str(README), "exec"), {"__name__": "readme"})
