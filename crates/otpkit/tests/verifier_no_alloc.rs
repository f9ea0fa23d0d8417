//! The verifier never touches the heap: enrol, sign in, resync, and the state's
//! text form both ways (through `Display` into a fixed buffer) — counted by a
//! global allocator. Only `DeviceState::encode` (feature `alloc`) returns a `String`.

use std::fmt::Write as _;

use otpkit::verifier::{DeviceState, Policy, Verifier};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp};

#[path = "support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations_in;

/// A `fmt::Write` into a stack buffer.
struct Buf {
    bytes: [u8; 128],
    len: usize,
}

impl std::fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A code's digits in a stack buffer.
fn digits(value: u64) -> [u8; 6] {
    let mut out = [b'0'; 6];
    let mut v = value;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out
}

#[test]
fn the_counter_counts() {
    // Proves the harness: a Vec allocation is seen.
    let n = allocations_in(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(16))));
    assert!(n >= 1);
}

#[test]
fn verifier_operations_do_not_allocate() {
    let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
    let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT);
    let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::SIX);
    let now = 1_700_000_000;
    let step = totp.step_at(now).unwrap();
    let n = allocations_in(|| {
        let v = Verifier::totp(totp.clone(), Policy::default());
        let c = |s: u64| digits(totp.code_at_step(s).value());
        let (a, b, d, e, f) = (c(step - 1), c(step), c(step + 1), c(step + 5), c(step + 6));
        let (o, state) = v.enroll_code(&v.begin_enrollment(), "000000", now);
        assert!(!o.is_enrolled());
        let (_, state) = v.enroll_code(&state, s(&a), now);
        let (o, state) = v.enroll_code(&state, s(&b), now);
        assert!(o.is_enrolled());
        let (o, state) = v.verify(&state, s(&d), now);
        assert!(o.is_accepted());
        let (o, state) = v.verify(&state, s(&d), now);
        assert!(!o.is_accepted());
        let (o, state) = v.verify(&state, "12a456", now);
        assert!(!o.is_accepted());
        let (o, state) = v.resync(&state, s(&e), s(&f), now);
        assert!(o.is_resynced());

        let mut buf = Buf {
            bytes: [0; 128],
            len: 0,
        };
        write!(buf, "{state}").unwrap();
        let text = std::str::from_utf8(&buf.bytes[..buf.len]).unwrap();
        assert_eq!(DeviceState::decode(text), Ok(state));
        assert!(DeviceState::decode("otpk1.t.1.0.0.0.000000000000").is_err());

        let hv = Verifier::hotp(hotp.clone(), Policy::default());
        let h = |n: u64| digits(hotp.code(n).value());
        let (h0, h1, h2) = (h(0), h(1), h(2));
        let (o, hs) = hv.enroll(&hv.begin_enrollment(), s(&h0), s(&h1), now);
        assert!(o.is_enrolled());
        assert!(hv.verify(&hs, s(&h2), now).0.is_accepted());
    });
    assert_eq!(n, 0);
}

/// A code's digits as text, borrowed from the stack buffer.
fn s(x: &[u8; 6]) -> &str {
    std::str::from_utf8(x).unwrap()
}
