//! `otpkit check`: a stateless check of one code against a secret, for scripts, like
//! `oathtool --totp -w N SECRET CODE`. No state file: nothing stops a replay, so this
//! is for testing and tooling, not for signing people in (use `verify` for that).

use clap::Args;
use otpkit::verify::VerifyError;
use otpkit::{Algorithm, Hotp, Totp, Window};

use crate::error::{CliError, Exit};
use crate::io::{self, Io, read_value};
use crate::options::{digits, now_or, parse_algorithm, period};
use crate::secrets;

/// `otpkit check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The secret (Base32, or hex with --hex); `-` reads it from stdin.
    #[arg(value_name = "SECRET")]
    pub secret: String,
    /// The code to check; `-` reads it from stdin (after the secret if both are `-`).
    #[arg(value_name = "CODE")]
    pub code: String,
    /// Time-based codes (the default).
    #[arg(long, conflicts_with = "hotp")]
    pub totp: bool,
    /// Counter-based codes, from --counter (default 0) up to --window later counters.
    #[arg(long)]
    pub hotp: bool,
    /// The secret is hexadecimal (oathtool's default form), not Base32.
    #[arg(long)]
    pub hex: bool,
    /// Steps accepted either side of now (TOTP, at most 120), or counters after
    /// --counter (HOTP, at most 1000): each step or counter lets one more random
    /// 6-digit guess in a million through.
    #[arg(long, short = 'w', value_name = "N", default_value_t = 0)]
    pub window: u32,
    /// HMAC algorithm.
    #[arg(long, value_name = "SHA1|SHA256|SHA512", value_parser = parse_algorithm, default_value = "SHA1")]
    pub algorithm: Algorithm,
    /// Code length (6 to 10).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub digits: u8,
    /// TOTP period in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        conflicts_with = "hotp"
    )]
    pub period: u64,
    /// Unix time to check at (default: now).
    #[arg(long, value_name = "UNIX", conflicts_with = "hotp")]
    pub time: Option<u64>,
    /// The first HOTP counter to try.
    #[arg(long, value_name = "N", requires = "hotp")]
    pub counter: Option<u64>,
    /// Use a secret shorter than 80 bits (almost always one copied in part).
    #[arg(long)]
    pub allow_short_secret: bool,
}

/// Exit 0 and `accepted …` on stdout when the code matches; exit 1 when it does not;
/// exit 2 for a malformed secret, code or option.
pub fn run(args: CheckArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let text = read_value(args.secret, "secret", io)?;
    let code = read_value(args.code, "code", io)?;
    let (secret, warning) = secrets::parse(&text, args.hex)?;
    if let Some(w) = warning {
        io::warn(io, w);
    }
    secrets::check_length(&secret, args.allow_short_secret)?;
    let digits = digits(args.digits)?;
    let not_valid = || CliError::new(Exit::Invalid, "the code is not valid");
    let result = if args.hotp {
        let first = args.counter.unwrap_or(0);
        Hotp::new(&secret, args.algorithm, digits)
            .verify(&code, first, args.window)
            .map(|m| format!("accepted (counter {})", m.step))
    } else {
        let period = period(args.period)?;
        let now = now_or(args.time)?;
        let window = Window::symmetric(args.window)
            .map_err(|e| CliError::usage(format_args!("--window: {e}")))?;
        Totp::new(&secret, args.algorithm, digits, period)
            .verify(&code, now, window)
            .map(|m| match m.offset {
                0 => "accepted".to_owned(),
                offset => format!("accepted ({})", secrets::drift_text(offset)),
            })
    };
    match result {
        Ok(line) => io::out(io, line),
        Err(VerifyError::Mismatch) => Err(not_valid()),
        Err(VerifyError::Window(e)) => Err(CliError::usage(format_args!("--window: {e}"))),
        Err(e @ (VerifyError::Malformed(_) | VerifyError::Time(_))) => Err(CliError::usage(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 4226 secret in Base32.
    const SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn args(hotp: bool, window: u32, code: &str) -> CheckArgs {
        CheckArgs {
            secret: SEED.to_owned(),
            code: code.to_owned(),
            totp: !hotp,
            hotp,
            hex: false,
            window,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            time: (!hotp).then_some(59),
            counter: None,
            allow_short_secret: false,
        }
    }

    fn run(args: CheckArgs) -> Result<String, CliError> {
        let mut stdin: &[u8] = b"";
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        let mut io = Io {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
            stdin_is_terminal: false,
        };
        super::run(args, &mut io)?;
        Ok(String::from_utf8(stdout).unwrap())
    }

    #[test]
    fn a_window_over_the_bound_is_a_usage_error_naming_the_bound() {
        // 287082 is the code at time 59 (RFC 6238), 755224 the HOTP code of counter 0
        // (RFC 4226): refused all the same, before any comparison.
        for (hotp, window, code, bound) in [
            (false, 121, "287082", "at most 120 steps"),
            (false, u32::MAX, "000000", "at most 120 steps"),
            (true, 1_001, "755224", "at most 1000 counters"),
        ] {
            let e = run(args(hotp, window, code)).unwrap_err();
            assert_eq!(e.exit, Exit::Usage, "{}", e.message);
            assert!(e.message.starts_with("--window: "), "{}", e.message);
            assert!(e.message.contains(bound), "{}", e.message);
        }
    }

    #[test]
    fn a_window_at_the_bound_is_checked() {
        assert!(run(args(false, 120, "287082")).is_ok());
        assert!(run(args(true, 1_000, "755224")).is_ok());
    }
}
