//! Throttling (RFC 4226 §7.3, NIST SP 800-63B §5.2.2): after every
//! `max_failures` consecutive failures the device locks, for a delay that doubles
//! with each lock-out up to a cap; at [`NIST_MAX_FAILURES`] consecutive failures it
//! locks until an administrator clears it. With [`Policy::with_backoff`] every
//! failure also refuses the next attempt for a delay that doubles with each
//! consecutive failure up to its own cap; when both refuse, the later end wins. A
//! success resets the count.

use core::fmt;

use super::policy::NIST_MAX_FAILURES;
use super::{DeviceState, Policy};

/// Whether `state` is locked at `now`; the lock's end if so.
pub(crate) fn locked(state: &DeviceState, now: u64) -> Option<u64> {
    state.locked_until().filter(|_| state.is_locked_at(now))
}

/// `state` after one more failed attempt at `now`.
pub(crate) fn record_failure(policy: &Policy, state: &DeviceState, now: u64) -> DeviceState {
    let mut next = *state;
    next.lock = state.lock.after_failure(policy, now);
    next
}

/// Consecutive failures and the end of the lock-out they caused: what a device
/// state, a set of recovery codes and a user of several devices
/// (`otpkit-store`'s user record) hold, counted by one rule.
///
/// ```
/// use otpkit::verifier::{Lockout, Policy};
/// let policy = Policy::default().with_max_failures(2)?.with_lockout(60, 3600)?;
/// let once = Lockout::NONE.after_failure(&policy, 1000);
/// assert!(!once.is_locked_at(1000));
/// let twice = once.after_failure(&policy, 1001);
/// assert_eq!((twice.failures(), twice.until()), (2, Some(1061)));
/// assert!(twice.is_locked_at(1060) && !twice.is_locked_at(1061));
/// # Ok::<(), otpkit::verifier::PolicyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lockout {
    /// Consecutive failed attempts since the last success.
    pub(crate) failures: u32,
    /// Until when (Unix seconds, exclusive) attempts are refused; 0 when not locked.
    pub(crate) until: u64,
}

impl Lockout {
    /// No failure, not locked.
    pub const NONE: Lockout = Lockout {
        failures: 0,
        until: 0,
    };

    /// A count and lock-out end as stored (`until` 0: not locked;
    /// `u64::MAX`: locked until cleared).
    pub const fn from_parts(failures: u32, until: u64) -> Self {
        Lockout { failures, until }
    }

    /// Consecutive failed attempts since the last success.
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// The end of the current or last lock-out, if any.
    pub const fn until(&self) -> Option<u64> {
        if self.until == 0 {
            None
        } else {
            Some(self.until)
        }
    }

    /// Whether attempts are refused at `now`.
    pub const fn is_locked_at(&self, now: u64) -> bool {
        now < self.until
    }

    /// After one more failure at `now`: locked for the policy's delay at every
    /// [`Policy::max_failures`]-th consecutive failure, and until cleared at
    /// [`NIST_MAX_FAILURES`]. With [`Policy::backoff`] on, the k-th consecutive
    /// failure also refuses attempts for base × 2^(k−1) s, capped at its maximum;
    /// the later of the two ends is kept.
    #[must_use = "the count after the failure must be stored"]
    pub fn after_failure(self, policy: &Policy, now: u64) -> Self {
        // A lock-out that has ended is not kept around.
        let mut until = if self.is_locked_at(now) {
            self.until
        } else {
            0
        };
        let failures = self.failures.saturating_add(1);
        if failures >= NIST_MAX_FAILURES {
            until = u64::MAX;
        } else {
            if failures.checked_rem(policy.max_failures()) == Some(0) {
                let level = failures.checked_div(policy.max_failures()).unwrap_or(1);
                until = now.saturating_add(delay(policy, level)).max(1);
            }
            if let Some((base_secs, max_secs)) = policy.backoff() {
                let wait = doubled(base_secs, max_secs, failures);
                until = until.max(now.saturating_add(wait).max(1));
            }
        }
        Lockout { failures, until }
    }
}

/// The lock-out accessors of a state that keeps a [`Lockout`] in its `lock` field
/// — `failures`, `locked_until` and `is_locked_at` — written once for a device
/// ([`DeviceState`]) and a set of recovery codes
/// ([`RecoveryState`](crate::recovery::RecoveryState)). `$noun` names what is
/// locked in their docs; doc lines before `locked_until;` and `is_locked_at;` are
/// added to those methods' docs.
macro_rules! lockout_accessors {
    (
        $state:ty, $noun:literal;
        $(#[$locked_until_doc:meta])*
        locked_until;
        $(#[$is_locked_at_doc:meta])*
        is_locked_at;
    ) => {
        impl $state {
            /// Consecutive failed attempts since the last success.
            pub const fn failures(&self) -> u32 {
                self.lock.failures
            }

            #[doc = concat!(
                "Until when (Unix seconds, exclusive) the ", $noun,
                " is or was last locked (an ended lock-out is cleared by the next attempt)."
            )]
            $(#[$locked_until_doc])*
            pub const fn locked_until(&self) -> Option<u64> {
                self.lock.until()
            }

            #[doc = concat!("Whether the ", $noun, " is locked out (attempts are refused) at `now` (Unix seconds).")]
            $(#[$is_locked_at_doc])*
            pub const fn is_locked_at(&self, now: u64) -> bool {
                self.lock.is_locked_at(now)
            }
        }
    };
}
pub(crate) use lockout_accessors;

/// The sentence for an attempt refused by a lock-out ending at `.0` (Unix
/// seconds; `u64::MAX`: until cleared), the same in every outcome and error that
/// reports one.
pub(crate) struct LockedUntil(pub(crate) u64);

impl fmt::Display for LockedUntil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            u64::MAX => f.write_str("too many failed attempts: locked until reset"),
            until => write!(f, "too many failed attempts: locked until {until}"),
        }
    }
}

/// `state` after a success: failures and lock-out cleared.
pub(crate) fn record_success(state: &DeviceState) -> DeviceState {
    state.with_failures_cleared()
}

/// The delay of the `level`-th lock-out (1-based): base × 2^(level−1), capped.
pub(crate) fn delay(policy: &Policy, level: u32) -> u64 {
    doubled(policy.lockout_base_secs(), policy.lockout_max_secs(), level)
}

/// `base_secs` × 2^(`level`−1) for a 1-based `level`, never more than `max_secs`.
fn doubled(base_secs: u64, max_secs: u64, level: u32) -> u64 {
    let doublings = level.saturating_sub(1);
    let factor = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
    base_secs.saturating_mul(factor).min(max_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_then_cap() {
        let p = Policy::default().with_lockout(10, 70).unwrap();
        let d: [u64; 5] = core::array::from_fn(|i| delay(&p, i as u32 + 1));
        assert_eq!(d, [10, 20, 40, 70, 70]);
        assert_eq!(delay(&p, u32::MAX), 70);
    }

    #[test]
    fn locks_every_max_failures_and_for_good_at_the_nist_limit() {
        let p = Policy::default()
            .with_max_failures(3)
            .unwrap()
            .with_lockout(10, 1000)
            .unwrap();
        let mut s = DeviceState::totp_at(5);
        let mut locks = [0u64; 0].to_vec();
        for i in 1..=NIST_MAX_FAILURES {
            s = record_failure(&p, &s, 1000);
            if let Some(until) = s.locked_until() {
                if i % 3 == 0 || i == NIST_MAX_FAILURES {
                    locks.push(until);
                    s.lock.until = 0; // as if the delay passed
                    continue;
                }
                panic!("locked after {i} failures");
            }
            assert!(i % 3 != 0, "not locked after {i} failures");
        }
        assert_eq!(&locks[..4], &[1010, 1020, 1040, 1080]);
        assert_eq!(locks.last(), Some(&u64::MAX));
        assert_eq!(s.failures(), NIST_MAX_FAILURES);
        assert_eq!(locked(&s, 0), None);
        let s = record_success(&s);
        assert_eq!((s.failures(), s.locked_until()), (0, None));
    }

    #[test]
    fn an_ended_lock_is_cleared_by_the_next_failure() {
        let p = Policy::default();
        let mut s = DeviceState::totp_at(5);
        s.lock = Lockout {
            failures: 5,
            until: 100,
        };
        let after = record_failure(&p, &s, 100);
        assert_eq!((after.failures(), after.locked_until()), (6, None));
    }

    /// The wait after each of `N` consecutive failures at `now`, each counted once
    /// the wait before it has passed.
    fn waits<const N: usize>(policy: &Policy, now: u64) -> [u64; N] {
        let mut lock = Lockout::NONE;
        core::array::from_fn(|_| {
            lock = lock.after_failure(policy, now);
            let wait = lock.until().map_or(0, |until| until.saturating_sub(now));
            lock.until = 0; // as if the wait passed
            wait
        })
    }

    fn backoff_only(base_secs: u64, max_secs: u64) -> Policy {
        Policy::default()
            .with_max_failures(NIST_MAX_FAILURES)
            .unwrap()
            .with_backoff(base_secs, max_secs)
            .unwrap()
    }

    #[test]
    fn backoff_waits_double_from_the_base_after_each_failure_then_cap() {
        assert_eq!(waits::<6>(&backoff_only(1, 8), 1000), [1, 2, 4, 8, 8, 8]);
        assert_eq!(waits::<4>(&backoff_only(3, 20), 1000), [3, 6, 12, 20]);
        // A constant wait when the base is the cap; no overflow however many failures.
        assert_eq!(waits::<3>(&backoff_only(5, 5), 1000), [5, 5, 5]);
        let far = waits::<99>(&backoff_only(1, u64::MAX), u64::MAX - 10);
        assert_eq!(&far[..3], &[1, 2, 4]);
        assert_eq!(far.last(), Some(&10));
    }

    #[test]
    fn backoff_keeps_the_nist_limit_lock_until_cleared() {
        const N: usize = NIST_MAX_FAILURES as usize;
        let w = waits::<N>(&backoff_only(1, 8), 1000);
        assert_eq!(w[N - 2], 8);
        assert_eq!(w.last(), Some(&(u64::MAX - 1000)));
    }

    #[test]
    fn backoff_and_lockout_together_keep_the_later_end() {
        // The lock-out at every third failure outlasts the back-off there.
        let p = Policy::default()
            .with_max_failures(3)
            .unwrap()
            .with_lockout(10, 1000)
            .unwrap()
            .with_backoff(1, 5)
            .unwrap();
        assert_eq!(waits::<6>(&p, 1000), [1, 2, 10, 5, 5, 20]);
        // The back-off outlasts a short lock-out.
        let p = Policy::default()
            .with_max_failures(3)
            .unwrap()
            .with_lockout(2, 2)
            .unwrap()
            .with_backoff(1, 100)
            .unwrap();
        assert_eq!(waits::<6>(&p, 1000), [1, 2, 4, 8, 16, 32]);
        // A lock-out still running when a failure is counted is not shortened.
        let running = Lockout::from_parts(1, 1500).after_failure(&p, 1000);
        assert_eq!((running.failures(), running.until()), (2, Some(1500)));
    }

    #[test]
    fn without_backoff_failures_below_max_failures_do_not_lock() {
        let p = Policy::default();
        assert_eq!(p.backoff(), None);
        assert_eq!(waits::<6>(&p, 1000), [0, 0, 0, 0, 60, 0]);
    }

    #[test]
    fn success_clears_a_backoff_and_the_next_failure_waits_the_base_again() {
        let p = backoff_only(2, 60);
        let mut s = DeviceState::totp_at(5);
        for now in [1000, 1002, 1006] {
            s = record_failure(&p, &s, now);
        }
        assert_eq!((s.failures(), s.locked_until()), (3, Some(1014)));
        let s = record_success(&s);
        assert_eq!((s.failures(), s.locked_until()), (0, None));
        let s = record_failure(&p, &s, 2000);
        assert_eq!((s.failures(), s.locked_until()), (1, Some(2002)));
    }

    #[test]
    fn attempts_while_backing_off_are_refused_as_locked_and_not_counted() {
        use crate::verifier::{Outcome, Verifier};
        use crate::{Algorithm, Digits, Period, Secret, Totp};
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
        let now = 1_700_000_000;
        let v = Verifier::totp(totp.clone(), backoff_only(4, 60));
        let s = DeviceState::totp_at(totp.step_at(now).unwrap() - 10);
        let (outcome, s) = v.verify(&s, "000000", now);
        assert_eq!(outcome, Outcome::Invalid);
        assert_eq!((s.failures(), s.locked_until()), (1, Some(now + 4)));
        // Even the right code is not looked at until the wait has passed.
        let right = totp.code_at(now + 3).unwrap().text();
        let (outcome, refused) = v.verify(&s, right.as_str(), now + 3);
        assert_eq!(outcome, Outcome::Locked { until: now + 4 });
        assert_eq!(refused, s);
        let right = totp.code_at(now + 4).unwrap().text();
        let (outcome, s) = v.verify(&s, right.as_str(), now + 4);
        assert!(matches!(outcome, Outcome::Accepted { .. }), "{outcome:?}");
        assert_eq!((s.failures(), s.locked_until()), (0, None));
    }

    #[test]
    fn lock_ends_at_until() {
        let mut s = DeviceState::totp_at(5);
        s.lock.until = 100;
        assert_eq!(locked(&s, 99), Some(100));
        assert_eq!(locked(&s, 100), None);
    }
}
