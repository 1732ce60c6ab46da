//! Persistent storage for vigil: documents, their analyses, events,
//! entities, near-duplicate stories, incidents, corpus-wide actors, the
//! work queue of ingest workers and the state of polled feeds.
//!
//! [`Store`] is the interface, [`open`] picks a backend from a spec:
//! [`SqliteStore`] is the embedded backend (one SQLite file,
//! `vigil.sqlite3`, in a data directory, WAL journal; schema versioned with
//! `PRAGMA user_version`), [`PostgresStore`] the shared one for several
//! workers and servers (versioned migrations under an advisory lock, job
//! claims with `FOR UPDATE SKIP LOCKED`, PostgreSQL full text search).
//! Pending migrations are applied when a store is opened. Both backends
//! pass one test suite (`suite.rs`).
//!
//! Insertion is idempotent: a document whose content hash (FNV-1a 64 over
//! its raw text) or canonical URL is already stored is reported as a
//! [`Outcome::Duplicate`] and changes nothing. A near-duplicate (estimated
//! shingle resemblance ≥ [`vigil_corpus::MIN_RESEMBLANCE`] or containment ≥
//! [`vigil_corpus::MIN_CONTAINMENT`] with a stored story, found with
//! [`vigil_corpus::DuplicateIndex`]) is stored and joins that story. The
//! index is rebuilt on open from the cleaned text of the stored story roots.
//!
//! Incidents are derived data: [`Store::merge_incidents`] merges the events
//! of the documents stored since the last merge into the stored incidents
//! ([`vigil_corpus::Merger`], seeded with the incidents those events could
//! join), with the same result as [`Store::recompute_incidents`], which
//! rebuilds them from every stored analysis with
//! [`vigil_corpus::merge_events_with`]. Both honour the cannot-link
//! constraints recorded by [`Store::split_incident`], so an analyst's split
//! survives re-ingest.
//!
//! Jobs ([`Store::enqueue`], [`Store::claim`], [`Store::complete`],
//! [`Store::fail`]) let several workers share the work: a claim takes a
//! lease that expires, so the jobs of a worker that died are claimed again.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vigil_core::{Analysis, Document, Entity, EntityType, Geo, Incident};

mod actors;
pub mod desk;
mod incremental;
pub mod index;
mod postgres;
pub mod search;
mod sqlite;

pub use postgres::{redact, PostgresStore, ScratchSchema, PG_SCHEMA_VERSION};
pub use search::{Hit, PlaceTerm, Query, QueryError};
pub use sqlite::{SqliteStore, DB_FILE, SCHEMA_VERSION};

/// Whether a store spec names a PostgreSQL database
/// (`postgres://…` or `postgresql://…`).
pub fn is_postgres(spec: &str) -> bool {
    let spec = spec.trim_start();
    spec.starts_with("postgres://") || spec.starts_with("postgresql://")
}

/// Opens the store named by `spec`: a PostgreSQL URL
/// (`postgres://user:password@host:port/database`, see [`PostgresStore`]),
/// else a data directory for the embedded [`SqliteStore`] (created if
/// missing). Pending migrations are applied either way.
pub fn open(spec: &str) -> Result<Box<dyn Store>, StoreError> {
    if is_postgres(spec) {
        Ok(Box::new(PostgresStore::connect(spec.trim())?))
    } else {
        Ok(Box::new(SqliteStore::open(std::path::Path::new(spec))?))
    }
}

/// Opens a read handle on the store named by `spec`: as [`open`], but an
/// embedded store skips reading its near-duplicate index, which only
/// writes need ([`SqliteStore::open_reader`]; it is read on the first
/// write, should the handle write after all).
pub fn open_reader(spec: &str) -> Result<Box<dyn Store>, StoreError> {
    if is_postgres(spec) {
        Ok(Box::new(PostgresStore::connect(spec.trim())?))
    } else {
        Ok(Box::new(SqliteStore::open_reader(std::path::Path::new(
            spec,
        ))?))
    }
}

/// Errors of the store. Each names the database and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot create the data directory: {source}; check the path and its permissions or pass another --data directory")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {action} failed: {source}; check that the file is a vigil store, is writable and that the disk is not full")]
    Sqlite {
        path: PathBuf,
        action: &'static str,
        source: rusqlite::Error,
    },
    #[error("{path}: schema version {found} is newer than this vigil supports ({supported}); upgrade vigil or use another --data directory")]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{path}: stored data of {doc} is not valid JSON: {source}; the store is damaged, re-ingest into a fresh --data directory")]
    Json {
        path: PathBuf,
        doc: String,
        source: serde_json::Error,
    },
    #[error("{url}: {action} failed: {source}; check that the PostgreSQL server is running and reachable, the URL (--store / VIGIL_STORE) and the user's rights")]
    Postgres {
        url: String,
        action: &'static str,
        source: ::postgres::Error,
    },
    #[error("{url}: schema version {found} is newer than this vigil supports ({supported}); upgrade vigil or use another database")]
    TooNewPostgres {
        url: String,
        found: u32,
        supported: u32,
    },
    /// Something named by the caller does not exist (an incident to split).
    #[error("{what} '{id}' is not in the store; list what exists with `vigil search` or the API")]
    NotFound { what: &'static str, id: String },
    /// A request that cannot be carried out as asked.
    #[error("{0}")]
    Invalid(String),
    /// An error raised by a caller's callback (e.g. in
    /// [`Store::for_each_incident`]), passed through unchanged.
    #[error("{0}")]
    Callback(String),
    /// The incident search index beside the database (see [`index`]).
    #[error(transparent)]
    Index(#[from] index::IndexError),
}

/// What happened to one inserted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new document starting a new story (the story id is its own key).
    New { key: i64, story: i64 },
    /// A new document that joins an existing story (a near-duplicate).
    NearDuplicate { key: i64, story: i64 },
    /// Already stored: nothing changed. `existing` is the stored document id.
    Duplicate {
        existing: String,
        reason: DuplicateReason,
    },
}

/// Why a document counts as already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateReason {
    ContentHash,
    CanonicalUrl,
}

impl DuplicateReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DuplicateReason::ContentHash => "same content",
            DuplicateReason::CanonicalUrl => "same canonical URL",
        }
    }
}

/// Counts over a store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub documents: u64,
    pub stories: u64,
    pub events: u64,
    pub incidents: u64,
    /// Distinct entities: by knowledge-base id when linked, else by type and
    /// lower-cased name.
    pub entities: u64,
    /// Bytes on disk: the database file plus its WAL and shared-memory files
    /// (SQLite), or the database size (PostgreSQL).
    pub size_bytes: u64,
    pub schema_version: u32,
}

/// What [`Store::merge_incidents`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IncidentUpdate {
    /// Documents (with events) whose events were merged: those stored
    /// since the last merge, or all of them when `recomputed`.
    pub documents: usize,
    /// Incidents created.
    pub created: usize,
    /// Stored incidents that gained events (rewritten).
    pub updated: usize,
    /// Incidents in the store afterwards.
    pub total: usize,
    /// Whether every incident was recomputed instead (the first merge of a
    /// store, or after a migration).
    pub recomputed: bool,
}

/// How search results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Text relevance first (BM25 over the free words; all equal without
    /// free words), then most recent, then id.
    #[default]
    Relevance,
    /// Most recent first (the incident's date, else its first sighting;
    /// undated last), then relevance, then id.
    Recent,
}

/// Which page of results to return. Pages are stable: the order is total
/// (ties broken by incident id), so `offset` walks the results without
/// gaps or repeats while the store does not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// Results to skip.
    pub offset: usize,
    /// At most this many results.
    pub limit: usize,
    pub sort: Sort,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            offset: 0,
            limit: 20,
            sort: Sort::Relevance,
        }
    }
}

impl Page {
    /// The first `limit` results by relevance.
    pub fn first(limit: usize) -> Self {
        Page {
            limit,
            ..Page::default()
        }
    }
}

/// One page of search results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchPage {
    pub hits: Vec<Hit>,
    /// How many incidents match in all; a lower bound when
    /// `total_is_lower_bound`.
    pub total: usize,
    /// Whether counting stopped early: at least `total` incidents match.
    /// The PostgreSQL backend counts matches by visiting them and stops at
    /// [`search::TOTAL_CAP`] (or one past the requested page); the
    /// embedded store counts exactly (always `false`).
    pub total_is_lower_bound: bool,
    /// The offset of the next page, when there is one.
    pub next_offset: Option<usize>,
}

/// A stored document with what the store knows about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredDocument {
    /// The document; `text` is the *cleaned* text (the raw text is not
    /// kept), so offsets in `analysis` refer to it.
    pub document: Document,
    pub analysis: Analysis,
    /// The story (near-duplicate group): the key of its first document.
    pub story: i64,
    /// The store's key of this document.
    pub key: i64,
    /// The hex FNV-1a 64 hash of the raw text ([`content_hash`]).
    pub content_hash: String,
    pub ingested_at: DateTime<Utc>,
}

/// What a job asks a worker to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Fetch an article page and ingest it.
    Article,
    /// Poll a feed and enqueue its new articles.
    Feed,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Article => "article",
            JobKind::Feed => "feed",
        }
    }

    /// The kind named by [`JobKind::as_str`].
    pub fn parse(s: &str) -> Option<JobKind> {
        match s {
            "article" => Some(JobKind::Article),
            "feed" => Some(JobKind::Feed),
            _ => None,
        }
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting to be claimed (possibly not before `available_at`).
    Queued,
    /// Claimed by a worker whose lease has not been given back; claimable
    /// again once the lease has expired.
    Running,
    /// Completed.
    Done,
    /// Given up: failed without retry, or after [`MAX_ATTEMPTS`] attempts.
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// The state named by [`JobState::as_str`].
    pub fn parse(s: &str) -> Option<JobState> {
        match s {
            "queued" => Some(JobState::Queued),
            "running" => Some(JobState::Running),
            "done" => Some(JobState::Done),
            "failed" => Some(JobState::Failed),
            _ => None,
        }
    }
}

/// Claims a job may take (each claim counts one attempt, including claims
/// whose lease expired) before it is given up.
pub const MAX_ATTEMPTS: u32 = 5;

/// The delay before a job failed with `retry` may be claimed again:
/// `RETRY_BACKOFF × 2^(attempts − 1)`, at most [`MAX_BACKOFF`].
pub const RETRY_BACKOFF: Duration = Duration::from_secs(30);

/// The longest retry delay.
pub const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The retry delay after `attempts` attempts.
pub fn retry_delay(attempts: u32) -> Duration {
    let factor = 1u32 << attempts.saturating_sub(1).min(16);
    RETRY_BACKOFF.saturating_mul(factor).min(MAX_BACKOFF)
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewJob {
    /// Unique key: a job whose key is already in the queue (in any state,
    /// done or failed included) is not enqueued again.
    pub key: String,
    pub kind: JobKind,
    pub url: String,
    /// Anything the worker needs besides the URL (e.g. the feed an article
    /// came from); `null` when nothing.
    #[serde(default)]
    pub payload: serde_json::Value,
}

impl NewJob {
    /// A job keyed by its kind and canonical URL ([`canonical_url`]), so the
    /// same article announced by several feeds is fetched once.
    pub fn new(kind: JobKind, url: &str) -> Self {
        let canonical = canonical_url(url).unwrap_or_else(|| url.trim().to_string());
        NewJob {
            key: format!("{}:{canonical}", kind.as_str()),
            kind,
            url: url.trim().to_string(),
            payload: serde_json::Value::Null,
        }
    }

    /// Sets the payload.
    pub fn with_payload(mut self, payload: serde_json::Value) -> Self {
        self.payload = payload;
        self
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: i64,
    pub key: String,
    pub kind: JobKind,
    pub url: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    /// Claims so far (the one that returned this job included).
    pub attempts: u32,
    /// The reason given by the last [`Store::fail`], or the lease expiry.
    pub last_error: Option<String>,
    /// The worker holding (or last holding) the lease.
    pub worker: Option<String>,
    /// When the current lease expires.
    pub lease_until: Option<DateTime<Utc>>,
    /// Not claimable before this time (retry back-off).
    pub available_at: DateTime<Utc>,
}

/// Jobs per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
}

/// What a feed watcher remembers about a feed between polls.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    /// The `ETag` of the last successful response.
    pub etag: Option<String>,
    /// The `Last-Modified` of the last successful response, as sent.
    pub last_modified: Option<String>,
    pub last_polled: Option<DateTime<Utc>>,
}

/// One event of one stored document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventRef {
    /// The document id (`Document::id`, as in `IncidentSource::doc_id`).
    pub doc_id: String,
    /// The document-local event id ("V1").
    pub event_id: String,
}

impl EventRef {
    pub fn new(doc_id: &str, event_id: &str) -> Self {
        EventRef {
            doc_id: doc_id.to_string(),
            event_id: event_id.to_string(),
        }
    }
}

/// The incidents an incident was split into.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    /// Every resulting incident: the ones holding the split-off events and
    /// the ones holding the rest.
    pub incidents: Vec<Incident>,
    /// Cannot-link constraints added by this split.
    pub constraints_added: usize,
}

/// One record per real-world entity across the corpus: an armed group, a
/// person, an organisation, a place… gathered over every document and
/// alias.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Actor {
    /// See [`actor_key`]: the knowledge-base id when linked
    /// (`group:islamic-state-khorasan`), `geonames:<id>` for a place with a
    /// GeoNames id, else `<type>:<normalised name>` (`person:john smith`).
    pub key: String,
    #[serde(rename = "type")]
    pub kind: EntityType,
    /// The canonical name (as first seen).
    pub name: String,
    pub kb_id: Option<String>,
    /// Every name seen for it (canonical names and aliases), sorted.
    pub aliases: Vec<String>,
    /// For armed groups: the parent group's canonical name.
    pub parent: Option<String>,
    /// For places: coordinates, country and GeoNames id.
    pub geo: Option<Geo>,
    /// The earliest and latest publication time (else ingestion time) of a
    /// document naming it.
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// Documents naming it.
    pub documents: u64,
    /// Incidents naming it as perpetrator, target, victim or place (as of
    /// the last [`Store::recompute_incidents`]).
    pub incidents: u64,
}

/// Which actors [`Store::actors`] lists.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ActorFilter {
    /// Only these types (all when empty).
    pub kinds: Vec<EntityType>,
    /// Only actors with a name or alias containing this (case-insensitive).
    pub name: Option<String>,
    pub offset: usize,
    /// At most this many (0: no limit).
    pub limit: usize,
}

/// The corpus-wide key of an entity: its knowledge-base id when linked,
/// else `geonames:<id>` for a place with a GeoNames id, else
/// `<type>:<normalised name>` with the type in lower case (`armed_group`,
/// `person`) and the name reduced to lower-case words, a leading article
/// dropped. `None` for an entity without a usable name.
pub fn actor_key(entity: &Entity) -> Option<String> {
    if let Some(kb) = entity.kb_id.as_deref().filter(|k| !k.trim().is_empty()) {
        return Some(kb.to_string());
    }
    if let Some(id) = entity.geo.as_ref().and_then(|g| g.geonames_id) {
        return Some(format!("geonames:{id}"));
    }
    let name = normalise_name(&entity.name);
    if name.is_empty() {
        return None;
    }
    Some(format!(
        "{}:{name}",
        entity.kind.as_str().to_ascii_lowercase()
    ))
}

/// A name reduced for comparison: lower-case alphanumeric words separated
/// by one space, a leading "the", "a" or "an" dropped.
pub fn normalise_name(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let skip = usize::from(
        matches!(words.first().map(String::as_str), Some("the" | "a" | "an")) && words.len() > 1,
    );
    words[skip..].join(" ")
}

/// A document store: the embedded [`SqliteStore`] or (feature of the
/// deployment) PostgreSQL. Every backend passes the same test suite.
///
/// Methods taking `&self` only read; writers take `&mut self`. A store is
/// one connection: share it between threads behind a `Mutex`, or open one
/// per thread (both backends allow several connections and processes).
pub trait Store: Send {
    /// Where the store is, for messages: the database file or the
    /// PostgreSQL URL without its password.
    fn location(&self) -> String;

    // --- documents -----------------------------------------------------

    /// The stored document `doc` duplicates exactly (same content hash or
    /// canonical URL), if any: lets callers skip analysing it.
    fn find_duplicate(
        &self,
        doc: &Document,
    ) -> Result<Option<(String, DuplicateReason)>, StoreError>;
    /// Stores a batch of analysed documents in one transaction: either all
    /// of it is committed or nothing is. Outcomes are in input order.
    fn insert_batch(&mut self, batch: &[(Document, Analysis)]) -> Result<Vec<Outcome>, StoreError>;
    /// The stored document with id `id` (the first stored, should several
    /// share it).
    fn document(&self, id: &str) -> Result<Option<StoredDocument>, StoreError>;
    /// Counts.
    fn stats(&self) -> Result<Stats, StoreError>;

    // --- incidents -----------------------------------------------------

    /// Replaces the stored incidents by those merged from every stored
    /// analysis (in insertion order), honouring the split constraints;
    /// returns their number. For repairs, after imports, or to undo local
    /// re-merges of splits; after an ingest, [`Store::merge_incidents`]
    /// does the same work for the new documents only.
    fn recompute_incidents(&mut self) -> Result<usize, StoreError>;
    /// Merges the events of the documents stored since the last merge (or
    /// recompute) into the stored incidents, honouring the split
    /// constraints: only the incidents those events could join (same type
    /// family and the same or no country) are read, and only incidents
    /// that are new or gained events are written and re-indexed. The
    /// incidents are those [`Store::recompute_incidents`] would give
    /// (rows may be in another order), as long as the stored incidents were
    /// themselves merged from the stored events: imported incidents whose
    /// documents are not stored are left as they are, and a split's local
    /// re-merge is kept. The first merge of a store (or after a migration)
    /// recomputes every incident. Concurrent merges (other processes or
    /// workers) take turns; each document is merged once.
    fn merge_incidents(&mut self) -> Result<IncidentUpdate, StoreError>;
    /// The incident with id `id`.
    fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError>;
    /// One page of the incidents matching `query`, in `page.sort` order.
    fn search(&self, query: &Query, page: &Page) -> Result<SearchPage, StoreError>;
    /// Calls `f` on every incident matching `query` (free words included),
    /// in incident-id order, holding one incident in memory at a time;
    /// stops at the first error `f` returns and passes it on. Returns the
    /// number of incidents passed to `f`.
    fn for_each_incident(
        &self,
        query: &Query,
        f: &mut dyn FnMut(Incident) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError>;
    /// Splits `events` (a non-empty proper subset of the incident's
    /// sources) off incident `incident_id`: records a cannot-link
    /// constraint between each of them and each remaining event, then
    /// re-merges the incident's events under those constraints. The split
    /// survives [`Store::recompute_incidents`] and re-ingest.
    fn split_incident(
        &mut self,
        incident_id: &str,
        events: &[EventRef],
    ) -> Result<Split, StoreError>;
    /// Stores incidents as given (an import, e.g. of `vigil export`'s JSON
    /// Lines): a stored incident with the same id is replaced. Search rows
    /// and actor links are built from the stored analyses of the
    /// incidents' documents when there are any (the evidence text is empty
    /// otherwise; filters still work from the incident itself). Returns how
    /// many were written. Incidents stay derived data: a later
    /// [`Store::recompute_incidents`] replaces them with those merged from
    /// the stored analyses.
    fn import_incidents(&mut self, incidents: &[Incident]) -> Result<usize, StoreError>;

    // --- actors --------------------------------------------------------

    /// Corpus-wide actors, most documents first (then key).
    fn actors(&self, filter: &ActorFilter) -> Result<Vec<Actor>, StoreError>;
    /// The actor with key `key` (see [`actor_key`]).
    fn actor(&self, key: &str) -> Result<Option<Actor>, StoreError>;

    // --- jobs ----------------------------------------------------------

    /// Adds jobs; a job whose key is already stored (in any state) is
    /// ignored. Returns how many were added.
    fn enqueue(&mut self, jobs: &[NewJob]) -> Result<usize, StoreError>;
    /// Claims up to `n` jobs for `worker`, oldest first: queued jobs that
    /// are available, and running jobs whose lease has expired. Each gets a
    /// lease of `lease` and one more attempt; a job whose lease expired
    /// after [`MAX_ATTEMPTS`] attempts is failed instead. Two workers never
    /// get the same job under the same lease.
    fn claim(&mut self, worker: &str, n: usize, lease: Duration) -> Result<Vec<Job>, StoreError>;
    /// Extends the lease of a job `worker` holds; `false` when it no longer
    /// holds it (the lease expired and another worker claimed the job, or
    /// it was completed).
    fn renew(&mut self, job_id: i64, worker: &str, lease: Duration) -> Result<bool, StoreError>;
    /// Marks a job done (whoever holds it; completing twice is harmless).
    fn complete(&mut self, job_id: i64) -> Result<(), StoreError>;
    /// Records a failure. With `retry`, and fewer than [`MAX_ATTEMPTS`]
    /// attempts so far, the job is queued again after [`retry_delay`];
    /// otherwise it is failed for good.
    fn fail(&mut self, job_id: i64, reason: &str, retry: bool) -> Result<(), StoreError>;
    /// The job with id `job_id`.
    fn job(&self, job_id: i64) -> Result<Option<Job>, StoreError>;
    /// Jobs per state.
    fn job_counts(&self) -> Result<JobCounts, StoreError>;

    // --- feeds ---------------------------------------------------------

    /// What was recorded for feed `url`.
    fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError>;
    /// Records the state of feed `url` (replacing any).
    fn set_feed_state(&mut self, url: &str, state: &FeedState) -> Result<(), StoreError>;
}

/// The hex FNV-1a 64 hash of a document's raw text.
pub fn content_hash(text: &str) -> String {
    format!("{:016x}", vigil_corpus::fnv1a64(text.as_bytes()))
}

/// A URL reduced to compare equal across trivial variants: scheme and host
/// lower-cased, `www.` dropped, fragment, tracking parameters (`utm_*`,
/// `fbclid`, `gclid`) and trailing slash removed, `http` and `https`
/// equated. `None` for an empty URL.
pub fn canonical_url(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let url = url.split('#').next().unwrap_or(url);
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => (String::new(), url),
    };
    let scheme = if scheme == "http" {
        "https".to_string()
    } else {
        scheme
    };
    let (authority, path_query) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = authority.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_query, None),
    };
    let path = path.trim_end_matches('/');
    let kept: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|kv| {
            let k = kv.split('=').next().unwrap_or("").to_ascii_lowercase();
            !kv.is_empty() && !k.starts_with("utm_") && k != "fbclid" && k != "gclid"
        })
        .collect();
    let mut out = if scheme.is_empty() {
        format!("{host}{path}")
    } else {
        format!("{scheme}://{host}{path}")
    };
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    Some(out)
}

/// An enum vocabulary value as its bare JSON name (`bombing`, `CITY`).
pub(crate) fn json_str<T: Serialize>(value: &T) -> String {
    let s = serde_json::to_string(value).unwrap_or_default();
    s.trim_matches('"').to_string()
}

#[cfg(test)]
#[macro_use]
mod suite;
#[cfg(test)]
mod tests;
