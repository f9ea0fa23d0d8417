//! A dudect-style statistical constant-time test of every verification path:
//! `Totp::verify` (SHA-1, SHA-256, SHA-512), `Hotp::verify`, `SteamGuard::verify`,
//! the `Verifier`'s sign-in, enrolment (`enroll_code`, `enroll`) and `resync`, and
//! `RecoveryState::verify` (see docs/constant-time.md for the method and recorded
//! results).
//!
//! Each bench times one of them on two classes of input, interleaved at random:
//!
//! - Left: a code that matches the window at one position (one step behind, the
//!   current step, or one step ahead, for the default window of ±1);
//! - Right: a well-formed code that matches no step of the window.
//!
//! dudect-bencher then runs Welch's t-test on the two timing distributions (cropped
//! at many percentiles) and prints the largest |t|. |t| above about 5 means the two
//! classes are distinguishable by time, i.e. a leak.
//!
//! `naive_early_exit_*` is a positive control: a verifier written the usual insecure
//! way (stop at the first match, compare strings with `==`). It must show a large |t|;
//! if it does not, the measurement is too noisy to conclude anything.
//!
//! Run: `cargo run --release -p otpkit-ct` (add `-- --filter NAME` for one bench,
//! `-- --continuous NAME` to keep sampling).

use dudect_bencher::rand::{Rng, RngExt};
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main_with_seeds};
use otpkit::recovery::{RecoveryCodes, RecoveryOutcome, RecoveryPolicy};
use otpkit::steam::{STEAM_ALPHABET, SteamGuard};
use otpkit::verifier::{DeviceState, EnrollOutcome, Policy, ResyncOutcome, Verifier};
use otpkit::{Algorithm, Digits, Hotp, LengthPolicy, Period, Secret, Totp, Window};

/// Timed calls per bench run (half in each class, on average).
const SAMPLES: usize = 200_000;

/// A TOTP verifier for a random secret of the algorithm's default length (6 digits,
/// 30 s: what apps use).
fn random_totp(rng: &mut BenchRng, algorithm: Algorithm) -> Totp {
    let secret = random_secret(rng, algorithm);
    Totp::new(&secret, algorithm, Digits::SIX, Period::DEFAULT)
}

/// A six-digit code that matches no step of `window` around `step`.
fn non_matching_code(totp: &Totp, rng: &mut BenchRng, step: u64, window: Window) -> String {
    let first = step - u64::from(window.behind());
    let last = step + u64::from(window.ahead());
    loop {
        let code = format!("{:06}", rng.random_range(0..1_000_000u32));
        if (first..=last).all(|s| totp.code_at_step(s).to_string() != code) {
            return code;
        }
    }
}

/// What a sample's typed code is.
#[derive(Clone, Copy)]
enum Typed {
    /// The code of the step at this offset from the current one.
    MatchAt(i64),
    /// A code that matches no step of the window.
    NoMatch,
}

/// The samples: each one's class, typed code and verification time.
fn make_inputs(
    totp: &Totp,
    rng: &mut BenchRng,
    window: Window,
    left: Typed,
    right: Typed,
) -> Vec<(Class, String, u64)> {
    let code_at_step = |step| totp.code_at_step(step).to_string();
    let no_match = |rng: &mut BenchRng, step| non_matching_code(totp, rng, step, window);
    make_inputs_with(rng, left, right, code_at_step, no_match)
}

/// A fair coin between the two classes, and the input that goes with the one drawn.
fn either<T>(rng: &mut BenchRng, left: T, right: T) -> (Class, T) {
    if rng.random::<bool>() {
        (Class::Left, left)
    } else {
        (Class::Right, right)
    }
}

/// The samples for any 30-second code: a random step and second, a coin flip for
/// the class, the code of the step at the class's offset (`code_at_step`) or one
/// matching no step of the window around it (`no_match`).
fn make_inputs_with(
    rng: &mut BenchRng,
    left: Typed,
    right: Typed,
    code_at_step: impl Fn(u64) -> String,
    mut no_match: impl FnMut(&mut BenchRng, u64) -> String,
) -> Vec<(Class, String, u64)> {
    (0..SAMPLES)
        .map(|_| {
            let step = rng.random_range(1_000..1_000_000_000u64);
            let now = step * 30 + rng.random_range(0..30u64);
            let (class, typed) = either(rng, left, right);
            let code = match typed {
                Typed::MatchAt(offset) => {
                    let target = step
                        .checked_add_signed(offset)
                        .unwrap_or_else(|| panic!("offset {offset} stays inside u64"));
                    code_at_step(target)
                }
                Typed::NoMatch => no_match(rng, step),
            };
            (class, code, now)
        })
        .collect()
}

fn bench_verify(
    runner: &mut CtRunner,
    rng: &mut BenchRng,
    window: Window,
    left: Typed,
    right: Typed,
) {
    bench_verify_with(runner, rng, Algorithm::Sha1, window, left, right);
}

fn bench_verify_with(
    runner: &mut CtRunner,
    rng: &mut BenchRng,
    algorithm: Algorithm,
    window: Window,
    left: Typed,
    right: Typed,
) {
    let totp = random_totp(rng, algorithm);
    for (class, code, now) in make_inputs(&totp, rng, window, left, right) {
        runner.run_one(class, || totp.verify(&code, now, window));
    }
}

/// The ±2 window of the wide-window classes.
const WIDE: Window = match Window::symmetric(2) {
    Ok(window) => window,
    Err(_) => panic!("±2 is inside Window::MAX_STEPS_PER_SIDE"),
};

/// `Totp::verify`, default window (±1): a code from one step behind vs no match.
fn verify_match_behind(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_verify(
        runner,
        rng,
        Window::default(),
        Typed::MatchAt(-1),
        Typed::NoMatch,
    );
}

/// `Totp::verify`, default window (±1): a code from the current step vs no match.
fn verify_match_current(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_verify(
        runner,
        rng,
        Window::default(),
        Typed::MatchAt(0),
        Typed::NoMatch,
    );
}

/// `Totp::verify`, default window (±1): a code from one step ahead vs no match.
fn verify_match_ahead(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_verify(
        runner,
        rng,
        Window::default(),
        Typed::MatchAt(1),
        Typed::NoMatch,
    );
}

/// `Totp::verify`, a ±2 window: a code from the first step (two behind) vs no match.
fn verify_wide_match_first(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_verify(runner, rng, WIDE, Typed::MatchAt(-2), Typed::NoMatch);
}

/// `Totp::verify`, a ±2 window: a code from the last step (two ahead) vs no match.
fn verify_wide_match_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_verify(runner, rng, WIDE, Typed::MatchAt(2), Typed::NoMatch);
}

/// Where a code matched must not show: one step behind vs one step ahead (±1).
fn position_behind_vs_ahead(runner: &mut CtRunner, rng: &mut BenchRng) {
    let window = Window::default();
    bench_verify(runner, rng, window, Typed::MatchAt(-1), Typed::MatchAt(1));
}

/// Where a code matched must not show: the current step vs one step behind (±1).
fn position_current_vs_behind(runner: &mut CtRunner, rng: &mut BenchRng) {
    let window = Window::default();
    bench_verify(runner, rng, window, Typed::MatchAt(0), Typed::MatchAt(-1));
}

/// Where a code matched must not show: first vs last step of a ±2 window.
fn position_wide_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let window = WIDE;
    bench_verify(runner, rng, window, Typed::MatchAt(-2), Typed::MatchAt(2));
}

/// HMAC-SHA256 (on the lanes kernel by default), ±1: one step behind vs no match.
fn sha256_match_behind(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (w, l, r) = (Window::default(), Typed::MatchAt(-1), Typed::NoMatch);
    bench_verify_with(runner, rng, Algorithm::Sha256, w, l, r);
}

/// HMAC-SHA256, ±1: one step behind vs one step ahead.
fn sha256_position_behind_vs_ahead(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (w, l, r) = (Window::default(), Typed::MatchAt(-1), Typed::MatchAt(1));
    bench_verify_with(runner, rng, Algorithm::Sha256, w, l, r);
}

/// HMAC-SHA512 (always RustCrypto), ±1: one step behind vs no match.
fn sha512_match_behind(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (w, l, r) = (Window::default(), Typed::MatchAt(-1), Typed::NoMatch);
    bench_verify_with(runner, rng, Algorithm::Sha512, w, l, r);
}

/// HMAC-SHA512, ±1: one step behind vs one step ahead.
fn sha512_position_behind_vs_ahead(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (w, l, r) = (Window::default(), Typed::MatchAt(-1), Typed::MatchAt(1));
    bench_verify_with(runner, rng, Algorithm::Sha512, w, l, r);
}

/// A random secret of the algorithm's default length.
fn random_secret(rng: &mut BenchRng, algorithm: Algorithm) -> Secret {
    let mut bytes = vec![0u8; algorithm.default_secret_len()];
    rng.fill_bytes(&mut bytes);
    Secret::from_bytes_with(&bytes, LengthPolicy::Rfc4226)
        .unwrap_or_else(|e| panic!("a default-length secret is valid: {e}"))
}

/// `SteamGuard::verify` (Steam's alphabet through the shared scan), ±1, `left` vs
/// `right`; a non-matching code is five random alphabet letters matching no step.
fn bench_steam(runner: &mut CtRunner, rng: &mut BenchRng, left: Typed, right: Typed) {
    let guard = SteamGuard::new(&random_secret(rng, Algorithm::Sha1));
    let window = Window::default();
    let code_at_step = |step| guard.code_at_step(step).to_string();
    let no_match = |rng: &mut BenchRng, step: u64| loop {
        let code: String = (0..5)
            .map(|_| char::from(STEAM_ALPHABET[rng.random_range(0..26usize)]))
            .collect();
        if (step - 1..=step + 1).all(|s| guard.code_at_step(s).as_str() != code) {
            break code;
        }
    };
    let inputs = make_inputs_with(rng, left, right, code_at_step, no_match);
    for (class, code, now) in inputs {
        runner.run_one(class, || guard.verify(&code, now, window));
    }
}

/// `SteamGuard::verify`, ±1: one step behind vs no match.
fn steam_match_behind(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_steam(runner, rng, Typed::MatchAt(-1), Typed::NoMatch);
}

/// `SteamGuard::verify`, ±1: one step behind vs one step ahead.
fn steam_position_behind_vs_ahead(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_steam(runner, rng, Typed::MatchAt(-1), Typed::MatchAt(1));
}

/// `Hotp::verify` with a look-ahead of 2: the code of the expected counter vs the
/// code of the last counter of the look-ahead.
fn hotp_position_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let hotp = Hotp::new(
        &random_secret(rng, Algorithm::Sha1),
        Algorithm::Sha1,
        Digits::SIX,
    );
    let inputs: Vec<(Class, String, u64)> = (0..SAMPLES)
        .map(|_| {
            let counter = rng.random_range(0..1_000_000_000u64);
            let (class, at) = either(rng, counter, counter + 2);
            (class, hotp.code(at).to_string(), counter)
        })
        .collect();
    for (class, code, counter) in inputs {
        runner.run_one(class, || hotp.verify(&code, counter, 2));
    }
}

/// `Verifier::verify` (TOTP, default policy) on an enrolled device that last
/// signed in long before: a code at `left` steps from the current one vs at
/// `right` (both accepted).
fn bench_verifier(runner: &mut CtRunner, rng: &mut BenchRng, left: i64, right: i64) {
    let (totp, verifier, state) = enrolled_device(rng);
    let window = Window::default();
    let inputs = make_inputs(
        &totp,
        rng,
        window,
        Typed::MatchAt(left),
        Typed::MatchAt(right),
    );
    for (class, code, now) in inputs {
        runner.run_one(class, || verifier.verify(&state, &code, now));
    }
}

/// `Verifier::verify`: one step behind vs one step ahead. After the scan, the
/// accepted step's offset chooses how the drift is learned (ahead: a fast clock;
/// behind: no evidence, see `Verifier::learn_drift`).
fn verifier_position_behind_vs_ahead(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_verifier(runner, rng, -1, 1);
}

/// `Verifier::verify`: one step behind vs the current step (both "no evidence"
/// for the drift).
fn verifier_position_current_vs_behind(runner: &mut CtRunner, rng: &mut BenchRng) {
    bench_verifier(runner, rng, 0, -1);
}

/// An enrolled TOTP device (default policy) whose last sign-in was at step 1,000,
/// long before any sample's step.
fn enrolled_device(rng: &mut BenchRng) -> (Totp, Verifier, DeviceState) {
    let totp = random_totp(rng, Algorithm::Sha1);
    let verifier = Verifier::totp(totp.clone(), Policy::default());
    let code = |step: u64| totp.code_at_step(step).to_string();
    let (outcome, state) = verifier.enroll(
        &verifier.begin_enrollment(),
        &code(999),
        &code(1_000),
        1_000 * 30,
    );
    assert!(
        matches!(outcome, EnrollOutcome::Enrolled { .. }),
        "enrolment with two consecutive codes: {outcome:?}"
    );
    (totp, verifier, state)
}

/// Samples of two consecutive codes: Left the pair whose second code is at
/// `left` steps from the current one, Right at `right`; a random step and second.
fn make_pairs(
    totp: &Totp,
    rng: &mut BenchRng,
    left: i64,
    right: i64,
) -> Vec<(Class, String, String, u64)> {
    (0..SAMPLES)
        .map(|_| {
            let step = rng.random_range(1_000_000..1_000_000_000u64);
            let now = step * 30 + rng.random_range(0..30u64);
            let (class, offset) = either(rng, left, right);
            let second = step
                .checked_add_signed(offset)
                .unwrap_or_else(|| panic!("offset {offset} stays inside u64"));
            let code = |s: u64| totp.code_at_step(s).to_string();
            (class, code(second - 1), code(second), now)
        })
        .collect()
}

/// `Verifier::enroll_code` (TOTP, default policy: ±10 steps) on a pending
/// enrolment: a first code from the first step of the search vs from its last.
/// Both are accepted (`NeedNextCode`).
fn verifier_enroll_code_position_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let totp = random_totp(rng, Algorithm::Sha1);
    let verifier = Verifier::totp(totp.clone(), Policy::default());
    let pending = verifier.begin_enrollment();
    let reach = i64::from(Policy::default().enroll_window());
    let window = Window::symmetric(Policy::default().enroll_window())
        .unwrap_or_else(|e| panic!("the default enrolment window is a window: {e}"));
    let inputs = make_inputs(
        &totp,
        rng,
        window,
        Typed::MatchAt(-reach),
        Typed::MatchAt(reach),
    );
    for (class, code, now) in inputs {
        runner.run_one(class, || verifier.enroll_code(&pending, &code, now));
    }
}

/// `Verifier::enroll` (two codes at once, TOTP, default policy: ±10 steps): the
/// first consecutive pair of the search vs the last. Both enrol the device.
fn verifier_enroll_position_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let totp = random_totp(rng, Algorithm::Sha1);
    let verifier = Verifier::totp(totp.clone(), Policy::default());
    let pending = verifier.begin_enrollment();
    let reach = i64::from(Policy::default().enroll_window());
    let sample = verifier.enroll(
        &pending,
        &totp.code_at_step(99).to_string(),
        &totp.code_at_step(100).to_string(),
        100 * 30,
    );
    assert!(sample.0.is_enrolled(), "a pair at the current step enrols");
    for (class, code1, code2, now) in make_pairs(&totp, rng, 1 - reach, reach) {
        runner.run_one(class, || verifier.enroll(&pending, &code1, &code2, now));
    }
}

/// `Verifier::resync` (TOTP, default policy: ±20 steps) on an enrolled device:
/// the first consecutive pair of the search vs the last. Both resync the device.
fn verifier_resync_position_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let (totp, verifier, state) = enrolled_device(rng);
    let reach = i64::from(Policy::default().resync_window());
    let inputs = make_pairs(&totp, rng, 1 - reach, reach);
    if let Some((_, code1, code2, now)) = inputs.first() {
        let (outcome, _) = verifier.resync(&state, code1, code2, *now);
        assert!(
            matches!(outcome, ResyncOutcome::Resynced { .. }),
            "a pair inside the resync window: {outcome:?}"
        );
    }
    for (class, code1, code2, now) in inputs {
        runner.run_one(class, || verifier.resync(&state, &code1, &code2, now));
    }
}

/// Sets of recovery codes a bench draws from: enough that the typed text of
/// either class is as random as a code (parsing reads every character, and a
/// bench that always typed the same two codes would time their text, not where
/// they matched).
const RECOVERY_SETS: usize = 2_000;

/// `RecoveryState::verify` (default sets: 10 codes of 16 characters, one PBKDF2
/// iteration so that the comparison is not drowned in the derivation's time): the
/// first code of a random set vs the last code of a random set. Both are accepted
/// (the stored states are the same for every sample, so no code is ever used).
fn recovery_position_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let policy = RecoveryPolicy::default()
        .with_iterations(1)
        .unwrap_or_else(|e| panic!("{e}"));
    let throttle = Policy::default();
    let sets: Vec<RecoveryCodes> = (0..RECOVERY_SETS)
        .map(|_| RecoveryCodes::generate_with_rng(&policy, rng).unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let inputs: Vec<(Class, &RecoveryCodes, String)> = (0..SAMPLES)
        .map(|_| {
            let set = &sets[rng.random_range(0..RECOVERY_SETS)];
            let (class, code) = match (rng.random::<bool>(), set.codes()) {
                (true, [first, ..]) => (Class::Left, first),
                (false, [.., last]) => (Class::Right, last),
                _ => panic!("a default set has 10 codes"),
            };
            (class, set, code.to_string())
        })
        .collect();
    if let Some((_, set, code)) = inputs.first() {
        let (outcome, _) = set.state().verify(code, 0, &throttle);
        assert!(
            matches!(outcome, RecoveryOutcome::Accepted { .. }),
            "{outcome:?}"
        );
    }
    for (class, set, code) in inputs {
        let state = set.state();
        runner.run_one(class, || state.verify(&code, 1_700_000_000, &throttle));
    }
}

/// `RecoveryState::verify` typing one fixed text per class: the first code of one
/// set vs its last (both accepted). Unlike `recovery_position_first_vs_last` the
/// two classes differ in their text, so this times how the typed characters are
/// read (each looked up in the alphabet) as well as where the code matched.
fn recovery_text_first_vs_last(runner: &mut CtRunner, rng: &mut BenchRng) {
    let policy = RecoveryPolicy::default()
        .with_iterations(1)
        .unwrap_or_else(|e| panic!("{e}"));
    let throttle = Policy::default();
    let set = RecoveryCodes::generate_with_rng(&policy, rng).unwrap_or_else(|e| panic!("{e}"));
    let (first, last) = match set.codes() {
        [first, .., last] => (first.to_string(), last.to_string()),
        _ => panic!("a default set has 10 codes"),
    };
    let state = set.state();
    let classes: Vec<Class> = (0..SAMPLES)
        .map(|_| {
            if rng.random::<bool>() {
                Class::Left
            } else {
                Class::Right
            }
        })
        .collect();
    for class in classes {
        let code = if matches!(class, Class::Left) {
            &first
        } else {
            &last
        };
        runner.run_one(class, || state.verify(code, 1_700_000_000, &throttle));
    }
}

/// Positive control: the insecure way, stopping at the first matching step and
/// comparing strings with `==`. A match one step behind is found after one HMAC
/// instead of three, so this must show a large |t|.
fn naive_early_exit_match_behind(runner: &mut CtRunner, rng: &mut BenchRng) {
    let totp = random_totp(rng, Algorithm::Sha1);
    let window = Window::default();
    for (class, code, now) in make_inputs(&totp, rng, window, Typed::MatchAt(-1), Typed::NoMatch) {
        runner.run_one(class, || {
            let step = now / 30;
            (step - 1..=step + 1).find(|&s| totp.code_at_step(s).to_string() == code)
        });
    }
}

ctbench_main_with_seeds!(
    (verify_match_behind, Some(0x0701)),
    (verify_match_current, Some(0x0702)),
    (verify_match_ahead, Some(0x0703)),
    (verify_wide_match_first, Some(0x0704)),
    (verify_wide_match_last, Some(0x0705)),
    (position_behind_vs_ahead, Some(0x0711)),
    (position_current_vs_behind, Some(0x0712)),
    (position_wide_first_vs_last, Some(0x0713)),
    (sha256_match_behind, Some(0x0721)),
    (sha256_position_behind_vs_ahead, Some(0x0722)),
    (sha512_match_behind, Some(0x0731)),
    (sha512_position_behind_vs_ahead, Some(0x0732)),
    (steam_match_behind, Some(0x0741)),
    (steam_position_behind_vs_ahead, Some(0x0742)),
    (hotp_position_first_vs_last, Some(0x0751)),
    (verifier_position_behind_vs_ahead, Some(0x0761)),
    (verifier_position_current_vs_behind, Some(0x0765)),
    (verifier_enroll_code_position_first_vs_last, Some(0x0762)),
    (verifier_enroll_position_first_vs_last, Some(0x0763)),
    (verifier_resync_position_first_vs_last, Some(0x0764)),
    (recovery_position_first_vs_last, Some(0x0771)),
    (recovery_text_first_vs_last, Some(0x0772)),
    (naive_early_exit_match_behind, Some(0x0706))
);
