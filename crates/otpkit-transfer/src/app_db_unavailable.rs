//! The apps' SQLite databases where SQLite is not built in (wasm32-unknown-unknown,
//! the JavaScript binding: bundled SQLite does not compile for it). Every database
//! is refused with a typed error that says so; the native builds read them
//! (`app_db.rs`).

use crate::{Format, Import, ImportError};

/// The first 16 bytes of every SQLite 3 database file.
pub(crate) const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// The refusal of a database in this build.
pub(crate) fn unavailable(format: Format) -> ImportError {
    ImportError::malformed(
        format,
        "SQLite databases are not read in the WebAssembly build",
    )
}

pub(crate) fn google(_: &[u8]) -> Result<Import, ImportError> {
    Err(unavailable(Format::GoogleAuthenticator))
}

pub(crate) fn microsoft(_: &[u8]) -> Result<Import, ImportError> {
    Err(unavailable(Format::MicrosoftAuthenticator))
}
