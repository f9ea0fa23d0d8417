#!/usr/bin/env python3
"""Builds the committed test files of the Android app formats (FreeOTP 1 and 2, FreeOTP+'s
internal XML, Authy, Battle.net, TOTP Authenticator) into android/, and copies them as
seeds of the fuzz targets into ../../../../fuzz/corpus/transfer_<format>/ (run from
this directory).

Written for otpkit from the formats' layouts (see the importers' module docs), with
Python's `cryptography` and `hashlib`. The secrets are test values; the password of
every encrypted seed is "otpkit-test" (the one transfer_common.rs gives), and key
derivations use few iterations so the fuzzer's small budgets let them run.
"""
import base64, hashlib, json, struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives import padding

PW = b"otpkit-test"
KEY_A = b"12345678901234567890"
KEY_B = bytes(range(1, 21))

import os
FUZZ = "../../../../fuzz/corpus/"

def write(path, data):
    """Writes android/<name> and the fuzz seed <target>/<name>."""
    target, name = path.split("/")
    os.makedirs("android", exist_ok=True)
    os.makedirs(FUZZ + target, exist_ok=True)
    for out in ("android/" + name, FUZZ + path):
        with open(out, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())

def cbc(key, plain):
    p = padding.PKCS7(128).padder()
    padded = p.update(plain) + p.finalize()
    e = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return e.update(padded) + e.finalize()

def xml_attr(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")

def prefs(*elements):
    return ("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            + "".join("    " + e + "\n" for e in elements) + "</map>\n")

def signed(b):
    return [x - 256 if x > 127 else x for x in b]

def b32(b):
    return base64.b32encode(b).decode().rstrip("=")

# ------------------------------------------------------------------ FreeOTP 1 / FreeOTP+
tokens = [
    ("Example:alice", {"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Example",
                       "label": "alice", "period": 30, "secret": signed(KEY_A), "type": "TOTP"}),
    ("Bank:bob", {"algo": "SHA256", "counter": 4, "digits": 8, "issuerExt": "Bank",
                  "label": "bob", "period": 30, "secret": signed(KEY_B), "type": "HOTP"}),
]
v1 = prefs(*[f'<string name="{xml_attr(n)}">{xml_attr(json.dumps(t))}</string>' for n, t in tokens],
           f'<string name="tokenOrder">{xml_attr(json.dumps([n for n, _ in tokens]))}</string>')
write("transfer_freeotp/freeotp_tokens.xml", v1)
write("transfer_freeotp_plus/freeotp_plus_internal.xml", v1)

# ------------------------------------------------------------------ FreeOTP 2
def java_map(pairs):
    out = bytearray(b"\xac\xed\x00\x05\x73\x72")
    name = b"java.util.HashMap"
    out += struct.pack(">H", len(name)) + name
    out += bytes([0x05, 0x07, 0xDA, 0xC1, 0xC3, 0x16, 0x60, 0xD1, 0x03])
    out += struct.pack(">H", 1) + b"F" + struct.pack(">H", 10) + b"loadFactor"
    out += b"\x78\x70" + struct.pack(">f", 0.75)
    out += b"\x77\x08" + struct.pack(">II", 32, len(pairs))
    for k, v in pairs:
        for s in (k, v):
            b = s.encode()
            out += b"\x74" + struct.pack(">H", len(b)) + b
    out += b"\x78"
    return bytes(out)

def sealed(key, nonce, aad, plain):
    ct = AESGCM(key).encrypt(nonce, plain, aad.encode())
    params = bytes([0x30, 17, 0x04, 12]) + nonce + bytes([0x02, 1, 16])
    return {"mCipher": "AES/GCM/NoPadding", "mCipherText": signed(ct),
            "mParameters": signed(params), "mToken": aad}

master = bytes(range(32, 64))
salt = bytes(range(32))
iterations = 10
kek = hashlib.pbkdf2_hmac("sha512", PW, salt, iterations, 32)
master_json = json.dumps({"mAlgorithm": "PBKDF2withHmacSHA512",
                          "mEncryptedKey": sealed(kek, bytes([1] * 12), "AES", master),
                          "mIterations": iterations, "mSalt": signed(salt)})
pairs = [("masterKey", master_json)]
for i, (uuid, key, token) in enumerate([
        ("00000000-0000-4000-8000-000000000001", KEY_A,
         {"algo": "SHA1", "digits": 6, "issuerExt": "Example", "label": "alice", "period": 30, "type": "TOTP"}),
        ("00000000-0000-4000-8000-000000000002", KEY_B,
         {"algo": "SHA256", "counter": 5, "digits": 8, "issuerExt": "Bank", "label": "bob", "type": "HOTP"})]):
    aad = "Hmac" + token["algo"]
    pairs.append((uuid, json.dumps({"key": json.dumps(sealed(master, bytes([2 + i] * 12), aad, key))})))
    pairs.append((uuid + "-token", json.dumps(token)))
write("transfer_freeotp/freeotp_backup.xml", java_map(pairs))

# ------------------------------------------------------------------ Authy
def authy(entries):
    return prefs('<int name="key_version" value="121" />',
                 f'<string name="com.authy.storage.tokens.authenticator.key">{xml_attr(json.dumps(entries))}</string>')

write("transfer_authy/authy_plain.xml", authy([
    {"accountType": "authenticator", "decryptedSecret": b32(KEY_A), "digits": 6,
     "originalIssuer": "Example", "originalName": "Example:alice", "name": "Example: alice"},
    {"accountType": "authenticator", "decryptedSecret": b32(KEY_B), "digits": 7,
     "originalName": "Bank:bob", "name": "Bank: bob"}]))
enc = []
for key, salt_text, name in [(KEY_A, "c2FsdA", "Example:alice"), (KEY_B, "bW9yZQ", "Bank:bob")]:
    k = hashlib.pbkdf2_hmac("sha1", PW, salt_text.encode(), 1000, 32)
    enc.append({"accountType": "authenticator", "digits": 6, "salt": salt_text,
                "encryptedSecret": base64.b64encode(cbc(k, b32(key).encode())).decode(),
                "originalName": name, "name": name.replace(":", ": ")})
write("transfer_authy/authy_encrypted.xml", authy(enc))

# ------------------------------------------------------------------ Battle.net
MASK = bytes([57, 142, 39, 252, 80, 39, 106, 101, 96, 101, 176, 229, 37, 244, 192, 108, 4, 198, 16,
              117, 40, 107, 142, 122, 237, 165, 157, 169, 129, 59, 93, 214, 200, 13, 47, 179, 128,
              104, 119, 63])
mask = lambda b: bytes(x ^ m for x, m in zip(b, MASK)).hex()
p = "com.blizzard.messenger."
write("transfer_battle_net/battle_net.xml", prefs(
    f'<string name="{p}AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE">MASK</string>',
    f'<string name="{p}AUTHENTICATOR_DEVICE_SECRET">{mask(KEY_A.hex().encode())}</string>',
    f'<string name="{p}AUTHENTICATOR_SERIAL">{mask(b"EU-1234-5678-9012")}</string>'))

# ------------------------------------------------------------------ TOTP Authenticator
entries = [
    {"issuer": "Example", "name": "alice", "key": KEY_A.hex().upper(), "base": 16, "digits": "6", "period": "30"},
    {"issuer": "Bank", "name": "bob", "key": b32(KEY_B), "base": 32, "digits": "", "period": ""},
    {"issuer": "Mail", "name": "carol", "key": base64.b64encode(KEY_A).decode(), "base": 64},
]
listing = json.dumps(entries)
write("transfer_totp_authenticator/totp_authenticator_internal.xml", prefs(
    '<int name="RATE_US_COUNTER" value="3" />',
    f'<string name="STATIC_TOTP_CODES_LIST">{xml_attr(listing)}</string>'))
plain = json.dumps({listing: "1700000000"}).encode()
write("transfer_totp_authenticator/totp_authenticator.bin",
      base64.b64encode(cbc(hashlib.sha256(PW).digest(), plain)))
write("transfer_totp_authenticator/totp_authenticator_built_in.bin",
      base64.b64encode(cbc(hashlib.sha256(b"TotpAuthenticator").digest(), plain)))
