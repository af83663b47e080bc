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
        + replay("terraform_import", vpcsim_core::ffi::fuzz_terraform_import)
        + replay("share_link", vpcsim_core::ffi::fuzz_share_link)
        + replay("host_message", vpcsim_core::embed::fuzz);
    assert!(n > 0, "no regression inputs found under tests/fuzz/regressions");
}

/// A v1 link made by another implementation (Python's zlib, raw deflate, base64url) reads:
/// the format is the documented one, and v1 links keep working in later versions.
#[test]
fn a_v1_link_made_elsewhere_opens_the_worked_example() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions/share_link");
    let link = std::fs::read_to_string(dir.join("worked-example")).unwrap();
    let shared = vpcsim_core::share::decode(&link).unwrap();
    let expected =
        vpcsim_core::scenario::parse(&std::fs::read_to_string(vpcsim_tests::scenarios_dir().join("gallery/worked-example.json")).unwrap())
            .unwrap();
    assert_eq!(shared.scenario, expected);
    assert_eq!(shared.probe.map(|p| p.port), Some(Some(22)));
    let bomb = std::fs::read_to_string(dir.join("decompression-bomb")).unwrap();
    assert_eq!(vpcsim_core::share::decode(&bomb).err().map(|d| d.code), Some("link-too-large"));
}
