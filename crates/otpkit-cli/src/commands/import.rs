//! `otpkit import`: the accounts of a Google Authenticator export (`otpauth-migration://`) as
//! otpauth URIs or JSON, each entry checked on its own (`--from pskc` is in `pskc.rs`).

use otpkit::migration;
use otpkit::otpauth::Account;
use zeroize::Zeroizing;

use crate::cli::ImportArgs;
use crate::error::{CliError, Exit};
use crate::json;

use super::{Io, is_migration, out, read_value};

pub(super) fn run(args: ImportArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if args.kdf.given() {
        return Err(CliError::usage(
            "--kdf-budget and --kdf-memory are for encrypted files read with --from FORMAT",
        ));
    }
    let uri = read_value(args.uri, "URI", io)?;
    if !is_migration(&uri) {
        return Err(CliError::usage(
            "expected an otpauth-migration:// URI (Google Authenticator's export QR code)",
        ));
    }
    let entries = migration::decode(&uri)
        .map_err(|e| CliError::usage(format_args!("invalid migration URI: {e}")))?;
    let total = entries.len();
    let mut failed = 0usize;
    let mut objects = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        let number = index.saturating_add(1);
        // Re-reading the written URI yields the same warnings `inspect` would give.
        let checked = entry.map_err(|e| e.to_string()).and_then(|account| {
            let uri = Zeroizing::new(account.to_uri());
            Account::parse(&uri)
                .map(|p| (uri, p))
                .map_err(|e| e.to_string())
        });
        match checked {
            Ok((uri, parsed)) => {
                if args.json {
                    let warnings: Vec<String> =
                        parsed.warnings.iter().map(ToString::to_string).collect();
                    objects.push(json::account(&parsed.account, &warnings));
                } else {
                    out(io, uri.as_str())?;
                }
            }
            Err(e) => {
                failed = failed.saturating_add(1);
                let _ = writeln!(io.stderr, "otpkit: entry {number} of {total}: {e}");
            }
        }
    }
    if args.json {
        let text = json::to_text(serde_json::Value::Array(objects));
        out(io, text.as_str())?;
    }
    if failed > 0 {
        return Err(CliError::new(
            Exit::Partial,
            format_args!("{failed} of {total} entries could not be imported"),
        ));
    }
    Ok(())
}
