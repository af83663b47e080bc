//! Every rule id of the spec's sections 1-7 is either demonstrated by a scenario of the
//! corpus or listed as not modelled, with the reason, in `tests/spec-rules.txt`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use vpcsim_tests::{corpus, load};

/// (id, status) from tests/spec-rules.txt.
fn rules() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("spec-rules.txt")).expect("tests/spec-rules.txt");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (id, status) = l.split_once(' ').unwrap_or((l, ""));
            (id.to_owned(), status.to_owned())
        })
        .collect()
}

fn cited() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for path in corpus() {
        let loaded = load(&path);
        out.extend(loaded.scenario.spec.iter().cloned());
        for p in &loaded.scenario.probes {
            if let Some(e) = &p.expect {
                out.extend(e.spec.iter().cloned());
            }
        }
    }
    out
}

#[test]
fn every_covered_rule_has_a_scenario() {
    let cited = cited();
    let missing: Vec<String> =
        rules().into_iter().filter(|(_, s)| s == "covered").map(|(id, _)| id).filter(|id| !cited.contains(id)).collect();
    assert!(missing.is_empty(), "no scenario cites these spec rules: {missing:?}");
}

#[test]
fn statuses_are_known_and_cited_ids_exist() {
    let rules = rules();
    for (id, status) in &rules {
        assert!(
            status == "covered" || status.starts_with("not-modelled: "),
            "{id}: status `{status}` must be `covered` or `not-modelled: REASON`"
        );
    }
    let unknown: Vec<String> = cited().into_iter().filter(|id| !rules.contains_key(id) && !id.starts_with("FL-")).collect();
    assert!(unknown.is_empty(), "scenarios cite ids the spec list does not have: {unknown:?}");
}

#[test]
fn the_list_matches_the_spec() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/docs/aws-semantics.md");
    let Ok(text) = std::fs::read_to_string(&spec) else {
        eprintln!("skipped: {} is absent; cannot compare tests/spec-rules.txt with the spec", spec.display());
        return;
    };
    let mut ids = BTreeSet::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("**") else { continue };
        let id: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        let prefix = id.split('-').next().unwrap_or("");
        if ["SG", "NACL", "EX", "RT", "EP", "IAM", "SM"].contains(&prefix) && id.contains('-') {
            ids.insert(id);
        }
    }
    let listed: BTreeSet<String> = rules().into_keys().collect();
    assert_eq!(ids, listed, "tests/spec-rules.txt must list exactly the rule ids of the spec's sections 1-7");
}
