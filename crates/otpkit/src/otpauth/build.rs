//! Writing an [`Account`] as its canonical `otpauth://` URI.

use alloc::string::String;
use core::fmt::Write as _;

use data_encoding::BASE32_NOPAD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::account::{Colon, Label};
use super::{Account, KNOWN, Kind};
#[cfg(doc)]
use super::{MAX_URI_LEN, UriError};
use crate::{Algorithm, Digits, Period};

/// Every byte outside RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`) gets
/// percent-encoded when building, so no reader can mistake a value's `:`, `&`, `=`,
/// `+`, `#` or `?` for syntax.
pub(crate) const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl Account {
    /// The canonical `otpauth://` URI:
    /// `otpauth://TYPE/ISSUER:NAME?secret=…&issuer=…` then, only where they differ from
    /// the defaults, `algorithm`, `digits` and `period`; `counter` for HOTP;
    /// `encoder=steam` for Steam (type `totp`, so apps without Steam support still
    /// import it); for mOTP and Yandex the types Aegis reads (`motp`, `yaotp`) and
    /// `pin=` with the Base32 of the PIN's UTF-8 text, as Aegis writes it for Yandex
    /// (Aegis itself leaves the PIN out of mOTP URIs and asks for it; it ignores the
    /// parameter there). An mOTP secret text that is lowercase hex is written as
    /// Aegis writes it, the Base32 of the bytes it spells; any other text (andOTP and
    /// Authenticator Pro keep it as typed) as the Base32 of the text with
    /// `secret_encoding=text`, which this reader honours and Aegis does not (Aegis
    /// would show other codes for such an account). Then [`Account::extra`]. Every byte outside the unreserved
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
    ///     pin: None,
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
            Kind::Motp => "motp/",
            Kind::Yandex => "yaotp/",
        });
        let label = Label::of(self);
        label.write(&mut uri, Colon::Protected, push_encoded);
        let issuer = label.issuer;
        // Writing to a String cannot fail.
        let mut key = zeroize::Zeroizing::new([0u8; crate::MAX_SECRET_LEN]);
        let motp_text = match self.kind {
            Kind::Motp => match crate::motp::key_bytes(&self.secret, &mut key) {
                Some(bytes) => {
                    let _ = write!(uri, "?secret={}", BASE32_NOPAD.encode_display(bytes));
                    false
                }
                None => {
                    let _ = write!(uri, "?secret={}", self.secret.base32());
                    true
                }
            },
            Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Steam | Kind::Yandex => {
                let _ = write!(uri, "?secret={}", self.secret.base32());
                false
            }
        };
        if let Some(issuer) = issuer {
            uri.push_str("&issuer=");
            push_encoded(&mut uri, issuer);
        }
        let fixed = matches!(self.kind, Kind::Steam | Kind::Motp | Kind::Yandex);
        if !fixed {
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
            Kind::Motp | Kind::Yandex => {
                if motp_text {
                    uri.push_str("&secret_encoding=text");
                }
                if let Some(pin) = &self.pin {
                    let _ = write!(uri, "&pin={}", BASE32_NOPAD.encode_display(pin.as_bytes()));
                }
            }
        }
        let has_pin = matches!(self.kind, Kind::Motp | Kind::Yandex);
        for (key, value) in &self.extra {
            let lowercase = key.to_ascii_lowercase();
            // An `encoder` other than steam is kept like any unknown parameter; one that
            // would change the kind (or repeat Steam's) is not written.
            let skip = if lowercase == "encoder" {
                self.kind == Kind::Steam || value.eq_ignore_ascii_case("steam")
            } else {
                KNOWN.contains(&lowercase.as_str())
                    || (has_pin && lowercase == "pin")
                    || (self.kind == Kind::Motp
                        && lowercase == "secret_encoding"
                        && value == "text")
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
}

fn push_encoded(out: &mut String, value: &str) {
    out.extend(utf8_percent_encode(value, ENCODE));
}
