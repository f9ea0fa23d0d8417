//! A device as `verify` and `resync` use it — a file read and saved under its lock,
//! or a row of a device store — and what a failure or a lock-out tells the user.

use std::path::{Path, PathBuf};

use otpkit::Verifier;
use otpkit::verifier::{DeviceState, NIST_MAX_FAILURES, Outcome, Policy, ResyncOutcome};
use otpkit_store::seal::Keyring;

use crate::device_file::{self, DeviceFile};
use crate::error::CliError;
use crate::safe_file::{self, FileLock, Overwrite};
use crate::target::{self, Service, Target};

/// The device a command works on.
pub(super) enum Device {
    /// A state file, locked for the whole command.
    File {
        path: PathBuf,
        _lock: FileLock,
        loaded: Box<Loaded>,
        keyring: Option<Keyring>,
    },
    /// A row of a device store (each request its own compare-and-swap loop).
    Store { service: Box<Service>, id: String },
}

impl Device {
    /// Opens the device `target` names: locks and reads the file, or connects to
    /// the store.
    pub(super) fn open(target: &Target) -> Result<Device, CliError> {
        match (&target.state, &target.store) {
            (Some(path), None) => {
                let keyring = target.key.keyring()?;
                let lock = safe_file::lock(path)?;
                let loaded = load(path, keyring.as_ref())?;
                Ok(Device::File {
                    path: path.clone(),
                    _lock: lock,
                    loaded: Box::new(loaded),
                    keyring,
                })
            }
            (None, Some(url)) => {
                let Some(id) = target.device.clone() else {
                    return Err(CliError::usage("--store needs --device ID or --user USER"));
                };
                let keyring = target.key.required("--store")?;
                let service = target::open_store(url, keyring)?;
                Ok(Device::Store {
                    service: Box::new(service),
                    id,
                })
            }
            _ => Err(CliError::usage("give --state FILE or --store URL")),
        }
    }

    /// The stored state now.
    pub(super) fn state(&self) -> Result<DeviceState, CliError> {
        match self {
            Device::File { loaded, .. } => Ok(loaded.state),
            Device::Store { service, id } => service.state(id).map_err(target::service_error),
        }
    }

    /// One sign-in code; the new state is stored whatever the outcome.
    pub(super) fn verify(
        &mut self,
        code: &str,
        now: u64,
    ) -> Result<(Outcome, DeviceState), CliError> {
        match self {
            Device::File {
                path,
                loaded,
                keyring,
                ..
            } => {
                let (outcome, new) = loaded.verifier.verify(&loaded.state, code, now);
                save(path, loaded, new, keyring.as_ref())?;
                Ok((outcome, new))
            }
            Device::Store { service, id } => {
                let answer = service
                    .verify(id, code, now)
                    .map_err(target::service_error)?;
                Ok((answer.outcome, answer.state))
            }
        }
    }

    /// Two consecutive codes re-learn the drift; stored whatever the outcome.
    pub(super) fn resync(
        &mut self,
        code1: &str,
        code2: &str,
        now: u64,
    ) -> Result<(ResyncOutcome, DeviceState), CliError> {
        match self {
            Device::File {
                path,
                loaded,
                keyring,
                ..
            } => {
                let (outcome, new) = loaded.verifier.resync(&loaded.state, code1, code2, now);
                save(path, loaded, new, keyring.as_ref())?;
                Ok((outcome, new))
            }
            Device::Store { service, id } => {
                let answer = service
                    .resync(id, code1, code2, now)
                    .map_err(target::service_error)?;
                Ok((answer.outcome, answer.state))
            }
        }
    }
}

/// A user of a device store (`--store URL --user USER`) and the device
/// `--device-name` names, if it does.
pub(super) struct UserDevices {
    pub(super) service: Box<Service>,
    pub(super) user: String,
    pub(super) name: Option<String>,
}

impl UserDevices {
    /// The user `target` names with `--user`; `None` without `--user`.
    pub(super) fn open(target: &Target) -> Result<Option<UserDevices>, CliError> {
        let Some(user) = target.user.clone() else {
            return Ok(None);
        };
        let Some(url) = &target.store else {
            return Err(CliError::usage("--user needs --store URL"));
        };
        let keyring = target.key.required("--store")?;
        let service = target::open_store(url, keyring)?;
        Ok(Some(UserDevices {
            service: Box::new(service),
            user,
            name: target.device_name.clone(),
        }))
    }

    /// The device `--device-name` names, which `command` needs.
    pub(super) fn required_name(&self, command: &str) -> Result<&str, CliError> {
        self.name.as_deref().ok_or_else(|| {
            CliError::usage(format_args!(
                "`otpkit {command} --user` needs --device-name NAME (`otpkit devices \
                 --user {}` lists the names)",
                self.user
            ))
        })
    }

    /// " (2 of 5 failed attempts before lock-out)" or "; … locked …", for the
    /// user as the store has it after an attempt.
    pub(super) fn failure_note(&self, now: u64) -> Result<String, CliError> {
        let status = self
            .service
            .user_status(&self.user)
            .map_err(target::service_error)?;
        Ok(note(
            status.failures,
            status.locked_until,
            Policy::default().max_failures(),
            now,
            &Subject::User(&self.user),
        ))
    }

    /// The lock-out message for a refusal with `until`: the user's when the user
    /// is locked until then, else the device's own.
    pub(super) fn locked_message(&self, until: u64, now: u64) -> Result<String, CliError> {
        let status = self
            .service
            .user_status(&self.user)
            .map_err(target::service_error)?;
        if status.locked_until == Some(until) {
            return Ok(subject_locked_message(
                &Subject::User(&self.user),
                until,
                now,
            ));
        }
        Ok(match &self.name {
            Some(name) => format!("device {name:?}: {}", locked_message(until, now)),
            None => locked_message(until, now),
        })
    }
}

/// Whose failures a note counts.
enum Subject<'a> {
    /// The one device of a file or a `--device ID`.
    Device,
    /// A `--user`, whatever the device.
    User(&'a str),
}

/// A device file read under its lock, with its decoded state and verifier.
pub(super) struct Loaded {
    pub(super) device: DeviceFile,
    pub(super) state: DeviceState,
    pub(super) verifier: Verifier,
}

pub(super) fn load(path: &Path, keyring: Option<&Keyring>) -> Result<Loaded, CliError> {
    let device = device_file::read(path, keyring)?;
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

/// Saves `new` (when it changed). A sealed file is re-sealed with the key file's
/// first key if an older key sealed it.
pub(super) fn save(
    path: &Path,
    loaded: &mut Loaded,
    new: DeviceState,
    keyring: Option<&Keyring>,
) -> Result<(), CliError> {
    if new == loaded.state {
        return Ok(());
    }
    loaded.device.state = new.to_string();
    if let (Some(keyring), Some(_)) = (keyring, &loaded.device.sealed) {
        loaded.device.seal(keyring)?;
    }
    safe_file::write_atomic(path, loaded.device.to_text().as_bytes(), Overwrite::Yes)?;
    loaded.state = new;
    Ok(())
}

/// The lock-out message, with its end as a local date-time and the time left.
pub(super) fn locked_message(until: u64, now: u64) -> String {
    subject_locked_message(&Subject::Device, until, now)
}

/// [`locked_message`] for the device or for a user.
fn subject_locked_message(subject: &Subject<'_>, until: u64, now: u64) -> String {
    if let Subject::User(user) = subject {
        return if until == u64::MAX {
            format!(
                "too many failed attempts: user {user:?} is locked until an administrator \
                 clears the lock-out"
            )
        } else {
            format!(
                "too many failed attempts: user {user:?} is locked for now; try again after {}",
                crate::when::until(until, now)
            )
        };
    }
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

/// " (3 of 5 failed attempts before lock-out)" or "; locked until ...", for the
/// state stored after a request.
pub(super) fn failure_note(state: &DeviceState, now: u64) -> String {
    failure_note_for(state, Policy::default().max_failures(), now)
}

/// The failures since the last lock-out (the count itself goes on across ended
/// lock-outs, towards the permanent lock).
pub(super) fn failure_note_for(state: &DeviceState, max: u32, now: u64) -> String {
    note(
        state.failures(),
        state.locked_until(),
        max,
        now,
        &Subject::Device,
    )
}

/// The note for `failures` (and a lock-out until `locked_until`) of `subject`.
fn note(
    failures: u32,
    locked_until: Option<u64>,
    max: u32,
    now: u64,
    subject: &Subject<'_>,
) -> String {
    if let Some(until) = locked_until.filter(|&until| until > now) {
        return format!("; {}", subject_locked_message(subject, until, now));
    }
    let this_round = failures.checked_rem(max).unwrap_or(0);
    let for_good = NIST_MAX_FAILURES.saturating_sub(failures);
    if for_good < max {
        match subject {
            Subject::Device => {
                format!(" ({for_good} more failed attempts lock the device until it is reset)")
            }
            Subject::User(user) => format!(
                " ({for_good} more failed attempts lock user {user:?} until an administrator \
                 clears the lock-out)"
            ),
        }
    } else {
        format!(" ({this_round} of {max} failed attempts before lock-out)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use otpkit::verifier::DeviceKind;

    const NOW: u64 = 1_700_000_000; // 2023-11-14 22:13:20 UTC

    /// The note counts the failures since the last lock-out, not all of them: after
    /// an ended lock-out 22 failures read "2 of 5", never "22 of 5".
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

    /// A user's note counts the same way and names the user, who is cleared by an
    /// administrator rather than re-enrolled.
    #[test]
    fn a_users_note_names_the_user() {
        let user = Subject::User("alice");
        assert_eq!(
            note(7, None, 5, NOW, &user),
            " (2 of 5 failed attempts before lock-out)"
        );
        assert_eq!(
            note(97, None, 5, NOW, &user),
            " (3 more failed attempts lock user \"alice\" until an administrator clears the \
             lock-out)"
        );
        assert_eq!(
            note(100, Some(u64::MAX), 5, NOW, &user),
            "; too many failed attempts: user \"alice\" is locked until an administrator \
             clears the lock-out"
        );
        assert!(note(5, Some(NOW + 60), 5, NOW, &user).starts_with(
            "; too many failed attempts: user \"alice\" is locked for now; try again after "
        ),);
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
