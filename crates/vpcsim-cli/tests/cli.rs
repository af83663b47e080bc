//! The `vpcsim` command line contract: exit 0 whenever the analysis ran, whatever the
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "an integration test: helpers may fail loudly")]
//! verdict; exit 2 with one located line on stderr for bad input, and no partial JSON.

use std::path::PathBuf;
use std::process::Command;

fn vpcsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim")).args(args).output().expect("run vpcsim");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn worked_example() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios/gallery/worked-example.json").display().to_string()
}

#[test]
fn json_trace_follows_the_contract_and_exits_0_even_when_dropped() {
    let file = worked_example();
    let (code, out, _) =
        vpcsim(&["trace", &file, "--from", "i-web", "--to", "sagemaker:endpoint/churn-model", "--port", "22", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["reachable"], false);
    assert_eq!(v["flow"]["dst_port"], 22);
    assert_eq!(v["flow"]["protocol"], "tcp");
    assert_eq!(v["request"]["outcome"], "dropped");
    assert_eq!(v["request"]["dropped_at"]["kind"], "security-group");
    assert_eq!(v["request"]["dropped_at"]["component"], "sg-endpoint");
    assert_eq!(v["request"]["dropped_at"]["reason"], "sg-no-matching-rule");
    assert!(v["response"].is_null());
    let check = &v["request"]["hops"][0]["checks"][0];
    for key in ["kind", "component", "direction", "verdict", "rule", "explanation"] {
        assert!(check.get(key).is_some(), "check lacks `{key}`");
    }
    let (code, out, _) = vpcsim(&["trace", &file, "--from", "i-web", "--to", "10.0.1.20", "--port", "443", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["reachable"], true);
    assert_eq!(v["response"]["outcome"], "delivered");
}

#[test]
fn bad_input_exits_2_with_one_located_line_and_no_json() {
    let file = worked_example();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "trace".into(),
                file.clone(),
                "--from".into(),
                "i-wbe".into(),
                "--to".into(),
                "internet".into(),
                "--port".into(),
                "443".into(),
                "--format".into(),
                "json".into(),
            ],
            "i-web",
        ),
        (vec!["trace".into(), "/nonexistent/file.json".into(), "--from".into(), "a".into(), "--to".into(), "b".into()], "cannot read"),
        (
            vec![
                "trace".into(),
                file.clone(),
                "--from".into(),
                "i-web".into(),
                "--to".into(),
                "internet".into(),
                "--protocol".into(),
                "300".into(),
                "--port".into(),
                "1".into(),
            ],
            "protocol",
        ),
    ];
    for (args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = vpcsim(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: printed {out}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn a_300_mb_file_is_refused_with_a_size_message() {
    let dir = std::env::temp_dir().join(format!("vpcsim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("huge.json");
    // Sparse: 300 MB on paper, nothing on disk.
    std::fs::File::create(&big).unwrap().set_len(300 * 1024 * 1024).unwrap();
    let (code, out, err) = vpcsim(&["trace", big.to_str().unwrap(), "--from", "a", "--to", "b"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("314572800 bytes") && err.contains("more than"), "{err}");
    let (code, _, err) = vpcsim(&["check", dir.to_str().unwrap()]);
    assert_eq!(code, 2, "a folder holding it is refused too: {err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn import_then_export_writes_a_scenario_and_terraform() {
    let dir = std::env::temp_dir().join(format!("vpcsim-cli-ie-{}", std::process::id()));
    let tf = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/terraform/worked-example-state.json");
    let out_json = dir.join("imported.json");
    std::fs::create_dir_all(&dir).unwrap();
    let (code, _, err) = vpcsim(&["import", tf.to_str().unwrap(), "-o", out_json.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vpcsim(&["export", out_json.to_str().unwrap(), "--terraform", dir.join("tf").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let main_tf = std::fs::read_to_string(dir.join("tf/main.tf")).unwrap();
    assert!(main_tf.contains("resource \"aws_vpc\""), "{main_tf}");
    std::fs::remove_dir_all(&dir).ok();
}

fn lint_case(folder: &str, which: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/lints/{folder}/{which}.json")).display().to_string()
}

#[test]
fn check_exit_codes_follow_fail_on() {
    // An error finding (VS101), a file with warning and info findings, and a clean file.
    let error = lint_case("VS101-sg-admin-port-open-to-world", "bad");
    let warning = worked_example();
    let clean = lint_case("VS101-sg-admin-port-open-to-world", "good");
    let cases: [(&str, &[&str], i32); 11] = [
        (&error, &[], 1),
        (&error, &["--fail-on", "error"], 1),
        (&error, &["--fail-on", "never"], 0),
        (&warning, &[], 0),
        (&warning, &["--fail-on", "warning"], 1),
        (&warning, &["--fail-on", "info"], 1),
        (&warning, &["--fail-on", "never", "--format", "sarif"], 0),
        (&clean, &["--fail-on", "info"], 0),
        (&clean, &["--fail-on", "info", "--format", "json"], 0),
        ("/nonexistent/file.json", &[], 2),
        (&error, &["--fail-on", "sometimes"], 2),
    ];
    for (file, extra, want) in cases {
        let mut args = vec!["check", file];
        args.extend_from_slice(extra);
        let (code, out, err) = vpcsim(&args);
        assert_eq!(code, want, "{args:?}: stdout {out} stderr {err}");
    }
    let (_, out, _) = vpcsim(&["check", &error]);
    assert!(out.contains("error[VS101 sg-admin-port-open-to-world] at /network/security_groups/0/inbound/1"), "{out}");
    assert!(out.contains("fix available"), "{out}");
}

#[test]
fn check_json_lists_diagnostics_and_findings() {
    let (code, out, err) = vpcsim(&["check", &lint_case("VS401-nacl-shadowed-entry", "bad"), "--format", "json", "--fail-on", "never"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    let top: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(top, ["diagnostics", "findings"]);
    assert!(v["diagnostics"].is_array());
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    for f in findings {
        for key in ["code", "name", "severity", "message", "at", "help", "fix"] {
            assert!(f.get(key).is_some(), "finding lacks `{key}`: {f}");
        }
        assert!(f["at"].as_str().unwrap().starts_with("/network/"), "{f}");
    }
    let shadowed = findings.iter().find(|f| f["code"] == "VS401").expect("a VS401 finding");
    assert_eq!(shadowed["severity"], "warning");
    assert_eq!(shadowed["fix"]["ops"][0]["op"], "remove");
    assert_eq!(shadowed["fix"]["ops"][0]["path"], shadowed["at"]);
    // Load diagnostics come through too.
    let (_, out, _) = vpcsim(&["check", &worked_example(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["diagnostics"].as_array().unwrap().is_empty(), "{out}");
}

#[test]
fn check_sarif_has_the_required_fields() {
    let file = lint_case("VS101-sg-admin-port-open-to-world", "bad");
    let (code, out, err) = vpcsim(&["check", &file, "--format", "sarif"]);
    assert_eq!(code, 1, "the exit code does not depend on the format: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "vpcsim");
    assert!(!driver["version"].as_str().unwrap().is_empty());
    assert!(driver["informationUri"].as_str().unwrap().starts_with("http"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), vpcsim_core::lint::RULES.len());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        assert!(id.starts_with("VS"), "{r}");
        assert!(!r["name"].as_str().unwrap().is_empty());
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(r["helpUri"].as_str().unwrap().ends_with(&format!("docs/lints.md#{}", id.to_lowercase())), "{r}");
        assert!(matches!(r["defaultConfiguration"]["level"].as_str(), Some("error" | "warning" | "note")), "{r}");
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let rule_id = res["ruleId"].as_str().unwrap();
        assert!(matches!(res["level"].as_str(), Some("error" | "warning" | "note")), "{res}");
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0];
        assert_eq!(loc["physicalLocation"]["artifactLocation"]["uri"], file.as_str());
        assert!(loc["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().starts_with('/'), "{res}");
        if rule_id.starts_with("VS") {
            let k = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[k]["id"], rule_id);
        }
    }
    assert!(results.iter().any(|r| r["ruleId"] == "VS101" && r["level"] == "error"));
}

#[test]
fn reach_lists_cells_as_text_and_json_and_rejects_bad_references() {
    let file = worked_example();
    let (code, out, _) = vpcsim(&["reach", &file, "--from", "i-web"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("i-web\n"), "{out}");
    assert!(out.contains("  i-web → sagemaker:endpoint/churn-model: tcp 443\n"), "{out}");
    assert!(out.contains("nothing to "), "{out}");
    // A reference as for `trace`: the instance's address names the same row.
    let (code, out, _) = vpcsim(&["reach", &file, "--from", "10.0.1.10", "--to", "sagemaker:endpoint/churn-model", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(v["sources"], serde_json::json!(["i-web"]));
    assert_eq!(v["destinations"], serde_json::json!(["sagemaker:endpoint/churn-model"]));
    assert_eq!(v["src_port"], 49152);
    assert_eq!(
        v["cells"],
        serde_json::json!([{"from": "i-web", "to": "sagemaker:endpoint/churn-model", "allowed": [{"protocol": "tcp", "ports": "443"}]}])
    );
    let (code, out, err) = vpcsim(&["reach", &file, "--from", "i-wbe", "--format", "json"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--from") && err.contains("i-web"), "{err}");
    let (code, _, err) = vpcsim(&["reach", "/nonexistent/file.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

/// `reach --baseline`: the flows one input gains and loses against another (issue 7's
/// "compare with file"), here the worked example against a copy whose endpoint group also
/// admits SSH from the web tier.
#[test]
fn reach_against_a_baseline_lists_gained_and_lost_flows() {
    let file = worked_example();
    let mut doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let groups = doc["network"]["security_groups"].as_array_mut().unwrap();
    let endpoint = groups.iter_mut().find(|g| g["id"] == "sg-endpoint").expect("sg-endpoint");
    let mut ssh = endpoint["inbound"][0].clone();
    ssh["ports"] = serde_json::json!("22");
    endpoint["inbound"].as_array_mut().unwrap().push(ssh);
    let dir = std::env::temp_dir().join(format!("vpcsim-cli-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let edited = dir.join("edited.json");
    std::fs::write(&edited, doc.to_string()).unwrap();
    let edited = edited.display().to_string();

    let (code, out, err) = vpcsim(&["reach", &edited, "--baseline", &file]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("+ i-web → sagemaker:endpoint/churn-model: tcp 22\n"), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("- ")), "an added rule loses nothing: {out}");
    assert!(out.trim_end().ends_with("lost something)"), "{out}");
    // The other way round, the same pairs lose what they gained.
    let (code, out, _) = vpcsim(&["reach", &file, "--baseline", &edited, "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    let changes = v["changes"].as_array().unwrap();
    assert!(!changes.is_empty());
    assert!(changes.iter().all(|c| c["gained"].as_array().unwrap().is_empty() && !c["lost"].as_array().unwrap().is_empty()), "{out}");
    assert!(changes.iter().any(|c| c["from"] == "i-web" && c["to"] == "sagemaker:endpoint/churn-model" && c["lost"][0]["ports"] == "22"));
    // Against itself: nothing changed.
    let (code, out, _) = vpcsim(&["reach", &file, "--baseline", &file]);
    assert_eq!(code, 0);
    assert!(out.starts_with("0 pairs changed"), "{out}");
    // A bad baseline is a located error, exit 2, nothing on stdout.
    let (code, out, err) = vpcsim(&["reach", &file, "--baseline", "/nonexistent/base.json"]);
    assert_eq!(code, 2);
    assert!(out.is_empty() && err.contains("/nonexistent/base.json"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
