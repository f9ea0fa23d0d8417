//! What a derivation costs, computed from its parameters before it runs.
//!
//! Work is counted in the operations each function repeats (Argon2 block
//! compressions, scrypt's bytes of Salsa20/8 mixing, hash compressions of PBKDF2 and
//! of the hashing around them), each weighted by its measured time relative to the
//! unit: one Argon2 compression of a 1 KiB block. The weights are milli-units per
//! operation; the README gives the measurement. All arithmetic is in `u128` and
//! saturates, so a cost too large to count is refused, never wrapped.

use crate::Prf;

/// Milli-units per Argon2 1 KiB block compression: the unit itself.
pub(crate) const ARGON2_BLOCK: u128 = 1000;
/// Milli-units per BLAKE2b compression (Argon2's H0 and its 1 KiB first blocks).
pub(crate) const BLAKE2B: u128 = 380;
/// Milli-units per KiB of scrypt's BlockMix (16 Salsa20/8 cores).
pub(crate) const SCRYPT_KIB: u128 = 1100;
/// Milli-units per SHA-1 compression.
pub(crate) const SHA1: u128 = 60;
/// Milli-units per SHA-256 compression.
pub(crate) const SHA256: u128 = 78;
/// Milli-units per SHA-512 compression.
pub(crate) const SHA512: u128 = 430;
/// Milli-units per round of AES-KDF: two AES-256 block encryptions (the key's two
/// halves, independent of each other, so they overlap in the pipeline).
pub(crate) const AES_KDF_ROUND: u128 = 20;

/// A derivation's work (milli-units) and peak memory (bytes), before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cost {
    /// Work in milli-units.
    pub(crate) milli: u128,
    /// Peak memory in bytes.
    pub(crate) memory: u128,
}

impl Cost {
    /// The work in whole units, rounded up (and saturating at `u64::MAX`).
    pub(crate) fn units(self) -> u64 {
        u64::try_from(self.milli.div_ceil(1000)).unwrap_or(u64::MAX)
    }

    /// The peak memory in bytes (saturating at `u64::MAX`).
    pub(crate) fn memory_bytes(self) -> u64 {
        u64::try_from(self.memory).unwrap_or(u64::MAX)
    }
}

/// The shape of a Merkle–Damgård hash as HMAC and PBKDF2 use it.
#[derive(Clone, Copy)]
struct Hash {
    /// Output bytes.
    out: u128,
    /// Block bytes.
    block: u128,
    /// The padding's minimum: the 0x80 byte and the length field.
    pad: u128,
    /// Milli-units per compression.
    weight: u128,
}

const SHA1_HASH: Hash = Hash {
    out: 20,
    block: 64,
    pad: 9,
    weight: SHA1,
};
const SHA256_HASH: Hash = Hash {
    out: 32,
    block: 64,
    pad: 9,
    weight: SHA256,
};
const SHA512_HASH: Hash = Hash {
    out: 64,
    block: 128,
    pad: 17,
    weight: SHA512,
};

fn len(n: usize) -> u128 {
    u128::try_from(n).unwrap_or(u128::MAX)
}

impl Hash {
    /// Compressions to hash `bytes` after HMAC's key block: the padded blocks.
    fn blocks(self, bytes: u128) -> u128 {
        bytes.saturating_add(self.pad).div_ceil(self.block)
    }

    /// Compressions of one PBKDF2 (RFC 8018 §5.2) with HMAC over this hash: the
    /// key's two pads (and hashing a key longer than a block), then per output block
    /// the first HMAC over `salt ‖ INT(i)` and two compressions per further
    /// iteration.
    fn pbkdf2(self, iterations: u128, salt: u128, password: u128, out: u128) -> u128 {
        let key = if password > self.block {
            self.blocks(password)
        } else {
            0
        };
        let first = self.blocks(salt.saturating_add(4)).saturating_add(1);
        let rest = iterations.saturating_sub(1).saturating_mul(2);
        out.div_ceil(self.out)
            .saturating_mul(first.saturating_add(rest))
            .saturating_add(2)
            .saturating_add(key)
    }
}

/// PBKDF2-HMAC with `prf`: `iterations` × output blocks × 2 compressions, plus the
/// salt's and key's. Its state is a few hundred bytes: no memory is counted.
pub(crate) fn pbkdf2(prf: Prf, iterations: u32, salt: usize, password: usize, out: usize) -> Cost {
    let hash = match prf {
        Prf::Sha1 => SHA1_HASH,
        Prf::Sha256 => SHA256_HASH,
        Prf::Sha512 => SHA512_HASH,
    };
    let compressions = hash.pbkdf2(u128::from(iterations), len(salt), len(password), len(out));
    Cost {
        milli: compressions.saturating_mul(hash.weight),
        memory: 0,
    }
}

/// scrypt (RFC 7914): `p` ROMix lanes of `2n` BlockMix over `128 r` bytes, between
/// two one-iteration PBKDF2-HMAC-SHA256 (the first over the salt into `128 r p`
/// bytes, the second over those bytes into the output). Peak memory: ROMix's `V`
/// (`128 r n`), the lanes' `B` (`128 r p`) and one BlockMix scratch block (`128 r`),
/// the lanes run one after another.
pub(crate) fn scrypt(n: u64, r: u32, p: u32, salt: usize, password: usize, out: usize) -> Cost {
    let (n, r, p) = (u128::from(n), u128::from(r), u128::from(p));
    let lanes_bytes = r.saturating_mul(128).saturating_mul(p);
    // 2n BlockMix of 128 r bytes per lane = 256 n r bytes = n r / 4 KiB.
    let mix = n
        .saturating_mul(r)
        .saturating_mul(p)
        .saturating_mul(SCRYPT_KIB)
        .div_ceil(4);
    let sha = SHA256_HASH
        .pbkdf2(1, len(salt), len(password), lanes_bytes)
        .saturating_add(SHA256_HASH.pbkdf2(1, lanes_bytes, len(password), len(out)))
        .saturating_mul(SHA256);
    let memory = r
        .saturating_mul(128)
        .saturating_mul(n.saturating_add(p).saturating_add(1));
    Cost {
        milli: mix.saturating_add(sha),
        memory,
    }
}

/// Argon2 (RFC 9106) over `blocks` 1 KiB blocks (`m` rounded down to a multiple of
/// 4 `lanes`, as the argon2 crate allocates): `blocks` × `passes` compressions, the
/// address blocks of the data-independent passes (two compressions per 128 blocks:
/// every pass for Argon2i, the first half pass for Argon2id), and BLAKE2b for H0
/// (over the password and salt), each lane's first two blocks (about 32 compressions
/// each) and the tag. Peak memory: the blocks.
pub(crate) fn argon2(
    data_independent: Addressing,
    blocks: u128,
    passes: u32,
    lanes: u32,
    salt: usize,
    password: usize,
    out: usize,
) -> Cost {
    let passes = u128::from(passes);
    let filled = blocks.saturating_mul(passes);
    let addressed = match data_independent {
        Addressing::None => 0,
        Addressing::AllPasses => filled,
        Addressing::FirstHalfPass => blocks.div_ceil(2),
    };
    let address_blocks = addressed.div_ceil(128).saturating_mul(2);
    let h0 = len(password)
        .saturating_add(len(salt))
        .saturating_add(40)
        .div_ceil(128);
    let blake = h0
        .saturating_add(u128::from(lanes).saturating_mul(64))
        .saturating_add(9)
        .saturating_add(len(out).div_ceil(32));
    Cost {
        milli: filled
            .saturating_add(address_blocks)
            .saturating_mul(ARGON2_BLOCK)
            .saturating_add(blake.saturating_mul(BLAKE2B)),
        memory: blocks.saturating_mul(1024),
    }
}

/// AES-KDF (KeePass): `rounds` rounds of two AES-256 block encryptions, then one
/// SHA-256 of the 32 bytes (two compressions). Its state is the key schedule and
/// 32 bytes: no memory is counted.
pub(crate) fn aes_kdf(rounds: u64) -> Cost {
    Cost {
        milli: u128::from(rounds)
            .saturating_mul(AES_KDF_ROUND)
            .saturating_add(2 * SHA256),
        memory: 0,
    }
}

/// Which of Argon2's passes compute their reference addresses independently of the
/// data (and so spend extra compressions on address blocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Addressing {
    /// Argon2d: none.
    None,
    /// Argon2i: every pass.
    AllPasses,
    /// Argon2id: the first half of the first pass.
    FirstHalfPass,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_counts_two_compressions_per_iteration_and_output_block() {
        // SHA-1, 32-byte output: 2 blocks. Salt 12 + 4 + 9 = 25 bytes: 1 compression,
        // plus the outer one; 2 per further iteration; 2 for the key's pads.
        let c = pbkdf2(Prf::Sha1, 1000, 12, 8, 32);
        assert_eq!(c.milli, (2 * (2 + 2 * 999) + 2) * SHA1);
        assert_eq!(c.memory, 0);
        // SHA-256, 32 bytes: one block; a 256-byte salt (2FAS) takes 5 compressions.
        let c = pbkdf2(Prf::Sha256, 10_000, 256, 8, 32);
        assert_eq!(c.milli, (5 + 1 + 2 * 9_999 + 2) * SHA256);
        // SHA-512: 128-byte blocks; a 200-byte password is hashed first (2 blocks).
        let c = pbkdf2(Prf::Sha512, 1, 8, 200, 64);
        assert_eq!(c.milli, (1 + 1 + 2 + 2) * SHA512);
    }

    #[test]
    fn scrypt_counts_mixing_and_memory() {
        // Aegis: N=2^15, r=8, p=1: 64 MiB of mixing, 32 MiB + 2 KiB of memory.
        let c = scrypt(1 << 15, 8, 1, 32, 8, 32);
        let mix = (1u128 << 16) * SCRYPT_KIB;
        let sha = (32 * 2 + 2) + (1 + 17 + 2);
        assert_eq!(c.milli, mix + sha * SHA256);
        assert_eq!(c.memory, (32 << 20) + 2048);
    }

    #[test]
    fn argon2_counts_blocks_passes_and_lanes() {
        // Bitwarden: 64 MiB, 3 passes, 4 lanes, Argon2id.
        let blocks = 65_536;
        let c = argon2(Addressing::FirstHalfPass, blocks, 3, 4, 32, 8, 32);
        let address = (blocks / 2) / 128 * 2;
        let blake = 1 + 4 * 64 + 9 + 1;
        assert_eq!(
            c.milli,
            (3 * blocks + address) * ARGON2_BLOCK + blake * BLAKE2B
        );
        assert_eq!(c.memory, 64 << 20);
        let d = argon2(Addressing::None, blocks, 3, 4, 32, 8, 32);
        assert_eq!(d.milli, c.milli - address * ARGON2_BLOCK);
        let i = argon2(Addressing::AllPasses, blocks, 3, 4, 32, 8, 32);
        assert_eq!(i.milli, d.milli + 3 * blocks / 128 * 2 * ARGON2_BLOCK);
    }

    #[test]
    fn aes_kdf_counts_rounds_and_the_final_hash() {
        assert_eq!(aes_kdf(1).milli, AES_KDF_ROUND + 2 * SHA256);
        assert_eq!(aes_kdf(1_000_000).units(), 20_001);
        assert_eq!(aes_kdf(u64::MAX).memory, 0);
        assert_eq!(aes_kdf(u64::MAX).milli, u128::from(u64::MAX) * 20 + 156);
    }

    #[test]
    fn costs_saturate_instead_of_wrapping() {
        let c = scrypt(
            u64::MAX,
            u32::MAX,
            u32::MAX,
            usize::MAX,
            usize::MAX,
            usize::MAX,
        );
        assert_eq!(c.units(), u64::MAX);
        assert_eq!(c.memory_bytes(), u64::MAX);
        let c = pbkdf2(Prf::Sha512, u32::MAX, usize::MAX, usize::MAX, usize::MAX);
        assert_eq!(c.units(), u64::MAX);
        let c = argon2(
            Addressing::AllPasses,
            u128::MAX,
            u32::MAX,
            u32::MAX,
            usize::MAX,
            usize::MAX,
            usize::MAX,
        );
        assert_eq!((c.units(), c.memory_bytes()), (u64::MAX, u64::MAX));
    }

    #[test]
    fn units_round_up() {
        let c = Cost {
            milli: 1001,
            memory: 0,
        };
        assert_eq!(c.units(), 2);
        let c = Cost {
            milli: 1000,
            memory: 0,
        };
        assert_eq!(c.units(), 1);
    }
}
