// Shared by the transfer_* targets (included, not a target itself).
//
// Properties asserted for any input:
// - `import` never panics (with no password: the decryption paths are bounded by the
//   KDF limits and covered by the crate's tests; their plaintexts go through the
//   same parsers as plain files);
// - the report has one `Ok` per imported account;
// - the accounts survive a plain Aegis export and re-import unchanged;
// - no report or error text contains a secret's Base32.
use otpkit_transfer::{Format, export, import};

fn check(format: Format, data: &[u8]) {
    let Ok(out) = import(format, data, None) else {
        return;
    };
    let ok = out.report.iter().filter(|r| r.outcome.is_ok()).count();
    assert_eq!(ok, out.accounts.len());
    let mut shown = String::new();
    for r in &out.report {
        match &r.outcome {
            Ok(warnings) => warnings.iter().for_each(|w| shown.push_str(&w.to_string())),
            Err(e) => shown.push_str(&e.to_string()),
        }
    }
    shown.push_str(&format!("{out:?}"));
    for account in &out.accounts {
        let b32 = account.secret.base32().to_string();
        if b32.len() >= 16 {
            assert!(!shown.contains(&b32), "a report shows a secret");
        }
    }
    let exported = export::aegis(&out.accounts, None).expect("plain Aegis export");
    let back = import(Format::Aegis, exported.output.as_bytes(), None).expect("re-import");
    assert_eq!(back.accounts, out.accounts);
}
