#!/usr/bin/env python3
"""Builds the committed test files of otpkit-transfer (run from this directory).

Written for otpkit from the formats' documented layouts, with Python's `cryptography`
and `hashlib` (an implementation independent of the Rust code under test). The
secrets are test values. Random salts and nonces come from a seeded generator so the
files are reproducible. Password of every encrypted file: "otpkit-test".
"""
import base64, hashlib, hmac, json, random, struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives import padding

rng = random.Random(16)
def rand(n): return bytes(rng.getrandbits(8) for _ in range(n))
PW = b"otpkit-test"
b64 = lambda b: base64.b64encode(b).decode()

def write(name, text):
    with open(name, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

def gcm(key, nonce, plain):  # -> ciphertext, tag
    sealed = AESGCM(key).encrypt(nonce, plain, None)
    return sealed[:-16], sealed[-16:]

# ---------------------------------------------------------------- Aegis
aegis_entries = [
    {"type": "totp", "uuid": "00000000-0000-4000-8000-000000000001", "name": "alice@example.com", "issuer": "Example",
     "note": "", "favorite": False, "icon": None, "info": {"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30}, "groups": []},
    {"type": "totp", "uuid": "00000000-0000-4000-8000-000000000002", "name": "bob", "issuer": "Sixty",
     "note": "", "favorite": True, "icon": None, "info": {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "algo": "SHA256", "digits": 8, "period": 60}, "groups": []},
    {"type": "hotp", "uuid": "00000000-0000-4000-8000-000000000003", "name": "carol", "issuer": "Counter",
     "note": "", "favorite": False, "icon": None, "info": {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "algo": "SHA512", "digits": 7, "counter": 5}, "groups": []},
    {"type": "steam", "uuid": "00000000-0000-4000-8000-000000000004", "name": "gamer", "issuer": "Steam",
     "note": "", "favorite": False, "icon": None, "info": {"secret": "STEAMSECRET", "algo": "SHA1", "digits": 5, "period": 30}, "groups": []},
    {"type": "motp", "uuid": "00000000-0000-4000-8000-000000000005", "name": "vpn", "issuer": "mOTP",
     "note": "", "favorite": False, "icon": None, "info": {"secret": "GEZDGNBV", "algo": "MD5", "digits": 6, "period": 10, "pin": "1234"}, "groups": []},
    {"type": "totp", "uuid": "00000000-0000-4000-8000-000000000006", "name": "no secret", "issuer": "Broken",
     "note": "", "favorite": False, "icon": None, "info": {"algo": "SHA1", "digits": 6, "period": 30}, "groups": []},
    {"type": "totp", "uuid": "00000000-0000-4000-8000-000000000007", "name": "eleven digits", "issuer": "Broken",
     "note": "", "favorite": False, "icon": None, "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 11, "period": 30}, "groups": []},
]
aegis_db = {"version": 3, "entries": aegis_entries, "groups": []}
write("aegis_plain.json", json.dumps({"version": 1, "header": {"slots": None, "params": None}, "db": aegis_db}, indent=2) + "\n")
master, salt = rand(32), rand(32)
kek = hashlib.scrypt(PW, salt=salt, n=1 << 15, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024)
slot_nonce = rand(12)
key_ct, key_tag = gcm(kek, slot_nonce, master)
db_nonce = rand(12)
db_ct, db_tag = gcm(master, db_nonce, json.dumps(aegis_db).encode())
write("aegis_encrypted.json", json.dumps({
    "version": 1,
    "header": {
        "slots": [
            # A biometric slot first: it cannot be opened with a password and is skipped.
            {"type": 2, "uuid": "00000000-0000-4000-8000-0000000000b1", "key": rand(32).hex(),
             "key_params": {"nonce": rand(12).hex(), "tag": rand(16).hex()}},
            {"type": 1, "uuid": "00000000-0000-4000-8000-0000000000a1", "key": key_ct.hex(),
             "key_params": {"nonce": slot_nonce.hex(), "tag": key_tag.hex()},
             "n": 32768, "r": 8, "p": 1, "salt": salt.hex(), "repaired": True, "is_backup": False},
        ],
        "params": {"nonce": db_nonce.hex(), "tag": db_tag.hex()},
    },
    "db": b64(db_ct + b"")}, indent=2) + "\n")

# ---------------------------------------------------------------- 2FAS
def service(name, secret, otp):
    return {"name": name, "secret": secret, "updatedAt": 1700000000000, "otp": otp,
            "order": {"position": 0}, "icon": {"selected": "Label", "label": {"text": name[:2].upper(), "backgroundColor": "Blue"}}}
services = [
    service("Example", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", {"account": "alice@example.com", "issuer": "Example", "digits": 6, "period": 30, "algorithm": "SHA1", "tokenType": "TOTP", "source": "Link"}),
    service("Counter", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", {"account": "carol", "issuer": "Counter", "digits": 8, "algorithm": "SHA256", "counter": 42, "tokenType": "HOTP", "source": "Manual"}),
    service("Steam", "STEAMSECRET", {"issuer": "Steam", "digits": 5, "period": 30, "algorithm": "SHA1", "tokenType": "STEAM", "source": "Link"}),
    service("Defaults", "GEZDGNBVGY3TQOJQ", {"account": "dave", "algorithm": None, "tokenType": "TOTP", "source": "Manual"}),
    service("Odd", "GEZDGNBVGY3TQOJQ", {"account": "eve", "digits": 6, "period": 30, "algorithm": "SHA384", "tokenType": "TOTP", "source": "Manual"}),
]
def twofas(extra):
    d = {"services": [], "groups": [], "updatedAt": 1700000000000, "schemaVersion": 4, "appVersionCode": 1, "appVersionName": "5.0.0", "appOrigin": "android"}
    d.update(extra)
    return json.dumps(d, indent=2) + "\n"
write("twofas_plain.2fas", twofas({"services": services}))
salt, iv, ref_iv = rand(256), rand(12), rand(12)
key = hashlib.pbkdf2_hmac("sha256", PW, salt, 10000, 32)
enc = lambda iv_, plain: b64(AESGCM(key).encrypt(iv_, plain, None)) + ":" + b64(salt) + ":" + b64(iv_)
write("twofas_encrypted.2fas", twofas({
    "servicesEncrypted": enc(iv, json.dumps(services).encode()),
    "reference": enc(ref_iv, b"otpkit test reference text")}))

# ---------------------------------------------------------------- andOTP
andotp = [
    {"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP====", "issuer": "Example", "label": "alice@example.com", "digits": 6, "type": "TOTP", "algorithm": "SHA1", "thumbnail": "Default", "last_used": 0, "used_frequency": 0, "period": 30, "tags": ["work"]},
    {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "label": "Legacy - Legacy:frank", "digits": 6, "type": "HOTP", "algorithm": "SHA1", "thumbnail": "Default", "last_used": 0, "used_frequency": 0, "counter": 3, "tags": []},
    {"secret": "STEAMSECRET", "issuer": "Steam", "label": "gamer", "digits": 5, "type": "STEAM", "algorithm": "SHA1", "thumbnail": "Default", "last_used": 0, "used_frequency": 0, "period": 30, "tags": []},
    {"secret": "GEZDGNBV", "issuer": "mOTP", "label": "vpn", "digits": 6, "type": "MOTP", "algorithm": "MD5", "thumbnail": "Default", "last_used": 0, "used_frequency": 0, "period": 10, "tags": []},
]
plain = json.dumps(andotp).encode()
write("andotp_plain.json", json.dumps(andotp, indent=2) + "\n")
iterations, salt, nonce = 2000, rand(12), rand(12)
key = hashlib.pbkdf2_hmac("sha1", PW, salt, iterations, 32)
with open("andotp_encrypted.bin", "wb") as f:
    f.write(struct.pack(">I", iterations) + salt + nonce + AESGCM(key).encrypt(nonce, plain, None))
nonce = rand(12)
with open("andotp_encrypted_old.bin", "wb") as f:
    f.write(nonce + AESGCM(hashlib.sha256(PW).digest()).encrypt(nonce, plain, None))

# ---------------------------------------------------------------- Bitwarden
def login(name, username, totp):
    return {"id": "id-" + name, "organizationId": None, "folderId": None, "type": 1, "reprompt": 0, "name": name, "notes": None,
            "favorite": False, "login": {"uris": [], "username": username, "password": "hunter2", "totp": totp}, "collectionIds": None}
items = [
    {"id": "card", "type": 3, "name": "Card", "card": {"number": "4111111111111111"}},
    login("Example", "alice@example.com", "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA256&digits=8&period=60"),
    login("Bare", "bob", "gezd gnbv gy3t qojq"),
    login("Steam", "gamer", "steam://STEAMSECRET"),
    login("No TOTP", "carol", None),
    login("Broken", "dave", "otpauth://totp/Broken:dave?secret=NOT*BASE32"),
]
write("bitwarden_plain.json", json.dumps({"encrypted": False, "folders": [], "items": items}, indent=2) + "\n")
salt_text = b64(rand(16))
iterations = 5000
master = hashlib.pbkdf2_hmac("sha256", PW, salt_text.encode(), iterations, 32)
def hkdf_expand(prk, info):
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
enc_key, mac_key = hkdf_expand(master, b"enc"), hkdf_expand(master, b"mac")
def encstring(plain):
    iv = rand(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    e = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ct = e.update(data) + e.finalize()
    mac = hmac.new(mac_key, iv + ct, hashlib.sha256).digest()
    return "2." + b64(iv) + "|" + b64(ct) + "|" + b64(mac)
write("bitwarden_encrypted.json", json.dumps({
    "encrypted": True, "passwordProtected": True, "salt": salt_text, "kdfType": 0, "kdfIterations": iterations,
    "kdfMemory": None, "kdfParallelism": None,
    "encKeyValidation_DO_NOT_EDIT": encstring(b"6e8f0a4e-otpkit-validation"),
    "data": encstring(json.dumps({"encrypted": False, "folders": [], "items": items}).encode())}, indent=2) + "\n")

# ---------------------------------------------------------------- FreeOTP+
def signed(b32):
    raw = base64.b32decode(b32)
    return [b - 256 if b > 127 else b for b in raw]
write("freeotp_plus.json", json.dumps({
    "tokenOrder": ["Example:alice@example.com", "Counter:carol"],
    "tokens": [
        {"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Example", "issuerInt": "Example", "label": "alice@example.com", "period": 30, "secret": signed("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), "type": "TOTP"},
        {"algo": "SHA512", "counter": 9, "digits": 8, "issuerExt": "Counter", "label": "carol", "period": 30, "secret": signed("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), "type": "HOTP"},
        {"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Bad", "label": "byte out of range", "period": 30, "secret": [1, 2, 300], "type": "TOTP"},
    ]}, indent=2) + "\n")

# ---------------------------------------------------------------- Authenticator Pro
def authpro(kind, issuer, user, secret, algo, digits, period, counter=0):
    return {"Type": kind, "Icon": None, "Issuer": issuer, "Username": user, "Secret": secret, "Algorithm": algo,
            "Digits": digits, "Period": period, "Counter": counter, "Ranking": 0}
write("authpro_plain.json", json.dumps({
    "Authenticators": [
        authpro(2, "Example", "alice@example.com", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 1, 8, 60),
        authpro(1, "Counter", "carol", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 2, 6, 30, 12),
        authpro(4, "Steam", "gamer", "STEAMSECRET", 0, 5, 30),
        authpro(3, "mOTP", "vpn", "abcdef0123456789", 0, 6, 10),
    ],
    "Categories": [], "AuthenticatorCategories": [], "CustomIcons": []}, indent=2) + "\n")

# ---------------------------------------------------------------- otpauth list
write("otpauth_list.txt", "\n".join([
    "# otpkit test list: comments and blank lines are skipped",
    "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example",
    "",
    "otpauth://hotp/Counter:carol?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7&digits=8&algorithm=SHA256",
    "otpauth://steam/Steam:gamer?secret=STEAMSECRET",
    "otpauth://totp/Example:icon?secret=JBSWY3DPEHPK3PXP&period=45&image=https%3A%2F%2Fexample.com%2Fi.png",
    "otpauth://totp/Broken:no-secret?issuer=Broken",
    "not a uri at all",
]) + "\n")
