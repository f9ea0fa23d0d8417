"""Recovery codes and PSKC import through the installed `otpkit` package.

The PSKC tests read RFC 6030's figures from crates/otpkit-pskc/tests/data (the files
the Rust crate's own tests use), with the pre-shared key and password the RFC gives.
"""

from pathlib import Path

import pytest

import otpkit
from otpkit import RecoveryState, generate_recovery_codes, import_pskc

DATA = Path(__file__).resolve().parents[3] / "crates" / "otpkit-pskc" / "tests" / "data"
PSK = bytes.fromhex("12345678901234567890123456789012")
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # b"12345678901234567890"


def figure(n: int) -> str:
    return (DATA / f"rfc6030-figure-{n}.xml").read_text()


def test_every_code_verifies_once_in_any_spelling():
    codes = generate_recovery_codes(count=5, length=16)
    assert len(codes.codes) == 5
    assert all(len(c.replace("-", "")) == 16 for c in codes.codes)
    stored = str(codes.state)
    assert stored.startswith("otpr1.") and stored == codes.state.encode()
    assert not any(c.replace("-", "") in stored for c in codes.codes)
    assert not any(c in repr(codes) for c in codes.codes)
    state = RecoveryState(stored)
    for i, code in enumerate(codes.codes):
        typed = code.lower().replace("-", " ")
        result = state.verify(typed, 1_000)
        assert (result.outcome, result.ok, result.index, result.remaining) == (
            "accepted", True, i, 4 - i
        )
        again = result.state.verify(code, 1_001)
        assert again.outcome == "already_used" and not again
        state = result.state
    assert state.remaining == 0
    assert state.is_used(4)


def test_another_set_wrong_and_malformed_codes_fail_and_lock():
    mine = generate_recovery_codes()
    theirs = generate_recovery_codes()
    assert mine.state.set_id != theirs.state.set_id
    result = mine.state.verify(theirs.codes[0], 1_000)
    assert result.outcome == "invalid"
    result = result.state.verify("not a code", 1_000)
    assert result.outcome == "malformed"
    state = result.state
    for _ in range(3):
        state = state.verify(theirs.codes[1], 1_000).state
    assert state.failures == 5
    locked = state.verify(mine.codes[0], 1_001)
    assert locked.outcome == "locked"
    assert locked.locked_until is not None and locked.locked_until > 1_001
    cleared = state.with_failures_cleared()
    accepted = cleared.verify(mine.codes[0], 1_001)
    assert (accepted.outcome, accepted.index, accepted.remaining) == ("accepted", 0, 9)


def test_recovery_errors_name_the_argument():
    with pytest.raises(ValueError, match="64"):
        generate_recovery_codes(count=10, length=10)
    with pytest.raises(ValueError, match="^count/length: a recovery code set has 1 to 64 codes"):
        generate_recovery_codes(count=65)
    with pytest.raises(ValueError, match="^text: "):
        RecoveryState("otpr1.damaged")


def test_pskc_rfc6030_figures():
    plain = import_pskc(figure(3))
    assert len(plain) == 1
    token = plain[0].token
    assert plain[0].error is None and token is not None
    assert token.serial_number == "987654321"
    assert token.manufacturer == "Manufacturer"
    assert token.account.secret == RFC_SECRET
    assert (token.account.kind, token.account.counter) == ("hotp", 0)
    assert token.hotp is not None and token.hotp.at(0) == "84755224"  # RFC 4226, 8 digits
    assert token.totp is None
    assert otpkit.DeviceState(token.device_state).next_counter == 0
    assert RFC_SECRET not in repr(token) and RFC_SECRET not in repr(plain[0])

    psk = import_pskc(figure(6), pre_shared_key=PSK)
    assert psk[0].token is not None and psk[0].token.account.secret == RFC_SECRET
    password = import_pskc(figure(7).encode(), password="qwerty")
    assert password[0].token is not None
    assert password[0].token.manufacturer == "TokenVendorAcme"
    assert password[0].token.account.secret == RFC_SECRET


def test_pskc_per_key_and_container_errors():
    short = import_pskc(figure(2))  # a 32-bit secret: refused for that key only
    assert short[0].token is None
    assert short[0].error is not None and "bits" in short[0].error
    with pytest.raises(otpkit.WrongPasswordError):
        import_pskc(figure(6), pre_shared_key=bytes(16))
    with pytest.raises(otpkit.PasswordRequiredError):
        import_pskc(figure(7))
    with pytest.raises(otpkit.WrongPasswordError) as info:
        import_pskc(figure(7), password="qwertz")
    assert "qwert" not in str(info.value)
    with pytest.raises(ValueError, match="not both"):
        import_pskc(figure(6), pre_shared_key=PSK, password="qwerty")
    with pytest.raises(otpkit.ImportFailedError, match="DTD"):
        import_pskc('<!DOCTYPE x [<!ENTITY a "b">]><KeyContainer/>')
