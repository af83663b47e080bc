//! Property: the embed options (a query string's pairs) and the postMessage parser never
//! panic, whatever a host page sends (run: cargo +nightly fuzz run --fuzz-dir tests/fuzz host_message).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vpcsim_core::embed::fuzz(text);
    }
});
