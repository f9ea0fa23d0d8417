//! What the pages say about the verifier's answers, in the user's terms: one
//! sentence per outcome a person can act on, here and nowhere else. The
//! library's own wording (its `Display`, written for developers and logs) never
//! reaches a page: an outcome no person can act on (the clock, a damaged state,
//! a variant added to the library later) is a [`Failure::Server`], logged with the
//! library's wording, and the page says only that the server could not answer.

use otpkit::Digits;
use otpkit::verifier::{
    EnrollError, EnrollOutcome, Outcome, ResyncError, ResyncOutcome, SignInError,
};

use crate::error::Failure;

/// The length of the codes of the devices this server assigns
/// (`DeviceParams::default()`: TOTP, SHA-1, 6 digits, 30 s).
pub const CODE_DIGITS: Digits = Digits::SIX;

/// What a form does with the verifier's answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply {
    /// What the form asked for happened (signed in, assigned, resynchronised).
    Success,
    /// Refused: show the form again with this sentence.
    Refused(String),
    /// The device is no longer in the state the form is for (enrolled from
    /// another tab, removed and assigned again): go back to the start.
    Elsewhere,
}

/// The sign-in code (page 2) was refused.
pub const WRONG_CODE: &str = "That code is not right. Try the code shown now.";

/// The sign-in code was used already.
pub const USED_CODE: &str = "That code was used already: each code works once, and trying a used one counts as a wrong code. Wait for the app to show a new code and enter that.";

/// The same code was typed in both boxes (enrolment, resync).
pub const SAME_CODE_TWICE: &str = "You entered the same code twice. Wait for the app to show the next code and enter that as the second.";

/// How to get two consecutive codes (enrolment, resync).
const TWO_CODES: &str = "Enter the code the app shows now, wait for the next one (codes change every 30 seconds), and enter that as the second.";

/// A sign-in code that is not a code at all (empty, too short, letters).
pub fn enter_code() -> String {
    format!(
        "Enter the {}-digit code from your authenticator app.",
        CODE_DIGITS.get()
    )
}

/// Codes typed into the two boxes that are not codes at all.
fn enter_two_codes() -> String {
    format!(
        "Enter a {}-digit code from your authenticator app in each box.",
        CODE_DIGITS.get()
    )
}

/// The device is locked until `until` (Unix seconds; `u64::MAX`: until the
/// administrator clears it), said at `now`: in whole minutes, rounded up.
pub fn locked(until: u64, now: u64) -> String {
    if until == u64::MAX {
        return "Too many wrong codes: your MFA device is locked until an administrator unlocks it."
            .into();
    }
    let minutes = until.saturating_sub(now).div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!(
        "Too many wrong codes: your MFA device is locked for {minutes} {unit}. Try again then, or ask an administrator to unlock it."
    )
}

/// An outcome no person can act on: the server's log gets the library's wording.
fn not_for_the_user(what: &str, said: impl std::fmt::Display) -> Failure {
    Failure::Server(format!("{what}: {said}"))
}

/// Page 2 of signing in: the verifier's answer to the MFA code.
pub fn sign_in(outcome: &Outcome, now: u64) -> Result<Reply, Failure> {
    Ok(match outcome {
        Outcome::Accepted { .. } => Reply::Success,
        Outcome::Invalid => Reply::Refused(WRONG_CODE.into()),
        Outcome::Replayed => Reply::Refused(USED_CODE.into()),
        Outcome::Locked { until } => Reply::Refused(locked(*until, now)),
        Outcome::Malformed(_) => Reply::Refused(enter_code()),
        // Removed and assigned again between the two pages.
        Outcome::Error(SignInError::NotEnrolled) => Reply::Elsewhere,
        Outcome::Error(e) => return Err(not_for_the_user("sign-in not evaluated", e)),
    })
}

/// The "set up virtual MFA device" form: the verifier's answer to two codes.
pub fn enrolment(outcome: &EnrollOutcome, now: u64) -> Result<Reply, Failure> {
    let e = match outcome {
        EnrollOutcome::Enrolled { .. } => return Ok(Reply::Success),
        EnrollOutcome::NeedNextCode => {
            return Ok(Reply::Refused(
                "That code is right: now enter the next code the app shows.".into(),
            ));
        }
        EnrollOutcome::Rejected(e) => e,
    };
    Ok(match e {
        EnrollError::FirstCodeNotFound => Reply::Refused(
            "The first code is not right. Check that the app shows the account you just added (scan the QR code or type the secret key again if not) and that your phone sets its clock automatically, then enter two new codes.".into(),
        ),
        EnrollError::SecondCodeNotFound => Reply::Refused(format!(
            "The second code is not right. {TWO_CODES}"
        )),
        EnrollError::NotConsecutive => Reply::Refused(format!(
            "The two codes must follow each other. {TWO_CODES}"
        )),
        EnrollError::SameCodeTwice => Reply::Refused(SAME_CODE_TWICE.into()),
        EnrollError::Malformed(_) => Reply::Refused(enter_two_codes()),
        EnrollError::Locked { until } => Reply::Refused(locked(*until, now)),
        EnrollError::AlreadyEnrolled => Reply::Elsewhere,
        EnrollError::Time(_) | EnrollError::WrongKind | EnrollError::CounterExhausted => {
            return Err(not_for_the_user("enrolment refused", e));
        }
    })
}

/// The "resync MFA device" form: the verifier's answer to two codes.
pub fn resync(outcome: &ResyncOutcome, now: u64) -> Result<Reply, Failure> {
    let e = match outcome {
        ResyncOutcome::Resynced { .. } => return Ok(Reply::Success),
        ResyncOutcome::Rejected(e) => e,
    };
    Ok(match e {
        ResyncError::Rejected => Reply::Refused(format!(
            "Those are not two codes in a row from your MFA device. {TWO_CODES}"
        )),
        ResyncError::SameCodeTwice => Reply::Refused(SAME_CODE_TWICE.into()),
        ResyncError::Malformed(_) => Reply::Refused(enter_two_codes()),
        ResyncError::Locked { until } => Reply::Refused(locked(*until, now)),
        ResyncError::NotEnrolled => Reply::Elsewhere,
        ResyncError::Time(_) | ResyncError::CounterExhausted | ResyncError::WrongKind => {
            return Err(not_for_the_user("resync refused", e));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::{CodeError, TimeError};
    use otpkit_store::DeviceParams;

    #[test]
    fn the_code_length_said_is_the_assigned_devices() {
        assert_eq!(DeviceParams::default().to_string(), "totp.SHA1.6.30");
        assert_eq!(
            enter_code(),
            "Enter the 6-digit code from your authenticator app."
        );
    }

    #[test]
    fn a_lock_out_is_said_in_whole_minutes_rounded_up() {
        let now = 1_000_000;
        for (left, said) in [
            (1, "for 1 minute."),
            (60, "for 1 minute."),
            (61, "for 2 minutes."),
            (3600, "for 60 minutes."),
        ] {
            let text = locked(now + left, now);
            assert!(text.contains(said), "{left}: {text}");
            assert!(text.starts_with("Too many wrong codes"), "{text}");
        }
        assert!(locked(u64::MAX, now).contains("until an administrator unlocks it"));
    }

    /// Every outcome is either a sentence of this module or a server failure; none
    /// says the library's words.
    #[test]
    fn no_outcome_is_shown_in_the_librarys_words() {
        let malformed = CodeError::WrongLength {
            expected: 6,
            got: 0,
        };
        let now = 1_000_000;
        let check = |reply: Result<Reply, Failure>, library: String| match reply {
            Ok(Reply::Refused(said)) => {
                assert!(
                    !said.to_lowercase().contains(&library.to_lowercase()),
                    "{said} / {library}"
                );
                assert!(said.ends_with('.') && said.starts_with(char::is_uppercase));
            }
            Ok(Reply::Success | Reply::Elsewhere) => {}
            Err(Failure::Server(logged)) => assert!(logged.contains(&library), "{logged}"),
            Err(_) => panic!("{library}"),
        };
        for o in [
            Outcome::Invalid,
            Outcome::Replayed,
            Outcome::Locked { until: now + 90 },
            Outcome::Locked { until: u64::MAX },
            Outcome::Malformed(malformed),
            Outcome::Error(SignInError::NotEnrolled),
            Outcome::Error(SignInError::Time(TimeError::Overflow)),
        ] {
            check(sign_in(&o, now), o.to_string());
        }
        assert_eq!(
            sign_in(&Outcome::Error(SignInError::WrongKind), now)
                .err()
                .map(|_| ()),
            Some(())
        );
        for e in [
            EnrollError::FirstCodeNotFound,
            EnrollError::SecondCodeNotFound,
            EnrollError::NotConsecutive,
            EnrollError::SameCodeTwice,
            EnrollError::Malformed(malformed),
            EnrollError::Locked { until: now + 90 },
            EnrollError::AlreadyEnrolled,
            EnrollError::Time(TimeError::Overflow),
            EnrollError::CounterExhausted,
        ] {
            check(enrolment(&EnrollOutcome::Rejected(e), now), e.to_string());
        }
        for e in [
            ResyncError::Rejected,
            ResyncError::SameCodeTwice,
            ResyncError::Malformed(malformed),
            ResyncError::Locked { until: u64::MAX },
            ResyncError::NotEnrolled,
            ResyncError::CounterExhausted,
        ] {
            check(resync(&ResyncOutcome::Rejected(e), now), e.to_string());
        }
    }
}
