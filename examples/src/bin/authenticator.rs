//! A terminal authenticator: prints the current code and the seconds it stays valid,
//! then each following code as it appears.
//!
//! ```text
//! authenticator (--uri URI | --secret BASE32) [--once | --count N] [--time UNIX]
//! ```
//!
//! `-` for the URI or secret reads it from stdin (arguments are visible in `ps`).
//! `--time` starts a simulated clock at that Unix time which jumps to each next code
//! instead of waiting (for demos and tests).

use std::io::{BufRead, Write};
use std::process::ExitCode;

use clap::Parser;
use otpkit_examples::authenticator::{self, App, Clock, SimulatedClock, SystemClock};
use zeroize::Zeroizing;

/// Shows TOTP, HOTP or Steam Guard codes like an authenticator app.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The account's otpauth:// URI; `-` reads it from stdin.
    #[arg(
        long,
        value_name = "URI",
        required_unless_present = "secret",
        conflicts_with = "secret"
    )]
    uri: Option<String>,
    /// A Base32 key typed by hand (TOTP, SHA1, 6 digits, 30 s); `-` reads it from stdin.
    #[arg(long, value_name = "BASE32")]
    secret: Option<String>,
    /// Show one code and exit.
    #[arg(long, conflicts_with = "count")]
    once: bool,
    /// Show this many codes and exit (default: until interrupted).
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Simulate the clock from this Unix time instead of using the system clock.
    #[arg(long, value_name = "UNIX")]
    time: Option<u64>,
}

fn value(arg: String) -> Result<Zeroizing<String>, String> {
    if arg != "-" {
        return Ok(Zeroizing::new(arg));
    }
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    Ok(Zeroizing::new(line.trim().to_owned()))
}

fn run(args: Args) -> Result<(), String> {
    let mut app = match (args.uri, args.secret) {
        (Some(uri), _) => App::from_uri(&value(uri)?),
        (None, Some(secret)) => App::from_secret(&value(secret)?),
        (None, None) => return Err("give --uri or --secret".to_owned()),
    }
    .map_err(|e| e.to_string())?;
    let count = if args.once { Some(1) } else { args.count };
    let mut system = SystemClock;
    let mut simulated;
    let clock: &mut dyn Clock = match args.time {
        Some(t) => {
            simulated = SimulatedClock(t);
            &mut simulated
        }
        None => &mut system,
    };
    authenticator::run(&mut app, count, clock, &mut std::io::stdout().lock())
        .map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "authenticator: {e}");
            ExitCode::FAILURE
        }
    }
}
