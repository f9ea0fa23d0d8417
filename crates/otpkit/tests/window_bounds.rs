//! The stateless entry points' bounds: a `Window` reaches at most
//! `Window::MAX_STEPS_PER_SIDE` steps either side and an HOTP look-ahead or range
//! at most `Hotp::MAX_LOOK_AHEAD` counters; anything wider is a typed error, never
//! a scan, and the bounds themselves are accepted.

use std::error::Error as _;

use otpkit::steam::{STEAM_PERIOD, SteamGuard};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, VerifyError, Window, WindowError};

const NOW: u64 = 1_700_000_000;

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

fn totp() -> Totp {
    Totp::new(&secret(), Algorithm::Sha1, Digits::SIX, Period::DEFAULT)
}

fn hotp() -> Hotp {
    Hotp::new(&secret(), Algorithm::Sha1, Digits::SIX)
}

/// Six-digit codes that match no step of `steps` for `code_of`, the first `n`.
fn codes_matching_nothing(
    n: usize,
    steps: std::ops::RangeInclusive<u64>,
    code_of: impl Fn(u64) -> String,
) -> Vec<String> {
    let used: std::collections::HashSet<String> = steps.map(code_of).collect();
    (0..1_000_000u32)
        .map(|v| format!("{v:06}"))
        .filter(|c| !used.contains(c))
        .take(n)
        .collect()
}

#[test]
fn a_window_side_over_the_bound_is_a_window_error() {
    let max = Window::MAX_STEPS_PER_SIDE;
    assert_eq!(max, 120);
    assert_eq!(
        Window::new(max + 1, 0),
        Err(WindowError::TooWide {
            behind: max + 1,
            ahead: 0
        })
    );
    assert_eq!(
        Window::new(0, max + 1),
        Err(WindowError::TooWide {
            behind: 0,
            ahead: max + 1
        })
    );
    assert_eq!(
        Window::symmetric(2_000_000),
        Err(WindowError::TooWide {
            behind: 2_000_000,
            ahead: 2_000_000
        })
    );
    assert!(Window::new(u32::MAX, u32::MAX).is_err());
    // The bound itself is a window.
    let widest = Window::symmetric(max).unwrap();
    assert_eq!((widest.behind(), widest.ahead()), (max, max));
    assert_eq!(widest.len(), 241);
}

#[test]
fn a_window_is_built_in_const_context() {
    const WIDEST: Result<Window, WindowError> = Window::symmetric(Window::MAX_STEPS_PER_SIDE);
    const TOO_WIDE: Result<Window, WindowError> = Window::new(0, Window::MAX_STEPS_PER_SIDE + 1);
    assert!(WIDEST.is_ok());
    assert!(TOO_WIDE.is_err());
}

#[test]
fn the_window_error_names_the_bound_and_the_sides_asked_for() {
    let e = Window::symmetric(2_000_000).unwrap_err();
    assert_eq!(
        e.to_string(),
        "a window may reach at most 120 steps either side, got 2000000 behind and 2000000 \
         ahead (each step lets one more random 6-digit guess in a million through)"
    );
    assert!(e.source().is_none());
}

#[test]
fn totp_accepts_codes_at_the_edges_of_the_widest_window() {
    let totp = totp();
    let max = Window::MAX_STEPS_PER_SIDE;
    let widest = Window::symmetric(max).unwrap();
    let step = totp.step_at(NOW).unwrap();
    for offset in [-i64::from(max), i64::from(max)] {
        let code = totp.code_at_step(step.checked_add_signed(offset).unwrap());
        let m = totp.verify(&code.to_string(), NOW, widest).unwrap();
        assert_eq!(m.offset, offset);
    }
    // One step further is outside (unless a step inside shares its code).
    let outside = totp.code_at_step(step + u64::from(max) + 1).to_string();
    let inside = (step - u64::from(max))..=(step + u64::from(max));
    if inside
        .clone()
        .all(|s| totp.code_at_step(s).to_string() != outside)
    {
        assert_eq!(
            totp.verify(&outside, NOW, widest),
            Err(VerifyError::Mismatch)
        );
    }
}

#[test]
fn steam_accepts_codes_at_the_edges_of_the_widest_window() {
    let guard = SteamGuard::new(&secret());
    let max = Window::MAX_STEPS_PER_SIDE;
    let widest = Window::symmetric(max).unwrap();
    let step = NOW / STEAM_PERIOD;
    for offset in [-i64::from(max), i64::from(max)] {
        let code = guard.code_at_step(step.checked_add_signed(offset).unwrap());
        let m = guard.verify(code.as_str(), NOW, widest).unwrap();
        assert_eq!(m.offset, offset);
    }
}

#[test]
fn an_hotp_look_ahead_over_the_bound_is_a_window_error_whatever_the_code() {
    let hotp = hotp();
    let max = Hotp::MAX_LOOK_AHEAD;
    assert_eq!(max, 1_000);
    let too_long = VerifyError::Window(WindowError::LookAheadTooLong {
        look_ahead: u64::from(max) + 1,
    });
    // The code of a counter inside the look-ahead, a wrong code, a malformed one.
    let inside = hotp.code(7).to_string();
    for code in [inside.as_str(), "000000", "12a456"] {
        assert_eq!(hotp.verify(code, 0, max + 1), Err(too_long), "{code}");
    }
    // Also where the counters end before the look-ahead does.
    assert_eq!(hotp.verify("000000", u64::MAX - 3, max + 1), Err(too_long));
    assert!(matches!(
        hotp.verify("000000", 0, u32::MAX),
        Err(VerifyError::Window(WindowError::LookAheadTooLong {
            look_ahead
        })) if look_ahead == u64::from(u32::MAX)
    ));
}

#[test]
fn an_hotp_look_ahead_at_the_bound_is_scanned_to_its_end() {
    let hotp = hotp();
    let max = Hotp::MAX_LOOK_AHEAD;
    let counter = 5_000;
    let last = hotp.code(counter + u64::from(max)).to_string();
    let first_match = (counter..=counter + u64::from(max))
        .rev()
        .find(|c| hotp.code(*c).to_string() == last)
        .unwrap();
    let m = hotp.verify(&last, counter, max).unwrap();
    assert_eq!(m.step, first_match);
    let wrong = codes_matching_nothing(3, counter..=counter + u64::from(max), |c| {
        hotp.code(c).to_string()
    });
    for code in &wrong {
        assert_eq!(hotp.verify(code, counter, max), Err(VerifyError::Mismatch));
    }
}

#[test]
fn an_hotp_range_longer_than_the_bound_is_a_window_error() {
    let hotp = hotp();
    let max = u64::from(Hotp::MAX_LOOK_AHEAD);
    let code = hotp.code(3).to_string();
    assert_eq!(hotp.verify_range(&code, 0, max), Ok(3));
    assert_eq!(
        hotp.verify_range(&code, 0, max + 1),
        Err(VerifyError::Window(WindowError::LookAheadTooLong {
            look_ahead: max + 1
        }))
    );
    assert_eq!(
        hotp.verify_range(&code, 0, u64::MAX),
        Err(VerifyError::Window(WindowError::LookAheadTooLong {
            look_ahead: u64::MAX
        }))
    );
    // At the top of the counters, the range is measured as given.
    let top = hotp.code(u64::MAX).to_string();
    assert_eq!(
        hotp.verify_range(&top, u64::MAX - max, u64::MAX),
        Ok(u64::MAX)
    );
    assert!(
        hotp.verify_range(&top, u64::MAX - max - 1, u64::MAX)
            .is_err()
    );
    // An empty range still matches nothing, however far apart its ends.
    assert_eq!(
        hotp.verify_range(&code, u64::MAX, 0),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn the_look_ahead_error_names_the_bound_and_is_the_verify_errors_source() {
    let e = hotp().verify("000000", 0, 5_000).unwrap_err();
    let expected = "an HOTP look-ahead may be at most 1000 counters, got 5000 \
                    (each counter lets one more random 6-digit guess in a million through)";
    assert_eq!(e.to_string(), expected);
    let source = e.source().expect("the window error is the source");
    assert_eq!(
        source.downcast_ref::<WindowError>(),
        Some(&WindowError::LookAheadTooLong { look_ahead: 5_000 })
    );
    assert_eq!(
        VerifyError::from(WindowError::LookAheadTooLong { look_ahead: 5_000 }),
        e
    );
}
