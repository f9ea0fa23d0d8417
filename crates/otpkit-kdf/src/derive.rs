//! The key-derivation functions. Each checks its parameters, charges its cost to the
//! budget, and only then runs (RustCrypto's `scrypt`, `pbkdf2` and `argon2`).

use crate::WorkBudget;
use crate::cost::{self, Addressing};
use crate::error::KdfError;

/// The HMAC hash of a PBKDF2 derivation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prf {
    /// HMAC-SHA-1 (andOTP, PSKC's default, FreeOTP on old Android).
    Sha1,
    /// HMAC-SHA-256 (Bitwarden, 2FAS).
    Sha256,
    /// HMAC-SHA-512 (FreeOTP).
    Sha512,
}

/// The Argon2 variant (RFC 9106 §3.4), always version 0x13.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Argon2Variant {
    /// Argon2d: data-dependent addressing (KeePass).
    Argon2d,
    /// Argon2i: data-independent addressing.
    Argon2i,
    /// Argon2id: Argon2i's first half pass, then Argon2d (Bitwarden, Authenticator Pro).
    Argon2id,
}

fn charge(budget: &mut WorkBudget, cost: cost::Cost) -> Result<(), KdfError> {
    budget.charge(cost).map_err(KdfError::OverBudget)
}

/// scrypt (RFC 7914) of `password` and `salt` into `out`, with cost `n` (a power of
/// two from 2), block size `r` and parallelism `p` (each from 1).
///
/// Work: `n × r × p / 4` KiB of BlockMix plus the two PBKDF2-SHA256 passes around it;
/// peak memory `128 × r × (n + p + 1)` bytes (the lanes run one after another).
///
/// # Errors
///
/// [`KdfError::Parameter`] names a parameter scrypt cannot run with;
/// [`KdfError::OverBudget`] when the derivation does not fit what is left of
/// `budget` (nothing is run or charged then).
///
/// ```
/// use otpkit_kdf::{WorkBudget, scrypt};
/// let mut budget = WorkBudget::default();
/// let mut key = [0u8; 64];
/// scrypt(&mut budget, b"password", b"NaCl", 1024, 8, 16, &mut key)?;
/// assert_eq!(key[..4], [0xfd, 0xba, 0xbe, 0x1c]); // RFC 7914 §12
/// assert!(budget.spent() > 0);
/// # Ok::<(), otpkit_kdf::KdfError>(())
/// ```
pub fn scrypt(
    budget: &mut WorkBudget,
    password: &[u8],
    salt: &[u8],
    n: u64,
    r: u32,
    p: u32,
    out: &mut [u8],
) -> Result<(), KdfError> {
    if n < 2 || !n.is_power_of_two() {
        return Err(KdfError::Parameter("n"));
    }
    if r == 0 {
        return Err(KdfError::Parameter("r"));
    }
    if p == 0 {
        return Err(KdfError::Parameter("p"));
    }
    if out.is_empty() || out.len() / 32 > 0xffff_ffff {
        return Err(KdfError::Parameter("output length"));
    }
    let log_n = u8::try_from(n.trailing_zeros()).map_err(|_| KdfError::Parameter("n"))?;
    // Refuses what the crate cannot address (r × p ≥ 2^30, sizes beyond usize).
    let params = scrypt::Params::new(log_n, r, p).map_err(|_| KdfError::Parameter("r"))?;
    charge(
        budget,
        cost::scrypt(n, r, p, salt.len(), password.len(), out.len()),
    )?;
    scrypt::scrypt(password, salt, &params, out).map_err(|_| KdfError::Parameter("output length"))
}

/// PBKDF2 (RFC 8018 §5.2) with HMAC over `prf`, of `password` and `salt`, with
/// `iterations` (from 1), into `out`.
///
/// Work: `iterations × ⌈out.len() / hash length⌉ × 2` compressions of the hash (plus
/// the salt's and the key's). A 32-byte key from HMAC-SHA-1 is two output blocks, so
/// it costs twice a 20-byte one.
///
/// # Errors
///
/// [`KdfError::Parameter`] for zero iterations or an empty output;
/// [`KdfError::OverBudget`] when the derivation does not fit what is left of
/// `budget` (nothing is run or charged then).
///
/// ```
/// use otpkit_kdf::{Prf, WorkBudget, pbkdf2};
/// let mut budget = WorkBudget::default();
/// let mut key = [0u8; 20];
/// pbkdf2(&mut budget, Prf::Sha1, b"password", b"salt", 4096, &mut key)?;
/// assert_eq!(key[..4], [0x4b, 0x00, 0x79, 0x01]); // RFC 6070
/// # Ok::<(), otpkit_kdf::KdfError>(())
/// ```
pub fn pbkdf2(
    budget: &mut WorkBudget,
    prf: Prf,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<(), KdfError> {
    if iterations == 0 {
        return Err(KdfError::Parameter("iterations"));
    }
    if out.is_empty() {
        return Err(KdfError::Parameter("output length"));
    }
    charge(
        budget,
        cost::pbkdf2(prf, iterations, salt.len(), password.len(), out.len()),
    )?;
    match prf {
        Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, out),
        Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, out),
        Prf::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, iterations, out),
    }
    Ok(())
}

/// Argon2 (RFC 9106, version 0x13) of `password` and `salt` (at least 8 bytes) into
/// `out` (at least 4 bytes): `passes` over `memory_kib` 1 KiB blocks in `lanes`
/// lanes (computed one after another).
///
/// Work: blocks × passes compressions, plus the address blocks of Argon2i/id and
/// BLAKE2b for each lane's first blocks; peak memory: the blocks (`memory_kib`
/// rounded down to a multiple of `4 × lanes`), in KiB.
///
/// # Errors
///
/// [`KdfError::Parameter`] names a parameter Argon2 cannot run with (`memory` below
/// `8 × lanes`, zero `iterations` or `parallelism`, a short `salt`, …);
/// [`KdfError::OverBudget`] when the derivation does not fit what is left of
/// `budget` (nothing is allocated, run or charged then).
///
/// ```
/// use otpkit_kdf::{Argon2Variant, KdfError, WorkBudget, argon2};
/// let mut budget = WorkBudget::default();
/// let mut key = [0u8; 32];
/// argon2(&mut budget, Argon2Variant::Argon2id, b"pw", b"saltsalt", 3, 1024, 4, &mut key)?;
/// assert!(budget.spent() > 3 * 1024); // 3 passes of 1024 blocks, and BLAKE2b
/// // 1 GiB is over the default cap: refused before anything is allocated.
/// let refused = argon2(&mut budget, Argon2Variant::Argon2id, b"pw", b"saltsalt", 1, 1 << 20, 4, &mut key);
/// assert!(matches!(refused, Err(KdfError::OverBudget(o)) if o.memory_exceeded()));
/// # Ok::<(), otpkit_kdf::KdfError>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn argon2(
    budget: &mut WorkBudget,
    variant: Argon2Variant,
    password: &[u8],
    salt: &[u8],
    passes: u32,
    memory_kib: u32,
    lanes: u32,
    out: &mut [u8],
) -> Result<(), KdfError> {
    use argon2::Error as E;
    let parameter = |e: E| {
        KdfError::Parameter(match e {
            E::TimeTooSmall => "iterations",
            E::ThreadsTooFew | E::ThreadsTooMany => "parallelism",
            E::SaltTooShort | E::SaltTooLong => "salt",
            E::PwdTooLong => "password",
            E::OutputTooShort | E::OutputTooLong => "output length",
            _ => "memory",
        })
    };
    if salt.len() < argon2::MIN_SALT_LEN || salt.len() > argon2::MAX_SALT_LEN {
        return Err(KdfError::Parameter("salt"));
    }
    if password.len() > argon2::MAX_PWD_LEN {
        return Err(KdfError::Parameter("password"));
    }
    if lanes == 0 {
        return Err(KdfError::Parameter("parallelism"));
    }
    let params =
        argon2::Params::new(memory_kib, passes, lanes, Some(out.len())).map_err(parameter)?;
    let (algorithm, addressing) = match variant {
        Argon2Variant::Argon2d => (argon2::Algorithm::Argon2d, Addressing::None),
        Argon2Variant::Argon2i => (argon2::Algorithm::Argon2i, Addressing::AllPasses),
        Argon2Variant::Argon2id => (argon2::Algorithm::Argon2id, Addressing::FirstHalfPass),
    };
    let blocks = u128::try_from(params.block_count()).unwrap_or(u128::MAX);
    charge(
        budget,
        cost::argon2(
            addressing,
            blocks,
            passes,
            lanes,
            salt.len(),
            password.len(),
            out.len(),
        ),
    )?;
    argon2::Argon2::new(algorithm, argon2::Version::V0x13, params)
        .hash_password_into(password, salt, out)
        .map_err(parameter)
}

/// AES-KDF, KeePass's key transformation (KDBX 3.1 and 4): the 32-byte `key` is
/// encrypted `rounds` times with AES-256 keyed by `seed` (ECB, its two 16-byte
/// halves separately), and the result hashed with SHA-256 into `out`.
///
/// Work: `rounds` × 2 AES-256 block encryptions (0.02 units per round) and the
/// SHA-256; no memory beyond the key schedule.
///
/// # Errors
///
/// [`KdfError::Parameter`] for zero rounds; [`KdfError::OverBudget`] when the
/// derivation does not fit what is left of `budget` (nothing is run or charged then).
///
/// ```
/// use otpkit_kdf::{WorkBudget, aes_kdf};
/// let mut budget = WorkBudget::default();
/// let mut out = [0u8; 32];
/// aes_kdf(&mut budget, &[1; 32], &[2; 32], 60_000, &mut out)?;
/// assert_eq!(budget.spent(), 1201); // 60 000 rounds × 0.02 units, and the SHA-256
/// // 2^40 rounds (hours of work) are refused before any round runs.
/// assert!(aes_kdf(&mut budget, &[1; 32], &[2; 32], 1 << 40, &mut out).is_err());
/// # Ok::<(), otpkit_kdf::KdfError>(())
/// ```
pub fn aes_kdf(
    budget: &mut WorkBudget,
    key: &[u8; 32],
    seed: &[u8; 32],
    rounds: u64,
    out: &mut [u8; 32],
) -> Result<(), KdfError> {
    use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
    use sha2::Digest;
    if rounds == 0 {
        return Err(KdfError::Parameter("rounds"));
    }
    charge(budget, cost::aes_kdf(rounds))?;
    let cipher = aes::Aes256::new(&Array::from(*seed));
    let (left, right) = key.split_at(16);
    let mut blocks = [Array::<u8, _>::default(), Array::default()];
    let [a, b] = &mut blocks;
    a.copy_from_slice(left);
    b.copy_from_slice(right);
    for _ in 0..rounds {
        cipher.encrypt_blocks(&mut blocks);
    }
    let mut hash = sha2::Sha256::new();
    for block in &blocks {
        hash.update(block);
    }
    out.copy_from_slice(&hash.finalize());
    // The transformed key's intermediate state is not left behind.
    for block in &mut blocks {
        block.fill(0);
    }
    core::hint::black_box(&blocks);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OverBudget;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    extern crate std;
    use std::format;
    use std::string::String;

    #[test]
    fn scrypt_rfc7914_vector() {
        let mut b = WorkBudget::default();
        let mut out = [0u8; 64];
        scrypt(&mut b, b"", b"", 16, 1, 1, &mut out).unwrap();
        assert_eq!(
            hex(&out),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442\
             fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
        );
    }

    #[test]
    fn pbkdf2_rfc6070_and_rfc7914_vectors() {
        let mut b = WorkBudget::default();
        let mut out = [0u8; 20];
        pbkdf2(&mut b, Prf::Sha1, b"password", b"salt", 2, &mut out).unwrap();
        assert_eq!(hex(&out), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
        let mut out = [0u8; 64];
        pbkdf2(&mut b, Prf::Sha256, b"passwd", b"salt", 1, &mut out).unwrap();
        assert_eq!(
            hex(&out),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        );
        let mut out = [0u8; 64];
        pbkdf2(&mut b, Prf::Sha512, b"password", b"salt", 1, &mut out).unwrap();
        assert_eq!(hex(&out[..16]), "867f70cf1ade02cff3752599a3a53dc4");
    }

    #[test]
    fn argon2_variants_are_distinct_derivations() {
        // RFC 9106 §5's vectors use a secret and associated data, which this API
        // does not take; the importers' tests check real files end to end.
        let mut b = WorkBudget::default();
        let mut out = [0u8; 32];
        argon2(
            &mut b,
            Argon2Variant::Argon2id,
            &[1; 32],
            &[2; 16],
            3,
            32,
            4,
            &mut out,
        )
        .unwrap();
        let id = out;
        argon2(
            &mut b,
            Argon2Variant::Argon2d,
            &[1; 32],
            &[2; 16],
            3,
            32,
            4,
            &mut out,
        )
        .unwrap();
        assert_ne!(id, out);
        argon2(
            &mut b,
            Argon2Variant::Argon2i,
            &[1; 32],
            &[2; 16],
            3,
            32,
            4,
            &mut out,
        )
        .unwrap();
        assert_ne!(id, out);
    }

    #[test]
    fn aes_kdf_matches_an_independent_computation() {
        // Python `cryptography`: AES-256-ECB keyed by 32..64 over the bytes 0..32,
        // 1000 times, then SHA-256.
        let key: [u8; 32] = core::array::from_fn(|i| i as u8);
        let seed: [u8; 32] = core::array::from_fn(|i| i as u8 + 32);
        let mut b = WorkBudget::default();
        let mut out = [0u8; 32];
        aes_kdf(&mut b, &key, &seed, 1000, &mut out).unwrap();
        assert_eq!(
            hex(&out),
            "b66182a0c7acd3f37a5864872aa9951022319c0e78719442322a6e87834b5059"
        );
        assert_eq!(b.spent(), cost::aes_kdf(1000).units());
        assert_eq!(
            aes_kdf(&mut b, &key, &seed, 0, &mut out),
            Err(KdfError::Parameter("rounds"))
        );
        // KeePass 2's early default (6 000 rounds) and a hostile 2^50: the second is
        // refused before a round runs, and charges nothing.
        let mut b = WorkBudget::new(cost::aes_kdf(6000).units(), 0);
        aes_kdf(&mut b, &key, &seed, 6000, &mut out).unwrap();
        let before = out;
        let refused = aes_kdf(&mut b, &key, &seed, 1 << 50, &mut out);
        assert!(matches!(refused, Err(KdfError::OverBudget(o)) if o.work_exceeded()));
        assert_eq!(out, before);
        assert_eq!(b.remaining(), 0);
    }

    #[test]
    fn invalid_parameters_are_named() {
        let mut b = WorkBudget::default();
        let mut out = [0u8; 32];
        let p = |e| Err(KdfError::Parameter(e));
        assert_eq!(scrypt(&mut b, b"", b"", 3, 8, 1, &mut out), p("n"));
        assert_eq!(scrypt(&mut b, b"", b"", 0, 8, 1, &mut out), p("n"));
        assert_eq!(scrypt(&mut b, b"", b"", 1, 8, 1, &mut out), p("n"));
        assert_eq!(scrypt(&mut b, b"", b"", 16, 0, 1, &mut out), p("r"));
        assert_eq!(scrypt(&mut b, b"", b"", 16, 8, 0, &mut out), p("p"));
        assert_eq!(
            scrypt(&mut b, b"", b"", 16, 1, 1, &mut []),
            p("output length")
        );
        assert_eq!(
            scrypt(&mut b, b"", b"", 16, 1 << 15, 1 << 15, &mut out),
            p("r")
        );
        assert_eq!(
            pbkdf2(&mut b, Prf::Sha1, b"", b"", 0, &mut out),
            p("iterations")
        );
        assert_eq!(
            pbkdf2(&mut b, Prf::Sha1, b"", b"", 1, &mut []),
            p("output length")
        );
        let a = |b: &mut WorkBudget, salt: &[u8], t, m, l, out: &mut [u8]| {
            argon2(b, Argon2Variant::Argon2id, b"", salt, t, m, l, out)
        };
        assert_eq!(a(&mut b, b"short", 1, 64, 1, &mut out), p("salt"));
        assert_eq!(a(&mut b, b"saltsalt", 0, 64, 1, &mut out), p("iterations"));
        assert_eq!(a(&mut b, b"saltsalt", 1, 64, 0, &mut out), p("parallelism"));
        assert_eq!(a(&mut b, b"saltsalt", 1, 7, 1, &mut out), p("memory"));
        assert_eq!(a(&mut b, b"saltsalt", 1, 64, 9, &mut out), p("memory"));
        assert_eq!(
            a(&mut b, b"saltsalt", 1, 64, 1, &mut [0; 3]),
            p("output length")
        );
        assert_eq!(b.spent(), 0, "invalid parameters charge nothing");
    }

    #[test]
    fn each_function_charges_before_running_and_refuses_beyond_the_budget() {
        let mut out = [0u8; 32];
        // scrypt N=2^10 r=8 p=1: 2048 units of mixing and 1 MiB + 2 KiB.
        let mut b = WorkBudget::new(2_047, 1 << 30);
        let refused = scrypt(&mut b, b"pw", b"salt", 1 << 10, 8, 1, &mut out);
        assert!(matches!(refused, Err(KdfError::OverBudget(o)) if o.work_exceeded()));
        assert_eq!(out, [0; 32], "refused before running");
        let mut b = WorkBudget::new(1 << 20, 1 << 20);
        let refused = scrypt(&mut b, b"pw", b"salt", 1 << 10, 8, 1, &mut out);
        assert_eq!(
            refused,
            Err(KdfError::OverBudget(OverBudget {
                work_needed: b.spent() + cost::scrypt(1 << 10, 8, 1, 4, 2, 32).units(),
                work_allowed: 1 << 20,
                memory_needed: (1 << 20) + 2048,
                memory_allowed: 1 << 20,
            }))
        );
        let mut b = WorkBudget::new(10_000, 2 << 20);
        scrypt(&mut b, b"pw", b"salt", 1 << 10, 8, 1, &mut out).unwrap();
        assert_eq!(b.spent(), cost::scrypt(1 << 10, 8, 1, 4, 2, 32).units());

        // PBKDF2: SHA-1 into 32 bytes is two blocks.
        let units = cost::pbkdf2(Prf::Sha1, 100_000, 8, 2, 32).units();
        let mut b = WorkBudget::new(units - 1, 0);
        let refused = pbkdf2(&mut b, Prf::Sha1, b"pw", b"saltsalt", 100_000, &mut out);
        assert!(matches!(refused, Err(KdfError::OverBudget(o)) if o.work_needed == units));
        let mut b = WorkBudget::new(units, 0);
        pbkdf2(&mut b, Prf::Sha1, b"pw", b"saltsalt", 100_000, &mut out).unwrap();
        assert_eq!(b.remaining(), 0);

        // Argon2 at 1 GiB × 64 passes: refused with no allocation (this would take a
        // minute and a gigabyte otherwise).
        let mut b = WorkBudget::default();
        let refused = argon2(
            &mut b,
            Argon2Variant::Argon2id,
            b"pw",
            b"saltsalt",
            64,
            1 << 20,
            64,
            &mut out,
        );
        let Err(KdfError::OverBudget(o)) = refused else {
            panic!("{refused:?}")
        };
        assert!(o.work_exceeded() && o.memory_exceeded());
        assert_eq!(o.memory_needed, 1 << 30);
        assert_eq!(b.spent(), 0);
    }

    #[test]
    fn one_budget_is_spent_by_successive_derivations() {
        let mut out = [0u8; 32];
        let one = cost::scrypt(1 << 10, 8, 1, 8, 2, 32).units();
        let mut b = WorkBudget::new(3 * one, 1 << 30);
        for _ in 0..3 {
            scrypt(&mut b, b"pw", b"saltsalt", 1 << 10, 8, 1, &mut out).unwrap();
        }
        assert_eq!(b.remaining(), 0);
        let refused = scrypt(&mut b, b"pw", b"saltsalt", 1 << 10, 8, 1, &mut out);
        assert!(matches!(refused, Err(KdfError::OverBudget(o)) if o.work_needed == 4 * one));
    }
}
