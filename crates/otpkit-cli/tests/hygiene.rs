//! Freed-memory hygiene of the CLI: no path a secret takes through the tool leaves a
//! copy of it in freed heap memory. The tool's modules are compiled into this test
//! (`#[path]` below) and run in-process under a global allocator that scans every
//! block freed on the probing thread for the secret.
//!
//! Soundness of the `unsafe` here: every allocation is made zeroed (and `realloc` is
//! an allocation plus a copy), so each byte of a block is initialised from the start;
//! `dealloc` reads exactly `layout.size()` bytes of a block that `System` allocated
//! with that layout and that stays allocated until it is passed on. The scan
//! allocates nothing, so it cannot re-enter the allocator, and the thread-local flag is
//! const-initialised without a destructor.
#![allow(dead_code, clippy::all)]

#[path = "../src/cli.rs"]
mod cli;
#[path = "../src/commands/mod.rs"]
mod commands;
#[path = "../src/device_file.rs"]
mod device_file;
#[path = "../src/error.rs"]
mod error;
#[path = "../src/input_file.rs"]
mod input_file;
#[path = "../src/io.rs"]
mod io;
#[path = "../src/json.rs"]
mod json;
#[path = "../src/options.rs"]
mod options;
#[path = "../src/pskc.rs"]
mod pskc;
#[path = "../src/qr.rs"]
mod qr;
#[path = "../src/safe_file.rs"]
mod safe_file;
#[path = "../src/secrets.rs"]
mod secrets;
#[path = "../src/target.rs"]
mod target;
#[path = "../src/uri.rs"]
mod uri;
#[path = "../src/when.rs"]
mod when;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Cursor;

use otpkit::Secret;
use zeroize::Zeroizing;

/// The probe's key: 20 printable bytes used by no other test. Its Base32 forms are
/// what the CLI handles.
const KEY: &[u8; 20] = b"cli-hygiene-probe-K9";

/// The needles: 16-byte windows of the raw key, of its canonical Base32 and of its
/// grouped Base32 (filled in once, before arming; read by the allocator).
static NEEDLES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();

fn needles() -> Vec<Vec<u8>> {
    let secret = Secret::from_bytes(KEY).unwrap();
    let mut list = Vec::new();
    for text in [
        KEY.to_vec(),
        secret.base32().to_string().into_bytes(),
        secret.base32_grouped().to_string().into_bytes(),
    ] {
        for w in text.windows(16) {
            list.push(w.to_vec());
        }
    }
    list
}

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    /// Hits on this thread only: tests probing on other threads do not count.
    static HITS: Cell<usize> = const { Cell::new(0) };
}

struct Probe;

// SAFETY: every method forwards to `System` with the caller's own pointer and layout;
// the probe only reads a block (inside its layout) before it is freed.
unsafe impl GlobalAlloc for Probe {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, passed on unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout, passed on unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.try_with(Cell::get).unwrap_or(false) {
            if let Some(needles) = NEEDLES.get() {
                // SAFETY: see the module documentation.
                let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
                if needles
                    .iter()
                    .any(|n| block.windows(n.len()).any(|w| w == n.as_slice()))
                {
                    let _ = HITS.try_with(|h| h.set(h.get().saturating_add(1)));
                }
            }
        }
        // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size` with `layout`'s alignment is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a valid, non-zero-size layout (the caller's contract for realloc).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and at least `min(old, new)` bytes long; the old
            // one was allocated by this allocator with `layout`.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Probe = Probe;

/// How many blocks freed on this thread during `f` held secret material.
fn freed_blocks_holding_secret(f: impl FnOnce()) -> usize {
    NEEDLES.get_or_init(needles);
    HITS.with(|h| h.set(0));
    ARMED.with(|a| a.set(true));
    f();
    ARMED.with(|a| a.set(false));
    HITS.with(Cell::get)
}

fn secret() -> Secret {
    Secret::from_bytes(KEY).unwrap()
}

/// Runs one subcommand in-process with `stdin` as standard input; stdout goes to a
/// buffer reserved up front and wiped afterwards (it holds the secret for `inspect`).
fn run(command: cli::Command, stdin: &[u8]) -> Result<(), error::CliError> {
    let mut input = Cursor::new(stdin);
    let mut stdout = Zeroizing::new(Vec::with_capacity(1 << 16));
    let mut stderr = Zeroizing::new(Vec::with_capacity(1 << 12));
    let mut io = io::Io {
        stdin: &mut input,
        stdout: &mut *stdout,
        stderr: &mut *stderr,
        stdin_is_terminal: false,
    };
    command.run(&mut io)
}

fn device(state: String) -> device_file::DeviceFile {
    device_file::DeviceFile {
        issuer: Some("Example".into()),
        account: "alice".into(),
        algorithm: otpkit::Algorithm::Sha1,
        digits: otpkit::Digits::SIX,
        period: otpkit::Period::new(30).unwrap(),
        secret: secret(),
        state,
        sealed: None,
    }
}

const T: u64 = 1_800_000_000;

fn enrolled_state() -> String {
    let d = device(String::new());
    let verifier = otpkit::Verifier::totp(d.totp(), otpkit::verifier::Policy::default());
    let c1 = d.totp().code_at(T - 30).unwrap().to_string();
    let c2 = d.totp().code_at(T).unwrap().to_string();
    let (outcome, state) = verifier.enroll(&verifier.begin_enrollment(), &c1, &c2, T);
    assert!(outcome.is_enrolled(), "{outcome:?}");
    state.to_string()
}

#[test]
fn the_probe_sees_an_unwiped_copy() {
    // The old state-file writer's way: a growing String from `to_string`.
    let hits = freed_blocks_holding_secret(|| drop(secret().base32().to_string()));
    assert!(hits >= 1, "the probe must see an unwiped Base32 copy");
    let hits = freed_blocks_holding_secret(|| {
        drop(serde_json::json!({ "secret": secret().base32().to_string() }).to_string())
    });
    assert!(hits >= 1, "the probe must see an unwiped JSON copy");
}

#[test]
fn state_file_write_and_read_leave_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.state");
    let state = enrolled_state();
    let hits = freed_blocks_holding_secret(|| {
        let d = device(state.clone());
        let text = d.to_text();
        safe_file::write_atomic(&path, text.as_bytes(), safe_file::Overwrite::No).unwrap();
        drop(text);
        drop(d);
    });
    assert_eq!(hits, 0, "DeviceFile::to_text / write_atomic");
    let hits = freed_blocks_holding_secret(|| {
        let _lock = safe_file::lock(&path).unwrap();
        let d = device_file::read(&path, None).unwrap();
        assert_eq!(d.secret, secret());
    });
    assert_eq!(hits, 0, "device_file::read");
}

fn file_target(path: &std::path::Path, key: Option<&std::path::Path>) -> target::Target {
    target::Target {
        state: Some(path.to_path_buf()),
        store: None,
        device: None,
        user: None,
        device_name: None,
        key: target::SealKey {
            seal_key_file: key.map(std::path::Path::to_path_buf),
        },
    }
}

/// A sealed state file: the secret is opened, used and sealed again (the key file
/// lists a newer key first, so the save re-seals) without a copy left behind.
#[test]
fn sealed_file_verify_leaves_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.state");
    let keys = dir.path().join("keys");
    let old = otpkit_store::seal::SealingKey::new("old", [1; 32]).unwrap();
    std::fs::write(
        &keys,
        format!(
            "new:{}\nold:{}\n",
            "ab".repeat(32),
            old.to_base64().as_str()
        ),
    )
    .unwrap();
    let mut d = device(enrolled_state());
    d.seal(&otpkit_store::seal::Keyring::new(old)).unwrap();
    safe_file::write_atomic(&path, d.to_text().as_bytes(), safe_file::Overwrite::No).unwrap();
    let code = d.totp().code_at(T + 30).unwrap().to_string();
    let hits = freed_blocks_holding_secret(|| {
        let args = commands::verify::VerifyArgs {
            target: file_target(&path, Some(&keys)),
            code: code.clone(),
            time: Some(T + 30),
        };
        run(cli::Command::Verify(args), b"").unwrap();
    });
    assert_eq!(hits, 0, "verify of a sealed file");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("sealed-secret=otps1.new."), "{text}");
}

#[test]
fn verify_and_resync_leave_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dev.state");
    let d = device(enrolled_state());
    safe_file::write_atomic(&path, d.to_text().as_bytes(), safe_file::Overwrite::No).unwrap();
    let totp = d.totp();
    let code = totp.code_at(T + 30).unwrap().to_string();
    let hits = freed_blocks_holding_secret(|| {
        let args = commands::verify::VerifyArgs {
            target: file_target(&path, None),
            code: "-".into(),
            time: Some(T + 30),
        };
        run(cli::Command::Verify(args), format!("{code}\n").as_bytes()).unwrap();
    });
    assert_eq!(hits, 0, "verify (rewrites the state file)");
    let (c1, c2) = (
        totp.code_at(T + 600).unwrap().to_string(),
        totp.code_at(T + 630).unwrap().to_string(),
    );
    let hits = freed_blocks_holding_secret(|| {
        let args = commands::resync::ResyncArgs {
            target: file_target(&path, None),
            code1: c1.clone(),
            code2: c2.clone(),
            time: Some(T + 300),
        };
        run(cli::Command::Resync(args), b"").unwrap();
    });
    assert_eq!(hits, 0, "resync");
}

#[test]
fn inspect_and_json_leave_no_copy() {
    let uri = Zeroizing::new(format!(
        "otpauth://totp/Example:alice?secret={}&issuer=Example",
        secret().base32()
    ));
    for json in [false, true] {
        let hits = freed_blocks_holding_secret(|| {
            let args = commands::inspect::InspectArgs {
                uri: Some("-".into()),
                state: None,
                store: None,
                device: None,
                time: None,
                key: target::SealKey {
                    seal_key_file: None,
                },
                json,
            };
            run(cli::Command::Inspect(args), uri.as_bytes()).unwrap();
        });
        assert_eq!(hits, 0, "inspect (json: {json})");
    }
}

#[test]
fn code_and_check_leave_no_copy() {
    let text = Zeroizing::new(format!("{}\n", secret().base32()));
    let hits = freed_blocks_holding_secret(|| {
        let args = commands::code::CodeArgs {
            source: commands::code::Source {
                secret_arg: Some("-".into()),
                secret: None,
                uri: None,
            },
            hex: false,
            algorithm: None,
            digits: None,
            period: None,
            time: Some(T),
            hotp: false,
            counter: None,
            verbose: false,
            allow_short_secret: false,
        };
        run(cli::Command::Code(args), text.as_bytes()).unwrap();
    });
    assert_eq!(hits, 0, "code SECRET");
    let code = device(String::new()).totp().code_at(T).unwrap().to_string();
    let input = Zeroizing::new(format!("{}{code}\n", text.as_str()));
    let hits = freed_blocks_holding_secret(|| {
        let args = commands::check::CheckArgs {
            secret: "-".into(),
            code: "-".into(),
            totp: true,
            hotp: false,
            hex: false,
            window: 1,
            algorithm: otpkit::Algorithm::Sha1,
            digits: 6,
            period: 30,
            time: Some(T),
            counter: None,
            allow_short_secret: false,
        };
        run(cli::Command::Check(args), input.as_bytes()).unwrap();
    });
    assert_eq!(hits, 0, "check");
}

fn parse(args: &[&str]) -> cli::Command {
    use clap::Parser;
    match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli.command,
        Err(e) => panic!("{e}"),
    }
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "minutes in a debug build (scrypt under the scanning allocator): run in release by \
              test-all.sh's freed-memory stage"
)]
fn import_and_export_leave_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    let uri = Zeroizing::new(format!(
        "otpauth://totp/Example:alice?secret={}&issuer=Example\n",
        secret().base32()
    ));
    std::fs::write(&list, uri.as_bytes()).unwrap();
    let list = list.to_str().unwrap().to_owned();
    let vault = dir.path().join("vault.json").to_str().unwrap().to_owned();
    let cases: Vec<(Vec<&str>, &[u8])> = vec![
        (
            vec!["otpkit", "import", &list, "--from", "otpauth-list"],
            b"",
        ),
        (
            vec![
                "otpkit",
                "import",
                &list,
                "--from",
                "otpauth-list",
                "--json",
            ],
            b"",
        ),
        (
            vec!["otpkit", "import", "-", "--from", "otpauth-list"],
            uri.as_bytes(),
        ),
        (
            vec!["otpkit", "export", "--to", "otpauth-list", "--input", &list],
            b"",
        ),
        (
            vec!["otpkit", "export", "--to", "aegis", "--input", &list],
            b"",
        ),
        (
            vec![
                "otpkit",
                "export",
                "--to",
                "google-migration",
                "--input",
                &list,
            ],
            b"",
        ),
        (
            vec![
                "otpkit",
                "export",
                "--to",
                "aegis",
                "--encrypt",
                "--input",
                &list,
                "--out",
                &vault,
            ],
            b"pw-for-the-vault\n",
        ),
        (
            vec!["otpkit", "import", &vault, "--from", "aegis"],
            b"pw-for-the-vault\n",
        ),
        // The format told from the content: the same reading, one more pass over it.
        (vec!["otpkit", "import", &list], b""),
        (vec!["otpkit", "import", &vault], b"pw-for-the-vault\n"),
    ];
    for (args, stdin) in cases {
        let command = parse(&args);
        let hits = freed_blocks_holding_secret(|| run(command, stdin).unwrap());
        assert_eq!(hits, 0, "{args:?}");
    }
}

/// The app formats, through the CLI: the committed files with their first secret
/// replaced by the probe's. Each entry's raw JSON is borrowed from the file, never
/// copied (an owned copy held the secret and was freed unwiped).
#[test]
fn app_format_imports_leave_no_copy() {
    let dir = tempfile::tempdir().unwrap();
    let data =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../otpkit-transfer/tests/data");
    for (name, from) in [
        ("twofas_plain.2fas", "2fas"),
        ("andotp_plain.json", "andotp"),
        ("bitwarden_plain.json", "bitwarden"),
        ("authpro_plain.json", "authenticator-pro"),
    ] {
        let text = std::fs::read_to_string(data.join(name)).unwrap();
        let base32 = secret().base32().to_string();
        let probed = text.replacen("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", &base32, 1);
        assert_ne!(probed, text, "{name}");
        let path = dir.path().join(name);
        std::fs::write(&path, probed).unwrap();
        let command = parse(&["otpkit", "import", path.to_str().unwrap(), "--from", from]);
        let hits = freed_blocks_holding_secret(|| {
            // Exit 6 where the file also has entries that fail on purpose.
            let _ = run(command, b"");
        });
        assert_eq!(hits, 0, "{name}");
    }
}
