//! `uniffi-bindgen`, built from the same uniffi release as `otpkit-uniffi`, so the
//! generated Kotlin, Python and Swift sources match the scaffolding in the library.
//!
//! ```sh
//! cargo run -p uniffi-bindgen -- generate --library target/debug/libotpkit_ffi.so \
//!     --language python --out-dir out/
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
