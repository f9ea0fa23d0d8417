//! Google Authenticator export (`otpauth-migration://`): hand-made payloads checked
//! against the protobuf schema, encoder round trips, and every error.
#![cfg(feature = "alloc")]

#[path = "support/cases.rs"]
mod cases;

use base64::Engine as _;
use otpkit::migration::{
    self, EncodeError, EntryError, MAX_MIGRATION_URI_LEN, MigrationError, decode, decode_batch,
    encode, encode_with_batch_id,
};
use otpkit::otpauth::{Account, Kind};
use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret};
use proptest::prelude::*;

/// A MigrationPayload written byte by byte from the schema in `migration.rs`
/// (field key = tag << 3 | wire type; wire type 0 varint, 2 length-delimited):
const HAND_MADE: &[u8] = &[
    // otp_parameters (1, len 42): a TOTP entry whose name carries the issuer prefix
    0x0a, 0x2a, //
    0x0a, 0x0a, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x21, 0xde, 0xad, 0xbe,
    0xef, // secret "Hello!\xde\xad\xbe\xef"
    0x12, 0x0d, b'E', b'x', b'a', b'm', b'p', b'l', b'e', b':', b'a', b'l', b'i', b'c',
    b'e', // name "Example:alice"
    0x1a, 0x07, b'E', b'x', b'a', b'm', b'p', b'l', b'e', // issuer "Example"
    0x20, 0x01, // algorithm SHA1
    0x28, 0x01, // digits SIX
    0x30, 0x02, // type TOTP
    // otp_parameters (1, len 43): an MD5 entry with a unicode name and no issuer
    0x0a, 0x2b, //
    0x0a, 0x14, 0xfb, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, // secret, 20 bytes
    0x12, 0x0d, 0x42, 0x6a, 0xc3, 0xb6, 0x72, 0x6b, 0x3a, 0xc3, 0xbc, 0xc3, 0xb1, 0xc3,
    0xae, // name "Björk:üñî"
    0x20, 0x04, // algorithm MD5
    0x28, 0x01, // digits SIX
    0x30, 0x02, // type TOTP
    // otp_parameters (1, len 47): HOTP, SHA256, eight digits, counter 42
    0x0a, 0x2f, //
    0x0a, 0x14, b'1', b'2', b'3', b'4', b'5', b'6', b'7', b'8', b'9', b'0', b'1', b'2', b'3', b'4',
    b'5', b'6', b'7', b'8', b'9', b'0', // secret "12345678901234567890"
    0x12, 0x09, b'h', b'o', b't', b'p', b'-', b'u', b's', b'e', b'r', // name "hotp-user"
    0x1a, 0x04, b'C', b'o', b'r', b'p', // issuer "Corp"
    0x20, 0x02, // algorithm SHA256
    0x28, 0x02, // digits EIGHT
    0x30, 0x01, // type HOTP
    0x38, 0x2a, // counter 42
    0x10, 0x01, // version 1
    0x18, 0x01, // batch_size 1
    0x20, 0x00, // batch_index 0
    // batch_id -1: a negative int32 is sign-extended to 64 bits, a 10-byte varint
    0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
];

/// HAND_MADE in standard base64, written by Python's `base64.b64encode`; it contains
/// raw `+` and `/`, as real exports pasted from some QR readers do.
const HAND_MADE_B64: &str = "CioKCkhlbGxvId6tvu8SDUV4YW1wbGU6YWxpY2UaB0V4YW1wbGUgASgBMAIKKwoU+/8AESIzRFVmd4iZqrvM3e7/ABESDUJqw7ZyazrDvMOxw64gBCgBMAIKLwoUMTIzNDU2Nzg5MDEyMzQ1Njc4OTASCWhvdHAtdXNlchoEQ29ycCACKAIwATgqEAEYASAAKP///////////wE=";

fn check_hand_made(batch: &migration::Batch) {
    assert_eq!(batch.version, 1);
    assert_eq!(batch.batch_size, 1);
    assert_eq!(batch.batch_index, 0);
    assert_eq!(batch.batch_id, -1);
    assert_eq!(batch.entries.len(), 3);

    // A TOTP entry with the defaults (SHA1, six digits, 30 s), no extra parameters.
    let secret = Secret::from_bytes_with(b"Hello!\xde\xad\xbe\xef", LengthPolicy::AllowShort);
    let first = Account::totp_with_secret("Example", "alice", secret.unwrap());
    assert_eq!(batch.entries[0], Ok(first));

    // The MD5 entry fails alone.
    assert_eq!(batch.entries[1], Err(EntryError::Md5));

    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let mut third = Account::totp_with_secret("Corp", "hotp-user", secret);
    (third.algorithm, third.digits) = (Algorithm::Sha256, Digits::EIGHT);
    third.kind = Kind::Hotp { counter: 42 };
    assert_eq!(batch.entries[2], Ok(third));
}

#[test]
fn hand_made_payload_percent_encoded() {
    let b64 = base64::engine::general_purpose::STANDARD.encode(HAND_MADE);
    assert_eq!(
        b64, HAND_MADE_B64,
        "the Python encoding and the bytes agree"
    );
    let data: String = b64
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    check_hand_made(&decode_batch(&format!("otpauth-migration://offline?data={data}")).unwrap());
}

#[test]
fn raw_plus_and_slash_in_data_are_not_spaces() {
    assert!(HAND_MADE_B64.contains('+') && HAND_MADE_B64.contains('/'));
    check_hand_made(
        &decode_batch(&format!("otpauth-migration://offline?data={HAND_MADE_B64}")).unwrap(),
    );
    // Unpadded, upper-case scheme, surrounding whitespace.
    let unpadded = HAND_MADE_B64.trim_end_matches('=');
    check_hand_made(
        &decode_batch(&format!("  OTPAUTH-MIGRATION://OFFLINE?DATA={unpadded}\n")).unwrap(),
    );
    // A '+' a form decoder already turned into a space still reads as '+'.
    let spaced = HAND_MADE_B64.replace('+', " ");
    check_hand_made(&decode_batch(&format!("otpauth-migration://offline?data={spaced}")).unwrap());
}

/// The accounts of one `otpauth-migration://` URI, every entry required to decode.
fn decode_all(uri: &str) -> Vec<Account> {
    decode(uri)
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

fn account(issuer: Option<&str>, name: &str, kind: Kind) -> Account {
    Account {
        issuer: issuer.map(String::from),
        name: name.into(),
        secret: Secret::from_bytes(&[name.len() as u8; 20]).unwrap(),
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
        kind,
        pin: None,
        extra: vec![],
    }
}

const TOTP: Kind = Kind::Totp {
    period: Period::DEFAULT,
};

#[test]
fn single_account_round_trip() {
    let a = account(Some("Example"), "alice@example.com", TOTP);
    let uris = encode(std::slice::from_ref(&a), 10).unwrap();
    assert_eq!(uris.len(), 1);
    let data = uris[0]
        .strip_prefix("otpauth-migration://offline?data=")
        .unwrap();
    // Base64's '+', '/' and '=' are percent-encoded.
    assert!(
        data.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'%'),
        "{data}"
    );
    let batch = decode_batch(&uris[0]).unwrap();
    assert_eq!(batch.entries, vec![Ok(a)]);
    assert_eq!(
        (batch.version, batch.batch_size, batch.batch_index),
        (1, 1, 0)
    );
}

#[test]
fn batches_split_and_round_trip() {
    let accounts: Vec<Account> = (0..25)
        .map(|i| account(Some("Svc"), &format!("user{i}"), TOTP))
        .collect();
    let uris = encode_with_batch_id(&accounts, 10, -123_456).unwrap();
    assert_eq!(uris.len(), 3);
    let mut all = Vec::new();
    for (i, uri) in uris.iter().enumerate() {
        let batch = decode_batch(uri).unwrap();
        assert_eq!(batch.batch_size, 3);
        assert_eq!(batch.batch_index, i as i32);
        assert_eq!(batch.batch_id, -123_456);
        assert_eq!(batch.entries.len(), if i < 2 { 10 } else { 5 });
        all.extend(batch.entries.into_iter().map(Result::unwrap));
    }
    assert_eq!(all, accounts);
    // The default batch id is the same for every URI of one export.
    let uris = encode(&accounts, 10).unwrap();
    let ids: Vec<i32> = uris
        .iter()
        .map(|u| decode_batch(u).unwrap().batch_id)
        .collect();
    assert!(ids.iter().all(|&id| id == ids[0] && id >= 0), "{ids:?}");
}

#[test]
fn hotp_unicode_and_every_algorithm_round_trip() {
    let mut accounts = vec![
        account(Some("Bücher & Co"), "Jürgen ✓", Kind::Hotp { counter: 7 }),
        account(None, "日本:太郎", TOTP),
        account(
            None,
            "plain",
            Kind::Hotp {
                counter: i64::MAX as u64,
            },
        ),
        account(Some("A:B"), "c:d", TOTP),
    ];
    accounts[0].algorithm = Algorithm::Sha256;
    accounts[0].digits = Digits::EIGHT;
    accounts[1].algorithm = Algorithm::Sha512;
    let uris = encode(&accounts, 10).unwrap();
    assert_eq!(decode_all(&uris[0]), accounts);
}

/// The length limit leaves room for a whole export pasted as one URI (here 300
/// accounts, several times what one QR code holds); the limit itself is inclusive.
#[test]
fn a_whole_export_in_one_uri_is_read() {
    let accounts: Vec<Account> = (0..300)
        .map(|i| account(Some("Example"), &format!("user{i}@example.com"), TOTP))
        .collect();
    let uris = encode(&accounts, accounts.len()).unwrap();
    assert_eq!(uris.len(), 1);
    assert!(uris[0].len() > 16 * 1024, "{}", uris[0].len());
    assert!(uris[0].len() <= MAX_MIGRATION_URI_LEN);
    assert_eq!(decode_all(&uris[0]), accounts);
    // Padded with a parameter the decoder ignores: exactly the limit is read, one
    // byte more is too long.
    let pad = MAX_MIGRATION_URI_LEN - uris[0].len() - "&pad=".len();
    let at_max = format!("{}&pad={}", uris[0], "x".repeat(pad));
    assert_eq!(at_max.len(), MAX_MIGRATION_URI_LEN);
    assert_eq!(decode(&at_max).unwrap().len(), accounts.len());
    assert_eq!(
        decode(&format!("{at_max}x")).unwrap_err(),
        MigrationError::TooLong {
            len: MAX_MIGRATION_URI_LEN + 1
        }
    );
}

/// What each error says (shown to someone importing an export), and which wraps
/// a cause.
#[test]
fn error_messages_and_sources() {
    use std::error::Error as _;
    let secret = otpkit::SecretError::Empty;
    // Each error, then what it says, in the same order.
    let entry_errors = [
        EntryError::Md5,
        EntryError::UnknownAlgorithm { value: 5 },
        EntryError::UnknownDigits { value: 3 },
        EntryError::UnknownType { value: 0 },
        EntryError::NegativeCounter,
        EntryError::InvalidUtf8,
    ];
    assert_eq!(
        entry_errors.map(|e| e.to_string()),
        [
            "the account uses MD5, which is not supported",
            "unknown algorithm number 5",
            "unknown digit-count number 3",
            "OTP type 0 is neither HOTP (1) nor TOTP (2)",
            "the HOTP counter is negative",
            "the account name or issuer is not UTF-8",
        ]
    );
    for e in entry_errors {
        assert!(e.source().is_none(), "{e:?}");
    }
    let wrapped = EntryError::Secret(secret);
    assert_eq!(wrapped.to_string(), format!("bad secret: {secret}"));
    assert_eq!(
        wrapped.source().map(|s| s.to_string()),
        Some(secret.to_string())
    );

    let encode_errors = [
        EncodeError::ZeroBatchSize,
        EncodeError::TooManyBatches,
        EncodeError::DigitsUnsupported {
            index: 2,
            digits: 7,
        },
        EncodeError::PeriodUnsupported {
            index: 0,
            seconds: 60,
        },
        EncodeError::SteamUnsupported { index: 1 },
        EncodeError::CounterTooLarge { index: 3 },
    ];
    assert_eq!(
        encode_errors.map(|e| e.to_string()),
        [
            "accounts per batch must be at least 1",
            "too many batches",
            "account 2 has 7 digits; Google Authenticator exports only 6 or 8",
            "account 0 has a 60-second period; Google Authenticator exports only 30",
            "account 1 is a Steam account, which Google Authenticator cannot export",
            "account 3's HOTP counter is larger than Google Authenticator can store",
        ]
    );
}

#[test]
fn google_name_prefix_rules() {
    // Hand-made entries: name "Other:bob" with issuer "Svc" keeps the whole name;
    // name "Svc:  bob" with issuer "Svc" loses the prefix and the spaces.
    let entry = |name: &[u8], issuer: &[u8]| -> Vec<u8> {
        let mut e = vec![0x0a, 0x10];
        e.extend([7u8; 16]);
        e.push(0x12);
        e.push(name.len() as u8);
        e.extend(name);
        e.push(0x1a);
        e.push(issuer.len() as u8);
        e.extend(issuer);
        e.extend([0x30, 0x02]);
        let mut out = vec![0x0a, e.len() as u8];
        out.extend(e);
        out
    };
    let mut payload = entry(b"Other:bob", b"Svc");
    payload.extend(entry(b"Svc:  bob", b"Svc"));
    payload.extend(entry(b"NoIssuer: bob", b""));
    // UTF-8 by hand: name "Ü:✓" (C3 9C, ':', E2 9C 93), issuer "" -> issuer "Ü".
    payload.extend(entry(&[0xc3, 0x9c, b':', 0xe2, 0x9c, 0x93], b""));
    // Name " a" with issuer "I" but no "I:" prefix (an input the fuzz target found).
    payload.extend(entry(b" a", b"I"));
    let b64 = base64::engine::general_purpose::STANDARD.encode(&payload);
    let entries = decode(&format!("otpauth-migration://offline?data={b64}")).unwrap();
    let accounts: Vec<Account> = entries.into_iter().map(|e| e.unwrap()).collect();
    // decode -> encode -> decode is a fixed point for every one of them.
    let again: Vec<Account> = migration::encode(&accounts, 10)
        .unwrap()
        .iter()
        .flat_map(|uri| decode(uri).unwrap())
        .map(|e| e.unwrap())
        .collect();
    assert_eq!(again, accounts);
    let labels: Vec<(Option<String>, String)> =
        accounts.into_iter().map(|a| (a.issuer, a.name)).collect();
    assert_eq!(
        labels,
        vec![
            (Some("Svc".into()), "Other:bob".into()),
            (Some("Svc".into()), "bob".into()),
            (Some("NoIssuer".into()), "bob".into()),
            (Some("Ü".into()), "✓".into()),
            (Some("I".into()), "a".into()),
        ]
    );
}

#[test]
fn entry_errors_are_per_entry() {
    // Each entry: 16-byte secret, then one varint field under test, type TOTP unless
    // the type is what is tested.
    let entry = |extra: &[u8]| -> Vec<u8> {
        let mut e = vec![0x0a, 0x10];
        e.extend([9u8; 16]);
        e.extend(extra);
        let mut out = vec![0x0a, e.len() as u8];
        out.extend(e);
        out
    };
    let cases: Vec<(Vec<u8>, Result<(), EntryError>)> = vec![
        (entry(&[0x30, 0x02]), Ok(())),
        (
            entry(&[0x20, 0x05, 0x30, 0x02]),
            Err(EntryError::UnknownAlgorithm { value: 5 }),
        ),
        (
            entry(&[0x28, 0x03, 0x30, 0x02]),
            Err(EntryError::UnknownDigits { value: 3 }),
        ),
        (entry(&[]), Err(EntryError::UnknownType { value: 0 })),
        (
            entry(&[0x30, 0x03]),
            Err(EntryError::UnknownType { value: 3 }),
        ),
        // HOTP with counter -1 (10-byte varint).
        (
            entry(&[
                0x30, 0x01, 0x38, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ]),
            Err(EntryError::NegativeCounter),
        ),
        // name 0xff: not UTF-8.
        (
            entry(&[0x12, 0x01, 0xff, 0x30, 0x02]),
            Err(EntryError::InvalidUtf8),
        ),
    ];
    let mut payload = Vec::new();
    for (bytes, _) in &cases {
        payload.extend(bytes);
    }
    // An entry with an empty secret.
    payload.extend([0x0a, 0x02, 0x30, 0x02]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&payload);
    let entries = decode(&format!("otpauth-migration://offline?data={b64}")).unwrap();
    assert_eq!(entries.len(), cases.len() + 1);
    for (got, (_, expected)) in entries.iter().zip(&cases) {
        assert_eq!(got.as_ref().map(|_| ()).map_err(|e| *e), *expected);
    }
    assert_eq!(
        entries.last().unwrap().as_ref().unwrap_err(),
        &EntryError::Secret(otpkit::SecretError::Empty)
    );
    for (_, expected) in cases {
        if let Err(e) = expected {
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn uri_level_errors() {
    let cases = [
        (
            "otpauth://totp/x?secret=AAAA".to_string(),
            MigrationError::NotMigrationUri,
        ),
        (
            "otpauth-migration://online?data=AA".to_string(),
            MigrationError::NotMigrationUri,
        ),
        (
            "otpauth-migration://offline".to_string(),
            MigrationError::MissingData,
        ),
        (
            "otpauth-migration://offline?x=1".to_string(),
            MigrationError::MissingData,
        ),
        (
            "otpauth-migration://offline?data=AA&data=AA".to_string(),
            MigrationError::DuplicateData,
        ),
        (
            "otpauth-migration://offline?data=A!B".to_string(),
            MigrationError::InvalidBase64,
        ),
        (
            "otpauth-migration://offline?data=A".to_string(),
            MigrationError::InvalidBase64,
        ),
        // 0x0a 0x05 0x01: a length-delimited field longer than what follows.
        (
            "otpauth-migration://offline?data=CgUB".to_string(),
            MigrationError::InvalidProtobuf,
        ),
        (
            format!(
                "otpauth-migration://offline?data={}",
                "A".repeat(MAX_MIGRATION_URI_LEN)
            ),
            MigrationError::TooLong {
                len: MAX_MIGRATION_URI_LEN + 33,
            },
        ),
    ];
    for (uri, expected) in cases {
        assert_eq!(decode(&uri).unwrap_err(), expected, "{uri}");
        assert!(!expected.to_string().is_empty());
    }
    // An empty payload is a valid, empty export.
    assert_eq!(decode("otpauth-migration://offline?data=").unwrap(), vec![]);
}

#[test]
fn unrepresentable_accounts_are_encode_errors() {
    let mut seven = account(None, "a", TOTP);
    seven.digits = Digits::new(7).unwrap();
    let sixty = account(
        None,
        "b",
        Kind::Totp {
            period: Period::new(60).unwrap(),
        },
    );
    let steam = account(Some("Steam"), "c", Kind::Steam);
    let huge = account(None, "d", Kind::Hotp { counter: u64::MAX });
    let ok = account(None, "ok", TOTP);
    assert_eq!(
        encode(&[ok.clone(), seven], 10),
        Err(EncodeError::DigitsUnsupported {
            index: 1,
            digits: 7
        })
    );
    assert_eq!(
        encode(&[sixty], 10),
        Err(EncodeError::PeriodUnsupported {
            index: 0,
            seconds: 60
        })
    );
    assert_eq!(
        encode(&[steam], 10),
        Err(EncodeError::SteamUnsupported { index: 0 })
    );
    assert_eq!(
        encode(&[huge], 10),
        Err(EncodeError::CounterTooLarge { index: 0 })
    );
    assert_eq!(encode(&[ok], 0), Err(EncodeError::ZeroBatchSize));
    assert_eq!(encode(&[], 10).unwrap().len(), 1);
}

#[test]
fn errors_and_debug_never_show_the_secret() {
    let a = account(Some("X"), "y", TOTP);
    let b32 = a.secret.base32().to_string();
    let uri = &encode(&[a], 1).unwrap()[0];
    let batch = decode_batch(uri).unwrap();
    let debug = format!("{batch:?}");
    assert!(debug.contains("len: 20"), "{debug}");
    assert!(!debug.contains("[1, 1, 1"), "{debug}");
    assert!(!debug.contains(&b32), "{debug}");
}

fn name_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9:@ .é日✓+/=%&]{0,12}".prop_filter("leading space", |s| !s.starts_with(' '))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases::cases(256)))]

    #[test]
    fn encode_decode_round_trip(
        raw in prop::collection::vec((
            prop::option::of(name_text().prop_filter("empty", |s| !s.is_empty())),
            name_text(),
            prop::collection::vec(any::<u8>(), 1..=128),
            prop::sample::select(Algorithm::ALL.to_vec()),
            prop::bool::ANY,
            prop_oneof![Just(None), (0..=i64::MAX as u64).prop_map(Some)],
        ), 0..25),
        per_batch in 1usize..12,
        batch_id in any::<i32>(),
    ) {
        let accounts: Vec<Account> = raw.into_iter().map(|(issuer, name, secret, algorithm, eight, counter)| Account {
            issuer,
            name,
            secret: Secret::from_bytes_with(&secret, LengthPolicy::AllowShort).unwrap(),
            algorithm,
            digits: if eight { Digits::EIGHT } else { Digits::SIX },
            kind: counter.map_or(TOTP, |counter| Kind::Hotp { counter }),
            pin: None,
            extra: vec![],
        }).collect();
        let uris = encode_with_batch_id(&accounts, per_batch, batch_id).unwrap();
        let mut back = Vec::new();
        for uri in &uris {
            let batch = decode_batch(uri).unwrap();
            prop_assert_eq!(batch.batch_id, batch_id);
            back.extend(batch.entries.into_iter().map(Result::unwrap));
        }
        prop_assert_eq!(back, accounts);
    }

    #[test]
    fn decode_never_panics(s in any::<String>()) {
        let _ = decode(&s);
        let _ = decode(&format!("otpauth-migration://offline?data={s}"));
    }

    #[test]
    fn decode_never_panics_on_arbitrary_payloads(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let _ = decode(&format!("otpauth-migration://offline?data={b64}"));
    }
}
