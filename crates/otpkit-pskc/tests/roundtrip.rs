//! Containers written here from random tokens (in the clear, under a pre-shared key
//! with an HMAC-SHA1 MAC key, or under a PBKDF2 password) import back to exactly the
//! same secrets and parameters; a flipped ciphertext byte is always caught.

use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, KeyInit, Mac};
use otpkit::{Algorithm, LengthPolicy};
use otpkit_pskc::{Decryption, KeyError, Kind, Options, import_with};
use proptest::prelude::*;

#[derive(Clone, Debug)]
struct Tok {
    secret: Vec<u8>,
    totp: bool,
    digits: u8,
    suite: usize,
    counter: u64,
    period: u64,
    drift: i64,
}

fn tok() -> impl Strategy<Value = Tok> {
    (
        prop::collection::vec(any::<u8>(), 1..=64),
        any::<bool>(),
        6u8..=9,
        0usize..3,
        any::<u64>().prop_map(|c| c >> 1),
        1u64..=300,
        -50i64..=50,
    )
        .prop_map(
            |(secret, totp, digits, suite, counter, period, drift)| Tok {
                secret,
                totp,
                digits,
                suite,
                counter,
                period,
                drift,
            },
        )
}

const SUITES: [(&str, Algorithm); 3] = [
    ("HMAC-SHA1", Algorithm::Sha1),
    ("HMAC-SHA256", Algorithm::Sha256),
    ("HMAC-SHA512", Algorithm::Sha512),
];

fn encrypt(key: &[u8; 16], iv: [u8; 16], plain: &[u8]) -> Vec<u8> {
    let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
        .unwrap()
        .encrypt_padded_vec::<Pkcs7>(plain);
    [&iv[..], &ct].concat()
}

fn b64(b: &[u8]) -> String {
    data_encoding::BASE64.encode(b)
}

/// Mode 0: clear; 1: pre-shared key; 2: password.
fn container(tokens: &[Tok], mode: u8, key: &[u8; 16], iv_seed: u8) -> String {
    let mac_key = [0x5a; 20];
    let method =
        r#"<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>"#;
    let mut iv = iv_seed;
    let mut next_iv = || {
        iv = iv.wrapping_add(1);
        [iv; 16]
    };
    let mut head = String::new();
    if mode == 1 {
        head.push_str("<EncryptionKey><ds:KeyName>k</ds:KeyName></EncryptionKey>");
    } else if mode == 2 {
        head.push_str(
            r#"<EncryptionKey><xenc11:DerivedKey><xenc11:KeyDerivationMethod Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2"><pkcs5:PBKDF2-params><Salt><Specified>c2FsdHNhbHQ=</Specified></Salt><IterationCount>10</IterationCount><KeyLength>16</KeyLength></pkcs5:PBKDF2-params></xenc11:KeyDerivationMethod></xenc11:DerivedKey></EncryptionKey>"#,
        );
    }
    if mode != 0 {
        head.push_str(&format!(
            r#"<MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"><MACKey>{method}<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></MACKey></MACMethod>"#,
            b64(&encrypt(key, next_iv(), &mac_key))
        ));
    }
    let mut body = String::new();
    for (i, t) in tokens.iter().enumerate() {
        let secret = if mode == 0 {
            format!("<PlainValue>{}</PlainValue>", b64(&t.secret))
        } else {
            let ct = encrypt(key, next_iv(), &t.secret);
            let mut m = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(&mac_key).unwrap();
            m.update(&ct);
            format!(
                "<EncryptedValue>{method}<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData></EncryptedValue><ValueMAC>{}</ValueMAC>",
                b64(&ct),
                b64(&m.finalize().into_bytes())
            )
        };
        let moving = if t.totp {
            format!(
                "<TimeInterval><PlainValue>{}</PlainValue></TimeInterval><TimeDrift><PlainValue>{}</PlainValue></TimeDrift>",
                t.period, t.drift
            )
        } else {
            format!("<Counter><PlainValue>{}</PlainValue></Counter>", t.counter)
        };
        body.push_str(&format!(
            r#"<KeyPackage><DeviceInfo><SerialNo>SN{i}</SerialNo></DeviceInfo><Key Id="k{i}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:{}"><AlgorithmParameters><Suite>{}</Suite><ResponseFormat Length="{}" Encoding="DECIMAL"/></AlgorithmParameters><Data><Secret>{secret}</Secret>{moving}</Data></Key></KeyPackage>"#,
            if t.totp { "totp" } else { "hotp" },
            SUITES[t.suite].0,
            t.digits,
        ));
    }
    format!(
        r#"<?xml version="1.0"?><KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" xmlns:xenc11="http://www.w3.org/2009/xmlenc11#" xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#">{head}{body}</KeyContainer>"#
    )
}

fn options() -> Options {
    Options {
        length_policy: LengthPolicy::AllowShort,
        ..Options::default()
    }
}

/// PBKDF2-HMAC-SHA1("pw", "saltsalt", 10, 16): the key `container` mode 2 needs.
fn password_key() -> [u8; 16] {
    let mut k = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(b"pw", b"saltsalt", 10, &mut k);
    k
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tokens_come_back_unchanged(tokens in prop::collection::vec(tok(), 1..5), mode in 0u8..3, psk: [u8; 16], iv: u8) {
        let key = if mode == 2 { password_key() } else { psk };
        let xml = container(&tokens, mode, &key, iv);
        let decryption = match mode {
            0 => Decryption::None,
            1 => Decryption::PreSharedKey(&psk),
            _ => Decryption::Password(b"pw"),
        };
        let import = import_with(xml.as_bytes(), decryption, &options()).unwrap();
        prop_assert_eq!(import.keys.len(), tokens.len());
        for (i, (t, report)) in tokens.iter().zip(&import.keys).enumerate() {
            let got = report.result.as_ref().unwrap();
            prop_assert_eq!(got.secret.as_bytes(), &t.secret[..]);
            prop_assert_eq!(got.algorithm, SUITES[t.suite].1);
            prop_assert_eq!(got.digits.get(), t.digits);
            let serial = format!("SN{i}");
            prop_assert_eq!(got.device.serial_number.as_deref(), Some(serial.as_str()));
            let expected = if t.totp {
                Kind::Totp { period: otpkit::Period::new(t.period).unwrap(), t0: 0, drift: t.drift }
            } else {
                Kind::Hotp { counter: t.counter }
            };
            prop_assert_eq!(got.kind, expected);
        }
    }

    #[test]
    fn a_flipped_ciphertext_byte_is_caught(t in tok(), psk: [u8; 16], at: prop::sample::Index, bit in 0u8..8) {
        let xml = container(std::slice::from_ref(&t), 1, &psk, 0);
        // The secret's CipherValue is the second one (the MAC key's comes first).
        let start = xml.match_indices("<xenc:CipherValue>").nth(1).unwrap().0 + "<xenc:CipherValue>".len();
        let end = start + xml[start..].find('<').unwrap();
        let mut ct = data_encoding::BASE64.decode(&xml.as_bytes()[start..end]).unwrap();
        let i = at.index(ct.len());
        ct[i] ^= 1 << bit;
        let tampered = format!("{}{}{}", &xml[..start], b64(&ct), &xml[end..]);
        let import = import_with(tampered.as_bytes(), Decryption::PreSharedKey(&psk), &options()).unwrap();
        prop_assert_eq!(
            import.keys[0].result.clone().unwrap_err(),
            KeyError::MacMismatch { field: "Secret" }
        );
    }
}
