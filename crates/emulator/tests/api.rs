//! Router-level tests with `tower::ServiceExt::oneshot`: routing, AWS errors, SigV4, stage semantics,
//! atomic and concurrent updates, durability, authorizers and the demo seed.

use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use stagecraft_core::api::Operation;
use stagecraft_emulator::{AppState, Config, app, seed_demo};
use stagecraft_sigv4::Signer;
use tower::ServiceExt;

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

fn signed_at(
    method: &str,
    path: &str,
    body: Option<&Value>,
    secret: &str,
    time: SystemTime,
) -> Request<Body> {
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    signed_bytes(method, path, bytes, secret, time)
}

/// A request with any body (not necessarily JSON), signed over exactly those bytes.
fn signed_bytes(
    method: &str,
    path: &str,
    bytes: Vec<u8>,
    secret: &str,
    time: SystemTime,
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost:4567")
        .header("content-type", "application/json")
        .body(bytes)
        .unwrap();
    Signer::new("test", secret, "us-east-1", "apigateway")
        .sign_request(&mut req, time)
        .unwrap();
    req.map(Body::from)
}

fn signed(method: &str, path: &str, body: Option<&Value>) -> Request<Body> {
    signed_at(method, path, body, "test", SystemTime::now())
}

struct Resp {
    status: StatusCode,
    error_type: Option<String>,
    json: Value,
    text: String,
}

async fn send(app: &Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let error_type = res
        .headers()
        .get("x-amzn-ErrorType")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        error_type,
        json,
        text,
    }
}

async fn call(app: &Router, method: &str, path: &str, body: Option<Value>) -> Resp {
    send(app, signed(method, path, body.as_ref())).await
}

fn state() -> AppState {
    AppState::in_memory(Config::default())
}

/// An API with `/pets` GET (MOCK), one deployment and stage `prod`. Returns (api, deployment).
async fn fixture(app: &Router) -> (String, String) {
    let api = call(app, "POST", "/restapis", Some(json!({"name": "t"})))
        .await
        .json;
    let id = api["id"].as_str().unwrap().to_owned();
    let root = api["rootResourceId"].as_str().unwrap();
    let pets = call(
        app,
        "POST",
        &format!("/restapis/{id}/resources/{root}"),
        Some(json!({"pathPart": "pets"})),
    )
    .await;
    assert_eq!(pets.status, 201, "{}", pets.text);
    let rid = pets.json["id"].as_str().unwrap();
    let m = call(
        app,
        "PUT",
        &format!("/restapis/{id}/resources/{rid}/methods/GET"),
        Some(json!({"authorizationType": "NONE"})),
    )
    .await;
    assert_eq!(m.status, 201, "{}", m.text);
    let i = call(
        app,
        "PUT",
        &format!("/restapis/{id}/resources/{rid}/methods/GET/integration"),
        Some(json!({"type": "MOCK"})),
    )
    .await;
    assert_eq!(i.status, 201, "{}", i.text);
    let d = call(
        app,
        "POST",
        &format!("/restapis/{id}/deployments"),
        Some(json!({})),
    )
    .await;
    assert_eq!(d.status, 201, "{}", d.text);
    let dep = d.json["id"].as_str().unwrap().to_owned();
    let s = call(
        app,
        "POST",
        &format!("/restapis/{id}/stages"),
        Some(json!({"stageName": "prod", "deploymentId": dep})),
    )
    .await;
    assert_eq!(s.status, 201, "{}", s.text);
    (id, dep)
}

#[tokio::test]
async fn unknown_routes_are_aws_errors() {
    let app = app(state());
    for (m, p) in [
        ("GET", "/nope"),
        ("POST", "/restapis/x/stages/y"),
        ("GET", "/restapis/x/stages/y/extra"),
    ] {
        let r = call(&app, m, p, None).await;
        assert_eq!(r.status, 404, "{m} {p}");
        assert_eq!(r.error_type.as_deref(), Some("UnknownOperationException"));
        assert!(r.json["message"].as_str().unwrap().contains(p));
    }
}

#[tokio::test]
async fn every_operation_of_core_table_is_routed() {
    let app = app(state());
    for op in Operation::ALL {
        let path = op.path_with(&["x", "x", "GET"]);
        let r = call(&app, op.method().as_str(), &path, None).await;
        assert_ne!(
            r.error_type.as_deref(),
            Some("UnknownOperationException"),
            "{op:?}: {} {path}",
            op.method().as_str()
        );
    }
}

#[tokio::test]
async fn sigv4_missing_bad_expired() {
    let app = app(state());
    let r = send(&app, Request::get("/restapis").body(Body::empty()).unwrap()).await;
    assert_eq!(
        (r.status, r.error_type.as_deref()),
        (
            StatusCode::FORBIDDEN,
            Some("MissingAuthenticationTokenException")
        )
    );
    assert_eq!(r.json, json!({"message": "Missing Authentication Token"}));

    let r = send(
        &app,
        signed_at("GET", "/restapis", None, "wrong", SystemTime::now()),
    )
    .await;
    assert_eq!(
        (r.status, r.error_type.as_deref()),
        (StatusCode::FORBIDDEN, Some("InvalidSignatureException"))
    );
    assert_eq!(r.json["message"], MISMATCH);

    let old = SystemTime::now() - Duration::from_secs(20 * 60);
    let r = send(&app, signed_at("GET", "/restapis", None, "test", old)).await;
    assert_eq!(r.error_type.as_deref(), Some("InvalidSignatureException"));
    let msg = r.json["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Signature expired: ") && msg.ends_with(" - 15 min.)"),
        "{msg}"
    );

    // A tampered body breaks the signature.
    let mut req = signed("POST", "/restapis", Some(&json!({"name": "a"})));
    *req.body_mut() = Body::from(json!({"name": "b"}).to_string());
    assert_eq!(send(&app, req).await.json["message"], MISMATCH);

    let ok = call(&app, "GET", "/restapis", None).await;
    assert_eq!(
        (ok.status, ok.json.clone()),
        (StatusCode::OK, json!({"item": []}))
    );
}

#[tokio::test]
async fn bad_input_is_a_400_and_big_bodies_a_413() {
    let app = app(state());
    // Malformed JSON, signed over the broken bytes so that the signature passes.
    let req = signed_bytes(
        "POST",
        "/restapis",
        b"{not json".to_vec(),
        "test",
        SystemTime::now(),
    );
    let r = send(&app, req).await;
    assert_eq!(
        (r.status, r.error_type.as_deref()),
        (StatusCode::BAD_REQUEST, Some("SerializationException"))
    );
    let message = r.json["message"].as_str().unwrap();
    assert!(
        message.starts_with("Invalid request body: ") && message.contains("line 1 column 2"),
        "{message}"
    );
    let bytes = "{\"name\": 5}";
    let r = call(
        &app,
        "POST",
        "/restapis",
        Some(serde_json::from_str(bytes).unwrap()),
    )
    .await;
    assert_eq!(
        (r.status, r.error_type.as_deref()),
        (StatusCode::BAD_REQUEST, Some("SerializationException"))
    );
    let big = json!({"name": "x".repeat(1024 * 1024 + 10)});
    let r = call(&app, "POST", "/restapis", Some(big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.error_type.as_deref(),
        Some("RequestEntityTooLargeException")
    );
}

#[tokio::test]
async fn stage_lifecycle_and_aws_errors() {
    let app = app(state());
    let (api, dep) = fixture(&app).await;
    let s = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None).await;
    let stage = s.json;
    assert_eq!(stage["methodSettings"], json!({}));
    assert_eq!(stage["cacheClusterStatus"], "NOT_AVAILABLE");
    assert_eq!(stage["cacheClusterEnabled"], false);
    assert_eq!(stage["tracingEnabled"], false);
    assert!(stage["createdDate"].is_i64() && stage["lastUpdatedDate"].is_i64());

    let dup = call(
        &app,
        "POST",
        &format!("/restapis/{api}/stages"),
        Some(json!({"stageName": "prod", "deploymentId": dep})),
    )
    .await;
    assert_eq!(
        (dup.status, dup.error_type.as_deref()),
        (StatusCode::CONFLICT, Some("ConflictException"))
    );
    assert_eq!(dup.json["message"], "Stage already exists");

    let missing = call(&app, "GET", &format!("/restapis/{api}/stages/nope"), None).await;
    assert_eq!(
        (missing.status, missing.json["message"].as_str()),
        (
            StatusCode::NOT_FOUND,
            Some("Invalid stage identifier specified")
        )
    );
    let no_api = call(&app, "GET", "/restapis/zzz/stages/prod", None).await;
    assert_eq!(
        no_api.json["message"],
        "Invalid API identifier specified 123456789012:zzz"
    );
    assert_eq!(no_api.error_type.as_deref(), Some("NotFoundException"));

    // Filter by deployment.
    let all = call(
        &app,
        "GET",
        &format!("/restapis/{api}/stages?deploymentId={dep}"),
        None,
    )
    .await;
    assert_eq!(all.json["item"].as_array().unwrap().len(), 1);
    let none = call(
        &app,
        "GET",
        &format!("/restapis/{api}/stages?deploymentId=other"),
        None,
    )
    .await;
    assert_eq!(none.json, json!({"item": []}));

    // Update: new key copies */*, then remove of a whole key.
    let ops = json!({"patchOperations": [
        {"op": "replace", "path": "/*/*/caching/enabled", "value": "true"},
        {"op": "replace", "path": "/~1pets/GET/throttling/burstLimit", "value": "10"},
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"}
    ]});
    let u = call(
        &app,
        "PATCH",
        &format!("/restapis/{api}/stages/prod"),
        Some(ops),
    )
    .await;
    assert_eq!(u.status, 200, "{}", u.text);
    assert_eq!(
        u.json["methodSettings"]["~1pets/GET"]["cachingEnabled"],
        true
    );
    assert_eq!(
        u.json["methodSettings"]["~1pets/GET"]["throttlingBurstLimit"],
        10
    );
    assert_eq!(u.json["cacheClusterStatus"], "AVAILABLE");

    // Atomic: a failing op in the middle leaves the stage byte-identical.
    let before = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None)
        .await
        .text;
    let ops = json!({"patchOperations": [
        {"op": "replace", "path": "/description", "value": "changed"},
        {"op": "remove", "path": "/~1orders/POST"},
        {"op": "replace", "path": "/tracingEnabled", "value": "true"}
    ]});
    let bad = call(
        &app,
        "PATCH",
        &format!("/restapis/{api}/stages/prod"),
        Some(ops),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json["message"],
        "Cannot remove method setting ~1orders/POST because there is no method setting for this method "
    );
    let after = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None)
        .await
        .text;
    assert_eq!(before, after);

    // Deployment in use cannot be deleted; unknown deployment id in UpdateStage.
    let del = call(
        &app,
        "DELETE",
        &format!("/restapis/{api}/deployments/{dep}"),
        None,
    )
    .await;
    assert_eq!(
        del.json["message"],
        "Active stages pointing to this deployment must be moved or deleted"
    );
    let ops =
        json!({"patchOperations": [{"op": "replace", "path": "/deploymentId", "value": "nope"}]});
    let r = call(
        &app,
        "PATCH",
        &format!("/restapis/{api}/stages/prod"),
        Some(ops),
    )
    .await;
    assert_eq!(r.json["message"], "Deployment id does not exist");

    let d = call(
        &app,
        "DELETE",
        &format!("/restapis/{api}/stages/prod"),
        None,
    )
    .await;
    assert_eq!(d.status, 202);
    let del = call(
        &app,
        "DELETE",
        &format!("/restapis/{api}/deployments/{dep}"),
        None,
    )
    .await;
    assert_eq!(del.status, 202);
}

#[tokio::test]
async fn deployments_create_and_canary() {
    let app = app(state());
    let (api, _) = fixture(&app).await;
    let no_stage = call(
        &app,
        "POST",
        &format!("/restapis/{api}/deployments"),
        Some(json!({"canarySettings": {"percentTraffic": 10}})),
    )
    .await;
    assert_eq!(
        no_stage.json["message"],
        "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null"
    );
    let missing = call(
        &app,
        "POST",
        &format!("/restapis/{api}/deployments"),
        Some(json!({"stageName": "non-existing", "canarySettings": {}})),
    )
    .await;
    assert_eq!(
        missing.json["message"],
        "Invalid deployment content specified.Stage non-existing must already be created before making a canary release deployment"
    );
    let c = call(
        &app,
        "POST",
        &format!("/restapis/{api}/deployments"),
        Some(json!({"stageName": "prod", "canarySettings": {"percentTraffic": 50}})),
    )
    .await;
    assert_eq!(c.status, 201);
    assert_eq!(
        c.json.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["createdDate", "id"]
    );
    let s = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None)
        .await
        .json;
    assert_eq!(
        s["canarySettings"],
        json!({"deploymentId": c.json["id"], "percentTraffic": 50.0, "useStageCache": false})
    );
    // Deploy with stageName creates a stage.
    let d = call(
        &app,
        "POST",
        &format!("/restapis/{api}/deployments"),
        Some(json!({"stageName": "beta", "variables": {"v": "1"}})),
    )
    .await;
    let beta = call(&app, "GET", &format!("/restapis/{api}/stages/beta"), None)
        .await
        .json;
    assert_eq!(beta["deploymentId"], d.json["id"]);
    assert_eq!(beta["variables"], json!({"v": "1"}));
    // Paging.
    let p = call(
        &app,
        "GET",
        &format!("/restapis/{api}/deployments?limit=2"),
        None,
    )
    .await
    .json;
    assert_eq!(p["item"].as_array().unwrap().len(), 2);
    let next = p["position"].as_str().unwrap();
    let p2 = call(
        &app,
        "GET",
        &format!("/restapis/{api}/deployments?limit=2&position={next}"),
        None,
    )
    .await
    .json;
    assert_eq!(p2["item"].as_array().unwrap().len(), 1);
    assert!(p2.get("position").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_lose_nothing() {
    let app = app(state());
    let (api, _) = fixture(&app).await;
    let mut tasks = Vec::new();
    for i in 0..64 {
        let app = app.clone();
        let api = api.clone();
        tasks.push(tokio::spawn(async move {
            let ops = json!({"patchOperations": [{"op": "replace", "path": format!("/variables/v{i}"), "value": format!("{i}")}]});
            call(&app, "PATCH", &format!("/restapis/{api}/stages/prod"), Some(ops)).await.status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let s = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None)
        .await
        .json;
    assert_eq!(s["variables"].as_object().unwrap().len(), 64);
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stagecraft-emulator-{}-{}",
        std::process::id(),
        name
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.log");
    let _ = std::fs::remove_file(&path);
    path
}

#[tokio::test]
async fn durable_across_restart_and_torn_tail() {
    let path = temp_file("durable");
    let (api, stage_text) = {
        let app = app(AppState::open(Config::default(), &path).unwrap());
        let (api, _) = fixture(&app).await;
        let ops = json!({"patchOperations": [{"op": "replace", "path": "/*/*/logging/loglevel", "value": "INFO"}]});
        assert_eq!(
            call(
                &app,
                "PATCH",
                &format!("/restapis/{api}/stages/prod"),
                Some(ops)
            )
            .await
            .status,
            200
        );
        let text = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None)
            .await
            .text;
        (api, text)
    };
    // A torn write at the end of the log.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"1f3 0badc0de [{\"t\":\"DeleteApi\",\"id\":\"")
            .unwrap();
    }
    let app = app(AppState::open(Config::default(), &path).unwrap());
    let again = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.text, stage_text);
    // The compacted log no longer holds the torn record.
    let content = std::fs::read_to_string(&path).unwrap();
    assert!(content.ends_with('\n') && !content.contains("0badc0de"));
}

#[tokio::test]
async fn tags_and_flush() {
    let st = state();
    let app = app(st.clone());
    let (api, _) = fixture(&app).await;
    let arn = format!("arn:aws:apigateway:us-east-1::/restapis/{api}/stages/prod");
    let enc: String = form_urlencoded::byte_serialize(arn.as_bytes()).collect();
    let t = call(
        &app,
        "PUT",
        &format!("/tags/{enc}"),
        Some(json!({"tags": {"a": "1", "b": "2"}})),
    )
    .await;
    assert_eq!(t.status, 204, "{}", t.text);
    assert_eq!(
        call(&app, "GET", &format!("/tags/{enc}"), None).await.json,
        json!({"tags": {"a": "1", "b": "2"}})
    );
    assert_eq!(
        call(&app, "DELETE", &format!("/tags/{enc}?tagKeys=a"), None)
            .await
            .status,
        204
    );
    let s = call(&app, "GET", &format!("/restapis/{api}/stages/prod"), None)
        .await
        .json;
    assert_eq!(s["tags"], json!({"b": "2"}));

    st.stage_caches(&api, "prod", |c| {
        c.authorizer.insert("k".into(), json!(1));
        c.response.insert(
            "k".into(),
            stagecraft_emulator::dataplane::CachedResponse::default(),
        );
    });
    let f = call(
        &app,
        "DELETE",
        &format!("/restapis/{api}/stages/prod/cache/authorizers"),
        None,
    )
    .await;
    assert_eq!(f.status, 202);
    assert_eq!(
        st.stage_caches(&api, "prod", |c| (c.authorizer.len(), c.response.len())),
        Some((0, 1))
    );
    assert_eq!(
        call(
            &app,
            "DELETE",
            &format!("/restapis/{api}/stages/prod/cache/data"),
            None
        )
        .await
        .status,
        202
    );
    assert_eq!(st.stage_caches(&api, "prod", |c| c.response.len()), Some(0));
    let f = call(
        &app,
        "DELETE",
        &format!("/restapis/{api}/stages/nope/cache/data"),
        None,
    )
    .await;
    assert_eq!(
        (f.status, f.json["message"].as_str()),
        (
            StatusCode::NOT_FOUND,
            Some("Invalid stage identifier specified")
        )
    );
}

#[tokio::test]
async fn authorizers_and_demo_test_invoke() {
    let st = state();
    let api = seed_demo(&st).unwrap();
    let app = app(st);
    let stages = call(&app, "GET", &format!("/restapis/{api}/stages"), None)
        .await
        .json;
    let names: Vec<&str> = stages["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stageName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "prod"]);
    let prod = &stages["item"][1];
    assert_eq!(
        prod["methodSettings"]["~1pets/GET"]["unauthorizedCacheControlHeaderStrategy"],
        "FAIL_WITH_403"
    );
    assert!(
        prod["accessLogSettings"]["format"]
            .as_str()
            .unwrap()
            .contains("$context.requestId")
    );
    let auths = call(&app, "GET", &format!("/restapis/{api}/authorizers"), None)
        .await
        .json;
    let id = auths["item"][0]["id"].as_str().unwrap().to_owned();

    let path = format!("/restapis/{api}/authorizers/{id}");
    let invoke = |token: Option<&str>| {
        let body = token.map_or(json!({}), |t| json!({"headers": {"Authorization": t}}));
        call(&app, "POST", &path, Some(body))
    };
    let allow = invoke(Some("allow")).await.json;
    assert_eq!(allow["clientStatus"], 0);
    assert_eq!(allow["principalId"], "demo-user");
    let policy: Value = serde_json::from_str(allow["policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Effect"], "Allow");
    assert!(
        allow["log"]
            .as_str()
            .unwrap()
            .starts_with("Execution log for request test-request\n")
    );
    assert_eq!(invoke(Some("deny")).await.json["clientStatus"], 0);
    assert_eq!(invoke(Some("unauthorized")).await.json["clientStatus"], 401);
    assert_eq!(invoke(Some("junk")).await.json["clientStatus"], 500);
    assert_eq!(invoke(None).await.json["clientStatus"], 401);

    // A real function without --lambda-endpoint.
    let uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:real/invocations";
    let created = call(&app, "POST", &format!("/restapis/{api}/authorizers"), Some(json!({
        "name": "real", "type": "TOKEN", "authorizerUri": uri, "identitySource": "method.request.header.Auth"
    }))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["authType"], "custom");
    assert!(created.json.get("authorizerResultTtlInSeconds").is_none());
    let rid = created.json["id"].as_str().unwrap();
    let r = call(
        &app,
        "POST",
        &format!("/restapis/{api}/authorizers/{rid}"),
        Some(json!({"headers": {"Auth": "x"}})),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        r.json["message"]
            .as_str()
            .unwrap()
            .contains("--lambda-endpoint")
    );

    // Validation and update.
    let bad = call(&app, "POST", &format!("/restapis/{api}/authorizers"), Some(json!({
        "name": "b", "type": "TOKEN", "authorizerUri": uri, "identitySource": "method.request.querystring.key"
    }))).await;
    assert_eq!(
        bad.json["message"],
        "Invalid token source expression: method.request.querystring.key. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'."
    );
    let ops = json!({"patchOperations": [{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "60"}]});
    let u = call(
        &app,
        "PATCH",
        &format!("/restapis/{api}/authorizers/{rid}"),
        Some(ops),
    )
    .await;
    assert_eq!(u.json["authorizerResultTtlInSeconds"], 60);
    let in_use = call(
        &app,
        "DELETE",
        &format!("/restapis/{api}/authorizers/{id}"),
        None,
    )
    .await;
    assert_eq!(in_use.status, 400);
    assert_eq!(
        call(
            &app,
            "DELETE",
            &format!("/restapis/{api}/authorizers/{rid}"),
            None
        )
        .await
        .status,
        202
    );
    let gone = call(
        &app,
        "GET",
        &format!("/restapis/{api}/authorizers/{rid}"),
        None,
    )
    .await;
    assert_eq!(
        gone.json["message"],
        "Invalid Authorizer identifier specified"
    );
}
