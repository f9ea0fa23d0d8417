//! The JSON form of an account, shared by `inspect --json` and `import --json`.
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

use otpkit::otpauth::{Account, Kind};
use otpkit::steam::{STEAM_CODE_LEN, STEAM_PERIOD};
use serde_json::{Value, json};

/// The `type` value of an account.
pub fn type_name(account: &Account) -> &'static str {
    match account.kind {
        Kind::Hotp { .. } => "hotp",
        Kind::Steam => "steam",
        // `Kind` is non-exhaustive; a future time-based kind would still have a period.
        _ => "totp",
    }
}

/// The period in seconds, if the account is time-based.
pub fn period(account: &Account) -> Option<u64> {
    match account.kind {
        Kind::Totp { period } => Some(period.seconds()),
        Kind::Steam => Some(STEAM_PERIOD),
        _ => None,
    }
}

/// The HOTP counter, if the account is counter-based.
pub fn counter(account: &Account) -> Option<u64> {
    match account.kind {
        Kind::Hotp { counter } => Some(counter),
        _ => None,
    }
}

/// The number of characters a code has.
pub fn digits(account: &Account) -> u64 {
    match account.kind {
        Kind::Steam => STEAM_CODE_LEN as u64,
        _ => u64::from(account.digits.get()),
    }
}

/// The account as a JSON object (see the module docs for the keys).
pub fn account(account: &Account, warnings: &[String]) -> Value {
    json!({
        "type": type_name(account),
        "issuer": account.issuer.as_deref().filter(|i| !i.is_empty()),
        "account": account.name,
        "secret": account.secret.base32().to_string(),
        "algorithm": account.algorithm.name(),
        "digits": digits(account),
        "period": period(account),
        "counter": counter(account),
        "warnings": warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    const KEYS: [&str; 9] = [
        "account",
        "algorithm",
        "counter",
        "digits",
        "issuer",
        "period",
        "secret",
        "type",
        "warnings",
    ];

    #[test]
    fn totp_hotp_steam() {
        let totp: Account = "otpauth://totp/Ex:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Ex&algorithm=SHA512&digits=8&period=60"
            .parse()
            .unwrap();
        let v = account(&totp, &["w".into()]);
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
        let v = account(&hotp, &[]);
        assert_eq!(keys(&v), KEYS);
        assert_eq!(v["type"], "hotp");
        assert_eq!(v["issuer"], Value::Null);
        assert_eq!(v["period"], Value::Null);
        assert_eq!(v["counter"], 7);

        let steam: Account =
            "otpauth://totp/Steam:gabe?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam"
                .parse()
                .unwrap();
        let v = account(&steam, &[]);
        assert_eq!(v["type"], "steam");
        assert_eq!(v["digits"], 5);
        assert_eq!(v["period"], 30);
        assert_eq!(v["counter"], Value::Null);
    }
}
