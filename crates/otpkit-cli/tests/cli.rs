//! End-to-end tests of the `otpkit` binary: every command run as a process, with the
//! codes computed independently by the library from the secret the tool printed.

mod support;

use std::path::Path;

use otpkit::otpauth::Account;
use otpkit::{Algorithm, Digits, Period, Secret, Totp};
use serde_json::Value;

use support::{
    ACCOUNT_KEYS, Run, SEED as SEED_SHA1, T, racing_verifies, run as otpkit,
    run_with_stdin as otpkit_with_stdin,
};

/// RFC 6238 Appendix B seeds, Base32 (SHA-1: [`SEED_SHA1`]).
const SEED_SHA256: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA";
const SEED_SHA512: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA";

/// Succeeds and prints exactly one line.
fn one_line(args: &[&str]) -> String {
    let run = otpkit(args);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{args:?}: {:?}", run.stdout);
    lines[0].to_owned()
}

/// A failure: the exit code expected, one `otpkit: ` line on stderr, nothing from
/// `forbidden` in it.
fn assert_failure(run: &Run, code: i32, forbidden: &[&str], context: &str) {
    assert_eq!(
        run.code, code,
        "{context}: stdout {:?} stderr {:?}",
        run.stdout, run.stderr
    );
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{context}: {:?}", run.stderr);
    assert!(
        lines[0].starts_with("otpkit: "),
        "{context}: {:?}",
        lines[0]
    );
    for f in forbidden {
        assert!(
            !run.stderr.contains(f),
            "{context}: {f:?} leaked: {:?}",
            run.stderr
        );
    }
}

// ---- code -------------------------------------------------------------------------

#[test]
fn code_matches_rfc6238_vectors() {
    // RFC 6238 Appendix B, all three algorithms, 8 digits.
    let vectors: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ];
    for (time, sha1, sha256, sha512) in vectors {
        let t = time.to_string();
        for (alg, seed, expected) in [
            ("SHA1", SEED_SHA1, sha1),
            ("SHA256", SEED_SHA256, sha256),
            ("SHA512", SEED_SHA512, sha512),
        ] {
            let got = one_line(&[
                "code",
                "--secret",
                seed,
                "--algorithm",
                alg,
                "--digits",
                "8",
                "--time",
                &t,
            ]);
            assert_eq!(got, expected, "{alg} at {time}");
        }
    }
    // SHA1 is the default algorithm.
    assert_eq!(
        one_line(&[
            "code", "--secret", SEED_SHA1, "--digits", "8", "--time", "59"
        ]),
        "94287082"
    );
    // Six digits by default: the last six of the eight.
    assert_eq!(
        one_line(&["code", "--secret", SEED_SHA1, "--time", "59"]),
        "287082"
    );
}

#[test]
fn code_verbose_prints_seconds_left() {
    let run = otpkit(&["code", "--secret", SEED_SHA1, "--time", "59", "--verbose"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "287082\n1 s left\n");
    let run = otpkit(&[
        "code", "--secret", SEED_SHA1, "--time", "61", "--period", "60", "-v",
    ]);
    assert_eq!(run.stdout.lines().nth(1), Some("59 s left"));
}

#[test]
fn code_reads_the_secret_from_stdin() {
    let run = otpkit_with_stdin(
        &["code", "--secret", "-", "--digits", "8", "--time", "59"],
        "gezd gnbv gy3t qojq gezd gnbv gy3t qojq\n",
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "94287082\n"));
    let uri = format!("otpauth://totp/x?secret={SEED_SHA1}&digits=8");
    let run = otpkit_with_stdin(&["code", "--uri", "-", "--time", "59"], &uri);
    assert_eq!((run.code, run.stdout.as_str()), (0, "94287082\n"));
}

#[test]
fn code_hotp_matches_rfc4226_vectors() {
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (counter, code) in expected.iter().enumerate() {
        let c = counter.to_string();
        assert_eq!(
            one_line(&["code", "--hotp", "--counter", &c, "--secret", SEED_SHA1]),
            *code
        );
    }
    // An hotp URI uses its counter; --counter overrides it.
    let uri = format!("otpauth://hotp/x?secret={SEED_SHA1}&counter=3");
    assert_eq!(one_line(&["code", "--uri", &uri]), "969429");
    assert_eq!(
        one_line(&["code", "--uri", &uri, "--counter", "9"]),
        "520489"
    );
    assert_eq!(
        one_line(&["code", "--hotp", "--counter", "4", "--uri", &uri]),
        "338314"
    );
    // --hotp with a totp URI: HOTP with the URI's secret, algorithm and digits.
    let totp_uri = format!("otpauth://totp/x?secret={SEED_SHA1}&digits=8");
    assert_eq!(
        one_line(&["code", "--hotp", "--counter", "1", "--uri", &totp_uri]),
        "94287082"
    );
}

#[test]
fn code_from_totp_and_steam_uris() {
    let uri = format!(
        "otpauth://totp/Ex:a?secret={SEED_SHA256}&issuer=Ex&algorithm=SHA256&digits=8&period=60"
    );
    let secret = Secret::from_base32(SEED_SHA256).unwrap();
    let totp = Totp::new(
        &secret,
        Algorithm::Sha256,
        Digits::EIGHT,
        Period::new(60).unwrap(),
    );
    for time in [0u64, 59, 60, 1_700_000_000] {
        let t = time.to_string();
        assert_eq!(
            one_line(&["code", "--uri", &uri, "--time", &t]),
            totp.code_at(time).unwrap().to_string()
        );
    }
    let steam_uri = format!("otpauth://totp/Steam:gabe?secret={SEED_SHA1}&issuer=Steam");
    let steam = otpkit::steam::SteamGuard::new(&Secret::from_base32(SEED_SHA1).unwrap());
    for time in [0u64, 1_700_000_000] {
        let t = time.to_string();
        let got = one_line(&["code", "--uri", &steam_uri, "--time", &t]);
        assert_eq!(got, steam.code_at(time).unwrap().as_str());
        assert_eq!(got.len(), 5);
        assert!(
            got.bytes()
                .all(|b| otpkit::steam::STEAM_ALPHABET.contains(&b))
        );
    }
}

/// `code --uri` goes through the core's generator for every kind: what each kind
/// refuses, and `--verbose`'s seconds left for the time-based kinds only.
#[test]
fn code_uri_options_each_kind_refuses_and_verbose() {
    let steam_uri = format!("otpauth://totp/Steam:gabe?secret={SEED_SHA1}&issuer=Steam");
    let hotp_uri = format!("otpauth://hotp/x?secret={SEED_SHA1}&counter=3");
    let totp_uri = format!("otpauth://totp/x?secret={SEED_SHA1}");
    for (args, says) in [
        (
            vec!["--hotp", "--counter", "1", "--uri", &steam_uri],
            "--hotp cannot be used with a Steam account",
        ),
        (
            vec!["--counter", "1", "--uri", &steam_uri],
            "--counter applies to HOTP only",
        ),
        (
            vec!["--counter", "1", "--uri", &totp_uri],
            "--counter applies to HOTP only",
        ),
        (
            vec!["--time", "59", "--uri", &hotp_uri],
            "--time applies to time-based accounts only",
        ),
    ] {
        let run = otpkit(&[&["code"], args.as_slice()].concat());
        assert_failure(&run, 2, &[SEED_SHA1], says);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
    // 1_700_000_000 is 20 s into its 30 s step: 10 s left.
    let steam = otpkit(&["code", "--uri", &steam_uri, "--time", "1700000000", "-v"]);
    assert_eq!(
        steam.stdout.lines().nth(1),
        Some("10 s left"),
        "{}",
        steam.stdout
    );
    let hotp = otpkit(&["code", "--uri", &hotp_uri, "-v"]);
    assert_eq!(hotp.stdout, "969429\n", "no time left for HOTP");
}

#[test]
fn code_defaults_to_now() {
    let secret = Secret::from_base32(SEED_SHA1).unwrap();
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let before = totp.code_now().unwrap().to_string();
    let got = one_line(&["code", "--secret", SEED_SHA1]);
    let after = totp.code_now().unwrap().to_string();
    assert!(got == before || got == after, "{got} {before} {after}");
}

// ---- enroll, verify, resync --------------------------------------------------------

/// Runs `otpkit enroll` like a user would: reads the printed URI, computes two
/// consecutive codes from it the way the phone would, types them in.
fn enroll(state: &Path, extra: &[&str], time: Option<u64>) -> (Run, Option<Account>) {
    enroll_typing(state, extra, time, &[])
}

/// [`enroll`], typing the lines `before` (typos, wrong codes) before the two codes.
fn enroll_typing(
    state: &Path,
    extra: &[&str],
    time: Option<u64>,
    before: &[&str],
) -> (Run, Option<Account>) {
    let t = time.map(|t| t.to_string());
    let mut args = vec![
        "enroll",
        "--issuer",
        "Example Co",
        "--account",
        "alice@example.com",
        "--state",
        state.to_str().unwrap(),
    ];
    if let Some(t) = &t {
        args.extend(["--time", t]);
    }
    args.extend_from_slice(extra);
    support::enroll_typing(&args, time, before)
}

/// Finds the half-block QR code in `text` and decodes it as a camera would see it on
/// a dark terminal (blocks are light, blanks dark).
fn scan_terminal_qr(text: &str) -> String {
    let rows: Vec<Vec<char>> = text
        .lines()
        .skip_while(|l| !l.starts_with('█'))
        .take_while(|l| !l.is_empty())
        .map(|l| l.chars().collect())
        .collect();
    assert!(rows.len() > 10, "{text}");
    const S: usize = 4; // pixels per module
    let width = rows[0].len();
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(width * S, rows.len() * 2 * S, |x, y| {
            let top = (y / S).is_multiple_of(2);
            let filled = match rows[y / (2 * S)][x / S] {
                '█' => true,
                '▀' => top,
                '▄' => !top,
                _ => false,
            };
            if filled { 255 } else { 0 }
        });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    grids[0].decode().unwrap().1
}

fn verify(state: &Path, code: &str, time: u64) -> Run {
    otpkit(&[
        "verify",
        "--state",
        state.to_str().unwrap(),
        code,
        "--time",
        &time.to_string(),
    ])
}

fn code_at(account: &Account, time: u64) -> String {
    account.totp().unwrap().code_at(time).unwrap().to_string()
}

#[test]
fn enroll_prints_uri_qr_and_grouped_secret_then_writes_a_private_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("alice.otp");
    let (run, account) = enroll(&state, &[], Some(T));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let account = account.unwrap();
    assert_eq!(account.issuer.as_deref(), Some("Example Co"));
    // It says how to switch to the light-terminal drawing.
    assert!(run.stdout.contains("--light-terminal"), "{}", run.stdout);
    assert_eq!(account.name, "alice@example.com");
    assert_eq!(account.secret.len(), 20, "a fresh 160-bit SHA-1 secret");
    // The secret in groups of four, for typing by hand.
    let grouped = account.secret.base32_grouped().to_string();
    assert!(run.stdout.contains(&grouped), "{}", run.stdout);
    assert!(grouped.split(' ').all(|g| g.len() == 4));
    // The QR code drawn with half blocks scans back to the printed URI.
    let uri = run
        .stdout
        .lines()
        .find(|l| l.starts_with("otpauth://"))
        .unwrap();
    assert_eq!(scan_terminal_qr(&run.stdout), uri);
    // The prompts went to stderr.
    assert!(run.stderr.contains("Enter the code"), "{}", run.stderr);
    assert!(run.stdout.contains("device saved to"), "{}", run.stdout);
    #[cfg(unix)]
    assert_eq!(support::mode(&state), 0o600);
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("format=otpkit-device/1\n"));
    assert!(text.contains(&format!("secret={}\n", account.secret.base32())));

    // Not overwritten without --force; replaced with it (a new secret).
    let (again, _) = enroll(&state, &[], Some(T));
    assert_failure(&again, 5, &[], "enroll over an existing file");
    assert!(again.stderr.contains("--force"));
    assert_eq!(std::fs::read_to_string(&state).unwrap(), text);
    let (forced, new_account) = enroll(&state, &["--force"], Some(T));
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_ne!(new_account.unwrap().secret, account.secret);
    // No temporary files are left next to it.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // Nor a lock file: the lock is taken on the state file itself.
    assert_eq!(names, ["alice.otp"]);
}

#[test]
fn enroll_with_wrong_codes_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev");
    let run = otpkit_with_stdin(
        &[
            "enroll",
            "--issuer",
            "X",
            "--account",
            "a",
            "--state",
            state.to_str().unwrap(),
        ],
        "123456\n654321\n",
    );
    // Wrong codes (with overwhelming probability), each refused with a new prompt,
    // then stdin ends: exit 1, no file.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("Enter the code the app shows").count(),
        3
    );
    assert_eq!(run.stderr.matches("try again").count(), 2);
    assert!(
        run.stderr
            .lines()
            .last()
            .unwrap()
            .starts_with("otpkit: enrolment failed")
    );
    assert!(!state.exists());
    // Stdin closed before any code: a usage error.
    let run = otpkit_with_stdin(
        &[
            "enroll",
            "--issuer",
            "X",
            "--account",
            "a",
            "--state",
            state.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(!state.exists());
}

/// A typo, a malformed code or a wrong second code re-prompts, and the enrolment
/// goes on with the secret the user already scanned.
#[test]
fn enroll_re_prompts_after_typos_and_keeps_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev");
    let (run, account) = enroll_typing(&state, &[], Some(T), &["12345", "000000"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let account = account.unwrap();
    assert!(run.stderr.contains("malformed code"), "{}", run.stderr);
    assert!(
        run.stderr.contains("the first code is not valid"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("try again").count(), 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("Wait for the next code"),
        "{}",
        run.stderr
    );
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains(&format!("secret={}\n", account.secret.base32())));
    // The typos were not kept against the user: enrolment succeeded with 0 failures.
    let run = verify(&state, &code_at(&account, T + 30), T + 31);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn verify_replay_lockout_and_resync_through_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev");
    let (run, account) = enroll(&state, &[], Some(T));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let account = account.unwrap();

    // The enrolment codes themselves can never be used to sign in.
    let run = verify(&state, &code_at(&account, T), T + 5);
    assert_failure(&run, 3, &[], "enrolment code replayed");

    // The next code signs in; the same code again is a replay, from any process.
    let next = code_at(&account, T + 30);
    let run = verify(&state, &next, T + 31);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "accepted\n"),
        "{}",
        run.stderr
    );
    #[cfg(unix)]
    assert_eq!(support::mode(&state), 0o600);
    let run = verify(&state, &next, T + 32);
    assert_failure(&run, 3, &[&next], "replay");
    assert!(run.stderr.contains("already used"));

    // Wrong codes count; the fifth consecutive failure (the replay was the first)
    // locks the device, and while locked even the right code is refused.
    for i in 2..=5 {
        let run = verify(&state, "000000", T + 40);
        assert_failure(&run, 1, &[], "wrong code");
        if i < 5 {
            assert!(run.stderr.contains(&format!("{i} of 5")), "{}", run.stderr);
        } else {
            assert!(run.stderr.contains("locked"), "{}", run.stderr);
        }
    }
    let good = code_at(&account, T + 60);
    let run = verify(&state, &good, T + 61);
    assert_failure(&run, 4, &[&good], "locked");
    assert!(run.stderr.contains("locked for now"), "{}", run.stderr);
    // A local date-time with its offset, what is left, and the raw Unix time.
    assert!(run.stderr.contains(" s (Unix time "), "{}", run.stderr);
    // The refused code was not used up: after the lock-out (60 s) it would be out of
    // the window, so sign in with the then-current code.
    let later = code_at(&account, T + 130);
    let run = verify(&state, &later, T + 130);
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Malformed codes are usage errors (and count as failures).
    let run = verify(&state, "12ab56", T + 140);
    assert_failure(&run, 2, &[], "malformed");

    // The phone's clock runs 5 minutes fast: its codes are outside the window...
    let fast = |t: u64| code_at(&account, t + 300);
    let run = verify(&state, &fast(T + 200), T + 200);
    assert_failure(&run, 1, &[], "drifted");
    // ...until a resync with two consecutive codes learns the drift.
    let (r1, r2) = (fast(T + 210), fast(T + 240));
    let run = otpkit(&[
        "resync",
        "--state",
        state.to_str().unwrap(),
        &r1,
        &r2,
        "--time",
        &(T + 240).to_string(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("resynchronised"), "{}", run.stdout);
    let run = verify(&state, &fast(T + 270), T + 270);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("ahead"), "{}", run.stdout);
    // Resync codes cannot be replayed either, and a bad pair is refused.
    let run = otpkit(&[
        "resync",
        "--state",
        state.to_str().unwrap(),
        &r1,
        &r2,
        "--time",
        &(T + 280).to_string(),
    ]);
    assert_failure(&run, 1, &[&r1, &r2], "resync replay");
    // The refused resync was counted in the state file.
    assert!(
        run.stderr.contains("(1 of 5 failed attempts"),
        "{}",
        run.stderr
    );
    #[cfg(unix)]
    assert_eq!(support::mode(&state), 0o600);
}

#[test]
fn enroll_and_verify_on_the_real_clock() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev");
    let (run, account) = enroll(&state, &[], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let totp = account.unwrap().totp().unwrap();
    // A code from the next step: fresh whatever the clock did since enrolment.
    let step = totp.step_at(otpkit::unix_now().unwrap()).unwrap();
    let code = totp.code_at_step(step + 1).to_string();
    let run = otpkit(&["verify", "--state", state.to_str().unwrap(), &code]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn concurrent_verifies_accept_a_code_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev");
    let (run, account) = enroll(&state, &[], Some(T));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let code = code_at(&account.unwrap(), T + 30);
    let codes = racing_verifies(&[state.as_path(); 6], &code, T + 30);
    assert_eq!(codes, [0, 3, 3, 3, 3, 3]);
}

#[test]
fn damaged_state_files_are_refused_without_leaking_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev");
    let s = state.to_str().unwrap();
    assert_failure(
        &otpkit(&["verify", "--state", s, "123456"]),
        5,
        &[],
        "missing",
    );
    let secret = "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    for (text, what) in [
        (
            format!("format=otpkit-device/1\n{secret}\n"),
            "missing keys",
        ),
        (format!("format=otpkit-device/1\n{secret}X\n"), "bad secret"),
        (
            format!(
                "format=otpkit-device/1\naccount=a\nalgorithm=SHA1\ndigits=6\nperiod=30\n{secret}\nstate=nonsense\n"
            ),
            "bad state",
        ),
        ("\u{0}\u{1}binary".to_owned(), "binary"),
    ] {
        std::fs::write(&state, &text).unwrap();
        let run = otpkit(&["verify", "--state", s, "123456"]);
        assert_failure(&run, 5, &["GEZDGNBV"], what);
    }
}

// ---- inspect and import ------------------------------------------------------------

fn sorted_keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn inspect_json_has_exactly_the_documented_fields() {
    let uri = "otpauth://totp/ACME%20Co:john.doe@email.com?secret=hxdmvjecjjwsrb3hwizr4ifugftmxboz&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60&image=https%3A%2F%2Fexample.com%2Fi.png";
    let run = otpkit(&["inspect", "--json", uri]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sorted_keys(&v), ACCOUNT_KEYS);
    assert_eq!(v["type"], "totp");
    assert_eq!(v["issuer"], "ACME Co");
    assert_eq!(v["account"], "john.doe@email.com");
    assert_eq!(v["secret"], "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ");
    assert_eq!(v["algorithm"], "SHA256");
    assert_eq!(v["digits"], 8);
    assert_eq!(v["period"], 60);
    assert_eq!(v["counter"], Value::Null);
    let warnings = v["warnings"].as_array().unwrap();
    assert!(!warnings.is_empty());
    assert!(warnings.iter().all(Value::is_string));
    let all = warnings
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(all.contains("lowercase"), "{all}");

    // HOTP without an issuer; a canonical URI has no warnings.
    let uri = format!("otpauth://hotp/bob?secret={SEED_SHA1}&counter=42");
    let v: Value = serde_json::from_str(&otpkit(&["inspect", "--json", &uri]).stdout).unwrap();
    assert_eq!(sorted_keys(&v), ACCOUNT_KEYS);
    assert_eq!(v["type"], "hotp");
    assert_eq!(v["issuer"], Value::Null);
    assert_eq!(v["account"], "bob");
    assert_eq!(v["algorithm"], "SHA1");
    assert_eq!(v["digits"], 6);
    assert_eq!(v["period"], Value::Null);
    assert_eq!(v["counter"], 42);
    assert_eq!(v["warnings"], serde_json::json!([]));

    // Steam.
    let uri = format!("otpauth://totp/Steam:gabe?secret={SEED_SHA1}&issuer=Steam");
    let v: Value = serde_json::from_str(&otpkit(&["inspect", "--json", &uri]).stdout).unwrap();
    assert_eq!(v["type"], "steam");
    assert_eq!(v["period"], 30);
    assert_eq!(v["counter"], Value::Null);
}

#[test]
fn inspect_text_lists_fields_and_warnings() {
    let uri = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example";
    let run = otpkit(&["inspect", uri]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "type        totp",
        "issuer      Example",
        "account     alice",
        "secret      JBSW Y3DP EHPK 3PXP",
        "algorithm   SHA1",
        "digits      6",
        "period      30 s",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} in {}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("warning     the secret is only 80 bits"),
        "{}",
        run.stdout
    );
}

/// A protobuf field: key, then a varint or length-delimited value (test fixture only).
fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn field_varint(out: &mut Vec<u8>, field: u64, v: u64) {
    varint(out, field << 3);
    varint(out, v);
}

fn field_bytes(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    varint(out, (field << 3) | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// One Google Authenticator `OtpParameters` entry.
fn entry(
    secret: &[u8],
    name: &str,
    issuer: &str,
    algorithm: u64,
    digits: u64,
    kind: u64,
) -> Vec<u8> {
    let mut e = Vec::new();
    field_bytes(&mut e, 1, secret);
    field_bytes(&mut e, 2, name.as_bytes());
    field_bytes(&mut e, 3, issuer.as_bytes());
    field_varint(&mut e, 4, algorithm);
    field_varint(&mut e, 5, digits);
    field_varint(&mut e, 6, kind);
    e
}

fn migration_uri(entries: &[Vec<u8>]) -> String {
    let mut payload = Vec::new();
    for e in entries {
        field_bytes(&mut payload, 1, e);
    }
    field_varint(&mut payload, 2, 1); // version
    field_varint(&mut payload, 3, 1); // batch size
    let data = data_encoding::BASE64.encode(&payload);
    let data = data
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("otpauth-migration://offline?data={data}")
}

#[test]
fn import_prints_uris_and_json_and_reports_bad_entries() {
    let uri = migration_uri(&[
        entry(
            b"12345678901234567890",
            "alice@example.com",
            "Example",
            1,
            1,
            2,
        ),
        // MD5 (algorithm 4) is not supported: reported, not fatal.
        entry(b"12345678901234567890", "md5user", "Old", 4, 1, 2),
        entry(b"12345678901234567890", "Work:bob", "Work", 2, 2, 1),
    ]);
    let run = otpkit(&["import", &uri]);
    assert_eq!(run.code, 6, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    let first = Account::parse(lines[0]).unwrap().account;
    assert_eq!(first.issuer.as_deref(), Some("Example"));
    assert_eq!(first.name, "alice@example.com");
    assert_eq!(first.secret.as_bytes(), b"12345678901234567890");
    let second = Account::parse(lines[1]).unwrap().account;
    assert_eq!(second.name, "bob");
    assert!(matches!(second.kind, otpkit::otpauth::Kind::Hotp { .. }));
    // Entry 2 is named on stderr, then the summary line; never a secret.
    let err: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(err.len(), 2, "{}", run.stderr);
    assert!(err[0].starts_with("otpkit: entry 2 of 3: "), "{}", err[0]);
    assert!(err[0].contains("MD5"), "{}", err[0]);
    assert!(err[1].starts_with("otpkit: 1 of 3"), "{}", err[1]);
    assert!(!run.stderr.contains(SEED_SHA1));

    let run = otpkit(&["import", "--json", &uri]);
    assert_eq!(run.code, 6);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let items = v.as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(sorted_keys(item), ACCOUNT_KEYS);
        assert_eq!(item["secret"], SEED_SHA1);
    }
    assert_eq!(items[0]["type"], "totp");
    assert_eq!(items[0]["issuer"], "Example");
    assert_eq!(items[0]["account"], "alice@example.com");
    assert_eq!(items[0]["algorithm"], "SHA1");
    assert_eq!(items[0]["digits"], 6);
    assert_eq!(items[0]["period"], 30);
    assert_eq!(items[0]["counter"], Value::Null);
    assert_eq!(items[1]["type"], "hotp");
    assert_eq!(items[1]["issuer"], "Work");
    assert_eq!(items[1]["account"], "bob");
    assert_eq!(items[1]["algorithm"], "SHA256");
    assert_eq!(items[1]["digits"], 8);
    assert_eq!(items[1]["period"], Value::Null);
    assert_eq!(items[1]["counter"], 0);

    // All good: exit 0. The library's own encoder round-trips through the tool.
    let accounts: Vec<Account> = [
        format!("otpauth://totp/A:x?secret={SEED_SHA1}&issuer=A"),
        format!("otpauth://hotp/B:y?secret={SEED_SHA1}&issuer=B&counter=5"),
    ]
    .iter()
    .map(|u| Account::parse(u).unwrap().account)
    .collect();
    let exported = otpkit::migration::encode(&accounts, 10).unwrap();
    let run = otpkit(&["import", &exported[0]]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let back: Vec<Account> = run
        .stdout
        .lines()
        .map(|l| Account::parse(l).unwrap().account)
        .collect();
    assert_eq!(back, accounts);
}

// ---- qr ---------------------------------------------------------------------------

#[test]
fn qr_png_decodes_back_to_the_uri() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("code.png");
    let svg = dir.path().join("code.svg");
    let uri =
        format!("otpauth://totp/Example:alice%40example.com?secret={SEED_SHA1}&issuer=Example");
    let run = otpkit(&[
        "qr",
        &uri,
        "--png",
        png.to_str().unwrap(),
        "--svg",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    #[cfg(unix)]
    {
        assert_eq!(support::mode(&png), 0o600);
        assert_eq!(support::mode(&svg), 0o600);
    }
    let img = image::open(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        img.width() as usize,
        img.height() as usize,
        |x, y| img.get_pixel(x as u32, y as u32).0[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, text) = grids[0].decode().unwrap();
    assert_eq!(text, uri);
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.contains("<svg"), "{svg_text}");

    // Existing files are kept unless --force.
    let run = otpkit(&["qr", &uri, "--png", png.to_str().unwrap()]);
    assert_failure(&run, 5, &[SEED_SHA1], "qr overwrite");
    let run = otpkit(&["qr", &uri, "--png", png.to_str().unwrap(), "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

// ---- bad input ----------------------------------------------------------------------

#[test]
fn bad_input_is_one_line_without_secrets_or_panics() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("dev");
    let s = state.to_str().unwrap();
    // A secret that must never be echoed, and URIs that carry it.
    let secret = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U";
    let bad_digits = format!("otpauth://totp/x?secret={secret}&digits=99");
    let no_secret_type = format!("otpauth://nope/x?secret={secret}");
    let hotp_no_counter = format!("otpauth://hotp/x?secret={secret}");
    let totp_uri = format!("otpauth://totp/x?secret={secret}");
    let steam_uri = format!("otpauth://totp/Steam:x?secret={secret}&issuer=Steam");
    let hotp_uri = format!("otpauth://hotp/x?secret={secret}&counter=1");
    let migration = format!("otpauth-migration://offline?data={secret}%%");
    let invalid_char_secret = format!("{secret}1");
    let cases: Vec<(Vec<&str>, &str, i32)> = vec![
        (vec![], "", 2),
        (vec!["frobnicate"], "", 2),
        (vec![secret], "", 2),
        (vec!["code"], "", 2),
        (vec!["code", "--secret", &invalid_char_secret], "", 2),
        (vec!["code", "--secret", "ABC"], "", 2),
        // A positional secret is valid now (`otpkit code SECRET`); a second one is not.
        (vec!["code", secret, secret], "", 2),
        (vec!["code", "--secret", secret, secret], "", 2),
        (vec!["code", "--secret", secret, "--uri", &totp_uri], "", 2),
        (vec!["code", "--secret", secret, "--digits", "12"], "", 2),
        (vec!["code", "--secret", secret, "--digits", "x"], "", 2),
        (vec!["code", "--secret", secret, "--period", "0"], "", 2),
        (
            vec!["code", "--secret", secret, "--algorithm", "MD5"],
            "",
            2,
        ),
        (vec!["code", "--secret", secret, "--counter", "3"], "", 2),
        (vec!["code", "--secret", secret, "--hotp"], "", 2),
        (vec!["code", "--secret", secret, "--time", "-5"], "", 2),
        (vec!["code", "--secret", "-"], "", 2),
        (vec!["code", "--secret", "-"], "\n", 2),
        (vec!["code", "--uri", &bad_digits], "", 2),
        (vec!["code", "--uri", &no_secret_type], "", 2),
        (vec!["code", "--uri", &hotp_no_counter], "", 2),
        (vec!["code", "--uri", &totp_uri, "--counter", "1"], "", 2),
        (vec!["code", "--uri", &totp_uri, "--digits", "8"], "", 2),
        (vec!["code", "--uri", &migration], "", 2),
        (
            vec!["code", "--uri", &steam_uri, "--hotp", "--counter", "1"],
            "",
            2,
        ),
        (vec!["code", "--uri", &hotp_uri, "--time", "5"], "", 2),
        (vec!["inspect", "not a uri"], "", 2),
        (vec!["inspect", &bad_digits], "", 2),
        (vec!["inspect", &migration], "", 2),
        (vec!["inspect", "-"], &bad_digits, 2),
        (vec!["import", &migration], "", 2),
        (vec!["import", &totp_uri], "", 2),
        (vec!["qr", &totp_uri], "", 2),
        (
            vec!["qr", &bad_digits, "--png", "/nonexistent/x.png"],
            "",
            2,
        ),
        (
            vec!["qr", &totp_uri, "--png", "/nonexistent/dir/x.png"],
            "",
            5,
        ),
        (vec!["verify", "--state", s], "", 2),
        (vec!["verify", "--state", s, "123456"], "", 5),
        (vec!["resync", "--state", s, "123456", "654321"], "", 5),
        (vec!["enroll", "--issuer", "X", "--state", s], "", 2),
        (
            vec!["enroll", "--issuer", "X", "--account", "a\nb", "--state", s],
            "",
            2,
        ),
        (
            vec![
                "enroll",
                "--issuer",
                "X",
                "--account",
                "a",
                "--state",
                s,
                "--digits",
                "4",
            ],
            "",
            2,
        ),
        (
            vec![
                "enroll",
                "--issuer",
                "X",
                "--account",
                "a",
                "--state",
                "/nonexistent/dir/x",
            ],
            "",
            5,
        ),
    ];
    for (args, stdin, code) in cases {
        let run = otpkit_with_stdin(&args, stdin);
        let context = format!("{args:?}");
        // Enrolment prints its QR code before failing on stdin; other commands print
        // nothing on a failure.
        if args.first() != Some(&"enroll") {
            assert_eq!(run.stdout, "", "{context}");
        }
        assert_failure(&run, code, &[secret, &secret[..16], "MFRG GZDF"], &context);
    }
    assert!(!state.exists());
}

#[test]
fn overlong_stdin_is_refused() {
    let huge = "A".repeat(200 * 1024);
    let run = otpkit_with_stdin(&["code", "--secret", "-"], &huge);
    assert_failure(&run, 2, &["AAAA"], "huge stdin");
    assert!(run.stderr.contains("longer than"), "{}", run.stderr);
}

#[test]
fn help_and_version_succeed() {
    let run = otpkit(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Exit codes"), "{}", run.stdout);
    let run = otpkit(&["--version"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("otpkit "), "{}", run.stdout);
    for cmd in [
        "code", "enroll", "verify", "devices", "resync", "inspect", "import", "qr",
    ] {
        let run = otpkit(&[cmd, "--help"]);
        assert_eq!(run.code, 0, "{cmd}");
    }
}
