// Shared by the transfer_* targets (included, not a target itself).
//
// Properties asserted for any input:
// - `import_with` never panics. The sum of the input's bytes picks the rest (the
//   input is read whole): its lowest bit whether the test files' password is given,
//   the next seven a small key-derivation budget (0 to 12 700 work units, at most
//   about 20 ms, 16 MiB), so the decryption paths run within it or are refused;
// - a refusal by the budget names a need beyond what it allowed;
// - the report has one `Ok` per imported account;
// - the accounts survive a plain Aegis export and re-import unchanged, but for their
//   `extra` parameters, which the export reports as dropped;
// - an account's `Debug` output never contains its secret's Base32.
use otpkit_transfer::{
    Format, ImportError, ImportOptions, WorkBudget, export, import, import_with,
};

fn check(format: Format, data: &[u8]) {
    let pick = data.iter().fold(0u8, |sum, b| sum.wrapping_add(*b));
    let password = (pick & 1 == 1).then_some(&b"otpkit-test"[..]);
    let options = ImportOptions {
        budget: WorkBudget::new(u64::from(pick >> 1) * 100, 16 << 20),
    };
    let result = import_with(format, data, password, &options);
    if let Err(ImportError::KdfBudget { exceeded, .. }) = &result {
        assert!(exceeded.work_exceeded() || exceeded.memory_exceeded());
        assert_eq!(exceeded.work_allowed, options.budget.work());
    }
    let Ok(out) = result else {
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
    // so for exactly the accounts that had some; it leaves out, each with a note, only
    // mOTP and Yandex accounts it cannot hold (no PIN, or an mOTP secret that is not
    // hex text).
    let exported = export::aegis(&out.accounts, None).expect("plain Aegis export");
    let skipped: Vec<usize> = exported
        .notes
        .iter()
        .filter(|n| matches!(n.what, export::Omission::AccountSkipped(_)))
        .map(|n| n.index)
        .collect();
    for &i in &skipped {
        assert!(matches!(
            out.accounts[i].kind,
            otpkit::otpauth::Kind::Motp | otpkit::otpauth::Kind::Yandex
        ));
    }
    let with_extras: Vec<usize> = (0..out.accounts.len())
        .filter(|&i| !skipped.contains(&i) && !out.accounts[i].extra.is_empty())
        .collect();
    let noted: Vec<usize> = exported
        .notes
        .iter()
        .filter(|n| matches!(n.what, export::Omission::ExtraParametersDropped(_)))
        .map(|n| n.index)
        .collect();
    assert_eq!(noted, with_extras);
    let back = import(Format::Aegis, exported.output.as_bytes(), None).expect("re-import");
    let expected: Vec<_> = out
        .accounts
        .iter()
        .enumerate()
        .filter(|(i, _)| !skipped.contains(i))
        .map(|(_, a)| {
            let mut a = a.clone();
            a.extra.clear();
            a
        })
        .collect();
    assert_eq!(back.accounts, expected);
}
