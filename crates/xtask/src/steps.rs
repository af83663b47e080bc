//! The steps of `serve`, `test`, `build`, `dist` and `bench`.

use crate::install::{self, path_env, root, run};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Gzipped wasm budget of the playground's main module (`vpcsim-web-<hash>_bg.wasm`). The
/// walking skeleton's issue set 400 KB; the full editor (inspector, canvas editing,
/// importers in the page) measured 543 KB once serde code was shared, so the budget is
/// 600 KB; the Reach tab (the matrix drawn, the what-if view, talking to the worker, whose
/// wasm does the analysis) and two more lints took it to 629 KB, so the budget is 650 KB
/// (see README, "Bundle size"). Other modules (the lazily loaded worker's) are reported but
/// not budgeted.
const WASM_GZIP_BUDGET: u64 = 650 * 1000;

/// The static site, as Trunk writes it (Trunk.toml `dist`).
fn site_dir() -> PathBuf {
    root().join("dist/site")
}

/// Test counts read from the runners' closing lines.
#[derive(Default)]
struct Counts {
    passed: u64,
    failed: u64,
}

impl Counts {
    /// Reads `test result: ok. N passed; M failed` (cargo) and `# pass N` / `# fail N`
    /// or `ℹ pass N` (node's test runner).
    fn read(&mut self, line: &str) {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("test result: ") {
            let num = |key: &str| {
                rest.split(';').find_map(|part| {
                    part.trim()
                        .trim_start_matches("ok. ")
                        .trim_start_matches("FAILED. ")
                        .strip_suffix(key)
                        .and_then(|n| n.trim().parse::<u64>().ok())
                })
            };
            self.passed += num(" passed").unwrap_or(0);
            self.failed += num(" failed").unwrap_or(0);
        }
        for (prefix, failed) in [("# pass ", false), ("# fail ", true), ("ℹ pass ", false), ("ℹ fail ", true)] {
            if let Some(n) = l.strip_prefix(prefix).and_then(|n| n.trim().parse::<u64>().ok()) {
                if failed {
                    self.failed += n;
                } else {
                    self.passed += n;
                }
            }
        }
    }
}

/// Runs a command, streaming its stdout while counting test results.
fn run_counted(cmd: &mut Command, counts: &mut Counts) -> Result<(), String> {
    let shown = crate::install::shown(cmd);
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if let Some(out) = child.stdout.take() {
        let mut stdout = std::io::stdout();
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            counts.read(&line);
            let _ = writeln!(stdout, "{line}");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

struct Runner {
    results: Vec<(String, bool, f64)>,
    counts: Counts,
}

impl Runner {
    fn step(&mut self, name: &str, f: impl FnOnce(&mut Counts) -> Result<(), String>) -> Result<(), String> {
        println!("\n==> {name}");
        let t = Instant::now();
        let r = f(&mut self.counts);
        let secs = t.elapsed().as_secs_f64();
        println!("<== {name}: {} in {secs:.1}s", if r.is_ok() { "ok" } else { "FAILED" });
        self.results.push((name.to_owned(), r.is_ok(), secs));
        r.map_err(|e| format!("step `{name}` failed: {e}"))
    }

    fn summary(&self) {
        println!("\nsummary");
        for (name, ok, secs) in &self.results {
            println!("  {:<28} {:>6}  {secs:>7.1}s", name, if *ok { "ok" } else { "FAILED" });
        }
        let total: f64 = self.results.iter().map(|r| r.2).sum();
        println!("  {:<28} {:>6}  {total:>7.1}s", "total", "");
        println!("tests: {} passed, {} failed", self.counts.passed, self.counts.failed);
    }
}

fn cargo(args: &[&str]) -> Command {
    let mut c = Command::new("cargo");
    c.args(args).current_dir(root()).env("PATH", path_env());
    c
}

fn trunk_build() -> Result<(), String> {
    run(Command::new("trunk").args(["build", "--release", "--offline"]).current_dir(root()).env("PATH", path_env()))
}

/// `cargo xtask build`: the static site into dist/site/.
pub fn build_only() -> Result<(), String> {
    install::build_tools()?;
    trunk_build()?;
    println!("built the static site into {}", site_dir().display());
    Ok(())
}

/// `cargo xtask dist`: the static site into dist/site/ and the JavaScript API package
/// into dist/npm/.
pub fn dist() -> Result<(), String> {
    install::build_tools()?;
    println!("==> dist/site (trunk build --release)");
    trunk_build()?;
    bundle_size()?;
    println!("==> dist/npm (the JavaScript API)");
    crate::npm::build()?;
    println!("built {} and {}", site_dir().display(), crate::npm::dir().display());
    Ok(())
}

/// `cargo xtask serve`.
pub fn serve() -> Result<(), String> {
    install::build_tools()?;
    trunk_build()?;
    println!("\nvpcsim is served at http://127.0.0.1:8080/  (Ctrl+C to stop; edits rebuild)\n");
    run(Command::new("trunk")
        .args(["serve", "--release", "--offline", "--address", "127.0.0.1", "--port", "8080", "--no-autoreload"])
        .current_dir(root())
        .env("PATH", path_env()))
}

/// Raw and gzipped (best compression) sizes of a file.
pub fn sizes(path: &Path) -> Result<(u64, u64), String> {
    let mut raw = Vec::new();
    std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut raw)).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&raw).map_err(|e| e.to_string())?;
    let gz = enc.finish().map_err(|e| e.to_string())?.len() as u64;
    Ok((raw.len() as u64, gz))
}

/// Every `.wasm` and `.js` file under `dir`, sorted.
fn code_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    Ok(install::files_under(dir)?.into_iter().filter(|p| p.extension().is_some_and(|x| x == "wasm" || x == "js")).collect())
}

/// Sizes of every .wasm and .js of the site, written to target/bundle-size.json; the
/// playground's main wasm (`vpcsim-web*.wasm`) must stay under [`WASM_GZIP_BUDGET`]
/// gzipped. A lazily loaded module (the importers' `vpcsim-wasm_bg.wasm`) is reported
/// but not budgeted.
fn bundle_size() -> Result<(), String> {
    let site = site_dir();
    let mut files = Vec::new();
    let mut main_wasm = Vec::new();
    let mut main_js = Vec::new();
    for path in code_files(&site)? {
        let (raw, gz) = sizes(&path)?;
        let name = path.strip_prefix(&site).unwrap_or(&path).display().to_string();
        let base = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_wasm = path.extension().is_some_and(|x| x == "wasm");
        let app = base.starts_with("vpcsim-web");
        let role = match (is_wasm, app) {
            (true, true) => "app wasm, budgeted",
            (true, false) => "wasm",
            (false, true) => "app js",
            (false, false) => "js",
        };
        println!("  {name:<52} {raw:>9} bytes raw {gz:>9} bytes gzip  ({role})");
        let entry = serde_json::json!({"file": name, "raw": raw, "gzip": gz});
        match (is_wasm, app) {
            (true, true) => main_wasm.push((entry.clone(), gz)),
            (false, true) => main_js.push(entry.clone()),
            _ => {}
        }
        files.push(entry);
    }
    let mut report = serde_json::Map::new();
    // `wasm` and `js`: the playground's own module and glue, as before the split.
    if let Some((entry, _)) = main_wasm.first() {
        report.insert("wasm".into(), entry.clone());
    }
    if let Some(entry) = main_js.first() {
        report.insert("js".into(), entry.clone());
    }
    report.insert("files".into(), serde_json::Value::Array(files));
    report.insert("budget_wasm_gzip".into(), serde_json::json!(WASM_GZIP_BUDGET));
    let target = root().join("target");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    std::fs::write(target.join("bundle-size.json"), serde_json::to_string_pretty(&report).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    if main_wasm.is_empty() {
        return Err(format!("no vpcsim-web*.wasm in {}", site.display()));
    }
    for (entry, gz) in &main_wasm {
        if *gz > WASM_GZIP_BUDGET {
            return Err(format!("the gzipped app wasm {} is {gz} bytes, over the {WASM_GZIP_BUDGET}-byte budget", entry["file"]));
        }
        println!("  app wasm gzip {gz} bytes, budget {WASM_GZIP_BUDGET} bytes: ok");
    }
    Ok(())
}

/// The `*.test.mjs` files of `tests/js/<folder>`, relative to `tests/js`, sorted.
fn node_tests(folder: &str) -> Result<Vec<String>, String> {
    let dir = root().join("tests/js");
    let mut files: Vec<String> = std::fs::read_dir(dir.join(folder))
        .map_err(|e| format!("cannot read tests/js/{folder}: {e}"))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".test.mjs")))
        .filter_map(|p| p.strip_prefix(&dir).ok().map(|r| r.display().to_string()))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no tests/js/{folder}/*.test.mjs"));
    }
    Ok(files)
}

/// The browser end-to-end tests against dist/site, served at the root (`BASE_URL`) and
/// under `/vpcsim/` as on GitHub Pages (`SUBPATH_URL`).
fn e2e(counts: &mut Counts) -> Result<(), String> {
    let server = crate::serve_static::start(site_dir(), "/", false)?;
    let subpath = crate::serve_static::start(site_dir(), "/vpcsim/", false)?;
    let dir = root().join("tests/js");
    let files = node_tests("e2e")?;
    let out = root().join("target/e2e");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut cmd = Command::new("node");
    cmd.arg("--test")
        .arg("--test-reporter=tap")
        .args(&files)
        .current_dir(&dir)
        .env("BASE_URL", format!("http://127.0.0.1:{}/", server.port))
        .env("SUBPATH_URL", format!("http://127.0.0.1:{}/vpcsim/", subpath.port))
        .env("E2E_OUT", &out);
    run_counted(&mut cmd, counts)
}

/// The npm package in Node: builds dist/npm, type-checks `tests/js/npm/types-check.ts`
/// against its `.d.ts` (tsc, strict), runs `tests/js/npm/*.test.mjs`.
fn npm_package_tests(counts: &mut Counts) -> Result<(), String> {
    crate::npm::build()?;
    let dir = root().join("tests/js");
    run(Command::new("tsc").args(["--noEmit", "-p", "npm/tsconfig.json"]).current_dir(&dir).env("PATH", path_env()))?;
    println!("  tsc --noEmit -p npm/tsconfig.json: ok");
    let files = node_tests("npm")?;
    let mut cmd = Command::new("node");
    cmd.arg("--test").arg("--test-reporter=tap").args(&files).current_dir(&dir).env("NPM_DIR", crate::npm::dir());
    run_counted(&mut cmd, counts)
}

/// `cargo xtask test`.
pub fn test(args: &[&str]) -> Result<(), String> {
    let skip_e2e = args.contains(&"--skip-e2e");
    let mut r = Runner { results: Vec::new(), counts: Counts::default() };
    let res = (|| {
        r.step("install tools", |_| {
            install::build_tools()?;
            install::chromium()
        })?;
        r.step("cargo fmt --check", |_| run(&mut cargo(&["fmt", "--all", "--check"])))?;
        r.step("cargo clippy -D warnings", |_| {
            run(&mut cargo(&["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]))
        })?;
        r.step("host tests", |c| run_counted(cargo(&["test", "--workspace", "--locked"]).env("INSTA_UPDATE", "no"), c))?;
        r.step("wasm tests (headless chromium)", |c| {
            run_counted(
                cargo(&["test", "--locked", "--target", "wasm32-unknown-unknown", "-p", "vpcsim-wasm"])
                    .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
                c,
            )
        })?;
        r.step("npm package (node)", npm_package_tests)?;
        r.step("release build (trunk)", |_| trunk_build())?;
        r.step("bundle size", |_| bundle_size())?;
        if !skip_e2e {
            r.step("browser end-to-end tests", e2e)?;
        }
        Ok::<(), String>(())
    })();
    r.summary();
    res
}

const BENCH_PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>vpcsim bench</title><link rel="icon" href="data:,"></head>
<body><pre id="out">running</pre>
<script type="module">
import init, { Session, importAws, importAwsJson } from './pkg/vpcsim_wasm.js';
import initBench, { reachSuite } from './pkg-bench/vpcsim_wasm_bench.js';
function stats(samples) { const s = [...samples].sort((a, b) => a - b); return { median_ns: s[Math.floor(s.length / 2)], best_ns: s[0] }; }
try {
  await init();
  const scenario = await (await fetch('../largest-path.json')).text();
  const probe = await (await fetch('../largest-path-probe.json')).text();
  const session = new Session(scenario);
  const iters = 400, samples = [];
  if (session.traceBatch(probe, 50) !== 50) throw new Error('the benchmark path is not reachable');
  // Warm up for a second so V8 tiers up from Liftoff to TurboFan before timing.
  const warm = performance.now();
  while (performance.now() - warm < 1000) session.traceBatch(probe, 200);
  for (let b = 0; b < 30; b++) {
    const t = performance.now();
    const n = session.traceBatch(probe, iters);
    const dt = performance.now() - t;
    if (n !== iters) throw new Error('unexpected verdict');
    samples.push(dt * 1e6 / iters);
  }
    const t = performance.now();
  for (let k = 0; k < 5; k++) new Session(scenario).free();
  const build_ns = (performance.now() - t) * 1e6 / 5;
  // As the page's import worker passes them: an array of {path, text}, one per file.
  const account = await (await fetch('../../large-account.json')).json();
  const imports = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const r = importAws(account);
    imports.push((performance.now() - t0) * 1e6);
    if (r.type !== 'success') throw new Error('import failed');
  }
  // As the site's import worker calls it: the answer stays JSON text.
  const texts = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const r = importAwsJson(account);
    texts.push((performance.now() - t0) * 1e6);
    if (!r.startsWith('{"type":"success"')) throw new Error('import failed: ' + r.slice(0, 200));
  }
  await initBench();
  const reach = JSON.parse(reachSuite());
  window.benchResult = { largest_path_trace: stats(samples), largest_path_build: { median_ns: build_ns }, import_and_build_large_account: stats(imports), import_and_build_large_account_text: stats(texts), reach };
  document.getElementById('out').textContent = JSON.stringify(window.benchResult, null, 2);
} catch (e) { window.benchError = String(e && e.stack || e); }
</script></body></html>
"#;

fn ns(v: &serde_json::Value, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(v, |acc, k| acc.get(k)).and_then(serde_json::Value::as_f64)
}

/// `cargo xtask bench`: native and wasm (headless Chromium) side by side, one run.
pub fn bench() -> Result<(), String> {
    install::build_tools()?;
    install::chromium()?;
    let out = root().join("target/bench");
    let www = out.join("www");
    std::fs::create_dir_all(www.join("pkg")).map_err(|e| e.to_string())?;
    println!("==> native");
    let native_out =
        install::output(cargo(&["run", "--quiet", "--release", "--locked", "-p", "vpcsim-tests", "--bin", "vpcsim-bench", "--"]).arg(&out))
            .ok_or("the native benchmark failed")?;
    let native: serde_json::Value = serde_json::from_str(native_out.trim()).map_err(|e| format!("native output: {e}: {native_out}"))?;
    println!("==> wasm (headless chromium)");
    // Two builds: `release` (opt-level z, what the site ships) and `wasm-fast`
    // (opt-level 3, what the JavaScript API package ships).
    let server = crate::serve_static::start(out.clone(), "/", true)?;
    let mut wasm_runs = Vec::new();
    for profile in ["release", "wasm-fast"] {
        run(&mut cargo(&[
            "build",
            "--quiet",
            "--profile",
            profile,
            "--locked",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "vpcsim-wasm",
            // The reachability measures (issue 7): the same Rust as the native side.
            "-p",
            "vpcsim-wasm-bench",
        ]))?;
        let page = www.join(profile);
        for (dir, wasm) in [("pkg", "vpcsim_wasm"), ("pkg-bench", "vpcsim_wasm_bench")] {
            std::fs::create_dir_all(page.join(dir)).map_err(|e| e.to_string())?;
            run(Command::new("wasm-bindgen")
                .args(["--target", "web", "--out-dir"])
                .arg(page.join(dir))
                .arg(root().join(format!("target/wasm32-unknown-unknown/{profile}/{wasm}.wasm")))
                .env("PATH", path_env()))?;
        }
        std::fs::write(page.join("index.html"), BENCH_PAGE.replace("../largest-path", "../../largest-path")).map_err(|e| e.to_string())?;
        let url = format!("http://127.0.0.1:{}/www/{profile}/index.html", server.port);
        let out = install::output(Command::new("node").arg("bench/run.mjs").arg(&url).current_dir(root().join("tests/js")))
            .ok_or_else(|| format!("the wasm benchmark ({profile}) failed in chromium"))?;
        let v: serde_json::Value = serde_json::from_str(out.trim()).map_err(|e| format!("wasm output: {e}: {out}"))?;
        wasm_runs.push(v);
    }
    let wasm = wasm_runs.first().cloned().unwrap_or_default();
    let fast = wasm_runs.get(1).cloned().unwrap_or_default();
    let us = |v: Option<f64>| v.map(|x| format!("{:.1} µs", x / 1000.0)).unwrap_or_else(|| "n/a".into());
    let ms = |v: Option<f64>| v.map(|x| format!("{:.1} ms", x / 1e6)).unwrap_or_else(|| "n/a".into());
    let ratio = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "n/a".into(),
    };
    let core_native = ns(&native, &["largest_path_trace", "median_ns"]);
    let core_wasm = ns(&wasm, &["largest_path_trace", "median_ns"]);
    let oracle_native = ns(&native, &["largest_path_oracle", "median_ns"]);
    let core_fast = ns(&fast, &["largest_path_trace", "median_ns"]);
    let build_native = ns(&native, &["largest_path_build", "median_ns"]);
    let build_wasm = ns(&wasm, &["largest_path_build", "median_ns"]);
    let build_fast = ns(&fast, &["largest_path_build", "median_ns"]);
    let row = |name: &str, cells: [String; 6]| {
        println!("{name:<36} {:>10} {:>11} {:>11} {:>10} {:>10} {:>13}", cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]);
    };
    println!();
    row(
        "measure (median of 30 batches)",
        ["native".into(), "wasm -Oz".into(), "wasm -O3".into(), "Oz/native".into(), "O3/native".into(), "target".into()],
    );
    row(
        "trace, largest path: vpcsim-core",
        [
            us(core_native),
            us(core_wasm),
            us(core_fast),
            ratio(core_wasm, core_native),
            ratio(core_fast, core_native),
            "< 20 µs wasm".into(),
        ],
    );
    row("trace, largest path: naive oracle", [us(oracle_native), "-".into(), "-".into(), "-".into(), "-".into(), "-".into()]);
    row(
        "oracle / vpcsim-core, native",
        [ratio(oracle_native, core_native), String::new(), String::new(), String::new(), String::new(), String::new()],
    );
    row(
        "build the largest-path network",
        [ms(build_native), ms(build_wasm), ms(build_fast), ratio(build_wasm, build_native), ratio(build_fast, build_native), String::new()],
    );
    let imp_native = ns(&native, &["import_and_build_large_account", "median_ns"]);
    let imp_wasm = ns(&wasm, &["import_and_build_large_account", "median_ns"]);
    let imp_fast = ns(&fast, &["import_and_build_large_account", "median_ns"]);
    row(
        "import+build 5,000 ENIs, 1,000x50 SG, 200 NACL",
        [ms(imp_native), ms(imp_wasm), ms(imp_fast), ratio(imp_wasm, imp_native), ratio(imp_fast, imp_native), "< 300 ms wasm".into()],
    );
    let text_wasm = ns(&wasm, &["import_and_build_large_account_text", "median_ns"]);
    let text_fast = ns(&fast, &["import_and_build_large_account_text", "median_ns"]);
    row(
        "  the same as the site's worker asks (JSON text answer)",
        [String::new(), ms(text_wasm), ms(text_fast), ratio(text_wasm, imp_native), ratio(text_fast, imp_native), "< 300 ms wasm".into()],
    );
    row(
        "  of which import only (native)",
        [
            ms(ns(&native, &["import_large_account", "median_ns"])),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ],
    );
    // Issue 7: the whole network, 500 ENIs, 50 SGs x 60 rules, 20 subnets x 20-entry NACLs.
    let ms_at = |v: &serde_json::Value, path: &[&str]| ns(v, path).map(|x| format!("{x:.1} ms")).unwrap_or_else(|| "n/a".into());
    let ratio_at = |v: &serde_json::Value, path: &[&str]| ratio(ns(v, path), ns(&native, path));
    println!();
    row(
        "reach: 500 ENIs (median)",
        ["native".into(), "wasm -Oz".into(), "wasm -O3".into(), "Oz/native".into(), "O3/native".into(), "target (wasm)".into()],
    );
    for (label, key, target) in [
        ("all-pairs matrix from scratch", "matrix", "< 100 ms"),
        ("incremental update, one rule edit: narrow", "incremental", "< 2 ms"),
        ("  wide (all traffic opened to a group)", "incremental_wide", "< 2 ms"),
        ("what blocks this? one flow", "blockers", "< 5 ms"),
        ("  the same, building the network too", "blockers_with_build", "-"),
        ("findings, whole network", "findings", "< 50 ms"),
    ] {
        let path = ["reach", key, "median_ms"];
        row(
            label,
            [
                ms_at(&native, &path),
                ms_at(&wasm, &path),
                ms_at(&fast, &path),
                ratio_at(&wasm, &path),
                ratio_at(&fast, &path),
                target.into(),
            ],
        );
    }
    let oracle_ms = ns(&native, &["reach_oracle", "matrix_estimate_ms"]);
    row(
        "naive per-port oracle, whole matrix",
        [
            oracle_ms.map(|x| format!("{:.0} s", x / 1e3)).unwrap_or_else(|| "n/a".into()),
            "-".into(),
            "-".into(),
            "-".into(),
            "-".into(),
            "estimated".into(),
        ],
    );
    println!(
        "  the oracle answered every TCP and UDP port and ICMP echo for one pair in {}, scaled to {} pairs; it is {} the matrix (native)",
        ms_at(&native, &["reach_oracle", "pair_ms"]),
        ns(&native, &["reach", "matrix", "cells"]).unwrap_or(0.0),
        ratio(oracle_ms, ns(&native, &["reach", "matrix", "median_ms"])).replace('x', "x slower than")
    );
    for (label, key) in [("narrow", "incremental"), ("wide", "incremental_wide")] {
        println!(
            "  incremental, {label}: per edit {} cells recomputed, {} changed (medians, of {})",
            ns(&native, &["reach", key, "median_cells"]).unwrap_or(0.0),
            ns(&native, &["reach", key, "median_changed"]).unwrap_or(0.0),
            ns(&native, &["reach", "matrix", "cells"]).unwrap_or(0.0),
        );
    }
    println!("  blockers flow: {}", native["reach"]["blockers"]["flow"].as_str().unwrap_or("?"));
    println!(
        "wasm timer: cross-origin isolated = {}",
        wasm.get("cross_origin_isolated").and_then(serde_json::Value::as_bool).unwrap_or(false)
    );
    // The playground itself: the shipped site, in headless Chromium.
    println!("==> playground (headless chromium, release site)");
    trunk_build()?;
    let site = crate::serve_static::start(site_dir(), "/", false)?;
    let url = format!("http://127.0.0.1:{}/", site.port);
    let out = install::output(
        Command::new("node").arg("bench/playground.mjs").arg(&url).arg(out.join("large-account.json")).current_dir(root().join("tests/js")),
    )
    .ok_or("the playground benchmark failed in chromium")?;
    let playground: serde_json::Value = serde_json::from_str(out.trim()).map_err(|e| format!("playground output: {e}: {out}"))?;
    let num = |path: &[&str]| path.iter().try_fold(&playground, |acc, k| acc.get(k)).and_then(serde_json::Value::as_f64);
    println!();
    println!("{:<36} {:>12} {:>16}", "playground (release site)", "measured", "target");
    println!(
        "{:<36} {:>12} {:>16}",
        "first paint after the wasm loads",
        num(&["first_paint", "after_wasm_ms"]).map(|v| format!("{v:.0} ms")).unwrap_or_else(|| "n/a".into()),
        "< 300 ms"
    );
    println!(
        "{:<36} {:>12} {:>16}",
        format!("bulk send, {} packets", num(&["bulk", "packets"]).unwrap_or(0.0)),
        num(&["bulk", "fps"]).map(|v| format!("{v:.1} fps")).unwrap_or_else(|| "n/a".into()),
        ">= 55 fps, >= 250"
    );
    println!(
        "{:<36} {:>12}",
        "  p95 frame time",
        num(&["bulk", "p95_frame_ms"]).map(|v| format!("{v:.1} ms")).unwrap_or_else(|| "n/a".into())
    );
    // The large account opened in the page, both ways the bench does it.
    for (label, key) in [("import in the page, cold worker", "site_import"), ("import via Open…, picked after 1 s", "site_import_picker")]
    {
        let ms = |field: &str| num(&[key, field]).map(|v| format!("{v:.0} ms")).unwrap_or_else(|| "n/a".into());
        println!("{:<36} {:>12} {:>16}", label, ms("worker_median_ms"), "< 300 ms wasm");
        println!("{:<36} {:>12}", "  files chosen to diagram drawn", ms("median_ms"));
    }
    let report = serde_json::json!({"native": native, "wasm_release_oz": wasm, "wasm_fast_o3": fast, "playground": playground});
    std::fs::write(root().join("target/bench.json"), serde_json::to_string_pretty(&report).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    println!("wrote target/bench.json");
    Ok(())
}

/// `cargo xtask fuzz [SECONDS]`: every target of `tests/fuzz` for SECONDS each, seeded
/// with the scenario corpus, the Terraform fixtures and (when present) the AWS samples.
/// Finds land in `tests/fuzz/artifacts/`; minimise them and add them to
/// `tests/fuzz/regressions/<target>/`, which the normal tests replay.
pub fn fuzz(args: &[&str]) -> Result<(), String> {
    let seconds: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(300);
    let have = install::output(Command::new("cargo").args(["+nightly", "fuzz", "--version"]).env("PATH", path_env())).is_some();
    if !have {
        run(Command::new("cargo").args(["+nightly", "install", "cargo-fuzz", "--locked"]))?;
    }
    let fuzz_dir = root().join("tests/fuzz");
    let seeds: Vec<(&str, Vec<std::path::PathBuf>)> = vec![
        ("scenario", vec![root().join("tests/scenarios"), fuzz_dir.join("regressions/scenario")]),
        ("aws_import", vec![root().join("../shared/aws-samples/batfish"), fuzz_dir.join("regressions/aws_import")]),
        ("terraform_import", vec![root().join("tests/fixtures/terraform"), fuzz_dir.join("regressions/terraform_import")]),
        ("share_link", vec![fuzz_dir.join("regressions/share_link")]),
        ("host_message", vec![fuzz_dir.join("regressions/host_message")]),
    ];
    let mut report = Vec::new();
    for (target, dirs) in seeds {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        // libFuzzer reads seed folders flat: copy JSON seeds found recursively.
        // A seed folder that is absent (the AWS samples) gives no seeds.
        for p in dirs.iter().flat_map(|d| install::files_under(d).unwrap_or_default()) {
            if let Some(name) = p.file_name() {
                let _ = std::fs::copy(&p, corpus.join(name));
            }
        }
        println!("==> fuzz {target} for {seconds}s");
        let out = Command::new("cargo")
            .args(["+nightly", "fuzz", "run", "--fuzz-dir"])
            .arg(&fuzz_dir)
            .arg(target)
            .arg(&corpus)
            .args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1", "-max_len=65536"])
            .current_dir(root())
            .env("PATH", path_env())
            .output()
            .map_err(|e| e.to_string())?;
        let err = String::from_utf8_lossy(&out.stderr);
        let execs =
            err.lines().find_map(|l| l.strip_prefix("stat::number_of_executed_units:")).map(|n| n.trim().to_owned()).unwrap_or_default();
        let rate = err.lines().find_map(|l| l.strip_prefix("stat::average_exec_per_sec:")).map(|n| n.trim().to_owned()).unwrap_or_default();
        let ok = out.status.success();
        println!(
            "<== {target}: {} executions ({} per second): {}",
            execs,
            rate,
            if ok { "no crash" } else { "CRASH (see tests/fuzz/artifacts)" }
        );
        if !ok {
            eprintln!("{}", err.lines().rev().take(30).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n"));
        }
        report.push((target, execs, rate, ok));
    }
    let failed: Vec<&str> = report.iter().filter(|r| !r.3).map(|r| r.0).collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzz targets crashed: {}", failed.join(", ")))
    }
}
