//! Code generators: [`Totp`], [`Hotp`] and [`SteamGuard`], immutable and shareable
//! across threads, with stateless checks whose wrong or malformed code is no match
//! (Kotlin `null`, Swift `nil`), never an exception.

use std::sync::Arc;

pub use otpkit::Algorithm;
use otpkit_facade::generators as fg;
use otpkit_facade::records::CodeMatch;

use crate::error::ffi;
use crate::{OtpkitError, Secret};

/// The HMAC hash function (RFC 6238 §1.2): the core's `otpkit::Algorithm`, exposed as
/// a Kotlin `enum class` and a Swift `enum`. Where a function takes it as an optional
/// argument, `None` (the default) is SHA-1. uniffi lowers it with an exhaustive
/// `match`, so an algorithm added to the core does not compile here until it is
/// listed.
#[uniffi::remote(Enum)]
pub enum Algorithm {
    /// HMAC-SHA1: the RFC 4226 algorithm and what every authenticator app computes.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// How generators' descriptions name a hash: `SHA-1`, `SHA-256`, `SHA-512`.
const fn hash_label(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::Sha1 => "SHA-1",
        Algorithm::Sha256 => "SHA-256",
        Algorithm::Sha512 => "SHA-512",
    }
}

/// Which step a verified code matched. Its text is `matched step 1 (offset 0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Record)]
#[uniffi::export(Display)]
pub struct Match {
    /// The matched step (TOTP time step or HOTP counter). Store it: a code at or
    /// before it must never be accepted again.
    pub step: u64,
    /// The matched step minus the expected one: negative when the device is behind.
    pub offset: i64,
}

impl Match {
    fn record(self) -> CodeMatch {
        CodeMatch {
            step: self.step,
            offset: self.offset,
        }
    }
}

impl std::fmt::Display for Match {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.record().fmt(f)
    }
}

fn found(m: Option<CodeMatch>) -> Option<Match> {
    m.map(|m| Match {
        step: m.step,
        offset: m.offset,
    })
}

/// A time-based generator (RFC 6238): one secret with its algorithm, digits and
/// period. The key is absorbed once at construction. Its text (Kotlin `toString()`,
/// Swift `description`) is its settings, `TOTP SHA-1, 6 digits, 30 s`; never the
/// secret.
///
/// `repr(transparent)`: otpkit-jni reads a uniffi handle of a `Totp` (`Arc::into_raw`)
/// as a pointer to the core's `otpkit::Totp`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
#[repr(transparent)]
pub struct Totp {
    pub(crate) inner: otpkit::Totp,
}

crate::transparent_debug!(Totp, inner);

impl std::fmt::Display for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TOTP {}, {} digits, {} s",
            hash_label(self.inner.algorithm()),
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
    /// Wraps a core generator.
    pub(crate) fn from_core(inner: otpkit::Totp) -> Self {
        Totp { inner }
    }
}

#[uniffi::export]
impl Totp {
    /// A generator for `secret`. `algorithm` defaults to SHA-1, `digits` (6 to 10)
    /// to 6, `period` (seconds, at least one) to 30, `t0` (the Unix time steps are
    /// counted from) to 0.
    #[uniffi::constructor(default(algorithm = None, digits = None, period = None, t0 = None))]
    pub fn new(
        secret: Arc<Secret>,
        algorithm: Option<Algorithm>,
        digits: Option<u8>,
        period: Option<u64>,
        t0: Option<u64>,
    ) -> Result<Arc<Self>, OtpkitError> {
        let inner = ffi(fg::totp(
            &secret.0,
            algorithm.map(Algorithm::name),
            digits,
            period,
            t0,
        ))?;
        Ok(Arc::new(Totp { inner }))
    }

    /// The code for a Unix time, zero-padded.
    pub fn code_at(&self, unix_time: u64) -> Result<String, OtpkitError> {
        ffi(self.inner.code_at(unix_time)).map(|c| c.to_string())
    }

    /// The code for the system clock's current time.
    pub fn code_now(&self) -> Result<String, OtpkitError> {
        self.code_at(unix_now()?)
    }

    /// The code of a time step.
    pub fn code_at_step(&self, step: u64) -> String {
        self.inner.code_at_step(step).to_string()
    }

    /// Seconds until the code shown at `unix_time` changes: 1 to the period.
    pub fn seconds_left(&self, unix_time: u64) -> Result<u64, OtpkitError> {
        ffi(self.inner.seconds_left(unix_time))
    }

    /// The time step of a Unix time.
    pub fn step_at(&self, unix_time: u64) -> Result<u64, OtpkitError> {
        ffi(self.inner.step_at(unix_time))
    }

    /// Checks a typed code against the steps from `behind` (default 1) before to
    /// `ahead` (default 1) after the step of `unix_time`, in constant time: the
    /// match, or `None` (Kotlin `null`, Swift `nil`) for a wrong or malformed code.
    /// Stateless: it does not stop replays; servers use `Verifier`, which does. Each
    /// side is at most 120 steps (`InvalidInput`, `WINDOW_TOO_LARGE` otherwise).
    #[uniffi::method(default(behind = None, ahead = None))]
    pub fn verify(
        &self,
        code: String,
        unix_time: u64,
        behind: Option<u32>,
        ahead: Option<u32>,
    ) -> Result<Option<Match>, OtpkitError> {
        ffi(fg::totp_verify(
            &self.inner,
            &code,
            unix_time,
            behind,
            ahead,
        ))
        .map(found)
    }

    /// The hash function.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.algorithm()
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
///
/// `repr(transparent)`: otpkit-jni reads a uniffi handle of a `Hotp` as a pointer to
/// the core's `otpkit::Hotp`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
#[repr(transparent)]
pub struct Hotp {
    pub(crate) inner: otpkit::Hotp,
}

crate::transparent_debug!(Hotp, inner);

impl std::fmt::Display for Hotp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HOTP {}, {} digits",
            hash_label(self.inner.algorithm()),
            self.inner.digits().get()
        )
    }
}

impl Hotp {
    /// Wraps a core generator.
    pub(crate) fn from_core(inner: otpkit::Hotp) -> Self {
        Hotp { inner }
    }
}

#[uniffi::export]
impl Hotp {
    /// A generator for `secret`; `algorithm` defaults to SHA-1, `digits` (6 to 10)
    /// to 6.
    #[uniffi::constructor(default(algorithm = None, digits = None))]
    pub fn new(
        secret: Arc<Secret>,
        algorithm: Option<Algorithm>,
        digits: Option<u8>,
    ) -> Result<Arc<Self>, OtpkitError> {
        let inner = ffi(fg::hotp(&secret.0, algorithm.map(Algorithm::name), digits))?;
        Ok(Arc::new(Hotp { inner }))
    }

    /// The code at a counter value, zero-padded.
    pub fn code(&self, counter: u64) -> String {
        self.inner.code(counter).to_string()
    }

    /// Checks a typed code against counters `counter` to `counter + look_ahead`
    /// (default 0, at most 1000), in constant time: the match, or `None` for a wrong
    /// or malformed code. Stateless: the caller must move its counter past the match.
    #[uniffi::method(default(look_ahead = None))]
    pub fn verify(
        &self,
        code: String,
        counter: u64,
        look_ahead: Option<u32>,
    ) -> Result<Option<Match>, OtpkitError> {
        ffi(fg::hotp_verify(&self.inner, &code, counter, look_ahead)).map(found)
    }

    /// The hash function.
    pub fn algorithm(&self) -> Algorithm {
        self.inner.algorithm()
    }

    /// The number of digits in a code.
    pub fn digits(&self) -> u8 {
        self.inner.digits().get()
    }
}

/// A Steam Guard generator: five characters from Steam's alphabet, HMAC-SHA1, 30 s.
/// Its text is `Steam Guard`.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct SteamGuard(pub(crate) otpkit::steam::SteamGuard);

crate::transparent_debug!(SteamGuard, 0);

impl std::fmt::Display for SteamGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Steam Guard")
    }
}

#[uniffi::export]
impl SteamGuard {
    /// A generator for `secret`.
    #[uniffi::constructor]
    pub fn new(secret: Arc<Secret>) -> Arc<Self> {
        Arc::new(SteamGuard(otpkit::steam::SteamGuard::new(&secret.0)))
    }

    /// The code for a Unix time.
    pub fn code_at(&self, unix_time: u64) -> Result<String, OtpkitError> {
        ffi(self.0.code_at(unix_time)).map(|c| c.to_string())
    }

    /// The code for the system clock's current time.
    pub fn code_now(&self) -> Result<String, OtpkitError> {
        self.code_at(unix_now()?)
    }

    /// Seconds until the code shown at `unix_time` changes: 1 to 30.
    pub fn seconds_left(&self, unix_time: u64) -> u64 {
        self.0.seconds_left(unix_time)
    }

    /// Checks a typed code (any case) against the steps from `behind` (default 1)
    /// before to `ahead` (default 1) after the step of `unix_time`, each at most 120:
    /// the match, or `None` for a wrong or malformed code. Stateless.
    #[uniffi::method(default(behind = None, ahead = None))]
    pub fn verify(
        &self,
        code: String,
        unix_time: u64,
        behind: Option<u32>,
        ahead: Option<u32>,
    ) -> Result<Option<Match>, OtpkitError> {
        ffi(fg::steam_verify(&self.0, &code, unix_time, behind, ahead)).map(found)
    }
}

/// The system clock's current Unix time in seconds.
#[uniffi::export]
pub fn unix_now() -> Result<u64, OtpkitError> {
    ffi(otpkit::unix_now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

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
                let totp = Totp::new(rfc_secret(alg), Some(alg), Some(8), None, None).unwrap();
                assert_eq!(totp.code_at(time).unwrap(), expected, "{alg:?} at {time}");
            }
        }
    }

    #[test]
    fn a_wrong_or_malformed_code_is_no_match() {
        let hotp = Hotp::new(rfc_secret(Algorithm::Sha1), None, None).unwrap();
        assert_eq!(hotp.code(0), "755224");
        let m = hotp.verify("520489".into(), 5, Some(4)).unwrap();
        assert_eq!(m, Some(Match { step: 9, offset: 4 }));
        assert_eq!(m.unwrap().to_string(), "matched step 9 (offset 4)");
        assert_eq!(hotp.verify("520489".into(), 5, Some(3)).unwrap(), None);
        let totp = Totp::new(rfc_secret(Algorithm::Sha1), None, None, None, None).unwrap();
        let code = totp.code_at(59).unwrap();
        assert_eq!(
            totp.verify(code.clone(), 89, Some(1), Some(0)).unwrap(),
            Some(Match {
                step: 1,
                offset: -1
            })
        );
        assert_eq!(totp.verify(code, 89, Some(0), Some(0)).unwrap(), None);
        assert_eq!(totp.verify("12a456".into(), 59, None, None).unwrap(), None);
        let steam = SteamGuard::new(rfc_secret(Algorithm::Sha1));
        assert_eq!(steam.verify("BCDFG!".into(), 59, None, None).unwrap(), None);
        let shown = steam.code_at(59).unwrap();
        assert_eq!(
            steam.verify(shown, 59, None, None).unwrap().unwrap().step,
            1
        );
    }

    #[test]
    fn a_window_or_look_ahead_over_the_core_bound_is_window_too_large() {
        let totp = Totp::new(rfc_secret(Algorithm::Sha1), None, None, None, None).unwrap();
        for (behind, ahead) in [(2_000_000, 2_000_000), (121, 0), (0, 121)] {
            let e = totp
                .verify("000000".into(), 59, Some(behind), Some(ahead))
                .unwrap_err();
            assert_eq!(e.reason(), ErrorCode::WindowTooLarge, "{e}");
            assert!(matches!(e, OtpkitError::InvalidInput { .. }), "{e:?}");
        }
        let hotp = Hotp::new(rfc_secret(Algorithm::Sha1), None, None).unwrap();
        let e = hotp.verify("755224".into(), 0, Some(1_001)).unwrap_err();
        assert_eq!(e.reason(), ErrorCode::WindowTooLarge, "{e}");
        let steam = SteamGuard::new(rfc_secret(Algorithm::Sha1));
        let e = steam
            .verify("BCDFG".into(), 1_000_000, Some(121), None)
            .unwrap_err();
        assert_eq!(e.reason(), ErrorCode::WindowTooLarge, "{e}");
    }

    #[test]
    fn bad_parameters_are_typed() {
        let s = rfc_secret(Algorithm::Sha1);
        let reason = |r: Result<Arc<Totp>, OtpkitError>| r.map(|_| ()).unwrap_err().reason();
        assert_eq!(
            reason(Totp::new(s.clone(), None, Some(5), None, None)),
            ErrorCode::DigitsOutOfRange
        );
        assert_eq!(
            reason(Totp::new(s.clone(), None, None, Some(0), None)),
            ErrorCode::ZeroPeriod
        );
        let totp = Totp::new(s, None, None, None, Some(100)).unwrap();
        let e = totp.code_at(99).unwrap_err();
        assert!(
            matches!(
                e,
                OtpkitError::Clock {
                    reason: ErrorCode::BeforeEpoch,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(totp.t0(), 100);
    }

    #[test]
    fn display_is_the_settings_and_never_the_secret() {
        let s = rfc_secret(Algorithm::Sha256);
        let totp = Totp::new(s.clone(), Some(Algorithm::Sha256), Some(8), Some(60), None).unwrap();
        assert_eq!(totp.to_string(), "TOTP SHA-256, 8 digits, 60 s");
        let late = Totp::new(s.clone(), None, None, None, Some(100)).unwrap();
        assert_eq!(late.to_string(), "TOTP SHA-1, 6 digits, 30 s from 100");
        let hotp = Hotp::new(s.clone(), Some(Algorithm::Sha512), Some(7)).unwrap();
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

    #[test]
    fn a_generator_reports_the_algorithm_it_was_made_with() {
        for a in Algorithm::ALL {
            let totp = Totp::new(rfc_secret(a), Some(a), None, None, None).unwrap();
            assert_eq!(totp.algorithm(), a);
            assert!(
                totp.to_string()
                    .starts_with(&format!("TOTP {}", hash_label(a)))
            );
            let hotp = Hotp::new(rfc_secret(a), Some(a), None).unwrap();
            assert_eq!(hotp.algorithm(), a);
        }
        let default = Totp::new(rfc_secret(Algorithm::Sha1), None, None, None, None).unwrap();
        assert_eq!(default.algorithm(), Algorithm::Sha1);
    }
}
