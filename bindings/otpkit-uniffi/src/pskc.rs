//! Hardware tokens from PSKC key containers (RFC 6030, [`otpkit_pskc`]): one report
//! per key, so one bad key never loses the rest.

use std::sync::Arc;

use otpkit_pskc as core;
use zeroize::Zeroizing;

use crate::{Account, Algorithm, DeviceState, ErrorReason, Hotp, OtpkitError, Totp};

/// One imported hardware token: its account, generator and starting verifier state,
/// and what identifies the device in hand.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PskcToken {
    /// The account (name: the serial number, or the key id).
    pub account: Account,
    /// `<Manufacturer>`.
    pub manufacturer: Option<String>,
    /// `<SerialNo>`.
    pub serial_number: Option<String>,
    /// `<Model>`.
    pub model: Option<String>,
    /// The key's `Id`.
    pub key_id: Option<String>,
    /// `<FriendlyName>`.
    pub friendly_name: Option<String>,
    /// `<UserId>`.
    pub user_id: Option<String>,
    /// TOTP: T0, the Unix time steps count from (0 for HOTP).
    pub t0: u64,
    /// TOTP: the device's clock drift in steps (0 for HOTP).
    pub drift: i64,
    /// The TOTP generator (with T0), for a TOTP token.
    pub totp: Option<Arc<Totp>>,
    /// The HOTP generator, for an HOTP token (its next counter is in `account`).
    pub hotp: Option<Arc<Hotp>>,
    /// The verifier state to start from: HOTP at the file's counter; TOTP with its
    /// drift.
    pub device_state: Arc<DeviceState>,
}

/// One `<Key>`'s outcome: a token, or the reason it could not be imported.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PskcKeyReport {
    /// The key's `Id`.
    pub key_id: Option<String>,
    /// The device's serial number.
    pub serial_number: Option<String>,
    /// The token, when the key imported.
    pub token: Option<PskcToken>,
    /// Why the key did not import (no key material in it), when it did not.
    pub error: Option<String>,
}

fn token(t: &core::Token) -> Result<PskcToken, String> {
    let algorithm = Algorithm::from_core(t.algorithm).ok_or_else(|| {
        format!(
            "algorithm {} is not supported by these bindings",
            t.algorithm
        )
    })?;
    let (t0, drift) = match t.kind {
        core::Kind::Totp { t0, drift, .. } => (t0, drift),
        core::Kind::Hotp { .. } => (0, 0),
    };
    Ok(PskcToken {
        account: Account::from_core(&t.to_account())?,
        manufacturer: t.device.manufacturer.clone(),
        serial_number: t.device.serial_number.clone(),
        model: t.device.model.clone(),
        key_id: t.key_id.clone(),
        friendly_name: t.friendly_name.clone(),
        user_id: t.user_id.clone(),
        t0,
        drift,
        totp: t.totp().map(|g| Arc::new(Totp::from_core(g, algorithm))),
        hotp: t
            .hotp()
            .map(|(g, _)| Arc::new(Hotp::from_core(g, algorithm))),
        device_state: Arc::new(DeviceState(t.device_state())),
    })
}

/// Imports the tokens of a PSKC container. Give `pre_shared_key` (raw bytes, 16 for
/// AES-128) for a container encrypted with one (RFC 6030 §6.1), `password` for one
/// encrypted with a password (§6.2), neither for keys in the clear.
#[uniffi::export(default(pre_shared_key = None, password = None))]
pub fn import_pskc(
    xml: String,
    pre_shared_key: Option<Vec<u8>>,
    password: Option<String>,
) -> Result<Vec<PskcKeyReport>, OtpkitError> {
    let xml = Zeroizing::new(xml);
    let key = pre_shared_key.map(Zeroizing::new);
    let password = password.map(Zeroizing::new);
    let decryption = match (&key, &password) {
        (Some(_), Some(_)) => {
            return Err(OtpkitError::new(
                ErrorReason::KeyAndPassword,
                "give a pre-shared key or a password, not both",
            ));
        }
        (Some(k), None) => core::Decryption::PreSharedKey(k),
        (None, Some(p)) => core::Decryption::Password(p.as_bytes()),
        (None, None) => core::Decryption::None,
    };
    let imported = core::import(xml.as_bytes(), decryption)?;
    Ok(imported
        .keys
        .iter()
        .map(|k| {
            let result = k
                .result
                .as_ref()
                .map_err(ToString::to_string)
                .and_then(token);
            PskcKeyReport {
                key_id: k.key_id.clone(),
                serial_number: k.serial_number.clone(),
                error: result.as_ref().err().cloned(),
                token: result.ok(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIGURE_6: &str =
        include_str!("../../../crates/otpkit-pskc/tests/data/rfc6030-figure-6.xml");
    const FIGURE_7: &str =
        include_str!("../../../crates/otpkit-pskc/tests/data/rfc6030-figure-7.xml");
    const PSK: [u8; 16] = [
        0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90,
        0x12,
    ];

    #[test]
    fn rfc_6030_figures_with_key_and_password() {
        for reports in [
            import_pskc(FIGURE_6.into(), Some(PSK.to_vec()), None).unwrap(),
            import_pskc(FIGURE_7.into(), None, Some("qwerty".into())).unwrap(),
        ] {
            assert_eq!(reports.len(), 1);
            let token = reports[0].token.as_ref().unwrap();
            assert_eq!(token.account.secret.0.as_bytes(), b"12345678901234567890");
            assert_eq!(token.serial_number.as_deref(), Some("987654321"));
            let hotp = token.hotp.as_ref().unwrap();
            assert_eq!(hotp.code(0), "84755224"); // RFC 4226 Appendix D, 8 digits
            assert_eq!(token.device_state.0.next_counter(), Some(0));
            assert!(token.totp.is_none() && reports[0].error.is_none());
        }
    }

    #[test]
    fn container_errors_are_flat_and_say_why() {
        let wrong = import_pskc(FIGURE_6.into(), Some(vec![0; 16]), None).unwrap_err();
        assert!(
            wrong.reason() == crate::ErrorReason::WrongKeyOrPassword,
            "{wrong}"
        );
        let none = import_pskc(FIGURE_7.into(), None, None).unwrap_err();
        assert!(
            none.reason() == crate::ErrorReason::PasswordRequired,
            "{none}"
        );
        let both = import_pskc(FIGURE_6.into(), Some(PSK.to_vec()), Some("x".into())).unwrap_err();
        assert!(
            both.reason() == crate::ErrorReason::KeyAndPassword,
            "{both}"
        );
        let dtd = import_pskc("<!DOCTYPE x><KeyContainer/>".into(), None, None).unwrap_err();
        assert!(dtd.reason() == crate::ErrorReason::FileMalformed, "{dtd}");
    }
}
