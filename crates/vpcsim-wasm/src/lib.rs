//! vpcsim's JavaScript API. Every export parses its arguments, calls one
//! `vpcsim_core::ffi` function and converts the tagged answer; there is no logic here.

use wasm_bindgen::prelude::*;

/// Installs the panic hook so a bug shows a readable message in the console.
#[wasm_bindgen(start)]
pub fn start() {
    #[cfg(feature = "console_error_panic_hook")]
    console_error_panic_hook::set_once();
}

fn to_js(json: String) -> JsValue {
    js_sys::JSON::parse(&json).unwrap_or(JsValue::NULL)
}

fn text_of(value: &JsValue) -> String {
    match value.as_string() {
        Some(s) => s,
        None => js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_default(),
    }
}

/// Traces a probe in a scenario. Both may be objects or JSON strings.
/// Returns `{type: "success", trace, text, warnings}` or `{type: "failure", errors}`.
#[wasm_bindgen]
pub fn trace(scenario: JsValue, probe: JsValue) -> JsValue {
    to_js(vpcsim_core::ffi::trace_json(&text_of(&scenario), &text_of(&probe)).to_json())
}

/// Lists a scenario's diagnostics: `{type: "success", diagnostics}` or `{type: "failure", errors}`.
#[wasm_bindgen]
pub fn check(scenario: JsValue) -> JsValue {
    to_js(vpcsim_core::ffi::check_json(&text_of(&scenario)).to_json())
}

/// Imports AWS CLI `describe-*` outputs: `files` is `[{path, text}]` or `{path: text}`.
/// Returns `{type: "success", scenario, diagnostics}` or `{type: "failure", errors}`.
#[wasm_bindgen(js_name = importAws)]
pub fn import_aws(files: JsValue) -> JsValue {
    to_js(vpcsim_core::ffi::import_aws_json(&text_of(&files)).to_json())
}

/// The library version.
#[wasm_bindgen]
pub fn version() -> String {
    vpcsim_core::ffi::version().to_owned()
}

/// A scenario loaded once and traced many times.
#[wasm_bindgen]
pub struct Session {
    inner: vpcsim_core::ffi::Session,
}

#[wasm_bindgen]
impl Session {
    /// Loads a scenario (object or JSON string). Throws an `Error` whose message is the
    /// first located diagnostic when the document cannot be read at all.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario: JsValue) -> Result<Session, JsError> {
        vpcsim_core::ffi::Session::open(&text_of(&scenario)).map(|inner| Session { inner }).map_err(|errors| {
            let first = errors.first().map(|d| format!("{} at {}: {} ({})", d.code, d.at, d.message, d.help)).unwrap_or_default();
            JsError::new(&first)
        })
    }

    /// Traces a probe: `{type: "success", trace, text}` or `{type: "failure", errors}`.
    pub fn trace(&self, probe: JsValue) -> JsValue {
        to_js(self.inner.trace_json(&text_of(&probe)).to_json())
    }

    /// Load diagnostics.
    pub fn diagnostics(&self) -> JsValue {
        to_js(serde_json::to_string(self.inner.diagnostics()).unwrap_or_default())
    }

    /// Traces the probe `n` times; returns how many were reachable (benchmarks).
    #[wasm_bindgen(js_name = traceBatch)]
    pub fn trace_batch(&self, probe: JsValue, n: u32) -> Result<u32, JsError> {
        self.inner.count_reachable(&text_of(&probe), n).map_err(|d| JsError::new(&d.message))
    }
}
