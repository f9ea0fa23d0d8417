//! A terminal authenticator: the phone app's job in a loop. Shows the current code
//! and how long it stays valid, then waits for the next one.

use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use otpkit::otpauth::{Account, UriError};
use otpkit::{Generator, LengthPolicy, Secret, SecretError, TimeError, Totp};

/// One account in the app.
pub struct App {
    label: String,
    generator: Generator,
}

/// One displayed code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// The code.
    pub code: String,
    /// Seconds until the next code (time-based accounts).
    pub seconds_left: Option<u64>,
    /// The counter the code is for (HOTP).
    pub counter: Option<u64>,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)?;
        if let Some(left) = self.seconds_left {
            write!(f, "  ({left:>2} s left)")?;
        }
        if let Some(counter) = self.counter {
            write!(f, "  (counter {counter})")?;
        }
        Ok(())
    }
}

/// Why the account could not be added.
#[derive(Debug)]
pub enum AddError {
    /// The URI is not a usable `otpauth://` URI.
    Uri(UriError),
    /// The secret is not valid Base32.
    Secret(SecretError),
    /// An mOTP or Yandex account whose URI has no PIN.
    PinRequired(otpkit::otpauth::PinRequired),
}

impl fmt::Display for AddError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddError::Uri(e) => write!(f, "invalid otpauth URI: {e}"),
            AddError::Secret(e) => write!(f, "invalid secret: {e}"),
            AddError::PinRequired(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AddError {}

impl App {
    /// Adds an account from its QR code's `otpauth://` URI.
    pub fn from_uri(uri: &str) -> Result<Self, AddError> {
        let account = Account::parse(uri).map_err(AddError::Uri)?.account;
        Ok(App {
            label: account.label(),
            generator: account.generator().map_err(AddError::PinRequired)?,
        })
    }

    /// Adds a TOTP account (SHA-1, 6 digits, 30 s) from a typed Base32 key; short
    /// (80-bit) keys are accepted, as apps do.
    pub fn from_secret(base32: &str) -> Result<Self, AddError> {
        let secret =
            Secret::from_base32_with(base32, LengthPolicy::AllowShort).map_err(AddError::Secret)?;
        Ok(App {
            label: "(manual entry)".to_owned(),
            generator: Generator::Totp(Totp::from_secret(&secret)),
        })
    }

    /// The account's name as shown.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The code at `now`. For HOTP each call shows the next counter's code, like
    /// pressing the app's refresh button.
    pub fn show(&mut self, now: u64) -> Result<Shown, TimeError> {
        let shown = Shown {
            code: self.generator.code_at(now)?.to_string(),
            seconds_left: self.generator.seconds_left(now)?,
            counter: self.generator.counter(),
        };
        self.generator.advance();
        Ok(shown)
    }
}

/// Where the time comes from.
pub trait Clock {
    /// Unix seconds.
    fn now(&mut self) -> Result<u64, TimeError>;
    /// Waits `seconds`.
    fn sleep(&mut self, seconds: u64);
}

/// The system clock and real sleeping.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&mut self) -> Result<u64, TimeError> {
        otpkit::unix_now()
    }

    fn sleep(&mut self, seconds: u64) {
        std::thread::sleep(Duration::from_secs(seconds));
    }
}

/// A clock that starts at a given time and jumps forward instead of sleeping.
pub struct SimulatedClock(pub u64);

impl Clock for SimulatedClock {
    fn now(&mut self) -> Result<u64, TimeError> {
        Ok(self.0)
    }

    fn sleep(&mut self, seconds: u64) {
        self.0 = self.0.saturating_add(seconds);
    }
}

/// Shows `count` codes (forever with `None`), one line each, waiting for each new
/// code.
pub fn run(
    app: &mut App,
    count: Option<u64>,
    clock: &mut dyn Clock,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut shown: u64 = 0;
    loop {
        let now = clock.now().map_err(io::Error::other)?;
        let line = app.show(now).map_err(io::Error::other)?;
        writeln!(out, "{}  {line}", app.label())?;
        out.flush()?;
        shown = shown.saturating_add(1);
        if count.is_some_and(|c| shown >= c) {
            return Ok(());
        }
        // TOTP: wait for the next step. HOTP: a new code is one press away.
        clock.sleep(line.seconds_left.unwrap_or(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_URI: &str = "otpauth://totp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example&digits=8";

    #[test]
    fn totp_lines_follow_the_clock() {
        let mut app = App::from_uri(RFC_URI).unwrap();
        let mut out = Vec::new();
        // RFC 6238: 94287082 at 59 s, 07081804 at 1111111109 s.
        run(&mut app, Some(1), &mut SimulatedClock(59), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Example:alice  94287082  ( 1 s left)\n"
        );
        let mut out = Vec::new();
        run(&mut app, Some(3), &mut SimulatedClock(1111111109), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "Example:alice  07081804  ( 1 s left)");
        // Each following line is a new step, shown at its start.
        assert!(lines[1].ends_with("(30 s left)"), "{}", lines[1]);
        assert_ne!(lines[1], lines[2]);
    }

    #[test]
    fn hotp_counts_up_and_steam_shows_five_characters() {
        let mut app =
            App::from_uri("otpauth://hotp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=0")
                .unwrap();
        let codes: Vec<String> = (0..3).map(|_| app.show(0).unwrap().code).collect();
        assert_eq!(codes, ["755224", "287082", "359152"]);
        let mut steam = App::from_uri(
            "otpauth://totp/Steam:gabe?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Steam",
        )
        .unwrap();
        let shown = steam.show(1_700_000_000).unwrap();
        assert_eq!(shown.code.len(), 5);
        assert_eq!(shown.seconds_left, Some(10));
    }

    #[test]
    fn manual_key_and_errors() {
        let mut app = App::from_secret("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
        assert_eq!(app.show(59).unwrap().code, "287082");
        assert!(matches!(App::from_secret("0000"), Err(AddError::Secret(_))));
        assert!(matches!(App::from_uri("http://x"), Err(AddError::Uri(_))));
    }
}
