//! The command line: the `Command` enum assembled from each subcommand's arguments
//! (declared with clap's derive API next to its code in `commands/`) and the one
//! `match` from a parsed command to the code that runs it.
//!
//! The argument structs deliberately do not implement `Debug`: they hold secrets,
//! codes and URIs, which must not end up in a log line.

use clap::{Parser, Subcommand};

use crate::commands::{
    check, code, devices, enroll, export, import, inspect, qr, recovery, resync, verify,
};
use crate::error::CliError;
use crate::io::Io;

const AFTER_HELP: &str = "\
Secrets, URIs and codes given as arguments are visible to other users in `ps`: pass `-`
instead (`code -`, `--secret -`, `--uri -`, `verify --state FILE -`, `check - -`, ...) to
read each value from the next line of standard input.

Exit codes: 0 success or code accepted; 1 wrong code; 2 usage error or malformed input;
3 code already used (replay); 4 locked out after too many failures; 5 state file, device
store or output file error (also: a sealed secret without its key, or with the wrong
key); 6 import finished but some entries could not be read (or export left accounts
out); 7 wrong password or failed integrity check (import, export). `recovery use`
answers the same way: 0 accepted, 1 not a valid code, 2 malformed, 3 already used,
4 locked.

enroll, verify and resync keep the device in --state FILE or in a device store:
--store sqlite:PATH (or postgres://…, redis://… when built with those features) with
--device ID, or with --user USER for a user's named devices (pick one with
--device-name NAME; `otpkit devices` lists, renames and removes them). A URL with a
password: set OTPKIT_STORE instead of --store, out of `ps` (it stands for --store, so
unset it to use --state). Stores, and state files written with --seal-key-file, keep
the secret sealed under a server key read from --seal-key-file FILE,
OTPKIT_SEAL_KEY_FILE or OTPKIT_SEAL_KEY (lines of ID:KEY, hex or base64; the first key
seals), never from argv.";

/// One-time passwords (TOTP RFC 6238, HOTP RFC 4226, Steam Guard) from the command line.
///
/// Errors are one line on stderr, `otpkit: <message>`, and never contain a secret.
#[derive(Parser)]
#[command(name = "otpkit", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Print the current code (TOTP, HOTP with --hotp, or Steam Guard for a Steam URI).
    Code(code::CodeArgs),
    /// Enrol a new TOTP device: show a QR code, check two codes, write the state file
    /// (or the device store).
    Enroll(enroll::EnrollArgs),
    /// Check a code against a state file or device store (replay-protected, throttled).
    Verify(verify::VerifyArgs),
    /// List, rename or remove the named devices of a device store's user (--store URL
    /// --user USER); `enroll --user` adds them.
    Devices(devices::DevicesArgs),
    /// Re-synchronise a device whose clock drifted, with two consecutive codes.
    Resync(resync::ResyncArgs),
    /// Show the fields of an otpauth:// URI and everything questionable about it.
    Inspect(inspect::InspectArgs),
    /// Read accounts: an authenticator app's file (`import --help` lists the formats),
    /// its format told from its content or named with --from FORMAT, or a Google
    /// Authenticator export URI (otpauth-migration://); prints otpauth:// URIs or JSON
    /// and reports every entry on stderr.
    Import(import::ImportArgs),
    /// Write accounts as an Aegis vault, an otpauth:// list or Google Authenticator
    /// migration QR codes; with --from and --input, convert another app's backup.
    Export(export::ExportArgs),
    /// Write the QR code of an otpauth:// URI to an SVG or PNG file.
    Qr(qr::QrArgs),
    /// Check a code against a secret without a state file (exit 0 if it matches, 1 if
    /// not), like `oathtool --totp -w N SECRET CODE`; no replay protection.
    Check(check::CheckArgs),
    /// Single-use recovery codes: generate a set, use one.
    Recovery(recovery::RecoveryArgs),
}

impl Command {
    /// Runs the subcommand: the one place that maps a parsed command to its code.
    pub fn run(self, io: &mut Io<'_>) -> Result<(), CliError> {
        match self {
            Command::Code(args) => code::run(args, io),
            Command::Enroll(args) => enroll::run(args, io),
            Command::Verify(args) => verify::run(args, io),
            Command::Devices(args) => devices::run(args, io),
            Command::Resync(args) => resync::run(args, io),
            Command::Inspect(args) => inspect::run(args, io),
            Command::Import(args) => import::run(args, io),
            Command::Export(args) => export::run(args, io),
            Command::Qr(args) => qr::run(args, io),
            Command::Check(args) => check::run(args, io),
            Command::Recovery(args) => recovery::run(args, io),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn secret_and_uri_are_exclusive_and_required() {
        assert!(Cli::try_parse_from(["otpkit", "code"]).is_err());
        assert!(Cli::try_parse_from(["otpkit", "code", "--secret", "A", "--uri", "B"]).is_err());
        assert!(Cli::try_parse_from(["otpkit", "code", "--uri", "B", "--digits", "8"]).is_err());
        assert!(Cli::try_parse_from(["otpkit", "code", "--secret", "A", "--hotp"]).is_err());
        assert!(
            Cli::try_parse_from([
                "otpkit",
                "code",
                "--secret",
                "A",
                "--hotp",
                "--counter",
                "1"
            ])
            .is_ok()
        );
    }

    #[test]
    fn qr_needs_an_output() {
        assert!(Cli::try_parse_from(["otpkit", "qr", "otpauth://x"]).is_err());
        assert!(Cli::try_parse_from(["otpkit", "qr", "otpauth://x", "--png", "a.png"]).is_ok());
    }
}
