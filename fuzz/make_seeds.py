#!/usr/bin/env python3
"""Writes the hand-made seed corpora under fuzz/corpus/ (committed; rerun to refresh).

The verify and differential targets read fixed byte layouts (documented at the top of
each target), so these seeds are meaningful inputs: RFC 4226/6238 test vectors, pasted
secret forms, real-world otpauth URIs and edge values.
"""
import base64
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RFC20 = b"12345678901234567890"
RFC32 = b"12345678901234567890123456789012"
RFC64 = RFC20 * 3 + b"1234"
MAX64 = 2**64 - 1
MAX32 = 2**32 - 1


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def b32(raw):
    return base64.b32encode(raw).decode().rstrip("=")


# --- base32_secret: text as users paste it -----------------------------------------
write("base32_secret", "rfc4226_sha1", b32(RFC20))
write("base32_secret", "rfc6238_sha256", b32(RFC32))
write("base32_secret", "rfc6238_sha512", b32(RFC64))
write("base32_secret", "grouped_lower", " ".join(b32(RFC20).lower()[i:i + 4] for i in range(0, 32, 4)))
write("base32_secret", "hyphen_short_80bit", "jbsw-y3dp-ehpk-3pxp")
write("base32_secret", "padded_17_bytes", base64.b32encode(b"\xff" * 17).decode())
write("base32_secret", "invalid_zero", "JBSWY3DP0HPK")
write("base32_secret", "non_ascii", "GEZD\u00c9NBVGY3TQOJQ")
write("base32_secret", "max_len", b32(b"\xa5" * 128))
write("base32_secret", "too_long", b32(b"\xa5" * 128) + "AAAAAAAA")
write("base32_secret", "padding_then_data", "GEZDGNBV==GY3TQOJQ")


# --- verify: fixed layout (see fuzz_targets/verify.rs) ------------------------------
def verify_seed(alg=0, digits=0, period=30, t0=0, time=59, behind=1, ahead=1,
                counter=0, look_ahead=0, mode=0, index=0, secret=RFC20, text=""):
    return (bytes([alg, digits]) + struct.pack(">QQQIIQIBH", period, t0, time, behind,
            ahead, counter, look_ahead, mode, index) + bytes([len(secret)]) + secret
            + text.encode())


write("verify", "rfc6238_sha1_t59", verify_seed(digits=2, text="94287082"))
write("verify", "rfc6238_sha256_t1111111109",
      verify_seed(alg=1, digits=2, time=1111111109, secret=RFC32, text="68084774"))
write("verify", "rfc6238_sha512_t59", verify_seed(alg=2, digits=2, secret=RFC64, text="90693936"))
write("verify", "rfc4226_counter0_spaced", verify_seed(time=0, counter=0, look_ahead=3, text=" 755 224 "))
write("verify", "from_window_grouped", verify_seed(time=1_700_000_000, behind=5, ahead=5, mode=3 | (2 << 2), index=7))
write("verify", "edge_time_max_period_1",
      verify_seed(period=1, time=MAX64, behind=MAX32, ahead=MAX32, counter=MAX64, look_ahead=MAX32, mode=3))
write("verify", "edge_before_t0", verify_seed(t0=1000, time=999, text="123456"))
write("verify", "edge_period_zero", verify_seed(period=0, text="123456"))
write("verify", "fullwidth_digits", verify_seed(text="\uff11\uff12\uff13\uff14\uff15\uff16"))
write("verify", "edge_huge_period", verify_seed(period=MAX64, t0=0, time=MAX64, behind=MAX32, text="000000"))


# --- differential: fixed layout (see fuzz_targets/differential.rs) ------------------
def diff_seed(alg=0, digits=0, time=59, t0=0, period=30, counters=(), secret=RFC20):
    return (bytes([alg, digits]) + struct.pack(">QQQ", time, t0, period)
            + bytes([len(counters)]) + b"".join(struct.pack(">Q", c) for c in counters) + secret)


write("differential", "rfc4226_counters_0_9", diff_seed(counters=range(10)))
write("differential", "rfc6238_sha1", diff_seed(digits=2, time=1234567890))
write("differential", "rfc6238_sha256", diff_seed(alg=1, digits=2, time=2000000000, secret=RFC32))
write("differential", "rfc6238_sha512", diff_seed(alg=2, digits=2, time=20000000000, secret=RFC64))
write("differential", "ten_digits_long_key", diff_seed(digits=4, counters=[MAX64, 2**63], secret=b"\x5a" * 128))
write("differential", "one_byte_key_t0", diff_seed(alg=1, digits=3, time=MAX64, t0=12345, period=1, secret=b"k"))
