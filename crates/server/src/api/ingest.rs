//! `POST /api/v1/documents`: ingest through the API.
//!
//! The body is one JSON document, a JSON array of them
//! (`Content-Type: application/json`) or JSON Lines, one document per line
//! (`application/x-ndjson`). A document has the fields `vigil ingest` reads
//! from JSON Lines (see the `vigil_ingest` crate documentation): `text` or
//! `html` (required), `title`, `url`, `published`, `source`, `author`, `id`
//! and their aliases. The documents are read with the same reader as
//! `vigil ingest` ([`vigil_ingest::parse_record`]), analysed with the same
//! pipeline ([`vigil_extract::Pipeline`]), stored in one transaction
//! ([`vigil_store::Store::insert_batch`]), and their events are merged into
//! the incidents ([`vigil_store::Store::merge_incidents`]); the watchlist
//! matcher is woken at once, so a matching new incident alerts within a
//! second or two.
//!
//! The whole request is accepted or refused: one bad document (no text, a
//! field of the wrong type, a line that is not JSON) is a 422 naming it,
//! and nothing is stored. Documents already stored (same content or
//! canonical URL) are reported as duplicates and not analysed again.
//! Answers: 201 when something was stored, 200 when everything was
//! already there, 401 / 403 without a valid token (as every write), 413
//! for a body over `--body-limit` or more than [`MAX_DOCUMENTS`]
//! documents.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use vigil_core::{Analysis, Document, Origin};
use vigil_extract::Pipeline;
use vigil_ingest::Ingested;
use vigil_store::{DuplicateReason, IncidentUpdate, Outcome};

use crate::error::{ApiError, ErrorBody, ErrorDetail};
use crate::AppState;

/// Most documents accepted in one request (more: 413).
pub const MAX_DOCUMENTS: usize = 1000;

/// Problems listed in a 422 answer before "and N more".
const MAX_LISTED: usize = 10;

/// A document to ingest (the schema; the reader also accepts the aliases
/// of `vigil ingest`'s JSON Lines records, e.g. `content`, `headline`,
/// `link`, `date`, `site`).
#[derive(Debug, ToSchema)]
pub struct NewDocument {
    /// The article text (plain text; HTML markup is detected and its main
    /// text extracted). Required unless `html` is given.
    pub text: Option<String>,
    /// The article page's HTML: its main text and metadata are extracted.
    pub html: Option<String>,
    pub title: Option<String>,
    /// The article's URL (documents with the same canonical URL are
    /// duplicates).
    pub url: Option<String>,
    /// Publication time: RFC 3339, a date, any common date format, or Unix
    /// seconds.
    pub published: Option<String>,
    /// The outlet ("Reuters").
    pub source: Option<String>,
    pub author: Option<String>,
    /// The document id; default: derived from the URL, else from the text.
    pub id: Option<String>,
}

/// What happened to one posted document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentOutcome {
    /// Its position in the request (0-based: array index, or document
    /// number in the JSON Lines body).
    pub index: usize,
    /// The id it is stored under (for a duplicate: the id it was posted
    /// with).
    pub id: String,
    /// `new` (stored, a new story), `near_duplicate` (stored, joins an
    /// existing story: the same story republished) or `duplicate` (already
    /// stored; nothing changed).
    pub outcome: &'static str,
    /// The story it belongs to (new and near-duplicate documents).
    pub story: Option<i64>,
    /// The stored document it duplicates.
    pub existing: Option<String>,
    /// Why it is a duplicate: `same content` or `same canonical URL`.
    pub reason: Option<&'static str>,
    /// The stored document in the API (`/api/v1/documents/{id}`).
    pub document: String,
    /// What the reader dropped or repaired (an unparseable date, a field
    /// of the wrong type…).
    pub warnings: Vec<String>,
}

/// The answer to an ingest request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestSummary {
    /// One entry per posted document, in request order.
    pub documents: Vec<DocumentOutcome>,
    /// Documents stored (near-duplicates included).
    pub ingested: usize,
    /// Stored documents that joined an existing story.
    pub near_duplicates: usize,
    /// Documents already stored.
    pub duplicates: usize,
    /// What the merge of the new documents' events into the incidents did
    /// (`documents` merged, incidents `created` and `updated`, `total`
    /// afterwards, whether everything was `recomputed`); null when nothing
    /// was stored.
    #[schema(value_type = Option<Object>)]
    pub incidents: Option<IncidentUpdate>,
}

/// Ingest documents (needs a token): analyse them, store them, update the
/// incidents; matching watchlists alert.
#[utoipa::path(post, path = "/api/v1/documents", tag = "documents",
    operation_id = "ingest_documents",
    request_body(
        description = "One document or an array of them (`application/json`), or one document per line (`application/x-ndjson`)",
        content((NewDocument = "application/json"), (NewDocument = "application/x-ndjson"))),
    security(("token" = [])),
    responses(
        (status = 201, description = "Stored (at least one document was new)", body = IngestSummary),
        (status = 200, description = "Every document was already stored", body = IngestSummary),
        (status = 400, description = "Not JSON or JSON Lines (`Content-Type`)", body = ErrorBody),
        (status = 401, description = "No token", body = ErrorBody),
        (status = 403, description = "Revoked or unknown token", body = ErrorBody),
        (status = 413, description = "Body over --body-limit, or more than 1000 documents", body = ErrorBody),
        (status = 422, description = "A document is invalid (the message names it and the field or line); nothing was stored", body = ErrorBody)))]
pub async fn handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(format!("cannot read the body: {}", rejection.body_text()))
        }
    })?;
    let kind = body_kind(&headers)?;
    let parsed = tokio::task::spawn_blocking(move || parse(&body, kind))
        .await
        .map_err(ApiError::internal)?;
    let documents = match parsed {
        Ok(documents) => documents,
        Err(Refusal::TooMany(n)) => {
            return Ok(error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("{n} documents in one request; send at most {MAX_DOCUMENTS} per request"),
            ))
        }
        Err(Refusal::Invalid(problems)) => {
            let mut message = String::from("nothing was stored: ");
            let listed: Vec<&str> = problems
                .iter()
                .take(MAX_LISTED)
                .map(String::as_str)
                .collect();
            message.push_str(&listed.join("; "));
            if problems.len() > MAX_LISTED {
                message.push_str(&format!("; and {} more", problems.len() - MAX_LISTED));
            }
            return Ok(error_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                message,
            ));
        }
    };
    let summary = ingest(&state, documents).await?;
    if summary.ingested > 0 {
        // Alerts for the new incidents now rather than at the next poll.
        state.rematch.notify_one();
    }
    tracing::info!(
        ingested = summary.ingested,
        duplicates = summary.duplicates,
        incidents = summary.incidents.map(|u| u.total),
        "ingested {} document(s) through the API ({} near-duplicates, {} duplicates)",
        summary.ingested,
        summary.near_duplicates,
        summary.duplicates
    );
    let status = if summary.ingested > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(summary)).into_response())
}

/// How the body is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    /// One JSON object or an array of objects.
    Json,
    /// One JSON object per line.
    Lines,
}

fn body_kind(headers: &HeaderMap) -> Result<BodyKind, ApiError> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match mime.as_str() {
        "application/json" => Ok(BodyKind::Json),
        "application/x-ndjson" | "application/ndjson" | "application/jsonl"
        | "application/x-jsonlines" | "application/jsonlines" | "application/json-lines" => {
            Ok(BodyKind::Lines)
        }
        _ => Err(ApiError::BadRequest(
            "send `Content-Type: application/json` (a document or an array of documents) or `application/x-ndjson` (one document per line)".into(),
        )),
    }
}

/// Why a body is refused.
#[derive(Debug)]
enum Refusal {
    /// More than [`MAX_DOCUMENTS`] documents.
    TooMany(usize),
    /// One message per bad document or line.
    Invalid(Vec<String>),
}

/// Reads the documents of a body, all or nothing.
fn parse(body: &[u8], kind: BodyKind) -> Result<Vec<Ingested>, Refusal> {
    // (position, where, the record) for each document, and (position,
    // message) for each problem, sorted by position at the end.
    let mut records: Vec<(usize, String, Map<String, Value>)> = Vec::new();
    let mut problems: Vec<(usize, String)> = Vec::new();
    match kind {
        BodyKind::Json => {
            let value: Value = serde_json::from_slice(body)
                .map_err(|e| Refusal::Invalid(vec![format!("the body is not valid JSON: {e}")]))?;
            match value {
                Value::Object(map) => records.push((0, "the document".into(), map)),
                Value::Array(items) => {
                    if items.len() > MAX_DOCUMENTS {
                        return Err(Refusal::TooMany(items.len()));
                    }
                    for (i, item) in items.into_iter().enumerate() {
                        match item {
                            Value::Object(map) => records.push((i, format!("document [{i}]"), map)),
                            other => problems.push((
                                i,
                                format!(
                                    "document [{i}]: is {}, not a JSON object",
                                    json_type(&other)
                                ),
                            )),
                        }
                    }
                }
                other => {
                    return Err(Refusal::Invalid(vec![format!(
                        "the body is {}: send a JSON object (one document) or an array of objects",
                        json_type(&other)
                    )]))
                }
            }
        }
        BodyKind::Lines => {
            let lines = body
                .split(|b| *b == b'\n')
                .enumerate()
                .filter(|(_, line)| !line.trim_ascii().is_empty());
            for (n, line) in lines {
                if records.len() + problems.len() >= MAX_DOCUMENTS {
                    let total = body
                        .split(|b| *b == b'\n')
                        .filter(|l| !l.trim_ascii().is_empty())
                        .count();
                    return Err(Refusal::TooMany(total));
                }
                let at = format!("line {}", n + 1);
                match serde_json::from_slice::<Value>(line) {
                    Ok(Value::Object(map)) => records.push((n, at, map)),
                    Ok(other) => problems.push((
                        n,
                        format!("{at}: is {}, not a JSON object", json_type(&other)),
                    )),
                    Err(e) => problems.push((n, format!("{at}: not valid JSON: {e}"))),
                }
            }
        }
    }
    if records.is_empty() && problems.is_empty() {
        problems.push((0, "the body holds no document".into()));
    }
    let mut documents = Vec::with_capacity(records.len());
    for (position, at, map) in records {
        let origin = Origin {
            path: at,
            line: None,
        };
        // An empty default id: filled in below when the record has none.
        match vigil_ingest::parse_record(&map, origin, "") {
            Ok(mut ingested) => {
                if ingested.document.id.is_empty() {
                    ingested.document.id = default_id(&ingested.document);
                }
                documents.push(ingested);
            }
            Err(err) => problems.push((position, err.to_string())),
        }
    }
    if problems.is_empty() {
        Ok(documents)
    } else {
        problems.sort_by_key(|(position, _)| *position);
        Err(Refusal::Invalid(
            problems.into_iter().map(|(_, message)| message).collect(),
        ))
    }
}

/// The id of a document posted without one: from its URL when it has one
/// (the same URL always gets the same id), else from its text.
fn default_id(doc: &Document) -> String {
    let basis = doc
        .url
        .as_deref()
        .and_then(vigil_store::canonical_url)
        .unwrap_or_else(|| doc.text.clone());
    format!("api-{}", vigil_store::content_hash(&basis))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The pipeline, loaded at the first ingest request (about 100 ms) and
/// kept.
fn pipeline() -> Result<&'static Pipeline, ApiError> {
    static PIPELINE: OnceLock<Result<Pipeline, String>> = OnceLock::new();
    PIPELINE
        .get_or_init(|| Pipeline::new().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ApiError::internal(format!("loading vigil's gazetteers: {e}")))
}

/// A posted document's position in the request, id and reader warnings.
type Posted = (usize, String, Vec<String>);

/// Skips known documents, analyses the others (outside the store lock),
/// stores them in one transaction and updates the incidents.
async fn ingest(state: &AppState, documents: Vec<Ingested>) -> Result<IngestSummary, ApiError> {
    let docs: Vec<Document> = documents.iter().map(|d| d.document.clone()).collect();
    let known = state
        .db
        .read(move |s| {
            docs.iter()
                .map(|d| s.find_duplicate(d))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let mut outcomes: Vec<Option<DocumentOutcome>> = Vec::with_capacity(documents.len());
    let mut fresh: Vec<(usize, Ingested)> = Vec::new();
    for (index, (ingested, known)) in documents.into_iter().zip(known).enumerate() {
        match known {
            Some((existing, reason)) => {
                outcomes.push(Some(duplicate(index, &ingested, existing, reason)));
            }
            None => {
                outcomes.push(None);
                fresh.push((index, ingested));
            }
        }
    }
    // (index, id, warnings) of each analysed document, and the batch.
    let (meta, batch): (Vec<Posted>, Vec<(Document, Analysis)>) =
        tokio::task::spawn_blocking(move || {
            let pipeline = pipeline()?;
            Ok::<_, ApiError>(
                fresh
                    .into_iter()
                    .map(|(index, ingested)| {
                        let mut analysis = pipeline.analyze(&ingested.document);
                        // As `vigil ingest`: a date given with the document
                        // is labelled by where the reader found it.
                        if analysis.published_from.as_deref() == Some("input") {
                            if let Some(from) = ingested.published_from {
                                analysis.published_from = Some(from.to_string());
                            }
                        }
                        let id = ingested.document.id.clone();
                        (
                            (index, id, ingested.warnings),
                            (ingested.document, analysis),
                        )
                    })
                    .unzip(),
            )
        })
        .await
        .map_err(ApiError::internal)??;
    let (stored, incidents) = state
        .db
        .write(move |s| {
            if batch.is_empty() {
                return Ok((Vec::new(), None));
            }
            let stored = s.insert_batch(&batch)?;
            let changed = stored
                .iter()
                .any(|o| !matches!(o, Outcome::Duplicate { .. }));
            // As `vigil ingest`: the new events join the stored incidents.
            let incidents = if changed {
                Some(s.merge_incidents()?)
            } else {
                None
            };
            Ok((stored, incidents))
        })
        .await?;
    for ((index, id, warnings), outcome) in meta.into_iter().zip(stored) {
        let entry = match outcome {
            Outcome::New { story, .. } | Outcome::NearDuplicate { story, .. } => DocumentOutcome {
                index,
                document: format!("/api/v1/documents/{id}"),
                id,
                outcome: if matches!(outcome, Outcome::New { .. }) {
                    "new"
                } else {
                    "near_duplicate"
                },
                story: Some(story),
                existing: None,
                reason: None,
                warnings,
            },
            // Stored by someone else since the check above.
            Outcome::Duplicate { existing, reason } => DocumentOutcome {
                index,
                id,
                outcome: "duplicate",
                story: None,
                document: format!("/api/v1/documents/{existing}"),
                existing: Some(existing),
                reason: Some(reason.as_str()),
                warnings,
            },
        };
        if let Some(slot) = outcomes.get_mut(index) {
            *slot = Some(entry);
        }
    }
    let documents: Vec<DocumentOutcome> = outcomes.into_iter().flatten().collect();
    let count = |what: &str| documents.iter().filter(|d| d.outcome == what).count();
    let near_duplicates = count("near_duplicate");
    Ok(IngestSummary {
        ingested: count("new") + near_duplicates,
        near_duplicates,
        duplicates: count("duplicate"),
        incidents,
        documents,
    })
}

fn duplicate(
    index: usize,
    ingested: &Ingested,
    existing: String,
    reason: DuplicateReason,
) -> DocumentOutcome {
    DocumentOutcome {
        index,
        id: ingested.document.id.clone(),
        outcome: "duplicate",
        story: None,
        document: format!("/api/v1/documents/{existing}"),
        existing: Some(existing),
        reason: Some(reason.as_str()),
        warnings: ingested.warnings.clone(),
    }
}

/// A JSON error answer with a status [`ApiError`] has no variant for
/// (422) or a message of its own (413 for too many documents).
fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(ErrorBody {
            error: ErrorDetail {
                status: status.as_u16(),
                code: code.to_string(),
                message,
            },
        }),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(body: &str, kind: BodyKind) -> Vec<String> {
        match parse(body.as_bytes(), kind) {
            Err(Refusal::Invalid(p)) => p,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn one_object_an_array_or_lines() {
        let one = parse(
            br#"{"title": "T", "text": "Gunmen attacked a convoy."}"#,
            BodyKind::Json,
        );
        let one = one.map_err(|e| format!("{e:?}"));
        assert_eq!(one.as_ref().map(Vec::len), Ok(1));
        let array = parse(
            br#"[{"text": "A bomb exploded.", "url": "https://example.org/a"}, {"content": "Police arrested two men.", "id": "x"}]"#,
            BodyKind::Json,
        )
        .map_err(|e| format!("{e:?}"));
        let ids: Vec<String> = array
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.document.id)
            .collect();
        assert_eq!(ids.len(), 2);
        assert!(ids[0].starts_with("api-"), "{ids:?}");
        assert_eq!(ids[1], "x");
        let lines = parse(
            b"{\"text\": \"One.\"}\n\n{\"text\": \"Two.\"}\n",
            BodyKind::Lines,
        )
        .map_err(|e| format!("{e:?}"));
        assert_eq!(lines.map(|d| d.len()), Ok(2));
    }

    #[test]
    fn problems_name_the_document_the_line_and_the_field() {
        let p = problems(
            r#"[{"text": "fine"}, {"title": "no body"}]"#,
            BodyKind::Json,
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("document [1]:"), "{p:?}");
        assert!(p[0].contains("`text`"), "{p:?}");
        let p = problems(
            "{\"text\": \"fine\"}\n{\"text\": 5}\nnot json\n",
            BodyKind::Lines,
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].starts_with("line 2:") && p[0].contains("text"),
            "{p:?}"
        );
        assert!(p[1].starts_with("line 3: not valid JSON"), "{p:?}");
        let p = problems("[1]", BodyKind::Json);
        assert!(p[0].contains("a number, not a JSON object"), "{p:?}");
        let p = problems("{\"text\": ", BodyKind::Json);
        assert!(p[0].starts_with("the body is not valid JSON"), "{p:?}");
        assert_eq!(
            problems("[]", BodyKind::Json),
            ["the body holds no document"]
        );
    }

    #[test]
    fn too_many_documents() {
        let body = format!(
            "[{}]",
            vec!["{\"text\": \"x\"}"; MAX_DOCUMENTS + 1].join(",")
        );
        assert!(matches!(
            parse(body.as_bytes(), BodyKind::Json),
            Err(Refusal::TooMany(n)) if n == MAX_DOCUMENTS + 1
        ));
        let lines = vec!["{\"text\": \"x\"}"; MAX_DOCUMENTS + 1].join("\n");
        assert!(matches!(
            parse(lines.as_bytes(), BodyKind::Lines),
            Err(Refusal::TooMany(_))
        ));
    }
}
