//! `vigil watch` and `vigil ingest URL` against a feed served on
//! 127.0.0.1: rounds ingest only new items, an unchanged feed costs a 304,
//! a new item is ingested by the first poll after it appears, SIGTERM stops
//! cleanly.

#![allow(clippy::unwrap_used)]

#[path = "../../ingest/tests/fetch_server/mod.rs"]
mod fetch_server;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fetch_server::{Route, Server};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const STORIES: [(&str, &str); 3] = [
    (
        "Car bomb kills six in Mogadishu",
        "A car bomb exploded outside a hotel in Mogadishu on Monday, killing six people and wounding ten, police said. Al-Shabaab claimed responsibility for the attack in a statement.",
    ),
    (
        "Police foil plot against Vienna synagogue",
        "Austrian police arrested three men in Vienna on Tuesday on suspicion of planning an attack on a synagogue, the interior ministry said. Weapons and explosives were found in their flat.",
    ),
    (
        "Gunmen attack army post in northern Mali",
        "Gunmen attacked an army post near Gao in northern Mali on Wednesday, killing four soldiers, the army said. No group has claimed the attack so far.",
    ),
];

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html><head><title>{title} | Test Wire</title></head><body>\
         <nav>Home | World | Sport</nav><article><h1>{title}</h1><p>{body}</p>\
         <p>More details were expected later in the day, officials told reporters.</p></article>\
         <footer>Copyright Test Wire</footer></body></html>"
    )
}

/// A feed listing the first `n` stories, newest first, with ETag `v<n>`.
fn serve_feed(server: &Server, n: usize) {
    let mut items = String::new();
    for (i, (title, body)) in STORIES.iter().enumerate().take(n).rev() {
        items.push_str(&format!(
            "<item><title>{title}</title><link>/news/{i}.html</link>\
             <pubDate>Mon, 0{} Mar 2024 10:00:00 +0000</pubDate><description>{}</description></item>",
            i + 4,
            &body[..60]
        ));
    }
    let rss = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Test Wire</title>{items}</channel></rss>"
    );
    server.route(
        "/feed.xml",
        Route {
            etag: Some(format!("\"v{n}\"")),
            ..Route::ok("application/rss+xml", rss)
        },
    );
}

fn news_server() -> Server {
    let server = Server::start();
    for (i, (title, body)) in STORIES.iter().enumerate() {
        server.route(
            &format!("/news/{i}.html"),
            Route::ok("text/html", page(title, body)),
        );
    }
    serve_feed(&server, 2);
    server
}

fn vigil(
    args: &[&str],
    data: &Path,
) -> Result<(i32, Vec<Value>, String), Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--data")
        .arg(data)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(serde_json::from_str)
        .collect::<Result<Vec<Value>, _>>()?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    Ok((output.status.code().unwrap_or(-1), lines, stderr))
}

fn events<'a>(lines: &'a [Value], event: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["event"] == event).collect()
}

fn documents(data: &Path) -> Result<u64, Box<dyn std::error::Error>> {
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["stats", "--json", "--data"])
        .arg(data)
        .output()?;
    let stats: Value = serde_json::from_slice(&output.stdout)?;
    stats["documents"]
        .as_u64()
        .ok_or_else(|| format!("no document count in {stats}").into())
}

#[test]
fn watch_once_twice_ingests_new_items_only() -> TestResult {
    let server = news_server();
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("data");
    let feed = server.url("/feed.xml");
    let args = [
        "watch",
        "--feed",
        &feed,
        "--once",
        "--json",
        "--host-delay",
        "0s",
    ];

    let (code, lines, stderr) = vigil(&args, &data)?;
    assert_eq!(code, 0, "{stderr}");
    let polls = events(&lines, "poll");
    assert_eq!(polls.len(), 1, "{lines:?}");
    assert_eq!(polls[0]["status"], "fetched");
    assert_eq!(polls[0]["new"], 2);
    assert!(polls[0]["elapsed_ms"].is_u64());
    let stored: u64 = events(&lines, "store")
        .iter()
        .map(|l| l["ingested"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(stored, 2, "{lines:?}\n{stderr}");
    assert_eq!(documents(&data)?, 2);

    // Unchanged feed: a conditional GET answered 304, no article fetched.
    let before = server.log().len();
    let (code, lines, stderr) = vigil(&args, &data)?;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(events(&lines, "poll")[0]["status"], "not-modified");
    let second: Vec<_> = server.log().into_iter().skip(before).collect();
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0].status, 304);
    assert_eq!(
        second[0].headers.get("if-none-match").map(String::as_str),
        Some("\"v2\"")
    );

    // A new item: only its article is fetched and stored.
    serve_feed(&server, 3);
    let (code, lines, stderr) = vigil(&args, &data)?;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(events(&lines, "poll")[0]["new"], 1, "{lines:?}");
    assert_eq!(documents(&data)?, 3);
    for i in 0..3 {
        assert_eq!(
            server.requests(&format!("/news/{i}.html")).len(),
            1,
            "article {i}"
        );
    }
    Ok(())
}

#[test]
fn a_new_item_is_ingested_by_the_first_poll_after_it_appears() -> TestResult {
    let server = news_server();
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("data");
    let feeds = tmp.path().join("feeds.txt");
    std::fs::write(
        &feeds,
        format!("# test feeds\n{}\n", server.url("/feed.xml")),
    )?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args([
            "watch",
            "--interval",
            "1s",
            "--json",
            "--host-delay",
            "0s",
            "--feeds",
        ])
        .arg(&feeds)
        .arg("--data")
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(value) = serde_json::from_str(&line) {
                if tx.send(value).is_err() {
                    return;
                }
            }
        }
    });
    // Generous deadlines: a slow machine must not fail the test; the
    // assertions are on the order of requests, not on time.
    let wait_for = |what: &dyn Fn(&Value) -> bool| -> Result<Value, String> {
        let deadline = Instant::now() + Duration::from_secs(300);
        while Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(line) if what(&line) => return Ok(line),
                Ok(_) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err("vigil watch exited".into())
                }
            }
        }
        Err("nothing logged in time".into())
    };
    let result = (|| -> TestResult {
        wait_for(&|l| l["event"] == "store" && l["ingested"] == 2)?;
        // At least one more poll with nothing new, then the new item.
        wait_for(&|l| l["event"] == "poll" && l["status"] == "not-modified")?;
        serve_feed(&server, 3);
        let appeared = Instant::now();
        wait_for(&|l| l["event"] == "store" && l["ingested"] == 1)?;
        // The item was found by the first poll after it appeared, and its
        // article fetched in that round: no later poll came in between.
        let log = server.log();
        let article = log
            .iter()
            .find(|r| r.path == "/news/2.html")
            .ok_or("the new article was not fetched")?;
        let polls_between = log
            .iter()
            .filter(|r| r.path == "/feed.xml" && r.at >= appeared && r.at < article.at)
            .count();
        assert!(
            polls_between <= 1,
            "{polls_between} polls before the new item was fetched"
        );
        Ok(())
    })();
    // SIGTERM: a clean stop.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    let stopped = wait_for(&|l| l["event"] == "stop");
    let status = child.wait()?;
    result?;
    stopped?;
    assert!(status.success(), "{status:?}");
    assert_eq!(documents(&data)?, 3);
    Ok(())
}

#[test]
fn ingest_takes_a_feed_url() -> TestResult {
    let server = news_server();
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("data");
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["ingest", &server.url("/feed.xml"), "--json", "--data"])
        .arg(&data)
        .output()?;
    let summary: Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(
        summary["ingested"],
        2,
        "{summary}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(summary["failed"], 0);
    // A URL that answers 404 is a failure naming the URL.
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["ingest", &server.url("/missing.xml"), "--json", "--data"])
        .arg(&data)
        .output()?;
    let summary: Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(summary["failed"], 1);
    let reason = summary["failures"][0].as_str().unwrap_or("");
    assert!(
        reason.contains("/missing.xml") && reason.contains("404"),
        "{reason}"
    );
    Ok(())
}

#[test]
fn sigterm_finishes_the_article_in_progress_and_leaves_the_rest_queued() -> TestResult {
    let server = news_server();
    serve_feed(&server, 3);
    for (i, (title, body)) in STORIES.iter().enumerate() {
        server.route(
            &format!("/news/{i}.html"),
            Route {
                delay: Duration::from_secs(2),
                ..Route::ok("text/html", page(title, body))
            },
        );
    }
    let tmp = tempfile::tempdir()?;
    let data = tmp.path().join("data");
    let feed = server.url("/feed.xml");
    let args = [
        "watch",
        "--feed",
        &feed,
        "--once",
        "--json",
        "--host-delay",
        "0s",
        "--concurrency",
        "1",
    ];
    let child = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .arg("--data")
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Wait until the first article is being served, then ask to stop.
    let deadline = Instant::now() + Duration::from_secs(300);
    while !server.log().iter().any(|r| r.path.starts_with("/news/")) {
        if Instant::now() > deadline {
            return Err("no article was requested".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}\n{stderr}", output.status);
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // The article in flight was finished and stored; no other was started.
    let stored: u64 = events(&lines, "store")
        .iter()
        .map(|l| l["ingested"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(stored, 1, "{lines:?}\n{stderr}");
    let articles = server
        .log()
        .iter()
        .filter(|r| r.path.starts_with("/news/"))
        .count();
    assert_eq!(articles, 1);
    assert_eq!(events(&lines, "stop").len(), 1);
    // The next round picks up the two articles left in the queue, even
    // though the feed itself has not changed (304).
    let (code, lines, stderr) = vigil(&args, &data)?;
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(events(&lines, "poll")[0]["status"], "not-modified");
    assert_eq!(documents(&data)?, 3, "{lines:?}");
    Ok(())
}

#[test]
fn two_watchers_on_postgres_fetch_each_article_once() -> TestResult {
    let Ok(url) = std::env::var("VIGIL_TEST_POSTGRES") else {
        println!("SKIPPED: VIGIL_TEST_POSTGRES not set");
        return Ok(());
    };
    let schema = vigil_store::ScratchSchema::create(&url, "vigil_watch")?;
    let spec = schema.spec().to_string();
    let server = news_server();
    serve_feed(&server, 3);
    for (i, (title, body)) in STORIES.iter().enumerate() {
        server.route(
            &format!("/news/{i}.html"),
            Route {
                delay: Duration::from_millis(300),
                ..Route::ok("text/html", page(title, body))
            },
        );
    }
    let feed = server.url("/feed.xml");
    let watchers: Vec<_> = ["one", "two"]
        .iter()
        .map(|name| {
            Command::new(env!("CARGO_BIN_EXE_vigil"))
                .args([
                    "watch",
                    "--feed",
                    &feed,
                    "--once",
                    "--json",
                    "--host-delay",
                    "0s",
                ])
                .args(["--concurrency", "1", "--worker", name, "--store", &spec])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut ingested = 0;
    for watcher in watchers {
        let output = watcher.wait_with_output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        ingested += String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|l| l["event"] == "store")
            .map(|l| l["ingested"].as_u64().unwrap_or(0))
            .sum::<u64>();
    }
    // Each article fetched by exactly one of the two watchers.
    for i in 0..3 {
        assert_eq!(
            server.requests(&format!("/news/{i}.html")).len(),
            1,
            "article {i}"
        );
    }
    assert_eq!(ingested, 3);
    let output = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["stats", "--json", "--store", &spec])
        .output()?;
    let stats: Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(stats["documents"], 3, "{stats}");
    Ok(())
}
