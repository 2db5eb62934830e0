//! Writing benchmark results into `docs/benchmarks.md`: one `## Section` replaced in place.

use std::path::Path;

use anyhow::{Context, Result};

/// Replaces (or appends) the section whose `## ` heading is the first line of `section`, up to the
/// next `## ` heading; other sections are kept byte for byte. An empty document gets a
/// `# Benchmarks` heading first.
#[must_use]
pub fn replace_section(doc: &str, section: &str) -> String {
    let section = format!("{}\n", section.trim_end());
    let heading = section.lines().next().unwrap_or_default().trim_end();
    if doc.trim().is_empty() {
        return format!("# Benchmarks\n\n{section}");
    }
    let lines: Vec<&str> = doc.split_inclusive('\n').collect();
    let Some(start) = lines.iter().position(|l| l.trim_end() == heading) else {
        return format!("{}\n\n{section}", doc.trim_end());
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map(|i| start + 1 + i);
    let before: String = lines[..start].concat();
    match end {
        Some(e) => format!("{before}{section}\n{}", lines[e..].concat()),
        None => format!("{before}{section}"),
    }
}

/// Replaces `section` (see [`replace_section`]) in the markdown file at `path`.
///
/// # Errors
/// The file cannot be written.
pub fn write_section(path: &Path, section: &str) -> Result<()> {
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, replace_section(&doc, section))
        .with_context(|| format!("writing {}", path.display()))
}

/// `YYYY-MM-DD` (UTC) for seconds since the epoch.
#[must_use]
pub fn utc_date(secs: u64) -> String {
    i64::try_from(secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

/// Today's date (UTC), `YYYY-MM-DD`.
#[must_use]
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc_date(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_created_replaced_appended() {
        let s = "## Emulator\n\nnew\n";
        assert_eq!(
            replace_section("", s),
            "# Benchmarks\n\n## Emulator\n\nnew\n"
        );
        let doc = "# Benchmarks\n\n## Proxy\n\np\n\n## Emulator\n\nold\nold\n\n## Web\n\nw\n";
        assert_eq!(
            replace_section(doc, s),
            "# Benchmarks\n\n## Proxy\n\np\n\n## Emulator\n\nnew\n\n## Web\n\nw\n"
        );
        let doc = "# Benchmarks\n\n## Proxy\n\np\n";
        assert_eq!(
            replace_section(doc, s),
            "# Benchmarks\n\n## Proxy\n\np\n\n## Emulator\n\nnew\n"
        );
        let doc = "# Benchmarks\n\n## Emulator\n\nold\n### sub\nx\n";
        assert_eq!(
            replace_section(doc, s),
            "# Benchmarks\n\n## Emulator\n\nnew\n"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_767_225_600), "2026-01-01");
    }
}
