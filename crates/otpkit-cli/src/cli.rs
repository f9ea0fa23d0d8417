//! The command line, declared with clap's derive API.
//!
//! The argument structs deliberately do not implement `Debug`: they hold secrets,
//! codes and URIs, which must not end up in a log line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use otpkit::Algorithm;

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
--device ID (a URL with a password: set OTPKIT_STORE instead of --store, out of `ps`;
it stands for --store, so unset it to use --state). Stores, and state files written
with --seal-key-file, keep the secret sealed under a server key read from
--seal-key-file FILE, OTPKIT_SEAL_KEY_FILE or OTPKIT_SEAL_KEY (lines of ID:KEY, hex or base64; the first key seals), never from argv.";

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
    Code(CodeArgs),
    /// Enrol a new TOTP device: show a QR code, check two codes, write the state file
    /// (or the device store).
    Enroll(EnrollArgs),
    /// Check a code against a state file or device store (replay-protected, throttled).
    Verify(VerifyArgs),
    /// Re-synchronise a device whose clock drifted, with two consecutive codes.
    Resync(ResyncArgs),
    /// Show the fields of an otpauth:// URI and everything questionable about it.
    Inspect(InspectArgs),
    /// Read accounts: a Google Authenticator export URI (otpauth-migration://), or a
    /// file with --from FORMAT (aegis, 2fas, andotp, bitwarden, freeotp-plus,
    /// authenticator-pro, google-migration, otpauth-list, pskc); prints otpauth:// URIs
    /// or JSON and reports every entry on stderr.
    Import(ImportArgs),
    /// Write accounts as an Aegis vault, an otpauth:// list or Google Authenticator
    /// migration QR codes; with --from and --input, convert another app's backup.
    Export(crate::export::ExportArgs),
    /// Write the QR code of an otpauth:// URI to an SVG or PNG file.
    Qr(QrArgs),
    /// Check a code against a secret without a state file (exit 0 if it matches, 1 if
    /// not), like `oathtool --totp -w N SECRET CODE`; no replay protection.
    Check(crate::check::CheckArgs),
    /// Single-use recovery codes: generate a set, use one.
    Recovery(crate::recovery::RecoveryArgs),
}

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
}

/// `otpkit enroll`.
#[derive(Args)]
pub struct EnrollArgs {
    /// The service name shown in the app (e.g. your company).
    #[arg(long, value_name = "NAME")]
    pub issuer: String,
    /// The user's account name shown in the app (e.g. an email address).
    #[arg(long, value_name = "NAME")]
    pub account: String,
    /// Where to keep the device: --state FILE or --store URL.
    #[command(flatten)]
    pub target: crate::target::Target,
    /// Replace FILE (or the store's device) if it exists.
    #[arg(long)]
    pub force: bool,
    /// HMAC algorithm. Google and Microsoft Authenticator compute SHA1 whatever the QR
    /// code says, so only choose another for apps known to honour it.
    #[arg(long, value_name = "SHA1|SHA256|SHA512", value_parser = parse_algorithm, default_value = "SHA1")]
    pub algorithm: Algorithm,
    /// Code length (6 to 10); most apps only show 6 or 8.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub digits: u8,
    /// TOTP period in seconds; most apps only support 30.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub period: u64,
    /// Draw the terminal QR code for a light background (dark modules as blocks).
    #[arg(long)]
    pub light_terminal: bool,
    /// Unix time to check the codes at (default: now; for tests and replays).
    #[arg(long, value_name = "UNIX")]
    pub time: Option<u64>,
}

/// `otpkit verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The device: --state FILE or --store URL --device ID.
    #[command(flatten)]
    pub target: crate::target::Target,
    /// The code the user typed; `-` reads it from stdin (keeps it out of `ps`).
    #[arg(value_name = "CODE")]
    pub code: String,
    /// Unix time to verify at (default: now; for tests and replays).
    #[arg(long, value_name = "UNIX")]
    pub time: Option<u64>,
}

/// `otpkit resync`.
#[derive(Args)]
pub struct ResyncArgs {
    /// The device: --state FILE or --store URL --device ID.
    #[command(flatten)]
    pub target: crate::target::Target,
    /// A code from the device; `-` reads it from stdin (one line per `-`).
    #[arg(value_name = "CODE1")]
    pub code1: String,
    /// The next code the device shows after CODE1; `-` reads it from stdin.
    #[arg(value_name = "CODE2")]
    pub code2: String,
    /// Unix time to verify at (default: now; for tests and replays).
    #[arg(long, value_name = "UNIX")]
    pub time: Option<u64>,
}

/// `otpkit inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// The otpauth:// URI; `-` reads it from stdin.
    #[arg(value_name = "URI", required_unless_present_any = ["state", "store"])]
    pub uri: Option<String>,
    /// Show a device file written by `otpkit enroll` instead: its account, its
    /// verifier state (last code, drift, failures, lock-out) with local times; the
    /// secret itself is not shown.
    #[arg(long, value_name = "FILE", conflicts_with = "uri")]
    pub state: Option<PathBuf>,
    /// Show device --device ID of a device store instead (`sqlite:PATH`, `postgres://…`,
    /// `redis://…`): its generator and verifier state; the sealed secret is not opened.
    /// A URL with a password belongs in OTPKIT_STORE, not on the command line.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with_all = ["uri", "state"],
        requires = "device",
        env = crate::target::STORE_ENV,
        hide_env_values = true
    )]
    pub store: Option<String>,
    /// The device's id, with --store.
    #[arg(long, value_name = "ID", requires = "store")]
    pub device: Option<String>,
    /// The time to judge the lock-out at, with --state or --store (default: now).
    #[arg(long, value_name = "UNIX", conflicts_with = "uri")]
    pub time: Option<u64>,
    /// The sealing key of a sealed device file.
    #[command(flatten)]
    pub key: crate::target::SealKey,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `otpkit import`.
#[derive(Args)]
#[command(after_help = crate::import::IMPORT_HELP)]
pub struct ImportArgs {
    /// Without --from: the otpauth-migration:// URI from Google Authenticator's export
    /// QR code (`-` reads it from stdin). With --from FORMAT: the file to read (`-`
    /// reads the whole of stdin; an encrypted file must then be given by path, as its
    /// password comes from stdin).
    #[arg(value_name = "URI|FILE")]
    pub uri: String,
    /// Print a JSON array of account objects (the same objects as `inspect --json`).
    #[arg(long)]
    pub json: bool,
    /// PSKC import.
    #[command(flatten)]
    pub pskc: crate::pskc::PskcArgs,
    /// The key-derivation budget of an encrypted file.
    #[command(flatten)]
    pub kdf: crate::import::KdfArgs,
}

/// `otpkit qr`.
#[derive(Args)]
pub struct QrArgs {
    /// The otpauth:// URI; `-` reads it from stdin.
    #[arg(value_name = "URI")]
    pub uri: String,
    /// Write an SVG image here (mode 0600: it contains the secret).
    #[arg(long, value_name = "FILE", required_unless_present = "png")]
    pub svg: Option<PathBuf>,
    /// Write a PNG image here (mode 0600: it contains the secret).
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

fn parse_algorithm(s: &str) -> Result<Algorithm, String> {
    s.parse::<Algorithm>().map_err(|e| e.to_string())
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
