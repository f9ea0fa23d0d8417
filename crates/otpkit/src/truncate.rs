//! Dynamic truncation: from an HMAC tag to a number of `digits` decimal digits.
//!
//! RFC 4226 §5.3: the low four bits of the tag's last byte pick an offset; the four
//! bytes there, read big-endian with the top bit cleared (so signed and unsigned
//! readers agree), give a 31-bit number; the code is that number modulo 10^digits.

use crate::Digits;

/// The 31-bit number RFC 4226 §5.3 extracts from an HMAC tag.
///
/// The offset is at most 15 and every tag is at least 20 bytes, so the four bytes
/// are always there; iterating (rather than indexing) makes that true by
/// construction instead of by a bounds check that could panic.
pub(crate) fn dynamic_truncation(tag: &[u8]) -> u32 {
    let offset = usize::from(tag.last().copied().unwrap_or(0) & 0x0f);
    let word = tag
        .iter()
        .skip(offset)
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    word & 0x7fff_ffff
}

/// The number modulo 10^digits: the code's value, to be shown zero-padded.
pub(crate) fn reduce(truncated: u32, digits: Digits) -> u64 {
    u64::from(truncated) % digits.modulus()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn ten_digits_keep_the_whole_number() {
        let ten = Digits::new(10).unwrap();
        assert_eq!(reduce(0x7fff_ffff, ten), 2_147_483_647);
    }
}
