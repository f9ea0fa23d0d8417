//! What the CLI's integration tests share: running the built binary, the RFC test
//! secret and its codes, an enrolled device file, racing processes, file modes.
//! Each test crate uses a part of it.
#![allow(dead_code, unused_imports)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use otpkit::verifier::Policy;
use otpkit::{Algorithm, Digits, Period, Secret, Totp, Verifier};

mod json_fields;
pub use json_fields::ACCOUNT_KEYS;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_otpkit");

/// RFC 4226 / RFC 6238's SHA-1 test secret, "12345678901234567890", in Base32.
pub const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// A fixed clock: 2027-01-15.
pub const T: u64 = 1_800_000_000;

/// One finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the binary with `args`, `stdin` written to it; it must not panic.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        // A developer's own store must not turn --state runs into store runs.
        .env_remove("OTPKIT_STORE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may stop reading early (that is what some tests check): a closed pipe
    // is fine, any other write error is not.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().unwrap();
    let run = Run {
        code: out.status.code().expect("killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    run
}

/// Runs the binary with `args` and an empty stdin.
pub fn run(args: &[&str]) -> Run {
    run_with_stdin(args, "")
}

/// The run ended with exit code `code`.
pub fn expect(run: &Run, code: i32, context: &str) {
    assert_eq!(
        run.code, code,
        "{context}: stdout {:?} stderr {:?}",
        run.stdout, run.stderr
    );
}

/// `path` as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The TOTP of [`SEED`]: SHA-1, 6 digits, 30 s.
pub fn totp() -> Totp {
    Totp::new(
        &Secret::from_base32(SEED).unwrap(),
        Algorithm::Sha1,
        Digits::SIX,
        Period::new(30).unwrap(),
    )
}

/// The code of [`totp`] at `time`.
pub fn code_at(time: u64) -> String {
    totp().code_at(time).unwrap().to_string()
}

/// Writes a device file of [`totp`] at `path`, enrolled at [`T`] by the library.
pub fn write_device(path: &Path) {
    let verifier = Verifier::totp(totp(), Policy::default());
    let (outcome, state) = verifier.enroll(
        &verifier.begin_enrollment(),
        &code_at(T - 30),
        &code_at(T),
        T,
    );
    assert!(outcome.is_enrolled(), "{outcome:?}");
    let text = format!(
        "format=otpkit-device/1\naccount=alice\nalgorithm=SHA1\ndigits=6\nperiod=30\n\
         secret={SEED}\nstate={state}\n"
    );
    std::fs::write(path, text).unwrap();
}

/// Starts `otpkit verify` once per path in `states`, all at once, with `code` at
/// `time`; their exit codes, sorted.
pub fn racing_verifies(states: &[&Path], code: &str, time: u64) -> Vec<i32> {
    let time = time.to_string();
    let children: Vec<_> = states
        .iter()
        .map(|state| {
            Command::new(BIN)
                .args(["verify", "--state", arg(state), code, "--time", &time])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut codes: Vec<i32> = children
        .into_iter()
        .map(|mut c| c.wait().unwrap().code().unwrap())
        .collect();
    codes.sort_unstable();
    codes
}

/// The file's permission bits.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Readable and writable by its owner only (on Unix; elsewhere not checked).
pub fn assert_private(path: &Path) {
    #[cfg(unix)]
    assert_eq!(mode(path), 0o600, "{}", path.display());
    #[cfg(not(unix))]
    let _ = path;
}
