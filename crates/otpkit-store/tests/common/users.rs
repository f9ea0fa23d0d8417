//! The user API's conformance suite: named devices, the user-level bound, recovery
//! codes, remember-this-device and audit events, on every store.

use std::sync::{Arc, Barrier};
use std::thread;

use otpkit::recovery::{RecoveryOutcome, RecoveryPolicy};
use otpkit::verifier::{NIST_MAX_FAILURES, Outcome, Policy};
use otpkit::{Algorithm, Digits, Period, Secret};
use otpkit_store::audit::{EventKind, Reason, RecentEvents};
use otpkit_store::seal::{Keyring, SealingKey};
use otpkit_store::{
    AllowedParams, DeviceChoice, DeviceParams, DeviceStore, MAX_DEVICES_PER_USER, MfaService,
    Remembered, ServiceError,
};

use super::{Phone, T0, keyring, policy};

fn secret(n: u8) -> Secret {
    Secret::from_bytes(&[n; 20]).unwrap()
}

/// Adds and enrols the device `name` of `user` with secret `n`; returns its phone.
pub fn enrolled_device<S: DeviceStore>(
    service: &MfaService<S>,
    user: &str,
    name: &str,
    n: u8,
) -> Phone {
    let s = secret(n);
    service
        .add_device(user, name, &s, DeviceParams::default(), T0)
        .unwrap();
    let phone = Phone::new(&s);
    let a = service
        .enroll_device(user, name, &phone.code(T0 - 30), &phone.code(T0), T0)
        .unwrap();
    assert!(a.outcome.is_enrolled(), "{:?}", a.outcome);
    phone
}

/// Runs every check of the user API.
pub fn suite<S, F>(prefix: &str, make: &F)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S + Sync,
{
    let service = MfaService::new(make(), keyring(), policy());
    devices_are_added_listed_renamed_and_removed(&service, prefix);
    each_device_signs_in_and_keeps_its_own_replay_state(&service, prefix);
    a_chosen_device_counts_its_own_failures(&service, prefix);
    user_rows_are_not_devices_of_the_single_device_api(&service, prefix);
    failures_outlive_a_device_removed_and_added_again(&service, prefix);
    resync_is_counted_on_the_user(&service, prefix);
    recovery_codes_are_single_use_regenerated_and_counted(&service, prefix);
    remembered_browsers_rotate_and_a_copy_revokes_all(&service, prefix);
    remembered_browsers_are_revoked_by_removal_and_on_request(&service, prefix);
    reseal_moves_every_device_of_the_user(make, prefix);
    the_allow_list_refuses_at_enrolment_and_freezes_per_device(make, prefix);
    audit_events_follow_the_flow_and_hold_no_code(make, prefix);
    single_device_calls_emit_events_too(make, prefix);
    racing_guessers_with_eight_devices_meet_the_user_bound(make, prefix);
}

fn devices_are_added_listed_renamed_and_removed<S: DeviceStore>(
    service: &MfaService<S>,
    prefix: &str,
) {
    let user = format!("{prefix}/devices");
    enrolled_device(service, &user, "phone", 1);
    service
        .add_device(
            &user,
            "YubiKey",
            &secret(2),
            DeviceParams::default(),
            T0 + 5,
        )
        .unwrap();
    let listed = service.devices(&user).unwrap();
    let names: Vec<&str> = listed.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["phone", "YubiKey"]);
    assert!(listed[0].enrolled && !listed[1].enrolled);
    assert_eq!(listed[1].added_at, T0 + 5);
    assert_eq!(listed[0].params, Some(DeviceParams::default()));
    // The pending device shows its secret again; the enrolled one does not.
    let (again, _) = service.pending_device_secret(&user, "YubiKey").unwrap();
    assert_eq!(again.as_bytes(), secret(2).as_bytes());
    assert!(matches!(
        service.pending_device_secret(&user, "phone"),
        Err(ServiceError::AlreadyEnrolled { .. })
    ));
    assert!(matches!(
        service.add_device(&user, "phone", &secret(3), DeviceParams::default(), T0),
        Err(ServiceError::DeviceNameTaken { .. })
    ));
    for bad in ["", "  ", "a\nb", &"x".repeat(65)] {
        assert!(matches!(
            service.add_device(&user, bad, &secret(3), DeviceParams::default(), T0),
            Err(ServiceError::InvalidDeviceName)
        ));
    }
    service
        .rename_device(&user, "YubiKey", "desk key", T0)
        .unwrap();
    assert!(matches!(
        service.rename_device(&user, "desk key", "phone", T0),
        Err(ServiceError::DeviceNameTaken { .. })
    ));
    assert!(matches!(
        service.rename_device(&user, "nothing", "x", T0),
        Err(ServiceError::UnknownDevice { .. })
    ));
    for n in 2..MAX_DEVICES_PER_USER {
        service
            .add_device(
                &user,
                &format!("spare {n}"),
                &secret(9),
                DeviceParams::default(),
                T0,
            )
            .unwrap();
    }
    assert!(matches!(
        service.add_device(
            &user,
            "one too many",
            &secret(9),
            DeviceParams::default(),
            T0
        ),
        Err(ServiceError::TooManyDevices { .. })
    ));
    assert!(service.remove_device(&user, "desk key", T0).unwrap());
    assert!(!service.remove_device(&user, "desk key", T0).unwrap());
    assert_eq!(
        service.devices(&user).unwrap().len(),
        MAX_DEVICES_PER_USER - 1
    );
    assert!(service.remove_user(&user, T0).unwrap());
    assert!(service.devices(&user).unwrap().is_empty());
}

fn each_device_signs_in_and_keeps_its_own_replay_state<S: DeviceStore>(
    service: &MfaService<S>,
    prefix: &str,
) {
    let user = format!("{prefix}/each");
    let phone = enrolled_device(service, &user, "phone", 11);
    let tablet = enrolled_device(service, &user, "tablet", 12);
    let t = T0 + 90;
    let a = service
        .sign_in(&user, &phone.code(t), DeviceChoice::Any, t)
        .unwrap();
    assert!(a.is_accepted(), "{:?}", a.outcome());
    assert_eq!(a.device(), Some("phone"));
    let b = service
        .sign_in(&user, &tablet.code(t), DeviceChoice::Any, t)
        .unwrap();
    assert!(b.is_accepted(), "the tablet's step is its own");
    assert_eq!(b.device(), Some("tablet"));
    let again = service
        .sign_in(&user, &phone.code(t), DeviceChoice::Any, t + 1)
        .unwrap();
    assert_eq!(again.outcome(), Outcome::Replayed);
    assert_eq!(again.device(), Some("phone"));
    let chosen = service
        .sign_in(
            &user,
            &tablet.code(t + 30),
            DeviceChoice::Named("tablet"),
            t + 30,
        )
        .unwrap();
    assert!(chosen.is_accepted());
    assert_eq!(
        chosen.failures(),
        0,
        "an accepted code clears the user's count"
    );
    let other = service
        .sign_in(
            &user,
            &phone.code(t + 60),
            DeviceChoice::Named("tablet"),
            t + 60,
        )
        .unwrap();
    assert_eq!(other.outcome(), Outcome::Invalid);
    assert!(matches!(
        service.sign_in(&user, "123456", DeviceChoice::Named("laptop"), t),
        Err(ServiceError::UnknownDevice { .. })
    ));
    assert!(matches!(
        service.sign_in(&format!("{prefix}/nobody"), "123456", DeviceChoice::Any, t),
        Err(ServiceError::NoSuchDevice { .. })
    ));
}

fn a_chosen_device_counts_its_own_failures<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    let user = format!("{prefix}/chosen");
    let phone = enrolled_device(service, &user, "phone", 13);
    enrolled_device(service, &user, "tablet", 14);
    let t = T0 + 120;
    let a = service
        .sign_in(&user, &phone.wrong(t, 1), DeviceChoice::Named("phone"), t)
        .unwrap();
    assert_eq!(a.outcome(), Outcome::Invalid);
    assert_eq!(a.failures(), 1);
    let b = service
        .sign_in(&user, &phone.wrong(t, 2), DeviceChoice::Any, t)
        .unwrap();
    assert_eq!(b.failures(), 2);
    let listed = service.devices(&user).unwrap();
    // The chosen device counted its failure; a wrong code for any device counts on
    // the user only.
    assert_eq!(
        listed.iter().map(|d| d.failures).collect::<Vec<_>>(),
        [1, 0]
    );
    assert_eq!(service.user_status(&user).unwrap().failures, 2);
}

fn user_rows_are_not_devices_of_the_single_device_api<S: DeviceStore>(
    service: &MfaService<S>,
    prefix: &str,
) {
    let user = format!("{prefix}/separate");
    enrolled_device(service, &user, "phone", 15);
    assert!(matches!(
        service.state(&user),
        Err(ServiceError::NoSuchDevice { .. })
    ));
    assert!(matches!(
        service.verify(&format!("{user}\u{1f}"), "123456", T0),
        Err(ServiceError::InvalidDeviceId)
    ));
    assert!(matches!(
        service.sign_in("a\u{1f}1", "123456", DeviceChoice::Any, T0),
        Err(ServiceError::InvalidDeviceId)
    ));
}

/// NIST SP 800-63B: re-issuing a secret does not reset the failure count.
fn failures_outlive_a_device_removed_and_added_again<S: DeviceStore>(
    service: &MfaService<S>,
    prefix: &str,
) {
    let user = format!("{prefix}/reissue");
    let phone = enrolled_device(service, &user, "phone", 16);
    let t = T0 + 150;
    for n in 1..=3 {
        let a = service
            .sign_in(&user, &phone.wrong(t, n), DeviceChoice::Any, t)
            .unwrap();
        assert_eq!(a.failures(), n);
    }
    assert!(service.remove_device(&user, "phone", t).unwrap());
    let phone = enrolled_device(service, &user, "phone", 17);
    assert_eq!(service.user_status(&user).unwrap().failures, 3);
    let a = service
        .sign_in(&user, &phone.wrong(t, 4), DeviceChoice::Any, t)
        .unwrap();
    assert_eq!(a.failures(), 4);
    // The device added again is a new row: a code of the removed secret is not its code.
    let gone = Phone::new(&secret(16));
    let b = service
        .sign_in(&user, &gone.code(t + 30), DeviceChoice::Any, t + 30)
        .unwrap();
    assert_eq!(b.outcome(), Outcome::Invalid);
    service.clear_user_lockout(&user, t).unwrap();
    assert_eq!(service.user_status(&user).unwrap().failures, 0);
}

fn resync_is_counted_on_the_user<S: DeviceStore>(service: &MfaService<S>, prefix: &str) {
    let user = format!("{prefix}/resync");
    let phone = enrolled_device(service, &user, "phone", 18);
    let later = T0 + 30 * 400;
    // Five minutes of drift: outside the sign-in window, inside the resync window.
    let drifted = later + 300;
    let a = service
        .resync_device(
            &user,
            "phone",
            &phone.code(drifted),
            &phone.code(drifted + 30),
            later,
        )
        .unwrap();
    assert!(a.outcome.is_resynced(), "{:?}", a.outcome);
    let wrong = service
        .resync_device(
            &user,
            "phone",
            &phone.wrong(later, 1),
            &phone.wrong(later, 2),
            later,
        )
        .unwrap();
    assert!(!wrong.outcome.is_resynced());
    assert_eq!(service.user_status(&user).unwrap().failures, 1);
}

fn recovery_codes_are_single_use_regenerated_and_counted<S: DeviceStore>(
    service: &MfaService<S>,
    prefix: &str,
) {
    let user = format!("{prefix}/recovery");
    enrolled_device(service, &user, "phone", 19);
    let t = T0 + 200;
    assert!(matches!(
        service.use_recovery_code(&user, "AAAA-AAAA-AAAA-AAAA", t),
        Err(ServiceError::NoRecoveryCodes { .. })
    ));
    let fast = RecoveryPolicy::default().with_iterations(1_000).unwrap();
    let first = service.regenerate_recovery_codes(&user, &fast, t).unwrap();
    assert!(fast.entropy_bits() >= 64);
    let code = first.codes()[2].to_string();
    assert!(matches!(
        service.use_recovery_code(&user, &code, t).unwrap(),
        RecoveryOutcome::Accepted { remaining: 9, .. }
    ));
    assert_eq!(
        service.use_recovery_code(&user, &code, t).unwrap(),
        RecoveryOutcome::AlreadyUsed
    );
    assert_eq!(service.user_status(&user).unwrap().failures, 1);
    let second = service.regenerate_recovery_codes(&user, &fast, t).unwrap();
    assert_eq!(
        service
            .use_recovery_code(&user, &first.codes()[3].to_string(), t)
            .unwrap(),
        RecoveryOutcome::Invalid,
        "a new set invalidates every old code"
    );
    assert!(
        service
            .use_recovery_code(&user, &second.codes()[0].to_string(), t)
            .unwrap()
            .is_accepted()
    );
    assert_eq!(service.user_status(&user).unwrap().failures, 0);
    assert_eq!(
        service.user_status(&user).unwrap().recovery_codes_left,
        Some(9)
    );
}

fn remembered_browsers_rotate_and_a_copy_revokes_all<S: DeviceStore>(
    service: &MfaService<S>,
    prefix: &str,
) {
    let user = format!("{prefix}/remember");
    let phone = enrolled_device(service, &user, "phone", 20);
    let t = T0 + 300;
    let wrong = service
        .sign_in(&user, &phone.wrong(t, 1), DeviceChoice::Any, t)
        .unwrap();
    assert!(matches!(
        service.remember_device(&user, &wrong, t),
        Err(ServiceError::NotSignedIn)
    ));
    let ok = service
        .sign_in(&user, &phone.code(t), DeviceChoice::Any, t)
        .unwrap();
    assert!(matches!(
        service.remember_device(&format!("{prefix}/someone-else"), &ok, t),
        Err(ServiceError::NotSignedIn)
    ));
    let laptop = service.remember_device(&user, &ok, t).unwrap();
    let desktop = service.remember_device(&user, &ok, t).unwrap();
    let Remembered::Accepted { next, device } = service
        .check_remembered(&user, laptop.as_str(), t + 10)
        .unwrap()
    else {
        panic!("the first token was refused");
    };
    assert_eq!(device, "phone");
    assert_ne!(next.as_str(), laptop.as_str());
    // The thief's copy of the old token: every series of the user goes.
    assert_eq!(
        service
            .check_remembered(&user, laptop.as_str(), t + 20)
            .unwrap(),
        Remembered::Refused(Reason::Theft)
    );
    for revoked in [next.as_str(), desktop.as_str()] {
        assert_eq!(
            service.check_remembered(&user, revoked, t + 30).unwrap(),
            Remembered::Refused(Reason::Unknown)
        );
    }
    assert_eq!(service.user_status(&user).unwrap().remembered, 0);
    assert_eq!(
        service.forget_remembered(&user, t + 30).unwrap(),
        0,
        "the theft left nothing to revoke"
    );
    // Expiry.
    let short = service.remember_device(&user, &ok, t).unwrap();
    assert_eq!(
        service
            .check_remembered(&user, short.as_str(), t + 31 * 24 * 3600)
            .unwrap(),
        Remembered::Refused(Reason::Expired)
    );
    assert_eq!(
        service
            .check_remembered(&user, "otprm1.nonsense", t)
            .unwrap(),
        Remembered::Refused(Reason::Malformed)
    );
}

fn remembered_browsers_are_revoked_by_removal_and_on_request<S: DeviceStore>(
    service: &MfaService<S>,
    prefix: &str,
) {
    let user = format!("{prefix}/forget");
    let phone = enrolled_device(service, &user, "phone", 21);
    enrolled_device(service, &user, "tablet", 22);
    let t = T0 + 400;
    let ok = service
        .sign_in(&user, &phone.code(t), DeviceChoice::Any, t)
        .unwrap();
    let a = service.remember_device(&user, &ok, t).unwrap();
    assert_eq!(service.forget_remembered(&user, t).unwrap(), 1);
    assert_eq!(
        service.check_remembered(&user, a.as_str(), t).unwrap(),
        Remembered::Refused(Reason::Unknown)
    );
    let b = service.remember_device(&user, &ok, t).unwrap();
    assert!(service.remove_device(&user, "tablet", t).unwrap());
    assert_eq!(
        service.check_remembered(&user, b.as_str(), t).unwrap(),
        Remembered::Refused(Reason::Unknown),
        "removing any device of the user revokes the user's remembered browsers"
    );
}

fn reseal_moves_every_device_of_the_user<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore,
    F: Fn() -> S,
{
    let user = format!("{prefix}/reseal");
    let old = MfaService::new(make(), keyring(), policy());
    let phone = enrolled_device(&old, &user, "phone", 23);
    enrolled_device(&old, &user, "tablet", 24);
    let rotated = Keyring::new(SealingKey::new("test-2", [43; 32]).unwrap())
        .with_old_key(SealingKey::new("test-1", [42; 32]).unwrap())
        .unwrap();
    let service = MfaService::new(make(), rotated, policy());
    assert_eq!(service.reseal_user(&user, T0).unwrap(), 2);
    assert_eq!(service.reseal_user(&user, T0).unwrap(), 0);
    let only_new = Keyring::new(SealingKey::new("test-2", [43; 32]).unwrap());
    let service = MfaService::new(make(), only_new, policy());
    let t = T0 + 500;
    assert!(
        service
            .sign_in(&user, &phone.code(t), DeviceChoice::Any, t)
            .unwrap()
            .is_accepted()
    );
}

fn the_allow_list_refuses_at_enrolment_and_freezes_per_device<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore,
    F: Fn() -> S,
{
    let user = format!("{prefix}/allow");
    let open = MfaService::new(make(), keyring(), policy());
    let sha256: DeviceParams = "totp.SHA256.6.30".parse().unwrap();
    let s = secret(25);
    open.add_device(&user, "old phone", &s, sha256, T0).unwrap();
    let phone = otpkit::Totp::new(&s, Algorithm::Sha256, Digits::SIX, Period::DEFAULT);
    let code = |t: u64| phone.code_at(t).unwrap().to_string();
    assert!(
        open.enroll_device(&user, "old phone", &code(T0 - 30), &code(T0), T0)
            .unwrap()
            .outcome
            .is_enrolled()
    );
    let strict = MfaService::new(make(), keyring(), policy()).with_allowed(
        AllowedParams::totp_only(&[Algorithm::Sha1], &[Digits::SIX], &[Period::DEFAULT]),
    );
    match strict.add_device(&user, "new phone", &secret(26), sha256, T0) {
        Err(ServiceError::NotAllowed { setting, value }) => {
            assert_eq!((setting, value.as_str()), ("algorithm", "SHA256"));
        }
        other => panic!("{other:?}"),
    }
    let hotp: DeviceParams = "hotp.SHA1.6".parse().unwrap();
    assert!(matches!(
        strict.add_device(&user, "token", &secret(27), hotp, T0),
        Err(ServiceError::NotAllowed {
            setting: "kind",
            ..
        })
    ));
    assert!(matches!(
        strict.begin_enrollment(&format!("{prefix}/allow-single"), &secret(27), hotp),
        Err(ServiceError::NotAllowed { .. })
    ));
    // The device added before the list narrowed keeps its parameters and works.
    let t = T0 + 60;
    assert!(
        strict
            .sign_in(&user, &code(t), DeviceChoice::Any, t)
            .unwrap()
            .is_accepted()
    );
}

fn audit_events_follow_the_flow_and_hold_no_code<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore,
    F: Fn() -> S,
{
    let user = format!("{prefix}/audit");
    let recent = Arc::new(RecentEvents::new(50));
    let strict = Policy::default().with_max_failures(2).unwrap();
    let service = MfaService::new(make(), keyring(), strict).with_audit(recent.clone());
    let phone = enrolled_device(&service, &user, "phone", 28);
    let t = T0 + 600;
    let code = phone.code(t);
    let ok = service.sign_in(&user, &code, DeviceChoice::Any, t).unwrap();
    let _ = service.sign_in(&user, &code, DeviceChoice::Any, t).unwrap();
    let wrong = phone.wrong(t, 1);
    let _ = service
        .sign_in(&user, &wrong, DeviceChoice::Any, t)
        .unwrap();
    let locked = service.sign_in(&user, &code, DeviceChoice::Any, t).unwrap();
    assert!(matches!(locked.outcome(), Outcome::Locked { .. }));
    service.clear_user_lockout(&user, t).unwrap();
    let token = service.remember_device(&user, &ok, t).unwrap();
    service
        .rename_device(&user, "phone", "old phone", t)
        .unwrap();
    service.remove_device(&user, "old phone", t).unwrap();
    let events = recent.of_user(&user);
    let kinds: Vec<EventKind> = events.iter().rev().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::EnrollmentBegun,
            EventKind::EnrollmentCompleted,
            EventKind::SignInAccepted,
            EventKind::SignInReplayed,
            EventKind::SignInRefused,
            EventKind::LockoutStarted,
            EventKind::SignInRefused,
            EventKind::LockoutCleared,
            EventKind::DeviceRemembered,
            EventKind::DeviceRenamed,
            EventKind::DeviceRemoved,
            EventKind::RememberedRevoked,
        ]
    );
    let locked_out = &events[events.len() - 7];
    assert_eq!(
        (locked_out.kind, locked_out.reason),
        (EventKind::SignInRefused, Some(Reason::Locked))
    );
    let accepted = events
        .iter()
        .find(|e| e.kind == EventKind::SignInAccepted)
        .unwrap();
    assert_eq!(accepted.device.as_deref(), Some("phone"));
    assert_eq!(accepted.at, t);
    // Newest first: the oldest refusal is the wrong code.
    let refused = events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::SignInRefused)
        .unwrap();
    assert_eq!(refused.reason, Some(Reason::Invalid));
    let text = format!("{events:?}");
    for secret_text in [code.as_str(), wrong.as_str(), token.as_str()] {
        assert!(!text.contains(secret_text), "{text}");
    }
}

/// The bound the docs state: whatever the number of devices and however many
/// servers race, no more wrong attempts are checked than the policy allows per
/// lock-out, and at most NIST_MAX_FAILURES in all before the user is locked for good.
fn racing_guessers_with_eight_devices_meet_the_user_bound<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore + Send + Sync + 'static,
    F: Fn() -> S + Sync,
{
    const THREADS: usize = 6;
    const GUESSES_PER_THREAD: u32 = 8;
    let user = format!("{prefix}/guesser");
    let strict = Policy::default()
        .with_max_failures(5)
        .unwrap()
        .with_lockout(60, 60)
        .unwrap();
    let setup = MfaService::new(make(), keyring(), strict);
    let phones: Vec<Phone> = (0..MAX_DEVICES_PER_USER)
        .map(|n| enrolled_device(&setup, &user, &format!("device {n}"), 40 + n as u8))
        .collect();
    let services: Vec<_> = (0..THREADS)
        .map(|_| MfaService::new(make(), keyring(), strict))
        .collect();
    // Guesses that no device makes in the hour the test spans.
    let codes: std::collections::HashSet<String> = phones
        .iter()
        .flat_map(|p| (0..=130).map(move |k| p.code(T0 - 300 + k * 30)))
        .collect();
    let guesses: Vec<String> = (0..)
        .map(|n: u32| format!("{:06}", (n * 104_729 + 7) % 1_000_000))
        .filter(|g| !codes.contains(g))
        .take(THREADS * GUESSES_PER_THREAD as usize)
        .collect();
    let mut checked_in_all = 0usize;
    let mut now = T0 + 30;
    // Rounds of racing guesses, each after the last lock-out ended, until locked for good.
    for round in 0.. {
        let barrier = Barrier::new(THREADS);
        let outcomes: Vec<Outcome> = thread::scope(|scope| {
            let handles: Vec<_> = services
                .iter()
                .zip(guesses.chunks(GUESSES_PER_THREAD as usize))
                .map(|(service, mine)| {
                    let (barrier, user) = (&barrier, &user);
                    scope.spawn(move || {
                        barrier.wait();
                        mine.iter()
                            .map(|g| {
                                service
                                    .sign_in(user, g, DeviceChoice::Any, now)
                                    .unwrap()
                                    .outcome()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        let checked = outcomes
            .iter()
            .filter(|o| !matches!(o, Outcome::Locked { .. }))
            .count();
        assert!(
            outcomes
                .iter()
                .all(|o| matches!(o, Outcome::Invalid | Outcome::Locked { .. })),
            "{outcomes:?}"
        );
        checked_in_all += checked;
        let status = setup.user_status(&user).unwrap();
        if status.locked_until == Some(u64::MAX) {
            assert!(checked <= 5, "round {round}: {checked} checked");
            break;
        }
        assert_eq!(
            checked, 5,
            "round {round}: the policy allows 5 per lock-out"
        );
        assert!(round < 30, "never locked for good");
        now = status.locked_until.unwrap() + 1;
    }
    assert_eq!(checked_in_all, NIST_MAX_FAILURES as usize);
    eprintln!(
        "user bound: {MAX_DEVICES_PER_USER} devices, {THREADS} racing servers: \
         {checked_in_all} wrong attempts checked before the user was locked for good"
    );
    // Still locked for good: the right code of any device is not looked at.
    let t = now + 30;
    let right = setup
        .sign_in(&user, &phones[3].code(t), DeviceChoice::Any, t)
        .unwrap();
    assert!(matches!(
        right.outcome(),
        Outcome::Locked { until: u64::MAX }
    ));
}

/// The single-device calls (a device id, no user) report to the same sink, with
/// the id as the user and no device name.
fn single_device_calls_emit_events_too<S, F>(make: &F, prefix: &str)
where
    S: DeviceStore,
    F: Fn() -> S,
{
    let id = format!("{prefix}/single-audit");
    let recent = Arc::new(RecentEvents::new(50));
    let strict = Policy::default().with_max_failures(1).unwrap();
    let service = MfaService::new(make(), keyring(), strict).with_audit(recent.clone());
    let phone = super::enrolled(&service, &id, 29);
    let t = T0 + 700;
    let _ = service.verify(&id, &phone.code(t), t).unwrap();
    let _ = service.verify(&id, &phone.wrong(t, 1), t).unwrap();
    let _ = service.clear_lockout(&id).unwrap();
    service.remove(&id).unwrap();
    let events = recent.of_user(&id);
    let kinds: Vec<EventKind> = events.iter().rev().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::EnrollmentBegun,
            EventKind::EnrollmentCompleted,
            EventKind::SignInAccepted,
            EventKind::SignInRefused,
            EventKind::LockoutStarted,
            EventKind::LockoutCleared,
            EventKind::DeviceRemoved,
        ]
    );
    assert!(events.iter().all(|e| e.device.is_none() && e.user == id));
    // Calls that take no `now` stamp their events with the system clock.
    assert!(events[0].at > T0 - 100_000_000, "{:?}", events[0]);
}
