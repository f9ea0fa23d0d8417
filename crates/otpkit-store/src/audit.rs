//! Audit events: every [`MfaService`](crate::MfaService) operation tells a sink the
//! caller provides what it did, to whom, when, and how it came out.
//!
//! An [`Event`] carries the user, the device's name, the time, the outcome (its
//! [`EventKind`] and, for a refusal, its [`Reason`]) and counts; never a secret, a
//! code, a sealed column or a remember-me token. Sinks:
//!
//! - [`AuditSink`] for `()` drops every event (the default);
//! - [`RecentEvents`] keeps the last events of each user in memory (a security page
//!   shows them);
//! - [`Metrics`] counts events, refusals and verification times for a Prometheus
//!   scrape (no user or device name in a label);
//! - [`TracingSink`] (feature `tracing`) writes each event as a `tracing` event,
//!   target `otpkit::audit`;
//! - `(A, B)` sends each event to both;
//!
//! ```
//! use std::sync::Arc;
//! use otpkit_store::audit::{EventKind, RecentEvents};
//! use otpkit_store::seal::{Keyring, SealingKey};
//! use otpkit_store::{MemoryStore, MfaService};
//! use otpkit::verifier::Policy;
//!
//! let recent = Arc::new(RecentEvents::new(20));
//! let keyring = Keyring::new(SealingKey::new("k1", [7; 32])?);
//! let service = MfaService::new(MemoryStore::new(), keyring, Policy::default())
//!     .with_audit(recent.clone());
//! let secret = otpkit::Secret::generate(otpkit::Algorithm::Sha1)?;
//! service.add_device("alice", "phone", &secret, Default::default(), 1_800_000_000)?;
//! let events = recent.of_user("alice");
//! assert_eq!(events[0].kind, EventKind::EnrollmentBegun);
//! assert_eq!(events[0].device.as_deref(), Some("phone"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
// Without the feature the docs still name `TracingSink`, linked to docs.rs (built
// with every feature).
#![cfg_attr(
    not(feature = "tracing"),
    doc = "[`TracingSink`]: https://docs.rs/otpkit-store/latest/otpkit_store/audit/struct.TracingSink.html"
)]

mod metrics;
#[cfg(feature = "tracing")]
mod tracing_sink;

pub use metrics::Metrics;
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use tracing_sink::TracingSink;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What happened. Each name ([`EventKind::name`]) is the event's stable label in
/// logs and metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A device was added and shown to the user (its secret sealed, enrolment pending).
    EnrollmentBegun,
    /// Two codes enrolled the device.
    EnrollmentCompleted,
    /// An enrolment code (or pair) was refused.
    EnrollmentRefused,
    /// A sign-in code was accepted.
    SignInAccepted,
    /// A sign-in code was refused (wrong, malformed, or the user or device is locked).
    SignInRefused,
    /// A sign-in code was refused because it was used before.
    SignInReplayed,
    /// Failures locked the user (or a device) out.
    LockoutStarted,
    /// An administrator cleared the failures and lock-out.
    LockoutCleared,
    /// Two codes resynchronised a drifted device.
    Resynced,
    /// A resynchronisation pair was refused.
    ResyncRefused,
    /// A recovery code was used (and is spent).
    RecoveryCodeUsed,
    /// A recovery code was refused.
    RecoveryCodeRefused,
    /// A new set of recovery codes replaced the old one (every old code is invalid).
    RecoveryCodesRegenerated,
    /// A device was renamed.
    DeviceRenamed,
    /// A device was removed.
    DeviceRemoved,
    /// A device's secret was sealed again under the keyring's current key.
    SecretResealed,
    /// A remember-this-device token was issued after a sign-in.
    DeviceRemembered,
    /// A remember-this-device token was accepted (and rotated).
    RememberedAccepted,
    /// A remember-this-device token was refused (unknown, expired, malformed).
    RememberedRefused,
    /// Remember-this-device tokens were revoked ([`Event::reason`] says why).
    RememberedRevoked,
}

impl EventKind {
    /// Every kind, in the order above.
    pub const ALL: [EventKind; 20] = [
        EventKind::EnrollmentBegun,
        EventKind::EnrollmentCompleted,
        EventKind::EnrollmentRefused,
        EventKind::SignInAccepted,
        EventKind::SignInRefused,
        EventKind::SignInReplayed,
        EventKind::LockoutStarted,
        EventKind::LockoutCleared,
        EventKind::Resynced,
        EventKind::ResyncRefused,
        EventKind::RecoveryCodeUsed,
        EventKind::RecoveryCodeRefused,
        EventKind::RecoveryCodesRegenerated,
        EventKind::DeviceRenamed,
        EventKind::DeviceRemoved,
        EventKind::SecretResealed,
        EventKind::DeviceRemembered,
        EventKind::RememberedAccepted,
        EventKind::RememberedRefused,
        EventKind::RememberedRevoked,
    ];

    /// The stable snake-case label: `sign_in_accepted`, `lockout_started`, ….
    pub const fn name(self) -> &'static str {
        match self {
            EventKind::EnrollmentBegun => "enrollment_begun",
            EventKind::EnrollmentCompleted => "enrollment_completed",
            EventKind::EnrollmentRefused => "enrollment_refused",
            EventKind::SignInAccepted => "sign_in_accepted",
            EventKind::SignInRefused => "sign_in_refused",
            EventKind::SignInReplayed => "sign_in_replayed",
            EventKind::LockoutStarted => "lockout_started",
            EventKind::LockoutCleared => "lockout_cleared",
            EventKind::Resynced => "resynced",
            EventKind::ResyncRefused => "resync_refused",
            EventKind::RecoveryCodeUsed => "recovery_code_used",
            EventKind::RecoveryCodeRefused => "recovery_code_refused",
            EventKind::RecoveryCodesRegenerated => "recovery_codes_regenerated",
            EventKind::DeviceRenamed => "device_renamed",
            EventKind::DeviceRemoved => "device_removed",
            EventKind::SecretResealed => "secret_resealed",
            EventKind::DeviceRemembered => "device_remembered",
            EventKind::RememberedAccepted => "remembered_accepted",
            EventKind::RememberedRefused => "remembered_refused",
            EventKind::RememberedRevoked => "remembered_revoked",
        }
    }

    /// Whether this kind is a verification (a code or token checked), timed in
    /// [`Event::elapsed`].
    pub const fn is_verification(self) -> bool {
        match self {
            EventKind::EnrollmentCompleted
            | EventKind::EnrollmentRefused
            | EventKind::SignInAccepted
            | EventKind::SignInRefused
            | EventKind::SignInReplayed
            | EventKind::Resynced
            | EventKind::ResyncRefused
            | EventKind::RecoveryCodeUsed
            | EventKind::RecoveryCodeRefused
            | EventKind::RememberedAccepted
            | EventKind::RememberedRefused => true,
            EventKind::EnrollmentBegun
            | EventKind::LockoutStarted
            | EventKind::LockoutCleared
            | EventKind::RecoveryCodesRegenerated
            | EventKind::DeviceRenamed
            | EventKind::DeviceRemoved
            | EventKind::SecretResealed
            | EventKind::DeviceRemembered
            | EventKind::RememberedRevoked => false,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an attempt was refused or tokens revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The code matched nothing.
    Invalid,
    /// The text was not a code of the right form.
    Malformed,
    /// The user or the device is locked out: nothing was checked.
    Locked,
    /// The code (or a remember-me token's counter) was used before.
    Replayed,
    /// The device has not finished enrolment.
    NotEnrolled,
    /// The token has expired.
    Expired,
    /// No such token (never issued, or revoked).
    Unknown,
    /// An old token of a series came back: it was copied, so every token of the
    /// user is revoked.
    Theft,
    /// The caller revoked the tokens (a password change, a sign-out everywhere).
    Revoked,
    /// A device was removed, and the tokens with it.
    DeviceRemoved,
    /// The attempt could not be evaluated (a clock before 1970, an exhausted counter).
    Error,
}

impl Reason {
    /// Every reason, in the order above.
    pub const ALL: [Reason; 11] = [
        Reason::Invalid,
        Reason::Malformed,
        Reason::Locked,
        Reason::Replayed,
        Reason::NotEnrolled,
        Reason::Expired,
        Reason::Unknown,
        Reason::Theft,
        Reason::Revoked,
        Reason::DeviceRemoved,
        Reason::Error,
    ];

    /// The stable snake-case label.
    pub const fn name(self) -> &'static str {
        match self {
            Reason::Invalid => "invalid",
            Reason::Malformed => "malformed",
            Reason::Locked => "locked",
            Reason::Replayed => "replayed",
            Reason::NotEnrolled => "not_enrolled",
            Reason::Expired => "expired",
            Reason::Unknown => "unknown",
            Reason::Theft => "theft",
            Reason::Revoked => "revoked",
            Reason::DeviceRemoved => "device_removed",
            Reason::Error => "error",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One thing a service operation did. Holds no secret, code or token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    /// What happened.
    pub kind: EventKind,
    /// The user (for the single-device calls, the device id).
    pub user: &'a str,
    /// The device's name, when one device is concerned.
    pub device: Option<&'a str>,
    /// When (Unix seconds, the `now` the caller passed).
    pub at: u64,
    /// Why, for a refusal or a revocation.
    pub reason: Option<Reason>,
    /// Consecutive failures of the user (or device) after the operation.
    pub failures: u32,
    /// How many things the operation counted: devices tried at a sign-in, codes
    /// left after a recovery code, tokens revoked; 0 when nothing applies.
    pub count: u32,
    /// For a verification ([`EventKind::is_verification`]), the time the service
    /// spent on it, store round trips included.
    pub elapsed: Option<Duration>,
}

impl<'a> Event<'a> {
    /// An event of `kind` for `user` at `at`, with no device, reason, counts or
    /// time (set those with struct update syntax).
    pub const fn new(kind: EventKind, user: &'a str, at: u64) -> Self {
        Event {
            kind,
            user,
            device: None,
            at,
            reason: None,
            failures: 0,
            count: 0,
            elapsed: None,
        }
    }
}

/// Where events go. Called on the thread of the operation, after the store has
/// the new state; a sink must not block for long (hand events to a queue if it
/// writes to a network).
pub trait AuditSink: Send + Sync {
    /// Takes one event.
    fn record(&self, event: &Event<'_>);
}

/// Drops every event.
impl AuditSink for () {
    fn record(&self, _: &Event<'_>) {}
}

/// Sends each event to both sinks, `A` first.
impl<A: AuditSink, B: AuditSink> AuditSink for (A, B) {
    fn record(&self, event: &Event<'_>) {
        self.0.record(event);
        self.1.record(event);
    }
}

impl<T: AuditSink + ?Sized> AuditSink for Arc<T> {
    fn record(&self, event: &Event<'_>) {
        (**self).record(event);
    }
}

impl<T: AuditSink + ?Sized> AuditSink for Box<T> {
    fn record(&self, event: &Event<'_>) {
        (**self).record(event);
    }
}

impl<T: AuditSink + ?Sized> AuditSink for &T {
    fn record(&self, event: &Event<'_>) {
        (**self).record(event);
    }
}

/// An [`Event`] kept: its text fields owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// What happened.
    pub kind: EventKind,
    /// The user.
    pub user: String,
    /// The device's name.
    pub device: Option<String>,
    /// When (Unix seconds).
    pub at: u64,
    /// Why, for a refusal or revocation.
    pub reason: Option<Reason>,
    /// Consecutive failures after the operation.
    pub failures: u32,
    /// See [`Event::count`].
    pub count: u32,
}

impl From<&Event<'_>> for EventRecord {
    fn from(e: &Event<'_>) -> Self {
        EventRecord {
            kind: e.kind,
            user: e.user.to_owned(),
            device: e.device.map(str::to_owned),
            at: e.at,
            reason: e.reason,
            failures: e.failures,
            count: e.count,
        }
    }
}

/// The most recent events of each user, in this process's memory: at most
/// `per_user` events for each of at most [`RecentEvents::MAX_USERS`] users (the
/// user whose last event is oldest is forgotten first), so memory stays bounded
/// whatever the traffic.
#[derive(Debug)]
pub struct RecentEvents {
    per_user: usize,
    inner: Mutex<Recent>,
}

#[derive(Debug, Default)]
struct Recent {
    by_user: HashMap<String, VecDeque<EventRecord>>,
    /// Users by their last event, oldest first (a user appears once).
    order: VecDeque<String>,
}

impl RecentEvents {
    /// Users kept at most.
    pub const MAX_USERS: usize = 10_000;

    /// Keeps the last `per_user` events (at least 1) of each user.
    pub fn new(per_user: usize) -> Self {
        RecentEvents {
            per_user: per_user.max(1),
            inner: Mutex::new(Recent::default()),
        }
    }

    /// The user's kept events, newest first.
    pub fn of_user(&self, user: &str) -> Vec<EventRecord> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner
            .by_user
            .get(user)
            .map(|events| events.iter().rev().cloned().collect())
            .unwrap_or_default()
    }
}

impl AuditSink for RecentEvents {
    fn record(&self, event: &Event<'_>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let Recent { by_user, order } = &mut *inner;
        if let Some(at) = order.iter().position(|u| u == event.user) {
            order.remove(at);
        } else if order.len() >= Self::MAX_USERS
            && let Some(oldest) = order.pop_front()
        {
            by_user.remove(&oldest);
        }
        order.push_back(event.user.to_owned());
        let events = by_user.entry(event.user.to_owned()).or_default();
        if events.len() >= self.per_user {
            events.pop_front();
        }
        events.push_back(EventRecord::from(event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: EventKind, user: &str) -> Event<'_> {
        Event {
            kind,
            user,
            device: None,
            at: 1,
            reason: None,
            failures: 0,
            count: 0,
            elapsed: None,
        }
    }

    #[test]
    fn every_kind_has_a_distinct_name_and_all_lists_each_once() {
        let mut names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventKind::ALL.len());
    }

    #[test]
    fn recent_events_keep_the_newest_per_user_newest_first() {
        let recent = RecentEvents::new(2);
        recent.record(&event(EventKind::EnrollmentBegun, "a"));
        recent.record(&event(EventKind::SignInAccepted, "b"));
        recent.record(&event(EventKind::SignInRefused, "a"));
        recent.record(&event(EventKind::SignInAccepted, "a"));
        let kinds: Vec<EventKind> = recent.of_user("a").iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [EventKind::SignInAccepted, EventKind::SignInRefused]);
        assert_eq!(recent.of_user("b").len(), 1);
        assert!(recent.of_user("c").is_empty());
    }

    #[test]
    fn a_pair_of_sinks_gets_every_event_in_both() {
        let (a, b) = (RecentEvents::new(5), RecentEvents::new(5));
        (&a, &b).record(&event(EventKind::DeviceRemoved, "u"));
        assert_eq!(a.of_user("u").len(), 1);
        assert_eq!(b.of_user("u").len(), 1);
    }
}
