//! Recovery codes: every code verifies exactly once, no code of another set does,
//! input variants verify, the stored form holds no code, failures are throttled
//! exactly like sign-in, and dropped codes leave no copy in freed heap memory.
#![cfg(feature = "alloc")]

use otpkit::recovery::{
    GenerateError, PolicyError, RecoveryCode, RecoveryCodes, RecoveryOutcome, RecoveryPolicy,
    RecoveryState, RecoveryStateError,
};
use otpkit::verifier::{DeviceState, NIST_MAX_FAILURES, Outcome, Policy, Verifier};
use otpkit::{Hotp, Secret};
use proptest::prelude::*;
use sha2::{Digest, Sha256};
use std::error::Error as _;

/// A deterministic CSPRNG stand-in for tests: SHA-256 in counter mode over a seed.
struct TestRng {
    seed: u64,
    counter: u64,
}

impl rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(32) {
            self.counter += 1;
            let block = Sha256::new()
                .chain_update(self.seed.to_le_bytes())
                .chain_update(self.counter.to_le_bytes())
                .finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
        Ok(())
    }
}
impl rand_core::TryCryptoRng for TestRng {}

fn rng(seed: u64) -> TestRng {
    TestRng { seed, counter: 0 }
}

/// One PBKDF2 iteration keeps the property tests fast; the cost is not what they test.
fn fast() -> RecoveryPolicy {
    RecoveryPolicy::default().with_iterations(1).unwrap()
}

fn policy_strategy() -> impl Strategy<Value = RecoveryPolicy> {
    (1usize..=12, 13usize..=32, 0usize..=8).prop_map(|(count, len, group)| {
        fast()
            .with_count(count)
            .unwrap()
            .with_length(len)
            .unwrap()
            .with_group(group)
            .unwrap()
    })
}

const NOW: u64 = 1_700_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_code_verifies_exactly_once(policy in policy_strategy(), seed: u64, order_seed: u64) {
        let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(seed)).unwrap();
        prop_assert_eq!(set.codes().len(), policy.count());
        let throttle = Policy::default();
        let mut state = set.state().clone();
        // A shuffled order of use.
        let mut order: Vec<usize> = (0..policy.count()).collect();
        order.sort_by_key(|i| Sha256::digest([order_seed.to_le_bytes(), (*i as u64).to_le_bytes()].concat()));
        for (used, &i) in order.iter().enumerate() {
            let code = set.codes()[i].to_string();
            let (outcome, next) = state.verify(&code, NOW, &throttle);
            prop_assert_eq!(outcome, RecoveryOutcome::Accepted { index: i, remaining: policy.count() - used - 1 });
            prop_assert!(next.is_used(i));
            // The state goes through its text form, as it would through a database.
            state = next.encode().parse().unwrap();
            let (again, after) = state.verify(&code, NOW, &throttle);
            prop_assert_eq!(again, RecoveryOutcome::AlreadyUsed);
            prop_assert_eq!(after.failures(), 1);
            state = state.clone();
        }
        prop_assert_eq!(state.remaining(), 0);
        for code in set.codes() {
            prop_assert_eq!(state.verify(code.ungrouped(), NOW, &throttle).0, RecoveryOutcome::AlreadyUsed);
        }
    }

    #[test]
    fn no_code_of_another_set_verifies(policy in policy_strategy(), seed: u64) {
        let a = RecoveryCodes::generate_with_rng(&policy, &mut rng(seed)).unwrap();
        let b = RecoveryCodes::generate_with_rng(&policy, &mut rng(seed ^ 0x5555_5555)).unwrap();
        prop_assert_ne!(a.state().set_id(), b.state().set_id());
        for code in b.codes() {
            let (outcome, next) = a.state().verify(&code.to_string(), NOW, &Policy::default());
            prop_assert_eq!(outcome, RecoveryOutcome::Invalid);
            prop_assert_eq!(next.failures(), 1);
            prop_assert_eq!(next.remaining(), a.state().remaining());
        }
    }

    #[test]
    fn case_spaces_and_hyphens_are_ignored(
        policy in policy_strategy(),
        seed: u64,
        pick: prop::sample::Index,
        seps in prop::collection::vec((any::<bool>(), prop::sample::select(vec!["", " ", "-", "  ", " - ", "\t"])), 32),
    ) {
        let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(seed)).unwrap();
        let i = pick.index(policy.count());
        let code = set.codes()[i].ungrouped();
        let typed: String = code
            .chars()
            .zip(&seps)
            .map(|(c, (lower, sep))| format!("{sep}{}", if *lower { c.to_ascii_lowercase() } else { c }))
            .collect();
        let (outcome, _) = set.state().verify(&typed, NOW, &Policy::default());
        prop_assert_eq!(outcome, RecoveryOutcome::Accepted { index: i, remaining: policy.count() - 1 });
    }

    #[test]
    fn the_stored_form_never_holds_a_code(policy in policy_strategy(), seed: u64) {
        let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(seed)).unwrap();
        let stored = set.state().encode();
        let debug = format!("{:?} {:#?}", set, set.state());
        for code in set.codes() {
            let plain = code.ungrouped();
            for text in [&stored, &debug] {
                let upper = text.to_ascii_uppercase();
                // Any 8-character run of a code (40 bits) would be a leak.
                for w in 0..=plain.len() - 8 {
                    prop_assert!(!upper.contains(&plain[w..w + 8]), "{} holds part of a code", text);
                }
            }
            let debug_code = format!("{:?}", code);
            prop_assert!(!debug_code.contains(&plain[..8]));
        }
        prop_assert_eq!(stored.parse::<RecoveryState>().unwrap(), set.state().clone());
    }

    #[test]
    fn any_change_to_the_stored_form_is_refused(seed: u64, at: prop::sample::Index, byte in 0x21u8..0x7f) {
        let set = RecoveryCodes::generate_with_rng(&fast().with_count(3).unwrap(), &mut rng(seed)).unwrap();
        let text = set.state().encode();
        let i = at.index(text.len());
        let mut bytes = text.clone().into_bytes();
        prop_assume!(bytes[i] != byte);
        bytes[i] = byte;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(changed.parse::<RecoveryState>().is_err());
        let mut shorter = text.clone();
        shorter.remove(i);
        prop_assert!(shorter.parse::<RecoveryState>().is_err());
    }

    #[test]
    fn decoding_never_panics(text in "otpr1\\.[0-9a-zA-Z,._-]{0,300}") {
        let _ = text.parse::<RecoveryState>();
    }
}

#[test]
fn default_codes_are_80_bits_in_groups_of_four() {
    let set = RecoveryCodes::generate_with_rng(&RecoveryPolicy::default(), &mut rng(1)).unwrap();
    assert_eq!(set.codes().len(), 10);
    for code in set.codes() {
        let shown = code.to_string();
        assert_eq!(shown.len(), 19);
        assert!(shown.split('-').all(|g| g.len() == 4), "{shown}");
        assert!(
            code.ungrouped()
                .bytes()
                .all(|b| otpkit::recovery::ALPHABET.contains(&b))
        );
    }
    assert_eq!(RecoveryPolicy::default().entropy_bits(), 80);
    let state = set.state();
    assert!(
        state
            .encode()
            .starts_with(&format!("otpr1.{}.16.10000.", state.set_id()))
    );
    // A full-cost verification works end to end.
    let (outcome, _) = state.verify(&set.codes()[9].to_string(), NOW, &Policy::default());
    assert_eq!(
        outcome,
        RecoveryOutcome::Accepted {
            index: 9,
            remaining: 9
        }
    );
}

/// A policy reads back what it was given (what an admin page shows).
#[test]
fn policy_getters_read_back_the_settings() {
    let p = RecoveryPolicy::default();
    assert_eq!((p.min_entropy_bits(), p.iterations()), (64, 10_000));
    let p = p
        .with_min_entropy_bits(72)
        .unwrap()
        .with_iterations(3)
        .unwrap()
        .with_count(5)
        .unwrap();
    assert_eq!(
        (p.min_entropy_bits(), p.iterations(), p.count()),
        (72, 3, 5)
    );
}

#[test]
fn weak_policies_are_refused_unless_asked_for() {
    use PolicyError::{CountOutOfRange, IterationsOutOfRange, LengthOutOfRange, MinimumTooLow};
    let short = RecoveryPolicy::default().with_length(12).unwrap(); // 60 bits
    assert_eq!(
        RecoveryCodes::generate_with_rng(&short, &mut rng(1)).unwrap_err(),
        GenerateError::Policy(PolicyError::TooLittleEntropy { bits: 60, min: 64 })
    );
    let lowered = short.with_min_entropy_bits(60).unwrap();
    assert!(RecoveryCodes::generate_with_rng(&lowered, &mut rng(1)).is_ok());
    let d = RecoveryPolicy::default;
    for (refused, e) in [
        (d().with_min_entropy_bits(19), MinimumTooLow { got: 19 }),
        (d().with_count(65), CountOutOfRange { got: 65 }),
        (d().with_count(0), CountOutOfRange { got: 0 }),
        (d().with_length(33), LengthOutOfRange { got: 33 }),
        (d().with_iterations(0), IterationsOutOfRange { got: 0 }),
    ] {
        assert_eq!(refused, Err(e));
    }
}

/// Every documented bound is inclusive: its maximum is accepted, one more refused.
#[test]
fn the_documented_bounds_are_inclusive() {
    use otpkit::recovery::{
        MAX_CODE_LEN, MAX_CODES, MAX_INPUT_LEN, MAX_ITERATIONS, MIN_ENTROPY_BITS,
    };
    let p = RecoveryPolicy::default();
    assert_eq!(p.with_count(MAX_CODES).map(|p| p.count()), Ok(MAX_CODES));
    assert_eq!(p.with_count(1).map(|p| p.count()), Ok(1));
    assert_eq!(
        p.with_length(MAX_CODE_LEN).map(|p| p.length()),
        Ok(MAX_CODE_LEN)
    );
    assert_eq!(p.with_length(1).map(|p| p.length()), Ok(1));
    assert_eq!(
        p.with_length(0),
        Err(PolicyError::LengthOutOfRange { got: 0 })
    );
    assert_eq!(
        p.with_group(MAX_CODE_LEN).map(|p| p.group()),
        Ok(MAX_CODE_LEN)
    );
    assert_eq!(p.with_group(0).map(|p| p.group()), Ok(0));
    assert_eq!(
        p.with_group(MAX_CODE_LEN + 1),
        Err(PolicyError::GroupOutOfRange {
            got: MAX_CODE_LEN + 1
        })
    );
    assert_eq!(
        p.with_iterations(MAX_ITERATIONS).map(|p| p.iterations()),
        Ok(MAX_ITERATIONS)
    );
    assert_eq!(
        p.with_iterations(MAX_ITERATIONS + 1),
        Err(PolicyError::IterationsOutOfRange {
            got: MAX_ITERATIONS + 1
        })
    );
    assert_eq!(
        p.with_min_entropy_bits(MIN_ENTROPY_BITS)
            .map(|p| p.min_entropy_bits()),
        Ok(MIN_ENTROPY_BITS)
    );

    // The input limit counts separators too: a code padded to exactly
    // MAX_INPUT_LEN bytes is read, one byte more is malformed.
    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(12)).unwrap();
    let code = set.codes()[0].ungrouped();
    let at_max = format!("{code}{}", " ".repeat(MAX_INPUT_LEN - code.len()));
    assert_eq!(at_max.len(), MAX_INPUT_LEN);
    let (outcome, _) = set.state().verify(&at_max, NOW, &Policy::default());
    assert!(outcome.is_accepted(), "{outcome:?}");
    let over = format!("{at_max} ");
    let (outcome, _) = set.state().verify(&over, NOW, &Policy::default());
    assert_eq!(outcome, RecoveryOutcome::Malformed);
}

#[test]
fn malformed_input_is_a_counted_failure() {
    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(2)).unwrap();
    let code = set.codes()[0].ungrouped().to_owned();
    for bad in [
        "".to_owned(),
        code[..15].to_owned(),
        format!("{code}2"),
        format!("{}0", &code[..15]),
        format!("{}O", &code[..15]),
        format!("{}_", &code[..15]),
        format!("{code}{}", " ".repeat(200)),
    ] {
        let (outcome, next) = set.state().verify(&bad, NOW, &Policy::default());
        assert_eq!(outcome, RecoveryOutcome::Malformed, "{bad:?}");
        assert_eq!(next.failures(), 1);
    }
}

#[test]
fn a_new_set_invalidates_the_old_one() {
    let old = RecoveryCodes::generate_with_rng(&fast(), &mut rng(3)).unwrap();
    let new = RecoveryCodes::generate_with_rng(&fast(), &mut rng(4)).unwrap();
    assert_ne!(old.state().set_id(), new.state().set_id());
    for code in old.codes() {
        assert_eq!(
            new.state()
                .verify(code.ungrouped(), NOW, &Policy::default())
                .0,
            RecoveryOutcome::Invalid
        );
    }
}

#[test]
fn an_accepted_code_clears_failures() {
    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(5)).unwrap();
    let (_, failed) = set
        .state()
        .verify("2222222222222222", NOW, &Policy::default());
    assert_eq!(failed.failures(), 1);
    let (outcome, ok) = failed.verify(set.codes()[1].ungrouped(), NOW, &Policy::default());
    assert!(outcome.is_accepted());
    assert_eq!((ok.failures(), ok.remaining()), (0, 9));
}

/// A recovery state answers "which codes are used?" and "is it locked now?" (what
/// an account page shows) from what happened to it.
#[test]
fn the_state_says_which_codes_are_used_and_whether_it_is_locked() {
    let set =
        RecoveryCodes::generate_with_rng(&fast().with_count(3).unwrap(), &mut rng(9)).unwrap();
    let fresh = set.state();
    assert!((0..70).all(|i| !fresh.is_used(i)));
    assert!(!fresh.is_locked_at(NOW));

    let (outcome, used) = fresh.verify(set.codes()[1].ungrouped(), NOW, &Policy::default());
    assert!(outcome.is_accepted());
    assert_eq!(
        (0..4).map(|i| used.is_used(i)).collect::<Vec<_>>(),
        [false, true, false, false]
    );
    assert!(!used.is_used(usize::MAX));

    let policy = Policy::default()
        .with_max_failures(2)
        .unwrap()
        .with_lockout(60, 60)
        .unwrap();
    let (_, once) = used.verify("nope", NOW, &policy);
    assert!(!once.is_locked_at(NOW));
    let (_, locked) = once.verify("nope", NOW, &policy);
    assert_eq!(locked.locked_until(), Some(NOW + 60));
    assert!(locked.is_locked_at(NOW) && locked.is_locked_at(NOW + 59));
    assert!(!locked.is_locked_at(NOW + 60));
}

/// The recovery throttle and the sign-in throttle, fed the same failures at the same
/// times under the same policy, lock at the same moments for the same time.
#[test]
fn throttling_is_the_sign_in_throttle() {
    let policy = Policy::default()
        .with_max_failures(3)
        .unwrap()
        .with_lockout(10, 100)
        .unwrap();
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let verifier = Verifier::hotp(
        Hotp::new(&secret, Default::default(), Default::default()),
        policy,
    );
    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(6)).unwrap();
    let good = set.codes()[0].ungrouped().to_owned();
    let mut device = DeviceState::hotp_at(0);
    let mut recovery = set.into_state();
    let mut now = NOW;
    let mut locks = 0;
    for attempt in 0..400u64 {
        // Malformed sign-in codes count as failures; wrong recovery codes likewise.
        let (o1, d) = verifier.verify(&device, "not a code", now);
        let (o2, r) = recovery.verify("2222-2222-2222-2222", now, &policy);
        match (o1, o2) {
            (Outcome::Locked { until: a }, RecoveryOutcome::Locked { until: b }) => {
                assert_eq!(a, b);
                locks += 1;
            }
            (Outcome::Malformed(_), RecoveryOutcome::Invalid) => {}
            other => panic!("attempt {attempt}: {other:?}"),
        }
        assert_eq!(
            (d.failures(), d.locked_until()),
            (r.failures(), r.locked_until()),
            "attempt {attempt}"
        );
        device = d;
        recovery = r;
        now += attempt % 7 * 5;
    }
    assert!(locks > 0);
    assert_eq!(recovery.failures(), NIST_MAX_FAILURES);
    assert_eq!(recovery.locked_until(), Some(u64::MAX));
    // Locked for good: even the right code is not looked at.
    let (outcome, same) = recovery.verify(&good, u64::MAX - 1, &policy);
    assert_eq!(outcome, RecoveryOutcome::Locked { until: u64::MAX });
    assert_eq!(same, recovery);
    // Until an administrator clears it.
    let cleared = recovery.with_failures_cleared();
    assert!(cleared.verify(&good, now, &policy).0.is_accepted());
}

#[test]
fn locked_means_not_looked_at_and_nothing_counted() {
    let policy = Policy::default().with_max_failures(2).unwrap();
    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(7)).unwrap();
    let (_, s) = set.state().verify("x", NOW, &policy);
    let (_, s) = s.verify("x", NOW, &policy);
    assert_eq!(s.locked_until(), Some(NOW + 60));
    let (outcome, same) = s.verify(set.codes()[0].ungrouped(), NOW + 59, &policy);
    assert_eq!(outcome, RecoveryOutcome::Locked { until: NOW + 60 });
    assert_eq!(same, s);
    assert!(
        s.verify(set.codes()[0].ungrouped(), NOW + 60, &policy)
            .0
            .is_accepted()
    );
}

#[test]
fn decode_errors_are_typed() {
    let set =
        RecoveryCodes::generate_with_rng(&fast().with_count(2).unwrap(), &mut rng(8)).unwrap();
    let text = set.state().encode();
    assert_eq!(
        "otpk1.t.5.0.0.0.000000000000".parse::<RecoveryState>(),
        Err(RecoveryStateError::NotAState)
    );
    assert_eq!(
        text.replacen("otpr1.", "otpr2.", 1)
            .parse::<RecoveryState>(),
        Err(RecoveryStateError::UnsupportedVersion)
    );
    assert_eq!(
        "x".repeat(3000).parse::<RecoveryState>(),
        Err(RecoveryStateError::TooLong { len: 3000 })
    );
    // The limit is inclusive: a text of exactly the maximum length is read (and
    // refused for what it is), one byte more is too long.
    let max = otpkit::recovery::MAX_ENCODED_LEN;
    assert_eq!(
        "x".repeat(max).parse::<RecoveryState>(),
        Err(RecoveryStateError::NotAState)
    );
    assert_eq!(
        "x".repeat(max + 1).parse::<RecoveryState>(),
        Err(RecoveryStateError::TooLong { len: max + 1 })
    );
    // A re-checksummed state with a used bit past the set is refused.
    let body = text.rsplit_once('.').unwrap().0;
    let fields: Vec<&str> = body.split('.').collect();
    let mut bad = fields.clone();
    bad[7] = "4";
    let bad = bad.join(".");
    let sum: String = Sha256::digest(bad.as_bytes())[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        format!("{bad}.{sum}").parse::<RecoveryState>(),
        Err(RecoveryStateError::InvalidField { field: "used" })
    );
}

/// A well-checksummed state with one ill-formed field (as a buggy or foreign writer
/// makes them) is refused naming that field; the limits themselves are accepted.
#[test]
fn ill_formed_fields_are_refused_by_name() {
    const BODY: &str = "otpr1.d74243a247f30928.16.1.qKtIteSjg6_KC7CKYd5rcA.1.0.2.\
        7g8HO1bi2IsraWKYSK_KIw,dGIoGwjWGf-RHnDdcDthHA";
    // Field 2 is code_len, 3 iterations, 7 used (hex bit set of used codes).
    let with = |index: usize, value: &str| {
        let mut fields: Vec<&str> = BODY.split('.').collect();
        fields[index] = value;
        let body = fields.join(".");
        let sum: String = Sha256::digest(body.as_bytes())[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("{body}.{sum}").parse::<RecoveryState>()
    };
    assert!(with(2, "16").is_ok());
    let max_iterations = otpkit::recovery::MAX_ITERATIONS.to_string();
    let too_many = (otpkit::recovery::MAX_ITERATIONS + 1).to_string();
    for (index, value, ok) in [
        (2, "0", false),
        (2, "32", true),
        (2, "33", false),
        (3, "0", false),
        (3, max_iterations.as_str(), true),
        (3, too_many.as_str(), false),
        (7, "0", true),
        (7, "3", true),
        (7, "", false),
        (7, "02", false),
        (7, "A", false),
        (7, "g", false),
    ] {
        let field = ["", "", "code_len", "iterations", "", "", "", "used"][index];
        match with(index, value) {
            Ok(state) => assert!(ok, "{field}={value:?} accepted: {state:?}"),
            Err(e) => {
                assert!(!ok, "{field}={value:?} refused: {e}");
                assert_eq!(e, RecoveryStateError::InvalidField { field }, "{value:?}");
            }
        }
    }
    // Code 1 of 2 was used in BODY; "3" marks both.
    let both = with(7, "3").unwrap();
    assert!(both.is_used(0) && both.is_used(1));
    assert_eq!(both.remaining(), 0);
}

/// The stored string is a compatibility contract: a state written by an earlier
/// release reads back, and the same set is written the same way.
#[test]
fn the_stored_form_is_stable() {
    let policy = fast().with_count(2).unwrap();
    let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(8)).unwrap();
    let (_, state) = set.state().verify("nope", NOW, &Policy::default());
    let (_, state) = state.verify(set.codes()[1].ungrouped(), NOW, &Policy::default());
    let (_, state) = state.verify("nope", NOW, &Policy::default());
    const GOLDEN: &str = "otpr1.d74243a247f30928.16.1.qKtIteSjg6_KC7CKYd5rcA.1.0.2.\
        7g8HO1bi2IsraWKYSK_KIw,dGIoGwjWGf-RHnDdcDthHA.74519d8cd0c1";
    assert_eq!(state.encode(), GOLDEN);
    assert_eq!(GOLDEN.parse::<RecoveryState>(), Ok(state));
}

#[test]
fn decode_error_messages_name_the_state_and_field() {
    let cases = [
        (
            RecoveryStateError::TooLong { len: 3000 },
            "a recovery code state is at most 2048 bytes, got 3000",
        ),
        (
            RecoveryStateError::NotAState,
            "not an otpkit recovery code state",
        ),
        (
            RecoveryStateError::UnsupportedVersion,
            "an otpkit recovery code state of an unsupported format version",
        ),
        (
            RecoveryStateError::ChecksumMismatch,
            "the recovery code state is corrupted (checksum mismatch)",
        ),
        (
            RecoveryStateError::MissingField { field: "salt" },
            "the recovery code state lacks its salt field",
        ),
        (
            RecoveryStateError::InvalidField { field: "used" },
            "the recovery code state's used field is invalid",
        ),
        (
            RecoveryStateError::TrailingFields,
            "the recovery code state has extra fields",
        ),
    ];
    for (error, message) in cases {
        assert_eq!(error.to_string(), message);
    }
}

/// What each outcome and error says (shown to a user or an operator), and what a
/// state's and a code's `Debug` show (counts, never a code or hash).
#[test]
fn messages_and_debug_output() {
    for (outcome, text) in [
        (
            RecoveryOutcome::Accepted {
                index: 2,
                remaining: 7,
            },
            "the recovery code was accepted; 7 left",
        ),
        (RecoveryOutcome::Invalid, "not a valid recovery code"),
        (
            RecoveryOutcome::AlreadyUsed,
            "the recovery code was already used",
        ),
        (
            RecoveryOutcome::Locked { until: u64::MAX },
            "too many failed attempts: locked until reset",
        ),
        (
            RecoveryOutcome::Locked {
                until: 1_700_000_060,
            },
            "too many failed attempts: locked until 1700000060",
        ),
        (
            RecoveryOutcome::Malformed,
            "not a recovery code of the right form",
        ),
    ] {
        assert_eq!(outcome.to_string(), text);
    }
    for (e, text) in [
        (
            PolicyError::CountOutOfRange { got: 65 },
            "a recovery code set has 1 to 64 codes, got 65",
        ),
        (
            PolicyError::LengthOutOfRange { got: 0 },
            "a recovery code has 1 to 32 characters, got 0",
        ),
        (
            PolicyError::GroupOutOfRange { got: 40 },
            "a recovery code group has at most 32 characters, got 40",
        ),
        (
            PolicyError::MinimumTooLow { got: 19 },
            "recovery codes need at least 20 bits of entropy (NIST SP 800-63B), got a minimum of 19",
        ),
        (
            PolicyError::IterationsOutOfRange { got: 0 },
            "PBKDF2 iterations must be 1 to 10000000, got 0",
        ),
        (
            PolicyError::TooLittleEntropy { bits: 60, min: 64 },
            "recovery codes of this length have 60 bits of entropy, the policy requires at least 64",
        ),
    ] {
        assert_eq!(e.to_string(), text);
        let wrapped = GenerateError::Policy(e);
        assert_eq!(
            wrapped.to_string(),
            format!("cannot generate recovery codes: {text}")
        );
        assert_eq!(
            wrapped.source().map(|s| s.to_string()),
            Some(text.to_owned())
        );
    }
    let rng_failed = GenerateError::RngFailed;
    assert_eq!(
        rng_failed.to_string(),
        "cannot generate recovery codes: the random number generator failed"
    );
    assert!(rng_failed.source().is_none());

    let set =
        RecoveryCodes::generate_with_rng(&fast().with_count(2).unwrap(), &mut rng(8)).unwrap();
    let code = &set.codes()[0];
    assert_eq!(format!("{code:?}"), "RecoveryCode { len: 16, .. }");
    let (_, state) = set
        .state()
        .verify(code.ungrouped(), NOW, &Policy::default());
    let (_, state) = state.verify("nope", NOW, &Policy::default());
    assert_eq!(
        format!("{state:?}"),
        format!(
            "RecoveryState {{ set_id: {:?}, codes: 2, unused: 1, failures: 1, locked_until: 0, .. }}",
            state.set_id()
        )
    );
}

#[test]
fn messages_name_no_code() {
    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(9)).unwrap();
    let code = set.codes()[0].ungrouped();
    for outcome in [
        set.state().verify(code, NOW, &Policy::default()).0,
        set.state()
            .verify(&code.to_lowercase(), NOW, &Policy::default())
            .0,
    ] {
        assert!(!format!("{outcome} {outcome:?}").contains(&code[..8]));
    }
}

/// Observes heap blocks as they are freed, to show that dropped codes leave no copy.
///
/// Soundness: `dealloc` gets a pointer `System` allocated with `layout`, still
/// allocated until passed on, so reading `layout.size()` bytes is in bounds. Reading
/// them as `u8` needs every byte initialised, so only blocks freed on the arming
/// thread while armed, with exactly the layout of an array of `RecoveryCode` (34
/// bytes, alignment 1, no padding; the Vec below is full) are read. The needles are
/// in a const-initialised thread-local `Cell` without destructor, so the scan never
/// allocates.
mod freed_memory {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use otpkit::recovery::RecoveryCode;

    pub const N: usize = 10;

    thread_local! {
        static ARMED: Cell<Option<usize>> = const { Cell::new(None) };
        static NEEDLES: Cell<[[u8; 16]; N]> = const { Cell::new([[0; 16]; N]) };
    }
    static HITS: AtomicUsize = AtomicUsize::new(0);

    pub struct Probe;

    // SAFETY: every method forwards to `System` with the caller's own pointer and
    // layout; the probe only reads a block (inside its layout) before it is freed.
    unsafe impl GlobalAlloc for Probe {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's layout, passed on unchanged.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let armed = ARMED.try_with(Cell::get).ok().flatten();
            if let Some(count) = armed
                && Layout::array::<RecoveryCode>(count).ok() == Some(layout)
            {
                // SAFETY: see the module documentation.
                let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                let needles = NEEDLES.with(Cell::get);
                for needle in &needles {
                    if block.windows(16).any(|w| w == needle) {
                        HITS.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
            // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static GLOBAL: Probe = Probe;

    /// How many codes were found in blocks of `count` codes freed during `f`.
    pub fn codes_left_in_freed_blocks(needles: [[u8; 16]; N], f: impl FnOnce()) -> usize {
        HITS.store(0, Ordering::SeqCst);
        NEEDLES.with(|n| n.set(needles));
        ARMED.with(|a| a.set(Some(N)));
        f();
        ARMED.with(|a| a.set(None));
        HITS.load(Ordering::SeqCst)
    }
}

#[test]
fn dropped_codes_leave_no_copy_on_the_heap() {
    use freed_memory::{N, codes_left_in_freed_blocks};
    use std::mem::ManuallyDrop;

    let policy = fast().with_count(N).unwrap();
    let needles_of = |codes: &[RecoveryCode]| {
        let mut out = [[0u8; 16]; N];
        for (o, c) in out.iter_mut().zip(codes) {
            o.copy_from_slice(c.ungrouped().as_bytes());
        }
        out
    };

    // Control: the same codes in a block whose drop is suppressed are seen.
    let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(10)).unwrap();
    let needles = needles_of(set.codes());
    let copies: Vec<ManuallyDrop<RecoveryCode>> =
        set.codes().iter().cloned().map(ManuallyDrop::new).collect();
    assert_eq!(copies.capacity(), N);
    assert_eq!(
        codes_left_in_freed_blocks(needles, || drop(copies)),
        N,
        "the probe must see codes that were not wiped"
    );

    // Generating, showing, verifying and dropping a set leaves none.
    let mut needles = [[0u8; 16]; N];
    let left = codes_left_in_freed_blocks([[0xff; 16]; N], || {
        let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(11)).unwrap();
        needles = needles_of(set.codes());
        drop(set);
    });
    assert_eq!(left, 0);
    let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(11)).unwrap();
    assert_eq!(needles_of(set.codes()), needles, "same seed, same codes");
    let left = codes_left_in_freed_blocks(needles, || {
        let state = set.state().clone();
        let (outcome, _) = state.verify(set.codes()[2].ungrouped(), NOW, &Policy::default());
        assert!(outcome.is_accepted());
        drop(set);
    });
    assert_eq!(left, 0, "a dropped set left codes in freed memory");
}

#[cfg(feature = "serde")]
#[test]
fn serde_uses_the_text_form() {
    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(12)).unwrap();
    let json = serde_json::to_string(set.state()).unwrap();
    assert_eq!(json, format!("\"{}\"", set.state().encode()));
    let back: RecoveryState = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, set.state());
    let err = serde_json::from_str::<RecoveryState>("\"otpr1.x\"").unwrap_err();
    assert!(err.to_string().contains("recovery code state"), "{err}");
}

/// Servers racing on one stored recovery state with compare-and-swap persistence
/// (`UPDATE … SET state = :new WHERE state = :old`, here a mutex-guarded string): the
/// same code is accepted exactly once, and wrong guesses racing alongside are all
/// counted.
#[test]
fn racing_servers_accept_a_code_once_and_lose_no_failure() {
    use std::sync::{Arc, Barrier, Mutex};

    let set = RecoveryCodes::generate_with_rng(&fast(), &mut rng(13)).unwrap();
    let code = set.codes()[4].to_string();
    // The row, and how many writes it has had (to order the outcomes).
    let store = Arc::new(Mutex::new((set.state().encode(), 0u32)));
    let policy = Policy::default().with_max_failures(100).unwrap();
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (store, barrier) = (store.clone(), barrier.clone());
            // Half the servers get the right code, half a wrong one.
            let input = if i % 2 == 0 {
                code.clone()
            } else {
                "2222-2222-2222-2222".to_owned()
            };
            std::thread::spawn(move || {
                barrier.wait();
                loop {
                    let old = store.lock().unwrap().0.clone();
                    let state: RecoveryState = old.parse().unwrap();
                    let (outcome, new) = state.verify(&input, NOW, &policy);
                    let mut row = store.lock().unwrap();
                    if row.0 == old {
                        row.0 = new.encode();
                        row.1 += 1;
                        return (outcome, row.1);
                    }
                }
            })
        })
        .collect();
    let outcomes: Vec<(RecoveryOutcome, u32)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    let accepted: Vec<u32> = outcomes
        .iter()
        .filter(|(o, _)| o.is_accepted())
        .map(|(_, seq)| *seq)
        .collect();
    assert_eq!(accepted.len(), 1, "{outcomes:?}");
    assert_eq!(
        outcomes
            .iter()
            .filter(|(o, _)| *o == RecoveryOutcome::AlreadyUsed)
            .count(),
        3
    );
    let last: RecoveryState = store.lock().unwrap().0.parse().unwrap();
    assert!(last.is_used(4));
    assert_eq!(last.remaining(), 9);
    // Every failure written after the acceptance is counted (earlier ones were
    // cleared by it): none was lost to a race.
    let failures_after = outcomes
        .iter()
        .filter(|(o, seq)| !o.is_accepted() && *seq > accepted[0])
        .count() as u32;
    assert_eq!(last.failures(), failures_after);
}

#[test]
fn the_largest_set_fits_the_encoded_limit() {
    let policy = fast().with_count(64).unwrap().with_length(32).unwrap();
    let set = RecoveryCodes::generate_with_rng(&policy, &mut rng(14)).unwrap();
    let mut state = set.state().clone();
    for code in set.codes() {
        let (outcome, next) = state.verify(code.ungrouped(), NOW, &Policy::default());
        assert!(outcome.is_accepted());
        state = next;
    }
    let text = state.encode();
    assert!(
        text.len() <= otpkit::recovery::MAX_ENCODED_LEN,
        "{}",
        text.len()
    );
    assert_eq!(text.parse::<RecoveryState>().unwrap(), state);
    assert_eq!(state.remaining(), 0);
    assert!(text.contains(".ffffffffffffffff."));
}
