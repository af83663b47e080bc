//! The whole-network measures of issue 7, on the benchmark network of
//! [`reach_bench`](crate::reach_bench): the matrix from scratch, an incremental update after
//! one rule edit, "what blocks this?" for one failing flow, and the findings. Shared by
//! the native benchmark (`vpcsim-bench`) and the wasm one (`tests/wasm-bench`, run in
//! headless Chromium), which pass their own clock, so both time the same code.

use serde_json::{json, Value};
use vpcsim_core::model::Node;
use vpcsim_core::reach::{reachability, Engine, Update};
use vpcsim_core::{blockers, lint, Network, ProbeDoc, Scenario};

/// Median of the samples (milliseconds).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn scenario(doc: &Value) -> Result<Scenario, String> {
    serde_json::from_value(doc.clone()).map_err(|e| format!("the benchmark network does not parse: {e}"))
}

/// The first instance `i-0` cannot reach over TCP 3306: the flow "what blocks this?" explains.
fn failing_probe(net: &Network) -> Option<ProbeDoc> {
    (1..500).find_map(|k| {
        let probe = ProbeDoc { from: "i-0".into(), to: format!("i-{k}"), protocol: "tcp".into(), port: Some(3306), ..ProbeDoc::default() };
        vpcsim_core::trace(net, &probe).ok().filter(|t| !t.reachable).map(|_| probe)
    })
}

/// Runs every measure; `now` is a clock in milliseconds.
pub fn run(now: &dyn Fn() -> f64) -> Result<Value, String> {
    let doc = crate::reach_bench::network();
    let base = scenario(&doc)?;
    let t = now();
    let (net, _) = Network::build(&base);
    let build_ms = now() - t;

    let mut matrix_ms = Vec::new();
    let mut cells = (0, 0);
    for _ in 0..5 {
        let t = now();
        let m = reachability(&net);
        matrix_ms.push(now() - t);
        cells = (m.pairs.len(), m.open_pairs());
    }

    // One rule edit at a time: a group's first inbound rule opened to 10.0.0.0/8, then
    // reverted; each update is timed, the network builds are not.
    let mut edits = Vec::new();
    for k in 0..10 {
        let id = format!("sg-{}", (k * 7) % 50);
        let mut edited = doc.clone();
        let groups = edited.pointer_mut("/network/security_groups").and_then(Value::as_array_mut).ok_or("no groups")?;
        let group = groups.iter_mut().find(|g| g.get("id").and_then(Value::as_str) == Some(id.as_str())).ok_or("no such group")?;
        let rule = group.pointer_mut("/inbound/0").ok_or("no inbound rule")?;
        if let Some(m) = rule.as_object_mut() {
            m.remove("sg");
            m.insert("cidr".into(), json!("10.0.0.0/8"));
        }
        let (edited_net, _) = Network::build(&scenario(&edited)?);
        let Some(Node::Sg(g)) = edited_net.node(&id) else { return Err(format!("{id} is not a group")) };
        edits.push((edited_net, g));
    }
    let mut engine = Engine::new(&net);
    let (mut update_ms, mut touched) = (Vec::new(), Vec::new());
    for (edited_net, g) in &edits {
        for target in [edited_net, &net] {
            let t = now();
            let u = engine.update_rules(target, &[*g], &[]);
            update_ms.push(now() - t);
            match u {
                Update::Incremental { cells } => touched.push(cells as f64),
                Update::Rebuilt => return Err("a benchmark edit rebuilt the classes".into()),
            }
        }
    }
    let fresh = reachability(&net);
    if engine.matrix().cells().ne(fresh.cells()) {
        return Err("the updated matrix differs from a fresh one".into());
    }

    let probe = failing_probe(&net).ok_or("no failing flow from i-0")?;
    // As the playground asks: its network is already built (the row below adds the build).
    let mut blockers_ms = Vec::new();
    let mut found = 0;
    let mut work = base.clone();
    for _ in 0..5 {
        let t = now();
        let b = blockers::blockers_built(&mut work, &net, &probe).map_err(|d| d.to_string())?;
        blockers_ms.push(now() - t);
        found = b.blockers.len();
        if !b.complete || work != base {
            return Err("the blockers search did not complete, or changed the document".into());
        }
    }
    let mut blockers_build_ms = Vec::new();
    for _ in 0..5 {
        let t = now();
        let b = blockers::blockers(&base, &probe).map_err(|d| d.to_string())?;
        blockers_build_ms.push(now() - t);
        if b.blockers.len() != found {
            return Err("blockers and blockers_built disagree".into());
        }
    }

    let mut findings_ms = Vec::new();
    let mut findings = 0;
    for _ in 0..5 {
        let t = now();
        findings = lint::lint(&base).len();
        findings_ms.push(now() - t);
    }

    Ok(json!({
        "network": {"enis": net.n_enis(), "build_ms": build_ms},
        "matrix": {"median_ms": median(matrix_ms), "cells": cells.0, "open_cells": cells.1},
        "incremental": {"edits": update_ms.len(), "median_ms": median(update_ms), "median_cells": median(touched)},
        "blockers_with_build": {"median_ms": median(blockers_build_ms)},
        "blockers": {"median_ms": median(blockers_ms), "flow": format!("{} -> {} tcp/{}", probe.from, probe.to, probe.port.unwrap_or(0)), "blockers": found},
        "findings": {"median_ms": median(findings_ms), "findings": findings},
    }))
}
