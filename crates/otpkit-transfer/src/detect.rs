//! Which [`Format`] a file is in, told from its content alone: [`detect`].

use core::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::{Format, MAX_INPUT_LEN};

/// The format of an export file, told from its content; `None` when the content
/// matches no format, or the shapes of several.
///
/// What each format is recognised by:
///
/// | format | the content |
/// | --- | --- |
/// | [`Format::Aegis`] | a JSON object with `header` and `db` (plain or encrypted) |
/// | [`Format::TwoFas`] | a JSON object with `servicesEncrypted`, or `services` and `schemaVersion` |
/// | [`Format::Bitwarden`] | a JSON object with `encrypted` and one of `items`, `passwordProtected`, `encKeyValidation_DO_NOT_EDIT`, `data` |
/// | [`Format::FreeOtpPlus`] | a JSON object with `tokens` and `tokenOrder` |
/// | [`Format::AuthenticatorPro`] | a JSON object with `Authenticators` |
/// | [`Format::Cxf`] | a JSON object with `exporterRpId` and `accounts` (a CXF header) |
/// | [`Format::AndOtp`] | a JSON array whose first entry has `secret`, `label` and `type` (a plain backup) |
/// | [`Format::GoogleMigration`] | text whose first line that is neither blank nor a `#` comment starts with `otpauth-migration://` |
/// | [`Format::OtpauthList`] | text whose first such line starts with `otpauth://` |
/// | [`Format::FreeOtp`] | a Java serialisation stream (a FreeOTP 2 backup), or Android `shared_prefs` XML (`<map>`) with a `tokenOrder` preference (FreeOTP 1, and FreeOTP+'s internal file, which [`Format::FreeOtpPlus`] reads the same) |
/// | [`Format::Authy`] | `shared_prefs` XML with the preference `com.authy.storage.tokens.authenticator.key` |
/// | [`Format::BattleNet`] | `shared_prefs` XML with `com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET` |
/// | [`Format::TotpAuthenticator`] | `shared_prefs` XML with `STATIC_TOTP_CODES_LIST` (its encrypted `.bin` backup is base64 text, not detected) |
/// | [`Format::KeePass`] | the KDBX signature (`03 D9 A2 9A 67 FB 4B B5`; KeePass 1.x's `…65 FB 4B B5` too, so that reading it says its version is not supported) |
/// | [`Format::OtpauthList`] | text whose first such line starts with `otpauth://` or `apple-otpauth://` |
/// | [`Format::QrImage`] | a PNG or JPEG file (its signature) |
/// | [`Format::OtpauthList`] | text whose first such line starts with `otpauth://` (and has no WinAuth Steam `data=`) |
/// | [`Format::LastPass`] | a JSON object with `accounts` and `folders` or `deviceName` |
/// | [`Format::ProtonAuthenticator`] | a JSON object with `version` and `entries` whose first entry has `content` |
/// | [`Format::Duo`] | a JSON array whose first entry has `otpGenerator` |
/// | [`Format::Ente`] | a JSON object with `kdfParams` and `encryptedData` (the encrypted export; the plain one is an `otpauth://` list) |
/// | [`Format::Steam`] | a JSON object with `shared_secret`, or `accounts` without `version`, `folders` or `deviceName` (the Steam app), or `entries` whose first entry has `filename` (a manifest, with maFiles after it); text whose first `otpauth://` line has a `data=` parameter (WinAuth's Steam export) |
/// | [`Format::Bitwarden`] (CSV) | text whose first line is a CSV header with a `login_totp` column |
/// | [`Format::AuthenticatorPro`] | also: `AUTHENTICATORPRO` or `AuthenticatorPro` first (an encrypted backup) |
/// | [`Format::ProtonPass`] | a ZIP archive with `Proton Pass/data.json` (or `data.pgp`) |
/// | [`Format::AuthenticatorPlus`] | a ZIP archive with `Accounts.txt` |
/// | [`Format::WinAuth`] | a ZIP archive with one `.txt` member named `winauth…` |
///
/// The apps' SQLite databases ([`Format::GoogleAuthenticator`],
/// [`Format::MicrosoftAuthenticator`], Authenticator Pro's) and Authenticator Pro's
/// HTML export are not detected: they must be named.
///
/// An **encrypted andOTP backup is never detected**: it is random bytes from its
/// first byte on (an iteration count, a salt and a nonce, or a nonce alone in the old
/// format), so nothing in it tells it from any other binary file; it must be named
/// ([`Format::AndOtp`]). A JSON file is recognised by its top-level key names even when
/// it is cut short or malformed later on, so that reading it then reports where it
/// goes wrong. PSKC containers are not a format of this crate (`otpkit-pskc` reads
/// them).
///
/// Cost: one pass over the input, refused (`None`) above [`MAX_INPUT_LEN`] (of a ZIP
/// archive, only its central directory's names are read, nothing is inflated). JSON
/// values are skipped without being kept (only the key names above are compared;
/// `serde_json`'s recursion limit of 128 bounds the nesting), and of a text file only
/// the lines up to the first that is neither blank nor a comment are looked at. No
/// value read, a secret among them, is copied.
///
/// ```
/// use otpkit_transfer::{Format, detect};
/// assert_eq!(detect(br#"{"tokenOrder":[],"tokens":[]}"#), Some(Format::FreeOtpPlus));
/// assert_eq!(
///     detect(b"# my accounts\notpauth://totp/Example:alice?secret=JBSWY3DPEHPK3PXP\n"),
///     Some(Format::OtpauthList)
/// );
/// assert_eq!(detect(b"\x89PNG\r\n\x1a\n"), Some(Format::QrImage));
/// assert_eq!(detect(b"GIF89a"), None);
/// ```
pub fn detect(data: &[u8]) -> Option<Format> {
    if data.len() > MAX_INPUT_LEN {
        return None;
    }
    if crate::keepass::looks_like(data) {
        return Some(Format::KeePass);
    }
    if crate::qr_image::is_image(data) {
        return Some(Format::QrImage);
    }
    if data.starts_with(b"AUTHENTICATORPRO") || data.starts_with(b"AuthenticatorPro") {
        return Some(Format::AuthenticatorPro);
    }
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        return zip_format(data);
    }
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if crate::javaser::is_stream(data) {
        return Some(Format::FreeOtp);
    }
    match data.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => object_format(json_keys(data, Shape::Object)),
        Some(b'[') => array_format(json_keys(data, Shape::Array)),
        Some(b'<') => shared_prefs_format(data),
        Some(_) => text_format(data),
        None => None,
    }
}

/// The key names that tell the JSON formats apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    Db,
    Header,
    Services,
    ServicesEncrypted,
    SchemaVersion,
    Encrypted,
    Items,
    PasswordProtected,
    EncKeyValidation,
    Data,
    Tokens,
    TokenOrder,
    Authenticators,
    Secret,
    Label,
    Type,
    ExporterRpId,
    Accounts,
    Folders,
    DeviceName,
    Version,
    Entries,
    Content,
    Filename,
    OtpGenerator,
    KdfParams,
    EncryptedData,
    SharedSecret,
}

impl Key {
    const ALL: [Key; 28] = [
        Key::Db,
        Key::Header,
        Key::Services,
        Key::ServicesEncrypted,
        Key::SchemaVersion,
        Key::Encrypted,
        Key::Items,
        Key::PasswordProtected,
        Key::EncKeyValidation,
        Key::Data,
        Key::Tokens,
        Key::TokenOrder,
        Key::Authenticators,
        Key::Secret,
        Key::Label,
        Key::Type,
        Key::ExporterRpId,
        Key::Accounts,
        Key::Folders,
        Key::DeviceName,
        Key::Version,
        Key::Entries,
        Key::Content,
        Key::Filename,
        Key::OtpGenerator,
        Key::KdfParams,
        Key::EncryptedData,
        Key::SharedSecret,
    ];

    const fn name(self) -> &'static str {
        match self {
            Key::Db => "db",
            Key::Header => "header",
            Key::Services => "services",
            Key::ServicesEncrypted => "servicesEncrypted",
            Key::SchemaVersion => "schemaVersion",
            Key::Encrypted => "encrypted",
            Key::Items => "items",
            Key::PasswordProtected => "passwordProtected",
            Key::EncKeyValidation => "encKeyValidation_DO_NOT_EDIT",
            Key::Data => "data",
            Key::Tokens => "tokens",
            Key::TokenOrder => "tokenOrder",
            Key::Authenticators => "Authenticators",
            Key::Secret => "secret",
            Key::Label => "label",
            Key::Type => "type",
            Key::ExporterRpId => "exporterRpId",
            Key::Accounts => "accounts",
            Key::Folders => "folders",
            Key::DeviceName => "deviceName",
            Key::Version => "version",
            Key::Entries => "entries",
            Key::Content => "content",
            Key::Filename => "filename",
            Key::OtpGenerator => "otpGenerator",
            Key::KdfParams => "kdfParams",
            Key::EncryptedData => "encryptedData",
            Key::SharedSecret => "shared_secret",
        }
    }

    const fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// The set of [`Key`]s an object has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Keys(u32);

impl Keys {
    fn has(self, key: Key) -> bool {
        self.0 & key.bit() != 0
    }

    fn any(self, keys: &[Key]) -> bool {
        keys.iter().any(|&k| self.has(k))
    }
}

/// Which value's keys are collected: the top-level object's, or the first entry's of
/// a top-level array.
#[derive(Clone, Copy)]
enum Shape {
    Object,
    Array,
}

/// The keys of the top-level object (or of the array's first entry), as far as the
/// JSON is well formed.
fn json_keys(data: &[u8], shape: Shape) -> Keys {
    let mut keys = Keys::default();
    let mut de = serde_json::Deserializer::from_slice(data);
    // A parse error ends the reading; the keys seen before it still count.
    let _ = match shape {
        Shape::Object => de::Deserializer::deserialize_map(&mut de, ObjectKeys(&mut keys, true)),
        Shape::Array => de::Deserializer::deserialize_seq(&mut de, FirstEntryKeys(&mut keys, true)),
    };
    keys
}

fn object_format(keys: Keys) -> Option<Format> {
    let candidates = [
        (keys.has(Key::Db) && keys.has(Key::Header), Format::Aegis),
        (
            keys.has(Key::ServicesEncrypted)
                || (keys.has(Key::Services) && keys.has(Key::SchemaVersion)),
            Format::TwoFas,
        ),
        (
            keys.has(Key::Encrypted)
                && keys.any(&[
                    Key::Items,
                    Key::PasswordProtected,
                    Key::EncKeyValidation,
                    Key::Data,
                ]),
            Format::Bitwarden,
        ),
        (
            keys.has(Key::Tokens) && keys.has(Key::TokenOrder),
            Format::FreeOtpPlus,
        ),
        (keys.has(Key::Authenticators), Format::AuthenticatorPro),
        (
            keys.has(Key::ExporterRpId) && keys.has(Key::Accounts),
            Format::Cxf,
        ),
        (
            keys.has(Key::Accounts) && keys.any(&[Key::Folders, Key::DeviceName]),
            Format::LastPass,
        ),
        (
            keys.has(Key::Version) && keys.has(Key::Entries) && keys.has(Key::Content),
            Format::ProtonAuthenticator,
        ),
        (
            keys.has(Key::KdfParams) && keys.has(Key::EncryptedData),
            Format::Ente,
        ),
        (
            keys.has(Key::SharedSecret)
                || (keys.has(Key::Accounts)
                    && !keys.any(&[
                        Key::Folders,
                        Key::DeviceName,
                        Key::Version,
                        Key::ExporterRpId,
                    ]))
                || (keys.has(Key::Entries) && keys.has(Key::Filename)),
            Format::Steam,
        ),
    ];
    only_one(candidates.into_iter().filter_map(|(m, f)| m.then_some(f)))
}

fn array_format(keys: Keys) -> Option<Format> {
    if keys.has(Key::OtpGenerator) {
        return Some(Format::Duo);
    }
    (keys.has(Key::Secret) && keys.has(Key::Label) && keys.has(Key::Type)).then_some(Format::AndOtp)
}

/// The single format of `matches`; `None` for none or several.
fn only_one(mut matches: impl Iterator<Item = Format>) -> Option<Format> {
    let first = matches.next()?;
    matches.next().is_none().then_some(first)
}

/// Android `shared_prefs` XML, told by the preference that holds each app's
/// accounts (Android writes attribute values in double quotes). Five linear scans.
fn shared_prefs_format(data: &[u8]) -> Option<Format> {
    let has = |needle: &[u8]| data.windows(needle.len()).any(|w| w == needle);
    if !has(b"<map") {
        return None;
    }
    let prefs: [(&[u8], Format); 4] = [
        (
            b"name=\"com.authy.storage.tokens.authenticator.key\"",
            Format::Authy,
        ),
        (
            b"name=\"com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET\"",
            Format::BattleNet,
        ),
        (
            b"name=\"STATIC_TOTP_CODES_LIST\"",
            Format::TotpAuthenticator,
        ),
        (b"name=\"tokenOrder\"", Format::FreeOtp),
    ];
    only_one(
        prefs
            .into_iter()
            .filter(|(name, _)| has(name))
            .map(|(_, format)| format),
    )
}

/// A ZIP archive's format, from its members' names.
fn zip_format(data: &[u8]) -> Option<Format> {
    let members = crate::zip::members(data).ok()?;
    let files: Vec<String> = members
        .iter()
        .filter(|m| !m.is_dir())
        .map(|m| m.name_text())
        .collect();
    if files
        .iter()
        .any(|n| n == "Proton Pass/data.json" || n == "Proton Pass/data.pgp")
    {
        return Some(Format::ProtonPass);
    }
    if files.iter().any(|n| n.eq_ignore_ascii_case("Accounts.txt")) {
        return Some(Format::AuthenticatorPlus);
    }
    match files.as_slice() {
        [one] => {
            let lower = one.to_ascii_lowercase();
            (lower.starts_with("winauth") && lower.ends_with(".txt")).then_some(Format::WinAuth)
        }
        _ => None,
    }
}

fn text_format(data: &[u8]) -> Option<Format> {
    // Blank lines and `#` comments skipped in one pass, without splitting lines.
    let mut line = data.trim_ascii_start();
    while line.starts_with(b"#") {
        let end = line.iter().position(|&b| b == b'\n')?;
        line = line.get(end..)?.trim_ascii_start();
    }
    let starts = |prefix: &[u8]| {
        line.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    let first_line = line
        .get(..line.iter().position(|&b| b == b'\n').unwrap_or(line.len()))
        .unwrap_or(line);
    if starts(b"otpauth-migration://") {
        Some(Format::GoogleMigration)
    } else if starts(b"apple-otpauth://") {
        Some(Format::OtpauthList)
    } else if starts(b"otpauth://") {
        // WinAuth's Steam export: the maFile in `data=`, a placeholder in `secret=`.
        let winauth = first_line
            .windows(6)
            .any(|w| w == b"?data=" || w == b"&data=");
        Some(if winauth {
            Format::Steam
        } else {
            Format::OtpauthList
        })
    } else if first_line
        .split(|&b| b == b',')
        .any(|column| column.trim_ascii() == b"login_totp")
    {
        Some(Format::Bitwarden)
    } else {
        None
    }
}

/// Collects an object's [`Key`]s into `.0`, skipping every value but, when `.1`, the
/// first entry of `entries`.
struct ObjectKeys<'k>(&'k mut Keys, bool);

impl<'de> Visitor<'de> for ObjectKeys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeyName)? {
            if let Some(key) = key {
                self.0.0 |= key.bit();
            }
            if key == Some(Key::Entries) && self.1 {
                // The first entry's `content` (Proton) or `filename` (Steam manifest),
                // one level down only.
                let mut inner = Keys::default();
                map.next_value_seed(FirstEntryKeys(&mut inner, false))?;
                self.0.0 |= inner.0 & (Key::Content.bit() | Key::Filename.bit());
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ObjectKeys<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// Collects the [`Key`]s of an array's first entry, skipping the other entries.
struct FirstEntryKeys<'k>(&'k mut Keys, bool);

impl<'de> DeserializeSeed<'de> for FirstEntryKeys<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FirstEntryKeys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if seq.next_element_seed(ObjectKeys(self.0, self.1))?.is_some() {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
        }
        Ok(())
    }
}

/// A key name: the [`Key`] it is, if any. Nothing is kept of other names.
struct KeyName;

impl<'de> DeserializeSeed<'de> for KeyName {
    type Value = Option<Key>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Key>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyName {
    type Value = Option<Key>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Option<Key>, E> {
        Ok(Key::ALL.into_iter().find(|k| k.name() == name))
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::Value;

    use super::*;

    fn data(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn every_plain_and_json_test_file_is_detected_as_its_format() {
        for (name, format) in [
            ("aegis_plain.json", Some(Format::Aegis)),
            ("aegis_encrypted.json", Some(Format::Aegis)),
            ("twofas_plain.2fas", Some(Format::TwoFas)),
            ("twofas_encrypted.2fas", Some(Format::TwoFas)),
            ("andotp_plain.json", Some(Format::AndOtp)),
            ("bitwarden_plain.json", Some(Format::Bitwarden)),
            ("bitwarden_encrypted.json", Some(Format::Bitwarden)),
            ("freeotp_plus.json", Some(Format::FreeOtpPlus)),
            ("authpro_plain.json", Some(Format::AuthenticatorPro)),
            ("otpauth_list.txt", Some(Format::OtpauthList)),
            ("android/freeotp_tokens.xml", Some(Format::FreeOtp)),
            ("android/freeotp_backup.xml", Some(Format::FreeOtp)),
            ("android/freeotp_plus_internal.xml", Some(Format::FreeOtp)),
            ("android/authy_plain.xml", Some(Format::Authy)),
            ("android/authy_encrypted.xml", Some(Format::Authy)),
            ("android/battle_net.xml", Some(Format::BattleNet)),
            (
                "android/totp_authenticator_internal.xml",
                Some(Format::TotpAuthenticator),
            ),
            ("android/totp_authenticator.bin", None),
            // Random bytes from the first on: nothing to tell them by.
            ("andotp_encrypted.bin", None),
            ("andotp_encrypted_old.bin", None),
        ] {
            assert_eq!(detect(&data(name)), format, "{name}");
        }
    }

    #[test]
    fn archives_and_encrypted_authenticator_pro_backups_are_told_by_their_start() {
        use crate::zip::write::{Spec, archive};
        let zip = |names: &[&'static str]| {
            let specs: Vec<Spec<'_>> = names
                .iter()
                .map(|&name| Spec {
                    name,
                    content: b"otpauth://totp/x?secret=JBSWY3DP",
                    deflate: false,
                    password: Some(b"pw"),
                })
                .collect();
            archive(&specs)
        };
        assert_eq!(
            detect(&zip(&["Proton Pass/data.json"])),
            Some(Format::ProtonPass)
        );
        assert_eq!(
            detect(&zip(&["Accounts.txt"])),
            Some(Format::AuthenticatorPlus)
        );
        assert_eq!(
            detect(&zip(&["winauth-2024-01-02.txt"])),
            Some(Format::WinAuth)
        );
        assert_eq!(detect(&zip(&["notes.txt"])), None);
        assert_eq!(detect(&zip(&["winauth-1.txt", "winauth-2.txt"])), None);
        assert_eq!(detect(b"PK\x05\x06"), None);
        assert_eq!(
            detect(b"AUTHENTICATORPRO\x01\x02"),
            Some(Format::AuthenticatorPro)
        );
        assert_eq!(
            detect(b"AuthenticatorPro\x01\x02"),
            Some(Format::AuthenticatorPro)
        );
    }

    #[test]
    fn text_is_told_by_its_first_line_that_is_not_blank_or_a_comment() {
        let migration = b"\xEF\xBB\xBF\n# scanned\n\n  OTPAUTH-MIGRATION://offline?data=x\n";
        assert_eq!(detect(migration), Some(Format::GoogleMigration));
        assert_eq!(
            detect(b"otpauth://totp/a?secret=A\r\nnot a uri\n"),
            Some(Format::OtpauthList)
        );
        for other in [
            &b""[..],
            b"  \n\n",
            b"# only a comment\n",
            b"QR-Code:otpauth-migration://offline?data=x",
            b"<?xml version=\"1.0\"?><KeyContainer/>",
            // shared_prefs of no app read here, or of two apps at once.
            b"<map><string name=\"other\">x</string></map>",
            b"<map><string name=\"tokenOrder\">[]</string><string name=\"STATIC_TOTP_CODES_LIST\">[]</string></map>",
            b"<list><string name=\"tokenOrder\">[]</string></list>",
            b"\x89PNG\r\n\x1a",
            b"\xFF\xD8",
            b"GIF89a",
        ] {
            assert_eq!(detect(other), None, "{:?}", String::from_utf8_lossy(other));
        }
        // Images by their signature, whatever follows (reading them says if they are
        // whole).
        for image in [
            &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..],
            b"\xFF\xD8\xFF\xE0\0\x10JFIF",
        ] {
            assert_eq!(detect(image), Some(Format::QrImage));
        }
        assert_eq!(
            detect(b"apple-otpauth://totp/a?secret=A\n"),
            Some(Format::OtpauthList)
        );
    }

    #[test]
    fn issue_29_formats_are_told_apart() {
        for (input, format) in [
            (
                &br#"{"version":3,"accounts":[],"folders":[]}"#[..],
                Format::LastPass,
            ),
            (
                br#"{"deviceName":"x","accounts":[{"secret":"A"}]}"#,
                Format::LastPass,
            ),
            (
                br#"{"version":1,"entries":[{"id":"1","content":{"uri":"otpauth://"}}]}"#,
                Format::ProtonAuthenticator,
            ),
            (br#"[{"name":"a","otpGenerator":{}}]"#, Format::Duo),
            (
                br#"{"version":1,"kdfParams":{},"encryptedData":"","encryptionNonce":""}"#,
                Format::Ente,
            ),
            (
                br#"{"shared_secret":"AA==","account_name":"a"}"#,
                Format::Steam,
            ),
            (br#"{"accounts":{"1":{}}}"#, Format::Steam),
            (
                b"{\"version\":1,\"entries\":[{\"filename\":\"1.maFile\"}]}\nBASE64==",
                Format::Steam,
            ),
            (
                b"otpauth://totp/Steam:a?secret=ASDF&issuer=Steam&data=%7B%7D\n",
                Format::Steam,
            ),
            (b"folder,name,login_totp\n,,x\n", Format::Bitwarden),
        ] {
            assert_eq!(
                detect(input),
                Some(format),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        // A version-1 list of entries of no known shape, and `content`/`filename`
        // nested deeper than the first entry of `entries`, are no format.
        for other in [
            &br#"{"version":1,"entries":[{"id":"1"}]}"#[..],
            br#"{"version":1,"entries":[{"x":{"content":1}}]}"#,
            br#"{"version":1,"x":{"entries":[{"content":1}]}}"#,
            b"name,login_uri\nx,y\n",
        ] {
            assert_eq!(detect(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn json_is_told_by_its_key_names_even_when_cut_short() {
        assert_eq!(
            detect(br#"{"version":1,"header":{"slots":null},"db":{"entries":[{"na"#),
            Some(Format::Aegis)
        );
        assert_eq!(
            detect(br#"[{"secret":"A","label":"x","type":"TOTP","digits":6},{"#),
            Some(Format::AndOtp)
        );
        // Escaped key names are the same names.
        assert_eq!(
            detect(br#"{"Authenticator\u0073":[]}"#),
            Some(Format::AuthenticatorPro)
        );
        // A CXF header: `exporterRpId` beside `accounts`, in any order.
        assert_eq!(
            detect(
                br#"{"version":{"major":1,"minor":0},"exporterRpId":"a.example","accounts":[{"it"#
            ),
            Some(Format::Cxf)
        );
        assert_eq!(
            detect(br#"{"accounts":[],"exporterRpId":"a.example"}"#),
            Some(Format::Cxf)
        );
        assert_eq!(detect(br#"{"exporterRpId":"a.example"}"#), None);
        for other in [
            // Two formats' shapes at once, or none.
            &br#"{"tokens":[],"tokenOrder":[],"Authenticators":[]}"#[..],
            br#"{"version":1,"accounts":[]}"#,
            br#"{"db":{}}"#,
            // (`shared_secret` alone is a Steam maFile's key since issue 29.)
            br#"{"secret_key":"x","tokens":null}"#,
            br#"[]"#,
            br#"[{"name":"x","secret":"A","type":"totp"}]"#,
            br#"["secret","label","type"]"#,
            // Keys below the top level do not count.
            br#"{"x":{"tokens":[]}}"#,
            b"{",
        ] {
            assert_eq!(detect(other), None, "{}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn kdbx_signatures_are_keepass() {
        let kdbx = b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5\x01\x00\x04\x00";
        assert_eq!(detect(kdbx), Some(Format::KeePass));
        // KeePass 1.x: detected, so that reading it names its version.
        assert_eq!(
            detect(b"\x03\xd9\xa2\x9a\x65\xfb\x4b\xb5"),
            Some(Format::KeePass)
        );
        assert_eq!(detect(b"\x03\xd9\xa2\x9a\x66\xfb\x4b\xb5"), None);
        assert_eq!(detect(b"\x03\xd9\xa2\x9a"), None);
    }

    #[test]
    fn hostile_json_is_read_in_one_bounded_pass() {
        let deep = "[".repeat(100_000);
        assert_eq!(detect(deep.as_bytes()), None);
        let wide = format!(
            "{{{}\"tokens\":1,\"tokenOrder\":1}}",
            "\"k\":[[[]]],".repeat(200_000)
        );
        assert_eq!(detect(wide.as_bytes()), Some(Format::FreeOtpPlus));
        let huge = vec![b' '; MAX_INPUT_LEN + 1];
        assert_eq!(detect(&huge), None);
    }

    /// The interop corpus (`../shared/interop`, read in place): every file whose
    /// format this crate reads is detected as it, and every other file as no format
    /// but where its content is one (an app's plain text export of `otpauth://` URIs
    /// is an otpauth list). Skips, with a message, when the corpus is absent.
    #[test]
    fn interop_corpus_files_are_detected_as_their_format() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/interop");
        let Ok(expected) = std::fs::read(dir.join("expected.json")) else {
            println!("SKIP interop corpus: ../shared/interop/expected.json not found");
            return;
        };
        let expected: Value = serde_json::from_slice(&expected).unwrap();
        let mut checked = 0;
        let mut failures = Vec::new();
        for record in expected["files"].as_array().unwrap() {
            let file = record["file"].as_str().unwrap();
            let want = corpus_format(file);
            let got = detect(&std::fs::read(dir.join(file)).unwrap());
            if got != want {
                failures.push(format!("{file}: detected {got:?}, expected {want:?}"));
            }
            checked += 1;
        }
        assert!(checked > 150, "{checked} files");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The format a corpus file is in, from its folder (`samples/<app>/…`) and name;
    /// `None` for files in no format of this crate.
    fn corpus_format(file: &str) -> Option<Format> {
        let name = file.rsplit('/').next().unwrap_or(file);
        let folder = file.split('/').nth(1).unwrap_or("");
        let encrypted_andotp = folder == "andotp" && name.ends_with(".bin");
        // Two of the malformed migration files are not migration URIs at all: Lorem
        // ipsum, and a URI behind a `QR-Code:` prefix.
        let not_migration_text =
            name == "test_export_wrong_content.txt" || name == "test_export_wrong_prefix.txt";
        if name == "password" || encrypted_andotp || not_migration_text {
            return None;
        }
        match folder {
            "aegis" if name.ends_with(".txt") => Some(Format::OtpauthList),
            "aegis" => Some(Format::Aegis),
            "2fas" => Some(Format::TwoFas),
            "andotp" => Some(Format::AndOtp),
            "bitwarden" => Some(Format::Bitwarden),
            "lastpass" => Some(Format::LastPass),
            "proton_authenticator" => Some(Format::ProtonAuthenticator),
            "duo" => Some(Format::Duo),
            "ente_auth" if !ente_plain(name) || name.ends_with(".json") => Some(Format::Ente),
            // An encrypted maFile alone is base64 text: no format shows in it.
            "steam" if file.contains("-encrypted/") && name.ends_with(".maFile") => None,
            "steam" => Some(Format::Steam),
            "freeotp_plus" if name.ends_with(".json") => Some(Format::FreeOtpPlus),
            // FreeOTP+'s internal XML is FreeOTP 1's layout.
            "freeotp_plus" | "freeotp" => Some(Format::FreeOtp),
            "authy" => Some(Format::Authy),
            "battle_net" => Some(Format::BattleNet),
            // The encrypted backup is base64 text: not told apart.
            "totp_authenticator" if name.ends_with(".xml") => Some(Format::TotpAuthenticator),
            "authenticator_pro_stratum"
                if name == "stratum_plain.json"
                    || name.ends_with(".authpro")
                    || name.starts_with("stratum_encrypted") =>
            {
                Some(Format::AuthenticatorPro)
            }
            "authenticator_plus" if name.ends_with(".zip") => Some(Format::AuthenticatorPlus),
            "winauth" if name == "winauth.zip" => Some(Format::WinAuth),
            "proton_pass" => Some(Format::ProtonPass),
            "otpauth_uri_list" => Some(Format::OtpauthList),
            "keepass" => Some(Format::KeePass),
            "google_authenticator" if name.ends_with(".txt") => Some(Format::GoogleMigration),
            // Screenshots of QR codes (every image of the corpus is one).
            _ if name.ends_with(".png") || name.ends_with(".jpg") || name.ends_with(".jpeg") => {
                Some(Format::QrImage)
            }
            // Plain text exports of other apps that are `otpauth://` lists.
            "ente_auth" if name.ends_with(".txt") => {
                ente_plain(name).then_some(Format::OtpauthList)
            }
            _ => None,
        }
    }

    /// Ente's plain text exports (its encrypted ones are JSON of another shape).
    fn ente_plain(name: &str) -> bool {
        !name.starts_with("encrypted.")
    }
}
