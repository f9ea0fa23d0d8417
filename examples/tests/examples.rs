//! The examples run start to finish, as library calls and as binaries.

use std::process::Command;

use otpkit::verifier::Outcome;
use otpkit_examples::flow::{self, Setup};
use otpkit_store::{DeviceStore, SqliteStore};

const START: u64 = 1_800_000_000;

fn run_flow(secret: Option<otpkit::Secret>) -> (flow::Transcript, String) {
    let setup = Setup {
        start: START,
        secret,
        store: SqliteStore::in_memory().unwrap(),
    };
    let mut out = Vec::new();
    let transcript = flow::run(setup, &mut out).unwrap();
    (transcript, String::from_utf8(out).unwrap())
}

#[test]
fn server_flow_goes_through_every_step() {
    let (t, text) = run_flow(Some(flow::fixed_secret().unwrap()));
    assert!(t.retried_enrolment);
    assert_eq!(t.enrolled.0, "alice@example.com");
    // The phone is 40 s slow. Enrolment ends at START + 30 (step n + 1, with n =
    // START / 30) while the phone shows step n - 1 (at START - 10): two steps behind,
    // which a person typing slowly also produces, so no drift is learned.
    assert_eq!(t.enrolled.1.drift(), 0);
    assert!(t.sign_in.is_accepted());
    assert_eq!(t.replay, Outcome::Replayed);
    // Two servers, same code, same stored state: both verifiers say yes, one write wins.
    assert!(t.race[0].0.is_accepted() && t.race[0].1);
    assert!(t.race[1].0.is_accepted() && !t.race[1].1);
    assert_eq!(t.race_retry, Outcome::Replayed);
    // Guesses are invalid until the device locks (the race loser's replay counted).
    assert_eq!(t.guesses.len(), 4);
    assert!(t.guesses.iter().all(|o| *o == Outcome::Invalid));
    assert!(matches!(t.while_locked, Outcome::Locked { .. }));
    assert_eq!(t.drifted, Outcome::Invalid);
    // The phone runs 8 steps fast; its codes may have been typed up to 90 s late,
    // so the scan is widened to cover a clock up to 10 steps fast.
    assert_eq!(t.resync_drift, 10);
    assert_eq!(
        t.after_resync,
        Outcome::Accepted {
            step: (START + 336 + 240) / 30,
            drift: 8
        }
    );
    for expected in [
        "EnableMFADevice(",
        "REFUSED: enrolment refused: the first code is not valid",
        "-> device alice@example.com enabled",
        "otpkit_devices.secret = 'otps1.demo.",
        "ACCEPTED",
        "REJECTED: the code was already used",
        "its UPDATE changed 1 row(s)",
        "its UPDATE changed 0 row(s)",
        "REJECTED: locked out",
        "ResyncMFADevice(",
        "resynchronised, learned drift +10 step(s)",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // The narration shows the key once, as a QR payload and grouped for typing.
    assert!(text.contains("otpauth://totp/Example%20Corp:alice%40example.com?secret="));
}

#[test]
fn server_flow_works_with_random_secrets() {
    for _ in 0..3 {
        let (t, _) = run_flow(None);
        assert!(t.after_resync.is_accepted());
    }
}

#[test]
fn server_flow_binary_runs_and_persists_to_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mfa.sqlite");
    let out = Command::new(env!("CARGO_BIN_EXE_server_flow"))
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ACCEPTED"), "{stdout}");
    assert!(stdout.contains("already used"), "{stdout}");
    // The final state is in the file.
    let store = SqliteStore::open(&db).unwrap();
    let device = store.load("alice@example.com").unwrap().unwrap().row;
    // The secret is sealed in the file, not in Base32.
    assert!(device.secret.starts_with("otps1.demo."), "{device:?}");
    let state: otpkit::DeviceState = device.state.parse().unwrap();
    assert_eq!(state.failures(), 0);
    assert!(stdout.contains(&device.state), "{stdout}");
}

#[test]
fn authenticator_binary_prints_codes_and_seconds_left() {
    let bin = env!("CARGO_BIN_EXE_authenticator");
    let uri = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";
    let out = Command::new(bin)
        .args(["--uri", uri, "--once", "--time", "59"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "Example:alice  94287082  ( 1 s left)\n"
    );
    let out = Command::new(bin)
        .args([
            "--secret",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "--count",
            "3",
            "--time",
            "1111111109",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "(manual entry)  081804  ( 1 s left)");
    assert_eq!(lines[1], "(manual entry)  050471  (30 s left)");
    // On the real clock, --once returns at once.
    let out = Command::new(bin)
        .args(["--uri", uri, "--once"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1);
    // Bad input: one line on stderr, failure, no secret.
    let out = Command::new(bin)
        .args(["--secret", "GEZDGNBVGY3TQOJ1"])
        .args(["--once"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("authenticator: invalid secret"), "{err}");
    assert!(!err.contains("GEZDGNBV"), "{err}");
}
