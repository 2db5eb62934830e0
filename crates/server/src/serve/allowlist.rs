//! The operations the editor may call through `/api`, and nothing else.
//!
//! A request is matched on its method (exactly: no override header is read or forwarded) and its raw
//! (still percent-encoded) API Gateway path, segment by segment, with exact case. A `{parameter}` matches one
//! segment that, percent-decoded, is non-empty UTF-8, not `.` or `..`, without control characters
//! and without `/ \ ? # % ; @ :` (so no encoded separator, dot segment, double encoding, `..;` or
//! authority-like text can reach the target); `{resource_arn}` (GetTags) is an ARN, which may hold `/` and
//! `:` but no dot segment. The path
//! is then forwarded unchanged to the target fixed at start-up, so a client controls neither host,
//! scheme, port nor service.

use axum::http::Method;
use stagecraft_core::api::Operation;

/// Every operation the proxy forwards (their methods and paths come from core's operation table).
pub const OPERATIONS: &[Operation] = &[
    Operation::GetRestApis,
    Operation::GetRestApi,
    Operation::GetResources,
    Operation::GetResource,
    Operation::GetMethod,
    Operation::GetDeployments,
    Operation::CreateDeployment,
    Operation::GetDeployment,
    Operation::GetStages,
    Operation::CreateStage,
    Operation::GetStage,
    Operation::UpdateStage,
    Operation::DeleteStage,
    Operation::FlushStageAuthorizersCache,
    Operation::FlushStageCache,
    Operation::GetAuthorizers,
    Operation::GetAuthorizer,
    Operation::TestInvokeAuthorizer,
    Operation::GetTags,
];

/// The percent-decoded `segment`, if it is printable ASCII that decodes to clean UTF-8: no control
/// characters and none of `\\ ? # % ; @` (nor `/` and `:` unless `arn`).
fn decoded(segment: &str, arn: bool) -> Option<String> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let text = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?;
    let clean = text
        .chars()
        .all(|c| !c.is_control() && !"\\?#%;@".contains(c) && (arn || !"/:".contains(c)));
    clean.then(|| text.into_owned())
}

fn segment_ok(segment: &str) -> bool {
    decoded(segment, false).is_some_and(|s| s != "." && s != "..")
}

fn arn_ok(segment: &str) -> bool {
    decoded(segment, true).is_some_and(|s| {
        s.starts_with("arn:") && !s.split('/').any(|part| part == "." || part == "..")
    })
}

fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some("{resource_arn}"), Some(seg)) => {
                if !arn_ok(seg) {
                    return false;
                }
            }
            (Some(w), Some(seg)) if w.starts_with('{') && segment_ok(seg) => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// The operation for `method` and `path` (the API Gateway path, starting with `/`), if allowed.
#[must_use]
pub fn operation(method: &Method, path: &str) -> Option<Operation> {
    OPERATIONS
        .iter()
        .copied()
        .find(|o| o.method().as_str() == method.as_str() && matches(o.path(), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_operations_are_found() {
        let cases = [
            (Method::GET, "/restapis", "GetRestApis"),
            (Method::GET, "/restapis/a1b2c3", "GetRestApi"),
            (
                Method::GET,
                "/restapis/a1/resources/r1/methods/GET",
                "GetMethod",
            ),
            (Method::PATCH, "/restapis/a1/stages/prod", "UpdateStage"),
            (
                Method::DELETE,
                "/restapis/a1/stages/prod/cache/authorizers",
                "FlushStageAuthorizersCache",
            ),
            (
                Method::DELETE,
                "/restapis/a1/stages/prod/cache/data",
                "FlushStageCache",
            ),
            (
                Method::POST,
                "/restapis/a1/authorizers/z9",
                "TestInvokeAuthorizer",
            ),
            (
                Method::GET,
                "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fa1%2Fstages%2Fprod",
                "GetTags",
            ),
            // The editor percent-encodes what it does not know (AWS then answers 404).
            (Method::GET, "/restapis/a%20b/stages/p%C3%A9", "GetStage"),
        ];
        for (method, path, name) in cases {
            assert_eq!(
                operation(&method, path).map(Operation::name),
                Some(name),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn everything_else_is_refused() {
        let cases = [
            (Method::POST, "/restapis"),
            (Method::DELETE, "/restapis/a1"),
            (Method::PUT, "/restapis/a1/resources/r1/methods/GET"),
            (Method::PATCH, "/restapis/a1/authorizers/z9"),
            (Method::DELETE, "/restapis/a1/deployments/d1"),
            (Method::PUT, "/tags/arn"),
            (Method::GET, "/restapis/"),
            (Method::GET, "/restapis//stages"),
            (Method::GET, "/restapis/../stages"),
            (Method::GET, "/restapis/%2E%2E/stages"),
            (Method::GET, "/restapis/a1/stages/prod/extra"),
            (Method::GET, "/apikeys"),
            (Method::GET, ""),
            (Method::GET, "/RestApis"),
            (Method::GET, "/restapis/a1%2Fstages"),
            (Method::GET, "/restapis/a1%2fstages/prod"),
            (Method::GET, "/restapis/a1/stages/%2e%2e"),
            (Method::GET, "/restapis/a1/stages/.%2E"),
            (Method::GET, "/restapis/a1/stages/..;"),
            (Method::GET, "/restapis/a1/stages/prod;x=1"),
            (Method::GET, "/restapis/a1%3F/stages"),
            (Method::GET, "/restapis/a1%23/stages"),
            (Method::GET, "/restapis/%252e%252e/stages"),
            (Method::GET, "/restapis/a1%5C..%5Cx/stages"),
            (Method::GET, "/restapis/a1%00/stages"),
            (Method::GET, "/restapis/a1%ff/stages"),
            (Method::GET, "/restapis/a1/stages/prod/"),
            (Method::GET, "/tags/not-an-arn"),
            (Method::GET, "/tags/arn%3Aaws%2F..%2F..%2Fapikeys"),
            (Method::GET, "/tags/arn:aws/x/./y"),
            (Method::GET, "/restapis/@evil.example/stages"),
            (Method::GET, "/restapis/a1:80/stages"),
        ];
        for (method, path) in cases {
            assert!(operation(&method, path).is_none(), "{method} {path}");
        }
    }
}
