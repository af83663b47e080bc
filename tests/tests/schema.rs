//! The JSON Schema of scenario format v1 (docs/scenario.schema.json) is the one derived
//! from the serde types, and every scenario of the corpus validates against it.
//! `UPDATE_SCHEMA=1 cargo test -p vpcsim-tests --test schema` rewrites the file.

use std::path::PathBuf;
use vpcsim_tests::corpus;

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/scenario.schema.json")
}

#[test]
fn checked_in_schema_is_up_to_date() {
    let derived = serde_json::to_string_pretty(&vpcsim_core::scenario::json_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &derived).unwrap();
    }
    let on_disk = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(on_disk == derived, "docs/scenario.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test -p vpcsim-tests --test schema`");
}

#[test]
fn every_scenario_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    let mut failures = Vec::new();
    for path in corpus() {
        let doc: serde_json::Value = match serde_json::from_str(&std::fs::read_to_string(&path).unwrap()) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("{}: not JSON: {e}", path.display()));
                continue;
            }
        };
        for error in validator.iter_errors(&doc) {
            failures.push(format!("{}: {} at {}", path.display(), error, error.instance_path()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_schema_rejects_what_the_parser_rejects() {
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for bad in [
        serde_json::json!({"vpcsim": 1, "network": {"vpcs": [{"id": "v", "cidr": "10.0.0.0/16"}]}}),
        serde_json::json!({"vpcsim": 1, "network": {"subnets": [{"id": "s"}]}}),
        serde_json::json!({"vpcsim": 1, "unknown": true}),
    ] {
        assert!(!validator.is_valid(&bad), "schema accepted {bad}");
        assert!(vpcsim_core::ffi::load_scenario(&bad.to_string()).is_err(), "parser accepted {bad}");
    }
}
