//! The shared secret, as an immutable object.

use std::fmt::Write as _;
use std::sync::Arc;

use otpkit_facade::args as fa;
use zeroize::Zeroizing;

use crate::error::ffi;
use crate::{Algorithm, OtpkitError};

/// An OTP shared secret: 16 to 128 bytes (1 to 128 with `allow_short`).
///
/// Its bytes come out only when asked for by name (`bytes`, `base32`,
/// `base32_grouped`); its text (Kotlin `toString()`, Swift `description` and
/// `debugDescription`) shows the length only. Equality is constant-time.
#[derive(PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Debug, Display, Eq)]
pub struct Secret(pub(crate) otpkit::Secret);

crate::transparent_debug!(Secret, 0);

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl Secret {
    /// The core secret.
    pub fn core(&self) -> &otpkit::Secret {
        &self.0
    }
}

#[uniffi::export]
impl Secret {
    /// A new random secret from the operating system's RNG, as long as the
    /// algorithm's hash output (20, 32 or 64 bytes), as RFC 4226 recommends.
    /// `algorithm` defaults to SHA-1 (`None`), what every authenticator app computes.
    #[uniffi::constructor(default(algorithm = None))]
    pub fn generate(algorithm: Option<Algorithm>) -> Result<Arc<Self>, OtpkitError> {
        let secret = ffi(fa::secret_generate(algorithm.map(Algorithm::name)))?;
        Ok(Arc::new(Secret(secret)))
    }

    /// A secret from Base32 as people paste it: any case, spaces, hyphens, optional
    /// `=` padding. A character outside Base32 is an error naming its position. A
    /// secret shorter than 128 bits is an error unless `allow_short` is true.
    #[uniffi::constructor(default(allow_short = false))]
    pub fn from_base32(text: String, allow_short: bool) -> Result<Arc<Self>, OtpkitError> {
        let text = Zeroizing::new(text);
        Ok(Arc::new(Secret(ffi(fa::secret_base32(
            &text,
            allow_short,
        ))?)))
    }

    /// A secret from raw bytes; shorter than 128 bits only with `allow_short`.
    #[uniffi::constructor(default(allow_short = false))]
    pub fn from_bytes(bytes: Vec<u8>, allow_short: bool) -> Result<Arc<Self>, OtpkitError> {
        let bytes = Zeroizing::new(bytes);
        Ok(Arc::new(Secret(ffi(fa::secret_bytes(
            &bytes,
            allow_short,
        ))?)))
    }

    /// The secret's bytes. Handle with care: this is the key itself.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.as_bytes().to_vec()
    }

    /// The canonical Base32 text (uppercase, unpadded), as `otpauth://` URIs carry it.
    pub fn base32(&self) -> String {
        self.0.base32().to_string()
    }

    /// The Base32 text in groups of four separated by spaces, for typing by hand
    /// (the "secret key" shown beside a QR code). `from_base32` reads it back.
    pub fn base32_grouped(&self) -> String {
        // Reserved up front (8 symbols per 5 bytes, a space per 4 symbols), so the
        // text never grows and leaves a partial copy in a freed buffer.
        let symbols = self.0.len().saturating_mul(8).div_ceil(5);
        let mut text = String::with_capacity(symbols.saturating_add(symbols / 4));
        // Writing to a String cannot fail.
        let _ = write!(text, "{}", self.0.base32_grouped());
        text
    }

    /// The length in bytes.
    #[allow(clippy::len_without_is_empty)] // a secret is never empty
    pub fn len(&self) -> u32 {
        // At most 128 (the core's maximum), so the conversion never saturates.
        u32::try_from(self.0.len()).unwrap_or(u32::MAX)
    }

    /// Whether the secret is shorter than RFC 4226's 128 bits.
    pub fn is_short(&self) -> bool {
        self.0.is_short()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn base32_in_and_out() {
        let s =
            Secret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq".into(), false).unwrap();
        assert_eq!(s.bytes(), b"12345678901234567890");
        assert_eq!(s.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            s.base32_grouped(),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
        assert_eq!(s.len(), 20);
        assert!(!s.is_short());
    }

    #[test]
    fn short_secrets_need_opting_in_and_the_message_names_allow_short() {
        let e = Secret::from_base32("JBSWY3DPEHPK3PXP".into(), false).unwrap_err();
        assert!(
            matches!(
                e,
                OtpkitError::InvalidInput {
                    reason: ErrorCode::SecretTooShort,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.detail().contains("allowShort"), "{e}");
        assert!(
            Secret::from_base32("JBSWY3DPEHPK3PXP".into(), true)
                .unwrap()
                .is_short()
        );
        let e = Secret::from_bytes(vec![1; 10], false).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::SecretTooShort);
        assert_eq!(Secret::from_bytes(vec![1; 10], true).unwrap().len(), 10);
    }

    #[test]
    fn generated_length_follows_the_algorithm() {
        for (alg, len) in [
            (Algorithm::Sha1, 20),
            (Algorithm::Sha256, 32),
            (Algorithm::Sha512, 64),
        ] {
            assert_eq!(Secret::generate(Some(alg)).unwrap().len(), len);
        }
        assert_ne!(
            Secret::generate(None).unwrap(),
            Secret::generate(None).unwrap()
        );
    }

    #[test]
    fn its_text_shows_no_material() {
        let s = Secret::from_bytes(b"12345678901234567890".to_vec(), false).unwrap();
        for text in [format!("{s:?}"), s.to_string()] {
            assert!(!text.contains("GEZD") && !text.contains("49"), "{text}");
            assert!(text.contains("len: 20"), "{text}");
        }
    }

    #[test]
    fn invalid_character_error_names_the_position_not_the_text() {
        let e = Secret::from_base32("GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ".into(), false).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::SecretInvalidCharacter);
        let message = e.to_string();
        assert!(message.contains("position 16"), "{message}");
        assert!(!message.contains("GEZD"), "{message}");
    }
}
