//! Quick timing of the kernel against its baseline, for iterating on it:
//! `cargo run --release -p otpkit-lanes --example lanes_timing`.
//!
//! Prints ns per call (best of several runs) for a ±1 window's three HMACs on both
//! paths, per-HMAC cost for each batch size, and the yardstick of six independent
//! one-block `sha1::block_api::compress` calls. Not a test: timings vary by machine.

use std::hint::black_box;
use std::time::Instant;

use otpkit_lanes::{KeyedSha1, KeyedSha256};

/// Nanoseconds per iteration of `f`: the best of many short runs, so that runs a
/// busy machine's scheduler interrupted do not count.
fn time(iters: u32, mut f: impl FnMut(u64)) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..300 {
        let start = Instant::now();
        for i in 0..iters {
            f(u64::from(i));
        }
        let ns = start.elapsed().as_nanos() as f64 / f64::from(iters);
        best = best.min(ns);
    }
    best
}

fn main() {
    let iters = 2_000;
    let key = b"12345678901234567890";

    let block = [0x5au8; 64];
    let six = time(iters, |i| {
        let mut states = [[0x6745_2301u32 ^ i as u32, 1, 2, 3, 4]; 6];
        for s in &mut states {
            sha1::block_api::compress(black_box(s), black_box(core::slice::from_ref(&block)));
        }
        black_box(states);
    });
    let six_chained = time(iters, |i| {
        let mut state = [0x6745_2301u32 ^ i as u32, 1, 2, 3, 4];
        for _ in 0..6 {
            sha1::block_api::compress(black_box(&mut state), core::slice::from_ref(&block));
        }
        black_box(state);
    });
    println!("6 independent sha1 compress calls: {six:.1} ns");
    println!("6 chained sha1 compress calls:     {six_chained:.1} ns");

    for (name, keyed) in [
        ("accelerated", KeyedSha1::new(key)),
        ("portable", KeyedSha1::new_portable(key)),
    ] {
        let three = time(iters, |i| {
            black_box(black_box(&keyed).truncated_batch(&[i, i + 1, i + 2]));
        });
        println!(
            "SHA-1 {name:11} 3 HMACs (±1 window): {three:.1} ns = {:.2}x six compress calls",
            three / six
        );
    }
    let fast = KeyedSha1::new(key);
    macro_rules! per_lane {
        ($k:expr, $($n:literal)*) => {$(
            let t = time(iters, |i| {
                let counters: [u64; $n] = core::array::from_fn(|j| i + j as u64);
                black_box(black_box(&$k).truncated_batch(&counters));
            });
            println!("  batch {:2}: {:6.1} ns, {:5.1} ns per HMAC", $n, t, t / $n as f64);
        )*};
    }
    println!("SHA-1 accelerated by batch size:");
    per_lane!(fast, 1 2 3 4 5 8);

    let key256 = b"12345678901234567890123456789012";
    for (name, keyed) in [
        ("accelerated", KeyedSha256::new(key256)),
        ("portable", KeyedSha256::new_portable(key256)),
    ] {
        let three = time(iters, |i| {
            black_box(black_box(&keyed).truncated_batch(&[i, i + 1, i + 2]));
        });
        println!("SHA-256 {name:11} 3 HMACs (±1 window): {three:.1} ns");
    }
    let fast256 = KeyedSha256::new(key256);
    println!("SHA-256 accelerated by batch size:");
    per_lane!(fast256, 1 2 3 4 5 8);
}
