//! Proton Pass's unencrypted export: a ZIP holding `Proton Pass/data.json`,
//! `{"vaults": {"<id>": {"name", "items": [{"data": {"metadata": {"name"},
//! "content": {"totpUri"}, "extraFields": [{"type": "totp", "data": {"totpUri"}}]}}]}}}`.
//! Every login's `content.totpUri` (when not empty) and every custom field of type
//! `totp` is one entry, in the file's order (vaults in the order written). Layout as
//! Proton's own importer (`proton-pass-common`, `proton-authenticator`'s Pass
//! parser) reads it.
//!
//! Proton Pass writes a URI with no account name as `<item title>:Proton Pass` with
//! the item title as issuer; such an entry is named after the item with issuer
//! "Proton Pass", as Proton Authenticator imports it. A PGP-encrypted export
//! (`data.pgp`) is refused with [`ImportError::UnsupportedEncryption`].
//!
//! Bounds: the archive's ([`crate::zip`]); `data.json` inflates to at most
//! [`crate::MAX_INPUT_LEN`] bytes and yields at most [`crate::MAX_ENTRIES`] entries.
//! Only the fields above are read: passwords, notes and the rest of each item are
//! skipped by the parser, never copied.

use core::fmt;

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};

use serde_json::value::RawValue;

use crate::json::{self, SecretText};
use crate::otpauth_list::parse_uri;
use crate::zip;
use crate::{Format, Import, ImportError, label_of};

const F: Format = Format::ProtonPass;
const DATA_JSON: &[u8] = b"Proton Pass/data.json";
const DATA_PGP: &[u8] = b"Proton Pass/data.pgp";
/// The account name Proton Pass writes into a URI that has none.
const PLACEHOLDER: &str = "Proton Pass";

#[derive(Deserialize)]
struct Export<'a> {
    #[serde(borrow)]
    vaults: Vaults<'a>,
}

/// The vaults in the file's order (a map would sort them by id).
struct Vaults<'a>(Vec<Vault<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Vaults<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(core::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Vaults<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of vaults")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vaults<'a>, A::Error> {
                let mut out = Vec::new();
                while let Some((_, vault)) = map.next_entry::<IgnoredAny, Vault<'a>>()? {
                    out.push(vault);
                }
                Ok(Vaults(out))
            }
        }
        d.deserialize_map(V(core::marker::PhantomData))
    }
}

/// A vault's items, each kept as raw text and read on its own (one item of an
/// unexpected shape is reported, the others still read).
#[derive(Deserialize)]
struct Vault<'a> {
    #[serde(default, borrow)]
    items: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Item {
    data: ItemData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemData {
    metadata: Option<Metadata>,
    content: Option<Content>,
    extra_fields: Option<Vec<ExtraField>>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Content {
    totp_uri: Option<SecretText>,
}

#[derive(Deserialize)]
struct ExtraField {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    data: Option<ExtraData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExtraData {
    totp_uri: Option<SecretText>,
}

pub(crate) fn import(data: &[u8]) -> Result<Import, ImportError> {
    let members = zip::members(data).map_err(|e| e.into_import(F))?;
    if members.iter().any(|m| m.name == DATA_PGP) {
        return Err(ImportError::UnsupportedEncryption {
            format: F,
            what: "PGP-encrypted Proton Pass exports are not supported; export without encryption",
        });
    }
    let member = members
        .iter()
        .find(|m| m.name == DATA_JSON)
        .ok_or(ImportError::malformed(
            F,
            "the archive has no Proton Pass/data.json",
        ))?;
    let json = zip::read(member, None).map_err(|e| e.into_import(F))?;
    import_json(&json)
}

fn import_json(json: &[u8]) -> Result<Import, ImportError> {
    let export: Export = serde_json::from_slice(json)
        .map_err(|e| ImportError::json(F, "expected a Proton Pass export with vaults", &e))?;
    let mut out = Import::new();
    for raw in export.vaults.0.iter().flat_map(|v| &v.items) {
        let item = match json::entry::<Item>(raw) {
            Ok(item) => item,
            Err(e) => {
                out.push(String::new(), Err(e))?;
                continue;
            }
        };
        let title = item.data.metadata.as_ref().map_or("", |m| m.name.as_str());
        let main = item.data.content.as_ref().and_then(|c| c.totp_uri.as_ref());
        let fields = item.data.extra_fields.iter().flatten().filter_map(|f| {
            f.kind
                .as_deref()
                .filter(|k| k.eq_ignore_ascii_case("totp"))
                .and(f.data.as_ref())
                .and_then(|d| d.totp_uri.as_ref())
        });
        for uri in main.into_iter().chain(fields) {
            let uri = uri.0.trim();
            if uri.is_empty() {
                continue;
            }
            let result = parse_uri(uri).map(|(mut account, warnings)| {
                if account.name == PLACEHOLDER
                    && account.issuer.as_deref().is_none_or(|i| i == title)
                {
                    account.name = title.to_owned();
                    account.issuer = Some(PLACEHOLDER.to_owned());
                }
                (account, warnings)
            });
            let label = match &result {
                Ok((account, _)) => label_of(account.issuer.as_deref(), &account.name),
                Err(_) => title.to_owned(),
            };
            out.push(label, result)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EntryError;
    use crate::zip::write::{Spec, archive};

    const JSON: &str = r#"{"version":"1.0","userId":"u","vaults":{
        "zzz":{"name":"Personal","items":[
          {"itemId":"1","data":{"metadata":{"name":"Plain login"},"extraFields":[],
            "type":"login","content":{"password":"hunter2","totpUri":""}}},
          {"itemId":"2","data":{"metadata":{"name":"Note"},"extraFields":[],"type":"note","content":{}}},
          {"itemId":"3","data":{"metadata":{"name":"Site"},"type":"login",
            "content":{"totpUri":"otpauth://totp/Site:me?issuer=Site&secret=JBSWY3DPEHPK3PXP&digits=8"},
            "extraFields":[
              {"fieldName":"pin","type":"hidden","data":{"content":"1234"}},
              {"fieldName":"2nd","type":"totp","data":{"totpUri":"otpauth://totp/Site:Proton%20Pass?issuer=Site&secret=GEZDGNBVGY3TQOJQ"}},
              {"fieldName":"bad","type":"totp","data":{"totpUri":"otpauth://totp/Broken"}}]}}]},
        "aaa":{"name":"Second","items":[
          {"itemId":"4","data":{"metadata":{"name":"Other"},"extraFields":[],"type":"login",
            "content":{"totpUri":"otpauth://totp/Other:you?secret=KRSXG5CTMVRXEZLU"}}}]}}}"#;

    fn zip_of(name: &str, content: &[u8]) -> Vec<u8> {
        archive(&[
            Spec {
                name: "Proton Pass/",
                content: b"",
                deflate: false,
                password: None,
            },
            Spec {
                name,
                content,
                deflate: true,
                password: None,
            },
        ])
    }

    #[test]
    fn logins_and_totp_fields_in_file_order() {
        let out = import(&zip_of("Proton Pass/data.json", JSON.as_bytes())).unwrap();
        assert_eq!(out.report.len(), 4);
        assert_eq!(out.accounts.len(), 3);
        assert_eq!(out.accounts[0].issuer.as_deref(), Some("Site"));
        assert_eq!(out.accounts[0].name, "me");
        assert_eq!(out.accounts[0].digits.get(), 8);
        // The placeholder account name: named after the item, issuer Proton Pass.
        assert_eq!(out.accounts[1].issuer.as_deref(), Some("Proton Pass"));
        assert_eq!(out.accounts[1].name, "Site");
        assert_eq!(out.report[1].label, "Proton Pass:Site");
        // A malformed TOTP field is reported, not dropped.
        assert!(matches!(out.report[2].outcome, Err(EntryError::Uri(_))));
        assert_eq!(out.report[2].label, "Site");
        // The second vault comes after the first, as written (not sorted by id).
        assert_eq!(out.accounts[2].issuer.as_deref(), Some("Other"));
    }

    #[test]
    fn missing_encrypted_and_malformed_exports_are_refused() {
        assert!(matches!(
            import(&zip_of("other.json", JSON.as_bytes())),
            Err(ImportError::Malformed { .. })
        ));
        assert!(matches!(
            import(&zip_of(
                "Proton Pass/data.pgp",
                b"-----BEGIN PGP MESSAGE-----"
            )),
            Err(ImportError::UnsupportedEncryption { .. })
        ));
        assert!(matches!(
            import(&zip_of("Proton Pass/data.json", b"{\"vaults\": []}")),
            Err(ImportError::Malformed { .. })
        ));
        // An item of an unexpected shape is reported; the others are read.
        let odd = JSON.replacen(
            "{\"itemId\":\"2\",\"data\":{",
            "{\"itemId\":\"2\",\"data\":7,\"x\":{",
            1,
        );
        let out = import(&zip_of("Proton Pass/data.json", odd.as_bytes())).unwrap();
        assert_eq!(out.report.len(), 5);
        assert!(matches!(
            out.report[0].outcome,
            Err(EntryError::Malformed { .. })
        ));
        assert_eq!(out.accounts.len(), 3);
        assert!(matches!(
            import(JSON.as_bytes()),
            Err(ImportError::Malformed { .. })
        ));
        let cut = zip_of("Proton Pass/data.json", JSON.as_bytes());
        assert!(import(&cut[..cut.len() / 2]).is_err());
    }
}
