//! One recovery code: its alphabet, how it is shown, and how typed input is read
//! back into it.

use core::fmt;

use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The 32 characters codes are made of: no `0`, `O`, `1` or `I`.
pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Bits of entropy per character.
pub const BITS_PER_CHAR: u32 = 5;
/// The longest code, in characters (160 bits).
pub const MAX_CODE_LEN: usize = 32;
/// The longest input [`RecoveryState::verify`](super::RecoveryState::verify) reads (spaces and hyphens
/// included); longer input is malformed.
pub const MAX_INPUT_LEN: usize = 128;

/// One recovery code, to show to the user once. Its `Display` is the grouped code
/// (`K7RM-2QXD-HV9T-CZ4N`); its `Debug` never shows it; it is wiped when dropped.
#[derive(Clone)]
pub struct RecoveryCode {
    pub(super) chars: [u8; MAX_CODE_LEN],
    pub(super) len: u8,
    pub(super) group: u8,
}

impl RecoveryCode {
    /// The code without separators, e.g. `K7RM2QXDHV9TCZ4N`.
    pub fn ungrouped(&self) -> &str {
        let bytes = self.chars.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl fmt::Display for RecoveryCode {
    /// The code in groups separated by `-`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.ungrouped();
        let group = usize::from(self.group);
        if group == 0 {
            return f.write_str(code);
        }
        let mut rest = code;
        let mut first = true;
        while !rest.is_empty() {
            let (head, tail) = rest.split_at(group.min(rest.len()));
            if !first {
                f.write_str("-")?;
            }
            f.write_str(head)?;
            first = false;
            rest = tail;
        }
        Ok(())
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCode")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Drop for RecoveryCode {
    fn drop(&mut self) {
        self.chars.zeroize();
    }
}

impl ZeroizeOnDrop for RecoveryCode {}

/// Upper-cases `input` into `buf`, dropping spaces, tabs and hyphens; `None` unless
/// exactly `len` characters of the alphabet remain. Each character's alphabet
/// lookup takes the same time whichever character it is.
pub(super) fn normalise<'a>(
    input: &str,
    len: usize,
    buf: &'a mut [u8; MAX_CODE_LEN],
) -> Option<&'a [u8]> {
    if input.len() > MAX_INPUT_LEN {
        return None;
    }
    let mut n = 0usize;
    for b in input.bytes() {
        if matches!(b, b' ' | b'-' | b'\t') {
            continue;
        }
        let upper = b.to_ascii_uppercase();
        // Looked up against the whole alphabet, no early exit: the time does not
        // depend on which character it is (a search stopping at the match did: a
        // dudect bench typing one fixed code per class told them apart, |t| 189).
        let known = ALPHABET.iter().fold(Choice::from(0), |found, letter| {
            found | letter.ct_eq(&upper)
        });
        if !bool::from(known) {
            return None;
        }
        *buf.get_mut(n)? = upper;
        n = n.checked_add(1)?;
    }
    if n != len {
        return None;
    }
    buf.get(..n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_ignores_case_and_separators_only() {
        let mut buf = [0u8; MAX_CODE_LEN];
        assert_eq!(normalise("ab-cd 2\t3", 6, &mut buf), Some(&b"ABCD23"[..]));
        assert_eq!(normalise("ab-cd 2\t3", 5, &mut buf), None);
        assert_eq!(normalise("abcd0", 5, &mut buf), None); // 0 is not in the alphabet
        assert_eq!(normalise("abcdI", 5, &mut buf), None);
        assert_eq!(normalise("ab_cd", 4, &mut buf), None);
        assert_eq!(normalise(&"A".repeat(33), 33, &mut buf), None);
        assert_eq!(normalise(&"-".repeat(200), 0, &mut buf), None);
    }

    #[test]
    fn uses_every_character_of_the_alphabet_uniformly() {
        // 32 divides 256, so `byte & 31` is uniform; every byte maps into the alphabet.
        let mut seen = [0u32; 32];
        for b in 0..=255u8 {
            let c = ALPHABET[usize::from(b & 31)];
            seen[ALPHABET.iter().position(|&a| a == c).unwrap()] += 1;
        }
        assert!(seen.iter().all(|&n| n == 8));
        for bad in b"01IO" {
            assert!(!ALPHABET.contains(bad));
        }
    }
}
