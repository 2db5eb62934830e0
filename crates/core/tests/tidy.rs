//! Tidy: keeps "every AWS rule and text lives in `stagecraft-core`" true (as rust-analyzer's `tidy`).
//!
//! The test scans the string literals of every Rust source file of the workspace outside
//! `crates/core` and fails, naming file and line, when one of them holds:
//!
//! 1. **an AWS message text from core**: a fixed fragment of 20 characters or more of a string in
//!    `crates/core/src/messages.rs` (the fragments between `{…}` placeholders of its templates). Other
//!    crates get texts by calling core's rule functions, which return `ApiError`s;
//! 2. **a method-setting default written out**: a literal that is the default of a non-boolean row of
//!    `METHOD_SETTINGS` (`"5000"`, `"10000"`, `"300"`, `"SUCCEED_WITH_RESPONSE_HEADER"`), alone or followed
//!    by ` (default)`. Defaults come from the table (numbers inside other text, such as a timeout in a
//!    log line, are not defaults);
//! 3. **a hand-encoded `~1` key**: `~1` followed by a path character (`~1pets/GET`). Keys and patch
//!    paths are built with `method_setting_key` / `setting_path`.
//!
//! Not scanned: comments and doc comments, `#[cfg(test)]` items, `tests.rs` module files, and the
//! `tests`, `benches`, `examples` and `fixtures` directories (tests pin AWS's exact texts on purpose), plus build output
//! (`target`, `node_modules`, `pkg`, `dist`).

use std::fs;
use std::path::{Path, PathBuf};

use stagecraft_core::METHOD_SETTINGS;
use stagecraft_core::settings::DefaultValue;

const SKIPPED_DIRS: &[&str] = &[
    "target",
    "node_modules",
    "pkg",
    "dist",
    "tests",
    "benches",
    "examples",
    "fixtures",
    ".git",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A string literal and the line it starts on.
#[derive(Debug, PartialEq, Eq)]
struct Literal {
    line: usize,
    text: String,
}

/// The string literals of Rust source `src`, outside comments and `#[cfg(test)]` items (escapes are
/// kept as written).
fn literals(src: &str) -> Vec<Literal> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut depth) = (0, 1, 0usize);
    // `Some(None)`: after `#[cfg(test)]`, before its item's `{`; `Some(Some(d))`: inside it (opened at depth d).
    let mut test_item: Option<Option<usize>> = None;
    let cfg_test: Vec<char> = "#[cfg(test)]".chars().collect();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                line += usize::from(chars[i] == '\n');
                i += 1;
            }
            i += 2;
        } else if c == '"' || (c == 'r' && matches!(next, Some('"' | '#')) && raw_start(&chars, i))
        {
            let start_line = line;
            let (text, end) = if c == '"' {
                string_at(&chars, i + 1)
            } else {
                raw_string_at(&chars, i + 1)
            };
            line += text.matches('\n').count();
            if !matches!(test_item, Some(Some(d)) if depth > d) {
                out.push(Literal {
                    line: start_line,
                    text,
                });
            }
            i = end;
        } else if c == '\'' {
            // A char literal ('a', '\n', '"') or a lifetime ('a).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if chars[i..].starts_with(&cfg_test) {
            test_item = Some(None);
            i += cfg_test.len();
        } else {
            match c {
                '{' => {
                    if test_item == Some(None) {
                        test_item = Some(Some(depth));
                    }
                    depth += 1;
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    if test_item == Some(Some(depth)) {
                        test_item = None;
                    }
                }
                ';' if test_item == Some(None) => test_item = None,
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// Whether the `r` at `i` starts a raw string (not the end of an identifier such as `for"`).
fn raw_start(chars: &[char], i: usize) -> bool {
    let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    !after_ident && chars.get(j) == Some(&'"')
}

/// The body of a `"…"` literal starting after its quote, and the index after its closing quote.
fn string_at(chars: &[char], mut i: usize) -> (String, usize) {
    let mut text = String::new();
    while i < chars.len() && chars[i] != '"' {
        if chars[i] == '\\' {
            text.push(chars[i]);
            i += 1;
        }
        if let Some(c) = chars.get(i) {
            text.push(*c);
        }
        i += 1;
    }
    (text, i + 1)
}

/// The body of a raw literal starting after its `r`, and the index after its end.
fn raw_string_at(chars: &[char], mut i: usize) -> (String, usize) {
    let mut hashes = 0;
    while chars.get(i) == Some(&'#') {
        hashes += 1;
        i += 1;
    }
    i += 1;
    let mut text = String::new();
    while i < chars.len() {
        if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
            return (text, i + 1 + hashes);
        }
        text.push(chars[i]);
        i += 1;
    }
    (text, i)
}

/// Rule 1's fragments: the fixed parts (20 characters or more) of every literal in core's messages.
fn message_fragments() -> Vec<String> {
    let path = workspace_root().join("crates/core/src/messages.rs");
    let src = fs::read_to_string(&path).expect("crates/core/src/messages.rs");
    let mut out: Vec<String> = literals(&src)
        .into_iter()
        .flat_map(|l| {
            let mut fixed = Vec::new();
            let mut rest = l.text.as_str();
            while let Some(open) = rest.find('{') {
                fixed.push(rest[..open].to_owned());
                rest = rest[open..]
                    .find('}')
                    .map_or("", |close| &rest[open + close + 1..]);
            }
            fixed.push(rest.to_owned());
            fixed
        })
        .map(|f| f.trim().to_owned())
        .filter(|f| f.chars().count() >= 20)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Rule 2's tokens: the non-boolean method-setting defaults as text.
fn setting_defaults() -> Vec<String> {
    METHOD_SETTINGS
        .iter()
        .filter_map(|s| match s.default? {
            DefaultValue::Bool(_) => None,
            DefaultValue::Integer(i) => Some(i.to_string()),
            DefaultValue::Double(d) => Some(d.to_string()),
            DefaultValue::Text(t) => Some(t.to_owned()),
        })
        .collect()
}

/// Whether a literal is a default written out: the value alone, or followed by ` (default)`.
fn is_default(text: &str, default: &str) -> bool {
    let text = text.trim();
    text == default || text.strip_suffix(" (default)") == Some(default)
}

fn hand_encoded_key(text: &str) -> bool {
    text.match_indices("~1").any(|(at, _)| {
        text[at + 2..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '{' | '/' | '*'))
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_ref()) {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}

/// Every violation in `src` (`file` names it in the report).
fn violations(file: &str, src: &str, fragments: &[String], defaults: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for lit in literals(src) {
        let at = format!("{file}:{}", lit.line);
        if let Some(f) = fragments.iter().find(|f| lit.text.contains(f.as_str())) {
            out.push(format!(
                "{at}: AWS message text from core ({f:?}): call core's rule instead"
            ));
        }
        if let Some(d) = defaults.iter().find(|d| is_default(&lit.text, d)) {
            out.push(format!(
                "{at}: method-setting default {d:?}: read it from METHOD_SETTINGS"
            ));
        }
        if hand_encoded_key(&lit.text) {
            out.push(format!(
                "{at}: hand-encoded `~1` key {:?}: use method_setting_key / setting_path",
                lit.text
            ));
        }
    }
    out
}

#[test]
fn test() {
    let root = workspace_root();
    let fragments = message_fragments();
    let defaults = setting_defaults();
    assert!(
        fragments.len() > 40,
        "too few message fragments: {fragments:?}"
    );
    assert_eq!(defaults.len(), 4, "{defaults:?}");
    let mut files = Vec::new();
    for dir in ["crates", "web", "fuzz"] {
        rust_files(&root.join(dir), &mut files);
    }
    let core = root.join("crates/core");
    files.retain(|f| !f.starts_with(&core));
    assert!(files.len() > 20, "scanned only {} files", files.len());
    let mut problems = Vec::new();
    for file in &files {
        let src = fs::read_to_string(file).unwrap_or_default();
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        problems.extend(violations(&name, &src, &fragments, &defaults));
    }
    assert!(problems.is_empty(), "tidy:\n{}", problems.join("\n"));
}

#[test]
fn lexer_skips_comments_and_test_items() {
    let src = r##"
// "in a comment"
/* "in a block" */
const A: &str = "kept";
const B: &str = r#"raw "kept""#;
fn f<'a>(x: &'a str) -> char { '"' }
#[cfg(test)]
mod tests {
    const C: &str = "skipped";
    fn g() { let _ = "skipped too"; }
}
const D: &str = "after \" escape";
"##;
    let texts: Vec<String> = literals(src).into_iter().map(|l| l.text).collect();
    assert_eq!(texts, ["kept", "raw \"kept\"", "after \\\" escape"]);
}

#[test]
fn rules_catch_what_they_name() {
    let fragments = vec!["Invalid time-to-live setting".to_owned()];
    let defaults = vec!["300".to_owned(), "SUCCEED_WITH_RESPONSE_HEADER".to_owned()];
    let src = r#"
const A: &str = "Invalid time-to-live setting, must be";
const B: &str = "300 (default)";
const C: &str = "/~1pets/GET/caching/enabled";
const D: &str = "3000 and ~1-escaped and SUCCEED_WITH_RESPONSE_HEADER and 300 ms";
"#;
    let found = violations("f.rs", src, &fragments, &defaults);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("f.rs:2: AWS message text"));
    assert!(found[1].starts_with("f.rs:3: method-setting default"));
    assert!(found[2].starts_with("f.rs:4: hand-encoded"));
}
