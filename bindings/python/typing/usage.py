"""Typed use of the otpkit package, checked with `mypy --strict` (tests/test_typing.py)."""

from __future__ import annotations

import datetime
from typing import Optional

import otpkit


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


def state_info(text: str) -> Optional[int]:
    state = otpkit.DeviceState(text)
    steps: Optional[int] = state.last_step
    return steps if state.is_enrolled else state.next_counter


uri, pending = enrol("Example", "alice@example.com")
print(check(otpkit.random_base32(), "123456"), sign_in, migrate, state_info, uri, pending)
