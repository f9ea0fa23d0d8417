//! Generating and verifying never touch the heap: counted by a global allocator.

use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, Window};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_in;

#[test]
fn the_counter_counts() {
    // Proves the harness: a Vec allocation is seen.
    let n = allocations_in(|| {
        let v: Vec<u8> = Vec::with_capacity(16);
        std::hint::black_box(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn generate_and_verify_do_not_allocate() {
    for algorithm in Algorithm::ALL {
        let seed = [0x42u8; 64];
        let n = allocations_in(|| {
            let secret = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
            let secret2 = Secret::from_bytes(&seed[..algorithm.default_secret_len()]).unwrap();
            let totp = Totp::new(&secret, algorithm, Digits::SIX, Period::DEFAULT);
            let hotp = Hotp::new(&secret2, algorithm, Digits::EIGHT);
            let code = totp.code_at(1_700_000_000).unwrap();
            std::hint::black_box(hotp.code(7));
            std::hint::black_box(totp.seconds_left(1_700_000_000).unwrap());
            // Valid, invalid, malformed, and a wide window.
            let mut typed = [b'0'; 6];
            let mut value = code.value();
            for slot in typed.iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
            let typed = std::str::from_utf8(&typed).unwrap();
            assert!(totp.verify(typed, 1_700_000_000, Window::default()).is_ok());
            let wrong = if typed == "000000" {
                "000001"
            } else {
                "000000"
            };
            let _ = std::hint::black_box(totp.verify(
                wrong,
                1_700_000_000,
                Window::symmetric(10).unwrap(),
            ));
            assert!(
                totp.verify("12a456", 1_700_000_000, Window::default())
                    .is_err()
            );
            let _ = std::hint::black_box(hotp.verify("00000000", 0, 20));
        });
        assert_eq!(n, 0, "{algorithm} allocated {n} times");
    }
}
