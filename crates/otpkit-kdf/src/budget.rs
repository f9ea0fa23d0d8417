//! The work budget: how much key derivation one import may do.

use crate::cost::Cost;
use crate::error::OverBudget;

/// How much key derivation one import may do: a total of work units, spent by every
/// derivation in turn, and a cap on the peak memory of any one derivation.
///
/// A work unit is the time of one Argon2 compression of a 1 KiB block; the other
/// functions are weighted to cost the same time per unit (the crate's README has the
/// measurement). Each function of this crate computes its cost from its parameters,
/// charges it here *before* it runs, and refuses with [`KdfError::OverBudget`]
/// (charging nothing) when the cost is more than what is left or its memory more
/// than the cap.
///
/// ```
/// use otpkit_kdf::WorkBudget;
/// let budget = WorkBudget::default();
/// assert_eq!(budget.work(), WorkBudget::DEFAULT_WORK);
/// assert_eq!(budget.remaining(), budget.work());
/// // Four times the work and 1 GiB per derivation, for a file one trusts:
/// let more = WorkBudget::new(4 * WorkBudget::DEFAULT_WORK, 1 << 30);
/// assert_eq!(more.max_memory(), 1 << 30);
/// ```
///
/// [`KdfError::OverBudget`]: crate::KdfError::OverBudget
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkBudget {
    work: u64,
    max_memory: u64,
    spent: u64,
}

impl WorkBudget {
    /// The default work limit, in work units: five times the most expensive
    /// derivation a supported app writes by default (Bitwarden's Argon2id, 64 MiB ×
    /// 3 passes × 4 lanes, 197 222 units), thirteen of Aegis's scrypt slots; about
    /// 1.3 s of one core (the README has the measurements).
    pub const DEFAULT_WORK: u64 = 1_000_000;

    /// The default cap on one derivation's peak memory: 256 MiB, four times the
    /// largest an app writes by default (Argon2id's 64 MiB; Aegis's scrypt needs
    /// 32 MiB).
    pub const DEFAULT_MAX_MEMORY: u64 = 256 << 20;

    /// A budget of `work` units in total, each derivation using at most `max_memory`
    /// bytes, nothing spent yet.
    pub const fn new(work: u64, max_memory: u64) -> Self {
        WorkBudget {
            work,
            max_memory,
            spent: 0,
        }
    }

    /// The total work allowed, in work units.
    pub const fn work(&self) -> u64 {
        self.work
    }

    /// The cap on one derivation's peak memory, in bytes.
    pub const fn max_memory(&self) -> u64 {
        self.max_memory
    }

    /// The work charged so far, in work units.
    pub const fn spent(&self) -> u64 {
        self.spent
    }

    /// The work left, in work units.
    pub const fn remaining(&self) -> u64 {
        self.work.saturating_sub(self.spent)
    }

    /// Charges `cost` when it fits: its work no more than what is left and its memory
    /// no more than the cap (both inclusive). Otherwise charges nothing and says what
    /// was needed.
    pub(crate) fn charge(&mut self, cost: Cost) -> Result<(), OverBudget> {
        let units = cost.units();
        let memory = cost.memory_bytes();
        let fits_work = cost.milli <= u128::from(self.remaining()).saturating_mul(1000);
        let fits_memory = cost.memory <= u128::from(self.max_memory);
        if fits_work && fits_memory {
            self.spent = self.spent.saturating_add(units);
            return Ok(());
        }
        Err(OverBudget {
            work_needed: self.spent.saturating_add(units),
            work_allowed: self.work,
            memory_needed: memory,
            memory_allowed: self.max_memory,
        })
    }
}

impl Default for WorkBudget {
    /// [`WorkBudget::DEFAULT_WORK`] units, [`WorkBudget::DEFAULT_MAX_MEMORY`] bytes.
    fn default() -> Self {
        WorkBudget::new(WorkBudget::DEFAULT_WORK, WorkBudget::DEFAULT_MAX_MEMORY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(units: u64, memory: u64) -> Cost {
        Cost {
            milli: u128::from(units) * 1000,
            memory: u128::from(memory),
        }
    }

    #[test]
    fn charges_up_to_the_limit_exactly() {
        let mut b = WorkBudget::new(100, 1000);
        assert_eq!(b.charge(cost(60, 1000)), Ok(()));
        assert_eq!((b.spent(), b.remaining()), (60, 40));
        assert_eq!(b.charge(cost(40, 0)), Ok(()));
        assert_eq!((b.spent(), b.remaining()), (100, 0));
        assert_eq!(b.charge(cost(0, 0)), Ok(()));
        let over = b.charge(cost(1, 0)).unwrap_err();
        assert_eq!(
            over,
            OverBudget {
                work_needed: 101,
                work_allowed: 100,
                memory_needed: 0,
                memory_allowed: 1000,
            }
        );
        assert!(over.work_exceeded() && !over.memory_exceeded());
        assert_eq!(b.spent(), 100, "a refusal charges nothing");
    }

    #[test]
    fn a_fraction_of_a_unit_over_what_is_left_is_refused() {
        let mut b = WorkBudget::new(10, 0);
        let just = Cost {
            milli: 10_000,
            memory: 0,
        };
        let over = Cost {
            milli: 10_001,
            memory: 0,
        };
        assert_eq!(
            b.charge(over).unwrap_err(),
            OverBudget {
                work_needed: 11,
                work_allowed: 10,
                memory_needed: 0,
                memory_allowed: 0,
            }
        );
        assert_eq!(b.charge(just), Ok(()));
        assert_eq!(b.remaining(), 0);
    }

    #[test]
    fn memory_is_capped_per_derivation_not_summed() {
        let mut b = WorkBudget::new(1000, 1 << 20);
        for _ in 0..5 {
            assert_eq!(b.charge(cost(1, 1 << 20)), Ok(()));
        }
        let over = b.charge(cost(1, (1 << 20) + 1)).unwrap_err();
        assert!(over.memory_exceeded() && !over.work_exceeded());
        assert_eq!(over.memory_needed, (1 << 20) + 1);
        assert_eq!(b.spent(), 5);
    }

    #[test]
    fn the_largest_counts_neither_overflow_nor_pass() {
        let mut b = WorkBudget::new(u64::MAX, u64::MAX);
        assert_eq!(b.charge(cost(u64::MAX - 1, u64::MAX)), Ok(()));
        assert_eq!(b.charge(cost(1, 0)), Ok(()));
        assert_eq!(b.remaining(), 0);
        let over = b.charge(cost(1, 0)).unwrap_err();
        assert_eq!(over.work_needed, u64::MAX, "saturates, never wraps");
        let huge = Cost {
            milli: u128::MAX,
            memory: u128::MAX,
        };
        let mut b = WorkBudget::new(u64::MAX, u64::MAX);
        let over = b.charge(huge).unwrap_err();
        assert_eq!((over.work_needed, over.memory_needed), (u64::MAX, u64::MAX));
        assert_eq!(b.spent(), 0);
    }

    proptest::proptest! {
        #[test]
        fn a_charge_fits_exactly_when_the_spent_work_stays_within_the_limit(
            limit in proptest::prelude::any::<u64>(),
            cap in proptest::prelude::any::<u64>(),
            costs in proptest::collection::vec(
                (proptest::prelude::any::<u128>(), proptest::prelude::any::<u64>()),
                0..8,
            ),
        ) {
            let mut b = WorkBudget::new(limit, cap);
            for (milli, memory) in costs {
                // Costs near the limit as often as far beyond it.
                let milli = milli % (u128::from(limit) * 1000 + 2000);
                let before = b.spent();
                let units = milli.div_ceil(1000);
                let fits = u128::from(before) + units <= u128::from(limit) && memory <= cap;
                let result = b.charge(Cost { milli, memory: u128::from(memory) });
                proptest::prop_assert_eq!(result.is_ok(), fits);
                match result {
                    Ok(()) => proptest::prop_assert_eq!(u128::from(b.spent()), u128::from(before) + units),
                    Err(over) => {
                        proptest::prop_assert_eq!(b.spent(), before);
                        proptest::prop_assert!(over.work_exceeded() || over.memory_exceeded());
                        proptest::prop_assert_eq!(
                            u128::from(over.work_needed),
                            (u128::from(before) + units).min(u128::from(u64::MAX))
                        );
                    }
                }
                proptest::prop_assert!(b.spent() <= limit);
            }
        }
    }

    #[test]
    fn a_zero_budget_refuses_any_work() {
        let mut b = WorkBudget::new(0, 0);
        assert!(b.charge(cost(1, 0)).is_err());
        assert_eq!(b.charge(cost(0, 0)), Ok(()));
    }
}
