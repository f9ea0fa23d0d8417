//! A device file as `verify` and `resync` use it: read and saved under its lock, and
//! what a failure or a lock-out tells the user.

use std::path::Path;

use otpkit::Verifier;
use otpkit::verifier::{DeviceState, NIST_MAX_FAILURES, Policy};

use crate::error::CliError;
use crate::state::{self, DeviceFile, Overwrite};

/// A device file read under its lock, with its decoded state and verifier.
pub(super) struct Loaded {
    pub(super) device: DeviceFile,
    pub(super) state: DeviceState,
    pub(super) verifier: Verifier,
}

pub(super) fn load(path: &Path) -> Result<Loaded, CliError> {
    let device = state::read(path)?;
    let state: DeviceState = device.state.parse().map_err(|e| {
        CliError::state(format_args!(
            "the state file's verifier state is damaged: {e}"
        ))
    })?;
    let verifier = Verifier::totp(device.totp(), Policy::default());
    Ok(Loaded {
        device,
        state,
        verifier,
    })
}

pub(super) fn save(path: &Path, loaded: &mut Loaded, new: DeviceState) -> Result<(), CliError> {
    if new == loaded.state {
        return Ok(());
    }
    loaded.device.state = new.to_string();
    state::write_atomic(path, loaded.device.to_text().as_bytes(), Overwrite::Yes)?;
    loaded.state = new;
    Ok(())
}

/// The lock-out message, with its end as a local date-time and the time left.
pub(super) fn locked_message(until: u64, now: u64) -> String {
    if until == u64::MAX {
        "too many failed attempts: the device is locked until an administrator \
         re-enrols it"
            .to_owned()
    } else {
        format!(
            "too many failed attempts: locked for now; try again after {}",
            crate::when::until(until, now)
        )
    }
}

/// " (3 of 5 failed attempts before lock-out)" or "; locked until ...".
pub(super) fn failure_note(loaded: &Loaded, now: u64) -> String {
    failure_note_for(&loaded.state, loaded.verifier.policy().max_failures(), now)
}

/// The failures since the last lock-out (the count itself goes on across ended
/// lock-outs, towards the permanent lock).
pub(super) fn failure_note_for(state: &DeviceState, max: u32, now: u64) -> String {
    if let Some(until) = state.locked_until().filter(|&until| until > now) {
        return format!("; {}", locked_message(until, now));
    }
    let this_round = state.failures().checked_rem(max).unwrap_or(0);
    let for_good = NIST_MAX_FAILURES.saturating_sub(state.failures());
    if for_good < max {
        format!(" ({for_good} more failed attempts lock the device until it is reset)")
    } else {
        format!(" ({this_round} of {max} failed attempts before lock-out)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::verifier::DeviceKind;

    const NOW: u64 = 1_700_000_000; // 2023-11-14 22:13:20 UTC

    /// Defect 8 of issue 12: after an ended lock-out the message said "(22 of 5
    /// failed attempts before lock-out)".
    #[test]
    fn failure_count_restarts_after_each_lock_out() {
        let note = |failures, locked_until| {
            let s = DeviceState::from_parts(DeviceKind::Totp, 5, 0, failures, locked_until);
            failure_note_for(&s, 5, NOW)
        };
        assert_eq!(note(1, 0), " (1 of 5 failed attempts before lock-out)");
        assert_eq!(note(4, 0), " (4 of 5 failed attempts before lock-out)");
        // The fifth failure locked; it ended (locked_until in the past), then two more.
        assert_eq!(note(22, 0), " (2 of 5 failed attempts before lock-out)");
        assert_eq!(
            note(22, NOW - 1),
            " (2 of 5 failed attempts before lock-out)"
        );
        // Near the permanent NIST lock the note says so.
        assert_eq!(
            note(97, 0),
            " (3 more failed attempts lock the device until it is reset)"
        );
    }

    #[test]
    fn lock_out_end_is_a_local_time_with_the_time_left() {
        // The local date-time itself is tested in `when`; here: the note carries it.
        let s = DeviceState::from_parts(DeviceKind::Totp, 5, 0, 5, NOW + 125);
        let note = failure_note_for(&s, 5, NOW);
        assert!(
            note.starts_with("; too many failed attempts: locked for now; try again after "),
            "{note}"
        );
        assert!(
            note.ends_with(", in 2 min 5 s (Unix time 1700000125)"),
            "{note}"
        );
        assert_eq!(
            locked_message(u64::MAX, NOW),
            "too many failed attempts: the device is locked until an administrator re-enrols it"
        );
    }
}
