//! `--store URL` (SQLite always; PostgreSQL and Redis against real servers named by
//! OTPKIT_TEST_POSTGRES_URL / OTPKIT_TEST_REDIS_URL) and sealed state files
//! (`--seal-key-file`): the same enrolment, sign-in, replay and key checks through
//! the built binary.

mod support;

use std::path::Path;

use otpkit::otpauth::Account;
use support::{Run, T, arg, expect};

/// The sealing key the tests use, as written in the key file.
const KEY_HEX: &str = "6b6579206f6620746865206f74706b697420636c692073746f72652074657374";
/// Another key with the same id (a wrong key file).
const WRONG_HEX: &str = "77726f6e67206b6579206f6620746865206f74706b697420636c692074657374";

#[cfg(any(feature = "postgres", feature = "redis"))]
/// The URL in `var`, or `None` after printing why the tests are skipped; with `CI`
/// set a missing URL is a failure (CI runs these against real servers).
fn server_url(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{var} is not set but CI is: the CLI's {what} store tests must run against a real \
             server (start one with `eval \"$(scripts/services.sh start)\"`)"
        ),
        _ => {
            eprintln!(
                "SKIP: {var} is not set, the CLI's {what} store tests did not run \
                 (start a server with `eval \"$(scripts/services.sh start)\"`)"
            );
            None
        }
    }
}

/// A device id no other run uses (the servers may be long-lived).
fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

fn write_key(dir: &Path, name: &str, lines: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, lines).unwrap();
    arg(&path).to_owned()
}

/// Runs the binary with `args` and `env`; it must not panic, and it never prints
/// either test key.
fn run_env(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Run {
    let run = support::run_env(args, env, stdin.as_bytes());
    no_key_in(&run, args);
    run
}

fn run(args: &[&str]) -> Run {
    run_env(args, &[], "")
}

fn no_key_in(run: &Run, args: &[&str]) {
    for key in [KEY_HEX, WRONG_HEX] {
        for half in [&key[..32], &key[32..]] {
            assert!(!run.stdout.contains(half), "{args:?} printed a key");
            assert!(!run.stderr.contains(half), "{args:?} printed a key");
        }
    }
}

/// `otpkit enroll` with `target` args, typing the two codes the printed URI gives
/// at `T`; returns the run and the account (with its secret) the tool showed.
fn enroll(target: &[&str], extra: &[&str]) -> (Run, Option<Account>) {
    let t = T.to_string();
    let mut args = vec![
        "enroll",
        "--issuer",
        "Example",
        "--account",
        "alice@example.com",
        "--time",
        &t,
    ];
    args.extend_from_slice(target);
    args.extend_from_slice(extra);
    let (run, account) = support::enroll_typing(&args, Some(T), &[]);
    no_key_in(&run, &args);
    (run, account)
}

fn code(account: &Account, t: u64) -> String {
    account.totp().unwrap().code_at(t).unwrap().to_string()
}

/// `otpkit verify` of the account's code at `t`, at `t`, on `target` (the device's
/// place and key arguments).
fn verify_at(account: &Account, t: u64, target: &[&str]) -> Run {
    verify_code(&code(account, t), t, target)
}

/// `otpkit verify CODE --time t` on `target`.
fn verify_code(code: &str, t: u64, target: &[&str]) -> Run {
    let t = t.to_string();
    let mut args = vec!["verify", code, "--time", &t];
    args.extend_from_slice(target);
    run(&args)
}

/// The whole life of one device in the store at `url`.
fn store_scenario(url: &str) {
    let dir = tempfile::tempdir().unwrap();
    let keys = write_key(dir.path(), "keys", &format!("# test key\nk1:{KEY_HEX}\n"));
    let wrong = write_key(dir.path(), "wrong", &format!("k1:{WRONG_HEX}\n"));
    let id = unique("alice");
    let target = ["--store", url, "--device", &id, "--seal-key-file", &keys];

    // Without a key nothing is shown or stored.
    let (no_key, shown) = enroll(&["--store", url, "--device", &id], &[]);
    expect(&no_key, 2, "enroll --store without a key");
    assert!(
        shown.is_none(),
        "a secret was shown without a place to keep it"
    );
    assert!(
        no_key.stderr.contains("--seal-key-file"),
        "{}",
        no_key.stderr
    );

    let (enrolled, account) = enroll(&target, &[]);
    expect(&enrolled, 0, "enroll --store");
    assert!(
        enrolled
            .stdout
            .contains(&format!("device {id:?} saved to the store")),
        "{}",
        enrolled.stdout
    );
    let account = account.unwrap();

    // The device exists: a second enrol is refused before a new secret is shown.
    let (again, shown) = enroll(&target, &[]);
    expect(&again, 5, "enroll an existing device");
    assert!(shown.is_none());
    assert!(again.stderr.contains("--force"), "{}", again.stderr);

    let c1 = code(&account, T + 30);
    let ok = verify_code(&c1, T + 30, &target);
    expect(&ok, 0, "verify");
    assert_eq!(ok.stdout, "accepted\n");
    let replay = verify_code(&c1, T + 31, &target);
    expect(&replay, 3, "replay");
    assert!(replay.stderr.contains("already used"), "{}", replay.stderr);
    // A replay counts as a failed attempt, and so does a wrong code: in the store,
    // like in a file.
    assert!(
        replay.stderr.contains("(1 of 5 failed attempts"),
        "{}",
        replay.stderr
    );
    let wrong_code = if c1 == "000000" { "111111" } else { "000000" };
    let bad = verify_code(wrong_code, T + 60, &target);
    expect(&bad, 1, "wrong code");
    assert!(
        bad.stderr.contains("(2 of 5 failed attempts"),
        "{}",
        bad.stderr
    );

    // The wrong key is a typed error; no key names the flag.
    let c2 = code(&account, T + 90);
    let t2 = (T + 90).to_string();
    let wrong_key = verify_code(
        &c2,
        T + 90,
        &["--store", url, "--device", &id, "--seal-key-file", &wrong],
    );
    expect(&wrong_key, 5, "wrong key");
    assert!(
        wrong_key.stderr.contains("does not open with key \"k1\""),
        "{}",
        wrong_key.stderr
    );
    let no_key = verify_code(&c2, T + 90, &["--store", url, "--device", &id]);
    expect(&no_key, 2, "no key");
    assert!(
        no_key.stderr.contains("--seal-key-file"),
        "{}",
        no_key.stderr
    );

    // The key from the environment instead of the flag (file path, or the key itself).
    let by_env = run_env(
        &[
            "verify", &c2, "--time", &t2, "--store", url, "--device", &id,
        ],
        &[("OTPKIT_SEAL_KEY_FILE", &keys)],
        "",
    );
    expect(&by_env, 0, "key file from OTPKIT_SEAL_KEY_FILE");
    let c3 = code(&account, T + 120);
    let inline = format!("k1:{KEY_HEX}");
    let by_env = run_env(
        &[
            "verify",
            "-",
            "--time",
            &(T + 120).to_string(),
            "--store",
            url,
            "--device",
            &id,
        ],
        &[("OTPKIT_SEAL_KEY", &inline)],
        &format!("{c3}\n"),
    );
    expect(&by_env, 0, "key from OTPKIT_SEAL_KEY, code from stdin");

    // Resync with two consecutive codes of a clock 10 steps ahead.
    let (r1, r2) = (code(&account, T + 600), code(&account, T + 630));
    let mut args = vec!["resync", &r1, &r2, "--time"];
    let t3 = (T + 330).to_string();
    args.push(&t3);
    args.extend_from_slice(&target);
    let resynced = run(&args);
    expect(&resynced, 0, "resync");
    assert!(
        resynced.stdout.starts_with("resynchronised"),
        "{}",
        resynced.stdout
    );

    // inspect reads the state without the key (the sealed secret is not opened).
    let inspect = run(&[
        "inspect", "--store", url, "--device", &id, "--time", &t3, "--json",
    ]);
    expect(&inspect, 0, "inspect --store");
    let value: serde_json::Value = serde_json::from_str(&inspect.stdout).unwrap();
    assert_eq!(value["device"], serde_json::json!(id));
    assert_eq!(value["algorithm"], "SHA1");
    assert_eq!(value["period"], 30);
    assert_eq!(value["secret_bits"], serde_json::Value::Null);
    // The resync's second code (T + 630) is the last one used, and a drift was learned.
    assert_eq!(value["last_step"], (T + 630) / 30, "{value}");
    assert!(value["drift"].as_i64().unwrap() > 0, "{value}");
    assert_eq!(
        value["failures"], 0,
        "the resync cleared the failures: {value}"
    );
    let text = run(&["inspect", "--store", url, "--device", &id, "--time", &t3]);
    expect(&text, 0, "inspect --store");
    assert!(
        text.stdout.contains("(sealed in the store; not opened)"),
        "{}",
        text.stdout
    );
    let missing = run(&["inspect", "--store", url, "--device", "nobody-at-all-here"]);
    expect(&missing, 5, "inspect an unknown device");

    // An unknown device, a device without --store, both targets at once.
    let other = unique("nobody");
    for (target, exit, says) in [
        (
            &["--store", url, "--device", &other, "--seal-key-file", &keys][..],
            5,
            "no device",
        ),
        (&["--store", url, "--seal-key-file", &keys], 2, "--device"),
        (
            &["--store", url, "--state", "x", "--device", &id],
            2,
            "--state",
        ),
    ] {
        let r = verify_code(&c1, T + 30, target);
        expect(&r, exit, &format!("{target:?}"));
        assert!(r.stderr.contains(says), "{target:?}: {}", r.stderr);
    }

    // --force replaces the device: the old phone's codes no longer work.
    let (forced, new_account) = enroll(&target, &["--force"]);
    expect(&forced, 0, "enroll --force");
    let new_account = new_account.unwrap();
    assert_ne!(new_account.secret, account.secret);
    let old_phone = verify_at(&account, T + 60, &target);
    let new_phone = verify_at(&new_account, T + 60, &target);
    expect(&new_phone, 0, "the new phone after --force");
    assert_ne!(old_phone.code, 0, "the replaced phone still signs in");
}

#[test]
fn sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", arg(&dir.path().join("mfa.sqlite")));
    store_scenario(&url);
}

#[cfg(feature = "postgres")]
#[test]
fn postgres_store() {
    if let Some(url) = server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") {
        store_scenario(&url);
    }
}

#[cfg(feature = "redis")]
#[test]
fn redis_store() {
    if let Some(url) = server_url("OTPKIT_TEST_REDIS_URL", "Redis") {
        store_scenario(&url);
    }
}

/// OTPKIT_STORE stands for --store (a URL's password stays out of `ps`), and
/// --help names the variable without showing its value.
#[test]
fn the_store_url_from_otpkit_store() {
    let dir = tempfile::tempdir().unwrap();
    let keys = write_key(dir.path(), "keys", &format!("k1:{KEY_HEX}\n"));
    let url = format!("sqlite:{}", arg(&dir.path().join("mfa.sqlite")));
    let id = unique("alice");
    let (enrolled, account) = enroll(
        &["--store", &url, "--device", &id, "--seal-key-file", &keys],
        &[],
    );
    expect(&enrolled, 0, "enroll --store");
    let account = account.unwrap();
    let env = [("OTPKIT_STORE", url.as_str())];

    let t = (T + 30).to_string();
    let ok = run_env(
        &[
            "verify",
            "--device",
            &id,
            "--seal-key-file",
            &keys,
            "--time",
            &t,
            &code(&account, T + 30),
        ],
        &env,
        "",
    );
    expect(&ok, 0, "verify with OTPKIT_STORE");
    let shown = run_env(&["inspect", "--device", &id, "--json"], &env, "");
    expect(&shown, 0, "inspect with OTPKIT_STORE");
    assert!(shown.stdout.contains(&id), "{}", shown.stdout);
    // Without it (and without --store or --state) there is no device to check.
    let none = run_env(&["verify", "--device", &id, "123456"], &[], "");
    expect(&none, 2, "verify without a store");

    let secret_url = [("OTPKIT_STORE", "postgres://otpkit:hunter2@db.example/mfa")];
    for command in ["enroll", "verify", "resync", "inspect"] {
        let help = run_env(&[command, "--help"], &secret_url, "");
        expect(&help, 0, "--help");
        assert!(
            help.stdout.contains("[env: OTPKIT_STORE]"),
            "{command}: {}",
            help.stdout
        );
        assert!(
            !help.stdout.contains("hunter2"),
            "{command}: {}",
            help.stdout
        );
    }
}

/// A key file readable by group or others gets a one-line warning naming the path
/// (never a key) and still works; a 0600 one gets none.
#[cfg(unix)]
#[test]
fn a_key_file_readable_by_others_is_warned_about() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let keys = write_key(dir.path(), "keys", &format!("k1:{KEY_HEX}\n"));
    let url = format!("sqlite:{}", arg(&dir.path().join("mfa.sqlite")));
    for (mode, warned) in [(0o600, false), (0o640, true), (0o604, true)] {
        // verify reads the key before it finds that the device is missing.
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(mode)).unwrap();
        let r = run(&[
            "verify",
            "--store",
            &url,
            "--device",
            "nobody",
            "--seal-key-file",
            &keys,
            "123456",
        ]);
        let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
        if warned {
            assert_eq!(lines.len(), 1, "mode {mode:o}: {}", r.stderr);
            assert!(lines[0].contains(&keys), "{}", lines[0]);
            assert!(lines[0].contains(&format!("{mode:04o}")), "{}", lines[0]);
        } else {
            assert!(lines.is_empty(), "mode {mode:o}: {}", r.stderr);
        }
        expect(&r, 5, "verify of a missing device");
    }
}

/// Without the feature, a postgres:// or redis:// store is a clear usage error (2); a
/// server that cannot be reached is exit 5. Either way the URL's password is not
/// repeated.
#[test]
fn a_store_this_build_lacks_or_an_unknown_scheme_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let keys = write_key(dir.path(), "keys", &format!("k1:{KEY_HEX}\n"));
    // (URL, exit, what the message says, the password it must not repeat)
    let mut urls = vec![("mysql://db/x", 2, "must be sqlite:PATH", "pw")];
    // Each server: reached when this build has it, else refused by name.
    for (enabled, unreachable, lacking, says) in [
        (
            cfg!(feature = "postgres"),
            "postgres://u:sekritpw@127.0.0.1:1/x",
            "postgres://u:pw@db/x",
            "without PostgreSQL support",
        ),
        (
            cfg!(feature = "redis"),
            "redis://:sekritpw@127.0.0.1:1/",
            "redis://:pw@cache/",
            "without Redis support",
        ),
    ] {
        urls.push(if enabled {
            (unreachable, 5, "unavailable", "sekritpw")
        } else {
            (lacking, 2, says, "pw")
        });
    }
    for (url, exit, says, password) in urls {
        let r = verify_code(
            "123456",
            T,
            &["--store", url, "--device", "a", "--seal-key-file", &keys],
        );
        expect(&r, exit, url);
        assert!(r.stderr.contains(says), "{}", r.stderr);
        assert!(
            !r.stderr.contains(password),
            "the password was repeated: {}",
            r.stderr
        );
    }
}

#[test]
fn sealed_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let keys = write_key(dir.path(), "keys", &format!("k1:{KEY_HEX}\n"));
    let wrong = write_key(dir.path(), "wrong", &format!("k1:{WRONG_HEX}\n"));
    let state = dir.path().join("alice.otpkit");
    let state = arg(&state);
    let (enrolled, account) = enroll(&["--state", state, "--seal-key-file", &keys], &[]);
    expect(&enrolled, 0, "enroll --seal-key-file");
    assert!(
        enrolled.stdout.contains("(secret sealed)"),
        "{}",
        enrolled.stdout
    );
    let account = account.unwrap();
    let text = std::fs::read_to_string(state).unwrap();
    assert!(text.contains("format=otpkit-device/2\n"), "{text}");
    assert!(text.contains("sealed-secret=otps1.k1."), "{text}");
    assert!(!text.contains("\nsecret="), "{text}");
    assert!(
        !text.contains(&account.secret.base32().to_string()),
        "the secret is in the clear"
    );
    support::assert_private(Path::new(state));

    let c1 = code(&account, T + 30);
    for (target, says) in [
        (
            &["--state", state][..],
            "sealed: give its key with --seal-key-file",
        ),
        (
            &["--state", state, "--seal-key-file", &wrong],
            "does not open",
        ),
    ] {
        let refused = verify_code(&c1, T + 30, target);
        expect(&refused, 5, &format!("sealed file, {target:?}"));
        assert!(refused.stderr.contains(says), "{}", refused.stderr);
    }
    // Neither failed attempt changed the file.
    assert_eq!(std::fs::read_to_string(state).unwrap(), text);

    let with_key = ["--state", state, "--seal-key-file", &keys];
    expect(
        &verify_code(&c1, T + 30, &with_key),
        0,
        "sealed file with its key",
    );
    expect(
        &verify_code(&c1, T + 31, &with_key),
        3,
        "replay on a sealed file",
    );
    let t2 = (T + 31).to_string();
    // Still sealed with the same sealed text after the save (not re-sealed each time).
    let after = std::fs::read_to_string(state).unwrap();
    let sealed_line = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("sealed-secret="))
            .unwrap()
            .to_owned()
    };
    assert_eq!(sealed_line(&after), sealed_line(&text));

    let inspect = run(&["inspect", "--state", state, "--time", &t2, "--json"]);
    expect(&inspect, 5, "inspect a sealed file without the key");
    let mut args = vec!["inspect", "--state", state, "--json", "--seal-key-file"];
    args.push(&keys);
    let inspect = run(&args);
    expect(&inspect, 0, "inspect with the key");
    assert!(
        inspect.stdout.contains("\"secret_bits\":160"),
        "{}",
        inspect.stdout
    );

    // Rotation: a new key first, the old one below; the next save re-seals.
    let rotated = write_key(
        dir.path(),
        "rotated",
        &format!("k2:{WRONG_HEX}\nk1:{KEY_HEX}\n"),
    );
    let r = verify_at(
        &account,
        T + 60,
        &["--state", state, "--seal-key-file", &rotated],
    );
    expect(&r, 0, "verify with a rotated key file");
    let rotated_text = std::fs::read_to_string(state).unwrap();
    assert!(
        rotated_text.contains("sealed-secret=otps1.k2."),
        "{rotated_text}"
    );
    let old_only = verify_at(&account, T + 90, &with_key);
    expect(&old_only, 5, "the retired key after re-sealing");
    assert!(
        old_only.stderr.contains("not in the keyring"),
        "{}",
        old_only.stderr
    );
}

/// Files written before sealing existed keep working, with or without a key.
#[test]
fn an_unsealed_file_still_works_with_or_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let keys = write_key(dir.path(), "keys", &format!("k1:{KEY_HEX}\n"));
    let state = dir.path().join("plain.otpkit");
    let (enrolled, account) = enroll(&["--state", arg(&state)], &[]);
    expect(&enrolled, 0, "enroll without a key");
    let account = account.unwrap();
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("format=otpkit-device/1\n"), "{text}");
    let plain = ["--state", arg(&state), "--seal-key-file", &keys];
    for (t, target) in [(T + 30, &plain[..]), (T + 60, &plain[..2])] {
        let r = verify_at(&account, t, target);
        expect(&r, 0, &format!("plain file, {target:?}"));
    }
}

#[test]
fn a_bad_key_file_names_the_line_never_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s");
    let short = &KEY_HEX[..60];
    let bad = write_key(dir.path(), "bad", &format!("# ok\nk1:{short}\n"));
    let missing = dir.path().join("missing");
    for (file, says) in [
        (bad.as_str(), "line 2"),
        (arg(&missing), "cannot read the sealing key file"),
    ] {
        let r = verify_code(
            "123456",
            T,
            &["--state", arg(&state), "--seal-key-file", file],
        );
        expect(&r, 2, file);
        assert!(r.stderr.contains(says), "{}", r.stderr);
        assert!(!r.stderr.contains(&short[..20]), "{}", r.stderr);
    }
}

/// `enroll --store` without `--device` names the device after the account; a sealed
/// state file resyncs like a plain one.
#[test]
fn the_account_names_the_device_and_a_sealed_file_resyncs() {
    let dir = tempfile::tempdir().unwrap();
    let keys = write_key(dir.path(), "keys", &format!("k1:{KEY_HEX}\n"));
    let url = format!("sqlite:{}", arg(&dir.path().join("mfa.sqlite")));
    let (enrolled, account) = enroll(&["--store", &url, "--seal-key-file", &keys], &[]);
    expect(&enrolled, 0, "enroll --store without --device");
    assert!(
        enrolled
            .stdout
            .contains("device \"alice@example.com\" saved"),
        "{}",
        enrolled.stdout
    );
    let account = account.unwrap();
    let by_name = [
        "--store",
        &url,
        "--device",
        "alice@example.com",
        "--seal-key-file",
        &keys,
    ];
    expect(
        &verify_at(&account, T + 30, &by_name),
        0,
        "verify by account name",
    );

    let state = dir.path().join("sealed.otpkit");
    let (enrolled, account) = enroll(&["--state", arg(&state), "--seal-key-file", &keys], &[]);
    expect(&enrolled, 0, "enroll a sealed file");
    let account = account.unwrap();
    let (r1, r2) = (code(&account, T + 600), code(&account, T + 630));
    let t = (T + 330).to_string();
    let r = run(&[
        "resync",
        &r1,
        &r2,
        "--time",
        &t,
        "--state",
        arg(&state),
        "--seal-key-file",
        &keys,
    ]);
    expect(&r, 0, "resync a sealed file");
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("format=otpkit-device/2\n"), "{text}");
    let r = run(&["resync", &r1, &r2, "--time", &t, "--state", arg(&state)]);
    expect(&r, 5, "resync a sealed file without the key");
}
