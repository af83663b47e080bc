//! Document edits and the undo history, natively: what the palette, the canvas and the
//! inspector do to a scenario, through the reducer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, reason = "test code")]

use proptest::prelude::*;
use serde_json::json;
use std::rc::Rc;
use vpcsim_core::{eval, Network};
use vpcsim_web::doc::{Edit, Item, Kind, Palette};
use vpcsim_web::layout::{scene, Point};
use vpcsim_web::state::{default_scenario, Action, AppState, Saved, HISTORY_LIMIT};
use yew::Reducible;

fn run(s: Rc<AppState>, actions: impl IntoIterator<Item = Action>) -> Rc<AppState> {
    actions.into_iter().fold(s, |s, a| s.reduce(a))
}

fn empty() -> Rc<AppState> {
    Rc::new(AppState::with_scenario(vpcsim_core::Scenario { vpcsim: 1, ..Default::default() }))
}

fn add(what: Palette) -> Action {
    Action::Edit(Edit::Add { what, at: None, near: None })
}

#[test]
fn the_worked_example_can_be_built_from_an_empty_canvas_with_edits_only() {
    // The e2e test does the same through the UI; this checks the edits it relies on.
    let s = run(empty(), [add(Palette::Vpc), add(Palette::Subnet)]);
    assert_eq!(s.scenario.network.vpcs.len(), 1);
    assert_eq!(s.scenario.network.subnets[0].cidr, "10.0.0.0/24", "the first free /24 of the VPC's /16");
    let s = run(s, [add(Palette::SecurityGroup), add(Palette::SecurityGroup), add(Palette::Instance), add(Palette::Endpoint)]);
    let net = &s.scenario.network;
    assert_eq!(net.security_groups.len(), 2);
    // SG-12: a new group allows all outbound and nothing inbound.
    assert!(net.security_groups[0].inbound.is_empty());
    assert_eq!(net.security_groups[0].outbound[0].protocol, "all");
    let endpoint = &net.sagemaker.endpoints[0];
    assert_eq!(s.selection, vec![format!("sagemaker:endpoint/{}", endpoint.name)], "the added resource is selected");
    // Give the endpoint its own group, allowing HTTPS from the instance's group (SG-16).
    let s = run(
        s,
        [
            Action::Edit(Edit::Set { pointer: "/network/sagemaker/endpoints/0/vpc_config/security_groups".into(), value: json!(["sg-2"]) }),
            Action::Edit(Edit::Insert {
                pointer: "/network/security_groups/1/inbound".into(),
                index: None,
                value: json!({"protocol": "tcp", "ports": "443", "sg": "sg-1"}),
            }),
        ],
    );
    let (net, diags) = Network::build(&s.scenario);
    assert!(diags.iter().all(|d| d.severity != vpcsim_core::Severity::Error), "{diags:?}");
    let to = format!("sagemaker:endpoint/{}", s.scenario.network.sagemaker.endpoints[0].name);
    let probe =
        |port| vpcsim_core::ProbeDoc { from: "i-1".into(), to: to.clone(), protocol: "tcp".into(), port: Some(port), ..Default::default() };
    assert!(eval::trace(&net, &probe(443)).unwrap().reachable);
    let ssh = eval::trace(&net, &probe(22)).unwrap();
    assert_eq!(ssh.request.dropped_at.as_ref().unwrap().component, "sg-2");
}

#[test]
fn a_resource_needs_its_container_and_the_error_says_what_to_add() {
    let s = run(empty(), [add(Palette::Instance)]);
    assert!(s.scenario.network.instances.is_empty());
    assert!(s.notice.as_ref().unwrap().text.contains("add a VPC first"), "{:?}", s.notice);
    let s = run(s, [add(Palette::Vpc), add(Palette::Instance)]);
    assert!(s.notice.as_ref().unwrap().text.contains("add a subnet first"));
    assert!(s.past.len() == 1, "refused edits leave no undo step");
}

#[test]
fn dropping_on_a_subnet_puts_the_resource_in_that_subnet_at_the_drop_point() {
    let s = Rc::new(AppState::default());
    let sc = scene(&s.scenario);
    let b = sc.subnets.iter().find(|b| b.id == "subnet-private-b").unwrap();
    let at = Point { x: b.x + 100.0, y: b.y + 50.0 };
    let s = run(s, [Action::Edit(Edit::Add { what: Palette::Instance, at: Some(at), near: None })]);
    let i = s.scenario.network.instances.last().unwrap();
    assert_eq!(i.subnet, "subnet-private-b");
    let hint = s.scenario.layout[&i.id];
    assert_eq!((hint.x, hint.y), ((at.x / 10.0).round() * 10.0, (at.y / 10.0).round() * 10.0), "snapped to the grid");
}

#[test]
fn a_wrongly_typed_value_is_refused_and_the_document_is_unchanged() {
    let s = Rc::new(AppState::default());
    let before = s.scenario.clone();
    let s = run(s, [Action::Edit(Edit::Set { pointer: "/network/subnets/0/cidr".into(), value: json!(42) })]);
    assert_eq!(s.scenario, before);
    assert!(s.notice.as_ref().unwrap().error);
    // A string that is not a CIDR is accepted by the format and reported by the core, located.
    let s = run(s, [Action::Edit(Edit::Set { pointer: "/network/subnets/0/cidr".into(), value: json!("10.0.1.7/24") })]);
    let (_, diags) = Network::build(&s.scenario);
    assert!(diags.iter().any(|d| d.at == "subnets/0/cidr"), "{diags:?}");
}

#[test]
fn typing_in_one_field_is_one_undo_step() {
    let s = Rc::new(AppState::default());
    let original = s.scenario.network.vpcs[0].name.clone();
    let typing =
        ["m", "my", "my-", "my-v", "my-vpc"].map(|t| Action::Edit(Edit::Set { pointer: "/network/vpcs/0/name".into(), value: json!(t) }));
    let s = run(s, typing);
    assert_eq!(s.scenario.network.vpcs[0].name, "my-vpc");
    assert_eq!(s.past.len(), 1);
    let s = run(s, [Action::Undo]);
    assert_eq!(s.scenario.network.vpcs[0].name, original);
    let s = run(s, [Action::Redo]);
    assert_eq!(s.scenario.network.vpcs[0].name, "my-vpc");
}

#[test]
fn renaming_rewrites_every_reference() {
    let s = Rc::new(AppState::default());
    let s = run(s, [Action::Edit(Edit::Rename { item: Item::new(Kind::SecurityGroup, "sg-web"), to: "sg-frontend".into() })]);
    let net = &s.scenario.network;
    assert!(net.security_groups.iter().any(|g| g.id == "sg-frontend"));
    assert_eq!(net.instances[0].security_groups, vec!["sg-frontend"]);
    assert_eq!(net.security_groups[1].inbound[0].sg.as_deref(), Some("sg-frontend"), "SG references in rules follow");
    let (_, diags) = Network::build(&s.scenario);
    assert!(diags.iter().all(|d| d.severity != vpcsim_core::Severity::Error), "{diags:?}");
    // A SageMaker resource is renamed with its references and layout.
    let s = run(s, [Action::Edit(Edit::Rename { item: Item::new(Kind::Endpoint, "churn-model"), to: "churn-v2".into() })]);
    assert!(s.scenario.layout.contains_key("sagemaker:endpoint/churn-v2"));
    assert!(s.scenario.probes.iter().all(|p| p.to != "sagemaker:endpoint/churn-model"));
    // Ids stay unique.
    let s = run(s, [Action::Edit(Edit::Rename { item: Item::new(Kind::SecurityGroup, "sg-endpoint"), to: "sg-frontend".into() })]);
    assert!(s.notice.as_ref().unwrap().text.contains("already used"));
}

#[test]
fn deleting_a_subnet_deletes_what_lives_in_it_and_undo_brings_it_back() {
    let s = Rc::new(AppState::default());
    let before = s.scenario.clone();
    let s = run(s, [Action::Select(vec!["subnet-private".into()]), Action::DeleteSelection]);
    let net = &s.scenario.network;
    assert!(net.subnets.iter().all(|x| x.id != "subnet-private"));
    assert!(net.instances.is_empty(), "the web app lived in the subnet");
    assert!(s.selection.is_empty());
    assert!(!s.scenario.layout.contains_key("i-web"));
    let s = run(s, [Action::Undo]);
    assert_eq!(s.scenario, before);
}

#[test]
fn duplicate_gives_fresh_ids_and_no_shared_addresses() {
    let s = run(Rc::new(AppState::default()), [Action::Select(vec!["i-web".into()]), Action::DuplicateSelection]);
    let net = &s.scenario.network;
    assert_eq!(net.instances.len(), 2);
    let copy = &net.instances[1];
    assert_ne!(copy.id, "i-web");
    assert_eq!(copy.private_ip, None, "the copy gets the next free address");
    assert_eq!(s.selection, vec![copy.id.clone()]);
    let (_, diags) = Network::build(&s.scenario);
    assert!(diags.iter().all(|d| d.severity != vpcsim_core::Severity::Error), "{diags:?}");
}

#[test]
fn moving_a_subnet_carries_its_cards() {
    let s = Rc::new(AppState::default());
    let sc = scene(&s.scenario);
    let web = sc.position("i-web").unwrap();
    let s = run(s, [Action::Select(vec!["subnet-private".into()]), Action::MoveSelection { dx: 40.0, dy: 20.0 }]);
    let sc = scene(&s.scenario);
    let moved = sc.position("i-web").unwrap();
    assert_eq!((moved.x - web.x, moved.y - web.y), (40.0, 20.0));
}

#[test]
fn the_autosave_text_reuses_the_document_only_while_it_is_the_same() {
    let mut cache = vpcsim_web::state::SavedText::default();
    let record = |s: &AppState| serde_json::to_string(&s.saved()).unwrap();
    let s = Rc::new(AppState::default());
    assert_eq!(cache.text(&s).unwrap(), record(&s));
    // A change of view keeps the document (the same Rc): its text is reused.
    let panned = run(s.clone(), [Action::Pan { dx: 30.0, dy: -10.0 }, Action::Select(vec!["i-web".into()])]);
    assert!(cache.keeps(&panned.scenario));
    assert_ne!(record(&panned), record(&s), "the view is in the record");
    assert_eq!(cache.text(&panned).unwrap(), record(&panned));
    // An edit is a new document: written anew.
    let edited = run(panned, [Action::Edit(Edit::Set { pointer: "/name".into(), value: json!("renamed") })]);
    assert!(!cache.keeps(&edited.scenario));
    let text = cache.text(&edited).unwrap();
    assert_eq!(text, record(&edited));
    assert!(text.contains("renamed"));
    assert!(cache.keeps(&edited.scenario));
    // Undo brings back the earlier document's Rc: written from it, not from the cache.
    let undone = run(edited, [Action::Undo]);
    assert_eq!(cache.text(&undone).unwrap(), record(&undone));
    let back: Saved = serde_json::from_str(&cache.text(&undone).unwrap()).unwrap();
    assert_eq!(back, undone.saved());
}

#[test]
fn a_document_without_probes_opens_with_two_distinct_ends_in_the_composer() {
    // An import: instances and an endpoint, no probe.
    let mut doc = default_scenario();
    doc.probes.clear();
    let s = run(empty(), [Action::Load(Box::new(doc.clone()))]);
    let choices = vpcsim_web::state::endpoint_choices(&doc);
    assert_eq!(s.draft.from, choices[0].0, "the first resource sends");
    assert_ne!(s.draft.to, s.draft.from);
    assert!(choices.iter().any(|(r, _)| *r == s.draft.to), "{} is a choice", s.draft.to);
    assert!(!s.draft.to.starts_with("service:") && s.draft.to != "internet", "the next resource of the document: {}", s.draft.to);
    // The draft is a probe the evaluator traces.
    let (net, _) = Network::build(&s.scenario);
    assert!(eval::trace(&net, &s.draft.probe()).is_ok());
    // One resource: to the internet.
    let one: vpcsim_core::Scenario = serde_json::from_value(json!({"vpcsim": 1, "network": {
        "vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"]}],
        "subnets": [{"id": "subnet-1", "vpc": "vpc-1", "cidr": "10.0.1.0/24"}],
        "instances": [{"id": "i-1", "subnet": "subnet-1"}]}}))
    .unwrap();
    let s = run(empty(), [Action::Load(Box::new(one))]);
    assert_eq!((s.draft.from.as_str(), s.draft.to.as_str()), ("i-1", "internet"));
    // Nothing of its own (New): nothing chosen.
    let s = run(empty(), [Action::Load(Box::new(vpcsim_core::Scenario { vpcsim: 1, ..Default::default() }))]);
    assert_eq!((s.draft.from.as_str(), s.draft.to.as_str()), ("", ""));
    // A document with probes starts from its first one, as before.
    let s = run(empty(), [Action::Load(Box::new(default_scenario()))]);
    assert_eq!(s.draft.from, default_scenario().probes[0].from);
}

#[test]
fn loading_a_scenario_is_undoable_and_restore_brings_back_the_session() {
    let s = run(Rc::new(AppState::default()), [Action::Preset(vpcsim_web::state::Preset::Ssh), Action::Send]);
    let saved: Saved = serde_json::from_str(&serde_json::to_string(&s.saved()).unwrap()).unwrap();
    let s2 = run(s.clone(), [Action::Load(Box::new(vpcsim_core::Scenario { vpcsim: 1, ..Default::default() }))]);
    assert!(s2.scenario.network.vpcs.is_empty());
    let s3 = run(s2, [Action::Undo]);
    assert_eq!(s3.scenario, s.scenario);
    let r = run(empty(), [Action::Restore(Box::new(saved))]);
    assert_eq!(r.scenario, s.scenario);
    assert_eq!(r.draft, s.draft);
    assert_eq!(r.sent.as_ref().map(|x| &x.1), s.sent.as_ref().map(|x| &x.1));
}

#[test]
fn history_keeps_at_least_a_hundred_steps() {
    let s = Rc::new(AppState::default());
    let s = run(
        s,
        (0..150)
            .map(|i| Action::Edit(Edit::Set { pointer: "/network/vpcs/0/name".to_owned(), value: json!(format!("v{i}")) }))
            .flat_map(|a| [a, Action::SetTab(Default::default())]),
    );
    assert_eq!(s.past.len(), 150);
    const { assert!(HISTORY_LIMIT >= 100) };
    let s = run(s, (0..150).map(|_| Action::Undo));
    assert_eq!(*s.scenario, default_scenario());
}

fn arb_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0usize..20).prop_map(|i| Action::Select(vec![[
            "i-web",
            "subnet-private",
            "subnet-private-b",
            "vpc-ml",
            "sagemaker:endpoint/churn-model",
            "i-1",
            "sg-1",
            "subnet-1"
        ][i % 8]
            .into()])),
        Just(Action::DeleteSelection),
        Just(Action::DuplicateSelection),
        (-3i32..3, -3i32..3).prop_map(|(x, y)| Action::MoveSelection { dx: f64::from(x) * 10.0, dy: f64::from(y) * 10.0 }),
        (0usize..20).prop_map(|i| Action::Edit(Edit::Add { what: Palette::ALL[i % Palette::ALL.len()], at: None, near: None })),
        "[a-z0-9-]{0,6}".prop_map(|n| Action::Edit(Edit::Set { pointer: "/network/vpcs/0/name".into(), value: json!(n) })),
        (0usize..3).prop_map(|i| Action::Edit(Edit::Insert {
            pointer: "/network/security_groups/0/inbound".into(),
            index: Some(i),
            value: json!({"protocol": "tcp", "ports": "22", "cidr": "0.0.0.0/0"})
        })),
        (0usize..3).prop_map(|i| Action::Edit(Edit::Remove { pointer: "/network/security_groups/0/inbound".into(), index: i })),
        Just(Action::Undo),
        Just(Action::Redo),
        Just(Action::Send),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Undoing every change, one by one, walks back through exactly the documents seen,
    /// and redoing walks forward again.
    #[test]
    fn undo_restores_every_earlier_document(actions in proptest::collection::vec(arb_action(), 1..40)) {
        let mut s = Rc::new(AppState::default());
        let mut seen = vec![s.scenario.clone()];
        for a in actions.into_iter().filter(|a| !matches!(a, Action::Undo | Action::Redo)) {
            s = s.reduce(a);
            if *seen.last().unwrap() != s.scenario {
                seen.push(s.scenario.clone());
            }
        }
        let end = s.scenario.clone();
        // Name edits coalesce; compare against the distinct documents the history kept.
        let steps = s.past.len();
        for _ in 0..steps {
            s = s.reduce(Action::Undo);
            prop_assert!(seen.contains(&s.scenario), "undo reached a document never seen");
        }
        prop_assert_eq!(&*s.scenario, &*seen[0]);
        for _ in 0..steps {
            s = s.reduce(Action::Redo);
        }
        prop_assert_eq!(&*s.scenario, &*end);
        // Whatever happened, the document still serializes and loads.
        let text = vpcsim_core::scenario::to_json(&s.scenario);
        prop_assert!(vpcsim_core::scenario::parse(&text).is_ok());
    }
}

#[test]
fn the_deciding_rule_of_a_trace_points_at_its_row_in_the_document() {
    let s = Rc::new(AppState::default());
    let (net, _) = Network::build(&s.scenario);
    let t = eval::trace(&net, &s.scenario.probes[0]).unwrap();
    let allow = t.request.hops.iter().flat_map(|h| &h.checks).find(|c| c.component == "sg-endpoint").unwrap();
    let i = s.scenario.network.security_groups.iter().position(|g| g.id == "sg-endpoint").unwrap();
    assert_eq!(
        vpcsim_web::state::rule_pointer(&s.scenario, allow).as_deref(),
        Some(format!("/network/security_groups/{i}/inbound/0").as_str())
    );
    let s = run(s, [Action::FocusRule(format!("/network/security_groups/{i}/inbound/0"))]);
    assert_eq!(s.selection, vec!["sg-endpoint".to_owned()]);
    assert_eq!(s.tab, vpcsim_web::state::Tab::Inspector);
}

#[test]
fn every_gallery_entry_parses_and_the_menu_names_match() {
    let entries = vpcsim_web::gallery::entries();
    assert_eq!(entries.len(), vpcsim_web::gallery::GALLERY.len(), "an embedded gallery file does not parse");
    assert!(entries.len() >= 12, "the worked example and at least 11 more");
    assert_eq!(entries[0].slug, "worked-example", "the default scenario comes first");
    for ((slug, name), e) in vpcsim_web::gallery::names().zip(&entries) {
        assert_eq!((slug, name), (e.slug, e.scenario.name.as_str()));
    }
}

#[test]
fn a_share_link_reopens_the_scenario_packet_and_view_and_undo_returns_to_the_previous_work() {
    let s = run(
        Rc::new(AppState::default()),
        [
            Action::Preset(vpcsim_web::state::Preset::Ssh),
            Action::Send,
            Action::Select(vec!["i-web".into()]),
            Action::Zoom { factor: 2.0, around: None },
        ],
    );
    let link = vpcsim_core::share::encode(&s.shared());
    let shared = vpcsim_core::share::decode(&link).unwrap();
    let before = empty();
    let opened = run(before.clone(), [Action::OpenShared(Box::new(shared))]);
    assert_eq!(opened.scenario, s.scenario);
    assert_eq!(opened.draft, s.draft);
    assert_eq!(opened.sent.as_ref().map(|x| &x.1), s.sent.as_ref().map(|x| &x.1), "the packet that was sent");
    assert_eq!((opened.camera, opened.selection.clone()), (s.camera, s.selection.clone()));
    let back = run(opened, [Action::Undo]);
    assert_eq!(back.scenario, before.scenario, "the work open before the link is one undo away");
}

#[test]
fn ids_set_in_place_are_followed_and_a_job_keeps_its_place_when_its_kind_changes() {
    // A transit gateway attachment renamed in the inspector: its routes follow (RT-9).
    let doc = vpcsim_core::scenario::parse(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/scenarios/routing/rt-09-transit-gateway-routes.json"))
            .unwrap(),
    )
    .unwrap();
    let att = doc.network.transit_gateways[0].attachments[0].id.clone();
    let routed = doc.network.transit_gateways[0].routes.iter().filter(|r| r.attachment.as_deref() == Some(att.as_str())).count();
    let s = run(
        Rc::new(AppState::with_scenario(doc)),
        [Action::Edit(Edit::Set { pointer: "/network/transit_gateways/0/attachments/0/id".into(), value: json!("tgw-attach-renamed") })],
    );
    let tgw = &s.scenario.network.transit_gateways[0];
    assert_eq!(tgw.attachments[0].id, "tgw-attach-renamed");
    assert_eq!(tgw.routes.iter().filter(|r| r.attachment.as_deref() == Some("tgw-attach-renamed")).count(), routed);
    let (_, diags) = Network::build(&s.scenario);
    assert!(diags.iter().all(|d| d.severity != vpcsim_core::Severity::Error), "{diags:?}");

    // A training job switched to processing keeps its layout hint and its probes.
    let s = run(Rc::new(AppState::default()), [add(Palette::TrainingJob)]);
    let name = s.scenario.network.sagemaker.training_jobs[0].name.clone();
    let old_ref = format!("sagemaker:training-job/{name}");
    let mut doc = (*s.scenario).clone();
    doc.layout.insert(old_ref.clone(), vpcsim_core::scenario::LayoutHint { x: 300.0, y: 200.0, w: None, h: None });
    doc.probes.push(vpcsim_core::ProbeDoc {
        from: old_ref.clone(),
        to: "service:s3".into(),
        protocol: "tcp".into(),
        port: Some(443),
        ..Default::default()
    });
    let s = run(
        Rc::new(AppState::with_scenario(doc)),
        [Action::Edit(Edit::Set { pointer: "/network/sagemaker/training_jobs/0/kind".into(), value: json!("processing") })],
    );
    let new_ref = format!("sagemaker:processing-job/{name}");
    assert_eq!(s.scenario.layout.get(&new_ref).map(|h| (h.x, h.y)), Some((300.0, 200.0)));
    assert!(!s.scenario.layout.contains_key(&old_ref));
    assert_eq!(s.scenario.probes.last().unwrap().from, new_ref);
    assert_eq!(s.selection, vec![new_ref]);
}
