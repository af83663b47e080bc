//! Inputs the fuzzers found (minimised) and seeds worth keeping, replayed natively on every
//! test run: each file under `tests/fuzz/regressions/<target>/` must not panic.

use std::path::Path;

fn replay(target: &str, f: fn(&str)) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            f(text);
            n += 1;
        }
    }
    n
}

#[test]
fn fuzz_regressions_do_not_panic() {
    let n = replay("scenario", vpcsim_core::ffi::fuzz_scenario)
        + replay("aws_import", vpcsim_core::ffi::fuzz_aws_import)
        + replay("terraform_import", vpcsim_core::ffi::fuzz_terraform_import);
    assert!(n > 0, "no regression inputs found under tests/fuzz/regressions");
}
