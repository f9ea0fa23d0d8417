//! A one-time code: what an authenticator shows and what a user types back.

use core::fmt;

use subtle::ConstantTimeEq;

use crate::Digits;

/// A code of 6 to 10 decimal digits.
///
/// It displays zero-padded (`{}`), compares in constant time, and its `Debug` is
/// redacted: a code is a live credential for its period, so it should reach a log
/// only when someone writes it there on purpose.
///
/// ```
/// use otpkit::{Code, Digits};
/// let typed = Code::parse(" 012 345 ", Digits::SIX)?;
/// assert_eq!(typed.to_string(), "012345");
/// assert_eq!(format!("{typed:?}"), "Code { digits: 6, .. }");
/// # Ok::<(), otpkit::CodeError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Code {
    value: u64,
    digits: Digits,
}

impl Code {
    pub(crate) const fn new(value: u64, digits: Digits) -> Self {
        Code { value, digits }
    }

    /// Reads a code as people type it: ASCII digits, optionally surrounded by
    /// whitespace and with one space between two digits (apps show "123 456").
    /// Anything else — a wrong count, letters, full-width or other non-ASCII digits —
    /// is an error.
    ///
    /// ```
    /// use otpkit::{Code, CodeError, Digits};
    /// assert!(Code::parse("123456", Digits::SIX).is_ok());
    /// assert!(Code::parse("\t123 456\n", Digits::SIX).is_ok());
    /// assert_eq!(Code::parse("12345", Digits::SIX).unwrap_err(),
    ///            CodeError::WrongLength { expected: 6, got: 5 });
    /// assert_eq!(Code::parse("12345６", Digits::SIX).unwrap_err(),
    ///            CodeError::InvalidCharacter { position: 6 });
    /// ```
    pub fn parse(input: &str, digits: Digits) -> Result<Self, CodeError> {
        // The usual input, exactly `digits` ASCII digits, read in one pass over the
        // bytes: the general reader below decodes characters and trims Unicode
        // whitespace, which costs more than the rest of a verification's own work
        // around its hash computations (docs/benchmarks.md, "Floor"). Both give the
        // same value for such input (tested). Which reader runs depends only on the
        // typed text's form, never on a secret.
        let bytes = input.as_bytes();
        let exact = match digits.get() {
            6 => ascii_digits::<6>(bytes),
            7 => ascii_digits::<7>(bytes),
            8 => ascii_digits::<8>(bytes),
            9 => ascii_digits::<9>(bytes),
            // `Digits` holds 6..=10 only: this arm is 10 digits.
            _ => ascii_digits::<10>(bytes),
        };
        match exact {
            Some(value) => Ok(Code { value, digits }),
            None => Self::parse_typed(input, digits),
        }
    }

    /// [`Code::parse`] for any input: characters decoded, whitespace trimmed, one
    /// inner space allowed, and every error's position or count.
    ///
    /// Kept out of line so that [`Code::parse`]'s exact-digits path stays a small
    /// function that needs no saved registers or stack frame of its own.
    #[cold]
    #[inline(never)]
    fn parse_typed(input: &str, digits: Digits) -> Result<Self, CodeError> {
        let leading = input.len().saturating_sub(input.trim_start().len());
        let offset = input.get(..leading).map_or(0, |s| s.chars().count());
        let mut value: u64 = 0;
        let mut count: usize = 0;
        let mut space_used = false;
        let mut previous_was_digit = false;
        let mut chars = input.trim().chars().enumerate().peekable();
        while let Some((index, ch)) = chars.next() {
            let position = offset.saturating_add(index).saturating_add(1);
            // `to_digit(10)` is `Some` for the ASCII digits only, not for other scripts'.
            match (ch, ch.to_digit(10)) {
                (_, Some(digit)) => {
                    if count < usize::from(Digits::MAX) {
                        value = value.saturating_mul(10).saturating_add(u64::from(digit));
                    }
                    count = count.saturating_add(1);
                    previous_was_digit = true;
                }
                (' ', None)
                    if previous_was_digit
                        && !space_used
                        && chars.peek().is_some_and(|(_, c)| c.is_ascii_digit()) =>
                {
                    space_used = true;
                    previous_was_digit = false;
                }
                _ => return Err(CodeError::InvalidCharacter { position }),
            }
        }
        if count != usize::from(digits.get()) {
            return Err(CodeError::WrongLength {
                expected: digits.get(),
                got: count,
            });
        }
        Ok(Code { value, digits })
    }

    /// The code as a number (leading zeros are in [`Code::digits`]).
    ///
    /// ```
    /// let c = otpkit::Code::parse("000042", otpkit::Digits::SIX)?;
    /// assert_eq!(c.value(), 42);
    /// # Ok::<(), otpkit::CodeError>(())
    /// ```
    pub const fn value(&self) -> u64 {
        self.value
    }

    /// How many digits the code has.
    ///
    /// ```
    /// let c = otpkit::Code::parse("00000042", otpkit::Digits::EIGHT)?;
    /// assert_eq!(c.digits(), otpkit::Digits::EIGHT);
    /// # Ok::<(), otpkit::CodeError>(())
    /// ```
    pub const fn digits(&self) -> Digits {
        self.digits
    }
}

/// The value of `bytes` if they are exactly `N` ASCII digits, else `None`: one pass
/// over a fixed-length array (unrolled by the compiler), each byte's distance from
/// `'0'` taken as its digit and checked to be below 10.
fn ascii_digits<const N: usize>(bytes: &[u8]) -> Option<u64> {
    let bytes: &[u8; N] = bytes.try_into().ok()?;
    let mut value = 0u64;
    let mut all_digits = true;
    for &byte in bytes {
        let digit = byte.wrapping_sub(b'0');
        all_digits &= digit < 10;
        value = value.wrapping_mul(10).wrapping_add(u64::from(digit));
    }
    all_digits.then_some(value)
}

impl ConstantTimeEq for Code {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.value.ct_eq(&other.value) & self.digits.get().ct_eq(&other.digits.get())
    }
}

impl PartialEq for Code {
    /// Constant time, so comparing a computed code with a typed one leaks nothing.
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Code {}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl Code {
    /// The code as the text an authenticator shows: its zero-padded decimal digits,
    /// in a buffer on the stack. `Display` writes this text; a binding copies it into
    /// its language's string without the formatting machinery or a heap `String`.
    ///
    /// ```
    /// let c = otpkit::Code::parse("012345", otpkit::Digits::SIX)?;
    /// assert_eq!(c.text().as_str(), "012345");
    /// # Ok::<(), otpkit::CodeError>(())
    /// ```
    pub fn text(&self) -> CodeText {
        let len = self.digits.get();
        let mut ascii = [b'0'; Digits::MAX as usize];
        let mut value = self.value;
        for byte in ascii.iter_mut().take(usize::from(len)).rev() {
            // `value % 10` is below 10, so the `|` adds it to b'0' (0x30).
            #[allow(clippy::cast_possible_truncation)]
            let digit = (value % 10) as u8;
            *byte = b'0' | digit;
            value /= 10;
        }
        CodeText { ascii, len }
    }
}

/// A [`Code`]'s zero-padded decimal digits ([`Code::text`]). Its `Debug` is
/// redacted, like the code's.
#[derive(Clone, Copy)]
pub struct CodeText {
    ascii: [u8; Digits::MAX as usize],
    len: u8,
}

impl CodeText {
    /// The digits, as many as the code has, leading zeros included.
    pub fn as_str(&self) -> &str {
        // `len` is at most `Digits::MAX` and every byte an ASCII digit, so neither
        // `get` nor `from_utf8` can fail; the fallbacks only satisfy the types.
        let ascii = self.ascii.get(..usize::from(self.len)).unwrap_or_default();
        core::str::from_utf8(ascii).unwrap_or_default()
    }
}

impl fmt::Debug for CodeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeText")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Code")
            .field("digits", &self.digits.get())
            .finish_non_exhaustive()
    }
}

/// Why typed text is not a code. Messages never repeat what was typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeError {
    /// The text has a different number of digits than the account uses.
    WrongLength {
        /// The account's digit count.
        expected: u8,
        /// How many digits were typed.
        got: usize,
    },
    /// A character that is not an ASCII digit, surrounding whitespace or one
    /// separating space.
    InvalidCharacter {
        /// 1-based position of the character, counted in characters.
        position: usize,
    },
}

impl fmt::Display for CodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeError::WrongLength { expected, got } => {
                write!(f, "the code must have {expected} digits, got {got}")
            }
            CodeError::InvalidCharacter { position } => write!(
                f,
                "the code has a character other than the digits 0-9 at position {position}"
            ),
        }
    }
}

impl core::error::Error for CodeError {}

impl CodeError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        match self {
            CodeError::WrongLength { .. } | CodeError::InvalidCharacter { .. } => {
                crate::ErrorCode::CodeMalformed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    #[test]
    fn text_is_the_zero_padded_digits_and_its_debug_is_redacted() {
        for (text, n) in [
            ("000000", 6),
            ("000042", 6),
            ("287082", 6),
            ("999999", 6),
            ("0000000", 7),
            ("00000001", 8),
            ("94287082", 8),
            ("0123456789", 10),
            ("9999999999", 10),
        ] {
            let code = Code::parse(text, Digits::new(n).unwrap()).unwrap();
            assert_eq!(code.text().as_str(), text);
            assert_eq!(std::format!("{code}"), text);
        }
        let code = Code::parse("012345", Digits::SIX).unwrap();
        assert_eq!(std::format!("{:?}", code.text()), "CodeText { len: 6, .. }");
    }
    use std::string::ToString;

    fn six(s: &str) -> Result<u64, CodeError> {
        Code::parse(s, Digits::SIX).map(|c| c.value())
    }

    #[test]
    fn plain_digits_read_as_the_general_reader_reads_them() {
        // Every length around every code length, with leading zeros and nines.
        for n in Digits::MIN..=Digits::MAX {
            let digits = Digits::new(n).unwrap();
            for len in 1..=12usize {
                for fill in [b'0', b'9', b'5'] {
                    let mut text = std::vec![fill; len];
                    text[len - 1] = b'7';
                    text[0] = b'1';
                    let text = core::str::from_utf8(&text).unwrap();
                    let fast = Code::parse(text, digits);
                    let general = Code::parse_typed(text, digits);
                    assert_eq!(
                        fast.map(|c| (c.value(), c.digits())),
                        general.map(|c| (c.value(), c.digits())),
                        "{text:?} as {n} digits"
                    );
                }
            }
        }
        assert_eq!(
            Code::parse("0123456789", Digits::new(10).unwrap())
                .unwrap()
                .value(),
            123_456_789
        );
        assert_eq!(Code::parse("000000", Digits::SIX).unwrap().value(), 0);
    }

    #[test]
    fn accepted_forms() {
        for s in [
            "123456",
            " 123456",
            "123456 ",
            "\t123456\r\n",
            "123 456",
            "12 3456",
            " 123 456 ",
        ] {
            assert_eq!(six(s), Ok(123456), "{s:?}");
        }
        assert_eq!(six("000000"), Ok(0));
    }

    #[test]
    fn rejected_forms() {
        use CodeError::*;
        for (s, e) in [
            (
                "",
                WrongLength {
                    expected: 6,
                    got: 0,
                },
            ),
            (
                "12345",
                WrongLength {
                    expected: 6,
                    got: 5,
                },
            ),
            (
                "1234567",
                WrongLength {
                    expected: 6,
                    got: 7,
                },
            ),
            ("123  456", InvalidCharacter { position: 4 }),
            ("12 34 56", InvalidCharacter { position: 6 }),
            ("123-456", InvalidCharacter { position: 4 }),
            ("12345a", InvalidCharacter { position: 6 }),
            ("１２３４５６", InvalidCharacter { position: 1 }),
            ("12345٦", InvalidCharacter { position: 6 }),
            ("+123456", InvalidCharacter { position: 1 }),
            (
                "123456 7",
                WrongLength {
                    expected: 6,
                    got: 7,
                },
            ),
            ("  12345x", InvalidCharacter { position: 8 }),
        ] {
            assert_eq!(six(s), Err(e), "{s:?}");
        }
    }

    #[test]
    fn very_long_input_does_not_overflow() {
        let s = "9".repeat(1000);
        assert_eq!(
            six(&s),
            Err(CodeError::WrongLength {
                expected: 6,
                got: 1000
            })
        );
    }

    #[test]
    fn display_pads_every_length() {
        for n in 6..=10u8 {
            let d = Digits::new(n).unwrap();
            assert_eq!(Code::new(7, d).to_string().len(), usize::from(n));
            assert!(Code::new(7, d).to_string().ends_with('7'));
        }
    }

    #[test]
    fn equality_includes_digits() {
        assert_eq!(Code::new(5, Digits::SIX), Code::new(5, Digits::SIX));
        assert_ne!(Code::new(5, Digits::SIX), Code::new(6, Digits::SIX));
        assert_ne!(Code::new(5, Digits::SIX), Code::new(5, Digits::EIGHT));
    }
}
