//! `apply(stage, ops)` on any stage and operations (two JSON documents separated by a NUL byte):
//! a stage or AWS's error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagecraft_core::{PatchOperation, Stage};

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (Ok(stage), Ok(ops)) = (
        serde_json::from_slice::<Stage>(&data[..split]),
        serde_json::from_slice::<Vec<PatchOperation>>(&data[split + 1..]),
    ) else {
        return;
    };
    let _ = stagecraft_core::apply(&stage, &ops);
});
