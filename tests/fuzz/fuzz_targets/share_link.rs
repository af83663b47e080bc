//! Property: decoding any text as a share link (the URL fragment after `#s=`) never
//! panics, whatever it claims to hold (run: cargo +nightly fuzz run --fuzz-dir tests/fuzz share_link).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vpcsim_core::ffi::fuzz_share_link(text);
    }
});
