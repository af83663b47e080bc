//! Native side of `cargo xtask bench`: times one trace over the largest path, in batches,
//! and writes the inputs for the wasm side. Prints one JSON object.
//!
//! Run through `cargo xtask bench`, which also runs the wasm side in headless Chromium
//! and prints both side by side.

use std::hint::black_box;
use std::time::Instant;
use vpcsim_core::{eval, Network, ProbeDoc, Scenario};

/// Median and best of `batches` batches of `iters` calls, in nanoseconds per call.
fn time(batches: usize, iters: usize, mut f: impl FnMut() -> bool) -> (f64, f64) {
    let mut per_call: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                black_box(f());
            }
            t.elapsed().as_nanos() as f64 / iters as f64
        })
        .collect();
    per_call.sort_by(f64::total_cmp);
    (per_call[per_call.len() / 2], per_call[0])
}

fn main() {
    let out_dir = std::env::args().nth(1).unwrap_or_else(|| "target/bench".into());
    std::fs::create_dir_all(&out_dir).expect("create the output folder");
    let (scenario_json, probe_json) = vpcsim_tests::bench::largest_path();
    std::fs::write(format!("{out_dir}/largest-path.json"), scenario_json.to_string()).expect("write the scenario");
    std::fs::write(format!("{out_dir}/largest-path-probe.json"), probe_json.to_string()).expect("write the probe");
    let scenario: Scenario = serde_json::from_value(scenario_json.clone()).expect("valid scenario");
    let probe: ProbeDoc = serde_json::from_value(probe_json).expect("valid probe");
    let (net, _diags) = Network::build(&scenario);
    let trace = eval::trace(&net, &probe).expect("traceable");
    assert!(trace.reachable, "the benchmark path must be reachable: {trace}");
    let n_checks: usize = trace.request.hops.iter().chain(trace.response.iter().flat_map(|r| r.hops.iter())).map(|h| h.checks.len()).sum();
    let iters: usize = std::env::var("BENCH_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let (median, best) = time(30, iters, || eval::trace(&net, &probe).is_ok_and(|t| t.reachable));
    let (build_median, _) = time(10, 5, || !Network::build(&scenario).0.n_enis() == 0);
    // Import a large account (AWS CLI outputs) and build it until it can be traced.
    let account = vpcsim_tests::bench::large_account();
    let files: Vec<vpcsim_core::import::InputFile> =
        account.iter().map(|(path, text)| vpcsim_core::import::InputFile { path: path.clone(), text: text.clone() }).collect();
    let account_json: Vec<serde_json::Value> = account.iter().map(|(path, text)| serde_json::json!({"path": path, "text": text})).collect();
    std::fs::write(format!("{out_dir}/large-account.json"), serde_json::Value::Array(account_json).to_string()).expect("write the account");
    let imported = vpcsim_core::import::aws::import(&files);
    let (account_net, account_diags) = Network::build(&imported.scenario);
    let errors = imported.diagnostics.iter().chain(&account_diags).filter(|d| d.severity == vpcsim_core::Severity::Error).count();
    assert_eq!(
        errors,
        0,
        "the benchmark account imports cleanly: {:?}",
        imported.diagnostics.iter().chain(&account_diags).take(5).collect::<Vec<_>>()
    );
    assert_eq!(account_net.n_enis(), 5000);
    if std::env::var_os("BENCH_PROFILE_IMPORT").is_some() {
        return; // one import and one build, for callgrind
    }
    let (import_median, _) = time(10, 1, || !vpcsim_core::import::aws::import(&files).scenario.network.instances.is_empty());
    let (import_build_median, _) = time(10, 1, || Network::build(&vpcsim_core::import::aws::import(&files).scenario).0.n_enis() == 5000);
    let oracle = vpcsim_tests::bench_oracle(&scenario_json);
    let oracle_json = match oracle {
        Some(mut f) => {
            let (m, b) = time(30, 200, &mut f);
            serde_json::json!({"median_ns": m, "best_ns": b})
        }
        None => serde_json::Value::Null,
    };
    // Issue 7: the whole-network measures, and the naive per-port oracle on one pair of
    // the same network (every TCP and UDP port and ICMP echo), scaled to all its pairs.
    let start = Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1e3;
    let reach = vpcsim_tests::reach_suite::run(&clock).expect("the reach benchmark runs");
    let reach_doc = vpcsim_tests::reach_bench::network();
    let world = vpcsim_tests::oracle::World::from_json(&reach_doc).expect("the oracle reads the benchmark network");
    let t = Instant::now();
    let mut open = 0usize;
    for protocol in ["tcp", "udp"] {
        for port in 0..=u16::MAX {
            let probe = serde_json::json!({"from": "i-0", "to": "i-21", "protocol": protocol, "port": port});
            let a = world.answer(&probe).expect("the oracle answers");
            open += usize::from(a.request != "dropped" && a.response != Some("dropped"));
        }
    }
    let icmp = world.answer(&serde_json::json!({"from": "i-0", "to": "i-21", "protocol": "icmp"})).expect("the oracle answers");
    black_box(icmp);
    let oracle_pair_ms = t.elapsed().as_secs_f64() * 1e3;
    let pairs = reach["matrix"]["cells"].as_f64().unwrap_or(0.0);
    println!(
        "{}",
        serde_json::json!({
            "reach": reach,
            "reach_oracle": {"pair_ms": oracle_pair_ms, "open_ports": open, "matrix_estimate_ms": oracle_pair_ms * pairs},
            "largest_path_trace": {"median_ns": median, "best_ns": best, "checks": n_checks},
            "largest_path_build": {"median_ns": build_median},
                        "largest_path_oracle": oracle_json,
            "import_large_account": {"median_ns": import_median},
            "import_and_build_large_account": {"median_ns": import_build_median},
        })
    );
}
