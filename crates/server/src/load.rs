//! An HTTP load generator for a running vigil server (`vigil bench --http
//! URL`): closed-loop keep-alive connections, one endpoint at a time, with a
//! warm-up, latency percentiles from a log-bucketed histogram and the
//! request rate.
//!
//! Each connection is a thread with its own [`ureq::Agent`] (so one
//! keep-alive TCP connection): it sends a request, reads the whole
//! response, records the time from sending to the last byte, and sends the
//! next one at once (closed loop: with `connections` connections there are
//! always `connections` requests in flight, as with `wrk -c`).
//!
//! Before measuring, [`discover`] reads the server it is pointed at: the
//! ids of incidents (newest first and per event type, so that the detail
//! requests spread over the store) and the words, places, actors, types and
//! dates of their summaries, from which it builds a mix of queries in the
//! query language (free text, `type:`, `place:`, `actor:`, `since:` and
//! combinations). The URLs each endpoint requests are drawn from those at
//! random (a seeded generator: the same server gives the same mix).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use vigil_core::EventType;

/// What the load generator requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `GET /api/v1/incidents`: the newest incidents (first page).
    Feed,
    /// `GET /`: the dashboard's feed page (two searches, the latest alerts,
    /// HTML).
    FeedPage,
    /// `GET /api/v1/incidents/{id}`: an incident with every source, ids
    /// drawn at random from the discovered ones.
    Incident,
    /// `GET /api/v1/incidents?q=…`: a query drawn from the discovered mix.
    Search,
    /// `GET /threats`: the threat board.
    Board,
}

impl Endpoint {
    /// Every endpoint, in the order they are measured by default.
    pub const ALL: [Endpoint; 5] = [
        Endpoint::Feed,
        Endpoint::FeedPage,
        Endpoint::Incident,
        Endpoint::Search,
        Endpoint::Board,
    ];

    /// The endpoints measured when none is named.
    pub const DEFAULT: [Endpoint; 4] = [
        Endpoint::Feed,
        Endpoint::FeedPage,
        Endpoint::Incident,
        Endpoint::Search,
    ];

    /// Its name on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Endpoint::Feed => "feed",
            Endpoint::FeedPage => "feed_page",
            Endpoint::Incident => "incident",
            Endpoint::Search => "search",
            Endpoint::Board => "board",
        }
    }

    /// The endpoint named `name`.
    pub fn parse(name: &str) -> Option<Endpoint> {
        Endpoint::ALL
            .into_iter()
            .find(|e| e.as_str() == name.trim() || e.as_str().replace('_', "-") == name.trim())
    }

    /// What it requests, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Endpoint::Feed => "GET /api/v1/incidents",
            Endpoint::FeedPage => "GET / (dashboard feed)",
            Endpoint::Incident => "GET /api/v1/incidents/{id}",
            Endpoint::Search => "GET /api/v1/incidents?q=…",
            Endpoint::Board => "GET /threats",
        }
    }
}

/// How to run the load.
#[derive(Debug, Clone)]
pub struct Options {
    /// The server, e.g. `http://127.0.0.1:8080` (no trailing path).
    pub base: String,
    /// Concurrent keep-alive connections (closed loop).
    pub connections: usize,
    /// Measured time per endpoint.
    pub duration: Duration,
    /// Unmeasured time per endpoint before it (connections opened, caches
    /// and the server's pages warm).
    pub warmup: Duration,
    /// The endpoints, measured one after another.
    pub endpoints: Vec<Endpoint>,
    /// Seed of the URL choice.
    pub seed: u64,
    /// A request taking longer than this fails (and counts as an error).
    pub timeout: Duration,
    /// Incident ids to discover (at most).
    pub ids: usize,
    /// Search queries to build (at most).
    pub queries: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            base: "http://127.0.0.1:8080".into(),
            connections: 50,
            duration: Duration::from_secs(30),
            warmup: Duration::from_secs(3),
            endpoints: Endpoint::DEFAULT.to_vec(),
            seed: 5,
            timeout: Duration::from_secs(30),
            ids: 2000,
            queries: 200,
        }
    }
}

/// Errors of the load generator.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{url}: {message}; is `vigil serve` running there? (start it with `vigil serve --data DIR`)")]
    Request { url: String, message: String },
    #[error("{url}: the server answered {status}; expected 200")]
    Status { url: String, status: u16 },
    #[error("{url}: the answer is not the JSON expected: {message}")]
    Json { url: String, message: String },
    #[error("the server holds no incident: fill its store first (`vigil ingest`), the incident and search endpoints need some")]
    Empty,
    #[error("cannot start a connection thread: {0}")]
    Thread(std::io::Error),
    #[error("invalid options: {0}")]
    Options(String),
}

/// Latencies in microseconds, bucketed logarithmically: exact below 64 µs,
/// then 64 buckets per power of two (a value is known within 1.6 %), like
/// an HDR histogram with two significant digits.
#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    sum: u128,
    min: u64,
    max: u64,
}

const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; (64 - SUB_BITS as usize + 1) * SUB],
            total: 0,
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    fn index(v: u64) -> usize {
        let msb = 63 - v.max(1).leading_zeros();
        if msb < SUB_BITS {
            return v as usize;
        }
        let shift = msb - SUB_BITS;
        let sub = ((v >> shift) as usize) & (SUB - 1);
        ((shift as usize + 1) << SUB_BITS) | sub
    }

    /// The largest value of bucket `i`.
    fn highest(i: usize) -> u64 {
        let block = i >> SUB_BITS;
        let sub = (i & (SUB - 1)) as u64;
        if block == 0 {
            return sub;
        }
        let shift = (block - 1) as u32;
        let low = (SUB as u64 + sub) << shift;
        low + ((1u64 << shift) - 1)
    }

    /// Records one latency, in microseconds.
    pub fn record(&mut self, micros: u64) {
        let i = Histogram::index(micros).min(self.counts.len() - 1);
        self.counts[i] += 1;
        self.total += 1;
        self.sum += u128::from(micros);
        self.min = self.min.min(micros);
        self.max = self.max.max(micros);
    }

    /// Adds another histogram's values.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Values recorded.
    pub fn len(&self) -> u64 {
        self.total
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The value below or at which `p` percent of the values are (the
    /// highest value of that bucket, never above the largest recorded);
    /// 0 when empty.
    pub fn percentile(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((p / 100.0) * self.total as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Histogram::highest(i).min(self.max);
            }
        }
        self.max
    }

    /// The mean, in microseconds.
    pub fn mean(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.sum as f64 / self.total as f64
        }
    }

    /// The largest value recorded (0 when empty).
    pub fn max(&self) -> u64 {
        self.max
    }
}

/// Figures of one endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    pub endpoint: Endpoint,
    /// What was requested.
    pub request: String,
    pub connections: usize,
    pub seconds: f64,
    /// Requests answered with 2xx in the measured time.
    pub requests: u64,
    /// Requests failed (no answer, timeout, or a status other than 2xx).
    pub errors: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Response bytes per request, mean.
    pub bytes_per_request: f64,
    /// `/proc/loadavg` (1 minute) after the run, when readable.
    pub load_average: Option<f64>,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

/// What [`discover`] found: the URLs the endpoints draw from.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Targets {
    /// Incident ids.
    pub ids: Vec<String>,
    /// Search queries (query language).
    pub queries: Vec<String>,
    /// Incidents in the store (the feed's total).
    pub incidents: usize,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub base: String,
    pub connections: usize,
    pub duration_seconds: f64,
    pub warmup_seconds: f64,
    pub incidents: usize,
    pub ids: usize,
    pub queries: usize,
    /// `/proc/loadavg` (1, 5, 15 minutes) at the start, when readable.
    pub load_average_start: Option<[f64; 3]>,
    /// The same at the end.
    pub load_average_end: Option<[f64; 3]>,
    pub endpoints: Vec<EndpointReport>,
}

/// The 1, 5 and 15 minute load averages (Linux), if readable.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// A small deterministic generator (SplitMix64): the URL choice only.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Percent-encodes a query-string value (RFC 3986 unreserved kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn get_json(agent: &ureq::Agent, url: &str) -> Result<serde_json::Value, LoadError> {
    let mut response = agent.get(url).call().map_err(|e| LoadError::Request {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    let status = response.status().as_u16();
    if status != 200 {
        return Err(LoadError::Status {
            url: url.to_string(),
            status,
        });
    }
    let mut text = String::new();
    response
        .body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .map_err(|e| LoadError::Request {
            url: url.to_string(),
            message: e.to_string(),
        })?;
    serde_json::from_str(&text).map_err(|e| LoadError::Json {
        url: url.to_string(),
        message: e.to_string(),
    })
}

/// Words of a snippet worth searching for: alphabetic, 5 letters or more,
/// not among the commonest words.
fn words(snippet: &str) -> impl Iterator<Item = String> + '_ {
    const COMMON: [&str; 12] = [
        "about", "after", "their", "there", "which", "would", "these", "those", "where", "while",
        "other", "could",
    ];
    snippet
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 5)
        .map(str::to_lowercase)
        .filter(|w| !COMMON.contains(&w.as_str()))
}

/// Reads the server: incident ids and a query mix (see the module docs).
pub fn discover(opts: &Options) -> Result<Targets, LoadError> {
    let agent = agent(opts.timeout);
    let base = opts.base.trim_end_matches('/');
    let mut rng = Rng(opts.seed);
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut words_seen: Vec<String> = Vec::new();
    let mut places: BTreeSet<String> = BTreeSet::new();
    let mut days: BTreeSet<String> = BTreeSet::new();
    let mut kinds: BTreeSet<String> = BTreeSet::new();
    let mut incidents = 0usize;

    let mut take = |page: &serde_json::Value| {
        for item in page
            .get("items")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(id) = item.get("id").and_then(|v| v.as_str()) {
                ids.insert(id.to_string());
            }
            if let Some(s) = item.get("snippet").and_then(|v| v.as_str()) {
                words_seen.extend(words(s).take(3));
            }
            if let Some(p) = item.get("place").and_then(|v| v.as_str()) {
                if !p.contains('"') && places.len() < 200 {
                    places.insert(p.to_string());
                }
            }
            if let Some(d) = item.get("date").and_then(|v| v.as_str()) {
                if let Some(day) = d.get(..10) {
                    days.insert(day.to_string());
                }
            }
            if let Some(k) = item.get("type").and_then(|v| v.as_str()) {
                kinds.insert(k.to_string());
            }
        }
    };

    // The newest incidents, a few pages.
    let mut cursor: Option<String> = None;
    let per_type = (opts.ids / (EventType::ALL.len() + 1)).clamp(1, 100);
    for _ in 0..(opts.ids / 2).div_ceil(100).max(1) {
        let mut url = format!("{base}/api/v1/incidents?limit=100&sort=time");
        if let Some(c) = &cursor {
            let _ = write!(url, "&cursor={}", encode(c));
        }
        let page = get_json(&agent, &url)?;
        if cursor.is_none() {
            incidents = page.get("total").and_then(|v| v.as_u64()).unwrap_or(0) as usize;
        }
        take(&page);
        cursor = page
            .get("next_cursor")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    if incidents == 0 {
        return Err(LoadError::Empty);
    }
    // Per type, so that older incidents of every kind are drawn too.
    for kind in EventType::ALL.map(EventType::as_str) {
        let url = format!("{base}/api/v1/incidents?limit={per_type}&type={kind}&sort=time");
        take(&get_json(&agent, &url)?);
    }
    // Actors, for actor: queries.
    let actors: Vec<String> = get_json(
        &agent,
        &format!("{base}/api/v1/actors?type=ARMED_GROUP&limit=50"),
    )
    .ok()
    .and_then(|v| v.get("items").and_then(|i| i.as_array()).cloned())
    .unwrap_or_default()
    .iter()
    .filter_map(|a| {
        a.get("kb_id")
            .and_then(|v| v.as_str())
            .or_else(|| a.get("name").and_then(|v| v.as_str()))
            .map(str::to_string)
    })
    .filter(|a| !a.contains('"'))
    .collect();

    let words_seen: Vec<String> = {
        let mut set = BTreeSet::new();
        words_seen.retain(|w| set.insert(w.clone()));
        words_seen
    };
    let places: Vec<String> = places.into_iter().collect();
    let days: Vec<String> = days.into_iter().collect();
    let kinds: Vec<String> = if kinds.is_empty() {
        EventType::ALL
            .iter()
            .map(|t| t.as_str().to_string())
            .collect()
    } else {
        kinds.into_iter().collect()
    };
    let quoted = |v: &str| {
        if v.contains(char::is_whitespace) {
            format!("\"{v}\"")
        } else {
            v.to_string()
        }
    };
    let mut queries = Vec::with_capacity(opts.queries);
    for i in 0..opts.queries {
        let pick = |rng: &mut Rng, from: &[String]| -> Option<String> {
            (!from.is_empty()).then(|| from[rng.below(from.len())].clone())
        };
        let word = pick(&mut rng, &words_seen);
        let kind = pick(&mut rng, &kinds).map(|k| format!("type:{k}"));
        let place = pick(&mut rng, &places).map(|p| format!("place:{}", quoted(&p)));
        let actor = pick(&mut rng, &actors).map(|a| format!("actor:{}", quoted(&a)));
        let since = pick(&mut rng, &days).map(|d| format!("since:{d}"));
        // Ten shapes in turn: one to three terms.
        let terms: Vec<Option<String>> = match i % 10 {
            0 => vec![word.clone()],
            1 => vec![kind.clone()],
            2 => vec![place.clone()],
            3 => vec![actor.clone()],
            4 => vec![since.clone()],
            5 => vec![word.clone(), kind.clone()],
            6 => vec![kind.clone(), place.clone()],
            7 => vec![word.clone(), since.clone()],
            8 => vec![actor.clone(), since.clone()],
            _ => vec![word.clone(), kind.clone(), place.clone()],
        };
        let q: Vec<String> = terms.into_iter().flatten().collect();
        if !q.is_empty() {
            queries.push(q.join(" "));
        }
    }
    let mut ids: Vec<String> = ids.into_iter().collect();
    // A seeded shuffle, then the cap.
    for i in (1..ids.len()).rev() {
        let j = rng.below(i + 1);
        ids.swap(i, j);
    }
    ids.truncate(opts.ids);
    Ok(Targets {
        ids,
        queries,
        incidents,
    })
}

/// The URL of one request to `endpoint`.
fn url(base: &str, endpoint: Endpoint, targets: &Targets, rng: &mut Rng) -> String {
    match endpoint {
        Endpoint::Feed => format!("{base}/api/v1/incidents"),
        Endpoint::FeedPage => format!("{base}/"),
        Endpoint::Incident => match targets.ids.get(rng.below(targets.ids.len())) {
            // Incident ids hold slashes: they are part of the path as they
            // are; other characters are encoded segment by segment.
            Some(id) => {
                let path: Vec<String> = id.split('/').map(encode).collect();
                format!("{base}/api/v1/incidents/{}", path.join("/"))
            }
            None => format!("{base}/api/v1/incidents"),
        },
        Endpoint::Search => match targets.queries.get(rng.below(targets.queries.len())) {
            Some(q) => format!("{base}/api/v1/incidents?q={}", encode(q)),
            None => format!("{base}/api/v1/incidents"),
        },
        Endpoint::Board => format!("{base}/threats"),
    }
}

/// Per-connection tallies.
#[derive(Default)]
struct Tally {
    histogram: Histogram,
    requests: u64,
    errors: u64,
    bytes: u64,
    first_error: Option<String>,
}

/// One request; `Ok(bytes)` on a 2xx answer read to its end.
fn one(agent: &ureq::Agent, url: &str, sink: &mut [u8]) -> Result<u64, String> {
    let mut response = agent.get(url).call().map_err(|e| format!("{url}: {e}"))?;
    let status = response.status().as_u16();
    let mut reader = response.body_mut().as_reader();
    let mut n = 0u64;
    loop {
        match reader.read(sink) {
            Ok(0) => break,
            Ok(k) => n += k as u64,
            Err(e) => return Err(format!("{url}: reading the answer: {e}")),
        }
    }
    if (200..300).contains(&status) {
        Ok(n)
    } else {
        Err(format!("{url}: status {status}"))
    }
}

/// Loads one endpoint: `warmup`, then `duration` measured.
pub fn run_endpoint(
    opts: &Options,
    targets: &Targets,
    endpoint: Endpoint,
) -> Result<EndpointReport, LoadError> {
    if opts.connections == 0 {
        return Err(LoadError::Options(
            "--connections must be at least 1".into(),
        ));
    }
    let base = opts.base.trim_end_matches('/').to_string();
    let targets = Arc::new(targets.clone());
    let measuring = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::with_capacity(opts.connections);
    for c in 0..opts.connections {
        let base = base.clone();
        let targets = Arc::clone(&targets);
        let measuring = Arc::clone(&measuring);
        let stop = Arc::clone(&stop);
        let timeout = opts.timeout;
        let seed = opts.seed ^ ((c as u64 + 1) << 32) ^ (endpoint as u64);
        let worker = std::thread::Builder::new()
            .name(format!("load-{c}"))
            .stack_size(256 * 1024)
            .spawn(move || {
                let agent = agent(timeout);
                let mut rng = Rng(seed);
                let mut tally = Tally::default();
                let mut sink = vec![0u8; 64 * 1024];
                while !stop.load(Ordering::Relaxed) {
                    let url = url(&base, endpoint, &targets, &mut rng);
                    let started = Instant::now();
                    let result = one(&agent, &url, &mut sink);
                    let micros = started.elapsed().as_micros() as u64;
                    if !measuring.load(Ordering::Relaxed) || stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    match result {
                        Ok(bytes) => {
                            tally.histogram.record(micros);
                            tally.requests += 1;
                            tally.bytes += bytes;
                        }
                        Err(message) => {
                            tally.errors += 1;
                            if tally.first_error.is_none() {
                                tally.first_error = Some(message);
                            }
                        }
                    }
                }
                tally
            })
            .map_err(LoadError::Thread)?;
        workers.push(worker);
    }
    std::thread::sleep(opts.warmup);
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(opts.duration);
    stop.store(true, Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    let mut all = Tally::default();
    for worker in workers {
        // A panicking worker is a bug of this module; count it as errors.
        match worker.join() {
            Ok(t) => {
                all.histogram.merge(&t.histogram);
                all.requests += t.requests;
                all.errors += t.errors;
                all.bytes += t.bytes;
                if all.first_error.is_none() {
                    all.first_error = t.first_error;
                }
            }
            Err(_) => {
                all.errors += 1;
                all.first_error
                    .get_or_insert_with(|| "a connection thread panicked".into());
            }
        }
    }
    let ms = |micros: u64| micros as f64 / 1000.0;
    let h = &all.histogram;
    Ok(EndpointReport {
        endpoint,
        request: endpoint.describe().to_string(),
        connections: opts.connections,
        seconds,
        requests: all.requests,
        errors: all.errors,
        requests_per_second: all.requests as f64 / seconds.max(1e-9),
        p50_ms: ms(h.percentile(50.0)),
        p90_ms: ms(h.percentile(90.0)),
        p99_ms: ms(h.percentile(99.0)),
        p999_ms: ms(h.percentile(99.9)),
        max_ms: ms(h.max()),
        mean_ms: h.mean() / 1000.0,
        bytes_per_request: all.bytes as f64 / all.requests.max(1) as f64,
        load_average: load_average().map(|l| l[0]),
        first_error: all.first_error,
    })
}

/// Discovers the targets, then loads every endpoint of `opts` in turn;
/// `progress` is called after each endpoint.
pub fn run(opts: &Options, progress: &mut dyn FnMut(&EndpointReport)) -> Result<Report, LoadError> {
    if opts.endpoints.is_empty() {
        return Err(LoadError::Options("no endpoint to load".into()));
    }
    let load_average_start = load_average();
    let targets = discover(opts)?;
    let mut endpoints = Vec::with_capacity(opts.endpoints.len());
    for &endpoint in &opts.endpoints {
        let report = run_endpoint(opts, &targets, endpoint)?;
        progress(&report);
        endpoints.push(report);
    }
    Ok(Report {
        base: opts.base.clone(),
        connections: opts.connections,
        duration_seconds: opts.duration.as_secs_f64(),
        warmup_seconds: opts.warmup.as_secs_f64(),
        incidents: targets.incidents,
        ids: targets.ids.len(),
        queries: targets.queries.len(),
        load_average_start,
        load_average_end: load_average(),
        endpoints,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_continuous_and_tight() {
        let mut last = 0;
        for v in [0u64, 1, 63, 64, 65, 127, 128, 129, 1000, 65_535, 1 << 40] {
            let i = Histogram::index(v);
            assert!(i >= last, "{v}");
            last = i;
            let high = Histogram::highest(i);
            assert!(high >= v, "{v}: bucket tops at {high}");
            // Within 1/64 of the value.
            assert!(
                (high - v) as f64 <= (v as f64 / 64.0).max(0.0),
                "{v}: {high}"
            );
        }
        for i in 1..2000 {
            // Bucket i starts right after bucket i - 1 and ends in itself.
            assert_eq!(Histogram::index(Histogram::highest(i - 1) + 1), i);
            assert_eq!(Histogram::index(Histogram::highest(i)), i);
        }
    }

    #[test]
    fn percentiles() {
        let mut h = Histogram::new();
        assert_eq!(h.percentile(99.0), 0);
        for v in 1..=1000u64 {
            h.record(v * 100);
        }
        let p50 = h.percentile(50.0);
        assert!((49_000..=51_000).contains(&p50), "{p50}");
        let p99 = h.percentile(99.0);
        assert!((98_000..=100_000).contains(&p99), "{p99}");
        assert_eq!(h.percentile(100.0), 100_000);
        assert_eq!(h.max(), 100_000);
        let mut other = Histogram::new();
        other.record(1_000_000);
        h.merge(&other);
        assert_eq!(h.len(), 1001);
        assert_eq!(h.max(), 1_000_000);
        assert!((h.mean() - (50_050_000.0 + 1_000_000.0) / 1001.0).abs() < 1e-6);
    }

    #[test]
    fn endpoints_and_encoding() {
        for e in Endpoint::ALL {
            assert_eq!(Endpoint::parse(e.as_str()), Some(e));
        }
        assert_eq!(Endpoint::parse("feed-page"), Some(Endpoint::FeedPage));
        assert_eq!(Endpoint::parse("nope"), None);
        assert_eq!(
            encode("type:bombing place:\"Kabul\""),
            "type%3Abombing%20place%3A%22Kabul%22"
        );
        let targets = Targets {
            ids: vec!["doc 1/e0".into()],
            queries: vec!["a b".into()],
            incidents: 1,
        };
        let mut rng = Rng(1);
        assert_eq!(
            url("http://h", Endpoint::Incident, &targets, &mut rng),
            "http://h/api/v1/incidents/doc%201/e0"
        );
        assert_eq!(
            url("http://h", Endpoint::Search, &targets, &mut rng),
            "http://h/api/v1/incidents?q=a%20b"
        );
    }

    #[test]
    fn snippet_words() {
        let w: Vec<String> = words("Gunmen attacked the police station in Kabul, which…").collect();
        assert_eq!(w, vec!["gunmen", "attacked", "police", "station", "kabul"]);
    }
}
