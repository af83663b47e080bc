//! The reachability matrix (`vpcsim_core::reach`) against brute force.
//!
//! - `matrix_agrees_with_the_oracle_on_every_port`: on generated networks
//!   (`tests/src/gen.rs`), for every pair of ends the oracle knows (instances, NAT
//!   gateways, `internet`), every TCP and UDP port 0-65535 and ICMP echo are answered by
//!   the naive oracle (`tests/src/oracle.rs`, which shares no code with the core); the set
//!   of reachable ports must equal the union of the matrix's ranges, exactly.
//! - `matrix_agrees_with_the_oracle_on_sampled_ports`: the same on more networks, at
//!   every boundary of every rule of the document, both its neighbours and every 257th
//!   port (a superset of the matrix's class edges, found without the core).
//! - `gallery_probes_agree_with_the_matrix`: every probe of every gallery scenario that a
//!   cell covers gets the matrix's answer from the evaluator.
//! - hand-checked cells of three gallery scenarios.
//! - `bench_matrix_500_enis` (`#[ignore]`): the timing of the benchmark network.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "an integration test: helpers may fail loudly")]

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use vpcsim_core::addr::PortRange;
use vpcsim_core::model::Node;
use vpcsim_core::reach::{reachability, reachability_by_traces, Allowed, Engine, Matrix, Update};
use vpcsim_core::{Network, Scenario};
use vpcsim_tests::gen::{self, GenScenario};
use vpcsim_tests::oracle::World;

/// Generated networks compared on every port. Each costs (ends²) x 131,074 oracle
/// answers, about 45 s in the dev profile; 12 cases passed once (535 s).
const NETWORKS_EVERY_PORT: u32 = 2;

/// Generated networks compared on sampled ports (every rule boundary of the document
/// and both its neighbours, plus every 257th port).
const NETWORKS_SAMPLED: u32 = 64;

/// The ports of one protocol that a cell allows.
fn allowed_ports(allowed: &[Allowed], protocol: &str) -> Vec<bool> {
    let mut open = vec![false; 65536];
    for a in allowed.iter().filter(|a| a.protocol == protocol) {
        let r = PortRange::parse(a.ports.as_deref().expect("tcp and udp classes have ports")).expect("a valid range");
        for p in r.from()..=r.to() {
            open[usize::from(p)] = true;
        }
    }
    open
}

fn oracle_reachable(world: &World, probe: &Value) -> Result<bool, String> {
    let a = world.answer(probe)?;
    Ok(a.request != "dropped" && a.response != Some("dropped"))
}

/// The ends the oracle can name in a generated document: instances, NAT gateways, `internet`.
fn oracle_ends(doc: &Value) -> Vec<String> {
    let mut ends = Vec::new();
    for key in ["instances", "nat_gateways"] {
        for r in doc["network"][key].as_array().into_iter().flatten() {
            ends.push(r["id"].as_str().unwrap().to_owned());
        }
    }
    ends.push("internet".into());
    ends
}

/// Every port the sample holds: 0, 65535, the default source port and its neighbours,
/// every 257th port, and for every `ports` field of the document (read here, not by the
/// core) each end of the range and both neighbours of each end.
fn sampled_ports(doc: &Value) -> Vec<u16> {
    fn walk(v: &Value, out: &mut BTreeSet<u16>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if let (true, Some(text)) = (k == "ports", x.as_str()) {
                        let ends: Vec<u16> = text.split('-').filter_map(|p| p.trim().parse().ok()).collect();
                        for e in ends {
                            out.extend([e.saturating_sub(1), e, e.saturating_add(1)]);
                        }
                    }
                    walk(x, out);
                }
            }
            Value::Array(xs) => xs.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out: BTreeSet<u16> = [0, 1, 25, 26, 49151, 49152, 49153, 65534, 65535].into();
    out.extend((0..=u16::MAX).step_by(257));
    walk(doc, &mut out);
    out.into_iter().collect()
}

fn compare(case: &GenScenario, ports: &[u16]) -> Result<usize, TestCaseError> {
    let scenario: Scenario = serde_json::from_value(case.0.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let (net, _) = Network::build(&scenario);
    let world = World::from_json(&case.0).map_err(TestCaseError::fail)?;
    let matrix = reachability(&net);
    let ends = oracle_ends(&case.0);
    let mut compared = 0;
    for from in &ends {
        for to in &ends {
            if from == to {
                continue;
            }
            let cell = matrix.cell(from, to);
            prop_assert!(cell.is_some(), "no cell {} -> {}", from, to);
            let allowed = cell.unwrap().allowed;
            for protocol in ["tcp", "udp"] {
                let open = allowed_ports(allowed, protocol);
                for &port in ports {
                    let probe = json!({"from": from, "to": to, "protocol": protocol, "port": port});
                    let oracle = oracle_reachable(&world, &probe).map_err(TestCaseError::fail)?;
                    prop_assert_eq!(
                        open[usize::from(port)],
                        oracle,
                        "{} -> {} {}/{}: matrix left, oracle right; cell {:?}",
                        from,
                        to,
                        protocol,
                        port,
                        allowed
                    );
                }
            }
            let oracle = oracle_reachable(&world, &json!({"from": from, "to": to, "protocol": "icmp"})).map_err(TestCaseError::fail)?;
            prop_assert_eq!(allowed.iter().any(|a| a.protocol == "icmp"), oracle, "{} -> {} icmp echo", from, to);
            compared += 1;
        }
    }
    Ok(compared)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        max_shrink_iters: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::SourceParallel("proptest-regressions"))),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(NETWORKS_EVERY_PORT))]

    #[test]
    fn matrix_agrees_with_the_oracle_on_every_port(case in gen::scenario()) {
        let every: Vec<u16> = (0..=u16::MAX).collect();
        let n = compare(&case, &every)?;
        prop_assert!(n > 0);
    }
}

proptest! {
    #![proptest_config(config(NETWORKS_SAMPLED))]

    #[test]
    fn matrix_agrees_with_the_oracle_on_sampled_ports(case in gen::scenario()) {
        let ports = sampled_ports(&case.0);
        let n = compare(&case, &ports)?;
        prop_assert!(n > 0);
    }
}

/// Networks on which the fast path (bit masks over packet classes) is compared with
/// tracing every class of every pair.
const NETWORKS_FAST_VS_TRACES: u32 = 64;

/// The fast path and the per-class traces agree cell for cell; `fast_pairs` says how
/// many pairs took the fast path, so a test can insist that it was exercised.
fn fast_equals_traces(net: &Network, what: &str) -> usize {
    let fast = reachability(net);
    let slow = reachability_by_traces(net);
    assert_eq!(fast.sources, slow.sources, "{what}: sources");
    assert_eq!(fast.destinations, slow.destinations, "{what}: destinations");
    assert_eq!(fast.pairs.len(), slow.pairs.len(), "{what}: pairs");
    for (a, b) in fast.cells().zip(slow.cells()) {
        assert_eq!(a, b, "{what}: fast path left, traces right");
    }
    assert_eq!(slow.fast_pairs, 0);
    fast.fast_pairs
}

/// Every scenario of the corpus: the fast path equals the traces exactly (NACL-2/3/6/7,
/// SG-1/5/9/10/16, RT-2/3, EX-1 all take part somewhere in it).
#[test]
fn fast_path_equals_traces_over_the_corpus() {
    let (mut fast_pairs, mut files) = (0, 0);
    for path in vpcsim_tests::corpus() {
        let loaded = vpcsim_tests::load(&path);
        fast_pairs += fast_equals_traces(&loaded.network, &path.display().to_string());
        files += 1;
    }
    println!("{fast_pairs} pairs took the fast path in {files} files");
    assert!(fast_pairs > 100, "only {fast_pairs} pairs took the fast path");
}

#[test]
fn fast_path_equals_traces_on_random_networks() {
    let fast_pairs = std::cell::Cell::new(0usize);
    let mut runner = proptest::test_runner::TestRunner::new(Config { failure_persistence: None, ..config(NETWORKS_FAST_VS_TRACES) });
    let result = runner.run(&gen::scenario(), |case| {
        let scenario: Scenario = serde_json::from_value(case.0.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (net, _) = Network::build(&scenario);
        fast_pairs.set(fast_pairs.get() + fast_equals_traces(&net, &format!("generated network {}", case.0)));
        Ok(())
    });
    result.unwrap();
    println!("{} pairs took the fast path in {NETWORKS_FAST_VS_TRACES} networks", fast_pairs.get());
    assert!(fast_pairs.get() > 0, "the generator never made a pair for the fast path");
}

/// More than 512 packet classes (300 separate TCP ports): the fast path's masks are
/// wider than its unrolled widths and take its general loops, which must agree too.
#[test]
fn fast_path_equals_traces_with_wide_masks() {
    let rules: Vec<Value> =
        (0..300u16).map(|k| json!({"protocol": "tcp", "ports": format!("{}", 2000 + 3 * k), "cidr": "10.0.0.0/16"})).collect();
    let doc = json!({"vpcsim": 1, "network": {
        "vpcs": [{"id": "vpc-1", "cidr_blocks": ["10.0.0.0/16"]}],
        "subnets": [{"id": "subnet-a", "vpc": "vpc-1", "cidr": "10.0.1.0/24"}, {"id": "subnet-b", "vpc": "vpc-1", "cidr": "10.0.2.0/24"}],
        "network_acls": [{"id": "acl-b", "vpc": "vpc-1", "subnets": ["subnet-b"],
            "inbound": [{"rule": 100, "action": "deny", "protocol": "tcp", "ports": "2100-2200", "cidr": "10.0.1.0/24"}, {"rule": 200, "action": "allow", "protocol": "all", "cidr": "0.0.0.0/0"}],
            "outbound": [{"rule": 100, "action": "allow", "protocol": "tcp", "ports": "1024-65535", "cidr": "10.0.0.0/16"}]}],
        "security_groups": [{"id": "sg-wide", "vpc": "vpc-1", "inbound": rules, "outbound": [{"protocol": "all", "cidr": "0.0.0.0/0"}]}],
        "instances": [
            {"id": "i-a", "subnet": "subnet-a", "security_groups": ["sg-wide"]},
            {"id": "i-a2", "subnet": "subnet-a", "security_groups": ["sg-wide"]},
            {"id": "i-b", "subnet": "subnet-b", "security_groups": ["sg-wide"]}]
    }});
    let net = build(&doc);
    let m = reachability(&net);
    let cell = m.cell("i-a", "i-a2").map(|c| c.allowed.len()).unwrap_or(0);
    assert!(cell >= 300, "one range per port: {cell}");
    assert!(fast_equals_traces(&net, "300 ports") >= 6);
}

// ----- incremental updates -----

fn build(doc: &Value) -> Network {
    let scenario: Scenario = serde_json::from_value(doc.clone()).expect("a scenario");
    Network::build(&scenario).0
}

fn same_cells(a: &Matrix, b: &Matrix, what: &str) {
    assert_eq!(a.pairs.len(), b.pairs.len(), "{what}: pairs");
    for (x, y) in a.cells().zip(b.cells()) {
        assert_eq!(x, y, "{what}: incremental left, from scratch right");
    }
}

/// One rule edit in a document's group or ACL `id` (`choice` picks which): remove a rule,
/// add one on an existing port range for everyone, add one on a fresh port range, flip
/// an ACL entry's action, or widen a rule's block. Returns `false` when there was nothing
/// to edit.
fn edit_rules(doc: &mut Value, key: &str, index: usize, choice: u32) -> bool {
    let Some(res) = doc["network"][key].get_mut(index) else { return false };
    let dir = if choice.is_multiple_of(2) { "inbound" } else { "outbound" };
    let Some(rules) = res.get_mut(dir).and_then(Value::as_array_mut) else { return false };
    let acl = key == "network_acls";
    let fresh_number = |rules: &[Value]| (1..32766u64).rev().find(|n| rules.iter().all(|r| r["rule"].as_u64() != Some(*n))).unwrap_or(1);
    match (choice / 2) % 5 {
        0 if !rules.is_empty() => {
            rules.remove(0);
        }
        1 if !rules.is_empty() => {
            let mut copy = rules[rules.len() / 2].clone();
            let m = copy.as_object_mut().unwrap();
            m.remove("sg");
            m.remove("prefix_list");
            m.insert("cidr".into(), json!("0.0.0.0/0"));
            if acl {
                m.insert("rule".into(), json!(fresh_number(rules)));
            }
            rules.insert(0, copy);
        }
        2 => {
            let mut r = json!({"protocol": "tcp", "ports": "1234-2345", "cidr": "10.0.0.0/8"});
            if acl {
                r["rule"] = json!(fresh_number(rules));
                r["action"] = json!("allow");
            }
            rules.insert(0, r);
        }
        3 if acl && !rules.is_empty() => {
            let a = if rules[0]["action"] == "deny" { "allow" } else { "deny" };
            rules[0]["action"] = json!(a);
        }
        _ if !rules.is_empty() => {
            let m = rules[0].as_object_mut().unwrap();
            m.remove("sg");
            m.remove("prefix_list");
            m.insert("cidr".into(), json!("10.0.0.0/8"));
        }
        _ => return false,
    }
    true
}

/// Applies one edit and checks the engine's update against a fresh matrix. Returns
/// whether the update was incremental.
fn check_update(before: &Value, key: &str, index: usize, choice: u32, what: &str) -> Option<bool> {
    check_updates(before, key, index, &[choice], what)
}

/// [`check_update`] for several edits of one group or ACL at once.
fn check_updates(before: &Value, key: &str, index: usize, choices: &[u32], what: &str) -> Option<bool> {
    let edits: Vec<(&str, usize, u32)> = choices.iter().map(|c| (key, index, *c)).collect();
    check_edits(before, &edits, what)
}

/// Applies `edits` ((key, index, choice), see [`edit_rules`]) and updates the engine with
/// every edited group and ACL at once, then checks it against a fresh matrix.
fn check_edits(before: &Value, edits: &[(&str, usize, u32)], what: &str) -> Option<bool> {
    let mut after = before.clone();
    let (mut ids, mut seen) = (Vec::new(), std::collections::BTreeSet::new());
    for (key, index, choice) in edits {
        if !edit_rules(&mut after, key, *index, *choice) {
            return None;
        }
        if seen.insert((*key, *index)) {
            ids.push(after["network"][*key][*index]["id"].as_str()?.to_owned());
        }
    }
    let (old, new) = (build(before), build(&after));
    let mut engine = Engine::new(&old);
    let (mut sgs, mut acls) = (Vec::new(), Vec::new());
    for id in &ids {
        match new.node(id) {
            Some(Node::Sg(g)) => sgs.push(g),
            Some(Node::Nacl(a)) => acls.push(a),
            other => panic!("{what}: `{id}` is {other:?}"),
        }
    }
    let update = engine.update_rules(&new, &sgs, &acls);
    same_cells(engine.matrix(), &reachability(&new), &format!("{what}: edits {edits:?}"));
    Some(matches!(update, Update::Incremental { .. }))
}

/// Every group and ACL of every corpus scenario, each kind of edit: the engine's update
/// equals the matrix computed from scratch.
#[test]
fn incremental_updates_equal_a_fresh_matrix_over_the_corpus() {
    let (mut incremental, mut rebuilt) = (0, 0);
    for path in vpcsim_tests::corpus() {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for key in ["security_groups", "network_acls"] {
            let n = doc["network"][key].as_array().map_or(0, Vec::len);
            for index in 0..n {
                for choice in [0, 3, 4, 7, 8] {
                    match check_update(&doc, key, index, choice, &path.display().to_string()) {
                        Some(true) => incremental += 1,
                        Some(false) => rebuilt += 1,
                        None => {}
                    }
                }
            }
        }
    }
    println!("{incremental} incremental updates, {rebuilt} rebuilds");
    assert!(incremental > 100 && rebuilt > 10, "{incremental} incremental, {rebuilt} rebuilt");
}

/// Both directions of one group edited in one update: a pair whose ends are both members
/// changed on both sides, and is recomputed whatever each side's change alone allows.
#[test]
fn incremental_updates_of_both_directions_equal_a_fresh_matrix() {
    let mut incremental = 0;
    for path in vpcsim_tests::corpus() {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let n = doc["network"]["security_groups"].as_array().map_or(0, Vec::len);
        for index in 0..n {
            for choices in [[0, 1], [2, 3], [8, 9], [0, 9], [8, 1]] {
                if check_updates(&doc, "security_groups", index, &choices, &path.display().to_string()) == Some(true) {
                    incremental += 1;
                }
            }
        }
    }
    assert!(incremental > 100, "{incremental} incremental updates");
}

/// Several groups, or a group and an ACL, edited in one update: one end may carry one
/// changed group and the other end another, in either direction, or sit in a subnet whose
/// ACL changed too.
#[test]
fn incremental_updates_of_several_groups_and_acls_equal_a_fresh_matrix() {
    let mut incremental = 0;
    for path in vpcsim_tests::corpus() {
        let what = path.display().to_string();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let groups = doc["network"]["security_groups"].as_array().map_or(0, Vec::len).min(4);
        let acls = doc["network"]["network_acls"].as_array().map_or(0, Vec::len).min(3);
        for g in 0..groups {
            for h in (0..groups).filter(|h| *h != g) {
                for (c, d) in [(0, 1), (8, 9), (9, 8), (2, 9), (8, 8)] {
                    if check_edits(&doc, &[("security_groups", g, c), ("security_groups", h, d)], &what) == Some(true) {
                        incremental += 1;
                    }
                }
            }
            for a in 0..acls {
                for (c, d) in [(8, 6), (9, 7), (0, 9)] {
                    if check_edits(&doc, &[("security_groups", g, c), ("network_acls", a, d)], &what) == Some(true) {
                        incremental += 1;
                    }
                }
            }
        }
    }
    assert!(incremental > 300, "{incremental} incremental updates");
}

#[test]
fn incremental_updates_of_several_edits_equal_a_fresh_matrix_on_random_networks() {
    let mut runner = proptest::test_runner::TestRunner::new(Config { failure_persistence: None, ..config(48) });
    let incremental = std::cell::Cell::new(0);
    let edits = proptest::collection::vec((any::<bool>(), any::<u32>(), any::<u32>()), 1..5);
    let result = runner.run(&(gen::scenario(), edits), |(case, edits)| {
        let doc = &case.0;
        let mut list: Vec<(&str, usize, u32)> = Vec::new();
        for (acl, which, choice) in edits {
            let key = if acl { "network_acls" } else { "security_groups" };
            let n = doc["network"][key].as_array().map_or(0, Vec::len);
            // One edit per resource and direction.
            if n > 0 && !list.iter().any(|(k, i, c)| *k == key && *i == which as usize % n && c % 2 == choice % 2) {
                list.push((key, which as usize % n, choice));
            }
        }
        if check_edits(doc, &list, &format!("generated {doc}")) == Some(true) {
            incremental.set(incremental.get() + 1);
        }
        Ok(())
    });
    result.unwrap();
    assert!(incremental.get() > 5, "only {} incremental updates", incremental.get());
}

#[test]
fn incremental_updates_equal_a_fresh_matrix_on_random_networks() {
    let mut runner = proptest::test_runner::TestRunner::new(Config { failure_persistence: None, ..config(48) });
    let incremental = std::cell::Cell::new(0);
    let result = runner.run(&(gen::scenario(), any::<u32>(), any::<u32>()), |(case, which, choice)| {
        let key = if which.is_multiple_of(2) { "security_groups" } else { "network_acls" };
        let n = case.0["network"][key].as_array().map_or(0, Vec::len);
        if n > 0 && check_update(&case.0, key, (which as usize / 2) % n, choice, &format!("generated {}", case.0)) == Some(true) {
            incremental.set(incremental.get() + 1);
        }
        Ok(())
    });
    result.unwrap();
    assert!(incremental.get() > 5, "only {} incremental updates", incremental.get());
}

/// The members of a group of the benchmark network.
fn members(doc: &Value, group: &str) -> usize {
    doc["network"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["security_groups"].as_array().unwrap().contains(&json!(group)))
        .count()
}

/// The incremental update is not a full recomputation: an edit that opens all traffic to
/// one group on the benchmark network touches the rows and columns of its members only.
#[test]
fn one_group_edit_recomputes_only_its_members_cells() {
    let before = vpcsim_tests::reach_bench::network();
    let mut after = before.clone();
    after["network"]["security_groups"][7]["inbound"][0] = json!({"protocol": "all", "cidr": "10.0.0.0/16"});
    let (old, new) = (build(&before), build(&after));
    let mut engine = Engine::new(&old);
    let Some(Node::Sg(g)) = new.node("sg-7") else { panic!("sg-7") };
    let update = engine.update_rules(&new, &[g], &[]);
    let members = members(&after, "sg-7");
    let columns = engine.matrix().destinations.len();
    let Update::Incremental { cells } = update else { panic!("{update:?}") };
    assert!(cells <= members * 2 * columns && cells > members * columns / 2, "{cells} cells for {members} members");
    assert!(cells < engine.matrix().pairs.len() / 10);
}

/// A member's pair whose verdict the edit cannot change is not recomputed: removing a
/// rule for a port that the members' senders never let out changes no cell, and the
/// update recomputes almost none of the members' cells.
#[test]
fn an_edit_that_changes_no_flow_recomputes_almost_nothing() {
    let before = vpcsim_tests::reach_bench::network();
    let mut after = before.clone();
    assert!(edit_rules(&mut after, "security_groups", 7, 0));
    let (old, new) = (build(&before), build(&after));
    let mut engine = Engine::new(&old);
    let unchanged: Vec<u32> = engine.matrix().pairs.iter().map(|p| p.set).collect();
    let Some(Node::Sg(g)) = new.node("sg-7") else { panic!("sg-7") };
    let update = engine.update_rules(&new, &[g], &[]);
    let Update::Incremental { cells } = update else { panic!("{update:?}") };
    let columns = engine.matrix().destinations.len();
    assert!(cells < members(&after, "sg-7") * columns / 10, "{cells} cells recomputed");
    assert!(engine.matrix().pairs.iter().map(|p| p.set).eq(unchanged), "the edit changed some cell");
}

fn gallery(name: &str) -> (Scenario, Network, Matrix) {
    let loaded = vpcsim_tests::load(&vpcsim_tests::scenarios_dir().join("gallery").join(format!("{name}.json")));
    let matrix = reachability(&loaded.network);
    (loaded.scenario, loaded.network, matrix)
}

fn cell_text(m: &Matrix, from: &str, to: &str) -> Vec<String> {
    let c = m.cell(from, to).unwrap_or_else(|| panic!("no cell {from} -> {to}"));
    c.allowed
        .iter()
        .map(|a| match &a.ports {
            Some(p) => format!("{} {p}", a.protocol),
            None => a.protocol.to_string(),
        })
        .collect()
}

#[test]
fn gallery_probes_agree_with_the_matrix() {
    let mut checked = 0;
    for entry in std::fs::read_dir(vpcsim_tests::scenarios_dir().join("gallery")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let (scenario, net, matrix) = gallery(&name);
        for probe in &scenario.probes {
            // The matrix assumes the default source port, IPv4, echo for ICMP, no API call.
            if probe.src_port.is_some() || probe.ip_version.is_some_and(|v| v != 4) || probe.api.is_some() {
                continue;
            }
            let Some(cell) = matrix.cell(&probe.from, &probe.to) else { continue };
            let protocol = probe.protocol.to_ascii_lowercase();
            let in_matrix = match protocol.as_str() {
                "tcp" | "udp" => {
                    let port = probe.port.unwrap();
                    cell.allowed.iter().any(|a| {
                        a.protocol == protocol
                            && a.ports.as_deref().and_then(|p| PortRange::parse(p).ok()).is_some_and(|r| r.contains(port))
                    })
                }
                "icmp" if probe.icmp_type.unwrap_or(8) == 8 && probe.icmp_code.unwrap_or(0) == 0 => {
                    cell.allowed.iter().any(|a| a.protocol == "icmp")
                }
                _ => continue,
            };
            let traced = vpcsim_core::trace(&net, probe).unwrap();
            assert_eq!(
                in_matrix, traced.reachable,
                "{name}: probe {} {} -> {} {protocol}/{:?}",
                probe.name, probe.from, probe.to, probe.port
            );
            // The representative probe of the class is answered the same way.
            let rep = matrix.representative(&probe.from, &probe.to, &protocol, probe.port);
            assert_eq!(vpcsim_core::trace(&net, &rep).unwrap().reachable, traced.reachable, "{name}: representative of {}", probe.name);
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} gallery probes checked");
}

/// Every scenario of the corpus (endpoints, services, SageMaker, transit gateways, which
/// the oracle does not model): at every rule boundary of the document and both its
/// neighbours, the evaluator's own verdict equals the matrix's.
#[test]
fn corpus_boundaries_agree_with_the_evaluator() {
    let mut traced = 0usize;
    for path in vpcsim_tests::corpus() {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let loaded = vpcsim_tests::load(&path);
        let matrix = reachability(&loaded.network);
        let mut ports: BTreeSet<u16> = [0, 65535].into();
        ports.extend(sampled_ports(&doc).into_iter().filter(|p| p % 257 != 0 || *p == 0));
        for cell in matrix.cells() {
            for protocol in ["tcp", "udp"] {
                let open = allowed_ports(cell.allowed, protocol);
                for &port in &ports {
                    let probe = vpcsim_core::ProbeDoc {
                        from: cell.from.to_owned(),
                        to: cell.to.to_owned(),
                        protocol: protocol.into(),
                        port: Some(port),
                        ..Default::default()
                    };
                    let t = vpcsim_core::trace(&loaded.network, &probe).unwrap();
                    assert_eq!(open[usize::from(port)], t.reachable, "{}: {} -> {} {protocol}/{port}", path.display(), cell.from, cell.to);
                    traced += 1;
                }
            }
        }
    }
    assert!(traced > 10_000, "only {traced} probes traced");
}

#[test]
fn worked_example_cells() {
    let (_, _, m) = gallery("worked-example");
    // SG-8: sg-endpoint admits only tcp/443 from sg-web; the endpoint's NACL and the
    // response leg allow it (NACL-6).
    assert_eq!(cell_text(&m, "i-web", "sagemaker:endpoint/churn-model"), ["tcp 443"]);
    // Nothing is open from the internet.
    for to in ["i-web", "sagemaker:endpoint/churn-model"] {
        assert!(cell_text(&m, "internet", to).is_empty(), "internet -> {to}");
    }
    // SG-20: port 25 to a public address is held back by EC2 whatever the groups say.
    assert_eq!(cell_text(&m, "i-web", "service:s3"), ["tcp 0-24", "tcp 26-65535"]);
}

#[test]
fn stateful_vs_stateless_cells() {
    let (_, _, m) = gallery("stateful-vs-stateless");
    assert_eq!(cell_text(&m, "i-client", "i-model-sg"), ["tcp 443"]);
    assert_eq!(cell_text(&m, "i-client", "i-model-nacl"), ["tcp 443"]);
    // Nothing is initiated the other way.
    assert!(cell_text(&m, "i-model-sg", "i-client").is_empty());
    assert!(cell_text(&m, "i-model-nacl", "i-client").is_empty());
}

#[test]
fn return_traffic_blocked_cells() {
    let (_, _, m) = gallery("return-traffic-blocked");
    // NACL-6: the request is allowed but the response to port 49152 is not, so the cell
    // is empty; the fixed subnet allows the response.
    assert!(cell_text(&m, "i-analyst", "i-features").is_empty());
    assert_eq!(cell_text(&m, "i-analyst", "i-features-fixed"), ["tcp 443"]);
}

/// `cargo test -p vpcsim-tests --release --test reach -- --ignored --nocapture`, or
/// `cargo run --release -p vpcsim-tests --bin vpcsim-reach-bench` (no dev-dependencies).
#[test]
#[ignore = "a benchmark: run with --release --ignored --nocapture"]
fn bench_matrix_500_enis() {
    let scenario: Scenario = serde_json::from_value(vpcsim_tests::reach_bench::network()).unwrap();
    let (net, diags) = Network::build(&scenario);
    assert!(!vpcsim_tests::has_errors(&diags), "{diags:?}");
    let t = std::time::Instant::now();
    let m = reachability(&net);
    let took = t.elapsed();
    let open = m.open_pairs();
    println!("500 ENIs: {} cells ({open} with something allowed) in {:.3} s", m.pairs.len(), took.as_secs_f64());
    let mut names: Vec<_> = std::fs::read_dir(vpcsim_tests::scenarios_dir().join("gallery")).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names {
        let loaded = vpcsim_tests::load(&path);
        let t = std::time::Instant::now();
        let m = reachability(&loaded.network);
        println!("{}: {} cells in {:.3} ms", path.file_stem().unwrap().to_string_lossy(), m.pairs.len(), t.elapsed().as_secs_f64() * 1e3);
    }
}

/// The Reach tab's session (`ffi::ReachSession`), asked again after each edit as the
/// playground asks: every answer equals `ffi::reach_json`'s for the same documents; an
/// edit of rules only is answered incrementally, any other edit from scratch, the same
/// document by the kept matrix; a baseline's diff is right whether its matrix was kept or
/// computed.
#[test]
fn the_reach_session_answers_as_a_fresh_analysis_after_each_edit() {
    use vpcsim_core::ffi::{reach_json, ReachSession, ReachUpdate};
    let (mut by_rules, mut from_scratch) = (0, 0);
    for path in vpcsim_tests::corpus() {
        let what = path.display().to_string();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let text = |v: &Value| serde_json::to_string(v).unwrap();
        let mut session = ReachSession::default();
        let mut ask = |v: &Value, base: Option<&Value>| {
            let (t, b) = (text(v), base.map(text));
            let got = session.reach_json(&t, b.as_deref()).to_json();
            assert_eq!(got, reach_json(&t, b.as_deref()).to_json(), "{what}: the session's answer differs from a fresh one");
            session.last_update
        };
        assert_eq!(ask(&doc, None), Some(ReachUpdate::New), "{what}");
        // Not in the network: the layout and the probes.
        let mut moved = doc.clone();
        moved["layout"] = json!({});
        moved["probes"] = json!([]);
        // (A document with load errors is always analysed from scratch.)
        let kept = ask(&moved, Some(&doc));
        assert!(matches!(kept, Some(ReachUpdate::Same | ReachUpdate::New)), "{what}: {kept:?}");
        // Each group's and ACL's rules, edited in turn, against the original as baseline
        // (kept from the second request on).
        let mut current = doc.clone();
        for key in ["security_groups", "network_acls"] {
            for index in 0..doc["network"][key].as_array().map_or(0, Vec::len) {
                for choice in [3, 4] {
                    if !edit_rules(&mut current, key, index, choice) {
                        continue;
                    }
                    match ask(&current, Some(&doc)) {
                        Some(ReachUpdate::Rules { edited: 1, .. }) => by_rules += 1,
                        Some(ReachUpdate::New) => from_scratch += 1,
                        other => panic!("{what}: {key}[{index}] edit {choice} was answered by {other:?}"),
                    }
                }
            }
        }
        // Another kind of edit (an instance moved to another address, or a subnet
        // renamed... here: every route table's routes dropped) is analysed from scratch.
        if let Some(tables) = current["network"]["route_tables"]
            .as_array_mut()
            .filter(|t| t.iter().any(|t| t["routes"].as_array().is_some_and(|r| !r.is_empty())))
        {
            tables.iter_mut().for_each(|t| t["routes"] = json!([]));
            assert_eq!(ask(&current, None), Some(ReachUpdate::New), "{what}: a route edit");
        }
    }
    println!("{by_rules} answers by rule updates, {from_scratch} from scratch");
    assert!(by_rules > 100, "{by_rules} answers by rule updates, {from_scratch} from scratch");
}

/// A long session of edits keeps its memory bounded: the lists no pair names any more are
/// dropped, all of them, once they outnumber the named ones (and 256); the matrix stays
/// equal to a fresh one, its lists each stored once, `sets[0]` the empty list.
#[test]
fn a_long_session_of_edits_drops_the_lists_no_cell_names() {
    let before = vpcsim_tests::reach_bench::network();
    let mut engine = Engine::new(&build(&before));
    let named = |m: &Matrix| {
        let mut named = vec![false; m.sets.len()];
        named[0] = true;
        for p in &m.pairs {
            named[p.set as usize] = true;
        }
        named.iter().filter(|n| **n).count()
    };
    // Each group's first inbound rule opened to all traffic, then put back, as the
    // benchmark edits: each edit adds hundreds of lists that its undo leaves unnamed.
    let (mut dropped, mut last) = (false, engine.matrix().sets.len());
    let mut fresh = None;
    for (g, undo) in [7, 14, 21, 28, 35, 42, 49, 6, 13, 20].into_iter().flat_map(|g| [(g, false), (g, true)]) {
        let mut after = before.clone();
        if !undo {
            after["network"]["security_groups"][g]["inbound"][0] = json!({"protocol": "all", "cidr": "10.0.0.0/16"});
        }
        let new = build(&after);
        let Some(Node::Sg(ix)) = new.node(&format!("sg-{g}")) else { panic!("sg-{g}") };
        assert!(matches!(engine.update_rules(&new, &[ix], &[]), Update::Incremental { .. }));
        let m = engine.matrix();
        assert!(m.sets[0].is_empty());
        assert_eq!(m.sets.iter().collect::<std::collections::HashSet<_>>().len(), m.sets.len(), "a list is stored twice");
        // An update that dropped lists dropped every list no pair names.
        if m.sets.len() < last {
            assert_eq!(named(m), m.sets.len(), "after the drop, some lists are named by no pair");
            if !dropped {
                same_cells(m, &reachability(&new), &format!("after the first drop (the edit of sg-{g}, undone: {undo})"));
            }
            dropped = true;
        }
        last = m.sets.len();
        fresh = Some(new);
    }
    assert!(dropped, "ten wide edits and their undos never dropped a list");
    same_cells(engine.matrix(), &reachability(&fresh.expect("a network")), "after the last undo");
}
