"""Authenticator-app backups through the installed package: import (plain and
encrypted), per-entry reports, exports, the Google multi-QR assembler and the
portability check. The files are otpkit-transfer's own test files
(crates/otpkit-transfer/tests/data, built by make_fixtures.py; password "otpkit-test")."""

from pathlib import Path

import pytest

import otpkit
from otpkit import Account, MigrationAssembler

DATA = Path(__file__).resolve().parents[3] / "crates" / "otpkit-transfer" / "tests" / "data"
PW = "otpkit-test"
ALICE = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_otpauth_list_reports_every_line():
    report = otpkit.import_accounts(data("otpauth_list.txt"), "otpauth-list")
    labels = [a.label for a in report.accounts]
    assert labels[0] == "Example:alice@example.com"
    assert [a.kind for a in report.accounts] == ["totp", "hotp", "steam", "totp"]
    assert report.accounts[0].secret == ALICE
    assert report.accounts[1].counter == 7 and report.accounts[1].algorithm == "sha256"
    assert report.accounts[3].period == 45 and report.accounts[3].extra[0][0] == "image"
    assert len(report) == 4
    failures = report.failures
    assert [f.index for f in failures] == [6, 7]
    assert all(not f.ok and f.error for f in failures)
    assert all(e.ok == (e.error is None) for e in report.entries)
    assert "accounts=4" in repr(report) and ALICE not in repr(report)
    assert all(ALICE not in repr(e) for e in report.entries)


@pytest.mark.parametrize(
    "plain, encrypted, fmt",
    [
        ("aegis_plain.json", "aegis_encrypted.json", "aegis"),
        ("twofas_plain.2fas", "twofas_encrypted.2fas", "2fas"),
        ("andotp_plain.json", "andotp_encrypted.bin", "andotp"),
        ("bitwarden_plain.json", "bitwarden_encrypted.json", "bitwarden"),
    ],
)
def test_encrypted_files_open_with_the_password_only(plain, encrypted, fmt):
    clear = otpkit.import_accounts(data(plain), fmt)
    opened = otpkit.import_accounts(data(encrypted), fmt, password=PW)
    assert [a.provisioning_uri() for a in opened.accounts] == [
        a.provisioning_uri() for a in clear.accounts
    ]
    assert len(opened.accounts) > 0
    with pytest.raises(otpkit.PasswordRequiredError):
        otpkit.import_accounts(data(encrypted), fmt)
    with pytest.raises(otpkit.WrongPasswordError) as info:
        otpkit.import_accounts(data(encrypted), fmt, password="not the password")
    assert "not the password" not in str(info.value)
    # Both are ValueErrors (and OtpkitErrors): one except clause catches every refusal.
    assert issubclass(otpkit.WrongPasswordError, ValueError)


def test_aegis_entries_fail_alone_with_a_reason():
    report = otpkit.import_accounts(data("aegis_plain.json"), "aegis")
    kinds = [a.kind for a in report.accounts]
    assert kinds == ["totp", "totp", "hotp", "steam", "motp"]
    failed = report.failures
    assert [f.label for f in failed] == ["Broken:no secret", "Broken:eleven digits"]
    assert any(e.warnings for e in report.entries if e.ok)  # the Steam secret's dropped bits


@pytest.mark.parametrize(
    "name, fmt", [("freeotp_plus.json", "freeotp-plus"), ("authpro_plain.json", "authenticator-pro")]
)
def test_other_formats(name, fmt):
    report = otpkit.import_accounts(data(name), fmt)
    assert report.accounts and all(a.now() for a in report.accounts)


def test_import_formats_and_detect_format():
    formats = otpkit.import_formats()
    assert "otpauth-list" in formats and "aegis" in formats and "pskc" not in formats
    for name, fmt in [
        ("aegis_plain.json", "aegis"),
        ("aegis_encrypted.json", "aegis"),
        ("twofas_encrypted.2fas", "2fas"),
        ("bitwarden_plain.json", "bitwarden"),
        ("freeotp_plus.json", "freeotp-plus"),
        ("authpro_plain.json", "authenticator-pro"),
        ("otpauth_list.txt", "otpauth-list"),
    ]:
        assert otpkit.detect_format(data(name)) == fmt, name
        assert fmt in formats
        # What detection names, import_accounts reads.
        otpkit.import_accounts(data(name), otpkit.detect_format(data(name)), PW)
    # An encrypted andOTP backup is random bytes: never told from its content.
    assert otpkit.detect_format(data("andotp_encrypted.bin")) is None
    assert otpkit.detect_format("my accounts") is None
    figure = DATA.parents[2] / "otpkit-pskc" / "tests" / "data" / "rfc6030-figure-3.xml"
    assert otpkit.detect_format(figure.read_text()) == "pskc"
    with pytest.raises(TypeError, match="^data: "):
        otpkit.detect_format(12)  # type: ignore[arg-type]


def test_bad_format_and_bad_file():
    with pytest.raises(ValueError, match="^format: unknown format; the formats are otpauth-list"):
        otpkit.import_accounts(b"", "lotus-notes")
    with pytest.raises(otpkit.ImportFailedError):
        otpkit.import_accounts(b"{not json", "aegis")
    with pytest.raises(TypeError, match="^data: "):
        otpkit.import_accounts(12, "aegis")  # type: ignore[arg-type]
    # str data is read as UTF-8, like bytes.
    text = data("otpauth_list.txt").decode()
    assert len(otpkit.import_accounts(text, "otpauth-list")) == 4


def test_exports_round_trip():
    accounts = [
        Account("alice", ALICE, issuer="Example"),
        Account("carol", ALICE, issuer="Counter", kind="hotp", counter=7, digits=8),
        Account("slow", ALICE, issuer="Sixty", period=60),
    ]
    text = otpkit.export_otpauth_list(accounts)
    assert otpkit.import_accounts(text.encode(), "otpauth-list").accounts == accounts

    vault = otpkit.export_aegis(accounts, password=PW)
    assert ALICE not in vault.text and vault.notes == []
    assert otpkit.import_accounts(vault.text, "aegis", password=PW).accounts == accounts
    plain = otpkit.export_aegis(accounts)
    assert otpkit.import_accounts(plain.text, "aegis").accounts == accounts
    with pytest.raises(ValueError, match="^password: "):
        otpkit.export_aegis(accounts, password="")

    migration = otpkit.export_google_migration(accounts)
    assert len(migration.uris) == 1
    assert migration.notes and "left out" in migration.notes[0]  # the 60 s account
    back = otpkit.import_accounts("\n".join(migration.uris), "google-migration")
    assert back.accounts == accounts[:2]


def test_migration_assembler_in_any_order_with_duplicates():
    accounts = [Account(f"user{i}", ALICE, issuer="Bulk") for i in range(25)]
    uris = otpkit.export_google_migration(accounts).uris
    assert len(uris) > 1
    assembler = MigrationAssembler()
    assert assembler.batch_size is None and not assembler.is_complete
    assert assembler.add(uris[-1]) is True
    assert assembler.add(uris[-1]) is False  # scanned twice
    assert assembler.batch_size == len(uris)
    assert assembler.missing == list(range(len(uris) - 1))
    partial_missing = assembler.missing
    for uri in reversed(uris[:-1]):
        assembler.add(uri)
    assert assembler.is_complete and assembler.missing == []
    report = assembler.finish()
    assert report.accounts == accounts and report.missing_batches == []
    assert partial_missing
    with pytest.raises(ValueError, match="^uri: "):
        assembler.add("otpauth://totp/x?secret=" + ALICE)
    other = otpkit.export_google_migration(accounts).uris  # a new batch id
    assembler.add(uris[0])
    with pytest.raises(ValueError, match="^uri: "):
        assembler.add(other[1])


def test_portability_check():
    sha256 = Account("alice", ALICE, issuer="Ex", algorithm="sha256")
    findings = otpkit.check_portability(sha256)
    assert any(
        f.app == "Microsoft Authenticator" and f.problem == "algorithm_ignored" for f in findings
    )
    assert all(f.sources and f.message for f in findings)
    assert otpkit.check_portability(Account("alice", ALICE, issuer="Ex")) == []
    lower = otpkit.check_portability(f"otpauth://totp/Ex:a?secret={ALICE}&algorithm=sha256")
    assert any(f.problem == "lowercase_algorithm" for f in lower)
    with pytest.raises(ValueError, match="^account: "):
        otpkit.check_portability("https://example.com")
