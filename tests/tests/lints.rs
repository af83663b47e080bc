//! Lints (findings): every rule of `vpcsim_core::lint::RULES` has a folder
//! `tests/lints/<CODE>-<name>/` with a `bad.json` it reports and a `good.json` it does not;
//! where the rule has fixes, applying them to `bad.json` clears every finding of that code.
//! The gallery's findings are snapshot-tested, and `docs/lints.md` must equal the text
//! generated from `RULES` (`UPDATE_DOCS=1 cargo test -p vpcsim-tests --test lints` rewrites it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use vpcsim_core::lint::{self, apply_fix, Finding, RULES};
use vpcsim_core::{ffi, Network, Scenario, Severity};

fn lints_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lints")
}

fn read(path: &Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ffi::load_scenario(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()))
}

fn show(findings: &[Finding]) -> String {
    findings.iter().map(|f| format!("  {}[{} {}] at {}: {}", f.severity, f.code, f.name, f.at, f.message)).collect::<Vec<_>>().join("\n")
}

/// The case folders, by name.
fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(lints_dir()).expect("tests/lints").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

#[test]
fn rule_docs_are_unique_and_complete() {
    let mut codes = BTreeSet::new();
    let mut names = BTreeSet::new();
    for r in RULES {
        assert!(codes.insert(r.code), "duplicate code {}", r.code);
        assert!(names.insert(r.name), "duplicate name {}", r.name);
        let digits = r.code.strip_prefix("VS").unwrap_or_else(|| panic!("{}: codes start with VS", r.code));
        assert!(digits.len() == 3 && digits.chars().all(|c| c.is_ascii_digit()), "{}: VS and three digits", r.code);
        assert!(matches!(&digits[..1], "1" | "2" | "3" | "4" | "5"), "{}: groups are VS1xx to VS5xx", r.code);
        assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}: kebab-case name", r.code);
        for (field, text) in [
            ("summary", r.summary),
            ("what_it_does", r.what_it_does),
            ("why_it_matters", r.why_it_matters),
            ("example", r.example),
            ("fix", r.fix),
            ("reference", r.reference),
        ] {
            assert!(!text.trim().is_empty(), "{}: `{field}` is empty", r.code);
        }
        assert!(r.reference.contains("https://docs.aws.amazon.com/"), "{}: the reference cites the AWS documentation", r.code);
        assert!(r.reference.split(':').next().is_some_and(|ids| ids.contains('-')), "{}: the reference starts with spec rule ids", r.code);
    }
    assert!(RULES.windows(2).all(|w| w[0].code < w[1].code), "RULES are in code order");
    // Examples are JSON, with `//` comment lines.
    for r in RULES {
        let json: String = r.example.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "{}: the example is not JSON:\n{}", r.code, r.example);
    }
}

#[test]
fn every_rule_has_a_case_folder_and_every_folder_a_rule() {
    let folders: BTreeSet<String> = case_dirs().iter().filter_map(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    let expected: BTreeSet<String> = RULES.iter().map(|r| format!("{}-{}", r.code, r.name)).collect();
    let missing: Vec<_> = expected.difference(&folders).collect();
    let unknown: Vec<_> = folders.difference(&expected).collect();
    assert!(missing.is_empty() && unknown.is_empty(), "folders missing: {missing:?}; folders without a rule: {unknown:?}");
}

#[test]
fn bad_is_reported_good_is_not_and_fixes_clear_the_code() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in case_dirs() {
        let folder = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(rule) = RULES.iter().find(|r| folder == format!("{}-{}", r.code, r.name)) else {
            continue;
        };
        for which in ["bad", "good"] {
            let scenario = read(&dir.join(format!("{which}.json")));
            let errors: Vec<_> = Network::build(&scenario).1.into_iter().filter(|d| d.severity == Severity::Error).collect();
            if !errors.is_empty() {
                failures.push(format!("{folder}/{which}.json has load errors: {errors:?}"));
            }
            let findings = lint::lint(&scenario);
            let hits: Vec<&Finding> = findings.iter().filter(|f| f.code == rule.code).collect();
            for f in &hits {
                if f.name != rule.name
                    || f.severity != rule.severity
                    || !f.at.starts_with("/network/")
                    || f.message.is_empty()
                    || f.help.is_empty()
                {
                    failures.push(format!("{folder}/{which}.json: finding does not match its rule doc: {f:?}"));
                }
            }
            match which {
                "bad" if hits.is_empty() => {
                    failures.push(format!("{folder}/bad.json: no {} finding; findings:\n{}", rule.code, show(&findings)))
                }
                "good" if !hits.is_empty() => failures.push(format!("{folder}/good.json: {} reported:\n{}", rule.code, show(&findings))),
                _ => {}
            }
            if which == "bad" && hits.iter().any(|f| f.fix.is_some()) {
                // As ruff does: apply one fix, lint again, until no fix of this code is left
                // (indices move when a fix removes a list element).
                let mut doc = scenario.clone();
                for _ in 0..50 {
                    let now = lint::lint(&doc);
                    let Some(fix) = now.iter().filter(|f| f.code == rule.code).find_map(|f| f.fix.clone()) else {
                        break;
                    };
                    match apply_fix(&doc, &fix) {
                        Ok(next) => doc = next,
                        Err(e) => {
                            failures.push(format!("{folder}: fix `{}` does not apply: {e}", fix.description));
                            break;
                        }
                    }
                }
                let left: Vec<Finding> = lint::lint(&doc).into_iter().filter(|f| f.code == rule.code).collect();
                if !left.is_empty() {
                    failures.push(format!("{folder}: after every fix, still:\n{}", show(&left)));
                }
                let errors: Vec<_> = Network::build(&doc).1.into_iter().filter(|d| d.severity == Severity::Error).collect();
                if !errors.is_empty() {
                    failures.push(format!("{folder}: the fixed document has load errors: {errors:?}"));
                }
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{} of {checked} lint cases failed:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, 2 * RULES.len());
}

#[test]
fn the_whole_corpus_lints_without_panicking_and_deterministically() {
    for path in vpcsim_tests::corpus() {
        let scenario = read(&path);
        let first = lint::lint(&scenario);
        assert_eq!(first, lint::lint(&scenario), "{}", path.display());
        for f in &first {
            assert!(RULES.iter().any(|r| r.code == f.code), "{}: unknown code {}", path.display(), f.code);
            if let Some(fix) = &f.fix {
                assert!(apply_fix(&scenario, fix).is_ok(), "{}: fix `{}` does not apply", path.display(), fix.description);
            }
        }
    }
}

#[test]
fn gallery_findings_match_snapshots() {
    insta::glob!("../scenarios/gallery", "*.json", |path| {
        let findings = lint::lint(&read(path));
        let mut out = String::new();
        for f in &findings {
            out.push_str(&format!("{}[{} {}] at {}: {}\n  help: {}\n", f.severity, f.code, f.name, f.at, f.message, f.help));
            if let Some(fix) = &f.fix {
                out.push_str(&format!("  fix: {} {}\n", fix.description, serde_json::to_string(&fix.ops).unwrap()));
            }
        }
        if out.is_empty() {
            out.push_str("no findings\n");
        }
        insta::assert_snapshot!(out);
    });
}

#[test]
fn docs_lints_md_is_generated_from_the_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lints.md");
    let generated = lint::render_docs();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/lints.md differs from the text generated from lint::RULES; run `UPDATE_DOCS=1 cargo test -p vpcsim-tests --test lints` and review the diff"
    );
    for r in RULES {
        assert!(generated.contains(&format!("\n## {}\n", r.code)), "{} has a section (anchor #{})", r.code, r.code.to_lowercase());
    }
}
