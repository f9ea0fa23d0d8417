//! A device table in this process's memory: for tests and single-process demos
//! (it is gone when dropped, and not shared between processes).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::store::{DeviceRow, DeviceStore, StoreError};

/// Devices in a `HashMap` behind a mutex.
#[derive(Debug, Default)]
pub struct MemoryStore {
    rows: Mutex<HashMap<String, DeviceRow>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn rows(&self) -> MutexGuard<'_, HashMap<String, DeviceRow>> {
        // A panic elsewhere while holding the lock cannot leave a row half-written
        // (each operation replaces whole values), so the data stays usable.
        self.rows.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl DeviceStore for MemoryStore {
    fn insert(&self, row: &DeviceRow) -> Result<bool, StoreError> {
        let mut rows = self.rows();
        if rows.contains_key(&row.id) {
            return Ok(false);
        }
        rows.insert(row.id.clone(), row.clone());
        Ok(true)
    }

    fn load(&self, id: &str) -> Result<Option<DeviceRow>, StoreError> {
        Ok(self.rows().get(id).cloned())
    }

    fn compare_and_swap(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
        Ok(match self.rows().get_mut(id) {
            Some(row) if row.state == old => {
                new.clone_into(&mut row.state);
                true
            }
            _ => false,
        })
    }

    fn replace_secret(&self, id: &str, old: &str, new: &str) -> Result<bool, StoreError> {
        Ok(match self.rows().get_mut(id) {
            Some(row) if row.secret == old => {
                new.clone_into(&mut row.secret);
                true
            }
            _ => false,
        })
    }

    fn remove(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.rows().remove(id).is_some())
    }
}
