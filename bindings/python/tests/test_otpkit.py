"""Tests of the installed `otpkit` Python package (uniffi bindings over the Rust crate)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

import otpkit
from otpkit import Algorithm, Hotp, Match, Secret, Totp

# RFC 6238 appendix B: (time, SHA1, SHA256, SHA512), 8 digits, 30 s period.
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
ALGORITHMS = [Algorithm.SHA1, Algorithm.SHA256, Algorithm.SHA512]


def rfc_secret(algorithm):
    """RFC 6238 seeds: the ASCII digits repeated to 20, 32 and 64 bytes."""
    length = {Algorithm.SHA1: 20, Algorithm.SHA256: 32, Algorithm.SHA512: 64}[algorithm]
    return Secret.from_bytes((b"1234567890" * 7)[:length])


def test_secret_base32_as_pasted_and_grouped():
    s = Secret.from_base32("gezd-gnbv gy3t qojq gezd gnbv gy3t qojq====")
    assert s.base32() == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert s.base32_grouped() == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    assert s.bytes() == b"12345678901234567890"
    assert s.len() == 20
    assert Secret.from_base32(s.base32_grouped()) == s


def test_secret_generate():
    assert [Secret.generate(a).len() for a in ALGORITHMS] == [20, 32, 64]
    assert Secret.generate(Algorithm.SHA1) != Secret.generate(Algorithm.SHA1)


def test_secret_repr_shows_no_key_material():
    text = repr(rfc_secret(Algorithm.SHA1))
    assert "GEZD" not in text and "12345" not in text
    assert "len: 20" in text


def test_secret_errors_are_typed_with_core_messages():
    with pytest.raises(otpkit.SecretError.InvalidCharacter) as info:
        Secret.from_base32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ")
    assert "position 16" in str(info.value)
    assert "GEZD" not in str(info.value)
    with pytest.raises(otpkit.SecretError.TooShort, match="80 bits"):
        Secret.from_base32("JBSWY3DPEHPK3PXP")
    assert Secret.from_base32("JBSWY3DPEHPK3PXP", allow_short=True).is_short()
    with pytest.raises(otpkit.SecretError.Empty):
        Secret.from_base32(" - ")
    # Every variant is a SecretError, and every SecretError an Exception.
    with pytest.raises(otpkit.SecretError):
        Secret.from_bytes(bytes(129))


@pytest.mark.parametrize("row", RFC6238, ids=lambda r: str(r[0]))
def test_totp_rfc6238_vectors(row):
    time, *expected = row
    for algorithm, code in zip(ALGORITHMS, expected):
        totp = Totp(rfc_secret(algorithm), algorithm, digits=8)
        assert totp.code_at(time) == code, (algorithm, time)


def test_totp_seconds_left_and_steps():
    totp = Totp(rfc_secret(Algorithm.SHA1), Algorithm.SHA1)
    assert totp.seconds_left(59) == 1
    assert totp.seconds_left(60) == 30
    assert totp.step_at(59) == 1
    assert totp.code_at_step(1) == totp.code_at(59)
    assert len(totp.code_now()) == 6
    assert (totp.algorithm(), totp.digits(), totp.period(), totp.t0()) == (Algorithm.SHA1, 6, 30, 0)


def test_totp_stateless_verify():
    totp = Totp(rfc_secret(Algorithm.SHA1), Algorithm.SHA1)
    code = totp.code_at(59)
    assert totp.verify(code, 89, behind=1, ahead=0) == Match(step=1, offset=-1)
    with pytest.raises(otpkit.VerifyError.Mismatch):
        totp.verify(code, 89, behind=0, ahead=0)
    with pytest.raises(otpkit.VerifyError.Malformed, match="position 3"):
        totp.verify("12a456", 59)


def test_bad_parameters_are_typed():
    s = rfc_secret(Algorithm.SHA1)
    with pytest.raises(otpkit.ParameterError.Digits, match="from 6 to 10"):
        Totp(s, Algorithm.SHA1, digits=5)
    with pytest.raises(otpkit.ParameterError.Period):
        Totp(s, Algorithm.SHA1, period=0)
    with pytest.raises(otpkit.TimeError.BeforeEpoch):
        Totp(s, Algorithm.SHA1, t0=100).code_at(99)


def test_hotp_rfc4226_vectors():
    hotp = Hotp(rfc_secret(Algorithm.SHA1), Algorithm.SHA1)
    assert hotp.code(0) == "755224"
    assert hotp.code(9) == "520489"
    assert hotp.verify("520489", 5, look_ahead=4) == Match(step=9, offset=4)
    with pytest.raises(otpkit.VerifyError.Mismatch):
        hotp.verify("520489", 5, look_ahead=3)


def test_threads_share_one_totp():
    totp = Totp(rfc_secret(Algorithm.SHA256), Algorithm.SHA256, digits=8)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: {totp.code_at(1111111109) for _ in range(200)}, range(8)))
    assert results == [{"68084774"}] * 8
