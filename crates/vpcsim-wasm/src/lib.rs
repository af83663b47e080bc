//! vpcsim's JavaScript API. Every export parses its arguments, calls one
//! `vpcsim_core::ffi` function and converts the tagged answer; there is no logic here.
//! One argument is read without JSON: `importAws`'s files (tens of megabytes of text),
//! taken out of plain arrays and objects string by string ([`files_of`]); their defaults
//! and order are still core's.
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
    to_js(import_aws_text(files))
}

/// `importAws`'s answer as JSON text, for a caller that passes it on (the site's import
/// worker posts it to the page, which reads JSON): a large account's answer is not
/// parsed into objects only to be stringified again.
#[wasm_bindgen(js_name = importAwsJson)]
pub fn import_aws_text(#[wasm_bindgen(unchecked_param_type = "AwsFile[] | Record<string, string> | string")] files: JsValue) -> String {
    let answer = match files_of(&files) {
        Some(Files::List(list)) => vpcsim_core::ffi::import_aws_list(list),
        Some(Files::Map(map)) => vpcsim_core::ffi::import_aws_map(map),
        None => vpcsim_core::ffi::import_aws_json(&text_of(&files)),
    };
    answer.to_json()
}

#[wasm_bindgen]
extern "C" {
    /// The platform's UTF-8 encoder (browsers, workers and Node all have it).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;
    // Each may throw (a proxy, a getter): caught, and the argument then goes the JSON way.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn own_entries(value: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = getPrototypeOf)]
    fn prototype_of(value: &JsValue) -> Result<JsValue, JsValue>;
    /// A string, for the one method below.
    type Text;
    /// Whether it holds no lone surrogate; throws where the platform predates it.
    #[wasm_bindgen(catch, method, js_name = isWellFormed)]
    fn is_well_formed(this: &Text) -> Result<bool, JsValue>;
}

/// The files of an `importAws` argument read without JSON (see [`files_of`]).
enum Files {
    List(Vec<(Option<String>, String)>),
    Map(Vec<(String, String)>),
}

/// An array of `{path, text}` or an object of path to text, read field by field: the
/// texts are encoded by the platform's `TextEncoder` and copied in at once, not
/// stringified to JSON and decoded again (wasm-bindgen's own conversion also copies ASCII
/// text character by character in JavaScript). Only what `JSON.stringify` would read
/// the same way is read here: plain objects and arrays, their own enumerable properties,
/// well-formed strings, no `toJSON`. For anything else (a JSON text, a hole, a number, a
/// lone surrogate, a getter that throws) `None`, and `import_aws_json` reads the JSON and
/// reports what is wrong. Defaults and order are core's (`ffi::import_aws_list`, `_map`).
fn files_of(value: &JsValue) -> Option<Files> {
    let plain = |v: &JsValue| -> Option<bool> {
        if !v.is_object() {
            return Some(false);
        }
        let proto = prototype_of(v).ok()?;
        Some(proto.is_null() || proto == prototype_of(&js_sys::Object::new()).ok()?)
    };
    // Own enumerable (key, value) pairs of a plain object, without `toJSON`.
    let entries = |v: &JsValue| -> Option<Vec<(String, JsValue)>> {
        let pairs = own_entries(v).ok()?;
        let mut out = Vec::with_capacity(pairs.length() as usize);
        for pair in pairs.iter() {
            let pair: js_sys::Array = pair.dyn_into().ok()?;
            let key = pair.get(0).as_string()?;
            if key == "toJSON" {
                return None;
            }
            out.push((key, pair.get(1)));
        }
        Some(out)
    };
    let mut encoder = None;
    let mut text = |v: &JsValue| -> Option<String> {
        if !v.is_string() || !v.unchecked_ref::<Text>().is_well_formed().ok()? {
            return None;
        }
        let encoder = encoder.get_or_insert_with(TextEncoder::new);
        String::from_utf8(encoder.encode(v).to_vec()).ok()
    };
    if is_array(value).ok()? {
        let length = js_sys::Reflect::get(value, &"length".into()).ok()?.as_f64()?;
        let mut list = Vec::new();
        for i in 0..length as u32 {
            let element = js_sys::Reflect::get(value, &i.into()).ok()?;
            if !plain(&element)? {
                return None;
            }
            let (mut path, mut body) = (None, String::new());
            for (key, v) in entries(&element)? {
                match key.as_str() {
                    "path" if v.is_undefined() || v.is_null() => path = None,
                    "path" => path = Some(text(&v)?),
                    "text" if v.is_undefined() => body = String::new(),
                    "text" => body = text(&v)?,
                    _ => {}
                }
            }
            list.push((path, body));
        }
        Some(Files::List(list))
    } else if plain(value)? {
        let mut map = Vec::new();
        for (key, v) in entries(value)? {
            // JSON.stringify leaves out an undefined member: let the JSON way say so.
            map.push((key, text(&v)?));
        }
        Some(Files::Map(map))
    } else {
        None
    }
}

/// Imports a `terraform show -json` document (state or plan), as an object or JSON text.
/// Returns `{type: "success", scenario, diagnostics}` or, when the document cannot be read
/// at all, `{type: "failure", errors}` located at `terraform.json#...`.
#[wasm_bindgen(js_name = importTerraform, unchecked_return_type = "ImportResult")]
pub fn import_terraform(#[wasm_bindgen(unchecked_param_type = "TerraformJson | string")] json: JsValue) -> JsValue {
    to_js(import_terraform_text(json))
}

/// `importTerraform`'s answer as JSON text (see `importAwsJson`).
#[wasm_bindgen(js_name = importTerraformJson)]
pub fn import_terraform_text(#[wasm_bindgen(unchecked_param_type = "TerraformJson | string")] json: JsValue) -> String {
    vpcsim_core::ffi::import_terraform_json(&text_of(&json)).to_json()
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
    to_js(reachability_text(scenario, baseline))
}

/// `reachability`'s answer as JSON text (see `importAwsJson`).
#[wasm_bindgen(js_name = reachabilityJson)]
pub fn reachability_text(
    #[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Scenario | string | null | undefined")] baseline: JsValue,
) -> String {
    let base = (!baseline.is_null() && !baseline.is_undefined()).then(|| text_of(&baseline));
    vpcsim_core::ffi::reach_json(&text_of(&scenario), base.as_deref()).to_json()
}

/// `reachability` across calls, for a caller that asks again after each edit (the
/// playground's Reach tab): when a scenario differs from the previous call's only in
/// security group rules and network ACL entries, only the cells those rules touch are
/// recomputed; and the baseline's matrix is kept while the baseline stays the same. Every
/// answer equals `reachability`'s for the same arguments.
#[wasm_bindgen]
pub struct ReachSession {
    inner: vpcsim_core::ffi::ReachSession,
}

#[wasm_bindgen]
impl ReachSession {
    /// A session with nothing analysed yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> ReachSession {
        ReachSession { inner: vpcsim_core::ffi::ReachSession::default() }
    }

    /// As `reachability`.
    #[wasm_bindgen(unchecked_return_type = "ReachResult")]
    pub fn reachability(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Scenario | string | null | undefined")] baseline: JsValue,
    ) -> JsValue {
        to_js(self.reachability_text(scenario, baseline))
    }

    /// As `reachabilityJson`.
    #[wasm_bindgen(js_name = reachabilityJson)]
    pub fn reachability_text(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Scenario | string")] scenario: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Scenario | string | null | undefined")] baseline: JsValue,
    ) -> String {
        let base = (!baseline.is_null() && !baseline.is_undefined()).then(|| text_of(&baseline));
        self.inner.reach_json(&text_of(&scenario), base.as_deref()).to_json()
    }

    /// How the last call found its matrix: `{kind: "new"}` (from scratch), `{kind:
    /// "same"}` (the same network), or `{kind: "rules", edited, update}` (only rules
    /// changed; `update` is `{kind: "incremental", cells}` or `{kind: "rebuilt"}`);
    /// `null` before the first call.
    #[wasm_bindgen(js_name = lastUpdate, unchecked_return_type = "ReachUpdate | null")]
    pub fn last_update(&self) -> JsValue {
        to_js(serde_json::to_string(&self.inner.last_update).unwrap_or_else(|_| "null".into()))
    }
}

impl Default for ReachSession {
    fn default() -> Self {
        ReachSession::new()
    }
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
