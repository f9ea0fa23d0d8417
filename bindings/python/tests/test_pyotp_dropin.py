"""`otpkit.pyotp` is a drop-in for pyotp: a script written for pyotp (pyotp_script.py,
`import pyotp` and nothing of otpkit) gives the same results run against pyotp itself
(from PyPI, in the test virtualenv) and against otpkit; and where otpkit differs from
pyotp, it says so with a ValueError naming pyotp's argument."""

import datetime
import hashlib
import importlib.util
import sys
from pathlib import Path

import pyotp as real_pyotp
import pytest

import otpkit
from otpkit import pyotp as ours

SCRIPT = Path(__file__).with_name("pyotp_script.py")
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def run_script(module, monkeypatch):
    """pyotp_script.run() with `import pyotp` resolving to `module`."""
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "pyotp", module)
        spec = importlib.util.spec_from_file_location("pyotp_script", SCRIPT)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        assert script.pyotp is module
        return script.run()


def test_a_pyotp_script_gives_the_same_results(monkeypatch):
    theirs = run_script(real_pyotp, monkeypatch)
    mine = run_script(ours, monkeypatch)
    assert len(mine) == len(theirs)
    for index, (a, b) in enumerate(zip(mine, theirs)):
        assert a == b, f"result {index}: otpkit {a!r}, pyotp {b!r}"


def test_every_name_is_pyotps():
    """Each public name of otpkit.pyotp is one of pyotp's, and the ones pyotp code uses are there."""
    for name in ours.__all__:
        assert hasattr(ours, name) and hasattr(real_pyotp, name), name
    assert {"TOTP", "HOTP", "OTP", "random_base32", "random_hex", "parse_uri"} <= set(ours.__all__)


def test_int_codes_are_compared_as_pyotp_compares_them():
    totp = ours.TOTP(SECRET)
    t = next(t for t in range(0, 30 * 10_000, 30) if totp.at(t).startswith("0"))
    code = totp.at(t)
    # 012345 as an int is 12345: five digits, never a six-digit code.
    assert not totp.verify(int(code), t) and not real_pyotp.TOTP(SECRET).verify(int(code), for_time=t)
    assert totp.verify(code, t)
    t = next(t for t in range(0, 30 * 10_000, 30) if not totp.at(t).startswith("0"))
    assert totp.verify(int(totp.at(t)), t) and ours.HOTP(SECRET).verify(int(ours.HOTP(SECRET).at(9)), 9)


def test_urls_cross_read():
    """Each library reads the other's provisioning URIs to the same generator."""
    for make in (
        lambda lib: lib.TOTP(SECRET, digits=8, digest=hashlib.sha256, interval=60, issuer="ACME"),
        lambda lib: lib.HOTP(SECRET, digest=hashlib.sha512, initial_count=7, name="bob"),
    ):
        mine, theirs = make(ours), make(real_pyotp)
        for uri in (mine.provisioning_uri("alice"), theirs.provisioning_uri(name="alice")):
            a, b = ours.parse_uri(uri), real_pyotp.parse_uri(uri)
            assert (a.name, a.issuer, a.digits, a.byte_secret()) == (b.name, b.issuer, b.digits, b.byte_secret())
            assert a.digest().name == b.digest().name
            assert a.at(3) == b.at(3) == mine.at(3) == theirs.at(3)


def test_provisioning_uri_extra_parameters():
    uri = ours.TOTP(SECRET).provisioning_uri("alice", image="https://example.com/logo.png")
    assert real_pyotp.parse_uri(uri).at(0) == ours.TOTP(SECRET).at(0)
    assert uri.endswith("&image=https%3A%2F%2Fexample.com%2Flogo.png")
    with pytest.raises(ValueError, match="^image: "):
        ours.TOTP(SECRET).provisioning_uri("alice", image="http://example.com/logo.png")
    with pytest.raises(ValueError, match="^secret: "):
        ours.TOTP(SECRET).provisioning_uri("alice", secret="AAAA")


def test_verify_and_get_timecode():
    totp = ours.TOTP(SECRET)
    assert totp.verify_and_get_timecode(totp.at(1_700_000_000 - 30), 1_700_000_000, 1) == 1_700_000_000 // 30 - 1
    with pytest.raises(ours.OTPVerificationError):
        totp.verify_and_get_timecode(totp.at(1_700_000_000 - 30), 1_700_000_000)
    assert issubclass(ours.OTPVerificationError, ours.PyOTPError)


def test_digest_strings_and_attributes():
    for name in ("sha1", "sha256", "SHA-512"):
        totp = ours.TOTP(SECRET, digest=name)
        assert totp.digest().name == name.lower().replace("-", "")
    totp = ours.TOTP(SECRET, digest=hashlib.sha256)
    assert totp.digest is hashlib.sha256 and totp.at(59) == real_pyotp.TOTP(SECRET, digest=hashlib.sha256).at(59)
    with pytest.raises(AttributeError):
        totp.interval = 60  # type: ignore[misc]
    assert isinstance(totp, ours.OTP) and isinstance(ours.parse_uri(totp.provisioning_uri("a")), ours.TOTP)


def test_differences_from_pyotp_are_value_errors_naming_pyotps_argument():
    """What otpkit refuses and pyotp accepts (bindings/README.md lists them)."""
    for digest in (hashlib.sha224, hashlib.sha384, hashlib.sha3_256, "md5"):
        with pytest.raises(ValueError, match="^digest: otpkit supports hashlib.sha1, hashlib.sha256 and hashlib.sha512"):
            ours.TOTP(SECRET, digest=digest)
    with pytest.raises(ValueError, match="^digest: .*got md5$"):
        ours.HOTP(SECRET, digest=hashlib.md5)
    totp = ours.TOTP(SECRET)
    with pytest.raises(ValueError, match="^valid_window: "):
        totp.verify(totp.at(0), 0, 121)
    for window in (-1, 2**40):
        with pytest.raises(ValueError, match=f"^valid_window: must be from 0 to 4294967295, got {window}$"):
            totp.verify(totp.at(0), 0, window)
    with pytest.raises(ValueError, match="^interval: "):
        ours.TOTP(SECRET, interval=0)
    with pytest.raises(ValueError, match="^s: "):
        ours.TOTP("not base32!")
    with pytest.raises(TypeError, match="^s: "):
        ours.TOTP(b"12345678901234567890")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="^length: "):
        ours.random_base32(33)
    with pytest.raises(ValueError, match="^chars: "):
        ours.random_base32(chars="abc")
    with pytest.raises(ValueError, match="^count: "):
        ours.HOTP(SECRET, initial_count=2).at(-3)
    with pytest.raises(ValueError, match="^input: "):
        ours.HOTP(SECRET).generate_otp(-1)
    with pytest.raises(ValueError, match="^uri: "):
        ours.parse_uri("steam://JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    with pytest.raises(ValueError, match="^s: .*128-byte maximum") as info:
        ours.TOTP("A" * 3000)
    assert "AAAA" not in str(info.value)


def test_what_otpkit_accepts_beyond_pyotp_2_12():
    """pyotp 2.12 refuses secrets under 112 bits and intervals over 120 s; otpkit reads
    them, as its Totp does."""
    short = "JBSWY3DPEHPK3PXP"
    with pytest.raises(ValueError):
        real_pyotp.TOTP(short)
    assert ours.TOTP(short).at(59) == otpkit.Totp(short).at(59)
    assert ours.TOTP(SECRET, interval=300).timecode(600) == 2
    moment = datetime.datetime(2023, 11, 14, 22, 13, 20)
    assert ours.TOTP(SECRET).at(moment) == real_pyotp.TOTP(SECRET).at(moment)


def test_native_api_keeps_its_defaults():
    """otpkit.Totp keeps its ±1 window; otpkit.pyotp.TOTP has pyotp's 0."""
    now = 1_700_000_000
    late = otpkit.Totp(SECRET).at(now - 30)
    assert otpkit.Totp(SECRET).verify(late, now)
    assert not ours.TOTP(SECRET).verify(late, now)
    assert ours.TOTP(SECRET).verify(late, now, 1)


def test_parse_uri_is_otpkits_lenient_reader():
    """Where pyotp's parse_uri refuses and otpkit's reads (bindings/README.md)."""
    nine = "otpauth://totp/x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&digits=9"
    with pytest.raises(ValueError):
        real_pyotp.parse_uri(nine)
    assert ours.parse_uri(nine).digits == 9
    mismatch = "otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=B"
    with pytest.raises(ValueError):
        real_pyotp.parse_uri(mismatch)
    assert ours.parse_uri(mismatch).issuer == "B"
    lower = ours.parse_uri("otpauth://totp/x?secret=jbswy3dpehpk3pxpjbswy3dpehpk3pxp")
    assert lower.secret == SECRET
    code = ours.TOTP(SECRET).at(0)
    assert ours.TOTP(SECRET).verify(f" {code[:3]} {code[3:]} ", for_time=0)
    assert not real_pyotp.TOTP(SECRET).verify(f" {code[:3]} {code[3:]} ", for_time=0)
