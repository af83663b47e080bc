//! Test support for the scenario corpus: loading files, running their probes, and
//! rendering results for snapshots. The reference oracle lives in [`oracle`] and shares
//! no code with `vpcsim-core`'s evaluator.

pub mod bench;
pub mod gen;
pub mod oracle;
pub mod reach_bench;
pub mod reach_suite;

use std::path::{Path, PathBuf};
use vpcsim_core::ffi;
use vpcsim_core::{Diagnostic, Network, Scenario, Severity};

/// The corpus root, `tests/scenarios`.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Every scenario file of the corpus, sorted.
pub fn corpus() -> Vec<PathBuf> {
    let pattern = format!("{}/**/*.json", scenarios_dir().display());
    let mut files: Vec<PathBuf> = glob_paths(&pattern);
    files.sort();
    files
}

fn glob_paths(pattern: &str) -> Vec<PathBuf> {
    // A small recursive walk; `pattern` is always `<dir>/**/*.json`.
    let dir = PathBuf::from(pattern.trim_end_matches("/**/*.json"));
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out
}

/// A loaded scenario with its network and diagnostics.
pub struct Loaded {
    /// The document.
    pub scenario: Scenario,
    /// The network.
    pub network: Network,
    /// Load diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads one file; panics with the located error (this is a test helper).
pub fn load(path: &Path) -> Loaded {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let scenario = ffi::load_scenario(&text).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
    let (network, diagnostics) = Network::build(&scenario);
    Loaded { scenario, network, diagnostics }
}

/// Every `*.json` under `dir`, at any depth, sorted, with paths relative to `dir`: a
/// folder of AWS CLI outputs as the importer takes it. Panics on a folder or file it
/// cannot read.
pub fn read_json_folder(dir: &Path) -> Vec<vpcsim_core::import::InputFile> {
    read_json_folder_from(dir, dir)
}

/// [`read_json_folder`] with paths relative to `base`.
pub fn read_json_folder_from(dir: &Path, base: &Path) -> Vec<vpcsim_core::import::InputFile> {
    let mut paths = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())).flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                paths.push(p);
            }
        }
    }
    paths.sort();
    paths.iter().map(|p| read_json_file(p, base)).collect()
}

/// One file, its path relative to `base`. Panics when it cannot be read.
pub fn read_json_file(p: &Path, base: &Path) -> vpcsim_core::import::InputFile {
    vpcsim_core::import::InputFile {
        path: p.strip_prefix(base).unwrap_or(p).display().to_string(),
        text: std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    }
}

/// Renders every probe's trace of a scenario, for snapshots.
pub fn render(loaded: &Loaded) -> String {
    let mut out = String::new();
    for d in &loaded.diagnostics {
        out.push_str(&format!("diagnostic: {d}\n"));
    }
    for r in ffi::run_probes(&loaded.scenario, &loaded.network) {
        out.push_str(&format!("\n### probe {}: {}\n", r.index, r.name));
        match (&r.trace, &r.error) {
            (Some(t), _) => out.push_str(&t.to_string()),
            (None, Some(e)) => out.push_str(&format!("error: {e}\n")),
            (None, None) => {}
        }
    }
    out
}

/// Whether the load produced errors.
pub fn has_errors(d: &[Diagnostic]) -> bool {
    d.iter().any(|x| x.severity == Severity::Error)
}

/// A closure tracing the benchmark probe of [`bench::largest_path`] with the reference
/// oracle, for the side-by-side benchmark; `None` if the oracle cannot answer it.
pub fn bench_oracle(scenario: &serde_json::Value) -> Option<Box<dyn FnMut() -> bool>> {
    let world = oracle::World::from_json(scenario).ok()?;
    let (_, probe) = bench::largest_path();
    world.answer(&probe).ok()?;
    Some(Box::new(move || world.answer(&probe).is_ok_and(|a| a.request == "delivered")))
}
