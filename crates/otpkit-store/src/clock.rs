//! The two clocks the service reads for its audit events: a monotonic one to time
//! a verification ([`Timer`]), and the wall clock for the calls that take no `now`
//! ([`wall_clock`]). The standard library has neither on `wasm32-unknown-unknown`
//! (it panics there), so in that build a verification is not timed
//! ([`Event::elapsed`](crate::audit::Event::elapsed) is `None`) and those events
//! are stamped 0.

use std::time::Duration;

/// Whether this build has the standard library's clocks.
const HAS_CLOCKS: bool = !cfg!(all(target_arch = "wasm32", target_os = "unknown"));

/// When a verification started.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timer(Option<std::time::Instant>);

impl Timer {
    /// Now, on the monotonic clock.
    pub(crate) fn start() -> Self {
        Timer(HAS_CLOCKS.then(std::time::Instant::now))
    }

    /// The time since [`Timer::start`]; `None` without a clock.
    pub(crate) fn elapsed(self) -> Option<Duration> {
        self.0.map(|started| started.elapsed())
    }
}

/// The system clock in Unix seconds; 0 before 1970 or without a clock.
pub(crate) fn wall_clock() -> u64 {
    if !HAS_CLOCKS {
        return 0;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timer_measures_and_the_wall_clock_is_after_2025() {
        let timer = Timer::start();
        std::thread::sleep(Duration::from_millis(2));
        assert!(
            timer
                .elapsed()
                .is_some_and(|d| d >= Duration::from_millis(2))
        );
        assert!(wall_clock() > 1_735_689_600);
    }
}
