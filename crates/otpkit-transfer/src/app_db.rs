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
//! The file is read by [`crate::sqlite`], a read-only reader of the SQLite file
//! format in pure Rust: no SQL is run, so nothing in the file (a view, a trigger, a
//! generated column) can make work beyond one walk over the named table's pages.
//! Only a real table of the expected name is read, one row per entry up to
//! [`crate::MAX_ENTRIES`]; the file itself is at most [`crate::MAX_INPUT_LEN`] bytes.
//! A database in WAL mode is read from its main file (its `-wal` file is not there).

use otpkit::Algorithm;
use otpkit::otpauth::{Account, Kind};
use zeroize::Zeroizing;

use crate::json;
use crate::secret::secret_from_base32_lenient;
use crate::sqlite::{self, SqliteError, Table, Value};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const DAMAGED: &str = "the SQLite database is damaged or is not the app's";

/// One row of the columns a reader asked for, in the order it asked for them.
pub(crate) struct Row<'a> {
    values: &'a [Value],
    columns: &'a [Option<usize>],
}

impl Row<'_> {
    fn get(&self, i: usize) -> Option<&Value> {
        self.columns
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| self.values.get(c))
    }
}

/// The table `table` of the database `data`, its columns `columns` (all of which it
/// must have, but those named with a leading `?`, which read as NULL when the table
/// has no such column), one entry per row read by `entry`, in the order of the integer column
/// `order_by` (rows with the same value, or without one, in rowid order).
pub(crate) fn read_rows(
    format: Format,
    data: &[u8],
    table: &str,
    columns: &[&str],
    order_by: Option<&str>,
    entry: impl Fn(&Row<'_>) -> (String, Result<(Account, Vec<EntryWarning>), EntryError>),
) -> Result<Import, ImportError> {
    if !sqlite::is_sqlite(data) {
        return Err(ImportError::malformed(format, "not an SQLite database"));
    }
    let read: Table = match sqlite::read_table(data, table) {
        Ok(Some(t)) => t,
        Ok(None) => {
            return Err(ImportError::malformed(
                format,
                "the database has no table of the app's accounts",
            ));
        }
        Err(SqliteError::TooManyRows) => {
            return Err(ImportError::TooManyEntries {
                max: crate::MAX_ENTRIES,
            });
        }
        Err(SqliteError::Utf16) => {
            return Err(ImportError::malformed(
                format,
                "the database stores text as UTF-16, which the app does not write",
            ));
        }
        Err(SqliteError::NotSqlite | SqliteError::Damaged) => {
            return Err(ImportError::malformed(format, DAMAGED));
        }
    };
    let indexes = columns
        .iter()
        .map(|c| match c.strip_prefix('?') {
            Some(optional) => Some(read.column(optional)),
            None => read.column(c).map(Some),
        })
        .collect::<Option<Vec<Option<usize>>>>()
        .ok_or(ImportError::malformed(
            format,
            "the database's table lacks a column the app writes",
        ))?;
    let mut rows: Vec<&Vec<Value>> = read.rows.iter().collect();
    if let Some(key) = order_by.and_then(|c| read.column(c)) {
        // A stable sort: equal keys keep their rowid order. NULL sorts first, as in SQL.
        rows.sort_by_key(|r| match r.get(key) {
            Some(Value::Integer(n)) => Some(*n),
            Some(Value::Null | Value::Real(_) | Value::Text(_) | Value::Blob(_)) | None => None,
        });
    }
    let mut out = Import::new();
    for values in rows {
        let (label, result) = entry(&Row {
            values,
            columns: &indexes,
        });
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
    match row.get(i) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Text(t)) => core::str::from_utf8(t.as_slice())
            .map(|s| Some(Zeroizing::new(s.to_owned())))
            .map_err(|_| bad),
        Some(Value::Integer(n)) => Ok(Some(Zeroizing::new(n.to_string()))),
        Some(Value::Real(_) | Value::Blob(_)) => Err(bad),
    }
}

/// Column `i` as an integer: `None` for NULL; text or a BLOB is a malformed entry.
pub(crate) fn int(row: &Row<'_>, i: usize) -> Result<Option<i64>, EntryError> {
    let bad = EntryError::Malformed {
        line: 0,
        column: i.saturating_add(1),
    };
    match row.get(i) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Integer(n)) => Ok(Some(*n)),
        Some(Value::Real(_) | Value::Text(_) | Value::Blob(_)) => Err(bad),
    }
}

fn plain(t: Option<Zeroizing<String>>) -> String {
    t.map(|t| t.as_str().to_owned()).unwrap_or_default()
}

pub(crate) fn google(data: &[u8]) -> Result<Import, ImportError> {
    const F: Format = Format::GoogleAuthenticator;
    read_rows(
        F,
        data,
        "accounts",
        &["email", "secret", "counter", "type", "issuer"],
        None,
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
    read_rows(
        F,
        data,
        "accounts",
        &["name", "username", "oath_secret_key", "account_type"],
        None,
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
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(sql).unwrap();
        conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
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
        // A generated column that would build a 50 MB secret is never computed (no
        // SQL runs): its row has no secret.
        let huge = db("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT,
            secret TEXT GENERATED ALWAYS AS (printf('%.*c', 50000000, 'A')) VIRTUAL,
            counter INTEGER, type INTEGER, issuer TEXT);
            INSERT INTO accounts (_id, email, counter, type, issuer) VALUES (1, 'a', 0, 0, NULL);");
        let read = google(&huge).unwrap();
        assert!(read.accounts.is_empty());
        assert!(read.report[0].outcome.is_err());
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
