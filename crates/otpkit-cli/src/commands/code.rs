//! `otpkit code`: the current code of an account (TOTP, HOTP or Steam).

use clap::Args;
use otpkit::{Algorithm, Generator, Hotp, Totp};

use crate::error::CliError;
use crate::io::{Io, out, read_value, warn};
use crate::options::{digits, now_or, parse_algorithm, period};
use crate::secrets;
use crate::uri::{dropped_bits_warning, parse_account};

/// Where the secret comes from: exactly one of SECRET, --secret and --uri.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// The secret (Base32, or hex with --hex), as `oathtool -b SECRET`; `-` reads it
    /// from stdin. Same as --secret.
    #[arg(value_name = "SECRET")]
    pub secret_arg: Option<String>,
    /// The Base32 secret (spaces, hyphens and lower case allowed); `-` reads it from stdin.
    #[arg(long, value_name = "BASE32")]
    pub secret: Option<String>,
    /// An otpauth:// URI (totp, hotp, or Steam); `-` reads it from stdin.
    #[arg(long, value_name = "URI")]
    pub uri: Option<String>,
}

/// `otpkit code`.
#[derive(Args)]
pub struct CodeArgs {
    /// The account.
    #[command(flatten)]
    pub source: Source,
    /// The secret is hexadecimal (oathtool's default form), not Base32.
    #[arg(long, conflicts_with = "uri")]
    pub hex: bool,
    /// HMAC algorithm, with --secret.
    #[arg(long, value_name = "SHA1|SHA256|SHA512", value_parser = parse_algorithm, conflicts_with = "uri")]
    pub algorithm: Option<Algorithm>,
    /// Code length (6 to 10), with --secret.
    #[arg(long, value_name = "N", conflicts_with = "uri")]
    pub digits: Option<u8>,
    /// TOTP period in seconds, with --secret.
    #[arg(long, value_name = "SECONDS", conflicts_with_all = ["uri", "hotp"])]
    pub period: Option<u64>,
    /// Unix time to compute the TOTP code for (default: now).
    #[arg(long, value_name = "UNIX", conflicts_with = "hotp")]
    pub time: Option<u64>,
    /// HOTP at --counter instead of TOTP (with --secret, or with a URI's secret,
    /// algorithm and digits).
    #[arg(long, requires = "counter")]
    pub hotp: bool,
    /// HOTP counter (with --hotp, or to override an hotp URI's counter).
    #[arg(long, value_name = "N")]
    pub counter: Option<u64>,
    /// Also print the seconds the TOTP code stays valid.
    #[arg(long, short)]
    pub verbose: bool,
    /// Use a secret shorter than 80 bits (almost always one copied in part).
    #[arg(long)]
    pub allow_short_secret: bool,
}

/// Prints the code.
pub fn run(args: CodeArgs, io: &mut Io<'_>) -> Result<(), CliError> {
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
        secrets::check_length(&account.secret, args.allow_short_secret)?;
        // The core's generator for the account's kind (TOTP, HOTP, Steam, mOTP or
        // Yandex); an mOTP or Yandex URI without `pin=` has no codes to show.
        let mut generator = account.generator().map_err(|e| {
            CliError::usage(format_args!("{e}: give the URI with its pin= parameter"))
        })?;
        if args.hotp {
            match generator {
                Generator::Steam(_) => {
                    return Err(CliError::usage(
                        "--hotp cannot be used with a Steam account",
                    ));
                }
                Generator::Motp(_) | Generator::Yandex(_) => {
                    return Err(CliError::usage(
                        "--hotp cannot be used with an mOTP or Yandex account",
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
                Generator::Hotp { .. } => {}
            }
        }
        if let Some(at) = args.counter {
            match &mut generator {
                Generator::Hotp { counter, .. } => *counter = at,
                Generator::Totp(_)
                | Generator::Steam(_)
                | Generator::Motp(_)
                | Generator::Yandex(_) => no_counter(args.counter)?,
            }
        }
        return print_code(&generator, args.time, args.verbose, io);
    }
    let Some(text) = args.source.secret.or(args.source.secret_arg) else {
        return Err(CliError::usage("give a SECRET, --secret or --uri"));
    };
    let text = read_value(text, "secret", io)?;
    // Existing accounts often have 80-bit secrets: computing their codes is fine; a
    // shorter one needs --allow-short-secret.
    let (secret, warning) = secrets::parse(&text, args.hex)?;
    if let Some(w) = warning {
        warn(io, w);
    }
    secrets::check_length(&secret, args.allow_short_secret)?;
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
