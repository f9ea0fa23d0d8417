//! The server side: the verifier over stored state strings, and recovery codes.
//! Every attempt is an [`Attempt`] (a refusal is a value with the state to store);
//! an error only for a state that cannot be read or does not fit the operation.

use otpkit::recovery::{RecoveryCodes, RecoveryOutcome, RecoveryPolicy, RecoveryState};
use otpkit::verifier::{
    DeviceKind, DeviceState, EnrollError, EnrollOutcome, Outcome, Policy, ResyncError,
    ResyncOutcome, Verifier,
};
use otpkit::{ErrorCode, Hotp, Totp};

use crate::records::{Attempt, AttemptKind, RecoverySet};
use crate::{Category, FacadeError};

/// A verifier for a TOTP device under `policy`.
pub fn verifier_totp(totp: &Totp, policy: Policy) -> Verifier {
    Verifier::totp(totp.clone(), policy)
}

/// A verifier for an HOTP device under `policy`.
pub fn verifier_hotp(hotp: &Hotp, policy: Policy) -> Verifier {
    Verifier::hotp(hotp.clone(), policy)
}

/// A refused attempt's code, or the error for a code that is not a refusal of what
/// was typed (the state does not fit, the clock): one exhaustive `match` over the
/// categories decides.
pub(crate) fn refusal(code: ErrorCode, message: &str) -> Result<ErrorCode, FacadeError> {
    match Category::of(code) {
        Category::InvalidInput => Ok(code),
        Category::Password
        | Category::Damaged
        | Category::Unsupported
        | Category::WrongState
        | Category::Clock
        | Category::System => Err(FacadeError::new(code, message)),
    }
}

/// `"totp"` or `"hotp"`: the name of a device kind.
pub const fn device_kind_name(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Totp => "totp",
        DeviceKind::Hotp => "hotp",
    }
}

fn decode(state: &str) -> Result<DeviceState, FacadeError> {
    Ok(DeviceState::decode(state)?)
}

/// The pending state to store when the secret is shown. HOTP: `from_counter` is
/// the first counter accepted (default 0); a TOTP verifier takes none.
pub fn begin_enrollment(
    verifier: &Verifier,
    from_counter: Option<u64>,
) -> Result<String, FacadeError> {
    match from_counter {
        None => Ok(verifier.begin_enrollment().encode()),
        Some(counter) if verifier.kind() == DeviceKind::Hotp => {
            Ok(DeviceState::enrolling_hotp(counter).encode())
        }
        Some(_) => Err(FacadeError::new(
            ErrorCode::WrongKind,
            "a starting counter is for HOTP devices only",
        )),
    }
}

pub(crate) fn enrollment(
    outcome: &EnrollOutcome,
    state: &DeviceState,
) -> Result<Attempt, FacadeError> {
    let message = outcome.to_string();
    let mut a = Attempt::new(AttemptKind::Enrollment, message.clone(), state.encode());
    a.ok = outcome.is_enrolled();
    a.needs_next_code = matches!(outcome, EnrollOutcome::NeedNextCode);
    if let EnrollOutcome::Enrolled { step, drift } = *outcome {
        a.step = Some(step);
        a.drift = Some(drift);
    }
    if let EnrollOutcome::Rejected(e) = outcome {
        a.reason = Some(refusal(e.code(), &message)?);
        if let EnrollError::Locked { until } = *e {
            a.locked_until = Some(until);
        }
    }
    Ok(a)
}

/// One enrolment code typed at `now`.
pub fn enroll_code(
    verifier: &Verifier,
    state: &str,
    code: &str,
    now: u64,
) -> Result<Attempt, FacadeError> {
    let (outcome, new) = verifier.enroll_code(&decode(state)?, code, now);
    enrollment(&outcome, &new)
}

/// Enrolment with two consecutive codes typed at `now`.
pub fn enroll(
    verifier: &Verifier,
    state: &str,
    code1: &str,
    code2: &str,
    now: u64,
) -> Result<Attempt, FacadeError> {
    let (outcome, new) = verifier.enroll(&decode(state)?, code1, code2, now);
    enrollment(&outcome, &new)
}

/// A sign-in with one code typed at `now`.
pub fn verify(
    verifier: &Verifier,
    state: &str,
    code: &str,
    now: u64,
) -> Result<Attempt, FacadeError> {
    let (outcome, new) = verifier.verify(&decode(state)?, code, now);
    let message = outcome.to_string();
    let mut a = Attempt::new(AttemptKind::SignIn, message.clone(), new.encode());
    a.ok = outcome.is_accepted();
    if let Some(code) = outcome.code() {
        a.reason = Some(refusal(code, &message)?);
    }
    if let Outcome::Accepted { step, drift } = outcome {
        a.step = Some(step);
        a.drift = Some(drift);
    }
    if let Outcome::Locked { until } = outcome {
        a.locked_until = Some(until);
    }
    Ok(a)
}

/// A resynchronisation with two consecutive codes typed at `now`.
pub fn resync(
    verifier: &Verifier,
    state: &str,
    code1: &str,
    code2: &str,
    now: u64,
) -> Result<Attempt, FacadeError> {
    let (outcome, new) = verifier.resync(&decode(state)?, code1, code2, now);
    resynchronisation(outcome, &new)
}

pub(crate) fn resynchronisation(
    outcome: ResyncOutcome,
    new: &DeviceState,
) -> Result<Attempt, FacadeError> {
    let message = outcome.to_string();
    let mut a = Attempt::new(AttemptKind::Resync, message.clone(), new.encode());
    a.ok = outcome.is_resynced();
    if let ResyncOutcome::Resynced { step, drift } = outcome {
        a.step = Some(step);
        a.drift = Some(drift);
    }
    if let ResyncOutcome::Rejected(e) = outcome {
        a.reason = Some(refusal(e.code(), &message)?);
        if let ResyncError::Locked { until } = e {
            a.locked_until = Some(until);
        }
    }
    Ok(a)
}

/// A new set of recovery codes: `count` codes (default 10) of `length` characters
/// (default 16), from the operating system's RNG.
pub fn generate_recovery_codes(
    count: Option<usize>,
    length: Option<usize>,
) -> Result<RecoverySet, FacadeError> {
    let mut policy = RecoveryPolicy::default();
    if let Some(n) = count {
        policy = policy.with_count(n)?;
    }
    if let Some(n) = length {
        policy = policy.with_length(n)?;
    }
    let set = RecoveryCodes::generate(&policy)?;
    Ok(RecoverySet {
        codes: set.codes().iter().map(ToString::to_string).collect(),
        state: set.state().encode(),
    })
}

/// A recovery code typed at `now` against the stored recovery state, throttled by
/// `policy`'s lock-out rule.
pub fn verify_recovery_code(
    state: &str,
    code: &str,
    now: u64,
    policy: &Policy,
) -> Result<Attempt, FacadeError> {
    let old = RecoveryState::decode(state)?;
    let (outcome, new) = old.verify(code, now, policy);
    let message = outcome.to_string();
    let mut a = Attempt::new(AttemptKind::Recovery, message.clone(), new.encode());
    a.ok = outcome.is_accepted();
    a.remaining = Some(new.remaining());
    if let Some(code) = outcome.code() {
        a.reason = Some(refusal(code, &message)?);
    }
    if let RecoveryOutcome::Accepted { index, .. } = outcome {
        a.index = Some(index);
    }
    if let RecoveryOutcome::Locked { until } = outcome {
        a.locked_until = Some(until);
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{args, generators};

    fn rfc_totp() -> Totp {
        let s = args::secret_bytes(b"12345678901234567890", false).unwrap();
        generators::totp(&s, None, None, None, None).unwrap()
    }

    #[test]
    fn enrol_sign_in_and_replay_are_values() {
        let t = rfc_totp();
        let v = verifier_totp(&t, Policy::default());
        let pending = begin_enrollment(&v, None).unwrap();
        let now = 1_000_000;
        let step = now / 30;
        let c1 = t.code_at_step(step - 1).to_string();
        let c2 = t.code_at_step(step).to_string();
        let e = enroll(&v, &pending, &c1, &c2, now).unwrap();
        assert!(e.ok, "{e}");
        let next = t.code_at_step(step + 1).to_string();
        let s = verify(&v, &e.state, &next, now + 30).unwrap();
        assert!(s.ok, "{s}");
        assert_eq!(s.step, Some(step + 1));
        let replay = verify(&v, &s.state, &next, now + 30).unwrap();
        assert!(!replay.ok);
        assert_eq!(replay.reason, Some(ErrorCode::Replayed));
        let malformed = verify(&v, &s.state, "12a", now + 30).unwrap();
        assert_eq!(malformed.reason, Some(ErrorCode::CodeMalformed));
        let wrong = enroll(&v, &pending, "000000", "000001", now).unwrap();
        assert!(!wrong.ok && wrong.reason.is_some(), "{wrong}");
    }

    #[test]
    fn a_state_that_does_not_fit_is_an_error() {
        let t = rfc_totp();
        let v = verifier_totp(&t, Policy::default());
        let pending = begin_enrollment(&v, None).unwrap();
        let e = verify(&v, &pending, "123456", 1_000_000).unwrap_err();
        assert_eq!(
            (e.category, e.reason),
            (Category::WrongState, ErrorCode::NotEnrolled)
        );
        let e = verify(&v, "otpk1.nonsense", "123456", 0).unwrap_err();
        assert_eq!(e.category, Category::Damaged);
        let e = begin_enrollment(&v, Some(5)).unwrap_err();
        assert_eq!(e.reason, ErrorCode::WrongKind);
        let h = generators::hotp(
            &args::secret_bytes(b"12345678901234567890", false).unwrap(),
            None,
            None,
        )
        .unwrap();
        let hv = verifier_hotp(&h, Policy::default());
        let e = enroll(&hv, &pending, "755224", "287082", 0).unwrap_err();
        assert_eq!(e.reason, ErrorCode::WrongKind);
    }

    #[test]
    fn device_kinds_have_their_names() {
        assert_eq!(device_kind_name(DeviceKind::Totp), "totp");
        assert_eq!(device_kind_name(DeviceKind::Hotp), "hotp");
    }

    #[test]
    fn recovery_codes_are_single_use_values() {
        let set = generate_recovery_codes(Some(3), None).unwrap();
        assert_eq!(set.codes.len(), 3);
        assert!(!format!("{set:?}").contains(&set.codes[0]));
        let p = Policy::default();
        let ok = verify_recovery_code(&set.state, &set.codes[1], 0, &p).unwrap();
        assert!(ok.ok, "{ok}");
        assert_eq!((ok.index, ok.remaining), (Some(1), Some(2)));
        let again = verify_recovery_code(&ok.state, &set.codes[1], 0, &p).unwrap();
        assert_eq!(again.reason, Some(ErrorCode::Replayed));
        let e = generate_recovery_codes(Some(0), None).unwrap_err();
        assert_eq!(e.reason, ErrorCode::RecoveryCountOutOfRange);
        let e = verify_recovery_code("otpr1.x", "abcd", 0, &p).unwrap_err();
        assert_eq!(e.category, Category::Damaged);
    }
}
