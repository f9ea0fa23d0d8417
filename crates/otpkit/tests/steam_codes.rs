//! Steam Guard codes: fixed vectors, an independent straightforward computation, the
//! `steam://` and `otpauth://` entry points.

use hmac::{Hmac, KeyInit, Mac};
use otpkit::steam::{
    MAX_STEAM_URI_LEN, STEAM_ALPHABET, SteamGuard, SteamUriError, parse_steam_uri,
};
use otpkit::{Secret, SecretError, Window};
use proptest::prelude::*;

const RFC: &[u8] = b"12345678901234567890";

/// The algorithm as Steam's clients describe it (e.g. the `steam-auth-js` and
/// `steampy` implementations in public code): HMAC-SHA1 over the big-endian 30 s
/// step, RFC 4226 dynamic truncation, then five times `alphabet[v % 26]; v /= 26`.
/// Written here from scratch with the `hmac` crate directly, not through otpkit's
/// keyed HMAC, truncation or alphabet code.
fn reference(secret: &[u8], unix: u64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    mac.update(&(unix / 30).to_be_bytes());
    let tag = mac.finalize().into_bytes();
    let offset = (tag[19] & 0x0f) as usize;
    let mut v = u32::from_be_bytes(tag[offset..offset + 4].try_into().unwrap()) & 0x7fff_ffff;
    let chars = "23456789BCDFGHJKMNPQRTVWXY".as_bytes();
    let mut out = String::new();
    for _ in 0..5 {
        out.push(chars[(v % 26) as usize] as char);
        v /= 26;
    }
    out
}

#[test]
fn fixed_vectors() {
    // Computed with Python 3's hmac/hashlib/struct (an implementation independent of
    // both this crate and the reference above) for the RFC 4226 test secret:
    //   h = hmac.new(secret, struct.pack('>Q', t // 30), hashlib.sha1).digest()
    //   o = h[19] & 15; v = struct.unpack('>I', h[o:o+4])[0] & 0x7fffffff
    //   five times: out += alphabet[v % 26]; v //= 26
    let guard = SteamGuard::new(&Secret::from_bytes(RFC).unwrap());
    for (unix, code) in [
        (59, "PV9M4"),
        (1_111_111_109, "PY4YB"),
        (1_234_567_890, "VHHQY"),
        (1_700_000_000, "R87JJ"),
        (2_000_000_000, "9N776"),
    ] {
        assert_eq!(guard.code_at(unix).unwrap().to_string(), code, "{unix}");
        assert_eq!(reference(RFC, unix), code, "{unix}");
    }
}

#[test]
fn alphabet_is_steams() {
    assert_eq!(STEAM_ALPHABET, b"23456789BCDFGHJKMNPQRTVWXY");
}

proptest! {
    #[test]
    fn matches_the_independent_computation(
        secret in prop::collection::vec(any::<u8>(), 16..=64),
        unix in any::<u64>(),
    ) {
        let guard = SteamGuard::new(&Secret::from_bytes(&secret).unwrap());
        let code = guard.code_at(unix).unwrap();
        prop_assert_eq!(code.as_str(), reference(&secret, unix));
        prop_assert!(code.as_str().bytes().all(|b| STEAM_ALPHABET.contains(&b)));
        prop_assert_eq!(guard.code_at_step(unix / 30), code);
    }
}

#[test]
fn verify_window_case_and_mismatch() {
    let guard = SteamGuard::new(&Secret::from_bytes(RFC).unwrap());
    let t = 1_700_000_000;
    let code = guard.code_at(t).unwrap().to_string();
    let m = guard.verify(&code, t, Window::exact()).unwrap();
    assert_eq!((m.step, m.offset), (t / 30, 0));
    let m = guard
        .verify(
            &format!(" {} ", code.to_ascii_lowercase()),
            t + 30,
            Window::default(),
        )
        .unwrap();
    assert_eq!(m.offset, -1);
    assert!(guard.verify(&code, t + 60, Window::default()).is_err());
    assert!(guard.verify(&code[..4], t, Window::default()).is_err());
    assert!(
        guard
            .verify(&format!("{code}2"), t, Window::default())
            .is_err()
    );
    assert!(guard.verify("", t, Window::default()).is_err());
}

#[test]
fn seconds_left() {
    let guard = SteamGuard::new(&Secret::from_bytes(RFC).unwrap());
    assert_eq!(guard.seconds_left(0), 30);
    assert_eq!(guard.seconds_left(29), 1);
    assert_eq!(guard.seconds_left(30), 30);
}

#[test]
fn debug_is_redacted() {
    let guard = SteamGuard::new(&Secret::from_bytes(RFC).unwrap());
    let code = guard.code_at(59).unwrap();
    assert_eq!(format!("{code:?}"), "SteamCode(..)");
    assert!(!format!("{guard:?}").contains("49"));
}

#[test]
fn steam_uri() {
    let s = parse_steam_uri("steam://GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap();
    assert_eq!(s.as_bytes(), RFC);
    let s = parse_steam_uri("Steam://gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap();
    assert_eq!(s.as_bytes(), RFC);
    assert_eq!(
        parse_steam_uri("otpauth://totp/x").unwrap_err(),
        SteamUriError::NotSteamUri
    );
    assert_eq!(
        parse_steam_uri("steam:").unwrap_err(),
        SteamUriError::NotSteamUri
    );
    assert_eq!(
        parse_steam_uri("steam://").unwrap_err(),
        SteamUriError::Secret(SecretError::Empty)
    );
    assert_eq!(
        parse_steam_uri("steam://GEZD1NBV").unwrap_err(),
        SteamUriError::Secret(SecretError::InvalidCharacter { position: 5 })
    );
    let long = format!("steam://{}", "A".repeat(MAX_STEAM_URI_LEN));
    assert_eq!(
        parse_steam_uri(&long).unwrap_err(),
        SteamUriError::TooLong {
            len: MAX_STEAM_URI_LEN + 8
        }
    );
}

#[cfg(feature = "alloc")]
mod otpauth {
    use otpkit::otpauth::{Account, Kind, Warning};

    const URI_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn steam_from_otpauth_forms() {
        for uri in [
            format!("otpauth://totp/Steam:gabe?secret={URI_SECRET}&issuer=Steam"),
            format!("otpauth://totp/Steam:gabe?secret={URI_SECRET}&issuer=steam"),
            format!("otpauth://totp/gabe?secret={URI_SECRET}&encoder=steam"),
            format!("otpauth://totp/Valve:gabe?secret={URI_SECRET}&issuer=Valve&Encoder=Steam"),
            // Aegis writes type steam and digits=5.
            format!("otpauth://steam/Steam:gabe?secret={URI_SECRET}&issuer=Steam&digits=5"),
        ] {
            let p = Account::parse(&uri).unwrap();
            assert_eq!(p.account.kind, Kind::Steam, "{uri}");
            assert!(p.warnings.is_empty(), "{uri}: {:?}", p.warnings);
            assert!(p.account.totp().is_none());
            let guard = p.account.steam().unwrap();
            assert_eq!(guard.code_at(59).unwrap().to_string(), "PV9M4", "{uri}");
            // Building and parsing again keeps it a Steam account.
            let again = Account::parse(&p.account.to_uri()).unwrap().account;
            assert_eq!(again, p.account, "{uri}");
        }
    }

    #[test]
    fn steam_build_form() {
        let a: Account = format!("otpauth://totp/Steam:gabe?secret={URI_SECRET}&issuer=Steam")
            .parse()
            .unwrap();
        assert_eq!(
            a.to_uri(),
            format!("otpauth://totp/Steam:gabe?secret={URI_SECRET}&issuer=Steam&encoder=steam")
        );
    }

    #[test]
    fn parameters_steam_ignores_are_flagged() {
        let p = Account::parse(&format!(
            "otpauth://totp/x?secret={URI_SECRET}&encoder=steam&digits=8&algorithm=SHA256&period=60"
        ))
        .unwrap();
        assert_eq!(p.account.kind, Kind::Steam);
        assert_eq!(
            p.warnings,
            vec![
                Warning::IgnoredParameter { name: "algorithm" },
                Warning::IgnoredParameter { name: "digits" },
                Warning::IgnoredParameter { name: "period" },
            ]
        );
    }

    #[test]
    fn hotp_with_steam_issuer_stays_hotp() {
        let a: Account =
            format!("otpauth://hotp/Steam:x?secret={URI_SECRET}&issuer=Steam&counter=1")
                .parse()
                .unwrap();
        assert_eq!(a.kind, Kind::Hotp { counter: 1 });
    }

    #[test]
    fn other_encoders_are_kept_as_extra() {
        let a: Account = format!("otpauth://totp/x?secret={URI_SECRET}&encoder=other")
            .parse()
            .unwrap();
        assert!(matches!(a.kind, Kind::Totp { .. }));
        assert_eq!(a.extra, vec![("encoder".to_string(), "other".to_string())]);
    }
}

#[test]
fn a_uri_of_exactly_the_limit_is_read_one_byte_more_is_too_long() {
    // Spaces are allowed inside the Base32 text, so a valid URI can be padded to any
    // length: the limit is on the input's bytes, inclusive.
    let at_limit = format!("steam://GEZDGNBV{}", " ".repeat(MAX_STEAM_URI_LEN - 16));
    assert_eq!(at_limit.len(), MAX_STEAM_URI_LEN);
    assert_eq!(parse_steam_uri(&at_limit).unwrap().len(), 5);
    let over = format!("{at_limit} ");
    assert_eq!(
        parse_steam_uri(&over).unwrap_err(),
        SteamUriError::TooLong {
            len: MAX_STEAM_URI_LEN + 1
        }
    );
}

#[test]
fn steam_uri_error_messages_and_sources() {
    use std::error::Error as _;
    assert_eq!(SteamUriError::NotSteamUri.to_string(), "not a steam:// URI");
    assert_eq!(
        SteamUriError::TooLong { len: 2000 }.to_string(),
        format!("the steam:// URI is 2000 bytes, longer than the {MAX_STEAM_URI_LEN}-byte limit")
    );
    let bad = parse_steam_uri("steam://GEZD1NBV").unwrap_err();
    let cause = SecretError::InvalidCharacter { position: 5 };
    assert_eq!(
        bad.to_string(),
        format!("bad secret in steam:// URI: {cause}")
    );
    let source = bad.source().expect("a bad secret is the source");
    assert_eq!(source.downcast_ref::<SecretError>(), Some(&cause));
    assert!(SteamUriError::NotSteamUri.source().is_none());
    assert!(SteamUriError::TooLong { len: 2000 }.source().is_none());
}

#[test]
fn codes_of_different_steps_compare_unequal() {
    let guard = SteamGuard::new(&Secret::from_bytes(RFC).unwrap());
    let a = guard.code_at(59).unwrap();
    let b = guard.code_at(1_111_111_109).unwrap();
    assert_eq!(a, guard.code_at(30).unwrap(), "same step, same code");
    assert_ne!(a, b, "{a} and {b}");
}

#[test]
fn guard_debug_names_the_type_and_nothing_else() {
    let guard = SteamGuard::new(&Secret::from_bytes(RFC).unwrap());
    assert_eq!(format!("{guard:?}"), "SteamGuard { .. }");
}

#[test]
fn a_character_outside_the_alphabet_is_never_read_as_one_inside_it() {
    // Steam's alphabet leaves out look-alikes such as 0, 1, A, E, I, L, O, S, U, Z. A
    // code typed with one of them in place of a real character is refused, even where
    // that character is the alphabet's first ('2').
    let guard = SteamGuard::new(&Secret::from_bytes(RFC).unwrap());
    let (unix, code) = (0..10_000u64)
        .map(|i| 1_700_000_000 + 30 * i)
        .map(|t| (t, guard.code_at(t).unwrap().to_string()))
        .find(|(_, c)| c.contains('2'))
        .expect("some code among 10 000 has a '2'");
    assert!(guard.verify(&code, unix, Window::exact()).is_ok());
    for wrong in ['1', 'Z', '0', '!', ' '] {
        let typo = code.replacen('2', &wrong.to_string(), 1);
        assert_eq!(
            guard.verify(&typo, unix, Window::exact()).unwrap_err(),
            otpkit::VerifyError::Mismatch,
            "{typo:?} for {code}"
        );
    }
}
