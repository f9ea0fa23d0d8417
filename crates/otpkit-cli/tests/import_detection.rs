//! `otpkit import` as a newcomer meets it: a file without `--from` (its format told
//! from the content and named on stderr, or the formats listed), a misspelt format
//! (the formats listed, the nearest suggested), a QR code image given as text, PSKC
//! read through the same path as every other format (`-` included), and short
//! secrets named by the tool's flag, never by the library's Rust API. The binary runs
//! as a process on otpkit-transfer's and otpkit-pskc's committed test files, and on
//! the interop corpus (`../shared/interop`, read in place) when it is present.

mod support;

use std::path::{Path, PathBuf};

use support::{Run, arg as s, expect, run, run_with_stdin, run_with_stdin_bytes};

fn transfer_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../otpkit-transfer/tests/data")
        .join(name)
}

fn figure(n: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../otpkit-pskc/tests/data")
        .join(format!("rfc6030-figure-{n}.xml"))
}

/// Every `--from` name, in `--help`'s order: every transfer format by its own name,
/// then `pskc`.
fn formats() -> String {
    let mut names: Vec<&str> = otpkit_transfer::Format::ALL
        .iter()
        .map(|f| f.name())
        .collect();
    names.push("pskc");
    names.join(", ")
}

/// The first line of stderr.
fn first_line(run: &Run) -> &str {
    run.stderr.lines().next().unwrap_or("")
}

#[test]
fn a_file_without_from_is_read_as_the_format_its_content_shows() {
    for (name, format, code) in [
        ("aegis_plain.json", "aegis", 6),
        ("twofas_plain.2fas", "2fas", 6),
        // Every entry reads (its mOTP one without a PIN, with a warning).
        ("andotp_plain.json", "andotp", 0),
        ("bitwarden_plain.json", "bitwarden", 6),
        ("freeotp_plus.json", "freeotp-plus", 6),
        ("authpro_plain.json", "authenticator-pro", 0),
        ("otpauth_list.txt", "otpauth-list", 6),
    ] {
        let file = transfer_data(name);
        let detected = run(&["import", s(&file)]);
        let named = run(&["import", s(&file), "--from", format]);
        assert_eq!(
            first_line(&detected),
            format!("otpkit: reading {} as {format} (detected)", s(&file)),
            "{name}"
        );
        // Then exactly what `--from FORMAT` does.
        assert_eq!(detected.code, named.code, "{name}: {}", detected.stderr);
        assert_eq!(detected.code, code, "{name}: {}", detected.stderr);
        assert_eq!(detected.stdout, named.stdout, "{name}");
        assert_eq!(
            detected.stderr.lines().skip(1).collect::<Vec<_>>(),
            named.stderr.lines().collect::<Vec<_>>(),
            "{name}"
        );
    }
}

#[test]
fn an_encrypted_file_without_from_is_detected_before_its_password_is_read() {
    let r = run_with_stdin(
        &["import", s(&transfer_data("aegis_encrypted.json"))],
        "otpkit-test\n",
    );
    assert!(
        r.stderr.starts_with("otpkit: reading ")
            && first_line(&r).ends_with(" as aegis (detected)"),
        "{}",
        r.stderr
    );
    // Five of its seven entries import (as with --from aegis): exit 6.
    expect(&r, 6, "aegis_encrypted.json");
    assert_eq!(r.stdout.lines().count(), 5, "{}", r.stdout);
}

#[test]
fn stdin_without_from_is_detected_and_a_lone_migration_uri_still_reads_as_one() {
    let bytes = std::fs::read(transfer_data("twofas_plain.2fas")).unwrap();
    let r = run_with_stdin_bytes(&["import", "-"], &bytes);
    assert_eq!(first_line(&r), "otpkit: reading stdin as 2fas (detected)");
    assert_eq!(r.stdout.lines().count(), 4, "{}", r.stdout);
    // One migration URI on stdin: its accounts, as for the URI given as argument.
    let dir = tempfile::tempdir().unwrap();
    let scans = dir.path().join("scans.txt");
    let list = transfer_data("otpauth_list.txt");
    let r = run(&[
        "export",
        "--to",
        "google-migration",
        "--input",
        s(&list),
        "--out",
        s(&scans),
    ]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    let first = std::fs::read_to_string(&scans)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let piped = run_with_stdin(&["import", "-"], &format!("{first}\n"));
    let argument = run(&["import", &first]);
    expect(&argument, 0, "migration URI argument");
    assert_eq!(piped.code, argument.code, "{}", piped.stderr);
    assert_eq!(piped.stdout, argument.stdout);
    assert_eq!(piped.stderr, argument.stderr);
}

#[test]
fn a_file_whose_format_cannot_be_told_lists_the_formats() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "my accounts:\nalice JBSWY3DPEHPK3PXP\n").unwrap();
    // An encrypted andOTP backup is random bytes from its first byte on.
    for path in [transfer_data("andotp_encrypted.bin"), notes] {
        let r = run(&["import", s(&path)]);
        expect(&r, 2, s(&path));
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        assert_eq!(
            r.stderr,
            format!(
                "otpkit: cannot tell the format of {} from its content: give it with --from \
                 FORMAT (one of {}); an encrypted andOTP backup is never recognised: \
                 use --from andotp\n",
                s(&path),
                formats()
            )
        );
        assert!(!r.stderr.contains("JBSW"), "{}", r.stderr);
    }
    // Named, it reads.
    let r = run_with_stdin(
        &[
            "import",
            s(&transfer_data("andotp_encrypted.bin")),
            "--from",
            "andotp",
        ],
        "otpkit-test\n",
    );
    assert_eq!(r.stdout.lines().count(), 4, "{}", r.stderr);
}

#[test]
fn a_misspelt_format_lists_the_formats_and_suggests_the_nearest() {
    let file = transfer_data("aegis_plain.json");
    let r = run(&["import", s(&file), "--from", "aegsi"]);
    expect(&r, 2, "--from aegsi");
    assert_eq!(
        r.stderr,
        format!(
            "otpkit: invalid value for --from <FORMAT>; expected one of {} (did you \
             mean aegis?) (see `otpkit import --help`)\n",
            formats()
        )
    );
    // Nothing near: the list alone; the value typed (a secret in the wrong place,
    // perhaps) is never repeated.
    let r = run(&["import", s(&file), "--from", "GEZDGNBVGY3TQOJQ"]);
    expect(&r, 2, "--from SECRET");
    assert!(
        r.stderr
            .contains(&format!("expected one of {} (see", formats())),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("GEZD") && !r.stderr.contains("did you mean"),
        "{}",
        r.stderr
    );
    // export's formats, too.
    let r = run(&["export", "--to", "agis"]);
    expect(&r, 2, "--to agis");
    assert!(
        r.stderr.contains(
            "expected one of aegis, google-migration, otpauth-list, cxf, pskc (did you mean aegis?)"
        ),
        "{}",
        r.stderr
    );
    let r = run(&["export", "--to", "aegis", "--from", "2fa"]);
    assert!(r.stderr.contains("(did you mean 2fas?)"), "{}", r.stderr);
}

/// A real QR code image: `otpkit qr` writes it.
fn qr_png(dir: &Path) -> PathBuf {
    let png = dir.join("qr.png");
    let uri = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Example";
    expect(&run(&["qr", uri, "--png", s(&png)]), 0, "qr --png");
    png
}

#[test]
fn an_image_is_read_as_qr_codes_and_named_as_an_image_for_every_other_format() {
    let dir = tempfile::tempdir().unwrap();
    let png = qr_png(dir.path());
    let jpeg = dir.path().join("photo.jpg");
    std::fs::write(&jpeg, b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00").unwrap();
    let said = |image: &Path, kind: &str| {
        format!(
            "otpkit: {} is {kind}: read a screenshot of QR codes with --from qr-image (or \
             leave --from out)\n",
            s(image)
        )
    };
    // Detected, or named: the QR code's account.
    for args in [
        vec!["import", s(&png)],
        vec!["import", s(&png), "--from", "qr-image"],
    ] {
        let r = run(&args);
        expect(&r, 0, "qr-image");
        assert!(r.stdout.starts_with("otpauth://totp/"), "{}", r.stdout);
    }
    for from in [
        Some("otpauth-list"),
        Some("google-migration"),
        Some("aegis"),
        Some("2fas"),
        Some("bitwarden"),
        Some("freeotp-plus"),
        Some("authenticator-pro"),
        Some("pskc"),
    ] {
        for (image, kind) in [(&png, "a PNG image"), (&jpeg, "a JPEG image")] {
            let mut args = vec!["import", s(image)];
            args.extend(from.iter().flat_map(|f| ["--from", *f]));
            let r = run(&args);
            expect(&r, 2, &format!("{from:?} {kind}"));
            assert_eq!(r.stderr, said(image, kind), "{from:?}");
        }
    }
    // andOTP backups are binary when encrypted: a PNG's 8-byte signature is still
    // told apart.
    let r = run(&["import", s(&png), "--from", "andotp"]);
    assert_eq!(r.stderr, said(&png, "a PNG image"));
    // export reads its input the same way.
    let r = run(&["export", "--to", "aegis", "--input", s(&png)]);
    expect(&r, 2, "export of an image");
    assert_eq!(r.stderr, said(&png, "a PNG image"));
}

#[test]
fn pskc_is_detected_and_read_through_the_same_path_as_every_format() {
    // Figure 3: a plain container.
    let named = run(&["import", s(&figure(3)), "--from", "pskc"]);
    expect(&named, 0, "--from pskc");
    let detected = run(&["import", s(&figure(3))]);
    expect(&detected, 0, "detected");
    assert_eq!(
        detected.stderr,
        format!("otpkit: reading {} as pskc (detected)\n", s(&figure(3)))
    );
    assert_eq!(detected.stdout, named.stdout);
    // From stdin, as any format.
    let xml = std::fs::read(figure(3)).unwrap();
    let piped = run_with_stdin_bytes(&["import", "-", "--from", "pskc"], &xml);
    expect(&piped, 0, "--from pskc from stdin");
    assert_eq!(piped.stdout, named.stdout);
    let piped = run_with_stdin_bytes(&["import", "-"], &xml);
    assert_eq!(piped.stdout, named.stdout);
    // A container that needs a key says how to give it, in the tool's terms.
    let r = run(&["import", s(&figure(6))]);
    expect(&r, 2, "figure 6 without a key");
    assert!(
        r.stderr.ends_with(
            "otpkit: cannot import the PSKC file: it is encrypted with a pre-shared key; give \
             the key with --from pskc --key-hex HEX (`-` reads it from stdin) or --key-file FILE\n"
        ),
        "{}",
        r.stderr
    );
    // Its password cannot come from stdin when the file does.
    let xml = std::fs::read(figure(7)).unwrap();
    let r = run_with_stdin_bytes(&["import", "-", "--from", "pskc"], &xml);
    expect(&r, 2, "password container on stdin");
    assert!(
        r.stderr.contains("give the file's path instead of `-`"),
        "{}",
        r.stderr
    );
    let r = run_with_stdin_bytes(
        &["import", "-", "--from", "pskc", "--key-hex", "-"],
        &std::fs::read(figure(6)).unwrap(),
    );
    expect(&r, 2, "key and file both on stdin");
    assert!(
        r.stderr.contains("--key-hex - reads the key from stdin"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_short_pskc_secret_names_the_flag_that_imports_it() {
    // Figure 2's secret is 32 bits.
    let r = run(&["import", s(&figure(2)), "--from", "pskc"]);
    expect(&r, 6, "figure 2");
    assert!(
        r.stderr.contains(
            "otpkit: key 1 of 1: the secret is 32 bits, shorter than the 128 bits \
             RFC 4226 requires; to import it anyway, add --allow-short-secret\n"
        ),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("LengthPolicy") && !r.stderr.contains("::"),
        "{}",
        r.stderr
    );
    let r = run(&[
        "import",
        s(&figure(2)),
        "--from",
        "pskc",
        "--allow-short-secret",
    ]);
    expect(&r, 0, "--allow-short-secret");
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    // Detected, the message names --from pskc too (the PSKC flags need it).
    let r = run(&["import", s(&figure(2))]);
    assert!(
        r.stderr.contains("add --from pskc --allow-short-secret\n"),
        "{}",
        r.stderr
    );
    // The other formats import short secrets with a warning: the flag is refused.
    let r = run(&[
        "import",
        s(&transfer_data("aegis_plain.json")),
        "--from",
        "aegis",
        "--allow-short-secret",
    ]);
    expect(&r, 2, "--allow-short-secret with aegis");
    assert!(
        r.stderr.contains("--allow-short-secret is for --from pskc"),
        "{}",
        r.stderr
    );
}

/// Every PSKC file of the interop corpus is detected as PSKC (the transfer formats'
/// files are checked by otpkit-transfer's `detect` test); skips when the corpus is
/// absent.
#[test]
fn interop_pskc_files_are_detected_as_pskc() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop");
    let Ok(expected) = std::fs::read(dir.join("expected.json")) else {
        println!("SKIP interop corpus: ../shared/interop/expected.json not found");
        return;
    };
    let expected: serde_json::Value = serde_json::from_slice(&expected).unwrap();
    let mut checked = 0;
    for record in expected["files"].as_array().unwrap() {
        let file = record["file"].as_str().unwrap();
        if !file.starts_with("samples/pskc/") || file.ends_with(".doctest") {
            continue;
        }
        let path = dir.join(file);
        let r = run(&["import", s(&path)]);
        assert_eq!(
            first_line(&r),
            format!("otpkit: reading {} as pskc (detected)", s(&path)),
            "{file}: {}",
            r.stderr
        );
        checked += 1;
    }
    assert!(checked >= 40, "{checked} PSKC files");
}
