//! Access-log lines (docs/aws-behaviour.md §8.7): the stage's `format` with its `$context.*` variables replaced.
//! *stagecraft*: an unknown or absent variable becomes `-` (AWS's output for absent values is not
//! recorded).

/// Appends to `out` the line for `format`: each `$context.NAME` (letters, digits, `.` and `_`) is replaced
/// by what `value(NAME, out)` appends, or by `-` when it returns `false` (it must then append nothing).
pub fn write_access_log_line(
    out: &mut String,
    format: &str,
    mut value: impl FnMut(&str, &mut String) -> bool,
) {
    const PREFIX: &str = "$context.";
    let mut rest = format;
    while let Some(start) = rest.find(PREFIX) {
        out.push_str(&rest[..start]);
        let after = &rest[start + PREFIX.len()..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(after.len());
        let name = after[..len].trim_end_matches('.');
        if !value(name, out) {
            out.push('-');
        }
        rest = &after[name.len()..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(format: &str) -> String {
        let mut out = String::new();
        write_access_log_line(&mut out, format, |n, out| {
            n == "requestId" && {
                out.push_str("r1");
                true
            }
        });
        out
    }

    #[test]
    fn variables_and_unknowns() {
        assert_eq!(
            line(r#"{"id":"$context.requestId","x":"$context.nope"}."#),
            r#"{"id":"r1","x":"-"}."#
        );
        assert_eq!(line("$context.requestId."), "r1.");
        assert_eq!(line("no variables"), "no variables");
    }
}
