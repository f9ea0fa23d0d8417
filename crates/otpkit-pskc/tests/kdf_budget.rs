//! A password-encrypted container's PBKDF2 is charged to `Options::budget` before it
//! runs: one asking for more is refused with `PskcError::KdfBudget` at once, and a
//! caller who trusts the file can allow more.

use std::time::{Duration, Instant};

use otpkit_pskc::{Decryption, Options, PskcError, WorkBudget, import, import_with};

const FIGURE_7: &str = include_str!("data/rfc6030-figure-7.xml");

fn with_iterations(iterations: u64) -> String {
    let xml = FIGURE_7.replace(
        "<IterationCount>1000<",
        &format!("<IterationCount>{iterations}<"),
    );
    assert_ne!(xml, FIGURE_7);
    xml
}

fn budget(work: u64) -> Options {
    Options {
        budget: WorkBudget::new(work, WorkBudget::DEFAULT_MAX_MEMORY),
        ..Options::default()
    }
}

#[test]
fn a_container_asking_for_billions_of_iterations_is_refused_before_deriving() {
    // 4 000 000 000 PBKDF2-HMAC-SHA-1 iterations: about ten minutes unbounded.
    let greedy = with_iterations(4_000_000_000);
    let start = Instant::now();
    let refused = import(greedy.as_bytes(), Decryption::Password(b"qwerty")).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_millis(500),
        "{:?}",
        start.elapsed()
    );
    let PskcError::KdfBudget(over) = refused else {
        panic!("{refused:?}")
    };
    assert!(over.work_exceeded() && !over.memory_exceeded());
    assert_eq!(over.work_allowed, WorkBudget::DEFAULT_WORK);
    assert!(over.work_needed > 400_000_000, "{over:?}");
    let message = PskcError::KdfBudget(over).to_string();
    assert!(
        message.starts_with("the PSKC file asks for more key-derivation work than allowed: "),
        "{message}"
    );
    assert!(!message.contains("qwerty"));
}

#[test]
fn the_budget_bounds_the_derivation_and_a_larger_one_lets_it_run() {
    // RFC 6030 figure 7: 1000 iterations, a 16-byte key: 121 units.
    let small = budget(120);
    let refused =
        import_with(FIGURE_7.as_bytes(), Decryption::Password(b"qwerty"), &small).unwrap_err();
    assert!(
        matches!(refused, PskcError::KdfBudget(o) if o.work_needed == 121 && o.work_allowed == 120),
        "{refused:?}"
    );
    let exact = budget(121);
    let opened = import_with(FIGURE_7.as_bytes(), Decryption::Password(b"qwerty"), &exact).unwrap();
    assert_eq!(opened.tokens().count(), 1);
    // 9 000 000 iterations are more than the default allows; with the budget raised
    // the key is derived (here it does not open figure 7's MAC key: another key).
    let heavy = with_iterations(9_000_000);
    let refused = import(heavy.as_bytes(), Decryption::Password(b"qwerty")).unwrap_err();
    assert!(matches!(refused, PskcError::KdfBudget(_)), "{refused:?}");
    assert_eq!(
        import_with(
            heavy.as_bytes(),
            Decryption::Password(b"qwerty"),
            &budget(2 * WorkBudget::DEFAULT_WORK)
        )
        .unwrap_err(),
        PskcError::WrongKeyOrPassword
    );
}
