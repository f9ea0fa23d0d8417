//! How many cases a property test runs: its own number, or fewer when
//! `OTPKIT_PROPTEST_CASES` says so (the mutation-testing stage runs the whole suite
//! once per mutant and sets it low). Include with
//! `#[path = "support/cases.rs"] mod cases;`.

/// `default`, capped by `OTPKIT_PROPTEST_CASES` when that is set to a number.
pub fn cases(default: u32) -> u32 {
    std::env::var("OTPKIT_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .map_or(default, |cap| cap.clamp(1, default.max(1)))
}
