//! The reducer and the derived frames, natively.

use std::rc::Rc;
use vpcsim_core::{eval, Network};
use vpcsim_web::layout::{frames, scene};
use vpcsim_web::state::{default_scenario, Action, AppState, Preset};
use yew::Reducible;

fn reduce(s: Rc<AppState>, a: Action) -> Rc<AppState> {
    s.reduce(a)
}

#[test]
fn default_scenario_is_the_worked_example_and_loads_cleanly() {
    let s = default_scenario();
    assert!(s.name.contains("SageMaker endpoint"));
    let (_, diags) = Network::build(&s);
    assert!(diags.is_empty(), "{diags:?}");
    let state = AppState::default();
    assert_eq!(state.draft.from, "i-web");
    assert_eq!(state.draft.port, "443");
}

#[test]
fn sending_starts_the_animation_and_ticks_stop_at_the_last_frame() {
    let s = Rc::new(AppState::default());
    let s = reduce(s, Action::Send);
    assert!(s.playing);
    assert_eq!(s.step, 0);
    let seq = s.sent.as_ref().map(|(n, _)| *n);
    let s = reduce(s, Action::Tick { frames: 3 });
    let s = reduce(s, Action::Tick { frames: 3 });
    assert_eq!(s.step, 2);
    let s = reduce(s, Action::Tick { frames: 3 });
    assert_eq!(s.step, 2, "never past the last frame");
    assert!(!s.playing, "stops at the end");
    let s = reduce(s, Action::Send);
    assert_ne!(s.sent.as_ref().map(|(n, _)| *n), seq, "sending again restarts");
    assert_eq!(s.step, 0);
}

#[test]
fn a_no_op_returns_the_same_state() {
    let s = Rc::new(AppState::default());
    let same = reduce(s.clone(), Action::Tick { frames: 5 });
    assert!(Rc::ptr_eq(&s, &same), "yew 0.23 skips re-rendering for the same Rc");
}

#[test]
fn presets_and_fields_edit_the_draft() {
    let s = Rc::new(AppState::default());
    let s = reduce(s, Action::Preset(Preset::Ssh));
    assert_eq!((s.draft.protocol.as_str(), s.draft.port.as_str()), ("tcp", "22"));
    let s = reduce(s, Action::SetPort("8443".into()));
    assert_eq!(s.draft.probe().port, Some(8443));
    let s = reduce(s, Action::StepBack);
    assert_eq!(s.step, 0);
}

#[test]
fn frames_follow_the_trace_from_source_to_drop() {
    let doc = default_scenario();
    let (net, _) = Network::build(&doc);
    let sc = scene(&doc);
    let ok = eval::trace(&net, &doc.probes[0]).unwrap();
    let f = frames(&sc, &ok);
    let src = sc.position("i-web").unwrap();
    let dst = sc.position("sagemaker:endpoint/churn-model").unwrap();
    assert_eq!(f.first().unwrap().at, src, "starts at the source");
    let request_end = f.iter().find(|x| x.leg == "request" && x.passed.is_some()).unwrap();
    assert_eq!(request_end.at, dst, "the delivered request ends at the destination");
    assert_eq!(f.last().unwrap().at, src, "the response ends back at the source");
    let bad = eval::trace(&net, &doc.probes[1]).unwrap();
    let f = frames(&sc, &bad);
    let last = f.last().unwrap();
    assert_eq!(last.passed, Some(false));
    assert!(last.caption.contains("sg-endpoint"));
    assert!(last.at.x < dst.x, "stops at the endpoint's security group, before the endpoint");
}
