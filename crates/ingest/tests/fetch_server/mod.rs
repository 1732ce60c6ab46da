//! A tiny HTTP/1.1 server on 127.0.0.1 for the fetch and watch tests:
//! routes set and changed while it runs, ETag / Last-Modified conditional
//! GET, slow answers, failing answers, and a log of every request with its
//! arrival time. One thread per connection, `Connection: close`.
//!
//! Shared by `crates/ingest/tests/fetch.rs` and `crates/cli/tests/watch.rs`
//! (included with `#[path]`).

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server answers on one path.
#[derive(Clone, Default)]
pub struct Route {
    /// The status (200 when 0).
    pub status: u16,
    /// `Content-Type` (none when empty).
    pub content_type: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// Send an `ETag` and answer 304 to a matching `If-None-Match`.
    pub etag: Option<String>,
    /// Send a `Last-Modified` and answer 304 to an equal `If-Modified-Since`.
    pub last_modified: Option<String>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Answer 503 to this many requests first.
    pub fail_first: usize,
    /// Omit `Content-Length` (the body ends when the connection closes).
    pub no_length: bool,
}

impl Route {
    /// A 200 answer with a content type and body.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            content_type: content_type.to_string(),
            body: body.into(),
            ..Route::default()
        }
    }
}

/// One request as received.
#[derive(Clone, Debug)]
pub struct Request {
    /// When the request line arrived.
    pub at: Instant,
    /// The path (with query).
    pub path: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The status answered.
    pub status: u16,
}

#[derive(Default)]
struct Shared {
    routes: HashMap<String, Route>,
    served: HashMap<String, usize>,
    log: Vec<Request>,
}

/// The server; it stops when the test process ends.
#[derive(Clone)]
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    shared: Arc<Mutex<Shared>>,
}

impl Server {
    /// Starts a server on a free port.
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Mutex::new(Shared::default()));
        let state = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let state = Arc::clone(&state);
                std::thread::spawn(move || {
                    let _ = handle(stream, &state);
                });
            }
        });
        Server { base, shared }
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sets (or replaces) the answer on `path`.
    pub fn route(&self, path: &str, route: Route) {
        self.shared
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), route);
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Request> {
        self.shared.lock().unwrap().log.clone()
    }

    /// The requests so far on `path`.
    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.log().into_iter().filter(|r| r.path == path).collect()
    }
}

fn handle(stream: TcpStream, state: &Mutex<Shared>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let at = Instant::now();
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let route = {
        let mut shared = state.lock().unwrap();
        let route = shared.routes.get(&path).cloned();
        let served = shared.served.entry(path.clone()).or_insert(0);
        *served += 1;
        route.map(|r| (r, *served))
    };
    let (status, route) = match route {
        None => (404, Route::ok("text/plain", "not found")),
        Some((route, served)) => {
            let fresh = route
                .etag
                .as_ref()
                .is_some_and(|e| headers.get("if-none-match") == Some(e))
                || route
                    .last_modified
                    .as_ref()
                    .is_some_and(|d| headers.get("if-modified-since") == Some(d));
            if served <= route.fail_first {
                (503, Route::ok("text/plain", "try later"))
            } else if fresh {
                (304, route)
            } else {
                (if route.status == 0 { 200 } else { route.status }, route)
            }
        }
    };
    state.lock().unwrap().log.push(Request {
        at,
        path,
        headers,
        status,
    });
    std::thread::sleep(route.delay);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
    if !route.content_type.is_empty() {
        head.push_str(&format!("Content-Type: {}\r\n", route.content_type));
    }
    if let Some(etag) = &route.etag {
        head.push_str(&format!("ETag: {etag}\r\n"));
    }
    if let Some(date) = &route.last_modified {
        head.push_str(&format!("Last-Modified: {date}\r\n"));
    }
    for (name, value) in &route.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let body: &[u8] = if status == 304 { b"" } else { &route.body };
    if !route.no_length || status == 304 {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()?;
    // Drain what the client may still send, then close.
    let _ = out.shutdown(std::net::Shutdown::Write);
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    Ok(())
}
