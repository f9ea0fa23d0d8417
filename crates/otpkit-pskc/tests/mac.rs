//! The MAC of RFC 6030 §6.1.1 cannot be dodged. AES-CBC alone lets whoever alters
//! a file change a secret: flipping bits of the IV flips the same bits of the first
//! plaintext block. Each test builds such an alteration on a MACed container (RFC
//! 6030 Figure 6, or one written here the same way) together with a way around the
//! MAC — the `<ValueMAC>` deleted, the `<MACMethod>` deleted too, a secret in the
//! clear put in place of the encrypted one, a MAC key forged from known blocks —
//! and shows it refused; a container that never had a MAC imports only on request,
//! and says so on every token.

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, KeyInit, Mac};
use otpkit_pskc::{
    Decryption, Import, KeyError, Options, Protection, PskcError, import, import_with,
};

const FIGURE_6: &str = include_str!("data/rfc6030-figure-6.xml");
const FIGURE_3: &str = include_str!("data/rfc6030-figure-3.xml");

/// RFC 6030 Figure 6's pre-shared key.
const PSK: [u8; 16] = [
    0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12,
];
const SECRET: &[u8] = b"12345678901234567890";
/// What the attacker wants the secret to be: same length, first block changed.
const FORGED: &[u8] = b"ATTACKER901234567890";
/// Figure 6's secret, `IV ‖ ciphertext`.
const FIGURE_6_SECRET: &str = "AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv";
/// Figure 6's ValueMAC element, as written in the file.
const FIGURE_6_VALUE_MAC: &str =
    "<ValueMAC>Su+NvtQfmvfJzF6bmQiJqoLRExc=\n                    </ValueMAC>";

const AES128: &str =
    r#"<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>"#;
const HMAC_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
const MAC_KEY: [u8; 20] = [0x5a; 20];

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    data_encoding::BASE64.decode(text.as_bytes()).unwrap()
}

/// `IV ‖ AES-128-CBC(PSK, iv, plain)`.
fn encrypt(iv: [u8; 16], plain: &[u8]) -> Vec<u8> {
    let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(&PSK, &iv)
        .unwrap()
        .encrypt_padded_vec::<Pkcs7>(plain);
    [&iv[..], &ct].concat()
}

/// What `IV ‖ ciphertext` decrypts to under the PSK, as the importer would see it.
fn decrypt(value: &[u8]) -> Vec<u8> {
    let (iv, ct) = value.split_at(16);
    cbc::Decryptor::<aes::Aes128>::new_from_slices(&PSK, iv)
        .unwrap()
        .decrypt_padded_vec::<Pkcs7>(ct)
        .unwrap()
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// `value` with the IV changed so that its first block decrypts to `FORGED`'s
/// instead of `SECRET`'s: no key needed.
fn flip_iv(value: &[u8]) -> Vec<u8> {
    let mut v = value.to_vec();
    for i in 0..16 {
        v[i] ^= SECRET[i] ^ FORGED[i];
    }
    v
}

fn cipher_data(value: &[u8]) -> String {
    format!(
        "<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>",
        b64(value)
    )
}

fn encrypted_value(value: &[u8]) -> String {
    format!(
        "<EncryptedValue>{AES128}{}</EncryptedValue>",
        cipher_data(value)
    )
}

fn mac_method(mac_key_value: &[u8]) -> String {
    format!(
        r#"<MACMethod Algorithm="{HMAC_SHA1}"><MACKey>{AES128}{}</MACKey></MACMethod>"#,
        cipher_data(mac_key_value)
    )
}

/// One HOTP key with `data` in its `<Data>`.
fn key(id: &str, data: &str) -> String {
    format!(
        r#"<KeyPackage><DeviceInfo><SerialNo>S{id}</SerialNo></DeviceInfo><Key Id="{id}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"><AlgorithmParameters><ResponseFormat Length="8" Encoding="DECIMAL"/></AlgorithmParameters><Data>{data}</Data></Key></KeyPackage>"#
    )
}

fn container(head: &str, keys: &[String]) -> String {
    format!(
        r#"<?xml version="1.0"?><KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><EncryptionKey><ds:KeyName>Pre-shared-key</ds:KeyName></EncryptionKey>{head}{}</KeyContainer>"#,
        keys.concat()
    )
}

fn with_psk(xml: &str) -> Result<Import, PskcError> {
    import(xml.as_bytes(), Decryption::PreSharedKey(&PSK))
}

fn unauthenticated() -> Options {
    Options {
        allow_unauthenticated_encryption: true,
        ..Options::default()
    }
}

fn with_psk_unauthenticated(xml: &str) -> Result<Import, PskcError> {
    import_with(
        xml.as_bytes(),
        Decryption::PreSharedKey(&PSK),
        &unauthenticated(),
    )
}

fn only_error(import: &Import) -> KeyError {
    assert_eq!(import.keys.len(), 1);
    import.keys[0].result.clone().unwrap_err()
}

/// Figure 6 with the secret's IV flipped to `FORGED`, and its ValueMAC deleted.
fn figure_6_flipped_without_value_mac() -> String {
    let flipped = flip_iv(&unb64(FIGURE_6_SECRET));
    assert_eq!(decrypt(&flipped), FORGED, "the alteration is real");
    assert!(FIGURE_6.contains(FIGURE_6_VALUE_MAC));
    FIGURE_6
        .replace(FIGURE_6_SECRET, &b64(&flipped))
        .replace(FIGURE_6_VALUE_MAC, "")
}

#[test]
fn a_deleted_value_mac_is_refused_with_the_iv_altered() {
    let attack = figure_6_flipped_without_value_mac();
    for options in [Options::default(), unauthenticated()] {
        let import =
            import_with(attack.as_bytes(), Decryption::PreSharedKey(&PSK), &options).unwrap();
        assert_eq!(
            only_error(&import),
            KeyError::MissingValueMac { field: "Secret" },
            "{options:?}"
        );
        assert_eq!(import.keys[0].key_id.as_deref(), Some("12345678"));
        assert_eq!(import.keys[0].serial_number.as_deref(), Some("987654321"));
    }
    let message = KeyError::MissingValueMac { field: "Secret" }.to_string();
    assert!(message.contains("ValueMAC"), "{message}");
    let shown = format!("{:?}", with_psk(&attack).unwrap());
    assert!(!shown.contains("ATTACKER") && !shown.contains("1234567890"));
}

#[test]
fn deleting_the_mac_method_too_leaves_a_file_refused_unless_asked_and_then_flagged() {
    let attack = figure_6_flipped_without_value_mac();
    let start = attack.find("<MACMethod").unwrap();
    let end = attack.find("</MACMethod>").unwrap() + "</MACMethod>".len();
    let attack = format!("{}{}", &attack[..start], &attack[end..]);
    let refused = with_psk(&attack).unwrap_err();
    assert_eq!(refused, PskcError::NotIntegrityProtected);
    let message = refused.to_string();
    assert!(message.contains("not integrity-protected"), "{message}");
    assert!(
        message.contains("allow_unauthenticated_encryption"),
        "{message}"
    );
    // Refused before a key is even asked for: no key helps.
    assert_eq!(
        import(attack.as_bytes(), Decryption::None).unwrap_err(),
        PskcError::NotIntegrityProtected
    );
    // With the opt-in the altered secret comes through, as the flag warns.
    let imported = with_psk_unauthenticated(&attack).unwrap();
    let token = imported.keys[0].result.as_ref().unwrap();
    assert_eq!(token.secret.as_bytes(), FORGED);
    assert_eq!(token.protection, Protection::NotIntegrityProtected);
    assert!(!token.protection.is_integrity_protected());
    assert!(
        token
            .protection
            .to_string()
            .starts_with("not integrity-protected")
    );
}

#[test]
fn a_container_without_mac_imports_only_on_request_and_is_flagged() {
    let counter = encrypt([2; 16], b"7");
    let xml = container(
        "",
        &[key(
            "1",
            &format!(
                "<Secret>{}</Secret><Counter>{}</Counter>",
                encrypted_value(&encrypt([1; 16], SECRET)),
                encrypted_value(&counter)
            ),
        )],
    );
    assert_eq!(
        with_psk(&xml).unwrap_err(),
        PskcError::NotIntegrityProtected
    );
    let imported = with_psk_unauthenticated(&xml).unwrap();
    let token = imported.keys[0].result.as_ref().unwrap();
    assert_eq!(token.secret.as_bytes(), SECRET);
    assert_eq!(token.kind, otpkit_pskc::Kind::Hotp { counter: 7 });
    assert_eq!(token.protection, Protection::NotIntegrityProtected);
    // A wrong key is still caught by the padding check (this key, at least).
    let wrong = [0u8; 16];
    let wrong_key = import_with(
        xml.as_bytes(),
        Decryption::PreSharedKey(&wrong),
        &unauthenticated(),
    )
    .unwrap();
    assert!(wrong_key.keys[0].result.is_err());
    // MACed and plain containers say what they are.
    let figure_6 = with_psk(FIGURE_6).unwrap();
    let t = figure_6.keys[0].result.as_ref().unwrap();
    assert_eq!(t.protection, Protection::MacChecked);
    assert!(t.protection.is_integrity_protected());
    let figure_3 = import(FIGURE_3.as_bytes(), Decryption::None).unwrap();
    assert_eq!(
        figure_3.keys[0].result.as_ref().unwrap().protection,
        Protection::InTheClear
    );
    // Key-wrap ciphers carry their own integrity check: such a container without a
    // MAC is no reason to refuse the file; each key says its cipher is unsupported.
    let kw = xml.replace("aes128-cbc", "kw-aes128");
    assert!(matches!(
        only_error(&with_psk(&kw).unwrap()),
        KeyError::UnsupportedCipher(uri) if uri.ends_with("kw-aes128")
    ));
}

/// Three keys under one MAC key, each secret with its ValueMAC; `strip` says
/// which keys lose theirs (their IV flipped as well).
fn three_keys(strip: [bool; 3]) -> String {
    let mut keys = Vec::new();
    for (i, stripped) in strip.into_iter().enumerate() {
        let value = encrypt([10 + i as u8; 16], SECRET);
        let data = if stripped {
            format!("<Secret>{}</Secret>", encrypted_value(&flip_iv(&value)))
        } else {
            format!(
                "<Secret>{}<ValueMAC>{}</ValueMAC></Secret>",
                encrypted_value(&value),
                b64(&hmac_sha1(&MAC_KEY, &value))
            )
        };
        keys.push(key(&(i + 1).to_string(), &data));
    }
    container(&mac_method(&encrypt([9; 16], &MAC_KEY)), &keys)
}

#[test]
fn a_value_mac_on_some_keys_only_protects_those_and_refuses_the_others() {
    let import = with_psk(&three_keys([false, true, false])).unwrap();
    assert_eq!(import.keys.len(), 3);
    for i in [0, 2] {
        let t = import.keys[i].result.as_ref().unwrap();
        assert_eq!(t.secret.as_bytes(), SECRET);
        assert_eq!(t.protection, Protection::MacChecked);
    }
    assert_eq!(
        import.keys[1].result.clone().unwrap_err(),
        KeyError::MissingValueMac { field: "Secret" }
    );
    assert_eq!(import.keys[1].key_id.as_deref(), Some("2"));
    // An encrypted counter needs its MAC as much as the secret.
    let value = encrypt([1; 16], SECRET);
    let xml = container(
        &mac_method(&encrypt([9; 16], &MAC_KEY)),
        &[key(
            "1",
            &format!(
                "<Secret>{}<ValueMAC>{}</ValueMAC></Secret><Counter>{}</Counter>",
                encrypted_value(&value),
                b64(&hmac_sha1(&MAC_KEY, &value)),
                encrypted_value(&encrypt([2; 16], b"7"))
            ),
        )],
    );
    assert_eq!(
        only_error(&with_psk(&xml).unwrap()),
        KeyError::MissingValueMac { field: "Counter" }
    );
}

#[test]
fn a_mac_method_that_cannot_be_used_refuses_the_file() {
    let good = three_keys([false; 3]);
    assert_eq!(with_psk(&good).unwrap().tokens().count(), 3);
    for (from, to, expected) in [
        (
            HMAC_SHA1,
            "urn:example:mac",
            PskcError::UnsupportedMac("urn:example:mac".into()),
        ),
        (
            &format!(r#" Algorithm="{HMAC_SHA1}""#)[..],
            "",
            PskcError::UnsupportedMac(String::new()),
        ),
    ] {
        let xml = good.replace(from, to);
        for options in [Options::default(), unauthenticated()] {
            assert_eq!(
                import_with(xml.as_bytes(), Decryption::PreSharedKey(&PSK), &options).unwrap_err(),
                expected,
                "{to}"
            );
        }
    }
    // No MACKey.
    let start = good.find("<MACKey>").unwrap();
    let end = good.find("</MACKey>").unwrap() + "</MACKey>".len();
    let no_key = format!("{}{}", &good[..start], &good[end..]);
    assert_eq!(
        with_psk(&no_key).unwrap_err(),
        PskcError::MacKey("no MACKey")
    );
    // A MAC key that does not decrypt (its last block altered, so the padding
    // breaks) is a wrong key or an altered file: nothing is imported.
    let mac_key_value = encrypt([9; 16], &MAC_KEY);
    let mut broken = mac_key_value.clone();
    *broken.last_mut().unwrap() ^= 0x80;
    let xml = good.replace(&b64(&mac_key_value), &b64(&broken));
    assert_eq!(with_psk(&xml).unwrap_err(), PskcError::WrongKeyOrPassword);
    // A MAC key under a cipher not decrypted here.
    let xml = good.replacen("aes128-cbc", "kw-aes128", 1);
    assert_eq!(
        with_psk(&xml).unwrap_err(),
        PskcError::MacKey("unsupported cipher")
    );
}

/// A MAC key the attacker knows, made without the PSK from ciphertext blocks whose
/// plaintext they know, with the IV chosen so that the first block decrypts to
/// their key: then every ValueMAC can be recomputed after the IV flip.
fn forged(mac_key_value: &[u8], mac_key: &[u8], extra_data: &str) -> String {
    let flipped = flip_iv(&encrypt([1; 16], SECRET));
    container(
        &mac_method(mac_key_value),
        &[key(
            "1",
            &format!(
                "<Secret>{}<ValueMAC>{}</ValueMAC></Secret>{extra_data}",
                encrypted_value(&flipped),
                b64(&hmac_sha1(mac_key, &flipped))
            ),
        )],
    )
}

#[test]
fn a_short_mac_key_chosen_through_its_iv_is_refused() {
    // One block encrypted under the same PSK with known plaintext (from another file,
    // say): D(C) = plaintext XOR iv. A chosen IV makes C decrypt to any 15 bytes
    // plus one byte of padding.
    let known = b"sixteen bytes...";
    let other = encrypt([7; 16], known);
    let block = &other[16..32];
    let chosen: [u8; 15] = *b"attacker chosen";
    let mut iv = [0u8; 16];
    for i in 0..16 {
        let wanted = if i < 15 { chosen[i] } else { 0x01 };
        iv[i] = known[i] ^ 7 ^ wanted;
    }
    let mac_key_value = [&iv[..], block].concat();
    assert_eq!(
        decrypt(&mac_key_value),
        chosen,
        "the forged MAC key is real"
    );
    let xml = forged(&mac_key_value, &chosen, "");
    assert_eq!(
        with_psk(&xml).unwrap_err(),
        PskcError::MacKey("shorter than 16 bytes")
    );
}

#[test]
fn a_mac_key_spliced_from_the_files_own_ciphertext_is_refused() {
    // The file holds an encrypted counter whose plaintext the attacker knows (16
    // digits): its first block has a known decryption and its second is all
    // padding. Those two blocks behind a chosen IV decrypt to a 16-byte key of the
    // attacker's choice.
    let counter_text = b"0000000000000042";
    let counter = encrypt([3; 16], counter_text);
    let chosen: [u8; 16] = *b"attacker's key!!";
    let mut iv = [0u8; 16];
    for i in 0..16 {
        iv[i] = counter_text[i] ^ 3 ^ chosen[i];
    }
    let mac_key_value = [&iv[..], &counter[16..48]].concat();
    assert_eq!(
        decrypt(&mac_key_value),
        chosen,
        "the forged MAC key is real"
    );
    let counter_data = format!(
        "<Counter>{}<ValueMAC>{}</ValueMAC></Counter>",
        encrypted_value(&counter),
        b64(&hmac_sha1(&chosen, &counter))
    );
    let xml = forged(&mac_key_value, &chosen, &counter_data);
    assert_eq!(
        with_psk(&xml).unwrap_err(),
        PskcError::MacKey("its ciphertext repeats a block of another encrypted value")
    );
}

#[test]
fn a_secret_in_the_clear_is_refused_where_encryption_is_expected() {
    // Figure 6 with its encrypted secret and MAC replaced by a secret in the clear.
    let start = FIGURE_6.find("<EncryptedValue>").unwrap();
    let end = FIGURE_6.find("</ValueMAC>").unwrap() + "</ValueMAC>".len();
    let plain = format!(
        "{}<PlainValue>{}</PlainValue>{}",
        &FIGURE_6[..start],
        b64(FORGED),
        &FIGURE_6[end..]
    );
    for options in [Options::default(), unauthenticated()] {
        let import =
            import_with(plain.as_bytes(), Decryption::PreSharedKey(&PSK), &options).unwrap();
        assert_eq!(only_error(&import), KeyError::SecretNotEncrypted);
    }
    // A whole file in the clear, opened with a key: nothing shows it was not
    // swapped for the encrypted one.
    assert_eq!(
        only_error(&with_psk(FIGURE_3).unwrap()),
        KeyError::SecretNotEncrypted
    );
    assert_eq!(
        only_error(&import(FIGURE_3.as_bytes(), Decryption::Password(b"qwerty")).unwrap()),
        KeyError::SecretNotEncrypted
    );
    // The clear text added beside the encrypted value (which would win if read
    // first) makes the value invalid, with or without a key.
    let both = FIGURE_6.replace(
        "<EncryptedValue>",
        &format!("<PlainValue>{}</PlainValue><EncryptedValue>", b64(FORGED)),
    );
    assert_eq!(
        only_error(&with_psk(&both).unwrap()),
        KeyError::InvalidValue { field: "Secret" }
    );
    let plain_both = container(
        "",
        &[key(
            "1",
            &format!(
                "<Secret><PlainValue>{}</PlainValue>{}</Secret>",
                b64(FORGED),
                encrypted_value(&encrypt([1; 16], SECRET))
            ),
        )],
    );
    assert_eq!(
        with_psk(&plain_both).unwrap_err(),
        PskcError::NotIntegrityProtected
    );
    let both_opted_in = import_with(
        plain_both.as_bytes(),
        Decryption::PreSharedKey(&PSK),
        &unauthenticated(),
    )
    .unwrap();
    assert_eq!(
        only_error(&both_opted_in),
        KeyError::InvalidValue { field: "Secret" }
    );
}

#[test]
fn a_mac_over_anything_but_iv_and_ciphertext_is_refused() {
    let value = encrypt([1; 16], SECRET);
    let full = hmac_sha1(&MAC_KEY, &value);
    for (what, mac) in [
        (
            "the ciphertext without its IV",
            hmac_sha1(&MAC_KEY, &value[16..]),
        ),
        ("the plaintext", hmac_sha1(&MAC_KEY, SECRET)),
        ("under the PSK", hmac_sha1(&PSK, &value)),
        ("truncated to 10 bytes", full[..10].to_vec()),
    ] {
        let xml = container(
            &mac_method(&encrypt([9; 16], &MAC_KEY)),
            &[key(
                "1",
                &format!(
                    "<Secret>{}<ValueMAC>{}</ValueMAC></Secret>",
                    encrypted_value(&value),
                    b64(&mac)
                ),
            )],
        );
        assert_eq!(
            only_error(&with_psk(&xml).unwrap()),
            KeyError::MacMismatch { field: "Secret" },
            "{what}"
        );
    }
}
