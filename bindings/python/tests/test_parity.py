"""The package against the facade's OPERATIONS (`otpkit.operations()`): every operation
the four languages share is exposed under Python's spelling, so a new operation fails
here until the package has it (or it is listed below with why).

Python's spelling of `Type.member` is the class's attribute `member` (`snake_case`, as
the facade writes it), `Type.new` is a class that can be constructed, a bare name is a
module function. RENAMES lists where the package keeps pyotp's idiom or a Python idiom
instead; EXCLUDED what the package does not expose, with why.
"""

import inspect

import otpkit

# Facade name -> the package's name, where Python has its own idiom.
RENAMES = {
    # pyotp's names for the code generators.
    "Totp.code_at": "Totp.at",
    "Totp.step_at": "Totp.timecode",
    "Hotp.code": "Hotp.at",
    "SteamGuard.code_at": "SteamGuard.at",
    # Generators and URIs from an account are the Account's methods and properties.
    "Totp.from_account": "Account.totp",
    "Hotp.from_account": "Account.hotp",
    "SteamGuard.from_account": "Account.steam",
    "account_to_uri": "Account.provisioning_uri",
    "account_label": "Account.label",
    # One reader for what a QR code holds: parse_uri reads otpauth:// and steam://.
    "parse_otpauth_uri": "parse_uri",
    "parse_steam_uri": "parse_uri",
    "encode_migration": "export_google_migration",
    # One constructor for both kinds: Verifier(Totp(...)) or Verifier(Hotp(...)).
    "Verifier.totp": "Verifier.new",
    "Verifier.hotp": "Verifier.new",
    # The stored recovery state checks a code itself.
    "verify_recovery_code": "RecoveryState.verify",
    # check_portability takes an Account or its otpauth:// URI.
    "check_portability_uri": "check_portability",
    # A Python class is opened by constructing it: UserDevices("memory:", key_id=…, key=…).
    "UserDevices.open": "UserDevices.new",
}

# Facade operations the package does not expose, with why. Empty: every operation is.
EXCLUDED: dict[str, str] = {}


def python_name(operation: str) -> str:
    return RENAMES.get(operation, operation)


def exposed(name: str) -> bool:
    """Whether the package has `name`: `Type.new` a constructible class, `Type.member`
    an attribute of the class, a bare name a callable of the module."""
    if "." not in name:
        return callable(getattr(otpkit, name, None))
    type_name, member = name.split(".", 1)
    cls = getattr(otpkit, type_name, None)
    if not inspect.isclass(cls):
        return False
    if member == "new":
        # PyO3 gives a class with a constructor (`#[new]`) its signature; one without
        # raises "No constructor defined" when called.
        return getattr(cls, "__text_signature__", None) is not None
    return hasattr(cls, member)


def test_every_operation_is_exposed_under_pythons_spelling():
    names = [name for name, _ in otpkit.operations()]
    assert names, "operations() is empty"
    missing = [n for n in names if n not in EXCLUDED and not exposed(python_name(n))]
    assert missing == [], f"operations the package lacks: {missing}"


def test_renames_and_exclusions_name_real_operations():
    names = {name for name, _ in otpkit.operations()}
    assert set(RENAMES) <= names, set(RENAMES) - names
    assert set(EXCLUDED) <= names, set(EXCLUDED) - names
    assert not set(RENAMES) & set(EXCLUDED)
    assert all(reason for reason in EXCLUDED.values())


def test_operations_are_described_pairs():
    for name, description in otpkit.operations():
        assert isinstance(name, str) and isinstance(description, str) and description, name


def test_the_check_fails_for_what_the_package_lacks():
    assert not exposed("Totp.no_such_member")
    assert not exposed("no_such_function")
    assert not exposed("Match.new"), "Match is not constructible"
    assert exposed("Totp.new") and exposed("Secret.base32") and exposed("import_pskc")
