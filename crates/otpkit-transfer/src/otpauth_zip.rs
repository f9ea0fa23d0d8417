//! Password-protected ZIP archives holding an `otpauth://` list: WinAuth's "Export"
//! with a ZIP password (one `winauth-YYYY-MM-DD.txt`, WinAuth 3.x) and Authenticator
//! Plus's export (`Accounts.txt`), as Authenticator Pro (Stratum) and Aegis read them
//! in their importers. Both apps encrypt with traditional ZipCrypto, which is weak
//! (see [`crate::zip`]): the password keeps casual readers out, not attackers.
//!
//! The text member is read as [`Format::OtpauthList`] does; the archive's bounds are
//! [`crate::zip`]'s (at most 1024 members, each inflating to at most
//! [`crate::MAX_INPUT_LEN`] bytes). Authenticator Plus's own database (`authplus.db`,
//! SQLCipher) is refused with [`ImportError::UnsupportedEncryption`].

use crate::zip::{self, Member};
use crate::{Format, Import, ImportError, otpauth_list};

/// SQLCipher encrypts every page, its header too: such a file is a whole number of
/// pages (1 KiB at least) with no `SQLite format 3` header.
const SQLCIPHER_PAGE: usize = 1024;

pub(crate) fn import(
    format: Format,
    data: &[u8],
    password: Option<&[u8]>,
) -> Result<Import, ImportError> {
    if format == Format::AuthenticatorPlus
        && !data.starts_with(b"PK")
        && !data.is_empty()
        && data.len().is_multiple_of(SQLCIPHER_PAGE)
    {
        return Err(ImportError::UnsupportedEncryption {
            format,
            what: "Authenticator Plus's SQLCipher database is not read; export its ZIP backup",
        });
    }
    let members = zip::members(data).map_err(|e| e.into_import(format))?;
    let member = text_member(format, &members)?;
    let text = zip::read(member, password).map_err(|e| e.into_import(format))?;
    otpauth_list::import_as(format, &text)
}

/// The archive's one text member: `Accounts.txt` for Authenticator Plus, the one
/// `.txt` file for WinAuth.
fn text_member<'m, 'a>(
    format: Format,
    members: &'m [Member<'a>],
) -> Result<&'m Member<'a>, ImportError> {
    let authenticator_plus = format == Format::AuthenticatorPlus;
    let mut texts = members.iter().filter(|m| {
        !m.is_dir()
            && if authenticator_plus {
                m.name.eq_ignore_ascii_case(b"Accounts.txt")
            } else {
                m.name_text().to_ascii_lowercase().ends_with(".txt")
            }
    });
    let first = texts.next().ok_or(ImportError::malformed(
        format,
        "the archive holds no otpauth text file",
    ))?;
    if texts.next().is_some() {
        return Err(ImportError::malformed(
            format,
            "the archive holds more than one otpauth text file",
        ));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zip::write::{Spec, archive};
    use otpkit::otpauth::Kind;

    const LIST: &[u8] = b"otpauth://totp/A:alice?secret=JBSWY3DPEHPK3PXP&issuer=A\r\n\
        otpauth://hotp/B:bob?secret=GEZDGNBVGY3TQOJQ&issuer=B&counter=5&icon=WinAuth\r\n";

    fn zip(name: &str, password: Option<&[u8]>) -> Vec<u8> {
        archive(&[
            Spec {
                name: "dir/",
                content: b"",
                deflate: false,
                password: None,
            },
            Spec {
                name,
                content: LIST,
                deflate: true,
                password,
            },
        ])
    }

    #[test]
    fn winauth_and_authenticator_plus_round_trip() {
        for (format, name) in [
            (Format::WinAuth, "winauth-2024-01-02.txt"),
            (Format::AuthenticatorPlus, "Accounts.txt"),
        ] {
            let data = zip(name, Some(b"secret pw"));
            let out = import(format, &data, Some(b"secret pw")).unwrap();
            assert_eq!(out.accounts.len(), 2);
            assert_eq!(out.accounts[0].issuer.as_deref(), Some("A"));
            assert_eq!(out.accounts[1].kind, Kind::Hotp { counter: 5 });
            assert_eq!(out.report[1].label, "B:bob");
            assert_eq!(
                import(format, &data, Some(b"secret pX")).unwrap_err(),
                ImportError::WrongPassword { format }
            );
            assert_eq!(
                import(format, &data, None).unwrap_err(),
                ImportError::PasswordRequired { format }
            );
            // An unencrypted archive is read without a password.
            let plain = zip(name, None);
            assert_eq!(import(format, &plain, None).unwrap().accounts.len(), 2);
        }
    }

    #[test]
    fn the_text_member_is_found_by_name() {
        let data = zip("notes.md", None);
        assert!(matches!(
            import(Format::WinAuth, &data, None),
            Err(ImportError::Malformed { .. })
        ));
        let data = zip("winauth.txt", None);
        assert!(matches!(
            import(Format::AuthenticatorPlus, &data, None),
            Err(ImportError::Malformed { .. })
        ));
        let two = archive(&[
            Spec {
                name: "a.txt",
                content: LIST,
                deflate: false,
                password: None,
            },
            Spec {
                name: "b.txt",
                content: LIST,
                deflate: false,
                password: None,
            },
        ]);
        assert!(matches!(
            import(Format::WinAuth, &two, None),
            Err(ImportError::Malformed { .. })
        ));
    }

    #[test]
    fn empty_and_foreign_files_are_refused() {
        let empty = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        assert!(matches!(
            import(Format::WinAuth, empty, Some(b"test")),
            Err(ImportError::Malformed { .. })
        ));
        assert!(matches!(
            import(Format::WinAuth, LIST, None),
            Err(ImportError::Malformed { .. })
        ));
        // Pages of random-looking bytes: the SQLCipher database.
        let pages = vec![0xa5u8; 4096];
        assert!(matches!(
            import(Format::AuthenticatorPlus, &pages, Some(b"pw")),
            Err(ImportError::UnsupportedEncryption { .. })
        ));
        assert!(matches!(
            import(Format::WinAuth, &pages, Some(b"pw")),
            Err(ImportError::Malformed { .. })
        ));
    }
}
