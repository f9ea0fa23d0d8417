//! Password-derived keys (RFC 6030 §6.2) with each PBKDF2 pseudo-random function,
//! the iteration counts refused before deriving, which bytes the MAC-key splice
//! check compares, and a `Decryption`'s `Debug`, which names the kind of key only.

use aes::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, KeyInit, Mac};
use otpkit_pskc::{Decryption, Import, Protection, PskcError, import};

const FIGURE_6: &str = include_str!("data/rfc6030-figure-6.xml");
const FIGURE_7: &str = include_str!("data/rfc6030-figure-7.xml");

/// RFC 6030 Figure 6's pre-shared key.
const PSK: [u8; 16] = [
    0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12,
];
const SECRET: &[u8] = b"12345678901234567890";
const PASSWORD: &[u8] = b"correct horse";
const SALT: [u8; 8] = *b"NaClNaCl";
const MAC_KEY: [u8; 20] = [0x5a; 20];
const PRF_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
const PRF_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
const PRF_SHA512: &str = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512";

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64.encode(bytes)
}

/// `IV ‖ AES-128-CBC(key, iv, plain)`.
fn encrypt(key: &[u8; 16], iv: [u8; 16], plain: &[u8]) -> Vec<u8> {
    let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(key, &iv)
        .unwrap()
        .encrypt_padded_vec::<Pkcs7>(plain);
    [&iv[..], &ct].concat()
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).unwrap();
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The 16-byte PBKDF2 key of `PASSWORD` and `SALT` over 100 iterations of `prf`.
fn derive(prf: &str) -> [u8; 16] {
    let mut key = [0u8; 16];
    match prf {
        PRF_SHA1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(PASSWORD, &SALT, 100, &mut key),
        PRF_SHA256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(PASSWORD, &SALT, 100, &mut key),
        PRF_SHA512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(PASSWORD, &SALT, 100, &mut key),
        other => panic!("no PRF {other}"),
    }
    key
}

const AES128: &str =
    r#"<xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>"#;

fn cipher_data(value: &[u8]) -> String {
    format!(
        "<xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData>",
        b64(value)
    )
}

/// A container whose key is PBKDF2 of `PASSWORD` with `<PRF Algorithm="{prf}">`,
/// its MAC key and one HOTP secret encrypted (and MACed) under `key`.
fn password_container(prf: &str, key: &[u8; 16]) -> String {
    let mac_key = encrypt(key, [1; 16], &MAC_KEY);
    let secret = encrypt(key, [2; 16], SECRET);
    format!(
        r#"<?xml version="1.0"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc"
  xmlns:xenc11="http://www.w3.org/2009/xmlenc11#"
  xmlns:pkcs5="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#"
  xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">
  <EncryptionKey><xenc11:DerivedKey><xenc11:KeyDerivationMethod
    Algorithm="http://www.rsasecurity.com/rsalabs/pkcs/schemas/pkcs-5v2-0#pbkdf2">
    <pkcs5:PBKDF2-params><Salt><Specified>{salt}</Specified></Salt>
      <IterationCount>100</IterationCount><KeyLength>16</KeyLength>
      <PRF Algorithm="{prf}"/></pkcs5:PBKDF2-params>
  </xenc11:KeyDerivationMethod></xenc11:DerivedKey></EncryptionKey>
  <MACMethod Algorithm="http://www.w3.org/2000/09/xmldsig#hmac-sha1"><MACKey>{AES128}{mac_key}</MACKey></MACMethod>
  <KeyPackage><Key Id="1" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp"><Data>
    <Secret><EncryptedValue>{AES128}{secret}</EncryptedValue><ValueMAC>{mac}</ValueMAC></Secret>
  </Data></Key></KeyPackage>
</KeyContainer>"#,
        salt = b64(&SALT),
        mac_key = cipher_data(&mac_key),
        secret = cipher_data(&secret),
        mac = b64(&hmac_sha1(&MAC_KEY, &secret)),
    )
}

fn secret_of(import: &Import) -> Vec<u8> {
    assert_eq!(import.keys.len(), 1);
    let token = import.keys[0].result.as_ref().unwrap();
    assert_eq!(token.protection, Protection::MacChecked);
    token.secret.as_bytes().to_vec()
}

#[test]
fn each_pbkdf2_prf_derives_the_key_it_names() {
    for prf in [PRF_SHA1, PRF_SHA256, PRF_SHA512] {
        let xml = password_container(prf, &derive(prf));
        let import = import(xml.as_bytes(), Decryption::Password(PASSWORD))
            .unwrap_or_else(|e| panic!("{prf}: {e}"));
        assert_eq!(secret_of(&import), SECRET, "{prf}");
    }
    // The PRF is what the file names: a file encrypted under the SHA-256 key but
    // naming SHA-512 derives another key, which does not decrypt its MAC key.
    let xml = password_container(PRF_SHA512, &derive(PRF_SHA256));
    assert_eq!(
        import(xml.as_bytes(), Decryption::Password(PASSWORD)).unwrap_err(),
        PskcError::WrongKeyOrPassword
    );
    let xml = password_container("http://www.w3.org/2001/04/xmldsig-more#hmac-md5", &[0; 16]);
    assert_eq!(
        import(xml.as_bytes(), Decryption::Password(PASSWORD)).unwrap_err(),
        PskcError::KeyDerivation("unsupported PRF")
    );
}

#[test]
fn an_iteration_count_of_zero_is_refused_as_unusable() {
    for count in ["0", "-1", "many"] {
        let xml = FIGURE_7.replace(
            "<IterationCount>1000<",
            &format!("<IterationCount>{count}<"),
        );
        assert_eq!(
            import(xml.as_bytes(), Decryption::Password(b"qwerty")).unwrap_err(),
            PskcError::KeyDerivation("no usable iteration count"),
            "{count}"
        );
    }
}

#[test]
fn the_splice_check_compares_the_mac_key_with_cipher_values_only() {
    // Figure 6's MAC key ciphertext, written again as a device's manufacturer text:
    // text is not decrypted, so its bytes give nobody a known plaintext, and the
    // file imports.
    let mac_key_value = "ESIzRFVmd4iZABEiM0RVZgKn6WjLaTC1sbeBMSvIhRejN9vJa2BOlSaMrR7I5wSX";
    assert!(FIGURE_6.contains(mac_key_value));
    let xml = FIGURE_6.replace(
        "<Manufacturer>Manufacturer</Manufacturer>",
        &format!("<Manufacturer>{mac_key_value}</Manufacturer>"),
    );
    let import = import(xml.as_bytes(), Decryption::PreSharedKey(&PSK)).unwrap();
    assert_eq!(secret_of(&import), SECRET);
    assert_eq!(
        import.keys[0]
            .result
            .as_ref()
            .unwrap()
            .device
            .manufacturer
            .as_deref(),
        Some(mac_key_value)
    );
}

#[test]
fn a_decryption_shows_its_kind_but_never_the_key_or_password() {
    assert_eq!(format!("{:?}", Decryption::None), "Decryption::None");
    assert_eq!(
        format!("{:?}", Decryption::PreSharedKey(&PSK)),
        "Decryption::PreSharedKey(..)"
    );
    assert_eq!(
        format!("{:?}", Decryption::Password(b"hunter2")),
        "Decryption::Password(..)"
    );
}
