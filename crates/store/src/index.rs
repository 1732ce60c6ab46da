//! The incident search index: a tantivy index beside the SQLite database
//! (`<data dir>/index/`).
//!
//! One tantivy document per incident:
//!
//! | field     | kind                         | holds                                                    |
//! |-----------|------------------------------|----------------------------------------------------------|
//! | `id`      | raw, stored                  | the incident id (the key into SQLite)                    |
//! | `body`    | text, English stemming       | evidence sentences and titles of the sources (BM25)      |
//! | `type`    | raw                          | the incident's and every source event's type             |
//! | `stage`   | raw                          | the incident's and every source event's stage            |
//! | `crime`   | raw                          | the incident's and every source event's crime (`crime:`) |
//! | `killed`  | i64, indexed                 | the incident's count of the dead (absent: no count)      |
//! | `killed_least` | i64, indexed            | the least number dead: the count, else 1 when fatal      |
//! | `actor`   | raw, lower-cased             | perpetrator names, aliases, written forms, kb ids        |
//! | `place`   | raw, lower-cased             | place names, aliases, kb ids, ISO country codes          |
//! | `source`  | raw, lower-cased             | outlets and document sources                             |
//! | `start`, `end` | i64 days, indexed + fast | the incident's date range (else its first sighting)      |
//! | `recency` | i64 days, fast               | the start of that range, ranked on (absent: undated)     |
//!
//! Every filter of a [`Query`] is an index lookup (term sets, fast-field
//! ranges, a regular expression over the small `source` term dictionary;
//! a `killed:` term with an upper bound is a range over `killed`, one
//! without over `killed_least`, which is how an uncounted fatal incident
//! meets `killed:>0`: see [`crate::search::KilledTerm::matches`]),
//! so a search never reads incidents it does not return. Hits are ranked
//! by BM25 over the free words, then by recency (undated last), then by id
//! ([`Sort::Relevance`]; without free words, most recent first), or by
//! recency, then BM25, then id ([`Sort::Recent`]): the order of
//! [`crate::search`]'s `rank`, computed by tantivy's top-k collector over
//! fast fields instead of over every incident.
//!
//! **SQLite is the source of truth.** The index is derived data: it is
//! rebuilt wholesale when the incidents are recomputed and updated when
//! some change (a split), and each commit carries the incident
//! *generation* it reflects in its payload. The database keeps
//! the current generation; a store opening an index that is missing,
//! unreadable, of another schema or of another generation rebuilds it from
//! the database. A crash between the database commit and the index commit
//! therefore heals on the next open.

use std::ops::Bound;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, PhraseQuery, Query as TantivyQuery, RangeQuery,
    RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};

use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term};

use crate::search::{KilledTerm, Query};
use crate::Sort;

/// The index directory inside the data directory.
pub const INDEX_DIR: &str = "index";

/// The analyzer of the `body` field: words, lower-cased, diacritics folded,
/// English (Porter 2) stems.
const BODY_TOKENIZER: &str = "vigil_en";

/// Memory budget of the index writer while rebuilding (split over its
/// threads; tantivy needs at least 15 MB per thread).
const WRITER_HEAP: usize = 96_000_000;

/// Errors of the search index. Each names the index directory and what to do.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{path}: {action} failed: {source}; the index is derived data: delete the directory and reopen the store to rebuild it")]
    Tantivy {
        path: PathBuf,
        action: &'static str,
        source: tantivy::TantivyError,
    },
    #[error("{path}: cannot {action}: {source}; check the permissions of the data directory and that the disk is not full")]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
}

impl IndexError {
    /// Whether another writer (another process) holds the index lock.
    pub fn is_locked(&self) -> bool {
        matches!(
            self,
            IndexError::Tantivy {
                source: tantivy::TantivyError::LockFailure(..),
                ..
            }
        )
    }
}

/// What the index keeps for one incident.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexEntry {
    /// The incident id.
    pub id: String,
    /// Evidence sentences and titles (full text).
    pub body: String,
    /// Event types: the incident's and its sources' (vocabulary names, `bombing`).
    pub types: Vec<String>,
    /// Stages: the incident's and its sources' (`foiled`).
    pub stages: Vec<String>,
    /// Crimes: the incident's and its sources' (vocabulary names, `attack`).
    pub crimes: Vec<String>,
    /// The count of the dead, when known.
    pub killed: Option<u32>,
    /// The least number dead: the count, else 1 when some source tells of
    /// a death, else `None`.
    pub killed_least: Option<u32>,
    /// Lower-cased actor values (names, aliases, kb ids).
    pub actors: Vec<String>,
    /// Lower-cased place values (names, aliases, kb ids, country codes).
    pub places: Vec<String>,
    /// Lower-cased outlets and document sources.
    pub sources: Vec<String>,
    /// The date range searched by `since:`/`until:` and ranked on (its
    /// start): the incident's date, else the day it was first seen.
    pub range: Option<(NaiveDate, NaiveDate)>,
}

/// One index hit: an incident id and its text relevance (0 without free words).
#[derive(Debug, Clone, PartialEq)]
pub struct IndexHit {
    pub id: String,
    pub score: f64,
}

/// A page of hits and the number of incidents matching in all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndexPage {
    pub total: usize,
    pub hits: Vec<IndexHit>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    body: Field,
    kind: Field,
    stage: Field,
    crime: Field,
    killed: Field,
    killed_least: Field,
    actor: Field,
    place: Field,
    source: Field,
    start: Field,
    end: Field,
    recency: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let body = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BODY_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        body: b.add_text_field("body", body),
        kind: b.add_text_field("type", STRING),
        stage: b.add_text_field("stage", STRING),
        crime: b.add_text_field("crime", STRING),
        killed: b.add_i64_field("killed", INDEXED),
        killed_least: b.add_i64_field("killed_least", INDEXED),
        actor: b.add_text_field("actor", STRING),
        place: b.add_text_field("place", STRING),
        source: b.add_text_field("source", STRING),
        start: b.add_i64_field("start", INDEXED | FAST),
        end: b.add_i64_field("end", INDEXED | FAST),
        recency: b.add_i64_field("recency", FAST),
    };
    (b.build(), fields)
}

fn body_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Days since 0001-01-01 (the fast-field value of a date).
fn days(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// A value and every suffix of it after a `:` (`group:x` → `group:x`,
/// `x`), so that `actor:x` finds `group:x` (the filter semantics of
/// [`crate::search`]).
fn with_suffixes(value: &str) -> impl Iterator<Item = &str> {
    std::iter::once(value).chain(
        value
            .char_indices()
            .filter(|&(_, c)| c == ':')
            .map(move |(i, _)| &value[i + 1..])
            .filter(|s| !s.is_empty()),
    )
}

/// Escapes the regular-expression syntax of `text`.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A tantivy query and whether it ranks by text relevance.
type Built = (Box<dyn TantivyQuery>, bool);

/// The tantivy index of incidents.
pub struct IncidentIndex {
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The generation the reader last loaded ([`NO_GENERATION`] before
    /// the first [`refresh`](Self::refresh)).
    loaded: AtomicU64,
}

/// [`IncidentIndex::loaded`] when no generation was loaded yet.
const NO_GENERATION: u64 = u64::MAX;

impl IncidentIndex {
    /// Opens the index in `dir` (created if missing). An index that cannot
    /// be read or has another schema is deleted and created empty (its
    /// [`generation`](Self::generation) is then `None`, so the store
    /// rebuilds it).
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let (schema, fields) = schema();
        let index = match Self::open_existing(dir, &schema) {
            Some(index) => index,
            None => {
                if dir.exists() {
                    std::fs::remove_dir_all(dir).map_err(|source| IndexError::Io {
                        path: dir.to_path_buf(),
                        action: "remove a damaged index",
                        source,
                    })?;
                }
                std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
                    path: dir.to_path_buf(),
                    action: "create the index directory",
                    source,
                })?;
                Index::create_in_dir(dir, schema).map_err(|source| IndexError::Tantivy {
                    path: dir.to_path_buf(),
                    action: "creating the index",
                    source,
                })?
            }
        };
        index.tokenizers().register(BODY_TOKENIZER, body_analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|source| IndexError::Tantivy {
                path: dir.to_path_buf(),
                action: "opening an index reader",
                source,
            })?;
        Ok(IncidentIndex {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            loaded: AtomicU64::new(NO_GENERATION),
        })
    }

    fn open_existing(dir: &Path, schema: &Schema) -> Option<Index> {
        let index = Index::open_in_dir(dir).ok()?;
        if index.schema() != *schema {
            return None;
        }
        // Every segment listed must be readable.
        index.load_metas().ok()?;
        index.searchable_segments().ok()?;
        Some(index)
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The incident generation of the last commit, `None` for an index
    /// never committed (new or recreated).
    pub fn generation(&self) -> Option<u64> {
        let metas = self.index.load_metas().ok()?;
        metas.payload.as_deref()?.trim().parse().ok()
    }

    /// Brings the reader to the last committed generation on disk and
    /// returns that generation. The reader reloads by itself only after a
    /// delay; a commit by another process (a `vigil ingest` beside a
    /// `vigil serve`) must be visible as soon as the database says the
    /// incidents changed, so searches call this first. Cheap when nothing
    /// changed (one read of the index's `meta.json`).
    pub fn refresh(&self) -> Result<Option<u64>, IndexError> {
        let on_disk = self.generation();
        let key = on_disk.unwrap_or(NO_GENERATION);
        if self.loaded.load(AtomicOrdering::Acquire) != key {
            self.reader
                .reload()
                .map_err(self.err("reloading the index reader"))?;
            self.loaded.store(key, AtomicOrdering::Release);
        }
        Ok(on_disk)
    }

    fn err(&self, action: &'static str) -> impl FnOnce(tantivy::TantivyError) -> IndexError {
        let path = self.dir.clone();
        move |source| IndexError::Tantivy {
            path,
            action,
            source,
        }
    }

    /// Replaces the whole index by `entries` and commits it as generation
    /// `generation`.
    pub fn rebuild(&mut self, entries: &[IndexEntry], generation: u64) -> Result<(), IndexError> {
        self.write(None, entries, generation)
    }

    /// Removes the incidents `removed` (ids), adds or replaces `entries`
    /// and commits as generation `generation`.
    pub fn update(
        &mut self,
        removed: &[String],
        entries: &[IndexEntry],
        generation: u64,
    ) -> Result<(), IndexError> {
        self.write(Some(removed), entries, generation)
    }

    /// One writer session: `removed` `None` clears the index first. Takes
    /// the index's writer lock for the duration: a concurrent write by
    /// another process fails with [`IndexError::Tantivy`] (`LockFailure`).
    fn write(
        &mut self,
        removed: Option<&[String]>,
        entries: &[IndexEntry],
        generation: u64,
    ) -> Result<(), IndexError> {
        let threads = if entries.len() > 10_000 {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .clamp(1, 4)
        } else {
            1
        };
        let mut writer: IndexWriter<TantivyDocument> = self
            .index
            .writer_with_num_threads(threads, WRITER_HEAP.max(threads * 16_000_000))
            .map_err(self.err("opening the index writer"))?;
        let f = self.fields;
        match removed {
            None => {
                writer
                    .delete_all_documents()
                    .map_err(self.err("clearing the index"))?;
            }
            Some(ids) => {
                for id in ids.iter().chain(entries.iter().map(|e| &e.id)) {
                    writer.delete_term(Term::from_field_text(f.id, id));
                }
            }
        }
        for entry in entries {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.id, &entry.id);
            doc.add_text(f.body, &entry.body);
            for t in &entry.types {
                doc.add_text(f.kind, t);
            }
            for s in &entry.stages {
                doc.add_text(f.stage, s);
            }
            for c in &entry.crimes {
                doc.add_text(f.crime, c);
            }
            if let Some(k) = entry.killed {
                doc.add_i64(f.killed, i64::from(k));
            }
            if let Some(k) = entry.killed_least {
                doc.add_i64(f.killed_least, i64::from(k));
            }
            for (field, values) in [(f.actor, &entry.actors), (f.place, &entry.places)] {
                let mut seen: Vec<&str> = Vec::new();
                for v in values.iter().flat_map(|v| with_suffixes(v)) {
                    if !seen.contains(&v) {
                        seen.push(v);
                        doc.add_text(field, v);
                    }
                }
            }
            for s in &entry.sources {
                doc.add_text(f.source, s);
            }
            if let Some((start, end)) = entry.range {
                doc.add_i64(f.start, days(start));
                doc.add_i64(f.end, days(end));
                doc.add_i64(f.recency, days(start));
            }
            writer
                .add_document(doc)
                .map_err(self.err("indexing an incident"))?;
        }
        let mut commit = writer
            .prepare_commit()
            .map_err(self.err("preparing the index commit"))?;
        commit.set_payload(&generation.to_string());
        commit.commit().map_err(self.err("committing the index"))?;
        writer
            .wait_merging_threads()
            .map_err(self.err("merging index segments"))?;
        self.reader
            .reload()
            .map_err(self.err("reloading the index reader"))?;
        Ok(())
    }

    /// The incidents matching `query` in the order `sort`, skipping
    /// `offset` and returning at most `limit`, with the number matching in
    /// all.
    pub fn search(
        &self,
        query: &Query,
        offset: usize,
        limit: usize,
        sort: Sort,
    ) -> Result<IndexPage, IndexError> {
        let Some((tq, scored)) = self.build(query)? else {
            return Ok(IndexPage::default());
        };
        let searcher = self.reader.searcher();
        if limit == 0 {
            let total = searcher
                .search(&tq, &Count)
                .map_err(self.err("searching"))?;
            return Ok(IndexPage {
                total,
                hits: Vec::new(),
            });
        }
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let score = (SortBySimilarityScore, Order::Desc);
        let recency = (
            SortByStaticFastValue::<i64>::for_field("recency"),
            Order::Desc,
        );
        let id = (SortByString::for_field("id"), Order::Asc);
        let (total, hits) = match sort {
            Sort::Relevance => {
                let (total, docs) = searcher
                    .search(&tq, &(Count, top.order_by((score, recency, id))))
                    .map_err(self.err("searching"))?;
                let hits = docs
                    .into_iter()
                    .map(|((s, _, id), _)| (s, id))
                    .collect::<Vec<_>>();
                (total, hits)
            }
            Sort::Recent => {
                let (total, docs) = searcher
                    .search(&tq, &(Count, top.order_by((recency, score, id))))
                    .map_err(self.err("searching"))?;
                let hits = docs
                    .into_iter()
                    .map(|((_, s, id), _)| (s, id))
                    .collect::<Vec<_>>();
                (total, hits)
            }
        };
        Ok(IndexPage {
            total,
            hits: hits
                .into_iter()
                .filter_map(|(s, id)| {
                    Some(IndexHit {
                        id: id?,
                        score: if scored { f64::from(s) } else { 0.0 },
                    })
                })
                .collect(),
        })
    }

    /// Bytes on disk of the index directory.
    pub fn size_bytes(&self) -> u64 {
        fn walk(dir: &Path) -> u64 {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return 0;
            };
            entries
                .filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => walk(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        }
        walk(&self.dir)
    }

    /// The number of incidents in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no incident.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tantivy query for `query` and whether it ranks by text
    /// relevance (has free words); `None` when nothing can match (free
    /// words that are all punctuation).
    fn build(&self, query: &Query) -> Result<Option<Built>, IndexError> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        // Free words: every word or phrase must occur in the body.
        let mut analyzer = self
            .index
            .tokenizer_for_field(f.body)
            .map_err(self.err("loading the body analyzer"))?;
        let mut scored = false;
        for word in &query.words {
            let mut terms: Vec<Term> = Vec::new();
            let mut stream = analyzer.token_stream(word);
            while let Some(token) = stream.next() {
                terms.push(Term::from_field_text(f.body, &token.text));
            }
            match terms.len() {
                0 => continue,
                1 => clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        terms.remove(0),
                        IndexRecordOption::WithFreqs,
                    )),
                )),
                _ => clauses.push((Occur::Must, Box::new(PhraseQuery::new(terms)))),
            }
            scored = true;
        }
        if !scored && query.words.iter().any(|w| !w.trim().is_empty()) {
            return Ok(None);
        }
        // Filters: the same field twice means either value; they never score.
        let mut filter = |q: Box<dyn TantivyQuery>| {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
        };
        let term_set = |field: Field, values: Vec<String>| -> Box<dyn TantivyQuery> {
            Box::new(TermSetQuery::new(
                values
                    .iter()
                    .map(|v| Term::from_field_text(field, v))
                    .collect::<Vec<_>>(),
            ))
        };
        if !query.types.is_empty() {
            filter(term_set(
                f.kind,
                query.types.iter().map(vocab_name).collect(),
            ));
        }
        if !query.stages.is_empty() {
            filter(term_set(
                f.stage,
                query.stages.iter().map(vocab_name).collect(),
            ));
        }
        if !query.crimes.is_empty() {
            filter(term_set(
                f.crime,
                query.crimes.iter().map(vocab_name).collect(),
            ));
        }
        if !query.killed.is_empty() {
            let any: Vec<(Occur, Box<dyn TantivyQuery>)> = query
                .killed
                .iter()
                .map(|k| (Occur::Should, killed_range(f, k)))
                .collect();
            filter(Box::new(BooleanQuery::new(any)));
        }
        if !query.actors.is_empty() {
            filter(term_set(
                f.actor,
                query.actors.iter().map(|a| a.to_lowercase()).collect(),
            ));
        }
        if !query.places.is_empty() {
            let mut values = Vec::new();
            for p in &query.places {
                values.push(p.value.to_lowercase());
                values.extend(p.countries.iter().map(|c| c.to_lowercase()));
            }
            filter(term_set(f.place, values));
        }
        if !query.sources.is_empty() {
            let mut any: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
            for s in &query.sources {
                let pattern = format!(".*{}.*", regex_escape(&s.to_lowercase()));
                let q = RegexQuery::from_pattern(&pattern, f.source)
                    .map_err(self.err("compiling a source: filter"))?;
                any.push((Occur::Should, Box::new(q)));
            }
            filter(Box::new(BooleanQuery::new(any)));
        }
        if let Some(since) = query.since {
            filter(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_i64(f.end, days(since))),
                Bound::Unbounded,
            )));
        }
        if let Some(until) = query.until {
            filter(Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_i64(f.start, days(until))),
            )));
        }
        if clauses.is_empty() {
            return Ok(Some((Box::new(AllQuery), false)));
        }
        Ok(Some((Box::new(BooleanQuery::new(clauses)), scored)))
    }
}

/// The range query of a `killed:` term: `killed_least >= min` without an
/// upper bound, `min <= killed <= max` with one (see [`IndexEntry`]).
fn killed_range(f: Fields, term: &KilledTerm) -> Box<dyn TantivyQuery> {
    let (field, upper) = match term.max {
        None => (f.killed_least, Bound::Unbounded),
        Some(max) => (
            f.killed,
            Bound::Included(Term::from_field_i64(f.killed, i64::from(max))),
        ),
    };
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_i64(field, i64::from(term.min))),
        upper,
    ))
}

fn vocab_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

/// The index entry of an incident from its search row (see
/// [`crate::search`]: evidence text and the lower-cased filter values, one
/// per line).
pub(crate) fn entry(incident: &vigil_core::Incident, row: &crate::search::Row) -> IndexEntry {
    let lines = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let mut types = vec![vocab_name(&incident.kind)];
    let mut stages = vec![vocab_name(&incident.stage)];
    for s in &incident.sources {
        let t = vocab_name(&s.kind);
        if !types.contains(&t) {
            types.push(t);
        }
        let st = vocab_name(&s.stage);
        if !stages.contains(&st) {
            stages.push(st);
        }
    }
    let range = match &incident.date {
        Some(d) => Some((d.start, d.end)),
        None => incident
            .first_seen
            .map(|t| (t.date_naive(), t.date_naive())),
    };
    IndexEntry {
        id: incident.id.clone(),
        body: row.body.clone(),
        types,
        stages,
        crimes: row.crimes.clone(),
        killed: incident.killed,
        killed_least: crate::search::killed_least(incident),
        actors: lines(&row.actors),
        places: lines(&row.places),
        sources: lines(&row.sources),
        range,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::search::parse;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn entries() -> Vec<IndexEntry> {
        let e = |id: &str, body: &str, kind: &str, stage: &str, date: Option<&str>| IndexEntry {
            id: id.to_string(),
            body: body.to_string(),
            types: vec![kind.to_string()],
            stages: vec![stage.to_string()],
            range: date.map(|x| (d(x), d(x))),
            ..IndexEntry::default()
        };
        let mut kabul = e(
            "kabul",
            "A car bomb exploded near a crowded market in Kabul and the bomb killed five people.",
            "bombing",
            "accomplished",
            Some("2023-05-10"),
        );
        kabul.actors = vec!["isis-k".into(), "group:islamic-state-khorasan".into()];
        kabul.places = vec!["kabul".into(), "af".into()];
        kabul.sources = vec!["new york times".into()];
        let mut berlin = e(
            "berlin",
            "A bomb was found and defused at the central railway station in Berlin.",
            "bombing",
            "foiled",
            Some("2024-06-01"),
        );
        berlin.places = vec!["berlin".into(), "de".into()];
        berlin.sources = vec!["der spiegel".into()];
        let mut brussels = e(
            "brussels",
            "Police arrested two men in Brussels on suspicion of planning an attack on a concert hall.",
            "arrest",
            "accomplished",
            Some("2024-03-01"),
        );
        brussels.places = vec!["brussels".into(), "be".into()];
        brussels.sources = vec!["reuters".into()];
        // Same day as Berlin: the id breaks the tie.
        let mut bonn = e(
            "bonn",
            "Bombings were threatened in Bonn by an anonymous caller who telephoned the city hall on Saturday morning and demanded money.",
            "bombing",
            "threatened",
            Some("2024-06-01"),
        );
        bonn.places = vec!["bonn".into()];
        let undated = e(
            "undated",
            "An attack somewhere.",
            "attack",
            "accomplished",
            None,
        );
        vec![kabul, berlin, brussels, bonn, undated]
    }

    fn ids(index: &IncidentIndex, q: &str) -> Vec<String> {
        let query = parse(q).unwrap();
        index
            .search(&query, 0, 10, Sort::Relevance)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    }

    #[test]
    fn filters_and_ranking_are_index_lookups() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().unwrap();
        let mut index = IncidentIndex::open(&dir.path().join(INDEX_DIR))?;
        assert_eq!(index.generation(), None);
        index.rebuild(&entries(), 7)?;
        assert_eq!(index.generation(), Some(7));
        // No free words: most recent first, same day by id, undated last.
        assert_eq!(
            ids(&index, ""),
            vec!["berlin", "bonn", "brussels", "kabul", "undated"]
        );
        assert_eq!(ids(&index, "type:bombing"), vec!["berlin", "bonn", "kabul"]);
        assert_eq!(
            ids(&index, "type:arrest type:attack"),
            vec!["brussels", "undated"]
        );
        assert_eq!(ids(&index, "stage:foiled"), vec!["berlin"]);
        assert_eq!(ids(&index, "actor:ISIS-K"), vec!["kabul"]);
        assert_eq!(ids(&index, "actor:islamic-state-khorasan"), vec!["kabul"]);
        assert_eq!(
            ids(&index, "actor:group:islamic-state-khorasan"),
            vec!["kabul"]
        );
        assert_eq!(ids(&index, "actor:islamic"), Vec::<String>::new());
        assert_eq!(ids(&index, "place:DE place:be"), vec!["berlin", "brussels"]);
        assert_eq!(ids(&index, r#"source:"york tim""#), vec!["kabul"]);
        assert_eq!(ids(&index, "source:e.r"), Vec::<String>::new());
        assert_eq!(
            ids(&index, "since:2024-03-01"),
            vec!["berlin", "bonn", "brussels"]
        );
        assert_eq!(ids(&index, "until:2024-02-29"), vec!["kabul"]);
        assert_eq!(
            ids(&index, "since:2024-03-01 until:2024-03-01"),
            vec!["brussels"]
        );
        // Free words: BM25 (Kabul says "bomb" twice), stems ("bombings"),
        // phrases; then recency.
        assert_eq!(ids(&index, "bomb"), vec!["kabul", "berlin", "bonn"]);
        assert_eq!(
            ids(&index, "bombs type:bombing stage:threatened"),
            vec!["bonn"]
        );
        assert_eq!(ids(&index, r#""concert hall""#), vec!["brussels"]);
        assert_eq!(ids(&index, r#""hall concert""#), Vec::<String>::new());
        assert_eq!(ids(&index, "nothing-like-this"), Vec::<String>::new());
        assert_eq!(ids(&index, "-- bomb market"), vec!["kabul"]);
        // Pages and totals.
        let page = index.search(&Query::default(), 1, 2, Sort::Relevance)?;
        assert_eq!(page.total, 5);
        let got: Vec<&str> = page.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(got, vec!["bonn", "brussels"]);
        assert_eq!(
            index
                .search(&Query::default(), 0, 0, Sort::Relevance)?
                .total,
            5
        );
        let scored = index.search(&parse("bomb").unwrap(), 0, 1, Sort::Relevance)?;
        assert!(scored.hits[0].score > 0.0);
        // Most recent first, then relevance.
        let recent = index.search(&parse("bomb").unwrap(), 0, 10, Sort::Recent)?;
        let got: Vec<&str> = recent.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(got, vec!["berlin", "bonn", "kabul"]);
        assert_eq!(ids(&index, "-- ..."), Vec::<String>::new());
        Ok(())
    }

    /// `crime:` is a term set; `killed:` a range over `killed` with an
    /// upper bound, over `killed_least` without one (an uncounted fatal
    /// incident meets `killed:>0`, nothing else).
    #[test]
    fn crime_and_killed_are_index_lookups() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut index = IncidentIndex::open(&dir.path().join(INDEX_DIR))?;
        let mut all = entries();
        // kabul: 5 dead; berlin: 0; brussels: an arrest over an attack and
        // a bombing; bonn: no count; undated: fatal, no count.
        all[0].killed = Some(5);
        all[0].killed_least = Some(5);
        all[1].killed = Some(0);
        all[1].killed_least = Some(0);
        all[2].crimes = vec!["attack".into(), "bombing".into()];
        all[4].killed_least = Some(1);
        index.rebuild(&all, 1)?;
        let found = |q: &str| -> Vec<String> {
            let query = parse(q).expect("a valid query");
            let mut ids: Vec<String> = index
                .search(&query, 0, 10, Sort::Relevance)
                .expect("a search")
                .hits
                .into_iter()
                .map(|h| h.id)
                .collect();
            ids.sort();
            ids
        };
        let none = Vec::<String>::new();
        assert_eq!(found("crime:attack"), vec!["brussels"]);
        assert_eq!(found("crime:bombing type:arrest"), vec!["brussels"]);
        assert_eq!(found("crime:bombing type:bombing"), none);
        assert_eq!(found("crime:arson"), none);
        assert_eq!(found("killed:5"), vec!["kabul"]);
        assert_eq!(found("killed:0"), vec!["berlin"]);
        assert_eq!(found("killed:>0"), vec!["kabul", "undated"]);
        assert_eq!(found("killed:>=0"), vec!["berlin", "kabul", "undated"]);
        assert_eq!(found("killed:>=2"), vec!["kabul"]);
        assert_eq!(found("killed:1"), none);
        assert_eq!(found("killed:<=5"), vec!["berlin", "kabul"]);
        assert_eq!(found("killed:<5"), vec!["berlin"]);
        assert_eq!(found("killed:1..9"), vec!["kabul"]);
        assert_eq!(found("killed:0 killed:>=5"), vec!["berlin", "kabul"]);
        assert_eq!(found("killed:>0 bomb"), vec!["kabul"]);
        Ok(())
    }

    #[test]
    fn rebuild_replaces_everything_and_damage_is_detected() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(INDEX_DIR);
        {
            let mut index = IncidentIndex::open(&path)?;
            index.rebuild(&entries(), 1)?;
            index.rebuild(&entries()[..1], 2)?;
            assert_eq!(ids(&index, ""), vec!["kabul"]);
            // Updates replace by id and remove.
            let mut berlin = entries()[1].clone();
            berlin.body = "A grenade".into();
            index.update(&[], &[berlin.clone()], 3)?;
            berlin.body = "A knife".into();
            index.update(&["kabul".to_string()], &[berlin], 4)?;
            assert_eq!(ids(&index, ""), vec!["berlin"]);
            assert_eq!(ids(&index, "knife"), vec!["berlin"]);
            assert_eq!(ids(&index, "grenade"), Vec::<String>::new());
            assert_eq!(index.len(), 1);
            index.rebuild(&entries()[..1], 2)?;
        }
        // Reopened: same generation and content.
        {
            let index = IncidentIndex::open(&path)?;
            assert_eq!(index.generation(), Some(2));
            assert_eq!(ids(&index, "bomb"), vec!["kabul"]);
        }
        // A damaged index is recreated empty, with no generation.
        std::fs::write(path.join("meta.json"), b"{ not json").unwrap();
        let index = IncidentIndex::open(&path)?;
        assert_eq!(index.generation(), None);
        assert_eq!(ids(&index, ""), Vec::<String>::new());
        // A deleted one too.
        drop(index);
        std::fs::remove_dir_all(&path).unwrap();
        let index = IncidentIndex::open(&path)?;
        assert_eq!(index.generation(), None);
        Ok(())
    }

    #[test]
    fn suffixes_and_escapes() {
        assert_eq!(
            with_suffixes("a:b:c").collect::<Vec<_>>(),
            vec!["a:b:c", "b:c", "c"]
        );
        assert_eq!(regex_escape("a.b-c"), "a\\.b\\-c");
    }

    /// The store keeps the index at its generation: rebuilt when deleted,
    /// damaged or behind (a crash between the two commits).
    mod store {
        use super::*;
        use crate::{Page, SqliteStore, Store, StoreError};
        use vigil_core::{
            Analysis, DateValue, Document, Event, EventType, Mention, Precision, Span, Stage,
        };

        fn report(id: &str, text: &str, kind: EventType, date: &str) -> (Document, Analysis) {
            let doc = Document {
                id: id.to_string(),
                text: text.to_string(),
                source: Some("Reuters".to_string()),
                ..Document::default()
            };
            let day = d(date);
            let analysis = Analysis {
                id: id.to_string(),
                text: text.to_string(),
                events: vec![Event {
                    date: Some(DateValue {
                        start: day,
                        end: day,
                        precision: Precision::Day,
                        text: date.to_string(),
                        span: None,
                        relative: false,
                    }),
                    evidence: vec![Span::new(0, text.len())],
                    ..Event::new(
                        "V1".to_string(),
                        kind,
                        Stage::Accomplished,
                        Mention::default(),
                        0.9,
                    )
                }],
                ..Analysis::default()
            };
            (doc, analysis)
        }

        fn filled(dir: &Path) -> Result<(), StoreError> {
            let mut store = SqliteStore::open(dir)?;
            store.insert_batch(&[
                report(
                    "kabul",
                    "A car bomb exploded near a crowded market in Kabul.",
                    EventType::Bombing,
                    "2023-05-10",
                ),
                report(
                    "brussels",
                    "Police arrested two men in Brussels over a plotted attack on a concert hall.",
                    EventType::Arrest,
                    "2024-03-01",
                ),
            ])?;
            assert_eq!(store.recompute_incidents()?, 2);
            Ok(())
        }

        fn found(dir: &Path, q: &str) -> Result<Vec<String>, StoreError> {
            let store = SqliteStore::open(dir)?;
            let query = parse(q).unwrap();
            let page = store.search(&query, &Page::first(10))?;
            Ok(page
                .hits
                .into_iter()
                .map(|h| h.id.split('/').next().unwrap_or_default().to_string())
                .collect())
        }

        #[test]
        fn a_deleted_or_damaged_index_is_rebuilt_from_the_database() -> Result<(), StoreError> {
            let dir = tempfile::tempdir().unwrap();
            filled(dir.path())?;
            assert_eq!(found(dir.path(), "")?, vec!["brussels", "kabul"]);
            std::fs::remove_dir_all(dir.path().join(INDEX_DIR)).unwrap();
            assert_eq!(found(dir.path(), "")?, vec!["brussels", "kabul"]);
            assert_eq!(found(dir.path(), "bombs")?, vec!["kabul"]);
            std::fs::write(dir.path().join(INDEX_DIR).join("meta.json"), b"garbage").unwrap();
            assert_eq!(found(dir.path(), "type:arrest")?, vec!["brussels"]);
            let store = SqliteStore::open(dir.path())?;
            assert!(store.stats()?.size_bytes > dir_size(&dir.path().join(INDEX_DIR)));
            Ok(())
        }

        #[test]
        fn a_stale_index_is_detected_and_rebuilt() -> Result<(), StoreError> {
            let dir = tempfile::tempdir().unwrap();
            filled(dir.path())?;
            let generation = {
                let index = IncidentIndex::open(&dir.path().join(INDEX_DIR))?;
                index.generation().unwrap()
            };
            // A crash after the database committed generation g and before
            // the index did: the index still holds generation g - 1 (here
            // with other content, so the test sees the difference).
            {
                let mut index = IncidentIndex::open(&dir.path().join(INDEX_DIR))?;
                index.rebuild(&entries()[..1], generation - 1)?;
                assert_eq!(ids(&index, ""), vec!["kabul"]);
            }
            assert_eq!(found(dir.path(), "")?, vec!["brussels", "kabul"]);
            let index = IncidentIndex::open(&dir.path().join(INDEX_DIR))?;
            assert_eq!(index.generation(), Some(generation));
            // An index ahead of the database (restored from elsewhere) is
            // not trusted either.
            drop(index);
            {
                let mut index = IncidentIndex::open(&dir.path().join(INDEX_DIR))?;
                index.rebuild(&[], generation + 5)?;
            }
            assert_eq!(found(dir.path(), "concert")?, vec!["brussels"]);
            Ok(())
        }

        /// The schema before `crime` and `killed` (as written by earlier
        /// versions).
        fn previous_schema() -> Schema {
            let mut b = Schema::builder();
            let body = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(BODY_TOKENIZER)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            b.add_text_field("id", STRING | STORED | FAST);
            b.add_text_field("body", body);
            for name in ["type", "stage", "actor", "place", "source"] {
                b.add_text_field(name, STRING);
            }
            b.add_i64_field("start", INDEXED | FAST);
            b.add_i64_field("end", INDEXED | FAST);
            b.add_i64_field("recency", FAST);
            b.build()
        }

        /// An index of the previous schema at the database's generation
        /// (what an upgraded binary finds on disk) is not trusted: it has
        /// neither `crime` nor `killed`, and is rebuilt.
        #[test]
        fn an_index_of_the_previous_schema_is_rebuilt() -> Result<(), Box<dyn std::error::Error>> {
            let dir = tempfile::tempdir()?;
            {
                let mut store = SqliteStore::open(dir.path())?;
                let (doc, mut kabul) = report(
                    "kabul",
                    "A car bomb exploded near a crowded market in Kabul.",
                    EventType::Bombing,
                    "2023-05-10",
                );
                kabul.events[0].killed = Some(5);
                kabul.events[0].fatal = true;
                let (doc2, mut arrest) = report(
                    "brussels",
                    "Police arrested two men in Brussels over the killing of a teacher.",
                    EventType::Arrest,
                    "2024-03-01",
                );
                arrest.events[0].crime = Some(EventType::Attack);
                store.insert_batch(&[(doc, kabul), (doc2, arrest)])?;
                store.recompute_incidents()?;
            }
            assert_eq!(found(dir.path(), "killed:>=5")?, vec!["kabul"]);
            let path = dir.path().join(INDEX_DIR);
            let generation = IncidentIndex::open(&path)?
                .generation()
                .ok_or("the store committed no generation")?;
            std::fs::remove_dir_all(&path)?;
            std::fs::create_dir_all(&path)?;
            {
                let old = Index::create_in_dir(&path, previous_schema())?;
                let mut writer: IndexWriter<TantivyDocument> = old.writer(15_000_000)?;
                let mut commit = writer.prepare_commit()?;
                commit.set_payload(&generation.to_string());
                commit.commit()?;
            }
            assert_eq!(found(dir.path(), "killed:>=5")?, vec!["kabul"]);
            assert_eq!(found(dir.path(), "crime:attack")?, vec!["brussels"]);
            assert_eq!(found(dir.path(), "")?, vec!["brussels", "kabul"]);
            Ok(())
        }

        fn dir_size(dir: &Path) -> u64 {
            std::fs::read_dir(dir)
                .map(|es| {
                    es.filter_map(Result::ok)
                        .filter_map(|e| e.metadata().ok())
                        .map(|m| m.len())
                        .sum()
                })
                .unwrap_or(0)
        }
    }
}
