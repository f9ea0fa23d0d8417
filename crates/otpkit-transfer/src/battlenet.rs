//! The Battle.net Authenticator's internal `shared_prefs` XML (the Battle.net mobile
//! app, `com.blizzard.messenger`, keeps its authenticator in the preferences
//! `com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET` and `…AUTHENTICATOR_SERIAL`;
//! read from the sample file of Aegis's importer tests in the interop corpus and the
//! account it records for it).
//!
//! Both values are hex, XOR-ed with a fixed 40-byte mask of the app
//! (`AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE` = `MASK`, the only kind read; any
//! other is [`ImportError::UnsupportedEncryption`]). Unmasked, the secret is the hex
//! text of the 20-byte secret and the serial is text such as `US-1234-5678-9012`.
//! The account is TOTP, HMAC-SHA-1, 8 digits, 30 s (Battle.net's codes), issuer
//! `Battle.net`, named by the serial. Bounds: both values are at most the mask's
//! length; the XML is bounded as [`crate::android`] says.

use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, Period, SecretError};
use zeroize::Zeroizing;

use crate::secret::secret_from_bytes;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, android, json, label_of};

const F: Format = Format::BattleNet;
const PREFIX: &str = "com.blizzard.messenger.";
const ISSUER: &str = "Battle.net";

/// The app's fixed obfuscation mask.
const MASK: [u8; 40] = [
    57, 142, 39, 252, 80, 39, 106, 101, 96, 101, 176, 229, 37, 244, 192, 108, 4, 198, 16, 117, 40,
    107, 142, 122, 237, 165, 157, 169, 129, 59, 93, 214, 200, 13, 47, 179, 128, 104, 119, 63,
];

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    let prefs = android::read(F, data)?;
    let pref = |name: &str| android::string(&prefs, &format!("{PREFIX}{name}"));
    match pref("AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE") {
        None | Some("MASK") => {}
        Some(_) => {
            return Err(ImportError::UnsupportedEncryption {
                format: F,
                what: "credentials protected by something other than the app's MASK",
            });
        }
    }
    let secret = pref("AUTHENTICATOR_DEVICE_SECRET").ok_or(ImportError::malformed(
        F,
        "no Battle.net AUTHENTICATOR_DEVICE_SECRET in the XML",
    ))?;
    let serial = pref("AUTHENTICATOR_SERIAL").ok_or(ImportError::malformed(
        F,
        "no Battle.net AUTHENTICATOR_SERIAL in the XML",
    ))?;
    let serial = unmask(serial).ok_or(ImportError::malformed(F, "the serial is not masked hex"))?;
    let serial = String::from_utf8(serial.to_vec())
        .map_err(|_| ImportError::malformed(F, "the unmasked serial is not text"))?;
    let mut out = Import::new();
    out.push(
        label_of(Some(ISSUER), &serial),
        read_secret(secret, &serial),
    )?;
    Ok(out)
}

/// The value's bytes XOR-ed with the mask; `None` if it is not hex or longer than
/// the mask.
fn unmask(hex: &str) -> Option<Zeroizing<Vec<u8>>> {
    let bytes = Zeroizing::new(
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(hex.trim().as_bytes())
            .ok()?,
    );
    if bytes.len() > MASK.len() {
        return None;
    }
    Some(Zeroizing::new(
        bytes.iter().zip(MASK).map(|(b, m)| b ^ m).collect(),
    ))
}

fn read_secret(masked: &str, serial: &str) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let hex = unmask(masked).ok_or(EntryError::Secret(SecretError::InvalidCharacter {
        position: masked
            .chars()
            .position(|c| !c.is_ascii_hexdigit())
            .map_or(1, |p| p.saturating_add(1)),
    }))?;
    // Unmasked, the secret is hex text: a byte that is not a hex digit (or an odd
    // count) is a bad character (or length) of that text.
    let bad =
        hex.iter()
            .position(|b| !b.is_ascii_hexdigit())
            .map(|p| SecretError::InvalidCharacter {
                position: p.saturating_add(1),
            });
    let secret = Zeroizing::new(
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(&hex)
            .map_err(|_| {
                EntryError::Secret(bad.unwrap_or(SecretError::InvalidLength { symbols: hex.len() }))
            })?,
    );
    let mut warnings = Vec::new();
    let secret = secret_from_bytes(&secret, &mut warnings).map_err(EntryError::Secret)?;
    let account = json::account(
        Some(ISSUER),
        serial,
        secret,
        Algorithm::Sha1,
        Digits::EIGHT,
        Kind::Totp {
            period: Period::DEFAULT,
        },
    );
    Ok((account, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mask(plain: &[u8]) -> String {
        let masked: Vec<u8> = plain.iter().zip(MASK).map(|(b, m)| b ^ m).collect();
        data_encoding::HEXLOWER.encode(&masked)
    }

    fn file(kind: &str, secret: &str, serial: &str) -> String {
        format!(
            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n\
             <string name=\"{PREFIX}AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE\">{kind}</string>\n\
             <string name=\"{PREFIX}AUTHENTICATOR_DEVICE_SECRET\">{secret}</string>\n\
             <string name=\"{PREFIX}AUTHENTICATOR_SERIAL\">{serial}</string>\n</map>\n"
        )
    }

    const SECRET: [u8; 20] = *b"12345678901234567890";

    #[test]
    fn masked_secret_and_serial_round_trip() {
        let secret_hex = data_encoding::HEXLOWER.encode(&SECRET);
        let xml = file(
            "MASK",
            &mask(secret_hex.as_bytes()),
            &mask(b"EU-1234-5678-9012"),
        );
        let out = crate::import(F, xml.as_bytes(), None).unwrap();
        let a = &out.accounts[0];
        assert_eq!(a.secret.as_bytes(), SECRET);
        assert_eq!(
            (a.issuer.as_deref(), a.name.as_str()),
            (Some(ISSUER), "EU-1234-5678-9012")
        );
        assert_eq!(a.digits, Digits::EIGHT);
        assert_eq!(a.algorithm, Algorithm::Sha1);
        assert_eq!(
            a.kind,
            Kind::Totp {
                period: Period::DEFAULT
            }
        );
        // RFC 6238's SHA-1 vector at T = 59: 94287082.
        assert_eq!(
            otpkit::Hotp::new(&a.secret, a.algorithm, a.digits)
                .code(1)
                .to_string(),
            "94287082"
        );
    }

    #[test]
    fn other_protection_and_bad_values_are_refused() {
        let secret_hex = data_encoding::HEXLOWER.encode(&SECRET);
        let good_secret = mask(secret_hex.as_bytes());
        let good_serial = mask(b"US-1");
        assert!(matches!(
            crate::import(
                F,
                file("KEYSTORE", &good_secret, &good_serial).as_bytes(),
                None
            ),
            Err(ImportError::UnsupportedEncryption { .. })
        ));
        let long = "00".repeat(41);
        for (secret, serial, what) in [
            (good_secret.as_str(), "zz", "the serial is not masked hex"),
            (
                good_secret.as_str(),
                long.as_str(),
                "the serial is not masked hex",
            ),
            (
                good_secret.as_str(),
                &*mask(&[0xff, 0xfe]),
                "the unmasked serial is not text",
            ),
        ] {
            match crate::import(F, file("MASK", secret, serial).as_bytes(), None) {
                Err(ImportError::Malformed { what: got, .. }) => assert_eq!(got, what),
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            crate::import(F, b"<map></map>", None),
            Err(ImportError::Malformed {
                what: "no Battle.net AUTHENTICATOR_DEVICE_SECRET in the XML",
                ..
            })
        ));
        // A secret that is not hex once unmasked is reported for the entry.
        let out = crate::import(
            F,
            file("MASK", &mask(b"not hex!"), &good_serial).as_bytes(),
            None,
        )
        .unwrap();
        assert_eq!(
            out.report[0].outcome,
            Err(EntryError::Secret(SecretError::InvalidCharacter {
                position: 1
            }))
        );
    }
}
