//! Authenticator-app backups in and out, and PSKC key containers in.

use otpkit_pskc::{Decryption, Protection};
use otpkit_transfer::{Format, ImportOptions, WorkBudget, export};

use crate::accounts::to_core_accounts;
use crate::records::{AccountRecord, ExportRecord, ImportRecord, PskcKeyRecord};
use crate::{FacadeError, args};
use otpkit::ErrorCode;

/// Reads an authenticator app's export (`format` by name: `"aegis"`, `"2fas"`,
/// `"andotp"`, `"bitwarden"`, `"freeotp-plus"`, `"authenticator-pro"`,
/// `"google-migration"`, `"otpauth-list"`), decrypting it with `password` when it
/// is encrypted; every key derivation is charged to `budget` before it runs
/// ([`args::kdf_budget`]).
pub fn import_accounts(
    format: &str,
    data: &[u8],
    password: Option<&[u8]>,
    budget: WorkBudget,
) -> Result<ImportRecord, FacadeError> {
    let format = args::format(format)?;
    let import = otpkit_transfer::import_with(format, data, password, &ImportOptions { budget })?;
    Ok(ImportRecord::from_core(&import))
}

/// Every format [`import_accounts`] reads, by name, in the docs' order.
pub fn import_formats() -> Vec<&'static str> {
    Format::ALL.iter().map(|f| f.name()).collect()
}

/// The format of `data`, told from its content alone: a name [`import_accounts`]
/// takes (`otpkit_transfer::detect`), `"pskc"` for a PSKC container (read it with
/// [`import_pskc`]), or `None` when the content does not tell (an encrypted andOTP
/// backup never does).
pub fn detect_format(data: &[u8]) -> Option<&'static str> {
    match otpkit_transfer::detect(data) {
        Some(format) => Some(format.name()),
        None => otpkit_pskc::is_pskc(data).then_some("pskc"),
    }
}

/// The formats [`export_accounts`] writes, by name: the transfer formats, then PSKC.
pub const EXPORT_FORMATS: [&str; 5] = ["otpauth-list", "google-migration", "aegis", "cxf", "pskc"];

/// Writes accounts in `format` (one of [`EXPORT_FORMATS`]). `password` encrypts an
/// Aegis vault (scrypt) or a PSKC container (PBKDF2, RFC 6030 §6.2, with a MAC per
/// secret); the other formats are not encrypted and refuse one.
pub fn export_accounts(
    format: &str,
    accounts: &[AccountRecord],
    password: Option<&[u8]>,
) -> Result<ExportRecord, FacadeError> {
    let accounts = to_core_accounts(accounts)?;
    if format == "pskc" {
        let encryption = password.map_or(otpkit_pskc::export::Encryption::None, |p| {
            otpkit_pskc::export::Encryption::password(p)
        });
        let e = otpkit_pskc::export::export(&accounts, encryption)?;
        let notes = e
            .dropped_parameters
            .iter()
            .map(|(index, names)| {
                format!(
                    "account {index}: PSKC has no place for its parameters {}; they were not written",
                    names.join(", ")
                )
            })
            .collect();
        return Ok(ExportRecord {
            output: vec![e.xml.to_string()],
            notes,
        });
    }
    let format = args::format(format)?;
    let no_password = |name: &str| {
        if password.is_some() {
            Err(FacadeError::new(
                ErrorCode::UnsupportedEncryption,
                format!("{name} exports are not encrypted; only aegis and pskc take a password"),
            ))
        } else {
            Ok(())
        }
    };
    let (output, notes) = match format {
        Format::OtpauthList => {
            no_password(format.name())?;
            let e = export::otpauth_list(&accounts);
            (vec![e.output.to_string()], e.notes)
        }
        Format::GoogleMigration => {
            no_password(format.name())?;
            let e = export::google_migration(&accounts)?;
            (e.output.iter().map(|u| u.to_string()).collect(), e.notes)
        }
        Format::Aegis => {
            let e = export::aegis(&accounts, password)?;
            (vec![e.output.to_string()], e.notes)
        }
        Format::Cxf => {
            no_password(format.name())?;
            let e = export::cxf(&accounts)?;
            (vec![e.output.to_string()], e.notes)
        }
        Format::TwoFas
        | Format::AndOtp
        | Format::Bitwarden
        | Format::FreeOtpPlus
        | Format::AuthenticatorPro
        | Format::FreeOtp
        | Format::Authy
        | Format::BattleNet
        | Format::TotpAuthenticator
        | Format::KeePass
        | Format::QrImage
        | Format::LastPass
        | Format::ProtonAuthenticator
        | Format::Duo
        | Format::Ente
        | Format::Steam
        | Format::WinAuth
        | Format::AuthenticatorPlus
        | Format::ProtonPass
        | Format::GoogleAuthenticator
        | Format::MicrosoftAuthenticator => {
            return Err(FacadeError::new(
                ErrorCode::UnknownFormat,
                format!(
                    "{} is read, not written; exports are {}",
                    format.name(),
                    EXPORT_FORMATS.join(", ")
                ),
            ));
        }
    };
    Ok(ExportRecord {
        output,
        notes: notes.iter().map(ToString::to_string).collect(),
    })
}

const fn protection(p: Protection) -> &'static str {
    match p {
        Protection::InTheClear => "inTheClear",
        Protection::MacChecked => "macChecked",
        Protection::NotIntegrityProtected => "notIntegrityProtected",
    }
}

/// Reads a PSKC (RFC 6030) container, decrypted with a pre-shared key or a password
/// (not both); encrypted values without a MAC only with `allow_unauthenticated`; a
/// password's key derivation is charged to `budget` before it runs.
pub fn import_pskc(
    xml: &[u8],
    pre_shared_key: Option<&[u8]>,
    password: Option<&[u8]>,
    allow_unauthenticated: bool,
    budget: WorkBudget,
) -> Result<Vec<PskcKeyRecord>, FacadeError> {
    let decryption = match (pre_shared_key, password) {
        (None, None) => Decryption::None,
        (Some(key), None) => Decryption::PreSharedKey(key),
        (None, Some(pw)) => Decryption::Password(pw),
        (Some(_), Some(_)) => {
            return Err(FacadeError::new(
                ErrorCode::KeyAndPassword,
                "give a pre-shared key or a password, not both",
            ));
        }
    };
    let options = otpkit_pskc::Options {
        allow_unauthenticated_encryption: allow_unauthenticated,
        budget,
        ..otpkit_pskc::Options::default()
    };
    let import = otpkit_pskc::import_with(xml, decryption, &options)?;
    import
        .keys
        .iter()
        .map(|k| {
            let mut record = PskcKeyRecord {
                key_id: k.key_id.clone(),
                serial_number: k.serial_number.clone(),
                account: None,
                protection: None,
                error: None,
                manufacturer: None,
                model: None,
                friendly_name: None,
                user_id: None,
                t0: None,
                drift: None,
                device_state: None,
            };
            match &k.result {
                Ok(token) => {
                    record.account = Some(AccountRecord::from_core(&token.to_account()));
                    record.protection = Some(protection(token.protection));
                    record.manufacturer.clone_from(&token.device.manufacturer);
                    record.model.clone_from(&token.device.model);
                    record.friendly_name.clone_from(&token.friendly_name);
                    record.user_id.clone_from(&token.user_id);
                    if let otpkit_pskc::Kind::Totp { t0, drift, .. } = token.kind {
                        record.t0 = Some(t0);
                        record.drift = Some(drift);
                    }
                    record.device_state = Some(token.device_state().encode());
                }
                Err(e) => record.error = Some(FacadeError::from(e.clone())),
            }
            Ok(record)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Category;
    use crate::accounts::parse_otpauth_uri;

    #[test]
    fn cxf_and_pskc_exports_read_back_and_only_aegis_and_pskc_take_a_password() {
        let a = parse_otpauth_uri(
            "otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ACME",
        )
        .unwrap()
        .account;
        let accounts = std::slice::from_ref(&a);
        let cxf = export_accounts("cxf", accounts, None).unwrap();
        let back =
            import_accounts("cxf", cxf.output[0].as_bytes(), None, WorkBudget::default()).unwrap();
        assert_eq!(back.accounts[0].secret, a.secret);
        let e = export_accounts("cxf", accounts, Some(b"pw")).unwrap_err();
        assert_eq!(e.reason, ErrorCode::UnsupportedEncryption);
        for password in [None, Some(&b"correct horse"[..])] {
            let pskc = export_accounts("pskc", accounts, password).unwrap();
            assert!(!format!("{pskc:?}").contains("JBSW"));
            let keys = import_pskc(
                pskc.output[0].as_bytes(),
                None,
                password,
                false,
                WorkBudget::default(),
            )
            .unwrap();
            let read = keys[0].account.as_ref().unwrap();
            assert_eq!(read.secret, a.secret);
        }
        let e = export_accounts("2fas", accounts, None).unwrap_err();
        assert_eq!(e.reason, ErrorCode::UnknownFormat);
        assert!(e.detail.contains("cxf, pskc"), "{e}");
    }

    #[test]
    fn every_import_format_is_one_import_accounts_takes_and_detection_names_one() {
        let formats = import_formats();
        assert_eq!(formats.len(), Format::ALL.len());
        for name in &formats {
            // Unknown names are refused; every listed one reaches its reader.
            let e = import_accounts(name, b"", None, WorkBudget::default());
            assert_ne!(
                e.map_err(|e| e.reason),
                Err(ErrorCode::UnknownFormat),
                "{name}"
            );
        }
        let list = b"otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP\n";
        assert_eq!(detect_format(list), Some("otpauth-list"));
        assert_eq!(
            detect_format(br#"{"tokenOrder":[],"tokens":[]}"#),
            Some("freeotp-plus")
        );
        assert_eq!(
            detect_format(b"<?xml version=\"1.0\"?><KeyContainer Version=\"1.0\"/>"),
            Some("pskc")
        );
        assert_eq!(detect_format(b"my accounts"), None);
        for name in formats {
            assert_ne!(name, "pskc");
        }
    }

    #[test]
    fn an_encrypted_aegis_export_imports_back_and_a_wrong_password_is_a_password_error() {
        let a = parse_otpauth_uri("otpauth://totp/ACME:alice?secret=JBSWY3DPEHPK3PXP&issuer=ACME")
            .unwrap()
            .account;
        let out = export_accounts("aegis", std::slice::from_ref(&a), Some(b"pw")).unwrap();
        assert_eq!(out.output.len(), 1);
        assert!(!format!("{out:?}").contains("JBSW"));
        let back = import_accounts(
            "aegis",
            out.output[0].as_bytes(),
            Some(b"pw"),
            WorkBudget::default(),
        )
        .unwrap();
        assert_eq!(back.accounts, vec![a.clone()]);
        let e = import_accounts(
            "aegis",
            out.output[0].as_bytes(),
            Some(b"no"),
            WorkBudget::default(),
        )
        .unwrap_err();
        assert_eq!(e.category, Category::Password);
        let e = import_accounts(
            "aegis",
            out.output[0].as_bytes(),
            None,
            WorkBudget::default(),
        )
        .unwrap_err();
        assert_eq!(e.reason, ErrorCode::PasswordRequired);
        let tiny = crate::args::kdf_budget(Some(10), None);
        let e = import_accounts("aegis", out.output[0].as_bytes(), Some(b"pw"), tiny).unwrap_err();
        assert_eq!(e.reason, ErrorCode::KdfBudget);
        let e = export_accounts("2fas", std::slice::from_ref(&a), None).unwrap_err();
        assert_eq!(e.reason, ErrorCode::UnknownFormat);
        let e = export_accounts("otpauth-list", &[a], Some(b"pw")).unwrap_err();
        assert_eq!(e.reason, ErrorCode::UnsupportedEncryption);
    }

    #[test]
    fn a_pskc_container_imports_its_keys() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" Id="exampleID1" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo><Manufacturer>Manufacturer</Manufacturer><SerialNo>987654321</SerialNo></DeviceInfo>
    <CryptoModuleInfo><Id>CM_ID_001</Id></CryptoModuleInfo>
    <Key Id="12345678" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Issuer>Issuer-A</Issuer>
      <AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <Counter><PlainValue>0</PlainValue></Counter>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>"#;
        let keys = import_pskc(xml, None, None, false, WorkBudget::default()).unwrap();
        assert_eq!(keys.len(), 1);
        let key = &keys[0];
        assert_eq!(key.key_id.as_deref(), Some("12345678"));
        assert_eq!(key.protection, Some("inTheClear"));
        assert_eq!(key.account.as_ref().unwrap().digits, 8);
        assert_eq!(key.manufacturer.as_deref(), Some("Manufacturer"));
        assert_eq!((key.t0, key.drift), (None, None), "an HOTP key");
        let state = otpkit::verifier::DeviceState::decode(key.device_state.as_deref().unwrap());
        assert_eq!(state.unwrap().next_counter(), Some(0));
        let e = import_pskc(xml, Some(b"k"), Some(b"p"), false, WorkBudget::default()).unwrap_err();
        assert_eq!(e.reason, ErrorCode::KeyAndPassword);
        let e = import_pskc(b"<nope/>", None, None, false, WorkBudget::default()).unwrap_err();
        assert_eq!(e.reason, ErrorCode::FileMalformed);
    }

    #[test]
    fn a_pskc_password_is_derived_under_the_budget_given() {
        let xml = include_bytes!("../../../crates/otpkit-pskc/tests/data/rfc6030-figure-7.xml");
        let keys = import_pskc(xml, None, Some(b"qwerty"), false, WorkBudget::default()).unwrap();
        assert!(keys.iter().all(|k| k.error.is_none()), "{keys:?}");
        let tiny = crate::args::kdf_budget(Some(0), None);
        let e = import_pskc(xml, None, Some(b"qwerty"), false, tiny).unwrap_err();
        assert_eq!(e.reason, ErrorCode::KdfBudget);
    }
}
