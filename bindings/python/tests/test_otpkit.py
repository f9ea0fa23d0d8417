"""Tests of the installed `otpkit` package (the PyO3 extension over the Rust crate):
RFC vectors, secrets, URIs, Steam, and the server's enrol / sign-in / resync flow."""

from concurrent.futures import ThreadPoolExecutor

import pytest

import otpkit
from otpkit import Account, DeviceState, Hotp, Policy, SteamGuard, Totp, Verifier

# RFC 6238 appendix B: (time, SHA1, SHA256, SHA512), 8 digits, 30 s period.
RFC6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
ALGORITHMS = ["sha1", "sha256", "sha512"]


def rfc_secret(algorithm: str) -> bytes:
    """RFC 6238 seeds: the ASCII digits repeated to 20, 32 and 64 bytes."""
    length = {"sha1": 20, "sha256": 32, "sha512": 64}[algorithm]
    return (b"1234567890" * 7)[:length]


def wrong_codes(totp: Totp, now: int) -> list[str]:
    """Codes valid at no step within 30 of `now`'s: certain failures, whatever the secret."""
    near = {totp.at(now, s) for s in range(-30, 31)}
    return [str(d) * totp.digits for d in range(10) if str(d) * totp.digits not in near]


def test_secret_as_pasted_and_as_bytes():
    a = Account("x", "gezd-gnbv gy3t qojq gezd gnbv gy3t qojq====")
    assert a.secret == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert a.secret_grouped == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    assert Account("x", b"12345678901234567890") == a
    assert Totp(a.secret).at(59) == Totp(b"12345678901234567890").at(59)


def test_generated_secrets_differ_and_are_160_bits():
    a, b = Account("a"), Account("a")
    assert a.secret != b.secret
    assert len(a.secret) == 32
    assert len(otpkit.random_base32()) == 32
    assert len(otpkit.random_base32(64)) == 64
    with pytest.raises(ValueError, match="length"):
        otpkit.random_base32(16)


def test_repr_shows_no_key_material():
    a = Account("alice", rfc_secret("sha1"), issuer="ACME")
    for text in (repr(a), str(a), repr(a.totp()), repr(Verifier(a.totp()))):
        assert "GEZD" not in text and "12345" not in text, text
    assert repr(a) == (
        "Account(issuer='ACME', name='alice', kind='totp', algorithm='sha1', digits=6, period=30)"
    )


def test_secret_errors_name_the_argument_and_position():
    with pytest.raises(ValueError) as info:
        Totp("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ")
    message = str(info.value)
    assert message.startswith("secret: ") and "position 16" in message
    assert "GEZD" not in message and "SecretError" not in message
    with pytest.raises(ValueError, match="^secret: "):
        Totp(" - ")
    with pytest.raises(TypeError, match="secret: expected a Base32 str, bytes or a Secret, got int"):
        Totp(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize("row", RFC6238, ids=lambda r: str(r[0]))
def test_totp_rfc6238_vectors(row):
    time, *expected = row
    for algorithm, code in zip(ALGORITHMS, expected):
        totp = Totp(rfc_secret(algorithm), digits=8, algorithm=algorithm)
        assert totp.at(time) == code, (algorithm, time)
        assert totp.verify(code, time, valid_window=0)


def test_totp_seconds_left_steps_and_properties():
    totp = Totp(rfc_secret("sha1"))
    assert totp.seconds_left(59) == 1
    assert totp.seconds_left(60) == 30
    assert totp.timecode(59) == 1
    assert totp.at(59) == totp.at(30) == totp.at(89, counter_offset=-1)
    assert len(totp.now()) == 6
    assert (totp.algorithm, totp.digits, totp.period, totp.t0) == ("sha1", 6, 30, 0)
    assert repr(totp) == "Totp(digits=6, period=30, algorithm='sha1')"


def test_totp_match_says_where():
    totp = Totp(rfc_secret("sha1"))
    code = totp.at(59)
    m = totp.match(code, 89)
    assert m is not None and (m.step, m.offset) == (1, -1)
    assert repr(m) == "Match(step=1, offset=-1)"
    assert totp.match(code, 89, valid_window=0) is None
    assert totp.verify(code, 89) and not totp.verify(code, 89, valid_window=0)


def test_bad_parameters_are_value_errors_naming_the_argument():
    s = rfc_secret("sha1")
    with pytest.raises(ValueError, match="^digits: digits must be from 6 to 10, got 5$"):
        Totp(s, digits=5)
    with pytest.raises(ValueError, match="^period: "):
        Totp(s, period=0)
    with pytest.raises(ValueError, match="^algorithm: unsupported algorithm: expected SHA1, SHA256 or SHA512$"):
        Totp(s, algorithm="md5")
    with pytest.raises(ValueError, match="^for_time: "):
        Totp(s, t0=100).at(99)
    with pytest.raises(ValueError, match="^for_time: "):
        Totp(s).at(-1)
    with pytest.raises(ValueError, match="^valid_window: "):
        Totp(s).verify("123456", 59, valid_window=-1)
    with pytest.raises(TypeError, match="^for_time: "):
        Totp(s).at("59")  # type: ignore[arg-type]


def test_a_window_or_look_ahead_over_the_core_bound_is_a_value_error_naming_it():
    s = rfc_secret("sha1")
    totp, hotp, guard = Totp(s), Hotp(s), SteamGuard(s)
    # 2,000,000 steps either side would accept nearly any code.
    for wide in (121, 2_000_000):
        with pytest.raises(ValueError, match="^valid_window: a window may reach at most 120 steps"):
            totp.verify("000000", 59, valid_window=wide)
        with pytest.raises(ValueError, match="^valid_window: a window may reach at most 120 steps"):
            totp.match("000000", 59, valid_window=wide)
        with pytest.raises(ValueError, match="^valid_window: a window may reach at most 120 steps"):
            guard.verify("BCDFG", 1_000_000, valid_window=wide)
    with pytest.raises(ValueError, match="^look_ahead: an HOTP look-ahead may be at most 1000 counters"):
        hotp.verify("755224", 0, look_ahead=1001)
    # The bounds themselves are accepted, whatever the binding allowed before.
    assert totp.verify(totp.at(59 + 120 * 30), 59, valid_window=120)
    assert hotp.verify(hotp.at(1000), 0, look_ahead=1000)


def test_hotp_rfc4226_vectors():
    hotp = Hotp(rfc_secret("sha1"))
    assert hotp.at(0) == "755224"
    assert hotp.at(9) == "520489"
    m = hotp.match("520489", 5, look_ahead=4)
    assert m is not None and (m.step, m.offset) == (9, 4)
    assert hotp.verify("520489", 9)
    assert not hotp.verify("520489", 5, look_ahead=3)
    assert not hotp.verify("52048", 9)
    assert repr(hotp) == "Hotp(digits=6, algorithm='sha1')"
    with pytest.raises(ValueError, match="^counter: must be from 0 to 18446744073709551615, got -1$"):
        hotp.at(-1)


def test_threads_share_one_totp():
    totp = Totp(rfc_secret("sha256"), digits=8, algorithm="sha256")
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: {totp.at(1111111109) for _ in range(200)}, range(8)))
    assert results == [{"68084774"}] * 8


ACME_URI = (
    "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
    "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30"
)


def test_otpauth_parse_and_build_back():
    account = otpkit.parse_uri(ACME_URI)
    assert (account.issuer, account.name) == ("ACME Co", "john.doe@email.com")
    assert (account.kind, account.period, account.counter) == ("totp", 30, None)
    assert account.algorithm == "sha1" and account.digits == 6
    assert account.warnings == []
    assert account.label == "ACME Co:john.doe@email.com"
    assert otpkit.parse_uri(account.provisioning_uri()) == account
    assert "HXDM" not in repr(account)
    totp = account.totp()
    assert totp is not None
    assert totp.at(1_700_000_000) == Totp(account.secret).at(1_700_000_000)
    assert account.at(1_700_000_000) == totp.at(1_700_000_000)
    assert account.hotp() is None and account.steam() is None


def test_otpauth_warnings():
    account = otpkit.parse_uri("otpauth://totp/x?secret=jbswy3dpehpk3pxp&algorithm=SHA256")
    assert [w.kind for w in account.warnings] == [
        "secret_lowercase",
        "short_secret",
        "algorithm_ignored_by_apps",
    ]
    assert "80 bits" in account.warnings[1].message
    assert repr(account.warnings[0]).startswith("UriWarning(kind='secret_lowercase', message=")


def test_bad_uri_is_a_value_error():
    with pytest.raises(ValueError, match="^uri: "):
        otpkit.parse_uri("https://example.com/")
    with pytest.raises(ValueError, match="counter"):
        otpkit.parse_uri("otpauth://hotp/x?secret=GEZDGNBVGY3TQOJQ")
    with pytest.raises(ValueError) as info:
        otpkit.parse_uri("otpauth://totp/x?secret=GEZ1GEZD")
    assert "position 4" in str(info.value) and "GEZ1" not in str(info.value)


def test_account_keyword_defaults_and_kinds():
    a = Account("alice@example.com", issuer="Example")
    assert (a.kind, a.algorithm, a.digits, a.period, a.counter, a.extra) == (
        "totp", "sha1", 6, 30, None, []
    )
    assert a.provisioning_uri().startswith(
        "otpauth://totp/Example:alice%40example.com?secret=" + a.secret
    )
    h = Account("bob", rfc_secret("sha1"), kind="hotp", counter=7, digits=8, issuer="Bank")
    assert (h.kind, h.period, h.counter) == ("hotp", None, 7)
    assert h.at() == Hotp(rfc_secret("sha1"), digits=8).at(7)
    assert otpkit.parse_uri(h.provisioning_uri()) == h
    assert repr(h).endswith("digits=8, counter=7)")
    with pytest.raises(ValueError, match="^kind: "):
        Account("x", kind="motp")
    assert Account("x", issuer="").issuer is None


def test_steam():
    account = otpkit.parse_uri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    assert account.kind == "steam"
    guard = account.steam()
    assert guard is not None
    code = guard.at(59)
    assert len(code) == 5 and set(code) <= set("23456789BCDFGHJKMNPQRTVWXY")
    assert guard.verify(code.lower(), 59)
    assert SteamGuard(account.secret).at(59) == code == account.at(59)
    uri = f"otpauth://totp/Steam:me?secret={account.secret}&issuer=Steam"
    assert otpkit.parse_uri(uri).at(59) == code
    with pytest.raises(ValueError, match="^uri: "):
        otpkit.parse_uri("steam://")


def test_server_enroll_verify_replay_and_persist():
    totp = Totp(rfc_secret("sha1"))
    verifier = Verifier(totp)
    now = 1_700_000_000
    pending = verifier.begin_enrollment()
    enrolled = verifier.enroll(pending, totp.at(now - 30), totp.at(now), now)
    assert (enrolled.outcome, enrolled.ok, enrolled.step, enrolled.drift) == (
        "enrolled", True, totp.timecode(now), 0
    )
    stored = enrolled.state
    loaded = DeviceState(stored)
    assert str(loaded) == stored and loaded == enrolled.device_state
    assert loaded.last_step == totp.timecode(now) and loaded.is_enrolled

    code = totp.at(now + 30)
    first = verifier.verify(stored, code, now + 30)
    assert first and first.outcome == "accepted" and first.step == totp.timecode(now) + 1
    replay = verifier.verify(first.state, code, now + 31)
    assert not replay and replay.outcome == "replayed"
    assert DeviceState(replay.state).failures == 1
    malformed = verifier.verify(replay.state, "12 34 56", now + 32)
    assert malformed.outcome == "malformed" and not malformed.ok

    twice = verifier.enroll(verifier.begin_enrollment(), totp.at(now), totp.at(now), now)
    assert (twice.outcome, twice.reason) == ("rejected", "same_code_twice")
    with pytest.raises(ValueError, match="^state: the device is already enrolled"):
        verifier.enroll(stored, code, code, now + 30)
    tampered = stored[:8] + ("2" if stored[8] == "1" else "1") + stored[9:]
    with pytest.raises(ValueError, match="^text: "):
        DeviceState(tampered)
    with pytest.raises(ValueError, match="^state: "):
        verifier.verify(tampered, code, now)
    with pytest.raises(ValueError, match="^state: .*TOTP"):
        verifier.verify(DeviceState.hotp_at(0), code, now)
    with pytest.raises(ValueError, match="^policy: max_failures must be between 1 and 100"):
        Policy(max_failures=0)
    assert "accepted" in repr(first) and "GEZD" not in repr(first)


def test_server_lockout_and_resync():
    totp = Totp(rfc_secret("sha1"))
    verifier = Verifier(totp, Policy(max_failures=2))
    now = 1_700_000_000
    wrong1, wrong2 = wrong_codes(totp, now)[:2]
    state: object = DeviceState.totp_at(totp.timecode(now) - 10)
    for _ in range(2):
        failed = verifier.verify(state, wrong1, now)
        assert failed.outcome == "invalid"
        state = failed.device_state
    locked = verifier.verify(state, totp.at(now), now)
    assert locked.outcome == "locked" and locked.locked_until is not None
    assert DeviceState(locked.state).is_locked(now)
    while_locked = verifier.resync(state, wrong1, wrong2, now)
    assert while_locked.outcome == "locked"
    assert while_locked.state == str(state)

    # 5 steps fast: outside the sign-in scan, resync finds it; the drift covers a
    # clock up to 8 steps fast (the codes may have been typed late).
    fresh = DeviceState.totp_at(totp.timecode(now) - 10)
    resynced = verifier.resync(fresh, totp.at(now, 5), totp.at(now, 6), now)
    assert (resynced.outcome, resynced.step, resynced.drift) == (
        "resynced", totp.timecode(now) + 6, 8
    )
    assert DeviceState(resynced.state).drift == 8


def test_failed_resync_is_counted_without_the_callers_help():
    totp = Totp(rfc_secret("sha1"))
    verifier = Verifier(totp, Policy(max_failures=3))
    now = 1_700_000_000
    wrong1, wrong2 = wrong_codes(totp, now)[:2]
    state = str(DeviceState.totp_at(totp.timecode(now) - 10))
    for i in range(1, 4):
        refused = verifier.resync(state, wrong1, wrong2, now)
        assert (refused.outcome, refused.reason) == ("rejected", "not_found")
        assert refused.device_state.failures == i
        state = refused.state
    assert DeviceState(state).is_locked(now)


def test_enrollment_retries_with_the_same_secret():
    totp = Totp(otpkit.random_base32())
    verifier = Verifier(totp)
    now = 1_700_000_000
    wrong = wrong_codes(totp, now)[0]
    stored = verifier.begin_enrollment()
    typo = verifier.enroll_code(stored, wrong, now)
    assert (typo.outcome, typo.reason) == ("rejected", "first_code_not_found")
    assert typo.device_state.failures == 1 and not typo.device_state.is_enrolled
    first = verifier.enroll_code(typo.state, totp.at(now), now)
    assert first.outcome == "need_next_code" and first.device_state.awaits_second_code
    second = verifier.enroll_code(first.state, totp.at(now + 30), now + 30)
    assert (second.outcome, second.step, second.drift) == ("enrolled", totp.timecode(now) + 1, 0)
    assert second.device_state.failures == 0
    with pytest.raises(ValueError, match="^state: the device has not finished enrolling"):
        verifier.verify(verifier.begin_enrollment(), totp.at(now), now)
    # Codes of T-120 and T-90 submitted at T are a late person, not a slow clock.
    late = verifier.enroll(verifier.begin_enrollment(), totp.at(now - 120), totp.at(now - 90), now)
    assert late.ok and late.device_state.drift == 0
    # HOTP enrolled again from the last known counter: old codes stay refused.
    hotp = Hotp(rfc_secret("sha1"))
    hv = Verifier(hotp)
    old = hv.enroll(DeviceState.enrolling_hotp(40), hotp.at(3), hotp.at(4), 0)
    assert old.reason == "first_code_not_found"
    again = hv.enroll(old.state, hotp.at(41), hotp.at(42), 0)
    assert (again.outcome, again.step) == ("enrolled", 42)
    assert again.device_state.next_counter == 43
    with pytest.raises(ValueError, match="^policy: window must be at most 10 steps"):
        Policy(behind=1_000_000)
    assert verifier.worst_case_guess_probability() < 0.01


def test_server_hotp_verifier():
    verifier = Verifier(Hotp(rfc_secret("sha1")))
    now = 1_700_000_000
    # RFC 4226 appendix D: counters 0..9.
    enrolled = verifier.enroll(verifier.begin_enrollment(), "755224", "287082", now)
    assert (enrolled.outcome, enrolled.step) == ("enrolled", 1)
    state = enrolled.device_state
    assert state.next_counter == 2 and state.last_step is None and state.kind == "hotp"
    # The button pressed once without signing in: counter 3 is within the look-ahead.
    skipped = verifier.verify(state, "969429", now + 5)
    assert (skipped.outcome, skipped.step, skipped.drift) == ("accepted", 3, 1)
    replay = verifier.verify(skipped.state, "969429", now + 6)
    assert replay.outcome == "replayed"
    older = verifier.verify(replay.state, "359152", now + 7)
    assert not older.ok and older.device_state.failures == 2
    nxt = verifier.verify(older.state, "338314", now + 8)
    assert (nxt.outcome, nxt.step) == ("accepted", 4)
    assert nxt.device_state.failures == 0


def test_policy_defaults_and_repr():
    p = Policy()
    assert (p.behind, p.ahead, p.max_failures) == (4, 2, 5)
    assert Policy(ahead=1).ahead == 1 and Policy(ahead=1).behind == 4
    assert repr(p).startswith("Policy(behind=4, ahead=2, ")
    assert Verifier(Totp(rfc_secret("sha1")), Policy(max_failures=3)).policy.max_failures == 3


def test_every_policy_keyword_sets_its_setting_and_names_itself_when_refused():
    # Each keyword alone: the setting changes and the others keep their defaults.
    defaults = Policy()
    names = [
        "behind", "ahead", "enroll_window", "resync_window", "hotp_look_ahead",
        "hotp_resync_look_ahead", "max_drift_steps", "max_failures",
        "lockout_base_secs", "lockout_max_secs",
    ]
    for name in names:
        value = getattr(defaults, name) + 1
        p = Policy(**{name: value})
        assert getattr(p, name) == value, name
        assert all(getattr(p, n) == getattr(defaults, n) for n in names if n != name), name
    # Refused: a negative value by the binding, naming the keyword; too large a one by
    # the core, whose sentence names the setting (the window for behind and ahead),
    # with the stable code.
    for name in names:
        setting = {"behind": "window", "ahead": "window"}.get(name, name)
        with pytest.raises(ValueError, match=f"^{name}: must be from 0 to "):
            Policy(**{name: -1})
        if name.startswith("lockout_"):
            continue
        with pytest.raises(otpkit.OtpkitError, match=f"^policy: {setting} ") as info:
            Policy(**{name: 1_000_000})
        assert info.value.category == "InvalidInput"
        assert info.value.code in ("MAX_FAILURES_OUT_OF_RANGE", "POLICY_OUT_OF_RANGE"), name
    with pytest.raises(otpkit.OtpkitError, match="^policy: ") as info:
        Policy(lockout_base_secs=120, lockout_max_secs=60)
    assert info.value.code == "INVALID_LOCKOUT"


def test_backoff_between_attempts_is_off_unless_asked_and_checked_like_the_lockout():
    assert Policy().backoff is None
    assert Policy(backoff_base_secs=1, backoff_max_secs=8).backoff == (1, 8)
    assert "backoff=(1, 8)" in repr(Policy(backoff_base_secs=1, backoff_max_secs=8))
    with pytest.raises(ValueError, match="^backoff_base_secs: must be from 0 to "):
        Policy(backoff_base_secs=-1)
    with pytest.raises(otpkit.OtpkitError, match="^policy: ") as info:
        Policy(backoff_base_secs=10, backoff_max_secs=5)
    assert (info.value.category, info.value.code) == ("InvalidInput", "INVALID_BACKOFF")


def test_result_reprs_name_every_field_as_python_writes_it():
    totp = Totp(rfc_secret("sha1"))
    verifier = Verifier(totp)
    now = 1_700_000_000
    twice = verifier.enroll(verifier.begin_enrollment(), totp.at(now), totp.at(now), now)
    assert repr(twice) == (
        "Result(outcome='rejected', ok=False, reason='same_code_twice', step=None,"
        " drift=None, locked_until=None)"
    )
    state = DeviceState.totp_at(totp.timecode(now) - 10)
    ok = verifier.verify(state, totp.at(now), now)
    assert repr(ok) == (
        f"Result(outcome='accepted', ok=True, reason=None, step={totp.timecode(now)},"
        " drift=0, locked_until=None)"
    )
    codes = otpkit.generate_recovery_codes()
    used = codes.state.verify(codes.codes[2], now)
    assert repr(used) == (
        "RecoveryResult(outcome='accepted', ok=True, index=2, remaining=9, locked_until=None)"
    )


def test_threads_share_one_verifier():
    totp = Totp(rfc_secret("sha1"))
    verifier = Verifier(totp)

    def session(t: int) -> bool:
        results = []
        for i in range(25):
            now = 1_700_000_000 + t * 1000 + i * 37
            state = verifier.enroll(
                verifier.begin_enrollment(), totp.at(now - 30), totp.at(now), now
            ).state
            code = totp.at(now + 30)
            ok = verifier.verify(state, code, now + 30)
            again = verifier.verify(ok.state, code, now + 30)
            results.append(ok.ok and again.outcome == "replayed")
        return all(results)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(session, range(8))) == [True] * 8
