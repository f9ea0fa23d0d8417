#!/usr/bin/env python3
"""Hostile import files for measuring the key-derivation budget's worst case.

Each is at most 16 MiB (otpkit-transfer's MAX_INPUT_LEN). Written to the directory
given as the first argument (scripts/hostile-imports/measure.sh runs this, then times
an import of each with the release CLI: docs/limits.md records the numbers).
"""
import base64
import json
import os
import struct
import sys

HERE = sys.argv[1]
os.makedirs(HERE, exist_ok=True)
LIMIT = 16 * 1024 * 1024


def write(name, data):
    if isinstance(data, str):
        data = data.encode()
    assert len(data) <= LIMIT, (name, len(data))
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")


def aegis(slots, db_b64="AAAA"):
    return json.dumps(
        {
            "version": 1,
            "header": {
                "slots": slots,
                "params": {"nonce": "00" * 12, "tag": "00" * 16},
            },
            "db": db_b64,
        },
        separators=(",", ":"),
    )


def slot(i, n, r, p):
    return {
        "type": 1,
        "uuid": str(i),
        "key": "33" * 32,
        "key_params": {"nonce": "00" * 12, "tag": "44" * 16},
        "n": n,
        "r": r,
        "p": p,
        "salt": f"{i % 256:02x}" * 32,
    }


# Aegis: as many slots of Aegis's own scrypt (N=2^15, r=8, p=1) as 16 MiB holds.
one = len(json.dumps(slot(99999, 32768, 8, 1), separators=(",", ":"))) + 1
count = (LIMIT - 200) // one
write("aegis_many_slots.json", aegis([slot(i, 32768, 8, 1) for i in range(count)]))
print(f"  {count} slots")
# Aegis: the most work and memory the default budget lets through, then refused: a
# slot of 240 MiB (N=2^17, r=15), one of 192 MiB (N=2^17, r=12), then more.
write(
    "aegis_worst.json",
    aegis([slot(0, 1 << 17, 15, 1), slot(1, 1 << 17, 12, 1)] + [slot(i, 1 << 17, 15, 1) for i in range(2, 50)]),
)


def bitwarden(kdf_type, iterations, memory=None, lanes=None):
    return json.dumps(
        {
            "encrypted": True,
            "passwordProtected": True,
            "salt": "c2FsdHNhbHQ=",
            "kdfType": kdf_type,
            "kdfIterations": iterations,
            "kdfMemory": memory,
            "kdfParallelism": lanes,
            "encKeyValidation_DO_NOT_EDIT": "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAA|AAAA",
            "data": "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAA|AAAA",
        }
    )


# Bitwarden: Argon2id 1 GiB x 64 passes x 64 lanes (refused); 256 MiB x 3 x 1 (the
# most the default lets through); PBKDF2-SHA256 at the most iterations it lets through.
write("bitwarden_argon2_1gib_64.json", bitwarden(1, 64, 1024, 64))
write("bitwarden_argon2_worst.json", bitwarden(1, 3, 256, 1))
write("bitwarden_pbkdf2_worst.json", bitwarden(0, 6_400_000))
write("bitwarden_pbkdf2_5m.json", bitwarden(0, 5_000_000))

# andOTP: the current format at the most PBKDF2-SHA1 iterations the default lets
# through (32-byte key: two output blocks), then the old format's try.
write("andotp_worst.bin", struct.pack(">I", 4_150_000) + b"\x11" * 12 + b"\x22" * 12 + b"\x33" * 64)
write("andotp_5m.bin", struct.pack(">I", 5_000_000) + b"\x11" * 12 + b"\x22" * 12 + b"\x33" * 64)

# 2FAS: 16 MiB, two derivations over two different salts of about 6 MiB each.
salt_a = base64.b64encode(b"\x01" * (6 << 20)).decode()
salt_b = base64.b64encode(b"\x02" * (5 << 20)).decode()
sealed = lambda salt: base64.b64encode(b"\x00" * 48).decode() + ":" + salt + ":" + base64.b64encode(b"\x00" * 12).decode()
write(
    "twofas_worst.2fas",
    json.dumps({"services": [], "schemaVersion": 4, "servicesEncrypted": sealed(salt_a), "reference": sealed(salt_b)}),
)

# Plain formats: 16 MiB in the most entries a file may have (10 000), each with long
# text, then one more entry (refused whole) - or just under, which is read.
pad = "x" * 1400
short = "x" * 700
uris = "".join(
    f"otpauth://totp/Issuer{short}{i}:name{i}?secret=JBSWY3DPEHPK3PXP&issuer=Issuer{short}{i}\n" for i in range(10_000)
)
write("otpauth_list_worst.txt", uris)
write(
    "freeotp_plus_worst.json",
    json.dumps(
        {
            "tokenOrder": [],
            "tokens": [
                {"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": pad, "label": f"n{i}", "period": 30,
                 "secret": list(range(-64, 64))[:20], "type": "TOTP"}
                for i in range(10_000)
            ],
        }
    ),
)
write(
    "authpro_worst.json",
    json.dumps(
        {
            "Authenticators": [
                {"Type": 2, "Icon": None, "Issuer": pad, "Username": f"n{i}", "Secret": "JBSWY3DPEHPK3PXP",
                 "Algorithm": 1, "Digits": 6, "Period": 30, "Counter": 0, "Ranking": 0}
                for i in range(10_000)
            ]
        }
    ),
)
write(
    "aegis_plain_worst.json",
    json.dumps(
        {
            "version": 1,
            "header": {"slots": None, "params": None},
            "db": {
                "version": 3,
                "entries": [
                    {"type": "totp", "name": f"n{i}", "issuer": pad, "info": {"secret": "JBSWY3DPEHPK3PXP", "algo": "SHA1", "digits": 6, "period": 30}}
                    for i in range(10_000)
                ],
            },
        }
    ),
)


# PSKC (RFC 6030 figure 7, password-based): the most PBKDF2 iterations the default
# budget lets through, and 4e9 (refused before any work).
PSKC_FIGURE_7 = """<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer
  xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"
  xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
  xmlns:pkcs5=
  "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#"
  xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Version="1.0">
    <pskc:EncryptionKey>
        <xenc11:DerivedKey>
            <xenc11:KeyDerivationMethod
              Algorithm=
"http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">
                <pkcs5:PBKDF2-params>
                    <Salt>
                        <Specified>Ej7/PEpyEpw=</Specified>
                    </Salt>
                    <IterationCount>{iterations}</IterationCount>
                    <KeyLength>16</KeyLength>
                    <PRF/>
                </pkcs5:PBKDF2-params>
            </xenc11:KeyDerivationMethod>
            <xenc:ReferenceList>
                <xenc:DataReference URI="#ED"/>
            </xenc:ReferenceList>
            <xenc11:MasterKeyName>My Password 1</xenc11:MasterKeyName>
        </xenc11:DerivedKey>
    </pskc:EncryptionKey>
    <pskc:MACMethod
        Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1">
        <pskc:MACKey>
            <xenc:EncryptionMethod
            Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
            <xenc:CipherData>
                <xenc:CipherValue>
2GTTnLwM3I4e5IO5FkufoOEiOhNj91fhKRQBtBJYluUDsPOLTfUvoU2dStyOwYZx
                </xenc:CipherValue>
            </xenc:CipherData>
        </pskc:MACKey>
    </pskc:MACMethod>
    <pskc:KeyPackage>
        <pskc:DeviceInfo>
            <pskc:Manufacturer>TokenVendorAcme</pskc:Manufacturer>
            <pskc:SerialNo>987654321</pskc:SerialNo>
        </pskc:DeviceInfo>
        <pskc:CryptoModuleInfo>
            <pskc:Id>CM_ID_001</pskc:Id>
        </pskc:CryptoModuleInfo>
        <pskc:Key Algorithm=
        "urn:ietf:params:xml:ns:keyprov:pskc:hotp" Id="123456">
            <pskc:Issuer>Example-Issuer</pskc:Issuer>
            <pskc:AlgorithmParameters>
                <pskc:ResponseFormat Length="8" Encoding="DECIMAL"/>
            </pskc:AlgorithmParameters>
            <pskc:Data>
                <pskc:Secret>
                <pskc:EncryptedValue Id="ED">
                    <xenc:EncryptionMethod
                        Algorithm=
"http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>
                        <xenc:CipherData>
                            <xenc:CipherValue>
      oTvo+S22nsmS2Z/RtcoF8Hfh+jzMe0RkiafpoDpnoZTjPYZu6V+A4aEn032yCr4f
                        </xenc:CipherValue>
                    </xenc:CipherData>
                    </pskc:EncryptedValue>
                    <pskc:ValueMAC>LP6xMvjtypbfT9PdkJhBZ+D6O4w=
                    </pskc:ValueMAC>
                </pskc:Secret>
            </pskc:Data>
        </pskc:Key>
    </pskc:KeyPackage>
</pskc:KeyContainer>
"""
write("pskc_worst.xml", PSKC_FIGURE_7.replace("{iterations}", "8300000"))
write("pskc_4e9.xml", PSKC_FIGURE_7.replace("{iterations}", "4000000000"))


# Google migration: 16 MiB of otpauth-migration URIs (10 entries each, long names), a
# multi-QR export of as many batches as fit.
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def field(tag, wire, value):
    key = varint(tag << 3 | wire)
    return key + (varint(value) if wire == 0 else varint(len(value)) + value)


def migration_line(index, size):
    entries = b"".join(
        field(1, 2, field(1, 2, b"Hello!\xde\xad\xbe\xef") + field(2, 2, b"Issuer" + b"x" * 1400 + b":n%d" % j)
              + field(3, 2, b"Issuer") + field(4, 0, 1) + field(5, 0, 1) + field(6, 0, 2))
        for j in range(10)
    )
    raw = entries + field(2, 0, 1) + field(3, 0, size) + field(4, 0, index) + field(5, 0, 7)
    from urllib.parse import quote
    return "otpauth-migration://offline?data=" + quote(base64.b64encode(raw).decode(), safe="") + "\n"


line_len = len(migration_line(999, 999))
batches = min(LIMIT // line_len, 1000)
write("google_migration_worst.txt", "".join(migration_line(i, batches) for i in range(batches)))
print(f"  {batches} batches")
