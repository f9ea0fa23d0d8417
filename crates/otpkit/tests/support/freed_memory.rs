//! A global allocator that looks for secret material in every heap block freed on the
//! thread that armed it: the probe behind the freed-memory hygiene tests of the core,
//! `otpkit-transfer` and the bindings. Include with
//! `#[path = "<…>/crates/otpkit/tests/support/freed_memory.rs"] mod freed_memory;`
//! (each test binary gets its own `#[global_allocator]`); it needs only `std`.
//!
//! [`copies_left`] runs a closure with the probe armed and says how many copies of the
//! given secrets the blocks freed meanwhile still held. A secret is looked for in every
//! form it is written in ([`forms`]): its raw bytes, Base32 (upper and lower case, plain
//! and grouped), hex (both cases), base64 (standard and URL-safe, at each of the three
//! byte alignments it can have inside a longer base64 text, and percent-encoded as a URI
//! carries it) and decimal byte lists (Java's signed bytes as JSON writes them, and
//! Rust's `Debug`). Any run of [`WINDOW`] characters of a form counts, so a partial
//! copy (a buffer that held the start of a secret when it grew) is found too. One
//! secret found in one freed block is one copy.
//!
//! Soundness of the `unsafe` here. Every allocation is made zeroed, and `realloc` is
//! an allocation plus a copy plus a `dealloc` (so every block that is given up passes
//! through `dealloc`, also when a growing buffer moves, and a new block never starts
//! with another block's old bytes). `dealloc` is handed a pointer that `System`
//! allocated with `layout` and that stays allocated until it is passed on, so reading
//! `layout.size()` bytes from it is in bounds. Bytes may still be uninitialised in the
//! abstract machine although memory holds values (a typed copy leaves a struct's
//! padding uninitialised), and reading those as `u8` would be undefined behaviour; so
//! before reading, the block is passed to an empty inline-assembly block that may
//! read and write the memory behind the pointer (no `nomem`/`readonly`): the compiler
//! must assume it wrote initialised bytes there, which freezes the block to the values
//! memory holds. The scan allocates nothing, so it cannot re-enter the allocator (the
//! opt-in backtrace report, which does, disarms the probe while it runs); the
//! thread-local flags are const-initialised without destructors, and the needles'
//! thread-local is only touched by the allocator while armed, after it was set.
//!
//! The inline assembly needs a target with stable `asm!` (x86, x86-64, ARM, AArch64,
//! RISC-V, LoongArch, s390x): the targets these tests run on.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};

/// The length of the runs of a form that are looked for.
pub const WINDOW: usize = 16;

/// The most distinct secrets one probe looks for.
pub const MAX_SECRETS: usize = 64;

/// The names of the forms, in the order [`forms`] gives them.
pub const FORM_NAMES: [&str; 14] = [
    "raw bytes",
    "Base32",
    "Base32 lowercase",
    "Base32 grouped",
    "Base32 grouped lowercase",
    "hex",
    "hex uppercase",
    "base64",
    "base64 (URL-safe)",
    "base64 (percent-encoded)",
    "signed decimal bytes",
    "signed decimal bytes, spaced",
    "decimal bytes (Debug)",
    "decimal bytes, unspaced",
];

/// One run of a form: its text, and which secret and form it belongs to.
type Needle = ([u8; WINDOW], u16, u8);

/// What the armed allocator looks for: every `WINDOW`-long run of every form of every
/// secret, sorted for binary search, and a bitmap of the 8-byte pieces of those runs.
///
/// The scan reads a block 8 bytes at a time: a run found anywhere in the block covers
/// one of those aligned 8-byte words whole (it is 16 bytes long), as one of its pieces
/// at an offset from 0 to 7; only where the bitmap knows the word are the eight
/// starts it could belong to looked up.
struct Needles {
    runs: Vec<Needle>,
    pieces: Box<[u64; PIECE_WORDS]>,
}

/// The pieces' bitmap: 2^20 bits (128 KiB), so that few words of other data hit it.
const PIECE_BITS: u32 = 20;
const PIECE_WORDS: usize = (1 << PIECE_BITS) / 64;

fn piece_bit(piece: &[u8]) -> usize {
    let word = u64::from_le_bytes(piece.try_into().unwrap());
    (word.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - PIECE_BITS)) as usize
}

impl Needles {
    fn new(secrets: &[&[u8]]) -> Self {
        assert!(
            secrets.len() <= MAX_SECRETS,
            "too many secrets for one probe"
        );
        let mut runs = Vec::new();
        for (owner, secret) in secrets.iter().enumerate() {
            for (form, text) in forms(secret).iter().enumerate() {
                for run in text.windows(WINDOW) {
                    let mut needle = [0u8; WINDOW];
                    needle.copy_from_slice(run);
                    runs.push((needle, owner as u16, form as u8));
                }
            }
        }
        runs.sort();
        runs.dedup_by(|a, b| a.0 == b.0);
        let mut pieces = vec![0u64; PIECE_WORDS].into_boxed_slice();
        for (run, _, _) in &runs {
            for offset in 0..8 {
                let bit = piece_bit(&run[offset..offset + 8]);
                pieces[bit / 64] |= 1 << (bit % 64);
            }
        }
        Needles {
            runs,
            pieces: pieces.try_into().unwrap(),
        }
    }

    /// Marks in `found` (by secret) the form of each secret `block` holds.
    fn scan(&self, block: &[u8], found: &mut [Option<u8>; MAX_SECRETS]) {
        if block.len() < WINDOW {
            return;
        }
        for word in (0..=block.len() - 8).step_by(8) {
            let bit = piece_bit(&block[word..word + 8]);
            if self.pieces[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            let first = word.saturating_sub(7);
            let last = word.min(block.len() - WINDOW);
            for start in first..=last {
                let run = &block[start..start + WINDOW];
                if let Ok(i) = self
                    .runs
                    .binary_search_by(|(needle, _, _)| needle.as_slice().cmp(run))
                {
                    let (_, owner, form) = self.runs[i];
                    found[usize::from(owner)].get_or_insert(form);
                }
            }
        }
    }
}

/// One copy found: the size of the block it was in, the secret's index and the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The freed block's size in bytes.
    pub block: usize,
    /// The index of the secret in the slice given to [`copies_left`].
    pub secret: usize,
    /// The form it was found in (an index into [`FORM_NAMES`]).
    pub form: usize,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "secret {} as {} in a freed block of {} bytes",
            self.secret, FORM_NAMES[self.form], self.block
        )
    }
}

/// What the probe saw while armed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copies {
    /// How many copies: one per secret per freed block holding it.
    pub count: usize,
    /// The first copies found (at most [`RECORDED`]), to say where to look.
    pub hits: Vec<Hit>,
}

impl std::fmt::Display for Copies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} copies", self.count)?;
        for hit in &self.hits {
            write!(f, "; {hit}")?;
        }
        Ok(())
    }
}

/// How many hits are kept for the report.
pub const RECORDED: usize = 8;

/// Set from `OTPKIT_FREED_MEMORY_BACKTRACE` (any value) by [`copies_left`]: each block
/// found holding secret material is reported on standard error with the backtrace of
/// the code that freed it. For finding a leak; run the test with `--nocapture`.
static TRACE: AtomicBool = AtomicBool::new(false);

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
    static HITS: Cell<[Option<Hit>; RECORDED]> = const { Cell::new([None; RECORDED]) };
    static NEEDLES: RefCell<Option<Needles>> = const { RefCell::new(None) };
}

/// Makes the compiler treat the block at `ptr` as written by code it cannot see, so
/// its bytes hold initialised values from here on; emits no instruction.
#[inline(always)]
fn freeze(ptr: *mut u8) {
    // SAFETY: an empty template: no instruction runs. Without `nomem` or `readonly`,
    // the compiler assumes it may read and write memory reachable through `ptr` (the
    // caller's live block).
    unsafe { std::arch::asm!("/* {0} */", in(reg) ptr, options(nostack, preserves_flags)) }
}

fn probe(ptr: *mut u8, layout: Layout) {
    if !ARMED.try_with(Cell::get).unwrap_or(false) {
        return;
    }
    freeze(ptr);
    // SAFETY: see the module documentation: a live block of `layout.size()` bytes,
    // zeroed when allocated and frozen just above.
    let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
    let mut found = [None; MAX_SECRETS];
    let _ = NEEDLES.try_with(|needles| {
        if let Ok(needles) = needles.try_borrow()
            && let Some(needles) = needles.as_ref()
        {
            needles.scan(block, &mut found);
        }
    });
    if TRACE.load(Ordering::Relaxed) && found.iter().any(Option::is_some) {
        // Disarmed while the backtrace is taken and printed (which allocate and free).
        let _ = ARMED.try_with(|a| a.set(false));
        eprintln!(
            "freed block of {} bytes held secret material, freed at:\n{}",
            layout.size(),
            std::backtrace::Backtrace::force_capture()
        );
        let _ = ARMED.try_with(|a| a.set(true));
    }
    for (secret, form) in found.iter().enumerate() {
        let Some(form) = form else { continue };
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        let _ = HITS.try_with(|hits| {
            let mut list = hits.get();
            if let Some(slot) = list.iter_mut().find(|h| h.is_none()) {
                *slot = Some(Hit {
                    block: layout.size(),
                    secret,
                    form: usize::from(*form),
                });
            }
            hits.set(list);
        });
    }
}

pub struct Probe;

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
        probe(ptr, layout);
        // SAFETY: `ptr` was allocated by `System` (through this allocator) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `new_size` with `layout`'s alignment is valid.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: a valid, non-zero-size layout (the caller's contract for realloc).
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and at least `min(old, new)` bytes long; the
            // old one was allocated by this allocator with `layout`.
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

/// Runs `f` with the probe armed on this thread and returns the copies of `secrets`
/// left in the blocks freed on this thread meanwhile (other threads' frees, e.g. of
/// tests running alongside, are not looked at).
pub fn copies_left(secrets: &[&[u8]], f: impl FnOnce()) -> Copies {
    TRACE.store(
        std::env::var_os("OTPKIT_FREED_MEMORY_BACKTRACE").is_some(),
        Ordering::Relaxed,
    );
    let needles = Needles::new(secrets);
    NEEDLES.with(|n| *n.borrow_mut() = Some(needles));
    COUNT.with(|c| c.set(0));
    HITS.with(|h| h.set([None; RECORDED]));
    ARMED.with(|a| a.set(true));
    f();
    ARMED.with(|a| a.set(false));
    NEEDLES.with(|n| *n.borrow_mut() = None);
    Copies {
        count: COUNT.with(Cell::get),
        hits: HITS.with(Cell::get).into_iter().flatten().collect(),
    }
}

/// Fails with every call that left a copy, and how many.
#[track_caller]
pub fn assert_none_left(calls: &[(&str, Copies)]) {
    let left: Vec<String> = calls
        .iter()
        .filter(|(_, copies)| copies.count > 0)
        .map(|(what, copies)| format!("{what}: {copies}"))
        .collect();
    assert!(
        left.is_empty(),
        "copies of keys left in freed memory:\n{}",
        left.join("\n")
    );
}

/// Every form `secret` is written in, in the order of [`FORM_NAMES`].
pub fn forms(secret: &[u8]) -> Vec<Vec<u8>> {
    let base32 = base32(secret);
    let grouped = base32.chunks(4).collect::<Vec<_>>().join(&b' ').to_vec();
    let hex: Vec<u8> = secret
        .iter()
        .flat_map(|b| format!("{b:02x}").into_bytes())
        .collect();
    let standard = base64_runs(secret, b'+', b'/');
    let url_safe = base64_runs(secret, b'-', b'_');
    let percent: Vec<u8> = standard
        .iter()
        .flat_map(|&c| match c {
            b'+' => b"%2B".to_vec(),
            b'/' => b"%2F".to_vec(),
            b'\n' => b"\n".to_vec(),
            c => vec![c],
        })
        .collect();
    let signed: Vec<String> = secret.iter().map(|&b| (b as i8).to_string()).collect();
    let unsigned: Vec<String> = secret.iter().map(u8::to_string).collect();
    vec![
        secret.to_vec(),
        base32.clone(),
        base32.to_ascii_lowercase(),
        grouped.clone(),
        grouped.to_ascii_lowercase(),
        hex.clone(),
        hex.to_ascii_uppercase(),
        standard,
        url_safe,
        percent,
        signed.join(",").into_bytes(),
        signed.join(", ").into_bytes(),
        format!("{secret:?}").into_bytes(),
        unsigned.join(",").into_bytes(),
    ]
}

/// RFC 4648 Base32, unpadded.
fn base32(bytes: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize]);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize]);
    }
    out
}

/// The base64 characters that depend on `secret` alone, for each of the three byte
/// offsets (mod 3) it can start at inside a longer text, separated by newlines (which
/// base64 never holds, so no run spans two of them).
fn base64_runs(secret: &[u8], plus: u8, slash: u8) -> Vec<u8> {
    let mut alphabet = *b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    alphabet[62] = plus;
    alphabet[63] = slash;
    let mut out = Vec::new();
    for offset in 0..3usize {
        let mut stream = vec![0u8; offset];
        stream.extend_from_slice(secret);
        stream.extend_from_slice(&[0, 0, 0]);
        let (first, last) = (8 * offset, 8 * (offset + secret.len()));
        for k in 0..(8 * stream.len()) / 6 {
            if 6 * k < first || 6 * k + 6 > last {
                continue;
            }
            let bit = 6 * k;
            let mut value = 0usize;
            for i in bit..bit + 6 {
                value = (value << 1) | usize::from((stream[i / 8] >> (7 - i % 8)) & 1);
            }
            out.push(alphabet[value]);
        }
        out.push(b'\n');
    }
    out
}
