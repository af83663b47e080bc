//! Opening files: a scenario is read here; AWS CLI outputs and `terraform show -json`
//! are imported in a Web Worker (`www/import-worker.js`) by the JavaScript API's wasm
//! (`crates/vpcsim-wasm`, built for speed at opt-level 3 and loaded only when files are
//! opened). So the page's own wasm carries no importer, and a large account imports
//! without freezing the page. [`summary`] turns the worker's answer into an action and a
//! banner; it is pure and tested natively.

use crate::state::{Action, Notice};
use serde_json::Value;
use vpcsim_core::import::InputFile;
use wasm_bindgen::JsCast;

/// Which importer a set of opened files goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// One scenario document.
    Scenario,
    /// `terraform show -json` output.
    Terraform,
    /// AWS CLI `describe-*` outputs.
    Aws,
}

/// Decides what the opened files are, from their contents: one file is a scenario when
/// it has a top-level `vpcsim` key, `terraform show -json` output when it has
/// `format_version` and `values` or `planned_values`, wherever the keys are in the text
/// (a tool that sorts keys writes `vpcsim` last, after the network). Anything else goes
/// to the AWS importer, which reports what it does not recognise.
pub fn classify(files: &[InputFile]) -> FileKind {
    let [one] = files else { return FileKind::Aws };
    let text = one.text.as_str();
    // Neither marker anywhere (every AWS output): no need to read the keys.
    let (scenario, terraform) = (text.contains("\"vpcsim\""), text.contains("\"format_version\""));
    if !scenario && !terraform {
        return FileKind::Aws;
    }
    match top_level_keys(text) {
        Some(keys) if keys.contains("vpcsim") => FileKind::Scenario,
        Some(keys) if keys.contains("format_version") && (keys.contains("values") || keys.contains("planned_values")) => {
            FileKind::Terraform
        }
        Some(_) => FileKind::Aws,
        // Not a JSON object (truncated, say): a scenario that names itself early is
        // still opened as one, so that its parse error is reported as a scenario's.
        None => {
            let head: String = text.chars().take(4096).collect();
            if head.contains("\"vpcsim\"") {
                FileKind::Scenario
            } else if head.contains("\"format_version\"") {
                FileKind::Terraform
            } else {
                FileKind::Aws
            }
        }
    }
}

/// The top-level keys of a JSON object, read without building its values; `None` when
/// the text is not one.
fn top_level_keys(text: &str) -> Option<std::collections::BTreeSet<String>> {
    struct Keys(std::collections::BTreeSet<String>);
    impl<'de> serde::Deserialize<'de> for Keys {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Keys;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a JSON object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                    let mut keys = std::collections::BTreeSet::new();
                    while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                        map.next_value::<serde::de::IgnoredAny>()?;
                        keys.insert(k.into_owned());
                    }
                    Ok(Keys(keys))
                }
            }
            d.deserialize_map(V)
        }
    }
    serde_json::from_str::<Keys>(text).ok().map(|k| k.0)
}

/// Opens one scenario file.
pub fn open_scenario(f: &InputFile) -> Action {
    match vpcsim_core::scenario::parse(&f.text) {
        Ok(s) => Action::Load(Box::new(s)),
        Err(d) => Action::Notify(Some(Notice::error(format!("{} at {}: {} ({})", f.path, d.at, d.message, d.help)))),
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// One diagnostic of the answer, as the CLI prints it.
fn line(d: &Value) -> String {
    let help = text(d, "help");
    format!(
        "{}[{}] at {}: {}{}\n",
        text(d, "severity"),
        text(d, "code"),
        text(d, "at"),
        text(d, "message"),
        if help.is_empty() { String::new() } else { format!(" (help: {help})") }
    )
}

/// The action and banner for an importer's answer (`{type: "success", scenario,
/// diagnostics}` or `{type: "failure", errors}`, the JavaScript API's shape).
pub fn summary(kind: FileKind, n_files: usize, answer: Value) -> (Action, Option<Notice>) {
    let fail = |text: String| (Action::Notify(Some(Notice::error(text))), None);
    let mut answer = answer;
    if answer.get("type").and_then(Value::as_str) != Some("success") {
        let errors: String = answer.get("errors").and_then(Value::as_array).map(|e| e.iter().map(line).collect()).unwrap_or_default();
        return fail(format!("The import failed: {}", if errors.is_empty() { "the importer gave no answer".to_owned() } else { errors }));
    }
    let diagnostics: Vec<Value> = answer.get_mut("diagnostics").map(Value::take).and_then(|d| d.as_array().cloned()).unwrap_or_default();
    let report: String = diagnostics.iter().map(line).collect();
    let doc = answer.get_mut("scenario").map(Value::take).unwrap_or_default();
    let mut scenario = match vpcsim_core::scenario::from_value(doc) {
        Ok(s) => s,
        Err(d) => return fail(format!("The importer's scenario could not be read: {} at {}", d.message, d.at)),
    };
    if scenario.network.vpcs.is_empty() {
        let first = diagnostics.first().map(|d| format!(" First problem: {}", line(d).trim_end())).unwrap_or_default();
        let mut n = Notice::error(format!("Nothing to import: no VPC found in {n_files} file(s).{first}"));
        if !report.is_empty() {
            n = n.with_download(report, "vpcsim-import-report.txt", "Download the full report");
        }
        return (Action::Notify(Some(n)), None);
    }
    if scenario.name.is_empty() {
        scenario.name =
            if kind == FileKind::Terraform { "Imported from Terraform".into() } else { format!("Imported from {n_files} AWS CLI files") };
    }
    let count = |s: &str| diagnostics.iter().filter(|d| d.get("severity").and_then(Value::as_str) == Some(s)).count();
    let (errors, warnings) = (count("error"), count("warning"));
    let infos = diagnostics.len() - errors - warnings;
    let net = &scenario.network;
    let text = format!(
        "Imported {} VPC(s), {} subnet(s), {} security group(s) and {} instance(s) from {n_files} file(s): {errors} error(s), {warnings} warning(s), {infos} note(s).",
        net.vpcs.len(),
        net.subnets.len(),
        net.security_groups.len(),
        net.instances.len(),
    );
    let text = match answer.get("elapsed_ms").and_then(Value::as_f64) {
        Some(ms) => format!("{text} The import took {ms:.0} ms."),
        None => text,
    };
    let notice = if errors > 0 { Notice::error(text) } else { Notice::info(text) };
    let notice =
        if report.is_empty() { notice } else { notice.with_download(report, "vpcsim-import-report.txt", "Download the full report") };
    (Action::Load(Box::new(scenario)), Some(notice))
}

/// Imports `files` in a worker; `done` gets the answer, or why the worker failed.
pub fn import_in_worker(kind: FileKind, files: &[InputFile], done: impl FnOnce(Result<Value, String>) + 'static) {
    let list = js_sys::Array::new();
    for f in files {
        let o = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&o, &"path".into(), &f.path.as_str().into());
        let _ = js_sys::Reflect::set(&o, &"text".into(), &f.text.as_str().into());
        list.push(&o);
    }
    let msg = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&msg, &"kind".into(), &(if kind == FileKind::Terraform { "terraform" } else { "aws" }).into());
    let _ = js_sys::Reflect::set(&msg, &"files".into(), &list);
    in_worker(&msg, "the importer", move |r| {
        done(r.and_then(|text| serde_json::from_str(&text).map_err(|e| format!("the importer's answer is not JSON: {e}"))))
    });
}

/// The answer callback of the Reach tab's request on its way.
type Waiting = std::rc::Rc<std::cell::RefCell<Option<Box<dyn FnOnce(Result<String, String>)>>>>;

/// The Reach tab's worker (`www/import-worker.js`), kept while the page lives: the
/// analysis runs off the page's thread, in the API's wasm, which the page's own wasm does
/// not carry, and the worker's `ReachSession` keeps the last matrix, so that after an edit
/// of rules only the cells those rules touch are recomputed.
///
/// One request at a time: while one is on its way the caller waits ([`ReachWorker::busy`])
/// and asks for the latest document once the answer is in, so that edits made meanwhile
/// cost one computation, not one each.
#[derive(Default)]
pub struct ReachWorker {
    worker: Option<(web_sys::Worker, [gloo::events::EventListener; 2])>,
    waiting: Waiting,
    /// Set when the worker reported an error: the next request starts a new one.
    broken: std::rc::Rc<std::cell::Cell<bool>>,
}

impl ReachWorker {
    /// Whether a request is on its way.
    pub fn busy(&self) -> bool {
        self.waiting.borrow().is_some()
    }

    /// Computes the reachability view (`ffi::ReachSession::reach_json`) of a document, and
    /// of a baseline; `done` gets the answer as JSON text, or why the worker failed.
    pub fn ask(&mut self, scenario: &str, baseline: Option<&str>, done: impl FnOnce(Result<String, String>) + 'static) {
        const WHAT: &str = "the reachability analysis";
        if self.broken.replace(false) {
            if let Some((w, _)) = self.worker.take() {
                w.terminate();
            }
        }
        if self.worker.is_none() {
            let waiting = self.waiting.clone();
            let on_message = move |text: String| {
                let f = waiting.borrow_mut().take();
                if let Some(f) = f {
                    f(Ok(text));
                }
            };
            let (waiting, broken) = (self.waiting.clone(), self.broken.clone());
            let on_error = move |why: String| {
                broken.set(true);
                let f = waiting.borrow_mut().take();
                if let Some(f) = f {
                    f(Err(format!("{WHAT} stopped: {why}")));
                }
            };
            match new_worker() {
                Ok(w) => {
                    let listeners = listen(&w, on_message, on_error);
                    self.worker = Some((w, listeners));
                }
                Err(e) => return done(Err(format!("{WHAT} could not start: {e}"))),
            }
        }
        let Some((worker, _)) = &self.worker else { return };
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"kind".into(), &"reach".into());
        let _ = js_sys::Reflect::set(&msg, &"scenario".into(), &scenario.into());
        let base = baseline.map_or(wasm_bindgen::JsValue::NULL, wasm_bindgen::JsValue::from);
        let _ = js_sys::Reflect::set(&msg, &"baseline".into(), &base);
        match worker.post_message(&msg) {
            Ok(()) => *self.waiting.borrow_mut() = Some(Box::new(done)),
            Err(e) => done(Err(format!("the message could not be sent to {WHAT}: {}", crate::embed::message_text(&e)))),
        }
    }
}

/// Starts `www/import-worker.js` as a module worker; `Err` says why it could not start.
fn new_worker() -> Result<web_sys::Worker, String> {
    let opts = web_sys::WorkerOptions::new();
    opts.set_type(web_sys::WorkerType::Module);
    web_sys::Worker::new_with_options("./import-worker.js", &opts).map_err(|e| crate::embed::message_text(&e))
}

/// Listens to a worker: `on_message` gets each answer's text, `on_error` each error's
/// message, as long as the listeners returned live.
fn listen(
    worker: &web_sys::Worker,
    mut on_message: impl FnMut(String) + 'static,
    mut on_error: impl FnMut(String) + 'static,
) -> [gloo::events::EventListener; 2] {
    let message = gloo::events::EventListener::new(worker, "message", move |e| {
        let data = e.dyn_ref::<web_sys::MessageEvent>().map(|m| m.data()).unwrap_or(wasm_bindgen::JsValue::NULL);
        on_message(crate::embed::message_text(&data));
    });
    let error = gloo::events::EventListener::new(worker, "error", move |e| {
        on_error(e.dyn_ref::<web_sys::ErrorEvent>().map(|e| e.message()).unwrap_or_default());
    });
    [message, error]
}

/// An import worker started before its files came ([`warm_import_worker`]).
struct Warm {
    worker: web_sys::Worker,
    /// Set if the worker reported an error before it was used: it is not used then.
    broken: std::rc::Rc<std::cell::Cell<bool>>,
    _on_error: gloo::events::EventListener,
}

thread_local! {
    /// The next import's worker, when a file picker started one.
    static WARM: std::cell::RefCell<Option<Warm>> = const { std::cell::RefCell::new(None) };
}

/// Starts the next import's worker while the user chooses files (when a file picker
/// opens), unless one is waiting already. The worker compiles its wasm and imports a
/// small generated account ("warm" in `www/import-worker.js`), so that the browser has
/// optimised the importer's hot code by the time the files come: in node, the
/// benchmark's account took 286 ms in a fresh worker's wasm, about 150 ms after the
/// warm-up and a second's pause. The worker is used by the next import, then ended as
/// every import worker is.
pub fn warm_import_worker() {
    WARM.with(|warm| {
        if warm.borrow().as_ref().is_some_and(|w| !w.broken.get()) {
            return;
        }
        let Ok(worker) = new_worker() else { return };
        let broken = std::rc::Rc::new(std::cell::Cell::new(false));
        let on_error = {
            let broken = broken.clone();
            gloo::events::EventListener::new(&worker, "error", move |_| broken.set(true))
        };
        let msg = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&msg, &"kind".into(), &"warm".into());
        if worker.post_message(&msg).is_err() {
            worker.terminate();
            return;
        }
        if let Some(old) = warm.replace(Some(Warm { worker, broken, _on_error: on_error })) {
            old.worker.terminate();
        }
    });
}

/// The waiting warm worker, if it has reported no error.
fn take_warm_worker() -> Option<web_sys::Worker> {
    let warm = WARM.with(|w| w.borrow_mut().take())?;
    if warm.broken.get() {
        warm.worker.terminate();
        return None;
    }
    Some(warm.worker)
}

/// Sends one message to a new worker (or the warm one, [`warm_import_worker`]) and hands
/// its one answer (JSON text) to `done`; the worker is ended after it.
fn in_worker(msg: &js_sys::Object, what: &'static str, done: impl FnOnce(Result<String, String>) + 'static) {
    let worker = match take_warm_worker().map_or_else(new_worker, Ok) {
        Ok(w) => w,
        Err(e) => return done(Err(format!("{what} could not start: {e}"))),
    };
    // One answer, whichever event comes first; the worker is ended after it.
    let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
    let finish = {
        let (done, worker) = (done.clone(), worker.clone());
        move |r: Result<String, String>| {
            worker.terminate();
            if let Some(f) = done.borrow_mut().take() {
                f(r);
            }
        }
    };
    let on_error = finish.clone();
    let listeners = listen(&worker, move |text| finish(Ok(text)), move |why| on_error(Err(format!("{what} stopped: {why}"))));
    // The listeners must outlive this call, and may not be dropped from their own
    // callbacks: they stay, as the ended worker's, for the page's life.
    std::mem::forget(listeners);
    if let Err(e) = worker.post_message(msg) {
        if let Some(f) = done.borrow_mut().take() {
            f(Err(format!("the message could not be sent to {what}: {}", crate::embed::message_text(&e))));
        }
    }
}
