//! The embedded backend: one SQLite database file in a data directory.
//!
//! WAL journal, `synchronous = NORMAL`, foreign keys on. Times are kept as
//! RFC 3339 text in UTC with millisecond precision (so text order is time
//! order), job times as Unix milliseconds. Several processes may open the
//! same file: SQLite serialises writers, and job claims run in `IMMEDIATE`
//! transactions so two workers never claim the same job.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use rusqlite::types::{Type, Value, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use vigil_core::{Analysis, Document, EntityType, Incident, Origin};
use vigil_corpus::{Constraints, DuplicateIndex, Family, Merger, Signature};

use crate::actors::ActorTally;
use crate::incremental::{self, Loaded};
use crate::index::{self, IncidentIndex, IndexEntry, INDEX_DIR};
use crate::search::{self, Query};
use crate::{
    actor_key, canonical_url, content_hash, json_str, retry_delay, Actor, ActorFilter,
    DuplicateReason, EventRef, FeedState, IncidentUpdate, Job, JobCounts, JobKind, JobState,
    NewJob, Outcome, Page, SearchPage, Split, Stats, Store, StoreError, StoredDocument,
    MAX_ATTEMPTS,
};

/// The database file inside the data directory.
pub const DB_FILE: &str = "vigil.sqlite3";

/// Schema migrations; migration `i` takes the schema from version `i` to
/// `i + 1`. Append only: never edit a released migration.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: documents, analyses, events, entities, incidents.
    "CREATE TABLE documents (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        url TEXT,
        canonical_url TEXT UNIQUE,
        title TEXT,
        source TEXT,
        published TEXT,
        content_hash TEXT NOT NULL UNIQUE,
        story INTEGER NOT NULL,
        ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
    );
    CREATE INDEX documents_story ON documents(story);
    CREATE TABLE analyses (
        doc INTEGER PRIMARY KEY REFERENCES documents(key) ON DELETE CASCADE,
        json TEXT NOT NULL
    );
    CREATE TABLE events (
        doc INTEGER NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        stage TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (doc, id)
    );
    CREATE TABLE entities (
        doc INTEGER NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        kb_id TEXT,
        PRIMARY KEY (doc, id)
    );
    CREATE INDEX entities_name ON entities(kind, name);
    CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        json TEXT NOT NULL
    );",
    // 2: the incident search index: one row per incident, the evidence
    // text full-text indexed, filter values kept alongside.
    "CREATE VIRTUAL TABLE incident_search USING fts5(
        id UNINDEXED, body, snippet UNINDEXED, actors UNINDEXED,
        places UNINDEXED, sources UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    );",
    // 3: document author and origin; incidents keyed by an integer with
    // their filter values in plain columns and the text in a contentless
    // FTS5 table sharing that key; corpus-wide actors; split constraints;
    // jobs with leases; feed state. Incidents are derived: the old tables
    // are dropped and refilled after the migration.
    "ALTER TABLE documents ADD COLUMN author TEXT;
    ALTER TABLE documents ADD COLUMN origin TEXT;
    CREATE INDEX documents_id ON documents(id);
    DROP TABLE incident_search;
    DROP TABLE incidents;
    CREATE TABLE incidents (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        json TEXT NOT NULL,
        snippet TEXT,
        actors TEXT NOT NULL,
        places TEXT NOT NULL,
        sources TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE incident_text USING fts5(
        body, content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TABLE incident_actors (
        actor TEXT NOT NULL,
        incident INTEGER NOT NULL REFERENCES incidents(key) ON DELETE CASCADE,
        PRIMARY KEY (actor, incident)
    ) WITHOUT ROWID;
    CREATE INDEX incident_actors_incident ON incident_actors(incident);
    CREATE TABLE actors (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        kb_id TEXT,
        parent TEXT,
        geo TEXT,
        first_seen TEXT,
        last_seen TEXT,
        documents INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX actors_documents ON actors(documents DESC, key);
    CREATE TABLE actor_aliases (
        actor TEXT NOT NULL,
        alias TEXT NOT NULL,
        PRIMARY KEY (actor, alias)
    ) WITHOUT ROWID;
    CREATE TABLE cannot_link (
        a_doc TEXT NOT NULL,
        a_event TEXT NOT NULL,
        b_doc TEXT NOT NULL,
        b_event TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (a_doc, a_event, b_doc, b_event)
    ) WITHOUT ROWID;
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT 'null',
        state TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        worker TEXT,
        lease_until INTEGER,
        available_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX jobs_queued ON jobs(state, available_at);
    CREATE INDEX jobs_leases ON jobs(state, lease_until);
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        last_polled TEXT
    );",
    // 4: the tantivy index (`index.rs`, `<data dir>/index/`) replaces the
    // FTS5 table: incidents keep their searchable text, and a counter names
    // the incident generation the index must reflect (bumped in every
    // transaction that changes incidents; the index commit carries it).
    "DROP TABLE incident_text;
    ALTER TABLE incidents ADD COLUMN body TEXT NOT NULL DEFAULT '';
    CREATE TABLE store_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO store_state (key, value) VALUES ('incident_generation', 0);",
    // 5: the analyst's desk: API tokens, watchlists, the alert outbox
    // (`desk.rs`).
    crate::desk::SQLITE_MIGRATION,
    // 6: incremental incident merging: each incident's candidate bucket
    // (type family, country) and how far the merge has got (the highest
    // document key whose events are in the incidents; -1: unknown, the next
    // merge recomputes every incident and fills the buckets). From this
    // version on, `analyses.json` and `incidents.json` hold zstd-compressed
    // bytes (a BLOB; older rows keep their TEXT and are read as they are),
    // and what is derivable from the analyses is not stored twice:
    // `events.json` and `incidents.body` (the evidence text, in the search
    // index) are left empty.
    "ALTER TABLE incidents ADD COLUMN family TEXT;
    ALTER TABLE incidents ADD COLUMN country TEXT;
    CREATE INDEX incidents_bucket ON incidents(family, country);
    INSERT INTO store_state (key, value) VALUES ('merged_through', -1);",
    // 7: a lighter write path and a quicker open. The index of entities by
    // (kind, name) is dropped: no query uses it, and every stored entity
    // cost a write at a random place in it (pages rewritten in every
    // batch's commit). The first document of each story keeps its
    // near-duplicate signature (`Signature::to_bytes`, 116 bytes; empty for
    // a text without words; NULL for other documents and rows written
    // before, whose signature is computed from the analysis on open).
    "DROP INDEX IF EXISTS entities_name;
    ALTER TABLE documents ADD COLUMN signature BLOB;",
];

/// `store_state` key: the highest document key whose events are merged
/// into the stored incidents (-1: unknown).
const MERGED_THROUGH: &str = "merged_through";

/// zstd level of the stored JSON: level 3 compresses an analysis about
/// fourfold at some 100 MB/s.
const ZSTD_LEVEL: i32 = 3;

thread_local! {
    /// One compression context per thread (creating one per value costs
    /// more than compressing a small value).
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    /// The same for decompression.
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// Decompresses one stored value (a zstd frame that records its size).
pub(crate) fn unpack(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let size = zstd::zstd_safe::get_frame_content_size(bytes)
        .ok()
        .flatten()
        .and_then(|n| usize::try_from(n).ok());
    let Some(size) = size else {
        // No size in the frame header: decode as a stream.
        return zstd::stream::decode_all(bytes);
    };
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        if d.is_none() {
            *d = Some(zstd::bulk::Decompressor::new()?);
        }
        match d.as_mut() {
            Some(d) => d.decompress(bytes, size),
            None => zstd::stream::decode_all(bytes),
        }
    })
}

/// A JSON value as stored: zstd-compressed bytes (a BLOB), or the text
/// itself should compression fail.
pub(crate) fn pack(json: String) -> Value {
    match compress(json.as_bytes()) {
        Some(bytes) => Value::Blob(bytes),
        None => Value::Text(json),
    }
}

/// `bytes` as one zstd frame (level [`ZSTD_LEVEL`], recording its size),
/// or `None` should compression fail.
pub(crate) fn compress(bytes: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = zstd::bulk::Compressor::new(ZSTD_LEVEL).ok();
        }
        c.as_mut().and_then(|c| c.compress(bytes).ok())
    })
}

/// Reads a stored JSON column: a zstd BLOB (schema 6 on) or plain TEXT
/// (rows written before); NULL reads as an empty string.
pub(crate) fn get_json(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<String> {
    let fail = |ty, e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(idx, ty, e)
    };
    match row.get_ref(idx)? {
        ValueRef::Text(t) => {
            String::from_utf8(t.to_vec()).map_err(|e| fail(Type::Text, Box::new(e)))
        }
        ValueRef::Blob(b) => {
            let bytes = unpack(b).map_err(|e| fail(Type::Blob, Box::new(e)))?;
            String::from_utf8(bytes).map_err(|e| fail(Type::Blob, Box::new(e)))
        }
        ValueRef::Null => Ok(String::new()),
        other => Err(rusqlite::Error::InvalidColumnType(
            idx,
            "stored JSON".to_string(),
            other.data_type(),
        )),
    }
}

/// Just the cleaned text of a stored analysis.
#[derive(serde::Deserialize)]
struct TextOnly {
    #[serde(default)]
    text: String,
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// A time as stored: RFC 3339, UTC, milliseconds (`2024-03-01T10:00:00.000Z`).
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// The SQLite `LIKE` pattern matching values containing `needle`
/// (lower-cased; `\` escapes).
fn like_pattern(needle: &str) -> String {
    let mut p = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The embedded SQLite store.
pub struct SqliteStore {
    pub(crate) conn: Connection,
    path: PathBuf,
    dir: PathBuf,
    /// The near-duplicate index of the stored stories; `None` until the
    /// first write of a store opened with [`SqliteStore::open_reader`].
    index: Option<DuplicateIndex>,
    /// The incident search index (derived; see [`crate::index`]).
    search_index: IncidentIndex,
}

/// What the incident writer needs to index an incident.
struct Corpus<'a> {
    by_id: HashMap<&'a str, &'a Analysis>,
    doc_sources: &'a HashMap<String, String>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in directory `dir`, applies
    /// pending migrations and rebuilds the near-duplicate index (for a
    /// writer: every [`Store::insert_batch`] consults it).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let mut store = Self::open_reader(dir)?;
        store.load_duplicate_index()?;
        Ok(store)
    }

    /// Opens the store in directory `dir` as [`SqliteStore::open`] does
    /// (creating it and applying pending migrations if needed, healing the
    /// search index) but without reading the near-duplicate index of the
    /// stored stories, which only writes need: for read handles (`vigil
    /// serve --readers`), whose open then takes milliseconds instead of
    /// seconds per 10,000 stories. The handle stays a full store: its first
    /// [`Store::insert_batch`] reads the index (from the database as it is
    /// then, so documents stored by other handles meanwhile are in it).
    pub fn open_reader(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let err = |action: &'static str| sqlite_error(&path, action);
        let conn = Connection::open(&path).map_err(err("opening the database"))?;
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(err("setting the busy timeout"))?;
        // 16 KiB pages for a new database (fixed once the first table is
        // written): a compressed analysis (1–2 KB) wastes a fifth of a
        // 4 KiB page, a twentieth of a 16 KiB one.
        conn.execute_batch("PRAGMA page_size = 16384;")
            .map_err(err("setting the page size"))?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(err("switching to WAL mode"))?;
        // NORMAL in WAL mode: a commit survives the process being killed
        // (the WAL is in the OS's cache); only a power cut may lose the
        // last commits, never consistency. A 64 MiB page cache keeps the
        // unique indexes probed by every insert in memory.
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
        )
        .map_err(err("setting pragmas"))?;
        let search_index = IncidentIndex::open(&dir.join(INDEX_DIR))?;
        let mut store = SqliteStore {
            conn,
            path: path.clone(),
            dir: dir.to_path_buf(),
            index: None,
            search_index,
        };
        store.migrate()?;
        store.heal_search_index()?;
        Ok(store)
    }

    /// The incident generation the database is at.
    fn incident_generation(conn: &Connection) -> rusqlite::Result<u64> {
        conn.query_row(
            "SELECT value FROM store_state WHERE key = 'incident_generation'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|g| g.max(0) as u64)
    }

    /// Bumps the incident generation inside the transaction that changes
    /// incidents; returns the new one.
    fn bump_incident_generation(conn: &Connection) -> rusqlite::Result<u64> {
        conn.query_row(
            "UPDATE store_state SET value = value + 1 WHERE key = 'incident_generation'
             RETURNING value",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|g| g.max(0) as u64)
    }

    /// Rebuilds the search index from the incidents table when it is not
    /// at the database's generation (missing, damaged, or a crash between
    /// the database commit and the index commit). When another process
    /// holds the index writer (it is updating the index itself), the index
    /// is left as it is.
    fn heal_search_index(&mut self) -> Result<(), StoreError> {
        let generation = Self::incident_generation(&self.conn)
            .map_err(self.err("reading the index generation"))?;
        if self.search_index.generation() == Some(generation) {
            return Ok(());
        }
        let mut rows_read: Vec<(Incident, search::Row)> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT id, json, snippet, actors, places, sources, body FROM incidents")
                .map_err(self.err("reading incidents to index"))?;
            let mut rows = stmt
                .query([])
                .map_err(self.err("reading incidents to index"))?;
            while let Some(r) = rows
                .next()
                .map_err(self.err("reading incidents to index"))?
            {
                let id: String = r.get(0).map_err(self.err("reading incidents to index"))?;
                let json = get_json(r, 1).map_err(self.err("reading incidents to index"))?;
                let row = search::Row {
                    snippet: r.get(2).map_err(self.err("reading incidents to index"))?,
                    actors: r.get(3).map_err(self.err("reading incidents to index"))?,
                    places: r.get(4).map_err(self.err("reading incidents to index"))?,
                    sources: r.get(5).map_err(self.err("reading incidents to index"))?,
                    body: get_json(r, 6).map_err(self.err("reading incidents to index"))?,
                    crimes: Vec::new(),
                };
                let incident: Incident = serde_json::from_str(&json).map_err(self.json_err(&id))?;
                rows_read.push((incident, row));
            }
        }
        // The evidence text is not stored from schema 6 on, nor are the
        // sources' crimes: they are taken from the analyses again, as when
        // the incidents were written.
        let docs: HashSet<String> = rows_read
            .iter()
            .flat_map(|(i, _)| i.sources.iter().map(|s| s.doc_id.clone()))
            .collect();
        let (loaded, doc_sources) = read_documents(&self.conn, &self.path, &docs)?;
        let by_id: HashMap<&str, &Analysis> =
            loaded.iter().map(|(_, id, a)| (id.as_str(), a)).collect();
        let mut entries = Vec::with_capacity(rows_read.len());
        for (incident, mut row) in rows_read {
            if row.body.is_empty() {
                row.body = search::index_row(&incident, &by_id, &doc_sources).body;
            }
            row.crimes = search::crimes(&incident, &by_id);
            entries.push(index::entry(&incident, &row));
        }
        match self.search_index.rebuild(&entries, generation) {
            Err(e) if e.is_locked() => Ok(()),
            other => Ok(other?),
        }
    }

    /// Brings the index reader up to date with commits of other processes
    /// (a `vigil ingest` beside a `vigil serve`). The database commits the
    /// incidents first and the index right after; with `exact`, a reader
    /// that sees the database ahead of the index waits for the index
    /// (up to 2 s), then fails with an error saying so, so that a caller
    /// never takes a stale index for the whole truth (the watchlist
    /// matcher retries at its next poll).
    fn fresh_index(&self, exact: bool) -> Result<(), StoreError> {
        const WAIT: std::time::Duration = std::time::Duration::from_millis(25);
        let mut waited = std::time::Duration::ZERO;
        loop {
            let indexed = self.search_index.refresh()?;
            if !exact {
                return Ok(());
            }
            let generation = Self::incident_generation(&self.conn)
                .map_err(self.err("reading the index generation"))?;
            if indexed == Some(generation) {
                return Ok(());
            }
            if waited >= std::time::Duration::from_secs(2) {
                return Err(StoreError::Invalid(format!(
                    "{}: the search index is at generation {} but the database at {generation}: \
                     another process is still updating it, or stopped before it did; try again, \
                     or reopen the store (vigil stats) to rebuild the index",
                    self.search_index.dir().display(),
                    indexed.map_or_else(|| "none".to_string(), |g| g.to_string()),
                )));
            }
            std::thread::sleep(WAIT);
            waited += WAIT;
        }
    }

    /// The search index directory.
    pub fn index_dir(&self) -> &Path {
        self.search_index.dir()
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, u32>(0))
            .map_err(self.err("reading the schema version"))
    }

    pub(crate) fn err(&self, action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        sqlite_error(&self.path, action)
    }

    fn json_err(&self, what: &str) -> impl FnOnce(serde_json::Error) -> StoreError {
        let path = self.path.clone();
        let doc = what.to_string();
        move |source| StoreError::Json { path, doc, source }
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        let path = self.path.clone();
        let err = |action: &'static str| sqlite_error(&path, action);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting the migration"))?;
        // Another process may have migrated while we waited for the lock.
        let now: u32 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err("reading the schema version"))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(now as usize) {
            tx.execute_batch(sql).map_err(err("applying a migration"))?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)
                .map_err(err("recording the schema version"))?;
        }
        tx.commit().map_err(err("committing the migration"))?;
        if now > 0 && now < 3 {
            // Actors are new in version 3: fill them from the stored analyses.
            self.backfill_actors()?;
        }
        if now > 0 && now < 4 {
            // Incidents were rebuilt (3) or lost their text to the FTS5
            // table (4): recompute them, which also fills the index.
            self.recompute_incidents()?;
        }
        Ok(())
    }

    /// Reads the near-duplicate index from the stored stories unless it is
    /// in memory already.
    fn load_duplicate_index(&mut self) -> Result<(), StoreError> {
        if self.index.is_none() {
            self.index = Some(self.read_duplicate_index()?);
        }
        Ok(())
    }

    /// Whether the near-duplicate index is in memory (a writer, or a
    /// reader that has written).
    pub fn has_duplicate_index(&self) -> bool {
        self.index.is_some()
    }

    /// The near-duplicate index of the stored story roots.
    fn read_duplicate_index(&self) -> Result<DuplicateIndex, StoreError> {
        let mut index = DuplicateIndex::new();
        // The stored signature (schema 7 on; empty: a text without words),
        // else (older rows) the cleaned text to compute it from: the
        // analysis is read only then.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.key, d.signature, CASE WHEN d.signature IS NULL THEN a.json END
                 FROM documents d JOIN analyses a ON a.doc = d.key
                 WHERE d.story = d.key ORDER BY d.key",
            )
            .map_err(self.err("reading story fingerprints"))?;
        let mut rows = stmt
            .query([])
            .map_err(self.err("reading story fingerprints"))?;
        while let Some(row) = rows
            .next()
            .map_err(self.err("reading story fingerprints"))?
        {
            let key: i64 = row.get(0).map_err(self.err("reading story fingerprints"))?;
            let stored: Option<Vec<u8>> =
                row.get(1).map_err(self.err("reading story fingerprints"))?;
            let signature = match stored {
                Some(bytes) if bytes.is_empty() => None,
                Some(bytes) => Some(Signature::from_bytes(&bytes).map_err(|e| {
                    StoreError::Invalid(format!(
                        "{}: the near-duplicate signature of document {key} is damaged ({e}); \
                         the store is damaged, re-ingest into a fresh --data directory",
                        self.path.display()
                    ))
                })?),
                None => {
                    let json = get_json(row, 2).map_err(self.err("reading story fingerprints"))?;
                    let text: TextOnly =
                        serde_json::from_str(&json).map_err(self.json_err(&key.to_string()))?;
                    Signature::of(&text.text)
                }
            };
            if let Some(signature) = signature {
                index.insert_signature(&key.to_string(), &signature);
            }
        }
        drop(rows);
        drop(stmt);
        Ok(index)
    }

    fn lookup(
        conn: &Connection,
        hash: &str,
        canonical: Option<&str>,
    ) -> rusqlite::Result<Option<(String, DuplicateReason)>> {
        let probes = [
            (
                "SELECT id FROM documents WHERE content_hash = ?1",
                Some(hash),
                DuplicateReason::ContentHash,
            ),
            (
                "SELECT id FROM documents WHERE canonical_url = ?1",
                canonical,
                DuplicateReason::CanonicalUrl,
            ),
        ];
        for (sql, value, reason) in probes {
            let Some(value) = value else { continue };
            let found = conn
                .prepare_cached(sql)?
                .query_row([value], |r| r.get::<_, String>(0))
                .optional()?;
            if let Some(id) = found {
                return Ok(Some((id, reason)));
            }
        }
        Ok(None)
    }

    fn count(&self, sql: &str) -> Result<u64, StoreError> {
        self.conn
            .query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(self.err("counting"))
    }

    /// Fills the actor tables from every stored analysis (migration to
    /// version 3).
    fn backfill_actors(&mut self) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |action: &'static str| sqlite_error(&path, action);
        let tx = self
            .conn
            .transaction()
            .map_err(err("starting a transaction"))?;
        {
            let mut stmt = tx
                .prepare(
                    "SELECT d.id, a.json, COALESCE(d.published, d.ingested_at) FROM documents d
                     JOIN analyses a ON a.doc = d.key ORDER BY d.key",
                )
                .map_err(err("reading analyses"))?;
            let mut rows = stmt.query([]).map_err(err("reading analyses"))?;
            let mut tally = ActorTally::default();
            while let Some(row) = rows.next().map_err(err("reading analyses"))? {
                let id: String = row.get(0).map_err(err("reading analyses"))?;
                let json = get_json(row, 1).map_err(err("reading analyses"))?;
                let seen: String = row.get(2).map_err(err("reading analyses"))?;
                let seen = parse_utc(&seen).map(time_text).unwrap_or(seen);
                let analysis: Analysis =
                    serde_json::from_str(&json).map_err(|source| StoreError::Json {
                        path: path.clone(),
                        doc: id,
                        source,
                    })?;
                tally.add(&analysis, &seen);
            }
            tally.write(&tx).map_err(err("storing actors"))?;
        }
        tx.commit().map_err(err("committing actors"))
    }

    /// The stored analyses of the documents `only` (the first stored
    /// document of each id), in insertion order, and the document sources
    /// by id.
    #[allow(clippy::type_complexity)]
    fn load_analyses(
        &self,
        only: &HashSet<String>,
    ) -> Result<(Vec<(String, Analysis)>, HashMap<String, String>), StoreError> {
        let (loaded, sources) = read_documents(&self.conn, &self.path, only)?;
        Ok((
            loaded.into_iter().map(|(_, id, a)| (id, a)).collect(),
            sources,
        ))
    }

    fn load_constraints(&self) -> Result<Constraints, StoreError> {
        read_constraints(&self.conn).map_err(self.err("reading split constraints"))
    }

    /// Stores one incident: its row, its text in the full-text index and
    /// its actors.
    /// `bucket` is the incident's candidate bucket when the merger gave it
    /// (else it is worked out from the analyses).
    fn write_incident(
        conn: &Connection,
        path: &Path,
        incident: &Incident,
        bucket: Option<(Family, Option<&str>)>,
        corpus: &Corpus<'_>,
    ) -> Result<IndexEntry, StoreError> {
        let err = |action: &'static str| sqlite_error(path, action);
        let json = serde_json::to_string(incident).map_err(|source| StoreError::Json {
            path: path.to_path_buf(),
            doc: incident.id.clone(),
            source,
        })?;
        let row = search::index_row(incident, &corpus.by_id, corpus.doc_sources);
        let computed;
        let (family, country) = match bucket {
            Some(b) => b,
            None => {
                computed = incident_bucket(incident, &corpus.by_id);
                (computed.0, computed.1.as_deref())
            }
        };
        conn.prepare_cached(
            "INSERT INTO incidents (id, kind, json, snippet, actors, places, sources, body, family, country)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut s| {
            s.execute(params![
                incident.id,
                json_str(&incident.kind),
                pack(json),
                row.snippet,
                row.actors,
                row.places,
                row.sources,
                // Not stored: the index holds it, and rebuilding the
                // index takes it from the analyses again.
                "",
                family.as_str(),
                country
            ])
        })
        .map_err(err("storing an incident"))?;
        let key = conn.last_insert_rowid();
        let mut stmt = conn
            .prepare_cached(
                "INSERT OR IGNORE INTO incident_actors (actor, incident) VALUES (?1, ?2)",
            )
            .map_err(err("storing incident actors"))?;
        for actor in incident_actor_keys(incident, &corpus.by_id) {
            stmt.execute(params![actor, key])
                .map_err(err("storing incident actors"))?;
        }
        Ok(index::entry(incident, &row))
    }

    fn delete_incident(conn: &Connection, key: i64) -> rusqlite::Result<()> {
        conn.execute("DELETE FROM incidents WHERE key = ?1", [key])?;
        Ok(())
    }

    fn incident_row(&self, id: &str) -> Result<Option<(i64, Incident)>, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT key, json FROM incidents WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| Ok((r.get::<_, i64>(0)?, get_json(r, 1)?)))
                    .optional()
            })
            .map_err(self.err("reading an incident"))?;
        match row {
            None => Ok(None),
            Some((key, json)) => Ok(Some((
                key,
                serde_json::from_str(&json).map_err(self.json_err(id))?,
            ))),
        }
    }

    /// An incident and the search row shown with it (snippet, filter values).
    fn incident_with_row(&self, id: &str) -> Result<Option<(Incident, search::Row)>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT json, snippet, actors, places, sources FROM incidents WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok((
                        get_json(r, 0)?,
                        search::Row {
                            body: String::new(),
                            snippet: r.get(1)?,
                            actors: r.get(2)?,
                            places: r.get(3)?,
                            sources: r.get(4)?,
                            crimes: Vec::new(),
                        },
                    ))
                })
                .optional()
            })
            .map_err(self.err("reading an incident"))?;
        match row {
            None => Ok(None),
            Some((json, row)) => Ok(Some((
                serde_json::from_str(&json).map_err(self.json_err(id))?,
                row,
            ))),
        }
    }

    fn read_job(row: &rusqlite::Row<'_>) -> rusqlite::Result<Job> {
        let kind: String = row.get(2)?;
        let payload: String = row.get(4)?;
        let state: String = row.get(5)?;
        Ok(Job {
            id: row.get(0)?,
            key: row.get(1)?,
            kind: JobKind::parse(&kind).unwrap_or(JobKind::Article),
            url: row.get(3)?,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            state: JobState::parse(&state).unwrap_or(JobState::Failed),
            attempts: row.get::<_, i64>(6)?.clamp(0, i64::from(u32::MAX)) as u32,
            last_error: row.get(7)?,
            worker: row.get(8)?,
            lease_until: row.get::<_, Option<i64>>(9)?.map(from_millis),
            available_at: from_millis(row.get(10)?),
        })
    }
}

const JOB_COLUMNS: &str =
    "id, key, kind, url, payload, state, attempts, last_error, worker, lease_until, available_at";

/// The actor keys of an incident: the entities behind the perpetrator,
/// target, victim and location slots of its source events.
pub(crate) fn incident_actor_keys(
    incident: &Incident,
    by_id: &HashMap<&str, &Analysis>,
) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for source in &incident.sources {
        let Some(analysis) = by_id.get(source.doc_id.as_str()) else {
            continue;
        };
        let Some(event) = analysis.events.iter().find(|e| e.id == source.event_id) else {
            continue;
        };
        let slots = event
            .perpetrators
            .iter()
            .chain(&event.targets)
            .chain(&event.victims)
            .chain(event.location.iter())
            .chain(&event.locations);
        for slot in slots {
            let Some(entity) = slot
                .entity
                .as_deref()
                .and_then(|id| analysis.entities.iter().find(|e| e.id == id))
            else {
                continue;
            };
            if let Some(key) = actor_key(entity) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
    }
    keys
}

/// Checks a split request against the incident; returns the split-off
/// events and the remaining ones.
pub(crate) fn split_sides(
    incident: &Incident,
    events: &[EventRef],
) -> Result<(Vec<EventRef>, Vec<EventRef>), StoreError> {
    let members: Vec<EventRef> = incident
        .sources
        .iter()
        .map(|s| EventRef::new(&s.doc_id, &s.event_id))
        .collect();
    let mut off: Vec<EventRef> = Vec::new();
    for e in events {
        if !members.contains(e) {
            return Err(StoreError::Invalid(format!(
                "event {}/{} is not a source of incident '{}'; its sources are: {}",
                e.doc_id,
                e.event_id,
                incident.id,
                members
                    .iter()
                    .map(|m| format!("{}/{}", m.doc_id, m.event_id))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        if !off.contains(e) {
            off.push(e.clone());
        }
    }
    let rest: Vec<EventRef> = members.into_iter().filter(|m| !off.contains(m)).collect();
    if off.is_empty() || rest.is_empty() {
        return Err(StoreError::Invalid(format!(
            "a split of incident '{}' must name some but not all of its {} source events",
            incident.id,
            incident.sources.len()
        )));
    }
    Ok((off, rest))
}

/// The analyses of an incident's documents reduced to the incident's own
/// events (so a local re-merge sees only them).
pub(crate) fn restrict_to_members(
    analyses: Vec<(String, Analysis)>,
    incident: &Incident,
) -> Vec<(String, Analysis)> {
    analyses
        .into_iter()
        .map(|(id, mut a)| {
            a.events.retain(|e| {
                incident
                    .sources
                    .iter()
                    .any(|s| s.doc_id == id && s.event_id == e.id)
            });
            (id, a)
        })
        .filter(|(_, a)| !a.events.is_empty())
        .collect()
}

impl SqliteStore {
    /// Replaces every incident by those merged from every stored analysis
    /// and records the merge as complete up to the last stored document.
    fn recompute_all(&mut self) -> Result<IncidentUpdate, StoreError> {
        let path = self.path.clone();
        let err = |action: &'static str| sqlite_error(&path, action);
        // Documents stored after this point are merged by the next merge.
        let last = last_document_key(&self.conn).map_err(err("reading the last document"))?;
        let (loaded, doc_sources) = read_range(&self.conn, &path, -1, last)?;
        let constraints = self.load_constraints()?;
        let reports: Vec<(&str, &Analysis)> =
            loaded.iter().map(|(_, id, a)| (id.as_str(), a)).collect();
        // As `merge_events_with`, keeping each incident's bucket.
        let mut merger = Merger::new(&constraints);
        for (id, analysis) in &reports {
            merger.add(id, analysis);
        }
        let incidents = merger.finish();
        let corpus = Corpus {
            by_id: reports.iter().copied().collect(),
            doc_sources: &doc_sources,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        tx.execute_batch("DELETE FROM incident_actors; DELETE FROM incidents;")
            .map_err(err("clearing incidents"))?;
        let mut entries = Vec::with_capacity(incidents.len());
        for m in &incidents {
            let bucket = (m.family, m.country.as_deref());
            entries.push(Self::write_incident(
                &tx,
                &path,
                &m.incident,
                Some(bucket),
                &corpus,
            )?);
        }
        set_state(&tx, MERGED_THROUGH, last).map_err(err("recording the merge state"))?;
        let generation =
            Self::bump_incident_generation(&tx).map_err(err("bumping the index generation"))?;
        tx.commit().map_err(err("committing incidents"))?;
        // After the database commit: a crash here leaves the index one
        // generation behind, rebuilt on the next open.
        self.search_index.rebuild(&entries, generation)?;
        Ok(IncidentUpdate {
            documents: loaded.len(),
            created: incidents.len(),
            updated: 0,
            total: incidents.len(),
            recomputed: true,
        })
    }
}

/// A value of `store_state`.
fn state_value(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT value FROM store_state WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

/// Sets a value of `store_state`.
fn set_state(conn: &Connection, key: &str, value: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO store_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// The key of the last stored document (0 when none).
fn last_document_key(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(key), 0) FROM documents", [], |r| {
        r.get(0)
    })
}

/// The cannot-link constraints of analysts' splits.
fn read_constraints(conn: &Connection) -> rusqlite::Result<Constraints> {
    let mut constraints = Constraints::new();
    let mut stmt = conn.prepare_cached("SELECT a_doc, a_event, b_doc, b_event FROM cannot_link")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let (a, b, c, d): (String, String, String, String) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        constraints.add((&a, &b), (&c, &d));
    }
    Ok(constraints)
}

/// Parses stored analyses read by `stmt`'s rows of (key, id, json, source).
fn collect_documents(
    path: &Path,
    rows: &mut rusqlite::Rows<'_>,
    loaded: &mut Loaded,
    sources: &mut HashMap<String, String>,
) -> Result<(), StoreError> {
    let err = |action: &'static str| sqlite_error(path, action);
    while let Some(row) = rows.next().map_err(err("reading analyses"))? {
        let key: i64 = row.get(0).map_err(err("reading analyses"))?;
        let id: String = row.get(1).map_err(err("reading analyses"))?;
        let json = get_json(row, 2).map_err(err("reading analyses"))?;
        let source: Option<String> = row.get(3).map_err(err("reading analyses"))?;
        let analysis: Analysis =
            serde_json::from_str(&json).map_err(|source| StoreError::Json {
                path: path.to_path_buf(),
                doc: id.clone(),
                source,
            })?;
        if let Some(source) = source {
            sources.insert(id.clone(), source);
        }
        loaded.push((key, id, analysis));
    }
    Ok(())
}

/// The analyses with events of the documents with keys in `(after, upto]`,
/// in insertion order, and their sources by document id.
fn read_range(
    conn: &Connection,
    path: &Path,
    after: i64,
    upto: i64,
) -> Result<(Loaded, HashMap<String, String>), StoreError> {
    let mut loaded = Vec::new();
    let mut sources = HashMap::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT d.key, d.id, a.json, d.source FROM documents d JOIN analyses a ON a.doc = d.key
             WHERE d.key > ?1 AND d.key <= ?2
               AND EXISTS (SELECT 1 FROM events e WHERE e.doc = d.key)
             ORDER BY d.key",
        )
        .map_err(sqlite_error(path, "reading analyses"))?;
    let mut rows = stmt
        .query(params![after, upto])
        .map_err(sqlite_error(path, "reading analyses"))?;
    collect_documents(path, &mut rows, &mut loaded, &mut sources)?;
    Ok((loaded, sources))
}

/// The analyses of the documents with ids `ids` (the first stored of each
/// id), in insertion order, and their sources by document id.
fn read_documents(
    conn: &Connection,
    path: &Path,
    ids: &HashSet<String>,
) -> Result<(Loaded, HashMap<String, String>), StoreError> {
    let mut loaded = Vec::with_capacity(ids.len());
    let mut sources = HashMap::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT d.key, d.id, a.json, d.source FROM documents d JOIN analyses a ON a.doc = d.key
             WHERE d.id = ?1 ORDER BY d.key LIMIT 1",
        )
        .map_err(sqlite_error(path, "reading analyses"))?;
    for id in ids {
        let mut rows = stmt
            .query([id])
            .map_err(sqlite_error(path, "reading analyses"))?;
        collect_documents(path, &mut rows, &mut loaded, &mut sources)?;
    }
    loaded.sort_by_key(|(key, _, _)| *key);
    Ok((loaded, sources))
}

/// The candidate bucket of a stored incident: the family of its type and
/// the first country its source events name (see
/// [`vigil_corpus::bucket`]); sources whose analysis is not at hand are
/// skipped.
pub(crate) fn incident_bucket(
    incident: &Incident,
    by_id: &HashMap<&str, &Analysis>,
) -> (Family, Option<String>) {
    let country = incident.sources.iter().find_map(|s| {
        let analysis = by_id.get(s.doc_id.as_str())?;
        let event = analysis.events.iter().find(|e| e.id == s.event_id)?;
        vigil_corpus::bucket(analysis, event).1
    });
    (Family::of(incident.kind), country)
}

/// Rows of one table written with multi-row `INSERT`s: `columns` values
/// per row, appended in order.
struct Rows {
    columns: usize,
    values: Vec<Value>,
}

/// Rows per multi-row `INSERT` statement (SQLite allows 32,766 parameters
/// per statement; a statement per row costs a step, a reset and, for
/// statements that may abort, copies of the pages it touches).
const ROWS_PER_INSERT: usize = 64;

impl Rows {
    fn new(columns: usize) -> Self {
        Rows {
            columns,
            values: Vec::new(),
        }
    }

    fn push<const N: usize>(&mut self, row: [Value; N]) {
        debug_assert_eq!(N, self.columns);
        self.values.extend(row);
    }

    /// Executes `head VALUES (?, …), … tail` over the rows, at most
    /// [`ROWS_PER_INSERT`] a statement (full statements are cached).
    fn insert(&self, conn: &Connection, head: &str, tail: &str) -> rusqlite::Result<()> {
        let chunk = ROWS_PER_INSERT * self.columns;
        for values in self.values.chunks(chunk) {
            let rows = values.len() / self.columns;
            let mut sql = String::with_capacity(head.len() + tail.len() + rows * 4 * self.columns);
            sql.push_str(head);
            sql.push_str(" VALUES ");
            for r in 0..rows {
                if r > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for c in 0..self.columns {
                    if c > 0 {
                        sql.push(',');
                    }
                    sql.push('?');
                }
                sql.push(')');
            }
            sql.push(' ');
            sql.push_str(tail);
            let params = rusqlite::params_from_iter(values.iter());
            if values.len() == chunk {
                conn.prepare_cached(&sql)?.execute(params)?;
            } else {
                conn.prepare(&sql)?.execute(params)?;
            }
        }
        Ok(())
    }
}

impl ActorTally {
    /// Writes the tally: new actors inserted, known ones updated.
    fn write(self, conn: &Connection) -> rusqlite::Result<()> {
        let mut actors = Rows::new(9);
        let mut aliases = Rows::new(2);
        for (i, alias) in self.aliases {
            aliases.push([Value::Text(self.order[i].key.clone()), Value::Text(alias)]);
        }
        for a in self.order {
            let opt = |v: Option<String>| v.map_or(Value::Null, Value::Text);
            actors.push([
                Value::Text(a.key),
                Value::Text(a.kind),
                Value::Text(a.name),
                opt(a.kb_id),
                opt(a.parent),
                opt(a.geo),
                Value::Text(a.first_seen),
                Value::Text(a.last_seen),
                Value::Integer(a.documents),
            ]);
        }
        actors.insert(
            conn,
            "INSERT INTO actors (key, kind, name, kb_id, parent, geo, first_seen, last_seen, documents)",
            "ON CONFLICT (key) DO UPDATE SET
                documents = documents + excluded.documents,
                parent = COALESCE(parent, excluded.parent),
                geo = COALESCE(geo, excluded.geo),
                first_seen = CASE WHEN first_seen IS NULL OR excluded.first_seen < first_seen
                             THEN excluded.first_seen ELSE first_seen END,
                last_seen = CASE WHEN last_seen IS NULL OR excluded.last_seen > last_seen
                            THEN excluded.last_seen ELSE last_seen END",
        )?;
        aliases.insert(
            conn,
            "INSERT OR IGNORE INTO actor_aliases (actor, alias)",
            "",
        )
    }
}

/// Stores a batch in one transaction (see [`Store::insert_batch`]), filing
/// new stories in `index`.
fn insert_rows(
    conn: &mut Connection,
    path: &Path,
    index: &mut DuplicateIndex,
    batch: &[(Document, Analysis)],
) -> Result<Vec<Outcome>, StoreError> {
    let path = path.to_path_buf();
    let err = |action: &'static str| sqlite_error(&path, action);
    let json_err = |doc: &str| {
        let path = path.clone();
        let doc = doc.to_string();
        move |source| StoreError::Json { path, doc, source }
    };
    let now = time_text(Utc::now());
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err("starting a transaction"))?;
    // Keys are given here (the next after the last, as SQLite would), so
    // that a document's story is known before its row is written.
    let mut next_key = last_document_key(&tx).map_err(err("reading the last document"))? + 1;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut events = Rows::new(5);
    let mut entities = Rows::new(5);
    let mut actors = ActorTally::default();
    for (doc, analysis) in batch {
        let hash = content_hash(&doc.text);
        let canonical = doc.url.as_deref().and_then(canonical_url);
        if let Some((existing, reason)) = SqliteStore::lookup(&tx, &hash, canonical.as_deref())
            .map_err(err("looking up a document"))?
        {
            outcomes.push(Outcome::Duplicate { existing, reason });
            continue;
        }
        let analysis_json = serde_json::to_string(analysis).map_err(json_err(&doc.id))?;
        let origin = serde_json::to_string(&doc.origin).map_err(json_err(&doc.id))?;
        let key = next_key;
        next_key += 1;
        let signature = Signature::of(&analysis.text);
        let joined = signature
            .as_ref()
            .and_then(|sig| index.insert_signature(&key.to_string(), sig))
            .and_then(|s| s.parse::<i64>().ok());
        let story = joined.unwrap_or(key);
        // A story's first document keeps its signature, so that opening
        // the store rebuilds the near-duplicate index without reading the
        // analyses (empty: a text without words, never indexed).
        let stored_signature = match (&joined, &signature) {
            (Some(_), _) => Value::Null,
            (None, Some(sig)) => Value::Blob(sig.to_bytes()),
            (None, None) => Value::Blob(Vec::new()),
        };
        tx.prepare_cached(
                "INSERT INTO documents (key, id, url, canonical_url, title, source, published, content_hash, story, ingested_at, author, origin, signature)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    key,
                    doc.id,
                    doc.url,
                    canonical,
                    doc.title,
                    doc.source,
                    doc.published.map(|t| t.to_rfc3339()),
                    hash,
                    story,
                    now,
                    doc.author,
                    origin,
                    stored_signature
                ])
            })
            .map_err(err("storing a document"))?;
        tx.prepare_cached("INSERT INTO analyses (doc, json) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![key, pack(analysis_json)]))
            .map_err(err("storing an analysis"))?;
        for event in &analysis.events {
            // The event itself is in the analysis: not stored twice.
            events.push([
                Value::Integer(key),
                Value::Text(event.id.clone()),
                Value::Text(json_str(&event.kind)),
                Value::Text(json_str(&event.stage)),
                Value::Text(String::new()),
            ]);
        }
        for entity in &analysis.entities {
            entities.push([
                Value::Integer(key),
                Value::Text(entity.id.clone()),
                Value::Text(json_str(&entity.kind)),
                Value::Text(entity.name.clone()),
                entity.kb_id.clone().map_or(Value::Null, Value::Text),
            ]);
        }
        let seen = doc
            .published
            .map(|t| time_text(t.with_timezone(&Utc)))
            .unwrap_or_else(|| now.clone());
        actors.add(analysis, &seen);
        outcomes.push(match joined {
            Some(story) => Outcome::NearDuplicate { key, story },
            None => Outcome::New { key, story },
        });
    }
    events
        .insert(
            &tx,
            "INSERT OR REPLACE INTO events (doc, id, kind, stage, json)",
            "",
        )
        .map_err(err("storing events"))?;
    entities
        .insert(
            &tx,
            "INSERT OR REPLACE INTO entities (doc, id, kind, name, kb_id)",
            "",
        )
        .map_err(err("storing entities"))?;
    actors.write(&tx).map_err(err("storing actors"))?;
    tx.commit().map_err(err("committing a batch"))?;
    Ok(outcomes)
}

impl Store for SqliteStore {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn find_duplicate(
        &self,
        doc: &Document,
    ) -> Result<Option<(String, DuplicateReason)>, StoreError> {
        let canonical = doc.url.as_deref().and_then(canonical_url);
        Self::lookup(&self.conn, &content_hash(&doc.text), canonical.as_deref())
            .map_err(self.err("looking up a document"))
    }

    fn insert_batch(&mut self, batch: &[(Document, Analysis)]) -> Result<Vec<Outcome>, StoreError> {
        // The near-duplicate index changes only if the transaction commits:
        // a failed batch is undone with `truncate` (no clone of the index).
        let mut index = match self.index.take() {
            Some(index) => index,
            None => self.read_duplicate_index()?,
        };
        let mark = index.len();
        let result = insert_rows(&mut self.conn, &self.path, &mut index, batch);
        if result.is_err() {
            index.truncate(mark);
        }
        self.index = Some(index);
        result
    }

    fn document(&self, id: &str) -> Result<Option<StoredDocument>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT d.key, d.url, d.title, d.source, d.published, d.content_hash, d.story,
                        d.ingested_at, d.author, d.origin, a.json
                 FROM documents d JOIN analyses a ON a.doc = d.key
                 WHERE d.id = ?1 ORDER BY d.key LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, Option<String>>(9)?,
                        get_json(r, 10)?,
                    ))
                })
                .optional()
            })
            .map_err(self.err("reading a document"))?;
        let Some((key, url, title, source, published, hash, story, ingested, author, origin, json)) =
            row
        else {
            return Ok(None);
        };
        let analysis: Analysis = serde_json::from_str(&json).map_err(self.json_err(id))?;
        let origin: Origin = match origin {
            Some(o) => serde_json::from_str(&o).map_err(self.json_err(id))?,
            None => Origin::default(),
        };
        Ok(Some(StoredDocument {
            document: Document {
                id: id.to_string(),
                title,
                source,
                url,
                author,
                published: published
                    .as_deref()
                    .and_then(|p| DateTime::<FixedOffset>::parse_from_rfc3339(p).ok()),
                text: analysis.text.clone(),
                origin,
            },
            analysis,
            story,
            key,
            content_hash: hash,
            ingested_at: parse_utc(&ingested).unwrap_or_default(),
        }))
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        let size_bytes = ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| {
                std::fs::metadata(self.dir.join(format!("{DB_FILE}{suffix}"))).ok()
            })
            .map(|m| m.len())
            .sum::<u64>()
            + self.search_index.size_bytes();
        Ok(Stats {
            documents: self.count("SELECT COUNT(*) FROM documents")?,
            stories: self.count("SELECT COUNT(DISTINCT story) FROM documents")?,
            events: self.count("SELECT COUNT(*) FROM events")?,
            incidents: self.count("SELECT COUNT(*) FROM incidents")?,
            entities: self.count(
                "SELECT COUNT(DISTINCT COALESCE('kb:' || kb_id, kind || ':' || lower(name))) FROM entities",
            )?,
            size_bytes,
            schema_version: self.schema_version()?,
        })
    }

    fn recompute_incidents(&mut self) -> Result<usize, StoreError> {
        Ok(self.recompute_all()?.total)
    }

    fn merge_incidents(&mut self) -> Result<IncidentUpdate, StoreError> {
        let path = self.path.clone();
        let err = |action: &'static str| sqlite_error(&path, action);
        let through = state_value(&self.conn, MERGED_THROUGH)
            .map_err(err("reading the merge state"))?
            .unwrap_or(-1);
        if through < 0 {
            return self.recompute_all();
        }
        // Reads and writes in one IMMEDIATE transaction: another process
        // merging at the same time waits, then finds nothing left to do.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        let through = state_value(&tx, MERGED_THROUGH)
            .map_err(err("reading the merge state"))?
            .unwrap_or(-1);
        if through < 0 {
            drop(tx);
            return self.recompute_all();
        }
        let last = last_document_key(&tx).map_err(err("reading the last document"))?;
        if last <= through {
            drop(tx);
            let total = self.count("SELECT COUNT(*) FROM incidents")? as usize;
            return Ok(IncidentUpdate {
                total,
                ..IncidentUpdate::default()
            });
        }
        let (pending, mut doc_sources) = read_range(&tx, &path, through, last)?;
        // The incidents the new events could join: those of their buckets.
        let mut candidates: HashMap<i64, Incident> = HashMap::new();
        for (family, country) in incremental::candidate_buckets(&pending) {
            let (sql, country): (&str, Option<&str>) = match &country {
                None => ("SELECT key, json FROM incidents WHERE family = ?1", None),
                Some(c) => (
                    "SELECT key, json FROM incidents
                     WHERE family = ?1 AND (country = ?2 OR country IS NULL)",
                    Some(c.as_str()),
                ),
            };
            let mut stmt = tx.prepare_cached(sql).map_err(err("reading incidents"))?;
            let mut rows = match country {
                None => stmt.query(params![family.as_str()]),
                Some(c) => stmt.query(params![family.as_str(), c]),
            }
            .map_err(err("reading incidents"))?;
            while let Some(r) = rows.next().map_err(err("reading incidents"))? {
                let key: i64 = r.get(0).map_err(err("reading incidents"))?;
                if candidates.contains_key(&key) {
                    continue;
                }
                let json = get_json(r, 1).map_err(err("reading incidents"))?;
                let incident: Incident =
                    serde_json::from_str(&json).map_err(|source| StoreError::Json {
                        path: path.clone(),
                        doc: format!("incident {key}"),
                        source,
                    })?;
                candidates.insert(key, incident);
            }
        }
        let member_ids: HashSet<String> = candidates
            .values()
            .flat_map(|i| i.sources.iter().map(|s| s.doc_id.clone()))
            .collect();
        let (members, member_sources) = read_documents(&tx, &path, &member_ids)?;
        for (id, source) in member_sources {
            doc_sources.entry(id).or_insert(source);
        }
        let constraints = read_constraints(&tx).map_err(err("reading split constraints"))?;
        let (merged, by_id) =
            incremental::merge_pending(&candidates, &members, &pending, &constraints);
        let corpus = Corpus {
            by_id,
            doc_sources: &doc_sources,
        };
        let mut update = IncidentUpdate {
            documents: pending.len(),
            ..IncidentUpdate::default()
        };
        let mut ids: Vec<String> = Vec::with_capacity(merged.len());
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(merged.len());
        for m in &merged {
            let old: Option<i64> = tx
                .prepare_cached("SELECT key FROM incidents WHERE id = ?1")
                .and_then(|mut s| s.query_row([&m.incident.id], |r| r.get(0)).optional())
                .map_err(err("looking up an incident"))?;
            if let Some(key) = old {
                Self::delete_incident(&tx, key).map_err(err("replacing an incident"))?;
            }
            if m.seeded {
                update.updated += 1;
            } else {
                update.created += 1;
            }
            ids.push(m.incident.id.clone());
            let bucket = (m.family, m.country.as_deref());
            entries.push(Self::write_incident(
                &tx,
                &path,
                &m.incident,
                Some(bucket),
                &corpus,
            )?);
        }
        set_state(&tx, MERGED_THROUGH, last).map_err(err("recording the merge state"))?;
        let generation =
            Self::bump_incident_generation(&tx).map_err(err("bumping the index generation"))?;
        update.total = tx
            .query_row("SELECT COUNT(*) FROM incidents", [], |r| r.get::<_, i64>(0))
            .map_err(err("counting incidents"))?
            .max(0) as usize;
        tx.commit().map_err(err("committing incidents"))?;
        // After the database commit: a crash here leaves the index one
        // generation behind, rebuilt on the next open.
        if !ids.is_empty() {
            self.search_index.update(&ids, &entries, generation)?;
        }
        Ok(update)
    }

    fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        Ok(self.incident_row(id)?.map(|(_, i)| i))
    }

    fn search(&self, query: &Query, page: &Page) -> Result<SearchPage, StoreError> {
        // The index finds and ranks; the database gives what is shown.
        self.fresh_index(false)?;
        let found = self
            .search_index
            .search(query, page.offset, page.limit, page.sort)?;
        let mut hits = Vec::with_capacity(found.hits.len());
        for h in &found.hits {
            if let Some((incident, row)) = self.incident_with_row(&h.id)? {
                hits.push(search::hit(&incident, &row, h.score));
            }
        }
        let end = page.offset.saturating_add(found.hits.len());
        Ok(SearchPage {
            hits,
            total: found.total,
            total_is_lower_bound: false,
            next_offset: (end < found.total).then_some(end),
        })
    }

    fn for_each_incident(
        &self,
        query: &Query,
        f: &mut dyn FnMut(Incident) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        // Alerts and exports must see every incident the database holds.
        self.fresh_index(true)?;
        let total = self
            .search_index
            .search(query, 0, 0, crate::Sort::Relevance)?
            .total;
        let mut ids: Vec<String> = self
            .search_index
            .search(query, 0, total, crate::Sort::Relevance)?
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort();
        let mut n = 0;
        for id in &ids {
            if let Some((_, incident)) = self.incident_row(id)? {
                f(incident)?;
                n += 1;
            }
        }
        Ok(n)
    }

    fn split_incident(
        &mut self,
        incident_id: &str,
        events: &[EventRef],
    ) -> Result<Split, StoreError> {
        let Some((key, incident)) = self.incident_row(incident_id)? else {
            return Err(StoreError::NotFound {
                what: "incident",
                id: incident_id.to_string(),
            });
        };
        let (off, rest) = split_sides(&incident, events)?;
        let docs: HashSet<String> = incident.sources.iter().map(|s| s.doc_id.clone()).collect();
        let (analyses, doc_sources) = self.load_analyses(&docs)?;
        let analyses = restrict_to_members(analyses, &incident);
        let mut constraints = self.load_constraints()?;
        for a in &off {
            for b in &rest {
                constraints.add((&a.doc_id, &a.event_id), (&b.doc_id, &b.event_id));
            }
        }
        let reports: Vec<(&str, &Analysis)> =
            analyses.iter().map(|(id, a)| (id.as_str(), a)).collect();
        let pieces = vigil_corpus::merge_events_with(&reports, &constraints);
        let corpus = Corpus {
            by_id: reports.iter().copied().collect(),
            doc_sources: &doc_sources,
        };
        let path = self.path.clone();
        let err = |action: &'static str| sqlite_error(&path, action);
        let now = time_text(Utc::now());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        let mut added = 0;
        for a in &off {
            for b in &rest {
                let (x, y) = if (a.doc_id.as_str(), a.event_id.as_str())
                    <= (b.doc_id.as_str(), b.event_id.as_str())
                {
                    (a, b)
                } else {
                    (b, a)
                };
                added += tx
                    .execute(
                        "INSERT OR IGNORE INTO cannot_link (a_doc, a_event, b_doc, b_event, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![x.doc_id, x.event_id, y.doc_id, y.event_id, now],
                    )
                    .map_err(err("storing a split constraint"))?;
            }
        }
        Self::delete_incident(&tx, key).map_err(err("removing the split incident"))?;
        let mut entries = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            entries.push(Self::write_incident(&tx, &path, piece, None, &corpus)?);
        }
        let generation =
            Self::bump_incident_generation(&tx).map_err(err("bumping the index generation"))?;
        tx.commit().map_err(err("committing the split"))?;
        self.search_index
            .update(&[incident_id.to_string()], &entries, generation)?;
        Ok(Split {
            incidents: pieces,
            constraints_added: added,
        })
    }

    fn import_incidents(&mut self, incidents: &[Incident]) -> Result<usize, StoreError> {
        if incidents.is_empty() {
            return Ok(0);
        }
        let docs: HashSet<String> = incidents
            .iter()
            .flat_map(|i| i.sources.iter().map(|s| s.doc_id.clone()))
            .collect();
        let (analyses, doc_sources) = self.load_analyses(&docs)?;
        let corpus = Corpus {
            by_id: analyses.iter().map(|(id, a)| (id.as_str(), a)).collect(),
            doc_sources: &doc_sources,
        };
        let path = self.path.clone();
        let err = |action: &'static str| sqlite_error(&path, action);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        let mut ids: Vec<String> = Vec::with_capacity(incidents.len());
        let mut seen: HashSet<&str> = HashSet::with_capacity(incidents.len());
        let mut entries: Vec<IndexEntry> = Vec::with_capacity(incidents.len());
        for incident in incidents {
            let key: Option<i64> = tx
                .prepare_cached("SELECT key FROM incidents WHERE id = ?1")
                .and_then(|mut s| s.query_row([&incident.id], |r| r.get(0)).optional())
                .map_err(err("looking up an incident"))?;
            if let Some(key) = key {
                Self::delete_incident(&tx, key).map_err(err("replacing an incident"))?;
            }
            if seen.insert(&incident.id) {
                ids.push(incident.id.clone());
            } else {
                // The same id twice in one import: the last one wins.
                entries.retain(|e| e.id != incident.id);
            }
            entries.push(Self::write_incident(&tx, &path, incident, None, &corpus)?);
        }
        let generation =
            Self::bump_incident_generation(&tx).map_err(err("bumping the index generation"))?;
        tx.commit().map_err(err("committing imported incidents"))?;
        self.search_index.update(&ids, &entries, generation)?;
        Ok(incidents.len())
    }

    fn actors(&self, filter: &ActorFilter) -> Result<Vec<Actor>, StoreError> {
        let kinds: Vec<String> = filter.kinds.iter().map(json_str).collect();
        let kinds = serde_json::to_string(&kinds).map_err(self.json_err("actor filter"))?;
        let name = filter.name.as_deref().map(like_pattern);
        let limit = if filter.limit == 0 {
            -1
        } else {
            i64::try_from(filter.limit).unwrap_or(i64::MAX)
        };
        let offset = i64::try_from(filter.offset).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.key FROM actors a
                 WHERE (?1 = '[]' OR a.kind IN (SELECT value FROM json_each(?1)))
                   AND (?2 IS NULL OR lower(a.name) LIKE ?2 ESCAPE '\\'
                        OR EXISTS (SELECT 1 FROM actor_aliases x
                                   WHERE x.actor = a.key AND lower(x.alias) LIKE ?2 ESCAPE '\\'))
                 ORDER BY a.documents DESC, a.key LIMIT ?3 OFFSET ?4",
            )
            .map_err(self.err("listing actors"))?;
        let keys = stmt
            .query_map(params![kinds, name, limit, offset], |r| {
                r.get::<_, String>(0)
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(self.err("listing actors"))?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(actor) = self.actor(&key)? {
                out.push(actor);
            }
        }
        Ok(out)
    }

    fn actor(&self, key: &str) -> Result<Option<Actor>, StoreError> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT kind, name, kb_id, parent, geo, first_seen, last_seen, documents,
                        (SELECT COUNT(*) FROM incident_actors x WHERE x.actor = a.key)
                 FROM actors a WHERE key = ?1",
            )
            .and_then(|mut s| {
                s.query_row([key], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, i64>(8)?,
                    ))
                })
                .optional()
            })
            .map_err(self.err("reading an actor"))?;
        let Some((kind, name, kb_id, parent, geo, first, last, documents, incidents)) = row else {
            return Ok(None);
        };
        let aliases = self
            .conn
            .prepare_cached("SELECT alias FROM actor_aliases WHERE actor = ?1 ORDER BY alias")
            .and_then(|mut s| {
                s.query_map([key], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(self.err("reading actor aliases"))?;
        let kind: EntityType =
            serde_json::from_value(serde_json::Value::String(kind)).map_err(self.json_err(key))?;
        let geo = match geo {
            Some(g) => Some(serde_json::from_str(&g).map_err(self.json_err(key))?),
            None => None,
        };
        Ok(Some(Actor {
            key: key.to_string(),
            kind,
            name,
            kb_id,
            aliases,
            parent,
            geo,
            first_seen: first.as_deref().and_then(parse_utc),
            last_seen: last.as_deref().and_then(parse_utc),
            documents: documents.max(0) as u64,
            incidents: incidents.max(0) as u64,
        }))
    }

    fn enqueue(&mut self, jobs: &[NewJob]) -> Result<usize, StoreError> {
        let now = Utc::now().timestamp_millis();
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                action: "starting a transaction",
                source,
            })?;
        let mut added = 0;
        for job in jobs {
            let payload =
                serde_json::to_string(&job.payload).map_err(|source| StoreError::Json {
                    path: path.clone(),
                    doc: job.key.clone(),
                    source,
                })?;
            added += tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO jobs (key, kind, url, payload, available_at, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5)",
                )
                .and_then(|mut s| {
                    s.execute(params![job.key, job.kind.as_str(), job.url, payload, now])
                })
                .map_err(|source| StoreError::Sqlite {
                    path: path.clone(),
                    action: "enqueueing a job",
                    source,
                })?;
        }
        tx.commit().map_err(|source| StoreError::Sqlite {
            path: path.clone(),
            action: "committing jobs",
            source,
        })?;
        Ok(added)
    }

    fn claim(&mut self, worker: &str, n: usize, lease: Duration) -> Result<Vec<Job>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let path = self.path.clone();
        let err = |action: &'static str| sqlite_error(&path, action);
        let now = Utc::now().timestamp_millis();
        let until = now.saturating_add(millis(lease));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("starting a transaction"))?;
        tx.execute(
            "UPDATE jobs SET state = 'failed', updated_at = ?1,
                last_error = 'lease of ' || COALESCE(worker, '?') || ' expired after ' || attempts || ' attempts'
             WHERE state = 'running' AND lease_until <= ?1 AND attempts >= ?2",
            params![now, MAX_ATTEMPTS],
        )
        .map_err(err("failing expired jobs"))?;
        let ids: Vec<i64> = tx
            .prepare(
                "SELECT id FROM jobs
                 WHERE (state = 'queued' AND available_at <= ?1)
                    OR (state = 'running' AND lease_until <= ?1)
                 ORDER BY id LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![now, i64::try_from(n).unwrap_or(i64::MAX)], |r| {
                    r.get(0)
                })?
                .collect()
            })
            .map_err(err("finding claimable jobs"))?;
        let mut jobs = Vec::with_capacity(ids.len());
        for id in ids {
            tx.execute(
                "UPDATE jobs SET
                    last_error = CASE WHEN state = 'running'
                        THEN 'lease of ' || COALESCE(worker, '?') || ' expired' ELSE last_error END,
                    state = 'running', worker = ?1, lease_until = ?2,
                    attempts = attempts + 1, updated_at = ?3
                 WHERE id = ?4",
                params![worker, until, now, id],
            )
            .map_err(err("claiming a job"))?;
            let job = tx
                .query_row(
                    &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                    [id],
                    Self::read_job,
                )
                .map_err(err("reading a job"))?;
            jobs.push(job);
        }
        tx.commit().map_err(err("committing claims"))?;
        Ok(jobs)
    }

    fn renew(&mut self, job_id: i64, worker: &str, lease: Duration) -> Result<bool, StoreError> {
        let now = Utc::now().timestamp_millis();
        let changed = self
            .conn
            .execute(
                "UPDATE jobs SET lease_until = ?1, updated_at = ?2
                 WHERE id = ?3 AND worker = ?4 AND state = 'running'",
                params![now.saturating_add(millis(lease)), now, job_id, worker],
            )
            .map_err(self.err("renewing a lease"))?;
        Ok(changed == 1)
    }

    fn complete(&mut self, job_id: i64) -> Result<(), StoreError> {
        let now = Utc::now().timestamp_millis();
        let changed = self
            .conn
            .execute(
                "UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = ?1 WHERE id = ?2",
                params![now, job_id],
            )
            .map_err(self.err("completing a job"))?;
        if changed == 0 {
            return Err(StoreError::NotFound {
                what: "job",
                id: job_id.to_string(),
            });
        }
        Ok(())
    }

    fn fail(&mut self, job_id: i64, reason: &str, retry: bool) -> Result<(), StoreError> {
        let Some(job) = self.job(job_id)? else {
            return Err(StoreError::NotFound {
                what: "job",
                id: job_id.to_string(),
            });
        };
        let now = Utc::now().timestamp_millis();
        let again = retry && job.attempts < MAX_ATTEMPTS;
        let (state, available) = if again {
            (
                JobState::Queued,
                now.saturating_add(millis(retry_delay(job.attempts))),
            )
        } else {
            (JobState::Failed, job.available_at.timestamp_millis())
        };
        self.conn
            .execute(
                "UPDATE jobs SET state = ?1, last_error = ?2, lease_until = NULL,
                    available_at = ?3, updated_at = ?4 WHERE id = ?5",
                params![state.as_str(), reason, available, now, job_id],
            )
            .map_err(self.err("recording a job failure"))?;
        Ok(())
    }

    fn job(&self, job_id: i64) -> Result<Option<Job>, StoreError> {
        self.conn
            .query_row(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
                [job_id],
                Self::read_job,
            )
            .optional()
            .map_err(self.err("reading a job"))
    }

    fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let mut counts = JobCounts::default();
        let mut stmt = self
            .conn
            .prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            .map_err(self.err("counting jobs"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(self.err("counting jobs"))?;
        for row in rows {
            let (state, n) = row.map_err(self.err("counting jobs"))?;
            let n = n.max(0) as u64;
            match JobState::parse(&state) {
                Some(JobState::Queued) => counts.queued = n,
                Some(JobState::Running) => counts.running = n,
                Some(JobState::Done) => counts.done = n,
                Some(JobState::Failed) | None => counts.failed += n,
            }
        }
        Ok(counts)
    }

    fn feed_state(&self, url: &str) -> Result<Option<FeedState>, StoreError> {
        self.conn
            .query_row(
                "SELECT etag, last_modified, last_polled FROM feeds WHERE url = ?1",
                [url],
                |r| {
                    Ok(FeedState {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                        last_polled: r
                            .get::<_, Option<String>>(2)?
                            .as_deref()
                            .and_then(parse_utc),
                    })
                },
            )
            .optional()
            .map_err(self.err("reading a feed's state"))
    }

    fn set_feed_state(&mut self, url: &str, state: &FeedState) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO feeds (url, etag, last_modified, last_polled) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
                    last_modified = excluded.last_modified, last_polled = excluded.last_polled",
                params![
                    url,
                    state.etag,
                    state.last_modified,
                    state.last_polled.map(time_text)
                ],
            )
            .map_err(self.err("recording a feed's state"))?;
        Ok(())
    }
}

/// Wraps a SQLite error with the database file and what was being done;
/// for code that holds a transaction and cannot borrow the store.
pub(crate) fn sqlite_error(
    path: &Path,
    action: &'static str,
) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Sqlite {
        path,
        action,
        source,
    }
}
