#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod crypto;

use std::fmt;

use otpkit::otpauth::{Account, Kind as AccountKind};
use otpkit::verifier::DeviceState;
use otpkit::{Algorithm, Digits, Hotp, LengthPolicy, Period, Secret, SecretError, Totp};
use roxmltree::{Document, Node};
use zeroize::{Zeroize, Zeroizing};

use crypto::{Cipher, DecryptError, MacAlgorithm, Prf};

/// The PSKC XML namespace.
pub const PSKC_NS: &str = "urn:ietf:params:xml:ns:keyprov:pskc";
/// RFC 6030's HOTP algorithm URI.
pub const HOTP_URI: &str = "urn:ietf:params:xml:ns:keyprov:pskc:hotp";
/// RFC 6030's TOTP algorithm URI.
pub const TOTP_URI: &str = "urn:ietf:params:xml:ns:keyprov:pskc:totp";
const PBKDF2_URI: &str = "http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2";

/// How the container's encrypted values are to be decrypted.
#[derive(Clone, Copy)]
pub enum Decryption<'a> {
    /// No key: only files whose keys are in the clear import.
    None,
    /// A pre-shared key (RFC 6030 §6.1), as raw bytes (16 bytes for AES-128).
    PreSharedKey(&'a [u8]),
    /// A password (RFC 6030 §6.2), from which PBKDF2 derives the key.
    Password(&'a [u8]),
}

impl fmt::Debug for Decryption<'_> {
    /// Never shows the key or password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decryption::None => "Decryption::None",
            Decryption::PreSharedKey(_) => "Decryption::PreSharedKey(..)",
            Decryption::Password(_) => "Decryption::Password(..)",
        })
    }
}

/// Bounds on what an import reads, and how short a secret may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The largest input, in bytes (default 4 MiB).
    pub max_bytes: usize,
    /// The most XML nodes (default 200 000).
    pub max_nodes: u32,
    /// The deepest element nesting (default 32; PSKC needs about 8).
    pub max_depth: usize,
    /// The most PBKDF2 iterations a file may ask for (default 1 000 000).
    pub max_iterations: u32,
    /// Whether secrets under 128 bits are accepted (default: refused per key).
    pub length_policy: LengthPolicy,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_bytes: 4 << 20,
            max_nodes: 200_000,
            max_depth: 32,
            max_iterations: 1_000_000,
            length_policy: LengthPolicy::Rfc4226,
        }
    }
}

/// The tokens of one container, one report per `<Key>` in document order.
#[derive(Debug)]
pub struct Import {
    /// Every key's outcome.
    pub keys: Vec<KeyReport>,
}

impl Import {
    /// The keys that imported.
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.keys.iter().filter_map(|k| k.result.as_ref().ok())
    }
}

/// One `<Key>`'s outcome, with what identifies it even when it failed.
#[derive(Debug)]
pub struct KeyReport {
    /// The key's `Id` attribute.
    pub key_id: Option<String>,
    /// The device's serial number.
    pub serial_number: Option<String>,
    /// The token, or why this key could not be imported.
    pub result: Result<Token, KeyError>,
}

/// The device a key belongs to (`<DeviceInfo>`), to match a token in hand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    /// `<Manufacturer>`.
    pub manufacturer: Option<String>,
    /// `<SerialNo>`.
    pub serial_number: Option<String>,
    /// `<Model>`.
    pub model: Option<String>,
}

/// HOTP or TOTP, with its moving factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// RFC 4226 HOTP.
    Hotp {
        /// The next counter value (`<Counter>`, 0 when absent).
        counter: u64,
    },
    /// RFC 6238 TOTP.
    Totp {
        /// The time step (`<TimeInterval>`, 30 s when absent).
        period: Period,
        /// T0, the Unix time steps count from (`<Time>`, 0 when absent). RFC 6030
        /// leaves `<Time>`'s meaning to the algorithm; it is read as T0 in Unix
        /// seconds, as vendor files and other importers use it (every vendor file
        /// seen has 0).
        t0: u64,
        /// The device's clock drift in steps, device minus server (`<TimeDrift>`,
        /// 0 when absent).
        drift: i64,
    },
}

/// A value the file did not give, for which the importer used the RFC default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Defaulted {
    /// No `<ResponseFormat Length>`: 6 digits.
    Digits,
    /// An HOTP key without `<Counter>`: counter 0.
    Counter,
    /// A TOTP key without `<TimeInterval>`: 30 seconds.
    TimeInterval,
}

/// One imported token: ready-to-use secret and parameters plus what identifies it.
/// Its `Debug` never shows the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The key's `Id` attribute.
    pub key_id: Option<String>,
    /// The device it belongs to.
    pub device: Device,
    /// `<Issuer>`.
    pub issuer: Option<String>,
    /// `<FriendlyName>`.
    pub friendly_name: Option<String>,
    /// `<UserId>` of the key (or of its device).
    pub user_id: Option<String>,
    /// The shared secret.
    pub secret: Secret,
    /// The HMAC hash (`<Suite>`, SHA-1 when absent).
    pub algorithm: Algorithm,
    /// The code length.
    pub digits: Digits,
    /// HOTP or TOTP.
    pub kind: Kind,
    /// Values the file left out and the importer defaulted.
    pub defaulted: Vec<Defaulted>,
}

impl Token {
    /// The TOTP generator (with T0), for a TOTP token.
    pub fn totp(&self) -> Option<Totp> {
        match self.kind {
            Kind::Totp { period, t0, .. } => {
                Some(Totp::new(&self.secret, self.algorithm, self.digits, period).with_t0(t0))
            }
            Kind::Hotp { .. } => None,
        }
    }

    /// The HOTP generator and next counter, for an HOTP token.
    pub fn hotp(&self) -> Option<(Hotp, u64)> {
        match self.kind {
            Kind::Hotp { counter } => Some((
                Hotp::new(&self.secret, self.algorithm, self.digits),
                counter,
            )),
            Kind::Totp { .. } => None,
        }
    }

    /// A verifier state to start from: HOTP at the file's counter; TOTP with its
    /// drift and no step used yet.
    pub fn device_state(&self) -> DeviceState {
        match self.kind {
            Kind::Hotp { counter } => DeviceState::hotp_at(counter),
            Kind::Totp { drift, .. } => {
                DeviceState::from_parts(otpkit::verifier::DeviceKind::Totp, 0, drift, 0, 0)
            }
        }
    }

    /// As an otpauth [`Account`] (issuer, name = serial number, or key id). T0 and
    /// drift have no place there; use [`Token::totp`] and [`Token::device_state`].
    pub fn to_account(&self) -> Account {
        let name = self
            .device
            .serial_number
            .clone()
            .or_else(|| self.key_id.clone())
            .unwrap_or_default();
        Account {
            issuer: self.issuer.clone(),
            name,
            secret: self.secret.clone(),
            algorithm: self.algorithm,
            digits: self.digits,
            kind: match self.kind {
                Kind::Hotp { counter } => AccountKind::Hotp { counter },
                Kind::Totp { period, .. } => AccountKind::Totp { period },
            },
            extra: Vec::new(),
        }
    }
}

/// Why the container as a whole could not be read. Messages never contain key
/// material, keys or passwords.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PskcError {
    /// Larger than [`Options::max_bytes`].
    TooLarge {
        /// The input's size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not UTF-8 text.
    NotUtf8,
    /// The document has a DTD (`<!DOCTYPE`), which could declare entities: refused.
    DtdNotAllowed,
    /// Nested deeper than [`Options::max_depth`].
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// More nodes than [`Options::max_nodes`].
    TooManyNodes {
        /// The limit.
        max: u32,
    },
    /// Not well-formed XML.
    Xml(String),
    /// The root is not a PSKC `<KeyContainer>`.
    NotPskc,
    /// A `Version` other than 1.0.
    UnsupportedVersion(String),
    /// The file is encrypted with a pre-shared key and none was given.
    NeedsPreSharedKey,
    /// The file is encrypted with a password-derived key and no password was given.
    NeedsPassword,
    /// The key derivation is not PBKDF2 or its parameters are unusable.
    KeyDerivation(&'static str),
    /// PBKDF2 asks for more iterations than [`Options::max_iterations`].
    TooManyIterations {
        /// What the file asks for.
        iterations: u32,
        /// The limit.
        max: u32,
    },
    /// `<MACMethod>` names a MAC this crate does not compute.
    UnsupportedMac(String),
    /// `<MACKey>` is malformed or encrypted with an unsupported cipher.
    MacKey(&'static str),
    /// The MAC key did not decrypt: the pre-shared key or password is wrong.
    WrongKeyOrPassword,
}

impl fmt::Display for PskcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PskcError::TooLarge { len, max } => {
                write!(
                    f,
                    "the PSKC file has {len} bytes, more than the limit of {max}"
                )
            }
            PskcError::NotUtf8 => f.write_str("the PSKC file is not UTF-8 text"),
            PskcError::DtdNotAllowed => f.write_str(
                "the PSKC file has a DTD (<!DOCTYPE>); DTDs and entity declarations are refused",
            ),
            PskcError::TooDeep { max } => {
                write!(f, "the PSKC file nests elements deeper than {max} levels")
            }
            PskcError::TooManyNodes { max } => {
                write!(f, "the PSKC file has more than {max} XML nodes")
            }
            PskcError::Xml(e) => write!(f, "the PSKC file is not well-formed XML: {e}"),
            PskcError::NotPskc => f.write_str(
                "not a PSKC file: the root element is not a KeyContainer \
                 in the urn:ietf:params:xml:ns:keyprov:pskc namespace",
            ),
            PskcError::UnsupportedVersion(v) => {
                write!(f, "PSKC version {v:?} is not supported (only 1.0)")
            }
            PskcError::NeedsPreSharedKey => {
                f.write_str("the PSKC file is encrypted with a pre-shared key; give the key")
            }
            PskcError::NeedsPassword => {
                f.write_str("the PSKC file is encrypted with a password; give the password")
            }
            PskcError::KeyDerivation(why) => {
                write!(f, "the PSKC file's key derivation cannot be used: {why}")
            }
            PskcError::TooManyIterations { iterations, max } => write!(
                f,
                "the PSKC file asks for {iterations} PBKDF2 iterations, more than the limit of {max}"
            ),
            PskcError::UnsupportedMac(uri) => {
                write!(f, "the PSKC file's MAC algorithm {uri:?} is not supported")
            }
            PskcError::MacKey(why) => write!(f, "the PSKC file's MAC key cannot be used: {why}"),
            PskcError::WrongKeyOrPassword => f.write_str(
                "the PSKC file's MAC key does not decrypt: the pre-shared key or password is wrong",
            ),
        }
    }
}

impl std::error::Error for PskcError {}

/// Why one key could not be imported. Messages never contain key material.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not HOTP or TOTP (a PIN, OCRA, …): the algorithm URI.
    UnsupportedAlgorithm(String),
    /// The key has no `Algorithm`: HOTP or TOTP is not known, and not guessed.
    NoAlgorithm,
    /// `<Suite>` names a hash other than SHA-1, SHA-256 or SHA-512.
    UnsupportedSuite(String),
    /// Codes other than decimal (`<ResponseFormat Encoding>`).
    UnsupportedEncoding(String),
    /// The key has no secret in the file (only a reference to one held elsewhere).
    NoSecret,
    /// An encrypted value uses a cipher this crate does not decrypt: its URI.
    UnsupportedCipher(String),
    /// The file has encrypted values but no key or password was given for them.
    NotDecrypted,
    /// The value did not decrypt (bad padding or length): a wrong key or password.
    DecryptionFailed {
        /// The element.
        field: &'static str,
    },
    /// The pre-shared key or derived key does not fit the cipher.
    KeyLength {
        /// The cipher's key length.
        expected: usize,
        /// The given key's length.
        got: usize,
    },
    /// The `<ValueMAC>` does not match: the value was altered, or the wrong key.
    MacMismatch {
        /// The element.
        field: &'static str,
    },
    /// A `<ValueMAC>` is present but the container has no MAC key to check it.
    NoMacKey {
        /// The element.
        field: &'static str,
    },
    /// A value is not of the form its element requires.
    InvalidValue {
        /// The element or attribute.
        field: &'static str,
    },
    /// The number of digits is out of range.
    Digits(otpkit::DigitsError),
    /// The secret is unusable (empty, too long, or too short for the policy).
    Secret(SecretError),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::UnsupportedAlgorithm(uri) => {
                write!(f, "algorithm {uri:?} is not HOTP or TOTP")
            }
            KeyError::NoAlgorithm => {
                f.write_str("the key names no algorithm, so it is neither HOTP nor TOTP")
            }
            KeyError::UnsupportedSuite(s) => write!(f, "hash suite {s:?} is not supported"),
            KeyError::UnsupportedEncoding(e) => {
                write!(f, "response encoding {e:?} is not supported (only DECIMAL)")
            }
            KeyError::NoSecret => f.write_str("the key's secret is not in the file"),
            KeyError::UnsupportedCipher(uri) => {
                write!(f, "encryption algorithm {uri:?} is not supported")
            }
            KeyError::NotDecrypted => {
                f.write_str("the key is encrypted and no key or password was given")
            }
            KeyError::DecryptionFailed { field } => write!(
                f,
                "the key's {field} does not decrypt: the key or password is wrong"
            ),
            KeyError::KeyLength { expected, got } => write!(
                f,
                "the decryption key has {got} bytes; the cipher needs {expected}"
            ),
            KeyError::MacMismatch { field } => write!(
                f,
                "the key's {field} fails its MAC check: altered, or the wrong key"
            ),
            KeyError::NoMacKey { field } => write!(
                f,
                "the key's {field} has a ValueMAC but the file has no MAC key"
            ),
            KeyError::InvalidValue { field } => write!(f, "the key's {field} is invalid"),
            KeyError::Digits(e) => write!(f, "{e}"),
            KeyError::Secret(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// Reads a PSKC container with the default [`Options`].
pub fn import(xml: &[u8], decryption: Decryption<'_>) -> Result<Import, PskcError> {
    import_with(xml, decryption, &Options::default())
}

/// Reads a PSKC container.
pub fn import_with(
    xml: &[u8],
    decryption: Decryption<'_>,
    options: &Options,
) -> Result<Import, PskcError> {
    if xml.len() > options.max_bytes {
        return Err(PskcError::TooLarge {
            len: xml.len(),
            max: options.max_bytes,
        });
    }
    let text = std::str::from_utf8(xml).map_err(|_| PskcError::NotUtf8)?;
    // Leading whitespace before the XML declaration (as pasted from the RFC) is
    // harmless; the parser would otherwise refuse the declaration.
    let text = text.trim_start();
    let doc = Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: options.max_nodes,
            ..Default::default()
        },
    )
    .map_err(|e| match e {
        roxmltree::Error::DtdDetected => PskcError::DtdNotAllowed,
        roxmltree::Error::NodesLimitReached => PskcError::TooManyNodes {
            max: options.max_nodes,
        },
        other => PskcError::Xml(other.to_string()),
    })?;
    check_depth(&doc, options.max_depth)?;
    let root = doc.root_element();
    if root.tag_name().name() != "KeyContainer" || root.tag_name().namespace() != Some(PSKC_NS) {
        return Err(PskcError::NotPskc);
    }
    if let Some(v) = root.attribute("Version")
        && v != "1.0"
    {
        return Err(PskcError::UnsupportedVersion(v.chars().take(16).collect()));
    }
    let keys = Keys::from_container(root, decryption, options)?;
    let mut reports = Vec::new();
    for package in children(root, "KeyPackage") {
        let device = child(package, "DeviceInfo");
        let device_info = Device {
            manufacturer: device.and_then(|d| text_of(d, "Manufacturer")),
            serial_number: device.and_then(|d| text_of(d, "SerialNo")),
            model: device.and_then(|d| text_of(d, "Model")),
        };
        let device_user = device.and_then(|d| text_of(d, "UserId"));
        for key in children(package, "Key") {
            let key_id = key.attribute("Id").map(str::to_owned);
            let result = read_key(key, &keys, options).map(|parts| Token {
                key_id: key_id.clone(),
                device: device_info.clone(),
                issuer: text_of(key, "Issuer"),
                friendly_name: text_of(key, "FriendlyName"),
                user_id: text_of(key, "UserId").or_else(|| device_user.clone()),
                secret: parts.secret,
                algorithm: parts.algorithm,
                digits: parts.digits,
                kind: parts.kind,
                defaulted: parts.defaulted,
            });
            reports.push(KeyReport {
                key_id,
                serial_number: device_info.serial_number.clone(),
                result,
            });
        }
    }
    Ok(Import { keys: reports })
}

fn check_depth(doc: &Document<'_>, max: usize) -> Result<(), PskcError> {
    // Document order visits a parent before its children: one pass, no recursion.
    let mut depths: Vec<usize> = Vec::new();
    for node in doc.descendants() {
        let id = node.id().get_usize();
        let depth = node
            .parent()
            .and_then(|p| depths.get(p.id().get_usize()).copied())
            .map_or(0, |d| d.saturating_add(usize::from(node.is_element())));
        if depth > max {
            return Err(PskcError::TooDeep { max });
        }
        if depths.len() <= id {
            depths.resize(id.saturating_add(1), 0);
        }
        if let Some(slot) = depths.get_mut(id) {
            *slot = depth;
        }
    }
    Ok(())
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// The trimmed text of `node`'s child `name`, if any and not empty.
fn text_of(node: Node<'_, '_>, name: &'static str) -> Option<String> {
    child(node, name)
        .and_then(|c| c.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Base64 with the line breaks and indentation XML files put in it; the copy is
/// wiped.
fn base64(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    let mut compact: Zeroizing<String> = Zeroizing::new(String::with_capacity(text.len()));
    compact.extend(text.chars().filter(|c| !c.is_ascii_whitespace()));
    let mut out = Zeroizing::new(vec![
        0u8;
        data_encoding::BASE64.decode_len(compact.len()).ok()?
    ]);
    let len = data_encoding::BASE64
        .decode_mut(compact.as_bytes(), &mut out)
        .ok()?;
    for b in out.iter_mut().skip(len) {
        b.zeroize();
    }
    out.truncate(len);
    Some(out)
}

/// The container's decryption and MAC keys.
struct Keys {
    /// The pre-shared or derived key, if the file is encrypted and one was given.
    encryption: Option<Zeroizing<Vec<u8>>>,
    /// The MAC algorithm and decrypted MAC key.
    mac: Option<(MacAlgorithm, Zeroizing<Vec<u8>>)>,
}

impl Keys {
    fn from_container(
        root: Node<'_, '_>,
        decryption: Decryption<'_>,
        options: &Options,
    ) -> Result<Self, PskcError> {
        let encrypted = root
            .descendants()
            .any(|n| n.is_element() && n.tag_name().name() == "EncryptedValue")
            || child(root, "MACMethod").is_some();
        let encryption_key = child(root, "EncryptionKey");
        let derived = encryption_key.and_then(|k| child(k, "DerivedKey"));
        // Keys transported with a public key (RFC 6030 §6.3, `<ds:X509Data>`) need
        // the recipient's private key: not decrypted here, each key says so.
        let asymmetric = encryption_key.is_some_and(|k| child(k, "X509Data").is_some());
        let encryption = match (encrypted && !asymmetric, derived, decryption) {
            (false, _, _) => None,
            (true, Some(derived), Decryption::Password(password)) => {
                Some(derive_key(derived, password, options)?)
            }
            (true, Some(_), _) => return Err(PskcError::NeedsPassword),
            (true, None, Decryption::PreSharedKey(key)) => Some(Zeroizing::new(key.to_vec())),
            (true, None, _) => return Err(PskcError::NeedsPreSharedKey),
        };
        let mac = match (child(root, "MACMethod"), &encryption) {
            (Some(method), Some(key)) => {
                let uri = method.attribute("Algorithm").unwrap_or_default();
                let algorithm = MacAlgorithm::from_uri(uri)
                    .ok_or_else(|| PskcError::UnsupportedMac(uri.chars().take(100).collect()))?;
                let mac_key = child(method, "MACKey").ok_or(PskcError::MacKey("no MACKey"))?;
                let (cipher, value) = encrypted_parts(mac_key).map_err(|e| match e {
                    KeyError::UnsupportedCipher(_) => PskcError::MacKey("unsupported cipher"),
                    _ => PskcError::MacKey("malformed MACKey"),
                })?;
                let plain = crypto::decrypt(cipher, key, &value).map_err(|e| match e {
                    DecryptError::KeyLength { .. } => {
                        PskcError::MacKey("the key's length does not fit the cipher")
                    }
                    DecryptError::BadLength | DecryptError::BadPadding => {
                        PskcError::WrongKeyOrPassword
                    }
                })?;
                Some((algorithm, plain))
            }
            _ => None,
        };
        Ok(Keys { encryption, mac })
    }
}

/// PBKDF2 (RFC 6030 §6.2) of `password` per `<DerivedKey>`.
fn derive_key(
    derived: Node<'_, '_>,
    password: &[u8],
    options: &Options,
) -> Result<Zeroizing<Vec<u8>>, PskcError> {
    let method = child(derived, "KeyDerivationMethod")
        .ok_or(PskcError::KeyDerivation("no KeyDerivationMethod"))?;
    if method.attribute("Algorithm") != Some(PBKDF2_URI) {
        return Err(PskcError::KeyDerivation("not PBKDF2"));
    }
    let params =
        child(method, "PBKDF2-params").ok_or(PskcError::KeyDerivation("no PBKDF2-params"))?;
    let salt = child(params, "Salt")
        .and_then(|s| child(s, "Specified"))
        .and_then(|s| s.text())
        .and_then(base64)
        .ok_or(PskcError::KeyDerivation("no usable salt"))?;
    let iterations: u32 = text_of(params, "IterationCount")
        .and_then(|t| t.parse().ok())
        .filter(|n| *n > 0)
        .ok_or(PskcError::KeyDerivation("no usable iteration count"))?;
    if iterations > options.max_iterations {
        return Err(PskcError::TooManyIterations {
            iterations,
            max: options.max_iterations,
        });
    }
    let len: usize = text_of(params, "KeyLength")
        .and_then(|t| t.parse().ok())
        .filter(|n| matches!(n, 16 | 24 | 32))
        .ok_or(PskcError::KeyDerivation("key length is not 16, 24 or 32"))?;
    let prf_uri = child(params, "PRF")
        .and_then(|p| p.attribute("Algorithm"))
        .unwrap_or_default();
    let prf = Prf::from_uri(prf_uri).ok_or(PskcError::KeyDerivation("unsupported PRF"))?;
    Ok(crypto::pbkdf2(prf, password, &salt, iterations, len))
}

/// The cipher and `IV ‖ ciphertext` of an element holding `<EncryptionMethod>` and
/// `<CipherData><CipherValue>`.
fn encrypted_parts(node: Node<'_, '_>) -> Result<(Cipher, Zeroizing<Vec<u8>>), KeyError> {
    let bad = KeyError::InvalidValue {
        field: "EncryptedValue",
    };
    let uri = child(node, "EncryptionMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .ok_or(bad.clone())?;
    let cipher = Cipher::from_uri(uri)
        .ok_or_else(|| KeyError::UnsupportedCipher(uri.chars().take(100).collect()))?;
    let value = child(node, "CipherData")
        .and_then(|d| child(d, "CipherValue"))
        .and_then(|v| v.text())
        .and_then(base64)
        .ok_or(bad)?;
    Ok((cipher, value))
}

struct Parts {
    secret: Secret,
    algorithm: Algorithm,
    digits: Digits,
    kind: Kind,
    defaulted: Vec<Defaulted>,
}

fn read_key(key: Node<'_, '_>, keys: &Keys, options: &Options) -> Result<Parts, KeyError> {
    let uri = key.attribute("Algorithm").ok_or(KeyError::NoAlgorithm)?;
    let is_totp = match uri {
        HOTP_URI => false,
        TOTP_URI => true,
        other => {
            return Err(KeyError::UnsupportedAlgorithm(
                other.chars().take(100).collect(),
            ));
        }
    };
    let mut defaulted = Vec::new();
    let params = child(key, "AlgorithmParameters");
    let algorithm = match params.and_then(|p| text_of(p, "Suite")) {
        None => Algorithm::Sha1,
        Some(suite) => {
            let name = suite.to_ascii_uppercase();
            let hash = name.strip_prefix("HMAC-").unwrap_or(&name);
            match hash {
                "SHA1" | "SHA-1" => Algorithm::Sha1,
                "SHA256" | "SHA-256" => Algorithm::Sha256,
                "SHA512" | "SHA-512" => Algorithm::Sha512,
                _ => return Err(KeyError::UnsupportedSuite(suite.chars().take(40).collect())),
            }
        }
    };
    let format = params.and_then(|p| child(p, "ResponseFormat"));
    if let Some(encoding) = format.and_then(|f| f.attribute("Encoding"))
        && encoding != "DECIMAL"
    {
        return Err(KeyError::UnsupportedEncoding(
            encoding.chars().take(40).collect(),
        ));
    }
    let digits = match format.and_then(|f| f.attribute("Length")) {
        None => {
            defaulted.push(Defaulted::Digits);
            Digits::SIX
        }
        Some(len) => {
            let n: u8 = len.trim().parse().map_err(|_| KeyError::InvalidValue {
                field: "ResponseFormat Length",
            })?;
            Digits::new(n).map_err(KeyError::Digits)?
        }
    };
    let data = child(key, "Data").ok_or(KeyError::NoSecret)?;
    let secret_node = child(data, "Secret").ok_or(KeyError::NoSecret)?;
    let secret_bytes = read_value(secret_node, "Secret", keys, ValueKind::Binary)?;
    let secret =
        Secret::from_bytes_with(&secret_bytes, options.length_policy).map_err(KeyError::Secret)?;
    let number = |name: &'static str| -> Result<Option<i64>, KeyError> {
        match child(data, name) {
            None => Ok(None),
            Some(node) => {
                let bytes = read_value(node, name, keys, ValueKind::Integer)?;
                integer(&bytes)
                    .map(Some)
                    .ok_or(KeyError::InvalidValue { field: name })
            }
        }
    };
    let unsigned = |name: &'static str| -> Result<Option<u64>, KeyError> {
        number(name)?
            .map(|n| u64::try_from(n).map_err(|_| KeyError::InvalidValue { field: name }))
            .transpose()
    };
    let kind = if is_totp {
        let period = match unsigned("TimeInterval")? {
            None => {
                defaulted.push(Defaulted::TimeInterval);
                Period::DEFAULT
            }
            Some(s) => Period::new(s).map_err(|_| KeyError::InvalidValue {
                field: "TimeInterval",
            })?,
        };
        Kind::Totp {
            period,
            t0: unsigned("Time")?.unwrap_or(0),
            drift: number("TimeDrift")?.unwrap_or(0),
        }
    } else {
        let counter = match unsigned("Counter")? {
            None => {
                defaulted.push(Defaulted::Counter);
                0
            }
            Some(c) => c,
        };
        Kind::Hotp { counter }
    };
    Ok(Parts {
        secret,
        algorithm,
        digits,
        kind,
        defaulted,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    /// `<PlainValue>` is base64 (a secret).
    Binary,
    /// `<PlainValue>` is a decimal integer (counter, time, …).
    Integer,
}

/// The plaintext of a `<PlainValue>` or `<EncryptedValue>` (with its `<ValueMAC>`
/// checked), wiped when dropped. Integers in the clear come back as their decimal
/// text.
fn read_value(
    node: Node<'_, '_>,
    field: &'static str,
    keys: &Keys,
    kind: ValueKind,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if let Some(plain) = child(node, "PlainValue") {
        let text = plain.text().unwrap_or_default();
        return match kind {
            ValueKind::Binary => base64(text).ok_or(KeyError::InvalidValue { field }),
            ValueKind::Integer => Ok(Zeroizing::new(text.trim().as_bytes().to_vec())),
        };
    }
    let Some(encrypted) = child(node, "EncryptedValue") else {
        return Err(if field == "Secret" {
            KeyError::NoSecret
        } else {
            KeyError::InvalidValue { field }
        });
    };
    let (cipher, value) = encrypted_parts(encrypted)?;
    let key = keys.encryption.as_ref().ok_or(KeyError::NotDecrypted)?;
    if let Some(mac_node) = child(node, "ValueMAC") {
        let mac = mac_node
            .text()
            .and_then(base64)
            .ok_or(KeyError::InvalidValue { field: "ValueMAC" })?;
        let (algorithm, mac_key) = keys.mac.as_ref().ok_or(KeyError::NoMacKey { field })?;
        if !crypto::mac_matches(*algorithm, mac_key, &value, &mac) {
            return Err(KeyError::MacMismatch { field });
        }
    }
    crypto::decrypt(cipher, key, &value).map_err(|e| match e {
        DecryptError::KeyLength { expected, got } => KeyError::KeyLength { expected, got },
        DecryptError::BadLength | DecryptError::BadPadding => KeyError::DecryptionFailed { field },
    })
}

/// An integer value: decimal text in the clear; encrypted, either decimal text or
/// a big-endian binary integer of up to 8 bytes (as vendors write both).
fn integer(bytes: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim);
    if let Some(t) = text
        && !t.is_empty()
        && t.strip_prefix('-')
            .unwrap_or(t)
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return t.parse().ok();
    }
    if bytes.is_empty() || bytes.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    buf.get_mut(8usize.saturating_sub(bytes.len())..)?
        .copy_from_slice(bytes);
    i64::try_from(u64::from_be_bytes(buf)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_in_both_forms() {
        assert_eq!(integer(b"0"), Some(0));
        assert_eq!(integer(b" 42\n"), Some(42));
        assert_eq!(integer(b"-3"), Some(-3));
        assert_eq!(integer(&[0, 0, 1, 0]), Some(256));
        assert_eq!(integer(&[1; 9]), None);
        assert_eq!(integer(b""), None);
        assert_eq!(integer(&[0xff; 8]), None);
    }

    #[test]
    fn base64_tolerates_xml_whitespace() {
        assert_eq!(
            base64("  MTIz\n   NA==\n ")
                .as_deref()
                .map(|v| v.as_slice()),
            Some(&b"1234"[..])
        );
        assert!(base64("MTIz!").is_none());
    }
}
