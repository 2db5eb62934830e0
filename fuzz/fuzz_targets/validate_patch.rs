//! `validate_patch` on any JSON document: a report, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = stagecraft_core::validate_patch(&doc);
    }
});
