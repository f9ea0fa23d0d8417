//! The conformance suite every store passes, and the servers' test URLs.
#![allow(dead_code)]

pub mod users;

use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use otpkit::verifier::{EnrollError, EnrollOutcome, Outcome, Policy, ResyncOutcome};
use otpkit::{Algorithm, Digits, Period, Secret, Totp};
use otpkit_store::seal::{Keyring, SealError, SealingKey};
use otpkit_store::{
    DeviceParams, DeviceRow, DeviceStore, LoadedRow, MfaService, ServiceError, StoreError,
};

/// 2027-01-15, a multiple of 30.
pub const T0: u64 = 1_800_000_000;

/// The URL in `var`, or `None` after printing why the tests are skipped. With `CI`
/// set a missing URL is a failure: CI must run these against real servers.
pub fn server_url(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{var} is not set but CI is: the {what} tests must run against a real server \
             (start one with `eval \"$(scripts/services.sh start)\"`)"
        ),
        _ => {
            eprintln!(
                "SKIP: {var} is not set, the {what} tests did not run \
                 (start a server with `eval \"$(scripts/services.sh start)\"`)"
            );
            None
        }
    }
}

/// A prefix no other run uses, so runs against a long-lived server do not collide.
pub fn run_prefix(name: &str) -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{name}-{hex}")
}

pub fn keyring() -> Keyring {
    Keyring::new(SealingKey::new("test-1", [42; 32]).unwrap())
}

pub fn policy() -> Policy {
    Policy::default()
}

pub struct Phone(pub Totp);

impl Phone {
    pub fn new(secret: &Secret) -> Self {
        Phone(Totp::new(
            secret,
            Algorithm::Sha1,
            Digits::SIX,
            Period::DEFAULT,
        ))
    }
    pub fn code(&self, t: u64) -> String {
        self.0.code_at(t).unwrap().to_string()
    }
    /// A code that no step within ±20 of `t` produces.
    pub fn wrong(&self, t: u64, nth: u32) -> String {
        let near: Vec<String> = (0..=40).map(|k| self.code(t + k * 30 - 600)).collect();
        (nth..)
            .map(|n| format!("{:06}", (n * 7919 + 13) % 1_000_000))
            .find(|c| !near.contains(c))
            .unwrap()
    }
}

fn secret(n: u8) -> Secret {
    Secret::from_bytes(&[n; 20]).unwrap()
}

/// An enrolled device `id` at T0; returns its phone.
pub fn enrolled<S: DeviceStore>(service: &MfaService<S>, id: &str, n: u8) -> Phone {
    let s = secret(n);
    service
        .begin_enrollment(id, &s, DeviceParams::default())
        .unwrap();
    assert!(!service.state(id).unwrap().is_enrolled());
    let phone = Phone::new(&s);
    let a = service
        .enroll(id, &phone.code(T0 - 30), &phone.code(T0), T0)
        .unwrap();
    assert!(a.outcome.is_enrolled(), "{:?}", a.outcome);
    phone
}

/// Runs the whole suite. `make` opens a new connection to the same store (each
/// thread of the race gets its own, as separate servers would).
pub fn suite<S, F>(name: &str, make: F)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S + Sync,
{
    let prefix = run_prefix(name);
    let service = MfaService::new(make(), keyring(), policy());
    enrol_with_a_retry_keeps_the_secret(&service, &prefix);
    verify_and_replay(&service, &prefix);
    failures_counted_and_lock_out_cleared(&service, &prefix);
    resync_and_remove(&service, &prefix);
    hotp_device(&service, &prefix);
    sealed_secret_bound_to_its_row(&service, &prefix);
    swaps_need_the_row_as_read(service.store(), &prefix);
    swaps_compare_the_column_they_replace(service.store(), &prefix);
    reseal_after_rotation(&make, &prefix);
    lost_swap_is_retried(&make, &prefix);
    old_codes_do_not_enrol_a_device_started_again(&make, &prefix);
    old_codes_do_not_sign_in_to_a_device_added_again(&make, &prefix);
    a_stale_reseal_leaves_a_device_added_again_alone(&make, &prefix);
    racing_threads(&make, &prefix);
    users::suite(&prefix, &make);
    eprintln!("conformance: {name}: all checks passed");
}

fn enrol_with_a_retry_keeps_the_secret<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    let id = format!("{prefix}/enrol");
    let s = secret(1);
    service
        .begin_enrollment(&id, &s, DeviceParams::default())
        .unwrap();
    assert!(!service.state(&id).unwrap().is_enrolled());
    assert!(matches!(
        service.begin_enrollment(&id, &secret(2), DeviceParams::default()),
        Err(ServiceError::DeviceExists { .. })
    ));
    // The stored column is sealed: no Base32, no raw bytes.
    let row = service.store().load(&id).unwrap().unwrap().row;
    assert!(row.secret.starts_with("otps1.test-1."), "{row:?}");
    assert!(!row.secret.contains(&s.base32().to_string()));
    let phone = Phone::new(&s);
    let typo = phone.wrong(T0, 1);
    let a = service.enroll(&id, &typo, &phone.code(T0), T0).unwrap();
    assert_eq!(
        a.outcome,
        EnrollOutcome::Rejected(EnrollError::FirstCodeNotFound)
    );
    assert_eq!(service.state(&id).unwrap().failures(), 1);
    // The retry shows the same secret again.
    let (again, generator) = service.pending_secret(&id).unwrap();
    assert_eq!(again.as_bytes(), s.as_bytes());
    assert_eq!(generator, DeviceParams::default());
    let a = service
        .enroll(&id, &phone.code(T0 - 30), &phone.code(T0), T0)
        .unwrap();
    assert!(a.outcome.is_enrolled());
    assert_eq!(a.attempts, 1);
    let state = service.state(&id).unwrap();
    assert!(state.is_enrolled());
    assert_eq!(state.failures(), 0);
    assert!(matches!(
        service.pending_secret(&id),
        Err(ServiceError::AlreadyEnrolled { .. })
    ));
    assert!(matches!(
        service.verify(&format!("{prefix}/nobody"), "123456", T0),
        Err(ServiceError::NoSuchDevice { .. })
    ));
    assert!(matches!(
        service.verify("", "123456", T0),
        Err(ServiceError::InvalidDeviceId)
    ));
}

fn verify_and_replay<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    let id = format!("{prefix}/verify");
    let phone = enrolled(service, &id, 3);
    let t = T0 + 90;
    let code = phone.code(t);
    let a = service.verify(&id, &code, t).unwrap();
    assert!(a.outcome.is_accepted(), "{:?}", a.outcome);
    assert_eq!(service.state(&id).unwrap().last_step(), Some(t / 30));
    let a = service.verify(&id, &code, t + 1).unwrap();
    assert_eq!(a.outcome, Outcome::Replayed);
    assert_eq!(a.state.failures(), 1);
    assert_eq!(service.state(&id).unwrap().failures(), 1);
    // The next code is fresh, and success clears the count.
    let a = service.verify(&id, &phone.code(t + 30), t + 30).unwrap();
    assert!(a.outcome.is_accepted());
    assert_eq!(service.state(&id).unwrap().failures(), 0);
}

fn failures_counted_and_lock_out_cleared<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    let id = format!("{prefix}/lockout");
    let phone = enrolled(service, &id, 4);
    let t = T0 + 300;
    let max = service.policy().max_failures();
    for n in 1..=max {
        let a = service.verify(&id, &phone.wrong(t, n), t).unwrap();
        assert_eq!(a.outcome, Outcome::Invalid);
        assert_eq!(service.state(&id).unwrap().failures(), n);
    }
    let state = service.state(&id).unwrap();
    let until = state.locked_until().expect("locked after max_failures");
    // While locked the right code is not even looked at, and nothing changes.
    let a = service.verify(&id, &phone.code(t), t).unwrap();
    assert_eq!(a.outcome, Outcome::Locked { until });
    assert_eq!(service.state(&id).unwrap(), state);
    // The administrator clears it; the right code then signs in.
    let cleared = service.clear_lockout(&id).unwrap();
    assert_eq!(
        (cleared.state.failures(), cleared.state.locked_until()),
        (0, None)
    );
    assert!(
        service
            .verify(&id, &phone.code(t), t)
            .unwrap()
            .outcome
            .is_accepted()
    );
}

fn resync_and_remove<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    let id = format!("{prefix}/resync");
    let phone = enrolled(service, &id, 5);
    let t = T0 + 3_600;
    // The phone runs 12 steps fast: out of the sign-in scan.
    let fast = |k: u64| phone.code(t + 30 * (12 + k));
    assert_eq!(
        service.verify(&id, &fast(0), t).unwrap().outcome,
        Outcome::Invalid
    );
    let a = service.resync(&id, &fast(0), &fast(1), t).unwrap();
    assert!(
        matches!(a.outcome, ResyncOutcome::Resynced { .. }),
        "{:?}",
        a.outcome
    );
    assert_eq!(service.state(&id).unwrap().failures(), 0);
    assert!(
        service
            .verify(&id, &fast(3), t + 60)
            .unwrap()
            .outcome
            .is_accepted()
    );
    assert!(service.remove(&id).unwrap());
    assert!(!service.remove(&id).unwrap());
    assert!(matches!(
        service.verify(&id, &fast(4), t + 90),
        Err(ServiceError::NoSuchDevice { .. })
    ));
    // Removed, the id can be enrolled again with a new secret.
    enrolled(service, &id, 6);
}

fn hotp_device<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    use otpkit::Algorithm;
    let id = format!("{prefix}/hotp");
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let generator = DeviceParams::Hotp {
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
    };
    service.begin_enrollment(&id, &secret, generator).unwrap();
    assert!(!service.state(&id).unwrap().is_enrolled());
    // RFC 4226 Appendix D: counters 0 and 1 enrol, 2 signs in once.
    let a = service.enroll(&id, "755224", "287082", T0).unwrap();
    assert!(a.outcome.is_enrolled(), "{:?}", a.outcome);
    assert_eq!(service.state(&id).unwrap().next_counter(), Some(2));
    assert!(
        service
            .verify(&id, "359152", T0)
            .unwrap()
            .outcome
            .is_accepted()
    );
    assert_eq!(
        service.verify(&id, "359152", T0).unwrap().outcome,
        Outcome::Replayed
    );
    let row = service.store().load(&id).unwrap().unwrap().row;
    assert_eq!(row.params, "hotp.SHA1.6");
}

fn sealed_secret_bound_to_its_row<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    let id = format!("{prefix}/victim");
    let phone = enrolled(service, &id, 7);
    let row = service.store().load(&id).unwrap().unwrap().row;
    // Someone with write access copies the victim's sealed secret to their own row.
    let thief = format!("{prefix}/thief");
    let copied = DeviceRow {
        id: thief.clone(),
        ..row
    };
    assert!(service.store().insert(&copied).unwrap());
    let err = service
        .verify(&thief, &phone.code(T0 + 30), T0 + 30)
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Seal(SealError::NotAuthentic { .. })),
        "{err}"
    );
    // A damaged state column is a typed error, not a panic or a silent reset.
    let read = service.store().load(&id).unwrap().unwrap();
    assert!(
        service
            .store()
            .compare_and_swap(&read, "otpk1.junk")
            .unwrap()
    );
    assert!(matches!(
        service.verify(&id, &phone.code(T0 + 30), T0 + 30),
        Err(ServiceError::Corrupt {
            column: "state",
            ..
        })
    ));
}

/// The swaps name the row as it was read: its version, which no remove and
/// insert (not even of the very same columns) and no write brings back.
fn swaps_need_the_row_as_read<S: DeviceStore>(store: &S, prefix: &str) {
    let id = format!("{prefix}/rows");
    let row = DeviceRow {
        id: id.clone(),
        params: "totp.SHA1.6.30".to_owned(),
        secret: "otps1.test-1.AAAA".to_owned(),
        state: "s0".to_owned(),
    };
    assert!(store.insert(&row).unwrap());
    let first = store.load(&id).unwrap().unwrap();
    assert_eq!(first.row, row);
    let token = first.version.as_str();
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    // Removed and inserted again with the same columns (restored from a backup):
    // a read of the first row swaps neither column of the second.
    assert!(store.remove(&id).unwrap());
    assert!(store.insert(&row).unwrap());
    let second = store.load(&id).unwrap().unwrap();
    assert_eq!(second.row, first.row);
    assert_ne!(second.version, first.version);
    assert!(!store.compare_and_swap(&first, "s1").unwrap());
    assert!(!store.replace_secret(&first, "otps1.test-2.BBBB").unwrap());
    assert_eq!(store.load(&id).unwrap().unwrap(), second);
    // A state written back to the one read is still a later row.
    assert!(store.compare_and_swap(&second, "s1").unwrap());
    let s1 = store.load(&id).unwrap().unwrap();
    assert!(store.compare_and_swap(&s1, "s0").unwrap());
    let back = store.load(&id).unwrap().unwrap();
    assert_eq!(back.row, second.row);
    assert!(!store.compare_and_swap(&second, "s2").unwrap());
    assert!(!store.replace_secret(&s1, "otps1.test-2.CCCC").unwrap());
    // Replacing the secret is a write too.
    assert!(store.replace_secret(&back, "otps1.test-2.DDDD").unwrap());
    assert!(!store.compare_and_swap(&back, "s3").unwrap());
    let now = store.load(&id).unwrap().unwrap();
    assert_eq!(
        (now.row.secret.as_str(), now.row.state.as_str()),
        ("otps1.test-2.DDDD", "s0")
    );
    // The device gone, nothing swaps.
    assert!(store.remove(&id).unwrap());
    assert!(!store.compare_and_swap(&now, "s4").unwrap());
    assert!(!store.replace_secret(&now, "otps1.test-2.EEEE").unwrap());
    assert_eq!(store.load(&id).unwrap(), None);
}

/// A swap also compares the column it replaces with the one read: a read that
/// carries the row's version but another state (or another sealed secret)
/// changes nothing, so a read edited after the load cannot write.
fn swaps_compare_the_column_they_replace<S: DeviceStore>(store: &S, prefix: &str) {
    let id = format!("{prefix}/columns");
    let row = DeviceRow {
        id: id.clone(),
        params: "totp.SHA1.6.30".to_owned(),
        secret: "otps1.test-1.AAAA".to_owned(),
        state: "s0".to_owned(),
    };
    assert!(store.insert(&row).unwrap());
    let read = store.load(&id).unwrap().unwrap();
    let mut other_state = read.clone();
    other_state.row.state = "s9".to_owned();
    assert!(!store.compare_and_swap(&other_state, "s1").unwrap());
    let mut other_secret = read.clone();
    other_secret.row.secret = "otps1.test-1.ZZZZ".to_owned();
    assert!(
        !store
            .replace_secret(&other_secret, "otps1.test-2.BBBB")
            .unwrap()
    );
    // Nothing was written: the row is as read, and the read as it was still swaps.
    assert_eq!(store.load(&id).unwrap().unwrap(), read);
    assert!(store.compare_and_swap(&read, "s1").unwrap());
    assert_eq!(store.load(&id).unwrap().unwrap().row.state, "s1");
    assert!(store.remove(&id).unwrap());
}

fn reseal_after_rotation<S: DeviceStore, F: Fn() -> S>(make: &F, prefix: &str) {
    let id = format!("{prefix}/rotate");
    let old = MfaService::new(make(), keyring(), policy());
    let phone = enrolled(&old, &id, 8);
    let rotated = Keyring::new(SealingKey::new("test-2", [43; 32]).unwrap())
        .with_old_key(SealingKey::new("test-1", [42; 32]).unwrap())
        .unwrap();
    let service = MfaService::new(make(), rotated, policy());
    // The old key still opens it.
    assert!(
        service
            .verify(&id, &phone.code(T0 + 30), T0 + 30)
            .unwrap()
            .outcome
            .is_accepted()
    );
    assert!(service.reseal(&id).unwrap());
    assert!(!service.reseal(&id).unwrap());
    let row = service.store().load(&id).unwrap().unwrap().row;
    assert!(row.secret.starts_with("otps1.test-2."));
    // With the old key retired the device still works.
    let retired = MfaService::new(
        make(),
        Keyring::new(SealingKey::new("test-2", [43; 32]).unwrap()),
        policy(),
    );
    assert!(
        retired
            .verify(&id, &phone.code(T0 + 60), T0 + 60)
            .unwrap()
            .outcome
            .is_accepted()
    );
    // A device still sealed with a retired key is a typed error.
    let other = format!("{prefix}/not-resealed");
    enrolled(&old, &other, 9);
    assert!(matches!(
        retired.verify(&other, "123456", T0 + 60),
        Err(ServiceError::Seal(SealError::UnknownKey { .. }))
    ));
}

/// A store that lets another server change the device right before this one's
/// first swap (of the state or of the secret), after this one's read: the swap
/// must lose, and the loop must read again.
struct Interfering<S> {
    inner: S,
    before_first_swap: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl<S> Interfering<S> {
    fn new(inner: S, before_first_swap: impl FnOnce() + Send + 'static) -> Self {
        Interfering {
            inner,
            before_first_swap: Mutex::new(Some(Box::new(before_first_swap))),
        }
    }

    fn interfere(&self) {
        let hook = self.before_first_swap.lock().unwrap().take();
        if let Some(hook) = hook {
            hook();
        }
    }
}

impl<S: DeviceStore> DeviceStore for Interfering<S> {
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
        self.inner.insert(row)
    }
    fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
        self.inner.load(id)
    }
    fn compare_and_swap(&self, read: &LoadedRow, new_state: &str) -> Result<bool, StoreError> {
        self.interfere();
        self.inner.compare_and_swap(read, new_state)
    }
    fn replace_secret(&self, read: &LoadedRow, new_secret: &str) -> Result<bool, StoreError> {
        self.interfere();
        self.inner.replace_secret(read, new_secret)
    }
    fn remove(&self, id: &str) -> Result<bool, StoreError> {
        self.inner.remove(id)
    }
}

fn lost_swap_is_retried<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S,
{
    let id = format!("{prefix}/cas");
    let other = Arc::new(MfaService::new(make(), keyring(), policy()));
    let phone = enrolled(&*other, &id, 10);
    let t = T0 + 30;
    let code = phone.code(t);
    // The other server accepts the same code first: ours must end Replayed.
    let (o, c, i) = (other.clone(), code.clone(), id.clone());
    let store = Interfering {
        inner: make(),
        before_first_swap: Mutex::new(Some(Box::new(move || {
            assert!(o.verify(&i, &c, t).unwrap().outcome.is_accepted());
        }))),
    };
    let service = MfaService::new(store, keyring(), policy());
    let a = service.verify(&id, &code, t).unwrap();
    assert_eq!(a.outcome, Outcome::Replayed);
    assert_eq!(a.attempts, 2);
    assert_eq!(service.stats().conflicts, 1);
    // The other server counts a wrong guess first: ours must add to it, not overwrite it.
    let (o, w, i) = (other.clone(), phone.wrong(t, 1), id.clone());
    *service.store().before_first_swap.lock().unwrap() = Some(Box::new(move || {
        assert_eq!(o.verify(&i, &w, t).unwrap().outcome, Outcome::Invalid);
    }));
    let before = service.state(&id).unwrap().failures();
    let a = service.verify(&id, &phone.wrong(t, 2), t).unwrap();
    assert_eq!((a.outcome, a.attempts), (Outcome::Invalid, 2));
    assert_eq!(service.state(&id).unwrap().failures(), before + 2);
    // Losing every time is a typed error after the bound, not a spin.
    let bounded = MfaService::new(
        Interfering {
            inner: make(),
            before_first_swap: Mutex::new(None),
        },
        keyring(),
        policy(),
    )
    .with_max_attempts(1);
    let (o, w, i) = (other.clone(), phone.wrong(t, 3), id.clone());
    *bounded.store().before_first_swap.lock().unwrap() = Some(Box::new(move || {
        let _ = o.verify(&i, &w, t).unwrap();
    }));
    assert!(matches!(
        bounded.verify(&id, &phone.wrong(t, 4), t),
        Err(ServiceError::Contention { attempts: 1 })
    ));
}

fn racing_threads<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S + Sync,
{
    const THREADS: usize = 8;
    let id = format!("{prefix}/race");
    let lenient = Policy::default().with_max_failures(50).unwrap();
    let setup = MfaService::new(make(), keyring(), lenient);
    let phone = enrolled(&setup, &id, 11);
    let services: Vec<_> = (0..THREADS)
        .map(|_| MfaService::new(make(), keyring(), lenient))
        .collect();
    let t = T0 + 60;
    let code = phone.code(t);
    let wrong: Vec<String> = (0..THREADS as u32).map(|n| phone.wrong(t, n)).collect();
    let barrier = Barrier::new(THREADS);
    let (outcomes, wrongs) = thread::scope(|scope| {
        let handles: Vec<_> = services
            .iter()
            .zip(&wrong)
            .map(|(service, wrong)| {
                let (barrier, code, id) = (&barrier, &code, &id);
                scope.spawn(move || {
                    barrier.wait();
                    let right = service.verify(id, code, t).unwrap().outcome;
                    barrier.wait();
                    let wrong = service.verify(id, wrong, t).unwrap().outcome;
                    (right, wrong)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .unzip::<_, _, Vec<_>, Vec<_>>()
    });
    let accepted = outcomes.iter().filter(|o| o.is_accepted()).count();
    assert_eq!(accepted, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| o.is_accepted() || *o == Outcome::Replayed),
        "{outcomes:?}"
    );
    assert!(wrongs.iter().all(|o| *o == Outcome::Invalid), "{wrongs:?}");
    // Every replay and every wrong code counted: none overwritten by another thread.
    assert_eq!(
        setup.state(&id).unwrap().failures() as usize,
        (THREADS - 1) + THREADS
    );
}

/// Between this server's read of a pending device and its swap, the device is
/// removed and its enrolment started again with another secret: the same state
/// text. The codes this server checked belong to the removed secret, so they must
/// not enrol the new device (nobody has shown they hold its secret).
fn old_codes_do_not_enrol_a_device_started_again<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S,
{
    let id = format!("{prefix}/enrol-again");
    let other = Arc::new(MfaService::new(make(), keyring(), policy()));
    other
        .begin_enrollment(&id, &secret(12), DeviceParams::default())
        .unwrap();
    let pending = other.state(&id).unwrap();
    let old_phone = Phone::new(&secret(12));
    let (o, i) = (other.clone(), id.clone());
    let store = Interfering::new(make(), move || {
        assert!(o.remove(&i).unwrap());
        o.begin_enrollment(&i, &secret(13), DeviceParams::default())
            .unwrap();
        assert_eq!(o.state(&i).unwrap().encode(), pending.encode());
    });
    let service = MfaService::new(store, keyring(), policy());
    let a = service
        .enroll(&id, &old_phone.code(T0 - 30), &old_phone.code(T0), T0)
        .unwrap();
    assert!(
        matches!(a.outcome, EnrollOutcome::Rejected(_)),
        "{:?}",
        a.outcome
    );
    assert_eq!(a.attempts, 2);
    let state = service.state(&id).unwrap();
    assert!(!state.is_enrolled());
    assert_eq!(state.failures(), 1);
    // The secret shown now is the new one, and its codes enrol the device.
    let (shown, _) = service.pending_secret(&id).unwrap();
    assert_eq!(shown.as_bytes(), secret(13).as_bytes());
    let new_phone = Phone::new(&secret(13));
    let a = service
        .enroll(&id, &new_phone.code(T0 - 30), &new_phone.code(T0), T0)
        .unwrap();
    assert!(a.outcome.is_enrolled(), "{:?}", a.outcome);
}

/// The same for sign-in: between this server's read and its swap the device is
/// removed and another one (another secret) enrolled under its id, whose state
/// text is the removed one's. A code of the removed device is then not accepted.
fn old_codes_do_not_sign_in_to_a_device_added_again<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S,
{
    let id = format!("{prefix}/add-again");
    let other = Arc::new(MfaService::new(make(), keyring(), policy()));
    let old_phone = enrolled(&*other, &id, 14);
    let before = other.state(&id).unwrap();
    let (o, i) = (other.clone(), id.clone());
    let store = Interfering::new(make(), move || {
        assert!(o.remove(&i).unwrap());
        enrolled(&*o, &i, 15);
        assert_eq!(o.state(&i).unwrap().encode(), before.encode());
    });
    let service = MfaService::new(store, keyring(), policy());
    let t = T0 + 30;
    let a = service.verify(&id, &old_phone.code(t), t).unwrap();
    assert_eq!(a.outcome, Outcome::Invalid);
    assert_eq!(a.attempts, 2);
    assert_eq!(service.state(&id).unwrap().failures(), 1);
    let new_phone = Phone::new(&secret(15));
    assert!(
        service
            .verify(&id, &new_phone.code(t), t)
            .unwrap()
            .outcome
            .is_accepted()
    );
}

/// A reseal that read a device which is then removed and added again (another
/// secret, sealed with the old key) does not write the removed device's secret
/// over it: it reads again and reseals the new one.
fn a_stale_reseal_leaves_a_device_added_again_alone<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S,
{
    let id = format!("{prefix}/reseal-again");
    let old = Arc::new(MfaService::new(make(), keyring(), policy()));
    let old_phone = enrolled(&*old, &id, 16);
    let (o, i) = (old.clone(), id.clone());
    let store = Interfering::new(make(), move || {
        assert!(o.remove(&i).unwrap());
        enrolled(&*o, &i, 17);
    });
    let rotated = Keyring::new(SealingKey::new("test-2", [43; 32]).unwrap())
        .with_old_key(SealingKey::new("test-1", [42; 32]).unwrap())
        .unwrap();
    let service = MfaService::new(store, rotated, policy());
    assert!(service.reseal(&id).unwrap());
    let row = service.store().load(&id).unwrap().unwrap().row;
    assert!(row.secret.starts_with("otps1.test-2."), "{row:?}");
    // With the old key retired, the device that is there signs in with its own
    // secret, not the removed one's.
    let retired = MfaService::new(
        make(),
        Keyring::new(SealingKey::new("test-2", [43; 32]).unwrap()),
        policy(),
    );
    let t = T0 + 30;
    assert_eq!(
        retired.verify(&id, &old_phone.code(t), t).unwrap().outcome,
        Outcome::Invalid
    );
    let new_phone = Phone::new(&secret(17));
    assert!(
        retired
            .verify(&id, &new_phone.code(t + 30), t + 30)
            .unwrap()
            .outcome
            .is_accepted()
    );
}
