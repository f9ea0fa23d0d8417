// Shared by the transfer_* targets (included, not a target itself).
//
// Properties asserted for any input:
// - `import` never panics (with no password: the decryption paths are bounded by the
//   KDF limits and covered by the crate's tests; their plaintexts go through the
//   same parsers as plain files);
// - the report has one `Ok` per imported account;
// - the accounts survive a plain Aegis export and re-import unchanged, but for their
//   `extra` parameters, which the export reports as dropped;
// - an account's `Debug` output never contains its secret's Base32.
use otpkit_transfer::{Format, export, import};

fn check(format: Format, data: &[u8]) {
    let Ok(out) = import(format, data, None) else {
        return;
    };
    let ok = out.report.iter().filter(|r| r.outcome.is_ok()).count();
    assert_eq!(ok, out.accounts.len());
    // An account's `Debug` never shows its secret. (Its text fields are cleared first:
    // a hostile file can put any text, the secret's Base32 included, in a name.)
    for account in &out.accounts {
        let b32 = account.secret.base32().to_string();
        let mut bare = account.clone();
        bare.name.clear();
        bare.issuer = None;
        bare.extra.clear();
        // (Secrets under 10 bytes have Base32 short enough to occur by chance.)
        if b32.len() >= 16 {
            assert!(!format!("{bare:?}").contains(&b32), "Debug shows a secret");
        }
    }
    // Aegis carries everything but the unrecognised URI parameters (`extra`), and says
    // so for exactly the accounts that had some.
    let exported = export::aegis(&out.accounts, None).expect("plain Aegis export");
    let with_extras: Vec<usize> = (0..out.accounts.len())
        .filter(|&i| !out.accounts[i].extra.is_empty())
        .collect();
    let noted: Vec<usize> = exported.notes.iter().map(|n| n.index).collect();
    assert_eq!(noted, with_extras);
    let back = import(Format::Aegis, exported.output.as_bytes(), None).expect("re-import");
    let mut expected = out.accounts.clone();
    expected.iter_mut().for_each(|a| a.extra.clear());
    assert_eq!(back.accounts, expected);
}
