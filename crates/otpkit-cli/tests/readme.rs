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
//!
//! The repository's README.md (`../../README.md`) is read too ([`top_readme`]):
//!
//! - its ```` ```sh ```` blocks run the same way; in them `cargo run -p otpkit-cli --`
//!   is the built `otpkit` (see [`Sandbox::script`]), and any other `cargo` command
//!   fails the test;
//! - each ```` ```sh no-run ```` block (too heavy for a test, or a server) must be one
//!   that CI runs as it is written, and is checked against where CI runs it
//!   ([`top_no_run_check`]): the test command against `.ci/run`, the long simulation
//!   against the simulation test and the workspace stage of `scripts/test-all.sh`, the
//!   store servers against that script's device-store stage, the web server against
//!   `examples/web/README.md`, whose command `examples/web/e2e/readme.test.mjs` runs;
//! - its ```` ```rust ```` blocks are doc tests of `otpkit-examples` (checked to be
//!   included there); the one ```` ```rust,ignore ```` block (connecting to PostgreSQL
//!   and Redis servers) is checked to make the calls otpkit-store's conformance test
//!   makes on real servers in CI ([`check_store_adapters`]).
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
const SH_RUN: usize = 5;
const SH_NO_RUN: usize = 1;
const CONSOLE: usize = 1;
const TEXT: usize = 1;
/// How many blocks of each kind the repository's README.md has.
const TOP_SH_RUN: usize = 2;
const TOP_SH_NO_RUN: usize = 4;
const TOP_RUST: usize = 3;
/// The getting-started blocks, one per language: each runs in a clean consumer project
/// that `scripts/consumers.sh` makes from the release artefacts (the ```sh one also
/// runs here).
const TOP_GETTING_STARTED: [&str; 7] = [
    "toml getting-started",
    "rust getting-started",
    "sh getting-started",
    "python getting-started",
    "js getting-started",
    "kotlin getting-started",
    "swift getting-started",
];
const TOP_RUST_IGNORE: usize = 1;
/// The password of the sandbox's andOTP backup (`otp.json.aes`).
const ANDOTP_PASSWORD: &str = "otpkit-test";

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// A file of the repository, by its path from the root.
fn repo_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The repository's README.md.
fn top_readme() -> String {
    repo_file("README.md")
}

/// The commands of a shell block: comment lines and trailing ` # …` comments left
/// out, lines ending in `\` joined with the next, surrounding blanks trimmed.
fn commands(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in body.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let line = line.find(" #").map_or(line, |i| line[..i].trim_end());
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head.trim_end());
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let command = std::mem::take(&mut pending);
        if !command.trim().is_empty() {
            out.push(command.trim().to_owned());
        }
    }
    out
}

#[test]
fn commands_drop_comments_and_join_continued_lines() {
    let body = "# a comment\nA=1 B=2 \\\n  cargo test -- --x   # why\n\nls  \n";
    assert_eq!(commands(body), ["A=1 B=2 cargo test -- --x", "ls"]);
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

/// `otp.json.aes` (see [`Sandbox`]): andOTP's current encrypted format,
/// `[iterations, u32 BE][salt, 12][nonce, 12][ciphertext‖tag]`, AES-256-GCM under
/// PBKDF2-HMAC-SHA1(password, salt, iterations) (otpkit-transfer's `andotp.rs`).
fn andotp_backup() -> Vec<u8> {
    use aes_gcm::aead::{AeadInOut, KeyInit};
    use aes_gcm::{Aes256Gcm, Nonce};

    let mut entries: serde_json::Value =
        serde_json::from_slice(&std::fs::read(transfer_data("andotp_plain.json")).unwrap())
            .unwrap();
    let list = entries.as_array_mut().unwrap();
    let before = list.len();
    list.retain(|e| e["type"] != "MOTP" && e["type"] != "STEAM");
    assert_eq!(list.len(), before - 2, "andotp_plain.json changed");
    let mut data = serde_json::to_vec(&entries).unwrap();

    let (iterations, salt, nonce) = (1000u32, [7u8; 12], [9u8; 12]);
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(ANDOTP_PASSWORD.as_bytes(), &salt, iterations, &mut key);
    let tag = Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .encrypt_inout_detached(&Nonce::from(nonce), &[], data.as_mut_slice().into())
        .unwrap();
    [&iterations.to_be_bytes()[..], &salt, &nonce, &data, &tag].concat()
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
/// - `otp.json.aes`: an encrypted andOTP backup (andOTP's current format) of
///   otpkit-transfer's `andotp_plain.json` without the two entries the top README's
///   conversions cannot take through (mOTP, which nothing reads, and Steam Guard,
///   which Google's migration format has no type for); `passwords.txt`: its password
///   ([`ANDOTP_PASSWORD`]), then `pw.txt`'s.
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
        std::fs::write(d.join("otp.json.aes"), andotp_backup()).unwrap();
        std::fs::write(
            d.join("passwords.txt"),
            format!("{ANDOTP_PASSWORD}\n{PASSWORD}\n"),
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
    /// (`/etc/otpkit/…`, `/var/lib/otpkit/…`) are moved into `dir`, and
    /// `cargo run -p otpkit-cli -- ARGS` (build the package's one binary, run it with
    /// ARGS) is the `otpkit` this test built, with ARGS; nothing else is changed.
    /// Panics on any other `cargo` command: such a block is marked ```` ```sh no-run ````
    /// and checked against what CI runs.
    fn script(body: &str, dir: &Path) -> String {
        let d = dir.to_str().unwrap();
        let script = body
            .replace("/etc/otpkit/", &format!("{d}/etc/otpkit/"))
            .replace("/var/lib/otpkit/", &format!("{d}/var/lib/otpkit/"))
            .replace(CARGO_RUN_CLI, "otpkit ");
        for command in commands(&script) {
            assert!(
                !command.split_whitespace().any(|w| w == "cargo"),
                "a cargo command in a ```sh block: {command:?}; only `{CARGO_RUN_CLI}…` runs \
                 in a test: mark the block ```sh no-run and check it against what CI runs"
            );
        }
        script
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

/// `cargo run` of the CLI, as the top README's main job writes it.
const CARGO_RUN_CLI: &str = "cargo run -p otpkit-cli -- ";

/// What [`CARGO_RUN_CLI`] runs is the binary this test runs: the package's one
/// binary, `otpkit`.
#[test]
fn cargo_run_of_the_cli_package_is_the_tested_binary() {
    let manifest = repo_file("crates/otpkit-cli/Cargo.toml");
    assert!(
        manifest.contains("\nname = \"otpkit-cli\"\n"),
        "{CARGO_RUN_CLI}: the package"
    );
    let bins: Vec<&str> = manifest.split("[[bin]]").skip(1).collect();
    assert_eq!(bins.len(), 1, "one binary, which `cargo run -p` picks");
    assert!(bins[0].trim_start().starts_with("name = \"otpkit\"\n"));
    assert_eq!(Path::new(BIN).file_name().unwrap(), "otpkit");
}

/// Runs one ```sh block of `file` in a fresh copy of the sandbox; panics with the
/// block's line and output unless every command succeeds. Returns the directory and
/// what the block printed on stdout.
///
/// The README's sample recovery codes cannot be codes of a set made in the test: the
/// block runs up to the first line using one, then the rest with the i-th sample
/// replaced by the i-th code the first part printed, in the sample's case and spacing.
fn run_sh_block(sandbox: &Sandbox, file: &str, block: &Block) -> (tempfile::TempDir, String) {
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
        let run = drive(cmd, body.contains("otpkit enroll"), None).0;
        assert!(
            run.code == 0 && !run.stderr.contains("panicked"),
            "{file} line {}: the ```sh block failed (exit {}):\n{script}\nstdout:\n{}\nstderr:\n{}",
            block.line,
            run.code,
            run.stdout,
            run.stderr
        );
        run
    };
    let mut printed = run_part(&first).stdout;
    if let Some(mut rest) = rest {
        let codes = recovery_codes(&printed);
        assert!(
            codes.len() >= samples.len(),
            "{file} line {}: the block uses {} sample recovery codes but printed {:?}",
            block.line,
            samples.len(),
            codes
        );
        for (sample, real) in samples.iter().zip(&codes) {
            rest = rest.replace(sample.as_str(), &like_sample(real, sample));
        }
        printed.push_str(&run_part(&rest).stdout);
    }
    (dir, printed)
}

#[test]
fn every_sh_block_runs() {
    let sandbox = Sandbox::new();
    let blocks = fenced_blocks(&readme());
    let mut ran = 0;
    for block in blocks.iter().filter(|b| b.info == "sh") {
        let (dir, _) = run_sh_block(&sandbox, "README.md", block);
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

/// Every block of the repository's README.md is run, checked against what CI runs
/// (```` ```sh no-run ````, each by its own check, each check used once) or is a doc
/// test; the counts are asserted so a new block cannot be skipped silently.
#[test]
fn top_readme_every_block_is_run_or_checked() {
    let blocks = fenced_blocks(&top_readme());
    let count = |f: &dyn Fn(&Block) -> bool| blocks.iter().filter(|b| f(b)).count();
    let mut checked = Vec::new();
    for b in &blocks {
        match b.info.as_str() {
            "sh" | "rust" => {}
            info if TOP_GETTING_STARTED.contains(&info) => check_consumer_runs(b),
            "rust,ignore" => check_store_adapters(b),
            "sh no-run" => checked.push(top_no_run_check(b)),
            _ => panic!(
                "README.md line {}: a ```{} block this test does not run or check; run it in \
                 crates/otpkit-cli/tests/readme.rs, or mark a shell block that CI runs \
                 elsewhere ```sh no-run and check it there (top_no_run_check)",
                b.line, b.info
            ),
        }
    }
    checked.sort_unstable();
    checked.dedup();
    assert_eq!(
        checked.len(),
        TOP_SH_NO_RUN,
        "each no-run block has its own check"
    );
    assert_eq!(count(&|b| b.info == "sh"), TOP_SH_RUN, "```sh blocks");
    assert_eq!(
        count(&|b| b.info == "sh no-run"),
        TOP_SH_NO_RUN,
        "no-run blocks"
    );
    assert_eq!(
        count(&|b| b.info == "rust" || b.info == "rust getting-started"),
        TOP_RUST,
        "```rust blocks"
    );
    for info in TOP_GETTING_STARTED {
        assert_eq!(count(&|b| b.info == info), 1, "one ```{info} block");
    }
    assert_eq!(
        count(&|b| b.info == "rust,ignore"),
        TOP_RUST_IGNORE,
        "```rust,ignore"
    );
    // The ```rust blocks run as doc tests of otpkit-examples.
    let examples = repo_file("examples/src/lib.rs");
    assert!(
        examples.contains("#[cfg(doctest)]\n#[doc = include_str!(\"../../README.md\")]"),
        "examples/src/lib.rs no longer includes README.md as doc tests"
    );
}

/// A getting-started block is one `scripts/consumers.sh` takes from README.md as written
/// and runs in a clean consumer project, and `scripts/test-all.sh` runs that script.
fn check_consumer_runs(block: &Block) {
    let consumers = repo_file("scripts/consumers.sh");
    // The JavaScript consumer's script takes its block from the README itself.
    let js = repo_file("bindings/js/consumer/run.sh");
    assert!(
        consumers.contains(&format!("readme_block \"{}\"", block.info))
            || (consumers.contains("bindings/js/consumer/run.sh")
                && js.contains(&format!("README.md\" \"{}\"", block.info))),
        "README.md line {}: scripts/consumers.sh does not run the ```{} block",
        block.line,
        block.info
    );
    let test_all = repo_file("scripts/test-all.sh");
    assert!(
        test_all.contains("scripts/release.sh") && test_all.contains("scripts/consumers.sh"),
        "scripts/test-all.sh builds the release artefacts and runs the consumer projects"
    );
}

/// The ```` ```rust,ignore ```` block's `otpkit_store::TYPE::connect(…)` calls are the
/// ones otpkit-store's conformance test makes against real servers in the device-store
/// stage of `scripts/test-all.sh`, and each TYPE is behind the feature the README
/// names.
fn check_store_adapters(block: &Block) {
    let conformance = repo_file("crates/otpkit-store/tests/conformance.rs");
    let lib = repo_file("crates/otpkit-store/src/lib.rs");
    let readme = top_readme();
    let lines: Vec<&str> = readme.lines().collect();
    // The paragraph before the block.
    let before = lines[..block.line - 1]
        .iter()
        .rev()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    let mut calls = 0;
    for line in block.body.lines() {
        let Some(call) = line.split("otpkit_store::").nth(1) else {
            continue;
        };
        let ty = call.split("::").next().unwrap();
        let call = format!("otpkit_store::{ty}::connect(");
        assert!(
            line.contains(&call) && conformance.contains(&call),
            "README.md line {}: {line:?} is not a call the conformance test makes",
            block.line
        );
        let feature = lib
            .split(&format!("::{ty};"))
            .next()
            .and_then(|head| head.rsplit("#[cfg(feature = \"").next())
            .and_then(|f| f.split('"').next())
            .unwrap();
        assert!(
            before.contains(&format!("`{feature}`")),
            "README.md line {}: {ty} needs the `{feature}` feature, which the paragraph \
             before the block does not name",
            block.line
        );
        calls += 1;
    }
    assert_eq!(
        calls, 2,
        "README.md line {}: PostgreSQL and Redis",
        block.line
    );
    assert!(
        repo_file("scripts/test-all.sh").contains("cargo_test -p otpkit-store --all-features"),
        "the device-store stage runs otpkit-store's tests with every feature"
    );
}

/// Checks a ```` ```sh no-run ```` block of the top README against what CI runs;
/// returns which check it was. Panics if no check is for this block.
fn top_no_run_check(block: &Block) -> &'static str {
    let commands = commands(&block.body);
    let first = commands.first().map_or("", String::as_str);
    if first == "./scripts/test-all.sh" {
        check_test_command(block, &commands);
        "test command"
    } else if first.contains("--test verifier_simulation") {
        check_simulation(block, &commands);
        "simulation"
    } else if first.contains("scripts/services.sh start") {
        check_store_tests(block, &commands);
        "store servers"
    } else if first.starts_with("cargo run -p otpkit-web-example ") {
        check_web_server(block, &commands);
        "web server"
    } else {
        panic!(
            "README.md line {}: a ```sh no-run block that nothing checks against what CI \
             runs: {commands:?}",
            block.line
        )
    }
}

/// The README's test command is what `.ci/run` runs, from the repository root.
fn check_test_command(block: &Block, commands: &[String]) {
    let ci = repo_file(".ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == r#"cd "$(dirname "$0")/..""#),
        ".ci/run runs from the repository root, as the README's commands do"
    );
    let runs: Vec<&str> = ci
        .lines()
        .filter_map(|l| l.trim().strip_prefix("exec "))
        .collect();
    assert_eq!(
        commands, runs,
        "README.md line {}: the test command is not what .ci/run runs",
        block.line
    );
}

/// A `stage` line of `scripts/test-all.sh` runs `what`.
fn test_all_has_stage(script: &str, what: &str) -> bool {
    script.lines().any(|l| {
        let l = l.trim_end();
        l.starts_with("stage \"")
            && (l.ends_with(&format!("\" {what}")) || l.contains(&format!("\" {what} ")))
    })
}

/// The long simulation is the simulation test CI runs (the workspace stage of
/// `scripts/test-all.sh`, with the defaults the README gives) with other parameters:
/// each variable the README sets is one the test reads, `--release` and
/// `-- --nocapture` only change its speed and output, and the seed is another.
fn check_simulation(block: &Block, commands: &[String]) {
    assert_eq!(commands.len(), 1, "README.md line {}", block.line);
    let words: Vec<&str> = commands[0].split_whitespace().collect();
    let (env, command) = words.split_at(words.iter().take_while(|w| w.contains('=')).count());
    let source_path = "crates/otpkit/tests/verifier_simulation.rs";
    let source = repo_file(source_path);
    let default = |name: &str| -> u64 {
        let at = format!("env_or(\"{name}\", ");
        let rest = source.split(&at).nth(1).unwrap_or_else(|| {
            panic!(
                "README.md line {}: {source_path} does not read {name}",
                block.line
            )
        });
        rest.split(')').next().unwrap().trim().parse().unwrap()
    };
    let mut seed = None;
    for assignment in env {
        let (name, value) = assignment.split_once('=').unwrap();
        let value: u64 = value
            .parse()
            .unwrap_or_else(|_| panic!("{assignment}: a whole number"));
        let _ = default(name);
        if name == "OTPKIT_SIM_SEED" {
            seed = Some(value);
        }
    }
    assert_ne!(
        seed,
        Some(default("OTPKIT_SIM_SEED")),
        "\"with another seed\""
    );
    let essential: Vec<&str> = command
        .iter()
        .copied()
        .filter(|w| *w != "--release")
        .collect();
    assert_eq!(
        essential,
        [
            "cargo",
            "test",
            "-p",
            "otpkit",
            "--test",
            "verifier_simulation",
            "--",
            "--nocapture"
        ],
        "README.md line {}",
        block.line
    );
    assert!(repo_file("crates/otpkit/Cargo.toml").contains("\nname = \"otpkit\"\n"));
    assert!(
        test_all_has_stage(&repo_file("scripts/test-all.sh"), "cargo_test --workspace"),
        "CI runs the simulation in the workspace's tests"
    );
    let prose = format!(
        "runs {} users over {} days in the normal test run",
        default("OTPKIT_SIM_USERS"),
        default("OTPKIT_SIM_DAYS")
    );
    assert!(
        top_readme().replace('\n', " ").contains(&prose),
        "the README says what the normal run is: {prose:?}"
    );
}

/// The store servers and tests are what the device-store stage of
/// `scripts/test-all.sh` runs: the servers started and their exports evaluated, the
/// same `cargo test` (the script's `cargo_test` adds `--locked`, and `CI=1` makes a
/// missing server a failure), the servers stopped.
fn check_store_tests(block: &Block, commands: &[String]) {
    let script = repo_file("scripts/test-all.sh");
    assert!(test_all_has_stage(&script, "device_stores"));
    assert!(
        script.contains("  cargo test --locked \"$@\" "),
        "cargo_test is cargo test --locked"
    );
    let stage = script
        .split("\ndevice_stores() (\n")
        .nth(1)
        .and_then(|s| s.split("\n)\n").next())
        .expect("test-all.sh's device_stores");
    for command in commands {
        let found = if command == r#"eval "$(scripts/services.sh start)""# {
            stage.contains("=$(scripts/services.sh start)") && stage.contains("eval \"$services\"")
        } else if command == "scripts/services.sh stop" {
            stage.contains("trap 'scripts/services.sh stop' EXIT")
        } else if let Some(args) = command.strip_prefix("cargo test ") {
            stage.lines().any(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                let Some(at) = words.iter().position(|w| *w == "cargo_test") else {
                    return false;
                };
                let end = words.iter().position(|w| *w == "||").unwrap_or(words.len());
                words[at + 1..end].join(" ") == args
            })
        } else {
            false
        };
        assert!(
            found,
            "README.md line {}: {command:?} is not what test-all.sh's device_stores runs:\n{stage}",
            block.line
        );
    }
}

/// The web server's command is examples/web/README.md's, which
/// `examples/web/e2e/readme.test.mjs` runs in CI's web stage; the page to open is on
/// the port it gives.
fn check_web_server(block: &Block, commands: &[String]) {
    let web = repo_file("examples/web/README.md");
    let web_blocks = fenced_blocks(&web);
    let theirs = web_blocks
        .iter()
        .find(|b| b.lang() == "sh")
        .map(|b| self::commands(&b.body))
        .expect("examples/web/README.md's ```sh block");
    assert_eq!(
        commands, theirs,
        "README.md line {}: not the command of examples/web/README.md",
        block.line
    );
    let words: Vec<&str> = commands[0].split_whitespace().collect();
    let port = words[words.iter().position(|w| *w == "--port").unwrap() + 1];
    assert!(
        block
            .body
            .contains(&format!("open http://127.0.0.1:{port}/")),
        "README.md line {}: the page is on port {port}",
        block.line
    );
    assert!(repo_file("examples/web/e2e/readme.test.mjs").contains("new URL('../README.md'"));
    assert!(repo_file("examples/web/e2e/test.sh").contains("readme.test.mjs"));
    assert!(test_all_has_stage(
        &repo_file("scripts/test-all.sh"),
        "bash examples/web/e2e/test.sh"
    ));
}

/// The top README's ```` ```sh ```` blocks run: the main job (`enroll`, with the
/// phone's codes typed) writes its state file and prints the secret key in groups of
/// four; an encrypted Aegis export (`--encrypt … --out FILE`) is encrypted.
#[test]
fn top_readme_sh_blocks_run() {
    let sandbox = Sandbox::new();
    let mut ran = 0;
    for block in fenced_blocks(&top_readme())
        .iter()
        .filter(|b| b.info == "sh" || b.info == "sh getting-started")
    {
        let (dir, printed) = run_sh_block(&sandbox, "README.md (top)", block);
        for command in commands(&block.body) {
            let words: Vec<&str> = command.split_whitespace().collect();
            let after = |flag: &str| {
                let at = words.iter().position(|w| *w == flag)?;
                words.get(at + 1).copied()
            };
            if command.contains(" enroll ") {
                let file = after("--state").expect("enroll --state FILE");
                let state = std::fs::read_to_string(dir.path().join(file)).unwrap();
                let secret = state
                    .lines()
                    .find_map(|l| l.strip_prefix("secret="))
                    .unwrap();
                let groups: Vec<String> = secret
                    .as_bytes()
                    .chunks(4)
                    .map(|g| String::from_utf8(g.to_vec()).unwrap())
                    .collect();
                assert!(printed.contains(&groups.join(" ")), "{printed}");
                assert!(printed.lines().any(|l| l.starts_with("otpauth://")));
            }
            if command.contains(" --encrypt ") && command.contains(" --to aegis ") {
                let file = after("--out").expect("--encrypt --out FILE");
                let vault: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(dir.path().join(file)).unwrap()).unwrap();
                assert!(
                    vault["header"]["slots"]
                        .as_array()
                        .is_some_and(|s| !s.is_empty()),
                    "{file} is encrypted"
                );
            }
        }
        ran += 1;
    }
    assert_eq!(
        ran,
        TOP_SH_RUN + 1,
        "the ```sh blocks and the ```sh getting-started one"
    );
}
