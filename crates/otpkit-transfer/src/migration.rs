//! Google Authenticator "Transfer accounts": multi-QR assembly.
//!
//! Google Authenticator exports many accounts as several QR codes, each an
//! `otpauth-migration://offline?data=…` URI carrying `batch_size`, `batch_index` and
//! a `batch_id` shared by the codes of one export. An app scans them in whatever order
//! the user manages; [`Assembler`] takes them in any order, ignores codes scanned
//! twice, accepts a `batch_id` of 0 (newer payloads omit the field) and says which
//! batches are still missing.
//!
//! ```
//! use otpkit::otpauth::Account;
//! use otpkit_transfer::migration::{Added, Assembler};
//! let accounts: Vec<Account> = (0..15)
//!     .map(|i| format!("otpauth://totp/Ex:user{i}?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP").parse())
//!     .collect::<Result<_, _>>()?;
//! let uris = otpkit::migration::encode(&accounts, 10)?; // two QR codes
//! let mut assembler = Assembler::new();
//! assert_eq!(assembler.add(&uris[1])?, Added::New);
//! assert_eq!(assembler.missing(), vec![0]);
//! assert_eq!(assembler.add(&uris[1])?, Added::Duplicate);
//! assembler.add(&uris[0])?;
//! assert!(assembler.is_complete());
//! let import = assembler.finish();
//! assert_eq!(import.accounts, accounts);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use otpkit::migration::{Batch, MigrationError, decode_batch};

use crate::secret::wiped_vec;
use crate::{EntryError, Format, Import, ImportError, label_of};

/// The most batches one export may claim (10 accounts each: 10 000 accounts).
pub const MAX_BATCHES: usize = 1000;

/// What [`Assembler::add`] did with a URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Added {
    /// A batch not seen before.
    New,
    /// The same batch again (scanned twice); nothing changed.
    Duplicate,
}

/// Why [`Assembler::add`] refused a URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssembleError {
    /// The URI itself could not be read.
    Migration(MigrationError),
    /// The URI belongs to another export: different `batch_id` or `batch_size`.
    DifferentExport,
    /// `batch_index` is negative or not below `batch_size`.
    IndexOutOfRange {
        /// The index found.
        index: i32,
        /// The export's batch count.
        size: usize,
    },
    /// `batch_size` is above [`MAX_BATCHES`].
    TooManyBatches {
        /// The size found.
        size: i32,
    },
    /// A batch index seen before, with other contents.
    ConflictingDuplicate {
        /// The index.
        index: usize,
    },
}

impl fmt::Display for AssembleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssembleError::Migration(e) => fmt::Display::fmt(e, f),
            AssembleError::DifferentExport => {
                f.write_str("this QR code belongs to a different export")
            }
            AssembleError::IndexOutOfRange { index, size } => write!(
                f,
                "batch index {index} is outside the export's {size} batches"
            ),
            AssembleError::TooManyBatches { size } => write!(
                f,
                "the export claims {size} batches, more than the {MAX_BATCHES} accepted"
            ),
            AssembleError::ConflictingDuplicate { index } => write!(
                f,
                "batch {} was scanned before with different contents",
                index.saturating_add(1)
            ),
        }
    }
}

impl std::error::Error for AssembleError {}

impl From<MigrationError> for AssembleError {
    fn from(e: MigrationError) -> Self {
        AssembleError::Migration(e)
    }
}

/// Collects the QR codes of one Google Authenticator export; see the module docs.
#[derive(Debug, Default)]
pub struct Assembler {
    /// `batch_id` (0 until a non-zero one is seen) and batch count, from the first
    /// URI added.
    export: Option<(i32, usize)>,
    batches: BTreeMap<usize, Batch>,
}

impl Assembler {
    /// An empty assembler.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one scanned URI.
    pub fn add(&mut self, uri: &str) -> Result<Added, AssembleError> {
        let batch = decode_batch(uri)?;
        self.add_batch(batch)
    }

    fn add_batch(&mut self, batch: Batch) -> Result<Added, AssembleError> {
        let size = batch_count(batch.batch_size)?;
        let index = usize::try_from(batch.batch_index)
            .ok()
            .filter(|i| *i < size)
            .ok_or(AssembleError::IndexOutOfRange {
                index: batch.batch_index,
                size,
            })?;
        match &mut self.export {
            None => self.export = Some((batch.batch_id, size)),
            Some((id, known_size)) => {
                let ids_agree = *id == 0 || batch.batch_id == 0 || *id == batch.batch_id;
                if !ids_agree || *known_size != size {
                    return Err(AssembleError::DifferentExport);
                }
                if *id == 0 {
                    *id = batch.batch_id;
                }
            }
        }
        match self.batches.get(&index) {
            Some(seen) if seen.entries == batch.entries => Ok(Added::Duplicate),
            Some(_) => Err(AssembleError::ConflictingDuplicate { index }),
            None => {
                self.batches.insert(index, batch);
                Ok(Added::New)
            }
        }
    }

    /// The export's batch count, once a URI was added.
    pub fn batch_size(&self) -> Option<usize> {
        self.export.map(|(_, size)| size)
    }

    /// The 0-based indexes of the batches not added yet (empty before the first URI).
    pub fn missing(&self) -> Vec<usize> {
        let size = self.batch_size().unwrap_or(0);
        (0..size)
            .filter(|i| !self.batches.contains_key(i))
            .collect()
    }

    /// Whether every batch was added (false before the first URI).
    pub fn is_complete(&self) -> bool {
        self.export.is_some() && self.missing().is_empty()
    }

    /// The accounts of the batches added, in batch order, with a report per entry;
    /// [`Import::missing_batches`] lists what was not added.
    pub fn finish(self) -> Import {
        let mut out = Import::new();
        out.missing_batches = self.missing();
        for batch in self.batches.into_values() {
            push_batch(&mut out, batch);
        }
        out
    }
}

fn batch_count(batch_size: i32) -> Result<usize, AssembleError> {
    // 0 (unset) and 1 both mean a single QR code.
    let size = usize::try_from(batch_size.max(1)).unwrap_or(1);
    if size > MAX_BATCHES {
        return Err(AssembleError::TooManyBatches { size: batch_size });
    }
    Ok(size)
}

fn push_batch(out: &mut Import, batch: Batch) {
    wiped_vec::drain(batch.entries, |entry| {
        let result = match entry {
            Ok(account) => Ok((account, Vec::new())),
            Err(e) => Err(EntryError::Migration(e)),
        };
        let label = match &result {
            Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
            Err(_) => String::new(),
        };
        // No entry limit here: the assembler holds only what its caller added (each
        // URI at most 64 KiB); `import` bounds the total.
        out.push_unbounded(label, result);
    });
}

/// A text of migration URIs, one per line: single-QR exports are read as they come;
/// the URIs of multi-QR exports are grouped by export and assembled.
pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    let text = core::str::from_utf8(data)
        .map_err(|_| ImportError::malformed(Format::GoogleMigration, "the text is not UTF-8"))?;
    // Each group: one export (its id and size) and its assembler, in order of first
    // appearance.
    let mut groups: Vec<((i32, usize), Assembler)> = Vec::new();
    let mut out = Import::new();
    let mut any = false;
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        any = true;
        let batch = decode_batch(line).map_err(|error| ImportError::Migration {
            line: line_no,
            error,
        })?;
        let size = batch_count(batch.batch_size).map_err(|_| ImportError::InconsistentBatches {
            what: "an export claims too many batches",
        })?;
        if size == 1 {
            groups.push(((batch.batch_id, 1), single(batch)));
            continue;
        }
        let key = (batch.batch_id, size);
        let position = groups
            .iter()
            .position(|((id, s), _)| *s == size && (*id == key.0 || *id == 0 || key.0 == 0));
        let assembler = match position.and_then(|p| groups.get_mut(p)) {
            Some((_, assembler)) => assembler,
            None => {
                groups.push((key, Assembler::new()));
                match groups.last_mut() {
                    Some((_, assembler)) => assembler,
                    None => continue,
                }
            }
        };
        assembler.add_batch(batch).map_err(|e| match e {
            AssembleError::ConflictingDuplicate { .. } => ImportError::InconsistentBatches {
                what: "one batch index appears twice with different contents",
            },
            _ => ImportError::InconsistentBatches {
                what: "a batch index is outside its export's batch count",
            },
        })?;
    }
    if !any {
        return Err(ImportError::malformed(
            Format::GoogleMigration,
            "no otpauth-migration:// URI found",
        ));
    }
    for (_, assembler) in groups {
        let part = assembler.finish();
        out.missing_batches.extend(part.missing_batches);
        for report in part.report {
            out.report.push(crate::EntryReport {
                index: out.report.len(),
                ..report
            });
        }
        wiped_vec::append(&mut out.accounts, part.accounts);
        if out.report.len() > crate::MAX_ENTRIES {
            return Err(ImportError::TooManyEntries {
                max: crate::MAX_ENTRIES,
            });
        }
    }
    Ok(out)
}

fn single(batch: Batch) -> Assembler {
    let mut assembler = Assembler::new();
    let _ = assembler.add_batch(batch);
    assembler
}

impl AssembleError {
    /// The stable [`ErrorCode`](otpkit::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> otpkit::ErrorCode {
        use otpkit::ErrorCode as C;
        match self {
            AssembleError::Migration(e) => e.code(),
            AssembleError::DifferentExport => C::DifferentExport,
            AssembleError::IndexOutOfRange { .. } => C::BatchIndexOutOfRange,
            AssembleError::TooManyBatches { .. } => C::TooManyBatches,
            AssembleError::ConflictingDuplicate { .. } => C::ConflictingDuplicate,
        }
    }
}
