//! Writing HOTP and TOTP keys as a PSKC `<KeyContainer>` (RFC 6030): in the clear,
//! encrypted with a pre-shared AES key (§6.1), or with a key derived from a password
//! by PBKDF2 (§6.2).
//!
//! An encrypted container is written as §6.1.1 asks: each secret is AES-CBC
//! encrypted under its own random IV and followed by its `<ValueMAC>`, an HMAC over
//! `IV ‖ ciphertext` keyed with a random MAC key that the container carries
//! encrypted under the same key (`<MACMethod><MACKey>`). Counters and time
//! intervals are written in the clear, as RFC 6030 allows: they are no secret.
//!
//! The structure follows RFC 6030's figures (§6.1 figure 5, §6.2 figure 7) and is
//! read back by this crate's importer and by the independent `python-pskc` 1.4
//! (`tests/python_pskc.rs`).
//!
//! Each account becomes one `<KeyPackage>` with one `<Key>`: `Id` its position from 1,
//! the hash in `<Suite>`, the code length in `<ResponseFormat Length>`, the issuer
//! in `<Issuer>`, the account name in `<FriendlyName>`, the counter in `<Counter>`
//! or the period in `<TimeInterval>`. PSKC has no Steam Guard algorithm: a Steam
//! account is refused ([`ExportError::Steam`]); the `extra` parameters of an
//! `otpauth://` URI have no place either and are listed in
//! [`Exported::dropped_parameters`].
//!
//! ```
//! use otpkit::otpauth::Account;
//! use otpkit_pskc::export::{Encryption, MacHash, export};
//! use otpkit_pskc::{Decryption, import};
//! let account: Account = "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".parse()?;
//! let key = [7u8; 16];
//! let written = export(
//!     &[account.clone()],
//!     Encryption::PreSharedKey { key: &key, key_name: "transport key 1", mac: MacHash::Sha256 },
//! )?;
//! let back = import(written.xml.as_bytes(), Decryption::PreSharedKey(&key))?;
//! let token = back.keys[0].result.as_ref().unwrap();
//! assert_eq!(token.secret, account.secret);
//! assert_eq!(token.friendly_name.as_deref(), Some("alice"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::fmt::Write as _;

use otpkit::Algorithm;
use otpkit::otpauth::{Account, Kind};
use zeroize::Zeroizing;

use crate::crypto::{self, Cipher, KeyedMac, MacAlgorithm};
use crate::{HOTP_URI, PSKC_NS, TOTP_URI};

/// The PBKDF2 iteration count [`Encryption::password`] uses: 600 000 rounds of
/// PBKDF2-HMAC-SHA256, OWASP's 2023 recommendation for that PRF. This crate's
/// importer accepts it within its default budget (about a tenth of it).
pub const DEFAULT_PBKDF2_ITERATIONS: u32 = 600_000;

const PBKDF2_URI: &str = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2";
const HMAC_SHA1_URI: &str = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
const HMAC_SHA256_URI: &str = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";

/// The HMAC of the container's `<MACMethod>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MacHash {
    /// HMAC-SHA1 (RFC 6030's mandatory algorithm), with a 20-byte MAC key.
    Sha1,
    /// HMAC-SHA256, with a 32-byte MAC key.
    Sha256,
}

impl MacHash {
    fn uri(self) -> &'static str {
        match self {
            MacHash::Sha1 => HMAC_SHA1_URI,
            MacHash::Sha256 => HMAC_SHA256_URI,
        }
    }

    fn algorithm(self) -> MacAlgorithm {
        match self {
            MacHash::Sha1 => MacAlgorithm::Sha1,
            MacHash::Sha256 => MacAlgorithm::Sha256,
        }
    }

    /// The MAC key's length: the hash's output, as RFC 2104 recommends.
    fn key_len(self) -> usize {
        match self {
            MacHash::Sha1 => 20,
            MacHash::Sha256 => 32,
        }
    }
}

/// How the container's secrets are protected. Its `Debug` never shows a key or
/// password.
#[derive(Clone, Copy)]
pub enum Encryption<'a> {
    /// In the clear (`<PlainValue>`): anyone who reads the file has the secrets.
    None,
    /// A pre-shared AES key (§6.1): 16 bytes for AES-128-CBC (RFC 6030's
    /// mandatory cipher), 24 or 32 for AES-192/256-CBC.
    PreSharedKey {
        /// The key.
        key: &'a [u8],
        /// Written as `<ds:KeyName>`, so the receiver knows which key to use.
        key_name: &'a str,
        /// The MAC.
        mac: MacHash,
    },
    /// A password (§6.2): PBKDF2-HMAC-SHA256 with a random 16-byte salt derives an
    /// AES-128-CBC key.
    Password {
        /// The password (not empty).
        password: &'a [u8],
        /// The PBKDF2 iteration count (not 0); [`DEFAULT_PBKDF2_ITERATIONS`] unless
        /// the receiver cannot afford it.
        iterations: u32,
        /// The MAC.
        mac: MacHash,
    },
}

impl<'a> Encryption<'a> {
    /// Password-based with [`DEFAULT_PBKDF2_ITERATIONS`] and HMAC-SHA256.
    pub const fn password(password: &'a [u8]) -> Self {
        Encryption::Password {
            password,
            iterations: DEFAULT_PBKDF2_ITERATIONS,
            mac: MacHash::Sha256,
        }
    }
}

impl fmt::Debug for Encryption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encryption::None => f.write_str("Encryption::None"),
            Encryption::PreSharedKey { key_name, mac, .. } => f
                .debug_struct("Encryption::PreSharedKey")
                .field("key_name", key_name)
                .field("mac", mac)
                .finish_non_exhaustive(),
            Encryption::Password {
                iterations, mac, ..
            } => f
                .debug_struct("Encryption::Password")
                .field("iterations", iterations)
                .field("mac", mac)
                .finish_non_exhaustive(),
        }
    }
}

/// Why nothing was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportError {
    /// The account at this index is Steam Guard, which PSKC cannot express.
    Steam {
        /// Its index in the input.
        index: usize,
    },
    /// The account at this index is mOTP or Yandex Key, which PSKC has no algorithm
    /// for either.
    Kind {
        /// Its index in the input.
        index: usize,
    },
    /// A pre-shared key that is not 16, 24 or 32 bytes long (its length).
    KeyLength(usize),
    /// An empty password.
    EmptyPassword,
    /// A PBKDF2 iteration count of 0.
    ZeroIterations,
    /// The operating system's random number generator failed.
    Rng,
    /// Encryption or key derivation failed (not expected with valid parameters;
    /// kept typed rather than hidden).
    Crypto,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::Steam { index } => write!(
                f,
                "account {index} is Steam Guard, which PSKC has no algorithm for"
            ),
            ExportError::Kind { index } => write!(
                f,
                "account {index} is mOTP or Yandex Key, which PSKC has no algorithm for"
            ),
            ExportError::KeyLength(len) => write!(
                f,
                "a pre-shared key must be 16, 24 or 32 bytes long, not {len}"
            ),
            ExportError::EmptyPassword => f.write_str("the password must not be empty"),
            ExportError::ZeroIterations => f.write_str("PBKDF2 needs at least one iteration"),
            ExportError::Rng => f.write_str("the system random number generator failed"),
            ExportError::Crypto => f.write_str("encryption failed"),
        }
    }
}

impl std::error::Error for ExportError {}

impl ExportError {
    /// The stable [`ErrorCode`](otpkit::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            ExportError::Steam { .. } => C::SteamUnsupported,
            ExportError::Kind { .. } => C::KindUnsupported,
            ExportError::KeyLength(_) => C::UnsupportedEncryption,
            ExportError::EmptyPassword => C::EmptyPassword,
            ExportError::ZeroIterations => C::KdfParameters,
            ExportError::Rng => C::RngFailed,
            ExportError::Crypto => C::EncryptionFailed,
        }
    }
}

/// A written container and what it could not carry. Its `Debug` shows the
/// document's length, not the document (which may hold secrets in the clear).
pub struct Exported {
    /// The XML document (wiped when dropped: it may hold secrets in the clear).
    pub xml: Zeroizing<String>,
    /// Per account (its index) the names of the `otpauth://` `extra` parameters
    /// that PSKC has no place for and that were not written.
    pub dropped_parameters: Vec<(usize, Vec<String>)>,
}

impl fmt::Debug for Exported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exported")
            .field("xml_len", &self.xml.len())
            .field("dropped_parameters", &self.dropped_parameters)
            .finish()
    }
}

/// The key and MAC of an encrypted container.
struct Sealer {
    cipher: Cipher,
    key: Zeroizing<Vec<u8>>,
    mac: KeyedMac,
}

impl Sealer {
    /// `<EncryptedValue>` (random IV) and `<ValueMAC>` of `plain`, appended to `out`.
    fn write_value(&self, out: &mut String, plain: &[u8]) -> Result<(), ExportError> {
        let iv = random::<16>()?;
        let sealed =
            crypto::encrypt(self.cipher, &self.key, &iv, plain).ok_or(ExportError::Crypto)?;
        write_encrypted(out, self.cipher, &sealed);
        let tag = self.mac.compute(&sealed);
        out.push_str("<ValueMAC>");
        out.push_str(&data_encoding::BASE64.encode(&tag));
        out.push_str("</ValueMAC>");
        Ok(())
    }
}

fn cipher_uri(cipher: Cipher) -> &'static str {
    match cipher {
        Cipher::Aes128 => "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
        Cipher::Aes192 => "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
        Cipher::Aes256 => "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    }
}

/// `<EncryptedValue>` holding `iv ‖ ciphertext` (the method and cipher data are in
/// the xmlenc namespace).
fn write_encrypted(out: &mut String, cipher: Cipher, sealed: &[u8]) {
    out.push_str("<EncryptedValue><xenc:EncryptionMethod Algorithm=\"");
    out.push_str(cipher_uri(cipher));
    out.push_str("\"/><xenc:CipherData><xenc:CipherValue>");
    out.push_str(&data_encoding::BASE64.encode(sealed));
    out.push_str("</xenc:CipherValue></xenc:CipherData></EncryptedValue>");
}

fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>, ExportError> {
    let mut buf = Zeroizing::new([0u8; N]);
    getrandom::fill(buf.as_mut_slice()).map_err(|_| ExportError::Rng)?;
    Ok(buf)
}

/// `text` with XML's five special characters escaped, appended to `out`. Control
/// characters XML 1.0 cannot hold (all below U+0020 but tab, line feed and
/// carriage return) are written as U+FFFD.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// Writes `accounts` as a PSKC 1.0 `<KeyContainer>` protected per `encryption`.
///
/// # Errors
///
/// [`ExportError::Steam`] for a Steam Guard account (nothing is written), a bad
/// key length, an empty password or zero iterations, or a failing random number
/// generator.
pub fn export(accounts: &[Account], encryption: Encryption<'_>) -> Result<Exported, ExportError> {
    if let Some(index) = accounts.iter().position(|a| matches!(a.kind, Kind::Steam)) {
        return Err(ExportError::Steam { index });
    }
    if let Some(index) = accounts
        .iter()
        .position(|a| matches!(a.kind, Kind::Motp | Kind::Yandex))
    {
        return Err(ExportError::Kind { index });
    }
    // The text is reserved up front so that, holding secrets, it never reallocates
    // (which would leave unwiped copies behind).
    let capacity = accounts
        .iter()
        .map(|a| {
            a.secret
                .as_bytes()
                .len()
                .saturating_mul(2)
                .saturating_add(a.name.len().saturating_mul(6))
                .saturating_add(a.issuer.as_deref().map_or(0, str::len).saturating_mul(6))
                .saturating_add(1024)
        })
        .fold(4096usize, usize::saturating_add)
        .saturating_add(match encryption {
            Encryption::PreSharedKey { key_name, .. } => key_name.len().saturating_mul(6),
            Encryption::None | Encryption::Password { .. } => 0,
        });
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<KeyContainer Version=\"1.0\" xmlns=\"",
    );
    out.push_str(PSKC_NS);
    out.push_str(
        "\" xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" \
         xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\"",
    );
    let sealer = match encryption {
        Encryption::None => {
            out.push('>');
            None
        }
        Encryption::PreSharedKey { key, key_name, mac } => {
            let cipher = match key.len() {
                16 => Cipher::Aes128,
                24 => Cipher::Aes192,
                32 => Cipher::Aes256,
                other => return Err(ExportError::KeyLength(other)),
            };
            out.push_str("><EncryptionKey><ds:KeyName>");
            escape(&mut out, key_name);
            out.push_str("</ds:KeyName></EncryptionKey>");
            Some(mac_method(
                &mut out,
                cipher,
                Zeroizing::new(key.to_vec()),
                mac,
            )?)
        }
        Encryption::Password {
            password,
            iterations,
            mac,
        } => {
            if password.is_empty() {
                return Err(ExportError::EmptyPassword);
            }
            if iterations == 0 {
                return Err(ExportError::ZeroIterations);
            }
            let salt = random::<16>()?;
            // Writing spends nothing of an import's budget: the caller chose the count.
            let mut budget = otpkit_kdf::WorkBudget::new(u64::MAX, u64::MAX);
            let key = crypto::pbkdf2(
                &mut budget,
                crypto::Prf::Sha256,
                password,
                salt.as_slice(),
                iterations,
                16,
            )
            .map_err(|_| ExportError::Crypto)?;
            out.push_str(
                " xmlns:xenc11=\"http://www.w3.org/2009/xmlenc11#\" \
                 xmlns:pkcs5=\"http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#\">\
                 <EncryptionKey><xenc11:DerivedKey><xenc11:KeyDerivationMethod Algorithm=\"",
            );
            out.push_str(PBKDF2_URI);
            out.push_str("\"><pkcs5:PBKDF2-params><Salt><Specified>");
            out.push_str(&data_encoding::BASE64.encode(salt.as_slice()));
            // `write!` into a String cannot fail.
            let _ = write!(
                out,
                "</Specified></Salt><IterationCount>{iterations}</IterationCount>\
                 <KeyLength>16</KeyLength><PRF Algorithm=\"{HMAC_SHA256_URI}\"/>\
                 </pkcs5:PBKDF2-params></xenc11:KeyDerivationMethod></xenc11:DerivedKey>\
                 </EncryptionKey>"
            );
            Some(mac_method(&mut out, Cipher::Aes128, key, mac)?)
        }
    };
    let mut dropped_parameters = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        if !account.extra.is_empty() {
            dropped_parameters.push((
                index,
                account.extra.iter().map(|(name, _)| name.clone()).collect(),
            ));
        }
        write_key(&mut out, index, account, sealer.as_ref())?;
    }
    out.push_str("</KeyContainer>\n");
    Ok(Exported {
        xml: out,
        dropped_parameters,
    })
}

/// Writes `<MACMethod>` with a fresh random MAC key encrypted under `key`, and
/// returns what encrypts and MACs the values.
fn mac_method(
    out: &mut String,
    cipher: Cipher,
    key: Zeroizing<Vec<u8>>,
    mac: MacHash,
) -> Result<Sealer, ExportError> {
    let mac_key = random::<32>()?;
    let mac_key = mac_key.get(..mac.key_len()).ok_or(ExportError::Crypto)?;
    let iv = random::<16>()?;
    let sealed = crypto::encrypt(cipher, &key, &iv, mac_key).ok_or(ExportError::Crypto)?;
    out.push_str("<MACMethod Algorithm=\"");
    out.push_str(mac.uri());
    out.push_str("\"><MACKey><xenc:EncryptionMethod Algorithm=\"");
    out.push_str(cipher_uri(cipher));
    out.push_str("\"/><xenc:CipherData><xenc:CipherValue>");
    out.push_str(&data_encoding::BASE64.encode(&sealed));
    out.push_str("</xenc:CipherValue></xenc:CipherData></MACKey></MACMethod>");
    let keyed = KeyedMac::new(mac.algorithm(), mac_key).ok_or(ExportError::Crypto)?;
    Ok(Sealer {
        cipher,
        key,
        mac: keyed,
    })
}

fn suite(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Sha1 => "HMAC-SHA1",
        Algorithm::Sha256 => "HMAC-SHA256",
        Algorithm::Sha512 => "HMAC-SHA512",
    }
}

fn write_key(
    out: &mut String,
    index: usize,
    account: &Account,
    sealer: Option<&Sealer>,
) -> Result<(), ExportError> {
    let (uri, moving) = match account.kind {
        Kind::Totp { period } => (TOTP_URI, ("TimeInterval", period.seconds())),
        Kind::Hotp { counter } => (HOTP_URI, ("Counter", counter)),
        // Refused in `export` before anything is written.
        Kind::Steam => return Err(ExportError::Steam { index }),
        Kind::Motp | Kind::Yandex => return Err(ExportError::Kind { index }),
    };
    let _ = write!(
        out,
        "<KeyPackage><Key Id=\"{}\" Algorithm=\"{uri}\">",
        index.saturating_add(1)
    );
    if let Some(issuer) = account.issuer.as_deref().filter(|i| !i.is_empty()) {
        out.push_str("<Issuer>");
        escape(out, issuer);
        out.push_str("</Issuer>");
    }
    let _ = write!(
        out,
        "<AlgorithmParameters><Suite>{}</Suite>\
         <ResponseFormat Length=\"{}\" Encoding=\"DECIMAL\"/></AlgorithmParameters>",
        suite(account.algorithm),
        account.digits.get()
    );
    if !account.name.is_empty() {
        out.push_str("<FriendlyName>");
        escape(out, &account.name);
        out.push_str("</FriendlyName>");
    }
    out.push_str("<Data><Secret>");
    match sealer {
        None => {
            out.push_str("<PlainValue>");
            out.push_str(&Zeroizing::new(
                data_encoding::BASE64.encode(account.secret.as_bytes()),
            ));
            out.push_str("</PlainValue>");
        }
        Some(sealer) => sealer.write_value(out, account.secret.as_bytes())?,
    }
    let (name, value) = moving;
    let _ = write!(
        out,
        "</Secret><{name}><PlainValue>{value}</PlainValue></{name}></Data></Key></KeyPackage>"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        let mut out = String::new();
        escape(&mut out, "a<b>&\"c'\u{1}\td");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&apos;\u{fffd}\td");
    }
}
