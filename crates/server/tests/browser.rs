//! Browser tests in real headless Chromium (Debian's `chromium` package;
//! another binary with `VIGIL_CHROMIUM=/path`). They print `SKIPPED:
//! chromium not found` and pass when no browser is installed.
//!
//! A server on 127.0.0.1 serves a temporary store filled by analysing the
//! articles of `tests/articles` plus two synthetic ones (a title that is a
//! script tag; a later attack in Mali for the live alert). Page content is
//! checked on the DOM Chromium builds (`--dump-dom`); the live alert is
//! checked through the DevTools protocol (a WebSocket): the feed page is
//! open, a watchlist exists, an article is ingested, and the alert appears
//! in the page without a reload.
//!
//! `VIGIL_SCREENSHOTS=DIR cargo test -p vigil-server --test browser
//! screenshots` writes PNG screenshots of the main pages to DIR
//! (`docs/screenshots`).

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use vigil_core::{Analysis, Document};
use vigil_server::{alerts, AlertConfig, AppState, Config, Server};
use vigil_store::desk::NewWatchlist;
use vigil_store::{SqliteStore, Store};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The title of the synthetic article: must show as text, never run.
const XSS_TITLE: &str = "<script>alert(1)</script>";

/// The browser binary, if any.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("VIGIL_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The browser, or `None` after printing the skip line.
fn browser_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        println!("SKIPPED: chromium not found (install Debian's `chromium` package or set VIGIL_CHROMIUM)");
    }
    found
}

/// Flags for a quiet, offline, sandbox-less headless browser.
fn base_flags(profile: &Path) -> Vec<String> {
    vec![
        "--headless".into(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-default-apps".into(),
        "--disable-extensions".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--no-default-browser-check".into(),
        "--hide-scrollbars".into(),
        "--mute-audio".into(),
        format!("--user-data-dir={}", profile.display()),
    ]
}

/// Waits for a child with a deadline; kills it (by its handle) on timeout.
fn wait_with_timeout(child: &mut Child, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return Ok(()),
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("chromium did not finish within {limit:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// The DOM Chromium builds for `url`, serialised.
fn dump_dom(browser: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut args = base_flags(profile.path());
    args.push("--dump-dom".into());
    args.push(url.into());
    let mut child = Command::new(browser)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut out);
        out
    });
    wait_with_timeout(&mut child, Duration::from_secs(60)).unwrap();
    let dom = reader.join().unwrap();
    assert!(dom.contains("</html>"), "no DOM for {url}: {dom:.300}");
    dom
}

/// A PNG screenshot of `url`, `width`×`height` pixels.
fn screenshot(browser: &Path, url: &str, out: &Path, width: u32, height: u32) {
    let profile = tempfile::tempdir().unwrap();
    let mut args = base_flags(profile.path());
    args.push(format!("--window-size={width},{height}"));
    args.push(format!("--screenshot={}", out.display()));
    args.push(url.into());
    let mut child = Command::new(browser)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_with_timeout(&mut child, Duration::from_secs(60)).unwrap();
    let png = std::fs::read(out).unwrap();
    assert!(
        png.starts_with(b"\x89PNG"),
        "{} is not a PNG",
        out.display()
    );
}

/// Analyses `documents` with the real pipeline.
fn analyse(documents: Vec<Document>) -> Vec<(Document, Analysis)> {
    static PIPELINE: OnceLock<vigil_extract::Pipeline> = OnceLock::new();
    let pipeline = PIPELINE.get_or_init(|| vigil_extract::Pipeline::new().unwrap());
    documents
        .into_iter()
        .map(|d| {
            let a = pipeline.analyze(&d);
            (d, a)
        })
        .collect()
}

fn published(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(text).ok()
}

/// The test articles plus the article whose title is a script tag.
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
        let mut docs = Vec::new();
        for file in files {
            vigil_ingest::read_source_with(&file, &vigil_ingest::ReadOptions::default(), &mut |item| {
                if let Ok(ingested) = item {
                    docs.push(ingested.document);
                }
            });
        }
        assert!(docs.len() >= 8, "expected the test articles, got {}", docs.len());
        docs.push(Document {
            id: "xss-title".into(),
            title: Some(XSS_TITLE.into()),
            source: Some("<b>Evil Outlet</b>".into()),
            url: Some("javascript:alert(2)".into()),
            published: published("2024-06-03T09:00:00Z"),
            text: "A car bomb exploded near a market in Kandahar on Monday, killing three people and wounding 12, police said.\n\n\"<img src=x onerror=alert(3)>\" was written on a wall nearby, the police spokesman said."
                .into(),
            ..Document::default()
        });
        analyse(docs)
    })
}

/// The article that arrives while the feed is open.
fn late_article() -> Vec<(Document, Analysis)> {
    analyse(vec![Document {
        id: "late-mali-attack".into(),
        title: Some("Gunmen attack police post in Timbuktu".into()),
        source: Some("Sahel Wire".into()),
        url: Some("https://example.org/sahel/timbuktu-attack".into()),
        published: published("2024-06-10T08:00:00Z"),
        text: "Gunmen attacked a police post in Timbuktu, Mali, on Sunday, killing four officers, the army said.\n\nNo group has claimed the attack."
            .into(),
        ..Document::default()
    }])
}

/// A server over a temporary store, on its own runtime.
struct TestServer {
    addr: SocketAddr,
    /// The server's state (a clone): the same store connection and index.
    state: AppState,
    dir: tempfile::TempDir,
    runtime: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = SqliteStore::open(dir.path()).unwrap();
            store.insert_batch(articles()).unwrap();
            store.recompute_incidents().unwrap();
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            alerts: AlertConfig {
                poll: Duration::from_millis(100),
                ..AlertConfig::default()
            },
            ..Config::default()
        };
        let store = SqliteStore::open(dir.path()).unwrap();
        let state = AppState::new(Box::new(store));
        let server = runtime
            .block_on(Server::bind(&config, state.clone()))
            .unwrap();
        let addr = server.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = runtime.spawn(async move {
            server
                .run(async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        TestServer {
            addr,
            state,
            dir,
            runtime,
            stop: Some(tx),
            task: Some(task),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stores articles through the server's own store (as an ingest through
    /// the server would) and recomputes the incidents.
    fn ingest(&self, batch: Vec<(Document, Analysis)>) {
        self.runtime
            .block_on(self.state.db.write(move |s| {
                s.insert_batch(&batch)?;
                s.recompute_incidents()
            }))
            .unwrap();
    }

    /// The incident with the most sources (ties: the first by id).
    fn richest_incident(&self) -> String {
        let store = SqliteStore::open(self.dir.path()).unwrap();
        let mut best = (0usize, String::new());
        store
            .for_each_incident(&vigil_store::Query::default(), &mut |i| {
                if i.sources.len() > best.0 {
                    best = (i.sources.len(), i.id);
                }
                Ok(())
            })
            .unwrap();
        best.1
    }

    /// Incident ids with a source in document `doc`.
    fn incidents_of(&self, doc: &str) -> Vec<String> {
        let store = SqliteStore::open(self.dir.path()).unwrap();
        let mut ids = Vec::new();
        store
            .for_each_incident(&vigil_store::Query::default(), &mut |i| {
                if i.sources.iter().any(|s| s.doc_id == doc) {
                    ids.push(i.id);
                }
                Ok(())
            })
            .unwrap();
        ids
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = self
                .runtime
                .block_on(async { tokio::time::timeout(Duration::from_secs(20), task).await });
        }
    }
}

/// `href` values of `<a class="title" …>` links to incidents in a DOM.
fn incident_links(dom: &str) -> Vec<String> {
    dom.split(r#"<a class="title" href=""#)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

#[test]
fn dashboard_pages_in_chromium() -> TestResult {
    let Some(browser) = browser_or_skip() else {
        return Ok(());
    };
    let server = TestServer::start();

    // The feed: incidents, filters, the live panel.
    let feed = dump_dom(&browser, &server.url("/"));
    assert!(feed.contains("Newest incidents"), "{feed:.500}");
    assert!(feed.contains(r#"id="live""#));
    assert!(feed.contains(r#"<form class="filters""#));
    let links = incident_links(&feed);
    assert!(links.len() >= 10, "feed shows {} incidents", links.len());

    // A filtered feed only lists that type.
    let plots = dump_dom(&browser, &server.url("/?type=plot"));
    let badges = plots.matches(r#"class="badge t-"#).count();
    assert!(badges >= 1);
    assert!(!plots.contains("badge t-kidnapping"), "type filter ignored");

    // Search with the query language.
    let search = dump_dom(
        &browser,
        &server.url("/search?q=type%3Abombing%20place%3AAfghanistan"),
    );
    assert!(search.contains(r#"id="total""#), "{search:.800}");
    let found = incident_links(&search);
    assert!(!found.is_empty(), "no bombing in Afghanistan found");
    assert!(search.contains("Kandahar"));
    // A malformed query says where, with status 400, in the page.
    let bad = dump_dom(&browser, &server.url("/search?q=colour%3Ablue"));
    assert!(
        bad.contains(r#"id="query-error""#) && bad.contains("unknown field"),
        "{bad:.800}"
    );

    // Open an incident from the search results.
    let incident = dump_dom(&browser, &server.url(&found[0]));
    assert!(
        incident.contains(r#"id="incident-title""#),
        "{incident:.800}"
    );
    assert!(incident.contains("Sources ("));
    assert!(incident.contains(r#"class="evidence""#));
    assert!(incident.contains(r#"<svg xmlns="http://www.w3.org/2000/svg" class="map""#));

    // The map: country shapes and incident markers, server-drawn SVG.
    let map = dump_dom(&browser, &server.url("/map"));
    assert!(map.contains(r#"class="map""#));
    assert!(
        map.matches("data-iso=").count() > 150,
        "country shapes missing"
    );
    assert!(
        map.matches(r#"class="marker""#).count() >= 10,
        "markers missing"
    );
    assert!(map.contains(r##"data-iso="AF" fill="#"##));

    // Timeline, threat board, an actor and a document.
    let timeline = dump_dom(&browser, &server.url("/timeline"));
    assert!(timeline.contains("<title>Week of"), "no bars");
    let board = dump_dom(&browser, &server.url("/threats"));
    assert!(board.contains(r#"id="board-countries""#));
    assert!(board.matches("<tr>").count() >= 5, "{board:.1000}");
    assert!(board.contains("<details>"), "scores without evidence");
    let actor = dump_dom(&browser, &server.url("/actors/group%3Ataliban"));
    assert!(actor.contains(r#"id="actor-name""#), "{actor:.600}");
    assert!(actor.contains("Timeline"));
    Ok(())
}

#[test]
fn article_text_is_shown_never_run() -> TestResult {
    let Some(browser) = browser_or_skip() else {
        return Ok(());
    };
    let server = TestServer::start();
    let document = dump_dom(&browser, &server.url("/documents/xss-title"));
    // Chromium serialises text nodes with `<` escaped: the title is text.
    assert!(
        document.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{document:.1000}"
    );
    assert!(!document.contains("<script>alert"));
    assert!(!document.contains("<img src=x"));
    assert!(!document.contains("<b>Evil Outlet</b>"));
    assert!(!document.contains(r#"href="javascript:"#));
    let ids = server.incidents_of("xss-title");
    assert!(!ids.is_empty(), "the synthetic article gave no incident");
    for id in &ids {
        let path = format!("/incidents/{}", id.split('/').collect::<Vec<_>>().join("/"));
        let page = dump_dom(&browser, &server.url(&path));
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page:.1000}"
        );
        assert!(!page.contains("<script>alert"));
        assert!(!page.contains(r#"href="javascript:"#));
    }
    Ok(())
}

/// A minimal DevTools-protocol client over one WebSocket (flat sessions).
struct DevTools {
    child: Child,
    socket: tungstenite::WebSocket<TcpStream>,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl DevTools {
    fn launch(browser: &Path) -> DevTools {
        let profile = tempfile::tempdir().unwrap();
        let mut args = base_flags(profile.path());
        args.push("--remote-debugging-port=0".into());
        args.push("about:blank".into());
        let mut child = Command::new(browser)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let ws_url = rx.recv_timeout(Duration::from_secs(30)).unwrap();
        let host = ws_url
            .trim_start_matches("ws://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let stream = TcpStream::connect(&host).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let (socket, _) = tungstenite::client::client(ws_url.as_str(), stream).unwrap();
        DevTools {
            child,
            socket,
            next_id: 0,
            _profile: profile,
        }
    }

    /// Sends a command and returns its `result` (events in between are
    /// skipped).
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        self.socket
            .send(tungstenite::Message::text(message.to_string()))
            .unwrap();
        loop {
            let reply = self.socket.read().unwrap();
            let Ok(text) = reply.to_text() else { continue };
            let Ok(value) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            if value["id"] == json!(id) {
                assert!(value.get("error").is_none(), "{method}: {value}");
                return value["result"].clone();
            }
        }
    }

    /// Evaluates a JavaScript expression in the page, by value.
    fn eval(&mut self, session: &str, expression: &str) -> Value {
        let result = self.call(
            Some(session),
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        result["result"]["value"].clone()
    }

    /// Polls `expression` until it is `true` or `limit` passes.
    fn wait_for(&mut self, session: &str, expression: &str, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.eval(session, expression) == json!(true) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }
}

impl Drop for DevTools {
    fn drop(&mut self) {
        let _ = self.socket.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn live_alert_appears_in_the_open_feed() -> TestResult {
    let Some(browser) = browser_or_skip() else {
        return Ok(());
    };
    let server = TestServer::start();
    // A watchlist for Mali; nothing stored matches yet.
    {
        let mut store = SqliteStore::open(server.dir.path()).unwrap();
        let (watchlist, baseline) = alerts::create_watchlist(
            &mut store,
            NewWatchlist {
                name: "Sahel watch".into(),
                query: "place:Mali".into(),
                webhook: None,
                secret: None,
            },
        )
        .unwrap();
        assert_eq!(baseline, 0, "{watchlist:?}");
    }
    let mut devtools = DevTools::launch(&browser);
    let target = devtools.call(None, "Target.createTarget", json!({"url": server.url("/")}));
    let target_id = target["targetId"].as_str().unwrap().to_string();
    let attached = devtools.call(
        None,
        "Target.attachToTarget",
        json!({"targetId": target_id, "flatten": true}),
    );
    let session = attached["sessionId"].as_str().unwrap().to_string();
    assert!(
        devtools.wait_for(
            &session,
            "document.getElementById('live') !== null && document.getElementById('live').getAttribute('data-state') === 'live'",
            Duration::from_secs(30)
        ),
        "the feed never connected to the stream"
    );
    // Only app.js is a script: article text never became one.
    assert_eq!(devtools.eval(&session, "document.scripts.length"), json!(1));
    let before = devtools.eval(&session, "document.querySelectorAll('#alerts li').length");

    // An article about Mali arrives.
    server.ingest(late_article());
    assert!(
        devtools.wait_for(
            &session,
            "(function(){var li=document.querySelector('#alerts li.alert.new');return li!==null&&li.textContent.indexOf('Sahel watch')>=0&&li.textContent.indexOf('Timbuktu')>=0;})()",
            Duration::from_secs(60)
        ),
        "no live alert in the page; alerts list: {}; incidents of the article: {:?}; stored alerts: {:?}",
        devtools.eval(&session, "document.getElementById('alerts').outerHTML"),
        server.incidents_of("late-mali-attack"),
        vigil_store::desk::Desk::alerts(
            &SqliteStore::open(server.dir.path()).unwrap(),
            &vigil_store::desk::AlertFilter::default()
        )
        .map(|a| a.len())
    );
    let after = devtools.eval(&session, "document.querySelectorAll('#alerts li').length");
    assert_eq!(
        after.as_u64(),
        before.as_u64().map(|n| n + 1),
        "exactly one new alert"
    );
    // The alert links to the incident page, which exists.
    let href = devtools.eval(
        &session,
        "document.querySelector('#alerts li.alert.new a').getAttribute('href')",
    );
    let href = href.as_str().unwrap().to_string();
    assert!(href.starts_with("/incidents/late-mali-attack/"), "{href}");
    let page = dump_dom(&browser, &server.url(&href));
    assert!(page.contains("Timbuktu"), "{page:.600}");
    Ok(())
}

#[test]
fn screenshots() -> TestResult {
    let Some(dir) = std::env::var_os("VIGIL_SCREENSHOTS") else {
        println!("SKIPPED: set VIGIL_SCREENSHOTS=DIR to write screenshots of the main pages");
        return Ok(());
    };
    let Some(browser) = browser_or_skip() else {
        return Ok(());
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir)?;
    let server = TestServer::start();
    // An alert in the feed's panel.
    {
        let mut store = SqliteStore::open(server.dir.path()).unwrap();
        alerts::create_watchlist(
            &mut store,
            NewWatchlist {
                name: "Sahel watch".into(),
                query: "place:Mali".into(),
                webhook: None,
                secret: None,
            },
        )
        .unwrap();
    }
    server.ingest(late_article());
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let store = SqliteStore::open(server.dir.path()).unwrap();
        let alerts =
            vigil_store::desk::Desk::alerts(&store, &vigil_store::desk::AlertFilter::default())?;
        if !alerts.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let incident_path = format!("/incidents/{}", server.richest_incident());
    let pages = [
        ("feed.png", "/", 1400, 1100),
        ("incident.png", incident_path.as_str(), 1400, 1300),
        ("actor.png", "/actors/group%3Ataliban", 1400, 1100),
        ("threat-board.png", "/threats", 1400, 1100),
        ("map.png", "/map", 1400, 900),
        ("timeline.png", "/timeline", 1400, 700),
        ("search.png", "/search?q=type%3Aplot", 1400, 900),
        ("document.png", "/documents/wire-brussels-plot", 1400, 1100),
    ];
    for (file, path, width, height) in pages {
        screenshot(&browser, &server.url(path), &dir.join(file), width, height);
        println!("wrote {}", dir.join(file).display());
    }
    Ok(())
}
