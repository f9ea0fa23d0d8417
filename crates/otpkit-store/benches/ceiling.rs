//! Each device store's ceiling beside [`MfaService::verify`] on it, in one run:
//! what a verification costs above the database.
//!
//! ```text
//! eval "$(scripts/services.sh start)"
//! cargo bench -p otpkit-store --all-features --bench ceiling    # measures, prints tables
//! cargo test  -p otpkit-store --all-features --bench ceiling    # a few operations per cell,
//!                                                               # counts checked (CI)
//! ```
//!
//! For every store in the build (SQLite on a file, PostgreSQL and Redis at
//! `OTPKIT_TEST_POSTGRES_URL` / `OTPKIT_TEST_REDIS_URL`, each skipped with a line
//! saying so when its URL is not set; and the in-memory store, the service's own
//! CPU cost with no database under it), at 1, 4 and 16 concurrent clients, each
//! client a thread with its own connection:
//!
//! - `write`: the conditional write alone, as the store issues it (PostgreSQL and
//!   SQLite: the prepared `UPDATE … WHERE id AND version AND state`, one autocommit
//!   transaction; Redis: the store's compare-and-swap Lua script), each client on
//!   its own row with the version it wrote last, so every write succeeds;
//! - `SET` (Redis): a bare `SET` of a value as long as the state;
//! - `read + write`: the row read (`SELECT` of its four columns; Redis `HMGET`),
//!   then the conditional write on the version read: the least a compare-and-swap
//!   verification must do, so the fair ceiling (a verification cannot write before
//!   it has read the state its codes are checked against, and the secret cannot go
//!   to the database to check them there);
//! - `verify`: `MfaService::verify` of the next TOTP code on the client's own
//!   device (each one accepted and written, in one round);
//! - `read + write, shared` and `verify, shared`: every client on one row / one
//!   device (contention). The raw loop retries a lost swap at once; the service
//!   backs off from the second lost swap. Each verify submits the code of the next
//!   step from one counter: the swaps race, so a code whose step was overtaken is
//!   `Replayed` (a counted failure: a write too). Retries are lost swaps per
//!   request;
//! - `sign-in any of N` and `sign-in named of N` (N = 1, 3, 8): `MfaService::sign_in`
//!   on the client's own user of N enrolled devices, with `DeviceChoice::Any` and
//!   `DeviceChoice::Named`, each sign-in the code of the user's next device in turn
//!   (so `Any` checks (N + 1) / 2 devices on average before the one that accepts),
//!   each accepted. A sign-in counts the attempt on the user record before the code
//!   is checked and clears it after: three compare-and-swap rounds (user, device,
//!   user) where `verify` makes one, and `Any` reads the devices before the one
//!   that accepts on top. Its "÷ verify" is its throughput over the one-device
//!   `verify`'s in the same round (below 1).
//!
//! Throughput is operations (or requests) per second over all clients; the cells
//! of one concurrency are run in a rotating order within each round, and the
//! table gives the median over rounds (min–max beside it). The ratio is the
//! ceiling's throughput over the service's, per round, median.
//!
//! `cargo bench` runs `OTPKIT_BENCH_ROUNDS` (5) rounds of `OTPKIT_BENCH_MS` (400)
//! ms per cell; `cargo test` runs every cell for 3 operations per client, one
//! round. Both check the counts: every write of a client on its own row succeeded
//! and the row's version moved by exactly as many writes; every verify on its own
//! device was accepted in one round; on the shared device every request ended
//! `Accepted` or `Replayed` (or `Contention`), no step was accepted twice, and the
//! service's conflict count equals the lost swaps its answers report; every
//! sign-in was accepted in one round, no (device, step) twice, and each user ends
//! with no failure counted on it or its devices.
//! `OTPKIT_BENCH_STORES=redis,postgres` limits the stores, `OTPKIT_BENCH_CELLS=verify`
//! the cells (by their labels), and `OTPKIT_BENCH_OPS` sets the operations per
//! client of `cargo test`'s run (for counting: `/usr/bin/time -v` gives the
//! context switches of a known number of operations).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use otpkit::verifier::{Outcome, Policy};
use otpkit::{Secret, Totp};
use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{
    DeviceChoice, DeviceParams, DeviceStore, MemoryStore, MfaService, ServiceError,
};

/// 2027-01-15, a multiple of 30: the devices are enrolled at this simulated time.
const T0: u64 = 1_800_000_000;
const CONCURRENCY: [usize; 3] = [1, 4, 16];
const MAX_CLIENTS: usize = 16;
/// Devices per user in the sign-in cells (`MAX_DEVICES_PER_USER` is 8).
const DEVICES_PER_USER: [usize; 3] = [1, 3, 8];

type Store = Box<dyn DeviceStore + Send + Sync>;

fn keyring() -> Keyring {
    Keyring::new(SealingKey::new("bench-1", [42; 32]).unwrap())
}

/// The NIST bound: a run of `Replayed` answers on the shared device (a counted
/// failure each) must not lock it.
fn policy() -> Policy {
    Policy::default().with_max_failures(100).unwrap()
}

fn secret(n: usize) -> Secret {
    Secret::from_bytes(&[u8::try_from(n % 250 + 1).unwrap(); 20]).unwrap()
}

/// A row as a raw client read it: the two columns the conditional write compares.
struct RawRow {
    state: String,
    version: String,
}

/// The version after `v`, as a counter: a row's version moves by exactly one per
/// write, so the final version tells how many writes went through.
fn next_version(v: &str) -> String {
    let n = u128::from_str_radix(v, 16).unwrap();
    format!("{:032x}", n.wrapping_add(1))
}

fn writes_between(before: &str, after: &str) -> u128 {
    u128::from_str_radix(after, 16)
        .unwrap()
        .wrapping_sub(u128::from_str_radix(before, 16).unwrap())
}

/// One raw connection: the store's own statements (or script), on its own table.
trait RawClient: Send {
    fn read(&mut self, id: &str) -> RawRow;
    /// The store's compare-and-swap: state unchanged (the same text), `version`
    /// moved to `next`, if the row still has `read`'s version and state.
    fn write(&mut self, id: &str, read: &RawRow, next: &str) -> bool;
    /// A bare `SET` (Redis only).
    fn set(&mut self, _id: &str, _value: &str) {
        unreachable!("only Redis has a SET cell")
    }
}

/// A store under test: how to open one more connection for the service and for
/// a raw client.
trait Bench: Sync {
    fn name(&self) -> &'static str;
    fn service_store(&self) -> Store;
    fn raw(&self) -> Option<Box<dyn RawClient>>;
    fn has_set(&self) -> bool {
        false
    }
    /// What the table says about the server.
    fn describe(&self) -> String;
    /// Removes what the raw clients made beside the device rows.
    fn clean_up(&self, _ids: &[String]) {}
}

/// How a sign-in cell names the device: `DeviceChoice::Any` or `::Named`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Choose {
    Any,
    Named,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Cell {
    Write,
    Set,
    ReadWrite,
    Verify,
    ReadWriteShared,
    VerifyShared,
    /// `MfaService::sign_in` on the client's own user of this many devices.
    SignIn(Choose, usize),
}

impl Cell {
    fn label(self) -> String {
        match self {
            Cell::Write => "write".into(),
            Cell::Set => "SET".into(),
            Cell::ReadWrite => "read + write".into(),
            Cell::Verify => "verify".into(),
            Cell::ReadWriteShared => "read + write, shared".into(),
            Cell::VerifyShared => "verify, shared".into(),
            Cell::SignIn(Choose::Any, n) => format!("sign-in any of {n}"),
            Cell::SignIn(Choose::Named, n) => format!("sign-in named of {n}"),
        }
    }
}

#[derive(Clone, Copy)]
enum Stop {
    /// Each client does this many operations.
    Ops(u64),
    /// Every client stops after this long.
    After(Duration),
}

/// What the clients of one cell did.
#[derive(Default, Debug)]
struct Tally {
    ops: u64,
    /// Lost swaps (raw loop, or the service's conflicts).
    retries: u64,
    accepted: Vec<u64>,
    replayed: u64,
    contention: u64,
    /// The service's own counts: requests, conflicts.
    requests: u64,
    conflicts: u64,
    /// Lost swaps reported by the answers (`attempts - 1` each).
    answer_retries: u64,
    /// Sign-in cells: (user, device, step) of each accepted sign-in.
    signed_in: Vec<(usize, usize, u64)>,
}

impl Tally {
    fn merge(&mut self, o: Tally) {
        self.ops += o.ops;
        self.retries += o.retries;
        self.accepted.extend(o.accepted);
        self.replayed += o.replayed;
        self.contention += o.contention;
        self.requests += o.requests;
        self.conflicts += o.conflicts;
        self.answer_retries += o.answer_retries;
        self.signed_in.extend(o.signed_in);
    }
}

/// The devices (and their TOTP generators) one store's cells use, and the next
/// step each will verify.
struct Devices {
    prefix: String,
    phones: Vec<Totp>,
    /// Per own device, the last step used.
    steps: Vec<AtomicU64>,
    shared_phone: Totp,
    shared_step: AtomicU64,
    /// The sign-in cells' users, per entry of [`DEVICES_PER_USER`].
    users: Vec<Users>,
}

/// One user per client, each with `devices` named devices.
struct Users {
    devices: usize,
    /// Per client, per device.
    phones: Vec<Vec<Totp>>,
    /// Per client: sign-ins made on its user so far (the next one's number).
    signed: Vec<AtomicU64>,
}

/// Simulated steps between one sign-in of a user and the next: the policy's
/// whole sign-in window (4 behind, the step, 2 ahead), so the windows of two
/// sign-ins never overlap. The code of one device sometimes equals, by chance,
/// the code of another device (or of another step of its own) in the window;
/// that step is then accepted instead, and with windows apart it is never one a
/// later sign-in would type, so every sign-in is accepted whichever device's
/// code it is.
fn sign_in_spacing() -> u64 {
    let w = policy().window();
    u64::from(w.behind() + w.ahead() + 1)
}

fn device_name(k: usize) -> String {
    format!("phone {k}")
}

/// A secret of its own for device `k` of client `i`'s user of `n` devices.
fn user_secret(n: usize, i: usize, k: usize) -> Secret {
    let mut b = [0x5a; 20];
    b[0] = u8::try_from(n).unwrap();
    b[1] = u8::try_from(i).unwrap();
    b[2] = u8::try_from(k).unwrap();
    Secret::from_bytes(&b).unwrap()
}

impl Devices {
    fn own(&self, i: usize) -> String {
        format!("{}/dev-{i}", self.prefix)
    }
    fn raw(&self, i: usize) -> String {
        format!("{}/raw-{i}", self.prefix)
    }
    fn shared(&self) -> String {
        format!("{}/shared", self.prefix)
    }
    fn raw_shared(&self) -> String {
        format!("{}/raw-shared", self.prefix)
    }
    fn user(&self, n: usize, i: usize) -> String {
        format!("{}/user-{n}-{i}", self.prefix)
    }
    fn users(&self, n: usize) -> &Users {
        self.users.iter().find(|u| u.devices == n).unwrap()
    }
    fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = (0..MAX_CLIENTS)
            .flat_map(|i| [self.own(i), self.raw(i)])
            .collect();
        ids.push(self.shared());
        ids.push(self.raw_shared());
        ids
    }

    fn enrol(bench: &dyn Bench) -> Devices {
        let mut b = [0u8; 6];
        getrandom::fill(&mut b).unwrap();
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        let devices = Devices {
            prefix: format!("bench-{hex}"),
            phones: (0..MAX_CLIENTS)
                .map(|i| Totp::from_secret(&secret(i)))
                .collect(),
            steps: (0..MAX_CLIENTS).map(|_| AtomicU64::new(0)).collect(),
            shared_phone: Totp::from_secret(&secret(MAX_CLIENTS)),
            shared_step: AtomicU64::new(0),
            users: DEVICES_PER_USER
                .iter()
                .map(|&n| Users {
                    devices: n,
                    phones: (0..MAX_CLIENTS)
                        .map(|i| {
                            (0..n)
                                .map(|k| Totp::from_secret(&user_secret(n, i, k)))
                                .collect()
                        })
                        .collect(),
                    signed: (0..MAX_CLIENTS).map(|_| AtomicU64::new(0)).collect(),
                })
                .collect(),
        };
        let setup = MfaService::new(bench.service_store(), keyring(), policy());
        let code = |p: &Totp, t: u64| p.code_at(t).unwrap().to_string();
        for i in 0..=MAX_CLIENTS {
            let (s, phone) = (secret(i), Totp::from_secret(&secret(i)));
            let ids = if i == MAX_CLIENTS {
                vec![devices.shared(), devices.raw_shared()]
            } else {
                vec![devices.own(i), devices.raw(i)]
            };
            for id in ids {
                setup
                    .begin_enrollment(&id, &s, DeviceParams::default())
                    .unwrap();
                let a = setup
                    .enroll(&id, &code(&phone, T0 - 30), &code(&phone, T0), T0)
                    .unwrap();
                assert!(a.outcome.is_enrolled(), "{id}: {:?}", a.outcome);
            }
        }
        for users in &devices.users {
            let n = users.devices;
            for (i, phones) in users.phones.iter().enumerate() {
                let user = devices.user(n, i);
                for (k, phone) in phones.iter().enumerate() {
                    let name = device_name(k);
                    setup
                        .add_device(
                            &user,
                            &name,
                            &user_secret(n, i, k),
                            DeviceParams::default(),
                            T0,
                        )
                        .unwrap();
                    let a = setup
                        .enroll_device(&user, &name, &code(phone, T0 - 30), &code(phone, T0), T0)
                        .unwrap();
                    assert!(a.outcome.is_enrolled(), "{user}/{name}: {:?}", a.outcome);
                }
            }
        }
        devices
    }

    fn remove(&self, bench: &dyn Bench) {
        let setup = MfaService::new(bench.service_store(), keyring(), policy());
        for id in self.ids() {
            assert!(setup.remove(&id).unwrap(), "{id}");
        }
        for &n in &DEVICES_PER_USER {
            for i in 0..MAX_CLIENTS {
                let user = self.user(n, i);
                assert!(setup.remove_user(&user, T0).unwrap(), "{user}");
            }
        }
        bench.clean_up(&self.ids());
    }
}

/// Steps the sign-in window scans after the server's own (the default policy's 2;
/// the learned drift stays 0, as every code is typed at its own step).
const AHEAD: u64 = 2;

/// The codes a client types: for each step from a counter, skipping a step whose
/// code is also the code of one of the [`AHEAD`] steps after it (6 digits: about
/// one step in a million shares its code with the next; the verifier would accept
/// the later step, and the device's next code would be a replay).
///
/// On its own device a client is the only one taking steps, so each step's code
/// is computed once (kept for the [`AHEAD`] requests that compare with it): the
/// driver's share of a verify is one TOTP code. On the shared device the steps
/// come from one counter in every client's hands: three codes per request.
struct Codes<'a> {
    phone: &'a Totp,
    steps: &'a AtomicU64,
    own: bool,
    /// Own device: the codes of the steps after the counter's.
    ahead: std::collections::VecDeque<otpkit::Code>,
}

impl<'a> Codes<'a> {
    fn new(phone: &'a Totp, steps: &'a AtomicU64, own: bool) -> Self {
        Codes {
            phone,
            steps,
            own,
            ahead: Default::default(),
        }
    }

    fn code(&self, step: u64) -> otpkit::Code {
        self.phone.code_at(T0 + 30 * step).unwrap()
    }

    fn next(&mut self) -> (u64, String) {
        loop {
            let step = self.steps.fetch_add(1, Ordering::Relaxed) + 1;
            let c = if self.own {
                while self.ahead.len() < 1 + AHEAD as usize {
                    let k = step + self.ahead.len() as u64;
                    self.ahead.push_back(self.code(k));
                }
                self.ahead.pop_front().unwrap()
            } else {
                self.code(step)
            };
            let clash = if self.own {
                self.ahead.contains(&c)
            } else {
                (1..=AHEAD).any(|k| self.code(step + k) == c)
            };
            if !clash {
                return (step, c.to_string());
            }
        }
    }
}

/// Runs `cell` with `clients` clients; returns the tally and the elapsed time
/// (from the moment every client was connected and ready to the last one done).
fn run_cell(
    bench: &dyn Bench,
    devices: &Devices,
    cell: Cell,
    clients: usize,
    stop: Stop,
) -> (Tally, Duration) {
    let ready = Barrier::new(clients + 1);
    let stopped = AtomicBool::new(false);
    let go_on = |done: u64| match stop {
        Stop::Ops(n) => done < n,
        Stop::After(_) => !stopped.load(Ordering::Relaxed),
    };
    let (tally, elapsed) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                let (ready, go_on) = (&ready, &go_on);
                scope.spawn(move || client(bench, devices, cell, i, ready, go_on))
            })
            .collect();
        ready.wait();
        let started = Instant::now();
        if let Stop::After(d) = stop {
            std::thread::sleep(d);
            stopped.store(true, Ordering::Relaxed);
        }
        let mut total = Tally::default();
        for h in handles {
            total.merge(h.join().unwrap());
        }
        (total, started.elapsed())
    });
    check(bench, devices, cell, clients, stop, &tally);
    (tally, elapsed)
}

/// One client of a cell: connects, waits for the others, runs until told to stop.
fn client(
    bench: &dyn Bench,
    devices: &Devices,
    cell: Cell,
    i: usize,
    ready: &Barrier,
    go_on: &(dyn Fn(u64) -> bool + Sync),
) -> Tally {
    let mut t = Tally::default();
    match cell {
        Cell::Write | Cell::ReadWrite | Cell::Set | Cell::ReadWriteShared => {
            let mut raw = bench.raw().unwrap();
            let id = if cell == Cell::ReadWriteShared {
                devices.raw_shared()
            } else {
                devices.raw(i)
            };
            let mut row = raw.read(&id);
            let value = row.state.clone();
            ready.wait();
            while go_on(t.ops) {
                match cell {
                    Cell::Write => {
                        let next = next_version(&row.version);
                        assert!(
                            raw.write(&id, &row, &next),
                            "{id}: a write on its own row lost"
                        );
                        row.version = next;
                    }
                    Cell::Set => raw.set(&id, &value),
                    Cell::ReadWrite => {
                        let read = raw.read(&id);
                        let next = next_version(&read.version);
                        assert!(
                            raw.write(&id, &read, &next),
                            "{id}: a write on its own row lost"
                        );
                    }
                    Cell::ReadWriteShared => loop {
                        let read = raw.read(&id);
                        if raw.write(&id, &read, &next_version(&read.version)) {
                            break;
                        }
                        t.retries += 1;
                    },
                    Cell::Verify | Cell::VerifyShared | Cell::SignIn(..) => unreachable!(),
                }
                t.ops += 1;
            }
        }
        Cell::Verify | Cell::VerifyShared => {
            let service = MfaService::new(bench.service_store(), keyring(), policy());
            let shared = cell == Cell::VerifyShared;
            let (id, phone, steps) = if shared {
                (
                    devices.shared(),
                    &devices.shared_phone,
                    &devices.shared_step,
                )
            } else {
                (devices.own(i), &devices.phones[i], &devices.steps[i])
            };
            let mut codes = Codes::new(phone, steps, !shared);
            ready.wait();
            while go_on(t.ops) {
                let (step, code) = codes.next();
                let now = T0 + 30 * step;
                match service.verify(&id, &code, now) {
                    Ok(a) => {
                        t.answer_retries += u64::from(a.attempts - 1);
                        match a.outcome {
                            Outcome::Accepted { step: s, .. } => {
                                assert_eq!(s, T0 / 30 + step, "{id}");
                                t.accepted.push(s);
                            }
                            Outcome::Replayed if shared => t.replayed += 1,
                            other => panic!("{id}: step {step}: {other:?}"),
                        }
                    }
                    Err(ServiceError::Contention { attempts }) if shared => {
                        t.contention += 1;
                        t.answer_retries += u64::from(attempts);
                    }
                    Err(e) => panic!("{id}: {e}"),
                }
                t.ops += 1;
            }
            let stats = service.stats();
            (t.requests, t.conflicts) = (stats.requests, stats.conflicts);
            t.retries = stats.conflicts;
        }
        Cell::SignIn(choose, n) => {
            let service = MfaService::new(bench.service_store(), keyring(), policy());
            let users = devices.users(n);
            let user = devices.user(n, i);
            let names: Vec<String> = (0..n).map(device_name).collect();
            let spacing = sign_in_spacing();
            ready.wait();
            while go_on(t.ops) {
                // The user's devices in turn, each sign-in a window after the last.
                let number = users.signed[i].fetch_add(1, Ordering::Relaxed) + 1;
                let k = (number % n as u64) as usize;
                let now = T0 + 30 * spacing * number;
                let code = users.phones[i][k].code_at(now).unwrap().to_string();
                let choice = match choose {
                    Choose::Any => DeviceChoice::Any,
                    Choose::Named => DeviceChoice::Named(&names[k]),
                };
                let s = service
                    .sign_in(&user, &code, choice, now)
                    .unwrap_or_else(|e| panic!("{user}: sign-in {number}: {e}"));
                let Outcome::Accepted { step, .. } = s.outcome() else {
                    panic!("{user}: sign-in {number}: {:?}", s.outcome());
                };
                let device = s.device().expect("an accepted sign-in names its device");
                let d = names.iter().position(|m| m == device).unwrap();
                if choose == Choose::Named {
                    assert_eq!(d, k, "{user}: a named sign-in accepted on another device");
                }
                t.signed_in.push((i, d, step));
                t.ops += 1;
            }
            let stats = service.stats();
            (t.requests, t.conflicts) = (stats.requests, stats.conflicts);
            t.retries = stats.conflicts;
        }
    }
    t
}

/// The counts of a cell add up (see the module docs).
fn check(bench: &dyn Bench, devices: &Devices, cell: Cell, clients: usize, stop: Stop, t: &Tally) {
    if let Stop::Ops(n) = stop {
        assert_eq!(t.ops, n * clients as u64, "{cell:?}");
    }
    assert!(t.ops > 0, "{} {cell:?}: nothing ran", bench.name());
    match cell {
        Cell::Write | Cell::ReadWrite | Cell::Set => {}
        Cell::ReadWriteShared => {}
        Cell::Verify => {
            assert_eq!(t.accepted.len() as u64, t.ops);
            assert_eq!((t.requests, t.conflicts, t.answer_retries), (t.ops, 0, 0));
            let service = MfaService::new(bench.service_store(), keyring(), policy());
            for i in 0..clients {
                let last = devices.steps[i].load(Ordering::Relaxed);
                let state = service.state(&devices.own(i)).unwrap();
                assert_eq!(state.last_step(), Some(T0 / 30 + last), "device {i}");
            }
        }
        Cell::VerifyShared => {
            assert_eq!(t.requests, t.ops);
            assert_eq!(t.accepted.len() as u64 + t.replayed + t.contention, t.ops);
            assert_eq!(
                t.conflicts, t.answer_retries,
                "lost swaps counted and reported"
            );
            let mut steps = t.accepted.clone();
            steps.sort_unstable();
            let before = steps.len();
            steps.dedup();
            assert_eq!(
                steps.len(),
                before,
                "a step accepted twice on the shared device"
            );
            assert!(!steps.is_empty(), "nothing accepted on the shared device");
            let service = MfaService::new(bench.service_store(), keyring(), policy());
            let state = service.state(&devices.shared()).unwrap();
            assert_eq!(state.last_step(), steps.last().copied());
        }
        Cell::SignIn(_, n) => {
            // Every sign-in accepted, in one round each (a client alone on its user).
            assert_eq!(t.signed_in.len() as u64, t.ops);
            assert_eq!(t.conflicts, 0, "lost swaps on users nobody shares");
            let mut steps = t.signed_in.clone();
            steps.sort_unstable();
            let before = steps.len();
            steps.dedup();
            assert_eq!(steps.len(), before, "a step accepted twice on one device");
            // Each accepted sign-in cleared the user's count (taken before the check).
            let service = MfaService::new(bench.service_store(), keyring(), policy());
            for i in 0..clients {
                let user = devices.user(n, i);
                assert_eq!(service.user_status(&user).unwrap().failures, 0, "{user}");
                let listed = service.devices(&user).unwrap();
                assert_eq!(listed.len(), n, "{user}");
                assert!(
                    listed.iter().all(|d| d.enrolled && d.failures == 0),
                    "{user}: {listed:?}"
                );
            }
        }
    }
}

/// The raw rows' versions, to count the writes a cell made on them.
fn raw_versions(bench: &dyn Bench, devices: &Devices) -> Vec<String> {
    let mut raw = bench.raw().unwrap();
    (0..MAX_CLIENTS)
        .map(|i| devices.raw(i))
        .chain([devices.raw_shared()])
        .map(|id| raw.read(&id).version)
        .collect()
}

/// Throughputs of one (store, cell, clients) over the rounds.
type Samples = BTreeMap<(usize, Cell), Vec<(f64, f64)>>;

/// The cells of `bench`, all or those named in `OTPKIT_BENCH_CELLS` (by their
/// label, comma-separated: `verify,read + write`).
fn cells(bench: &dyn Bench) -> Vec<Cell> {
    let wanted = std::env::var("OTPKIT_BENCH_CELLS").ok();
    let mut cells = all_cells(bench);
    if let Some(wanted) = wanted {
        cells.retain(|c| wanted.split(',').any(|w| w.trim() == c.label()));
        assert!(
            !cells.is_empty(),
            "OTPKIT_BENCH_CELLS={wanted} names no cell"
        );
    }
    cells
}

fn all_cells(bench: &dyn Bench) -> Vec<Cell> {
    let mut cells = Vec::new();
    if bench.raw().is_some() {
        cells.push(Cell::Write);
        if bench.has_set() {
            cells.push(Cell::Set);
        }
        cells.push(Cell::ReadWrite);
    }
    cells.push(Cell::Verify);
    if bench.raw().is_some() {
        cells.push(Cell::ReadWriteShared);
    }
    cells.push(Cell::VerifyShared);
    for choose in [Choose::Any, Choose::Named] {
        for n in DEVICES_PER_USER {
            cells.push(Cell::SignIn(choose, n));
        }
    }
    cells
}

fn measure(bench: &dyn Bench, stop: Stop, rounds: usize) -> Samples {
    let devices = Devices::enrol(bench);
    let cells = cells(bench);
    let mut samples = Samples::new();
    for round in 0..rounds {
        for &clients in &CONCURRENCY {
            // A rotating order: no cell always runs first (or after the same one).
            let k = (round + clients) % cells.len();
            let order = cells[k..].iter().chain(&cells[..k]);
            for &cell in order {
                let before = bench.raw().map(|_| raw_versions(bench, &devices));
                let (t, elapsed) = run_cell(bench, &devices, cell, clients, stop);
                if let Some(before) = before {
                    let after = raw_versions(bench, &devices);
                    let writes: u128 = before
                        .iter()
                        .zip(&after)
                        .map(|(b, a)| writes_between(b, a))
                        .sum();
                    let expected = match cell {
                        Cell::Write | Cell::ReadWrite | Cell::ReadWriteShared => t.ops,
                        Cell::Set | Cell::Verify | Cell::VerifyShared | Cell::SignIn(..) => 0,
                    };
                    assert_eq!(
                        writes,
                        u128::from(expected),
                        "{} {cell:?}: writes",
                        bench.name()
                    );
                }
                let per_sec = t.ops as f64 / elapsed.as_secs_f64();
                let retry = t.retries as f64 / t.ops as f64;
                samples
                    .entry((clients, cell))
                    .or_default()
                    .push((per_sec, retry));
            }
        }
    }
    devices.remove(bench);
    samples
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if !n.is_multiple_of(2) {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn thousands(x: f64) -> String {
    let n = x.round() as u64;
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

fn report(bench: &dyn Bench, samples: &Samples) {
    println!("\n### {} ({})\n", bench.name(), bench.describe());
    println!(
        "| clients | operation | per second, median (min – max) | µs per op per client | retries per op | ÷ verify |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: |");
    for &clients in &CONCURRENCY {
        let verify = samples.get(&(clients, Cell::Verify));
        let verify_shared = samples.get(&(clients, Cell::VerifyShared));
        for ((_, cell), runs) in samples.iter().filter(|((c, _), _)| *c == clients) {
            let rates: Vec<f64> = runs.iter().map(|r| r.0).collect();
            let med = median(rates.clone());
            let (lo, hi) = rates
                .iter()
                .fold((f64::MAX, 0.0f64), |(l, h), &r| (l.min(r), h.max(r)));
            let retries = median(runs.iter().map(|r| r.1).collect());
            // The ceiling's throughput over the service's, per round (a sign-in's
            // over the one-device verify's: below 1).
            let against = match cell {
                Cell::Write | Cell::Set | Cell::ReadWrite | Cell::SignIn(..) => Some(verify),
                Cell::ReadWriteShared => Some(verify_shared),
                Cell::Verify | Cell::VerifyShared => None,
            };
            let ratio = against.flatten().map_or(String::new(), |v| {
                let r = median(runs.iter().zip(v).map(|(a, b)| a.0 / b.0).collect());
                format!("{r:.2}x")
            });
            let retry_text = match cell {
                Cell::ReadWriteShared | Cell::VerifyShared => format!("{retries:.2}"),
                Cell::Write | Cell::Set | Cell::ReadWrite | Cell::Verify | Cell::SignIn(..) => {
                    String::new()
                }
            };
            println!(
                "| {clients} | {} | {} ({} – {}) | {:.1} | {retry_text} | {ratio} |",
                cell.label(),
                thousands(med),
                thousands(lo),
                thousands(hi),
                clients as f64 * 1e6 / med,
            );
        }
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn env_num(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{var}={v} is not a number"))
        })
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test` does not (a check, not a measurement).
    let measuring = std::env::args().any(|a| a == "--bench");
    let (stop, rounds) = if measuring {
        let ms = env_num("OTPKIT_BENCH_MS", 400);
        let rounds = env_num("OTPKIT_BENCH_ROUNDS", 5);
        (Stop::After(Duration::from_millis(ms)), rounds as usize)
    } else {
        (Stop::Ops(env_num("OTPKIT_BENCH_OPS", 3)), 1)
    };
    let wanted = std::env::var("OTPKIT_BENCH_STORES").ok();
    let wanted = |name: &str| {
        wanted
            .as_deref()
            .is_none_or(|w| w.split(',').any(|s| s == name))
    };
    let dir = tempfile::tempdir().unwrap();
    let mut benches: Vec<Box<dyn Bench>> = Vec::new();
    if wanted("memory") {
        benches.push(Box::new(Memory(Arc::new(MemoryStore::new()))));
    }
    #[cfg(feature = "sqlite")]
    if wanted("sqlite") {
        benches.push(Box::new(sqlite::Sqlite::new(dir.path())));
    }
    #[cfg(not(feature = "sqlite"))]
    let _ = &dir;
    #[cfg(feature = "postgres")]
    if wanted("postgres") {
        match server_url("OTPKIT_TEST_POSTGRES_URL") {
            Some(url) => benches.push(Box::new(pg::Postgres::new(url))),
            None => println!("SKIP postgres: OTPKIT_TEST_POSTGRES_URL is not set"),
        }
    }
    #[cfg(not(feature = "postgres"))]
    println!("SKIP postgres: not in this build (feature `postgres`)");
    #[cfg(feature = "redis")]
    if wanted("redis") {
        match server_url("OTPKIT_TEST_REDIS_URL") {
            Some(url) => benches.push(Box::new(rd::Redis::new(url))),
            None => println!("SKIP redis: OTPKIT_TEST_REDIS_URL is not set"),
        }
    }
    #[cfg(not(feature = "redis"))]
    println!("SKIP redis: not in this build (feature `redis`)");

    let load_before = loadavg();
    let started = Instant::now();
    let results: Vec<Samples> = benches
        .iter()
        .map(|bench| measure(bench.as_ref(), stop, rounds))
        .collect();
    let mode = match stop {
        Stop::Ops(n) => format!("check mode: {n} operations per client per cell, counts checked"),
        Stop::After(d) => format!("{rounds} rounds of {} ms per cell", d.as_millis()),
    };
    println!(
        "\nstore ceilings ({mode}); {:.1} s; load average {load_before} before, {} after",
        started.elapsed().as_secs_f64(),
        loadavg()
    );
    for (bench, samples) in benches.iter().zip(results) {
        report(bench.as_ref(), &samples);
    }
}

/// The URL in `var`, if set. Unset, the store is skipped (and said so): this
/// binary also runs in the workspace's bench stage, where no server runs; the
/// device-store stage sets `OTPKIT_BENCH_REQUIRE_SERVERS=1`, which makes a missing
/// URL a failure there.
#[cfg(any(feature = "postgres", feature = "redis"))]
fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("OTPKIT_BENCH_REQUIRE_SERVERS").is_some() => {
            panic!("{var} is not set but OTPKIT_BENCH_REQUIRE_SERVERS is")
        }
        _ => None,
    }
}

/// The service over memory: its own CPU cost, no database.
struct Memory(Arc<MemoryStore>);

impl Bench for Memory {
    fn name(&self) -> &'static str {
        "memory"
    }
    fn service_store(&self) -> Store {
        Box::new(self.0.clone())
    }
    fn raw(&self) -> Option<Box<dyn RawClient>> {
        None
    }
    fn describe(&self) -> String {
        "MemoryStore, one mutex: the service's CPU cost alone".to_owned()
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::path::{Path, PathBuf};

    use otpkit_store::SqliteStore;
    use rusqlite::{Connection, OptionalExtension};

    use super::{Bench, RawClient, RawRow, Store};

    pub struct Sqlite {
        path: PathBuf,
    }

    impl Sqlite {
        pub fn new(dir: &Path) -> Self {
            Sqlite {
                path: dir.join("bench.sqlite"),
            }
        }
    }

    struct Raw(Connection);

    impl RawClient for Raw {
        fn read(&mut self, id: &str) -> RawRow {
            self.0
                .prepare("SELECT params, secret, state, version FROM otpkit_devices WHERE id = ?1")
                .unwrap()
                .query_row([id], |r| {
                    Ok(RawRow {
                        state: r.get(2)?,
                        version: r.get(3)?,
                    })
                })
                .optional()
                .unwrap()
                .unwrap()
        }

        fn write(&mut self, id: &str, read: &RawRow, next: &str) -> bool {
            let n = self
                .0
                .prepare(
                    "UPDATE otpkit_devices SET state = ?1, version = ?2
                     WHERE id = ?3 AND version = ?4 AND state = ?5",
                )
                .unwrap()
                .execute([&read.state, next, id, &read.version, &read.state])
                .unwrap();
            n == 1
        }
    }

    impl Bench for Sqlite {
        fn name(&self) -> &'static str {
            "sqlite"
        }
        fn service_store(&self) -> Store {
            Box::new(SqliteStore::open(&self.path).unwrap())
        }
        fn raw(&self) -> Option<Box<dyn RawClient>> {
            // As `SqliteStore::open` configures its connection.
            let conn = Connection::open(&self.path).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10))
                .unwrap();
            conn.pragma_update(None, "journal_mode", "WAL").unwrap();
            Some(Box::new(Raw(conn)))
        }
        fn describe(&self) -> String {
            format!(
                "SQLite {} bundled, one file on the local disk, WAL, synchronous FULL, each client its own connection",
                rusqlite::version()
            )
        }
    }
}

#[cfg(feature = "postgres")]
mod pg {
    use otpkit_store::PostgresStore;
    use postgres::{Client, NoTls, Statement};

    use super::{Bench, RawClient, RawRow, Store};

    pub struct Postgres {
        url: String,
    }

    impl Postgres {
        pub fn new(url: String) -> Self {
            Postgres { url }
        }
    }

    struct Raw {
        client: Client,
        read: Statement,
        write: Statement,
    }

    impl RawClient for Raw {
        fn read(&mut self, id: &str) -> RawRow {
            let r = self.client.query_one(&self.read, &[&id]).unwrap();
            RawRow {
                state: r.get(2),
                version: r.get(3),
            }
        }

        fn write(&mut self, id: &str, read: &RawRow, next: &str) -> bool {
            let n = self
                .client
                .execute(
                    &self.write,
                    &[&read.state, &next, &id, &read.version, &read.state],
                )
                .unwrap();
            n == 1
        }
    }

    impl Bench for Postgres {
        fn name(&self) -> &'static str {
            "postgres"
        }
        fn service_store(&self) -> Store {
            Box::new(PostgresStore::connect(&self.url).unwrap())
        }
        fn raw(&self) -> Option<Box<dyn RawClient>> {
            let mut client = Client::connect(&self.url, NoTls).unwrap();
            // The store's own statements (src/postgres.rs), prepared once.
            let read = client
                .prepare("SELECT params, secret, state, version FROM otpkit_devices WHERE id = $1")
                .unwrap();
            let write = client
                .prepare(
                    "UPDATE otpkit_devices SET state = $1, version = $2
                     WHERE id = $3 AND version = $4 AND state = $5",
                )
                .unwrap();
            Some(Box::new(Raw {
                client,
                read,
                write,
            }))
        }
        fn describe(&self) -> String {
            let mut client = Client::connect(&self.url, NoTls).unwrap();
            let v: String = client.query_one("SHOW server_version", &[]).unwrap().get(0);
            let fsync: String = client.query_one("SHOW fsync", &[]).unwrap().get(0);
            format!("PostgreSQL {v} on loopback, fsync={fsync}, each client its own connection")
        }
    }
}

#[cfg(feature = "redis")]
mod rd {
    use otpkit_store::RedisStore;
    use redis::{Connection, Script};

    use super::{Bench, RawClient, RawRow, Store};

    pub struct Redis {
        url: String,
    }

    impl Redis {
        pub fn new(url: String) -> Self {
            Redis { url }
        }
    }

    /// `RedisStore::connect`'s key layout: `otpkit:device:ID`.
    fn key(id: &str) -> String {
        format!("otpkit:device:{id}")
    }

    /// The key of the bare `SET` cell.
    fn set_key(id: &str) -> String {
        format!("otpkit:bench-set:{id}")
    }

    struct Raw {
        conn: Connection,
        cas: Script,
    }

    impl RawClient for Raw {
        fn read(&mut self, id: &str) -> RawRow {
            let (_params, _secret, state, version): (String, String, String, String) =
                redis::cmd("HMGET")
                    .arg(key(id))
                    .arg(&["params", "secret", "state", "version"])
                    .query(&mut self.conn)
                    .unwrap();
            RawRow { state, version }
        }

        fn write(&mut self, id: &str, read: &RawRow, next: &str) -> bool {
            let n: i64 = self
                .cas
                .key(key(id))
                .arg("state")
                .arg(&read.state)
                .arg(&read.state)
                .arg(&read.version)
                .arg(next)
                .invoke(&mut self.conn)
                .unwrap();
            n == 1
        }

        fn set(&mut self, id: &str, value: &str) {
            let () = redis::cmd("SET")
                .arg(set_key(id))
                .arg(value)
                .query(&mut self.conn)
                .unwrap();
        }
    }

    impl Bench for Redis {
        fn name(&self) -> &'static str {
            "redis"
        }
        fn service_store(&self) -> Store {
            Box::new(RedisStore::connect(&self.url).unwrap())
        }
        fn raw(&self) -> Option<Box<dyn RawClient>> {
            let conn = redis::Client::open(self.url.as_str())
                .unwrap()
                .get_connection()
                .unwrap();
            Some(Box::new(Raw {
                conn,
                // The store's compare-and-swap script, the same text.
                cas: Script::new(include_str!("../src/lua/cas.lua")),
            }))
        }
        fn has_set(&self) -> bool {
            true
        }
        fn clean_up(&self, ids: &[String]) {
            let mut conn = redis::Client::open(self.url.as_str())
                .unwrap()
                .get_connection()
                .unwrap();
            let keys: Vec<String> = ids.iter().map(|id| set_key(id)).collect();
            let _: i64 = redis::cmd("DEL").arg(&keys).query(&mut conn).unwrap();
        }
        fn describe(&self) -> String {
            let mut conn = redis::Client::open(self.url.as_str())
                .unwrap()
                .get_connection()
                .unwrap();
            let info: String = redis::cmd("INFO").arg("server").query(&mut conn).unwrap();
            let v = info
                .lines()
                .find_map(|l| l.strip_prefix("redis_version:"))
                .unwrap_or("?")
                .trim()
                .to_owned();
            format!("Redis {v} on loopback, no persistence, each client its own connection")
        }
    }
}
