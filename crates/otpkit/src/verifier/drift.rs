//! What an accepted step says about the device's clock: the drift learned from it
//! ([`Verifier::learn_drift`]), its bound, and the signed offset of a step from the
//! server's. None of it branches on the step: it runs after a code matched.

use subtle::ConstantTimeLess;

use super::{Verifier, select};

impl Verifier {
    /// The drift to keep after a code at `observed` steps from the server's clock.
    ///
    /// A person shows a code `0 ..= late` steps after reading it (`late` is
    /// `window.behind() - 1`: the window's last step behind is where a slow clock
    /// is first seen, as its step ahead is for a fast one), and the phone's step
    /// can be one off the server's at a step boundary, so a code at `observed` says
    /// the phone's clock is off by `observed - 1 ..= observed + late + 1` steps:
    /// - a code from the future (`observed > 0`) proves a fast clock: delay never
    ///   makes a code early. The drift moves far enough that the scan's steps ahead
    ///   cover that clock's codes shown at once (up to `observed + late`);
    /// - a code older than any delay explains (`observed < -late`) proves a slow
    ///   clock: the drift moves to cover that clock's codes shown late
    ///   (`observed - late ..= observed`);
    /// - anything else is what a correct clock shows: no evidence. The drift decays
    ///   one step towards 0 (unless a fast or slow clock this code allows would
    ///   still need it) and is pulled into the range the code allows, so a
    ///   corrected clock recovers within a few sign-ins.
    ///
    /// With evidence, an old drift inside the range is kept. Clamped to
    /// ±[`Policy::max_drift_steps`].
    ///
    /// Every case's candidate is computed and one is picked with masks
    /// ([`select`]): the time does not depend on which step matched (ahead,
    /// current or behind) nor on the old drift.
    ///
    /// [`Policy::max_drift_steps`]: super::Policy::max_drift_steps
    pub(super) fn learn_drift(&self, old: i64, observed: i64) -> i64 {
        let window = self.policy.window();
        let behind = i64::from(window.behind());
        let ahead = i64::from(window.ahead());
        let late = i64::from(window.behind().saturating_sub(1));
        // The fastest clock this code allows, and the drift its quick codes need to
        // stay within `ahead`.
        let fastest = observed.saturating_add(late);
        let fast_needs = fastest.saturating_add(1).saturating_sub(ahead);
        // What the slowest clock a correct-looking code allows needs.
        let slow_needs = observed
            .saturating_add(behind)
            .saturating_sub(late)
            .saturating_sub(2);
        // No evidence: decay one step towards 0 (a corrected clock recovers), but
        // not past what a fast (slow) clock this code allows would need.
        let down = select::max(old.saturating_sub(1), select::min(fast_needs, old));
        let up = select::min(old.saturating_add(1), select::max(slow_needs, old));
        let decayed = select::select(
            select::select(0, down, select::lt(0, old)),
            up,
            select::lt(old, 0),
        );
        // Evidence of a fast clock (a code from the future) or of a slow one (older
        // than any delay explains); at most one of them.
        let fast = select::lt(0, observed);
        let slow = select::lt(observed, late.saturating_neg());
        let kept = select::select(select::select(decayed, old, fast), old, slow);
        let lo = select::select(
            select::select(
                observed.saturating_sub(1),
                select::min(fast_needs, fastest),
                fast,
            ),
            observed.saturating_sub(late),
            slow,
        );
        let hi = select::select(
            select::select(fastest.saturating_add(1), fastest, fast),
            observed,
            slow,
        );
        self.clamp_drift(select::clamp(kept, lo, hi))
    }

    pub(super) fn clamp_drift(&self, drift: i64) -> i64 {
        let max = i64::from(self.policy.max_drift_steps());
        select::clamp(drift, max.saturating_neg(), max)
    }
}

/// `step - expected` as i64, saturating. Without a branch on the steps (it runs on
/// the matched step): the wrapped difference is right unless its sign disagrees
/// with the borrow, and then the borrow says which end it passed.
pub(super) fn offset(step: u64, expected: u64) -> i64 {
    let wrapped = step.wrapping_sub(expected).cast_signed();
    let borrow = step.ct_lt(&expected);
    let fits = !(borrow ^ select::lt(wrapped, 0));
    select::select(select::select(i64::MAX, i64::MIN, borrow), wrapped, fits)
}

#[cfg(test)]
mod tests {
    use super::offset;
    use crate::verifier::{MAX_DRIFT_STEPS, MAX_SIGN_IN_STEPS, Policy, Verifier};
    use crate::{Hotp, Secret, Window};
    use proptest::prelude::*;

    fn verifier(behind: u32, ahead: u32, max_drift: u32) -> Verifier {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        let policy = Policy::default()
            .with_window_steps(behind, ahead)
            .unwrap()
            .with_max_drift_steps(max_drift)
            .unwrap();
        Verifier::hotp(
            Hotp::new(&secret, Default::default(), Default::default()),
            policy,
        )
    }

    /// The drift rule with one branch per case, on `observed` and on `old`: the plain
    /// statement of what the branch-free `learn_drift` must compute.
    fn reference_learn_drift(window: Window, max_drift: u32, old: i64, observed: i64) -> i64 {
        let max = i64::from(max_drift);
        let clamp_drift = |d: i64| d.clamp(-max, max);
        let late = i64::from(window.behind().saturating_sub(1));
        let (lo, hi) = if observed > 0 {
            let fastest = observed.saturating_add(late);
            let reach = fastest
                .saturating_add(1)
                .saturating_sub(i64::from(window.ahead()));
            (reach.min(fastest), fastest)
        } else if observed < late.saturating_neg() {
            (observed.saturating_sub(late), observed)
        } else {
            let behind = i64::from(window.behind());
            let fast_needs = observed
                .saturating_add(late)
                .saturating_add(1)
                .saturating_sub(i64::from(window.ahead()));
            let slow_needs = observed
                .saturating_add(behind)
                .saturating_sub(late)
                .saturating_sub(2);
            let decayed = if old > 0 {
                old.saturating_sub(1).max(fast_needs.min(old))
            } else if old < 0 {
                old.saturating_add(1).min(slow_needs.max(old))
            } else {
                0
            };
            return clamp_drift(decayed.clamp(
                observed.saturating_sub(1),
                observed.saturating_add(late).saturating_add(1),
            ));
        };
        clamp_drift(old.clamp(lo, hi))
    }

    /// Every valid window, the smallest and largest drift bounds and one between,
    /// every old drift and offset within ±(MAX_DRIFT_STEPS + 12), and the ends of i64.
    /// (Under Miri, which interprets every step, the edges of each range only: the
    /// 4.3 million cases take about 12 s natively and would take hours there.)
    #[test]
    fn learn_drift_is_the_branching_rule_exhaustively() {
        let far = if cfg!(miri) {
            3
        } else {
            i64::from(MAX_DRIFT_STEPS) + 12
        };
        let ends = [i64::MIN, i64::MIN + 1, i64::MAX - 1, i64::MAX];
        let values = || (-far..=far).chain(ends);
        let sides = || {
            (0..=MAX_SIGN_IN_STEPS).filter(|s| !cfg!(miri) || *s <= 1 || *s == MAX_SIGN_IN_STEPS)
        };
        for behind in sides() {
            for ahead in sides() {
                for max_drift in [0, 2, MAX_DRIFT_STEPS] {
                    let v = verifier(behind, ahead, max_drift);
                    let window = Window::new(behind, ahead).unwrap();
                    for old in values() {
                        for observed in values() {
                            assert_eq!(
                                v.learn_drift(old, observed),
                                reference_learn_drift(window, max_drift, old, observed),
                                "window {behind}/{ahead}, max {max_drift}, old {old}, observed {observed}"
                            );
                        }
                    }
                }
            }
        }
    }

    proptest! {
        // No failure file: Miri's isolation refuses the working directory proptest
        // would resolve it against; fewer cases there, where each is interpreted.
        #![proptest_config(ProptestConfig {
            failure_persistence: None,
            cases: if cfg!(miri) { 8 } else { 256 },
            ..ProptestConfig::default()
        })]

        /// The same over the whole input space: any window, drift bound, old drift
        /// and offset (i64), near zero and far from it.
        #[test]
        fn learn_drift_is_the_branching_rule(
            behind in 0..=MAX_SIGN_IN_STEPS,
            ahead in 0..=MAX_SIGN_IN_STEPS,
            max_drift in 0..=MAX_DRIFT_STEPS,
            old in prop_oneof![any::<i64>(), -100i64..=100],
            observed in prop_oneof![any::<i64>(), -100i64..=100],
        ) {
            let v = verifier(behind, ahead, max_drift);
            prop_assert_eq!(
                v.learn_drift(old, observed),
                reference_learn_drift(Window::new(behind, ahead).unwrap(), max_drift, old, observed)
            );
        }

        /// `offset` is the exact difference, saturated to i64.
        #[test]
        fn offset_is_the_difference_saturated(step in any::<u64>(), expected in any::<u64>()) {
            let diff = i128::from(step) - i128::from(expected);
            let want = diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
            prop_assert_eq!(i128::from(offset(step, expected)), want);
        }
    }

    #[test]
    fn offset_is_the_signed_difference_saturating_at_both_ends() {
        assert_eq!(offset(10, 7), 3);
        assert_eq!(offset(7, 10), -3);
        assert_eq!(offset(5, 5), 0);
        // Past i64 in either direction it saturates instead of wrapping.
        assert_eq!(offset(u64::MAX, 0), i64::MAX);
        assert_eq!(offset(0, u64::MAX), i64::MIN);
        // The last differences that still fit are exact.
        assert_eq!(offset(i64::MAX as u64, 0), i64::MAX);
        assert_eq!(offset(0, i64::MAX as u64), -i64::MAX);
        assert_eq!(offset(0, i64::MAX as u64 + 1), i64::MIN);
        assert_eq!(offset(0, i64::MAX as u64 + 2), i64::MIN);
    }
}
