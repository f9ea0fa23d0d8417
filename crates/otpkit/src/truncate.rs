//! Dynamic truncation: from an HMAC tag to the number a code stands for.
//!
//! RFC 4226 §5.3: the low four bits of the tag's last byte pick an offset; the four
//! bytes there, read big-endian with the top bit cleared (so signed and unsigned
//! readers agree), give a 31-bit number. A decimal code is that number modulo
//! 10^digits; a Steam Guard code spells it in base 26, five characters long, i.e.
//! it stands for the number modulo 26^5.
//!
//! Both steps run in time independent of the tag: the offset selects its word with
//! masks and a shift (never a tag-dependent index or branch), and each reduction
//! divides by a compile-time constant, which compilers turn into a multiplication
//! and shifts rather than a hardware division whose latency can depend on its
//! operands (docs/constant-time.md says how that was checked).

use crate::Digits;

/// The 31-bit number RFC 4226 §5.3 extracts from an HMAC tag of any length (20, 32
/// or 64 bytes), by the branch-free rule of [`otpkit_lanes::truncate`] that the
/// SHA-NI kernel uses too: the tag's first five big-endian words (every tag has
/// them, since the offset is at most 15) and its last byte are all it reads. Used
/// on the tags of RustCrypto's `hmac` (SHA-1 and SHA-256 without the `lanes`
/// feature); `otpkit-lanes` truncates its own tags.
#[cfg(any(test, not(feature = "lanes")))]
pub(crate) fn dynamic_truncation(tag: &[u8]) -> u32 {
    let mut words = [0u32; 5];
    for (word, bytes) in words.iter_mut().zip(tag.chunks_exact(4)) {
        *word = bytes.iter().fold(0, |acc, &b| (acc << 8) | u32::from(b));
    }
    let last = tag.last().copied().map_or(0, u32::from);
    otpkit_lanes::truncate::dynamic_truncation(&words, last)
}

/// What a code is made of: how a truncated number becomes the number the code
/// stands for. Public (it is a parameter, never derived from a secret), so a
/// `match` on it is not a timing leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// `digits` decimal digits (HOTP, TOTP).
    Decimal(Digits),
    /// Five characters of Steam's 26-letter alphabet.
    Steam,
}

/// 26^5: how many Steam Guard codes there are.
pub(crate) const STEAM_CODES: u32 = 11_881_376;

impl Form {
    /// The number a code of this form stands for, from the 31-bit truncated value:
    /// one value at a time, the reference [`Form::reduce_batch`] is tested against.
    #[cfg(test)]
    pub(crate) fn reduce(self, truncated: u32) -> u64 {
        match self {
            Form::Decimal(digits) => reduce(truncated, digits),
            Form::Steam => u64::from(truncated % STEAM_CODES),
        }
    }
}

impl Form {
    /// [`Form::reduce`] of each of `truncated`, with the form matched once for the
    /// batch rather than once per value (the form is public).
    pub(crate) fn reduce_batch<const N: usize>(self, truncated: [u32; N]) -> [u64; N] {
        match self {
            Form::Decimal(digits) => match digits.get() {
                6 => truncated.map(|t| u64::from(t % 1_000_000)),
                7 => truncated.map(|t| u64::from(t % 10_000_000)),
                8 => truncated.map(|t| u64::from(t % 100_000_000)),
                9 => truncated.map(|t| u64::from(t % 1_000_000_000)),
                // `Digits` holds 6..=10 only: this arm is 10 digits.
                _ => truncated.map(u64::from),
            },
            Form::Steam => truncated.map(|t| u64::from(t % STEAM_CODES)),
        }
    }
}

/// The number modulo 10^digits: the code's value, to be shown zero-padded.
///
/// One arm per digit count, each dividing by a literal: the divisor is known at
/// compile time, so no `div` instruction (whose latency can depend on the value)
/// is emitted. Ten digits keep the whole 31-bit number (it is below 10^10).
pub(crate) fn reduce(truncated: u32, digits: Digits) -> u64 {
    let value = u64::from(truncated);
    match digits.get() {
        6 => value % 1_000_000,
        7 => value % 10_000_000,
        8 => value % 100_000_000,
        9 => value % 1_000_000_000,
        // `Digits` holds 6..=10 only: this arm is 10 digits.
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4226 §5.3 as the RFC writes it, with an index: the reference.
    fn by_index(tag: &[u8]) -> u32 {
        let offset = usize::from(tag[tag.len() - 1] & 0x0f);
        u32::from_be_bytes(tag[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff
    }

    #[test]
    fn rfc4226_section_5_4_example() {
        // The worked example of RFC 4226 §5.4.
        let tag = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(dynamic_truncation(&tag), 0x50ef7f19);
        assert_eq!(reduce(0x50ef7f19, Digits::SIX), 872921);
    }

    #[test]
    fn top_bit_is_cleared() {
        let mut tag = [0xffu8; 20];
        tag[19] = 0xf0; // offset 0
        assert_eq!(dynamic_truncation(&tag), 0x7fff_ffff);
    }

    #[test]
    fn every_offset_of_every_tag_length_matches_the_rfc_rule() {
        for len in [20usize, 32, 64] {
            let mut tag: [u8; 64] = core::array::from_fn(|i| (i as u8).wrapping_mul(73) ^ 0x3c);
            for offset in 0..16u8 {
                tag[len - 1] = (tag[len - 1] & 0xf0) | offset;
                let tag = &tag[..len];
                assert_eq!(
                    dynamic_truncation(tag),
                    by_index(tag),
                    "{len} bytes, {offset}"
                );
            }
        }
    }

    #[test]
    fn reduce_is_the_power_of_ten_modulus() {
        for n in Digits::MIN..=Digits::MAX {
            let digits = Digits::new(n).unwrap();
            let modulus = 10u64.pow(u32::from(n));
            for value in [0, 1, 999_999, 1_000_000, 0x50ef_7f19, 0x7fff_ffff, u32::MAX] {
                assert_eq!(
                    reduce(value, digits),
                    u64::from(value) % modulus,
                    "{n} {value}"
                );
            }
        }
    }

    #[test]
    fn a_batch_reduces_as_each_value_does() {
        let values = [0, 1, 999_999, 1_000_000, 0x50ef_7f19, 0x7fff_ffff, u32::MAX];
        let forms = (Digits::MIN..=Digits::MAX)
            .map(|n| Form::Decimal(Digits::new(n).unwrap()))
            .chain([Form::Steam]);
        for form in forms {
            assert_eq!(
                form.reduce_batch(values),
                values.map(|v| form.reduce(v)),
                "{form:?}"
            );
        }
    }

    #[test]
    fn ten_digits_keep_the_whole_number() {
        let ten = Digits::new(10).unwrap();
        assert_eq!(reduce(0x7fff_ffff, ten), 2_147_483_647);
    }

    #[test]
    fn steam_form_is_modulo_26_to_the_fifth() {
        assert_eq!(u64::from(STEAM_CODES), 26u64.pow(5));
        assert_eq!(Form::Steam.reduce(0x7fff_ffff), 0x7fff_ffff % 11_881_376);
        assert_eq!(
            Form::Decimal(Digits::EIGHT).reduce(0x50ef7f19),
            0x50ef7f19 % 100_000_000
        );
    }
}
