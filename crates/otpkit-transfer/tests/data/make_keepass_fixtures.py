#!/usr/bin/env python3
"""Builds the KeePass (KDBX) test databases of otpkit-transfer (run from this directory).

Written for otpkit from the KDBX 3.1 and 4 layouts as KeePass documents them, with its
own small writer here (not pykeepass's), on pycryptodomex (AES, ChaCha20, Salsa20),
argon2-cffi (Argon2d/id) and pykeepass's pure-Python Twofish: an implementation
independent of the Rust reader under test. Needs `pip install pykeepass` (which brings
all three). Random seeds come from a seeded generator, so the files are reproducible.
The secrets are test values. Password of every database: "otpkit-test".
"""
import gzip, hashlib, hmac, io, random, struct
from xml.sax.saxutils import escape
from Cryptodome.Cipher import AES, ChaCha20, Salsa20
from Cryptodome.Util.Padding import pad
from argon2.low_level import Type, hash_secret_raw
from pykeepass.kdbx_parsing.twofish import Twofish

rng = random.Random(29)
def rand(n): return bytes(rng.getrandbits(8) for _ in range(n))
PW = b"otpkit-test"
SIG = struct.pack("<II", 0x9AA2D903, 0xB54BFB67)
CIPHERS = {
    "aes": bytes.fromhex("31c1f2e6bf714350be5805216afc5aff"),
    "chacha20": bytes.fromhex("d6038a2b8b6f4cb5a524339a31dbb59a"),
    "twofish": bytes.fromhex("ad68f29f576f4bb9a36ad47af965346c"),
}
sha256 = lambda b: hashlib.sha256(b).digest()
sha512 = lambda b: hashlib.sha512(b).digest()
b64 = lambda b: __import__("base64").b64encode(b).decode()


def aes_kdf(key, seed, rounds):
    ecb = AES.new(seed, AES.MODE_ECB)
    for _ in range(rounds):
        key = ecb.encrypt(key)
    return sha256(key)


def encrypt(cipher, key, iv, data):
    if cipher == "aes":
        return AES.new(key, AES.MODE_CBC, iv).encrypt(pad(data, 16))
    if cipher == "twofish":
        return Twofish.new(key, mode=Twofish.MODE_CBC, IV=iv).encrypt(pad(data, 16))
    return ChaCha20.new(key=key, nonce=iv).encrypt(data)


class Protector:
    """XORs protected values with the inner stream, in the order they are written."""
    def __init__(self, stream_id, key):
        if stream_id == 2:
            self.c = Salsa20.new(key=sha256(key), nonce=bytes.fromhex("E830094B97205D2A"))
        else:
            h = sha512(key)
            self.c = ChaCha20.new(key=h[:32], nonce=h[32:44])
    def __call__(self, text):
        return b64(self.c.encrypt(text.encode()))


def string(p, key, value, protected=False):
    if protected:
        return f'<String><Key>{escape(key)}</Key><Value Protected="True">{p(value)}</Value></String>'
    return f"<String><Key>{escape(key)}</Key><Value>{escape(value)}</Value></String>"


def entry(p, title, user, fields, history=None):
    """`fields`: (key, value) pairs; the password is protected, as KeePass does,
    and so is every OTP field (KeePassXC protects `otp`). `history`: a function
    writing the old versions."""
    out = "<Entry><UUID>" + b64(rand(16)) + "</UUID>"
    out += string(p, "Title", title) + string(p, "UserName", user)
    out += string(p, "Password", "hunter2-" + title, protected=True)
    for k, v in fields:
        out += string(p, k, v, protected=k in ("otp", "TOTP Seed") or "Secret" in k)
    if history is not None:
        # Written after the entry's own fields: protected values in document order.
        out += "<History>" + history() + "</History>"
    return out + "</Entry>"


def database_xml(p, body, recycle_uuid=None, recycle_enabled=True):
    meta = "<Meta><Generator>otpkit make_keepass_fixtures.py</Generator>"
    if recycle_uuid:
        meta += f"<RecycleBinEnabled>{recycle_enabled}</RecycleBinEnabled>"
        meta += f"<RecycleBinUUID>{b64(recycle_uuid)}</RecycleBinUUID>"
    meta += "</Meta>"
    return ('<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'
            f"<KeePassFile>{meta}<Root>{body(p)}</Root></KeePassFile>").encode()


def kdbx4(name, body, cipher="aes", kdf=("argon2d", 2, 1024, 2), compress=True,
          recycle_uuid=None, xml_override=None, recycle_enabled=True):
    seed, iv = rand(32), rand(12 if cipher == "chacha20" else 16)
    salt = rand(32)
    if kdf[0] == "aes":
        rounds = kdf[1]
        items = [(0x42, "$UUID", bytes.fromhex("c9d9f39a628a4460bf740d08c18a4fea")),
                 (0x05, "R", struct.pack("<Q", rounds)), (0x42, "S", salt)]
    else:
        uuid = {"argon2d": "ef636ddf8c29444b91f7a9a403e30a0c",
                "argon2id": "9e298b1956db4773b23dfc3ec6f0a1e6"}[kdf[0]]
        _, passes, mem_kib, lanes = kdf
        items = [(0x42, "$UUID", bytes.fromhex(uuid)), (0x05, "I", struct.pack("<Q", passes)),
                 (0x05, "M", struct.pack("<Q", mem_kib * 1024)), (0x04, "P", struct.pack("<I", lanes)),
                 (0x42, "S", salt), (0x04, "V", struct.pack("<I", 0x13))]
    vd = struct.pack("<H", 0x0100)
    for t, k, v in items:
        vd += bytes([t]) + struct.pack("<i", len(k)) + k.encode() + struct.pack("<i", len(v)) + v
    vd += b"\x00"
    fields = [(2, CIPHERS[cipher]), (3, struct.pack("<I", int(compress))), (4, seed), (7, iv), (11, vd), (0, b"\r\n\r\n")]
    header = SIG + struct.pack("<HH", 0, 4) + b"".join(bytes([i]) + struct.pack("<I", len(v)) + v for i, v in fields)
    composite = sha256(sha256(PW))
    if kdf[0] == "aes":
        transformed = aes_kdf(composite, salt, kdf[1])
    else:
        transformed = hash_secret_raw(composite, salt, time_cost=kdf[1], memory_cost=kdf[2], parallelism=kdf[3],
                                      hash_len=32, type=Type.D if kdf[0] == "argon2d" else Type.ID, version=19)
    key = sha256(seed + transformed)
    base = sha512(seed + transformed + b"\x01")
    out = header + sha256(header) + hmac.new(sha512(struct.pack("<Q", 2**64 - 1) + base), header, "sha256").digest()
    inner_key = rand(64)
    xml = xml_override if xml_override is not None else database_xml(Protector(3, inner_key), body, recycle_uuid, recycle_enabled)
    inner = (b"\x01" + struct.pack("<I", 4) + struct.pack("<I", 3) + b"\x02" + struct.pack("<I", 64) + inner_key
             + b"\x00" + struct.pack("<I", 0))
    payload = inner + xml
    if compress:
        payload = gzip.compress(payload, mtime=0)
    ct = encrypt(cipher, key, iv, payload)
    for i, block in enumerate([ct, b""]):
        bk = sha512(struct.pack("<Q", i) + base)
        mac = hmac.new(bk, struct.pack("<Q", i) + struct.pack("<I", len(block)) + block, "sha256").digest()
        out += mac + struct.pack("<I", len(block)) + block
    open(name, "wb").write(out)


def kdbx3(name, body, rounds=1000, recycle_uuid=None):
    seed, tseed, iv, psk, start = rand(32), rand(32), rand(16), rand(32), rand(32)
    fields = [(2, CIPHERS["aes"]), (3, struct.pack("<I", 1)), (4, seed), (5, tseed), (6, struct.pack("<Q", rounds)),
              (7, iv), (8, psk), (9, start), (10, struct.pack("<I", 2)), (0, b"\r\n\r\n")]
    header = SIG + struct.pack("<HH", 1, 3) + b"".join(bytes([i]) + struct.pack("<H", len(v)) + v for i, v in fields)
    key = sha256(seed + aes_kdf(sha256(sha256(PW)), tseed, rounds))
    data = gzip.compress(database_xml(Protector(2, psk), body, recycle_uuid), mtime=0)
    blocks = struct.pack("<I", 0) + sha256(data) + struct.pack("<I", len(data)) + data
    blocks += struct.pack("<I", 1) + bytes(32) + struct.pack("<I", 0)
    open(name, "wb").write(header + encrypt("aes", key, iv, start + blocks))


BIN = rand(16)

def every_convention(p):
    g = "<Group><UUID>" + b64(rand(16)) + "</UUID><Name>Root</Name>"
    g += entry(p, "Plain password", "nobody", [("URL", "https://example.com")])
    g += entry(p, "GitHub", "alice", [("otp", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&period=30&digits=6&issuer=GitHub")],
               history=lambda: entry(p, "GitHub", "alice", [("otp", "otpauth://totp/Old:old?secret=GEZDGNBV")]))
    g += entry(p, "Steam", "bob", [("otp", "otpauth://totp/Steam:bob?secret=STEAMSECRETSTEAM&period=30&digits=5&issuer=Steam&encoder=steam")])
    g += entry(p, "KeeOtp", "carol", [("otp", "key=GEZDGNBVGY3TQOJQ&type=Totp&step=60&size=8&otpHashMode=Sha256")])
    g += entry(p, "KeeOtp HOTP", "dave", [("otp", "key=3132333435363738393031323334353637383930&encoding=hex&type=Hotp&counter=5")])
    g += "<Group><UUID>" + b64(rand(16)) + "</UUID><Name>Sub</Name>"
    g += entry(p, "TrayTOTP", "erin", [("TOTP Seed", "JBSWY3DPEHPK3PXP"), ("TOTP Settings", "30;7")])
    g += entry(p, "TraySteam", "frank", [("TOTP Seed", "STEAMSECRETSTEAM"), ("TOTP Settings", "30;S")])
    g += entry(p, "KP Base32", "grace", [("TimeOtp-Secret-Base32", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
                                         ("TimeOtp-Length", "8"), ("TimeOtp-Period", "45"), ("TimeOtp-Algorithm", "HMAC-SHA-512")])
    g += "</Group>"
    g += entry(p, "KP Hex", "heidi", [("TimeOtp-Secret-Hex", "3132333435363738393031323334353637383930")])
    g += entry(p, "KP Text", "ivan", [("TimeOtp-Secret", "12345678901234567890"), ("TimeOtp-Algorithm", "HMAC-SHA-256")])
    g += entry(p, "KP Base64", "judy", [("TimeOtp-Secret-Base64", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=")])
    g += entry(p, "KP HOTP", "mallory", [("HmacOtp-Secret-Base32", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), ("HmacOtp-Counter", "7")])
    g += entry(p, "Both", "niaj", [("otp", "otpauth://totp/Both:niaj?secret=JBSWY3DPEHPK3PXP"), ("TOTP Seed", "GEZDGNBV")])
    g += entry(p, "Broken", "olivia", [("TimeOtp-Secret-Hex", "not hex")])
    g += "<Group><UUID>" + b64(BIN) + "</UUID><Name>Recycle Bin</Name>"
    g += entry(p, "Deleted", "peggy", [("otp", "otpauth://totp/Deleted:peggy?secret=JBSWY3DPEHPK3PXP")])
    g += "</Group></Group>"
    return g


def one_entry(p):
    return ("<Group><UUID>" + b64(rand(16)) + "</UUID><Name>Root</Name>"
            + entry(p, "GitHub", "alice", [("otp", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub")])
            + "</Group>")


def deep(p):
    depth = 20000
    return "<Group><Name>g</Name>" * depth + entry(p, "Deep", "zed", [("TOTP Seed", "JBSWY3DPEHPK3PXP")]) + "</Group>" * depth


kdbx4("keepass_kdbx4_argon2d_aes.kdbx", every_convention, recycle_uuid=BIN)
kdbx4("keepass_kdbx4_argon2id_chacha20_plain.kdbx", one_entry, cipher="chacha20", kdf=("argon2id", 2, 1024, 2), compress=False)
kdbx4("keepass_kdbx4_aeskdf_twofish.kdbx", one_entry, cipher="twofish", kdf=("aes", 1000))
kdbx3("keepass_kdbx3_aes.kdbx", every_convention, recycle_uuid=BIN)
kdbx4("keepass_deep.kdbx", deep, kdf=("aes", 10))
# Hostile: 2^40 AES-KDF rounds and Argon2 of 1 GiB x 100 passes (refused before they
# run, so the writer does not run them either: a header with those parameters around
# a cheap file's payload), and a gzip bomb (64 MiB of zeros inflating from 64 KiB).
def hostile_header(name, src, kdf_items, replace=None):
    data = bytearray(open(src, "rb").read())
    # Rewrites the KDF parameters field (id 11) and the header hash after it.
    pos, out = 12, bytearray(data[:12])
    while True:
        fid, flen = data[pos], struct.unpack("<I", data[pos + 1:pos + 5])[0]
        value = bytes(data[pos + 5:pos + 5 + flen])
        pos += 5 + flen
        if replace and fid == replace[0]:
            value = replace[1]
        elif fid == 11 and kdf_items:
            vd = struct.pack("<H", 0x0100)
            for t, k, v in kdf_items:
                vd += bytes([t]) + struct.pack("<i", len(k)) + k.encode() + struct.pack("<i", len(v)) + v
            value = vd + b"\x00"
        out += bytes([fid]) + struct.pack("<I", len(value)) + value
        if fid == 0:
            break
    rest = data[pos + 32:]
    open(name, "wb").write(bytes(out) + sha256(bytes(out)) + bytes(rest))

hostile_header("keepass_hostile_aeskdf.kdbx", "keepass_kdbx4_aeskdf_twofish.kdbx",
               [(0x42, "$UUID", bytes.fromhex("c9d9f39a628a4460bf740d08c18a4fea")),
                (0x05, "R", struct.pack("<Q", 1 << 40)), (0x42, "S", rand(32))])
hostile_header("keepass_hostile_argon2.kdbx", "keepass_kdbx4_argon2d_aes.kdbx",
               [(0x42, "$UUID", bytes.fromhex("ef636ddf8c29444b91f7a9a403e30a0c")), (0x05, "I", struct.pack("<Q", 100)),
                (0x05, "M", struct.pack("<Q", 1 << 30)), (0x04, "P", struct.pack("<I", 4)),
                (0x42, "S", rand(32)), (0x04, "V", struct.pack("<I", 0x13))])
kdbx4("keepass_gzip_bomb.kdbx", None, kdf=("aes", 10), xml_override=b"<KeePassFile>" + bytes(64 << 20))


def odd_fields(p):
    g = "<Group><UUID>" + b64(rand(16)) + "</UUID><Name>Root</Name>"
    g += entry(p, "KeeOtp b64", "a", [("otp", "key=MTIzNDU2Nzg5MDEyMzQ1Njc4OTA%3D&encoding=base64")])
    g += entry(p, "KeeOtp text", "b", [("otp", "key=12345678901234567890&encoding=UTF8&type=Totp&step=30&size=6&otpHashMode=Sha1")])
    g += entry(p, "Tray default", "c", [("TOTP Seed", "JBSWY3DPEHPK3PXP")])
    g += entry(p, "Garbage", "d", [("otp", "not an otp setting")])
    g += entry(p, "KeeOtp odd type", "e", [("otp", "key=JBSWY3DPEHPK3PXP&type=Motp")])
    g += entry(p, "Bad algorithm", "f", [("TimeOtp-Secret-Base32", "JBSWY3DPEHPK3PXP"), ("TimeOtp-Algorithm", "HMAC-MD5")])
    g += entry(p, "Bad settings", "g", [("TOTP Seed", "JBSWY3DPEHPK3PXP"), ("TOTP Settings", "thirty;6")])
    g += "<Group><UUID>" + b64(BIN) + "</UUID><Name>Former bin</Name>"
    g += entry(p, "Kept", "h", [("otp", "otpauth://totp/Kept:h?secret=JBSWY3DPEHPK3PXP")])
    g += "</Group></Group>"
    return g


# The bin's UUID is named, but the recycle bin is disabled: its group is an ordinary one.
kdbx4("keepass_odd_fields.kdbx", odd_fields, kdf=("aes", 10), recycle_uuid=BIN, recycle_enabled=False)
# Refused parameters: Argon2 1.0, an unknown cipher, an unknown KDF, an inner stream
# that is not Salsa20 or ChaCha20 (ArcFour, id 1) is in the encrypted part: not here.
hostile_header("keepass_argon2_v10.kdbx", "keepass_kdbx4_argon2d_aes.kdbx",
               [(0x42, "$UUID", bytes.fromhex("ef636ddf8c29444b91f7a9a403e30a0c")), (0x05, "I", struct.pack("<Q", 2)),
                (0x05, "M", struct.pack("<Q", 1 << 20)), (0x04, "P", struct.pack("<I", 2)),
                (0x42, "S", rand(32)), (0x04, "V", struct.pack("<I", 0x10))])
hostile_header("keepass_unknown_cipher.kdbx", "keepass_kdbx4_aeskdf_twofish.kdbx", None,
               replace=(2, bytes(16)))
hostile_header("keepass_unknown_kdf.kdbx", "keepass_kdbx4_aeskdf_twofish.kdbx",
               [(0x42, "$UUID", bytes(16)), (0x42, "S", rand(32))])
