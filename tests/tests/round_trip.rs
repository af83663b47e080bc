//! Round trips: a document written and read back is the same document, and an AWS import
//! written as a scenario and read back builds the same network (same interfaces, same
//! verdicts). `terraform show -json` of an exported module would need Terraform itself,
//! which is not available here.

use proptest::prelude::*;
use std::path::Path;
use vpcsim_core::import::aws;
use vpcsim_core::scenario::{parse, to_json};
use vpcsim_core::Network;

fn same_network(a: &vpcsim_core::Scenario, b: &vpcsim_core::Scenario) {
    assert_eq!(a, b);
    let (na, da) = Network::build(a);
    let (nb, db) = Network::build(b);
    assert_eq!(da, db);
    assert_eq!(na.n_enis(), nb.n_enis());
}

#[test]
fn every_corpus_scenario_round_trips() {
    for path in vpcsim_tests::corpus() {
        let loaded = vpcsim_tests::load(&path);
        let again = parse(&to_json(&loaded.scenario)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        same_network(&loaded.scenario, &again);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn generated_scenarios_round_trip(case in vpcsim_tests::gen::scenario()) {
        let first: vpcsim_core::Scenario = serde_json::from_value(case.0.clone()).unwrap();
        let again = parse(&to_json(&first)).unwrap();
        prop_assert_eq!(&first, &again);
        let again_twice = parse(&to_json(&again)).unwrap();
        prop_assert_eq!(&again, &again_twice);
    }
}

#[test]
fn aws_samples_round_trip_through_the_scenario_format() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-samples/batfish");
    let Ok(entries) = std::fs::read_dir(&samples) else {
        eprintln!("skipped: {} is absent", samples.display());
        return;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let dir = e.path().join("aws_configs");
        if !dir.is_dir() {
            continue;
        }
        let imported = aws::import(&vpcsim_tests::read_json_folder(&dir));
        let again = parse(&to_json(&imported.scenario)).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        same_network(&imported.scenario, &again);
        // Importing twice gives the same document (determinism).
        assert_eq!(aws::import(&vpcsim_tests::read_json_folder(&dir)).scenario, imported.scenario, "{}", dir.display());
        n += 1;
    }
    assert!(n >= 10, "expected the batfish snapshots, found {n}");
}
