//! The interop corpus: real export files written by the apps, read from
//! `../shared/interop` (relative to the repository root; never copied into the
//! repository, as they are third-party files under GPL/AGPL/LGPL). Every in-scope
//! file's entries are compared with `expected.json`; out-of-scope files are listed
//! with the reason. Skips, with a printed message, when the corpus is absent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use otpkit::otpauth::{Account, Kind};
use otpkit_transfer::{Format, ImportError, import, secret_from_base32_lenient};
use serde_json::Value;

fn corpus_dir() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = root.join("../shared/interop");
    dir.join("expected.json").is_file().then_some(dir)
}

/// The format of an in-scope file, or why it is out of scope.
fn scope(file: &str) -> Result<Format, &'static str> {
    let name = file.rsplit('/').next().unwrap_or(file);
    if name == "password" {
        return Err("a password file, not a sample");
    }
    let app = file.split('/').nth(1).unwrap_or("");
    match app {
        "aegis" if name.ends_with(".txt") => Ok(Format::OtpauthList),
        "aegis" => Ok(Format::Aegis),
        "2fas" => Ok(Format::TwoFas),
        "andotp" => Ok(Format::AndOtp),
        "bitwarden" if name.ends_with(".csv") => {
            Err("Bitwarden CSV exports are not read (JSON only)")
        }
        "bitwarden" => Ok(Format::Bitwarden),
        "freeotp_plus" if name.ends_with(".json") => Ok(Format::FreeOtpPlus),
        "freeotp_plus" => Err("FreeOTP+'s internal shared_prefs XML is not an export format"),
        "authenticator_pro_stratum"
            if name == "stratum_plain.json" || name == "backup.unencrypted.authpro" =>
        {
            Ok(Format::AuthenticatorPro)
        }
        "authenticator_pro_stratum" => Err(
            "encrypted Authenticator Pro backups, its internal database and HTML export are not read (plain JSON only)",
        ),
        "otpauth_uri_list" => Ok(Format::OtpauthList),
        "google_authenticator" if name.ends_with(".txt") => Ok(Format::GoogleMigration),
        "google_authenticator" => Err(
            "QR images, the app's SQLite database and helper files: decoding images is not part of the import API",
        ),
        "pskc" => Err("PSKC files are read by otpkit-pskc, not otpkit-transfer"),
        _ => Err("this app's format is not one otpkit-transfer imports"),
    }
}

#[derive(Default)]
struct Tally {
    files: usize,
    files_passed: usize,
    entries: usize,
    entries_passed: usize,
}

/// Issuer and name as compared: no issuer is "", and a name that repeats its issuer
/// as an `Issuer:` prefix (as Google's migration names and old andOTP labels do)
/// loses it, since `Account` keeps the issuer apart from the name.
fn names(issuer: &str, name: &str) -> (String, String) {
    let name = name
        .strip_prefix(issuer)
        .filter(|_| !issuer.is_empty())
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(name)
        .trim_start();
    (issuer.to_owned(), name.to_owned())
}

/// The whole label with spaces after the first `:` removed: how an `Issuer: name`
/// label splits is a matter of convention (otpkit splits a migration name without
/// an issuer at its first `:`, like an otpauth label).
fn label(issuer: &str, name: &str) -> String {
    let whole = if issuer.is_empty() {
        name.to_owned()
    } else {
        format!("{issuer}:{name}")
    };
    match whole.split_once(':') {
        Some((a, b)) => format!("{a}:{}", b.trim_start()),
        None => whole,
    }
}

fn expected_failure(e: &Value) -> Option<&'static str> {
    let t = e["type"].as_str().unwrap_or("");
    // mOTP and Yandex: MD5/SHA-256 and their own lengths are the scheme's; the
    // andOTP and Authenticator Pro files write unused SHA1 defaults beside them.
    if matches!(t, "motp" | "yandex") {
        return None;
    }
    if !matches!(t, "totp" | "hotp" | "steam") {
        return Some("unsupported type");
    }
    if !matches!(e["algorithm"].as_str(), Some("SHA1" | "SHA256" | "SHA512")) {
        return Some("unsupported algorithm");
    }
    if e["digits"].as_i64() == Some(0) {
        return Some("invalid digits");
    }
    if e.get("period").and_then(Value::as_i64) == Some(0) {
        return Some("invalid period");
    }
    None
}

/// An mOTP or Yandex entry: the kind, then what the code is computed from. An mOTP
/// code is MD5 of the time, the secret text and the PIN, one after the other, so
/// the text and PIN are compared as that one string: Aegis's secret is the Base32
/// of bytes whose lowercase hex is the text (its `info.pin` apart), andOTP's the
/// Base32 of the text (no PIN in the file), Authenticator Pro's the text itself
/// (older versions end it with the PIN, which otpkit keeps apart). A PIN the file
/// gives (`info.pin`) must also be the account's own.
fn compare_pin_kind(e: &Value, a: &Account, format: Format) -> Result<(), String> {
    let t = e["type"].as_str().unwrap_or("");
    match (t, a.kind) {
        ("motp", Kind::Motp) | ("yandex", Kind::Yandex) => {}
        (t, kind) => return Err(format!("type {t} != {kind:?}")),
    }
    let written = e["secret"].as_str().unwrap_or("");
    let expected_pin = e["info"]["pin"].as_str();
    let secret_bytes: Vec<u8> = if format == Format::AuthenticatorPro {
        written.as_bytes().to_vec()
    } else {
        let bytes = secret_from_base32_lenient(written)
            .map_err(|err| format!("expected secret unreadable: {err}"))?
            .secret;
        match (t, format) {
            ("motp", Format::Aegis) => bytes
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into_bytes(),
            _ => bytes.as_bytes().to_vec(),
        }
    };
    let pin = a.pin.as_ref().map_or("", |p| p.as_str());
    if let Some(expected) = expected_pin
        && expected != pin
    {
        return Err("PIN differs".into());
    }
    let mut expected_material = secret_bytes;
    expected_material.extend_from_slice(expected_pin.unwrap_or("").as_bytes());
    let mut material = a.secret.as_bytes().to_vec();
    material.extend_from_slice(pin.as_bytes());
    if material != expected_material {
        return Err("secret (with PIN) differs".into());
    }
    let (ei, en) = names(
        e["issuer"].as_str().unwrap_or(""),
        e["name"].as_str().unwrap_or(""),
    );
    let (ai, an) = names(a.issuer.as_deref().unwrap_or(""), &a.name);
    if (ai.as_str(), an.as_str()) != (ei.as_str(), en.as_str()) {
        return Err(format!("label {ai:?}/{an:?} != {ei:?}/{en:?}"));
    }
    Ok(())
}

fn compare(e: &Value, a: &Account, format: Format) -> Result<(), String> {
    let bitwarden = format == Format::Bitwarden;
    if matches!(e["type"].as_str(), Some("motp" | "yandex")) {
        return compare_pin_kind(e, a, format);
    }
    let secret = secret_from_base32_lenient(e["secret"].as_str().unwrap_or(""))
        .map_err(|err| format!("expected secret unreadable: {err}"))?
        .secret;
    if secret != a.secret {
        return Err("secret differs".into());
    }
    let t = e["type"].as_str().unwrap_or("");
    match (t, a.kind) {
        ("steam", Kind::Steam) => {}
        ("totp", Kind::Totp { period }) => {
            if Some(period.seconds()) != e["period"].as_u64() {
                return Err(format!("period {} != {}", period.seconds(), e["period"]));
            }
        }
        ("hotp", Kind::Hotp { counter }) => {
            if Some(counter) != e["counter"].as_u64() {
                return Err(format!("counter {counter} != {}", e["counter"]));
            }
        }
        (t, kind) => return Err(format!("type {t} != {kind:?}")),
    }
    if t != "steam" {
        if a.algorithm.name() != e["algorithm"].as_str().unwrap_or("") {
            return Err(format!(
                "algorithm {} != {}",
                a.algorithm.name(),
                e["algorithm"]
            ));
        }
        if Some(u64::from(a.digits.get())) != e["digits"].as_u64() {
            return Err(format!("digits {} != {}", a.digits.get(), e["digits"]));
        }
    }
    let (ei, en) = names(
        e["issuer"].as_str().unwrap_or(""),
        e["name"].as_str().unwrap_or(""),
    );
    // The corpus gives no label for Bitwarden items whose TOTP field is not a URI
    // (steam://, bare Base32); otpkit takes the item's name and username for them.
    if bitwarden && ei.is_empty() && en.is_empty() {
        return Ok(());
    }
    let (ai, an) = names(a.issuer.as_deref().unwrap_or(""), &a.name);
    if (ai.as_str(), an.as_str()) != (ei.as_str(), en.as_str())
        && label(&ai, &an) != label(&ei, &en)
    {
        return Err(format!("label {ai:?}/{an:?} != {ei:?}/{en:?}"));
    }
    Ok(())
}

#[test]
fn interop_corpus_matches_expected() {
    let Some(dir) = corpus_dir() else {
        println!(
            "SKIP interop corpus: ../shared/interop/expected.json not found next to the repository"
        );
        return;
    };
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let mut tallies: BTreeMap<&'static str, Tally> = BTreeMap::new();
    let mut out_of_scope: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for record in expected["files"].as_array().unwrap() {
        let file = record["file"].as_str().unwrap();
        let format = match scope(file) {
            Ok(f) => f,
            Err(reason) => {
                *out_of_scope.entry(reason).or_default() += 1;
                continue;
            }
        };
        let data = std::fs::read(dir.join(file)).unwrap();
        let password = record["password"].as_str().map(str::as_bytes);
        let entries = record["entries"].as_array();
        let tally = tallies.entry(format.name()).or_default();
        tally.files += 1;
        let mut ok = true;
        let result = import(format, &data, password);
        match (entries, result) {
            (Some(entries), Ok(result)) if entries.is_empty() => {
                if !result.accounts.is_empty() {
                    failures.push(format!("{file}: expected no accounts"));
                    ok = false;
                }
            }
            (Some(entries), Ok(result)) => {
                if result.report.len() != entries.len() {
                    failures.push(format!(
                        "{file}: {} entries reported, {} expected",
                        result.report.len(),
                        entries.len()
                    ));
                    ok = false;
                }
                let mut accounts = result.accounts.iter();
                for (i, (e, r)) in entries.iter().zip(&result.report).enumerate() {
                    tally.entries += 1;
                    let verdict = match (&r.outcome, expected_failure(e)) {
                        (Err(_), Some(_)) => Ok(()),
                        (Err(err), None) => Err(format!("refused: {err}")),
                        (Ok(_), Some(why)) => {
                            accounts.next();
                            Err(format!("imported, expected refusal ({why})"))
                        }
                        (Ok(_), None) => compare(e, accounts.next().unwrap(), format),
                    };
                    match verdict {
                        Ok(()) => tally.entries_passed += 1,
                        Err(why) => {
                            failures.push(format!("{file} entry {i}: {why}"));
                            ok = false;
                        }
                    }
                }
            }
            (Some(entries), Err(err)) if entries.is_empty() => {
                // Negative samples (malformed input, account-locked exports).
                let _ = err;
            }
            (None, Ok(_)) => {}
            (None, Err(err)) => {
                failures.push(format!("{file}: {err}"));
                ok = false;
            }
            (Some(_), Err(err)) => {
                failures.push(format!("{file}: {err}"));
                ok = false;
            }
        }
        // Every encrypted in-scope file refuses a wrong password with the typed error.
        if record["encrypted"] == Value::Bool(true) && password.is_some() {
            match import(format, &data, Some(b"definitely not the password")) {
                Err(ImportError::WrongPassword { .. }) => {}
                other => {
                    failures.push(format!("{file}: wrong password gave {other:?}"));
                    ok = false;
                }
            }
            match import(format, &data, None) {
                Err(ImportError::PasswordRequired { .. }) => {}
                other => {
                    failures.push(format!("{file}: no password gave {other:?}"));
                    ok = false;
                }
            }
        }
        if ok {
            tally.files_passed += 1;
        }
    }
    for (format, t) in &tallies {
        println!(
            "corpus: {format}: {}/{} files, {}/{} entries",
            t.files_passed, t.files, t.entries_passed, t.entries
        );
    }
    for (reason, n) in &out_of_scope {
        println!("corpus: out of scope ({n} files): {reason}");
    }
    for f in &failures {
        println!("MISMATCH {f}");
    }
    assert!(failures.is_empty(), "{} corpus mismatches", failures.len());
    assert!(tallies.values().map(|t| t.files).sum::<usize>() > 50);
}

#[test]
fn inline_migration_vectors() {
    let Some(dir) = corpus_dir() else {
        println!("SKIP inline migration vectors: ../shared/interop not found");
        return;
    };
    let expected: Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let vectors = expected["inline_vectors"]["google_authenticator_migration_uris_from_proton_tests"]
        ["vectors"]
        .as_array()
        .unwrap();
    let mut passed = 0;
    for v in vectors {
        let uri = v["uri"].as_str().unwrap();
        let entries = v["entries"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let result = import(Format::GoogleMigration, uri.as_bytes(), None);
        if entries.is_empty() {
            // Negative vectors: bad content, wrong scheme.
            assert!(result.is_err(), "{uri}: {:?}", v["assertions"]);
            passed += 1;
            continue;
        }
        let result = result.unwrap();
        assert_eq!(result.report.len(), entries.len(), "{uri}");
        let mut accounts = result.accounts.iter();
        for (e, r) in entries.iter().zip(&result.report) {
            match (&r.outcome, expected_failure(e)) {
                (Ok(_), None) => {
                    compare(e, accounts.next().unwrap(), Format::GoogleMigration).unwrap()
                }
                (Err(_), Some(_)) => {}
                (o, f) => panic!("{uri}: {o:?} vs expected {f:?}"),
            }
        }
        passed += 1;
    }
    println!(
        "corpus: inline migration vectors: {passed}/{} URIs",
        vectors.len()
    );
}
