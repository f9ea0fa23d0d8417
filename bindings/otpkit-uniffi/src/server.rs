//! The server side: the [`Verifier`] (enrol a device from the moment the secret is
//! shown, verify sign-ins without replays, resynchronise) and single-use recovery
//! codes, over the per-device state string the facade reads and writes. Every
//! attempt is an [`Attempt`] with the state to store, whatever it came to: a wrong,
//! replayed or malformed code is a refusal, never an exception.

use std::sync::Arc;

use otpkit::verifier as core;
use otpkit_facade::ErrorCode;
use otpkit_facade::args::PolicyOptions;
use otpkit_facade::records::{self as fr, AttemptKind as FacadeKind};
use otpkit_facade::server as fs;
use zeroize::Zeroizing;

use crate::error::ffi;
use crate::{Hotp, OtpkitError, Totp};

/// A verifier policy: the core's default with each setting given, every one checked
/// against its bound (`InvalidInput`, e.g. `MAX_FAILURES_OUT_OF_RANGE`). `Policy()`
/// (Kotlin, Swift) is the default; `Policy(maxFailures = 3u)` changes one setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Policy {
    /// Failures before a lock-out: 1 to 100 (NIST SP 800-63B).
    #[uniffi(default = None)]
    pub max_failures: Option<u32>,
    /// The first lock-out's length in seconds; each further one doubles.
    #[uniffi(default = None)]
    pub lockout_base_secs: Option<u64>,
    /// The longest lock-out in seconds.
    #[uniffi(default = None)]
    pub lockout_max_secs: Option<u64>,
    /// Back-off between attempts: the wait in seconds after the first consecutive
    /// failure, doubling with each further one. Off unless this or
    /// `backoffMaxSecs` is given; given alone it waits up to the longest lock-out.
    #[uniffi(default = None)]
    pub backoff_base_secs: Option<u64>,
    /// Back-off between attempts: the longest wait in seconds; given alone, the
    /// first wait is 1 s.
    #[uniffi(default = None)]
    pub backoff_max_secs: Option<u64>,
    /// TOTP steps accepted behind the server's clock at sign-in.
    #[uniffi(default = None)]
    pub window_behind: Option<u32>,
    /// TOTP steps accepted ahead of the server's clock at sign-in.
    #[uniffi(default = None)]
    pub window_ahead: Option<u32>,
    /// Steps (TOTP) or counters (HOTP) searched either side when enrolling.
    #[uniffi(default = None)]
    pub enroll_window: Option<u32>,
    /// TOTP steps searched either side when resynchronising.
    #[uniffi(default = None)]
    pub resync_window: Option<u32>,
    /// HOTP counters accepted ahead of the expected one at sign-in.
    #[uniffi(default = None)]
    pub hotp_look_ahead: Option<u32>,
    /// HOTP counters searched ahead when resynchronising.
    #[uniffi(default = None)]
    pub hotp_resync_look_ahead: Option<u32>,
    /// The most TOTP drift, in steps, the state remembers.
    #[uniffi(default = None)]
    pub max_drift_steps: Option<u32>,
}

/// The core policy of an optional binding policy (`None`: the default).
pub(crate) fn policy(p: Option<Policy>) -> Result<core::Policy, OtpkitError> {
    let p = p.unwrap_or_default();
    ffi(otpkit_facade::args::policy(&PolicyOptions {
        max_failures: p.max_failures,
        lockout_base_secs: p.lockout_base_secs,
        lockout_max_secs: p.lockout_max_secs,
        backoff_base_secs: p.backoff_base_secs,
        backoff_max_secs: p.backoff_max_secs,
        window_behind: p.window_behind,
        window_ahead: p.window_ahead,
        enroll_window: p.enroll_window,
        resync_window: p.resync_window,
        hotp_look_ahead: p.hotp_look_ahead,
        hotp_resync_look_ahead: p.hotp_resync_look_ahead,
        max_drift_steps: p.max_drift_steps,
    }))
}

/// Which operation an [`Attempt`] records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AttemptKind {
    /// A sign-in with one code.
    SignIn,
    /// An enrolment step (one code, or two at once).
    Enrollment,
    /// A resynchronisation with two consecutive codes.
    Resync,
    /// A recovery code.
    Recovery,
}

/// One attempt of the verifier or of recovery codes, as the facade reports it: store
/// `state` whatever it came to. A wrong, replayed or malformed code, or a lock-out, is
/// `ok == false` with its `reason`, never an exception. Kotlin `toString()` and Swift
/// `description` are the core's sentence (`the code was already used`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Attempt {
    /// True when the user gets in (sign-in, recovery), is enrolled or is resynced.
    pub ok: bool,
    /// Null/nil unless refused: `CODE_MISMATCH`, `REPLAYED`, `CODE_MALFORMED`,
    /// `LOCKED`, `FIRST_CODE_NOT_FOUND`, `NOT_CONSECUTIVE`, `SAME_CODE_TWICE`, …
    pub reason: Option<ErrorCode>,
    /// The sentence for it, without secrets or the code typed.
    pub message: String,
    /// What to store in place of the old state, whatever the attempt came to
    /// (with a compare-and-swap on the old one).
    pub state: String,
    /// Sign-in, enrolment, resynchronisation or recovery.
    pub kind: AttemptKind,
    /// True after a good first enrolment code: ask for the one after it.
    pub needs_next_code: bool,
    /// When `ok`: the TOTP step or HOTP counter of the code (store nothing: it is in
    /// `state`).
    pub step: Option<u64>,
    /// When `ok`: the clock drift in steps (TOTP) or counters skipped (HOTP).
    pub drift: Option<i64>,
    /// When locked out: the Unix second it ends (the largest value: until reset).
    pub locked_until: Option<u64>,
    /// Recovery, when `ok`: which code of the set was used.
    pub index: Option<u64>,
    /// Recovery: how many unused codes are left.
    pub remaining: Option<u64>,
}

impl std::fmt::Display for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl From<fr::Attempt> for Attempt {
    fn from(a: fr::Attempt) -> Self {
        Attempt {
            ok: a.ok,
            reason: a.reason,
            message: a.message,
            state: a.state,
            kind: match a.kind {
                FacadeKind::SignIn => AttemptKind::SignIn,
                FacadeKind::Enrollment => AttemptKind::Enrollment,
                FacadeKind::Resync => AttemptKind::Resync,
                FacadeKind::Recovery => AttemptKind::Recovery,
            },
            needs_next_code: a.needs_next_code,
            step: a.step,
            drift: a.drift,
            locked_until: a.locked_until,
            index: a.index.map(u64_of),
            remaining: a.remaining.map(u64_of),
        }
    }
}

/// Checks codes for one device: enrolment, sign-in with replay protection and
/// throttling, resynchronisation. Immutable, so one verifier can serve any number of
/// threads; the per-device state goes in and comes out as a string.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Verifier(core::Verifier);

crate::transparent_debug!(Verifier, 0);

#[uniffi::export]
impl Verifier {
    /// A verifier for a TOTP device; `policy` defaults to the core's.
    #[uniffi::constructor(default(policy = None))]
    pub fn totp(generator: Arc<Totp>, policy: Option<Policy>) -> Result<Arc<Self>, OtpkitError> {
        let policy = self::policy(policy)?;
        Ok(Arc::new(Verifier(fs::verifier_totp(
            &generator.inner,
            policy,
        ))))
    }

    /// A verifier for an HOTP device; `policy` defaults to the core's.
    #[uniffi::constructor(default(policy = None))]
    pub fn hotp(generator: Arc<Hotp>, policy: Option<Policy>) -> Result<Arc<Self>, OtpkitError> {
        let policy = self::policy(policy)?;
        Ok(Arc::new(Verifier(fs::verifier_hotp(
            &generator.inner,
            policy,
        ))))
    }

    /// The worst-case probability that an online attacker guessing at random gets
    /// in before the permanent lock (100 consecutive failures, NIST SP 800-63B).
    pub fn worst_case_guess_probability(&self) -> f64 {
        self.0
            .policy()
            .worst_case_guess_probability(self.0.kind(), self.0.digits())
    }

    /// A pending enrolment, to store from the moment the secret is shown:
    /// enrolment attempts are checked (and throttled) against it. HOTP:
    /// `from_counter` (default 0) is the first counter accepted, so a re-enrolled
    /// token's old codes stay refused; a TOTP verifier takes none (`WrongState`).
    #[uniffi::method(default(from_counter = None))]
    pub fn begin_enrollment(&self, from_counter: Option<u64>) -> Result<String, OtpkitError> {
        ffi(fs::begin_enrollment(&self.0, from_counter))
    }

    /// One enrolment code as the user types it at `now`: a good first code needs
    /// the next one (`needs_next_code`), the one right after it enrols. A refused
    /// code is counted; the user tries again with the same secret.
    pub fn enroll_code(
        &self,
        state: String,
        code: String,
        now: u64,
    ) -> Result<Attempt, OtpkitError> {
        ffi(fs::enroll_code(&self.0, &state, &code, now)).map(Attempt::from)
    }

    /// Enrolment with two consecutive codes at once (a web form), from a pending
    /// state (`begin_enrollment()`).
    pub fn enroll(
        &self,
        state: String,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Attempt, OtpkitError> {
        ffi(fs::enroll(&self.0, &state, &code1, &code2, now)).map(Attempt::from)
    }

    /// A sign-in code at Unix time `now` against the stored `state`: the attempt
    /// and the state to store. Throws only for a state that cannot be read
    /// (`Damaged`) or does not fit (`WrongState`: not enrolled, the other kind).
    pub fn verify(&self, state: String, code: String, now: u64) -> Result<Attempt, OtpkitError> {
        ffi(fs::verify(&self.0, &state, &code, now)).map(Attempt::from)
    }

    /// Re-measures a device's drift (or an HOTP counter) from two consecutive codes,
    /// searching a wider window than sign-in does; a refused pair is counted.
    pub fn resync(
        &self,
        state: String,
        code1: String,
        code2: String,
        now: u64,
    ) -> Result<Attempt, OtpkitError> {
        ffi(fs::resync(&self.0, &state, &code1, &code2, now)).map(Attempt::from)
    }
}

/// A new set of recovery codes: show the codes once, store the state (hashes only).
/// Its text is `10 recovery codes`, never the codes.
#[derive(Clone, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Debug, Display)]
pub struct RecoveryCodeSet {
    /// The codes, grouped for reading (`K7RM-2QXD-HV9T-CZ4N`). Show them once; do
    /// not store them.
    pub codes: Vec<String>,
    /// What to store: salted hashes, no code.
    pub state: String,
}

impl RecoveryCodeSet {
    /// The facade's record of a set this size, to print it as the facade does
    /// (its text counts the codes and shows none, so the codes are not copied).
    fn record(&self) -> fr::RecoverySet {
        fr::RecoverySet {
            codes: vec![String::new(); self.codes.len()],
            state: String::new(),
        }
    }
}

impl std::fmt::Debug for RecoveryCodeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.record(), f)
    }
}

impl std::fmt::Display for RecoveryCodeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.record(), f)
    }
}

/// Generates `count` codes (default 10, 1 to 64) of `length` characters (default
/// 16, 80 bits), from the operating system's RNG.
#[uniffi::export(default(count = None, length = None))]
pub fn generate_recovery_codes(
    count: Option<u32>,
    length: Option<u32>,
) -> Result<RecoveryCodeSet, OtpkitError> {
    let size = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
    let set = ffi(fs::generate_recovery_codes(
        count.map(size),
        length.map(size),
    ))?;
    Ok(RecoveryCodeSet {
        codes: set.codes,
        state: set.state,
    })
}

/// A recovery code typed at `now` (case, spaces and hyphens ignored) against the
/// stored recovery state, throttled like a sign-in under `policy` (default: the
/// core's): the attempt, with the state to store whatever it came to.
#[uniffi::export(default(policy = None))]
pub fn verify_recovery_code(
    state: String,
    code: String,
    now: u64,
    policy: Option<Policy>,
) -> Result<Attempt, OtpkitError> {
    let code = Zeroizing::new(code);
    let policy = self::policy(policy)?;
    ffi(fs::verify_recovery_code(&state, &code, now, &policy)).map(Attempt::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    fn totp() -> Arc<Totp> {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec(), false).unwrap();
        Totp::new(secret, None, None, None, None).unwrap()
    }

    #[test]
    fn enrol_sign_in_replay_and_a_malformed_code_are_attempts() {
        let totp = totp();
        let verifier = Verifier::totp(totp.clone(), None).unwrap();
        let now = 1_700_000_000;
        let step = totp.step_at(now).unwrap();
        let pending = verifier.begin_enrollment(None).unwrap();
        let first = verifier
            .enroll_code(pending, totp.code_at_step(step - 1), now)
            .unwrap();
        assert!(first.needs_next_code && !first.ok, "{first}");
        let enrolled = verifier
            .enroll_code(first.state, totp.code_at_step(step), now)
            .unwrap();
        assert!(enrolled.ok, "{enrolled}");
        assert_eq!(enrolled.kind, AttemptKind::Enrollment);
        let code = totp.code_at(now + 30).unwrap();
        let signed = verifier
            .verify(enrolled.state, code.clone(), now + 30)
            .unwrap();
        assert!(signed.ok && signed.reason.is_none(), "{signed}");
        assert_eq!(signed.step, Some(step + 1));
        let replay = verifier
            .verify(signed.state.clone(), code, now + 31)
            .unwrap();
        assert_eq!(replay.reason, Some(ErrorCode::Replayed));
        assert_eq!(replay.to_string(), replay.message);
        let malformed = verifier
            .verify(replay.state, "12a".into(), now + 31)
            .unwrap();
        assert_eq!(malformed.reason, Some(ErrorCode::CodeMalformed));
        assert!(!malformed.to_string().contains("12a"), "{malformed}");
    }

    #[test]
    fn a_state_that_does_not_fit_or_is_damaged_is_an_error() {
        let verifier = Verifier::totp(totp(), None).unwrap();
        let pending = verifier.begin_enrollment(None).unwrap();
        let e = verifier.verify(pending, "123456".into(), 0).unwrap_err();
        assert!(
            matches!(
                e,
                OtpkitError::WrongState {
                    reason: ErrorCode::NotEnrolled,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = verifier
            .verify("otpk1.nonsense".into(), "123456".into(), 0)
            .unwrap_err();
        assert!(matches!(e, OtpkitError::Damaged { .. }), "{e:?}");
        let e = verifier.begin_enrollment(Some(5)).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::WrongKind);
    }

    #[test]
    fn a_policy_is_the_facades_and_its_message_names_the_camel_case_option() {
        let e = Verifier::totp(
            totp(),
            Some(Policy {
                max_failures: Some(101),
                ..Policy::default()
            }),
        )
        .unwrap_err();
        assert_eq!(e.reason(), ErrorCode::MaxFailuresOutOfRange);
        assert!(e.detail().contains("maxFailures"), "{e}");
        assert!(!e.detail().contains("max_failures"), "{e}");
        let wide = Verifier::totp(
            totp(),
            Some(Policy {
                window_behind: Some(10),
                ..Policy::default()
            }),
        )
        .unwrap();
        assert!(
            wide.worst_case_guess_probability()
                > Verifier::totp(totp(), None)
                    .unwrap()
                    .worst_case_guess_probability()
        );
    }

    #[test]
    fn recovery_codes_are_single_use_and_never_printed() {
        let set = generate_recovery_codes(Some(3), None).unwrap();
        assert_eq!(set.codes.len(), 3);
        assert_eq!(set.to_string(), "3 recovery codes");
        for text in [set.to_string(), format!("{set:?}")] {
            assert!(!text.contains(&set.codes[0]), "{text}");
        }
        let ok = verify_recovery_code(set.state.clone(), set.codes[1].clone(), 0, None).unwrap();
        assert!(ok.ok, "{ok}");
        assert_eq!((ok.index, ok.remaining), (Some(1), Some(2)));
        let again = verify_recovery_code(ok.state, set.codes[1].clone(), 0, None).unwrap();
        assert_eq!(again.reason, Some(ErrorCode::Replayed));
        assert_eq!(again.kind, AttemptKind::Recovery);
        let e = generate_recovery_codes(Some(0), None).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::RecoveryCountOutOfRange);
        let e = verify_recovery_code("otpr1.x".into(), "abcd".into(), 0, None).unwrap_err();
        assert!(matches!(e, OtpkitError::Damaged { .. }), "{e:?}");
    }
}
