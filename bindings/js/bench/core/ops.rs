//! The core's own work for each operation `bench/bench.mjs` times through the package:
//! the same generator, times and typed codes, called from Rust with no JavaScript in
//! between. Compiled twice by `bench/run.sh`: natively (`core_native.rs`, timed with
//! `Instant`) and to wasm32 (`core_wasm.rs`, one export call runs a whole batch, timed
//! from Node), so the cost of the JS boundary is told apart from wasm's slower hashing.

use core::hint::black_box;

use otpkit::{Algorithm, Digits, Period, Secret, Totp, Window};

/// The bench's secret (RFC 6238's SHA-1 seed as Base32) and first Unix time.
pub const BASE32: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
/// The first of the 64 times the operations cycle through, 30 s apart.
pub const FIRST_TIME: u64 = 1_700_000_000;
/// How many (time, code) cases the operations cycle through.
pub const CASES: usize = 64;

/// The operations, by the names `bench.mjs` prints.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// `Totp::code_at`: the code (a number and its digit count) at a Unix time.
    Generate,
    /// `Totp::verify` ±1 step with the code of the previous step (found behind).
    VerifyValid,
    /// `Totp::verify` ±1 step with a code that matches none of the three steps.
    VerifyWrong,
    /// `Totp::step_at`: the time step of a Unix time (a division).
    Step,
}

impl Op {
    /// Every operation, in the order of the bench's table.
    pub const ALL: [Op; 4] = [Op::Generate, Op::VerifyValid, Op::VerifyWrong, Op::Step];

    /// The operation's name in the bench's output.
    pub const fn name(self) -> &'static str {
        match self {
            Op::Generate => "generate",
            Op::VerifyValid => "verify-valid",
            Op::VerifyWrong => "verify-wrong",
            Op::Step => "step",
        }
    }
}

/// One case: a Unix time, the code of the step before it and a code of no step in
/// the ±1 window around it.
pub struct Case {
    /// The Unix time.
    pub time: u64,
    /// The previous step's code, as typed.
    pub valid: String,
    /// A code none of the window's three steps has, as typed.
    pub wrong: String,
}

/// The generator (SHA-1, 6 digits, 30 s) and the cases.
pub struct Fixture {
    totp: Totp,
    window: Window,
    /// The cases, in order.
    pub cases: Vec<Case>,
}

impl Fixture {
    /// The generator and the 64 cases; `None` only if the core refused the fixed
    /// secret or window, which it does not.
    pub fn new() -> Option<Fixture> {
        let secret = Secret::from_base32(BASE32).ok()?;
        let totp = Totp::new(&secret, Algorithm::Sha1, Digits::SIX, Period::default());
        let window = Window::new(1, 1).ok()?;
        let mut cases = Vec::with_capacity(CASES);
        for i in 0..CASES as u64 {
            let time = FIRST_TIME + i * 30;
            let step = totp.step_at(time).ok()?;
            let window_codes = [step - 1, step, step + 1].map(|s| totp.code_at_step(s).value());
            let valid = totp.code_at_step(step - 1).to_string();
            // The previous step's code plus 1, 2, ... (mod 10^6) until it is none of the
            // window's: bench.mjs derives the same codes the same way.
            let mut wrong = window_codes[0];
            while window_codes.contains(&wrong) {
                wrong = (wrong + 1) % 1_000_000;
            }
            cases.push(Case {
                time,
                valid,
                wrong: format!("{wrong:06}"),
            });
        }
        Some(Fixture {
            totp,
            window,
            cases,
        })
    }

    /// Runs `op` `iterations` times over the cases in turn; returns a sum of the
    /// results so that no call can be optimised away.
    pub fn run(&self, op: Op, iterations: u32) -> u64 {
        let mut sum = 0u64;
        for case in self.cases.iter().cycle().take(iterations as usize) {
            let time = black_box(case.time);
            let out = match op {
                Op::Generate => self.totp.code_at(time).map_or(0, |c| c.value()),
                Op::VerifyValid => self
                    .totp
                    .verify(black_box(&case.valid), time, self.window)
                    .map_or(0, |m| m.step),
                Op::VerifyWrong => self
                    .totp
                    .verify(black_box(&case.wrong), time, self.window)
                    .map_or(1, |m| m.step),
                Op::Step => self.totp.step_at(time).unwrap_or(0),
            };
            sum = sum.wrapping_add(black_box(out));
        }
        sum
    }
}
