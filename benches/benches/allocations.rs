//! Heap allocations per operation, for otpkit and each peer.
//!
//! This binary (not the timed one) installs a counting global allocator, so the
//! criterion timings in `otp.rs` run on the plain system allocator. It prints one
//! line per operation and fails if otpkit allocates while generating or verifying
//! (the crate promises neither touches the heap).

use std::alloc::System;
use std::hint::black_box;

use otpkit::Window;
use otpkit_benches::{Alg, Fixture, T};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations made by one call of `op` (after one warm-up call, so lazily
/// initialised statics are not counted).
fn allocations<R>(mut op: impl FnMut() -> R) -> usize {
    black_box(op());
    let region = Region::new(GLOBAL);
    black_box(op());
    region.change().allocations
}

fn main() {
    let mut failures = Vec::new();
    // benches/table.py copies this line into docs/benchmarks.md.
    println!(
        "otpkit-lanes SHA-NI kernel in use: {}",
        if otpkit_lanes::accelerated() {
            "yes"
        } else {
            "no (RustCrypto fallback)"
        }
    );
    println!("allocations per operation (one call, after a warm-up call)");
    for alg in Alg::ALL {
        let f = Fixture::new(alg);
        if let Err(e) = f.check_agreement() {
            panic!("peers disagree: {e}");
        }
        let name = alg.name();
        let rs1 = f.totp_rs(1);
        let rs10 = f.totp_rs(10);
        let mut rows: Vec<(String, &str, usize)> = vec![
            (
                format!("generate_{name}"),
                "otpkit",
                allocations(|| f.otpkit.code_at(T)),
            ),
            (
                format!("generate_{name}"),
                "hmac_hand_keyed",
                allocations(|| f.hand.code_at(T)),
            ),
            (
                format!("generate_{name}"),
                "totp-rs",
                allocations(|| rs1.generate(T)),
            ),
            (
                format!("generate_{name}"),
                "totp-lite",
                allocations(|| f.totp_lite(T)),
            ),
        ];
        // libreauth's object is built per call (it reads the clock): count only the
        // call itself.
        let libre = f.libreauth(T, 0);
        rows.push((
            format!("generate_{name}"),
            "libreauth",
            allocations(|| libre.generate()),
        ));
        for (half, rs) in [(1u32, &rs1), (10, &rs10)] {
            let libre = f.libreauth(T, u64::from(half));
            let window = Window::symmetric(half).expect("a benchmarked window is inside the bound");
            for (kind, code) in [("valid", &f.valid), ("wrong", &f.wrong)] {
                let op = format!("verify_pm{half}_{kind}_{name}");
                rows.push((
                    op.clone(),
                    "otpkit",
                    allocations(|| f.otpkit.verify(code, T, window)),
                ));
                rows.push((op.clone(), "totp-rs", allocations(|| rs.check(code, T))));
                rows.push((op, "libreauth", allocations(|| libre.is_valid(code))));
            }
        }
        for (op, who, n) in rows {
            println!("{op:<24} {who:<16} {n}");
            if who == "otpkit" && n != 0 {
                failures.push(format!("{op}: otpkit made {n} allocations"));
            }
        }
    }
    if !failures.is_empty() {
        panic!("otpkit allocated: {failures:?}");
    }
    println!("allocations: otpkit made 0 allocations in every operation");
}
