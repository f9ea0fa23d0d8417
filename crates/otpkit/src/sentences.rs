//! How results read: `Display` for an outcome or error type from one table, a
//! sentence per variant — a string, `format_args!`, or any `Display` value (the
//! error a variant carries, or another type's sentence where two say the same) —
//! and, for an error that wraps another, its `Error::source` from a second table.

/// `impl Display for $type` from `pattern => sentence` rows; with a `caused by`
/// table (`pattern => Some(inner)` or `None`), also `impl Error` with that source.
macro_rules! sentences {
    (
        $type:ty { $($variant:pat => $sentence:expr,)+ }
        caused by { $($cause_variant:pat => $cause:expr,)+ }
    ) => {
        $crate::sentences::sentences! { $type { $($variant => $sentence,)+ } }

        impl core::error::Error for $type {
            fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
                match self {
                    $($cause_variant => $cause,)+
                }
            }
        }
    };
    ($type:ty { $($variant:pat => $sentence:expr,)+ }) => {
        impl core::fmt::Display for $type {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self {
                    $($variant => core::fmt::Display::fmt(&$sentence, f),)+
                }
            }
        }
    };
}
pub(crate) use sentences;
