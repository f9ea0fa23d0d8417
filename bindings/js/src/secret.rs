//! The shared secret.

use wasm_bindgen::prelude::*;

use crate::error::core_error;
use crate::otp::algorithm;

/// An OTP shared secret: 16 to 128 bytes (1 to 128 with `allowShort`). Its bytes
/// come out only when asked for by name (`bytes`, `base32`, `base32Grouped`).
#[wasm_bindgen]
pub struct Secret(pub(crate) otpkit::Secret);

fn policy(allow_short: Option<bool>) -> otpkit::LengthPolicy {
    if allow_short.unwrap_or(false) {
        otpkit::LengthPolicy::AllowShort
    } else {
        otpkit::LengthPolicy::Rfc4226
    }
}

#[wasm_bindgen]
impl Secret {
    /// A new random secret from the Web Crypto RNG (`crypto.getRandomValues`), as
    /// long as the algorithm's hash output (20, 32 or 64 bytes). `algorithm` is
    /// `"SHA1"` (the default), `"SHA256"` or `"SHA512"`.
    pub fn generate(
        #[wasm_bindgen(unchecked_optional_param_type = "Algorithm")] algorithm: Option<String>,
    ) -> Result<Secret, JsValue> {
        let algorithm = self::algorithm(algorithm)?;
        otpkit::Secret::generate(algorithm)
            .map(Secret)
            .map_err(|e| core_error("SecretError", &e))
    }

    /// A secret from Base32 as people paste it: any case, spaces, hyphens, optional
    /// `=` padding. A secret shorter than 128 bits is an error unless `allowShort`.
    #[wasm_bindgen(js_name = fromBase32)]
    pub fn from_base32(
        text: &str,
        #[wasm_bindgen(js_name = allowShort)] allow_short: Option<bool>,
    ) -> Result<Secret, JsValue> {
        otpkit::Secret::from_base32_with(text, policy(allow_short))
            .map(Secret)
            .map_err(|e| core_error("SecretError", &e))
    }

    /// A secret from raw bytes; shorter than 128 bits only with `allowShort`.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        bytes: &[u8],
        #[wasm_bindgen(js_name = allowShort)] allow_short: Option<bool>,
    ) -> Result<Secret, JsValue> {
        otpkit::Secret::from_bytes_with(bytes, policy(allow_short))
            .map(Secret)
            .map_err(|e| core_error("SecretError", &e))
    }

    /// The secret's bytes. Handle with care: this is the key itself.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.as_bytes().to_vec()
    }

    /// The canonical Base32 text (uppercase, unpadded), as `otpauth://` URIs carry it.
    pub fn base32(&self) -> String {
        self.0.base32().to_string()
    }

    /// The Base32 text in groups of four separated by spaces, for typing by hand.
    #[wasm_bindgen(js_name = base32Grouped)]
    pub fn base32_grouped(&self) -> String {
        self.0.base32_grouped().to_string()
    }

    /// The length in bytes.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret is shorter than RFC 4226's 128 bits.
    #[wasm_bindgen(js_name = isShort)]
    pub fn is_short(&self) -> bool {
        self.0.is_short()
    }

    /// The core's debug text: the length only, never the bytes.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        format!("{:?}", self.0)
    }
}
