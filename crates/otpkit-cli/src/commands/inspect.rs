//! `otpkit inspect`: what an otpauth URI or a device file holds.

use zeroize::Zeroizing;

use crate::cli::InspectArgs;
use crate::error::CliError;
use crate::{json, secrets};

use super::{Io, dropped_bits_warning, now_or, out, parse_account, read_value};

pub(super) fn run(args: InspectArgs, io: &mut Io<'_>) -> Result<(), CliError> {
    if let (Some(url), Some(id)) = (&args.store, &args.device) {
        let now = now_or(args.time)?;
        return crate::inspect_state::inspect_store(url, id, args.json, now, io);
    }
    if let Some(path) = &args.state {
        let now = now_or(args.time)?;
        return crate::inspect_state::inspect_state(path, &args.key, args.json, now, io);
    }
    let Some(uri) = args.uri else {
        return Err(CliError::usage("give a URI or --state FILE"));
    };
    let uri = read_value(uri, "URI", io)?;
    let parsed = parse_account(&uri)?;
    let mut warnings: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    warnings.extend(dropped_bits_warning(&uri));
    let account = &parsed.account;
    if args.json {
        let value = json::account(account, &warnings);
        return out(io, json::to_text(value).as_str());
    }
    let none = "(none)";
    let mut lines: Vec<(&str, String)> = vec![
        ("type", json::type_name(account).to_owned()),
        (
            "issuer",
            account
                .issuer
                .clone()
                .filter(|i| !i.is_empty())
                .unwrap_or_else(|| none.to_owned()),
        ),
        ("account", account.name.clone()),
        (
            "secret",
            std::mem::take(&mut *secrets::base32_text(&account.secret, true)),
        ),
        (
            "secret bits",
            account.secret.len().saturating_mul(8).to_string(),
        ),
        ("algorithm", account.algorithm.name().to_owned()),
        ("digits", json::digits(account).to_string()),
    ];
    if let Some(p) = json::period(account) {
        lines.push(("period", format!("{p} s")));
    }
    if let Some(c) = account.generator().counter() {
        lines.push(("counter", c.to_string()));
    }
    for (key, value) in &account.extra {
        lines.push(("extra", format!("{key}={value}")));
    }
    if warnings.is_empty() {
        lines.push(("warnings", none.to_owned()));
    }
    for w in warnings {
        lines.push(("warning", w));
    }
    for (key, value) in lines {
        let value = Zeroizing::new(value);
        out(io, format_args!("{key:<12}{}", value.as_str()))?;
    }
    Ok(())
}
