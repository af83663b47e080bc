//! The JavaScript API in headless Chromium: the same answers as the native `*_json` twins.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SCENARIO: &str = include_str!("../../../tests/scenarios/gallery/worked-example.json");

fn get(v: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(v.clone(), |acc, key| js_sys::Reflect::get(&acc, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED))
}

#[wasm_bindgen_test]
fn https_is_delivered_and_ssh_dropped() {
    let ok = vpcsim_wasm::trace(
        JsValue::from_str(SCENARIO),
        JsValue::from_str(r#"{"from":"i-web","to":"sagemaker:endpoint/churn-model","port":443}"#),
    );
    assert_eq!(get(&ok, &["type"]).as_string().as_deref(), Some("success"));
    assert_eq!(get(&ok, &["trace", "request", "outcome"]).as_string().as_deref(), Some("delivered"));
    assert_eq!(get(&ok, &["trace", "reachable"]).as_bool(), Some(true));
    let bad = vpcsim_wasm::trace(
        JsValue::from_str(SCENARIO),
        JsValue::from_str(r#"{"from":"i-web","to":"sagemaker:endpoint/churn-model","port":22}"#),
    );
    assert_eq!(get(&bad, &["trace", "request", "dropped_at", "reason"]).as_string().as_deref(), Some("sg-no-matching-rule"));
    assert_eq!(get(&bad, &["trace", "request", "dropped_at", "component"]).as_string().as_deref(), Some("sg-endpoint"));
}

#[wasm_bindgen_test]
fn bad_input_is_a_failure_value_not_an_exception() {
    let bad = vpcsim_wasm::trace(JsValue::from_str("{ not json"), JsValue::from_str("{}"));
    assert_eq!(get(&bad, &["type"]).as_string().as_deref(), Some("failure"));
    assert_eq!(get(&bad, &["errors"]).is_array(), true);
    let check = vpcsim_wasm::check(JsValue::from_str(SCENARIO));
    assert_eq!(get(&check, &["type"]).as_string().as_deref(), Some("success"));
    assert!(!vpcsim_wasm::version().is_empty());
}

#[wasm_bindgen_test]
fn a_session_builds_once_and_traces_many() {
    let session = vpcsim_wasm::Session::new(JsValue::from_str(SCENARIO)).expect("the worked example loads");
    let probe = JsValue::from_str(r#"{"from":"i-web","to":"sagemaker:endpoint/churn-model","port":443}"#);
    assert_eq!(get(&session.trace(probe.clone()), &["trace", "reachable"]).as_bool(), Some(true));
    assert_eq!(session.trace_batch(probe, 25).ok(), Some(25));
    let ssh = JsValue::from_str(r#"{"from":"i-web","to":"sagemaker:endpoint/churn-model","port":22}"#);
    assert_eq!(session.trace_batch(ssh, 10).ok(), Some(0));
    assert!(vpcsim_wasm::Session::new(JsValue::from_str("{ nope")).is_err(), "an unreadable document throws an Error");
}

const TERRAFORM_STATE: &str = include_str!("../../../tests/fixtures/terraform/worked-example-state.json");

#[wasm_bindgen_test]
fn import_terraform_reads_a_state_as_text_or_object() {
    let object = js_sys::JSON::parse(TERRAFORM_STATE).unwrap_or(JsValue::NULL);
    for arg in [JsValue::from_str(TERRAFORM_STATE), object] {
        let r = vpcsim_wasm::import_terraform(arg);
        assert_eq!(get(&r, &["type"]).as_string().as_deref(), Some("success"));
        let instances = js_sys::Array::from(&get(&r, &["scenario", "network", "instances"]));
        assert_eq!(get(&instances.get(0), &["id"]).as_string().as_deref(), Some("i-0123456789abcdef0"));
        let diagnostics = js_sys::Array::from(&get(&r, &["diagnostics"]));
        assert_eq!(get(&diagnostics.get(0), &["code"]).as_string().as_deref(), Some("unsupported-resource-type"));
        let ssh = vpcsim_wasm::trace(
            get(&r, &["scenario"]),
            JsValue::from_str(r#"{"from":"i-0123456789abcdef0","to":"sagemaker:endpoint/churn-model","port":22}"#),
        );
        assert_eq!(get(&ssh, &["trace", "request", "dropped_at", "component"]).as_string().as_deref(), Some("sg-0c0ffee0000000002"));
    }
}

#[wasm_bindgen_test]
fn import_terraform_of_bad_json_is_a_located_failure() {
    for (bad, code, at) in [
        (JsValue::from_str("{ not json"), "json-syntax", "terraform.json#"),
        (JsValue::UNDEFINED, "json-syntax", "terraform.json#"),
        (JsValue::from_f64(42.0), "not-terraform-json", "terraform.json#"),
    ] {
        let r = vpcsim_wasm::import_terraform(bad);
        assert_eq!(get(&r, &["type"]).as_string().as_deref(), Some("failure"));
        let first = js_sys::Array::from(&get(&r, &["errors"])).get(0);
        assert_eq!(get(&first, &["code"]).as_string().as_deref(), Some(code));
        assert_eq!(get(&first, &["at"]).as_string().as_deref(), Some(at));
        assert!(get(&first, &["help"]).as_string().is_some_and(|h| !h.is_empty()));
    }
}

#[wasm_bindgen_test]
fn export_terraform_writes_the_files_of_a_root_module() {
    let r = vpcsim_wasm::export_terraform(JsValue::from_str(SCENARIO));
    assert_eq!(get(&r, &["type"]).as_string().as_deref(), Some("success"));
    let names: Vec<String> =
        js_sys::Object::keys(&js_sys::Object::from(get(&r, &["files"]))).iter().filter_map(|k| k.as_string()).collect();
    assert_eq!(names, ["versions.tf", "variables.tf", "main.tf"]);
    let main = get(&r, &["files", "main.tf"]).as_string().unwrap_or_default();
    assert!(main.contains("resource \"aws_security_group\" \"sg_endpoint\""), "{main}");
    let bad = vpcsim_wasm::export_terraform(JsValue::from_str("{ nope"));
    assert_eq!(get(&bad, &["type"]).as_string().as_deref(), Some("failure"));
    let first = js_sys::Array::from(&get(&bad, &["errors"])).get(0);
    assert_eq!(get(&first, &["code"]).as_string().as_deref(), Some("json-syntax"));
}
