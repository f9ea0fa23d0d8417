//! HOTP (RFC 4226): a code for each value of a counter.

use core::fmt;

use crate::keyed::KeyedHmac;
use crate::truncate::{self, Form};
use crate::verify::{self, Match, VerifyError, WindowError};
use crate::{Algorithm, Code, Digits, Secret};

/// An HOTP generator and verifier for one secret.
///
/// The secret is absorbed into the HMAC state once, here; every code afterwards
/// costs two hash compressions and no heap allocation.
///
/// ```
/// use otpkit::{Algorithm, Digits, Hotp, Secret};
/// let secret = Secret::from_bytes(b"12345678901234567890")?;
/// let hotp = Hotp::new(&secret, Algorithm::Sha1, Digits::SIX);
/// assert_eq!(hotp.code(0).to_string(), "755224"); // RFC 4226 Appendix D
/// // A server at counter 0 accepts the code for counter 2 with a look-ahead of 3.
/// let m = hotp.verify("359152", 0, 3)?;
/// assert_eq!((m.step, m.offset), (2, 2));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Hotp {
    mac: KeyedHmac,
    algorithm: Algorithm,
    digits: Digits,
}

impl Hotp {
    /// A generator for `secret` with the given hash and code length.
    pub fn new(secret: &Secret, algorithm: Algorithm, digits: Digits) -> Self {
        Hotp {
            mac: KeyedHmac::new(algorithm, secret),
            algorithm,
            digits,
        }
    }

    /// The code for `counter`.
    ///
    /// ```
    /// # let secret = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// let hotp = otpkit::Hotp::new(&secret, otpkit::Algorithm::Sha1, otpkit::Digits::SIX);
    /// assert_eq!(hotp.code(9).to_string(), "520489");
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn code(&self, counter: u64) -> Code {
        Code::new(
            truncate::reduce(self.mac.truncated(counter), self.digits),
            self.digits,
        )
    }

    /// The longest look-ahead [`Hotp::verify`] takes, and the most counters after
    /// the first that [`Hotp::verify_range`] scans: 1000, the
    /// [`Verifier`](crate::Verifier)'s widest HOTP search (resynchronisation,
    /// [`MAX_HOTP_RESYNC_LOOK_AHEAD`](crate::verifier::MAX_HOTP_RESYNC_LOOK_AHEAD)).
    /// A look-ahead of `n` compares `n + 1` counters and accepts a random 6-digit
    /// guess with probability about `(n + 1) / 10^6`: 1 in 1,000 at this bound.
    /// Each verification costs at most 1001 HMACs.
    pub const MAX_LOOK_AHEAD: u32 = 1_000;

    /// Verifies a typed code against counters `counter ..= counter + look_ahead`
    /// (RFC 4226 §7.2). On success the server must store `m.step + 1` as the next
    /// counter, so that this code and every earlier one cannot be used again.
    ///
    /// `look_ahead` is at most [`Hotp::MAX_LOOK_AHEAD`]; a longer one is
    /// [`VerifyError::Window`], whatever the code.
    ///
    /// ```
    /// use otpkit::{Hotp, VerifyError, WindowError};
    /// # let secret = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// let hotp = Hotp::new(&secret, otpkit::Algorithm::Sha1, otpkit::Digits::SIX);
    /// assert!(hotp.verify("755224", 1, 5).is_err()); // counter 0 is behind
    /// assert_eq!(hotp.verify("755224", 0, 1_001),
    ///            Err(VerifyError::Window(WindowError::LookAheadTooLong { look_ahead: 1_001 })));
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn verify(&self, code: &str, counter: u64, look_ahead: u32) -> Result<Match, VerifyError> {
        // Checked as asked for, also where the counters end before it does.
        if look_ahead > Hotp::MAX_LOOK_AHEAD {
            return Err(WindowError::LookAheadTooLong {
                look_ahead: u64::from(look_ahead),
            }
            .into());
        }
        let last = counter.saturating_add(u64::from(look_ahead));
        let step = self.verify_range(code, counter, last)?;
        Ok(Match::new(step, counter))
    }

    /// Verifies a typed code against every counter in `first ..= last`, in constant
    /// time for the range's length; the matching counter (the latest, if several
    /// match). An empty range (`first > last`) matches nothing.
    ///
    /// `last - first` is at most [`Hotp::MAX_LOOK_AHEAD`]; a longer range is
    /// [`VerifyError::Window`], whatever the code.
    ///
    /// ```
    /// # let secret = otpkit::Secret::from_bytes(b"12345678901234567890")?;
    /// let hotp = otpkit::Hotp::new(&secret, otpkit::Algorithm::Sha1, otpkit::Digits::SIX);
    /// assert_eq!(hotp.verify_range("969429", 0, 9)?, 3);
    /// assert!(hotp.verify_range("969429", 0, 1_001).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_range(&self, code: &str, first: u64, last: u64) -> Result<u64, VerifyError> {
        let look_ahead = last.saturating_sub(first);
        if look_ahead > u64::from(Hotp::MAX_LOOK_AHEAD) {
            return Err(WindowError::LookAheadTooLong { look_ahead }.into());
        }
        let typed = Code::parse(code, self.digits)?;
        self.verify_code_range(&typed, first, last)
    }

    /// [`Hotp::verify_range`] for an already parsed [`Code`]: the range scan the
    /// `verifier` module runs (crate-internal; the public entry points take text).
    pub(crate) fn verify_code_range(
        &self,
        code: &Code,
        first: u64,
        last: u64,
    ) -> Result<u64, VerifyError> {
        if first > last {
            return Err(VerifyError::Mismatch);
        }
        let typed = verify::Typed::decimal(code, self.digits);
        let form = Form::Decimal(self.digits);
        verify::scan(&self.mac, form, typed, first, last).ok_or(VerifyError::Mismatch)
    }

    /// The hash algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The code length.
    pub fn digits(&self) -> Digits {
        self.digits
    }
}

impl fmt::Debug for Hotp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hotp")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits.get())
            .finish_non_exhaustive()
    }
}
