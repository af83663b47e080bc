//! The Reach tab natively: its actions in the reducer (tab, grouping, drill-down, cell,
//! baseline set / clear / compare), the answer cache (core's `ffi::reach_json`, which the
//! page runs in its worker and the tests call directly; asked again only when the document
//! or the baseline changes; stale answers dropped) and the grid, grouped and capped.

use serde_json::json;
use std::rc::Rc;
use vpcsim_core::reach::{GroupBy, Matrix};
use vpcsim_core::{Network, Scenario};
use vpcsim_web::doc::Edit;
use vpcsim_web::matrix::{self, Cache, Key, Level};
use vpcsim_web::state::{Action, AppState, Tab};
use yew::Reducible;

fn start() -> Rc<AppState> {
    Rc::new(AppState::default())
}

fn key(s: &Rc<AppState>) -> Key {
    Key { scenario: s.scenario.clone(), baseline: s.baseline.as_ref().map(|b| b.scenario.clone()) }
}

/// What the page does, with core called directly instead of through the worker: ask when
/// the cache wants an answer, hand the JSON text back, read the view.
fn view(cache: &mut Cache, key: &Key) -> matrix::View {
    if cache.wants(key) {
        cache.asked(key.clone());
        let (text, base) = matrix::request(key);
        let answer = vpcsim_core::ffi::reach_json(&text, base.as_deref()).to_json();
        cache.answer(key, matrix::read_answer(&answer));
    }
    cache.view(key, None).expect("an answer")
}

/// The default scenario's `sg-endpoint` also admits SSH from the web app.
fn allow_ssh(s: Rc<AppState>) -> Rc<AppState> {
    s.reduce(Action::Edit(Edit::Insert {
        pointer: "/network/security_groups/1/inbound".into(),
        index: None,
        value: json!({"protocol": "tcp", "ports": "22", "sg": "sg-web"}),
    }))
}

#[test]
fn the_reach_tab_is_fourth_and_survives_opening_a_lesson() {
    assert_eq!(Tab::ALL, [Tab::Packet, Tab::Inspector, Tab::Scenario, Tab::Reach]);
    assert_eq!(Tab::Reach.id(), "reach");
    let s = start().reduce(Action::SetTab(Tab::Reach));
    assert_eq!(s.tab, Tab::Reach);
    let lesson = vpcsim_web::gallery::get("nacl-rule-order").expect("gallery entry");
    let s = s.reduce(Action::Load(Box::new(lesson)));
    assert_eq!(s.tab, Tab::Reach, "opening a lesson from the Reach tab stays there");
    let s = s.reduce(Action::SetTab(Tab::Packet)).reduce(Action::Load(Box::new(vpcsim_web::state::default_scenario())));
    assert_eq!(s.tab, Tab::Packet);
}

#[test]
fn grouping_is_a_choice_that_leaves_the_drill_down() {
    let s = start();
    assert_eq!(s.reach.group_by, None, "automatic until chosen");
    let s = s.reduce(Action::ReachDrill(Some(("subnet-a".into(), "outside".into()))));
    assert!(s.reach.drill.is_some());
    let s = s.reduce(Action::SetGroupBy(GroupBy::Vpc));
    assert_eq!(s.reach.group_by, Some(GroupBy::Vpc));
    assert_eq!(s.reach.drill, None, "another grouping has other groups");
    let s = s.reduce(Action::ReachCell(Some(("i-web".into(), "internet".into()))));
    assert_eq!(s.reach.cell.as_ref().map(|c| c.0.as_str()), Some("i-web"));
    let s = s.reduce(Action::ReachCell(None));
    assert_eq!(s.reach.cell, None);
    let s = s.reduce(Action::Load(Box::new(vpcsim_web::state::default_scenario())));
    assert_eq!(s.reach.group_by, Some(GroupBy::Vpc), "the grouping is kept when a document is opened");
}

#[test]
fn the_baseline_is_kept_outside_the_undo_history_and_the_autosave() {
    let s = start();
    let saved = serde_json::to_value(s.saved()).expect("json");
    let s = s.reduce(Action::SetBaseline);
    let b = s.baseline.clone().expect("baseline set");
    assert!(Rc::ptr_eq(&b.scenario, &s.scenario), "the current document, not a copy");
    assert!(s.past.is_empty(), "setting a baseline is no undo step");
    assert_eq!(serde_json::to_value(s.saved()).expect("json"), saved, "nor part of the autosave");
    let s = allow_ssh(s);
    assert_eq!(s.past.len(), 1);
    assert!(Rc::ptr_eq(&s.baseline.as_ref().expect("kept").scenario, &b.scenario), "an edit leaves the baseline alone");
    let s = s.reduce(Action::Undo);
    assert!(s.baseline.is_some(), "undo leaves it too");
    let s = s.reduce(Action::Load(Box::new(vpcsim_web::gallery::get("nacl-rule-order").expect("entry"))));
    assert!(s.baseline.is_some(), "and opening another document (that is how to compare with a lesson)");
    let s = s.reduce(Action::ClearBaseline);
    assert_eq!(s.baseline, None);
    let other = vpcsim_web::gallery::get("stateful-vs-stateless").expect("entry");
    let s = s.reduce(Action::CompareWith { scenario: Box::new(other.clone()), label: "lesson.json".into() });
    let b = s.baseline.as_ref().expect("compared");
    assert_eq!((*b.scenario).clone(), other);
    assert_eq!(b.label, "lesson.json");
    assert!(s.past.len() == 1, "comparing with a file does not change the document");
}

#[test]
fn an_edit_that_opens_a_port_is_a_gained_flow_and_a_changed_cell() {
    let s = start().reduce(Action::SetBaseline);
    let mut cache = Cache::default();
    let v = view(&mut cache, &key(&s));
    assert_eq!(v.changes.as_deref().map(Vec::len), Some(0), "nothing changed yet");
    assert_eq!(cache.computed, 1);
    let again = view(&mut cache, &key(&s));
    assert!(Rc::ptr_eq(&again.matrix, &v.matrix) && cache.computed == 1, "same document, no new request");
    let s = allow_ssh(s);
    let v = view(&mut cache, &key(&s));
    assert_eq!(cache.computed, 2, "a changed document is asked for again");
    assert!(!v.stale);
    let changes = v.changes.as_deref().expect("diff");
    assert_eq!(changes.len(), 1, "{changes:?}");
    let c = changes.first().expect("one change");
    assert_eq!((c.from.as_str(), c.to.as_str()), ("i-web", "sagemaker:endpoint/churn-model"));
    assert_eq!(vpcsim_core::reach::allowed_text(&c.gained), "tcp 22");
    assert!(c.lost.is_empty());
    let r = v.grid.rows.iter().position(|a| a.label == "i-web").expect("row");
    let col = v.grid.cols.iter().position(|a| a.label == "sagemaker:endpoint/churn-model").expect("column");
    assert!(v.is_changed(r, col));
    assert_eq!(v.changed.iter().filter(|x| **x).count(), 1, "one changed cell");
    // Undo: the diff is empty again.
    let s = s.reduce(Action::Undo);
    let v = view(&mut cache, &key(&s));
    assert_eq!(v.changes.as_deref().map(Vec::len), Some(0));
    // Without a baseline there is no diff.
    let s = s.reduce(Action::ClearBaseline);
    let v = view(&mut cache, &key(&s));
    assert!(v.changes.is_none() && !v.changed.contains(&true));
}

#[test]
fn while_a_newer_answer_is_computed_the_last_one_is_shown_as_stale_and_late_answers_are_dropped() {
    let s = start();
    let mut cache = Cache::default();
    let first = view(&mut cache, &key(&s));
    let s2 = allow_ssh(s.clone());
    let (k1, k2) = (key(&s), key(&s2));
    assert!(cache.wants(&k2));
    cache.asked(k2.clone());
    assert!(!cache.wants(&k2), "asked once");
    assert!(cache.pending());
    let shown = cache.view(&k2, None).expect("the last answer");
    assert!(shown.stale && Rc::ptr_eq(&shown.matrix, &first.matrix));
    // An answer for a superseded request is dropped.
    let (text, _) = matrix::request(&k1);
    cache.answer(&k1, matrix::read_answer(&vpcsim_core::ffi::reach_json(&text, None).to_json()));
    assert!(cache.pending() && cache.computed == 1);
    // A failure is shown, and the last good answer kept.
    cache.answer(&k2, matrix::read_answer(&vpcsim_core::ffi::reach_json("{", None).to_json()));
    let e = cache.error().expect("the failure").to_owned();
    assert!(e.contains("(at "), "located: {e}");
    assert!(cache.view(&k2, None).is_some_and(|v| v.stale));
    assert!(matrix::read_answer("not json").is_err());
}

#[test]
fn the_default_grid_shows_the_open_cell_and_its_representative() {
    let s = start();
    let mut cache = Cache::default();
    let v = view(&mut cache, &key(&s));
    assert_eq!(v.grid.by, GroupBy::None, "a small network is not grouped");
    let r = v.grid.rows.iter().position(|a| a.label == "i-web").expect("row");
    let c = v.grid.cols.iter().position(|a| a.label == "sagemaker:endpoint/churn-model").expect("column");
    let cell = v.grid.cell(r, c);
    assert_eq!((cell.open, cell.total, cell.level), (1, 1, Level::Some));
    let set = v.matrix.sets.get(cell.set.expect("set") as usize).expect("classes");
    let a = set.first().expect("tcp 443");
    assert_eq!(matrix::class_text(a), "tcp 443");
    let probe = v.matrix.representative("i-web", "sagemaker:endpoint/churn-model", &a.protocol, matrix::send_port(a));
    assert_eq!((probe.protocol.as_str(), probe.port), ("tcp", Some(443)));
    let trace = vpcsim_core::eval::trace(&Network::build(&s.scenario).0, &probe).expect("traced");
    assert!(trace.reachable, "the representative of an open class gets through");
    // i-web → S3 is wide open (tcp 0-24, 26-65535): "a lot".
    let s3 = v.grid.cols.iter().position(|a| a.label == "service:s3").expect("s3");
    assert_eq!(v.grid.cell(r, s3).level, Level::Lot);
    // An end is never its own destination.
    let own = v.grid.cols.iter().position(|a| a.label == "i-web");
    if let Some(own) = own {
        assert_eq!(v.grid.cell(r, own).total, 0);
    }
}

#[test]
fn send_ports_prefer_well_known_ports_inside_the_class() {
    let a = |p: Option<&str>| vpcsim_core::reach::Allowed { protocol: "tcp".into(), ports: p.map(Into::into) };
    assert_eq!(matrix::send_port(&a(Some("26-65535"))), Some(443));
    assert_eq!(matrix::send_port(&a(Some("8080-8090"))), Some(8080));
    assert_eq!(matrix::send_port(&a(Some("22"))), Some(22));
    assert_eq!(matrix::send_port(&a(None)), None);
    assert_eq!(matrix::level(&[a(Some("8080-8090"))]), Level::Some);
    assert_eq!(matrix::level(&[a(Some("1024-65535"))]), Level::Lot);
    assert_eq!(matrix::level(&[]), Level::None);
}

/// `n` instances in `subnets` subnets of one VPC, all allowed to talk on TCP 443.
fn many(n: usize, subnets: usize) -> Scenario {
    let subnet_docs: Vec<_> =
        (0..subnets).map(|s| json!({"id": format!("subnet-{s}"), "vpc": "vpc-1", "cidr": format!("10.0.{s}.0/24")})).collect();
    let instances: Vec<_> = (0..n)
        .map(|i| {
            json!({"id": format!("i-{i}"), "subnet": format!("subnet-{}", i % subnets), "private_ip": format!("10.0.{}.{}", i % subnets, 10 + i / subnets),
                   "security_groups": [if (i / subnets).is_multiple_of(2) { "sg-open" } else { "sg-closed" }]})
        })
        .collect();
    let doc = json!({
        "vpcsim": 1,
        "network": {
            "vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"]}],
            "subnets": subnet_docs,
            "security_groups": [
                {"id": "sg-open", "vpc": "vpc-1", "inbound": [{"protocol": "tcp", "ports": "443", "cidr": "10.0.0.0/16"}], "outbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]},
                {"id": "sg-closed", "vpc": "vpc-1", "inbound": [], "outbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]}
            ],
            "instances": instances
        }
    });
    vpcsim_core::scenario::from_value(doc).expect("valid document")
}

#[test]
fn many_ends_are_grouped_by_subnet_and_ungrouped_drawing_is_capped() {
    let doc = many(80, 4);
    let (_, diags) = Network::build(&doc);
    assert!(diags.iter().all(|d| d.severity != vpcsim_core::Severity::Error), "{diags:?}");
    let answer =
        matrix::read_answer(&vpcsim_core::ffi::reach_json(&serde_json::to_string(&doc).expect("json"), None).to_json()).expect("answer");
    let groups = answer.value.by_subnet.clone();
    let m: Matrix = Matrix::from(answer.value.matrix);
    assert_eq!(matrix::effective_group(None, &m), GroupBy::Subnet, "more than 24 ends");
    assert_eq!(matrix::effective_group(Some(GroupBy::None), &m), GroupBy::None, "unless the user chooses");
    let g = matrix::grid(&m, GroupBy::Subnet, &groups);
    let labels: Vec<&str> = g.rows.iter().map(|a| a.label.as_str()).collect();
    assert!(labels.starts_with(&["subnet-0", "subnet-1", "subnet-2", "subnet-3"]), "{labels:?}");
    assert!(labels.contains(&"outside"), "{labels:?}");
    let r = 0;
    let c = g.cols.iter().position(|a| a.label == "subnet-1").expect("column");
    let cell = g.cell(r, c);
    // 20 × 20 pairs; the 10 even instances of subnet-1 admit 443 from all 20 of subnet-0.
    assert_eq!((cell.open, cell.total), (200, 400));
    assert_eq!(cell.level, Level::Lot, "half the pairs open");
    let (pairs, total) = matrix::members(&m, &g, r, c, 50);
    assert_eq!((pairs.len(), total), (50, 400));
    assert!(pairs.iter().all(|(_, _, a)| !a.is_empty()), "open pairs first");
    let flat = matrix::grid(&m, GroupBy::None, &groups);
    assert!(flat.capped(), "{} ends", m.sources.len());
    assert_eq!((flat.rows.len(), flat.cols.len()), (matrix::MAX_AXIS, matrix::MAX_AXIS));
    assert_eq!(flat.cells.len(), matrix::MAX_AXIS * matrix::MAX_AXIS, "never one cell per pair of a large network");
}

/// The worker's answer as the page reads it: `elapsed_ms` and `update`, added by the
/// worker in front of core's answer, become the note under the tab's buttons; an answer
/// without them (core's own) has no note.
#[test]
fn the_workers_timing_is_read_and_told() {
    let s = start();
    let (text, _) = matrix::request(&key(&s));
    let mut session = vpcsim_core::ffi::ReachSession::default();
    let core = session.reach_json(&text, None).to_json();
    assert!(matrix::read_answer(&core).expect("core's answer").timing.is_none());
    // As `www/import-worker.js` writes it.
    let with = |elapsed: &str, update: &str| format!("{{\"elapsed_ms\":{elapsed},\"update\":{update},{}", &core[1..]);
    let read = |t: &str| matrix::read_answer(t).expect("the worker's answer").timing.expect("its timing");
    let first = read(&with("84.4", &serde_json::to_string(&session.last_update).expect("json")));
    assert_eq!(first.text(), "Whole network analysed in 84 ms.");
    // After an edit of one group's rules (a rule removed: no new class), as the session
    // answers it.
    let edited = s.reduce(Action::Edit(Edit::Remove { pointer: "/network/security_groups/1/inbound".into(), index: 0 }));
    let (text, _) = matrix::request(&key(&edited));
    let answer = session.reach_json(&text, None).to_json();
    let update = serde_json::to_string(&session.last_update).expect("json");
    assert!(update.starts_with(r#"{"kind":"rules","edited":1,"update":{"kind":"incremental","cells":"#), "{update}");
    let t = read(&format!("{{\"elapsed_ms\":2.6,\"update\":{update},{}", &answer[1..]));
    assert!(t.text().starts_with("Rules of 1 security group or network ACL changed: "), "{}", t.text());
    assert!(t.text().ends_with(" recomputed, the rest kept; answered in 3 ms."), "{}", t.text());
    assert_eq!(read(&with("1", r#"{"kind":"same"}"#)).text(), "The network is unchanged: matrix kept; answered in 1 ms.");
    let rebuilt = read(&with("90", r#"{"kind":"rules","edited":2,"update":{"kind":"rebuilt"}}"#));
    assert_eq!(rebuilt.text(), "The edited rules need a new port or protocol class: whole network analysed again in 90 ms.");
    // The view carries it.
    let mut cache = Cache::default();
    let k = key(&start());
    cache.asked(k.clone());
    cache.answer(&k, matrix::read_answer(&with("84.4", r#"{"kind":"new"}"#)));
    assert_eq!(cache.view(&k, None).and_then(|v| v.timing).map(|t| t.text()).as_deref(), Some("Whole network analysed in 84 ms."));
}
