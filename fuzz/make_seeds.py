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


# --- otpauth: real-world URIs as text ------------------------------------------------
for name, uri in {
    "google_example": "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
    "google_full": "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
                   "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
    "hotp_sha256_8": "otpauth://hotp/Bob%27s%20Bank:bob%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                     "&issuer=Bob%27s%20Bank&algorithm=SHA256&digits=8&counter=7",
    "aws_style": "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret="
                 + b32(RFC32) + "&issuer=Amazon%20Web%20Services",
    "microsoft_conflict": "otpauth://totp/Contoso:alice@contoso.com?secret=" + b32(RFC20) + "&issuer=Microsoft",
    "steam_issuer": "otpauth://totp/Steam:gamer?secret=" + b32(RFC20) + "&issuer=Steam",
    "steam_aegis": "otpauth://steam/Steam:gamer?secret=" + b32(RFC20) + "&issuer=Steam&digits=5",
    "encoder_other": "otpauth://totp/x?secret=" + b32(RFC20) + "&encoder=other",
    "image_extra": "otpauth://totp/GitLab:me?secret=" + b32(RFC20)
                   + "&issuer=GitLab&image=https%3A%2F%2Fexample.com%2Flogo.png&color=ff0000",
    "lower_padded_spaced": "OTPAUTH://TOTP/Air+Canada%3a%20me?SECRET=gezd%20gnbv-gy3t%3D%3D&issuer=Air+Canada",
    "no_issuer_colon_name": "otpauth://totp/:a%3Ab?secret=" + b32(RFC20),
    "sha512_period60": "otpauth://totp/Vault:ops?secret=" + b32(RFC64) + "&algorithm=SHA512&period=60&digits=10",
    "bad_duplicate": "otpauth://totp/x?secret=" + b32(RFC20) + "&secret=" + b32(RFC20),
    "bad_digits": "otpauth://hotp/x?secret=" + b32(RFC20) + "&digits=11&counter=18446744073709551616",
}.items():
    write("otpauth", name, uri)


# --- migration: byte 0 even = URI text, odd = raw protobuf payload -------------------
def varint(n):
    n &= 2**64 - 1
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(tag, wire, value):
    key = varint(tag << 3 | wire)
    if wire == 0:
        return key + varint(value)
    return key + varint(len(value)) + value


def otp_parameters(secret, name, issuer=b"", algorithm=1, digits=1, otp_type=2, counter=0):
    return (field(1, 2, secret) + field(2, 2, name) + field(3, 2, issuer) + field(4, 0, algorithm)
            + field(5, 0, digits) + field(6, 0, otp_type) + field(7, 0, counter))


def payload(entries, version=1, size=1, index=0, batch_id=0):
    body = b"".join(field(1, 2, e) for e in entries)
    return body + field(2, 0, version) + field(3, 0, size) + field(4, 0, index) + field(5, 0, batch_id)


def migration_uri(raw):
    from urllib.parse import quote
    return "otpauth-migration://offline?data=" + quote(base64.b64encode(raw).decode(), safe="")


EXPORT = payload([
    otp_parameters(RFC20, b"Example:alice@google.com", b"Example"),
    otp_parameters(RFC32, b"bob", b"Bank", algorithm=2, digits=2, otp_type=1, counter=42),
    otp_parameters(b"\x01" * 10, b"GitHub:carol", b""),
], size=2, index=0, batch_id=-1234567)
write("migration", "uri_three_accounts", b"\x00" + migration_uri(EXPORT).encode())
write("migration", "payload_three_accounts", b"\x01" + EXPORT)
write("migration", "payload_md5_and_bad", b"\x03" + payload([
    otp_parameters(RFC20, b"md5", algorithm=4),
    otp_parameters(RFC20, b"eight", digits=3),
    otp_parameters(RFC20, b"neg", otp_type=1, counter=-1),
    otp_parameters(b"", b"empty"),
    otp_parameters(RFC20, b"\xff\xfe", b"Bad UTF-8"),
]))
write("migration", "payload_empty", b"\x05")
write("migration", "uri_urlsafe_spaces", b"\x00" + migration_uri(EXPORT).replace("%2B", " ").replace("%2F", "_").encode())
write("migration", "uri_not_migration", b"\x00otpauth://totp/x?secret=" + b32(RFC20).encode())


# --- state: byte 0 mod 3 = 0 whole text, 1 body (checksum added), 2 from_parts -------
import hashlib


def state_text(body):
    body = "otpk1." + body
    return body + "." + hashlib.sha256(body.encode()).digest()[:6].hex()


write("state", "totp_drift", b"\x00" + state_text("t.56666672.-2.0.0").encode())
write("state", "hotp_locked_forever", b"\x00" + state_text("h.7.0.100.18446744073709551615").encode())
write("state", "body_totp", b"\x01t.100.1.3.1700000000")
write("state", "body_noncanonical", b"\x01t.0100.-0.+3.0")
write("state", "body_trailing", b"\x01h.1.0.0.0.9")
write("state", "bad_checksum", b"\x00otpk1.t.5.0.0.0.000000000000")
write("state", "other_version", b"\x00otpk2.t.5.0.0.0.000000000000")
write("state", "parts_extremes", b"\x02\x01" + struct.pack(">QqIQ", MAX64, -2**63, MAX32, MAX64))


# --- transfer_*: the otpkit-transfer test files (our own), and migration exports -----
import shutil

TRANSFER_DATA = os.path.join(HERE, "..", "crates", "otpkit-transfer", "tests", "data")
for target, names in {
    "transfer_aegis": ["aegis_plain.json", "aegis_encrypted.json"],
    "transfer_2fas": ["twofas_plain.2fas", "twofas_encrypted.2fas"],
    "transfer_andotp": ["andotp_plain.json", "andotp_encrypted.bin"],
    "transfer_bitwarden": ["bitwarden_plain.json", "bitwarden_encrypted.json"],
    "transfer_freeotp_plus": ["freeotp_plus.json"],
    "transfer_authenticator_pro": ["authpro_plain.json"],
    "transfer_otpauth_list": ["otpauth_list.txt"],
    "transfer_keepass": ["keepass_kdbx4_aeskdf_twofish.kdbx", "keepass_kdbx3_aes.kdbx",
                         "keepass_kdbx4_argon2id_chacha20_plain.kdbx"],
    "transfer_ente": ["ente_encrypted.json"],
    "transfer_steam": ["steam_plain.maFile", "steam_manifest.json"],
}.items():
    for name in names:
        with open(os.path.join(TRANSFER_DATA, name), "rb") as f:
            write(target, name, f.read())


# transfer_cxf: hand-made CXF 1.0 documents (the corpus files are these bytes).
write("transfer_cxf", "two_totp.json", (
    '{"version":{"major":1,"minor":0},"exporterRpId":"seed.example","exporterDisplayName":"Seed",'
    '"timestamp":1700000000,"accounts":[{"id":"AAEC","username":"","email":"","collections":[],'
    '"items":[{"id":"AQ","title":"Seed Co","credentials":[{"type":"basic-auth"},{"type":"totp",'
    '"secret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","period":30,"digits":6,"username":"seed",'
    '"algorithm":"sha1","issuer":"Seed Co"}]},{"id":"Ag","title":"Other","credentials":[{"type":"totp",'
    '"secret":"JBSWY3DPEHPK3PXP","period":60,"digits":8,"algorithm":"sha256"}]}]}]}\n'))
write("transfer_cxf", "odd_values.json", (
    '{"version":{"major":1},"accounts":[{"items":[{"title":"t","credentials":[{"type":"totp",'
    '"secret":"JBSWY3DPEHPK3PX","algorithm":"md5"},{"type":"totp","secret":"JBSWY3DPEHPK3PXP",'
    '"period":0,"digits":11},{"type":"totp"},["totp"],{"type":"totp","secret":"JBSWY3DPEHPK3PXP",'
    '"period":"30","digits":"6","algorithm":"sha512"}]},[],7]}]}\n'))
write("transfer_cxf", "version2.json",
      '{"version":{"major":2},"exporterRpId":"x","accounts":[]}')
# Issue 29's JSON/text formats: hand-made seeds (layouts as in the importers' docs).
write("transfer_lastpass", "export.json", '{"version":3,"accounts":[{"issuerName":"Ex","userName":"a",'
      '"secret":"JBSWY3DPEHPK3PXP","timeStep":30,"digits":6,"algorithm":"SHA256"},{"issuerName":"",'
      '"userName":"b","secret":"STEAMSECRET","timeStep":60,"digits":8,"algorithm":"SHA512"}],"folders":[]}')
write("transfer_proton_authenticator", "export.json", '{"version":1,"entries":[{"id":"1","content":{"uri":'
      '"otpauth://totp/Ex:a?secret=JBSWY3DPEHPK3PXP&issuer=Ex&digits=7&period=20","entry_type":"Totp",'
      '"name":"a"},"note":null},{"id":"2","content":{"uri":"steam://JBSWY3DPEHPK3PXP","entry_type":"Steam",'
      '"name":"s"},"note":null}]}')
write("transfer_duo", "accounts.json", '[{"version":1.0,"accountType":"OtpAccount","name":"a","otpGenerator":'
      '{"otpSecret":"JBSWY3DPEHPK3PXP"}},{"accountType":"OtpAccount","name":"b","otpGenerator":'
      '{"otpSecret":"GEZDGNBVGY3TQOJQ","counter":3}}]')
write("transfer_ente", "plain.txt", "otpauth://totp/Ex:a?secret=JBSWY3DPEHPK3PXP&issuer=Ex&codeDisplay=%7B%7D\n"
      "otpauth://hotp/Ex:b?secret=GEZDGNBVGY3TQOJQ&issuer=Ex\notpauth://steam/Steam:c?secret=STEAMSECRET\n")
write("transfer_bitwarden", "export.csv", 'name,login_username,login_totp\n"Quoted, ""item""",a,'
      'otpauth://totp/Ex:a?secret=JBSWY3DPEHPK3PXP\nS,b,steam://STEAMSECRET\nBare,c,GEZDGNBVGY3TQOJQ\n')
with open(os.path.join(TRANSFER_DATA, "steam_manifest.json"), "rb") as f:
    bundle = f.read()
for name in ["steam_beta.maFile", "steam_alpha.maFile"]:
    with open(os.path.join(TRANSFER_DATA, name), "rb") as f:
        bundle += b"\n" + f.read()
write("transfer_steam", "bundle", bundle)
write("transfer_steam", "accounts.json", '{"accounts":{"1":{"shared_secret":"AQIDBAUGBwgJCgsMDQ4PEBESExQ=",'
      '"account_name":"a"}}}')
write("transfer_steam", "winauth.txt", "otpauth://totp/Steam:a?secret=ASDF&issuer=Steam&data=%7B%22shared%5Fsecret"
      "%22%3A%22AQIDBAUGBwgJCgsMDQ4PEBESExQ%3D%22%2C%22account%5Fname%22%3A%22a%22%7D\n")


def batch(entries, size, index, batch_id):
    return migration_uri(payload(entries, size=size, index=index, batch_id=batch_id))


FIRST = [otp_parameters(RFC20, b"user%d" % i, b"Ex") for i in range(10)]
SECOND = [otp_parameters(RFC20, b"user10", b"Ex")]
two = [batch(FIRST, 2, 0, 77), batch(SECOND, 2, 1, 77)]
write("transfer_google_migration", "single", migration_uri(EXPORT) + "\n")
write("transfer_google_migration", "two_batches_reversed", "# scanned\n" + two[1] + "\n" + two[0] + "\n")
write("transfer_assembler", "two_batches_duplicate", two[1] + "\n" + two[1] + "\n" + two[0] + "\n")
write("transfer_assembler", "batch_id_zero", batch(FIRST, 2, 0, 0) + "\n" + two[1] + "\n")
write("transfer_assembler", "index_out_of_range", batch(SECOND, 2, 5, 77) + "\n")
# --- pskc: byte 0 mod 3 = 0 no key, 1 the Figure 6 pre-shared key, 2 password "qwerty" --
# RFC 6030's own figures (read from otpkit-pskc's tests/data, which hold them as in the
# RFC text) and hand-made documents; no third-party files.
import re


def rfc_figure(name):
    number = name.rsplit("_", 1)[1]
    path = os.path.join(HERE, "..", "crates", "otpkit-pskc", "tests", "data",
                        "rfc6030-figure-" + number + ".xml")
    # The files end with one newline added for editors; the seeds are the figures as before.
    return open(path).read()[:-1]


write("pskc", "figure3_plain", b"\x00" + rfc_figure("FIGURE_3").encode())
write("pskc", "figure6_psk", b"\x01" + rfc_figure("FIGURE_6").encode())
write("pskc", "figure7_password", b"\x02" + rfc_figure("FIGURE_7").encode())
TOTP_DOC = (
    '<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">'
    "<KeyPackage><DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>1</SerialNo></DeviceInfo>"
    '<Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp"><AlgorithmParameters>'
    '<Suite>HMAC-SHA256</Suite><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>'
    "<Data><Secret><PlainValue>" + base64.b64encode(RFC32).decode() + "</PlainValue></Secret>"
    "<Time><PlainValue>0</PlainValue></Time><TimeInterval><PlainValue>60</PlainValue></TimeInterval>"
    "<TimeDrift><PlainValue>-1</PlainValue></TimeDrift></Data></Key></KeyPackage></KeyContainer>"
)
write("pskc", "totp_all_fields", b"\x00" + TOTP_DOC.encode())
write("pskc", "dtd_entity", b'\x00<?xml version="1.0"?><!DOCTYPE KeyContainer [<!ENTITY x "y">]>' + TOTP_DOC.encode())
write("pskc", "truncated", b"\x00" + TOTP_DOC.encode()[:300])


# --- recovery_state: byte 0 mod 2 = 0 whole text, 1 body (checksum added) -----------
def recovery_text(body):
    body = "otpr1." + body
    return body + "." + hashlib.sha256(body.encode()).digest()[:6].hex()


HASH = "A" * 22
SALT = "B" * 21 + "A"
write("recovery_state", "two_codes", b"\x00" + recovery_text("0123456789abcdef.16.1.%s.0.0.1.%s,%s" % (SALT, HASH, HASH)).encode())
write("recovery_state", "body_locked", ("\x01fedcba9876543210.13.1000.%s.5.1700000060.0.%s" % (SALT, HASH)).encode())
write("recovery_state", "body_bad_used", ("\x01fedcba9876543210.13.1.%s.0.0.4.%s" % (SALT, HASH)).encode())
write("recovery_state", "bad_checksum", b"\x00otpr1.0123456789abcdef.16.1.x.0.0.0.y.000000000000")


# --- transfer archives and app databases (issue 29): ZIP, ZipCrypto, SQLite, HTML -----
import sqlite3
import tempfile
import zipfile
import zlib

FUZZ_PASSWORD = b"otpkit-test"  # transfer_common.rs gives it when the byte sum is odd
LIST = ("otpauth://totp/Deno:mason?secret=JBSWY3DPEHPK3PXP&issuer=Deno&digits=8\r\n"
        "otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Bank&counter=10&icon=WinAuth\r\n").encode()


def zip_plain(members):
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members:
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 2, 12, 0, 0)), content, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _crc_byte(crc, b):
    c = crc ^ b
    for _ in range(8):
        c = (c >> 1) ^ (0xEDB88320 if c & 1 else 0)
    return c


def zip_crypto(name, content):
    """One deflated, ZipCrypto-encrypted member (APPNOTE 6.1), check byte from the CRC."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(p):
        keys[0] = _crc_byte(keys[0], p)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = _crc_byte(keys[2], keys[1] >> 24)

    def enc(p):
        t = (keys[2] | 2) & 0xFFFF
        c = p ^ (((t * (t ^ 1)) >> 8) & 0xFF)
        update(p)
        return c

    for b in FUZZ_PASSWORD:
        update(b)
    crc = zlib.crc32(content)
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = co.compress(content) + co.flush()
    header = bytes(range(11)) + bytes([crc >> 24])
    body = bytes(enc(b) for b in header + data)
    n = name.encode()
    common = struct.pack("<HHHHHIIIHH", 20, 1, 8, 0x6000, 0x5821, crc, len(body), len(content), len(n), 0)
    local = b"PK\x03\x04" + common + n + body
    central = b"PK\x01\x02" + struct.pack("<H", 20) + common + struct.pack("<HHHII", 0, 0, 0, 0, 0) + n
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local), 0)
    return local + central + eocd


def sqlite_bytes(sql):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "db")
        con = sqlite3.connect(path)
        con.executescript(sql)
        con.commit()
        con.close()
        with open(path, "rb") as f:
            return f.read()


for target, name in [("transfer_winauth", "winauth-2024-01-02.txt"),
                     ("transfer_authenticator_plus", "Accounts.txt")]:
    write(target, "zipcrypto", zip_crypto(name, LIST))
    write(target, "plain_zip", zip_plain([(name, LIST)]))
    write(target, "empty_zip", b"PK\x05\x06" + bytes(18))

PROTON = ('{"version":"1.0","vaults":{"v1":{"name":"Personal","items":[{"data":{"metadata":'
          '{"name":"Site"},"type":"login","content":{"totpUri":"otpauth://totp/Site:me?issuer=Site'
          '&secret=JBSWY3DPEHPK3PXP"},"extraFields":[{"fieldName":"2nd","type":"totp","data":'
          '{"totpUri":"otpauth://totp/Site:Proton%20Pass?issuer=Site&secret=GEZDGNBVGY3TQOJQ"}},'
          '{"fieldName":"bad","type":"totp","data":{"totpUri":"otpauth://totp/Broken"}}]}}]}}}')
write("transfer_proton_pass", "export", zip_plain([("Proton Pass/", b""), ("Proton Pass/data.json", PROTON.encode())]))
write("transfer_proton_pass", "pgp", zip_plain([("Proton Pass/data.pgp", b"-----BEGIN PGP MESSAGE-----")]))

write("transfer_google_authenticator", "accounts", sqlite_bytes(
    "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL,"
    " counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, issuer TEXT, original_name TEXT);"
    "INSERT INTO accounts VALUES (1, 'Deno:mason', 'JBSWY3DPEHPK3PXP', 0, 0, 0, 'Deno', NULL);"
    "INSERT INTO accounts VALUES (2, 'Bank:bob', 'GEZDGNBVGY3TQOJQ', 10, 1, 0, 'Bank', NULL);"))
write("transfer_microsoft_authenticator", "accounts", sqlite_bytes(
    "CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
    " username TEXT NOT NULL, oath_secret_key TEXT NOT NULL, account_type INTEGER NOT NULL);"
    "INSERT INTO accounts VALUES (1, 'Deno', 'mason', 'JBSWY3DPEHPK3PXP', 0);"
    "INSERT INTO accounts VALUES (2, 'Microsoft', 'me@example.com', '', 1);"))
write("transfer_authenticator_pro", "html_export", (
    "<!doctype html><html><body><table><tr><td>Deno</td><td><code>otpauth://totp/Deno%3Amason?"
    "secret=JBSWY3DPEHPK3PXP&amp;issuer=Deno</code></td></tr><tr><td>M</td><td><code>"
    "motp://MOTP:u?secret=abcdef0123456789</code></td></tr></table></body></html>"))
write("transfer_authenticator_pro", "internal_db", sqlite_bytes(
    'CREATE TABLE "authenticator" ("type" integer, "icon" varchar, "issuer" varchar(32),'
    ' "username" varchar(40), "secret" varchar primary key not null, "pin" varchar,'
    ' "algorithm" integer, "digits" integer, "period" integer, "counter" integer, "ranking" integer);'
    "INSERT INTO authenticator VALUES (2, NULL, 'Deno', 'mason', 'JBSWY3DPEHPK3PXP', NULL, 1, 8, 60, 0, 0);"))
