"""pyotp's idioms, checked against pyotp itself (installed from PyPI in the test
virtualenv): same codes, same URIs, verify never raising on a wrong code, the clock
optional, datetimes accepted."""

import base64
import datetime
import hashlib
import hmac
import struct

import pyotp
import pytest

import otpkit

SECRET = "JBSWY3DPEHPK3PXP"  # pyotp's documentation example (80 bits; pyotp 2.10+ refuses it)
LONG = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits, for pyotp side by side


def reference_hotp(secret_b32: str, counter: int, digits: int = 6) -> str:
    """RFC 4226 written out with the standard library: an independent reference."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def test_pyotp_example_secret_works():
    ours = otpkit.Totp(SECRET)
    for t in (0, 59, 1_111_111_109, 1_700_000_000, 2_000_000_000):
        assert ours.at(t) == reference_hotp(SECRET, t // 30)
        assert ours.verify(reference_hotp(SECRET, t // 30), t)
    assert otpkit.Hotp(SECRET).at(7) == reference_hotp(SECRET, 7)
    assert otpkit.parse_uri(f"otpauth://totp/x?secret={SECRET}").warnings[0].kind == "short_secret"


def test_codes_match_pyotp():
    ours, theirs = otpkit.Totp(LONG), pyotp.TOTP(LONG)
    for t in (0, 59, 1_111_111_109, 1_700_000_000, 2_000_000_000):
        assert ours.at(t) == theirs.at(t)
    assert ours.now() in {theirs.at(datetime.datetime.now().timestamp() + d) for d in (-1, 0, 1)}
    assert otpkit.Hotp(LONG).at(7) == pyotp.HOTP(LONG).at(7)


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
@pytest.mark.parametrize("digits", [6, 8])
def test_parameters_match_pyotp(algorithm, digits):
    import hashlib

    secret = pyotp.random_base32()
    ours = otpkit.Totp(secret, digits=digits, period=60, algorithm=algorithm)
    theirs = pyotp.TOTP(secret, digits=digits, interval=60, digest=getattr(hashlib, algorithm))
    assert ours.at(1_700_000_123) == theirs.at(1_700_000_123)


def test_verify_is_a_bool_and_never_raises_on_a_wrong_code():
    totp = otpkit.Totp(SECRET)
    now = 1_700_000_000
    code = totp.at(now)
    assert totp.verify(code, now) is True
    for wrong in ["", "0", "12345", "1234567", "abcdef", "12 34 5x", "١٢٣٤٥٦", " " * 6]:
        assert totp.verify(wrong, now) is False, wrong
    # The window: ±1 step by default (pyotp's default is 0; pass valid_window=0 for that).
    assert totp.verify(totp.at(now - 30), now)
    assert not totp.verify(totp.at(now - 30), now, valid_window=0)
    assert totp.verify(totp.at(now - 60), now, valid_window=2)
    assert pyotp.TOTP(LONG).verify(otpkit.Totp(LONG).at(now), for_time=now)


def test_clock_optional_and_datetimes():
    totp = otpkit.Totp(SECRET)
    assert totp.verify(totp.now())
    assert totp.verify(totp.at(None))
    moment = datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc)
    assert totp.at(moment) == totp.at(1_700_000_000)
    assert otpkit.Totp(LONG).at(moment) == pyotp.TOTP(LONG).at(moment)
    assert totp.at(1_700_000_000.9) == totp.at(1_700_000_000)
    assert totp.verify(totp.at(1_700_000_000), for_time=moment)
    with pytest.raises(ValueError, match="^for_time: "):
        totp.at(float("nan"))


START = 1_700_000_010  # the first second of step 56_666_667


class _Index:
    """An integer-like value that is no int (numpy's integers): only ``__index__``."""

    def __index__(self) -> int:
        return START + 5


class _Float:
    """A float-like value that is no float: only ``__float__``."""

    def __float__(self) -> float:
        return START + 19.5


class _Seconds(float):
    """A float subclass."""


def test_every_kind_of_time_reads_as_the_same_step():
    totp = otpkit.Totp(LONG)
    code = pyotp.TOTP(LONG).at(START)
    for t in [START, START + 29, START + 29.99, _Index(), _Float(), _Seconds(START + 0.5)]:
        assert totp.timecode(t) == START // 30, t
        assert totp.at(t) == code, t
        assert totp.verify(code, for_time=t, valid_window=0), t
    assert totp.timecode(START - 0.01) == START // 30 - 1
    assert totp.timecode(True) == 0  # an int: 1 second after 1970
    assert totp.at(0.0) == totp.at(0) == pyotp.TOTP(LONG).at(0)


def test_a_time_out_of_range_is_a_value_error_naming_the_argument():
    totp = otpkit.Totp(LONG)
    for t, why in [
        (-1, "must not be before 1970"),
        (-0.5, "must be a finite time from 1970 on, got -0.5"),
        (2**64, "must be a finite time from 1970 on, got 18446744073709552000"),
        (float("inf"), "must be a finite time from 1970 on, got inf"),
    ]:
        for call in (totp.at, totp.timecode, lambda t: totp.verify("123456", for_time=t)):
            with pytest.raises(ValueError, match=f"^for_time: {why}"):
                call(t)
    for wrong in ("1700000000", b"1", [1]):
        with pytest.raises(TypeError, match="^for_time: expected Unix seconds"):
            totp.at(wrong)


def test_provisioning_uri_reads_back_in_pyotp_and_otpkit():
    secret = otpkit.random_base32()
    uri = otpkit.Totp(secret).provisioning_uri("alice@google.com", issuer_name="Secure App")
    assert uri.startswith("otpauth://totp/Secure%20App:alice%40google.com?secret=")
    theirs = pyotp.parse_uri(uri)
    assert theirs.secret == secret and theirs.issuer == "Secure App"
    account = otpkit.parse_uri(uri)
    assert (account.name, account.issuer, account.secret) == ("alice@google.com", "Secure App", secret)
    assert account.at(1_700_000_000) == theirs.at(1_700_000_000)
    # pyotp's own URIs read back the same.
    theirs_uri = pyotp.TOTP(secret).provisioning_uri(name="bob", issuer_name="Example")
    assert otpkit.parse_uri(theirs_uri).at(1_700_000_000) == pyotp.TOTP(secret).at(1_700_000_000)
    hotp_uri = otpkit.Hotp(secret).provisioning_uri("carol", initial_count=3, issuer_name="Bank")
    assert otpkit.parse_uri(hotp_uri).counter == 3
    # pyotp's HOTP counts from the URI's counter: its at(0) is counter 3.
    assert pyotp.parse_uri(hotp_uri).at(0) == otpkit.Hotp(secret).at(3)


def test_random_base32_is_a_usable_secret():
    secrets = {otpkit.random_base32() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(s) == 32 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for s in secrets)
    s = secrets.pop()
    assert otpkit.Totp(s).at(59) == pyotp.TOTP(s).at(59)


def test_hotp_verify_is_a_bool():
    hotp = otpkit.Hotp(SECRET)
    assert hotp.verify(hotp.at(4), 4) is True
    assert hotp.verify(hotp.at(4), 5) is False
    assert hotp.verify("nope", 4) is False


def test_exceptions_are_value_errors_with_pythons_terms():
    with pytest.raises(ValueError) as info:
        otpkit.Totp("not base32!")
    assert str(info.value).startswith("secret: ")
    assert "Secret" not in str(info.value) and "Error" not in str(info.value)
    assert issubclass(otpkit.OtpkitError, ValueError)
    with pytest.raises(TypeError):
        otpkit.Totp(SECRET).verify(123456)  # type: ignore[arg-type]


def test_result_is_truthy_only_when_ok():
    totp = otpkit.Totp(otpkit.random_base32())
    verifier = otpkit.Verifier(totp)
    now = 1_700_000_000
    r = verifier.enroll(verifier.begin_enrollment(), totp.at(now - 30), totp.at(now), now)
    assert r and r.ok
    bad = verifier.verify(r.state, "000000" if totp.at(now + 30) != "000000" else "111111", now + 30)
    assert not bad
    assert repr(bad).startswith("Result(outcome='invalid', ok=False")
