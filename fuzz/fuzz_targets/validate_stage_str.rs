//! `validate_stage_str` on any text: a report or a JSON syntax error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = stagecraft_core::validate_stage_str(text);
});
