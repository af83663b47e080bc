//! Property: importing any text as `terraform show -json` never panics, and what it produces builds.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        vpcsim_core::ffi::fuzz_terraform_import(text);
    }
});
