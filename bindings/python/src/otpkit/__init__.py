"""otpkit: HOTP (RFC 4226) and TOTP (RFC 6238) for servers and authenticator apps.

A native extension over the otpkit Rust crate. pyotp's idioms work as they are::

    import otpkit
    totp = otpkit.Totp(otpkit.random_base32())
    code = totp.now()
    assert totp.verify(code)          # a wrong code is False, never an exception

For a server, ``Verifier`` adds what a stateless check cannot: enrolment with two
consecutive codes, refusing a replayed code, throttling and drift, with the device's
state kept as one string. ``import_accounts`` and the ``export_*`` functions move
accounts in and out of authenticator-app backups.

Code written for pyotp runs unchanged against ``otpkit.pyotp`` (``from otpkit import
pyotp``): the same classes, arguments, defaults and attributes, every code from the
Rust core.
"""

from ._otpkit import (
    Account,
    DeviceState,
    Hotp,
    ImportEntry,
    ImportFailedError,
    ImportReport,
    Match,
    MigrationAssembler,
    MigrationBatch,
    MigrationExport,
    OtpkitError,
    PasswordRequiredError,
    PortabilityFinding,
    Policy,
    PskcKey,
    PskcToken,
    RecoveryCodes,
    RecoveryResult,
    RecoveryState,
    Result,
    Secret,
    SteamGuard,
    TextExport,
    Totp,
    UriWarning,
    Remembered,
    UserDevice,
    UserDevices,
    UserEvent,
    UserResult,
    UserStatus,
    Verifier,
    WrongPasswordError,
    check_portability,
    decode_migration,
    export_accounts,
    export_aegis,
    export_google_migration,
    export_otpauth_list,
    generate_recovery_codes,
    detect_format,
    import_accounts,
    import_formats,
    import_pskc,
    operations,
    parse_uri,
    random_base32,
)

# pyotp's API: `from otpkit import pyotp`. A submodule, so that its `parse_uri` and
# `random_base32` keep pyotp's meaning beside otpkit's own.
from . import pyotp as pyotp

__all__ = [
    "Account",
    "DeviceState",
    "Hotp",
    "ImportEntry",
    "ImportFailedError",
    "ImportReport",
    "Match",
    "MigrationAssembler",
    "MigrationBatch",
    "MigrationExport",
    "OtpkitError",
    "PasswordRequiredError",
    "PortabilityFinding",
    "Policy",
    "PskcKey",
    "PskcToken",
    "RecoveryCodes",
    "RecoveryResult",
    "RecoveryState",
    "Result",
    "Secret",
    "SteamGuard",
    "TextExport",
    "Totp",
    "UriWarning",
    "Remembered",
    "UserDevice",
    "UserDevices",
    "UserEvent",
    "UserResult",
    "UserStatus",
    "Verifier",
    "WrongPasswordError",
    "check_portability",
    "decode_migration",
    "export_accounts",
    "export_aegis",
    "export_google_migration",
    "export_otpauth_list",
    "generate_recovery_codes",
    "detect_format",
    "import_accounts",
    "import_formats",
    "import_pskc",
    "operations",
    "parse_uri",
    "random_base32",
]
