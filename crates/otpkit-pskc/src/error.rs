//! Why a container ([`PskcError`]) or one of its keys ([`KeyError`]) could not be
//! imported. No message holds key material, a key or a password.

use std::fmt;

use otpkit::SecretError;
use otpkit_kdf::OverBudget;

#[cfg(doc)]
use crate::Options;

/// Why the container as a whole could not be read. Messages never contain key
/// material, keys or passwords.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// An element has more attributes (namespace declarations included) than
    /// [`Options::max_attributes`].
    TooManyAttributes {
        /// The limit.
        max: usize,
    },
    /// More namespaces are in scope at an element than [`Options::max_namespaces`].
    TooManyNamespaces {
        /// The limit.
        max: usize,
    },
    /// A namespace URI is longer than [`Options::max_namespace_uri`] bytes.
    NamespaceUriTooLong {
        /// The limit.
        max: usize,
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
    /// PBKDF2 asks for more key-derivation work than [`Options::budget`] allows
    /// (refused before it ran).
    KdfBudget(OverBudget),
    /// `<MACMethod>` names a MAC this crate does not compute.
    UnsupportedMac(String),
    /// `<MACKey>` is missing, malformed, encrypted with an unsupported cipher,
    /// shorter than the MAC needs, or made of another value's ciphertext.
    MacKey(&'static str),
    /// The MAC key did not decrypt: the pre-shared key or password is wrong.
    WrongKeyOrPassword,
    /// The file has encrypted values but no `<MACMethod>`, so nothing shows whether
    /// they were altered (AES-CBC alone lets a changed ciphertext change the secret),
    /// and [`Options::allow_unauthenticated_encryption`] is not set.
    NotIntegrityProtected,
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
            PskcError::TooManyAttributes { max } => write!(
                f,
                "the PSKC file has an element with more than {max} attributes \
                 (namespace declarations included)"
            ),
            PskcError::TooManyNamespaces { max } => write!(
                f,
                "the PSKC file has more than {max} XML namespaces in scope at one element"
            ),
            PskcError::NamespaceUriTooLong { max } => write!(
                f,
                "the PSKC file declares a namespace URI longer than {max} bytes"
            ),
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
            PskcError::KdfBudget(exceeded) => write!(
                f,
                "the PSKC file asks for more key-derivation work than allowed: {exceeded}; \
                 if the file is trusted, allow more with a larger WorkBudget"
            ),
            PskcError::UnsupportedMac(uri) => {
                write!(f, "the PSKC file's MAC algorithm {uri:?} is not supported")
            }
            PskcError::MacKey(why) => write!(f, "the PSKC file's MAC key cannot be used: {why}"),
            PskcError::WrongKeyOrPassword => f.write_str(
                "the PSKC file's MAC key does not decrypt: the pre-shared key or password is wrong",
            ),
            PskcError::NotIntegrityProtected => f.write_str(
                "the PSKC file's encrypted values carry no MAC (it has no MACMethod), so they are \
                 not integrity-protected: an altered file could change a secret unnoticed; \
                 set Options::allow_unauthenticated_encryption to import them anyway",
            ),
        }
    }
}

impl std::error::Error for PskcError {}

/// Why one key could not be imported. Messages never contain key material.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// A `<Key>` after the first in its `<KeyPackage>`: RFC 6030 has one key per
    /// package, the one its `<DeviceInfo>` describes. Not read; its report has no
    /// serial number.
    SecondKeyInPackage,
    /// The secret is in the clear (`<PlainValue>`) in a file that has a
    /// `<MACMethod>` or was opened with a key or password: a secret put there in
    /// place of the encrypted one would carry no MAC, so it is refused.
    SecretNotEncrypted,
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
    /// An encrypted value has no `<ValueMAC>` in a file whose `<MACMethod>` requires
    /// one: removed, perhaps to alter the value unnoticed.
    MissingValueMac {
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
            KeyError::SecondKeyInPackage => f.write_str(
                "the key follows another in the same KeyPackage, which holds one key \
                 (RFC 6030): not read",
            ),
            KeyError::SecretNotEncrypted => f.write_str(
                "the key's secret is in the clear in a file that has a MAC method or was opened \
                 with a key or password: refused, as nothing shows it was not put in place of \
                 the encrypted one",
            ),
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
            KeyError::MissingValueMac { field } => write!(
                f,
                "the key's {field} is encrypted but has no ValueMAC, which the file's MAC method \
                 requires: refused, as it may have been altered"
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

impl PskcError {
    /// The stable [`ErrorCode`](otpkit::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            PskcError::TooLarge { .. } => C::FileTooLarge,
            PskcError::NotUtf8
            | PskcError::DtdNotAllowed
            | PskcError::TooDeep { .. }
            | PskcError::TooManyNodes { .. }
            | PskcError::TooManyAttributes { .. }
            | PskcError::TooManyNamespaces { .. }
            | PskcError::NamespaceUriTooLong { .. }
            | PskcError::Xml(_)
            | PskcError::NotPskc
            | PskcError::MacKey(_) => C::FileMalformed,
            PskcError::UnsupportedVersion(_) => C::UnsupportedVersion,
            PskcError::NeedsPreSharedKey => C::PreSharedKeyRequired,
            PskcError::NeedsPassword => C::PasswordRequired,
            PskcError::KeyDerivation(_) => C::KdfParameters,
            PskcError::KdfBudget(_) => C::KdfBudget,
            PskcError::UnsupportedMac(_) => C::UnsupportedEncryption,
            PskcError::WrongKeyOrPassword => C::WrongKeyOrPassword,
            PskcError::NotIntegrityProtected => C::NotIntegrityProtected,
        }
    }
}

impl KeyError {
    /// The stable [`ErrorCode`](otpkit::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            KeyError::UnsupportedAlgorithm(_) => C::UnsupportedType,
            KeyError::UnsupportedSuite(_) => C::UnsupportedAlgorithm,
            KeyError::UnsupportedEncoding(_) | KeyError::UnsupportedCipher(_) => {
                C::UnsupportedEncryption
            }
            KeyError::NoAlgorithm
            | KeyError::SecondKeyInPackage
            | KeyError::KeyLength { .. }
            | KeyError::NoMacKey { .. }
            | KeyError::InvalidValue { .. } => C::FileMalformed,
            KeyError::NoSecret => C::MissingSecret,
            KeyError::SecretNotEncrypted | KeyError::MissingValueMac { .. } => {
                C::NotIntegrityProtected
            }
            KeyError::NotDecrypted => C::PasswordRequired,
            KeyError::DecryptionFailed { .. } => C::WrongKeyOrPassword,
            KeyError::MacMismatch { .. } => C::IntegrityCheckFailed,
            KeyError::Digits(e) => e.code(),
            KeyError::Secret(e) => e.code(),
        }
    }
}
