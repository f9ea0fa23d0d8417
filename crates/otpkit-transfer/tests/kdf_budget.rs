//! One key-derivation budget per import: every password slot and every derivation of
//! a file is charged to it before it runs, a file asking for more is refused with
//! `ImportError::KdfBudget` (quickly, and before any large allocation), and a caller
//! who trusts a file can allow more with `import_with`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use otpkit_transfer::{
    Format, ImportError, ImportOptions, OverBudget, WorkBudget, import, import_with,
};

const PW: &[u8] = b"otpkit-test";

/// The system allocator, recording the largest single allocation of the current
/// thread (tests run on threads of their own).
struct Largest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to `System`; the bookkeeping only reads
// the layout's size and writes a thread-local `Cell` that does not allocate.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(layout.size())));
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(layout.size())));
        // SAFETY: the caller's contract for `alloc_zeroed` is passed on as is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (above).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LARGEST.try_with(|l| l.set(l.get().max(new_size)));
        // SAFETY: the caller's contract for `realloc` is passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

/// The largest single allocation `f` made on this thread, and its result.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (usize, T) {
    LARGEST.with(|l| l.set(0));
    let out = f();
    (LARGEST.with(Cell::get), out)
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

fn seal(key: &[u8], nonce: &[u8; 12], plaintext: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cipher = Aes256Gcm::new_from_slice(key).unwrap();
    let mut buf = plaintext.to_vec();
    let tag = cipher
        .encrypt_inout_detached(&Nonce::from(*nonce), &[], buf.as_mut_slice().into())
        .unwrap();
    (buf, tag.to_vec())
}

/// What one password slot of a test vault holds.
struct Slot<'a> {
    password: &'a [u8],
    n: u64,
    r: u32,
    p: u32,
    /// Whether the slot really wraps the master key (else its key is random bytes,
    /// as in a hostile file: the slot costs its scrypt and never opens).
    real: bool,
}

const DB: &str = r#"{"version":2,"entries":[{"type":"totp","name":"alice","issuer":"Example",
    "info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"period":30}}]}"#;

/// An encrypted Aegis vault (Aegis's documented layout) with these password slots.
fn aegis_vault(slots: &[Slot<'_>]) -> Vec<u8> {
    let master = [0x5a; 32];
    let (db, db_tag) = seal(&master, &[1; 12], DB.as_bytes());
    let slots: Vec<serde_json::Value> = slots
        .iter()
        .enumerate()
        .map(|(i, slot)| {
            let salt = [u8::try_from(i % 251).unwrap(); 32];
            let (key, tag) = if slot.real {
                let mut kek = [0u8; 32];
                let mut unlimited = WorkBudget::new(u64::MAX, u64::MAX);
                otpkit_kdf::scrypt(
                    &mut unlimited,
                    slot.password,
                    &salt,
                    slot.n,
                    slot.r,
                    slot.p,
                    &mut kek,
                )
                .unwrap();
                seal(&kek, &[2; 12], &master)
            } else {
                (vec![0x33; 32], vec![0x44; 16])
            };
            serde_json::json!({
                "type": 1, "uuid": format!("slot-{i}"), "key": hex(&key),
                "key_params": {"nonce": hex(&[2; 12]), "tag": hex(&tag)},
                "n": slot.n, "r": slot.r, "p": slot.p, "salt": hex(&salt),
                "repaired": true, "is_backup": false
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "version": 1,
        "header": {"slots": slots, "params": {"nonce": hex(&[1; 12]), "tag": hex(&db_tag)}},
        "db": base64::engine::general_purpose::STANDARD.encode(&db),
    }))
    .unwrap()
}

/// What one slot of `n`, `r`, `p` costs (a 32-byte salt and key, the test password).
fn slot_cost(n: u64, r: u32, p: u32) -> u64 {
    let mut unlimited = WorkBudget::new(u64::MAX, u64::MAX);
    otpkit_kdf::scrypt(&mut unlimited, PW, &[0; 32], n, r, p, &mut [0; 32]).unwrap();
    unlimited.spent()
}

fn over_budget(result: Result<otpkit_transfer::Import, ImportError>, f: Format) -> OverBudget {
    match result {
        Err(ImportError::KdfBudget { format, exceeded }) if format == f => exceeded,
        other => panic!("expected the budget error, got {other:?}"),
    }
}

#[test]
fn a_vault_with_many_password_slots_is_refused_once_the_budget_is_spent() {
    // A thousand slots of Aegis's own scrypt (N=2^15, r=8, p=1), none of which opens:
    // tried one by one without a shared budget, about 100 s of CPU (and a 16 MiB file
    // holds 50 000 of them).
    let hostile = aegis_vault(
        &(0..1000)
            .map(|_| Slot {
                password: PW,
                n: 1 << 15,
                r: 8,
                p: 1,
                real: false,
            })
            .collect::<Vec<_>>(),
    );
    let (took, result) = timed(|| import(Format::Aegis, &hostile, Some(PW)));
    let exceeded = over_budget(result, Format::Aegis);
    assert!(exceeded.work_exceeded() && !exceeded.memory_exceeded());
    assert_eq!(exceeded.work_allowed, WorkBudget::DEFAULT_WORK);
    // Refused at the first slot that no longer fits: the slots before it were spent.
    let per_slot = slot_cost(1 << 15, 8, 1);
    let tried = WorkBudget::DEFAULT_WORK / per_slot;
    assert_eq!(exceeded.work_needed, (tried + 1) * per_slot);
    assert!(tried < 20, "{tried} slots tried");
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[test]
fn the_slots_of_one_vault_share_one_budget() {
    // Two slots for other passwords before the right one, as a vault shared by
    // several people could have.
    let slot = |password, real| Slot {
        password,
        n: 1 << 10,
        r: 8,
        p: 1,
        real,
    };
    let vault = aegis_vault(&[
        slot(b"someone else", true),
        slot(b"another one", true),
        slot(PW, true),
    ]);
    let read = import(Format::Aegis, &vault, Some(PW)).unwrap();
    assert_eq!(read.accounts.len(), 1);
    let per_slot = slot_cost(1 << 10, 8, 1);
    let exact = ImportOptions {
        budget: WorkBudget::new(3 * per_slot, WorkBudget::DEFAULT_MAX_MEMORY),
    };
    let read = import_with(Format::Aegis, &vault, Some(PW), &exact).unwrap();
    assert_eq!(read.accounts.len(), 1);
    let short = ImportOptions {
        budget: WorkBudget::new(3 * per_slot - 1, WorkBudget::DEFAULT_MAX_MEMORY),
    };
    let exceeded = over_budget(
        import_with(Format::Aegis, &vault, Some(PW), &short),
        Format::Aegis,
    );
    assert_eq!(
        (exceeded.work_needed, exceeded.work_allowed),
        (3 * per_slot, 3 * per_slot - 1)
    );
}

#[test]
fn a_larger_budget_opens_a_vault_heavier_than_the_default() {
    // scrypt N=2^15, r=8, p=16: 32 MiB like Aegis's own, but sixteen lanes, about
    // 1.6 s: more than the default work budget.
    let heavy = aegis_vault(&[Slot {
        password: PW,
        n: 1 << 15,
        r: 8,
        p: 16,
        real: true,
    }]);
    let (took, result) = timed(|| import(Format::Aegis, &heavy, Some(PW)));
    let exceeded = over_budget(result, Format::Aegis);
    assert!(exceeded.work_exceeded() && !exceeded.memory_exceeded());
    assert_eq!(exceeded.work_needed, slot_cost(1 << 15, 8, 16));
    assert!(
        took < Duration::from_millis(500),
        "refused before running: {took:?}"
    );
    let trusted = ImportOptions {
        budget: WorkBudget::new(exceeded.work_needed, WorkBudget::DEFAULT_MAX_MEMORY),
    };
    let read = import_with(Format::Aegis, &heavy, Some(PW), &trusted).unwrap();
    assert_eq!(read.accounts.len(), 1);
    assert_eq!(read.accounts[0].issuer.as_deref(), Some("Example"));
}

/// A password-protected Bitwarden export whose Argon2id asks for `memory_mib` MiB,
/// `passes` and `lanes` (its encrypted values are placeholders: the key derivation
/// comes first).
fn bitwarden_argon2(memory_mib: u32, passes: u32, lanes: u32) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "encrypted": true, "passwordProtected": true, "salt": "c2FsdHNhbHQ=",
        "kdfType": 1, "kdfIterations": passes, "kdfMemory": memory_mib,
        "kdfParallelism": lanes,
        "encKeyValidation_DO_NOT_EDIT": "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAA|AAAA",
        "data": "2.AAAAAAAAAAAAAAAAAAAAAA==|AAAA|AAAA"
    }))
    .unwrap()
}

#[test]
fn a_bitwarden_argon2_of_1_gib_and_64_passes_is_refused_before_allocating() {
    // Unbounded, this derivation takes about a minute and a gigabyte of memory.
    let hostile = bitwarden_argon2(1024, 64, 64);
    let (largest, (took, result)) =
        largest_allocation(|| timed(|| import(Format::Bitwarden, &hostile, Some(PW))));
    let exceeded = over_budget(result, Format::Bitwarden);
    assert!(exceeded.memory_exceeded() && exceeded.work_exceeded());
    assert_eq!(exceeded.memory_needed, 1 << 30);
    assert_eq!(exceeded.memory_allowed, WorkBudget::DEFAULT_MAX_MEMORY);
    assert!(
        largest < 1 << 20,
        "the largest allocation was {largest} bytes"
    );
    assert!(took < Duration::from_millis(500), "took {took:?}");
}

#[test]
fn a_bitwarden_argon2_within_the_memory_cap_but_not_the_work_is_refused() {
    // 256 MiB (the default cap) but 64 passes: 16 M units of work.
    let hostile = bitwarden_argon2(256, 64, 4);
    let (largest, result) = largest_allocation(|| import(Format::Bitwarden, &hostile, Some(PW)));
    let exceeded = over_budget(result, Format::Bitwarden);
    assert!(exceeded.work_exceeded() && !exceeded.memory_exceeded());
    assert!(largest < 1 << 20, "largest allocation {largest} bytes");
}

#[test]
fn a_memory_cap_raised_explicitly_lets_a_larger_argon2_run() {
    // Bitwarden's default Argon2id (64 MiB, 3 passes, 4 lanes) under a 32 MiB cap is
    // refused; with the cap raised the key is derived (and the placeholder validation
    // value then fails as a wrong password would).
    let export = bitwarden_argon2(64, 3, 4);
    let small = ImportOptions {
        budget: WorkBudget::new(WorkBudget::DEFAULT_WORK, 32 << 20),
    };
    let exceeded = over_budget(
        import_with(Format::Bitwarden, &export, Some(PW), &small),
        Format::Bitwarden,
    );
    assert!(exceeded.memory_exceeded() && !exceeded.work_exceeded());
    assert_eq!(exceeded.memory_needed, 64 << 20);
    let raised = ImportOptions {
        budget: WorkBudget::new(WorkBudget::DEFAULT_WORK, 64 << 20),
    };
    assert_eq!(
        import_with(Format::Bitwarden, &export, Some(PW), &raised).unwrap_err(),
        ImportError::WrongPassword {
            format: Format::Bitwarden
        }
    );
}

#[test]
fn a_current_andotp_backup_beyond_the_budget_reads_as_the_old_format() {
    // tests/data/andotp_encrypted.bin: the current format, 2000 PBKDF2-SHA1
    // iterations. With too small a budget the current format is not tried, and
    // the old one does not open it.
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/andotp_encrypted.bin"
    ))
    .unwrap();
    assert_eq!(file[..4], 2000u32.to_be_bytes());
    let tiny = ImportOptions {
        budget: WorkBudget::new(100, 0),
    };
    assert_eq!(
        import_with(Format::AndOtp, &file, Some(PW), &tiny).unwrap_err(),
        ImportError::WrongPassword {
            format: Format::AndOtp
        }
    );
    assert!(
        !import(Format::AndOtp, &file, Some(PW))
            .unwrap()
            .accounts
            .is_empty()
    );
}

#[test]
fn the_budget_error_says_what_to_do_and_nothing_secret() {
    let message = ImportError::KdfBudget {
        format: Format::Bitwarden,
        exceeded: over_budget(
            import(Format::Bitwarden, &bitwarden_argon2(1024, 64, 64), Some(PW)),
            Format::Bitwarden,
        ),
    }
    .to_string();
    assert!(
        message.starts_with(
            "the bitwarden file asks for more key-derivation work than allowed: the key \
             derivation needs at least "
        ),
        "{message}"
    );
    assert!(
        message.contains("1 GiB of memory (256 MiB allowed)"),
        "{message}"
    );
    assert!(
        message.ends_with("allow more with a larger WorkBudget"),
        "{message}"
    );
    assert!(!message.contains("otpkit-test") && !message.contains("c2FsdHNhbHQ"));
}
