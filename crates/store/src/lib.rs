//! Persistent storage for vigil: documents, their analyses, events,
//! entities, near-duplicate stories and incidents.
//!
//! [`Store`] is the interface; [`SqliteStore`] is the embedded backend (one
//! SQLite file, `vigil.sqlite3`, in a data directory, WAL journal). The
//! schema is versioned (`PRAGMA user_version`) and every pending migration
//! is applied, in one transaction, when the store is opened.
//!
//! Insertion is idempotent: a document whose content hash (FNV-1a 64 over
//! its raw text) or canonical URL is already stored is reported as a
//! [`Outcome::Duplicate`] and changes nothing. A near-duplicate (SimHash
//! within [`vigil_corpus::MAX_DISTANCE`] bits of a stored story, found with
//! [`vigil_corpus::DuplicateIndex`]) is stored and joins that story. The
//! index is rebuilt on open from the cleaned text of the stored story roots.
//!
//! Incidents are derived data: [`Store::recompute_incidents`] rebuilds them
//! from every stored analysis with [`vigil_corpus::merge_events`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use vigil_core::{Analysis, Document, Incident};
use vigil_corpus::DuplicateIndex;

pub mod search;
pub use search::{Hit, PlaceTerm, Query, QueryError};

/// The database file inside the data directory.
pub const DB_FILE: &str = "vigil.sqlite3";

/// Schema migrations; migration `i` takes the schema from version `i` to
/// `i + 1`. Append only: never edit a released migration.
const MIGRATIONS: &[&str] = &[
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
    // 2: the incident search index (see `search`): one row per incident,
    // the evidence text full-text indexed, filter values kept alongside.
    "CREATE VIRTUAL TABLE incident_search USING fts5(
        id UNINDEXED, body, snippet UNINDEXED, actors UNINDEXED,
        places UNINDEXED, sources UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    );",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Errors of the store. Each names the database file and what to do.
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
    #[error("{path}: stored data of document {doc} is not valid JSON: {source}; the store is damaged, re-ingest into a fresh --data directory")]
    Json {
        path: PathBuf,
        doc: String,
        source: serde_json::Error,
    },
}

/// What happened to one inserted document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new document starting a new story (the story id is its own key).
    New { key: i64, story: i64 },
    /// A new document that joins an existing story (SimHash near-duplicate).
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
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub documents: u64,
    pub stories: u64,
    pub events: u64,
    pub incidents: u64,
    /// Distinct entities: by knowledge-base id when linked, else by type and
    /// lower-cased name.
    pub entities: u64,
    /// Bytes on disk: the database file plus its WAL and shared-memory files.
    pub size_bytes: u64,
    pub schema_version: u32,
}

/// A document store.
pub trait Store {
    /// The stored document `doc` duplicates exactly (same content hash or
    /// canonical URL), if any: lets callers skip analysing it.
    fn find_duplicate(
        &self,
        doc: &Document,
    ) -> Result<Option<(String, DuplicateReason)>, StoreError>;
    /// Stores a batch of analysed documents in one transaction: either all
    /// of it is committed or nothing is. Outcomes are in input order.
    fn insert_batch(&mut self, batch: &[(Document, Analysis)]) -> Result<Vec<Outcome>, StoreError>;
    /// Replaces the stored incidents by those merged from every stored
    /// analysis (in insertion order); returns their number.
    fn recompute_incidents(&mut self) -> Result<usize, StoreError>;
    /// Counts.
    fn stats(&self) -> Result<Stats, StoreError>;
    /// The stored incidents matching `query`, best first (text relevance,
    /// then most recent), at most `limit`.
    fn search(&self, query: &Query, limit: usize) -> Result<Vec<Hit>, StoreError>;
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

/// The embedded SQLite store.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    dir: PathBuf,
    index: DuplicateIndex,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in directory `dir`, applies
    /// pending migrations and rebuilds the near-duplicate index.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let err = |action: &'static str| {
            let path = path.clone();
            move |source| StoreError::Sqlite {
                path,
                action,
                source,
            }
        };
        let conn = Connection::open(&path).map_err(err("opening the database"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err("setting the busy timeout"))?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(err("switching to WAL mode"))?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(err("setting pragmas"))?;
        let mut store = SqliteStore {
            conn,
            path: path.clone(),
            dir: dir.to_path_buf(),
            index: DuplicateIndex::new(),
        };
        store.migrate()?;
        store.rebuild_index()?;
        Ok(store)
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

    fn err(&self, action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        let path = self.path.clone();
        move |source| StoreError::Sqlite {
            path,
            action,
            source,
        }
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
        let err = |action: &'static str| {
            let path = path.clone();
            move |source| StoreError::Sqlite {
                path,
                action,
                source,
            }
        };
        let tx = self
            .conn
            .transaction()
            .map_err(err("starting the migration"))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql).map_err(err("applying a migration"))?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)
                .map_err(err("recording the schema version"))?;
        }
        tx.commit().map_err(err("committing the migration"))?;
        if found == 1 {
            // The search index is new in version 2: fill it.
            self.recompute_incidents()?;
        }
        Ok(())
    }

    fn rebuild_index(&mut self) -> Result<(), StoreError> {
        let mut index = DuplicateIndex::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT d.key, json_extract(a.json, '$.text') FROM documents d
                 JOIN analyses a ON a.doc = d.key WHERE d.story = d.key ORDER BY d.key",
            )
            .map_err(self.err("reading story fingerprints"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
            })
            .map_err(self.err("reading story fingerprints"))?;
        for row in rows {
            let (key, text) = row.map_err(self.err("reading story fingerprints"))?;
            if let Some(text) = text {
                index.insert(&key.to_string(), &text);
            }
        }
        drop(stmt);
        self.index = index;
        Ok(())
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
                .query_row(sql, [value], |r| r.get::<_, String>(0))
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
}

fn json_str<T: serde::Serialize>(value: &T) -> String {
    // Enum vocabularies serialise as JSON strings; keep the bare name.
    let s = serde_json::to_string(value).unwrap_or_default();
    s.trim_matches('"').to_string()
}

impl Store for SqliteStore {
    fn find_duplicate(
        &self,
        doc: &Document,
    ) -> Result<Option<(String, DuplicateReason)>, StoreError> {
        let canonical = doc.url.as_deref().and_then(canonical_url);
        Self::lookup(&self.conn, &content_hash(&doc.text), canonical.as_deref())
            .map_err(self.err("looking up a document"))
    }

    fn insert_batch(&mut self, batch: &[(Document, Analysis)]) -> Result<Vec<Outcome>, StoreError> {
        let path = self.path.clone();
        let err = |action: &'static str| {
            let path = path.clone();
            move |source| StoreError::Sqlite {
                path,
                action,
                source,
            }
        };
        // The index changes only if the transaction commits.
        let mut index = self.index.clone();
        let tx = self
            .conn
            .transaction()
            .map_err(err("starting a transaction"))?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for (doc, analysis) in batch {
            let hash = content_hash(&doc.text);
            let canonical = doc.url.as_deref().and_then(canonical_url);
            if let Some((existing, reason)) = Self::lookup(&tx, &hash, canonical.as_deref())
                .map_err(err("looking up a document"))?
            {
                outcomes.push(Outcome::Duplicate { existing, reason });
                continue;
            }
            let analysis_json =
                serde_json::to_string(analysis).map_err(|source| StoreError::Json {
                    path: path.clone(),
                    doc: doc.id.clone(),
                    source,
                })?;
            tx.execute(
                "INSERT INTO documents (id, url, canonical_url, title, source, published, content_hash, story)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
                params![
                    doc.id,
                    doc.url,
                    canonical,
                    doc.title,
                    doc.source,
                    doc.published.map(|t| t.to_rfc3339()),
                    hash
                ],
            )
            .map_err(err("storing a document"))?;
            let key = tx.last_insert_rowid();
            let joined = index
                .insert(&key.to_string(), &analysis.text)
                .and_then(|s| s.parse::<i64>().ok());
            let story = joined.unwrap_or(key);
            tx.execute(
                "UPDATE documents SET story = ?1 WHERE key = ?2",
                params![story, key],
            )
            .map_err(err("storing a document"))?;
            tx.execute(
                "INSERT INTO analyses (doc, json) VALUES (?1, ?2)",
                params![key, analysis_json],
            )
            .map_err(err("storing an analysis"))?;
            for event in &analysis.events {
                let json = serde_json::to_string(event).map_err(|source| StoreError::Json {
                    path: path.clone(),
                    doc: doc.id.clone(),
                    source,
                })?;
                tx.execute(
                    "INSERT OR REPLACE INTO events (doc, id, kind, stage, json) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![key, event.id, json_str(&event.kind), json_str(&event.stage), json],
                )
                .map_err(err("storing an event"))?;
            }
            for entity in &analysis.entities {
                tx.execute(
                    "INSERT OR REPLACE INTO entities (doc, id, kind, name, kb_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![key, entity.id, json_str(&entity.kind), entity.name, entity.kb_id],
                )
                .map_err(err("storing an entity"))?;
            }
            outcomes.push(match joined {
                Some(story) => Outcome::NearDuplicate { key, story },
                None => Outcome::New { key, story },
            });
        }
        tx.commit().map_err(err("committing a batch"))?;
        self.index = index;
        Ok(outcomes)
    }

    fn recompute_incidents(&mut self) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let err = |action: &'static str| {
            let path = path.clone();
            move |source| StoreError::Sqlite {
                path,
                action,
                source,
            }
        };
        let mut analyses: Vec<(String, Analysis)> = Vec::new();
        let mut doc_sources: HashMap<String, String> = HashMap::new();
        {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT d.id, a.json, d.source FROM documents d JOIN analyses a ON a.doc = d.key
                     WHERE EXISTS (SELECT 1 FROM events e WHERE e.doc = d.key) ORDER BY d.key",
                )
                .map_err(err("reading analyses"))?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                })
                .map_err(err("reading analyses"))?;
            for row in rows {
                let (id, json, source) = row.map_err(err("reading analyses"))?;
                if let Some(source) = source {
                    doc_sources.insert(id.clone(), source);
                }
                let analysis: Analysis =
                    serde_json::from_str(&json).map_err(|source| StoreError::Json {
                        path: path.clone(),
                        doc: id.clone(),
                        source,
                    })?;
                analyses.push((id, analysis));
            }
        }
        let reports: Vec<(&str, &Analysis)> =
            analyses.iter().map(|(id, a)| (id.as_str(), a)).collect();
        let incidents: Vec<Incident> = vigil_corpus::merge_events(&reports);
        let tx = self
            .conn
            .transaction()
            .map_err(err("starting a transaction"))?;
        tx.execute("DELETE FROM incidents", [])
            .map_err(err("clearing incidents"))?;
        tx.execute("DELETE FROM incident_search", [])
            .map_err(err("clearing the search index"))?;
        let by_id: HashMap<&str, &Analysis> =
            analyses.iter().map(|(id, a)| (id.as_str(), a)).collect();
        for incident in &incidents {
            let json = serde_json::to_string(incident).map_err(|source| StoreError::Json {
                path: path.clone(),
                doc: incident.id.clone(),
                source,
            })?;
            tx.execute(
                "INSERT OR REPLACE INTO incidents (id, kind, json) VALUES (?1, ?2, ?3)",
                params![incident.id, json_str(&incident.kind), json],
            )
            .map_err(err("storing an incident"))?;
            let row = search::index_row(incident, &by_id, &doc_sources);
            tx.execute(
                "INSERT INTO incident_search (id, body, snippet, actors, places, sources)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    incident.id,
                    row.body,
                    row.snippet,
                    row.actors,
                    row.places,
                    row.sources
                ],
            )
            .map_err(err("indexing an incident"))?;
        }
        tx.commit().map_err(err("committing incidents"))?;
        Ok(incidents.len())
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        let size_bytes = ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| {
                std::fs::metadata(self.dir.join(format!("{DB_FILE}{suffix}"))).ok()
            })
            .map(|m| m.len())
            .sum();
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

    fn search(&self, query: &Query, limit: usize) -> Result<Vec<Hit>, StoreError> {
        let fts = search::fts_expression(&query.words);
        let sql = if fts.is_some() {
            "SELECT i.id, i.json, s.snippet, s.actors, s.places, s.sources, -bm25(incident_search)
             FROM incident_search s JOIN incidents i ON i.id = s.id
             WHERE incident_search MATCH ?1"
        } else {
            "SELECT i.id, i.json, s.snippet, s.actors, s.places, s.sources, 0.0
             FROM incident_search s JOIN incidents i ON i.id = s.id"
        };
        let mut stmt = self.conn.prepare(sql).map_err(self.err("searching"))?;
        let map = |r: &rusqlite::Row<'_>| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                search::Row {
                    body: String::new(),
                    snippet: r.get(2)?,
                    actors: r.get(3)?,
                    places: r.get(4)?,
                    sources: r.get(5)?,
                },
                r.get::<_, f64>(6)?,
            ))
        };
        let rows = match &fts {
            Some(expr) => stmt.query_map([expr], map),
            None => stmt.query_map([], map),
        }
        .map_err(self.err("searching"))?;
        let mut hits = Vec::new();
        for row in rows {
            let (id, json, row, score) = row.map_err(self.err("searching"))?;
            let incident: Incident =
                serde_json::from_str(&json).map_err(|source| StoreError::Json {
                    path: self.path.clone(),
                    doc: id,
                    source,
                })?;
            if search::matches(query, &incident, &row) {
                hits.push(search::hit(&incident, &row, score));
            }
        }
        search::rank(&mut hits);
        hits.truncate(limit);
        Ok(hits)
    }
}

#[cfg(test)]
mod tests;
