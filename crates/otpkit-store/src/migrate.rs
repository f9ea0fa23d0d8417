//! Versioned migrations, one loop for every adapter.
//!
//! A database records how many migrations it has applied (its schema version).
//! Opening a store applies the ones after that, in order, each recorded as it is
//! applied, and refuses a database whose version is newer than the program's (it
//! was written by a later otpkit, whose rows this one may misread). Each adapter
//! supplies only its steps (SQL, a Lua script) and how to read and record the
//! version, inside whatever makes the whole run exclusive between servers (a
//! transaction and lock, a script).

use crate::store::StoreError;

/// An adapter's side of the loop: one database, during one run of [`migrate`].
pub(crate) trait Schema {
    /// The version the database has (0 for a new one), creating its record if needed.
    fn version(&mut self) -> Result<i64, StoreError>;
    /// Applies `step` and records `version` (1 for the first step) as applied.
    fn apply(&mut self, version: i64, step: &str) -> Result<(), StoreError>;
}

/// Applies the `steps` that `db` has not applied yet, or refuses a version this
/// program does not know.
pub(crate) fn migrate(
    store: &'static str,
    steps: &[&str],
    db: &mut impl Schema,
) -> Result<(), StoreError> {
    let found = db.version()?;
    let known = steps.len();
    let done = match usize::try_from(found) {
        Ok(done) if done <= known => done,
        Ok(_) => {
            return Err(StoreError::Config {
                store,
                reason: format!(
                    "the database has schema version {found}, newer than this program's {known}"
                ),
            });
        }
        Err(_) => {
            return Err(StoreError::Config {
                store,
                reason: format!("the database has schema version {found}, which is not valid"),
            });
        }
    };
    for (version, step) in (1_i64..).zip(steps).skip(done) {
        db.apply(version, step)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database in memory: its version and the steps applied, in order.
    #[derive(Default)]
    struct Fake {
        version: i64,
        applied: Vec<(i64, String)>,
    }

    impl Schema for Fake {
        fn version(&mut self) -> Result<i64, StoreError> {
            Ok(self.version)
        }
        fn apply(&mut self, version: i64, step: &str) -> Result<(), StoreError> {
            self.applied.push((version, step.to_owned()));
            self.version = version;
            Ok(())
        }
    }

    #[test]
    fn a_new_database_gets_every_step_in_order_then_none_again() {
        let mut db = Fake::default();
        migrate("fake", &["one", "two"], &mut db).unwrap();
        assert_eq!(db.applied, [(1, "one".into()), (2, "two".into())]);
        migrate("fake", &["one", "two"], &mut db).unwrap();
        assert_eq!(db.applied.len(), 2);
    }

    #[test]
    fn an_older_database_gets_only_the_steps_after_its_version() {
        let mut db = Fake {
            version: 1,
            ..Fake::default()
        };
        migrate("fake", &["one", "two", "three"], &mut db).unwrap();
        assert_eq!(db.applied, [(2, "two".into()), (3, "three".into())]);
    }

    #[test]
    fn a_newer_or_invalid_version_is_refused_and_nothing_applied() {
        for (version, says) in [
            (3, "schema version 3, newer than this program's 2"),
            (-1, "schema version -1, which is not valid"),
        ] {
            let mut db = Fake {
                version,
                ..Fake::default()
            };
            let err = migrate("fake", &["one", "two"], &mut db).unwrap_err();
            assert!(
                matches!(err, StoreError::Config { store: "fake", .. }),
                "{err}"
            );
            assert!(err.to_string().contains(says), "{err}");
            assert!(db.applied.is_empty());
        }
    }
}
