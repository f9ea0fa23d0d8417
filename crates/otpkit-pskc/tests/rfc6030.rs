//! RFC 6030's own example documents (Figures 2, 3, 6 and 7, written out here from
//! the RFC text, a Code Component under the Revised BSD License, IETF Trust), with
//! right and wrong keys and passwords, tampering, hostile XML and one bad key among
//! good ones. The figures are in `tests/data/` so that the CLI tests read the same files.

use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use otpkit::{Algorithm, Digits, LengthPolicy, SecretError};
use otpkit_pskc::{
    Decryption, Defaulted, Import, KeyError, Kind, Options, Protection, PskcError, import,
    import_with,
};

const FIGURE_2: &str = include_str!("data/rfc6030-figure-2.xml");

const FIGURE_3: &str = include_str!("data/rfc6030-figure-3.xml");

const FIGURE_6: &str = include_str!("data/rfc6030-figure-6.xml");

const FIGURE_7: &str = include_str!("data/rfc6030-figure-7.xml");

const PSK: [u8; 16] = [
    0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12,
];
const SECRET: &[u8] = b"12345678901234567890";

fn run(xml: &str, d: Decryption<'_>) -> Result<Import, PskcError> {
    import(xml.as_bytes(), d)
}

fn only_error(import: &Import) -> KeyError {
    assert_eq!(import.keys.len(), 1);
    import.keys[0].result.clone().unwrap_err()
}

#[test]
fn figure_2_short_secret_needs_the_policy() {
    let refused = run(FIGURE_2, Decryption::None).unwrap();
    assert_eq!(
        only_error(&refused),
        KeyError::Secret(SecretError::TooShort { bits: 32 })
    );
    assert_eq!(refused.keys[0].key_id.as_deref(), Some("12345678"));
    let options = Options {
        length_policy: LengthPolicy::AllowShort,
        ..Options::default()
    };
    let ok = import_with(FIGURE_2.as_bytes(), Decryption::None, &options).unwrap();
    let token = ok.keys[0].result.as_ref().unwrap();
    assert_eq!(token.secret.as_bytes(), b"1234");
    assert_eq!(token.issuer.as_deref(), Some("Issuer-A"));
    assert_eq!(token.digits, Digits::SIX);
    assert_eq!(token.defaulted, vec![Defaulted::Digits, Defaulted::Counter]);
    let named: Vec<&str> = token.defaulted.iter().map(|d| d.parameter()).collect();
    assert_eq!(named, ["digits", "counter"]);
    assert_eq!(Defaulted::TimeInterval.parameter(), "period");
}

#[test]
fn figure_3_plain_hotp_with_device_info() {
    let import = run(FIGURE_3, Decryption::None).unwrap();
    let token = import.keys[0].result.as_ref().unwrap();
    assert_eq!(token.secret.as_bytes(), SECRET);
    assert_eq!(token.key_id.as_deref(), Some("12345678"));
    assert_eq!(token.device.manufacturer.as_deref(), Some("Manufacturer"));
    assert_eq!(token.device.serial_number.as_deref(), Some("987654321"));
    assert_eq!(
        token.user_id.as_deref(),
        Some("UID=jsmith,DC=example-bank,DC=net")
    );
    assert_eq!(token.algorithm, Algorithm::Sha1);
    assert_eq!(token.kind, Kind::Hotp { counter: 0 });
    assert!(token.defaulted.is_empty());
    assert_eq!(token.protection, Protection::InTheClear);
    // RFC 4226 Appendix D, counter 0, eight digits.
    let (hotp, counter) = token.hotp().unwrap();
    assert_eq!(hotp.code(counter).to_string(), "84755224");
    assert_eq!(token.device_state().next_counter(), Some(0));
    let account = token.to_account();
    assert_eq!(account.name, "987654321");
    assert_eq!(account.issuer.as_deref(), Some("Issuer"));
}

#[test]
fn figure_6_pre_shared_key() {
    let import = run(FIGURE_6, Decryption::PreSharedKey(&PSK)).unwrap();
    let token = import.keys[0].result.as_ref().unwrap();
    assert_eq!(token.secret.as_bytes(), SECRET);
    assert_eq!(token.protection, Protection::MacChecked);
    assert_eq!(token.digits.get(), 8);
    assert_eq!(token.device.serial_number.as_deref(), Some("987654321"));
}

#[test]
fn figure_6_wrong_missing_or_mismatched_key() {
    let mut wrong = PSK;
    wrong[15] ^= 1;
    let e = run(FIGURE_6, Decryption::PreSharedKey(&wrong));
    assert_eq!(e.unwrap_err(), PskcError::WrongKeyOrPassword);
    assert_eq!(
        run(FIGURE_6, Decryption::None).unwrap_err(),
        PskcError::NeedsPreSharedKey
    );
    assert_eq!(
        run(FIGURE_6, Decryption::Password(b"qwerty")).unwrap_err(),
        PskcError::NeedsPreSharedKey
    );
    assert!(matches!(
        run(FIGURE_6, Decryption::PreSharedKey(&PSK[..15])).unwrap_err(),
        PskcError::MacKey(_)
    ));
}

#[test]
fn figure_6_tampered_mac_or_ciphertext() {
    let tampered_mac = FIGURE_6.replace(
        "Su+NvtQfmvfJzF6bmQiJqoLRExc=",
        "Tu+NvtQfmvfJzF6bmQiJqoLRExc=",
    );
    let import = run(&tampered_mac, Decryption::PreSharedKey(&PSK)).unwrap();
    assert_eq!(
        only_error(&import),
        KeyError::MacMismatch { field: "Secret" }
    );

    // One ciphertext byte changed (in the last block, so the padding still decrypts
    // for some values): the MAC catches it before decryption.
    let tampered_ct = FIGURE_6.replace("Ml8jwZqIUqGv", "Ml8jwZqIUqGw");
    let import = run(&tampered_ct, Decryption::PreSharedKey(&PSK)).unwrap();
    assert_eq!(
        only_error(&import),
        KeyError::MacMismatch { field: "Secret" }
    );

    let no_mac_key = FIGURE_6.replace(
        &FIGURE_6[FIGURE_6.find("<MACMethod").unwrap()..FIGURE_6.find("<KeyPackage>").unwrap()],
        "",
    );
    assert_eq!(
        run(&no_mac_key, Decryption::PreSharedKey(&PSK)).unwrap_err(),
        PskcError::NotIntegrityProtected
    );
    let unauthenticated = Options {
        allow_unauthenticated_encryption: true,
        ..Options::default()
    };
    let import = import_with(
        no_mac_key.as_bytes(),
        Decryption::PreSharedKey(&PSK),
        &unauthenticated,
    )
    .unwrap();
    assert_eq!(only_error(&import), KeyError::NoMacKey { field: "Secret" });
}

#[test]
fn figure_7_password() {
    let import = run(FIGURE_7, Decryption::Password(b"qwerty")).unwrap();
    let token = import.keys[0].result.as_ref().unwrap();
    assert_eq!(token.secret.as_bytes(), SECRET);
    assert_eq!(
        token.device.manufacturer.as_deref(),
        Some("TokenVendorAcme")
    );
    assert_eq!(token.issuer.as_deref(), Some("Example-Issuer"));
    assert_eq!(token.kind, Kind::Hotp { counter: 0 });
    assert_eq!(token.defaulted, vec![Defaulted::Counter]);
    assert_eq!(token.protection, Protection::MacChecked);
}

#[test]
fn figure_7_wrong_or_missing_password() {
    assert_eq!(
        run(FIGURE_7, Decryption::Password(b"qwertz")).unwrap_err(),
        PskcError::WrongKeyOrPassword
    );
    assert_eq!(
        run(FIGURE_7, Decryption::None).unwrap_err(),
        PskcError::NeedsPassword
    );
    assert_eq!(
        run(FIGURE_7, Decryption::PreSharedKey(&PSK)).unwrap_err(),
        PskcError::NeedsPassword
    );
    let greedy = FIGURE_7.replace("<IterationCount>1000<", "<IterationCount>4000000000<");
    let refused = run(&greedy, Decryption::Password(b"qwerty")).unwrap_err();
    assert!(
        matches!(refused, PskcError::KdfBudget(o) if o.work_exceeded()),
        "{refused:?}"
    );
}

#[test]
fn figure_7_tampered_ciphertext() {
    let tampered = FIGURE_7.replace("032yCr4f", "032yCr4g");
    let import = run(&tampered, Decryption::Password(b"qwerty")).unwrap();
    assert_eq!(
        only_error(&import),
        KeyError::MacMismatch { field: "Secret" }
    );
}

#[test]
fn dtds_and_entities_are_refused() {
    let body = FIGURE_3.trim_start_matches(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    for dtd in [
        r#"<!DOCTYPE KeyContainer [<!ENTITY x "1234">]>"#,
        r#"<!DOCTYPE KeyContainer SYSTEM "file:///etc/passwd">"#,
        r#"<!DOCTYPE KeyContainer [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>"#,
        r#"<!DOCTYPE KeyContainer [<!ENTITY x SYSTEM "http://example.invalid/x">]>"#,
    ] {
        let xml = format!("<?xml version=\"1.0\"?>\n{dtd}{body}");
        assert_eq!(
            run(&xml, Decryption::None).unwrap_err(),
            PskcError::DtdNotAllowed,
            "{dtd}"
        );
    }
    // An entity used without a declaration is not expanded either.
    let xml = FIGURE_3.replace("<Issuer>Issuer<", "<Issuer>&x;<");
    assert!(matches!(
        run(&xml, Decryption::None).unwrap_err(),
        PskcError::Xml(_)
    ));
}

#[test]
fn oversized_deep_or_crowded_input_is_refused() {
    let options = Options::default();
    let big = format!("{FIGURE_3}{}", " ".repeat(options.max_bytes));
    assert_eq!(
        run(&big, Decryption::None).unwrap_err(),
        PskcError::TooLarge {
            len: big.len(),
            max: options.max_bytes
        }
    );
    let deep = FIGURE_3.replace(
        "<Issuer>Issuer</Issuer>",
        &format!("{}{}", "<x>".repeat(40), "</x>".repeat(40)),
    );
    assert_eq!(
        run(&deep, Decryption::None).unwrap_err(),
        PskcError::TooDeep { max: 32 }
    );
    // Very deep nesting fails fast and without recursion.
    let deeper = format!(
        "<KeyContainer xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\">{}{}</KeyContainer>",
        "<a>".repeat(200_000),
        "</a>".repeat(200_000)
    );
    assert!(matches!(
        run(&deeper, Decryption::None).unwrap_err(),
        PskcError::TooDeep { .. } | PskcError::TooManyNodes { .. }
    ));
    let crowded = Options {
        max_nodes: 20,
        ..Options::default()
    };
    assert_eq!(
        import_with(FIGURE_3.as_bytes(), Decryption::None, &crowded).unwrap_err(),
        PskcError::TooManyNodes { max: 20 }
    );
}

#[test]
fn not_pskc_or_not_xml() {
    assert_eq!(
        run("<KeyContainer/>", Decryption::None).unwrap_err(),
        PskcError::NotPskc
    );
    assert!(matches!(
        run("<KeyContainer", Decryption::None).unwrap_err(),
        PskcError::Xml(_)
    ));
    assert_eq!(
        import(&[0xff, 0xfe, 0x3c], Decryption::None).unwrap_err(),
        PskcError::NotUtf8
    );
    assert!(matches!(
        run(&FIGURE_3.replace("Version=\"1.0\"", "Version=\"2.0\""), Decryption::None).unwrap_err(),
        PskcError::UnsupportedVersion(v) if v == "2.0"
    ));
}

/// A container of several keys built here: a TOTP key with every parameter, and
/// keys that each fail for their own reason; the good ones are all kept.
#[test]
fn one_bad_key_never_loses_the_rest() {
    let key = |id: &str, alg: &str, params: &str, data: &str| {
        format!(
            r#"<KeyPackage><DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>S{id}</SerialNo><Model>T1</Model></DeviceInfo>
            <Key Id="{id}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:{alg}">
              <AlgorithmParameters>{params}</AlgorithmParameters><Data>{data}</Data></Key></KeyPackage>"#
        )
    };
    let secret =
        "<Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=</PlainValue></Secret>";
    let six = r#"<ResponseFormat Length="6" Encoding="DECIMAL"/>"#;
    let xml = format!(
        r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">{}{}{}{}{}{}{}</KeyContainer>"#,
        key(
            "1",
            "totp",
            &format!("<Suite>HMAC-SHA256</Suite>{six}"),
            &format!(
                "{secret}<Time><PlainValue>100</PlainValue></Time><TimeInterval><PlainValue>60</PlainValue></TimeInterval><TimeDrift><PlainValue>-2</PlainValue></TimeDrift>"
            )
        ),
        key("2", "pin", six, secret),
        key(
            "3",
            "hotp",
            six,
            "<Secret><PlainValue>!!!</PlainValue></Secret>"
        ),
        key(
            "4",
            "hotp",
            r#"<ResponseFormat Length="6" Encoding="ALPHANUMERIC"/>"#,
            secret
        ),
        key(
            "5",
            "hotp",
            r#"<ResponseFormat Length="12" Encoding="DECIMAL"/>"#,
            secret
        ),
        key(
            "6",
            "totp",
            six,
            &format!("{secret}<TimeInterval><PlainValue>0</PlainValue></TimeInterval>")
        ),
        key(
            "7",
            "hotp",
            "<Suite>sha512</Suite>",
            &format!("{secret}<Counter><PlainValue>41</PlainValue></Counter>")
        ),
    );
    let import = run(&xml, Decryption::None).unwrap();
    assert_eq!(import.keys.len(), 7);
    let t = import.keys[0].result.as_ref().unwrap();
    assert_eq!(t.algorithm, Algorithm::Sha256);
    assert_eq!(t.device.model.as_deref(), Some("T1"));
    let Kind::Totp { period, t0, drift } = t.kind else {
        panic!("not TOTP")
    };
    assert_eq!((period.seconds(), t0, drift), (60, 100, -2));
    let totp = t.totp().unwrap();
    assert_eq!((totp.t0(), totp.period().seconds()), (100, 60));
    assert_eq!(t.device_state().drift(), -2);
    // RFC 6238's SHA-256 seed; T0 = 100 shifts the steps: at 100 + 59 the step is 0.
    assert_eq!(totp.step_at(159).unwrap(), 0);

    assert!(
        matches!(&import.keys[1].result, Err(KeyError::UnsupportedAlgorithm(u)) if u.ends_with(":pin"))
    );
    assert_eq!(
        import.keys[2].result.clone().unwrap_err(),
        KeyError::InvalidValue { field: "Secret" }
    );
    assert_eq!(
        import.keys[3].result.clone().unwrap_err(),
        KeyError::UnsupportedEncoding("ALPHANUMERIC".into())
    );
    assert!(matches!(import.keys[4].result, Err(KeyError::Digits(_))));
    assert_eq!(
        import.keys[5].result.clone().unwrap_err(),
        KeyError::InvalidValue {
            field: "TimeInterval"
        }
    );
    let t7 = import.keys[6].result.as_ref().unwrap();
    assert_eq!(
        (t7.algorithm, t7.kind),
        (Algorithm::Sha512, Kind::Hotp { counter: 41 })
    );
    assert_eq!(t7.defaulted, vec![Defaulted::Digits]);
    assert_eq!(import.tokens().count(), 2);
    assert_eq!(import.keys[4].serial_number.as_deref(), Some("S5"));
}

/// AES-256-CBC with an encrypted counter, built here with the RustCrypto CBC mode
/// and an HMAC-SHA256 MAC.
#[test]
fn aes256_with_encrypted_counter() {
    use hmac::{Hmac, KeyInit, Mac};
    let key = [7u8; 32];
    let mac_key = [9u8; 32];
    let enc = |iv: u8, plain: &[u8]| {
        let iv = [iv; 16];
        let ct = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv)
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(plain);
        [&iv[..], &ct].concat()
    };
    let b64 = |b: &[u8]| data_encoding::BASE64.encode(b);
    let mac = |b: &[u8]| {
        let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&mac_key).unwrap();
        m.update(b);
        b64(&m.finalize().into_bytes())
    };
    let secret_ct = enc(1, SECRET);
    let counter_ct = enc(2, &7u64.to_be_bytes());
    let method =
        r#"<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/>"#;
    let xml = format!(
        r#"<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
        <EncryptionKey/>
        <MACMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"><MACKey>{method}<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></MACKey></MACMethod>
        <KeyPackage><Key Id="k" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"><Data>
          <Secret><EncryptedValue>{method}<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></EncryptedValue><ValueMAC>{}</ValueMAC></Secret>
          <Counter><EncryptedValue>{method}<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></EncryptedValue><ValueMAC>{}</ValueMAC></Counter>
        </Data></Key></KeyPackage></KeyContainer>"#,
        b64(&enc(3, &mac_key)),
        b64(&secret_ct),
        mac(&secret_ct),
        b64(&counter_ct),
        mac(&counter_ct),
    );
    let import = run(&xml, Decryption::PreSharedKey(&key)).unwrap();
    let token = import.keys[0].result.as_ref().unwrap();
    assert_eq!(token.secret.as_bytes(), SECRET);
    assert_eq!(token.kind, Kind::Hotp { counter: 7 });
    // A 16-byte key for an AES-256 document.
    assert!(matches!(
        run(&xml, Decryption::PreSharedKey(&PSK)).unwrap_err(),
        PskcError::MacKey(_)
    ));
}

#[test]
fn messages_and_debug_hold_no_key_material() {
    let import = run(FIGURE_6, Decryption::PreSharedKey(&PSK)).unwrap();
    let text = format!("{import:?} {:?}", Decryption::PreSharedKey(&PSK));
    for needle in [
        "12345678901234567890",
        "MTIzNDU2",
        "3132333435",
        "[49, 50, 51",
    ] {
        assert!(!text.contains(needle), "{needle} in {text}");
    }
    let tampered = FIGURE_6.replace(
        "Su+NvtQfmvfJzF6bmQiJqoLRExc=",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let e = only_error(&run(&tampered, Decryption::PreSharedKey(&PSK)).unwrap());
    assert!(!format!("{e} {e:?}").contains("1234567890"));
    assert!(!format!("{}", PskcError::WrongKeyOrPassword).contains("1234"));
}
