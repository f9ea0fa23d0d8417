//! The core's own time, natively: `core-native N` runs each operation of `ops.rs`
//! N times and prints one JSON line of nanoseconds per operation,
//! `{"generate": 61.2, "verify-valid": ..., "verify-wrong": ..., "step": ...}`.
//! `bench/run.sh` builds it with the package's profile and features and
//! `bench/bench.mjs` runs it once per round, between its own timings.

use std::process::ExitCode;
use std::time::Instant;

#[path = "ops.rs"]
mod ops;

fn main() -> ExitCode {
    let Some(iterations) = std::env::args().nth(1).and_then(|a| a.parse::<u32>().ok()) else {
        eprintln!("usage: core-native ITERATIONS");
        return ExitCode::FAILURE;
    };
    let Some(fixture) = ops::Fixture::new() else {
        eprintln!("core-native: the core refused the bench's fixed secret or window");
        return ExitCode::FAILURE;
    };
    let mut fields = Vec::new();
    let mut sum = 0u64;
    for op in ops::Op::ALL {
        let start = Instant::now();
        sum = sum.wrapping_add(fixture.run(op, iterations));
        let ns = start.elapsed().as_nanos() as f64 / f64::from(iterations.max(1));
        fields.push(format!("\"{}\": {ns:.2}", op.name()));
    }
    fields.push(format!("\"checksum\": {}", sum % 1_000_000_007));
    println!("{{{}}}", fields.join(", "));
    ExitCode::SUCCESS
}
