#![doc = include_str!("../README.md")]
// Examples in the docs and READMEs compile without a warning.
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod aegis;
mod andotp;
mod android;
mod app_db;
mod authpro;
mod authy;
mod battlenet;
mod bitwarden;
mod crypto;
mod cxf;
mod detect;
mod duo;
mod ente;
mod error;
pub mod export;
mod freeotp;
mod freeotp_plus;
mod javaser;
mod json;
mod keepass;
mod lastpass;
pub mod migration;
mod otpauth_list;
mod otpauth_zip;
pub mod portability;

mod proton;
mod proton_pass;
pub mod qr_image;
mod secret;
mod secretstream;
mod sqlite;
mod steam;
mod totp_authenticator;
mod twofas;
mod zip;

use core::fmt;
use core::str::FromStr;

pub use detect::detect;
pub use error::{EntryError, EntryWarning, ImportError};
pub use otpkit::otpauth::Account;
pub use otpkit_kdf::{OverBudget, WorkBudget};
pub use secret::{LenientSecret, secret_from_base32_lenient};

/// The largest file [`import`] reads, in bytes (16 MiB). Real backups are a few
/// hundred kilobytes at most, even with icons.
pub const MAX_INPUT_LEN: usize = 16 * 1024 * 1024;

/// The most entries [`import`] reads from one file. Larger files are refused whole
/// rather than read partly.
pub const MAX_ENTRIES: usize = 10_000;

/// The file formats [`import`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text, one `otpauth://` URI per line (blank lines and `#` comments are
    /// skipped). Aegis, WinAuth and many others export this.
    OtpauthList,
    /// Google Authenticator's "Transfer accounts" QR codes: one
    /// `otpauth-migration://offline?data=…` URI per line, as scanned. URIs of one
    /// multi-QR export are assembled by [`migration::Assembler`].
    GoogleMigration,
    /// Aegis vault JSON, plain or encrypted with a password slot.
    Aegis,
    /// 2FAS backup (`.2fas`), plain or encrypted.
    TwoFas,
    /// andOTP backup: plain JSON, or encrypted (`.json.aes`, new PBKDF2 format and
    /// old SHA-256 format).
    AndOtp,
    /// Bitwarden JSON export (plain or password-protected) and the Bitwarden
    /// Authenticator app's JSON export.
    Bitwarden,
    /// FreeOTP+ JSON export.
    FreeOtpPlus,
    /// Authenticator Pro (Stratum) backup: plain JSON, encrypted (`.authpro`: the
    /// strong Argon2id + AES-GCM format and the legacy PBKDF2 + AES-CBC one), the HTML
    /// export and the app's internal SQLite database (`authenticator.db3`), told
    /// apart by their content.
    AuthenticatorPro,
    /// FIDO Alliance Credential Exchange Format 1.0 JSON: its `"totp"` credentials.
    Cxf,
    /// FreeOTP: the 1.x internal `shared_prefs` XML (`tokens.xml`), and the 2.x
    /// password-encrypted backup (`externalBackup.xml`, a Java-serialised map).
    FreeOtp,
    /// Authy for Android's internal `shared_prefs` XML
    /// (`com.authy.storage.tokens.authenticator.xml`), with plain secrets or secrets
    /// encrypted with the backup password.
    Authy,
    /// The Battle.net Authenticator's internal `shared_prefs` XML (the masked device
    /// secret and serial).
    BattleNet,
    /// TOTP Authenticator (`com.authenticator.authservice2`): its encrypted `.bin`
    /// backup, and its internal `shared_prefs` XML.
    TotpAuthenticator,
    /// KeePass database (KDBX 3.1 and 4.x, opened with a password): the OTP fields of
    /// its entries as KeePassXC, KeeOtp, TrayTOTP and KeePass 2.47+ store them.
    KeePass,
    /// A PNG or JPEG image of QR codes (a screenshot): `otpauth://` and
    /// `apple-otpauth://` setup codes, and Google Authenticator's "Transfer accounts"
    /// codes, several per image. See [`qr_image`] for the bounds, and
    /// [`qr_image::import_images`] for an export shown over several images.
    QrImage,
    /// LastPass Authenticator JSON export.
    LastPass,
    /// Proton Authenticator JSON export.
    ProtonAuthenticator,
    /// Duo Mobile's JSON list of third-party OTP accounts.
    Duo,
    /// Ente Auth export: the plain text export (`otpauth://` lines) or the encrypted
    /// JSON export (Argon2id and libsodium secretstream).
    Ente,
    /// Steam Guard files: the Steam app's file (one account, or `{"accounts": …}`),
    /// Steam Desktop Authenticator / steamguard-cli maFiles (plain, or encrypted
    /// with the `manifest.json` before them in the input), and WinAuth's text
    /// export of Steam authenticators.
    Steam,
    /// WinAuth's export: a ZIP (ZipCrypto-protected or plain) holding an
    /// `otpauth://` text file.
    WinAuth,
    /// Authenticator Plus's export: a ZipCrypto-protected ZIP holding
    /// `Accounts.txt`, an `otpauth://` list. (Its SQLCipher database is refused.)
    AuthenticatorPlus,
    /// Proton Pass's export ZIP (`Proton Pass/data.json`): each login's TOTP URI and
    /// its TOTP custom fields.
    ProtonPass,
    /// Google Authenticator's internal SQLite database (`databases`, table
    /// `accounts`), as read from a rooted Android device.
    GoogleAuthenticator,
    /// Microsoft Authenticator's internal SQLite database (`PhoneFactor`, table
    /// `accounts`): its third-party TOTP accounts.
    MicrosoftAuthenticator,
}

impl Format {
    /// Every format, in the order of the docs.
    pub const ALL: [Format; 25] = [
        Format::OtpauthList,
        Format::GoogleMigration,
        Format::Aegis,
        Format::TwoFas,
        Format::AndOtp,
        Format::Bitwarden,
        Format::FreeOtpPlus,
        Format::AuthenticatorPro,
        Format::Cxf,
        Format::FreeOtp,
        Format::Authy,
        Format::BattleNet,
        Format::TotpAuthenticator,
        Format::KeePass,
        Format::QrImage,
        Format::LastPass,
        Format::ProtonAuthenticator,
        Format::Duo,
        Format::Ente,
        Format::Steam,
        Format::WinAuth,
        Format::AuthenticatorPlus,
        Format::ProtonPass,
        Format::GoogleAuthenticator,
        Format::MicrosoftAuthenticator,
    ];

    /// The format's name as the CLI and the bindings spell it (`aegis`, `2fas`, …).
    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    /// What the format is, in one line (the CLI's `--from` help shows it).
    pub const fn summary(self) -> &'static str {
        self.spec().summary
    }

    /// Whether every file of the format is text (JSON, XML, CSV or lines), so that
    /// a binary file (an image, an archive, a database) given as one is refused as such.
    pub const fn is_text(self) -> bool {
        matches!(self.spec().content, Content::Text | Content::Lines)
    }

    /// Whether [`EntryReport::index`] counts the file's lines (an entry per line,
    /// blank and comment lines counted) rather than its entries.
    pub const fn indexes_lines(self) -> bool {
        matches!(self.spec().content, Content::Lines)
    }

    /// Whether the format's files are images (PNG, JPEG): a front end that refuses an
    /// image given as another format lets them through.
    pub const fn is_image(self) -> bool {
        matches!(self.spec().content, Content::Image)
    }

    /// Everything about a format, one line each: the one place a new format is
    /// described.
    const fn spec(self) -> Spec {
        use Content::{Binary, Image, Lines, Text};
        match self {
            Format::OtpauthList => Spec::new(
                "otpauth-list",
                Lines,
                "Plain text, one otpauth:// URI per line",
            ),
            Format::GoogleMigration => Spec::new(
                "google-migration",
                Text,
                "Google Authenticator's \"Transfer accounts\" QR codes: otpauth-migration:// URIs, one per line, in any order",
            ),
            Format::Aegis => Spec::new(
                "aegis",
                Text,
                "Aegis vault JSON, plain or password-encrypted",
            ),
            Format::TwoFas => Spec::new("2fas", Text, "2FAS backup (.2fas), plain or encrypted"),
            Format::AndOtp => Spec::new(
                "andotp",
                Binary,
                "andOTP backup: plain JSON or encrypted (.json.aes)",
            ),
            Format::Bitwarden => Spec::new(
                "bitwarden",
                Text,
                "Bitwarden JSON export, plain or password-protected",
            ),
            Format::FreeOtpPlus => Spec::new(
                "freeotp-plus",
                Text,
                "FreeOTP+ JSON export, or its internal shared_prefs XML",
            ),
            Format::AuthenticatorPro => Spec::new(
                "authenticator-pro",
                Text,
                "Authenticator Pro (Stratum) backup: plain JSON, encrypted (Argon2id or PBKDF2), HTML export or the app's database",
            ),
            Format::Cxf => Spec::new(
                "cxf",
                Text,
                "FIDO Credential Exchange Format (CXF 1.0) JSON: its TOTP credentials",
            ),
            Format::FreeOtp => Spec::new(
                "freeotp",
                Binary,
                "FreeOTP: 1.x tokens.xml, or a 2.x encrypted backup (externalBackup.xml)",
            ),
            Format::Authy => Spec::new(
                "authy",
                Text,
                "Authy for Android's internal XML, plain or with password-encrypted secrets",
            ),
            Format::BattleNet => Spec::new(
                "battle-net",
                Text,
                "Battle.net Authenticator's internal XML (masked secret and serial)",
            ),
            Format::TotpAuthenticator => Spec::new(
                "totp-authenticator",
                Text,
                "TOTP Authenticator: encrypted .bin backup, or its internal XML",
            ),
            Format::KeePass => Spec::new(
                "keepass",
                Binary,
                "KeePass database (KDBX 3.1, 4.x): the OTP fields KeePassXC, KeeOtp, TrayTOTP and KeePass 2.47+ write",
            ),
            Format::QrImage => Spec::new(
                "qr-image",
                Image,
                "A PNG or JPEG screenshot of QR codes: otpauth:// setup codes and Google Authenticator transfer codes",
            ),
            Format::LastPass => Spec::new("lastpass", Text, "LastPass Authenticator JSON export"),
            Format::ProtonAuthenticator => Spec::new(
                "proton-authenticator",
                Text,
                "Proton Authenticator JSON export",
            ),
            Format::Duo => Spec::new(
                "duo",
                Text,
                "Duo Mobile's JSON list of third-party OTP accounts",
            ),
            Format::Ente => Spec::new(
                "ente",
                Text,
                "Ente Auth export: plain text (otpauth:// lines) or encrypted JSON (Argon2id, XChaCha20-Poly1305)",
            ),
            Format::Steam => Spec::new(
                "steam",
                Text,
                "Steam Guard files: the Steam app's, SDA/steamguard-cli maFiles (encrypted ones after their manifest.json), WinAuth's Steam export",
            ),
            Format::WinAuth => Spec::new(
                "winauth",
                Binary,
                "WinAuth export: a ZIP (plain or ZipCrypto) holding an otpauth:// list",
            ),
            Format::AuthenticatorPlus => Spec::new(
                "authenticator-plus",
                Binary,
                "Authenticator Plus export: a ZipCrypto ZIP holding Accounts.txt (otpauth:// list)",
            ),
            Format::ProtonPass => Spec::new(
                "proton-pass",
                Binary,
                "Proton Pass export ZIP: each login's TOTP URI and TOTP fields",
            ),
            Format::GoogleAuthenticator => Spec::new(
                "google-authenticator",
                Binary,
                "Google Authenticator's internal SQLite database (from a rooted Android device)",
            ),
            Format::MicrosoftAuthenticator => Spec::new(
                "microsoft-authenticator",
                Binary,
                "Microsoft Authenticator's internal SQLite database (PhoneFactor): its TOTP accounts",
            ),
        }
    }
}

/// How a format's files are laid out, as far as reading them is concerned.
#[derive(Clone, Copy)]
enum Content {
    /// A PNG or JPEG image.
    Image,
    /// Text: JSON, XML or CSV.
    Text,
    /// Text, one entry per line: [`EntryReport::index`] counts lines.
    Lines,
    /// Binary, at least in some of its forms (encrypted, an archive, an image, a
    /// database).
    Binary,
}

/// A format's description: see [`Format::spec`].
#[derive(Clone, Copy)]
struct Spec {
    name: &'static str,
    content: Content,
    summary: &'static str,
}

impl Spec {
    const fn new(name: &'static str, content: Content, summary: &'static str) -> Self {
        Spec {
            name,
            content,
            summary,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name [`Format::from_str`] does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownFormat;

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown format; expected one of ")?;
        for (i, format) in Format::ALL.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(format.name())?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    /// ```
    /// use otpkit_transfer::Format;
    /// assert_eq!("2fas".parse(), Ok(Format::TwoFas));
    /// assert!("lotus-notes".parse::<Format>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or(UnknownFormat)
    }
}

/// What happened to one entry of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryReport {
    /// The entry's 0-based position in the file (line number − 1 for line formats,
    /// counting every line).
    pub index: usize,
    /// The entry's label as the file names it (`Issuer:name`, or what the file has);
    /// empty when the file gives none. Never secret.
    pub label: String,
    /// The notes for an imported entry, or why the entry was not imported.
    pub outcome: Result<Vec<EntryWarning>, EntryError>,
}

/// The result of an import: the accounts read, in file order, and a report for every
/// entry of the file (imported or not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// The accounts that could be read, in the file's order.
    pub accounts: Vec<Account>,
    /// One report per entry of the file, in the file's order; the `n`-th report with
    /// an `Ok` outcome belongs to `accounts[n]`.
    pub report: Vec<EntryReport>,
    /// For [`Format::GoogleMigration`] and [`Format::QrImage`]: the batch indexes
    /// (0-based) of multi-QR
    /// exports that were not in the input. Empty when nothing is missing.
    pub missing_batches: Vec<usize>,
}

impl Import {
    fn new() -> Self {
        Import {
            accounts: Vec::new(),
            report: Vec::new(),
            missing_batches: Vec::new(),
        }
    }

    /// Records one entry's outcome; an account goes to `accounts`.
    fn push(
        &mut self,
        label: String,
        result: Result<(Account, Vec<EntryWarning>), EntryError>,
    ) -> Result<(), ImportError> {
        self.push_at(self.report.len(), label, result)
    }

    fn push_at(
        &mut self,
        index: usize,
        label: String,
        result: Result<(Account, Vec<EntryWarning>), EntryError>,
    ) -> Result<(), ImportError> {
        if self.report.len() >= MAX_ENTRIES {
            return Err(ImportError::TooManyEntries { max: MAX_ENTRIES });
        }
        self.push_unbounded_at(index, label, result);
        Ok(())
    }

    fn push_unbounded(
        &mut self,
        label: String,
        result: Result<(Account, Vec<EntryWarning>), EntryError>,
    ) {
        self.push_unbounded_at(self.report.len(), label, result);
    }

    fn push_unbounded_at(
        &mut self,
        index: usize,
        label: String,
        result: Result<(Account, Vec<EntryWarning>), EntryError>,
    ) {
        // The entry was read in the stack area below: cleared before recording.
        secret::scrub_stack();
        secret::record(self, index, label, result);
    }

    /// The reports of the entries that were not imported.
    pub fn failures(&self) -> impl Iterator<Item = &EntryReport> {
        self.report.iter().filter(|r| r.outcome.is_err())
    }
}

/// How [`import_with`] reads a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The key derivation one import may do: every password slot tried and every
    /// key derived from the file is charged to this one budget, and a derivation
    /// that does not fit is refused with [`ImportError::KdfBudget`] before it runs.
    /// The default ([`WorkBudget::default`]: 1 000 000 work units, 256 MiB per
    /// derivation) holds five of the costliest derivations apps write by default
    /// (Bitwarden's Argon2id), thirteen Aegis slots; a hostile file costs at most
    /// about 1.0 to 1.4 s of one core and 256 MiB for key derivation (`otpkit-kdf`'s
    /// README has the measurements). Raise it only for files you trust.
    pub budget: WorkBudget,
}

/// Reads a file of `format` with the default [`ImportOptions`]. `password` is needed
/// for encrypted files (and ignored for plain ones); it is the password as UTF-8
/// bytes.
///
/// Errors are about the file as a whole: too large, not the format, no password
/// for an encrypted file, a wrong password, a failed integrity check, more
/// key-derivation work than the default budget allows. An entry that cannot be read
/// is reported in [`Import::report`] and the others are still read.
pub fn import(format: Format, data: &[u8], password: Option<&[u8]>) -> Result<Import, ImportError> {
    import_with(format, data, password, &ImportOptions::default())
}

/// Reads a file of `format` as [`import`] does, with `options` (a larger key-derivation
/// budget for a file one trusts, for example).
///
/// ```
/// use otpkit_transfer::{Format, ImportError, ImportOptions, WorkBudget, import_with};
/// // An Aegis vault whose password slot asks for scrypt N=2^15, r=8, p=1 (as Aegis
/// // writes it), read with a budget too small for it.
/// let vault = br#"{"version":1,"header":{"slots":[{"type":1,"key":"00","key_params":
///     {"nonce":"00","tag":"00"},"n":32768,"r":8,"p":1,"salt":"00"}],
///     "params":{"nonce":"00","tag":"00"}},"db":""}"#;
/// let options = ImportOptions { budget: WorkBudget::new(1_000, 64 << 20) };
/// let refused = import_with(Format::Aegis, vault, Some(b"pw"), &options);
/// assert!(matches!(refused, Err(ImportError::KdfBudget { .. })));
/// # Ok::<(), ImportError>(())
/// ```
pub fn import_with(
    format: Format,
    data: &[u8],
    password: Option<&[u8]>,
    options: &ImportOptions,
) -> Result<Import, ImportError> {
    if data.len() > MAX_INPUT_LEN {
        return Err(ImportError::TooLarge {
            len: data.len(),
            max: MAX_INPUT_LEN,
        });
    }
    let mut budget = options.budget;
    let read = match format {
        Format::OtpauthList => otpauth_list::import(data),
        Format::GoogleMigration => migration::import(data),
        Format::Aegis => aegis::import(data, password, &mut budget),
        Format::TwoFas => twofas::import(data, password, &mut budget),
        Format::AndOtp => andotp::import(data, password, &mut budget),
        Format::Bitwarden => bitwarden::import(data, password, &mut budget),
        Format::FreeOtpPlus => freeotp_plus::import(data),
        Format::AuthenticatorPro => authpro::import(data, password, &mut budget),
        Format::Cxf => cxf::import(data),
        Format::FreeOtp => freeotp::import(data, password, &mut budget),
        Format::Authy => authy::import(data, password, &mut budget),
        Format::BattleNet => battlenet::import(data),
        Format::TotpAuthenticator => totp_authenticator::import(data, password),
        Format::KeePass => keepass::import(data, password, &mut budget),
        Format::QrImage => qr_image::import(data),
        Format::LastPass => lastpass::import(data),
        Format::ProtonAuthenticator => proton::import(data),
        Format::Duo => duo::import(data),
        Format::Ente => ente::import(data, password, &mut budget),
        Format::Steam => steam::import(data, password, &mut budget),
        Format::WinAuth => otpauth_zip::import(format, data, password),
        Format::AuthenticatorPlus => otpauth_zip::import(format, data, password),
        Format::ProtonPass => proton_pass::import(data),
        Format::GoogleAuthenticator => app_db::google(data),
        Format::MicrosoftAuthenticator => app_db::microsoft(data),
    };
    // No key copy is left on the stack the import used (see `secret::scrub_stack`).
    secret::scrub_stack();
    read
}

/// A label as files show it: `Issuer:name`, or the name alone.
fn label_of(issuer: Option<&str>, name: &str) -> String {
    match issuer.filter(|i| !i.is_empty()) {
        Some(issuer) if !name.is_empty() => format!("{issuer}:{name}"),
        Some(issuer) => issuer.to_owned(),
        None => name.to_owned(),
    }
}

/// Non-secret text from a file, cut to a length fit for a message.
fn clip(text: &str) -> String {
    text.chars().take(64).collect()
}
