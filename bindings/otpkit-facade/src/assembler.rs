//! The QR codes of one Google Authenticator "Transfer accounts" export, scanned in
//! any order: [`MigrationAssembler`].

use otpkit_transfer::migration::{Added, Assembler};

use crate::FacadeError;
use crate::records::ImportRecord;

/// Collects the `otpauth-migration://` URIs of one export as they are scanned:
/// duplicates are recognised, a URI of another export is refused, and
/// [`missing`](Self::missing) says which QR codes are still to scan.
#[derive(Debug, Default)]
pub struct MigrationAssembler {
    inner: Assembler,
}

impl MigrationAssembler {
    /// An empty assembler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one scanned URI: `true` for a QR code not seen before, `false` for the
    /// same one scanned again (nothing changes).
    pub fn add(&mut self, uri: &str) -> Result<bool, FacadeError> {
        Ok(match self.inner.add(uri)? {
            Added::New => true,
            Added::Duplicate => false,
        })
    }

    /// The 0-based indexes of the QR codes not added yet (empty before the first).
    pub fn missing(&self) -> Vec<u64> {
        self.inner.missing().into_iter().map(u64_of).collect()
    }

    /// How many QR codes the export has, once one was added.
    pub fn batch_size(&self) -> Option<u64> {
        self.inner.batch_size().map(u64_of)
    }

    /// Whether every QR code of the export was added (false before the first).
    pub fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }

    /// The accounts of the QR codes added, in export order, with a report per entry
    /// and the QR codes still missing; the assembler is empty afterwards.
    pub fn finish(&mut self) -> ImportRecord {
        ImportRecord::from_core(&core::mem::take(&mut self.inner).finish())
    }
}

fn u64_of(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{encode_migration, parse_otpauth_uri};
    use otpkit::ErrorCode;

    fn accounts(n: usize) -> Vec<crate::records::AccountRecord> {
        (0..n)
            .map(|i| {
                parse_otpauth_uri(&format!(
                    "otpauth://totp/ACME:user{i}?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ACME"
                ))
                .unwrap()
                .account
            })
            .collect()
    }

    #[test]
    fn qr_codes_in_any_order_with_a_duplicate_make_the_whole_export() {
        let all = accounts(12);
        let uris = encode_migration(&all, Some(10)).unwrap();
        assert_eq!(uris.len(), 2);
        let mut asm = MigrationAssembler::new();
        assert_eq!((asm.batch_size(), asm.is_complete()), (None, false));
        assert!(asm.add(&uris[1]).unwrap());
        assert_eq!((asm.missing(), asm.batch_size()), (vec![0], Some(2)));
        assert!(!asm.add(&uris[1]).unwrap(), "the same QR code again");
        assert!(!asm.is_complete());
        assert!(asm.add(&uris[0]).unwrap());
        assert!(asm.is_complete());
        let import = asm.finish();
        assert_eq!(import.accounts, all);
        assert!(import.missing_batches.is_empty());
        assert_eq!(asm.batch_size(), None, "empty after finish");
    }

    #[test]
    fn finishing_early_names_the_missing_qr_codes_and_a_bad_uri_is_an_error() {
        let uris = encode_migration(&accounts(12), Some(10)).unwrap();
        let mut asm = MigrationAssembler::new();
        asm.add(&uris[1]).unwrap();
        let import = asm.finish();
        assert_eq!(
            (import.accounts.len(), import.missing_batches),
            (2, vec![0])
        );
        let e = asm
            .add("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP")
            .unwrap_err();
        assert_eq!(e.reason, ErrorCode::NotMigrationUri);
    }
}
