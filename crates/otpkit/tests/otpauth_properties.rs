//! Property tests: what we build parses back to the same account; parsing never panics.
#![cfg(feature = "alloc")]

#[path = "support/cases.rs"]
mod cases;

use otpkit::otpauth::{Account, Kind, Warning};
use otpkit::{Algorithm, Digits, LengthPolicy, Period, Secret};
use proptest::prelude::*;

/// Text with every character that means something in a URI, spaces, `%` escapes that
/// look real, and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                ":",
                "%",
                "%3A",
                "%3a",
                "%20",
                "&",
                "=",
                "+",
                "#",
                "?",
                "/",
                " ",
                "@",
                "é",
                "日本",
                "✓",
                "\u{1F600}",
                "\t",
                "~",
                "-",
                ".",
                "_",
            ])
            .prop_map(String::from),
            "[a-zA-Z0-9]{1,4}",
            any::<char>().prop_map(String::from),
        ],
        0..8,
    )
    .prop_map(|parts| parts.concat())
}

/// An account name: anything not starting with a space (spaces after the label's
/// separator are dropped by the format, see `Account::name`).
fn name() -> impl Strategy<Value = String> {
    text().prop_filter("leading space", |n| !n.starts_with(' '))
}

/// An issuer: `None` or non-empty (`Some("")` means none), and not "Steam", which
/// makes a TOTP account a Steam one by definition.
fn issuer() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text().prop_filter("empty or Steam", |i| {
        !i.is_empty() && !i.eq_ignore_ascii_case("steam")
    }))
}

fn secret() -> impl Strategy<Value = Secret> {
    prop::collection::vec(any::<u8>(), 1..=128)
        .prop_map(|b| Secret::from_bytes_with(&b, LengthPolicy::AllowShort).unwrap())
}

fn extra() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(
        (
            "[a-zA-Z][a-zA-Z0-9_]{0,8}".prop_filter("known name", |k| {
                let known = "secret issuer algorithm digits period counter encoder";
                !known.split(' ').any(|n| k.eq_ignore_ascii_case(n))
            }),
            text(),
        ),
        0..4,
    )
}

fn account() -> impl Strategy<Value = Account> {
    let kind = prop_oneof![
        (1u64..=u64::MAX).prop_map(|p| Kind::Totp {
            period: Period::new(p).unwrap()
        }),
        Just(Kind::Totp {
            period: Period::DEFAULT
        }),
        any::<u64>().prop_map(|counter| Kind::Hotp { counter }),
        Just(Kind::Steam),
    ];
    (
        issuer(),
        name(),
        secret(),
        prop::sample::select(Algorithm::ALL.to_vec()),
        (6u8..=10).prop_map(|d| Digits::new(d).unwrap()),
        kind,
        extra(),
    )
        .prop_map(|(issuer, name, secret, algorithm, digits, kind, extra)| {
            // The constructor's defaults (HMAC-SHA1, 6 digits) are what Steam
            // accounts always hold.
            let mut account = Account::totp_with_secret("", name, secret);
            if kind != Kind::Steam {
                (account.algorithm, account.digits) = (algorithm, digits);
            }
            (account.issuer, account.kind, account.extra) = (issuer, kind, extra);
            account
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases::cases(512)))]

    #[test]
    fn build_then_parse_gives_the_same_account(account in account()) {
        let uri = account.to_uri();
        prop_assert!(uri.is_ascii(), "{uri}");
        let parsed = Account::parse(&uri).map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
        prop_assert_eq!(&parsed.account, &account, "{}", uri);
        // What we build is canonical: building again gives the same text.
        prop_assert_eq!(&parsed.account.to_uri(), &uri);
        // Our own output never triggers normalisation or conflict warnings.
        for w in &parsed.warnings {
            prop_assert!(
                !matches!(
                    w,
                    Warning::SecretLowercase
                        | Warning::SecretPadded
                        | Warning::SecretSpaced
                        | Warning::IssuerConflict { .. }
                        | Warning::EmptyIssuerParameter
                        | Warning::IgnoredParameter { .. }
                ),
                "{:?} for {}", w, uri
            );
        }
    }

    /// Apps write parameters in any order and keys in any case: same account.
    #[test]
    fn parameter_order_and_key_case_do_not_matter(
        account in account(),
        shuffle_seed in any::<u64>(),
        upper in any::<u64>(),
    ) {
        let uri = account.to_uri();
        let (head, query) = uri.split_once('?').unwrap();
        let mut params: Vec<String> = query.split('&').map(String::from).collect();
        // A deterministic shuffle and case change driven by the seeds.
        let mut state = shuffle_seed | 1;
        for i in (1..params.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            params.swap(i, (state % (i as u64 + 1)) as usize);
        }
        for (i, p) in params.iter_mut().enumerate() {
            if upper >> (i % 64) & 1 == 1 {
                let (k, v) = p.split_once('=').unwrap();
                *p = format!("{}={v}", k.to_ascii_uppercase());
            }
        }
        let reordered = format!("{head}?{}", params.join("&"));
        let mut parsed = Account::parse(&reordered)
            .map_err(|e| TestCaseError::fail(format!("{reordered}: {e}")))?
            .account;
        let mut expected = account.clone();
        // Unknown parameters keep their written name and their order of appearance.
        let key = |(k, v): &(String, String)| (k.to_ascii_lowercase(), v.clone());
        parsed.extra.sort_by_key(key);
        expected.extra.sort_by_key(key);
        for ((got, _), (want, _)) in parsed.extra.iter_mut().zip(&expected.extra) {
            prop_assert!(got.eq_ignore_ascii_case(want));
            *got = want.clone();
        }
        prop_assert_eq!(parsed, expected, "{}", reordered);
    }

    #[test]
    fn parse_never_panics_on_arbitrary_text(s in any::<String>()) {
        let _ = Account::parse(&s);
    }

    #[test]
    fn parse_never_panics_on_otpauth_shaped_text(
        ty in prop::sample::select(vec!["totp", "hotp", "steam", "TOTP", "x", ""]),
        label in text(),
        params in prop::collection::vec((
            prop::sample::select(vec!["secret", "issuer", "algorithm", "digits", "period",
                                      "counter", "encoder", "SECRET", "x", ""]),
            prop_oneof![text(), "[A-Z2-7=a-z ]{0,40}", "[0-9+-]{0,25}"],
        ), 0..8),
    ) {
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let uri = format!("otpauth://{ty}/{label}?{}", query.join("&"));
        let _ = Account::parse(&uri);
    }
}
