//! The server side of MFA: enroll a device, sign in with one code, resynchronise a
//! drifted device, throttle guessing — the AWS `EnableMFADevice` /
//! `ResyncMFADevice` flow on top of RFC 4226 and RFC 6238.
//!
//! A [`Verifier`] holds a device's generator ([`Totp`] or [`Hotp`]) and a
//! [`Policy`]. Per-device progress lives in a [`DeviceState`], from the moment the
//! secret is shown: the pending enrolment, then the last accepted step (TOTP) or
//! next counter (HOTP), the learned clock drift, consecutive failures and lock-out.
//! Every operation is **pure**: it takes the stored state and returns the outcome
//! and the new state; nothing is remembered inside the verifier, so one verifier
//! can serve any number of requests and threads. Outcomes and states are
//! `#[must_use]`: dropping the new state would lose the failure count and the
//! replay record.
//!
//! ## Enroll (with retries), sign in
//!
//! ```
//! use otpkit::{Algorithm, Digits, Period, Secret, Totp};
//! use otpkit::verifier::{DeviceState, EnrollError, EnrollOutcome, Outcome, Policy, Verifier};
//!
//! let secret = Secret::from_bytes(b"12345678901234567890")?; // stored apart, encrypted
//! let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
//! let verifier = Verifier::totp(totp.clone(), Policy::default());
//! let now = 1_700_000_000;
//!
//! // The secret is shown (QR code + Base32): from now on there is a state to store.
//! let state = verifier.begin_enrollment();
//! // The user mistypes the first code: refused and counted, the secret is kept.
//! let (outcome, state) = verifier.enroll_code(&state, "000000", now);
//! assert_eq!(outcome, EnrollOutcome::Rejected(EnrollError::FirstCodeNotFound));
//! assert_eq!(state.failures(), 1);
//! // Then types it right, waits for the next code and types that.
//! let (outcome, state) = verifier.enroll_code(&state, &totp.code_at(now)?.to_string(), now + 5);
//! assert_eq!(outcome, EnrollOutcome::NeedNextCode);
//! let (outcome, state) = verifier.enroll_code(&state, &totp.code_at(now + 30)?.to_string(), now + 40);
//! assert!(outcome.is_enrolled());
//! let column: String = state.to_string(); // e.g. "otpk1.t.56666667.0.0.0.…"; no secret in it
//!
//! // Sign-in a minute later, the code submitted 80 s after it was read.
//! let old: DeviceState = column.parse()?;
//! let code = totp.code_at(now + 60)?.to_string();
//! let (outcome, new) = verifier.verify(&old, &code, now + 140);
//! assert!(matches!(outcome, Outcome::Accepted { .. }));
//! assert_eq!(new.drift(), 0); // a late code is not a slow clock
//! // The same code again is a replay, even from another server.
//! assert_eq!(verifier.verify(&new, &code, now + 141).0, Outcome::Replayed);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Persisting the new state: compare-and-swap
//!
//! Save the returned state **whatever the outcome** (failures and lock-outs are
//! state too), and save it only if the row is still the very one you read. Compare
//! a row version that changes on every write and never repeats (a random token set
//! on insert and on each update), not the state text alone: every pending
//! enrolment's state text is the same, so a device removed and enrolled again with
//! another secret between your read and your write would otherwise be enrolled by
//! codes of the old secret. `otpkit-store` does exactly this for SQLite, PostgreSQL
//! and Redis.
//!
//! ```sql
//! UPDATE mfa_devices SET state = :new, version = :fresh_random_token
//!  WHERE device_id = :id AND version = :version_read AND state = :old;
//! ```
//!
//! If no row was updated another request changed the state first: read it again
//! and verify again (a code that was just accepted by the other request is then
//! `Replayed`). Only report success to the user after your update went through.
//! This way two servers racing on the same code cannot both accept it, and
//! concurrent wrong guesses cannot erase each other's failure counts. The
//! `verifier_concurrency` test runs exactly this against a mutex-guarded string.
//!
//! ## Clock drift, and why it never hurts a correct clock
//!
//! A code that arrives one or two steps "behind" is usually not a slow clock: a
//! person reads the code, types it, and clicks *submit* up to a minute or more
//! later. So:
//!
//! - the sign-in scan **always** covers [`Policy::window`] around the server's own
//!   clock (by default 4 steps behind: 90 s for a person to read, type and submit,
//!   and one more step where a slow clock shows first; and 2 ahead, where a fast
//!   clock shows first); a learned drift only *widens* the scan towards where the device's clock
//!   is (the contiguous hull of both windows), and the whole hull is compared in
//!   constant time. Whatever drift a state carries, a phone with a correct clock is
//!   accepted, and once a drifted phone's clock is corrected it is accepted at once
//!   and the drift recovers by itself;
//! - drift is learned only from **evidence** that the device's clock is off: a code
//!   further behind than `window.behind()` steps (older than any delay explains) or
//!   further ahead than `window.ahead()` (delay never makes a code early). A code
//!   consistent with a correct clock typed late leaves the drift where it was, or
//!   pulls it towards the clock the code proves possible;
//! - drift is bounded by [`Policy::max_drift_steps`] when learned *and* when a
//!   stored state is read, so an edited or imported state cannot widen the scan
//!   past the policy.
//!
//! The `verifier_simulation` test checks this over simulated people and phones:
//! typing delays of 0 to 90 s, exact, slow, fast and slowly drifting clocks, months
//! of sign-ins.
//!
//! ## Resynchronisation
//!
//! A device whose clock (or HOTP counter) ran out of the sign-in scan is brought
//! back with two consecutive codes ([`Verifier::resync`]). Like `verify`, it
//! returns the new state whatever the outcome, and a refused attempt counts as a
//! failure:
//!
//! ```
//! use otpkit::{Algorithm, Digits, Period, Secret, Totp};
//! use otpkit::verifier::{DeviceState, Outcome, Policy, ResyncError, ResyncOutcome, Verifier};
//! let secret = Secret::from_bytes(b"12345678901234567890")?;
//! let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
//! let v = Verifier::totp(totp.clone(), Policy::default());
//! let state = DeviceState::totp_at(totp.step_at(1_700_000_000)?);
//! // Months later the phone's clock runs 12 steps (6 minutes) fast.
//! let later = 1_700_000_000 + 86_400;
//! let fast = |k: u64| totp.code_at(later + 30 * (12 + k)).map(|c| c.to_string());
//! let (outcome, state) = v.verify(&state, &fast(0)?, later);
//! assert_eq!(outcome, Outcome::Invalid);
//! let (outcome, state) = v.resync(&state, "123456", "654321", later);
//! assert_eq!(outcome, ResyncOutcome::Rejected(ResyncError::Rejected));
//! assert_eq!(state.failures(), 2); // counted without the caller's help
//! let (outcome, state) = v.resync(&state, &fast(0)?, &fast(1)?, later);
//! assert!(outcome.is_resynced());
//! // 13 steps measured; 2 more in case the codes were typed late (see below).
//! assert_eq!((state.drift(), state.failures()), (15, 0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Throttling
//!
//! After [`Policy::max_failures`] consecutive failures (wrong, replayed *and*
//! malformed codes all count, at enrolment, sign-in and resync alike) the device
//! is locked for [`Policy::lockout_base_secs`], doubling with each further
//! lock-out up to [`Policy::lockout_max_secs`]; while locked, every operation
//! refuses without looking at the code. [`Policy::with_backoff`] (off by
//! default) adds exponential back-off between attempts: every failure refuses
//! attempts for a delay that doubles with each consecutive failure, up to its own
//! maximum, refused and not counted like a lock-out; when both apply the later end
//! wins. At [`NIST_MAX_FAILURES`] consecutive
//! failures the device stays locked until an administrator calls
//! [`DeviceState::with_failures_cleared`]. A success resets the count.
//! [`Policy::worst_case_guess_probability`] says what that leaves an online
//! guesser.
//!
//! The text form of a state is checked on reading ([`DeviceState::decode`]).
//! Dropping a new state is a compile-time warning, which this crate turns into an
//! error for itself (`#![deny(unused_must_use)]`); do the same in yours:
//!
//! ```compile_fail
//! #![deny(unused_must_use)]
//! # use otpkit::{Hotp, Secret, verifier::{DeviceState, Policy, Verifier}};
//! # let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
//! # let v = Verifier::hotp(Hotp::new(&secret, Default::default(), Default::default()),
//! #                        Policy::default());
//! let state = DeviceState::hotp_at(0);
//! v.verify(&state, "755224", 0); // the new state is dropped: refused at compile time
//! ```

// Where the code is, one concept per file: `enroll` (a pending enrolment, one code
// at a time or two at once), `sign_in` (`verify`: the scan around the server's
// clock, replays), `resync` (two consecutive codes for a device out of the sign-in
// scan), `pair` (finding two consecutive codes in time that depends on the range
// only), `drift` (what an accepted step says about the device's clock, and the
// signed offset of a step, both without branches), `select` (the signed
// comparisons they use); the stored data: `policy`, `state`, `throttle`; what an
// attempt came to: `outcome`, `errors`. This file holds the `Verifier` itself and
// what every operation shares (parsing a code, the scan, counting a failure).

mod drift;
mod enroll;
mod errors;
mod outcome;
mod pair;
mod policy;
mod resync;
mod select;
mod sign_in;
mod state;
pub(crate) mod throttle;

use core::fmt;

pub use errors::{EnrollError, ResyncError};
#[cfg(feature = "alloc")] // for `recovery`
pub(crate) use outcome::outcome_impls;
pub use outcome::{EnrollOutcome, Outcome, ResyncOutcome, SignInError};
pub use policy::{
    MAX_DRIFT_STEPS, MAX_ENROLL_WINDOW, MAX_HOTP_LOOK_AHEAD, MAX_HOTP_RESYNC_LOOK_AHEAD,
    MAX_RESYNC_WINDOW, MAX_SIGN_IN_STEPS, NIST_MAX_FAILURES, Policy, PolicyError,
};
pub use state::{DeviceKind, DeviceState, MAX_ENCODED_LEN, StateError};
pub use throttle::Lockout;

use crate::{Code, CodeError, Digits, Hotp, Totp};

#[derive(Clone)]
enum Device {
    Totp(Totp),
    Hotp(Hotp),
}

/// Enrolls, signs in and resynchronises one device. See the [module docs](self).
///
/// Its `Debug` shows the algorithm, digits and policy, never the secret.
#[derive(Clone)]
pub struct Verifier {
    device: Device,
    policy: Policy,
}

impl Verifier {
    /// A verifier for a TOTP device.
    pub fn totp(totp: Totp, policy: Policy) -> Self {
        Verifier {
            device: Device::Totp(totp),
            policy,
        }
    }

    /// A verifier for an HOTP device.
    pub fn hotp(hotp: Hotp, policy: Policy) -> Self {
        Verifier {
            device: Device::Hotp(hotp),
            policy,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// TOTP or HOTP.
    pub fn kind(&self) -> DeviceKind {
        match self.device {
            Device::Totp(_) => DeviceKind::Totp,
            Device::Hotp(_) => DeviceKind::Hotp,
        }
    }

    /// The device's code length.
    pub fn digits(&self) -> Digits {
        match &self.device {
            Device::Totp(t) => t.digits(),
            Device::Hotp(h) => h.digits(),
        }
    }

    fn parse(&self, code: &str) -> Result<Code, CodeError> {
        Code::parse(code, self.digits())
    }

    /// The core's constant-time scan of `first ..= last` (latest match wins).
    fn scan(&self, code: &Code, first: u64, last: u64) -> Option<u64> {
        if first > last {
            return None;
        }
        match &self.device {
            Device::Totp(t) => t.verify_code_steps(code, first, last).ok(),
            Device::Hotp(h) => h.verify_code_range(code, first, last).ok(),
        }
    }

    fn record_failure(&self, state: &DeviceState, now: u64) -> DeviceState {
        throttle::record_failure(&self.policy, state, now)
    }
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Verifier");
        match &self.device {
            Device::Totp(t) => d.field("totp", t),
            Device::Hotp(h) => d.field("hotp", h),
        };
        d.field("policy", &self.policy).finish()
    }
}
