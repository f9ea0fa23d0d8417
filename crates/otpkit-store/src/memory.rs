//! A device table in this process's memory: for tests and single-process demos
//! (it is gone when dropped, and not shared between processes).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::store::{DeviceRow, DeviceStore, LoadedRow, RowVersion, StoreError};

const STORE: &str = "memory";

/// Devices in a `HashMap` behind a mutex, each with its [`RowVersion`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    rows: Mutex<HashMap<String, LoadedRow>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn rows(&self) -> MutexGuard<'_, HashMap<String, LoadedRow>> {
        // A panic elsewhere while holding the lock cannot leave a row half-written
        // (each operation replaces whole values), so the data stays usable.
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets `column` of the row `read` names to `new`, with a new version, if the
    /// row still has `read`'s version and `column`.
    fn swap(&self, read: &LoadedRow, column: Column, new: &str) -> Result<bool, StoreError> {
        let next = RowVersion::fresh(STORE)?;
        Ok(match self.rows().get_mut(&read.row.id) {
            Some(stored)
                if stored.version == read.version
                    && column.get(&stored.row) == column.get(&read.row) =>
            {
                new.clone_into(column.get_mut(&mut stored.row));
                stored.version = next;
                true
            }
            _ => false,
        })
    }
}

/// The column a swap replaces.
#[derive(Clone, Copy)]
enum Column {
    State,
    Secret,
}

impl Column {
    fn get(self, row: &DeviceRow) -> &str {
        match self {
            Column::State => &row.state,
            Column::Secret => &row.secret,
        }
    }

    fn get_mut(self, row: &mut DeviceRow) -> &mut String {
        match self {
            Column::State => &mut row.state,
            Column::Secret => &mut row.secret,
        }
    }
}

impl DeviceStore for MemoryStore {
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
        let version = RowVersion::fresh(STORE)?;
        let mut rows = self.rows();
        if rows.contains_key(&row.id) {
            return Ok(false);
        }
        let row = row.clone();
        rows.insert(row.id.clone(), LoadedRow { row, version });
        Ok(true)
    }

    fn load(&self, id: &str) -> Result<Option<LoadedRow>, StoreError> {
        Ok(self.rows().get(id).cloned())
    }

    fn compare_and_swap(&self, read: &LoadedRow, new_state: &str) -> Result<bool, StoreError> {
        self.swap(read, Column::State, new_state)
    }

    fn replace_secret(&self, read: &LoadedRow, new_secret: &str) -> Result<bool, StoreError> {
        self.swap(read, Column::Secret, new_secret)
    }

    fn remove(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.rows().remove(id).is_some())
    }
}
