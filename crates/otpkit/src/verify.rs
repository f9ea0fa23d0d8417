//! Comparison: does a typed code match any step in a window, in constant time?
//!
//! Every candidate in the window is computed and compared, whatever matched before
//! it; the matching step is picked with `subtle`'s conditional selection, so neither
//! the running time nor the branches taken depend on whether, or where, the code
//! matched. Only the final answer (matched or not) is branched on.
//!
//! # How far a scan reaches
//!
//! Every step a scan compares is one more code an attacker's random guess can hit:
//! a scan of `n` steps accepts a random 6-digit guess with probability about
//! `n / 10^6` (RFC 4226 Appendix A; `n / 10^8` for 8 digits). A window of a
//! million steps accepts nearly every code typed. So every stateless entry point is
//! bounded, by the widest search any flow of this crate needs, the
//! [`Verifier`](crate::Verifier)'s resynchronisation:
//!
//! - a [`Window`] (TOTP, Steam Guard) reaches at most [`Window::MAX_STEPS_PER_SIDE`]
//!   = 120 steps either side (an hour each way at 30 s; 241 candidates, a random
//!   6-digit guess accepted with probability about 1 in 4,000), and
//!   [`Window::new`] refuses more;
//! - an HOTP look-ahead ([`Hotp::verify`](crate::Hotp::verify)) or range
//!   ([`Hotp::verify_range`](crate::Hotp::verify_range)) reaches at most
//!   [`Hotp::MAX_LOOK_AHEAD`](crate::Hotp::MAX_LOOK_AHEAD) = 1000 counters past its
//!   first (1001 candidates, about 1 in 1,000), and longer ones are
//!   [`VerifyError::Window`].
//!
//! Both are also the time bound: one verification computes at most 1001 HMACs.
//! The [`Policy`](crate::Policy) of the stateful verifier has tighter bounds for
//! sign-in, and its widest (resynchronisation) are these.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use crate::keyed::{BATCH, Candidates, KeyedHmac};
use crate::sentences::sentences;
use crate::truncate::Form;
use crate::{Code, CodeError, Digits, Hotp, TimeError};

/// How many steps around the expected one a code may come from.
///
/// RFC 6238 §5.2 recommends allowing at most one step of network delay; the default
/// is one step behind and one ahead. It is asymmetric because clocks drift both ways
/// but delay only ever makes a code late.
///
/// Each side is at most [`Window::MAX_STEPS_PER_SIDE`] (120) steps: a window of `n`
/// steps accepts a random 6-digit guess with probability about `n / 10^6`, so
/// [`Window::new`] refuses a wider one with a [`WindowError`] rather than let it
/// through (see the [module documentation](self#how-far-a-scan-reaches)).
///
/// ```
/// use otpkit::{Window, WindowError};
/// assert_eq!(Window::default(), Window::new(1, 1)?);
/// assert_eq!(Window::new(2, 0)?.len(), 3);
/// assert_eq!(Window::symmetric(1_000_000),
///            Err(WindowError::TooWide { behind: 1_000_000, ahead: 1_000_000 }));
/// # Ok::<(), WindowError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    behind: u32,
    ahead: u32,
}

impl Window {
    /// The most steps a window reaches on either side of the expected one: 120, an
    /// hour at the default 30 s period. It is the widest search any flow needs (the
    /// [`Verifier`](crate::Verifier)'s resynchronisation,
    /// [`MAX_RESYNC_WINDOW`](crate::verifier::MAX_RESYNC_WINDOW)); a window this wide
    /// on both sides is 241 candidates, and accepts a random 6-digit guess with
    /// probability about 241 / 10^6, 1 in 4,000.
    pub const MAX_STEPS_PER_SIDE: u32 = 120;

    /// One step behind and one ahead (RFC 6238 §5.2).
    pub const DEFAULT: Window = Window {
        behind: 1,
        ahead: 1,
    };

    /// A window of `behind` earlier steps and `ahead` later steps, each at most
    /// [`Window::MAX_STEPS_PER_SIDE`].
    ///
    /// ```
    /// use otpkit::{Window, WindowError};
    /// assert!(Window::new(Window::MAX_STEPS_PER_SIDE, 0).is_ok());
    /// assert_eq!(Window::new(0, 121), Err(WindowError::TooWide { behind: 0, ahead: 121 }));
    /// ```
    pub const fn new(behind: u32, ahead: u32) -> Result<Self, WindowError> {
        if behind > Window::MAX_STEPS_PER_SIDE || ahead > Window::MAX_STEPS_PER_SIDE {
            Err(WindowError::TooWide { behind, ahead })
        } else {
            Ok(Window { behind, ahead })
        }
    }

    /// The expected step only.
    ///
    /// ```
    /// assert_eq!(otpkit::Window::exact().len(), 1);
    /// ```
    pub const fn exact() -> Self {
        Window {
            behind: 0,
            ahead: 0,
        }
    }

    /// `n` steps either side, at most [`Window::MAX_STEPS_PER_SIDE`].
    ///
    /// ```
    /// use otpkit::Window;
    /// assert_eq!(Window::symmetric(10), Window::new(10, 10));
    /// assert!(Window::symmetric(Window::MAX_STEPS_PER_SIDE + 1).is_err());
    /// ```
    pub const fn symmetric(n: u32) -> Result<Self, WindowError> {
        Window::new(n, n)
    }

    /// Steps accepted before the expected one.
    pub const fn behind(&self) -> u32 {
        self.behind
    }

    /// Steps accepted after the expected one.
    pub const fn ahead(&self) -> u32 {
        self.ahead
    }

    /// How many steps the window covers (candidates computed per verification):
    /// at most `2 ×` [`Window::MAX_STEPS_PER_SIDE`] `+ 1` = 241.
    #[allow(clippy::len_without_is_empty)] // never empty
    pub const fn len(&self) -> u64 {
        // Each part fits in u32, so the sum fits in u64.
        (self.behind as u64)
            .saturating_add(self.ahead as u64)
            .saturating_add(1)
    }

    /// The inclusive step range around `center`, cut at 0 and `u64::MAX` (steps
    /// outside them do not exist).
    pub(crate) fn range(&self, center: u64) -> (u64, u64) {
        range_around(center, self.behind, self.ahead)
    }
}

/// The inclusive step range from `behind` steps before `center` to `ahead` after
/// it, cut at 0 and `u64::MAX`: [`Window::range`], for the
/// [`Verifier`](crate::Verifier)'s searches, whose widths its
/// [`Policy`](crate::Policy) bounds (within the window's bound, asserted there).
pub(crate) fn range_around(center: u64, behind: u32, ahead: u32) -> (u64, u64) {
    (
        center.saturating_sub(u64::from(behind)),
        center.saturating_add(u64::from(ahead)),
    )
}

/// Why a window or an HOTP look-ahead was refused: it reaches further than the
/// stateless bound (see the [module documentation](self#how-far-a-scan-reaches)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowError {
    /// A [`Window`] side above [`Window::MAX_STEPS_PER_SIDE`].
    TooWide {
        /// The steps asked for before the expected one.
        behind: u32,
        /// The steps asked for after it.
        ahead: u32,
    },
    /// An HOTP look-ahead above [`Hotp::MAX_LOOK_AHEAD`]; for
    /// [`Hotp::verify_range`], the range's counters after its first.
    LookAheadTooLong {
        /// The look-ahead asked for.
        look_ahead: u64,
    },
}

sentences! {
    WindowError {
        WindowError::TooWide { behind, ahead } => format_args!(
            "a window may reach at most {} steps either side, got {behind} behind and \
             {ahead} ahead (each step lets one more random 6-digit guess in a million through)",
            Window::MAX_STEPS_PER_SIDE
        ),
        WindowError::LookAheadTooLong { look_ahead } => format_args!(
            "an HOTP look-ahead may be at most {} counters, got {look_ahead} \
             (each counter lets one more random 6-digit guess in a million through)",
            Hotp::MAX_LOOK_AHEAD
        ),
    }
}

impl core::error::Error for WindowError {}

impl Default for Window {
    fn default() -> Self {
        Window::DEFAULT
    }
}

/// A successful verification: which step (or HOTP counter) the code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Match {
    /// The matching time step or counter.
    pub step: u64,
    /// `step` minus the expected step: negative for a code from behind the expected
    /// step (a slow clock or a late submission), positive for one ahead.
    pub offset: i64,
}

impl Match {
    pub(crate) fn new(step: u64, expected: u64) -> Self {
        // Both lie in one window, whose halves are u32, so the difference fits i64.
        let offset = i128::from(step).saturating_sub(i128::from(expected));
        Match {
            step,
            offset: i64::try_from(offset).unwrap_or(if offset < 0 { i64::MIN } else { i64::MAX }),
        }
    }
}

/// Why a code was not accepted. A rejection never tells how close a wrong code came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The text is not a code of the right form (see [`Code::parse`]).
    Malformed(CodeError),
    /// The code matches no step in the window.
    Mismatch,
    /// The time could not be turned into a step.
    Time(TimeError),
    /// The HOTP look-ahead or range reaches further than [`Hotp::MAX_LOOK_AHEAD`]
    /// (nothing was compared).
    Window(WindowError),
}

impl From<CodeError> for VerifyError {
    fn from(e: CodeError) -> Self {
        VerifyError::Malformed(e)
    }
}

impl From<TimeError> for VerifyError {
    fn from(e: TimeError) -> Self {
        VerifyError::Time(e)
    }
}

impl From<WindowError> for VerifyError {
    fn from(e: WindowError) -> Self {
        VerifyError::Window(e)
    }
}

sentences! {
    VerifyError {
        VerifyError::Malformed(e) => format_args!("malformed code: {e}"),
        VerifyError::Mismatch => "the code is not valid",
        VerifyError::Time(e) => format_args!("cannot verify at this time: {e}"),
        VerifyError::Window(e) => e,
    }
    caused by {
        VerifyError::Malformed(e) => Some(e),
        VerifyError::Time(e) => Some(e),
        VerifyError::Window(e) => Some(e),
        VerifyError::Mismatch => None,
    }
}

/// A typed code as [`scan`] compares it: the number it stands for in its [`Form`],
/// and whether it has that form at all (a code of another length or alphabet never
/// matches, whatever its number).
#[derive(Clone, Copy)]
pub(crate) struct Typed {
    pub(crate) value: u64,
    pub(crate) well_formed: Choice,
}

impl Typed {
    /// `value` in the scan's form, if `well_formed` says the text had that form.
    pub(crate) fn new(value: u64, well_formed: Choice) -> Self {
        Typed { value, well_formed }
    }

    /// A parsed decimal code, for a scan of `digits`-digit codes. Codes of
    /// different lengths are different codes (as [`Code`]'s equality says).
    pub(crate) fn decimal(code: &Code, digits: Digits) -> Self {
        Typed::new(code.value(), code.digits().get().ct_eq(&digits.get()))
    }
}

/// The one scan every verification goes through (HOTP, TOTP, Steam Guard and the
/// `verifier`): compare `typed` with the code of every step in `first..=last`, each
/// code made in `form`; the latest matching step, if any.
///
/// Time depends only on the range's length and the (public) form. When several
/// steps share a code (probability about window/10^digits) the latest wins, so a
/// code that matches both an already-used step and a fresh one is credited to the
/// fresh one.
///
/// Candidates are computed [`BATCH`] at a time (the last batch holds the rest), so
/// that the `lanes` kernel can interleave their hash computations; the batch sizes
/// depend only on the range's length, never on the codes.
pub(crate) fn scan(
    mac: &KeyedHmac,
    form: Form,
    typed: Typed,
    first: u64,
    last: u64,
) -> Option<u64> {
    // The algorithm (public) is matched once, here, rather than per batch: each arm
    // runs the loop compiled for its own key type.
    match mac {
        KeyedHmac::Sha1(key) => scan_with(key, form, typed, first, last),
        KeyedHmac::Sha256(key) => scan_with(key, form, typed, first, last),
        KeyedHmac::Sha512(key) => scan_with(key, form, typed, first, last),
    }
}

/// [`scan`] for one algorithm's key.
fn scan_with<K: Candidates>(
    key: &K,
    form: Form,
    typed: Typed,
    first: u64,
    last: u64,
) -> Option<u64> {
    let mut scan = Scan {
        key,
        form,
        typed: typed.value,
        found: 0,
        matched: 0,
    };
    let mut next = first;
    loop {
        // Steps left, counting `next`; at least 1 while next <= last.
        let left = last.saturating_sub(next).saturating_add(1);
        let done = match left {
            1 => scan.batch::<1>(next),
            2 => scan.batch::<2>(next),
            3 => scan.batch::<3>(next),
            _ => scan.batch::<BATCH>(next),
        };
        // `done` is the last step compared; stop after `last` (also when it is u64::MAX).
        if done >= last {
            break;
        }
        next = done.saturating_add(1);
    }
    // The one conversion back to a `Choice` (an optimisation barrier in `subtle`),
    // and the one branch: on the final answer.
    if bool::from(Choice::from(scan.found & typed.well_formed.unwrap_u8())) {
        Some(scan.matched)
    } else {
        None
    }
}

// `scan` dispatches remainders of 1..=3 steps and full batches of 4.
const _: () = assert!(BATCH == 4, "update scan's dispatch for a new BATCH");

/// The running state of [`scan`].
struct Scan<'a, K> {
    key: &'a K,
    form: Form,
    /// The typed code's value.
    typed: u64,
    /// 1 once any candidate matched, else 0: the OR of the candidates' `Choice`s,
    /// kept as the plain byte so that each candidate costs one `subtle` barrier (its
    /// `ct_eq`) rather than two; OR-ing bytes is branch-free either way.
    found: u8,
    matched: u64,
}

impl<K: Candidates> Scan<'_, K> {
    /// Compare the `N` steps from `first` (which the caller checked exist); the
    /// last step compared.
    fn batch<const N: usize>(&mut self, first: u64) -> u64 {
        let mut steps = [first; N];
        let mut step = first;
        for slot in steps.iter_mut() {
            *slot = step;
            step = step.saturating_add(1);
        }
        let codes = self.form.reduce_batch(self.key.truncated_batch(&steps));
        for (step, code) in steps.iter().zip(codes) {
            let equal = code.ct_eq(&self.typed);
            self.matched.conditional_assign(step, equal);
            self.found |= equal.unwrap_u8();
        }
        steps.last().copied().unwrap_or(first)
    }
}

impl WindowError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        match self {
            WindowError::TooWide { .. } | WindowError::LookAheadTooLong { .. } => {
                crate::ErrorCode::WindowTooLarge
            }
        }
    }
}

impl VerifyError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        match self {
            VerifyError::Malformed(e) => e.code(),
            VerifyError::Mismatch => crate::ErrorCode::CodeMismatch,
            VerifyError::Time(e) => e.code(),
            VerifyError::Window(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::truncate;
    use crate::{Algorithm, Secret};

    fn keyed(algorithm: Algorithm) -> KeyedHmac {
        let secret = Secret::from_bytes(b"12345678901234567890123456789012").unwrap();
        KeyedHmac::new(algorithm, &secret)
    }

    fn code_of(mac: &KeyedHmac, step: u64) -> Code {
        Code::new(
            truncate::reduce(mac.truncated(step), Digits::SIX),
            Digits::SIX,
        )
    }

    fn decimal_scan(mac: &KeyedHmac, typed: &Code, first: u64, last: u64) -> Option<u64> {
        let form = Form::Decimal(Digits::SIX);
        scan(mac, form, Typed::decimal(typed, Digits::SIX), first, last)
    }

    /// The step-by-step definition: the latest step in the range with that code.
    fn reference(mac: &KeyedHmac, typed: &Code, first: u64, last: u64) -> Option<u64> {
        (first..=last)
            .rev()
            .find(|step| bool::from(code_of(mac, *step).ct_eq(typed)))
    }

    #[test]
    fn batches_compute_what_single_candidates_do() {
        for algorithm in Algorithm::ALL {
            let mac = keyed(algorithm);
            let steps = [0, 1, u64::MAX, 1 << 40];
            let batch = mac.truncated_batch(&steps);
            for (step, value) in steps.iter().zip(batch) {
                assert_eq!(value, mac.truncated(*step), "{algorithm:?} step {step}");
            }
        }
    }

    #[test]
    fn a_code_of_another_length_never_matches() {
        let mac = keyed(Algorithm::Sha1);
        let six = code_of(&mac, 1_000);
        // The same number as an 8-digit code (typed zero-padded) is another code.
        let eight = Code::new(six.value(), Digits::EIGHT);
        assert_eq!(decimal_scan(&mac, &eight, 999, 1_001), None);
        assert_eq!(decimal_scan(&mac, &six, 999, 1_001), Some(1_000));
    }

    #[test]
    fn every_window_length_and_position_matches_the_reference() {
        // The batching does not depend on the algorithm; Miri checks it on SHA-1 only.
        let algorithms: &[Algorithm] = if cfg!(miri) {
            &[Algorithm::Sha1]
        } else {
            &Algorithm::ALL
        };
        for &algorithm in algorithms {
            let mac = keyed(algorithm);
            // Lengths past 2 × BATCH + 1 add nothing new; Miri gets the first few.
            let longest = if cfg!(miri) { 5 } else { 11 };
            for len in 1u64..=longest {
                for (first, name) in [(1_000, "middle"), (u64::MAX - (len - 1), "at u64::MAX")] {
                    let last = first + (len - 1);
                    for target in first..=last {
                        let typed = code_of(&mac, target);
                        assert_eq!(
                            decimal_scan(&mac, &typed, first, last),
                            reference(&mac, &typed, first, last),
                            "{algorithm:?}, length {len} {name}, target {target}"
                        );
                    }
                    // A code from just outside the range is not credited to it
                    // (unless a step inside happens to share it).
                    let outside = code_of(&mac, first.wrapping_sub(1));
                    assert_eq!(
                        decimal_scan(&mac, &outside, first, last),
                        reference(&mac, &outside, first, last)
                    );
                }
            }
        }
    }
}
