//! [`TracingSink`]: audit events as `tracing` events.

use super::{AuditSink, Event, EventKind};

/// The `tracing` target of every audit event.
const TARGET: &str = "otpkit::audit";

/// Writes each audit event as a [`tracing`] event, target `otpkit::audit`, with the
/// fields `event` ([`EventKind::name`]), `user`, `device`, `at`, `reason`
/// ([`Reason::name`](super::Reason::name)), `failures`, `count` and `elapsed_us`
/// (microseconds); `device`, `reason` and `elapsed_us` only when the event has
/// them. The [`Event`] holds no secret, code or token, so neither does the log.
///
/// Level `WARN` for refusals, replays, the start of a lock-out and revoked
/// remember-this-device tokens (what a security team watches), `INFO` for the rest.
///
/// ```
/// use otpkit_store::audit::TracingSink;
/// use otpkit_store::seal::{Keyring, SealingKey};
/// use otpkit_store::{MemoryStore, MfaService};
/// use otpkit::verifier::Policy;
///
/// let keyring = Keyring::new(SealingKey::new("k1", [7; 32])?);
/// let service = MfaService::new(MemoryStore::new(), keyring, Policy::default())
///     .with_audit(TracingSink::new());
/// let secret = otpkit::Secret::generate(otpkit::Algorithm::Sha1)?;
/// // INFO otpkit::audit: event="enrollment_begun" user="alice" device="phone" ...
/// service.add_device("alice", "phone", &secret, Default::default(), 1_800_000_000)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingSink {
    _private: (),
}

impl TracingSink {
    /// The sink (it keeps nothing: the subscriber decides where events go).
    pub const fn new() -> Self {
        TracingSink { _private: () }
    }
}

/// Whether events of `kind` are logged at `WARN` (else `INFO`).
const fn is_warning(kind: EventKind) -> bool {
    match kind {
        EventKind::EnrollmentRefused
        | EventKind::SignInRefused
        | EventKind::SignInReplayed
        | EventKind::LockoutStarted
        | EventKind::ResyncRefused
        | EventKind::RecoveryCodeRefused
        | EventKind::RememberedRefused
        | EventKind::RememberedRevoked => true,
        EventKind::EnrollmentBegun
        | EventKind::EnrollmentCompleted
        | EventKind::SignInAccepted
        | EventKind::LockoutCleared
        | EventKind::Resynced
        | EventKind::RecoveryCodeUsed
        | EventKind::RecoveryCodesRegenerated
        | EventKind::DeviceRenamed
        | EventKind::DeviceRemoved
        | EventKind::SecretResealed
        | EventKind::DeviceRemembered
        | EventKind::RememberedAccepted => false,
    }
}

impl AuditSink for TracingSink {
    fn record(&self, e: &Event<'_>) {
        let event = e.kind.name();
        let reason = e.reason.map(|r| r.name());
        let elapsed_us = e
            .elapsed
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        // The level of a `tracing` call site is fixed, hence two call sites.
        if is_warning(e.kind) {
            tracing::warn!(
                target: TARGET,
                event,
                user = e.user,
                device = e.device,
                at = e.at,
                reason,
                failures = e.failures,
                count = e.count,
                elapsed_us,
            );
        } else {
            tracing::info!(
                target: TARGET,
                event,
                user = e.user,
                device = e.device,
                at = e.at,
                reason,
                failures = e.failures,
                count = e.count,
                elapsed_us,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Level, Metadata, Subscriber};

    use super::*;
    use crate::audit::Reason;

    /// One `tracing` event as the subscriber saw it.
    #[derive(Debug)]
    struct Captured {
        target: String,
        level: Level,
        /// Every field the call site declares.
        declared: Vec<String>,
        /// The fields recorded, as text.
        values: BTreeMap<String, String>,
    }

    /// A subscriber keeping every event (no spans).
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<Captured>>>);

    struct Values<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Values<'_> {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
        fn record_u64(&mut self, field: &Field, value: u64) {
            self.0.insert(field.name().to_owned(), value.to_string());
        }
        fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut values = BTreeMap::new();
            event.record(&mut Values(&mut values));
            let meta = event.metadata();
            self.0.lock().unwrap().push(Captured {
                target: meta.target().to_owned(),
                level: *meta.level(),
                declared: meta.fields().iter().map(|f| f.name().to_owned()).collect(),
                values,
            });
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }

    fn captured(events: &[Event<'_>]) -> Vec<Captured> {
        let capture = Capture::default();
        tracing::subscriber::with_default(capture.clone(), || {
            for e in events {
                TracingSink::new().record(e);
            }
        });
        let mut kept = capture.0.lock().unwrap();
        std::mem::take(&mut *kept)
    }

    const FIELDS: [&str; 8] = [
        "event",
        "user",
        "device",
        "at",
        "reason",
        "failures",
        "count",
        "elapsed_us",
    ];

    #[test]
    fn a_refusal_is_a_warning_with_every_field_and_nothing_else() {
        let got = captured(&[Event {
            device: Some("phone"),
            reason: Some(Reason::Invalid),
            failures: 3,
            count: 2,
            elapsed: Some(Duration::from_micros(1_234)),
            ..Event::new(EventKind::SignInRefused, "alice", 1_800_000_000)
        }]);
        assert_eq!(got.len(), 1);
        let e = &got[0];
        assert_eq!(e.target, "otpkit::audit");
        assert_eq!(e.level, Level::WARN);
        // The call site declares exactly these fields: no secret, code or token.
        assert_eq!(e.declared, FIELDS);
        let expected: BTreeMap<String, String> = [
            ("event", "sign_in_refused"),
            ("user", "alice"),
            ("device", "phone"),
            ("at", "1800000000"),
            ("reason", "invalid"),
            ("failures", "3"),
            ("count", "2"),
            ("elapsed_us", "1234"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(e.values, expected);
    }

    #[test]
    fn an_ordinary_event_is_info_without_the_fields_it_lacks() {
        let got = captured(&[Event::new(EventKind::EnrollmentBegun, "bob", 7)]);
        assert_eq!(got.len(), 1);
        let e = &got[0];
        assert_eq!(e.level, Level::INFO);
        assert_eq!(e.declared, FIELDS);
        let recorded: Vec<&str> = e.values.keys().map(String::as_str).collect();
        assert_eq!(recorded, ["at", "count", "event", "failures", "user"]);
        assert_eq!(e.values["event"], "enrollment_begun");
    }

    #[test]
    fn warnings_are_refusals_replays_lockouts_and_revocations() {
        let events: Vec<Event<'_>> = EventKind::ALL
            .iter()
            .map(|k| Event::new(*k, "u", 1))
            .collect();
        let got = captured(&events);
        let warned: Vec<&str> = got
            .iter()
            .filter(|e| e.level == Level::WARN)
            .map(|e| e.values["event"].as_str())
            .collect();
        assert_eq!(
            warned,
            [
                "enrollment_refused",
                "sign_in_refused",
                "sign_in_replayed",
                "lockout_started",
                "resync_refused",
                "recovery_code_refused",
                "remembered_refused",
                "remembered_revoked",
            ]
        );
        assert!(
            got.iter()
                .all(|e| e.level == Level::WARN || e.level == Level::INFO)
        );
        assert_eq!(got.len(), EventKind::ALL.len());
    }
}
