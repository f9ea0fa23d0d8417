//! Which well-known authenticator apps would mishandle an account, and why.
//!
//! A server can run [`check`] (or [`check_uri`], which also sees how the URI spells
//! its values) before it shows an enrolment QR code, and warn its users or choose
//! parameters every app handles (SHA-1, 6 digits, 30 s). Each [`Rule`] carries the
//! public reports it rests on; `docs/transfer.md` has the same table.
//!
//! ```
//! use otpkit::otpauth::Account;
//! use otpkit_transfer::portability::{check, App, Problem};
//! let account: Account =
//!     "otpauth://totp/Ex:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA256".parse()?;
//! let findings = check(&account);
//! assert!(findings.iter().any(|f| f.rule.app == App::MicrosoftAuthenticator
//!     && f.rule.problem == Problem::AlgorithmIgnored));
//! assert!(findings.iter().all(|f| !f.rule.sources.is_empty()));
//!
//! let plain: Account = "otpauth://totp/Ex:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".parse()?;
//! assert!(check(&plain).is_empty());
//! # Ok::<(), otpkit::otpauth::UriError>(())
//! ```

use core::fmt;

use otpkit::Algorithm;
use otpkit::otpauth::{Account, Kind, UriError};

/// An authenticator app the rules are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum App {
    /// Google Authenticator (Android and iOS).
    GoogleAuthenticator,
    /// Microsoft Authenticator.
    MicrosoftAuthenticator,
    /// Twilio Authy.
    Authy,
}

impl App {
    /// The app's stable code, as the bindings give it (spelt like the warnings'
    /// codes): `"GOOGLE_AUTHENTICATOR"`, `"MICROSOFT_AUTHENTICATOR"`, `"AUTHY"`.
    pub const fn code(self) -> &'static str {
        match self {
            App::GoogleAuthenticator => "GOOGLE_AUTHENTICATOR",
            App::MicrosoftAuthenticator => "MICROSOFT_AUTHENTICATOR",
            App::Authy => "AUTHY",
        }
    }
}

impl fmt::Display for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            App::GoogleAuthenticator => "Google Authenticator",
            App::MicrosoftAuthenticator => "Microsoft Authenticator",
            App::Authy => "Authy",
        })
    }
}

/// How an app mishandles an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// A non-SHA-1 `algorithm` is ignored: the app shows SHA-1 codes, which the
    /// service rejects, and says nothing.
    AlgorithmIgnored,
    /// A code length other than 6 is ignored: the app shows 6 digits.
    DigitsIgnored,
    /// The app has no such code length (it refuses or mis-shows the account).
    DigitsUnsupported,
    /// A period other than 30 s is ignored: the app changes codes every 30 s.
    PeriodIgnored,
    /// A lowercase `algorithm` value (`sha256`) is refused: the app's parameter
    /// values are case-sensitive.
    LowercaseAlgorithm,
    /// The app has no such type (mOTP, Yandex Key): it refuses the URI. Aegis
    /// reads both (`otpauth://motp/`, `otpauth://yaotp/`), Authenticator Pro has
    /// mOTP; they are not apps these rules warn about.
    TypeUnsupported,
}

impl Problem {
    /// The problem's stable code, as the bindings give it: `"ALGORITHM_IGNORED"`,
    /// `"DIGITS_IGNORED"`, `"DIGITS_UNSUPPORTED"`, `"PERIOD_IGNORED"`,
    /// `"LOWERCASE_ALGORITHM"`, `"TYPE_UNSUPPORTED"`.
    pub const fn code(self) -> &'static str {
        match self {
            Problem::AlgorithmIgnored => "ALGORITHM_IGNORED",
            Problem::DigitsIgnored => "DIGITS_IGNORED",
            Problem::DigitsUnsupported => "DIGITS_UNSUPPORTED",
            Problem::PeriodIgnored => "PERIOD_IGNORED",
            Problem::LowercaseAlgorithm => "LOWERCASE_ALGORITHM",
            Problem::TypeUnsupported => "TYPE_UNSUPPORTED",
        }
    }
}

/// One compatibility rule, with the public reports it rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The app.
    pub app: App,
    /// What goes wrong.
    pub problem: Problem,
    /// When it applies, in words.
    pub when: &'static str,
    /// Which versions (where the reports say).
    pub versions: &'static str,
    /// URLs of the reports (issue threads, the format's own page).
    pub sources: &'static [&'static str],
}

/// Every rule [`check`] and [`check_uri`] apply, in the order of the docs table.
pub const RULES: &[Rule] = &[
    Rule {
        app: App::MicrosoftAuthenticator,
        problem: Problem::AlgorithmIgnored,
        when: "algorithm is SHA256 or SHA512",
        versions: "all reported (2018-2025)",
        sources: &[
            "https://github.com/kspearrin/Otp.NET/issues/54",
            "https://github.com/privacyidea/privacyidea/issues/2079",
            "https://github.com/GeorgeHulpoi/payload-totp/issues/30",
        ],
    },
    Rule {
        app: App::MicrosoftAuthenticator,
        problem: Problem::DigitsIgnored,
        when: "digits is not 6",
        versions: "all reported (2020-2023)",
        sources: &[
            "https://github.com/puddly/android-otp-extractor/issues/33",
            "https://github.com/dotnet/aspnetcore/issues/48317",
        ],
    },
    Rule {
        app: App::MicrosoftAuthenticator,
        problem: Problem::PeriodIgnored,
        when: "period is not 30",
        versions: "reported 2016 and 2020",
        sources: &[
            "https://github.com/privacyidea/privacyidea/issues/2079",
            "https://github.com/RobThree/TwoFactorAuth.Net/issues/1",
        ],
    },
    Rule {
        app: App::Authy,
        problem: Problem::AlgorithmIgnored,
        when: "algorithm is SHA256 or SHA512",
        versions: "all reported (2018-2024)",
        sources: &[
            "https://github.com/RobThree/TwoFactorAuth/issues/54",
            "https://github.com/BrandonPotter/GoogleAuthenticator/issues/228",
            "https://github.com/kanidm/kanidm/issues/501",
        ],
    },
    Rule {
        app: App::GoogleAuthenticator,
        problem: Problem::AlgorithmIgnored,
        when: "algorithm is SHA256 or SHA512",
        versions: "older versions, Android (reported 2015-2020; current versions read it)",
        sources: &[
            "https://github.com/google/google-authenticator-android/issues/29",
            "https://github.com/privacyidea/privacyidea/issues/2079",
            "https://github.com/google/google-authenticator/wiki/Key-Uri-Format",
        ],
    },
    Rule {
        app: App::GoogleAuthenticator,
        problem: Problem::PeriodIgnored,
        when: "period is not 30",
        versions: "older versions (the Key URI Format page says the period is ignored)",
        sources: &[
            "https://github.com/google/google-authenticator/wiki/Key-Uri-Format",
            "https://github.com/RobThree/TwoFactorAuth.Net/issues/1",
        ],
    },
    Rule {
        app: App::GoogleAuthenticator,
        problem: Problem::DigitsUnsupported,
        when: "digits is not 6 or 8",
        versions: "all (the Key URI Format allows 6 or 8)",
        sources: &[
            "https://github.com/google/google-authenticator/wiki/Key-Uri-Format",
            "https://github.com/google/google-authenticator-android/issues/111",
        ],
    },
    Rule {
        app: App::GoogleAuthenticator,
        problem: Problem::LowercaseAlgorithm,
        when: "the URI spells the algorithm in lowercase (algorithm=sha256)",
        versions: "iOS (2018-2020) and current versions",
        sources: &[
            "https://github.com/privacyidea/privacyidea/pull/2060",
            "https://github.com/pyauth/pyotp/pull/169",
            "https://github.com/eduMFA/eduMFA/issues/234",
            "https://github.com/dlenski/python-vipaccess/pull/13",
        ],
    },
    Rule {
        app: App::GoogleAuthenticator,
        problem: Problem::TypeUnsupported,
        when: "the account is mOTP or Yandex Key",
        versions: "all (the Key URI Format has only totp and hotp)",
        sources: &["https://github.com/google/google-authenticator/wiki/Key-Uri-Format"],
    },
];

/// One rule that applies to the account checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule, with its app, problem and sources.
    pub rule: &'static Rule,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let effect = match self.rule.problem {
            Problem::AlgorithmIgnored => "ignores the algorithm and shows SHA-1 codes",
            Problem::DigitsIgnored => "ignores the code length and shows 6 digits",
            Problem::DigitsUnsupported => "supports only 6- or 8-digit codes",
            Problem::PeriodIgnored => "ignores the period and changes codes every 30 seconds",
            Problem::LowercaseAlgorithm => "refuses a lowercase algorithm name",
            Problem::TypeUnsupported => "has no such account type",
        };
        write!(f, "{} {effect} ({})", self.rule.app, self.rule.when)
    }
}

fn applies(problem: Problem, account: &Account) -> bool {
    let steam = matches!(account.kind, Kind::Steam);
    match problem {
        Problem::AlgorithmIgnored => !steam && account.algorithm != Algorithm::Sha1,
        Problem::DigitsIgnored => !steam && account.digits.get() != 6,
        Problem::DigitsUnsupported => !steam && !matches!(account.digits.get(), 6 | 8),
        Problem::PeriodIgnored => {
            matches!(account.kind, Kind::Totp { period } if period.seconds() != 30)
        }
        Problem::LowercaseAlgorithm => false,
        Problem::TypeUnsupported => match account.kind {
            Kind::Motp | Kind::Yandex => true,
            Kind::Totp { .. } | Kind::Hotp { .. } | Kind::Steam => false,
        },
    }
}

/// The rules that apply to `account`, in [`RULES`] order. Empty for SHA-1, 6 digits,
/// 30 s (or HOTP with SHA-1 and 6 digits).
pub fn check(account: &Account) -> Vec<Finding> {
    RULES
        .iter()
        .filter(|rule| applies(rule.problem, account))
        .map(|rule| Finding { rule })
        .collect()
}

/// [`check`] for a URI, plus the rules about its spelling (a lowercase `algorithm`
/// value).
///
/// ```
/// use otpkit_transfer::portability::{check_uri, Problem};
/// let f = check_uri("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=sha1")?;
/// assert_eq!(f[0].rule.problem, Problem::LowercaseAlgorithm);
/// # Ok::<(), otpkit::otpauth::UriError>(())
/// ```
pub fn check_uri(uri: &str) -> Result<Vec<Finding>, UriError> {
    let parsed = Account::parse(uri)?;
    let mut findings = check(&parsed.account);
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let lowercase = query.split('&').any(|pair| {
        pair.split_once('=').is_some_and(|(k, v)| {
            k.eq_ignore_ascii_case("algorithm") && v.chars().any(|c| c.is_ascii_lowercase())
        })
    });
    if lowercase {
        findings.extend(
            RULES
                .iter()
                .filter(|r| r.problem == Problem::LowercaseAlgorithm)
                .map(|rule| Finding { rule }),
        );
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(uri: &str) -> Vec<(App, Problem)> {
        check_uri(uri)
            .unwrap()
            .iter()
            .map(|f| (f.rule.app, f.rule.problem))
            .collect()
    }

    const S: &str = "otpauth://totp/Ex:a?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    #[test]
    fn every_app_and_problem_of_the_rules_has_a_distinct_upper_snake_code() {
        let mut apps: Vec<&str> = RULES.iter().map(|r| r.app.code()).collect();
        let mut problems: Vec<&str> = RULES.iter().map(|r| r.problem.code()).collect();
        apps.sort_unstable();
        apps.dedup();
        problems.sort_unstable();
        problems.dedup();
        assert_eq!(
            apps,
            ["AUTHY", "GOOGLE_AUTHENTICATOR", "MICROSOFT_AUTHENTICATOR"]
        );
        assert_eq!(
            problems,
            [
                "ALGORITHM_IGNORED",
                "DIGITS_IGNORED",
                "DIGITS_UNSUPPORTED",
                "LOWERCASE_ALGORITHM",
                "PERIOD_IGNORED",
                "TYPE_UNSUPPORTED"
            ]
        );
    }

    #[test]
    fn each_rule_fires_on_its_condition() {
        assert!(found(S).is_empty());
        assert_eq!(
            found(&format!("{S}&algorithm=SHA512")),
            vec![
                (App::MicrosoftAuthenticator, Problem::AlgorithmIgnored),
                (App::Authy, Problem::AlgorithmIgnored),
                (App::GoogleAuthenticator, Problem::AlgorithmIgnored),
            ]
        );
        assert_eq!(
            found(&format!("{S}&digits=8")),
            vec![(App::MicrosoftAuthenticator, Problem::DigitsIgnored)]
        );
        assert_eq!(
            found(&format!("{S}&digits=7")),
            vec![
                (App::MicrosoftAuthenticator, Problem::DigitsIgnored),
                (App::GoogleAuthenticator, Problem::DigitsUnsupported),
            ]
        );
        assert_eq!(
            found(&format!("{S}&period=60")),
            vec![
                (App::MicrosoftAuthenticator, Problem::PeriodIgnored),
                (App::GoogleAuthenticator, Problem::PeriodIgnored),
            ]
        );
        assert!(
            found(&format!("{S}&algorithm=sha256"))
                .contains(&(App::GoogleAuthenticator, Problem::LowercaseAlgorithm))
        );
        assert!(
            !found(&format!("{S}&algorithm=SHA256"))
                .contains(&(App::GoogleAuthenticator, Problem::LowercaseAlgorithm))
        );
        // HOTP has no period; Steam's fixed parameters are not the URI's to choose.
        assert!(found("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1").is_empty());
        assert!(found("otpauth://totp/Steam:x?secret=JBSWY3DPEHPK3PXP&issuer=Steam").is_empty());
        // mOTP and Yandex: only the type rule, whatever Aegis writes beside it.
        assert_eq!(
            found("otpauth://motp/x?secret=4MKSV7XGEWM4Q&algorithm=MD5&digits=6&period=10"),
            vec![(App::GoogleAuthenticator, Problem::TypeUnsupported)]
        );
        assert_eq!(
            found(
                "otpauth://yaotp/x?secret=LA2V6KMCGYMWWVEW64RNP3JA3I&pin=G42TQNQ&algorithm=SHA256"
            ),
            vec![(App::GoogleAuthenticator, Problem::TypeUnsupported)]
        );
    }

    #[test]
    fn every_rule_has_sources_and_a_sentence() {
        for rule in RULES {
            assert!(!rule.sources.is_empty());
            assert!(rule.sources.iter().all(|s| s.starts_with("https://")));
            assert!(!Finding { rule }.to_string().is_empty());
        }
    }

    #[test]
    fn the_docs_table_cites_every_source() {
        let doc = include_str!("../../../docs/transfer.md");
        for rule in RULES {
            for source in rule.sources {
                assert!(doc.contains(source), "docs/transfer.md lacks {source}");
            }
        }
    }
}
