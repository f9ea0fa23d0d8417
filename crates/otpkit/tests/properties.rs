//! Property tests of the core: round trips, windows and Base32 leniency.

#[path = "support/cases.rs"]
mod cases;

use otpkit::{Algorithm, Code, Digits, LengthPolicy, Period, Secret, Totp, VerifyError, Window};
use proptest::prelude::*;

fn algorithm() -> impl Strategy<Value = Algorithm> {
    prop::sample::select(Algorithm::ALL.to_vec())
}

fn digits() -> impl Strategy<Value = Digits> {
    (6u8..=10).prop_map(|n| Digits::new(n).unwrap())
}

fn secret() -> impl Strategy<Value = Secret> {
    prop::collection::vec(any::<u8>(), 16..=64).prop_map(|b| Secret::from_bytes(&b).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 4 } else { cases::cases(256) }))]

    /// A code from any step inside the window is accepted and reported at its step
    /// (or a later step sharing the same code: the documented tie rule).
    #[test]
    fn accepted_anywhere_inside_the_window(
        secret in secret(), alg in algorithm(), digits in digits(),
        behind in 0u32..6, ahead in 0u32..6,
        step in 10u64..1_000_000_000, pick in any::<prop::sample::Index>(),
    ) {
        let totp = Totp::new(&secret, alg, digits, Period::DEFAULT);
        let window = Window::new(behind, ahead).unwrap();
        let first = step - u64::from(behind);
        let last = step + u64::from(ahead);
        let target = first + pick.index((last - first + 1) as usize) as u64;
        let code = totp.code_at_step(target);
        let latest_same = (first..=last).rev().find(|s| totp.code_at_step(*s) == code).unwrap();
        let now = step * 30 + 29;
        let m = totp.verify(&code.to_string(), now, window).unwrap();
        prop_assert_eq!(m.step, latest_same);
        prop_assert_eq!(m.offset, latest_same as i64 - step as i64);
    }

    /// The codes just outside the window are rejected (unless one happens to equal a
    /// code inside it).
    #[test]
    fn rejected_just_outside_the_window(
        secret in secret(), alg in algorithm(), digits in digits(),
        behind in 0u32..6, ahead in 0u32..6, step in 10u64..1_000_000_000,
    ) {
        let totp = Totp::new(&secret, alg, digits, Period::DEFAULT);
        let first = step - u64::from(behind);
        let last = step + u64::from(ahead);
        let now = step * 30;
        for outside in [first - 1, last + 1] {
            let code = totp.code_at_step(outside);
            prop_assume!((first..=last).all(|s| totp.code_at_step(s) != code));
            prop_assert_eq!(
                totp.verify(&code.to_string(), now, Window::new(behind, ahead).unwrap()),
                Err(VerifyError::Mismatch)
            );
        }
    }

    /// Every code is exactly `digits` ASCII digits.
    #[test]
    fn codes_have_exactly_digits_ascii_digits(
        secret in secret(), alg in algorithm(), digits in digits(), step in any::<u64>(),
    ) {
        let totp = Totp::new(&secret, alg, digits, Period::DEFAULT);
        let text = totp.code_at_step(step).to_string();
        prop_assert_eq!(text.len(), usize::from(digits.get()));
        prop_assert!(text.bytes().all(|b| b.is_ascii_digit()));
        prop_assert_eq!(Code::parse(&text, digits).unwrap(), totp.code_at_step(step));
    }

    /// decode(encode(x)) == x, for every length the core holds.
    #[test]
    fn base32_round_trip(bytes in prop::collection::vec(any::<u8>(), 1..=128)) {
        let secret = Secret::from_bytes_with(&bytes, LengthPolicy::AllowShort).unwrap();
        let text = secret.base32().to_string();
        prop_assert!(text.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        let back = Secret::from_base32_with(&text, LengthPolicy::AllowShort).unwrap();
        prop_assert_eq!(back.as_bytes(), &bytes[..]);
        let grouped = secret.base32_grouped().to_string();
        let back = Secret::from_base32_with(&grouped, LengthPolicy::AllowShort).unwrap();
        prop_assert_eq!(back.as_bytes(), &bytes[..]);
    }

    /// Lowercase, spaces, hyphens and padding never change the decoded bytes.
    #[test]
    fn pasted_variants_decode_alike(
        bytes in prop::collection::vec(any::<u8>(), 1..=64),
        lower in prop::collection::vec(any::<bool>(), 103),
        seps in prop::collection::vec(0u8..4, 103),
        pad in 0usize..7,
    ) {
        let canonical = Secret::from_bytes_with(&bytes, LengthPolicy::AllowShort).unwrap();
        let mut pasted = String::new();
        for (i, ch) in canonical.base32().to_string().chars().enumerate() {
            pasted.push(if lower[i] { ch.to_ascii_lowercase() } else { ch });
            match seps[i] { 1 => pasted.push(' '), 2 => pasted.push('-'), _ => {} }
        }
        pasted.push_str(&"=".repeat(pad));
        let back = Secret::from_base32_with(&pasted, LengthPolicy::AllowShort).unwrap();
        prop_assert_eq!(back, canonical);
    }

    /// Arbitrary text never panics the parsers.
    #[test]
    fn parsers_never_panic(text in ".{0,300}", digits in digits()) {
        let _ = Secret::from_base32_with(&text, LengthPolicy::AllowShort);
        let _ = Code::parse(&text, digits);
        let _ = text.parse::<Algorithm>();
    }
}
