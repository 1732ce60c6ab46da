//! `vigil watch`: poll feeds on a schedule; fetch, analyse and store the
//! articles that are new.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rayon::prelude::*;
use serde_json::{json, Value};
use vigil_core::{Analysis, Document};
use vigil_extract::Pipeline;
use vigil_ingest::fetch::{FeedItem, FeedPoll, FetchConfig, FetchError, Fetcher, Validators};
use vigil_ingest::{IngestError, Ingested};
use vigil_store::{FeedState, Job, JobKind, NewJob, Outcome, Store};

use super::stats::StoreArgs;

/// Watch news feeds: poll them on a schedule and ingest what is new.
///
/// Each round polls every feed that is due with a conditional GET (the
/// ETag and Last-Modified of the previous answer are kept in the store, so
/// an unchanged feed costs one `304 Not Modified`), queues the articles of
/// items not seen before as jobs in the store, fetches their pages (at most
/// --concurrency at once, one request at a time per host, --host-delay
/// apart), analyses them, stores them and merges their events into the
/// incidents. One line is logged per poll and per stored batch (key=value,
/// or JSON with --json).
///
/// Ctrl-C (SIGINT) or SIGTERM stops after the articles being fetched are
/// stored; a second Ctrl-C exits at once. Articles queued and not yet
/// fetched stay in the store's queue for the next run or another watcher.
///
/// The feeds file has one URL per line; blank lines and everything after a
/// `#` at the start of a line or after a space are ignored.
///
/// Examples:
///
///   vigil watch --feeds feeds.txt --interval 5m --data ./vigil-data
///
///   vigil watch --feed https://example.com/world/rss.xml --interval 30s
///
///   vigil watch --feeds feeds.txt --once     (one round, e.g. from cron)
///
///   vigil watch --feeds feeds.txt --store postgres://vigil@db.example/vigil --worker fetch-1
///
/// With `--store postgres://…` (or `VIGIL_STORE`) several watchers on
/// different machines share one queue: each article is fetched by one of
/// them, and the articles of a watcher that dies are taken over when its
/// lease expires. See docs/watch.md.
#[derive(clap::Args)]
pub struct Args {
    /// A file of feed URLs, one per line (`#` comments); repeatable.
    #[arg(long, value_name = "FILE")]
    feeds: Vec<PathBuf>,
    /// A feed URL; repeatable.
    #[arg(long = "feed", value_name = "URL")]
    feed: Vec<String>,
    /// Time between two polls of a feed: e.g. `30s`, `5m`, `1h`.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    interval: Duration,
    /// One round: poll every feed, fetch and store what is new, then exit.
    #[arg(long)]
    once: bool,
    /// Where to store (`--data DIR`, created if missing, or `--store URL`).
    #[command(flatten)]
    store: StoreArgs,
    /// Pause between the end of a request and the next to the same host.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    host_delay: Duration,
    /// Network timeout for connecting and for each wait on the server.
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    timeout: Duration,
    /// Largest feed or page accepted, in MiB; larger ones are abandoned.
    #[arg(long, value_name = "MIB", default_value_t = 10)]
    max_mib: u64,
    /// Article pages fetched at once (all hosts together).
    #[arg(long, value_name = "N", default_value_t = 4)]
    concurrency: usize,
    /// Do not read the sites' robots.txt before fetching article pages
    /// (for sites you run yourself).
    #[arg(long)]
    ignore_robots: bool,
    /// This watcher's name in the job queue (default: host name and process id).
    #[arg(long, value_name = "NAME")]
    worker: Option<String>,
    /// Log lines as JSON objects instead of key=value pairs.
    #[arg(long)]
    json: bool,
}

/// How long a claimed article job stays ours before another watcher may
/// take it over (it is renewed by finishing it well before).
const LEASE: Duration = Duration::from_secs(600);

/// Parses `500ms`, `30s`, `5m`, `1h`, `1d` or plain seconds (`45`, `1.5`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. 30s, 5m or 1h"))?;
    let seconds = match unit.trim() {
        "ms" => value / 1000.0,
        "" | "s" | "sec" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        "d" => value * 86400.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}`; use ms, s, m, h or d"
            ))
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

/// Reads a feeds file: one URL per line, `#` comments, blank lines.
fn read_feeds_file(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the feeds file {}", path.display()))?;
    let mut urls = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = match line.find(" #").or_else(|| line.find("\t#")) {
            Some(at) => &line[..at],
            None => line,
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !vigil_ingest::fetch::is_url(line) {
            bail!(
                "{}:{}: `{}` is not an http(s) URL; write one feed URL per line (# starts a comment)",
                path.display(),
                number + 1,
                line.chars().take(80).collect::<String>()
            );
        }
        urls.push(line.to_string());
    }
    Ok(urls)
}

/// Writes one structured log line on standard output.
struct Logger {
    json: bool,
}

impl Logger {
    fn line(&self, event: &str, fields: &[(&str, Value)]) {
        let ts = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        if self.json {
            let mut object = serde_json::Map::new();
            object.insert("ts".into(), Value::String(ts));
            object.insert("event".into(), Value::String(event.into()));
            for (key, value) in fields {
                if !value.is_null() {
                    object.insert((*key).into(), value.clone());
                }
            }
            println!("{}", Value::Object(object));
        } else {
            let mut out = format!("ts={ts} event={event}");
            for (key, value) in fields {
                let shown = match value {
                    Value::Null => continue,
                    Value::String(s)
                        if !s.is_empty()
                            && !s.contains(|c: char| c.is_whitespace() || c == '"' || c == '=') =>
                    {
                        s.clone()
                    }
                    other => other.to_string(),
                };
                out.push_str(&format!(" {key}={shown}"));
            }
            println!("{out}");
        }
    }
}

/// Counts over the whole run.
#[derive(Default)]
struct Totals {
    polls_failed: usize,
    articles_failed: usize,
}

struct Watcher {
    store: Box<dyn Store>,
    pipeline: Pipeline,
    fetcher: Fetcher,
    worker: String,
    log: Logger,
    stop: Arc<AtomicBool>,
    totals: Totals,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut feeds: Vec<String> = Vec::new();
    for file in &args.feeds {
        feeds.extend(read_feeds_file(file)?);
    }
    for url in &args.feed {
        if !vigil_ingest::fetch::is_url(url) {
            bail!("--feed `{url}` is not an http(s) URL");
        }
        feeds.push(url.trim().to_string());
    }
    let mut seen = HashSet::new();
    feeds.retain(|url| seen.insert(url.clone()));
    if feeds.is_empty() {
        bail!("no feeds to watch: give --feeds FILE (one URL per line) or --feed URL");
    }
    if args.interval.is_zero() {
        bail!("--interval must be longer than zero");
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                eprintln!("vigil: second interrupt: exiting now");
                std::process::exit(130);
            }
            eprintln!("vigil: stopping after the articles in progress (Ctrl-C again to exit now)");
        })
        .context("installing the Ctrl-C / SIGTERM handler")?;
    }
    let store: Box<dyn Store> = args.store.open()?;
    let pipeline = Pipeline::new().context("loading vigil's gazetteers")?;
    let config = FetchConfig {
        connect_timeout: args.timeout,
        read_timeout: args.timeout,
        total_timeout: (args.timeout * 3).max(Duration::from_secs(60)),
        max_bytes: args.max_mib.saturating_mul(1024 * 1024),
        host_delay: args.host_delay,
        concurrency: args.concurrency.max(1),
        robots: !args.ignore_robots,
        ..FetchConfig::default()
    };
    let worker = args.worker.clone().unwrap_or_else(default_worker);
    let mut watcher = Watcher {
        store,
        pipeline,
        fetcher: Fetcher::new(config),
        worker,
        log: Logger { json: args.json },
        stop,
        totals: Totals::default(),
    };
    watcher.log.line(
        "start",
        &[
            ("feeds", json!(feeds.len())),
            ("interval_s", json!(args.interval.as_secs_f64())),
            ("once", json!(args.once)),
            ("worker", json!(watcher.worker)),
            ("store", json!(watcher.store.location())),
        ],
    );
    let mut due: Vec<Instant> = vec![Instant::now(); feeds.len()];
    loop {
        for (i, feed) in feeds.iter().enumerate() {
            if watcher.stopping() {
                break;
            }
            if due[i] <= Instant::now() {
                due[i] = Instant::now() + args.interval;
                watcher.poll(feed)?;
            }
        }
        watcher.work()?;
        if args.once || watcher.stopping() {
            break;
        }
        // Sleep until the next feed is due, waking up for a stop.
        let next = due.iter().min().copied().unwrap_or_else(Instant::now);
        while !watcher.stopping() {
            let left = next.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }
    let failed = watcher.totals.polls_failed + watcher.totals.articles_failed;
    watcher.log.line(
        "stop",
        &[
            ("polls_failed", json!(watcher.totals.polls_failed)),
            ("articles_failed", json!(watcher.totals.articles_failed)),
        ],
    );
    Ok(if failed > 0 && args.once {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn default_worker() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}-{}", std::process::id())
}

impl Watcher {
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Polls one feed and queues its unseen items. A feed that cannot be
    /// fetched is logged and its error returned in `Ok(Some(_))`; `Err` is
    /// a store failure.
    fn poll(&mut self, feed: &str) -> anyhow::Result<Option<FetchError>> {
        let started = Instant::now();
        let state = self.store.feed_state(feed)?.unwrap_or_default();
        let validators = Validators {
            etag: state.etag.clone(),
            last_modified: state.last_modified.clone(),
        };
        let elapsed = |started: Instant| json!(started.elapsed().as_millis() as u64);
        match self.fetcher.poll_feed(feed, &validators) {
            Ok(FeedPoll::NotModified) => {
                self.store.set_feed_state(
                    feed,
                    &FeedState {
                        last_polled: Some(chrono::Utc::now()),
                        ..state
                    },
                )?;
                self.log.line(
                    "poll",
                    &[
                        ("feed", json!(feed)),
                        ("status", json!("not-modified")),
                        ("items", json!(0)),
                        ("new", json!(0)),
                        ("elapsed_ms", elapsed(started)),
                    ],
                );
            }
            Ok(FeedPoll::Fetched {
                validators,
                items,
                errors,
                bytes,
                ..
            }) => {
                let jobs: Vec<NewJob> = items
                    .iter()
                    .map(|item| {
                        let target = item.url.as_deref().unwrap_or(&item.key);
                        let payload = serde_json::to_value(item).unwrap_or(Value::Null);
                        NewJob::new(JobKind::Article, target).with_payload(payload)
                    })
                    .collect();
                let new = self.store.enqueue(&jobs)?;
                // The validators are kept only once the items are queued: a
                // crash in between polls the whole feed again.
                self.store.set_feed_state(
                    feed,
                    &FeedState {
                        etag: validators.etag,
                        last_modified: validators.last_modified,
                        last_polled: Some(chrono::Utc::now()),
                    },
                )?;
                for err in &errors {
                    eprintln!("vigil: {err}");
                }
                self.log.line(
                    "poll",
                    &[
                        ("feed", json!(feed)),
                        ("status", json!("fetched")),
                        ("items", json!(items.len())),
                        ("new", json!(new)),
                        ("errors", json!(errors.len())),
                        ("bytes", json!(bytes)),
                        ("elapsed_ms", elapsed(started)),
                    ],
                );
            }
            Err(err) => {
                self.totals.polls_failed += 1;
                self.log.line(
                    "poll",
                    &[
                        ("feed", json!(feed)),
                        ("status", json!("error")),
                        ("items", json!(0)),
                        ("new", json!(0)),
                        ("error", json!(err.kind.to_string())),
                        ("elapsed_ms", elapsed(started)),
                    ],
                );
                return Ok(Some(err));
            }
        }
        Ok(None)
    }

    /// Claims queued jobs and processes them until none is left (or a
    /// stop is asked), then merges the new events into the incidents if
    /// anything was stored.
    /// Article jobs are fetched and stored; feed jobs (queued by another
    /// program to have a feed read once) are polled.
    ///
    /// Jobs are claimed `--concurrency` at a time, so that a stop leaves
    /// few claimed jobs unstarted (they go back to the queue).
    fn work(&mut self) -> anyhow::Result<()> {
        let mut stored_any = false;
        let batch = self.fetcher.config().concurrency.max(1);
        while !self.stopping() {
            let jobs = self.store.claim(&self.worker, batch, LEASE)?;
            if jobs.is_empty() {
                break;
            }
            let (feeds, articles): (Vec<Job>, Vec<Job>) =
                jobs.into_iter().partition(|job| job.kind == JobKind::Feed);
            for job in feeds {
                match self.poll(&job.url)? {
                    None => self.store.complete(job.id)?,
                    Some(err) => {
                        let retry = err.kind.is_transient();
                        self.store.fail(job.id, &err.to_string(), retry)?;
                    }
                }
            }
            if !articles.is_empty() {
                stored_any |= self.process(articles)?;
            }
        }
        if stored_any {
            // The new documents' events join the stored incidents (as
            // `vigil ingest`); only the incidents they touch are rewritten.
            let started = Instant::now();
            let update = self.store.merge_incidents()?;
            self.log.line(
                "incidents",
                &[
                    ("incidents", json!(update.total)),
                    ("created", json!(update.created)),
                    ("updated", json!(update.updated)),
                    ("recomputed", json!(update.recomputed)),
                    ("elapsed_ms", json!(started.elapsed().as_millis() as u64)),
                ],
            );
        }
        Ok(())
    }

    /// Fetches, analyses and stores the articles of `jobs`; returns whether
    /// a document was stored.
    fn process(&mut self, jobs: Vec<Job>) -> anyhow::Result<bool> {
        let started = Instant::now();
        let items: Vec<FeedItem> = jobs
            .iter()
            .map(|job| {
                serde_json::from_value(job.payload.clone())
                    .unwrap_or_else(|_| FeedItem::for_url(&job.url))
            })
            .collect();
        let mut results: Vec<Option<Result<Ingested, IngestError>>> = vec![None; jobs.len()];
        self.fetcher
            .fetch_articles(&items, &self.stop, &mut |i, result| {
                if let Some(slot) = results.get_mut(i) {
                    *slot = Some(result);
                }
            });
        // Known documents are not analysed again.
        let mut fresh: Vec<(usize, Document, Option<&'static str>)> = Vec::new();
        let mut duplicates = 0usize;
        let mut failed = 0usize;
        let mut done: Vec<i64> = Vec::new();
        for (i, result) in results.into_iter().enumerate() {
            let job = &jobs[i];
            match result {
                None => {
                    // Stopped before it was fetched: back to the queue.
                    self.store
                        .fail(job.id, "the watcher stopped before fetching it", true)?;
                }
                Some(Ok(ingested)) => {
                    for line in super::warning_lines(&ingested) {
                        eprintln!("{line}");
                    }
                    if self.store.find_duplicate(&ingested.document)?.is_some() {
                        duplicates += 1;
                        done.push(job.id);
                    } else {
                        fresh.push((i, ingested.document, ingested.published_from));
                    }
                }
                Some(Err(err)) => {
                    failed += 1;
                    self.totals.articles_failed += 1;
                    let retry = err.is_transient();
                    self.store.fail(job.id, &err.to_string(), retry)?;
                    self.log.line(
                        "article",
                        &[
                            ("url", json!(job.url)),
                            ("status", json!("error")),
                            ("retry", json!(retry)),
                            ("error", json!(err.to_string())),
                        ],
                    );
                }
            }
        }
        let pipeline = &self.pipeline;
        let analysed: Vec<(Document, Analysis)> = fresh
            .par_iter()
            .map(|(_, doc, from)| {
                let mut analysis = pipeline.analyze(doc);
                super::label_published(&mut analysis, *from);
                (doc.clone(), analysis)
            })
            .collect();
        let outcomes = if analysed.is_empty() {
            Vec::new()
        } else {
            self.store.insert_batch(&analysed)?
        };
        // Jobs are completed only once their documents are committed.
        done.extend(fresh.iter().map(|(i, _, _)| jobs[*i].id));
        for id in done {
            self.store.complete(id)?;
        }
        let mut ingested = 0usize;
        let mut near = 0usize;
        for outcome in &outcomes {
            match outcome {
                Outcome::New { .. } => ingested += 1,
                Outcome::NearDuplicate { .. } => {
                    ingested += 1;
                    near += 1;
                }
                Outcome::Duplicate { .. } => duplicates += 1,
            }
        }
        self.log.line(
            "store",
            &[
                ("articles", json!(jobs.len())),
                ("ingested", json!(ingested)),
                ("near_duplicates", json!(near)),
                ("duplicates", json!(duplicates)),
                ("failed", json!(failed)),
                ("elapsed_ms", json!(started.elapsed().as_millis() as u64)),
            ],
        );
        Ok(ingested > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn feeds_files_take_comments_and_reject_junk() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("feeds.txt");
        std::fs::write(
            &path,
            "# world news\n\nhttps://a.example/rss.xml  # main wire\n  http://b.example/feed#x\n",
        )?;
        assert_eq!(
            read_feeds_file(&path)?,
            ["https://a.example/rss.xml", "http://b.example/feed#x"]
        );
        std::fs::write(&path, "https://a.example/rss.xml\nfeeds/local.xml\n")?;
        let err = read_feeds_file(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("feeds.txt:2"), "{err}");
        Ok(())
    }
}
