#![doc = include_str!("../README.md")]
// Examples in the docs and READMEs compile without a warning.
#![doc(test(attr(deny(warnings))))]
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
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod crypto;
mod detect;
mod encryption;
mod error;
pub mod export;
mod key;
mod shape;
mod token;
mod xml;

use std::fmt;

use otpkit::LengthPolicy;
use roxmltree::Document;

pub use detect::is_pskc;
pub use error::{KeyError, PskcError};
pub use otpkit_kdf::{OverBudget, WorkBudget};
pub use token::{Defaulted, Device, Kind, Protection, Token};

use encryption::Keys;
use xml::{child, children, text_of};

/// The PSKC XML namespace.
pub const PSKC_NS: &str = "urn:ietf:params:xml:ns:keyprov:pskc";
/// RFC 6030's HOTP algorithm URI.
pub const HOTP_URI: &str = "urn:ietf:params:xml:ns:keyprov:pskc:hotp";
/// RFC 6030's TOTP algorithm URI.
pub const TOTP_URI: &str = "urn:ietf:params:xml:ns:keyprov:pskc:totp";

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

/// Bounds on what an import reads, how short a secret may be, and whether
/// encrypted values without a MAC are accepted.
///
/// The XML bounds (`max_depth`, `max_attributes`, `max_namespaces`,
/// `max_namespace_uri`) are checked in one linear pass before the XML is parsed;
/// with them at their defaults, parsing takes time linear in `max_bytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// The largest input, in bytes (default 4 MiB).
    pub max_bytes: usize,
    /// The most XML nodes (default 200 000).
    pub max_nodes: u32,
    /// The deepest element nesting (default 32; PSKC needs about 8).
    pub max_depth: usize,
    /// The most attributes on one element, namespace declarations included
    /// (default 64; a PSKC element has at most 4, a `<KeyContainer>` with its
    /// namespace declarations about 10, and the most seen in vendor files is 7).
    pub max_attributes: usize,
    /// The most namespaces in scope at one element, as the parser keeps them: each
    /// prefix declared on the element or an ancestor once (the default namespace
    /// too), plus any default namespace the element itself declares again
    /// (default 16; PSKC files use 2 to 7). The parser's work for each element that
    /// declares a namespace grows with the square of this number.
    pub max_namespaces: usize,
    /// The longest namespace URI, in bytes as written (default 256; PSKC's are
    /// under 64). The parser compares attributes' namespace URIs pairwise.
    pub max_namespace_uri: usize,
    /// The key derivation a password-encrypted container may ask for: its PBKDF2
    /// is charged to this budget before it runs and refused with
    /// [`PskcError::KdfBudget`] when it does not fit. The default
    /// ([`WorkBudget::default`], `otpkit-kdf`'s README) takes about 8 million
    /// PBKDF2-HMAC-SHA-1 iterations for a 16-byte key, about 1.3 s of one core;
    /// vendors write 1 000 to 100 000.
    pub budget: WorkBudget,
    /// Whether secrets under 128 bits are accepted (default: refused per key).
    pub length_policy: LengthPolicy,
    /// Whether encrypted values are imported from a container without a MAC (no
    /// `<MACMethod>`; default `false`: refused with
    /// [`PskcError::NotIntegrityProtected`]). Without a MAC nothing shows whether
    /// the file was altered, and AES-CBC lets an altered IV change the secret; the
    /// tokens of such a file say [`Protection::NotIntegrityProtected`]. It never
    /// relaxes a container that has a `<MACMethod>`: there every encrypted value
    /// needs its `<ValueMAC>`.
    pub allow_unauthenticated_encryption: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_bytes: 4 << 20,
            max_nodes: 200_000,
            max_depth: 32,
            max_attributes: 64,
            max_namespaces: 16,
            max_namespace_uri: 256,
            budget: WorkBudget::default(),
            length_policy: LengthPolicy::Rfc4226,
            allow_unauthenticated_encryption: false,
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
    shape::scan(text, shape::Limits::of(options))?;
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
        let mut package_keys = children(package, "Key");
        if let Some(key) = package_keys.next() {
            let key_id = key.attribute("Id").map(str::to_owned);
            let result = key::read_key(key, &keys, options).map(|parts| Token {
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
                protection: parts.protection,
            });
            reports.push(KeyReport {
                key_id,
                serial_number: device_info.serial_number.clone(),
                result,
            });
        }
        // RFC 6030 has one key per package. Giving later ones the package's device
        // too would copy it once per key: many `<Key/>`s after a long serial
        // number would cost memory in their product, not their sum.
        for extra in package_keys {
            reports.push(KeyReport {
                key_id: extra.attribute("Id").map(str::to_owned),
                serial_number: None,
                result: Err(KeyError::SecondKeyInPackage),
            });
        }
    }
    Ok(Import { keys: reports })
}
