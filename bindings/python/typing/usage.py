"""Typed use of the otpkit package, checked with `mypy --strict` (tests/test_typing.py)."""

from __future__ import annotations

import datetime
from typing import Optional

import hashlib

import otpkit
from otpkit import pyotp


def sign_in(verifier: otpkit.Verifier, stored: str, code: str) -> tuple[bool, str]:
    result: otpkit.Result = verifier.verify(stored, code)
    return result.ok, result.state


def enrol(issuer: str, user: str) -> tuple[str, str]:
    account = otpkit.Account(user, issuer=issuer)
    totp: Optional[otpkit.Totp] = account.totp()
    assert totp is not None
    verifier = otpkit.Verifier(totp, otpkit.Policy(max_failures=5))
    return account.provisioning_uri(), verifier.begin_enrollment()


def check(secret: str, code: str, when: Optional[datetime.datetime] = None) -> bool:
    totp = otpkit.Totp(secret, digits=6, period=30, algorithm="sha1")
    m: Optional[otpkit.Match] = totp.match(code, when)
    return totp.verify(code, for_time=when, valid_window=1) and (m is None or m.offset <= 1)


def migrate(data: bytes, password: Optional[str]) -> list[str]:
    try:
        report = otpkit.import_accounts(data, "aegis", password=password)
    except otpkit.WrongPasswordError:
        return []
    failures: list[otpkit.ImportEntry] = report.failures
    return [a.label for a in report.accounts] + [f.label for f in failures]


def refused_code(text: str) -> tuple[Optional[str], str]:
    """The stable code and category of a refusal, and a Secret's text."""
    try:
        secret = otpkit.Secret.from_base32(text, allow_short=False)
    except otpkit.OtpkitError as e:
        return e.code, e.category
    return None, secret.base32_grouped()


def export_all(accounts: list[otpkit.Account], password: Optional[bytes]) -> list[str]:
    exported: otpkit.MigrationExport = otpkit.export_accounts(accounts, "aegis", password)
    batch: otpkit.MigrationBatch = otpkit.decode_migration(
        otpkit.export_accounts(accounts, "google-migration").uris[0]
    )
    names: list[tuple[str, str]] = otpkit.operations()
    budget = otpkit.import_accounts(exported.uris[0], "aegis", password, kdf_budget=10_000, kdf_memory=1 << 28)
    return exported.uris + [a.label for a in batch.accounts + budget.accounts] + [n for n, _ in names]


def state_info(text: str) -> Optional[int]:
    state = otpkit.DeviceState(text)
    steps: Optional[int] = state.last_step
    return steps if state.is_enrolled else state.next_counter


def pyotp_style(secret: str, code: int) -> tuple[bool, str, int]:
    """Code written for pyotp, against otpkit.pyotp."""
    totp = pyotp.TOTP(secret, digest=hashlib.sha256, interval=60, issuer="Example")
    hotp: pyotp.OTP = pyotp.parse_uri(pyotp.HOTP(secret, initial_count=3).provisioning_uri(name="bob"))
    ok: bool = totp.verify(code, valid_window=1) or totp.verify(str(code), for_time=datetime.datetime.now())
    return ok, totp.provisioning_uri(name="alice"), totp.timecode(1_700_000_000) + len(hotp.byte_secret())


uri, pending = enrol("Example", "alice@example.com")
print(pyotp_style(pyotp.random_base32(), 123456), pyotp.random_hex())
print(check(otpkit.random_base32(), "123456"), sign_in, migrate, state_info, uri, pending)
print(refused_code, export_all)
