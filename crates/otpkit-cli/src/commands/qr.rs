//! `otpkit qr`: an otpauth or migration URI as SVG or PNG QR code files.

use std::path::PathBuf;

use clap::Args;
use otpkit::migration;

use crate::error::CliError;
use crate::io::{Io, read_value};
use crate::qr;
use crate::safe_file::{self, Overwrite};
use crate::uri::{is_migration, parse_account};

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

/// Writes the QR code files.
pub fn run(args: QrArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let uri = read_value(args.uri, "URI", io)?;
    // Check the URI first: a QR code of a mistyped URI would only fail on the phone.
    if is_migration(&uri) {
        migration::decode(&uri)
            .map_err(|e| CliError::usage(format_args!("invalid migration URI: {e}")))?;
    } else {
        parse_account(&uri)?;
    }
    let overwrite = Overwrite::when(args.force);
    if let Some(path) = &args.svg {
        safe_file::write_atomic(path, qr::svg(&uri)?.as_bytes(), overwrite)?;
    }
    if let Some(path) = &args.png {
        safe_file::write_atomic(path, &qr::png(&uri)?, overwrite)?;
    }
    Ok(())
}
