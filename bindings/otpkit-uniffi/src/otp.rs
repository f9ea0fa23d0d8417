//! Code generators: [`Totp`] and [`Hotp`], immutable and shareable across threads.

use std::sync::Arc;

use crate::OtpkitError;
use crate::Secret;

/// The HMAC hash function (RFC 6238 §1.2). Where a binding function takes it as an
/// optional argument, `None` (the default) is SHA-1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Algorithm {
    /// HMAC-SHA1: the RFC 4226 algorithm and what every authenticator app computes.
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Algorithm::Sha1 => "SHA-1",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512 => "SHA-512",
        })
    }
}

impl From<Algorithm> for otpkit::Algorithm {
    fn from(a: Algorithm) -> Self {
        match a {
            Algorithm::Sha1 => otpkit::Algorithm::Sha1,
            Algorithm::Sha256 => otpkit::Algorithm::Sha256,
            Algorithm::Sha512 => otpkit::Algorithm::Sha512,
        }
    }
}

impl Algorithm {
    /// The binding's name for a core algorithm, or `None` for one added to the core
    /// after these bindings were written.
    pub fn from_core(a: otpkit::Algorithm) -> Option<Self> {
        match a {
            otpkit::Algorithm::Sha1 => Some(Algorithm::Sha1),
            otpkit::Algorithm::Sha256 => Some(Algorithm::Sha256),
            otpkit::Algorithm::Sha512 => Some(Algorithm::Sha512),
        }
    }
}

/// Which step a verified code matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Match {
    /// The matched step (TOTP time step or HOTP counter). Store it: a code at or
    /// before it must never be accepted again.
    pub step: u64,
    /// The matched step minus the expected one: negative when the device is behind.
    pub offset: i64,
}

impl From<otpkit::Match> for Match {
    fn from(m: otpkit::Match) -> Self {
        Match {
            step: m.step,
            offset: m.offset,
        }
    }
}

fn digits(n: u8) -> Result<otpkit::Digits, OtpkitError> {
    Ok(otpkit::Digits::new(n)?)
}

/// A period of `seconds`, or the `ZeroPeriod` error.
pub(crate) fn period(seconds: u64) -> Result<otpkit::Period, OtpkitError> {
    Ok(otpkit::Period::new(seconds)?)
}

/// A time-based generator (RFC 6238): one secret with its algorithm, digits and
/// period. The key is absorbed once at construction; each code then costs two hash
/// compressions. Its text (`Display`: Kotlin `toString()`, Swift `description`) is
/// its settings, `TOTP SHA-1, 6 digits, 30 s`; the debug text shows the secret's
/// length only.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Totp {
    pub(crate) inner: otpkit::Totp,
    algorithm: Algorithm,
}

crate::transparent_debug!(Totp, inner);

impl std::fmt::Display for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TOTP {}, {} digits, {} s",
            self.algorithm,
            self.inner.digits().get(),
            self.inner.period().seconds()
        )?;
        match self.inner.t0() {
            0 => Ok(()),
            t0 => write!(f, " from {t0}"),
        }
    }
}

impl Totp {
    /// Wraps a core generator made with `algorithm`.
    pub(crate) fn from_core(inner: otpkit::Totp, algorithm: Algorithm) -> Self {
        Totp { inner, algorithm }
    }

    /// The core generator.
    pub fn core(&self) -> &otpkit::Totp {
        &self.inner
    }
}

#[uniffi::export]
impl Totp {
    /// A generator for `secret`. `algorithm` defaults to SHA-1; `digits` (default 6)
    /// is 6 to 10; `period` is in seconds (default 30), at least one; `t0` is the Unix
    /// time steps are counted from (0 in every real deployment).
    #[uniffi::constructor(default(algorithm = None, digits = 6, period = 30, t0 = 0))]
    pub fn new(
        secret: Arc<Secret>,
        algorithm: Option<Algorithm>,
        digits: u8,
        period: u64,
        t0: u64,
    ) -> Result<Arc<Self>, OtpkitError> {
        let algorithm = algorithm.unwrap_or_default();
        let period = self::period(period)?;
        let inner = otpkit::Totp::new(&secret.0, algorithm.into(), self::digits(digits)?, period)
            .with_t0(t0);
        Ok(Arc::new(Totp { inner, algorithm }))
    }

    /// The code for a Unix time, zero-padded.
    pub fn code_at(&self, unix_time: u64) -> Result<String, OtpkitError> {
        Ok(self.inner.code_at(unix_time)?.to_string())
    }

    /// The code for the system clock's current time.
    pub fn code_now(&self) -> Result<String, OtpkitError> {
        Ok(self.inner.code_now()?.to_string())
    }

    /// The code of a time step.
    pub fn code_at_step(&self, step: u64) -> String {
        self.inner.code_at_step(step).to_string()
    }

    /// Seconds until the code shown at `unix_time` changes: 1 to the period.
    pub fn seconds_left(&self, unix_time: u64) -> Result<u64, OtpkitError> {
        Ok(self.inner.seconds_left(unix_time)?)
    }

    /// The time step of a Unix time.
    pub fn step_at(&self, unix_time: u64) -> Result<u64, OtpkitError> {
        Ok(self.inner.step_at(unix_time)?)
    }

    /// Checks a typed code against the steps from `behind` before to `ahead` after
    /// the step of `unix_time`, in constant time. This is the stateless check: it
    /// does not stop replays. Servers should use `Verifier`, which does. Each side
    /// is at most 120 steps (`ErrorReason::WindowTooLarge` otherwise): every step
    /// lets one more random 6-digit guess in a million through.
    #[uniffi::method(default(behind = 1, ahead = 1))]
    pub fn verify(
        &self,
        code: String,
        unix_time: u64,
        behind: u32,
        ahead: u32,
    ) -> Result<Match, OtpkitError> {
        let window = otpkit::Window::new(behind, ahead)?;
        Ok(self.inner.verify(&code, unix_time, window)?.into())
    }

    /// The hash function.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits in a code.
    pub fn digits(&self) -> u8 {
        self.inner.digits().get()
    }

    /// The period in seconds.
    pub fn period(&self) -> u64 {
        self.inner.period().seconds()
    }

    /// The Unix time steps are counted from.
    pub fn t0(&self) -> u64 {
        self.inner.t0()
    }
}

/// A counter-based generator (RFC 4226). Its text is its settings, `HOTP SHA-1, 6
/// digits`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Hotp {
    pub(crate) inner: otpkit::Hotp,
    algorithm: Algorithm,
}

crate::transparent_debug!(Hotp, inner);

impl std::fmt::Display for Hotp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HOTP {}, {} digits",
            self.algorithm,
            self.inner.digits().get()
        )
    }
}

impl Hotp {
    /// Wraps a core generator made with `algorithm`.
    pub(crate) fn from_core(inner: otpkit::Hotp, algorithm: Algorithm) -> Self {
        Hotp { inner, algorithm }
    }

    /// The core generator.
    pub fn core(&self) -> &otpkit::Hotp {
        &self.inner
    }
}

#[uniffi::export]
impl Hotp {
    /// A generator for `secret`; `algorithm` defaults to SHA-1, `digits` (default 6)
    /// is 6 to 10.
    #[uniffi::constructor(default(algorithm = None, digits = 6))]
    pub fn new(
        secret: Arc<Secret>,
        algorithm: Option<Algorithm>,
        digits: u8,
    ) -> Result<Arc<Self>, OtpkitError> {
        let algorithm = algorithm.unwrap_or_default();
        let inner = otpkit::Hotp::new(&secret.0, algorithm.into(), self::digits(digits)?);
        Ok(Arc::new(Hotp { inner, algorithm }))
    }

    /// The code at a counter value, zero-padded.
    pub fn code(&self, counter: u64) -> String {
        self.inner.code(counter).to_string()
    }

    /// Checks a typed code against counters `counter` to `counter + look_ahead`, in
    /// constant time. Stateless: the caller must move its counter past the match.
    /// `look_ahead` is at most 1000 (`ErrorReason::WindowTooLarge` otherwise).
    #[uniffi::method(default(look_ahead = 0))]
    pub fn verify(
        &self,
        code: String,
        counter: u64,
        look_ahead: u32,
    ) -> Result<Match, OtpkitError> {
        Ok(self.inner.verify(&code, counter, look_ahead)?.into())
    }

    /// The hash function.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits in a code.
    pub fn digits(&self) -> u8 {
        self.inner.digits().get()
    }
}

/// The system clock's current Unix time in seconds.
#[uniffi::export]
pub fn unix_now() -> Result<u64, OtpkitError> {
    Ok(otpkit::unix_now()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B seeds: the ASCII digits repeated to 20, 32 and 64 bytes.
    fn rfc_secret(alg: Algorithm) -> Arc<Secret> {
        let len = match alg {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        };
        let bytes: Vec<u8> = b"1234567890".iter().copied().cycle().take(len).collect();
        Secret::from_bytes(bytes, false).unwrap()
    }

    #[test]
    fn rfc6238_vectors_through_the_binding_types() {
        // (time, SHA1, SHA256, SHA512) from RFC 6238 appendix B.
        let vectors = [
            (59u64, "94287082", "46119246", "90693936"),
            (1_111_111_109, "07081804", "68084774", "25091201"),
            (2_000_000_000, "69279037", "90698825", "38618901"),
        ];
        for (time, sha1, sha256, sha512) in vectors {
            for (alg, expected) in [
                (Algorithm::Sha1, sha1),
                (Algorithm::Sha256, sha256),
                (Algorithm::Sha512, sha512),
            ] {
                let totp = Totp::new(rfc_secret(alg), Some(alg), 8, 30, 0).unwrap();
                assert_eq!(totp.code_at(time).unwrap(), expected, "{alg:?} at {time}");
            }
        }
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        let hotp = Hotp::new(rfc_secret(Algorithm::Sha1), Some(Algorithm::Sha1), 6).unwrap();
        assert_eq!(hotp.code(0), "755224");
        assert_eq!(hotp.code(9), "520489");
        let m = hotp.verify("520489".into(), 5, 4).unwrap();
        assert_eq!(m, Match { step: 9, offset: 4 });
        assert!(matches!(
            (hotp.verify("520489".into(), 5, 3)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::CodeMismatch)
        ));
    }

    #[test]
    fn seconds_left_and_verify_window() {
        let totp = Totp::new(rfc_secret(Algorithm::Sha1), Some(Algorithm::Sha1), 6, 30, 0).unwrap();
        assert_eq!(totp.seconds_left(59).unwrap(), 1);
        assert_eq!(totp.seconds_left(60).unwrap(), 30);
        let code = totp.code_at(59).unwrap();
        assert_eq!(code.len(), 6);
        let m = totp.verify(code.clone(), 59 + 30, 1, 0).unwrap();
        assert_eq!(
            m,
            Match {
                step: 1,
                offset: -1
            }
        );
        assert!(matches!(
            (totp.verify(code, 59 + 30, 0, 0)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::CodeMismatch)
        ));
        assert!(matches!(
            (totp.verify("12a456".into(), 59, 1, 1)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::CodeMalformed)
        ));
    }

    #[test]
    fn a_window_or_look_ahead_over_the_core_bound_is_window_too_large() {
        let totp = Totp::new(rfc_secret(Algorithm::Sha1), Some(Algorithm::Sha1), 6, 30, 0).unwrap();
        let code = totp.code_at(59).unwrap();
        // 2,000,000 steps either side used to accept nearly any code.
        for (behind, ahead) in [(2_000_000, 2_000_000), (121, 0), (0, 121)] {
            let e = totp.verify("000000".into(), 59, behind, ahead).unwrap_err();
            assert_eq!(e.reason(), crate::ErrorReason::WindowTooLarge, "{e}");
            assert!(matches!(e, OtpkitError::InvalidInput { .. }), "{e:?}");
            assert!(e.detail().contains("at most 120 steps"), "{e}");
        }
        assert!(totp.verify(code, 59, 120, 120).is_ok());
        let hotp = Hotp::new(rfc_secret(Algorithm::Sha1), Some(Algorithm::Sha1), 6).unwrap();
        let e = hotp.verify("755224".into(), 0, 1_001).unwrap_err();
        assert_eq!(e.reason(), crate::ErrorReason::WindowTooLarge, "{e}");
        assert!(e.detail().contains("at most 1000 counters"), "{e}");
        assert_eq!(hotp.verify("755224".into(), 0, 1_000).unwrap().step, 0);
    }

    #[test]
    fn bad_parameters_are_typed() {
        let s = rfc_secret(Algorithm::Sha1);
        assert!(matches!(
            (Totp::new(s.clone(), Some(Algorithm::Sha1), 5, 30, 0)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::DigitsOutOfRange)
        ));
        assert!(matches!(
            (Totp::new(s.clone(), Some(Algorithm::Sha1), 6, 0, 0)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::ZeroPeriod)
        ));
        assert!(matches!(
            (Hotp::new(s.clone(), Some(Algorithm::Sha1), 11)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::DigitsOutOfRange)
        ));
        let totp = Totp::new(s, Some(Algorithm::Sha1), 6, 30, 100).unwrap();
        assert!(matches!(
            (totp.code_at(99)).map_err(|e| e.reason()),
            Err(crate::ErrorReason::BeforeEpoch)
        ));
        assert_eq!(totp.t0(), 100);
    }

    #[test]
    fn algorithms_round_trip_with_the_core() {
        for a in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            assert_eq!(Algorithm::from_core(a.into()), Some(a));
        }
    }

    #[test]
    fn algorithm_defaults_to_sha1() {
        let s = rfc_secret(Algorithm::Sha1);
        let default = Totp::new(s.clone(), None, 8, 30, 0).unwrap();
        assert_eq!(default.algorithm(), Algorithm::Sha1);
        assert_eq!(default.code_at(59).unwrap(), "94287082");
        assert_eq!(Hotp::new(s, None, 6).unwrap().code(0), "755224");
    }

    #[test]
    fn display_is_the_settings_and_never_the_secret() {
        let s = rfc_secret(Algorithm::Sha256);
        let totp = Totp::new(s.clone(), Some(Algorithm::Sha256), 8, 60, 0).unwrap();
        assert_eq!(totp.to_string(), "TOTP SHA-256, 8 digits, 60 s");
        let late = Totp::new(s.clone(), None, 6, 30, 100).unwrap();
        assert_eq!(late.to_string(), "TOTP SHA-1, 6 digits, 30 s from 100");
        let hotp = Hotp::new(s.clone(), Some(Algorithm::Sha512), 7).unwrap();
        assert_eq!(hotp.to_string(), "HOTP SHA-512, 7 digits");
        let base32 = s.base32();
        for text in [
            totp.to_string(),
            format!("{totp:?}"),
            hotp.to_string(),
            format!("{hotp:?}"),
        ] {
            assert!(
                !text.contains(&base32[..8]) && !text.contains("1234"),
                "{text}"
            );
        }
    }
}
