//! Incident search: the query language and its parser.
//!
//! A query is a list of terms separated by white space:
//!
//! * free words (`bomb`, `"car bomb"`), matched against the evidence
//!   sentences and titles of an incident's sources; every word must match;
//! * `type:VALUE` — the incident's or a source's event type (`bombing`);
//! * `stage:VALUE` — `accomplished`, `attempted`, `foiled`, `planned`,
//!   `threatened`;
//! * `crime:VALUE` — for arrests, raids and convictions, the act of
//!   violence the held are suspected of, charged with or sentenced for
//!   (an event type, `crime:attack`): the incident's `crime` or any of its
//!   source events' (read from their analyses, as the evidence is), so
//!   that `crime:` answers like `type:`, which also takes the sources';
//! * `killed:N`, `killed:>N`, `killed:>=N`, `killed:<N`, `killed:<=N`,
//!   `killed:N..M` (inclusive) — the incident's count of the dead
//!   ([`KilledTerm`]). An incident without a count matches none of them,
//!   except that one some source tells of a death ("fatal": counted or
//!   not) had at least one dead: it matches the lower bounds that one
//!   death meets (`killed:>0`, `killed:>=1`) and nothing else (not
//!   `killed:1`, `killed:>=2` nor any upper bound). An incident with a
//!   count is judged by its count alone, fatal or not;
//! * `actor:VALUE` — a perpetrator's name, alias or knowledge-base id
//!   (`group:islamic-state-khorasan` or just `islamic-state-khorasan`);
//! * `place:VALUE` — the location's name, a place named for the event, an
//!   ISO country code, or a country name the caller resolved
//!   ([`PlaceTerm::countries`]);
//! * `since:YYYY-MM-DD`, `until:YYYY-MM-DD` — the incident's date range
//!   overlaps the bound (inclusive);
//! * `source:VALUE` — a source's outlet or document source (substring).
//!
//! Values may be quoted (`actor:"ISIS-K"`); matching is case-insensitive.
//! The same field given twice means either value (OR: `killed:0
//! killed:>=10`; a range is `killed:3..10`); different fields must all hold
//! (AND); a repeated `since`/`until` keeps the last one.
//!
//! Both backends answer every term from an index: the tantivy index of the
//! SQLite store (`index.rs`) and the filter columns of the PostgreSQL store
//! (`FilterColumns`). [`KilledTerm::matches`] states the semantics of
//! `killed:` for one incident, which both implement through
//! `killed_least`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use vigil_core::{Analysis, EventType, Incident, Stage};

use crate::{Page, SearchPage, Sort};

/// The fields a query may use.
pub const FIELDS: &[&str] = &[
    "type", "stage", "crime", "killed", "actor", "place", "since", "until", "source",
];

/// A malformed query: where (1-based character position) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid query at position {position}: {message}")]
pub struct QueryError {
    pub position: usize,
    pub message: String,
}

/// A `place:` term; `countries` holds ISO codes the value names as a
/// country (filled by the caller from a gazetteer; the store has none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlaceTerm {
    pub value: String,
    pub countries: Vec<String>,
}

/// A `killed:` term: the counts of the dead it accepts, bounds included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KilledTerm {
    /// The least count accepted (`killed:>2` is `min` 3).
    pub min: u32,
    /// The greatest count accepted; `None` for no upper bound
    /// (`killed:>=N`, `killed:>N`).
    pub max: Option<u32>,
}

impl KilledTerm {
    /// Whether an incident with the count `killed` (`Incident::killed`)
    /// and `fatal` (`Incident::fatal`: some source tells of a death,
    /// counted or not) matches. A count decides alone. Without one, a
    /// fatal incident had at least one dead: it matches a term without an
    /// upper bound whose least count is at most 1 (`killed:>0`,
    /// `killed:>=1`, `killed:>=0`); any other uncounted incident matches
    /// nothing. The reference semantics the backends implement.
    pub fn matches(&self, killed: Option<u32>, fatal: bool) -> bool {
        match killed {
            Some(k) => self.min <= k && self.max.is_none_or(|max| k <= max),
            None => fatal && self.max.is_none() && self.min <= 1,
        }
    }
}

/// The least number of dead an incident is known to have: its count, else
/// 1 when some source tells of a death ([`Incident::fatal`]), else `None`.
/// A `killed:` term without an upper bound is `killed_least >= min`; one
/// with an upper bound is `min <= killed <= max` on the count itself; so
/// both are one indexed range each and agree with [`KilledTerm::matches`].
pub(crate) fn killed_least(incident: &Incident) -> Option<u32> {
    incident.killed.or(incident.fatal.then_some(1))
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// Free words and quoted phrases, as written.
    pub words: Vec<String>,
    pub types: Vec<EventType>,
    pub stages: Vec<Stage>,
    /// `crime:` values: the act of violence of an arrest, raid or conviction.
    pub crimes: Vec<EventType>,
    /// `killed:` terms (either may hold).
    pub killed: Vec<KilledTerm>,
    pub actors: Vec<String>,
    pub places: Vec<PlaceTerm>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub sources: Vec<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventType,
    pub stage: Stage,
    /// `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`.
    pub date: Option<String>,
    pub place: Option<String>,
    pub killed: Option<u32>,
    pub injured: Option<u32>,
    pub arrested: Option<u32>,
    /// Some source tells of a death, counted or not (`Incident::fatal`).
    pub fatal: bool,
    /// Number of source events merged into the incident.
    pub sources: usize,
    /// Outlets of the sources, deduplicated.
    pub outlets: Vec<String>,
    /// The first evidence sentence.
    pub snippet: Option<String>,
    /// Text relevance (higher is better; 0 without free words).
    pub score: f64,
    /// The date ranked on: the incident's date, else its first sighting.
    #[serde(skip)]
    pub recency: Option<NaiveDate>,
}

/// What the search index keeps for one incident. The list columns hold
/// lower-cased values, one per line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    pub body: String,
    pub snippet: Option<String>,
    pub actors: String,
    pub places: String,
    pub sources: String,
    /// Vocabulary names of the incident's crime and its source events'
    /// crimes ([`crimes`]). Not stored with the incident: taken from the
    /// analyses whenever the row is built.
    pub crimes: Vec<String>,
}

fn push(list: &mut Vec<String>, value: &str) {
    let v = value.trim().to_lowercase();
    if !v.is_empty() && !list.contains(&v) {
        list.push(v);
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Vocabulary names (`attack`) of the crimes an incident answers to on
/// `crime:`: its own ([`Incident::crime`], what most sources that give one
/// say) and that of each source event, read from the source's analysis
/// (`by_id`: document id → analysis; a source whose analysis is not
/// there adds nothing), as `type:` takes the incident's and its sources'
/// types.
pub(crate) fn crimes(incident: &Incident, by_id: &HashMap<&str, &Analysis>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(crime) = &incident.crime {
        push(&mut out, &vocab_name(crime));
    }
    for source in &incident.sources {
        let crime = by_id.get(source.doc_id.as_str()).and_then(|a| {
            a.events
                .iter()
                .find(|e| e.id == source.event_id)
                .and_then(|e| e.crime)
        });
        if let Some(crime) = crime {
            push(&mut out, &vocab_name(&crime));
        }
    }
    out
}

/// Builds the index row of an incident from the analyses of its sources
/// (`by_id`: document id → analysis; `doc_sources`: document id → the
/// document's source).
pub(crate) fn index_row(
    incident: &Incident,
    by_id: &HashMap<&str, &Analysis>,
    doc_sources: &HashMap<String, String>,
) -> Row {
    let mut body: Vec<String> = Vec::new();
    let mut actors = Vec::new();
    let mut places = Vec::new();
    let mut sources = Vec::new();
    for p in &incident.perpetrators {
        push(&mut actors, &p.name);
        if let Some(kb) = &p.kb_id {
            push(&mut actors, kb);
        }
    }
    if let Some(loc) = &incident.location {
        push(&mut places, &loc.name);
        if let Some(kb) = &loc.kb_id {
            push(&mut places, kb);
        }
        if let Some(geo) = &loc.geo {
            push(&mut places, &geo.country);
        }
    }
    let mut titles = Vec::new();
    for source in &incident.sources {
        if let Some(outlet) = &source.source {
            push(&mut sources, outlet);
        }
        if let Some(s) = doc_sources.get(&source.doc_id) {
            push(&mut sources, s);
        }
        let Some(analysis) = by_id.get(source.doc_id.as_str()) else {
            continue;
        };
        if let Some(s) = &analysis.source {
            push(&mut sources, s);
        }
        if let Some(title) = &analysis.title {
            let t = collapse(title);
            if !t.is_empty() && !titles.contains(&t) {
                titles.push(t);
            }
        }
        let Some(event) = analysis.events.iter().find(|e| e.id == source.event_id) else {
            continue;
        };
        for span in &event.evidence {
            if let Some(text) = analysis.text.get(span.start..span.end) {
                let t = collapse(text);
                if !t.is_empty() && !body.contains(&t) {
                    body.push(t);
                }
            }
        }
        let entity = |id: &Option<String>| {
            id.as_deref()
                .and_then(|id| analysis.entities.iter().find(|e| e.id == id))
        };
        for slot in &event.perpetrators {
            push(&mut actors, &slot.text);
            if let Some(e) = entity(&slot.entity) {
                push(&mut actors, &e.name);
                for alias in &e.aliases {
                    push(&mut actors, alias);
                }
                if let Some(kb) = &e.kb_id {
                    push(&mut actors, kb);
                }
            }
        }
        for slot in event.location.iter().chain(&event.locations) {
            push(&mut places, &slot.text);
            if let Some(e) = entity(&slot.entity) {
                push(&mut places, &e.name);
                for alias in &e.aliases {
                    push(&mut places, alias);
                }
                if let Some(geo) = &e.geo {
                    push(&mut places, &geo.country);
                }
            }
        }
    }
    let snippet = body.first().map(|s| truncate(s, 300));
    body.extend(titles);
    Row {
        body: body.join("\n"),
        snippet,
        actors: actors.join("\n"),
        places: places.join("\n"),
        sources: sources.join("\n"),
        crimes: crimes(incident, by_id),
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The date range of an incident: its date, else the day it was first seen.
fn range(incident: &Incident) -> Option<(NaiveDate, NaiveDate)> {
    match &incident.date {
        Some(d) => Some((d.start, d.end)),
        None => incident
            .first_seen
            .map(|t| (t.date_naive(), t.date_naive())),
    }
}

/// What the PostgreSQL backend keeps per incident so that every filter is
/// an indexed SQL condition (`postgres.rs`): the values the tantivy index
/// keeps (`index.rs`), laid out for array overlap (`&&`) and range tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FilterColumns {
    /// Vocabulary names of the incident's type and its sources' types.
    pub types: Vec<String>,
    /// The same for stages.
    pub stages: Vec<String>,
    /// [`filter_terms`] of the actor list.
    pub actors: Vec<String>,
    /// [`filter_terms`] of the place list.
    pub places: Vec<String>,
    /// The source list (matched by substring through a dictionary).
    pub sources: Vec<String>,
    /// The date range ranked and filtered on ([`range`]).
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// [`Row::crimes`].
    pub crimes: Vec<String>,
    /// The count of the dead (`Incident::killed`).
    pub killed: Option<i64>,
    /// [`killed_least`].
    pub killed_least: Option<i64>,
}

impl FilterColumns {
    pub(crate) fn of(incident: &Incident, row: &Row) -> Self {
        let mut types = Vec::new();
        let mut stages = Vec::new();
        for (kind, stage) in std::iter::once((incident.kind, incident.stage))
            .chain(incident.sources.iter().map(|s| (s.kind, s.stage)))
        {
            push(&mut types, &vocab_name(&kind));
            push(&mut stages, &vocab_name(&stage));
        }
        let (start, end) = match range(incident) {
            Some((s, e)) => (Some(s), Some(e)),
            None => (None, None),
        };
        FilterColumns {
            types,
            stages,
            actors: filter_terms(&row.actors),
            places: filter_terms(&row.places),
            sources: row.sources.lines().map(str::to_string).collect(),
            start,
            end,
            crimes: row.crimes.clone(),
            killed: incident.killed.map(i64::from),
            killed_least: killed_least(incident).map(i64::from),
        }
    }
}

/// The exact terms a list column answers to: each value and each of its
/// suffixes after a `:` (`group:islamic-state-khorasan` also answers to
/// `islamic-state-khorasan`), as `in_list` compares.
pub(crate) fn filter_terms(list: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: &str| {
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    };
    for v in list.lines() {
        add(v);
        for (i, _) in v.match_indices(':') {
            add(&v[i + 1..]);
        }
    }
    out
}

/// The lower-cased place terms of a query: each value and the ISO codes
/// the caller resolved it to.
pub(crate) fn place_terms(query: &Query) -> Vec<String> {
    let mut out = Vec::new();
    for p in &query.places {
        push(&mut out, &p.value);
        for c in &p.countries {
            push(&mut out, c);
        }
    }
    out
}

/// Vocabulary names (`hostage_taking`) of the query's types.
pub(crate) fn type_names(query: &Query) -> Vec<String> {
    query.types.iter().map(vocab_name).collect()
}

/// Vocabulary names of the query's `crime:` values.
pub(crate) fn crime_names(query: &Query) -> Vec<String> {
    query.crimes.iter().map(vocab_name).collect()
}

/// Vocabulary names of the query's stages.
pub(crate) fn stage_names(query: &Query) -> Vec<String> {
    query.stages.iter().map(vocab_name).collect()
}

/// Whether a list column holds `term`: a value equal to it, or ending
/// with it right after a `:` (a knowledge-base id without its prefix).
/// The reference semantics of `actor:` and `place:` values, which the
/// tantivy index (`index.rs`) and [`filter_terms`] implement as exact terms.
#[cfg(test)]
fn in_list(list: &str, term: &str) -> bool {
    list.lines()
        .any(|v| v == term || v.strip_suffix(term).is_some_and(|p| p.ends_with(':')))
}

/// The hit shown for an incident.
pub(crate) fn hit(incident: &Incident, row: &Row, score: f64) -> Hit {
    let date = incident.date.as_ref().map(|d| {
        if d.start == d.end {
            d.start.to_string()
        } else {
            format!("{}..{}", d.start, d.end)
        }
    });
    let mut outlets: Vec<String> = Vec::new();
    for s in &incident.sources {
        if let Some(o) = &s.source {
            if !outlets.contains(o) {
                outlets.push(o.clone());
            }
        }
    }
    Hit {
        id: incident.id.clone(),
        kind: incident.kind,
        stage: incident.stage,
        date,
        place: incident.location.as_ref().map(|l| l.name.clone()),
        killed: incident.killed,
        injured: incident.injured,
        arrested: incident.arrested,
        fatal: incident.fatal,
        sources: incident.sources.len(),
        outlets,
        snippet: row.snippet.clone(),
        score,
        recency: range(incident).map(|(start, _)| start),
    }
}

/// Orders hits. [`Sort::Relevance`]: text relevance first, then most
/// recent (undated last), then id. [`Sort::Recent`]: most recent first,
/// then relevance, then id. Either order is total, so pages are stable.
pub(crate) fn rank(hits: &mut [Hit], sort: Sort) {
    hits.sort_by(|a, b| {
        let relevance = b.score.total_cmp(&a.score);
        let recency = b.recency.cmp(&a.recency);
        match sort {
            Sort::Relevance => relevance.then(recency),
            Sort::Recent => recency.then(relevance),
        }
        .then_with(|| a.id.cmp(&b.id))
    });
}

/// Ranks every matching hit and cuts out the requested page.
pub(crate) fn paginate(mut hits: Vec<Hit>, page: &Page) -> SearchPage {
    rank(&mut hits, page.sort);
    let total = hits.len();
    let start = page.offset.min(total);
    let end = start.saturating_add(page.limit).min(total);
    let next_offset = (end < total).then_some(end);
    let hits = hits.drain(start..end).collect();
    SearchPage {
        hits,
        total,
        total_is_lower_bound: false,
        next_offset,
    }
}

/// Matches a backend that counts by visiting them (PostgreSQL) counts
/// exactly; with more, [`SearchPage::total`] is a lower bound
/// ([`SearchPage::total_is_lower_bound`]), as search engines report "1,000+
/// results". Counting every match of a broad filter costs time in
/// proportion to the matches (tens of milliseconds at 100,000 incidents),
/// the page itself does not.
pub const TOTAL_CAP: usize = 1000;

/// How many matches a count capped at `cap` ([`TOTAL_CAP`]) visits for
/// `page`: `cap`, or one past the end of the page when that is further, so
/// that `next_offset` is known. Counting stops there: a count reaching the
/// limit means "at least this many".
pub(crate) fn count_limit(cap: usize, page: &Page) -> usize {
    cap.max(page.offset.saturating_add(page.limit).saturating_add(1))
}

/// The page of a backend whose count stopped at `limit` ([`count_limit`]):
/// `counted` matches were found, `hits` is the page at `offset`.
pub(crate) fn capped_page(
    hits: Vec<Hit>,
    counted: usize,
    limit: usize,
    offset: usize,
) -> SearchPage {
    let end = offset.min(counted).saturating_add(hits.len());
    SearchPage {
        next_offset: (end < counted).then_some(end),
        hits,
        total: counted,
        total_is_lower_bound: counted >= limit,
    }
}

fn err(position: usize, message: String) -> QueryError {
    QueryError { position, message }
}

/// Parses a query. Errors name the 1-based character position.
pub fn parse(input: &str) -> Result<Query, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut query = Query::default();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        // A field name: letters then ':'.
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_alphabetic() {
            j += 1;
        }
        let field = if j > i && j < chars.len() && chars[j] == ':' {
            let name: String = chars[i..j].iter().collect::<String>().to_ascii_lowercase();
            if !FIELDS.contains(&name.as_str()) {
                return Err(err(
                    start + 1,
                    format!(
                        "unknown field '{name}'; known fields: {}",
                        FIELDS.join(", ")
                    ),
                ));
            }
            i = j + 1;
            Some(name)
        } else {
            None
        };
        let value_pos = i + 1;
        let value = if i < chars.len() && chars[i] == '"' {
            let Some(close) = chars[i + 1..].iter().position(|&c| c == '"') else {
                return Err(err(i + 1, "unclosed quote".to_string()));
            };
            let v: String = chars[i + 1..i + 1 + close].iter().collect();
            i = i + 2 + close;
            if i < chars.len() && !chars[i].is_whitespace() {
                return Err(err(
                    i + 1,
                    "expected a space after the closing quote".to_string(),
                ));
            }
            v
        } else {
            let s = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '"' {
                    return Err(err(i + 1, "quote inside a word".to_string()));
                }
                i += 1;
            }
            chars[s..i].iter().collect()
        };
        let value = value.trim().to_string();
        let Some(field) = field else {
            if !value.is_empty() {
                query.words.push(value);
            }
            continue;
        };
        if value.is_empty() {
            return Err(err(value_pos, format!("missing value after '{field}:'")));
        }
        let lower = value.to_lowercase();
        match field.as_str() {
            "type" => query.types.push(event_type(&value, value_pos)?),
            "crime" => query.crimes.push(event_type(&value, value_pos)?),
            "killed" => query.killed.push(killed_term(&value, value_pos)?),
            "stage" => query.stages.push(vocab::<Stage>(&lower).ok_or_else(|| {
                err(
                    value_pos,
                    format!("unknown stage '{value}'; expected one of: accomplished, attempted, foiled, planned, threatened"),
                )
            })?),
            "since" | "until" => {
                let date = NaiveDate::parse_from_str(&value, "%Y-%m-%d").map_err(|_| {
                    err(
                        value_pos,
                        format!("bad date '{value}' for '{field}:'; expected YYYY-MM-DD"),
                    )
                })?;
                if field == "since" {
                    query.since = Some(date);
                } else {
                    query.until = Some(date);
                }
            }
            "actor" => query.actors.push(lower),
            "place" => query.places.push(PlaceTerm {
                value: lower,
                countries: Vec::new(),
            }),
            _ => query.sources.push(lower),
        }
    }
    Ok(query)
}

/// An event type named by a `type:` or `crime:` value (vocabulary name,
/// any case, `-` or a space for `_`) at `position`.
fn event_type(value: &str, position: usize) -> Result<EventType, QueryError> {
    vocab::<EventType>(&value.to_lowercase()).ok_or_else(|| {
        err(
            position,
            format!(
                "unknown event type '{value}'; expected one of: {}",
                EventType::ALL
                    .iter()
                    .map(vocab_name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })
}

/// The forms a `killed:` value takes, for error messages.
const KILLED_FORMS: &str =
    "expected N, >N, >=N, <N, <=N or N..M (N <= M) with whole numbers: killed:0, killed:>=3, killed:1..10";

/// Parses a `killed:` value at `position`: `N` (exactly), `>N`, `>=N`,
/// `<N`, `<=N` or `N..M` (both included).
fn killed_term(value: &str, position: usize) -> Result<KilledTerm, QueryError> {
    let bad = |why: String| err(position, format!("{why} for 'killed:'; {KILLED_FORMS}"));
    let count = |digits: &str| -> Result<u32, QueryError> {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("bad count '{value}'")));
        }
        digits
            .parse::<u32>()
            .map_err(|_| bad(format!("count too large in '{value}'")))
    };
    let term = if let Some(n) = value.strip_prefix(">=") {
        KilledTerm {
            min: count(n)?,
            max: None,
        }
    } else if let Some(n) = value.strip_prefix('>') {
        let min = count(n)?
            .checked_add(1)
            .ok_or_else(|| bad(format!("count too large in '{value}'")))?;
        KilledTerm { min, max: None }
    } else if let Some(n) = value.strip_prefix("<=") {
        KilledTerm {
            min: 0,
            max: Some(count(n)?),
        }
    } else if let Some(n) = value.strip_prefix('<') {
        let max = count(n)?
            .checked_sub(1)
            .ok_or_else(|| bad(format!("'{value}' matches no count")))?;
        KilledTerm {
            min: 0,
            max: Some(max),
        }
    } else if let Some((low, high)) = value.split_once("..") {
        let (min, max) = (count(low)?, count(high)?);
        if min > max {
            return Err(bad(format!("empty range '{value}'")));
        }
        KilledTerm {
            min,
            max: Some(max),
        }
    } else {
        let n = count(value)?;
        KilledTerm {
            min: n,
            max: Some(n),
        }
    };
    Ok(term)
}

fn vocab<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    let value = value.replace(['-', ' '], "_");
    serde_json::from_value(serde_json::Value::String(value)).ok()
}

fn vocab_name<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    #[test]
    fn parses_every_field_and_free_words() -> Result<(), QueryError> {
        let q = parse(
            r#"car bomb type:bombing stage:Foiled actor:"ISIS-K" place:Germany since:2023-01-01 until:2024-12-31 source:"New York Times" "market square""#,
        )?;
        assert_eq!(q.words, vec!["car", "bomb", "market square"]);
        assert_eq!(q.types, vec![EventType::Bombing]);
        assert_eq!(q.stages, vec![Stage::Foiled]);
        assert_eq!(q.actors, vec!["isis-k"]);
        assert_eq!(q.places[0].value, "germany");
        assert_eq!(q.since, d("2023-01-01"));
        assert_eq!(q.until, d("2024-12-31"));
        assert_eq!(q.sources, vec!["new york times"]);
        Ok(())
    }

    #[test]
    fn multi_word_types_and_repeats() -> Result<(), QueryError> {
        let q = parse("type:vehicle-ramming TYPE:hostage_taking type:arrest")?;
        assert_eq!(
            q.types,
            vec![
                EventType::VehicleRamming,
                EventType::HostageTaking,
                EventType::Arrest
            ]
        );
        assert_eq!(parse("   ")?, Query::default());
        Ok(())
    }

    #[test]
    fn filter_terms_answer_like_in_list() {
        let lists = [
            "group:islamic-state-khorasan\nisis-k\nislamic state khorasan province",
            "city:de:berlin\nberlin\nde",
            "geonames:1138958\nkabul\naf",
            "a::b\n:x\ny:",
        ];
        let terms = [
            "group:islamic-state-khorasan",
            "islamic-state-khorasan",
            "state-khorasan",
            "isis-k",
            "isis",
            "de:berlin",
            "berlin",
            "city:de",
            "de",
            "1138958",
            "geonames",
            "b",
            ":b",
            "x",
            "y",
        ];
        for list in lists {
            let t = filter_terms(list);
            for term in terms {
                assert_eq!(
                    in_list(list, term),
                    t.iter().any(|v| v == term),
                    "{list:?} / {term:?} (terms {t:?})"
                );
            }
        }
    }

    fn killed(min: u32, max: Option<u32>) -> KilledTerm {
        KilledTerm { min, max }
    }

    #[test]
    fn parses_crime_and_killed_forms() -> Result<(), QueryError> {
        let q = parse(
            r#"crime:attack CRIME:Hostage-Taking killed:3 killed:>0 killed:>=2 killed:<4 killed:<=4 killed:1..10 killed:">=7" Killed:0..0"#,
        )?;
        assert_eq!(q.crimes, vec![EventType::Attack, EventType::HostageTaking]);
        assert_eq!(
            q.killed,
            vec![
                killed(3, Some(3)),
                killed(1, None),
                killed(2, None),
                killed(0, Some(3)),
                killed(0, Some(4)),
                killed(1, Some(10)),
                killed(7, None),
                killed(0, Some(0)),
            ]
        );
        assert!(q.types.is_empty() && q.words.is_empty());
        assert_eq!(
            parse("killed:4294967295 killed:>=4294967295")?.killed,
            vec![killed(u32::MAX, Some(u32::MAX)), killed(u32::MAX, None)]
        );
        Ok(())
    }

    #[test]
    fn crime_and_killed_errors_name_the_position() {
        // An unknown crime: the error of an unknown type, at the value.
        let crime = parse("x crime:bombs").err();
        let kind = parse("x type:bombs").err();
        assert_eq!(crime.as_ref().map(|e| e.position), Some(9));
        assert_eq!(
            crime.as_ref().map(|e| e.message.clone()),
            kind.map(|e| e.message)
        );
        assert!(crime.is_some_and(|e| e.message.starts_with("unknown event type 'bombs'")));
        assert_eq!(parse("crime:").err().map(|e| e.position), Some(7));
        let cases = [
            ("killed:abc", 8, "bad count 'abc'"),
            ("bomb killed:>=-1", 13, "bad count '>=-1'"),
            ("killed:+3", 8, "bad count '+3'"),
            ("killed:>", 8, "bad count '>'"),
            ("killed:3..", 8, "bad count '3..'"),
            ("killed:1.5", 8, "bad count '1.5'"),
            ("killed:<0", 8, "'<0' matches no count"),
            ("killed:5..2", 8, "empty range '5..2'"),
            ("killed:4294967296", 8, "count too large in '4294967296'"),
            ("killed:>4294967295", 8, "count too large in '>4294967295'"),
            (r#"type:arrest killed:"3 4""#, 20, "bad count '3 4'"),
        ];
        for (query, position, why) in cases {
            let e = parse(query).err();
            assert_eq!(e.as_ref().map(|e| e.position), Some(position), "{query}");
            let message = e.map(|e| e.to_string()).unwrap_or_default();
            assert_eq!(
                message,
                format!(
                    "invalid query at position {position}: {why} for 'killed:'; {KILLED_FORMS}"
                ),
                "{query}"
            );
        }
        let missing = parse("killed:").err();
        assert_eq!(missing.as_ref().map(|e| e.position), Some(8));
        assert!(missing.is_some_and(|e| e.message == "missing value after 'killed:'"));
    }

    #[test]
    fn killed_terms_match_counts_and_uncounted_fatal_incidents() -> Result<(), QueryError> {
        // (term, matches for: count 0, count 3, no count, no count but fatal)
        let table = [
            ("killed:0", [true, false, false, false]),
            ("killed:3", [false, true, false, false]),
            ("killed:1", [false, false, false, false]),
            ("killed:>0", [false, true, false, true]),
            ("killed:>=1", [false, true, false, true]),
            ("killed:>=0", [true, true, false, true]),
            ("killed:>1", [false, true, false, false]),
            ("killed:>=2", [false, true, false, false]),
            ("killed:>3", [false, false, false, false]),
            ("killed:<3", [true, false, false, false]),
            ("killed:<=3", [true, true, false, false]),
            ("killed:0..1", [true, false, false, false]),
            ("killed:1..3", [false, true, false, false]),
        ];
        let incidents = [
            (Some(0), false),
            (Some(3), true),
            (None, false),
            (None, true),
        ];
        for (query, want) in table {
            let term = parse(query)?.killed[0];
            for ((count, fatal), want) in incidents.iter().zip(want) {
                assert_eq!(
                    term.matches(*count, *fatal),
                    want,
                    "{query} / {count:?} {fatal}"
                );
            }
        }
        // A count decides alone, even against a source telling of a death.
        assert!(parse("killed:0")?.killed[0].matches(Some(0), true));
        assert!(!parse("killed:>0")?.killed[0].matches(Some(0), true));
        Ok(())
    }

    fn incident(crime: Option<EventType>, killed: Option<u32>, fatal: bool) -> Incident {
        let source = |doc: &str| vigil_core::IncidentSource {
            doc_id: doc.to_string(),
            event_id: "V1".to_string(),
            source: None,
            url: None,
            published: None,
            kind: EventType::Arrest,
            stage: Stage::Accomplished,
            confidence: 0.9,
        };
        Incident {
            id: "a/V1".to_string(),
            kind: EventType::Arrest,
            stage: Stage::Accomplished,
            date: None,
            location: None,
            perpetrators: Vec::new(),
            targets: Vec::new(),
            victims: Vec::new(),
            weapons: Vec::new(),
            killed,
            injured: None,
            arrested: None,
            fatal,
            crime,
            sources: vec![source("a"), source("b"), source("c")],
            first_seen: None,
            disagreements: Vec::new(),
            merge_reasons: Vec::new(),
        }
    }

    #[test]
    fn killed_least_is_the_count_else_one_when_fatal() {
        assert_eq!(killed_least(&incident(None, Some(3), true)), Some(3));
        assert_eq!(killed_least(&incident(None, Some(0), true)), Some(0));
        assert_eq!(killed_least(&incident(None, None, true)), Some(1));
        assert_eq!(killed_least(&incident(None, None, false)), None);
        let row = Row::default();
        let columns = FilterColumns::of(&incident(None, None, true), &row);
        assert_eq!((columns.killed, columns.killed_least), (None, Some(1)));
    }

    #[test]
    fn crimes_are_the_incidents_and_its_sources() {
        let analysis = |id: &str, crime: Option<EventType>| Analysis {
            id: id.to_string(),
            events: vec![vigil_core::Event {
                crime,
                ..vigil_core::Event::new(
                    "V1".to_string(),
                    EventType::Arrest,
                    Stage::Accomplished,
                    vigil_core::Mention::default(),
                    0.9,
                )
            }],
            ..Analysis::default()
        };
        let (a, b, c) = (
            analysis("a", Some(EventType::Bombing)),
            analysis("b", Some(EventType::Attack)),
            analysis("c", None),
        );
        let by_id: HashMap<&str, &Analysis> = [("a", &a), ("b", &b), ("c", &c)].into();
        let with = incident(Some(EventType::Attack), None, false);
        assert_eq!(crimes(&with, &by_id), vec!["attack", "bombing"]);
        let row = index_row(&with, &by_id, &HashMap::new());
        assert_eq!(row.crimes, vec!["attack", "bombing"]);
        assert_eq!(FilterColumns::of(&with, &row).crimes, row.crimes);
        // Without the analyses: the incident's own crime only.
        assert_eq!(crimes(&with, &HashMap::new()), vec!["attack"]);
        assert!(crimes(&incident(None, None, false), &HashMap::new()).is_empty());
    }

    #[test]
    fn errors_name_the_position() {
        let e = parse("bomb colour:red").err();
        assert_eq!(e.as_ref().map(|e| e.position), Some(6));
        assert!(e.is_some_and(|e| e.message.contains("unknown field 'colour'")));
        let e = parse(r#"type:arrest actor:"ISIS-K"#).err();
        assert_eq!(e.map(|e| e.position), Some(19));
        let e = parse("since:2023-13-01").err();
        assert_eq!(e.as_ref().map(|e| e.position), Some(7));
        assert!(e.is_some_and(|e| e.to_string()
            == "invalid query at position 7: bad date '2023-13-01' for 'since:'; expected YYYY-MM-DD"));
        assert_eq!(parse("x type:").err().map(|e| e.position), Some(8));
        assert_eq!(parse("type:bombs").err().map(|e| e.position), Some(6));
        assert_eq!(parse("stage:done").err().map(|e| e.position), Some(7));
        assert_eq!(parse(r#"a"b"#).err().map(|e| e.position), Some(2));
        assert_eq!(parse(r#""ab"c"#).err().map(|e| e.position), Some(5));
    }
}
