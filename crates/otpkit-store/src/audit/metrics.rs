//! [`Metrics`]: audit events counted for Prometheus.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::{AuditSink, Event, EventKind, Reason};

/// The verification-time histogram's upper bounds (inclusive), each with its `le`
/// label; `+Inf` follows them.
const BUCKETS: [(Duration, &str); 11] = [
    (Duration::from_micros(500), "0.0005"),
    (Duration::from_millis(1), "0.001"),
    (Duration::from_micros(2_500), "0.0025"),
    (Duration::from_millis(5), "0.005"),
    (Duration::from_millis(10), "0.01"),
    (Duration::from_millis(25), "0.025"),
    (Duration::from_millis(50), "0.05"),
    (Duration::from_millis(100), "0.1"),
    (Duration::from_millis(250), "0.25"),
    (Duration::from_millis(500), "0.5"),
    (Duration::from_secs(1), "1"),
];

/// Every [`Reason`], in the order of [`reason_index`].
const REASONS: [Reason; Reason::ALL.len()] = Reason::ALL;

/// The reason's place in [`REASONS`] (a match, so a new reason does not compile
/// until it has a counter).
const fn reason_index(reason: Reason) -> usize {
    match reason {
        Reason::Invalid => 0,
        Reason::Malformed => 1,
        Reason::Locked => 2,
        Reason::Replayed => 3,
        Reason::NotEnrolled => 4,
        Reason::Expired => 5,
        Reason::Unknown => 6,
        Reason::Theft => 7,
        Reason::Revoked => 8,
        Reason::DeviceRemoved => 9,
        Reason::Error => 10,
    }
}

const KINDS: usize = EventKind::ALL.len();

/// Audit events counted in this process, for a Prometheus scrape
/// ([`Metrics::render`], the text exposition format 0.0.4):
///
/// - `otpkit_events_total{event}`: events of each [`EventKind`] (every kind
///   listed, 0 included, so a dashboard sees each series from the start);
/// - `otpkit_refusals_total{event,reason}`: events that carry a [`Reason`] (the
///   pairs seen so far);
/// - `otpkit_verification_seconds`: a histogram of [`Event::elapsed`] of the
///   verifications ([`EventKind::is_verification`]).
///
/// The labels are the fixed names of [`EventKind::name`] and [`Reason::name`],
/// never a user or device name: a label value per user would make one time
/// series per user (unbounded memory here and in Prometheus), and would copy who
/// signs in, and when, into a monitoring system that is no place for it. Memory is
/// a fixed set of atomic counters; recording takes no lock.
///
/// ```
/// use std::sync::Arc;
/// use otpkit_store::audit::Metrics;
/// use otpkit_store::seal::{Keyring, SealingKey};
/// use otpkit_store::{MemoryStore, MfaService};
/// use otpkit::verifier::Policy;
///
/// let metrics = Arc::new(Metrics::new());
/// let keyring = Keyring::new(SealingKey::new("k1", [7; 32])?);
/// let service = MfaService::new(MemoryStore::new(), keyring, Policy::default())
///     .with_audit(metrics.clone());
/// let secret = otpkit::Secret::generate(otpkit::Algorithm::Sha1)?;
/// service.add_device("alice", "phone", &secret, Default::default(), 1_800_000_000)?;
/// // Served at /metrics with the content type Metrics::CONTENT_TYPE.
/// let text = metrics.render();
/// assert!(text.contains("otpkit_events_total{event=\"enrollment_begun\"} 1\n"));
/// assert!(!text.contains("alice"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Metrics {
    /// By [`EventKind::ALL`] order.
    events: [AtomicU64; KINDS],
    /// By [`EventKind::ALL`] order, then [`reason_index`].
    refusals: [[AtomicU64; REASONS.len()]; KINDS],
    /// Verifications whose time fell in each bucket alone (not cumulative); the
    /// last one is above the last bound.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// The verification times' sum in nanoseconds (wraps after 584 years).
    sum_nanos: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// The HTTP `Content-Type` of [`Metrics::render`]'s text.
    pub const CONTENT_TYPE: &'static str = "text/plain; version=0.0.4; charset=utf-8";

    /// Every counter at 0.
    pub const fn new() -> Self {
        Metrics {
            events: [const { AtomicU64::new(0) }; KINDS],
            refusals: [const { [const { AtomicU64::new(0) }; REASONS.len()] }; KINDS],
            buckets: [const { AtomicU64::new(0) }; BUCKETS.len() + 1],
            sum_nanos: AtomicU64::new(0),
        }
    }

    /// The counters in the Prometheus text exposition format 0.0.4.
    ///
    /// Counters are read one by one while events may be recorded, but the
    /// histogram's `+Inf` bucket and `_count` are the same sum of its buckets.
    #[must_use]
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP otpkit_events_total Audit events, by kind.\n");
        out.push_str("# TYPE otpkit_events_total counter\n");
        for (kind, counter) in EventKind::ALL.iter().zip(&self.events) {
            out.push_str(&format!(
                "otpkit_events_total{{event=\"{}\"}} {}\n",
                kind.name(),
                counter.load(Ordering::Relaxed)
            ));
        }

        out.push_str(
            "# HELP otpkit_refusals_total Refusals and revocations, by kind and reason.\n",
        );
        out.push_str("# TYPE otpkit_refusals_total counter\n");
        for (kind, by_reason) in EventKind::ALL.iter().zip(&self.refusals) {
            for (reason, counter) in REASONS.iter().zip(by_reason) {
                let n = counter.load(Ordering::Relaxed);
                if n > 0 {
                    out.push_str(&format!(
                        "otpkit_refusals_total{{event=\"{}\",reason=\"{}\"}} {n}\n",
                        kind.name(),
                        reason.name()
                    ));
                }
            }
        }

        out.push_str(
            "# HELP otpkit_verification_seconds Time spent on each verification, \
             store round trips included.\n",
        );
        out.push_str("# TYPE otpkit_verification_seconds histogram\n");
        let mut cumulative: u64 = 0;
        let mut counts = self.buckets.iter().map(|b| b.load(Ordering::Relaxed));
        for (_, le) in BUCKETS {
            cumulative = cumulative.wrapping_add(counts.next().unwrap_or(0));
            out.push_str(&format!(
                "otpkit_verification_seconds_bucket{{le=\"{le}\"}} {cumulative}\n"
            ));
        }
        cumulative = cumulative.wrapping_add(counts.next().unwrap_or(0));
        out.push_str(&format!(
            "otpkit_verification_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n"
        ));
        let sum = Duration::from_nanos(self.sum_nanos.load(Ordering::Relaxed));
        out.push_str(&format!(
            "otpkit_verification_seconds_sum {}\n",
            seconds(sum)
        ));
        out.push_str(&format!("otpkit_verification_seconds_count {cumulative}\n"));
        out
    }
}

/// `d` in seconds, exactly (to the nanosecond, no float rounding): `0.0435`, `2`.
fn seconds(d: Duration) -> String {
    let fraction = format!("{:09}", d.subsec_nanos());
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        d.as_secs().to_string()
    } else {
        format!("{}.{fraction}", d.as_secs())
    }
}

impl AuditSink for Metrics {
    fn record(&self, event: &Event<'_>) {
        let Some(kind) = EventKind::ALL.iter().position(|k| *k == event.kind) else {
            return;
        };
        if let Some(counter) = self.events.get(kind) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(reason) = event.reason
            && let Some(counter) = self
                .refusals
                .get(kind)
                .and_then(|r| r.get(reason_index(reason)))
        {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        if event.kind.is_verification()
            && let Some(elapsed) = event.elapsed
        {
            let bucket = BUCKETS
                .iter()
                .position(|(bound, _)| elapsed <= *bound)
                .unwrap_or(BUCKETS.len());
            if let Some(counter) = self.buckets.get(bucket) {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
            self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(kind: EventKind, reason: Option<Reason>, micros: u64) -> Event<'static> {
        Event {
            reason,
            elapsed: Some(Duration::from_micros(micros)),
            ..Event::new(kind, "alice@example.com", 1_800_000_000)
        }
    }

    #[test]
    fn seconds_are_exact_decimals_without_trailing_zeros() {
        assert_eq!(seconds(Duration::ZERO), "0");
        assert_eq!(seconds(Duration::from_secs(3)), "3");
        assert_eq!(seconds(Duration::from_nanos(2_002_001_000)), "2.002001");
        assert_eq!(seconds(Duration::from_nanos(1)), "0.000000001");
    }

    #[test]
    fn reasons_list_each_reason_once_at_its_index() {
        for (i, reason) in REASONS.iter().enumerate() {
            assert_eq!(reason_index(*reason), i);
        }
        let mut names: Vec<&str> = REASONS.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), REASONS.len());
    }

    #[test]
    fn a_fresh_sink_renders_every_kind_at_zero_and_an_empty_histogram() {
        let text = Metrics::new().render();
        for kind in EventKind::ALL {
            let line = format!("otpkit_events_total{{event=\"{}\"}} 0\n", kind.name());
            assert!(text.contains(&line), "{line}");
        }
        assert_eq!(
            text.matches("otpkit_events_total{").count(),
            EventKind::ALL.len()
        );
        assert!(!text.contains("otpkit_refusals_total{"));
        assert!(text.contains("otpkit_verification_seconds_bucket{le=\"+Inf\"} 0\n"));
        assert!(
            text.ends_with(
                "otpkit_verification_seconds_sum 0\notpkit_verification_seconds_count 0\n"
            )
        );
    }

    #[test]
    fn render_is_the_exact_exposition_text_for_a_few_events() {
        let metrics = Metrics::new();
        metrics.record(&timed(EventKind::SignInAccepted, None, 3_000));
        metrics.record(&timed(
            EventKind::SignInRefused,
            Some(Reason::Invalid),
            40_000,
        ));
        metrics.record(&timed(EventKind::SignInRefused, Some(Reason::Invalid), 500));
        metrics.record(&Event {
            reason: Some(Reason::Theft),
            count: 2,
            ..Event::new(EventKind::RememberedRevoked, "bob", 1_800_000_000)
        });
        let expected = "\
# HELP otpkit_events_total Audit events, by kind.
# TYPE otpkit_events_total counter
otpkit_events_total{event=\"enrollment_begun\"} 0
otpkit_events_total{event=\"enrollment_completed\"} 0
otpkit_events_total{event=\"enrollment_refused\"} 0
otpkit_events_total{event=\"sign_in_accepted\"} 1
otpkit_events_total{event=\"sign_in_refused\"} 2
otpkit_events_total{event=\"sign_in_replayed\"} 0
otpkit_events_total{event=\"lockout_started\"} 0
otpkit_events_total{event=\"lockout_cleared\"} 0
otpkit_events_total{event=\"resynced\"} 0
otpkit_events_total{event=\"resync_refused\"} 0
otpkit_events_total{event=\"recovery_code_used\"} 0
otpkit_events_total{event=\"recovery_code_refused\"} 0
otpkit_events_total{event=\"recovery_codes_regenerated\"} 0
otpkit_events_total{event=\"device_renamed\"} 0
otpkit_events_total{event=\"device_removed\"} 0
otpkit_events_total{event=\"secret_resealed\"} 0
otpkit_events_total{event=\"device_remembered\"} 0
otpkit_events_total{event=\"remembered_accepted\"} 0
otpkit_events_total{event=\"remembered_refused\"} 0
otpkit_events_total{event=\"remembered_revoked\"} 1
# HELP otpkit_refusals_total Refusals and revocations, by kind and reason.
# TYPE otpkit_refusals_total counter
otpkit_refusals_total{event=\"sign_in_refused\",reason=\"invalid\"} 2
otpkit_refusals_total{event=\"remembered_revoked\",reason=\"theft\"} 1
# HELP otpkit_verification_seconds Time spent on each verification, store round trips included.
# TYPE otpkit_verification_seconds histogram
otpkit_verification_seconds_bucket{le=\"0.0005\"} 1
otpkit_verification_seconds_bucket{le=\"0.001\"} 1
otpkit_verification_seconds_bucket{le=\"0.0025\"} 1
otpkit_verification_seconds_bucket{le=\"0.005\"} 2
otpkit_verification_seconds_bucket{le=\"0.01\"} 2
otpkit_verification_seconds_bucket{le=\"0.025\"} 2
otpkit_verification_seconds_bucket{le=\"0.05\"} 3
otpkit_verification_seconds_bucket{le=\"0.1\"} 3
otpkit_verification_seconds_bucket{le=\"0.25\"} 3
otpkit_verification_seconds_bucket{le=\"0.5\"} 3
otpkit_verification_seconds_bucket{le=\"1\"} 3
otpkit_verification_seconds_bucket{le=\"+Inf\"} 3
otpkit_verification_seconds_sum 0.0435
otpkit_verification_seconds_count 3
";
        assert_eq!(metrics.render(), expected);
    }

    #[test]
    fn buckets_are_cumulative_with_bounds_inclusive_and_slow_ones_only_in_inf() {
        let metrics = Metrics::new();
        // Exactly on a bound (1 ms), just above it, and beyond the last bound.
        metrics.record(&timed(EventKind::SignInAccepted, None, 1_000));
        metrics.record(&timed(EventKind::Resynced, None, 1_001));
        metrics.record(&timed(
            EventKind::RememberedRefused,
            Some(Reason::Expired),
            2_000_000,
        ));
        let text = metrics.render();
        assert!(text.contains("_bucket{le=\"0.0005\"} 0\n"));
        assert!(text.contains("_bucket{le=\"0.001\"} 1\n"));
        assert!(text.contains("_bucket{le=\"0.0025\"} 2\n"));
        assert!(text.contains("_bucket{le=\"1\"} 2\n"));
        assert!(text.contains("_bucket{le=\"+Inf\"} 3\n"));
        assert!(text.contains("otpkit_verification_seconds_count 3\n"));
        assert!(text.contains("otpkit_verification_seconds_sum 2.002001\n"));
    }

    #[test]
    fn only_verifications_feed_the_histogram() {
        let metrics = Metrics::new();
        // A non-verification with a time (no service sends one) is counted, not timed.
        metrics.record(&timed(EventKind::DeviceRemoved, None, 3_000));
        // A verification without a time is counted, not timed.
        metrics.record(&Event::new(EventKind::SignInAccepted, "alice", 1));
        let text = metrics.render();
        assert!(text.contains("otpkit_events_total{event=\"device_removed\"} 1\n"));
        assert!(text.contains("otpkit_events_total{event=\"sign_in_accepted\"} 1\n"));
        assert!(text.contains("otpkit_verification_seconds_count 0\n"));
        assert!(text.contains("otpkit_verification_seconds_sum 0\n"));
    }

    #[test]
    fn no_user_or_device_name_appears_in_the_output() {
        let metrics = Metrics::new();
        for kind in EventKind::ALL {
            for reason in REASONS {
                metrics.record(&Event {
                    device: Some("zed-secret-phone"),
                    reason: Some(reason),
                    elapsed: Some(Duration::from_millis(2)),
                    ..Event::new(kind, "zed@example.org", 1_800_000_000)
                });
            }
        }
        let text = metrics.render();
        assert!(!text.contains("zed"), "{text}");
        assert!(!text.contains("example.org"));
        assert!(!text.contains("phone"));
        // Bounded: one refusal series per (kind, reason) pair, whatever the traffic.
        assert_eq!(
            text.matches("otpkit_refusals_total{").count(),
            EventKind::ALL.len() * REASONS.len()
        );
    }

    #[test]
    fn counts_from_several_threads_add_up() {
        let metrics = Metrics::new();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1_000 {
                        metrics.record(&timed(EventKind::SignInAccepted, None, 700));
                    }
                });
            }
        });
        let text = metrics.render();
        assert!(text.contains("otpkit_events_total{event=\"sign_in_accepted\"} 4000\n"));
        assert!(text.contains("_bucket{le=\"0.001\"} 4000\n"));
        assert!(text.contains("otpkit_verification_seconds_sum 2.8\n"));
    }
}
