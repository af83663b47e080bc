//! The wasm side of the reachability benchmark: `tests/src/reach_suite.rs` (shared with
//! the native side, file for file) timed with the page's `performance.now()`.
//! Built and run by `cargo xtask bench`; never shipped.

use wasm_bindgen::prelude::*;

#[path = "../../src/reach_bench.rs"]
mod reach_bench;
#[path = "../../src/reach_suite.rs"]
mod reach_suite;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

/// Runs every measure and returns them as JSON text, or throws the reason it could not.
#[wasm_bindgen(js_name = reachSuite)]
pub fn reach_suite() -> Result<String, JsError> {
    let result = reach_suite::run(&now).map_err(|e| JsError::new(&e))?;
    Ok(result.to_string())
}
