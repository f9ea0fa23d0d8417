//! Accounts (a demo store in memory: name → Argon2id salt and hash) and the one
//! place passwords are hashed, with a bound on how many hashes run at once.
//!
//! Argon2id with the `argon2` crate's defaults (m = 19 456 KiB, t = 2, p = 1,
//! OWASP's minimum for Argon2id) fills 19 MiB and takes tens of milliseconds per
//! hash, and anyone may ask for one (signing in with any name costs a hash). So a
//! hash needs a [`HashPermit`], which owns one of [`hash_slots`] blocks of
//! Argon2 memory: a request that finds none free is answered 503 at once
//! ([`Failure::Busy`]) instead of waiting in an unbounded queue. Each block is
//! allocated the first time its slot hashes and then reused, never freed: the
//! memory stays at slots × 19 MiB whatever the allocator would have made of
//! freeing and allocating 19 MiB over and over.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use argon2::{Argon2, Block, Params};

use crate::csrf::secrets_equal;
use crate::error::Failure;

/// The most accounts kept; sign-up is refused beyond it.
pub const MAX_ACCOUNTS: usize = 10_000;

/// The most password hashes that run at once, whatever the machine.
pub const MAX_HASH_SLOTS: usize = 4;

/// How many hashes run at once here: one per core, at most [`MAX_HASH_SLOTS`].
/// More than the cores only queues in the blocking pool; the cap keeps Argon2's
/// memory at most `MAX_HASH_SLOTS` × 19 MiB = 76 MiB.
pub fn hash_slots() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_HASH_SLOTS)
}

/// Argon2's memory for one hash, in 1 KiB blocks.
const BLOCKS: usize = Params::DEFAULT.block_count();
/// Random salt per account, bytes.
const SALT_LEN: usize = 16;
/// Hash length, bytes.
const HASH_LEN: usize = 32;

/// An account's password, hashed.
#[derive(Clone, Copy)]
struct Credential {
    salt: [u8; SALT_LEN],
    hash: [u8; HASH_LEN],
}

/// What an unknown name is checked against: the same work as a real check, and
/// no password's hash (a 256-bit hash of zeros).
const NOBODY: Credential = Credential {
    salt: [0x55; SALT_LEN],
    hash: [0; HASH_LEN],
};

/// The hashing slots: a block of Argon2 memory per slot (`None` until the slot
/// first hashes), on the shelf while no request holds it.
struct Slots(Mutex<Vec<Option<Box<[Block]>>>>);

impl Slots {
    fn shelf(&self) -> MutexGuard<'_, Vec<Option<Box<[Block]>>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The right to run one password hash, with the slot's memory: taken in the async
/// handler and carried into the blocking task; back on the shelf when dropped.
pub struct HashPermit {
    memory: Option<Box<[Block]>>,
    slots: Arc<Slots>,
}

impl HashPermit {
    /// Argon2id of `password` with `salt`, in this slot's memory.
    fn hash(&mut self, password: &[u8], salt: &[u8]) -> Result<[u8; HASH_LEN], argon2::Error> {
        let memory = self
            .memory
            .get_or_insert_with(|| vec![Block::new(); BLOCKS].into_boxed_slice());
        let mut out = [0u8; HASH_LEN];
        Argon2::default().hash_password_into_with_memory(
            password,
            salt,
            &mut out,
            &mut memory[..],
        )?;
        Ok(out)
    }
}

impl Drop for HashPermit {
    fn drop(&mut self) {
        self.slots.shelf().push(self.memory.take());
    }
}

/// What a sign-up came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUp {
    /// The account exists now.
    Created,
    /// An account has this name already.
    Taken,
    /// [`MAX_ACCOUNTS`] accounts exist.
    Full,
}

/// The accounts and the password-hashing slots.
pub struct Accounts {
    users: Mutex<BTreeMap<String, Credential>>,
    slots: Arc<Slots>,
    max: usize,
}

impl Accounts {
    /// No accounts; `slots` hashes at once; at most `max` accounts.
    pub fn new(slots: usize, max: usize) -> Self {
        Accounts {
            users: Mutex::default(),
            slots: Arc::new(Slots(Mutex::new(vec![None; slots]))),
            max,
        }
    }

    /// A hashing slot, or [`Failure::Busy`] if every one is taken.
    pub fn permit(&self) -> Result<HashPermit, Failure> {
        let memory = self.slots.shelf().pop().ok_or(Failure::Busy)?;
        Ok(HashPermit {
            memory,
            slots: Arc::clone(&self.slots),
        })
    }

    /// Creates the account `name` with `password` hashed (blocking: run it off the
    /// async threads). `Err`: no randomness for the salt, or the hash failed.
    pub fn create(
        &self,
        mut permit: HashPermit,
        name: &str,
        password: &[u8],
    ) -> Result<SignUp, String> {
        if self.is_full() {
            return Ok(SignUp::Full);
        }
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
        let hash = permit.hash(password, &salt).map_err(|e| e.to_string())?;
        drop(permit);
        let mut users = self.lock();
        if users.contains_key(name) {
            return Ok(SignUp::Taken);
        }
        if users.len() >= self.max {
            return Ok(SignUp::Full);
        }
        users.insert(name.to_owned(), Credential { salt, hash });
        Ok(SignUp::Created)
    }

    /// Whether `password` is `name`'s (blocking). An unknown name costs the same
    /// Argon2 run as a wrong password, so the time taken does not tell which names
    /// have accounts.
    pub fn check(&self, mut permit: HashPermit, name: &str, password: &[u8]) -> bool {
        let known = self.lock().get(name).copied();
        let credential = known.unwrap_or(NOBODY);
        let matches = permit
            .hash(password, &credential.salt)
            .is_ok_and(|hash| secrets_equal(&hash, &credential.hash));
        drop(permit);
        known.is_some() && matches
    }

    /// Every account name, in order.
    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Whether no more accounts may be created.
    pub fn is_full(&self) -> bool {
        self.lock().len() >= self.max
    }

    /// Takes every free hashing slot until the permits are dropped (as if that
    /// many sign-ins were being hashed).
    #[cfg(test)]
    pub fn hold_every_slot(&self) -> Vec<HashPermit> {
        std::iter::from_fn(|| self.permit().ok()).collect()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Credential>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The memory bound in the README is slots × 19 MiB: the crate's default cost,
    /// Argon2id, and what the hash is (RFC 9106's Argon2id over the same inputs).
    #[test]
    fn a_hash_is_argon2id_with_the_crates_defaults_in_19_mib() {
        let params = Argon2::default().params().clone();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19 * 1024, 2, 1)
        );
        assert_eq!(BLOCKS * Block::SIZE, 19 << 20);
        let accounts = Accounts::new(1, 1);
        let mut permit = accounts.permit().unwrap();
        let ours = permit.hash(b"password", b"somesalt").unwrap();
        let mut theirs = [0u8; HASH_LEN];
        Argon2::default()
            .hash_password_into(b"password", b"somesalt", &mut theirs)
            .unwrap();
        assert_eq!(ours, theirs);
        // The slot's memory goes back on the shelf and is used again.
        drop(permit);
        assert!(accounts.slots.shelf()[0].is_some());
    }

    #[test]
    fn hashing_slots_run_out_and_come_back_and_accounts_stop_at_the_cap() {
        let accounts = Accounts::new(2, 2);
        let a = accounts.permit().unwrap();
        let b = accounts.permit().unwrap();
        assert!(matches!(accounts.permit(), Err(Failure::Busy)));
        drop(a);
        assert_eq!(
            accounts.create(b, "ann", b"password one"),
            Ok(SignUp::Created)
        );
        let p = accounts.permit().unwrap();
        assert_eq!(accounts.create(p, "ann", b"other"), Ok(SignUp::Taken));
        let p = accounts.permit().unwrap();
        assert_eq!(
            accounts.create(p, "bob", b"password two"),
            Ok(SignUp::Created)
        );
        let p = accounts.permit().unwrap();
        assert_eq!(accounts.create(p, "cyd", b"password"), Ok(SignUp::Full));
        let p = accounts.permit().unwrap();
        assert!(accounts.check(p, "ann", b"password one"));
        let p = accounts.permit().unwrap();
        assert!(!accounts.check(p, "ann", b"password two"));
        let p = accounts.permit().unwrap();
        assert!(!accounts.check(p, "nobody", b"password one"));
        assert_eq!(accounts.names(), ["ann", "bob"]);
        let held = accounts.hold_every_slot();
        assert!(matches!(accounts.permit(), Err(Failure::Busy)));
        drop(held);
        assert!(accounts.permit().is_ok());
    }
}
