//! TOTP and HOTP verification with arbitrary code strings, times, epochs, periods and
//! windows.
//!
//! Properties asserted:
//! - no input panics (times and counters near 0 and `u64::MAX`, any period, any T0);
//! - a time before T0 is `TimeError::BeforeEpoch`, a malformed code is exactly
//!   `VerifyError::Malformed(Code::parse's error)`;
//! - otherwise the answer is the latest step of the window (cut at 0 and `u64::MAX`)
//!   whose code equals the typed one, with `offset = step - expected`, or `Mismatch`
//!   when no step matches: checked against a step-by-step scan of the window;
//! - a code taken from any step of the window (typed with or without a space or
//!   surrounding whitespace) is always accepted;
//! - `step_at`, `step_start` and `seconds_left` agree with each other;
//! - a window side above `Window::MAX_STEPS_PER_SIDE` is `WindowError::TooWide`
//!   with the sides asked for, a look-ahead above `Hotp::MAX_LOOK_AHEAD` (or a
//!   `verify_range` reaching further) is `VerifyError::Window`, whatever the code,
//!   and everything within the bounds is a window.
//!
//! Windows and look-aheads are arbitrary `u32`s; one over its bound is checked to be
//! refused, then reduced modulo the bound plus one, so the scans are still run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otpkit::{
    Algorithm, Code, Digits, Hotp, LengthPolicy, Period, Secret, TimeError, Totp, VerifyError,
    Window, WindowError,
};

#[derive(Debug)]
enum Typed {
    /// Whatever text the fuzzer makes.
    Text(String),
    /// The code of the window's step at this index (mod the window's length),
    /// written in one of the forms people type.
    FromWindow { index: u16, form: u8 },
}

/// The input, read from a fixed byte layout so that hand-made seeds (see
/// `fuzz/corpus/verify/` and docs/fuzzing.md) mean what they say. Missing bytes read
/// as zero. Integers are big-endian.
///
/// | bytes | field |
/// | --- | --- |
/// | 0 | algorithm (mod 3: SHA1, SHA256, SHA512) |
/// | 1 | digits (6 + n mod 5; `Digits::new(n)` itself is checked too) |
/// | 2..10, 10..18, 18..26 | period, T0, time (u64) |
/// | 26..30, 30..34 | window behind, ahead (u32) |
/// | 34..42, 42..46 | HOTP counter (u64), look-ahead (u32) |
/// | 46 | bit 0: TOTP code from the window; bit 1: HOTP code from the look-ahead; bits 2-3: form |
/// | 47..49 | index of the step whose code is typed (u16) |
/// | 49 | secret length L, then L secret bytes |
/// | rest | the typed code text (UTF-8, lossily) |
#[derive(Debug)]
struct Input {
    secret: Vec<u8>,
    algorithm: u8,
    digits: u8,
    period: u64,
    t0: u64,
    time: u64,
    behind: u32,
    ahead: u32,
    totp_code: Typed,
    counter: u64,
    look_ahead: u32,
    hotp_code: Typed,
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head.to_vec()
    }
}

impl Input {
    fn read(data: &[u8]) -> Input {
        let mut r = Reader(data);
        let [algorithm, digits] = r.bytes();
        let period = u64::from_be_bytes(r.bytes());
        let t0 = u64::from_be_bytes(r.bytes());
        let time = u64::from_be_bytes(r.bytes());
        let behind = u32::from_be_bytes(r.bytes());
        let ahead = u32::from_be_bytes(r.bytes());
        let counter = u64::from_be_bytes(r.bytes());
        let look_ahead = u32::from_be_bytes(r.bytes());
        let [mode] = r.bytes();
        let index = u16::from_be_bytes(r.bytes());
        let [secret_len] = r.bytes();
        let secret = r.take(usize::from(secret_len));
        let text = String::from_utf8_lossy(r.0).into_owned();
        let form = (mode >> 2) & 3;
        let typed = |from_window: bool| {
            if from_window {
                Typed::FromWindow { index, form }
            } else {
                Typed::Text(text.clone())
            }
        };
        Input {
            secret,
            algorithm,
            digits,
            period,
            t0,
            time,
            behind,
            ahead,
            totp_code: typed(mode & 1 != 0),
            counter,
            look_ahead,
            hotp_code: typed(mode & 2 != 0),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = Input::read(data);
    let Ok(secret) = Secret::from_bytes_with(&input.secret, LengthPolicy::AllowShort) else {
        assert!(input.secret.is_empty() || input.secret.len() > otpkit::MAX_SECRET_LEN);
        return;
    };
    let algorithm = Algorithm::ALL[usize::from(input.algorithm) % 3];
    assert_eq!(
        Digits::new(input.digits).is_ok(),
        (6..=10).contains(&input.digits)
    );
    let Ok(digits) = Digits::new(6 + input.digits % 5) else {
        unreachable!("6..=10 is a valid digit count")
    };

    check_hotp(&input, &secret, algorithm, digits);

    let Ok(period) = Period::new(input.period) else {
        assert_eq!(input.period, 0);
        assert_eq!(Period::new(0), Err(TimeError::ZeroPeriod));
        return;
    };
    check_totp(&input, &secret, algorithm, digits, period);
});

fn check_totp(
    input: &Input,
    secret: &Secret,
    algorithm: Algorithm,
    digits: Digits,
    period: Period,
) {
    let totp = Totp::new(secret, algorithm, digits, period).with_t0(input.t0);
    let time = input.time;
    let window = window_within_bound(input.behind, input.ahead);

    let Some(elapsed) = time.checked_sub(input.t0) else {
        assert_eq!(totp.step_at(time), Err(TimeError::BeforeEpoch));
        assert_eq!(totp.seconds_left(time), Err(TimeError::BeforeEpoch));
        assert_eq!(totp.code_at(time).err(), Some(TimeError::BeforeEpoch));
        let result = totp.verify("123456", time, window);
        assert_eq!(result, Err(VerifyError::Time(TimeError::BeforeEpoch)));
        return;
    };
    let expected = elapsed / period.seconds();
    assert_eq!(totp.step_at(time), Ok(expected));
    let left = totp.seconds_left(time).expect("time is at or after T0");
    assert!((1..=period.seconds()).contains(&left));
    match totp.step_start(expected) {
        Ok(start) => {
            assert!(start <= time && time - start < period.seconds());
            assert_eq!(totp.step_at(start), Ok(expected));
        }
        Err(e) => panic!("the start of an existing step overflowed: {e}"),
    }
    assert_eq!(
        totp.code_at(time).map(|c| c.to_string()),
        Ok(totp.code_at_step(expected).to_string())
    );

    let first = expected.saturating_sub(u64::from(window.behind()));
    let last = expected.saturating_add(u64::from(window.ahead()));
    let text = typed_text(&input.totp_code, first, last, |s| totp.code_at_step(s));

    let result = totp.verify(&text, time, window);
    let reference = reference_scan(&text, digits, first, last, |s| totp.code_at_step(s));
    match (&result, reference) {
        (Err(VerifyError::Malformed(e)), Err(expected_err)) => assert_eq!(*e, expected_err),
        (_, Err(e)) => panic!("malformed code not reported as such: {e}; got {result:?}"),
        (Ok(m), Ok(Some(step))) => {
            assert_eq!(m.step, step);
            assert_eq!(
                i128::from(m.offset),
                i128::from(step) - i128::from(expected)
            );
        }
        (Err(VerifyError::Mismatch), Ok(None)) => {}
        (other, Ok(want)) => panic!("verify gave {other:?}, the window scan {want:?}"),
    }
    if matches!(input.totp_code, Typed::FromWindow { .. }) {
        assert!(result.is_ok(), "a code from inside the window was rejected");
    }
    // The range-based entry point (a TOTP step is an HOTP counter of the same key)
    // agrees with the window-based one; an empty range never matches.
    let hotp = Hotp::new(secret, algorithm, digits);
    let steps = hotp.verify_range(&text, first, last);
    assert_eq!(steps, result.map(|m| m.step));
    if first > 0 && Code::parse(&text, digits).is_ok() {
        assert_eq!(
            hotp.verify_range(&text, first, first - 1),
            Err(VerifyError::Mismatch)
        );
    }
}

fn check_hotp(input: &Input, secret: &Secret, algorithm: Algorithm, digits: Digits) {
    let hotp = Hotp::new(secret, algorithm, digits);
    let counter = input.counter;
    let max = Hotp::MAX_LOOK_AHEAD;
    let mut look_ahead = input.look_ahead;
    if look_ahead > max {
        // Refused whatever the code, also where the counters end first; so is a
        // range reaching further than the bound, measured as given.
        let text = typed_text(&input.hotp_code, counter, counter, |c| hotp.code(c));
        let too_long =
            |look_ahead| VerifyError::Window(WindowError::LookAheadTooLong { look_ahead });
        assert_eq!(
            hotp.verify(&text, counter, look_ahead),
            Err(too_long(u64::from(look_ahead)))
        );
        let last = counter.saturating_add(u64::from(look_ahead));
        if last - counter > u64::from(max) {
            assert_eq!(
                hotp.verify_range(&text, counter, last),
                Err(too_long(last - counter))
            );
        }
        look_ahead %= max + 1;
    }
    let last = counter.saturating_add(u64::from(look_ahead));
    let text = typed_text(&input.hotp_code, counter, last, |c| hotp.code(c));

    let result = hotp.verify(&text, counter, look_ahead);
    let reference = reference_scan(&text, digits, counter, last, |c| hotp.code(c));
    match (&result, reference) {
        (Err(VerifyError::Malformed(e)), Err(expected_err)) => assert_eq!(*e, expected_err),
        (_, Err(e)) => panic!("malformed code not reported as such: {e}; got {result:?}"),
        (Ok(m), Ok(Some(step))) => {
            assert_eq!(m.step, step);
            assert_eq!(i128::from(m.offset), i128::from(step) - i128::from(counter));
        }
        (Err(VerifyError::Mismatch), Ok(None)) => {}
        (other, Ok(want)) => panic!("verify gave {other:?}, the counter scan {want:?}"),
    }
    if matches!(input.hotp_code, Typed::FromWindow { .. }) {
        assert!(
            result.is_ok(),
            "a code from inside the look-ahead was rejected"
        );
    }
    assert_eq!(
        hotp.verify_range(&text, counter, last),
        result.map(|m| m.step)
    );
}

/// The window the fuzzer asked for, if it is within the bound (checking that
/// `Window::new` says so exactly); otherwise each side reduced modulo the bound
/// plus one (checking that the window was refused, naming the sides asked for).
fn window_within_bound(behind: u32, ahead: u32) -> Window {
    let max = Window::MAX_STEPS_PER_SIDE;
    let asked = Window::new(behind, ahead);
    if behind <= max && ahead <= max {
        let Ok(window) = asked else {
            panic!("a window within the bound was refused: {asked:?}");
        };
        assert_eq!((window.behind(), window.ahead()), (behind, ahead));
        window
    } else {
        assert_eq!(asked, Err(WindowError::TooWide { behind, ahead }));
        match Window::new(behind % (max + 1), ahead % (max + 1)) {
            Ok(window) => window,
            Err(e) => panic!("a reduced window was refused: {e}"),
        }
    }
}

fn typed_text(typed: &Typed, first: u64, last: u64, code_of: impl Fn(u64) -> Code) -> String {
    match typed {
        Typed::Text(text) => text.clone(),
        Typed::FromWindow { index, form } => {
            let len = last - first + 1;
            let step = first + u64::from(*index) % len;
            let code = code_of(step).to_string();
            match form % 4 {
                0 => code,
                1 => format!(" {code}\t"),
                2 => {
                    let (a, b) = code.split_at(3);
                    format!("{a} {b}")
                }
                _ => format!("\n{code}\r\n"),
            }
        }
    }
}

/// The latest step in `first..=last` whose code equals `text`, found one step at a
/// time; or the parse error.
fn reference_scan(
    text: &str,
    digits: Digits,
    first: u64,
    last: u64,
    code_of: impl Fn(u64) -> Code,
) -> Result<Option<u64>, otpkit::CodeError> {
    let typed = Code::parse(text, digits)?;
    assert_eq!(typed.digits(), digits);
    assert_eq!(
        Code::parse(&typed.to_string(), digits).map(|c| c.value()),
        Ok(typed.value())
    );
    Ok((first..=last).rev().find(|&s| code_of(s) == typed))
}
