//! Times `vpcsim_core::reach::reachability` on the benchmark network of
//! [`vpcsim_tests::reach_bench`] and on every gallery scenario. Prints one line each.
//!
//! Also prints the measures of `reach_suite` (matrix, incremental update, "what blocks
//! this?", findings), as `cargo xtask bench` does natively.
//!
//! `cargo run --profile wasm-fast -p vpcsim-tests --bin vpcsim-reach-bench`

use std::time::Instant;
use vpcsim_core::reach::reachability;
use vpcsim_core::{Network, Scenario};

fn main() {
    let scenario: Scenario = match serde_json::from_value(vpcsim_tests::reach_bench::network()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("the benchmark network does not parse: {e}");
            std::process::exit(2);
        }
    };
    let (net, diags) = Network::build(&scenario);
    if vpcsim_tests::has_errors(&diags) {
        eprintln!("the benchmark network has errors: {diags:?}");
        std::process::exit(2);
    }
    // One trace's cost on this network, to read the matrix time as a number of traces.
    let probe =
        vpcsim_core::ProbeDoc { from: "i-0".into(), to: "i-21".into(), protocol: "tcp".into(), port: Some(443), ..Default::default() };
    let t = Instant::now();
    let n = 20_000;
    let reachable = (0..n).filter(|_| vpcsim_core::trace(&net, &probe).is_ok_and(|t| t.reachable)).count();
    let per_trace = t.elapsed().as_secs_f64() / f64::from(n);
    println!("one trace (i-0 -> i-21 tcp/443, reachable {}): {:.2} µs", reachable > 0, per_trace * 1e6);
    let t = Instant::now();
    let m = reachability(&net);
    let took = t.elapsed();
    let open = m.open_pairs();
    let ranges: usize = m.cells().map(|c| c.allowed.len()).sum();
    println!(
        "benchmark network (500 ENIs): {} cells, {open} with something allowed, {ranges} classes listed, in {:.3} s",
        m.pairs.len(),
        took.as_secs_f64()
    );
    let start = Instant::now();
    let clock = move || start.elapsed().as_secs_f64() * 1e3;
    match vpcsim_tests::reach_suite::run(&clock) {
        Ok(v) => println!("issue 7 measures: {v}"),
        Err(e) => println!("issue 7 measures failed: {e}"),
    }
    let mut files: Vec<_> = vpcsim_tests::corpus().into_iter().filter(|p| p.parent().is_some_and(|d| d.ends_with("gallery"))).collect();
    files.sort();
    for path in files {
        let loaded = vpcsim_tests::load(&path);
        let t = Instant::now();
        let m = reachability(&loaded.network);
        let took = t.elapsed();
        println!(
            "{}: {} cells in {:.2} ms",
            path.file_stem().map(|s| s.to_string_lossy()).unwrap_or_default(),
            m.pairs.len(),
            took.as_secs_f64() * 1e3
        );
    }
}
