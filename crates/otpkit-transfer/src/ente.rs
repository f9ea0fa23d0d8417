//! Ente Auth exports: the plain text export and the encrypted export.
//!
//! Read from Ente Auth's documented export (its help pages and the `ente-io/ente`
//! auth app source, 2023–2025) and the test files of Proton Pass's and Authenticator
//! Pro's Ente importers.
//!
//! **Plain**: one `otpauth://` URI per line (blank lines skipped), as
//! [`Format::OtpauthList`] reads them. Ente adds a `codeDisplay` parameter (URL-encoded
//! JSON: pinned, tags, note; kept as an unknown parameter) and writes Steam accounts as
//! `otpauth://steam/…`.
//!
//! **Encrypted**: `{"version": 1, "kdfParams": {"memLimit", "opsLimit", "salt"},
//! "encryptedData", "encryptionNonce"}` (base64 values). The key is libsodium's
//! `crypto_pwhash` Argon2id (version 1.3, one lane, `opsLimit` passes,
//! `memLimit` bytes of memory, i.e. `memLimit / 1024` KiB, 16-byte salt, 32-byte
//! key); the data is one `crypto_secretstream_xchacha20poly1305` message whose header
//! is `encryptionNonce`, tagged `FINAL` (as Proton Pass's test files have it) or
//! `MESSAGE` (as the Ente app's own export, in Authenticator Pro's test files, has
//! it); the plaintext is the plain export. The derivation is charged to the import's budget before it runs: Ente's
//! own "sensitive" parameters (1 GiB of memory) are refused by the default budget
//! with [`ImportError::KdfBudget`]; a caller who trusts the file can allow more with
//! [`crate::ImportOptions::budget`]. A wrong password and damaged data both fail the
//! first MAC check and are reported as [`ImportError::WrongPassword`] (the format has
//! no separate password check).

use base64::Engine as _;
use otpkit_kdf::WorkBudget;
use serde::Deserialize;
use zeroize::Zeroizing;

use otpkit::otpauth::{Account, UriError};

use crate::json::Num;
use crate::otpauth_list::parse_uri;
use crate::secret::wiped_vec;
use crate::secretstream::{self, Pull};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, crypto, label_of};

const F: Format = Format::Ente;

/// libsodium's `crypto_pwhash_argon2id_MEMLIMIT_MIN` (bytes).
const MEMLIMIT_MIN: i64 = 8192;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Encrypted {
    version: Option<Num>,
    kdf_params: KdfParams,
    encrypted_data: String,
    encryption_nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KdfParams {
    mem_limit: Num,
    ops_limit: Num,
    salt: String,
}

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        _ => return read_lines(data),
    }
    let file: Encrypted = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected an Ente encrypted export object", &e))?;
    match file.version.map(|n| n.0) {
        Some(1) | None => {}
        Some(version) => return Err(ImportError::UnsupportedVersion { format: F, version }),
    }
    let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
    let b64 = |text: &str, what: &'static str| {
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| ImportError::malformed(F, what))
    };
    let salt = b64(&file.kdf_params.salt, "kdfParams.salt is not base64")?;
    let header = b64(&file.encryption_nonce, "encryptionNonce is not base64")?;
    let sealed = b64(&file.encrypted_data, "encryptedData is not base64")?;
    if header.len() != secretstream::HEADERBYTES {
        return Err(ImportError::malformed(F, "encryptionNonce is not 24 bytes"));
    }
    if sealed.len() < secretstream::ABYTES {
        return Err(ImportError::malformed(F, "encryptedData is too short"));
    }
    if salt.len() != 16 {
        return Err(ImportError::KdfParameters {
            format: F,
            what: "salt",
        });
    }
    let mem = file.kdf_params.mem_limit.0;
    let memory_kib = (mem >= MEMLIMIT_MIN)
        .then(|| u32::try_from(mem / 1024).ok())
        .flatten()
        .ok_or(ImportError::KdfParameters {
            format: F,
            what: "memLimit",
        })?;
    let passes = u32::try_from(file.kdf_params.ops_limit.0)
        .ok()
        .filter(|&p| p >= 1)
        .ok_or(ImportError::KdfParameters {
            format: F,
            what: "opsLimit",
        })?;
    let key = crypto::argon2id_key(budget, password, &salt, passes, memory_kib, 1)
        .map_err(|e| ImportError::kdf(F, e))?;
    let mut stream = Pull::new(&key, &header)
        .ok_or(ImportError::malformed(F, "encryptionNonce is not 24 bytes"))?;
    let (plaintext, tag) = stream
        .pull(&sealed, &[])
        .ok_or(ImportError::WrongPassword { format: F })?;
    if tag != secretstream::TAG_FINAL && tag != secretstream::TAG_MESSAGE {
        // The file is one message; a PUSH or REKEY tag is not what Ente writes.
        return Err(ImportError::IntegrityCheckFailed { format: F });
    }
    read_lines(&plaintext)
}

/// The plain export: one `otpauth://` URI per line.
fn read_lines(data: &[u8]) -> Result<Import, ImportError> {
    let text = Zeroizing::new(
        core::str::from_utf8(data)
            .map_err(|_| ImportError::malformed(F, "the text is not UTF-8"))?
            .to_owned(),
    );
    let mut out = Import::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        if !line
            .get(..10)
            .is_some_and(|s| s.eq_ignore_ascii_case("otpauth://"))
        {
            return Err(ImportError::Malformed {
                format: F,
                what: "a line is not an otpauth:// URI",
                line: index.saturating_add(1),
                column: 1,
            });
        }
        let result = read_uri(line);
        let label = match &result {
            Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
            Err(_) => String::new(),
        };
        out.push_at(index, label, result)?;
    }
    Ok(out)
}

/// One line's URI. Ente writes HOTP entries created without a counter with no
/// `counter=` at all and counts them from 0: such a URI is read with counter 0 and a
/// [`EntryWarning::Defaulted`] note.
fn read_uri(line: &str) -> Result<(Account, Vec<EntryWarning>), EntryError> {
    let read = parse_uri(line);
    if !matches!(read, Err(EntryError::Uri(UriError::MissingCounter))) {
        return read;
    }
    let (before, fragment) = line.split_once('#').unwrap_or((line, ""));
    let mut fixed = Zeroizing::new(String::with_capacity(line.len().saturating_add(12)));
    fixed.push_str(before);
    fixed.push_str(if before.contains('?') {
        "&counter=0"
    } else {
        "?counter=0"
    });
    if !fragment.is_empty() {
        fixed.push('#');
        fixed.push_str(fragment);
    }
    let (account, mut warnings) = parse_uri(&fixed)?;
    wiped_vec::push(&mut warnings, EntryWarning::Defaulted { field: "counter" });
    Ok((account, warnings))
}
