"""The installed distribution: real metadata, the PEP 561 marker and the stubs."""

import importlib.metadata
from pathlib import Path

import otpkit


def test_metadata():
    meta = importlib.metadata.metadata("otpkit")
    assert "TOTP" in meta["Summary"]
    assert meta["License-Expression"] == "MIT OR Apache-2.0"
    assert meta["Requires-Python"] == ">=3.10"
    classifiers = meta.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert "Programming Language :: Python :: 3.10" in classifiers
    assert "Programming Language :: Python :: 3.9" not in classifiers


def test_typed_package_and_every_name_stubbed():
    package = Path(otpkit.__file__).parent
    assert (package / "py.typed").exists()
    stubs = (package / "_otpkit.pyi").read_text()
    for name in otpkit.__all__:
        assert f"class {name}" in stubs or f"def {name}(" in stubs, name


def test_every_public_native_name_is_exported():
    from otpkit import _otpkit

    native = {n for n in dir(_otpkit) if not n.startswith("_")}
    assert native == set(otpkit.__all__)
