//! Reading `otpauth://` URIs leniently, with warnings.

use alloc::string::String;
use alloc::vec::Vec;
use core::str::FromStr;

use percent_encoding::percent_decode_str;
use zeroize::{Zeroize, Zeroizing};

use super::{Account, Kind, MAX_URI_LEN, UriError, Warning};
use crate::steam::STEAM_PERIOD;
use crate::{Algorithm, Digits, LengthPolicy, Period, Pin, Secret};

/// What [`Account::parse`] returns: the account and everything it normalised or found
/// doubtful on the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The account.
    pub account: Account,
    /// Notes for the user, in the order found. Empty for a canonical URI.
    pub warnings: Vec<Warning>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UriType {
    Totp,
    Hotp,
    Steam,
    Motp,
    Yandex,
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
    pin: Option<&'a str>,
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
            "pin" => ("pin", &mut self.pin),
            _ => return None,
        })
    }
}

impl Account {
    /// Reads an `otpauth://` URI; see the [module documentation](crate::otpauth).
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
        } else if type_raw.eq_ignore_ascii_case("motp") {
            UriType::Motp
        } else if type_raw.eq_ignore_ascii_case("yaotp") || type_raw.eq_ignore_ascii_case("yandex")
        {
            UriType::Yandex
        } else {
            return Err(UriError::UnsupportedType);
        };

        let (label_issuer_raw, name_raw) = split_label(label_raw);
        let label_issuer = match label_issuer_raw {
            Some(raw) => Some(decode(raw, false, "label")?).filter(|s| !s.is_empty()),
            None => None,
        };
        let name = String::from(decode(name_raw, false, "label")?.trim_start_matches(' '));

        // `pin=` is read for the kinds that have a PIN; elsewhere it is an unknown
        // parameter like any other, kept in `extra`.
        let takes_pin = matches!(uri_type, UriType::Motp | UriType::Yandex);
        let mut raw = RawParams::default();
        let mut extra = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key_raw, value_raw) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key_raw, true, "parameter name")?;
            let lowercase = key.to_ascii_lowercase();
            let slot = if lowercase == "pin" && !takes_pin {
                None
            } else {
                raw.slot(&lowercase)
            };
            match slot {
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

        let algorithm_text = match raw.algorithm {
            Some(v) => Some(decode(v, true, "algorithm")?),
            None => None,
        };
        // mOTP and Yandex name their own hash (Aegis writes `MD5`, `SHA256`); it is
        // checked against the scheme's below, not read as an HMAC algorithm.
        let algorithm = match &algorithm_text {
            Some(text) if !takes_pin => text
                .parse::<Algorithm>()
                .map_err(|_| UriError::UnsupportedAlgorithm)?,
            Some(_) | None => Algorithm::Sha1,
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

        let pin = match raw.pin {
            Some(v) => Some(read_pin(v)?),
            None => None,
        };
        let fixed_kind = match uri_type {
            UriType::Motp => Some((Kind::Motp, "MD5", Digits::SIX, 10)),
            UriType::Yandex => Some((Kind::Yandex, "SHA256", Digits::EIGHT, 30)),
            UriType::Totp | UriType::Hotp | UriType::Steam => None,
        };
        let (kind, algorithm, digits) = if let Some((kind, usual, usual_digits, step)) = fixed_kind
        {
            // The hash, length and step are the scheme's; Aegis writes them anyway
            // (`algorithm=MD5`/`SHA256`, `digits=6`/`8`, `period=10`/`30`), which
            // is not worth a note. Anything else is ignored with one.
            if algorithm_text
                .as_deref()
                .is_some_and(|a| !a.eq_ignore_ascii_case(usual))
            {
                warnings.push(Warning::IgnoredParameter { name: "algorithm" });
            }
            if digits_value.is_some_and(|d| d != u64::from(usual_digits.get())) {
                warnings.push(Warning::IgnoredParameter { name: "digits" });
            }
            if period.is_some_and(|p| p.seconds() != step) {
                warnings.push(Warning::IgnoredParameter { name: "period" });
            }
            if counter.is_some() {
                warnings.push(Warning::IgnoredParameter { name: "counter" });
            }
            // RFC 4226's 128-bit minimum is not these schemes' (an mOTP key is 64 bits).
            warnings.retain(|w| !matches!(w, Warning::ShortSecret { .. }));
            (kind, Algorithm::Sha1, Digits::SIX)
        } else if is_steam {
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

        let secret = match kind {
            Kind::Yandex => {
                crate::yandex::parse_secret(secret.as_bytes()).map_err(UriError::YandexSecret)?
            }
            Kind::Motp => {
                // Aegis's form: the Base32 of the bytes whose lowercase hex is the
                // secret text. `secret_encoding=text` (written for a text that is not
                // lowercase hex) marks the Base32 of the text itself.
                let before = extra.len();
                extra.retain(|(key, value)| {
                    !(key.eq_ignore_ascii_case("secret_encoding") && value == "text")
                });
                if extra.len() == before {
                    crate::motp::secret_from_key_bytes(secret.as_bytes())?
                } else {
                    secret
                }
            }
            Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Steam => secret,
        };
        let mut account =
            Account::from_parts((issuer, name), secret, (algorithm, digits, kind), extra);
        if fixed_kind.is_some() {
            account.pin = pin;
        }
        Ok(Parsed { account, warnings })
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

/// Reads `pin=` as Aegis writes it: Base32 (any case, padding, spaces or dashes
/// allowed) of the PIN's UTF-8 text.
fn read_pin(raw: &str) -> Result<Pin, UriError> {
    let text = Zeroizing::new(decode(raw, true, "pin")?);
    let mut cleaned = Zeroizing::new(String::with_capacity(text.len()));
    cleaned.extend(
        text.chars()
            .filter(|c| !matches!(c, ' ' | '-' | '=' | '\t' | '\r' | '\n'))
            .map(|c| c.to_ascii_uppercase()),
    );
    let bytes = Zeroizing::new(
        data_encoding::BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| UriError::InvalidPin)?,
    );
    let pin_text = core::str::from_utf8(&bytes).map_err(|_| UriError::InvalidPin)?;
    Pin::new(pin_text).map_err(|_| UriError::InvalidPin)
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
