//! Secrets as people type them (Base32 or hex) and the CLI's own wording for what the
//! library reports in its Rust API's terms.

use std::fmt::Write as _;

use otpkit::{LengthPolicy, Secret, SecretError};
use zeroize::Zeroizing;

use crate::error::CliError;

/// The shortest secret `code` and `check` use without [`ALLOW_SHORT_FLAG`]: 80 bits
/// (16 Base32 characters), what services still issue although RFC 4226 asks for 128.
/// A shorter one is almost always a secret copied in part.
pub const MIN_SECRET_BITS: usize = 80;

/// The flag that accepts secrets shorter than the tool's floor ([`MIN_SECRET_BITS`]
/// for `code` and `check`, RFC 4226's 128 bits for a PSKC import): the name errors
/// give.
pub const ALLOW_SHORT_FLAG: &str = "--allow-short-secret";

/// Refuses a secret under [`MIN_SECRET_BITS`] unless `allow_short` (the
/// [`ALLOW_SHORT_FLAG`]) was given.
pub fn check_length(secret: &Secret, allow_short: bool) -> Result<(), CliError> {
    let bits = secret.len().saturating_mul(8);
    if bits >= MIN_SECRET_BITS || allow_short {
        return Ok(());
    }
    Err(CliError::usage(format_args!(
        "invalid secret: the secret is {bits} bits, shorter than {MIN_SECRET_BITS} bits: it \
         was probably copied in part; if it really is that short, add {ALLOW_SHORT_FLAG}"
    )))
}

/// A secret typed on the command line: Base32 (any case, spaces and hyphens allowed)
/// or, with `hex`, hexadecimal (oathtool's default form). Any length is read (the
/// caller checks it with [`check_length`]). Returns the secret and, for Base32 text
/// whose last symbol carries bits that do not fill a byte, a warning saying so.
pub fn parse(text: &str, hex: bool) -> Result<(Secret, Option<String>), CliError> {
    if hex {
        return Ok((parse_hex(text)?, None));
    }
    let secret = Secret::from_base32_with(text, LengthPolicy::AllowShort)
        .map_err(|e| CliError::usage(format_args!("invalid secret: {}", message(&e))))?;
    let warning = dropped_bits(text).map(|dropped| {
        format!(
            "the Base32 secret is not canonical: its last {dropped} bit(s) do not fill a byte \
             and were dropped, so the secret is {} bits; check that it was copied whole",
            secret.len().saturating_mul(8)
        )
    });
    Ok((secret, warning))
}

/// Hex digits (any case; spaces, colons and hyphens between them allowed).
fn parse_hex(text: &str) -> Result<Secret, CliError> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(text.len().div_ceil(2)));
    let mut high: Option<u8> = None;
    for (index, c) in text.chars().enumerate() {
        if matches!(c, ' ' | ':' | '-' | '\t') {
            continue;
        }
        let Some(nibble) = c.to_digit(16).and_then(|d| u8::try_from(d).ok()) else {
            return Err(CliError::usage(format_args!(
                "invalid secret: invalid hex character at position {}: hex uses 0-9 and a-f",
                index.saturating_add(1)
            )));
        };
        match high.take() {
            None => high = Some(nibble),
            Some(h) => bytes.push(h.wrapping_shl(4) | nibble),
        }
    }
    if high.is_some() {
        return Err(CliError::usage(
            "invalid secret: an odd number of hex digits (two per byte)",
        ));
    }
    Secret::from_bytes_with(&bytes, LengthPolicy::AllowShort)
        .map_err(|e| CliError::usage(format_args!("invalid secret: {}", message(&e))))
}

/// The number of non-zero bits that Base32 `text` carries past its last whole byte
/// (`JBSWY3DPEHPK`: 12 symbols, 60 bits, 4 of them dropped), or `None` when they are
/// all zero (canonical text) or the text has no symbols. Unused bits of zero are the
/// canonical encoding of a shorter secret and are not worth a warning.
pub fn dropped_bits(text: &str) -> Option<u32> {
    let mut symbols: usize = 0;
    let mut last: u32 = 0;
    for c in text.chars() {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => u32::from(c).wrapping_sub(u32::from('A')),
            c @ '2'..='7' => u32::from(c).wrapping_sub(u32::from('2')).wrapping_add(26),
            _ => continue,
        };
        symbols = symbols.wrapping_add(1);
        last = value;
    }
    // Bits past the last whole byte: (5 * symbols) mod 8, all in the last symbol.
    let extra = u32::try_from(symbols.wrapping_mul(5) % 8).ok()?;
    if extra == 0 || extra >= 5 {
        return None;
    }
    let mask = (1u32 << extra).wrapping_sub(1);
    (last & mask != 0).then_some(extra)
}

/// The Base32 `secret=` value of an `otpauth://` URI, as written (percent escapes
/// dropped: Base32 needs none), for [`dropped_bits`].
pub fn uri_secret_text(uri: &str) -> Option<Zeroizing<String>> {
    let query = uri.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or_default();
    let value = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.eq_ignore_ascii_case("secret"))?
        .1;
    let mut out = Zeroizing::new(String::with_capacity(value.len()));
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            chars.next();
            chars.next();
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// The library's message for a secret error, with the remedy said in the CLI's terms
/// (the library's own text names its Rust API, which a CLI user cannot act on).
pub fn message(e: &SecretError) -> String {
    match e {
        SecretError::TooShort { bits } => {
            format!("the secret is {bits} bits, shorter than the 128 bits RFC 4226 requires")
        }
        SecretError::Empty
        | SecretError::TooLong { .. }
        | SecretError::InvalidCharacter { .. }
        | SecretError::InvalidLength { .. }
        | SecretError::RngFailed => e.to_string(),
    }
}

/// `secret`'s canonical Base32 in a wiped buffer allocated once at its final size (so
/// no reallocation leaves a copy in freed memory). `grouped` puts a space every four
/// symbols.
pub fn base32_text(secret: &Secret, grouped: bool) -> Zeroizing<String> {
    let symbols = secret.len().saturating_mul(8).div_ceil(5);
    let capacity = symbols.saturating_add(symbols / 4).saturating_add(1);
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    let _ = if grouped {
        write!(out, "{}", secret.base32_grouped())
    } else {
        write!(out, "{}", secret.base32())
    };
    out
}

/// How far a device's clock is off, the same words for `verify`, `resync` and
/// `check`: "3 step(s) ahead", "1 step(s) behind", "in step".
pub fn drift_text(drift: i64) -> String {
    match drift {
        0 => "in step".to_owned(),
        d if d > 0 => format!("{} step(s) ahead", d.unsigned_abs()),
        d => format!("{} step(s) behind", d.unsigned_abs()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_bits_flags_non_canonical_text_only() {
        // 12 symbols = 60 bits: 4 past the 7th byte; K = 01010, low 4 bits non-zero.
        assert_eq!(dropped_bits("JBSWY3DPEHPK"), Some(4));
        assert_eq!(dropped_bits("jbsw y3dp ehpk"), Some(4));
        // 16 symbols = 80 bits: whole bytes.
        assert_eq!(dropped_bits("JBSWY3DPEHPK3PXP"), None);
        // Canonical 7-byte encoding: the unused bits are zero.
        let canonical = Secret::from_bytes_with(b"1234567", LengthPolicy::AllowShort)
            .unwrap()
            .base32()
            .to_string();
        assert_eq!(canonical.len(), 12);
        assert_eq!(dropped_bits(&canonical), None);
        assert_eq!(dropped_bits(""), None);
    }

    #[test]
    fn parse_warns_about_dropped_bits() {
        let (secret, warning) = parse("JBSWY3DPEHPK", false).unwrap();
        assert_eq!(secret.len(), 7);
        let w = warning.unwrap();
        assert!(w.contains("56 bits") && w.contains("last 4 bit(s)"), "{w}");
        assert!(!w.contains("JBSW"), "{w}");
        assert!(parse("JBSWY3DPEHPK3PXP", false).unwrap().1.is_none());
    }

    #[test]
    fn hex_secrets() {
        let (s, w) = parse("3132333435363738393031323334353637383930", true).unwrap();
        assert_eq!(s.as_bytes(), b"12345678901234567890");
        assert!(w.is_none());
        assert_eq!(parse("31:32 33-34", true).unwrap().0.as_bytes(), b"1234");
        let e = parse("313", true).err().unwrap();
        assert!(e.message.contains("odd number"), "{}", e.message);
        let e = parse("31g2", true).err().unwrap();
        assert!(e.message.contains("position 3"), "{}", e.message);
        assert!(parse("", true).is_err());
    }

    #[test]
    fn messages_name_no_rust_items() {
        let e = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap_err();
        assert!(e.to_string().contains("LengthPolicy"));
        let m = message(&e);
        assert!(m.contains("80 bits") && !m.contains("::"), "{m}");
    }

    #[test]
    fn secrets_under_80_bits_need_the_flag() {
        let short = Secret::from_bytes_with(&[1; 9], LengthPolicy::AllowShort).unwrap();
        let e = check_length(&short, false).unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::Usage);
        assert!(
            e.message.contains("72 bits") && e.message.ends_with("add --allow-short-secret"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("LengthPolicy"), "{}", e.message);
        assert!(check_length(&short, true).is_ok());
        let eighty = Secret::from_bytes_with(&[1; 10], LengthPolicy::AllowShort).unwrap();
        assert!(check_length(&eighty, false).is_ok());
    }

    #[test]
    fn uri_secret_is_found() {
        let t = uri_secret_text("otpauth://totp/a?issuer=x&SECRET=JBSW%20Y3DP&digits=6").unwrap();
        assert_eq!(t.as_str(), "JBSWY3DP");
        assert!(uri_secret_text("otpauth://totp/a").is_none());
    }

    #[test]
    fn drift_wording() {
        assert_eq!(drift_text(3), "3 step(s) ahead");
        assert_eq!(drift_text(-1), "1 step(s) behind");
        assert_eq!(drift_text(0), "in step");
    }

    #[test]
    fn base32_text_is_exact() {
        let s = Secret::from_bytes(b"12345678901234567890").unwrap();
        let t = base32_text(&s, false);
        assert_eq!(t.as_str(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert!(t.capacity() >= t.len());
        assert_eq!(
            base32_text(&s, true).as_str(),
            s.base32_grouped().to_string()
        );
    }
}
