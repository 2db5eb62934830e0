//! The method-setting key codec: parsing any text never panics, a canonical key re-encodes to itself,
//! and encoding any resource path and method (text separated by a NUL byte) parses back to them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stagecraft_core::key::is_valid_key;
use stagecraft_core::{method_setting_key, parse_method_setting_key};

fuzz_target!(|text: &str| {
    let parsed = parse_method_setting_key(text);
    assert_eq!(parsed.is_some(), is_valid_key(text));
    if let Some(k) = &parsed
        && k.canonical
    {
        assert_eq!(method_setting_key(&k.resource_path, &k.http_method), text);
    }
    let Some((path, method)) = text.split_once('\0') else {
        return;
    };
    if method.is_empty() || method.contains('/') {
        return;
    }
    let key = method_setting_key(path, method);
    let k = parse_method_setting_key(&key).expect("an encoded key parses");
    let expected_path = if path == "*" {
        "*".to_owned()
    } else {
        format!("/{}", path.strip_prefix('/').unwrap_or(path))
    };
    assert_eq!(k.resource_path, expected_path, "key {key}");
    assert_eq!(k.http_method, method.to_ascii_uppercase());
    assert!(k.canonical, "key {key}");
});
