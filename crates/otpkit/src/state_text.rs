//! The one-column text form of a stored state, shared by the verifier's
//! [`DeviceState`](crate::verifier::DeviceState) (`otpk1.…`) and the recovery
//! codes' `RecoveryState` (`otpr1.…`):
//!
//! ```text
//! <prefix><version>.<field>.<field>.….<checksum>
//! ```
//!
//! The checksum is the first [`CHECKSUM_BYTES`] of SHA-256 of everything before
//! its dot, in lowercase hex. It catches corruption (a truncated column, a value
//! from another system), not tampering. Numbers have one canonical spelling (no
//! leading zero, no `+`, no `-0`), so decoding then encoding gives the same string.
//! The stored strings are a compatibility contract: this module only frames them;
//! each state type writes and reads its own fields.
//!
//! Each state type also gets its public error enum from [`state_text_error!`] (the
//! same variants, messages naming the state) and, with the `serde` feature, its
//! `FromStr` and (with the `serde` feature) `Serialize`/`Deserialize` impls
//! from [`state_text_traits!`].

use core::fmt;

use sha2::{Digest, Sha256};

/// How many bytes of SHA-256 the checksum keeps.
const CHECKSUM_BYTES: usize = 6;
/// The checksum's length in hex characters.
const CHECKSUM_CHARS: usize = 2 * CHECKSUM_BYTES;

/// One state type's frame: its prefix, format version and longest text.
pub(crate) struct Format {
    /// `otpk`, `otpr`: what kind of state this is.
    pub(crate) prefix: &'static str,
    /// The format version this library writes and reads.
    pub(crate) version: &'static str,
    /// The longest text accepted, in bytes.
    pub(crate) max_len: usize,
}

/// Why a text is not a valid state; each state type's public error enum (made by
/// [`state_text_error!`]) has the same variants and converts from this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    TooLong { len: usize },
    NotAState,
    UnsupportedVersion,
    ChecksumMismatch,
    MissingField { field: &'static str },
    InvalidField { field: &'static str },
    TrailingFields,
}

impl Format {
    /// Writes `<prefix><version>.`, then what `fields` writes, then `.` and the
    /// checksum of all of it, to `out`; no buffer, no allocation.
    pub(crate) fn write(
        &self,
        out: &mut dyn fmt::Write,
        fields: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result,
    ) -> fmt::Result {
        let mut body = Hashed {
            out,
            hash: Sha256::new(),
        };
        fmt::Write::write_fmt(&mut body, format_args!("{}{}.", self.prefix, self.version))?;
        fields(&mut body)?;
        let Hashed { out, hash } = body;
        let digest = hash.finalize();
        let mut sum = [0u8; CHECKSUM_CHARS];
        let head = digest.get(..CHECKSUM_BYTES).ok_or(fmt::Error)?;
        data_encoding::HEXLOWER.encode_mut(head, &mut sum);
        out.write_str(".")?;
        out.write_str(core::str::from_utf8(&sum).map_err(|_| fmt::Error)?)
    }

    /// Checks the length, prefix, version and checksum of `text` and returns its
    /// fields, in order. Errors come in that order too: a text too long, then one
    /// that is not a state of this kind, of another version, then a corrupted one.
    pub(crate) fn fields<'a>(&self, text: &'a str) -> Result<Fields<'a>, Fault> {
        if text.len() > self.max_len {
            return Err(Fault::TooLong { len: text.len() });
        }
        let after_prefix = text.strip_prefix(self.prefix).ok_or(Fault::NotAState)?;
        let (version, _) = after_prefix.split_once('.').ok_or(Fault::NotAState)?;
        if version != self.version {
            return Err(
                if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) {
                    Fault::UnsupportedVersion
                } else {
                    Fault::NotAState
                },
            );
        }
        let (body, sum) = text.rsplit_once('.').ok_or(Fault::NotAState)?;
        if sum.as_bytes() != checksum(body).as_slice() {
            return Err(Fault::ChecksumMismatch);
        }
        let header = self
            .prefix
            .len()
            .saturating_add(self.version.len())
            .saturating_add(1);
        let fields = body.get(header..).ok_or(Fault::NotAState)?;
        Ok(Fields(fields.split('.')))
    }
}

/// The dot-separated fields of a state's text, read in order by name.
pub(crate) struct Fields<'a>(core::str::Split<'a, char>);

impl<'a> Fields<'a> {
    /// The next field, named `field` in errors.
    pub(crate) fn next(&mut self, field: &'static str) -> Result<&'a str, Fault> {
        self.0.next().ok_or(Fault::MissingField { field })
    }

    /// The next field as a canonical unsigned decimal.
    pub(crate) fn next_u64(&mut self, field: &'static str) -> Result<u64, Fault> {
        parse_u64(self.next(field)?, field)
    }

    /// The next field as a canonical unsigned decimal that fits a `u32`.
    pub(crate) fn next_u32(&mut self, field: &'static str) -> Result<u32, Fault> {
        u32::try_from(self.next_u64(field)?).map_err(|_| Fault::InvalidField { field })
    }

    /// The next field as a canonical signed decimal: an optional `-` before a
    /// non-zero canonical unsigned.
    pub(crate) fn next_i64(&mut self, field: &'static str) -> Result<i64, Fault> {
        let s = self.next(field)?;
        let magnitude = s.strip_prefix('-').unwrap_or(s);
        if !is_canonical(magnitude) || (s.starts_with('-') && magnitude == "0") {
            return Err(Fault::InvalidField { field });
        }
        s.parse().map_err(|_| Fault::InvalidField { field })
    }

    /// Succeeds only if every field was read.
    pub(crate) fn end(mut self) -> Result<(), Fault> {
        match self.0.next() {
            Some(_) => Err(Fault::TrailingFields),
            None => Ok(()),
        }
    }
}

/// A canonical unsigned decimal.
fn parse_u64(s: &str, field: &'static str) -> Result<u64, Fault> {
    let bad = Fault::InvalidField { field };
    if !is_canonical(s) {
        return Err(bad);
    }
    s.parse().map_err(|_| bad)
}

/// Digits only, no leading zero except "0" itself.
fn is_canonical(digits: &str) -> bool {
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
}

/// The first [`CHECKSUM_BYTES`] of SHA-256(body), lowercase hex.
fn checksum(body: &str) -> [u8; CHECKSUM_CHARS] {
    let digest = Sha256::digest(body.as_bytes());
    let mut out = [0u8; CHECKSUM_CHARS];
    if let Some(head) = digest.get(..CHECKSUM_BYTES) {
        data_encoding::HEXLOWER.encode_mut(head, &mut out);
    }
    out
}

/// Passes text through to `out` and hashes it on the way, for the checksum.
struct Hashed<'a> {
    out: &'a mut dyn fmt::Write,
    hash: Sha256,
}

impl fmt::Write for Hashed<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.hash.update(s.as_bytes());
        self.out.write_str(s)
    }
}

/// Defines a state type's public error enum: the variants of [`Fault`], documented
/// and worded for that state (`noun`: "device state"), `Display`, `Error` and the
/// conversion from [`Fault`].
macro_rules! state_text_error {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            noun: $noun:literal,
            prefix: $prefix:literal,
            max_len: $max:path $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {
            #[doc = concat!("Longer than any encoded ", $noun, " ([`", stringify!($max), "`]).")]
            TooLong {
                /// The input's length in bytes.
                len: usize,
            },
            #[doc = concat!("Does not start like an otpkit ", $noun, " (`", $prefix, "<version>.`).")]
            NotAState,
            #[doc = concat!("An otpkit ", $noun, " of a format version this library does not read.")]
            UnsupportedVersion,
            /// The checksum does not match: the string was corrupted or truncated.
            ChecksumMismatch,
            /// A field is missing.
            MissingField {
                /// The field's name.
                field: &'static str,
            },
            /// A field is not in its canonical form or out of range.
            InvalidField {
                /// The field's name.
                field: &'static str,
            },
            /// More fields than this version has.
            TrailingFields,
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self {
                    $name::TooLong { len } => write!(
                        f,
                        concat!("a ", $noun, " is at most {} bytes, got {}"),
                        $max, len
                    ),
                    $name::NotAState => f.write_str(concat!("not an otpkit ", $noun)),
                    $name::UnsupportedVersion => f.write_str(concat!(
                        "an otpkit ", $noun, " of an unsupported format version"
                    )),
                    $name::ChecksumMismatch => f.write_str(concat!(
                        "the ", $noun, " is corrupted (checksum mismatch)"
                    )),
                    $name::MissingField { field } => {
                        write!(f, concat!("the ", $noun, " lacks its {} field"), field)
                    }
                    $name::InvalidField { field } => {
                        write!(f, concat!("the ", $noun, "'s {} field is invalid"), field)
                    }
                    $name::TrailingFields => {
                        f.write_str(concat!("the ", $noun, " has extra fields"))
                    }
                }
            }
        }

        impl $name {
            /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
            #[must_use]
            pub const fn code(&self) -> $crate::ErrorCode {
                use $crate::ErrorCode as C;
                match self {
                    $name::TooLong { .. } => C::StateTooLong,
                    $name::NotAState => C::NotAState,
                    $name::UnsupportedVersion => C::StateUnsupportedVersion,
                    $name::ChecksumMismatch => C::StateChecksumMismatch,
                    $name::MissingField { .. } => C::StateMissingField,
                    $name::InvalidField { .. } => C::StateInvalidField,
                    $name::TrailingFields => C::StateTrailingFields,
                }
            }
        }

        impl core::error::Error for $name {}

        impl From<$crate::state_text::Fault> for $name {
            fn from(fault: $crate::state_text::Fault) -> Self {
                use $crate::state_text::Fault;
                match fault {
                    Fault::TooLong { len } => $name::TooLong { len },
                    Fault::NotAState => $name::NotAState,
                    Fault::UnsupportedVersion => $name::UnsupportedVersion,
                    Fault::ChecksumMismatch => $name::ChecksumMismatch,
                    Fault::MissingField { field } => $name::MissingField { field },
                    Fault::InvalidField { field } => $name::InvalidField { field },
                    Fault::TrailingFields => $name::TrailingFields,
                }
            }
        }
    };
}
pub(crate) use state_text_error;

/// `FromStr` by the state's `decode` and, with the `serde` feature, `Serialize`
/// as the text form (its `Display`) and `Deserialize` from it, a bad string being
/// an error that carries the state's error message.
macro_rules! state_text_traits {
    ($state:ident, $error:ident, $expecting:literal) => {
        impl core::str::FromStr for $state {
            type Err = $error;

            #[doc = concat!("Same as [`", stringify!($state), "::decode`].")]
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $state::decode(s)
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $state {
            /// As the text form (a string).
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $state {
            #[doc = concat!(
                                "From the text form; a bad string is an error carrying the [`",
                                stringify!($error),
                                "`] message."
                            )]
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Text;
                impl serde::de::Visitor<'_> for Text {
                    type Value = $state;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$state, E> {
                        $state::decode(v).map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Text)
            }
        }
    };
}
pub(crate) use state_text_traits;

#[cfg(test)]
mod tests {
    use super::*;

    const F: Format = Format {
        prefix: "otpx",
        version: "1",
        max_len: 64,
    };

    struct Text([u8; 64], usize);
    impl fmt::Write for Text {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            let end = self.1 + s.len();
            self.0
                .get_mut(self.1..end)
                .ok_or(fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }

    fn write(fields: &str) -> Text {
        let mut t = Text([0; 64], 0);
        F.write(&mut t, |out| out.write_str(fields)).unwrap();
        t
    }

    #[test]
    fn round_trips_and_checksums_what_comes_before_it() {
        let t = write("a.7.-3");
        let text = core::str::from_utf8(&t.0[..t.1]).unwrap();
        let (body, sum) = text.rsplit_once('.').unwrap();
        assert_eq!(body, "otpx1.a.7.-3");
        assert_eq!(sum.as_bytes(), checksum(body));
        let mut fields = F.fields(text).unwrap();
        assert_eq!(fields.next("a"), Ok("a"));
        assert_eq!(fields.next_u64("n"), Ok(7));
        assert_eq!(fields.next_i64("i"), Ok(-3));
        assert_eq!(fields.end(), Ok(()));
    }

    #[test]
    fn refuses_in_order_too_long_foreign_version_corrupt() {
        assert_eq!(
            F.fields(&"x".repeat(65)).err(),
            Some(Fault::TooLong { len: 65 })
        );
        assert_eq!(F.fields("otpk1.a.b").err(), Some(Fault::NotAState));
        assert_eq!(F.fields("otpx2.a.b").err(), Some(Fault::UnsupportedVersion));
        assert_eq!(F.fields("otpxv.a.b").err(), Some(Fault::NotAState));
        assert_eq!(
            F.fields("otpx1.a.000000000000").err(),
            Some(Fault::ChecksumMismatch)
        );
    }

    #[test]
    fn numbers_have_one_spelling() {
        let t = write("07.+1.-0.1.x");
        let text = core::str::from_utf8(&t.0[..t.1]).unwrap();
        let mut f = F.fields(text).unwrap();
        assert_eq!(f.next_u64("a"), Err(Fault::InvalidField { field: "a" }));
        assert_eq!(f.next_i64("b"), Err(Fault::InvalidField { field: "b" }));
        assert_eq!(f.next_i64("c"), Err(Fault::InvalidField { field: "c" }));
        assert_eq!(f.next_u32("d"), Ok(1));
        assert_eq!(f.end(), Err(Fault::TrailingFields));
    }
}
