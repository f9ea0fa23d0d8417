//! The device-state checksum as documented (first 6 bytes of SHA-256 of the body,
//! lowercase hex), computed here independently of the crate's code. Include with
//! `#[path = "support/state_checksum.rs"] mod state_checksum;`.

/// The checksum of a state's `body` (the text before its last `.`).
pub fn checksum(body: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(body.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `body` with its checksum appended: a state text as the crate writes it.
pub fn sealed(body: &str) -> String {
    format!("{body}.{}", checksum(body))
}
