//! Differential: otpkit's codes against a plain reference built directly on RustCrypto.
//!
//! otpkit absorbs the key into HMAC once and clones the keyed state per code, and
//! truncates by iterating; the reference below keys a fresh `Hmac::new_from_slice`
//! for every code and does RFC 4226 §5.3 truncation exactly as the RFC writes it.
//! Any secret of 1..=128 bytes, any counter, any time/T0/period, every algorithm and
//! digit count: the two must print the same code, and otpkit must accept the
//! reference's code at its own step.
#![no_main]

use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use otpkit::{Algorithm, Digits, Hotp, LengthPolicy, Period, Secret, Totp, Window};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// The input, read from a fixed byte layout so that hand-made seeds mean what they
/// say (missing bytes read as zero; integers big-endian):
/// byte 0 algorithm (mod 3), byte 1 digits (6 + n mod 5), 2..10 time, 10..18 T0,
/// 18..26 period, byte 26 a count N of HOTP counters (at most 16), N × 8 bytes of
/// counters, and the rest is the secret (1..=128 bytes, else the input is skipped).
#[derive(Debug)]
struct Input {
    secret: Vec<u8>,
    algorithm: u8,
    digits: u8,
    counters: Vec<u64>,
    time: u64,
    t0: u64,
    period: u64,
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
}

impl Input {
    fn read(data: &[u8]) -> Input {
        let mut r = Reader(data);
        let [algorithm, digits] = r.bytes();
        let time = u64::from_be_bytes(r.bytes());
        let t0 = u64::from_be_bytes(r.bytes());
        let period = u64::from_be_bytes(r.bytes());
        let [count] = r.bytes();
        let counters = (0..count % 17)
            .map(|_| u64::from_be_bytes(r.bytes()))
            .collect();
        Input {
            secret: r.0.to_vec(),
            algorithm,
            digits,
            counters,
            time,
            t0,
            period,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let input = Input::read(data);
    let Ok(secret) = Secret::from_bytes_with(&input.secret, LengthPolicy::AllowShort) else {
        return;
    };
    let algorithm = Algorithm::ALL[usize::from(input.algorithm) % 3];
    let digits = 6 + u32::from(input.digits % 5);
    let otp_digits = Digits::new(digits as u8).expect("6..=10");
    let hotp = Hotp::new(&secret, algorithm, otp_digits);

    for &counter in &input.counters {
        let want = reference_code(algorithm, &input.secret, counter, digits);
        assert_eq!(
            hotp.code(counter).to_string(),
            want,
            "HOTP counter {counter}"
        );
        let m = hotp
            .verify(&want, counter, 0)
            .expect("reference code accepted");
        assert_eq!((m.step, m.offset), (counter, 0));
    }

    let Ok(period) = Period::new(input.period) else {
        return;
    };
    let totp = Totp::new(&secret, algorithm, otp_digits, period).with_t0(input.t0);
    let Some(elapsed) = input.time.checked_sub(input.t0) else {
        assert!(totp.code_at(input.time).is_err());
        return;
    };
    // RFC 6238 §4.2: T = floor((Current Unix time - T0) / X).
    let step = elapsed / input.period;
    let want = reference_code(algorithm, &input.secret, step, digits);
    let got = totp.code_at(input.time).expect("time at or after T0");
    assert_eq!(got.to_string(), want, "TOTP step {step}");
    let m = totp
        .verify(&want, input.time, Window::exact())
        .expect("reference code accepted");
    assert_eq!((m.step, m.offset), (step, 0));
});

/// HOTP(K, C) per RFC 4226, written out: HMAC over the 8-byte big-endian counter,
/// dynamic truncation (§5.3), modulo 10^digits, zero-padded.
fn reference_code(algorithm: Algorithm, key: &[u8], counter: u64, digits: u32) -> String {
    let message = counter.to_be_bytes();
    let tag: Vec<u8> = match algorithm {
        Algorithm::Sha1 => {
            let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("any key length");
            mac.update(&message);
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha256 => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
            mac.update(&message);
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha512 => {
            let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("any key length");
            mac.update(&message);
            mac.finalize().into_bytes().to_vec()
        }
    };
    let offset = (tag[tag.len() - 1] & 0x0f) as usize;
    let bin_code = ((tag[offset] as u32 & 0x7f) << 24)
        | ((tag[offset + 1] as u32 & 0xff) << 16)
        | ((tag[offset + 2] as u32 & 0xff) << 8)
        | (tag[offset + 3] as u32 & 0xff);
    let value = u64::from(bin_code) % 10u64.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}
