//! `otpauth://` parsing and building: every tricky form real apps and services emit,
//! every warning, every error.
#![cfg(feature = "alloc")]

use otpkit::otpauth::{Account, Kind, MAX_URI_LEN, Parsed, UriError, Warning};
use otpkit::{Algorithm, Digits, Period, Secret, SecretError};

const RFC_B32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // b"12345678901234567890"

/// The parsed account's issuer and name, as one value to compare.
fn issuer_and_name(p: &Parsed) -> (Option<&str>, &str) {
    (p.account.issuer.as_deref(), p.account.name.as_str())
}

fn parse(uri: &str) -> Parsed {
    Account::parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
}

fn rfc_secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

#[test]
fn google_key_uri_format_examples() {
    // https://github.com/google/google-authenticator/wiki/Key-Uri-Format
    let p = parse("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example");
    assert_eq!(issuer_and_name(&p), (Some("Example"), "alice@google.com"));
    assert_eq!(p.account.secret.as_bytes(), b"Hello!\xde\xad\xbe\xef");
    assert_eq!(
        p.account.kind,
        Kind::Totp {
            period: Period::DEFAULT
        }
    );
    assert_eq!(p.account.algorithm, Algorithm::Sha1);
    assert_eq!(p.account.digits, Digits::SIX);
    // 80-bit secret: accepted, with the warning and nothing else.
    assert_eq!(p.warnings, vec![Warning::ShortSecret { bits: 80 }]);

    let p = parse(
        "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ\
         &issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
    );
    assert_eq!(issuer_and_name(&p), (Some("ACME Co"), "john.doe@email.com"));
    assert_eq!(p.account.secret.len(), 20);
    assert_eq!(
        p.account.kind,
        Kind::Totp {
            period: Period::DEFAULT
        }
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert!(p.account.extra.is_empty());
}

#[test]
fn every_issuer_separator_variant() {
    for label in [
        "Example:alice",
        "Example%3Aalice",
        "Example%3aalice",
        "Example:%20alice",
        "Example%3A%20alice",
        "Example%3a%20%20alice",
        "Example:%20%20%20alice",
    ] {
        let p = parse(&format!(
            "otpauth://totp/{label}?secret={RFC_B32}&issuer=Example"
        ));
        assert_eq!(issuer_and_name(&p), (Some("Example"), "alice"), "{label}");
        assert!(p.warnings.is_empty(), "{label}: {:?}", p.warnings);
        // And without the issuer parameter, from the label alone.
        let p = parse(&format!("otpauth://totp/{label}?secret={RFC_B32}"));
        assert_eq!(issuer_and_name(&p), (Some("Example"), "alice"), "{label}");
    }
}

#[test]
fn no_issuer_anywhere() {
    let p = parse(&format!(
        "otpauth://totp/alice%40example.com?secret={RFC_B32}"
    ));
    assert_eq!(issuer_and_name(&p), (None, "alice@example.com"));
}

#[test]
fn uppercase_scheme_type_and_keys() {
    let p = parse(&format!(
        "OTPAUTH://TOTP/Example:alice?SECRET={RFC_B32}&ISSUER=Example&Algorithm=sha256&DIGITS=8&Period=60"
    ));
    assert_eq!(p.account.algorithm, Algorithm::Sha256);
    assert_eq!(p.account.digits, Digits::EIGHT);
    assert_eq!(
        p.account.kind,
        Kind::Totp {
            period: Period::new(60).unwrap()
        }
    );
    let p = parse(&format!("OtpAuth://HoTp/x?Secret={RFC_B32}&COUNTER=5"));
    assert_eq!(p.account.kind, Kind::Hotp { counter: 5 });
}

#[test]
fn empty_issuer_parameter_falls_back_to_label() {
    let p = parse(&format!(
        "otpauth://totp/Example:alice?secret={RFC_B32}&issuer="
    ));
    assert_eq!(p.account.issuer.as_deref(), Some("Example"));
    assert_eq!(p.warnings, vec![Warning::EmptyIssuerParameter]);
    let p = parse(&format!("otpauth://totp/alice?secret={RFC_B32}&issuer="));
    assert_eq!(p.account.issuer, None);
}

#[test]
fn issuer_conflict_parameter_wins_with_warning() {
    // Microsoft's external accounts: label prefix and issuer parameter differ.
    let p = parse(&format!(
        "otpauth://totp/Microsoft:alice@contoso.com?secret={RFC_B32}&issuer=Contoso"
    ));
    assert_eq!(issuer_and_name(&p), (Some("Contoso"), "alice@contoso.com"));
    assert_eq!(
        p.warnings,
        vec![Warning::IssuerConflict {
            label: "Microsoft".into(),
            parameter: "Contoso".into()
        }]
    );
    let message = p.warnings[0].to_string();
    assert!(
        message.contains("Microsoft") && message.contains("Contoso"),
        "{message}"
    );
}

#[test]
fn unicode_labels_and_values() {
    let p = parse(&format!(
        "otpauth://totp/B%C3%BCcher%20%26%20Co:J%C3%BCrgen%20%E2%9C%93?secret={RFC_B32}&issuer=B%C3%BCcher+%26+Co"
    ));
    assert_eq!(issuer_and_name(&p), (Some("Bücher & Co"), "Jürgen ✓"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // Raw (unencoded) UTF-8 as some generators write it.
    let p = parse(&format!(
        "otpauth://totp/日本:太郎?secret={RFC_B32}&issuer=日本"
    ));
    assert_eq!(issuer_and_name(&p), (Some("日本"), "太郎"));
}

#[test]
fn plus_in_values_is_a_space_but_not_in_the_label() {
    // 2FAS exports issuer=Air+Canada.
    let p = parse(&format!(
        "otpauth://totp/Air%20Canada:me?secret={RFC_B32}&issuer=Air+Canada"
    ));
    assert_eq!(p.account.issuer.as_deref(), Some("Air Canada"));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // %2B stays a plus.
    let p = parse(&format!("otpauth://totp/x?secret={RFC_B32}&issuer=C%2B%2B"));
    assert_eq!(p.account.issuer.as_deref(), Some("C++"));
    // In the path, + is an ordinary character.
    let p = parse(&format!("otpauth://totp/a+b?secret={RFC_B32}"));
    assert_eq!(p.account.name, "a+b");
}

#[test]
fn secret_forms_are_normalised_with_warnings() {
    let lower = RFC_B32.to_ascii_lowercase();
    let cases: [(String, Vec<Warning>); 5] = [
        (lower.clone(), vec![Warning::SecretLowercase]),
        (format!("{RFC_B32}======"), vec![Warning::SecretPadded]),
        (format!("{RFC_B32}%3D%3D"), vec![Warning::SecretPadded]),
        (
            "GEZD%20GNBV+GY3T-QOJQ GEZDGNBVGY3TQOJQ".into(),
            vec![Warning::SecretSpaced],
        ),
        (
            format!("{}====", "gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            vec![
                Warning::SecretLowercase,
                Warning::SecretPadded,
                Warning::SecretSpaced,
            ],
        ),
    ];
    for (secret, warnings) in cases {
        let p = parse(&format!("otpauth://totp/x?secret={secret}"));
        assert_eq!(p.account.secret, rfc_secret(), "{secret}");
        assert_eq!(p.warnings, warnings, "{secret}");
    }
}

#[test]
fn extra_parameters_are_kept_in_order() {
    let p = parse(&format!(
        "otpauth://totp/x?image=https%3A%2F%2Fexample.com%2Fl.png&secret={RFC_B32}&Color=%23ff0000&icon=a+b&flag"
    ));
    assert_eq!(
        p.account.extra,
        vec![
            ("image".to_string(), "https://example.com/l.png".to_string()),
            ("Color".to_string(), "#ff0000".to_string()),
            ("icon".to_string(), "a b".to_string()),
            ("flag".to_string(), String::new()),
        ]
    );
    let rebuilt = parse(&p.account.to_uri());
    assert_eq!(rebuilt.account, p.account);
}

#[test]
fn parameters_apps_ignore_are_flagged() {
    let p = parse(&format!(
        "otpauth://totp/x?secret={RFC_B32}&algorithm=SHA512&digits=8&period=60"
    ));
    assert_eq!(
        p.warnings,
        vec![
            Warning::AlgorithmIgnoredByApps(Algorithm::Sha512),
            Warning::DigitsIgnoredByApps(Digits::EIGHT),
            Warning::PeriodIgnoredByApps(Period::new(60).unwrap()),
        ]
    );
    // Explicit defaults are not flagged.
    let p = parse(&format!(
        "otpauth://totp/x?secret={RFC_B32}&algorithm=sha1&digits=6&period=30"
    ));
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn parameters_of_the_other_kind_are_ignored_with_a_warning() {
    let p = parse(&format!("otpauth://totp/x?secret={RFC_B32}&counter=3"));
    assert_eq!(
        p.account.kind,
        Kind::Totp {
            period: Period::DEFAULT
        }
    );
    assert_eq!(
        p.warnings,
        vec![Warning::IgnoredParameter { name: "counter" }]
    );
    let p = parse(&format!(
        "otpauth://hotp/x?secret={RFC_B32}&counter=3&period=60"
    ));
    assert_eq!(p.account.kind, Kind::Hotp { counter: 3 });
    assert_eq!(
        p.warnings,
        vec![Warning::IgnoredParameter { name: "period" }]
    );
}

#[test]
fn digits_range_and_numbers() {
    for d in 6..=10u8 {
        let p = parse(&format!("otpauth://totp/x?secret={RFC_B32}&digits={d}"));
        assert_eq!(p.account.digits.get(), d);
    }
    let p = parse(&format!(
        "otpauth://hotp/x?secret={RFC_B32}&counter=18446744073709551615"
    ));
    assert_eq!(p.account.kind, Kind::Hotp { counter: u64::MAX });
}

#[test]
fn fragment_and_surrounding_whitespace_are_ignored() {
    let p = parse(&format!(
        "  otpauth://totp/x?secret={RFC_B32}&issuer=A#frag&issuer=B\n"
    ));
    assert_eq!(p.account.issuer.as_deref(), Some("A"));
}

#[test]
fn each_bad_input_has_its_error() {
    let s = RFC_B32;
    let cases: Vec<(String, UriError)> = vec![
        ("https://example.com".into(), UriError::NotOtpauth),
        ("otpauth:/totp/x".into(), UriError::NotOtpauth),
        (
            format!("otpauth://yubikey/x?secret={s}"),
            UriError::UnsupportedType,
        ),
        (
            format!("otpauth:///x?secret={s}"),
            UriError::UnsupportedType,
        ),
        ("otpauth://totp/x?issuer=A".into(), UriError::MissingSecret),
        (
            "otpauth://totp/x?secret=".into(),
            UriError::Secret(SecretError::Empty),
        ),
        (
            "otpauth://totp/x?secret=GEZDGNBV1Y3TQOJQ".into(),
            UriError::Secret(SecretError::InvalidCharacter { position: 9 }),
        ),
        (
            "otpauth://totp/x?secret=GEZDGNBVG".into(),
            UriError::Secret(SecretError::InvalidLength { symbols: 9 }),
        ),
        (
            format!("otpauth://totp/x?secret={s}&algorithm=MD5"),
            UriError::UnsupportedAlgorithm,
        ),
        (
            format!("otpauth://totp/x?secret={s}&digits=5"),
            UriError::DigitsOutOfRange { got: 5 },
        ),
        (
            format!("otpauth://totp/x?secret={s}&digits=11"),
            UriError::DigitsOutOfRange { got: 11 },
        ),
        (
            format!("otpauth://totp/x?secret={s}&digits=300"),
            UriError::DigitsOutOfRange { got: 300 },
        ),
        (
            format!("otpauth://totp/x?secret={s}&digits=six"),
            UriError::InvalidNumber {
                parameter: "digits",
            },
        ),
        (
            format!("otpauth://totp/x?secret={s}&digits=+6"),
            UriError::InvalidNumber {
                parameter: "digits",
            },
        ),
        (
            format!("otpauth://totp/x?secret={s}&period=0"),
            UriError::ZeroPeriod,
        ),
        (
            format!("otpauth://totp/x?secret={s}&period=-30"),
            UriError::InvalidNumber {
                parameter: "period",
            },
        ),
        (
            format!("otpauth://totp/x?secret={s}&period="),
            UriError::InvalidNumber {
                parameter: "period",
            },
        ),
        (
            format!("otpauth://hotp/x?secret={s}"),
            UriError::MissingCounter,
        ),
        (
            format!("otpauth://hotp/x?secret={s}&counter=1e3"),
            UriError::InvalidNumber {
                parameter: "counter",
            },
        ),
        (
            format!("otpauth://hotp/x?secret={s}&counter=18446744073709551616"),
            UriError::InvalidNumber {
                parameter: "counter",
            },
        ),
        (
            format!("otpauth://totp/x?secret={s}&Secret={s}"),
            UriError::DuplicateParameter {
                parameter: "secret",
            },
        ),
        (
            format!("otpauth://totp/x?secret={s}&issuer=a&issuer=b"),
            UriError::DuplicateParameter {
                parameter: "issuer",
            },
        ),
        (
            format!("otpauth://totp/%FF?secret={s}"),
            UriError::InvalidUtf8 { part: "label" },
        ),
        (
            format!("otpauth://totp/x?secret={s}&issuer=%C3"),
            UriError::InvalidUtf8 { part: "issuer" },
        ),
    ];
    for (uri, expected) in cases {
        let got = Account::parse(&uri);
        assert_eq!(got.as_ref().err(), Some(&expected), "{uri}");
        // Every message is a sentence without the secret in it.
        let message = expected.to_string();
        assert!(!message.is_empty());
        assert!(!message.contains(s), "{message}");
    }
}

#[test]
fn length_limit() {
    let base = format!("otpauth://totp/x?secret={RFC_B32}&image=");
    let fits = format!("{base}{}", "a".repeat(MAX_URI_LEN - base.len()));
    assert_eq!(fits.len(), MAX_URI_LEN);
    assert!(Account::parse(&fits).is_ok());
    let over = format!("{fits}a");
    assert_eq!(
        Account::parse(&over).unwrap_err(),
        UriError::TooLong {
            len: MAX_URI_LEN + 1
        }
    );
}

#[test]
fn secret_error_is_the_source() {
    use std::error::Error as _;
    let e = Account::parse("otpauth://totp/x?secret=0000").unwrap_err();
    let source = e.source().expect("carries the SecretError");
    assert_eq!(
        source.to_string(),
        SecretError::InvalidCharacter { position: 1 }.to_string()
    );
}

#[test]
fn from_str_drops_warnings() {
    let a: Account = "otpauth://totp/x?secret=jbswy3dpehpk3pxp".parse().unwrap();
    assert_eq!(a.name, "x");
    assert!("otpauth://totp/x".parse::<Account>().is_err());
}

#[test]
fn debug_is_redacted() {
    let p = parse(&format!("otpauth://totp/Example:alice?secret={RFC_B32}"));
    let debug = format!("{:?}", p);
    assert!(!debug.contains(RFC_B32), "{debug}");
    assert!(!debug.contains("GEZD"), "{debug}");
    assert!(!debug.contains("12345678"), "{debug}");
    assert!(!debug.contains("49, 50"), "{debug}");
    assert!(debug.contains("alice"), "{debug}");
}

#[test]
fn canonical_build() {
    let account = Account {
        issuer: Some("A:B & C".into()),
        name: "x y@z".into(),
        secret: rfc_secret(),
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
        kind: Kind::Totp {
            period: Period::DEFAULT,
        },
        pin: None,
        extra: vec![("image".into(), "https://e.x/i.png?a=1&b=2".into())],
    };
    assert_eq!(
        account.to_uri(),
        "otpauth://totp/A%3AB%20%26%20C:x%20y%40z?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
         &issuer=A%3AB%20%26%20C&image=https%3A%2F%2Fe.x%2Fi.png%3Fa%3D1%26b%3D2"
    );
    let back = parse(&account.to_uri());
    assert_eq!(back.account, account);
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);

    // Non-defaults written out; a period on TOTP only.
    let account = Account {
        issuer: None,
        name: "n".into(),
        secret: rfc_secret(),
        algorithm: Algorithm::Sha512,
        digits: Digits::new(10).unwrap(),
        kind: Kind::Totp {
            period: Period::new(45).unwrap(),
        },
        pin: None,
        extra: vec![],
    };
    assert_eq!(
        account.to_uri(),
        format!("otpauth://totp/n?secret={RFC_B32}&algorithm=SHA512&digits=10&period=45")
    );
    assert_eq!(parse(&account.to_uri()).account, account);
}

#[test]
fn colon_in_name_without_issuer_round_trips() {
    let account = Account {
        issuer: None,
        name: "a:b".into(),
        secret: rfc_secret(),
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
        kind: Kind::Hotp { counter: 0 },
        pin: None,
        extra: vec![],
    };
    assert_eq!(
        account.to_uri(),
        format!("otpauth://hotp/:a%3Ab?secret={RFC_B32}&counter=0")
    );
    assert_eq!(parse(&account.to_uri()).account, account);
}

#[test]
fn extra_named_like_a_known_parameter_is_not_written() {
    let mut account: Account = format!("otpauth://totp/x?secret={RFC_B32}")
        .parse()
        .unwrap();
    account.extra.push(("Secret".into(), "AAAA".into()));
    account.extra.push(("logo".into(), "l".into()));
    let uri = account.to_uri();
    assert_eq!(uri, format!("otpauth://totp/x?secret={RFC_B32}&logo=l"));
}

#[test]
fn generators_match_the_kind() {
    let totp: Account = format!("otpauth://totp/x?secret={RFC_B32}&digits=8")
        .parse()
        .unwrap();
    // RFC 6238 Appendix B, SHA-1, T = 59.
    assert_eq!(
        totp.totp().unwrap().code_at(59).unwrap().to_string(),
        "94287082"
    );
    assert!(totp.hotp().is_none());
    assert!(totp.steam().is_none());
    let hotp: Account = format!("otpauth://hotp/x?secret={RFC_B32}&counter=1")
        .parse()
        .unwrap();
    // RFC 4226 Appendix D, counter 1.
    assert_eq!(hotp.hotp().unwrap().code(1).to_string(), "287082");
    assert!(hotp.totp().is_none());
}

#[test]
fn label_helper() {
    let a: Account = format!("otpauth://totp/A:b?secret={RFC_B32}")
        .parse()
        .unwrap();
    assert_eq!(a.label(), "A:b");
    let a: Account = format!("otpauth://totp/b?secret={RFC_B32}")
        .parse()
        .unwrap();
    assert_eq!(a.label(), "b");
    // An empty issuer (set by a caller) counts as none, in the label and the URI.
    let mut a: Account = format!("otpauth://totp/A:b?secret={RFC_B32}&issuer=A")
        .parse()
        .unwrap();
    a.issuer = Some(String::new());
    assert_eq!(a.label(), "b");
    assert_eq!(a.to_uri(), format!("otpauth://totp/b?secret={RFC_B32}"));
}

#[test]
fn every_warning_reads_as_a_distinct_sentence() {
    let warnings = [
        Warning::SecretLowercase,
        Warning::SecretPadded,
        Warning::SecretSpaced,
        Warning::ShortSecret { bits: 80 },
        Warning::IssuerConflict {
            label: "A".into(),
            parameter: "B".into(),
        },
        Warning::EmptyIssuerParameter,
        Warning::AlgorithmIgnoredByApps(Algorithm::Sha256),
        Warning::DigitsIgnoredByApps(Digits::EIGHT),
        Warning::PeriodIgnoredByApps(Period::new(60).unwrap()),
        Warning::IgnoredParameter { name: "counter" },
    ];
    let texts: std::collections::BTreeSet<String> =
        warnings.iter().map(ToString::to_string).collect();
    assert_eq!(texts.len(), warnings.len(), "{texts:?}");
    for t in &texts {
        assert!(t.len() > 20 && !t.ends_with('.'), "{t}");
    }
    assert!(
        Warning::ShortSecret { bits: 80 }
            .to_string()
            .contains("80 bits")
    );
    assert!(
        Warning::PeriodIgnoredByApps(Period::new(60).unwrap())
            .to_string()
            .contains("60-second")
    );
}

/// A Steam account by `issuer=Steam` with another `encoder=` (an input the `otpauth`
/// fuzz target found): the other encoder is dropped with a warning rather than kept in
/// `extra`, where `to_uri` could not write it beside `encoder=steam`, so parse → build
/// → parse gives the same account.
#[test]
fn steam_by_issuer_with_another_encoder_round_trips() {
    let p = parse(&format!(
        "otpauth://totp/Steam:gamer?secret={RFC_B32}&issuer=Steam&encoder=other&d5="
    ));
    assert_eq!(p.account.kind, Kind::Steam);
    assert!(
        p.warnings
            .contains(&Warning::IgnoredParameter { name: "encoder" })
    );
    assert_eq!(p.account.extra, vec![("d5".to_string(), String::new())]);
    let again = parse(&p.account.to_uri());
    assert_eq!(again.account, p.account);
}

/// A URI under the parse limit can build a canonical URI over it (an input the
/// `otpauth` fuzz target found), since percent-encoding expands text up to 3×. The
/// re-parse must then be the typed length error, never a different account.
#[test]
fn canonical_uri_over_the_limit_is_a_typed_error() {
    let name = " x".repeat(1500); // 3000 bytes in, "%20x" = 6000 bytes out
    let p = parse(&format!("otpauth://totp/{name}?secret={RFC_B32}"));
    assert!(p.account.name.len() < otpkit::otpauth::MAX_URI_LEN);
    let uri = p.account.to_uri();
    assert!(uri.len() > otpkit::otpauth::MAX_URI_LEN);
    assert_eq!(
        Account::parse(&uri).unwrap_err(),
        UriError::TooLong { len: uri.len() }
    );
}

/// An `encoder` kept in `extra` is written back unless it would change the kind: a
/// TOTP account keeps `encoder=other` and drops `encoder=steam`; a Steam account
/// writes only its own `encoder=steam`.
#[test]
fn an_extra_encoder_is_written_only_when_it_keeps_the_kind() {
    let account = |kind: Kind, encoder: &str| Account {
        issuer: None,
        name: "x".into(),
        secret: rfc_secret(),
        algorithm: Algorithm::Sha1,
        digits: Digits::SIX,
        kind,
        pin: None,
        extra: vec![("encoder".into(), encoder.into())],
    };
    let totp = Kind::Totp {
        period: Period::DEFAULT,
    };
    let base = format!("otpauth://totp/x?secret={RFC_B32}");
    assert_eq!(
        account(totp, "other").to_uri(),
        format!("{base}&encoder=other")
    );
    assert_eq!(account(totp, "Steam").to_uri(), base);
    assert_eq!(
        account(Kind::Steam, "other").to_uri(),
        format!("{base}&encoder=steam")
    );
}

/// Numbers are plain digits: a sign (here an encoded `+`) is refused, not read.
#[test]
fn a_signed_number_is_refused() {
    for parameter in ["digits", "period", "counter"] {
        let kind = if parameter == "counter" {
            "hotp"
        } else {
            "totp"
        };
        let uri = format!("otpauth://{kind}/x?secret={RFC_B32}&{parameter}=%2B6");
        assert_eq!(
            Account::parse(&uri).unwrap_err(),
            UriError::InvalidNumber { parameter },
            "{uri}"
        );
    }
}
