//! `otpkit code`: the current code of an account (TOTP, HOTP or Steam).

use otpkit::{Algorithm, Generator, Hotp, Totp};

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
        // The core's generator for the account's kind (TOTP, HOTP or Steam).
        let mut generator = account.generator();
        if args.hotp {
            match generator {
                Generator::Steam(_) => {
                    return Err(CliError::usage(
                        "--hotp cannot be used with a Steam account",
                    ));
                }
                // A TOTP URI's secret, read as HOTP at --counter.
                Generator::Totp(_) => {
                    generator = Generator::Hotp {
                        hotp: Hotp::new(&account.secret, account.algorithm, account.digits),
                        counter: args
                            .counter
                            .ok_or_else(|| CliError::usage("--hotp needs --counter"))?,
                    };
                }
                _ => {}
            }
        }
        if let Some(at) = args.counter {
            match &mut generator {
                Generator::Hotp { counter, .. } => *counter = at,
                _ => no_counter(args.counter)?,
            }
        }
        return print_code(&generator, args.time, args.verbose, io);
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
    let generator = if args.hotp {
        let counter = args
            .counter
            .ok_or_else(|| CliError::usage("--hotp needs --counter"))?;
        Generator::Hotp {
            hotp: Hotp::new(&secret, algorithm, digits),
            counter,
        }
    } else {
        no_counter(args.counter)?;
        let period = period(args.period.unwrap_or(30))?;
        Generator::Totp(Totp::new(&secret, algorithm, digits, period))
    };
    print_code(&generator, args.time, args.verbose, io)
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

/// The generator's code at `--time` (default now), and with `--verbose` the seconds
/// it has left; an HOTP code is the counter's, and takes no time.
fn print_code(
    generator: &Generator,
    time: Option<u64>,
    verbose: bool,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let now = match generator.counter() {
        Some(_) if time.is_some() => {
            return Err(CliError::usage(
                "--time applies to time-based accounts only",
            ));
        }
        Some(_) => 0,
        None => now_or(time)?,
    };
    out(io, generator.code_at(now).map_err(CliError::usage)?)?;
    if let Some(left) = generator.seconds_left(now).map_err(CliError::usage)?
        && verbose
    {
        out(io, format_args!("{left} s left"))?;
    }
    Ok(())
}
