//! The pull (decrypting) side of libsodium's `crypto_secretstream_xchacha20poly1305`,
//! from RustCrypto's `chacha20` and `poly1305`, following libsodium's published
//! construction (libsodium 1.0.14 and later, `secretstream_xchacha20poly1305.c`):
//!
//! - the 24-byte header gives the subkey `HChaCha20(key, header[..16])` and the
//!   8-byte nonce part `header[16..]`; the 96-bit ChaCha20-IETF nonce is a 32-bit
//!   little-endian counter (starting at 1) followed by those 8 bytes;
//! - a message is `c0 ‖ ciphertext ‖ mac` (17 bytes of overhead): the Poly1305 key is
//!   the first 32 bytes of keystream block 0; `c0` is the tag byte encrypted with the
//!   first byte of block 1, and the MAC covers the additional data (zero-padded to a
//!   multiple of 16), the 64-byte encrypted block 1 (`c0` and the rest of block 1's
//!   keystream), the ciphertext followed by `len % 16` zero bytes (libsodium's
//!   padding expression `(0x10 - 64 + mlen) & 0xf`, which is not a pad to 16 and
//!   must be copied as is), and the two lengths (additional data, `64 + ciphertext`)
//!   as 64-bit little-endian; the ciphertext is decrypted from block 2;
//! - after a message the nonce part is XORed with the MAC's first 8 bytes, the
//!   counter incremented, and on a `REKEY` tag or a wrapped counter the key and nonce
//!   part are replaced by the first 40 bytes of keystream over them.
//!
//! The MAC is checked (in constant time) before anything is decrypted.

use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use chacha20::{ChaCha20, R20, hchacha};
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The stream header's length in bytes.
pub(crate) const HEADERBYTES: usize = 24;
/// The bytes one message adds to its plaintext (tag byte and MAC).
pub(crate) const ABYTES: usize = 17;
/// The tag of an ordinary message.
pub(crate) const TAG_MESSAGE: u8 = 0;
/// The tag of a stream's last message.
pub(crate) const TAG_FINAL: u8 = 3;
const TAG_REKEY: u8 = 2;

/// The state of a stream being read.
pub(crate) struct Pull {
    key: Zeroizing<[u8; 32]>,
    /// Counter (4 bytes, little-endian) ‖ nonce part (8 bytes).
    nonce: Zeroizing<[u8; 12]>,
}

impl Pull {
    /// `crypto_secretstream_xchacha20poly1305_init_pull`; `None` if `header` is not
    /// 24 bytes.
    pub(crate) fn new(key: &[u8; 32], header: &[u8]) -> Option<Pull> {
        let header: &[u8; HEADERBYTES] = header.try_into().ok()?;
        let (hin, inonce) = header.split_at(16);
        let hin: &[u8; 16] = hin.try_into().ok()?;
        let sub = Zeroizing::new(hchacha::<R20>(key.into(), hin.into()));
        let mut state = Pull {
            key: Zeroizing::new([0; 32]),
            nonce: Zeroizing::new([0; 12]),
        };
        state.key.copy_from_slice(sub.as_slice());
        state.reset_counter();
        state.nonce.get_mut(4..)?.copy_from_slice(inonce);
        Some(state)
    }

    fn reset_counter(&mut self) {
        for (b, v) in self.nonce.iter_mut().zip(1u32.to_le_bytes()) {
            *b = v;
        }
    }

    fn cipher(&self) -> ChaCha20 {
        ChaCha20::new((&*self.key).into(), (&*self.nonce).into())
    }

    /// `crypto_secretstream_xchacha20poly1305_pull` of one message with additional
    /// data `ad`: the plaintext and the tag, or `None` if the MAC does not verify
    /// (wrong key, damaged or reordered data) or the message is shorter than
    /// [`ABYTES`].
    pub(crate) fn pull(&mut self, message: &[u8], ad: &[u8]) -> Option<(Zeroizing<Vec<u8>>, u8)> {
        let (&c0, rest) = message.split_first()?;
        let mlen = rest.len().checked_sub(16)?;
        let (ciphertext, mac) = rest.split_at_checked(mlen)?;

        let mut cipher = self.cipher();
        let mut block0 = Zeroizing::new([0u8; 64]);
        cipher.apply_keystream(block0.as_mut_slice());
        let poly_key: &[u8; 32] = block0.get(..32)?.try_into().ok()?;
        let mac_state = Poly1305::new(poly_key.into());

        // Block 1: the tag byte and the keystream the MAC covers.
        let mut block1 = [0u8; 64];
        block1[0] = c0;
        cipher.apply_keystream(&mut block1);
        let tag = block1[0];
        block1[0] = c0;

        let mut authenticated = Vec::with_capacity(
            ad.len()
                .checked_add(64)?
                .checked_add(mlen)?
                .checked_add(48)?,
        );
        pad16(&mut authenticated, ad);
        authenticated.extend_from_slice(&block1);
        authenticated.extend_from_slice(ciphertext);
        authenticated.resize(authenticated.len().checked_add(mlen % 16)?, 0);
        authenticated.extend_from_slice(&u64::try_from(ad.len()).ok()?.to_le_bytes());
        let total = u64::try_from(mlen).ok()?.checked_add(64)?;
        authenticated.extend_from_slice(&total.to_le_bytes());
        let computed = mac_state.compute_unpadded(&authenticated);
        if !bool::from(computed.as_slice().ct_eq(mac)) {
            return None;
        }

        let mut plaintext = Zeroizing::new(ciphertext.to_vec());
        cipher.seek(128u64);
        cipher.apply_keystream(plaintext.as_mut_slice());

        for (n, m) in self.nonce.get_mut(4..)?.iter_mut().zip(mac) {
            *n ^= m;
        }
        let counter = u32::from_le_bytes(self.nonce.get(..4)?.try_into().ok()?).wrapping_add(1);
        self.nonce
            .get_mut(..4)?
            .copy_from_slice(&counter.to_le_bytes());
        if tag & TAG_REKEY != 0 || counter == 0 {
            self.rekey()?;
        }
        Some((plaintext, tag))
    }

    /// `crypto_secretstream_xchacha20poly1305_rekey`.
    fn rekey(&mut self) -> Option<()> {
        let mut next = Zeroizing::new([0u8; 40]);
        next.get_mut(..32)?.copy_from_slice(self.key.as_slice());
        next.get_mut(32..)?.copy_from_slice(self.nonce.get(4..)?);
        self.cipher().apply_keystream(next.as_mut_slice());
        self.key.copy_from_slice(next.get(..32)?);
        self.nonce.get_mut(4..)?.copy_from_slice(next.get(32..)?);
        self.reset_counter();
        Some(())
    }
}

/// Appends `data` and zeros up to the next multiple of 16 bytes.
fn pad16(to: &mut Vec<u8>, data: &[u8]) {
    to.extend_from_slice(data);
    let rem = data.len() % 16;
    if rem != 0 {
        to.resize(to.len().saturating_add(16usize.saturating_sub(rem)), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        data_encoding::HEXLOWER.decode(s.as_bytes()).unwrap()
    }

    // Made with libsodium (PyNaCl's `crypto_secretstream_xchacha20poly1305_push`):
    // key 00 01 … 1f; "first message, 33 bytes long...." (MESSAGE), "second" with
    // additional data "ad" (REKEY), "" (FINAL).
    const HEADER: &str = "1dfdafd9f554e55b63327bda1f17323485e6fc6ac6620a8e";
    const C1: &str = "241def1a104b8620971567cf874224981e03c5b0e303216102c3a6a4a93940b3a3909c42c9ce26d70bf7f8ba91cb33ba6c";
    const C2: &str = "36dd89d04bf9ba3dc2f1836e1935e9cf5081089d017a35";
    const C3: &str = "a236ff2dd8420477808e9df2520c513c79";

    fn key() -> [u8; 32] {
        core::array::from_fn(|i| u8::try_from(i).unwrap())
    }

    #[test]
    fn reads_a_libsodium_stream_with_additional_data_and_a_rekey() {
        let mut s = Pull::new(&key(), &hex(HEADER)).unwrap();
        let (m, tag) = s.pull(&hex(C1), &[]).unwrap();
        assert_eq!(
            (m.as_slice(), tag),
            (&b"first message, 33 bytes long...."[..], 0)
        );
        let (m, tag) = s.pull(&hex(C2), b"ad").unwrap();
        assert_eq!((m.as_slice(), tag), (&b"second"[..], TAG_REKEY));
        // Only right if the rekey after the REKEY tag was done as libsodium does.
        let (m, tag) = s.pull(&hex(C3), &[]).unwrap();
        assert_eq!((m.as_slice(), tag), (&b""[..], TAG_FINAL));
    }

    #[test]
    fn refuses_a_wrong_key_changed_bytes_wrong_ad_and_reordering() {
        let mut wrong = key();
        wrong[0] ^= 1;
        assert!(
            Pull::new(&wrong, &hex(HEADER))
                .unwrap()
                .pull(&hex(C1), &[])
                .is_none()
        );
        for i in 0..hex(C1).len() {
            let mut c = hex(C1);
            c[i] ^= 0x80;
            let mut s = Pull::new(&key(), &hex(HEADER)).unwrap();
            assert!(s.pull(&c, &[]).is_none(), "byte {i}");
        }
        let mut s = Pull::new(&key(), &hex(HEADER)).unwrap();
        assert!(s.pull(&hex(C1), b"x").is_none());
        let mut s = Pull::new(&key(), &hex(HEADER)).unwrap();
        assert!(s.pull(&hex(C2), b"ad").is_none(), "second message first");
        let mut s = Pull::new(&key(), &hex(HEADER)).unwrap();
        s.pull(&hex(C1), &[]).unwrap();
        assert!(s.pull(&hex(C2), &[]).is_none(), "missing additional data");
    }

    #[test]
    fn refuses_short_messages_and_headers() {
        assert!(Pull::new(&key(), &hex(HEADER)[..23]).is_none());
        let mut s = Pull::new(&key(), &hex(HEADER)).unwrap();
        for n in 0..ABYTES {
            assert!(s.pull(&hex(C1)[..n], &[]).is_none(), "{n} bytes");
        }
    }
}
