//! mOTP and Yandex entries of Aegis, andOTP and Authenticator Pro files, built here
//! (no third-party file): what each app keeps, the codes it shows, and refusals.

use otpkit::motp::Motp;
use otpkit::otpauth::{Kind, PinRequired};
use otpkit::{Pin, Secret};
use otpkit_transfer::export::{Omission, Unsupported, aegis};
use otpkit_transfer::{EntryError, EntryWarning, Format, Import, import};

fn read(format: Format, json: &str) -> Import {
    import(format, json.as_bytes(), None).unwrap()
}

fn aegis_vault(entries: &str) -> String {
    format!(
        r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":3,"entries":[{entries}],"groups":[]}}}}"#
    )
}

/// Base32 of e3 15 2a fe e6 25 99 c8, the key of Aegis's MotpTest.
const AEGIS_MOTP_KEY: &str = "4MKSV7XGEWM4Q";
/// A 16-byte Yandex secret (Aegis's YAOTPTest, without the checksum part).
const YANDEX_SECRET: &str = "LA2V6KMCGYMWWVEW64RNP3JA3I";

#[test]
fn aegis_motp_and_yandex_give_the_apps_codes() {
    let vault = aegis_vault(&format!(
        r#"{{"type":"motp","uuid":"1","name":"bob","issuer":"Corp","info":{{"secret":"{AEGIS_MOTP_KEY}","algo":"MD5","digits":6,"period":10,"pin":"1234"}}}},
           {{"type":"yandex","uuid":"2","name":"alice","issuer":"Yandex","info":{{"secret":"{YANDEX_SECRET}","algo":"SHA256","digits":8,"period":30,"pin":"7586"}}}}"#
    ));
    let result = read(Format::Aegis, &vault);
    assert!(
        result.report.iter().all(|r| r.outcome == Ok(vec![])),
        "{:?}",
        result.report
    );
    let [motp, yandex] = &result.accounts[..] else {
        panic!("two accounts expected")
    };
    assert_eq!(motp.kind, Kind::Motp);
    // Aegis keeps the bytes; their lowercase hex is the text it hashes.
    assert_eq!(motp.secret.as_bytes(), b"e3152afee62599c8");
    assert_eq!(motp.pin.as_ref().unwrap().as_str(), "1234");
    // Aegis MotpTest: t = 165892298 -> e7d8b6.
    let code = motp.generator().unwrap().code_at(165_892_298).unwrap();
    assert_eq!(code.to_string(), "e7d8b6");
    assert_eq!(yandex.kind, Kind::Yandex);
    // Aegis YAOTPTest: PIN 7586, t = 1581064020 -> oactmacq.
    let code = yandex.generator().unwrap().code_at(1_581_064_020).unwrap();
    assert_eq!(code.to_string(), "oactmacq");

    // Written back as Aegis writes them, and read again to the same accounts.
    let exported = aegis(&result.accounts, None).unwrap();
    assert!(exported.notes.is_empty(), "{:?}", exported.notes);
    let text: &str = &exported.output;
    assert!(
        text.contains(&format!(r#""secret":"{AEGIS_MOTP_KEY}""#)),
        "{text}"
    );
    assert!(text.contains(r#""algo":"MD5""#) && text.contains(r#""pin":"7586""#));
    let again = read(Format::Aegis, text);
    assert_eq!(again.accounts, result.accounts);
}

#[test]
fn aegis_refusals_and_a_missing_pin() {
    let vault = aegis_vault(&format!(
        r#"{{"type":"motp","name":"a","info":{{"secret":"{AEGIS_MOTP_KEY}","algo":"SHA1","digits":6,"period":10,"pin":"1"}}}},
           {{"type":"motp","name":"b","info":{{"secret":"{AEGIS_MOTP_KEY}","algo":"MD5","digits":8,"period":10,"pin":"1"}}}},
           {{"type":"yandex","name":"c","info":{{"secret":"{YANDEX_SECRET}","algo":"SHA256","digits":8,"period":60,"pin":"1"}}}},
           {{"type":"yandex","name":"d","info":{{"secret":"GEZDGNBVGY3TQOJQ","algo":"SHA256","digits":8,"period":30,"pin":"1"}}}},
           {{"type":"yandex","name":"e","info":{{"secret":"{YANDEX_SECRET}","pin":"{long}"}}}},
           {{"type":"motp","name":"f","info":{{"secret":"{AEGIS_MOTP_KEY}"}}}}"#,
        long = "9".repeat(otpkit::MAX_PIN_LEN + 1)
    ));
    let result = read(Format::Aegis, &vault);
    let outcomes: Vec<_> = result.report.iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(
        outcomes[0],
        Err(EntryError::UnsupportedAlgorithm("SHA1".into()))
    );
    assert_eq!(
        outcomes[1],
        Err(EntryError::DigitsFixed {
            kind: "mOTP",
            got: 8
        })
    );
    assert_eq!(
        outcomes[2],
        Err(EntryError::PeriodFixed {
            kind: "Yandex",
            got: 60
        })
    );
    assert!(matches!(outcomes[3], Err(EntryError::YandexSecret(_))));
    assert!(matches!(
        outcomes[4],
        Err(EntryError::Pin(otpkit::PinError::TooLong { .. }))
    ));
    // No PIN in the file: imported, with a note, and no codes until it is given.
    assert_eq!(outcomes[5], Ok(vec![EntryWarning::PinNotStored]));
    let [account] = &result.accounts[..] else {
        panic!("one account expected")
    };
    assert_eq!(account.pin, None);
    assert_eq!(account.generator().unwrap_err(), PinRequired);
    // …and an Aegis export leaves it out rather than write a vault Aegis refuses.
    let exported = aegis(&result.accounts, None).unwrap();
    assert_eq!(
        exported.notes[0].what,
        Omission::AccountSkipped(Unsupported::MissingPin)
    );
}

#[test]
fn andotp_motp_has_its_text_secret_and_no_pin() {
    // andOTP keeps the Base32 of the text typed ("AAAAAAAAAAAAAAAA") and no PIN.
    let json = r#"[{"secret":"IFAUCQKBIFAUCQKBIFAUCQKBIE======","issuer":"Corp","label":"bob","digits":6,"type":"MOTP","algorithm":"SHA1","thumbnail":"Default","tags":[]},
                   {"secret":"IFAUCQKBIFAUCQKBIFAUCQKBIE","issuer":"Corp","label":"eve","digits":8,"type":"MOTP"}]"#;
    let result = read(Format::AndOtp, json);
    assert_eq!(
        result.report[0].outcome,
        Ok(vec![EntryWarning::PinNotStored])
    );
    assert_eq!(
        result.report[1].outcome,
        Err(EntryError::DigitsFixed {
            kind: "mOTP",
            got: 8
        })
    );
    let mut account = result.accounts[0].clone();
    assert_eq!(account.kind, Kind::Motp);
    assert_eq!(account.secret.as_bytes(), b"AAAAAAAAAAAAAAAA");
    assert_eq!(account.generator().unwrap_err(), PinRequired);
    // With the PIN the user types, the code is MD5 of the time, the text as typed
    // (uppercase, not re-encoded) and the PIN.
    account.pin = Some(Pin::new("4321").unwrap());
    let text = Secret::from_bytes(b"AAAAAAAAAAAAAAAA").unwrap();
    let motp = Motp::new(&text, &Pin::new("4321").unwrap());
    assert_eq!(
        account
            .generator()
            .unwrap()
            .code_at(1_700_000_000)
            .unwrap()
            .to_string(),
        motp.code_at(1_700_000_000).to_string()
    );
    // An Aegis export cannot carry an uppercase text (Aegis would hash its hex).
    let exported = aegis(&[account], None).unwrap();
    assert_eq!(
        exported.notes[0].what,
        Omission::AccountSkipped(Unsupported::MotpTextSecret)
    );
}

#[test]
fn authenticator_pro_motp_with_and_without_pin() {
    let json = r#"{"Authenticators":[
        {"Type":3,"Issuer":"VPN","Username":"new","Secret":"0123456789abcdef","Pin":"1234","Algorithm":0,"Digits":6,"Period":30,"Counter":0},
        {"Type":3,"Issuer":"VPN","Username":"old","Secret":"0123456789abcdef1234","Algorithm":0,"Digits":6,"Period":30,"Counter":0},
        {"Type":3,"Issuer":"VPN","Username":"short","Secret":"1234","Digits":6},
        {"Type":3,"Issuer":"VPN","Username":"seven","Secret":"0123456789abcdef","Pin":"1234","Digits":7},
        {"Type":5,"Issuer":"Yandex","Username":"y","Secret":"LA2V6KMCGYMWWVEW64RNP3JA3I","Digits":8}
    ],"Categories":[],"AuthenticatorCategories":[],"CustomIcons":[]}"#;
    let result = read(Format::AuthenticatorPro, json);
    let outcomes: Vec<_> = result.report.iter().map(|r| r.outcome.clone()).collect();
    assert_eq!(outcomes[0], Ok(vec![]));
    assert_eq!(outcomes[1], Ok(vec![]));
    assert_eq!(outcomes[2], Ok(vec![EntryWarning::PinNotStored]));
    assert_eq!(
        outcomes[3],
        Err(EntryError::DigitsFixed {
            kind: "mOTP",
            got: 7
        })
    );
    assert_eq!(
        outcomes[4],
        Err(EntryError::UnsupportedType("Yandex".into()))
    );
    let [new, old, short] = &result.accounts[..] else {
        panic!("three accounts expected")
    };
    // Current versions: `Pin` apart. Older: the PIN ends `Secret`. Same codes.
    assert_eq!(new.secret.as_bytes(), b"0123456789abcdef");
    assert_eq!(old.secret.as_bytes(), b"0123456789abcdef");
    assert_eq!(old.pin, new.pin);
    for t in [0, 1_700_000_000, 4_000_000_000] {
        assert_eq!(
            new.generator().unwrap().code_at(t).unwrap(),
            old.generator().unwrap().code_at(t).unwrap()
        );
    }
    assert_eq!(short.pin, None);
    assert_eq!(short.secret.as_bytes(), b"1234");
}

#[test]
fn debug_of_an_import_shows_no_pin() {
    let vault = aegis_vault(&format!(
        r#"{{"type":"yandex","name":"a","info":{{"secret":"{YANDEX_SECRET}","pin":"5210481216086702"}}}}"#
    ));
    let result = read(Format::Aegis, &vault);
    let shown = format!("{:?}", result.accounts);
    assert!(!shown.contains("5210481216086702"), "{shown}");
}
