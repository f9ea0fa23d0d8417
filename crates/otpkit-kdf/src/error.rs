//! Why a key derivation did not run.

use core::fmt;

/// Why a key derivation did not run. Carries parameter names and counts only, never
/// a password, salt or key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfError {
    /// A parameter the function cannot run with (zero, not a power of two, too short
    /// a salt, …), named as the function's argument is: `n`, `r`, `p`, `iterations`,
    /// `memory`, `parallelism`, `salt`, `password` or `output length`.
    Parameter(&'static str),
    /// The derivation would need more work than the budget has left, or more memory
    /// than its cap. Nothing was run and nothing was charged.
    OverBudget(OverBudget),
}

impl fmt::Display for KdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KdfError::Parameter(what) => {
                write!(f, "the key-derivation parameter {what} is invalid")
            }
            KdfError::OverBudget(over) => fmt::Display::fmt(over, f),
        }
    }
}

impl core::error::Error for KdfError {}

/// A derivation the [`WorkBudget`](crate::WorkBudget) refused: what it needed and
/// what the budget allows. At least one of the two needs exceeds its allowance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OverBudget {
    /// The work limit that would have let the derivation run, in work units: what
    /// the budget had already spent plus the derivation's cost (saturating at
    /// `u64::MAX`).
    pub work_needed: u64,
    /// The budget's work limit, in work units.
    pub work_allowed: u64,
    /// The derivation's peak memory, in bytes (saturating at `u64::MAX`).
    pub memory_needed: u64,
    /// The budget's memory cap, in bytes.
    pub memory_allowed: u64,
}

impl OverBudget {
    /// Whether the derivation needs more work than the budget allows.
    pub const fn work_exceeded(&self) -> bool {
        self.work_needed > self.work_allowed
    }

    /// Whether the derivation needs more memory than the budget's cap.
    pub const fn memory_exceeded(&self) -> bool {
        self.memory_needed > self.memory_allowed
    }
}

impl fmt::Display for OverBudget {
    /// `at least 3000000 work units (1000000 allowed)` and/or `1024 MiB of memory
    /// (256 MiB allowed)`, for whichever is exceeded.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the key derivation needs ")?;
        if self.work_exceeded() {
            write!(
                f,
                "at least {} work units ({} allowed)",
                self.work_needed, self.work_allowed
            )?;
            if self.memory_exceeded() {
                f.write_str(" and ")?;
            }
        }
        if self.memory_exceeded() {
            write!(
                f,
                "{} of memory ({} allowed)",
                Bytes(self.memory_needed),
                Bytes(self.memory_allowed)
            )?;
        }
        Ok(())
    }
}

/// A byte count as people read it: whole KiB, MiB or GiB when it is one, else the
/// MiB rounded up with the exact count beside it.
pub(crate) struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const KIB: u64 = 1 << 10;
        const MIB: u64 = 1 << 20;
        const GIB: u64 = 1 << 30;
        let n = self.0;
        if n == 0 || !n.is_multiple_of(KIB) && n < MIB {
            write!(f, "{n} bytes")
        } else if n.is_multiple_of(GIB) {
            write!(f, "{} GiB", n / GIB)
        } else if n.is_multiple_of(MIB) {
            write!(f, "{} MiB", n / MIB)
        } else if n < MIB {
            write!(f, "{} KiB", n / KIB)
        } else {
            write!(f, "{} MiB ({n} bytes)", n.div_ceil(MIB))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::string::ToString;

    #[test]
    fn byte_counts_read_in_the_largest_whole_unit() {
        assert_eq!(Bytes(0).to_string(), "0 bytes");
        assert_eq!(Bytes(1000).to_string(), "1000 bytes");
        assert_eq!(Bytes(2048).to_string(), "2 KiB");
        assert_eq!(Bytes(256 << 20).to_string(), "256 MiB");
        assert_eq!(Bytes(1 << 30).to_string(), "1 GiB");
        assert_eq!(
            Bytes((32 << 20) + 2048).to_string(),
            "33 MiB (33556480 bytes)"
        );
    }

    #[test]
    fn over_budget_names_what_is_exceeded() {
        let over = OverBudget {
            work_needed: 30,
            work_allowed: 10,
            memory_needed: 1 << 30,
            memory_allowed: 256 << 20,
        };
        assert_eq!(
            over.to_string(),
            "the key derivation needs at least 30 work units (10 allowed) and 1 GiB of \
             memory (256 MiB allowed)"
        );
        let work = OverBudget {
            memory_needed: 1 << 20,
            ..over
        };
        assert_eq!(
            work.to_string(),
            "the key derivation needs at least 30 work units (10 allowed)"
        );
        let memory = OverBudget {
            work_needed: 10,
            ..over
        };
        assert_eq!(
            KdfError::OverBudget(memory).to_string(),
            "the key derivation needs 1 GiB of memory (256 MiB allowed)"
        );
    }
}
