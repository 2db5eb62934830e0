//! HTTP to the `stagecraft serve` proxy: same-origin `/api/<API Gateway REST path>`, the CSRF token from
//! `<meta name="stagecraft-csrf">`, AWS's JSON unchanged, AWS's errors shown verbatim.
//!
//! Wire types come from core's `api` module, shared with the emulator.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;
use stagecraft_core::api::Operation;
use stagecraft_core::{PatchOperation, Stage};

use crate::route::encode;

pub use stagecraft_core::api::{Authorizer, Deployment, Resource, RestApiSummary};

/// An HTTP failure: AWS's status, `x-amzn-ErrorType` and message, or a network error (status 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    /// HTTP status (0: no response).
    pub status: u16,
    /// `x-amzn-ErrorType`, e.g. `BadRequestException`.
    pub error_type: Option<String>,
    /// AWS's `message`, or the body as received.
    pub message: String,
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.error_type, self.status) {
            (_, 0) => write!(f, "Network error: {}", self.message),
            (Some(t), s) => write!(f, "{t} ({s}): {}", self.message),
            (None, s) => write!(f, "HTTP {s}: {}", self.message),
        }
    }
}

impl HttpError {
    /// Builds the error from a response's parts. The type header may carry a `:` suffix (AWS's
    /// `BadRequestException:http://internal.amazon.com/…`): only the name is kept.
    #[must_use]
    pub fn from_response(status: u16, error_type: Option<&str>, body: &str) -> Self {
        let error_type = error_type
            .map(|t| t.split(':').next().unwrap_or(t).to_owned())
            .filter(|t| !t.is_empty());
        let json: Option<Value> = serde_json::from_str(body).ok();
        let message = json
            .as_ref()
            .and_then(|v| v.get("message").or_else(|| v.get("Message")))
            .and_then(Value::as_str)
            .map_or_else(|| body.to_owned(), str::to_owned);
        Self {
            status,
            error_type,
            message,
        }
    }

    fn network(e: impl fmt::Display) -> Self {
        Self {
            status: 0,
            error_type: None,
            message: e.to_string(),
        }
    }
}

/// The request methods the editor uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Get,
    Post,
    Patch,
    Delete,
}

/// The CSRF token the server put in the page, if any.
#[must_use]
pub fn csrf_token() -> Option<String> {
    page_meta("stagecraft-csrf")
}

/// The `content` of the `<meta name=…>` the server put in the page, if any.
#[must_use]
pub fn page_meta(name: &str) -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let meta = doc
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??;
    meta.get_attribute("content")
        .filter(|t| !t.is_empty() && !t.contains("{{"))
}

/// Where `stagecraft serve` sends the API calls, as its page says (`stagecraft-target`,
/// `stagecraft-region`, `stagecraft-endpoint` metas).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Amazon API Gateway in this region.
    Aws(String),
    /// An emulator or other AWS-compatible endpoint at this URL.
    Endpoint(String),
    /// The emulator built into `stagecraft serve` (no data-plane port), with its region.
    Embedded(String),
}

impl Target {
    /// The target named in the page (the embedded emulator in us-east-1 when the page says nothing).
    #[must_use]
    pub fn from_page() -> Self {
        let region = page_meta("stagecraft-region").unwrap_or_else(|| "us-east-1".to_owned());
        match (
            page_meta("stagecraft-target").as_deref(),
            page_meta("stagecraft-endpoint"),
        ) {
            (Some("aws"), _) => Self::Aws(region),
            (Some("endpoint"), Some(url)) => Self::Endpoint(url),
            _ => Self::Embedded(region),
        }
    }
}

async fn call(verb: Verb, path: &str, body: Option<String>) -> Result<String, HttpError> {
    use gloo_net::http::Request;
    let url = format!("/api{path}");
    let mut req = match verb {
        Verb::Get => Request::get(&url),
        Verb::Post => Request::post(&url),
        Verb::Patch => Request::patch(&url),
        Verb::Delete => Request::delete(&url),
    };
    req = req
        .header("accept", "application/json")
        .header("content-type", "application/json");
    if let Some(token) = csrf_token() {
        req = req.header("x-stagecraft-csrf", &token);
    }
    let sent = match body {
        Some(b) => req.body(b).map_err(HttpError::network)?.send().await,
        None => req.send().await,
    };
    let resp = sent.map_err(HttpError::network)?;
    let text = resp.text().await.unwrap_or_default();
    if resp.ok() {
        Ok(text)
    } else {
        Err(HttpError::from_response(
            resp.status(),
            resp.headers().get("x-amzn-ErrorType").as_deref(),
            &text,
        ))
    }
}

/// A response body as `T`, through a `Value`: the edit model and core's validator deserialize from
/// `&Value` anyway, so every type then has one deserializer in the download instead of two (the extra
/// tree per response is small next to rendering it).
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, HttpError> {
    serde_json::from_str::<Value>(text)
        .and_then(|v| T::deserialize(&v))
        .map_err(|e| HttpError {
            status: 200,
            error_type: None,
            message: format!("unexpected response: {e}"),
        })
}

/// The items of a paged list response (`{"item": [...]}`, no `item` when empty), each read from its
/// `&Value` on its own: one generic list reader instead of a `Page<T>` sequence deserializer per type.
fn items<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, HttpError> {
    let page: Value = parse(text)?;
    page.get("item")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|v| {
            T::deserialize(v).map_err(|e| HttpError {
                status: 200,
                error_type: None,
                message: format!("unexpected response: {e}"),
            })
        })
        .collect()
}

/// `op`'s path for the API `api` (and `more` parameters), each segment percent-encoded.
fn op_path(op: Operation, api: &str, more: &[&str]) -> String {
    let mut params = vec![encode(api)];
    params.extend(more.iter().map(|p| encode(p)));
    op.path_with(&params.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A `GET /api{path}` of `stagecraft serve`'s own routes (`/_stagecraft/whoami`, `/_stagecraft/audit`), as JSON.
///
/// # Errors
/// The server's error or a network error.
pub async fn stagecraft_get(path: &str) -> Result<Value, HttpError> {
    parse(&call(Verb::Get, path, None).await?)
}

/// A `POST /api{path}` of `stagecraft serve`'s own routes (`/_stagecraft/try-request`) with a JSON
/// `body`, answered with JSON.
///
/// # Errors
/// The server's error or a network error.
pub async fn stagecraft_post(path: &str, body: String) -> Result<Value, HttpError> {
    parse(&call(Verb::Post, path, Some(body)).await?)
}

/// GetRestApis.
///
/// # Errors
/// AWS's error or a network error.
pub async fn list_apis() -> Result<Vec<RestApiSummary>, HttpError> {
    items(
        &call(
            Verb::Get,
            &format!("{}?limit=500", Operation::GetRestApis.path()),
            None,
        )
        .await?,
    )
}

/// GetResources with methods, as (path, method) pairs.
///
/// # Errors
/// AWS's error or a network error.
pub async fn list_resources(api: &str) -> Result<Vec<Resource>, HttpError> {
    let path = format!(
        "{}?embed=methods&limit=500",
        op_path(Operation::GetResources, api, &[])
    );
    items(&call(Verb::Get, &path, None).await?)
}

/// GetStages.
///
/// # Errors
/// AWS's error or a network error.
pub async fn list_stages(api: &str) -> Result<Vec<Stage>, HttpError> {
    items(&call(Verb::Get, &op_path(Operation::GetStages, api, &[]), None).await?)
}

/// GetStage.
///
/// # Errors
/// AWS's error or a network error.
pub async fn get_stage(api: &str, stage: &str) -> Result<Stage, HttpError> {
    parse(
        &call(
            Verb::Get,
            &op_path(Operation::GetStage, api, &[stage]),
            None,
        )
        .await?,
    )
}

/// UpdateStage.
///
/// # Errors
/// AWS's error or a network error.
pub async fn update_stage(
    api: &str,
    stage: &str,
    ops: &[PatchOperation],
) -> Result<Stage, HttpError> {
    let body = serde_json::json!({ "patchOperations": ops }).to_string();
    parse(
        &call(
            Verb::Patch,
            &op_path(Operation::UpdateStage, api, &[stage]),
            Some(body),
        )
        .await?,
    )
}

/// GetDeployments.
///
/// # Errors
/// AWS's error or a network error.
pub async fn list_deployments(api: &str) -> Result<Vec<Deployment>, HttpError> {
    let path = format!("{}?limit=500", op_path(Operation::GetDeployments, api, &[]));
    items(&call(Verb::Get, &path, None).await?)
}

/// CreateStage from a deployment.
///
/// # Errors
/// AWS's error or a network error.
pub async fn create_stage(
    api: &str,
    name: &str,
    deployment: &str,
    description: &str,
) -> Result<Stage, HttpError> {
    let mut body = serde_json::json!({ "stageName": name, "deploymentId": deployment });
    if !description.is_empty() {
        body["description"] = Value::from(description);
    }
    parse(
        &call(
            Verb::Post,
            &op_path(Operation::CreateStage, api, &[]),
            Some(body.to_string()),
        )
        .await?,
    )
}

/// DeleteStage.
///
/// # Errors
/// AWS's error or a network error.
pub async fn delete_stage(api: &str, stage: &str) -> Result<(), HttpError> {
    call(
        Verb::Delete,
        &op_path(Operation::DeleteStage, api, &[stage]),
        None,
    )
    .await
    .map(drop)
}

/// GetAuthorizers.
///
/// # Errors
/// AWS's error or a network error.
pub async fn list_authorizers(api: &str) -> Result<Vec<Authorizer>, HttpError> {
    let path = format!("{}?limit=500", op_path(Operation::GetAuthorizers, api, &[]));
    items(&call(Verb::Get, &path, None).await?)
}

/// TestInvokeAuthorizer; the response as AWS sent it.
///
/// # Errors
/// AWS's error or a network error.
pub async fn test_invoke(api: &str, authorizer: &str, request: &Value) -> Result<Value, HttpError> {
    let path = op_path(Operation::TestInvokeAuthorizer, api, &[authorizer]);
    parse(&call(Verb::Post, &path, Some(request.to_string())).await?)
}

/// FlushStageAuthorizersCache.
///
/// # Errors
/// AWS's error or a network error.
pub async fn flush_authorizers(api: &str, stage: &str) -> Result<(), HttpError> {
    call(
        Verb::Delete,
        &op_path(Operation::FlushStageAuthorizersCache, api, &[stage]),
        None,
    )
    .await
    .map(drop)
}

/// FlushStageCache.
///
/// # Errors
/// AWS's error or a network error.
pub async fn flush_cache(api: &str, stage: &str) -> Result<(), HttpError> {
    call(
        Verb::Delete,
        &op_path(Operation::FlushStageCache, api, &[stage]),
        None,
    )
    .await
    .map(drop)
}

/// Parses `Name: value` / `name=value` lines (blank lines and `#` comments skipped).
///
/// # Errors
/// The 1-based number of the first line with neither `:` nor `=`.
pub fn parse_pairs(text: &str) -> Result<BTreeMap<String, String>, usize> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let split = match (line.find(':'), line.find('=')) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return Err(i + 1),
        };
        out.insert(
            line[..split].trim().to_owned(),
            line[split + 1..].trim().to_owned(),
        );
    }
    Ok(out)
}

/// The TestInvokeAuthorizer body for the form's fields.
///
/// # Errors
/// The field name and line of a malformed pair.
pub fn test_invoke_request(
    authorizer: &Authorizer,
    token: &str,
    headers: &str,
    path_with_query: &str,
    stage_variables: &str,
) -> Result<Value, String> {
    let mut hdrs =
        parse_pairs(headers).map_err(|l| format!("Headers, line {l}: use Name: value"))?;
    if !token.is_empty() {
        hdrs.insert(
            authorizer
                .token_header()
                .unwrap_or("Authorization")
                .to_owned(),
            token.to_owned(),
        );
    }
    let vars = parse_pairs(stage_variables)
        .map_err(|l| format!("Stage variables, line {l}: use name=value"))?;
    let mut body = serde_json::Map::new();
    if !hdrs.is_empty() {
        body.insert(
            "headers".into(),
            serde_json::to_value(hdrs).unwrap_or_default(),
        );
    }
    if !path_with_query.trim().is_empty() {
        body.insert(
            "pathWithQueryString".into(),
            Value::from(path_with_query.trim()),
        );
    }
    if !vars.is_empty() {
        body.insert(
            "stageVariables".into(),
            serde_json::to_value(vars).unwrap_or_default(),
        );
    }
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use stagecraft_core::api::Page;

    #[test]
    fn paged_items_are_read_one_by_one() {
        let read: Vec<Resource> = items(
            r#"{"item": [{"id": "r1", "path": "/"}, {"id": "r2", "path": "/pets"}], "position": "x"}"#,
        )
        .unwrap();
        assert_eq!(
            read.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
            ["/", "/pets"]
        );
        assert!(
            items::<Resource>("{}").unwrap().is_empty(),
            "AWS leaves item out when empty"
        );
        let bad = items::<Resource>(r#"{"item": [{"id": 5}]}"#).unwrap_err();
        assert!(
            bad.message.starts_with("unexpected response: "),
            "{}",
            bad.message
        );
    }

    #[test]
    fn errors_are_shown_verbatim() {
        let e = HttpError::from_response(
            400,
            Some(
                "BadRequestException:http://internal.amazon.com/coral/com.amazonaws.backplane.controlplane/",
            ),
            r#"{"message":"Invalid time-to-live setting, must be an integer no greater than 3600"}"#,
        );
        assert_eq!(
            e.to_string(),
            "BadRequestException (400): Invalid time-to-live setting, must be an integer no greater than 3600"
        );
        let raw = HttpError::from_response(502, None, "upstream down");
        assert_eq!(raw.to_string(), "HTTP 502: upstream down");
        assert_eq!(
            HttpError::network("failed to fetch").to_string(),
            "Network error: failed to fetch"
        );
    }

    #[test]
    fn pages_and_resources_parse() {
        let page: Page<Resource> = serde_json::from_value(json!({"item": [
            {"id": "r1", "path": "/"},
            {"id": "r2", "path": "/pets", "resourceMethods": {"GET": {"httpMethod": "GET"}}}
        ]}))
        .unwrap();
        assert_eq!(
            page.item[1]
                .resource_methods
                .as_ref()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["GET"]
        );
        let auth: Authorizer =
            serde_json::from_value(json!({"id": "a", "name": "tok", "type": "TOKEN",
            "identitySource": "method.request.header.X-Token"}))
            .unwrap();
        assert_eq!(auth.token_header(), Some("X-Token"));
    }

    #[test]
    fn test_invoke_body_from_form() {
        let auth: Authorizer =
            serde_json::from_value(json!({"id": "a", "type": "TOKEN", "identitySource": "method.request.header.Authorization"})).unwrap();
        let body = test_invoke_request(
            &auth,
            "allow",
            "X-Trace: 1\n\n# c\n",
            "/pets?x=1",
            "env=dev",
        )
        .unwrap();
        assert_eq!(
            body,
            json!({"headers": {"Authorization": "allow", "X-Trace": "1"}, "pathWithQueryString": "/pets?x=1", "stageVariables": {"env": "dev"}})
        );
        assert_eq!(
            test_invoke_request(&auth, "", "oops", "", "").unwrap_err(),
            "Headers, line 1: use Name: value"
        );
        assert_eq!(
            test_invoke_request(&auth, "", "", "", "").unwrap(),
            json!({})
        );
    }
}
