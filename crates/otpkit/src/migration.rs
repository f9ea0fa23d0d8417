//! Google Authenticator's "Transfer accounts" export: `otpauth-migration://offline?data=…`.
//!
//! `data` is URL-encoded base64 of a protobuf `MigrationPayload`:
//!
//! ```text
//! message MigrationPayload {
//!   repeated OtpParameters otp_parameters = 1;
//!   int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5;
//! }
//! message OtpParameters {
//!   bytes secret = 1; string name = 2; string issuer = 3;
//!   Algorithm algorithm = 4;  // 0 unspecified (SHA1), 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5
//!   DigitCount digits = 5;    // 0 unspecified (6), 1 six, 2 eight
//!   OtpType type = 6;         // 0 unspecified, 1 HOTP, 2 TOTP
//!   int64 counter = 7;
//! }
//! ```
//!
//! The protobuf is decoded by `prost` (derive, no_std). An export with many accounts
//! is split over several QR codes ("batches"); each URI decodes on its own, and
//! [`Batch`] says which part of how many it is.
//!
//! ```
//! use otpkit::migration;
//! use otpkit::otpauth::Account;
//! let account: Account = "otpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".parse()?;
//! let uris = migration::encode(&[account.clone()], 10)?;
//! assert_eq!(uris.len(), 1);
//! let decoded = migration::decode(&uris[0])?;
//! assert_eq!(decoded, vec![Ok(account)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use percent_encoding::{percent_decode_str, utf8_percent_encode};
use prost::Message as _;
use sha2::{Digest as _, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::otpauth::{Account, Colon, ENCODE, Kind, Label, strip_prefix_ignore_case};
use crate::sentences::sentences;
use crate::{Algorithm, Digits, LengthPolicy, Period, Secret, SecretError};

/// The longest migration URI [`decode`] reads, in bytes. Google Authenticator puts
/// ten accounts in one QR code (well under 2 KiB); the limit leaves room for a whole
/// export pasted as one URI while bounding the work hostile input can cause.
pub const MAX_MIGRATION_URI_LEN: usize = 64 * 1024;

/// Standard base64 with or without padding. Google's exports use the standard
/// alphabet; `-` and `_` (URL-safe) are mapped to `+` and `/` before decoding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
struct Payload {
    #[prost(message, repeated, tag = "1")]
    otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    version: i32,
    #[prost(int32, tag = "3")]
    batch_size: i32,
    #[prost(int32, tag = "4")]
    batch_index: i32,
    #[prost(int32, tag = "5")]
    batch_id: i32,
}

/// One account. `name` and `issuer` are `string`s in Google's schema; they are read as
/// bytes here so that one entry with invalid UTF-8 fails alone, not the whole batch.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    secret: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    name: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    issuer: Vec<u8>,
    #[prost(int32, tag = "4")]
    algorithm: i32,
    #[prost(int32, tag = "5")]
    digits: i32,
    #[prost(int32, tag = "6")]
    otp_type: i32,
    #[prost(int64, tag = "7")]
    counter: i64,
}

impl Drop for OtpParameters {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payload")
            .field("entries", &self.otp_parameters.len())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OtpParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpParameters").finish_non_exhaustive()
    }
}

/// One decoded migration URI: its accounts and its place in the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Each entry in order: the account, or why that entry could not be used.
    pub entries: Vec<Result<Account, EntryError>>,
    /// Payload format version (1 in current exports).
    pub version: i32,
    /// How many URIs the export has (0 or 1 for a single one).
    pub batch_size: i32,
    /// This URI's 0-based index among them.
    pub batch_index: i32,
    /// The same for every URI of one export; may be negative.
    pub batch_id: i32,
}

/// Decodes an `otpauth-migration://offline?data=…` URI into its entries.
///
/// The URI as a whole must be readable (scheme, base64, protobuf); each entry then
/// succeeds or fails on its own, so one MD5 account does not hide the others.
/// `data` may contain raw `+` and `/` (seen in real exports; `+` is NOT read as a
/// space here), spaces where a `+` was turned into one by a form decoder, and
/// URL-safe `-`/`_`.
///
/// ```
/// let err = otpkit::migration::decode("otpauth://totp/x?secret=AAAA").unwrap_err();
/// assert_eq!(err, otpkit::migration::MigrationError::NotMigrationUri);
/// ```
pub fn decode(uri: &str) -> Result<Vec<Result<Account, EntryError>>, MigrationError> {
    decode_batch(uri).map(|batch| batch.entries)
}

/// [`decode`], with the batch fields.
pub fn decode_batch(uri: &str) -> Result<Batch, MigrationError> {
    if uri.len() > MAX_MIGRATION_URI_LEN {
        return Err(MigrationError::TooLong { len: uri.len() });
    }
    let uri = uri.trim();
    let rest = strip_prefix_ignore_case(uri, "otpauth-migration://")
        .ok_or(MigrationError::NotMigrationUri)?;
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (host, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !host.trim_end_matches('/').eq_ignore_ascii_case("offline") {
        return Err(MigrationError::NotMigrationUri);
    }
    let mut data_raw = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key.eq_ignore_ascii_case("data") && data_raw.replace(value).is_some() {
            return Err(MigrationError::DuplicateData);
        }
    }
    let data_raw = data_raw.ok_or(MigrationError::MissingData)?;

    // Percent-decode without reading `+` as a space, then undo what mangled exports do.
    let mut text = Zeroizing::new(Vec::with_capacity(data_raw.len()));
    text.extend(percent_decode_str(data_raw).map(|b| match b {
        b' ' | b'-' => b'+',
        b'_' => b'/',
        other => other,
    }));
    let bytes = Zeroizing::new(
        BASE64
            .decode(text.as_slice())
            .map_err(|_| MigrationError::InvalidBase64)?,
    );
    // Decoded from a `Bytes` that owns the wiped buffer: prost then takes each
    // `bytes` field as a view into it, where from a `&[u8]` it would copy the field
    // into a temporary it frees unwiped. Only the entries' own `secret` buffers (wiped
    // by `OtpParameters`' drop) hold a copy of a key.
    let payload = Payload::decode(prost::bytes::Bytes::from_owner(bytes))
        .map_err(|_| MigrationError::InvalidProtobuf)?;
    let mut entries = Vec::with_capacity(payload.otp_parameters.len());
    for entry in &payload.otp_parameters {
        // An entry that fails is written over the same stack slots the one before it
        // was built in, and its unused bytes would carry that account's key into
        // `entries`: each entry is read on a scrubbed stack.
        scrub_stack();
        push_entry(&mut entries, entry);
    }
    scrub_stack();
    Ok(Batch {
        entries,
        version: payload.version,
        batch_size: payload.batch_size,
        batch_index: payload.batch_index,
        batch_id: payload.batch_id,
    })
}

/// Reads `entry` onto the end of `entries`, in a frame of its own (see
/// [`scrub_stack`]).
#[inline(never)]
fn push_entry(entries: &mut Vec<Result<Account, EntryError>>, entry: &OtpParameters) {
    entries.push(entry_to_account(entry));
}

/// Overwrites the [`SCRUBBED_BYTES`] of stack below the caller's frame with zeros
/// (volatile writes the optimiser keeps): moving an account leaves its key's bytes in
/// the slot it left, and a value built there later (an entry's error, whose unused
/// bytes are not written) would carry them into the heap.
#[inline(never)]
fn scrub_stack() {
    let mut area = [0u64; SCRUBBED_BYTES / 8];
    area.zeroize();
    core::hint::black_box(&area);
}

/// How much stack [`scrub_stack`] clears: 16 KiB, several times what reading one
/// entry takes (in debug builds too); about a microsecond per entry in release.
const SCRUBBED_BYTES: usize = 16 * 1024;

fn entry_to_account(entry: &OtpParameters) -> Result<Account, EntryError> {
    let algorithm = match entry.algorithm {
        0 | 1 => Algorithm::Sha1,
        2 => Algorithm::Sha256,
        3 => Algorithm::Sha512,
        4 => return Err(EntryError::Md5),
        value => return Err(EntryError::UnknownAlgorithm { value }),
    };
    let digits = match entry.digits {
        0 | 1 => Digits::SIX,
        2 => Digits::EIGHT,
        value => return Err(EntryError::UnknownDigits { value }),
    };
    let kind = match entry.otp_type {
        1 => Kind::Hotp {
            counter: u64::try_from(entry.counter).map_err(|_| EntryError::NegativeCounter)?,
        },
        2 => Kind::Totp {
            period: Period::DEFAULT,
        },
        value => return Err(EntryError::UnknownType { value }),
    };
    let name = core::str::from_utf8(&entry.name).map_err(|_| EntryError::InvalidUtf8)?;
    let issuer = core::str::from_utf8(&entry.issuer).map_err(|_| EntryError::InvalidUtf8)?;
    let secret = Secret::from_bytes_with(&entry.secret, LengthPolicy::AllowShort)
        .map_err(EntryError::Secret)?;
    Ok(Account::from_parts(
        split_name(name, issuer),
        secret,
        (algorithm, digits, kind),
        Vec::new(),
    ))
}

/// Google Authenticator writes `name` as the whole label, often `Issuer:account`. With
/// an `issuer` field, a `name` starting with that issuer and `:` loses the prefix (and
/// the spaces after it); any other `name` is kept whole. Without one, `name` splits at
/// its first `:` like an `otpauth://` label (an empty prefix meaning no issuer).
fn split_name(name: &str, issuer: &str) -> (Option<String>, String) {
    if !issuer.is_empty() {
        // Leading spaces are dropped with or without the prefix: the label this
        // account is written back with ("Issuer: name") cannot keep them, so keeping
        // them here would make decode → encode → decode change the name (found by
        // the `migration` fuzz target).
        let account = name
            .strip_prefix(issuer)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(name)
            .trim_start_matches(' ');
        return (Some(String::from(issuer)), String::from(account));
    }
    match name.split_once(':') {
        Some((prefix, account)) => (
            Some(String::from(prefix)).filter(|p| !p.is_empty()),
            String::from(account.trim_start_matches(' ')),
        ),
        None => (None, String::from(name)),
    }
}

/// Encodes accounts as migration URIs of at most `per_batch` accounts each (Google
/// Authenticator uses 10 per QR code), with `batch_size`/`batch_index` set and a
/// `batch_id` derived from the accounts' labels (see [`encode_with_batch_id`] to
/// choose it). [`decode`] reads each back to the same accounts, except
/// [`Account::extra`], which the format cannot carry.
///
/// Accounts the format cannot express are an error, never silently changed: digits
/// other than 6 or 8, a period other than 30 s, Steam, an HOTP counter above
/// `i64::MAX`. An empty slice gives one URI with no accounts.
pub fn encode(accounts: &[Account], per_batch: usize) -> Result<Vec<String>, EncodeError> {
    let mut hash = Sha256::new();
    for account in accounts {
        hash.update(account.label().as_bytes());
        hash.update([0u8]);
    }
    let digest = hash.finalize();
    let mut id = [0u8; 4];
    id.iter_mut().zip(digest.iter()).for_each(|(d, s)| *d = *s);
    // Google's ids are random 31-bit values; keep ours positive too.
    let batch_id = i32::from_be_bytes(id) & 0x7fff_ffff;
    encode_with_batch_id(accounts, per_batch, batch_id)
}

/// [`encode`] with a chosen `batch_id` (negative values are allowed, as in real
/// exports).
pub fn encode_with_batch_id(
    accounts: &[Account],
    per_batch: usize,
    batch_id: i32,
) -> Result<Vec<String>, EncodeError> {
    if per_batch == 0 {
        return Err(EncodeError::ZeroBatchSize);
    }
    let mut entries = Vec::with_capacity(accounts.len());
    for (index, account) in accounts.iter().enumerate() {
        entries.push(account_to_entry(index, account)?);
    }
    let batches: Vec<&[OtpParameters]> = if entries.is_empty() {
        Vec::from([&[][..]])
    } else {
        entries.chunks(per_batch).collect()
    };
    let batch_size = i32::try_from(batches.len()).map_err(|_| EncodeError::TooManyBatches)?;
    let mut uris = Vec::with_capacity(batches.len());
    for (batch_index, chunk) in (0..batch_size).zip(batches) {
        let payload = Payload {
            otp_parameters: chunk.to_vec(),
            version: 1,
            batch_size,
            batch_index,
            batch_id,
        };
        let bytes = Zeroizing::new(payload.encode_to_vec());
        let text = Zeroizing::new(BASE64.encode(bytes.as_slice()));
        // Reserved up front (base64 is ASCII; each byte encodes to at most three), so
        // the String holding the secrets never reallocates.
        let prefix = "otpauth-migration://offline?data=";
        let mut uri =
            String::with_capacity(text.len().saturating_mul(3).saturating_add(prefix.len()));
        uri.push_str(prefix);
        uri.extend(utf8_percent_encode(&text, ENCODE));
        uris.push(uri);
    }
    Ok(uris)
}

fn account_to_entry(index: usize, account: &Account) -> Result<OtpParameters, EncodeError> {
    let (otp_type, counter) = match account.kind {
        Kind::Totp { period } if period == Period::DEFAULT => (2, 0),
        Kind::Totp { period } => {
            return Err(EncodeError::PeriodUnsupported {
                index,
                seconds: period.seconds(),
            });
        }
        Kind::Hotp { counter } => (
            1,
            i64::try_from(counter).map_err(|_| EncodeError::CounterTooLarge { index })?,
        ),
        Kind::Steam => return Err(EncodeError::SteamUnsupported { index }),
        Kind::Motp => {
            return Err(EncodeError::KindUnsupported {
                index,
                kind: "mOTP",
            });
        }
        Kind::Yandex => {
            return Err(EncodeError::KindUnsupported {
                index,
                kind: "Yandex",
            });
        }
    };
    let digits = match account.digits.get() {
        6 => 1,
        8 => 2,
        digits => return Err(EncodeError::DigitsUnsupported { index, digits }),
    };
    let algorithm = match account.algorithm {
        Algorithm::Sha256 => 2,
        Algorithm::Sha512 => 3,
        Algorithm::Sha1 => 1,
    };
    let label = Label::of(account);
    let issuer = label.issuer;
    let mut name = String::new();
    label.write(&mut name, Colon::Protected, String::push_str);
    Ok(OtpParameters {
        secret: Vec::from(account.secret.as_bytes()),
        name: name.into_bytes(),
        issuer: issuer.map(|i| Vec::from(i.as_bytes())).unwrap_or_default(),
        algorithm,
        digits,
        otp_type,
        counter,
    })
}

/// Why a migration URI as a whole could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationError {
    /// Longer than [`MAX_MIGRATION_URI_LEN`] bytes.
    TooLong {
        /// The input's length in bytes.
        len: usize,
    },
    /// Not `otpauth-migration://offline?…`.
    NotMigrationUri,
    /// No `data=` parameter.
    MissingData,
    /// `data=` appears more than once.
    DuplicateData,
    /// `data` is not base64.
    InvalidBase64,
    /// `data` is base64 but not a migration payload.
    InvalidProtobuf,
}

impl fmt::Display for MigrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigrationError::TooLong { len } => write!(
                f,
                "the migration URI is {len} bytes, longer than the \
                 {MAX_MIGRATION_URI_LEN}-byte limit"
            ),
            MigrationError::NotMigrationUri => {
                f.write_str("not an otpauth-migration://offline URI")
            }
            MigrationError::MissingData => f.write_str("the migration URI has no data parameter"),
            MigrationError::DuplicateData => {
                f.write_str("the migration URI has more than one data parameter")
            }
            MigrationError::InvalidBase64 => f.write_str("the migration data is not valid base64"),
            MigrationError::InvalidProtobuf => {
                f.write_str("the migration data is not a valid Google Authenticator export")
            }
        }
    }
}

impl core::error::Error for MigrationError {}

/// Why one entry of a migration payload could not be used. Never contains secret
/// material.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryError {
    /// The entry uses HMAC-MD5, which no standard authenticator supports.
    Md5,
    /// An algorithm number outside the schema.
    UnknownAlgorithm {
        /// The number found.
        value: i32,
    },
    /// A digit-count number outside the schema (only 6 and 8 exist).
    UnknownDigits {
        /// The number found.
        value: i32,
    },
    /// The type is unspecified (0) or unknown: neither HOTP nor TOTP.
    UnknownType {
        /// The number found.
        value: i32,
    },
    /// An HOTP counter below zero.
    NegativeCounter,
    /// The name or issuer is not UTF-8.
    InvalidUtf8,
    /// The secret is empty or too long.
    Secret(SecretError),
}

sentences! {
    EntryError {
        EntryError::Md5 => "the account uses MD5, which is not supported",
        EntryError::UnknownAlgorithm { value } => format_args!("unknown algorithm number {value}"),
        EntryError::UnknownDigits { value } => format_args!("unknown digit-count number {value}"),
        EntryError::UnknownType { value } => format_args!(
            "OTP type {value} is neither HOTP (1) nor TOTP (2)"
        ),
        EntryError::NegativeCounter => "the HOTP counter is negative",
        EntryError::InvalidUtf8 => "the account name or issuer is not UTF-8",
        EntryError::Secret(e) => format_args!("bad secret: {e}"),
    }
    caused by {
        EntryError::Secret(e) => Some(e),
        EntryError::Md5
        | EntryError::UnknownAlgorithm { .. }
        | EntryError::UnknownDigits { .. }
        | EntryError::UnknownType { .. }
        | EntryError::NegativeCounter
        | EntryError::InvalidUtf8 => None,
    }
}

/// Why accounts could not be encoded as migration URIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// `per_batch` is 0.
    ZeroBatchSize,
    /// More than `i32::MAX` batches.
    TooManyBatches,
    /// The format has 6 and 8 digits only.
    DigitsUnsupported {
        /// The account's index in the slice.
        index: usize,
        /// Its digit count.
        digits: u8,
    },
    /// The format has no period: every TOTP entry is 30 s.
    PeriodUnsupported {
        /// The account's index in the slice.
        index: usize,
        /// Its period.
        seconds: u64,
    },
    /// The format has no Steam type.
    SteamUnsupported {
        /// The account's index in the slice.
        index: usize,
    },
    /// The counter does not fit the format's signed 64 bits.
    CounterTooLarge {
        /// The account's index in the slice.
        index: usize,
    },
    /// The format has no such type (mOTP, Yandex: Google Authenticator knows only
    /// TOTP and HOTP).
    KindUnsupported {
        /// The account's index in the slice.
        index: usize,
        /// The kind, as people call it (`"mOTP"`, `"Yandex"`).
        kind: &'static str,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::ZeroBatchSize => f.write_str("accounts per batch must be at least 1"),
            EncodeError::TooManyBatches => f.write_str("too many batches"),
            EncodeError::DigitsUnsupported { index, digits } => write!(
                f,
                "account {index} has {digits} digits; Google Authenticator exports only 6 or 8"
            ),
            EncodeError::PeriodUnsupported { index, seconds } => write!(
                f,
                "account {index} has a {seconds}-second period; Google Authenticator exports \
                 only 30"
            ),
            EncodeError::SteamUnsupported { index } => write!(
                f,
                "account {index} is a Steam account, which Google Authenticator cannot export"
            ),
            EncodeError::CounterTooLarge { index } => write!(
                f,
                "account {index}'s HOTP counter is larger than Google Authenticator can store"
            ),
            EncodeError::KindUnsupported { index, kind } => write!(
                f,
                "account {index} is of kind {kind}, which Google Authenticator cannot export"
            ),
        }
    }
}

impl core::error::Error for EncodeError {}

impl MigrationError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            MigrationError::TooLong { .. } => C::UriTooLong,
            MigrationError::NotMigrationUri => C::NotMigrationUri,
            MigrationError::MissingData => C::MigrationMissingData,
            MigrationError::DuplicateData => C::MigrationDuplicateData,
            MigrationError::InvalidBase64 => C::MigrationInvalidBase64,
            MigrationError::InvalidProtobuf => C::MigrationInvalidProtobuf,
        }
    }
}

impl EntryError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            EntryError::Md5 | EntryError::UnknownAlgorithm { .. } => C::UnsupportedAlgorithm,
            EntryError::UnknownDigits { .. } => C::DigitsUnsupported,
            EntryError::UnknownType { .. } => C::UnsupportedType,
            EntryError::NegativeCounter => C::InvalidNumber,
            EntryError::InvalidUtf8 => C::InvalidUtf8,
            EntryError::Secret(e) => e.code(),
        }
    }
}

impl EncodeError {
    /// The stable [`ErrorCode`](crate::ErrorCode) of this error.
    #[must_use]
    pub const fn code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            EncodeError::ZeroBatchSize => C::ZeroBatchSize,
            EncodeError::TooManyBatches => C::TooManyBatches,
            EncodeError::DigitsUnsupported { .. } => C::DigitsUnsupported,
            EncodeError::PeriodUnsupported { .. } => C::PeriodUnsupported,
            EncodeError::SteamUnsupported { .. } => C::SteamUnsupported,
            EncodeError::KindUnsupported { .. } => C::KindUnsupported,
            EncodeError::CounterTooLarge { .. } => C::CounterTooLarge,
        }
    }
}
