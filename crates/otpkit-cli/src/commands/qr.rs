//! `otpkit qr`: an otpauth or migration URI as SVG or PNG QR code files.

use otpkit::migration;

use crate::cli::QrArgs;
use crate::error::CliError;
use crate::qr;
use crate::state;

use super::{Io, is_migration, overwrite, parse_account, read_value};

pub(super) fn run(args: QrArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    let uri = read_value(args.uri, "URI", io)?;
    // Check the URI first: a QR code of a mistyped URI would only fail on the phone.
    if is_migration(&uri) {
        migration::decode(&uri)
            .map_err(|e| CliError::usage(format_args!("invalid migration URI: {e}")))?;
    } else {
        parse_account(&uri)?;
    }
    let overwrite = overwrite(args.force);
    if let Some(path) = &args.svg {
        state::write_atomic(path, qr::svg(&uri)?.as_bytes(), overwrite)?;
    }
    if let Some(path) = &args.png {
        state::write_atomic(path, &qr::png(&uri)?, overwrite)?;
    }
    Ok(())
}
