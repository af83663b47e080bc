//! The scenario corpus: every `tests/scenarios/**/*.json` is found by glob (adding a file
//! adds a test case), loads without error diagnostics, and every probe states and meets
//! its expected outcome, deciding component, rule and reason. Rendered traces are
//! snapshot-tested (`INSTA_UPDATE=always cargo test -p vpcsim-tests` to accept changes).

use vpcsim_core::ffi;
use vpcsim_core::Severity;
use vpcsim_tests::{corpus, load, render};

#[test]
fn corpus_is_not_empty() {
    assert!(!corpus().is_empty(), "no scenario files found under tests/scenarios");
}

#[test]
fn every_probe_meets_its_expectation() {
    let mut failures = Vec::new();
    let mut n_probes = 0;
    for path in corpus() {
        let loaded = load(&path);
        let name = path.strip_prefix(vpcsim_tests::scenarios_dir()).unwrap_or(&path).display().to_string();
        let expected = &loaded.scenario.expect_diagnostics;
        for code in expected {
            if !loaded.diagnostics.iter().any(|d| d.code == code) {
                failures.push(format!("{name}: expected diagnostic `{code}` was not produced; got {:?}", loaded.diagnostics));
            }
        }
        let unexpected: Vec<_> =
            loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error && !expected.iter().any(|c| c == d.code)).collect();
        if !unexpected.is_empty() {
            failures.push(format!("{name}: unexpected load errors: {unexpected:?}"));
            continue;
        }
        if loaded.scenario.probes.is_empty() {
            failures.push(format!("{name}: no probes"));
        }
        for r in ffi::run_probes(&loaded.scenario, &loaded.network) {
            n_probes += 1;
            let probe = &loaded.scenario.probes[r.index];
            let Some(expect) = &probe.expect else {
                failures.push(format!("{name} probe {}: no `expect`", r.index));
                continue;
            };
            if expect.spec.is_empty() && loaded.scenario.spec.is_empty() {
                failures.push(format!("{name} probe {}: cites no spec rule id", r.index));
            }
            if let Some(e) = &r.error {
                failures.push(format!("{name} probe {}: {e}", r.index));
            }
            let dropped = r
                .trace
                .as_ref()
                .is_some_and(|t| t.request.dropped_at.is_some() || t.response.as_ref().is_some_and(|x| x.dropped_at.is_some()));
            if dropped && (expect.component.is_none() || expect.rule.is_none() || expect.reason.is_none()) {
                failures.push(format!("{name} probe {}: a drop must state the expected component, rule and reason", r.index));
            }
            for m in &r.mismatches {
                failures.push(format!("{name} probe {} ({}): {m}", r.index, r.name));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {n_probes} probes failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn rendered_traces_match_snapshots() {
    insta::glob!("../scenarios", "**/*.json", |path| {
        let loaded = load(path);
        insta::assert_snapshot!(render(&loaded));
    });
}
