//! Remember this device: a token a server sets in a browser after a successful
//! sign-in, so that browser is not asked for a code again for a while.
//!
//! A token is `otprm1.SERIES.COUNTER.SECRET`: a random series id, the number of
//! times the series has been used, and a random 128-bit secret. The user record
//! keeps, per series, only a SHA-256 hash of the current token, its counter, the
//! device that signed in, and the expiry. Each accepted token is replaced by the
//! next one of its series (the counter goes up, the secret is new), so a token
//! works once. If a token of a known series comes back that is not the current one
//! — an old counter, or the right counter with the wrong secret — two browsers hold
//! the series: one of them copied it. Every token of the user is then revoked
//! ([`Reason::Theft`]), so the thief and the user
//! both have to sign in with a code again.
//!
//! Tokens are also revoked when a device is removed, and when the caller asks
//! ([`MfaService::forget_remembered`](crate::MfaService::forget_remembered), for
//! example after a password change). A user has at most
//! [`MAX_REMEMBERED_PER_USER`] series: a new one beyond that replaces the one that
//! expires first.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::audit::Reason;

/// The most remember-this-device series a user has at once.
pub const MAX_REMEMBERED_PER_USER: usize = 10;

/// The default lifetime of a series: 30 days.
pub const DEFAULT_REMEMBER_SECS: u64 = 30 * 24 * 3600;

/// The longest lifetime a service accepts: 400 days (browsers cap cookies there).
pub const MAX_REMEMBER_SECS: u64 = 400 * 24 * 3600;

const PREFIX: &str = "otprm1";

/// A remember-this-device token, to set as an `HttpOnly`, `Secure`, `SameSite`
/// cookie. Its `Debug` form hides it; the memory is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
#[must_use = "the token must be sent to the browser, or the series is lost"]
pub struct RememberToken(Zeroizing<String>);

impl RememberToken {
    /// The text to send.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RememberToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RememberToken(…)")
    }
}

/// One series, as the user record keeps it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Series {
    /// 32 lowercase hex digits.
    pub(crate) id: String,
    /// Tokens of this series issued so far, minus one.
    pub(crate) counter: u64,
    /// SHA-256 of the current token's text.
    pub(crate) hash: [u8; 32],
    /// The key of the device whose sign-in started the series.
    pub(crate) device: u32,
    /// When the series stops being accepted (Unix seconds, exclusive).
    pub(crate) expires: u64,
}

impl fmt::Debug for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Series")
            .field("id", &self.id)
            .field("counter", &self.counter)
            .field("device", &self.device)
            .field("expires", &self.expires)
            .finish_non_exhaustive()
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(text.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

fn is_hex_id(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

fn token_text(series: &str, counter: u64, secret: &[u8; 16]) -> Zeroizing<String> {
    Zeroizing::new(format!("{PREFIX}.{series}.{counter}.{}", hex(secret)))
}

fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn random<const N: usize>() -> Result<[u8; N], getrandom::Error> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

impl Series {
    /// A new series for `device`, expiring at `expires`, and its first token.
    pub(crate) fn start(
        device: u32,
        expires: u64,
    ) -> Result<(Series, RememberToken), getrandom::Error> {
        let id = hex(&random::<16>()?);
        let secret = Zeroizing::new(random::<16>()?);
        let token = token_text(&id, 0, &secret);
        let series = Series {
            id,
            counter: 0,
            hash: hash(&token),
            device,
            expires,
        };
        Ok((series, RememberToken(token)))
    }

    /// The series after its current token was used: the next token.
    fn rotate(&self) -> Result<(Series, RememberToken), getrandom::Error> {
        let secret = Zeroizing::new(random::<16>()?);
        let counter = self.counter.saturating_add(1);
        let token = token_text(&self.id, counter, &secret);
        let next = Series {
            counter,
            hash: hash(&token),
            ..self.clone()
        };
        Ok((next, RememberToken(token)))
    }

    /// `id counter hash device expires`, the user record's words.
    pub(crate) fn encode(&self) -> String {
        format!(
            "{} {} {} {} {}",
            self.id,
            self.counter,
            hex(&self.hash),
            self.device,
            self.expires
        )
    }

    pub(crate) fn decode(text: &str) -> Option<Series> {
        let mut words = text.split(' ');
        let id = words.next().filter(|w| is_hex_id(w))?.to_owned();
        let counter = words.next()?.parse().ok()?;
        let hash = unhex32(words.next()?)?;
        let device = words.next()?.parse().ok()?;
        let expires = words.next()?.parse().ok()?;
        if words.next().is_some() {
            return None;
        }
        Some(Series {
            id,
            counter,
            hash,
            device,
            expires,
        })
    }

    #[cfg(test)]
    pub(crate) fn new_for_test(device: u32, expires: u64) -> Series {
        Series::start(device, expires).unwrap().0
    }
}

/// What a presented token came to, and the series list to store.
pub(crate) enum Check {
    /// The current token of a live series: the next token, and the device.
    Accepted { next: RememberToken, device: u32 },
    /// Refused; `revoke_all` when it proves a copy.
    Refused { reason: Reason, revoke_all: bool },
}

/// Checks `presented` against `series` at `now`: the outcome, and the series to
/// keep (the checked one rotated, removed when expired, or all of them removed
/// after a theft).
pub(crate) fn check(
    series: &[Series],
    presented: &str,
    now: u64,
) -> Result<(Check, Vec<Series>), getrandom::Error> {
    let refused = |reason| Check::Refused {
        reason,
        revoke_all: false,
    };
    let mut parts = presented.split('.');
    let (Some(PREFIX), Some(id), Some(counter), Some(_secret), None) = (
        parts.next(),
        parts.next(),
        parts.next().and_then(|c| c.parse::<u64>().ok()),
        parts.next(),
        parts.next(),
    ) else {
        return Ok((refused(Reason::Malformed), series.to_vec()));
    };
    let Some(found) = series.iter().find(|s| s.id == id) else {
        return Ok((refused(Reason::Unknown), series.to_vec()));
    };
    let others = || series.iter().filter(|s| s.id != id).cloned();
    if now >= found.expires {
        return Ok((refused(Reason::Expired), others().collect()));
    }
    let current = counter == found.counter && bool::from(hash(presented).ct_eq(&found.hash));
    if !current {
        let theft = Check::Refused {
            reason: Reason::Theft,
            revoke_all: true,
        };
        return Ok((theft, Vec::new()));
    }
    let (next_series, next) = found.rotate()?;
    let kept = others().chain(std::iter::once(next_series)).collect();
    Ok((
        Check::Accepted {
            next,
            device: found.device,
        },
        kept,
    ))
}

/// `series` with a new one added at `now`: expired series dropped first, then, at
/// [`MAX_REMEMBERED_PER_USER`], the one that expires first.
pub(crate) fn add(series: &[Series], new: Series, now: u64) -> Vec<Series> {
    let mut kept: Vec<Series> = series.iter().filter(|s| now < s.expires).cloned().collect();
    while kept.len() >= MAX_REMEMBERED_PER_USER {
        let Some(first) = kept
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| s.expires)
            .map(|(i, _)| i)
        else {
            break;
        };
        kept.remove(first);
    }
    kept.push(new);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_token_works_once_and_its_successor_works_next() {
        let (s, t0) = Series::start(1, NOW + 100).unwrap();
        let (Check::Accepted { next: t1, device }, kept) = check(&[s], t0.as_str(), NOW).unwrap()
        else {
            panic!("refused");
        };
        assert_eq!(device, 1);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].counter, 1);
        assert!(t1.as_str().contains(".1."));
        let (Check::Accepted { .. }, _) = check(&kept, t1.as_str(), NOW + 1).unwrap() else {
            panic!("the successor was refused");
        };
    }

    #[test]
    fn an_old_token_of_a_series_revokes_every_series() {
        let (a, a0) = Series::start(1, NOW + 100).unwrap();
        let (b, _) = Series::start(2, NOW + 100).unwrap();
        let (_, kept) = check(&[a, b], a0.as_str(), NOW).unwrap();
        let (outcome, left) = check(&kept, a0.as_str(), NOW + 1).unwrap();
        assert!(matches!(
            outcome,
            Check::Refused {
                reason: Reason::Theft,
                revoke_all: true
            }
        ));
        assert!(left.is_empty());
    }

    #[test]
    fn a_forged_secret_with_the_current_counter_is_theft_too() {
        let (a, a0) = Series::start(1, NOW + 100).unwrap();
        let forged = format!("{}0", &a0.as_str()[..a0.as_str().len() - 1]);
        let forged = if forged == a0.as_str() {
            format!("{}1", &a0.as_str()[..a0.as_str().len() - 1])
        } else {
            forged
        };
        let (outcome, left) = check(&[a], &forged, NOW).unwrap();
        assert!(matches!(
            outcome,
            Check::Refused {
                reason: Reason::Theft,
                ..
            }
        ));
        assert!(left.is_empty());
    }

    #[test]
    fn expired_unknown_and_malformed_tokens_are_refused_without_revoking_others() {
        let (a, a0) = Series::start(1, NOW + 100).unwrap();
        let (b, _) = Series::start(2, NOW + 1000).unwrap();
        let both = [a, b];
        let (outcome, left) = check(&both, a0.as_str(), NOW + 100).unwrap();
        assert!(matches!(
            outcome,
            Check::Refused {
                reason: Reason::Expired,
                revoke_all: false
            }
        ));
        assert_eq!(left.len(), 1);
        let (other, _) = Series::start(3, NOW + 100).unwrap();
        let (_, t) = Series::start(3, NOW + 100).unwrap();
        let (outcome, left) = check(std::slice::from_ref(&other), t.as_str(), NOW).unwrap();
        assert!(matches!(
            outcome,
            Check::Refused {
                reason: Reason::Unknown,
                ..
            }
        ));
        assert_eq!(left.len(), 1);
        for bad in ["", "otprm1", "otprm1.a.b.c", "x.y.1.z", "otprm1.a.1.b.c"] {
            let (outcome, _) = check(&both, bad, NOW).unwrap();
            assert!(
                matches!(
                    outcome,
                    Check::Refused {
                        reason: Reason::Malformed | Reason::Unknown,
                        revoke_all: false
                    }
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_user_keeps_at_most_the_cap_dropping_the_first_to_expire() {
        let mut series = Vec::new();
        for k in 0..MAX_REMEMBERED_PER_USER as u64 + 3 {
            let (s, _) = Series::start(1, NOW + 1000 - k).unwrap();
            series = add(&series, s, NOW);
        }
        assert_eq!(series.len(), MAX_REMEMBERED_PER_USER);
        // The three that expire first (the last three added) made room for each other.
        assert!(
            series
                .iter()
                .all(|s| s.expires > NOW + 1000 - 13 || s.expires == NOW + 988)
        );
        let (late, _) = Series::start(1, NOW + 5).unwrap();
        let expired_dropped = add(&[late], Series::start(1, NOW + 50).unwrap().0, NOW + 10);
        assert_eq!(expired_dropped.len(), 1);
    }

    #[test]
    fn a_series_reads_back_and_its_debug_shows_no_hash() {
        let (s, t) = Series::start(4, NOW).unwrap();
        assert_eq!(Series::decode(&s.encode()), Some(s.clone()));
        assert!(!format!("{s:?}").contains(&hex(&s.hash)));
        assert_eq!(format!("{t:?}"), "RememberToken(…)");
    }
}
