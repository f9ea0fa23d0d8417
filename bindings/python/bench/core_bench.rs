//! The yardsticks `bindings/python/bench/bench.py` measures the `otpkit` extension
//! against, in the same process and the same run: the Rust core timing its own calls in
//! a Rust loop (`Core`), and PyO3 methods shaped like the extension's hot methods that
//! do nothing (`Noop`), which is what any call from Python into a PyO3 extension costs.
//!
//! Built only for the benchmark (`bindings/python/bench/run.sh` builds this cargo
//! example of `otpkit-python` with the wheel's `release-ffi` profile); it is not in the
//! wheel and not part of the Python API.

use std::hint::black_box;
use std::time::Instant;

use otpkit::{Secret, Totp, Window};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The module `otpkit_core_bench`.
#[pymodule]
fn otpkit_core_bench(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Core>()?;
    m.add_class::<Noop>()?;
    Ok(())
}

/// Seconds per call of `f` over `n` calls in a Rust loop, `f`'s result kept alive.
fn per_call<R>(n: u64, mut f: impl FnMut() -> R) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    start.elapsed().as_secs_f64() / n.max(1) as f64
}

/// The core's own calls on a TOTP (SHA-1, 6 digits, 30 s) of the benchmark's secret.
#[pyclass(frozen)]
struct Core {
    totp: Totp,
    t: u64,
    late: String,
    wrong: String,
}

#[pymethods]
impl Core {
    /// `secret` the key bytes, `t` the Unix time, `late` a code one step before `t`'s,
    /// `wrong` a code of no step of `t`'s ±1 window.
    #[new]
    fn new(secret: &[u8], t: u64, late: String, wrong: String) -> PyResult<Self> {
        let secret =
            Secret::from_bytes(secret).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let totp = Totp::new(
            &secret,
            Default::default(),
            Default::default(),
            Default::default(),
        );
        Ok(Core {
            totp,
            t,
            late,
            wrong,
        })
    }

    /// Seconds per call of the core operation `op` over `n` calls:
    /// `"at"` (`code_at(t)`), `"now"` (`code_now()`), `"verify_late"` and
    /// `"verify_wrong"` (`verify` with a ±1 window) or `"timecode"` (`step_at(t)`).
    fn time(&self, op: &str, n: u64) -> PyResult<f64> {
        let window = Window::new(1, 1).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let (totp, t) = (&self.totp, self.t);
        Ok(match op {
            "at" => per_call(n, || totp.code_at(black_box(t))),
            "now" => per_call(n, || totp.code_now()),
            "verify_late" => per_call(n, || {
                totp.verify(black_box(self.late.as_str()), black_box(t), window)
            }),
            "verify_wrong" => per_call(n, || {
                totp.verify(black_box(self.wrong.as_str()), black_box(t), window)
            }),
            "timecode" => per_call(n, || totp.step_at(black_box(t))),
            other => return Err(PyValueError::new_err(format!("op: unknown {other:?}"))),
        })
    }
}

/// Methods with the signatures of `Totp.at`, `Totp.verify` and `Totp.timecode` that do
/// nothing with their arguments: the cost of calling into PyO3 from Python.
#[pyclass(frozen)]
struct Noop;

#[pymethods]
impl Noop {
    #[new]
    fn new() -> Self {
        Noop
    }

    /// `Totp.at`'s signature; returns None.
    #[pyo3(signature = (for_time = None, counter_offset = 0))]
    fn at(&self, for_time: Option<&Bound<'_, PyAny>>, counter_offset: i64) {
        black_box((for_time, counter_offset));
    }

    /// `Totp.verify`'s signature; returns False.
    #[pyo3(signature = (otp, for_time = None, valid_window = 1))]
    fn verify(&self, otp: &str, for_time: Option<&Bound<'_, PyAny>>, valid_window: i64) -> bool {
        black_box((otp, for_time, valid_window));
        false
    }

    /// `Totp.timecode`'s signature; returns None.
    #[pyo3(signature = (for_time = None))]
    fn timecode(&self, for_time: Option<&Bound<'_, PyAny>>) {
        black_box(for_time);
    }
}
