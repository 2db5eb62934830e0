//! Value rules shared by document validation and patch application. Each returns the issue code and
//! AWS's message on failure.

use crate::messages;
use crate::model::CACHE_CLUSTER_SIZES;
use crate::validate::IssueCode;

/// A failed rule: its code and message.
pub(crate) type RuleError = (IssueCode, String);

/// Largest number of stage variables per stage.
pub(crate) const MAX_VARIABLES: usize = 100;
/// Largest number of tags per stage.
pub(crate) const MAX_TAGS: usize = 50;

/// A set of ASCII bytes as a lookup table: letters, digits and `extra`.
const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// The bytes of a stage variable's value.
static VARIABLE_VALUE_BYTES: [bool; 256] = alphanumeric_and(b" -._~:/?#&=,");

/// The bytes of an access-log destination ARN.
static ARN_BYTES: [bool; 256] = alphanumeric_and(b"_-/.:#");

/// `[A-Za-z0-9_-]{1,128}`.
pub(crate) fn stage_name(name: &str) -> Result<(), RuleError> {
    let ok = (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then_some(()).ok_or_else(|| {
        (
            IssueCode::InvalidStageName,
            messages::INVALID_STAGE_NAME.to_owned(),
        )
    })
}

/// Word characters only, at most 64.
pub(crate) fn variable_name(name: &str) -> Result<(), RuleError> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err((
            IssueCode::InvalidVariableName,
            messages::invalid_variable_name(name),
        ));
    }
    if name.len() > 64 {
        return Err((
            IssueCode::InvalidVariableName,
            messages::variable_name_too_long(name),
        ));
    }
    Ok(())
}

/// Non-empty, at most 512 characters of `[A-Za-z0-9 -._~:/?#&=,]`.
///
/// Open question (docs/aws-behaviour.md §6): the service model's regex allows `~` and `#` but no space; AWS's error
/// text lists the space but not `~`/`#`. stagecraft accepts the union so that no value AWS takes is refused.
pub(crate) fn variable_value(value: &str) -> Result<(), RuleError> {
    // Every allowed character is ASCII, so checking bytes is checking characters.
    if value.is_empty() || !value.bytes().all(|b| VARIABLE_VALUE_BYTES[usize::from(b)]) {
        return Err((
            IssueCode::InvalidVariableValue,
            messages::invalid_variable_value(value),
        ));
    }
    if value.len() > 512 {
        return Err((
            IssueCode::InvalidVariableValue,
            messages::VARIABLE_VALUE_TOO_LONG.to_owned(),
        ));
    }
    Ok(())
}

/// One of the eight sizes.
pub(crate) fn cache_cluster_size(size: &str) -> Result<(), RuleError> {
    CACHE_CLUSTER_SIZES
        .contains(&size)
        .then_some(())
        .ok_or_else(|| {
            (
                IssueCode::InvalidCacheClusterSize,
                messages::invalid_cache_cluster_size(size),
            )
        })
}

/// 0.0–100.0.
pub(crate) fn percent_traffic(value: f64, raw: &str) -> Result<(), RuleError> {
    (0.0..=100.0).contains(&value).then_some(()).ok_or_else(|| {
        (
            IssueCode::InvalidPercentTraffic,
            messages::invalid_percent_traffic(raw),
        )
    })
}

/// Non-empty, one line, includes the request id.
pub(crate) fn access_log_format(format: &str) -> Result<(), RuleError> {
    if format.is_empty() {
        return Err((
            IssueCode::EmptyValue,
            messages::EMPTY_ACCESS_LOG_VALUE.to_owned(),
        ));
    }
    if format.bytes().any(|b| b == b'\n' || b == b'\r') {
        return Err((
            IssueCode::InvalidAccessLog,
            messages::ACCESS_LOG_FORMAT_MULTILINE.to_owned(),
        ));
    }
    if !contains(format, "$context.requestId") && !contains(format, "$context.extendedRequestId") {
        return Err((
            IssueCode::InvalidAccessLog,
            messages::ACCESS_LOG_FORMAT_REQUEST_ID.to_owned(),
        ));
    }
    Ok(())
}

/// A CloudWatch Logs log group ARN (no `:*`) or an `amazon-apigateway-*` Firehose stream ARN.
pub(crate) fn access_log_destination(arn: &str) -> Result<(), RuleError> {
    if arn.is_empty() {
        return Err((
            IssueCode::EmptyValue,
            messages::EMPTY_ACCESS_LOG_VALUE.to_owned(),
        ));
    }
    // The characters, and `splitn(6, ':')` in the same pass without a char searcher (`:` is ASCII, so
    // the cuts are char boundaries).
    let mut parts = [""; 6];
    let mut count = 1;
    let mut start = 0;
    let mut chars_ok = true;
    for (i, b) in arn.bytes().enumerate() {
        chars_ok &= ARN_BYTES[usize::from(b)];
        if b == b':' && count < parts.len() {
            parts[count - 1] = &arn[start..i];
            start = i + 1;
            count += 1;
        }
    }
    parts[count - 1] = &arn[start..];
    let shape_ok = count == parts.len()
        && match parts {
            ["arn", partition, "logs", region, account, resource] => {
                partition.starts_with("aws")
                    && !region.is_empty()
                    && !account.is_empty()
                    && resource
                        .strip_prefix("log-group:")
                        .is_some_and(|name| !name.is_empty() && !name.bytes().any(|b| b == b':'))
            }
            ["arn", partition, "firehose", region, account, resource] => {
                partition.starts_with("aws")
                    && !region.is_empty()
                    && !account.is_empty()
                    && resource
                        .strip_prefix("deliverystream/amazon-apigateway-")
                        .is_some_and(|n| !n.bytes().any(|b| b == b'/'))
            }
            _ => false,
        };
    (chars_ok && shape_ok).then_some(()).ok_or_else(|| {
        (
            IssueCode::InvalidAccessLog,
            messages::INVALID_ACCESS_LOG_DESTINATION.to_owned(),
        )
    })
}

/// Whether `needle` (ASCII, starting with `$`) occurs in `text`: compared only where its first byte
/// is (`str::contains` sets up a two-way searcher on every call).
fn contains(text: &str, needle: &str) -> bool {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    text.len() >= needle.len()
        && (0..=text.len() - needle.len())
            .any(|i| text[i] == needle[0] && text[i..].starts_with(needle))
}

/// Tag key ≤ 128 without `aws:`, value ≤ 256.
pub(crate) fn tag(key: &str, value: &str) -> Result<(), RuleError> {
    if key.is_empty() || key.chars().count() > 128 || key.to_ascii_lowercase().starts_with("aws:") {
        return Err((
            IssueCode::InvalidTag,
            format!(
                "Invalid tag key: {key}. Tag keys must be 1 to 128 characters and must not start with 'aws:'"
            ),
        ));
    }
    if value.chars().count() > 256 {
        return Err((
            IssueCode::InvalidTag,
            format!("Invalid tag value for key {key}: tag values must be at most 256 characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names() {
        assert!(stage_name("v4-stg").is_ok());
        assert!(stage_name("prod_1").is_ok());
        assert_eq!(
            stage_name("my stage").unwrap_err().1,
            "Stage name only allows a-zA-Z0-9_"
        );
        assert!(stage_name("").is_err());
        assert!(stage_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn variables() {
        assert!(variable_name("backend_url").is_ok());
        assert_eq!(
            variable_name("owner:application-name").unwrap_err().1,
            "Invalid stage variable name: owner:application-name.  Please use names with only word characters."
        );
        assert!(variable_value("https://example.com/a?b=c&d=e,f#g~h").is_ok());
        assert!(variable_value("").is_err());
        assert!(variable_value("has space").is_ok());
        assert!(variable_value("tab\there").is_err());
    }

    #[test]
    fn access_log_destinations() {
        assert!(
            access_log_destination("arn:aws:logs:us-east-1:123456789012:log-group:api-gw-logs")
                .is_ok()
        );
        assert!(
            access_log_destination("arn:aws:logs:us-east-1:123456789012:log-group:api-gw-logs:*")
                .is_err()
        );
        assert!(
            access_log_destination(
                "arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-x"
            )
            .is_ok()
        );
        assert!(
            access_log_destination("arn:aws:firehose:us-east-1:123456789012:deliverystream/other")
                .is_err()
        );
        assert!(access_log_destination("not-an-arn").is_err());
    }

    #[test]
    fn access_log_formats() {
        assert!(access_log_format("$context.requestId $context.status").is_ok());
        assert!(access_log_format("$context.status").is_err());
        assert!(access_log_format("$context.requestId\n").is_err());
        assert_eq!(
            access_log_format("").unwrap_err().1,
            "Access Log value must not be empty"
        );
    }
}
