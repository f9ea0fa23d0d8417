//! Option values several subcommands share: `--algorithm`, `--digits`, `--period`
//! and `--time` (default now), read the same way and named in their errors.

use otpkit::{Algorithm, Digits, Period};

use crate::error::CliError;

/// `--algorithm`: SHA1, SHA256 or SHA512 (clap's value parser).
pub fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse::<Algorithm>().map_err(|e| e.to_string())
}

/// `--time`, or the system clock's now.
pub fn now_or(time: Option<u64>) -> Result<u64, CliError> {
    match time {
        Some(t) => Ok(t),
        None => otpkit::unix_now().map_err(CliError::usage),
    }
}

/// `--digits`.
pub fn digits(n: u8) -> Result<Digits, CliError> {
    Digits::new(n).map_err(|e| CliError::usage(format_args!("--digits: {e}")))
}

/// `--period`.
pub fn period(seconds: u64) -> Result<Period, CliError> {
    Period::new(seconds).map_err(|e| CliError::usage(format_args!("--period: {e}")))
}
