//! End-to-end tests of `otpkit recovery` and `otpkit import --from pskc`, the binary
//! run as a process. The PSKC tests read RFC 6030's figures from otpkit-pskc's
//! `tests/data` (the files that crate's own tests use) with the pre-shared key and
//! password the RFC gives.

mod support;

use std::path::{Path, PathBuf};

use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp};
use serde_json::Value;

use support::{
    Run, SEED as RFC_SECRET_B32, T, arg as s, assert_private, expect, run, run_with_stdin,
};

/// RFC 6030 Figure 6's pre-shared key.
const PSK_HEX: &str = "12345678901234567890123456789012";

/// `otpkit import FILE --from pskc` with `extra` arguments.
fn import_pskc(file: &Path, extra: &[&str]) -> Run {
    import_pskc_with_stdin(file, extra, "")
}

/// [`import_pskc`] with `stdin` written to the tool.
fn import_pskc_with_stdin(file: &Path, extra: &[&str], stdin: &str) -> Run {
    let mut args = vec!["import", s(file), "--from", "pskc"];
    args.extend_from_slice(extra);
    run_with_stdin(&args, stdin)
}

fn figure(n: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../otpkit-pskc/tests/data")
        .join(format!("rfc6030-figure-{n}.xml"))
}

// ---- recovery ---------------------------------------------------------------------

/// The codes `generate` printed: lines `N. XXXX-XXXX-…`.
fn printed_codes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| {
            let (n, code) = l.trim().split_once(". ")?;
            n.parse::<u32>().ok().map(|_| code.to_owned())
        })
        .collect()
}

fn generate(state: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["recovery", "generate", "--state", s(state)];
    args.extend_from_slice(extra);
    let r = run(&args);
    expect(&r, 0, "generate");
    printed_codes(&r.stdout)
}

fn use_code(state: &Path, code: &str, time: u64) -> Run {
    run(&[
        "recovery",
        "use",
        "--state",
        s(state),
        code,
        "--time",
        &time.to_string(),
    ])
}

#[test]
fn every_code_works_once_in_any_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("alice.recovery");
    let codes = generate(&state, &["--count", "4", "--length", "16"]);
    assert_eq!(codes.len(), 4);
    for c in &codes {
        assert_eq!(c.len(), 19, "{c}"); // 16 characters in groups of 4
        assert_eq!(c.matches('-').count(), 3, "{c}");
    }
    assert_private(&state);
    let stored = std::fs::read_to_string(&state).unwrap();
    assert!(stored.starts_with("otpr1."), "{stored}");
    for c in &codes {
        assert!(!stored.contains(c.as_str()) && !stored.contains(&c.replace('-', "")));
    }
    // Lower case with spaces, as typed; then through stdin.
    let typed = codes[0].to_lowercase().replace('-', " ");
    let r = use_code(&state, &typed, T);
    expect(&r, 0, "first use");
    assert!(r.stdout.contains("3 recovery code(s) left"), "{}", r.stdout);
    expect(&use_code(&state, &codes[0], T + 1), 3, "reuse");
    let r = run_with_stdin(
        &[
            "recovery",
            "use",
            "--state",
            s(&state),
            "-",
            "--time",
            &T.to_string(),
        ],
        &format!("{}\n", codes[1]),
    );
    expect(&r, 0, "code on stdin");
    let r = run_with_stdin(
        &[
            "recovery",
            "use",
            "--state",
            s(&state),
            "--time",
            &T.to_string(),
        ],
        &format!("{}\n", codes[2].replace('-', "")),
    );
    expect(&r, 0, "no argument reads stdin");
    let r = use_code(&state, &codes[3], T);
    expect(&r, 0, "last code");
    assert!(r.stderr.contains("generate a new set"), "{}", r.stderr);
    for c in &codes {
        expect(&use_code(&state, c, T + 2), 3, "all used");
    }
}

#[test]
fn wrong_malformed_and_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("r");
    let codes = generate(&state, &[]);
    assert_eq!(codes.len(), 10);
    // Right form, not of this set: exit 1; the wrong length: exit 2.
    let r = use_code(&state, "2222-2222-2222-2222", T);
    expect(&r, 1, "invalid");
    assert!(r.stderr.contains("1 of 5"), "{}", r.stderr);
    assert!(!r.stderr.contains("2222"), "{}", r.stderr);
    expect(&use_code(&state, "ABC", T), 2, "malformed");
    expect(
        &use_code(&state, "0000-0000-0000-0000", T),
        2,
        "outside the alphabet",
    );
    expect(&use_code(&state, "2222-2222-2222-2223", T), 1, "invalid 4");
    let r = use_code(&state, "2222-2222-2222-2224", T);
    expect(&r, 1, "invalid 5");
    assert!(r.stderr.contains("locked"), "{}", r.stderr);
    // Locked: even a right code is refused, and stays usable after the delay.
    expect(&use_code(&state, &codes[0], T + 1), 4, "locked");
    expect(
        &use_code(&state, &codes[0], T + 3600),
        0,
        "after the lock-out",
    );
}

#[test]
fn regenerating_replaces_the_set_and_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("r");
    let old = generate(&state, &["--count", "2"]);
    let r = run(&["recovery", "generate", "--state", s(&state)]);
    expect(&r, 5, "exists");
    assert!(
        printed_codes(&r.stdout).is_empty(),
        "codes shown for a set not stored"
    );
    let new = generate(&state, &["--count", "2", "--force"]);
    assert_private(&state);
    expect(&use_code(&state, &old[0], T), 1, "old set");
    expect(&use_code(&state, &new[0], T), 0, "new set");
}

#[test]
fn generate_options_and_stateless_output() {
    let r = run(&["recovery", "generate", "--count", "3", "--length", "20"]);
    expect(&r, 0, "no state file");
    let codes = printed_codes(&r.stdout);
    assert_eq!(codes.len(), 3);
    assert!(codes.iter().all(|c| c.replace('-', "").len() == 20));
    let state_line = r.stdout.lines().last().unwrap();
    assert!(state_line.starts_with("otpr1."), "{}", r.stdout);
    // 10 characters are 50 bits, under the 64-bit minimum; 65 codes are too many.
    expect(&run(&["recovery", "generate", "--length", "10"]), 2, "weak");
    expect(
        &run(&["recovery", "generate", "--count", "65"]),
        2,
        "too many",
    );
    expect(&run(&["recovery", "generate", "--count", "0"]), 2, "none");
    expect(
        &run(&["recovery", "generate", "--force"]),
        2,
        "force without state",
    );
}

#[test]
fn damaged_or_missing_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("r");
    expect(&use_code(&state, "2222-2222-2222-2222", T), 5, "missing");
    std::fs::write(&state, "otpr1.garbage\n").unwrap();
    expect(&use_code(&state, "2222-2222-2222-2222", T), 5, "damaged");
}

// ---- import --from pskc -----------------------------------------------------------

fn json_array(stdout: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn rfc_hotp_code(counter: u64) -> String {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    Hotp::new(&secret, Algorithm::Sha1, Digits::new(8).unwrap())
        .code(counter)
        .to_string()
}

#[test]
fn figure_3_plain_as_json_and_uri() {
    let r = import_pskc(&figure(3), &["--json"]);
    expect(&r, 0, "figure 3");
    let tokens = json_array(&r.stdout);
    assert_eq!(tokens.len(), 1);
    let t = &tokens[0];
    assert_eq!(t["type"], "hotp");
    assert_eq!(t["secret"], RFC_SECRET_B32);
    assert_eq!(t["digits"], 8);
    assert_eq!(t["counter"], 0);
    assert_eq!(t["issuer"], "Issuer");
    assert_eq!(t["manufacturer"], "Manufacturer");
    assert_eq!(t["serial_number"], "987654321");
    assert_eq!(t["key_id"], "12345678");
    // The same object as `inspect --json` for the account, plus the device fields.
    let r = import_pskc(&figure(3), &[]);
    expect(&r, 0, "figure 3 as URI");
    let uri = r.stdout.trim();
    let inspect = run(&["inspect", uri, "--json"]);
    expect(&inspect, 0, "inspect");
    let inspected: Value = serde_json::from_str(&inspect.stdout).unwrap();
    for (key, value) in inspected.as_object().unwrap() {
        assert_eq!(&t[key], value, "{key}");
    }
    // The URI's secret yields RFC 4226's codes.
    let account = otpkit::otpauth::Account::parse(uri).unwrap().account;
    let code = Hotp::new(&account.secret, account.algorithm, account.digits).code(0);
    assert_eq!(code.to_string(), rfc_hotp_code(0));
}

#[test]
fn figure_2_short_secret_is_reported_per_key() {
    let r = import_pskc(&figure(2), &["--json"]);
    expect(&r, 6, "figure 2 (a 32-bit secret)");
    assert!(r.stderr.contains("key 1 of 1"), "{}", r.stderr);
    assert_eq!(json_array(&r.stdout).len(), 0);
}

#[test]
fn figure_6_pre_shared_key() {
    let r = import_pskc(&figure(6), &["--key-hex", PSK_HEX, "--json"]);
    expect(&r, 0, "right key");
    let tokens = json_array(&r.stdout);
    assert_eq!(tokens[0]["secret"], RFC_SECRET_B32);
    assert_eq!(tokens[0]["serial_number"], "987654321");
    // The same key from a file, with spaces and a newline.
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("transport.key");
    std::fs::write(&key_file, "1234 5678 9012 3456 7890 1234 5678 9012\n").unwrap();
    let r = import_pskc(&figure(6), &["--key-file", s(&key_file)]);
    expect(&r, 0, "key file");
    assert!(r.stdout.contains(RFC_SECRET_B32));
    // And from stdin.
    let r = import_pskc_with_stdin(&figure(6), &["--key-hex", "-"], &format!("{PSK_HEX}\n"));
    expect(&r, 0, "key on stdin");
    // A wrong key: exit 7 (as a wrong password for any import format), nothing on
    // stdout, no key material in the message. No key, a malformed key: exit 2.
    let wrong = "12345678901234567890123456789013";
    let r = import_pskc(&figure(6), &["--key-hex", wrong]);
    expect(&r, 7, "wrong key");
    assert_eq!(
        r.stderr.trim(),
        "otpkit: cannot import the PSKC file: wrong pre-shared key for the PSKC file"
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    expect(&import_pskc(&figure(6), &[]), 2, "no key");
    expect(
        &import_pskc(&figure(6), &["--key-hex", "xyz"]),
        2,
        "not hex",
    );
    // A tampered ciphertext is a MAC mismatch for that key.
    let tampered = dir.path().join("tampered.xml");
    let xml = std::fs::read_to_string(figure(6)).unwrap();
    std::fs::write(&tampered, xml.replace("Ml8jwZqIUqGv", "Ml8jwZqIUqGw")).unwrap();
    let r = import_pskc(&tampered, &["--key-hex", PSK_HEX]);
    expect(&r, 6, "tampered");
    assert!(r.stderr.contains("MAC"), "{}", r.stderr);
}

#[test]
fn figure_7_password_from_stdin_never_argv() {
    let r = import_pskc_with_stdin(&figure(7), &["--json"], "qwerty\n");
    expect(&r, 0, "password");
    let tokens = json_array(&r.stdout);
    assert_eq!(tokens[0]["secret"], RFC_SECRET_B32);
    assert_eq!(tokens[0]["manufacturer"], "TokenVendorAcme");
    assert_eq!(tokens[0]["defaulted"], serde_json::json!(["counter"]));
    // A wrong password: exit 7, as for every other encrypted import format.
    let r = import_pskc_with_stdin(&figure(7), &[], "qwertz\n");
    expect(&r, 7, "wrong password");
    assert_eq!(
        r.stderr.trim(),
        "otpkit: cannot import the PSKC file: wrong password for the PSKC file"
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    expect(&import_pskc(&figure(7), &[]), 2, "no password");
    // There is no option to pass the password on the command line.
    expect(
        &import_pskc(&figure(7), &["--password", "qwerty"]),
        2,
        "--password",
    );
    // A pre-shared key for a password container is a usage error that says so.
    let r = import_pskc(&figure(7), &["--key-hex", PSK_HEX]);
    expect(&r, 2, "key for a password file");
    assert!(r.stderr.contains("password"), "{}", r.stderr);
}

#[test]
fn pskc_options_need_from_and_hostile_files_fail_cleanly() {
    expect(
        &run(&["import", s(&figure(6)), "--key-hex", PSK_HEX]),
        2,
        "no --from",
    );
    let dir = tempfile::tempdir().unwrap();
    let dtd = dir.path().join("dtd.xml");
    std::fs::write(
        &dtd,
        "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><KeyContainer/>",
    )
    .unwrap();
    expect(&import_pskc(&dtd, &[]), 2, "DTD");
    expect(
        &import_pskc(&dir.path().join("absent"), &[]),
        5,
        "missing file",
    );
}

/// Two tokens: a TOTP one whose serial number needs sanitising, and an HOTP one.
const TOTP_AND_HOTP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<KeyContainer Version="1.0" xmlns="urn:ietf:params:xml:ns:keyprov:pskc">
  <KeyPackage>
    <DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>../TOTP 7</SerialNo></DeviceInfo>
    <Key Id="t" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <Issuer>Example</Issuer>
      <AlgorithmParameters><ResponseFormat Length="6" Encoding="DECIMAL"/></AlgorithmParameters>
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <TimeInterval><PlainValue>30</PlainValue></TimeInterval>
      </Data>
    </Key>
  </KeyPackage>
  <KeyPackage>
    <DeviceInfo><Manufacturer>Acme</Manufacturer><SerialNo>H1</SerialNo></DeviceInfo>
    <Key Id="h" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:hotp">
      <Data>
        <Secret><PlainValue>MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=</PlainValue></Secret>
        <Counter><PlainValue>5</PlainValue></Counter>
      </Data>
    </Key>
  </KeyPackage>
</KeyContainer>"#;

#[test]
fn enroll_dir_writes_one_device_file_per_totp_token() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tokens.pskc");
    std::fs::write(&file, TOTP_AND_HOTP).unwrap();
    let devices = dir.path().join("devices");
    std::fs::create_dir(&devices).unwrap();
    let args = [
        "import",
        s(&file),
        "--from",
        "pskc",
        "--enroll-dir",
        s(&devices),
    ];
    let r = run(&args);
    // The HOTP token cannot become a (TOTP) device file: reported, exit 6.
    expect(&r, 6, "enrol");
    assert!(r.stderr.contains("key 2 of 2 (serial H1)"), "{}", r.stderr);
    let device = devices.join("_TOTP_7.device");
    assert!(
        device.is_file(),
        "{:?}",
        std::fs::read_dir(&devices).unwrap().collect::<Vec<_>>()
    );
    assert!(!dir.path().join("TOTP_7.device").exists());
    assert_private(&device);
    // The device file verifies the token's codes.
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let totp = Totp::new(
        &secret,
        Algorithm::Sha1,
        Digits::new(6).unwrap(),
        Period::new(30).unwrap(),
    );
    let code = totp.code_at(T).unwrap().to_string();
    let r = run(&[
        "verify",
        "--state",
        s(&device),
        &code,
        "--time",
        &T.to_string(),
    ]);
    expect(&r, 0, "verify with the enrolled device");
    // A second import refuses to replace the file.
    let r = run(&args);
    expect(&r, 6, "again");
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    // Not a directory.
    let r = import_pskc(&file, &["--enroll-dir", s(&file)]);
    expect(&r, 5, "not a directory");
}
