//! `cargo xtask`: the project's commands and their helpers.
//!
//! - `serve`: install what is missing, build the release bundle, serve it on
//!   http://127.0.0.1:8080 (Trunk, rebuilding on change).
//! - `test`: every check, each a named, timed step; stops at the first failure.
//! - `build`: the static site into `dist/site/`.
//! - `dist`: the static site into `dist/site/` and the JavaScript API package into
//!   `dist/npm/`.
//! - `bench`: benchmarks (native and wasm in headless Chromium), never part of `test`.
//!
//! Installs are idempotent: each tool's version is checked first and nothing is
//! downloaded when it is already right. Nothing here fetches from outside crates.io,
//! npm, Debian and rustup.

mod install;
mod npm;
mod serve_static;
mod steps;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <serve|test|build|dist|bench|fuzz> [options]

  serve           install what is missing, build, serve http://127.0.0.1:8080
  test            run every check (installs, fmt, clippy, host tests, wasm tests,
                  npm package tests in node, release build, bundle size, browser
                  end-to-end tests)
  build           install what is missing and build the static site into dist/site/
  dist            build the static site into dist/site/ and the JavaScript API
                  package (wasm-bindgen web and bundler targets) into dist/npm/
  bench           benchmarks, native and wasm in headless Chromium
  fuzz [SECONDS]  run every cargo-fuzz target (nightly) for SECONDS each (default 300)

options for test:
  --skip-e2e      skip the browser end-to-end tests (local iteration only)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    let result = match cmd.as_str() {
        "serve" => steps::serve(),
        "test" => steps::test(&rest),
        "bench" => steps::bench(),
        "build" => steps::build_only(),
        "dist" => steps::dist(),
        "fuzz" => steps::fuzz(&rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
