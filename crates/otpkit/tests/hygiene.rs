//! Secret hygiene: no `Debug`, `Display` or error message of any public type carries
//! secret material, and secrets are wiped when dropped.
//!
//! "Secret material" is searched for in every form it could leak in: the raw bytes
//! (the key below is printable ASCII, so a leak of them as text shows), their `Debug`
//! list of numbers, lowercase and uppercase hex, and Base32 (canonical, lowercase,
//! grouped), including any 10-symbol run of the Base32 (a partial leak).
//!
//! The wipe-on-drop tests observe freed heap memory through a global allocator that
//! scans every block freed on the probing thread (`support/freed_memory.rs`, which
//! says why that is sound).

use std::error::Error;
use std::fmt::{Debug, Display};

use otpkit::verify::VerifyError;
use otpkit::{
    Algorithm, Code, CodeError, Digits, Hotp, LengthPolicy, Period, Secret, SecretError, TimeError,
    Totp, Window,
};

/// A 32-byte key, printable so that a leak of the raw bytes as text is visible.
const KEY: &[u8; 32] = b"HyGiEnE-sEcReT-kEy:0123456789!?_";

fn secret() -> Secret {
    Secret::from_bytes(KEY).unwrap()
}

/// Every form of `secret` that must never appear in a message.
fn needles(secret: &Secret) -> Vec<String> {
    let bytes = secret.as_bytes();
    let base32 = secret.base32().to_string();
    let mut list = vec![
        String::from_utf8_lossy(&bytes[..8]).into_owned(),
        String::from_utf8_lossy(&bytes[bytes.len() - 8..]).into_owned(),
        format!("{:?}", &bytes[..4])
            .trim_end_matches(']')
            .to_owned(),
        bytes[..6].iter().map(|b| format!("{b:02x}")).collect(),
        bytes[..6].iter().map(|b| format!("{b:02X}")).collect(),
        base32.to_lowercase()[..10].to_owned(),
        secret.base32_grouped().to_string()[..14].to_owned(),
    ];
    for start in 0..=base32.len() - 10 {
        list.push(base32[start..start + 10].to_owned());
    }
    list
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for needle in needles(&secret()) {
        assert!(
            !text.contains(&needle),
            "{what} shows secret material {needle:?}: {text}"
        );
    }
}

/// `Debug` (plain and pretty) of anything.
#[track_caller]
fn check_debug<T: Debug>(what: &str, value: &T) {
    assert_clean(what, &format!("{value:?} {value:#?}"));
}

/// `Debug`, `Display` and the whole `source()` chain of an error.
#[track_caller]
fn check_error<E: Error>(what: &str, error: &E) {
    let mut text = format!("{error} {error:?} {error:#?}");
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(&format!(" {inner} {inner:?}"));
        source = inner.source();
    }
    assert_clean(what, &text);
}

#[track_caller]
fn check_display_debug<T: Display + Debug>(what: &str, value: &T) {
    assert_clean(what, &format!("{value} {value:?} {value:#?}"));
}

#[test]
fn the_needles_find_a_real_leak() {
    // Guards the guard: each form of the secret is caught when it does appear.
    let s = secret();
    let base32 = s.base32().to_string();
    for leak in [
        base32.clone(),
        base32.to_lowercase(),
        s.base32_grouped().to_string(),
        format!("{:?}", s.as_bytes()),
        String::from_utf8_lossy(s.as_bytes()).into_owned(),
        format!("key={}", &base32[7..19]),
    ] {
        let caught = std::panic::catch_unwind(|| assert_clean("a deliberate leak", &leak));
        assert!(caught.is_err(), "not caught: {leak}");
    }
}

#[test]
fn core_types_never_show_the_secret() {
    let s = secret();
    let base32 = s.base32().to_string();
    check_debug("Secret", &s);
    check_debug("Base32", &s.base32());
    check_debug("Base32 grouped", &s.base32_grouped());
    let short = Secret::from_bytes_with(&KEY[..10], LengthPolicy::AllowShort).unwrap();
    check_debug("short Secret", &short);

    let hotp = Hotp::new(&s, Algorithm::Sha256, Digits::EIGHT);
    check_debug("Hotp", &hotp);
    let totp = Totp::new(&s, Algorithm::Sha512, Digits::SIX, Period::DEFAULT).with_t0(7);
    check_debug("Totp", &totp);
    let code = totp.code_at(1_700_000_000).unwrap();
    check_debug("Code", &code);
    let m = totp
        .verify(&code.to_string(), 1_700_000_000, Window::default())
        .unwrap();
    check_debug("Match", &m);
    check_debug("Window", &Window::default());
    check_display_debug("Algorithm", &Algorithm::Sha1);
    check_display_debug("Digits", &Digits::SIX);
    check_debug("Period", &Period::DEFAULT);

    // Every SecretError, each from an input that contains the secret's Base32.
    let errors = [
        Secret::from_base32(&format!("{base32}1")).unwrap_err(),
        Secret::from_base32(&format!("{base32}=A")).unwrap_err(),
        Secret::from_base32(&format!("{base32}AA")).unwrap_err(),
        Secret::from_base32(&base32.repeat(8)).unwrap_err(),
        Secret::from_base32(&base32[..16]).unwrap_err(),
        Secret::from_bytes(&[KEY.as_slice(); 5].concat()).unwrap_err(),
        Secret::from_base32(" = ").unwrap_err(),
        SecretError::RngFailed,
    ];
    let kinds: Vec<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split([' ', '{'])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    for kind in [
        "InvalidCharacter",
        "InvalidLength",
        "TooLong",
        "TooShort",
        "Empty",
        "RngFailed",
    ] {
        assert!(
            kinds.iter().any(|k| k == kind),
            "{kind} not produced: {kinds:?}"
        );
    }
    for e in &errors {
        check_error("SecretError", e);
    }

    // Code, digits, algorithm, time and verification errors.
    check_error(
        "CodeError",
        &Code::parse("12345x", Digits::SIX).unwrap_err(),
    );
    check_error(
        "CodeError",
        &CodeError::WrongLength {
            expected: 6,
            got: 7,
        },
    );
    check_error("DigitsError", &Digits::new(4).unwrap_err());
    check_error("AlgorithmError", &base32.parse::<Algorithm>().unwrap_err());
    for e in [
        TimeError::ZeroPeriod,
        TimeError::BeforeEpoch,
        TimeError::Overflow,
        TimeError::ClockBeforeUnixEpoch,
    ] {
        check_error("TimeError", &e);
    }
    for e in [
        totp.verify(&base32, 1_700_000_000, Window::default())
            .unwrap_err(),
        totp.verify("000000", 0, Window::default()).unwrap_err(),
        VerifyError::Mismatch,
        VerifyError::Time(TimeError::Overflow),
    ] {
        check_error("VerifyError", &e);
    }
    assert!(matches!(
        totp.verify(&base32, 1_700_000_000, Window::default()),
        Err(VerifyError::Malformed(_))
    ));
}

#[test]
fn steam_types_never_show_the_secret() {
    use otpkit::steam::{SteamGuard, parse_steam_uri};
    let s = secret();
    let base32 = s.base32().to_string();
    let steam = SteamGuard::new(&s);
    check_debug("SteamGuard", &steam);
    check_debug("SteamCode", &steam.code_at(1_700_000_000).unwrap());
    check_debug(
        "steam Secret",
        &parse_steam_uri(&format!("steam://{base32}")).unwrap(),
    );
    for uri in [
        format!("steam://{base32}0"),
        format!("stean://{base32}"),
        format!("steam://{}", base32.repeat(40)),
    ] {
        check_error("SteamUriError", &parse_steam_uri(&uri).unwrap_err());
    }
}

/// A verifier's `Debug` is what an operator sees in a log: which device (with its
/// parameters, never its key) and which policy.
#[test]
fn verifier_debug_shows_the_device_and_the_policy() {
    use otpkit::verifier::{Policy, Verifier};
    let totp = Totp::new(&secret(), Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let policy = Policy::default();
    let expect = |device: &str| format!("Verifier {{ {device}, policy: {policy:?} }}");
    assert_eq!(
        format!("{:?}", Verifier::totp(totp.clone(), policy)),
        expect(&format!("totp: {totp:?}"))
    );
    let hotp = Hotp::new(&secret(), Algorithm::Sha1, Digits::EIGHT);
    assert_eq!(
        format!("{:?}", Verifier::hotp(hotp.clone(), policy)),
        expect(&format!("hotp: {hotp:?}"))
    );
}

#[test]
fn verifier_types_never_show_the_secret() {
    use otpkit::verifier::{
        DeviceState, EnrollOutcome, Policy, ResyncOutcome, SignInError, Verifier,
    };
    let s = secret();
    let base32 = s.base32().to_string();
    let totp = Totp::new(&s, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let verifier = Verifier::totp(totp.clone(), Policy::default());
    check_debug("Verifier", &verifier);
    check_debug(
        "Verifier (HOTP)",
        &Verifier::hotp(
            Hotp::new(&s, Algorithm::Sha1, Digits::SIX),
            Policy::default(),
        ),
    );
    check_debug("Policy", &Policy::default());
    let now = 1_700_000_000;
    let step = totp.step_at(now).unwrap();
    let c1 = totp.code_at_step(step - 1).to_string();
    let c2 = totp.code_at_step(step).to_string();
    let pending = verifier.begin_enrollment();
    check_display_debug("DeviceState (pending)", &pending);
    let (outcome, state) = verifier.enroll(&pending, &c1, &c2, now);
    assert!(outcome.is_enrolled());
    check_debug("EnrollOutcome", &outcome);
    check_display_debug("DeviceState", &state);

    for (a, b) in [
        (c2.as_str(), c1.as_str()),
        (c1.as_str(), c1.as_str()),
        (base32.as_str(), c2.as_str()),
        ("999999", "999998"),
    ] {
        if let (EnrollOutcome::Rejected(e), _) = verifier.enroll(&pending, a, b, now) {
            check_error("EnrollError", &e);
        }
        let (outcome, after) = verifier.enroll_code(&pending, a, now);
        check_debug("EnrollOutcome", &outcome);
        check_display_debug("DeviceState (pending, after a code)", &after);
    }
    let (outcome, _) = verifier.enroll(&pending, &base32, &c2, now);
    let EnrollOutcome::Rejected(e) = outcome else {
        panic!("{outcome:?}")
    };
    check_error("EnrollError", &e);
    let (outcome, next) = verifier.verify(&state, &base32, now);
    check_debug("Outcome (malformed)", &outcome);
    check_display_debug("DeviceState after failure", &next);
    let (outcome, _) = verifier.verify(&state, &c2, now);
    check_debug("Outcome (replayed)", &outcome);
    let (outcome, _) = verifier.verify(&state, &c1, now);
    check_debug("Outcome", &outcome);
    for (a, b) in [
        (base32.as_str(), c1.as_str()),
        (c1.as_str(), c1.as_str()),
        ("000000", "000001"),
    ] {
        if let (ResyncOutcome::Rejected(e), _) = verifier.resync(&state, a, b, now) {
            check_error("ResyncError", &e);
        }
    }
    let (outcome, _) = verifier.resync(&DeviceState::hotp_at(3), &c1, &c2, now);
    let ResyncOutcome::Rejected(e) = outcome else {
        panic!("{outcome:?}")
    };
    check_error("ResyncError", &e);
    check_error(
        "StateError",
        &DeviceState::decode(&format!("otpk1.t.{base32}.0.0.0.000000000000")).unwrap_err(),
    );
    check_error(
        "StateError",
        &DeviceState::decode(&base32.repeat(3)).unwrap_err(),
    );
    check_error(
        "PolicyError",
        &Policy::default().with_max_failures(0).unwrap_err(),
    );
    for e in [
        SignInError::Time(TimeError::Overflow),
        SignInError::CounterExhausted,
        SignInError::WrongKind,
        SignInError::NotEnrolled,
    ] {
        check_error("SignInError", &e);
    }
    check_debug("DeviceKind", &state.kind());
}

#[cfg(feature = "alloc")]
mod uris {
    use super::*;
    use otpkit::migration;
    use otpkit::otpauth::{Account, Kind};

    fn uri(params: &str) -> String {
        let base32 = secret().base32().to_string();
        format!("otpauth://totp/ACME:alice?secret={base32}{params}")
    }

    #[test]
    fn otpauth_types_never_show_the_secret() {
        let s = secret();
        let base32 = s.base32().to_string();
        let lower = base32.to_lowercase();
        let parsed = Account::parse(&format!(
            "otpauth://totp/Other:alice?secret={lower}%3D%3D&issuer=ACME&algorithm=SHA256&digits=8&period=60&counter=3"
        ))
        .unwrap();
        assert!(!parsed.warnings.is_empty());
        check_debug("Parsed", &parsed);
        check_debug("Account", &parsed.account);
        check_debug("Kind", &parsed.account.kind);
        for warning in &parsed.warnings {
            check_display_debug("Warning", warning);
        }
        let short = Account::parse(&format!("otpauth://totp/x?secret={}", &base32[..16])).unwrap();
        for warning in &short.warnings {
            check_display_debug("Warning", warning);
        }

        let inputs = [
            format!("{}&x={}", uri(""), "a".repeat(5000)),
            format!("https://example.com/?secret={base32}"),
            format!("otpauth://yubikey/x?secret={base32}"),
            "otpauth://totp/x?issuer=ACME".to_owned(),
            format!("otpauth://totp/x?secret={base32}1"),
            format!("otpauth://totp/x?secret={base32}AA"),
            uri("&algorithm=MD5"),
            uri("&digits=12"),
            uri("&period=0"),
            format!("otpauth://hotp/x?secret={base32}"),
            uri("&counter=-1"),
            uri("&issuer=%FF"),
            uri(&format!("&secret={base32}")),
            format!("otpauth://motp/x?secret={base32}&pin=1"),
            format!("otpauth://yaotp/x?secret={base32}&pin=GEZDGNA"),
        ];
        let mut seen = Vec::new();
        for input in &inputs {
            let e = Account::parse(input).unwrap_err();
            check_error("UriError", &e);
            seen.push(std::mem::discriminant(&e));
        }
        // Each input above gives a different variant: the list covers the enum.
        seen.sort_by_key(|d| format!("{d:?}"));
        seen.dedup();
        // (Two inputs are bad secrets: `UriError::Secret` twice.)
        assert_eq!(seen.len(), inputs.len() - 1, "variants: {seen:?}");
    }

    #[test]
    fn migration_types_never_show_the_secret() {
        let s = secret();
        let base32 = s.base32().to_string();
        let account = Account::totp_with_secret("ACME", "alice", s.clone());
        let uris = migration::encode(std::slice::from_ref(&account), 10).unwrap();
        let batch = migration::decode_batch(&uris[0]).unwrap();
        check_debug("Batch", &batch);
        assert_eq!(batch.entries, vec![Ok(account.clone())]);

        // Entries the format reads but cannot use, each carrying the secret.
        let entry = |algorithm: u8, digits: u8, otp_type: u8, counter: i64| {
            let mut e = vec![0x0a, KEY.len() as u8];
            e.extend_from_slice(KEY);
            e.extend_from_slice(&[0x12, 1, b'n', 0x20, algorithm, 0x28, digits, 0x30, otp_type]);
            e.push(0x38);
            let mut n = counter as u64;
            loop {
                let b = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    e.push(b);
                    break;
                }
                e.push(b | 0x80);
            }
            e
        };
        let mut payload = Vec::new();
        for e in [
            entry(4, 1, 2, 0),
            entry(9, 1, 2, 0),
            entry(1, 7, 2, 0),
            entry(1, 1, 9, 0),
            entry(1, 1, 1, -5),
        ] {
            payload.push(0x0a);
            payload.push(e.len() as u8);
            payload.extend(e);
        }
        let data = base64_std(&payload);
        let batch =
            migration::decode_batch(&format!("otpauth-migration://offline?data={data}")).unwrap();
        assert_eq!(batch.entries.len(), 5);
        for entry in &batch.entries {
            check_error("EntryError", entry.as_ref().unwrap_err());
        }

        for input in [
            format!("otpauth://offline?data={base32}"),
            format!("otpauth-migration://offline?data={}", "A".repeat(70_000)),
            format!("otpauth-migration://offline?data={base32}&data={base32}"),
            "otpauth-migration://offline?x=1".to_owned(),
            format!("otpauth-migration://offline?data={base32}!"),
            // A length-delimited field that claims 64 bytes and has 32.
            format!(
                "otpauth-migration://offline?data={}",
                base64_std(&[&[0x0a, 0x40][..], KEY].concat())
            ),
        ] {
            check_error("MigrationError", &migration::decode(&input).unwrap_err());
        }

        let with = |f: &dyn Fn(&mut Account)| {
            let mut a = account.clone();
            f(&mut a);
            migration::encode(&[a], 10).unwrap_err()
        };
        for e in [
            with(&|a| a.digits = Digits::new(7).unwrap()),
            with(&|a| {
                a.kind = Kind::Totp {
                    period: Period::new(60).unwrap(),
                }
            }),
            with(&|a| a.kind = Kind::Steam),
            with(&|a| a.kind = Kind::Hotp { counter: u64::MAX }),
            migration::encode(std::slice::from_ref(&account), 0).unwrap_err(),
        ] {
            check_error("EncodeError", &e);
        }
    }

    /// Standard base64 with `%`-escaped `+`, `/` and `=`, as a URI query carries it.
    pub(super) fn base64_std(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    }
}

#[test]
fn secret_zeroizes_on_drop() {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<Secret>();
}

/// Observes heap blocks as they are freed, to show that dropped secrets leave no copy
/// of their key behind; see the module's documentation for why that is sound.
#[path = "support/freed_memory.rs"]
mod freed_memory;

/// The key the probe looks for; used by no other test in this binary.
const PROBE_KEY: &[u8; 32] = b"zeroize-probe-key-7d1c9a3e5b2f40";

/// How many copies of `PROBE_KEY` the blocks freed during `f` held.
fn freed_copies(f: impl FnOnce()) -> usize {
    freed_memory::copies_left(&[PROBE_KEY], f).count
}

#[test]
fn the_probe_finds_every_form_of_a_key_left_in_freed_memory() {
    // Guards the guard: a copy in each form is seen, also a partial one and one
    // written into a buffer that grows, and nothing is seen where there is none.
    for form in freed_memory::forms(PROBE_KEY) {
        let run = form[..freed_memory::WINDOW].to_vec();
        assert_eq!(freed_copies(|| drop(form)), 1);
        assert_eq!(freed_copies(|| drop(run)), 1, "a partial copy");
    }
    let growing = freed_copies(|| {
        let mut text = String::new();
        for chunk in secret_of(PROBE_KEY).base32_grouped().to_string().split(' ') {
            text.push_str(chunk);
        }
        zeroize::Zeroize::zeroize(&mut text);
    });
    assert!(growing >= 1, "the buffers a growing String left behind");
    assert_eq!(freed_copies(|| drop(vec![0u8; 4096])), 0);
    assert_eq!(freed_copies(|| drop(format!("{KEY:?}"))), 0, "another key");
}

fn secret_of(key: &[u8]) -> Secret {
    Secret::from_bytes(key).unwrap()
}

#[test]
fn a_dropped_secret_leaves_no_copy_on_the_heap() {
    use std::mem::ManuallyDrop;

    // Control: a plain array is not wiped, and the probe sees it.
    let control = freed_copies(|| drop(Box::new(*PROBE_KEY)));
    assert_eq!(control, 1, "the probe must see an unwiped key");
    // Control: the same block with the Secret's `Drop` suppressed keeps the key,
    // and the probe sees it (so it does read blocks of a Secret's layout).
    let undropped = freed_copies(|| drop(Box::new(ManuallyDrop::new(secret_of(PROBE_KEY)))));
    assert_eq!(undropped, 1, "the probe must see an undropped Secret's key");

    let wiped = freed_copies(|| {
        let boxed = Box::new(secret_of(PROBE_KEY));
        assert_eq!(boxed.as_bytes(), PROBE_KEY);
        drop(boxed);
    });
    assert_eq!(wiped, 0, "a dropped Secret left its key in freed memory");

    // A Secret dropped inside a container (here a Vec's buffer of exactly one
    // Secret: `vec![x]` allocates capacity 1) is wiped as well.
    let in_vec = freed_copies(|| {
        let v = vec![secret_of(PROBE_KEY)];
        assert_eq!(v[0].as_bytes(), PROBE_KEY);
        drop(v);
    });
    assert_eq!(in_vec, 0);
}

/// Google Authenticator's migration URIs, read and written: no copy of any entry's
/// key is left in freed memory (the URIs `encode` returns are the caller's, and are
/// dropped outside the probe).
#[cfg(feature = "alloc")]
mod migration_freed_memory {
    use otpkit::migration;
    use otpkit::otpauth::{Account, Kind};
    use otpkit::{Algorithm, Digits, Period};

    use super::freed_memory::copies_left;
    use super::secret_of;

    /// `n` pseudo-random 20-byte keys (SplitMix64), distinct from each other and from
    /// every other key of this binary.
    fn keys(n: usize) -> Vec<[u8; 20]> {
        let mut state = 0x6d69_6772_6174_696fu64;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            (z ^ (z >> 31)) as u8
        };
        (0..n).map(|_| core::array::from_fn(|_| next())).collect()
    }

    fn accounts(keys: &[[u8; 20]]) -> Vec<Account> {
        keys.iter()
            .enumerate()
            .map(|(i, key)| {
                let mut account =
                    Account::totp_with_secret("ACME", format!("user{i}"), secret_of(key));
                if i % 3 == 1 {
                    account.algorithm = Algorithm::Sha256;
                    account.digits = Digits::EIGHT;
                    account.kind = Kind::Hotp { counter: 7 };
                } else {
                    account.kind = Kind::Totp {
                        period: Period::DEFAULT,
                    };
                }
                account
            })
            .collect()
    }

    fn slices(keys: &[[u8; 20]]) -> Vec<&[u8]> {
        keys.iter().map(|k| k.as_slice()).collect()
    }

    #[test]
    fn decoding_a_migration_uri_leaves_no_copy_of_its_keys() {
        let mut left = Vec::new();
        for n in [1, 3, 10] {
            let keys = keys(n);
            let uris = migration::encode(&accounts(&keys), 10).unwrap();
            assert_eq!(uris.len(), 1);
            let decode = copies_left(&slices(&keys), || {
                let entries = migration::decode(&uris[0]).unwrap();
                assert_eq!(entries.len(), n);
                assert!(entries.iter().all(Result::is_ok));
                drop(entries);
            });
            let batch = copies_left(&slices(&keys), || {
                drop(migration::decode_batch(&uris[0]).unwrap());
            });
            if decode.count + batch.count > 0 {
                left.push(format!(
                    "{n} accounts: decode {decode}; decode_batch {batch}"
                ));
            }
        }
        assert!(left.is_empty(), "{left:#?}");
    }

    /// A payload written by hand: entries alternately usable and not (MD5, an unknown
    /// type, a negative counter), each with its own key.
    fn mixed_payload(keys: &[[u8; 20]]) -> String {
        let mut payload = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let (algorithm, otp_type, counter) = match i % 6 {
                1 => (4, 2, 0),
                3 => (1, 7, 0),
                5 => (1, 1, -3i64),
                _ => (1, 2, 0),
            };
            let mut entry = vec![0x0a, 20];
            entry.extend_from_slice(key);
            entry.extend_from_slice(&[0x12, 2, b'n', b'0' + i as u8]);
            entry.extend_from_slice(&[0x20, algorithm, 0x28, 1, 0x30, otp_type, 0x38]);
            let mut n = counter as u64;
            loop {
                let b = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    entry.push(b);
                    break;
                }
                entry.push(b | 0x80);
            }
            payload.push(0x0a);
            payload.push(entry.len() as u8);
            payload.extend(entry);
        }
        format!(
            "otpauth-migration://offline?data={}",
            super::uris::base64_std(&payload)
        )
    }

    #[test]
    fn decoding_entries_that_fail_leaves_no_copy_of_their_keys() {
        let keys = keys(9);
        let uri = mixed_payload(&keys);
        let entries = migration::decode(&uri).unwrap();
        assert_eq!(entries.iter().filter(|e| e.is_err()).count(), 4);
        drop(entries);
        let copies = copies_left(&slices(&keys), || {
            drop(migration::decode(&uri).unwrap());
        });
        assert_eq!(copies.count, 0, "{copies}");
    }

    #[test]
    fn encoding_migration_uris_leaves_no_copy_of_the_keys() {
        let keys = keys(23);
        let accounts = accounts(&keys);
        let mut uris = Vec::new();
        let copies = copies_left(&slices(&keys), || {
            uris = migration::encode(&accounts, 10).unwrap();
        });
        assert_eq!(uris.len(), 3);
        assert_eq!(copies.count, 0, "{copies}");
        // The URIs themselves hold every key (the probe would see them).
        let held = copies_left(&slices(&keys), || drop(core::mem::take(&mut uris)));
        assert_eq!(held.count, keys.len(), "{held}");
    }
}
