//! oathtool-style ergonomics: a positional or hex secret, the stateless `check`,
//! codes from stdin, warnings for non-canonical Base32, messages in the CLI's terms.

mod support;

use support::{SEED, T, code_at, run_with_stdin as run, write_device};

/// [`SEED`] in hex.
const SEED_HEX: &str = "3132333435363738393031323334353637383930";

#[test]
fn positional_and_hex_secrets_give_the_rfc_codes() {
    for args in [
        vec!["code", SEED, "--digits", "8", "--time", "59"],
        vec!["code", "--secret", SEED, "--digits", "8", "--time", "59"],
        vec!["code", "--hex", SEED_HEX, "--digits", "8", "--time", "59"],
        vec![
            "code", "--hex", "--secret", SEED_HEX, "--digits", "8", "--time", "59",
        ],
    ] {
        let r = run(&args, "");
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "94287082\n"),
            "{args:?} {}",
            r.stderr
        );
        assert_eq!(r.stderr, "");
    }
    let r = run(
        &["code", "--hex", "-", "--hotp", "--counter", "0"],
        SEED_HEX,
    );
    assert_eq!(r.stdout, "755224\n", "{}", r.stderr);
    // Hex that is not hex: exit 2, no value echoed.
    let r = run(&["code", "--hex", "31323g"], "");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("position 6") && !r.stderr.contains("31323"),
        "{}",
        r.stderr
    );
}

#[test]
fn unexpected_arguments_name_the_subcommand_help_but_not_the_value() {
    let r = run(&["code", SEED, "SECRETLOOKINGVALUE"], "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("otpkit code --help"), "{}", r.stderr);
    assert!(!r.stderr.contains("SECRETLOOKING"), "{}", r.stderr);
    let r = run(&["verify", "--state", "x", "123456", "--bogus"], "");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--bogus") && r.stderr.contains("otpkit verify --help"),
        "{}",
        r.stderr
    );
}

#[test]
fn short_non_canonical_base32_is_warned_about() {
    // 56 bits: used only with --allow-short-secret (see the test of that flag).
    let r = run(
        &[
            "code",
            "JBSWY3DPEHPK",
            "--time",
            "59",
            "--allow-short-secret",
        ],
        "",
    );
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.lines().count(), 1);
    assert!(
        r.stderr.starts_with("otpkit: warning: ") && r.stderr.contains("56 bits"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("JBSW"));
    // Canonical text: no warning.
    let r = run(&["code", "JBSWY3DPEHPK3PXP", "--time", "59"], "");
    assert_eq!(r.stderr, "");
    // inspect: the bit count and a warning line; --json: in the warnings array.
    let uri = "otpauth://totp/a?secret=JBSWY3DPEHPK";
    let r = run(&["inspect", uri], "");
    assert!(r.stdout.contains("secret bits 56"), "{}", r.stdout);
    assert!(r.stdout.contains("not canonical"), "{}", r.stdout);
    let r = run(&["inspect", "--json", uri], "");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("not canonical"))
    );
    // From a URI, `code` warns as well.
    let r = run(
        &["code", "--uri", uri, "--time", "59", "--allow-short-secret"],
        "",
    );
    assert!(r.stderr.contains("not canonical"), "{}", r.stderr);
}

#[test]
fn check_is_stateless_with_documented_exit_codes() {
    let good = code_at(T);
    let t = T.to_string();
    let r = run(&["check", SEED, &good, "--time", &t], "");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "accepted\n"),
        "{}",
        r.stderr
    );
    // Again: no state, so accepted again (unlike verify).
    assert_eq!(
        run(&["check", "--totp", SEED, &good, "--time", &t], "").code,
        0
    );
    // One step late: needs -w 1, and says "1 step(s) behind".
    let late = (T + 30).to_string();
    assert_eq!(run(&["check", SEED, &good, "--time", &late], "").code, 1);
    let r = run(&["check", "-w", "1", SEED, &good, "--time", &late], "");
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "accepted (1 step(s) behind)\n")
    );
    // Code and secret from stdin (secret first).
    let r = run(
        &["check", "-", "-", "--time", &t],
        &format!("{SEED}\n{good}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // HOTP with a look-ahead window, hex secret.
    let r = run(
        &["check", "--hotp", "--hex", SEED_HEX, "359152", "-w", "3"],
        "",
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "accepted (counter 2)\n"),
        "{}",
        r.stderr
    );
    assert_eq!(
        run(&["check", "--hotp", "--hex", SEED_HEX, "359152"], "").code,
        1
    );
    // Malformed code or secret: 2.
    assert_eq!(run(&["check", SEED, "12ab56", "--time", &t], "").code, 2);
    assert_eq!(run(&["check", "0OOO", &good], "").code, 2);
}

#[test]
fn verify_and_resync_read_codes_from_stdin_and_word_drift_alike() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.state");
    write_device(&path);
    let p = path.to_str().unwrap();
    // The device runs one step ahead: verify says so.
    let t = (T + 300).to_string();
    let ahead = code_at(T + 330);
    let r = run(
        &["verify", "--state", p, "-", "--time", &t],
        &format!("{ahead}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "accepted (the device's clock is 1 step(s) ahead)\n"
    );
    // Ten steps ahead: resync with both codes on stdin, same wording.
    let t = (T + 600).to_string();
    let (c1, c2) = (code_at(T + 900), code_at(T + 930));
    let r = run(
        &["resync", "--state", p, "-", "-", "--time", &t],
        &format!("{c1}\n{c2}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("step(s) ahead"), "{}", r.stdout);
    assert!(!r.stdout.contains("off"), "{}", r.stdout);
    // Nothing on stdin: a usage error, the state file untouched.
    let before = std::fs::read(&path).unwrap();
    let r = run(&["verify", "--state", p, "-", "--time", &t], "");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_short_secret_in_a_state_file_is_reported_without_rust_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.state");
    write_device(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(SEED, "JBSWY3DPEHPK3PXP")).unwrap();
    let r = run(&["verify", "--state", path.to_str().unwrap(), "123456"], "");
    assert_eq!(r.code, 5);
    assert!(r.stderr.contains("80 bits"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("::") && !r.stderr.contains("LengthPolicy"),
        "{}",
        r.stderr
    );
}

#[test]
fn inspect_state_shows_local_times_and_raw_times_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.state");
    write_device(&path);
    let p = path.to_str().unwrap();
    // Lock the device out with wrong codes.
    let t = (T + 60).to_string();
    for _ in 0..5 {
        assert_eq!(
            run(&["verify", "--state", p, "000000", "--time", &t], "").code,
            1
        );
    }
    let r = run(&["inspect", "--state", p, "--time", &t], "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains(SEED) && !r.stdout.contains("GEZD"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("secret bits 160"), "{}", r.stdout);
    assert!(r.stdout.contains("failures    5 of 5"), "{}", r.stdout);
    assert!(r.stdout.contains("(Unix time 1800000000)"), "{}", r.stdout);
    let locked = r.stdout.lines().find(|l| l.starts_with("locked")).unwrap();
    assert!(
        locked.contains(", in 1 min 0 s (Unix time 1800000120)"),
        "{locked}"
    );
    let r = run(&["inspect", "--state", p, "--time", &t, "--json"], "");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["locked_until"], 1_800_000_120u64);
    assert_eq!(v["last_step_time"], T);
    assert_eq!(v["locked"], true);
    assert!(!r.stdout.contains("GEZD"));
    // A URI and --state together are refused.
    assert_eq!(
        run(
            &["inspect", "otpauth://totp/a?secret=AAAA", "--state", p],
            ""
        )
        .code,
        2
    );
}

#[test]
fn a_secret_under_80_bits_needs_the_flag_that_names_it() {
    let refused = |r: &support::Run, bits: &str| {
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(r.stdout, "");
        let last = r.stderr.lines().last().unwrap_or("");
        assert_eq!(
            last,
            format!(
                "otpkit: invalid secret: the secret is {bits} bits, shorter than 80 bits: it \
                 was probably copied in part; if it really is that short, add \
                 --allow-short-secret"
            )
        );
        assert!(!r.stderr.contains("LengthPolicy") && !r.stderr.contains("::"));
        assert!(!r.stderr.contains("JBSW"), "{}", r.stderr);
    };
    // 16 bits (with the warning about its dropped bits), 40 bits as hex, from a URI.
    refused(&run(&["code", "JBSW", "--time", "59"], ""), "16");
    refused(
        &run(&["code", "--hex", "0102030405", "--time", "59"], ""),
        "40",
    );
    let uri = "otpauth://totp/a?secret=JBSWY3DP";
    refused(&run(&["code", "--uri", uri, "--time", "59"], ""), "40");
    refused(
        &run(&["check", "JBSWY3DP", "000000", "--time", "59"], ""),
        "40",
    );
    // With the flag, the code; 80 bits need none.
    for args in [
        vec!["code", "JBSW", "--time", "59", "--allow-short-secret"],
        vec!["code", "--uri", uri, "--time", "59", "--allow-short-secret"],
        vec!["code", "JBSWY3DPEHPK3PXP", "--time", "59"],
    ] {
        let r = run(&args, "");
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout.trim().len(), 6, "{args:?}");
    }
    let code = run(
        &["code", "JBSWY3DP", "--time", "59", "--allow-short-secret"],
        "",
    );
    let r = run(
        &[
            "check",
            "JBSWY3DP",
            code.stdout.trim(),
            "--time",
            "59",
            "--allow-short-secret",
        ],
        "",
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "accepted\n"),
        "{}",
        r.stderr
    );
}
