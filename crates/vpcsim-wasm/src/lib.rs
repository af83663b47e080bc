//! vpcsim's JavaScript API. Every export parses its arguments, calls one
//! `vpcsim_core::ffi` function and converts the tagged answer; there is no logic here.
//!
//! The TypeScript shapes of the answers (`TraceResult`, `Diagnostic`, `Trace`, ...) are
//! written in `types.d.ts` and appended to the generated `.d.ts`; each export names them
//! with `unchecked_param_type` / `unchecked_return_type` instead of `any`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");

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
#[wasm_bindgen(unchecked_return_type = "TraceResult")]
pub fn trace(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Probe | string")] probe: JsValue,
) -> JsValue {
    to_js(vpcsim_core::ffi::trace_json(&text_of(&scenario), &text_of(&probe)).to_json())
}

/// Lists a scenario's diagnostics: `{type: "success", diagnostics}` or `{type: "failure", errors}`
/// (the document cannot be read, or it has errors).
#[wasm_bindgen(unchecked_return_type = "CheckResult")]
pub fn check(#[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue) -> JsValue {
    to_js(vpcsim_core::ffi::check_json(&text_of(&scenario)).to_json())
}

/// Imports AWS CLI `describe-*` outputs: `files` is `[{path, text}]` or `{path: text}`.
/// Returns `{type: "success", scenario, diagnostics}` or `{type: "failure", errors}`.
#[wasm_bindgen(js_name = importAws, unchecked_return_type = "ImportResult")]
pub fn import_aws(#[wasm_bindgen(unchecked_param_type = "AwsFile[] | Record<string, string> | string")] files: JsValue) -> JsValue {
    let answer = match files_of(&files) {
        Some(files) => vpcsim_core::ffi::import_aws_files(&files),
        None => vpcsim_core::ffi::import_aws_json(&text_of(&files)),
    };
    to_js(answer.to_json())
}

#[wasm_bindgen]
extern "C" {
    /// The platform's UTF-8 encoder (browsers, workers and Node all have it).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;
}

/// A JavaScript string's text, `None` for any other value. Large texts are encoded by
/// the platform's `TextEncoder` and copied in at once: wasm-bindgen's own conversion
/// copies ASCII text character by character in JavaScript, a sixth of an import's time.
fn text_in(encoder: &TextEncoder, value: &JsValue) -> Option<String> {
    if !value.is_string() {
        return None;
    }
    String::from_utf8(encoder.encode(value).to_vec()).ok().or_else(|| value.as_string())
}

/// `[{path, text}]` or `{path: text}` read field by field, without stringifying the
/// texts to JSON and decoding them again. `None` for any other shape (a JSON text, or an
/// element whose path or text is not a string), which `import_aws_json` reads and, where
/// it is wrong, reports.
fn files_of(value: &JsValue) -> Option<Vec<vpcsim_core::import::InputFile>> {
    use vpcsim_core::import::InputFile;
    let encoder = TextEncoder::new();
    let string = |v: JsValue| text_in(&encoder, &v);
    if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        array
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if !f.is_object() {
                    return None;
                }
                let text = js_sys::Reflect::get(&f, &"text".into()).ok()?;
                let path = js_sys::Reflect::get(&f, &"path".into()).ok()?;
                // As the JSON reading's defaults: a missing path is `file-<i>.json`.
                let path = if path.is_undefined() { format!("file-{i}.json") } else { string(path)? };
                Some(InputFile { path, text: string(text)? })
            })
            .collect()
    } else if value.is_object() && !value.is_function() {
        let mut files: Vec<InputFile> = js_sys::Object::entries(value.unchecked_ref())
            .iter()
            .map(|entry| {
                let entry: js_sys::Array = entry.dyn_into().ok()?;
                Some(InputFile { path: string(entry.get(0))?, text: string(entry.get(1))? })
            })
            .collect::<Option<_>>()?;
        // As the JSON reading (a map): in path order.
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Some(files)
    } else {
        None
    }
}

/// Imports a `terraform show -json` document (state or plan), as an object or JSON text.
/// Returns `{type: "success", scenario, diagnostics}` or, when the document cannot be read
/// at all, `{type: "failure", errors}` located at `terraform.json#...`.
#[wasm_bindgen(js_name = importTerraform, unchecked_return_type = "ImportResult")]
pub fn import_terraform(#[wasm_bindgen(unchecked_param_type = "TerraformJson | string")] json: JsValue) -> JsValue {
    to_js(vpcsim_core::ffi::import_terraform_json(&text_of(&json)).to_json())
}

/// Exports a scenario (object or JSON text) as a Terraform root module:
/// `{type: "success", files: {"main.tf": text, ...}, diagnostics}` or `{type: "failure", errors}`.
#[wasm_bindgen(js_name = exportTerraform, unchecked_return_type = "ExportResult")]
pub fn export_terraform(#[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue) -> JsValue {
    to_js(vpcsim_core::ffi::export_terraform_json(&text_of(&scenario)).to_json())
}

/// The reachability matrix of a scenario: for every source and destination, every
/// protocol and port range whose request and response get through; with `baseline` (a
/// scenario), also the flows gained and lost against it.
/// Returns `{type: "success", matrix, by_subnet, by_vpc, changes, baseline_errors}` or
/// `{type: "failure", errors}`.
#[wasm_bindgen(unchecked_return_type = "ReachResult")]
pub fn reachability(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | null | undefined")] baseline: JsValue,
) -> JsValue {
    let base = (!baseline.is_null() && !baseline.is_undefined()).then(|| text_of(&baseline));
    to_js(vpcsim_core::ffi::reach_json(&text_of(&scenario), base.as_deref()).to_json())
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
    pub fn new(#[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue) -> Result<Session, JsError> {
        vpcsim_core::ffi::Session::open(&text_of(&scenario)).map(|inner| Session { inner }).map_err(|errors| {
            let first = errors.first().map(|d| format!("{} at {}: {} ({})", d.code, d.at, d.message, d.help)).unwrap_or_default();
            JsError::new(&first)
        })
    }

    /// Traces a probe: `{type: "success", trace, text}` or `{type: "failure", errors}`.
    #[wasm_bindgen(unchecked_return_type = "TraceResult")]
    pub fn trace(&self, #[wasm_bindgen(unchecked_param_type = "Probe | string")] probe: JsValue) -> JsValue {
        to_js(self.inner.trace_json(&text_of(&probe)).to_json())
    }

    /// Load diagnostics.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn diagnostics(&self) -> JsValue {
        to_js(serde_json::to_string(self.inner.diagnostics()).unwrap_or_default())
    }

    /// Traces the probe `n` times; returns how many were reachable (benchmarks).
    #[wasm_bindgen(js_name = traceBatch)]
    pub fn trace_batch(&self, #[wasm_bindgen(unchecked_param_type = "Probe | string")] probe: JsValue, n: u32) -> Result<u32, JsError> {
        self.inner.count_reachable(&text_of(&probe), n).map_err(|d| JsError::new(&d.message))
    }
}
