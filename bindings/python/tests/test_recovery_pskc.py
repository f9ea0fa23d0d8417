"""Recovery codes and PSKC import through the installed `otpkit` Python package.

The PSKC tests read RFC 6030's figures from crates/otpkit-pskc/tests/data (the files
the Rust crate's own tests use), with the pre-shared key and password the RFC gives.
"""

from pathlib import Path

import pytest

import otpkit
from otpkit import RecoveryOutcome, RecoveryState, generate_recovery_codes, import_pskc

DATA = Path(__file__).resolve().parents[3] / "crates" / "otpkit-pskc" / "tests" / "data"
PSK = bytes.fromhex("12345678901234567890123456789012")
RFC_SECRET = b"12345678901234567890"


def figure(n):
    return (DATA / f"rfc6030-figure-{n}.xml").read_text()


def test_every_code_verifies_once_in_any_spelling():
    codes = generate_recovery_codes(count=5, length=16)
    assert len(codes.codes) == 5
    assert all(len(c.replace("-", "")) == 16 for c in codes.codes)
    stored = codes.state.encode()
    assert stored.startswith("otpr1.")
    assert not any(c.replace("-", "") in stored for c in codes.codes)
    state = RecoveryState.decode(stored)
    for i, code in enumerate(codes.codes):
        typed = code.lower().replace("-", " ")
        result = state.verify(typed, 1_000)
        assert result.outcome == RecoveryOutcome.ACCEPTED(index=i, remaining=4 - i)
        again = result.state.verify(code, 1_001)
        assert again.outcome == RecoveryOutcome.ALREADY_USED()
        state = result.state
    assert state.remaining() == 0
    assert state.is_used(4)


def test_another_set_wrong_and_malformed_codes_fail_and_lock():
    mine = generate_recovery_codes()
    theirs = generate_recovery_codes()
    assert mine.state.set_id() != theirs.state.set_id()
    state = mine.state
    result = state.verify(theirs.codes[0], 1_000)
    assert result.outcome == RecoveryOutcome.INVALID()
    result = result.state.verify("not a code", 1_000)
    assert result.outcome == RecoveryOutcome.MALFORMED()
    state = result.state
    for _ in range(3):
        state = state.verify(theirs.codes[1], 1_000).state
    assert state.failures() == 5
    locked = state.verify(mine.codes[0], 1_001)
    assert isinstance(locked.outcome, RecoveryOutcome.LOCKED)
    assert locked.outcome.until > 1_001
    cleared = state.with_failures_cleared()
    assert cleared.verify(mine.codes[0], 1_001).outcome == RecoveryOutcome.ACCEPTED(
        index=0, remaining=9
    )


def test_recovery_errors_carry_the_core_message():
    with pytest.raises(otpkit.RecoveryError.InvalidPolicy, match="64"):
        generate_recovery_codes(count=10, length=10)
    with pytest.raises(otpkit.RecoveryError.InvalidPolicy):
        generate_recovery_codes(count=65)
    with pytest.raises(otpkit.RecoveryError.InvalidState):
        RecoveryState.decode("otpr1.damaged")


def test_pskc_rfc6030_figures():
    plain = import_pskc(figure(3))
    assert len(plain) == 1
    token = plain[0].token
    assert plain[0].error is None
    assert token.serial_number == "987654321"
    assert token.manufacturer == "Manufacturer"
    assert token.account.secret.bytes() == RFC_SECRET
    assert token.account.kind == otpkit.Kind.HOTP(counter=0)
    assert token.hotp.code(0) == "84755224"  # RFC 4226 Appendix D, 8 digits
    assert token.totp is None
    assert token.device_state.next_counter() == 0

    psk = import_pskc(figure(6), pre_shared_key=PSK)
    assert psk[0].token.account.secret.bytes() == RFC_SECRET
    password = import_pskc(figure(7), password="qwerty")
    assert password[0].token.manufacturer == "TokenVendorAcme"
    assert password[0].token.account.secret.bytes() == RFC_SECRET


def test_pskc_per_key_and_container_errors():
    short = import_pskc(figure(2))  # a 32-bit secret: refused for that key only
    assert short[0].token is None
    assert "bits" in short[0].error
    with pytest.raises(otpkit.PskcError.WrongKeyOrPassword):
        import_pskc(figure(6), pre_shared_key=bytes(16))
    with pytest.raises(otpkit.PskcError.NeedsPassword):
        import_pskc(figure(7))
    with pytest.raises(otpkit.PskcError.WrongKeyOrPassword) as info:
        import_pskc(figure(7), password="qwertz")
    assert "qwert" not in str(info.value)
    with pytest.raises(otpkit.PskcError.KeyAndPassword):
        import_pskc(figure(6), pre_shared_key=PSK, password="qwerty")
    with pytest.raises(otpkit.PskcError.Invalid, match="DTD"):
        import_pskc('<!DOCTYPE x [<!ENTITY a "b">]><KeyContainer/>')
