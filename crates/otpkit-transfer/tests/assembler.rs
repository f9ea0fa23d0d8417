//! Property tests of the multi-QR assembler: any order, duplicates, missing batches.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret};
use otpkit_transfer::migration::{Added, AssembleError, Assembler};
use proptest::prelude::*;

fn accounts(n: usize) -> Vec<Account> {
    (0..n)
        .map(|i| Account {
            issuer: Some(format!("Issuer{}", i % 3)),
            name: format!("user{i}"),
            secret: Secret::from_bytes_with(
                &[u8::try_from(i % 251).unwrap().wrapping_add(1); 20],
                LengthPolicy::AllowShort,
            )
            .unwrap(),
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            pin: None,
            kind: if i % 4 == 0 {
                Kind::Hotp { counter: i as u64 }
            } else {
                Kind::Totp {
                    period: Period::DEFAULT,
                }
            },
            extra: Vec::new(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_order_with_duplicates_and_gaps(
        n in 1usize..45,
        per_batch in 1usize..11,
        batch_id in any::<i32>(),
        order_seed in any::<u64>(),
        drop_mask in any::<u64>(),
        dup_mask in any::<u64>(),
    ) {
        let accounts = accounts(n);
        let uris = otpkit::migration::encode_with_batch_id(&accounts, per_batch, batch_id).unwrap();
        let size = uris.len();
        // Which batches are scanned (never none), and in which order, with repeats.
        let kept: Vec<usize> = (0..size).filter(|i| drop_mask >> (i % 64) & 1 == 0).collect();
        let kept = if kept.is_empty() { vec![size - 1] } else { kept };
        let mut scans: Vec<usize> = kept.clone();
        scans.extend(kept.iter().copied().filter(|i| dup_mask >> (i % 64) & 1 == 1));
        let mut state = order_seed | 1;
        for i in (1..scans.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            scans.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut assembler = Assembler::new();
        let mut seen = std::collections::BTreeSet::new();
        for &i in &scans {
            let added = assembler.add(&uris[i]).unwrap();
            prop_assert_eq!(added, if seen.insert(i) { Added::New } else { Added::Duplicate });
        }
        let missing: Vec<usize> = (0..size).filter(|i| !kept.contains(i)).collect();
        prop_assert_eq!(assembler.missing(), missing.clone());
        prop_assert_eq!(assembler.is_complete(), missing.is_empty());
        prop_assert_eq!(assembler.batch_size(), Some(size));
        let import = assembler.finish();
        prop_assert_eq!(&import.missing_batches, &missing);
        let expected: Vec<Account> = accounts
            .chunks(per_batch)
            .enumerate()
            .filter(|(i, _)| kept.contains(i))
            .flat_map(|(_, c)| c.to_vec())
            .collect();
        prop_assert_eq!(import.accounts, expected);
    }

    #[test]
    fn batch_id_zero_is_tolerated(n in 11usize..30, other_id in any::<i32>()) {
        let accounts = accounts(n);
        let zero = otpkit::migration::encode_with_batch_id(&accounts, 10, 0).unwrap();
        let other = otpkit::migration::encode_with_batch_id(&accounts, 10, other_id).unwrap();
        // A payload without batch_id (0) fits an export with any id, either way round.
        let mut a = Assembler::new();
        a.add(&zero[0]).unwrap();
        a.add(&other[1]).unwrap();
        prop_assert_eq!(a.missing().len(), zero.len() - 2);
    }
}

#[test]
fn other_exports_and_conflicts_are_refused() {
    let a = otpkit::migration::encode_with_batch_id(&accounts(15), 10, 7).unwrap();
    let b = otpkit::migration::encode_with_batch_id(&accounts(15), 10, 8).unwrap();
    let c = otpkit::migration::encode_with_batch_id(&accounts(25), 10, 7).unwrap();
    let mut asm = Assembler::new();
    asm.add(&a[0]).unwrap();
    assert_eq!(asm.add(&b[1]), Err(AssembleError::DifferentExport));
    assert_eq!(asm.add(&c[1]), Err(AssembleError::DifferentExport)); // 3 batches, not 2
    let mut other = accounts(15);
    other[0].name = "changed".into();
    let d = otpkit::migration::encode_with_batch_id(&other, 10, 7).unwrap();
    assert_eq!(
        asm.add(&d[0]),
        Err(AssembleError::ConflictingDuplicate { index: 0 })
    );
    assert!(matches!(
        asm.add("otpauth://totp/x?secret=AAAA"),
        Err(AssembleError::Migration(_))
    ));
    assert!(Assembler::new().missing().is_empty());
    assert!(!Assembler::new().is_complete());
}
