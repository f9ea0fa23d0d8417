//! Two codes of consecutive steps (counters), found by scans whose time depends on
//! the range only: what enrolment and resynchronisation both look for.

use super::Verifier;
use crate::Code;

impl Verifier {
    /// Finds steps s, s + 1 in `lo ..= hi` matching `c1`, `c2`; returns s + 1.
    ///
    /// Two tries cover the tie rule (a code matching several steps reports the
    /// latest): the latest match of `c2` with `c1` just before it, then the latest
    /// match of `c1` with `c2` just after it. Both tries always run, each a scan of
    /// the range and a scan of one step, so the time depends on the range only.
    pub(super) fn pair(&self, c1: &Code, c2: &Code, lo: u64, hi: u64) -> Option<u64> {
        let (Some(lo2), Some(hi1)) = (lo.checked_add(1), hi.checked_sub(1)) else {
            return None;
        };
        if lo2 > hi {
            return None;
        }
        // lo < hi here, so lo2 - 1 and hi1 + 1 stay in range.
        let s2 = self.scan(c2, lo2, hi);
        let before = s2.unwrap_or(lo2).saturating_sub(1);
        let c2_then_c1 = self.scan(c1, before, before).is_some();
        let s1 = self.scan(c1, lo, hi1);
        let after = s1.unwrap_or(lo).saturating_add(1);
        let c1_then_c2 = self.scan(c2, after, after).is_some();
        match (s2, c2_then_c1, s1, c1_then_c2) {
            (Some(s2), true, _, _) => Some(s2),
            (_, _, Some(_), true) => Some(after),
            _ => None,
        }
    }
}
