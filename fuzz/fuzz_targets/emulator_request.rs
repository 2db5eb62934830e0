//! The emulator's request handling: any method, path, headers and body through the router (signature
//! checks off) against a fresh demo API. Never a panic, never a 5xx, and a 4xx changes nothing.
//!
//! Input text: `METHOD PATH\n` + `name: value\n` lines + `\n` + body. In the path, `{api}`,
//! `{resource}`, `{deployment}` and `{authorizer}` stand for ids of the demo API.
#![no_main]

use std::sync::OnceLock;

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request};
use libfuzzer_sys::fuzz_target;
use stagecraft_emulator::{AppState, Config, app, seed_demo};
use tower::ServiceExt;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    })
}

/// The request an input describes, or `None` when it is not a request hyper would pass on.
fn request(data: &[u8], ids: &[(&str, String)]) -> Option<Request<Body>> {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n');
    let (method, path) = lines.next()?.split_once(' ')?;
    let mut path = path.to_owned();
    for (name, id) in ids {
        path = path.replace(name, id);
    }
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).ok()?)
        .uri(path);
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            builder = builder.header(name.trim(), value.trim());
        }
    }
    builder.body(Body::from(body.to_vec())).ok()
}

fuzz_target!(|data: &[u8]| {
    let state = AppState::in_memory(Config {
        verify_signatures: false,
        ..Config::default()
    });
    let api = seed_demo(&state).expect("the demo seeds");
    let ids = state.read(|s| {
        let a = &s.apis[&api];
        let first = |keys: Vec<&String>| keys.first().map(|k| (*k).clone()).unwrap_or_default();
        vec![
            ("{resource}", first(a.resources.keys().collect())),
            ("{deployment}", first(a.deployments.keys().collect())),
            ("{authorizer}", first(a.authorizers.keys().collect())),
            ("{api}", api.clone()),
        ]
    });
    let Some(request) = request(data, &ids) else {
        return;
    };
    let before = state.read(stagecraft_emulator::Store::snapshot);
    let router = app(state.clone());
    let (status, body) = runtime().block_on(async move {
        let response = router.oneshot(request).await.expect("infallible");
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        (status, body)
    });
    assert!(
        !status.is_server_error(),
        "{status}: {}",
        String::from_utf8_lossy(&body)
    );
    if status.is_client_error() {
        let after = state.read(stagecraft_emulator::Store::snapshot);
        assert!(before == after, "a {status} changed the state");
    }
});
