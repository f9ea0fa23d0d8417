//! README.md's examples, run: the documentation cannot drift from the tool.
//!
//! The README's fenced code blocks are read from the file itself (nothing is copied
//! here) and each kind is handled so that a disagreement fails:
//!
//! - ```` ```sh ```` blocks run with `bash` under `set -euo pipefail`, in a fresh
//!   directory holding the files and variables they name (see [`Sandbox`]), with the
//!   `otpkit` built for this test first on `PATH`; every command must succeed. A block
//!   that cannot run in a test (`cargo install`) says so in its info string:
//!   ```` ```sh no-run ```` (GitHub highlights by the first word only).
//! - ```` ```console ```` blocks are transcripts: the `$ ` lines run in one shell
//!   (stderr merged into stdout, as a terminal shows them) and what they print must be
//!   the other lines, exactly.
//! - The ```` ```text ```` block of the state file's format must be what `enroll`
//!   writes, line for line, but for the secret's value (random: same length and
//!   alphabet).
//!
//! Any other block fails the test until it gets a checker, and the number of blocks
//! of each kind is asserted, so a new example cannot be skipped silently.
#![cfg(unix)] // bash, process groups

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use otpkit::otpauth::Account;

const BIN: &str = env!("CARGO_BIN_EXE_otpkit");
/// The password of the encrypted files the sandbox makes (`pw.txt`).
const PASSWORD: &str = "correct horse battery staple";
/// How many blocks of each kind README.md has; a new block changes one of these.
const SH_RUN: usize = 4;
const SH_NO_RUN: usize = 1;
const CONSOLE: usize = 1;
const TEXT: usize = 1;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// A fenced code block: its first line's number (1-based), info string and body.
#[derive(Debug)]
struct Block {
    line: usize,
    info: String,
    body: String,
}

impl Block {
    fn lang(&self) -> &str {
        self.info.split_whitespace().next().unwrap_or("")
    }

    fn has_flag(&self, flag: &str) -> bool {
        self.info.split_whitespace().skip(1).any(|w| w == flag)
    }
}

/// The fenced code blocks of a CommonMark document: an opening fence of three or more
/// backticks or tildes indented by at most three spaces, closed by a fence of the same
/// character at least as long with nothing after it (or the end of the document).
/// Indentation up to the opening fence's is removed from the body's lines.
fn fenced_blocks(markdown: &str) -> Vec<Block> {
    fn fence(line: &str) -> Option<(usize, char, usize, &str)> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 3 {
            return None;
        }
        let rest = &line[indent..];
        let c = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let len = rest.len() - rest.trim_start_matches(c).len();
        (len >= 3).then(|| (indent, c, len, rest[len..].trim()))
    }
    let mut blocks = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some((indent, c, len, info)) = fence(line) else {
            continue;
        };
        if c == '`' && info.contains('`') {
            continue; // not a fence: inline code
        }
        let mut body = String::new();
        for (_, line) in lines.by_ref() {
            if let Some((_, c2, len2, rest)) = fence(line)
                && c2 == c
                && len2 >= len
                && rest.is_empty()
            {
                break;
            }
            let strip = line.len() - line.trim_start_matches(' ').len();
            body.push_str(&line[strip.min(indent)..]);
            body.push('\n');
        }
        blocks.push(Block {
            line: n + 1,
            info: info.to_owned(),
            body,
        });
    }
    blocks
}

#[test]
fn the_fence_parser_finds_blocks_as_commonmark_does() {
    let md = "a\n```sh no-run\nx\n````\n  ~~~~text\n  y\n   z\n  ~~~~\n```not a fence`\n";
    let b = fenced_blocks(md);
    assert_eq!(b.len(), 2, "{b:?}");
    assert_eq!(
        (b[0].line, b[0].lang(), b[0].body.as_str()),
        (2, "sh", "x\n")
    );
    assert!(b[0].has_flag("no-run"));
    assert_eq!(
        (b[1].line, b[1].lang(), b[1].body.as_str()),
        (5, "text", "y\n z\n")
    );
}

/// Whether a text block is the state file's format (the one text block checked).
fn is_device_file(block: &Block) -> bool {
    block.body.starts_with("# otpkit device file")
}

#[test]
fn every_block_is_run_or_marked_no_run() {
    let blocks = fenced_blocks(&readme());
    let count = |f: &dyn Fn(&Block) -> bool| blocks.iter().filter(|b| f(b)).count();
    for b in &blocks {
        let known = match b.lang() {
            "sh" => b.info == "sh" || b.info == "sh no-run",
            "console" => b.info == "console",
            "text" => is_device_file(b),
            _ => false,
        };
        assert!(
            known,
            "README.md line {}: a ```{} block this test does not run or check; run it \
             here, or mark a shell block that cannot run in a test ```sh no-run",
            b.line, b.info
        );
    }
    assert_eq!(count(&|b| b.info == "sh"), SH_RUN, "```sh blocks");
    assert_eq!(count(&|b| b.has_flag("no-run")), SH_NO_RUN, "no-run blocks");
    assert_eq!(count(&|b| b.lang() == "console"), CONSOLE, "```console");
    assert_eq!(count(&|b| b.lang() == "text"), TEXT, "```text blocks");
}

/// What a block prints and its exit status.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The code of `account` at TOTP step `step`.
fn code_at_step(account: &Account, step: u64) -> String {
    account.totp().unwrap().code_at_step(step).to_string()
}

fn step_now(account: &Account) -> u64 {
    let totp = account.totp().unwrap();
    totp.step_at(otpkit::unix_now().unwrap()).unwrap()
}

/// How long a block may run before it is killed (a command waiting for input that
/// never comes must fail the test, not hang it).
const TIMEOUT: Duration = Duration::from_secs(300);

/// Runs `cmd` (in its own process group, killed with everything it started after
/// [`TIMEOUT`]). With `user` it is driven like a person at the terminal with a phone:
/// when an `otpauth://` URI is printed (`otpkit enroll`), the two consecutive codes
/// the phone shows are typed (the previous step's and the current one, at `time` or
/// now); when `Enrolled …` is printed, the code the phone shows next, for a
/// `verify -` that follows; stdin is closed when the command's stdout ends. Without
/// `user`, stdin is empty. Returns the last URI's account.
fn drive(mut cmd: Command, user: bool, time: Option<u64>) -> (Run, Option<Account>) {
    let mut child = cmd
        .stdin(if user { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let (done, finished) = mpsc::channel::<()>();
    let group = child.id().to_string();
    let watchdog = std::thread::spawn(move || {
        let timed_out = finished.recv_timeout(TIMEOUT) == Err(RecvTimeoutError::Timeout);
        if timed_out {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .status();
        }
        timed_out
    });
    let mut stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).unwrap();
        text
    });
    let mut stdin = child.stdin.take();
    let mut account: Option<Account> = None;
    let mut printed = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while {
        line.clear();
        stdout.read_line(&mut line).unwrap() > 0
    } {
        printed.push_str(&line);
        let typed = if !user {
            None
        } else if line.starts_with("otpauth://") {
            let a = Account::parse(line.trim_end()).unwrap().account;
            let step = match time {
                Some(t) => a.totp().unwrap().step_at(t).unwrap(),
                None => step_now(&a),
            };
            let codes = format!(
                "{}\n{}\n",
                code_at_step(&a, step - 1),
                code_at_step(&a, step)
            );
            account = Some(a);
            Some(codes)
        } else if line.starts_with("Enrolled ") {
            account
                .as_ref()
                .map(|a| format!("{}\n", code_at_step(a, step_now(a) + 1)))
        } else {
            None
        };
        if let (Some(text), Some(pipe)) = (typed, stdin.as_mut()) {
            // The command may have ended without reading: not this test's failure.
            let _ = pipe.write_all(text.as_bytes());
        }
    }
    drop(stdin);
    let status = child.wait().unwrap();
    let _ = done.send(());
    assert!(
        !watchdog.join().unwrap(),
        "timed out after {TIMEOUT:?}: {printed}"
    );
    let run = Run {
        code: status.code().expect("killed by a signal"),
        stdout: printed,
        stderr: errors.join().unwrap(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    (run, account)
}

fn otpkit(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let run = Run {
        code: out.status.code().expect("killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    };
    assert_eq!(run.code, 0, "otpkit {args:?}: {}", run.stderr);
    run
}

fn transfer_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../otpkit-transfer/tests/data")
        .join(name)
}

/// The sealing key file the `--store` block's `OTPKIT_SEAL_KEY_FILE` names.
const SEAL_KEYS: &str = "# made for the README test\n2026-11:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";

/// A directory with everything the README's blocks name, made by `otpkit` itself or
/// copied from the committed test files:
///
/// - `alice.otp`: a device enrolled now (`Example`, `alice@example.com`); `$SECRET` is
///   its secret and `$CODE` the code its app shows next (fresh for `verify`).
/// - `backup.2fas`: otpkit-transfer's `twofas_plain.2fas` without the two entries
///   the block's conversions cannot take through (an SHA384 account no format here
///   reads, a Steam Guard account Google's migration format has no type for).
/// - `uris.txt`: 12 `otpauth://` URIs (two migration QR codes' worth); `pw.txt`: a
///   password; `aegis-vault.json`: `uris.txt` as an Aegis vault encrypted with it;
///   `scans.txt`: `uris.txt` as migration URIs, in reverse order.
/// - `aegis-export.json`: otpkit-transfer's `aegis_plain.json` (7 entries, 3 that
///   cannot be imported): the import report's example.
/// - `tokens.xml`: RFC 6030 figure 3 from otpkit-pskc's tests.
/// - `etc/otpkit/seal.keys` (0600) and `var/lib/otpkit/`: where the `--store` block's
///   `/etc/otpkit/` and `/var/lib/otpkit/` are moved (see [`Sandbox::script`]).
struct Sandbox {
    dir: tempfile::TempDir,
    secret: String,
    code: String,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut enroll = Command::new(BIN);
        enroll
            .args(["enroll", "--issuer", "Example", "--account"])
            .args(["alice@example.com", "--state", "alice.otp"])
            .current_dir(d);
        let (run, account) = drive(enroll, true, None);
        assert_eq!(run.code, 0, "enroll: {}", run.stderr);
        let account = account.unwrap();
        let code = code_at_step(&account, step_now(&account) + 1);
        let secret = account.secret.base32().to_string();

        let mut backup: serde_json::Value =
            serde_json::from_slice(&std::fs::read(transfer_data("twofas_plain.2fas")).unwrap())
                .unwrap();
        let services = backup["services"].as_array_mut().unwrap();
        let before = services.len();
        services.retain(|s| s["name"] != "Odd" && s["name"] != "Steam");
        assert_eq!(services.len(), before - 2, "twofas_plain.2fas changed");
        std::fs::write(d.join("backup.2fas"), backup.to_string()).unwrap();

        let uris: String = (1..=12u8)
            .map(|i| {
                let secret = data_encoding::BASE32_NOPAD.encode(&[i; 20]);
                format!("otpauth://totp/Example:user{i}?secret={secret}&issuer=Example\n")
            })
            .collect();
        std::fs::write(d.join("uris.txt"), uris).unwrap();
        std::fs::write(d.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
        let pw = format!("{PASSWORD}\n");
        let vault = [
            "export",
            "--to",
            "aegis",
            "--encrypt",
            "--input",
            "uris.txt",
        ];
        otpkit(
            d,
            &[&vault[..], &["--out", "aegis-vault.json"]].concat(),
            &pw,
        );
        let migration = ["export", "--to", "google-migration", "--input", "uris.txt"];
        otpkit(d, &[&migration[..], &["--out", "scans.txt"]].concat(), "");
        let scans = std::fs::read_to_string(d.join("scans.txt")).unwrap();
        let mut scans: Vec<&str> = scans.lines().collect();
        assert_eq!(scans.len(), 2);
        scans.reverse();
        std::fs::write(d.join("scans.txt"), scans.join("\n") + "\n").unwrap();
        std::fs::copy(
            transfer_data("aegis_plain.json"),
            d.join("aegis-export.json"),
        )
        .unwrap();
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../otpkit-pskc/tests/data/rfc6030-figure-3.xml"),
            d.join("tokens.xml"),
        )
        .unwrap();
        std::fs::create_dir_all(d.join("etc/otpkit")).unwrap();
        std::fs::create_dir_all(d.join("var/lib/otpkit")).unwrap();
        let keys = d.join("etc/otpkit/seal.keys");
        std::fs::write(&keys, SEAL_KEYS).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        Sandbox { dir, secret, code }
    }

    /// A copy of the sandbox's files in a new directory, for one block.
    fn fresh_copy(&self) -> tempfile::TempDir {
        fn copy(from: &Path, to: &Path) {
            for entry in std::fs::read_dir(from).unwrap() {
                let entry = entry.unwrap();
                let target = to.join(entry.file_name());
                if entry.file_type().unwrap().is_dir() {
                    std::fs::create_dir(&target).unwrap();
                    copy(&entry.path(), &target);
                } else {
                    std::fs::copy(entry.path(), &target).unwrap();
                }
            }
        }
        let dir = tempfile::tempdir().unwrap();
        copy(self.dir.path(), dir.path());
        dir
    }

    /// The block as a script for `dir`: the system paths of the `--store` example
    /// (`/etc/otpkit/…`, `/var/lib/otpkit/…`) are moved into `dir`; nothing else is
    /// changed.
    fn script(body: &str, dir: &Path) -> String {
        let d = dir.to_str().unwrap();
        body.replace("/etc/otpkit/", &format!("{d}/etc/otpkit/"))
            .replace("/var/lib/otpkit/", &format!("{d}/var/lib/otpkit/"))
    }

    /// `bash` in `dir` with the test's `otpkit` first on `PATH`, `$SECRET` and `$CODE`,
    /// and none of the tool's own environment variables from outside.
    fn bash(&self, dir: &Path, script: &str) -> Command {
        let bin = Path::new(BIN).parent().unwrap();
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path = std::env::join_paths(
            std::iter::once(bin.to_path_buf()).chain(std::env::split_paths(&path)),
        )
        .unwrap();
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(script)
            .current_dir(dir)
            .env("PATH", path)
            .env("SECRET", &self.secret)
            .env("CODE", &self.code)
            .env_remove("OTPKIT_STORE")
            .env_remove("OTPKIT_SEAL_KEY")
            .env_remove("OTPKIT_SEAL_KEY_FILE");
        cmd
    }
}

/// The recovery codes a block's output shows (`K7RM-2QXD-HV9T-CZ4N`), in order.
fn recovery_codes(text: &str) -> Vec<String> {
    let alphabet = otpkit::recovery::ALPHABET;
    text.split_whitespace()
        .filter(|w| {
            let groups: Vec<&str> = w.split('-').collect();
            groups.len() == 4
                && groups
                    .iter()
                    .all(|g| g.len() == 4 && g.bytes().all(|b| alphabet.contains(&b)))
        })
        .map(str::to_owned)
        .collect()
}

/// The README's sample recovery codes in a block (quoted, any case, groups of four
/// separated by spaces or hyphens), each once, in order.
fn sample_recovery_codes(body: &str) -> Vec<String> {
    let mut samples: Vec<String> = Vec::new();
    for quoted in body.split('\'').skip(1).step_by(2) {
        let compact: String = quoted.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let upper = compact.to_ascii_uppercase();
        if compact.len() == 16
            && upper
                .bytes()
                .all(|b| otpkit::recovery::ALPHABET.contains(&b))
            && !samples.iter().any(|s| s == quoted)
        {
            samples.push(quoted.to_owned());
        }
    }
    samples
}

/// `real` written like `sample`: the sample's case and separator.
fn like_sample(real: &str, sample: &str) -> String {
    let sep = if sample.contains(' ') { " " } else { "-" };
    let text = real.replace('-', sep);
    if sample.chars().any(|c| c.is_ascii_lowercase()) {
        text.to_ascii_lowercase()
    } else {
        text
    }
}

/// Runs one ```sh block in a fresh copy of the sandbox; panics with the block's line
/// and output unless every command succeeds.
///
/// The README's sample recovery codes cannot be codes of a set made in the test: the
/// block runs up to the first line using one, then the rest with the i-th sample
/// replaced by the i-th code the first part printed, in the sample's case and spacing.
fn run_sh_block(sandbox: &Sandbox, block: &Block) -> tempfile::TempDir {
    let dir = sandbox.fresh_copy();
    let body = Sandbox::script(&block.body, dir.path());
    let samples = sample_recovery_codes(&body);
    let (first, rest) = match body
        .lines()
        .position(|l| samples.iter().any(|s| l.contains(s)))
    {
        Some(n) => {
            let lines: Vec<&str> = body.lines().collect();
            (lines[..n].join("\n"), Some(lines[n..].join("\n")))
        }
        None => (body.clone(), None),
    };
    let run_part = |script: &str| {
        let script = format!("set -euo pipefail\n{script}\n");
        let cmd = sandbox.bash(dir.path(), &script);
        // Only `enroll` asks for what a person types; other blocks get no input.
        let run = drive(cmd, block.body.contains("otpkit enroll"), None).0;
        assert!(
            run.code == 0 && !run.stderr.contains("panicked"),
            "README.md line {}: the ```sh block failed (exit {}):\n{script}\nstdout:\n{}\nstderr:\n{}",
            block.line,
            run.code,
            run.stdout,
            run.stderr
        );
        run
    };
    let printed = run_part(&first).stdout;
    if let Some(mut rest) = rest {
        let codes = recovery_codes(&printed);
        assert!(
            codes.len() >= samples.len(),
            "README.md line {}: the block uses {} sample recovery codes but printed {:?}",
            block.line,
            samples.len(),
            codes
        );
        for (sample, real) in samples.iter().zip(&codes) {
            rest = rest.replace(sample.as_str(), &like_sample(real, sample));
        }
        run_part(&rest);
    }
    dir
}

#[test]
fn every_sh_block_runs() {
    let sandbox = Sandbox::new();
    let blocks = fenced_blocks(&readme());
    let mut ran = 0;
    for block in blocks.iter().filter(|b| b.info == "sh") {
        let dir = run_sh_block(&sandbox, block);
        // The --store example's database is in the sandbox, not in /var/lib.
        if block.body.contains("sqlite:/var/lib/otpkit/") {
            let db = block.body.split("sqlite:/var/lib/otpkit/").nth(1).unwrap();
            let db = db.split_whitespace().next().unwrap();
            assert!(dir.path().join("var/lib/otpkit").join(db).exists());
        }
        ran += 1;
    }
    assert_eq!(ran, SH_RUN);
}

#[test]
fn the_sample_codes_are_replaced_keeping_their_form() {
    assert_eq!(
        sample_recovery_codes("use 'k7rm 2qxd hv9t cz4n'; echo 'k7rm 2qxd hv9t cz4n' 'not one'"),
        ["k7rm 2qxd hv9t cz4n"]
    );
    assert_eq!(
        like_sample("ABCD-EFGH-JKLM-NPQR", "k7rm 2qxd hv9t cz4n"),
        "abcd efgh jklm npqr"
    );
    assert_eq!(
        like_sample("ABCD-EFGH-JKLM-NPQR", "K7RM-2QXD-HV9T-CZ4N"),
        "ABCD-EFGH-JKLM-NPQR"
    );
    assert_eq!(
        recovery_codes(" 1. R9K3-P3YC-D2LC-9EDR\n 2. CJ4W-JTVH-5KSZ-SG4B"),
        ["R9K3-P3YC-D2LC-9EDR", "CJ4W-JTVH-5KSZ-SG4B"]
    );
}

#[test]
fn console_transcripts_show_what_the_tool_prints() {
    let sandbox = Sandbox::new();
    let blocks = fenced_blocks(&readme());
    let mut checked = 0;
    for block in blocks.iter().filter(|b| b.lang() == "console") {
        let dir = sandbox.fresh_copy();
        let mut script = String::from("exec 2>&1\n");
        let mut expected = String::new();
        for line in block.body.lines() {
            match line.strip_prefix("$ ") {
                Some(command) => {
                    script.push_str(command);
                    script.push('\n');
                }
                None => {
                    expected.push_str(line);
                    expected.push('\n');
                }
            }
        }
        let printed = drive(sandbox.bash(dir.path(), &script), false, None)
            .0
            .stdout;
        assert_eq!(
            printed, expected,
            "README.md line {}: the transcript's output is not what the tool prints",
            block.line
        );
        checked += 1;
    }
    assert_eq!(checked, CONSOLE);
}

/// The README's state file block, and its value for `key`.
fn device_file_block() -> (String, impl Fn(&str) -> String) {
    let text = fenced_blocks(&readme())
        .into_iter()
        .find(is_device_file)
        .unwrap()
        .body;
    let lines = text.clone();
    let value = move |key: &str| {
        lines
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("no {key}= in the README's state file"))
            .to_owned()
    };
    (text, value)
}

/// The file `otpkit enroll` writes for the README block's issuer and account, at the
/// time of its `state` line's last step, with `extra` arguments.
fn enrolled_like_the_readme(extra: &[&str]) -> String {
    let (_, value) = device_file_block();
    let step: u64 = value("state").split('.').nth(2).unwrap().parse().unwrap();
    let time = step * 30;
    let dir = tempfile::tempdir().unwrap();
    let mut enroll = Command::new(BIN);
    enroll
        .args(["enroll", "--issuer", &value("issuer"), "--account"])
        .args([
            &value("account"),
            "--state",
            "dev",
            "--time",
            &time.to_string(),
        ])
        .args(extra)
        .current_dir(dir.path());
    let (run, _) = drive(enroll, true, Some(time));
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::read_to_string(dir.path().join("dev")).unwrap()
}

fn is_base32(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| matches!(c, b'A'..=b'Z' | b'2'..=b'7'))
}

/// The state file format block is what `enroll` writes for its issuer and account,
/// at the time of its `state` line's last step: every line the same but the secret's
/// value, which is random (same length and alphabet).
#[test]
fn the_state_file_format_is_what_enroll_writes() {
    let (text, _) = device_file_block();
    let written = enrolled_like_the_readme(&[]);
    let context = format!("README:\n{text}\nenroll wrote:\n{written}");
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        (text.lines().collect(), written.lines().collect());
    assert_eq!(ours.len(), theirs.len(), "{context}");
    for (ours, theirs) in ours.iter().zip(&theirs) {
        match (ours.strip_prefix("secret="), theirs.strip_prefix("secret=")) {
            (Some(a), Some(b)) => {
                assert_eq!(a.len(), b.len(), "the secret's length: {context}");
                assert!(is_base32(a) && is_base32(b), "{context}");
            }
            _ => assert_eq!(ours, theirs, "{context}"),
        }
    }
}

/// What the README says of a sealed file (`--seal-key-file`): its `format=` and
/// `sealed-secret=otps1.KEYID.DATA` instead of `secret=`, "every other line is the
/// same".
#[test]
fn a_sealed_state_file_differs_only_where_the_readme_says() {
    let readme = readme();
    let paragraph = readme
        .split("\n\n")
        .find(|p| p.starts_with("A sealed file (`--seal-key-file`)"))
        .expect("the README's paragraph on sealed files");
    let code = |prefix: &str| {
        paragraph
            .split('`')
            .skip(1)
            .step_by(2)
            .find(|c| c.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}…` in: {paragraph}"))
            .to_owned()
    };
    let format = code("format=");
    let sealed = code("sealed-secret=");
    assert_eq!(sealed, "sealed-secret=otps1.KEYID.DATA", "{paragraph}");

    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("seal.keys");
    std::fs::write(&keys, SEAL_KEYS).unwrap();
    let key_id = SEAL_KEYS.lines().find_map(|l| l.split_once(':')).unwrap().0;
    let (text, _) = device_file_block();
    let written = enrolled_like_the_readme(&["--seal-key-file", keys.to_str().unwrap()]);
    let context = format!("README:\n{text}\nenroll --seal-key-file wrote:\n{written}");
    let (ours, theirs): (Vec<&str>, Vec<&str>) =
        (text.lines().collect(), written.lines().collect());
    assert_eq!(ours.len(), theirs.len(), "{context}");
    for (ours, theirs) in ours.iter().zip(&theirs) {
        if ours.starts_with("format=") {
            assert_eq!(*theirs, format, "{context}");
        } else if ours.starts_with("secret=") {
            let data = theirs
                .strip_prefix(&format!("sealed-secret=otps1.{key_id}."))
                .unwrap_or_else(|| panic!("{context}"));
            assert!(!data.is_empty() && !data.contains('.'), "{context}");
        } else {
            assert_eq!(ours, theirs, "{context}");
        }
    }
}
