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

fn case(folder: &str, which: &str) -> Scenario {
    read(&lints_dir().join(folder).join(format!("{which}.json")))
}

fn gallery(name: &str) -> Scenario {
    read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/gallery").join(format!("{name}.json")))
}

fn with_code<'a>(findings: &'a [Finding], code: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.code == code).collect()
}

/// Edits a scenario as JSON and reads it back.
fn edit(scenario: &Scenario, change: impl FnOnce(&mut serde_json::Value)) -> Scenario {
    let mut v = vpcsim_core::scenario::to_value(scenario);
    change(&mut v);
    vpcsim_core::scenario::from_value(v).expect("the edited scenario reads back")
}

fn load_errors(scenario: &Scenario) -> Vec<vpcsim_core::Diagnostic> {
    Network::build(scenario).1.into_iter().filter(|d| d.severity == Severity::Error).collect()
}

/// The request leg's hops of a TCP/443 probe to `service:s3` (with the default API call),
/// as (node, whether a VPC endpoint check was made there); the request must be delivered.
fn s3_hops(scenario: &Scenario, from: &str) -> Vec<(String, bool)> {
    s3_hops_with(scenario, from, serde_json::json!({"from": from, "to": "service:s3", "protocol": "tcp", "port": 443}))
}

/// `s3_hops` for `s3:GetObject` on an object of `bucket`.
fn s3_get_hops(scenario: &Scenario, from: &str, bucket: &str) -> Vec<(String, bool)> {
    let api = serde_json::json!({"action": "s3:GetObject", "resource": format!("arn:aws:s3:::{bucket}/train.csv")});
    s3_hops_with(scenario, from, serde_json::json!({"from": from, "to": "service:s3", "protocol": "tcp", "port": 443, "api": api}))
}

fn s3_hops_with(scenario: &Scenario, from: &str, probe: serde_json::Value) -> Vec<(String, bool)> {
    let (net, _) = Network::build(scenario);
    let probe: vpcsim_core::ProbeDoc = serde_json::from_value(probe).unwrap();
    let trace = vpcsim_core::trace(&net, &probe).unwrap();
    assert!(trace.request.dropped_at.is_none(), "{from} -> service:s3 is dropped: {:?}", trace.request.dropped_at);
    trace
        .request
        .hops
        .iter()
        .map(|h| (h.node.clone(), h.checks.iter().any(|c| c.kind == vpcsim_core::trace::CheckKind::VpcEndpoint)))
        .collect()
}

fn through(hops: &[(String, bool)], node: &str) -> bool {
    hops.iter().any(|(n, _)| n == node)
}

fn through_endpoint(hops: &[(String, bool)], vpce: &str) -> bool {
    hops.iter().any(|(n, checked)| n == vpce && *checked)
}

const VS303: &str = "VS303-s3-via-nat-or-internet";

#[test]
fn vs303_reports_the_route_table_once_and_its_fix_adds_a_gateway_endpoint() {
    assert!(with_code(&lint::lint(&case(VS303, "good")), "VS303").is_empty());

    let bad = case(VS303, "bad");
    let findings = lint::lint(&bad);
    let hits = with_code(&findings, "VS303");
    assert_eq!(hits.len(), 1, "one finding for the table shared by two subnets:\n{}", show(&findings));
    let f = hits[0];
    assert_eq!(f.at, "/network/route_tables/1", "located at rtb-private");
    for name in ["`rtb-private`", "`subnet-train-a`", "`subnet-train-b`", "NAT gateway `nat-a`"] {
        assert!(f.message.contains(name), "{name} is named: {}", f.message);
    }
    assert!(!f.message.contains("subnet-public"), "the NAT's own subnet holds no workload: {}", f.message);
    // Before: the instance's S3 traffic goes through the NAT gateway.
    let before = s3_hops(&bad, "i-train-a");
    assert!(through(&before, "nat-a") && !through(&before, "vpce-s3"), "{before:?}");

    // The VPC has no endpoint: the fix creates one, attached to this table.
    let fix = f.fix.clone().expect("a fix");
    assert_eq!(fix.ops.len(), 1);
    let json = serde_json::to_value(&fix.ops[0]).unwrap();
    assert_eq!(json["op"], "add");
    assert_eq!(json["path"], "/network/vpc_endpoints");
    assert_eq!(
        json["value"],
        serde_json::json!([{"id": "vpce-s3", "vpc": "vpc-a", "service": "s3", "type": "gateway", "route_tables": ["rtb-private"]}])
    );
    let fixed = apply_fix(&bad, &fix).unwrap();
    assert!(load_errors(&fixed).is_empty(), "{:?}", load_errors(&fixed));
    assert!(with_code(&lint::lint(&fixed), "VS303").is_empty(), "{}", show(&lint::lint(&fixed)));
    let after = s3_hops(&fixed, "i-train-a");
    assert!(through_endpoint(&after, "vpce-s3") && !through(&after, "nat-a"), "{after:?}");
}

#[test]
fn vs303_on_the_gallery_lesson_adds_the_nat_subnet_to_the_existing_endpoint() {
    let lesson = gallery("s3-nat-vs-gateway-endpoint");
    let findings = lint::lint(&lesson);
    let hits = with_code(&findings, "VS303");
    assert_eq!(hits.len(), 1, "{}", show(&findings));
    let f = hits[0];
    assert_eq!(f.at, "/network/route_tables/1", "located at rtb-via-nat");
    assert!(f.message.contains("`subnet-nat`") && f.message.contains("NAT gateway `nat-ml`"), "{}", f.message);
    // The subnet with the endpoint, and the NAT's public subnet (no workload), are not reported.
    assert!(!f.message.contains("subnet-vpce") && !f.message.contains("subnet-public"), "{}", f.message);
    assert!(through_endpoint(&s3_get_hops(&lesson, "i-train-vpce", "ml-training-data"), "vpce-s3"));

    let fix = f.fix.clone().expect("a fix");
    let json = serde_json::to_value(&fix.ops).unwrap();
    assert_eq!(json, serde_json::json!([{"op": "add", "path": "/network/vpc_endpoints/0/route_tables/-", "value": "rtb-via-nat"}]));
    let fixed = apply_fix(&lesson, &fix).unwrap();
    assert_eq!(fixed.network.vpc_endpoints.len(), 1, "no second endpoint");
    assert!(with_code(&lint::lint(&fixed), "VS303").is_empty(), "{}", show(&lint::lint(&fixed)));
    let before = s3_get_hops(&lesson, "i-train-nat", "ml-training-data");
    let after = s3_get_hops(&fixed, "i-train-nat", "ml-training-data");
    assert!(through(&before, "nat-ml") && !through(&before, "vpce-s3"), "{before:?}");
    assert!(through_endpoint(&after, "vpce-s3") && !through(&after, "nat-ml"), "{after:?}");
    // As the fix says, the endpoint's policy now applies to that subnet too (EP-12): a
    // bucket it does not list, reachable through the NAT gateway, is refused.
    let (net, _) = Network::build(&fixed);
    let other = serde_json::json!({"from": "i-train-nat", "to": "service:s3", "port": 443,
        "api": {"action": "s3:GetObject", "resource": "arn:aws:s3:::another-bucket/x"}});
    let trace = vpcsim_core::trace(&net, &serde_json::from_value(other).unwrap()).unwrap();
    assert_eq!(trace.request.dropped_at.map(|d| d.component), Some("vpce-s3".to_owned()));
    assert!(fix.description.contains("endpoint policy"), "{}", fix.description);
}

#[test]
fn vs303_follows_the_evaluator() {
    // Without direct internet access, the notebook's S3 traffic takes its subnet's route
    // to the internet gateway (SM-4): the fix adds that table to the existing endpoint.
    let good = case(VS303, "good");
    let notebook = edit(&good, |v| v["network"]["sagemaker"]["notebook_instances"][0]["direct_internet_access"] = false.into());
    let findings = lint::lint(&notebook);
    let hits = with_code(&findings, "VS303");
    assert_eq!(hits.len(), 1, "{}", show(&findings));
    assert_eq!(hits[0].at, "/network/route_tables/0");
    assert!(hits[0].message.contains("`subnet-notebook`") && hits[0].message.contains("internet gateway `igw-a`"), "{}", hits[0].message);
    assert!(!hits[0].message.contains("charges"), "an internet gateway has no processing charge: {}", hits[0].message);
    let fix = hits[0].fix.clone().expect("a fix");
    assert_eq!(
        serde_json::to_value(&fix.ops).unwrap(),
        serde_json::json!([{"op": "add", "path": "/network/vpc_endpoints/0/route_tables/-", "value": "rtb-public"}])
    );
    assert!(fix.description.contains("endpoint policy"), "the existing endpoint's policy is mentioned: {}", fix.description);
    assert!(with_code(&lint::lint(&apply_fix(&notebook, &fix).unwrap()), "VS303").is_empty());

    // A route to S3's own block beats the endpoint's prefix-list route (EP-4, RT-5): still
    // reported, and no fix is offered since the endpoint would not change the path.
    let block = vpcsim_core::model::Service::S3.public_block().to_string();
    let specific = edit(&good, |v| {
        v["network"]["route_tables"][1]["routes"].as_array_mut().unwrap().push(serde_json::json!({"destination": block, "target": "nat-a"}))
    });
    assert!(load_errors(&specific).is_empty(), "{:?}", load_errors(&specific));
    let findings = lint::lint(&specific);
    let hits = with_code(&findings, "VS303");
    assert_eq!(hits.len(), 1, "{}", show(&findings));
    assert_eq!(hits[0].at, "/network/route_tables/1");
    assert!(hits[0].fix.is_none(), "{:?}", hits[0].fix);

    // An S3 interface endpoint with private DNS: the evaluator sends S3 traffic to its
    // interfaces over the local route (EP-9), so nothing leaves through the NAT gateway.
    let bad = case(VS303, "bad");
    let interface = edit(&bad, |v| {
        v["network"]["vpc_endpoints"] = serde_json::json!([{
            "id": "vpce-s3-interface", "vpc": "vpc-a", "service": "s3", "type": "interface",
            "subnets": ["subnet-train-a", "subnet-train-b"], "security_groups": ["sg-train"]
        }]);
    });
    assert!(load_errors(&interface).is_empty(), "{:?}", load_errors(&interface));
    assert!(with_code(&lint::lint(&interface), "VS303").is_empty(), "{}", show(&lint::lint(&interface)));

    // The new endpoint's id does not clash with an existing resource.
    let clash = edit(&bad, |v| {
        v["network"]["security_groups"][0]["id"] = "vpce-s3".into();
        v["network"]["instances"][0]["security_groups"] = serde_json::json!(["vpce-s3"]);
        v["network"]["sagemaker"]["training_jobs"][0]["vpc_config"]["security_groups"] = serde_json::json!(["vpce-s3"]);
    });
    assert!(load_errors(&clash).is_empty(), "{:?}", load_errors(&clash));
    let findings = lint::lint(&clash);
    let fix = with_code(&findings, "VS303")[0].fix.clone().expect("a fix");
    assert_eq!(serde_json::to_value(&fix.ops).unwrap()[0]["value"][0]["id"], "vpce-s3-2");
    assert!(with_code(&lint::lint(&apply_fix(&clash, &fix).unwrap()), "VS303").is_empty());

    // A workload-free subnet behind a NAT route is not reported.
    let empty = edit(&bad, |v| {
        v["network"]["instances"] = serde_json::json!([]);
        v["network"]["sagemaker"] = serde_json::json!({});
    });
    assert!(with_code(&lint::lint(&empty), "VS303").is_empty(), "{}", show(&lint::lint(&empty)));
}

const VS502: &str = "VS502-route-table-quota";

#[test]
fn vs502_counts_static_routes_per_address_family() {
    assert!(with_code(&lint::lint(&case(VS502, "good")), "VS502").is_empty());
    let bad = case(VS502, "bad");
    let findings = lint::lint(&bad);
    let hits = with_code(&findings, "VS502");
    assert_eq!(hits.len(), 1, "{}", show(&findings));
    assert_eq!(hits[0].at, "/network/route_tables/0/routes");
    assert!(hits[0].message.contains("51 non-propagated IPv4 routes"), "{}", hits[0].message);
    assert!(hits[0].fix.is_none(), "no automatic fix");

    // Propagated routes do not count (RT-4).
    let propagated = edit(&bad, |v| {
        for r in v["network"]["route_tables"][0]["routes"].as_array_mut().unwrap() {
            r["propagated"] = true.into();
        }
    });
    assert!(with_code(&lint::lint(&propagated), "VS502").is_empty());
    // The prefix list's entries count: with one entry fewer, 50 routes is within the quota.
    let smaller = edit(&bad, |v| {
        v["network"]["prefix_lists"][0]["cidrs"].as_array_mut().unwrap().pop();
    });
    assert!(with_code(&lint::lint(&smaller), "VS502").is_empty());
    // IPv6 routes are counted on their own.
    let v6 = edit(&case(VS502, "good"), |v| {
        let routes = v["network"]["route_tables"][0]["routes"].as_array_mut().unwrap();
        for k in 0..46 {
            routes.push(serde_json::json!({"destination": format!("2001:db8:{:x}::/48", 0x100 + k), "target": "vgw-onprem"}));
        }
    });
    assert!(load_errors(&v6).is_empty(), "{:?}", load_errors(&v6));
    let findings = lint::lint(&v6);
    let hits = with_code(&findings, "VS502");
    assert_eq!(hits.len(), 1, "{}", show(&findings));
    assert!(hits[0].message.contains("51 non-propagated IPv6 routes"), "{}", hits[0].message);
}

/// The playground lints with the network it already built: the same findings as `lint`.
#[test]
fn linting_with_a_built_network_gives_the_same_findings() {
    let mut compared = 0;
    for path in vpcsim_tests::corpus() {
        let loaded = vpcsim_tests::load(&path);
        let (net, diags) = vpcsim_core::Network::build(&loaded.scenario);
        let with = vpcsim_core::lint::lint_built(&loaded.scenario, Some((&net, &diags)));
        assert_eq!(with, vpcsim_core::lint::lint(&loaded.scenario), "{}", path.display());
        compared += usize::from(with.iter().any(|f| f.code == "VS303"));
    }
    assert!(compared > 0, "some corpus scenario has a VS303 finding");
}
