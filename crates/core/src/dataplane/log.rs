//! Access-log lines (docs/aws-behaviour.md §8.7): the stage's `format` with its `$context.*` variables replaced.
//! *stagecraft*: an unknown or absent variable becomes `-` (AWS's output for absent values is not
//! recorded).

/// Replaces each `$context.NAME` (letters, digits, `.` and `_`) with `value(NAME)`, or `-`.
#[must_use]
pub fn access_log_line(format: &str, value: impl Fn(&str) -> Option<String>) -> String {
    const PREFIX: &str = "$context.";
    let mut out = String::with_capacity(format.len() + 64);
    let mut rest = format;
    while let Some(start) = rest.find(PREFIX) {
        out.push_str(&rest[..start]);
        let after = &rest[start + PREFIX.len()..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(after.len());
        let name = after[..len].trim_end_matches('.');
        out.push_str(&value(name).unwrap_or_else(|| "-".into()));
        rest = &after[name.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_and_unknowns() {
        let v = |n: &str| (n == "requestId").then(|| "r1".to_owned());
        assert_eq!(
            access_log_line(r#"{"id":"$context.requestId","x":"$context.nope"}."#, v),
            r#"{"id":"r1","x":"-"}."#
        );
        assert_eq!(access_log_line("$context.requestId.", v), "r1.");
    }
}
