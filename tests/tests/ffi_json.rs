//! The native twins of the JavaScript API: `vpcsim_core::ffi::*_json`, called with the
//! inputs of `tests/js/npm/api.test.mjs` (which runs the built npm package in Node), give
//! the same answers, read as the JSON JavaScript receives. Also checks that the
//! TypeScript declarations (`crates/vpcsim-wasm/src/types.d.ts`) list every field and
//! every enumerated value the Rust side produces.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use vpcsim_core::ffi::{self, Answer};
use vpcsim_core::trace::{CheckKind, DropReason, Outcome};

const ENDPOINT: &str = "sagemaker:endpoint/churn-model";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(path: &str) -> String {
    let path = root().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn worked() -> String {
    text("tests/scenarios/gallery/worked-example.json")
}

/// The answer as JavaScript sees it.
fn js<T: serde::Serialize>(answer: Answer<T>) -> Value {
    serde_json::from_str(&answer.to_json()).unwrap()
}

/// A failure value: every error has a code, severity, message, help and location.
fn assert_failure(answer: &Value, code: Option<&str>) {
    assert_eq!(answer["type"], "failure", "{answer:#}");
    let errors = answer["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    for e in errors {
        for key in ["code", "severity", "message", "help", "at"] {
            assert!(e[key].as_str().is_some_and(|s| !s.is_empty()), "{key} of {e}");
        }
    }
    if let Some(code) = code {
        assert_eq!(errors[0]["code"], code, "{answer:#}");
    }
}

fn probe(from: &str, to: &str, port: u16) -> String {
    json!({"from": from, "to": to, "protocol": "tcp", "port": port}).to_string()
}

#[test]
fn trace_https_from_the_web_app_to_the_endpoint_is_delivered_there_and_back() {
    let r = js(ffi::trace_json(&worked(), &probe("i-web", ENDPOINT, 443)));
    assert_eq!(r["type"], "success");
    assert_eq!(r["trace"]["reachable"], true);
    assert_eq!(r["trace"]["request"]["outcome"], "delivered");
    assert_eq!(r["trace"]["request"]["dropped_at"], Value::Null);
    assert_eq!(r["trace"]["response"]["outcome"], "delivered");
    assert_eq!(
        r["trace"]["flow"],
        json!({"src_ip": "10.0.1.10", "dst_ip": "10.0.1.20", "protocol": "tcp", "src_port": 49152, "dst_port": 443})
    );
    assert_eq!(r["warnings"], json!([]));
    let text = r["text"].as_str().unwrap();
    assert!(text.contains("=> DELIVERED\nresponse\n") && text.contains("reachable: yes"), "{text}");
}

#[test]
fn trace_ssh_is_dropped_at_sg_endpoint_with_no_matching_rule() {
    // As `vpcsim trace tests/scenarios/gallery/worked-example.json --from i-web
    // --to sagemaker:endpoint/churn-model --port 22 --format json` prints it.
    let r = js(ffi::trace_json(&worked(), &json!({"from": "i-web", "to": ENDPOINT, "port": 22}).to_string()));
    assert_eq!(r["type"], "success");
    assert_eq!(r["trace"]["reachable"], false);
    assert_eq!(r["trace"]["request"]["outcome"], "dropped");
    assert_eq!(r["trace"]["response"], Value::Null);
    assert_eq!(
        r["trace"]["request"]["dropped_at"],
        json!({
            "kind": "security-group",
            "component": "sg-endpoint",
            "direction": "inbound",
            "rule": null,
            "reason": "sg-no-matching-rule",
            "explanation": "no rule allows tcp/22 from sg-web (10.0.1.10): security groups allow only what a rule permits"
        })
    );
    let hops: Vec<&str> = r["trace"]["request"]["hops"].as_array().unwrap().iter().map(|h| h["node"].as_str().unwrap()).collect();
    assert_eq!(hops, ["eni-i-web", "subnet-private", "eni-sm-endpoint-churn-model"]);
    let last = r["trace"]["request"]["hops"][2]["checks"].as_array().unwrap().last().unwrap();
    assert_eq!((&last["verdict"], &last["spec"]), (&json!("deny"), &json!("SG-9")));
}

#[test]
fn trace_of_a_probe_naming_nothing_is_a_located_failure_with_a_suggestion() {
    let r = js(ffi::trace_json(&worked(), &probe("i-wbe", ENDPOINT, 443)));
    assert_failure(&r, Some("unknown-reference"));
    assert_eq!(r["errors"][0]["at"], "probe/from");
    assert!(r["errors"][0]["help"].as_str().unwrap().contains("i-web"));
}

#[test]
fn a_session_builds_once_and_traces_many() {
    let session = ffi::Session::open(&worked()).unwrap();
    assert!(session.diagnostics().is_empty());
    assert_eq!(js(session.trace_json(&probe("i-web", ENDPOINT, 443)))["trace"]["reachable"], true);
    assert_eq!(session.count_reachable(&probe("i-web", ENDPOINT, 22), 5).unwrap(), 0);
    assert_failure(&js(session.trace_json(r#"{"from": 1}"#)), Some("probe-shape"));
    let errors = ffi::Session::open("{ nope").unwrap_err();
    assert_eq!(errors[0].code, "json-syntax");
}

#[test]
fn check_of_the_worked_example_is_clean_and_a_broken_reference_is_an_error() {
    assert_eq!(js(ffi::check_json(&worked())), json!({"type": "success", "diagnostics": [], "warnings": []}));
    let mut broken: Value = serde_json::from_str(&worked()).unwrap();
    broken["network"]["instances"][0]["subnet"] = json!("subnet-nowhere");
    let r = js(ffi::check_json(&broken.to_string()));
    assert_failure(&r, None);
    assert!(
        r["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["severity"] == "error" && e["message"].as_str().unwrap().contains("subnet-nowhere")),
        "{r:#}"
    );
}

/// Every file under a folder as `{path, text}`, paths relative to it, sorted (as the Node
/// test reads them).
fn folder(path: &str) -> Vec<Value> {
    let base = root().join(path);
    let mut files = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(&base).unwrap().display().to_string();
                files.push(json!({"path": rel, "text": std::fs::read_to_string(&p).unwrap()}));
            }
        }
    }
    files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
    files
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_owned()).collect()
}

#[test]
fn import_aws_of_the_sagemaker_fixtures_gives_a_scenario_that_traces() {
    let files = folder("tests/fixtures/aws-sagemaker");
    assert_eq!(files.len(), 12);
    let r = js(ffi::import_aws_json(&Value::Array(files.clone()).to_string()));
    assert_eq!(r["type"], "success");
    let net = &r["scenario"]["network"];
    assert_eq!(r["scenario"]["vpcsim"], 1);
    assert_eq!(net["region"], "us-east-1");
    assert_eq!(ids(&net["vpcs"], "id"), ["vpc-0ml"]);
    assert_eq!(net["subnets"].as_array().unwrap().len(), 2);
    assert_eq!(net["security_groups"].as_array().unwrap().len(), 3);
    assert_eq!(ids(&net["instances"], "id"), ["i-0web"]);
    assert_eq!(ids(&net["sagemaker"]["endpoints"], "name"), ["churn-model"]);
    let diags: Vec<(&str, &str, &str)> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["severity"].as_str().unwrap(), d["code"].as_str().unwrap(), d["at"].as_str().unwrap()))
        .collect();
    assert_eq!(diags, [("info", "aws-sagemaker-unused", "us-east-1/describe-model-old.json#")]);
    // The same files as an object of path to text.
    let map: serde_json::Map<String, Value> = files.iter().map(|f| (f["path"].as_str().unwrap().to_owned(), f["text"].clone())).collect();
    let by_map = js(ffi::import_aws_json(&Value::Object(map).to_string()));
    assert_eq!(by_map["scenario"], r["scenario"]);
    let t = js(ffi::trace_json(&r["scenario"].to_string(), &probe("i-0web", ENDPOINT, 443)));
    assert_eq!(t["trace"]["request"]["outcome"], "delivered");
}

#[test]
fn import_aws_of_an_argument_of_the_wrong_shape_is_a_failure() {
    assert_failure(&js(ffi::import_aws_json("42")), Some("import-argument"));
    let r = js(ffi::import_aws_json(r#"[{"path": 1}]"#));
    assert_failure(&r, Some("import-argument"));
    assert_eq!(r["errors"][0]["at"], "files");
}

#[test]
fn import_terraform_of_a_state_document_gives_the_worked_example() {
    let r = js(ffi::import_terraform_json(&text("tests/fixtures/terraform/worked-example-state.json")));
    assert_eq!(r["type"], "success");
    let net = &r["scenario"]["network"];
    assert_eq!(ids(&net["instances"], "id"), ["i-0123456789abcdef0"]);
    assert_eq!(ids(&net["security_groups"], "id"), ["sg-0c0ffee0000000001", "sg-0c0ffee0000000002"]);
    assert_eq!(ids(&net["sagemaker"]["endpoints"], "name"), ["churn-model"]);
    assert_eq!(
        r["diagnostics"],
        json!([{
            "code": "unsupported-resource-type",
            "severity": "info",
            "message": "resources of type `aws_iam_role` are not modelled and were skipped",
            "help": "vpcsim models VPC networking, security groups, NACLs, routes, endpoints, instances and SageMaker",
            "at": "aws_iam_role.sagemaker"
        }])
    );
    let ssh = js(ffi::trace_json(&r["scenario"].to_string(), &probe("i-0123456789abcdef0", ENDPOINT, 22)));
    assert_eq!(ssh["trace"]["request"]["dropped_at"]["component"], "sg-0c0ffee0000000002");
    assert_eq!(ssh["trace"]["request"]["dropped_at"]["reason"], "sg-no-matching-rule");
}

#[test]
fn import_terraform_of_an_unreadable_document_is_a_located_failure() {
    // `undefined` in JavaScript arrives as the empty text.
    for (bad, code, at) in [
        ("{ not json", "json-syntax", "terraform.json#"),
        ("", "json-syntax", "terraform.json#"),
        ("[1,2]", "not-terraform-json", "terraform.json#"),
        (r#"{"values":{}}"#, "not-terraform-json", "terraform.json#"),
        (r#"{"format_version":1}"#, "terraform-shape", "terraform.json#/format_version"),
    ] {
        let r = js(ffi::import_terraform_json(bad));
        assert_failure(&r, Some(code));
        assert_eq!(r["errors"][0]["at"], at, "{bad}");
    }
    let huge = " ".repeat(vpcsim_core::import::MAX_FILE_BYTES + 1);
    assert_failure(&js(ffi::import_terraform_json(&huge)), Some("input-too-large"));
}

#[test]
fn export_terraform_of_the_worked_example_is_versions_variables_and_main() {
    let answer = ffi::export_terraform_json(&worked());
    let text = answer.to_json();
    let r: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(r["type"], "success");
    // A JSON object in the exporter's order, as `Object.keys` sees it in JavaScript.
    let order: Vec<usize> = ["versions.tf", "variables.tf", "main.tf"].iter().map(|n| text.find(&format!("\"{n}\":")).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(r["files"].as_object().unwrap().len(), 3);
    let main = r["files"]["main.tf"].as_str().unwrap();
    assert!(main.contains("resource \"aws_security_group\" \"sg_endpoint\""), "{main}");
    assert!(main.contains("resource \"aws_vpc\" "));
    assert!(r["files"]["versions.tf"].as_str().unwrap().contains("hashicorp/aws"));
    assert_eq!(r["diagnostics"], json!([]));
    assert_failure(&js(ffi::export_terraform_json(r#"{"vpcsim": 2, "network": {}}"#)), Some("unsupported-version"));
}

#[test]
fn version_is_the_workspace_version() {
    assert_eq!(ffi::version(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn bad_json_and_wrong_shapes_are_failure_values() {
    // What JavaScript's non-documents (numbers, null, a cyclic object, a BigInt) arrive as:
    // their JSON text, or the empty text when JSON.stringify cannot write them.
    for bad in ["{ not json", "", "null", "[]", r#"{"vpcsim": 1, "network": {"vpcs": 3}}"#, "42"] {
        assert_failure(&js(ffi::trace_json(bad, r#"{"from":"a","to":"b"}"#)), None);
        assert_failure(&js(ffi::check_json(bad)), None);
        assert_failure(&js(ffi::export_terraform_json(bad)), None);
    }
    let syntax = js(ffi::trace_json(r#"{"vpcsim": 1, "#, "{}"));
    assert_failure(&syntax, Some("json-syntax"));
    let at = syntax["errors"][0]["at"].as_str().unwrap();
    assert!(at.starts_with("line ") && at.contains(" column "), "{at}");
    let shape = js(ffi::check_json(r#"{"vpcsim": 1, "network": {"vpcs": 3}}"#));
    assert_failure(&shape, None);
    assert!(shape["errors"][0]["at"].as_str().unwrap().contains("vpcs"));
    assert_failure(&js(ffi::trace_json(&worked(), "not a probe")), Some("probe-shape"));
}

// ---------------------------------------------------------------------------------------
// The TypeScript declarations against the Rust types.

fn types_d_ts() -> String {
    text("crates/vpcsim-wasm/src/types.d.ts")
}

/// The field names of `export interface NAME { ... }` in the declarations.
fn ts_fields(ts: &str, name: &str) -> BTreeSet<String> {
    let start = ts.find(&format!("export interface {name} {{")).unwrap_or_else(|| panic!("types.d.ts has no interface {name}"));
    ts[start..]
        .lines()
        .skip(1)
        .take_while(|l| *l != "}")
        .map(str::trim)
        .filter(|l| !l.starts_with('/') && !l.starts_with('*') && !l.starts_with('['))
        .filter_map(|l| l.split([':', '?']).next())
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The string members of `export type NAME = "a" | "b" ...;`.
fn ts_union(ts: &str, name: &str) -> BTreeSet<String> {
    let start = ts.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("types.d.ts has no type {name}"));
    let body = &ts[start..];
    let body = &body[..body.find(';').unwrap()];
    body.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn the_typescript_scenario_types_have_every_field_of_the_json_schema() {
    let ts = types_d_ts();
    let schema = vpcsim_core::scenario::json_schema();
    let props = |v: &Value| -> BTreeSet<String> { v["properties"].as_object().unwrap().keys().cloned().collect() };
    assert_eq!(ts_fields(&ts, "Scenario"), props(&schema));
    for (ts_name, rust_name) in [
        ("ScenarioNetwork", "NetworkDoc"),
        ("SageMakerResources", "SageMakerDoc"),
        ("Probe", "ProbeDoc"),
        ("Expectation", "ExpectDoc"),
        ("ApiCall", "ApiCallDoc"),
        ("LayoutHint", "LayoutHint"),
    ] {
        assert_eq!(ts_fields(&ts, ts_name), props(&schema["$defs"][rust_name]), "{ts_name} against {rust_name}");
    }
}

fn codes(v: Vec<&str>) -> BTreeSet<String> {
    v.into_iter().map(str::to_owned).collect()
}

#[test]
fn the_typescript_enumerations_list_every_rust_variant() {
    let ts = types_d_ts();
    assert_eq!(ts_union(&ts, "DropReason"), codes(DropReason::ALL.iter().map(|r| r.code()).collect()));
    let outcomes = [Outcome::Delivered, Outcome::Dropped, Outcome::ExitsNetwork, Outcome::InsufficientInfo];
    assert_eq!(ts_union(&ts, "Outcome"), codes(outcomes.iter().map(|o| o.as_str()).collect()));
    let kinds = [
        CheckKind::SecurityGroup,
        CheckKind::NetworkAcl,
        CheckKind::RouteTable,
        CheckKind::InternetGateway,
        CheckKind::NatGateway,
        CheckKind::VpcPeering,
        CheckKind::TransitGateway,
        CheckKind::VpcEndpoint,
        CheckKind::EndpointPolicy,
        CheckKind::Sagemaker,
        CheckKind::Address,
    ];
    assert_eq!(ts_union(&ts, "CheckKind"), codes(kinds.iter().map(|k| k.as_str()).collect()));
    assert_eq!(ts_union(&ts, "Severity"), codes(vec!["info", "warning", "error"]));
}

/// Adds the keys of every object at `path` in `v` to `out` (arrays are walked).
fn keys_at(v: &Value, path: &[&str], out: &mut BTreeSet<String>) {
    match (v, path.split_first()) {
        (Value::Array(items), _) => items.iter().for_each(|x| keys_at(x, path, out)),
        (Value::Object(m), None) => out.extend(m.keys().cloned()),
        (Value::Object(m), Some((first, rest))) => {
            if let Some(next) = m.get(*first) {
                keys_at(next, rest, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_typescript_trace_and_result_types_have_every_field_the_answers_have() {
    let ts = types_d_ts();
    // Traces that together use every optional field: ICMP (`icmp_type`), a rule path, a
    // drop, a response, insufficient information (`missing`), failures (`errors`).
    let mut answers = Vec::new();
    for corpus in vpcsim_tests::corpus() {
        let scenario = std::fs::read_to_string(&corpus).unwrap();
        let doc: Value = serde_json::from_str(&scenario).unwrap();
        for p in doc["probes"].as_array().into_iter().flatten() {
            let mut p = p.clone();
            if let Some(m) = p.as_object_mut() {
                m.remove("expect");
            }
            answers.push(js(ffi::trace_json(&scenario, &p.to_string())));
        }
    }
    // Not in the corpus: traffic from an on-premises network (insufficient information)
    // and ICMP (`icmp_type`, `icmp_code`).
    let mut corp: Value = serde_json::from_str(&worked()).unwrap();
    corp["network"]["external"] = json!([{"id": "corp", "kind": "corporate", "cidr": "192.168.0.0/16"}]);
    let from_corp = js(ffi::trace_json(&corp.to_string(), &probe("corp", "i-web", 443)));
    assert_eq!(from_corp["trace"]["request"]["outcome"], "insufficient-info", "{from_corp:#}");
    answers.push(from_corp);
    answers.push(js(ffi::trace_json(&worked(), r#"{"from": "i-web", "to": "i-endpoint-missing", "protocol": "icmp"}"#)));
    answers.push(js(ffi::trace_json(
        &worked(),
        &json!({"from": "i-web", "to": ENDPOINT, "protocol": "icmp", "icmp_type": 8, "icmp_code": 0}).to_string(),
    )));
    let seen = |path: &[&str]| {
        let mut out = BTreeSet::new();
        for a in &answers {
            keys_at(a, path, &mut out);
        }
        out
    };
    let trace_fields = seen(&["trace"]);
    let flow = seen(&["trace", "flow"]);
    let leg: BTreeSet<String> = seen(&["trace", "request"]).union(&seen(&["trace", "response"])).cloned().collect();
    let hop = seen(&["trace", "request", "hops"]);
    let check = seen(&["trace", "request", "hops", "checks"]);
    let drop = seen(&["trace", "request", "dropped_at"]);
    assert!(leg.contains("missing") && flow.contains("icmp_code") && check.contains("rule_path"), "the optional fields are covered");
    assert_eq!(ts_fields(&ts, "Trace"), trace_fields);
    assert_eq!(ts_fields(&ts, "Flow"), flow);
    assert_eq!(ts_fields(&ts, "Leg"), leg);
    assert_eq!(ts_fields(&ts, "Hop"), hop);
    assert_eq!(ts_fields(&ts, "Check"), check);
    assert_eq!(ts_fields(&ts, "DropInfo"), drop);
    assert_eq!(ts_fields(&ts, "TraceSuccess"), seen(&[]).into_iter().filter(|k| k != "errors").collect());
    assert_eq!(ts_fields(&ts, "Failure"), ["errors".to_owned(), "type".to_owned()].into());
    let import = js(ffi::import_terraform_json(&text("tests/fixtures/terraform/worked-example-state.json")));
    let mut diagnostic = seen(&["errors"]);
    keys_at(&import, &["diagnostics"], &mut diagnostic);
    assert_eq!(ts_fields(&ts, "Diagnostic"), diagnostic);
    assert_eq!(ts_fields(&ts, "ImportSuccess"), import.as_object().unwrap().keys().cloned().collect());
    let export = js(ffi::export_terraform_json(&worked()));
    assert_eq!(ts_fields(&ts, "ExportSuccess"), export.as_object().unwrap().keys().cloned().collect());
    let check_answer = js(ffi::check_json(&worked()));
    assert_eq!(ts_fields(&ts, "CheckSuccess"), check_answer.as_object().unwrap().keys().cloned().collect());
}

/// `reachability` (the playground's Reach tab, computed in its worker, and the JavaScript
/// API): the matrix on the wire, groups, a baseline diff, failures as values, and the
/// TypeScript declarations naming every field.
#[test]
fn reach_gives_the_matrix_its_groups_and_the_diff_against_a_baseline() {
    let worked = worked();
    let a = js(ffi::reach_json(&worked, None));
    assert_eq!(a["type"], "success", "{a:#}");
    let m = &a["matrix"];
    let sources: Vec<&str> = m["sources"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let dests: Vec<&str> = m["destinations"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let (web, endpoint) = (sources.iter().position(|s| *s == "i-web").unwrap(), dests.iter().position(|s| *s == ENDPOINT).unwrap());
    let pair = m["pairs"].as_array().unwrap().iter().find(|p| p[0] == web && p[1] == endpoint).expect("the pair");
    assert_eq!(m["sets"][pair[2].as_u64().unwrap() as usize], json!([{"protocol": "tcp", "ports": "443"}]));
    assert_eq!(a["by_subnet"]["sources"].as_array().unwrap().len(), sources.len());
    assert_eq!(a["by_vpc"]["destinations"].as_array().unwrap().len(), dests.len());
    assert!(a["changes"].is_null());
    // Against a baseline without the endpoint group's HTTPS rule: i-web gained tcp 443.
    let mut base: Value = serde_json::from_str(&worked).unwrap();
    for g in base["network"]["security_groups"].as_array_mut().unwrap() {
        if g["id"] == "sg-endpoint" {
            g["inbound"] = json!([]);
        }
    }
    let d = js(ffi::reach_json(&worked, Some(&base.to_string())));
    let changes = d["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["from"] == "i-web" && c["to"] == ENDPOINT && c["gained"] == json!([{"protocol": "tcp", "ports": "443"}])),
        "{d:#}"
    );
    assert!(changes.iter().all(|c| c["lost"].as_array().unwrap().is_empty()));
    // Unreadable inputs are failures, the baseline's said to be the baseline's.
    assert_failure(&js(ffi::reach_json("{", None)), None);
    let bad = js(ffi::reach_json(&worked, Some("[1]")));
    assert_failure(&bad, None);
    assert!(bad["errors"][0]["message"].as_str().unwrap().starts_with("baseline: "), "{bad:#}");
    // The declarations.
    let ts = types_d_ts();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<BTreeSet<String>>();
    assert_eq!(ts_fields(&ts, "ReachSuccess"), keys(&d));
    assert_eq!(ts_fields(&ts, "MatrixWire"), keys(m));
    assert_eq!(ts_fields(&ts, "EndGroups"), keys(&a["by_subnet"]));
    assert_eq!(ts_fields(&ts, "Change"), keys(&changes[0]));
    assert_eq!(ts_fields(&ts, "Allowed"), keys(&changes[0]["gained"][0]));
}
