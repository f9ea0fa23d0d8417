//! Shared fixtures for the otpkit benchmarks.
//!
//! One secret per algorithm (the RFC 6238 Appendix B seeds), one time, and every
//! implementation set up on them: otpkit, a hand-keyed RustCrypto HMAC (the
//! reference for "generate costs no more than the HMAC itself") and the peers
//! totp-rs, totp-lite and libreauth. [`Fixture::check_agreement`] proves, before
//! anything is timed, that all of them compute the same codes and accept and reject
//! the same inputs, so the benchmarks compare equal work.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// The Unix time every benchmark runs at: 15 s into step 56 666 667, so a peer that
/// reads the wall clock (libreauth) stays inside the same step for a while.
pub const T: u64 = 1_700_000_025;

/// TOTP period in seconds.
pub const PERIOD: u64 = 30;

/// Code length.
pub const DIGITS: u8 = 6;

/// The widest window (steps either side) any benchmark uses; the wrong code is
/// wrong for every step within it.
pub const MAX_HALF_WINDOW: u32 = 50;

/// The half-widths of the cost-against-window sweep.
pub const SWEEP: [u32; 7] = [0, 1, 2, 5, 10, 20, 50];

/// The enrolment and resynchronisation search half-widths benchmarked (steps either
/// side of now). The first of each is otpkit's default policy.
pub const ENROL_WINDOWS: [u32; 3] = [10, 50, 100];
/// See [`ENROL_WINDOWS`].
pub const RESYNC_WINDOWS: [u32; 3] = [20, 50, 100];

/// The `otpauth://` URI the parse benchmarks read: a typical enrolment QR code
/// (issuer in label and parameter, e-mail name, 20-byte secret, every parameter).
pub const URI: &str = "otpauth://totp/ACME%20Co:john.doe@email.com?\
secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";

/// The three HMAC hashes of RFC 6238.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl Alg {
    /// All three, in order.
    pub const ALL: [Alg; 3] = [Alg::Sha1, Alg::Sha256, Alg::Sha512];

    /// Short lower-case name, used in benchmark ids.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Sha1 => "sha1",
            Alg::Sha256 => "sha256",
            Alg::Sha512 => "sha512",
        }
    }

    /// The RFC 6238 Appendix B seed for this hash (20, 32 and 64 bytes).
    pub fn secret(self) -> &'static [u8] {
        match self {
            Alg::Sha1 => b"12345678901234567890",
            Alg::Sha256 => b"12345678901234567890123456789012",
            Alg::Sha512 => b"1234567890123456789012345678901234567890123456789012345678901234",
        }
    }

    fn otpkit(self) -> otpkit::Algorithm {
        match self {
            Alg::Sha1 => otpkit::Algorithm::Sha1,
            Alg::Sha256 => otpkit::Algorithm::Sha256,
            Alg::Sha512 => otpkit::Algorithm::Sha512,
        }
    }

    fn totp_rs(self) -> totp_rs::Algorithm {
        match self {
            Alg::Sha1 => totp_rs::Algorithm::SHA1,
            Alg::Sha256 => totp_rs::Algorithm::SHA256,
            Alg::Sha512 => totp_rs::Algorithm::SHA512,
        }
    }

    fn libreauth(self) -> libreauth::hash::HashFunction {
        match self {
            Alg::Sha1 => libreauth::hash::HashFunction::Sha1,
            Alg::Sha256 => libreauth::hash::HashFunction::Sha256,
            Alg::Sha512 => libreauth::hash::HashFunction::Sha512,
        }
    }
}

/// RustCrypto HMAC keyed once (`Hmac::new_from_slice`), cloned per code: what a
/// careful hand-written TOTP costs. otpkit's generate should be within 1.1× of it.
#[derive(Clone)]
pub enum HandKeyed {
    /// HMAC-SHA1.
    Sha1(Hmac<Sha1>),
    /// HMAC-SHA256.
    Sha256(Hmac<Sha256>),
    /// HMAC-SHA512.
    Sha512(Hmac<Sha512>),
}

impl HandKeyed {
    /// Key the HMAC once.
    pub fn new(alg: Alg, secret: &[u8]) -> Self {
        match alg {
            Alg::Sha1 => HandKeyed::Sha1(keyed(secret)),
            Alg::Sha256 => HandKeyed::Sha256(keyed(secret)),
            Alg::Sha512 => HandKeyed::Sha512(keyed(secret)),
        }
    }

    /// The 6-digit code at Unix time `t` (period 30 s, T0 = 0).
    pub fn code_at(&self, t: u64) -> u32 {
        let step = t / PERIOD;
        match self {
            HandKeyed::Sha1(m) => truncated(m, step),
            HandKeyed::Sha256(m) => truncated(m, step),
            HandKeyed::Sha512(m) => truncated(m, step),
        }
    }
}

fn keyed<M: KeyInit>(key: &[u8]) -> M {
    M::new_from_slice(key).expect("HMAC takes keys of any length")
}

fn truncated<M: Mac + Clone>(keyed: &M, step: u64) -> u32 {
    let mut mac = keyed.clone();
    mac.update(&step.to_be_bytes());
    let tag = mac.finalize().into_bytes();
    let offset = usize::from(tag[tag.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        tag[offset],
        tag[offset + 1],
        tag[offset + 2],
        tag[offset + 3],
    ]);
    (word & 0x7fff_ffff) % 1_000_000
}

/// Everything one algorithm's benchmarks need.
pub struct Fixture {
    /// The hash.
    pub alg: Alg,
    /// The raw secret.
    pub secret: &'static [u8],
    /// otpkit's generator/verifier.
    pub otpkit: otpkit::Totp,
    /// The hand-keyed RustCrypto reference.
    pub hand: HandKeyed,
    /// The code at [`T`] (valid at offset 0).
    pub valid: String,
    /// A well-formed code that matches no step within ±[`MAX_HALF_WINDOW`] of [`T`].
    pub wrong: String,
}

impl Fixture {
    /// Set up every implementation for `alg`.
    pub fn new(alg: Alg) -> Self {
        let secret = alg.secret();
        let otpkit_secret = otpkit::Secret::from_bytes(secret).expect("RFC seeds are long enough");
        let otpkit = otpkit::Totp::new(
            &otpkit_secret,
            alg.otpkit(),
            otpkit::Digits::new(DIGITS).expect("6 digits"),
            otpkit::Period::new(PERIOD).expect("non-zero"),
        );
        let valid = otpkit.code_at(T).expect("T is after T0").to_string();
        let wrong = wrong_code(&otpkit);
        Fixture {
            alg,
            secret,
            hand: HandKeyed::new(alg, secret),
            otpkit,
            valid,
            wrong,
        }
    }

    /// A totp-rs generator accepting `skew` steps either side.
    pub fn totp_rs(&self, skew: u16) -> totp_rs::Totp {
        totp_rs::Builder::new()
            .with_algorithm(self.alg.totp_rs())
            .with_digits(DIGITS)
            .with_step_duration(PERIOD)
            .with_skew(skew)
            .with_secret(self.secret)
            .build()
            .expect("RFC-compliant parameters")
    }

    /// totp-lite's code at `t` (it has no verification function).
    pub fn totp_lite(&self, t: u64) -> String {
        let digits = u32::from(DIGITS);
        match self.alg {
            Alg::Sha1 => totp_lite::totp_custom::<totp_lite::Sha1>(PERIOD, digits, self.secret, t),
            Alg::Sha256 => {
                totp_lite::totp_custom::<totp_lite::Sha256>(PERIOD, digits, self.secret, t)
            }
            Alg::Sha512 => {
                totp_lite::totp_custom::<totp_lite::Sha512>(PERIOD, digits, self.secret, t)
            }
        }
    }

    /// A libreauth TOTP for time `t` with `tolerance` steps either side.
    ///
    /// libreauth has no "at time t" call: it reads the system clock and adds an
    /// offset that `timestamp(t)` computes from the clock at build time. The result
    /// is therefore at time `t` only for the next few seconds; benchmarks build it in
    /// criterion's untimed setup (`iter_batched_ref`) right before use.
    pub fn libreauth(&self, t: u64, tolerance: u64) -> libreauth::oath::TOTP {
        libreauth::oath::TOTPBuilder::new()
            .key(self.secret)
            .hash_function(self.alg.libreauth())
            .output_len(usize::from(DIGITS))
            .period(u32::try_from(PERIOD).expect("small"))
            .tolerance(tolerance)
            .timestamp(i64::try_from(t).expect("small"))
            .finalize()
            .expect("valid libreauth parameters")
    }

    /// otpkit's server-side [`Verifier`](otpkit::verifier::Verifier) for this
    /// secret, enrolling within ±`enrol` steps and resynchronising within ±`resync`.
    pub fn verifier(&self, enrol: u32, resync: u32) -> otpkit::verifier::Verifier {
        let policy = otpkit::verifier::Policy::default()
            .with_enroll_window(enrol)
            .and_then(|p| p.with_resync_window(resync))
            .unwrap_or_else(|e| panic!("benchmark policy: {e}"));
        otpkit::verifier::Verifier::totp(self.otpkit.clone(), policy)
    }

    /// The code of the step `offset` steps from [`T`]'s.
    pub fn code_at_offset(&self, offset: i64) -> String {
        self.otpkit
            .code_at_step((T / PERIOD).saturating_add_signed(offset))
            .to_string()
    }

    /// otpkit's verification of `code` at [`T`] with `half` steps either side.
    pub fn otpkit_verify(&self, code: &str, half: u32) -> bool {
        self.otpkit
            .verify(
                code,
                T,
                otpkit::Window::symmetric(half).expect("a window inside the bound"),
            )
            .is_ok()
    }

    /// Assert that every implementation computes otpkit's codes and makes otpkit's
    /// accept/reject decisions on the inputs the benchmarks use. Run at the start of
    /// every benchmark binary (and by the tests), so a timing is never of a peer
    /// doing different work.
    pub fn check_agreement(&self) -> Result<(), String> {
        let alg = self.alg.name();
        let rs = self.totp_rs(1);
        // Codes at several times, including T, RFC 6238's test times and step edges.
        for t in [
            T,
            59,
            1_111_111_109,
            1_111_111_111,
            1_234_567_890,
            2_000_000_000,
        ] {
            let want = self
                .otpkit
                .code_at(t)
                .map_err(|e| e.to_string())?
                .to_string();
            let got = [
                ("hand-keyed HMAC", format!("{:06}", self.hand.code_at(t))),
                ("totp-rs", rs.generate(t).to_string()),
                ("totp-lite", self.totp_lite(t)),
                // libreauth reads the wall clock (see `libreauth`): ask mid-step,
                // same step as t, so a second ticking by cannot change the answer.
                (
                    "libreauth",
                    self.libreauth(t - t % PERIOD + PERIOD / 2, 0).generate(),
                ),
            ];
            for (who, code) in got {
                if code != want {
                    return Err(format!(
                        "{alg}: {who} computes {code} at t={t}, otpkit {want}"
                    ));
                }
            }
        }
        if self.valid == self.wrong {
            return Err(format!("{alg}: the wrong code equals the valid one"));
        }
        // Window semantics: ±half around T's step, same verdicts everywhere.
        for half in [0u32, 1, 10, MAX_HALF_WINDOW] {
            let skew = u16::try_from(half).map_err(|e| e.to_string())?;
            let rs = self.totp_rs(skew);
            let mut cases = vec![
                (self.valid.clone(), true, "the code of T's step".to_string()),
                (self.wrong.clone(), false, "the wrong code".to_string()),
            ];
            for offset in [
                -i64::from(half) - 1,
                -i64::from(half),
                i64::from(half),
                i64::from(half) + 1,
            ] {
                let step = (T / PERIOD).saturating_add_signed(offset);
                let code = self.otpkit.code_at_step(step).to_string();
                // A code may recur inside the window by chance; skip such cases.
                let inside = offset.unsigned_abs() <= u64::from(half);
                let elsewhere = (-i64::from(half)..=i64::from(half))
                    .filter(|o| *o != offset)
                    .any(|o| {
                        self.otpkit
                            .code_at_step((T / PERIOD).saturating_add_signed(o))
                            .to_string()
                            == code
                    });
                if !elsewhere {
                    cases.push((code, inside, format!("the code of offset {offset}")));
                }
            }
            for (code, accept, what) in cases {
                let verdicts = [
                    ("otpkit", self.otpkit_verify(&code, half)),
                    ("totp-rs", rs.check(&code, T).is_some()),
                    (
                        "libreauth",
                        self.libreauth(T, u64::from(half)).is_valid(&code),
                    ),
                ];
                for (who, verdict) in verdicts {
                    if verdict != accept {
                        return Err(format!(
                            "{alg} ±{half}: {who} {} {what}",
                            if verdict { "accepts" } else { "rejects" }
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The enrolment and resync inputs the verifier benchmarks use, checked to give the
/// expected answers: enrol with the codes of steps −1 and 0; resync a device last
/// seen 5 steps ago whose clock now runs `half − 1` steps fast (the far edge of the
/// window, so the search really spans it).
pub struct VerifierCase {
    /// First enrolment code (step −1).
    pub enrol1: String,
    /// Second enrolment code (step 0).
    pub enrol2: String,
    /// The stored state before resync.
    pub before_resync: otpkit::verifier::DeviceState,
    /// First resync code.
    pub resync1: String,
    /// Second resync code.
    pub resync2: String,
}

impl VerifierCase {
    /// Build and check the inputs for a verifier with resync half-width `resync`.
    pub fn new(f: &Fixture, enrol: u32, resync: u32) -> Result<Self, String> {
        let v = f.verifier(enrol, resync);
        let center = T / PERIOD;
        let case = VerifierCase {
            enrol1: f.code_at_offset(-1),
            enrol2: f.code_at_offset(0),
            before_resync: otpkit::verifier::DeviceState::totp_at(center - 5),
            resync1: f.code_at_offset(i64::from(resync) - 1),
            resync2: f.code_at_offset(i64::from(resync)),
        };
        let (outcome, enrolled) = v.enroll(&v.begin_enrollment(), &case.enrol1, &case.enrol2, T);
        if !outcome.is_enrolled() || enrolled.last_step() != Some(center) {
            return Err(format!("enrol ±{enrol}: state {enrolled:?}"));
        }
        let (outcome, synced) = v.resync(&case.before_resync, &case.resync1, &case.resync2, T);
        if !outcome.is_resynced() || synced.last_step() != Some(center + u64::from(resync)) {
            return Err(format!("resync ±{resync}: state {synced:?}"));
        }
        Ok(case)
    }
}

/// Check that otpkit's and totp-rs's parses of [`URI`] agree with each other and
/// with the fixture.
pub fn check_uri() -> Result<(), String> {
    let parsed = otpkit::otpauth::Account::parse(URI).map_err(|e| e.to_string())?;
    let ours = parsed.account.totp().ok_or("not a TOTP account")?;
    let theirs = totp_rs::Totp::from_url(URI).map_err(|e| e.to_string())?;
    let want = Fixture::new(Alg::Sha1)
        .otpkit
        .code_at(T)
        .map_err(|e| e.to_string())?;
    let got = [
        ours.code_at(T).map_err(|e| e.to_string())?.to_string(),
        theirs.generate(T).to_string(),
    ];
    if got.iter().any(|c| *c != want.to_string()) || parsed.account.name != theirs.account_name() {
        return Err(format!("URI parses disagree: {got:?} vs {want}"));
    }
    Ok(())
}

/// The first 6-digit code, counting up from 000000, that is no step's code within
/// ±[`MAX_HALF_WINDOW`] of [`T`].
fn wrong_code(totp: &otpkit::Totp) -> String {
    let center = T / PERIOD;
    let taken: Vec<u64> = (center - u64::from(MAX_HALF_WINDOW)
        ..=center + u64::from(MAX_HALF_WINDOW))
        .map(|s| totp.code_at_step(s).value())
        .collect();
    let value = (0u64..)
        .find(|v| !taken.contains(v))
        .expect("101 codes cannot cover a million");
    format!("{value:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_peer_agrees_with_otpkit() {
        for alg in Alg::ALL {
            Fixture::new(alg).check_agreement().unwrap();
        }
    }

    #[test]
    fn verifier_inputs_do_what_the_benchmarks_claim() {
        let f = Fixture::new(Alg::Sha1);
        for (e, r) in ENROL_WINDOWS.into_iter().zip(RESYNC_WINDOWS) {
            VerifierCase::new(&f, e, r).unwrap();
        }
        // One step further and the resync codes fall outside the window.
        let mut case = VerifierCase::new(&f, 10, 20).unwrap();
        case.resync1 = f.code_at_offset(20);
        case.resync2 = f.code_at_offset(21);
        assert!(
            !f.verifier(10, 20)
                .resync(&case.before_resync, &case.resync1, &case.resync2, T)
                .0
                .is_resynced()
        );
    }

    #[test]
    fn both_uri_parsers_agree() {
        check_uri().unwrap();
    }

    #[test]
    fn agreement_check_catches_a_differing_peer() {
        // A fixture whose "valid" code is for another step must be refused: the
        // check compares real verdicts, it does not pass by construction.
        let mut f = Fixture::new(Alg::Sha1);
        f.valid = f.otpkit.code_at_step(T / PERIOD + 5).to_string();
        assert!(f.check_agreement().is_err());
    }

    #[test]
    fn rfc6238_vector_through_the_hand_keyed_reference() {
        // RFC 6238 Appendix B, 8-digit 94287082 at t=59 → its last 6 digits.
        assert_eq!(
            HandKeyed::new(Alg::Sha1, Alg::Sha1.secret()).code_at(59),
            287_082
        );
    }
}

/// The compression functions alone, as the `floor` benchmarks time them and
/// `benches/callgrind.sh` counts their instructions: RustCrypto's
/// `sha1::block_api::compress`, `sha2::block_api::compress256` and `compress512`,
/// one block per call. Verify ±1 computes three HMACs of two compressions each.
///
/// - `x6_independent`: six states, one block each (the throughput bound: nothing
///   makes one call wait for another within an iteration).
/// - `x6_chained`: one state, six blocks in a row (the latency bound).
/// - `x3_then_x3`: the shape verify ±1 has: three independent compressions from one
///   keyed state (the inner ones, over three different blocks), then three
///   independent compressions from another (the outer ones), each over a block
///   holding its inner digest, `0x80` and the length, so each outer call waits for
///   its inner one. Nothing is carried from one iteration to the next, as nothing is
///   from one verification to the next.
pub mod floor {
    use std::hint::black_box;

    /// Six distinct 64-byte blocks, so no two calls are the same computation.
    pub fn blocks64() -> [[u8; 64]; 6] {
        core::array::from_fn(|i| [u8::try_from(i + 1).expect("small"); 64])
    }

    /// Six distinct 128-byte (SHA-512) blocks.
    pub fn blocks128() -> [[u8; 128]; 6] {
        core::array::from_fn(|i| [u8::try_from(i + 1).expect("small"); 128])
    }

    /// Six distinct starting states.
    pub fn states<T: From<u8> + Copy, const W: usize>() -> [[T; W]; 6] {
        core::array::from_fn(|i| [T::from(u8::try_from(i).expect("small")); W])
    }

    /// One compression of each of six states, each over its own block.
    pub fn x6_independent<S, const B: usize>(
        states: &mut [S; 6],
        blocks: &[[u8; B]; 6],
        compress: impl Fn(&mut S, &[[u8; B]]),
    ) {
        for (state, block) in states.iter_mut().zip(blocks) {
            compress(state, core::slice::from_ref(black_box(block)));
        }
    }

    /// Six compressions of one state, one block after another.
    pub fn x6_chained<S, const B: usize>(
        state: &mut S,
        blocks: &[[u8; B]; 6],
        compress: impl Fn(&mut S, &[[u8; B]]),
    ) {
        for block in blocks {
            compress(state, core::slice::from_ref(black_box(block)));
        }
    }

    /// Three compressions of `inner` over the first three blocks, then three of
    /// `outer`, each over a final block made of one of the first three results (its
    /// words big-endian, `0x80`, zeros and `bits` in the last 8 bytes): the outer
    /// results.
    pub fn x3_then_x3<T: Copy, const W: usize, const B: usize, const S: usize>(
        inner: &[T; W],
        outer: &[T; W],
        blocks: &[[u8; B]; 6],
        bits: u64,
        to_be_bytes: impl Fn(T) -> [u8; S],
        compress: impl Fn(&mut [T; W], &[[u8; B]]),
    ) -> [[T; W]; 3] {
        let digests: [[T; W]; 3] = core::array::from_fn(|i| {
            let mut state = *inner;
            compress(&mut state, core::slice::from_ref(black_box(&blocks[i])));
            state
        });
        digests.map(|digest| {
            let mut block = [0u8; B];
            for (chunk, word) in block.chunks_exact_mut(S).zip(digest) {
                chunk.copy_from_slice(&to_be_bytes(word));
            }
            block[W * S] = 0x80;
            block[B - 8..].copy_from_slice(&bits.to_be_bytes());
            let mut state = *outer;
            compress(&mut state, core::slice::from_ref(&block));
            state
        })
    }

    /// The SHA-1 shape of [`x3_then_x3`] (the outer message is 64 + 20 bytes).
    pub fn sha1_x3_then_x3(
        inner: &[u32; 5],
        outer: &[u32; 5],
        blocks: &[[u8; 64]; 6],
    ) -> [[u32; 5]; 3] {
        x3_then_x3(
            inner,
            outer,
            blocks,
            (64 + 20) * 8,
            u32::to_be_bytes,
            sha1::block_api::compress,
        )
    }

    /// The SHA-256 shape of [`x3_then_x3`] (64 + 32 bytes).
    pub fn sha256_x3_then_x3(
        inner: &[u32; 8],
        outer: &[u32; 8],
        blocks: &[[u8; 64]; 6],
    ) -> [[u32; 8]; 3] {
        x3_then_x3(
            inner,
            outer,
            blocks,
            (64 + 32) * 8,
            u32::to_be_bytes,
            sha2::block_api::compress256,
        )
    }

    /// The SHA-512 shape of [`x3_then_x3`] (128 + 64 bytes).
    pub fn sha512_x3_then_x3(
        inner: &[u64; 8],
        outer: &[u64; 8],
        blocks: &[[u8; 128]; 6],
    ) -> [[u64; 8]; 3] {
        x3_then_x3(
            inner,
            outer,
            blocks,
            (128 + 64) * 8,
            u64::to_be_bytes,
            sha2::block_api::compress512,
        )
    }
}
