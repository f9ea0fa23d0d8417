//! RFC 4226 §5.3 dynamic truncation, the one rule every otpkit code goes through:
//! this crate's kernels and portable path call it, and so does the `otpkit` core
//! for every hash (SHA-1, SHA-256 and SHA-512, with or without this crate's SHA-NI
//! kernel).
//!
//! The low four bits of the tag's last byte pick a byte offset (0..=15); the four
//! bytes there, top bit cleared, are the result. The offset is derived from the
//! secret HMAC output, so it must not steer a branch or a memory index: each of the
//! four possible word pairs is masked in, and the byte offset within the word
//! becomes a shift.

/// The 31-bit number of a tag, given as its first five big-endian words (the
/// offset is at most 15, so bytes 0..19 are all the rule can read) and the word
/// whose low byte is the tag's last byte (only its low four bits are used).
///
/// ```
/// // RFC 4226 §5.4: tag 1f8698690e02ca16618550ef7f19da8e945b555a -> 0x50ef7f19.
/// let words = [0x1f869869, 0x0e02ca16, 0x618550ef, 0x7f19da8e, 0x945b555a];
/// assert_eq!(otpkit_lanes::truncate::dynamic_truncation(&words, words[4]), 0x50ef7f19);
/// ```
#[inline]
pub fn dynamic_truncation(first: &[u32; 5], last_word: u32) -> u32 {
    let offset = last_word & 0x0f;
    let index = u64::from(offset >> 2);
    let mut pair: u64 = 0;
    for (i, window) in (0u64..).zip(first.windows(2)) {
        // 1 when i == index, else 0 (both are below 4).
        let hit = (i ^ index).wrapping_sub(1) >> 63;
        let mask = 0u64.wrapping_sub(hit);
        let words = window
            .iter()
            .fold(0u64, |acc, w| (acc << 32) | u64::from(*w));
        pair |= words & mask;
    }
    let shift = (offset & 3) * 8;
    // Bytes `offset % 4 .. offset % 4 + 4` of the pair: the top 32 bits after the
    // shift (the truncating cast keeps the lower half, the wanted word).
    (((pair << shift) >> 32) as u32) & 0x7fff_ffff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_at_every_offset() {
        let bytes: [u8; 20] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0xa5);
        let mut words = [0u32; 5];
        for (w, chunk) in words.iter_mut().zip(bytes.chunks(4)) {
            *w = u32::from_be_bytes(chunk.try_into().unwrap());
        }
        for offset in 0..16u32 {
            let last = (words[4] & !0xf) | offset;
            let mut tag = words;
            tag[4] = last;
            let mut b = [0u8; 20];
            for (chunk, w) in b.chunks_mut(4).zip(tag) {
                chunk.copy_from_slice(&w.to_be_bytes());
            }
            let o = offset as usize;
            let expected = u32::from_be_bytes(b[o..o + 4].try_into().unwrap()) & 0x7fff_ffff;
            assert_eq!(dynamic_truncation(&tag, last), expected, "offset {offset}");
        }
    }
}
