//! mOTP and Yandex Key: the reference apps' published vectors, a differential check
//! against Python's `hashlib`/`hmac`, and the `otpauth://` forms.

use otpkit::motp::Motp;
use otpkit::otpauth::{Account, Kind, PinRequired};
use otpkit::yandex::{Yandex, parse_secret};
use otpkit::{GeneratedCode, LengthPolicy, Pin, Secret};

/// Aegis `MotpTest.VECTORS` (app/src/test/.../crypto/otp/MOTPTest.java).
#[test]
fn motp_aegis_vectors() {
    let vectors: [(u64, &str, &str, &str); 6] = [
        (165_892_298, "e7d8b6", "1234", "e3152afee62599c8"),
        (123_456_789, "4ebfb2", "1234", "e3152afee62599c8"),
        (1_659_540_020, "ced7b1", "9999", "bbb1912bb5c515be"),
        (1_659_540_022, "ced7b1", "9999", "bbb1912bb5c515be"),
        (1_659_539_870, "1a14f8", "9999", "bbb1912bb5c515be"),
        (1_659_539_878, "1a14f8", "9999", "bbb1912bb5c515be"),
    ];
    for (time, code, pin, secret) in vectors {
        let secret = Secret::from_bytes(secret.as_bytes()).unwrap();
        let motp = Motp::new(&secret, &Pin::new(pin).unwrap());
        assert_eq!(motp.code_at(time).as_str(), code, "t={time}");
    }
}

/// Aegis `YAOTPTest.TEST_CASES` (app/src/test/.../crypto/otp/YAOTPTest.java).
#[test]
fn yandex_aegis_vectors() {
    let vectors = [
        (
            "5239",
            "6SB2IKNM6OBZPAVBVTOHDKS4FAAAAAAADFUTQMBTRY",
            1_641_559_648,
            "umozdicq",
        ),
        (
            "7586",
            "LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI",
            1_581_064_020,
            "oactmacq",
        ),
        (
            "7586",
            "LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI",
            1_581_090_810,
            "wemdwrix",
        ),
        (
            "5210481216086702",
            "JBGSAU4G7IEZG6OY4UAXX62JU4AAAAAAHTSG4HXU3M",
            1_581_091_469,
            "dfrpywob",
        ),
        (
            "5210481216086702",
            "JBGSAU4G7IEZG6OY4UAXX62JU4AAAAAAHTSG4HXU3M",
            1_581_093_059,
            "vunyprpd",
        ),
    ];
    for (pin, secret, time, code) in vectors {
        let full = Secret::from_base32(secret).unwrap();
        let secret = parse_secret(full.as_bytes()).unwrap();
        let yandex = Yandex::new(&secret, &Pin::new(pin).unwrap());
        assert_eq!(yandex.code_at(time).as_str(), code, "t={time}");
    }
}

/// The same codes from an independent implementation: Python's standard library,
/// written here from the construction, not from either app's code. Skipped (with a
/// note) where no `python3` is installed.
#[test]
fn differential_against_python() {
    let script = r#"
import hashlib, hmac, struct, sys
for line in sys.stdin:
    kind, secret_hex, pin, t = line.split()
    secret, t = bytes.fromhex(secret_hex), int(t)
    if kind == "motp":
        print(hashlib.md5((str(t // 10) + secret.decode() + pin).encode()).hexdigest()[:6])
    else:
        key = hashlib.sha256(pin.encode() + secret).digest()
        if key[0] == 0:
            key = key[1:]
        h = bytearray(hmac.new(key, struct.pack(">Q", t // 30), hashlib.sha256).digest())
        o = h[-1] & 15
        h[o] &= 0x7f
        n = struct.unpack(">Q", bytes(h[o:o + 8]))[0] % 26 ** 8
        out = ""
        for _ in range(8):
            out = chr(97 + n % 26) + out
            n //= 26
        print(out)
"#;
    let mut input = String::new();
    let mut expected = Vec::new();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..400u64 {
        let len = 8 + (next() % 24) as usize;
        // mOTP secrets are text (printable ASCII here); Yandex secrets are bytes.
        let secret: Vec<u8> = if i % 2 == 0 {
            (0..2 * len).map(|_| b'!' + (next() % 94) as u8).collect()
        } else {
            (0..len).map(|_| next() as u8).collect()
        };
        let pin = format!("{}", next() % 100_000_000);
        let time = next() % 4_000_000_000;
        let secret_value = Secret::from_bytes_with(&secret, LengthPolicy::AllowShort).unwrap();
        let pin_value = Pin::new(&pin).unwrap();
        let (kind, code) = if i % 2 == 0 {
            (
                "motp",
                Motp::new(&secret_value, &pin_value)
                    .code_at(time)
                    .to_string(),
            )
        } else {
            (
                "yandex",
                Yandex::new(&secret_value, &pin_value)
                    .code_at(time)
                    .to_string(),
            )
        };
        let secret_hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        input.push_str(&format!("{kind} {secret_hex} {pin} {time}\n"));
        expected.push(code);
    }
    let child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("python3 not found: differential check skipped");
        return;
    };
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let got: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn yandex_uri_as_aegis_writes_it() {
    // Aegis: otpauth://yaotp/LABEL?period=30&digits=8&algorithm=SHA256&secret=…&pin=B32(pin)
    let uri = "otpauth://yaotp/Yandex:alice?period=30&digits=8&algorithm=SHA256\
               &secret=LA2V6KMCGYMWWVEW64RNP3JA3I&pin=G42TQNQ&issuer=Yandex";
    let parsed = Account::parse(uri).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let account = parsed.account;
    assert_eq!(account.kind, Kind::Yandex);
    assert_eq!(account.pin.as_ref().unwrap().as_str(), "7586");
    let code = account.generator().unwrap().code_at(1_581_064_020).unwrap();
    assert!(matches!(code, GeneratedCode::Yandex(_)));
    assert_eq!(code.to_string(), "oactmacq");
    let written = account.to_uri();
    assert_eq!(
        written,
        "otpauth://yaotp/Yandex:alice?secret=LA2V6KMCGYMWWVEW64RNP3JA3I&issuer=Yandex&pin=G42TQNQ"
    );
    assert_eq!(Account::parse(&written).unwrap().account, account);
    // The 26-byte form with its checksum is read down to the 16 bytes; a wrong
    // checksum is refused.
    let full = Account::parse(
        "otpauth://yandex/x?secret=LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPI&pin=G42TQNQ",
    )
    .unwrap();
    assert_eq!(full.account.secret, account.secret);
    assert!(matches!(
        Account::parse("otpauth://yaotp/x?secret=LA2V6KMCGYMWWVEW64RNP3JA3IAAAAAAHTSG4HRZPA")
            .unwrap_err(),
        otpkit::otpauth::UriError::YandexSecret(_)
    ));
}

#[test]
fn motp_uri_round_trip_and_missing_pin() {
    let uri = "otpauth://motp/Corp:bob?secret=4MKSV7XGEWM4Q&pin=GEZDGNA";
    let account = Account::parse(uri).unwrap().account;
    assert_eq!(account.kind, Kind::Motp);
    // Aegis's bytes e3 15 … become the text they spell in lowercase hex.
    assert_eq!(account.secret.as_bytes(), b"e3152afee62599c8");
    assert_eq!(
        account
            .generator()
            .unwrap()
            .code_at(165_892_298)
            .unwrap()
            .to_string(),
        "e7d8b6"
    );
    assert_eq!(
        account.to_uri(),
        "otpauth://motp/Corp:bob?secret=4MKSV7XGEWM4Q&issuer=Corp&pin=GEZDGNA"
    );
    assert_eq!(Account::parse(&account.to_uri()).unwrap().account, account);

    // Aegis writes mOTP URIs without the PIN: the account reads, its codes wait for it.
    let bare = Account::parse("otpauth://motp/Corp:bob?secret=4MKSV7XGEWM4Q")
        .unwrap()
        .account;
    assert_eq!(bare.pin, None);
    assert_eq!(bare.generator().unwrap_err(), PinRequired);
    assert!(bare.motp().is_none());
    assert!(!bare.to_uri().contains("pin="));

    // A text that is not lowercase hex (andOTP, Authenticator Pro) is written as
    // itself, marked, and reads back unchanged.
    let mut typed = account.clone();
    typed.secret = Secret::from_bytes(b"AAAAAAAAAAAAAAAA").unwrap();
    let uri = typed.to_uri();
    assert_eq!(
        uri,
        "otpauth://motp/Corp:bob?secret=IFAUCQKBIFAUCQKBIFAUCQKBIE&issuer=Corp\
         &secret_encoding=text&pin=GEZDGNA"
    );
    assert_eq!(Account::parse(&uri).unwrap().account, typed);

    // A PIN that is not Base32 of text is refused, not dropped.
    for bad in ["pin=1", "pin=", "pin=74"] {
        let uri = format!("otpauth://motp/x?secret=4MKSV7XGEWM4Q&{bad}");
        assert_eq!(
            Account::parse(&uri).unwrap_err(),
            otpkit::otpauth::UriError::InvalidPin,
            "{bad}"
        );
    }
    // The scheme's own hash, length and step are accepted quietly (Aegis writes
    // them); others are ignored with a note, as for Steam.
    let aegis = Account::parse(
        "otpauth://motp/Corp:bob?period=10&digits=6&algorithm=MD5&secret=4MKSV7XGEWM4Q&issuer=Corp",
    )
    .unwrap();
    assert!(aegis.warnings.is_empty(), "{:?}", aegis.warnings);
    let odd =
        Account::parse("otpauth://motp/x?secret=4MKSV7XGEWM4Q&algorithm=SHA1&digits=8").unwrap();
    assert_eq!(
        odd.warnings,
        vec![
            otpkit::otpauth::Warning::IgnoredParameter { name: "algorithm" },
            otpkit::otpauth::Warning::IgnoredParameter { name: "digits" },
        ]
    );
    // On other kinds `pin=` is an unknown parameter, kept as before.
    let totp = Account::parse("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&pin=1")
        .unwrap()
        .account;
    assert_eq!(totp.pin, None);
    assert_eq!(totp.extra, vec![("pin".to_string(), "1".to_string())]);
}

#[test]
fn debug_hides_the_pin() {
    let account = Account::parse("otpauth://motp/Corp:bob?secret=4MKSV7XGEWM4Q&pin=GEZDGNA")
        .unwrap()
        .account;
    let shown = format!("{account:?}");
    assert!(
        !shown.contains("1234") && !shown.contains("GEZDGNA"),
        "{shown}"
    );
    assert!(shown.contains("Pin(..)"));
    let generator = format!("{:?}", account.generator().unwrap());
    assert!(!generator.contains("1234") && !generator.contains("e315"));
}
