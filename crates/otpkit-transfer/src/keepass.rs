//! KeePass databases: KDBX 3.1 and KDBX 4.0/4.1, opened with a password (no key
//! file), and the OTP fields real KeePass users keep in their entries.
//!
//! Read from the KDBX format as KeePass 2.x (keepass.info "KDBX 4" and "Placeholders
//! / OTP" help pages) and KeePassXC 2.7 document and write it, and from the OTP
//! conventions of the plugins and apps that store codes there:
//!
//! - **KeePassXC** (2.6+): a string field `otp` holding an `otpauth://` URI
//!   (`encoder=steam` for Steam Guard).
//! - **KeeOtp / KeeOtp2**: an `otp` field `key=…&type=Totp|Hotp&step=…&size=…&counter=…
//!   &otpHashMode=Sha1|Sha256|Sha512&encoding=Base32|Base64|Hex|UTF8`.
//! - **TrayTOTP** (and KeePassXC before 2.6): `TOTP Seed` (Base32) and `TOTP Settings`
//!   `period;digits` (`30;S` for Steam; a third part, a time-correction URL, is not
//!   used).
//! - **KeePass 2.47+**: `TimeOtp-Secret` (UTF-8), `TimeOtp-Secret-Hex`,
//!   `-Base32`, `-Base64`, with `TimeOtp-Length`, `TimeOtp-Period` and
//!   `TimeOtp-Algorithm` (`HMAC-SHA-1`, `HMAC-SHA-256`, `HMAC-SHA-512`); and
//!   `HmacOtp-Secret*` with `HmacOtp-Counter` (HOTP, 6 digits).
//!
//! One account per entry: an entry with several conventions is read from the first
//! of the list above, and the fields of the others are reported as ignored. The
//! issuer is the entry's `Title` and the name its `UserName` (an `otpauth://` URI
//! keeps its own, and takes them only where it has none). Entries without any OTP
//! field (ordinary password entries) are not reported at all, nor are entries in the
//! recycle bin (the group `Meta/RecycleBinUUID` names, at any depth, while
//! `RecycleBinEnabled` is not `False`) or in an entry's `History`: they are deleted
//! or old versions, not the user's accounts.
//!
//! The file: the outer header (cipher, compression, master seed, IV, and the KDF:
//! AES-KDF with its seed and rounds, or Argon2d/Argon2id 1.3 with salt, passes,
//! memory and lanes), then for KDBX 4 the header's SHA-256 and HMAC-SHA-256 and the
//! HMAC block stream, for KDBX 3.1 the payload whose first 32 bytes repeat the
//! header's stream start bytes, then a hashed block stream. The payload is AES-256-CBC,
//! Twofish-CBC or ChaCha20; then optionally gzip; then (KDBX 4) the inner header;
//! then the XML, whose protected values are XORed with the inner random stream
//! (Salsa20 or ChaCha20) in document order.
//!
//! Wrong password: a KDBX 4 header HMAC that does not verify, or a KDBX 3.1 payload
//! whose padding or start bytes do not match, is [`ImportError::WrongPassword`]. A
//! KDBX 4 header whose SHA-256 or a block whose HMAC does not verify is
//! [`ImportError::IntegrityCheckFailed`].
//!
//! Bounds on a hostile file: the key derivation (AES-KDF rounds, Argon2 passes ×
//! memory) is charged to the import's [`WorkBudget`] before it runs; the header's
//! SHA-256 (KDBX 4) is checked before any derivation; gzip output is capped at
//! [`crate::MAX_INPUT_LEN`] (inflated into a buffer grown by doubling, each old one
//! wiped); the XML is parsed without DTDs into at most [`MAX_XML_NODES`] nodes,
//! walked without recursion (any nesting depth); entries are capped at
//! [`crate::MAX_ENTRIES`]. KeePass 1.x (`.kdb`), Argon2 1.0 and
//! unknown ciphers or KDFs are refused with [`ImportError::UnsupportedVersion`] /
//! [`ImportError::UnsupportedEncryption`]. A database that also needs a key file or
//! a YubiKey challenge-response cannot be told from one opened with a wrong password
//! (both change the composite key): it is [`ImportError::WrongPassword`].
//!
//! Secrets in memory: the decrypted payload, the XML text and every protected value
//! are held in wiped buffers. One copy is not: an *unprotected* field whose XML text
//! has entity references (an `otpauth://` URI or KeeOtp string with `&amp;` between
//! its parameters, when the field is not marked protected) is unescaped by
//! `roxmltree` into buffers of its own, freed unwiped. KeePassXC and KeeOtp write
//! their OTP fields protected, so their databases are not affected.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Period, SecretError};
use otpkit_kdf::{Argon2Variant, WorkBudget};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::crypto::{Key, sha256};
use crate::json;
use crate::secret::{secret_from_base32_lenient, secret_from_bytes, wiped_vec};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, clip, label_of};

const F: Format = Format::KeePass;

/// The most XML nodes a database's document is parsed into (about 100 bytes each):
/// a database of [`crate::MAX_ENTRIES`] entries with history needs a few hundred
/// thousand.
pub(crate) const MAX_XML_NODES: u32 = 2_000_000;

const SIGNATURE_1: [u8; 4] = 0x9AA2_D903_u32.to_le_bytes();
/// KDBX 2.x-4.x.
const SIGNATURE_2: [u8; 4] = 0xB54B_FB67_u32.to_le_bytes();
/// KeePass 1.x `.kdb`.
const SIGNATURE_2_KDB: [u8; 4] = 0xB54B_FB65_u32.to_le_bytes();

const CIPHER_AES256: [u8; 16] = 0x31c1f2e6bf714350be5805216afc5aff_u128.to_be_bytes();
const CIPHER_CHACHA20: [u8; 16] = 0xd6038a2b8b6f4cb5a524339a31dbb59a_u128.to_be_bytes();
const CIPHER_TWOFISH: [u8; 16] = 0xad68f29f576f4bb9a36ad47af965346c_u128.to_be_bytes();
const KDF_AES: [u8; 16] = 0xc9d9f39a628a4460bf740d08c18a4fea_u128.to_be_bytes();
/// The UUID KeePassXC writes for AES-KDF in KDBX 4 files (the same function).
const KDF_AES_KDBX4: [u8; 16] = 0x7c02bb8279a74ac0927d114a00648238_u128.to_be_bytes();
const KDF_ARGON2D: [u8; 16] = 0xef636ddf8c29444b91f7a9a403e30a0c_u128.to_be_bytes();
const KDF_ARGON2ID: [u8; 16] = 0x9e298b1956db4773b23dfc3ec6f0a1e6_u128.to_be_bytes();

/// KDBX 3.1's fixed Salsa20 nonce for protected values.
const SALSA20_NONCE: [u8; 8] = [0xE8, 0x30, 0x09, 0x4B, 0x97, 0x20, 0x5D, 0x2A];

/// A bounds-checked reader over the file.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], ImportError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(ImportError::malformed(F, what))?;
        let bytes = self
            .data
            .get(self.pos..end)
            .ok_or(ImportError::malformed(F, what))?;
        self.pos = end;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], ImportError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, ImportError> {
        Ok(u8::from_le_bytes(self.array(what)?))
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, ImportError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, ImportError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn len32(&mut self, what: &'static str) -> Result<usize, ImportError> {
        usize::try_from(self.u32(what)?).map_err(|_| ImportError::malformed(F, what))
    }

    fn rest(&self) -> &'a [u8] {
        self.data.get(self.pos..).unwrap_or(&[])
    }
}

#[derive(Clone, Copy)]
enum Cipher {
    Aes256,
    ChaCha20,
    Twofish,
}

enum Kdf<'a> {
    Aes {
        seed: [u8; 32],
        rounds: u64,
    },
    Argon2 {
        variant: Argon2Variant,
        salt: &'a [u8],
        passes: u32,
        memory_kib: u32,
        lanes: u32,
    },
}

struct Header<'a> {
    major: u16,
    cipher: Cipher,
    compressed: bool,
    master_seed: &'a [u8],
    iv: &'a [u8],
    kdf: Kdf<'a>,
    /// KDBX 3.1 only: the inner stream's key and algorithm, and the start bytes.
    protected_stream_key: Option<&'a [u8]>,
    inner_stream: Option<u32>,
    stream_start: Option<&'a [u8]>,
    /// The header's bytes, from the signature to the end field inclusive.
    bytes: &'a [u8],
}

/// Whether `data` starts like a KDBX (or KeePass 1.x) database.
pub(crate) fn looks_like(data: &[u8]) -> bool {
    data.get(..4) == Some(&SIGNATURE_1[..])
        && matches!(data.get(4..8), Some(s) if s == SIGNATURE_2 || s == SIGNATURE_2_KDB)
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let header = parse_header(data)?;
    let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
    // KeePass's composite key of a password alone: SHA-256(SHA-256(password)).
    let composite = sha256(sha256(password).as_slice());
    let (xml, inner_key, inner_id) = if header.major >= 4 {
        open_kdbx4(data, &header, &composite, budget)?
    } else {
        let xml = open_kdbx3(data, &header, &composite, budget)?;
        let key = Zeroizing::new(header.protected_stream_key.unwrap_or(&[]).to_vec());
        (xml, key, header.inner_stream.unwrap_or(0))
    };
    let mut stream = InnerStream::new(inner_id, &inner_key)?;
    read_xml(&xml, &mut stream)
}

fn parse_header(data: &[u8]) -> Result<Header<'_>, ImportError> {
    let mut r = Reader { data, pos: 0 };
    let sig1 = r.array::<4>("not a KeePass database")?;
    let sig2 = r.array::<4>("not a KeePass database")?;
    if sig1 != SIGNATURE_1 {
        return Err(ImportError::malformed(F, "not a KeePass database"));
    }
    if sig2 == SIGNATURE_2_KDB {
        return Err(ImportError::UnsupportedVersion {
            format: F,
            version: 1,
        });
    }
    if sig2 != SIGNATURE_2 {
        return Err(ImportError::malformed(F, "not a KeePass database"));
    }
    let _minor = r.u16("the header is truncated")?;
    let major = r.u16("the header is truncated")?;
    if !(2..=4).contains(&major) {
        return Err(ImportError::UnsupportedVersion {
            format: F,
            version: i64::from(major),
        });
    }
    let mut cipher = None;
    let mut compressed = None;
    let mut master_seed = None;
    let mut iv = None;
    let mut transform_seed = None;
    let mut rounds = None;
    let mut kdf_parameters = None;
    let mut protected_stream_key = None;
    let mut stream_start = None;
    let mut inner_stream = None;
    loop {
        let id = r.u8("the header is truncated")?;
        let len = if major >= 4 {
            r.len32("the header is truncated")?
        } else {
            usize::from(r.u16("the header is truncated")?)
        };
        let value = r.take(len, "the header is truncated")?;
        match id {
            0 => break,
            2 => {
                cipher = Some(match value {
                    v if v == CIPHER_AES256 => Cipher::Aes256,
                    v if v == CIPHER_CHACHA20 => Cipher::ChaCha20,
                    v if v == CIPHER_TWOFISH => Cipher::Twofish,
                    _ => {
                        return Err(ImportError::UnsupportedEncryption {
                            format: F,
                            what: "the database's cipher is not AES-256, ChaCha20 or Twofish",
                        });
                    }
                })
            }
            3 => {
                compressed = Some(match le_u32(value) {
                    Some(0) => false,
                    Some(1) => true,
                    _ => return Err(ImportError::malformed(F, "unknown compression")),
                })
            }
            4 => master_seed = Some(value),
            5 => transform_seed = Some(value),
            6 => rounds = Some(le_u64(value).ok_or(kdf_error("rounds"))?),
            7 => iv = Some(value),
            8 => protected_stream_key = Some(value),
            9 => stream_start = Some(value),
            10 => {
                inner_stream = Some(le_u32(value).ok_or(ImportError::malformed(
                    F,
                    "the inner random stream id is not 4 bytes",
                ))?)
            }
            11 => kdf_parameters = Some(value),
            // Comment (1), public custom data (12) and unknown fields are skipped,
            // as KeePass does.
            _ => {}
        }
    }
    let bytes = data.get(..r.pos).unwrap_or(&[]);
    let missing = |what| ImportError::malformed(F, what);
    let kdf = if major >= 4 {
        read_kdf_parameters(kdf_parameters.ok_or(missing("no KDF parameters"))?)?
    } else {
        let seed = transform_seed.ok_or(missing("no transform seed"))?;
        Kdf::Aes {
            seed: seed.try_into().map_err(|_| kdf_error("seed"))?,
            rounds: rounds.ok_or(missing("no transform rounds"))?,
        }
    };
    let master_seed = master_seed.ok_or(missing("no master seed"))?;
    if master_seed.len() != 32 {
        return Err(missing("the master seed is not 32 bytes"));
    }
    Ok(Header {
        major,
        cipher: cipher.ok_or(missing("no cipher"))?,
        compressed: compressed.ok_or(missing("no compression flag"))?,
        master_seed,
        iv: iv.ok_or(missing("no encryption IV"))?,
        kdf,
        protected_stream_key,
        inner_stream,
        stream_start,
        bytes,
    })
}

fn kdf_error(what: &'static str) -> ImportError {
    ImportError::KdfParameters { format: F, what }
}

fn le_u32(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.try_into().ok()?))
}

fn le_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.try_into().ok()?))
}

/// KDBX 4's KDF parameters, a "variant dictionary": version `u16` (major byte 1),
/// then `type u8, key length i32, key, value length i32, value` until type 0.
fn read_kdf_parameters(bytes: &[u8]) -> Result<Kdf<'_>, ImportError> {
    let mut r = Reader {
        data: bytes,
        pos: 0,
    };
    let truncated = "the KDF parameters are truncated";
    let version = r.u16(truncated)?;
    let [_, version_major] = version.to_le_bytes();
    if version_major != 1 {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "the KDF parameters' version is not 1",
        });
    }
    let (mut uuid, mut seed, mut rounds, mut iterations, mut memory, mut lanes, mut argon_version) =
        (None, None, None, None, None, None, None);
    loop {
        let kind = r.u8(truncated)?;
        if kind == 0 {
            break;
        }
        let key_len = r.len32(truncated)?;
        let key = r.take(key_len, truncated)?;
        let value_len = r.len32(truncated)?;
        let value = r.take(value_len, truncated)?;
        match key {
            b"$UUID" => uuid = Some(value),
            b"S" => seed = Some(value),
            b"R" => rounds = Some(le_u64(value).ok_or(kdf_error("rounds"))?),
            b"I" => iterations = Some(le_u64(value).ok_or(kdf_error("iterations"))?),
            b"M" => memory = Some(le_u64(value).ok_or(kdf_error("memory"))?),
            b"P" => lanes = Some(le_u32(value).ok_or(kdf_error("parallelism"))?),
            b"V" => argon_version = Some(le_u32(value).ok_or(kdf_error("version"))?),
            b"K" | b"A" if !value.is_empty() => {
                return Err(ImportError::UnsupportedEncryption {
                    format: F,
                    what: "Argon2 with a secret key or associated data is not supported",
                });
            }
            _ => {}
        }
    }
    let uuid = uuid.ok_or(kdf_error("$UUID"))?;
    let seed = seed.ok_or(kdf_error("salt"))?;
    if uuid == KDF_AES || uuid == KDF_AES_KDBX4 {
        return Ok(Kdf::Aes {
            seed: seed.try_into().map_err(|_| kdf_error("seed"))?,
            rounds: rounds.ok_or(kdf_error("rounds"))?,
        });
    }
    let variant = if uuid == KDF_ARGON2D {
        Argon2Variant::Argon2d
    } else if uuid == KDF_ARGON2ID {
        Argon2Variant::Argon2id
    } else {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "the key derivation is not AES-KDF, Argon2d or Argon2id",
        });
    };
    if argon_version != Some(0x13) {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "Argon2 versions other than 1.3 are not supported",
        });
    }
    let passes = iterations.ok_or(kdf_error("iterations"))?;
    let memory = memory.ok_or(kdf_error("memory"))?;
    Ok(Kdf::Argon2 {
        variant,
        salt: seed,
        passes: u32::try_from(passes).map_err(|_| kdf_error("iterations"))?,
        memory_kib: u32::try_from(memory / 1024).map_err(|_| kdf_error("memory"))?,
        lanes: lanes.ok_or(kdf_error("parallelism"))?,
    })
}

/// The transformed key, from the composite key by the header's KDF (charged first).
fn transform(kdf: &Kdf<'_>, composite: &Key, budget: &mut WorkBudget) -> Result<Key, ImportError> {
    let mut out = Zeroizing::new([0u8; 32]);
    match kdf {
        Kdf::Aes { seed, rounds } => {
            otpkit_kdf::aes_kdf(budget, composite, seed, *rounds, &mut out)
        }
        Kdf::Argon2 {
            variant,
            salt,
            passes,
            memory_kib,
            lanes,
        } => otpkit_kdf::argon2(
            budget,
            *variant,
            composite.as_slice(),
            salt,
            *passes,
            *memory_kib,
            *lanes,
            out.as_mut_slice(),
        ),
    }
    .map_err(|e| ImportError::kdf(F, e))?;
    Ok(out)
}

fn sha256_of(parts: &[&[u8]]) -> Key {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
    }
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&h.finalize());
    key
}

fn sha512_of(parts: &[&[u8]]) -> Zeroizing<[u8; 64]> {
    let mut h = Sha512::new();
    for part in parts {
        h.update(part);
    }
    let mut key = Zeroizing::new([0u8; 64]);
    key.copy_from_slice(&h.finalize());
    key
}

type Plain = Zeroizing<Vec<u8>>;

fn open_kdbx4(
    data: &[u8],
    header: &Header<'_>,
    composite: &Key,
    budget: &mut WorkBudget,
) -> Result<(Plain, Plain, u32), ImportError> {
    let mut r = Reader {
        data,
        pos: header.bytes.len(),
    };
    let hash = r.take(32, "the header hash is missing")?;
    let mac = r.take(32, "the header HMAC is missing")?;
    // Checked before the key derivation: a damaged header costs nothing.
    if !bool::from(Sha256::digest(header.bytes).as_slice().ct_eq(hash)) {
        return Err(ImportError::IntegrityCheckFailed { format: F });
    }
    let transformed = transform(&header.kdf, composite, budget)?;
    let cipher_key = sha256_of(&[header.master_seed, transformed.as_slice()]);
    let hmac_base = sha512_of(&[header.master_seed, transformed.as_slice(), &[1]]);
    let header_key = sha512_of(&[&u64::MAX.to_le_bytes(), hmac_base.as_slice()]);
    if !crate::crypto::hmac_sha256_verify(header_key.as_slice(), &[header.bytes], mac) {
        return Err(ImportError::WrongPassword { format: F });
    }
    // The HMAC block stream: `hmac 32, length u32, data` until an empty block.
    let mut ciphertext = Vec::new();
    let mut index = 0u64;
    loop {
        let truncated = "the block stream is truncated";
        let block_mac = r.take(32, truncated)?;
        let len_bytes = r.array::<4>(truncated)?;
        let len = usize::try_from(u32::from_le_bytes(len_bytes))
            .map_err(|_| ImportError::malformed(F, truncated))?;
        let block = r.take(len, truncated)?;
        let block_key = sha512_of(&[&index.to_le_bytes(), hmac_base.as_slice()]);
        if !crate::crypto::hmac_sha256_verify(
            block_key.as_slice(),
            &[&index.to_le_bytes(), &len_bytes, block],
            block_mac,
        ) {
            return Err(ImportError::IntegrityCheckFailed { format: F });
        }
        if block.is_empty() {
            break;
        }
        ciphertext.extend_from_slice(block);
        index = index.saturating_add(1);
    }
    let plain = decrypt(header.cipher, &cipher_key, header.iv, &ciphertext)
        .ok_or(ImportError::IntegrityCheckFailed { format: F })?;
    let plain = if header.compressed {
        gunzip(&plain)?
    } else {
        plain
    };
    // The inner header: `id u8, length u32, data` until id 0.
    let mut r = Reader {
        data: &plain,
        pos: 0,
    };
    let truncated = "the inner header is truncated";
    let mut inner_id = None;
    let mut inner_key = None;
    loop {
        let id = r.u8(truncated)?;
        let len = r.len32(truncated)?;
        let value = r.take(len, truncated)?;
        match id {
            0 => break,
            1 => inner_id = le_u32(value),
            2 => inner_key = Some(Zeroizing::new(value.to_vec())),
            // Attachments (3) and unknown fields.
            _ => {}
        }
    }
    let xml = Zeroizing::new(r.rest().to_vec());
    Ok((
        xml,
        inner_key.unwrap_or_default(),
        inner_id.ok_or(ImportError::malformed(F, "no inner random stream"))?,
    ))
}

fn open_kdbx3(
    data: &[u8],
    header: &Header<'_>,
    composite: &Key,
    budget: &mut WorkBudget,
) -> Result<Plain, ImportError> {
    let start = header
        .stream_start
        .ok_or(ImportError::malformed(F, "no stream start bytes"))?;
    let transformed = transform(&header.kdf, composite, budget)?;
    let cipher_key = sha256_of(&[header.master_seed, transformed.as_slice()]);
    let payload = data.get(header.bytes.len()..).unwrap_or(&[]);
    let plain = decrypt(header.cipher, &cipher_key, header.iv, payload)
        .ok_or(ImportError::WrongPassword { format: F })?;
    let got = plain.get(..start.len()).unwrap_or(&[]);
    if start.is_empty() || !bool::from(got.ct_eq(start)) {
        return Err(ImportError::WrongPassword { format: F });
    }
    // The hashed block stream: `index u32, sha256 32, length u32, data` until an
    // empty block.
    let mut r = Reader {
        data: &plain,
        pos: start.len(),
    };
    let mut content = Zeroizing::new(Vec::with_capacity(plain.len()));
    loop {
        let truncated = "the block stream is truncated";
        let _index = r.u32(truncated)?;
        let hash = r.take(32, truncated)?;
        let len = r.len32(truncated)?;
        let block = r.take(len, truncated)?;
        if block.is_empty() {
            break;
        }
        if !bool::from(Sha256::digest(block).as_slice().ct_eq(hash)) {
            return Err(ImportError::IntegrityCheckFailed { format: F });
        }
        // Within the capacity reserved above: no reallocation leaves a copy behind.
        content.extend_from_slice(block);
    }
    if header.compressed {
        gunzip(&content)
    } else {
        Ok(content)
    }
}

fn decrypt(cipher: Cipher, key: &Key, iv: &[u8], ciphertext: &[u8]) -> Option<Plain> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit};
    match cipher {
        Cipher::Aes256 => crate::crypto::cbc_open(key.as_slice(), iv, ciphertext),
        Cipher::Twofish => cbc::Decryptor::<twofish::Twofish>::new_from_slices(key.as_slice(), iv)
            .ok()?
            .decrypt_padded_vec::<Pkcs7>(ciphertext)
            .ok()
            .map(Zeroizing::new),
        Cipher::ChaCha20 => {
            use chacha20::cipher::StreamCipher;
            let mut stream = chacha20::ChaCha20::new_from_slices(key.as_slice(), iv).ok()?;
            let mut out = Zeroizing::new(ciphertext.to_vec());
            stream.apply_keystream(&mut out);
            Some(out)
        }
    }
}

/// Inflates a gzip member into at most [`crate::MAX_INPUT_LEN`] bytes. The output
/// buffer grows by doubling; each outgrown buffer is wiped when dropped.
fn gunzip(data: &[u8]) -> Result<Plain, ImportError> {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};
    let bad = || ImportError::malformed(F, "the gzip data is damaged");
    let deflate = gzip_body(data).ok_or_else(bad)?;
    let max = crate::MAX_INPUT_LEN;
    let mut out = Zeroizing::new(vec![0u8; deflate.len().saturating_mul(4).clamp(1024, max)]);
    let mut input = deflate;
    let mut pos = 0usize;
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    loop {
        let (status, consumed, written) = decompress(&mut state, input, &mut out, pos, flags);
        pos = pos.checked_add(written).ok_or_else(bad)?;
        input = input.get(consumed..).ok_or_else(bad)?;
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput => {
                if out.len() >= max {
                    return Err(ImportError::TooLarge {
                        len: out.len().saturating_add(1),
                        max,
                    });
                }
                let mut bigger = Zeroizing::new(vec![0u8; out.len().saturating_mul(2).min(max)]);
                bigger
                    .get_mut(..pos)
                    .ok_or_else(bad)?
                    .copy_from_slice(out.get(..pos).ok_or_else(bad)?);
                out = bigger;
            }
            _ => return Err(bad()),
        }
    }
    out.truncate(pos);
    Ok(out)
}

/// The deflate stream of a gzip member (RFC 1952): the 10-byte header and its
/// optional extra field, name, comment and header CRC skipped.
fn gzip_body(data: &[u8]) -> Option<&[u8]> {
    let mut r = Reader { data, pos: 0 };
    let head = r.array::<10>("").ok()?;
    let [0x1f, 0x8b, 8, flags, ..] = head else {
        return None;
    };
    if flags & 4 != 0 {
        let len = usize::from(r.u16("").ok()?);
        r.take(len, "").ok()?;
    }
    for bit in [8u8, 16] {
        if flags & bit != 0 {
            let rest = r.rest();
            let nul = rest.iter().position(|&b| b == 0)?;
            r.take(nul.checked_add(1)?, "").ok()?;
        }
    }
    if flags & 2 != 0 {
        r.take(2, "").ok()?;
    }
    Some(r.rest())
}

/// The inner random stream protected values are XORed with, in document order.
enum InnerStream {
    None,
    Salsa20(Box<salsa20::Salsa20>),
    ChaCha20(Box<chacha20::ChaCha20>),
}

impl InnerStream {
    fn new(id: u32, key: &[u8]) -> Result<Self, ImportError> {
        use chacha20::cipher::KeyIvInit;
        let bad = || ImportError::malformed(F, "bad inner random stream key");
        match id {
            0 => Ok(InnerStream::None),
            2 => {
                let key = sha256(key);
                let cipher = salsa20::Salsa20::new_from_slices(key.as_slice(), &SALSA20_NONCE)
                    .map_err(|_| bad())?;
                Ok(InnerStream::Salsa20(Box::new(cipher)))
            }
            3 => {
                let hash = sha512_of(&[key]);
                let (k, rest) = hash.split_at(32);
                let nonce = rest.get(..12).ok_or_else(bad)?;
                let cipher = chacha20::ChaCha20::new_from_slices(k, nonce).map_err(|_| bad())?;
                Ok(InnerStream::ChaCha20(Box::new(cipher)))
            }
            _ => Err(ImportError::UnsupportedEncryption {
                format: F,
                what: "the inner random stream is not Salsa20 or ChaCha20",
            }),
        }
    }

    fn apply(&mut self, buf: &mut [u8]) {
        use chacha20::cipher::StreamCipher;
        match self {
            InnerStream::None => {}
            InnerStream::Salsa20(c) => c.apply_keystream(buf),
            InnerStream::ChaCha20(c) => c.apply_keystream(buf),
        }
    }
}

/// The string fields of an entry that matter here.
#[derive(Default)]
struct Fields {
    title: Option<String>,
    user: Option<String>,
    otp: Option<Zeroizing<String>>,
    totp_seed: Option<Zeroizing<String>>,
    totp_settings: Option<String>,
    time_secret: Option<(Encoding, Zeroizing<String>)>,
    time_length: Option<String>,
    time_period: Option<String>,
    time_algorithm: Option<String>,
    hmac_secret: Option<(Encoding, Zeroizing<String>)>,
    hmac_counter: Option<String>,
}

#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    Hex,
    Base32,
    Base64,
}

/// Where a field's value goes; `None` for fields not read.
enum Slot {
    Title,
    User,
    Otp,
    TotpSeed,
    TotpSettings,
    TimeSecret(Encoding),
    TimeLength,
    TimePeriod,
    TimeAlgorithm,
    HmacSecret(Encoding),
    HmacCounter,
}

fn slot(key: &str) -> Option<Slot> {
    Some(match key {
        "Title" => Slot::Title,
        "UserName" => Slot::User,
        "otp" => Slot::Otp,
        "TOTP Seed" => Slot::TotpSeed,
        "TOTP Settings" => Slot::TotpSettings,
        "TimeOtp-Secret" => Slot::TimeSecret(Encoding::Utf8),
        "TimeOtp-Secret-Hex" => Slot::TimeSecret(Encoding::Hex),
        "TimeOtp-Secret-Base32" => Slot::TimeSecret(Encoding::Base32),
        "TimeOtp-Secret-Base64" => Slot::TimeSecret(Encoding::Base64),
        "TimeOtp-Length" => Slot::TimeLength,
        "TimeOtp-Period" => Slot::TimePeriod,
        "TimeOtp-Algorithm" => Slot::TimeAlgorithm,
        "HmacOtp-Secret" => Slot::HmacSecret(Encoding::Utf8),
        "HmacOtp-Secret-Hex" => Slot::HmacSecret(Encoding::Hex),
        "HmacOtp-Secret-Base32" => Slot::HmacSecret(Encoding::Base32),
        "HmacOtp-Secret-Base64" => Slot::HmacSecret(Encoding::Base64),
        "HmacOtp-Counter" => Slot::HmacCounter,
        _ => return None,
    })
}

impl Fields {
    fn set(&mut self, slot: Slot, value: Zeroizing<String>) {
        let plain = |v: Zeroizing<String>| Some(v.as_str().to_owned());
        match slot {
            Slot::Title => self.title = plain(value),
            Slot::User => self.user = plain(value),
            Slot::Otp => self.otp = Some(value),
            Slot::TotpSeed => self.totp_seed = Some(value),
            Slot::TotpSettings => self.totp_settings = plain(value),
            Slot::TimeSecret(e) => self.time_secret = Some((e, value)),
            Slot::TimeLength => self.time_length = plain(value),
            Slot::TimePeriod => self.time_period = plain(value),
            Slot::TimeAlgorithm => self.time_algorithm = plain(value),
            Slot::HmacSecret(e) => self.hmac_secret = Some((e, value)),
            Slot::HmacCounter => self.hmac_counter = plain(value),
        }
    }

    fn has_otp(&self) -> bool {
        self.otp.is_some()
            || self.totp_seed.is_some()
            || self.time_secret.is_some()
            || self.hmac_secret.is_some()
    }
}

fn read_xml(xml: &[u8], stream: &mut InnerStream) -> Result<Import, ImportError> {
    use roxmltree::{Document, ParsingOptions};
    let text =
        core::str::from_utf8(xml).map_err(|_| ImportError::malformed(F, "the XML is not UTF-8"))?;
    let text = text.trim_start_matches('\u{feff}');
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, options)
        .map_err(|_| ImportError::malformed(F, "the XML is not well-formed"))?;
    let root = doc.root_element();
    let meta = child(root, "Meta");
    let recycle_enabled = meta
        .and_then(|m| child(m, "RecycleBinEnabled"))
        .and_then(|n| n.text())
        .is_none_or(|t| !t.trim().eq_ignore_ascii_case("false"));
    let recycle_bin = meta
        .and_then(|m| child(m, "RecycleBinUUID"))
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|u| recycle_enabled && !u.is_empty() && *u != "AAAAAAAAAAAAAAAAAAAAAA==");

    let mut out = Import::new();
    // The last node of the skipped subtree (`History`, the recycle bin) being walked.
    let mut skipped_until: Option<roxmltree::NodeId> = None;
    // The entry being read: its last node and its fields so far.
    let mut entry: Option<(roxmltree::NodeId, roxmltree::NodeId, Fields)> = None;
    // `descendants` walks the node array in document order, with no recursion; the
    // last node of a subtree is the end of its range in that array.
    for node in root.descendants() {
        let last_of =
            |n: roxmltree::Node<'_, '_>| n.descendants().next_back().map_or(n.id(), |d| d.id());
        if node.is_element() {
            let name = node.tag_name().name();
            if skipped_until.is_none() {
                let in_bin = name == "Group"
                    && recycle_bin.is_some()
                    && child(node, "UUID").and_then(|u| u.text()).map(str::trim) == recycle_bin;
                if name == "History" || in_bin {
                    skipped_until = Some(last_of(node));
                } else if name == "Entry" && entry.is_none() {
                    entry = Some((node.id(), last_of(node), Fields::default()));
                }
            }
            // Every protected value takes its keystream, in document order, whether
            // it is read or not.
            let protected = node
                .attribute("Protected")
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("true"));
            let value = if protected {
                Some(unprotect(node.text().unwrap_or(""), stream)?)
            } else {
                None
            };
            if let (true, None, Some((entry_id, _, fields))) =
                (name == "Value", skipped_until, entry.as_mut())
            {
                // Only the entry's own `String/Value`s.
                let string = node
                    .parent()
                    .filter(|p| p.has_tag_name("String"))
                    .filter(|p| p.parent().map(|e| e.id()) == Some(*entry_id));
                let slot = string
                    .and_then(|s| child(s, "Key"))
                    .and_then(|k| k.text())
                    .and_then(slot);
                if let Some(slot) = slot {
                    let value = value
                        .unwrap_or_else(|| Zeroizing::new(node.text().unwrap_or("").to_owned()));
                    fields.set(slot, value);
                }
            }
        }
        if skipped_until == Some(node.id()) {
            skipped_until = None;
        }
        if entry
            .as_ref()
            .is_some_and(|(_, last, _)| *last == node.id())
            && let Some((_, _, fields)) = entry.take().filter(|(_, _, f)| f.has_otp())
        {
            let (label, result) = read_entry(&fields);
            out.push(label, result)?;
        }
    }
    Ok(out)
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name(name))
}

/// A protected value: Base64, XORed with the next bytes of the inner stream.
fn unprotect(text: &str, stream: &mut InnerStream) -> Result<Zeroizing<String>, ImportError> {
    use base64::Engine;
    let mut bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| ImportError::malformed(F, "a protected value is not Base64"))?,
    );
    stream.apply(&mut bytes);
    match core::str::from_utf8(&bytes) {
        Ok(s) => Ok(Zeroizing::new(s.to_owned())),
        // A protected binary attachment, or a value that is not text: not an OTP
        // field's, and not kept.
        Err(_) => Ok(Zeroizing::new(String::new())),
    }
}

type EntryResult = Result<(Account, Vec<EntryWarning>), EntryError>;

fn read_entry(f: &Fields) -> (String, EntryResult) {
    let title = f.title.as_deref().unwrap_or("");
    let user = f.user.as_deref().unwrap_or("");
    let label = label_of(Some(title), user);
    let mut warnings = Vec::new();
    let result = if let Some(otp) = &f.otp {
        ignored(&mut warnings, f.time_secret.is_some(), "TimeOtp-Secret");
        ignored(&mut warnings, f.hmac_secret.is_some(), "HmacOtp-Secret");
        ignored(&mut warnings, f.totp_seed.is_some(), "TOTP Seed");
        read_otp_field(otp, title, user, warnings)
    } else if let Some((encoding, secret)) = &f.time_secret {
        ignored(&mut warnings, f.hmac_secret.is_some(), "HmacOtp-Secret");
        ignored(&mut warnings, f.totp_seed.is_some(), "TOTP Seed");
        read_time_otp(f, *encoding, secret, title, user, warnings)
    } else if let Some((encoding, secret)) = &f.hmac_secret {
        ignored(&mut warnings, f.totp_seed.is_some(), "TOTP Seed");
        read_hmac_otp(f, *encoding, secret, title, user, warnings)
    } else if let Some(seed) = &f.totp_seed {
        read_tray_totp(seed, f.totp_settings.as_deref(), title, user, warnings)
    } else {
        Err(EntryError::MissingField("otp"))
    };
    (label, result)
}

fn ignored(warnings: &mut Vec<EntryWarning>, present: bool, field: &'static str) {
    if present {
        wiped_vec::push(warnings, EntryWarning::FieldIgnored { field });
    }
}

/// KeePassXC's `otpauth://` URI or KeeOtp's `key=…&…` query.
fn read_otp_field(
    otp: &str,
    title: &str,
    user: &str,
    mut warnings: Vec<EntryWarning>,
) -> EntryResult {
    let otp = otp.trim();
    if otp
        .get(..10)
        .is_some_and(|s| s.eq_ignore_ascii_case("otpauth://"))
    {
        let (mut account, more) = crate::otpauth_list::parse_uri(otp)?;
        wiped_vec::append(&mut warnings, more);
        if account.name.is_empty() {
            user.clone_into(&mut account.name);
        }
        if account.issuer.is_none() && !title.is_empty() {
            account.issuer = Some(title.to_owned());
        }
        return Ok((account, warnings));
    }
    // KeeOtp: `key=BASE32&type=Totp&step=30&size=6&…`.
    let mut key = None;
    let (mut kind, mut step, mut size, mut counter, mut hash, mut encoding) =
        (None, None, None, None, None, None);
    for pair in otp.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = Zeroizing::new(percent_decode_str(value).decode_utf8_lossy().into_owned());
        match name {
            "key" => key = Some(value),
            "type" => kind = Some(value),
            "step" => step = Some(value),
            "size" => size = Some(value),
            "counter" => counter = Some(value),
            "otpHashMode" => hash = Some(value),
            "encoding" => encoding = Some(value),
            _ => {}
        }
    }
    let key = key.ok_or(EntryError::MissingField("otp key"))?;
    let encoding = match encoding.as_deref().map(|e| e.to_ascii_lowercase()) {
        None => Encoding::Base32,
        Some(e) => match e.as_str() {
            "base32" => Encoding::Base32,
            "base64" => Encoding::Base64,
            "hex" => Encoding::Hex,
            "utf8" | "utf-8" => Encoding::Utf8,
            _ => {
                return Err(EntryError::UnsupportedType(format!(
                    "encoding {}",
                    clip(&e)
                )));
            }
        },
    };
    let secret = decode_secret(encoding, &key, &mut warnings)?;
    let algorithm = algorithm(
        hash.as_deref().map(|h| h.as_str()),
        "otpHashMode",
        &mut warnings,
    )?;
    let digits = json::digits(
        number(size.as_deref().map(|s| s.as_str()))?,
        "size",
        &mut warnings,
    )?;
    let kind = match kind.as_deref().map(|k| k.to_ascii_lowercase()) {
        Some(k) if k == "hotp" => Kind::Hotp {
            counter: json::counter(
                number(counter.as_deref().map(|s| s.as_str()))?,
                "counter",
                &mut warnings,
            )?,
        },
        Some(k) if k != "totp" => return Err(EntryError::UnsupportedType(clip(&k))),
        _ => Kind::Totp {
            period: json::period(
                number(step.as_deref().map(|s| s.as_str()))?,
                "step",
                &mut warnings,
            )?,
        },
    };
    Ok((
        json::account(Some(title), user, secret, algorithm, digits, kind),
        warnings,
    ))
}

/// KeePass 2.47+'s `TimeOtp-*` fields.
fn read_time_otp(
    f: &Fields,
    encoding: Encoding,
    secret: &str,
    title: &str,
    user: &str,
    mut warnings: Vec<EntryWarning>,
) -> EntryResult {
    let secret = decode_secret(encoding, secret, &mut warnings)?;
    let digits = json::digits(
        number(f.time_length.as_deref())?,
        "TimeOtp-Length",
        &mut warnings,
    )?;
    let period = json::period(
        number(f.time_period.as_deref())?,
        "TimeOtp-Period",
        &mut warnings,
    )?;
    let algorithm = algorithm(
        f.time_algorithm.as_deref(),
        "TimeOtp-Algorithm",
        &mut warnings,
    )?;
    Ok((
        json::account(
            Some(title),
            user,
            secret,
            algorithm,
            digits,
            Kind::Totp { period },
        ),
        warnings,
    ))
}

/// KeePass's `HmacOtp-*` fields (HOTP, always 6 digits and HMAC-SHA-1 there).
fn read_hmac_otp(
    f: &Fields,
    encoding: Encoding,
    secret: &str,
    title: &str,
    user: &str,
    mut warnings: Vec<EntryWarning>,
) -> EntryResult {
    let secret = decode_secret(encoding, secret, &mut warnings)?;
    let counter = json::counter(
        number(f.hmac_counter.as_deref())?,
        "HmacOtp-Counter",
        &mut warnings,
    )?;
    Ok((
        json::account(
            Some(title),
            user,
            secret,
            Algorithm::Sha1,
            Digits::SIX,
            Kind::Hotp { counter },
        ),
        warnings,
    ))
}

/// TrayTOTP's `TOTP Seed` and `TOTP Settings` (`period;digits` or `period;S`).
fn read_tray_totp(
    seed: &str,
    settings: Option<&str>,
    title: &str,
    user: &str,
    mut warnings: Vec<EntryWarning>,
) -> EntryResult {
    let secret = decode_secret(Encoding::Base32, seed, &mut warnings)?;
    let (period, digits) = match settings.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            wiped_vec::push(
                &mut warnings,
                EntryWarning::Defaulted {
                    field: "TOTP Settings",
                },
            );
            (Period::DEFAULT, Some(Digits::SIX))
        }
        Some(s) => {
            let mut parts = s.split(';');
            let period = json::period(number(parts.next())?, "TOTP Settings", &mut warnings)?;
            let digits = match parts.next().map(str::trim) {
                Some(d) if d.eq_ignore_ascii_case("s") => None,
                d => Some(json::digits(number(d)?, "TOTP Settings", &mut warnings)?),
            };
            (period, digits)
        }
    };
    let (kind, digits) = match digits {
        None => (Kind::Steam, Digits::SIX),
        Some(d) => (Kind::Totp { period }, d),
    };
    Ok((
        json::account(Some(title), user, secret, Algorithm::Sha1, digits, kind),
        warnings,
    ))
}

/// A number field; absent or blank is `None` (its default applies).
fn number(text: Option<&str>) -> Result<Option<i64>, EntryError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse()
            .map(Some)
            .map_err(|_| EntryError::Malformed { line: 0, column: 0 }),
    }
}

/// `HMAC-SHA-256`, `Sha256`, `SHA256`, … in any case; absent is SHA-1 (defaulted).
fn algorithm(
    name: Option<&str>,
    field: &'static str,
    warnings: &mut Vec<EntryWarning>,
) -> Result<Algorithm, EntryError> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        wiped_vec::push(warnings, EntryWarning::Defaulted { field });
        return Ok(Algorithm::Sha1);
    };
    let bare: String = name
        .to_ascii_uppercase()
        .trim_start_matches("HMAC")
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect();
    match bare.as_str() {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        _ => Err(EntryError::UnsupportedAlgorithm(clip(name))),
    }
}

fn decode_secret(
    encoding: Encoding,
    text: &str,
    warnings: &mut Vec<EntryWarning>,
) -> Result<otpkit::Secret, EntryError> {
    use base64::Engine;
    let bytes = match encoding {
        Encoding::Base32 => {
            let read = secret_from_base32_lenient(text).map_err(EntryError::Secret)?;
            wiped_vec::append(warnings, read.warnings);
            return Ok(read.secret);
        }
        Encoding::Utf8 => Zeroizing::new(text.as_bytes().to_vec()),
        Encoding::Hex => {
            let clean = without_spaces(text);
            Zeroizing::new(
                data_encoding::HEXLOWER_PERMISSIVE
                    .decode(clean.as_bytes())
                    .map_err(|e| bad_char(e.position))?,
            )
        }
        Encoding::Base64 => {
            let clean = without_spaces(text);
            Zeroizing::new(
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(clean.trim_end_matches('=').as_bytes())
                    .map_err(|_| bad_char(0))?,
            )
        }
    };
    secret_from_bytes(&bytes, warnings).map_err(EntryError::Secret)
}

/// `text` without whitespace, in a buffer sized once (a growing `String` would leave
/// its outgrown buffers, with part of the key, unwiped).
fn without_spaces(text: &str) -> Zeroizing<String> {
    let mut clean = Zeroizing::new(String::with_capacity(text.len()));
    clean.extend(text.chars().filter(|c| !c.is_whitespace()));
    clean
}

fn bad_char(position: usize) -> EntryError {
    EntryError::Secret(SecretError::InvalidCharacter {
        position: position.saturating_add(1),
    })
}
