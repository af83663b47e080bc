//! The steps of `serve`, `test`, `build` and `bench`.

use crate::install::{self, path_env, root, run};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Gzipped wasm budget (issue: fails above 400 KB).
const WASM_GZIP_BUDGET: u64 = 400 * 1000;

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

/// `cargo xtask build`.
pub fn build_only() -> Result<(), String> {
    install::build_tools()?;
    trunk_build()
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

/// Bytes and gzip bytes of the bundle's .wasm and .js, written to target/bundle-size.json.
fn bundle_size() -> Result<(), String> {
    let dist = root().join("dist");
    let mut report = serde_json::Map::new();
    let mut wasm_gz = 0;
    for entry in std::fs::read_dir(&dist).map_err(|e| format!("cannot read dist/: {e}"))?.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "wasm" && ext != "js" {
            continue;
        }
        let mut raw = Vec::new();
        std::fs::File::open(&path).and_then(|mut f| f.read_to_end(&mut raw)).map_err(|e| e.to_string())?;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&raw).map_err(|e| e.to_string())?;
        let gz = enc.finish().map_err(|e| e.to_string())?.len() as u64;
        if ext == "wasm" {
            wasm_gz = gz;
        }
        println!("  {:<48} {:>9} bytes raw {:>9} bytes gzip", path.file_name().and_then(|n| n.to_str()).unwrap_or(""), raw.len(), gz);
        report.insert(ext.to_owned(), serde_json::json!({"file": path.file_name().and_then(|n| n.to_str()), "raw": raw.len(), "gzip": gz}));
    }
    report.insert("budget_wasm_gzip".into(), serde_json::json!(WASM_GZIP_BUDGET));
    let target = root().join("target");
    std::fs::create_dir_all(&target).map_err(|e| e.to_string())?;
    std::fs::write(target.join("bundle-size.json"), serde_json::to_string_pretty(&report).unwrap_or_default())
        .map_err(|e| e.to_string())?;
    if wasm_gz == 0 {
        return Err("no .wasm in dist/".into());
    }
    if wasm_gz > WASM_GZIP_BUDGET {
        return Err(format!("the gzipped wasm is {wasm_gz} bytes, over the {WASM_GZIP_BUDGET}-byte budget"));
    }
    println!("  wasm gzip {wasm_gz} bytes, budget {WASM_GZIP_BUDGET} bytes: ok");
    Ok(())
}

fn e2e(counts: &mut Counts) -> Result<(), String> {
    let server = crate::serve_static::start(root().join("dist"), "/", false)?;
    let dir = root().join("tests/js");
    let mut files: Vec<String> = std::fs::read_dir(dir.join("e2e"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".test.mjs")))
        .filter_map(|p| p.strip_prefix(&dir).ok().map(|r| r.display().to_string()))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err("no tests/js/e2e/*.test.mjs".into());
    }
    let out = root().join("target/e2e");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut cmd = Command::new("node");
    cmd.arg("--test")
        .arg("--test-reporter=tap")
        .args(&files)
        .current_dir(&dir)
        .env("BASE_URL", format!("http://127.0.0.1:{}/", server.port))
        .env("E2E_OUT", &out);
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

/// `cargo xtask bench`.
pub fn bench() -> Result<(), String> {
    Err("no benchmark is defined yet".into())
}
