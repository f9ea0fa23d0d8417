"""A script written for pyotp, as pyotp's users write one. tests/test_pyotp_dropin.py runs
it unchanged twice, once with `import pyotp` giving pyotp itself and once giving
`otpkit.pyotp`, and compares what `run()` returns."""

import datetime
import hashlib

import pyotp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # 160 bits
TIMES = [0, 29, 30, 59, 1_111_111_109, 1_234_567_890, 1_700_000_000, 2_000_000_000, 20_000_000_000]


def parsed(otp):
    """What a provisioning URI says, read back through parse_uri."""
    fields = [
        type(otp).__name__,
        otp.byte_secret().hex(),
        otp.name,
        otp.issuer,
        otp.digits,
        otp.digest().name,
    ]
    if isinstance(otp, pyotp.TOTP):
        fields += [otp.interval, otp.at(1_700_000_000)]
    else:
        fields += [otp.initial_count, otp.at(0), otp.at(5)]
    return fields


def run():
    out = []
    log = out.append

    # TOTP with the defaults and every digest, digits and interval.
    totp = pyotp.TOTP(SECRET)
    log([totp.at(t) for t in TIMES])
    log([totp.timecode(t) for t in TIMES])
    log([totp.at(t, counter_offset=k) for t in TIMES[2:] for k in (-1, 0, 2)])
    log([totp.secret, totp.digits, totp.interval, totp.digest is hashlib.sha1, totp.name, totp.issuer])
    for digest in (hashlib.sha1, hashlib.sha256, hashlib.sha512):
        for digits in (6, 7, 8, 10):
            for interval in (30, 60, 15):
                gen = pyotp.TOTP(SECRET, digits=digits, digest=digest, interval=interval)
                log([gen.at(t) for t in TIMES] + [gen.digest is digest, gen.interval, gen.digits])
    log(pyotp.TOTP(SECRET, digits=8, digest=hashlib.sha256, name="alice", issuer="Example", interval=60).at(1_700_000_000))

    # datetimes, aware and with microseconds; floats.
    moment = datetime.datetime(2023, 11, 14, 22, 13, 20, 999_999, tzinfo=datetime.timezone.utc)
    log([totp.at(moment), totp.timecode(moment), totp.at(1_700_000_029.99), totp.verify(totp.at(moment), for_time=moment)])

    # verify: windows 0, 1 and 2, around the step; keyword and positional arguments.
    now = 1_700_000_000
    for window in (0, 1, 2):
        log([totp.verify(totp.at(now + d * 30), for_time=now, valid_window=window) for d in range(-3, 4)])
    log([totp.verify(totp.at(now), for_time=now), totp.verify(totp.now()), totp.verify(totp.at(now))])

    # The matching step, for code that keeps the last one used.
    log(totp.verify_and_get_timecode(totp.at(now - 30), for_time=now, valid_window=1))
    try:
        totp.verify_and_get_timecode(totp.at(now - 30), for_time=now)
        log("matched")
    except pyotp.OTPVerificationError as error:
        log(["OTPVerificationError", isinstance(error, pyotp.PyOTPError)])

    # Codes given as int: pyotp compares str(otp), so a code with a leading zero does
    # not match as an int (12345 is "12345", five characters).
    leading = next(t for t in range(now, now + 30 * 10_000, 30) if totp.at(t).startswith("0"))
    plain = next(t for t in range(now, now + 30 * 10_000, 30) if not totp.at(t).startswith("0"))
    log([leading, plain, totp.at(leading), totp.at(plain)])
    log([totp.verify(int(totp.at(leading)), for_time=leading), totp.verify(totp.at(leading), for_time=leading)])
    log([totp.verify(int(totp.at(plain)), for_time=plain), totp.verify(int(totp.at(plain)), for_time=plain, valid_window=1)])
    log([totp.verify(int(totp.at(plain - 30)), for_time=plain, valid_window=1), totp.verify(int(totp.at(plain - 30)), for_time=plain)])
    log([totp.verify(str(int(totp.at(leading))).zfill(6), for_time=leading)])

    # Wrong codes are False, never an exception.
    wrong = ["", "0", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "x" * 2000, None, 0, -1]
    log([totp.verify(w, for_time=now) for w in wrong])
    # Past 1024 characters a code is wrong before it is normalised (pyotp bounds the work).
    log([totp.verify(totp.at(now) + " " * 1100, for_time=now)])
    log([totp.verify(totp.at(now).translate(str.maketrans("0123456789", "０１２３４５６７８９")), for_time=now)])

    # HOTP: counters, initial_count, verify with int codes.
    hotp = pyotp.HOTP(SECRET)
    log([hotp.at(c) for c in range(0, 40)] + [hotp.at(2**32), hotp.at(2**40 + 7)])
    log([hotp.verify(hotp.at(c), c) for c in range(10)] + [hotp.verify(hotp.at(3), 4)])
    log([hotp.verify(int(hotp.at(c)), c) for c in range(40)])
    later = pyotp.HOTP(SECRET, initial_count=5, digits=8, digest=hashlib.sha512)
    log([later.at(0), later.at(3), later.verify(later.at(2), 2), later.initial_count, later.digits])
    log([later.generate_otp(5) == later.at(0), hotp.generate_otp(7) == hotp.at(7)])

    # Provisioning URIs, read back with parse_uri.
    uris = [
        totp.provisioning_uri(name="alice@google.com", issuer_name="Secure App"),
        totp.provisioning_uri(name="bob"),
        pyotp.TOTP(SECRET, name="carol", issuer="Bank").provisioning_uri(),
        pyotp.TOTP(SECRET, digits=8, digest=hashlib.sha256, interval=60).provisioning_uri(name="dave", issuer_name="ACME"),
        pyotp.TOTP(SECRET).provisioning_uri(),
        hotp.provisioning_uri(name="erin", initial_count=3, issuer_name="Bank"),
        later.provisioning_uri(name="frank"),
        pyotp.HOTP(SECRET, digest=hashlib.sha512, name="gina", issuer="X Y").provisioning_uri(),
    ]
    log([parsed(pyotp.parse_uri(uri)) for uri in uris])
    log([uri.split("?")[0] for uri in uris])

    # parse_uri of URIs as the apps and services write them.
    for uri in [
        "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
        "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&period=60",
        "otpauth://hotp/Bank:bob?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&counter=42&issuer=Bank",
        "otpauth://totp/?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        "otpauth://totp/Big%20Corp%3A%20Team:carol?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA512",
    ]:
        log(parsed(pyotp.parse_uri(uri)))

    # random_base32: 32 Base32 characters by default; longer on request.
    secrets = [pyotp.random_base32(), pyotp.random_base32(40), pyotp.random_base32(length=64)]
    log([len(s) for s in secrets] + [set("".join(secrets)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")])
    log([len(pyotp.TOTP(s).byte_secret()) for s in secrets])
    hexes = [pyotp.random_hex(), pyotp.random_hex(64)]
    log([len(h) for h in hexes] + [set("".join(hexes)) <= set("ABCDEF0123456789")])

    # Refusals pyotp and otpkit share: bad Base32, digits out of range, short random secrets.
    for make in [
        lambda: pyotp.TOTP("not base32!"),
        lambda: pyotp.TOTP(SECRET, digits=5),
        lambda: pyotp.TOTP(SECRET, digits=11),
        lambda: pyotp.HOTP(SECRET, digest=hashlib.md5),
        lambda: pyotp.TOTP(SECRET, digest=hashlib.md5),
        lambda: pyotp.random_base32(16),
        lambda: pyotp.random_hex(20),
        lambda: pyotp.TOTP(SECRET).at(-1),
        lambda: pyotp.HOTP(SECRET).at(-1),
        lambda: pyotp.parse_uri("https://example.com/"),
        lambda: pyotp.parse_uri("otpauth://totp/x?issuer=y"),
    ]:
        try:
            make()
            log("accepted")
        except ValueError:
            log("ValueError")
    return out
