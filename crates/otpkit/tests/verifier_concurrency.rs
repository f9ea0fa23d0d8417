//! Servers racing on one stored state with the same code: with compare-and-swap
//! persistence (as the `verifier` module docs prescribe) the code is accepted at
//! most once, and no failure is lost.

use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use otpkit::verifier::{DeviceState, Outcome, Policy, Verifier};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp};

/// A one-row table: `UPDATE ... SET state = new WHERE state = old`.
struct Store(Mutex<String>);

impl Store {
    fn load(&self) -> String {
        self.0.lock().unwrap().clone()
    }

    fn cas(&self, old: &str, new: &str) -> bool {
        let mut row = self.0.lock().unwrap();
        if *row == old {
            *row = new.to_owned();
            true
        } else {
            false
        }
    }
}

/// What one server does for one request: read, verify, write back with CAS,
/// retrying from a fresh read if another server got there first.
fn sign_in(store: &Store, verifier: &Verifier, code: &str, now: u64) -> Outcome {
    loop {
        let old = store.load();
        let state: DeviceState = old.parse().unwrap();
        let (outcome, new) = verifier.verify(&state, code, now);
        if store.cas(&old, &new.to_string()) {
            return outcome;
        }
    }
}

fn race(verifier: Verifier, initial: DeviceState, code: String, now: u64, threads: usize) {
    let store = Arc::new(Store(Mutex::new(initial.to_string())));
    let verifier = Arc::new(verifier);
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (store, verifier, barrier, code) = (
                store.clone(),
                verifier.clone(),
                barrier.clone(),
                code.clone(),
            );
            thread::spawn(move || {
                barrier.wait();
                sign_in(&store, &verifier, &code, now)
            })
        })
        .collect();
    let outcomes: Vec<Outcome> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let accepted = outcomes.iter().filter(|o| o.is_accepted()).count();
    assert_eq!(accepted, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .all(|o| o.is_accepted() || *o == Outcome::Replayed),
        "{outcomes:?}"
    );
    // The first write is the acceptance (every first read sees the code as fresh);
    // each loser then re-read and recorded its replay: none overwrote another.
    let end: DeviceState = store.load().parse().unwrap();
    assert_eq!(end.failures() as usize, threads - 1);
}

fn policy() -> Policy {
    Policy::default().with_max_failures(100).unwrap()
}

#[test]
fn totp_code_is_accepted_once_across_racing_servers() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    for i in 0..300u64 {
        let now = 1_700_000_000 + i * 30;
        let step = totp.step_at(now).unwrap();
        let initial = DeviceState::totp_at(step - 1);
        let code = totp.code_at_step(step).to_string();
        let verifier = Verifier::totp(totp.clone(), policy());
        race(verifier, initial, code, now, 2 + (i % 3) as usize);
    }
}

#[test]
fn hotp_code_is_accepted_once_across_racing_servers() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::SIX);
    for i in 0..300u64 {
        let initial = DeviceState::hotp_at(i);
        let code = hotp.code(i + (i % 5)).to_string();
        let verifier = Verifier::hotp(hotp.clone(), policy());
        race(verifier, initial, code, 1_700_000_000, 2 + (i % 3) as usize);
    }
}
