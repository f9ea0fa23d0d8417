//! The multi-QR assembler: lines of text as scanned URIs, in the order given.
//!
//! Properties asserted: `add` never panics; `missing` lists indexes below the batch
//! count, none of which was added; `is_complete` agrees with `missing`; `finish` has
//! one `Ok` report per account and the same missing batches.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit_transfer::migration::{Added, Assembler};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let mut assembler = Assembler::new();
    let mut added = 0usize;
    for line in text.lines() {
        if let Ok(Added::New) = assembler.add(line) {
            added += 1;
        }
    }
    let missing = assembler.missing();
    let size = assembler.batch_size().unwrap_or(0);
    assert!(missing.iter().all(|i| *i < size));
    assert_eq!(missing.len() + added, size);
    assert_eq!(assembler.is_complete(), size > 0 && missing.is_empty());
    let out = assembler.finish();
    assert_eq!(out.missing_batches, missing);
    let ok = out.report.iter().filter(|r| r.outcome.is_ok()).count();
    assert_eq!(ok, out.accounts.len());
});
