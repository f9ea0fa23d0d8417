//! Authenticator Pro (Stratum) backups, told apart by their content:
//!
//! - plain backup JSON: `{"Authenticators": [...], ...}`. Each authenticator: `Type`
//!   (1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex), `Issuer`, `Username`, `Secret`
//!   (Base32), `Algorithm` (0 SHA-1, 1 SHA-256, 2 SHA-512), `Digits`, `Period`,
//!   `Counter`;
//! - encrypted backup, strong (the `.authpro` files current versions write):
//!   `"AUTHENTICATORPRO"`, a 16-byte salt, a 12-byte nonce, then AES-256-GCM of the
//!   plain JSON (tag last); the key is Argon2id (t = 3, p = 4, m = 64 MiB, 32 bytes)
//!   of the password, charged to the import's budget before it runs;
//! - encrypted backup, legacy (older versions): `"AuthenticatorPro"`, a 20-byte salt, a 16-byte IV,
//!   then AES-256-CBC / PKCS#7 of the JSON; the key is PBKDF2-HMAC-SHA1 (64 000
//!   iterations, 32 bytes), also charged to the budget. CBC has no integrity check: a
//!   wrong password shows as bad padding or text that is not the backup's JSON, both
//!   reported as [`ImportError::WrongPassword`];
//! - the HTML export: a table with one `<code>` cell per account holding its
//!   `otpauth://` URI (or a `motp://` one, refused as mOTP);
//! - the app's internal SQLite database (`authenticator.db3`, table `authenticator`
//!   with the JSON's fields as columns), read as [`crate::app_db`] reads databases.
//!
//! Read from the layouts the Stratum source (`Stratum.Core` backup converters) and
//! Aegis's `AuthenticatorProImporter` (Aegis 3.x) handle; the parameters were
//! checked against the Stratum and Aegis test files.
//!
//! Each authenticator: `Type` (1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex), `Issuer`,
//! `Username`, `Secret` (Base32), `Algorithm` (0 SHA-1, 1 SHA-256, 2 SHA-512),
//! `Digits`, `Period`, `Counter`, and for mOTP `Pin`.
//!
//! mOTP (`Generator/MobileOtp.cs` in stratumauth/app and its Authenticator Pro
//! predecessors): the code is MD5 of `unix / 10`, the `Secret` text as typed (not
//! Base32) and the PIN. Current versions keep the PIN in `Pin`; older ones had no
//! `Pin` and kept the PIN at the end of `Secret`, hashing the two as one text. Both
//! give the same codes here: with `Pin` the account's PIN is it; without, the last
//! four characters (Authenticator Pro's PIN length) are taken as the PIN, which the
//! hash sees in the same place. `Period` is only how often the app refreshes.
//! Yandex (type 5) is not read: which secret form its backups hold has not been
//! checked against a sample.

use otpkit::Algorithm;
use otpkit::otpauth::Kind;
use serde::Deserialize;
use serde_json::value::RawValue;

use otpkit_kdf::{Prf, WorkBudget};
use zeroize::Zeroizing;

use crate::app_db;
use crate::crypto;
use crate::json::{self, Num, SecretText};
use crate::otpauth_list::parse_uri;
use crate::secret::{secret_from_base32_lenient, wiped_vec};
use crate::{EntryError, EntryWarning, Format, Import, ImportError, label_of};

const STRONG_MAGIC: &[u8] = b"AUTHENTICATORPRO";
const LEGACY_MAGIC: &[u8] = b"AuthenticatorPro";
const STRONG_SALT: usize = 16;
const STRONG_NONCE: usize = 12;
const STRONG_T: u32 = 3;
const STRONG_M_KIB: u32 = 64 * 1024;
const STRONG_P: u32 = 4;
const LEGACY_SALT: usize = 20;
const LEGACY_IV: usize = 16;
const LEGACY_ITERATIONS: u32 = 64_000;

const F: Format = Format::AuthenticatorPro;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Backup<'a> {
    #[serde(borrow)]
    authenticators: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Authenticator {
    #[serde(rename = "Type")]
    kind: Option<Num>,
    issuer: Option<String>,
    username: Option<String>,
    secret: Option<SecretText>,
    algorithm: Option<Num>,
    digits: Option<Num>,
    period: Option<Num>,
    counter: Option<Num>,
    pin: Option<SecretText>,
}

/// Authenticator Pro's mOTP PIN length (`MobileOtp.PinLength`).
const MOTP_PIN_LEN: usize = 4;

pub(crate) fn import(
    data: &[u8],
    password: Option<&[u8]>,
    budget: &mut WorkBudget,
) -> Result<Import, ImportError> {
    if let Some(rest) = data.strip_prefix(STRONG_MAGIC) {
        let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
        let plain = open_strong(rest, password, budget)?;
        return import_json(&plain);
    }
    if let Some(rest) = data.strip_prefix(LEGACY_MAGIC) {
        let password = password.ok_or(ImportError::PasswordRequired { format: F })?;
        let plain = open_legacy(rest, password, budget)?;
        // CBC has no integrity check: a wrong key that happens to give valid padding
        // gives bytes that are not JSON.
        if serde_json::from_slice::<serde::de::IgnoredAny>(&plain).is_err() {
            return Err(ImportError::WrongPassword { format: F });
        }
        return import_json(&plain);
    }
    if crate::sqlite::is_sqlite(data) {
        return import_db(data);
    }
    let text = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let start = text.iter().position(|b| !b.is_ascii_whitespace());
    if start.and_then(|i| text.get(i)) == Some(&b'<') {
        return import_html(text);
    }
    import_json(data)
}

/// The strong format: Argon2id, then AES-256-GCM (whose tag tells a wrong password).
fn open_strong(
    rest: &[u8],
    password: &[u8],
    budget: &mut WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let truncated = || ImportError::malformed(F, "the encrypted backup is truncated");
    let (salt, rest) = rest.split_at_checked(STRONG_SALT).ok_or_else(truncated)?;
    let (nonce, sealed) = rest.split_at_checked(STRONG_NONCE).ok_or_else(truncated)?;
    if sealed.len() < 16 {
        return Err(truncated());
    }
    let key = crypto::argon2id_key(budget, password, salt, STRONG_T, STRONG_M_KIB, STRONG_P)
        .map_err(|e| ImportError::kdf(F, e))?;
    crypto::gcm_open_combined(key.as_slice(), nonce, sealed)
        .ok_or(ImportError::WrongPassword { format: F })
}

/// The legacy format: PBKDF2-HMAC-SHA1, then AES-256-CBC (a wrong password shows
/// as bad padding, or later as text that is not JSON).
fn open_legacy(
    rest: &[u8],
    password: &[u8],
    budget: &mut WorkBudget,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let truncated = || ImportError::malformed(F, "the encrypted backup is truncated");
    let (salt, rest) = rest.split_at_checked(LEGACY_SALT).ok_or_else(truncated)?;
    let (iv, ciphertext) = rest.split_at_checked(LEGACY_IV).ok_or_else(truncated)?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(16) {
        return Err(truncated());
    }
    let key = crypto::pbkdf2_key(budget, Prf::Sha1, password, salt, LEGACY_ITERATIONS)
        .map_err(|e| ImportError::kdf(F, e))?;
    crypto::cbc_open(key.as_slice(), iv, ciphertext).ok_or(ImportError::WrongPassword { format: F })
}

fn import_json(data: &[u8]) -> Result<Import, ImportError> {
    let backup: Backup = serde_json::from_slice(data)
        .map_err(|e| ImportError::json(F, "expected an Authenticator Pro backup object", &e))?;
    let mut out = Import::new();
    for raw in json::entries(&backup.authenticators)? {
        let (label, result) = match json::entry::<Authenticator>(raw) {
            Ok(a) => (
                label_of(a.issuer.as_deref(), a.username.as_deref().unwrap_or("")),
                read(&a),
            ),
            Err(e) => (String::new(), Err(e)),
        };
        out.push(label, result)?;
    }
    Ok(out)
}

/// The HTML export: each `<code>…</code>` cell holds one account's URI.
fn import_html(text: &[u8]) -> Result<Import, ImportError> {
    let text = core::str::from_utf8(text)
        .map_err(|_| ImportError::malformed(F, "the HTML export is not UTF-8"))?;
    let mut out = Import::new();
    let mut rest = text;
    while let Some(start) = rest.find("<code>") {
        let after = rest.get(start.saturating_add(6)..).unwrap_or("");
        let end = after
            .find("</code>")
            .ok_or(ImportError::malformed(F, "an unclosed <code> cell"))?;
        let cell = after.get(..end).unwrap_or("");
        rest = after.get(end.saturating_add(7)..).unwrap_or("");
        let uri = unescape_html(cell.trim());
        let result = if uri
            .get(..10)
            .is_some_and(|s| s.eq_ignore_ascii_case("otpauth://"))
        {
            parse_uri(&uri)
        } else if uri
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("motp://"))
        {
            Err(EntryError::UnsupportedType("mOTP".to_owned()))
        } else {
            Err(EntryError::MissingField("otpauth URI"))
        };
        let label = match &result {
            Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
            Err(_) => String::new(),
        };
        out.push(label, result)?;
    }
    if out.report.is_empty() {
        return Err(ImportError::malformed(
            F,
            "the HTML export has no account URIs",
        ));
    }
    Ok(out)
}

/// The character references an HTML writer puts in a URI, replaced in one pass into
/// one buffer (it holds the secret: reserved up front, as unescaping never
/// lengthens, so it never grows and leaves no copy behind).
fn unescape_html(s: &str) -> Zeroizing<String> {
    const REFS: [(&str, char); 6] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&#x27;", '\''),
    ];
    let mut out = Zeroizing::new(String::with_capacity(s.len()));
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let known = REFS
            .iter()
            .find(|(name, _)| c == '&' && rest.starts_with(name));
        let (ch, len) = match known {
            Some((name, ch)) => (*ch, name.len()),
            None => (c, c.len_utf8()),
        };
        out.push(ch);
        rest = rest.get(len..).unwrap_or("");
    }
    out
}

/// The app's internal database: table `authenticator`, the JSON's fields as columns,
/// in the app's order (`ranking`).
fn import_db(data: &[u8]) -> Result<Import, ImportError> {
    app_db::read_rows(
        F,
        data,
        "authenticator",
        &[
            "type",
            "issuer",
            "username",
            "secret",
            "algorithm",
            "digits",
            "period",
            "counter",
            "?pin",
        ],
        Some("ranking"),
        |row| match db_row(row) {
            Ok(a) => (
                label_of(a.issuer.as_deref(), a.username.as_deref().unwrap_or("")),
                read(&a),
            ),
            Err(e) => (String::new(), Err(e)),
        },
    )
}

fn db_row(row: &app_db::Row<'_>) -> Result<Authenticator, EntryError> {
    let num = |i| app_db::int(row, i).map(|n| n.map(Num));
    let plain = |i| app_db::text(row, i).map(|t| t.map(|t| t.as_str().to_owned()));
    Ok(Authenticator {
        kind: num(0)?,
        issuer: plain(1)?,
        username: plain(2)?,
        secret: app_db::text(row, 3)?.map(SecretText),
        algorithm: num(4)?,
        digits: num(5)?,
        period: num(6)?,
        counter: num(7)?,
        // Older databases have no `pin` column and hold an mOTP PIN at the end of
        // `secret`, as older backups do (see the module documentation).
        pin: app_db::text(row, 8)?.map(SecretText),
    })
}

fn read(a: &Authenticator) -> Result<(otpkit::otpauth::Account, Vec<EntryWarning>), EntryError> {
    let kind_code = a.kind.ok_or(EntryError::MissingField("Type"))?.0;
    if kind_code == 3 {
        return read_motp(a);
    }
    let type_name = match kind_code {
        1 | 2 | 4 => None,
        5 => Some("Yandex"),
        _ => Some("unknown"),
    };
    if let Some(name) = type_name {
        return Err(EntryError::UnsupportedType(name.to_owned()));
    }
    let secret = a
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("Secret"))?;
    let read = secret_from_base32_lenient(&secret.0).map_err(EntryError::Secret)?;
    let mut warnings = read.warnings;
    let algorithm = match a.algorithm.map(|n| n.0) {
        None => {
            wiped_vec::push(
                &mut warnings,
                EntryWarning::Defaulted { field: "Algorithm" },
            );
            Algorithm::Sha1
        }
        Some(0) => Algorithm::Sha1,
        Some(1) => Algorithm::Sha256,
        Some(2) => Algorithm::Sha512,
        Some(other) => return Err(EntryError::UnsupportedAlgorithm(other.to_string())),
    };
    let (kind, digits, algorithm) = match kind_code {
        1 => (
            Kind::Hotp {
                counter: json::counter(a.counter.map(|n| n.0), "Counter", &mut warnings)?,
            },
            json::digits(a.digits.map(|n| n.0), "Digits", &mut warnings)?,
            algorithm,
        ),
        4 => (Kind::Steam, otpkit::Digits::SIX, Algorithm::Sha1),
        _ => (
            Kind::Totp {
                period: json::period(a.period.map(|n| n.0), "Period", &mut warnings)?,
            },
            json::digits(a.digits.map(|n| n.0), "Digits", &mut warnings)?,
            algorithm,
        ),
    };
    Ok((
        json::account(
            a.issuer.as_deref(),
            a.username.as_deref().unwrap_or(""),
            read.secret,
            algorithm,
            digits,
            kind,
        ),
        warnings,
    ))
}

/// An mOTP authenticator (type 3): see the module documentation.
fn read_motp(
    a: &Authenticator,
) -> Result<(otpkit::otpauth::Account, Vec<EntryWarning>), EntryError> {
    let text = a
        .secret
        .as_ref()
        .ok_or(EntryError::MissingField("Secret"))?;
    json::fixed_shape(Kind::Motp, a.digits.map(|n| n.0), None, true)?;
    let mut warnings = Vec::new();
    let given_pin = a
        .pin
        .as_ref()
        .map(|p| p.0.as_str())
        .filter(|p| !p.is_empty());
    let (secret_text, pin) = match given_pin {
        Some(pin) => (
            text.0.as_str(),
            Some(otpkit::Pin::new(pin).map_err(EntryError::Pin)?),
        ),
        None => {
            let split = text
                .0
                .len()
                .checked_sub(MOTP_PIN_LEN)
                .filter(|at| *at > 0 && text.0.is_char_boundary(*at));
            match split.and_then(|at| Some((text.0.get(..at)?, text.0.get(at..)?))) {
                Some((secret, pin)) => (
                    secret,
                    Some(otpkit::Pin::new(pin).map_err(EntryError::Pin)?),
                ),
                None => (text.0.as_str(), json::pin(None, &mut warnings)?),
            }
        }
    };
    let secret =
        otpkit::Secret::from_bytes_with(secret_text.as_bytes(), otpkit::LengthPolicy::AllowShort)
            .map_err(EntryError::Secret)?;
    let mut account = json::account(
        a.issuer.as_deref(),
        a.username.as_deref().unwrap_or(""),
        secret,
        Algorithm::Sha1,
        otpkit::Digits::SIX,
        Kind::Motp,
    );
    account.pin = pin;
    Ok((account, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
    use otpkit::otpauth::Kind;

    const JSON: &[u8] = br#"{"Authenticators":[
        {"Type":2,"Issuer":"Deno","Username":"mason","Secret":"JBSWY3DPEHPK3PXP",
         "Algorithm":1,"Digits":8,"Period":60,"Counter":0},
        {"Type":1,"Issuer":"Bank","Username":"bob","Secret":"GEZDGNBVGY3TQOJQ",
         "Algorithm":0,"Digits":6,"Period":30,"Counter":10}],
        "Categories":[],"AuthenticatorCategories":[],"CustomIcons":[]}"#;

    fn strong(password: &[u8], plain: &[u8]) -> Vec<u8> {
        let salt = [7u8; STRONG_SALT];
        let nonce = [9u8; STRONG_NONCE];
        let key = crypto::argon2id_key(
            &mut WorkBudget::default(),
            password,
            &salt,
            STRONG_T,
            STRONG_M_KIB,
            STRONG_P,
        )
        .unwrap();
        let (ct, tag) = crypto::gcm_seal(key.as_slice(), &nonce, plain).unwrap();
        [STRONG_MAGIC, &salt, &nonce, &ct, &tag].concat()
    }

    fn legacy(password: &[u8], plain: &[u8]) -> Vec<u8> {
        let salt = [5u8; LEGACY_SALT];
        let iv = [3u8; LEGACY_IV];
        let key = crypto::pbkdf2_key(
            &mut WorkBudget::default(),
            Prf::Sha1,
            password,
            &salt,
            LEGACY_ITERATIONS,
        )
        .unwrap();
        let ct = cbc::Encryptor::<aes::Aes256>::new_from_slices(key.as_slice(), &iv)
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(plain);
        [LEGACY_MAGIC, &salt, &iv, &ct].concat()
    }

    fn check(out: &Import) {
        assert_eq!(out.accounts.len(), 2);
        assert_eq!(out.accounts[0].issuer.as_deref(), Some("Deno"));
        assert_eq!(out.accounts[0].algorithm, Algorithm::Sha256);
        assert_eq!(out.accounts[0].digits.get(), 8);
        assert_eq!(out.accounts[1].kind, Kind::Hotp { counter: 10 });
    }

    #[test]
    fn strong_backup_round_trip_and_refusals() {
        let file = strong(b"pw", JSON);
        let mut budget = WorkBudget::default();
        check(&import(&file, Some(b"pw"), &mut budget).unwrap());
        assert!(budget.spent() > 0, "Argon2id is charged to the budget");
        let wrong = import(&file, Some(b"pX"), &mut WorkBudget::default());
        assert_eq!(wrong.unwrap_err(), ImportError::WrongPassword { format: F });
        let none = import(&file, None, &mut WorkBudget::default());
        assert_eq!(
            none.unwrap_err(),
            ImportError::PasswordRequired { format: F }
        );
        // A flipped ciphertext bit fails GCM's tag.
        let mut tampered = file.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(import(&tampered, Some(b"pw"), &mut WorkBudget::default()).is_err());
        // Too small a budget refuses the 64 MiB Argon2id before it runs.
        let mut small = WorkBudget::new(1_000, 16 << 20);
        assert!(matches!(
            import(&file, Some(b"pw"), &mut small),
            Err(ImportError::KdfBudget { .. })
        ));
        assert_eq!(small.spent(), 0);
        // Truncated headers and bodies.
        for cut in [16, 20, 32, 44, 50] {
            assert!(matches!(
                import(&file[..cut], Some(b"pw"), &mut WorkBudget::default()),
                Err(ImportError::Malformed { .. }) | Err(ImportError::WrongPassword { .. })
            ));
        }
    }

    #[test]
    fn legacy_backup_round_trip_and_refusals() {
        let file = legacy(b"pw", JSON);
        let mut budget = WorkBudget::default();
        check(&import(&file, Some(b"pw"), &mut budget).unwrap());
        assert!(budget.spent() > 0, "PBKDF2 is charged to the budget");
        // Every wrong password is WrongPassword: bad padding or not JSON.
        for i in 0..20 {
            let pw = format!("wrong{i}");
            assert_eq!(
                import(&file, Some(pw.as_bytes()), &mut WorkBudget::default()).unwrap_err(),
                ImportError::WrongPassword { format: F }
            );
        }
        let none = import(&file, None, &mut WorkBudget::default());
        assert_eq!(
            none.unwrap_err(),
            ImportError::PasswordRequired { format: F }
        );
        // Not a whole number of blocks.
        assert!(matches!(
            import(
                &file[..file.len() - 1],
                Some(b"pw"),
                &mut WorkBudget::default()
            ),
            Err(ImportError::Malformed { .. })
        ));
        // The right key over text that is not the backup is WrongPassword too (CBC
        // cannot tell), while valid JSON of the wrong shape is Malformed.
        let garbage = legacy(b"pw", b"\x01\x02 not json");
        assert_eq!(
            import(&garbage, Some(b"pw"), &mut WorkBudget::default()).unwrap_err(),
            ImportError::WrongPassword { format: F }
        );
        let shape = legacy(b"pw", b"{\"Authenticators\": 3}");
        assert!(matches!(
            import(&shape, Some(b"pw"), &mut WorkBudget::default()),
            Err(ImportError::Malformed { .. })
        ));
    }

    #[test]
    fn html_export() {
        let html = "<!doctype html><html><body><table>\
            <tr><th>Issuer</th><th>OTP Auth URI</th></tr>\
            <tr><td>Deno</td><td><code>otpauth://totp/Deno%3Amason?secret=JBSWY3DPEHPK3PXP&amp;issuer=Deno&amp;digits=8</code></td></tr>\
            <tr><td>M</td><td><code>motp://MOTP:user?secret=abcdef0123456789</code></td></tr>\
            <tr><td>Y</td><td><code>otpauth://yaotp/Y%3Au?secret=JBSWY3DPEHPK3PXP</code></td></tr>\
            <tr><td>B</td><td><code>otpauth://hotp/Bank:bob?secret=GEZDGNBVGY3TQOJQ&issuer=Bank&counter=10</code></td></tr>\
            </table></body></html>";
        let out = import(html.as_bytes(), None, &mut WorkBudget::default()).unwrap();
        assert_eq!(out.report.len(), 4);
        assert_eq!(out.accounts.len(), 2);
        assert_eq!(out.accounts[0].digits.get(), 8);
        assert_eq!(out.report[0].label, "Deno:mason");
        assert_eq!(
            out.report[1].outcome,
            Err(EntryError::UnsupportedType("mOTP".into()))
        );
        assert!(matches!(out.report[2].outcome, Err(EntryError::Uri(_))));
        assert_eq!(out.accounts[1].kind, Kind::Hotp { counter: 10 });
        for bad in [
            "<html><body>nothing</body></html>",
            "<html><code>otpauth://totp/x",
        ] {
            assert!(matches!(
                import(bad.as_bytes(), None, &mut WorkBudget::default()),
                Err(ImportError::Malformed { .. })
            ));
        }
    }

    #[test]
    fn internal_database() {
        let data = crate::app_db::tests::db(
            "CREATE TABLE \"authenticator\" (\"type\" integer, \"icon\" varchar,
                \"issuer\" varchar(32), \"username\" varchar(40),
                \"secret\" varchar primary key not null, \"pin\" varchar,
                \"algorithm\" integer, \"digits\" integer, \"period\" integer,
                \"counter\" integer, \"ranking\" integer);
             INSERT INTO authenticator VALUES (2, NULL, 'Deno', 'mason', 'JBSWY3DPEHPK3PXP',
                NULL, 1, 8, 60, 0, 0);
             INSERT INTO authenticator VALUES (1, NULL, 'Bank', 'bob', 'GEZDGNBVGY3TQOJQ',
                NULL, 0, 6, 30, 10, 1);
             INSERT INTO authenticator VALUES (3, NULL, 'M', 'u', 'abcdef', '1234',
                0, 6, 10, 0, 2);
             INSERT INTO authenticator VALUES ('x', NULL, 'T', 'u', 'KRSXG5CT',
                NULL, 0, 6, 10, 0, 3);",
        );
        let out = import(&data, None, &mut WorkBudget::default()).unwrap();
        assert_eq!(out.report.len(), 4);
        assert_eq!(out.accounts.len(), 3);
        assert_eq!(out.accounts[0].issuer.as_deref(), Some("Deno"));
        assert_eq!(out.accounts[1].kind, Kind::Hotp { counter: 10 });
        // The mOTP row, with its PIN from the `pin` column.
        assert_eq!(out.accounts[2].kind, Kind::Motp);
        assert_eq!(
            out.accounts[2].pin.as_ref().map(|p| p.as_str()),
            Some("1234")
        );
        assert_eq!(out.accounts[2].secret.as_bytes(), b"abcdef");
        assert!(matches!(
            out.report[3].outcome,
            Err(EntryError::Malformed { .. })
        ));
        let other = crate::app_db::tests::db("CREATE TABLE accounts (x);");
        assert!(matches!(
            import(&other, None, &mut WorkBudget::default()),
            Err(ImportError::Malformed { .. })
        ));
    }
}
