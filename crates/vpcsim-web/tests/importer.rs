//! Opening files, natively: what the worker's answer becomes (action and banner), with the
//! answer made by the same `vpcsim_core::ffi` function the worker's wasm calls; and the
//! embed actions of the reducer.

use serde_json::Value;
use std::path::Path;
use std::rc::Rc;
use vpcsim_core::import::InputFile;
use vpcsim_web::importer::{classify, summary, FileKind};
use vpcsim_web::state::{Action, AppState};
use yew::Reducible;

fn fixture_files() -> Vec<InputFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/aws-sagemaker/us-east-1");
    let mut files: Vec<InputFile> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| InputFile { path: e.file_name().to_string_lossy().into_owned(), text: std::fs::read_to_string(e.path()).unwrap() })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

#[test]
fn an_aws_import_answer_loads_the_network_with_a_summary_and_the_full_report() {
    let files = fixture_files();
    assert_eq!(classify(&files), FileKind::Aws);
    let list: Vec<Value> = files.iter().map(|f| serde_json::json!({"path": f.path, "text": f.text})).collect();
    let mut answer: Value = serde_json::from_str(&vpcsim_core::ffi::import_aws_json(&Value::Array(list).to_string()).to_json()).unwrap();
    answer["elapsed_ms"] = serde_json::json!(231.6);
    let (action, notice) = summary(FileKind::Aws, files.len(), answer);
    let Action::Load(s) = action else { panic!("expected a load, got {action:?}") };
    assert_eq!(s.name, format!("Imported from {} AWS CLI files", files.len()));
    assert!(s.network.instances.iter().any(|i| i.id == "i-0web"));
    let notice = notice.unwrap();
    assert!(!notice.error, "{}", notice.text);
    assert!(notice.text.starts_with("Imported 1 VPC(s)"), "{}", notice.text);
    assert!(notice.text.contains("0 error(s)"), "{}", notice.text);
    assert!(notice.text.ends_with("The import took 232 ms."), "{}", notice.text);
    let report = notice.raw.as_deref().unwrap();
    assert!(report.lines().all(|l| l.starts_with("info[") || l.starts_with("warning[")), "{report}");
}

#[test]
fn a_failed_or_empty_import_is_a_banner_and_changes_nothing() {
    let failed = serde_json::json!({"type": "failure", "errors": [{"code": "files-shape", "severity": "error", "message": "not a list", "help": "pass [{path, text}]", "at": "files"}]});
    let (action, notice) = summary(FileKind::Aws, 1, failed);
    assert!(notice.is_none());
    let Action::Notify(Some(n)) = action else { panic!("{action:?}") };
    assert!(n.error);
    assert_eq!(n.text, "The import failed: error[files-shape] at files: not a list (help: pass [{path, text}])\n");
    let nothing: Value =
        serde_json::from_str(&vpcsim_core::ffi::import_aws_json(r#"[{"path": "probes.json", "text": "[1, 2]"}]"#).to_json()).unwrap();
    let (action, _) = summary(FileKind::Aws, 1, nothing);
    let Action::Notify(Some(n)) = action else { panic!("{action:?}") };
    assert!(n.text.starts_with("Nothing to import: no VPC found in 1 file(s)."), "{}", n.text);
    assert!(n.raw.is_some(), "the report is offered");
    let garbage = serde_json::json!({"type": "success", "scenario": {"vpcsim": "one"}, "diagnostics": []});
    let (action, _) = summary(FileKind::Terraform, 1, garbage);
    assert!(matches!(action, Action::Notify(Some(ref n)) if n.text.starts_with("The importer's scenario could not be read")), "{action:?}");
}

#[test]
fn files_are_classified_by_their_contents() {
    let f = |text: &str| vec![InputFile { path: "x.json".into(), text: text.into() }];
    assert_eq!(classify(&f(r#"{"vpcsim": 1, "network": {}}"#)), FileKind::Scenario);
    assert_eq!(classify(&f(r#"{"format_version": "1.0", "values": {}}"#)), FileKind::Terraform);
    assert_eq!(classify(&f(r#"{"Vpcs": []}"#)), FileKind::Aws);
    // Keys sorted (jq -S, Python's sort_keys, serde_json): `vpcsim` comes last, after a
    // network of more than 4 KB.
    let subnets: Vec<_> =
        (0..200).map(|i| serde_json::json!({"id": format!("subnet-{i}"), "vpc": "vpc-1", "cidr": format!("10.0.{i}.0/24")})).collect();
    let sorted = serde_json::json!({"name": "sorted", "network": {"subnets": subnets}, "vpcsim": 1}).to_string();
    assert!(sorted.find("\"vpcsim\"").is_some_and(|at| at > 4096));
    assert_eq!(classify(&f(&sorted)), FileKind::Scenario);
    // A value that merely mentions the markers is not one of those documents.
    assert_eq!(classify(&f(r#"{"Vpcs": [{"Tags": [{"Key": "vpcsim", "Value": "format_version"}]}]}"#)), FileKind::Aws);
    assert_eq!(classify(&f(r#"{"Tags": {"vpcsim": 1}}"#)), FileKind::Aws);
    assert_eq!(classify(&f(r#"{"planned_values": {}, "format_version": "1.2"}"#)), FileKind::Terraform);
    // Truncated: a scenario still opens as one, so that its error is a scenario's.
    assert_eq!(classify(&f(r#"{"vpcsim": 1, "network": {"#)), FileKind::Scenario);
    assert_eq!(classify(&f(r#"{"Vpcs": ["#)), FileKind::Aws);
    // Several files are AWS outputs.
    let two = [f(r#"{"vpcsim": 1}"#), f(r#"{"Vpcs": []}"#)].concat();
    assert_eq!(classify(&two), FileKind::Aws);
}

#[test]
fn a_host_or_autoplay_probe_is_loaded_into_the_composer_and_sent() {
    let s = Rc::new(AppState::default());
    let probe = s.scenario.probes[1].clone();
    let s = s.reduce(Action::SendProbe(Box::new(probe.clone())));
    assert_eq!(s.sent.as_ref().map(|(_, p)| p), Some(&probe));
    assert_eq!(s.draft.port, probe.port.map(|p| p.to_string()).unwrap_or_default());
    assert!(s.playing);
    assert_eq!(s.step, 0);
}

#[test]
fn a_findings_fix_is_one_undo_step_that_keeps_the_view() {
    let mut s = AppState::with_scenario(vpcsim_web::gallery::get("notebook-internet-access").unwrap());
    s.selection = vec!["sg-notebook".into()];
    let s = Rc::new(s);
    let findings = vpcsim_core::lint::lint(&s.scenario);
    let f = findings.iter().find(|f| f.code == "VS201").expect("the lesson has a notebook with direct internet access");
    let fixed = s.clone().reduce(Action::ApplyFix(Box::new(f.fix.clone().unwrap())));
    assert!(vpcsim_core::lint::lint(&fixed.scenario).iter().all(|g| !(g.code == "VS201" && g.at == f.at)), "the finding is gone");
    assert_eq!(fixed.past.len(), s.past.len() + 1, "one undo step");
    assert_eq!(fixed.selection, s.selection, "the view stays");
    assert!(fixed.notice.as_ref().is_some_and(|n| n.text.starts_with("Fixed: set DirectInternetAccess")));
    let undone = fixed.reduce(Action::Undo);
    assert_eq!(undone.scenario, s.scenario, "undo brings the finding back");
    let bad = vpcsim_core::lint::Fix {
        description: "nonsense".into(),
        ops: vec![serde_json::from_value(serde_json::json!({"op": "remove", "path": "/network/nowhere/3"})).unwrap()],
    };
    let same = s.clone().reduce(Action::ApplyFix(Box::new(bad)));
    assert_eq!(same.scenario, s.scenario, "a fix that does not apply changes nothing");
    assert!(same.notice.as_ref().is_some_and(|n| n.error));
}
