//! The operations `benches/callgrind.sh` counts instructions of, one per run:
//!
//! ```text
//! callgrind OPERATION ITERATIONS
//! ```
//!
//! runs OPERATION ITERATIONS times after the same setup, so the difference between
//! two runs' instruction counts divided by the difference of their ITERATIONS is the
//! count of one call, setup excluded. OPERATION is `verify_pm1_wrong_<alg>` (otpkit
//! `Totp::verify` of a wrong code within ±1 step, as the criterion benchmark of
//! that name) or `floor/<alg>_x6_independent` / `floor/<alg>_x3_then_x3` (the
//! compression floor of `otpkit_benches::floor`), `<alg>` one of sha1, sha256,
//! sha512.
//!
//! Without an operation (`cargo bench -- --test`, as CI runs every bench binary),
//! each operation runs once and its result is checked, so the binary is known to
//! work without valgrind.

use std::hint::black_box;

use otpkit::{VerifyError, Window};
use otpkit_benches::floor::{self, blocks64, blocks128, states};
use otpkit_benches::{Alg, Fixture, T};

/// Every operation's name.
const OPERATIONS: [&str; 9] = [
    "verify_pm1_wrong_sha1",
    "verify_pm1_wrong_sha256",
    "verify_pm1_wrong_sha512",
    "floor/sha1_x6_independent",
    "floor/sha1_x3_then_x3",
    "floor/sha256_x6_independent",
    "floor/sha256_x3_then_x3",
    "floor/sha512_x6_independent",
    "floor/sha512_x3_then_x3",
];

/// Runs `operation` `iterations` times; an error names an unknown operation or a
/// wrong result.
fn run(operation: &str, iterations: u64) -> Result<(), String> {
    let verify = |alg: Alg| -> Result<(), String> {
        let f = Fixture::new(alg);
        let window = Window::symmetric(1).map_err(|e| e.to_string())?;
        for _ in 0..iterations {
            match f.otpkit.verify(black_box(&f.wrong), black_box(T), window) {
                Err(VerifyError::Mismatch) => {}
                other => return Err(format!("{operation}: expected a mismatch, got {other:?}")),
            }
        }
        Ok(())
    };
    let (b64, b128) = (blocks64(), blocks128());
    match operation {
        "verify_pm1_wrong_sha1" => verify(Alg::Sha1)?,
        "verify_pm1_wrong_sha256" => verify(Alg::Sha256)?,
        "verify_pm1_wrong_sha512" => verify(Alg::Sha512)?,
        "floor/sha1_x6_independent" => {
            let mut s = states::<u32, 5>();
            for _ in 0..iterations {
                floor::x6_independent(&mut s, &b64, sha1::block_api::compress);
                black_box(&s);
            }
        }
        "floor/sha1_x3_then_x3" => {
            let [inner, outer, ..] = states::<u32, 5>();
            for _ in 0..iterations {
                black_box(floor::sha1_x3_then_x3(
                    black_box(&inner),
                    black_box(&outer),
                    &b64,
                ));
            }
        }
        "floor/sha256_x6_independent" => {
            let mut s = states::<u32, 8>();
            for _ in 0..iterations {
                floor::x6_independent(&mut s, &b64, sha2::block_api::compress256);
                black_box(&s);
            }
        }
        "floor/sha256_x3_then_x3" => {
            let [inner, outer, ..] = states::<u32, 8>();
            for _ in 0..iterations {
                black_box(floor::sha256_x3_then_x3(
                    black_box(&inner),
                    black_box(&outer),
                    &b64,
                ));
            }
        }
        "floor/sha512_x6_independent" => {
            let mut s = states::<u64, 8>();
            for _ in 0..iterations {
                floor::x6_independent(&mut s, &b128, sha2::block_api::compress512);
                black_box(&s);
            }
        }
        "floor/sha512_x3_then_x3" => {
            let [inner, outer, ..] = states::<u64, 8>();
            for _ in 0..iterations {
                black_box(floor::sha512_x3_then_x3(
                    black_box(&inner),
                    black_box(&outer),
                    &b128,
                ));
            }
        }
        unknown => {
            return Err(format!(
                "unknown operation {unknown:?}; one of {OPERATIONS:?}"
            ));
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [operation, iterations] if !operation.starts_with("--") => iterations
            .parse::<u64>()
            .map_err(|e| format!("ITERATIONS {iterations:?}: {e}"))
            .and_then(|n| run(operation, n)),
        // `cargo bench` passes `--bench`, `cargo bench -- --test` passes `--test`:
        // one call of each operation, checked.
        _ => OPERATIONS.iter().try_for_each(|op| run(op, 1)).map(|()| {
            // benches/callgrind.sh reads this line from a run under valgrind, whose
            // emulated CPU may not offer the SHA extensions.
            println!(
                "otpkit-lanes SHA-NI kernel in use: {}",
                if otpkit_lanes::accelerated() {
                    "yes"
                } else {
                    "no"
                }
            );
            println!(
                "callgrind: {} operations ran once (count them with benches/callgrind.sh)",
                OPERATIONS.len()
            );
        }),
    };
    if let Err(e) = result {
        eprintln!("callgrind: {e}");
        std::process::exit(2);
    }
}
