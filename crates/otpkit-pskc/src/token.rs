//! One imported token ([`Token`]): its secret and parameters, the device it belongs
//! to, and how the file protected it ([`Protection`]).

use std::fmt;

use otpkit::otpauth::{Account, Kind as AccountKind};
use otpkit::verifier::DeviceState;
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp};

#[cfg(doc)]
use crate::Options;

/// The device a key belongs to (`<DeviceInfo>`), to match a token in hand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Device {
    /// `<Manufacturer>`.
    pub manufacturer: Option<String>,
    /// `<SerialNo>`.
    pub serial_number: Option<String>,
    /// `<Model>`.
    pub model: Option<String>,
}

/// HOTP or TOTP, with its moving factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// RFC 4226 HOTP.
    Hotp {
        /// The next counter value (`<Counter>`, 0 when absent).
        counter: u64,
    },
    /// RFC 6238 TOTP.
    Totp {
        /// The time step (`<TimeInterval>`, 30 s when absent).
        period: Period,
        /// T0, the Unix time steps count from (`<Time>`, 0 when absent). RFC 6030
        /// leaves `<Time>`'s meaning to the algorithm; it is read as T0 in Unix
        /// seconds, as vendor files and other importers use it (every vendor file
        /// seen has 0).
        t0: u64,
        /// The device's clock drift in steps, device minus server (`<TimeDrift>`,
        /// 0 when absent).
        drift: i64,
    },
}

/// A value the file did not give, for which the importer used the RFC default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defaulted {
    /// No `<ResponseFormat Length>`: 6 digits.
    Digits,
    /// An HOTP key without `<Counter>`: counter 0.
    Counter,
    /// A TOTP key without `<TimeInterval>`: 30 seconds.
    TimeInterval,
}

impl Defaulted {
    /// The parameter defaulted, as an `otpauth://` URI names it: `"digits"`,
    /// `"counter"`, `"period"`.
    pub const fn parameter(self) -> &'static str {
        match self {
            Defaulted::Digits => "digits",
            Defaulted::Counter => "counter",
            Defaulted::TimeInterval => "period",
        }
    }
}

/// One imported token: ready-to-use secret and parameters plus what identifies it.
/// Its `Debug` never shows the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The key's `Id` attribute.
    pub key_id: Option<String>,
    /// The device it belongs to.
    pub device: Device,
    /// `<Issuer>`.
    pub issuer: Option<String>,
    /// `<FriendlyName>`.
    pub friendly_name: Option<String>,
    /// `<UserId>` of the key (or of its device).
    pub user_id: Option<String>,
    /// The shared secret.
    pub secret: Secret,
    /// The HMAC hash (`<Suite>`, SHA-1 when absent).
    pub algorithm: Algorithm,
    /// The code length.
    pub digits: Digits,
    /// HOTP or TOTP.
    pub kind: Kind,
    /// Values the file left out and the importer defaulted.
    pub defaulted: Vec<Defaulted>,
    /// How the file protected the token's values: check it for
    /// [`Protection::NotIntegrityProtected`] when
    /// [`Options::allow_unauthenticated_encryption`] is set.
    pub protection: Protection,
}

impl Token {
    /// The TOTP generator (with T0), for a TOTP token.
    pub fn totp(&self) -> Option<Totp> {
        match self.kind {
            Kind::Totp { period, t0, .. } => {
                Some(Totp::new(&self.secret, self.algorithm, self.digits, period).with_t0(t0))
            }
            Kind::Hotp { .. } => None,
        }
    }

    /// The HOTP generator and next counter, for an HOTP token.
    pub fn hotp(&self) -> Option<(Hotp, u64)> {
        match self.kind {
            Kind::Hotp { counter } => Some((
                Hotp::new(&self.secret, self.algorithm, self.digits),
                counter,
            )),
            Kind::Totp { .. } => None,
        }
    }

    /// A verifier state to start from: HOTP at the file's counter; TOTP with its
    /// drift and no step used yet.
    pub fn device_state(&self) -> DeviceState {
        match self.kind {
            Kind::Hotp { counter } => DeviceState::hotp_at(counter),
            Kind::Totp { drift, .. } => {
                DeviceState::from_parts(otpkit::verifier::DeviceKind::Totp, 0, drift, 0, 0)
            }
        }
    }

    /// As an otpauth [`Account`] (issuer, name = serial number, or key id). T0 and
    /// drift have no place there; use [`Token::totp`] and [`Token::device_state`].
    pub fn to_account(&self) -> Account {
        let name = self
            .device
            .serial_number
            .clone()
            .or_else(|| self.key_id.clone())
            .unwrap_or_default();
        Account {
            issuer: self.issuer.clone(),
            name,
            secret: self.secret.clone(),
            algorithm: self.algorithm,
            digits: self.digits,
            kind: match self.kind {
                Kind::Hotp { counter } => AccountKind::Hotp { counter },
                Kind::Totp { period, .. } => AccountKind::Totp { period },
            },
            pin: None,
            extra: Vec::new(),
        }
    }
}

/// How the file protected a token's values on their way to you.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// Nothing was encrypted: the values were in the clear (`<PlainValue>`), in a
    /// file without a MAC method, opened without a key or password.
    InTheClear,
    /// Encrypted, and every encrypted value matched its `<ValueMAC>` (RFC 6030
    /// §6.1.1). Values in the clear, such as a counter, carry no MAC in PSKC.
    MacChecked,
    /// Encrypted in a file without a MAC (no `<MACMethod>`), imported only because
    /// [`Options::allow_unauthenticated_encryption`] was set: not integrity-protected.
    /// AES-CBC alone lets whoever altered the file change the secret unnoticed (a
    /// wrong key is still caught, about 255 times in 256, by the padding check).
    NotIntegrityProtected,
}

impl Protection {
    /// Whether a MAC showed that the encrypted values were not altered.
    pub fn is_integrity_protected(self) -> bool {
        match self {
            Protection::MacChecked => true,
            Protection::InTheClear | Protection::NotIntegrityProtected => false,
        }
    }

    /// The weaker of two values' protections, for a token read from several: one
    /// value without a MAC makes the token not integrity-protected; values in the
    /// clear leave an encrypted one's protection as it is.
    pub(crate) fn and(self, other: Protection) -> Protection {
        match (self, other) {
            (Protection::NotIntegrityProtected, _) | (_, Protection::NotIntegrityProtected) => {
                Protection::NotIntegrityProtected
            }
            (Protection::MacChecked, _) | (_, Protection::MacChecked) => Protection::MacChecked,
            (Protection::InTheClear, Protection::InTheClear) => Protection::InTheClear,
        }
    }
}

impl fmt::Display for Protection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protection::InTheClear => "in the clear",
            Protection::MacChecked => "encrypted, MAC checked",
            Protection::NotIntegrityProtected => {
                "not integrity-protected: encrypted without a MAC, so an altered file could \
                 have changed the secret unnoticed"
            }
        })
    }
}
