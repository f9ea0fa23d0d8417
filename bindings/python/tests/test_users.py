"""UserDevices: users with named devices on a store, over the facade's UserDevices
(otpkit-store's MfaService). A wrong code is a result with ok False, as everywhere;
errors carry the facade's code and category."""

import pytest

import otpkit
from otpkit import Totp, UserDevices

PHONE = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
TABLET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
T0 = 1_700_000_000
KEY = bytes(range(32))


def two_devices(store: str = "memory:") -> UserDevices:
    users = UserDevices(store, key_id="k1", key=KEY)
    for name, secret in (("phone", PHONE), ("tablet", TABLET)):
        users.add_device("alice", name, secret, now=T0)
        totp = Totp(secret)
        enrolled = users.enroll_device("alice", name, totp.at(T0 - 30), totp.at(T0), now=T0)
        assert enrolled.ok and enrolled.outcome == "enrolled", enrolled
    return users


def test_two_named_devices_sign_in_with_each_list_and_remove():
    users = two_devices()
    by_phone = users.sign_in("alice", Totp(PHONE).at(T0 + 30), now=T0 + 30)
    assert by_phone and by_phone.device == "phone" and by_phone.outcome == "accepted"
    by_tablet = users.sign_in("alice", Totp(TABLET).at(T0 + 60), "tablet", now=T0 + 60)
    assert by_tablet.ok and by_tablet.device == "tablet"
    listed = users.devices("alice")
    assert [(d.name, d.enrolled, d.params) for d in listed] == [
        ("phone", True, "totp.SHA1.6.30"),
        ("tablet", True, "totp.SHA1.6.30"),
    ]
    assert users.remove_device("alice", "phone", now=T0 + 90) is True
    assert users.remove_device("alice", "phone", now=T0 + 90) is False
    assert [d.name for d in users.devices("alice")] == ["tablet"]
    assert users.user_status("alice").devices == 1
    assert users.recent_events("alice")[0].kind == "device_removed"


def test_a_wrong_replayed_or_malformed_code_is_a_value_not_an_exception():
    users = two_devices()
    wrong = users.sign_in("alice", "000000", now=T0 + 30)
    assert not wrong and wrong.outcome == "invalid" and wrong.code == "CODE_MISMATCH"
    assert wrong.failures == 1
    code = Totp(PHONE).at(T0 + 60)
    assert users.sign_in("alice", code, now=T0 + 60).ok
    replay = users.sign_in("alice", code, now=T0 + 60)
    assert (replay.ok, replay.outcome, replay.code) == (False, "replayed", "REPLAYED")
    malformed = users.sign_in("alice", "12a", now=T0 + 60)
    assert malformed.code == "CODE_MALFORMED"


def test_a_lock_out_is_a_value_and_an_administrator_clears_it():
    users = UserDevices("memory:", key_id="k1", key=KEY, policy=otpkit.Policy(max_failures=2))
    users.add_device("bob", "phone", PHONE, now=T0)
    totp = Totp(PHONE)
    assert users.enroll_device("bob", "phone", totp.at(T0 - 30), totp.at(T0), now=T0).ok
    for _ in range(2):
        users.sign_in("bob", "000000", now=T0)
    locked = users.sign_in("bob", totp.at(T0 + 30), now=T0 + 30)
    assert (locked.ok, locked.outcome, locked.code) == (False, "locked", "LOCKED")
    assert locked.locked_until is not None
    users.clear_user_lockout("bob", now=T0 + 31)
    assert users.user_status("bob").failures == 0


def test_a_remember_token_is_accepted_once_then_the_old_one_revokes_all():
    users = two_devices()
    signed_in = users.sign_in("alice", Totp(PHONE).at(T0 + 30), now=T0 + 30)
    token = users.remember_device("alice", signed_in, now=T0 + 30)
    with pytest.raises(otpkit.OtpkitError) as info:
        users.remember_device("alice", signed_in, now=T0 + 30)  # each sign-in once
    assert info.value.category == "WrongState"
    first = users.check_remembered("alice", token, now=T0 + 40)
    assert first and first.device == "phone" and first.next_token
    assert first.next_token not in repr(first)
    old = users.check_remembered("alice", token, now=T0 + 50)
    assert (old.ok, old.reason) == (False, "theft")
    assert not users.check_remembered("alice", first.next_token, now=T0 + 60)
    wrong = users.sign_in("alice", "000000", now=T0 + 60)
    with pytest.raises(ValueError, match="signed_in"):
        users.remember_device("alice", wrong, now=T0 + 60)


def test_recovery_codes_rename_and_resync():
    users = two_devices()
    codes = users.regenerate_recovery_codes("alice", count=3, now=T0)
    assert len(codes) == 3
    used = users.use_recovery_code("alice", codes[0], now=T0)
    assert used.ok and used.remaining == 2
    again = users.use_recovery_code("alice", codes[0], now=T0)
    assert (again.ok, again.outcome, again.code) == (False, "already_used", "REPLAYED")
    users.rename_device("alice", "phone", "old phone", now=T0)
    late = T0 + 3000
    totp = Totp(PHONE)
    assert users.resync_device("alice", "old phone", totp.at(late), totp.at(late + 30), now=late + 30).ok
    assert users.forget_remembered("alice", now=late) == 0


def test_errors_carry_code_and_category_and_name_the_argument():
    with pytest.raises(otpkit.OtpkitError) as info:
        UserDevices("redis://localhost", key_id="k1", key=KEY)
    assert info.value.category == "InvalidInput" and str(info.value).startswith("store: ")
    with pytest.raises(otpkit.OtpkitError) as info:
        UserDevices("memory:", key_id="no spaces", key=KEY)
    assert str(info.value).startswith("key_id: ")
    with pytest.raises(otpkit.OtpkitError, match="^key: "):
        UserDevices("memory:", key_id="k1", key=b"short")
    with pytest.raises(TypeError, match="^key: "):
        UserDevices("memory:", key_id="k1", key="not bytes")  # type: ignore[arg-type]
    users = two_devices()
    with pytest.raises(otpkit.OtpkitError) as info:
        users.sign_in("alice", "123456", "watch", now=T0)
    assert (info.value.category, info.value.code) == ("WrongState", "UNKNOWN_DEVICE")
    with pytest.raises(otpkit.OtpkitError) as info:
        users.add_device("alice", "phone", PHONE, now=T0)
    assert (info.value.category, info.value.code) == ("WrongState", "DEVICE_EXISTS")
    with pytest.raises(otpkit.OtpkitError) as info:
        users.add_device("alice", "x", "JBSWY3DPEHPK3PXP", now=T0)  # 80 bits
    assert str(info.value).startswith("secret: ") and info.value.code == "SECRET_TOO_SHORT"


def test_a_sqlite_store_keeps_users_across_opens(tmp_path):
    store = f"sqlite:{tmp_path / 'mfa.db'}"
    two_devices(store)
    again = UserDevices(store, key_id="k1", key=KEY)
    assert [d.name for d in again.devices("alice")] == ["phone", "tablet"]
    assert again.sign_in("alice", Totp(TABLET).at(T0 + 30), now=T0 + 30).ok
    with pytest.raises(otpkit.OtpkitError) as info:
        UserDevices(store, key_id="k1", key=bytes(32)).sign_in(
            "alice", Totp(TABLET).at(T0 + 60), "tablet", now=T0 + 60
        )
    assert info.value.category == "Password"


def test_a_refused_enrolment_is_a_value():
    users = UserDevices("memory:", key_id="k1", key=KEY)
    users.add_device("carol", "phone", PHONE, now=T0)
    refused = users.enroll_device("carol", "phone", "000000", "000001", now=T0)
    assert not refused.ok and refused.outcome == "rejected" and refused.reason
