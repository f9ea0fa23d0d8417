#!/usr/bin/env python3
"""Builds the encrypted Ente and Steam test files of otpkit-transfer (run from this
directory). Written for otpkit from the formats' documented layouts, with libsodium
(through PyNaCl: crypto_pwhash Argon2id, crypto_secretstream_xchacha20poly1305) and
Python's `cryptography` (PBKDF2-HMAC-SHA1, AES-256-CBC): implementations independent
of the Rust code under test. The secrets are test values. Salts, IVs and headers come
from a seeded generator or are fixed, except libsodium's stream header, which
init_push draws itself (the files are then not byte-reproducible, only equivalent).
Password of every encrypted file: "otpkit-test".
"""
import base64, json, random
import nacl.bindings as sodium
import nacl.pwhash.argon2id as argon2id
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives import padding, hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

rng = random.Random(29)
def rand(n): return bytes(rng.getrandbits(8) for _ in range(n))
PW = b"otpkit-test"
b64 = lambda b: base64.b64encode(b).decode()

def write(name, text):
    with open(name, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

# ---------------------------------------------------------------- Ente
ENTE_LINES = "\n".join([
    "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA256&digits=8&period=60"
    "&codeDisplay=%7B%22pinned%22%3Afalse%2C%22tags%22%3A%5B%5D%7D",
    "otpauth://hotp/Counter:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Counter&algorithm=SHA1&digits=6",
    "otpauth://steam/Steam:gamer?secret=STEAMSECRET&issuer=Steam&algorithm=SHA1&digits=5&period=30",
]) + "\n"

def ente(name, plaintext, tag, ops=2, mem=1 << 20):
    salt = rand(16)
    key = argon2id.kdf(32, PW, salt, opslimit=ops, memlimit=mem)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    header = sodium.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    data = sodium.crypto_secretstream_xchacha20poly1305_push(state, plaintext, None, tag)
    write(name, json.dumps({"version": 1, "kdfParams": {"memLimit": mem, "opsLimit": ops, "salt": b64(salt)},
                            "encryptedData": b64(data), "encryptionNonce": b64(header)}, indent=2) + "\n")

ente("ente_encrypted.json", ENTE_LINES.encode(), sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
ente("ente_encrypted_message_tag.json", ENTE_LINES.encode(), sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
ente("ente_encrypted_push_tag.json", ENTE_LINES.encode(), sodium.crypto_secretstream_xchacha20poly1305_TAG_PUSH)

# ---------------------------------------------------------------- Steam (SDA)
def mafile(name, shared):
    return {"shared_secret": b64(shared), "serial_number": "1", "revocation_code": "R00000",
            "uri": "otpauth://totp/Steam:%s?secret=ASDF&issuer=Steam" % name, "account_name": name,
            "identity_secret": b64(rand(20)), "status": 1, "steamid": rng.randrange(1 << 40)}

def sda_encrypt(obj, salt, iv):
    key = PBKDF2HMAC(algorithm=hashes.SHA1(), length=32, salt=salt, iterations=50000).derive(PW)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(json.dumps(obj).encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return b64(enc.update(plain) + enc.finalize())

secret_a = bytes(range(1, 21))
secret_b = bytes(range(101, 121))
entries = []
for fname, account, secret in [("alpha.maFile", "alpha", secret_a), ("beta.maFile", "beta", secret_b)]:
    salt, iv = rand(8), rand(16)
    write("steam_" + fname, sda_encrypt(mafile(account, secret), salt, iv))
    entries.append({"encryption_iv": b64(iv), "encryption_salt": b64(salt), "filename": fname, "steamid": 1})
write("steam_manifest.json", json.dumps({"encrypted": True, "first_run": False, "entries": entries}) + "\n")
write("steam_plain.maFile", json.dumps(mafile("gamma", bytes(range(50, 70)))) + "\n")
