//! The JSON boundary: what the wasm crate, the web app and the CLI call.
//!
//! Every function takes JSON text and returns a tagged answer, `{"type": "success", ...}`
//! or `{"type": "failure", "errors": [...]}` (cedar's `ffi`). Expected failures are data:
//! nothing here panics or throws. The wasm crate only converts these to `JsValue`.

use crate::diag::{has_errors, Diagnostic, Severity};
use crate::eval;
use crate::model::{Network, Node};
use crate::scenario::{self, ExpectDoc, NetworkDoc, ProbeDoc, Scenario};
use crate::trace::Trace;
use serde::{Deserialize, Serialize};

/// Largest scenario text accepted at the boundary (16 MiB).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// A tagged answer.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Answer<T: Serialize> {
    /// It worked; `warnings` may still say something.
    Success {
        /// The result.
        #[serde(flatten)]
        value: T,
        /// Non-fatal diagnostics (warnings and infos, and load errors that were worked around).
        warnings: Vec<Diagnostic>,
    },
    /// It did not.
    Failure {
        /// Why, located.
        errors: Vec<Diagnostic>,
    },
}

impl<T: Serialize> Answer<T> {
    /// As JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"type\":\"failure\",\"errors\":[{{\"code\":\"internal\",\"severity\":\"error\",\"message\":\"{e}\",\"help\":\"\",\"at\":\"\"}}]}}"))
    }
}

/// A trace result.
#[derive(Clone, Debug, Serialize)]
pub struct TraceValue {
    /// The trace.
    pub trace: Trace,
    /// Its text rendering.
    pub text: String,
}

/// Diagnostics of a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct CheckValue {
    /// Every diagnostic.
    pub diagnostics: Vec<Diagnostic>,
}

/// One probe of a scenario, traced, with its expectation checked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeResult {
    /// Index in the scenario's probe list.
    pub index: usize,
    /// The probe's name.
    pub name: String,
    /// The trace, or why the probe could not be traced.
    pub trace: Option<Trace>,
    /// Probe error (unknown reference...).
    pub error: Option<Diagnostic>,
    /// Expectation mismatches; empty when it matched or there was no expectation.
    pub mismatches: Vec<String>,
}

/// Reads a scenario from text, with its size capped.
pub fn load_scenario(text: &str) -> Result<Scenario, Vec<Diagnostic>> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(vec![Diagnostic::error(
            "input-too-large",
            "/",
            format!("the scenario is {} bytes, more than the {} bytes vpcsim accepts", text.len(), MAX_INPUT_BYTES),
            "split the network, or import only the VPCs you want to trace",
        )]);
    }
    scenario::parse(text).map_err(|d| vec![d])
}

/// Builds the network, returning the load errors as failures only when nothing usable is left.
pub fn build(scenario: &Scenario) -> (Network, Vec<Diagnostic>) {
    Network::build(scenario)
}

/// Traces one probe (JSON) in one scenario (JSON).
pub fn trace_json(scenario_text: &str, probe_text: &str) -> Answer<TraceValue> {
    let scenario = match load_scenario(scenario_text) {
        Ok(s) => s,
        Err(errors) => return Answer::Failure { errors },
    };
    let probe: ProbeDoc = match serde_json::from_str(probe_text) {
        Ok(p) => p,
        Err(e) => {
            return Answer::Failure {
                errors: vec![Diagnostic::error(
                    "probe-shape",
                    "probe",
                    format!("the probe is not valid: {e}"),
                    "a probe is {\"from\": REF, \"to\": REF, \"protocol\": \"tcp\", \"port\": 443}",
                )],
            }
        }
    };
    trace_scenario(&scenario, &probe)
}

/// Traces one probe in an already parsed scenario.
pub fn trace_scenario(scenario: &Scenario, probe: &ProbeDoc) -> Answer<TraceValue> {
    let (net, diags) = Network::build(scenario);
    match eval::trace(&net, probe) {
        Ok(trace) => {
            let text = trace.to_string();
            Answer::Success { value: TraceValue { trace, text }, warnings: diags }
        }
        Err(e) => {
            let mut errors = vec![e];
            errors.extend(diags.into_iter().filter(|d| d.severity == Severity::Error));
            Answer::Failure { errors }
        }
    }
}

/// Every diagnostic of a scenario (JSON).
pub fn check_json(scenario_text: &str) -> Answer<CheckValue> {
    match load_scenario(scenario_text) {
        Ok(s) => {
            let (_, diagnostics) = Network::build(&s);
            if has_errors(&diagnostics) {
                Answer::Failure { errors: diagnostics }
            } else {
                Answer::Success { value: CheckValue { diagnostics }, warnings: vec![] }
            }
        }
        Err(errors) => Answer::Failure { errors },
    }
}

/// Traces every probe of a scenario and checks the expectations.
pub fn run_probes(scenario: &Scenario, net: &Network) -> Vec<ProbeResult> {
    scenario
        .probes
        .iter()
        .enumerate()
        .map(|(index, probe)| match eval::trace_at(net, probe, &format!("probes/{index}")) {
            Ok(trace) => {
                let mismatches = probe.expect.as_ref().map(|e| verify(&trace, e)).unwrap_or_default();
                ProbeResult { index, name: probe.name.clone(), trace: Some(trace), error: None, mismatches }
            }
            Err(e) => ProbeResult { index, name: probe.name.clone(), trace: None, error: Some(e), mismatches: vec![] },
        })
        .collect()
}

/// Compares a trace with an expectation; returns what differs, in words.
pub fn verify(trace: &Trace, expect: &ExpectDoc) -> Vec<String> {
    let mut out = Vec::new();
    let got = trace.request.outcome.as_str();
    if got != expect.request {
        out.push(format!("request: expected `{}`, got `{got}`", expect.request));
    }
    let got_resp = trace.response.as_ref().map(|r| r.outcome.as_str());
    if got_resp != expect.response.as_deref() {
        out.push(format!("response: expected `{}`, got `{}`", expect.response.as_deref().unwrap_or("none"), got_resp.unwrap_or("none")));
    }
    // The deciding drop: of the request if it dropped, else of the response.
    let drop = trace.request.dropped_at.as_ref().or_else(|| trace.response.as_ref().and_then(|r| r.dropped_at.as_ref()));
    if let Some(component) = &expect.component {
        let got = drop.map(|d| d.component.as_str()).unwrap_or("none");
        if got != component {
            out.push(format!("component: expected `{component}`, got `{got}`"));
        }
    }
    if let Some(rule) = &expect.rule {
        let got = drop.map(|d| d.rule.clone().unwrap_or_else(|| "no rule matched".into())).unwrap_or_else(|| "none".into());
        if &got != rule {
            out.push(format!("rule: expected `{rule}`, got `{got}`"));
        }
    }
    if let Some(reason) = &expect.reason {
        let got = drop.map(|d| d.reason.code()).unwrap_or("none");
        if got != reason {
            out.push(format!("reason: expected `{reason}`, got `{got}`"));
        }
    }
    out
}

/// A scenario loaded once and traced many times (a page sending many probes, the
/// benchmarks): the network is built once.
#[derive(Debug)]
pub struct Session {
    network: Network,
    diagnostics: Vec<Diagnostic>,
}

impl Session {
    /// Loads a scenario; fails only when the document cannot be read.
    pub fn open(scenario_text: &str) -> Result<Session, Vec<Diagnostic>> {
        let scenario = load_scenario(scenario_text)?;
        let (network, diagnostics) = Network::build(&scenario);
        Ok(Session { network, diagnostics })
    }

    /// The load diagnostics.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    fn probe(probe_text: &str) -> Result<ProbeDoc, Diagnostic> {
        serde_json::from_str(probe_text).map_err(|e| {
            Diagnostic::error(
                "probe-shape",
                "probe",
                format!("the probe is not valid: {e}"),
                "a probe is {\"from\": REF, \"to\": REF, \"protocol\": \"tcp\", \"port\": 443}",
            )
        })
    }

    /// Traces one probe (JSON).
    pub fn trace_json(&self, probe_text: &str) -> Answer<TraceValue> {
        let probe = match Session::probe(probe_text) {
            Ok(p) => p,
            Err(e) => return Answer::Failure { errors: vec![e] },
        };
        match eval::trace(&self.network, &probe) {
            Ok(trace) => {
                let text = trace.to_string();
                Answer::Success { value: TraceValue { trace, text }, warnings: vec![] }
            }
            Err(e) => Answer::Failure { errors: vec![e] },
        }
    }

    /// Traces the same probe `n` times and counts the reachable results: a benchmark
    /// kernel that keeps the trace work observable.
    pub fn count_reachable(&self, probe_text: &str, n: u32) -> Result<u32, Diagnostic> {
        let probe = Session::probe(probe_text)?;
        let mut reachable = 0;
        for _ in 0..n {
            if eval::trace(&self.network, &probe)?.reachable {
                reachable += 1;
            }
        }
        Ok(reachable)
    }
}

/// An import result.
#[derive(Clone, Debug, Serialize)]
pub struct ImportValue {
    /// The scenario document.
    pub scenario: Scenario,
    /// Import and load diagnostics, located.
    pub diagnostics: Vec<Diagnostic>,
}

/// Imports AWS CLI outputs given as JSON `[{"path": ..., "text": ...}]` (or an object of
/// path to text). Fails only when the argument itself has the wrong shape; problems in the
/// files are diagnostics of a successful import.
pub fn import_aws_json(files_json: &str) -> Answer<ImportValue> {
    /// One file of the argument: `{path, text}`.
    #[derive(Deserialize)]
    struct FileArg {
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        text: String,
    }
    let failure = |message: String| Answer::Failure {
        errors: vec![Diagnostic::error("import-argument", "files", message, "pass [{\"path\": \"Vpcs.json\", \"text\": \"...\"}]")],
    };
    // Typed, so the (large, escaped) texts are decoded once, with no JSON tree in between.
    match files_json.trim_start().chars().next() {
        Some('[') => match serde_json::from_str::<Vec<FileArg>>(files_json) {
            Ok(list) => import_aws_list(list.into_iter().map(|f| (f.path, f.text)).collect()),
            Err(e) => failure(format!("the file list is not valid: {e}")),
        },
        Some('{') => match serde_json::from_str::<std::collections::BTreeMap<String, String>>(files_json) {
            Ok(map) => import_aws_sorted(map),
            Err(e) => failure(format!("the file list is not valid: {e}")),
        },
        _ => failure("the file list must be an array or an object".to_owned()),
    }
}

/// Imports AWS CLI outputs given as a list of (path, text), as [`import_aws_json`] reads
/// `[{"path": ..., "text": ...}]`: a file without a path is `file-<i>.json`, after its
/// position. (The wasm API reads a JavaScript array of `{path, text}` into this, so that
/// tens of megabytes of text are not encoded as JSON and decoded again.)
pub fn import_aws_list(files: Vec<(Option<String>, String)>) -> Answer<ImportValue> {
    let files: Vec<crate::import::InputFile> = files
        .into_iter()
        .enumerate()
        .map(|(i, (path, text))| crate::import::InputFile { path: path.unwrap_or_else(|| format!("file-{i}.json")), text })
        .collect();
    import_aws_files(&files)
}

/// Imports AWS CLI outputs given as (path, text) pairs of a map, as [`import_aws_json`]
/// reads `{"path": "text", ...}`: in path order, the last text of a repeated path.
pub fn import_aws_map(files: Vec<(String, String)>) -> Answer<ImportValue> {
    import_aws_sorted(files.into_iter().collect())
}

/// [`import_aws_map`] once the pairs are a map: in path order.
fn import_aws_sorted(map: std::collections::BTreeMap<String, String>) -> Answer<ImportValue> {
    let files: Vec<crate::import::InputFile> = map.into_iter().map(|(path, text)| crate::import::InputFile { path, text }).collect();
    import_aws_files(&files)
}

/// Imports AWS CLI outputs already read as files: what the functions above do after
/// reading their argument.
pub fn import_aws_files(files: &[crate::import::InputFile]) -> Answer<ImportValue> {
    let imported = crate::import::aws::import(files);
    let mut diagnostics = imported.diagnostics;
    diagnostics.extend(Network::build(&imported.scenario).1);
    Answer::Success { value: ImportValue { scenario: imported.scenario, diagnostics }, warnings: vec![] }
}

/// The name [`import_terraform_json`] gives its document in diagnostic locations
/// (`terraform.json#/values/root_module`).
pub const TERRAFORM_DOCUMENT: &str = "terraform.json";

/// Imports a `terraform show -json` document (state or plan) given as JSON text. Fails when
/// the document cannot be read at all (too large, not JSON, not `terraform show -json`
/// output), located at `terraform.json#` or `terraform.json#/format_version`; problems
/// inside a readable document are diagnostics of a successful import, located by resource
/// address or `terraform.json#<JSON pointer>`, followed by the load diagnostics.
pub fn import_terraform_json(document: &str) -> Answer<ImportValue> {
    // Checked before the text is copied into an `InputFile`.
    if document.len() > crate::import::MAX_FILE_BYTES {
        return Answer::Failure {
            errors: vec![Diagnostic::error(
                "input-too-large",
                format!("{TERRAFORM_DOCUMENT}#"),
                format!(
                    "the document is {} bytes, more than the {} bytes an import accepts",
                    document.len(),
                    crate::import::MAX_FILE_BYTES
                ),
                "import a smaller state, for example one workspace or `terraform show -json` of a single module's state",
            )],
        };
    }
    let file = crate::import::InputFile { path: TERRAFORM_DOCUMENT.to_owned(), text: document.to_owned() };
    match crate::import::terraform::try_import(&file) {
        Ok(imported) => {
            let mut diagnostics = imported.diagnostics;
            diagnostics.extend(Network::build(&imported.scenario).1);
            Answer::Success { value: ImportValue { scenario: imported.scenario, diagnostics }, warnings: vec![] }
        }
        Err(errors) => Answer::Failure { errors },
    }
}

/// A Terraform export: the files of a root module.
#[derive(Clone, Debug, Serialize)]
pub struct ExportValue {
    /// File name to contents, as a JSON object in the exporter's order (`versions.tf`,
    /// `variables.tf` when a variable is used, `main.tf`).
    #[serde(serialize_with = "files_as_object")]
    pub files: Vec<(String, String)>,
    /// What was left out or assumed, located by document path.
    pub diagnostics: Vec<Diagnostic>,
}

fn files_as_object<S: serde::Serializer>(files: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(files.iter().map(|(name, text)| (name, text)))
}

/// Exports a scenario (JSON) as a Terraform root module. Fails only when the scenario
/// cannot be read; what Terraform cannot express is left out with a diagnostic.
pub fn export_terraform_json(scenario_text: &str) -> Answer<ExportValue> {
    let scenario = match load_scenario(scenario_text) {
        Ok(s) => s,
        Err(errors) => return Answer::Failure { errors },
    };
    let exported = crate::export::terraform::to_hcl(&scenario);
    Answer::Success { value: ExportValue { files: exported.files, diagnostics: exported.diagnostics }, warnings: vec![] }
}

/// Fuzzing entry: parse any text as a scenario, build it and trace its probes and a few
/// probes between its interfaces. Must never panic (`tests/fuzz`, and the regression
/// files under `tests/fuzz/regressions/scenario`).
#[doc(hidden)]
pub fn fuzz_scenario(text: &str) {
    if let Ok(scenario) = load_scenario(text) {
        exercise(&scenario);
    }
}

/// Fuzzing entry: import any text as one AWS CLI output file, then build and trace.
#[doc(hidden)]
pub fn fuzz_aws_import(text: &str) {
    let imported = crate::import::aws::import(&[crate::import::InputFile { path: "fuzz.json".into(), text: text.into() }]);
    exercise(&imported.scenario);
}

/// Fuzzing entry: import any text as `terraform show -json`, then build and trace.
#[doc(hidden)]
pub fn fuzz_terraform_import(text: &str) {
    let imported = crate::import::terraform::import(&crate::import::InputFile { path: "fuzz.json".into(), text: text.into() });
    exercise(&imported.scenario);
}

/// Fuzzing entry: decode any text as a share link (the fragment after `#s=`); when it
/// reads, re-encode it and build and trace what it carries.
#[doc(hidden)]
pub fn fuzz_share_link(text: &str) {
    if let Ok(shared) = crate::share::decode(text) {
        let again = crate::share::decode(&crate::share::encode(&shared));
        debug_assert!(again.is_ok(), "a decoded link re-encodes");
        exercise(&shared.scenario);
    }
}

fn exercise(scenario: &Scenario) {
    let (net, _) = Network::build(scenario);
    let _ = run_probes(scenario, &net);
    let refs: Vec<String> = net.enis().take(3).map(|(_, e)| e.id.clone()).chain(["internet".to_owned()]).collect();
    for from in &refs {
        for to in &refs {
            for (protocol, port) in [("tcp", Some(443)), ("udp", Some(53)), ("icmp", None)] {
                let probe = ProbeDoc { from: from.clone(), to: to.clone(), protocol: protocol.into(), port, ..ProbeDoc::default() };
                let _ = eval::trace(&net, &probe).map(|t| t.to_string());
            }
        }
    }
}

/// The library version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn scenario() -> String {
        json!({"vpcsim": 1, "network": {
            "vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"]}],
            "subnets": [{"id": "subnet-1", "vpc": "vpc-1", "cidr": "10.0.1.0/24"}],
            "security_groups": [
                {"id": "sg-web", "vpc": "vpc-1", "outbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]},
                {"id": "sg-ep", "vpc": "vpc-1", "inbound": [{"protocol": "tcp", "ports": "443", "sg": "sg-web"}]}],
            "instances": [{"id": "i-web", "subnet": "subnet-1", "security_groups": ["sg-web"]},
                          {"id": "i-ep", "subnet": "subnet-1", "security_groups": ["sg-ep"]}]}})
        .to_string()
    }

    #[test]
    fn trace_json_is_a_tagged_success() {
        let answer: Value =
            serde_json::from_str(&trace_json(&scenario(), r#"{"from":"i-web","to":"i-ep","port":443}"#).to_json()).unwrap_or_default();
        assert_eq!(answer["type"], "success");
        assert_eq!(answer["trace"]["request"]["outcome"], "delivered");
        assert_eq!(answer["trace"]["reachable"], true);
        let answer: Value =
            serde_json::from_str(&trace_json(&scenario(), r#"{"from":"i-web","to":"i-ep","port":22}"#).to_json()).unwrap_or_default();
        assert_eq!(answer["trace"]["request"]["dropped_at"]["reason"], "sg-no-matching-rule");
    }

    #[test]
    fn trace_json_failures_are_located() {
        let answer: Value =
            serde_json::from_str(&trace_json(&scenario(), r#"{"from":"i-wbe","to":"i-ep","port":443}"#).to_json()).unwrap_or_default();
        assert_eq!(answer["type"], "failure");
        assert_eq!(answer["errors"][0]["code"], "unknown-reference");
        assert_eq!(answer["errors"][0]["at"], "probe/from");
        assert!(answer["errors"][0]["help"].as_str().unwrap_or("").contains("i-web"));
        let answer: Value = serde_json::from_str(&trace_json("{\"vpcsim\": 1, ", "{}").to_json()).unwrap_or_default();
        assert_eq!(answer["errors"][0]["code"], "json-syntax");
    }

    #[test]
    fn terraform_import_fails_only_for_an_unreadable_document_and_locates_why() {
        for (bad, code, at) in [
            ("{ not json", "json-syntax", "terraform.json#"),
            ("", "json-syntax", "terraform.json#"),
            ("[1, 2]", "not-terraform-json", "terraform.json#"),
            ("{\"values\": {}}", "not-terraform-json", "terraform.json#"),
            ("{\"format_version\": 1}", "terraform-shape", "terraform.json#/format_version"),
        ] {
            match import_terraform_json(bad) {
                Answer::Failure { errors } => {
                    assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
                    assert_eq!((errors[0].code, errors[0].at.as_str()), (code, at), "{bad}");
                    assert!(!errors[0].help.is_empty());
                }
                Answer::Success { .. } => panic!("{bad} was accepted"),
            }
        }
        let empty = r#"{"format_version": "1.0"}"#;
        match import_terraform_json(empty) {
            Answer::Success { value, .. } => assert!(value.diagnostics.iter().any(|d| d.code == "terraform-empty")),
            Answer::Failure { errors } => panic!("{errors:?}"),
        }
    }

    #[test]
    fn terraform_export_is_an_object_of_files_in_the_exporters_order() {
        let text = export_terraform_json(&scenario()).to_json();
        let at = |name: &str| text.find(&format!("\"{name}\":")).unwrap_or(usize::MAX);
        assert!(at("versions.tf") < at("main.tf"), "{text}");
        let answer: Value = serde_json::from_str(&text).unwrap_or_default();
        assert_eq!(answer["type"], "success");
        assert!(answer["files"]["main.tf"].as_str().unwrap_or("").contains("resource \"aws_security_group\""));
        let answer: Value = serde_json::from_str(&export_terraform_json("{\"vpcsim\": 1, ").to_json()).unwrap_or_default();
        assert_eq!(answer["type"], "failure");
        assert_eq!(answer["errors"][0]["code"], "json-syntax");
    }

    #[test]
    fn import_takes_a_list_or_a_map_of_files_and_rejects_anything_else_with_a_located_error() {
        let vpcs = r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]}"#;
        let list = serde_json::json!([{"path": "a/Vpcs.json", "text": vpcs}]).to_string();
        let map = serde_json::json!({"a/Vpcs.json": vpcs}).to_string();
        for arg in [list, map] {
            match import_aws_json(&arg) {
                Answer::Success { value, .. } => assert_eq!(value.scenario.network.vpcs.len(), 1),
                Answer::Failure { errors } => panic!("{errors:?}"),
            }
        }
        for bad in ["42", "[{\"path\": 1}]", "{\"a\": 2}", "[", ""] {
            match import_aws_json(bad) {
                Answer::Failure { errors } => {
                    assert!(errors.iter().all(|e| e.code == "import-argument" && e.at == "files"), "{bad}: {errors:?}")
                }
                Answer::Success { .. } => panic!("{bad} was accepted"),
            }
        }
    }
}

/// A reachability matrix on the wire: every distinct list of allowed classes once
/// (`sets`), each pair as `[source, destination, set]` indexes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixWire {
    /// Source references.
    pub sources: Vec<String>,
    /// Destination references.
    pub destinations: Vec<String>,
    /// Distinct lists of allowed classes; `sets[0]` is the empty list.
    pub sets: Vec<Vec<crate::reach::Allowed>>,
    /// `[source index, destination index, set index]` per analysed pair.
    pub pairs: Vec<[u32; 3]>,
    /// The clients' source port.
    pub src_port: u16,
    /// The protocol number standing for `other`.
    pub other_protocol: u8,
}

impl From<&crate::reach::Matrix> for MatrixWire {
    /// Only the sets some pair names are sent, numbered in the order pairs first name
    /// them (`sets[0]` stays the empty list): a matrix updated after edits keeps lists no
    /// pair names any more, and its wire form equals that of the same matrix computed
    /// from scratch.
    fn from(m: &crate::reach::Matrix) -> Self {
        const UNSEEN: u32 = u32::MAX;
        let mut number = vec![UNSEEN; m.sets.len()];
        let mut sets = Vec::new();
        if let (Some(n), Some(empty)) = (number.first_mut(), m.sets.first()) {
            *n = 0;
            sets.push(empty.clone());
        }
        let pairs = m
            .pairs
            .iter()
            .map(|p| {
                let set = match number.get_mut(p.set as usize) {
                    Some(n) if *n == UNSEEN => {
                        *n = u32::try_from(sets.len()).unwrap_or(UNSEEN);
                        sets.push(m.sets.get(p.set as usize).cloned().unwrap_or_default());
                        *n
                    }
                    Some(n) => *n,
                    None => p.set,
                };
                [p.from, p.to, set]
            })
            .collect();
        MatrixWire {
            sources: m.sources.clone(),
            destinations: m.destinations.clone(),
            sets,
            pairs,
            src_port: m.src_port,
            other_protocol: m.other_protocol,
        }
    }
}

impl From<MatrixWire> for crate::reach::Matrix {
    fn from(w: MatrixWire) -> Self {
        crate::reach::Matrix {
            sources: w.sources,
            destinations: w.destinations,
            sets: w.sets,
            pairs: w.pairs.into_iter().map(|[from, to, set]| crate::reach::Pair { from, to, set }).collect(),
            src_port: w.src_port,
            other_protocol: w.other_protocol,
            fast_pairs: 0,
        }
    }
}

/// The group label of every source and destination, for one grouping.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EndGroups {
    /// One label per source.
    pub sources: Vec<String>,
    /// One label per destination.
    pub destinations: Vec<String>,
}

/// The reachability view: the matrix, its ends' groups and, against a baseline, the diff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReachValue {
    /// The matrix of the scenario.
    pub matrix: MatrixWire,
    /// Groups by subnet (`subnet-1 (name)`, `outside`, `services`).
    pub by_subnet: EndGroups,
    /// Groups by VPC.
    pub by_vpc: EndGroups,
    /// Against the baseline, when one was given: the pairs whose flows changed.
    pub changes: Option<Vec<crate::reach::Change>>,
    /// How many load errors the baseline has (its matrix leaves out what they name).
    pub baseline_errors: usize,
}

fn groups(net: &Network, m: &crate::reach::Matrix, by: crate::reach::GroupBy) -> EndGroups {
    EndGroups {
        sources: m.sources.iter().map(|r| crate::reach::group_of(net, r, by)).collect(),
        destinations: m.destinations.iter().map(|r| crate::reach::group_of(net, r, by)).collect(),
    }
}

/// The reachability matrix of a scenario (JSON) and, when `baseline_text` is given, the
/// flows gained and lost against that scenario. Fails only when a document cannot be
/// read; load errors are warnings (what they name is left out).
pub fn reach_json(scenario_text: &str, baseline_text: Option<&str>) -> Answer<ReachValue> {
    ReachSession::default().reach_json(scenario_text, baseline_text)
}

/// [`reach_json`] across requests, as the playground's Reach tab asks after each edit:
/// the last network's [`Engine`](crate::reach::Engine) is kept, so that a document that
/// differs from the last one only in the rules of some security groups and network ACLs
/// is answered by [`Engine::update_rules`](crate::reach::Engine::update_rules) instead of a
/// new matrix; and the baseline's matrix is kept while the baseline's text stays the
/// same. Every answer equals [`reach_json`]'s for the same documents.
#[derive(Default)]
pub struct ReachSession {
    last: Option<(NetworkDoc, crate::reach::Engine)>,
    baseline: Option<(String, crate::reach::Matrix, usize)>,
    /// How the last answer's matrix was found.
    pub last_update: Option<ReachUpdate>,
}

/// How [`ReachSession::reach_json`] found a matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum ReachUpdate {
    /// Analysed from scratch.
    New,
    /// The same network as last time.
    Same,
    /// Only rules changed: the cells they touch were recomputed.
    Rules {
        /// The groups and ACLs whose rules changed.
        edited: usize,
        /// What the engine did.
        update: crate::reach::Update,
    },
}

/// When `new` differs from `old` only in the rules of some security groups and the
/// entries of some network ACLs (same resources, in the same order, with the same
/// everything else): their ids.
fn rule_edits(old: &NetworkDoc, new: &NetworkDoc) -> Option<(Vec<String>, Vec<String>)> {
    if old.security_groups.len() != new.security_groups.len() || old.network_acls.len() != new.network_acls.len() {
        return None;
    }
    let (mut sgs, mut acls) = (Vec::new(), Vec::new());
    // `new` with the old rules: equal to `old` when nothing else changed. Groups and ACLs
    // have the same shape here (an id, inbound and outbound rules) but not the same rules.
    let mut masked = new.clone();
    macro_rules! restore_rules {
        ($masked:expr, $old:expr, $edited:expr) => {
            for (m, o) in $masked.iter_mut().zip($old) {
                if m.id != o.id {
                    return None;
                }
                if m.inbound != o.inbound || m.outbound != o.outbound {
                    $edited.push(m.id.clone());
                    m.inbound.clone_from(&o.inbound);
                    m.outbound.clone_from(&o.outbound);
                }
            }
        };
    }
    restore_rules!(masked.security_groups, &old.security_groups, sgs);
    restore_rules!(masked.network_acls, &old.network_acls, acls);
    (masked == *old).then_some((sgs, acls))
}

impl ReachSession {
    /// [`reach_json`], reusing what the last request computed where it still holds.
    pub fn reach_json(&mut self, scenario_text: &str, baseline_text: Option<&str>) -> Answer<ReachValue> {
        let scenario = match load_scenario(scenario_text) {
            Ok(s) => s,
            Err(errors) => return Answer::Failure { errors },
        };
        let (net, warnings) = Network::build(&scenario);
        self.update(scenario.network, &net, &warnings);
        let (mut changes, mut baseline_errors) = (None, 0);
        if let Some(text) = baseline_text {
            if self.baseline.as_ref().is_none_or(|(t, ..)| t != text) {
                self.baseline = None;
                let base = match load_scenario(text) {
                    Ok(s) => s,
                    Err(errors) => {
                        let errors = errors.into_iter().map(|mut d| {
                            d.message = format!("baseline: {}", d.message);
                            d
                        });
                        return Answer::Failure { errors: errors.collect() };
                    }
                };
                let (base_net, base_diags) = Network::build(&base);
                let errors = base_diags.iter().filter(|d| d.severity == Severity::Error).count();
                self.baseline = Some((text.to_owned(), crate::reach::reachability(&base_net), errors));
            }
            if let (Some((_, base, errors)), Some((_, engine))) = (&self.baseline, &self.last) {
                baseline_errors = *errors;
                changes = Some(crate::reach::diff(base, engine.matrix()));
            }
        }
        let Some((_, engine)) = &self.last else {
            return Answer::Failure {
                errors: vec![Diagnostic::error(
                    "reach-internal",
                    "/",
                    "no matrix was computed",
                    "this is a bug in vpcsim: please report it with the scenario",
                )],
            };
        };
        let matrix = engine.matrix();
        let value = ReachValue {
            by_subnet: groups(&net, matrix, crate::reach::GroupBy::Subnet),
            by_vpc: groups(&net, matrix, crate::reach::GroupBy::Vpc),
            matrix: MatrixWire::from(matrix),
            changes,
            baseline_errors,
        };
        Answer::Success { value, warnings }
    }

    /// Brings the kept engine to `net` (built from `doc` with `diags`): by its rule edits
    /// when only rules changed since the last network and the network loaded without
    /// errors (so that every edited id names one group or ACL), else from scratch.
    fn update(&mut self, doc: NetworkDoc, net: &Network, diags: &[Diagnostic]) {
        let clean = !diags.iter().any(|d| d.severity == Severity::Error);
        let edits = self.last.as_ref().filter(|_| clean).and_then(|(old, _)| rule_edits(old, &doc));
        let indexes = edits.and_then(|(sgs, acls)| {
            let sgs: Option<Vec<_>> = sgs.iter().map(|id| if let Some(Node::Sg(g)) = net.node(id) { Some(g) } else { None }).collect();
            let acls: Option<Vec<_>> = acls.iter().map(|id| if let Some(Node::Nacl(a)) = net.node(id) { Some(a) } else { None }).collect();
            Some((sgs?, acls?))
        });
        match (indexes, self.last.as_mut()) {
            (Some((sgs, acls)), Some((old, engine))) => {
                self.last_update = Some(if sgs.is_empty() && acls.is_empty() {
                    ReachUpdate::Same
                } else {
                    ReachUpdate::Rules { edited: sgs.len() + acls.len(), update: engine.update_rules(net, &sgs, &acls) }
                });
                *old = doc;
            }
            _ => {
                self.last = Some((doc, crate::reach::Engine::new(net)));
                self.last_update = Some(ReachUpdate::New);
            }
        }
    }
}
