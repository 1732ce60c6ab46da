//! Documents: the cleaned text with every extraction as a span, ready to
//! highlight.

use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use vigil_core::{Analysis, DateValue};
use vigil_store::desk::DeskStore;
use vigil_store::StoreError;

use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// One highlighted stretch of the cleaned text (UTF-8 byte offsets).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
    /// `entity`, `trigger`, `evidence`, `date`, `quote` or `citation`.
    pub kind: String,
    /// What it is: the entity type and name, the event type, the speaker…
    pub label: String,
    /// The id of the entity or event it belongs to.
    pub id: Option<String>,
}

/// A stored document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub title: Option<String>,
    /// The outlet.
    pub source: Option<String>,
    pub url: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub ingested_at: String,
    /// The story (near-duplicate group) it belongs to.
    pub story: i64,
    pub language: String,
    /// The cleaned text; every offset refers to it.
    pub text: String,
    /// Every extraction, sorted by start then by end (longest first).
    pub highlights: Vec<Highlight>,
    /// The full analysis (entities, events, dates, quotes, citations,
    /// cleaning report).
    #[schema(value_type = Object)]
    pub analysis: Analysis,
}

/// Every extraction of an analysis as highlights.
pub fn highlights(analysis: &Analysis) -> Vec<Highlight> {
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize, kind: &str, label: String, id: Option<&str>| {
        if start < end && analysis.text.get(start..end).is_some() {
            out.push(Highlight {
                start,
                end,
                kind: kind.to_string(),
                label,
                id: id.map(str::to_string),
            });
        }
    };
    for entity in &analysis.entities {
        for m in &entity.mentions {
            push(
                m.start,
                m.end,
                "entity",
                format!("{}: {}", entity.kind.as_str(), entity.name),
                Some(&entity.id),
            );
        }
    }
    for event in &analysis.events {
        let label = event.kind.as_str().to_string();
        push(
            event.trigger.start,
            event.trigger.end,
            "trigger",
            label.clone(),
            Some(&event.id),
        );
        for span in &event.evidence {
            push(
                span.start,
                span.end,
                "evidence",
                label.clone(),
                Some(&event.id),
            );
        }
        if let Some(date) = &event.date {
            if let Some(span) = &date.span {
                push(
                    span.start,
                    span.end,
                    "date",
                    date_label(date),
                    Some(&event.id),
                );
            }
        }
    }
    // The text's other dates (those of events are highlighted with their
    // event above).
    for date in &analysis.dates {
        let Some(span) = date.span else {
            continue;
        };
        let of_event = analysis
            .events
            .iter()
            .any(|e| e.date.as_ref().and_then(|d| d.span) == Some(span));
        if !of_event {
            push(span.start, span.end, "date", date_label(date), None);
        }
    }
    for quote in &analysis.quotes {
        let speaker = quote
            .speaker
            .as_deref()
            .and_then(|id| analysis.entities.iter().find(|e| e.id == id))
            .map(|e| e.name.clone())
            .or_else(|| quote.speaker_text.clone())
            .unwrap_or_else(|| "unknown speaker".into());
        push(
            quote.start,
            quote.end,
            "quote",
            speaker,
            quote.speaker.as_deref(),
        );
    }
    for citation in &analysis.citations {
        push(
            citation.span.start,
            citation.span.end,
            "citation",
            citation.source.text.clone(),
            None,
        );
    }
    out.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    out.dedup();
    out
}

/// A date's resolved day or interval ("2024-03-21", "2024-03-01..2024-03-31").
fn date_label(date: &DateValue) -> String {
    if date.start == date.end {
        date.start.to_string()
    } else {
        format!("{}..{}", date.start, date.end)
    }
}

/// The document `id`; `None` when unknown.
pub fn view(store: &dyn DeskStore, id: &str) -> Result<Option<DocumentView>, StoreError> {
    let Some(stored) = store.document(id)? else {
        return Ok(None);
    };
    let analysis = stored.analysis;
    let doc = stored.document;
    Ok(Some(DocumentView {
        id: doc.id,
        title: doc.title.or_else(|| analysis.title.clone()),
        source: doc.source.or_else(|| analysis.source.clone()),
        url: doc.url,
        author: doc.author,
        published: doc.published.map(|t| t.to_rfc3339()),
        ingested_at: stored.ingested_at.to_rfc3339(),
        story: stored.story,
        language: analysis.language.clone(),
        text: analysis.text.clone(),
        highlights: highlights(&analysis),
        analysis,
    }))
}

/// A stored document: its cleaned text, metadata and every extraction as
/// highlight spans.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents",
    params(("id" = String, Path, description = "The document id")),
    responses((status = 200, description = "The document", body = DocumentView),
        (status = 404, description = "No such document", body = crate::error::ErrorBody)))]
pub async fn handler(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentView>> {
    let key = id.clone();
    match state.db.read(move |s| view(s, &key)).await? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::NotFound(format!("document {id:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use vigil_core::{Analysis, DateValue, Event, EventType, Mention, Precision, Span, Stage};

    use super::highlights;

    fn date(text: &str, span: Span, start: (i32, u32, u32), end: (i32, u32, u32)) -> DateValue {
        let day = |(y, m, d): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, d).expect("valid");
        DateValue {
            start: day(start),
            end: day(end),
            precision: Precision::Day,
            text: text.into(),
            span: Some(span),
            relative: true,
        }
    }

    #[test]
    fn every_date_of_the_text_is_highlighted_once() {
        let text = "A bomb exploded yesterday; police said last week that they had warned.";
        let yesterday = date("yesterday", Span::new(16, 25), (2024, 3, 24), (2024, 3, 24));
        let last_week = date("last week", Span::new(39, 48), (2024, 3, 11), (2024, 3, 17));
        let analysis = Analysis {
            text: text.into(),
            events: vec![Event {
                id: "V1".into(),
                kind: EventType::Bombing,
                stage: Stage::Accomplished,
                trigger: Mention {
                    text: "bomb".into(),
                    start: 2,
                    end: 6,
                },
                date: Some(yesterday.clone()),
                location: None,
                locations: vec![],
                perpetrators: vec![],
                targets: vec![],
                victims: vec![],
                weapons: vec![],
                killed: None,
                injured: None,
                arrested: None,
                fatal: false,
                crime: None,
                nationalities: vec![],
                attributed_to: vec![],
                evidence: vec![Span::new(0, 26)],
                confidence: 0.9,
            }],
            dates: vec![yesterday, last_week],
            ..Analysis::default()
        };
        let dates: Vec<(usize, usize, String, Option<String>)> = highlights(&analysis)
            .into_iter()
            .filter(|h| h.kind == "date")
            .map(|h| (h.start, h.end, h.label, h.id))
            .collect();
        assert_eq!(
            dates,
            [
                (16, 25, "2024-03-24".to_string(), Some("V1".to_string())),
                (39, 48, "2024-03-11..2024-03-17".to_string(), None),
            ]
        );
    }
}
