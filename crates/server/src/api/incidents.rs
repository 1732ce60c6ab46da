//! Incidents and events: search with the query language and filters,
//! cursor pagination, incident detail with every source, and splits.

use std::collections::HashMap;

use super::extract::Json as JsonBody;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use vigil_core::{Analysis, Incident, Span};
use vigil_store::desk::DeskStore;
use vigil_store::{EventRef, Hit, Page, SearchPage, Sort, StoreError};

use super::extract::Query as UrlQuery;
use crate::error::{ApiError, ApiResult};
use crate::{query, AppState};

/// Filters shared by `/incidents`, `/events` and `/stats/incidents`. Every
/// filter is a term of the query language added to `q`; a comma separates
/// alternatives (`type=bombing,shooting`).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Filters {
    /// A query in the `vigil search` language
    /// (`actor:"ISIS-K" place:France since:2024-01-01 bomb`).
    pub q: Option<String>,
    /// Event types, comma-separated (`bombing,shooting`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Stages, comma-separated (`accomplished,foiled`).
    pub stage: Option<String>,
    /// Actors (name, alias or knowledge-base id), comma-separated.
    pub actor: Option<String>,
    /// Places (name, country or ISO code), comma-separated.
    pub place: Option<String>,
    /// First day (`YYYY-MM-DD`, inclusive).
    pub since: Option<String>,
    /// Last day (`YYYY-MM-DD`, inclusive).
    pub until: Option<String>,
    /// Outlets or document sources (substring), comma-separated.
    pub source: Option<String>,
    /// The act of violence an arrest, raid or conviction holds people for
    /// (event types), comma-separated (`attack,bombing`).
    pub crime: Option<String>,
    /// Counts of the dead, comma-separated alternatives (`3`, `>=10`,
    /// `<5`, `1..9`; see `killed:` in docs/search.md).
    pub killed: Option<String>,
}

impl Filters {
    /// The whole query as one text in the query language.
    pub fn text(&self) -> Result<String, ApiError> {
        let mut terms: Vec<String> = Vec::new();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if q.len() > 2000 {
                return Err(ApiError::BadRequest(
                    "the query is longer than 2000 bytes".into(),
                ));
            }
            terms.push(q.to_string());
        }
        let lists = [
            ("type", &self.kind),
            ("stage", &self.stage),
            ("actor", &self.actor),
            ("place", &self.place),
            ("source", &self.source),
            ("crime", &self.crime),
            ("killed", &self.killed),
        ];
        for (field, value) in lists {
            for v in value.iter().flat_map(|v| v.split(',')) {
                if !v.trim().is_empty() {
                    terms.push(query::term(field, v)?);
                }
            }
        }
        for (field, value) in [("since", &self.since), ("until", &self.until)] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                terms.push(query::term(field, v)?);
            }
        }
        Ok(terms.join(" "))
    }
}

/// Paging and order of `/incidents` and `/events`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// `time` (most recent first) or `relevance` (text relevance, then
    /// most recent). Default: `relevance` when the query has free words,
    /// else `time`.
    pub sort: Option<String>,
    /// Page size, 1 to 100 (default 20).
    pub limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Parses the sort order.
fn sort(paging: &Paging, query: &vigil_store::Query) -> Result<Sort, ApiError> {
    match paging.sort.as_deref().map(str::trim) {
        None | Some("") => Ok(if query.words.is_empty() {
            Sort::Recent
        } else {
            Sort::Relevance
        }),
        Some("time" | "recent" | "date") => Ok(Sort::Recent),
        Some("relevance") => Ok(Sort::Relevance),
        Some(other) => Err(ApiError::BadRequest(format!(
            "unknown sort {other:?}: use time or relevance"
        ))),
    }
}

fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Recent => "time",
        Sort::Relevance => "relevance",
    }
}

/// One page of incidents.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentPage {
    /// The query run (filters merged into `q`).
    pub query: String,
    /// `time` or `relevance`.
    pub sort: String,
    /// Incidents matching in all; a lower bound when
    /// `total_is_lower_bound`.
    pub total: usize,
    /// Whether the store stopped counting: at least `total` incidents
    /// match (PostgreSQL counts up to 1,000, or one past the page).
    pub total_is_lower_bound: bool,
    /// Incident summaries: id, type, stage, date, place, killed,
    /// injured, arrested, sources (count), outlets, snippet, score.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Hit>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl IncidentPage {
    /// The total as shown: `1000+` when it is a lower bound.
    pub fn total_label(&self) -> String {
        if self.total_is_lower_bound {
            format!("{}+", self.total)
        } else {
            self.total.to_string()
        }
    }
}

/// A parsed request: query text, parsed query, order, offset, size.
pub struct Request {
    pub text: String,
    pub query: vigil_store::Query,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
}

impl Request {
    /// Checks filters and paging.
    pub fn new(filters: &Filters, paging: &Paging) -> Result<Request, ApiError> {
        let text = filters.text()?;
        let query = query::parse(&text)?;
        let sort = sort(paging, &query)?;
        let key = format!("{text}|{}", sort_name(sort));
        Ok(Request {
            offset: super::offset(paging.cursor.as_deref(), &key)?,
            limit: super::limit(paging.limit, 20, 100)?,
            text,
            query,
            sort,
        })
    }

    fn cursor(&self, next: usize) -> String {
        super::cursor(next, &format!("{}|{}", self.text, sort_name(self.sort)))
    }
}

/// One page of the newest incidents (a request without query, first
/// page), as the search index and the database agree: the index is
/// committed just after the database by another process (a `vigil ingest`
/// beside the server), so a page whose total is not the database's count
/// of incidents is read again (for up to 2 s) before it is cached.
pub fn newest(store: &dyn DeskStore, request: &Request) -> Result<IncidentPage, StoreError> {
    let mut waited = std::time::Duration::ZERO;
    loop {
        let page = list(store, request)?;
        let stored = store.stats()?.incidents;
        let agree = if page.total_is_lower_bound {
            page.total as u64 <= stored
        } else {
            page.total as u64 == stored
        };
        if agree || waited >= std::time::Duration::from_secs(2) {
            return Ok(page);
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
        waited += std::time::Duration::from_millis(25);
    }
}

/// Whether a request is the plain feed: no query, first page. Every
/// analyst's feed is this one, so its page is cached until the store
/// changes.
pub fn is_feed(request: &Request) -> bool {
    request.text.is_empty() && request.offset == 0
}

/// One page of incidents for a request.
pub fn list(store: &dyn DeskStore, request: &Request) -> Result<IncidentPage, StoreError> {
    let page = Page {
        offset: request.offset,
        limit: request.limit,
        sort: request.sort,
    };
    let SearchPage {
        hits,
        total,
        total_is_lower_bound,
        next_offset,
    } = store.search(&request.query, &page)?;
    Ok(IncidentPage {
        query: request.text.clone(),
        sort: sort_name(request.sort).to_string(),
        total,
        total_is_lower_bound,
        items: hits,
        next_cursor: next_offset.map(|n| request.cursor(n)),
    })
}

/// Search incidents.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents",
    params(Filters, Paging),
    responses(
        (status = 200, description = "One page of incidents", body = IncidentPage),
        (status = 400, description = "Malformed query, filter, sort, limit or cursor", body = crate::error::ErrorBody)))]
pub async fn list_handler(
    State(state): State<AppState>,
    UrlQuery(filters): UrlQuery<Filters>,
    UrlQuery(paging): UrlQuery<Paging>,
) -> ApiResult<Response> {
    let request = Request::new(&filters, &paging)?;
    if is_feed(&request) {
        // The newest incidents: computed once per store state.
        let key = format!("api:feed:{}:{}", sort_name(request.sort), request.limit);
        return state.cached_json(&key, move |s| newest(s, &request)).await;
    }
    let page = state.db.read(move |s| list(s, &request)).await?;
    Ok(Json(page).into_response())
}

/// A quotation in a source near the event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteOut {
    /// The speaker's name (linked entity, else as written).
    pub speaker: Option<String>,
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One source (an event of one article) of an incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceDetail {
    pub doc_id: String,
    pub event_id: String,
    pub title: Option<String>,
    /// The outlet.
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    /// The event type this source reports.
    #[serde(rename = "type")]
    pub kind: String,
    pub stage: String,
    pub confidence: f32,
    /// The trigger word or phrase.
    pub trigger: Option<String>,
    /// The evidence sentences, as in the cleaned text.
    pub evidence: Vec<String>,
    /// Quotations in or next to the evidence sentences (every quotation of
    /// the article when none is).
    pub quotes: Vec<QuoteOut>,
    /// The chain of sources, origin first, ending with this article's
    /// outlet: `["UN report", "The New York Times", "Shafaq News"]` when
    /// Shafaq News cites the Times citing a UN report.
    pub chain: Vec<String>,
    /// Where the article's text with its extractions is.
    pub document: String,
}

/// An incident with every source.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentDetail {
    /// The merged incident: type, stage, date, location, perpetrators,
    /// targets, victims, weapons, casualty counts, sources,
    /// disagreements between sources and merge reasons.
    #[schema(value_type = Object)]
    pub incident: Incident,
    /// Every source with its evidence, quotes and chain of citations.
    pub sources: Vec<SourceDetail>,
}

fn span_text(analysis: &Analysis, span: &Span) -> Option<String> {
    analysis
        .text
        .get(span.start..span.end)
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The chains of citation of an article, origin first, ending with its
/// outlet.
pub fn chains(analysis: &Analysis) -> Vec<Vec<String>> {
    let outlet = analysis.source.clone();
    let mut chains: Vec<Vec<String>> = Vec::new();
    for citation in &analysis.citations {
        let mut chain = vec![citation.source.text.clone()];
        if let Some(by) = &citation.cited_by {
            chain.push(by.text.clone());
        }
        if let Some(o) = &outlet {
            if chain.last() != Some(o) {
                chain.push(o.clone());
            }
        }
        if !chains.contains(&chain) {
            chains.push(chain);
        }
    }
    chains
}

/// Builds the detail of a source from its document's analysis.
fn source_detail(source: &vigil_core::IncidentSource, analysis: Option<&Analysis>) -> SourceDetail {
    let mut detail = SourceDetail {
        doc_id: source.doc_id.clone(),
        event_id: source.event_id.clone(),
        title: None,
        outlet: source.source.clone(),
        url: source.url.clone(),
        published: source.published.map(|t| t.to_rfc3339()),
        kind: source.kind.as_str().to_string(),
        stage: json_name(&source.stage),
        confidence: source.confidence,
        trigger: None,
        evidence: Vec::new(),
        quotes: Vec::new(),
        chain: Vec::new(),
        document: format!("/api/v1/documents/{}", source.doc_id),
    };
    let Some(analysis) = analysis else {
        return detail;
    };
    detail.title = analysis.title.clone();
    if detail.outlet.is_none() {
        detail.outlet = analysis.source.clone();
    }
    let event = analysis.events.iter().find(|e| e.id == source.event_id);
    let mut near: Vec<(usize, usize)> = Vec::new();
    if let Some(event) = event {
        detail.trigger = Some(event.trigger.text.clone());
        for span in &event.evidence {
            if let Some(t) = span_text(analysis, span) {
                detail.evidence.push(t);
            }
            near.push((span.start, span.end));
        }
    }
    // Quotes overlapping an evidence sentence or the sentence after it.
    let sentences = &analysis.sentences;
    let mut ranges = near.clone();
    for &(start, end) in &near {
        if let Some(next) = sentences.iter().find(|s| s.start >= end) {
            ranges.push((start, next.end));
        }
    }
    let speaker = |q: &vigil_core::Quote| {
        q.speaker
            .as_deref()
            .and_then(|id| analysis.entities.iter().find(|e| e.id == id))
            .map(|e| e.name.clone())
            .or_else(|| q.speaker_text.clone())
    };
    let quote_out = |q: &vigil_core::Quote| QuoteOut {
        speaker: speaker(q),
        text: q.text.clone(),
        start: q.start,
        end: q.end,
    };
    detail.quotes = analysis
        .quotes
        .iter()
        .filter(|q| ranges.iter().any(|&(s, e)| q.start < e && q.end > s))
        .map(quote_out)
        .collect();
    if detail.quotes.is_empty() {
        detail.quotes = analysis.quotes.iter().map(quote_out).collect();
    }
    detail.chain = chains(analysis).into_iter().next().unwrap_or_default();
    detail
}

fn json_name<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .trim_matches('"')
        .to_string()
}

/// The incident `id` with every source's detail; `None` when unknown.
pub fn detail(store: &dyn DeskStore, id: &str) -> Result<Option<IncidentDetail>, StoreError> {
    let Some(incident) = store.incident(id)? else {
        return Ok(None);
    };
    let mut analyses: HashMap<String, Option<Analysis>> = HashMap::new();
    for source in &incident.sources {
        if !analyses.contains_key(&source.doc_id) {
            let doc = store.document(&source.doc_id)?;
            analyses.insert(source.doc_id.clone(), doc.map(|d| d.analysis));
        }
    }
    let sources = incident
        .sources
        .iter()
        .map(|s| source_detail(s, analyses.get(&s.doc_id).and_then(Option::as_ref)))
        .collect();
    Ok(Some(IncidentDetail { incident, sources }))
}

/// One incident with its sources, evidence, quotes, disagreements and
/// merge reasons. Incident ids contain slashes (`<document id>/<event
/// id>`); they are part of the path as they are.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents",
    params(("id" = String, Path, description = "The incident id (`<document id>/<event id>`)")),
    responses(
        (status = 200, description = "The incident", body = IncidentDetail),
        (status = 404, description = "No such incident", body = crate::error::ErrorBody)))]
pub async fn detail_handler(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentDetail>> {
    let key = id.clone();
    match state.db.read(move |s| detail(s, &key)).await? {
        Some(d) => Ok(Json(d)),
        None => Err(ApiError::NotFound(format!("incident {id:?}"))),
    }
}

/// One event of one article, as merged into an incident.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventItem {
    /// The incident it was merged into.
    pub incident: String,
    pub doc_id: String,
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub stage: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub published: Option<String>,
    pub confidence: f32,
}

/// One page of events.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventPage {
    pub query: String,
    pub total: usize,
    pub items: Vec<EventItem>,
    pub next_cursor: Option<String>,
}

/// The events (incident sources) of the incidents matching a request,
/// most recently published first (then incident and event id).
pub fn events(store: &dyn DeskStore, request: &Request) -> Result<EventPage, StoreError> {
    let mut all: Vec<EventItem> = Vec::new();
    store.for_each_incident(&request.query, &mut |incident| {
        for s in &incident.sources {
            all.push(EventItem {
                incident: incident.id.clone(),
                doc_id: s.doc_id.clone(),
                event_id: s.event_id.clone(),
                kind: s.kind.as_str().to_string(),
                stage: json_name(&s.stage),
                outlet: s.source.clone(),
                url: s.url.clone(),
                published: s.published.map(|t| t.to_rfc3339()),
                confidence: s.confidence,
            });
        }
        Ok(())
    })?;
    // RFC 3339 with offsets does not sort as text: sort on the instant.
    let instant = |e: &EventItem| {
        e.published
            .as_deref()
            .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
            .map(|t| t.timestamp())
    };
    all.sort_by(|a, b| {
        instant(b)
            .cmp(&instant(a))
            .then_with(|| a.incident.cmp(&b.incident))
            .then_with(|| a.doc_id.cmp(&b.doc_id))
            .then_with(|| a.event_id.cmp(&b.event_id))
    });
    let total = all.len();
    let start = request.offset.min(total);
    let end = start.saturating_add(request.limit).min(total);
    let items = all.drain(start..end).collect();
    Ok(EventPage {
        query: request.text.clone(),
        total,
        items,
        next_cursor: (end < total).then(|| request.cursor(end)),
    })
}

/// Search events (each article's report of an incident), most recently
/// published first.
#[utoipa::path(get, path = "/api/v1/events", tag = "incidents",
    params(Filters, Paging),
    responses(
        (status = 200, description = "One page of events", body = EventPage),
        (status = 400, description = "Malformed query, filter, limit or cursor", body = crate::error::ErrorBody)))]
pub async fn events_handler(
    State(state): State<AppState>,
    UrlQuery(filters): UrlQuery<Filters>,
    UrlQuery(mut paging): UrlQuery<Paging>,
) -> ApiResult<Response> {
    // Events have one order; the cursor is tied to it.
    paging.sort = Some("time".into());
    let request = Request::new(&filters, &paging)?;
    // Every page reads every matching incident: computed once per store
    // state and request (a dashboard polling the first page, a client
    // paging through the rest).
    let key = format!(
        "api:events:{}:{}:{}",
        request.offset, request.limit, request.text
    );
    state.cached_json(&key, move |s| events(s, &request)).await
}

/// A split request: events to take out of an incident.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SplitRequest {
    /// The incident id.
    pub incident: String,
    /// The events to split off (a non-empty proper subset of its sources).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<EventRef>,
}

/// Splits events off an incident (needs a token). The split is recorded as
/// cannot-link constraints and survives re-merging.
#[utoipa::path(post, path = "/api/v1/splits", tag = "incidents",
    request_body = SplitRequest,
    security(("token" = [])),
    responses(
        (status = 200, description = "The incidents after the split", body = Object),
        (status = 400, description = "Not a proper subset of the incident's sources", body = crate::error::ErrorBody),
        (status = 401, description = "No token", body = crate::error::ErrorBody),
        (status = 403, description = "Revoked or unknown token", body = crate::error::ErrorBody),
        (status = 404, description = "No such incident", body = crate::error::ErrorBody)))]
pub async fn split_handler(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<SplitRequest>,
) -> ApiResult<(StatusCode, Json<vigil_store::Split>)> {
    if request.events.is_empty() {
        return Err(ApiError::BadRequest(
            "events is empty: name the events to split off".into(),
        ));
    }
    let id = request.incident.clone();
    let incident = state.db.read(move |s| s.incident(&id)).await?;
    let Some(incident) = incident else {
        return Err(ApiError::NotFound(format!(
            "incident {:?}",
            request.incident
        )));
    };
    let known = |e: &EventRef| {
        incident
            .sources
            .iter()
            .any(|s| s.doc_id == e.doc_id && s.event_id == e.event_id)
    };
    if !request.events.iter().all(known) || request.events.len() >= incident.sources.len() {
        return Err(ApiError::BadRequest(
            "events must be a non-empty proper subset of the incident's sources (doc_id, event_id)"
                .into(),
        ));
    }
    let split = state
        .db
        .write(move |s| s.split_incident(&request.incident, &request.events))
        .await?;
    state.rematch.notify_one();
    Ok((StatusCode::OK, Json(split)))
}
