//! `diff(before, after)` on any two stages (two JSON documents separated by a NUL byte): operations
//! or a `DiffError`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagecraft_core::Stage;

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|&b| b == 0) else {
        return;
    };
    let (Ok(before), Ok(after)) = (
        serde_json::from_slice::<Stage>(&data[..split]),
        serde_json::from_slice::<Stage>(&data[split + 1..]),
    ) else {
        return;
    };
    let _ = stagecraft_core::diff(&before, &after);
});
