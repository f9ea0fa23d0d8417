//! Properties of the verifier and of its stored state, over random inputs.

use otpkit::verifier::{DeviceKind, DeviceState, Outcome, Policy, StateError, Verifier};
use otpkit::{Algorithm, Digits, Hotp, Period, Secret, Totp, Window};
use proptest::prelude::*;

#[path = "support/cases.rs"]
mod cases;
#[path = "support/state_checksum.rs"]
mod state_checksum;

const START: u64 = 1_700_000_000;

fn totp(secret: &[u8; 20]) -> Totp {
    // 8 digits: two steps sharing a code (which would blur "accepted iff in the
    // window") has probability ~1e-8 per pair.
    let secret = Secret::from_bytes(secret).unwrap();
    Totp::new(&secret, Algorithm::Sha1, Digits::EIGHT, Period::DEFAULT)
}

fn lenient() -> Policy {
    // Failures never lock in these properties; throttling has its own tests.
    Policy::default().with_max_failures(100).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases::cases(128)))]

    /// Whatever drift a state carries (even beyond the policy's bound), a sign-in
    /// code is accepted exactly when its step is fresh and inside the scan: the
    /// policy window around the server's clock, widened towards the drift clamped
    /// to the policy. The window around the server's own clock is always covered.
    #[test]
    fn accepted_exactly_inside_the_scan(
        secret in any::<[u8; 20]>(),
        drift in -12i64..=12,
        max_drift in 0u32..=10,
        behind in 0u32..4,
        ahead in 0u32..3,
        offset in -25i64..=25,
    ) {
        let totp = totp(&secret);
        let policy = lenient()
            .with_window(Window::new(behind, ahead).unwrap())
            .unwrap()
            .with_max_drift_steps(max_drift)
            .unwrap();
        let v = Verifier::totp(totp.clone(), policy);
        let now = START;
        let now_step = totp.step_at(now).unwrap();
        let last = now_step - 30;
        let state = DeviceState::from_parts(DeviceKind::Totp, last, drift, 0, 0);
        let bounded = drift.clamp(-i64::from(max_drift), i64::from(max_drift));
        let lo = bounded.min(0) - i64::from(behind);
        let hi = bounded.max(0) + i64::from(ahead);

        let target = now_step.checked_add_signed(offset).unwrap();
        let (outcome, new) = v.verify(&state, &totp.code_at_step(target).to_string(), now);
        if (lo..=hi).contains(&offset) {
            prop_assert_eq!(outcome, Outcome::Accepted { step: target, drift: offset });
            prop_assert_eq!(new.last_step(), Some(target));
            prop_assert!(new.drift().abs() <= i64::from(max_drift));
        } else {
            prop_assert!(!outcome.is_accepted(), "{:?} at offset {}", outcome, offset);
            prop_assert_eq!(new.last_step(), state.last_step());
            prop_assert_eq!(new.failures(), state.failures() + 1);
        }
    }

    /// Over any sequence of sign-ins with codes of nearby steps: accepted steps
    /// strictly increase, and a code of a step at or before one already accepted is
    /// never accepted.
    #[test]
    fn accepted_steps_increase_and_replays_fail(
        secret in any::<[u8; 20]>(),
        attempts in prop::collection::vec((0u64..45, -3i64..=3), 1..40),
    ) {
        let totp = totp(&secret);
        let v = Verifier::totp(totp.clone(), lenient().with_window(Window::new(2, 2).unwrap()).unwrap());
        let mut now = START;
        let s0 = totp.step_at(now).unwrap();
        let (outcome, mut state) = v.enroll(
            &v.begin_enrollment(),
            &totp.code_at_step(s0 - 1).to_string(),
            &totp.code_at_step(s0).to_string(),
            now,
        );
        prop_assert!(outcome.is_enrolled());
        let mut highest = s0;
        let mut accepted = 0;
        for (wait, off) in attempts {
            now += wait;
            let target = totp.step_at(now).unwrap().checked_add_signed(off).unwrap();
            let (outcome, new) = v.verify(&state, &totp.code_at_step(target).to_string(), now);
            match outcome {
                Outcome::Accepted { step, .. } => {
                    prop_assert_eq!(step, target);
                    prop_assert!(step > highest, "step {} after {}", step, highest);
                    highest = step;
                    accepted += 1;
                }
                Outcome::Replayed => prop_assert!(target <= highest),
                Outcome::Invalid => {}
                other => prop_assert!(false, "unexpected {:?}", other),
            }
            let now_step = totp.step_at(now).unwrap();
            let d = state.drift();
            let lo = now_step.checked_add_signed(d.min(0) - 2).unwrap();
            let hi = now_step.checked_add_signed(d.max(0) + 2).unwrap();
            if target <= highest && (lo..=hi).contains(&target) && !outcome.is_accepted() {
                prop_assert_eq!(outcome, Outcome::Replayed, "a used step inside the scan");
            }
            // Submitting it again right away is always refused.
            let (again, _) = v.verify(&new, &totp.code_at_step(target).to_string(), now);
            prop_assert!(!again.is_accepted());
            state = new;
        }
        prop_assert!(accepted <= 45);
    }

    /// HOTP: the counter only moves forward, past every accepted code.
    #[test]
    fn hotp_counter_only_moves_forward(
        secret in any::<[u8; 20]>(),
        presses in prop::collection::vec(0u64..14, 1..30),
    ) {
        let hotp = Hotp::new(&Secret::from_bytes(&secret).unwrap(), Algorithm::Sha1, Digits::EIGHT);
        let v = Verifier::hotp(hotp.clone(), lenient());
        let mut state = DeviceState::hotp_at(0);
        let mut token = 0u64;
        for skip in presses {
            token += skip;
            let next = state.next_counter().unwrap();
            let (outcome, new) = v.verify(&state, &hotp.code(token).to_string(), START);
            if token >= next && token - next <= 10 {
                prop_assert_eq!(outcome, Outcome::Accepted { step: token, drift: (token - next) as i64 });
                prop_assert_eq!(new.next_counter(), Some(token + 1));
            } else {
                prop_assert!(!outcome.is_accepted());
                prop_assert_eq!(new.next_counter(), Some(next));
            }
            state = new;
            token += 1;
        }
    }

    /// Any state survives its text form exactly, both ways.
    #[test]
    fn state_round_trips(state in any_state()) {
        let text = state.to_string();
        prop_assert!(text.len() <= otpkit::verifier::MAX_ENCODED_LEN);
        prop_assert!(text.starts_with("otpk1."));
        let back = DeviceState::decode(&text).unwrap();
        prop_assert_eq!(back, state);
        prop_assert_eq!(back.to_string(), text.clone());
        prop_assert_eq!(state.encode(), text.clone());
        prop_assert_eq!(text.parse::<DeviceState>(), Ok(state));
    }

    /// Flipping, inserting or deleting any one character, or truncating, never
    /// yields a string that decodes.
    #[test]
    fn corrupted_state_never_decodes(
        state in any_state(),
        index in any::<prop::sample::Index>(),
        ch in prop_oneof![proptest::char::range(' ', '~'), any::<char>()],
        how in 0u8..4,
    ) {
        let text = state.to_string();
        let mut chars: Vec<char> = text.chars().collect();
        let i = index.index(chars.len());
        match how {
            0 => {
                prop_assume!(chars[i] != ch);
                chars[i] = ch;
            }
            1 => chars.insert(i, ch),
            2 => { chars.remove(i); }
            _ => chars.truncate(i),
        }
        let bad: String = chars.into_iter().collect();
        prop_assert!(DeviceState::decode(&bad).is_err(), "{:?} decoded", bad);
    }

    /// Decoding arbitrary text returns a value or a typed error; it never panics.
    #[test]
    fn decoding_arbitrary_text_never_panics(text in ".{0,120}") {
        let _ = DeviceState::decode(&text);
        let _ = DeviceState::decode(&format!("otpk1.{text}"));
    }
}

proptest! {
    /// Any stored state (even extreme or mismatched), any text, any time, any
    /// policy: every operation returns; none panics or overflows.
    #[test]
    fn operations_never_panic(
        state in any_state(),
        code in prop_oneof![Just("755224".to_string()), "[0-9 ]{0,10}", "\\PC{0,12}"],
        now in prop_oneof![any::<u64>(), Just(u64::MAX), Just(0u64)],
        window in (any::<u8>(), any::<u8>()),
        drift in any::<u32>(),
    ) {
        let secret = Secret::from_bytes(b"12345678901234567890").unwrap();
        // Out-of-range settings are refused; the policy keeps the previous value.
        let p = lenient();
        let p = p.with_window_steps(window.0.into(), window.1.into()).unwrap_or(p);
        let p = p.with_max_drift_steps(drift).unwrap_or(p);
        let p = p.with_resync_window(u32::from(window.0)).unwrap_or(p);
        let p = p.with_hotp_look_ahead(u32::from(window.1)).unwrap_or(p);
        let policy = p.with_hotp_resync_look_ahead(u32::from(window.0)).unwrap_or(p);
        let t = Verifier::totp(
            Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::DEFAULT),
            policy,
        );
        let h = Verifier::hotp(Hotp::new(&secret, Algorithm::Sha1, Digits::SIX), policy);
        for v in [&t, &h] {
            let (outcome, new) = v.verify(&state, &code, now);
            if outcome.is_accepted() {
                prop_assert_eq!(new.failures(), 0);
            }
            let (_, new) = v.resync(&state, &code, &code, now);
            prop_assert!(new.failures() >= state.failures() || new.failures() == 0);
            let _ = v.enroll(&state, &code, &code, now);
            let _ = v.enroll_code(&state, &code, now);
        }
    }
}

fn any_state() -> impl Strategy<Value = DeviceState> {
    (
        prop_oneof![Just(DeviceKind::Totp), Just(DeviceKind::Hotp)],
        any::<u64>(),
        any::<i64>(),
        any::<u32>(),
        prop_oneof![Just(0u64), any::<u64>()],
        0u8..3,
    )
        .prop_map(|(k, p, d, f, l, phase)| match phase {
            // Pending enrolments too (with their failures and lock-out).
            1 | 2 => {
                let pending = match k {
                    DeviceKind::Totp => DeviceState::enrolling_totp(),
                    _ => DeviceState::enrolling_hotp(p),
                };
                let text = pending.to_string();
                let with = DeviceState::from_parts(k, p, d, f, l).to_string();
                // Same fields, pending kind: rebuild through the text form.
                let kind = if phase == 1 { "0" } else { "1" };
                let body = with.rsplit_once('.').unwrap().0.replacen(
                    &format!(".{}.", &text[6..7]),
                    &format!(".{}{kind}.", &text[6..7]),
                    1,
                );
                DeviceState::decode(&state_checksum::sealed(&body)).unwrap()
            }
            _ => DeviceState::from_parts(k, p, d, f, l),
        })
}

#[test]
fn extreme_states_round_trip() {
    for kind in [DeviceKind::Totp, DeviceKind::Hotp] {
        for s in [
            DeviceState::from_parts(kind, 0, 0, 0, 0),
            DeviceState::from_parts(kind, u64::MAX, i64::MIN, u32::MAX, u64::MAX),
            DeviceState::from_parts(kind, u64::MAX, i64::MAX, u32::MAX, u64::MAX),
        ] {
            assert_eq!(DeviceState::decode(&s.to_string()), Ok(s));
        }
    }
    // The longest state still fits the documented bound.
    let longest = DeviceState::from_parts(DeviceKind::Totp, u64::MAX, i64::MIN, u32::MAX, u64::MAX);
    assert!(longest.to_string().len() <= otpkit::verifier::MAX_ENCODED_LEN);
    assert_eq!(
        DeviceState::decode(&"x".repeat(otpkit::verifier::MAX_ENCODED_LEN + 1)),
        Err(StateError::TooLong {
            len: otpkit::verifier::MAX_ENCODED_LEN + 1
        })
    );
}
