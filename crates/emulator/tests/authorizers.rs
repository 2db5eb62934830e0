//! Authorizers in force on the data plane, against a real Lambda Invoke endpoint (a TCP stub that counts
//! its calls): TOKEN and REQUEST, the result cache (TTL, flush, update, redeploy, a cached policy reused
//! for another method), AWS's answers for deny, errors and timeouts, and AWS_IAM methods.
//!
//! The emulator's router is called in-process.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::Request;
use serde_json::{Value, json};
use stagecraft_emulator::{AppState, Config, app};
use stagecraft_sigv4::Signer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

mod support;
use support::read_request;

const UNAUTHORIZED: &str = r#"{"message":"Unauthorized"}"#;
const EXPLICIT_DENY: &str =
    r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#;
const IMPLICIT_DENY: &str = r#"{"Message":"User is not authorized to access this resource"}"#;
const CONFIGURATION_ERROR: &str = r#"{"message": null}"#;

/// The stub's record: authorizer calls and the events it received.
#[derive(Default)]
struct Seen {
    calls: AtomicUsize,
    events: std::sync::Mutex<Vec<Value>>,
}

fn policy(effect: &str, resource: &str) -> Value {
    json!({"principalId": "user-7", "context": {"plan": "gold", "n": 3},
           "policyDocument": {"Version": "2012-10-17", "Statement": [
               {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}})
}

/// The authorizer's answer for a token (TOKEN event) or an `Auth` header (REQUEST event).
fn authorizer_answer(event: &Value) -> Option<(bool, Value)> {
    let token = event["authorizationToken"]
        .as_str()
        .or_else(|| event["headers"]["Auth"].as_str())
        .or_else(|| event["headers"]["auth"].as_str())
        .unwrap_or("allow");
    let arn = event["methodArn"].as_str().unwrap_or("");
    let (api_stage, _) = arn.split_once("/GET/").or(arn.split_once("/DELETE/"))?;
    Some(match token {
        "allow" => (false, policy("Allow", &format!("{api_stage}/*"))),
        "allow-get" => (false, policy("Allow", &format!("{api_stage}/GET/*"))),
        "deny" => (false, policy("Deny", &format!("{api_stage}/*"))),
        "unauthorized" => (true, json!({"errorMessage": "Unauthorized"})),
        "boom" => (true, json!({"errorMessage": "boom", "errorType": "Error"})),
        "garbage" => (
            false,
            json!({"principalId": "u", "policyDocument": {"Statement": [{"Effect": "Perhaps"}]}}),
        ),
        _ => return None,
    })
}

async fn serve_stub(mut tcp: TcpStream, seen: Arc<Seen>) {
    while let Some((line, body)) = read_request(&mut tcp).await {
        let event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let (error, answer) = if line.contains("function%3aecho") {
            let body = json!({"authorizer": event["requestContext"]["authorizer"]}).to_string();
            (false, json!({"statusCode": 200, "body": body}))
        } else {
            seen.calls.fetch_add(1, Ordering::SeqCst);
            seen.events.lock().unwrap().push(event.clone());
            match authorizer_answer(&event) {
                Some(a) => a,
                None => {
                    // "hang": never answer; the emulator gives up after Lambda's 10 s.
                    let mut sink = [0u8; 1024];
                    while tcp.read(&mut sink).await.is_ok_and(|n| n > 0) {}
                    return;
                }
            }
        };
        let body = answer.to_string();
        let extra = if error {
            "x-amz-function-error: Unhandled\r\n"
        } else {
            ""
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\n\r\n",
            body.len()
        );
        let _ = tcp.write_all(head.as_bytes()).await;
        let _ = tcp.write_all(body.as_bytes()).await;
    }
}

async fn lambda_stub() -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(serve_stub(tcp, s.clone()));
        }
    });
    (url, seen)
}

struct Answer {
    status: u16,
    headers: axum::http::HeaderMap,
    body: String,
}

struct Setup {
    app: Router,
    api: String,
    seen: Arc<Seen>,
    authorizer: String,
    pets: String,
}

fn function_uri(name: &str) -> String {
    format!(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations"
    )
}

impl Setup {
    /// `/pets` GET (AWS_PROXY to `echo`) and DELETE (MOCK), both CUSTOM with one authorizer built from
    /// `authorizer`; `/open` GET without one; `/secure` GET AWS_IAM; stage `s`.
    async fn new(authorizer: Value) -> Self {
        let (endpoint, seen) = lambda_stub().await;
        let state = AppState::in_memory(Config {
            lambda_endpoint: Some(endpoint),
            verify_signatures: false,
            ..Config::default()
        });
        let mut setup = Self {
            app: app(state),
            api: String::new(),
            seen,
            authorizer: String::new(),
            pets: String::new(),
        };
        let api = setup
            .control("POST", "/restapis", json!({"name": "authz"}))
            .await;
        setup.api = api["id"].as_str().unwrap().to_owned();
        let base = format!("/restapis/{}", setup.api);
        let root = setup
            .control("GET", &format!("{base}/resources"), Value::Null)
            .await["item"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut auth = authorizer;
        auth["name"] = "auth".into();
        auth["authorizerUri"] = function_uri("auth").into();
        let auth = setup
            .control("POST", &format!("{base}/authorizers"), auth)
            .await;
        setup.authorizer = auth["id"].as_str().unwrap().to_owned();
        setup.pets = setup.resource(&root, "pets").await;
        let custom = json!({"authorizationType": "CUSTOM", "authorizerId": setup.authorizer});
        let pets = setup.pets.clone();
        setup
            .method(
                &pets,
                "GET",
                custom.clone(),
                json!({"type": "AWS_PROXY", "httpMethod": "POST", "uri": function_uri("echo")}),
            )
            .await;
        setup.method(&pets, "DELETE", custom, mock()).await;
        let open = setup.resource(&root, "open").await;
        setup
            .method(&open, "GET", json!({"authorizationType": "NONE"}), mock())
            .await;
        let secure = setup.resource(&root, "secure").await;
        setup
            .method(
                &secure,
                "GET",
                json!({"authorizationType": "AWS_IAM"}),
                mock(),
            )
            .await;
        setup.deploy().await;
        setup
    }

    async fn deploy(&self) {
        let base = format!("/restapis/{}", self.api);
        self.control(
            "POST",
            &format!("{base}/deployments"),
            json!({"stageName": "s"}),
        )
        .await;
    }

    async fn resource(&self, parent: &str, part: &str) -> String {
        let base = format!("/restapis/{}", self.api);
        self.control(
            "POST",
            &format!("{base}/resources/{parent}"),
            json!({"pathPart": part}),
        )
        .await["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn method(&self, resource: &str, verb: &str, method: Value, integration: Value) {
        let path = format!("/restapis/{}/resources/{resource}/methods/{verb}", self.api);
        self.control("PUT", &path, method).await;
        let mock = integration["type"] == "MOCK";
        self.control("PUT", &format!("{path}/integration"), integration)
            .await;
        if mock {
            // A MOCK answers through its integration responses (without one, AWS answers 500).
            self.control(
                "PUT",
                &format!("{path}/integration/responses/200"),
                json!({"responseTemplates": {"application/json": ""}}),
            )
            .await;
        }
    }

    async fn control(&self, method: &str, path: &str, body: Value) -> Value {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(if body.is_null() {
                Body::empty()
            } else {
                Body::from(body.to_string())
            })
            .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = to_bytes(res.into_body(), 1 << 20).await.unwrap();
        assert!(
            status.is_success(),
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = to_bytes(res.into_body(), 1 << 20).await.unwrap();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// Calls `verb /s{path}` with the given headers.
    async fn invoke(&self, verb: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = Request::builder()
            .method(verb)
            .uri(format!("/restapis/{}/s/_user_request_{path}", self.api));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    async fn with_token(&self, verb: &str, token: &str) -> Answer {
        self.invoke(verb, "/pets", &[("Auth", token)]).await
    }

    fn calls(&self) -> usize {
        self.seen.calls.load(Ordering::SeqCst)
    }

    async fn flush(&self) {
        let req = Request::builder()
            .method("DELETE")
            .uri(format!("/restapis/{}/stages/s/cache/authorizers", self.api))
            .body(Body::empty())
            .unwrap();
        assert_eq!(self.send(req).await.status, 202);
    }

    async fn patch_authorizer(&self, path: &str, value: &str) {
        let p = format!("/restapis/{}/authorizers/{}", self.api, self.authorizer);
        self.control(
            "PATCH",
            &p,
            json!({"patchOperations": [{"op": "replace", "path": path, "value": value}]}),
        )
        .await;
    }
}

fn mock() -> Value {
    json!({"type": "MOCK", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}})
}

fn token_authorizer(ttl: Option<i64>) -> Value {
    let mut a = json!({"type": "TOKEN", "identitySource": "method.request.header.Auth",
                       "identityValidationExpression": "[a-z-]+"});
    if let Some(ttl) = ttl {
        a["authorizerResultTtlInSeconds"] = ttl.into();
    }
    a
}

fn header<'a>(a: &'a Answer, name: &str) -> &'a str {
    a.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn allow_passes_context_to_the_proxy_event_and_the_cache_is_reused() {
    let s = Setup::new(token_authorizer(None)).await;
    let first = s.with_token("GET", "allow").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(header(&first, "x-stagecraft-authorizer"), "invoked");
    let body: Value = serde_json::from_str(&first.body).unwrap();
    assert_eq!(body["authorizer"]["principalId"], "user-7");
    assert_eq!(body["authorizer"]["plan"], "gold");
    assert_eq!(body["authorizer"]["n"], "3");
    assert_eq!(s.calls(), 1);
    let event = s.seen.events.lock().unwrap()[0].clone();
    assert_eq!(event["type"], "TOKEN");
    assert_eq!(event["authorizationToken"], "allow");
    assert_eq!(
        event["methodArn"],
        format!(
            "arn:aws:execute-api:us-east-1:123456789012:{}/s/GET/pets",
            s.api
        )
    );
    // Within the TTL: no call.
    let second = s.with_token("GET", "allow").await;
    assert_eq!(second.status, 200);
    assert_eq!(header(&second, "x-stagecraft-authorizer"), "cached");
    assert_eq!(s.calls(), 1);
    // Another token is another key.
    s.with_token("GET", "deny").await;
    assert_eq!(s.calls(), 2);
    // Flushed: called again.
    s.flush().await;
    assert_eq!(s.with_token("GET", "allow").await.status, 200);
    assert_eq!(s.calls(), 3);
    // Methods without an authorizer never call it.
    assert_eq!(s.invoke("GET", "/open", &[]).await.status, 200);
    assert_eq!(s.calls(), 3);
}

#[tokio::test]
async fn ttl_zero_calls_every_time_and_a_short_ttl_expires() {
    let s = Setup::new(token_authorizer(Some(0))).await;
    for n in 1..=3 {
        assert_eq!(s.with_token("GET", "allow").await.status, 200);
        assert_eq!(s.calls(), n);
    }
    s.patch_authorizer("/authorizerResultTtlInSeconds", "1")
        .await;
    s.with_token("GET", "allow").await;
    s.with_token("GET", "allow").await;
    assert_eq!(s.calls(), 4);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    s.with_token("GET", "allow").await;
    assert_eq!(s.calls(), 5);
}

#[tokio::test]
async fn a_cached_policy_for_get_denies_delete() {
    let s = Setup::new(token_authorizer(None)).await;
    assert_eq!(s.with_token("GET", "allow-get").await.status, 200);
    let delete = s.with_token("DELETE", "allow-get").await;
    assert_eq!((delete.status, delete.body.as_str()), (403, IMPLICIT_DENY));
    assert_eq!(header(&delete, "x-amzn-ErrorType"), "AccessDeniedException");
    assert_eq!(header(&delete, "x-stagecraft-authorizer"), "cached");
    assert_eq!(s.calls(), 1);
    // With TTL 0 the function sees DELETE's ARN, and its policy (GET only) still denies it.
    s.patch_authorizer("/authorizerResultTtlInSeconds", "0")
        .await;
    assert_eq!(s.with_token("DELETE", "allow-get").await.status, 403);
    assert_eq!(s.calls(), 2);
}

#[tokio::test]
async fn updating_the_authorizer_or_redeploying_clears_the_cache() {
    let s = Setup::new(token_authorizer(None)).await;
    s.with_token("GET", "allow").await;
    s.with_token("GET", "allow").await;
    assert_eq!(s.calls(), 1);
    s.patch_authorizer("/name", "renamed").await;
    s.with_token("GET", "allow").await;
    assert_eq!(s.calls(), 2);
    s.with_token("GET", "allow").await;
    assert_eq!(s.calls(), 2);
    s.deploy().await;
    s.with_token("GET", "allow").await;
    assert_eq!(s.calls(), 3);
}

#[tokio::test]
async fn identity_checks_come_before_the_call() {
    let s = Setup::new(token_authorizer(None)).await;
    for headers in [&[][..], &[("Auth", "")][..], &[("Auth", "UPPER")][..]] {
        let a = s.invoke("GET", "/pets", headers).await;
        assert_eq!((a.status, a.body.as_str()), (401, UNAUTHORIZED));
        assert_eq!(header(&a, "x-amzn-ErrorType"), "UnauthorizedException");
    }
    assert_eq!(s.calls(), 0);
}

#[tokio::test]
async fn request_authorizer_needs_every_source() {
    let s = Setup::new(json!({"type": "REQUEST",
        "identitySource": "method.request.header.Auth, method.request.querystring.tenant, stageVariables.missing"}))
        .await;
    // The stage has no variable `missing`: 401 without a call.
    let a = s
        .invoke("GET", "/pets?tenant=t1", &[("Auth", "allow")])
        .await;
    assert_eq!((a.status, a.body.as_str()), (401, UNAUTHORIZED));
    assert_eq!(s.calls(), 0);
    s.patch_authorizer(
        "/identitySource",
        "method.request.header.Auth,method.request.querystring.tenant,context.httpMethod",
    )
    .await;
    s.deploy().await;
    let a = s.invoke("GET", "/pets", &[("Auth", "allow")]).await;
    assert_eq!(a.status, 401);
    assert_eq!(s.calls(), 0);
    let a = s
        .invoke("GET", "/pets?tenant=t1", &[("Auth", "allow")])
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(s.calls(), 1);
    let event = s.seen.events.lock().unwrap()[0].clone();
    assert_eq!(event["type"], "REQUEST");
    assert_eq!(event["queryStringParameters"]["tenant"], "t1");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["resource"], "/pets");
    assert_eq!(event["requestContext"]["stage"], "s");
    assert!(event.get("body").is_none());
    // Another tenant is another cache key; the same one is cached.
    s.invoke("GET", "/pets?tenant=t2", &[("Auth", "allow")])
        .await;
    s.invoke("GET", "/pets?tenant=t1", &[("Auth", "allow")])
        .await;
    assert_eq!(s.calls(), 2);
}

#[tokio::test]
async fn denials_and_failures_get_aws_answers() {
    let s = Setup::new(token_authorizer(Some(0))).await;
    let cases = [
        ("deny", 403, EXPLICIT_DENY, "AccessDeniedException"),
        ("unauthorized", 401, UNAUTHORIZED, "UnauthorizedException"),
        (
            "boom",
            500,
            CONFIGURATION_ERROR,
            "AuthorizerConfigurationException",
        ),
        (
            "garbage",
            500,
            CONFIGURATION_ERROR,
            "AuthorizerConfigurationException",
        ),
    ];
    for (token, status, body, kind) in cases {
        let a = s.with_token("GET", token).await;
        assert_eq!((a.status, a.body.as_str()), (status, body), "{token}");
        assert_eq!(header(&a, "x-amzn-ErrorType"), kind, "{token}");
    }
    assert_eq!(s.calls(), 4);
    let metrics = s
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .body;
    let line = |name: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(&format!("{name}{{api=\"{}\",stage=\"s\"}}", s.api)))
            .unwrap_or("")
            .rsplit(' ')
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(line("apigateway_authorizer_invocations"), "4");
    assert_eq!(line("apigateway_authorizer_denials"), "4");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_authorizer_times_out_with_a_500() {
    let s = Setup::new(token_authorizer(Some(0))).await;
    let a = s.with_token("GET", "hang").await;
    assert_eq!((a.status, a.body.as_str()), (500, CONFIGURATION_ERROR));
}

fn signed(api: &str, path: &str, key: &str, secret: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method("GET")
        .uri(format!("/restapis/{api}/s/_user_request_{path}"))
        .header("host", "localhost:4567")
        .body(Vec::new())
        .unwrap();
    Signer::new(key, secret, "us-east-1", "execute-api")
        .sign_request(&mut req, SystemTime::now())
        .unwrap();
    req.map(Body::from)
}

#[tokio::test]
async fn aws_iam_methods_check_sigv4() {
    let s = Setup::new(token_authorizer(None)).await;
    let unsigned = s.invoke("GET", "/secure", &[]).await;
    assert_eq!(
        (unsigned.status, unsigned.body.as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );
    assert_eq!(
        s.send(signed(&s.api, "/secure", "test", "test"))
            .await
            .status,
        200
    );
    let wrong_secret = s.send(signed(&s.api, "/secure", "test", "nope")).await;
    assert_eq!(wrong_secret.status, 403);
    assert!(
        wrong_secret
            .body
            .contains("The request signature we calculated does not match"),
        "{}",
        wrong_secret.body
    );
    assert_eq!(
        header(&wrong_secret, "x-amzn-ErrorType"),
        "InvalidSignatureException"
    );
    let wrong_key = s.send(signed(&s.api, "/secure", "AKIDOTHER", "test")).await;
    assert_eq!(wrong_key.status, 403);
    assert!(
        wrong_key
            .body
            .contains("The security token included in the request is invalid."),
        "{}",
        wrong_key.body
    );
}
