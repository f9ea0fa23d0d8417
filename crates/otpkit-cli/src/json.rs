//! The JSON form of an account, shared by `inspect --json` and `import --json`, and
//! of a user's device (`devices --json`).
//!
//! Exactly these keys, always all present:
//!
//! | key | value |
//! |-----|-------|
//! | `type` | `"totp"`, `"hotp"` or `"steam"` |
//! | `issuer` | string, or `null` when the URI names none |
//! | `account` | string |
//! | `secret` | canonical Base32 (upper case, no padding, no spaces) |
//! | `algorithm` | `"SHA1"`, `"SHA256"` or `"SHA512"` |
//! | `digits` | number (5 for Steam, whose codes are five characters) |
//! | `period` | seconds; `null` for hotp |
//! | `counter` | number; `null` for totp and steam |
//! | `warnings` | array of sentences, empty for a canonical URI |
//!
//! A user's device in `devices --json` (one object per device, in the order added),
//! exactly these keys, always all present:
//!
//! | key | value |
//! |-----|-------|
//! | `name` | string |
//! | `type` | `"totp"` or `"hotp"`; `null` when the device's row is missing |
//! | `algorithm` | `"SHA1"`, `"SHA256"` or `"SHA512"`; `null` as `type` |
//! | `digits` | number; `null` as `type` |
//! | `period` | seconds; `null` for hotp (and as `type`) |
//! | `enrolled` | `true` once two codes confirmed it, `false` while pending |
//! | `failures` | the device's own consecutive failures (number) |
//! | `added_at` | Unix seconds |

use otpkit::motp::{MOTP_CODE_LEN, MOTP_PERIOD};
use otpkit::otpauth::{Account, Kind};
use otpkit::steam::{STEAM_CODE_LEN, STEAM_PERIOD};
use otpkit::yandex::{YANDEX_CODE_LEN, YANDEX_PERIOD};
use otpkit_store::{DeviceInfo, DeviceParams};
use serde_json::{Value, json};
use zeroize::{Zeroize, Zeroizing};

use crate::error::CliError;

/// The `type` value of an account.
pub fn type_name(account: &Account) -> &'static str {
    match account.kind {
        Kind::Totp { .. } => "totp",
        Kind::Hotp { .. } => "hotp",
        Kind::Steam => "steam",
        Kind::Motp => "motp",
        Kind::Yandex => "yandex",
    }
}

/// The period in seconds, if the account is time-based. (The core's `Generator`
/// answers the counter and the seconds left, not the period or the code length:
/// those two come from the account's kind and the core's Steam constants.)
pub fn period(account: &Account) -> Option<u64> {
    match account.kind {
        Kind::Totp { period } => Some(period.seconds()),
        Kind::Steam => Some(STEAM_PERIOD),
        Kind::Motp => Some(MOTP_PERIOD),
        Kind::Yandex => Some(YANDEX_PERIOD),
        Kind::Hotp { .. } => None,
    }
}

/// The HOTP counter of the next code; `None` for time-based kinds.
pub fn counter(account: &Account) -> Option<u64> {
    match account.kind {
        Kind::Hotp { counter } => Some(counter),
        Kind::Totp { .. } | Kind::Steam | Kind::Motp | Kind::Yandex => None,
    }
}

/// The number of characters a code has.
pub fn digits(account: &Account) -> u64 {
    match account.kind {
        Kind::Steam => STEAM_CODE_LEN as u64,
        Kind::Motp => MOTP_CODE_LEN as u64,
        Kind::Yandex => YANDEX_CODE_LEN as u64,
        Kind::Totp { .. } | Kind::Hotp { .. } => u64::from(account.digits.get()),
    }
}

/// The account as a JSON object (see the module docs for the keys).
pub fn account(account: &Account, warnings: &[String]) -> Result<Value, CliError> {
    let mut value = json!({
        "type": type_name(account),
        "issuer": account.issuer.as_deref().filter(|i| !i.is_empty()),
        "account": account.name,
        // Filled in below: `json!` would serialise a copy of the text and drop the
        // original unwiped.
        "secret": Value::Null,
        "algorithm": account.algorithm.name(),
        "digits": digits(account),
        "period": period(account),
        "counter": counter(account),
        "warnings": warnings,
    });
    if let Some(slot) = value.get_mut("secret") {
        // Moved, not copied: the text was allocated once at its final size.
        *slot = Value::String(std::mem::take(&mut *crate::secrets::base32_text(
            &account.secret,
            false,
        )));
    }
    Ok(value)
}

/// A user's device as a JSON object (see the module docs for the keys). No secret:
/// the store's sealed secret is not opened to list devices.
pub fn device(device: &DeviceInfo) -> Value {
    let (kind, algorithm, digits, period) = match device.params {
        Some(DeviceParams::Totp {
            algorithm,
            digits,
            period,
        }) => (
            Some("totp"),
            Some(algorithm.name()),
            Some(digits.get()),
            Some(period.seconds()),
        ),
        Some(DeviceParams::Hotp { algorithm, digits }) => (
            Some("hotp"),
            Some(algorithm.name()),
            Some(digits.get()),
            None,
        ),
        None => (None, None, None, None),
    };
    json!({
        "name": device.name,
        "type": kind,
        "algorithm": algorithm,
        "digits": digits,
        "period": period,
        "enrolled": device.enrolled,
        "failures": device.failures,
        "added_at": device.added_at,
    })
}

/// `value` as compact JSON text in a wiped buffer allocated once at its final size,
/// then every string in `value` (the secrets among them) wiped before it is freed:
/// neither the text nor the value leaves a copy of a secret in freed memory.
pub fn to_text(mut value: Value) -> Zeroizing<String> {
    let mut counter = Counter(0);
    // Writing to a counter cannot fail; serialising a `Value` cannot either.
    let _ = serde_json::to_writer(&mut counter, &value);
    let mut bytes = Zeroizing::new(Vec::with_capacity(counter.0));
    let _ = serde_json::to_writer(&mut *bytes, &value);
    wipe(&mut value);
    // serde_json writes UTF-8; the conversion reuses the buffer.
    let text = String::from_utf8(std::mem::take(&mut *bytes)).unwrap_or_default();
    Zeroizing::new(text)
}

/// Zeroes every string (keys are not secret and stay) in `value`.
fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}

struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The documented list of account fields, shared with the end-to-end tests.
#[cfg(test)]
#[path = "../tests/support/json_fields.rs"]
mod json_fields;

#[cfg(test)]
mod tests {
    use super::json_fields::{ACCOUNT_KEYS as KEYS, DEVICE_KEYS};
    use super::*;

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    #[test]
    fn totp_hotp_steam() {
        let totp: Account = "otpauth://totp/Ex:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Ex&algorithm=SHA512&digits=8&period=60"
            .parse()
            .unwrap();
        let v = account(&totp, &["w".into()]).unwrap();
        assert_eq!(keys(&v), KEYS);
        assert_eq!(v["type"], "totp");
        assert_eq!(v["issuer"], "Ex");
        assert_eq!(v["account"], "alice");
        assert_eq!(v["secret"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(v["algorithm"], "SHA512");
        assert_eq!(v["digits"], 8);
        assert_eq!(v["period"], 60);
        assert_eq!(v["counter"], Value::Null);
        assert_eq!(v["warnings"], json!(["w"]));

        let hotp: Account = "otpauth://hotp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=7"
            .parse()
            .unwrap();
        let v = account(&hotp, &[]).unwrap();
        assert_eq!(keys(&v), KEYS);
        assert_eq!(v["type"], "hotp");
        assert_eq!(v["issuer"], Value::Null);
        assert_eq!(v["period"], Value::Null);
        assert_eq!(v["counter"], 7);

        let steam: Account =
            "otpauth://totp/Steam:gabe?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam"
                .parse()
                .unwrap();
        let v = account(&steam, &[]).unwrap();
        assert_eq!(v["type"], "steam");
        assert_eq!(v["digits"], 5);
        assert_eq!(v["period"], 30);
        assert_eq!(v["counter"], Value::Null);
    }

    #[test]
    fn a_device_has_every_documented_key_and_nulls_for_a_missing_row() {
        let totp = DeviceInfo {
            name: "phone".into(),
            added_at: 1_800_000_000,
            params: Some(DeviceParams::default()),
            enrolled: true,
            failures: 2,
        };
        let v = device(&totp);
        assert_eq!(keys(&v), DEVICE_KEYS);
        assert_eq!(
            v,
            json!({"name": "phone", "type": "totp", "algorithm": "SHA1", "digits": 6,
                   "period": 30, "enrolled": true, "failures": 2, "added_at": 1_800_000_000u64})
        );
        let hotp = DeviceInfo {
            params: Some(DeviceParams::Hotp {
                algorithm: otpkit::Algorithm::Sha256,
                digits: otpkit::Digits::EIGHT,
            }),
            ..totp.clone()
        };
        let v = device(&hotp);
        assert_eq!(
            (&v["type"], &v["digits"], &v["period"]),
            (&json!("hotp"), &json!(8), &Value::Null)
        );
        let missing = DeviceInfo {
            params: None,
            enrolled: false,
            ..totp
        };
        let v = device(&missing);
        assert_eq!(keys(&v), DEVICE_KEYS);
        for key in ["type", "algorithm", "digits", "period"] {
            assert_eq!(v[key], Value::Null, "{key}");
        }
        assert_eq!(v["enrolled"], false);
    }
}
