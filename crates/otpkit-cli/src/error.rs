//! The tool's one error type and its exit codes.
//!
//! Every failure ends as one line on stderr, `otpkit: <message>`, and one of the exit
//! codes below. Messages are built here from typed errors whose `Display` never
//! carries secret material; nothing that a user typed as a secret, code or URI is
//! ever copied into a message.

use std::fmt;
use std::process::ExitCode;

/// What went wrong, as the exit code tells a script.
///
/// | code | meaning |
/// |-----:|---------|
/// | 0 | success (for `verify` and `resync`: the code was accepted) |
/// | 1 | the code is wrong (`verify`, `resync`, `enroll`) |
/// | 2 | usage error: bad arguments, a malformed secret, URI, code or option |
/// | 3 | the code was already used (replay) |
/// | 4 | locked out after too many failed attempts; try again later |
/// | 5 | the state file (or an output file) could not be read, locked or written |
/// | 6 | `import`: some entries could not be read (the good ones were still printed); `export`: some accounts could not be carried |
/// | 7 | `import`/`export`: wrong password (or PSKC pre-shared key), or the file failed its integrity check |
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The code was not valid.
    Invalid,
    /// Bad arguments or malformed input.
    Usage,
    /// The code was already used.
    Replayed,
    /// Too many failed attempts.
    Locked,
    /// File I/O or a corrupt state file.
    State,
    /// Some import entries failed.
    Partial,
    /// A wrong password (or PSKC pre-shared key), or an encrypted file that failed its
    /// integrity check.
    Password,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Invalid => 1,
            Exit::Usage => 2,
            Exit::Replayed => 3,
            Exit::Locked => 4,
            Exit::State => 5,
            Exit::Partial => 6,
            Exit::Password => 7,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

/// A failure: an exit code and a one-line message without secret material.
#[derive(Debug)]
pub struct CliError {
    /// The exit code.
    pub exit: Exit,
    /// One line, without the `otpkit: ` prefix.
    pub message: String,
}

impl CliError {
    /// A failure of kind `exit`.
    pub fn new(exit: Exit, message: impl fmt::Display) -> Self {
        // Keep it to one line whatever the source error printed.
        let message = message
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        CliError { exit, message }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl fmt::Display) -> Self {
        CliError::new(Exit::Usage, message)
    }

    /// A state or output file error (exit 5).
    pub fn state(message: impl fmt::Display) -> Self {
        CliError::new(Exit::State, message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Writing to stdout failed (most often a closed pipe): not worth a panic.
pub fn output(e: std::io::Error) -> CliError {
    CliError::state(format_args!("cannot write the output: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_line() {
        let e = CliError::usage("first\n\n  second  \n");
        assert_eq!(e.message, "first second");
        assert_eq!(e.exit.code(), 2);
    }

    #[test]
    fn exit_codes_are_distinct() {
        let all = [
            Exit::Invalid,
            Exit::Usage,
            Exit::Replayed,
            Exit::Locked,
            Exit::State,
            Exit::Partial,
            Exit::Password,
        ];
        let mut codes: Vec<u8> = all.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(!codes.contains(&0));
    }
}
