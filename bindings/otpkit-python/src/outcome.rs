//! Python's names for what an attempt came to: `outcome` (`"accepted"`,
//! `"invalid"`, `"need_next_code"`, …) and, for a refused enrolment or resync,
//! `reason`, from the facade's `Attempt`. A refusal's name is its stable code in
//! lower case (`"FIRST_CODE_NOT_FOUND"` → `"first_code_not_found"`), but for the few
//! names the package has always used for a code ([`RENAMES`]).

use otpkit_facade::ErrorCode;
use otpkit_facade::records::{Attempt, AttemptKind};

/// The names that are not the code in lower case, by kind of attempt.
const RENAMES: &[(AttemptKind, ErrorCode, &str)] = &[
    (AttemptKind::SignIn, ErrorCode::CodeMismatch, "invalid"),
    (AttemptKind::SignIn, ErrorCode::CodeMalformed, "malformed"),
    (
        AttemptKind::Enrollment,
        ErrorCode::CodeMalformed,
        "malformed",
    ),
    (AttemptKind::Resync, ErrorCode::CodeMalformed, "malformed"),
    (AttemptKind::Resync, ErrorCode::Rejected, "not_found"),
    (AttemptKind::Recovery, ErrorCode::CodeMismatch, "invalid"),
    (AttemptKind::Recovery, ErrorCode::Replayed, "already_used"),
    (AttemptKind::Recovery, ErrorCode::CodeMalformed, "malformed"),
];

/// The names of an attempt's outcome and, for a rejected enrolment or resync, of
/// its reason.
pub(crate) struct Names {
    pub(crate) outcome: String,
    pub(crate) reason: Option<String>,
}

/// Python's name of a refusal's code in an attempt of `kind`.
fn name(kind: AttemptKind, code: ErrorCode) -> String {
    RENAMES
        .iter()
        .find(|(k, c, _)| *k == kind && *c == code)
        .map_or_else(
            || code.as_str().to_ascii_lowercase(),
            |(_, _, name)| (*name).to_owned(),
        )
}

/// The names of what `a` came to.
pub(crate) fn names(a: &Attempt) -> Names {
    let refusal = a.reason.map(|code| name(a.kind, code));
    let locked = a.reason == Some(ErrorCode::Locked);
    let outcome = match a.kind {
        AttemptKind::SignIn | AttemptKind::Recovery if a.ok => "accepted".to_owned(),
        AttemptKind::Enrollment if a.ok => "enrolled".to_owned(),
        AttemptKind::Enrollment if a.needs_next_code => "need_next_code".to_owned(),
        AttemptKind::Resync if a.ok => "resynced".to_owned(),
        AttemptKind::SignIn | AttemptKind::Recovery => {
            refusal.clone().unwrap_or_else(|| "rejected".to_owned())
        }
        AttemptKind::Enrollment | AttemptKind::Resync if locked => "locked".to_owned(),
        AttemptKind::Enrollment | AttemptKind::Resync => "rejected".to_owned(),
    };
    let reason = match a.kind {
        AttemptKind::Enrollment | AttemptKind::Resync => refusal,
        AttemptKind::SignIn | AttemptKind::Recovery => None,
    };
    Names { outcome, reason }
}
