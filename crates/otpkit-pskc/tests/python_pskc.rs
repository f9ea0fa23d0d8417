//! An independent reader: what `export` writes (in the clear, under a pre-shared
//! key, under a password) is read by python-pskc (PyPI `python-pskc`, module
//! `pskc`), which must recover every secret, hash, code length, period or counter,
//! issuer and name, and check every `<ValueMAC>`.
//!
//! Runs `python3` from `PATH`; where it cannot import `pskc` the test prints SKIP
//! and passes. `tests/pskc_python.sh` installs python-pskc in a venv and runs this
//! test with it, failing if the module is still missing.

use std::path::PathBuf;
use std::process::Command;

use otpkit::otpauth::{Account, Kind};
use otpkit_pskc::export::{Encryption, MacHash, export};

/// Reads a container and prints one line per key:
/// `hex secret|suite|digits|period|counter|issuer|friendly name|mac algorithm`.
const READER: &str = r#"
import sys, pskc
path, mode, arg = sys.argv[1:4]
p = pskc.PSKC(path)
if mode == "key":
    p.encryption.key = bytes.fromhex(arg)
elif mode == "password":
    p.encryption.derive_key(arg)
for k in p.keys:
    print("|".join(str(x) for x in (k.secret.hex(), k.algorithm_suite, k.response_length,
          k.time_interval, k.counter, k.issuer, k.friendly_name, p.mac.algorithm)))
"#;

fn python_has_pskc() -> bool {
    Command::new("python3")
        .args(["-c", "import pskc"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn accounts() -> Vec<Account> {
    [
        "otpauth://totp/Acme%20%26%20Co:alice%3Cx%3E?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=60&digits=8&algorithm=SHA256",
        "otpauth://hotp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=18446744073709551615&issuer=Bank",
        "otpauth://totp/Corp:carol?secret=MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPIYTEMZUGU3DOOBZ&algorithm=SHA512&digits=7",
    ]
    .iter()
    .map(|u| u.parse().unwrap())
    .collect()
}

fn expected(mac: &str) -> Vec<String> {
    accounts()
        .iter()
        .map(|a| {
            let (period, counter) = match a.kind {
                Kind::Totp { period } => (period.seconds().to_string(), "None".to_owned()),
                Kind::Hotp { counter } => ("None".to_owned(), counter.to_string()),
                Kind::Steam | Kind::Motp | Kind::Yandex => unreachable!("not in accounts()"),
            };
            format!(
                "{}|HMAC-{}|{}|{period}|{counter}|{}|{}|{mac}",
                data_encoding::HEXLOWER.encode(a.secret.as_bytes()),
                a.algorithm.name(),
                a.digits.get(),
                a.issuer.as_deref().unwrap_or("None"),
                a.name,
            )
        })
        .collect()
}

fn read_with_python(xml: &str, mode: &str, arg: &str) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("otpkit-pskc-py-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join(format!("{mode}.pskcxml"));
    std::fs::write(&path, xml).unwrap();
    let out = Command::new("python3")
        .args(["-c", READER, path.to_str().unwrap(), mode, arg])
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let _ = std::fs::remove_dir(&dir);
    assert!(
        out.status.success(),
        "python-pskc refused the {mode} container: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn python_pskc_reads_all_three_kinds() {
    if !python_has_pskc() {
        println!("SKIP: python3 cannot import pskc (run tests/pskc_python.sh)");
        return;
    }
    let plain = export(&accounts(), Encryption::None).unwrap();
    assert_eq!(read_with_python(&plain.xml, "plain", ""), expected("None"));

    for (mac, name) in [
        (MacHash::Sha1, "http://www.w3.org/2000/09/xmldsig#hmac-sha1"),
        (
            MacHash::Sha256,
            "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
        ),
    ] {
        for len in [16, 32] {
            let key: Vec<u8> = (0..len).map(|i| i as u8 ^ 0x5c).collect();
            let written = export(
                &accounts(),
                Encryption::PreSharedKey {
                    key: &key,
                    key_name: "transport",
                    mac,
                },
            )
            .unwrap();
            let hex = data_encoding::HEXLOWER.encode(&key);
            assert_eq!(read_with_python(&written.xml, "key", &hex), expected(name));
        }
    }

    let written = export(&accounts(), Encryption::password(b"correct horse")).unwrap();
    assert_eq!(
        read_with_python(&written.xml, "password", "correct horse"),
        expected("http://www.w3.org/2001/04/xmldsig-more#hmac-sha256")
    );
    // python-pskc checks the MACs too: a tampered secret is refused.
    let value = written
        .xml
        .split("<xenc:CipherValue>")
        .nth(2)
        .unwrap()
        .split('<')
        .next()
        .unwrap();
    let mut bytes = data_encoding::BASE64.decode(value.as_bytes()).unwrap();
    bytes[0] ^= 1;
    let tampered = written
        .xml
        .replace(value, &data_encoding::BASE64.encode(&bytes));
    let dir = std::env::temp_dir().join(format!("otpkit-pskc-py-t{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tampered.pskcxml");
    std::fs::write(&path, &tampered).unwrap();
    let out = Command::new("python3")
        .args([
            "-c",
            READER,
            path.to_str().unwrap(),
            "password",
            "correct horse",
        ])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("MAC value does not match"));
}
