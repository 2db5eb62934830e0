//! TestInvokeAuthorizer against a Lambda endpoint that misbehaves: it hangs, resets the connection,
//! answers 5xx, invalid JSON or 50 MB. Each time the answer is AWS's (HTTP 200, `clientStatus` 500,
//! `AuthorizerConfigurationException` in the log), memory stays bounded and no worker is left stuck.
//!
//! The Lambda endpoint is a real TCP server; the emulator's router is called in-process.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use stagecraft_emulator::{AppState, Config, app, seed_demo};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

mod support;
use support::read_request;

const FIFTY_MB: u64 = 50 * 1024 * 1024;

/// What the stub Lambda endpoint saw and did.
#[derive(Default)]
struct Counters {
    /// Hung connections the emulator has since closed.
    released: AtomicUsize,
    /// Bytes of the 50 MB answers actually written before the emulator stopped reading.
    written: AtomicU64,
}

async fn answer(tcp: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\n{headers}\r\n",
        body.len()
    );
    let _ = tcp.write_all(head.as_bytes()).await;
    let _ = tcp.write_all(body).await;
}

/// Writes `total` bytes of `x` (with a `content-length` when `declared`) until the peer goes away.
async fn flood(tcp: &mut TcpStream, total: u64, declared: bool, counters: &Counters) {
    let head = if declared {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {total}\r\n\r\n"
        )
    } else {
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            .to_owned()
    };
    if tcp.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    let block = vec![b'x'; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let result = if declared {
            tcp.write_all(&block).await
        } else {
            let mut framed = format!("{:x}\r\n", block.len()).into_bytes();
            framed.extend_from_slice(&block);
            framed.extend_from_slice(b"\r\n");
            tcp.write_all(&framed).await
        };
        if result.is_err() {
            return;
        }
        sent += block.len() as u64;
        counters
            .written
            .fetch_add(block.len() as u64, Ordering::SeqCst);
    }
}

/// One connection: the function name in the request line picks the misbehaviour.
async fn misbehave(mut tcp: TcpStream, counters: Arc<Counters>) {
    while let Some((line, _body)) = read_request(&mut tcp).await {
        let function = line
            .split("function%3a")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default()
            .to_owned();
        match function.as_str() {
            "hang" => {
                // Never answer; note when the emulator gives up and closes.
                let mut sink = [0u8; 1024];
                while tcp.read(&mut sink).await.is_ok_and(|n| n > 0) {}
                counters.released.fetch_add(1, Ordering::SeqCst);
                return;
            }
            "reset" => {
                let _ = tcp.set_zero_linger();
                return;
            }
            "error5xx" => {
                answer(
                    &mut tcp,
                    "500 Internal Server Error",
                    "content-type: application/json\r\nx-amzn-errortype: ServiceException\r\n",
                    b"{\"Type\":\"Service\",\"Message\":\"Lambda was unable to run the function\"}",
                )
                .await;
            }
            "bigerror" => {
                let body = vec![b'e'; 2 * 1024 * 1024];
                answer(&mut tcp, "502 Bad Gateway", "", &body).await;
            }
            "badjson" => {
                answer(
                    &mut tcp,
                    "200 OK",
                    "content-type: application/json\r\n",
                    b"{\"principalId\": \"u\", \"policyDocument\": ",
                )
                .await;
            }
            "huge" => return flood(&mut tcp, FIFTY_MB, true, &counters).await,
            "hugechunked" => return flood(&mut tcp, FIFTY_MB, false, &counters).await,
            _ => {
                answer(
                    &mut tcp,
                    "200 OK",
                    "content-type: application/json\r\n",
                    br#"{"principalId":"u1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}"#,
                )
                .await;
            }
        }
    }
}

/// A Lambda endpoint on a free port.
async fn lambda_stub() -> (String, Arc<Counters>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counters = Arc::new(Counters::default());
    let c = counters.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(misbehave(tcp, c.clone()));
        }
    });
    (url, counters)
}

struct Emulator {
    app: Router,
    api: String,
}

impl Emulator {
    fn with_lambda(endpoint: &str) -> Self {
        let state = AppState::in_memory(Config {
            lambda_endpoint: Some(endpoint.to_owned()),
            // Signatures are checked elsewhere; these tests are about the Lambda side.
            verify_signatures: false,
            ..Config::default()
        });
        let api = seed_demo(&state).unwrap();
        Self {
            app: app(state),
            api,
        }
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Vec<u8>) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), 1024 * 1024).await.unwrap();
        (status, body.to_vec())
    }

    /// A TOKEN authorizer for `function`; returns its id.
    async fn authorizer(&self, function: &str) -> String {
        let uri = format!(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"
        );
        let (status, body) = self
            .call(
                "POST",
                &format!("/restapis/{}/authorizers", self.api),
                Some(
                    json!({"name": function, "type": "TOKEN", "authorizerUri": uri,
                            "identitySource": "method.request.header.Auth"}),
                ),
            )
            .await;
        assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
        serde_json::from_slice::<Value>(&body).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// TestInvokeAuthorizer: AWS answers 200 whatever the function did; returns the body and its size.
    async fn test_invoke(&self, authorizer: &str) -> (Value, usize) {
        let (status, body) = self
            .call(
                "POST",
                &format!("/restapis/{}/authorizers/{authorizer}", self.api),
                Some(json!({"headers": {"Auth": "token-1"}})),
            )
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        (serde_json::from_slice(&body).unwrap(), body.len())
    }
}

/// AWS's answer to a failed authorizer: clientStatus 500, the configuration error in the log.
fn assert_configuration_error(result: &Value, why: &str) {
    assert_eq!(result["clientStatus"], 500, "{result}");
    let log = result["log"].as_str().unwrap();
    assert!(
        log.contains("Execution failed due to configuration error: "),
        "{log}"
    );
    assert!(
        log.trim_end().ends_with("AuthorizerConfigurationException"),
        "{log}"
    );
    assert!(log.contains(why), "expected `{why}` in {log}");
    assert!(result.get("policy").is_none() && result.get("principalId").is_none());
}

#[tokio::test]
async fn a_well_behaved_function_still_works() {
    let (endpoint, _) = lambda_stub().await;
    let emulator = Emulator::with_lambda(&endpoint);
    let id = emulator.authorizer("fine").await;
    let (result, _) = emulator.test_invoke(&id).await;
    assert_eq!(result["clientStatus"], 0, "{result}");
    assert_eq!(result["principalId"], "u1");
}

#[tokio::test]
async fn a_reset_connection_is_a_500() {
    let (endpoint, _) = lambda_stub().await;
    let emulator = Emulator::with_lambda(&endpoint);
    let id = emulator.authorizer("reset").await;
    let (result, _) = emulator.test_invoke(&id).await;
    assert_configuration_error(&result, "Lambda endpoint failed");
}

#[tokio::test]
async fn a_5xx_from_lambda_is_a_500_with_its_text() {
    let (endpoint, _) = lambda_stub().await;
    let emulator = Emulator::with_lambda(&endpoint);
    let id = emulator.authorizer("error5xx").await;
    let (result, _) = emulator.test_invoke(&id).await;
    assert_configuration_error(
        &result,
        "Lambda returned HTTP 500: {\"Type\":\"Service\",\"Message\":\"Lambda was unable to run the function\"}",
    );
    // A long error body is quoted, not copied whole into the log.
    let id = emulator.authorizer("bigerror").await;
    let (result, size) = emulator.test_invoke(&id).await;
    assert_configuration_error(&result, "Lambda returned HTTP 502: eeee");
    assert_configuration_error(&result, "… (2097152 bytes)");
    assert!(size < 16 * 1024, "{size} bytes");
}

#[tokio::test]
async fn invalid_json_is_a_500() {
    let (endpoint, _) = lambda_stub().await;
    let emulator = Emulator::with_lambda(&endpoint);
    let id = emulator.authorizer("badjson").await;
    let (result, _) = emulator.test_invoke(&id).await;
    assert_configuration_error(
        &result,
        "Invalid JSON in response: {\"principalId\": \"u\", \"policyDocument\": ",
    );
}

#[tokio::test]
async fn a_50_mb_answer_is_cut_at_lambdas_6_mb_limit() {
    let (endpoint, counters) = lambda_stub().await;
    let emulator = Emulator::with_lambda(&endpoint);
    for function in ["huge", "hugechunked"] {
        counters.written.store(0, Ordering::SeqCst);
        let id = emulator.authorizer(function).await;
        let (result, size) = emulator.test_invoke(&id).await;
        assert_configuration_error(
            &result,
            "Response payload size exceeded maximum allowed payload size (6291456 bytes)",
        );
        assert!(size < 16 * 1024, "{function}: {size} bytes");
        // The emulator stopped reading: far less than 50 MB left the stub (socket buffers hold some).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let written = counters.written.load(Ordering::SeqCst);
            assert!(
                written < FIFTY_MB,
                "{function}: all {written} bytes were read"
            );
            if Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            if counters.written.load(Ordering::SeqCst) == written {
                break;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_function_times_out_without_holding_a_worker() {
    let (endpoint, counters) = lambda_stub().await;
    let emulator = Arc::new(Emulator::with_lambda(&endpoint));
    let id = emulator.authorizer("hang").await;
    let hung: Vec<_> = (0..4)
        .map(|_| {
            let (emulator, id) = (emulator.clone(), id.clone());
            tokio::spawn(async move { emulator.test_invoke(&id).await })
        })
        .collect();
    // While four invocations wait for the function, the emulator answers everything else.
    let (status, _) = emulator
        .call("GET", &format!("/restapis/{}/stages", emulator.api), None)
        .await;
    assert_eq!(status, 200);
    assert!(hung.iter().all(|h| !h.is_finished()));
    for h in hung {
        let (result, _) = h.await.unwrap();
        assert_configuration_error(&result, "Lambda invocation timed out after 10000 ms");
    }
    // Every hung connection was closed by the emulator.
    let deadline = Instant::now() + Duration::from_secs(30);
    while counters.released.load(Ordering::SeqCst) < 4 {
        assert!(Instant::now() < deadline, "hung connections left open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
