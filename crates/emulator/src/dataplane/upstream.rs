//! The data plane's HTTP/1 client for HTTP and HTTP_PROXY integrations: keep-alive connections
//! (`TCP_NODELAY`) kept per target and reused, one request at a time on each.
//!
//! A request takes an idle connection to its target (or opens one), is sent in origin form, its whole
//! response is read, and the connection goes back to the idle list. A kept connection that the target
//! has closed in the meantime is dropped, and the request goes on another one (only when hyper hands
//! the request back unsent, so nothing is sent twice).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use http::Uri;
use http::uri::Authority;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use stagecraft_core::dataplane::texts::MAX_PAYLOAD;

type Sender = SendRequest<Full<Bytes>>;

/// Idle connections kept per target; more are closed when given back.
const MAX_IDLE_PER_TARGET: usize = 64;

/// Keep-alive connections to integration targets, by authority (`host:port`).
#[derive(Debug, Default)]
pub struct HttpClient {
    idle: Mutex<HashMap<Authority, Vec<Sender>>>,
}

/// Why a request to a target failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection, or the target closed it before answering.
    Unreachable,
    /// The response body stopped before its end.
    CutOff,
    /// The response body is longer than API Gateway's 10 MB payload limit (not read further).
    TooLarge,
}

impl HttpClient {
    /// Sends `req` (an absolute `http://` URI) and reads the whole response (at most 10 MB).
    ///
    /// # Errors
    /// [`Failure`] when the target cannot be reached or its answer is cut off.
    pub async fn send(
        &self,
        req: http::Request<Full<Bytes>>,
    ) -> Result<(http::response::Parts, Bytes), Failure> {
        let authority = req.uri().authority().cloned().ok_or(Failure::Unreachable)?;
        let (mut parts, body) = req.into_parts();
        parts.uri = parts
            .uri
            .path_and_query()
            .map_or_else(|| Uri::from_static("/"), |pq| Uri::from(pq.clone()));
        let mut req = http::Request::from_parts(parts, body);
        loop {
            let (mut sender, reused) = match self.take(&authority) {
                Some(sender) => (sender, true),
                None => (connect(&authority).await?, false),
            };
            if sender.ready().await.is_err() {
                if reused {
                    continue;
                }
                return Err(Failure::Unreachable);
            }
            match sender.try_send_request(req).await {
                Ok(res) => {
                    let (parts, body) = res.into_parts();
                    let body = Limited::new(body, MAX_PAYLOAD)
                        .collect()
                        .await
                        .map_err(|e| {
                            if e.is::<LengthLimitError>() {
                                Failure::TooLarge
                            } else {
                                Failure::CutOff
                            }
                        })?;
                    self.give_back(authority, sender);
                    return Ok((parts, body.to_bytes()));
                }
                Err(mut e) => match e.take_message() {
                    Some(unsent) if reused => req = unsent,
                    _ => return Err(Failure::Unreachable),
                },
            }
        }
    }

    /// An idle connection to `authority` that is still open.
    fn take(&self, authority: &Authority) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.get_mut(authority)?;
        while let Some(sender) = list.pop() {
            if !sender.is_closed() {
                return Some(sender);
            }
        }
        None
    }

    fn give_back(&self, authority: Authority, sender: Sender) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.entry(authority).or_default();
        if list.len() < MAX_IDLE_PER_TARGET {
            list.push(sender);
        }
    }
}

/// A new connection to `authority` (port 80 when it names none), its I/O driven by a task of its own.
async fn connect(authority: &Authority) -> Result<Sender, Failure> {
    // An IPv6 host comes in brackets (`[::1]`).
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let stream = tokio::net::TcpStream::connect((host, authority.port_u16().unwrap_or(80)))
        .await
        .map_err(|_| Failure::Unreachable)?;
    let _ = stream.set_nodelay(true);
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|_| Failure::Unreachable)?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A target that answers `ok` to every request and counts the connections it accepted; with
    /// `close` it closes each connection after one answer (`Connection: close`).
    async fn target(close: bool) -> (SocketAddr, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let (mut head, mut chunk) = (Vec::new(), [0; 1024]);
                    loop {
                        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                            match stream.read(&mut chunk).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => head.extend_from_slice(&chunk[..n]),
                            }
                        }
                        head.clear();
                        let connection = if close { "close" } else { "keep-alive" };
                        let answer = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: {connection}\r\n\r\nok"
                        );
                        if stream.write_all(answer.as_bytes()).await.is_err() || close {
                            return;
                        }
                    }
                });
            }
        });
        (addr, connections)
    }

    async fn get(client: &HttpClient, addr: SocketAddr) -> Result<(u16, Bytes), Failure> {
        let req = http::Request::get(format!("http://{addr}/pets?x=1"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let (parts, body) = client.send(req).await?;
        Ok((parts.status.as_u16(), body))
    }

    #[tokio::test]
    async fn one_connection_serves_request_after_request() {
        let (addr, connections) = target(false).await;
        let client = HttpClient::default();
        for _ in 0..3 {
            assert_eq!(get(&client, addr).await, Ok((200, Bytes::from("ok"))));
        }
        assert_eq!(connections.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_connection_the_target_closed_is_replaced() {
        let (addr, connections) = target(true).await;
        let client = HttpClient::default();
        for _ in 0..3 {
            assert_eq!(get(&client, addr).await, Ok((200, Bytes::from("ok"))));
        }
        assert_eq!(connections.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn an_answer_over_10_mb_is_too_large() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut head = [0; 1024];
            let _ = stream.read(&mut head).await;
            let size = MAX_PAYLOAD + 1;
            let answer = format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\n\r\n");
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.write_all(&vec![b'x'; size]).await;
        });
        assert_eq!(
            get(&HttpClient::default(), addr).await,
            Err(Failure::TooLarge)
        );
    }

    #[tokio::test]
    async fn a_target_nobody_listens_on_is_unreachable() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        assert_eq!(
            get(&HttpClient::default(), addr).await,
            Err(Failure::Unreachable)
        );
    }
}
