"""Tests of the installed `otpkit` Python package (uniffi bindings over the Rust crate)."""

from concurrent.futures import ThreadPoolExecutor

import pytest

import otpkit
from otpkit import (
    Algorithm,
    DeviceState,
    Hotp,
    Kind,
    Match,
    MigrationEntry,
    Outcome,
    Secret,
    SteamGuard,
    Totp,
    UriWarningKind,
    Verifier,
)

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


def wrong_codes(totp, now):
    """Codes valid at no step within 30 of `now`'s: certain failures, whatever the secret."""
    step = totp.step_at(now)
    near = {totp.code_at_step(s) for s in range(step - 30, step + 31)}
    return [str(d) * totp.digits() for d in range(10) if str(d) * totp.digits() not in near]


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


ACME_URI = (
    "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
    "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
)


def test_otpauth_parse_and_build_back():
    parsed = otpkit.parse_otpauth_uri(ACME_URI)
    account = parsed.account
    assert (account.issuer, account.name) == ("ACME Co", "john.doe@email.com")
    assert account.kind == Kind.TOTP(period=30)
    assert account.algorithm == Algorithm.SHA1 and account.digits == 6
    assert parsed.warnings == []
    assert account.label() == "ACME Co:john.doe@email.com"
    assert otpkit.parse_otpauth_uri(account.to_uri()).account == account
    assert "HXDM" not in str(account)
    assert account.totp().code_at(1_700_000_000) == Totp(account.secret, Algorithm.SHA1).code_at(1_700_000_000)
    assert account.hotp() is None


def test_otpauth_warnings():
    parsed = otpkit.parse_otpauth_uri("otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256")
    assert [w.kind for w in parsed.warnings] == [
        UriWarningKind.SECRET_LOWERCASE,
        UriWarningKind.SHORT_SECRET,
        UriWarningKind.ALGORITHM_IGNORED_BY_APPS,
    ]
    assert "80 bits" in parsed.warnings[1].message


def test_bad_uri_is_a_typed_exception():
    with pytest.raises(otpkit.UriError.NotOtpauth):
        otpkit.parse_otpauth_uri("https://example.com/")
    with pytest.raises(otpkit.UriError.MissingCounter):
        otpkit.parse_otpauth_uri("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ")
    with pytest.raises(otpkit.UriError.Secret) as info:
        otpkit.parse_otpauth_uri("otpauth://totp/x?secret=GEZ1GEZD")
    assert "position 4" in str(info.value) and "GEZ1" not in str(info.value)
    # Every UriError is an Exception, so one except clause catches them all.
    assert issubclass(otpkit.UriError.Secret, otpkit.UriError)
    bad = otpkit.parse_otpauth_uri("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").account
    bad.digits = 4
    with pytest.raises(otpkit.ParameterError.Digits):
        bad.to_uri()


def test_migration_round_trip():
    a = otpkit.parse_otpauth_uri(
        "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME"
    ).account
    b = otpkit.parse_otpauth_uri(
        "otpauth://hotp/Bank:bob?secret=JBSWY3DPEHPK3PXPJBSWY3DP&counter=7&digits=8"
    ).account
    uris = otpkit.encode_migration([a, b], per_batch=1)
    assert len(uris) == 2
    first = otpkit.decode_migration(uris[0])
    assert first.entries == [MigrationEntry.ACCOUNT(account=a)]
    assert (first.batch_size, first.batch_index) == (2, 0)
    assert otpkit.decode_migration(uris[1]).entries == [MigrationEntry.ACCOUNT(account=b)]
    with pytest.raises(otpkit.MigrationError.NotMigrationUri):
        otpkit.decode_migration("otpauth://totp/x?secret=A")
    a.kind = Kind.STEAM()
    with pytest.raises(otpkit.MigrationEncodeError.SteamUnsupported):
        otpkit.encode_migration([a])


def test_steam():
    secret = otpkit.parse_steam_uri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    guard = SteamGuard(secret)
    code = guard.code_at(59)
    assert len(code) == 5 and set(code) <= set("23456789BCDFGHJKMNPQRTVWXY")
    assert guard.verify(code.lower(), 59).step == 1
    account = otpkit.parse_otpauth_uri(
        f"otpauth://totp/Steam:me?secret={secret.base32()}&issuer=Steam"
    ).account
    assert account.kind == Kind.STEAM()
    assert account.steam().code_at(59) == code
    with pytest.raises(otpkit.SteamUriError.NotSteamUri):
        otpkit.parse_steam_uri("http://x")


def test_server_enrol_verify_replay_and_persist():
    totp = Totp(rfc_secret(Algorithm.SHA1), Algorithm.SHA1)
    verifier = Verifier.totp(totp)
    now = 1_700_000_000
    step = totp.step_at(now)
    enrolled = verifier.enroll(totp.code_at_step(step - 1), totp.code_at_step(step), now)
    assert enrolled.last_step() == step

    stored = enrolled.encode()
    loaded = DeviceState.decode(stored)
    assert loaded == enrolled

    code = totp.code_at(now + 30)
    first = verifier.verify(loaded, code, now + 30)
    assert first.outcome == Outcome.ACCEPTED(step=step + 1, drift=0)
    replay = verifier.verify(first.state, code, now + 31)
    assert replay.outcome == Outcome.REPLAYED()
    assert replay.state.failures() == 1
    malformed = verifier.verify(replay.state, "12 34 56", now + 32)
    assert malformed.outcome.is_malformed()

    with pytest.raises(otpkit.EnrollError.SameCodeTwice):
        verifier.enroll(code, code, now + 30)
    tampered = stored[:8] + ("2" if stored[8] == "1" else "1") + stored[9:]
    with pytest.raises(otpkit.StateError.ChecksumMismatch):
        DeviceState.decode(tampered)
    with pytest.raises(otpkit.SignInError.WrongKind):
        verifier.verify(DeviceState.hotp_at(0), code, now)
    policy = otpkit.default_policy()
    policy.max_failures = 0
    with pytest.raises(otpkit.PolicyError.MaxFailuresOutOfRange):
        Verifier.totp(totp, policy)


def test_server_lockout_and_resync():
    totp = Totp(rfc_secret(Algorithm.SHA1), Algorithm.SHA1)
    policy = otpkit.default_policy()
    policy.max_failures = 2
    verifier = Verifier.totp(totp, policy)
    now = 1_700_000_000
    wrong1, wrong2 = wrong_codes(totp, now)[:2]
    state = DeviceState.totp_at(totp.step_at(now) - 10)
    for _ in range(2):
        failed = verifier.verify(state, wrong1, now)
        assert failed.outcome == Outcome.INVALID()
        state = failed.state
    assert verifier.verify(state, totp.code_at(now), now).outcome.is_locked()
    assert state.is_locked_at(now)
    with pytest.raises(otpkit.ResyncError.Locked):
        verifier.resync(state, wrong1, wrong2, now)

    fresh = DeviceState.totp_at(totp.step_at(now) - 10)
    ahead = totp.step_at(now) + 5
    resynced = verifier.resync(fresh, totp.code_at_step(ahead), totp.code_at_step(ahead + 1), now)
    assert resynced.drift() == 6
    with pytest.raises(otpkit.ResyncError.Rejected):
        verifier.resync(fresh, wrong1, wrong2, now)


def test_server_hotp_verifier():
    verifier = Verifier.hotp(Hotp(rfc_secret(Algorithm.SHA1), Algorithm.SHA1))
    now = 1_700_000_000
    # RFC 4226 appendix D: counters 0..9.
    enrolled = verifier.enroll("755224", "287082", now)
    assert enrolled.next_counter() == 2 and enrolled.last_step() is None
    # The button pressed once without signing in: counter 3 is within the look-ahead.
    skipped = verifier.verify(enrolled, "969429", now + 5)
    assert skipped.outcome == Outcome.ACCEPTED(step=3, drift=1)
    replay = verifier.verify(skipped.state, "969429", now + 6)
    assert replay.outcome == Outcome.REPLAYED()
    older = verifier.verify(replay.state, "359152", now + 7)
    assert not older.outcome.is_accepted()
    assert older.state.failures() == 2
    nxt = verifier.verify(DeviceState.decode(older.state.encode()), "338314", now + 8)
    assert nxt.outcome == Outcome.ACCEPTED(step=4, drift=0)
    assert nxt.state.failures() == 0


def test_threads_share_one_verifier():
    totp = Totp(rfc_secret(Algorithm.SHA1), Algorithm.SHA1)
    verifier = Verifier.totp(totp)

    def session(t):
        results = []
        for i in range(25):
            now = 1_700_000_000 + t * 1000 + i * 37
            step = totp.step_at(now)
            state = verifier.enroll(totp.code_at_step(step - 1), totp.code_at_step(step), now)
            code = totp.code_at(now + 30)
            ok = verifier.verify(state, code, now + 30)
            again = verifier.verify(ok.state, code, now + 30)
            results.append(ok.outcome.is_accepted() and again.outcome == Outcome.REPLAYED())
        return all(results)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(session, range(8))) == [True] * 8
