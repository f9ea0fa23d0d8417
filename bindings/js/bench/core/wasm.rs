//! The core's own time inside WebAssembly: the operations of `ops.rs` compiled to
//! wasm32 with the package's profile, where one `run(op, n)` call from Node runs a
//! whole batch, so the JS boundary is crossed once per batch instead of once per
//! operation. Only `bench/run.sh` builds it (never part of the package).

use wasm_bindgen::prelude::*;

#[path = "ops.rs"]
mod ops;

/// The bench's generator and cases.
#[wasm_bindgen]
pub struct CoreBench(ops::Fixture);

#[wasm_bindgen]
impl CoreBench {
    /// The fixture of `ops.rs`.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Result<CoreBench, JsError> {
        ops::Fixture::new()
            .map(CoreBench)
            .ok_or_else(|| JsError::new("the core refused the bench's fixed secret or window"))
    }

    /// Runs the operation named `op` `iterations` times; a sum of the results.
    pub fn run(&self, op: &str, iterations: u32) -> Result<f64, JsError> {
        let op = ops::Op::ALL
            .into_iter()
            .find(|o| o.name() == op)
            .ok_or_else(|| JsError::new("unknown operation"))?;
        Ok((self.0.run(op, iterations) % (1 << 52)) as f64)
    }

    /// The cases as `time valid wrong` lines, for bench.mjs to check its own against.
    pub fn cases(&self) -> String {
        self.0
            .cases
            .iter()
            .map(|c| format!("{} {} {}\n", c.time, c.valid, c.wrong))
            .collect()
    }
}
