//! End-to-end tests of `otpkit import FILE --from FORMAT` and `otpkit export`, the
//! binary run as a process, on the files committed in otpkit-transfer's `tests/data`
//! (every encrypted one has the password `otpkit-test`), plus a pass over the interop
//! corpus in `../shared/interop` when it is present.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{
    ACCOUNT_KEYS as KEYS, Run, arg as s, assert_private, expect, run_with_stdin as run,
    run_with_stdin_bytes as run_bytes,
};

const PASSWORD: &str = "otpkit-test";

/// The password given never appears in what the tool prints.
fn no_password(run: &Run, password: &str) {
    assert!(!run.stdout.contains(password), "stdout: {}", run.stdout);
    assert!(!run.stderr.contains(password), "stderr: {}", run.stderr);
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../otpkit-transfer/tests/data")
        .join(name)
}

/// `otpkit import FILE --from FROM` plus `extra`, with `stdin` (a password).
fn import(file: &Path, from: &str, extra: &[&str], stdin: &str) -> Run {
    let mut args = vec!["import", s(file), "--from", from];
    args.extend_from_slice(extra);
    run(&args, stdin)
}

/// `otpkit export --to TO --input INPUT` plus `extra` (`--from`, where the output
/// goes), with `stdin` (a password).
fn export(to: &str, input: &Path, extra: &[&str], stdin: &str) -> Run {
    let mut args = vec!["export", "--to", to, "--input", s(input)];
    args.extend_from_slice(extra);
    run(&args, stdin)
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

/// Every committed fixture: name, `--from`, encrypted, accounts expected.
const FIXTURES: [(&str, &str, bool, usize); 12] = [
    ("aegis_plain.json", "aegis", false, 5),
    ("aegis_encrypted.json", "aegis", true, 5),
    ("twofas_plain.2fas", "2fas", false, 4),
    ("twofas_encrypted.2fas", "2fas", true, 4),
    ("andotp_plain.json", "andotp", false, 4),
    ("andotp_encrypted.bin", "andotp", true, 4),
    ("andotp_encrypted_old.bin", "andotp", true, 4),
    ("bitwarden_plain.json", "bitwarden", false, 3),
    ("bitwarden_encrypted.json", "bitwarden", true, 3),
    ("freeotp_plus.json", "freeotp-plus", false, 2),
    ("authpro_plain.json", "authenticator-pro", false, 4),
    ("otpauth_list.txt", "otpauth-list", false, 4),
];

#[test]
fn every_fixture_imports_with_a_report_and_json_objects() {
    for (name, from, encrypted, count) in FIXTURES {
        let file = data(name);
        let stdin = if encrypted {
            format!("{PASSWORD}\n")
        } else {
            String::new()
        };
        let r = import(&file, from, &["--json"], &stdin);
        assert!(
            r.code == 0 || r.code == 6,
            "{name}: {} {}",
            r.code,
            r.stderr
        );
        no_password(&r, PASSWORD);
        let objects = r.json();
        assert_eq!(objects.len(), count, "{name}");
        for o in &objects {
            assert_eq!(keys(o), KEYS, "{name}");
        }
        // The report names every entry imported and every one that was not, and the
        // exit code says whether any failed.
        let imported = r.stderr.matches(": imported\n").count();
        let failed = r.stderr.matches(": not imported: ").count();
        assert_eq!(imported, objects.len(), "{name}: {}", r.stderr);
        assert_eq!(r.code == 6, failed > 0, "{name}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "{imported} of {} entries imported from the {from} file",
                imported + failed
            )),
            "{name}: {}",
            r.stderr
        );
        // Without --json: one otpauth:// URI per account, which `inspect --json` reads
        // back to the same object.
        let plain = import(&file, from, &[], &stdin);
        assert_eq!(plain.code, r.code, "{name}");
        let uris: Vec<&str> = plain.stdout.lines().collect();
        assert_eq!(uris.len(), objects.len(), "{name}");
        for (uri, object) in uris.iter().zip(&objects) {
            let inspected = run(&["inspect", "--json", uri], "");
            expect(&inspected, 0, name);
            let mut inspected: Value = serde_json::from_str(&inspected.stdout).unwrap();
            let mut object = object.clone();
            // Inspect's notes are a subset: import adds the file's own (lenient Base32).
            let theirs = inspected["warnings"].take();
            let ours = object["warnings"].take();
            for w in theirs.as_array().unwrap() {
                assert!(ours.as_array().unwrap().contains(w), "{name}: {w}");
            }
            assert_eq!(inspected, object, "{name}");
        }
    }
}

#[test]
fn aegis_report_names_failures_and_the_lenient_base32_warning() {
    let r = import(&data("aegis_plain.json"), "aegis", &[], "");
    expect(&r, 6, "aegis with bad entries");
    assert_eq!(r.stdout.lines().count(), 5);
    assert!(
        r.stdout
            .contains("otpauth://totp/Steam:gamer?secret=STEAMSECRE&")
    );
    for line in [
        "otpkit: entry 1 of 7 \"Example:alice@example.com\": imported",
        "otpkit: warning: entry 4 of 7 \"Steam:gamer\": the secret has 11 Base32 characters, an invalid length",
        "otpkit: entry 5 of 7 \"mOTP:vpn\": imported",
        "otpkit: entry 6 of 7 \"Broken:no secret\": not imported: the info.secret field is missing",
        "otpkit: entry 7 of 7 \"Broken:eleven digits\": not imported: 11 digits",
        "otpkit: 2 of 7 entries could not be imported",
    ] {
        assert!(r.stderr.contains(line), "{line}\n{}", r.stderr);
    }
    // No secret in the report.
    assert!(!r.stderr.contains("JBSWY3DP"), "{}", r.stderr);
    assert!(!r.stderr.contains("STEAMSEC"), "{}", r.stderr);
    // The same from stdin (`-`).
    let bytes = std::fs::read(data("aegis_plain.json")).unwrap();
    let piped = run_bytes(&["import", "-", "--from", "aegis"], &bytes);
    expect(&piped, 6, "stdin");
    assert_eq!(piped.stdout, r.stdout);
}

#[test]
fn encrypted_files_take_the_password_from_stdin_never_argv() {
    for (name, from, encrypted, _) in FIXTURES {
        if !encrypted {
            continue;
        }
        let file = data(name);
        let ok = import(&file, from, &[], &format!("{PASSWORD}\n"));
        assert!(ok.code == 0 || ok.code == 6, "{name}: {}", ok.stderr);
        assert!(!ok.stdout.is_empty());
        no_password(&ok, PASSWORD);

        let wrong_pw = "not-the-pass-word";
        let wrong = import(&file, from, &[], &format!("{wrong_pw}\n"));
        expect(&wrong, 7, name);
        assert!(wrong.stdout.is_empty(), "{name}");
        assert!(
            wrong
                .stderr
                .contains(&format!("wrong password for the {from} file")),
            "{name}: {}",
            wrong.stderr
        );
        no_password(&wrong, wrong_pw);

        let none = import(&file, from, &[], "");
        expect(&none, 2, name);
        assert!(none.stderr.contains("password"), "{}", none.stderr);

        // The file on stdin leaves no room for the password: a clear error.
        let bytes = std::fs::read(&file).unwrap();
        let piped = run_bytes(&["import", "-", "--from", from], &bytes);
        expect(&piped, 2, name);
        assert!(
            piped.stderr.contains("password cannot come from stdin too"),
            "{}",
            piped.stderr
        );

        // There is no option for the password.
        let argv = import(&file, from, &["--password", PASSWORD], "");
        expect(&argv, 2, name);
        no_password(&argv, PASSWORD);
    }
}

#[test]
fn hostile_and_damaged_files_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"\x00\xff{\"db\": [[[[ not json").unwrap();
    for from in [
        "aegis",
        "2fas",
        "andotp",
        "bitwarden",
        "freeotp-plus",
        "authenticator-pro",
        "google-migration",
        "otpauth-list",
    ] {
        let r = import(&junk, from, &[], "x\n");
        expect(&r, 2, from);
        assert!(r.stdout.is_empty(), "{from}");
        assert!(
            r.stderr
                .starts_with(&format!("otpkit: cannot import the {from} file: ")),
            "{from}: {}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{from}: {}", r.stderr);
    }
    // An encrypted vault whose content was changed: the right password, a failed
    // integrity check.
    let text = std::fs::read_to_string(data("aegis_encrypted.json")).unwrap();
    let mut vault: Value = serde_json::from_str(&text).unwrap();
    let db = vault["db"].as_str().unwrap().to_owned();
    let mut chars: Vec<char> = db.chars().collect();
    chars[20] = if chars[20] == 'A' { 'B' } else { 'A' };
    vault["db"] = Value::String(chars.into_iter().collect());
    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, vault.to_string()).unwrap();
    let r = import(&tampered, "aegis", &[], &format!("{PASSWORD}\n"));
    expect(&r, 7, "tampered");
    assert!(r.stderr.contains("integrity check"), "{}", r.stderr);
    // A missing file is a file error.
    let r = import(&dir.path().join("absent"), "aegis", &[], "");
    expect(&r, 5, "absent");
    // PSKC options belong to PSKC.
    let r = import(&data("aegis_plain.json"), "aegis", &["--key-hex", "00"], "");
    expect(&r, 2, "--key-hex");
}

/// Decodes a PNG QR code with `rqrr`, an independent decoder.
fn decode_png(path: &Path) -> String {
    let img = image::open(path).unwrap().to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        img.get_pixel(x as u32, y as u32).0[0]
    });
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "{}", path.display());
    grids[0].decode().unwrap().1
}

/// Twelve accounts Google's format carries (two QR codes' worth), as a URI list.
fn twelve_accounts() -> String {
    (0..12u8)
        .map(|i| {
            let secret = data_encoding::BASE32_NOPAD.encode(&[i.wrapping_mul(7) ^ 0x5a; 20]);
            let (kind, extra) = match i % 3 {
                0 => ("totp", ""),
                1 => ("totp", "&digits=8&algorithm=SHA256"),
                _ => ("hotp", "&counter=42"),
            };
            format!("otpauth://{kind}/Issuer{i}:user{i}%40example.com?secret={secret}&issuer=Issuer{i}{extra}\n")
        })
        .collect()
}

#[test]
fn convert_round_trip_aegis_to_google_migration_to_import() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, twelve_accounts()).unwrap();
    let original = import(&list, "otpauth-list", &["--json"], "");
    expect(&original, 0, "list");
    assert_eq!(original.json().len(), 12);

    // otpauth list -> encrypted Aegis vault (the password on stdin, the list by path).
    let vault = dir.path().join("vault.json");
    let vault_pw = "vault pass phrase";
    let r = export(
        "aegis",
        &list,
        &["--encrypt", "--out", s(&vault)],
        &format!("{vault_pw}\n"),
    );
    expect(&r, 0, "to aegis");
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("12 of 12 accounts exported to aegis"),
        "{}",
        r.stderr
    );
    assert_private(&vault);
    assert!(!std::fs::read_to_string(&vault).unwrap().contains("otpauth"));

    // Aegis -> Google migration QR codes as PNG files.
    let qr = dir.path().join("qr");
    let r = export(
        "google-migration",
        &vault,
        &["--from", "aegis", "--out-dir", s(&qr)],
        &format!("{vault_pw}\n"),
    );
    expect(&r, 0, "to migration");
    no_password(&r, vault_pw);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&qr).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "--out-dir is created private");
    }
    let first = qr.join("batch-1-of-2.png");
    let second = qr.join("batch-2-of-2.png");
    assert_private(&first);
    assert_private(&second);
    let uris = [decode_png(&first), decode_png(&second)];
    assert!(
        uris.iter()
            .all(|u| u.starts_with("otpauth-migration://offline?data="))
    );

    // Scanned out of order, one twice: the same accounts as the original list.
    let scanned = dir.path().join("scanned.txt");
    std::fs::write(&scanned, format!("{}\n{}\n{}\n", uris[1], uris[0], uris[1])).unwrap();
    let back = import(&scanned, "google-migration", &["--json"], "");
    expect(&back, 0, "import migration");
    assert_eq!(back.json(), original.json());

    // Only the second QR code: its accounts, and the first reported missing.
    let half = dir.path().join("half.txt");
    std::fs::write(&half, format!("{}\n", uris[1])).unwrap();
    let r = import(&half, "google-migration", &["--json"], "");
    expect(&r, 6, "missing batch");
    assert_eq!(r.json(), original.json()[10..].to_vec());
    assert!(
        r.stderr
            .contains("QR codes of the transfer not given (batch numbers, from 1): 1"),
        "{}",
        r.stderr
    );

    // The URIs to a file (`--out`) import the same; the terminal drawing has one code
    // per batch.
    let uri_file = dir.path().join("uris.txt");
    let r = export("google-migration", &list, &["--out", s(&uri_file)], "");
    expect(&r, 0, "uris");
    assert_private(&uri_file);
    let back = import(&uri_file, "google-migration", &["--json"], "");
    assert_eq!(back.json(), original.json());
    let drawn = export("google-migration", &list, &[], "");
    expect(&drawn, 0, "terminal");
    assert!(drawn.stdout.contains("QR code 1 of 2"));
    assert!(drawn.stdout.contains("QR code 2 of 2"));
    assert!(drawn.stdout.contains('█'));

    // Aegis -> otpauth list: the same accounts again, secrets included.
    let r = export(
        "otpauth-list",
        &vault,
        &["--from", "aegis"],
        &format!("{vault_pw}\n"),
    );
    expect(&r, 0, "to list");
    let relisted = run_bytes(
        &["import", "-", "--from", "otpauth-list", "--json"],
        r.stdout.as_bytes(),
    );
    assert_eq!(relisted.json(), original.json());
}

#[test]
fn export_says_what_the_format_cannot_carry() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("uris.txt");
    let r = export(
        "google-migration",
        &data("aegis_plain.json"),
        &["--from", "aegis", "--out", s(&out)],
        "",
    );
    expect(&r, 6, "left out");
    for line in [
        "account 2 \"Sixty:bob\" left out: google-migration cannot carry a 60-second period",
        "account 3 \"Counter:carol\" left out: google-migration cannot carry 7-digit codes",
        "account 4 \"Steam:gamer\" left out: google-migration cannot carry a Steam Guard account",
        "account 5 \"mOTP:vpn\" left out: google-migration cannot carry an mOTP account",
        "1 of 5 accounts exported to google-migration",
    ] {
        assert!(r.stderr.contains(line), "{line}\n{}", r.stderr);
    }
    let back = import(&out, "google-migration", &["--json"], "");
    expect(&back, 0, "reimport");
    assert_eq!(back.json().len(), 1);
    assert_eq!(back.json()[0]["account"], "alice@example.com");

    // Aegis keeps everything but unknown URI parameters, and says so.
    let r = export("aegis", &data("otpauth_list.txt"), &[], "");
    expect(&r, 6, "list with bad lines");
    assert!(
        r.stderr.contains(
            "note: account 4 \"Example:icon\": aegis does not carry its parameters image"
        ),
        "{}",
        r.stderr
    );
    let vault: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(vault["db"]["entries"].as_array().unwrap().len(), 4);
}

#[test]
fn export_files_are_private_and_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("vault.json");
    let input = data("aegis_plain.json");
    let input = s(&input);
    let args = [
        "export",
        "--to",
        "aegis",
        "--from",
        "aegis",
        "--input",
        input,
        "--out",
        s(&out),
    ];
    expect(&run(&args, ""), 6, "first");
    assert_private(&out);
    std::fs::write(&out, "keep me").unwrap();
    let r = run(&args, "");
    expect(&r, 5, "exists");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let mut forced = args.to_vec();
    forced.push("--force");
    expect(&run(&forced, ""), 6, "forced");
    let vault: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(vault["db"]["entries"].as_array().unwrap().len(), 5);
}

#[test]
fn help_documents_the_formats_and_examples() {
    let r = run(&["import", "--help"], "");
    expect(&r, 0, "import --help");
    for text in [
        "authenticator-pro",
        "google-migration",
        "--from pskc",
        "first line of stdin",
    ] {
        assert!(r.stdout.contains(text), "{text}: {}", r.stdout);
    }
    let r = run(&["export", "--help"], "");
    expect(&r, 0, "export --help");
    for text in [
        "--out-dir",
        "--encrypt",
        "--input backup.2fas",
        "otpauth-list",
    ] {
        assert!(r.stdout.contains(text), "{text}: {}", r.stdout);
    }
}

#[test]
fn export_usage_errors() {
    let list = data("otpauth_list.txt");
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "export",
                "--to",
                "otpauth-list",
                "--encrypt",
                "--input",
                s(&list),
            ],
            "--encrypt is for --to aegis",
        ),
        (
            &[
                "export",
                "--to",
                "aegis",
                "--out-dir",
                "x",
                "--input",
                s(&list),
            ],
            "--out-dir is for --to google-migration",
        ),
        (
            &["export", "--to", "aegis", "--encrypt"],
            "give them with --input FILE",
        ),
        (
            &[
                "export",
                "--to",
                "aegis",
                "--from",
                "pskc",
                "--input",
                s(&list),
            ],
            "otpkit import FILE --from pskc",
        ),
        (&["export", "--to", "2fas", "--input", s(&list)], "--to"),
    ];
    for (args, message) in cases {
        let r = run(args, "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP\n");
        expect(&r, 2, message);
        assert!(r.stderr.contains(message), "{message}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    // Nothing readable: nothing exported.
    let r = run(&["export", "--to", "aegis"], "not a uri\n");
    expect(&r, 2, "empty");
    assert!(r.stderr.contains("no account to export"), "{}", r.stderr);
}

// ---- the interop corpus -----------------------------------------------------------

/// The CLI, without `--from`, tells every corpus file's format as the library's
/// `detect` does and gives exactly the accounts the library reads in that format
/// (secrets and names, in order) and the exit code its report calls for.
#[test]
fn interop_corpus_through_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop");
    let Ok(text) = std::fs::read_to_string(dir.join("expected.json")) else {
        println!(
            "SKIPPED: the interop corpus is absent ({} not found)",
            dir.join("expected.json").display()
        );
        return;
    };
    let expected: Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for record in expected["files"].as_array().unwrap() {
        let file = record["file"].as_str().unwrap();
        let path = dir.join(file);
        let bytes = std::fs::read(&path).unwrap();
        let Some(format) = otpkit_transfer::detect(&bytes) else {
            continue;
        };
        let password = record["password"].as_str();
        let library = otpkit_transfer::import(format, &bytes, password.map(str::as_bytes));
        let stdin = password.map(|p| format!("{p}\n")).unwrap_or_default();
        // A file holding one migration URI and nothing else is read as the URI
        // argument is (each entry on its own): named, it is read as a file.
        let r = if format == otpkit_transfer::Format::GoogleMigration {
            import(&path, format.name(), &["--json"], &stdin)
        } else {
            let r = run(&["import", s(&path), "--json"], &stdin);
            assert!(
                r.stderr.contains(&format!("as {format} (detected)")),
                "{file}: {}",
                r.stderr
            );
            r
        };
        match library {
            Ok(imported) => {
                let partial =
                    imported.failures().next().is_some() || !imported.missing_batches.is_empty();
                let empty = imported.report.is_empty() && imported.missing_batches.is_empty();
                let code = if empty {
                    2
                } else if partial {
                    6
                } else {
                    0
                };
                expect(&r, code, file);
                if empty {
                    continue;
                }
                let objects = r.json();
                assert_eq!(objects.len(), imported.accounts.len(), "{file}");
                for (o, a) in objects.iter().zip(&imported.accounts) {
                    assert_eq!(o["secret"], a.secret.base32().to_string(), "{file}");
                    assert_eq!(o["account"], a.name.as_str(), "{file}");
                }
            }
            Err(e) => {
                let code = match e {
                    otpkit_transfer::ImportError::WrongPassword { .. }
                    | otpkit_transfer::ImportError::IntegrityCheckFailed { .. } => 7,
                    _ => 2,
                };
                expect(&r, code, file);
                // A refusal by the key-derivation budget names the flags instead.
                let said = if matches!(e, otpkit_transfer::ImportError::KdfBudget { .. }) {
                    "if you trust the file, run again with --kdf-budget".to_owned()
                } else {
                    e.to_string()
                };
                assert!(r.stderr.contains(&said), "{file}: {}", r.stderr);
            }
        }
        checked += 1;
    }
    println!("interop corpus: {checked} files checked through the CLI");
    assert!(checked > 40, "only {checked} corpus files were in scope");
}

#[test]
fn cxf_and_encrypted_pskc_exports_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, twelve_accounts()).unwrap();
    let original = import(&list, "otpauth-list", &["--json"], "");
    let secrets: Vec<Value> = original
        .json()
        .iter()
        .map(|o| o["secret"].clone())
        .collect();

    // CXF holds TOTP only: the HOTP accounts are left out, each named, exit 6.
    let cxf = dir.path().join("export.cxf.json");
    let r = export("cxf", &list, &["--out", s(&cxf)], "");
    expect(&r, 6, "to cxf");
    assert!(
        r.stderr.contains("8 of 12 accounts exported to cxf"),
        "{}",
        r.stderr
    );
    assert_private(&cxf);
    let back = run(&["import", s(&cxf), "--json"], "");
    expect(&back, 0, "cxf back");
    assert!(back.stderr.contains("as cxf (detected)"), "{}", back.stderr);
    let read: Vec<Value> = back.json().iter().map(|o| o["secret"].clone()).collect();
    let totp: Vec<Value> = original
        .json()
        .iter()
        .filter(|o| o["counter"].is_null())
        .map(|o| o["secret"].clone())
        .collect();
    assert_eq!(totp.len(), 8);
    assert_eq!(read, totp);

    let pskc = dir.path().join("seeds.pskc");
    let r = export(
        "pskc",
        &list,
        &["--encrypt", "--out", s(&pskc)],
        "seed file password\n",
    );
    expect(&r, 0, "to pskc");
    assert_private(&pskc);
    let xml = std::fs::read_to_string(&pskc).unwrap();
    assert!(xml.contains("<pskc:EncryptedValue") || xml.contains("EncryptedValue"));
    for secret in &secrets {
        assert!(!xml.contains(secret.as_str().unwrap()));
    }
    let back = run(
        &["import", s(&pskc), "--json", "--from", "pskc"],
        "seed file password\n",
    );
    expect(&back, 0, "pskc back");
    let read: Vec<Value> = back.json().iter().map(|o| o["secret"].clone()).collect();
    assert_eq!(read, secrets);
}
