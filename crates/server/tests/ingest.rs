//! Ingest through the API (`POST /api/v1/documents`) against a real server
//! on 127.0.0.1 over a temporary store: every status (201, 200, 400, 401,
//! 403, 413, 422), the per-document outcomes (new, near-duplicate,
//! duplicate), all-or-nothing refusals, and that a posted article's
//! incident is then searchable and alerts a matching watchlist. On the
//! embedded store, and on PostgreSQL when `VIGIL_TEST_POSTGRES` names a
//! server (a fresh schema: `vigil_store::ScratchSchema`).

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vigil_server::{auth, AlertConfig, AppState, Config, Server};
use vigil_store::desk::DeskStore;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const MAIDUGURI: &str = "MAIDUGURI, Nigeria - Gunmen stormed a crowded market in Maiduguri on \
    Tuesday, killing twelve people and wounding at least twenty, police said. Boko Haram \
    claimed responsibility for the attack in a statement. Officials said an investigation had \
    been opened into the attack, and the market was closed until further notice.";

const MOGADISHU: &str = "MOGADISHU, Somalia - A car bomb exploded outside a hotel in Mogadishu \
    on Monday, killing six people and wounding ten, police said. Al-Shabaab claimed \
    responsibility for the attack in a statement.";

const VIENNA: &str = "VIENNA - Austrian police arrested three men in Vienna on Tuesday on \
    suspicion of planning an attack on a synagogue, the interior ministry said. Weapons and \
    explosives were found in their flat.";

/// A running server: its base URL, the sender stopping it, the task
/// running it, and a handle on its state.
struct Running {
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    state: AppState,
}

/// Starts a server over the store `spec` (a directory or a `postgres://`
/// URL).
async fn start(spec: &str, config: Config) -> Running {
    // Opened off the async workers: the PostgreSQL client blocks.
    let spec = spec.to_string();
    let store = tokio::task::spawn_blocking(move || vigil_store::desk::open(&spec))
        .await
        .unwrap()
        .unwrap();
    let state = AppState::new(store);
    let server = Server::bind(&config, state.clone()).await.unwrap();
    let base = format!("http://{}", server.local_addr().unwrap());
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        server
            .run(async {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    Running {
        base,
        stop,
        task,
        state,
    }
}

fn token(spec: &str, name: &str) -> String {
    let mut store = vigil_store::desk::open(spec).unwrap();
    let token = auth::generate_token().unwrap();
    store
        .add_token(name, &token.hash, &token.prefix)
        .unwrap()
        .unwrap();
    token.secret
}

fn revoke(spec: &str, name: &str) {
    let mut store = vigil_store::desk::open(spec).unwrap();
    store.revoke_token(name).unwrap().unwrap();
}

/// An answer: status and JSON body (`Null` when not JSON).
struct Answer {
    status: u16,
    json: Value,
    body: String,
}

/// One request with the blocking client, on the blocking pool.
async fn request(
    method: &'static str,
    url: String,
    token: Option<String>,
    body: Option<(&'static str, Vec<u8>)>,
) -> Answer {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut builder = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = &token {
            builder = builder.header("authorization", format!("Bearer {t}"));
        }
        let response = match body {
            Some((content_type, bytes)) => agent.run(
                builder
                    .header("content-type", content_type)
                    .body(bytes)
                    .unwrap(),
            ),
            None => agent.run(builder.body(()).unwrap()),
        };
        let mut response = response.unwrap();
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Answer {
            status,
            json: serde_json::from_str(&body).unwrap_or(Value::Null),
            body,
        }
    })
    .await
    .unwrap()
}

async fn post(base: &str, token: Option<&str>, content_type: &'static str, body: &str) -> Answer {
    request(
        "POST",
        format!("{base}/api/v1/documents"),
        token.map(str::to_string),
        Some((content_type, body.as_bytes().to_vec())),
    )
    .await
}

async fn get(base: &str, path: &str) -> Answer {
    request("GET", format!("{base}{path}"), None, None).await
}

/// A POST written by hand (head lines `extra`, then `body`), answered
/// in full: for bodies the server refuses before reading them all.
async fn raw(base: &str, token: &str, extra: &str, body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://").to_string();
    let head = format!(
        "POST /api/v1/documents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nConnection: close\r\n{extra}\r\n"
    );
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        // The server may answer and close before reading everything.
        let _ = stream.write_all(&body);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).to_string()
    })
    .await
    .unwrap()
}

async fn documents(base: &str) -> u64 {
    get(base, "/api/v1/stats").await.json["documents"]
        .as_u64()
        .unwrap()
}

#[test]
fn posted_documents_are_stored_searchable_and_alert() -> TestResult {
    let tmp = tempfile::tempdir()?;
    run(tmp.path().to_str().ok_or("temporary path is not UTF-8")?)
}

#[test]
fn posted_documents_on_postgres() -> TestResult {
    let Ok(url) = std::env::var("VIGIL_TEST_POSTGRES") else {
        println!("SKIPPED: VIGIL_TEST_POSTGRES not set");
        return Ok(());
    };
    let schema = vigil_store::ScratchSchema::create(&url, "vigil_api_ingest")?;
    run(schema.spec())
}

/// Runs [`scenario`] on a runtime of its own and closes the store after
/// the runtime: a PostgreSQL client closed on a runtime thread panics
/// (it blocks on a runtime of its own to say goodbye to the server).
fn run(spec: &str) -> TestResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (result, state) = runtime.block_on(scenario(spec));
    drop(runtime);
    drop(state);
    result
}

/// The whole exchange, on the store `spec`; returns the server's state
/// (stopped) for the caller to close outside the runtime.
async fn scenario(spec: &str) -> (TestResult, Option<AppState>) {
    let mut state = None;
    let result = exchange(spec, &mut state).await;
    (result, state)
}

async fn exchange(spec: &str, keep: &mut Option<AppState>) -> TestResult {
    // Tokens and a watchlist created before anything is stored (its
    // baseline is empty), off the async workers: the PostgreSQL client
    // blocks.
    let setup = spec.to_string();
    let (analyst, retired) = tokio::task::spawn_blocking(move || {
        let analyst = token(&setup, "analyst");
        let retired = token(&setup, "retired");
        revoke(&setup, "retired");
        let mut store: Box<dyn DeskStore> = vigil_store::desk::open(&setup).unwrap();
        vigil_server::alerts::create_watchlist(
            store.as_mut(),
            vigil_store::desk::NewWatchlist {
                name: "nigeria".into(),
                query: "type:attack place:Nigeria".into(),
                webhook: None,
                secret: None,
            },
        )
        .unwrap();
        (analyst, retired)
    })
    .await?;
    // The matcher's own poll is an hour: an alert within the test comes
    // from the ingest waking it.
    let config = Config {
        addr: "127.0.0.1:0".parse()?,
        alerts: AlertConfig {
            poll: Duration::from_secs(3600),
            ..AlertConfig::default()
        },
        body_limit: 64 * 1024,
        ..Config::default()
    };
    let server = start(spec, config).await;
    *keep = Some(server.state.clone());
    let base = server.base.clone();
    let one = json!({"title": "Gunmen kill 12 in attack on Maiduguri market", "text": MAIDUGURI,
                     "url": "https://news.example.org/africa/maiduguri-market",
                     "published": "2026-11-24T09:30:00Z", "source": "Example News"})
    .to_string();

    // Writes need a valid token.
    let none = post(&base, None, "application/json", &one).await;
    assert_eq!(none.status, 401, "{}", none.body);
    assert_eq!(none.json["error"]["code"], "unauthorized");
    let revoked = post(&base, Some(&retired), "application/json", &one).await;
    assert_eq!(revoked.status, 403, "{}", revoked.body);
    assert_eq!(revoked.json["error"]["code"], "forbidden");
    assert_eq!(documents(&base).await, 0);

    // One document: stored (201), a new story.
    let created = post(&base, Some(&analyst), "application/json", &one).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let outcome = &created.json["documents"][0];
    assert_eq!(outcome["outcome"], "new", "{}", created.body);
    assert_eq!(created.json["ingested"], 1);
    assert!(
        created.json["incidents"]["created"].as_u64().unwrap() >= 1,
        "{}",
        created.body
    );
    let id = outcome["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("api-"), "{id}");
    let doc = get(&base, outcome["document"].as_str().unwrap()).await;
    assert_eq!(doc.status, 200, "{}", doc.body);
    assert_eq!(
        doc.json["url"], "https://news.example.org/africa/maiduguri-market",
        "{}",
        doc.body
    );

    // Its incident is searchable...
    let found = get(&base, "/api/v1/incidents?q=type:attack+place:Nigeria").await;
    assert_eq!(found.status, 200, "{}", found.body);
    let incident = found.json["items"][0]["id"].as_str().unwrap().to_string();
    assert!(incident.starts_with(&format!("{id}/")), "{}", found.body);
    assert_eq!(found.json["total"], 1, "{}", found.body);
    // ... and alerts the watchlist, once.
    let deadline = Instant::now() + Duration::from_secs(30);
    let alerts = loop {
        let alerts = get(&base, "/api/v1/alerts?watchlist=nigeria").await;
        if !alerts.json["items"].as_array().unwrap().is_empty() || Instant::now() > deadline {
            break alerts;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let items = alerts.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", alerts.body);
    assert_eq!(items[0]["incident"], incident.as_str());

    // The same document again: nothing new (200), the stored id named.
    let again = post(&base, Some(&analyst), "application/json", &one).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json["documents"][0]["outcome"], "duplicate");
    assert_eq!(again.json["documents"][0]["existing"], id.as_str());
    assert_eq!(again.json["ingested"], 0);
    assert!(again.json["incidents"].is_null(), "{}", again.body);

    // An array: a new article, the Maiduguri story republished elsewhere
    // (a near-duplicate joining its story), and a copy of the first
    // (a duplicate by URL).
    let republished = MAIDUGURI.replace("police said", "police told reporters");
    let array = json!([
        {"title": "Car bomb kills six in Mogadishu", "text": MOGADISHU, "id": "wire-mogadishu"},
        {"title": "Gunmen kill 12 in Maiduguri", "text": republished,
         "url": "https://other.example.net/maiduguri"},
        {"text": "A different text under the same address.",
         "url": "https://news.example.org/africa/maiduguri-market?utm_source=feed"},
    ])
    .to_string();
    let batch = post(&base, Some(&analyst), "application/json", &array).await;
    assert_eq!(batch.status, 201, "{}", batch.body);
    let outcomes: Vec<&str> = batch.json["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["new", "near_duplicate", "duplicate"],
        "{}",
        batch.body
    );
    assert_eq!(batch.json["documents"][0]["id"], "wire-mogadishu");
    assert_eq!(
        batch.json["documents"][1]["story"],
        created.json["documents"][0]["story"]
    );
    assert_eq!(batch.json["documents"][2]["reason"], "same canonical URL");
    assert_eq!(batch.json["ingested"], 2);
    assert_eq!(batch.json["near_duplicates"], 1);
    assert_eq!(documents(&base).await, 3);

    // JSON Lines.
    let lines = format!(
        "{}\n\n",
        json!({"headline": "Plot foiled in Vienna", "body": VIENNA})
    );
    let jsonl = post(&base, Some(&analyst), "application/x-ndjson", &lines).await;
    assert_eq!(jsonl.status, 201, "{}", jsonl.body);
    assert_eq!(jsonl.json["documents"][0]["outcome"], "new");
    assert_eq!(documents(&base).await, 4);

    // 422: the message names the document and the field or line; nothing
    // of the request is stored.
    let bad = json!([{"text": "Gunmen attacked a convoy near Gao."}, {"title": "no body"}]);
    let refused = post(&base, Some(&analyst), "application/json", &bad.to_string()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json["error"]["code"], "unprocessable");
    let message = refused.json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("document [1]") && message.contains("`text`"),
        "{message}"
    );
    let wrong_type = json!({"text": ["fine"], "id": {"nested": true}});
    let refused = post(
        &base,
        Some(&analyst),
        "application/json",
        &wrong_type.to_string(),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("`id`"), "{}", refused.body);
    let refused = post(
        &base,
        Some(&analyst),
        "application/x-ndjson",
        "{\"text\": \"Gunmen attacked a convoy near Gao.\"}\n{\"text\": oops}\n",
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let message = refused.json["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 2: not valid JSON"), "{message}");
    assert_eq!(documents(&base).await, 4);

    // 400: neither JSON nor JSON Lines.
    let plain = post(&base, Some(&analyst), "text/plain", MOGADISHU).await;
    assert_eq!(plain.status, 400, "{}", plain.body);

    // 413: too many documents, or a body over the limit.
    let many = format!("[{}]", vec!["{\"text\": \"x\"}"; 1001].join(","));
    let too_many = post(&base, Some(&analyst), "application/json", &many).await;
    assert_eq!(too_many.status, 413, "{}", too_many.body);
    assert!(too_many.body.contains("at most 1000"), "{}", too_many.body);
    // A body announcing more than the limit is refused before it is read;
    // one without a length is cut at the limit as it is read.
    let announced = raw(&base, &analyst, "Content-Length: 70000\r\n", Vec::new()).await;
    assert!(announced.starts_with("HTTP/1.1 413"), "{announced}");
    assert!(announced.contains("payload_too_large"), "{announced}");
    let text = "word ".repeat(14_000);
    let chunk = format!("{{\"text\": \"{text}\"}}");
    let chunked = format!("{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len()).into_bytes();
    let cut = raw(&base, &analyst, "Transfer-Encoding: chunked\r\n", chunked).await;
    assert!(cut.starts_with("HTTP/1.1 413"), "{cut}");
    assert!(cut.contains("payload_too_large"), "{cut}");
    assert_eq!(documents(&base).await, 4);

    // The endpoint is in the OpenAPI document.
    let openapi = get(&base, "/api/v1/openapi.json").await;
    let operation = &openapi.json["paths"]["/api/v1/documents"]["post"];
    assert_eq!(operation["operationId"], "ingest_documents", "{operation}");
    assert!(
        operation["responses"]["422"].is_object(),
        "no 422 in the OpenAPI document: {operation}"
    );

    let _ = server.stop.send(());
    server.task.await?;
    Ok(())
}
