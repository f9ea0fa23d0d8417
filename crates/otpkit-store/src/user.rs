//! A user of several devices, kept as one row of the device table: the devices'
//! names, the user-level failure count and lock-out, the recovery codes' state and
//! the remember-this-device series.
//!
//! Keeping the user in the same table, behind the same compare-and-swap, is what
//! makes every store hold users without an adapter change: the row id
//! `USER\u{1f}` cannot collide with a caller's device id (ids never contain control
//! characters), and each named device is a row `USER\u{1f}KEY` whose key is never
//! used twice for one user (a device removed and added again under its name is a
//! new row, with none of the old row's replay state or sealed secret).

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use otpkit::verifier::Lockout;

use crate::remember::Series;

/// The most devices a user may have (enrolled or pending), as the AWS console allows.
pub const MAX_DEVICES_PER_USER: usize = 8;

/// The longest device name, in characters.
pub const MAX_DEVICE_NAME_LEN: usize = 64;

/// The longest user record text a store may hand back; a longer one is damaged.
const MAX_RECORD_LEN: usize = 16 * 1024;

/// The first line of every user record.
const MAGIC: &str = "otpu1";

/// What the `params` column of a user row holds (device rows hold `totp.…`/`hotp.…`).
pub(crate) const USER_PARAMS: &str = "user.1";

/// What the `secret` column of a user row holds: a user has no secret.
pub(crate) const NO_SECRET: &str = "-";

/// The row id of `user`'s record.
pub(crate) fn user_row_id(user: &str) -> String {
    format!("{user}\u{1f}")
}

/// The row id of `user`'s device `key`.
pub(crate) fn device_row_id(user: &str, key: u32) -> String {
    format!("{user}\u{1f}{key}")
}

/// A device name: 1 to [`MAX_DEVICE_NAME_LEN`] characters, no control character,
/// not only spaces.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().count() <= MAX_DEVICE_NAME_LEN
        && !name.chars().any(char::is_control)
}

/// One of the user's devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DeviceEntry {
    /// The row key (see [`device_row_id`]).
    pub(crate) key: u32,
    /// The name the user gave it.
    pub(crate) name: String,
    /// When it was added (Unix seconds).
    pub(crate) added: u64,
}

/// The user row's state column, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserRecord {
    /// The key the next device gets.
    pub(crate) next_key: u32,
    /// Consecutive failed attempts of the user, on any device, and the lock-out.
    pub(crate) lock: Lockout,
    /// The devices, in the order added.
    pub(crate) devices: Vec<DeviceEntry>,
    /// The recovery codes' state (`otpr1.…`), if a set was made.
    pub(crate) recovery: Option<String>,
    /// Remember-this-device series.
    pub(crate) remembered: Vec<Series>,
}

impl Default for UserRecord {
    fn default() -> Self {
        UserRecord {
            next_key: 1,
            lock: Lockout::NONE,
            devices: Vec::new(),
            recovery: None,
            remembered: Vec::new(),
        }
    }
}

impl UserRecord {
    /// The device named `name`.
    pub(crate) fn device(&self, name: &str) -> Option<&DeviceEntry> {
        self.devices.iter().find(|d| d.name == name)
    }

    /// The text stored: a line per field, names in Base64url.
    pub(crate) fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(out, "{MAGIC}");
        let _ = writeln!(out, "next {}", self.next_key);
        let until = self.lock.until().unwrap_or(0);
        let _ = writeln!(out, "lock {} {until}", self.lock.failures());
        for d in &self.devices {
            let name = URL_SAFE_NO_PAD.encode(d.name.as_bytes());
            let _ = writeln!(out, "device {} {name} {}", d.key, d.added);
        }
        if let Some(recovery) = &self.recovery {
            let _ = writeln!(out, "recovery {recovery}");
        }
        for s in &self.remembered {
            let _ = writeln!(out, "remember {}", s.encode());
        }
        out
    }

    /// Reads the text back; `None` if it is damaged (or not a user record).
    pub(crate) fn decode(text: &str) -> Option<Self> {
        if text.len() > MAX_RECORD_LEN {
            return None;
        }
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let mut record = UserRecord::default();
        for line in lines {
            let (field, rest) = line.split_once(' ')?;
            let mut words = rest.split(' ');
            match field {
                "next" => record.next_key = words.next()?.parse().ok()?,
                "lock" => {
                    let failures = words.next()?.parse().ok()?;
                    let until = words.next()?.parse().ok()?;
                    record.lock = Lockout::from_parts(failures, until);
                }
                "device" => {
                    let key = words.next()?.parse().ok()?;
                    let name = URL_SAFE_NO_PAD.decode(words.next()?).ok()?;
                    let name = String::from_utf8(name).ok().filter(|n| valid_name(n))?;
                    let added = words.next()?.parse().ok()?;
                    if key >= record.next_key
                        || record.devices.len() >= MAX_DEVICES_PER_USER
                        || record.device(&name).is_some()
                        || record.devices.iter().any(|d| d.key == key)
                    {
                        return None;
                    }
                    record.devices.push(DeviceEntry { key, name, added });
                }
                "recovery" => record.recovery = Some(words.next()?.to_owned()),
                "remember" => {
                    if record.remembered.len() >= crate::remember::MAX_REMEMBERED_PER_USER {
                        return None;
                    }
                    record.remembered.push(Series::decode(rest)?);
                }
                _ => return None,
            }
            if field != "remember" && words.next().is_some() {
                return None;
            }
        }
        Some(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> UserRecord {
        UserRecord {
            next_key: 4,
            lock: Lockout::from_parts(3, 1_800_000_060),
            devices: vec![
                DeviceEntry {
                    key: 1,
                    name: "Alice's phone".into(),
                    added: 1_800_000_000,
                },
                DeviceEntry {
                    key: 3,
                    name: "YubiKey 5 (NFC) — desk".into(),
                    added: 1_800_000_100,
                },
            ],
            recovery: Some("otpr1.abc".into()),
            remembered: vec![Series::new_for_test(1, 1_800_086_400)],
        }
    }

    #[test]
    fn a_record_reads_back_as_it_was_written() {
        let r = sample();
        assert_eq!(UserRecord::decode(&r.encode()), Some(r));
        let empty = UserRecord::default();
        assert_eq!(UserRecord::decode(&empty.encode()), Some(empty));
    }

    #[test]
    fn damaged_records_are_refused() {
        let good = sample().encode();
        let cases = [
            good.replace("otpu1", "otpu2"),
            good.replace("next 4", "next 2"),
            good.replace("device 3", "device 1"),
            good.replace("lock 3", "lock x"),
            format!("{good}extra line\n"),
            good.replace("next 4", "next 4 5"),
            format!("{good}{}", "device 9 YQ 1\n".repeat(MAX_DEVICES_PER_USER)),
            "x".repeat(MAX_RECORD_LEN + 1),
        ];
        for case in cases {
            assert_eq!(UserRecord::decode(&case), None, "{case}");
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("phone"));
        assert!(valid_name(&"é".repeat(MAX_DEVICE_NAME_LEN)));
        assert!(!valid_name(&"é".repeat(MAX_DEVICE_NAME_LEN + 1)));
        assert!(!valid_name(""));
        assert!(!valid_name("   "));
        assert!(!valid_name("a\nb"));
    }

    #[test]
    fn user_and_device_rows_cannot_be_a_callers_device_id() {
        assert!(user_row_id("alice").chars().any(char::is_control));
        assert!(device_row_id("alice", 3).chars().any(char::is_control));
        assert_ne!(device_row_id("alice", 1), device_row_id("alice", 11));
    }
}
