//! Arguments from primitive types. The core's types do the validation; these only
//! convert, with the core's default where an argument is left out (`None`).

use otpkit::verifier::Policy;
use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret, Window};
use otpkit_transfer::{Format, WorkBudget};

use crate::FacadeError;

/// The hash for a name (`"SHA1"`, `"SHA256"`, `"SHA512"`, and the spellings the core
/// reads, such as `"sha-256"`); `None` is SHA-1.
pub fn algorithm(name: Option<&str>) -> Result<Algorithm, FacadeError> {
    match name {
        None => Ok(Algorithm::Sha1),
        Some(name) => Ok(name.parse::<Algorithm>()?),
    }
}

/// A code length of 6 to 10; `None` is 6.
pub fn digits(n: Option<u8>) -> Result<Digits, FacadeError> {
    match n {
        None => Ok(Digits::SIX),
        Some(n) => Ok(Digits::new(n)?),
    }
}

/// A TOTP period in seconds (at least 1); `None` is 30.
pub fn period(seconds: Option<u64>) -> Result<Period, FacadeError> {
    match seconds {
        None => Ok(Period::DEFAULT),
        Some(s) => Ok(Period::new(s)?),
    }
}

fn length_policy(allow_short: bool) -> LengthPolicy {
    if allow_short {
        LengthPolicy::AllowShort
    } else {
        LengthPolicy::Rfc4226
    }
}

/// A secret from Base32 as people paste it (any case, spaces, hyphens, optional
/// padding); shorter than 128 bits only with `allow_short`.
pub fn secret_base32(text: &str, allow_short: bool) -> Result<Secret, FacadeError> {
    Ok(Secret::from_base32_with(text, length_policy(allow_short))?)
}

/// A secret from raw bytes; shorter than 128 bits only with `allow_short`.
pub fn secret_bytes(bytes: &[u8], allow_short: bool) -> Result<Secret, FacadeError> {
    Ok(Secret::from_bytes_with(bytes, length_policy(allow_short))?)
}

/// A new random secret as long as the algorithm's hash output.
pub fn secret_generate(algorithm: Option<&str>) -> Result<Secret, FacadeError> {
    Ok(Secret::generate(self::algorithm(algorithm)?)?)
}

/// A stateless verification window: `behind` and `ahead` steps (default 1 each).
pub fn window(behind: Option<u32>, ahead: Option<u32>) -> Result<Window, FacadeError> {
    let default = Window::default();
    Ok(Window::new(
        behind.unwrap_or(default.behind()),
        ahead.unwrap_or(default.ahead()),
    )?)
}

/// A verifier policy: the core's default with each given setting applied, every
/// one checked against its bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PolicyOptions {
    /// Failures before a lock-out (1 to 100).
    pub max_failures: Option<u32>,
    /// The first lock-out's length in seconds.
    pub lockout_base_secs: Option<u64>,
    /// The longest lock-out in seconds.
    pub lockout_max_secs: Option<u64>,
    /// Back-off between attempts: the wait after the first consecutive failure in
    /// seconds, doubling with each further one. Back-off is off unless this or
    /// `backoff_max_secs` is given; given alone it waits up to the longest lock-out.
    pub backoff_base_secs: Option<u64>,
    /// Back-off between attempts: the longest wait in seconds; given alone, the
    /// first wait is 1 s.
    pub backoff_max_secs: Option<u64>,
    /// Sign-in window: steps behind the server's clock.
    pub window_behind: Option<u32>,
    /// Sign-in window: steps ahead of the server's clock.
    pub window_ahead: Option<u32>,
    /// Steps either side searched at enrolment.
    pub enroll_window: Option<u32>,
    /// Steps either side searched at resynchronisation.
    pub resync_window: Option<u32>,
    /// HOTP counters searched ahead at sign-in.
    pub hotp_look_ahead: Option<u32>,
    /// HOTP counters searched ahead at resynchronisation.
    pub hotp_resync_look_ahead: Option<u32>,
    /// The largest clock drift learned, in steps.
    pub max_drift_steps: Option<u32>,
}

/// The first back-off wait when only its maximum is given: 1 s, as NIST SP 800-63B
/// and OWASP's examples start.
const BACKOFF_BASE_SECS: u64 = 1;

/// The verifier policy for `options`.
pub fn policy(options: &PolicyOptions) -> Result<Policy, FacadeError> {
    let mut p = Policy::default();
    if let Some(n) = options.max_failures {
        p = p.with_max_failures(n)?;
    }
    if options.lockout_base_secs.is_some() || options.lockout_max_secs.is_some() {
        p = p.with_lockout(
            options.lockout_base_secs.unwrap_or(p.lockout_base_secs()),
            options.lockout_max_secs.unwrap_or(p.lockout_max_secs()),
        )?;
    }
    if options.backoff_base_secs.is_some() || options.backoff_max_secs.is_some() {
        p = p.with_backoff(
            options.backoff_base_secs.unwrap_or(BACKOFF_BASE_SECS),
            options.backoff_max_secs.unwrap_or(p.lockout_max_secs()),
        )?;
    }
    if options.window_behind.is_some() || options.window_ahead.is_some() {
        let w = p.window();
        p = p.with_window_steps(
            options.window_behind.unwrap_or(w.behind()),
            options.window_ahead.unwrap_or(w.ahead()),
        )?;
    }
    if let Some(n) = options.enroll_window {
        p = p.with_enroll_window(n)?;
    }
    if let Some(n) = options.resync_window {
        p = p.with_resync_window(n)?;
    }
    if let Some(n) = options.hotp_look_ahead {
        p = p.with_hotp_look_ahead(n)?;
    }
    if let Some(n) = options.hotp_resync_look_ahead {
        p = p.with_hotp_resync_look_ahead(n)?;
    }
    if let Some(n) = options.max_drift_steps {
        p = p.with_max_drift_steps(n)?;
    }
    Ok(p)
}

/// The key-derivation budget of one import: `work` units in all (default
/// [`WorkBudget::DEFAULT_WORK`], about 1 s of one core) and at most `max_memory`
/// bytes per derivation (default [`WorkBudget::DEFAULT_MAX_MEMORY`], 256 MiB). Raise
/// them only for files one trusts: a hostile file makes the importer spend all of it.
pub fn kdf_budget(work: Option<u64>, max_memory: Option<u64>) -> WorkBudget {
    WorkBudget::new(
        work.unwrap_or(WorkBudget::DEFAULT_WORK),
        max_memory.unwrap_or(WorkBudget::DEFAULT_MAX_MEMORY),
    )
}

/// An import format by its name (`"aegis"`, `"2fas"`, `"google-migration"`, …, as
/// `otpkit_transfer::Format::name` spells them).
pub fn format(name: &str) -> Result<Format, FacadeError> {
    Format::ALL
        .into_iter()
        .find(|f| f.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            FacadeError::new(
                otpkit::ErrorCode::UnknownFormat,
                format!("unknown format; the formats are {}", names.join(", ")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Category;
    use otpkit::ErrorCode;

    #[test]
    fn defaults_are_the_cores() {
        assert_eq!(algorithm(None).unwrap(), Algorithm::Sha1);
        assert_eq!(algorithm(Some("sha-256")).unwrap(), Algorithm::Sha256);
        assert_eq!(digits(None).unwrap(), Digits::SIX);
        assert_eq!(period(None).unwrap(), Period::DEFAULT);
        assert_eq!(window(None, None).unwrap(), Window::default());
        assert_eq!(
            policy(&PolicyOptions::default()).unwrap(),
            Policy::default()
        );
    }

    #[test]
    fn the_core_validates_and_the_error_has_its_code() {
        assert_eq!(
            algorithm(Some("MD5")).unwrap_err().reason,
            ErrorCode::UnsupportedAlgorithm
        );
        assert_eq!(
            digits(Some(11)).unwrap_err().reason,
            ErrorCode::DigitsOutOfRange
        );
        assert_eq!(period(Some(0)).unwrap_err().reason, ErrorCode::ZeroPeriod);
        assert_eq!(
            secret_base32("AAAA", false).unwrap_err().reason,
            ErrorCode::SecretTooShort
        );
        assert!(secret_base32("AAAA", true).is_ok());
        assert_eq!(
            window(Some(121), None).unwrap_err().reason,
            ErrorCode::WindowTooLarge
        );
        let p = PolicyOptions {
            max_failures: Some(101),
            ..PolicyOptions::default()
        };
        assert_eq!(
            policy(&p).unwrap_err().reason,
            ErrorCode::MaxFailuresOutOfRange
        );
        let e = format("lotus-notes").unwrap_err();
        assert_eq!(e.category, Category::InvalidInput);
        assert!(e.detail.contains("aegis"), "{e}");
        assert_eq!(format("2fas").unwrap(), Format::TwoFas);
    }

    #[test]
    fn the_kdf_budget_defaults_to_the_transfer_crates_and_keeps_what_is_given() {
        assert_eq!(kdf_budget(None, None), WorkBudget::default());
        let b = kdf_budget(Some(5), None);
        assert_eq!(
            (b.work(), b.max_memory()),
            (5, WorkBudget::DEFAULT_MAX_MEMORY)
        );
        assert_eq!(kdf_budget(None, Some(1 << 20)).max_memory(), 1 << 20);
    }

    #[test]
    fn a_custom_policy_keeps_each_setting() {
        let p = policy(&PolicyOptions {
            max_failures: Some(3),
            lockout_base_secs: Some(10),
            window_behind: Some(2),
            ..PolicyOptions::default()
        })
        .unwrap();
        assert_eq!(p.max_failures(), 3);
        assert_eq!(p.lockout_base_secs(), 10);
        assert_eq!(p.window().behind(), 2);
        assert_eq!(p.window().ahead(), Policy::default().window().ahead());
    }

    #[test]
    fn backoff_is_off_unless_given_and_a_missing_half_has_its_default() {
        assert_eq!(policy(&PolicyOptions::default()).unwrap().backoff(), None);
        let both = PolicyOptions {
            backoff_base_secs: Some(2),
            backoff_max_secs: Some(30),
            ..PolicyOptions::default()
        };
        assert_eq!(policy(&both).unwrap().backoff(), Some((2, 30)));
        let max_only = PolicyOptions {
            backoff_max_secs: Some(30),
            ..PolicyOptions::default()
        };
        assert_eq!(policy(&max_only).unwrap().backoff(), Some((1, 30)));
        let base_only = PolicyOptions {
            backoff_base_secs: Some(2),
            lockout_max_secs: Some(600),
            ..PolicyOptions::default()
        };
        assert_eq!(policy(&base_only).unwrap().backoff(), Some((2, 600)));
        let refused = PolicyOptions {
            backoff_base_secs: Some(60),
            backoff_max_secs: Some(30),
            ..PolicyOptions::default()
        };
        let e = policy(&refused).unwrap_err();
        assert_eq!(
            (e.reason, e.category),
            (ErrorCode::InvalidBackoff, Category::InvalidInput)
        );
        assert!(e.detail.contains("back-off"), "{e}");
    }
}
