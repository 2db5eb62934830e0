//! A shared deployment over real HTTP: identity from a trusted proxy (and ignored from anyone else),
//! `--read-only`, the `--rules` file (allowed, refused with AWS's access-denied shape), the audit log
//! (a line per change that succeeded, failed or was refused; read back by `/api/_stagecraft/audit`)
//! and `whoami`.

mod support;

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use support::{BIN, Browser, Proc, demo, error_type};

const RULES: &str = r#"{
  "groups": { "platform": ["alice"] },
  "rules": [
    { "stages": ["dev"], "allow": ["*"] },
    { "stages": ["prod"], "allow": ["group:platform"] }
  ]
}"#;

/// A browser behind the portal's proxy: every request names `user` (and `groups`).
async fn as_user(server: &Proc, user: &str, groups: Option<&str>) -> Browser {
    let mut headers = HeaderMap::new();
    headers.insert("x-forwarded-user", HeaderValue::from_str(user).unwrap());
    if let Some(g) = groups {
        headers.insert("x-forwarded-groups", HeaderValue::from_str(g).unwrap());
    }
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Browser::open_with(server, http).await
}

fn describe(text: &str) -> Value {
    json!({"patchOperations": [{"op": "replace", "path": "/description", "value": text}]})
}

struct Portal {
    server: Proc,
    audit: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn portal(extra: &[&str], trusted: &str) -> Portal {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.json");
    std::fs::write(&rules, RULES).unwrap();
    let audit = dir.path().join("audit.jsonl");
    let mut args = vec![
        "--demo",
        "--quiet",
        "--trusted-identity-header",
        "X-Forwarded-User",
        "--trusted-groups-header",
        "X-Forwarded-Groups",
        "--trusted-proxy",
        trusted,
        "--rules",
        rules.to_str().unwrap(),
        "--audit-log",
        audit.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Portal {
        server: Proc::serve(&args, &[]),
        audit,
        _dir: dir,
    }
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test]
async fn rules_allow_refuse_and_every_change_is_audited() {
    let p = portal(&[], "127.0.0.1");
    let bob = as_user(&p.server, "bob", None).await;
    let (api, _) = demo(&bob).await;
    let dev = format!("/restapis/{api}/stages/dev");
    let prod = format!("/restapis/{api}/stages/prod");

    // Everyone may edit dev.
    let changed = bob
        .json(Method::PATCH, &dev, Some(describe("by bob")))
        .await;
    assert_eq!(changed["description"], "by bob");

    // Only the platform group may edit prod: refused before the target sees it.
    let (status, headers, body) = bob.call(Method::PATCH, &prod, Some(describe("nope"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_type(&headers), "AccessDeniedException");
    assert_eq!(headers["x-stagecraft-rejected-by"], "serve");
    let message: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        message["message"],
        format!(
            "User: bob is not authorized to perform: apigateway:PATCH on resource: arn:aws:apigateway:us-east-1::/restapis/{api}/stages/prod (stagecraft serve: the rules file allows only group:platform to change stage prod of REST API {api})"
        )
    );
    let untouched = bob.json(Method::GET, &prod, None).await;
    assert_ne!(untouched["description"], "nope");

    // alice is in the platform group by the rules file; carol by the groups header.
    let alice = as_user(&p.server, "alice", None).await;
    alice
        .json(Method::PATCH, &prod, Some(describe("by alice")))
        .await;
    let carol = as_user(&p.server, "carol", Some("platform")).await;
    carol
        .json(Method::PATCH, &prod, Some(describe("by carol")))
        .await;

    // A change the target refuses is recorded as failed, with AWS's error.
    let bad = json!({"patchOperations": [{"op": "replace", "path": "/nope", "value": "x"}]});
    let (status, headers, _) = bob.call(Method::PATCH, &dev, Some(bad.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_type(&headers), "BadRequestException");

    // Reads are not audited; every change is, in order, on disk when the answer came.
    let log = lines(&p.audit);
    assert_eq!(log.len(), 5, "{log:#?}");
    let summary: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|l| {
            (
                l["user"].as_str().unwrap(),
                l["stage"].as_str().unwrap(),
                l["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("bob", "dev", "ok"),
            ("bob", "prod", "refused"),
            ("alice", "prod", "ok"),
            ("carol", "prod", "ok"),
            ("bob", "dev", "failed"),
        ]
    );
    let first = &log[0];
    assert_eq!(first["operation"], "UpdateStage");
    assert_eq!(first["restApiId"], api.as_str());
    assert_eq!(first["identity"], "header");
    assert_eq!(first["status"], 200);
    assert_eq!(
        first["patchOperations"],
        describe("by bob")["patchOperations"]
    );
    assert_eq!(
        first["target"],
        json!({"kind": "emulator", "region": "us-east-1", "account": "123456789012", "endpoint": null})
    );
    assert!(!first["requestId"].as_str().unwrap().is_empty());
    assert_ne!(first["before"]["description"], "by bob");
    assert_eq!(first["after"]["description"], "by bob");
    assert_eq!(first["after"]["stageName"], "dev");
    assert!(log[1].get("before").is_none() && log[4].get("after").is_none());
    assert!(first["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(log[1]["error"]["type"], "AccessDeniedException");
    assert_eq!(log[1]["status"], 403);
    assert_eq!(log[4]["error"]["type"], "BadRequestException");
    assert_eq!(log[4]["patchOperations"], bad["patchOperations"]);
    assert!(!log[4]["error"]["message"].as_str().unwrap().is_empty());

    // The History view's read: one stage, newest first.
    let history = bob
        .json(
            Method::GET,
            &format!("/_stagecraft/audit?restApiId={api}&stage=prod"),
            None,
        )
        .await;
    let users: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["carol", "alice", "bob"]);
    let limited = bob
        .json(
            Method::GET,
            &format!("/_stagecraft/audit?restApiId={api}&limit=1"),
            None,
        )
        .await;
    assert_eq!(limited["items"][0]["result"], "failed");
    for bad_query in [
        "",
        "?restApiId=",
        "?restApiId=a&limit=0",
        "?restApiId=a&x=1",
    ] {
        let (status, headers, _) = bob
            .call(Method::GET, &format!("/_stagecraft/audit{bad_query}"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad_query}");
        assert_eq!(error_type(&headers), "BadRequestException");
    }

    // whoami explains a disabled Save.
    let me = bob
        .json(
            Method::GET,
            &format!("/_stagecraft/whoami?restApiId={api}&stage=prod"),
            None,
        )
        .await;
    assert_eq!(me["user"], "bob");
    assert_eq!(me["identity"], "header");
    assert_eq!(me["canChange"], false);
    assert_eq!(
        me["reason"],
        format!("the rules file allows only group:platform to change stage prod of REST API {api}")
    );
    let alice_me = alice
        .json(
            Method::GET,
            &format!("/_stagecraft/whoami?restApiId={api}&stage=prod"),
            None,
        )
        .await;
    assert_eq!(alice_me["canChange"], true);
    assert_eq!(alice_me["groups"], json!(["platform"]));

    // A trusted proxy that sends no user is refused, not served anonymously.
    let nobody = reqwest::get(p.server.url("/")).await.unwrap();
    assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_identity_header_from_an_untrusted_peer_is_ignored() {
    // Only 10.9.9.9 is trusted: this test's loopback requests are not.
    let p = portal(&[], "10.9.9.9");
    let mallory = as_user(&p.server, "alice", Some("platform")).await;
    let (api, _) = demo(&mallory).await;
    let me = mallory
        .json(
            Method::GET,
            &format!("/_stagecraft/whoami?restApiId={api}&stage=prod"),
            None,
        )
        .await;
    assert_eq!(me["user"], Value::Null);
    assert_eq!(me["identity"], "anonymous");
    assert_eq!(me["groups"], json!([]));
    assert_eq!(me["canChange"], false);
    let (status, _, body) = mallory
        .call(
            Method::PATCH,
            &format!("/restapis/{api}/stages/prod"),
            Some(describe("sneaky")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(String::from_utf8_lossy(&body).contains("User: anonymous is not authorized"));
    // dev is open to everyone, anonymous included; the log says who (nobody named).
    mallory
        .json(
            Method::PATCH,
            &format!("/restapis/{api}/stages/dev"),
            Some(describe("anon")),
        )
        .await;
    let log = lines(&p.audit);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["user"], Value::Null);
    assert_eq!(log[1]["identity"], "anonymous");
}

#[tokio::test]
async fn a_remote_server_without_a_token_serves_only_its_trusted_proxies() {
    let p = portal(&["--allow-remote"], "10.9.9.9");
    let page = reqwest::Client::new()
        .get(p.server.url("/"))
        .header("x-forwarded-user", "alice")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("only through its trusted proxy")
    );
}

#[tokio::test]
async fn read_only_refuses_changes_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let server = Proc::serve(
        &[
            "--demo",
            "--quiet",
            "--read-only",
            "--audit-log",
            audit.to_str().unwrap(),
        ],
        &[],
    );
    let browser = Browser::open(&server).await;
    let (api, _) = demo(&browser).await;
    let (status, headers, body) = browser
        .call(
            Method::PATCH,
            &format!("/restapis/{api}/stages/dev"),
            Some(describe("x")),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_type(&headers), "AccessDeniedException");
    assert!(
        String::from_utf8_lossy(&body)
            .contains("User: local user is not authorized to perform: apigateway:PATCH")
    );
    assert!(String::from_utf8_lossy(&body).contains("read-only (--read-only)"));
    let (status, _, _) = browser
        .call(
            Method::DELETE,
            &format!("/restapis/{api}/stages/dev/cache/data"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Reads still work.
    browser
        .json(Method::GET, &format!("/restapis/{api}/stages/dev"), None)
        .await;
    let me = browser
        .json(
            Method::GET,
            &format!("/_stagecraft/whoami?restApiId={api}&stage=dev"),
            None,
        )
        .await;
    assert_eq!(me["readOnly"], true);
    assert_eq!(me["identity"], "local");
    assert_eq!(me["canChange"], false);
    assert_eq!(
        me["reason"],
        "this stagecraft server is read-only (--read-only)"
    );
    let log = lines(&audit);
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|l| l["result"] == "refused" && l["user"].is_null())
    );
    assert_eq!(log[1]["operation"], "FlushStageCache");
}

#[tokio::test]
async fn without_an_audit_log_history_is_a_clear_404() {
    let server = Proc::serve(&["--demo", "--quiet"], &[]);
    let browser = Browser::open(&server).await;
    let (status, headers, body) = browser
        .call(
            Method::GET,
            "/_stagecraft/audit?restApiId=a1&stage=dev",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_type(&headers), "NotFoundException");
    assert!(String::from_utf8_lossy(&body).contains("--audit-log FILE"));
    let me = browser.json(Method::GET, "/_stagecraft/whoami", None).await;
    assert_eq!(me["auditLog"], false);
    assert_eq!(me["rules"], false);
    assert!(me.get("canChange").is_none());
    let (status, _, _) = browser
        .call(Method::POST, "/_stagecraft/whoami", None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn bad_flags_and_files_are_refused_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.json");
    std::fs::write(&rules, r#"{"rules":[{"stages":["dev"]}]}"#).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&["--rules", rules.to_str().unwrap()]).contains("missing field `allow`"));
    assert!(run(&["--rules", "/nonexistent/rules.json"]).contains("cannot read the rules file"));
    assert!(run(&["--allow-remote"]).contains("--allow-remote needs --token TOKEN"));
    assert!(run(&["--trusted-identity-header", "X-User"]).contains("--trusted-proxy"));
    assert!(
        run(&[
            "--trusted-identity-header",
            "X-User",
            "--trusted-proxy",
            "portal.lan"
        ])
        .contains("not an IP address or CIDR block")
    );
    assert!(
        run(&[
            "--audit-log",
            dir.path().join("no/such/dir.jsonl").to_str().unwrap()
        ])
        .contains("cannot open the audit log")
    );
}

#[tokio::test]
async fn the_page_names_the_origins_that_may_drive_the_embedded_editor() {
    let server = Proc::serve(
        &[
            "--quiet",
            "--frame-ancestors",
            "https://portal.example.com,http://127.0.0.1:9000/",
        ],
        &[],
    );
    let page = reqwest::get(server.url("/?embed=1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"<meta name="stagecraft-frame-ancestors" content="https://portal.example.com http://127.0.0.1:9000">"#),
        "{page}"
    );
    let plain = Proc::serve(&["--quiet"], &[]);
    let page = reqwest::get(plain.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("stagecraft-frame-ancestors"));
}

#[tokio::test]
async fn the_embed_helper_is_served_to_any_origin() {
    let server = Proc::serve(&["--quiet"], &[]);
    for (path, kind, needle) in [
        (
            "/_stagecraft/embed.js",
            "text/javascript; charset=utf-8",
            "export function mountStageEditor",
        ),
        (
            "/_stagecraft/embed.d.ts",
            "application/typescript; charset=utf-8",
            "export function mountStageEditor(element: HTMLElement",
        ),
    ] {
        let resp = reqwest::Client::new()
            .get(server.url(path))
            .header("origin", "https://portal.example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        assert_eq!(resp.headers()["content-type"], kind);
        assert_eq!(resp.headers()["access-control-allow-origin"], "*");
        assert_eq!(
            resp.headers()["cross-origin-resource-policy"],
            "cross-origin"
        );
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
        assert!(resp.text().await.unwrap().contains(needle));
    }
    // Everything else stays same-origin.
    let page = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(
        page.headers()["cross-origin-resource-policy"],
        "same-origin"
    );
    assert!(page.headers().get("access-control-allow-origin").is_none());
}

/// In front of a separate emulator (`--endpoint`), the audit log names the account STS
/// `GetCallerIdentity` reports for serve's credentials.
#[tokio::test]
async fn the_audit_log_names_the_account_sts_reports() {
    let emulator = Proc::emulator(&["--demo", "--account-id", "210987654321"]);
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let endpoint = emulator.url("");
    let server = Proc::serve(
        &[
            "--endpoint",
            &endpoint,
            "--region",
            "eu-west-1",
            "--audit-log",
            audit.to_str().unwrap(),
            "--quiet",
        ],
        &[
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ],
    );
    let browser = Browser::open(&server).await;
    let (api, _) = demo(&browser).await;
    browser
        .json(
            Method::PATCH,
            &format!("/restapis/{api}/stages/dev"),
            Some(describe("through an endpoint")),
        )
        .await;
    let log = lines(&audit);
    assert_eq!(
        log[0]["target"],
        json!({"kind": "endpoint", "region": "eu-west-1", "account": "210987654321", "endpoint": endpoint})
    );
}

/// Concurrent changes to one stage are recorded one after another: each entry's `before` is the
/// previous entry's `after`, so every revert the History view offers undoes exactly its change.
#[tokio::test]
async fn concurrent_changes_record_a_chain_of_before_and_after() {
    let p = portal(&[], "127.0.0.1");
    let bob = as_user(&p.server, "bob", None).await;
    let (api, _) = demo(&bob).await;
    let dev = format!("/restapis/{api}/stages/dev");
    let mut changes = tokio::task::JoinSet::new();
    for i in 0..12 {
        let (bob, dev) = (bob.clone(), dev.clone());
        changes.spawn(async move {
            bob.json(Method::PATCH, &dev, Some(describe(&format!("change {i}"))))
                .await
        });
    }
    while let Some(done) = changes.join_next().await {
        done.unwrap();
    }
    let log = lines(&p.audit);
    assert_eq!(log.len(), 12);
    for pair in log.windows(2) {
        assert_eq!(pair[0]["after"], pair[1]["before"], "{pair:#?}");
    }
}
