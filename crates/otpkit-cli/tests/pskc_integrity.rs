//! `otpkit import --from pskc` and the MAC of RFC 6030 §6.1.1, the binary run as a
//! process: RFC 6030 Figure 6 (from otpkit-pskc's `tests/data`) with its secret's IV
//! altered and the MAC stripped is refused; a container without any MAC imports
//! only with `--allow-unauthenticated`, with a warning per token; the XML limits
//! are reported in the tool's words.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;

use support::{SEED as RFC_SECRET_B32, arg as s, expect, run};

/// RFC 6030 Figure 6's pre-shared key.
const PSK_HEX: &str = "12345678901234567890123456789012";
/// Figure 6's secret, `IV ‖ ciphertext`.
const SECRET_VALUE: &str = "AAECAwQFBgcICQoLDA0OD+cIHItlB3Wra1DUpxVvOx2lef1VmNPCMl8jwZqIUqGv";
/// `ATTACKER901234567890` in Base32, which must never be printed.
const FORGED_B32: &str = "IFKFIQKDJNCVEOJQGEZDGNBVGY3TQOJQ";

fn figure_6() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../otpkit-pskc/tests/data/rfc6030-figure-6.xml");
    std::fs::read_to_string(path).unwrap()
}

/// Figure 6's secret with its IV altered so that it decrypts to
/// `ATTACKER901234567890`: computed from the RFC's plaintext, without the key.
fn flipped_secret_value() -> String {
    let mut value = data_encoding::BASE64
        .decode(SECRET_VALUE.as_bytes())
        .unwrap();
    for (i, (was, now)) in b"1234567890123456"
        .iter()
        .zip(b"ATTACKER90123456")
        .enumerate()
    {
        value[i] ^= was ^ now;
    }
    data_encoding::BASE64.encode(&value)
}

/// `xml` without the first `<name…>…</name>` element.
fn without(xml: &str, name: &str) -> String {
    let start = xml.find(&format!("<{name}")).unwrap();
    let close = format!("</{name}>");
    let end = xml.find(&close).unwrap() + close.len();
    format!("{}{}", &xml[..start], &xml[end..])
}

fn write(dir: &Path, name: &str, xml: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, xml).unwrap();
    path
}

fn import(file: &Path, extra: &[&str]) -> support::Run {
    let mut args = vec!["import", s(file), "--from", "pskc"];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn an_altered_secret_without_its_mac_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let attack = without(
        &figure_6().replace(SECRET_VALUE, &flipped_secret_value()),
        "ValueMAC",
    );
    let file = write(dir.path(), "stripped.xml", &attack);
    for extra in [&[][..], &["--allow-unauthenticated"][..]] {
        let mut args = vec!["--key-hex", PSK_HEX, "--json"];
        args.extend_from_slice(extra);
        let r = import(&file, &args);
        expect(&r, 6, "stripped ValueMAC");
        assert!(
            r.stderr.contains("key 1 of 1 (serial 987654321)")
                && r.stderr.contains("has no ValueMAC"),
            "{}",
            r.stderr
        );
        assert_eq!(r.stdout.trim(), "[]");
        assert!(!r.stderr.contains(FORGED_B32) && !r.stderr.contains("ATTACKER"));
    }
}

#[test]
fn a_file_without_mac_needs_the_flag_and_each_token_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let no_mac = without(&without(&figure_6(), "MACMethod"), "ValueMAC");
    let file = write(dir.path(), "no-mac.xml", &no_mac);
    let r = import(&file, &["--key-hex", PSK_HEX]);
    expect(&r, 2, "no MAC, no flag");
    assert_eq!(
        r.stderr.trim(),
        "otpkit: cannot import the PSKC file: its encrypted keys carry no MAC, so nothing \
         shows whether the file was altered (an altered file can change a secret unnoticed); \
         to import them anyway, add --allow-unauthenticated"
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    // Refused before asking for a key: no key helps.
    expect(&import(&file, &[]), 2, "no MAC, no key");

    let r = import(&file, &["--key-hex", PSK_HEX, "--allow-unauthenticated"]);
    expect(&r, 0, "no MAC, with the flag");
    assert!(r.stdout.contains(RFC_SECRET_B32), "{}", r.stdout);
    assert_eq!(
        r.stderr.trim(),
        "otpkit: warning: key 1 of 1 (serial 987654321): not integrity-protected: the PSKC \
         file has no MAC, so an altered file could have changed this secret unnoticed \
         (imported under --allow-unauthenticated)"
    );
    let r = import(
        &file,
        &["--key-hex", PSK_HEX, "--allow-unauthenticated", "--json"],
    );
    expect(&r, 0, "no MAC, JSON");
    let tokens: Value = serde_json::from_str(&r.stdout).unwrap();
    let token = &tokens[0];
    assert_eq!(token["protection"], "not-integrity-protected");
    let warnings = token["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().starts_with("not integrity-protected")),
        "{warnings:?}"
    );
    // The flag changes nothing for a file that has its MAC.
    let figure = write(dir.path(), "figure-6.xml", &figure_6());
    let r = import(
        &figure,
        &["--key-hex", PSK_HEX, "--allow-unauthenticated", "--json"],
    );
    expect(&r, 0, "figure 6 with the flag");
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    let tokens: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(tokens[0]["protection"], "mac-checked");
    let warnings = tokens[0]["warnings"].as_array().unwrap();
    assert!(
        !warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("integrity")),
        "{warnings:?}"
    );
}

#[test]
fn the_flag_is_for_pskc_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "figure-6.xml", &figure_6());
    let r = run(&["import", s(&file), "--allow-unauthenticated"]);
    expect(&r, 2, "no --from");
    let r = run(&[
        "import",
        s(&file),
        "--from",
        "aegis",
        "--allow-unauthenticated",
    ]);
    expect(&r, 2, "--from aegis");
    assert!(
        r.stderr
            .contains("--allow-unauthenticated is for --from pskc"),
        "{}",
        r.stderr
    );
}

#[test]
fn hostile_xml_is_refused_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let attributes: String = (0..65).map(|i| format!(" a{i}=\"\"")).collect();
    let file = write(
        dir.path(),
        "crowded.xml",
        &format!("<KeyContainer xmlns=\"urn:ietf:params:xml:ns:keyprov:pskc\"{attributes}/>"),
    );
    let r = import(&file, &[]);
    expect(&r, 2, "65 attributes");
    assert_eq!(
        r.stderr.trim(),
        "otpkit: cannot import the PSKC file: the PSKC file has an element with more than 64 \
         attributes (namespace declarations included)"
    );
}
