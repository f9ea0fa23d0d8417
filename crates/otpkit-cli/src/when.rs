//! Times for people: local date-time and what is left, with the raw Unix time for
//! scripts.

use chrono::{DateTime, Local};

/// `until` as people read it: `2027-01-15 09:41:00 +01:00, in 1 min 30 s (Unix time
/// 1800000090)`. The local time zone is the system's (`TZ`, `/etc/localtime`).
pub fn until(until: u64, now: u64) -> String {
    let left = duration(until.saturating_sub(now));
    match local(until) {
        Some(local) => format!("{local}, in {left} (Unix time {until})"),
        None => format!("Unix time {until}, in {left}"),
    }
}

/// `unix` as a local date-time with its UTC offset, if it is representable.
pub fn local(unix: u64) -> Option<String> {
    let secs = i64::try_from(unix).ok()?;
    let utc = DateTime::from_timestamp(secs, 0)?;
    Some(
        utc.with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
    )
}

/// `3 h 5 min`, `4 min 10 s`, `35 s`.
pub fn duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(35), "35 s");
        assert_eq!(duration(250), "4 min 10 s");
        assert_eq!(duration(3600 + 300 + 7), "1 h 5 min");
    }

    #[test]
    fn local_times_carry_the_offset_and_the_raw_time() {
        let text = until(1_800_000_090, 1_800_000_000);
        assert!(
            text.contains(", in 1 min 30 s (Unix time 1800000090)"),
            "{text}"
        );
        // YYYY-MM-DD HH:MM:SS +HH:MM
        let local = local(1_800_000_090).unwrap();
        assert_eq!(local.len(), 26, "{local}");
        assert!(local.starts_with("2027-01-1"), "{local}");
        assert!(until(u64::MAX - 1, 0).contains("Unix time"));
    }
}
