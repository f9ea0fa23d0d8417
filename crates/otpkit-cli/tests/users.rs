//! `--store URL --user USER`: a user's named devices through the built binary, on
//! SQLite: `enroll --user --device-name`, `devices` (list, `--json`, `rename`,
//! `remove`), `verify --user [--device-name]`, `resync --user --device-name`, the
//! user-level lock-out, and the usage errors of the new flags.

mod support;

use otpkit::otpauth::Account;
use support::{DEVICE_KEYS, Run, T, arg, expect};

/// The sealing key the tests use, as written in the key file.
const KEY_HEX: &str = "6b6579206f6620746865206f74706b697420636c692073746f72652074657374";

/// A store and its key file in a temporary directory.
struct Store {
    _dir: tempfile::TempDir,
    url: String,
    keys: String,
}

impl Store {
    /// A new SQLite store.
    fn new() -> Store {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", arg(&dir.path().join("mfa.sqlite")));
        Store::in_dir(dir, url)
    }

    /// The store at `url` (a server's).
    #[cfg(any(feature = "postgres", feature = "redis"))]
    fn at(url: String) -> Store {
        Store::in_dir(tempfile::tempdir().unwrap(), url)
    }

    fn in_dir(dir: tempfile::TempDir, url: String) -> Store {
        let keys = dir.path().join("keys");
        std::fs::write(&keys, format!("k1:{KEY_HEX}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        Store {
            keys: arg(&keys).to_owned(),
            url,
            _dir: dir,
        }
    }

    /// `--store URL --user USER --seal-key-file KEYS`.
    fn user<'a>(&'a self, user: &'a str) -> Vec<&'a str> {
        vec![
            "--store",
            &self.url,
            "--user",
            user,
            "--seal-key-file",
            &self.keys,
        ]
    }

    /// Runs `args` followed by the user's target arguments.
    fn run(&self, args: &[&str], user: &str) -> Run {
        let mut all = args.to_vec();
        all.extend(self.user(user));
        let run = support::run(&all);
        no_key_in(&run);
        run
    }

    /// `enroll --user USER --device-name NAME` typing the two codes at `T`.
    fn enroll(&self, user: &str, name: &str, extra: &[&str]) -> (Run, Option<Account>) {
        let t = T.to_string();
        let mut args = vec![
            "enroll",
            "--issuer",
            "Example",
            "--account",
            "alice@example.com",
            "--time",
            &t,
            "--device-name",
            name,
        ];
        args.extend(self.user(user));
        args.extend_from_slice(extra);
        let (run, account) = support::enroll_typing(&args, Some(T), &[]);
        no_key_in(&run);
        (run, account)
    }

    /// `verify --user USER CODE --time t`, plus `extra`.
    fn verify(&self, user: &str, code: &str, t: u64, extra: &[&str]) -> Run {
        let t = t.to_string();
        let mut args = vec!["verify", code, "--time", &t];
        args.extend_from_slice(extra);
        self.run(&args, user)
    }

    /// `devices --json` as parsed objects.
    fn devices_json(&self, user: &str) -> Vec<serde_json::Value> {
        let run = self.run(&["devices", "--json"], user);
        expect(&run, 0, "devices --json");
        run.json()
    }
}

fn no_key_in(run: &Run) {
    for half in [&KEY_HEX[..32], &KEY_HEX[32..]] {
        assert!(!run.stdout.contains(half), "a key was printed");
        assert!(!run.stderr.contains(half), "a key was printed");
    }
}

fn code(account: &Account, t: u64) -> String {
    account.totp().unwrap().code_at(t).unwrap().to_string()
}

fn names(devices: &[serde_json::Value]) -> Vec<&str> {
    devices
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect()
}

/// Two named devices of one user: each enrolled with its own secret, listed, each
/// signs in (with no device named, the tool says which one matched), a named
/// device refuses the other's code, rename and remove change which device a code
/// is of.
fn two_named_devices_scenario(store: &Store) {
    let alice = &unique("alice");
    let bob = &unique("bob");
    let (enrolled, phone) = store.enroll(alice, "phone", &[]);
    expect(&enrolled, 0, "enroll phone");
    assert!(
        enrolled.stdout.contains(&format!(
            "device \"phone\" of user {alice:?} saved to the store"
        )),
        "{}",
        enrolled.stdout
    );
    let (enrolled, laptop) = store.enroll(alice, "laptop", &[]);
    expect(&enrolled, 0, "enroll laptop");
    let (phone, laptop) = (phone.unwrap(), laptop.unwrap());
    assert_ne!(phone.secret, laptop.secret);

    let devices = store.devices_json(alice);
    assert_eq!(names(&devices), ["phone", "laptop"]);
    for device in &devices {
        let mut keys: Vec<&str> = device
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, DEVICE_KEYS);
        assert_eq!(device["type"], "totp");
        assert_eq!(device["algorithm"], "SHA1");
        assert_eq!(device["digits"], 6);
        assert_eq!(device["period"], 30);
        assert_eq!(device["enrolled"], true);
        assert_eq!(device["failures"], 0);
        assert_eq!(device["added_at"], T);
    }
    let text = store.run(&["devices"], alice);
    expect(&text, 0, "devices");
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", text.stdout);
    assert!(lines[0].starts_with("phone "), "{}", lines[0]);
    assert!(lines[1].starts_with("laptop "), "{}", lines[1]);
    for line in lines {
        for says in [
            "TOTP SHA1, 6 digits, 30 s",
            "enrolled",
            "0 failures",
            &format!("(Unix time {T})"),
        ] {
            assert!(line.contains(says), "{line}");
        }
    }

    // Any device: the tool names the one whose code it was.
    let ok = store.verify(alice, &code(&phone, T + 30), T + 30, &[]);
    expect(&ok, 0, "phone's code");
    assert_eq!(ok.stdout, "accepted (device \"phone\")\n");
    let ok = store.verify(alice, &code(&laptop, T + 30), T + 30, &[]);
    expect(&ok, 0, "laptop's code");
    assert_eq!(ok.stdout, "accepted (device \"laptop\")\n");
    let replay = store.verify(alice, &code(&phone, T + 30), T + 31, &[]);
    expect(&replay, 3, "phone's code again");
    assert!(
        replay
            .stderr
            .contains("already used (device \"phone\"); wait for the next one"),
        "{}",
        replay.stderr
    );
    assert!(
        replay.stderr.contains("(1 of 5 failed attempts"),
        "{}",
        replay.stderr
    );

    // A named device: its own code only.
    let named = ["--device-name", "laptop"];
    let wrong = store.verify(alice, &code(&phone, T + 60), T + 60, &named);
    expect(&wrong, 1, "phone's code for the laptop");
    assert!(
        wrong
            .stderr
            .contains("the code is not valid (device \"laptop\") (2 of 5 failed attempts"),
        "{}",
        wrong.stderr
    );
    // The refused code counted on the laptop itself too; the list shows it.
    let devices = store.devices_json(alice);
    assert_eq!(
        (&devices[0]["failures"], &devices[1]["failures"]),
        (&0.into(), &1.into())
    );
    let ok = store.verify(alice, &code(&laptop, T + 60), T + 60, &named);
    expect(&ok, 0, "laptop's code for the laptop");
    assert_eq!(ok.stdout, "accepted (device \"laptop\")\n");

    let renamed = store.run(
        &["devices", "rename", "--device-name", "phone", "old phone"],
        alice,
    );
    expect(&renamed, 0, "devices rename");
    assert_eq!(
        renamed.stdout,
        format!("renamed device \"phone\" of user {alice:?} to \"old phone\"\n")
    );
    assert_eq!(names(&store.devices_json(alice)), ["old phone", "laptop"]);
    let ok = store.verify(alice, &code(&phone, T + 90), T + 90, &[]);
    assert_eq!(ok.stdout, "accepted (device \"old phone\")\n");
    let gone = store.verify(
        alice,
        &code(&phone, T + 120),
        T + 120,
        &["--device-name", "phone"],
    );
    expect(&gone, 5, "the old name");
    assert!(
        gone.stderr
            .contains(&format!("user {alice:?} has no device named \"phone\"")),
        "{}",
        gone.stderr
    );
    let taken = store.run(
        &["devices", "rename", "--device-name", "laptop", "old phone"],
        alice,
    );
    expect(&taken, 5, "rename onto a taken name");
    assert!(taken.stderr.contains("already"), "{}", taken.stderr);

    let removed = store.run(&["devices", "remove", "--device-name", "old phone"], alice);
    expect(&removed, 0, "devices remove");
    assert_eq!(
        removed.stdout,
        format!("removed device \"old phone\" of user {alice:?}\n")
    );
    assert_eq!(names(&store.devices_json(alice)), ["laptop"]);
    let refused = store.verify(alice, &code(&phone, T + 150), T + 150, &[]);
    expect(&refused, 1, "the removed phone");
    let ok = store.verify(alice, &code(&laptop, T + 150), T + 150, &[]);
    expect(&ok, 0, "the laptop still signs in");
    let again = store.run(&["devices", "remove", "--device-name", "old phone"], alice);
    expect(&again, 5, "remove a removed device");
    assert!(
        again.stderr.contains("has no device named \"old phone\""),
        "{}",
        again.stderr
    );
    // Another user shares nothing.
    let none = store.run(&["devices"], bob);
    expect(&none, 0, "devices of a user without any");
    assert!(none.stdout.contains("has no devices"), "{}", none.stdout);
    assert_eq!(store.devices_json(bob), Vec::<serde_json::Value>::new());
    let nobody = store.verify(bob, "123456", T + 150, &[]);
    expect(&nobody, 5, "a user without devices");
}

#[test]
fn two_named_devices_sign_in_list_rename_and_remove() {
    two_named_devices_scenario(&Store::new());
}

#[cfg(feature = "postgres")]
#[test]
fn two_named_devices_on_postgres() {
    if let Some(url) = server_url("OTPKIT_TEST_POSTGRES_URL", "PostgreSQL") {
        two_named_devices_scenario(&Store::at(url));
    }
}

#[cfg(feature = "redis")]
#[test]
fn two_named_devices_on_redis() {
    if let Some(url) = server_url("OTPKIT_TEST_REDIS_URL", "Redis") {
        two_named_devices_scenario(&Store::at(url));
    }
}

#[cfg(any(feature = "postgres", feature = "redis"))]
/// The URL in `var`, or `None` after printing why the test is skipped; with `CI`
/// set a missing URL is a failure (CI runs these against real servers).
fn server_url(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{var} is not set but CI is: the CLI's {what} user tests must run")
        }
        _ => {
            eprintln!("SKIP: {var} is not set, the CLI's {what} user tests did not run");
            None
        }
    }
}

/// A user name no other run uses (the servers may be long-lived).
fn unique(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

/// Wrong codes count on the user whatever the device: the fifth locks the user
/// (exit 4), and the right code of another device is then refused too.
#[test]
fn failures_on_any_device_lock_the_user() {
    let store = Store::new();
    let (_, phone) = store.enroll("carol", "phone", &[]);
    let (_, key) = store.enroll("carol", "key", &[]);
    let (phone, key) = (phone.unwrap(), key.unwrap());
    let t = T + 30;
    let good = [code(&phone, t), code(&key, t)];
    let wrong = ["000000", "111111", "222222"]
        .into_iter()
        .find(|w| !good.iter().any(|g| g == w))
        .unwrap();
    for (n, name) in ["phone", "key", "phone", "key"].into_iter().enumerate() {
        let r = store.verify("carol", wrong, t, &["--device-name", name]);
        expect(&r, 1, "a wrong code");
        assert!(
            r.stderr
                .contains(&format!("({} of 5 failed attempts", n + 1)),
            "{}",
            r.stderr
        );
    }
    let locking = store.verify("carol", wrong, t, &[]);
    expect(&locking, 1, "the fifth wrong code");
    assert!(
        locking
            .stderr
            .contains("user \"carol\" is locked for now; try again after"),
        "{}",
        locking.stderr
    );
    let locked = store.verify("carol", &good[1], t, &[]);
    expect(&locked, 4, "the key's right code while the user is locked");
    assert!(
        locked.stderr.contains("user \"carol\" is locked"),
        "{}",
        locked.stderr
    );
}

/// `resync --user --device-name` re-learns one device's drift.
#[test]
fn resync_a_named_device() {
    let store = Store::new();
    let (_, phone) = store.enroll("dave", "phone", &[]);
    let phone = phone.unwrap();
    let (r1, r2) = (code(&phone, T + 600), code(&phone, T + 630));
    let t = (T + 330).to_string();
    let resync = ["resync", &r1, &r2, "--time", &t];
    let r = store.run(&[&resync[..], &["--device-name", "phone"]].concat(), "dave");
    expect(&r, 0, "resync --user");
    assert!(
        r.stdout
            .starts_with("resynchronised device \"phone\" (its clock is"),
        "{}",
        r.stdout
    );
    let again = store.run(&[&resync[..], &["--device-name", "phone"]].concat(), "dave");
    assert_ne!(again.code, 0, "the same pair twice");
    assert!(
        again
            .stderr
            .contains("resynchronisation of device \"phone\" failed"),
        "{}",
        again.stderr
    );
    let unknown = store.run(
        &[&resync[..], &["--device-name", "tablet"]].concat(),
        "dave",
    );
    expect(&unknown, 5, "resync of an unknown device");
    let unnamed = store.run(&resync, "dave");
    expect(&unnamed, 2, "resync --user without --device-name");
    assert!(
        unnamed.stderr.contains("--device-name"),
        "{}",
        unnamed.stderr
    );
}

/// A device whose enrolment was not finished stays pending; `enroll` of the same
/// name shows the same secret again and finishes it. An enrolled name is refused
/// before a secret is shown, and `--force` replaces it with a new secret.
#[test]
fn a_pending_device_is_finished_later_and_force_replaces_an_enrolled_one() {
    let store = Store::new();
    let t = T.to_string();
    let mut args = vec![
        "enroll",
        "--issuer",
        "Example",
        "--account",
        "erin",
        "--time",
        &t,
        "--device-name",
        "phone",
    ];
    args.extend(store.user("erin"));
    // No codes typed: stdin ends.
    let stopped = support::run(&args);
    expect(&stopped, 2, "enroll with no codes");
    assert!(
        stopped.stderr.contains("stays pending"),
        "{}",
        stopped.stderr
    );
    let first_uri = stopped
        .stdout
        .lines()
        .find(|l| l.starts_with("otpauth://"))
        .unwrap();
    let first = Account::parse(first_uri).unwrap().account;
    let devices = store.devices_json("erin");
    assert_eq!(devices[0]["enrolled"], false);
    let listed = store.run(&["devices"], "erin");
    assert!(listed.stdout.contains("pending"), "{}", listed.stdout);
    let pending = store.verify("erin", "123456", T + 30, &["--device-name", "phone"]);
    expect(&pending, 5, "sign-in with a pending device");
    assert!(
        pending.stderr.contains("has not finished enrolling"),
        "{}",
        pending.stderr
    );

    let (finished, account) = store.enroll("erin", "phone", &[]);
    expect(&finished, 0, "enroll the pending device");
    assert!(
        finished.stderr.contains("still enrolling"),
        "{}",
        finished.stderr
    );
    let account = account.unwrap();
    assert_eq!(
        account.secret, first.secret,
        "a new secret was shown for the pending device"
    );
    assert_eq!(store.devices_json("erin")[0]["enrolled"], true);

    let (again, shown) = store.enroll("erin", "phone", &[]);
    expect(&again, 5, "enroll an enrolled name");
    assert!(shown.is_none(), "a secret was shown for an enrolled name");
    assert!(again.stderr.contains("--force"), "{}", again.stderr);

    let (forced, new_account) = store.enroll("erin", "phone", &["--force"]);
    expect(&forced, 0, "enroll --force");
    let new_account = new_account.unwrap();
    assert_ne!(new_account.secret, account.secret);
    let old = store.verify("erin", &code(&account, T + 30), T + 30, &[]);
    expect(&old, 1, "the replaced secret");
    let new = store.verify("erin", &code(&new_account, T + 60), T + 60, &[]);
    expect(&new, 0, "the new secret");
}

/// The new flags' usage errors name the flags, and the help texts show them.
#[test]
fn user_flags_usage_errors_and_help() {
    let store = Store::new();
    let code = "123456";
    let cases: [(&[&str], &str); 6] = [
        (
            &[
                "verify", code, "--store", &store.url, "--user", "a", "--device", "x",
            ],
            "--user <USER> cannot be used with --device <ID>",
        ),
        (
            &["verify", code, "--store", &store.url, "--device-name", "p"],
            "missing required argument --user <USER>",
        ),
        (
            &["verify", code, "--user", "a"],
            "missing required argument --store <URL>",
        ),
        (
            &["devices", "--user", "a"],
            "missing required argument --store <URL>",
        ),
        (
            &["devices", "--store", &store.url],
            "missing required argument --user <USER>",
        ),
        (
            &["devices", "remove", "--store", &store.url, "--user", "a"],
            "missing required argument --device-name <NAME>",
        ),
    ];
    for (args, says) in cases {
        let r = support::run(args);
        expect(&r, 2, &format!("{args:?}"));
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    let (r, shown) = support::enroll_typing(
        &[
            "enroll",
            "--issuer",
            "Example",
            "--account",
            "a",
            "--store",
            &store.url,
            "--user",
            "a",
            "--seal-key-file",
            &store.keys,
        ],
        Some(T),
        &[],
    );
    expect(&r, 2, "enroll --user without --device-name");
    assert!(shown.is_none());
    assert!(
        r.stderr.contains("needs --device-name NAME"),
        "{}",
        r.stderr
    );
    let bad_name = "x".repeat(65);
    let (r, shown) = store.enroll("a", &bad_name, &[]);
    expect(&r, 2, "a device name too long");
    assert!(shown.is_none());
    assert!(
        r.stderr
            .contains("--device-name: a device name must be 1 to 64"),
        "{}",
        r.stderr
    );

    for command in ["enroll", "verify", "resync"] {
        let help = support::run(&[command, "--help"]);
        expect(&help, 0, "--help");
        for flag in ["--user <USER>", "--device-name <NAME>"] {
            assert!(
                help.stdout.contains(flag),
                "{command} --help: {}",
                help.stdout
            );
        }
    }
    let help = support::run(&["devices", "--help"]);
    expect(&help, 0, "devices --help");
    for says in [
        "--store <URL>",
        "--user <USER>",
        "--json",
        "rename",
        "remove",
    ] {
        assert!(help.stdout.contains(says), "{}", help.stdout);
    }
    let top = support::run(&["--help"]);
    assert!(top.stdout.contains("devices"), "{}", top.stdout);
    assert!(top.stdout.contains("--user USER"), "{}", top.stdout);
}

/// A user has at most 8 devices: the ninth is refused before a secret is shown,
/// naming the command that removes one.
#[test]
fn a_ninth_device_is_refused_before_its_secret_is_shown() {
    let store = Store::new();
    let t = T.to_string();
    for n in 1..=9 {
        let name = format!("key {n}");
        let mut args = vec![
            "enroll",
            "--issuer",
            "Example",
            "--account",
            "frank",
            "--time",
            &t,
            "--device-name",
            &name,
        ];
        args.extend(store.user("frank"));
        // No codes: each device stays pending, which is enough to count.
        let r = support::run(&args);
        if n <= 8 {
            expect(&r, 2, &name);
            assert!(r.stdout.contains("otpauth://"), "{}", r.stdout);
        } else {
            expect(&r, 5, "the ninth device");
            assert!(!r.stdout.contains("otpauth://"), "{}", r.stdout);
            assert!(
                r.stderr.contains("has 8 devices, the most allowed")
                    && r.stderr.contains("otpkit devices remove"),
                "{}",
                r.stderr
            );
        }
    }
    assert_eq!(store.devices_json("frank").len(), 8);
}
