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
