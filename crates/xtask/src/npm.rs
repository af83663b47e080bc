//! `dist/npm/`: the JavaScript API (`crates/vpcsim-wasm`) as an npm package.
//!
//! The wasm is built with the `wasm-fast` profile (opt-level 3: the API is for tools and
//! pages that trace a lot, where speed matters more than the download), bound by
//! wasm-bindgen twice (`--target web` at the package root, usable in browsers and, with
//! `initSync`, in Node; `--target bundler` under `bundler/`), optimised with binaryen's
//! `wasm-opt -O3` when it is installed, and given a `package.json` and a `README.md`
//! (templates `npm-package.json` and `npm-readme.md` next to this file).

use crate::install::{path_env, root, run};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The package's base name: `vpcsim.js`, `vpcsim.d.ts`, `vpcsim_bg.wasm` (also written in
/// `npm-package.json` and `npm-readme.md`).
pub const OUT_NAME: &str = "vpcsim";

/// The folder of the package.
pub fn dir() -> PathBuf {
    root().join("dist/npm")
}

/// wasm features the optimiser may keep and use: the ones rustc enables by default for
/// `wasm32-unknown-unknown` (every browser and Node 20 run them).
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Builds `dist/npm/` from scratch.
pub fn build() -> Result<(), String> {
    run(Command::new("cargo")
        .args(["build", "--profile", "wasm-fast", "--locked", "--target", "wasm32-unknown-unknown", "-p", "vpcsim-wasm"])
        .current_dir(root())
        .env("PATH", path_env()))?;
    let wasm = root().join("target/wasm32-unknown-unknown/wasm-fast/vpcsim_wasm.wasm");
    let out = dir();
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("cannot empty {}: {e}", out.display()))?;
    }
    let bundler = out.join("bundler");
    for (target, folder) in [("web", &out), ("bundler", &bundler)] {
        run(Command::new("wasm-bindgen")
            .args(["--target", target, "--out-name", OUT_NAME, "--out-dir"])
            .arg(folder)
            .arg(&wasm)
            .env("PATH", path_env()))?;
    }
    let bg = format!("{OUT_NAME}_bg.wasm");
    let (web_wasm, bundler_wasm) = (out.join(&bg), bundler.join(&bg));
    // Both targets import their glue as `./vpcsim_bg.js`, so the two modules are usually
    // the same bytes: optimise once (wasm-opt takes half a minute) and copy.
    let same = std::fs::read(&web_wasm).ok().is_some_and(|a| std::fs::read(&bundler_wasm).ok().is_some_and(|b| a == b));
    optimise(&web_wasm)?;
    if same {
        std::fs::copy(&web_wasm, &bundler_wasm).map_err(|e| format!("cannot copy to {}: {e}", bundler_wasm.display()))?;
    } else {
        optimise(&bundler_wasm)?;
    }
    write(&out.join("package.json"), &package_json()?)?;
    write(&out.join("README.md"), &readme())?;
    println!("  dist/npm:");
    for file in crate::install::files_under(&out)? {
        if file.extension().is_some_and(|e| e == "wasm") {
            let (raw, gz) = crate::steps::sizes(&file)?;
            let name = file.strip_prefix(&out).unwrap_or(&file).display().to_string();
            println!("    {name:<44} {raw:>9} bytes raw {gz:>9} bytes gzip");
        }
    }
    Ok(())
}

/// `wasm-opt -O3` in place, when binaryen's wasm-opt is on the PATH (`tests/js`'s npm
/// packages); the package is still complete without it.
fn optimise(wasm: &Path) -> Result<(), String> {
    let have = Command::new("wasm-opt").arg("--version").env("PATH", path_env()).output().is_ok_and(|o| o.status.success());
    if !have {
        println!("  wasm-opt not found (run `cargo xtask build` once to install it): {} is not optimised", wasm.display());
        return Ok(());
    }
    run(Command::new("wasm-opt").arg("-O3").args(WASM_FEATURES).arg(wasm).arg("-o").arg(wasm).env("PATH", path_env()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::File::create(path).and_then(|mut f| f.write_all(text.as_bytes())).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `package.json` from its template (written by hand: condition order matters in
/// `exports`, `types` first, and serde_json here does not keep key order). The bundler
/// entry instantiates the wasm when imported, hence `sideEffects`.
fn package_json() -> Result<String, String> {
    let text =
        include_str!("npm-package.json").replace("{VERSION}", env!("CARGO_PKG_VERSION")).replace("{LICENSE}", env!("CARGO_PKG_LICENSE"));
    serde_json::from_str::<serde_json::Value>(&text).map_err(|e| format!("npm-package.json is not JSON: {e}"))?;
    Ok(text)
}

fn readme() -> String {
    include_str!("npm-readme.md").replace("{VERSION}", env!("CARGO_PKG_VERSION"))
}
