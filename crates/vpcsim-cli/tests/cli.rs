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
