//! Idempotent installs of the toolchain pieces the build and the tests need.
//! See `../shared/docs/toolchain.md` for why each version is what it is.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Trunk version: 0.22 needs a newer rustc than 1.95.
pub const TRUNK_VERSION: &str = "0.21.14";

/// The workspace root.
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or(manifest)
}

/// Runs a command, inheriting output; error if it fails.
/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| format!("cannot read {}: {e}", d.display()))?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = shown(cmd);
    let status = cmd.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

/// `program arg arg`, for messages.
pub fn shown(cmd: &Command) -> String {
    std::iter::once(cmd.get_program()).chain(cmd.get_args()).map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ")
}

/// Output of a command, or None if it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `node_modules/.bin` of the JS test package: wasm-opt, tsc and playwright-core live there.
pub fn node_bin() -> PathBuf {
    root().join("tests/js/node_modules/.bin")
}

/// PATH with the npm binaries and cargo's bin first.
pub fn path_env() -> String {
    let mut parts = vec![node_bin().display().to_string()];
    if let Some(home) =
        std::env::var_os("CARGO_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        parts.push(home.join("bin").display().to_string());
    }
    if let Ok(p) = std::env::var("PATH") {
        parts.push(p);
    }
    parts.join(":")
}

/// wasm-bindgen's version as locked in Cargo.lock.
pub fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.trim().strip_prefix("version = \"")).map(|v| v.trim_end_matches('"')) {
                return Ok(v.to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn installed_version(bin: &str, arg: &str) -> Option<String> {
    let out = output(Command::new(bin).arg(arg).env("PATH", path_env()))?;
    out.split_whitespace().nth(1).map(|v| v.trim_start_matches('v').to_owned())
}

/// The wasm32 target.
pub fn wasm_target() -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        println!("  wasm32-unknown-unknown: present");
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// Trunk at exactly [`TRUNK_VERSION`].
pub fn trunk() -> Result<(), String> {
    if installed_version("trunk", "--version").as_deref() == Some(TRUNK_VERSION) {
        println!("  trunk {TRUNK_VERSION}: present");
        return Ok(());
    }
    println!("  installing trunk {TRUNK_VERSION} (about 10 minutes on 2 cores)");
    run(Command::new("cargo").args(["install", "--locked", "trunk", "--version", &format!("={TRUNK_VERSION}")]))
}

/// wasm-bindgen-cli equal to the locked wasm-bindgen, and Trunk.toml agreeing with it.
pub fn wasm_bindgen_cli() -> Result<(), String> {
    let want = locked_wasm_bindgen()?;
    let trunk_toml = std::fs::read_to_string(root().join("Trunk.toml")).map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{want}\"")) {
        return Err(format!(
            "Trunk.toml [tools] wasm_bindgen must equal the wasm-bindgen in Cargo.lock ({want}), or Trunk tries to download it"
        ));
    }
    if installed_version("wasm-bindgen", "--version").as_deref() == Some(want.as_str()) {
        println!("  wasm-bindgen-cli {want}: present");
        return Ok(());
    }
    println!("  installing wasm-bindgen-cli {want} (about 4 minutes)");
    let version = format!("={want}");
    // --locked fails for this version (a crate it pins is missing from the registry):
    // try it first, then fall back (toolchain.md).
    run(Command::new("cargo").args(["install", "--locked", "wasm-bindgen-cli", "--version", &version]))
        .or_else(|_| run(Command::new("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &version])))
}

/// npm packages of tests/js (binaryen's wasm-opt, playwright-core, typescript's tsc), from the lockfile.
pub fn npm() -> Result<(), String> {
    let dir = root().join("tests/js");
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock).and_then(|m| m.modified()), std::fs::metadata(&stamp).and_then(|m| m.modified())) {
        (Ok(l), Ok(s)) => s >= l,
        _ => false,
    };
    if fresh && node_bin().join("wasm-opt").exists() && node_bin().join("tsc").exists() {
        println!("  npm packages: present");
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        return Err("npm is missing: install Node.js 20 and npm (apt-get install nodejs npm)".into());
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))
}

/// Debian's chromium and chromedriver, for browser tests.
pub fn chromium() -> Result<(), String> {
    let have = Path::new("/usr/bin/chromium").exists() && Path::new("/usr/bin/chromedriver").exists();
    if have {
        println!("  chromium and chromedriver: present");
        return Ok(());
    }
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    if !root_user {
        return Err("chromium and chromedriver are missing: run `sudo apt-get update && sudo apt-get install -y chromium chromium-driver`, then try again".into());
    }
    println!("  installing chromium and chromium-driver from Debian");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "chromium", "chromium-driver"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Everything the build needs (not the browser).
pub fn build_tools() -> Result<(), String> {
    wasm_target()?;
    run(Command::new("cargo").args(["fetch", "--locked"]).current_dir(root()))?;
    wasm_bindgen_cli()?;
    trunk()?;
    npm()
}
