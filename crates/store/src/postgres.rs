//! The PostgreSQL backend: several `vigil ingest` / `vigil watch` workers
//! and several servers on different machines share one database.
//!
//! * **Migrations** are versioned (`schema_migrations`, one row per applied
//!   version) and applied on connect, each in its own transaction, under a
//!   session advisory lock keyed by the schema, so workers starting at the
//!   same moment do not race: the first migrates, the others wait and find
//!   nothing left to do.
//! * **Ingest** batches take a transaction-scoped advisory lock (per
//!   schema) before the duplicate probes, and bring the in-memory
//!   near-duplicate index up to date with the stories other workers stored
//!   since (documents are keyed by a growing sequence), so concurrent
//!   workers neither store a document twice nor split a story. Analysis,
//!   the expensive part, runs outside the lock, in parallel.
//! * **Jobs** are claimed with `FOR UPDATE SKIP LOCKED`; leases and retry
//!   times use the database clock (`clock_timestamp()`), so workers on
//!   machines with skewed clocks agree on when a lease has expired.
//! * **Search** uses PostgreSQL's own full text search: the evidence text of
//!   each incident as a `tsvector` (`english` configuration) under a GIN
//!   index, free words as `phraseto_tsquery` terms joined with `&&`, ranked
//!   with `ts_rank`; the filters are the shared ones of [`crate::search`].
//!
//! Times that the SQLite backend keeps as text (publication, ingestion,
//! first/last seen) are kept as the same RFC 3339 text here, so both
//! backends return identical values.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use postgres::{Client, GenericClient, NoTls, Row, Statement, ToStatement};
use vigil_core::{Analysis, Document, EntityType, Incident, Origin};
use vigil_corpus::{Constraints, DuplicateIndex};

use crate::actors::{ActorTally, TalliedActor};
use crate::incremental::{self, Loaded};
use crate::search::{self, Query};
use crate::sqlite::{
    compress, incident_actor_keys, incident_bucket, restrict_to_members, split_sides, time_text,
    unpack,
};
use crate::{
    canonical_url, content_hash, json_str, retry_delay, Actor, ActorFilter, DuplicateReason,
    EventRef, FeedState, IncidentUpdate, Job, JobCounts, JobKind, JobState, NewJob, Outcome, Page,
    SearchPage, Sort, Split, Stats, Store, StoreError, StoredDocument, MAX_ATTEMPTS,
};

/// Versioned migrations: entry `i` is version `i + 1`. Append only.
const MIGRATIONS: &[&str] = &[
    // 1: everything the SQLite schema 3 holds.
    "CREATE TABLE documents (
        key BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL,
        url TEXT,
        canonical_url TEXT UNIQUE,
        title TEXT,
        source TEXT,
        published TEXT,
        content_hash TEXT NOT NULL UNIQUE,
        story BIGINT NOT NULL,
        ingested_at TEXT NOT NULL,
        author TEXT,
        origin TEXT
    );
    CREATE INDEX documents_story ON documents(story);
    CREATE INDEX documents_id ON documents(id);
    CREATE TABLE analyses (
        doc BIGINT PRIMARY KEY REFERENCES documents(key) ON DELETE CASCADE,
        json TEXT NOT NULL
    );
    CREATE TABLE events (
        doc BIGINT NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        stage TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (doc, id)
    );
    CREATE TABLE entities (
        doc BIGINT NOT NULL REFERENCES documents(key) ON DELETE CASCADE,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        kb_id TEXT,
        PRIMARY KEY (doc, id)
    );
    CREATE INDEX entities_name ON entities(kind, name);
    CREATE TABLE incidents (
        key BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        json TEXT NOT NULL,
        snippet TEXT,
        actors TEXT NOT NULL,
        places TEXT NOT NULL,
        sources TEXT NOT NULL,
        body TSVECTOR NOT NULL
    );
    CREATE INDEX incidents_body ON incidents USING GIN (body);
    CREATE TABLE incident_actors (
        actor TEXT NOT NULL,
        incident BIGINT NOT NULL REFERENCES incidents(key) ON DELETE CASCADE,
        PRIMARY KEY (actor, incident)
    );
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
        documents BIGINT NOT NULL DEFAULT 0
    );
    CREATE INDEX actors_documents ON actors(documents DESC, key);
    CREATE TABLE actor_aliases (
        actor TEXT NOT NULL,
        alias TEXT NOT NULL,
        PRIMARY KEY (actor, alias)
    );
    CREATE TABLE cannot_link (
        a_doc TEXT NOT NULL,
        a_event TEXT NOT NULL,
        b_doc TEXT NOT NULL,
        b_event TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (a_doc, a_event, b_doc, b_event)
    );
    CREATE TABLE jobs (
        id BIGSERIAL PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT 'null',
        state TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        worker TEXT,
        lease_until TIMESTAMPTZ,
        available_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
    );
    CREATE INDEX jobs_queued ON jobs(state, available_at);
    CREATE INDEX jobs_leases ON jobs(state, lease_until);
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        last_polled TIMESTAMPTZ
    );",
    // 2: the analyst's desk: API tokens, watchlists, the alert outbox
    // (`desk.rs`).
    crate::desk::POSTGRES_MIGRATION,
    // 3: incremental incident merging: each incident's candidate bucket
    // (type family, country) and how far the merge has got (the highest
    // document key whose events are in the incidents; -1: unknown, the next
    // merge recomputes every incident). Events are no longer stored twice
    // (`events.json` is left empty: the event is in the analysis).
    "ALTER TABLE incidents ADD COLUMN family TEXT;
    ALTER TABLE incidents ADD COLUMN country TEXT;
    CREATE INDEX incidents_bucket ON incidents(family, country);
    CREATE TABLE store_state (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
    INSERT INTO store_state (key, value) VALUES ('merged_through', -1);",
    // 4: every search filter in SQL (`search`, `for_each_incident`): the
    // filter values (`search::FilterColumns`) as arrays under GIN indexes (`&&`),
    // the date range under B-tree indexes, and a dictionary of source
    // values for `source:` substrings. Existing incidents are filled by
    // `fill_filter_columns` in the same transaction. The wide columns (JSON,
    // tsvector, lists) move out of line (`toast_tuple_target`) while the
    // filter columns stay in the row (`STORAGE MAIN`): counting the matches
    // of a broad filter reads narrow rows only.
    "ALTER TABLE incidents ADD COLUMN types TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN stages TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN actor_terms TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN place_terms TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN source_terms TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN date_start DATE,
        ADD COLUMN date_end DATE;
    CREATE INDEX incidents_types ON incidents USING GIN (types);
    CREATE INDEX incidents_stages ON incidents USING GIN (stages);
    CREATE INDEX incidents_actor_terms ON incidents USING GIN (actor_terms);
    CREATE INDEX incidents_place_terms ON incidents USING GIN (place_terms);
    CREATE INDEX incidents_source_terms ON incidents USING GIN (source_terms);
    CREATE INDEX incidents_date_end ON incidents (date_end);
    CREATE INDEX incidents_recency ON incidents (date_start DESC NULLS LAST, id COLLATE \"C\");
    CREATE TABLE search_sources (value TEXT PRIMARY KEY);
    ALTER TABLE incidents SET (toast_tuple_target = 128);
    ALTER TABLE incidents ALTER COLUMN id SET STORAGE MAIN,
        ALTER COLUMN types SET STORAGE MAIN, ALTER COLUMN stages SET STORAGE MAIN,
        ALTER COLUMN actor_terms SET STORAGE MAIN, ALTER COLUMN place_terms SET STORAGE MAIN,
        ALTER COLUMN source_terms SET STORAGE MAIN;",
    // 5: `since:` and `until:` together (an interval overlapping the
    // query's) through one index: the two B-tree indexes of migration 4
    // each find every incident before (or after) a day.
    "CREATE INDEX incidents_dates ON incidents
        USING GIST (daterange(date_start, GREATEST(date_start, date_end), '[]'));",
    // 6: analyses and incidents keep their JSON zstd-compressed (`zjson`,
    // the same frames as the SQLite store's), about a fourth of the text.
    // Rows written before keep their `json` TEXT; new rows leave it NULL
    // (or hold the text should compression fail). Every read takes
    // whichever is set (`stored_json`).
    "ALTER TABLE analyses ALTER COLUMN json DROP NOT NULL, ADD COLUMN zjson BYTEA;
    ALTER TABLE incidents ALTER COLUMN json DROP NOT NULL, ADD COLUMN zjson BYTEA;",
    // 7: `crime:` and `killed:`: the crimes of the incident and its
    // sources (an array under GIN, as `types`), the count of the dead and
    // the least number dead (the count, else 1 for a fatal incident; see
    // `search::KilledTerm`) under B-tree indexes. Existing incidents are
    // filled by `fill_crime_and_killed` in the same transaction.
    "ALTER TABLE incidents ADD COLUMN crimes TEXT[] NOT NULL DEFAULT '{}',
        ADD COLUMN killed BIGINT,
        ADD COLUMN killed_least BIGINT;
    CREATE INDEX incidents_crimes ON incidents USING GIN (crimes);
    CREATE INDEX incidents_killed ON incidents (killed);
    CREATE INDEX incidents_killed_least ON incidents (killed_least);
    ALTER TABLE incidents ALTER COLUMN crimes SET STORAGE MAIN;",
];

/// The migration that added the filter columns (see [`MIGRATIONS`]).
const FILTER_COLUMNS_VERSION: usize = 4;

/// The migration that added the `crime:` and `killed:` columns.
const CRIME_KILLED_VERSION: usize = 7;

/// Incidents read per round trip when a migration fills new columns.
const FILL_BATCH: i64 = 500;

/// The incident statements of one transaction, prepared once.
struct IncidentWriter {
    insert: Statement,
    actors: Statement,
}

impl IncidentWriter {
    fn new(client: &mut impl GenericClient, url: &str) -> Result<Self, StoreError> {
        let mut prepare = |sql: &str| {
            client
                .prepare(sql)
                .map_err(pg_err(url, "preparing the incident statements"))
        };
        Ok(IncidentWriter {
            insert: prepare(&format!(
                "WITH dictionary AS (
                    INSERT INTO search_sources (value) SELECT unnest($15::text[])
                    ON CONFLICT DO NOTHING)
                 INSERT INTO incidents (id, kind, json, zjson, snippet, actors, places, sources,
                    body, family, country, types, stages, actor_terms, place_terms, source_terms,
                    date_start, date_end, crimes, killed, killed_least)
                 VALUES ($1, $2, $3, $18, $4, $5, $6, $7, to_tsvector('{TS_CONFIG}', $8), $9,
                    $10, $11, $12, $13, $14, $15, $16, $17, $19, $20, $21)
                 RETURNING key"
            ))?,
            actors: prepare(
                "INSERT INTO incident_actors (actor, incident)
                 SELECT a, $2 FROM unnest($1::text[]) AS a ON CONFLICT DO NOTHING",
            )?,
        })
    }
}

/// The schema version this build writes.
pub const PG_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The text search configuration of incident bodies and queries.
const TS_CONFIG: &str = "english";

/// Incidents read per round trip by [`Store::for_each_incident`].
const STREAM_BATCH: i64 = 500;

/// A PostgreSQL URL with its password masked, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{userinfo}@{host}{tail}")
            }
        }
        None => url.to_string(),
    }
}

/// The PostgreSQL store: one connection (share it behind the internal
/// mutex, or connect once per worker thread).
pub struct PostgresStore {
    pub(crate) client: Mutex<Client>,
    /// The URL without its password (for messages).
    pub(crate) url: String,
    index: DuplicateIndex,
    /// The highest document key the index has seen.
    indexed_up_to: i64,
    limits: SearchLimits,
}

/// How much of the matches a search visits beyond its page.
#[derive(Debug, Clone, Copy)]
struct SearchLimits {
    /// Matches counted exactly ([`search::TOTAL_CAP`]).
    total_cap: usize,
    /// With free words: the most recent matches ranked by relevance
    /// ([`RANK_WINDOW`]).
    rank_window: usize,
}

impl SearchLimits {
    fn count_limit(&self, page: &Page) -> usize {
        search::count_limit(self.total_cap, page)
    }
}

/// With free words, the most recent matches whose relevance (`ts_rank`)
/// orders them; older matches follow, most recent first. Scoring every
/// match of a common word costs time in proportion to the matches.
pub const RANK_WINDOW: usize = 200;

/// A transaction holding the store's incident lock (a transaction-scoped
/// advisory lock per schema): recomputes, merges, splits and imports of
/// incidents run one at a time, so the state one reads is the state it
/// writes back.
fn incident_transaction<'c>(
    client: &'c mut Client,
    url: &str,
) -> Result<postgres::Transaction<'c>, StoreError> {
    let mut tx = client
        .transaction()
        .map_err(pg_err(url, "starting a transaction"))?;
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('vigil-incidents:' || current_schema()))",
        &[],
    )
    .map_err(pg_err(url, "waiting for the incident lock"))?;
    Ok(tx)
}

fn json_error(url: &str, what: &str) -> impl FnOnce(serde_json::Error) -> StoreError {
    let path = url.into();
    let doc = what.to_string();
    move |source| StoreError::Json { path, doc, source }
}

/// A JSON value as written from migration 6 on: `(None, Some(zstd frame))`,
/// or `(Some(text), None)` should compression fail.
fn pack(json: String) -> (Option<String>, Option<Vec<u8>>) {
    match compress(json.as_bytes()) {
        Some(bytes) => (None, Some(bytes)),
        None => (Some(json), None),
    }
}

/// Decodes the stored JSON of an analysis or incident row: the
/// zstd-compressed column `packed` (`zjson`, migration 6 on) when set, else
/// the text column `text` (`json`, rows written before). `what` names the
/// row in errors.
fn stored_json<T: serde::de::DeserializeOwned>(
    row: &Row,
    text: usize,
    packed: usize,
    url: &str,
    what: &str,
) -> Result<T, StoreError> {
    if let Some(bytes) = row.get::<_, Option<&[u8]>>(packed) {
        let json = unpack(bytes).map_err(|e| {
            json_error(url, what)(<serde_json::Error as serde::de::Error>::custom(format!(
                "its zstd-compressed JSON does not decompress: {e}"
            )))
        })?;
        return serde_json::from_slice(&json).map_err(json_error(url, what));
    }
    let json: Option<&str> = row.get(text);
    serde_json::from_str(json.unwrap_or_default()).map_err(json_error(url, what))
}

/// Just the cleaned text of a stored analysis (the near-duplicate index).
#[derive(serde::Deserialize)]
struct AnalysisText {
    text: String,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:pass@host:port/db`,
    /// `?host=/tmp` for a Unix socket), applies pending migrations and
    /// builds the near-duplicate index from the stored stories.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let redacted = redact(url);
        let client = Client::connect(url, NoTls).map_err(|source| StoreError::Postgres {
            url: redacted.clone(),
            action: "connecting",
            source,
        })?;
        let mut store = PostgresStore {
            client: Mutex::new(client),
            url: redacted,
            index: DuplicateIndex::new(),
            indexed_up_to: 0,
            limits: SearchLimits {
                total_cap: search::TOTAL_CAP,
                rank_window: RANK_WINDOW,
            },
        };
        store.migrate()?;
        let mut client = store.client.lock().unwrap_or_else(|p| p.into_inner());
        let (index, up_to) = (&mut store.index, &mut store.indexed_up_to);
        refresh_index(&mut *client, &store.url, index, up_to)?;
        drop(client);
        Ok(store)
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn err(&self, action: &'static str) -> impl FnOnce(postgres::Error) -> StoreError {
        pg_err(&self.url, action)
    }

    /// The schema version of the database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        let mut client = self.client();
        schema_version(&mut *client, &self.url)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let url = self.url.clone();
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let err = |action| pg_err(&url, action);
        client
            .execute(
                "SELECT pg_advisory_lock(hashtext('vigil-migrate:' || current_schema()))",
                &[],
            )
            .map_err(err("waiting for the migration lock"))?;
        let result = (|| {
            client
                .batch_execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY,
                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                )
                .map_err(err("creating the migration table"))?;
            let found = schema_version(client, &url)?;
            if found > PG_SCHEMA_VERSION {
                return Err(StoreError::TooNewPostgres {
                    url: url.clone(),
                    found,
                    supported: PG_SCHEMA_VERSION,
                });
            }
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
                let mut tx = client.transaction().map_err(err("starting a migration"))?;
                tx.batch_execute(sql).map_err(err("applying a migration"))?;
                if i + 1 == FILTER_COLUMNS_VERSION {
                    fill_filter_columns(&mut tx, &url)?;
                }
                if i + 1 == CRIME_KILLED_VERSION {
                    fill_crime_and_killed(&mut tx, &url)?;
                }
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[&((i + 1) as i32)],
                )
                .map_err(err("recording a migration"))?;
                tx.commit().map_err(err("committing a migration"))?;
            }
            Ok(())
        })();
        let unlock = client
            .execute(
                "SELECT pg_advisory_unlock(hashtext('vigil-migrate:' || current_schema()))",
                &[],
            )
            .map_err(err("releasing the migration lock"));
        result?;
        unlock.map(|_| ())
    }

    #[allow(clippy::type_complexity)]
    fn load_analyses(
        client: &mut impl GenericClient,
        url: &str,
        only: Option<&HashSet<String>>,
    ) -> Result<(Vec<(String, Analysis)>, HashMap<String, String>), StoreError> {
        let rows = match only {
            None => client.query(
                "SELECT d.id, a.json, d.source, a.zjson FROM documents d JOIN analyses a ON a.doc = d.key
                 WHERE EXISTS (SELECT 1 FROM events e WHERE e.doc = d.key) ORDER BY d.key",
                &[],
            ),
            Some(ids) => {
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                client.query(
                    "SELECT d.id, a.json, d.source, a.zjson FROM documents d JOIN analyses a ON a.doc = d.key
                     WHERE d.id = ANY($1) ORDER BY d.key",
                    &[&ids],
                )
            }
        }
        .map_err(pg_err(url, "reading analyses"))?;
        let mut analyses = Vec::with_capacity(rows.len());
        let mut doc_sources = HashMap::new();
        let mut seen: HashSet<String> = HashSet::new();
        for row in rows {
            let id: String = row.get(0);
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(source) = row.get::<_, Option<String>>(2) {
                doc_sources.insert(id.clone(), source);
            }
            let analysis: Analysis = stored_json(&row, 1, 3, url, &id)?;
            analyses.push((id, analysis));
        }
        Ok((analyses, doc_sources))
    }

    fn load_constraints(
        client: &mut impl GenericClient,
        url: &str,
    ) -> Result<Constraints, StoreError> {
        let mut constraints = Constraints::new();
        let rows = client
            .query(
                "SELECT a_doc, a_event, b_doc, b_event FROM cannot_link",
                &[],
            )
            .map_err(pg_err(url, "reading split constraints"))?;
        for row in rows {
            let (a, b, c, d): (String, String, String, String) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            constraints.add((&a, &b), (&c, &d));
        }
        Ok(constraints)
    }

    fn write_incident(
        client: &mut impl GenericClient,
        url: &str,
        writer: &IncidentWriter,
        incident: &Incident,
        by_id: &HashMap<&str, &Analysis>,
        doc_sources: &HashMap<String, String>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(incident).map_err(json_error(url, &incident.id))?;
        let (json, zjson) = pack(json);
        let row = search::index_row(incident, by_id, doc_sources);
        let (family, country) = incident_bucket(incident, by_id);
        let f = search::FilterColumns::of(incident, &row);
        let key: i64 = client
            .query_one(
                &writer.insert,
                &[
                    &incident.id,
                    &json_str(&incident.kind),
                    &json,
                    &row.snippet,
                    &row.actors,
                    &row.places,
                    &row.sources,
                    &row.body,
                    &family.as_str(),
                    &country,
                    &f.types,
                    &f.stages,
                    &f.actors,
                    &f.places,
                    &f.sources,
                    &f.start,
                    &f.end,
                    &zjson,
                    &f.crimes,
                    &f.killed,
                    &f.killed_least,
                ],
            )
            .map_err(pg_err(url, "storing an incident"))?
            .get(0);
        let actors = incident_actor_keys(incident, by_id);
        if !actors.is_empty() {
            client
                .execute(&writer.actors, &[&actors, &key])
                .map_err(pg_err(url, "storing incident actors"))?;
        }
        Ok(())
    }

    /// The analyses with events of the documents with keys in
    /// `(after, upto]`, in insertion order, and their sources by id.
    fn load_range(
        client: &mut impl GenericClient,
        url: &str,
        after: i64,
        upto: i64,
    ) -> Result<(Loaded, HashMap<String, String>), StoreError> {
        let rows = client
            .query(
                "SELECT d.key, d.id, a.json, d.source, a.zjson FROM documents d JOIN analyses a ON a.doc = d.key
                 WHERE d.key > $1 AND d.key <= $2
                   AND EXISTS (SELECT 1 FROM events e WHERE e.doc = d.key)
                 ORDER BY d.key",
                &[&after, &upto],
            )
            .map_err(pg_err(url, "reading analyses"))?;
        Self::parse_loaded(url, rows, false)
    }

    /// The analyses of the documents with ids `ids` (the first stored of
    /// each id), in insertion order, and their sources by id.
    fn load_keyed(
        client: &mut impl GenericClient,
        url: &str,
        ids: &HashSet<String>,
    ) -> Result<(Loaded, HashMap<String, String>), StoreError> {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let rows = client
            .query(
                "SELECT d.key, d.id, a.json, d.source, a.zjson FROM documents d JOIN analyses a ON a.doc = d.key
                 WHERE d.id = ANY($1) ORDER BY d.key",
                &[&ids],
            )
            .map_err(pg_err(url, "reading analyses"))?;
        Self::parse_loaded(url, rows, true)
    }

    fn parse_loaded(
        url: &str,
        rows: Vec<Row>,
        first_per_id: bool,
    ) -> Result<(Loaded, HashMap<String, String>), StoreError> {
        let mut loaded = Vec::with_capacity(rows.len());
        let mut sources = HashMap::new();
        let mut seen: HashSet<String> = HashSet::new();
        for row in rows {
            let id: String = row.get(1);
            if first_per_id && !seen.insert(id.clone()) {
                continue;
            }
            if let Some(source) = row.get::<_, Option<String>>(3) {
                sources.insert(id.clone(), source);
            }
            let analysis: Analysis = stored_json(&row, 2, 4, url, &id)?;
            loaded.push((row.get(0), id, analysis));
        }
        Ok((loaded, sources))
    }

    /// The merge state (see migration 3).
    fn merged_through(client: &mut impl GenericClient, url: &str) -> Result<i64, StoreError> {
        Ok(client
            .query_opt(
                "SELECT value FROM store_state WHERE key = 'merged_through'",
                &[],
            )
            .map_err(pg_err(url, "reading the merge state"))?
            .map_or(-1, |r| r.get(0)))
    }

    fn set_merged_through(
        client: &mut impl GenericClient,
        url: &str,
        value: i64,
    ) -> Result<(), StoreError> {
        client
            .execute(
                "INSERT INTO store_state (key, value) VALUES ('merged_through', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&value],
            )
            .map_err(pg_err(url, "recording the merge state"))?;
        Ok(())
    }

    fn last_document_key(client: &mut impl GenericClient, url: &str) -> Result<i64, StoreError> {
        Ok(client
            .query_one("SELECT COALESCE(MAX(key), 0)::BIGINT FROM documents", &[])
            .map_err(pg_err(url, "reading the last document"))?
            .get(0))
    }

    /// [`Store::recompute_incidents`], with what it did.
    fn recompute_all(&mut self) -> Result<IncidentUpdate, StoreError> {
        let url = self.url.clone();
        let err = |action| pg_err(&url, action);
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let mut tx = incident_transaction(client, &url)?;
        // Documents stored after this point are merged by the next merge.
        let last = Self::last_document_key(&mut tx, &url)?;
        let (loaded, doc_sources) = Self::load_range(&mut tx, &url, -1, last)?;
        let constraints = Self::load_constraints(&mut tx, &url)?;
        let reports: Vec<(&str, &Analysis)> =
            loaded.iter().map(|(_, id, a)| (id.as_str(), a)).collect();
        let incidents = vigil_corpus::merge_events_with(&reports, &constraints);
        let by_id: HashMap<&str, &Analysis> = reports.iter().copied().collect();
        tx.batch_execute("DELETE FROM incident_actors; DELETE FROM incidents;")
            .map_err(err("clearing incidents"))?;
        let writer = IncidentWriter::new(&mut tx, &url)?;
        for incident in &incidents {
            Self::write_incident(&mut tx, &url, &writer, incident, &by_id, &doc_sources)?;
        }
        Self::set_merged_through(&mut tx, &url, last)?;
        tx.commit().map_err(err("committing incidents"))?;
        analyze_after(client, &url, incidents.len(), incidents.len())?;
        Ok(IncidentUpdate {
            documents: loaded.len(),
            created: incidents.len(),
            updated: 0,
            total: incidents.len(),
            recomputed: true,
        })
    }

    fn incident_row(&self, id: &str) -> Result<Option<(i64, Incident)>, StoreError> {
        let row = self
            .client()
            .query_opt(
                "SELECT key, json, zjson FROM incidents WHERE id = $1",
                &[&id],
            )
            .map_err(self.err("reading an incident"))?;
        match row {
            None => Ok(None),
            Some(row) => {
                let incident = stored_json(&row, 1, 2, &self.url, id)?;
                Ok(Some((row.get(0), incident)))
            }
        }
    }

    /// The SQL condition of a query; `None` when nothing can match. The
    /// `source:` terms are looked up in the dictionary of stored source
    /// values (tens to thousands of rows, a sequential `strpos` over
    /// them), as the tantivy backend runs a regular expression over its
    /// term dictionary.
    fn filter(&self, query: &Query) -> Result<Option<SqlFilter>, StoreError> {
        let mut sources = Vec::new();
        if !query.sources.is_empty() {
            let rows = self
                .client()
                .query(
                    "SELECT value FROM search_sources
                     WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) t WHERE strpos(value, t) > 0)
                     ORDER BY value",
                    &[&query.sources],
                )
                .map_err(self.err("looking up sources"))?;
            if rows.is_empty() {
                return Ok(None);
            }
            sources = rows.iter().map(|r| r.get(0)).collect();
        }
        // Free words that are stop words (`of`, `the`) are left out: the
        // tsvector does not hold them, so they would match nothing, where
        // the tantivy backend finds them in nearly every text.
        let mut words = query.words.clone();
        if words.iter().any(|w| w.chars().any(char::is_alphanumeric)) {
            let rows = self
                .client()
                .query(
                    &format!(
                        "SELECT w FROM unnest($1::text[]) WITH ORDINALITY AS u(w, n)
                         WHERE numnode(phraseto_tsquery('{TS_CONFIG}', w)) > 0 ORDER BY n"
                    ),
                    &[&words],
                )
                .map_err(self.err("parsing free words"))?;
            words = rows.iter().map(|r| r.get(0)).collect();
            if words.is_empty() {
                // Stop words only: the filters alone (an empty list would
                // mean "nothing can match").
                let filters = Query {
                    words: Vec::new(),
                    ..query.clone()
                };
                return Ok(SqlFilter::of(&filters, &[], &sources));
            }
        }
        Ok(SqlFilter::of(query, &words, &sources))
    }

    /// Counts the matches of `cond`, stopping at `limit` rows
    /// ([`search::count_limit`]): the cost of a broad filter is bounded by
    /// the limit, not by the number of matches.
    fn capped_count(
        &self,
        client: &mut impl GenericClient,
        cond: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        limit: usize,
    ) -> Result<usize, StoreError> {
        let counted: i64 = client
            .query_one(
                format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM incidents WHERE {cond} LIMIT {limit}) m"
                )
                .as_str(),
                params,
            )
            .map_err(self.err("counting search results"))?
            .get(0);
        Ok(usize::try_from(counted).unwrap_or(0))
    }

    /// The planner's estimates of the incidents matching `cond` and of all
    /// incidents.
    fn estimate(
        &self,
        client: &mut impl GenericClient,
        cond: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<(f64, f64), StoreError> {
        let mut rows = |sql: &str,
                        params: &[&(dyn postgres::types::ToSql + Sync)]|
         -> Result<f64, StoreError> {
            let plan: serde_json::Value = client
                .query_one(format!("EXPLAIN (FORMAT JSON) {sql}").as_str(), params)
                .map_err(self.err("estimating search results"))?
                .try_get(0)
                .map_err(self.err("estimating search results"))?;
            Ok(plan[0]["Plan"]["Plan Rows"].as_f64().unwrap_or(0.0))
        };
        let matches = rows(&format!("SELECT 1 FROM incidents WHERE {cond}"), params)?;
        let all = rows("SELECT 1 FROM incidents", &[])?;
        Ok((matches, all))
    }

    /// The `tsquery` expression for the free words, with one parameter per
    /// word numbered from `$first`, and those words: the ones with a letter
    /// or digit (the others cannot match anything).
    fn ts_query(words: &[String], first: usize) -> (String, Vec<String>) {
        let words: Vec<String> = words
            .iter()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .cloned()
            .collect();
        let expr = (0..words.len())
            .map(|i| format!("phraseto_tsquery('{TS_CONFIG}', ${})", first + i))
            .collect::<Vec<_>>()
            .join(" && ");
        (expr, words)
    }
}

/// A query's filters and free words as one SQL condition over
/// `incidents` (every part an index lookup: GIN on the tsvector and the
/// filter arrays, B-tree on the dates) and its parameters `$1…`.
struct SqlFilter {
    conditions: Vec<String>,
    /// The relevance of a matching incident (`ts_rank`; 0 without words).
    score: String,
    params: Vec<Box<dyn postgres::types::ToSql + Sync>>,
}

impl SqlFilter {
    /// `None` when the query has free words but none with a letter or
    /// digit (nothing can match). `sources`: the stored source values
    /// matching the query's `source:` terms.
    fn of(query: &Query, words: &[String], sources: &[String]) -> Option<Self> {
        let (expr, words) = PostgresStore::ts_query(words, 1);
        if words.is_empty() && !query.words.is_empty() {
            return None;
        }
        let mut filter = SqlFilter {
            conditions: Vec::new(),
            score: "0::float8".to_string(),
            params: Vec::new(),
        };
        if !words.is_empty() {
            filter.conditions.push(format!("body @@ ({expr})"));
            filter.score = format!("ts_rank(body, {expr})::float8");
            for w in words {
                filter.params.push(Box::new(w));
            }
        }
        let arrays = [
            ("types", search::type_names(query)),
            ("stages", search::stage_names(query)),
            ("crimes", search::crime_names(query)),
            ("actor_terms", query.actors.clone()),
            ("place_terms", search::place_terms(query)),
        ];
        for (column, values) in arrays {
            if !values.is_empty() {
                filter.params.push(Box::new(values));
                let n = filter.params.len();
                filter.conditions.push(format!("{column} && ${n}::text[]"));
            }
        }
        if !query.sources.is_empty() {
            // The distinct source values containing a term, looked up
            // first ([`PostgresStore::filter`]): the planner sees the
            // values (and their frequency in the column's statistics)
            // where a subquery would be a guess.
            filter.params.push(Box::new(sources.to_vec()));
            let n = filter.params.len();
            filter
                .conditions
                .push(format!("source_terms && ${n}::text[]"));
        }
        if !query.killed.is_empty() {
            let any: Vec<String> = query
                .killed
                .iter()
                .map(|term| filter.killed_condition(term))
                .collect();
            filter.conditions.push(format!("({})", any.join(" OR ")));
        }
        if let Some(since) = query.since {
            filter.params.push(Box::new(since));
            let n = filter.params.len();
            filter.conditions.push(format!("date_end >= ${n}"));
        }
        if let Some(until) = query.until {
            filter.params.push(Box::new(until));
            let n = filter.params.len();
            filter.conditions.push(format!("date_start <= ${n}"));
        }
        if let (Some(since), Some(until)) = (query.since, query.until) {
            // Implied by the two conditions above for every dated
            // incident (`GREATEST`: an interval stored end first counts as
            // its start day), so it changes no result; it lets the
            // `incidents_dates` index find the overlapping intervals.
            if since <= until {
                let n = filter.params.len();
                filter.conditions.push(format!(
                    "daterange(date_start, GREATEST(date_start, date_end), '[]')
                        && daterange(${}, ${n}, '[]')",
                    n - 1
                ));
            }
        }
        Some(filter)
    }

    /// The condition of one `killed:` term (its parameters pushed): the
    /// least number dead without an upper bound, the count with one (see
    /// `search::killed_least`).
    fn killed_condition(&mut self, term: &search::KilledTerm) -> String {
        self.params.push(Box::new(i64::from(term.min)));
        let min = self.params.len();
        match term.max {
            None => format!("killed_least >= ${min}"),
            Some(max) if max == term.min => format!("killed = ${min}"),
            Some(max) => {
                self.params.push(Box::new(i64::from(max)));
                format!("killed BETWEEN ${min} AND ${}", self.params.len())
            }
        }
    }

    fn condition(&self) -> String {
        if self.conditions.is_empty() {
            "TRUE".to_string()
        } else {
            self.conditions.join(" AND ")
        }
    }

    fn params(&self) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn postgres::types::ToSql + Sync))
            .collect()
    }
}

/// Refreshes the planner's statistics of `incidents` after a merge that
/// wrote `written` of its `total` incidents, when that is a tenth or more
/// (as autovacuum would, but at once): the search plans (`search`) rest
/// on the estimates, and a store just filled has none (a search right
/// after a bulk load then read every match of a common word, 200 ms at
/// 100,000 incidents, instead of walking the recency index).
fn analyze_after(
    client: &mut Client,
    url: &str,
    written: usize,
    total: usize,
) -> Result<(), StoreError> {
    if written == 0 || written.saturating_mul(10) < total {
        return Ok(());
    }
    client
        .batch_execute("ANALYZE incidents")
        .map_err(pg_err(url, "analysing incidents"))
}

/// Fills the filter columns of migration 4 for the incidents stored
/// before it, from each incident's JSON and its actor/place/source lists.
fn fill_filter_columns(client: &mut impl GenericClient, url: &str) -> Result<(), StoreError> {
    let update = client
        .prepare(
            "WITH dictionary AS (
                INSERT INTO search_sources (value) SELECT unnest($5::text[])
                ON CONFLICT DO NOTHING)
             UPDATE incidents SET types = $2, stages = $3, actor_terms = $4, place_terms = $6,
                source_terms = $5, date_start = $7, date_end = $8
             WHERE key = $1",
        )
        .map_err(pg_err(url, "preparing the search column update"))?;
    let mut after = 0i64;
    loop {
        let rows = client
            .query(
                "SELECT key, id, json, actors, places, sources FROM incidents
                 WHERE key > $1 ORDER BY key LIMIT 1000",
                &[&after],
            )
            .map_err(pg_err(url, "reading incidents for the search columns"))?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get(0);
        for r in &rows {
            let id: String = r.get(1);
            let json: String = r.get(2);
            let incident: Incident = serde_json::from_str(&json).map_err(json_error(url, &id))?;
            let row = search::Row {
                actors: r.get(3),
                places: r.get(4),
                sources: r.get(5),
                ..search::Row::default()
            };
            let f = search::FilterColumns::of(&incident, &row);
            client
                .execute(
                    &update,
                    &[
                        &r.get::<_, i64>(0),
                        &f.types,
                        &f.stages,
                        &f.actors,
                        &f.sources,
                        &f.places,
                        &f.start,
                        &f.end,
                    ],
                )
                .map_err(pg_err(url, "filling the search columns"))?;
        }
    }
}

/// Fills the columns of migration 7 (`crimes`, `killed`, `killed_least`)
/// for the incidents stored before it: from each incident's JSON (text or
/// compressed) and, for the sources' crimes, the analyses of its sources,
/// as [`PostgresStore::write_incident`] does.
fn fill_crime_and_killed(client: &mut impl GenericClient, url: &str) -> Result<(), StoreError> {
    let update = client
        .prepare("UPDATE incidents SET crimes = $2, killed = $3, killed_least = $4 WHERE key = $1")
        .map_err(pg_err(url, "preparing the crime and killed column update"))?;
    let mut after = 0i64;
    loop {
        let rows = client
            .query(
                "SELECT key, id, json, zjson FROM incidents WHERE key > $1 ORDER BY key LIMIT $2",
                &[&after, &FILL_BATCH],
            )
            .map_err(pg_err(
                url,
                "reading incidents for the crime and killed columns",
            ))?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get(0);
        let mut incidents = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: String = r.get(1);
            let incident: Incident = stored_json(r, 2, 3, url, &id)?;
            incidents.push((r.get::<_, i64>(0), incident));
        }
        let docs: HashSet<String> = incidents
            .iter()
            .flat_map(|(_, i)| i.sources.iter().map(|s| s.doc_id.clone()))
            .collect();
        let (analyses, _) = PostgresStore::load_analyses(client, url, Some(&docs))?;
        let by_id: HashMap<&str, &Analysis> =
            analyses.iter().map(|(id, a)| (id.as_str(), a)).collect();
        for (key, incident) in &incidents {
            let crimes = search::crimes(incident, &by_id);
            let killed = incident.killed.map(i64::from);
            let least = search::killed_least(incident).map(i64::from);
            client
                .execute(&update, &[key, &crimes, &killed, &least])
                .map_err(pg_err(url, "filling the crime and killed columns"))?;
        }
    }
}

pub(crate) fn pg_err(
    url: &str,
    action: &'static str,
) -> impl FnOnce(postgres::Error) -> StoreError {
    let url = url.to_string();
    move |source| StoreError::Postgres {
        url,
        action,
        source,
    }
}

fn schema_version(client: &mut impl GenericClient, url: &str) -> Result<u32, StoreError> {
    let v: Option<i32> = client
        .query_one("SELECT MAX(version) FROM schema_migrations", &[])
        .map_err(pg_err(url, "reading the schema version"))?
        .get(0);
    Ok(v.unwrap_or(0).max(0) as u32)
}

/// Adds the stories stored since `up_to` (by any worker) to the index.
fn refresh_index(
    client: &mut impl GenericClient,
    url: &str,
    index: &mut DuplicateIndex,
    up_to: &mut i64,
) -> Result<(), StoreError> {
    let rows = client
        .query(
            "SELECT d.key, d.story, CASE WHEN d.story = d.key THEN a.json END,
                CASE WHEN d.story = d.key THEN a.zjson END
             FROM documents d JOIN analyses a ON a.doc = d.key WHERE d.key > $1 ORDER BY d.key",
            &[&*up_to],
        )
        .map_err(pg_err(url, "reading story fingerprints"))?;
    for row in rows {
        let key: i64 = row.get(0);
        let story: i64 = row.get(1);
        if story == key {
            let analysis: AnalysisText = stored_json(&row, 2, 3, url, &key.to_string())?;
            index.insert(&key.to_string(), &analysis.text);
        }
        *up_to = (*up_to).max(key);
    }
    Ok(())
}

const BY_HASH: &str = "SELECT id FROM documents WHERE content_hash = $1";
const BY_URL: &str = "SELECT id FROM documents WHERE canonical_url = $1";
/// The stored documents with any of a batch's content hashes ($1) or
/// canonical URLs ($2): one round trip for the batch's duplicate probes.
const KNOWN: &str = "SELECT id, content_hash, canonical_url FROM documents
     WHERE content_hash = ANY($1) OR canonical_url = ANY($2)";
/// The new documents of a whole batch in one statement (arrays of their
/// columns, `$8` the ingest time), in batch order; returns each one's key
/// with its content hash.
const INSERT_DOCS: &str = "WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
            $6::text[], $7::text[], $9::text[], $10::text[]) WITH ORDINALITY
            AS t(id, url, canonical_url, title, source, published, content_hash, author, origin, n)
     ),
     stored AS (
        INSERT INTO documents (id, url, canonical_url, title, source, published,
            content_hash, story, ingested_at, author, origin)
        SELECT id, url, canonical_url, title, source, published, content_hash, 0, $8,
            author, origin
        FROM input ORDER BY n
        RETURNING key, content_hash
     )
     SELECT key, content_hash FROM stored";
/// The stories of a whole batch's documents (arrays of keys and stories;
/// nothing reads them before the batch ends).
const SET_STORIES: &str = "UPDATE documents d SET story = t.story
     FROM unnest($1::bigint[], $2::bigint[]) AS t(key, story) WHERE d.key = t.key";
/// The analyses of a whole batch (arrays of keys, JSON text and zstd
/// frames, one of the two set per row).
const INSERT_ANALYSES: &str = "INSERT INTO analyses (doc, json, zjson)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[])";
/// The events of a whole batch in one statement (arrays of document keys,
/// ids, kinds and stages; each `(doc, id)` once, see [`BatchRows`]). The
/// event itself is in the analysis: `json` stays empty.
const INSERT_EVENTS: &str = "INSERT INTO events (doc, id, kind, stage, json)
     SELECT t.doc, t.id, t.kind, t.stage, ''
        FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS t(doc, id, kind, stage)
     ON CONFLICT (doc, id) DO UPDATE SET kind = excluded.kind,
        stage = excluded.stage, json = excluded.json";
/// The entities of a whole batch in one statement (as [`INSERT_EVENTS`]).
const INSERT_ENTITIES: &str = "INSERT INTO entities (doc, id, kind, name, kb_id)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (doc, id) DO UPDATE SET kind = excluded.kind,
        name = excluded.name, kb_id = excluded.kb_id";
/// The actors of a whole batch in one statement, each key once with what
/// the batch adds to it (see [`ActorTally`]): a new actor takes the batch's
/// values; a known one counts the batch's documents, keeps its parent and
/// place unless it had none, and widens its first/last seen.
const UPSERT_ACTORS: &str = "INSERT INTO actors AS a (key, kind, name, kb_id, parent, geo, first_seen, last_seen, documents)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
        $7::text[], $8::text[], $9::bigint[])
     ON CONFLICT (key) DO UPDATE SET
        documents = a.documents + excluded.documents,
        parent = COALESCE(a.parent, excluded.parent),
        geo = COALESCE(a.geo, excluded.geo),
        first_seen = CASE WHEN a.first_seen IS NULL OR excluded.first_seen < a.first_seen
                     THEN excluded.first_seen ELSE a.first_seen END,
        last_seen = CASE WHEN a.last_seen IS NULL OR excluded.last_seen > a.last_seen
                    THEN excluded.last_seen ELSE a.last_seen END";
const INSERT_ALIASES: &str = "INSERT INTO actor_aliases (actor, alias)
     SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING";

/// The statements of an ingest batch, prepared once per batch (a prepared
/// statement costs one round trip per use instead of two).
struct Prepared {
    known: Statement,
    insert_docs: Statement,
    set_stories: Statement,
    insert_analyses: Statement,
    insert_events: Statement,
    insert_entities: Statement,
    upsert_actors: Statement,
    insert_aliases: Statement,
}

impl Prepared {
    fn new(client: &mut impl GenericClient, url: &str) -> Result<Self, StoreError> {
        let mut prepare = |sql: &str| {
            client
                .prepare(sql)
                .map_err(pg_err(url, "preparing the ingest statements"))
        };
        Ok(Prepared {
            known: prepare(KNOWN)?,
            insert_docs: prepare(INSERT_DOCS)?,
            set_stories: prepare(SET_STORIES)?,
            insert_analyses: prepare(INSERT_ANALYSES)?,
            insert_events: prepare(INSERT_EVENTS)?,
            insert_entities: prepare(INSERT_ENTITIES)?,
            upsert_actors: prepare(UPSERT_ACTORS)?,
            insert_aliases: prepare(INSERT_ALIASES)?,
        })
    }
}

/// The new documents of an ingest batch, with the columns of their rows
/// as arrays ([`INSERT_DOCS`]).
#[derive(Debug, Default)]
struct NewDocs<'a> {
    docs: Vec<(&'a Document, &'a Analysis)>,
    ids: Vec<&'a str>,
    urls: Vec<Option<&'a str>>,
    canonicals: Vec<Option<String>>,
    titles: Vec<Option<&'a str>>,
    sources: Vec<Option<&'a str>>,
    published: Vec<Option<String>>,
    hashes: Vec<String>,
    authors: Vec<Option<&'a str>>,
    origins: Vec<String>,
}

impl<'a> NewDocs<'a> {
    fn push(
        &mut self,
        doc: &'a Document,
        analysis: &'a Analysis,
        hash: String,
        canonical: Option<String>,
        origin: String,
    ) {
        self.docs.push((doc, analysis));
        self.ids.push(&doc.id);
        self.urls.push(doc.url.as_deref());
        self.canonicals.push(canonical);
        self.titles.push(doc.title.as_deref());
        self.sources.push(doc.source.as_deref());
        self.published.push(doc.published.map(|t| t.to_rfc3339()));
        self.hashes.push(hash);
        self.authors.push(doc.author.as_deref());
        self.origins.push(origin);
    }
}

/// The ids of the stored documents a batch could duplicate, by content
/// hash and by canonical URL, read with one query ([`KNOWN`]); the batch's
/// own documents are added as they are stored, so that a repeat inside the
/// batch is found too, as the one-by-one lookup ([`lookup`]) finds it.
#[derive(Debug, Default)]
struct Known {
    by_hash: HashMap<String, String>,
    by_url: HashMap<String, String>,
}

impl Known {
    fn read(
        client: &mut impl GenericClient,
        url: &str,
        statement: &Statement,
        hashes: &[String],
        canonicals: &[String],
    ) -> Result<Known, StoreError> {
        let mut known = Known::default();
        for row in client
            .query(statement, &[&hashes, &canonicals])
            .map_err(pg_err(url, "looking up the batch's documents"))?
        {
            let id: String = row.get(0);
            known.by_hash.insert(row.get(1), id.clone());
            if let Some(canonical) = row.get::<_, Option<String>>(2) {
                known.by_url.insert(canonical, id);
            }
        }
        Ok(known)
    }

    /// The stored document `hash` or `canonical` duplicates, content first.
    fn find(&self, hash: &str, canonical: Option<&str>) -> Option<(String, DuplicateReason)> {
        if let Some(id) = self.by_hash.get(hash) {
            return Some((id.clone(), DuplicateReason::ContentHash));
        }
        canonical
            .and_then(|c| self.by_url.get(c))
            .map(|id| (id.clone(), DuplicateReason::CanonicalUrl))
    }

    fn add(&mut self, id: &str, hash: String, canonical: Option<String>) {
        self.by_hash.insert(hash, id.to_string());
        if let Some(c) = canonical {
            self.by_url.insert(c, id.to_string());
        }
    }
}

fn lookup<S: ToStatement + ?Sized>(
    client: &mut impl GenericClient,
    url: &str,
    (by_hash, by_url): (&S, &S),
    hash: &str,
    canonical: Option<&str>,
) -> Result<Option<(String, DuplicateReason)>, StoreError> {
    if let Some(row) = client
        .query_opt(by_hash, &[&hash])
        .map_err(pg_err(url, "looking up a document"))?
    {
        return Ok(Some((row.get(0), DuplicateReason::ContentHash)));
    }
    if let Some(canonical) = canonical {
        if let Some(row) = client
            .query_opt(by_url, &[&canonical])
            .map_err(pg_err(url, "looking up a document"))?
        {
            return Ok(Some((row.get(0), DuplicateReason::CanonicalUrl)));
        }
    }
    Ok(None)
}

/// The rows of an ingest batch other than the documents themselves —
/// stories, analyses, events, entities, actors and their aliases —
/// collected while its documents are stored one by one (each needs its key
/// from the database), then written with one statement per table
/// ([`BatchRows::write`]) instead of one per row: PostgreSQL ingest is
/// bound by round trips.
#[derive(Debug, Default)]
struct BatchRows {
    /// `(document key, story key)`.
    stories: Vec<(i64, i64)>,
    /// `(document key, JSON text, zstd frame)`, one of the two set.
    analyses: Vec<(i64, Option<String>, Option<Vec<u8>>)>,
    /// `(doc, id, kind, stage)`.
    events: Vec<(i64, String, String, String)>,
    /// `(doc, id, kind, name, kb_id)`.
    entities: Vec<(i64, String, String, String, Option<String>)>,
    /// The actors, as the embedded store tallies them.
    actors: ActorTally,
}

impl BatchRows {
    /// Adds the rows of one stored document (`key`), seen at `seen`.
    fn add(&mut self, key: i64, analysis: &Analysis, seen: &str) {
        // An id given twice in one analysis: the last one stays, as
        // upserting row by row would leave it (a single statement must not
        // touch a row twice).
        for e in last_by_id(&analysis.events, |e| &e.id) {
            self.events
                .push((key, e.id.clone(), json_str(&e.kind), json_str(&e.stage)));
        }
        for e in last_by_id(&analysis.entities, |e| &e.id) {
            self.entities.push((
                key,
                e.id.clone(),
                json_str(&e.kind),
                e.name.clone(),
                e.kb_id.clone(),
            ));
        }
        self.actors.add(analysis, seen);
    }

    /// Writes the collected rows (one statement per non-empty table).
    fn write(
        &self,
        client: &mut impl GenericClient,
        url: &str,
        prepared: &Prepared,
    ) -> Result<(), StoreError> {
        if !self.analyses.is_empty() {
            let keys: Vec<i64> = self.analyses.iter().map(|r| r.0).collect();
            let json: Vec<Option<&str>> = self.analyses.iter().map(|r| r.1.as_deref()).collect();
            let zjson: Vec<Option<&[u8]>> = self.analyses.iter().map(|r| r.2.as_deref()).collect();
            client
                .execute(&prepared.insert_analyses, &[&keys, &json, &zjson])
                .map_err(pg_err(url, "storing analyses"))?;
        }
        if !self.stories.is_empty() {
            let (keys, stories): (Vec<i64>, Vec<i64>) = self.stories.iter().copied().unzip();
            client
                .execute(&prepared.set_stories, &[&keys, &stories])
                .map_err(pg_err(url, "storing stories"))?;
        }
        if !self.events.is_empty() {
            let docs: Vec<i64> = self.events.iter().map(|r| r.0).collect();
            let ids: Vec<&str> = self.events.iter().map(|r| r.1.as_str()).collect();
            let kinds: Vec<&str> = self.events.iter().map(|r| r.2.as_str()).collect();
            let stages: Vec<&str> = self.events.iter().map(|r| r.3.as_str()).collect();
            client
                .execute(&prepared.insert_events, &[&docs, &ids, &kinds, &stages])
                .map_err(pg_err(url, "storing events"))?;
        }
        if !self.entities.is_empty() {
            let docs: Vec<i64> = self.entities.iter().map(|r| r.0).collect();
            let ids: Vec<&str> = self.entities.iter().map(|r| r.1.as_str()).collect();
            let kinds: Vec<&str> = self.entities.iter().map(|r| r.2.as_str()).collect();
            let names: Vec<&str> = self.entities.iter().map(|r| r.3.as_str()).collect();
            let kb_ids: Vec<Option<&str>> = self.entities.iter().map(|r| r.4.as_deref()).collect();
            client
                .execute(
                    &prepared.insert_entities,
                    &[&docs, &ids, &kinds, &names, &kb_ids],
                )
                .map_err(pg_err(url, "storing entities"))?;
        }
        let actors = &self.actors.order;
        if !actors.is_empty() {
            let text =
                |f: fn(&TalliedActor) -> &str| -> Vec<&str> { actors.iter().map(f).collect() };
            let opt = |f: fn(&TalliedActor) -> Option<&str>| -> Vec<Option<&str>> {
                actors.iter().map(f).collect()
            };
            let documents: Vec<i64> = actors.iter().map(|a| a.documents).collect();
            client
                .execute(
                    &prepared.upsert_actors,
                    &[
                        &text(|a| &a.key),
                        &text(|a| &a.kind),
                        &text(|a| &a.name),
                        &opt(|a| a.kb_id.as_deref()),
                        &opt(|a| a.parent.as_deref()),
                        &opt(|a| a.geo.as_deref()),
                        &text(|a| &a.first_seen),
                        &text(|a| &a.last_seen),
                        &documents,
                    ],
                )
                .map_err(pg_err(url, "storing actors"))?;
        }
        let aliases = &self.actors.aliases;
        if !aliases.is_empty() {
            let keys: Vec<&str> = aliases
                .iter()
                .map(|(i, _)| actors[*i].key.as_str())
                .collect();
            let names: Vec<&str> = aliases.iter().map(|(_, n)| n.as_str()).collect();
            client
                .execute(&prepared.insert_aliases, &[&keys, &names])
                .map_err(pg_err(url, "storing actor aliases"))?;
        }
        Ok(())
    }
}

/// The items with distinct ids, each id's last item, in the order of those
/// last items: what upserting them one by one would leave.
fn last_by_id<T>(items: &[T], id: impl Fn(&T) -> &str) -> Vec<&T> {
    let mut seen = HashSet::new();
    let mut out: Vec<&T> = items.iter().rev().filter(|x| seen.insert(id(x))).collect();
    out.reverse();
    out
}

fn read_job(row: &Row) -> Job {
    let kind: String = row.get(2);
    let payload: String = row.get(4);
    let state: String = row.get(5);
    Job {
        id: row.get(0),
        key: row.get(1),
        kind: JobKind::parse(&kind).unwrap_or(JobKind::Article),
        url: row.get(3),
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        state: JobState::parse(&state).unwrap_or(JobState::Failed),
        attempts: row.get::<_, i32>(6).max(0) as u32,
        last_error: row.get(7),
        worker: row.get(8),
        lease_until: row.get(9),
        available_at: row.get(10),
    }
}

const JOB_COLUMNS: &str =
    "id, key, kind, url, payload, state, attempts, last_error, worker, lease_until, available_at";

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

impl Store for PostgresStore {
    fn location(&self) -> String {
        self.url.clone()
    }

    fn find_duplicate(
        &self,
        doc: &Document,
    ) -> Result<Option<(String, DuplicateReason)>, StoreError> {
        let canonical = doc.url.as_deref().and_then(canonical_url);
        let mut client = self.client();
        lookup(
            &mut *client,
            &self.url,
            (BY_HASH, BY_URL),
            &content_hash(&doc.text),
            canonical.as_deref(),
        )
    }

    fn insert_batch(&mut self, batch: &[(Document, Analysis)]) -> Result<Vec<Outcome>, StoreError> {
        let url = self.url.clone();
        let err = |action| pg_err(&url, action);
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        // The index changes only if the transaction commits: a failed batch
        // is undone with `truncate` (no clone of the index).
        let (mark, up_before) = (self.index.len(), self.indexed_up_to);
        let (index, up_to) = (&mut self.index, &mut self.indexed_up_to);
        let result = (|| {
            let mut tx = client
                .transaction()
                .map_err(err("starting a transaction"))?;
            // One ingesting batch at a time per store: duplicate probes and
            // story assignment see every committed batch.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext('vigil-ingest:' || current_schema()))",
                &[],
            )
            .map_err(err("waiting for the ingest lock"))?;
            refresh_index(&mut tx, &url, index, up_to)?;
            let now = time_text(Utc::now());
            let prepared = Prepared::new(&mut tx, &url)?;
            let keys: Vec<(String, Option<String>)> = batch
                .iter()
                .map(|(doc, _)| {
                    let canonical = doc.url.as_deref().and_then(canonical_url);
                    (content_hash(&doc.text), canonical)
                })
                .collect();
            let hashes: Vec<String> = keys.iter().map(|(h, _)| h.clone()).collect();
            let canonicals: Vec<String> = keys.iter().filter_map(|(_, c)| c.clone()).collect();
            let mut known = Known::read(&mut tx, &url, &prepared.known, &hashes, &canonicals)?;
            // The new documents, in batch order; each outcome is either a
            // duplicate or the index of its new document.
            let mut fresh = NewDocs::default();
            let mut order: Vec<Result<Outcome, usize>> = Vec::with_capacity(batch.len());
            for ((doc, analysis), (hash, canonical)) in batch.iter().zip(keys) {
                if let Some((existing, reason)) = known.find(&hash, canonical.as_deref()) {
                    order.push(Ok(Outcome::Duplicate { existing, reason }));
                    continue;
                }
                known.add(&doc.id, hash.clone(), canonical.clone());
                let origin =
                    serde_json::to_string(&doc.origin).map_err(json_error(&url, &doc.id))?;
                order.push(Err(fresh.docs.len()));
                fresh.push(doc, analysis, hash, canonical, origin);
            }
            // One statement stores them all; their keys come back by
            // content hash, which is unique.
            let mut keys_by_hash: HashMap<String, i64> = HashMap::with_capacity(fresh.docs.len());
            if !fresh.docs.is_empty() {
                for row in tx
                    .query(
                        &prepared.insert_docs,
                        &[
                            &fresh.ids,
                            &fresh.urls,
                            &fresh.canonicals,
                            &fresh.titles,
                            &fresh.sources,
                            &fresh.published,
                            &fresh.hashes,
                            &now,
                            &fresh.authors,
                            &fresh.origins,
                        ],
                    )
                    .map_err(err("storing the documents"))?
                {
                    keys_by_hash.insert(row.get(1), row.get(0));
                }
            }
            let mut rows = BatchRows::default();
            let mut stored = Vec::with_capacity(fresh.docs.len());
            for ((doc, analysis), hash) in fresh.docs.iter().zip(&fresh.hashes) {
                let key = *keys_by_hash.get(hash).ok_or_else(|| {
                    StoreError::Invalid(format!(
                        "{url}: document {} was stored but PostgreSQL returned no key for it; \
                         the batch was rolled back, retry it",
                        doc.id
                    ))
                })?;
                let (analysis_json, analysis_zjson) =
                    pack(serde_json::to_string(analysis).map_err(json_error(&url, &doc.id))?);
                let joined = index
                    .insert(&key.to_string(), &analysis.text)
                    .and_then(|s| s.parse::<i64>().ok());
                let story = joined.unwrap_or(key);
                *up_to = (*up_to).max(key);
                rows.stories.push((key, story));
                rows.analyses.push((key, analysis_json, analysis_zjson));
                let seen = doc
                    .published
                    .map(|t| time_text(t.with_timezone(&Utc)))
                    .unwrap_or_else(|| now.clone());
                rows.add(key, analysis, &seen);
                stored.push(match joined {
                    Some(story) => Outcome::NearDuplicate { key, story },
                    None => Outcome::New { key, story },
                });
            }
            let outcomes: Vec<Outcome> = order
                .into_iter()
                .filter_map(|o| match o {
                    Ok(duplicate) => Some(duplicate),
                    Err(i) => stored.get(i).cloned(),
                })
                .collect();
            rows.write(&mut tx, &url, &prepared)?;
            tx.commit().map_err(err("committing a batch"))?;
            Ok(outcomes)
        })();
        if result.is_err() {
            self.index.truncate(mark);
            self.indexed_up_to = up_before;
        }
        result
    }

    fn document(&self, id: &str) -> Result<Option<StoredDocument>, StoreError> {
        let row = self
            .client()
            .query_opt(
                "SELECT d.key, d.url, d.title, d.source, d.published, d.content_hash, d.story,
                        d.ingested_at, d.author, d.origin, a.json, a.zjson
                 FROM documents d JOIN analyses a ON a.doc = d.key
                 WHERE d.id = $1 ORDER BY d.key LIMIT 1",
                &[&id],
            )
            .map_err(self.err("reading a document"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let analysis: Analysis = stored_json(&row, 10, 11, &self.url, id)?;
        let origin: Origin = match row.get::<_, Option<String>>(9) {
            Some(o) => serde_json::from_str(&o).map_err(json_error(&self.url, id))?,
            None => Origin::default(),
        };
        let published: Option<String> = row.get(4);
        let ingested: String = row.get(7);
        Ok(Some(StoredDocument {
            document: Document {
                id: id.to_string(),
                title: row.get(2),
                source: row.get(3),
                url: row.get(1),
                author: row.get(8),
                published: published
                    .as_deref()
                    .and_then(|p| DateTime::<FixedOffset>::parse_from_rfc3339(p).ok()),
                text: analysis.text.clone(),
                origin,
            },
            analysis,
            story: row.get(6),
            key: row.get(0),
            content_hash: row.get(5),
            ingested_at: parse_utc(&ingested).unwrap_or_default(),
        }))
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        let row = self
            .client()
            .query_one(
                "SELECT
                    (SELECT COUNT(*) FROM documents),
                    (SELECT COUNT(DISTINCT story) FROM documents),
                    (SELECT COUNT(*) FROM events),
                    (SELECT COUNT(*) FROM incidents),
                    (SELECT COUNT(DISTINCT COALESCE('kb:' || kb_id, kind || ':' || lower(name)))
                        FROM entities),
                    (SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = current_schema() AND c.relkind = 'r'),
                    (SELECT COALESCE(MAX(version), 0) FROM schema_migrations)",
                &[],
            )
            .map_err(self.err("counting"))?;
        let n = |i: usize| row.get::<_, i64>(i).max(0) as u64;
        Ok(Stats {
            documents: n(0),
            stories: n(1),
            events: n(2),
            incidents: n(3),
            entities: n(4),
            size_bytes: n(5),
            schema_version: row.get::<_, i32>(6).max(0) as u32,
        })
    }

    fn recompute_incidents(&mut self) -> Result<usize, StoreError> {
        Ok(self.recompute_all()?.total)
    }

    fn merge_incidents(&mut self) -> Result<IncidentUpdate, StoreError> {
        let url = self.url.clone();
        let err = |action| pg_err(&url, action);
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        // One merge at a time per store (as recompute and split): the
        // state read here is the state written back.
        let mut tx = incident_transaction(client, &url)?;
        let through = Self::merged_through(&mut tx, &url)?;
        if through < 0 {
            drop(tx);
            return self.recompute_all();
        }
        let count = |tx: &mut postgres::Transaction<'_>| -> Result<usize, StoreError> {
            Ok(tx
                .query_one("SELECT COUNT(*) FROM incidents", &[])
                .map_err(pg_err(&url, "counting incidents"))?
                .get::<_, i64>(0)
                .max(0) as usize)
        };
        let last = Self::last_document_key(&mut tx, &url)?;
        if last <= through {
            let total = count(&mut tx)?;
            tx.commit().map_err(err("ending the merge"))?;
            return Ok(IncidentUpdate {
                total,
                ..IncidentUpdate::default()
            });
        }
        let (pending, mut doc_sources) = Self::load_range(&mut tx, &url, through, last)?;
        // The incidents the new events could join: those of their buckets.
        let mut candidates: HashMap<i64, Incident> = HashMap::new();
        for (family, country) in incremental::candidate_buckets(&pending) {
            let rows = match &country {
                None => tx.query(
                    "SELECT key, json, zjson FROM incidents WHERE family = $1",
                    &[&family.as_str()],
                ),
                Some(country) => tx.query(
                    "SELECT key, json, zjson FROM incidents
                     WHERE family = $1 AND (country = $2 OR country IS NULL)",
                    &[&family.as_str(), country],
                ),
            }
            .map_err(err("reading incidents"))?;
            for r in rows {
                let key: i64 = r.get(0);
                if candidates.contains_key(&key) {
                    continue;
                }
                let incident: Incident = stored_json(&r, 1, 2, &url, &format!("incident {key}"))?;
                candidates.insert(key, incident);
            }
        }
        let member_ids: HashSet<String> = candidates
            .values()
            .flat_map(|i| i.sources.iter().map(|s| s.doc_id.clone()))
            .collect();
        let (members, member_sources) = Self::load_keyed(&mut tx, &url, &member_ids)?;
        for (id, source) in member_sources {
            doc_sources.entry(id).or_insert(source);
        }
        let constraints = Self::load_constraints(&mut tx, &url)?;
        let (merged, by_id) =
            incremental::merge_pending(&candidates, &members, &pending, &constraints);
        let mut update = IncidentUpdate {
            documents: pending.len(),
            ..IncidentUpdate::default()
        };
        let writer = IncidentWriter::new(&mut tx, &url)?;
        let delete = tx
            .prepare("DELETE FROM incidents WHERE id = $1")
            .map_err(err("preparing the incident statements"))?;
        for m in &merged {
            tx.execute(&delete, &[&m.incident.id])
                .map_err(err("replacing an incident"))?;
            if m.seeded {
                update.updated += 1;
            } else {
                update.created += 1;
            }
            Self::write_incident(&mut tx, &url, &writer, &m.incident, &by_id, &doc_sources)?;
        }
        Self::set_merged_through(&mut tx, &url, last)?;
        update.total = count(&mut tx)?;
        tx.commit().map_err(err("committing incidents"))?;
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        analyze_after(client, &url, update.created + update.updated, update.total)?;
        Ok(update)
    }

    fn incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        Ok(self.incident_row(id)?.map(|(_, i)| i))
    }

    fn search(&self, query: &Query, page: &Page) -> Result<SearchPage, StoreError> {
        let Some(filter) = self.filter(query)? else {
            // Nothing can match: free words of punctuation only, or no
            // stored source contains a `source:` term.
            return Ok(search::paginate(Vec::new(), page));
        };
        let cond = filter.condition();
        let params = filter.params();
        let count_limit = self.limits.count_limit(page);
        let limit = i64::try_from(page.limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(page.offset).unwrap_or(i64::MAX);
        let mut client = self.client();
        // A search is short: compiling it (JIT, above `jit_above_cost`,
        // which a large estimated sort reaches) takes longer than running
        // it. Settings are local to this (read-only) transaction.
        let mut tx = client
            .transaction()
            .map_err(self.err("starting a transaction"))?;
        tx.batch_execute("SET LOCAL jit = off")
            .map_err(self.err("searching"))?;
        let counted = self.capped_count(&mut tx, &cond, &params, count_limit)?;
        if counted == 0 {
            return Ok(search::capped_page(Vec::new(), 0, count_limit, page.offset));
        }
        // One order for both paths below, so pages do not depend on the
        // count: relevance (`ts_rank`) orders the `rank_window` most recent
        // matches (`older` false); older matches follow in recency order
        // (their score shown, not ranked on). Without free words every
        // score is 0 and both sorts are the recency order.
        let window = self.limits.rank_window;
        let recency = "date_start DESC NULLS LAST, id COLLATE \"C\"";
        let order = |t: &str| match page.sort {
            Sort::Relevance => format!(
                "{t}older, {t}rank DESC, {t}date_start DESC NULLS LAST, {t}id COLLATE \"C\""
            ),
            Sort::Recent => format!(
                "{t}older, {t}date_start DESC NULLS LAST, {t}rank DESC, {t}id COLLATE \"C\""
            ),
        };
        // Few matches (the count did not reach its limit): every match is
        // read through the indexes (bitmap scans) and sorted. Many: the
        // matches are read in the order of the `incidents_recency` index
        // and reading stops after the page, or after the window with free
        // words, whose relevance is then computed on the window only
        // instead of every match of a common word.
        let page_end = page.offset.saturating_add(page.limit);
        let fetch = if query.words.is_empty() {
            page_end
        } else {
            window.max(page_end)
        };
        let stop = if counted < count_limit {
            String::new()
        } else {
            format!("ORDER BY {recency} LIMIT {fetch}")
        };
        let sql = format!(
            "WITH r AS MATERIALIZED (
                SELECT key, id, date_start, row_number() OVER w > {window} AS older,
                    {score} AS score
                FROM incidents WHERE {cond}
                WINDOW w AS (ORDER BY {recency})
                {stop}
             ), p AS (
                SELECT key, id, date_start, older, score,
                    CASE WHEN older THEN 0 ELSE score END AS rank
                FROM r
             )
             SELECT p.id, i.json, i.snippet, p.score, i.zjson
             FROM (SELECT * FROM p ORDER BY {inner} LIMIT {limit} OFFSET {offset}) p
             JOIN incidents i ON i.key = p.key
             ORDER BY {outer}",
            score = filter.score,
            inner = order(""),
            outer = order("p."),
        );
        if counted >= count_limit {
            // Many matches. Filters only: at least `count_limit` among the
            // incidents, so the page is found after a bounded walk of the
            // recency index; the planner, whose estimate for several
            // filters together can be far off, is kept from reading every
            // match through the indexes and sorting them instead. Free
            // words: walking costs `fetch / share` rows, each with its
            // tsvector read for the text condition (a cost the planner does
            // not see), reading every match through the GIN index costs
            // the matches; the planner's estimate of the matches (the
            // tsvector statistics are good) decides.
            let walk = query.words.is_empty() || {
                let (matches, rows) = self.estimate(&mut tx, &cond, &params)?;
                matches * matches >= fetch as f64 * rows
            };
            tx.batch_execute(if walk {
                "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off"
            } else {
                "SET LOCAL enable_indexscan = off"
            })
            .map_err(self.err("searching"))?;
        }
        let rows = tx
            .query(sql.as_str(), &params)
            .map_err(self.err("searching"))?;
        tx.commit().map_err(self.err("searching"))?;
        drop(client);
        let mut hits = Vec::with_capacity(rows.len());
        for r in rows {
            let id: String = r.get(0);
            let row = search::Row {
                snippet: r.get(2),
                ..search::Row::default()
            };
            let incident: Incident = stored_json(&r, 1, 4, &self.url, &id)?;
            hits.push(search::hit(&incident, &row, r.get(3)));
        }
        Ok(search::capped_page(hits, counted, count_limit, page.offset))
    }

    fn for_each_incident(
        &self,
        query: &Query,
        f: &mut dyn FnMut(Incident) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let Some(filter) = self.filter(query)? else {
            return Ok(0);
        };
        // Keyset pages: the lock is held per page only, so `f` may use the
        // store, and memory stays bounded by the page size.
        let after_param = filter.params.len() + 1;
        let sql = format!(
            "SELECT id, json, zjson FROM incidents WHERE {} AND id > ${after_param}
             ORDER BY id LIMIT {STREAM_BATCH}",
            filter.condition()
        );
        let mut after = String::new();
        let mut n = 0;
        loop {
            let mut params = filter.params();
            params.push(&after);
            let rows = self
                .client()
                .query(sql.as_str(), &params)
                .map_err(self.err("listing incidents"))?;
            let Some(last) = rows.last() else {
                return Ok(n);
            };
            let last_id: String = last.get(0);
            for r in rows {
                let id: String = r.get(0);
                let incident: Incident = stored_json(&r, 1, 2, &self.url, &id)?;
                f(incident)?;
                n += 1;
            }
            after = last_id;
        }
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
        let url = self.url.clone();
        let err = |action| pg_err(&url, action);
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let docs: HashSet<String> = incident.sources.iter().map(|s| s.doc_id.clone()).collect();
        let (analyses, doc_sources) = Self::load_analyses(client, &url, Some(&docs))?;
        let analyses = restrict_to_members(analyses, &incident);
        let mut constraints = Self::load_constraints(client, &url)?;
        for a in &off {
            for b in &rest {
                constraints.add((&a.doc_id, &a.event_id), (&b.doc_id, &b.event_id));
            }
        }
        let reports: Vec<(&str, &Analysis)> =
            analyses.iter().map(|(id, a)| (id.as_str(), a)).collect();
        let pieces = vigil_corpus::merge_events_with(&reports, &constraints);
        let by_id: HashMap<&str, &Analysis> = reports.iter().copied().collect();
        let now = time_text(Utc::now());
        let mut tx = incident_transaction(client, &url)?;
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
                        "INSERT INTO cannot_link (a_doc, a_event, b_doc, b_event, created_at)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        &[&x.doc_id, &x.event_id, &y.doc_id, &y.event_id, &now],
                    )
                    .map_err(err("storing a split constraint"))? as usize;
            }
        }
        let removed = tx
            .execute("DELETE FROM incidents WHERE key = $1", &[&key])
            .map_err(err("removing the split incident"))?;
        if removed == 0 {
            return Err(StoreError::NotFound {
                what: "incident",
                id: incident_id.to_string(),
            });
        }
        let writer = IncidentWriter::new(&mut tx, &url)?;
        for piece in &pieces {
            Self::write_incident(&mut tx, &url, &writer, piece, &by_id, &doc_sources)?;
        }
        tx.commit().map_err(err("committing the split"))?;
        Ok(Split {
            incidents: pieces,
            constraints_added: added,
        })
    }

    fn import_incidents(&mut self, incidents: &[Incident]) -> Result<usize, StoreError> {
        if incidents.is_empty() {
            return Ok(0);
        }
        let url = self.url.clone();
        let err = |action| pg_err(&url, action);
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let docs: HashSet<String> = incidents
            .iter()
            .flat_map(|i| i.sources.iter().map(|s| s.doc_id.clone()))
            .collect();
        let (analyses, doc_sources) = Self::load_analyses(client, &url, Some(&docs))?;
        let by_id: HashMap<&str, &Analysis> =
            analyses.iter().map(|(id, a)| (id.as_str(), a)).collect();
        let mut tx = incident_transaction(client, &url)?;
        let writer = IncidentWriter::new(&mut tx, &url)?;
        for incident in incidents {
            tx.execute("DELETE FROM incidents WHERE id = $1", &[&incident.id])
                .map_err(err("replacing an incident"))?;
            Self::write_incident(&mut tx, &url, &writer, incident, &by_id, &doc_sources)?;
        }
        tx.commit().map_err(err("committing imported incidents"))?;
        Ok(incidents.len())
    }

    fn actors(&self, filter: &ActorFilter) -> Result<Vec<Actor>, StoreError> {
        let kinds: Vec<String> = filter.kinds.iter().map(json_str).collect();
        let name = filter.name.as_deref().map(like_pattern);
        let limit = if filter.limit == 0 {
            None
        } else {
            Some(i64::try_from(filter.limit).unwrap_or(i64::MAX))
        };
        let offset = i64::try_from(filter.offset).unwrap_or(i64::MAX);
        let keys: Vec<String> = self
            .client()
            .query(
                "SELECT a.key FROM actors a
                 WHERE (cardinality($1::text[]) = 0 OR a.kind = ANY($1))
                   AND ($2::text IS NULL OR lower(a.name) LIKE $2 ESCAPE '\\'
                        OR EXISTS (SELECT 1 FROM actor_aliases x
                                   WHERE x.actor = a.key AND lower(x.alias) LIKE $2 ESCAPE '\\'))
                 ORDER BY a.documents DESC, a.key LIMIT $3 OFFSET $4",
                &[&kinds, &name, &limit, &offset],
            )
            .map_err(self.err("listing actors"))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(actor) = self.actor(&key)? {
                out.push(actor);
            }
        }
        Ok(out)
    }

    fn actor(&self, key: &str) -> Result<Option<Actor>, StoreError> {
        let mut client = self.client();
        let row = client
            .query_opt(
                "SELECT kind, name, kb_id, parent, geo, first_seen, last_seen, documents,
                        (SELECT COUNT(*) FROM incident_actors x WHERE x.actor = a.key)
                 FROM actors a WHERE key = $1",
                &[&key],
            )
            .map_err(self.err("reading an actor"))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let aliases: Vec<String> = client
            .query(
                "SELECT alias FROM actor_aliases WHERE actor = $1 ORDER BY alias COLLATE \"C\"",
                &[&key],
            )
            .map_err(self.err("reading actor aliases"))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let kind: String = row.get(0);
        let kind: EntityType = serde_json::from_value(serde_json::Value::String(kind))
            .map_err(json_error(&self.url, key))?;
        let geo = match row.get::<_, Option<String>>(4) {
            Some(g) => Some(serde_json::from_str(&g).map_err(json_error(&self.url, key))?),
            None => None,
        };
        Ok(Some(Actor {
            key: key.to_string(),
            kind,
            name: row.get(1),
            kb_id: row.get(2),
            aliases,
            parent: row.get(3),
            geo,
            first_seen: row
                .get::<_, Option<String>>(5)
                .as_deref()
                .and_then(parse_utc),
            last_seen: row
                .get::<_, Option<String>>(6)
                .as_deref()
                .and_then(parse_utc),
            documents: row.get::<_, i64>(7).max(0) as u64,
            incidents: row.get::<_, i64>(8).max(0) as u64,
        }))
    }

    fn enqueue(&mut self, jobs: &[NewJob]) -> Result<usize, StoreError> {
        let url = self.url.clone();
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        let mut tx = client
            .transaction()
            .map_err(pg_err(&url, "starting a transaction"))?;
        let mut added = 0;
        for job in jobs {
            let payload =
                serde_json::to_string(&job.payload).map_err(json_error(&url, &job.key))?;
            added += tx
                .execute(
                    "INSERT INTO jobs (key, kind, url, payload) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (key) DO NOTHING",
                    &[&job.key, &job.kind.as_str(), &job.url, &payload],
                )
                .map_err(pg_err(&url, "enqueueing a job"))? as usize;
        }
        tx.commit().map_err(pg_err(&url, "committing jobs"))?;
        Ok(added)
    }

    fn claim(&mut self, worker: &str, n: usize, lease: Duration) -> Result<Vec<Job>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let url = self.url.clone();
        let err = |action| pg_err(&url, action);
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner());
        client
            .execute(
                "UPDATE jobs SET state = 'failed', updated_at = clock_timestamp(),
                    last_error = 'lease of ' || COALESCE(worker, '?') || ' expired after '
                        || attempts || ' attempts'
                 WHERE id IN (SELECT id FROM jobs
                              WHERE state = 'running' AND lease_until <= clock_timestamp()
                                AND attempts >= $1
                              FOR UPDATE SKIP LOCKED)",
                &[&(MAX_ATTEMPTS as i32)],
            )
            .map_err(err("failing expired jobs"))?;
        let rows = client
            .query(
                &format!(
                    "UPDATE jobs j SET
                        last_error = CASE WHEN j.state = 'running'
                            THEN 'lease of ' || COALESCE(j.worker, '?') || ' expired'
                            ELSE j.last_error END,
                        state = 'running', worker = $1,
                        lease_until = clock_timestamp() + $2::float8 * interval '1 millisecond',
                        attempts = j.attempts + 1, updated_at = clock_timestamp()
                     FROM (SELECT id FROM jobs
                           WHERE (state = 'queued' AND available_at <= clock_timestamp())
                              OR (state = 'running' AND lease_until <= clock_timestamp())
                           ORDER BY id LIMIT $3
                           FOR UPDATE SKIP LOCKED) c
                     WHERE j.id = c.id
                     RETURNING {}",
                    JOB_COLUMNS
                        .split(", ")
                        .map(|c| format!("j.{c}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &[
                    &worker,
                    &millis(lease),
                    &i64::try_from(n).unwrap_or(i64::MAX),
                ],
            )
            .map_err(err("claiming jobs"))?;
        let mut jobs: Vec<Job> = rows.iter().map(read_job).collect();
        jobs.sort_by_key(|j| j.id);
        Ok(jobs)
    }

    fn renew(&mut self, job_id: i64, worker: &str, lease: Duration) -> Result<bool, StoreError> {
        let changed = self
            .client
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .execute(
                "UPDATE jobs SET lease_until = clock_timestamp() + $1::float8 * interval '1 millisecond',
                    updated_at = clock_timestamp()
                 WHERE id = $2 AND worker = $3 AND state = 'running'",
                &[&millis(lease), &job_id, &worker],
            )
            .map_err(pg_err(&self.url, "renewing a lease"))?;
        Ok(changed == 1)
    }

    fn complete(&mut self, job_id: i64) -> Result<(), StoreError> {
        let changed = self
            .client
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .execute(
                "UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = clock_timestamp()
                 WHERE id = $1",
                &[&job_id],
            )
            .map_err(pg_err(&self.url, "completing a job"))?;
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
        let again = retry && job.attempts < MAX_ATTEMPTS;
        let (state, delay) = if again {
            (JobState::Queued, Some(millis(retry_delay(job.attempts))))
        } else {
            (JobState::Failed, None)
        };
        self.client
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .execute(
                "UPDATE jobs SET state = $1, last_error = $2, lease_until = NULL,
                    available_at = CASE WHEN $3::float8 IS NULL THEN available_at
                        ELSE clock_timestamp() + $3::float8 * interval '1 millisecond' END,
                    updated_at = clock_timestamp()
                 WHERE id = $4",
                &[&state.as_str(), &reason, &delay, &job_id],
            )
            .map_err(pg_err(&self.url, "recording a job failure"))?;
        Ok(())
    }

    fn job(&self, job_id: i64) -> Result<Option<Job>, StoreError> {
        let row = self
            .client()
            .query_opt(
                &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1"),
                &[&job_id],
            )
            .map_err(self.err("reading a job"))?;
        Ok(row.as_ref().map(read_job))
    }

    fn job_counts(&self) -> Result<JobCounts, StoreError> {
        let rows = self
            .client()
            .query("SELECT state, COUNT(*) FROM jobs GROUP BY state", &[])
            .map_err(self.err("counting jobs"))?;
        let mut counts = JobCounts::default();
        for row in rows {
            let state: String = row.get(0);
            let n = row.get::<_, i64>(1).max(0) as u64;
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
        let row = self
            .client()
            .query_opt(
                "SELECT etag, last_modified, last_polled FROM feeds WHERE url = $1",
                &[&url],
            )
            .map_err(self.err("reading a feed's state"))?;
        Ok(row.map(|r| FeedState {
            etag: r.get(0),
            last_modified: r.get(1),
            last_polled: r.get(2),
        }))
    }

    fn set_feed_state(&mut self, url: &str, state: &FeedState) -> Result<(), StoreError> {
        self.client
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .execute(
                "INSERT INTO feeds (url, etag, last_modified, last_polled) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
                    last_modified = excluded.last_modified, last_polled = excluded.last_polled",
                &[&url, &state.etag, &state.last_modified, &state.last_polled],
            )
            .map_err(pg_err(&self.url, "recording a feed's state"))?;
        Ok(())
    }
}

/// The `LIKE` pattern matching values containing `needle` (lower-cased;
/// `\` escapes).
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

/// A fresh, uniquely named schema on a PostgreSQL server, dropped with
/// everything in it when the value is dropped: a throw-away store for
/// tests and benchmarks sharing one server (the store suite, the server's
/// and the CLI's PostgreSQL tests). [`ScratchSchema::spec`] is the store
/// spec selecting it (`search_path` set through the connection options).
///
/// Dropping connects to the server: drop it outside any tokio runtime
/// (the synchronous client blocks on a runtime of its own).
pub struct ScratchSchema {
    url: String,
    schema: String,
    spec: String,
}

impl ScratchSchema {
    /// Creates `<prefix>_<process id>_<counter>_<nanoseconds>` on the
    /// server at `url`. `prefix` must be a lower-case SQL identifier
    /// (letters, digits, `_`), e.g. `vigil_test`.
    pub fn create(url: &str, prefix: &str) -> Result<ScratchSchema, StoreError> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let valid = prefix.starts_with(|c: char| c.is_ascii_lowercase())
            && prefix
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(StoreError::Invalid(format!(
                "scratch schema prefix {prefix:?}: use lower-case letters, digits and '_', \
                 starting with a letter"
            )));
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let schema = format!(
            "{prefix}_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let pg = |action: &'static str| {
            let url = redact(url);
            move |source| StoreError::Postgres {
                url,
                action,
                source,
            }
        };
        let mut client = Client::connect(url, NoTls).map_err(pg("connecting"))?;
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .map_err(pg("creating a scratch schema"))?;
        let sep = if url.contains('?') { '&' } else { '?' };
        let spec = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        Ok(ScratchSchema {
            url: url.to_string(),
            schema,
            spec,
        })
    }

    /// The store spec selecting the schema (for [`crate::open`]).
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.schema
    }
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        if let Ok(mut client) = Client::connect(&self.url, NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
        }
    }
}

#[cfg(test)]
mod search_tests {
    use super::*;
    use crate::suite::fixtures::{berlin, brussels, kabul};

    type R = Result<(), Box<dyn std::error::Error>>;

    /// A store on `spec` holding the Brussels, Kabul and Berlin reports,
    /// merged into incidents.
    pub(super) fn three_reports(spec: &str) -> Result<PostgresStore, Box<dyn std::error::Error>> {
        let mut store = PostgresStore::connect(spec)?;
        store.insert_batch(&[brussels(), kabul(), berlin()])?;
        store.recompute_incidents()?;
        Ok(store)
    }

    fn ids(store: &PostgresStore, query: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let hits = store.search(&search::parse(query)?, &Page::first(10))?.hits;
        Ok(hits.into_iter().map(|h| h.id).collect())
    }

    /// A store at schema version 3 with incidents, upgraded: migration 4
    /// fills the filter columns of the incidents already stored.
    #[test]
    fn upgrading_from_version_3_fills_the_filter_columns() -> R {
        let Some(fixture) = crate::suite::postgres()? else {
            println!("SKIPPED: VIGIL_TEST_POSTGRES not set");
            return Ok(());
        };
        let queries = [
            "type:bombing",
            "stage:foiled",
            "actor:islamic-state-khorasan",
            "place:be",
            "source:york",
            "since:2024-01-01",
            "until:2023-12-31",
            "bomb type:bombing since:2023-01-01",
            "killed:5",
            "killed:>0 type:bombing",
        ];
        let expected = {
            let store = three_reports(&fixture.spec)?;
            let expected = queries
                .iter()
                .map(|q| ids(&store, q))
                .collect::<Result<Vec<_>, _>>()?;
            // Back to version 3: the JSON as text, the columns, their
            // indexes and the dictionary gone.
            undo_crime_and_killed(&store)?;
            uncompress_json(&store)?;
            store.client().batch_execute(
                "DELETE FROM schema_migrations WHERE version >= 4;
                 ALTER TABLE incidents DROP COLUMN types, DROP COLUMN stages,
                    DROP COLUMN actor_terms, DROP COLUMN place_terms, DROP COLUMN source_terms,
                    DROP COLUMN date_start, DROP COLUMN date_end;
                 DROP TABLE search_sources;",
            )?;
            expected
        };
        assert_eq!(expected[0].len(), 2, "{expected:?}");
        assert_eq!(expected[8], vec!["kabul/V1"], "{expected:?}");
        let store = PostgresStore::connect(&fixture.spec)?;
        assert_eq!(store.schema_version()?, PG_SCHEMA_VERSION);
        for (q, want) in queries.iter().zip(&expected) {
            assert_eq!(&ids(&store, q)?, want, "{q}");
        }
        Ok(())
    }

    /// Undoes migration 7 (the test builds a store at an older version):
    /// the `crimes`, `killed` and `killed_least` columns and their indexes
    /// gone.
    fn undo_crime_and_killed(store: &PostgresStore) -> Result<(), Box<dyn std::error::Error>> {
        store.client().batch_execute(
            "ALTER TABLE incidents DROP COLUMN crimes, DROP COLUMN killed,
                DROP COLUMN killed_least;
             DELETE FROM schema_migrations WHERE version >= 7;",
        )?;
        Ok(())
    }

    /// A store at schema version 6 with incidents (JSON compressed),
    /// upgraded: migration 7 fills `crimes` (the incident's and its
    /// sources', read from the analyses), `killed` and `killed_least` of
    /// the incidents already stored.
    #[test]
    fn upgrading_from_version_6_fills_the_crime_and_killed_columns() -> R {
        let Some(fixture) = crate::suite::postgres()? else {
            println!("SKIPPED: VIGIL_TEST_POSTGRES not set");
            return Ok(());
        };
        let queries = [
            ("crime:attack", vec!["herat-a/V1", "lagos/V1"]),
            ("crime:bombing", vec!["herat-a/V1"]),
            ("killed:0", vec!["abuja/V1"]),
            ("killed:>0", vec!["kaduna/V1", "jos/V1"]),
            ("killed:<=3", vec!["jos/V1", "abuja/V1"]),
            ("type:arrest", vec!["herat-a/V1", "kano/V1", "lagos/V1"]),
        ];
        {
            let mut store = PostgresStore::connect(&fixture.spec)?;
            store.insert_batch(&crate::suite::fixtures::tolls())?;
            store.recompute_incidents()?;
            for (q, want) in &queries {
                assert_eq!(&ids(&store, q)?, want, "{q} before the downgrade");
            }
            undo_crime_and_killed(&store)?;
            assert_eq!(store.schema_version()?, 6);
        }
        let store = PostgresStore::connect(&fixture.spec)?;
        assert_eq!(store.schema_version()?, PG_SCHEMA_VERSION);
        for (q, want) in &queries {
            assert_eq!(&ids(&store, q)?, want, "{q} after the upgrade");
        }
        Ok(())
    }

    /// Undoes migration 6 (the test builds a store at an older version):
    /// the JSON of analyses and incidents back as text, no compressed
    /// column.
    fn uncompress_json(store: &PostgresStore) -> Result<(), Box<dyn std::error::Error>> {
        let mut client = store.client();
        for (table, key) in [("analyses", "doc"), ("incidents", "key")] {
            let rows = client.query(&format!("SELECT {key}, zjson FROM {table}"), &[])?;
            for row in rows {
                let text = String::from_utf8(unpack(row.get::<_, &[u8]>(1))?)?;
                client.execute(
                    &format!("UPDATE {table} SET json = $2 WHERE {key} = $1"),
                    &[&row.get::<_, i64>(0), &text],
                )?;
            }
            client.batch_execute(&format!(
                "ALTER TABLE {table} DROP COLUMN zjson, ALTER COLUMN json SET NOT NULL"
            ))?;
        }
        client.batch_execute("DELETE FROM schema_migrations WHERE version >= 6")?;
        Ok(())
    }

    /// Every incident of the store, by id.
    fn all_incidents(store: &PostgresStore) -> Result<Vec<Incident>, StoreError> {
        let mut all = Vec::new();
        store.for_each_incident(&Query::default(), &mut |i| {
            all.push(i);
            Ok(())
        })?;
        Ok(all)
    }

    /// How many rows of `table` keep their JSON as text, and how many
    /// compressed.
    fn json_columns(store: &PostgresStore, table: &str) -> Result<(i64, i64), StoreError> {
        let row = store
            .client()
            .query_one(
                &format!("SELECT COUNT(json), COUNT(zjson) FROM {table}"),
                &[],
            )
            .map_err(pg_err(&store.url, "counting JSON columns"))?;
        Ok((row.get(0), row.get(1)))
    }

    /// A store at schema version 5 (analyses and incidents as JSON text),
    /// upgraded: migration 6 leaves the text rows, every read takes them,
    /// and rows written after it are compressed.
    #[test]
    fn upgrading_from_version_5_reads_text_rows_and_compresses_new_ones() -> R {
        let Some(fixture) = crate::suite::postgres()? else {
            println!("SKIPPED: VIGIL_TEST_POSTGRES not set");
            return Ok(());
        };
        let (incidents, analyses, bombings) = {
            let mut store = PostgresStore::connect(&fixture.spec)?;
            store.insert_batch(&[brussels(), kabul()])?;
            store.recompute_incidents()?;
            assert_eq!(json_columns(&store, "analyses")?, (0, 2));
            assert_eq!(json_columns(&store, "incidents")?, (0, 2));
            let incidents = all_incidents(&store)?;
            let mut analyses = Vec::new();
            for id in ["brussels", "kabul"] {
                analyses.push(store.document(id)?.ok_or(id)?.analysis);
            }
            let bombings = ids(&store, "type:bombing")?;
            // Back to version 5: the JSON as text, no compressed column.
            undo_crime_and_killed(&store)?;
            uncompress_json(&store)?;
            (incidents, analyses, bombings)
        };
        assert_eq!(incidents.len(), 2, "{incidents:?}");
        // Connecting upgrades the store and reads the stories' text rows
        // (the near-duplicate index).
        let mut store = PostgresStore::connect(&fixture.spec)?;
        assert_eq!(store.schema_version()?, PG_SCHEMA_VERSION);
        assert_eq!(json_columns(&store, "analyses")?, (2, 0));
        assert_eq!(json_columns(&store, "incidents")?, (2, 0));
        assert_eq!(all_incidents(&store)?, incidents);
        for incident in &incidents {
            assert_eq!(store.incident(&incident.id)?.as_ref(), Some(incident));
        }
        for (id, analysis) in ["brussels", "kabul"].into_iter().zip(&analyses) {
            assert_eq!(&store.document(id)?.ok_or(id)?.analysis, analysis);
        }
        assert_eq!(ids(&store, "type:bombing")?, bombings);
        // An edited copy of kabul joins its story: its text was read.
        let (mut copy, mut copy_analysis) = kabul();
        copy.id = "kabul-copy".into();
        copy.url = None;
        copy.text = copy.text.to_uppercase();
        copy_analysis.text = copy.text.clone();
        let out = store.insert_batch(&[(copy, copy_analysis)])?;
        assert!(
            matches!(out[..], [Outcome::NearDuplicate { .. }]),
            "{out:?}"
        );
        // A new document: compressed, merged with the text incidents.
        store.insert_batch(&[berlin()])?;
        assert_eq!(json_columns(&store, "analyses")?, (2, 2));
        let berlin_row = store.client().query_one(
            "SELECT a.json IS NULL, a.zjson IS NOT NULL FROM analyses a
             JOIN documents d ON d.key = a.doc WHERE d.id = 'berlin'",
            &[],
        )?;
        assert_eq!((berlin_row.get(0), berlin_row.get(1)), (true, true));
        let update = store.merge_incidents()?;
        assert_eq!(update.total, 3, "{update:?}");
        let (text, packed) = json_columns(&store, "incidents")?;
        assert!(
            packed >= 1 && text + packed == 3,
            "{text} text, {packed} compressed"
        );
        // Brussels kept as stored; the copy joined kabul's incident (read
        // from its text row, written back compressed).
        let merged = all_incidents(&store)?;
        let brussels_incident = incidents.iter().find(|i| i.sources[0].doc_id == "brussels");
        assert!(
            brussels_incident.is_some_and(|b| merged.contains(b)),
            "{merged:?}"
        );
        let kabul_sources = merged
            .iter()
            .find(|i| i.sources.iter().any(|s| s.doc_id == "kabul"))
            .map(|i| i.sources.len());
        assert_eq!(kabul_sources, Some(2), "{merged:?}");
        assert_eq!(ids(&store, "type:bombing")?.len(), 2);
        // Recomputing reads the text analyses and writes every incident
        // compressed.
        store.recompute_incidents()?;
        assert_eq!(json_columns(&store, "incidents")?, (0, 3));
        assert_eq!(all_incidents(&store)?.len(), 3);
        Ok(())
    }
}

#[cfg(test)]
mod capped_search_tests {
    use super::search_tests::three_reports;
    use super::*;

    type R = Result<(), Box<dyn std::error::Error>>;

    fn page(offset: usize, limit: usize, sort: Sort) -> Page {
        Page {
            offset,
            limit,
            sort,
        }
    }

    /// Counting stops at the cap (a lower bound), or one past the page;
    /// walking the pages still finds every incident once.
    #[test]
    fn counts_stop_at_the_cap_and_pages_stay_whole() -> R {
        let Some(fixture) = crate::suite::postgres()? else {
            println!("SKIPPED: VIGIL_TEST_POSTGRES not set");
            return Ok(());
        };
        let mut store = three_reports(&fixture.spec)?;
        store.limits.total_cap = 2;
        let all = Query::default();
        let everything = store.search(&all, &page(0, 10, Sort::Recent))?;
        assert_eq!(
            (everything.total, everything.total_is_lower_bound),
            (3, false)
        );
        let first = store.search(&all, &page(0, 1, Sort::Recent))?;
        assert_eq!(
            (first.total, first.total_is_lower_bound, first.next_offset),
            (2, true, Some(1))
        );
        let mut walked = Vec::new();
        let mut offset = Some(0);
        while let Some(o) = offset {
            let p = store.search(&all, &page(o, 1, Sort::Recent))?;
            walked.extend(p.hits.into_iter().map(|h| h.id));
            offset = p.next_offset;
            assert!(walked.len() <= 3, "{walked:?}");
        }
        let ids: Vec<String> = everything.hits.into_iter().map(|h| h.id).collect();
        assert_eq!(walked, ids);
        // The last page counts one past its end: exact again.
        let last = store.search(&all, &page(2, 1, Sort::Recent))?;
        assert_eq!(
            (last.total, last.total_is_lower_bound, last.next_offset),
            (3, false, None)
        );
        Ok(())
    }

    /// With free words, relevance orders the most recent `rank_window`
    /// matches; older matches follow by recency.
    #[test]
    fn free_words_rank_the_most_recent_matches() -> R {
        let Some(fixture) = crate::suite::postgres()? else {
            println!("SKIPPED: VIGIL_TEST_POSTGRES not set");
            return Ok(());
        };
        let mut store = three_reports(&fixture.spec)?;
        let bomb = search::parse("bomb")?;
        let ranked = store.search(&bomb, &page(0, 10, Sort::Relevance))?.hits;
        assert_eq!(ranked.len(), 2, "{ranked:?}");
        // A stop word (not in any tsvector) is left out, not unmatchable.
        let with_stop_word =
            store.search(&search::parse("the bomb")?, &page(0, 10, Sort::Relevance))?;
        assert_eq!(with_stop_word.hits, ranked);
        // The better match (Kabul: "bomb" twice) is the older one.
        assert!(ranked[0].score > ranked[1].score, "{ranked:?}");
        assert!(ranked[0].recency < ranked[1].recency, "{ranked:?}");
        store.limits.rank_window = 1;
        let windowed = store.search(&bomb, &page(0, 10, Sort::Relevance))?;
        let ids: Vec<&str> = windowed.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, [ranked[1].id.as_str(), ranked[0].id.as_str()]);
        assert_eq!(windowed.total, 2);
        // The same order when the count stops early (the matches then read
        // in recency order, not all at once).
        store.limits.total_cap = 1;
        let many = store.search(&bomb, &page(0, 1, Sort::Relevance))?;
        assert!(many.total_is_lower_bound);
        assert_eq!(many.hits[..], windowed.hits[..1]);
        store.limits.total_cap = search::TOTAL_CAP;
        // The older match keeps its score for display.
        assert_eq!(windowed.hits[1].score, ranked[0].score);
        // Paging within the same order.
        let second = store.search(&bomb, &page(1, 1, Sort::Relevance))?;
        assert_eq!(
            second
                .hits
                .iter()
                .map(|h| h.id.as_str())
                .collect::<Vec<_>>(),
            [ranked[0].id.as_str()]
        );
        Ok(())
    }
}

#[cfg(test)]
mod batch_tests {
    use super::{last_by_id, BatchRows};
    use crate::suite::fixtures::{isis_k, item, place};

    #[test]
    fn last_item_of_each_id_in_order() {
        let rows = [("e1", 1), ("e2", 2), ("e1", 3), ("e3", 4), ("e2", 5)];
        let kept: Vec<(&str, i32)> = last_by_id(&rows, |r| r.0).into_iter().copied().collect();
        assert_eq!(kept, vec![("e1", 3), ("e3", 4), ("e2", 5)]);
        assert!(last_by_id(&[] as &[(&str, i32)], |r| r.0).is_empty());
    }

    /// A batch adds to each actor what upserting it once per document, in
    /// batch order, would: one document more per document naming it, the
    /// first parent and place given, the earliest and latest sighting, and
    /// each alias once.
    #[test]
    fn a_batch_aggregates_actors_as_row_by_row_upserts_would() {
        let (_, mut a) = item("d1", None, "one");
        let mut orphan = isis_k(&["ISKP"]);
        orphan.parent = None;
        // The same actor twice in one document counts once (its second
        // entity, and that entity's aliases, are skipped as before).
        a.entities = vec![orphan, isis_k(&["IS-K"]), place("E9", "Kabul", "AF")];
        let (_, mut b) = item("d2", None, "two");
        b.entities = vec![isis_k(&["ISKP", "Daesh-K"])];
        let mut rows = BatchRows::default();
        rows.add(1, &a, "2024-03-02T10:00:00Z");
        rows.add(2, &b, "2024-03-01T08:00:00Z");
        let keys: Vec<&str> = rows.actors.order.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, vec!["group:islamic-state-khorasan", "city:kabul"]);
        let group = &rows.actors.order[0];
        assert_eq!(group.documents, 2);
        assert_eq!(group.parent.as_deref(), Some("Islamic State"));
        assert_eq!(group.first_seen, "2024-03-01T08:00:00Z");
        assert_eq!(group.last_seen, "2024-03-02T10:00:00Z");
        assert_eq!(rows.actors.order[1].documents, 1);
        let aliases: Vec<&str> = rows
            .actors
            .aliases
            .iter()
            .filter(|(i, _)| *i == 0)
            .map(|(_, n)| n.as_str())
            .collect();
        assert_eq!(
            aliases,
            vec!["Islamic State Khorasan Province", "ISKP", "Daesh-K"]
        );
        // Entity rows: one per (document, id), the last of a repeated id.
        let ids: Vec<(i64, &str)> = rows.entities.iter().map(|r| (r.0, r.1.as_str())).collect();
        assert_eq!(ids, vec![(1, "E2"), (1, "E9"), (2, "E2")]);
    }
}
