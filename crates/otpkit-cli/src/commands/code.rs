//! `otpkit code`: the current code of an account (TOTP, HOTP or Steam).

use otpkit::otpauth::Kind;
use otpkit::{Algorithm, Hotp, Totp};

use crate::cli::CodeArgs;
use crate::error::CliError;
use crate::secrets;

use super::{
    Io, digits, dropped_bits_warning, now_or, out, parse_account, period, read_value, warn,
};

pub(super) fn run(args: CodeArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if let Some(uri) = args.source.uri {
        let uri = read_value(uri, "URI", io)?;
        let parsed = parse_account(&uri)?;
        warn_dropped_bits(&uri, io);
        if args.verbose {
            for w in &parsed.warnings {
                warn(io, w);
            }
        }
        let account = parsed.account;
        return match account.kind {
            Kind::Steam if args.hotp => Err(CliError::usage(
                "--hotp cannot be used with a Steam account",
            )),
            Kind::Totp { .. } if args.hotp => {
                let counter = args
                    .counter
                    .ok_or_else(|| CliError::usage("--hotp needs --counter"))?;
                let hotp = Hotp::new(&account.secret, account.algorithm, account.digits);
                out(io, hotp.code(counter))
            }
            Kind::Hotp { counter } => {
                if args.time.is_some() {
                    return Err(CliError::usage(
                        "--time applies to time-based accounts only",
                    ));
                }
                let hotp = Hotp::new(&account.secret, account.algorithm, account.digits);
                out(io, hotp.code(args.counter.unwrap_or(counter)))
            }
            Kind::Steam => {
                no_counter(args.counter)?;
                let steam = otpkit::steam::SteamGuard::new(&account.secret);
                let now = now_or(args.time)?;
                out(io, steam.code_at(now).map_err(CliError::usage)?)?;
                if args.verbose {
                    out(io, format_args!("{} s left", steam.seconds_left(now)))?;
                }
                Ok(())
            }
            Kind::Totp { period } => {
                no_counter(args.counter)?;
                let totp = Totp::new(&account.secret, account.algorithm, account.digits, period);
                print_totp(&totp, now_or(args.time)?, args.verbose, io)
            }
            _ => Err(CliError::usage("this kind of account is not supported")),
        };
    }
    let Some(text) = args.source.secret.or(args.source.secret_arg) else {
        return Err(CliError::usage("give a SECRET, --secret or --uri"));
    };
    let text = read_value(text, "secret", io)?;
    // Existing accounts often have 80-bit secrets: computing their codes is fine.
    let (secret, warning) = secrets::parse(&text, args.hex)?;
    if let Some(w) = warning {
        warn(io, w);
    }
    let algorithm = args.algorithm.unwrap_or(Algorithm::Sha1);
    let digits = digits(args.digits.unwrap_or(6))?;
    if args.hotp {
        let counter = args
            .counter
            .ok_or_else(|| CliError::usage("--hotp needs --counter"))?;
        return out(io, Hotp::new(&secret, algorithm, digits).code(counter));
    }
    no_counter(args.counter)?;
    let totp = Totp::new(
        &secret,
        algorithm,
        digits,
        period(args.period.unwrap_or(30))?,
    );
    print_totp(&totp, now_or(args.time)?, args.verbose, io)
}

/// Warns when the URI's Base32 secret carries bits that do not fill a byte.
fn warn_dropped_bits(uri: &str, io: &mut Io<'_>) {
    if let Some(w) = dropped_bits_warning(uri) {
        warn(io, w);
    }
}

fn no_counter(counter: Option<u64>) -> Result<(), CliError> {
    match counter {
        Some(_) => Err(CliError::usage(
            "--counter applies to HOTP only (--hotp, or an hotp URI)",
        )),
        None => Ok(()),
    }
}

fn print_totp(totp: &Totp, now: u64, verbose: bool, io: &mut Io<'_>) -> Result<(), CliError> {
    out(io, totp.code_at(now).map_err(CliError::usage)?)?;
    if verbose {
        let left = totp.seconds_left(now).map_err(CliError::usage)?;
        out(io, format_args!("{left} s left"))?;
    }
    Ok(())
}
