//! Property: parsing any text as a scenario, building its network and tracing its probes
//! never panics (run: cargo +nightly fuzz run --fuzz-dir tests/fuzz scenario).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vpcsim_core::ffi::fuzz_scenario(text);
    }
});
