//! Measures how long one work unit takes in each key-derivation function, at the
//! parameters real apps write (and at shapes that stress the other terms of the cost:
//! many Argon2 lanes, PBKDF2's two output blocks). The units of every line should
//! take about the same time; the README quotes this output.
//!
//! `cargo run --release -p otpkit-kdf --example calibrate`

use std::time::{Duration, Instant};

use otpkit_kdf::{Argon2Variant, KdfError, Prf, WorkBudget, aes_kdf, argon2, pbkdf2, scrypt};

type Run = Box<dyn Fn(&mut WorkBudget) -> Result<(), KdfError>>;

fn case(name: &str, run: Run) {
    let mut best = Duration::MAX;
    let mut units = 0;
    for _ in 0..5 {
        let mut budget = WorkBudget::new(u64::MAX, u64::MAX);
        let start = Instant::now();
        run(&mut budget).expect("runs");
        best = best.min(start.elapsed());
        units = budget.spent();
    }
    let ns = best.as_secs_f64() * 1e9 / units as f64;
    println!(
        "{name:<44} {units:>9} units {:>9.1} ms {ns:>7.0} ns/unit",
        best.as_secs_f64() * 1e3
    );
}

fn main() {
    case(
        "scrypt N=2^15 r=8 p=1 (Aegis)",
        Box::new(|b| scrypt(b, b"password", &[7; 32], 1 << 15, 8, 1, &mut [0; 32])),
    );
    case(
        "scrypt N=2^17 r=8 p=1",
        Box::new(|b| scrypt(b, b"password", &[7; 32], 1 << 17, 8, 1, &mut [0; 32])),
    );
    case(
        "scrypt N=2^14 r=1 p=16",
        Box::new(|b| scrypt(b, b"password", &[7; 32], 1 << 14, 1, 16, &mut [0; 32])),
    );
    case(
        "scrypt N=2 r=64 p=16, 4 KiB salt",
        Box::new(|b| scrypt(b, b"password", &[7; 4096], 2, 64, 16, &mut [0; 32])),
    );
    for (name, variant) in [
        (
            "Argon2id 64 MiB t=3 p=4 (Bitwarden)",
            Argon2Variant::Argon2id,
        ),
        ("Argon2d 64 MiB t=3 p=4", Argon2Variant::Argon2d),
        ("Argon2i 64 MiB t=3 p=4", Argon2Variant::Argon2i),
    ] {
        case(
            name,
            Box::new(move |b| argon2(b, variant, b"pw", &[7; 32], 3, 64 << 10, 4, &mut [0; 32])),
        );
    }
    case(
        "Argon2id 8 KiB/lane t=1 p=16384 (lanes)",
        Box::new(|b| {
            argon2(
                b,
                Argon2Variant::Argon2id,
                b"pw",
                &[7; 32],
                1,
                8 << 14,
                1 << 14,
                &mut [0; 32],
            )
        }),
    );
    case(
        "PBKDF2-SHA1 150k, 32 B (andOTP)",
        Box::new(|b| pbkdf2(b, Prf::Sha1, b"pw", &[7; 12], 150_000, &mut [0; 32])),
    );
    case(
        "PBKDF2-SHA1 100k, 16 B (PSKC)",
        Box::new(|b| pbkdf2(b, Prf::Sha1, b"pw", &[7; 8], 100_000, &mut [0; 16])),
    );
    case(
        "PBKDF2-SHA256 600k, 32 B (Bitwarden)",
        Box::new(|b| pbkdf2(b, Prf::Sha256, b"pw", &[7; 20], 600_000, &mut [0; 32])),
    );
    case(
        "PBKDF2-SHA256 10k, 256 B salt (2FAS)",
        Box::new(|b| pbkdf2(b, Prf::Sha256, b"pw", &[7; 256], 10_000, &mut [0; 32])),
    );
    case(
        "PBKDF2-SHA512 100k, 32 B (FreeOTP)",
        Box::new(|b| pbkdf2(b, Prf::Sha512, b"pw", &[7; 32], 100_000, &mut [0; 32])),
    );
    case(
        "PBKDF2-SHA256 1 iteration, 1 MiB salt",
        Box::new(|b| pbkdf2(b, Prf::Sha256, b"pw", &[7; 1 << 20], 1, &mut [0; 32])),
    );
    case(
        "AES-KDF 10M rounds (KeePass)",
        Box::new(|b| aes_kdf(b, &[1; 32], &[2; 32], 10_000_000, &mut [0; 32])),
    );
}
