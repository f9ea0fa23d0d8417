//! The account an `otpauth://` URI describes, and its label.

use alloc::string::String;
use alloc::vec::Vec;

use crate::motp::Motp;
use crate::steam::SteamGuard;
use crate::yandex::Yandex;
use crate::{Algorithm, Digits, Generator, Hotp, Period, Pin, Secret, Totp};

/// One OTP account: what an `otpauth://` URI describes.
///
/// `Debug` shows the secret's length only (see [`Secret`]) and nothing of the PIN
/// (see [`Pin`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Who issued the account (the service), from `issuer=` or the label's prefix.
    /// `None` and `Some("")` both mean no issuer.
    pub issuer: Option<String>,
    /// The account name: the label after the issuer prefix, usually a user name or
    /// e-mail address. Leading spaces are not kept (the label format allows spaces
    /// after the `:` separator).
    pub name: String,
    /// The shared secret.
    pub secret: Secret,
    /// The HMAC hash. Always SHA-1 for [`Kind::Steam`]; not used by [`Kind::Motp`]
    /// (MD5) or [`Kind::Yandex`] (SHA-256).
    pub algorithm: Algorithm,
    /// The code length. Not used by [`Kind::Steam`] (always five characters),
    /// [`Kind::Motp`] (six hex digits) or [`Kind::Yandex`] (eight letters).
    pub digits: Digits,
    /// Time- or counter-based, and the period or counter.
    pub kind: Kind,
    /// The PIN that [`Kind::Motp`] and [`Kind::Yandex`] codes need beside the secret
    /// (`None` when the source did not carry it: the user must type it before codes
    /// can be shown). Always `None` for the other kinds, which have no PIN.
    pub pin: Option<Pin>,
    /// Parameters this library does not interpret (`image`, `icon`, `color`, …), in
    /// order, names as written and values percent-decoded. [`Account::to_uri`] writes
    /// them back, except any whose name is one of the parameters read here (an
    /// `encoder` other than `steam` is kept and written back).
    pub extra: Vec<(String, String)>,
}

/// What kind of one-time password an account produces.
///
/// Exhaustive, like every public enum of the workspace: code that shows, stores or
/// exports an account must decide what to do with each kind, and the compiler points
/// out every `match` when a kind is added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// RFC 6238 TOTP (`otpauth://totp/`).
    Totp {
        /// The time step (`period=`, 30 seconds by default).
        period: Period,
    },
    /// RFC 4226 HOTP (`otpauth://hotp/`).
    Hotp {
        /// The counter of the next code (`counter=`, required).
        counter: u64,
    },
    /// Steam Guard: `otpauth://totp/` with `issuer=Steam` or `encoder=steam`, or
    /// `otpauth://steam/` (Aegis). Five characters, HMAC-SHA1, 30 seconds.
    Steam,
    /// Mobile-OTP (`otpauth://motp/`, Aegis): six hex digits of MD5 over the time,
    /// the secret and [`Account::pin`], every 10 seconds. See [`crate::motp`].
    Motp,
    /// Yandex Key (`otpauth://yaotp/`, Aegis): eight letters from HMAC-SHA256 keyed
    /// by the secret and [`Account::pin`], every 30 seconds. See [`crate::yandex`].
    Yandex,
}

/// [`Account::generator`] for a [`Kind::Motp`] or [`Kind::Yandex`] account without
/// [`Account::pin`]: its codes cannot be computed until the user gives the PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PinRequired;

impl core::fmt::Display for PinRequired {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("this account's codes need its PIN, which is not set")
    }
}

impl core::error::Error for PinRequired {}

impl PinRequired {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        crate::ErrorCode::PinRequired
    }
}

impl Account {
    /// An account from its parts: the one place the readers (`otpauth://`, Google
    /// Authenticator export) assemble one.
    pub(crate) fn from_parts(
        (issuer, name): (Option<String>, String),
        secret: Secret,
        (algorithm, digits, kind): (Algorithm, Digits, Kind),
        extra: Vec<(String, String)>,
    ) -> Self {
        Account {
            issuer,
            name,
            secret,
            algorithm,
            digits,
            kind,
            pin: None,
            extra,
        }
    }

    /// A new TOTP enrolment: a fresh 160-bit secret from the operating system's RNG
    /// and the defaults every authenticator app reads (HMAC-SHA1, 6 digits, 30 s).
    /// An empty `issuer` means none. The explicit form is a struct literal.
    ///
    /// ```
    /// use otpkit::otpauth::{Account, Kind};
    /// let account = Account::new_totp("Example", "alice@example.com")?;
    /// assert_eq!(account.secret.len(), 20);
    /// assert_eq!(account.kind, Kind::Totp { period: otpkit::Period::DEFAULT });
    /// assert!(account.to_uri().starts_with("otpauth://totp/Example:alice%40example.com?secret="));
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    #[cfg(feature = "getrandom")]
    #[cfg_attr(docsrs, doc(cfg(feature = "getrandom")))]
    pub fn new_totp(
        issuer: impl Into<String>,
        name: impl Into<String>,
    ) -> Result<Self, crate::SecretError> {
        Ok(Account::totp_with_secret(
            issuer,
            name,
            Secret::generate(Algorithm::Sha1)?,
        ))
    }

    /// A TOTP account for an existing `secret`, with the usual defaults (HMAC-SHA1,
    /// 6 digits, 30 s). An empty `issuer` means none.
    ///
    /// ```
    /// use otpkit::{otpauth::Account, Secret};
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// let account = Account::totp_with_secret("", "bob", secret);
    /// assert_eq!(account.issuer, None);
    /// assert_eq!(account.to_uri(), "otpauth://totp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    /// # Ok::<(), otpkit::SecretError>(())
    /// ```
    pub fn totp_with_secret(
        issuer: impl Into<String>,
        name: impl Into<String>,
        secret: Secret,
    ) -> Self {
        let issuer: String = issuer.into();
        Account {
            issuer: (!issuer.is_empty()).then_some(issuer),
            name: name.into(),
            secret,
            algorithm: Algorithm::Sha1,
            digits: Digits::SIX,
            kind: Kind::Totp {
                period: Period::DEFAULT,
            },
            pin: None,
            extra: Vec::new(),
        }
    }

    /// The account's generator, whatever its kind: the one dispatch on [`Kind`] an
    /// app needs. For HOTP it starts at the account's counter. [`PinRequired`] for an
    /// mOTP or Yandex account without its [`Account::pin`].
    ///
    /// ```
    /// let a: otpkit::otpauth::Account =
    ///     "otpauth://hotp/Example:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&counter=1".parse()?;
    /// let mut generator = a.generator()?;
    /// assert_eq!(generator.code_at(0)?.to_string(), "287082"); // RFC 4226, counter 1
    /// generator.advance();
    /// assert_eq!(generator.code_at(0)?.to_string(), "359152"); // counter 2
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn generator(&self) -> Result<Generator, PinRequired> {
        Ok(match self.kind {
            Kind::Totp { period } => {
                Generator::Totp(Totp::new(&self.secret, self.algorithm, self.digits, period))
            }
            Kind::Hotp { counter } => Generator::Hotp {
                hotp: Hotp::new(&self.secret, self.algorithm, self.digits),
                counter,
            },
            Kind::Steam => Generator::Steam(SteamGuard::new(&self.secret)),
            Kind::Motp => Generator::Motp(self.motp().ok_or(PinRequired)?),
            Kind::Yandex => Generator::Yandex(self.yandex().ok_or(PinRequired)?),
        })
    }

    /// The label as apps display it: `Issuer:name`, or `name` without an issuer.
    ///
    /// ```
    /// let a: otpkit::otpauth::Account =
    ///     "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example".parse()?;
    /// assert_eq!(a.label(), "Example:alice@google.com");
    /// # Ok::<(), otpkit::otpauth::UriError>(())
    /// ```
    pub fn label(&self) -> String {
        let mut label = String::new();
        Label::of(self).write(&mut label, Colon::AsWritten, String::push_str);
        label
    }

    /// A TOTP generator for a [`Kind::Totp`] account; `None` for other kinds.
    pub fn totp(&self) -> Option<Totp> {
        match self.kind {
            Kind::Totp { period } => {
                Some(Totp::new(&self.secret, self.algorithm, self.digits, period))
            }
            Kind::Hotp { .. } | Kind::Steam | Kind::Motp | Kind::Yandex => None,
        }
    }

    /// An HOTP generator for a [`Kind::Hotp`] account; `None` for other kinds. The
    /// next code is `hotp.code(counter)`.
    pub fn hotp(&self) -> Option<Hotp> {
        match self.kind {
            Kind::Hotp { .. } => Some(Hotp::new(&self.secret, self.algorithm, self.digits)),
            Kind::Totp { .. } | Kind::Steam | Kind::Motp | Kind::Yandex => None,
        }
    }

    /// A Steam Guard generator for a [`Kind::Steam`] account; `None` for other kinds.
    pub fn steam(&self) -> Option<SteamGuard> {
        match self.kind {
            Kind::Steam => Some(SteamGuard::new(&self.secret)),
            Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Motp | Kind::Yandex => None,
        }
    }

    /// An mOTP generator for a [`Kind::Motp`] account with its PIN; `None` for other
    /// kinds or without [`Account::pin`].
    pub fn motp(&self) -> Option<Motp> {
        match self.kind {
            Kind::Motp => self.pin.as_ref().map(|pin| Motp::new(&self.secret, pin)),
            Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Steam | Kind::Yandex => None,
        }
    }

    /// A Yandex Key generator for a [`Kind::Yandex`] account with its PIN; `None` for
    /// other kinds or without [`Account::pin`].
    pub fn yandex(&self) -> Option<Yandex> {
        match self.kind {
            Kind::Yandex => self.pin.as_ref().map(|pin| Yandex::new(&self.secret, pin)),
            Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Steam | Kind::Motp => None,
        }
    }
}

/// What to do with a `:` in the name of an account without an issuer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Colon {
    /// Show the name as it is (for people: [`Account::label`]).
    AsWritten,
    /// Write an empty issuer prefix first (`:a:b`), so that a reader splitting the
    /// label at its first `:` gets the whole name back (`otpauth://` URIs, Google
    /// Authenticator export).
    Protected,
}

/// An account's label, `Issuer:name` or `name`: the one builder behind
/// [`Account::label`], the path of [`Account::to_uri`] and the `name` field of a
/// Google Authenticator export.
pub(crate) struct Label<'a> {
    /// The issuer, if there is a non-empty one.
    pub(crate) issuer: Option<&'a str>,
    name: &'a str,
}

impl<'a> Label<'a> {
    /// The label of `account` (an empty issuer counts as none).
    pub(crate) fn of(account: &'a Account) -> Self {
        Label {
            issuer: account.issuer.as_deref().filter(|i| !i.is_empty()),
            name: &account.name,
        }
    }

    /// Appends the label to `out`, each of issuer and name through `text` (as is,
    /// or percent-encoded); the separator `:` is always written literally.
    pub(crate) fn write(&self, out: &mut String, colon: Colon, text: impl Fn(&mut String, &str)) {
        match self.issuer {
            Some(issuer) => {
                text(out, issuer);
                out.push(':');
            }
            None if colon == Colon::Protected && self.name.contains(':') => out.push(':'),
            None => {}
        }
        text(out, self.name);
    }
}
