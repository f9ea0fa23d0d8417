//! The shared secret.

use otpkit_facade::args as fa;
use wasm_bindgen::prelude::*;

use crate::args::{bytes, opt_bool, opt_string, string};
use crate::error::js;

/// An OTP shared secret: 16 to 128 bytes (1 to 128 with `allowShort`). Its bytes
/// come out only when asked for by name (`bytes`, `base32`, `base32Grouped`).
#[wasm_bindgen]
pub struct Secret(pub(crate) otpkit::Secret);

#[wasm_bindgen]
impl Secret {
    /// A new random secret from the Web Crypto RNG (`crypto.getRandomValues`), as
    /// long as the algorithm's hash output (20, 32 or 64 bytes). `algorithm` is
    /// `"SHA1"` (the default), `"SHA256"` or `"SHA512"`.
    pub fn generate(
        #[wasm_bindgen(unchecked_optional_param_type = "Algorithm")] algorithm: JsValue,
    ) -> Result<Secret, JsValue> {
        let algorithm = opt_string(&algorithm, "algorithm")?;
        js(fa::secret_generate(algorithm.as_deref())).map(Secret)
    }

    /// A secret from Base32 as people paste it: any case, spaces, hyphens, optional
    /// `=` padding. A secret shorter than 128 bits is an error unless `allowShort`.
    #[wasm_bindgen(js_name = fromBase32)]
    pub fn from_base32(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(js_name = allowShort, unchecked_optional_param_type = "boolean")]
        allow_short: JsValue,
    ) -> Result<Secret, JsValue> {
        let text = string(&text, "text")?;
        js(fa::secret_base32(
            &text,
            opt_bool(&allow_short, "allowShort")?,
        ))
        .map(Secret)
    }

    /// A secret from raw bytes; shorter than 128 bits only with `allowShort`.
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
        #[wasm_bindgen(js_name = allowShort, unchecked_optional_param_type = "boolean")]
        allow_short: JsValue,
    ) -> Result<Secret, JsValue> {
        let raw = zeroize_on_drop(self::bytes(&bytes, "bytes")?);
        js(fa::secret_bytes(
            &raw.0,
            opt_bool(&allow_short, "allowShort")?,
        ))
        .map(Secret)
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

/// Bytes overwritten with zeros when dropped (a copy of key material).
pub(crate) struct Wiped(pub(crate) Vec<u8>);

impl Drop for Wiped {
    fn drop(&mut self) {
        for b in &mut self.0 {
            // A volatile-free wipe is enough here: the buffer is freed right after,
            // and `black_box` keeps the writes from being optimised away.
            *b = 0;
        }
        core::hint::black_box(&self.0);
    }
}

pub(crate) fn zeroize_on_drop(bytes: Vec<u8>) -> Wiped {
    Wiped(bytes)
}
