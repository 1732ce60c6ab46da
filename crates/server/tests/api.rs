//! API tests against a real server on 127.0.0.1 over a temporary store
//! filled by analysing the articles in `tests/articles`.
//!
//! Covered: status codes and JSON errors, cursor pagination, incident and
//! document detail, auth (401 without a token, 403 with a revoked one),
//! the non-loopback bind policy, watchlist CRUD, alerts recorded exactly
//! once across restarts (incidents ingested while the server was down
//! included), webhook retries against a receiver that fails then
//! recovers, the dead-letter list, the SSE stream, and exports.

#![allow(clippy::unwrap_used)]

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vigil_core::{Analysis, Document, EventType};
use vigil_server::{alerts, auth, AlertConfig, AppState, Config, Server};
use vigil_store::desk::Desk;
use vigil_store::{SqliteStore, Store};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The analysed test articles, in a fixed order (analysed once).
fn articles() -> &'static Vec<(Document, Analysis)> {
    static ARTICLES: OnceLock<Vec<(Document, Analysis)>> = OnceLock::new();
    ARTICLES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/articles");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                !name.ends_with(".expect.json") && !name.ends_with(".md")
            })
            .collect();
        files.sort();
        let pipeline = vigil_extract::Pipeline::new().unwrap();
        let mut docs = Vec::new();
        for file in files {
            vigil_ingest::read_source_with(
                &file,
                &vigil_ingest::ReadOptions::default(),
                &mut |item| {
                    if let Ok(ingested) = item {
                        docs.push(ingested.document);
                    }
                },
            );
        }
        assert!(
            docs.len() >= 8,
            "expected the test articles, got {}",
            docs.len()
        );
        docs.into_iter()
            .map(|d| {
                let a = pipeline.analyze(&d);
                (d, a)
            })
            .collect()
    })
}

/// Inserts articles `range` into the store at `dir` and recomputes
/// incidents, as `vigil ingest` (another process) would.
fn ingest(dir: &Path, range: std::ops::Range<usize>) -> Vec<String> {
    let mut store = SqliteStore::open(dir).unwrap();
    let batch: Vec<(Document, Analysis)> = articles()[range].to_vec();
    store.insert_batch(&batch).unwrap();
    store.recompute_incidents().unwrap();
    incident_ids(&store)
}

fn incident_ids(store: &SqliteStore) -> Vec<String> {
    let mut ids = Vec::new();
    store
        .for_each_incident(&vigil_store::Query::default(), &mut |i| {
            ids.push(i.id);
            Ok(())
        })
        .unwrap();
    ids
}

/// A query matching every incident.
fn every_type() -> String {
    EventType::ALL
        .iter()
        .map(|t| format!("type:{}", t.as_str()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn fast_alerts() -> AlertConfig {
    AlertConfig {
        poll: Duration::from_millis(100),
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_millis(400),
        max_attempts: 8,
        timeout: Duration::from_secs(5),
    }
}

/// A running server; dropping `stop` shuts it down.
struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(20), &mut self.task).await;
    }
}

async fn start(dir: &Path, config: Config) -> Running {
    let store = SqliteStore::open(dir).unwrap();
    start_state(AppState::new(Box::new(store)), config).await
}

/// A server whose reads go through `readers` read handles (as `vigil
/// serve`); its state too.
async fn start_pooled(dir: &Path, config: Config, readers: usize) -> (Running, AppState) {
    let writer = SqliteStore::open(dir).unwrap();
    let handles: Vec<vigil_server::DynStore> = (0..readers)
        .map(|_| Box::new(SqliteStore::open(dir).unwrap()) as vigil_server::DynStore)
        .collect();
    let state = AppState::with_readers(Box::new(writer), handles);
    (start_state(state.clone(), config).await, state)
}

async fn start_state(state: AppState, config: Config) -> Running {
    let server = Server::bind(&config, state).await.unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .run(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    Running {
        addr,
        stop: Some(tx),
        task,
    }
}

fn local() -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        alerts: fast_alerts(),
        ..Config::default()
    }
}

/// An HTTP answer.
struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// One request (blocking client on the blocking pool).
async fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let method = method.to_string();
    let url = url.to_string();
    let token = token.map(str::to_string);
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let mut request = ureq::http::Request::builder()
            .method(method.as_str())
            .uri(&url);
        if let Some(t) = &token {
            request = request.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in &headers {
            request = request.header(k, v);
        }
        let response = match body {
            Some(b) => agent.run(
                request
                    .header("content-type", "application/json")
                    .body(b.to_string())
                    .unwrap(),
            ),
            None => agent.run(request.body(()).unwrap()),
        };
        let mut response = response.unwrap();
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Answer {
            status,
            headers,
            body,
        }
    })
    .await
    .unwrap()
}

async fn get(url: &str) -> Answer {
    call("GET", url, None, None, &[]).await
}

/// Sends only the head of a POST announcing `length` bytes and returns
/// the raw answer.
async fn raw_post_headers(addr: SocketAddr, path: &str, token: &str, length: usize) -> String {
    use std::io::{Read, Write};
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).to_string()
    })
    .await
    .unwrap()
}

fn new_token(dir: &Path, name: &str) -> String {
    let mut store = SqliteStore::open(dir).unwrap();
    let token = auth::generate_token().unwrap();
    store
        .add_token(name, &token.hash, &token.prefix)
        .unwrap()
        .unwrap();
    token.secret
}

/// Polls `check` until it holds or 30 s pass.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_codes_pagination_and_detail() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let all = ingest(tmp.path(), 0..articles().len());
    assert!(all.len() >= 3, "the articles give several incidents");
    let server = start(tmp.path(), local()).await;

    let health = get(&server.url("/api/v1/health")).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    // Security headers, and no CORS even when asked.
    let cors = call(
        "GET",
        &server.url("/api/v1/incidents"),
        None,
        None,
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(cors.status, 200);
    assert!(!cors.headers.contains_key("access-control-allow-origin"));
    assert_eq!(
        cors.headers
            .get("x-content-type-options")
            .map(String::as_str),
        Some("nosniff")
    );
    assert!(cors
        .headers
        .get("content-security-policy")
        .is_some_and(|c| c.contains("default-src 'self'")));

    // Pagination: every incident exactly once, in pages of 2.
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let url = match &cursor {
            Some(c) => server.url(&format!("/api/v1/incidents?limit=2&sort=time&cursor={c}")),
            None => server.url("/api/v1/incidents?limit=2&sort=time"),
        };
        let page = get(&url).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let page = page.json();
        assert_eq!(page["total"].as_u64(), Some(all.len() as u64));
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
        assert!(pages < 100);
    }
    assert_eq!(seen.len(), all.len());
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), all.len(), "no incident twice");
    assert_eq!(pages, all.len().div_ceil(2));

    // A cursor is tied to its query.
    let first = get(&server.url("/api/v1/incidents?limit=1&sort=time"))
        .await
        .json();
    let c = first["next_cursor"].as_str().unwrap();
    let wrong = get(&server.url(&format!(
        "/api/v1/incidents?limit=1&sort=relevance&cursor={c}"
    )))
    .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json()["error"]["code"], "bad_request");

    // Bad input: JSON 400s naming the problem.
    let bad = get(&server.url("/api/v1/incidents?q=type:nonsense")).await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("position"));
    assert_eq!(
        get(&server.url("/api/v1/incidents?limit=0")).await.status,
        400
    );
    assert_eq!(
        get(&server.url("/api/v1/incidents?limit=abc")).await.status,
        400
    );
    assert_eq!(
        get(&server.url("/api/v1/incidents?sort=size")).await.status,
        400
    );
    let missing = get(&server.url("/api/v1/nothing")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "not_found");

    // Filters narrow.
    let typed = get(&server.url("/api/v1/incidents?type=kidnapping,hostage_taking"))
        .await
        .json();
    let n = typed["total"].as_u64().unwrap();
    assert!(n < all.len() as u64);
    for item in typed["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap();
        let detail = get(&server.url(&format!("/api/v1/incidents/{id}")))
            .await
            .json();
        let kinds: Vec<&str> = detail["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["type"].as_str().unwrap())
            .collect();
        assert!(
            kinds
                .iter()
                .any(|k| *k == "kidnapping" || *k == "hostage_taking"),
            "{kinds:?}"
        );
    }

    // The toll and the crime as parameters: terms of the query language.
    let deadly = get(&server.url("/api/v1/incidents?killed=%3E%3D1&limit=100"))
        .await
        .json();
    assert_eq!(deadly["query"], "killed:\">=1\"");
    let deadly = deadly["items"].as_array().unwrap();
    assert!(!deadly.is_empty());
    for item in deadly {
        assert!(
            item["killed"].as_u64().is_some_and(|k| k >= 1)
                || item["killed"].is_null() && item["fatal"] == true,
            "{item}"
        );
    }
    let held = get(&server.url("/api/v1/incidents?type=arrest&crime=attack,bombing"))
        .await
        .json();
    assert_eq!(held["query"], "type:arrest crime:attack crime:bombing");
    assert_eq!(
        get(&server.url("/api/v1/incidents?killed=many"))
            .await
            .status,
        400
    );
    // The feed's filter form keeps the chosen toll.
    let feed = get(&server.url("/?killed=%3E%3D10")).await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.body
            .contains(r#"<option value="&gt;=10" selected>10 or more</option>"#),
        "{:.2000}",
        feed.body
    );

    // Incident detail: ids hold slashes.
    let id = &all[0];
    assert!(id.contains('/'));
    let detail = get(&server.url(&format!("/api/v1/incidents/{id}"))).await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    let detail = detail.json();
    assert_eq!(detail["incident"]["id"], id.as_str());
    let sources = detail["sources"].as_array().unwrap();
    assert!(!sources.is_empty());
    assert!(sources
        .iter()
        .any(|s| !s["evidence"].as_array().unwrap().is_empty()));
    assert!(detail["incident"]["merge_reasons"].is_array());
    assert!(detail["incident"]["disagreements"].is_array());
    assert_eq!(
        get(&server.url("/api/v1/incidents/no/such")).await.status,
        404
    );

    // The document view: highlights inside the text.
    let doc_id = sources[0]["doc_id"].as_str().unwrap();
    let doc = get(&server.url(&format!("/api/v1/documents/{doc_id}"))).await;
    assert_eq!(doc.status, 200, "{}", doc.body);
    let doc = doc.json();
    let text = doc["text"].as_str().unwrap();
    let highlights = doc["highlights"].as_array().unwrap();
    assert!(highlights.iter().any(|h| h["kind"] == "trigger"));
    for h in highlights {
        let (s, e) = (
            h["start"].as_u64().unwrap() as usize,
            h["end"].as_u64().unwrap() as usize,
        );
        assert!(
            text.get(s..e).is_some(),
            "highlight {s}..{e} outside the text"
        );
    }
    assert_eq!(get(&server.url("/api/v1/documents/nope")).await.status, 404);

    // Events, stats, actors, the OpenAPI document.
    let events = get(&server.url("/api/v1/events?limit=100")).await.json();
    assert!(events["total"].as_u64().unwrap() >= all.len() as u64);
    let stats = get(&server.url("/api/v1/stats/incidents?interval=week&by=type")).await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    let stats = stats.json();
    assert_eq!(stats["total"].as_u64(), Some(all.len() as u64));
    let bucketed: u64 = stats["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["total"].as_u64().unwrap())
        .sum();
    assert_eq!(
        bucketed + stats["undated"].as_u64().unwrap(),
        all.len() as u64
    );
    assert_eq!(
        get(&server.url("/api/v1/stats/incidents?interval=year"))
            .await
            .status,
        400
    );
    let actors = get(&server.url("/api/v1/actors?limit=5")).await.json();
    let first_actor = actors["items"][0]["key"].as_str().unwrap().to_string();
    let profile = get(&server.url(&format!("/api/v1/actors/{first_actor}"))).await;
    assert_eq!(profile.status, 200, "{}", profile.body);
    assert_eq!(
        get(&server.url("/api/v1/actors/group:nobody-at-all"))
            .await
            .status,
        404
    );
    let openapi = get(&server.url("/api/v1/openapi.json")).await.json();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/incidents",
        "/api/v1/incidents/{id}",
        "/api/v1/watchlists",
        "/api/v1/stream",
    ] {
        assert!(
            openapi["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_streams_the_matching_incidents() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let all = ingest(tmp.path(), 0..articles().len());
    assert!(all.len() >= 3, "the articles give several incidents");
    let server = start(tmp.path(), local()).await;

    // JSON Lines: one incident per line, every incident exactly once.
    let jsonl = get(&server.url("/api/v1/export?format=jsonl")).await;
    assert_eq!(jsonl.status, 200, "{}", jsonl.body);
    assert_eq!(
        jsonl.headers.get("content-type").map(String::as_str),
        Some("application/jsonl")
    );
    assert_eq!(
        jsonl.headers.get("content-disposition").map(String::as_str),
        Some("attachment; filename=\"vigil-export.jsonl\"")
    );
    let lines: Vec<&str> = jsonl
        .body
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), all.len());
    let exported: HashSet<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let stored: HashSet<String> = all.iter().cloned().collect();
    assert_eq!(exported, stored);

    // A query narrows the export to what /incidents finds for it.
    let first = get(&server.url("/api/v1/incidents?limit=1&sort=time"))
        .await
        .json();
    let kind = first["items"][0]["type"].as_str().unwrap().to_string();
    let listed = get(&server.url(&format!("/api/v1/incidents?q=type:{kind}&limit=100")))
        .await
        .json();
    let narrowed = get(&server.url(&format!("/api/v1/export?format=jsonl&q=type:{kind}"))).await;
    assert_eq!(narrowed.status, 200, "{}", narrowed.body);
    assert_eq!(
        narrowed
            .body
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count() as u64,
        listed["total"].as_u64().unwrap()
    );

    // CSV: ACLED's header, then one row per incident at least.
    let csv = get(&server.url("/api/v1/export?format=csv")).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv
        .headers
        .get("content-type")
        .is_some_and(|c| c.starts_with("text/csv")));
    assert!(
        csv.body
            .starts_with("event_id_cnty,event_date,year,time_precision,event_type,"),
        "{}",
        csv.body.lines().next().unwrap_or_default()
    );
    assert!(csv.body.lines().count() > all.len());

    // STIX: one JSON bundle.
    let stix = get(&server.url("/api/v1/export?format=stix")).await;
    assert_eq!(stix.status, 200, "{}", stix.body);
    assert_eq!(stix.json()["type"], "bundle");

    // Bad requests: JSON 400s.
    for path in [
        "/api/v1/export?format=xlsx",
        "/api/v1/export",
        "/api/v1/export?format=csv&q=type:nonsense",
    ] {
        let bad = get(&server.url(path)).await;
        assert_eq!(bad.status, 400, "{path}: {}", bad.body);
        assert_eq!(bad.json()["error"]["code"], "bad_request", "{path}");
    }
    let unknown = get(&server.url("/api/v1/export?format=xlsx")).await.json();
    assert!(unknown["error"]["message"]
        .as_str()
        .unwrap()
        .contains("xlsx"));

    let openapi = get(&server.url("/api/v1/openapi.json")).await.json();
    assert!(openapi["paths"]["/api/v1/export"].is_object());
    server.shutdown().await;
    Ok(())
}

/// A read holding its store handle (as an export paced by a slow client
/// does) does not hold up other requests: with one handle for every read
/// (the server before read handles) each request below would wait for it
/// (60 s) and time out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_served_beside_a_long_read_and_an_export() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let all = ingest(tmp.path(), 0..articles().len());
    // Four handles: two may run long reads (the held one and the export).
    let (server, state) = start_pooled(tmp.path(), local(), 4).await;
    assert_eq!(state.db.readers(), 4);

    let (release, held) = std::sync::mpsc::channel::<()>();
    let (holding, started) = tokio::sync::oneshot::channel::<()>();
    let holder = {
        let state = state.clone();
        tokio::spawn(async move {
            state
                .db
                .read_long(move |s| {
                    let _ = holding.send(());
                    let _ = held.recv_timeout(Duration::from_secs(60));
                    s.stats()
                })
                .await
        })
    };
    started.await?;
    for path in [
        "/api/v1/incidents",
        "/api/v1/incidents?q=type:bombing",
        "/api/v1/stats",
        "/",
        "/threats",
        "/map",
    ] {
        let answer = tokio::time::timeout(Duration::from_secs(20), get(&server.url(path)))
            .await
            .map_err(|_| format!("{path} was not answered while a read held its handle"))?;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
    // An export (a long read of its own: half the handles may run them)
    // and searches beside it and beside the held read.
    let urls = [
        server.url("/api/v1/export?format=jsonl"),
        server.url("/api/v1/incidents?limit=100"),
        server.url(&format!("/api/v1/incidents/{}", all[0])),
    ];
    let (export, list, detail) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(get(&urls[0]), get(&urls[1]), get(&urls[2]))
    })
    .await
    .map_err(|_| "an export and searches beside a held read were not answered")?;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(
        export.body.lines().filter(|l| !l.trim().is_empty()).count(),
        all.len()
    );
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["total"].as_u64(), Some(all.len() as u64));
    assert_eq!(detail.status, 200, "{}", detail.body);

    release.send(())?;
    let stats = holder.await??;
    assert_eq!(stats.incidents as usize, all.len());
    server.shutdown().await;
    Ok(())
}

/// The cached pages (threat board, map, timeline, statistics, actor
/// profiles) follow the store: after another process adds incidents they
/// show what a server without a cache shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_pages_follow_the_store() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let first = ingest(tmp.path(), 0..split_point());
    let (server, _) = start_pooled(tmp.path(), local(), 2).await;
    let actors = get(&server.url("/api/v1/actors?limit=1")).await.json();
    let key = actors["items"][0]["key"]
        .as_str()
        .unwrap_or("none")
        .to_string();
    let pages = [
        "/api/v1/incidents".to_string(),
        "/".to_string(),
        "/threats".to_string(),
        "/map".to_string(),
        "/timeline".to_string(),
        "/api/v1/stats/incidents".to_string(),
        "/api/v1/events?limit=5".to_string(),
        format!("/actors/{key}"),
        format!("/api/v1/actors/{key}"),
    ];
    let mut before = Vec::new();
    for page in &pages {
        let answer = get(&server.url(page)).await;
        assert_eq!(answer.status, 200, "{page}: {}", answer.body);
        before.push(answer.body);
    }
    assert!(before[3].contains(&format!("{} incidents,", first.len())));
    for (page, body) in pages.iter().zip(&before) {
        assert_eq!(&get(&server.url(page)).await.body, body, "{page} again");
    }

    let all = ingest(tmp.path(), split_point()..articles().len());
    assert!(all.len() > first.len());
    let map = get(&server.url("/map")).await.body;
    assert!(
        map.contains(&format!("{} incidents,", all.len())),
        "the map still shows the old store"
    );
    let stats = get(&server.url("/api/v1/stats/incidents")).await.json();
    assert_eq!(stats["total"].as_u64(), Some(all.len() as u64));
    let (fresh, _) = start_pooled(tmp.path(), local(), 1).await;
    for page in &pages {
        let cached = get(&server.url(page)).await;
        let uncached = get(&fresh.url(page)).await;
        assert_eq!(cached.status, 200, "{page}");
        assert_eq!(
            cached.body, uncached.body,
            "{page}: the cached page is stale"
        );
    }
    fresh.shutdown().await;
    server.shutdown().await;
    Ok(())
}

/// The threat board reads the incidents of its year only (a `since:`
/// query), and the latest day from the incidents ending after the latest
/// start; it ranks exactly as a pass over every incident.
#[test]
fn the_board_reads_its_year_only_and_ranks_as_a_full_pass() -> TestResult {
    use vigil_server::ui::board;
    use vigil_server::ui::threat::{incident_day, BoardBuilder, Places};
    struct Names;
    impl Places for Names {
        fn country_name(&self, iso2: &str) -> Option<String> {
            Some(format!("country {iso2}"))
        }
        fn is_country(&self, name: &str) -> bool {
            name.len() == 2
        }
    }
    let tmp = tempfile::tempdir()?;
    ingest(tmp.path(), 0..articles().len());
    let store = SqliteStore::open(tmp.path())?;
    let mut every = Vec::new();
    store.for_each_incident(&vigil_store::Query::default(), &mut |i| {
        every.push(i);
        Ok(())
    })?;
    let latest = every.iter().filter_map(incident_day).max();
    assert!(latest.is_some(), "the articles have dated incidents");
    assert_eq!(board::latest_day(&store)?, latest);
    let latest = latest.unwrap();
    let earliest = every.iter().filter_map(incident_day).min().unwrap();
    let today = chrono::Utc::now().date_naive();
    let days = [
        None,
        Some(latest),
        Some(earliest),
        Some(earliest + chrono::Days::new(200)),
        Some(latest + chrono::Days::new(300)),
        Some(latest + chrono::Days::new(400)),
    ];
    let summary = |b: &vigil_server::ui::threat::Board| {
        [&b.countries, &b.cities, &b.sites]
            .iter()
            .flat_map(|t| t.iter())
            .map(|r| {
                let ids: Vec<&str> = r.evidence.iter().map(|e| e.incident.as_str()).collect();
                format!(
                    "{:?} {} {:.6} {} {:?} {ids:?}",
                    r.kind, r.key, r.score, r.incidents, r.counts
                )
            })
            .collect::<Vec<_>>()
    };
    let mut nonempty = 0;
    for as_of in days {
        let ours = board::board_with(&store, as_of, &Names)?;
        let day = as_of.unwrap_or_else(|| latest.min(today));
        let mut full = BoardBuilder::new(day, &Names);
        for i in &every {
            full.add(i);
        }
        let full = full.finish(15);
        assert_eq!(ours.as_of, full.as_of, "{as_of:?}");
        assert_eq!(summary(&ours), summary(&full), "as of {as_of:?}");
        if !full.countries.is_empty() || !full.cities.is_empty() {
            nonempty += 1;
        }
    }
    assert!(nonempty >= 2, "the boards compared rank something");
    Ok(())
}

/// The load generator of `vigil bench --http` against a server: it finds
/// incidents and builds queries from them, and every endpoint answers its
/// requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_generator_loads_every_endpoint() -> TestResult {
    use vigil_server::load;
    let tmp = tempfile::tempdir()?;
    let all = ingest(tmp.path(), 0..articles().len());
    let (server, _) = start_pooled(tmp.path(), local(), 2).await;
    let opts = load::Options {
        base: server.url(""),
        connections: 3,
        duration: Duration::from_millis(400),
        warmup: Duration::from_millis(100),
        endpoints: load::Endpoint::ALL.to_vec(),
        ..load::Options::default()
    };
    let report = tokio::task::spawn_blocking(move || load::run(&opts, &mut |_| {})).await??;
    assert_eq!(report.incidents, all.len());
    assert_eq!(report.ids, all.len(), "every incident id is found");
    assert!(report.queries > 0);
    assert_eq!(report.endpoints.len(), load::Endpoint::ALL.len());
    for e in &report.endpoints {
        assert_eq!(e.errors, 0, "{:?}: {:?}", e.endpoint, e.first_error);
        assert!(e.requests > 0, "{:?}", e.endpoint);
        assert!(e.p50_ms <= e.p99_ms && e.p99_ms <= e.max_ms, "{e:?}");
        assert!(e.bytes_per_request > 100.0, "{e:?}");
    }
    // A server that is not there is an error naming it.
    let gone = load::Options {
        base: "http://127.0.0.1:9".into(),
        ..load::Options::default()
    };
    let err = tokio::task::spawn_blocking(move || load::discover(&gone))
        .await?
        .unwrap_err();
    assert!(err.to_string().contains("127.0.0.1:9"), "{err}");
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_and_watchlist_crud() -> TestResult {
    let tmp = tempfile::tempdir()?;
    ingest(tmp.path(), 0..articles().len());
    let token = new_token(tmp.path(), "analyst");
    let server = start(tmp.path(), local()).await;
    let url = server.url("/api/v1/watchlists");
    let body = json!({"name": "kidnappings", "query": "type:kidnapping"});

    // 401 without a token, 403 with an unknown one; reads stay open.
    let none = call("POST", &url, None, Some(body.clone()), &[]).await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.headers.get("www-authenticate").map(String::as_str),
        Some("Bearer")
    );
    assert_eq!(none.json()["error"]["code"], "unauthorized");
    let unknown = call(
        "POST",
        &url,
        Some("vigil_not-a-token"),
        Some(body.clone()),
        &[],
    )
    .await;
    assert_eq!(unknown.status, 403);
    assert_eq!(get(&url).await.status, 200);

    // Create, read by id and name, refuse a duplicate and bad input.
    let created = call("POST", &url, Some(&token), Some(body.clone()), &[]).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let id = created["watchlist"]["id"].as_i64().unwrap();
    assert!(
        created["baseline"].as_u64().unwrap() >= 1,
        "the kidnapping article matches at once"
    );
    let again = call("POST", &url, Some(&token), Some(body.clone()), &[]).await;
    assert_eq!(again.status, 409);
    let bad_query = call(
        "POST",
        &url,
        Some(&token),
        Some(json!({"name": "x", "query": "since:yesterday"})),
        &[],
    )
    .await;
    assert_eq!(bad_query.status, 400);
    let bad_hook = call(
        "POST",
        &url,
        Some(&token),
        Some(json!({"name": "y", "query": "type:arson", "webhook": "file:///etc/passwd"})),
        &[],
    )
    .await;
    assert_eq!(bad_hook.status, 400);
    let unknown_field = call(
        "POST",
        &url,
        Some(&token),
        Some(json!({"name": "z", "query": "type:arson", "admin": true})),
        &[],
    )
    .await;
    assert_eq!(unknown_field.status, 400);
    assert_eq!(unknown_field.json()["error"]["code"], "bad_request");
    let with_hook = call(
        "POST",
        &url,
        Some(&token),
        Some(
            json!({"name": "hooked", "query": "type:arson", "webhook": "http://127.0.0.1:9/hook"}),
        ),
        &[],
    )
    .await;
    assert_eq!(with_hook.status, 201);
    let secret = with_hook.json()["secret"].as_str().unwrap().to_string();
    assert!(
        secret.len() >= 40,
        "a generated signing secret is returned once"
    );

    let list = get(&url).await.json();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kidnappings", "hooked"]);
    assert!(
        !get(&url).await.body.contains(&secret),
        "secrets are never listed"
    );
    assert_eq!(
        get(&server.url(&format!("/api/v1/watchlists/{id}")))
            .await
            .status,
        200
    );
    assert_eq!(
        get(&server.url("/api/v1/watchlists/kidnappings"))
            .await
            .json()["watchlist"]["id"],
        id
    );

    // A body over the limit: 413, as JSON, before the body is read.
    let too_big = raw_post_headers(server.addr, "/api/v1/watchlists", &token, 2 << 20).await;
    assert!(too_big.starts_with("HTTP/1.1 413"), "{too_big}");
    assert!(too_big.contains("payload_too_large"), "{too_big}");

    // Delete, then 404; then revoke the token: 403.
    let item = server.url(&format!("/api/v1/watchlists/{id}"));
    assert_eq!(call("DELETE", &item, None, None, &[]).await.status, 401);
    assert_eq!(
        call("DELETE", &item, Some(&token), None, &[]).await.status,
        204
    );
    assert_eq!(
        call("DELETE", &item, Some(&token), None, &[]).await.status,
        404
    );
    assert_eq!(get(&item).await.status, 404);
    SqliteStore::open(tmp.path())?
        .revoke_token("analyst")?
        .unwrap();
    let revoked = call(
        "DELETE",
        &server.url("/api/v1/watchlists/hooked"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(revoked.status, 403);
    assert_eq!(revoked.json()["error"]["code"], "forbidden");
    server.shutdown().await;

    // Binding beyond loopback needs an active token or --allow-open.
    let open = Config {
        addr: "0.0.0.0:0".parse()?,
        ..local()
    };
    let state = AppState::new(Box::new(SqliteStore::open(tmp.path())?));
    assert!(matches!(
        Server::bind(&open, state.clone()).await,
        Err(vigil_server::ServerError::OpenNetwork { .. })
    ));
    let allowed = Config {
        allow_open: true,
        ..open.clone()
    };
    assert!(Server::bind(&allowed, state.clone()).await.is_ok());
    new_token(tmp.path(), "ops");
    assert!(Server::bind(&open, state).await.is_ok());
    Ok(())
}

/// A webhook receiver on 127.0.0.1: fails the first `fail` requests with
/// HTTP 500, then accepts; records every request.
#[derive(Clone, Default)]
struct Receiver {
    fail: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<(String, String, bool)>>>,
    secret: Arc<Mutex<String>>,
}

impl Receiver {
    async fn start(self) -> SocketAddr {
        use axum::routing::post;
        let app = axum::Router::new()
            .route(
                "/hook",
                post(
                    |axum::extract::State(r): axum::extract::State<Receiver>,
                     headers: axum::http::HeaderMap,
                     body: String| async move {
                        let delivery = headers
                            .get("x-vigil-delivery")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let signature = headers
                            .get("x-vigil-signature-256")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        let secret = r.secret.lock().unwrap().clone();
                        let signed = alerts::verify(&secret, body.as_bytes(), signature);
                        let failing = r
                            .fail
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                            .is_ok();
                        r.requests
                            .lock()
                            .unwrap()
                            .push((delivery, body, !failing && signed));
                        if failing {
                            axum::http::StatusCode::INTERNAL_SERVER_ERROR
                        } else {
                            axum::http::StatusCode::NO_CONTENT
                        }
                    },
                ),
            )
            .with_state(self);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        addr
    }

    /// Delivery ids accepted (2xx, signature valid), in order.
    fn accepted(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.2)
            .map(|r| r.0.clone())
            .collect()
    }

    fn total(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

/// Where the articles are split: the first part is stored before the
/// watchlist exists, the rest arrives later.
fn split_point() -> usize {
    articles().len() / 2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_once_across_restarts_with_webhook_retries() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let before = ingest(tmp.path(), 0..split_point());
    let token = new_token(tmp.path(), "analyst");
    let receiver = Receiver::default();
    receiver.fail.store(3, Ordering::SeqCst);
    let hook = receiver.clone().start().await;

    // Server 1: create the watchlist (matching every incident).
    let server = start(tmp.path(), local()).await;
    let created = call(
        "POST",
        &server.url("/api/v1/watchlists"),
        Some(&token),
        Some(json!({"name": "everything", "query": every_type(), "webhook": format!("http://{hook}/hook")})),
        &[],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    *receiver.secret.lock().unwrap() = created["secret"].as_str().unwrap().to_string();
    assert_eq!(created["baseline"].as_u64(), Some(before.len() as u64));
    // Nothing new yet: no alert.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.total(), 0, "baseline incidents never alert");
    server.shutdown().await;

    // While the server is down, new articles arrive.
    let after = ingest(tmp.path(), split_point()..articles().len());
    let old: HashSet<&String> = before.iter().collect();
    let new: HashSet<String> = after.iter().filter(|i| !old.contains(i)).cloned().collect();
    assert!(!new.is_empty(), "the second half brings new incidents");

    // Server 2: alerts for exactly the new incidents, delivered once each
    // despite the receiver failing its first 3 requests.
    let server = start(tmp.path(), local()).await;
    let alerts_url = server.url("/api/v1/alerts?state=delivered&limit=500");
    eventually("every alert delivered", || async {
        get(&alerts_url).await.json()["items"]
            .as_array()
            .unwrap()
            .len()
            == new.len()
    })
    .await;
    let accepted = receiver.accepted();
    let unique: HashSet<&String> = accepted.iter().collect();
    assert_eq!(
        accepted.len(),
        new.len(),
        "each alert accepted exactly once"
    );
    assert_eq!(unique.len(), new.len());
    assert_eq!(receiver.total(), new.len() + 3, "3 failures were retried");
    let delivered = get(&alerts_url).await.json();
    let incidents: HashSet<String> = delivered["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["incident"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(incidents, new);
    let retried = delivered["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["attempts"].as_u64().unwrap() > 1)
        .count();
    assert!(retried >= 1);
    server.shutdown().await;

    // Server 3: a restart repeats nothing.
    let server = start(tmp.path(), local()).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.accepted().len(), new.len());
    assert_eq!(receiver.total(), new.len() + 3);
    let all = get(&server.url("/api/v1/alerts?limit=500")).await.json();
    assert_eq!(all["items"].as_array().unwrap().len(), new.len());
    server.shutdown().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_after_repeated_failures() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let before = ingest(tmp.path(), 0..split_point());
    let receiver = Receiver::default();
    receiver.fail.store(usize::MAX, Ordering::SeqCst);
    let hook = receiver.clone().start().await;
    {
        let mut store = SqliteStore::open(tmp.path())?;
        let (w, _) = alerts::create_watchlist(
            &mut store,
            vigil_store::desk::NewWatchlist {
                name: "doomed".into(),
                query: every_type(),
                webhook: Some(format!("http://{hook}/hook")),
                secret: None,
            },
        )?;
        assert!(w.secret.is_some());
    }
    let after = ingest(tmp.path(), 0..articles().len());
    let config = Config {
        alerts: AlertConfig {
            max_attempts: 3,
            retry_base: Duration::from_millis(20),
            ..fast_alerts()
        },
        ..local()
    };
    let server = start(tmp.path(), config).await;
    let dead_url = server.url("/api/v1/alerts?state=dead&limit=500");
    let old: HashSet<&String> = before.iter().collect();
    let expected = after.iter().filter(|i| !old.contains(i)).count();
    assert!(expected > 0);
    eventually("every alert dead", || async {
        get(&dead_url).await.json()["items"]
            .as_array()
            .unwrap()
            .len()
            == expected
    })
    .await;
    let dead = get(&dead_url).await.json();
    for alert in dead["items"].as_array().unwrap() {
        assert_eq!(alert["attempts"], 3);
        assert!(alert["last_error"].as_str().unwrap().contains("500"));
    }
    assert_eq!(
        receiver.total(),
        expected * 3,
        "3 attempts per alert, then no more"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.total(), expected * 3);
    server.shutdown().await;
    Ok(())
}

/// Reads SSE events (name, id, data) from `url` on a thread.
fn sse(
    url: String,
    last_event_id: Option<i64>,
) -> std::sync::mpsc::Receiver<(String, String, String)> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
        let mut request = agent.get(&url);
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let Ok(response) = request.call() else { return };
        let reader = std::io::BufReader::new(response.into_body().into_reader());
        let (mut name, mut id, mut data) = (String::new(), String::new(), String::new());
        for line in reader.lines() {
            let Ok(line) = line else { return };
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim());
            } else if line.is_empty() && !data.is_empty() {
                if tx.send((name.clone(), id.clone(), data.clone())).is_err() {
                    return;
                }
                data.clear();
            }
        }
    });
    rx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_delivers_alerts_live_and_on_reconnect() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let before = ingest(tmp.path(), 0..split_point());
    {
        let mut store = SqliteStore::open(tmp.path())?;
        let (_, baseline) = alerts::create_watchlist(
            &mut store,
            vigil_store::desk::NewWatchlist {
                name: "live".into(),
                query: every_type(),
                webhook: None,
                secret: None,
            },
        )?;
        assert_eq!(baseline, before.len());
    }
    let server = start(tmp.path(), local()).await;
    let events = sse(server.url("/api/v1/stream"), None);
    // Give the stream time to subscribe, then ingest "from another process".
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dir = tmp.path().to_path_buf();
    let after =
        tokio::task::spawn_blocking(move || ingest(&dir, split_point()..articles().len())).await?;
    let old: HashSet<&String> = before.iter().collect();
    let new: HashSet<String> = after.iter().filter(|i| !old.contains(i)).cloned().collect();
    assert!(!new.is_empty());
    let mut got: Vec<(String, String, String)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while got.len() < new.len() && Instant::now() < deadline {
        if let Ok(e) = events.recv_timeout(Duration::from_millis(200)) {
            got.push(e);
        }
    }
    assert_eq!(got.len(), new.len(), "one live event per new incident");
    let mut ids = Vec::new();
    for (name, id, data) in &got {
        assert_eq!(name, "alert");
        let v: Value = serde_json::from_str(data)?;
        assert_eq!(v["watchlist"], "live");
        assert_eq!(v["state"], "recorded");
        assert!(new.contains(v["incident"].as_str().unwrap()));
        assert_eq!(v["id"].as_i64().unwrap().to_string(), *id);
        ids.push(v["id"].as_i64().unwrap());
    }
    // Reconnecting with Last-Event-ID replays what came after it.
    ids.sort();
    let replay = sse(server.url("/api/v1/stream"), Some(ids[0]));
    let mut replayed = Vec::new();
    while replayed.len() < ids.len() - 1 {
        let (_, id, _) = replay.recv_timeout(Duration::from_secs(10))?;
        replayed.push(id.parse::<i64>()?);
    }
    assert_eq!(replayed, ids[1..]);
    server.shutdown().await;
    Ok(())
}
