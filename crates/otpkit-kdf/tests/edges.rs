//! The edges of the public API: what a budget reports, the smallest and largest
//! parameters each function accepts, and the exact points where a cost or a limit
//! changes.

use otpkit_kdf::{Argon2Variant, KdfError, OverBudget, Prf, WorkBudget, argon2, pbkdf2, scrypt};

#[test]
fn a_budget_reports_the_limits_it_was_made_with() {
    let b = WorkBudget::new(7_000, 9 << 20);
    assert_eq!((b.work(), b.max_memory()), (7_000, 9 << 20));
    assert_eq!((b.spent(), b.remaining()), (0, 7_000));
    let d = WorkBudget::default();
    assert_eq!(d.work(), WorkBudget::DEFAULT_WORK);
    assert_eq!(d.work(), 1_000_000);
    assert_eq!(d.max_memory(), WorkBudget::DEFAULT_MAX_MEMORY);
    assert_eq!(d.max_memory(), 256 << 20);
}

#[test]
fn scrypt_runs_with_the_smallest_cost_parameter() {
    let mut b = WorkBudget::default();
    let mut two = [0u8; 32];
    assert_eq!(scrypt(&mut b, b"pw", b"salt", 2, 1, 1, &mut two), Ok(()));
    let mut four = [0u8; 32];
    assert_eq!(scrypt(&mut b, b"pw", b"salt", 4, 1, 1, &mut four), Ok(()));
    assert_ne!(two, [0; 32]);
    assert_ne!(two, four);
}

#[test]
fn a_128_mib_scrypt_output_is_a_valid_length_refused_by_the_budget_alone() {
    // 2^27 bytes is 2^22 PBKDF2-SHA256 output blocks after the mixing: about 1.3
    // million units, over the default budget. The buffer is never written (it is
    // refused before anything runs), so its pages are never touched.
    let mut out = vec![0u8; 128 << 20];
    let mut b = WorkBudget::default();
    let refused = scrypt(&mut b, b"pw", b"salt", 2, 1, 1, &mut out);
    assert!(
        matches!(refused, Err(KdfError::OverBudget(o)) if o.work_exceeded() && !o.memory_exceeded()),
        "{refused:?}"
    );
    assert_eq!(b.spent(), 0);
}

#[test]
fn a_password_of_one_hash_block_is_the_hmac_key_as_is_and_a_longer_one_is_hashed_first() {
    // PBKDF2-HMAC-SHA-1, 24 iterations, 8-byte salt, 20-byte output: 50 SHA-1
    // compressions (the salt's 2, 2 per further iteration, the key's two pads),
    // exactly 3 units. A 64-byte password is one SHA-1 block and is the HMAC key as
    // is; a 65-byte one is hashed first (2 more compressions), which makes 4 units.
    let mut out = [0u8; 20];
    let mut b = WorkBudget::new(3, 0);
    assert_eq!(
        pbkdf2(&mut b, Prf::Sha1, &[7; 64], b"saltsalt", 24, &mut out),
        Ok(())
    );
    assert_eq!(b.remaining(), 0);
    let mut b = WorkBudget::new(3, 0);
    let refused = pbkdf2(&mut b, Prf::Sha1, &[7; 65], b"saltsalt", 24, &mut out);
    assert!(
        matches!(refused, Err(KdfError::OverBudget(o)) if o.work_needed == 4),
        "{refused:?}"
    );
}

#[test]
fn argon2_names_too_many_lanes_as_the_parallelism() {
    // Argon2 allows at most 2^24 - 1 lanes; the memory is checked against the lanes
    // only after that.
    let mut b = WorkBudget::default();
    let mut out = [0u8; 32];
    assert_eq!(
        argon2(
            &mut b,
            Argon2Variant::Argon2id,
            b"pw",
            b"saltsalt",
            1,
            1 << 20,
            1 << 24,
            &mut out
        ),
        Err(KdfError::Parameter("parallelism"))
    );
    assert_eq!(b.spent(), 0);
}

#[test]
fn memory_exactly_at_the_cap_is_not_exceeded() {
    let over = OverBudget {
        work_needed: 11,
        work_allowed: 10,
        memory_needed: 1 << 20,
        memory_allowed: 1 << 20,
    };
    assert!(over.work_exceeded());
    assert!(!over.memory_exceeded());
    assert_eq!(
        over.to_string(),
        "the key derivation needs at least 11 work units (10 allowed)"
    );
    // Through a derivation: scrypt N=2^10 r=8 p=1 needs 1 MiB + 2 KiB of memory.
    let mut b = WorkBudget::new(1, (1 << 20) + 2048);
    let mut out = [0u8; 32];
    let refused = scrypt(&mut b, b"pw", b"salt", 1 << 10, 8, 1, &mut out);
    assert!(
        matches!(refused, Err(KdfError::OverBudget(o)) if o.work_exceeded() && !o.memory_exceeded()),
        "{refused:?}"
    );
}
