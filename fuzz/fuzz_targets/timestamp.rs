//! The ISO-8601 timestamp parser (and a timestamp read from JSON): never a panic, never a value
//! that is not a finite number of seconds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagecraft_core::Timestamp;

fuzz_target!(|text: &str| {
    if let Some(t) = Timestamp::parse_iso8601(text) {
        assert!(t.0.is_finite(), "{text:?} → {}", t.0);
    }
    if let Ok(t) = serde_json::from_str::<Timestamp>(text) {
        // JSON numbers are finite; a string goes through the parser above.
        assert!(t.0.is_finite(), "{text:?} → {}", t.0);
    }
});
