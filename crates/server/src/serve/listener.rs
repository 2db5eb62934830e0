//! The accept loop: HTTP/1.1 connections with a header read timeout and a connection limit, so
//! slow or hostile clients cannot hold the server.
//!
//! - A client gets `header_timeout` to send each request's headers, and the whole request body
//!   within the same time (the proxy's [`super::proxy`] reads it); an idle keep-alive connection is
//!   closed after it too.
//! - At most `max_connections` connections are served at once; one more is answered
//!   `503 ServiceUnavailableException` and closed.
//! - On shutdown, open connections finish their current request.
//! - Each request carries its TCP peer as `ConnectInfo<SocketAddr>` (for `--trusted-proxy`).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// Limits on clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Time to send a request's headers (and, for `/api`, its body).
    pub header_timeout: Duration,
}

/// How many refused connections may be in the middle of their 503 at once; more are dropped.
const MAX_REFUSING: usize = 64;

/// Serves `app` on `listener` until `shutdown` resolves, then waits for open connections.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusing = Arc::new(Semaphore::new(MAX_REFUSING));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small JSON answers: send each at once rather than waiting for an ACK (Nagle).
        let _ = tcp.set_nodelay(true);
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            if let Ok(permit) = refusing.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(tcp, limits.max_connections).await;
                    drop(permit);
                });
            }
            continue;
        };
        let app = app.clone();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let service =
                TowerToHyperService::new(app.map_request(move |request: Request<Incoming>| {
                    let mut request = request.map(Body::new);
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                }));
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            let connection = builder.serve_connection(TokioIo::new(tcp), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }
    let _ = stop.send(true);
    drop(stopping);
    stop.closed().await;
}

/// Answers a connection over the limit with a 503 and closes it, reading what the client sent for
/// a moment so that closing does not reset the answer away.
async fn refuse(mut tcp: TcpStream, limit: usize) {
    let body = format!(
        "{{\"message\":\"stagecraft serve: too many open connections (at most {limit}); try again\"}}"
    );
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         x-amzn-errortype: ServiceUnavailableException\r\nx-stagecraft-rejected-by: serve\r\n\
         x-content-type-options: nosniff\r\nretry-after: 1\r\nconnection: close\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    if tcp.write_all(answer.as_bytes()).await.is_err() {
        return;
    }
    let _ = tcp.shutdown().await;
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        let mut sink = [0u8; 4096];
        while tcp.read(&mut sink).await.is_ok_and(|n| n > 0) {}
    })
    .await;
}
