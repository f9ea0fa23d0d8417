//! A read-only reader of one table of an SQLite 3 database file, in pure Rust: what
//! the apps' internal databases (Google and Microsoft Authenticator, Authenticator
//! Pro) hold, read without an SQL engine.
//!
//! It follows the published file format (<https://www.sqlite.org/fileformat2.html>):
//! the 100-byte header, the schema table on page 1, table b-trees (interior and leaf
//! pages), records and overflow chains. Nothing else is read: no index, no view, no
//! SQL is run, and the `-wal` file of a database in WAL mode is not there to read
//! (the main file is what a copy of it gives).
//!
//! Bounds: the file is at most [`crate::MAX_INPUT_LEN`] bytes; every page is visited
//! at most once per table walk (a page seen twice is a damaged file, so a cycle ends
//! the walk), the b-tree depth is capped at [`MAX_DEPTH`], an overflow chain at the
//! number of pages, and the rows read at [`crate::MAX_ENTRIES`]. A value is copied
//! once, into a buffer wiped when dropped (it may be a secret).

use alloc_zero::Wiped;

/// The deepest table b-tree read (SQLite's own trees of a 16 MiB file are at most
/// 4 or 5 levels deep).
pub(crate) const MAX_DEPTH: usize = 20;

/// The first 16 bytes of every SQLite 3 database file.
pub(crate) const HEADER: &[u8] = b"SQLite format 3\0";

/// Why a database could not be read. Carries no value from the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SqliteError {
    /// Not an SQLite 3 file.
    NotSqlite,
    /// A structure of the file is out of bounds or inconsistent.
    Damaged,
    /// Text stored as UTF-16 (the apps write UTF-8).
    Utf16,
    /// More rows than [`crate::MAX_ENTRIES`].
    TooManyRows,
}

/// One value of a row.
#[derive(Clone, PartialEq)]
pub(crate) enum Value {
    /// SQL NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// UTF-8 text, as stored (not checked): wiped on drop.
    Text(Wiped),
    /// A BLOB: wiped on drop.
    Blob(Wiped),
}

impl core::fmt::Debug for Value {
    /// Never shows a text or a BLOB (either may be a secret).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Integer(n) => write!(f, "Integer({n})"),
            Value::Real(x) => write!(f, "Real({x})"),
            Value::Text(t) => write!(f, "Text({} bytes)", t.len()),
            Value::Blob(b) => write!(f, "Blob({} bytes)", b.len()),
        }
    }
}

/// A table's column names (from its `CREATE TABLE` statement) and rows, in rowid
/// order. A column declared `INTEGER PRIMARY KEY` holds the rowid.
#[derive(Debug)]
pub(crate) struct Table {
    /// The columns' names, as declared (without quotes).
    pub columns: Vec<String>,
    /// One value per column for each row (a row shorter than the columns, written
    /// before a column was added, is padded with the column default NULL).
    pub rows: Vec<Vec<Value>>,
}

impl Table {
    /// The index of column `name` (ASCII case-insensitive, as SQL compares names).
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }
}

/// Whether `data` starts like an SQLite 3 database.
pub(crate) fn is_sqlite(data: &[u8]) -> bool {
    data.starts_with(HEADER)
}

/// The table `name` of the database `data` (a real table, not a view), or `None` when
/// the database has none of that name.
pub(crate) fn read_table(data: &[u8], name: &str) -> Result<Option<Table>, SqliteError> {
    let db = Db::open(data)?;
    // The schema table: type, name, tbl_name, rootpage, sql.
    let mut schema = Vec::new();
    db.walk(1, &mut schema, 0, &mut Visited::new(db.pages))?;
    for (_, record) in &schema {
        let fields = db.record(record)?;
        let is_table = matches!(fields.first(), Some(Value::Text(t)) if t.as_slice() == b"table");
        let named = matches!(fields.get(1), Some(Value::Text(t)) if t.as_slice().eq_ignore_ascii_case(name.as_bytes()));
        if !(is_table && named) {
            continue;
        }
        let root = match fields.get(3) {
            Some(Value::Integer(n)) => u32::try_from(*n).map_err(|_| SqliteError::Damaged)?,
            _ => return Err(SqliteError::Damaged),
        };
        let sql = match fields.get(4) {
            Some(Value::Text(t)) => core::str::from_utf8(t.as_slice())
                .map_err(|_| SqliteError::Damaged)?
                .to_owned(),
            _ => return Err(SqliteError::Damaged),
        };
        let (columns, rowid_alias) = columns_of(&sql).ok_or(SqliteError::Damaged)?;
        let mut cells = Vec::new();
        db.walk(root, &mut cells, 0, &mut Visited::new(db.pages))?;
        let mut rows = Vec::with_capacity(cells.len());
        for (rowid, record) in &cells {
            let mut values = db.record(record)?;
            values.resize(columns.len().max(values.len()), Value::Null);
            values.truncate(columns.len());
            if let Some(slot) = rowid_alias.and_then(|i| values.get_mut(i))
                && *slot == Value::Null
            {
                *slot = Value::Integer(*rowid);
            }
            rows.push(values);
        }
        return Ok(Some(Table { columns, rows }));
    }
    Ok(None)
}

/// The pages visited by one walk: a page reached twice ends it as damaged.
struct Visited(Vec<bool>);

impl Visited {
    fn new(pages: usize) -> Self {
        Visited(vec![false; pages.saturating_add(1)])
    }

    fn first_visit(&mut self, page: u32) -> Result<(), SqliteError> {
        let seen = self
            .0
            .get_mut(usize::try_from(page).map_err(|_| SqliteError::Damaged)?)
            .ok_or(SqliteError::Damaged)?;
        if *seen {
            return Err(SqliteError::Damaged);
        }
        *seen = true;
        Ok(())
    }
}

/// The database file and its page geometry.
struct Db<'a> {
    data: &'a [u8],
    page_size: usize,
    /// The usable bytes of a page (page size minus the reserved bytes at its end).
    usable: usize,
    pages: usize,
}

impl<'a> Db<'a> {
    fn open(data: &'a [u8]) -> Result<Self, SqliteError> {
        if !is_sqlite(data) || data.len() > crate::MAX_INPUT_LEN {
            return Err(SqliteError::NotSqlite);
        }
        let page_size = match be(data, 16, 2)? {
            1 => 65_536,
            n if (512..=32_768).contains(&n) && n.is_power_of_two() => n,
            _ => return Err(SqliteError::Damaged),
        };
        let page_size = usize::try_from(page_size).map_err(|_| SqliteError::Damaged)?;
        let reserved = usize::from(*data.get(20).ok_or(SqliteError::Damaged)?);
        let usable = page_size
            .checked_sub(reserved)
            .filter(|u| *u >= 480)
            .ok_or(SqliteError::Damaged)?;
        match be(data, 56, 4)? {
            0 | 1 => {}
            _ => return Err(SqliteError::Utf16),
        }
        Ok(Db {
            data,
            page_size,
            usable,
            pages: data.len().checked_div(page_size).unwrap_or(0),
        })
    }

    /// Page `n` (1-based), its usable part.
    fn page(&self, n: u32) -> Result<&'a [u8], SqliteError> {
        let index = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .filter(|i| *i < self.pages)
            .ok_or(SqliteError::Damaged)?;
        let start = index
            .checked_mul(self.page_size)
            .ok_or(SqliteError::Damaged)?;
        let end = start.checked_add(self.usable).ok_or(SqliteError::Damaged)?;
        self.data.get(start..end).ok_or(SqliteError::Damaged)
    }

    /// Every (rowid, record) of the table b-tree rooted at `page`, in key order.
    fn walk(
        &self,
        page: u32,
        out: &mut Vec<(i64, Wiped)>,
        depth: usize,
        visited: &mut Visited,
    ) -> Result<(), SqliteError> {
        if depth > MAX_DEPTH {
            return Err(SqliteError::Damaged);
        }
        visited.first_visit(page)?;
        let bytes = self.page(page)?;
        // Page 1 starts with the 100-byte file header.
        let header_at = if page == 1 { 100 } else { 0 };
        let kind = *bytes.get(header_at).ok_or(SqliteError::Damaged)?;
        let cells =
            usize::try_from(be(bytes, header_at | 3, 2)?).map_err(|_| SqliteError::Damaged)?;
        // Header offsets are 0 or 100 plus a few bytes: no overflow.
        let (pointers_at, interior) = match kind {
            0x0D => (header_at | 8, false),
            0x05 => (header_at | 12, true),
            _ => return Err(SqliteError::Damaged),
        };
        for i in 0..cells {
            let at = i
                .checked_mul(2)
                .and_then(|o| o.checked_add(pointers_at))
                .ok_or(SqliteError::Damaged)?;
            let cell = usize::try_from(be(bytes, at, 2)?).map_err(|_| SqliteError::Damaged)?;
            let cell_bytes = bytes.get(cell..).ok_or(SqliteError::Damaged)?;
            if interior {
                let child =
                    u32::try_from(be(cell_bytes, 0, 4)?).map_err(|_| SqliteError::Damaged)?;
                self.walk(child, out, depth.saturating_add(1), visited)?;
            } else {
                if out.len() >= crate::MAX_ENTRIES {
                    return Err(SqliteError::TooManyRows);
                }
                let (len, n) = varint(cell_bytes)?;
                let (rowid, m) = varint(cell_bytes.get(n..).ok_or(SqliteError::Damaged)?)?;
                let payload_at = n.checked_add(m).ok_or(SqliteError::Damaged)?;
                let payload = self.payload(cell_bytes, payload_at, len, visited)?;
                // The rowid is a signed 64-bit integer stored as a varint.
                out.push((i64::from_ne_bytes(rowid.to_ne_bytes()), payload));
            }
        }
        if interior {
            let right =
                u32::try_from(be(bytes, header_at | 8, 4)?).map_err(|_| SqliteError::Damaged)?;
            self.walk(right, out, depth.saturating_add(1), visited)?;
        }
        Ok(())
    }

    /// A table leaf cell's payload of `len` bytes starting at `at` in `cell`,
    /// followed through its overflow pages.
    fn payload(
        &self,
        cell: &[u8],
        at: usize,
        len: u64,
        visited: &mut Visited,
    ) -> Result<Wiped, SqliteError> {
        let len = usize::try_from(len)
            .ok()
            .filter(|l| *l <= self.data.len())
            .ok_or(SqliteError::Damaged)?;
        // The file format's spill rule for table leaf cells (`usable` >= 480, so
        // none of these underflow; `len` <= 16 MiB, so none overflows).
        let u = self.usable;
        let max_local = u.saturating_sub(35);
        let local = if len <= max_local {
            len
        } else {
            let min_local = (u.saturating_sub(12).saturating_mul(32) / 255).saturating_sub(23);
            let k = len
                .saturating_sub(min_local)
                .checked_rem(u.saturating_sub(4))
                .ok_or(SqliteError::Damaged)?
                .saturating_add(min_local);
            if k <= max_local { k } else { min_local }
        };
        let mut out = Wiped::with_capacity(len);
        let end = at.checked_add(local).ok_or(SqliteError::Damaged)?;
        out.extend(cell.get(at..end).ok_or(SqliteError::Damaged)?);
        let mut next = if local < len {
            u32::try_from(be(cell, end, 4)?).map_err(|_| SqliteError::Damaged)?
        } else {
            0
        };
        while out.len() < len {
            if next == 0 {
                return Err(SqliteError::Damaged);
            }
            visited.first_visit(next)?;
            let page = self.page(next)?;
            let want = len.saturating_sub(out.len()).min(u.saturating_sub(4));
            out.extend(
                page.get(4..want.saturating_add(4))
                    .ok_or(SqliteError::Damaged)?,
            );
            next = u32::try_from(be(page, 0, 4)?).map_err(|_| SqliteError::Damaged)?;
        }
        Ok(out)
    }

    /// The values of a record.
    fn record(&self, record: &Wiped) -> Result<Vec<Value>, SqliteError> {
        let bytes = record.as_slice();
        let (header_len, mut at) = varint(bytes)?;
        let header_len = usize::try_from(header_len)
            .ok()
            .filter(|h| *h <= bytes.len())
            .ok_or(SqliteError::Damaged)?;
        let mut body = header_len;
        let mut values = Vec::new();
        while at < header_len {
            let (serial, n) = varint(bytes.get(at..header_len).ok_or(SqliteError::Damaged)?)?;
            at = at.checked_add(n).ok_or(SqliteError::Damaged)?;
            let size: usize = match serial {
                0 | 8 | 9 => 0,
                1 => 1,
                2 => 2,
                3 => 3,
                4 => 4,
                5 => 6,
                6 | 7 => 8,
                10 | 11 => return Err(SqliteError::Damaged),
                n => usize::try_from(n.saturating_sub(12) / 2).map_err(|_| SqliteError::Damaged)?,
            };
            let end = body.checked_add(size).ok_or(SqliteError::Damaged)?;
            let raw = bytes.get(body..end).ok_or(SqliteError::Damaged)?;
            body = end;
            values.push(match serial {
                0 => Value::Null,
                8 => Value::Integer(0),
                9 => Value::Integer(1),
                1..=6 => Value::Integer(signed(raw)),
                7 => Value::Real(f64::from_bits(u64::from_ne_bytes(
                    signed(raw).to_ne_bytes(),
                ))),
                n if n % 2 == 0 => Value::Blob(Wiped::from_slice(raw)),
                _ => Value::Text(Wiped::from_slice(raw)),
            });
        }
        Ok(values)
    }
}

/// A big-endian signed integer of 1 to 8 bytes.
fn signed(raw: &[u8]) -> i64 {
    let negative = raw.first().is_some_and(|b| b & 0x80 != 0);
    let mut n: u64 = if negative { u64::MAX } else { 0 };
    for b in raw {
        n = (n << 8) | u64::from(*b);
    }
    i64::from_ne_bytes(n.to_ne_bytes())
}

/// The big-endian unsigned integer of `len` (2 or 4) bytes at `at`.
fn be(bytes: &[u8], at: usize, len: usize) -> Result<u64, SqliteError> {
    let end = at.checked_add(len).ok_or(SqliteError::Damaged)?;
    let raw = bytes.get(at..end).ok_or(SqliteError::Damaged)?;
    Ok(raw.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
}

/// SQLite's varint: 1 to 9 bytes, big-endian, 7 bits per byte but the ninth's 8.
fn varint(bytes: &[u8]) -> Result<(u64, usize), SqliteError> {
    let mut n: u64 = 0;
    for (i, b) in bytes.iter().take(9).enumerate() {
        if i == 8 {
            return Ok(((n << 8) | u64::from(*b), 9));
        }
        n = (n << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            return Ok((n, i.saturating_add(1)));
        }
    }
    Err(SqliteError::Damaged)
}

/// The column names of a `CREATE TABLE name (…)` statement, and the index of the
/// column that is an alias of the rowid (`INTEGER PRIMARY KEY`), if any.
fn columns_of(sql: &str) -> Option<(Vec<String>, Option<usize>)> {
    let open = sql.find('(')?;
    let close = sql.rfind(')')?;
    let body = sql.get(open.saturating_add(1)..close)?;
    let mut columns = Vec::new();
    let mut alias = None;
    for definition in split_top_level(body) {
        let definition = definition.trim();
        let (name, rest) = first_name(definition)?;
        let keyword = name.to_ascii_uppercase();
        if matches!(
            keyword.as_str(),
            "PRIMARY" | "UNIQUE" | "CHECK" | "FOREIGN" | "CONSTRAINT"
        ) && !definition.starts_with(['"', '`', '['])
        {
            continue;
        }
        let upper = rest.to_ascii_uppercase();
        let words: Vec<&str> = upper.split_ascii_whitespace().collect();
        if words.first() == Some(&"INTEGER") && words.get(1) == Some(&"PRIMARY") {
            alias = Some(columns.len());
        }
        columns.push(name);
    }
    Some((columns, alias))
}

/// `body` split at the commas outside parentheses and quotes.
fn split_top_level(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q || (q == '[' && c == ']') => quote = None,
            (Some(_), _) => {}
            (None, '"' | '`' | '\'' | '[') => quote = Some(c),
            (None, '(') => depth = depth.saturating_add(1),
            (None, ')') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                parts.push(body.get(start..i).unwrap_or_default());
                start = i.saturating_add(1);
            }
            (None, _) => {}
        }
    }
    parts.push(body.get(start..).unwrap_or_default());
    parts
}

/// The first name of a column definition (quoted or bare) and what follows it.
fn first_name(definition: &str) -> Option<(String, &str)> {
    let mut chars = definition.char_indices();
    let (_, first) = chars.next()?;
    let close = match first {
        '"' => Some('"'),
        '`' => Some('`'),
        '[' => Some(']'),
        _ => None,
    };
    match close {
        // The quote characters are ASCII: one byte each.
        Some(close) => {
            let inner = definition.get(1..)?;
            let end = inner.find(close)?;
            Some((
                inner.get(..end)?.to_owned(),
                inner.get(end.saturating_add(1)..)?,
            ))
        }
        None => {
            let end = definition
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(definition.len());
            Some((definition.get(..end)?.to_owned(), definition.get(end..)?))
        }
    }
}

/// A byte buffer wiped when dropped.
mod alloc_zero {
    use zeroize::Zeroizing;

    #[derive(Clone, PartialEq, Default)]
    pub(crate) struct Wiped(Zeroizing<Vec<u8>>);

    impl Wiped {
        pub(crate) fn with_capacity(n: usize) -> Self {
            Wiped(Zeroizing::new(Vec::with_capacity(n)))
        }

        pub(crate) fn from_slice(bytes: &[u8]) -> Self {
            Wiped(Zeroizing::new(bytes.to_vec()))
        }

        pub(crate) fn extend(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }

        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }

        pub(crate) fn as_slice(&self) -> &[u8] {
            &self.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// The bytes of a database SQLite writes with `setup` (rollback journal, the
    /// page size given).
    fn database(page_size: u32, setup: &str) -> Vec<u8> {
        let dir = std::env::temp_dir().join(format!(
            "otpkit-sqlite-{}-{page_size}-{}",
            std::process::id(),
            setup.len()
        ));
        let _ = std::fs::remove_file(&dir);
        {
            let conn = Connection::open(&dir).unwrap();
            conn.execute_batch(&format!(
                "PRAGMA page_size = {page_size}; PRAGMA synchronous = OFF; BEGIN; {setup} COMMIT;"
            ))
            .unwrap();
        }
        let bytes = std::fs::read(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        bytes
    }

    fn text(v: &Value) -> &str {
        match v {
            Value::Text(t) => core::str::from_utf8(t.as_slice()).unwrap(),
            other => panic!("not text: {other:?}"),
        }
    }

    #[test]
    fn reads_every_row_and_type_as_sqlite_wrote_them() {
        let db = database(
            4096,
            r#"CREATE TABLE "accounts" (_id INTEGER PRIMARY KEY, email TEXT NOT NULL,
                 secret TEXT, counter INTEGER DEFAULT 0, [type] INTEGER, icon BLOB,
                 weight REAL, CONSTRAINT u UNIQUE (email));
               CREATE VIEW accounts_view AS SELECT * FROM accounts;
               INSERT INTO accounts VALUES (NULL, 'Ex:alice', 'JBSWY3DPEHPK3PXP', 7, 0, x'00ff', 1.5);
               INSERT INTO accounts VALUES (NULL, 'bob', NULL, -300000, 1, NULL, -2.0);
               INSERT INTO accounts VALUES (40, 'big', 'x', 9007199254740993, 1, NULL, 0);"#,
        );
        let t = read_table(&db, "ACCOUNTS").unwrap().unwrap();
        assert_eq!(
            t.columns,
            [
                "_id", "email", "secret", "counter", "type", "icon", "weight"
            ]
        );
        assert_eq!(t.rows.len(), 3);
        let (email, secret, counter) = (
            t.column("email").unwrap(),
            t.column("secret").unwrap(),
            t.column("counter").unwrap(),
        );
        assert_eq!(t.rows[0][0], Value::Integer(1));
        assert_eq!(text(&t.rows[0][email]), "Ex:alice");
        assert_eq!(text(&t.rows[0][secret]), "JBSWY3DPEHPK3PXP");
        assert_eq!(t.rows[0][counter], Value::Integer(7));
        assert_eq!(
            t.rows[0][5],
            Value::Blob(alloc_zero::Wiped::from_slice(&[0, 255]))
        );
        assert_eq!(t.rows[0][6], Value::Real(1.5));
        assert_eq!(t.rows[1][secret], Value::Null);
        assert_eq!(t.rows[1][counter], Value::Integer(-300_000));
        assert_eq!(t.rows[1][6], Value::Real(-2.0));
        assert_eq!(t.rows[2][0], Value::Integer(40));
        assert_eq!(t.rows[2][counter], Value::Integer(9_007_199_254_740_993));
        // A view is not a table; an absent table is None.
        assert!(read_table(&db, "accounts_view").unwrap().is_none());
        assert!(read_table(&db, "nothing").unwrap().is_none());
        // Debug never shows a text or BLOB.
        assert!(!format!("{t:?}").contains("JBSW"));
    }

    #[test]
    fn many_rows_over_interior_pages_and_values_over_overflow_pages() {
        for page_size in [512u32, 1024, 4096, 65_536] {
            let mut setup = String::from("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT);");
            for i in 0..300 {
                // Every 30th value is longer than a page (but the largest): it spills into overflow pages.
                let len = if i % 30 == 0 { 9_000 + i } else { 20 + i % 7 };
                setup.push_str(&format!(
                    "INSERT INTO t (v) VALUES (substr(replace(hex(zeroblob({len})), '0', 'ab{i}'), 1, {len}));"
                ));
            }
            let db = database(page_size, &setup);
            let t = read_table(&db, "t").unwrap().unwrap();
            assert_eq!(t.rows.len(), 300, "page size {page_size}");
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch(&setup).unwrap();
            let mut stmt = conn.prepare("SELECT k, v FROM t ORDER BY k").unwrap();
            let expected: Vec<(i64, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            for (row, (k, v)) in t.rows.iter().zip(&expected) {
                assert_eq!(row[0], Value::Integer(*k));
                assert_eq!(text(&row[1]), v, "page size {page_size}, row {k}");
            }
        }
    }

    #[test]
    fn damaged_files_are_errors_never_panics() {
        let db = database(
            1024,
            "CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT);
             INSERT INTO accounts (email) VALUES ('a'), ('b');",
        );
        assert_eq!(
            read_table(b"not sqlite", "accounts").unwrap_err(),
            SqliteError::NotSqlite
        );
        // Truncated anywhere, every byte flipped in the first two pages: an error or a
        // table, never a panic.
        for cut in 0..db.len() {
            let _ = read_table(&db[..cut], "accounts");
        }
        for i in 0..2048.min(db.len()) {
            let mut bad = db.clone();
            bad[i] ^= 0xFF;
            let _ = read_table(&bad, "accounts");
        }
        // A page that points to itself is a cycle: refused, not followed forever.
        let mut looped = db.clone();
        // Page 1's b-tree becomes an interior page whose right child is page 1.
        looped[100] = 0x05;
        looped[108..112].copy_from_slice(&1u32.to_be_bytes());
        assert_eq!(
            read_table(&looped, "accounts").unwrap_err(),
            SqliteError::Damaged
        );
        // UTF-16 text encoding is refused by name.
        let mut utf16 = db.clone();
        utf16[56..60].copy_from_slice(&2u32.to_be_bytes());
        assert_eq!(
            read_table(&utf16, "accounts").unwrap_err(),
            SqliteError::Utf16
        );
    }
}
