//! The apps' internal SQLite databases, as copied from a rooted Android device:
//! Google Authenticator's `databases` (table `accounts`: `email` "Issuer:name",
//! `secret` Base32, `counter`, `type` 0 TOTP / 1 HOTP, `issuer`; always SHA-1, six
//! digits, 30 s), Microsoft Authenticator's `PhoneFactor` (table `accounts`: `name`
//! the issuer, `username`, `oath_secret_key` Base32, `account_type` 0 for third-party
//! TOTP accounts, SHA-1 / six digits / 30 s) and Authenticator Pro's
//! `authenticator.db3` (table `authenticator`, read by [`crate::authpro`]). The
//! layouts are those the Aegis and Authenticator Pro importers read (Aegis
//! `GoogleAuthImporter` / `MicrosoftAuthImporter`, Stratum's database model).
//!
//! The file is deserialised into an in-memory, read-only SQLite database (no file is
//! written), with `query_only` on and untrusted schema (`trusted_schema = OFF`). Only
//! a real table of the expected name is read (a view could make a query loop), one
//! row per entry up to [`crate::MAX_ENTRIES`]; the file itself is at most
//! [`crate::MAX_INPUT_LEN`] bytes, so a query costs at most a scan of that much, and
//! no value a query makes may be longer than that either (`SQLITE_LIMIT_LENGTH`).
//! SQLite's own messages are not passed on (they can quote the file's values).

use otpkit::Algorithm;
use otpkit::otpauth::{Account, Kind};
use rusqlite::limits::Limit;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, MAIN_DB, Row};
use zeroize::Zeroizing;

use crate::json;
use crate::secret::secret_from_base32_lenient;
use crate::{EntryError, EntryWarning, Format, Import, ImportError, MAX_INPUT_LEN, label_of};

/// The first 16 bytes of every SQLite 3 database file.
pub(crate) const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// The offset of the header's write and read format versions.
const WAL_FLAGS: usize = 18;

const DAMAGED: &str = "the SQLite database is damaged or is not the app's";

/// An in-memory, read-only database holding `data`.
pub(crate) fn open(format: Format, data: &[u8]) -> Result<Connection, ImportError> {
    if !data.starts_with(SQLITE_HEADER) {
        return Err(ImportError::malformed(format, "not an SQLite database"));
    }
    let damaged = |_| ImportError::malformed(format, DAMAGED);
    let mut conn = Connection::open_in_memory().map_err(damaged)?;
    // No value a query makes (a generated column's, say) may exceed the file's own
    // bound; SQLite's default is 1 GB.
    let max = i32::try_from(MAX_INPUT_LEN).map_err(|_| ImportError::malformed(format, DAMAGED))?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, max)
        .map_err(damaged)?;
    // A database in WAL mode (file format bytes 18 and 19 = 2, as Android apps
    // leave theirs) cannot be opened from memory; without its `-wal` file the main
    // file is what there is, read as a rollback-journal database (bytes set to 1).
    let (head, rest) = data
        .split_at_checked(WAL_FLAGS)
        .ok_or(ImportError::malformed(format, DAMAGED))?;
    let rest = rest
        .get(2..)
        .ok_or(ImportError::malformed(format, DAMAGED))?;
    let legacy: &[u8] = &[1, 1];
    conn.deserialize_read_exact(
        MAIN_DB,
        std::io::Read::chain(std::io::Read::chain(head, legacy), rest),
        data.len(),
        true,
    )
    .map_err(damaged)?;
    conn.pragma_update(None, "query_only", true)
        .map_err(damaged)?;
    conn.pragma_update(None, "trusted_schema", false)
        .map_err(damaged)?;
    Ok(conn)
}

/// Whether the database has a table (not a view) named `name`.
pub(crate) fn has_table(conn: &Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |row| row.get::<_, i64>(0),
    )
    .is_ok_and(|n| n == 1)
}

/// Runs `sql` (a `SELECT` over one table) and records one entry per row, read by
/// `entry` into a label and an account.
pub(crate) fn read_rows(
    format: Format,
    conn: &Connection,
    table: &str,
    sql: &str,
    entry: impl Fn(&Row<'_>) -> (String, Result<(Account, Vec<EntryWarning>), EntryError>),
) -> Result<Import, ImportError> {
    if !has_table(conn, table) {
        return Err(ImportError::malformed(
            format,
            "the database has no table of the app's accounts",
        ));
    }
    let damaged = |_| ImportError::malformed(format, DAMAGED);
    let mut statement = conn.prepare(sql).map_err(damaged)?;
    let mut rows = statement.query([]).map_err(damaged)?;
    let mut out = Import::new();
    while let Some(row) = rows.next().map_err(damaged)? {
        let (label, result) = entry(row);
        out.push(label, result)?;
    }
    Ok(out)
}

/// Column `i` as text: `None` for NULL; a number as its decimal text; a BLOB or
/// invalid UTF-8 is a malformed entry. Wiped on drop (it may be the secret).
pub(crate) fn text(row: &Row<'_>, i: usize) -> Result<Option<Zeroizing<String>>, EntryError> {
    let bad = EntryError::Malformed {
        line: 0,
        column: i.saturating_add(1),
    };
    match row.get_ref(i).map_err(|_| bad.clone())? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => core::str::from_utf8(t)
            .map(|s| Some(Zeroizing::new(s.to_owned())))
            .map_err(|_| bad),
        ValueRef::Integer(n) => Ok(Some(Zeroizing::new(n.to_string()))),
        ValueRef::Real(_) | ValueRef::Blob(_) => Err(bad),
    }
}

/// Column `i` as an integer: `None` for NULL; text or a BLOB is a malformed entry.
pub(crate) fn int(row: &Row<'_>, i: usize) -> Result<Option<i64>, EntryError> {
    let bad = EntryError::Malformed {
        line: 0,
        column: i.saturating_add(1),
    };
    match row.get_ref(i).map_err(|_| bad.clone())? {
        ValueRef::Null => Ok(None),
        ValueRef::Integer(n) => Ok(Some(n)),
        ValueRef::Real(_) | ValueRef::Text(_) | ValueRef::Blob(_) => Err(bad),
    }
}

fn plain(t: Option<Zeroizing<String>>) -> String {
    t.map(|t| t.as_str().to_owned()).unwrap_or_default()
}

pub(crate) fn google(data: &[u8]) -> Result<Import, ImportError> {
    const F: Format = Format::GoogleAuthenticator;
    let conn = open(F, data)?;
    read_rows(
        F,
        &conn,
        "accounts",
        "SELECT email, secret, counter, type, issuer FROM accounts ORDER BY _id",
        |row| {
            let names = (|| Ok::<_, EntryError>((plain(text(row, 0)?), plain(text(row, 4)?))))();
            let (email, issuer) = match names {
                Ok(n) => n,
                Err(e) => return (String::new(), Err(e)),
            };
            // `email` repeats the issuer as an `Issuer:` prefix when there is one.
            let name = email
                .strip_prefix(issuer.as_str())
                .filter(|_| !issuer.is_empty())
                .and_then(|rest| rest.strip_prefix(':'))
                .unwrap_or(&email)
                .to_owned();
            let label = label_of(Some(&issuer), &name);
            (label, google_entry(row, &issuer, &name))
        },
    )
}

fn google_entry(
    row: &Row<'_>,
    issuer: &str,
    name: &str,
) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let secret = text(row, 1)?.ok_or(EntryError::MissingField("secret"))?;
    let read = secret_from_base32_lenient(&secret).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let kind = match int(row, 3)? {
        None | Some(0) => Kind::Totp {
            period: otpkit::Period::DEFAULT,
        },
        Some(1) => Kind::Hotp {
            counter: json::counter(int(row, 2)?, "counter", &mut warnings)?,
        },
        Some(other) => return Err(EntryError::UnsupportedType(other.to_string())),
    };
    Ok((
        json::account(
            Some(issuer),
            name,
            read.secret,
            Algorithm::Sha1,
            otpkit::Digits::SIX,
            kind,
        ),
        warnings,
    ))
}

pub(crate) fn microsoft(data: &[u8]) -> Result<Import, ImportError> {
    const F: Format = Format::MicrosoftAuthenticator;
    let conn = open(F, data)?;
    read_rows(
        F,
        &conn,
        "accounts",
        "SELECT name, username, oath_secret_key, account_type FROM accounts ORDER BY _id",
        |row| {
            let names = (|| Ok::<_, EntryError>((plain(text(row, 0)?), plain(text(row, 1)?))))();
            let (issuer, name) = match names {
                Ok(n) => n,
                Err(e) => return (String::new(), Err(e)),
            };
            let label = label_of(Some(&issuer), &name);
            (label, microsoft_entry(row, &issuer, &name))
        },
    )
}

fn microsoft_entry(
    row: &Row<'_>,
    issuer: &str,
    name: &str,
) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    match int(row, 3)? {
        Some(0) => {}
        // Microsoft and work/school accounts: push sign-in, their codes come from a
        // secret the app keeps elsewhere.
        Some(other) => {
            return Err(EntryError::UnsupportedType(format!(
                "Microsoft account type {other}"
            )));
        }
        None => return Err(EntryError::MissingField("account_type")),
    }
    let secret = text(row, 2)?
        .filter(|s| !s.is_empty())
        .ok_or(EntryError::MissingField("oath_secret_key"))?;
    let read = secret_from_base32_lenient(&secret).map_err(EntryError::Secret)?;
    Ok((
        json::account(
            Some(issuer),
            name,
            read.secret,
            Algorithm::Sha1,
            otpkit::Digits::SIX,
            Kind::Totp {
                period: otpkit::Period::DEFAULT,
            },
        ),
        read.warnings,
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A database built with `sql`, as the bytes of its file.
    pub(crate) fn db(sql: &str) -> Vec<u8> {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        conn.serialize(MAIN_DB).unwrap().to_vec()
    }

    const GOOGLE: &str = "CREATE TABLE android_metadata (locale TEXT);
        CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL,
            counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0,
            issuer TEXT DEFAULT NULL, original_name TEXT DEFAULT NULL);
        INSERT INTO accounts VALUES (2, 'Bank:bob', 'GEZDGNBVGY3TQOJQ', 7, 1, 0, 'Bank', 'Bank:bob');
        INSERT INTO accounts VALUES (1, 'alice@example.com', 'JBSWY3DPEHPK3PXP', 0, 0, 0, NULL, NULL);
        INSERT INTO accounts VALUES (3, 'Bad:x', 'not base32!', 0, 0, 0, 'Bad', NULL);
        INSERT INTO accounts VALUES (4, 'Odd:y', 'JBSWY3DPEHPK3PXP', 0, 9, 0, 'Odd', NULL);";

    #[test]
    fn google_authenticator_database() {
        let out = google(&db(GOOGLE)).unwrap();
        assert_eq!(out.report.len(), 4);
        assert_eq!(out.accounts.len(), 2);
        assert_eq!(out.accounts[0].issuer, None);
        assert_eq!(out.accounts[0].name, "alice@example.com");
        assert_eq!(
            out.accounts[0].secret.base32().to_string(),
            "JBSWY3DPEHPK3PXP"
        );
        assert_eq!(out.accounts[1].issuer.as_deref(), Some("Bank"));
        assert_eq!(out.accounts[1].name, "bob");
        assert_eq!(out.accounts[1].kind, Kind::Hotp { counter: 7 });
        assert!(matches!(out.report[2].outcome, Err(EntryError::Secret(_))));
        assert_eq!(
            out.report[3].outcome,
            Err(EntryError::UnsupportedType("9".into()))
        );
    }

    #[test]
    fn microsoft_authenticator_database() {
        let data = db(
            "CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL, username TEXT NOT NULL, oath_secret_key TEXT NOT NULL,
                account_type INTEGER NOT NULL);
            INSERT INTO accounts VALUES (1, 'Deno', 'mason', 'JBSWY3DPEHPK3PXP', 0);
            INSERT INTO accounts VALUES (2, 'Microsoft', 'me@example.com', '', 1);
            INSERT INTO accounts VALUES (3, 'X', 'y', X'00ff', 0);",
        );
        let out = microsoft(&data).unwrap();
        assert_eq!(out.report.len(), 3);
        assert_eq!(out.accounts.len(), 1);
        assert_eq!(out.accounts[0].issuer.as_deref(), Some("Deno"));
        assert_eq!(out.report[0].label, "Deno:mason");
        assert!(matches!(
            out.report[1].outcome,
            Err(EntryError::UnsupportedType(_))
        ));
        assert!(matches!(
            out.report[2].outcome,
            Err(EntryError::Malformed { .. })
        ));
    }

    #[test]
    fn a_wal_mode_database_is_read() {
        let mut data = db(GOOGLE);
        data[18] = 2;
        data[19] = 2;
        assert_eq!(google(&data).unwrap().accounts.len(), 2);
        assert!(matches!(
            google(&data[..19]),
            Err(ImportError::Malformed { .. })
        ));
    }

    #[test]
    fn foreign_damaged_and_hostile_databases_are_refused() {
        assert!(matches!(google(b"{}"), Err(ImportError::Malformed { .. })));
        // The wrong app's database.
        assert!(matches!(
            microsoft(&db(GOOGLE)),
            Err(ImportError::Malformed { .. })
        ));
        // A view named like the table is not read (it could loop forever).
        let view = db(
            "CREATE VIEW accounts AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL
            SELECT x + 1 FROM c) SELECT x AS _id, 'a' AS email, 'b' AS secret, 0 AS counter,
            0 AS type, NULL AS issuer FROM c;",
        );
        assert!(matches!(google(&view), Err(ImportError::Malformed { .. })));
        // A generated column that would build a 50 MB secret is refused, not built.
        let huge = db("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT,
            secret TEXT GENERATED ALWAYS AS (printf('%.*c', 50000000, 'A')) VIRTUAL,
            counter INTEGER, type INTEGER, issuer TEXT);
            INSERT INTO accounts (_id, email, counter, type, issuer) VALUES (1, 'a', 0, 0, NULL);");
        assert!(google(&huge).is_err());
        // Truncated: every prefix is refused or read, never a panic.
        let good = db(GOOGLE);
        for cut in [16, 100, 1000, 4096, good.len() - 1] {
            let _ = google(&good[..cut]);
        }
        // Damaged pages.
        let mut bad = good.clone();
        for b in bad.iter_mut().skip(100) {
            *b ^= 0x5a;
        }
        assert!(google(&bad).is_err());
    }

    #[test]
    fn too_many_rows_are_refused_whole() {
        let data = db(&format!(
            "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT, secret TEXT,
                counter INTEGER, type INTEGER, issuer TEXT);
             WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {})
             INSERT INTO accounts SELECT x, 'n', 'JBSWY3DPEHPK3PXP', 0, 0, NULL FROM c;",
            crate::MAX_ENTRIES + 1
        ));
        assert_eq!(
            google(&data).unwrap_err(),
            ImportError::TooManyEntries {
                max: crate::MAX_ENTRIES
            }
        );
    }
}
