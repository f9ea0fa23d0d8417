"""What the package takes from otpkit's facade (bindings/otpkit-facade), the model the
four languages share: exceptions carrying the stable `code` and `category`, with the
options spelled as Python spells them; results carrying the stable code of a refusal;
the operations Python has under the facade's names (Secret, code_at_step,
export_accounts, decode_migration, …); the key-derivation budget of imports."""

from pathlib import Path

import pytest

import otpkit
from otpkit import Account, Hotp, Secret, SteamGuard, Totp, Verifier

ROOT = Path(__file__).resolve().parents[3]
TRANSFER = ROOT / "crates" / "otpkit-transfer" / "tests" / "data"
PSKC = ROOT / "crates" / "otpkit-pskc" / "tests" / "data"
PW = "otpkit-test"
ALICE = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SHORT = "JBSWY3DPEHPK3PXP"  # 80 bits
RFC = b"12345678901234567890"


def test_an_exception_carries_the_stable_code_and_category():
    with pytest.raises(otpkit.OtpkitError) as info:
        Secret.from_base32(SHORT)
    e = info.value
    assert (e.code, e.category) == ("SECRET_TOO_SHORT", "InvalidInput")
    assert isinstance(e, ValueError)
    # The option is named as Python spells it, never as Rust does.
    assert str(e).startswith("text: ") and "allow_short" in str(e)
    assert "LengthPolicy" not in str(e) and SHORT not in str(e)
    assert len(Secret.from_base32(SHORT, allow_short=True)) == 10
    with pytest.raises(otpkit.OtpkitError) as info:
        Totp(ALICE, algorithm="md5")
    assert (info.value.code, info.value.category) == ("UNSUPPORTED_ALGORITHM", "Unsupported")
    with pytest.raises(otpkit.OtpkitError) as info:
        Totp(ALICE, digits=11)
    assert info.value.code == "DIGITS_OUT_OF_RANGE"
    with pytest.raises(otpkit.OtpkitError) as info:
        Totp(ALICE).verify("123456", 0, 121)
    assert info.value.code == "WINDOW_TOO_LARGE" and str(info.value).startswith("valid_window: ")


def test_state_errors_are_damaged_or_wrong_state():
    totp = Totp(ALICE)
    verifier = Verifier(totp)
    pending = verifier.begin_enrollment()
    with pytest.raises(otpkit.OtpkitError) as info:
        verifier.verify(pending, totp.at(0), now=0)
    assert (info.value.code, info.value.category) == ("NOT_ENROLLED", "WrongState")
    with pytest.raises(otpkit.OtpkitError) as info:
        verifier.verify("otpk1.nonsense", "123456", now=0)
    assert info.value.category == "Damaged" and str(info.value).startswith("state: ")
    with pytest.raises(otpkit.OtpkitError) as info:
        otpkit.DeviceState("otpk1.nonsense")
    assert info.value.category == "Damaged"
    with pytest.raises(otpkit.OtpkitError) as info:
        verifier.begin_enrollment(from_counter=5)
    assert (info.value.code, info.value.category) == ("WRONG_KIND", "WrongState")


def test_a_password_error_is_keyed_by_its_reason():
    encrypted = (TRANSFER / "aegis_encrypted.json").read_bytes()
    with pytest.raises(otpkit.PasswordRequiredError) as info:
        otpkit.import_accounts(encrypted, "aegis")
    assert (info.value.code, info.value.category) == ("PASSWORD_REQUIRED", "Password")
    with pytest.raises(otpkit.WrongPasswordError) as wrong:
        otpkit.import_accounts(encrypted, "aegis", password=b"not the password")
    assert (wrong.value.code, wrong.value.category) == ("WRONG_PASSWORD", "Password")
    with pytest.raises(otpkit.ImportFailedError) as failed:
        otpkit.import_accounts(b"{not json", "aegis")
    assert failed.value.code == "FILE_MALFORMED"


def test_the_kdf_budget_bounds_an_import():
    encrypted = (TRANSFER / "aegis_encrypted.json").read_bytes()
    assert len(otpkit.import_accounts(encrypted, "aegis", password=PW).accounts) > 0
    with pytest.raises(otpkit.ImportFailedError) as info:
        otpkit.import_accounts(encrypted, "aegis", password=PW, kdf_budget=1)
    assert (info.value.code, info.value.category) == ("KDF_BUDGET", "Unsupported")
    assert "kdf_budget" in str(info.value) and "WorkBudget" not in str(info.value)
    with pytest.raises(otpkit.ImportFailedError) as info:
        otpkit.import_accounts(encrypted, "aegis", password=PW, kdf_memory=1024)
    assert info.value.code == "KDF_BUDGET"
    with pytest.raises(ValueError, match="^kdf_budget: must be from 0 to "):
        otpkit.import_accounts(encrypted, "aegis", password=PW, kdf_budget=-1)
    xml = (PSKC / "rfc6030-figure-7.xml").read_text()
    assert otpkit.import_pskc(xml, password="qwerty")[0].token is not None
    with pytest.raises(otpkit.ImportFailedError) as info:
        otpkit.import_pskc(xml, password="qwerty", kdf_budget=0)
    assert info.value.code == "KDF_BUDGET"


def test_refusals_carry_their_code_and_keep_their_outcome_names():
    totp = Totp(RFC)
    verifier = Verifier(totp)
    now = 1_000_000
    stored = verifier.enroll(verifier.begin_enrollment(), totp.at(now - 30), totp.at(now), now=now)
    assert stored.ok and stored.code is None
    wrong = verifier.verify(stored.state, "000000" if totp.at(now + 30) != "000000" else "111111", now=now + 30)
    assert (wrong.outcome, wrong.code) == ("invalid", "CODE_MISMATCH")
    good = verifier.verify(wrong.state, totp.at(now + 30), now=now + 30)
    assert good.outcome == "accepted" and good.code is None
    replay = verifier.verify(good.state, totp.at(now + 30), now=now + 30)
    assert (replay.outcome, replay.code) == ("replayed", "REPLAYED")
    malformed = verifier.verify(replay.state, "12a", now=now + 30)
    assert (malformed.outcome, malformed.code) == ("malformed", "CODE_MALFORMED")
    fresh = verifier.begin_enrollment()
    typo = verifier.enroll(fresh, "000000", "000001", now=now)
    assert typo.outcome == "rejected"
    assert (typo.reason, typo.code) == (typo.code.lower(), typo.code)
    codes = otpkit.generate_recovery_codes(count=3)
    used = codes.state.verify(codes.codes[0], now=0)
    assert used.ok and used.code is None and used.remaining == 2
    again = used.state.verify(codes.codes[0], now=0)
    assert (again.outcome, again.code) == ("already_used", "REPLAYED")
    bad = used.state.verify("zzzz-zzzz-zzzz-zzzz", now=0)
    assert (bad.outcome, bad.code) == ("invalid", "CODE_MISMATCH")


def test_hotp_enrolment_may_start_at_a_counter():
    verifier = Verifier(Hotp(RFC))
    pending = otpkit.DeviceState(verifier.begin_enrollment(from_counter=5))
    assert pending.kind == "hotp" and not pending.is_enrolled
    hotp = Hotp(RFC)
    below = verifier.enroll(pending, hotp.at(1), hotp.at(2), now=0)
    assert not below.ok
    enrolled = verifier.enroll(pending, hotp.at(5), hotp.at(6), now=0)
    assert enrolled.ok, enrolled


def test_secret_is_the_facades():
    generated = Secret.generate("sha256")
    assert len(generated) == 32 and len(generated.bytes()) == 32
    rfc = Secret.from_bytes(RFC)
    assert rfc.bytes() == RFC
    assert rfc.base32() == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert rfc.base32_grouped() == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
    assert Secret.from_base32(rfc.base32_grouped().lower()).bytes() == RFC
    assert repr(rfc) == "Secret(20 bytes)" and rfc.base32() not in repr(rfc)
    assert Totp(rfc).at(59) == Totp(RFC).at(59)
    with pytest.raises(otpkit.OtpkitError) as info:
        Secret.from_bytes(RFC[:10])
    assert info.value.code == "SECRET_TOO_SHORT" and str(info.value).startswith("data: ")
    with pytest.raises(otpkit.OtpkitError) as info:
        Secret.generate("md5")
    assert info.value.code == "UNSUPPORTED_ALGORITHM"


def test_generators_have_the_facades_operations():
    totp = Totp(RFC, digits=8)
    assert totp.code_at_step(1) == totp.at(59) == "94287082"
    with pytest.raises(ValueError, match="^step: "):
        totp.code_at_step(-1)
    steam = SteamGuard(RFC)
    assert steam.seconds_left(59) == 1 and steam.seconds_left(60) == 30
    match = steam.match(steam.at(90), 60)
    assert match is not None and (match.step, match.offset) == (3, 1)
    assert steam.match("BBBBB" if steam.at(60) != "BBBBB" else "CCCCC", 60, 0) is None


def test_uri_warnings_and_import_entries_carry_codes():
    scanned = otpkit.parse_uri("otpauth://totp/ACME:bob?secret=jbswy3dpehpk3pxp&issuer=ACME")
    assert [w.code for w in scanned.warnings] == ["SECRET_LOWERCASE", "SHORT_SECRET"]
    assert [w.kind for w in scanned.warnings] == ["secret_lowercase", "short_secret"]
    report = otpkit.import_accounts((TRANSFER / "aegis_plain.json").read_bytes(), "aegis")
    assert all(f.code is not None and f.code.isupper() for f in report.failures)
    assert all(e.code is None for e in report.entries if e.ok)
    short = otpkit.import_pskc((PSKC / "rfc6030-figure-2.xml").read_text())
    assert short[0].code == "SECRET_TOO_SHORT"


def test_export_accounts_and_decode_migration():
    accounts = [Account("alice", ALICE, issuer="Example"), Account("bob", RFC, issuer="Bank")]
    listed = otpkit.export_accounts(accounts, "otpauth-list")
    assert len(listed.uris) == 1 and listed.uris[0] == otpkit.export_otpauth_list(accounts)
    sealed = otpkit.export_accounts(accounts, "aegis", password=PW)
    assert otpkit.import_accounts(sealed.uris[0], "aegis", password=PW).accounts == accounts
    qr = otpkit.export_accounts(accounts, "google-migration")
    assert len(qr.uris) == len(otpkit.export_google_migration(accounts).uris) == 1
    batch = otpkit.decode_migration(qr.uris[0])
    assert batch.accounts == accounts and batch.failures == []
    assert (batch.batch_index, batch.batch_size) == (0, 1)
    assert ALICE not in repr(batch)
    with pytest.raises(otpkit.OtpkitError) as info:
        otpkit.export_accounts(accounts, "2fas")
    assert info.value.code == "UNKNOWN_FORMAT" and str(info.value).startswith("format: ")
    with pytest.raises(otpkit.OtpkitError) as info:
        otpkit.export_accounts(accounts, "otpauth-list", password=PW)
    assert info.value.code == "UNSUPPORTED_ENCRYPTION" and str(info.value).startswith("password: ")
    with pytest.raises(otpkit.OtpkitError) as info:
        otpkit.decode_migration("otpauth://totp/x?secret=" + ALICE)
    assert info.value.code == "NOT_MIGRATION_URI" and ALICE not in str(info.value)


def test_portability_findings_carry_the_apps_code():
    found = otpkit.check_portability(Account("a", ALICE, algorithm="sha256"))
    assert {f.app_code for f in found} == {"GOOGLE_AUTHENTICATOR", "MICROSOFT_AUTHENTICATOR", "AUTHY"}
    assert all(f.problem == "algorithm_ignored" and f.when and f.sources for f in found)
    with pytest.raises(otpkit.OtpkitError) as info:
        otpkit.check_portability("https://example.com")
    assert info.value.code == "NOT_OTPAUTH_URI"


TOTP_PSKC = """<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>42</SerialNo><Model>T1</Model></DeviceInfo>
    <Key Id="totp-1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <Time><PlainValue>100</PlainValue></Time>
        <TimeInterval><PlainValue>30</PlainValue></TimeInterval>
        <TimeDrift><PlainValue>2</PlainValue></TimeDrift>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>"""


def test_a_pskc_totp_token_keeps_its_t0_and_drift():
    (key,) = otpkit.import_pskc(TOTP_PSKC.encode(), password=None)
    token = key.token
    assert token is not None and key.code is None
    assert (token.manufacturer, token.model, token.serial_number) == ("Acme", "T1", "42")
    assert (token.t0, token.drift) == (100, 2)
    assert token.totp is not None and token.hotp is None
    assert token.totp.t0 == 100 and token.totp.at(159) == Totp(RFC, digits=8, t0=100).at(159)
    assert otpkit.DeviceState(token.device_state).drift == 2
    assert "MTIz" not in repr(key) and token.account.secret not in repr(token)
