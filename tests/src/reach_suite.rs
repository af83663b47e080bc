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

    // One rule edit at a time, each applied then reverted; the updates are timed, the
    // network builds are not. Two kinds of edit on the first inbound rule of ten groups:
    // - narrow: its source group widened to 10.0.0.0/8 (its port stays closed in most
    //   members' outbound rules, so few or no flows change);
    // - wide: replaced by all traffic from 10.0.0.0/16 (every flow toward the group's
    //   members that their senders and ACLs let through opens: about 11,000 cells).
    let narrow = |rule: &mut Value| {
        if let Some(m) = rule.as_object_mut() {
            m.remove("sg");
            m.insert("cidr".into(), json!("10.0.0.0/8"));
        }
    };
    let wide = |rule: &mut Value| *rule = json!({"protocol": "all", "cidr": "10.0.0.0/16"});
    let mut kinds = Vec::new();
    for edit in [&narrow as &dyn Fn(&mut Value), &wide] {
        let mut edits = Vec::new();
        for k in 0..10 {
            let id = format!("sg-{}", (k * 7) % 50);
            let mut edited = doc.clone();
            let groups = edited.pointer_mut("/network/security_groups").and_then(Value::as_array_mut).ok_or("no groups")?;
            let group = groups.iter_mut().find(|g| g.get("id").and_then(Value::as_str) == Some(id.as_str())).ok_or("no such group")?;
            edit(group.pointer_mut("/inbound/0").ok_or("no inbound rule")?);
            let (edited_net, _) = Network::build(&scenario(&edited)?);
            let Some(Node::Sg(g)) = edited_net.node(&id) else { return Err(format!("{id} is not a group")) };
            edits.push((edited_net, g));
        }
        let mut engine = Engine::new(&net);
        let (mut update_ms, mut touched, mut changed) = (Vec::new(), Vec::new(), Vec::new());
        for (edited_net, g) in &edits {
            for target in [edited_net, &net] {
                let before: Vec<u32> = engine.matrix().pairs.iter().map(|p| p.set).collect();
                let t = now();
                let u = engine.update_rules(target, &[*g], &[]);
                update_ms.push(now() - t);
                match u {
                    Update::Incremental { cells } => touched.push(cells as f64),
                    Update::Rebuilt => return Err("a benchmark edit rebuilt the classes".into()),
                }
                changed.push(engine.matrix().pairs.iter().zip(&before).filter(|(p, b)| p.set != **b).count() as f64);
            }
        }
        let fresh = reachability(&net);
        if engine.matrix().cells().ne(fresh.cells()) {
            return Err("the updated matrix differs from a fresh one".into());
        }
        kinds.push(json!({"edits": update_ms.len(), "median_ms": median(update_ms), "median_cells": median(touched), "median_changed": median(changed)}));
    }
    let [incremental, incremental_wide] = <[Value; 2]>::try_from(kinds).map_err(|_| "two kinds of edit")?;

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
        "incremental": incremental,
        "incremental_wide": incremental_wide,
        "blockers_with_build": {"median_ms": median(blockers_build_ms)},
        "blockers": {"median_ms": median(blockers_ms), "flow": format!("{} -> {} tcp/{}", probe.from, probe.to, probe.port.unwrap_or(0)), "blockers": found},
        "findings": {"median_ms": median(findings_ms), "findings": findings},
    }))
}
