//! `--kdf-budget` and `--kdf-memory`: an encrypted file asking for more key-derivation
//! work or memory than allowed is refused before the work is done, the message names
//! the flag and a value that lets the file through, and that value does.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{Run, arg as s, expect, run_with_stdin as run};

const PASSWORD: &str = "kdf-budget-test";

/// An Aegis vault of one account, encrypted by `otpkit export` (scrypt N=2^15, r=8,
/// p=1, as Aegis writes it).
fn aegis_vault(dir: &Path) -> std::path::PathBuf {
    let uris = dir.join("uris.txt");
    std::fs::write(
        &uris,
        "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP&issuer=Example\n",
    )
    .unwrap();
    let vault = dir.join("vault.json");
    let r = run(
        &[
            "export",
            "--to",
            "aegis",
            "--encrypt",
            "--input",
            s(&uris),
            "--out",
            s(&vault),
        ],
        &format!("{PASSWORD}\n"),
    );
    expect(&r, 0, "export --encrypt");
    vault
}

fn no_password(r: &Run) {
    assert!(!r.stdout.contains(PASSWORD) && !r.stderr.contains(PASSWORD));
}

#[test]
fn a_vault_beyond_the_budget_is_refused_and_the_suggested_flag_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let vault = aegis_vault(dir.path());
    let pw = format!("{PASSWORD}\n");
    let r = run(
        &[
            "import",
            s(&vault),
            "--from",
            "aegis",
            "--kdf-budget",
            "10k",
        ],
        &pw,
    );
    expect(&r, 2, "over the budget");
    no_password(&r);
    assert!(r.stdout.is_empty());
    let message = r.stderr.trim_end();
    assert!(
        message.starts_with(
            "otpkit: cannot import the aegis file: it asks for more key-derivation work than \
             allowed: the key derivation needs at least "
        ),
        "{message}"
    );
    assert!(message.contains("work units (10000 allowed)"), "{message}");
    let (_, flag) = message
        .rsplit_once("if you trust the file, run again with ")
        .unwrap();
    let value = flag.strip_prefix("--kdf-budget ").unwrap();
    assert!(value.ends_with('k'), "{message}");
    let r = run(
        &[
            "import",
            s(&vault),
            "--from",
            "aegis",
            "--kdf-budget",
            value,
        ],
        &pw,
    );
    expect(&r, 0, "with the suggested budget");
    assert!(r.stdout.starts_with("otpauth://totp/Example:alice?"));
    no_password(&r);
    // The default budget opens what Aegis writes, and export reads with the flags too.
    let r = run(&["import", s(&vault), "--from", "aegis"], &pw);
    expect(&r, 0, "default budget");
    let r = run(
        &[
            "export",
            "--to",
            "otpauth-list",
            "--from",
            "aegis",
            "--input",
            s(&vault),
            "--kdf-budget",
            "10k",
        ],
        &pw,
    );
    expect(&r, 2, "export over the budget");
    assert!(
        r.stderr.contains("run again with --kdf-budget "),
        "{}",
        r.stderr
    );
}

#[test]
fn a_hostile_argon2_is_refused_at_once_naming_both_flags() {
    // Bitwarden's Argon2id asked for 1 GiB, 64 passes, 64 lanes: a minute of CPU and a
    // gigabyte, unbounded.
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("bitwarden.json");
    std::fs::write(
        &export,
        serde_json::json!({
            "encrypted": true, "passwordProtected": true, "salt": "c2FsdA==",
            "kdfType": 1, "kdfIterations": 64, "kdfMemory": 1024, "kdfParallelism": 64,
            "encKeyValidation_DO_NOT_EDIT": "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAA|AAAA",
            "data": "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAA|AAAA"
        })
        .to_string(),
    )
    .unwrap();
    let start = Instant::now();
    let r = run(
        &["import", s(&export), "--from", "bitwarden"],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    expect(&r, 2, "hostile Argon2");
    assert!(
        r.stderr.contains("1 GiB of memory (256 MiB allowed)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("run again with --kdf-budget ")
            && r.stderr.contains(" --kdf-memory 1GiB"),
        "{}",
        r.stderr
    );
    // The memory alone raised is not enough: the work is still over.
    let r = run(
        &[
            "import",
            s(&export),
            "--from",
            "bitwarden",
            "--kdf-memory",
            "1GiB",
        ],
        &format!("{PASSWORD}\n"),
    );
    expect(&r, 2, "memory raised");
    assert!(!r.stderr.contains("--kdf-memory"), "{}", r.stderr);
}

#[test]
fn kdf_flags_are_for_files_read_with_from() {
    let r = run(
        &[
            "import",
            "otpauth-migration://offline?data=",
            "--kdf-budget",
            "2M",
        ],
        "",
    );
    expect(&r, 2, "migration URI");
    assert_eq!(
        r.stderr,
        "otpkit: --kdf-budget and --kdf-memory are for encrypted files read with --from FORMAT\n"
    );
    for (flag, value) in [("--kdf-budget", "lots"), ("--kdf-memory", "1TB")] {
        let r = run(&["import", "x.json", "--from", "aegis", flag, value], "");
        expect(&r, 2, flag);
        assert!(r.stderr.contains(flag), "{}", r.stderr);
    }
}

#[test]
fn a_pskc_container_is_bounded_by_the_same_flags() {
    let figure_7 = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../otpkit-pskc/tests/data/rfc6030-figure-7.xml");
    let dir = tempfile::tempdir().unwrap();
    let greedy = dir.path().join("greedy.xml");
    std::fs::write(
        &greedy,
        std::fs::read_to_string(&figure_7)
            .unwrap()
            .replace("<IterationCount>1000<", "<IterationCount>4000000000<"),
    )
    .unwrap();
    let start = Instant::now();
    let r = run(&["import", s(&greedy), "--from", "pskc"], "qwerty\n");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    expect(&r, 2, "4e9 iterations");
    assert!(
        r.stderr.starts_with(
            "otpkit: cannot import the PSKC file: it asks for more key-derivation work than \
             allowed: the key derivation needs at least "
        ) && r
            .stderr
            .contains("if you trust the file, run again with --kdf-budget "),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("qwerty"));
    // Figure 7 itself (1000 iterations, 121 units) under a budget of 100, then with
    // the default.
    let r = run(
        &[
            "import",
            s(&figure_7),
            "--from",
            "pskc",
            "--kdf-budget",
            "100",
        ],
        "qwerty\n",
    );
    expect(&r, 2, "budget of 100");
    assert!(
        r.stderr.contains("run again with --kdf-budget 121"),
        "{}",
        r.stderr
    );
    let r = run(&["import", s(&figure_7), "--from", "pskc"], "qwerty\n");
    expect(&r, 0, "default budget");
}
