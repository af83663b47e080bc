//! The inspector's edits, natively: each one is built the way the inspector builds it
//! (`vpcsim_web::rules`), applied through the reducer, and checked on the resulting
//! document, its diagnostics and its traces.

use serde_json::{json, Value};
use std::rc::Rc;
use vpcsim_core::scenario::{NaclEntryDoc, SgRuleDoc};
use vpcsim_core::trace::Outcome;
use vpcsim_core::{eval, Network};
use vpcsim_web::doc::{Edit, Item, Kind, Palette};
use vpcsim_web::rules::{self, Claim, PeerKind, SgPreset};
use vpcsim_web::state::{Action, AppState};
use yew::Reducible;

fn start() -> Rc<AppState> {
    Rc::new(AppState::default())
}

fn edit(s: Rc<AppState>, e: Edit) -> Rc<AppState> {
    s.reduce(Action::Edit(e))
}

fn set(s: Rc<AppState>, pointer: &str, value: Value) -> Rc<AppState> {
    edit(s, Edit::Set { pointer: pointer.into(), value })
}

fn diags(s: &AppState) -> Vec<vpcsim_core::Diagnostic> {
    Network::build(&s.scenario).1
}

fn probe_outcome(s: &AppState, name: &str) -> Outcome {
    let p = s.scenario.probes.iter().find(|p| p.name == name).cloned().unwrap_or_else(|| panic!("no probe {name}"));
    let (net, _) = Network::build(&s.scenario);
    eval::trace(&net, &p).unwrap_or_else(|d| panic!("{d}")).request.outcome
}

/// Adds a resource from the palette next to `near` and returns its id.
fn add(s: Rc<AppState>, what: Palette, near: &str) -> (Rc<AppState>, String) {
    let s = edit(s, Edit::Add { what, at: None, near: Some(near.into()) });
    let id = s.selection.first().cloned().unwrap_or_default();
    assert!(!id.is_empty(), "{what:?} was not added: {:?}", s.notice);
    (s, id)
}

#[test]
fn a_cidr_with_host_bits_is_reported_at_the_field_being_typed() {
    let s = start();
    let field = "/network/subnets/0/cidr";
    // Typing, one keystroke at a time, ends on a block with host bits.
    let mut s = s;
    for typed in ["10.0.1.5", "10.0.1.5/2", "10.0.1.5/24"] {
        s = set(s, field, json!(typed));
    }
    assert_eq!(s.scenario.network.subnets[0].cidr, "10.0.1.5/24");
    assert_eq!(s.past.len(), 1, "typing in one field is one undo step");
    let d = diags(&s);
    let at_field = rules::diagnostics_under(&d, field);
    assert!(at_field.iter().any(|d| d.code == "cidr-host-bits"), "{d:?}");
    let host_bits = d.iter().find(|d| d.code == "cidr-host-bits").map(rules::diagnostic_pointer);
    assert_eq!(host_bits.as_deref(), Some(field), "the diagnostic names the field's pointer");
    // The field claims it, so it is not repeated at the top of the inspector.
    assert!(rules::unclaimed(&d, "/network/subnets/0", &[Claim::Under(field.into())]).iter().all(|x| x.code != "cidr-host-bits"));
    assert!(rules::unclaimed(&d, "/network/subnets/0", &[]).iter().any(|x| x.code == "cidr-host-bits"));
    // Fixing it clears the field.
    let s = set(s, field, json!("10.0.1.0/24"));
    assert!(rules::diagnostics_under(&diags(&s), field).is_empty());
}

#[test]
fn adding_an_ssh_rule_lets_the_worked_examples_ssh_probe_through() {
    let s = start();
    assert_eq!(probe_outcome(&s, "SSH from the web app"), Outcome::Dropped);
    let sg = s.scenario.network.security_groups.iter().position(|g| g.id == "sg-endpoint").unwrap_or(usize::MAX);
    let list = format!("/network/security_groups/{sg}/inbound");
    // "Add inbound rule", then the SSH preset, then the web app's group as the source.
    let s = edit(
        s,
        Edit::Insert { pointer: list.clone(), index: None, value: rules::new_sg_rule(&AppState::default().scenario, "vpc-ml", false) },
    );
    let k = s.scenario.network.security_groups[sg].inbound.len() - 1;
    let row = format!("{list}/{k}");
    let rule = s.scenario.network.security_groups[sg].inbound[k].clone();
    let s = edit(s, rules::set_row(&row, &SgPreset::Ssh.apply(&rule)).unwrap_or_else(|| panic!("no edit")));
    let rule = s.scenario.network.security_groups[sg].inbound[k].clone();
    assert_eq!((rule.protocol.as_str(), rule.ports.as_deref()), ("tcp", Some("22")));
    // Still from the VPC block: already enough.
    assert_eq!(probe_outcome(&s, "SSH from the web app"), Outcome::Delivered);
    let s = edit(s, rules::set_row(&row, &PeerKind::Sg.apply(&rule, "sg-web")).unwrap_or_else(|| panic!("no edit")));
    let rule = &s.scenario.network.security_groups[sg].inbound[k];
    assert_eq!((rule.sg.as_deref(), rule.cidr.as_deref()), (Some("sg-web"), None), "one peer only");
    assert_eq!(probe_outcome(&s, "SSH from the web app"), Outcome::Delivered);
    assert!(diags(&s).is_empty(), "{:?}", diags(&s));
    // Undo restores the drop.
    let s = s.reduce(Action::Undo).reduce(Action::Undo).reduce(Action::Undo);
    assert_eq!(probe_outcome(&s, "SSH from the web app"), Outcome::Dropped);
}

#[test]
fn presets_fill_protocol_and_ports_and_are_recognised() {
    let base = SgRuleDoc {
        protocol: "tcp".into(),
        ports: Some("8080".into()),
        cidr: Some("10.0.0.0/16".into()),
        description: "x".into(),
        ..SgRuleDoc::default()
    };
    assert_eq!(SgPreset::detect(&base), SgPreset::CustomTcp);
    for p in SgPreset::ALL {
        let r = p.apply(&base);
        assert_eq!(SgPreset::detect(&r), p, "{p:?} → {r:?}");
        assert_eq!((r.cidr.as_deref(), r.description.as_str()), (Some("10.0.0.0/16"), "x"), "the peer and description are kept");
        if let Some((protocol, port)) = p.fixed() {
            assert_eq!(r.protocol, protocol);
            assert_eq!(r.ports, port.map(|x| x.to_string()));
        }
    }
    assert_eq!(SgPreset::Dns.apply(&base).protocol, "udp");
    assert_eq!(SgPreset::AllTraffic.apply(&base).ports, None);
    // Custom TCP from SSH opens the range so that the row no longer reads "SSH".
    let ssh = SgPreset::Ssh.apply(&base);
    assert_eq!(SgPreset::CustomTcp.apply(&ssh).ports.as_deref(), Some("0-65535"));
    assert_eq!(SgPreset::CustomTcp.apply(&base).ports.as_deref(), Some("8080"), "a custom port is kept");
    // The protocol menu drops fields the protocol ignores (SG-15).
    let icmp = rules::sg_with_protocol(&base, "icmp");
    assert_eq!((icmp.protocol.as_str(), icmp.ports.clone()), ("icmp", None));
    assert_eq!(rules::sg_with_protocol(&base, "udp").ports.as_deref(), Some("8080"));
    assert_eq!(rules::sg_with_protocol(&base, "other").protocol, "50");
}

#[test]
fn associating_a_subnet_with_a_nacl_removes_it_from_the_previous_one() {
    let s = start();
    let (s, a) = add(s, Palette::NetworkAcl, "vpc-ml");
    let (s, b) = add(s, Palette::NetworkAcl, "vpc-ml");
    let idx = |s: &AppState, id: &str| s.scenario.network.network_acls.iter().position(|x| x.id == id).unwrap_or(usize::MAX);
    let (ia, ib) = (idx(&s, &a), idx(&s, &b));
    let e = rules::association_edit(&s.scenario, Kind::NetworkAcl, ia, "subnet-private", true).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(e, Some(Edit::Insert { .. })), "a free subnet is inserted: {e:?}");
    let s = edit(s, e.unwrap_or_else(|| panic!()));
    assert_eq!(s.scenario.network.network_acls[ia].subnets, vec!["subnet-private"]);
    // Checking it on the other ACL moves it, in one undoable edit.
    let before = s.past.len();
    let e = rules::association_edit(&s.scenario, Kind::NetworkAcl, ib, "subnet-private", true).unwrap_or_else(|e| panic!("{e}"));
    let s = edit(s, e.unwrap_or_else(|| panic!()));
    assert!(s.scenario.network.network_acls[ia].subnets.is_empty(), "removed from the previous ACL");
    assert_eq!(s.scenario.network.network_acls[ib].subnets, vec!["subnet-private"]);
    assert_eq!(s.past.len(), before + 1);
    assert!(diags(&s).iter().all(|d| d.code != "nacl-association-duplicate"), "{:?}", diags(&s));
    assert_eq!(rules::associated_table(&s.scenario, Kind::NetworkAcl, "subnet-private"), Some(ib));
    // Checking it again changes nothing; unchecking removes it.
    assert_eq!(rules::association_edit(&s.scenario, Kind::NetworkAcl, ib, "subnet-private", true), Ok(None));
    let e = rules::association_edit(&s.scenario, Kind::NetworkAcl, ib, "subnet-private", false).unwrap_or_else(|e| panic!("{e}"));
    let s = edit(s, e.unwrap_or_else(|| panic!()));
    assert_eq!(rules::associated_table(&s.scenario, Kind::NetworkAcl, "subnet-private"), None);
    // Undo twice: back with the first ACL.
    let s = s.reduce(Action::Undo).reduce(Action::Undo);
    assert_eq!(s.scenario.network.network_acls[ia].subnets, vec!["subnet-private"]);
    assert!(s.scenario.network.network_acls[ib].subnets.is_empty());
}

#[test]
fn associating_a_subnet_with_a_route_table_removes_it_from_the_previous_one() {
    let s = start();
    assert!(s.scenario.network.route_tables[0].subnets.contains(&"subnet-private-b".to_owned()));
    let (s, t) = add(s, Palette::RouteTable, "vpc-ml");
    let it = s.scenario.network.route_tables.iter().position(|x| x.id == t).unwrap_or(usize::MAX);
    let e = rules::association_edit(&s.scenario, Kind::RouteTable, it, "subnet-private-b", true).unwrap_or_else(|e| panic!("{e}"));
    let s = edit(s, e.unwrap_or_else(|| panic!()));
    assert_eq!(s.scenario.network.route_tables[0].subnets, vec!["subnet-private"]);
    assert_eq!(s.scenario.network.route_tables[it].subnets, vec!["subnet-private-b"]);
    assert!(rules::association_edit(&s.scenario, Kind::Subnet, 0, "x", true).is_err());
}

#[test]
fn a_sixth_security_group_is_refused() {
    let mut s = start();
    let mut sgs = Vec::new();
    for _ in 0..5 {
        let (next, id) = add(s, Palette::SecurityGroup, "vpc-ml");
        s = next;
        sgs.push(id);
    }
    let list = "/network/instances/0/security_groups";
    for sg in sgs.iter().take(4) {
        let current = s.scenario.network.instances[0].security_groups.clone();
        let e = rules::toggle_security_group(list, &current, sg, true).unwrap_or_else(|e| panic!("{e}"));
        s = edit(s, e.unwrap_or_else(|| panic!()));
    }
    assert_eq!(s.scenario.network.instances[0].security_groups.len(), 5);
    let current = s.scenario.network.instances[0].security_groups.clone();
    let sixth = sgs.last().cloned().unwrap_or_default();
    let refused = rules::toggle_security_group(list, &current, &sixth, true);
    assert!(refused.as_ref().is_err_and(|m| m.contains("SG-11") && m.contains(&sixth)), "{refused:?}");
    assert_eq!(s.scenario.network.instances[0].security_groups.len(), 5, "nothing applied");
    assert!(diags(&s).iter().all(|d| d.code != "sg-per-eni-quota"));
    // Unchecking one is always possible, and then the sixth fits.
    let e = rules::toggle_security_group(list, &current, "sg-web", false).unwrap_or_else(|e| panic!("{e}"));
    let s = edit(s, e.unwrap_or_else(|| panic!()));
    let current = s.scenario.network.instances[0].security_groups.clone();
    assert!(rules::toggle_security_group(list, &current, &sixth, true).is_ok_and(|e| e.is_some()));
    // The quota applies to SageMaker VpcConfigs too (same helper, their pointer).
    let five: Vec<String> = (1..=5).map(|n| format!("sg-{n}")).collect();
    assert!(rules::toggle_security_group("/network/sagemaker/endpoints/0/vpc_config/security_groups", &five, "sg-6", true).is_err());
}

#[test]
fn nacl_numbers_are_sent_as_numbers_and_text_is_refused() {
    let s = start();
    let (s, acl) = add(s, Palette::NetworkAcl, "vpc-ml");
    let i = s.scenario.network.network_acls.iter().position(|x| x.id == acl).unwrap_or(usize::MAX);
    let list = format!("/network/network_acls/{i}/inbound");
    let s = edit(s, Edit::Insert { pointer: list.clone(), index: None, value: rules::new_nacl_entry(&[]) });
    let second = rules::new_nacl_entry(&s.scenario.network.network_acls[i].inbound);
    let s = edit(s, Edit::Insert { pointer: list.clone(), index: None, value: second });
    let numbers: Vec<i64> = s.scenario.network.network_acls[i].inbound.iter().map(|e| e.rule).collect();
    assert_eq!(numbers, vec![100, 110]);
    // What the number input sends: a JSON number when the text parses.
    assert_eq!(rules::parse_rule_number(" 120 "), Ok(120));
    assert!(rules::parse_rule_number("12a").is_err_and(|m| m.contains("whole number 1-32766")));
    assert!(rules::parse_rule_number("40000").is_err());
    assert!(rules::parse_rule_number("0").is_err());
    assert_eq!(rules::parse_icmp(""), Ok(None));
    assert_eq!(rules::parse_icmp("-1"), Ok(Some(-1)));
    assert!(rules::parse_icmp("256").is_err());
    let rule = format!("{list}/1/rule");
    let s = set(s, &rule, Value::from(rules::parse_rule_number("120").unwrap_or(0)));
    assert_eq!(s.scenario.network.network_acls[i].inbound[1].rule, 120);
    // Text would break the document's shape: refused, the last valid value stays.
    let s = set(s, &rule, json!("12a"));
    assert_eq!(s.scenario.network.network_acls[i].inbound[1].rule, 120);
    assert!(s.notice.as_ref().is_some_and(|n| n.error));
    // ICMP type emptied: the field is removed (all types).
    let entry = format!("{list}/0");
    let to_icmp = rules::set_row(&entry, &rules::nacl_with_protocol(&s.scenario.network.network_acls[i].inbound[0], "icmp"));
    let s = edit(s, to_icmp.unwrap_or_else(|| panic!()));
    let s = set(s, &format!("{entry}/icmp_type"), json!(8));
    assert_eq!(s.scenario.network.network_acls[i].inbound[0].icmp_type, Some(8));
    let s = set(s, &format!("{entry}/icmp_type"), Value::Null);
    assert_eq!(s.scenario.network.network_acls[i].inbound[0].icmp_type, None);
    assert!(diags(&s).is_empty(), "{:?}", diags(&s));
}

#[test]
fn moving_a_nacl_entry_swaps_rule_numbers_and_shadowing_follows() {
    let s = start();
    let (s, acl) = add(s, Palette::NetworkAcl, "vpc-ml");
    let i = s.scenario.network.network_acls.iter().position(|x| x.id == acl).unwrap_or(usize::MAX);
    let list = format!("/network/network_acls/{i}/inbound");
    let entries = json!([
        {"rule": 100, "action": "allow", "protocol": "tcp", "ports": "22", "cidr": "10.0.0.0/16"},
        {"rule": 200, "action": "deny", "protocol": "all", "cidr": "0.0.0.0/0"},
        {"rule": 300, "action": "allow", "protocol": "tcp", "ports": "443", "cidr": "0.0.0.0/0"}
    ]);
    let s = set(s, &list, entries);
    let acl_doc = &s.scenario.network.network_acls[i];
    // Rule 300 is shadowed by the deny-all at 200 (analysis lives in the core).
    let shadows = vpcsim_core::analysis::shadowed_nacl_entries(&acl_doc.inbound);
    assert_eq!(shadows.iter().map(|x| (x.index, x.by.clone())).collect::<Vec<_>>(), vec![(2, vec![1])]);
    // "Move rule 300 up": it takes number 200 and the deny moves after it.
    let e = rules::move_nacl_entry(&list, &acl_doc.inbound, 2, true).unwrap_or_else(|| panic!("no move"));
    let s = edit(s, e);
    let inbound: &Vec<NaclEntryDoc> = &s.scenario.network.network_acls[i].inbound;
    assert_eq!(inbound.iter().map(|e| e.rule).collect::<Vec<_>>(), vec![100, 300, 200]);
    assert_eq!(rules::evaluation_order(inbound), vec![0, 2, 1]);
    assert!(vpcsim_core::analysis::shadowed_nacl_entries(inbound).is_empty());
    // At the ends there is nothing to move.
    assert!(rules::move_nacl_entry(&list, inbound, 0, true).is_none());
    assert!(rules::move_nacl_entry(&list, inbound, 1, false).is_none());
    // Security group rules and routes move by position.
    assert_eq!(rules::move_row("/x", 3, 1, true), Some(Edit::Reorder { pointer: "/x".into(), from: 1, to: 0 }));
    assert_eq!(rules::move_row("/x", 3, 2, false), None);
    assert_eq!(rules::next_rule_number(inbound), 310);
}

#[test]
fn diagnostics_of_vpc_configs_land_on_their_fields() {
    let s = start();
    let ep = "/network/sagemaker/endpoints/0/vpc_config";
    // Typing a subnet that does not exist into the VpcConfig's list.
    let s = set(s, &format!("{ep}/subnets/1"), json!("subnet-nope"));
    let d = diags(&s);
    let here = rules::diagnostics_under(&d, &format!("{ep}/subnets"));
    assert!(!here.is_empty(), "{d:?}");
    assert!(d.iter().all(|x| !rules::diagnostic_pointer(x).starts_with("/network/sagemaker/endpoints/0/subnets")));
}

#[test]
fn policy_errors_are_located_and_nothing_is_applied() {
    let err = rules::parse_policy("{\n  \"Version\": \n}").unwrap_err();
    assert!(err.contains("line 3"), "{err}");
    assert!(rules::parse_policy("[1]").is_err());
    assert_eq!(rules::parse_policy("  "), Ok(None));
    let s = start();
    let pointer = "/network/vpc_endpoints/1/policy";
    let before = s.scenario.clone();
    // Applying an empty policy removes it (full access, EP-10).
    let s = set(s, pointer, rules::parse_policy("").map(|v| v.unwrap_or(Value::Null)).unwrap_or_default());
    assert!(s.scenario.network.vpc_endpoints[1].policy.is_none());
    assert_ne!(*s.scenario, *before);
}

#[test]
fn renaming_an_id_renames_its_references() {
    let s = start();
    let s = edit(s, Edit::Rename { item: Item::new(Kind::SecurityGroup, "sg-web"), to: "sg-app".into() });
    let n = &s.scenario.network;
    assert!(n.security_groups.iter().any(|g| g.id == "sg-app"));
    assert_eq!(n.instances[0].security_groups, vec!["sg-app"]);
    assert!(n.security_groups.iter().flat_map(|g| &g.inbound).filter_map(|r| r.sg.as_deref()).all(|x| x == "sg-app"));
    assert!(diags(&s).is_empty());
}

#[test]
fn pickers_offer_the_right_ids() {
    let s = start();
    let doc = &s.scenario;
    let sgs: Vec<String> = rules::sg_choices(doc, Some("vpc-ml")).into_iter().map(|(id, _)| id).collect();
    assert_eq!(sgs, vec!["sg-web", "sg-endpoint", "sg-runtime-vpce"]);
    let targets: Vec<String> = rules::route_targets(doc, "vpc-ml").into_iter().map(|(id, _)| id).collect();
    assert!(targets.starts_with(&["local".to_owned()]));
    assert!(targets.contains(&"vpce-s3".to_owned()) && targets.contains(&"i-web".to_owned()) && targets.contains(&"eni-i-web".to_owned()));
    assert_eq!(rules::vpc_of(doc, &Item::new(Kind::Endpoint, "churn-model")).as_deref(), Some("vpc-ml"));
    assert_eq!(rules::subnet_choices(doc, Some("vpc-ml")).len(), 2);
    assert!(rules::prefix_list_choices(doc).iter().any(|(id, _)| id == "pl-s3"));
    // A peered VPC's groups are offered to rules (SG-16, SG-17).
    let (s, vpc2) = add(s, Palette::Vpc, "vpc-ml");
    let (s, sg2) = add(s, Palette::SecurityGroup, &vpc2);
    assert!(!rules::sg_choices(&s.scenario, Some("vpc-ml")).iter().any(|(id, _)| *id == sg2));
    let (s, _) = add(s, Palette::Peering, "vpc-ml");
    assert!(rules::sg_choices(&s.scenario, Some("vpc-ml")).iter().any(|(id, _)| *id == sg2));
}

#[test]
fn a_new_route_targets_the_internet_gateway() {
    let s = start();
    let (s, igw) = add(s, Palette::InternetGateway, "vpc-ml");
    let s = edit(
        s,
        Edit::Insert {
            pointer: "/network/route_tables/0/routes".into(),
            index: None,
            value: rules::new_route(&AppState::default().scenario, "vpc-ml"),
        },
    );
    // Made from the older document: it targets the first target there, a valid one.
    assert!(!s.scenario.network.route_tables[0].routes[0].target.is_empty());
    let v = rules::new_route(&s.scenario, "vpc-ml");
    assert_eq!(v.get("target").and_then(Value::as_str), Some(igw.as_str()));
}
