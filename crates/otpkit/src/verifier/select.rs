//! Signed comparisons and `min`/`max`/`clamp` without a data-dependent branch, for
//! the arithmetic that follows an accepted code (the drift update, the offset of the
//! matched step): built on `subtle`'s unsigned `ConstantTimeLess` and its
//! `ConditionallySelectable`, the same selection the scan uses.

use subtle::{Choice, ConditionallySelectable, ConstantTimeLess};

/// Flipping the sign bit maps `i64`'s order onto `u64`'s.
const SIGN: u64 = 1 << 63;

/// `a < b`, as a `Choice`.
pub(super) fn lt(a: i64, b: i64) -> Choice {
    (a.cast_unsigned() ^ SIGN).ct_lt(&(b.cast_unsigned() ^ SIGN))
}

/// `b` if `choice`, else `a`.
pub(super) fn select(a: i64, b: i64, choice: Choice) -> i64 {
    i64::conditional_select(&a, &b, choice)
}

/// The smaller of `a` and `b`.
pub(super) fn min(a: i64, b: i64) -> i64 {
    select(a, b, lt(b, a))
}

/// The larger of `a` and `b`.
pub(super) fn max(a: i64, b: i64) -> i64 {
    select(a, b, lt(a, b))
}

/// `x` limited to `lo ..= hi` (as `Ord::clamp` for `lo <= hi`, which callers ensure).
pub(super) fn clamp(x: i64, lo: i64, hi: i64) -> i64 {
    min(max(x, lo), hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGES: [i64; 11] = [
        i64::MIN,
        i64::MIN + 1,
        -41,
        -2,
        -1,
        0,
        1,
        2,
        40,
        i64::MAX - 1,
        i64::MAX,
    ];

    #[test]
    fn match_the_ordinary_operators_at_the_edges() {
        for a in EDGES {
            for b in EDGES {
                assert_eq!(bool::from(lt(a, b)), a < b, "{a} < {b}");
                assert_eq!(min(a, b), a.min(b), "min({a}, {b})");
                assert_eq!(max(a, b), a.max(b), "max({a}, {b})");
                assert_eq!(select(a, b, Choice::from(0)), a);
                assert_eq!(select(a, b, Choice::from(1)), b);
                for c in EDGES {
                    let (lo, hi) = (b.min(c), b.max(c));
                    assert_eq!(clamp(a, lo, hi), a.clamp(lo, hi), "clamp({a}, {lo}, {hi})");
                }
            }
        }
    }
}
