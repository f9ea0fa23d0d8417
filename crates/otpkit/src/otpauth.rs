//! `otpauth://` URIs: what enrolment QR codes carry.
//!
//! The format is Google's [Key Uri Format]:
//! `otpauth://TYPE/LABEL?secret=…&issuer=…&algorithm=…&digits=…&period=…&counter=…`.
//! [`Account::parse`] reads what real services and apps emit, leniently where they
//! differ harmlessly and with a typed [`UriError`] where the input cannot be trusted;
//! everything it normalised or found doubtful comes back as a [`Warning`] so an app can
//! tell its user. [`Account::to_uri`] writes one canonical form that it (and every
//! authenticator app) reads back to the same values.
//!
//! ```
//! use otpkit::otpauth::{Account, Kind, Warning};
//! let parsed = Account::parse(
//!     "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ\
//!      &issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
//! )?;
//! let account = &parsed.account;
//! assert_eq!(account.issuer.as_deref(), Some("ACME Co"));
//! assert_eq!(account.name, "john.doe@email.com");
//! assert!(matches!(account.kind, Kind::Totp { .. }));
//! assert!(parsed.warnings.is_empty());
//! assert_eq!(
//!     account.to_uri(),
//!     "otpauth://totp/ACME%20Co:john.doe%40email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co"
//! );
//! let code = account.totp().unwrap().code_at(1_700_000_000)?;
//! # let _ = code;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [Key Uri Format]: https://github.com/google/google-authenticator/wiki/Key-Uri-Format

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};
use core::str::FromStr;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use zeroize::{Zeroize, Zeroizing};

use crate::steam::{STEAM_PERIOD, SteamGuard};
use crate::{Algorithm, Digits, Hotp, LengthPolicy, Period, Secret, SecretError, Totp};

/// The longest `otpauth://` URI [`Account::parse`] reads, in bytes. A QR code holds at
/// most 2953 bytes, and real URIs are a few hundred; the limit keeps hostile input
/// from costing more than that.
pub const MAX_URI_LEN: usize = 4096;

/// Every byte outside RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) gets
/// percent-encoded when building, so no reader can mistake a value's `:`, `&`, `=`,
/// `+`, `#` or `?` for syntax.
pub(crate) const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The parameter names this module reads itself; [`Account::extra`] never holds them.
const KNOWN: [&str; 7] = [
    "secret",
    "issuer",
    "algorithm",
    "digits",
    "period",
    "counter",
    "encoder",
];

/// One OTP account: what an `otpauth://` URI describes.
///
/// `Debug` shows the secret's length only (see [`Secret`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Who issued the account (the service), from `issuer=` or the label's prefix.
    /// `None` and `Some("")` both mean no issuer.
    pub issuer: Option<String>,
    /// The account name: the label after the issuer prefix, usually a user name or
    /// e-mail address. Leading spaces are not kept (the label format allows spaces
    /// after the `:` separator).
    pub name: String,
    /// The shared secret.
    pub secret: Secret,
    /// The HMAC hash. Always SHA-1 for [`Kind::Steam`].
    pub algorithm: Algorithm,
    /// The code length. Not used by [`Kind::Steam`] (always five characters).
    pub digits: Digits,
    /// Time- or counter-based, and the period or counter.
    pub kind: Kind,
    /// Parameters this library does not interpret (`image`, `icon`, `color`, …), in
    /// order, names as written and values percent-decoded. [`Account::to_uri`] writes
    /// them back, except any whose name is one of the parameters read here (an
    /// `encoder` other than `steam` is kept and written back).
    pub extra: Vec<(String, String)>,
}

/// What kind of one-time password an account produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// RFC 6238 TOTP (`otpauth://totp/`).
    Totp {
        /// The time step (`period=`, 30 seconds by default).
        period: Period,
    },
    /// RFC 4226 HOTP (`otpauth://hotp/`).
    Hotp {
        /// The counter of the next code (`counter=`, required).
        counter: u64,
    },
    /// Steam Guard: `otpauth://totp/` with `issuer=Steam` or `encoder=steam`, or
    /// `otpauth://steam/` (Aegis). Five characters, HMAC-SHA1, 30 seconds.
    Steam,
}

/// What [`Account::parse`] returns: the account and everything it normalised or found
/// doubtful on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The account.
    pub account: Account,
    /// Notes for the user, in the order found. Empty for a canonical URI.
    pub warnings: Vec<Warning>,
}

/// Something [`Account::parse`] accepted but an app may want to tell its user about.
/// `Display` gives a short sentence. Never contains secret material.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The secret had lowercase letters (read as uppercase).
    SecretLowercase,
    /// The secret had `=` padding (ignored).
    SecretPadded,
    /// The secret had spaces, tabs or hyphens (ignored).
    SecretSpaced,
    /// The secret is shorter than RFC 4226's 128 bits. Accepted, because real services
    /// issue 80-bit secrets, but weaker.
    ShortSecret {
        /// The secret's length in bits.
        bits: usize,
    },
    /// The label's issuer prefix differs from `issuer=` (other than in ASCII case);
    /// the parameter was used (as
    /// Google Authenticator does; Microsoft's external accounts look like this).
    IssuerConflict {
        /// The issuer in the label.
        label: String,
        /// The issuer in the `issuer=` parameter, which was used.
        parameter: String,
    },
    /// `issuer=` was present but empty; the label's prefix (if any) was used.
    EmptyIssuerParameter,
    /// A non-SHA-1 algorithm: Google and Microsoft Authenticator ignore it and
    /// compute SHA-1 codes, which the service will reject.
    AlgorithmIgnoredByApps(Algorithm),
    /// A code length other than 6: some apps (older Google Authenticator, Microsoft
    /// Authenticator) ignore it and show six digits.
    DigitsIgnoredByApps(Digits),
    /// A period other than 30 s: Google and Microsoft Authenticator ignore it.
    PeriodIgnoredByApps(Period),
    /// A parameter that does not apply to this kind of account (e.g. `counter` on a
    /// TOTP URI, `period` on HOTP, `digits` on Steam) was ignored.
    IgnoredParameter {
        /// The parameter's name, lowercase.
        name: &'static str,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::SecretLowercase => f.write_str("the secret was lowercase; read as uppercase"),
            Warning::SecretPadded => f.write_str("the secret had '=' padding, which was removed"),
            Warning::SecretSpaced => {
                f.write_str("the secret had spaces or hyphens, which were removed")
            }
            Warning::ShortSecret { bits } => write!(
                f,
                "the secret is only {bits} bits, shorter than the 128 bits RFC 4226 requires"
            ),
            Warning::IssuerConflict { label, parameter } => write!(
                f,
                "the label says the issuer is \"{label}\" but the issuer parameter says \
                 \"{parameter}\"; using \"{parameter}\""
            ),
            Warning::EmptyIssuerParameter => {
                f.write_str("the issuer parameter is empty; using the label's issuer")
            }
            Warning::AlgorithmIgnoredByApps(a) => write!(
                f,
                "algorithm {a}: Google and Microsoft Authenticator ignore it and use SHA1"
            ),
            Warning::DigitsIgnoredByApps(d) => write!(
                f,
                "{d}-digit codes: some authenticator apps ignore this and show 6 digits"
            ),
            Warning::PeriodIgnoredByApps(p) => write!(
                f,
                "a {}-second period: Google and Microsoft Authenticator ignore it and use 30",
                p.seconds()
            ),
            Warning::IgnoredParameter { name } => write!(
                f,
                "the {name} parameter does not apply to this kind of account and was ignored"
            ),
        }
    }
}

/// Why an `otpauth://` URI was not accepted. Messages never contain secret material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UriError {
    /// Longer than [`MAX_URI_LEN`] bytes.
    TooLong {
        /// The input's length in bytes.
        len: usize,
    },
    /// The scheme is not `otpauth://`.
    NotOtpauth,
    /// The type is not `totp`, `hotp` or `steam`.
    UnsupportedType,
    /// No `secret=` parameter.
    MissingSecret,
    /// The secret is not valid Base32 or has an impossible length.
    Secret(SecretError),
    /// `algorithm=` is not SHA1, SHA256 or SHA512.
    UnsupportedAlgorithm,
    /// `digits=` is outside 6 to 10.
    DigitsOutOfRange {
        /// The value given.
        got: u64,
    },
    /// `period=0`.
    ZeroPeriod,
    /// An `hotp` URI without `counter=`.
    MissingCounter,
    /// A number parameter is not a decimal number (or does not fit 64 bits).
    InvalidNumber {
        /// The parameter's name.
        parameter: &'static str,
    },
    /// A percent-decoded part is not UTF-8.
    InvalidUtf8 {
        /// Which part: `"label"`, a parameter name, or `"parameter name"`.
        part: &'static str,
    },
    /// A parameter this library reads appears twice, so which one an app uses is
    /// anybody's guess.
    DuplicateParameter {
        /// The parameter's name, lowercase.
        parameter: &'static str,
    },
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UriError::TooLong { len } => write!(
                f,
                "the URI is {len} bytes, longer than the {MAX_URI_LEN}-byte limit"
            ),
            UriError::NotOtpauth => f.write_str("not an otpauth:// URI"),
            UriError::UnsupportedType => {
                f.write_str("unsupported OTP type: expected otpauth://totp/ or otpauth://hotp/")
            }
            UriError::MissingSecret => f.write_str("the URI has no secret parameter"),
            UriError::Secret(e) => write!(f, "bad secret: {e}"),
            UriError::UnsupportedAlgorithm => {
                f.write_str("unsupported algorithm: expected SHA1, SHA256 or SHA512")
            }
            UriError::DigitsOutOfRange { got } => write!(
                f,
                "digits must be from {} to {}, got {got}",
                Digits::MIN,
                Digits::MAX
            ),
            UriError::ZeroPeriod => f.write_str("the period must be at least one second"),
            UriError::MissingCounter => f.write_str("an hotp URI needs a counter parameter"),
            UriError::InvalidNumber { parameter } => write!(
                f,
                "the {parameter} parameter is not a whole number from 0 to 18446744073709551615"
            ),
            UriError::InvalidUtf8 { part } => {
                write!(f, "the {part} is not valid UTF-8 after percent-decoding")
            }
            UriError::DuplicateParameter { parameter } => {
                write!(f, "the {parameter} parameter appears more than once")
            }
        }
    }
}

impl core::error::Error for UriError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            UriError::Secret(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SecretError> for UriError {
    fn from(e: SecretError) -> Self {
        UriError::Secret(e)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UriType {
    Totp,
    Hotp,
    Steam,
}

/// The raw (still percent-encoded) values of the parameters read here.
#[derive(Default)]
struct RawParams<'a> {
    secret: Option<&'a str>,
    issuer: Option<&'a str>,
    algorithm: Option<&'a str>,
    digits: Option<&'a str>,
    period: Option<&'a str>,
    counter: Option<&'a str>,
    encoder: Option<&'a str>,
}

impl<'a> RawParams<'a> {
    fn slot(&mut self, lowercase_name: &str) -> Option<(&'static str, &mut Option<&'a str>)> {
        Some(match lowercase_name {
            "secret" => ("secret", &mut self.secret),
            "issuer" => ("issuer", &mut self.issuer),
            "algorithm" => ("algorithm", &mut self.algorithm),
            "digits" => ("digits", &mut self.digits),
            "period" => ("period", &mut self.period),
            "counter" => ("counter", &mut self.counter),
            "encoder" => ("encoder", &mut self.encoder),
            _ => return None,
        })
    }
}

impl Account {
    /// Reads an `otpauth://` URI; see the [module documentation](self).
    ///
    /// Accepted leniently, each with a [`Warning`] where the user should know:
    /// scheme, type and parameter names in any case; the label's issuer prefix
    /// separated by `:`, `%3A` or `%3a` and optional spaces; `+` in a parameter value
    /// as a space; a lowercase, padded or spaced secret; an 80-bit secret; an issuer
    /// prefix that disagrees with `issuer=` (the parameter wins); an empty `issuer=`
    /// (the prefix is used); unknown parameters (kept in [`Account::extra`]); a
    /// fragment (`#…`, ignored); surrounding whitespace. A malformed escape such as
    /// `%zz` is kept as written (as browsers do); the decoded text must be UTF-8.
    ///
    /// ```
    /// use otpkit::otpauth::{Account, UriError, Warning};
    /// let p = Account::parse("OTPAUTH://TOTP/Air%20Canada%3a%20me?SECRET=jbswy3dpehpk3pxp&issuer=Air+Canada")?;
    /// assert_eq!(p.account.issuer.as_deref(), Some("Air Canada"));
    /// assert_eq!(p.account.name, "me");
    /// assert!(p.warnings.contains(&Warning::ShortSecret { bits: 80 }));
    /// assert_eq!(Account::parse("otpauth://totp/x?digits=6").unwrap_err(), UriError::MissingSecret);
    /// # Ok::<(), UriError>(())
    /// ```
    pub fn parse(uri: &str) -> Result<Parsed, UriError> {
        if uri.len() > MAX_URI_LEN {
            return Err(UriError::TooLong { len: uri.len() });
        }
        let uri = uri.trim();
        let rest = strip_prefix_ignore_case(uri, "otpauth://").ok_or(UriError::NotOtpauth)?;
        // A fragment is not part of the account; `#` inside values arrives encoded.
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (type_raw, label_raw) = path.split_once('/').unwrap_or((path, ""));
        let uri_type = if type_raw.eq_ignore_ascii_case("totp") {
            UriType::Totp
        } else if type_raw.eq_ignore_ascii_case("hotp") {
            UriType::Hotp
        } else if type_raw.eq_ignore_ascii_case("steam") {
            UriType::Steam
        } else {
            return Err(UriError::UnsupportedType);
        };

        let (label_issuer_raw, name_raw) = split_label(label_raw);
        let label_issuer = match label_issuer_raw {
            Some(raw) => Some(decode(raw, false, "label")?).filter(|s| !s.is_empty()),
            None => None,
        };
        let name = String::from(decode(name_raw, false, "label")?.trim_start_matches(' '));

        let mut raw = RawParams::default();
        let mut extra = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key_raw, value_raw) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key_raw, true, "parameter name")?;
            let lowercase = key.to_ascii_lowercase();
            match raw.slot(&lowercase) {
                Some((parameter, slot)) => {
                    if slot.replace(value_raw).is_some() {
                        return Err(UriError::DuplicateParameter { parameter });
                    }
                }
                None => extra.push((key, decode(value_raw, true, "parameter value")?)),
            }
        }

        let mut warnings = Vec::new();
        let secret = read_secret(raw.secret, &mut warnings)?;

        let issuer_param = match raw.issuer {
            Some(v) => Some(decode(v, true, "issuer")?),
            None => None,
        };
        let issuer = match (issuer_param, label_issuer) {
            (Some(parameter), label) if !parameter.is_empty() => {
                if let Some(label) = label.filter(|l| !l.eq_ignore_ascii_case(&parameter)) {
                    warnings.push(Warning::IssuerConflict {
                        label,
                        parameter: parameter.clone(),
                    });
                }
                Some(parameter)
            }
            (Some(_empty), label) => {
                warnings.push(Warning::EmptyIssuerParameter);
                label
            }
            (None, label) => label,
        };

        let mut steam_encoder = false;
        if let Some(v) = raw.encoder {
            let value = decode(v, true, "encoder")?;
            if value.eq_ignore_ascii_case("steam") {
                steam_encoder = true;
            } else {
                extra.push((String::from("encoder"), value));
            }
        }
        let is_steam = uri_type == UriType::Steam
            || (uri_type == UriType::Totp
                && (steam_encoder
                    || issuer
                        .as_deref()
                        .is_some_and(|i| i.eq_ignore_ascii_case("steam"))));

        let algorithm = match raw.algorithm {
            Some(v) => decode(v, true, "algorithm")?
                .parse::<Algorithm>()
                .map_err(|_| UriError::UnsupportedAlgorithm)?,
            None => Algorithm::Sha1,
        };
        let digits_value = match raw.digits {
            Some(v) => Some(parse_u64(v, "digits")?),
            None => None,
        };
        let period = match raw.period {
            Some(v) => {
                Some(Period::new(parse_u64(v, "period")?).map_err(|_| UriError::ZeroPeriod)?)
            }
            None => None,
        };
        let counter = match raw.counter {
            Some(v) => Some(parse_u64(v, "counter")?),
            None => None,
        };

        let (kind, algorithm, digits) = if is_steam {
            if algorithm != Algorithm::Sha1 {
                warnings.push(Warning::IgnoredParameter { name: "algorithm" });
            }
            // Aegis writes digits=5 for Steam; anything else is ignored with a note.
            if digits_value.is_some_and(|d| d != 5) {
                warnings.push(Warning::IgnoredParameter { name: "digits" });
            }
            if period.is_some_and(|p| p.seconds() != STEAM_PERIOD) {
                warnings.push(Warning::IgnoredParameter { name: "period" });
            }
            if counter.is_some() {
                warnings.push(Warning::IgnoredParameter { name: "counter" });
            }
            // A Steam account (say from `issuer=Steam`) is written back with
            // `encoder=steam`, so another encoder cannot be kept: drop it, with a note.
            let before = extra.len();
            extra.retain(|(key, _)| key != "encoder");
            if extra.len() != before {
                warnings.push(Warning::IgnoredParameter { name: "encoder" });
            }
            (Kind::Steam, Algorithm::Sha1, Digits::SIX)
        } else {
            let digits = match digits_value {
                Some(got) => u8::try_from(got)
                    .ok()
                    .and_then(|d| Digits::new(d).ok())
                    .ok_or(UriError::DigitsOutOfRange { got })?,
                None => Digits::SIX,
            };
            if algorithm != Algorithm::Sha1 {
                warnings.push(Warning::AlgorithmIgnoredByApps(algorithm));
            }
            if digits != Digits::SIX {
                warnings.push(Warning::DigitsIgnoredByApps(digits));
            }
            let kind = if uri_type == UriType::Hotp {
                if period.is_some() {
                    warnings.push(Warning::IgnoredParameter { name: "period" });
                }
                Kind::Hotp {
                    counter: counter.ok_or(UriError::MissingCounter)?,
                }
            } else {
                if counter.is_some() {
                    warnings.push(Warning::IgnoredParameter { name: "counter" });
                }
                let period = period.unwrap_or(Period::DEFAULT);
                if period != Period::DEFAULT {
                    warnings.push(Warning::PeriodIgnoredByApps(period));
                }
                Kind::Totp { period }
            };
            (kind, algorithm, digits)
        };

        Ok(Parsed {
            account: Account {
                issuer,
                name,
                secret,
                algorithm,
                digits,
                kind,
                extra,
            },
            warnings,
        })
    }

    /// The canonical `otpauth://` URI:
    /// `otpauth://TYPE/ISSUER:NAME?secret=…&issuer=…` then, only where they differ from
    /// the defaults, `algorithm`, `digits` and `period`; `counter` for HOTP;
    /// `encoder=steam` for Steam (type `totp`, so apps without Steam support still
    /// import it); then [`Account::extra`]. Every byte outside the unreserved
    /// characters is percent-encoded, the issuer and name separately (so a `:` inside
    /// them cannot be mistaken for the separator); the secret is uppercase unpadded
    /// Base32. Without an issuer, a name containing `:` is written after an empty
    /// prefix (`otpauth://totp/:a%3Ab`) so it reads back whole.
    ///
    /// The result contains the secret: treat it like the secret.
    ///
    /// [`Account::parse`] reads the result back to an equal account as long as it fits
    /// in [`MAX_URI_LEN`] bytes. Percent-encoding can make it up to three times as
    /// long as the text it encodes, so an account with very long names or extra
    /// parameters (even one parsed from a URI under the limit) can build a URI that
    /// parse refuses with [`UriError::TooLong`] — never one it reads differently.
    ///
    /// ```
    /// use otpkit::otpauth::{Account, Kind};
    /// use otpkit::{Algorithm, Digits, Secret};
    /// let account = Account {
    ///     issuer: Some("Bob's Bank".into()),
    ///     name: "bob@example.com".into(),
    ///     secret: Secret::from_bytes(b"12345678901234567890")?,
    ///     algorithm: Algorithm::Sha256,
    ///     digits: Digits::EIGHT,
    ///     kind: Kind::Hotp { counter: 7 },
    ///     extra: vec![],
    /// };
    /// let uri = account.to_uri();
    /// assert_eq!(uri, "otpauth://hotp/Bob%27s%20Bank:bob%40example.com?\
    ///     secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bob%27s%20Bank&algorithm=SHA256&digits=8&counter=7");
    /// assert_eq!(Account::parse(&uri)?.account, account);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_uri(&self) -> String {
        // Reserve the most the URI can take (every text byte encoded as three), so the
        // String never reallocates and leaves copies of the secret in freed memory.
        let texts = self
            .extra
            .iter()
            .fold(self.name.len(), |n, (k, v)| {
                n.saturating_add(k.len())
                    .saturating_add(v.len())
                    .saturating_add(2)
            })
            .saturating_add(
                self.issuer
                    .as_ref()
                    .map_or(0, |i| i.len().saturating_mul(2)),
            );
        let mut uri = String::with_capacity(
            texts
                .saturating_mul(3)
                .saturating_add(crate::MAX_SECRET_LEN.saturating_mul(8).div_ceil(5))
                .saturating_add(160),
        );
        uri.push_str("otpauth://");
        uri.push_str(match self.kind {
            Kind::Hotp { .. } => "hotp/",
            Kind::Totp { .. } | Kind::Steam => "totp/",
        });
        let issuer = self.issuer.as_deref().filter(|i| !i.is_empty());
        match issuer {
            Some(issuer) => {
                push_encoded(&mut uri, issuer);
                uri.push(':');
            }
            None if self.name.contains(':') => uri.push(':'),
            None => {}
        }
        push_encoded(&mut uri, &self.name);
        // Writing to a String cannot fail.
        let _ = write!(uri, "?secret={}", self.secret.base32());
        if let Some(issuer) = issuer {
            uri.push_str("&issuer=");
            push_encoded(&mut uri, issuer);
        }
        if self.kind != Kind::Steam {
            if self.algorithm != Algorithm::Sha1 {
                let _ = write!(uri, "&algorithm={}", self.algorithm.name());
            }
            if self.digits != Digits::SIX {
                let _ = write!(uri, "&digits={}", self.digits);
            }
        }
        match self.kind {
            Kind::Totp { period } if period != Period::DEFAULT => {
                let _ = write!(uri, "&period={}", period.seconds());
            }
            Kind::Totp { .. } => {}
            Kind::Hotp { counter } => {
                let _ = write!(uri, "&counter={counter}");
            }
            Kind::Steam => uri.push_str("&encoder=steam"),
        }
        for (key, value) in &self.extra {
            let lowercase = key.to_ascii_lowercase();
            // An `encoder` other than steam is kept like any unknown parameter; one that
            // would change the kind (or repeat Steam's) is not written.
            let skip = if lowercase == "encoder" {
                self.kind == Kind::Steam || value.eq_ignore_ascii_case("steam")
            } else {
                KNOWN.contains(&lowercase.as_str())
            };
            if skip {
                continue;
            }
            uri.push('&');
            push_encoded(&mut uri, key);
            uri.push('=');
            push_encoded(&mut uri, value);
        }
        uri
    }

    /// The label as apps display it: `Issuer:name`, or `name` without an issuer.
    ///
    /// ```
    /// let a: otpkit::otpauth::Account =
    ///     "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example".parse()?;
    /// assert_eq!(a.label(), "Example:alice@google.com");
    /// # Ok::<(), otpkit::otpauth::UriError>(())
    /// ```
    pub fn label(&self) -> String {
        match self.issuer.as_deref().filter(|i| !i.is_empty()) {
            Some(issuer) => {
                let mut label = String::from(issuer);
                label.push(':');
                label.push_str(&self.name);
                label
            }
            None => self.name.clone(),
        }
    }

    /// A TOTP generator for a [`Kind::Totp`] account; `None` for other kinds.
    pub fn totp(&self) -> Option<Totp> {
        match self.kind {
            Kind::Totp { period } => {
                Some(Totp::new(&self.secret, self.algorithm, self.digits, period))
            }
            _ => None,
        }
    }

    /// An HOTP generator for a [`Kind::Hotp`] account; `None` for other kinds. The
    /// next code is `hotp.code(counter)`.
    pub fn hotp(&self) -> Option<Hotp> {
        match self.kind {
            Kind::Hotp { .. } => Some(Hotp::new(&self.secret, self.algorithm, self.digits)),
            _ => None,
        }
    }

    /// A Steam Guard generator for a [`Kind::Steam`] account; `None` for other kinds.
    pub fn steam(&self) -> Option<SteamGuard> {
        match self.kind {
            Kind::Steam => Some(SteamGuard::new(&self.secret)),
            _ => None,
        }
    }
}

impl FromStr for Account {
    type Err = UriError;

    /// [`Account::parse`] without the warnings.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Account::parse(s).map(|p| p.account)
    }
}

fn read_secret(raw: Option<&str>, warnings: &mut Vec<Warning>) -> Result<Secret, UriError> {
    let raw = raw.ok_or(UriError::MissingSecret)?;
    let text = Zeroizing::new(decode(raw, true, "secret")?);
    if text.bytes().any(|b| b.is_ascii_lowercase()) {
        warnings.push(Warning::SecretLowercase);
    }
    if text.contains('=') {
        warnings.push(Warning::SecretPadded);
    }
    if text.contains([' ', '\t', '\r', '\n', '-']) {
        warnings.push(Warning::SecretSpaced);
    }
    let secret = Secret::from_base32_with(&text, LengthPolicy::AllowShort)?;
    if secret.is_short() {
        warnings.push(Warning::ShortSecret {
            bits: secret.len().saturating_mul(8),
        });
    }
    Ok(secret)
}

/// Splits a raw (still encoded) label at its issuer separator: the first literal `:`,
/// or else the first `%3A`/`%3a`. The builder always writes a literal `:`, and
/// encodes a `:` inside the issuer or name as `%3A`, so what it writes splits right.
pub(crate) fn split_label(raw: &str) -> (Option<&str>, &str) {
    if let Some((issuer, name)) = raw.split_once(':') {
        return (Some(issuer), name);
    }
    let encoded = raw
        .as_bytes()
        .windows(3)
        .position(|w| matches!(w, [b'%', b'3', b'a' | b'A']));
    match encoded {
        Some(at) => match (raw.get(..at), at.checked_add(3).and_then(|e| raw.get(e..))) {
            (Some(issuer), Some(name)) => (Some(issuer), name),
            _ => (None, raw),
        },
        None => (None, raw),
    }
}

/// Percent-decodes `raw` as UTF-8; `+` reads as a space when `plus_as_space` (query
/// values, as HTML forms and 2FAS write them). Malformed escapes (`%zz`) are kept as
/// written, as browsers do. Buffers that may hold a secret are wiped.
fn decode(raw: &str, plus_as_space: bool, part: &'static str) -> Result<String, UriError> {
    let decoded: Vec<u8> = if plus_as_space && raw.contains('+') {
        let replaced = Zeroizing::new(raw.replace('+', " "));
        let mut out = Vec::with_capacity(replaced.len());
        out.extend(percent_decode_str(&replaced));
        out
    } else {
        let mut out = Vec::with_capacity(raw.len());
        out.extend(percent_decode_str(raw));
        out
    };
    String::from_utf8(decoded).map_err(|e| {
        e.into_bytes().zeroize();
        UriError::InvalidUtf8 { part }
    })
}

fn push_encoded(out: &mut String, value: &str) {
    out.extend(utf8_percent_encode(value, ENCODE));
}

fn parse_u64(raw: &str, parameter: &'static str) -> Result<u64, UriError> {
    let value = decode(raw, true, parameter)?;
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UriError::InvalidNumber { parameter });
    }
    value
        .parse::<u64>()
        .map_err(|_| UriError::InvalidNumber { parameter })
}

pub(crate) fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    match (s.get(..prefix.len()), s.get(prefix.len()..)) {
        (Some(head), Some(rest)) if head.eq_ignore_ascii_case(prefix) => Some(rest),
        _ => None,
    }
}
