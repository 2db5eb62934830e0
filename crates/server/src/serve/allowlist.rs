//! The operations the editor may call through `/api`, and nothing else.
//!
//! A request is matched on its method and its raw (still percent-encoded) API Gateway path, segment by
//! segment; `{}` matches one non-empty segment that is not `.` or `..`. The path is then forwarded
//! unchanged to the fixed target, so a client controls neither host, scheme nor port.

use axum::http::Method;

/// One allowed operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// HTTP method.
    pub method: Method,
    /// Path pattern below `/api`, `{}` for one segment.
    pub pattern: &'static str,
    /// The AWS operation name (for the log).
    pub name: &'static str,
}

const fn op(method: Method, pattern: &'static str, name: &'static str) -> Operation {
    Operation {
        method,
        pattern,
        name,
    }
}

/// Every operation the proxy forwards.
pub const OPERATIONS: &[Operation] = &[
    op(Method::GET, "/restapis", "GetRestApis"),
    op(Method::GET, "/restapis/{}", "GetRestApi"),
    op(Method::GET, "/restapis/{}/resources", "GetResources"),
    op(Method::GET, "/restapis/{}/resources/{}", "GetResource"),
    op(
        Method::GET,
        "/restapis/{}/resources/{}/methods/{}",
        "GetMethod",
    ),
    op(Method::GET, "/restapis/{}/deployments", "GetDeployments"),
    op(Method::POST, "/restapis/{}/deployments", "CreateDeployment"),
    op(Method::GET, "/restapis/{}/deployments/{}", "GetDeployment"),
    op(Method::GET, "/restapis/{}/stages", "GetStages"),
    op(Method::POST, "/restapis/{}/stages", "CreateStage"),
    op(Method::GET, "/restapis/{}/stages/{}", "GetStage"),
    op(Method::PATCH, "/restapis/{}/stages/{}", "UpdateStage"),
    op(Method::DELETE, "/restapis/{}/stages/{}", "DeleteStage"),
    op(
        Method::DELETE,
        "/restapis/{}/stages/{}/cache/authorizers",
        "FlushStageAuthorizersCache",
    ),
    op(
        Method::DELETE,
        "/restapis/{}/stages/{}/cache/data",
        "FlushStageCache",
    ),
    op(Method::GET, "/restapis/{}/authorizers", "GetAuthorizers"),
    op(Method::GET, "/restapis/{}/authorizers/{}", "GetAuthorizer"),
    op(
        Method::POST,
        "/restapis/{}/authorizers/{}",
        "TestInvokeAuthorizer",
    ),
    op(Method::GET, "/tags/{}", "GetTags"),
];

fn segment_ok(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && !segment.eq_ignore_ascii_case("%2e")
        && !segment.eq_ignore_ascii_case("%2e%2e")
        && segment.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some("{}"), Some(seg)) if segment_ok(seg) => {}
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

/// The operation for `method` and `path` (the API Gateway path, starting with `/`), if allowed.
#[must_use]
pub fn operation(method: &Method, path: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|o| o.method == *method && matches(o.pattern, path))
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
        ];
        for (method, path, name) in cases {
            assert_eq!(
                operation(&method, path).map(|o| o.name),
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
        ];
        for (method, path) in cases {
            assert!(operation(&method, path).is_none(), "{method} {path}");
        }
    }
}
