//! "What blocks this?" (issue 7): every `tests/blockers/*.json` scenario is found by glob,
//! with its expectations in a sidecar `NAME.expect.json` (the scenario format has
//! `deny_unknown_fields`): for each probe, the blockers as `[leg, layer, component]` in
//! order, optionally the fix descriptions, whether the list is complete, and the allowers.
//!
//! Properties: applying every proposed fix in order makes the flow reachable and turns no
//! other probe of the scenario from reachable to unreachable; removing the allowers of one
//! allowing check (all of them: SG-9, NACL-2, RT-3), or every allower at once, stops the
//! flow; every pointer resolves in the document; the fixes change exactly the
//! reachability-matrix cells the sidecar states (`matrix`) and close none.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use vpcsim_core::blockers::{allowers, blockers, blockers_built, removal_fix, Allower, LegKind};
use vpcsim_core::lint::apply_fix;
use vpcsim_core::scenario::{self, ProbeDoc};
use vpcsim_core::{eval, ffi, Network, Scenario};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// `[leg, layer, component]`, in order.
    blockers: Vec<[String; 3]>,
    /// The fix descriptions, in order (checked when given).
    #[serde(default)]
    fixes: Option<Vec<String>>,
    /// Whether every blocker was found (default: true).
    #[serde(default)]
    complete: Option<bool>,
    /// `[leg, layer, component]` of the allowers, in order (checked when given).
    #[serde(default)]
    allowers: Option<Vec<[String; 3]>>,
    /// Every reachability-matrix cell that applying all the fixes changes, as
    /// `from → to: +tcp 443, +udp 53` (checked when given; nothing may be lost).
    #[serde(default)]
    matrix: Option<Vec<String>>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("blockers")
}

/// (scenario file, its expectations), sorted.
fn cases() -> Vec<(PathBuf, Scenario, BTreeMap<String, Expect>)> {
    let pattern = format!("{}/*.json", dir().display());
    let mut files: Vec<PathBuf> =
        glob::glob(&pattern).expect("glob pattern").flatten().filter(|p| !p.to_string_lossy().ends_with(".expect.json")).collect();
    files.sort();
    assert!(files.len() >= 3, "tests/blockers holds the cases");
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let doc = ffi::load_scenario(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            let sidecar = path.with_extension("expect.json");
            let text = std::fs::read_to_string(&sidecar).unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
            let expect: BTreeMap<String, Expect> = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", sidecar.display()));
            (path, doc, expect)
        })
        .collect()
}

fn reachable(doc: &Scenario, probe: &ProbeDoc) -> bool {
    let (net, _) = Network::build(doc);
    eval::trace(&net, probe).unwrap_or_else(|e| panic!("probe `{}`: {e:?}", probe.name)).reachable
}

fn leg(l: LegKind) -> &'static str {
    match l {
        LegKind::Request => "request",
        LegKind::Response => "response",
    }
}

#[test]
fn blockers_match_the_expectations() {
    for (path, doc, expect) in cases() {
        let names: BTreeSet<&str> = doc.probes.iter().map(|p| p.name.as_str()).collect();
        let expected: BTreeSet<&str> = expect.keys().map(String::as_str).collect();
        assert_eq!(names, expected, "{}: every probe has an expectation, and only probes", path.display());
        let value = scenario::to_value(&doc);
        for probe in &doc.probes {
            let e = &expect[&probe.name];
            let b = blockers(&doc, probe).unwrap_or_else(|d| panic!("{}: {d:?}", probe.name));
            let got: Vec<[String; 3]> =
                b.blockers.iter().map(|x| [leg(x.leg).to_owned(), x.kind.as_str().to_owned(), x.component.clone()]).collect();
            assert_eq!(got, e.blockers, "{}: probe `{}`:\n{b:#?}", path.display(), probe.name);
            assert_eq!(b.reachable, e.blockers.is_empty(), "{}: probe `{}`", path.display(), probe.name);
            assert_eq!(b.reachable, reachable(&doc, probe));
            assert_eq!(b.complete, e.complete.unwrap_or(true), "{}: probe `{}`: {:?}", path.display(), probe.name, b.stopped);
            assert_eq!(b.complete, b.stopped.is_none());
            if let Some(fixes) = &e.fixes {
                let got: Vec<&str> = b.blockers.iter().map(|x| x.fix.as_ref().map_or("(none)", |f| f.description.as_str())).collect();
                assert_eq!(got, *fixes, "{}: probe `{}`", path.display(), probe.name);
            }
            for x in &b.blockers {
                assert!(!x.spec.is_empty() && !x.help.is_empty(), "{x:?}");
                if let Some(at) = &x.at {
                    assert!(value.pointer(at).is_some(), "{}: pointer `{at}` of {x:?} resolves", path.display());
                }
            }
        }
    }
}

/// The key property: the fixes, applied in order, make the flow reachable, and they turn
/// no other probe of the scenario from reachable to unreachable.
#[test]
fn applying_every_fix_makes_the_flow_reachable_and_breaks_nothing() {
    let mut checked = 0;
    for (path, doc, _) in cases() {
        let before: Vec<bool> = doc.probes.iter().map(|p| reachable(&doc, p)).collect();
        for probe in &doc.probes {
            let b = blockers(&doc, probe).unwrap_or_else(|d| panic!("{d:?}"));
            let Some(fixes) = b.all_fixes() else { continue };
            if fixes.is_empty() {
                continue;
            }
            let mut fixed = doc.clone();
            for f in fixes {
                fixed = apply_fix(&fixed, f).unwrap_or_else(|d| panic!("{}: `{}` applies: {d:?}", path.display(), f.description));
            }
            assert!(reachable(&fixed, probe), "{}: probe `{}` is reachable after the fixes", path.display(), probe.name);
            for (other, was) in doc.probes.iter().zip(&before) {
                if *was {
                    assert!(reachable(&fixed, other), "{}: the fixes for `{}` break `{}`", path.display(), probe.name, other.name);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 4, "the corpus has flows with complete fixes ({checked})");
}

/// `from → to: +tcp 443, -udp 53`.
fn change_line(c: &vpcsim_core::reach::Change) -> String {
    let mut parts: Vec<String> =
        c.gained.iter().map(|a| format!("+{}", vpcsim_core::reach::allowed_text(std::slice::from_ref(a)))).collect();
    parts.extend(c.lost.iter().map(|a| format!("-{}", vpcsim_core::reach::allowed_text(std::slice::from_ref(a)))));
    format!("{} → {}: {}", c.from, c.to, parts.join(", "))
}

/// Issue 7: applying a flow's fixes makes it pass and changes no other cell of the
/// reachability matrix except those the fixes necessarily open, which each case states
/// (`matrix` in the sidecar); a fix never closes a cell.
#[test]
fn the_fixes_change_only_the_stated_matrix_cells() {
    let mut stated = 0;
    for (path, doc, expect) in cases() {
        let (net, _) = Network::build(&doc);
        let before = vpcsim_core::reach::reachability(&net);
        for probe in &doc.probes {
            let b = blockers(&doc, probe).unwrap_or_else(|d| panic!("{d:?}"));
            let Some(fixes) = b.all_fixes().filter(|f| !f.is_empty()) else { continue };
            let mut fixed = doc.clone();
            for f in fixes {
                fixed = apply_fix(&fixed, f).unwrap_or_else(|d| panic!("{d:?}"));
            }
            let after = vpcsim_core::reach::reachability(&Network::build(&fixed).0);
            let changes = vpcsim_core::reach::diff(&before, &after);
            let lines: Vec<String> = changes.iter().map(change_line).collect();
            assert!(
                changes.iter().all(|c| c.lost.is_empty()),
                "{}: the fixes for `{}` close cells: {lines:#?}",
                path.display(),
                probe.name
            );
            let resolved = |r: &str| eval::resolve(&net, r, "").ok();
            let own = changes.iter().any(|c| resolved(&c.from) == resolved(&probe.from) && resolved(&c.to) == resolved(&probe.to));
            // The matrix evaluates endpoint policies for the default API call only, so a
            // probe naming its own call (`api`) may stay closed there.
            assert!(own || probe.api.is_some(), "{}: the fixes for `{}` open its own cell: {lines:#?}", path.display(), probe.name);
            let e = &expect[&probe.name];
            match &e.matrix {
                Some(m) => {
                    assert_eq!(&lines, m, "{}: probe `{}`: the matrix cells the fixes change", path.display(), probe.name);
                    stated += 1;
                }
                None => panic!(
                    "{}: probe `{}` has fixes: state the matrix cells they change:\n{}",
                    path.display(),
                    probe.name,
                    serde_json::to_string_pretty(&lines).unwrap_or_default()
                ),
            }
        }
    }
    assert!(stated >= 4, "{stated} cases state their matrix changes");
}

/// Removing the allowers of one allowing check (every one of them, when each can be
/// removed) stops the flow. Returns how many groups were checked.
fn each_allower_group_stops_the_flow(path: &Path, doc: &Scenario, probe: &ProbeDoc, all: &[Allower]) -> usize {
    let mut groups: BTreeMap<(&str, usize, usize), Vec<&Allower>> = BTreeMap::new();
    for a in all {
        groups.entry((leg(a.leg), a.hop, a.check)).or_default().push(a);
    }
    let mut checked = 0;
    for (key, group) in &groups {
        if group.iter().any(|a| a.removal.is_none()) {
            continue;
        }
        let fix = removal_fix(group);
        let removed = apply_fix(doc, &fix).unwrap_or_else(|d| panic!("{}: {key:?}: {d:?}", path.display()));
        assert!(
            !reachable(&removed, probe),
            "{}: probe `{}` still passes without the allowers of {key:?}: {}",
            path.display(),
            probe.name,
            fix.description
        );
        checked += 1;
    }
    checked
}

#[test]
fn removing_the_allowers_stops_the_flow() {
    let mut groups_checked = 0;
    for (path, doc, expect) in cases() {
        let value = scenario::to_value(&doc);
        for probe in &doc.probes {
            let all = allowers(&doc, probe).unwrap_or_else(|d| panic!("{d:?}"));
            if !reachable(&doc, probe) {
                assert!(all.is_empty(), "a flow that fails has no allowers");
                continue;
            }
            assert!(!all.is_empty(), "{}: probe `{}` passes, so something allows it", path.display(), probe.name);
            if let Some(e) = expect.get(&probe.name).and_then(|e| e.allowers.as_ref()) {
                let got: Vec<[String; 3]> =
                    all.iter().map(|x| [leg(x.leg).to_owned(), x.kind.as_str().to_owned(), x.component.clone()]).collect();
                assert_eq!(got, *e, "{}: probe `{}`:\n{all:#?}", path.display(), probe.name);
            }
            for a in &all {
                if let Some(at) = &a.at {
                    assert!(value.pointer(at).is_some(), "{}: pointer `{at}` resolves", path.display());
                }
            }
            groups_checked += each_allower_group_stops_the_flow(&path, &doc, probe, &all);
            let removable: Vec<&Allower> = all.iter().filter(|a| a.removal.is_some()).collect();
            let removed = apply_fix(&doc, &removal_fix(&removable)).unwrap_or_else(|d| panic!("{d:?}"));
            assert!(!reachable(&removed, probe), "{}: probe `{}` passes without every allower", path.display(), probe.name);
        }
    }
    assert!(groups_checked >= 4, "allower groups checked: {groups_checked}");
}

/// SG-9: when several rules allow the same packet, each allower says all must go.
#[test]
fn several_sg_rules_allowing_one_packet_are_all_listed() {
    let (_, doc, _) = cases().into_iter().find(|(p, _, _)| p.ends_with("nacl-response-only.json")).expect("case");
    let probe = doc.probes.iter().find(|p| p.name == "app calls app2").expect("probe");
    let all = allowers(&doc, probe).expect("allowers");
    let inbound: Vec<&Allower> =
        all.iter().filter(|a| a.kind.as_str() == "security-group" && a.direction.is_some_and(|d| d.to_string() == "inbound")).collect();
    assert_eq!(inbound.len(), 2, "{all:#?}");
    assert!(inbound.iter().all(|a| a.note.as_deref().is_some_and(|n| n.contains("SG-9"))), "{inbound:#?}");
}

/// The same properties over the whole scenario corpus: every fix list that is complete
/// makes its flow reachable and breaks no other probe of its file, and removing the
/// allowers of one check stops its flow.
#[test]
fn the_corpus_keeps_the_properties() {
    let (mut fixed, mut groups) = (0, 0);
    for path in vpcsim_tests::corpus() {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Ok(doc) = ffi::load_scenario(&text) else { continue };
        let (net, _) = Network::build(&doc);
        for probe in &doc.probes {
            let Ok(t) = eval::trace(&net, probe) else {
                assert!(blockers(&doc, probe).is_err() && allowers(&doc, probe).is_err());
                continue;
            };
            let b = blockers(&doc, probe).unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(b.reachable, t.reachable);
            // On the network already built, patched in place, the answer is the same and
            // the document is left as it was.
            let mut copy = doc.clone();
            let built = blockers_built(&mut copy, &net, probe).unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(built, b, "{}: `{}`", path.display(), probe.name);
            assert!(copy == doc, "{}: the search for `{}` changed the document", path.display(), probe.name);
            if let Some(fixes) = b.all_fixes().filter(|f| !f.is_empty()) {
                let mut work = doc.clone();
                for f in fixes {
                    work = apply_fix(&work, f).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
                }
                assert!(reachable(&work, probe), "{}: `{}` after {b:#?}", path.display(), probe.name);
                let (after, _) = Network::build(&work);
                // No matrix cell loses anything (issue 7): a fix only opens.
                let closed: Vec<String> =
                    vpcsim_core::reach::diff(&vpcsim_core::reach::reachability(&net), &vpcsim_core::reach::reachability(&after))
                        .iter()
                        .filter(|c| !c.lost.is_empty())
                        .map(change_line)
                        .collect();
                assert!(closed.is_empty(), "{}: the fixes for `{}` close {closed:#?}", path.display(), probe.name);
                for other in &doc.probes {
                    if eval::trace(&net, other).is_ok_and(|t| t.reachable) {
                        assert!(
                            eval::trace(&after, other).is_ok_and(|t| t.reachable),
                            "{}: the fixes for `{}` break `{}`",
                            path.display(),
                            probe.name,
                            other.name
                        );
                    }
                }
                fixed += 1;
            }
            let all = allowers(&doc, probe).unwrap_or_else(|d| panic!("{d:?}"));
            groups += each_allower_group_stops_the_flow(&path, &doc, probe, &all);
        }
    }
    eprintln!("corpus: {fixed} complete fix lists, {groups} allower groups");
    assert!(fixed > 10 && groups > 50, "fixed {fixed}, allower groups {groups}");
}

/// `Network::rebuild_rules` (the incremental build behind "what blocks this?") equals a full
/// build: for every group and ACL of the corpus, a rule added, one removed, and one
/// invalid rule, the rebuilt lists, their texts, their lookup indexes and their
/// diagnostics are those of the whole network built again, and every probe traces the same.
#[test]
fn rebuilding_rule_lists_in_place_equals_a_full_build() {
    use vpcsim_core::model::Node;
    use vpcsim_core::scenario::{NaclEntryDoc, SgRuleDoc};
    type Edit = Box<dyn Fn(&mut Scenario)>;
    let edits = |n: usize| -> Vec<(&'static str, Edit)> {
        vec![
            (
                "sg rule added",
                Box::new(move |s: &mut Scenario| {
                    if let Some(g) = s.network.security_groups.get_mut(n) {
                        g.inbound.push(SgRuleDoc {
                            protocol: "tcp".into(),
                            ports: Some("8443".into()),
                            cidr: Some("10.9.0.0/16".into()),
                            ..SgRuleDoc::default()
                        });
                    }
                }),
            ),
            (
                "sg rule removed",
                Box::new(move |s: &mut Scenario| {
                    if let Some(g) = s.network.security_groups.get_mut(n) {
                        g.outbound.pop();
                    }
                }),
            ),
            (
                "bad sg rule",
                Box::new(move |s: &mut Scenario| {
                    if let Some(g) = s.network.security_groups.get_mut(n) {
                        g.outbound.push(SgRuleDoc {
                            protocol: "tcp".into(),
                            ports: Some("90-80".into()),
                            sg: Some("sg-nope".into()),
                            ..SgRuleDoc::default()
                        });
                    }
                }),
            ),
            (
                "nacl entry added",
                Box::new(move |s: &mut Scenario| {
                    if let Some(a) = s.network.network_acls.get_mut(n) {
                        a.inbound.push(NaclEntryDoc {
                            rule: 7,
                            action: "deny".into(),
                            protocol: "udp".into(),
                            ports: Some("53".into()),
                            cidr: "10.1.2.3/8".into(),
                            ..NaclEntryDoc::default()
                        });
                    }
                }),
            ),
            (
                "nacl entry removed",
                Box::new(move |s: &mut Scenario| {
                    if let Some(a) = s.network.network_acls.get_mut(n) {
                        a.outbound.pop();
                    }
                }),
            ),
        ]
    };
    let mut checked = 0;
    for path in vpcsim_tests::corpus() {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Ok(doc) = ffi::load_scenario(&text) else { continue };
        let (net, _) = Network::build(&doc);
        let lists = doc.network.security_groups.len().max(doc.network.network_acls.len());
        for n in 0..lists {
            for (what, edit) in edits(n) {
                let mut edited = doc.clone();
                edit(&mut edited);
                if edited == doc {
                    continue;
                }
                let (full, full_diags) = Network::build(&edited);
                let (groups, acls): (Vec<_>, Vec<_>) = if what.starts_with("nacl") {
                    let id = &doc.network.network_acls[n].id;
                    let Some(Node::Nacl(a)) = net.node(id) else { continue };
                    (vec![], vec![a])
                } else {
                    let id = &doc.network.security_groups[n].id;
                    let Some(Node::Sg(g)) = net.node(id) else { continue };
                    (vec![g], vec![])
                };
                let mut patched = net.clone();
                let Some(diags) = patched.rebuild_rules(&edited.network, &groups, &acls) else { continue };
                let at = if what.starts_with("nacl") { format!("network_acls/{n}/") } else { format!("security_groups/{n}/") };
                let expected: Vec<_> =
                    full_diags.iter().filter(|d| ["inbound", "outbound"].iter().any(|l| d.at.starts_with(&format!("{at}{l}")))).collect();
                assert_eq!(diags.iter().collect::<Vec<_>>(), expected, "{}: {what} {n}", path.display());
                for g in &groups {
                    assert_eq!(format!("{:?}", patched.sg(*g)), format!("{:?}", full.sg(*g)), "{}: {what} {n}", path.display());
                }
                for a in &acls {
                    assert_eq!(format!("{:?}", patched.nacl(*a)), format!("{:?}", full.nacl(*a)), "{}: {what} {n}", path.display());
                }
                for probe in &edited.probes {
                    let (a, b) = (eval::trace(&patched, probe), eval::trace(&full, probe));
                    assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}: {what} {n}: `{}`", path.display(), probe.name);
                }
                checked += 1;
            }
        }
    }
    eprintln!("{checked} in-place rebuilds equal full builds");
    assert!(checked > 300, "{checked}");
}
