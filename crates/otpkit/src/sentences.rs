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
                    // `{}` rather than passing `f` on: the sentence is written as
                    // it is, whatever width or fill the caller's format asks for.
                    $($variant => write!(f, "{}", $sentence),)+
                }
            }
        }
    };
}
pub(crate) use sentences;

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use crate::verifier::{Outcome, SignInError};
    use crate::{CodeError, TimeError, VerifyError};

    #[test]
    fn a_sentence_ignores_the_callers_width_and_fill_as_before() {
        // Before the tables, every arm wrote with `write_str`/`write!`, which
        // ignore a width: the tables must not start padding.
        assert_eq!(
            format!("{:>30}", VerifyError::Mismatch),
            "the code is not valid"
        );
        assert_eq!(
            format!("{:*<40}", Outcome::Invalid),
            "the code is not valid"
        );
        let nested = Outcome::Error(SignInError::Time(TimeError::BeforeEpoch));
        assert_eq!(format!("{:>80}", nested), format!("{nested}"));
        let malformed = VerifyError::Malformed(CodeError::WrongLength {
            expected: 6,
            got: 5,
        });
        assert_eq!(format!("{malformed:>80}"), format!("{malformed}"));
    }
}
