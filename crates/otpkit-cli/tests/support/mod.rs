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
pub use json_fields::{ACCOUNT_KEYS, DEVICE_KEYS};

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
    run_with_stdin_bytes(args, stdin.as_bytes())
}

/// [`run_with_stdin`] with any bytes on stdin.
pub fn run_with_stdin_bytes(args: &[&str], stdin: &[u8]) -> Run {
    run_env(args, &[], stdin)
}

/// [`run_with_stdin_bytes`] with the variables `env` set.
pub fn run_env(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Run {
    let mut child = command(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The tool may stop reading early (that is what some tests check): a closed pipe
    // is fine, any other write error is not.
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin) {
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

/// The binary with `args`, without the developer's own store or sealing key in its
/// environment (they must not turn `--state` runs into store or sealed runs).
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("OTPKIT_STORE")
        .env_remove("OTPKIT_SEAL_KEY_FILE")
        .env_remove("OTPKIT_SEAL_KEY");
    command
}

impl Run {
    /// stdout as the JSON array `--json` prints.
    pub fn json(&self) -> Vec<serde_json::Value> {
        match serde_json::from_str(&self.stdout) {
            Ok(serde_json::Value::Array(items)) => items,
            other => panic!("not a JSON array: {other:?}\n{}", self.stdout),
        }
    }
}

/// Runs `otpkit enroll` with `args` like a user would: reads the printed URI, types
/// the lines `before` (typos, wrong codes), then the two consecutive codes the phone
/// shows at `now` (`None`: the real clock once the URI is shown): the one half a
/// minute ago and the current one. The run, and the account the tool showed (`None`
/// if it showed none: nothing is typed then).
pub fn enroll_typing(
    args: &[&str],
    now: Option<u64>,
    before: &[&str],
) -> (Run, Option<otpkit::otpauth::Account>) {
    use std::io::{BufRead, BufReader, Read};
    let mut child = command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let mut account = None;
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push_str(&line);
        if line.starts_with("otpauth://") {
            let parsed = otpkit::otpauth::Account::parse(line.trim_end()).unwrap();
            account = Some(parsed.account);
            break;
        }
    }
    let mut stdin = child.stdin.take().unwrap();
    if let Some(account) = &account {
        let totp = account.totp().unwrap();
        let now = now.unwrap_or_else(|| otpkit::unix_now().unwrap());
        let step = totp.step_at(now).unwrap();
        // The tool may stop reading early (a refused code ends it): a closed pipe is
        // fine.
        for line in before {
            let _ = writeln!(stdin, "{line}");
        }
        let _ = writeln!(
            stdin,
            "{}\n{}",
            totp.code_at_step(step - 1),
            totp.code_at_step(step)
        );
    }
    drop(stdin);
    stdout.read_to_string(&mut printed).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    let run = Run {
        code: status.code().expect("killed by a signal"),
        stdout: printed,
        stderr,
    };
    (run, account)
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
