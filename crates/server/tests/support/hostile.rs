//! Tools for attacking `stagecraft serve`: raw HTTP/1.1 over TCP (request targets, methods and
//! headers that no client library would send) and a target that records every request it gets
//! and misbehaves on demand.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// An answer read off the wire.
#[derive(Debug)]
pub struct Raw {
    /// Status code (0 when the server closed without answering).
    pub status: u16,
    /// Status line and headers, as sent.
    pub head: String,
    /// Everything after the headers.
    pub body: Vec<u8>,
}

impl Raw {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The headers, as a `HeaderMap`.
    pub fn headers(&self) -> reqwest::header::HeaderMap {
        self.head
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (name, value) = line.split_once(':')?;
                Some((
                    reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).ok()?,
                    reqwest::header::HeaderValue::from_str(value.trim()).ok()?,
                ))
            })
            .collect()
    }

    /// Head and body as text.
    pub fn text(&self) -> String {
        format!("{}{}", self.head, String::from_utf8_lossy(&self.body))
    }
}

/// Sends `request` exactly as given and reads until the server closes (so send
/// `Connection: close`), or for at most 60 s.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> Raw {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let _ = tcp.write_all(request).await;
    read_answer(&mut tcp).await
}

/// Reads one answer until EOF (or 60 s).
pub async fn read_answer(tcp: &mut TcpStream) -> Raw {
    let mut all = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(60), async {
        let mut chunk = [0u8; 8192];
        while let Ok(n) = tcp.read(&mut chunk).await {
            if n == 0 {
                break;
            }
            all.extend_from_slice(&chunk[..n]);
        }
    })
    .await;
    let split = all
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(all.len(), |at| at + 4);
    let head = String::from_utf8_lossy(&all[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Raw {
        status,
        head,
        body: all[split..].to_vec(),
    }
}

/// `METHOD TARGET HTTP/1.1` with `Host: addr`, `Connection: close` and `headers`, no body.
pub fn request(method: &str, target: &str, addr: SocketAddr, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut text = format!("{method} {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// One request as a target saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Method.
    pub method: String,
    /// Request target (path and query).
    pub target: String,
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
}

/// A target API on a free port that records what reaches it. By the request path's last segment:
/// `hang` never answers, `huge` streams 50 MB (chunked), `huge-declared` 50 MB with a
/// `content-length`; anything else is answered `200 {"stageName":"ok"}`.
pub struct Target {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Every request, in order.
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Bytes of the 50 MB answers written before the reader stopped.
    pub written: Arc<AtomicU64>,
}

/// 50 MiB.
pub const FIFTY_MB: u64 = 50 * 1024 * 1024;

impl Target {
    /// Starts one.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = Self {
            addr: listener.local_addr().unwrap(),
            seen: Arc::default(),
            written: Arc::default(),
        };
        let (seen, written) = (target.seen.clone(), target.written.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                tokio::spawn(serve_one(tcp, seen.clone(), written.clone()));
            }
        });
        target
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

async fn read_head(tcp: &mut TcpStream) -> Option<(Seen, usize)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = tcp.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.lines();
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut have = buf.len() - end;
    while have < length {
        let n = tcp.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        have += n;
    }
    Some((
        Seen {
            method,
            target,
            headers,
        },
        length,
    ))
}

async fn serve_one(mut tcp: TcpStream, seen: Arc<Mutex<Vec<Seen>>>, written: Arc<AtomicU64>) {
    while let Some((request, _)) = read_head(&mut tcp).await {
        let last = request
            .target
            .split('?')
            .next()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        seen.lock().unwrap().push(request);
        match last.as_str() {
            "hang" => {
                let mut sink = [0u8; 1024];
                while tcp.read(&mut sink).await.is_ok_and(|n| n > 0) {}
                return;
            }
            "huge" | "huge-declared" => {
                let declared = last == "huge-declared";
                let head = if declared {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {FIFTY_MB}\r\n\r\n"
                    )
                } else {
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned()
                };
                if tcp.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let block = vec![b' '; 64 * 1024];
                let mut framed = format!("{:x}\r\n", block.len()).into_bytes();
                framed.extend_from_slice(&block);
                framed.extend_from_slice(b"\r\n");
                let mut sent = 0;
                while sent < FIFTY_MB {
                    let chunk = if declared { &block } else { &framed };
                    if tcp.write_all(chunk).await.is_err() {
                        return;
                    }
                    sent += block.len() as u64;
                    written.fetch_add(block.len() as u64, Ordering::SeqCst);
                }
                return;
            }
            _ => {
                let body = b"{\"stageName\":\"ok\"}";
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                if tcp.write_all(head.as_bytes()).await.is_err()
                    || tcp.write_all(body).await.is_err()
                {
                    return;
                }
            }
        }
    }
}
